/*
 * The one verification entry point (did/verify.h): format detection, Data Integrity
 * credentials and presentations (holder binding, challenge, domain, embedded and enveloped
 * credentials), VC-JOSE, SD-JWT, issuer binding, status through a fetch callback. Real keys,
 * real signatures, did:key resolution; nothing is mocked.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include <did/di.h>
#include <did/json.h>
#include <did/sdjwt.h>
#include <did/status.h>
#include <did/vc.h>
#include <did/vcjose.h>
#include <did/verify.h>

typedef struct party {
    ck_key *key;
    char did[256];
    char kid[512];
} party;

static party issuer, holder, other;
static did_ctx *ctx;

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

static int setup(void **state)
{
    did_err err;
    (void)state;
    make_party(&issuer, CK_KEY_ED25519);
    make_party(&holder, CK_KEY_P256);
    make_party(&other, CK_KEY_ED25519);
    return did_ctx_new(&ctx, &err);
}

static int teardown(void **state)
{
    (void)state;
    ck_key_free(issuer.key);
    ck_key_free(holder.key);
    ck_key_free(other.key);
    did_ctx_free(ctx);
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

/* An unsigned credential by issuer.did. */
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

/* Runs did_verify on the text of j (or on text), returns the code; r is left for inspection. */
static int run_text(const char *text, const did_verify_opts *o, did_result *r)
{
    did_err err;
    did_result_init(r);
    return did_verify(ctx, (const uint8_t *)text, strlen(text), o, r, &err);
}

static int run_json(const json_t *j, const did_verify_opts *o, did_result *r)
{
    char *text = json_dumps(j, JSON_COMPACT);
    int rc = run_text(text, o, r);
    free(text);
    return rc;
}

static int has_check(const did_result *r, const char *check)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i], check) == 0)
            return 1;
    return 0;
}

static int has_error(const did_result *r, int code)
{
    for (size_t i = 0; i < r->n_errors; i++)
        if (r->errors[i].code == code)
            return 1;
    return 0;
}

static void expect_error(int rc, did_result *r, int code)
{
    if (!has_error(r, code)) {
        json_t *j = did_result_to_json(r);
        char *t = json_dumps(j, JSON_INDENT(1));
        fail_msg("expected %s in the result, got rc %s:\n%s", did_err_name(code),
                 did_err_name(rc), t);
    }
    assert_int_not_equal(rc, DID_OK);
    assert_false(did_result_verified(r));
    assert_null(r->document);
    did_result_clear(r);
}

static void test_detect(void **state)
{
    (void)state;
    assert_string_equal(did_verify_detect((const uint8_t *)" \n{\"a\":1}", 9), "json");
    assert_string_equal(did_verify_detect((const uint8_t *)"a.b.c", 5), "jose");
    assert_string_equal(did_verify_detect((const uint8_t *)"a.b.c~d~", 8), "sd-jwt");
    assert_null(did_verify_detect((const uint8_t *)"a.b", 3));
    assert_null(did_verify_detect((const uint8_t *)"a.b.c.d.e", 9));
    /* Detection tells shapes apart; the JWS parser then refuses the stray '+'. */
    assert_string_equal(did_verify_detect((const uint8_t *)"a.b+c.d", 7), "jose");
    assert_null(did_verify_detect((const uint8_t *)".a.b", 4));
    assert_null(did_verify_detect((const uint8_t *)"  ", 2));
    assert_null(did_verify_detect(NULL, 0));

    did_result r;
    did_verify_opts o = {0};
    expect_error(run_text("hello world", &o, &r), &r, DID_ERR_VC_FORMAT);
    expect_error(run_text("eyJhbGciOiJFZERTQSJ9.a+b.c", &o, &r), &r, DID_ERR_VC_JWT);
    expect_error(run_text("{\"a\": ", &o, &r), &r, DID_ERR_JSON_SYNTAX);
    expect_error(run_text("{\"a\": 1, \"a\": 2}", &o, &r), &r, DID_ERR_JSON_DUPLICATE_KEY);
    json_t *vc = credential(issuer.did);
    expect_error(run_json(vc, &o, &r), &r, DID_ERR_VC_UNSECURED);
    json_decref(vc);
    /* The length limit. */
    size_t big = DID_VERIFY_MAX_LEN + 1;
    uint8_t *buf = malloc(big);
    memset(buf, ' ', big);
    did_err err;
    did_result_init(&r);
    assert_int_equal(did_verify(ctx, buf, big, &o, &r, &err), DID_ERR_LIMIT);
    did_result_clear(&r);
    assert_int_equal(did_verify(NULL, buf, 1, &o, &r, &err), DID_ERR_ARG);
    free(buf);
}

