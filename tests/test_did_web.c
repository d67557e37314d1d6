/*
 * did:web (did/web.h): the DID -> URL mapping against the method specification's examples
 * (W3C CCG did:web Method Specification, "Method-specific identifier" and "Read (Resolve)")
 * and the cases it forbids; then end-to-end resolution from a real HTTP server on 127.0.0.1
 * (tests/http_stub.h) with loopback http allowed: a document made here with a generated key's
 * Multikey, a Data Integrity and a VC-JWT credential signed by that key verifying through
 * did_resolve_key, and the failures (document for another DID, oversized, wrong type, 404).
 */
#include "support.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <did/di.h>
#include <did/did.h>
#include <did/fetch.h>
#include <did/vcjose.h>
#include <did/verify.h>
#include <did/web.h>

#include "http_stub.h"

/* ------------------------------------------------------------------------------------------- *
 * Mapping.
 */
static void expect_url(const char *did, unsigned flags, const char *want)
{
    did_buf b;
    did_err err;
    did_buf_init(&b);
    int rc = did_web_url(did, strlen(did), flags, &b, &err);
    if (rc != DID_OK)
        fail_msg("%s: %s: %s", did, did_err_name(rc), err.msg);
    if (strcmp((const char *)b.data, want) != 0)
        fail_msg("%s: got %s, want %s", did, (const char *)b.data, want);
    did_buf_clear(&b);
}

static void expect_bad(const char *did, int code)
{
    did_buf b;
    did_err err;
    did_buf_init(&b);
    int rc = did_web_url(did, strlen(did), DID_WEB_URL_HTTP_LOCALHOST, &b, &err);
    if (rc != code)
        fail_msg("%s: expected %s, got %s (%s)", did, did_err_name(code), did_err_name(rc),
                 rc != DID_OK ? err.msg : (const char *)b.data);
    assert_int_equal(b.len, 0); /* untouched on error */
    did_buf_clear(&b);
}

static void test_url_spec_examples(void **state)
{
    (void)state;
    /* The specification's examples. */
    expect_url("did:web:w3c-ccg.github.io", 0, "https://w3c-ccg.github.io/.well-known/did.json");
    expect_url("did:web:w3c-ccg.github.io:user:alice", 0,
               "https://w3c-ccg.github.io/user/alice/did.json");
    expect_url("did:web:example.com%3A3000", 0, "https://example.com:3000/.well-known/did.json");
    expect_url("did:web:example.com%3A3000:user:alice", 0,
               "https://example.com:3000/user/alice/did.json");
    expect_url("did:web:example.com:u:bob", 0, "https://example.com/u/bob/did.json");
    expect_url("did:web:example.com", 0, "https://example.com/.well-known/did.json");
}

static void test_url_more(void **state)
{
    (void)state;
    expect_url("did:web:example.com%3a8443", 0, "https://example.com:8443/.well-known/did.json");
    expect_url("did:web:Example.COM", 0, "https://Example.COM/.well-known/did.json");
    expect_url("did:web:a.b-c.d1.example", 0, "https://a.b-c.d1.example/.well-known/did.json");
    expect_url("did:web:localhost", 0, "https://localhost/.well-known/did.json");
    expect_url("did:web:example.com%3A1:x", 0, "https://example.com:1/x/did.json");
    expect_url("did:web:example.com%3A65535", 0, "https://example.com:65535/.well-known/did.json");
    /* Segments are copied as written, escapes included. */
    expect_url("did:web:example.com:user_1:a.b:%40me:...", 0,
               "https://example.com/user_1/a.b/%40me/.../did.json");
    /* http only for did:web:localhost, and only when asked for. */
    expect_url("did:web:localhost%3A8080", DID_WEB_URL_HTTP_LOCALHOST,
               "http://localhost:8080/.well-known/did.json");
    expect_url("did:web:localhost%3A8080:a", DID_WEB_URL_HTTP_LOCALHOST,
               "http://localhost:8080/a/did.json");
    expect_url("did:web:localhost%3A8080", 0, "https://localhost:8080/.well-known/did.json");
    expect_url("did:web:example.com", DID_WEB_URL_HTTP_LOCALHOST,
               "https://example.com/.well-known/did.json");
    expect_url("did:web:localhost.example.com", DID_WEB_URL_HTTP_LOCALHOST,
               "https://localhost.example.com/.well-known/did.json");
    /* Appends to what the buffer holds. */
    did_buf b;
    did_err err;
    did_buf_init(&b);
    t_assert_ok(did_buf_append_str(&b, "url="), NULL);
    t_assert_ok(did_web_url("did:web:a.example", 17, 0, &b, &err), &err);
    assert_string_equal((const char *)b.data, "url=https://a.example/.well-known/did.json");
    did_buf_clear(&b);
}

