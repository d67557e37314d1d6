/* VC-JOSE-COSE: vc+jwt and vp+jwt (did/vcjose.h).
 *
 * Published vectors (tests/vectors/vc-jose-cose/README.md has their sources):
 *  - the ES384 credential token of the VC-JOSE-COSE Recommendation's example 2, verified with
 *    the key its example generator publishes;
 *  - tokens and keys of the W3C VC-JOSE-COSE test suite: an ES256 credential, an EdDSA one
 *    with the forbidden vc/vp claims (which our signer reproduces byte for byte: Ed25519 is
 *    deterministic and both sides write JCS-ordered compact JSON), one with a bad media type,
 *    and an ES384 presentation.
 * Everything else is signed here with fixed keys resolved as did:key, plus a test DID method
 * whose documents authorise a key for one relationship only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/did.h>
#include <did/jose.h>
#include <did/json.h>
#include <did/vcjose.h>

#include "support.h"

#define NOW 1700000000 /* 2023-11-14T22:13:20Z */
#define V2 "\"https://www.w3.org/ns/credentials/v2\""
#define VEC(f) CIVID_TEST_DATA_DIR "/vc-jose-cose/" f

typedef struct party {
    ck_key *key;
    char did[256];
    char kid[512];
} party;

static party ed, p256, p384, k1;
static party auth_only, assert_only; /* did:example parties, see example_resolve */
static did_ctx *ctx;
static json_t *example_docs; /* DID -> document */

/* ------------------------------------------------------------------------------------------- */

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

static void key_party(party *p, ck_key_type type, uint8_t seed)
{
    did_buf b;
    did_err err;

    p->key = fixed_key(type, seed);
    did_buf_init(&b);
    t_assert_ok(did_key_from_key(p->key, &b, &err), &err);
    snprintf(p->did, sizeof p->did, "%s", (const char *)b.data);
    /* did:key's one verification method is "<did>#<multikey>" */
    snprintf(p->kid, sizeof p->kid, "%s#%s", p->did, p->did + strlen("did:key:"));
    did_buf_clear(&b);
}

/* did:example:<name> with one Multikey method "#k" listed under `rel` only. */
static void example_party(party *p, const char *name, const char *rel, uint8_t seed)
{
    did_buf mk;
    did_err err;
    json_t *doc;

    p->key = fixed_key(CK_KEY_ED25519, seed);
    snprintf(p->did, sizeof p->did, "did:example:%s", name);
    snprintf(p->kid, sizeof p->kid, "%s#k", p->did);
    did_buf_init(&mk);
    t_assert_ok(did_multikey_encode(p->key, &mk, &err), &err);
    doc = json_pack("{s:[s], s:s, s:[{s:s, s:s, s:s, s:s}], s:[s]}", "@context",
                    "https://www.w3.org/ns/did/v1", "id", p->did, "verificationMethod", "id",
                    p->kid, "type", "Multikey", "controller", p->did, "publicKeyMultibase",
                    (const char *)mk.data, rel, p->kid);
    assert_non_null(doc);
    assert_int_equal(json_object_set_new(example_docs, p->did, doc), 0);
    did_buf_clear(&mk);
}

static int example_resolve(void *user, const did_ctx *c, const did_url *did, json_t **doc,
                           did_err *err)
{
    char buf[256];
    json_t *d;
    (void)user;
    (void)c;
    snprintf(buf, sizeof buf, "%.*s", (int)did->did_len, did->str);
    d = json_object_get(example_docs, buf);
    if (d == NULL)
        return did_err_set(err, DID_ERR_DID_NOT_FOUND, "not found");
    *doc = json_incref(d);
    return DID_OK;
}

static int setup(void **state)
{
    did_err err;
    (void)state;
    key_party(&ed, CK_KEY_ED25519, 1);
    key_party(&p256, CK_KEY_P256, 2);
    key_party(&p384, CK_KEY_P384, 3);
    key_party(&k1, CK_KEY_SECP256K1, 4);
    example_docs = json_object();
    example_party(&auth_only, "auth-only", "authentication", 5);
    example_party(&assert_only, "assert-only", "assertionMethod", 6);
    if (did_ctx_new(&ctx, &err) != DID_OK ||
        did_ctx_register_method(ctx, "example", example_resolve, NULL, &err) != DID_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    party *all[] = {&ed, &p256, &p384, &k1, &auth_only, &assert_only};
    (void)state;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        ck_key_free(all[i]->key);
    did_ctx_free(ctx);
    json_decref(example_docs);
    return 0;
}

/* ------------------------------------------------------------------------------------------- */

static json_t *J(const char *s)
{
    json_t *v = NULL;
    did_err err;
    if (did_json_parse(s, strlen(s), NULL, &v, &err) != DID_OK)
        fail_msg("test JSON: %s: %s", err.msg, s);
    return v;
}

/* A credential issued by `issuer`, valid from 2010. */
static json_t *make_vc(const char *issuer)
{
    json_t *v = J("{\"@context\": [" V2 ", \"https://www.w3.org/ns/credentials/examples/v2\"],"
                  " \"id\": \"http://university.example/credentials/3732\","
                  " \"type\": [\"VerifiableCredential\", \"ExampleDegreeCredential\"],"
                  " \"validFrom\": \"2010-01-01T19:23:24Z\","
                  " \"credentialSubject\": {\"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\","
                  "   \"degree\": {\"type\": \"ExampleBachelorDegree\","
                  "   \"name\": \"Bachelor of Science and Arts\"}},"
                  " \"credentialSchema\": {\"id\": \"https://example.org/examples/degree.json\","
                  "   \"type\": \"JsonSchema\"}}");
    assert_int_equal(json_object_set_new(v, "issuer", json_string(issuer)), 0);
    return v;
}

/* did_vcjose_sign; returns a malloc'd token. Takes over doc. */
static char *sign(const party *p, json_t *doc)
{
    did_buf b;
    did_err err;
    size_t n;
    did_buf_init(&b);
    t_assert_ok(did_vcjose_sign(p->key, p->kid, doc, &b, &err), &err);
    json_decref(doc);
    return (char *)did_buf_steal(&b, &n);
}

/* A JWS with any header members and any payload bytes: for tokens did_vcjose_sign refuses. */
static char *sign_raw(const ck_key *key, const char *typ, const char *cty, const char *kid,
                      const char *payload)
{
    did_jws_sign_opts o;
    did_buf b;
    did_err err;
    size_t n;
    memset(&o, 0, sizeof o);
    o.typ = typ;
    o.cty = cty;
    o.kid = kid;
    did_buf_init(&b);
    t_assert_ok(did_jws_sign(key, &o, (const uint8_t *)payload, strlen(payload), &b, &err), &err);
    return (char *)did_buf_steal(&b, &n);
}

/* sign_raw of a JSON document in JCS form. Takes over doc. */
static char *sign_raw_doc(const ck_key *key, const char *typ, const char *cty, const char *kid,
                          json_t *doc)
{
    did_buf jcs;
    did_err err;
    char *tok;
    did_buf_init(&jcs);
    t_assert_ok(did_jcs_write(doc, &jcs, &err), &err);
    tok = sign_raw(key, typ, cty, kid, (const char *)jcs.data);
    did_buf_clear(&jcs);
    json_decref(doc);
    return tok;
}

static char *b64(const void *p, size_t n)
{
    size_t cap = ck_b64url_encoded_len(n) + 1, w = 0;
    char *out = malloc(cap);
    ck_err ce;
    assert_non_null(out);
    if (ck_b64url_encode(p, n, out, cap, &w, &ce) != CK_OK)
        fail_msg("b64: %s", ce.msg);
    out[w] = '\0';
    return out;
}

static uint8_t *unb64(const char *s, size_t n, size_t *len)
{
    uint8_t *out = malloc(n + 1);
    ck_err ce;
    assert_non_null(out);
    if (ck_b64url_decode(s, n, out, n + 1, len, &ce) != CK_OK)
        fail_msg("unb64: %s", ce.msg);
    out[*len] = 0;
    return out;
}

static did_vcjose_verify_opts vopts(void)
{
    did_vcjose_verify_opts o;
    memset(&o, 0, sizeof o);
    o.now = NOW;
    return o;
}

static int has_check(const did_result *r, const char *check)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i], check) == 0)
            return 1;
    return 0;
}

