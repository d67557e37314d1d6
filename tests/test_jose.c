/* JOSE: compact JWS (RFC 7515) and JWT claims (RFC 7519).
 *
 * Published vectors, taken from the RFC texts:
 *  - RFC 7515 appendix A.3 (ES256): the compact JWS and the P-256 JWK of A.3.1.
 *  - RFC 8037 appendix A.1 (Ed25519 key) and A.4 (the EdDSA JWS of "Example of Ed25519
 *    signing"), which signing must reproduce byte for byte (Ed25519 is deterministic).
 * Everything else is signed here, with keys imported from fixed bytes or generated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/jose.h>
#include <did/json.h>

#include "support.h"

/* RFC 7515 A.3.1: the ES256 key (x, y, d) and A.3.1's complete JWS. */
#define A3_X "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define A3_Y "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
#define A3_D "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
#define A3_JWS                                                                                     \
    "eyJhbGciOiJFUzI1NiJ9"                                                                         \
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnV" \
    "lfQ"                                                                                          \
    ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
#define A3_PAYLOAD \
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"

/* RFC 8037 A.1 (Ed25519 key) and A.4 (the JWS). */
#define ED_D "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define ED_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define ED_JWS                                                 \
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc" \
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

static const ck_key_type sign_types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384,
                                         CK_KEY_SECP256K1};
#define N_SIGN_TYPES (sizeof(sign_types) / sizeof(sign_types[0]))

/* ------------------------------------------------------------------------------------------- */

static uint8_t *b64d(const char *s, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *out = malloc(n + 1);
    ck_err ce;

    assert_non_null(out);
    if (ck_b64url_decode(s, n, out, n + 1, len, &ce) != CK_OK)
        fail_msg("base64url %s: %s", s, ce.msg);
    return out;
}

static void append_b64(did_buf *b, const void *p, size_t n)
{
    char *tmp = malloc(ck_b64url_encoded_len(n) + 1);
    size_t w = 0;
    ck_err ce;

    assert_non_null(tmp);
    if (ck_b64url_encode(p, n, tmp, ck_b64url_encoded_len(n) + 1, &w, &ce) != CK_OK)
        fail_msg("encode: %s", ce.msg);
    assert_int_equal(did_buf_append(b, tmp, w), DID_OK);
    free(tmp);
}

/* A private key from a fixed secret: bytes seed, seed+1, ... (valid scalars for every curve). */
static ck_key *fixed_key(ck_key_type type, uint8_t seed)
{
    uint8_t secret[48];
    size_t len = type == CK_KEY_P384 ? 48 : 32;
    ck_key *k = NULL;
    ck_err ce;

    for (size_t i = 0; i < len; i++)
        secret[i] = (uint8_t)(seed + i);
    if (ck_key_import_private(type, secret, len, &k, &ce) != CK_OK)
        fail_msg("import %s: %s", ck_key_type_name(type), ce.msg);
    return k;
}

static ck_key *public_of(const ck_key *k)
{
    ck_key *p = NULL;
    ck_err ce;

    if (ck_key_public_copy(k, &p, &ce) != CK_OK)
        fail_msg("public copy: %s", ce.msg);
    return p;
}

/* The RFC 7515 A.3 key (public, or with d). */
static ck_key *a3_key(int with_private)
{
    size_t xl, yl, dl;
    uint8_t *x = b64d(A3_X, &xl), *y = b64d(A3_Y, &yl), *d = b64d(A3_D, &dl);
    uint8_t pub[65];
    ck_key *k = NULL;
    ck_err ce;

    assert_int_equal(xl, 32);
    assert_int_equal(yl, 32);
    assert_int_equal(dl, 32);
    pub[0] = 0x04;
    memcpy(pub + 1, x, 32);
    memcpy(pub + 33, y, 32);
    if (with_private) {
        ck_key *pk = NULL;
        if (ck_key_import_private(CK_KEY_P256, d, dl, &k, &ce) != CK_OK)
            fail_msg("A.3 d: %s", ce.msg);
        /* d must belong to (x, y). */
        assert_int_equal(ck_key_import_public(CK_KEY_P256, pub, sizeof(pub), &pk, &ce), CK_OK);
        assert_true(ck_key_public_equal(k, pk));
        ck_key_free(pk);
    } else if (ck_key_import_public(CK_KEY_P256, pub, sizeof(pub), &k, &ce) != CK_OK) {
        fail_msg("A.3 x/y: %s", ce.msg);
    }
    free(x);
    free(y);
    free(d);
    return k;
}

/* The RFC 8037 A.1 key (with d: the seed); its public half must be x. */
static ck_key *ed_key(void)
{
    size_t dl, xl, pl = 0;
    uint8_t *d = b64d(ED_D, &dl), *x = b64d(ED_X, &xl);
    uint8_t pub[32];
    ck_key *k = NULL;
    ck_err ce;

    if (ck_key_import_private(CK_KEY_ED25519, d, dl, &k, &ce) != CK_OK)
        fail_msg("A.1 d: %s", ce.msg);
    assert_int_equal(ck_key_export_public(k, 0, pub, sizeof(pub), &pl, &ce), CK_OK);
    assert_int_equal(pl, 32);
    assert_int_equal(xl, 32);
    assert_memory_equal(pub, x, 32);
    free(d);
    free(x);
    return k;
}

/* A JWS over arbitrary header bytes (not necessarily JCS or even JSON), validly signed with
 * key (any type that signs), so that a test exercises exactly one header check. */
static char *make_jws(const ck_key *key, const char *header, const char *payload)
{
    did_buf b;
    uint8_t sig[CK_SIG_MAX_LEN];
    size_t sig_len = 0;
    ck_err ce;

    did_buf_init(&b);
    append_b64(&b, header, strlen(header));
    assert_int_equal(did_buf_putc(&b, '.'), DID_OK);
    append_b64(&b, payload, strlen(payload));
    if (ck_sign(key, b.data, b.len, sig, sizeof(sig), &sig_len, &ce) != CK_OK)
        fail_msg("sign: %s", ce.msg);
    assert_int_equal(did_buf_putc(&b, '.'), DID_OK);
    append_b64(&b, sig, sig_len);
    return (char *)did_buf_steal(&b, NULL);
}

static char *sign_payload(const ck_key *key, const did_jws_sign_opts *opts, const char *payload)
{
    did_buf b;
    did_err err_s, *err = &err_s;

    did_buf_init(&b);
    t_assert_ok(did_jws_sign(key, opts, (const uint8_t *)payload, strlen(payload), &b, err), err);
    return (char *)did_buf_steal(&b, NULL);
}

static void assert_cleared(const did_jws *j)
{
    assert_null(j->header);
    assert_null(j->payload);
    assert_int_equal(j->payload_len, 0);
    assert_null(j->key);
    assert_null(j->kid);
    assert_null(j->alg);
}

/* Verifies s and asserts the code; on error, that *out was left cleared. */
static void expect_verify(const did_ctx *ctx, const char *s, const did_jws_verify_opts *opts,
                          int code)
{
    did_jws j;
    did_err err_s, *err = &err_s;

    did_err_clear(err);
    t_assert_code(did_jws_verify(ctx, s, strlen(s), opts, &j, err), code, err);
    if (code != DID_OK) {
        assert_cleared(&j);
        assert_int_equal(err->code, code);
        assert_true(err->msg[0] != '\0');
    } else {
        assert_non_null(j.header);
        assert_non_null(j.payload);
        assert_non_null(j.key);
        assert_false(ck_key_has_private(j.key));
    }
    did_jws_clear(&j);
}

