/*
 * bench_credentials.c -- issuing and verifying one ~1.8 KB VC 2.0 credential in every securing
 * format, against the raw crypto in the same run (issue 3; docs DESIGN.md section 8):
 *
 *   reference  libsodium crypto_sign_detached / crypto_sign_verify_detached over messages of
 *              the sizes the formats sign (the 64-byte Data Integrity hashData, the VC-JWT
 *              signing input "header.payload", the SD-JWT issuer JWT's signing input), one
 *              did_json_parse + json_dumps of the credential, and ck_verify of the ES256 VC-JWT;
 *   issue      did_di_sign (eddsa-jcs-2022) + json_dumps, did_vcjose_sign (EdDSA) and
 *              did_sdjwt_issue (3 selectively disclosable claims, holder key in "cnf"), each
 *              against raw sign of its signing input + one JSON parse/dump: target >= 60%;
 *   verify     did_verify, the one entry point, from the serialized bytes, in a did_ctx from
 *              did_ctx_new (its did:key key cache warm after the first call): Data Integrity
 *              eddsa-jcs-2022 and VC-JWT EdDSA against raw verify of their signing input,
 *              target >= 50%; SD-JWT VC + KB-JWT (two signatures; challenge = the KB nonce,
 *              domain = its aud) against raw verify of the issuer JWT's signing input, target
 *              >= 25%; Data Integrity again with a new did_ctx for every verification (did:key
 *              resolved each time, no target); VC-JWT ES256 against ck_verify (no target).
 *
 * Usage: bench_credentials [seconds]   (or CIVID_BENCH_SECONDS; default 1 s per measurement,
 * after a warm-up of a fifth of that; the harness is bench.h). Single thread, CLOCK_MONOTONIC.
 * Targets are informative: the exit status is 0 whether they are met or not, and non-zero only
 * when an operation fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <ck/ck.h>
#include <did/di.h>
#include <did/did.h>
#include <did/json.h>
#include <did/result.h>
#include <did/sdjwt.h>
#include <did/vcjose.h>
#include <did/verify.h>

#define BENCH_PROG "bench_credentials"
#define BENCH_NAME_WIDTH 44
#include "bench.h"

#define TARGET_ISSUE 60.0
#define TARGET_VERIFY 50.0
#define TARGET_VERIFY_KB 25.0
/* A fixed clock, so that the KB-JWT's iat stays fresh however long the run takes. */
#define NOW ((int64_t)1767225600) /* 2026-01-01T00:00:00Z */
#define NONCE "n-0S6_WzA2Mj"
#define AUD "https://verifier.example/presentations"

/* A VC 2.0 credential (W3C VC Data Model 2.0) of realistic shape and size: contexts, id, types,
 * name and description, an issuer object (its id is replaced by the signing key's did:key),
 * validity dates, a nested subject with strings, numbers, booleans, an empty array, arrays of
 * strings and of objects and non-ASCII text (plus one escape), a schema and a status entry. */
