/* Data Integrity proofs (did/di.h): eddsa-jcs-2022 and ecdsa-jcs-2019.
 *
 * Published vectors (tests/vectors/di/README.md): the W3C Recommendations of 15 May 2025,
 * vc-di-eddsa Appendix B.3 and vc-di-ecdsa Appendices A.5 (P-256) and A.6 (P-384). Signing the
 * eddsa vector must reproduce its proofValue byte for byte (Ed25519 is deterministic); the
 * ECDSA vectors are verified, and every intermediate (canonical proof options, canonical
 * document, both hashes, hashData) is compared byte for byte.
 * Everything else is signed here with generated keys and did:key, or with a test DID method
 * whose documents the tests write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/di.h>
#include <did/did.h>
#include <did/json.h>
#include <did/result.h>
#include <did/time.h>

#include "support.h"

#define DI_DIR CIVID_TEST_DATA_DIR "/di/"
#define VEC_CREATED "2023-02-24T23:36:38Z"
/* A time after the vectors were made, before anything here expires. */
#define T_NOW ((int64_t)1767225600) /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------------------------------------- */
/* Helpers. */

/* A vector file as text, trailing whitespace removed. Caller frees. */
static char *vec_text(const char *rel)
{
    char path[512];
    size_t n = 0;
    char *s;

    snprintf(path, sizeof path, "%s%s", DI_DIR, rel);
    s = (char *)t_read_file(path, &n);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

/* A vector file parsed with the strict parser. */
static json_t *vec_json(const char *rel)
{
    char *s = vec_text(rel);
    json_t *j = NULL;
    did_err err;

    t_assert_ok(did_json_parse(s, strlen(s), NULL, &j, &err), &err);
    free(s);
    return j;
}

static json_t *parse(const char *s)
{
    json_t *j = NULL;
    did_err err;
    t_assert_ok(did_json_parse(s, strlen(s), NULL, &j, &err), &err);
    return j;
}

static int64_t date(const char *s)
{
    int64_t t = 0;
    did_err err;
    t_assert_ok(did_datetime_parse(s, strlen(s), &t, &err), &err);
    return t;
}

static void assert_buf_text(const did_buf *b, const char *want)
{
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
        fail_msg("got  %.*s\nwant %s", (int)b->len, (const char *)b->data, want);
}

static void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
    size_t want_len = 0;
    uint8_t *want = t_unhex(hex, &want_len);
    assert_int_equal(n, want_len);
    assert_memory_equal(p, want, n);
    free(want);
}

/* Secret key from a vector's keys.json; checks that its public half is publicKeyMultibase. */
static ck_key *vec_key(const char *dir)
{
    char rel[128];
    json_t *keys;
    ck_key *key = NULL;
    did_buf mk;
    did_err err;
    const char *pub, *sec;

    snprintf(rel, sizeof rel, "%s/keys.json", dir);
    keys = vec_json(rel);
    pub = json_string_value(json_object_get(keys, "publicKeyMultibase"));
    sec = json_string_value(json_object_get(keys, "secretKeyMultibase"));
    assert_non_null(pub);
    assert_non_null(sec);
    t_assert_ok(did_multikey_decode_secret(sec, strlen(sec), &key, &err), &err);
    did_buf_init(&mk);
    t_assert_ok(did_multikey_encode(key, &mk, &err), &err);
    assert_string_equal((const char *)mk.data, pub);
    did_buf_clear(&mk);
    json_decref(keys);
    return key;
}

/* "did:key:<mk>#<mk>" for key. Caller frees. */
static char *key_vm(const ck_key *key)
{
    did_buf did, mk;
    did_err err;
    char *out;

    did_buf_init(&did);
    did_buf_init(&mk);
    t_assert_ok(did_key_from_key(key, &did, &err), &err);
    t_assert_ok(did_multikey_encode(key, &mk, &err), &err);
    t_assert_ok(did_buf_printf(&did, "#%s", (const char *)mk.data), &err);
    out = (char *)did_buf_steal(&did, NULL);
    did_buf_clear(&mk);
    return out;
}

static ck_key *gen(ck_key_type t)
{
    ck_key *k = NULL;
    ck_err ce;
    if (ck_key_generate(t, &k, &ce) != CK_OK)
        fail_msg("keygen: %s", ce.msg);
    return k;
}

static did_di_suite suite_for(ck_key_type t)
{
    return t == CK_KEY_ED25519 ? DID_DI_EDDSA_JCS_2022 : DID_DI_ECDSA_JCS_2019;
}

static did_ctx *new_ctx(void)
{
    did_ctx *ctx = NULL;
    did_err err;
    t_assert_ok(did_ctx_new(&ctx, &err), &err);
    return ctx;
}

/* Signs the vectors' unsigned credential with key as did:key, assertionMethod. */
static json_t *sign_doc(const ck_key *key, const json_t *doc, const did_di_sign_opts *extra)
{
    did_di_sign_opts o;
    json_t *out = NULL;
    char *vm = key_vm(key);
    did_err err;

    if (extra != NULL)
        o = *extra;
    else
        memset(&o, 0, sizeof o);
    o.suite = suite_for(ck_key_get_type(key));
    if (o.verification_method == NULL)
        o.verification_method = vm;
    if (o.created == 0)
        o.created = date(VEC_CREATED);
    t_assert_ok(did_di_sign(key, doc, &o, &out, &err), &err);
    free(vm);
    return out;
}

static json_t *unsigned_doc(void)
{
    return vec_json("unsigned.json");
}

/* Verifies secured and expects `code`; when code is an error, checks that r recorded it under
 * `check` and that the message contains `needle` (if given). */
static void expect_verify(const did_ctx *ctx, const json_t *secured, const did_di_verify_opts *o,
                          int code, const char *check, const char *needle)
{
    did_di_verify_opts def = {.now = T_NOW};
    did_result r;
    did_err err;
    int rc;

    did_result_init(&r);
    rc = did_di_verify(ctx, secured, o != NULL ? o : &def, &r, NULL, &err);
    t_assert_code(rc, code, &err);
    if (code == DID_OK) {
        assert_true(did_result_verified(&r));
        assert_int_equal(r.n_errors, 0);
    } else {
        int found = 0;
        assert_false(did_result_verified(&r));
        for (size_t i = 0; i < r.n_errors; i++)
            if (r.errors[i].code == code &&
                (check == NULL || strcmp(r.errors[i].check, check) == 0))
                found = 1;
        if (!found)
            fail_msg("%s (%d) not recorded under \"%s\"; first error: %s", did_err_name(code), code,
                     check != NULL ? check : "", r.n_errors > 0 ? r.errors[0].msg : "");
        if (needle != NULL && strstr(err.msg, needle) == NULL)
            fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
    }
    did_result_clear(&r);
}

/* The single proof object of a secured document (borrowed). */
static json_t *proof_of(json_t *secured)
{
    json_t *p = json_object_get(secured, "proof");
    assert_true(json_is_object(p));
    return p;
}

/* ------------------------------------------------------------------------------------------- */
/* Published vectors. */

static void test_suite_names(void **state)
{
    did_di_suite s;
    did_err err;

    (void)state;
    assert_string_equal(did_di_suite_name(DID_DI_EDDSA_JCS_2022), "eddsa-jcs-2022");
    assert_string_equal(did_di_suite_name(DID_DI_ECDSA_JCS_2019), "ecdsa-jcs-2019");
    assert_null(did_di_suite_name((did_di_suite)7));
    assert_string_equal(did_di_format_name(DID_DI_EDDSA_JCS_2022), "di-eddsa-jcs-2022");
    assert_string_equal(did_di_format_name(DID_DI_ECDSA_JCS_2019), "di-ecdsa-jcs-2019");
    assert_null(did_di_format_name((did_di_suite)0));
    t_assert_ok(did_di_suite_from_name("ecdsa-jcs-2019", 14, &s, &err), &err);
    assert_int_equal(s, DID_DI_ECDSA_JCS_2019);
    t_assert_code(did_di_suite_from_name("eddsa-rdfc-2022", 15, &s, &err), DID_ERR_DI_CRYPTOSUITE,
                  &err);
    assert_non_null(strstr(err.msg, "eddsa-rdfc-2022"));
    /* a prefix is not a match */
    t_assert_code(did_di_suite_from_name("eddsa-jcs-202", 13, &s, &err), DID_ERR_DI_CRYPTOSUITE,
                  &err);
}

