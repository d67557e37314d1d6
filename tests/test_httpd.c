/*
 * civid_httpd (ch/httpd.h): a real server on 127.0.0.1 (port 0), driven with libcurl.
 * Body limit (exactly at the limit, one byte over, announced and chunked), content types,
 * strict JSON, routing with parameters, 404/405 problems, bearer tokens, request ids, /health,
 * /metrics, the access log, parallel clients, and a shutdown that lets the request in flight
 * finish. Every failure asserts the specific status and problem code.
 */
#include "support.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include <ch/httpd.h>
#include <did/json.h>

#define LIMIT 1024
#define TOKEN "s3cret-Token_42"

typedef struct fixture {
    ch_server *srv;
    FILE *log;
    char base[128];
    ch_metric *things;
} fixture;

static fixture fx;

/* ------------------------------------------------------------------------------------------ */
/* Handlers. */

static int h_echo(void *user, ch_request *req)
{
    ch_metric_add(user, 1);
    const json_t *j = ch_request_json(req);
    return ch_reply_json(req, 200, NULL, json_pack("{s:O?}", "got", (json_t *)j));
}

static int h_raw(void *user, ch_request *req)
{
    (void)user;
    size_t len;
    (void)ch_request_body(req, &len);
    return ch_reply_json(req, 200, NULL, json_pack("{s:I}", "bytes", (json_int_t)len));
}

static int h_item(void *user, ch_request *req)
{
    (void)user;
    return ch_reply_json(req, 200, NULL, json_pack("{s:s}", "id", ch_request_param(req, "id")));
}

static int h_files(void *user, ch_request *req)
{
    (void)user;
    return ch_reply_json(req, 200, NULL, json_pack("{s:s}", "path", ch_request_param(req, "path")));
}

static int h_admin(void *user, ch_request *req)
{
    (void)user;
    return ch_reply_json(req, 200, NULL, json_pack("{s:b}", "ok", 1));
}

static atomic_int slow_entered; /* /slow requests that reached their handler */

static int h_slow(void *user, ch_request *req)
{
    (void)user;
    atomic_fetch_add(&slow_entered, 1);
    const struct timespec t = {0, 400 * 1000 * 1000};
    nanosleep(&t, NULL);
    return ch_reply(req, 200, "text/plain", "done", 4);
}

static int h_fail(void *user, ch_request *req)
{
    (void)user;
    (void)req;
    return DID_ERR_IO;
}

static int64_t gauge_seven(void *user)
{
    (void)user;
    return 7;
}

