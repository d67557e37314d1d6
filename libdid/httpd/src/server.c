/* The server on libmicrohttpd: setup, the per-request state machine (headers, body, handler,
 * response, completion), and graceful shutdown. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define CH_DEFAULT_MAX_BODY ((size_t)1 << 20)
#define CH_MAX_BODY_LIMIT ((size_t)64 << 20) /* the largest body limit a server accepts */
#define CH_MAX_CONNECTIONS 65536

void ch_config_init(ch_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = "127.0.0.1:0";
    cfg->threads = 2;
    cfg->max_body = CH_DEFAULT_MAX_BODY;
    cfg->max_connections = 256;
    cfg->max_connections_per_client = 32;
    cfg->connection_timeout = 30;
    cfg->problem_type_base = "urn:civid:error:";
    cfg->server_name = "civid";
}

static int printable(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (n == max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
            return 0;
    return 1;
}

int ch_server_new(const ch_config *cfg, ch_server **out, did_err *err)
{
    if (cfg == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "ch_server_new: NULL argument");
    *out = NULL;
    if (cfg->threads < 1 || cfg->threads > CH_MAX_THREADS)
        return did_err_set(err, DID_ERR_ARG, "threads must be 1..%d", CH_MAX_THREADS);
    if (cfg->max_body < 1 || cfg->max_body > CH_MAX_BODY_LIMIT)
        return did_err_set(err, DID_ERR_ARG, "the body limit must be 1..%zu bytes",
                           CH_MAX_BODY_LIMIT);
    if (cfg->max_connections < 1 || cfg->max_connections > CH_MAX_CONNECTIONS)
        return did_err_set(err, DID_ERR_ARG, "the connection limit must be 1..%d",
                           CH_MAX_CONNECTIONS);
    if (cfg->max_connections_per_client < 1 ||
        cfg->max_connections_per_client > cfg->max_connections)
        return did_err_set(err, DID_ERR_ARG,
                           "the per-client connection limit must be 1..the connection limit");
    if (cfg->connection_timeout < 1 || cfg->connection_timeout > 3600)
        return did_err_set(err, DID_ERR_ARG, "the connection timeout must be 1..3600 seconds");
    const char *base = cfg->problem_type_base != NULL ? cfg->problem_type_base : "";
    const char *name = cfg->server_name != NULL ? cfg->server_name : "civid";
    if ((base[0] != '\0' && !printable(base, CH_PROBLEM_BASE_MAX)) ||
        !printable(name, CH_SERVER_NAME_MAX))
        return did_err_set(err, DID_ERR_ARG, "problem type base or server name malformed");

    ch_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    int rc = ch_addr_parse(cfg->listen, &s->addr, &s->addr_len, err);
    if (rc != DID_OK) {
        free(s);
        return rc;
    }
    s->threads = cfg->threads;
    s->max_body = cfg->max_body;
    s->max_connections = cfg->max_connections;
    s->max_per_client = cfg->max_connections_per_client;
    s->timeout = cfg->connection_timeout;
    s->access_log = cfg->access_log;
    s->error_log = cfg->error_log;
    snprintf(s->problem_base, sizeof s->problem_base, "%s", base);
    snprintf(s->server_name, sizeof s->server_name, "%s", name);
    s->json_limits = did_json_limits_default();
    s->json_limits.max_bytes = s->max_body;
    atomic_init(&s->stopping, 0);
    atomic_init(&s->in_flight, 0);
    atomic_init(&s->duration_sum_us, 0);
    atomic_init(&s->duration_count, 0);
    for (size_t i = 0; i <= CH_N_BUCKETS; i++)
        atomic_init(&s->duration_buckets[i], 0);
    for (size_t i = 0; i < CH_N_CLASSES; i++)
        atomic_init(&s->unmatched.by_class[i], 0);

    const ch_route builtin[] = {
        {.method = "GET", .pattern = "/health", .handler = ch_health_handler, .user = s},
        {.method = "GET", .pattern = "/metrics", .handler = ch_metrics_handler, .user = s},
    };
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        rc = ch_server_route(s, &builtin[i], err);
        if (rc != DID_OK) {
            free(s);
            return rc;
        }
    }
    *out = s;
    return DID_OK;
}

