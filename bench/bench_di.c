/*
 * bench_di.c -- Data Integrity eddsa-jcs-2022 verification against the raw crypto, in one run:
 *
 *   (a) did_json_parse + did_di_verify of a ~1.5 KB VC 2.0 credential secured with an
 *       eddsa-jcs-2022 proof, its verification method resolved through did:key (the whole
 *       verifier path: parse, canonicalise twice, hash, resolve, verify);
 *   (b) did_di_verify alone on the tree parsed once;
 *   (c) did_di_sign of the unsecured credential (for the issuing bar);
 *   (d) libsodium crypto_sign_verify_detached over the same 64-byte hashData and signature,
 *       and the ratio (a) / (d) against the target (docs DESIGN.md section 8: >= 50%).
 *
 * Usage: bench_di [seconds]   (or CIVID_BENCH_SECONDS; default 1 s per measurement, after a
 * warm-up of a fifth of that; the harness is bench.h). Single thread, CLOCK_MONOTONIC. The
 * target is informative: the exit status is 0 whether it is met or not, and non-zero only when
 * an operation fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <ck/ck.h>
#include <did/codec.h>
#include <did/di.h>
#include <did/did.h>
#include <did/json.h>

#define BENCH_PROG "bench_di"
#define BENCH_NAME_WIDTH 40
#include "bench.h"

#define TARGET_PERCENT 50.0
#define NOW ((int64_t)1767225600) /* 2026-01-01T00:00:00Z */

/* A VC 2.0 credential of realistic shape and size (as bench_core's). */
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
    "    \"name\": \"Universit\\u00e9 de Gen\\u00e8ve\"\n"
    "  },\n"
    "  \"validFrom\": \"2024-09-01T00:00:00Z\",\n"
    "  \"validUntil\": \"2034-08-31T23:59:59Z\",\n"
    "  \"credentialSubject\": {\n"
    "    \"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\",\n"
    "    \"name\": \"Zo\\u00eb \\u0141ukasiewicz-\\u00d1\\u00fa\\u00f1ez\",\n"
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
    "        \"supervisor\": \"Prof. Dr. J\\u00fcrg M\\u00fcller\"\n"
    "      }\n"
    "    },\n"
    "    \"courses\": [\n"
    "      {\"code\": \"CRY-501\", \"title\": \"Elliptic curves\", \"ects\": 6, \"grade\": 5.5},\n"
    "      {\"code\": \"CRY-502\", \"title\": \"Lattices\", \"ects\": 6, \"grade\": 6},\n"
    "      {\"code\": \"CRY-510\", \"title\": \"Protocols\", \"ects\": 4.5, \"grade\": 5.25}\n"
    "    ],\n"
    "    \"address\": {\n"
    "      \"streetAddress\": \"Rue du G\\u00e9n\\u00e9ral-Dufour 24\",\n"
    "      \"postalCode\": \"1204\",\n"
    "      \"addressLocality\": \"Gen\\u00e8ve\",\n"
    "      \"addressCountry\": \"CH\"\n"
    "    },\n"
    "    \"languages\": [\"fr\", \"de\", \"en\"],\n"
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

