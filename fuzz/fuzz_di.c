/*
 * fuzz_di.c -- Data Integrity verification (did_di_verify, did_di_canonicalize) over untrusted
 * secured documents, with a did_ctx resolving did:key and did:jwk.
 *
 * The first byte picks the options: bits 0-1 the expected purpose (assertionMethod,
 * authentication, capabilityInvocation, capabilityDelegation), bit 2 an expected challenge
 * "c", bit 3 an expected domain "d", bit 4 allows ecdsa-jcs-2019 only, bit 5 a clock skew of a
 * day, bit 6 also signs the document with a fixed Ed25519 key. The rest is the JSON document.
 * The clock is fixed (2026-01-01) so that the seeds behave the same on every run.
 *
 * Invariants (abort on violation):
 *  - the return code is the first error recorded, and DID_OK exactly when the result verified;
 *  - a verified proof has a key of a type its suite uses;
 *  - every proof did_di_verify examined can be canonicalised, or fails with a DI / limit code,
 *    and the canonical forms parse again;
 *  - a proof signed here (bit 6) verifies, whatever else the document holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/di.h>
#include <did/did.h>
#include <did/json.h>
#include <did/result.h>

#define FUZZ_NOW ((int64_t)1767225600)

static const char *const purposes[4] = {"assertionMethod", "authentication", "capabilityInvocation",
                                        "capabilityDelegation"};

static void check_canonical(const json_t *doc, size_t n)
{
    did_json_limits lim = did_json_limits_default();

    for (size_t i = 0; i <= n; i++) {
        did_buf pc, d;
        did_err err;
        json_t *a = NULL, *b = NULL;
        int rc;

        did_buf_init(&pc);
        did_buf_init(&d);
        rc = did_di_canonicalize(doc, i, &pc, &d, &err);
        if (i == n && rc == DID_OK)
            abort(); /* one past the last proof */
        if (rc == DID_OK) {
            lim.max_bytes = pc.len > d.len ? pc.len : d.len;
            if (did_json_parse(pc.data, pc.len, &lim, &a, &err) != DID_OK ||
                did_json_parse(d.data, d.len, &lim, &b, &err) != DID_OK)
                abort();
            if (json_object_get(a, "proofValue") != NULL)
                abort();
        } else if (rc != DID_ERR_DI_PROOF && rc != DID_ERR_DI_CONTEXT && rc != DID_ERR_LIMIT &&
                   rc != DID_ERR_NOMEM && rc != DID_ERR_JSON_TYPE) {
            abort();
        }
        json_decref(a);
        json_decref(b);
        did_buf_clear(&pc);
        did_buf_clear(&d);
    }
}

static void check_verify(const did_ctx *ctx, const json_t *doc, const did_di_verify_opts *o,
                         size_t expect_ok_index)
{
    did_result r;
    did_di_verified v;
    did_err err;
    int rc;

    did_result_init(&r);
    did_di_verified_init(&v);
    rc = did_di_verify(ctx, doc, o, &r, &v, &err);
    if ((rc == DID_OK) != (did_result_verified(&r) == 1))
        abort();
    if (rc != DID_OK && (err.code != rc || (r.n_errors == 0 && !r.dropped_error) ||
                         (r.n_errors > 0 && r.errors[0].code != rc)))
        abort();
    if (v.n_proofs > DID_DI_MAX_PROOFS)
        abort();
    for (size_t i = 0; i < v.n_proofs; i++) {
        const did_di_proof_info *p = &v.proofs[i];
        if (p->code != DID_OK)
            continue;
        if (p->key == NULL || p->verification_method == NULL)
            abort();
        ck_key_type t = ck_key_get_type(p->key);
        if (p->suite == DID_DI_EDDSA_JCS_2022 ? t != CK_KEY_ED25519
                                              : (t != CK_KEY_P256 && t != CK_KEY_P384))
            abort();
    }
    if (rc == DID_OK && v.n_proofs == 0)
        abort();
    if (expect_ok_index != SIZE_MAX &&
        (expect_ok_index >= v.n_proofs || v.proofs[expect_ok_index].code != DID_OK))
        abort();
    if (v.n_proofs > 0)
        check_canonical(doc, v.n_proofs);
    did_di_verified_clear(&v);
    did_result_clear(&r);
}

static void sign_and_check(const did_ctx *ctx, const json_t *doc, const did_di_verify_opts *o)
{
    static const uint8_t seed[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                     12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                     23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    ck_key *key = NULL;
    did_buf vm;
    did_buf mk;
    json_t *signed_doc = NULL;
    const json_t *proofs;
    did_di_sign_opts so = {.suite = DID_DI_EDDSA_JCS_2022, .created = FUZZ_NOW - 60};
    did_di_verify_opts vo = *o;
    did_err err;

    did_buf_init(&vm);
    did_buf_init(&mk);
    if (ck_key_import_private(CK_KEY_ED25519, seed, sizeof seed, &key, NULL) != CK_OK ||
        did_key_from_key(key, &vm, &err) != DID_OK ||
        did_multikey_encode(key, &mk, &err) != DID_OK ||
        did_buf_printf(&vm, "#%s", (const char *)mk.data) != DID_OK)
        abort();
    so.verification_method = (const char *)vm.data;
    so.proof_purpose = o->proof_purpose;
    so.challenge = o->challenge;
    so.domain = o->domain;
    vo.suites = 0;
    if (did_di_sign(key, doc, &so, &signed_doc, &err) == DID_OK) {
        proofs = json_object_get(signed_doc, "proof");
        check_verify(ctx, signed_doc, &vo, json_is_array(proofs) ? json_array_size(proofs) - 1 : 0);
    }
    json_decref(signed_doc);
    ck_key_free(key);
    did_buf_clear(&vm);
    did_buf_clear(&mk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_json_limits lim = did_json_limits_default();
    did_di_verify_opts o = {.now = FUZZ_NOW};
    did_ctx *ctx = NULL;
    json_t *doc = NULL;
    did_err err;
    uint8_t mode;

    if (size == 0)
        return 0;
    mode = data[0];
    o.proof_purpose = purposes[mode & 3];
    o.challenge = (mode & 4) != 0 ? "c" : NULL;
    o.domain = (mode & 8) != 0 ? "d" : NULL;
    o.suites = (mode & 16) != 0 ? DID_DI_ALLOW_ECDSA_JCS_2019 : 0;
    o.skew = (mode & 32) != 0 ? 86400 : 0;
    lim.max_bytes = 65536;
    lim.max_depth = 16;
    if (did_json_parse(data + 1, size - 1, &lim, &doc, &err) != DID_OK)
        return 0;
    if (did_ctx_new(&ctx, &err) != DID_OK)
        abort();
    check_verify(ctx, doc, &o, SIZE_MAX);
    if ((mode & 64) != 0)
        sign_and_check(ctx, doc, &o);
    did_ctx_free(ctx);
    json_decref(doc);
    return 0;
}
