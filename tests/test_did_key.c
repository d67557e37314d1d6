/* did:key (W3C CCG did:key v0.9): the published vectors in ../shared/vectors/did-key/ (from
 * w3c-ccg/did-method-key test-vectors/), bad identifiers, and did_resolve_key. */
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/did.h>

#include "support.h"

#include "../libdid/src/did_key_internal.h"

static const char *const vector_files[] = {
    "did-key/ed25519-x25519.json",
    "did-key/nist-curves.json",
    "did-key/secp256k1.json",
    "did-key/x25519.json",
};

static const char *const sig_rels[] = {"authentication", "assertionMethod", "capabilityInvocation",
                                       "capabilityDelegation"};

/* Resolver with enableEncryptionKeyDerivation on (off is the default of did_ctx_new). */
static did_ctx *derive_ctx(void)
{
    static const did_key_opts opts = {1};
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;

    t_assert_ok(did_ctx_new(&ctx, err), err);
    t_assert_ok(did_ctx_register_method(ctx, "key", did_key_resolve, (void *)&opts, err), err);
    return ctx;
}

static int type_for_vm(const char *type, ck_key_type *t)
{
    static const struct {
        const char *name;
        ck_key_type type;
    } map[] = {
        {"Ed25519VerificationKey2018", CK_KEY_ED25519},
        {"X25519KeyAgreementKey2019", CK_KEY_X25519},
        {"EcdsaSecp256k1VerificationKey2019", CK_KEY_SECP256K1},
        {"P256Key2021", CK_KEY_P256},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].name, type) == 0) {
            *t = map[i].type;
            return 1;
        }
    }
    return 0;
}

static ck_key *jwk_key(const json_t *jwk, int with_private)
{
    const char *d = with_private ? json_string_value(json_object_get(jwk, "d")) : NULL;
    const char *y = json_string_value(json_object_get(jwk, "y"));
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    const char *x = json_string_value(json_object_get(jwk, "x"));
    ck_key *k = NULL;
    ck_err ce;

    assert_non_null(kty);
    assert_non_null(crv);
    assert_non_null(x);
    if (ck_key_import_jwk(kty, strlen(kty), crv, strlen(crv), x, strlen(x), y, y ? strlen(y) : 0, d,
                          d ? strlen(d) : 0, &k, &ce) != CK_OK)
        fail_msg("import JWK: %s", ce.msg);
    return k;
}

static uint8_t *b58(const char *s, size_t *len)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    uint8_t *out;

    did_buf_init(&b);
    t_assert_ok(did_base58_decode(s, strlen(s), &b, err), err);
    out = did_buf_steal(&b, len);
    return out;
}

/* The expected public key of a vector verification method (publicKeyBase58 or publicKeyJwk). */
static ck_key *vector_vm_key(const json_t *vvm)
{
    const json_t *jwk = json_object_get(vvm, "publicKeyJwk");
    const char *pk58 = json_string_value(json_object_get(vvm, "publicKeyBase58"));
    ck_key_type t = CK_KEY_ED25519;
    ck_key *k = NULL;
    uint8_t *raw;
    size_t n;
    ck_err ce;

    if (jwk != NULL)
        return jwk_key(jwk, 0);
    assert_non_null(pk58);
    assert_true(type_for_vm(json_string_value(json_object_get(vvm, "type")), &t));
    raw = b58(pk58, &n);
    if (ck_key_import_public(t, raw, n, &k, &ce) != CK_OK)
        fail_msg("import %s: %s", pk58, ce.msg);
    free(raw);
    return k;
}

static void assert_str(const json_t *v, const char *want)
{
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), want);
}

static void assert_from_key(const ck_key *k, const char *did)
{
    did_buf b;
    did_err err_s, *err = &err_s;

    did_buf_init(&b);
    t_assert_ok(did_key_from_key(k, &b, err), err);
    assert_string_equal((const char *)b.data, did);
    did_buf_clear(&b);
}

