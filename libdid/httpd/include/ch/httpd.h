/*
 * ch/httpd.h -- the HTTP server glue shared by civid's services (civid-issuer, civid-verifier),
 * on libmicrohttpd. One small library, prefix ch_, so the services stay thin and alike.
 *
 * What a ch_server does for every request, before and after the service's handler runs:
 *   - routing: method + path pattern ("/credentials/verify", "/status/{id}", "/{path*}/did.json");
 *     404 and 405 (with Allow) as problem details; GET routes also answer HEAD;
 *   - request body accumulation with a hard byte limit: a declared Content-Length over the limit
 *     is refused with 413 before any of the body is read, and no more than the limit is ever
 *     buffered (a chunked body that grows past it gets 413 too);
 *   - content-type checks (415) and strict JSON parsing (did_json_parse) of JSON bodies; a
 *     malformed body gets 400 with the DID_ERR_JSON_* code and its message;
 *   - bearer-token authentication for routes that ask for it (401 with WWW-Authenticate);
 *     tokens are kept as SHA-256 digests and compared in constant time, never logged;
 *   - a request id (X-Request-Id: the client's when it is 1-64 characters of [A-Za-z0-9._-],
 *     otherwise 128 random bits in base64url), on every response;
 *   - one JSON access-log line per request: time, id, method, path, status, bytes, duration_us,
 *     client -- never bodies, query strings, headers or tokens;
 *   - GET /health ({"status":"ok"}) and GET /metrics (Prometheus text format 0.0.4: requests by
 *     route and status class, requests in flight, a duration histogram, and the metrics the
 *     service registers);
 *   - connection limits (total and per client address) and an idle timeout;
 *   - graceful shutdown: stop accepting, let requests in flight finish, then stop.
 *
 * Errors are RFC 9457 problem details (application/problem+json):
 *   {"type": "<problem_type_base><NAME>", "title": "...", "status": 413, "detail": "...",
 *    "code": 1153, "name": "CH_ERR_HTTP_TOO_LARGE"}
 * with the stable codes and names of spec/errors.md (the CH_ERR_HTTP_* codes below, and any
 * libdid or crypto code a handler reports).
 *
 * Threads: handlers run on the server's worker threads, several at once; everything a handler
 * shares must be thread-safe (a did_ctx is, once set up). No global state: two servers in one
 * process never interfere (the signal helpers at the end are process-wide by nature).
 * Configuration (routes, tokens, metrics) happens before ch_server_start and is read-only after.
 */
#ifndef CH_HTTPD_H
#define CH_HTTPD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <did/error.h>
#include <did/json.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Error codes of the HTTP layer (spec/errors.md, range 1150-1199). ch_err_name() names them and
 * every libdid / crypto code.
 */
enum {
    CH_ERR_HTTP_NOT_FOUND = 1150,    /* 404: no route for the path */
    CH_ERR_HTTP_METHOD = 1151,       /* 405: the path exists, not with this method */
    CH_ERR_HTTP_MEDIA_TYPE = 1152,   /* 415: Content-Type missing or not accepted by the route */
    CH_ERR_HTTP_TOO_LARGE = 1153,    /* 413: request body over the limit */
    CH_ERR_HTTP_UNAUTHORIZED = 1154, /* 401: bearer token missing or not valid */
    CH_ERR_HTTP_REQUEST = 1155,      /* 400: request unusable (a body where none is taken, none
                                        where one is needed, a member of the wrong shape) */
    CH_ERR_HTTP_LISTEN = 1156,       /* listen address malformed, or it cannot be bound */
    CH_ERR_HTTP_SERVER = 1157,       /* libmicrohttpd failed (start, response) */
    CH_ERR_HTTP_UNAVAILABLE = 1158,  /* 503: the service cannot take the request now */
    CH_ERR_HTTP_URI_TOO_LONG = 1159, /* 414: request path longer than CH_MAX_PATH */
};