static ch_server *make_server(FILE *log, ch_metric **things, unsigned per_client)
{
    ch_config cfg;
    ch_server *s = NULL;
    did_err err;
    ch_config_init(&cfg);
    cfg.max_body = LIMIT;
    cfg.threads = 4;
    cfg.max_connections_per_client = per_client;
    cfg.access_log = log;
    cfg.error_log = NULL;
    cfg.server_name = "test";
    t_assert_ok(ch_server_new(&cfg, &s, &err), &err);
    ch_metric *m = NULL;
    t_assert_ok(
        ch_server_add_metric(s, CH_COUNTER, "test_things_total", "Things echoed.", &m, &err), &err);
    t_assert_ok(ch_server_add_gauge_fn(s, "test_seven", "Always seven.", gauge_seven, NULL, &err),
                &err);
    const ch_route routes[] = {
        {.method = "POST",
         .pattern = "/echo",
         .flags = CH_ROUTE_JSON,
         .handler = h_echo,
         .user = m},
        {.method = "POST",
         .pattern = "/raw",
         .flags = CH_ROUTE_BODY,
         .media_types = "application/vc+jwt, application/dc+sd-jwt",
         .handler = h_raw},
        {.method = "GET", .pattern = "/items/{id}", .handler = h_item},
        {.method = "DELETE", .pattern = "/items/{id}", .handler = h_item},
        {.method = "GET", .pattern = "/files/{path*}/did.json", .handler = h_files},
        {.method = "POST",
         .pattern = "/admin",
         .flags = CH_ROUTE_AUTH | CH_ROUTE_JSON | CH_ROUTE_BODY_OPTIONAL,
         .handler = h_admin},
        {.method = "GET", .pattern = "/slow", .handler = h_slow},
        {.method = "GET", .pattern = "/fail", .handler = h_fail},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        t_assert_ok(ch_server_route(s, &routes[i], &err), &err);
    t_assert_ok(ch_server_add_token(s, "other-token", 11, &err), &err);
    t_assert_ok(ch_server_add_token(s, TOKEN, strlen(TOKEN), &err), &err);
    t_assert_ok(ch_server_start(s, &err), &err);
    if (things != NULL)
        *things = m;
    return s;
}

static int setup(void **state)
{
    (void)state;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    fx.log = tmpfile();
    if (fx.log == NULL)
        return -1;
    fx.srv = make_server(fx.log, &fx.things, 64);
    snprintf(fx.base, sizeof fx.base, "http://%s", ch_server_address(fx.srv));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ch_server_free(fx.srv);
    if (fx.log != NULL)
        fclose(fx.log);
    curl_global_cleanup();
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* A small libcurl client. */

typedef struct resp {
    long status;
    did_buf body;
    char request_id[96];
    char content_type[128];
    char allow[128];
    char www_auth[160];
    char connection[32];
} resp;

typedef struct upload {
    const uint8_t *data;
    size_t len, pos;
} upload;

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
    return did_buf_append(user, p, size * n) == DID_OK ? size * n : 0;
}

static void copy_header(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl > 0 && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(out, cap, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *user)
{
    resp *r = user;
    size_t len = size * n;
    copy_header(p, len, "X-Request-Id", r->request_id, sizeof r->request_id);
    copy_header(p, len, "Content-Type", r->content_type, sizeof r->content_type);
    copy_header(p, len, "Allow", r->allow, sizeof r->allow);
    copy_header(p, len, "WWW-Authenticate", r->www_auth, sizeof r->www_auth);
    copy_header(p, len, "Connection", r->connection, sizeof r->connection);
    return len;
}

static size_t on_read(char *p, size_t size, size_t n, void *user)
{
    upload *u = user;
    size_t want = size * n, left = u->len - u->pos;
    if (want > left)
        want = left;
    if (want > 100) /* small pieces, so the body arrives in several chunks */
        want = 100;
    memcpy(p, u->data + u->pos, want);
    u->pos += want;
    return want;
}

#define BODY_NONE ((long)-1)
#define BODY_CHUNKED ((long)-2)

/* Sends one request; returns the curl code. body_len BODY_NONE: no body; BODY_CHUNKED: body
 * (strlen) sent chunked. r->body is initialised here and freed by resp_clear. */
static CURLcode http(const char *base, const char *method, const char *path,
                     const char *const *headers, const char *body, long body_len, resp *r)
{
    char url[4096];
    memset(r, 0, sizeof *r);
    did_buf_init(&r->body);
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *c = curl_easy_init();
    if (c == NULL)
        return CURLE_FAILED_INIT;
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
        hl = curl_slist_append(hl, headers[i]);
    upload up = {(const uint8_t *)body, body != NULL ? strlen(body) : 0, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body_len == BODY_CHUNKED) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    } else if (body_len != BODY_NONE) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    if (did_buf_putc(&r->body, '\0') == DID_OK) /* a C string for the asserts */
        r->body.len--;
    return rc;
}

static void resp_clear(resp *r)
{
    did_buf_clear(&r->body);
}

static void req_ok(const char *method, const char *path, const char *const *headers,
                   const char *body, long len, resp *r)
{
    CURLcode rc = http(fx.base, method, path, headers, body, len, r);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
}

static json_t *body_json(const resp *r)
{
    json_t *j = NULL;
    did_err err;
    t_assert_ok(did_json_parse(r->body.data, r->body.len, NULL, &j, &err), &err);
    return j;
}

/* Asserts an RFC 9457 problem with this status and code. */
static void assert_problem(const resp *r, long status, int code)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld: %s", r->status, status, (const char *)r->body.data);
    assert_string_equal(r->content_type, "application/problem+json");
    json_t *j = body_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
    assert_int_equal(json_integer_value(json_object_get(j, "code")), code);
    assert_string_equal(json_string_value(json_object_get(j, "name")), ch_err_name(code));
    const char *type = json_string_value(json_object_get(j, "type"));
    assert_non_null(type);
    assert_non_null(strstr(type, ch_err_name(code)));
    assert_non_null(json_string_value(json_object_get(j, "title")));
    assert_non_null(json_string_value(json_object_get(j, "detail")));
    json_decref(j);
}