static void test_di_credential(void **state)
{
    (void)state;
    did_result r;
    did_verify_opts o = {0};
    json_t *vc = di_sign(&issuer, credential(issuer.did), NULL, NULL, NULL);
    t_assert_ok(run_json(vc, &o, &r), NULL);
    assert_true(did_result_verified(&r));
    assert_string_equal(r.format, "di-eddsa-jcs-2022");
    assert_true(has_check(&r, DID_CHECK_SIGNATURE));
    assert_true(has_check(&r, DID_CHECK_ISSUER));
    assert_true(has_check(&r, DID_CHECK_CONTEXT));
    assert_non_null(r.document);
    assert_string_equal(json_string_value(json_object_get(r.document, "issuer")), issuer.did);
    did_result_clear(&r);
    json_decref(vc);

    /* Signed by a key of another DID than the issuer: the signature is fine, the binding not. */
    vc = di_sign(&other, credential(issuer.did), NULL, NULL, NULL);
    expect_error(run_json(vc, &o, &r), &r, DID_ERR_VC_ISSUER_KEY);
    json_decref(vc);

    /* A model violation in a correctly signed credential still fails. */
    json_t *bad = credential(issuer.did);
    json_object_set_new(bad, "validUntil", json_string("2023-01-01T00:00:00Z"));
    vc = di_sign(&issuer, bad, NULL, NULL, NULL);
    expect_error(run_json(vc, &o, &r), &r, DID_ERR_VC_DATE);
    json_decref(vc);

    /* Proof purpose: a credential signed for authentication is not an assertion. */
    vc = di_sign(&issuer, credential(issuer.did), "authentication", NULL, NULL);
    expect_error(run_json(vc, &o, &r), &r, DID_ERR_DI_PURPOSE);
    json_decref(vc);
}

/* A presentation by holder with the given embedded credentials, DI-signed. */
static json_t *presentation(const party *signer, const char *holder_did, json_t *creds,
                            const char *challenge, const char *domain)
{
    json_t *vp = J("{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
                   " \"type\": [\"VerifiablePresentation\"]}");
    if (holder_did != NULL)
        json_object_set_new(vp, "holder", json_string(holder_did));
    json_object_set_new(vp, "verifiableCredential", creds);
    return di_sign(signer, vp, "authentication", challenge, domain);
}

static void test_di_presentation(void **state)
{
    (void)state;
    did_result r;
    did_verify_opts o = {.challenge = "c-123", .domain = "https://verifier.example"};
    json_t *vc = di_sign(&issuer, credential(issuer.did), NULL, NULL, NULL);

    /* Embedded DI credential plus an enveloped vc+jwt one. */
    did_buf jwt;
    did_err err;
    did_buf_init(&jwt);
    json_t *vc2 = credential(issuer.did);
    t_assert_ok(did_vcjose_sign(issuer.key, issuer.kid, vc2, &jwt, &err), &err);
    json_decref(vc2);
    char *url = malloc(jwt.len + 64);
    sprintf(url, "data:application/vc+jwt,%s", (const char *)jwt.data);
    json_t *env = json_pack("{s:[s], s:s, s:s}", "@context", "https://www.w3.org/ns/credentials/v2",
                            "id", url, "type", "EnvelopedVerifiableCredential");

    json_t *vp = presentation(&holder, holder.did, json_pack("[O, O]", vc, env), "c-123",
                              "https://verifier.example");
    t_assert_ok(run_json(vp, &o, &r), NULL);
    assert_true(has_check(&r, DID_CHECK_HOLDER));
    assert_true(has_check(&r, DID_CHECK_CHALLENGE));
    assert_true(has_check(&r, DID_CHECK_DOMAIN));
    assert_true(has_check(&r, DID_CHECK_CREDENTIALS));
    did_result_clear(&r);

    /* Wrong challenge, wrong domain, no challenge expected (warning only). */
    did_verify_opts o2 = o;
    o2.challenge = "c-999";
    expect_error(run_json(vp, &o2, &r), &r, DID_ERR_DI_CHALLENGE);
    o2 = o;
    o2.domain = "https://evil.example";
    expect_error(run_json(vp, &o2, &r), &r, DID_ERR_DI_DOMAIN);
    json_decref(vp);

    /* Signed by someone who is not the holder. */
    vp = presentation(&other, holder.did, json_pack("[O]", vc), "c-123", "https://verifier.example");
    expect_error(run_json(vp, &o, &r), &r, DID_ERR_VP_HOLDER);
    json_decref(vp);

    /* An embedded credential that was tampered with fails the presentation. */
    json_t *forged = json_deep_copy(vc);
    json_object_set_new(json_object_get(forged, "credentialSubject"), "name", json_string("Eve"));
    vp = presentation(&holder, holder.did, json_pack("[o]", forged), "c-123",
                      "https://verifier.example");
    expect_error(run_json(vp, &o, &r), &r, DID_ERR_DI_SIGNATURE);
    json_decref(vp);

    /* A presentation where a credential is expected (nested inside a presentation). */
    json_t *inner = presentation(&holder, holder.did, json_pack("[O]", vc), NULL, NULL);
    vp = presentation(&holder, holder.did, json_pack("[o]", inner), "c-123",
                      "https://verifier.example");
    expect_error(run_json(vp, &o, &r), &r, DID_ERR_VP_CREDENTIAL);
    json_decref(vp);

    /* A standalone envelope verifies like its content. */
    did_verify_opts none = {0};
    t_assert_ok(run_json(env, &none, &r), NULL);
    assert_string_equal(r.format, "vc-jwt");
    did_result_clear(&r);
    json_object_set_new(env, "id", json_string("data:application/json,{}"));
    expect_error(run_json(env, &none, &r), &r, DID_ERR_VC_FORMAT);

    json_decref(env);
    free(url);
    did_buf_clear(&jwt);
    json_decref(vc);
}