/* Canonical forms and hashData of proof 0 of secured, against a vector directory. */
static void check_intermediates(const json_t *secured, const char *dir, ck_hash_alg alg)
{
    char rel[128];
    char *want_pc, *want_doc, *hx;
    did_buf pc, doc;
    uint8_t hash[DID_DI_HASH_DATA_MAX], h[CK_HASH_MAX_LEN];
    size_t hash_len = 0, hl = ck_hash_len(alg);
    did_err err;
    ck_err ce;

    did_buf_init(&pc);
    did_buf_init(&doc);
    t_assert_ok(did_di_canonicalize(secured, 0, &pc, &doc, &err), &err);
    snprintf(rel, sizeof rel, "%s/canonical-proof-options.txt", dir);
    want_pc = vec_text(rel);
    want_doc = vec_text("canonical-document.txt");
    assert_buf_text(&pc, want_pc);
    assert_buf_text(&doc, want_doc);

    assert_int_equal(ck_hash(alg, pc.data, pc.len, h, &ce), CK_OK);
    snprintf(rel, sizeof rel, "%s/proof-options-hash.hex", dir);
    hx = vec_text(rel);
    assert_hex(h, hl, hx);
    free(hx);
    assert_int_equal(ck_hash(alg, doc.data, doc.len, h, &ce), CK_OK);
    snprintf(rel, sizeof rel, "%s/document-hash.hex", dir);
    hx = vec_text(rel);
    assert_hex(h, hl, hx);
    free(hx);

    t_assert_ok(did_di_hash_data(alg, pc.data, pc.len, doc.data, doc.len, hash, &hash_len, &err),
                &err);
    assert_int_equal(hash_len, 2 * hl);
    snprintf(rel, sizeof rel, "%s/hash-data.hex", dir);
    hx = vec_text(rel);
    assert_hex(hash, hash_len, hx);
    free(hx);
    free(want_pc);
    free(want_doc);
    did_buf_clear(&pc);
    did_buf_clear(&doc);
}

/* The published signature (signature.hex) is proofValue's payload and verifies over
 * hash-data.hex with the plain key API: ECDSA hashes hashData again with the curve's hash. */
static void check_raw_signature(const ck_key *key, const char *dir, const json_t *secured)
{
    char rel[128];
    char *sig_hex, *hd_hex;
    uint8_t *sig, *hd;
    size_t sig_len = 0, hd_len = 0;
    did_buf dec;
    did_err err;
    ck_err ce;
    const char *pv =
        json_string_value(json_object_get(json_object_get(secured, "proof"), "proofValue"));

    snprintf(rel, sizeof rel, "%s/signature.hex", dir);
    sig_hex = vec_text(rel);
    snprintf(rel, sizeof rel, "%s/hash-data.hex", dir);
    hd_hex = vec_text(rel);
    sig = t_unhex(sig_hex, &sig_len);
    hd = t_unhex(hd_hex, &hd_len);
    did_buf_init(&dec);
    t_assert_ok(did_multibase_decode(pv, strlen(pv), &dec, NULL, &err), &err);
    assert_int_equal(dec.len, sig_len);
    assert_memory_equal(dec.data, sig, sig_len);
    if (ck_verify(key, hd, hd_len, sig, sig_len, 0, &ce) != CK_OK)
        fail_msg("published signature: %s", ce.msg);
    did_buf_clear(&dec);
    free(sig);
    free(hd);
    free(sig_hex);
    free(hd_hex);
}

static void test_eddsa_jcs_2022_vector(void **state)
{
    ck_key *key = vec_key("eddsa-jcs-2022");
    json_t *doc = unsigned_doc(), *want = vec_json("eddsa-jcs-2022/signed.json");
    json_t *opts_doc = vec_json("eddsa-jcs-2022/proof-options.json");
    json_t *secured = NULL;
    char *pv = vec_text("eddsa-jcs-2022/proof-value.txt");
    did_di_sign_opts o = {0};
    did_ctx *ctx = new_ctx();
    did_di_verified v;
    did_result r;
    did_err err;

    (void)state;
    o.suite = DID_DI_EDDSA_JCS_2022;
    o.verification_method = json_string_value(json_object_get(opts_doc, "verificationMethod"));
    o.created = date(VEC_CREATED);
    t_assert_ok(did_di_sign(key, doc, &o, &secured, &err), &err);
    /* Ed25519 is deterministic: the exact published proofValue and signed credential. */
    assert_string_equal(json_string_value(json_object_get(proof_of(secured), "proofValue")), pv);
    assert_true(json_equal(secured, want));
    /* The proof is the published proof options plus proofValue, in the published order. */
    {
        json_t *p = json_copy(proof_of(secured));
        const char *k1, *k2;
        void *it1, *it2;
        assert_int_equal(json_object_del(p, "proofValue"), 0);
        assert_true(json_equal(p, opts_doc));
        for (it1 = json_object_iter(p), it2 = json_object_iter(opts_doc);
             it1 != NULL && it2 != NULL;
             it1 = json_object_iter_next(p, it1), it2 = json_object_iter_next(opts_doc, it2)) {
            k1 = json_object_iter_key(it1);
            k2 = json_object_iter_key(it2);
            assert_string_equal(k1, k2);
        }
        json_decref(p);
    }
    check_intermediates(want, "eddsa-jcs-2022", CK_SHA256);
    check_raw_signature(key, "eddsa-jcs-2022", want);
    /* The input document is untouched. */
    assert_null(json_object_get(doc, "proof"));

    did_result_init(&r);
    did_di_verified_init(&v);
    {
        did_di_verify_opts vo = {.now = T_NOW};
        t_assert_ok(did_di_verify(ctx, want, &vo, &r, &v, &err), &err);
    }
    assert_true(did_result_verified(&r));
    assert_string_equal(r.format, "di-eddsa-jcs-2022");
    assert_int_equal(v.n_proofs, 1);
    assert_int_equal(v.proofs[0].code, DID_OK);
    assert_int_equal(v.proofs[0].suite, DID_DI_EDDSA_JCS_2022);
    assert_string_equal(v.proofs[0].verification_method, o.verification_method);
    assert_int_equal(v.proofs[0].did_len,
                     strlen("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"));
    assert_true(v.proofs[0].has_created);
    assert_int_equal(v.proofs[0].created, date(VEC_CREATED));
    assert_false(v.proofs[0].has_expires);
    assert_non_null(v.proofs[0].key);
    assert_true(ck_key_public_equal(v.proofs[0].key, key));
    did_di_verified_clear(&v);
    assert_null(v.proofs[0].verification_method);
    did_result_clear(&r);

    ck_key_free(key);
    json_decref(doc);
    json_decref(want);
    json_decref(opts_doc);
    json_decref(secured);
    free(pv);
    did_ctx_free(ctx);
}

static void ecdsa_vector(const char *dir, ck_hash_alg alg, size_t sig_len)
{
    char rel[128];
    ck_key *key = vec_key(dir);
    json_t *signed_doc, *doc = unsigned_doc(), *mine = NULL, *opts_doc;
    did_ctx *ctx = new_ctx();
    did_di_sign_opts o = {0};
    did_buf dec;
    did_err err;
    const char *pv;

    snprintf(rel, sizeof rel, "%s/signed.json", dir);
    signed_doc = vec_json(rel);
    snprintf(rel, sizeof rel, "%s/proof-options.json", dir);
    opts_doc = vec_json(rel);

    check_intermediates(signed_doc, dir, alg);
    check_raw_signature(key, dir, signed_doc);
    expect_verify(ctx, signed_doc, NULL, DID_OK, NULL, NULL);

    /* Signing here reproduces everything but the (randomised) signature, which verifies. */
    o.suite = DID_DI_ECDSA_JCS_2019;
    o.verification_method = json_string_value(json_object_get(opts_doc, "verificationMethod"));
    o.created = date(VEC_CREATED);
    t_assert_ok(did_di_sign(key, doc, &o, &mine, &err), &err);
    check_intermediates(mine, dir, alg);
    pv = json_string_value(json_object_get(proof_of(mine), "proofValue"));
    did_buf_init(&dec);
    t_assert_ok(did_multibase_decode(pv, strlen(pv), &dec, NULL, &err), &err);
    assert_int_equal(dec.len, sig_len);
    did_buf_clear(&dec);
    expect_verify(ctx, mine, NULL, DID_OK, NULL, NULL);
    /* Apart from proofValue, the signed credentials are the same. */
    json_object_del(proof_of(mine), "proofValue");
    json_object_del(proof_of(signed_doc), "proofValue");
    assert_true(json_equal(mine, signed_doc));

    ck_key_free(key);
    json_decref(signed_doc);
    json_decref(opts_doc);
    json_decref(doc);
    json_decref(mine);
    did_ctx_free(ctx);
}