/* Symbolic name of a CH_ERR_* code, else did_err_name(code). */
const char *ch_err_name(int code);
/* Short, stable human title for a code's problem type ("Payload Too Large", "Malformed JSON"). */
const char *ch_err_title(int code);

/* ---------------------------------------------------------------------------------------------
 * Limits.
 */
#define CH_MAX_ROUTES 32       /* routes per server, /health and /metrics included */
#define CH_MAX_PATTERN 256     /* bytes in a route pattern */
#define CH_MAX_PARAMS 4        /* {name} parameters in a pattern */
#define CH_MAX_SEGMENTS 32     /* '/'-separated segments in a pattern or a request path */
#define CH_MAX_PATH 2048       /* bytes in a request path (longer: 414) */
#define CH_MAX_TOKENS 16       /* bearer tokens per server */
#define CH_MAX_METRICS 32      /* service metrics per server */
#define CH_MAX_THREADS 64      /* worker threads */
#define CH_MAX_REPLY_HEADERS 8 /* extra response headers a handler may set */
#define CH_REQUEST_ID_MAX 64   /* bytes in a request id (without the NUL) */
#define CH_ADDRESS_MAX 64      /* "[v6 address]:port" with the NUL */

/* ---------------------------------------------------------------------------------------------
 * Configuration.
 */
typedef struct ch_config {
    /* "127.0.0.1:8080" or "[::1]:8080" (IP literals only, no names); port 0 picks a free port
     * (see ch_server_address) */
    const char *listen;
    unsigned threads;                    /* worker threads, 1..CH_MAX_THREADS (default 2) */
    size_t max_body;                     /* request body limit in bytes (default 1 MiB) */
    unsigned max_connections;            /* open connections in all (default 256) */
    unsigned max_connections_per_client; /* per client IP address (default 32) */
    unsigned connection_timeout;         /* seconds a connection may stay idle (default 30) */
    FILE *access_log;                    /* one JSON line per request; NULL: no access log */
    FILE *error_log;                     /* libmicrohttpd's own messages; NULL: discarded */
    const char *problem_type_base; /* prefix of problem "type" URIs (default "urn:civid:error:") */
    const char *server_name;       /* "service" name in /health (default "civid") */
} ch_config;

/* The defaults above, listen "127.0.0.1:0". */
void ch_config_init(ch_config *cfg);

/* ---------------------------------------------------------------------------------------------
 * Server lifecycle.
 */
typedef struct ch_server ch_server;
typedef struct ch_request ch_request;

/* A new server from cfg (copied: cfg's strings need not outlive the call, its FILEs must
 * outlive the server). Routes GET /health and GET /metrics are already there.
 * Errors: DID_ERR_ARG (a value out of range), CH_ERR_HTTP_LISTEN (listen malformed),
 * DID_ERR_NOMEM. */
int ch_server_new(const ch_config *cfg, ch_server **out, did_err *err);

/* Binds the listen address and starts the worker threads. CH_ERR_HTTP_LISTEN when the address
 * cannot be bound, CH_ERR_HTTP_SERVER when libmicrohttpd fails otherwise. */
int ch_server_start(ch_server *s, did_err *err);

/* The bound address after ch_server_start ("127.0.0.1:43817"), for the program to print on its
 * first line of output; "" before. Valid for the server's lifetime. */
const char *ch_server_address(const ch_server *s);

/* Graceful shutdown: stops accepting connections, waits until the requests in flight have
 * finished (at most drain_ms milliseconds), then stops the threads and closes every
 * connection. Responses sent meanwhile carry "Connection: close". Idempotent; call it from the
 * main thread (for instance after ch_signals_wait), never from a handler. */
void ch_server_shutdown(ch_server *s, unsigned drain_ms);

/* 1 once ch_server_shutdown has begun. */
int ch_server_stopping(const ch_server *s);

/* Shuts down (with no drain time) if still running, and frees. NULL is a no-op. */
void ch_server_free(ch_server *s);

/* ---------------------------------------------------------------------------------------------
 * Routes.
 */