static const did_problem *find_error(const did_result *r, int code, const char *check)
{
    for (size_t i = 0; i < r->n_errors; i++)
        if (r->errors[i].code == code && strcmp(r->errors[i].check, check) == 0)
            return &r->errors[i];
    return NULL;
}

static void dump(const did_result *r)
{
    for (size_t i = 0; i < r->n_errors; i++)
        print_message("  error %s [%s] %s\n", did_err_name(r->errors[i].code), r->errors[i].check,
                      r->errors[i].msg);
    for (size_t i = 0; i < r->n_warnings; i++)
        print_message("  warning %s [%s] %s\n", did_err_name(r->warnings[i].code),
                      r->warnings[i].check, r->warnings[i].msg);
}

/* Verifies tok and asserts the return code and (for a failure) the problem's code and check.
 * Frees tok. */
static void expect(char *tok, const did_vcjose_verify_opts *o, int rc_want, int code,
                   const char *check)
{
    did_result r;
    did_err err;
    int rc;

    did_result_init(&r);
    rc = did_vcjose_verify(ctx, tok, strlen(tok), o, &r, &err);
    if (rc != rc_want)
        dump(&r);
    t_assert_code(rc, rc_want, &err);
    if (rc_want == DID_OK) {
        assert_true(did_result_verified(&r));
        assert_non_null(r.document);
    } else {
        if (find_error(&r, code, check) == NULL) {
            dump(&r);
            fail_msg("no %s under \"%s\"", did_err_name(code), check);
        }
        assert_false(did_result_verified(&r));
        assert_null(r.document);
    }
    did_result_clear(&r);
    free(tok);
}

static void expect_fail(char *tok, int code, const char *check)
{
    did_vcjose_verify_opts o = vopts();
    expect(tok, &o, code, code, check);
}

static void expect_ok(char *tok)
{
    did_vcjose_verify_opts o = vopts();
    expect(tok, &o, DID_OK, DID_OK, NULL);
}

/* ------------------------------------------------------------------------------------------- */

static void test_roundtrip(void **state)
{
    party *ps[] = {&ed, &p256, &p384, &k1};
    (void)state;

    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        json_t *vc = make_vc(ps[i]->did);
        char *tok = sign(ps[i], json_incref(vc));
        did_vcjose_verify_opts o = vopts();
        did_result r;
        did_err err;

        did_result_init(&r);
        t_assert_ok(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), &err);
        assert_true(did_result_verified(&r));
        assert_string_equal(r.format, "vc-jwt");
        assert_true(has_check(&r, DID_CHECK_FORMAT));
        assert_true(has_check(&r, DID_CHECK_SIGNATURE));
        assert_true(has_check(&r, DID_CHECK_PURPOSE));
        assert_true(has_check(&r, DID_CHECK_ISSUER));
        assert_true(has_check(&r, DID_CHECK_CONTEXT));
        assert_true(has_check(&r, DID_CHECK_TYPE));
        assert_true(has_check(&r, DID_CHECK_SUBJECT));
        assert_true(has_check(&r, DID_CHECK_VALID_FROM));
        assert_true(has_check(&r, DID_CHECK_SCHEMA));
        assert_int_equal(r.n_warnings, 0);
        assert_true(json_equal(r.document, vc));
        did_result_clear(&r);
        /* any typ spelling of the right kind; the caller may insist on the kind */
        o.expect = DID_VCJOSE_VC;
        expect(tok, &o, DID_OK, DID_OK, NULL);
        json_decref(vc);
    }
}

/* The exact bytes we emit: header {"alg","cty","kid","typ"} and payload, both JCS. */
static void test_sign_bytes(void **state)
{
    json_t *vc = make_vc(ed.did);
    char *tok = sign(&ed, json_incref(vc)), *tok2 = sign(&ed, json_incref(vc));
    const char *dot1 = strchr(tok, '.'), *dot2 = strchr(dot1 + 1, '.');
    char want[1024];
    uint8_t *h, *p;
    size_t hl, pl;
    did_buf jcs;
    did_err err;
    (void)state;

    assert_string_equal(tok, tok2); /* Ed25519 and JCS: deterministic */
    h = unb64(tok, (size_t)(dot1 - tok), &hl);
    snprintf(want, sizeof want,
             "{\"alg\":\"EdDSA\",\"cty\":\"vc\",\"kid\":\"%s\",\"typ\":\"vc+jwt\"}", ed.kid);
    assert_string_equal((char *)h, want);
    p = unb64(dot1 + 1, (size_t)(dot2 - dot1 - 1), &pl);
    did_buf_init(&jcs);
    t_assert_ok(did_jcs_write(vc, &jcs, &err), &err);
    assert_int_equal(pl, jcs.len);
    assert_memory_equal(p, jcs.data, pl);
    did_buf_clear(&jcs);
    free(h);
    free(p);
    free(tok);
    free(tok2);
    json_decref(vc);

    /* a presentation: typ vp+jwt, cty vp */
    {
        json_t *vp = J("{\"@context\": [" V2 "], \"type\": \"VerifiablePresentation\"}");
        json_object_set_new(vp, "holder", json_string(p256.did));
        tok = sign(&p256, vp);
        dot1 = strchr(tok, '.');
        h = unb64(tok, (size_t)(dot1 - tok), &hl);
        snprintf(want, sizeof want,
                 "{\"alg\":\"ES256\",\"cty\":\"vp\",\"kid\":\"%s\",\"typ\":\"vp+jwt\"}", p256.kid);
        assert_string_equal((char *)h, want);
        free(h);
        free(tok);
    }
}