static const char *const json_ct[] = {"Content-Type: application/json", NULL};

/* A JSON document of exactly n bytes: {"a":"xxx..."}. */
static char *json_of_size(size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    assert_true(n >= 8);
    memcpy(s, "{\"a\":\"", 6);
    memset(s + 6, 'x', n - 8);
    memcpy(s + n - 2, "\"}", 2);
    s[n] = '\0';
    return s;
}

/* ------------------------------------------------------------------------------------------ */
/* Tests. */

static void test_config_errors(void **state)
{
    (void)state;
    ch_config cfg;
    ch_server *s = NULL;
    did_err err;
    static const char *const bad[] = {"localhost:80", "127.0.0.1", "127.0.0.1:99999",
                                      "127.0.0.1:8x", "::1:80",    "[127.0.0.1]:80",
                                      "1.2.3:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ch_config_init(&cfg);
        cfg.listen = bad[i];
        t_assert_code(ch_server_new(&cfg, &s, &err), CH_ERR_HTTP_LISTEN, &err);
        assert_null(s);
    }
    ch_config_init(&cfg);
    cfg.threads = 0;
    t_assert_code(ch_server_new(&cfg, &s, &err), DID_ERR_ARG, &err);
    ch_config_init(&cfg);
    cfg.max_connections_per_client = cfg.max_connections + 1;
    t_assert_code(ch_server_new(&cfg, &s, &err), DID_ERR_ARG, &err);

    ch_config_init(&cfg);
    cfg.listen = "[::1]:0";
    t_assert_ok(ch_server_new(&cfg, &s, &err), &err);
    static const char *const bad_patterns[] = {"nope", "/a/{}",    "/{a*}/{b*}",
                                               "/a b", "/{x}/{x}", "/%41"};
    for (size_t i = 0; i < sizeof bad_patterns / sizeof bad_patterns[0]; i++) {
        ch_route r = {.method = "GET", .pattern = bad_patterns[i], .handler = h_item};
        t_assert_code(ch_server_route(s, &r, &err), DID_ERR_ARG, &err);
    }
    ch_route dup = {.method = "GET", .pattern = "/health", .handler = h_item};
    t_assert_code(ch_server_route(s, &dup, &err), DID_ERR_ARG, &err);
    ch_route lower = {.method = "get", .pattern = "/x", .handler = h_item};
    t_assert_code(ch_server_route(s, &lower, &err), DID_ERR_ARG, &err);
    t_assert_code(ch_server_add_token(s, "has space", 9, &err), DID_ERR_ARG, &err);
    t_assert_code(ch_server_add_token(s, "", 0, &err), DID_ERR_ARG, &err);
    t_assert_code(ch_server_add_metric(s, CH_GAUGE, "9bad", "x", NULL, &err), DID_ERR_ARG, &err);
    t_assert_code(ch_server_add_metric(s, CH_GAUGE, "civid_http_mine", "x", NULL, &err),
                  DID_ERR_ARG, &err);
    ch_server_free(s);
}