static void test_url_invalid(void **state)
{
    (void)state;
    /* IP literals in every spelling (the specification: MUST NOT include IP addresses). */
    expect_bad("did:web:127.0.0.1", DID_ERR_DID_INVALID);
    expect_bad("did:web:127.0.0.1%3A8080", DID_ERR_DID_INVALID);
    expect_bad("did:web:93.184.216.34", DID_ERR_DID_INVALID);
    expect_bad("did:web:2130706433", DID_ERR_DID_INVALID);
    expect_bad("did:web:0x7f.1", DID_ERR_DID_INVALID);
    expect_bad("did:web:0x7f000001", DID_ERR_DID_INVALID);
    expect_bad("did:web:127.1", DID_ERR_DID_INVALID);
    expect_bad("did:web:%5B%3A%3A1%5D", DID_ERR_DID_INVALID);
    expect_bad("did:web:%5B::1%5D", DID_ERR_DID_INVALID);
    /* User info, other escapes in the host, non-ASCII. */
    expect_bad("did:web:user%40example.com", DID_ERR_DID_INVALID);
    expect_bad("did:web:ex%41mple.com", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com%2Fevil", DID_ERR_DID_INVALID);
    expect_bad("did:web:%C3%A9xample.com", DID_ERR_DID_INVALID);
    expect_bad("did:web:xn--exmple-cua.com%C3%A9", DID_ERR_DID_INVALID);
    /* Host names. */
    expect_bad("did:web:example..com", DID_ERR_DID_INVALID);
    expect_bad("did:web:.example.com", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com.", DID_ERR_DID_INVALID);
    expect_bad("did:web:-example.com", DID_ERR_DID_INVALID);
    expect_bad("did:web:example-.com", DID_ERR_DID_INVALID);
    expect_bad("did:web:exa_mple.com", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.123", DID_ERR_DID_INVALID);
    char label[128];
    snprintf(label, sizeof label, "did:web:%s.com",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 64 */
    expect_bad(label, DID_ERR_DID_INVALID);
    label[8 + 63] = '\0'; /* 63 a's: fine */
    expect_url(label, 0,
               "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
               ".well-known/did.json");
    char host[400];
    strcpy(host, "did:web:");
    for (int i = 0; i < 5; i++)
        strcat(host, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
    /* 5 x 50 + 3 = 253 bytes: fine */
    strcat(host, "com");
    did_buf b;
    did_err err;
    did_buf_init(&b);
    t_assert_ok(did_web_url(host, strlen(host), 0, &b, &err), &err);
    did_buf_clear(&b);
    strcat(host, "x"); /* 254 */
    expect_bad(host, DID_ERR_DID_INVALID);
    /* Ports. */
    expect_bad("did:web:example.com%3A", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com%3A0", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com%3A080", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com%3A65536", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com%3A123456", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com%3Ahttp", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com%3A80%3A81", DID_ERR_DID_INVALID);
    expect_bad("did:web:%3A80", DID_ERR_DID_INVALID);
    /* Path segments. */
    expect_bad("did:web:example.com::alice", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:..:alice", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:.", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:%2E%2E", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:.%2e", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:a%2Fb", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:a%2fb", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:a%5Cb", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:a%3Fb", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:a%23b", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:a%00", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:a%20b", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:%C3%A9", DID_ERR_DID_INVALID);
    expect_bad("did:web:example.com:.well-known", DID_ERR_DID_INVALID);
    expect_url("did:web:example.com:.well-known:x", 0,
               "https://example.com/.well-known/x/did.json");
    /* Not a plain did:web DID at all. */
    expect_bad("did:web:", DID_ERR_DID_SYNTAX);
    expect_bad("did:web:example.com:", DID_ERR_DID_SYNTAX);
    expect_bad("did:web:example.com/path", DID_ERR_DID_SYNTAX);
    expect_bad("did:web:example.com?x=1", DID_ERR_DID_SYNTAX);
    expect_bad("did:web:example.com#key-1", DID_ERR_DID_SYNTAX);
    expect_bad("did:web:exa mple.com", DID_ERR_DID_SYNTAX);
    expect_bad("did:web:example.com\xc3\xa9", DID_ERR_DID_SYNTAX);
    expect_bad("did:WEB:example.com", DID_ERR_DID_SYNTAX);
    expect_bad("did:webs:example.com", DID_ERR_DID_METHOD);
    expect_bad("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", DID_ERR_DID_METHOD);
    /* A URL past DID_FETCH_URL_MAX. */
    char *lng = malloc(3000);
    assert_non_null(lng);
    strcpy(lng, "did:web:example.com");
    while (strlen(lng) < 2100)
        strcat(lng, ":segment");
    expect_bad(lng, DID_ERR_LIMIT);
    free(lng);
    /* Arguments. */
    did_buf_init(&b);
    t_assert_code(did_web_url(NULL, 0, 0, &b, &err), DID_ERR_ARG, &err);
    t_assert_code(did_web_url("did:web:a.example", 17, 0, NULL, &err), DID_ERR_ARG, &err);
    /* Length is honoured: no NUL needed, nothing read past len. */
    t_assert_ok(did_web_url("did:web:a.example:junk", 17, 0, &b, &err), &err);
    assert_string_equal((const char *)b.data, "https://a.example/.well-known/did.json");
    did_buf_clear(&b);
}

/* ------------------------------------------------------------------------------------------- *
 * Resolution over HTTP on 127.0.0.1.
 */
#define MAX_ROUTES 16

typedef struct route {
    char path[128];
    const char *content_type;
    char *body;
} route;

static stub_server srv;
static route routes[MAX_ROUTES]; /* set in setup, read-only while the server runs */
static size_t n_routes;
static atomic_int n_requests, n_bad_accept;

static ck_key *key;
static char multikey[128];
static char did_root[128], did_alice[128], did_other[128], did_big[128], did_html[128],
    did_missing[128], did_junk[128], did_dup[128];

static void handler(void *user, const char *path, const char *q, const char *accept, stub_reply *r)
{
    (void)user;
    (void)q;
    atomic_fetch_add(&n_requests, 1);
    if (accept == NULL || strcmp(accept, "application/did+json, application/json") != 0)
        atomic_fetch_add(&n_bad_accept, 1);
    for (size_t i = 0; i < n_routes; i++) {
        if (strcmp(routes[i].path, path) == 0) {
            r->content_type = routes[i].content_type;
            r->body = routes[i].body;
            r->len = strlen(routes[i].body);
            return;
        }
    }
    r->status = 404;
}

static void add_route(const char *path, const char *content_type, char *body)
{
    assert_true(n_routes < MAX_ROUTES);
    snprintf(routes[n_routes].path, sizeof routes[n_routes].path, "%s", path);
    routes[n_routes].content_type = content_type;
    routes[n_routes].body = body;
    n_routes++;
}

/* A DID document for did with one Multikey method "#key-1" of the test key. */
static char *document(const char *id, const char *did_for_vm)
{
    char vm[256];
    snprintf(vm, sizeof vm, "%s#key-1", did_for_vm);
    json_t *d =
        json_pack("{s:[s,s], s:s, s:[{s:s, s:s, s:s, s:s}], s:[s], s:[s]}", "@context",
                  "https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "id", id,
                  "verificationMethod", "id", vm, "type", "Multikey", "controller", did_for_vm,
                  "publicKeyMultibase", multikey, "assertionMethod", vm, "authentication", vm);
    assert_non_null(d);
    char *s = json_dumps(d, JSON_COMPACT);
    assert_non_null(s);
    json_decref(d);
    return s;
}

static int setup(void **state)
{
    did_buf b;
    did_err err;
    ck_err ce;
    (void)state;

    if (ck_key_generate(CK_KEY_ED25519, &key, &ce) != CK_OK)
        return -1;
    did_buf_init(&b);
    if (did_key_from_key(key, &b, &err) != DID_OK)
        return -1;
    snprintf(multikey, sizeof multikey, "%s", (const char *)b.data + strlen("did:key:"));
    did_buf_clear(&b);

    if (stub_start(&srv, handler, NULL) != 0)
        return -1;
    unsigned p = srv.port;
    snprintf(did_root, sizeof did_root, "did:web:localhost%%3A%u", p);
    snprintf(did_alice, sizeof did_alice, "did:web:localhost%%3A%u:user:alice", p);
    snprintf(did_other, sizeof did_other, "did:web:localhost%%3A%u:other", p);
    snprintf(did_big, sizeof did_big, "did:web:localhost%%3A%u:big", p);
    snprintf(did_html, sizeof did_html, "did:web:localhost%%3A%u:html", p);
    snprintf(did_missing, sizeof did_missing, "did:web:localhost%%3A%u:missing", p);
    snprintf(did_junk, sizeof did_junk, "did:web:localhost%%3A%u:junk", p);
    snprintf(did_dup, sizeof did_dup, "did:web:localhost%%3A%u:dup", p);

    add_route("/.well-known/did.json", "application/did+json", document(did_root, did_root));
    add_route("/user/alice/did.json", "application/json; charset=utf-8",
              document(did_alice, did_alice));
    /* Served at did_other's URL, but it is the document of another DID. */
    add_route("/other/did.json", "application/did+json",
              document("did:web:example.com", "did:web:example.com"));
    /* Larger than the 4 KiB JSON limit the oversize test sets. */
    char *big = malloc(6000);
    assert_non_null(big);
    char *doc = document(did_big, did_big);
    size_t dl = strlen(doc);
    memcpy(big, doc, dl - 1); /* without the final '}' */
    free(doc);
    size_t n = dl - 1;
    n += (size_t)sprintf(big + n, ",\"padding\":\"");
    while (n < 5000)
        big[n++] = 'x';
    strcpy(big + n, "\"}");
    add_route("/big/did.json", "application/did+json", big);
    add_route("/html/did.json", "text/html", document(did_html, did_html));
    add_route("/junk/did.json", "application/json", strdup("{\"id\": "));
    char *dup = malloc(512);
    assert_non_null(dup);
    snprintf(dup, 512, "{\"id\": \"%s\", \"id\": \"%s\"}", did_dup, did_dup);
    add_route("/dup/did.json", "application/json", dup);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stub_stop(&srv);
    for (size_t i = 0; i < n_routes; i++)
        free(routes[i].body);
    ck_key_free(key);
    return 0;
}

static did_fetcher *fetcher(int loopback)
{
    did_fetch_opts o;
    did_fetcher *f = NULL;
    did_err err;
    did_fetch_opts_init(&o);
    o.allow_http_loopback = loopback;
    o.timeout_ms = 5000;
    t_assert_ok(did_fetcher_new(&o, &f, &err), &err);
    return f;
}

static did_ctx *web_ctx(did_fetcher *f)
{
    did_ctx *ctx = NULL;
    did_err err;
    t_assert_ok(did_ctx_new(&ctx, &err), &err);
    t_assert_ok(did_web_register(ctx, f, &err), &err);
    return ctx;
}

static void test_resolve(void **state)
{
    (void)state;
    did_fetcher *f = fetcher(1);
    did_ctx *ctx = web_ctx(f);
    json_t *doc = NULL;
    did_err err;

    atomic_store(&n_requests, 0);
    atomic_store(&n_bad_accept, 0);
    t_assert_ok(did_resolve(ctx, did_root, strlen(did_root), &doc, &err), &err);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), did_root);
    json_decref(doc);
    t_assert_ok(did_resolve(ctx, did_alice, strlen(did_alice), &doc, &err), &err);
    assert_string_equal(json_string_value(json_object_get(doc, "id")), did_alice);
    json_decref(doc);
    assert_int_equal(atomic_load(&n_requests), 2);
    assert_int_equal(atomic_load(&n_bad_accept), 0);
    /* Again: from the fetcher's cache. */
    t_assert_ok(did_resolve(ctx, did_root, strlen(did_root), &doc, &err), &err);
    json_decref(doc);
    assert_int_equal(atomic_load(&n_requests), 2);

    /* The resolution result shape. */
    json_t *res = NULL;
    t_assert_ok(did_resolution_result(ctx, did_alice, strlen(did_alice), &res, &err), &err);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res, "didDocument"), "id")), did_alice);
    json_decref(res);

    /* The key, through did_resolve_key. */
    char vm[256];
    ck_key *k = NULL;
    snprintf(vm, sizeof vm, "%s#key-1", did_root);
    t_assert_ok(did_resolve_key(ctx, vm, strlen(vm), DID_REL_ASSERTION_METHOD, &k, NULL, &err),
                &err);
    assert_true(ck_key_public_equal(k, key));
    ck_key_free(k);
    snprintf(vm, sizeof vm, "%s#key-2", did_root);
    t_assert_code(did_resolve_key(ctx, vm, strlen(vm), DID_REL_ASSERTION_METHOD, &k, NULL, &err),
                  DID_ERR_DID_VM_NOT_FOUND, &err);
    snprintf(vm, sizeof vm, "%s#key-1", did_root);
    t_assert_code(did_resolve_key(ctx, vm, strlen(vm), DID_REL_KEY_AGREEMENT, &k, NULL, &err),
                  DID_ERR_DID_VM_RELATIONSHIP, &err);

    did_ctx_free(ctx);
    did_fetcher_free(f);
}

