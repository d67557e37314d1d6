/*
 * The civid-verifier service library (verifier/verifier.h): configuration, request decoding,
 * the LMDB challenge store, and the service itself on 127.0.0.1 driven with libcurl --
 * credentials and presentations in every format made here with libdid (Data Integrity,
 * vc+jwt, vp+jwt, SD-JWT with key binding), challenges that are unknown or reused, the issuer
 * trust policy, DID resolution. Real keys, real signatures, real LMDB; nothing is mocked.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include <did/di.h>
#include <did/sdjwt.h>
#include <did/vcjose.h>
#include <verifier/verifier.h>

#define DOMAIN "https://verifier.example"

typedef struct party {
    ck_key *key;
    char did[256];
    char kid[512];
} party;

static party issuer, holder, stranger;
static verifier_service *svc;
static char base[128];
static char data_dir[256];

static void make_party(party *p, ck_key_type type)
{
    did_buf b;
    did_err err;
    ck_err ce;
    if (ck_key_generate(type, &p->key, &ce) != CK_OK)
        fail_msg("generate: %s", ce.msg);
    did_buf_init(&b);
    t_assert_ok(did_key_from_key(p->key, &b, &err), &err);
    snprintf(p->did, sizeof p->did, "%s", (const char *)b.data);
    snprintf(p->kid, sizeof p->kid, "%s#%s", p->did, p->did + strlen("did:key:"));
    did_buf_clear(&b);
}

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static int setup(void **state)
{
    (void)state;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    make_party(&issuer, CK_KEY_ED25519);
    make_party(&holder, CK_KEY_P256);
    make_party(&stranger, CK_KEY_ED25519);
    snprintf(data_dir, sizeof data_dir, "/tmp/civid-vsvc-XXXXXX");
    if (mkdtemp(data_dir) == NULL)
        return -1;

    verifier_config cfg;
    did_err err;
    verifier_config_init(&cfg);
    snprintf(cfg.listen, sizeof cfg.listen, "127.0.0.1:0");
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s/svc", data_dir);
    cfg.access_log[0] = '\0';
    cfg.unknown_issuer = VERIFIER_UNKNOWN_ISSUER_ERROR;
    cfg.did_web = 0;
    cfg.status_lists = 0;
    cfg.threads = 2;
    if (verifier_config_add_trusted(&cfg, issuer.did, &err) != DID_OK ||
        verifier_service_new(&cfg, &svc, &err) != DID_OK ||
        verifier_service_start(svc, &err) != DID_OK) {
        fprintf(stderr, "service: %s\n", err.msg);
        verifier_config_clear(&cfg);
        return -1;
    }
    verifier_config_clear(&cfg);
    snprintf(base, sizeof base, "http://%s", verifier_service_address(svc));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    verifier_service_shutdown(svc);
    verifier_service_free(svc);
    ck_key_free(issuer.key);
    ck_key_free(holder.key);
    ck_key_free(stranger.key);
    rm_rf(data_dir);
    curl_global_cleanup();
    return 0;
}

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL)
        fail_msg("bad test JSON: %s", je.text);
    return j;
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP. */

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
    return did_buf_append(user, p, size * n) == DID_OK ? size * n : 0;
}

typedef struct reply {
    long status;
    char content_type[128];
    json_t *json; /* the parsed body, or NULL */
} reply;

static size_t on_header(char *p, size_t size, size_t n, void *user)
{
    reply *r = user;
    size_t len = size * n;
    if (len > 14 && strncasecmp(p, "Content-Type: ", 14) == 0) {
        size_t vl = len - 14;
        while (vl > 0 && (p[14 + vl - 1] == '\r' || p[14 + vl - 1] == '\n'))
            vl--;
        snprintf(r->content_type, sizeof r->content_type, "%.*s", (int)vl, p + 14);
    }
    return len;
}