static const char CREDENTIAL[] =
    "{\n"
    "  \"@context\": [\n"
    "    \"https://www.w3.org/ns/credentials/v2\",\n"
    "    \"https://www.w3.org/ns/credentials/examples/v2\"\n"
    "  ],\n"
    "  \"id\": \"urn:uuid:0f3c9a62-8d1e-4b7a-9c55-6e2f1d8b4a10\",\n"
    "  \"type\": [\"VerifiableCredential\", \"ProfessionalLicenceCredential\"],\n"
    "  \"name\": \"Licence to practise as a structural engineer\",\n"
    "  \"description\": \"Issued under the Engineering Professions Act, section 12(3).\",\n"
    "  \"issuer\": {\n"
    "    \"id\": \"did:key:replaced-at-run-time\",\n"
    "    \"name\": \"Ordre des ingénieurs du Québec\",\n"
    "    \"url\": \"https://registry.oiq.example/\"\n"
    "  },\n"
    "  \"validFrom\": \"2025-03-01T00:00:00Z\",\n"
    "  \"validUntil\": \"2030-02-28T23:59:59Z\",\n"
    "  \"credentialSubject\": {\n"
    "    \"id\": \"did:example:4a57546973436f6f6c4a4a57573d3d\",\n"
    "    \"givenName\": \"Søren\",\n"
    "    \"familyName\": \"Ødegård-Ñúñez\",\n"
    "    \"birthDate\": \"1986-11-23\",\n"
    "    \"nationality\": [\"DK\", \"ES\"],\n"
    "    \"address\": {\n"
    "      \"streetAddress\": \"1250 boulevard René-Lévesque Ouest\",\n"
    "      \"postalCode\": \"H3B 4W8\",\n"
    "      \"addressLocality\": \"Montréal\",\n"
    "      \"addressRegion\": \"QC\",\n"
    "      \"addressCountry\": \"CA\"\n"
    "    },\n"
    "    \"licence\": {\n"
    "      \"number\": \"OIQ-5041872\",\n"
    "      \"status\": \"active\",\n"
    "      \"firstIssued\": \"2012-06-15\",\n"
    "      \"disciplines\": [\n"
    "        {\"code\": \"STR\", \"name\": \"Structural engineering\",\n"
    "         \"since\": \"2012-06-15\"},\n"
    "        {\"code\": \"GEO\", \"name\": \"Geotechnical engineering\",\n"
    "         \"since\": \"2016-09-01\"},\n"
    "        {\"code\": \"BRG\", \"name\": \"Bridges and civil structures\",\n"
    "         \"since\": \"2019-01-10\"}\n"
    "      ],\n"
    "      \"restrictions\": [],\n"
    "      \"continuingEducationHours\": 37.5,\n"
    "      \"insured\": true,\n"
    "      \"insuranceCoverCad\": 2000000\n"
    "    },\n"
    "    \"languages\": [\"fr\", \"en\", \"da\", \"es\"],\n"
    "    \"memberSince\": 2012,\n"
    "    \"disciplinaryRecord\": false,\n"
    "    \"note\": \"Signature authority for plans \\u2013 category A (unlimited)\"\n"
    "  },\n"
    "  \"credentialSchema\": {\n"
    "    \"id\": \"https://registry.oiq.example/schemas/licence-v3.json\",\n"
    "    \"type\": \"JsonSchema\"\n"
    "  },\n"
    "  \"credentialStatus\": {\n"
    "    \"id\": \"https://registry.oiq.example/status/7#118204\",\n"
    "    \"type\": \"BitstringStatusListEntry\",\n"
    "    \"statusPurpose\": \"revocation\",\n"
    "    \"statusListIndex\": \"118204\",\n"
    "    \"statusListCredential\": \"https://registry.oiq.example/status/7\"\n"
    "  }\n"
    "}\n";

/* Fixed keys, so that every run signs the same bytes (the SD-JWT salts are random). */
static const uint8_t ISSUER_SEED[32] = {
    0x83, 0x3f, 0xe6, 0x24, 0x09, 0x23, 0x7b, 0x9d, 0x62, 0xec, 0x77, 0x58, 0x75, 0x20, 0x91, 0x1e,
    0x9a, 0x75, 0x9c, 0xec, 0x1d, 0x19, 0x75, 0x5b, 0x7d, 0xa9, 0x01, 0xb9, 0x6d, 0xca, 0x3d, 0x42};
static const uint8_t HOLDER_SEED[32] = {
    0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3, 0x46, 0xec, 0x11, 0x4e, 0x0f,
    0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};
static const uint8_t P256_SCALAR[32] = {
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21};

/* The SD-JWT VC's selectively disclosable claims; the presentation discloses all three. */
static const char *const SD_PATHS[] = {"/birthDate", "/address", "/licence", NULL};

