/*
 * The HTTPS fetcher (did/fetch.h) against a real HTTP server on 127.0.0.1 (tests/http_stub.h),
 * with the loopback-http option: success, the size cap (Content-Length and chunked), timeouts,
 * status codes, redirects off https, URL policy, media types, the cache (hits, expiry,
 * Cache-Control bounds, LRU bound, concurrency), and the status list glue with real signed
 * lists. Nothing is mocked; nothing leaves the machine.
 */
#include "support.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <did/di.h>
#include <did/did.h>
#include <did/fetch.h>
#include <did/status.h>

#include "http_stub.h"

static stub_server srv;
static atomic_int n_count, n_nocc, n_cc;
static char big[8192];

/* Status list served at /status/1 (set by the test). */
static pthread_mutex_t list_mu = PTHREAD_MUTEX_INITIALIZER;
static char *list_body;

static void handler(void *user, const char *path, const char *q, const char *accept, stub_reply *r)
{
    static char location[128];
    (void)user;
    r->content_type = "application/json";
    if (strcmp(path, "/ok") == 0) {
        r->body = "{\"ok\":true}";
        r->len = strlen(r->body);
    } else if (strcmp(path, "/accept") == 0) {
        r->content_type = "text/plain";
        r->body = accept != NULL ? accept : "";
        r->len = strlen(r->body);
    } else if (strncmp(path, "/bytes/", 7) == 0 || strncmp(path, "/chunked/", 9) == 0) {
        size_t n = strtoul(strchr(path + 1, '/') + 1, NULL, 10);
        r->body = big;
        r->len = n < sizeof big ? n : sizeof big;
        r->chunked = path[1] == 'c';
    } else if (strcmp(path, "/sleep") == 0) {
        r->sleep_ms = 2000;
        r->body = "{}";
        r->len = 2;
    } else if (strcmp(path, "/404") == 0) {
        r->status = 404;
        r->body = "not found";
        r->len = strlen(r->body);
    } else if (strcmp(path, "/500") == 0) {
        r->status = 500;
    } else if (strcmp(path, "/redir-http") == 0) {
        snprintf(location, sizeof location, "http://127.0.0.1:%u/ok", (unsigned)srv.port);
        r->status = 302;
        r->location = location;
    } else if (strcmp(path, "/redir-relative") == 0) {
        r->status = 301;
        r->location = "/ok";
    } else if (strcmp(path, "/count") == 0) {
        atomic_fetch_add(&n_count, 1);
        r->cache_control = "public, max-age=1";
        r->body = "{\"n\":1}";
        r->len = strlen(r->body);
    } else if (strcmp(path, "/nocc") == 0) {
        atomic_fetch_add(&n_nocc, 1);
        r->body = "{}";
        r->len = 2;
    } else if (strcmp(path, "/cc") == 0) {
        /* Cache-Control taken from the query: /cc?q=no-store */
        atomic_fetch_add(&n_cc, 1);
        r->cache_control = q;
        r->body = "{}";
        r->len = 2;
    } else if (strcmp(path, "/html") == 0) {
        r->content_type = "text/html; charset=utf-8";
        r->body = "<p>";
        r->len = 3;
    } else if (strcmp(path, "/typed") == 0) {
        r->content_type = "Application/DID+JSON ; charset=UTF-8";
        r->body = "{}";
        r->len = 2;
    } else if (strcmp(path, "/untyped") == 0) {
        r->content_type = NULL;
        r->body = "{}";
        r->len = 2;
    } else if (strcmp(path, "/status/1") == 0) {
        pthread_mutex_lock(&list_mu);
        static char copy[65536];
        size_t n = list_body != NULL ? strlen(list_body) : 0;
        if (n >= sizeof copy)
            n = 0;
        memcpy(copy, list_body != NULL ? list_body : "", n);
        pthread_mutex_unlock(&list_mu);
        r->content_type = "application/vc";
        r->body = copy; /* one request at a time in these tests */
        r->len = n;
    } else {
        r->status = 404;
    }
}

static int setup(void **state)
{
    (void)state;
    memset(big, 'a', sizeof big);
    return stub_start(&srv, handler, NULL);
}

static int teardown(void **state)
{
    (void)state;
    stub_stop(&srv);
    free(list_body);
    return 0;
}

