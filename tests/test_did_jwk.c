/* did:jwk: the examples of the did:jwk method specification (quartzjer/did-jwk spec.md,
 * "Examples": P-256 and X25519), round trips for every key type, and rejected identifiers. */
#include <stdlib.h>
#include <string.h>

#include <did/did.h>

#include "support.h"

/* spec.md "Examples" / "P-256": the DID and the publicKeyJwk of its document. */
#define P256_DID                                                                                   \
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6" \
    "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
#define P256_JWK                                        \
    "{\"crv\": \"P-256\", \"kty\": \"EC\", \"x\": "     \
    "\"acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0\", " \
    "\"y\": \"_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE\"}"
/* spec.md "Examples" / "X25519" ("use": "enc"). */
#define X25519_DID                                                                                 \
    "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdP" \
    "UTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
#define X25519_JWK                                         \
    "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"use\":\"enc\"," \
    "\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\"}"

static const char *const rels[] = {"assertionMethod", "authentication", "capabilityInvocation",
                                   "capabilityDelegation", "keyAgreement"};

static void assert_str(const json_t *v, const char *want)
{
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), want);
}

/* The document the spec shows for a DID: "<did>#0", JsonWebKey2020, the JWK as given, and the
 * relationships its "use" selects (the spec's own P-256 example has a stray '$' in one
 * authentication entry, so the ids are compared with what the template says, "<did>#0"). */
static void check_doc(const char *did, const char *jwk_text, int sig, int enc)
{
    did_ctx *ctx = NULL;
    json_t *doc = NULL, *want_jwk;
    json_error_t jerr;
    const json_t *vm, *ctxs;
    did_err err_s, *err = &err_s;
    char vm_id[512];

    snprintf(vm_id, sizeof(vm_id), "%s#0", did);
    want_jwk = json_loads(jwk_text, 0, &jerr);
    assert_non_null(want_jwk);
    t_assert_ok(did_ctx_new(&ctx, err), err);
    t_assert_ok(did_resolve(ctx, did, strlen(did), &doc, err), err);
    ctxs = json_object_get(doc, "@context");
    assert_int_equal(json_array_size(ctxs), 2);
    assert_str(json_array_get(ctxs, 0), "https://www.w3.org/ns/did/v1");
    assert_str(json_array_get(ctxs, 1), "https://w3id.org/security/suites/jws-2020/v1");
    assert_str(json_object_get(doc, "id"), did);
    assert_int_equal(json_array_size(json_object_get(doc, "verificationMethod")), 1);
    vm = json_array_get(json_object_get(doc, "verificationMethod"), 0);
    assert_str(json_object_get(vm, "id"), vm_id);
    assert_str(json_object_get(vm, "type"), "JsonWebKey2020");
    assert_str(json_object_get(vm, "controller"), did);
    assert_true(json_equal(json_object_get(vm, "publicKeyJwk"), want_jwk));
    for (size_t i = 0; i < 5; i++) {
        const json_t *r = json_object_get(doc, rels[i]);
        int present = i < 4 ? sig : enc;
        if (!present) {
            assert_null(r);
            continue;
        }
        assert_int_equal(json_array_size(r), 1);
        assert_str(json_array_get(r, 0), vm_id);
    }
    json_decref(want_jwk);
    json_decref(doc);
    did_ctx_free(ctx);
}

static void test_spec_examples(void **state)
{
    (void)state;
    check_doc(P256_DID, P256_JWK, 1, 1);
    check_doc(X25519_DID, X25519_JWK, 0, 1);
}

static void expect_key(const char *url, did_relationship rel, int code, ck_key_type type)
{
    did_ctx *ctx = NULL;
    ck_key *k = NULL;
    did_err err_s, *err = &err_s;

    t_assert_ok(did_ctx_new(&ctx, err), err);
    t_assert_code(did_resolve_key(ctx, url, strlen(url), rel, &k, NULL, err), code, err);
    if (code == DID_OK)
        assert_int_equal(ck_key_get_type(k), type);
    else
        assert_null(k);
    ck_key_free(k);
    did_ctx_free(ctx);
}

static void test_spec_resolve_key(void **state)
{
    (void)state;
    expect_key(P256_DID "#0", DID_REL_AUTHENTICATION, DID_OK, CK_KEY_P256);
    expect_key(P256_DID "#0", DID_REL_KEY_AGREEMENT, DID_OK, CK_KEY_P256);
    expect_key(X25519_DID "#0", DID_REL_KEY_AGREEMENT, DID_OK, CK_KEY_X25519);
    expect_key(X25519_DID "#0", DID_REL_ASSERTION_METHOD, DID_ERR_DID_VM_RELATIONSHIP, 0);
    /* The spec: "#0" is the only valid fragment, even if the JWK has a kid. */
    expect_key(P256_DID "#1", DID_REL_ANY, DID_ERR_DID_VM_NOT_FOUND, 0);
}