static void test_sign_refuses(void **state)
{
    did_buf b;
    did_err err;
    json_t *v;
    ck_key *pub = NULL, *x = NULL;
    ck_err ce;
    (void)state;

    did_buf_init(&b);
#define REFUSE(key, kid, doc, code)                                               \
    do {                                                                          \
        json_t *d_ = (doc);                                                       \
        t_assert_code(did_vcjose_sign((key), (kid), d_, &b, &err), (code), &err); \
        assert_int_equal(b.len, 0);                                               \
        json_decref(d_);                                                          \
    } while (0)

    /* not a valid credential */
    v = make_vc(ed.did);
    json_object_del(v, "credentialSubject");
    REFUSE(ed.key, ed.kid, v, DID_ERR_VC_SUBJECT);
    v = make_vc("not a url");
    REFUSE(ed.key, ed.kid, v, DID_ERR_VC_ISSUER);
    REFUSE(ed.key, ed.kid, J("[1]"), DID_ERR_VC_TYPE);
    v = make_vc(ed.did);
    json_object_set_new(v, "type", J("[\"VerifiableCredential\", \"VerifiablePresentation\"]"));
    REFUSE(ed.key, ed.kid, v, DID_ERR_VC_TYPE);
    /* VC 1.1 shapes and conflicting claims */
    v = make_vc(ed.did);
    json_object_set_new(v, "vc", J("{}"));
    REFUSE(ed.key, ed.kid, v, DID_ERR_VC_JWT);
    v = make_vc(ed.did);
    json_object_set_new(v, "iss", json_string(p256.did));
    REFUSE(ed.key, ed.kid, v, DID_ERR_JWT_ISS);
    v = make_vc(ed.did);
    json_object_set_new(v, "exp", json_string("2030-01-01T00:00:00Z"));
    REFUSE(ed.key, ed.kid, v, DID_ERR_JWT_CLAIM);
    /* the kid's DID must be the issuer's */
    REFUSE(p256.key, p256.kid, make_vc(ed.did), DID_ERR_VC_ISSUER_KEY);
    REFUSE(ed.key, "did:key:", make_vc(ed.did), DID_ERR_ARG);
    /* a presentation's credentials are envelopes; its kid is the holder's */
    v = J("{\"@context\": [" V2 "], \"type\": \"VerifiablePresentation\"}");
    json_object_set_new(v, "verifiableCredential", make_vc(ed.did));
    REFUSE(p256.key, p256.kid, v, DID_ERR_VP_CREDENTIAL);
    v = J("{\"@context\": [" V2 "], \"type\": \"VerifiablePresentation\"}");
    json_object_set_new(v, "holder", json_string(ed.did));
    REFUSE(p256.key, p256.kid, v, DID_ERR_VP_HOLDER);
    /* arguments and keys */
    REFUSE(ed.key, NULL, make_vc(ed.did), DID_ERR_ARG);
    REFUSE(ed.key, "", make_vc(ed.did), DID_ERR_ARG);
    REFUSE(NULL, ed.kid, make_vc(ed.did), DID_ERR_ARG);
    t_assert_code(did_vcjose_sign(ed.key, ed.kid, NULL, &b, &err), DID_ERR_ARG, &err);
    assert_int_equal(ck_key_public_copy(ed.key, &pub, &ce), CK_OK);
    REFUSE(pub, ed.kid, make_vc(ed.did), DID_ERR_ARG);
    assert_int_equal(ck_key_generate(CK_KEY_X25519, &x, &ce), CK_OK);
    REFUSE(x, ed.kid, make_vc(ed.did), DID_ERR_ARG);
    ck_key_free(pub);
    ck_key_free(x);
#undef REFUSE

    /* dates are not held against the issuer: tomorrow's and yesterday's credentials sign */
    v = make_vc(ed.did);
    json_object_set_new(v, "validFrom", json_string("2999-01-01T00:00:00Z"));
    t_assert_ok(did_vcjose_sign(ed.key, ed.kid, v, &b, &err), &err);
    json_decref(v);
    /* the kid need not be a DID URL (a controlled identifier document's URL) */
    did_buf_reset(&b);
    v = make_vc("https://university.example/issuers/14");
    t_assert_ok(did_vcjose_sign(ed.key, "https://university.example/issuers/14#key-1", v, &b, &err),
                &err);
    json_decref(v);
    did_buf_clear(&b);
}