/* method path [body (JSON text) or NULL] [accept or NULL] -> reply (json_decref r->json). */
static void call(const char *method, const char *path, const char *body, const char *accept,
                 reply *r)
{
    char url[4096];
    did_buf b;
    memset(r, 0, sizeof *r);
    did_buf_init(&b);
    snprintf(url, sizeof url, "%s%s", base, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *hl = NULL;
    char acc[160];
    if (body != NULL)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    if (accept != NULL) {
        snprintf(acc, sizeof acc, "Accept: %s", accept);
        hl = curl_slist_append(hl, acc);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body != NULL ? strlen(body) : 0));
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    did_err err;
    if (b.len > 0 && did_json_parse(b.data, b.len, NULL, &r->json, &err) != DID_OK)
        fail_msg("%s %s: response is not JSON: %s", method, path, err.msg);
    did_buf_clear(&b);
}

/* POSTs {member: doc, options} (doc and options taken over) to path. */
static void post_doc(const char *path, const char *member, json_t *doc, json_t *options, reply *r)
{
    json_t *body = json_pack("{s:o}", member, doc);
    if (options != NULL)
        json_object_set_new(body, "options", options);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    call("POST", path, text, NULL, r);
    free(text);
}

static void verify_vc(json_t *doc, json_t *options, reply *r)
{
    post_doc("/credentials/verify", "verifiableCredential", doc, options, r);
    assert_int_equal(r->status, 200);
}

static void verify_vp(json_t *doc, json_t *options, reply *r)
{
    post_doc("/presentations/verify", "verifiablePresentation", doc, options, r);
    assert_int_equal(r->status, 200);
}

static int verified(const reply *r)
{
    return json_is_true(json_object_get(r->json, "verified"));
}

/* 1 when the result's list (errors / warnings) has a problem with this code. */
static int has_problem(const reply *r, const char *list, int code)
{
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(r->json, list), i, p)
    {
        if (json_integer_value(json_object_get(p, "code")) == code) {
            /* problem-details shape */
            assert_non_null(json_string_value(json_object_get(p, "type")));
            assert_non_null(json_string_value(json_object_get(p, "title")));
            assert_non_null(json_string_value(json_object_get(p, "detail")));
            assert_string_equal(json_string_value(json_object_get(p, "name")), ch_err_name(code));
            return 1;
        }
    }
    return 0;
}

static void expect_fail(const reply *r, int code)
{
    if (verified(r) || !has_problem(r, "errors", code)) {
        char *t = json_dumps(r->json, JSON_INDENT(1));
        fail_msg("expected verified false with %s: %s", did_err_name(code), t);
    }
}

static void expect_ok(const reply *r)
{
    if (!verified(r)) {
        char *t = json_dumps(r->json, JSON_INDENT(1));
        fail_msg("expected verified true: %s", t);
    }
}

static void expect_problem(const reply *r, long status, int code)
{
    if (r->status != status || json_integer_value(json_object_get(r->json, "code")) != code) {
        char *t = json_dumps(r->json, 0);
        fail_msg("expected %ld %s, got %ld: %s", status, ch_err_name(code), r->status, t);
    }
    assert_string_equal(r->content_type, "application/problem+json");
}