static void test_jose_and_sdjwt(void **state)
{
    (void)state;
    did_result r;
    did_verify_opts o = {0};
    did_buf tok;
    did_err err;
    did_buf_init(&tok);
    json_t *vc = credential(issuer.did);
    t_assert_ok(did_vcjose_sign(issuer.key, issuer.kid, vc, &tok, &err), &err);
    t_assert_ok(run_text((const char *)tok.data, &o, &r), NULL);
    assert_string_equal(r.format, "vc-jwt");
    did_result_clear(&r);
    /* Flip one signature character. */
    tok.data[tok.len - 3] = tok.data[tok.len - 3] == 'A' ? 'B' : 'A';
    expect_error(run_text((const char *)tok.data, &o, &r), &r, DID_ERR_JWS_SIGNATURE);
    did_buf_reset(&tok);

    json_t *claims = J("{\"vct\": \"https://example.com/id\", \"given_name\": \"Ada\","
                       " \"family_name\": \"Lovelace\"}");
    json_object_set_new(claims, "iss", json_string(issuer.did));
    const char *paths[] = {"/given_name", NULL};
    did_sdjwt_issue_opts so = {.kid = issuer.kid, .paths = paths, .holder_key = holder.key};
    t_assert_ok(did_sdjwt_issue(issuer.key, &so, claims, &tok, &err), &err);
    t_assert_ok(run_text((const char *)tok.data, &o, &r), NULL);
    assert_string_equal(r.format, "sd-jwt");
    assert_string_equal(json_string_value(json_object_get(r.document, "given_name")), "Ada");
    did_result_clear(&r);
    /* A challenge requires key binding... */
    did_verify_opts oc = {.challenge = "n-1", .domain = "https://verifier.example"};
    expect_error(run_text((const char *)tok.data, &oc, &r), &r, DID_ERR_SDJWT_KB);
    /* ...which the holder's presentation provides, for this nonce and audience only. */
    did_buf pres;
    did_buf_init(&pres);
    t_assert_ok(did_sdjwt_present((const char *)tok.data, tok.len, paths, holder.key, "n-1",
                                  "https://verifier.example", 0, &pres, &err),
                &err);
    t_assert_ok(run_text((const char *)pres.data, &oc, &r), NULL);
    assert_true(has_check(&r, DID_CHECK_KEY_BINDING));
    did_result_clear(&r);
    did_verify_opts ow = oc;
    ow.challenge = "n-2";
    expect_error(run_text((const char *)pres.data, &ow, &r), &r, DID_ERR_SDJWT_KB_NONCE);
    did_buf_clear(&pres);
    did_buf_clear(&tok);
    json_decref(claims);
    json_decref(vc);
}