static void test_ecdsa_jcs_2019_p256_vector(void **state)
{
    (void)state;
    ecdsa_vector("ecdsa-jcs-2019-p256", CK_SHA256, 64);
}

static void test_ecdsa_jcs_2019_p384_vector(void **state)
{
    (void)state;
    ecdsa_vector("ecdsa-jcs-2019-p384", CK_SHA384, 96);
}

/* ------------------------------------------------------------------------------------------- */
/* Round trips. */

static void test_roundtrip(void **state)
{
    static const ck_key_type types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384};
    did_ctx *ctx = new_ctx();
    json_t *doc = unsigned_doc();

    (void)state;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        ck_key *key = gen(types[t]);
        did_di_sign_opts o = {.created = T_NOW - 60,
                              .expires = T_NOW + 3600,
                              .proof_purpose = "authentication",
                              .challenge = "c-1f3e",
                              .domain = "https://verifier.example",
                              .nonce = "n-42",
                              .id = "urn:uuid:0b4c2a4e-1111-4c8e-9a52-1d3c0c0a0a0a"};
        did_di_verify_opts vo = {.now = T_NOW,
                                 .proof_purpose = "authentication",
                                 .challenge = "c-1f3e",
                                 .domain = "https://verifier.example"};
        json_t *plain = sign_doc(key, doc, NULL);
        json_t *full = sign_doc(key, doc, &o);
        json_t *p = proof_of(full);
        did_result r;
        did_err err;

        expect_verify(ctx, plain, NULL, DID_OK, NULL, NULL);
        expect_verify(ctx, full, &vo, DID_OK, NULL, NULL);
        assert_string_equal(json_string_value(json_object_get(p, "challenge")), "c-1f3e");
        assert_string_equal(json_string_value(json_object_get(p, "domain")),
                            "https://verifier.example");
        assert_string_equal(json_string_value(json_object_get(p, "nonce")), "n-42");
        assert_string_equal(json_string_value(json_object_get(p, "proofPurpose")),
                            "authentication");
        assert_non_null(json_object_get(p, "expires"));
        assert_true(json_equal(json_object_get(p, "@context"), json_object_get(doc, "@context")));
        /* the default purpose is assertionMethod */
        assert_string_equal(json_string_value(json_object_get(proof_of(plain), "proofPurpose")),
                            "assertionMethod");
        /* the format follows the suite */
        did_result_init(&r);
        t_assert_ok(did_di_verify(ctx, full, &vo, &r, NULL, &err), &err);
        assert_string_equal(r.format,
                            types[t] == CK_KEY_ED25519 ? "di-eddsa-jcs-2022" : "di-ecdsa-jcs-2019");
        {
            json_t *rj = did_result_to_json(&r);
            const json_t *checks = json_object_get(rj, "checks");
            size_t found = 0;
            for (size_t i = 0; i < json_array_size(checks); i++) {
                const char *c = json_string_value(json_array_get(checks, i));
                if (strcmp(c, DID_CHECK_SIGNATURE) == 0 || strcmp(c, DID_CHECK_PURPOSE) == 0 ||
                    strcmp(c, DID_CHECK_CREATED) == 0 || strcmp(c, DID_CHECK_CHALLENGE) == 0 ||
                    strcmp(c, DID_CHECK_DOMAIN) == 0 || strcmp(c, DID_CHECK_PROOF) == 0)
                    found++;
            }
            assert_int_equal(found, 6);
            assert_true(json_is_true(json_object_get(rj, "verified")));
            json_decref(rj);
        }
        did_result_clear(&r);
        json_decref(plain);
        json_decref(full);
        ck_key_free(key);
    }
    json_decref(doc);
    did_ctx_free(ctx);
}

/* created omitted; a document without @context; extra members in the document. */
static void test_sign_variants(void **state)
{
    did_ctx *ctx = new_ctx();
    ck_key *key = gen(CK_KEY_ED25519);
    json_t *doc = parse("{\"hello\": \"world\", \"n\": [1, 2.5, -0, 1e21], \"nested\": {\"b\": 1, "
                        "\"a\": \"\\u00e9\"}}");
    did_di_sign_opts o = {.no_created = 1};
    json_t *s1 = sign_doc(key, doc, &o);
    json_t *s2;
    int64_t before = did_time_now();

    (void)state;
    assert_null(json_object_get(proof_of(s1), "created"));
    assert_null(json_object_get(proof_of(s1), "@context"));
    expect_verify(ctx, s1, NULL, DID_OK, NULL, NULL);
    /* created 0 means now */
    {
        did_di_sign_opts o2 = {.suite = DID_DI_EDDSA_JCS_2022};
        char *vm = key_vm(key);
        did_err err;
        int64_t c;
        o2.verification_method = vm;
        t_assert_ok(did_di_sign(key, doc, &o2, &s2, &err), &err);
        c = date(json_string_value(json_object_get(proof_of(s2), "created")));
        assert_true(c >= before && c <= did_time_now());
        free(vm);
    }
    {
        did_di_verify_opts vo = {0}; /* now: the current time */
        expect_verify(ctx, s2, &vo, DID_OK, NULL, NULL);
    }
    json_decref(s1);
    json_decref(s2);
    json_decref(doc);
    ck_key_free(key);
    did_ctx_free(ctx);
}

/* ------------------------------------------------------------------------------------------- */
/* Proof sets and chains. */

static void test_proof_set(void **state)
{
    did_ctx *ctx = new_ctx();
    ck_key *k1 = gen(CK_KEY_ED25519), *k2 = gen(CK_KEY_P256), *k3 = gen(CK_KEY_P384);
    json_t *doc = unsigned_doc();
    json_t *one = sign_doc(k1, doc, NULL);
    json_t *two = sign_doc(k2, one, NULL);
    json_t *three = sign_doc(k3, two, NULL);
    json_t *proofs = json_object_get(two, "proof"), *bad;
    did_di_verified v;
    did_result r;
    did_err err;
    did_di_verify_opts vo = {.now = T_NOW};

    (void)state;
    assert_true(json_is_array(proofs));
    assert_int_equal(json_array_size(proofs), 2);
    assert_true(json_equal(json_array_get(proofs, 0), proof_of(one)));
    assert_int_equal(json_array_size(json_object_get(three, "proof")), 3);
    /* sign_doc's input keeps its single proof */
    assert_true(json_is_object(json_object_get(one, "proof")));

    did_di_verified_init(&v);
    did_result_init(&r);
    t_assert_ok(did_di_verify(ctx, three, &vo, &r, &v, &err), &err);
    assert_int_equal(v.n_proofs, 3);
    assert_int_equal(v.proofs[0].suite, DID_DI_EDDSA_JCS_2022);
    assert_int_equal(v.proofs[1].suite, DID_DI_ECDSA_JCS_2019);
    assert_int_equal(ck_key_get_type(v.proofs[2].key), CK_KEY_P384);
    assert_string_equal(r.format, "di-eddsa-jcs-2022");
    did_result_clear(&r);

    /* A proof set member does not cover its siblings: each alone still verifies. */
    {
        json_t *alone = json_copy(two);
        json_object_set(alone, "proof", json_array_get(proofs, 1));
        expect_verify(ctx, alone, NULL, DID_OK, NULL, NULL);
        json_decref(alone);
    }

    /* One bad proof fails the set and is named. */
    bad = json_deep_copy(two);
    json_object_set_new(json_array_get(json_object_get(bad, "proof"), 1), "created",
                        json_string("2023-02-24T23:36:39Z"));
    expect_verify(ctx, bad, NULL, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE, "proof[1]");
    did_result_init(&r);
    t_assert_code(did_di_verify(ctx, bad, &vo, &r, &v, &err), DID_ERR_DI_SIGNATURE, &err);
    assert_int_equal(v.n_proofs, 2);
    assert_int_equal(v.proofs[0].code, DID_OK);
    assert_int_equal(v.proofs[1].code, DID_ERR_DI_SIGNATURE);
    assert_int_equal(r.n_errors, 1);
    assert_non_null(strstr(r.errors[0].msg, "proof[1]"));
    did_result_clear(&r);
    json_decref(bad);

    /* Both bad: both recorded, the first returned. */
    bad = json_deep_copy(two);
    json_object_set_new(bad, "name", json_string("Forged"));
    did_result_init(&r);
    t_assert_code(did_di_verify(ctx, bad, &vo, &r, &v, &err), DID_ERR_DI_SIGNATURE, &err);
    assert_non_null(strstr(err.msg, "proof[0]"));
    assert_int_equal(r.n_errors, 2);
    did_result_clear(&r);
    json_decref(bad);

    did_di_verified_clear(&v);
    json_decref(one);
    json_decref(two);
    json_decref(three);
    json_decref(doc);
    ck_key_free(k1);
    ck_key_free(k2);
    ck_key_free(k3);
    did_ctx_free(ctx);
}