int ch_server_route(ch_server *s, const ch_route *route, did_err *err)
{
    if (s == NULL || route == NULL)
        return did_err_set(err, DID_ERR_ARG, "ch_server_route: NULL argument");
    if (s->daemon != NULL)
        return did_err_set(err, DID_ERR_ARG, "routes are added before the server starts");
    if (s->n_routes == CH_MAX_ROUTES)
        return did_err_set(err, DID_ERR_LIMIT, "more than %d routes", CH_MAX_ROUTES);
    ch_route_entry *e = &s->routes[s->n_routes];
    int rc = ch_route_parse(e, route, err);
    if (rc != DID_OK)
        return rc;
    for (size_t i = 0; i < s->n_routes; i++)
        if (strcmp(s->routes[i].method, e->method) == 0 &&
            strcmp(s->routes[i].pattern, e->pattern) == 0)
            return did_err_set(err, DID_ERR_ARG, "route %s %s added twice", e->method, e->pattern);
    for (size_t i = 0; i < CH_N_CLASSES; i++)
        atomic_init(&e->stats.by_class[i], 0);
    s->n_routes++;
    return DID_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Requests.
 */
/* A reply decided before the body was read (404, 401, 413, ...). When a body was announced,
 * the connection closes after the response instead of reading it. */
static enum MHD_Result early_reply(ch_request *rq, int close_after)
{
    if (close_after)
        rq->close_connection = 1;
    if (!rq->reply.set)
        return MHD_NO;
    return ch_reply_queue(rq);
}

/* Makes room for n more body bytes and a NUL, growing geometrically but never past the body
 * limit (+1 for the NUL): a request never holds more memory for its body than the limit. The
 * caller has checked that len + n <= limit. */
static int body_reserve(ch_request *rq, size_t n, size_t limit)
{
    did_buf *b = &rq->body;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return DID_OK;
    size_t cap = b->cap > 0 ? b->cap : 4096;
    while (cap < need && cap <= limit)
        cap *= 2;
    if (cap > limit + 1)
        cap = limit + 1;
    uint8_t *nd = realloc(b->data, cap);
    if (nd == NULL)
        return DID_ERR_NOMEM;
    b->data = nd;
    b->cap = cap;
    return DID_OK;
}

/* Content-Length as a number; -1 when absent, -2 when malformed. */
static long long content_length(struct MHD_Connection *conn)
{
    const char *v =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (v == NULL)
        return -1;
    long long n = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9'; i++) {
        if (i >= 18)
            return -2;
        n = n * 10 + (v[i] - '0');
    }
    return i == 0 || v[i] != '\0' ? -2 : n;
}

