/* Private to civid_httpd: the server and request structs shared by its source files. */
#ifndef CH_INTERNAL_H
#define CH_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include <ch/httpd.h>

#define CH_METHOD_MAX 16 /* bytes in a method name, NUL included */
#define CH_METRIC_NAME_MAX 96
#define CH_METRIC_HELP_MAX 160
#define CH_MEDIA_TYPES_MAX 160
#define CH_PROBLEM_BASE_MAX 128
#define CH_SERVER_NAME_MAX 64
#define CH_CLIENT_MAX 64
#define CH_N_CLASSES 6  /* status classes 1xx..5xx, and "none" (no response) */
#define CH_N_BUCKETS 16 /* duration histogram buckets, +Inf excluded */

/* Per-route request counters, by status class. */
typedef struct ch_route_stats {
    atomic_uint_fast64_t by_class[CH_N_CLASSES];
} ch_route_stats;

typedef struct ch_segment {
    uint16_t off, len; /* literal text (or parameter name) inside pattern */
    uint8_t param;     /* 0 literal, 1 {name}, 2 {name*} */
} ch_segment;

typedef struct ch_route_entry {
    char method[CH_METHOD_MAX];
    char pattern[CH_MAX_PATTERN];
    char metric_name[CH_MAX_PATTERN];
    char media_types[CH_MEDIA_TYPES_MAX];
    unsigned flags;
    ch_handler_fn handler;
    void *user;
    size_t n_segments;
    ch_segment seg[CH_MAX_SEGMENTS];
    size_t n_params;
    ch_route_stats stats;
} ch_route_entry;

struct ch_metric {
    ch_metric_kind kind;
    char name[CH_METRIC_NAME_MAX];
    char help[CH_METRIC_HELP_MAX];
    atomic_int_fast64_t value;
    ch_gauge_fn fn;
    void *user;
};

struct ch_server {
    /* configuration, read-only once started */
    struct sockaddr_storage addr;
    socklen_t addr_len;
    unsigned threads, max_connections, max_per_client, timeout;
    size_t max_body;
    FILE *access_log, *error_log;
    char problem_base[CH_PROBLEM_BASE_MAX];
    char server_name[CH_SERVER_NAME_MAX];
    did_json_limits json_limits;
    size_t n_routes;
    ch_route_entry routes[CH_MAX_ROUTES];
    size_t n_tokens;
    uint8_t tokens[CH_MAX_TOKENS][32];
    size_t n_metrics;
    ch_metric metrics[CH_MAX_METRICS];
    /* running state */
    struct MHD_Daemon *daemon;
    char address[CH_ADDRESS_MAX];
    atomic_int stopping;
    /* metrics of the server itself */
    ch_route_stats unmatched;
    atomic_int_fast64_t in_flight;
    atomic_uint_fast64_t duration_buckets[CH_N_BUCKETS + 1]; /* last: +Inf */
    atomic_uint_fast64_t duration_sum_us;
    atomic_uint_fast64_t duration_count;
};

typedef struct ch_param {
    const char *name; /* into the route's pattern (not NUL-terminated: name_len) */
    size_t name_len;
    const char *value; /* NUL-terminated, into ch_request.param_buf */
} ch_param;

typedef struct ch_reply_state {
    int set;
    unsigned status;
    char content_type[128];
    uint8_t *body; /* malloc'd, handed to libmicrohttpd */
    size_t len;
    size_t n_headers;
    char *headers[CH_MAX_REPLY_HEADERS][2];
} ch_reply_state;

struct ch_request {
    ch_server *server;
    struct MHD_Connection *conn;
    uint64_t start_us; /* CLOCK_MONOTONIC */
    char method[CH_METHOD_MAX];
    char path[CH_MAX_PATH + 1];
    size_t path_len;
    char id[CH_REQUEST_ID_MAX + 1];
    char client[CH_CLIENT_MAX];
    ch_route_entry *route; /* NULL: unmatched */
    size_t n_params;
    ch_param params[CH_MAX_PARAMS];
    char param_buf[CH_MAX_PATH + 1];
    /* body */
    did_buf body;
    int too_large;        /* the body grew past the limit: the rest is discarded */
    size_t discarded;     /* body bytes past the limit, read and dropped */
    int close_connection; /* the response carries "Connection: close" (a body left unread) */
    int has_body;         /* Content-Length > 0 or chunked */
    json_t *json;
    /* reply */
    ch_reply_state reply;
    int queued;      /* a response was handed to libmicrohttpd */
    unsigned status; /* the status queued */
    size_t bytes;    /* the body bytes queued */
};

/* route.c */
int ch_route_parse(ch_route_entry *e, const ch_route *r, did_err *err);
/* Finds the route for method + path; *allowed_out gets a comma list of the methods that match
 * the path (for 405) when no route matches the method. Fills req->params. */
ch_route_entry *ch_route_match(ch_server *s, ch_request *req, char *allowed, size_t allowed_cap,
                               int *path_matched);
/* 1 when content_type (a Content-Type header value) is one of the comma list `accepted`. */
int ch_media_type_accepted(const char *content_type, const char *accepted);

/* reply.c */
/* Builds and queues the response held in req->reply. MHD_YES / MHD_NO. */
enum MHD_Result ch_reply_queue(ch_request *req);
void ch_reply_state_clear(ch_reply_state *r);

/* metrics.c */
void ch_metrics_record(ch_server *s, ch_request *req, uint64_t duration_us);
int ch_metrics_handler(void *user, ch_request *req);
int ch_health_handler(void *user, ch_request *req);

/* auth.c */
int ch_auth_check(const ch_server *s, const char *authorization);

/* accesslog.c */
void ch_request_id_init(ch_request *req, const char *incoming);
void ch_access_log_write(const ch_server *s, const ch_request *req, uint64_t duration_us,
                         int aborted);

/* addr.c */
int ch_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len, did_err *err);
void ch_addr_format(const struct sockaddr *sa, char *out, size_t cap, int with_port);

uint64_t ch_now_us(void);

#endif /* CH_INTERNAL_H */