static void test_header(void **state)
{
    json_t *vc = make_vc(ed.did);
    did_vcjose_verify_opts o = vopts();
    did_result r;
    did_err err;
    char *tok;
    (void)state;

    /* typ spellings: application/ prefix, case, the CR-era vc-ld+jwt */
    expect_ok(sign_raw_doc(ed.key, "application/vc+jwt", NULL, ed.kid, json_incref(vc)));
    expect_ok(sign_raw_doc(ed.key, "VC+JWT", NULL, ed.kid, json_incref(vc)));
    expect_ok(sign_raw_doc(ed.key, "vc-ld+jwt", NULL, ed.kid, json_incref(vc)));
    /* wrong or missing typ */
    expect_fail(sign_raw_doc(ed.key, "JWT", "vc", ed.kid, json_incref(vc)), DID_ERR_VC_JWT,
                DID_CHECK_FORMAT);
    /* no typ: the kind comes from the payload (a warning says so)... */
    expect_ok(sign_raw_doc(ed.key, NULL, "vc", ed.kid, json_incref(vc)));
    /* ...and a payload that is neither kind is refused */
    {
        json_t *neither = json_deep_copy(vc);
        json_object_set_new(neither, "type", json_string("SomethingElse"));
        expect_fail(sign_raw_doc(ed.key, NULL, NULL, ed.kid, neither), DID_ERR_VC_JWT,
                    DID_CHECK_FORMAT);
    }
    /* ...unless the caller says what it expects: then the model check decides */
    {
        did_vcjose_verify_opts ov = vopts();
        ov.expect = DID_VCJOSE_VP;
        expect(sign_raw_doc(ed.key, NULL, NULL, ed.kid, json_incref(vc)), &ov, DID_ERR_VC_TYPE,
               DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    }
    expect_fail(sign_raw_doc(ed.key, "vc+sd-jwt", NULL, ed.kid, json_incref(vc)), DID_ERR_VC_JWT,
                DID_CHECK_FORMAT);
    expect_fail(sign_raw_doc(ed.key, "text/vc+jwt", NULL, ed.kid, json_incref(vc)), DID_ERR_VC_JWT,
                DID_CHECK_FORMAT);
    /* the typ names the kind: a credential under vp+jwt fails the presentation checks */
    expect_fail(sign_raw_doc(ed.key, "vp+jwt", NULL, ed.kid, json_incref(vc)), DID_ERR_VC_TYPE,
                DID_CHECK_TYPE);
    /* the caller's expectation */
    o.expect = DID_VCJOSE_VP;
    expect(sign_raw_doc(ed.key, "vc+jwt", NULL, ed.kid, json_incref(vc)), &o, DID_ERR_VC_JWT,
           DID_ERR_VC_JWT, DID_CHECK_FORMAT);
    o.expect = DID_VCJOSE_ANY;
    /* cty: the other kind contradicts typ; anything else is a warning */
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vp", ed.kid, json_incref(vc)), DID_ERR_VC_JWT,
                DID_CHECK_FORMAT);
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "application/VP", ed.kid, json_incref(vc)),
                DID_ERR_VC_JWT, DID_CHECK_FORMAT);
    expect_ok(sign_raw_doc(ed.key, "vc+jwt", "application/vc", ed.kid, json_incref(vc)));
    tok = sign_raw_doc(ed.key, "vc+jwt", "vc+ld+json", ed.kid, json_incref(vc));
    did_result_init(&r);
    t_assert_ok(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), &err);
    assert_int_equal(r.n_warnings, 1);
    assert_int_equal(r.warnings[0].code, DID_ERR_VC_JWT);
    did_result_clear(&r);
    free(tok);
    /* crit we do not process */
    {
        did_jws_sign_opts so;
        json_t *extra = J("{\"crit\": [\"x-civid\"], \"x-civid\": 1}");
        did_buf b, jcs;
        size_t n;
        memset(&so, 0, sizeof so);
        so.typ = "vc+jwt";
        so.kid = ed.kid;
        so.extra = extra;
        did_buf_init(&b);
        did_buf_init(&jcs);
        t_assert_ok(did_jcs_write(vc, &jcs, &err), &err);
        t_assert_ok(did_jws_sign(ed.key, &so, jcs.data, jcs.len, &b, &err), &err);
        expect_fail((char *)did_buf_steal(&b, &n), DID_ERR_JWS_CRIT, DID_CHECK_FORMAT);
        did_buf_clear(&jcs);
        json_decref(extra);
    }
    /* not a JWS at all */
    expect_fail(strdup("not a token"), DID_ERR_JWS_FORMAT, DID_CHECK_FORMAT);
    expect_fail(strdup("e30.e30.e30"), DID_ERR_VC_JWT, DID_CHECK_FORMAT);
    expect_fail(strdup("W10.e30.e30"), DID_ERR_JWS_HEADER, DID_CHECK_FORMAT);
    expect_fail(strdup(".e30.e30"), DID_ERR_JWS_FORMAT, DID_CHECK_FORMAT);
    o.max_len = 10;
    expect(strdup("eyJhbGciOiJFZERTQSJ9.e30.e30"), &o, DID_ERR_LIMIT, DID_ERR_LIMIT,
           DID_CHECK_FORMAT);
    json_decref(vc);
}

static void test_key(void **state)
{
    json_t *vc = make_vc(ed.did);
    did_vcjose_verify_opts o = vopts();
    did_result r;
    did_err err;
    ck_key *pub = NULL;
    ck_err ce;
    char *tok;
    (void)state;

    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", NULL, json_incref(vc)), DID_ERR_JWS_KID,
                DID_CHECK_SIGNATURE);
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", "key-1", json_incref(vc)), DID_ERR_JWS_KID,
                DID_CHECK_SIGNATURE);
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", "did:nope:123#k", json_incref(vc)),
                DID_ERR_JWS_KID, DID_CHECK_SIGNATURE);
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", "did:example:nobody#k", json_incref(vc)),
                DID_ERR_JWS_KID, DID_CHECK_SIGNATURE);
    /* kid of another DID than the issuer: the signature verifies, the binding does not */
    expect_fail(sign_raw_doc(p256.key, "vc+jwt", "vc", p256.kid, json_incref(vc)),
                DID_ERR_VC_ISSUER_KEY, DID_CHECK_ISSUER);
    /* the right DID, the wrong key: kid names ed's method, p256 signed */
    expect_fail(sign_raw_doc(p256.key, "vc+jwt", "vc", ed.kid, json_incref(vc)),
                DID_ERR_JWS_KEY_ALG, DID_CHECK_SIGNATURE);
    /* a key authorised for authentication only cannot issue */
    expect_fail(sign(&auth_only, make_vc(auth_only.did)), DID_ERR_DID_VM_RELATIONSHIP,
                DID_CHECK_PURPOSE);
    expect_ok(sign(&assert_only, make_vc(assert_only.did)));
    /* no context and no key */
    tok = sign(&ed, json_incref(vc));
    did_result_init(&r);
    t_assert_code(did_vcjose_verify(NULL, tok, strlen(tok), &o, &r, &err), DID_ERR_ARG, &err);
    t_assert_code(did_vcjose_verify(ctx, tok, strlen(tok), &o, NULL, &err), DID_ERR_ARG, &err);
    t_assert_code(did_vcjose_verify(ctx, NULL, 0, &o, &r, &err), DID_ERR_ARG, &err);
    o.skew = -5;
    t_assert_code(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), DID_ERR_ARG, &err);
    o.skew = 0;
    did_result_clear(&r);
    /* the caller's key: verified without resolving, and the result says the binding was not
     * checked */
    assert_int_equal(ck_key_public_copy(ed.key, &pub, &ce), CK_OK);
    o.key = pub;
    did_result_init(&r);
    t_assert_ok(did_vcjose_verify(NULL, tok, strlen(tok), &o, &r, &err), &err);
    assert_int_equal(r.n_warnings, 1);
    assert_string_equal(r.warnings[0].check, DID_CHECK_ISSUER);
    assert_false(has_check(&r, DID_CHECK_PURPOSE));
    did_result_clear(&r);
    o.key = p256.key;
    expect(strdup(tok), &o, DID_ERR_JWS_KEY_ALG, DID_ERR_JWS_KEY_ALG, DID_CHECK_SIGNATURE);
    o.key = NULL;
    /* the algorithm allow-list */
    o.algs = DID_JWS_ALG_ES256;
    expect(strdup(tok), &o, DID_ERR_JWS_ALG, DID_ERR_JWS_ALG, DID_CHECK_SIGNATURE);
    ck_key_free(pub);
    free(tok);
    json_decref(vc);
}