static void test_proof_limits(void **state)
{
    did_ctx *ctx = new_ctx();
    ck_key *key = gen(CK_KEY_ED25519);
    json_t *doc = unsigned_doc();
    json_t *cur = json_incref(doc), *next;
    did_di_sign_opts o = {.suite = DID_DI_EDDSA_JCS_2022, .created = T_NOW - 5};
    char *vm = key_vm(key);
    did_err err;

    (void)state;
    o.verification_method = vm;
    for (int i = 0; i < DID_DI_MAX_PROOFS; i++) {
        t_assert_ok(did_di_sign(key, cur, &o, &next, &err), &err);
        json_decref(cur);
        cur = next;
    }
    assert_int_equal(json_array_size(json_object_get(cur, "proof")), DID_DI_MAX_PROOFS);
    expect_verify(ctx, cur, NULL, DID_OK, NULL, NULL);
    /* a ninth proof is refused when signing ... */
    next = NULL;
    t_assert_code(did_di_sign(key, cur, &o, &next, &err), DID_ERR_LIMIT, &err);
    assert_null(next);
    /* ... and when verifying */
    json_array_append(json_object_get(cur, "proof"),
                      json_array_get(json_object_get(cur, "proof"), 0));
    expect_verify(ctx, cur, NULL, DID_ERR_LIMIT, DID_CHECK_PROOF, NULL);

    json_decref(cur);
    json_decref(doc);
    free(vm);
    ck_key_free(key);
    did_ctx_free(ctx);
}

static void test_proof_chain(void **state)
{
    did_ctx *ctx = new_ctx();
    ck_key *k1 = gen(CK_KEY_ED25519), *k2 = gen(CK_KEY_P256), *k3 = gen(CK_KEY_ED25519);
    json_t *doc = unsigned_doc();
    static const char *const prev1[] = {"urn:uuid:p1"};
    static const char *const prev12[] = {"urn:uuid:p1", "urn:uuid:p2"};
    static const char *const nope[] = {"urn:uuid:nope"};
    did_di_sign_opts o1 = {.id = "urn:uuid:p1"};
    did_di_sign_opts o2 = {.id = "urn:uuid:p2"};
    did_di_sign_opts o3 = {.id = "urn:uuid:p3", .previous_proofs = prev12, .n_previous_proofs = 2};
    did_di_sign_opts oc = {.id = "urn:uuid:c", .previous_proofs = prev1, .n_previous_proofs = 1};
    json_t *s1 = sign_doc(k1, doc, &o1);
    json_t *s2 = sign_doc(k2, s1, &o2);
    json_t *chain = sign_doc(k3, s2, &o3);
    json_t *simple = sign_doc(k2, s1, &oc);
    json_t *bad, *p;
    did_err err;

    (void)state;
    p = json_array_get(json_object_get(chain, "proof"), 2);
    assert_true(json_is_array(json_object_get(p, "previousProof")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(simple, "proof"), 1), "previousProof")),
                        "urn:uuid:p1");
    expect_verify(ctx, chain, NULL, DID_OK, NULL, NULL);
    expect_verify(ctx, simple, NULL, DID_OK, NULL, NULL);

    /* The chained proof covers the proofs it names: the document it signed carries them. */
    {
        did_buf pc, d;
        json_t *carried;
        did_buf_init(&pc);
        did_buf_init(&d);
        t_assert_ok(did_di_canonicalize(chain, 2, &pc, &d, &err), &err);
        carried = parse((const char *)d.data);
        assert_int_equal(json_array_size(json_object_get(carried, "proof")), 2);
        assert_true(json_equal(json_array_get(json_object_get(carried, "proof"), 1),
                               json_array_get(json_object_get(chain, "proof"), 1)));
        json_decref(carried);
        /* a set member is computed without any proof */
        did_buf_reset(&pc);
        did_buf_reset(&d);
        t_assert_ok(did_di_canonicalize(chain, 1, &pc, &d, &err), &err);
        carried = parse((const char *)d.data);
        assert_null(json_object_get(carried, "proof"));
        json_decref(carried);
        t_assert_code(did_di_canonicalize(chain, 3, &pc, &d, &err), DID_ERR_DI_PROOF, &err);
        did_buf_clear(&pc);
        did_buf_clear(&d);
    }

    /* Tampering with a named proof breaks the chained one too. */
    bad = json_deep_copy(simple);
    json_object_set_new(json_array_get(json_object_get(bad, "proof"), 0), "created",
                        json_string("2020-01-01T00:00:00Z"));
    {
        did_di_verified v;
        did_di_verify_opts vo = {.now = T_NOW};
        did_di_verified_init(&v);
        t_assert_code(did_di_verify(ctx, bad, &vo, NULL, &v, &err), DID_ERR_DI_SIGNATURE, &err);
        assert_int_equal(v.proofs[0].code, DID_ERR_DI_SIGNATURE);
        assert_int_equal(v.proofs[1].code, DID_ERR_DI_SIGNATURE);
        did_di_verified_clear(&v);
    }
    json_decref(bad);

    /* Dropping the named proof: the chain cannot be checked. */
    bad = json_deep_copy(simple);
    json_array_remove(json_object_get(bad, "proof"), 0);
    expect_verify(ctx, bad, NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF, "urn:uuid:p1");
    json_decref(bad);

    /* Malformed previousProof. */
    bad = json_deep_copy(simple);
    json_object_set_new(json_array_get(json_object_get(bad, "proof"), 1), "previousProof",
                        json_integer(1));
    expect_verify(ctx, bad, NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF, "previousProof");
    json_object_set_new(json_array_get(json_object_get(bad, "proof"), 1), "previousProof",
                        json_array());
    expect_verify(ctx, bad, NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF, "previousProof");
    json_decref(bad);

    /* Signing: a previous proof id must exist. */
    {
        did_di_sign_opts on = {
            .suite = DID_DI_EDDSA_JCS_2022, .previous_proofs = nope, .n_previous_proofs = 1};
        json_t *out = NULL;
        char *vm = key_vm(k1);
        on.verification_method = vm;
        t_assert_code(did_di_sign(k1, s2, &on, &out, &err), DID_ERR_DI_PROOF, &err);
        assert_null(out);
        t_assert_code(did_di_sign(k1, doc, &on, &out, &err), DID_ERR_DI_PROOF, &err);
        on.n_previous_proofs = DID_DI_MAX_PROOFS + 1;
        t_assert_code(did_di_sign(k1, s2, &on, &out, &err), DID_ERR_LIMIT, &err);
        free(vm);
    }

    json_decref(s1);
    json_decref(s2);
    json_decref(chain);
    json_decref(simple);
    json_decref(doc);
    ck_key_free(k1);
    ck_key_free(k2);
    ck_key_free(k3);
    did_ctx_free(ctx);
}

/* ------------------------------------------------------------------------------------------- */
/* Negative cases, each with its code. */

/* A signed copy of the unsigned credential by a fresh key of type t, and the key. */
typedef struct fixture {
    did_ctx *ctx;
    ck_key *key;
    json_t *doc;
    json_t *secured;
} fixture;

static void fx_init(fixture *f, ck_key_type t, const did_di_sign_opts *o)
{
    f->ctx = new_ctx();
    f->key = gen(t);
    f->doc = unsigned_doc();
    f->secured = sign_doc(f->key, f->doc, o);
}

static void fx_clear(fixture *f)
{
    json_decref(f->secured);
    json_decref(f->doc);
    ck_key_free(f->key);
    did_ctx_free(f->ctx);
}

/* A deep copy of the fixture's secured document with proof member name set to v (stolen;
 * NULL deletes it). */
static json_t *with_proof(const fixture *f, const char *name, json_t *v)
{
    json_t *c = json_deep_copy(f->secured);
    if (v == NULL)
        json_object_del(proof_of(c), name);
    else
        json_object_set_new(proof_of(c), name, v);
    return c;
}

static void expect_proof_member(const fixture *f, const char *name, json_t *v, int code,
                                const char *check)
{
    json_t *c = with_proof(f, name, v);
    expect_verify(f->ctx, c, NULL, code, check, NULL);
    json_decref(c);
}