/* The private key a vector gives, if any: "seed" (Ed25519 RFC 8032 seed / secp256k1 scalar),
 * privateKeyJwk, or privateKeyBase58. */
static ck_key *vector_private(const json_t *entry, ck_key_type type)
{
    const char *seed = json_string_value(json_object_get(entry, "seed"));
    const json_t *kp = json_object_get(entry, "verificationKeyPair");
    const json_t *jwk, *sk58;
    ck_key *k = NULL;
    ck_err ce;
    uint8_t *raw;
    size_t n;

    if (kp == NULL)
        kp = json_object_get(entry, "verificationMethod");
    if (seed != NULL) {
        raw = t_unhex(seed, &n);
        if (ck_key_import_private(type, raw, n, &k, &ce) != CK_OK)
            fail_msg("import seed: %s", ce.msg);
        free(raw);
        return k;
    }
    if (kp == NULL)
        return NULL;
    jwk = json_object_get(kp, "privateKeyJwk");
    if (jwk != NULL)
        return jwk_key(jwk, 1);
    sk58 = json_object_get(kp, "privateKeyBase58");
    if (sk58 != NULL) {
        raw = b58(json_string_value(sk58), &n);
        if (ck_key_import_private(type, raw, n, &k, &ce) != CK_OK)
            fail_msg("import privateKeyBase58: %s", ce.msg);
        free(raw);
    }
    return k;
}

static int checked_dids;

static void check_vector(did_ctx *ctx, did_ctx *dctx, const char *did, const json_t *entry,
                         const json_t *vdoc)
{
    const json_t *vvms = json_object_get(vdoc, "verificationMethod");
    const json_t *vvm = json_array_get(vvms, 0);
    const json_t *vjwk = json_object_get(vvm, "publicKeyJwk");
    json_t *doc = NULL, *doc2 = NULL;
    const json_t *vms, *vm;
    ck_key *want = NULL, *got = NULL, *priv = NULL;
    did_err err_s, *err = &err_s;
    int rc;

    assert_non_null(vvm);
    rc = did_resolve(ctx, did, strlen(did), &doc, err);
    /* P-521 is in the multicodec table and in the vectors, but not supported by us. */
    if (vjwk != NULL && strcmp(json_string_value(json_object_get(vjwk, "crv")), "P-521") == 0) {
        t_assert_code(rc, DID_ERR_DID_INVALID, err);
        assert_null(doc);
        checked_dids++;
        return;
    }
    t_assert_ok(rc, err);
    checked_dids++;
    assert_str(json_object_get(doc, "id"), did);
    vms = json_object_get(doc, "verificationMethod");
    assert_int_equal(json_array_size(vms), 1);
    vm = json_array_get(vms, 0);
    /* The vector ids are absolute: "<did>#<multikey>". */
    assert_str(json_object_get(vm, "id"), json_string_value(json_object_get(vvm, "id")));
    assert_str(json_object_get(vm, "type"), "Multikey");
    assert_str(json_object_get(vm, "controller"), did);
    assert_str(json_object_get(vm, "publicKeyMultibase"), did + strlen("did:key:"));

    want = vector_vm_key(vvm);
    t_assert_ok(did_vm_key(vm, &got, err), err);
    assert_true(ck_key_public_equal(want, got));

    /* Relationships: the signing ones as in the vector. keyAgreement only for X25519 keys: the
     * older vectors also list EC signing keys there, which did:key v0.9 and did.h do not. */
    for (size_t i = 0; i < 4; i++) {
        const json_t *vr = json_object_get(vdoc, sig_rels[i]);
        const json_t *r = json_object_get(doc, sig_rels[i]);
        if (vr == NULL || ck_key_get_type(got) == CK_KEY_X25519) {
            assert_null(r);
            continue;
        }
        assert_int_equal(json_array_size(r), 1);
        assert_str(json_array_get(r, 0), json_string_value(json_array_get(vr, 0)));
    }
    if (ck_key_get_type(got) == CK_KEY_X25519) {
        const json_t *ka = json_object_get(doc, "keyAgreement");
        assert_int_equal(json_array_size(ka), 1);
        assert_true(json_equal(json_array_get(ka, 0),
                               json_array_get(json_object_get(vdoc, "keyAgreement"), 0)));
    } else {
        assert_null(json_object_get(doc, "keyAgreement"));
    }

    /* Ed25519: the derived X25519 keyAgreement key (enableEncryptionKeyDerivation). */
    if (ck_key_get_type(got) == CK_KEY_ED25519) {
        const json_t *kap = json_object_get(entry, "keyAgreementKeyPair");
        const json_t *ka, *kvm;
        ck_key *xwant, *xgot = NULL;

        assert_non_null(kap);
        t_assert_ok(did_resolve(dctx, did, strlen(did), &doc2, err), err);
        assert_int_equal(json_array_size(json_object_get(doc2, "verificationMethod")), 2);
        kvm = json_array_get(json_object_get(doc2, "verificationMethod"), 1);
        assert_str(json_object_get(kvm, "id"),
                   json_string_value(json_object_get(json_array_get(vvms, 1), "id")));
        ka = json_object_get(doc2, "keyAgreement");
        assert_int_equal(json_array_size(ka), 1);
        assert_str(json_array_get(ka, 0),
                   json_string_value(json_array_get(json_object_get(vdoc, "keyAgreement"), 0)));
        xwant = vector_vm_key(kap);
        t_assert_ok(did_vm_key(kvm, &xgot, err), err);
        assert_int_equal(ck_key_get_type(xgot), CK_KEY_X25519);
        assert_true(ck_key_public_equal(xwant, xgot));
        for (size_t i = 0; i < 4; i++)
            assert_true(
                json_equal(json_object_get(doc2, sig_rels[i]), json_object_get(doc, sig_rels[i])));
        ck_key_free(xwant);
        ck_key_free(xgot);
    }

    assert_from_key(got, did);
    priv = vector_private(entry, ck_key_get_type(got));
    if (priv != NULL) {
        assert_true(ck_key_public_equal(priv, want));
        assert_from_key(priv, did);
    }
    ck_key_free(priv);
    ck_key_free(want);
    ck_key_free(got);
    json_decref(doc);
    json_decref(doc2);
}

