/*
 * http_stub.h -- a tiny HTTP server for tests, on libmicrohttpd, listening on 127.0.0.1 on a
 * port the kernel picks. The test supplies one function that decides each reply from the
 * request path (and the "q" query argument and the Accept header). A thread per connection,
 * so a reply that sleeps (timeout tests) does not hold up the others.
 *
 * Header-only (static inline) so that each test program that serves HTTP includes it and
 * links PkgConfig::MHD; nothing else in the test suite depends on it.
 */
#ifndef CIVID_HTTP_STUB_H
#define CIVID_HTTP_STUB_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

typedef struct stub_reply {
    unsigned status;           /* default 200 */
    const char *content_type;  /* NULL: no Content-Type header */
    const char *cache_control; /* NULL: none */
    const char *location;      /* NULL: none */
    const char *body;          /* copied; NULL with len 0: empty */
    size_t len;
    int chunked;       /* send without Content-Length (chunked encoding) */
    unsigned sleep_ms; /* wait this long before replying */
} stub_reply;

/* Fills r for a request of path (no query), q (the "q" argument or NULL) and accept (the
 * Accept header or NULL). Runs on the server's threads. */
typedef void (*stub_fn)(void *user, const char *path, const char *q, const char *accept,
                        stub_reply *r);

typedef struct stub_server {
    struct MHD_Daemon *d;
    unsigned short port;
    stub_fn fn;
    void *user;
} stub_server;

typedef struct stub_stream {
    char *data;
    size_t len, pos;
} stub_stream;

static inline ssize_t stub_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stub_stream *s = cls;
    (void)pos;
    if (s->pos >= s->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = s->len - s->pos;
    if (n > max)
        n = max;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

static inline void stub_stream_free(void *cls)
{
    stub_stream *s = cls;
    free(s->data);
    free(s);
}

static inline enum MHD_Result stub_handle(void *cls, struct MHD_Connection *c, const char *url,
                                          const char *method, const char *version,
                                          const char *upload, size_t *upload_len, void **state)
{
    stub_server *srv = cls;
    stub_reply r;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    (void)version;
    (void)upload;
    (void)upload_len;
    (void)state;

    if (strcmp(method, "GET") != 0)
        return MHD_NO;
    memset(&r, 0, sizeof r);
    r.status = 200;
    srv->fn(srv->user, url, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q"),
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"), &r);
    if (r.sleep_ms > 0) {
        struct timespec ts = {(time_t)(r.sleep_ms / 1000), (long)(r.sleep_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (r.chunked) {
        stub_stream *s = calloc(1, sizeof *s);
        if (s == NULL)
            return MHD_NO;
        s->data = malloc(r.len > 0 ? r.len : 1);
        if (s->data == NULL) {
            free(s);
            return MHD_NO;
        }
        if (r.len > 0)
            memcpy(s->data, r.body, r.len);
        s->len = r.len;
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stub_read, s,
                                                 stub_stream_free);
        if (resp == NULL) {
            stub_stream_free(s);
            return MHD_NO;
        }
    } else {
        resp = MHD_create_response_from_buffer(r.len, (void *)(r.body != NULL ? r.body : ""),
                                               MHD_RESPMEM_MUST_COPY);
        if (resp == NULL)
            return MHD_NO;
    }
    if ((r.content_type != NULL &&
         MHD_add_response_header(resp, "Content-Type", r.content_type) != MHD_YES) ||
        (r.cache_control != NULL &&
         MHD_add_response_header(resp, "Cache-Control", r.cache_control) != MHD_YES) ||
        (r.location != NULL && MHD_add_response_header(resp, "Location", r.location) != MHD_YES)) {
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    ret = MHD_queue_response(c, r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Starts the server; 0 on success (s->port set), -1 on failure. */
static inline int stub_start(stub_server *s, stub_fn fn, void *user)
{
    struct sockaddr_in a;
    const union MHD_DaemonInfo *info;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = 0;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->fn = fn;
    s->user = user;
    s->d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, stub_handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (s->d == NULL)
        return -1;
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        MHD_stop_daemon(s->d);
        s->d = NULL;
        return -1;
    }
    s->port = (unsigned short)info->port;
    return 0;
}

static inline void stub_stop(stub_server *s)
{
    if (s->d != NULL)
        MHD_stop_daemon(s->d);
    s->d = NULL;
}

#endif