/* Signs header/payload with key and checks verification with opts->key = pub. */
static void expect_header(const ck_key *key, const char *header, const did_jws_verify_opts *opts,
                          int code)
{
    char *s = make_jws(key, header, "{}");
    expect_verify(NULL, s, opts, code);
    free(s);
}

/* ------------------------------------------------------------------------------------------- */

static void test_rfc7515_a3(void **state)
{
    ck_key *pub = a3_key(0), *priv = a3_key(1);
    did_jws_verify_opts opts = {0};
    did_jwt_check_opts copts = {0};
    did_jws j;
    json_t *claims = NULL;
    did_err err_s, *err = &err_s;

    (void)state;
    opts.key = pub;
    t_assert_ok(did_jws_verify(NULL, A3_JWS, strlen(A3_JWS), &opts, &j, err), err);
    assert_string_equal(j.alg, "ES256");
    assert_null(j.kid);
    assert_int_equal(j.payload_len, strlen(A3_PAYLOAD));
    assert_memory_equal(j.payload, A3_PAYLOAD, j.payload_len);
    assert_int_equal(j.payload[j.payload_len], 0);
    assert_string_equal(json_string_value(json_object_get(j.header, "alg")), "ES256");
    assert_int_equal(json_object_size(j.header), 1);
    assert_true(ck_key_public_equal(j.key, pub));
    did_jws_clear(&j);
    assert_cleared(&j);

    /* The private key verifies too (only its public half is kept). */
    opts.key = priv;
    expect_verify(NULL, A3_JWS, &opts, DID_OK);
    opts.key = pub;

    /* The header has no typ: requiring one fails; excluding ES256 fails. */
    opts.typ = "JWT";
    expect_verify(NULL, A3_JWS, &opts, DID_ERR_JWS_TYP);
    opts.typ = NULL;
    opts.algs = DID_JWS_ALG_ALL & ~DID_JWS_ALG_ES256;
    expect_verify(NULL, A3_JWS, &opts, DID_ERR_JWS_ALG);
    opts.algs = DID_JWS_ALG_ES256;
    expect_verify(NULL, A3_JWS, &opts, DID_OK);

    /* As a JWT: exp is 1300819380; the payload's CRLFs are JSON whitespace. */
    copts.now = 1300819379;
    copts.iss = "joe";
    t_assert_ok(did_jwt_verify(NULL, A3_JWS, strlen(A3_JWS), &opts, &copts, &j, &claims, err), err);
    assert_true(json_is_true(json_object_get(claims, "http://example.com/is_root")));
    json_decref(claims);
    did_jws_clear(&j);
    copts.now = 1300819380;
    t_assert_code(did_jwt_verify(NULL, A3_JWS, strlen(A3_JWS), &opts, &copts, &j, &claims, err),
                  DID_ERR_JWT_EXPIRED, err);
    assert_null(claims);
    assert_cleared(&j);

    /* A fresh ES256 signature (ECDSA is randomised) over the same input verifies. */
    {
        char *s = make_jws(priv, "{\"alg\":\"ES256\"}", A3_PAYLOAD);
        expect_verify(NULL, s, &opts, DID_OK);
        free(s);
    }
    ck_key_free(pub);
    ck_key_free(priv);
}

static void test_rfc8037_a4(void **state)
{
    ck_key *k = ed_key(), *pub = public_of(k);
    did_jws_verify_opts opts = {0};
    did_jws j;
    did_buf b;
    did_err err_s, *err = &err_s;
    const char *payload = "Example of Ed25519 signing";

    (void)state;
    opts.key = pub;
    t_assert_ok(did_jws_verify(NULL, ED_JWS, strlen(ED_JWS), &opts, &j, err), err);
    assert_string_equal(j.alg, "EdDSA");
    assert_string_equal((const char *)j.payload, payload);
    assert_int_equal(j.payload_len, strlen(payload));
    did_jws_clear(&j);

    /* Signing reproduces A.4 exactly: {"alg":"EdDSA"} is already in JCS form. */
    did_buf_init(&b);
    t_assert_ok(did_jws_sign(k, NULL, (const uint8_t *)payload, strlen(payload), &b, err), err);
    assert_string_equal((const char *)b.data, ED_JWS);
    assert_int_equal(b.len, strlen(ED_JWS));
    /* Appending to a buffer that already holds text keeps it. */
    did_buf_reset(&b);
    assert_int_equal(did_buf_append_str(&b, "jws="), DID_OK);
    t_assert_ok(did_jws_sign(k, NULL, (const uint8_t *)payload, strlen(payload), &b, err), err);
    assert_string_equal((const char *)b.data, "jws=" ED_JWS);
    did_buf_clear(&b);

    /* RFC 9864's "Ed25519" is accepted on input, as the same key type and allow-list bit. */
    {
        char *s = make_jws(k, "{\"alg\":\"Ed25519\"}", payload);
        t_assert_ok(did_jws_verify(NULL, s, strlen(s), &opts, &j, err), err);
        assert_string_equal(j.alg, "Ed25519");
        did_jws_clear(&j);
        opts.algs = DID_JWS_ALG_EDDSA;
        expect_verify(NULL, s, &opts, DID_OK);
        opts.algs = DID_JWS_ALG_ES256 | DID_JWS_ALG_ES384 | DID_JWS_ALG_ES256K;
        expect_verify(NULL, s, &opts, DID_ERR_JWS_ALG);
        expect_verify(NULL, ED_JWS, &opts, DID_ERR_JWS_ALG);
        free(s);
    }
    ck_key_free(pub);
    ck_key_free(k);
}

static void test_roundtrip(void **state)
{
    did_jws_sign_opts so = {0};
    did_jws_verify_opts vo = {0};
    did_jws j;
    did_err err_s, *err = &err_s;
    const char *payload = "{\"hello\":\"world\"}";

    (void)state;
    so.typ = "JWT";
    so.kid = "key-1";
    so.cty = "json";
    for (size_t i = 0; i < N_SIGN_TYPES; i++) {
        ck_key *k = NULL, *pub, *other = NULL, *wrong;
        ck_err ce;
        char *s;
        did_buf hb;

        assert_int_equal(ck_key_generate(sign_types[i], &k, &ce), CK_OK);
        assert_int_equal(ck_key_generate(sign_types[i], &other, &ce), CK_OK);
        pub = public_of(k);
        wrong = fixed_key(sign_types[(i + 1) % N_SIGN_TYPES], 1);
        s = sign_payload(k, &so, payload);

        vo.key = pub;
        vo.typ = "jwt";
        t_assert_ok(did_jws_verify(NULL, s, strlen(s), &vo, &j, err), err);
        assert_string_equal(j.alg, ck_key_jose_alg(sign_types[i]));
        assert_string_equal(j.kid, "key-1");
        assert_string_equal((const char *)j.payload, payload);
        assert_true(ck_key_public_equal(j.key, pub));
        /* The header is exactly the JCS form of its members. */
        did_buf_init(&hb);
        t_assert_ok(did_jcs_write(j.header, &hb, err), err);
        {
            char want[128];
            snprintf(want, sizeof(want),
                     "{\"alg\":\"%s\",\"cty\":\"json\",\"kid\":\"key-1\",\"typ\":\"JWT\"}",
                     ck_key_jose_alg(sign_types[i]));
            assert_string_equal((const char *)hb.data, want);
        }
        did_buf_clear(&hb);
        did_jws_clear(&j);

        /* Same type, another key: the signature fails. Another type: the key/alg check. */
        vo.key = other;
        expect_verify(NULL, s, &vo, DID_ERR_JWS_SIGNATURE);
        vo.key = wrong;
        expect_verify(NULL, s, &vo, DID_ERR_JWS_KEY_ALG);

        /* A public key cannot sign. */
        {
            did_buf b;
            did_buf_init(&b);
            t_assert_code(did_jws_sign(pub, &so, (const uint8_t *)"x", 1, &b, err), DID_ERR_ARG,
                          err);
            assert_int_equal(b.len, 0);
            did_buf_clear(&b);
        }
        free(s);
        ck_key_free(k);
        ck_key_free(pub);
        ck_key_free(other);
        ck_key_free(wrong);
    }
    /* X25519 cannot sign, and no alg verifies with an X25519 key. */
    {
        ck_key *x = fixed_key(CK_KEY_X25519, 7), *ed = fixed_key(CK_KEY_ED25519, 7);
        did_buf b;
        char *s = make_jws(ed, "{\"alg\":\"EdDSA\"}", "{}");

        did_buf_init(&b);
        t_assert_code(did_jws_sign(x, NULL, (const uint8_t *)"x", 1, &b, err), DID_ERR_ARG, err);
        assert_int_equal(b.len, 0);
        did_buf_clear(&b);
        vo.key = x;
        vo.typ = NULL;
        expect_verify(NULL, s, &vo, DID_ERR_JWS_KEY_ALG);
        free(s);
        ck_key_free(x);
        ck_key_free(ed);
    }
}