static void test_vectors(void **state)
{
    did_ctx *ctx = NULL, *dctx = derive_ctx();
    did_err err_s, *err = &err_s;

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    checked_dids = 0;
    for (size_t f = 0; f < sizeof(vector_files) / sizeof(vector_files[0]); f++) {
        json_t *v = t_vector_json(vector_files[f]);
        json_t *set = json_object_get(v, "didDocument");
        const char *did;
        json_t *entry;

        /* x25519.json is {"didDocument": {did: document}}; the others {did: {..., didDocument}} */
        if (set != NULL && json_object_get(set, "id") == NULL) {
            json_object_foreach(set, did, entry) check_vector(ctx, dctx, did, entry, entry);
        } else {
            json_object_foreach(v, did, entry)
                check_vector(ctx, dctx, did, entry, json_object_get(entry, "didDocument"));
        }
        json_decref(v);
    }
    /* 5 Ed25519 + 7 NIST (2 of them P-521) + 6 secp256k1 + 4 X25519 */
    assert_int_equal(checked_dids, 22);
    did_ctx_free(ctx);
    did_ctx_free(dctx);
}

/* "did:key:" + base58btc(bytes), built here so each bad input is exactly what it says. */
static char *did_from_bytes(const uint8_t *b, size_t n)
{
    did_buf out;
    did_err err_s, *err = &err_s;
    size_t len;

    did_buf_init(&out);
    assert_int_equal(did_buf_append_str(&out, "did:key:"), 0);
    t_assert_ok(did_multibase_encode(DID_MULTIBASE_BASE58BTC, b, n, &out, err), err);
    return (char *)did_buf_steal(&out, &len);
}

static void expect_invalid(did_ctx *ctx, const char *did, int code)
{
    json_t *doc = NULL;
    did_err err_s, *err = &err_s;

    t_assert_code(did_resolve(ctx, did, strlen(did), &doc, err), code, err);
    assert_null(doc);
}

