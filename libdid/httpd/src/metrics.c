/* Metrics kept in the server object (atomics, no locks) and their Prometheus text exposition
 * (format 0.0.4), plus the /health document. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Upper bounds of the duration histogram, in microseconds. */
static const uint64_t bucket_us[CH_N_BUCKETS] = {
    100,   250,    500,    1000,   2500,    5000,    10000,   25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};
static const char *const bucket_le[CH_N_BUCKETS] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
    "0.05",   "0.1",     "0.25",   "0.5",   "1",      "2.5",   "5",    "10",
};
static const char *const class_names[CH_N_CLASSES] = {"1xx", "2xx", "3xx", "4xx", "5xx", "none"};

static int metric_name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len >= CH_METRIC_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

static int add_metric(ch_server *s, ch_metric_kind kind, const char *name, const char *help,
                      ch_gauge_fn fn, void *user, ch_metric **out, did_err *err)
{
    if (s == NULL || name == NULL || s->daemon != NULL)
        return did_err_set(err, DID_ERR_ARG, "add_metric: NULL argument, or server started");
    if (kind != CH_COUNTER && kind != CH_GAUGE)
        return did_err_set(err, DID_ERR_ARG, "add_metric: unknown kind");
    if (!metric_name_ok(name))
        return did_err_set(err, DID_ERR_ARG, "metric name '%.60s' is not [a-zA-Z_:][a-zA-Z0-9_:]*",
                           name);
    if (help == NULL)
        help = "";
    if (strlen(help) >= CH_METRIC_HELP_MAX || strpbrk(help, "\n\\") != NULL)
        return did_err_set(err, DID_ERR_ARG, "metric %s: help text too long or has '\\n', '\\'",
                           name);
    if (strncmp(name, "civid_http_", 11) == 0)
        return did_err_set(err, DID_ERR_ARG, "metric %s: civid_http_ is the server's own prefix",
                           name);
    for (size_t i = 0; i < s->n_metrics; i++)
        if (strcmp(s->metrics[i].name, name) == 0)
            return did_err_set(err, DID_ERR_ARG, "metric %s registered twice", name);
    if (s->n_metrics == CH_MAX_METRICS)
        return did_err_set(err, DID_ERR_LIMIT, "more than %d metrics", CH_MAX_METRICS);
    ch_metric *m = &s->metrics[s->n_metrics++];
    m->kind = kind;
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->help, sizeof m->help, "%s", help);
    atomic_init(&m->value, 0);
    m->fn = fn;
    m->user = user;
    if (out != NULL)
        *out = m;
    return DID_OK;
}

int ch_server_add_metric(ch_server *s, ch_metric_kind kind, const char *name, const char *help,
                         ch_metric **out, did_err *err)
{
    return add_metric(s, kind, name, help, NULL, NULL, out, err);
}

int ch_server_add_gauge_fn(ch_server *s, const char *name, const char *help, ch_gauge_fn fn,
                           void *user, did_err *err)
{
    if (fn == NULL)
        return did_err_set(err, DID_ERR_ARG, "add_gauge_fn: NULL function");
    return add_metric(s, CH_GAUGE, name, help, fn, user, NULL, err);
}

void ch_metric_add(ch_metric *m, int64_t delta)
{
    if (m != NULL)
        atomic_fetch_add_explicit(&m->value, delta, memory_order_relaxed);
}

void ch_metric_set(ch_metric *m, int64_t value)
{
    if (m != NULL)
        atomic_store_explicit(&m->value, value, memory_order_relaxed);
}

int64_t ch_metric_get(const ch_metric *m)
{
    return m != NULL ? (int64_t)atomic_load_explicit(&m->value, memory_order_relaxed) : 0;
}

void ch_metrics_record(ch_server *s, ch_request *req, uint64_t duration_us)
{
    size_t cls = CH_N_CLASSES - 1;
    if (req->queued && req->status >= 100 && req->status < 600)
        cls = req->status / 100 - 1;
    ch_route_stats *st = req->route != NULL ? &req->route->stats : &s->unmatched;
    atomic_fetch_add_explicit(&st->by_class[cls], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < CH_N_BUCKETS && duration_us > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&s->duration_buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->duration_sum_us, duration_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->duration_count, 1, memory_order_relaxed);
}