/* kid resolution: did:key (fragment = the multikey) and did:jwk (fragment "0"). */
static char *kid_for(const ck_key *k, int jwk)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    size_t prefix = strlen(jwk ? "did:jwk:" : "did:key:");
    char *frag;

    did_buf_init(&b);
    if (jwk)
        t_assert_ok(did_jwk_from_key(k, &b, err), err);
    else
        t_assert_ok(did_key_from_key(k, &b, err), err);
    frag = jwk ? strdup("0") : strdup((const char *)b.data + prefix);
    assert_non_null(frag);
    assert_int_equal(did_buf_printf(&b, "#%s", frag), DID_OK);
    free(frag);
    return (char *)did_buf_steal(&b, NULL);
}

static void test_kid_resolution(void **state)
{
    did_ctx *ctx = NULL;
    did_jws_sign_opts so = {0};
    did_jws_verify_opts vo = {0};
    did_jws j;
    did_err err_s, *err = &err_s;

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    for (size_t i = 0; i < N_SIGN_TYPES; i++) {
        for (int jwk = 0; jwk < 2; jwk++) {
            ck_key *k = fixed_key(sign_types[i], (uint8_t)(10 + i));
            char *kid = kid_for(k, jwk), *s;

            so.kid = kid;
            s = sign_payload(k, &so, "payload");
            vo.rel = DID_REL_ASSERTION_METHOD;
            t_assert_ok(did_jws_verify(ctx, s, strlen(s), &vo, &j, err), err);
            assert_string_equal(j.kid, kid);
            assert_true(ck_key_public_equal(j.key, k));
            assert_false(ck_key_has_private(j.key));
            did_jws_clear(&j);
            vo.rel = DID_REL_AUTHENTICATION;
            expect_verify(ctx, s, &vo, DID_OK);
            vo.rel = DID_REL_ANY;
            expect_verify(ctx, s, &vo, DID_OK);
            /* did:key lists signing keys everywhere but keyAgreement: wrong relationship.
             * (A did:jwk JWK without "use" is listed in every relationship, keyAgreement
             * included, per the did:jwk specification.) */
            vo.rel = DID_REL_KEY_AGREEMENT;
            if (!jwk) {
                t_assert_code(did_jws_verify(ctx, s, strlen(s), &vo, &j, err), DID_ERR_JWS_KID,
                              err);
                assert_non_null(strstr(err->msg, "DID_ERR_DID_VM_RELATIONSHIP"));
                assert_cleared(&j);
            } else {
                expect_verify(ctx, s, &vo, DID_OK);
            }
            /* Without a context there is nothing to resolve with. */
            vo.rel = DID_REL_ASSERTION_METHOD;
            t_assert_code(did_jws_verify(NULL, s, strlen(s), &vo, &j, err), DID_ERR_ARG, err);
            free(s);
            free(kid);
            ck_key_free(k);
        }
    }

    /* A kid that resolves to another key of the same type: the signature fails. A kid of
     * another key type: the key/alg check. */
    {
        ck_key *k = fixed_key(CK_KEY_ED25519, 1), *k2 = fixed_key(CK_KEY_ED25519, 2);
        ck_key *p = fixed_key(CK_KEY_P256, 3), *x = fixed_key(CK_KEY_X25519, 4);
        char *kid2 = kid_for(k2, 0), *kidp = kid_for(p, 0), *kidx = kid_for(x, 0);
        char *kid = kid_for(k, 0), *s, hdr[512];

        vo.rel = DID_REL_ASSERTION_METHOD;
        so.kid = kid2;
        s = sign_payload(k, &so, "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_SIGNATURE);
        free(s);
        so.kid = kidp;
        s = sign_payload(k, &so, "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KEY_ALG);
        free(s);
        /* An X25519 did:key only has keyAgreement. */
        so.kid = kidx;
        s = sign_payload(k, &so, "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KID);
        vo.rel = DID_REL_KEY_AGREEMENT;
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KEY_ALG);
        vo.rel = DID_REL_ASSERTION_METHOD;
        free(s);

        /* A did:jwk whose JWK says "use": "sig" is not in keyAgreement. */
        {
            char jwk[CK_JWK_MAX_LEN + 16];
            size_t jl = 0;
            ck_err ce;
            did_buf kb;
            assert_int_equal(ck_key_export_jwk(k, 0, jwk, sizeof(jwk), &jl, &ce), CK_OK);
            assert_true(jl > 0 && jwk[jl - 1] == '}');
            strcpy(jwk + jl - 1, ",\"use\":\"sig\"}");
            did_buf_init(&kb);
            assert_int_equal(did_buf_append_str(&kb, "did:jwk:"), DID_OK);
            append_b64(&kb, jwk, strlen(jwk));
            assert_int_equal(did_buf_append_str(&kb, "#0"), DID_OK);
            so.kid = (const char *)kb.data;
            s = sign_payload(k, &so, "x");
            expect_verify(ctx, s, &vo, DID_OK);
            vo.rel = DID_REL_KEY_AGREEMENT;
            t_assert_code(did_jws_verify(ctx, s, strlen(s), &vo, &j, err), DID_ERR_JWS_KID, err);
            assert_non_null(strstr(err->msg, "DID_ERR_DID_VM_RELATIONSHIP"));
            vo.rel = DID_REL_ASSERTION_METHOD;
            free(s);
            did_buf_clear(&kb);
        }

        /* Unknown kids. */
        snprintf(hdr, sizeof(hdr), "{\"alg\":\"EdDSA\",\"kid\":\"%.*s#nope\"}",
                 (int)(strchr(kid, '#') - kid), kid);
        s = make_jws(k, hdr, "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KID);
        free(s);
        s = make_jws(k, "{\"alg\":\"EdDSA\",\"kid\":\"did:example:123#key-1\"}", "x");
        t_assert_code(did_jws_verify(ctx, s, strlen(s), &vo, &j, err), DID_ERR_JWS_KID, err);
        assert_non_null(strstr(err->msg, "DID_ERR_DID_METHOD"));
        free(s);
        s = make_jws(k, "{\"alg\":\"EdDSA\",\"kid\":\"key-1\"}", "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KID);
        free(s);
        s = make_jws(k,
                     "{\"alg\":\"EdDSA\",\"kid\":\"did:key:"
                     "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\"}",
                     "x"); /* a DID with no fragment */
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KID);
        free(s);
        s = make_jws(k, "{\"alg\":\"EdDSA\",\"kid\":\"did:key:zBAD#zBAD\"}", "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KID);
        free(s);
        /* No kid at all; kid of the wrong type. */
        s = make_jws(k, "{\"alg\":\"EdDSA\"}", "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_KID);
        free(s);
        s = make_jws(k, "{\"alg\":\"EdDSA\",\"kid\":7}", "x");
        expect_verify(ctx, s, &vo, DID_ERR_JWS_HEADER);
        free(s);
        /* An embedded jwk is never used to find the key. */
        {
            char jwk_hdr[1024], jwk[CK_JWK_MAX_LEN];
            size_t jl = 0;
            ck_err ce;
            assert_int_equal(ck_key_export_jwk(k, 0, jwk, sizeof(jwk), &jl, &ce), CK_OK);
            snprintf(jwk_hdr, sizeof(jwk_hdr), "{\"alg\":\"EdDSA\",\"jwk\":%s}", jwk);
            s = make_jws(k, jwk_hdr, "x");
            expect_verify(ctx, s, &vo, DID_ERR_JWS_KID);
            free(s);
        }
        free(kid);
        free(kid2);
        free(kidp);
        free(kidx);
        ck_key_free(k);
        ck_key_free(k2);
        ck_key_free(p);
        ck_key_free(x);
    }
    did_ctx_free(ctx);
}

static void test_format(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 1), *pub = public_of(k);
    did_jws_verify_opts vo = {0};
    did_jws j;
    did_err err_s, *err = &err_s;
    char *good = make_jws(k, "{\"alg\":\"EdDSA\"}", "{}");
    char h[64], p[64], sg[128], buf[512];

    (void)state;
    vo.key = pub;
    expect_verify(NULL, good, &vo, DID_OK);
    assert_int_equal(sscanf(good, "%63[^.].%63[^.].%127s", h, p, sg), 3);
    assert_string_equal(p, "e30"); /* {} */
    {
        /* Each case and the part its message must name (NULL: the part count). */
        struct {
            const char *a, *sep1, *b, *sep2, *c, *extra, *part;
        } cases[] = {
            {h, ".", p, "", "", "", NULL},       /* two parts */
            {h, ".", p, ".", sg, ".xyz", NULL},  /* four parts */
            {h, ".", p, ".", sg, ".", NULL},     /* four, the last empty */
            {h, "", "", "", "", "", NULL},       /* one part */
            {"", ".", p, ".", sg, "", "header"}, /* empty parts */
            {h, ".", "", ".", sg, "", "payload"},
            {h, ".", p, ".", "", "", "signature"},
            {h, "=.", p, ".", sg, "", "header"}, /* padding */
            {h, ".", p, "=.", sg, "", "payload"},
            {h, ".", p, ".", sg, "==", "signature"},
            {h, "+.", p, ".", sg, "", "header"}, /* the standard alphabet */
            {h, ".", p, "/.", sg, "", "payload"},
            {h, ".", p, ".", sg, " ", "signature"}, /* whitespace */
            {h, ".", p, ".", sg, "\n", "signature"},
            {h, "A.", p, ".", sg, "", "header"},     /* impossible length (1 mod 4) */
            {h, ".", "e31", ".", sg, "", "payload"}, /* non-zero trailing bits ("{}") */
            {h, ".", p, ".", sg, "\xc3\xa9", "signature"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            snprintf(buf, sizeof(buf), "%s%s%s%s%s%s", cases[i].a, cases[i].sep1, cases[i].b,
                     cases[i].sep2, cases[i].c, cases[i].extra);
            t_assert_code(did_jws_verify(NULL, buf, strlen(buf), &vo, &j, err), DID_ERR_JWS_FORMAT,
                          err);
            assert_cleared(&j);
            if (cases[i].part != NULL && strstr(err->msg, cases[i].part) == NULL)
                fail_msg("case %zu: message does not name the %s: %s", i, cases[i].part, err->msg);
        }
    }
    /* An embedded NUL does not end the input: the length is what counts. */
    {
        size_t n = strlen(good);
        memcpy(buf, good, n + 1);
        buf[strlen(h) - 1] = '\0';
        t_assert_code(did_jws_verify(NULL, buf, n, &vo, &j, err), DID_ERR_JWS_FORMAT, err);
        assert_non_null(strstr(err->msg, "header"));
    }
    expect_verify(NULL, "", &vo, DID_ERR_JWS_FORMAT);
    expect_verify(NULL, "..", &vo, DID_ERR_JWS_FORMAT);
    /* Arguments. */
    t_assert_code(did_jws_verify(NULL, NULL, 0, &vo, &j, err), DID_ERR_ARG, err);
    t_assert_code(did_jws_verify(NULL, good, strlen(good), NULL, &j, err), DID_ERR_ARG, err);
    t_assert_code(did_jws_verify(NULL, good, strlen(good), &vo, NULL, err), DID_ERR_ARG, err);
    vo.key = NULL;
    t_assert_code(did_jws_verify(NULL, good, strlen(good), &vo, &j, err), DID_ERR_ARG, err);
    free(good);
    ck_key_free(k);
    ck_key_free(pub);
}

static void test_limit(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 1), *pub = public_of(k);
    did_jws_verify_opts vo = {0};
    did_jws j;
    did_err err_s, *err = &err_s;
    char *good = make_jws(k, "{\"alg\":\"EdDSA\"}", "{}");
    size_t n = strlen(good);
    char *big;

    (void)state;
    vo.key = pub;
    vo.max_len = n;
    expect_verify(NULL, good, &vo, DID_OK);
    vo.max_len = n - 1;
    expect_verify(NULL, good, &vo, DID_ERR_LIMIT);
    /* The default limit, DID_JWS_MAX_LEN, checked before anything is parsed. */
    vo.max_len = 0;
    big = malloc(DID_JWS_MAX_LEN + 2);
    assert_non_null(big);
    memset(big, 'A', DID_JWS_MAX_LEN + 1);
    big[DID_JWS_MAX_LEN + 1] = '\0';
    t_assert_code(did_jws_verify(NULL, big, DID_JWS_MAX_LEN + 1, &vo, &j, err), DID_ERR_LIMIT, err);
    assert_cleared(&j);
    /* A payload just under the default limit is fine. */
    {
        size_t plen = DID_JWS_MAX_LEN / 4 * 3 - 200;
        char *payload = malloc(plen + 1);
        char *s;
        assert_non_null(payload);
        memset(payload, 'x', plen);
        payload[plen] = '\0';
        s = sign_payload(k, NULL, payload);
        assert_true(strlen(s) <= DID_JWS_MAX_LEN);
        t_assert_ok(did_jws_verify(NULL, s, strlen(s), &vo, &j, err), err);
        assert_int_equal(j.payload_len, plen);
        did_jws_clear(&j);
        free(s);
        free(payload);
    }
    /* The decoded header is limited to DID_JWS_MAX_HEADER bytes. */
    {
        char *hdr = malloc(DID_JWS_MAX_HEADER + 64);
        char *s;
        assert_non_null(hdr);
        strcpy(hdr, "{\"alg\":\"EdDSA\",\"pad\":\"");
        size_t at = strlen(hdr);
        memset(hdr + at, 'p', DID_JWS_MAX_HEADER - at - 2);
        strcpy(hdr + DID_JWS_MAX_HEADER - 2, "\"}");
        assert_int_equal(strlen(hdr), DID_JWS_MAX_HEADER);
        s = make_jws(k, hdr, "{}");
        expect_verify(NULL, s, &vo, DID_OK);
        free(s);
        memmove(hdr + at + 1, hdr + at, strlen(hdr + at) + 1);
        assert_int_equal(strlen(hdr), DID_JWS_MAX_HEADER + 1);
        s = make_jws(k, hdr, "{}");
        expect_verify(NULL, s, &vo, DID_ERR_JWS_HEADER);
        free(s);
        free(hdr);
    }
    free(big);
    free(good);
    ck_key_free(k);
    ck_key_free(pub);
}

static void test_header(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 1), *pub = public_of(k);
    did_jws_verify_opts vo = {0};
    did_jws j;
    did_err err_s, *err = &err_s;
    char *s;

    (void)state;
    vo.key = pub;
    expect_header(k, "not json", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "[\"alg\",\"EdDSA\"]", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "\"EdDSA\"", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "null", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "{\"alg\":\"EdDSA\"} {}", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "{\"alg\":\"EdDSA\",\"x\":\"\xff\"}", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "{\"alg\":\"EdDSA\",\"typ\":1}", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "{\"alg\":\"EdDSA\",\"cty\":[]}", &vo, DID_ERR_JWS_HEADER);
    expect_header(k, "{\"alg\":\"EdDSA\",\"kid\":null}", &vo, DID_ERR_JWS_HEADER);
    /* Duplicate member names, even with equal values (RFC 7515 section 4: MUST reject). */
    s = make_jws(k, "{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}", "{}");
    t_assert_code(did_jws_verify(NULL, s, strlen(s), &vo, &j, err), DID_ERR_JWS_HEADER, err);
    assert_non_null(strstr(err->msg, "DUPLICATE"));
    assert_cleared(&j);
    free(s);
    expect_header(k, "{\"alg\":\"none\",\"alg\":\"EdDSA\"}", &vo, DID_ERR_JWS_HEADER);
    /* Whitespace and member order of a non-JCS header are fine: the bytes are signed. */
    expect_header(k, " {\r\n \"typ\" : \"JWT\" ,\n\"alg\":\"EdDSA\" } ", &vo, DID_OK);
    ck_key_free(k);
    ck_key_free(pub);
}

static void test_alg(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 1), *pub = public_of(k);
    did_jws_verify_opts vo = {0};

    (void)state;
    vo.key = pub;
    expect_header(k, "{\"alg\":\"none\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"HS256\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"HS384\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"HS512\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"RS256\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"PS256\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"ES512\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"Ed448\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"eddsa\"}", &vo, DID_ERR_JWS_ALG); /* case-sensitive */
    expect_header(k, "{\"alg\":\"EdDSA \"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":\"\\u0001\\n\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"typ\":\"JWT\"}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":1}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":[\"EdDSA\"]}", &vo, DID_ERR_JWS_ALG);
    expect_header(k, "{\"alg\":null}", &vo, DID_ERR_JWS_ALG);
    /* Each known alg on an Ed25519 key. */
    expect_header(k, "{\"alg\":\"ES256\"}", &vo, DID_ERR_JWS_KEY_ALG);
    expect_header(k, "{\"alg\":\"ES384\"}", &vo, DID_ERR_JWS_KEY_ALG);
    expect_header(k, "{\"alg\":\"ES256K\"}", &vo, DID_ERR_JWS_KEY_ALG);
    expect_header(k, "{\"alg\":\"EdDSA\"}", &vo, DID_OK);
    /* The allow-list comes before the key check. */
    vo.algs = DID_JWS_ALG_EDDSA;
    expect_header(k, "{\"alg\":\"ES256\"}", &vo, DID_ERR_JWS_ALG);
    vo.algs = DID_JWS_ALG_ES256K;
    expect_header(k, "{\"alg\":\"EdDSA\"}", &vo, DID_ERR_JWS_ALG);
    ck_key_free(k);
    ck_key_free(pub);
}

static void test_typ(void **state)
{
    ck_key *k = fixed_key(CK_KEY_P256, 1), *pub = public_of(k);
    did_jws_verify_opts vo = {0};

    (void)state;
    vo.key = pub;
    vo.typ = "JWT";
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"jwt\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"application/jwt\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"Application/JWT\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"JOSE\"}", &vo, DID_ERR_JWS_TYP);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"JWT \"}", &vo, DID_ERR_JWS_TYP);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"text/jwt\"}", &vo, DID_ERR_JWS_TYP);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"application/\"}", &vo, DID_ERR_JWS_TYP);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"\"}", &vo, DID_ERR_JWS_TYP);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"jw\"}", &vo, DID_ERR_JWS_TYP);
    expect_header(k, "{\"alg\":\"ES256\"}", &vo, DID_ERR_JWS_TYP);
    /* The prefix is optional on the caller's side too. */
    vo.typ = "application/vc+jwt";
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"vc+jwt\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"APPLICATION/VC+JWT\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"jwt\"}", &vo, DID_ERR_JWS_TYP);
    /* No typ required: anything (of the right type) or nothing. */
    vo.typ = NULL;
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":\"whatever\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\"}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256\",\"typ\":true}", &vo, DID_ERR_JWS_HEADER);
    ck_key_free(k);
    ck_key_free(pub);
}