static void test_tamper(void **state)
{
    fixture f;
    json_t *c;

    (void)state;
    fx_init(&f, CK_KEY_ED25519, NULL);
    expect_verify(f.ctx, f.secured, NULL, DID_OK, NULL, NULL);
    /* a claim */
    c = json_deep_copy(f.secured);
    json_object_set_new(json_object_get(c, "credentialSubject"), "alumniOf",
                        json_string("The School of Forgeries"));
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE, "proof:");
    json_decref(c);
    /* a claim added */
    c = json_deep_copy(f.secured);
    json_object_set_new(c, "validUntil", json_string("2099-01-01T00:00:00Z"));
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE, NULL);
    json_decref(c);
    /* a proof option: created moved (still a valid date in the past) */
    expect_proof_member(&f, "created", json_string("2023-02-24T23:36:37Z"), DID_ERR_DI_SIGNATURE,
                        DID_CHECK_SIGNATURE);
    /* a proof option added */
    expect_proof_member(&f, "nonce", json_string("x"), DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE);
    /* the proof's @context removed: the proof configuration changes */
    expect_proof_member(&f, "@context", NULL, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE);
    /* JSON formatting does not matter, canonical content does */
    {
        char *text = json_dumps(f.secured, JSON_INDENT(7) | JSON_ENSURE_ASCII);
        json_t *re = parse(text);
        expect_verify(f.ctx, re, NULL, DID_OK, NULL, NULL);
        json_decref(re);
        free(text);
    }
    fx_clear(&f);

    /* the same for ECDSA */
    fx_init(&f, CK_KEY_P384, NULL);
    c = json_deep_copy(f.secured);
    json_object_set_new(c, "issuer", json_string("https://vc.example/issuers/666"));
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE, NULL);
    json_decref(c);
    fx_clear(&f);
}