static void reply_clear(reply *r)
{
    json_decref(r->json);
    r->json = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Documents. */

static json_t *credential(const char *issuer_did)
{
    json_t *vc = J("{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
                   " \"type\": [\"VerifiableCredential\"],"
                   " \"validFrom\": \"2024-01-01T00:00:00Z\","
                   " \"credentialSubject\": {\"id\": \"did:example:subject\", \"name\": \"Ada\"}}");
    json_object_set_new(vc, "issuer", json_string(issuer_did));
    return vc;
}

static json_t *di_sign(const party *p, json_t *doc, const char *purpose, const char *challenge,
                       const char *domain)
{
    json_t *secured = NULL;
    did_err err;
    did_di_sign_opts o = {.suite = ck_key_get_type(p->key) == CK_KEY_ED25519
                                       ? DID_DI_EDDSA_JCS_2022
                                       : DID_DI_ECDSA_JCS_2019,
                          .verification_method = p->kid,
                          .proof_purpose = purpose,
                          .challenge = challenge,
                          .domain = domain};
    t_assert_ok(did_di_sign(p->key, doc, &o, &secured, &err), &err);
    json_decref(doc);
    return secured;
}

static char *jwt_sign(const party *p, json_t *doc)
{
    did_buf b;
    did_err err;
    did_buf_init(&b);
    t_assert_ok(did_vcjose_sign(p->key, p->kid, doc, &b, &err), &err);
    json_decref(doc);
    return (char *)did_buf_steal(&b, NULL);
}

static json_t *di_presentation(json_t *creds, const char *challenge)
{
    json_t *vp = J("{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
                   " \"type\": [\"VerifiablePresentation\"]}");
    json_object_set_new(vp, "holder", json_string(holder.did));
    json_object_set_new(vp, "verifiableCredential", creds);
    return di_sign(&holder, vp, "authentication", challenge, DOMAIN);
}

static json_t *options(const char *challenge)
{
    return json_pack("{s:s, s:s}", "challenge", challenge, "domain", DOMAIN);
}

/* A fresh challenge from the service. */
static void get_challenge(char out[VERIFIER_CHALLENGE_LEN + 1])
{
    reply r;
    call("POST", "/challenges", NULL, NULL, &r);
    assert_int_equal(r.status, 201);
    const char *c = json_string_value(json_object_get(r.json, "challenge"));
    assert_non_null(c);
    assert_int_equal(strlen(c), VERIFIER_CHALLENGE_LEN);
    assert_non_null(json_string_value(json_object_get(r.json, "expires")));
    memcpy(out, c, VERIFIER_CHALLENGE_LEN + 1);
    reply_clear(&r);
}

/* ------------------------------------------------------------------------------------------ */
/* Tests. */

static void test_config(void **state)
{
    (void)state;
    verifier_config c;
    did_err err;
    verifier_config_init(&c);
    assert_string_equal(c.listen, "127.0.0.1:8082");
    assert_int_equal(c.challenge_ttl, 300);
    assert_int_equal(c.unknown_issuer, VERIFIER_UNKNOWN_ISSUER_WARN);
    assert_true(c.require_challenge);
    assert_int_equal(c.fetch_cache_max_ttl, 86400);
    const char *good = "{\"listen\": \"127.0.0.1:9000\", \"threads\": 4, \"challengeTtl\": 60,"
                       " \"fetchCacheMaxTtl\": 0,"
                       " \"trustedIssuers\": [\"did:key:z6MkA\", \"https://issuer.example\"],"
                       " \"unknownIssuer\": \"error\", \"requireChallenge\": false,"
                       " \"knownContexts\": [\"https://example.com/ctx/v1\"]}";
    t_assert_ok(verifier_config_apply(&c, (const uint8_t *)good, strlen(good), &err), &err);
    assert_string_equal(c.listen, "127.0.0.1:9000");
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.fetch_cache_max_ttl, 0);
    assert_int_equal(c.n_trusted, 2);
    assert_string_equal(c.trusted[1], "https://issuer.example");
    assert_int_equal(c.unknown_issuer, VERIFIER_UNKNOWN_ISSUER_ERROR);
    assert_false(c.require_challenge);
    assert_string_equal(c.contexts[0], "https://example.com/ctx/v1");
    assert_null(c.contexts[1]);
    /* A second file replaces the lists. */
    const char *again = "{\"trustedIssuers\": [\"did:key:z6MkB\"]}";
    t_assert_ok(verifier_config_apply(&c, (const uint8_t *)again, strlen(again), &err), &err);
    assert_int_equal(c.n_trusted, 1);
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {"{\"listn\": \"127.0.0.1:1\"}", DID_ERR_JSON_TYPE},
        {"{\"threads\": 0}", DID_ERR_JSON_TYPE},
        {"{\"threads\": \"2\"}", DID_ERR_JSON_TYPE},
        {"{\"challengeTtl\": 1.5}", DID_ERR_JSON_TYPE},
        {"{\"fetchCacheMaxTtl\": -1}", DID_ERR_JSON_TYPE},
        {"{\"fetchCacheMaxTtl\": 86401}", DID_ERR_JSON_TYPE},
        {"{\"unknownIssuer\": \"ignore\"}", DID_ERR_JSON_TYPE},
        {"{\"trustedIssuers\": [\"not a url\"]}", DID_ERR_JSON_TYPE},
        {"{\"trustedIssuers\": [\"did:key:z\", \"did:key:z\"]}", DID_ERR_JSON_TYPE},
        {"{\"requireChallenge\": 1}", DID_ERR_JSON_TYPE},
        {"{\"listen\": \"\"}", DID_ERR_JSON_TYPE},
        {"{\"threads\": 2, \"threads\": 3}", DID_ERR_JSON_DUPLICATE_KEY},
        {"[]", DID_ERR_JSON_TYPE},
        {"{", DID_ERR_JSON_SYNTAX},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        t_assert_code(
            verifier_config_apply(&c, (const uint8_t *)bad[i].text, strlen(bad[i].text), &err),
            bad[i].code, &err);
    t_assert_code(verifier_config_load(&c, "/nonexistent/civid.json", &err), DID_ERR_IO, &err);
    verifier_config_clear(&c);
}