static void test_crit(void **state)
{
    ck_key *k = fixed_key(CK_KEY_SECP256K1, 1), *pub = public_of(k);
    did_jws_verify_opts vo = {0};
    static const char *const ours[] = {"exp", "b64", NULL};

    (void)state;
    vo.key = pub;
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[]}", &vo, DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":\"exp\",\"exp\":1}", &vo, DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":{},\"exp\":1}", &vo, DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":null}", &vo, DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[1]}", &vo, DID_ERR_JWS_CRIT);
    /* Unknown to the caller. */
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"exp\"],\"exp\":1}", &vo, DID_ERR_JWS_CRIT);
    vo.crit = ours;
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"exp\"],\"exp\":1}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"exp\",\"zzz\"],\"exp\":1,\"zzz\":1}", &vo,
                  DID_ERR_JWS_CRIT);
    /* Names a member that is absent. */
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"exp\"]}", &vo, DID_ERR_JWS_CRIT);
    /* Duplicates. */
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"exp\",\"exp\"],\"exp\":1}", &vo,
                  DID_ERR_JWS_CRIT);
    /* Registered header parameters, even when present. */
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"alg\"]}", &vo, DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"kid\"],\"kid\":\"k\"}", &vo,
                  DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"crit\"]}", &vo, DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"crit\":[\"x5t#S256\"],\"x5t#S256\":\"a\"}", &vo,
                  DID_ERR_JWS_CRIT);
    /* b64 (RFC 7797): false is never accepted, with or without crit, even if the caller
     * claims to process it; true is the default; anything else is malformed. */
    expect_header(k, "{\"alg\":\"ES256K\",\"b64\":false}", &vo, DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"b64\":false,\"crit\":[\"b64\"]}", &vo,
                  DID_ERR_JWS_CRIT);
    expect_header(k, "{\"alg\":\"ES256K\",\"b64\":true,\"crit\":[\"b64\"]}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256K\",\"b64\":true}", &vo, DID_OK);
    expect_header(k, "{\"alg\":\"ES256K\",\"b64\":\"false\"}", &vo, DID_ERR_JWS_HEADER);
    vo.crit = NULL;
    expect_header(k, "{\"alg\":\"ES256K\",\"b64\":false,\"crit\":[\"b64\"]}", &vo,
                  DID_ERR_JWS_CRIT);
    ck_key_free(k);
    ck_key_free(pub);
}