static json_t *credential(const char *issuer)
{
    json_t *vc = json_pack("{s:[s], s:[s], s:s, s:s, s:{s:s, s:s}}", "@context",
                           "https://www.w3.org/ns/credentials/v2", "type", "VerifiableCredential",
                           "issuer", issuer, "validFrom", "2024-01-01T00:00:00Z",
                           "credentialSubject", "id", "did:example:subject", "name", "Ada");
    assert_non_null(vc);
    return vc;
}

static void test_credentials(void **state)
{
    (void)state;
    did_fetcher *f = fetcher(1);
    did_ctx *ctx = web_ctx(f);
    did_err err;
    did_result r;
    char vm[256];

    /* Data Integrity eddsa-jcs-2022 by the did:web issuer's key. */
    snprintf(vm, sizeof vm, "%s#key-1", did_alice);
    json_t *vc = credential(did_alice), *secured = NULL;
    did_di_sign_opts o = {.suite = DID_DI_EDDSA_JCS_2022, .verification_method = vm};
    t_assert_ok(did_di_sign(key, vc, &o, &secured, &err), &err);
    char *text = json_dumps(secured, JSON_COMPACT);
    assert_non_null(text);
    did_result_init(&r);
    t_assert_ok(did_verify(ctx, (const uint8_t *)text, strlen(text), NULL, &r, &err), &err);
    assert_true(did_result_verified(&r));
    did_result_clear(&r);
    free(text);
    json_decref(secured);

    /* The same credential claiming another did:web issuer: the key is not the issuer's. */
    json_t *vc2 = credential(did_root);
    t_assert_ok(did_di_sign(key, vc2, &o, &secured, &err), &err);
    text = json_dumps(secured, JSON_COMPACT);
    did_result_init(&r);
    assert_int_not_equal(did_verify(ctx, (const uint8_t *)text, strlen(text), NULL, &r, &err),
                         DID_OK);
    did_result_clear(&r);
    free(text);
    json_decref(secured);
    json_decref(vc2);

    /* VC-JOSE (vc+jwt) with kid = the did:web verification method. */
    did_buf jwt;
    did_buf_init(&jwt);
    t_assert_ok(did_vcjose_sign(key, vm, vc, &jwt, &err), &err);
    did_result_init(&r);
    t_assert_ok(did_verify(ctx, jwt.data, jwt.len, NULL, &r, &err), &err);
    did_result_clear(&r);
    did_buf_clear(&jwt);
    json_decref(vc);

    did_ctx_free(ctx);
    did_fetcher_free(f);
}