static void test_tamper(void **state)
{
    json_t *vc = make_vc(ed.did), *other;
    char *tok = sign(&ed, json_incref(vc)), *bad, *pay;
    const char *dot1 = strchr(tok, '.'), *dot2 = strchr(dot1 + 1, '.');
    did_buf jcs;
    did_err err;
    (void)state;

    /* another payload under the same header and signature */
    other = json_deep_copy(vc);
    json_object_set_new(json_object_get(other, "credentialSubject"), "id",
                        json_string("did:example:mallory"));
    did_buf_init(&jcs);
    t_assert_ok(did_jcs_write(other, &jcs, &err), &err);
    pay = b64(jcs.data, jcs.len);
    bad = malloc(strlen(tok) + strlen(pay) + 4);
    assert_non_null(bad);
    sprintf(bad, "%.*s.%s%s", (int)(dot1 - tok), tok, pay, dot2);
    expect_fail(bad, DID_ERR_JWS_SIGNATURE, DID_CHECK_SIGNATURE);
    /* one bit of the signature */
    bad = strdup(tok);
    bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
    expect_fail(bad, DID_ERR_JWS_SIGNATURE, DID_CHECK_SIGNATURE);
    /* alg none, with a kid that resolves */
    {
        char hdr[600], *h;
        snprintf(hdr, sizeof hdr, "{\"alg\":\"none\",\"kid\":\"%s\",\"typ\":\"vc+jwt\"}", ed.kid);
        h = b64(hdr, strlen(hdr));
        bad = malloc(strlen(h) + strlen(dot1) + 1);
        assert_non_null(bad);
        sprintf(bad, "%s%s", h, dot1);
        expect_fail(bad, DID_ERR_JWS_ALG, DID_CHECK_SIGNATURE);
        free(h);
    }
    did_buf_clear(&jcs);
    free(pay);
    free(tok);
    json_decref(other);
    json_decref(vc);
}

static void test_payload(void **state)
{
    did_vcjose_verify_opts o = vopts();
    json_t *vc;
    (void)state;

    expect_fail(sign_raw(ed.key, "vc+jwt", NULL, ed.kid, "[1]"), DID_ERR_VC_JWT, DID_CHECK_FORMAT);
    expect_fail(sign_raw(ed.key, "vc+jwt", NULL, ed.kid, "{\"a\":1,\"a\":2}"),
                DID_ERR_JSON_DUPLICATE_KEY, DID_CHECK_FORMAT);
    expect_fail(sign_raw(ed.key, "vc+jwt", NULL, ed.kid, "not json"), DID_ERR_JSON_SYNTAX,
                DID_CHECK_FORMAT);
    /* the VC 1.1 shape: everything under "vc" */
    vc = make_vc(ed.did);
    json_object_set_new(vc, "vc", J("{}"));
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", ed.kid, vc), DID_ERR_VC_JWT, DID_CHECK_FORMAT);
    /* model check failures come with their own codes and checks */
    vc = make_vc(ed.did);
    json_object_set_new(vc, "@context", J("[\"https://www.w3.org/2018/credentials/v1\"]"));
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", ed.kid, vc), DID_ERR_VC_CONTEXT,
                DID_CHECK_CONTEXT);
    vc = make_vc(ed.did);
    json_object_set_new(vc, "validUntil", json_string("2020-01-01T00:00:00Z"));
    expect_fail(sign(&ed, vc), DID_ERR_VC_EXPIRED, DID_CHECK_VALID_UNTIL);
    /* not yet valid, with the skew boundary */
    o.skew = 60;
    vc = make_vc(ed.did);
    json_object_set_new(vc, "validFrom", json_string("2023-11-14T22:14:20Z"));
    expect(sign(&ed, vc), &o, DID_OK, DID_OK, NULL);
    vc = make_vc(ed.did);
    json_object_set_new(vc, "validFrom", json_string("2023-11-14T22:14:21Z"));
    expect(sign(&ed, vc), &o, DID_ERR_VC_NOT_YET_VALID, DID_ERR_VC_NOT_YET_VALID,
           DID_CHECK_VALID_FROM);
    o.skew = 0;
    /* JWT time claims: the signature's own validity */
    vc = make_vc(ed.did);
    json_object_set_new(vc, "exp", json_integer(NOW));
    expect_fail(sign(&ed, vc), DID_ERR_JWT_EXPIRED, DID_CHECK_VALID_UNTIL);
    vc = make_vc(ed.did);
    json_object_set_new(vc, "exp", json_integer(NOW + 1));
    json_object_set_new(vc, "iat", json_integer(NOW));
    json_object_set_new(vc, "nbf", json_real(NOW - 0.5));
    expect_ok(sign(&ed, vc));
    vc = make_vc(ed.did);
    json_object_set_new(vc, "iat", json_integer(NOW + 1));
    expect_fail(sign(&ed, vc), DID_ERR_JWT_IAT, DID_CHECK_VALID_FROM);
    vc = make_vc(ed.did);
    json_object_set_new(vc, "nbf", json_integer(NOW + 1));
    expect_fail(sign(&ed, vc), DID_ERR_JWT_NOT_YET, DID_CHECK_VALID_FROM);
    vc = make_vc(ed.did);
    json_object_set_new(vc, "exp", json_string("2030-01-01T00:00:00Z"));
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", ed.kid, vc), DID_ERR_JWT_CLAIM,
                DID_CHECK_FORMAT);
    /* iss names the issuer */
    vc = make_vc(ed.did);
    json_object_set_new(vc, "iss", json_string(ed.did));
    expect_ok(sign(&ed, vc));
    vc = make_vc(ed.did);
    json_object_set_new(vc, "iss", json_string(p256.did));
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", ed.kid, vc), DID_ERR_JWT_ISS,
                DID_CHECK_ISSUER);
    vc = make_vc(ed.did);
    json_object_set_new(vc, "iss", json_integer(1));
    expect_fail(sign_raw_doc(ed.key, "vc+jwt", "vc", ed.kid, vc), DID_ERR_JWT_CLAIM,
                DID_CHECK_FORMAT);
    /* an audience the verifier is not in */
    vc = make_vc(ed.did);
    json_object_set_new(vc, "aud", json_string("https://verifier.example"));
    expect_fail(sign(&ed, json_incref(vc)), DID_ERR_JWT_AUD, DID_CHECK_DOMAIN);
    o.aud = "https://verifier.example";
    expect(sign(&ed, vc), &o, DID_OK, DID_OK, NULL);
    o.aud = NULL;
    /* every failure is reported, the first is returned */
    {
        did_result r;
        did_err err;
        char *tok;
        vc = make_vc(ed.did);
        json_object_set_new(vc, "validUntil", json_string("2020-01-01T00:00:00Z"));
        json_object_set_new(vc, "exp", json_integer(1577836800));
        json_object_set_new(vc, "credentialSubject", J("{}"));
        tok = sign_raw_doc(ed.key, "vc+jwt", "vc", ed.kid, vc);
        did_result_init(&r);
        t_assert_code(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), DID_ERR_VC_EXPIRED,
                      &err);
        assert_int_equal(r.n_errors, 3);
        assert_non_null(find_error(&r, DID_ERR_VC_EXPIRED, DID_CHECK_VALID_UNTIL));
        assert_non_null(find_error(&r, DID_ERR_JWT_EXPIRED, DID_CHECK_VALID_UNTIL));
        assert_non_null(find_error(&r, DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT));
        assert_true(has_check(&r, DID_CHECK_SIGNATURE));
        did_result_clear(&r);
        free(tok);
    }
}