static void test_health_and_request_id(void **state)
{
    (void)state;
    resp r;
    req_ok("GET", "/health", NULL, NULL, BODY_NONE, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/json");
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    json_decref(j);
    assert_int_equal(strlen(r.request_id), 22); /* 128 random bits, base64url */
    char first[96];
    snprintf(first, sizeof first, "%s", r.request_id);
    resp_clear(&r);
    req_ok("GET", "/health", NULL, NULL, BODY_NONE, &r);
    assert_string_not_equal(first, r.request_id);
    resp_clear(&r);

    const char *const good[] = {"X-Request-Id: trace-42.abc_DEF", NULL};
    req_ok("GET", "/health", good, NULL, BODY_NONE, &r);
    assert_string_equal(r.request_id, "trace-42.abc_DEF");
    resp_clear(&r);
    const char *const evil[] = {"X-Request-Id: \"},{\"injected\":1", NULL};
    req_ok("GET", "/health", evil, NULL, BODY_NONE, &r);
    assert_int_equal(strlen(r.request_id), 22);
    resp_clear(&r);

    req_ok("HEAD", "/health", NULL, NULL, BODY_NONE, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    resp_clear(&r);
}

static void test_body_limit(void **state)
{
    (void)state;
    resp r;
    char *at = json_of_size(LIMIT);
    req_ok("POST", "/echo", json_ct, at, (long)LIMIT, &r);
    assert_int_equal(r.status, 200);
    resp_clear(&r);

    char *over = json_of_size(LIMIT + 1);
    req_ok("POST", "/echo", json_ct, over, (long)LIMIT + 1, &r);
    assert_problem(&r, 413, CH_ERR_HTTP_TOO_LARGE);
    resp_clear(&r);

    /* Chunked: no length announced, the limit is found while reading. */
    req_ok("POST", "/echo", json_ct, at, BODY_CHUNKED, &r);
    assert_int_equal(r.status, 200);
    resp_clear(&r);
    char *more = json_of_size(LIMIT + LIMIT / 2);
    req_ok("POST", "/echo", json_ct, more, BODY_CHUNKED, &r);
    assert_problem(&r, 413, CH_ERR_HTTP_TOO_LARGE);
    resp_clear(&r);
    free(more);
    /* Far past the limit the server stops reading and closes the connection: no 2xx, and
     * nothing buffered beyond the limit either way. */
    char *big = json_of_size(50 * LIMIT);
    CURLcode rc = http(fx.base, "POST", "/echo", json_ct, big, BODY_CHUNKED, &r);
    if (rc == CURLE_OK)
        assert_problem(&r, 413, CH_ERR_HTTP_TOO_LARGE);
    resp_clear(&r);
    free(big);
    free(over);
    free(at);

    /* The server keeps serving. */
    req_ok("POST", "/echo", json_ct, "{\"x\":1}", 7, &r);
    assert_int_equal(r.status, 200);
    resp_clear(&r);
}

static void test_content_type(void **state)
{
    (void)state;
    resp r;
    const char *body = "{\"x\":1}";
    const char *const text[] = {"Content-Type: text/plain", NULL};
    req_ok("POST", "/echo", text, body, 7, &r);
    assert_problem(&r, 415, CH_ERR_HTTP_MEDIA_TYPE);
    resp_clear(&r);
    const char *const latin[] = {"Content-Type: application/json; charset=iso-8859-1", NULL};
    req_ok("POST", "/echo", latin, body, 7, &r);
    assert_problem(&r, 415, CH_ERR_HTTP_MEDIA_TYPE);
    resp_clear(&r);
    const char *const none[] = {"Content-Type:", NULL}; /* curl: remove its default */
    req_ok("POST", "/echo", none, body, 7, &r);
    assert_problem(&r, 415, CH_ERR_HTTP_MEDIA_TYPE);
    resp_clear(&r);
    const char *const utf8[] = {"Content-Type: Application/JSON ; charset=\"UTF-8\"", NULL};
    req_ok("POST", "/echo", utf8, body, 7, &r);
    assert_int_equal(r.status, 200);
    resp_clear(&r);

    /* A raw-body route with its own media types. */
    const char *const jwt[] = {"Content-Type: application/vc+jwt", NULL};
    req_ok("POST", "/raw", jwt, "a.b.c", 5, &r);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "bytes")), 5);
    json_decref(j);
    resp_clear(&r);
    req_ok("POST", "/raw", json_ct, "a.b.c", 5, &r);
    assert_problem(&r, 415, CH_ERR_HTTP_MEDIA_TYPE);
    resp_clear(&r);

    /* A body where none is taken; no body where one is needed. */
    req_ok("DELETE", "/items/1", json_ct, body, 7, &r);
    assert_problem(&r, 400, CH_ERR_HTTP_REQUEST);
    resp_clear(&r);
    req_ok("POST", "/echo", json_ct, "", 0, &r);
    assert_problem(&r, 400, CH_ERR_HTTP_REQUEST);
    resp_clear(&r);
}