static void expect_invalid_bytes(did_ctx *ctx, const uint8_t *b, size_t n)
{
    char *did = did_from_bytes(b, n);
    expect_invalid(ctx, did, DID_ERR_DID_INVALID);
    free(did);
}

static void test_bad_ids(void **state)
{
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;
    uint8_t b[128];

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    /* Not base58btc multibase. */
    expect_invalid(ctx, "did:key:6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
                   DID_ERR_DID_INVALID);
    expect_invalid(ctx, "did:key:uAO0B", DID_ERR_DID_INVALID);
    expect_invalid(ctx, "did:key:z", DID_ERR_DID_INVALID);
    /* '0', 'O', 'I' and 'l' are not in the base58 alphabet. */
    expect_invalid(ctx, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0",
                   DID_ERR_DID_INVALID);
    expect_invalid(ctx, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWl",
                   DID_ERR_DID_INVALID);
    /* Not a DID at all. */
    expect_invalid(ctx, "did:key:", DID_ERR_DID_SYNTAX);
    expect_invalid(ctx, "did:key:z6Mk#frag", DID_ERR_DID_SYNTAX);

    memset(b, 0x07, sizeof(b));
    /* Unknown multicodec: 0x1205 (rsa-pub), 0x00, and a private-key code 0x1300. */
    b[0] = 0x85;
    b[1] = 0x24;
    expect_invalid_bytes(ctx, b, 34);
    b[0] = 0x00;
    expect_invalid_bytes(ctx, b, 33);
    b[0] = 0x80;
    b[1] = 0x26;
    expect_invalid_bytes(ctx, b, 34);
    /* P-521 (0x1202) is recognised but unsupported. */
    b[0] = 0x82;
    b[1] = 0x24;
    b[2] = 0x02;
    expect_invalid_bytes(ctx, b, 2 + 67);
    /* Truncated varint, non-minimal varint for 0xed. */
    b[0] = 0x80;
    expect_invalid_bytes(ctx, b, 1);
    b[0] = 0xed;
    b[1] = 0x81;
    b[2] = 0x00;
    expect_invalid_bytes(ctx, b, 35);
    /* Wrong lengths: Ed25519 31 and 33 bytes, X25519 0 bytes, uncompressed secp256k1 65. */
    b[0] = 0xed;
    b[1] = 0x01;
    memset(b + 2, 0x11, 80);
    expect_invalid_bytes(ctx, b, 2 + 31);
    expect_invalid_bytes(ctx, b, 2 + 33);
    b[0] = 0xec;
    expect_invalid_bytes(ctx, b, 2);
    b[0] = 0xe7;
    b[2] = 0x04;
    expect_invalid_bytes(ctx, b, 2 + 65);
    /* Invalid points: compressed prefix 0x05 (secp256k1); x >= p (P-256). */
    b[0] = 0xe7;
    b[1] = 0x01;
    b[2] = 0x05;
    expect_invalid_bytes(ctx, b, 2 + 33);
    b[0] = 0x80;
    b[1] = 0x24;
    b[2] = 0x02;
    memset(b + 3, 0xff, 32);
    expect_invalid_bytes(ctx, b, 2 + 33);
    /* P-384 with the P-256 length. */
    b[0] = 0x81;
    expect_invalid_bytes(ctx, b, 2 + 33);
    did_ctx_free(ctx);
}