static enum MHD_Result begin(ch_server *s, struct MHD_Connection *conn, const char *url,
                             const char *method, void **req_cls)
{
    ch_request *rq = calloc(1, sizeof *rq);
    if (rq == NULL)
        return MHD_NO;
    *req_cls = rq;
    rq->server = s;
    rq->conn = conn;
    rq->start_us = ch_now_us();
    did_buf_init(&rq->body);
    atomic_fetch_add(&s->in_flight, 1);

    snprintf(rq->method, sizeof rq->method, "%s", method != NULL ? method : "");
    size_t plen = url != NULL ? strnlen(url, CH_MAX_PATH + 1) : 0;
    int too_long = plen > CH_MAX_PATH;
    if (too_long)
        plen = CH_MAX_PATH;
    if (plen > 0)
        memcpy(rq->path, url, plen);
    rq->path[plen] = '\0';
    rq->path_len = plen;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    ch_addr_format(ci != NULL ? ci->client_addr : NULL, rq->client, sizeof rq->client, 0);
    ch_request_id_init(rq, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id"));

    long long cl = content_length(conn);
    const char *te =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    rq->has_body = cl > 0 || te != NULL;

    if (too_long) {
        (void)ch_reply_problem(rq, 414, CH_ERR_HTTP_URI_TOO_LONG,
                               "the request path is longer than %d bytes", CH_MAX_PATH);
        return early_reply(rq, rq->has_body);
    }
    if (cl == -2) {
        (void)ch_reply_problem(rq, 400, CH_ERR_HTTP_REQUEST, "%s", "malformed Content-Length");
        return early_reply(rq, 1);
    }
    char allowed[128];
    int path_matched = 0;
    rq->route = ch_route_match(s, rq, allowed, sizeof allowed, &path_matched);
    if (rq->route == NULL) {
        if (path_matched) {
            (void)ch_reply_header(rq, "Allow", allowed);
            (void)ch_reply_problem(rq, 405, CH_ERR_HTTP_METHOD, "%s is not allowed here (%s)",
                                   rq->method, allowed);
        } else {
            (void)ch_reply_problem(rq, 404, CH_ERR_HTTP_NOT_FOUND, "%s", "no such resource");
        }
        return early_reply(rq, rq->has_body);
    }
    const ch_route_entry *r = rq->route;
    if ((r->flags & CH_ROUTE_AUTH) &&
        !ch_auth_check(
            s, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))) {
        int given = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION) != NULL;
        (void)ch_reply_header(rq, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                              given ? "Bearer realm=\"civid\", error=\"invalid_token\""
                                    : "Bearer realm=\"civid\"");
        (void)ch_reply_problem(rq, 401, CH_ERR_HTTP_UNAUTHORIZED, "%s",
                               given ? "the bearer token is not valid"
                                     : "a bearer token is required");
        return early_reply(rq, rq->has_body);
    }
    int takes_body = (r->flags & (CH_ROUTE_JSON | CH_ROUTE_BODY)) != 0;
    if (rq->has_body && !takes_body) {
        (void)ch_reply_problem(rq, 400, CH_ERR_HTTP_REQUEST, "%s",
                               "this resource takes no request body");
        return early_reply(rq, 1);
    }
    if (rq->has_body) {
        const char *ct =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        const char *accepted = (r->flags & CH_ROUTE_JSON) ? "application/json" : r->media_types;
        if (!ch_media_type_accepted(ct, accepted)) {
            (void)ch_reply_header(rq, "Accept-Post", accepted);
            (void)ch_reply_problem(rq, 415, CH_ERR_HTTP_MEDIA_TYPE,
                                   "Content-Type must be %s (with UTF-8, if a charset is given)",
                                   accepted);
            return early_reply(rq, 1);
        }
        if (cl > 0 && (unsigned long long)cl > s->max_body) {
            (void)ch_reply_problem(rq, 413, CH_ERR_HTTP_TOO_LARGE,
                                   "the body of %lld bytes is over the %zu-byte limit", cl,
                                   s->max_body);
            return early_reply(rq, 1);
        }
        /* Memory for an announced body is taken as it arrives (beyond a first 64 KiB), so
         * connections that announce large bodies and send nothing cost little. */
        if (cl > 0 && body_reserve(rq, cl < (64 << 10) ? (size_t)cl : (size_t)64 << 10,
                                   s->max_body) != DID_OK)
            return MHD_NO;
    }
    return MHD_YES;
}

