/*
 * verifier/verifier.h -- the civid-verifier service (`civid-verifier serve`): W3C CCG VC-API
 * verification over HTTP (ch/httpd.h), single-use presentation challenges in LMDB, DID
 * resolution in the DIF Universal Resolver driver shape, and an issuer trust policy.
 * Verification itself is libdid's did_verify; this library decodes requests, keeps the
 * challenges, applies the policy and shapes the answers. spec/openapi-verifier.yaml describes
 * the endpoints, spec/verifier-config.md the configuration.
 *
 * Prefix verifier_. Every fallible function returns 0 or a DID_ERR_* / CH_ERR_* code with
 * err filled.
 */
#ifndef VERIFIER_VERIFIER_H
#define VERIFIER_VERIFIER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ch/httpd.h>
#include <did/error.h>
#include <did/result.h>
#include <did/verify.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Configuration (spec/verifier-config.md): a strict JSON file, then command-line overrides.
 */
#define VERIFIER_MAX_TRUSTED 256 /* trustedIssuers entries */
#define VERIFIER_MAX_CONTEXTS 32 /* knownContexts entries */
#define VERIFIER_PATH_MAX 1024   /* bytes in a path */
#define VERIFIER_CONFIG_MAX_BYTES ((size_t)1 << 20)

typedef enum verifier_unknown_issuer {
    VERIFIER_UNKNOWN_ISSUER_WARN = 0,  /* an untrusted issuer is a warning */
    VERIFIER_UNKNOWN_ISSUER_ERROR = 1, /* an untrusted issuer fails the verification */
} verifier_unknown_issuer;

typedef struct verifier_config {
    char listen[CH_ADDRESS_MAX];        /* "127.0.0.1:8082" */
    char data_dir[VERIFIER_PATH_MAX];   /* the LMDB environment's directory ("" : none yet) */
    char log_dir[VERIFIER_PATH_MAX];    /* an audit log (civid-verifier log init) served
                                           read-only under /log/ ("": none) */
    char access_log[VERIFIER_PATH_MAX]; /* "-": standard output, "": none, else a file */
    char problem_type_base[128];
    unsigned threads;
    size_t max_body;
    unsigned max_connections, max_connections_per_client, connection_timeout;
    unsigned shutdown_timeout; /* seconds to let requests in flight finish */
    int64_t challenge_ttl;     /* seconds a challenge stays valid */
    size_t max_challenges;     /* challenges kept at once (issued, not yet expired) */
    int require_challenge;     /* presentations must name a challenge we issued */
    int64_t clock_skew;        /* seconds, 0..DID_VC_MAX_SKEW */
    size_t map_size;           /* LMDB map size in bytes */
    verifier_unknown_issuer unknown_issuer;
    size_t n_trusted;
    char *trusted[VERIFIER_MAX_TRUSTED]; /* malloc'd issuer ids (DIDs or URLs) */
    size_t n_contexts;
    char *contexts[VERIFIER_MAX_CONTEXTS + 1]; /* further known @context URLs, NULL-terminated */
    int did_web;                               /* resolve did:web (over https) */
    int status_lists;        /* fetch status list credentials to check credentialStatus */
    int allow_http_loopback; /* fetches may use plain http to 127.0.0.1 (tests only) */
    long fetch_timeout_ms;
    int64_t fetch_cache_max_ttl; /* seconds a fetched document may be reused at most */
} verifier_config;

/* The defaults of spec/verifier-config.md. */
void verifier_config_init(verifier_config *c);
/* Frees the lists and re-initialises. */
void verifier_config_clear(verifier_config *c);
/* Applies the JSON configuration text json[0..len): parsed strictly (did_json_parse), every
 * member optional, unknown members refused. Members it names replace the current values (the
 * lists replace the lists). Errors: the DID_ERR_JSON_* codes of the parse, DID_ERR_JSON_TYPE
 * (unknown member, wrong type, value out of range -- the message names the member),
 * DID_ERR_LIMIT (a list too long), DID_ERR_NOMEM. On error c may be partly changed. */
int verifier_config_apply(verifier_config *c, const uint8_t *json, size_t len, did_err *err);
/* Reads the file (at most VERIFIER_CONFIG_MAX_BYTES) and applies it; DID_ERR_IO when it cannot
 * be read. Messages are prefixed with the path. */