static void test_structure(void **state)
{
    fixture f;
    json_t *c;

    (void)state;
    fx_init(&f, CK_KEY_ED25519, NULL);
    /* type */
    expect_proof_member(&f, "type", json_string("Ed25519Signature2020"), DID_ERR_DI_CRYPTOSUITE,
                        DID_CHECK_PROOF);
    expect_proof_member(&f, "type", NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    expect_proof_member(&f, "type", json_integer(1), DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    /* cryptosuite */
    expect_proof_member(&f, "cryptosuite", json_string("eddsa-rdfc-2022"), DID_ERR_DI_CRYPTOSUITE,
                        DID_CHECK_PROOF);
    expect_proof_member(&f, "cryptosuite", json_string("EDDSA-JCS-2022"), DID_ERR_DI_CRYPTOSUITE,
                        DID_CHECK_PROOF);
    expect_proof_member(&f, "cryptosuite", NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    /* required members */
    expect_proof_member(&f, "verificationMethod", NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    expect_proof_member(&f, "verificationMethod", json_object(), DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    expect_proof_member(&f, "proofPurpose", NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    expect_proof_member(&f, "proofValue", NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    expect_proof_member(&f, "proofValue", json_null(), DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    expect_proof_member(&f, "id", json_integer(3), DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    expect_proof_member(&f, "nonce", json_true(), DID_ERR_DI_PROOF, DID_CHECK_PROOF);
    /* the proof itself */
    c = json_deep_copy(f.secured);
    json_object_del(c, "proof");
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF, NULL);
    json_object_set_new(c, "proof", json_string("z3abc"));
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF, NULL);
    json_object_set_new(c, "proof", json_array());
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF, NULL);
    json_object_set_new(c, "proof", json_pack("[O, i]", proof_of(f.secured), 5));
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_PROOF, DID_CHECK_PROOF, "proof[1]");
    json_decref(c);
    /* the document */
    c = json_pack("[O]", f.secured);
    expect_verify(f.ctx, c, NULL, DID_ERR_JSON_TYPE, DID_CHECK_FORMAT, NULL);
    json_decref(c);
    /* allow-list */
    {
        did_di_verify_opts vo = {.now = T_NOW, .suites = DID_DI_ALLOW_ECDSA_JCS_2019};
        expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_CRYPTOSUITE, DID_CHECK_PROOF,
                      "not allowed");
        vo.suites = DID_DI_ALLOW_EDDSA_JCS_2022;
        expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    }
    fx_clear(&f);
}

static void test_proof_value(void **state)
{
    fixture f, g;
    const char *pv;
    char *s;
    size_t n;

    (void)state;
    fx_init(&f, CK_KEY_ED25519, NULL);
    pv = json_string_value(json_object_get(proof_of(f.secured), "proofValue"));
    n = strlen(pv);
    s = malloc(DID_DI_MAX_PROOF_VALUE + 8);
    assert_non_null(s);
    /* not base58btc multibase */
    strcpy(s, pv);
    s[0] = 'u';
    expect_proof_member(&f, "proofValue", json_string(s), DID_ERR_DI_PROOF_VALUE,
                        DID_CHECK_SIGNATURE);
    expect_proof_member(&f, "proofValue", json_string(pv + 1), DID_ERR_DI_PROOF_VALUE,
                        DID_CHECK_SIGNATURE);
    expect_proof_member(&f, "proofValue", json_string(""), DID_ERR_DI_PROOF_VALUE,
                        DID_CHECK_SIGNATURE);
    /* a character outside the alphabet */
    strcpy(s, pv);
    s[5] = '0';
    expect_proof_member(&f, "proofValue", json_string(s), DID_ERR_DI_PROOF_VALUE,
                        DID_CHECK_SIGNATURE);
    /* wrong lengths: a character short or long decodes to 63 / 65 bytes (or thereabouts) */
    strcpy(s, pv);
    s[n - 3] = '\0';
    expect_proof_member(&f, "proofValue", json_string(s), DID_ERR_DI_PROOF_VALUE,
                        DID_CHECK_SIGNATURE);
    strcpy(s, pv);
    strcat(s, "zz");
    expect_proof_member(&f, "proofValue", json_string(s), DID_ERR_DI_PROOF_VALUE,
                        DID_CHECK_SIGNATURE);
    /* longer than the limit */
    memset(s, 'z', DID_DI_MAX_PROOF_VALUE + 1);
    s[DID_DI_MAX_PROOF_VALUE + 1] = '\0';
    expect_proof_member(&f, "proofValue", json_string(s), DID_ERR_DI_PROOF_VALUE,
                        DID_CHECK_SIGNATURE);
    /* a valid Ed25519 signature over something else */
    fx_init(&g, CK_KEY_ED25519, NULL);
    {
        json_t *c = json_deep_copy(f.secured);
        json_object_set(proof_of(c), "proofValue",
                        json_object_get(proof_of(g.secured), "proofValue"));
        expect_verify(f.ctx, c, NULL, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE, NULL);
        json_decref(c);
    }
    fx_clear(&g);
    fx_clear(&f);

    /* ECDSA: a P-256 signature length (64) claimed for a P-384 key, and a P-384 one (96) for
     * a P-256 key */
    fx_init(&f, CK_KEY_P384, NULL);
    fx_init(&g, CK_KEY_P256, NULL);
    {
        json_t *c = json_deep_copy(f.secured);
        json_object_set(proof_of(c), "proofValue",
                        json_object_get(proof_of(g.secured), "proofValue"));
        expect_verify(f.ctx, c, NULL, DID_ERR_DI_PROOF_VALUE, DID_CHECK_SIGNATURE, "P-384");
        json_decref(c);
        c = json_deep_copy(g.secured);
        json_object_set(proof_of(c), "proofValue",
                        json_object_get(proof_of(f.secured), "proofValue"));
        expect_verify(f.ctx, c, NULL, DID_ERR_DI_PROOF_VALUE, DID_CHECK_SIGNATURE, NULL);
        json_decref(c);
    }
    fx_clear(&g);
    fx_clear(&f);
    free(s);

    /* ECDSA is malleable: (r, n - s) verifies as well as (r, s) (spec/data-integrity.md). */
    fx_init(&f, CK_KEY_P256, NULL);
    {
        static const uint8_t n256[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
                                         0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
        did_buf dec, enc;
        did_err err;
        unsigned borrow = 0;
        json_t *c;

        pv = json_string_value(json_object_get(proof_of(f.secured), "proofValue"));
        did_buf_init(&dec);
        did_buf_init(&enc);
        t_assert_ok(did_multibase_decode(pv, strlen(pv), &dec, NULL, &err), &err);
        assert_int_equal(dec.len, 64);
        for (int i = 31; i >= 0; i--) {
            unsigned d = (unsigned)n256[i] - dec.data[32 + i] - borrow;
            borrow = d > 0xff;
            dec.data[32 + i] = (uint8_t)d;
        }
        assert_int_equal(borrow, 0);
        t_assert_ok(did_multibase_encode('z', dec.data, dec.len, &enc, &err), &err);
        c = with_proof(&f, "proofValue", json_string((const char *)enc.data));
        expect_verify(f.ctx, c, NULL, DID_OK, NULL, NULL);
        json_decref(c);
        did_buf_clear(&dec);
        did_buf_clear(&enc);
    }
    fx_clear(&f);
}

static void test_key_suite(void **state)
{
    ck_key *p256 = gen(CK_KEY_P256), *ed = gen(CK_KEY_ED25519), *k1 = gen(CK_KEY_SECP256K1);
    json_t *doc = unsigned_doc(), *out = NULL;
    char *vm = key_vm(p256);
    did_di_sign_opts o = {.suite = DID_DI_EDDSA_JCS_2022};
    did_ctx *ctx = new_ctx();
    did_err err;

    (void)state;
    o.verification_method = vm;
    /* signing: a P-256 key with eddsa-jcs-2022, Ed25519 / secp256k1 with ecdsa-jcs-2019 */
    t_assert_code(did_di_sign(p256, doc, &o, &out, &err), DID_ERR_DI_KEY, &err);
    o.suite = DID_DI_ECDSA_JCS_2019;
    t_assert_code(did_di_sign(ed, doc, &o, &out, &err), DID_ERR_DI_KEY, &err);
    t_assert_code(did_di_sign(k1, doc, &o, &out, &err), DID_ERR_DI_KEY, &err);
    assert_null(out);

    /* verifying: a P-256 verification method in an eddsa-jcs-2022 proof (a 64-byte
     * signature, the length Ed25519 has too) */
    {
        json_t *s = sign_doc(p256, doc, NULL);
        json_t *c = json_deep_copy(s);
        json_object_set_new(proof_of(c), "cryptosuite", json_string("eddsa-jcs-2022"));
        expect_verify(ctx, c, NULL, DID_ERR_DI_KEY, DID_CHECK_SIGNATURE, "P-256");
        json_decref(c);
        json_decref(s);
    }
    /* an Ed25519 verification method in an ecdsa-jcs-2019 proof */
    {
        json_t *s = sign_doc(ed, doc, NULL);
        json_t *c = json_deep_copy(s);
        json_object_set_new(proof_of(c), "cryptosuite", json_string("ecdsa-jcs-2019"));
        expect_verify(ctx, c, NULL, DID_ERR_DI_KEY, DID_CHECK_SIGNATURE, NULL);
        json_decref(c);
        json_decref(s);
    }
    /* a secp256k1 verification method (did:key resolves it) in an ecdsa-jcs-2019 proof */
    {
        json_t *s = sign_doc(p256, doc, NULL);
        json_t *c = json_deep_copy(s);
        char *vk = key_vm(k1);
        json_object_set_new(proof_of(c), "verificationMethod", json_string(vk));
        expect_verify(ctx, c, NULL, DID_ERR_DI_KEY, DID_CHECK_SIGNATURE, NULL);
        free(vk);
        json_decref(c);
        json_decref(s);
    }
    free(vm);
    json_decref(doc);
    ck_key_free(p256);
    ck_key_free(ed);
    ck_key_free(k1);
    did_ctx_free(ctx);
}

/* A test DID method: did:example:<n> documents written by the tests. */
typedef struct example_docs {
    const char *text[2];
} example_docs;

static int example_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc,
                           did_err *err)
{
    const example_docs *d = user;
    size_t idx = did->id_len == 1 && did->str[did->id_off] == '2' ? 1 : 0;
    (void)ctx;
    return did_json_parse(d->text[idx], strlen(d->text[idx]), NULL, doc, err);
}

static void test_purpose_and_methods(void **state)
{
    fixture f;
    did_buf mk, d1, d2;
    example_docs docs;
    did_err err;
    json_t *c;
    char *other_vm;
    ck_key *other;

    (void)state;
    fx_init(&f, CK_KEY_ED25519, NULL);
    /* wrong purpose: authentication expected, assertionMethod given */
    {
        did_di_verify_opts vo = {
            .now = T_NOW, .proof_purpose = "authentication", .challenge = "abc"};
        expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_PURPOSE, DID_CHECK_PURPOSE,
                      "authentication");
        vo.proof_purpose = "nonsense";
        t_assert_code(did_di_verify(f.ctx, f.secured, &vo, NULL, NULL, &err), DID_ERR_ARG, &err);
        vo.proof_purpose = NULL;
        vo.skew = -1;
        t_assert_code(did_di_verify(f.ctx, f.secured, &vo, NULL, NULL, &err), DID_ERR_ARG, &err);
    }
    /* a purpose that is no relationship */
    expect_proof_member(&f, "proofPurpose", json_string("keyAgreementX"), DID_ERR_DI_PURPOSE,
                        DID_CHECK_PURPOSE);

    /* a verification method of another DID: the fragment is not in that DID's document */
    other = gen(CK_KEY_ED25519);
    other_vm = key_vm(other);
    {
        const char *vm =
            json_string_value(json_object_get(proof_of(f.secured), "verificationMethod"));
        const char *hash = strchr(vm, '#');
        did_buf mixed;
        did_buf_init(&mixed);
        did_buf_append(&mixed, other_vm, (size_t)(strchr(other_vm, '#') - other_vm));
        did_buf_append_str(&mixed, hash);
        expect_proof_member(&f, "verificationMethod", json_string((const char *)mixed.data),
                            DID_ERR_DID_VM_NOT_FOUND, DID_CHECK_SIGNATURE);
        did_buf_clear(&mixed);
    }
    /* another DID's own method: resolves, but the signature is not its key's */
    expect_proof_member(&f, "verificationMethod", json_string(other_vm), DID_ERR_DI_SIGNATURE,
                        DID_CHECK_SIGNATURE);
    /* not a DID URL at all, and a DID with no fragment */
    expect_proof_member(&f, "verificationMethod",
                        json_string("https://vc.example/issuers/5678#key-1"),
                        DID_ERR_DID_URL_SYNTAX, DID_CHECK_SIGNATURE);
    expect_proof_member(&f, "verificationMethod",
                        json_string("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"),
                        DID_ERR_DID_URL_SYNTAX, DID_CHECK_SIGNATURE);
    expect_proof_member(&f, "verificationMethod", json_string("did:nosuch:123#k"),
                        DID_ERR_DID_METHOD, DID_CHECK_SIGNATURE);

    /* did:example:1 lists the key in authentication only; did:example:2 in assertionMethod. */
    did_buf_init(&mk);
    did_buf_init(&d1);
    did_buf_init(&d2);
    t_assert_ok(did_multikey_encode(f.key, &mk, &err), &err);
    did_buf_printf(&d1,
                   "{\"id\": \"did:example:1\", \"verificationMethod\": [{\"id\": "
                   "\"did:example:1#k\", \"type\": \"Multikey\", \"controller\": "
                   "\"did:example:1\", \"publicKeyMultibase\": \"%s\"}], \"authentication\": "
                   "[\"#k\"]}",
                   (const char *)mk.data);
    did_buf_printf(&d2,
                   "{\"id\": \"did:example:2\", \"verificationMethod\": [{\"id\": "
                   "\"did:example:2#k\", \"type\": \"Multikey\", \"controller\": "
                   "\"did:example:2\", \"publicKeyMultibase\": \"%s\"}], \"assertionMethod\": "
                   "[\"did:example:2#k\"]}",
                   (const char *)mk.data);
    docs.text[0] = (const char *)d1.data;
    docs.text[1] = (const char *)d2.data;
    t_assert_ok(did_ctx_register_method(f.ctx, "example", example_resolve, &docs, &err), &err);
    {
        did_di_sign_opts o = {.verification_method = "did:example:1#k"};
        json_t *s1 = sign_doc(f.key, f.doc, &o);
        did_di_verify_opts auth = {.now = T_NOW, .proof_purpose = "authentication"};
        json_t *s2;
        /* assertionMethod proof, key only authorised for authentication */
        expect_verify(f.ctx, s1, NULL, DID_ERR_DI_PURPOSE, DID_CHECK_PURPOSE, "assertionMethod");
        o.verification_method = "did:example:2#k";
        s2 = sign_doc(f.key, f.doc, &o);
        expect_verify(f.ctx, s2, NULL, DID_OK, NULL, NULL);
        /* authentication proofs by each */
        json_decref(s1);
        json_decref(s2);
        o.proof_purpose = "authentication";
        o.verification_method = "did:example:1#k";
        s1 = sign_doc(f.key, f.doc, &o);
        expect_verify(f.ctx, s1, &auth, DID_OK, NULL, NULL);
        o.verification_method = "did:example:2#k";
        s2 = sign_doc(f.key, f.doc, &o);
        expect_verify(f.ctx, s2, &auth, DID_ERR_DI_PURPOSE, DID_CHECK_PURPOSE, NULL);
        /* an unknown method id in a known DID */
        c = json_deep_copy(s2);
        json_object_set_new(proof_of(c), "verificationMethod", json_string("did:example:2#nope"));
        expect_verify(f.ctx, c, &auth, DID_ERR_DID_VM_NOT_FOUND, DID_CHECK_SIGNATURE, NULL);
        json_decref(c);
        json_decref(s1);
        json_decref(s2);
    }
    /* an authentication proof without an expected challenge verifies, with a warning */
    {
        did_di_sign_opts o = {.proof_purpose = "authentication"};
        json_t *s = sign_doc(f.key, f.doc, &o);
        did_di_verify_opts auth = {.now = T_NOW, .proof_purpose = "authentication"};
        did_result r;
        did_result_init(&r);
        t_assert_ok(did_di_verify(f.ctx, s, &auth, &r, NULL, &err), &err);
        assert_int_equal(r.n_warnings, 1);
        assert_string_equal(r.warnings[0].check, DID_CHECK_CHALLENGE);
        did_result_clear(&r);
        json_decref(s);
    }
    did_buf_clear(&mk);
    did_buf_clear(&d1);
    did_buf_clear(&d2);
    free(other_vm);
    ck_key_free(other);
    fx_clear(&f);
}

/* A resolver hook: counts its calls and answers from a fixed key or a fixed error. */
typedef struct hook {
    int calls;
    int rc;
    const ck_key *key;
} hook;

static int hook_resolve(void *user, const did_ctx *ctx, const char *vm, size_t len,
                        did_relationship rel, ck_key **key, did_err *err)
{
    hook *h = user;
    ck_err ce;

    (void)ctx;
    (void)vm;
    (void)len;
    assert_int_equal(rel, DID_REL_ASSERTION_METHOD);
    h->calls++;
    if (h->rc != DID_OK)
        return did_err_set(err, h->rc, "hook says no");
    if (h->key == NULL)
        return DID_OK; /* a broken resolver: success without a key */
    if (ck_key_public_copy(h->key, key, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return DID_OK;
}

static void test_resolve_hook(void **state)
{
    fixture f;
    ck_key *other = gen(CK_KEY_ED25519);
    hook h = {0};
    did_di_verify_opts vo = {.now = T_NOW, .resolve = hook_resolve, .resolve_user = &h};

    (void)state;
    fx_init(&f, CK_KEY_ED25519, NULL);
    h.key = f.key;
    expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    assert_int_equal(h.calls, 1);
    /* the hook's key is the one checked */
    h.key = other;
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE, NULL);
    /* its errors: the relationship one becomes a purpose failure, others pass through */
    h.rc = DID_ERR_DID_VM_RELATIONSHIP;
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_PURPOSE, DID_CHECK_PURPOSE, "hook says no");
    h.rc = DID_ERR_DID_NOT_FOUND;
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DID_NOT_FOUND, DID_CHECK_SIGNATURE, NULL);
    h.rc = DID_OK;
    h.key = NULL;
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_INTERNAL, DID_CHECK_SIGNATURE, NULL);
    assert_int_equal(h.calls, 5);
    ck_key_free(other);
    fx_clear(&f);
}

static void test_dates(void **state)
{
    fixture f;
    did_di_sign_opts o = {.created = T_NOW - 100, .expires = T_NOW + 100};
    did_di_verify_opts vo = {.now = T_NOW};

    (void)state;
    fx_init(&f, CK_KEY_ED25519, &o);
    expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    /* expired: at and after expires; within the skew still fine */
    vo.now = T_NOW + 100;
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_CREATED, DID_CHECK_CREATED, "expired");
    vo.now = T_NOW + 1000;
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_CREATED, DID_CHECK_CREATED, "expired");
    vo.skew = 901;
    expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    /* created in the future: beyond the skew, and within it */
    vo.now = T_NOW - 101;
    vo.skew = 0;
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_CREATED, DID_CHECK_CREATED, "future");
    vo.skew = 1;
    expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    vo.now = T_NOW - 100;
    vo.skew = 0;
    expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    /* malformed dates (checked before the signature, which they also break) */
    expect_proof_member(&f, "created", json_string("2023-02-24T23:36:38"), DID_ERR_DI_CREATED,
                        DID_CHECK_CREATED);
    expect_proof_member(&f, "created", json_string("2023-02-30T00:00:00Z"), DID_ERR_DI_CREATED,
                        DID_CHECK_CREATED);
    expect_proof_member(&f, "created", json_integer(1677281798), DID_ERR_DI_CREATED,
                        DID_CHECK_CREATED);
    expect_proof_member(&f, "expires", json_string("tomorrow"), DID_ERR_DI_CREATED,
                        DID_CHECK_CREATED);
    /* the extremes of the clock do not overflow */
    vo.now = INT64_MAX;
    vo.skew = INT64_MAX;
    expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    vo.now = INT64_MIN; /* now + skew = -1: created is in the future */
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_CREATED, DID_CHECK_CREATED, "future");
    fx_clear(&f);

    /* signing: expires must come after created */
    {
        did_di_sign_opts bad = {.suite = DID_DI_EDDSA_JCS_2022,
                                .verification_method = "did:key:x#y",
                                .created = T_NOW,
                                .expires = T_NOW};
        ck_key *k = gen(CK_KEY_ED25519);
        json_t *doc = unsigned_doc(), *out = NULL;
        did_err err;
        t_assert_code(did_di_sign(k, doc, &bad, &out, &err), DID_ERR_ARG, &err);
        bad.created = (int64_t)-62135596801LL; /* before 0001-01-01 */
        bad.expires = 0;
        t_assert_code(did_di_sign(k, doc, &bad, &out, &err), DID_ERR_ARG, &err);
        json_decref(doc);
        ck_key_free(k);
    }
}

