/*
 * did/fetch.h -- a bounded HTTPS GET client (libcurl) with a response cache, for did:web
 * documents and status list credentials.
 *
 * What a fetch will and will not do:
 *   - https only. Plain http is refused before any connection is attempted, unless the
 *     fetcher was made with allow_http_loopback and the URL's host is "localhost", a strict
 *     dotted-quad 127.0.0.0/8 address or [::1] (for tests on one machine); even then every
 *     socket of that transfer (redirects included) is refused unless the address it would
 *     connect to is a loopback address, and no proxy is used.
 *   - TLS certificate and host name verification always on (TLS 1.2 at least); ca_file may
 *     name another trust store, never switch verification off.
 *   - Redirects are followed only to https URLs, at most max_redirects of them.
 *   - Connect and total timeouts; the body is capped while it is received (the transfer is
 *     aborted one chunk past the cap) and a larger Content-Length is refused up front.
 *   - No content decoding is asked for (no Accept-Encoding), so a small compressed body
 *     cannot expand behind the cap. No cookies, no credentials in URLs, no other protocols.
 *   - Only status 200 is success.
 *
 * Cache: per fetcher, keyed by (URL, Accept), holding successful (200) responses only. An
 * entry lives for the response's Cache-Control max-age, or cache_default_ttl when there is
 * none, clamped to [cache_min_ttl, cache_max_ttl]; "no-store" and "no-cache" count as
 * max-age=0, so they are cached for cache_min_ttl (a server cannot make us fetch more often
 * than the caller allows). At most cache_entries entries and cache_max_bytes body bytes; the
 * least recently used entry goes first. Expiry uses the monotonic clock.
 *
 * Threads: a fetcher may be used from several threads at once (the cache has a mutex;
 * transfers run outside it, each on its own curl handle). libcurl's global initialisation
 * (curl_global_init) runs once per process, on the first did_fetcher_new, through
 * pthread_once; curl_global_cleanup is never called.
 */
#ifndef DID_FETCH_H
#define DID_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <did/did.h>
#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_FETCH_URL_MAX 2048 /* bytes in a URL we fetch */
#define DID_FETCH_TYPE_MAX 128 /* bytes of a media type we keep ("type/subtype") */
#define DID_FETCH_MAX_BYTES_LIMIT ((size_t)64 << 20) /* the largest max_bytes accepted */
#define DID_FETCH_MAX_CACHE_ENTRIES 4096
#define DID_FETCH_MAX_TTL ((int64_t)30 * 86400) /* the largest TTL bound accepted, seconds */
#define DID_FETCH_MAX_TIMEOUT_MS 600000L

typedef struct did_fetch_opts {
    long connect_timeout_ms;   /* TCP + TLS connect, 1..DID_FETCH_MAX_TIMEOUT_MS */
    long timeout_ms;           /* whole transfer including redirects, 1..DID_FETCH_MAX_TIMEOUT_MS */
    size_t max_bytes;          /* response body cap, 1..DID_FETCH_MAX_BYTES_LIMIT */
    long max_redirects;        /* 0..10; 0: a redirect is an error (DID_ERR_LIMIT) */
    int allow_http_loopback;   /* non-zero: plain http to loopback hosts (tests only) */
    size_t cache_entries;      /* 0..DID_FETCH_MAX_CACHE_ENTRIES; 0: no cache */
    size_t cache_max_bytes;    /* total body bytes cached */
    int64_t cache_default_ttl; /* seconds, when the response has no max-age */
    int64_t cache_min_ttl;     /* seconds, 0 <= min <= max <= DID_FETCH_MAX_TTL */
    int64_t cache_max_ttl;
    const char *ca_file; /* PEM CA bundle to trust instead of the system's; NULL: system.
                            Copied by did_fetcher_new. */
} did_fetch_opts;

#define DID_FETCH_DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DID_FETCH_DEFAULT_TIMEOUT_MS 10000L
#define DID_FETCH_DEFAULT_MAX_BYTES ((size_t)1 << 20) /* 1 MiB */
#define DID_FETCH_DEFAULT_MAX_REDIRECTS 3L
#define DID_FETCH_DEFAULT_CACHE_ENTRIES 256
#define DID_FETCH_DEFAULT_CACHE_MAX_BYTES ((size_t)16 << 20) /* 16 MiB */
#define DID_FETCH_DEFAULT_TTL 300
#define DID_FETCH_DEFAULT_MIN_TTL 60
#define DID_FETCH_DEFAULT_MAX_TTL 86400

/* Fills o with the defaults above (https only, no ca_file). */
void did_fetch_opts_init(did_fetch_opts *o);

typedef struct did_fetcher did_fetcher;

/* A new fetcher with options o (NULL: the defaults); free with did_fetcher_free.
 * Errors: DID_ERR_ARG (an option out of range), DID_ERR_FETCH (libcurl failed to initialise,
 * or lacks https support), DID_ERR_NOMEM. */
int did_fetcher_new(const did_fetch_opts *o, did_fetcher **out, did_err *err);
/* Frees the fetcher and its cache. No fetch may be running on it. NULL is a no-op. */
void did_fetcher_free(did_fetcher *f);
/* Whether plain http to loopback hosts is allowed (did:web uses it to map did:web:localhost). */
int did_fetcher_allows_http_loopback(const did_fetcher *f);
/* Drops every cached response. */
void did_fetcher_cache_clear(did_fetcher *f);