/* Raw Ed25519 over one message (sig made at set-up, for the verify loop). */
typedef struct raw_case {
    const uint8_t *sk, *pk;
    const uint8_t *msg;
    size_t len;
    uint8_t sig[crypto_sign_BYTES];
} raw_case;

/* Raw ES256 through ck over the VC-JWT's signing input and signature. */
typedef struct ck_case {
    ck_key *pub;
    const uint8_t *msg;
    size_t len;
    uint8_t sig[CK_SIG_MAX_LEN];
    size_t sig_len;
} ck_case;

/* One issuing path: key, document parsed once, options, and an output buffer reused. */
typedef struct issue_case {
    const ck_key *key;
    const json_t *doc;
    const char *kid;
    did_di_sign_opts di;
    did_sdjwt_issue_opts sd;
    did_buf out;
} issue_case;

/* One did_verify input; ctx NULL means a new context for every verification. */
typedef struct verify_case {
    const did_ctx *ctx;
    const uint8_t *in;
    size_t len;
    did_verify_opts opts;
} verify_case;

static int op_raw_sign(void *p, did_err *err)
{
    const raw_case *c = p;
    uint8_t sig[crypto_sign_BYTES];
    if (crypto_sign_detached(sig, NULL, c->msg, c->len, c->sk) != 0)
        return did_err_set(err, DID_ERR_INTERNAL, "crypto_sign_detached failed");
    return DID_OK;
}

static int op_raw_verify(void *p, did_err *err)
{
    const raw_case *c = p;
    if (crypto_sign_verify_detached(c->sig, c->msg, c->len, c->pk) != 0)
        return did_err_set(err, DID_ERR_JWS_SIGNATURE, "crypto_sign_verify_detached failed");
    return DID_OK;
}

static int op_ck_verify(void *p, did_err *err)
{
    const ck_case *c = p;
    ck_err ce;
    if (ck_verify(c->pub, c->msg, c->len, c->sig, c->sig_len, 0, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return DID_OK;
}

/* json_dumps(v) (compact), then frees both: the "dump" half of issuing. */
static int dump(json_t *v, did_err *err)
{
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (text == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "json_dumps failed");
    free(text);
    return DID_OK;
}

/* The "one JSON parse/dump" of the issuing bar: the credential as an issuer receives it. */
static int op_parse_dump(void *p, did_err *err)
{
    json_t *v = NULL;
    (void)p;
    int rc = did_json_parse(CREDENTIAL, sizeof CREDENTIAL - 1, NULL, &v, err);
    return rc != DID_OK ? rc : dump(v, err);
}

static int op_issue_di(void *p, did_err *err)
{
    issue_case *c = p;
    json_t *secured = NULL;
    int rc = did_di_sign(c->key, c->doc, &c->di, &secured, err);
    return rc != DID_OK ? rc : dump(secured, err);
}

static int op_issue_jwt(void *p, did_err *err)
{
    issue_case *c = p;
    did_buf_reset(&c->out);
    return did_vcjose_sign(c->key, c->kid, c->doc, &c->out, err);
}

static int op_issue_sdjwt(void *p, did_err *err)
{
    issue_case *c = p;
    did_buf_reset(&c->out);
    return did_sdjwt_issue(c->key, &c->sd, c->doc, &c->out, err);
}

static int op_verify(void *p, did_err *err)
{
    const verify_case *c = p;
    did_ctx *fresh = NULL;
    did_result r;
    int rc;

    if (c->ctx == NULL && (rc = did_ctx_new(&fresh, err)) != DID_OK)
        return rc;
    did_result_init(&r);
    rc = did_verify(c->ctx != NULL ? c->ctx : fresh, c->in, c->len, &c->opts, &r, err);
    did_result_clear(&r);
    did_ctx_free(fresh);
    return rc;
}

/* ops/s of doing a and then b once each. */
static double serial(double a_ops, double b_ops)
{
    return 1.0 / (1.0 / a_ops + 1.0 / b_ops);
}

static void ratio(const char *what, double ops, double ref_ops, double target)
{
    double pct = 100.0 * ops / ref_ops;
    if (target > 0)
        printf("  %-42s %6.1f %% (target >= %.0f %%): %s\n", what, pct, target,
               pct >= target ? "ok" : "below target");
    else
        printf("  %-42s %6.1f %% (no target)\n", what, pct);
}

/* key's did:key into did and its verification method "did:key:z..#z.." into vm. */
static void key_vm(const ck_key *key, did_buf *did, did_buf *vm)
{
    did_err err;
    if (did_key_from_key(key, did, &err) != DID_OK)
        bench_die("did_key_from_key", &err);
    if (did_buf_append(vm, did->data, did->len) != 0 || did_buf_putc(vm, '#') != 0 ||
        did_buf_append(vm, did->data + 8, did->len - 8) != 0)
        bench_die_msg("out of memory");
}

/* The signing input length of the compact JWS tok[0..len) and its decoded signature. */
static size_t jws_signing_input(const char *tok, size_t len, uint8_t *sig, size_t cap,
                                size_t *sig_len)
{
    const char *dot1 = memchr(tok, '.', len), *dot2;
    ck_err ce;
    size_t si;

    dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - tok)) : NULL;
    if (dot2 == NULL)
        bench_die_msg("not a compact JWS");
    si = (size_t)(dot2 - tok);
    if (ck_b64url_decode(dot2 + 1, len - si - 1, sig, cap, sig_len, &ce) != CK_OK)
        bench_die_ck("decoding a JWS signature", &ce);
    return si;
}