static void test_challenge_domain(void **state)
{
    fixture f;
    did_di_sign_opts o = {.proof_purpose = "authentication",
                          .challenge = "99612b24-63d9-11ea-b99f-4f66f3e4f81a",
                          .domain = "example.org"};
    did_di_verify_opts vo = {.now = T_NOW,
                             .proof_purpose = "authentication",
                             .challenge = "99612b24-63d9-11ea-b99f-4f66f3e4f81a",
                             .domain = "example.org"};
    json_t *c;

    (void)state;
    fx_init(&f, CK_KEY_P256, &o);
    expect_verify(f.ctx, f.secured, &vo, DID_OK, NULL, NULL);
    /* mismatches */
    vo.challenge = "another";
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_CHALLENGE, DID_CHECK_CHALLENGE, NULL);
    vo.challenge = o.challenge;
    vo.domain = "example.com";
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_DOMAIN, DID_CHECK_DOMAIN, NULL);
    vo.domain = o.domain;
    /* not checked when not expected */
    {
        did_di_verify_opts loose = {.now = T_NOW, .proof_purpose = "authentication"};
        expect_verify(f.ctx, f.secured, &loose, DID_OK, NULL, NULL);
    }
    /* missing */
    c = with_proof(&f, "challenge", NULL);
    expect_verify(f.ctx, c, &vo, DID_ERR_DI_CHALLENGE, DID_CHECK_CHALLENGE, "no challenge");
    json_decref(c);
    c = with_proof(&f, "domain", NULL);
    expect_verify(f.ctx, c, &vo, DID_ERR_DI_DOMAIN, DID_CHECK_DOMAIN, "no domain");
    json_decref(c);
    /* malformed */
    c = with_proof(&f, "challenge", json_integer(7));
    expect_verify(f.ctx, c, &vo, DID_ERR_DI_CHALLENGE, DID_CHECK_CHALLENGE, NULL);
    json_decref(c);
    c = with_proof(&f, "domain", json_array());
    expect_verify(f.ctx, c, &vo, DID_ERR_DI_DOMAIN, DID_CHECK_DOMAIN, NULL);
    json_decref(c);
    /* a list of domains is a set: {example.org} matches, {example.org, x} does not (and either
     * way the signature covers the domain as written) */
    c = with_proof(&f, "domain", json_pack("[s, s]", "example.org", "example.org"));
    expect_verify(f.ctx, c, &vo, DID_ERR_DI_SIGNATURE, DID_CHECK_SIGNATURE, NULL);
    json_decref(c);
    c = with_proof(&f, "domain", json_pack("[s, s]", "example.org", "x"));
    expect_verify(f.ctx, c, &vo, DID_ERR_DI_DOMAIN, DID_CHECK_DOMAIN, NULL);
    json_decref(c);
    /* case matters */
    vo.challenge = "99612B24-63D9-11EA-B99F-4F66F3E4F81A";
    expect_verify(f.ctx, f.secured, &vo, DID_ERR_DI_CHALLENGE, DID_CHECK_CHALLENGE, NULL);
    fx_clear(&f);
}