/* ------------------------------------------------------------------------------------------- */

/* A presentation by p256 holding `vcs` (a JSON array text of entries). */
static json_t *make_vp(const char *holder, json_t *entries)
{
    json_t *vp = J("{\"@context\": [" V2 "], \"type\": [\"VerifiablePresentation\"],"
                   " \"nonce\": \"n-0S6_WzA2Mj\", \"aud\": \"https://verifier.example\"}");
    if (holder != NULL)
        json_object_set_new(vp, "holder", json_string(holder));
    if (entries != NULL)
        json_object_set_new(vp, "verifiableCredential", entries);
    return vp;
}

/* An EnvelopedVerifiableCredential for token tok (freed). */
static json_t *envelope(char *tok, const char *media)
{
    json_t *e = J("{\"@context\": " V2 ", \"type\": \"EnvelopedVerifiableCredential\"}");
    char *id = malloc(strlen(tok) + strlen(media) + 8);
    assert_non_null(id);
    sprintf(id, "data:%s,%s", media, tok);
    json_object_set_new(e, "id", json_string(id));
    free(id);
    free(tok);
    return e;
}

static did_vcjose_verify_opts vp_opts(void)
{
    did_vcjose_verify_opts o = vopts();
    o.nonce = "n-0S6_WzA2Mj";
    o.aud = "https://verifier.example";
    return o;
}

static void test_presentation(void **state)
{
    json_t *vc = make_vc(ed.did), *vp, *creds;
    did_vcjose_verify_opts o = vp_opts();
    did_result r;
    did_err err;
    char *tok;
    const did_problem *p;
    (void)state;

    /* the happy path: nonce, audience, holder, one enveloped credential */
    creds = json_array();
    o.credentials = creds;
    vp = make_vp(p256.did,
                 json_pack("[o]", envelope(sign(&ed, json_incref(vc)), "application/vc+jwt")));
    tok = sign(&p256, vp);
    did_result_init(&r);
    t_assert_ok(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), &err);
    assert_true(did_result_verified(&r));
    assert_string_equal(r.format, "vp-jwt");
    assert_true(has_check(&r, DID_CHECK_SIGNATURE));
    assert_true(has_check(&r, DID_CHECK_PURPOSE));
    assert_true(has_check(&r, DID_CHECK_HOLDER));
    assert_true(has_check(&r, DID_CHECK_CHALLENGE));
    assert_true(has_check(&r, DID_CHECK_DOMAIN));
    assert_true(has_check(&r, DID_CHECK_CREDENTIALS));
    assert_int_equal(json_array_size(creds), 1);
    assert_true(json_equal(json_array_get(creds, 0), vc));
    did_result_clear(&r);
    o.credentials = NULL;
    json_decref(creds);
    /* nonce and audience */
    o.nonce = "another";
    expect(strdup(tok), &o, DID_ERR_VP_NONCE, DID_ERR_VP_NONCE, DID_CHECK_CHALLENGE);
    o = vp_opts();
    o.aud = "https://other.example";
    expect(strdup(tok), &o, DID_ERR_JWT_AUD, DID_ERR_JWT_AUD, DID_CHECK_DOMAIN);
    o = vp_opts();
    o.expect = DID_VCJOSE_VC;
    expect(strdup(tok), &o, DID_ERR_VC_JWT, DID_ERR_VC_JWT, DID_CHECK_FORMAT);
    o = vp_opts();
    free(tok);
    vp = make_vp(p256.did, NULL);
    json_object_del(vp, "nonce");
    json_object_del(vp, "aud");
    tok = sign(&p256, vp);
    expect(strdup(tok), &o, DID_ERR_JWT_AUD, DID_ERR_VP_NONCE, DID_CHECK_CHALLENGE);
    expect(strdup(tok), &o, DID_ERR_JWT_AUD, DID_ERR_JWT_AUD, DID_CHECK_DOMAIN);
    o.nonce = NULL;
    o.aud = NULL;
    expect(tok, &o, DID_OK, DID_OK, NULL);
    o = vp_opts();

    /* holder binding */
    expect(sign_raw_doc(p256.key, "vp+jwt", "vp", p256.kid, make_vp(ed.did, NULL)), &o,
           DID_ERR_VP_HOLDER, DID_ERR_VP_HOLDER, DID_CHECK_HOLDER);
    tok = sign(&p256, make_vp(NULL, NULL));
    did_result_init(&r);
    t_assert_ok(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), &err);
    assert_int_equal(r.n_warnings, 1);
    assert_string_equal(r.warnings[0].check, DID_CHECK_HOLDER);
    did_result_clear(&r);
    free(tok);
    /* a presentation is signed with an authentication key */
    expect(sign(&assert_only, make_vp(assert_only.did, NULL)), &o, DID_ERR_DID_VM_RELATIONSHIP,
           DID_ERR_DID_VM_RELATIONSHIP, DID_CHECK_PURPOSE);
    expect(sign(&auth_only, make_vp(auth_only.did, NULL)), &o, DID_OK, DID_OK, NULL);

    /* enveloped credentials that fail keep their codes under "verifiableCredential" */
    {
        json_t *old = make_vc(ed.did);
        json_object_set_new(old, "validUntil", json_string("2020-01-01T00:00:00Z"));
        vp = make_vp(p256.did,
                     json_pack("[o, o]", envelope(sign(&ed, json_incref(vc)), "application/vc+jwt"),
                               envelope(sign(&ed, old), "application/vc+jwt")));
        tok = sign(&p256, vp);
        did_result_init(&r);
        t_assert_code(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), DID_ERR_VP_CREDENTIAL,
                      &err);
        assert_int_equal(r.n_errors, 1);
        p = find_error(&r, DID_ERR_VC_EXPIRED, DID_CHECK_CREDENTIALS);
        assert_non_null(p);
        assert_non_null(strstr(p->msg, "verifiableCredential[1]: validUntil: "));
        assert_non_null(strstr(err.msg, "verifiableCredential[1]"));
        did_result_clear(&r);
        free(tok);
    }
    /* tampered credential */
    {
        char *vtok = sign(&ed, json_incref(vc));
        vtok[strlen(vtok) - 3] = vtok[strlen(vtok) - 3] == 'A' ? 'B' : 'A';
        vp = make_vp(p256.did, json_pack("[o]", envelope(vtok, "application/vc+jwt")));
        expect(sign(&p256, vp), &o, DID_ERR_VP_CREDENTIAL, DID_ERR_JWS_SIGNATURE,
               DID_CHECK_CREDENTIALS);
    }
    /* a presentation inside: as a vp+jwt media type, or a vp+jwt token in a vc+jwt URL */
    vp = make_vp(p256.did, json_pack("[o]", envelope(sign(&p256, make_vp(p256.did, NULL)),
                                                     "application/vp+jwt")));
    expect(sign(&p256, vp), &o, DID_ERR_VP_CREDENTIAL, DID_ERR_VP_CREDENTIAL,
           DID_CHECK_CREDENTIALS);
    vp = make_vp(p256.did, json_pack("[o]", envelope(sign(&p256, make_vp(p256.did, NULL)),
                                                     "application/vc+jwt")));
    expect(sign(&p256, vp), &o, DID_ERR_VP_CREDENTIAL, DID_ERR_VC_JWT, DID_CHECK_CREDENTIALS);
    /* other envelopes: base64, SD-JWT */
    vp = make_vp(p256.did, json_pack("[o]", envelope(sign(&ed, json_incref(vc)),
                                                     "application/vc+jwt;base64")));
    expect(sign(&p256, vp), &o, DID_ERR_VP_CREDENTIAL, DID_ERR_VP_CREDENTIAL,
           DID_CHECK_CREDENTIALS);
    vp = make_vp(p256.did, json_pack("[o]", envelope(strdup("a.b.c~"), "application/vc+sd-jwt")));
    expect(sign(&p256, vp), &o, DID_ERR_VP_CREDENTIAL, DID_ERR_VP_CREDENTIAL,
           DID_CHECK_CREDENTIALS);
    /* the holder's key from the caller and no context: the credentials cannot be resolved,
     * which fails the presentation instead of skipping them */
    {
        ck_key *pub = NULL;
        ck_err ce;
        assert_int_equal(ck_key_public_copy(p256.key, &pub, &ce), CK_OK);
        vp = make_vp(p256.did, json_pack("[o]", envelope(sign(&ed, json_incref(vc)),
                                                         "application/vc+jwt")));
        tok = sign(&p256, vp);
        o.key = pub;
        did_result_init(&r);
        t_assert_code(did_vcjose_verify(NULL, tok, strlen(tok), &o, &r, &err),
                      DID_ERR_VP_CREDENTIAL, &err);
        assert_non_null(find_error(&r, DID_ERR_ARG, DID_CHECK_CREDENTIALS));
        did_result_clear(&r);
        o.key = NULL;
        free(tok);
        ck_key_free(pub);
    }
    /* an embedded (unsecured) credential: VC-JOSE-COSE 3.1.2 wants envelopes */
    vp = make_vp(p256.did, json_pack("[O]", vc));
    expect(sign_raw_doc(p256.key, "vp+jwt", "vp", p256.kid, vp), &o, DID_ERR_VP_CREDENTIAL,
           DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    json_decref(vc);
}