/* The status fetch callback: hands out the one list it holds, for its URL. */
typedef struct lists {
    const char *url;
    json_t *vc;
    int calls;
} lists;

static int fetch(void *user, const char *url, json_t **out, did_err *err)
{
    lists *l = user;
    l->calls++;
    if (strcmp(url, l->url) != 0)
        return did_err_set(err, DID_ERR_STATUS_LIST, "unknown list %s", url);
    *out = json_incref(l->vc);
    return DID_OK;
}

static void test_status(void **state)
{
    (void)state;
    const char *url = "https://issuer.example/status/7";
    did_err err;
    did_status_list *list = NULL;
    json_t *entry = NULL, *lvc = NULL;
    did_result r;
    t_assert_ok(did_status_list_new(131072, 1, &list, &err), &err);
    t_assert_ok(did_status_entry(url, "revocation", 99, &entry, &err), &err);
    json_t *vc = credential(issuer.did);
    json_object_set_new(vc, "credentialStatus", entry);
    json_t *signed_vc = di_sign(&issuer, vc, NULL, NULL, NULL);

    /* No source: verified, with a warning that the status was not checked. */
    did_verify_opts o = {0};
    t_assert_ok(run_json(signed_vc, &o, &r), NULL);
    assert_int_equal(r.n_warnings, 1);
    assert_int_equal(r.warnings[0].code, DID_ERR_STATUS_LIST);
    did_result_clear(&r);

    lists l = {url, NULL, 0};
    o.status_fetch = fetch;
    o.status_user = &l;
    t_assert_ok(did_status_list_credential(list, url, issuer.did, "revocation", 1700000000, &lvc,
                                           &err),
                &err);
    l.vc = lvc;
    t_assert_ok(run_json(signed_vc, &o, &r), NULL);
    assert_true(has_check(&r, DID_CHECK_STATUS));
    assert_int_equal(l.calls, 1);
    did_result_clear(&r);
    json_decref(lvc);

    t_assert_ok(did_status_list_set(list, 99, 1, &err), &err);
    t_assert_ok(did_status_list_credential(list, url, issuer.did, "revocation", 1700000000, &lvc,
                                           &err),
                &err);
    l.vc = lvc;
    expect_error(run_json(signed_vc, &o, &r), &r, DID_ERR_STATUS_REVOKED);
    json_decref(lvc);

    /* A source that cannot find the list: an error, never silently "not revoked". */
    l.url = "https://elsewhere.example/list";
    expect_error(run_json(signed_vc, &o, &r), &r, DID_ERR_STATUS_LIST);

    json_decref(signed_vc);
    did_status_list_free(list);
}

static void test_verify_json(void **state)
{
    (void)state;
    did_result r;
    did_err err;
    did_verify_opts o = {0};
    json_t *vc = di_sign(&issuer, credential(issuer.did), NULL, NULL, NULL);
    did_result_init(&r);
    t_assert_ok(did_verify_json(ctx, vc, &o, &r, &err), &err);
    assert_string_equal(r.format, "di-eddsa-jcs-2022");
    assert_non_null(r.document);
    did_result_clear(&r);
    json_decref(vc);

    did_buf tok;
    did_buf_init(&tok);
    json_t *plain = credential(issuer.did);
    t_assert_ok(did_vcjose_sign(issuer.key, issuer.kid, plain, &tok, &err), &err);
    json_t *s = json_stringn((const char *)tok.data, tok.len);
    did_result_init(&r);
    t_assert_ok(did_verify_json(ctx, s, &o, &r, &err), &err);
    assert_string_equal(r.format, "vc-jwt");
    did_result_clear(&r);
    json_decref(s);
    did_buf_clear(&tok);

    /* Not a document at all; an unsecured object. */
    json_t *n = json_integer(7);
    did_result_init(&r);
    t_assert_code(did_verify_json(ctx, n, &o, &r, &err), DID_ERR_VC_FORMAT, &err);
    did_result_clear(&r);
    json_decref(n);
    did_result_init(&r);
    t_assert_code(did_verify_json(ctx, plain, &o, &r, &err), DID_ERR_VC_UNSECURED, &err);
    assert_null(r.document);
    did_result_clear(&r);
    json_decref(plain);
    t_assert_code(did_verify_json(NULL, plain, &o, &r, &err), DID_ERR_ARG, &err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),          cmocka_unit_test(test_di_credential),
        cmocka_unit_test(test_di_presentation), cmocka_unit_test(test_jose_and_sdjwt),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_verify_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
