/*
 * Tests for the key API (ck_key_*, ck_sign, ck_verify): RFC 8032 and RFC 8037 vectors,
 * Wycheproof Ed25519 / ECDSA (P-256, P-384, secp256k1 P1363 and "bitcoin"), round trips for
 * every key type, JWK import/export and thumbprints, and rejection of invalid keys.
 *
 * Sources of the vectors written out here:
 *  - RFC 8032 section 7.1 (Ed25519 TEST 1, 2, 3, SHA(abc));
 *  - RFC 8037 Appendix A.1-A.4 (Ed25519 JWK, thumbprint, JWS signature);
 *  - RFC 7748 section 6.1 (X25519 key pair of Alice).
 * The Wycheproof files come from ../shared/vectors/wycheproof/.
 */
#include "support.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <sodium.h>

#include <ck/ck.h>

static const ck_key_type sign_types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384,
                                         CK_KEY_SECP256K1};
static const ck_key_type all_types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384, CK_KEY_SECP256K1,
                                        CK_KEY_X25519};
#define N_SIGN_TYPES (sizeof sign_types / sizeof sign_types[0])
#define N_ALL_TYPES (sizeof all_types / sizeof all_types[0])

/* Group orders (SEC 2 / FIPS 186-4), big-endian hex. */
static const char *order_hex(ck_key_type t)
{
    switch (t) {
    case CK_KEY_P256:
        return "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    case CK_KEY_P384:
        return "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aece"
               "c196accc52973";
    case CK_KEY_SECP256K1:
        return "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    default:
        return NULL;
    }
}

static size_t coord_len(ck_key_type t)
{
    return t == CK_KEY_P384 ? 48 : 32;
}

static int is_ec(ck_key_type t)
{
    return t == CK_KEY_P256 || t == CK_KEY_P384 || t == CK_KEY_SECP256K1;
}

static const char *jwk_crv(ck_key_type t)
{
    switch (t) {
    case CK_KEY_ED25519:
        return "Ed25519";
    case CK_KEY_X25519:
        return "X25519";
    case CK_KEY_P256:
        return "P-256";
    case CK_KEY_P384:
        return "P-384";
    case CK_KEY_SECP256K1:
        return "secp256k1";
    }
    return NULL;
}

static void assert_hex_eq(const uint8_t *got, size_t got_len, const char *want_hex)
{
    size_t n = 0;
    uint8_t *want = t_unhex(want_hex, &n);
    assert_int_equal(got_len, n);
    assert_memory_equal(got, want, n);
    free(want);
}

static const char *jstr(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s == NULL)
        fail_msg("member %s missing", key);
    return s;
}