/* n - s for a 32-byte big-endian s (secp256k1 order n). */
static void negate_s(uint8_t s[32])
{
    static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                  0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    int borrow = 0;

    for (int i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        s[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

static void test_signature(void **state)
{
    did_jws_verify_opts vo = {0};
    did_err err_s, *err = &err_s;

    (void)state;
    for (size_t t = 0; t < N_SIGN_TYPES; t++) {
        ck_key *k = fixed_key(sign_types[t], 1), *pub = public_of(k);
        char *s = sign_payload(k, NULL, "{\"a\":1}");
        char *p = strchr(s, '.') + 1, *sg = strchr(p, '.') + 1;
        size_t n = strlen(s);
        char *t2 = malloc(n + 256);
        const char *alg = ck_key_jose_alg(sign_types[t]);

        assert_non_null(t2);
        vo.key = pub;
        expect_verify(NULL, s, &vo, DID_OK);
        /* Payload: "eyJhIjoxfQ" is {"a":1}; "eyJhIjoyfQ" is {"a":2}. */
        memcpy(t2, s, n + 1);
        assert_memory_equal(t2 + (p - s), "eyJhIjoxfQ", 10);
        t2[(p - s) + 7] = 'y';
        expect_verify(NULL, t2, &vo, DID_ERR_JWS_SIGNATURE);
        /* Header: another valid header with the same alg. */
        {
            did_buf b;
            char hdr[64];
            did_buf_init(&b);
            snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
            append_b64(&b, hdr, strlen(hdr));
            assert_int_equal(did_buf_append_str(&b, p - 1), DID_OK);
            expect_verify(NULL, (const char *)b.data, &vo, DID_ERR_JWS_SIGNATURE);
            did_buf_clear(&b);
        }
        /* Signature: one bit flipped, truncated, extended, another length entirely. */
        memcpy(t2, s, n + 1);
        t2[(sg - s) + 3] = t2[(sg - s) + 3] == 'A' ? 'B' : 'A';
        expect_verify(NULL, t2, &vo, DID_ERR_JWS_SIGNATURE);
        snprintf(t2, n + 256, "%.*s%s", (int)(sg - s), s, sg + 4);
        expect_verify(NULL, t2, &vo, DID_ERR_JWS_SIGNATURE);
        memcpy(t2, s, n);
        strcpy(t2 + n, "AAAA");
        expect_verify(NULL, t2, &vo, DID_ERR_JWS_SIGNATURE);
        snprintf(t2, n + 256, "%.*sAAAA", (int)(sg - s), s);
        expect_verify(NULL, t2, &vo, DID_ERR_JWS_SIGNATURE);
        /* 200 bytes: longer than any signature we know. */
        {
            uint8_t zero[200] = {0};
            did_buf b;
            did_buf_init(&b);
            assert_int_equal(did_buf_append(&b, s, (size_t)(sg - s)), DID_OK);
            append_b64(&b, zero, sizeof(zero));
            t_assert_code(
                did_jws_verify(NULL, (const char *)b.data, b.len, &vo, &(did_jws){0}, err),
                DID_ERR_JWS_SIGNATURE, err);
            did_buf_clear(&b);
        }
        free(t2);
        free(s);
        ck_key_free(k);
        ck_key_free(pub);
    }

    /* ES256K: we sign low-S; a high-S signature (r, n - s) is valid ECDSA and is accepted
     * (RFC 8812 does not require low-S; spec/jose.md). */
    {
        ck_key *k = fixed_key(CK_KEY_SECP256K1, 5), *pub = public_of(k);
        char *s = sign_payload(k, NULL, "hi");
        char *sg = strrchr(s, '.') + 1;
        size_t sl = 0;
        uint8_t *sig = b64d(sg, &sl);
        did_buf b;

        assert_int_equal(sl, 64);
        assert_true(sig[32] < 0x80); /* low-S: s <= n/2, so its top bit is clear */
        negate_s(sig + 32);
        assert_true(sig[32] >= 0x7f);
        did_buf_init(&b);
        assert_int_equal(did_buf_append(&b, s, (size_t)(sg - s)), DID_OK);
        append_b64(&b, sig, sl);
        vo.key = pub;
        expect_verify(NULL, (const char *)b.data, &vo, DID_OK);
        did_buf_clear(&b);
        free(sig);
        free(s);
        ck_key_free(k);
        ck_key_free(pub);
    }
}

static void test_sign_opts(void **state)
{
    ck_key *k = fixed_key(CK_KEY_P384, 1), *pub = public_of(k);
    did_jws_sign_opts so = {0};
    did_jws_verify_opts vo = {0};
    did_jws j;
    did_buf b, hb;
    did_err err_s, *err = &err_s;
    json_t *extra = json_pack("{s:i, s:s, s:[s]}", "zz", 1, "aa", "x", "crit", "zz");

    (void)state;
    assert_non_null(extra);
    did_buf_init(&b);
    did_buf_init(&hb);
    so.typ = "vc+jwt";
    so.kid = "did:example:1#k";
    so.extra = extra;
    t_assert_ok(did_jws_sign(k, &so, (const uint8_t *)"p", 1, &b, err), err);
    vo.key = pub;
    t_assert_code(did_jws_verify(NULL, (const char *)b.data, b.len, &vo, &j, err), DID_ERR_JWS_CRIT,
                  err);
    {
        static const char *const zz[] = {"zz", NULL};
        vo.crit = zz;
    }
    t_assert_ok(did_jws_verify(NULL, (const char *)b.data, b.len, &vo, &j, err), err);
    t_assert_ok(did_jcs_write(j.header, &hb, err), err);
    assert_string_equal((const char *)hb.data,
                        "{\"aa\":\"x\",\"alg\":\"ES384\",\"crit\":[\"zz\"],"
                        "\"kid\":\"did:example:1#k\",\"typ\":\"vc+jwt\",\"zz\":1}");
    /* The header part is those exact bytes. */
    {
        size_t hl = 0;
        char *h = strndup((const char *)b.data,
                          (size_t)(strchr((const char *)b.data, '.') - (const char *)b.data));
        uint8_t *raw = b64d(h, &hl);
        assert_int_equal(hl, hb.len);
        assert_memory_equal(raw, hb.data, hl);
        free(raw);
        free(h);
    }
    did_jws_clear(&j);

    /* extra may not set alg or b64, nor repeat a member given in opts. */
    did_buf_reset(&b);
    assert_int_equal(did_buf_append_str(&b, "keep"), DID_OK);
    {
        json_t *bad = json_pack("{s:s}", "alg", "none");
        so.extra = bad;
        t_assert_code(did_jws_sign(k, &so, (const uint8_t *)"p", 1, &b, err), DID_ERR_ARG, err);
        json_decref(bad);
        bad = json_pack("{s:b}", "b64", 0);
        so.extra = bad;
        t_assert_code(did_jws_sign(k, &so, (const uint8_t *)"p", 1, &b, err), DID_ERR_ARG, err);
        json_decref(bad);
        bad = json_pack("{s:s}", "typ", "JWT");
        so.extra = bad;
        t_assert_code(did_jws_sign(k, &so, (const uint8_t *)"p", 1, &b, err), DID_ERR_ARG, err);
        json_decref(bad);
        bad = json_pack("[s]", "x");
        so.extra = bad;
        t_assert_code(did_jws_sign(k, &so, (const uint8_t *)"p", 1, &b, err), DID_ERR_ARG, err);
        json_decref(bad);
    }
    so.extra = NULL;
    so.typ = "\xff";
    t_assert_code(did_jws_sign(k, &so, (const uint8_t *)"p", 1, &b, err), DID_ERR_ARG, err);
    so.typ = NULL;
    t_assert_code(did_jws_sign(k, &so, (const uint8_t *)"", 0, &b, err), DID_ERR_ARG, err);
    t_assert_code(did_jws_sign(NULL, &so, (const uint8_t *)"p", 1, &b, err), DID_ERR_ARG, err);
    t_assert_code(did_jws_sign(k, &so, NULL, 1, &b, err), DID_ERR_ARG, err);
    t_assert_code(did_jws_sign(k, &so, (const uint8_t *)"p", 1, NULL, err), DID_ERR_ARG, err);
    /* Nothing was appended by the failures. */
    assert_string_equal((const char *)b.data, "keep");
    assert_int_equal(b.len, 4);

    did_buf_clear(&b);
    did_buf_clear(&hb);
    json_decref(extra);
    ck_key_free(k);
    ck_key_free(pub);
}

/* ------------------------------------------------------------------------------------------- */

static int check_claims(const char *json, const did_jwt_check_opts *o, did_err *err)
{
    json_error_t je;
    json_t *c = json_loads(json, JSON_DECODE_ANY, &je);
    int rc;

    if (c == NULL)
        fail_msg("test claims %s: %s", json, je.text);
    rc = did_jwt_check_claims(c, o, err);
    json_decref(c);
    return rc;
}

#define CLAIMS(json, opts, code)                                 \
    do {                                                         \
        did_err e_;                                              \
        t_assert_code(check_claims(json, opts, &e_), code, &e_); \
    } while (0)

static void test_jwt_times(void **state)
{
    did_jwt_check_opts o = {0};
    char buf[256];

    (void)state;
    o.now = 1000000;
    o.skew = 60;
    /* exp: expired when exp <= now - skew. */
    CLAIMS("{\"exp\":999940}", &o, DID_ERR_JWT_EXPIRED);
    CLAIMS("{\"exp\":999941}", &o, DID_OK);
    CLAIMS("{\"exp\":999940.5}", &o, DID_OK);
    CLAIMS("{\"exp\":999939.5}", &o, DID_ERR_JWT_EXPIRED);
    CLAIMS("{\"exp\":999940.0}", &o, DID_ERR_JWT_EXPIRED);
    CLAIMS("{\"exp\":1e300}", &o, DID_OK);
    CLAIMS("{\"exp\":-1e300}", &o, DID_ERR_JWT_EXPIRED);
    CLAIMS("{\"exp\":-0.5}", &o, DID_ERR_JWT_EXPIRED);
    CLAIMS("{\"exp\":0}", &o, DID_ERR_JWT_EXPIRED);
    /* nbf: not yet when nbf > now + skew. */
    CLAIMS("{\"nbf\":1000060}", &o, DID_OK);
    CLAIMS("{\"nbf\":1000061}", &o, DID_ERR_JWT_NOT_YET);
    CLAIMS("{\"nbf\":1000060.25}", &o, DID_ERR_JWT_NOT_YET);
    CLAIMS("{\"nbf\":1000059.75}", &o, DID_OK);
    CLAIMS("{\"nbf\":1e300}", &o, DID_ERR_JWT_NOT_YET);
    CLAIMS("{\"nbf\":-1e300}", &o, DID_OK);
    /* iat: in the future when iat > now + skew. */
    CLAIMS("{\"iat\":1000060}", &o, DID_OK);
    CLAIMS("{\"iat\":1000061}", &o, DID_ERR_JWT_IAT);
    CLAIMS("{\"iat\":1}", &o, DID_OK);
    /* Without skew. */
    o.skew = 0;
    CLAIMS("{\"exp\":1000000}", &o, DID_ERR_JWT_EXPIRED);
    CLAIMS("{\"exp\":1000001}", &o, DID_OK);
    CLAIMS("{\"nbf\":1000000,\"iat\":1000000}", &o, DID_OK);
    CLAIMS("{\"nbf\":1000001}", &o, DID_ERR_JWT_NOT_YET);
    /* Types: NumericDate is a JSON number. */
    CLAIMS("{\"exp\":\"1000001\"}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"exp\":true}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"exp\":null}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"nbf\":[1]}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"iat\":{}}", &o, DID_ERR_JWT_CLAIM);
    /* Required claims. */
    o.require_exp = 1;
    CLAIMS("{\"iat\":1}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"exp\":2000000}", &o, DID_OK);
    o.require_exp = 0;
    o.require_iat = 1;
    CLAIMS("{\"exp\":2000000}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"exp\":2000000,\"iat\":999999}", &o, DID_OK);
    o.require_iat = 0;
    /* Extreme now/skew: no overflow. */
    o.now = INT64_MAX;
    o.skew = INT64_MAX;
    CLAIMS("{\"exp\":1,\"nbf\":9.3e18,\"iat\":9.3e18}", &o, DID_OK);
    o.now = INT64_MIN;
    snprintf(buf, sizeof(buf), "{\"exp\":%lld}", (long long)INT64_MIN);
    CLAIMS(buf, &o, DID_OK);
    o.skew = 0;
    CLAIMS(buf, &o, DID_ERR_JWT_EXPIRED);
    o.skew = -1;
    CLAIMS("{}", &o, DID_ERR_ARG);
    /* now = 0 means the clock. */
    o.now = 0;
    o.skew = 0;
    CLAIMS("{\"exp\":4102444800,\"iat\":946684800}", &o, DID_OK); /* 2100, 2000 */
    CLAIMS("{\"exp\":946684800}", &o, DID_ERR_JWT_EXPIRED);
    CLAIMS("{\"iat\":4102444800}", &o, DID_ERR_JWT_IAT);
}

static void test_jwt_iss_aud(void **state)
{
    did_jwt_check_opts o = {0};
    did_err err;

    (void)state;
    o.now = 1000;
    CLAIMS("{}", &o, DID_OK);
    CLAIMS("[]", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("\"claims\"", &o, DID_ERR_JWT_CLAIM);
    t_assert_code(did_jwt_check_claims(NULL, &o, &err), DID_ERR_ARG, &err);
    /* iss. */
    CLAIMS("{\"iss\":1}", &o, DID_ERR_JWT_CLAIM);
    o.iss = "did:example:issuer";
    CLAIMS("{\"iss\":\"did:example:issuer\"}", &o, DID_OK);
    CLAIMS("{\"iss\":\"did:example:issuer2\"}", &o, DID_ERR_JWT_ISS);
    CLAIMS("{\"iss\":\"did:example:issue\"}", &o, DID_ERR_JWT_ISS);
    CLAIMS("{\"iss\":\"DID:example:issuer\"}", &o, DID_ERR_JWT_ISS);
    CLAIMS("{}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"iss\":[\"did:example:issuer\"]}", &o, DID_ERR_JWT_CLAIM);
    o.iss = NULL;
    /* aud. */
    o.aud = "https://verifier.example";
    CLAIMS("{\"aud\":\"https://verifier.example\"}", &o, DID_OK);
    CLAIMS("{\"aud\":[\"https://a.example\",\"https://verifier.example\"]}", &o, DID_OK);
    CLAIMS("{\"aud\":\"https://other.example\"}", &o, DID_ERR_JWT_AUD);
    CLAIMS("{\"aud\":[\"https://a.example\",\"https://b.example\"]}", &o, DID_ERR_JWT_AUD);
    CLAIMS("{\"aud\":[]}", &o, DID_ERR_JWT_AUD);
    CLAIMS("{\"aud\":\"https://verifier.example/\"}", &o, DID_ERR_JWT_AUD);
    CLAIMS("{}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"aud\":1}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"aud\":{\"a\":\"https://verifier.example\"}}", &o, DID_ERR_JWT_CLAIM);
    CLAIMS("{\"aud\":[\"https://verifier.example\",1]}", &o, DID_ERR_JWT_CLAIM);
    /* No audience expected: a JWT that names one is refused (RFC 7519 section 4.1.3). */
    o.aud = NULL;
    CLAIMS("{\"aud\":\"https://verifier.example\"}", &o, DID_ERR_JWT_AUD);
    CLAIMS("{\"aud\":[]}", &o, DID_ERR_JWT_AUD);
    CLAIMS("{\"aud\":1}", &o, DID_ERR_JWT_CLAIM);
}

static void test_jwt_verify(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 3), *pub = public_of(k);
    did_ctx *ctx = NULL;
    did_jws_sign_opts so = {0};
    did_jws_verify_opts vo = {0};
    did_jwt_check_opts co = {0};
    did_jws j;
    json_t *claims = NULL, *in;
    did_buf b;
    did_err err_s, *err = &err_s;
    char *kid = kid_for(k, 0);

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    in = json_pack("{s:s, s:s, s:I, s:I, s:{s:s}}", "iss", "did:example:i", "aud", "v", "iat",
                   (json_int_t)1000, "exp", (json_int_t)2000, "vc", "b", "c");
    assert_non_null(in);
    so.typ = "JWT";
    so.kid = kid;
    did_buf_init(&b);
    t_assert_ok(did_jwt_sign(k, &so, in, &b, err), err);

    vo.typ = "JWT";
    vo.rel = DID_REL_ASSERTION_METHOD;
    co.now = 1500;
    co.iss = "did:example:i";
    co.aud = "v";
    co.require_exp = 1;
    co.require_iat = 1;
    t_assert_ok(did_jwt_verify(ctx, (const char *)b.data, b.len, &vo, &co, &j, &claims, err), err);
    assert_true(json_equal(claims, in));
    /* The payload is the JCS form of the claims. */
    assert_string_equal((const char *)j.payload,
                        "{\"aud\":\"v\",\"exp\":2000,\"iat\":1000,\"iss\":\"did:example:i\","
                        "\"vc\":{\"b\":\"c\"}}");
    assert_string_equal(j.kid, kid);
    json_decref(claims);
    did_jws_clear(&j);

    /* Claim failures clear everything. */
    co.now = 2000;
    t_assert_code(did_jwt_verify(ctx, (const char *)b.data, b.len, &vo, &co, &j, &claims, err),
                  DID_ERR_JWT_EXPIRED, err);
    assert_null(claims);
    assert_cleared(&j);
    co.now = 1500;
    co.aud = "w";
    t_assert_code(did_jwt_verify(ctx, (const char *)b.data, b.len, &vo, &co, &j, &claims, err),
                  DID_ERR_JWT_AUD, err);
    assert_cleared(&j);
    co.aud = "v";
    co.iss = "did:example:j";
    t_assert_code(did_jwt_verify(ctx, (const char *)b.data, b.len, &vo, &co, &j, &claims, err),
                  DID_ERR_JWT_ISS, err);
    assert_cleared(&j);
    co.iss = NULL;
    /* JWS failures come first. */
    vo.typ = "vc+jwt";
    t_assert_code(did_jwt_verify(ctx, (const char *)b.data, b.len, &vo, &co, &j, &claims, err),
                  DID_ERR_JWS_TYP, err);
    assert_null(claims);
    assert_cleared(&j);
    vo.typ = NULL;

    /* The payload must be a JSON object, parsed strictly with the context's limits. */
    {
        static const struct {
            const char *payload;
            int code;
        } cases[] = {
            {"[1,2]", DID_ERR_JWT_CLAIM},
            {"\"claims\"", DID_ERR_JWT_CLAIM},
            {"42", DID_ERR_JWT_CLAIM},
            {"hello", DID_ERR_JSON_SYNTAX},
            {"{\"exp\":1,\"exp\":3000}", DID_ERR_JSON_DUPLICATE_KEY},
            {"{\"a\":1} x", DID_ERR_JSON_SYNTAX},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            char *s = sign_payload(k, &so, cases[i].payload);
            t_assert_code(did_jwt_verify(ctx, s, strlen(s), &vo, &co, &j, &claims, err),
                          cases[i].code, err);
            assert_null(claims);
            assert_cleared(&j);
            free(s);
        }
    }
    {
        did_json_limits lim = did_json_limits_default();
        lim.max_bytes = 20;
        did_ctx_set_json_limits(ctx, &lim);
        t_assert_code(did_jwt_verify(ctx, (const char *)b.data, b.len, &vo, &co, &j, &claims, err),
                      DID_ERR_JSON_SIZE, err);
        assert_cleared(&j);
        /* With the caller's key and no context: default limits. */
        vo.key = pub;
        t_assert_ok(did_jwt_verify(NULL, (const char *)b.data, b.len, &vo, &co, &j, &claims, err),
                    err);
        json_decref(claims);
        did_jws_clear(&j);
        /* NULL claim options: the clock, nothing required, no audience expected. */
        t_assert_code(
            did_jwt_verify(NULL, (const char *)b.data, b.len, &vo, NULL, &j, &claims, err),
            DID_ERR_JWT_EXPIRED, err);
    }
    /* did_jwt_sign wants an object. */
    {
        json_t *arr = json_array();
        t_assert_code(did_jwt_sign(k, &so, arr, &b, err), DID_ERR_ARG, err);
        t_assert_code(did_jwt_sign(k, &so, NULL, &b, err), DID_ERR_ARG, err);
        json_decref(arr);
    }
    t_assert_code(did_jwt_verify(NULL, (const char *)b.data, b.len, &vo, &co, &j, NULL, err),
                  DID_ERR_ARG, err);

    did_buf_clear(&b);
    json_decref(in);
    free(kid);
    did_ctx_free(ctx);
    ck_key_free(k);
    ck_key_free(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7515_a3), cmocka_unit_test(test_rfc8037_a4),
        cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_kid_resolution),
        cmocka_unit_test(test_format),     cmocka_unit_test(test_limit),
        cmocka_unit_test(test_header),     cmocka_unit_test(test_alg),
        cmocka_unit_test(test_typ),        cmocka_unit_test(test_crit),
        cmocka_unit_test(test_signature),  cmocka_unit_test(test_sign_opts),
        cmocka_unit_test(test_jwt_times),  cmocka_unit_test(test_jwt_iss_aud),
        cmocka_unit_test(test_jwt_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