static void test_context(void **state)
{
    fixture f;
    json_t *c;

    (void)state;
    fx_init(&f, CK_KEY_ED25519, NULL);
    /* the document's @context changed: no longer starts with the proof's */
    c = json_deep_copy(f.secured);
    json_array_set_new(json_object_get(c, "@context"), 1,
                       json_string("https://www.w3.org/ns/credentials/examples/v3"));
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_CONTEXT, DID_CHECK_PROOF, NULL);
    /* ... or removed */
    json_object_del(c, "@context");
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_CONTEXT, DID_CHECK_PROOF, NULL);
    json_decref(c);
    /* the proof's @context longer than the document's */
    c = json_deep_copy(f.secured);
    json_array_append_new(json_object_get(proof_of(c), "@context"),
                          json_string("https://w3id.org/security/data-integrity/v2"));
    expect_verify(f.ctx, c, NULL, DID_ERR_DI_CONTEXT, DID_CHECK_PROOF, "values");
    json_decref(c);
    /* a context appended to the document after signing: the proof's is a prefix, and the
     * document is verified with the proof's @context (cryptosuite Verify Proof step 4) */
    c = json_deep_copy(f.secured);
    json_array_append_new(json_object_get(c, "@context"),
                          json_string("https://w3id.org/security/data-integrity/v2"));
    expect_verify(f.ctx, c, NULL, DID_OK, NULL, NULL);
    json_decref(c);
    fx_clear(&f);

    /* a string @context on both sides */
    {
        ck_key *k = gen(CK_KEY_ED25519);
        json_t *doc = parse("{\"@context\": \"https://www.w3.org/ns/credentials/v2\", \"a\": 1}");
        json_t *s = sign_doc(k, doc, NULL);
        did_ctx *ctx = new_ctx();
        assert_true(json_is_string(json_object_get(proof_of(s), "@context")));
        expect_verify(ctx, s, NULL, DID_OK, NULL, NULL);
        /* an inline context object differing from the document's */
        json_object_set_new(s, "@context",
                            json_pack("[s, {s:s}]", "https://www.w3.org/ns/credentials/v2", "ex",
                                      "https://example.org/#"));
        expect_verify(ctx, s, NULL, DID_OK, NULL, NULL);
        json_object_set_new(proof_of(s), "@context",
                            json_pack("[s, {s:s}]", "https://www.w3.org/ns/credentials/v2", "ex",
                                      "https://example.org/x#"));
        expect_verify(ctx, s, NULL, DID_ERR_DI_CONTEXT, DID_CHECK_PROOF, NULL);
        json_decref(s);
        json_decref(doc);
        ck_key_free(k);
        did_ctx_free(ctx);
    }
}

static void test_sign_args(void **state)
{
    ck_key *key = gen(CK_KEY_ED25519), *pub = NULL;
    json_t *doc = unsigned_doc(), *out = NULL, *arr;
    did_di_sign_opts o = {.suite = DID_DI_EDDSA_JCS_2022, .created = T_NOW};
    char *vm = key_vm(key);
    ck_err ce;
    did_err err;

    (void)state;
    o.verification_method = vm;
    t_assert_code(did_di_sign(NULL, doc, &o, &out, &err), DID_ERR_ARG, &err);
    t_assert_code(did_di_sign(key, NULL, &o, &out, &err), DID_ERR_ARG, &err);
    t_assert_code(did_di_sign(key, doc, NULL, &out, &err), DID_ERR_ARG, &err);
    t_assert_code(did_di_sign(key, doc, &o, NULL, &err), DID_ERR_ARG, &err);
    arr = json_array();
    t_assert_code(did_di_sign(key, arr, &o, &out, &err), DID_ERR_ARG, &err);
    json_decref(arr);
    o.suite = (did_di_suite)9;
    t_assert_code(did_di_sign(key, doc, &o, &out, &err), DID_ERR_ARG, &err);
    o.suite = DID_DI_EDDSA_JCS_2022;
    o.verification_method = "";
    t_assert_code(did_di_sign(key, doc, &o, &out, &err), DID_ERR_ARG, &err);
    o.verification_method = vm;
    o.proof_purpose = "signing";
    t_assert_code(did_di_sign(key, doc, &o, &out, &err), DID_ERR_DI_PURPOSE, &err);
    o.proof_purpose = NULL;
    o.challenge = "\xff\xfe";
    t_assert_code(did_di_sign(key, doc, &o, &out, &err), DID_ERR_ARG, &err);
    o.challenge = NULL;
    assert_int_equal(ck_key_public_copy(key, &pub, &ce), CK_OK);
    t_assert_code(did_di_sign(pub, doc, &o, &out, &err), CK_ERR_KEY_NO_PRIVATE, &err);
    /* a malformed existing proof */
    {
        json_t *bad = json_deep_copy(doc);
        json_object_set_new(bad, "proof", json_integer(1));
        t_assert_code(did_di_sign(key, bad, &o, &out, &err), DID_ERR_DI_PROOF, &err);
        json_object_set_new(bad, "proof", json_pack("[{}, s]", "x"));
        t_assert_code(did_di_sign(key, bad, &o, &out, &err), DID_ERR_DI_PROOF, &err);
        json_decref(bad);
    }
    assert_null(out);
    /* the signed document shares nothing with the input */
    t_assert_ok(did_di_sign(key, doc, &o, &out, &err), &err);
    json_array_append_new(json_object_get(doc, "@context"), json_string("urn:changed"));
    json_object_set_new(json_object_get(doc, "credentialSubject"), "x", json_true());
    assert_int_equal(json_array_size(json_object_get(out, "@context")), 2);
    assert_int_equal(json_array_size(json_object_get(proof_of(out), "@context")), 2);
    assert_null(json_object_get(json_object_get(out, "credentialSubject"), "x"));
    {
        did_ctx *ctx = new_ctx();
        expect_verify(ctx, out, NULL, DID_OK, NULL, NULL);
        t_assert_code(did_di_verify(NULL, out, NULL, NULL, NULL, &err), DID_ERR_ARG, &err);
        t_assert_code(did_di_verify(ctx, NULL, NULL, NULL, NULL, &err), DID_ERR_ARG, &err);
        did_ctx_free(ctx);
    }
    json_decref(out);
    json_decref(doc);
    free(vm);
    ck_key_free(pub);
    ck_key_free(key);
}

static void test_hash_data_args(void **state)
{
    uint8_t out[DID_DI_HASH_DATA_MAX];
    size_t n = 1;
    did_buf a, b;
    did_err err;
    json_t *j = parse("{\"proof\": {}}");

    (void)state;
    t_assert_code(did_di_hash_data((ck_hash_alg)9, (const uint8_t *)"a", 1, (const uint8_t *)"b", 1,
                                   out, &n, &err),
                  DID_ERR_ARG, &err);
    t_assert_code(did_di_hash_data(CK_SHA256, NULL, 1, (const uint8_t *)"b", 1, out, &n, &err),
                  DID_ERR_ARG, &err);
    t_assert_ok(did_di_hash_data(CK_SHA384, (const uint8_t *)"a", 1, (const uint8_t *)"b", 1, out,
                                 &n, &err),
                &err);
    assert_int_equal(n, 96);
    did_buf_init(&a);
    did_buf_init(&b);
    t_assert_code(did_di_canonicalize(NULL, 0, &a, &b, &err), DID_ERR_ARG, &err);
    t_assert_ok(did_di_canonicalize(j, 0, &a, &b, &err), &err);
    assert_buf_text(&a, "{}");
    assert_buf_text(&b, "{}");
    did_buf_clear(&a);
    did_buf_clear(&b);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_names),
        cmocka_unit_test(test_eddsa_jcs_2022_vector),
        cmocka_unit_test(test_ecdsa_jcs_2019_p256_vector),
        cmocka_unit_test(test_ecdsa_jcs_2019_p384_vector),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_sign_variants),
        cmocka_unit_test(test_proof_set),
        cmocka_unit_test(test_proof_limits),
        cmocka_unit_test(test_proof_chain),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_proof_value),
        cmocka_unit_test(test_key_suite),
        cmocka_unit_test(test_purpose_and_methods),
        cmocka_unit_test(test_resolve_hook),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_challenge_domain),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_sign_args),
        cmocka_unit_test(test_hash_data_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