static void test_resolve_errors(void **state)
{
    (void)state;
    did_fetcher *f = fetcher(1);
    did_ctx *ctx = web_ctx(f);
    json_t *doc = NULL;
    did_err err;

    /* A document for another DID. */
    t_assert_code(did_resolve(ctx, did_other, strlen(did_other), &doc, &err),
                  DID_ERR_DID_DOC_INVALID, &err);
    assert_null(doc);
    /* Not found. */
    t_assert_code(did_resolve(ctx, did_missing, strlen(did_missing), &doc, &err),
                  DID_ERR_FETCH_STATUS, &err);
    assert_non_null(strstr(err.msg, "did:web"));
    assert_non_null(strstr(err.msg, "404"));
    json_t *res = NULL;
    t_assert_code(did_resolution_result(ctx, did_missing, strlen(did_missing), &res, &err),
                  DID_ERR_FETCH_STATUS, &err);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res, "didResolutionMetadata"), "error")),
        "notFound");
    assert_true(json_is_null(json_object_get(res, "didDocument")));
    json_decref(res);
    /* Not a DID document media type. */
    t_assert_code(did_resolve(ctx, did_html, strlen(did_html), &doc, &err), DID_ERR_FETCH_TYPE,
                  &err);
    /* Not JSON; duplicate members. */
    t_assert_code(did_resolve(ctx, did_junk, strlen(did_junk), &doc, &err), DID_ERR_JSON_SYNTAX,
                  &err);
    t_assert_code(did_resolve(ctx, did_dup, strlen(did_dup), &doc, &err),
                  DID_ERR_JSON_DUPLICATE_KEY, &err);
    /* A DID the mapping refuses never reaches the network. */
    atomic_store(&n_requests, 0);
    const char *ip = "did:web:127.0.0.1";
    t_assert_code(did_resolve(ctx, ip, strlen(ip), &doc, &err), DID_ERR_DID_INVALID, &err);
    assert_int_equal(atomic_load(&n_requests), 0);

    /* Oversized: the document is 5000 bytes, the ctx allows 4096. Fine with the defaults. */
    t_assert_ok(did_resolve(ctx, did_big, strlen(did_big), &doc, &err), &err);
    json_decref(doc);
    did_fetcher_cache_clear(f);
    did_json_limits lim = *did_ctx_json_limits(ctx);
    lim.max_bytes = 4096;
    did_ctx_set_json_limits(ctx, &lim);
    t_assert_code(did_resolve(ctx, did_big, strlen(did_big), &doc, &err), DID_ERR_LIMIT, &err);
    assert_non_null(strstr(err.msg, "4096"));
    did_ctx_free(ctx);
    did_fetcher_free(f);

    /* ... and a fetcher cap smaller than the JSON limit applies too. */
    did_fetch_opts o;
    did_fetch_opts_init(&o);
    o.allow_http_loopback = 1;
    o.max_bytes = 1000;
    t_assert_ok(did_fetcher_new(&o, &f, &err), &err);
    ctx = web_ctx(f);
    t_assert_code(did_resolve(ctx, did_big, strlen(did_big), &doc, &err), DID_ERR_LIMIT, &err);
    did_ctx_free(ctx);
    did_fetcher_free(f);

    /* Without loopback http, did:web:localhost maps to https: the plain server cannot answer
     * a TLS handshake, so the fetch fails (and nothing is downgraded). */
    f = fetcher(0);
    ctx = web_ctx(f);
    t_assert_code(did_resolve(ctx, did_root, strlen(did_root), &doc, &err), DID_ERR_FETCH, &err);
    did_ctx_free(ctx);
    did_fetcher_free(f);

    /* Not registered by default. */
    t_assert_ok(did_ctx_new(&ctx, &err), &err);
    t_assert_code(did_resolve(ctx, did_root, strlen(did_root), &doc, &err), DID_ERR_DID_METHOD,
                  &err);
    t_assert_code(did_web_register(ctx, NULL, &err), DID_ERR_ARG, &err);
    t_assert_code(did_web_register(NULL, NULL, &err), DID_ERR_ARG, &err);
    did_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_spec_examples), cmocka_unit_test(test_url_more),
        cmocka_unit_test(test_url_invalid),       cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_credentials),       cmocka_unit_test(test_resolve_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