typedef struct did_fetch_req {
    const char *url;          /* absolute https URL, NUL-terminated, at most DID_FETCH_URL_MAX */
    const char *accept;       /* Accept header value; NULL: no Accept header */
    const char *const *types; /* acceptable response media types, lower case, without
                                 parameters, NULL-terminated; NULL: any (none checked) */
    size_t max_bytes;         /* 0: the fetcher's cap; else the smaller of this and it */
    int no_cache;             /* non-zero: neither read nor fill the cache */
} did_fetch_req;

typedef struct did_fetch_resp {
    did_buf body;                          /* the response body (NUL-terminated, not counted) */
    char content_type[DID_FETCH_TYPE_MAX]; /* media type, lower case, parameters dropped; ""
                                              when the response had none (or an overlong one) */
    long status;                           /* the final HTTP status (200 on success) */
    int from_cache;                        /* the response came from the cache */
} did_fetch_resp;

void did_fetch_resp_init(did_fetch_resp *r);
/* Frees the body and re-initialises. */
void did_fetch_resp_clear(did_fetch_resp *r);

/* GETs req->url (or answers from the cache) into resp (initialised by the caller; its body is
 * reset first). On failure resp->body is empty; resp->status holds the status when one was
 * received. The error message names the URL (truncated) and what failed.
 * Errors:
 *   DID_ERR_ARG           NULL argument, URL empty or longer than DID_FETCH_URL_MAX
 *   DID_ERR_FETCH_SCHEME  the URL is not an absolute https URL (or http to a loopback host
 *                         when allowed), has user info, or a redirect went to another scheme;
 *                         or a plain http connection would have gone to a non-loopback address
 *   DID_ERR_FETCH         network or TLS failure, timeout (the message has libcurl's text)
 *   DID_ERR_FETCH_STATUS  the final status is not 200 (the message has it)
 *   DID_ERR_FETCH_TYPE    req->types given and the response's media type is not among them
 *   DID_ERR_LIMIT         body larger than the cap, or more redirects than max_redirects
 *   DID_ERR_NOMEM */
int did_fetch(did_fetcher *f, const did_fetch_req *req, did_fetch_resp *resp, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * POST, for clients of the civid services (a wallet talking to an issuer or a verifier). The
 * same URL policy as did_fetch (https only; http to loopback hosts when the fetcher allows it,
 * loopback addresses only, no proxy), the same timeouts and body cap; never cached, and
 * redirects are not followed (a 3xx is DID_ERR_FETCH_STATUS).
 */
typedef struct did_fetch_post_req {
    const char *url;          /* as in did_fetch_req */
    const char *content_type; /* of the request body; NULL: "application/json" */
    const uint8_t *body;      /* the request body (may be NULL when body_len is 0) */
    size_t body_len;          /* at most DID_FETCH_MAX_BYTES_LIMIT */
    const char *accept;       /* Accept header value; NULL: none */
    const char *bearer;       /* NULL, or a token sent as "Authorization: Bearer <token>"
                                 (at most 1024 bytes, printable ASCII); never appears in an
                                 error message */
    size_t max_bytes;         /* response body cap: 0: the fetcher's; else the smaller */
} did_fetch_post_req;

/* POSTs req->body to req->url into resp (initialised by the caller; reset first). Success is
 * any 2xx status. On DID_ERR_FETCH_STATUS (a status outside 2xx) resp->status and resp->body
 * hold the server's answer (within the cap), so that a caller can show a problem document;
 * on every other error resp->body is empty.
 * Errors: DID_ERR_ARG (NULL, URL empty or too long, a content type / Accept / token too long
 * or with control characters, body too large), DID_ERR_FETCH_SCHEME, DID_ERR_FETCH,
 * DID_ERR_FETCH_STATUS, DID_ERR_LIMIT (response larger than the cap), DID_ERR_NOMEM. */
int did_fetch_post(did_fetcher *f, const did_fetch_post_req *req, did_fetch_resp *resp,
                   did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Status list credentials. did_fetch_status_list is a did_status_fetch_fn (did/status.h):
 * pass it with a did_status_fetcher as `user` to did_status_check, or in did_verify_opts.
 */
/* Verifies a fetched status list credential body[0..len) (content_type as in
 * did_fetch_resp) and returns in *verified a new reference to the verified credential as VCDM
 * JSON. Returns 0 or a DID_ERR_* code with err filled. */
typedef int (*did_fetch_verify_fn)(void *user, const uint8_t *body, size_t len,
                                   const char *content_type, json_t **verified, did_err *err);

typedef struct did_status_fetcher {
    did_fetcher *fetcher;       /* borrowed; must outlive every use */
    const did_ctx *ctx;         /* borrowed; resolves the list issuer's key (default verify) */
    did_fetch_verify_fn verify; /* NULL: did_verify (did/verify.h) with now and skew below */
    void *verify_user;
    int64_t now;                /* default verify: seconds since the epoch; 0: current time */
    int64_t skew;               /* default verify: allowed clock skew in seconds */
    const char *const *issuers; /* default verify: NULL-terminated list of the DIDs that may
                                   issue status lists; NULL: any issuer whose proof verifies */
} did_status_fetcher;

/* did_status_fetch_fn for a did_status_fetcher: fetches url with Accept
 * "application/vc+jwt, application/vc, application/vc+ld+json, application/json" (any
 * response media type; the verifier tells the formats apart), then verifies the body. With
 * the default verifier the credential must verify completely (proof, issuer binding, dates)
 * and, when issuers is set, be issued by one of them; the status list's own credentialStatus,
 * if any, is not checked.
 * Errors: DID_ERR_ARG, did_fetch's errors, the verifier's errors, DID_ERR_VC_ISSUER (issuer
 * not in the list). */
int did_fetch_status_list(void *user, const char *url, json_t **verified, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_FETCH_H */