/* Optional string member, NULL if absent. */
static const char *jstr_opt(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Imports a JWK given as a jansson object (members kty, crv, x, y, d). */
static int import_jwk_obj(const json_t *jwk, ck_key **out, ck_err *err)
{
    const char *kty = jstr_opt(jwk, "kty"), *crv = jstr_opt(jwk, "crv");
    const char *x = jstr_opt(jwk, "x"), *y = jstr_opt(jwk, "y"), *d = jstr_opt(jwk, "d");
    return ck_key_import_jwk(kty, kty ? strlen(kty) : 0, crv, crv ? strlen(crv) : 0, x,
                             x ? strlen(x) : 0, y, y ? strlen(y) : 0, d, d ? strlen(d) : 0, out,
                             err);
}

/* Imports JWK members given as C strings (NULL = absent). */
static int import_jwk_str(const char *kty, const char *crv, const char *x, const char *y,
                          const char *d, ck_key **out, ck_err *err)
{
    return ck_key_import_jwk(kty, kty ? strlen(kty) : 0, crv, crv ? strlen(crv) : 0, x,
                             x ? strlen(x) : 0, y, y ? strlen(y) : 0, d, d ? strlen(d) : 0, out,
                             err);
}

/* a - b for big-endian numbers of len bytes, a >= b. */
static void be_sub(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t len)
{
    int borrow = 0;
    for (size_t i = len; i-- > 0;) {
        int v = (int)a[i] - (int)b[i] - borrow;
        borrow = v < 0;
        out[i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
}

/* 1 if a > b for big-endian numbers of len bytes. */
static int be_gt(const uint8_t *a, const uint8_t *b, size_t len)
{
    return memcmp(a, b, len) > 0;
}

/* ---- names ------------------------------------------------------------------------------- */

static void test_type_names(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    static const char *names[] = {"ed25519", "p256", "p384", "secp256k1", "x25519"};
    static const char *algs[] = {"EdDSA", "ES256", "ES384", "ES256K", NULL};
    for (size_t i = 0; i < N_ALL_TYPES; i++) {
        assert_string_equal(ck_key_type_name(all_types[i]), names[i]);
        if (algs[i] == NULL)
            assert_null(ck_key_jose_alg(all_types[i]));
        else
            assert_string_equal(ck_key_jose_alg(all_types[i]), algs[i]);
        ck_key_type t = (ck_key_type)0;
        t_assert_ok(ck_key_type_from_name(names[i], strlen(names[i]), &t, err), err);
        assert_int_equal(t, all_types[i]);
    }
    ck_key_type t = CK_KEY_P256;
    t_assert_code(ck_key_type_from_name("Ed25519", 7, &t, err), CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_key_type_from_name("p25", 3, &t, err), CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_key_type_from_name("p2566", 5, &t, err), CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_key_type_from_name("p256\0", 5, &t, err), CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_key_type_from_name("", 0, &t, err), CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_key_type_from_name(NULL, 0, &t, err), CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_key_type_from_name("p256", 4, NULL, err), CK_ERR_ARG, err);
    /* "p256" is a prefix of the buffer; only the first len bytes count. */
    t_assert_ok(ck_key_type_from_name("p2567", 4, &t, err), err);
    assert_int_equal(t, CK_KEY_P256);
    assert_null(ck_key_type_name((ck_key_type)0));
    assert_null(ck_key_type_name((ck_key_type)99));
    assert_null(ck_key_jose_alg((ck_key_type)99));
}

/* ---- RFC 8032 ------------------------------------------------------------------------------ */

static const struct {
    const char *name, *secret, *pub, *msg, *sig;
} rfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

static void test_rfc8032(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    for (size_t i = 0; i < sizeof rfc8032 / sizeof rfc8032[0]; i++) {
        size_t slen, plen, mlen, siglen;
        uint8_t *secret = t_unhex(rfc8032[i].secret, &slen);
        uint8_t *pub = t_unhex(rfc8032[i].pub, &plen);
        uint8_t *msg = t_unhex(rfc8032[i].msg, &mlen);
        uint8_t *want = t_unhex(rfc8032[i].sig, &siglen);
        ck_key *key = NULL, *pubkey = NULL;
        uint8_t buf[CK_SIG_MAX_LEN + 1];
        size_t n = 0;

        t_assert_ok(ck_key_import_private(CK_KEY_ED25519, secret, slen, &key, err), err);
        assert_int_equal(ck_key_has_private(key), 1);
        t_assert_ok(ck_key_export_public(key, 0, buf, sizeof buf, &n, err), err);
        assert_int_equal(n, 32);
        assert_memory_equal(buf, pub, 32);
        t_assert_ok(ck_key_export_private(key, buf, sizeof buf, &n, err), err);
        assert_int_equal(n, 32);
        assert_memory_equal(buf, secret, 32);

        /* Ed25519 is deterministic: the signature must be the RFC's, byte for byte. */
        t_assert_ok(ck_sign(key, msg, mlen, buf, sizeof buf, &n, err), err);
        assert_int_equal(n, 64);
        assert_memory_equal(buf, want, 64);

        t_assert_ok(ck_key_import_public(CK_KEY_ED25519, pub, plen, &pubkey, err), err);
        assert_int_equal(ck_key_has_private(pubkey), 0);
        assert_int_equal(ck_key_public_equal(key, pubkey), 1);
        t_assert_ok(ck_verify(pubkey, msg, mlen, want, siglen, 0, err), err);
        t_assert_ok(ck_verify(key, msg, mlen, want, siglen, 0, err), err);

        /* Tampered message: one more byte, or a flipped bit. */
        uint8_t *longer = malloc(mlen + 1);
        assert_non_null(longer);
        if (mlen > 0)
            memcpy(longer, msg, mlen);
        longer[mlen] = 0;
        t_assert_code(ck_verify(pubkey, longer, mlen + 1, want, siglen, 0, err), CK_ERR_SIGNATURE,
                      err);
        if (mlen > 0) {
            longer[0] ^= 1;
            t_assert_code(ck_verify(pubkey, longer, mlen, want, siglen, 0, err), CK_ERR_SIGNATURE,
                          err);
        }
        /* Tampered signature: R and S halves. */
        want[0] ^= 0x40;
        t_assert_code(ck_verify(pubkey, msg, mlen, want, siglen, 0, err), CK_ERR_SIGNATURE, err);
        want[0] ^= 0x40;
        want[40] ^= 0x01;
        t_assert_code(ck_verify(pubkey, msg, mlen, want, siglen, 0, err), CK_ERR_SIGNATURE, err);
        want[40] ^= 0x01;
        t_assert_code(ck_verify(pubkey, msg, mlen, want, 63, 0, err), CK_ERR_SIGNATURE, err);

        free(longer);
        ck_key_free(pubkey);
        ck_key_free(key);
        free(secret);
        free(pub);
        free(msg);
        free(want);
    }
}

/* ---- RFC 8037 ------------------------------------------------------------------------------ */

#define RFC8037_D "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define RFC8037_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_INPUT "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define RFC8037_SIG \
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"

static void test_rfc8037(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    ck_key *priv = NULL, *pub = NULL;
    char jwk[CK_JWK_MAX_LEN], tp[44];
    size_t n = 0;

    /* A.1 private key, A.2 public key. */
    t_assert_ok(import_jwk_str("OKP", "Ed25519", RFC8037_X, NULL, RFC8037_D, &priv, err), err);
    t_assert_ok(import_jwk_str("OKP", "Ed25519", RFC8037_X, NULL, NULL, &pub, err), err);
    assert_int_equal(ck_key_get_type(priv), CK_KEY_ED25519);
    assert_int_equal(ck_key_has_private(priv), 1);
    assert_int_equal(ck_key_has_private(pub), 0);
    assert_int_equal(ck_key_public_equal(priv, pub), 1);

    t_assert_ok(ck_key_export_jwk(pub, 0, jwk, sizeof jwk, &n, err), err);
    assert_string_equal(jwk, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" RFC8037_X "\"}");
    assert_int_equal(n, strlen(jwk));
    t_assert_ok(ck_key_export_jwk(priv, 1, jwk, sizeof jwk, &n, err), err);
    assert_string_equal(jwk, "{\"crv\":\"Ed25519\",\"d\":\"" RFC8037_D
                             "\",\"kty\":\"OKP\",\"x\":\"" RFC8037_X "\"}");

    /* A.3 thumbprint. */
    t_assert_ok(ck_key_thumbprint_b64(pub, tp, err), err);
    assert_string_equal(tp, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    t_assert_ok(ck_key_thumbprint_b64(priv, tp, err), err);
    assert_string_equal(tp, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    uint8_t raw_tp[CK_THUMBPRINT_LEN], tp_dec[CK_THUMBPRINT_LEN];
    t_assert_ok(ck_key_thumbprint(pub, raw_tp, err), err);
    t_assert_ok(ck_b64url_decode(tp, 43, tp_dec, sizeof tp_dec, &n, err), err);
    assert_memory_equal(raw_tp, tp_dec, CK_THUMBPRINT_LEN);

    /* A.4: the JWS signature over the signing input; Ed25519 is deterministic, so signing
     * reproduces it. */
    uint8_t sig[64], mine[CK_SIG_MAX_LEN];
    t_assert_ok(ck_b64url_decode(RFC8037_SIG, strlen(RFC8037_SIG), sig, sizeof sig, &n, err), err);
    assert_int_equal(n, 64);
    const uint8_t *input = (const uint8_t *)RFC8037_INPUT;
    size_t input_len = strlen(RFC8037_INPUT);
    t_assert_ok(ck_verify(pub, input, input_len, sig, sizeof sig, 0, err), err);
    t_assert_ok(ck_sign(priv, input, input_len, mine, sizeof mine, &n, err), err);
    assert_int_equal(n, 64);
    assert_memory_equal(mine, sig, 64);
    t_assert_code(ck_verify(pub, input, input_len - 1, sig, sizeof sig, 0, err), CK_ERR_SIGNATURE,
                  err);

    ck_key_free(priv);
    ck_key_free(pub);
}

/* RFC 7748 section 6.1: Alice's X25519 key pair. */
static void test_x25519_rfc7748(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    size_t slen, plen, n;
    uint8_t *secret =
        t_unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", &slen);
    uint8_t *pub =
        t_unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", &plen);
    ck_key *key = NULL;
    uint8_t buf[64];
    t_assert_ok(ck_key_import_private(CK_KEY_X25519, secret, slen, &key, err), err);
    t_assert_ok(ck_key_export_public(key, 0, buf, sizeof buf, &n, err), err);
    assert_hex_eq(buf, n, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    /* "compressed" has no meaning for X25519: the same 32 bytes. */
    t_assert_ok(ck_key_export_public(key, 1, buf, sizeof buf, &n, err), err);
    assert_int_equal(n, 32);
    assert_memory_equal(buf, pub, 32);
    /* Cannot sign. */
    t_assert_code(ck_sign(key, (const uint8_t *)"m", 1, buf, sizeof buf, &n, err),
                  CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_verify(key, (const uint8_t *)"m", 1, buf, 64, 0, err), CK_ERR_UNSUPPORTED,
                  err);
    ck_key_free(key);
    free(secret);
    free(pub);
}

/* ---- Wycheproof -------------------------------------------------------------------------- */

typedef struct {
    size_t valid, invalid, acceptable, groups, bad_keys;
} wp_counts;

/* Imports a group's key from the raw form and, when present, from the JWK; both must agree.
 * Returns NULL (after checking the error is CK_ERR_KEY_INVALID) if the key is rejected. */
static ck_key *wp_import_key(const json_t *group, ck_key_type type)
{
    ck_err err_buf, *err = &err_buf;
    const json_t *pk = json_object_get(group, "publicKey");
    assert_non_null(pk);
    const char *hex = type == CK_KEY_ED25519 ? jstr(pk, "pk") : jstr(pk, "uncompressed");
    size_t len = 0;
    uint8_t *raw = t_unhex(hex, &len);
    ck_key *key = NULL;
    int rc = ck_key_import_public(type, raw, len, &key, err);
    free(raw);
    if (rc != CK_OK) {
        t_assert_code(rc, CK_ERR_KEY_INVALID, err);
        assert_null(key);
        return NULL;
    }
    const json_t *jwk = json_object_get(group, "publicKeyJwk");
    if (jwk != NULL) {
        ck_key *from_jwk = NULL;
        t_assert_ok(import_jwk_obj(jwk, &from_jwk, err), err);
        assert_int_equal(ck_key_public_equal(key, from_jwk), 1);
        ck_key_free(from_jwk);
    }
    if (is_ec(type)) {
        /* The compressed form of the same point imports to the same key. */
        uint8_t comp[CK_PUB_MAX_LEN];
        size_t clen = 0;
        ck_key *again = NULL;
        t_assert_ok(ck_key_export_public(key, 1, comp, sizeof comp, &clen, err), err);
        assert_int_equal(clen, 1 + coord_len(type));
        t_assert_ok(ck_key_import_public(type, comp, clen, &again, err), err);
        assert_int_equal(ck_key_public_equal(key, again), 1);
        ck_key_free(again);
    }
    return key;
}

/* Checks one test case's outcome against its expected result. */
static void wp_check(const json_t *tc, int rc, const ck_err *err, wp_counts *c)
{
    const char *result = jstr(tc, "result");
    int id = (int)json_integer_value(json_object_get(tc, "tcId"));
    if (strcmp(result, "valid") == 0) {
        if (rc != CK_OK)
            fail_msg("tcId %d (valid) rejected: %s (%d): %s", id, ck_err_name(rc), rc, err->msg);
        c->valid++;
    } else if (strcmp(result, "invalid") == 0) {
        if (rc != CK_ERR_SIGNATURE)
            fail_msg("tcId %d (invalid) gave %s (%d), expected CK_ERR_SIGNATURE", id,
                     ck_err_name(rc), rc);
        c->invalid++;
    } else {
        assert_string_equal(result, "acceptable");
        if (rc != CK_OK && rc != CK_ERR_SIGNATURE)
            fail_msg("tcId %d (acceptable) gave %s (%d)", id, ck_err_name(rc), rc);
        c->acceptable++;
    }
}

/* A group whose key was rejected: none of its cases may be expected to verify. */
static void wp_no_valid(const json_t *tests)
{
    size_t i;
    const json_t *tc;
    json_array_foreach(tests, i, tc)
    {
        if (strcmp(jstr(tc, "result"), "valid") == 0)
            fail_msg("tcId %d is valid but its group's key was rejected",
                     (int)json_integer_value(json_object_get(tc, "tcId")));
    }
}

/* P1363 (R||S) and Ed25519 files: the signature goes to ck_verify as it is. */
static wp_counts wp_run_raw(const char *file, ck_key_type type, unsigned flags)
{
    ck_err err_buf, *err = &err_buf;
    wp_counts c = {0};
    json_t *root = t_vector_json(file);
    size_t gi;
    json_t *group;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group)
    {
        const json_t *tests = json_object_get(group, "tests");
        ck_key *key = wp_import_key(group, type);
        c.groups++;
        if (key == NULL) {
            c.bad_keys++;
            wp_no_valid(tests);
            continue;
        }
        size_t ti;
        const json_t *tc;
        json_array_foreach(tests, ti, tc)
        {
            size_t mlen = 0, slen = 0;
            uint8_t *msg = t_unhex(jstr(tc, "msg"), &mlen);
            uint8_t *sig = t_unhex(jstr(tc, "sig"), &slen);
            ck_err_clear(err);
            int rc = ck_verify(key, msg, mlen, sig, slen, flags, err);
            wp_check(tc, rc, err, &c);
            free(msg);
            free(sig);
        }
        ck_key_free(key);
    }
    json_decref(root);
    return c;
}

/* Strict DER ECDSA-Sig-Value to fixed-size R||S. Returns 0 if the input is not the unique DER
 * encoding of two integers that fit in coord bytes: such a signature has no JOSE form. */
static int der_to_rs(const uint8_t *der, size_t len, uint8_t *rs, size_t coord)
{
    const unsigned char *p = der;
    unsigned char *re = NULL;
    int ok = 0;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
    if (s == NULL || p != der + len)
        goto out;
    int relen = i2d_ECDSA_SIG(s, &re);
    if (relen < 0 || (size_t)relen != len || memcmp(re, der, len) != 0)
        goto out;
    const BIGNUM *r = NULL, *sv = NULL;
    ECDSA_SIG_get0(s, &r, &sv);
    if (BN_is_negative(r) || BN_is_negative(sv))
        goto out;
    if (BN_bn2binpad(r, rs, (int)coord) != (int)coord ||
        BN_bn2binpad(sv, rs + coord, (int)coord) != (int)coord)
        goto out;
    ok = 1;
out:
    OPENSSL_free(re);
    ECDSA_SIG_free(s);
    return ok;
}

/* The "bitcoin" file has DER signatures and requires low S: converted to R||S, verified with
 * CK_VERIFY_LOW_S. A signature without an R||S form can only be an invalid case. */
static wp_counts wp_run_bitcoin(const char *file)
{
    ck_err err_buf, *err = &err_buf;
    wp_counts c = {0};
    json_t *root = t_vector_json(file);
    size_t gi;
    json_t *group;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group)
    {
        const json_t *tests = json_object_get(group, "tests");
        ck_key *key = wp_import_key(group, CK_KEY_SECP256K1);
        c.groups++;
        if (key == NULL) {
            c.bad_keys++;
            wp_no_valid(tests);
            continue;
        }
        size_t ti;
        const json_t *tc;
        json_array_foreach(tests, ti, tc)
        {
            size_t mlen = 0, dlen = 0;
            uint8_t *msg = t_unhex(jstr(tc, "msg"), &mlen);
            uint8_t *der = t_unhex(jstr(tc, "sig"), &dlen);
            uint8_t rs[64];
            int rc = CK_ERR_SIGNATURE;
            ck_err_clear(err);
            if (der_to_rs(der, dlen, rs, 32))
                rc = ck_verify(key, msg, mlen, rs, sizeof rs, CK_VERIFY_LOW_S, err);
            wp_check(tc, rc, err, &c);
            free(msg);
            free(der);
        }
        ck_key_free(key);
    }
    json_decref(root);
    return c;
}

static void wp_report(const char *file, wp_counts c)
{
    print_message("%s: %zu groups (%zu keys rejected), %zu valid, %zu invalid, %zu acceptable\n",
                  file, c.groups, c.bad_keys, c.valid, c.invalid, c.acceptable);
    assert_true(c.groups > 0);
    assert_true(c.valid > 0);
    assert_true(c.invalid > 0);
}

static void test_wycheproof_ed25519(void **state)
{
    (void)state;
    wp_counts c = wp_run_raw("wycheproof/ed25519_test.json", CK_KEY_ED25519, 0);
    wp_report("ed25519_test.json", c);
    assert_int_equal(c.valid + c.invalid + c.acceptable, 151);
    assert_int_equal(c.bad_keys, 0);
}

static void test_wycheproof_p256(void **state)
{
    (void)state;
    wp_counts c = wp_run_raw("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", CK_KEY_P256, 0);
    wp_report("ecdsa_secp256r1_sha256_p1363_test.json", c);
    assert_int_equal(c.valid + c.invalid + c.acceptable, 262);
    assert_int_equal(c.bad_keys, 0);
}

static void test_wycheproof_p384(void **state)
{
    (void)state;
    wp_counts c = wp_run_raw("wycheproof/ecdsa_secp384r1_sha384_p1363_test.json", CK_KEY_P384, 0);
    wp_report("ecdsa_secp384r1_sha384_p1363_test.json", c);
    assert_int_equal(c.valid + c.invalid + c.acceptable, 280);
    assert_int_equal(c.bad_keys, 0);
}

static void test_wycheproof_secp256k1(void **state)
{
    (void)state;
    wp_counts c =
        wp_run_raw("wycheproof/ecdsa_secp256k1_sha256_p1363_test.json", CK_KEY_SECP256K1, 0);
    wp_report("ecdsa_secp256k1_sha256_p1363_test.json", c);
    assert_int_equal(c.valid + c.invalid + c.acceptable, 252);
    assert_int_equal(c.bad_keys, 0);
}

static void test_wycheproof_secp256k1_bitcoin(void **state)
{
    (void)state;
    wp_counts c = wp_run_bitcoin("wycheproof/ecdsa_secp256k1_sha256_bitcoin_test.json");
    wp_report("ecdsa_secp256k1_sha256_bitcoin_test.json", c);
    assert_int_equal(c.valid + c.invalid + c.acceptable, 463);
    assert_int_equal(c.bad_keys, 0);
}

/* ---- round trips ------------------------------------------------------------------------- */

/* Exported JWK must be compact JSON with sorted members; returns the parsed object. */
static json_t *check_jwk_text(const char *text, size_t len, ck_key_type type, int with_d)
{
    json_error_t jerr;
    assert_int_equal(strlen(text), len);
    json_t *obj = json_loads(text, 0, &jerr);
    if (obj == NULL)
        fail_msg("exported JWK is not JSON: %s: %s", jerr.text, text);
    char *canon = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(canon);
    assert_string_equal(canon, text);
    free(canon);
    assert_string_equal(jstr(obj, "kty"), is_ec(type) ? "EC" : "OKP");
    assert_string_equal(jstr(obj, "crv"), jwk_crv(type));
    size_t members = 3 + (is_ec(type) ? 1 : 0) + (with_d ? 1 : 0);
    assert_int_equal(json_object_size(obj), members);
    assert_int_equal(jstr_opt(obj, "d") != NULL, with_d);
    assert_int_equal(jstr_opt(obj, "y") != NULL, is_ec(type));
    return obj;
}

static void round_trip_one(ck_key_type type)
{
    ck_err err_buf, *err = &err_buf;
    ck_key *key = NULL, *pub = NULL, *back = NULL;
    uint8_t sig[CK_SIG_MAX_LEN], buf[CK_PUB_MAX_LEN], sec1[CK_SECRET_MAX_LEN],
        sec2[CK_SECRET_MAX_LEN];
    char jwk[CK_JWK_MAX_LEN], tp1[44], tp2[44];
    size_t n = 0, siglen = 0, s1 = 0, s2 = 0;
    const uint8_t msg[] = "round trip message";
    int can_sign = type != CK_KEY_X25519;
    size_t want_sig = type == CK_KEY_P384 ? 96 : 64;

    t_assert_ok(ck_key_generate(type, &key, err), err);
    assert_int_equal(ck_key_get_type(key), type);
    assert_int_equal(ck_key_has_private(key), 1);

    /* sign / verify */
    if (can_sign) {
        t_assert_ok(ck_sign(key, msg, sizeof msg, sig, sizeof sig, &siglen, err), err);
        assert_int_equal(siglen, want_sig);
        t_assert_ok(ck_verify(key, msg, sizeof msg, sig, siglen, 0, err), err);
        t_assert_code(ck_verify(key, msg, sizeof msg - 1, sig, siglen, 0, err), CK_ERR_SIGNATURE,
                      err);
        sig[siglen - 1] ^= 1;
        t_assert_code(ck_verify(key, msg, sizeof msg, sig, siglen, 0, err), CK_ERR_SIGNATURE, err);
        sig[siglen - 1] ^= 1;
        t_assert_code(ck_verify(key, msg, sizeof msg, sig, siglen - 1, 0, err), CK_ERR_SIGNATURE,
                      err);
        t_assert_code(ck_verify(key, msg, sizeof msg, sig, siglen + 1, 0, err), CK_ERR_SIGNATURE,
                      err);
        t_assert_code(ck_verify(key, msg, sizeof msg, sig, 0, 0, err), CK_ERR_SIGNATURE, err);
        t_assert_code(ck_verify(key, msg, sizeof msg, NULL, 0, 0, err), CK_ERR_SIGNATURE, err);
        /* empty message */
        t_assert_ok(ck_sign(key, NULL, 0, sig, sizeof sig, &siglen, err), err);
        t_assert_ok(ck_verify(key, NULL, 0, sig, siglen, 0, err), err);
        t_assert_ok(ck_verify(key, (const uint8_t *)"", 0, sig, siglen, 0, err), err);
        /* the buffer must hold the whole signature */
        t_assert_code(ck_sign(key, msg, sizeof msg, sig, want_sig - 1, &siglen, err),
                      CK_ERR_BUFFER_SMALL, err);
    } else {
        t_assert_code(ck_sign(key, msg, sizeof msg, sig, sizeof sig, &siglen, err),
                      CK_ERR_UNSUPPORTED, err);
    }

    /* public copy */
    t_assert_ok(ck_key_public_copy(key, &pub, err), err);
    assert_int_equal(ck_key_get_type(pub), type);
    assert_int_equal(ck_key_has_private(pub), 0);
    assert_int_equal(ck_key_public_equal(key, pub), 1);
    if (can_sign) {
        t_assert_ok(ck_sign(key, msg, sizeof msg, sig, sizeof sig, &siglen, err), err);
        t_assert_ok(ck_verify(pub, msg, sizeof msg, sig, siglen, 0, err), err);
        t_assert_code(ck_sign(pub, msg, sizeof msg, sig, sizeof sig, &siglen, err),
                      CK_ERR_KEY_NO_PRIVATE, err);
    } else {
        t_assert_code(ck_sign(pub, msg, sizeof msg, sig, sizeof sig, &siglen, err),
                      CK_ERR_UNSUPPORTED, err);
    }
    t_assert_code(ck_key_export_private(pub, sec1, sizeof sec1, &s1, err), CK_ERR_KEY_NO_PRIVATE,
                  err);
    t_assert_code(ck_key_export_jwk(pub, 1, jwk, sizeof jwk, &n, err), CK_ERR_KEY_NO_PRIVATE, err);

    /* raw public, uncompressed and compressed */
    size_t c = is_ec(type) ? coord_len(type) : 0;
    for (int comp = 0; comp <= 1; comp++) {
        size_t want = c == 0 ? 32 : comp ? 1 + c : 1 + 2 * c;
        t_assert_ok(ck_key_export_public(key, comp, buf, sizeof buf, &n, err), err);
        assert_int_equal(n, want);
        if (c != 0 && comp)
            assert_true(buf[0] == 0x02 || buf[0] == 0x03);
        else if (c != 0)
            assert_int_equal(buf[0], 0x04);
        t_assert_ok(ck_key_import_public(type, buf, n, &back, err), err);
        assert_int_equal(ck_key_public_equal(key, back), 1);
        assert_int_equal(ck_key_has_private(back), 0);
        if (can_sign) {
            t_assert_ok(ck_verify(back, msg, sizeof msg, sig, siglen, 0, err), err);
        }
        ck_key_free(back);
        back = NULL;
        t_assert_code(ck_key_export_public(key, comp, buf, want - 1, &n, err), CK_ERR_BUFFER_SMALL,
                      err);
    }

    /* raw private */
    t_assert_ok(ck_key_export_private(key, sec1, sizeof sec1, &s1, err), err);
    assert_int_equal(s1, type == CK_KEY_P384 ? 48 : 32);
    t_assert_code(ck_key_export_private(key, sec2, s1 - 1, &s2, err), CK_ERR_BUFFER_SMALL, err);
    t_assert_ok(ck_key_import_private(type, sec1, s1, &back, err), err);
    assert_int_equal(ck_key_public_equal(key, back), 1);
    t_assert_ok(ck_key_export_private(back, sec2, sizeof sec2, &s2, err), err);
    assert_int_equal(s2, s1);
    assert_memory_equal(sec1, sec2, s1);
    ck_key_free(back);
    back = NULL;

    /* thumbprint: same for the key, its public copy, and every re-import */
    t_assert_ok(ck_key_thumbprint_b64(key, tp1, err), err);
    assert_int_equal(strlen(tp1), 43);
    t_assert_ok(ck_key_thumbprint_b64(pub, tp2, err), err);
    assert_string_equal(tp1, tp2);

    /* JWK public */
    t_assert_ok(ck_key_export_jwk(key, 0, jwk, sizeof jwk, &n, err), err);
    json_t *obj = check_jwk_text(jwk, n, type, 0);
    t_assert_ok(import_jwk_obj(obj, &back, err), err);
    assert_int_equal(ck_key_has_private(back), 0);
    assert_int_equal(ck_key_public_equal(key, back), 1);
    t_assert_ok(ck_key_thumbprint_b64(back, tp2, err), err);
    assert_string_equal(tp1, tp2);
    /* RFC 7638: the thumbprint is SHA-256 of exactly this text */
    uint8_t digest[32], tp_raw[32];
    t_assert_ok(ck_hash(CK_SHA256, jwk, n, digest, err), err);
    t_assert_ok(ck_key_thumbprint(key, tp_raw, err), err);
    assert_memory_equal(digest, tp_raw, 32);
    ck_key_free(back);
    back = NULL;
    t_assert_code(ck_key_export_jwk(key, 0, jwk, n, &n, err), CK_ERR_BUFFER_SMALL, err);
    json_decref(obj);

    /* JWK private */
    t_assert_ok(ck_key_export_jwk(key, 1, jwk, sizeof jwk, &n, err), err);
    obj = check_jwk_text(jwk, n, type, 1);
    t_assert_ok(import_jwk_obj(obj, &back, err), err);
    assert_int_equal(ck_key_has_private(back), 1);
    assert_int_equal(ck_key_public_equal(key, back), 1);
    t_assert_ok(ck_key_export_private(back, sec2, sizeof sec2, &s2, err), err);
    assert_int_equal(s2, s1);
    assert_memory_equal(sec1, sec2, s1);
    t_assert_ok(ck_key_thumbprint_b64(back, tp2, err), err);
    assert_string_equal(tp1, tp2);
    if (can_sign) {
        t_assert_ok(ck_sign(back, msg, sizeof msg, sig, sizeof sig, &siglen, err), err);
        t_assert_ok(ck_verify(pub, msg, sizeof msg, sig, siglen, 0, err), err);
    }
    ck_key_free(back);
    back = NULL;
    /* Too small by one: nothing written (no partial "d"). */
    memset(jwk, 'Z', sizeof jwk);
    t_assert_code(ck_key_export_jwk(key, 1, jwk, n, NULL, err), CK_ERR_BUFFER_SMALL, err);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(jwk[i], 'Z');
    json_decref(obj);

    /* A different key is a different public key. */
    t_assert_ok(ck_key_generate(type, &back, err), err);
    assert_int_equal(ck_key_public_equal(key, back), 0);
    t_assert_ok(ck_key_thumbprint_b64(back, tp2, err), err);
    assert_string_not_equal(tp1, tp2);
    if (can_sign) {
        t_assert_code(ck_verify(back, msg, sizeof msg, sig, siglen, 0, err), CK_ERR_SIGNATURE, err);
    }
    ck_key_free(back);

    ck_key_free(pub);
    ck_key_free(key);
}

static void test_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ALL_TYPES; i++)
        round_trip_one(all_types[i]);
}

/* X25519 handles agree with ck_x25519: the public key is the scalar times the base point. */
static void test_x25519_agreement(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    ck_key *a = NULL, *b = NULL;
    uint8_t sa[32], sb[32], pa[32], pb[32], k1[32], k2[32];
    size_t n;
    t_assert_ok(ck_key_generate(CK_KEY_X25519, &a, err), err);
    t_assert_ok(ck_key_generate(CK_KEY_X25519, &b, err), err);
    t_assert_ok(ck_key_export_private(a, sa, sizeof sa, &n, err), err);
    t_assert_ok(ck_key_export_private(b, sb, sizeof sb, &n, err), err);
    t_assert_ok(ck_key_export_public(a, 0, pa, sizeof pa, &n, err), err);
    t_assert_ok(ck_key_export_public(b, 0, pb, sizeof pb, &n, err), err);
    t_assert_ok(ck_x25519(k1, sa, pb, err), err);
    t_assert_ok(ck_x25519(k2, sb, pa, err), err);
    assert_memory_equal(k1, k2, 32);
    ck_key_free(a);
    ck_key_free(b);
}

/* ---- ECDSA signature ranges and low S ---------------------------------------------------- */

static void test_ecdsa_ranges(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    const uint8_t msg[] = "range";
    for (size_t i = 1; i < N_SIGN_TYPES; i++) {
        ck_key_type type = sign_types[i];
        size_t c = coord_len(type), olen = 0;
        uint8_t *n = t_unhex(order_hex(type), &olen);
        assert_int_equal(olen, c);
        ck_key *key = NULL;
        uint8_t sig[CK_SIG_MAX_LEN], bad[CK_SIG_MAX_LEN];
        size_t siglen = 0;
        t_assert_ok(ck_key_generate(type, &key, err), err);
        t_assert_ok(ck_sign(key, msg, sizeof msg, sig, sizeof sig, &siglen, err), err);
        assert_int_equal(siglen, 2 * c);
        t_assert_ok(ck_verify(key, msg, sizeof msg, sig, siglen, 0, err), err);

        /* r = 0, s = 0, r = n, s = n, r = s = 0xff..ff */
        memcpy(bad, sig, siglen);
        memset(bad, 0, c);
        t_assert_code(ck_verify(key, msg, sizeof msg, bad, siglen, 0, err), CK_ERR_SIGNATURE, err);
        memcpy(bad, sig, siglen);
        memset(bad + c, 0, c);
        t_assert_code(ck_verify(key, msg, sizeof msg, bad, siglen, 0, err), CK_ERR_SIGNATURE, err);
        memcpy(bad, sig, siglen);
        memcpy(bad, n, c);
        t_assert_code(ck_verify(key, msg, sizeof msg, bad, siglen, 0, err), CK_ERR_SIGNATURE, err);
        memcpy(bad, sig, siglen);
        memcpy(bad + c, n, c);
        t_assert_code(ck_verify(key, msg, sizeof msg, bad, siglen, 0, err), CK_ERR_SIGNATURE, err);
        memset(bad, 0xff, siglen);
        t_assert_code(ck_verify(key, msg, sizeof msg, bad, siglen, 0, err), CK_ERR_SIGNATURE, err);
        /* r + n does not fit; r with a leading zero byte prepended (65/97 bytes) is the
         * wrong length. */
        uint8_t longer[CK_SIG_MAX_LEN + 1];
        longer[0] = 0;
        memcpy(longer + 1, sig, siglen);
        t_assert_code(ck_verify(key, msg, sizeof msg, longer, siglen + 1, 0, err), CK_ERR_SIGNATURE,
                      err);

        /* (r, n - s) is the other valid ECDSA signature: accepted for P-256/P-384 and for
         * secp256k1 without CK_VERIFY_LOW_S; refused for secp256k1 with it. */
        memcpy(bad, sig, siglen);
        be_sub(bad + c, n, sig + c, c);
        if (type == CK_KEY_SECP256K1) {
            t_assert_ok(ck_verify(key, msg, sizeof msg, bad, siglen, 0, err), err);
            t_assert_code(ck_verify(key, msg, sizeof msg, bad, siglen, CK_VERIFY_LOW_S, err),
                          CK_ERR_SIGNATURE, err);
            t_assert_ok(ck_verify(key, msg, sizeof msg, sig, siglen, CK_VERIFY_LOW_S, err), err);
        } else {
            t_assert_ok(ck_verify(key, msg, sizeof msg, bad, siglen, 0, err), err);
            /* The flag is about secp256k1 only. */
            t_assert_ok(ck_verify(key, msg, sizeof msg, bad, siglen, CK_VERIFY_LOW_S, err), err);
        }
        ck_key_free(key);
        free(n);
    }
}

static void test_secp256k1_low_s(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    size_t hlen = 0;
    uint8_t *half =
        t_unhex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", &hlen);
    ck_key *key = NULL;
    t_assert_ok(ck_key_generate(CK_KEY_SECP256K1, &key, err), err);
    for (int i = 0; i < 64; i++) {
        uint8_t msg[4] = {(uint8_t)i, 1, 2, 3}, sig[64];
        size_t siglen = 0;
        t_assert_ok(ck_sign(key, msg, sizeof msg, sig, sizeof sig, &siglen, err), err);
        assert_int_equal(siglen, 64);
        assert_false(be_gt(sig + 32, half, 32));
        t_assert_ok(ck_verify(key, msg, sizeof msg, sig, siglen, CK_VERIFY_LOW_S, err), err);
    }
    ck_key_free(key);
    free(half);
}

/* secp256k1 signing is deterministic (RFC 6979), P-256/P-384 are not; both always verify. */
static void test_sign_determinism(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    const uint8_t msg[] = "det";
    for (size_t i = 0; i < N_SIGN_TYPES; i++) {
        ck_key *key = NULL;
        uint8_t s1[CK_SIG_MAX_LEN], s2[CK_SIG_MAX_LEN];
        size_t l1 = 0, l2 = 0;
        t_assert_ok(ck_key_generate(sign_types[i], &key, err), err);
        t_assert_ok(ck_sign(key, msg, sizeof msg, s1, sizeof s1, &l1, err), err);
        t_assert_ok(ck_sign(key, msg, sizeof msg, s2, sizeof s2, &l2, err), err);
        assert_int_equal(l1, l2);
        int same = memcmp(s1, s2, l1) == 0;
        if (sign_types[i] == CK_KEY_P256 || sign_types[i] == CK_KEY_P384)
            assert_false(same);
        else
            assert_true(same);
        ck_key_free(key);
    }
}

/* ---- invalid keys ------------------------------------------------------------------------ */

static void test_private_import_rejects(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    uint8_t buf[CK_SECRET_MAX_LEN + 1];
    ck_key *key = NULL;

    memset(buf, 1, sizeof buf);
    for (size_t i = 0; i < N_ALL_TYPES; i++) {
        size_t want = all_types[i] == CK_KEY_P384 ? 48 : 32;
        t_assert_code(ck_key_import_private(all_types[i], buf, want - 1, &key, err),
                      CK_ERR_KEY_INVALID, err);
        t_assert_code(ck_key_import_private(all_types[i], buf, want + 1, &key, err),
                      CK_ERR_KEY_INVALID, err);
        t_assert_code(ck_key_import_private(all_types[i], buf, 0, &key, err), CK_ERR_KEY_INVALID,
                      err);
        assert_null(key);
    }

    for (size_t i = 1; i < N_SIGN_TYPES; i++) {
        ck_key_type type = sign_types[i];
        size_t c = coord_len(type), olen = 0;
        uint8_t *n = t_unhex(order_hex(type), &olen);
        uint8_t d[48], one[48] = {0};

        memset(d, 0, c);
        t_assert_code(ck_key_import_private(type, d, c, &key, err), CK_ERR_KEY_INVALID, err);
        t_assert_code(ck_key_import_private(type, n, c, &key, err), CK_ERR_KEY_INVALID, err);
        memset(d, 0xff, c);
        t_assert_code(ck_key_import_private(type, d, c, &key, err), CK_ERR_KEY_INVALID, err);
        memcpy(d, n, c);
        d[c - 1]++; /* n + 1 (the orders end in 0x51, 0x73, 0x41: no carry) */
        t_assert_code(ck_key_import_private(type, d, c, &key, err), CK_ERR_KEY_INVALID, err);
        assert_null(key);
        /* The message names the problem, never the secret. */
        assert_non_null(strstr(err->msg, "range"));

        /* n - 1 and 1 are the extreme valid scalars. */
        one[c - 1] = 1;
        be_sub(d, n, one, c);
        t_assert_ok(ck_key_import_private(type, d, c, &key, err), err);
        ck_key *k1 = NULL;
        t_assert_ok(ck_key_import_private(type, one, c, &k1, err), err);
        /* (n-1)G = -G: same x as G, so the compressed forms differ only in the prefix. */
        uint8_t p1[CK_PUB_MAX_LEN], p2[CK_PUB_MAX_LEN];
        size_t l1 = 0, l2 = 0;
        t_assert_ok(ck_key_export_public(key, 1, p1, sizeof p1, &l1, err), err);
        t_assert_ok(ck_key_export_public(k1, 1, p2, sizeof p2, &l2, err), err);
        assert_int_equal(l1, l2);
        assert_int_not_equal(p1[0], p2[0]);
        assert_memory_equal(p1 + 1, p2 + 1, c);
        ck_key_free(k1);
        ck_key_free(key);
        key = NULL;
        free(n);
    }

    /* Argument errors. */
    t_assert_code(ck_key_import_private((ck_key_type)0, buf, 32, &key, err), CK_ERR_UNSUPPORTED,
                  err);
    t_assert_code(ck_key_import_private((ck_key_type)6, buf, 32, &key, err), CK_ERR_UNSUPPORTED,
                  err);
    t_assert_code(ck_key_import_private(CK_KEY_ED25519, NULL, 32, &key, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_import_private(CK_KEY_ED25519, buf, 32, NULL, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_generate((ck_key_type)0, &key, err), CK_ERR_UNSUPPORTED, err);
    t_assert_code(ck_key_generate(CK_KEY_P256, NULL, err), CK_ERR_ARG, err);
    assert_null(key);
}

static void test_public_import_rejects(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    ck_key *key = NULL;
    uint8_t buf[CK_PUB_MAX_LEN + 1];

    /* Wrong lengths for every type. */
    memset(buf, 2, sizeof buf);
    for (size_t i = 0; i < N_ALL_TYPES; i++) {
        ck_key_type type = all_types[i];
        static const size_t lens[] = {0, 1, 31, 32, 33, 34, 48, 49, 50, 64, 65, 66, 96, 97, 98};
        for (size_t j = 0; j < sizeof lens / sizeof lens[0]; j++) {
            size_t len = lens[j];
            int ok_len = is_ec(type)
                             ? (len == 1 + coord_len(type) || len == 1 + 2 * coord_len(type))
                             : len == 32;
            if (ok_len)
                continue;
            t_assert_code(ck_key_import_public(type, buf, len, &key, err), CK_ERR_KEY_INVALID, err);
            assert_null(key);
        }
    }

    /* EC: off-curve points, coordinates >= p, wrong prefixes, hybrid encoding. */
    for (size_t i = 1; i < N_SIGN_TYPES; i++) {
        ck_key_type type = sign_types[i];
        size_t c = coord_len(type), n = 0;
        uint8_t pt[CK_PUB_MAX_LEN];
        ck_key *good = NULL;
        t_assert_ok(ck_key_generate(type, &good, err), err);
        t_assert_ok(ck_key_export_public(good, 0, pt, sizeof pt, &n, err), err);
        assert_int_equal(n, 1 + 2 * c);

        pt[n - 1] ^= 1; /* y changed: off the curve */
        t_assert_code(ck_key_import_public(type, pt, n, &key, err), CK_ERR_KEY_INVALID, err);
        pt[n - 1] ^= 1;
        pt[1] ^= 1; /* x changed */
        t_assert_code(ck_key_import_public(type, pt, n, &key, err), CK_ERR_KEY_INVALID, err);
        pt[1] ^= 1;
        for (int prefix = 0; prefix < 8; prefix++) {
            if (prefix == 4)
                continue;
            uint8_t saved = pt[0];
            pt[0] = (uint8_t)prefix; /* includes hybrid 0x06/0x07 */
            t_assert_code(ck_key_import_public(type, pt, n, &key, err), CK_ERR_KEY_INVALID, err);
            pt[0] = saved;
        }
        /* prefix 0x04 with a compressed length */
        t_assert_code(ck_key_import_public(type, pt, 1 + c, &key, err), CK_ERR_KEY_INVALID, err);
        /* the point at infinity (all-zero coordinates) */
        memset(pt + 1, 0, 2 * c);
        t_assert_code(ck_key_import_public(type, pt, n, &key, err), CK_ERR_KEY_INVALID, err);
        /* compressed x = 2^k - 1, above p on all three curves */
        pt[0] = 0x02;
        memset(pt + 1, 0xff, c);
        t_assert_code(ck_key_import_public(type, pt, 1 + c, &key, err), CK_ERR_KEY_INVALID, err);
        pt[0] = 0x03;
        t_assert_code(ck_key_import_public(type, pt, 1 + c, &key, err), CK_ERR_KEY_INVALID, err);
        /* uncompressed with x, y >= p */
        pt[0] = 0x04;
        memset(pt + 1, 0xff, 2 * c);
        t_assert_code(ck_key_import_public(type, pt, n, &key, err), CK_ERR_KEY_INVALID, err);
        assert_null(key);
        ck_key_free(good);
    }

    /* Ed25519: identity and the other small-order points, a non-canonical encoding, a y with
     * no x. */
    static const char *ed_bad[] = {
        /* identity (0, 1) */
        "0100000000000000000000000000000000000000000000000000000000000000",
        /* (0, -1), order 2 */
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        /* order 8 point from the list in libsodium's ge25519_has_small_order */
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        /* order 4 point (y = 0) */
        "0000000000000000000000000000000000000000000000000000000000000000",
        /* y = p + 9: non-canonical encoding */
        "f6ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        /* y = 2: not on the curve (no x) */
        "0200000000000000000000000000000000000000000000000000000000000000",
    };
    for (size_t i = 0; i < sizeof ed_bad / sizeof ed_bad[0]; i++) {
        size_t len = 0;
        uint8_t *p = t_unhex(ed_bad[i], &len);
        int rc = ck_key_import_public(CK_KEY_ED25519, p, len, &key, err);
        if (rc != CK_ERR_KEY_INVALID)
            fail_msg("ed25519 public %s: expected CK_ERR_KEY_INVALID, got %s", ed_bad[i],
                     ck_err_name(rc));
        assert_null(key);
        /* X25519 takes every 32-byte string. */
        t_assert_ok(ck_key_import_public(CK_KEY_X25519, p, len, &key, err), err);
        ck_key_free(key);
        key = NULL;
        free(p);
    }

    /* A key with a torsion component (A + T, T of order 8) is not small-order and decodes
     * under RFC 8032 section 5.1.3, so it is accepted, as libsodium's verification accepts it. */
    {
        ck_key *good = NULL;
        uint8_t a[32], at[32];
        size_t len = 0;
        uint8_t *t8 =
            t_unhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", &len);
        t_assert_ok(ck_key_generate(CK_KEY_ED25519, &good, err), err);
        t_assert_ok(ck_key_export_public(good, 0, a, sizeof a, &len, err), err);
        assert_int_equal(crypto_core_ed25519_add(at, a, t8), 0);
        assert_int_equal(crypto_core_ed25519_is_valid_point(at), 0); /* not prime order */
        t_assert_ok(ck_key_import_public(CK_KEY_ED25519, at, sizeof at, &key, err), err);
        assert_int_equal(ck_key_public_equal(key, good), 0);
        ck_key_free(key);
        key = NULL;
        ck_key_free(good);
        free(t8);
    }

    t_assert_code(ck_key_import_public((ck_key_type)0, buf, 32, &key, err), CK_ERR_UNSUPPORTED,
                  err);
    t_assert_code(ck_key_import_public(CK_KEY_ED25519, NULL, 32, &key, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_import_public(CK_KEY_ED25519, buf, 32, NULL, err), CK_ERR_ARG, err);
}

/* ---- JWK errors -------------------------------------------------------------------------- */

static void test_jwk_rejects(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    ck_key *key = NULL;
    char jwk[CK_JWK_MAX_LEN], other_jwk[CK_JWK_MAX_LEN];
    size_t n = 0;

    /* d of another key -> CK_ERR_JWK, for every type. */
    for (size_t i = 0; i < N_ALL_TYPES; i++) {
        ck_key_type type = all_types[i];
        ck_key *a = NULL, *b = NULL;
        t_assert_ok(ck_key_generate(type, &a, err), err);
        t_assert_ok(ck_key_generate(type, &b, err), err);
        t_assert_ok(ck_key_export_jwk(a, 1, jwk, sizeof jwk, &n, err), err);
        t_assert_ok(ck_key_export_jwk(b, 1, other_jwk, sizeof other_jwk, &n, err), err);
        json_t *ja = json_loads(jwk, 0, NULL), *jb = json_loads(other_jwk, 0, NULL);
        assert_non_null(ja);
        assert_non_null(jb);
        const char *ty = is_ec(type) ? jstr(ja, "y") : NULL;
        t_assert_code(import_jwk_str(jstr(ja, "kty"), jstr(ja, "crv"), jstr(ja, "x"), ty,
                                     jstr(jb, "d"), &key, err),
                      CK_ERR_JWK, err);
        assert_null(key);
        if (is_ec(type)) {
            /* right x, y of the other key: not on the curve, or not matching d */
            int rc = import_jwk_str("EC", jstr(ja, "crv"), jstr(ja, "x"), jstr(jb, "y"), NULL, &key,
                                    err);
            assert_true(rc == CK_ERR_KEY_INVALID);
            rc = import_jwk_str("EC", jstr(ja, "crv"), jstr(ja, "x"), jstr(jb, "y"), jstr(ja, "d"),
                                &key, err);
            assert_true(rc == CK_ERR_JWK);
            assert_null(key);
            /* missing y; y on OKP */
            t_assert_code(
                import_jwk_str("EC", jstr(ja, "crv"), jstr(ja, "x"), NULL, NULL, &key, err),
                CK_ERR_JWK, err);
            /* scalar 0 in d */
            char zero[65];
            uint8_t z[48] = {0};
            t_assert_ok(ck_b64url_encode(z, coord_len(type), zero, sizeof zero, NULL, err), err);
            t_assert_code(import_jwk_str("EC", jstr(ja, "crv"), jstr(ja, "x"), jstr(ja, "y"), zero,
                                         &key, err),
                          CK_ERR_KEY_INVALID, err);
        } else {
            t_assert_code(import_jwk_str("OKP", jstr(ja, "crv"), jstr(ja, "x"), jstr(ja, "x"), NULL,
                                         &key, err),
                          CK_ERR_JWK, err);
        }
        /* truncated / extended x, d */
        char *x = strdup(jstr(ja, "x"));
        size_t xl = strlen(x);
        t_assert_code(ck_key_import_jwk(jstr(ja, "kty"), strlen(jstr(ja, "kty")), jstr(ja, "crv"),
                                        strlen(jstr(ja, "crv")), x, xl - 1, ty, ty ? strlen(ty) : 0,
                                        NULL, 0, &key, err),
                      CK_ERR_JWK, err);
        t_assert_code(ck_key_import_jwk(jstr(ja, "kty"), strlen(jstr(ja, "kty")), jstr(ja, "crv"),
                                        strlen(jstr(ja, "crv")), x, xl, ty, ty ? strlen(ty) : 0,
                                        jstr(ja, "d"), strlen(jstr(ja, "d")) - 2, &key, err),
                      CK_ERR_JWK, err);
        /* a character outside the alphabet, a padded value */
        x[0] = '+';
        t_assert_code(import_jwk_str(jstr(ja, "kty"), jstr(ja, "crv"), x, ty, NULL, &key, err),
                      CK_ERR_BASE64, err);
        x[0] = 'A';
        x[xl - 1] = '=';
        t_assert_code(import_jwk_str(jstr(ja, "kty"), jstr(ja, "crv"), x, ty, NULL, &key, err),
                      CK_ERR_BASE64, err);
        assert_null(key);
        free(x);
        json_decref(ja);
        json_decref(jb);
        ck_key_free(a);
        ck_key_free(b);
    }

    /* kty / crv */
    t_assert_code(import_jwk_str("EC", "Ed25519", RFC8037_X, NULL, NULL, &key, err), CK_ERR_JWK,
                  err);
    t_assert_code(import_jwk_str("OKP", "P-256", RFC8037_X, RFC8037_X, NULL, &key, err), CK_ERR_JWK,
                  err);
    t_assert_code(import_jwk_str("OKP", "Ed448", RFC8037_X, NULL, NULL, &key, err),
                  CK_ERR_UNSUPPORTED, err);
    t_assert_code(import_jwk_str("EC", "P-521", RFC8037_X, RFC8037_X, NULL, &key, err),
                  CK_ERR_UNSUPPORTED, err);
    t_assert_code(import_jwk_str("RSA", "Ed25519", RFC8037_X, NULL, NULL, &key, err),
                  CK_ERR_UNSUPPORTED, err);
    t_assert_code(import_jwk_str("okp", "Ed25519", RFC8037_X, NULL, NULL, &key, err),
                  CK_ERR_UNSUPPORTED, err);
    t_assert_code(import_jwk_str("OKP", "ed25519", RFC8037_X, NULL, NULL, &key, err),
                  CK_ERR_UNSUPPORTED, err);
    t_assert_code(import_jwk_str("OKP", "Ed25519", NULL, NULL, NULL, &key, err), CK_ERR_JWK, err);
    t_assert_code(import_jwk_str(NULL, "Ed25519", RFC8037_X, NULL, NULL, &key, err), CK_ERR_JWK,
                  err);
    t_assert_code(import_jwk_str("OKP", NULL, RFC8037_X, NULL, NULL, &key, err), CK_ERR_JWK, err);
    /* The Ed25519 identity point as x: a valid JWK shape, an invalid key. */
    t_assert_code(import_jwk_str("OKP", "Ed25519", "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                 NULL, NULL, &key, err),
                  CK_ERR_KEY_INVALID, err);
    /* Lengths are counted, not NUL-terminated: "OKP" + trailing byte is not "OKP". */
    t_assert_code(ck_key_import_jwk("OKPX", 4, "Ed25519", 7, RFC8037_X, strlen(RFC8037_X), NULL, 0,
                                    NULL, 0, &key, err),
                  CK_ERR_UNSUPPORTED, err);
    t_assert_ok(ck_key_import_jwk("OKPX", 3, "Ed25519X", 7, RFC8037_X, strlen(RFC8037_X), NULL, 0,
                                  NULL, 0, &key, err),
                err);
    ck_key_free(key);
    key = NULL;
    t_assert_code(ck_key_import_jwk("OKP", 3, "Ed25519", 7, RFC8037_X, strlen(RFC8037_X), NULL, 0,
                                    NULL, 0, NULL, err),
                  CK_ERR_ARG, err);
    t_assert_code(ck_key_import_jwk("OKP", 3, "Ed25519", 7, NULL, 43, NULL, 0, NULL, 0, &key, err),
                  CK_ERR_ARG, err);
    assert_null(key);
}

static void test_misc_args(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    ck_key *a = NULL, *b = NULL;
    uint8_t buf[CK_SIG_MAX_LEN];
    char tp[44];
    size_t n = 0;
    ck_key_free(NULL);
    assert_int_equal(ck_key_get_type(NULL), 0);
    assert_int_equal(ck_key_has_private(NULL), 0);
    assert_int_equal(ck_key_public_equal(NULL, NULL), 0);
    t_assert_ok(ck_key_generate(CK_KEY_ED25519, &a, err), err);
    t_assert_ok(ck_key_generate(CK_KEY_X25519, &b, err), err);
    assert_int_equal(ck_key_public_equal(a, NULL), 0);
    assert_int_equal(ck_key_public_equal(a, a), 1);
    assert_int_equal(ck_key_public_equal(a, b), 0);
    t_assert_code(ck_sign(NULL, buf, 1, buf, sizeof buf, &n, err), CK_ERR_ARG, err);
    t_assert_code(ck_sign(a, NULL, 1, buf, sizeof buf, &n, err), CK_ERR_ARG, err);
    t_assert_code(ck_sign(a, buf, 1, NULL, sizeof buf, &n, err), CK_ERR_ARG, err);
    t_assert_code(ck_verify(NULL, buf, 1, buf, 64, 0, err), CK_ERR_ARG, err);
    t_assert_code(ck_verify(a, NULL, 1, buf, 64, 0, err), CK_ERR_ARG, err);
    t_assert_code(ck_verify(a, buf, 1, NULL, 64, 0, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_export_public(NULL, 0, buf, sizeof buf, &n, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_export_public(a, 0, NULL, sizeof buf, &n, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_export_private(a, NULL, 32, &n, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_export_jwk(a, 0, NULL, 100, &n, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_thumbprint(NULL, buf, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_thumbprint_b64(a, NULL, err), CK_ERR_ARG, err);
    t_assert_code(ck_key_thumbprint_b64(NULL, tp, err), CK_ERR_ARG, err);
    ck_key *c = a;
    t_assert_code(ck_key_public_copy(NULL, &c, err), CK_ERR_ARG, err);
    assert_null(c);
    t_assert_code(ck_key_public_copy(a, NULL, err), CK_ERR_ARG, err);
    /* A NULL err is allowed everywhere. */
    assert_int_equal(ck_sign(a, buf, 1, buf, 10, &n, NULL), CK_ERR_BUFFER_SMALL);
    assert_int_equal(ck_verify(a, buf, 1, buf, 10, 0, NULL), CK_ERR_SIGNATURE);
    ck_key_free(a);
    ck_key_free(b);
}

/* ---- threads ----------------------------------------------------------------------------- */

/* Handles are shared read-only between threads: the cached public EVP_PKEY, the secp256k1
 * context and the per-thread hash contexts must all tolerate concurrent use. */
static ck_key *shared_keys[N_SIGN_TYPES];

static void *thread_main(void *arg)
{
    long failures = 0;
    uint8_t msg[8] = {(uint8_t)(uintptr_t)arg, 1, 2, 3, 4, 5, 6, 7};
    for (int round = 0; round < 25; round++) {
        for (size_t i = 0; i < N_SIGN_TYPES; i++) {
            uint8_t sig[CK_SIG_MAX_LEN];
            size_t n = 0;
            ck_err err;
            msg[1] = (uint8_t)round;
            if (ck_sign(shared_keys[i], msg, sizeof msg, sig, sizeof sig, &n, &err) != CK_OK ||
                ck_verify(shared_keys[i], msg, sizeof msg, sig, n, 0, &err) != CK_OK)
                failures++;
            sig[0] ^= 1;
            if (ck_verify(shared_keys[i], msg, sizeof msg, sig, n, 0, &err) != CK_ERR_SIGNATURE)
                failures++;
        }
    }
    return (void *)failures;
}

static void test_threads(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    pthread_t th[4];
    for (size_t i = 0; i < N_SIGN_TYPES; i++)
        t_assert_ok(ck_key_generate(sign_types[i], &shared_keys[i], err), err);
    for (uintptr_t t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&th[t], NULL, thread_main, (void *)t), 0);
    for (int t = 0; t < 4; t++) {
        void *ret = NULL;
        assert_int_equal(pthread_join(th[t], &ret), 0);
        assert_int_equal((long)ret, 0);
    }
    for (size_t i = 0; i < N_SIGN_TYPES; i++) {
        ck_key_free(shared_keys[i]);
        shared_keys[i] = NULL;
    }
}

/* Ed25519 -> X25519 public key map: RFC 7748 section 6.1's Alice key pair is not an Ed25519
 * pair, so the check is structural: the map of the public key equals the X25519 public key of
 * the X25519 scalar libsodium derives from the same seed. */
static void test_to_x25519(void **state)
{
    (void)state;
    ck_key *ed = NULL, *x = NULL, *p256 = NULL;
    ck_err e;
    assert_int_equal(ck_key_generate(CK_KEY_ED25519, &ed, &e), CK_OK);
    assert_int_equal(ck_key_to_x25519(ed, &x, &e), CK_OK);
    assert_int_equal(ck_key_get_type(x), CK_KEY_X25519);
    assert_false(ck_key_has_private(x));
    uint8_t edpub[32], xpub[32], want[32];
    size_t n;
    assert_int_equal(ck_key_export_public(ed, 1, edpub, sizeof edpub, &n, &e), CK_OK);
    assert_int_equal(ck_key_export_public(x, 1, xpub, sizeof xpub, &n, &e), CK_OK);
    assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(want, edpub), 0);
    assert_memory_equal(xpub, want, 32);
    ck_key_free(x);
    x = NULL;
    assert_int_equal(ck_key_generate(CK_KEY_P256, &p256, &e), CK_OK);
    assert_int_equal(ck_key_to_x25519(p256, &x, &e), CK_ERR_UNSUPPORTED);
    assert_null(x);
    assert_int_equal(ck_key_to_x25519(NULL, &x, &e), CK_ERR_ARG);
    ck_key_free(p256);
    ck_key_free(ed);
}

/* The table of small-order y coordinates that Ed25519 public key import rejects is derived, not
 * trusted: each of its entries with each sign of x either is no canonical point, or is a point
 * P with 8P the identity; there are exactly eight such points (the torsion subgroup), and every
 * one is refused at import. */
int ck_internal_ed25519_small_order_y(size_t i, const uint8_t **y);

static void test_ed25519_small_order_table(void **state)
{
    (void)state;
    static const uint8_t identity[32] = {1};
    const uint8_t *y;
    size_t points = 0;
    for (size_t i = 0; ck_internal_ed25519_small_order_y(i, &y); i++) {
        for (int sign = 0; sign < 2; sign++) {
            uint8_t p[32], t[32];
            memcpy(p, y, 32);
            p[31] = (uint8_t)(p[31] | (sign << 7));
            if (crypto_core_ed25519_add(t, p, identity) != 0 || memcmp(t, p, 32) != 0)
                continue; /* x = 0 has no negative: not a canonical encoding */
            for (int d = 0; d < 3; d++)
                assert_int_equal(crypto_core_ed25519_add(t, t, t), 0);
            assert_memory_equal(t, identity, 32);
            points++;
            ck_key *k = NULL;
            ck_err e;
            assert_int_equal(ck_key_import_public(CK_KEY_ED25519, p, 32, &k, &e),
                             CK_ERR_KEY_INVALID);
            assert_null(k);
        }
    }
    assert_int_equal(points, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_rfc8032),
        cmocka_unit_test(test_rfc8037),
        cmocka_unit_test(test_x25519_rfc7748),
        cmocka_unit_test(test_wycheproof_ed25519),
        cmocka_unit_test(test_wycheproof_p256),
        cmocka_unit_test(test_wycheproof_p384),
        cmocka_unit_test(test_wycheproof_secp256k1),
        cmocka_unit_test(test_wycheproof_secp256k1_bitcoin),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_x25519_agreement),
        cmocka_unit_test(test_ecdsa_ranges),
        cmocka_unit_test(test_secp256k1_low_s),
        cmocka_unit_test(test_sign_determinism),
        cmocka_unit_test(test_private_import_rejects),
        cmocka_unit_test(test_public_import_rejects),
        cmocka_unit_test(test_jwk_rejects),
        cmocka_unit_test(test_misc_args),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_to_x25519),
        cmocka_unit_test(test_ed25519_small_order_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