/* ------------------------------------------------------------------------------------------- */

static ck_key *jwk_key(const json_t *jwk, int with_private)
{
    const json_t *kty = json_object_get(jwk, "kty"), *crv = json_object_get(jwk, "crv");
    const json_t *x = json_object_get(jwk, "x"), *y = json_object_get(jwk, "y");
    const json_t *d = with_private ? json_object_get(jwk, "d") : NULL;
    ck_key *k = NULL;
    ck_err ce;

    if (ck_key_import_jwk(json_string_value(kty), json_string_length(kty), json_string_value(crv),
                          json_string_length(crv), json_string_value(x), json_string_length(x),
                          y != NULL ? json_string_value(y) : NULL, json_string_length(y),
                          d != NULL ? json_string_value(d) : NULL, json_string_length(d), &k,
                          &ce) != CK_OK)
        fail_msg("JWK: %s", ce.msg);
    return k;
}

static json_t *load_json(const char *path)
{
    size_t n;
    uint8_t *b = t_read_file(path, &n);
    json_t *v = NULL;
    did_err err;
    t_assert_ok(did_json_parse(b, n, NULL, &v, &err), &err);
    free(b);
    return v;
}

static char *load_token(const char *path)
{
    size_t n;
    char *t = (char *)t_read_file(path, &n);
    while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'))
        t[--n] = '\0';
    return t;
}

/* did_jws_verify with the published key, then the payload as a JSON object. */
static json_t *jws_payload(const char *tok, const ck_key *key)
{
    did_jws_verify_opts o;
    did_jws j;
    did_err err;
    json_t *v = NULL;
    memset(&o, 0, sizeof o);
    o.key = key;
    t_assert_ok(did_jws_verify(NULL, tok, strlen(tok), &o, &j, &err), &err);
    t_assert_ok(did_json_parse(j.payload, j.payload_len, NULL, &v, &err), &err);
    did_jws_clear(&j);
    return v;
}