static const char *U(const char *path)
{
    static char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)srv.port, path);
    return url;
}

static did_fetcher *new_fetcher(void (*tweak)(did_fetch_opts *))
{
    did_fetch_opts o;
    did_fetcher *f = NULL;
    did_err err;
    did_fetch_opts_init(&o);
    o.allow_http_loopback = 1;
    if (tweak != NULL)
        tweak(&o);
    t_assert_ok(did_fetcher_new(&o, &f, &err), &err);
    return f;
}

static int get(did_fetcher *f, const char *url, const char *accept, const char *const *types,
               size_t max_bytes, did_fetch_resp *resp, did_err *err)
{
    did_fetch_req req = {.url = url, .accept = accept, .types = types, .max_bytes = max_bytes};
    return did_fetch(f, &req, resp, err);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------------------------------- */

static void test_success(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(NULL);
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    t_assert_ok(get(f, U("/ok"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, strlen("{\"ok\":true}"));
    assert_memory_equal(r.body.data, "{\"ok\":true}", r.body.len);
    assert_string_equal(r.content_type, "application/json");
    assert_int_equal(r.from_cache, 0);

    /* The Accept header goes out as given. */
    t_assert_ok(get(f, U("/accept"), "application/did+json, application/json", NULL, 0, &r, &err),
                &err);
    assert_int_equal(r.body.len, strlen("application/did+json, application/json"));
    assert_memory_equal(r.body.data, "application/did+json, application/json", r.body.len);
    assert_string_equal(r.content_type, "text/plain");

    /* A relative redirect on loopback http stays http: refused (redirects only to https). */
    t_assert_code(get(f, U("/redir-relative"), NULL, NULL, 0, &r, &err), DID_ERR_FETCH_SCHEME,
                  &err);
    assert_int_equal(r.body.len, 0);

    /* Media type normalised: lower case, parameters dropped. */
    t_assert_ok(get(f, U("/typed"), NULL, NULL, 0, &r, &err), &err);
    assert_string_equal(r.content_type, "application/did+json");

    did_fetch_resp_clear(&r);
    did_fetcher_free(f);
}

static void cap_1000(did_fetch_opts *o)
{
    o->max_bytes = 1000;
    o->cache_entries = 0;
}

static void test_size_cap(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(cap_1000);
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    /* Exactly the cap passes, one byte more fails: with Content-Length ... */
    t_assert_ok(get(f, U("/bytes/1000"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.body.len, 1000);
    t_assert_code(get(f, U("/bytes/1001"), NULL, NULL, 0, &r, &err), DID_ERR_LIMIT, &err);
    assert_non_null(strstr(err.msg, "1000 bytes"));
    assert_int_equal(r.body.len, 0);
    /* ... and chunked, where only the running count can tell. */
    t_assert_ok(get(f, U("/chunked/1000"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.body.len, 1000);
    t_assert_code(get(f, U("/chunked/1001"), NULL, NULL, 0, &r, &err), DID_ERR_LIMIT, &err);
    t_assert_code(get(f, U("/chunked/8000"), NULL, NULL, 0, &r, &err), DID_ERR_LIMIT, &err);
    assert_int_equal(r.body.len, 0);
    /* A per-request cap only lowers the fetcher's. */
    t_assert_code(get(f, U("/bytes/100"), NULL, NULL, 99, &r, &err), DID_ERR_LIMIT, &err);
    t_assert_ok(get(f, U("/bytes/100"), NULL, NULL, 100, &r, &err), &err);
    t_assert_code(get(f, U("/bytes/1001"), NULL, NULL, 5000, &r, &err), DID_ERR_LIMIT, &err);
    /* Empty bodies are fine. */
    t_assert_ok(get(f, U("/bytes/0"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.body.len, 0);

    did_fetch_resp_clear(&r);
    did_fetcher_free(f);
}

static void short_timeout(did_fetch_opts *o)
{
    o->timeout_ms = 300;
    o->connect_timeout_ms = 300;
}

static void test_timeout(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(short_timeout);
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    double t0 = now_s();
    t_assert_code(get(f, U("/sleep"), NULL, NULL, 0, &r, &err), DID_ERR_FETCH, &err);
    double dt = now_s() - t0;
    assert_true(dt < 1.5); /* the server sleeps 2 s; we gave up after 0.3 s */
    assert_non_null(strstr(err.msg, "timed out"));

    /* Nothing listens on this port: a connection failure, also DID_ERR_FETCH. */
    t_assert_code(get(f, "http://127.0.0.1:1/x", NULL, NULL, 0, &r, &err), DID_ERR_FETCH, &err);

    did_fetch_resp_clear(&r);
    did_fetcher_free(f);
}

static void test_status(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(NULL);
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    t_assert_code(get(f, U("/404"), NULL, NULL, 0, &r, &err), DID_ERR_FETCH_STATUS, &err);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.body.len, 0);
    assert_non_null(strstr(err.msg, "404"));
    t_assert_code(get(f, U("/500"), NULL, NULL, 0, &r, &err), DID_ERR_FETCH_STATUS, &err);
    assert_int_equal(r.status, 500);
    /* Failures are not cached: the same URL fails again, from the server. */
    t_assert_code(get(f, U("/404"), NULL, NULL, 0, &r, &err), DID_ERR_FETCH_STATUS, &err);

    did_fetch_resp_clear(&r);
    did_fetcher_free(f);
}

static void no_redirects(did_fetch_opts *o)
{
    o->max_redirects = 0;
}

static void test_redirects(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(NULL);
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    /* A redirect to http is refused even to loopback, even with loopback http allowed. */
    t_assert_code(get(f, U("/redir-http"), NULL, NULL, 0, &r, &err), DID_ERR_FETCH_SCHEME, &err);
    assert_non_null(strstr(err.msg, "redirect"));
    did_fetcher_free(f);

    /* max_redirects 0: any redirect is over the limit. */
    f = new_fetcher(no_redirects);
    t_assert_code(get(f, U("/redir-relative"), NULL, NULL, 0, &r, &err), DID_ERR_LIMIT, &err);
    assert_non_null(strstr(err.msg, "redirects"));
    did_fetch_resp_clear(&r);
    did_fetcher_free(f);
}

static void https_only(did_fetch_opts *o)
{
    o->allow_http_loopback = 0;
}

static void test_url_policy(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(NULL);
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    /* http to anything but loopback: refused before any connection (and so at once). */
    static const char *const refused[] = {
        "http://example.com/x",
        "http://10.0.0.1/x",
        "http://127.0.0.1.nip.io/x",
        "http://localhost.example.com/x",
        "http://[::2]/x",
        "http://128.0.0.1/x",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "gopher://127.0.0.1/x",
        "https://user:secret@example.com/x",
        "https://user@example.com/x",
        "example.com/x",
        "/relative",
        "https://",
        "https://exa mple.com/",
        "not a url",
    };
    double t0 = now_s();
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int rc = get(f, refused[i], NULL, NULL, 0, &r, &err);
        if (rc != DID_ERR_FETCH_SCHEME)
            fail_msg("%s: expected DID_ERR_FETCH_SCHEME, got %s: %s", refused[i], did_err_name(rc),
                     err.msg);
        assert_null(strstr(err.msg, "secret")); /* never echo credentials */
    }
    assert_true(now_s() - t0 < 1.0);

    /* Loopback spellings accepted with the option. */
    t_assert_ok(get(f, U("/ok"), NULL, NULL, 0, &r, &err), &err);
    char url[128];
    snprintf(url, sizeof url, "http://localhost:%u/ok", (unsigned)srv.port);
    t_assert_ok(get(f, url, NULL, NULL, 0, &r, &err), &err);

    /* Bad arguments. */
    did_fetch_req req = {.url = ""};
    t_assert_code(did_fetch(f, &req, &r, &err), DID_ERR_ARG, &err);
    t_assert_code(did_fetch(f, NULL, &r, &err), DID_ERR_ARG, &err);
    t_assert_code(did_fetch(NULL, &req, &r, &err), DID_ERR_ARG, &err);
    char *longurl = malloc(DID_FETCH_URL_MAX + 32);
    assert_non_null(longurl);
    memcpy(longurl, "https://example.com/", 20);
    memset(longurl + 20, 'a', DID_FETCH_URL_MAX);
    longurl[DID_FETCH_URL_MAX + 20] = '\0';
    req.url = longurl;
    t_assert_code(did_fetch(f, &req, &r, &err), DID_ERR_ARG, &err);
    free(longurl);
    req.url = U("/accept");
    req.accept = "a\r\nX-Injected: 1";
    t_assert_code(did_fetch(f, &req, &r, &err), DID_ERR_ARG, &err);
    did_fetcher_free(f);

    /* Without the option even loopback http is refused. */
    f = new_fetcher(https_only);
    assert_int_equal(did_fetcher_allows_http_loopback(f), 0);
    t_assert_code(get(f, U("/ok"), NULL, NULL, 0, &r, &err), DID_ERR_FETCH_SCHEME, &err);
    did_fetch_resp_clear(&r);
    did_fetcher_free(f);

    /* Option bounds. */
    did_fetch_opts o;
    did_fetcher *g = NULL;
    did_fetch_opts_init(&o);
    o.max_bytes = 0;
    t_assert_code(did_fetcher_new(&o, &g, &err), DID_ERR_ARG, &err);
    did_fetch_opts_init(&o);
    o.timeout_ms = 0;
    t_assert_code(did_fetcher_new(&o, &g, &err), DID_ERR_ARG, &err);
    did_fetch_opts_init(&o);
    o.cache_min_ttl = 100;
    o.cache_max_ttl = 10;
    t_assert_code(did_fetcher_new(&o, &g, &err), DID_ERR_ARG, &err);
    did_fetch_opts_init(&o);
    o.cache_entries = DID_FETCH_MAX_CACHE_ENTRIES + 1;
    t_assert_code(did_fetcher_new(&o, &g, &err), DID_ERR_ARG, &err);
    assert_null(g);
    t_assert_code(did_fetcher_new(NULL, NULL, &err), DID_ERR_ARG, &err);
    t_assert_ok(did_fetcher_new(NULL, &g, &err), &err); /* defaults */
    did_fetcher_free(g);
    did_fetcher_free(NULL);
}

static void test_types(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(NULL);
    did_fetch_resp r;
    did_err err;
    static const char *const json_types[] = {"application/json", "application/did+json", NULL};
    did_fetch_resp_init(&r);

    t_assert_ok(get(f, U("/ok"), NULL, json_types, 0, &r, &err), &err);
    t_assert_ok(get(f, U("/typed"), NULL, json_types, 0, &r, &err), &err);
    t_assert_code(get(f, U("/html"), NULL, json_types, 0, &r, &err), DID_ERR_FETCH_TYPE, &err);
    assert_int_equal(r.body.len, 0);
    assert_non_null(strstr(err.msg, "text/html"));
    t_assert_code(get(f, U("/untyped"), NULL, json_types, 0, &r, &err), DID_ERR_FETCH_TYPE, &err);
    /* Also from the cache: the type is kept with the entry. */
    t_assert_code(get(f, U("/html"), NULL, json_types, 0, &r, &err), DID_ERR_FETCH_TYPE, &err);
    t_assert_ok(get(f, U("/html"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 1);
    assert_string_equal(r.content_type, "text/html");

    did_fetch_resp_clear(&r);
    did_fetcher_free(f);
}

static void ttl_0_1(did_fetch_opts *o)
{
    o->cache_min_ttl = 0;
    o->cache_max_ttl = 1;
    o->cache_default_ttl = 1;
}

static void test_cache(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(ttl_0_1);
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);
    atomic_store(&n_count, 0);

    /* max-age=1: a hit within the second, a new request after it. */
    t_assert_ok(get(f, U("/count"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 0);
    t_assert_ok(get(f, U("/count"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 1);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body.data, "{\"n\":1}", r.body.len);
    assert_string_equal(r.content_type, "application/json");
    assert_int_equal(atomic_load(&n_count), 1);
    /* Another Accept is another entry. */
    t_assert_ok(get(f, U("/count"), "application/json", NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 0);
    assert_int_equal(atomic_load(&n_count), 2);
    /* A cached body larger than this request's cap is refused, not truncated. */
    t_assert_code(get(f, U("/count"), NULL, NULL, 3, &r, &err), DID_ERR_LIMIT, &err);
    /* no_cache bypasses. */
    did_fetch_req req = {.url = U("/count"), .no_cache = 1};
    t_assert_ok(did_fetch(f, &req, &r, &err), &err);
    assert_int_equal(r.from_cache, 0);
    assert_int_equal(atomic_load(&n_count), 3);

    sleep_ms(1100);
    t_assert_ok(get(f, U("/count"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 0);
    assert_int_equal(atomic_load(&n_count), 4);
    t_assert_ok(get(f, U("/count"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 1);
    assert_int_equal(atomic_load(&n_count), 4);

    /* Explicit clear. */
    did_fetcher_cache_clear(f);
    t_assert_ok(get(f, U("/count"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(atomic_load(&n_count), 5);

    did_fetch_resp_clear(&r);
    did_fetcher_free(f);
}

static void ttl_60_120(did_fetch_opts *o)
{
    o->cache_min_ttl = 60;
    o->cache_max_ttl = 120;
    o->cache_default_ttl = 90;
}

static void ttl_0_0(did_fetch_opts *o)
{
    o->cache_min_ttl = 0;
    o->cache_max_ttl = 0;
}

static void test_cache_control(void **state)
{
    (void)state;
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    /* min 60 s: "no-store", "max-age=0" and a malformed max-age are all held for 60 s. */
    did_fetcher *f = new_fetcher(ttl_60_120);
    static const char *const ccs[] = {"no-store",
                                      "max-age=0",
                                      "max-age=abc",
                                      "no-cache",
                                      "max-age=%225%22", /* "5" quoted */
                                      "private,%20max-age=999999999999999999999"};
    for (size_t i = 0; i < sizeof ccs / sizeof ccs[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/cc?q=%s", ccs[i]);
        atomic_store(&n_cc, 0);
        t_assert_ok(get(f, U(path), NULL, NULL, 0, &r, &err), &err);
        t_assert_ok(get(f, U(path), NULL, NULL, 0, &r, &err), &err);
        if (atomic_load(&n_cc) != 1 || !r.from_cache)
            fail_msg("Cache-Control \"%s\": %d requests", ccs[i], atomic_load(&n_cc));
    }
    /* No Cache-Control: the default TTL. */
    atomic_store(&n_nocc, 0);
    t_assert_ok(get(f, U("/nocc"), NULL, NULL, 0, &r, &err), &err);
    t_assert_ok(get(f, U("/nocc"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(atomic_load(&n_nocc), 1);
    did_fetcher_free(f);

    /* max 0: nothing is ever cached, whatever the server says. */
    f = new_fetcher(ttl_0_0);
    atomic_store(&n_count, 0);
    for (int i = 0; i < 3; i++)
        t_assert_ok(get(f, U("/count"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(atomic_load(&n_count), 3);
    did_fetcher_free(f);
    did_fetch_resp_clear(&r);
}

static void two_entries(did_fetch_opts *o)
{
    o->cache_entries = 2;
}

static void small_cache(did_fetch_opts *o)
{
    o->cache_max_bytes = 1500;
}

static void test_cache_bounds(void **state)
{
    (void)state;
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);

    /* Two entries: the least recently used goes. */
    did_fetcher *f = new_fetcher(two_entries);
    atomic_store(&n_nocc, 0);
    t_assert_ok(get(f, U("/nocc?q=1"), NULL, NULL, 0, &r, &err), &err);
    t_assert_ok(get(f, U("/nocc?q=2"), NULL, NULL, 0, &r, &err), &err);
    t_assert_ok(get(f, U("/nocc?q=1"), NULL, NULL, 0, &r, &err), &err); /* hit; 2 is now LRU */
    assert_int_equal(r.from_cache, 1);
    t_assert_ok(get(f, U("/nocc?q=3"), NULL, NULL, 0, &r, &err), &err); /* evicts 2 */
    assert_int_equal(atomic_load(&n_nocc), 3);
    t_assert_ok(get(f, U("/nocc?q=1"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 1);
    t_assert_ok(get(f, U("/nocc?q=2"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 0);
    assert_int_equal(atomic_load(&n_nocc), 4);
    did_fetcher_free(f);

    /* 1500 bytes of cache: a 1000-byte body fits once, a second one evicts the first, a body
     * larger than the whole cache is not kept. */
    f = new_fetcher(small_cache);
    t_assert_ok(get(f, U("/bytes/1000"), NULL, NULL, 0, &r, &err), &err);
    t_assert_ok(get(f, U("/bytes/1000"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 1);
    t_assert_ok(get(f, U("/bytes/999"), NULL, NULL, 0, &r, &err), &err);
    t_assert_ok(get(f, U("/bytes/1000"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 0);
    t_assert_ok(get(f, U("/bytes/2000"), NULL, NULL, 0, &r, &err), &err);
    t_assert_ok(get(f, U("/bytes/2000"), NULL, NULL, 0, &r, &err), &err);
    assert_int_equal(r.from_cache, 0);
    did_fetcher_free(f);
    did_fetch_resp_clear(&r);
}

typedef struct worker {
    did_fetcher *f;
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    did_fetch_resp r;
    did_err err;
    did_fetch_resp_init(&r);
    for (int i = 0; i < 40; i++) {
        char path[64];
        snprintf(path, sizeof path, "/nocc?q=%d", i % 5);
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)srv.port, path);
        did_fetch_req req = {.url = url};
        if (did_fetch(w->f, &req, &r, &err) != DID_OK || r.body.len != 2)
            w->failures++;
        if (i % 13 == 0)
            did_fetcher_cache_clear(w->f);
    }
    did_fetch_resp_clear(&r);
    return NULL;
}

static void three_entries(did_fetch_opts *o)
{
    o->cache_entries = 3;
}

static void test_threads(void **state)
{
    (void)state;
    did_fetcher *f = new_fetcher(three_entries);
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].f = f;
        w[i].failures = 0;
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    did_fetcher_free(f);
}

/* ------------------------------------------------------------------------------------------- *
 * Status lists: fetched, verified (Data Integrity, did:key issuer), then checked.
 */
static void set_list(const json_t *vc)
{
    char *s = json_dumps(vc, JSON_COMPACT);
    assert_non_null(s);
    pthread_mutex_lock(&list_mu);
    free(list_body);
    list_body = s;
    pthread_mutex_unlock(&list_mu);
}

typedef struct party {
    ck_key *key;
    char did[256];
    char kid[512];
} party;

static void make_party(party *p)
{
    did_buf b;
    did_err err;
    ck_err ce;
    if (ck_key_generate(CK_KEY_ED25519, &p->key, &ce) != CK_OK)
        fail_msg("generate: %s", ce.msg);
    did_buf_init(&b);
    t_assert_ok(did_key_from_key(p->key, &b, &err), &err);
    snprintf(p->did, sizeof p->did, "%s", (const char *)b.data);
    snprintf(p->kid, sizeof p->kid, "%s#%s", p->did, p->did + strlen("did:key:"));
    did_buf_clear(&b);
}

static json_t *signed_list(const party *p, did_status_list *list, const char *url)
{
    json_t *vc = NULL, *secured = NULL;
    did_err err;
    t_assert_ok(did_status_list_credential(list, url, p->did, "revocation", 1700000000, &vc, &err),
                &err);
    did_di_sign_opts o = {.suite = DID_DI_EDDSA_JCS_2022, .verification_method = p->kid};
    t_assert_ok(did_di_sign(p->key, vc, &o, &secured, &err), &err);
    json_decref(vc);
    return secured;
}

static int check(did_status_fetcher *sf, const json_t *entry, did_result *r)
{
    did_err err;
    did_result_init(r);
    return did_status_check(entry, did_fetch_status_list, sf, NULL, r, &err);
}

static int custom_verify(void *user, const uint8_t *body, size_t len, const char *ct,
                         json_t **verified, did_err *err)
{
    int *calls = user;
    (*calls)++;
    if (strcmp(ct, "application/vc") != 0)
        return did_err_set(err, DID_ERR_FETCH_TYPE, "unexpected %s", ct);
    return did_json_parse(body, len, NULL, verified, err);
}

static void test_status_list(void **state)
{
    (void)state;
    party iss, other;
    did_ctx *ctx = NULL;
    did_status_list *list = NULL;
    json_t *entry = NULL, *vc = NULL;
    did_result r;
    did_err err;
    char url[128];

    make_party(&iss);
    make_party(&other);
    t_assert_ok(did_ctx_new(&ctx, &err), &err);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/status/1", (unsigned)srv.port);
    did_fetcher *f = new_fetcher(ttl_0_0); /* no caching: each check sees the current list */
    did_status_fetcher sf = {.fetcher = f, .ctx = ctx};

    t_assert_ok(did_status_list_new(131072, 1, &list, &err), &err);
    t_assert_ok(did_status_entry(url, "revocation", 42, &entry, &err), &err);

    /* Signed, not revoked. */
    vc = signed_list(&iss, list, url);
    set_list(vc);
    json_decref(vc);
    t_assert_ok(check(&sf, entry, &r), NULL);
    did_result_clear(&r);

    /* Revoked. */
    t_assert_ok(did_status_list_set(list, 42, 1, &err), &err);
    vc = signed_list(&iss, list, url);
    set_list(vc);
    assert_int_equal(check(&sf, entry, &r), DID_ERR_STATUS_REVOKED);
    did_result_clear(&r);

    /* Tampered after signing (bit cleared again): the proof fails, so the list is unusable. */
    t_assert_ok(did_status_list_set(list, 42, 0, &err), &err);
    json_t *unsigned_vc = NULL;
    t_assert_ok(did_status_list_credential(list, url, iss.did, "revocation", 1700000000,
                                           &unsigned_vc, &err),
                &err);
    json_t *forged = json_deep_copy(vc);
    json_object_set(forged, "credentialSubject", json_object_get(unsigned_vc, "credentialSubject"));
    set_list(forged);
    assert_int_equal(check(&sf, entry, &r), DID_ERR_STATUS_LIST);
    did_result_clear(&r);
    /* Unsigned: refused. */
    set_list(unsigned_vc);
    assert_int_equal(check(&sf, entry, &r), DID_ERR_STATUS_LIST);
    did_result_clear(&r);
    json_decref(forged);
    json_decref(unsigned_vc);
    json_decref(vc);

    /* Issuer allow-list: a list signed by another DID is refused when only iss may sign. */
    vc = signed_list(&other, list, url);
    set_list(vc);
    json_decref(vc);
    t_assert_ok(check(&sf, entry, &r), NULL); /* any issuer */
    did_result_clear(&r);
    const char *only_iss[] = {iss.did, NULL};
    sf.issuers = only_iss;
    assert_int_equal(check(&sf, entry, &r), DID_ERR_STATUS_LIST);
    did_result_clear(&r);
    json_t *out = NULL;
    t_assert_code(did_fetch_status_list(&sf, url, &out, &err), DID_ERR_VC_ISSUER, &err);
    assert_null(out);
    sf.issuers = NULL;

    /* A caller-supplied verifier gets the bytes and the media type. */
    int calls = 0;
    sf.verify = custom_verify;
    sf.verify_user = &calls;
    t_assert_ok(did_fetch_status_list(&sf, url, &out, &err), &err);
    assert_int_equal(calls, 1);
    assert_true(json_is_object(out));
    json_decref(out);
    sf.verify = NULL;

    /* Fetch failures pass through. */
    char bad[128];
    snprintf(bad, sizeof bad, "http://127.0.0.1:%u/404", (unsigned)srv.port);
    t_assert_code(did_fetch_status_list(&sf, bad, &out, &err), DID_ERR_FETCH_STATUS, &err);
    t_assert_code(did_fetch_status_list(&sf, "http://example.com/status", &out, &err),
                  DID_ERR_FETCH_SCHEME, &err);
    t_assert_code(did_fetch_status_list(NULL, url, &out, &err), DID_ERR_ARG, &err);

    json_decref(entry);
    did_status_list_free(list);
    did_fetcher_free(f);
    did_ctx_free(ctx);
    ck_key_free(iss.key);
    ck_key_free(other.key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success),       cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_timeout),       cmocka_unit_test(test_status),
        cmocka_unit_test(test_redirects),     cmocka_unit_test(test_url_policy),
        cmocka_unit_test(test_types),         cmocka_unit_test(test_cache),
        cmocka_unit_test(test_cache_control), cmocka_unit_test(test_cache_bounds),
        cmocka_unit_test(test_threads),       cmocka_unit_test(test_status_list),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