/* Runs the handler on a complete request and queues its reply. */
static enum MHD_Result dispatch(ch_server *s, ch_request *rq)
{
    const ch_route_entry *r = rq->route;
    if (rq->too_large) {
        (void)ch_reply_problem(rq, 413, CH_ERR_HTTP_TOO_LARGE,
                               "the body is over the %zu-byte limit", s->max_body);
        return ch_reply_queue(rq);
    }
    if ((r->flags & (CH_ROUTE_JSON | CH_ROUTE_BODY)) && rq->body.len == 0 &&
        !(r->flags & CH_ROUTE_BODY_OPTIONAL)) {
        (void)ch_reply_problem(rq, 400, CH_ERR_HTTP_REQUEST, "%s", "a request body is required");
        return ch_reply_queue(rq);
    }
    if ((r->flags & CH_ROUTE_JSON) && rq->body.len > 0) {
        did_err e;
        did_err_clear(&e);
        if (did_json_parse(rq->body.data, rq->body.len, &s->json_limits, &rq->json, &e) != DID_OK) {
            (void)ch_reply_problem(rq, 400, e.code, "%s", e.msg);
            return ch_reply_queue(rq);
        }
    }
    int rc = r->handler(r->user, rq);
    if (!rq->reply.set) {
        int code = rc != DID_OK ? rc : DID_ERR_INTERNAL;
        if (s->error_log != NULL)
            fprintf(s->error_log, "civid-httpd: request %s: %s %s failed: %s\n", rq->id, rq->method,
                    r->pattern, ch_err_name(code));
        (void)ch_reply_problem(rq, 500, code, "%s", "the request could not be completed");
    }
    return ch_reply_queue(rq);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    ch_server *s = cls;
    ch_request *rq = *req_cls;
    (void)version;
    if (rq == NULL)
        return begin(s, conn, url, method, req_cls);
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rq->queued)
            return MHD_YES; /* discarded */
        if (rq->too_large) {
            /* Discarded too, up to as much again as the limit, so that a modest overrun still
             * gets its 413; past that the connection is closed. */
            rq->discarded += n;
            return rq->discarded <= s->max_body ? MHD_YES : MHD_NO;
        }
        if (n > s->max_body - rq->body.len) {
            /* Never buffer past the limit: drop what we have and answer now if libmicrohttpd
             * lets us queue mid-body (0.9.75 does not), else when the body ends. */
            rq->too_large = rq->close_connection = 1;
            rq->discarded = rq->body.len + n - s->max_body;
            did_buf_clear(&rq->body);
            if (ch_reply_problem(rq, 413, CH_ERR_HTTP_TOO_LARGE,
                                 "the body is over the %zu-byte limit", s->max_body) == DID_OK &&
                ch_reply_queue(rq) != MHD_YES)
                ch_reply_state_clear(&rq->reply);
            return rq->discarded <= s->max_body ? MHD_YES : MHD_NO;
        }
        if (body_reserve(rq, n, s->max_body) != DID_OK)
            return MHD_NO;
        memcpy(rq->body.data + rq->body.len, upload_data, n);
        rq->body.len += n;
        rq->body.data[rq->body.len] = '\0';
        return MHD_YES;
    }
    if (rq->queued)
        return MHD_YES;
    return dispatch(s, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ch_server *s = cls;
    ch_request *rq = *req_cls;
    (void)conn;
    if (rq == NULL)
        return;
    *req_cls = NULL;
    uint64_t now = ch_now_us();
    uint64_t dur = now > rq->start_us ? now - rq->start_us : 0;
    ch_metrics_record(s, rq, dur);
    ch_access_log_write(s, rq, dur, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
    json_decref(rq->json);
    did_buf_clear(&rq->body);
    ch_reply_state_clear(&rq->reply);
    free(rq);
    /* Last: ch_server_shutdown waits for this count to reach zero. */
    atomic_fetch_sub(&s->in_flight, 1);
}

/* Paths are matched as sent: a DID in a path keeps its percent-encoding. */
static size_t unescape_none(void *cls, struct MHD_Connection *conn, char *uri)
{
    (void)cls;
    (void)conn;
    return strlen(uri);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    FILE *f = cls;
    if (f == NULL)
        return;
    fputs("civid-httpd: libmicrohttpd: ", f);
    vfprintf(f, fmt, ap);
}

int ch_server_start(ch_server *s, did_err *err)
{
    if (s == NULL || s->daemon != NULL || atomic_load(&s->stopping))
        return did_err_set(err, DID_ERR_ARG, "ch_server_start: NULL, already started or stopped");
    /* poll(), not epoll: with internal threads, MHD_quiesce_daemon on an epoll daemon races
     * with the workers removing the listen socket from their epoll sets, and libmicrohttpd
     * (0.9.75, and later releases) then aborts the process in MHD_PANIC. With poll() the
     * workers are told through the inter-thread channel (MHD_USE_ITC). The thread pool gives
     * the parallelism; connections per worker are few, so poll() costs nothing measurable. */
    unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC;
    if (s->error_log != NULL)
        flags |= MHD_USE_ERROR_LOG;
    if (s->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem opts[16];
    size_t n = 0;
    /* The logger first, so that libmicrohttpd's messages about the other options use it. */
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, s->error_log};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &s->addr};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, s->max_connections, NULL};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->max_per_client, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, s->timeout, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape_none, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL};
    if (s->threads > 1)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, s->threads, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    errno = 0;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (s->daemon == NULL) {
        char want[CH_ADDRESS_MAX];
        ch_addr_format((const struct sockaddr *)&s->addr, want, sizeof want, 1);
        return did_err_set(err, CH_ERR_HTTP_LISTEN, "cannot listen on %s%s%s", want,
                           errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (di == NULL || di->port == 0) {
        MHD_stop_daemon(s->daemon);
        s->daemon = NULL;
        return did_err_set(err, CH_ERR_HTTP_SERVER, "libmicrohttpd did not report its port");
    }
    struct sockaddr_storage bound = s->addr;
    if (bound.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&bound)->sin6_port = htons(di->port);
    else
        ((struct sockaddr_in *)&bound)->sin_port = htons(di->port);
    ch_addr_format((const struct sockaddr *)&bound, s->address, sizeof s->address, 1);
    return DID_OK;
}

const char *ch_server_address(const ch_server *s)
{
    return s != NULL ? s->address : "";
}

int ch_server_stopping(const ch_server *s)
{
    return s != NULL && atomic_load(&((ch_server *)s)->stopping);
}

void ch_server_shutdown(ch_server *s, unsigned drain_ms)
{
    if (s == NULL)
        return;
    atomic_store(&s->stopping, 1);
    if (s->daemon == NULL)
        return;
    /* No new connections from here on; requests already started run to their end. */
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        (void)close(fd);
    uint64_t deadline = ch_now_us() + (uint64_t)drain_ms * 1000u;
    const struct timespec step = {0, 5 * 1000 * 1000};
    while (atomic_load(&s->in_flight) > 0 && ch_now_us() < deadline)
        (void)nanosleep(&step, NULL);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
}

void ch_server_free(ch_server *s)
{
    if (s == NULL)
        return;
    ch_server_shutdown(s, 0);
    free(s);
}

/* ---------------------------------------------------------------------------------------------
 * Request accessors.
 */
const char *ch_request_method(const ch_request *req)
{
    return req->method;
}

const char *ch_request_path(const ch_request *req)
{
    return req->path;
}

const char *ch_request_param(const ch_request *req, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < req->n_params; i++)
        if (req->params[i].name_len == n && memcmp(req->params[i].name, name, n) == 0)
            return req->params[i].value;
    return NULL;
}

const char *ch_request_header(const ch_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const uint8_t *ch_request_body(const ch_request *req, size_t *len)
{
    static const uint8_t empty[1];
    *len = req->body.len;
    return req->body.data != NULL ? req->body.data : empty;
}

const json_t *ch_request_json(const ch_request *req)
{
    return req->json;
}

const char *ch_request_id(const ch_request *req)
{
    return req->id;
}

const char *ch_request_client(const ch_request *req)
{
    return req->client;
}

const ch_server *ch_request_server(const ch_request *req)
{
    return req->server;
}

int ch_request_authorized(const ch_request *req)
{
    return ch_auth_check(req->server, ch_request_header(req, MHD_HTTP_HEADER_AUTHORIZATION));
}