/* Sets the "id" of the credential's issuer object. */
static void set_issuer(json_t *vc, const did_buf *did)
{
    json_t *issuer = json_object_get(vc, "issuer");
    if (!json_is_object(issuer) ||
        json_object_set_new(issuer, "id", json_stringn((const char *)did->data, did->len)) != 0)
        bench_die_msg("setting the issuer");
}

/* The SD-JWT VC claims for the same credential: iss, vct, iat, exp, sub and the subject's
 * claims at the top level (SD-JWT VC has no VC data model wrapping). */
static json_t *sdjwt_claims(const json_t *vc, const did_buf *did)
{
    const json_t *subject = json_object_get(vc, "credentialSubject");
    json_t *claims = json_object(), *rest = json_deep_copy(subject);

    if (claims == NULL || rest == NULL || !json_is_object(rest) ||
        json_object_set_new(claims, "iss", json_stringn((const char *)did->data, did->len)) ||
        json_object_set_new(claims, "vct",
                            json_string("https://registry.oiq.example/vct/licence")) ||
        json_object_set_new(claims, "iat", json_integer(NOW - 3600)) ||
        json_object_set_new(claims, "exp", json_integer(NOW + 5 * 365 * 86400)) ||
        json_object_set(claims, "sub", json_object_get(rest, "id")) ||
        json_object_del(rest, "id") || json_object_update(claims, rest))
        bench_die_msg("building the SD-JWT claims");
    json_decref(rest);
    return claims;
}