static void test_request_decode(void **state)
{
    (void)state;
    verifier_request rq;
    json_t *root;
    did_err err;
    const char *ok1 = "{\"verifiableCredential\": {\"proof\": {}}, \"options\": "
                      "{\"returnCredential\": true}}";
    t_assert_ok(verifier_request_parse((const uint8_t *)ok1, strlen(ok1), VERIFIER_CREDENTIAL,
                                       &root, &rq, &err),
                &err);
    assert_non_null(rq.object);
    assert_true(rq.return_document);
    assert_non_null(json_object_get(rq.object, "proof"));
    json_decref(root);
    const char *ok2 = "{\"verifiablePresentation\": \"a.b.c\", \"options\": {\"challenge\": \"c\","
                      " \"domain\": \"d\"}}";
    t_assert_ok(verifier_request_parse((const uint8_t *)ok2, strlen(ok2), VERIFIER_PRESENTATION,
                                       &root, &rq, &err),
                &err);
    assert_string_equal(rq.text, "a.b.c");
    assert_string_equal(rq.challenge, "c");
    assert_string_equal(rq.domain, "d");
    json_decref(root);

    static const struct {
        verifier_kind kind;
        const char *text;
        int code;
    } bad[] = {
        {VERIFIER_CREDENTIAL, "[]", DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL, "{}", DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL, "{\"verifiableCredential\": 1}", DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL, "{\"verifiableCredential\": \"\"}", DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL, "{\"verifiablePresentation\": {}}", DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL, "{\"verifiableCredential\": {}, \"extra\": 1}", DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL, "{\"verifiableCredential\": {}, \"options\": []}", DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL, "{\"verifiableCredential\": {}, \"options\": {\"challenge\": \"x\"}}",
         DID_ERR_JSON_TYPE},
        {VERIFIER_CREDENTIAL,
         "{\"verifiableCredential\": {}, \"options\": {\"returnCredential\": 1}}",
         DID_ERR_JSON_TYPE},
        {VERIFIER_PRESENTATION,
         "{\"verifiablePresentation\": {}, \"options\": {\"challenge\": \"\"}}", DID_ERR_JSON_TYPE},
        {VERIFIER_PRESENTATION,
         "{\"verifiablePresentation\": {}, \"options\": {\"challenge\": \"a\\nb\"}}",
         DID_ERR_JSON_TYPE},
        {VERIFIER_PRESENTATION, "{\"verifiablePresentation\": {}, \"options\": {\"domain\": 7}}",
         DID_ERR_JSON_TYPE},
        {VERIFIER_PRESENTATION,
         "{\"verifiablePresentation\": {}, \"options\": {\"chalenge\": \"x\"}}", DID_ERR_JSON_TYPE},
        {VERIFIER_PRESENTATION, "{\"verifiablePresentation\": {},", DID_ERR_JSON_SYNTAX},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t_assert_code(verifier_request_parse((const uint8_t *)bad[i].text, strlen(bad[i].text),
                                             bad[i].kind, &root, &rq, &err),
                      bad[i].code, &err);
        assert_null(root);
    }
}