static void test_malformed_json(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        int code;
    } cases[] = {
        {"{\"x\":", DID_ERR_JSON_SYNTAX},
        {"{\"x\":1,\"x\":2}", DID_ERR_JSON_DUPLICATE_KEY},
        {"{\"x\":1} trailing", DID_ERR_JSON_SYNTAX},
        {"{\"x\":\"\\ud800\"}", DID_ERR_JSON_UTF8},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
         DID_ERR_JSON_DEPTH},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        resp r;
        req_ok("POST", "/echo", json_ct, cases[i].body, (long)strlen(cases[i].body), &r);
        assert_problem(&r, 400, cases[i].code);
        resp_clear(&r);
    }
}

static void test_routes(void **state)
{
    (void)state;
    resp r;
    req_ok("GET", "/nope", NULL, NULL, BODY_NONE, &r);
    assert_problem(&r, 404, CH_ERR_HTTP_NOT_FOUND);
    resp_clear(&r);
    req_ok("GET", "/health/", NULL, NULL, BODY_NONE, &r);
    assert_problem(&r, 404, CH_ERR_HTTP_NOT_FOUND);
    resp_clear(&r);
    req_ok("POST", "/health", json_ct, "{}", 2, &r);
    assert_problem(&r, 405, CH_ERR_HTTP_METHOD);
    assert_string_equal(r.allow, "GET, HEAD");
    resp_clear(&r);
    req_ok("PUT", "/items/7", NULL, NULL, BODY_NONE, &r);
    assert_problem(&r, 405, CH_ERR_HTTP_METHOD);
    assert_non_null(strstr(r.allow, "DELETE"));
    resp_clear(&r);

    req_ok("GET", "/items/did:key:z6Mk%3Ax", NULL, NULL, BODY_NONE, &r);
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "did:key:z6Mk%3Ax");
    json_decref(j);
    resp_clear(&r);
    req_ok("GET", "/items/", NULL, NULL, BODY_NONE, &r);
    assert_problem(&r, 404, CH_ERR_HTTP_NOT_FOUND);
    resp_clear(&r);
    req_ok("GET", "/files/a/b/c/did.json", NULL, NULL, BODY_NONE, &r);
    assert_int_equal(r.status, 200);
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "path")), "a/b/c");
    json_decref(j);
    resp_clear(&r);
    req_ok("GET", "/files/did.json", NULL, NULL, BODY_NONE, &r);
    assert_problem(&r, 404, CH_ERR_HTTP_NOT_FOUND);
    resp_clear(&r);

    /* A handler error becomes a 500 problem with its code. */
    req_ok("GET", "/fail", NULL, NULL, BODY_NONE, &r);
    assert_problem(&r, 500, DID_ERR_IO);
    resp_clear(&r);
}

static void test_auth(void **state)
{
    (void)state;
    resp r;
    req_ok("POST", "/admin", NULL, NULL, BODY_NONE, &r);
    assert_problem(&r, 401, CH_ERR_HTTP_UNAUTHORIZED);
    assert_string_equal(r.www_auth, "Bearer realm=\"civid\"");
    resp_clear(&r);
    const char *const wrong[] = {"Authorization: Bearer s3cret-Token_43", NULL};
    req_ok("POST", "/admin", wrong, NULL, BODY_NONE, &r);
    assert_problem(&r, 401, CH_ERR_HTTP_UNAUTHORIZED);
    assert_non_null(strstr(r.www_auth, "invalid_token"));
    resp_clear(&r);
    const char *const basic[] = {"Authorization: Basic czNjcmV0", NULL};
    req_ok("POST", "/admin", basic, NULL, BODY_NONE, &r);
    assert_problem(&r, 401, CH_ERR_HTTP_UNAUTHORIZED);
    resp_clear(&r);
    const char *const prefix[] = {"Authorization: Bearer s3cret-Token_4", NULL};
    req_ok("POST", "/admin", prefix, NULL, BODY_NONE, &r);
    assert_problem(&r, 401, CH_ERR_HTTP_UNAUTHORIZED);
    resp_clear(&r);
    /* A refused request with a body is answered before the body is read. */
    const char *const wrong_json[] = {"Authorization: Bearer nope",
                                      "Content-Type: application/json", NULL};
    req_ok("POST", "/admin", wrong_json, "{\"a\":1}", 7, &r);
    assert_problem(&r, 401, CH_ERR_HTTP_UNAUTHORIZED);
    resp_clear(&r);

    const char *const right[] = {"Authorization: Bearer " TOKEN, NULL};
    req_ok("POST", "/admin", right, NULL, BODY_NONE, &r);
    assert_int_equal(r.status, 200);
    resp_clear(&r);
    const char *const lower[] = {"Authorization: bearer " TOKEN, "Content-Type: application/json",
                                 NULL};
    req_ok("POST", "/admin", lower, "{\"a\":1}", 7, &r);
    assert_int_equal(r.status, 200);
    resp_clear(&r);
}