/* Label value escaping of the text format: backslash, double quote and line feed. */
static int put_label(did_buf *b, const char *v)
{
    for (; *v != '\0'; v++) {
        int rc = *v == '\\'   ? did_buf_append_str(b, "\\\\")
                 : *v == '"'  ? did_buf_append_str(b, "\\\"")
                 : *v == '\n' ? did_buf_append_str(b, "\\n")
                              : did_buf_putc(b, *v);
        if (rc != DID_OK)
            return rc;
    }
    return DID_OK;
}

static int put_route_counts(did_buf *b, const char *method, const char *route,
                            const ch_route_stats *st)
{
    int rc = DID_OK;
    for (size_t c = 0; c < CH_N_CLASSES && rc == DID_OK; c++) {
        uint64_t v = atomic_load_explicit(&st->by_class[c], memory_order_relaxed);
        if (v == 0)
            continue;
        rc = did_buf_append_str(b, "civid_http_requests_total{method=\"");
        if (rc == DID_OK)
            rc = put_label(b, method);
        if (rc == DID_OK)
            rc = did_buf_append_str(b, "\",route=\"");
        if (rc == DID_OK)
            rc = put_label(b, route);
        if (rc == DID_OK)
            rc = did_buf_printf(b, "\",class=\"%s\"} %" PRIu64 "\n", class_names[c], v);
    }
    return rc;
}

static int exposition(ch_server *s, did_buf *b)
{
    int rc = did_buf_append_str(b, "# HELP civid_http_requests_total HTTP requests by method, "
                                   "route and status class.\n"
                                   "# TYPE civid_http_requests_total counter\n");
    for (size_t i = 0; i < s->n_routes && rc == DID_OK; i++)
        rc =
            put_route_counts(b, s->routes[i].method, s->routes[i].metric_name, &s->routes[i].stats);
    if (rc == DID_OK)
        rc = put_route_counts(b, "-", "unmatched", &s->unmatched);
    if (rc == DID_OK)
        rc = did_buf_printf(b,
                            "# HELP civid_http_requests_in_flight HTTP requests being served.\n"
                            "# TYPE civid_http_requests_in_flight gauge\n"
                            "civid_http_requests_in_flight %" PRIdFAST64 "\n",
                            atomic_load(&s->in_flight));
    if (rc == DID_OK)
        rc = did_buf_append_str(b, "# HELP civid_http_request_duration_seconds Time from the "
                                   "request's headers to the response's last byte.\n"
                                   "# TYPE civid_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; i < CH_N_BUCKETS && rc == DID_OK; i++) {
        cum += atomic_load_explicit(&s->duration_buckets[i], memory_order_relaxed);
        rc =
            did_buf_printf(b, "civid_http_request_duration_seconds_bucket{le=\"%s\"} %" PRIu64 "\n",
                           bucket_le[i], cum);
    }
    cum += atomic_load_explicit(&s->duration_buckets[CH_N_BUCKETS], memory_order_relaxed);
    uint64_t sum = atomic_load_explicit(&s->duration_sum_us, memory_order_relaxed);
    /* The count is the +Inf bucket's, so the exposition is consistent even while requests
     * complete during the scrape. */
    if (rc == DID_OK)
        rc = did_buf_printf(b,
                            "civid_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
                            "civid_http_request_duration_seconds_sum %" PRIu64 ".%06" PRIu64 "\n"
                            "civid_http_request_duration_seconds_count %" PRIu64 "\n",
                            cum, sum / 1000000u, sum % 1000000u, cum);
    for (size_t i = 0; i < s->n_metrics && rc == DID_OK; i++) {
        ch_metric *m = &s->metrics[i];
        int64_t v = m->fn != NULL ? m->fn(m->user) : ch_metric_get(m);
        rc = did_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRId64 "\n", m->name, m->help,
                            m->name, m->kind == CH_COUNTER ? "counter" : "gauge", m->name, v);
    }
    return rc;
}

int ch_metrics_handler(void *user, ch_request *req)
{
    ch_server *s = user;
    did_buf b;
    did_buf_init(&b);
    int rc = exposition(s, &b);
    if (rc == DID_OK)
        rc = ch_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
    did_buf_clear(&b);
    return rc;
}

int ch_health_handler(void *user, ch_request *req)
{
    ch_server *s = user;
    json_t *j = json_pack("{s:s, s:s}", "status", atomic_load(&s->stopping) ? "stopping" : "ok",
                          "service", s->server_name);
    if (j == NULL)
        return DID_ERR_NOMEM;
    return ch_reply_json(req, atomic_load(&s->stopping) ? 503 : 200, NULL, j);
}
