/*
 * fuzz_jws.c -- compact JWS verification and JWT claim checks (did/jose.h).
 *
 * Every input goes through all of:
 *   1. did_jws_verify with fixed keys (an Ed25519 and a P-256 key imported from a fixed seed
 *      below; fuzz/corpus/jws/ holds JWS signed with them, so inputs can get past the
 *      signature check and reach the payload);
 *   2. did_jws_verify with kid resolution through a did_ctx (did:key / did:jwk kids);
 *   3. did_jwt_verify with the Ed25519 key, a required typ and claim checks;
 *   4. the input as a JSON document through did_jwt_check_claims (several option sets).
 * Invariants (abort on violation): only documented codes come back; on error the did_jws is
 * cleared and no claims are handed out; on success the result is complete and consistent
 * (public key only, of the type alg names, payload NUL-terminated).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/jose.h>
#include <did/json.h>

/* 32 bytes: the Ed25519 seed and the P-256 scalar of the fixed keys. */
static const uint8_t fixed_seed[32] = "civid fuzz_jws fixed seed 000001";

static ck_key *ed_key;
static ck_key *p256_key;
static did_ctx *ctx;

/* One-time set-up; the fuzzer runs single-threaded. */
static void setup(void)
{
    ck_err ce;
    did_err e;

    if (ed_key != NULL)
        return;
    if (ck_key_import_private(CK_KEY_ED25519, fixed_seed, sizeof(fixed_seed), &ed_key, &ce) !=
            CK_OK ||
        ck_key_import_private(CK_KEY_P256, fixed_seed, sizeof(fixed_seed), &p256_key, &ce) !=
            CK_OK ||
        did_ctx_new(&ctx, &e) != DID_OK)
        abort();
}

static int jws_code_ok(int rc)
{
    switch (rc) {
    case DID_OK:
    case DID_ERR_NOMEM:
    case DID_ERR_LIMIT:
    case DID_ERR_JWS_FORMAT:
    case DID_ERR_JWS_HEADER:
    case DID_ERR_JWS_ALG:
    case DID_ERR_JWS_TYP:
    case DID_ERR_JWS_CRIT:
    case DID_ERR_JWS_KID:
    case DID_ERR_JWS_SIGNATURE:
    case DID_ERR_JWS_KEY_ALG:
        return 1;
    default:
        /* Crypto failures other than a bad signature pass through (allocation, backend). */
        return rc == CK_ERR_NOMEM || rc == CK_ERR_BACKEND;
    }
}

static int claims_code_ok(int rc)
{
    return rc == DID_OK || (rc >= DID_ERR_JWT_EXPIRED && rc <= DID_ERR_JWT_ISS);
}

static ck_key_type alg_type(const char *alg)
{
    if (strcmp(alg, "EdDSA") == 0 || strcmp(alg, "Ed25519") == 0)
        return CK_KEY_ED25519;
    if (strcmp(alg, "ES256") == 0)
        return CK_KEY_P256;
    if (strcmp(alg, "ES384") == 0)
        return CK_KEY_P384;
    if (strcmp(alg, "ES256K") == 0)
        return CK_KEY_SECP256K1;
    abort();
}

static void check_result(int rc, const did_jws *j)
{
    if (!jws_code_ok(rc))
        abort();
    if (rc != DID_OK) {
        if (j->header != NULL || j->payload != NULL || j->payload_len != 0 || j->key != NULL ||
            j->kid != NULL || j->alg != NULL)
            abort();
        return;
    }
    if (!json_is_object(j->header) || j->payload == NULL || j->payload[j->payload_len] != 0 ||
        j->key == NULL || ck_key_has_private(j->key) || j->alg == NULL ||
        ck_key_get_type(j->key) != alg_type(j->alg))
        abort();
    if ((j->kid != NULL) != json_is_string(json_object_get(j->header, "kid")))
        abort();
}

static void run_jws(const char *s, size_t n)
{
    static const char *const crit[] = {"exp", "nonce", NULL};
    did_jws_verify_opts o;
    did_jwt_check_opts co;
    did_jws j;
    json_t *claims = NULL;
    did_err e;
    int rc;

    /* 1. Fixed keys. */
    memset(&o, 0, sizeof(o));
    o.crit = crit;
    o.max_len = 65536;
    o.key = ed_key;
    rc = did_jws_verify(NULL, s, n, &o, &j, &e);
    check_result(rc, &j);
    did_jws_clear(&j);
    o.key = p256_key;
    o.algs = DID_JWS_ALG_ES256 | DID_JWS_ALG_ES384;
    rc = did_jws_verify(NULL, s, n, &o, &j, &e);
    check_result(rc, &j);
    did_jws_clear(&j);

    /* 2. kid resolution. */
    memset(&o, 0, sizeof(o));
    o.rel = DID_REL_ASSERTION_METHOD;
    rc = did_jws_verify(ctx, s, n, &o, &j, &e);
    check_result(rc, &j);
    if (rc == DID_OK && j.kid == NULL)
        abort();
    did_jws_clear(&j);

    /* 3. A JWT. */
    memset(&o, 0, sizeof(o));
    memset(&co, 0, sizeof(co));
    o.key = ed_key;
    o.typ = "JWT";
    co.now = 1700000000;
    co.skew = 60;
    co.aud = "https://verifier.example";
    rc = did_jwt_verify(NULL, s, n, &o, &co, &j, &claims, &e);
    if (rc == DID_OK) {
        check_result(rc, &j);
        if (!json_is_object(claims))
            abort();
    } else {
        if (claims != NULL)
            abort();
        if (!jws_code_ok(rc) && !claims_code_ok(rc) &&
            !(rc >= DID_ERR_JSON_SYNTAX && rc <= DID_ERR_JSON_COUNT))
            abort();
        check_result(DID_ERR_JWS_FORMAT, &j); /* cleared, whatever failed */
    }
    json_decref(claims);
    did_jws_clear(&j);
}

static void run_claims(const uint8_t *p, size_t n)
{
    did_json_limits lim = did_json_limits_default();
    json_t *c = NULL;
    did_jwt_check_opts co;
    did_err e;

    lim.max_bytes = 65536;
    lim.max_depth = 16;
    if (did_json_parse(p, n, &lim, &c, &e) != DID_OK)
        return;
    for (int i = 0; i < 4; i++) {
        memset(&co, 0, sizeof(co));
        co.now = i == 3 ? INT64_MIN + 1 : 1700000000;
        co.skew = i == 2 ? INT64_MAX : 60 * i;
        co.require_exp = i & 1;
        co.require_iat = (i >> 1) & 1;
        co.iss = i == 1 ? "did:example:issuer" : NULL;
        co.aud = i < 2 ? "https://verifier.example" : NULL;
        if (!claims_code_ok(did_jwt_check_claims(c, &co, &e)))
            abort();
    }
    json_decref(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    run_jws((const char *)data, size);
    run_claims(data, size);
    return 0;
}