int main(int argc, char **argv)
{
    double seconds = bench_seconds(argc, argv);
    ck_key *issuer = NULL, *holder = NULL, *p256 = NULL;
    did_buf did, vm, did_p, vm_p, jwt, jwt_p, sd, pres, pc, doc;
    did_ctx *ctx = NULL;
    json_t *vc = NULL, *vc_p = NULL, *claims = NULL, *secured = NULL;
    char *di_text = NULL;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], hash[DID_DI_HASH_DATA_MAX], *sk;
    size_t hash_len = 0, sd_jwt_len, sig_len;
    did_err err;
    ck_err ce;
    issue_case is_di, is_jwt, is_sd;
    raw_case raw_di, raw_jwt, raw_sd;
    ck_case raw_es;
    verify_case v_di, v_jwt, v_sd, v_di_fresh, v_es;

    did_err_clear(&err);
    ck_err_clear(&ce);
    if (ck_init() != CK_OK || sodium_init() < 0)
        bench_die_msg("crypto initialisation failed");
    did_buf_init(&did);
    did_buf_init(&vm);
    did_buf_init(&did_p);
    did_buf_init(&vm_p);
    did_buf_init(&jwt);
    did_buf_init(&jwt_p);
    did_buf_init(&sd);
    did_buf_init(&pres);
    did_buf_init(&pc);
    did_buf_init(&doc);

    /* Keys: the issuer's Ed25519 (also as a libsodium key pair for the raw reference), the
     * holder's Ed25519 and an issuer P-256 key; their did:key DIDs and verification methods. */
    sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    if (sk == NULL || crypto_sign_seed_keypair(pk, sk, ISSUER_SEED) != 0)
        bench_die_msg("libsodium key pair");
    if (ck_key_import_private(CK_KEY_ED25519, ISSUER_SEED, sizeof ISSUER_SEED, &issuer, &ce) ||
        ck_key_import_private(CK_KEY_ED25519, HOLDER_SEED, sizeof HOLDER_SEED, &holder, &ce) ||
        ck_key_import_private(CK_KEY_P256, P256_SCALAR, sizeof P256_SCALAR, &p256, &ce) ||
        ck_key_public_copy(p256, &raw_es.pub, &ce))
        bench_die_ck("importing the keys", &ce);
    key_vm(issuer, &did, &vm);
    key_vm(p256, &did_p, &vm_p);

    /* The credential, issued by the Ed25519 key's DID, and a copy issued by the P-256 one. */
    if (did_json_parse(CREDENTIAL, sizeof CREDENTIAL - 1, NULL, &vc, &err) != DID_OK)
        bench_die("parsing the credential", &err);
    vc_p = json_deep_copy(vc);
    if (vc_p == NULL)
        bench_die_msg("out of memory");
    set_issuer(vc, &did);
    set_issuer(vc_p, &did_p);
    claims = sdjwt_claims(vc, &did);

    /* The issuing paths. */
    memset(&is_di, 0, sizeof is_di);
    is_di.key = issuer;
    is_di.doc = vc;
    is_di.di.suite = DID_DI_EDDSA_JCS_2022;
    is_di.di.verification_method = (const char *)vm.data;
    is_di.di.created = NOW - 3600;
    is_jwt = is_di;
    is_jwt.kid = (const char *)vm.data;
    is_sd = is_di;
    is_sd.doc = claims;
    is_sd.sd.kid = (const char *)vm.data;
    is_sd.sd.paths = SD_PATHS;
    is_sd.sd.holder_key = holder;
    did_buf_init(&is_di.out);
    did_buf_init(&is_jwt.out);
    did_buf_init(&is_sd.out);

    /* The secured forms: DI as compact JSON text, the VC-JWTs, the SD-JWT and its
     * presentation with a KB-JWT for (NONCE, AUD). */
    if (did_di_sign(issuer, vc, &is_di.di, &secured, &err) != DID_OK)
        bench_die("did_di_sign", &err);
    di_text = json_dumps(secured, JSON_COMPACT);
    if (di_text == NULL)
        bench_die_msg("out of memory");
    if (did_vcjose_sign(issuer, (const char *)vm.data, vc, &jwt, &err) != DID_OK)
        bench_die("did_vcjose_sign EdDSA", &err);
    if (did_vcjose_sign(p256, (const char *)vm_p.data, vc_p, &jwt_p, &err) != DID_OK)
        bench_die("did_vcjose_sign ES256", &err);
    if (did_sdjwt_issue(issuer, &is_sd.sd, claims, &sd, &err) != DID_OK)
        bench_die("did_sdjwt_issue", &err);
    if (did_sdjwt_present((const char *)sd.data, sd.len, SD_PATHS, holder, NONCE, AUD, NOW, &pres,
                          &err) != DID_OK)
        bench_die("did_sdjwt_present", &err);

    /* The raw references sign and verify messages of the lengths the formats sign: the DI
     * hashData itself, and the JWTs' signing inputs (for the SD-JWT, the issuer JWT's). */
    if (did_di_canonicalize(secured, 0, &pc, &doc, &err) != DID_OK ||
        did_di_hash_data(CK_SHA256, pc.data, pc.len, doc.data, doc.len, hash, &hash_len, &err) !=
            DID_OK)
        bench_die("hashData", &err);
    raw_di = (raw_case){.sk = sk, .pk = pk, .msg = hash, .len = hash_len};
    raw_jwt = raw_di;
    raw_jwt.msg = jwt.data;
    raw_jwt.len = jws_signing_input((const char *)jwt.data, jwt.len, raw_jwt.sig,
                                    sizeof raw_jwt.sig, &sig_len);
    sd_jwt_len = (size_t)((const uint8_t *)memchr(sd.data, '~', sd.len) - sd.data);
    raw_sd = raw_di;
    raw_sd.msg = sd.data;
    raw_sd.len = jws_signing_input((const char *)sd.data, sd_jwt_len, raw_sd.sig, sizeof raw_sd.sig,
                                   &sig_len);
    raw_es.msg = jwt_p.data;
    raw_es.len = jws_signing_input((const char *)jwt_p.data, jwt_p.len, raw_es.sig,
                                   sizeof raw_es.sig, &raw_es.sig_len);
    if (crypto_sign_detached(raw_di.sig, NULL, raw_di.msg, raw_di.len, sk) != 0 ||
        crypto_sign_detached(raw_jwt.sig, NULL, raw_jwt.msg, raw_jwt.len, sk) != 0 ||
        crypto_sign_detached(raw_sd.sig, NULL, raw_sd.msg, raw_sd.len, sk) != 0)
        bench_die_msg("crypto_sign_detached failed");

    /* What the verifier is given: the serialized bytes, and one context for the whole run. */
    if (did_ctx_new(&ctx, &err) != DID_OK)
        bench_die("did_ctx_new", &err);
    v_di = (verify_case){.ctx = ctx, .in = (const uint8_t *)di_text, .len = strlen(di_text)};
    v_di.opts.now = NOW;
    v_jwt = v_di;
    v_jwt.in = jwt.data;
    v_jwt.len = jwt.len;
    v_es = v_jwt;
    v_es.in = jwt_p.data;
    v_es.len = jwt_p.len;
    v_sd = v_jwt;
    v_sd.in = pres.data;
    v_sd.len = pres.len;
    v_sd.opts.challenge = NONCE;
    v_sd.opts.domain = AUD;
    v_di_fresh = v_di;
    v_di_fresh.ctx = NULL;

    printf("bench_credentials: %.2f s per measurement after a %.2f s warm-up, one thread\n",
           seconds, seconds / 5);
    printf("credential: %zu bytes pretty, %zu bytes JCS; DI secured: %zu bytes; VC-JWT: %zu "
           "bytes, signing input %zu; ES256 VC-JWT: %zu bytes\n",
           sizeof CREDENTIAL - 1, doc.len, strlen(di_text), jwt.len, raw_jwt.len, jwt_p.len);
    printf("SD-JWT VC: %zu bytes issued (issuer JWT %zu, signing input %zu), %zu bytes presented "
           "with %zu disclosures and a KB-JWT\n",
           sd.len, sd_jwt_len, raw_sd.len, pres.len, sizeof SD_PATHS / sizeof SD_PATHS[0] - 1);
    printf("libsodium %s\n", sodium_version_string());

    printf("\nreference\n");
    double sign_di =
        bench_measure("raw Ed25519 sign, 64 B (DI hashData)", op_raw_sign, &raw_di, seconds);
    double sign_jwt =
        bench_measure("raw Ed25519 sign, VC-JWT signing input", op_raw_sign, &raw_jwt, seconds);
    double sign_sd =
        bench_measure("raw Ed25519 sign, SD-JWT signing input", op_raw_sign, &raw_sd, seconds);
    double ver_di =
        bench_measure("raw Ed25519 verify, 64 B (DI hashData)", op_raw_verify, &raw_di, seconds);
    double ver_jwt =
        bench_measure("raw Ed25519 verify, VC-JWT signing input", op_raw_verify, &raw_jwt, seconds);
    double ver_sd =
        bench_measure("raw Ed25519 verify, SD-JWT signing input", op_raw_verify, &raw_sd, seconds);
    double ver_es =
        bench_measure("raw ES256 ck_verify, VC-JWT signing input", op_ck_verify, &raw_es, seconds);
    double parse_dump =
        bench_measure("did_json_parse + json_dumps (credential)", op_parse_dump, NULL, seconds);

    printf("\nissue\n");
    double iss_di =
        bench_measure("did_di_sign eddsa-jcs-2022 + json_dumps", op_issue_di, &is_di, seconds);
    double iss_jwt = bench_measure("did_vcjose_sign EdDSA", op_issue_jwt, &is_jwt, seconds);
    double iss_sd =
        bench_measure("did_sdjwt_issue EdDSA, 3 SD claims, cnf", op_issue_sdjwt, &is_sd, seconds);

    printf("\nverify (did_verify from the serialized bytes)\n");
    double v_di_ops = bench_measure("DI eddsa-jcs-2022", op_verify, &v_di, seconds);
    double v_jwt_ops = bench_measure("VC-JWT EdDSA", op_verify, &v_jwt, seconds);
    double v_sd_ops = bench_measure("SD-JWT VC + KB-JWT EdDSA", op_verify, &v_sd, seconds);
    double v_fresh_ops =
        bench_measure("DI eddsa-jcs-2022, new did_ctx each time", op_verify, &v_di_fresh, seconds);
    double v_es_ops = bench_measure("VC-JWT ES256", op_verify, &v_es, seconds);

    printf("\nissue / (raw Ed25519 sign of the same length + one JSON parse/dump)\n");
    ratio("DI eddsa-jcs-2022 + json_dumps", iss_di, serial(sign_di, parse_dump), TARGET_ISSUE);
    ratio("VC-JWT EdDSA", iss_jwt, serial(sign_jwt, parse_dump), TARGET_ISSUE);
    ratio("SD-JWT VC EdDSA (3 SD claims, cnf)", iss_sd, serial(sign_sd, parse_dump), TARGET_ISSUE);
    printf("verify / raw Ed25519 verify of the same length\n");
    ratio("DI eddsa-jcs-2022", v_di_ops, ver_di, TARGET_VERIFY);
    ratio("VC-JWT EdDSA", v_jwt_ops, ver_jwt, TARGET_VERIFY);
    ratio("SD-JWT VC + KB-JWT (two signatures)", v_sd_ops, ver_sd, TARGET_VERIFY_KB);
    ratio("DI eddsa-jcs-2022, new did_ctx each time", v_fresh_ops, ver_di, 0);
    printf("verify / raw ES256 ck_verify of the same bytes\n");
    ratio("VC-JWT ES256", v_es_ops, ver_es, 0);

    did_ctx_free(ctx);
    did_buf_clear(&is_di.out);
    did_buf_clear(&is_jwt.out);
    did_buf_clear(&is_sd.out);
    free(di_text);
    json_decref(secured);
    json_decref(claims);
    json_decref(vc_p);
    json_decref(vc);
    ck_key_free(raw_es.pub);
    ck_key_free(p256);
    ck_key_free(holder);
    ck_key_free(issuer);
    sodium_free(sk);
    did_buf_clear(&did);
    did_buf_clear(&vm);
    did_buf_clear(&did_p);
    did_buf_clear(&vm_p);
    did_buf_clear(&jwt);
    did_buf_clear(&jwt_p);
    did_buf_clear(&sd);
    did_buf_clear(&pres);
    did_buf_clear(&pc);
    did_buf_clear(&doc);
    return 0;
}