/* A handler answers with one ch_reply_* call and returns 0; it may instead return an error code
 * without replying, which becomes a 500 problem with that code (the message stays private).
 * user is the route's. */
typedef int (*ch_handler_fn)(void *user, ch_request *req);

enum {
    CH_ROUTE_AUTH = 1u << 0,          /* a valid bearer token is required (401 otherwise) */
    CH_ROUTE_JSON = 1u << 1,          /* the body is application/json, parsed strictly with
                                         did_json_parse (limits: the defaults, max_bytes the body
                                         limit) before the handler runs: ch_request_json */
    CH_ROUTE_BODY = 1u << 2,          /* a raw body of one of media_types: ch_request_body */
    CH_ROUTE_BODY_OPTIONAL = 1u << 3, /* with CH_ROUTE_JSON / CH_ROUTE_BODY: an empty body (and
                                         then no Content-Type) is allowed too */
};

typedef struct ch_route {
    const char *method; /* "GET", "POST", ... (GET routes also answer HEAD) */
    /* "/a/b" exact; "{name}" matches one non-empty segment; one "{name*}" matches one or more
     * whole segments ("/{path*}/did.json"). Literals match the raw path: percent-encoding is
     * kept as sent, and parameters are returned as sent (not decoded). */
    const char *pattern;
    unsigned flags;          /* CH_ROUTE_* */
    const char *media_types; /* CH_ROUTE_BODY: accepted types, comma-separated
                                ("application/vc+jwt, application/json"); parameters after ';'
                                are ignored except a charset other than utf-8 (415) */
    const char *metric_name; /* label in /metrics; NULL: the pattern */
    ch_handler_fn handler;
    void *user;
} ch_route;

/* Adds a route (strings copied). Before ch_server_start only. Errors: DID_ERR_ARG (pattern
 * malformed, method empty, a route with the same method and pattern, started), DID_ERR_LIMIT
 * (past CH_MAX_ROUTES / CH_MAX_PARAMS / CH_MAX_PATTERN). */