int verifier_config_load(verifier_config *c, const char *path, did_err *err);
/* Appends an issuer id (a URL: a DID or an https URL) to the trusted issuers. */
int verifier_config_add_trusted(verifier_config *c, const char *id, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Request bodies of POST /credentials/verify and POST /presentations/verify.
 */
typedef enum verifier_kind {
    VERIFIER_CREDENTIAL = 1,   /* {"verifiableCredential": ..., "options": {...}} */
    VERIFIER_PRESENTATION = 2, /* {"verifiablePresentation": ..., "options": {...}} */
} verifier_kind;

typedef struct verifier_request {
    verifier_kind kind;
    const json_t *object; /* the credential / presentation as a JSON object (Data Integrity
                             or an Enveloped...), borrowed from the body; or NULL */
    const char *text;     /* ... or as a string (vc+jwt / vp+jwt compact JWS, SD-JWT),
                             borrowed; NULL when object is set */
    size_t text_len;
    const char *challenge; /* options.challenge, borrowed, or NULL */
    const char *domain;    /* options.domain, borrowed, or NULL */
    int return_document;   /* options.returnCredential / returnPresentation */
} verifier_request;

#define VERIFIER_OPTION_MAX 1024 /* bytes in options.challenge / options.domain */

/* Decodes a parsed request body. Members: the document (required; a JSON object or a non-empty
 * string) and "options" (an object; for credentials "returnCredential"; for presentations
 * "challenge", "domain" (non-empty strings without control characters) and
 * "returnPresentation"); anything else is refused, so a misspelt option is never silently
 * ignored. Errors: DID_ERR_JSON_TYPE naming the member, DID_ERR_ARG. */
int verifier_request_decode(const json_t *body, verifier_kind kind, verifier_request *out,
                            did_err *err);
/* Parses body[0..len) strictly and decodes it; *root receives the parsed body (json_decref it;
 * the request borrows from it), NULL on error. */
int verifier_request_parse(const uint8_t *body, size_t len, verifier_kind kind, json_t **root,
                           verifier_request *out, did_err *err);
/* Verifies the request's document with did_verify_json (no re-serialisation of an object). */
int verifier_request_verify(const did_ctx *ctx, const verifier_request *req,
                            const did_verify_opts *opts, did_result *r, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Challenges: 128 random bits in base64url (22 characters), kept in LMDB with their expiry,
 * consumed by the first verification that names them.
 */
#define VERIFIER_CHALLENGE_LEN 22

typedef struct verifier_store verifier_store;

/* Opens (creating it with mode 0700 if missing) the LMDB environment in dir, with durable
 * commits. Errors: DID_ERR_IO (the directory or LMDB, with mdb_strerror's text), DID_ERR_ARG. */
int verifier_store_open(const char *dir, size_t map_size, verifier_store **out, did_err *err);
/* Closes the environment. NULL is a no-op. No other call may be running. */
void verifier_store_close(verifier_store *st);

/* Issues a challenge valid until now + ttl: writes it (NUL-terminated) to out and its expiry to
 * *expires. Expired challenges are purged first (a bounded number per call).
 * Errors: CH_ERR_HTTP_UNAVAILABLE (max challenges are outstanding), DID_ERR_IO. */
int verifier_challenge_issue(verifier_store *st, int64_t now, int64_t ttl, size_t max,
                             char out[VERIFIER_CHALLENGE_LEN + 1], int64_t *expires, did_err *err);
/* Consumes challenge[0..len) in one write transaction: DID_OK the first time, then
 * DID_ERR_VP_CHALLENGE_USED; DID_ERR_VP_CHALLENGE_EXPIRED once its time has passed;
 * DID_ERR_VP_CHALLENGE_UNKNOWN when this store never issued it. DID_ERR_IO on LMDB failure. */
int verifier_challenge_consume(verifier_store *st, const char *challenge, size_t len, int64_t now,
                               did_err *err);
/* Challenges kept (issued and not yet purged), or -1 on failure. */
int64_t verifier_challenge_count(verifier_store *st);

/* ---------------------------------------------------------------------------------------------
 * Issuer trust and the VC-API result.
 */
#define VERIFIER_CHECK_TRUST "issuerTrust" /* the check name in results */

/* Records the trust check in r for every issuer of r's verified document (a credential, the
 * credentials of a presentation, an SD-JWT's "iss"): an issuer not in c->trusted is a
 * DID_ERR_VC_ISSUER_UNTRUSTED warning or error, per c->unknown_issuer. Does nothing when r has
 * no document (the verification already failed). */
void verifier_trust_check(const verifier_config *c, did_result *r);

/* The VC-API verification result for r: {"verified", "checks", "warnings", "errors"} with
 * warnings and errors as problem details (ch_problem_json: type, title, detail, code, name)
 * plus "check"; doc_member non-NULL ("verifiableCredential" / "verifiablePresentation") also
 * returns the verified document under that name. New reference, NULL when out of memory. */
json_t *verifier_result_json(const ch_server *s, const did_result *r, const char *doc_member);

/* ---------------------------------------------------------------------------------------------
 * The service.
 */
typedef struct verifier_service verifier_service;

/* Opens the store in c->data_dir, the access log, a did_ctx (with did:web and the status list
 * fetcher as configured), and a ch_server with the verifier's routes; c is copied. With
 * c->log_dir set, also opens that audit log (did_log_store_open, no key: nothing is signed) and
 * serves GET /log/checkpoint (the latest signed checkpoint note) and GET /log/proof/{index}
 * (the entry's tlog-proof), both text/plain.
 * Errors: those of verifier_store_open, ch_server_new, did_ctx_new, did_fetcher_new,
 * did_log_store_open, and DID_ERR_IO for the access log. */
int verifier_service_new(const verifier_config *c, verifier_service **out, did_err *err);
/* Starts serving; ch_server_start's errors. */
int verifier_service_start(verifier_service *v, did_err *err);
/* The bound address ("127.0.0.1:43817"). */
const char *verifier_service_address(const verifier_service *v);
/* The HTTP server (for metrics in tests). */
ch_server *verifier_service_server(verifier_service *v);
/* Graceful shutdown: requests in flight finish (up to c->shutdown_timeout), then the server
 * stops. The store stays open until verifier_service_free. */
void verifier_service_shutdown(verifier_service *v);
/* Shuts down if needed, closes the store (LMDB) and the access log, frees. NULL is a no-op. */
void verifier_service_free(verifier_service *v);

#ifdef __cplusplus
}
#endif
#endif /* VERIFIER_VERIFIER_H */