static const uint8_t SEED[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                 0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

/* A one-entry cache in front of did_resolve_key, as a verifier would keep for the issuers it
 * sees (did:key documents never change). */
typedef struct key_cache {
    char *vm;
    did_relationship rel;
    ck_key *key;
} key_cache;

typedef struct bench {
    did_ctx *ctx;
    ck_key *key;
    json_t *unsecured;
    json_t *secured;
    char *text; /* the secured credential as JSON text */
    size_t text_len;
    did_di_sign_opts sign;
    did_di_verify_opts verify, cached;
    key_cache cache;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t hash[DID_DI_HASH_DATA_MAX];
    size_t hash_len;
    uint8_t sig[crypto_sign_BYTES];
} bench;

static int cached_resolve(void *user, const did_ctx *ctx, const char *vm, size_t len,
                          did_relationship rel, ck_key **key, did_err *err)
{
    key_cache *c = user;
    ck_err ce;

    if (c->key == NULL || c->rel != rel || strlen(c->vm) != len || memcmp(c->vm, vm, len) != 0) {
        ck_key *k = NULL;
        char *copy = malloc(len + 1);
        int rc;
        if (copy == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "out of memory");
        rc = did_resolve_key(ctx, vm, len, rel, &k, NULL, err);
        if (rc != DID_OK) {
            free(copy);
            return rc;
        }
        memcpy(copy, vm, len);
        copy[len] = '\0';
        free(c->vm);
        ck_key_free(c->key);
        c->vm = copy;
        c->rel = rel;
        c->key = k;
    }
    if (ck_key_public_copy(c->key, key, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return DID_OK;
}

static int parse_verify(bench *b, const did_di_verify_opts *opts, did_err *err)
{
    json_t *v = NULL;
    int rc = did_json_parse(b->text, b->text_len, NULL, &v, err);
    if (rc == DID_OK)
        rc = did_di_verify(b->ctx, v, opts, NULL, NULL, err);
    json_decref(v);
    return rc;
}

static int op_parse_verify(void *p, did_err *err)
{
    bench *b = p;
    return parse_verify(b, &b->verify, err);
}

static int op_parse_verify_cached(void *p, did_err *err)
{
    bench *b = p;
    return parse_verify(b, &b->cached, err);
}

static int op_resolve(void *p, did_err *err)
{
    bench *b = p;
    ck_key *k = NULL;
    const char *vm = b->sign.verification_method;
    int rc = did_resolve_key(b->ctx, vm, strlen(vm), DID_REL_ASSERTION_METHOD, &k, NULL, err);
    ck_key_free(k);
    return rc;
}

static int op_verify(void *p, did_err *err)
{
    bench *b = p;
    return did_di_verify(b->ctx, b->secured, &b->verify, NULL, NULL, err);
}

static int op_sign(void *p, did_err *err)
{
    bench *b = p;
    json_t *out = NULL;
    int rc = did_di_sign(b->key, b->unsecured, &b->sign, &out, err);
    json_decref(out);
    return rc;
}

static int op_raw(void *p, did_err *err)
{
    bench *b = p;
    if (crypto_sign_verify_detached(b->sig, b->hash, b->hash_len, b->pk) != 0)
        return did_err_set(err, DID_ERR_DI_SIGNATURE, "crypto_sign_verify_detached failed");
    return DID_OK;
}

int main(int argc, char **argv)
{
    double seconds = bench_seconds(argc, argv);
    bench b;
    did_buf vm, mk, pc, doc, dec;
    did_err err;
    ck_err ce;
    size_t pk_len = 0;
    const char *pv;

    memset(&b, 0, sizeof b);
    if (ck_init() != CK_OK || sodium_init() < 0)
        bench_die_msg("crypto initialisation failed");
    did_buf_init(&vm);
    did_buf_init(&mk);
    did_buf_init(&pc);
    did_buf_init(&doc);
    did_buf_init(&dec);
    if (did_ctx_new(&b.ctx, &err) != DID_OK)
        bench_die("context", &err);
    if (ck_key_import_private(CK_KEY_ED25519, SEED, sizeof SEED, &b.key, &ce) != CK_OK ||
        ck_key_export_public(b.key, 1, b.pk, sizeof b.pk, &pk_len, &ce) != CK_OK)
        bench_die_ck("key", &ce);
    if (did_key_from_key(b.key, &vm, &err) != DID_OK ||
        did_multikey_encode(b.key, &mk, &err) != DID_OK ||
        did_buf_printf(&vm, "#%s", (const char *)mk.data) != DID_OK)
        bench_die("verification method", &err);
    if (did_json_parse(CREDENTIAL, sizeof CREDENTIAL - 1, NULL, &b.unsecured, &err) != DID_OK)
        bench_die("credential", &err);
    b.sign.suite = DID_DI_EDDSA_JCS_2022;
    b.sign.verification_method = (const char *)vm.data;
    b.sign.created = NOW - 3600;
    b.verify.now = NOW;
    b.cached = b.verify;
    b.cached.resolve = cached_resolve;
    b.cached.resolve_user = &b.cache;
    if (did_di_sign(b.key, b.unsecured, &b.sign, &b.secured, &err) != DID_OK)
        bench_die("sign", &err);
    b.text = json_dumps(b.secured, JSON_COMPACT);
    if (b.text == NULL)
        bench_die_msg("out of memory");
    b.text_len = strlen(b.text);
    /* The raw operation verifies the very hashData and signature the library does. */
    pv = json_string_value(json_object_get(json_object_get(b.secured, "proof"), "proofValue"));
    if (did_di_canonicalize(b.secured, 0, &pc, &doc, &err) != DID_OK ||
        did_di_hash_data(CK_SHA256, pc.data, pc.len, doc.data, doc.len, b.hash, &b.hash_len,
                         &err) != DID_OK ||
        did_multibase_decode(pv, strlen(pv), &dec, NULL, &err) != DID_OK)
        bench_die("hash data", &err);
    if (dec.len != sizeof b.sig) {
        fprintf(stderr, "bench_di: signature of %zu bytes\n", dec.len);
        return 1;
    }
    memcpy(b.sig, dec.data, sizeof b.sig);

    printf("bench_di: %.2f s per measurement after a %.2f s warm-up, one thread; credential %zu "
           "bytes secured\n",
           seconds, seconds / 5, b.text_len);
    double cached =
        bench_measure("parse + di_verify (cached key)", op_parse_verify_cached, &b, seconds);
    double raw = bench_measure("raw crypto_sign_verify_detached", op_raw, &b, seconds);
    double full =
        bench_measure("parse + di_verify (did:key resolved)", op_parse_verify, &b, seconds);
    bench_measure("di_verify (parsed once, did:key resolved)", op_verify, &b, seconds);
    bench_measure("did_resolve_key did:key Ed25519", op_resolve, &b, seconds);
    bench_measure("di_sign eddsa-jcs-2022", op_sign, &b, seconds);
    printf("ratio parse+verify (cached key) / raw verify: %.1f%% (target >= %.0f%%): %s\n",
           100.0 * cached / raw, TARGET_PERCENT,
           100.0 * cached / raw >= TARGET_PERCENT ? "met" : "NOT met");
    printf("ratio parse+verify (did:key resolved each time) / raw verify: %.1f%%\n",
           100.0 * full / raw);

    free(b.cache.vm);
    ck_key_free(b.cache.key);
    free(b.text);
    json_decref(b.secured);
    json_decref(b.unsecured);
    ck_key_free(b.key);
    did_ctx_free(b.ctx);
    did_buf_clear(&vm);
    did_buf_clear(&mk);
    did_buf_clear(&pc);
    did_buf_clear(&doc);
    did_buf_clear(&dec);
    return 0;
}