static void test_store(void **state)
{
    (void)state;
    char dir[300], ch[VERIFIER_CHALLENGE_LEN + 1], ch2[VERIFIER_CHALLENGE_LEN + 1];
    verifier_store *st;
    did_err err;
    int64_t exp;
    snprintf(dir, sizeof dir, "%s/store", data_dir);
    t_assert_ok(verifier_store_open(dir, (size_t)1 << 20, &st, &err), &err);
    t_assert_ok(verifier_challenge_issue(st, 1000, 10, 100, ch, &exp, &err), &err);
    assert_int_equal(exp, 1010);
    t_assert_ok(verifier_challenge_consume(st, ch, strlen(ch), 1005, &err), &err);
    t_assert_code(verifier_challenge_consume(st, ch, strlen(ch), 1006, &err),
                  DID_ERR_VP_CHALLENGE_USED, &err);
    t_assert_ok(verifier_challenge_issue(st, 1000, 10, 100, ch2, &exp, &err), &err);
    t_assert_code(verifier_challenge_consume(st, ch2, strlen(ch2), 1010, &err),
                  DID_ERR_VP_CHALLENGE_EXPIRED, &err);
    /* Never issued: wrong shape, or the right shape but unknown. */
    t_assert_code(verifier_challenge_consume(st, "hello", 5, 1000, &err),
                  DID_ERR_VP_CHALLENGE_UNKNOWN, &err);
    t_assert_code(verifier_challenge_consume(st, "AAAAAAAAAAAAAAAAAAAAAA", 22, 1000, &err),
                  DID_ERR_VP_CHALLENGE_UNKNOWN, &err);
    assert_int_equal(verifier_challenge_count(st), 2);
    /* The bound on outstanding challenges. */
    char more[VERIFIER_CHALLENGE_LEN + 1];
    t_assert_code(verifier_challenge_issue(st, 1000, 10, 2, more, &exp, &err),
                  CH_ERR_HTTP_UNAVAILABLE, &err);
    /* Expired ones are purged when the next is issued (the used one too, once expired). */
    t_assert_ok(verifier_challenge_issue(st, 2000, 10, 2, more, &exp, &err), &err);
    assert_int_equal(verifier_challenge_count(st), 1);
    t_assert_code(verifier_challenge_consume(st, ch, strlen(ch), 2001, &err),
                  DID_ERR_VP_CHALLENGE_UNKNOWN, &err);
    verifier_store_close(st);
    /* Durable: after a reopen, consumed stays consumed. */
    t_assert_ok(verifier_store_open(dir, (size_t)1 << 20, &st, &err), &err);
    t_assert_ok(verifier_challenge_consume(st, more, strlen(more), 2001, &err), &err);
    verifier_store_close(st);
    t_assert_ok(verifier_store_open(dir, (size_t)1 << 20, &st, &err), &err);
    t_assert_code(verifier_challenge_consume(st, more, strlen(more), 2002, &err),
                  DID_ERR_VP_CHALLENGE_USED, &err);
    verifier_store_close(st);
    t_assert_code(verifier_store_open("/proc/civid-no", (size_t)1 << 20, &st, &err), DID_ERR_IO,
                  &err);
}

static void test_credentials(void **state)
{
    (void)state;
    reply r;
    json_t *vc = di_sign(&issuer, credential(issuer.did), NULL, NULL, NULL);

    verify_vc(json_incref(vc), NULL, &r);
    expect_ok(&r);
    assert_null(json_object_get(r.json, "verifiableCredential"));
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 0);
    assert_false(has_problem(&r, "warnings", DID_ERR_VC_ISSUER_UNTRUSTED));
    reply_clear(&r);
    verify_vc(json_incref(vc), json_pack("{s:b}", "returnCredential", 1), &r);
    expect_ok(&r);
    assert_non_null(json_object_get(r.json, "verifiableCredential"));
    reply_clear(&r);

    /* Tampered. */
    json_t *forged = json_deep_copy(vc);
    json_object_set_new(json_object_get(forged, "credentialSubject"), "name", json_string("Eve"));
    verify_vc(forged, NULL, &r);
    expect_fail(&r, DID_ERR_DI_SIGNATURE);
    reply_clear(&r);

    /* vc+jwt, as a string. */
    char *jwt = jwt_sign(&issuer, credential(issuer.did));
    verify_vc(json_string(jwt), NULL, &r);
    expect_ok(&r);
    reply_clear(&r);
    jwt[strlen(jwt) - 2] = jwt[strlen(jwt) - 2] == 'A' ? 'B' : 'A';
    verify_vc(json_string(jwt), NULL, &r);
    expect_fail(&r, DID_ERR_JWS_SIGNATURE);
    reply_clear(&r);
    free(jwt);

    /* An issuer that is not trusted: an error under this configuration. */
    verify_vc(di_sign(&stranger, credential(stranger.did), NULL, NULL, NULL), NULL, &r);
    expect_fail(&r, DID_ERR_VC_ISSUER_UNTRUSTED);
    reply_clear(&r);

    /* A presentation where a credential is expected. */
    verify_vc(di_presentation(json_pack("[O]", vc), NULL), NULL, &r);
    expect_fail(&r, DID_ERR_VC_TYPE);
    reply_clear(&r);

    /* Not a credential at all: 400 problem details, and the service keeps serving. */
    post_doc("/credentials/verify", "verifiableCredential", json_string("not-a-jwt"), NULL, &r);
    expect_problem(&r, 400, DID_ERR_VC_FORMAT);
    reply_clear(&r);
    call("POST", "/credentials/verify", "{\"verifiableCredential\": {}, \"x\": 1}", NULL, &r);
    expect_problem(&r, 400, DID_ERR_JSON_TYPE);
    reply_clear(&r);
    call("POST", "/credentials/verify", "{\"verifiableCredential\": ", NULL, &r);
    expect_problem(&r, 400, DID_ERR_JSON_SYNTAX);
    reply_clear(&r);
    verify_vc(json_incref(vc), NULL, &r);
    expect_ok(&r);
    reply_clear(&r);
    json_decref(vc);
}

