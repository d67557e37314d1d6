/*
 * bench_core.c -- the core hot paths, measured against the raw crypto in the same run:
 *
 *   (a) JCS (RFC 8785) of a ~1.5 KB VC 2.0 credential: did_jcs_write alone on a tree parsed
 *       once, and did_json_parse + did_jcs_write together;
 *   (b) did_jws_verify of an EdDSA compact JWS whose payload is that credential, once with
 *       opts.key (no resolution) and once resolving its "kid" through did:key in a did_ctx;
 *   (c) libsodium crypto_sign_verify_detached over the same signing input and signature,
 *       and the ratio (b, opts.key) / (c) against the target.
 *
 * Usage: bench_core [seconds]   (or CIVID_BENCH_SECONDS; default 1 s per measurement, after
 * a warm-up of a fifth of that; the harness is bench.h). Single thread, CLOCK_MONOTONIC. The
 * target is informative: the exit status is 0 whether it is met or not, and non-zero only when
 * an operation fails.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include <ck/ck.h>
#include <did/did.h>
#include <did/jose.h>
#include <did/json.h>

#define BENCH_PROG "bench_core"
#define BENCH_NAME_WIDTH 36
#include "bench.h"

/* JWS-verify / raw-verify throughput the issue asks for. */
#define TARGET_PERCENT 60.0

/* A VC 2.0 credential (W3C VC Data Model 2.0) of realistic shape and size: contexts, id,
 * types, an issuer object, validity dates, a nested subject with numbers, booleans, arrays
 * of objects and non-ASCII text (NFC, plus one escape), and a status entry. */
static const char CREDENTIAL[] =
    "{\n"
    "  \"@context\": [\n"
    "    \"https://www.w3.org/ns/credentials/v2\",\n"
    "    \"https://www.w3.org/ns/credentials/examples/v2\"\n"
    "  ],\n"
    "  \"id\": \"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33\",\n"
    "  \"type\": [\"VerifiableCredential\", \"UniversityDegreeCredential\"],\n"
    "  \"name\": \"Master of Science in Applied Cryptography\",\n"
    "  \"issuer\": {\n"
    "    \"id\": \"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\",\n"
    "    \"name\": \"Université de Genève\"\n"
    "  },\n"
    "  \"validFrom\": \"2024-09-01T00:00:00Z\",\n"
    "  \"validUntil\": \"2034-08-31T23:59:59Z\",\n"
    "  \"credentialSubject\": {\n"
    "    \"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\",\n"
    "    \"name\": \"Zoë Łukasiewicz-Ñúñez\",\n"
    "    \"degree\": {\n"
    "      \"type\": \"MasterDegree\",\n"
    "      \"name\": \"MSc Applied Cryptography\",\n"
    "      \"ects\": 120,\n"
    "      \"gpa\": 5.75,\n"
    "      \"scale\": {\"min\": 1, \"max\": 6, \"pass\": 4},\n"
    "      \"honours\": true,\n"
    "      \"thesis\": {\n"
    "        \"title\": \"Zero-knowledge proofs for selective disclosure \\u2013 a survey\",\n"
    "        \"grade\": 6,\n"
    "        \"supervisor\": \"Prof. Dr. Jürg Müller\"\n"
    "      }\n"
    "    },\n"
    "    \"courses\": [\n"
    "      {\"code\": \"CRY-501\", \"title\": \"Elliptic curves\", \"ects\": 6, \"grade\": 5.5},\n"
    "      {\"code\": \"CRY-502\", \"title\": \"Lattices\", \"ects\": 6, \"grade\": 6},\n"
    "      {\"code\": \"CRY-510\", \"title\": \"Protocols\", \"ects\": 4.5, \"grade\": 5.25}\n"
    "    ],\n"
    "    \"address\": {\n"
    "      \"streetAddress\": \"Rue du Général-Dufour 24\",\n"
    "      \"postalCode\": \"1204\",\n"
    "      \"addressLocality\": \"Genève\",\n"
    "      \"addressCountry\": \"CH\"\n"
    "    },\n"
    "    \"languages\": [\"fr\", \"de\", \"en\", \"日本語\"],\n"
    "    \"alumni\": false,\n"
    "    \"rank\": 3,\n"
    "    \"cohortSize\": 41,\n"
    "    \"percentile\": 0.0731707317073\n"
    "  },\n"
    "  \"credentialStatus\": {\n"
    "    \"id\": \"https://status.unige.example/credentials/status/3#94567\",\n"
    "    \"type\": \"BitstringStatusListEntry\",\n"
    "    \"statusPurpose\": \"revocation\",\n"
    "    \"statusListIndex\": \"94567\",\n"
    "    \"statusListCredential\": \"https://status.unige.example/credentials/status/3\"\n"
    "  }\n"
    "}\n";