int ch_server_route(ch_server *s, const ch_route *route, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Bearer tokens (RFC 6750 "Authorization: Bearer <token>").
 */
/* Accepts token[0..len) on CH_ROUTE_AUTH routes: only its SHA-256 digest is kept. The caller
 * wipes its copy. Errors: DID_ERR_ARG (empty, over 4096 bytes, not token68 characters),
 * DID_ERR_LIMIT (past CH_MAX_TOKENS). Before ch_server_start only. */
int ch_server_add_token(ch_server *s, const char *token, size_t len, did_err *err);
/* The same, given the digest (tokens stored hashed elsewhere). */
int ch_server_add_token_sha256(ch_server *s, const uint8_t digest[32], did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Service metrics, exposed in /metrics after the server's own. Names follow Prometheus
 * ([a-zA-Z_:][a-zA-Z0-9_:]*); updates are atomic and lock-free.
 */
typedef struct ch_metric ch_metric;
typedef enum ch_metric_kind { CH_COUNTER = 1, CH_GAUGE = 2 } ch_metric_kind;
/* A value read at scrape time (for example, entries in a store); must be thread-safe. */
typedef int64_t (*ch_gauge_fn)(void *user);

/* Registers a counter or gauge; *out stays valid for the server's lifetime. Before
 * ch_server_start only. Errors: DID_ERR_ARG (bad name, duplicate, help with a newline),
 * DID_ERR_LIMIT (past CH_MAX_METRICS). */
int ch_server_add_metric(ch_server *s, ch_metric_kind kind, const char *name, const char *help,
                         ch_metric **out, did_err *err);
/* Registers a gauge whose value fn(user) gives at each scrape. */
int ch_server_add_gauge_fn(ch_server *s, const char *name, const char *help, ch_gauge_fn fn,
                           void *user, did_err *err);
void ch_metric_add(ch_metric *m, int64_t delta);
void ch_metric_set(ch_metric *m, int64_t value);
int64_t ch_metric_get(const ch_metric *m);

/* ---------------------------------------------------------------------------------------------
 * The request, inside a handler. Every pointer is valid until the handler returns.
 */
const char *ch_request_method(const ch_request *req);
const char *ch_request_path(const ch_request *req);
/* Path parameter {name} of the route, as sent; NULL when the route has none of that name. */
const char *ch_request_param(const ch_request *req, const char *name);
/* A request header (case-insensitive name), NULL if absent. */
const char *ch_request_header(const ch_request *req, const char *name);
/* The raw body (CH_ROUTE_JSON / CH_ROUTE_BODY routes; len 0 and a non-NULL pointer when empty). */
const uint8_t *ch_request_body(const ch_request *req, size_t *len);
/* CH_ROUTE_JSON: the parsed body, borrowed (NULL for an allowed empty body). */
const json_t *ch_request_json(const ch_request *req);
/* The request id (also in the X-Request-Id response header and the access log). */
const char *ch_request_id(const ch_request *req);
/* The client's IP address as text. */
const char *ch_request_client(const ch_request *req);
/* The server (for ch_problem_json). */
const ch_server *ch_request_server(const ch_request *req);
/* 1 when the request carries a bearer token the server accepts (for routes that authenticate
 * only some requests themselves), else 0. */
int ch_request_authorized(const ch_request *req);

/* ---------------------------------------------------------------------------------------------
 * Replies: one per request. A second reply, or a reply after an error, returns DID_ERR_ARG.
 * Every response also carries X-Request-Id, Cache-Control: no-store (unless the handler set
 * Cache-Control) and X-Content-Type-Options: nosniff.
 */
/* body serialised compactly; the reference is taken over (released even on error).
 * content_type NULL means "application/json". */
int ch_reply_json(ch_request *req, unsigned status, const char *content_type, json_t *body);
/* len bytes copied. */
int ch_reply(ch_request *req, unsigned status, const char *content_type, const void *body,
             size_t len);
/* An RFC 9457 problem: type, title, status, detail (printf-formatted), code, name. */
int ch_reply_problem(ch_request *req, unsigned status, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Adds a response header (copied) before the reply; at most CH_MAX_REPLY_HEADERS. Names and
 * values with control characters are refused (DID_ERR_ARG). */
int ch_reply_header(ch_request *req, const char *name, const char *value);

/* A problem-details object {"type", "title", "detail", "code", "name"} (plus "status" when
 * status is not 0), new reference or NULL when out of memory: for problems inside a response
 * body, such as the errors of a verification result. */
json_t *ch_problem_json(const ch_server *s, unsigned status, int code, const char *detail);

/* ---------------------------------------------------------------------------------------------
 * Shutdown signals (process-wide). The handler only sets a volatile sig_atomic_t; the program's
 * main thread waits for it and then calls ch_server_shutdown:
 *
 *     ch_signals sig;
 *     ch_signals_block(&sig, &err);     // before ch_server_start: workers inherit the mask
 *     ch_server_start(srv, &err);
 *     printf("%s\n", ch_server_address(srv));
 *     ch_signals_wait(&sig);            // returns on SIGTERM or SIGINT
 *     ch_server_shutdown(srv, 10000);
 *     ch_signals_restore(&sig);
 */
typedef struct ch_signals {
    sigset_t old_mask;
    struct sigaction old_term, old_int, old_pipe;
    int installed;
} ch_signals;

/* Installs the SIGTERM/SIGINT handler, ignores SIGPIPE, and blocks SIGTERM/SIGINT in the
 * calling thread (and the threads it starts later). DID_ERR_INTERNAL if a call fails. */
int ch_signals_block(ch_signals *sig, did_err *err);
/* Waits (sigsuspend) until SIGTERM or SIGINT has arrived; returns the signal number. */
int ch_signals_wait(ch_signals *sig);
/* Restores the previous handlers and mask. */
void ch_signals_restore(ch_signals *sig);

#ifdef __cplusplus
}
#endif
#endif /* CH_HTTPD_H */