static void test_presentations(void **state)
{
    (void)state;
    reply r;
    char ch[VERIFIER_CHALLENGE_LEN + 1];
    json_t *vc = di_sign(&issuer, credential(issuer.did), NULL, NULL, NULL);

    /* Data Integrity presentation bound to a challenge we issued. */
    get_challenge(ch);
    json_t *vp = di_presentation(json_pack("[O]", vc), ch);
    verify_vp(json_incref(vp), options(ch), &r);
    expect_ok(&r);
    reply_clear(&r);
    /* The same again: the challenge is spent. */
    verify_vp(json_incref(vp), options(ch), &r);
    expect_fail(&r, DID_ERR_VP_CHALLENGE_USED);
    reply_clear(&r);
    json_decref(vp);

    /* A challenge of the right shape that we never issued, and no challenge at all. */
    const char *made_up = "AAAAAAAAAAAAAAAAAAAAAA";
    verify_vp(di_presentation(json_pack("[O]", vc), made_up), options(made_up), &r);
    expect_fail(&r, DID_ERR_VP_CHALLENGE_UNKNOWN);
    reply_clear(&r);
    verify_vp(di_presentation(json_pack("[O]", vc), NULL), NULL, &r);
    expect_fail(&r, DID_ERR_VP_CHALLENGE_UNKNOWN);
    reply_clear(&r);

    /* Signed for another challenge than the one named: consumed, and refused. */
    char ch2[VERIFIER_CHALLENGE_LEN + 1];
    get_challenge(ch);
    get_challenge(ch2);
    verify_vp(di_presentation(json_pack("[O]", vc), ch2), options(ch), &r);
    expect_fail(&r, DID_ERR_DI_CHALLENGE);
    reply_clear(&r);
    verify_vp(di_presentation(json_pack("[O]", vc), ch), options(ch), &r);
    expect_fail(&r, DID_ERR_VP_CHALLENGE_USED);
    reply_clear(&r);

    /* vp+jwt with an enveloped vc+jwt, nonce = challenge, aud = domain. */
    get_challenge(ch);
    char *cjwt = jwt_sign(&issuer, credential(issuer.did));
    char *url = malloc(strlen(cjwt) + 32);
    sprintf(url, "data:application/vc+jwt,%s", cjwt);
    json_t *pres = J("{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
                     " \"type\": [\"VerifiablePresentation\"]}");
    json_object_set_new(pres, "holder", json_string(holder.did));
    json_object_set_new(pres, "nonce", json_string(ch));
    json_object_set_new(pres, "aud", json_string(DOMAIN));
    json_object_set_new(pres, "verifiableCredential",
                        json_pack("[{s:[s], s:s, s:s}]", "@context",
                                  "https://www.w3.org/ns/credentials/v2", "type",
                                  "EnvelopedVerifiableCredential", "id", url));
    char *vpjwt = jwt_sign(&holder, pres);
    verify_vp(
        json_string(vpjwt),
        json_pack("{s:s, s:s, s:b}", "challenge", ch, "domain", DOMAIN, "returnPresentation", 1),
        &r);
    expect_ok(&r);
    assert_non_null(json_object_get(r.json, "verifiablePresentation"));
    reply_clear(&r);
    free(vpjwt);
    free(url);

    /* A vc+jwt credential where a presentation is expected. */
    get_challenge(ch);
    verify_vp(json_string(cjwt), options(ch), &r);
    expect_fail(&r, DID_ERR_VC_TYPE);
    reply_clear(&r);
    free(cjwt);

    /* SD-JWT with key binding to the challenge and audience. */
    json_t *claims = J("{\"vct\": \"https://example.com/id\", \"given_name\": \"Ada\","
                       " \"family_name\": \"Lovelace\"}");
    json_object_set_new(claims, "iss", json_string(issuer.did));
    const char *paths[] = {"/given_name", NULL};
    did_sdjwt_issue_opts so = {.kid = issuer.kid, .paths = paths, .holder_key = holder.key};
    did_buf sd, kb;
    did_err err;
    did_buf_init(&sd);
    did_buf_init(&kb);
    t_assert_ok(did_sdjwt_issue(issuer.key, &so, claims, &sd, &err), &err);
    get_challenge(ch);
    t_assert_ok(did_sdjwt_present((const char *)sd.data, sd.len, paths, holder.key, ch, DOMAIN, 0,
                                  &kb, &err),
                &err);
    verify_vp(json_string((const char *)kb.data), options(ch), &r);
    expect_ok(&r);
    reply_clear(&r);
    /* Without key binding the challenge cannot be proven. */
    get_challenge(ch);
    verify_vp(json_string((const char *)sd.data), options(ch), &r);
    expect_fail(&r, DID_ERR_SDJWT_KB);
    reply_clear(&r);
    did_buf_clear(&sd);
    did_buf_clear(&kb);
    json_decref(claims);

    /* POST /challenges takes no members. */
    call("POST", "/challenges", "{\"ttl\": 5}", NULL, &r);
    expect_problem(&r, 400, DID_ERR_JSON_TYPE);
    reply_clear(&r);
    json_decref(vc);
}