static void test_round_trip(void **state)
{
    static const ck_key_type types[] = {CK_KEY_ED25519, CK_KEY_X25519, CK_KEY_SECP256K1,
                                        CK_KEY_P256, CK_KEY_P384};
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;
    ck_err ce;

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        ck_key *k = NULL, *got = NULL;
        did_buf did;
        char jwk[CK_JWK_MAX_LEN], url[1024];
        size_t jwk_len;
        json_t *doc = NULL;

        did_buf_init(&did);
        if (ck_key_generate(types[i], &k, &ce) != CK_OK)
            fail_msg("generate: %s", ce.msg);
        t_assert_ok(did_jwk_from_key(k, &did, err), err);
        assert_memory_equal(did.data, "did:jwk:", 8);
        /* Only the public JWK goes into the DID. */
        assert_int_equal(ck_key_export_jwk(k, 0, jwk, sizeof(jwk), &jwk_len, &ce), CK_OK);
        t_assert_ok(did_resolve(ctx, (const char *)did.data, did.len, &doc, err), err);
        /* No "use" in our JWKs: every relationship, except that an X25519 key only does key
         * agreement (spec/did.md). */
        check_doc((const char *)did.data, jwk, types[i] != CK_KEY_X25519, 1);
        snprintf(url, sizeof(url), "%s#0", (const char *)did.data);
        t_assert_ok(did_resolve_key(ctx, url, strlen(url), DID_REL_ANY, &got, NULL, err), err);
        assert_true(ck_key_public_equal(k, got));
        assert_int_equal(ck_key_has_private(got), 0);
        json_decref(doc);
        ck_key_free(got);
        ck_key_free(k);
        did_buf_clear(&did);
    }
    did_ctx_free(ctx);
}

/* "did:jwk:" + base64url(text). */
static char *did_for(const char *text)
{
    size_t n = strlen(text), len = 0;
    char *out = malloc(8 + ck_b64url_encoded_len(n) + 1);
    ck_err ce;

    assert_non_null(out);
    memcpy(out, "did:jwk:", 8);
    assert_int_equal(ck_b64url_encode((const uint8_t *)text, n, out + 8,
                                      ck_b64url_encoded_len(n) + 1, &len, &ce),
                     CK_OK);
    return out;
}

static void expect_bad(const char *did, int code, const char *msg_part)
{
    did_ctx *ctx = NULL;
    json_t *doc = NULL;
    did_err err_s, *err = &err_s;

    t_assert_ok(did_ctx_new(&ctx, err), err);
    t_assert_code(did_resolve(ctx, did, strlen(did), &doc, err), code, err);
    assert_null(doc);
    if (msg_part != NULL && strstr(err->msg, msg_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, msg_part);
    did_ctx_free(ctx);
}

static void expect_bad_json(const char *text, const char *msg_part)
{
    char *did = did_for(text);
    expect_bad(did, DID_ERR_DID_INVALID, msg_part);
    free(did);
}

static void test_rejected(void **state)
{
    (void)state;
    /* A private JWK (the spec: must be rejected); key from did-key/nist-curves.json. */
    expect_bad_json("{\"kty\":\"EC\",\"crv\":\"P-256\","
                    "\"x\":\"igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns\","
                    "\"y\":\"efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM\","
                    "\"d\":\"gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc\"}",
                    "\"d\"");
    /* Not a JWK. */
    expect_bad_json("not json", "JWK");
    expect_bad_json("[\"kty\"]", "not a JSON object");
    expect_bad_json("{\"kty\":\"EC\",\"crv\":\"P-256\"}", "\"x\"");
    expect_bad_json("{\"kty\":\"RSA\",\"crv\":\"P-256\",\"x\":\"AA\"}", "JWK");
    expect_bad_json("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":7}", "\"x\"");
    expect_bad_json("{\"kty\":\"OKP\",\"crv\":\"X25519\",\"use\":\"wrap\","
                    "\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\"}",
                    "use");
    /* Duplicate members are a strict-JSON error, not last-one-wins. */
    expect_bad_json("{\"kty\":\"OKP\",\"kty\":\"OKP\",\"crv\":\"X25519\","
                    "\"x\":\"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08\"}",
                    "JWK");
    /* base64url: '=' padding is not even DID syntax; percent-encoded it is, but not base64url;
     * a length of 1 mod 4; non-zero trailing bits ("e30" is "{}", "e31" is not canonical). */
    expect_bad(P256_DID "==", DID_ERR_DID_SYNTAX, NULL);
    expect_bad(P256_DID "%3D%3D", DID_ERR_DID_INVALID, "method-specific id");
    expect_bad(P256_DID "A", DID_ERR_DID_INVALID, "method-specific id");
    expect_bad("did:jwk:e31", DID_ERR_DID_INVALID, "method-specific id");
    expect_bad("did:jwk:e3.", DID_ERR_DID_INVALID, "method-specific id");
    expect_bad("did:jwk:e30", DID_ERR_DID_INVALID, "\"kty\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_spec_resolve_key),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