static void test_generated_round_trip(void **state)
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
        did_buf did, url;
        json_t *vm = NULL;
        did_relationship rel =
            types[i] == CK_KEY_X25519 ? DID_REL_KEY_AGREEMENT : DID_REL_AUTHENTICATION;

        did_buf_init(&did);
        did_buf_init(&url);
        if (ck_key_generate(types[i], &k, &ce) != CK_OK)
            fail_msg("generate: %s", ce.msg);
        t_assert_ok(did_key_from_key(k, &did, err), err);
        assert_int_equal(
            did_buf_printf(&url, "%s#%s", (const char *)did.data, (const char *)did.data + 8), 0);
        t_assert_ok(did_resolve_key(ctx, (const char *)url.data, url.len, rel, &got, &vm, err),
                    err);
        assert_true(ck_key_public_equal(k, got));
        assert_int_equal(ck_key_has_private(got), 0);
        assert_str(json_object_get(vm, "id"), (const char *)url.data);
        json_decref(vm);
        ck_key_free(got);
        ck_key_free(k);
        did_buf_clear(&did);
        did_buf_clear(&url);
    }
    did_ctx_free(ctx);
}

#define ED_DID "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
#define ED_URL ED_DID "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
#define X_DID "did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F"
#define X_URL X_DID "#z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F"

static void expect_key(did_ctx *ctx, const char *url, did_relationship rel, int code)
{
    ck_key *k = NULL;
    json_t *vm = NULL;
    did_err err_s, *err = &err_s;

    t_assert_code(did_resolve_key(ctx, url, strlen(url), rel, &k, &vm, err), code, err);
    if (code == DID_OK) {
        assert_non_null(k);
        assert_str(json_object_get(vm, "id"), url);
    } else {
        assert_null(k);
        assert_null(vm);
    }
    ck_key_free(k);
    json_decref(vm);
}

static void test_resolve_key(void **state)
{
    did_ctx *ctx = NULL, *dctx = derive_ctx();
    did_err err_s, *err = &err_s;

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    expect_key(ctx, ED_URL, DID_REL_ANY, DID_OK);
    expect_key(ctx, ED_URL, DID_REL_AUTHENTICATION, DID_OK);
    expect_key(ctx, ED_URL, DID_REL_ASSERTION_METHOD, DID_OK);
    expect_key(ctx, ED_URL, DID_REL_CAPABILITY_INVOCATION, DID_OK);
    expect_key(ctx, ED_URL, DID_REL_CAPABILITY_DELEGATION, DID_OK);
    /* A signing key is not a key-agreement key. */
    expect_key(ctx, ED_URL, DID_REL_KEY_AGREEMENT, DID_ERR_DID_VM_RELATIONSHIP);
    expect_key(ctx, ED_DID "#z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",
               DID_REL_KEY_AGREEMENT, DID_ERR_DID_VM_NOT_FOUND);
    /* With derivation, the X25519 key exists and is for key agreement only. */
    expect_key(dctx, ED_DID "#z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",
               DID_REL_KEY_AGREEMENT, DID_OK);
    expect_key(dctx, ED_DID "#z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",
               DID_REL_AUTHENTICATION, DID_ERR_DID_VM_RELATIONSHIP);
    expect_key(ctx, ED_DID "#key-1", DID_REL_ANY, DID_ERR_DID_VM_NOT_FOUND);
    expect_key(ctx, X_URL, DID_REL_KEY_AGREEMENT, DID_OK);
    expect_key(ctx, X_URL, DID_REL_ANY, DID_OK);
    expect_key(ctx, X_URL, DID_REL_AUTHENTICATION, DID_ERR_DID_VM_RELATIONSHIP);
    expect_key(ctx, X_URL, DID_REL_ASSERTION_METHOD, DID_ERR_DID_VM_RELATIONSHIP);
    /* Not "did#fragment". */
    expect_key(ctx, ED_DID, DID_REL_ANY, DID_ERR_DID_URL_SYNTAX);
    expect_key(ctx, ED_DID "?versionId=1#z6Mk", DID_REL_ANY, DID_ERR_DID_URL_SYNTAX);
    expect_key(ctx, ED_DID "/path#z6Mk", DID_REL_ANY, DID_ERR_DID_URL_SYNTAX);
    expect_key(ctx, "did:key:abc#z6Mk", DID_REL_ANY, DID_ERR_DID_INVALID);
    did_ctx_free(ctx);
    did_ctx_free(dctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_bad_ids),
        cmocka_unit_test(test_generated_round_trip),
        cmocka_unit_test(test_resolve_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