static void test_resolve(void **state)
{
    (void)state;
    reply r;
    char path[512];
    snprintf(path, sizeof path, "/1.0/identifiers/%s", issuer.did);
    call("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/did-resolution+json");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "didDocument"), "id")),
        issuer.did);
    reply_clear(&r);
    call("GET", path, NULL, "application/did+json", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/did+json");
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), issuer.did);
    reply_clear(&r);
    call("GET", path, NULL, "application/ld+json", &r);
    assert_non_null(strstr(r.content_type, "profile=\"https://w3id.org/did-resolution\""));
    reply_clear(&r);

    static const struct {
        const char *did;
        long status;
        const char *error;
    } bad[] = {
        {"did:key:zNotAKey", 400, "invalidDid"},
        {"not-a-did", 400, "invalidDid"},
        {"did:example:123", 501, "methodNotSupported"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/1.0/identifiers/%s", bad[i].did);
        call("GET", path, NULL, NULL, &r);
        assert_int_equal(r.status, bad[i].status);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(r.json, "didResolutionMetadata"), "error")),
                            bad[i].error);
        reply_clear(&r);
    }
}

static void test_metrics(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    did_buf b;
    char url[256];
    did_buf_init(&b);
    snprintf(url, sizeof url, "%s/metrics", base);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    assert_int_equal(did_buf_putc(&b, '\0'), DID_OK);
    const char *m = (const char *)b.data;
    static const char *const want[] = {
        "# TYPE civid_verifier_verifications_total counter\n",
        "# TYPE civid_verifier_challenges_stored gauge\n",
        "civid_verifier_challenges_refused_total ",
        "civid_http_requests_total{method=\"POST\",route=\"/presentations/verify\",class=\"2xx\"}",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strstr(m, want[i]) == NULL)
            fail_msg("/metrics lacks %s:\n%s", want[i], m);
    did_buf_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),        cmocka_unit_test(test_request_decode),
        cmocka_unit_test(test_store),         cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_presentations), cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_metrics),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