static void test_rec_example(void **state)
{
    json_t *jwk = load_json(VEC("plugin-example-key-p384.json")), *doc;
    ck_key *k = jwk_key(jwk, 1), *pub = jwk_key(jwk, 0);
    char *tok = load_token(VEC("rec-example2-enveloped-es384.jwt"));
    did_vcjose_verify_opts o = vopts();
    did_vc_check_opts co;
    did_result r;
    did_err err;
    (void)state;

    assert_true(ck_key_public_equal(k, pub));
    doc = jws_payload(tok, pub);
    assert_string_equal(json_string_value(json_object_get(doc, "issuer")),
                        "https://university.example/issuers/565049");
    memset(&co, 0, sizeof co);
    co.now = NOW;
    t_assert_ok(did_vc_check(doc, &co, NULL, &err), &err);
    /* the Recommendation's examples carry no "typ": accepted, with a warning that says so
     * (spec/credentials.md) */
    o.key = pub;
    did_result_init(&r);
    t_assert_ok(did_vcjose_verify(NULL, tok, strlen(tok), &o, &r, &err), &err);
    assert_string_equal(r.format, DID_VCJOSE_FORMAT_VC);
    assert_true(r.n_warnings >= 1);
    {
        int typ_warning = 0;
        for (size_t i = 0; i < r.n_warnings; i++)
            if (r.warnings[i].code == DID_ERR_VC_JWT && strstr(r.warnings[i].msg, "typ") != NULL)
                typ_warning = 1;
        assert_true(typ_warning);
    }
    did_result_clear(&r);
    /* the same credential as we sign it verifies with the same key */
    {
        did_buf b;
        did_buf_init(&b);
        t_assert_ok(
            did_vcjose_sign(k, "https://university.example/issuers/565049#key-1", doc, &b, &err),
            &err);
        did_result_init(&r);
        t_assert_ok(did_vcjose_verify(NULL, (const char *)b.data, b.len, &o, &r, &err), &err);
        assert_true(json_equal(r.document, doc));
        did_result_clear(&r);
        did_buf_clear(&b);
    }
    json_decref(doc);
    json_decref(jwk);
    ck_key_free(k);
    ck_key_free(pub);
    free(tok);
}

static void test_suite_vectors(void **state)
{
    json_t *cid = load_json(VEC("suite-cid-p256.json")), *doc;
    ck_key *pub = jwk_key(json_object_get(cid, "publicKeyJwk"), 0), *priv;
    char *tok = load_token(VEC("suite-credential-jose-minimal.jwt"));
    did_vcjose_verify_opts o = vopts();
    did_result r;
    did_err err;
    (void)state;

    /* ES256 credential: the signature verifies; its "iat" is a string, which RFC 7519 refuses
     * and which is the only problem */
    doc = jws_payload(tok, pub);
    json_decref(doc);
    o.key = pub;
    did_result_init(&r);
    t_assert_code(did_vcjose_verify(NULL, tok, strlen(tok), &o, &r, &err), DID_ERR_JWT_CLAIM, &err);
    assert_int_equal(r.n_errors, 1);
    assert_non_null(find_error(&r, DID_ERR_JWT_CLAIM, DID_CHECK_FORMAT));
    assert_true(has_check(&r, DID_CHECK_SIGNATURE));
    did_result_clear(&r);
    free(tok);
    ck_key_free(pub);
    json_decref(cid);

    /* EdDSA credential with vc/vp claims: reproduced byte for byte, then refused */
    cid = load_json(VEC("suite-cid-ed25519.json"));
    priv = jwk_key(json_object_get(cid, "secretKeyJwk"), 1);
    pub = jwk_key(json_object_get(cid, "publicKeyJwk"), 0);
    tok = load_token(VEC("suite-credential-jose-vc-vp-claims.jwt"));
    doc = jws_payload(tok, pub);
    {
        did_jws_sign_opts so;
        did_buf b;
        memset(&so, 0, sizeof so);
        so.typ = "vc+jwt";
        so.cty = "vc";
        so.kid = "2aOHaQxsWVT4mLsUkdtlCnUV-au0BBR-5yPYaPaCc5k";
        did_buf_init(&b);
        t_assert_ok(did_jwt_sign(priv, &so, doc, &b, &err), &err);
        assert_string_equal((const char *)b.data, tok);
        did_buf_clear(&b);
        /* our signer refuses to make it */
        did_buf_init(&b);
        t_assert_code(did_vcjose_sign(priv, so.kid, doc, &b, &err), DID_ERR_VC_JWT, &err);
        did_buf_clear(&b);
    }
    o.key = pub;
    did_result_init(&r);
    t_assert_code(did_vcjose_verify(NULL, tok, strlen(tok), &o, &r, &err), DID_ERR_VC_JWT, &err);
    assert_non_null(find_error(&r, DID_ERR_VC_JWT, DID_CHECK_FORMAT));
    assert_non_null(find_error(&r, DID_ERR_JWT_CLAIM, DID_CHECK_FORMAT));
    did_result_clear(&r);
    free(tok);
    json_decref(doc);
    /* bad media type: typ "bad+typ" */
    tok = load_token(VEC("suite-credential-jose-bad-media-type.jwt"));
    doc = jws_payload(tok, pub);
    json_decref(doc);
    expect(tok, &o, DID_ERR_VC_JWT, DID_ERR_VC_JWT, DID_CHECK_FORMAT);
    ck_key_free(priv);
    ck_key_free(pub);
    json_decref(cid);

    /* ES384 presentation: the signature verifies; the vc+jwt envelope checks, the SD-JWT one
     * is an envelope we do not open here, the COSE one has a newline in its data: URL */
    cid = load_json(VEC("suite-cid-p384.json"));
    pub = jwk_key(json_object_get(cid, "publicKeyJwk"), 0);
    tok = load_token(VEC("suite-presentation-jose-multiple.jwt"));
    doc = jws_payload(tok, pub);
    {
        did_vc_check_opts co;
        did_vp_entry e;
        memset(&co, 0, sizeof co);
        co.now = 1734311050;
        did_result_init(&r);
        t_assert_code(did_vp_check(doc, &co, &r, &err), DID_ERR_VP_CREDENTIAL, &err);
        assert_int_equal(r.n_errors, 1);
        assert_non_null(strstr(r.errors[0].msg, "verifiableCredential[2]"));
        did_result_clear(&r);
        assert_int_equal(did_vp_credential_count(doc), 3);
        t_assert_ok(did_vp_credential_get(doc, 0, &e, &err), &err);
        assert_int_equal(e.kind, DID_VP_ENTRY_ENVELOPED);
        assert_int_equal(e.media_type_len, strlen("application/vc+jwt"));
        t_assert_ok(did_vp_credential_get(doc, 1, &e, &err), &err);
        assert_int_equal(e.media_type_len, strlen("application/vc+sd-jwt"));
    }
    o.key = pub;
    o.now = 1734311050;
    did_result_init(&r);
    t_assert_code(did_vcjose_verify(ctx, tok, strlen(tok), &o, &r, &err), DID_ERR_VP_CREDENTIAL,
                  &err);
    assert_string_equal(r.format, "vp-jwt");
    for (size_t i = 0; i < r.n_errors; i++)
        assert_string_equal(r.errors[i].check, DID_CHECK_CREDENTIALS);
    did_result_clear(&r);
    json_decref(doc);
    free(tok);
    ck_key_free(pub);
    json_decref(cid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),    cmocka_unit_test(test_sign_bytes),
        cmocka_unit_test(test_sign_refuses), cmocka_unit_test(test_header),
        cmocka_unit_test(test_key),          cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_payload),      cmocka_unit_test(test_presentation),
        cmocka_unit_test(test_rec_example),  cmocka_unit_test(test_suite_vectors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