/* A fixed Ed25519 seed so that every run signs the same bytes. */
static const uint8_t SEED[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

typedef struct bench {
    json_t *cred;    /* CREDENTIAL, parsed once */
    did_buf jcs;     /* output buffer reused by the JCS loops */
    const char *jws; /* compact JWS, payload = JCS(CREDENTIAL) */
    size_t jws_len;
    ck_key *pub;  /* the public key, for opts.key */
    did_ctx *ctx; /* did:key resolution for the kid */
    did_jws_verify_opts by_key, by_kid;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t sig[crypto_sign_BYTES];
    size_t signing_input_len; /* "header.payload" is jws[0..signing_input_len) */
} bench;

static int op_jcs(void *p, did_err *err)
{
    bench *b = p;
    did_buf_reset(&b->jcs);
    return did_jcs_write(b->cred, &b->jcs, err);
}

static int op_parse_jcs(void *p, did_err *err)
{
    bench *b = p;
    json_t *v = NULL;
    int rc = did_json_parse(CREDENTIAL, sizeof CREDENTIAL - 1, NULL, &v, err);
    if (rc != DID_OK)
        return rc;
    did_buf_reset(&b->jcs);
    rc = did_jcs_write(v, &b->jcs, err);
    json_decref(v);
    return rc;
}

static int jws_verify(bench *b, const did_jws_verify_opts *opts, did_err *err)
{
    did_jws out;
    did_jws_init(&out);
    int rc = did_jws_verify(b->ctx, b->jws, b->jws_len, opts, &out, err);
    did_jws_clear(&out);
    return rc;
}

static int op_jws_key(void *p, did_err *err)
{
    bench *b = p;
    return jws_verify(b, &b->by_key, err);
}

static int op_jws_kid(void *p, did_err *err)
{
    bench *b = p;
    return jws_verify(b, &b->by_kid, err);
}

static int op_raw(void *p, did_err *err)
{
    bench *b = p;
    if (crypto_sign_verify_detached(b->sig, (const unsigned char *)b->jws, b->signing_input_len,
                                    b->pk) != 0)
        return did_err_set(err, DID_ERR_JWS_SIGNATURE, "crypto_sign_verify_detached failed");
    return DID_OK;
}

int main(int argc, char **argv)
{
    double seconds = bench_seconds(argc, argv);
    bench b;
    ck_key *key = NULL;
    did_buf did, kid, jws, payload;
    did_err err;
    ck_err ce;
    size_t pk_len = 0, sig_len = 0;
    const char *dot1, *dot2;

    memset(&b, 0, sizeof b);
    did_buf_init(&b.jcs);
    did_buf_init(&did);
    did_buf_init(&kid);
    did_buf_init(&jws);
    did_buf_init(&payload);
    did_err_clear(&err);
    ck_err_clear(&ce);
    if (ck_init() != CK_OK || sodium_init() < 0)
        bench_die_msg("crypto initialisation failed");

    /* The credential, parsed once; the payload is its JCS form. */
    if (did_json_parse(CREDENTIAL, sizeof CREDENTIAL - 1, NULL, &b.cred, &err) != DID_OK)
        bench_die("parsing the credential", &err);
    if (did_jcs_write(b.cred, &payload, &err) != DID_OK)
        bench_die("canonicalising the credential", &err);

    /* An Ed25519 key, its did:key and the verification method URL "did:key:z..#z..". */
    if (ck_key_import_private(CK_KEY_ED25519, SEED, sizeof SEED, &key, &ce) != CK_OK)
        bench_die_ck("importing the key", &ce);
    if (ck_key_public_copy(key, &b.pub, &ce) != CK_OK)
        bench_die_ck("copying the public key", &ce);
    if (ck_key_export_public(key, 1, b.pk, sizeof b.pk, &pk_len, &ce) != CK_OK)
        bench_die_ck("exporting the public key", &ce);
    if (pk_len != sizeof b.pk) {
        fprintf(stderr, "bench_core: Ed25519 public key of %zu bytes\n", pk_len);
        return 1;
    }
    if (did_key_from_key(key, &did, &err) != DID_OK)
        bench_die("did_key_from_key", &err);
    if (did_buf_append(&kid, did.data, did.len) != 0 || did_buf_putc(&kid, '#') != 0 ||
        did_buf_append(&kid, did.data + 8, did.len - 8) != 0)
        bench_die_msg("out of memory");

    /* The VC-JWT style JWS (RFC 7515 compact, typ vc+jwt, kid = the did:key method). */
    did_jws_sign_opts so = {.typ = "vc+jwt", .cty = NULL, .kid = (const char *)kid.data};
    if (did_jws_sign(key, &so, payload.data, payload.len, &jws, &err) != DID_OK)
        bench_die("did_jws_sign", &err);
    b.jws = (const char *)jws.data;
    b.jws_len = jws.len;

    /* The raw check verifies exactly what JWS verification verifies: the signature (third
     * part) over "header.payload". */
    dot1 = memchr(b.jws, '.', b.jws_len);
    dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', b.jws_len - (size_t)(dot1 + 1 - b.jws)) : NULL;
    if (dot2 == NULL)
        bench_die_msg("did_jws_sign did not produce a compact JWS");
    b.signing_input_len = (size_t)(dot2 - b.jws);
    if (ck_b64url_decode(dot2 + 1, b.jws_len - b.signing_input_len - 1, b.sig, sizeof b.sig,
                         &sig_len, &ce) != CK_OK)
        bench_die_ck("decoding the signature", &ce);
    if (sig_len != sizeof b.sig) {
        fprintf(stderr, "bench_core: Ed25519 signature of %zu bytes\n", sig_len);
        return 1;
    }

    if (did_ctx_new(&b.ctx, &err) != DID_OK)
        bench_die("did_ctx_new", &err);
    b.by_key = (did_jws_verify_opts){.algs = DID_JWS_ALG_EDDSA, .typ = "vc+jwt", .key = b.pub};
    b.by_kid = (did_jws_verify_opts){
        .algs = DID_JWS_ALG_EDDSA, .typ = "vc+jwt", .rel = DID_REL_ASSERTION_METHOD};

    printf("bench_core: %.2f s per measurement after a %.2f s warm-up, one thread\n", seconds,
           seconds / 5);
    printf("credential: %zu bytes pretty, %zu bytes JCS; JWS: %zu bytes, signing input %zu "
           "bytes\n",
           sizeof CREDENTIAL - 1, payload.len, b.jws_len, b.signing_input_len);
    printf("libsodium %s\n\n", sodium_version_string());

    bench_measure("jcs_write (parsed once)", op_jcs, &b, seconds);
    bench_measure("json_parse + jcs_write", op_parse_jcs, &b, seconds);
    /* The pair the ratio is made of, measured back to back. */
    double jws_ops = bench_measure("jws_verify EdDSA (opts.key)", op_jws_key, &b, seconds);
    double raw_ops = bench_measure("raw crypto_sign_verify_detached", op_raw, &b, seconds);
    bench_measure("jws_verify EdDSA (kid via did:key)", op_jws_kid, &b, seconds);

    double pct = 100.0 * jws_ops / raw_ops;
    printf("\njws_verify (opts.key) / raw verify: %.1f %% (target >= %.0f %%): %s\n", pct,
           TARGET_PERCENT, pct >= TARGET_PERCENT ? "ok" : "below target");

    did_ctx_free(b.ctx);
    ck_key_free(b.pub);
    ck_key_free(key);
    json_decref(b.cred);
    did_buf_clear(&b.jcs);
    did_buf_clear(&did);
    did_buf_clear(&kid);
    did_buf_clear(&jws);
    did_buf_clear(&payload);
    return 0;
}