typedef struct worker {
    const char *base;
    int n, ok;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < w->n; i++) {
        resp r;
        char body[64];
        snprintf(body, sizeof body, "{\"i\":%d}", i);
        if (http(w->base, "POST", "/echo", json_ct, body, (long)strlen(body), &r) == CURLE_OK &&
            r.status == 200 && strstr((const char *)r.body.data, body) != NULL)
            w->ok++;
        resp_clear(&r);
    }
    return NULL;
}

static void test_concurrency(void **state)
{
    (void)state;
    enum { N = 8, PER = 25 };
    pthread_t t[N];
    worker w[N];
    int64_t before = ch_metric_get(fx.things);
    for (int i = 0; i < N; i++) {
        w[i] = (worker){fx.base, PER, 0};
        assert_int_equal(pthread_create(&t[i], NULL, run_worker, &w[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].ok, PER);
    }
    assert_int_equal(ch_metric_get(fx.things) - before, N * PER);
}

static void test_metrics(void **state)
{
    (void)state;
    resp r;
    req_ok("GET", "/metrics", NULL, NULL, BODY_NONE, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/plain; version=0.0.4"));
    const char *m = (const char *)r.body.data;
    static const char *const lines[] = {
        "# TYPE civid_http_requests_total counter\n",
        "civid_http_requests_total{method=\"POST\",route=\"/echo\",class=\"2xx\"} ",
        "civid_http_requests_total{method=\"POST\",route=\"/echo\",class=\"4xx\"} ",
        "civid_http_requests_total{method=\"-\",route=\"unmatched\",class=\"4xx\"} ",
        "# TYPE civid_http_requests_in_flight gauge\ncivid_http_requests_in_flight ",
        "# TYPE civid_http_request_duration_seconds histogram\n",
        "civid_http_request_duration_seconds_bucket{le=\"0.001\"} ",
        "civid_http_request_duration_seconds_bucket{le=\"+Inf\"} ",
        "civid_http_request_duration_seconds_sum ",
        "civid_http_request_duration_seconds_count ",
        ("# HELP test_things_total Things echoed.\n# TYPE test_things_total counter\n"
         "test_things_total "),
        "# TYPE test_seven gauge\ntest_seven 7\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (strstr(m, lines[i]) == NULL)
            fail_msg("/metrics lacks '%s':\n%s", lines[i], m);
    /* Every line is a comment or "name{labels} value". */
    for (const char *p = m; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        if (*p != '#') {
            const char *sp = memchr(p, ' ', (size_t)(nl - p));
            assert_non_null(sp);
            char *end;
            (void)strtod(sp + 1, &end);
            assert_ptr_equal(end, nl);
        }
        p = nl + 1;
    }
    resp_clear(&r);
}

static void test_access_log(void **state)
{
    (void)state;
    resp r;
    const char *const right[] = {"Authorization: Bearer " TOKEN, "X-Request-Id: log-check-1", NULL};
    req_ok("POST", "/admin", right, NULL, BODY_NONE, &r);
    assert_int_equal(r.status, 200);
    resp_clear(&r);
    /* The line is written when the request completes, just after the response: wait for it. */
    char *text = NULL;
    for (int tries = 0; tries < 200; tries++) {
        fflush(fx.log);
        long size = ftell(fx.log);
        assert_true(size > 0);
        free(text);
        text = calloc(1, (size_t)size + 1);
        assert_non_null(text);
        rewind(fx.log);
        assert_int_equal(fread(text, 1, (size_t)size, fx.log), (size_t)size);
        fseek(fx.log, 0, SEEK_END);
        if (strstr(text, "log-check-1") != NULL)
            break;
        const struct timespec t = {0, 10 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    assert_non_null(strstr(text, "\"id\":\"log-check-1\""));
    assert_null(strstr(text, TOKEN));
    assert_null(strstr(text, "injected"));
    size_t lines = 0;
    for (char *line = text, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        json_t *j = NULL;
        did_err err;
        t_assert_ok(did_json_parse(line, (size_t)(nl - line), NULL, &j, &err), &err);
        static const char *const keys[] = {"time",   "id",    "method",      "path",
                                           "status", "bytes", "duration_us", "client"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (json_object_get(j, keys[k]) == NULL)
                fail_msg("log line lacks %s: %.*s", keys[k], (int)(nl - line), line);
        assert_string_equal(json_string_value(json_object_get(j, "client")), "127.0.0.1");
        json_decref(j);
        lines++;
    }
    assert_true(lines > 20);
    free(text);
}

typedef struct slow_call {
    const char *base;
    CURLcode rc;
    long status;
    char body[16];
} slow_call;

static void *run_slow(void *arg)
{
    slow_call *sc = arg;
    resp r;
    sc->rc = http(sc->base, "GET", "/slow", NULL, NULL, BODY_NONE, &r);
    sc->status = r.status;
    snprintf(sc->body, sizeof sc->body, "%s", r.body.data != NULL ? (char *)r.body.data : "");
    resp_clear(&r);
    return NULL;
}

static void test_shutdown_in_flight(void **state)
{
    (void)state;
    ch_server *s = make_server(NULL, NULL, 64);
    char base[128];
    snprintf(base, sizeof base, "http://%s", ch_server_address(s));
    slow_call sc = {base, CURLE_OK, 0, ""};
    pthread_t t;
    atomic_store(&slow_entered, 0);
    assert_int_equal(pthread_create(&t, NULL, run_slow, &sc), 0);
    /* Shut down once the request is inside its handler (waiting at most 10 s for that). */
    for (int i = 0; i < 1000 && atomic_load(&slow_entered) == 0; i++) {
        const struct timespec wait = {0, 10 * 1000 * 1000};
        nanosleep(&wait, NULL);
    }
    assert_int_equal(atomic_load(&slow_entered), 1);
    ch_server_shutdown(s, 5000);
    assert_true(ch_server_stopping(s));
    pthread_join(t, NULL);
    assert_int_equal(sc.rc, CURLE_OK);
    assert_int_equal(sc.status, 200);
    assert_string_equal(sc.body, "done");
    /* Nothing listens any more. */
    resp r;
    assert_int_not_equal(http(base, "GET", "/health", NULL, NULL, BODY_NONE, &r), CURLE_OK);
    resp_clear(&r);
    ch_server_shutdown(s, 0); /* idempotent */
    ch_server_free(s);
}

/* Three slow requests at once from one address, with a limit of two connections per client:
 * two are served, the third connection is refused. */
static void test_per_client_limit(void **state)
{
    (void)state;
    ch_server *s = make_server(NULL, NULL, 2);
    char base[128];
    snprintf(base, sizeof base, "http://%s", ch_server_address(s));
    enum { N = 3 };
    slow_call sc[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        sc[i] = (slow_call){base, CURLE_OK, 0, ""};
        assert_int_equal(pthread_create(&t[i], NULL, run_slow, &sc[i]), 0);
    }
    int served = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        if (sc[i].rc == CURLE_OK && sc[i].status == 200)
            served++;
    }
    assert_int_equal(served, 2);
    /* Once they are done (and the server has seen their connections close, which may take a
     * moment), the client is served again. */
    slow_call again = {base, CURLE_OK, 0, ""};
    for (int tries = 0; tries < 50 && again.status != 200; tries++) {
        const struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
        run_slow(&again);
    }
    assert_int_equal(again.status, 200);
    ch_server_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_health_and_request_id),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_access_log),
        cmocka_unit_test(test_shutdown_in_flight),
        cmocka_unit_test(test_per_client_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
