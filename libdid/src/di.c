/*
 * di.c -- Data Integrity proofs (W3C VC Data Integrity 1.0) with eddsa-jcs-2022 and
 * ecdsa-jcs-2019: adding a proof (4.2, 4.3) and verifying a proof, set or chain (4.4, 4.5).
 * spec/data-integrity.md lists the checks in the order this file makes them and the code each
 * one fails with; the transformation and hashing live in di_canon.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/di.h>
#include <did/json.h>
#include <did/time.h>

#include "codec_internal.h"
#include "di_internal.h"

#define DI_TYPE "DataIntegrityProof"
#define DI_DEFAULT_PURPOSE "assertionMethod"
/* Room for a decoded proofValue: the longest signature (P-384, 96 bytes) and then some, so
 * that a too-long value is told apart from an undecodable one. */
#define DI_SIG_CAP 128
/* Initial capacities of the canonical proof configuration and document buffers. */
#define DI_PC_RESERVE 1024
#define DI_DOC_RESERVE 4096

static int str_is(const json_t *v, const char *s)
{
    size_t n = strlen(s);
    return json_is_string(v) && json_string_length(v) == n &&
           memcmp(json_string_value(v), s, n) == 0;
}

static unsigned suite_bit(did_di_suite suite)
{
    return suite == DID_DI_EDDSA_JCS_2022   ? DID_DI_ALLOW_EDDSA_JCS_2022
           : suite == DID_DI_ECDSA_JCS_2019 ? DID_DI_ALLOW_ECDSA_JCS_2019
                                            : 0u;
}

/* The key types a suite signs with: Ed25519 for eddsa-jcs-2022, P-256 and P-384 for
 * ecdsa-jcs-2019. */
static int key_fits(did_di_suite suite, ck_key_type t)
{
    if (suite == DID_DI_EDDSA_JCS_2022)
        return t == CK_KEY_ED25519;
    if (suite == DID_DI_ECDSA_JCS_2019)
        return t == CK_KEY_P256 || t == CK_KEY_P384;
    return 0;
}

/* SHA-384 for P-384 (ECDSA section 3.3.4), SHA-256 otherwise. */
static ck_hash_alg key_hash(ck_key_type t)
{
    return t == CK_KEY_P384 ? CK_SHA384 : CK_SHA256;
}

static size_t key_sig_len(ck_key_type t)
{
    return t == CK_KEY_P384 ? 96 : 64;
}

/* Key type names as the cryptosuite specifications write them, for messages. */
static const char *key_name(ck_key_type t)
{
    switch (t) {
    case CK_KEY_ED25519:
        return "Ed25519";
    case CK_KEY_P256:
        return "P-256";
    case CK_KEY_P384:
        return "P-384";
    case CK_KEY_SECP256K1:
        return "secp256k1";
    case CK_KEY_X25519:
        return "X25519";
    }
    return "unknown";
}

/* ---------------------------------------------------------------------------------------------
 * Signing.
 */

/* Sets obj.name to the string s, refusing text that is not UTF-8 (jansson's json_string). */
static int set_str(json_t *obj, const char *name, const char *s, did_err *err)
{
    json_t *v = json_string(s);
    if (v == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_di_sign: %s is not UTF-8 text", name);
    if (json_object_set_new(obj, name, v) != 0)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    return DID_OK;
}

static int set_date(json_t *obj, const char *name, int64_t t, did_err *err)
{
    char buf[DID_DATETIME_BUF];
    int rc = did_datetime_format(t, buf, err);
    if (rc != DID_OK) {
        did_err_prefix(err, name);
        return rc;
    }
    return set_str(obj, name, buf, err);
}

static int check_sign_opts(const ck_key *key, const json_t *document, const did_di_sign_opts *o,
                           json_t **secured, did_err *err)
{
    did_relationship rel;

    if (key == NULL || document == NULL || o == NULL || secured == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_di_sign: NULL argument");
    if (!json_is_object(document))
        return did_err_set(err, DID_ERR_ARG, "did_di_sign: the document is not a JSON object");
    if (did_di_suite_name(o->suite) == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_di_sign: unknown cryptosuite %d", (int)o->suite);
    if (o->verification_method == NULL || o->verification_method[0] == '\0')
        return did_err_set(err, DID_ERR_ARG, "did_di_sign: no verification method");
    if (!key_fits(o->suite, ck_key_get_type(key)))
        return did_err_set(err, DID_ERR_DI_KEY, "a %s key cannot sign %s",
                           key_name(ck_key_get_type(key)), did_di_suite_name(o->suite));
    if (!ck_key_has_private(key))
        return did_err_set(err, CK_ERR_KEY_NO_PRIVATE, "did_di_sign: the key has no private half");
    if (o->proof_purpose != NULL &&
        did_relationship_from_name(o->proof_purpose, strlen(o->proof_purpose), &rel, NULL) !=
            DID_OK)
        return did_err_set(err, DID_ERR_DI_PURPOSE,
                           "did_di_sign: proof purpose is not a verification relationship");
    if (o->n_previous_proofs > DID_DI_MAX_PROOFS)
        return did_err_set(err, DID_ERR_LIMIT, "did_di_sign: %zu previous proofs, more than %d",
                           o->n_previous_proofs, DID_DI_MAX_PROOFS);
    if (o->n_previous_proofs > 0 && o->previous_proofs == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_di_sign: previous_proofs is NULL");
    for (size_t i = 0; i < o->n_previous_proofs; i++)
        if (o->previous_proofs[i] == NULL)
            return did_err_set(err, DID_ERR_ARG, "did_di_sign: previous_proofs[%zu] is NULL", i);
    return DID_OK;
}

/* The proof options as a proof without proofValue, members in the specifications' order. */
static int build_proof(const json_t *document, const did_di_sign_opts *o, json_t **out,
                       did_err *err)
{
    json_t *p = json_object();
    const json_t *ctx = json_object_get(document, "@context");
    int64_t created = 0;
    int rc;

    *out = NULL;
    if (p == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    rc = set_str(p, "type", DI_TYPE, err);
    if (rc == DID_OK && o->id != NULL)
        rc = set_str(p, "id", o->id, err);
    if (rc == DID_OK)
        rc = set_str(p, "cryptosuite", did_di_suite_name(o->suite), err);
    if (rc == DID_OK && !o->no_created) {
        created = o->created != 0 ? o->created : did_time_now();
        rc = set_date(p, "created", created, err);
    }
    if (rc == DID_OK && o->expires != 0) {
        if (!o->no_created && o->expires <= created)
            rc = did_err_set(err, DID_ERR_ARG, "did_di_sign: expires is not after created");
        else
            rc = set_date(p, "expires", o->expires, err);
    }
    if (rc == DID_OK)
        rc = set_str(p, "verificationMethod", o->verification_method, err);
    if (rc == DID_OK)
        rc = set_str(p, "proofPurpose",
                     o->proof_purpose != NULL ? o->proof_purpose : DI_DEFAULT_PURPOSE, err);
    if (rc == DID_OK && o->challenge != NULL)
        rc = set_str(p, "challenge", o->challenge, err);
    if (rc == DID_OK && o->domain != NULL)
        rc = set_str(p, "domain", o->domain, err);
    if (rc == DID_OK && o->nonce != NULL)
        rc = set_str(p, "nonce", o->nonce, err);
    if (rc == DID_OK && o->n_previous_proofs == 1) {
        rc = set_str(p, "previousProof", o->previous_proofs[0], err);
    } else if (rc == DID_OK && o->n_previous_proofs > 1) {
        json_t *list = json_array();
        if (list == NULL || json_object_set_new(p, "previousProof", list) != 0)
            rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        for (size_t i = 0; rc == DID_OK && i < o->n_previous_proofs; i++) {
            json_t *s = json_string(o->previous_proofs[i]);
            if (s == NULL)
                rc = did_err_set(err, DID_ERR_ARG, "did_di_sign: previous_proofs[%zu] is not UTF-8",
                                 i);
            else if (json_array_append_new(list, s) != 0)
                rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        }
    }
    /* Create Proof step 2 of both suites: the proof carries the document's @context. */
    /* A copy: the signed document must share nothing with the caller's. */
    if (rc == DID_OK && ctx != NULL && json_object_set_new(p, "@context", json_deep_copy(ctx)) != 0)
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
    if (rc != DID_OK) {
        json_decref(p);
        return rc;
    }
    *out = p;
    return DID_OK;
}

/* Signs hashData of proof over document and stores proofValue in proof. */
static int sign_proof(const ck_key *key, const json_t *document, json_t *proof,
                      const json_t *const *existing, size_t n_existing, did_err *err)
{
    json_t *unsecured = NULL;
    did_buf pc, doc, pv;
    uint8_t hash[DID_DI_HASH_DATA_MAX], sig[CK_SIG_MAX_LEN];
    size_t hash_len = 0, sig_len = 0;
    ck_err ce;
    int rc;

    did_buf_init(&pc);
    did_buf_init(&doc);
    did_buf_init(&pv);
    (void)did_buf_reserve(&pc, DI_PC_RESERVE);
    (void)did_buf_reserve(&doc, DI_DOC_RESERVE);
    rc = di_unsecured(document, proof, existing, n_existing, &unsecured, err);
    if (rc == DID_OK)
        rc = di_canonical_pair(proof, unsecured, &pc, &doc, err);
    if (rc == DID_OK)
        rc = did_di_hash_data(key_hash(ck_key_get_type(key)), pc.data, pc.len, doc.data, doc.len,
                              hash, &hash_len, err);
    if (rc == DID_OK) {
        ck_err_clear(&ce);
        if (ck_sign(key, hash, hash_len, sig, sizeof sig, &sig_len, &ce) != CK_OK)
            rc = did_err_from_ck(err, &ce);
    }
    if (rc == DID_OK)
        rc = did_multibase_encode(DID_MULTIBASE_BASE58BTC, sig, sig_len, &pv, err);
    if (rc == DID_OK)
        rc = set_str(proof, "proofValue", (const char *)pv.data, err);
    json_decref(unsecured);
    did_buf_clear(&pc);
    did_buf_clear(&doc);
    did_buf_clear(&pv);
    return rc;
}

int did_di_sign(const ck_key *key, const json_t *document, const did_di_sign_opts *opts,
                json_t **secured, did_err *err)
{
    const json_t *existing[DID_DI_MAX_PROOFS];
    size_t n_existing = 0;
    json_t *proof = NULL, *out = NULL, *old;
    int rc;

    if (secured != NULL)
        *secured = NULL;
    rc = check_sign_opts(key, document, opts, secured, err);
    if (rc != DID_OK)
        return rc;
    if (json_object_get(document, "proof") != NULL) {
        rc = di_proof_list(document, existing, &n_existing, err);
        if (rc != DID_OK)
            return rc;
        if (n_existing == DID_DI_MAX_PROOFS)
            return did_err_set(err, DID_ERR_LIMIT,
                               "the document has %d proofs already, the most a set may have",
                               DID_DI_MAX_PROOFS);
    }
    rc = build_proof(document, opts, &proof, err);
    if (rc == DID_OK)
        rc = sign_proof(key, document, proof, existing, n_existing, err);
    if (rc != DID_OK)
        goto out;

    out = json_deep_copy(document);
    if (out == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    old = json_object_get(out, "proof");
    if (old == NULL) {
        rc = json_object_set(out, "proof", proof);
    } else if (json_is_array(old)) {
        rc = json_array_append(old, proof);
    } else {
        json_t *set = json_array();
        if (set == NULL || json_array_append(set, old) != 0 || json_array_append(set, proof) != 0) {
            json_decref(set);
            rc = -1;
        } else {
            rc = json_object_set_new(out, "proof", set); /* takes set, even on failure */
        }
    }
    if (rc != 0) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    *secured = out;
    out = NULL;
    rc = DID_OK;
out:
    json_decref(proof);
    json_decref(out);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Verification.
 */
typedef struct vstate {
    const did_ctx *ctx;
    const json_t *secured;
    const json_t *list[DID_DI_MAX_PROOFS];
    size_t n;
    const did_di_verify_opts *opts;
    const char *purpose;
    did_relationship rel;
    int64_t lo, hi; /* now - skew and now + skew, saturated */
    did_result *r;
    did_err *err;   /* the caller's: receives the first failure */
    int first;      /* its code, DID_OK until something fails */
    char label[24]; /* "proof" or "proof[i]", for messages */
    int want_info;  /* the caller asked for did_di_verified */
    did_buf pc, doc;
} vstate;

/* Records a failure of the current proof: in r under check, in info (its first), and as the
 * call's result if it is the first. e carries code and message; the label is prefixed. */
static int record(vstate *s, did_di_proof_info *info, const char *check, did_err *e)
{
    if (e->code == DID_OK)
        e->code = DID_ERR_INTERNAL;
    did_err_prefix(e, s->label);
    if (s->r != NULL)
        (void)did_result_fail(s->r, check, e);
    if (info->code == DID_OK)
        info->code = e->code;
    if (s->first == DID_OK) {
        s->first = e->code;
        if (s->err != NULL)
            *s->err = *e;
    }
    return e->code;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int
fail(vstate *s, did_di_proof_info *info, const char *check, int code, const char *fmt, ...)
{
    did_err e;
    va_list ap;

    e.code = code;
    va_start(ap, fmt);
    (void)vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    return record(s, info, check, &e);
}

static void check_ran(vstate *s, const char *check)
{
    if (s->r != NULL)
        did_result_check(s->r, check);
}

/* created / expires: a dateTimeStamp; created not after now + skew, expires after
 * now - skew. */
static void check_dates(vstate *s, const json_t *p, did_di_proof_info *info)
{
    static const char *const names[2] = {"created", "expires"};

    check_ran(s, DID_CHECK_CREATED);
    for (int k = 0; k < 2; k++) {
        const json_t *v = json_object_get(p, names[k]);
        int64_t t = 0;
        did_err e;

        if (v == NULL)
            continue;
        if (!json_is_string(v)) {
            (void)fail(s, info, DID_CHECK_CREATED, DID_ERR_DI_CREATED, "%s: not a string",
                       names[k]);
            continue;
        }
        did_err_clear(&e);
        if (did_datetime_parse(json_string_value(v), json_string_length(v), &t, &e) != DID_OK) {
            (void)fail(s, info, DID_CHECK_CREATED, DID_ERR_DI_CREATED, "%s: %s", names[k], e.msg);
            continue;
        }
        if (k == 0) {
            info->has_created = 1;
            info->created = t;
            if (t > s->hi)
                (void)fail(s, info, DID_CHECK_CREATED, DID_ERR_DI_CREATED,
                           "created is in the future (beyond %lld s of clock skew)",
                           (long long)s->opts->skew);
        } else {
            info->has_expires = 1;
            info->expires = t;
            if (t <= s->lo)
                (void)fail(s, info, DID_CHECK_CREATED, DID_ERR_DI_CREATED,
                           "the proof expired (expires <= now - %lld s of clock skew)",
                           (long long)s->opts->skew);
        }
    }
}

/* domain: a string or a non-empty list of strings; when a domain is expected, the proof's set
 * of domains must be exactly {expected} (Data Integrity 4.4 step 5). */
static void check_domain(vstate *s, const json_t *p, did_di_proof_info *info)
{
    const json_t *d = json_object_get(p, "domain");
    const char *want = s->opts->domain;
    int well_formed = d == NULL || json_is_string(d), matches;

    if (json_is_array(d) && json_array_size(d) > 0) {
        well_formed = 1;
        for (size_t i = 0; i < json_array_size(d); i++)
            if (!json_is_string(json_array_get(d, i)))
                well_formed = 0;
    }
    if (want != NULL)
        check_ran(s, DID_CHECK_DOMAIN);
    if (!well_formed) {
        (void)fail(s, info, DID_CHECK_DOMAIN, DID_ERR_DI_DOMAIN,
                   "domain: not a string or a non-empty list of strings");
        return;
    }
    if (want == NULL)
        return;
    if (d == NULL) {
        (void)fail(s, info, DID_CHECK_DOMAIN, DID_ERR_DI_DOMAIN, "no domain, and one is expected");
        return;
    }
    matches = 1;
    for (size_t i = 0; i < (json_is_array(d) ? json_array_size(d) : 1); i++)
        if (!str_is(json_is_array(d) ? json_array_get(d, i) : d, want))
            matches = 0;
    if (!matches)
        (void)fail(s, info, DID_CHECK_DOMAIN, DID_ERR_DI_DOMAIN, "domain is not the expected one");
}

static void check_challenge(vstate *s, const json_t *p, did_di_proof_info *info)
{
    const json_t *c = json_object_get(p, "challenge");
    const char *want = s->opts->challenge;

    if (want != NULL)
        check_ran(s, DID_CHECK_CHALLENGE);
    if (c != NULL && !json_is_string(c)) {
        (void)fail(s, info, DID_CHECK_CHALLENGE, DID_ERR_DI_CHALLENGE, "challenge: not a string");
        return;
    }
    if (want == NULL) {
        if (s->rel == DID_REL_AUTHENTICATION && s->r != NULL)
            did_result_warn(s->r, DID_CHECK_CHALLENGE, DID_ERR_DI_CHALLENGE,
                            "%s: authentication proof checked without an expected challenge: "
                            "nothing shows it is not a replay",
                            s->label);
        return;
    }
    if (c == NULL)
        (void)fail(s, info, DID_CHECK_CHALLENGE, DID_ERR_DI_CHALLENGE,
                   "no challenge, and one is expected");
    else if (!str_is(c, want))
        (void)fail(s, info, DID_CHECK_CHALLENGE, DID_ERR_DI_CHALLENGE,
                   "challenge is not the expected one");
}

/* proofValue: multibase base58btc ('z') of a signature of the suite's length. */
static int decode_proof_value(vstate *s, const json_t *pv, did_di_suite suite,
                              did_di_proof_info *info, uint8_t sig[DI_SIG_CAP], size_t *sig_len)
{
    const char *v = json_string_value(pv);
    size_t n = json_string_length(pv);
    did_err e;

    if (n > DID_DI_MAX_PROOF_VALUE)
        return fail(s, info, DID_CHECK_SIGNATURE, DID_ERR_DI_PROOF_VALUE,
                    "proofValue: %zu characters, more than %d", n, DID_DI_MAX_PROOF_VALUE);
    if (n == 0 || v[0] != DID_MULTIBASE_BASE58BTC)
        return fail(s, info, DID_CHECK_SIGNATURE, DID_ERR_DI_PROOF_VALUE,
                    "proofValue: not multibase base58btc (no 'z' prefix)");
    did_err_clear(&e);
    if (did_base58_decode_raw(v + 1, n - 1, 1, sig, DI_SIG_CAP, sig_len, &e) != DID_OK)
        return fail(s, info, DID_CHECK_SIGNATURE, DID_ERR_DI_PROOF_VALUE, "proofValue: %s", e.msg);
    if ((suite == DID_DI_EDDSA_JCS_2022 && *sig_len != 64) ||
        (suite == DID_DI_ECDSA_JCS_2019 && *sig_len != 64 && *sig_len != 96))
        return fail(s, info, DID_CHECK_SIGNATURE, DID_ERR_DI_PROOF_VALUE,
                    "proofValue: a %zu-byte signature, not one %s makes", *sig_len,
                    did_di_suite_name(suite));
    return DID_OK;
}

/* The structural checks: type, cryptosuite and the required members. Nothing else can be
 * checked without them. */
static int check_members(vstate *s, const json_t *p, did_di_proof_info *info, did_di_suite *suite)
{
    static const char *const required[3] = {"verificationMethod", "proofPurpose", "proofValue"};
    static const char *const strings[2] = {"id", "nonce"};
    const json_t *type = json_object_get(p, "type"), *cs = json_object_get(p, "cryptosuite");
    const json_t *vm;
    did_err e;
    did_url u;

    if (!json_is_string(type))
        return fail(s, info, DID_CHECK_PROOF, DID_ERR_DI_PROOF, "type: missing or not a string");
    if (!str_is(type, DI_TYPE))
        return fail(s, info, DID_CHECK_PROOF, DID_ERR_DI_CRYPTOSUITE,
                    "type is not \"" DI_TYPE "\"");
    if (!json_is_string(cs))
        return fail(s, info, DID_CHECK_PROOF, DID_ERR_DI_PROOF,
                    "cryptosuite: missing or not a string");
    did_err_clear(&e);
    if (did_di_suite_from_name(json_string_value(cs), json_string_length(cs), suite, &e) != DID_OK)
        return record(s, info, DID_CHECK_PROOF, &e);
    if ((suite_bit(*suite) & (s->opts->suites != 0 ? s->opts->suites : DID_DI_ALLOW_ALL)) == 0)
        return fail(s, info, DID_CHECK_PROOF, DID_ERR_DI_CRYPTOSUITE,
                    "cryptosuite %s is not allowed here", did_di_suite_name(*suite));
    info->suite = *suite;
    if (s->r != NULL && s->r->format[0] == '\0')
        did_result_set_format(s->r, did_di_format_name(*suite));
    for (size_t k = 0; k < 3; k++)
        if (!json_is_string(json_object_get(p, required[k])))
            return fail(s, info, DID_CHECK_PROOF, DID_ERR_DI_PROOF, "%s: missing or not a string",
                        required[k]);
    for (size_t k = 0; k < 2; k++) {
        const json_t *v = json_object_get(p, strings[k]);
        if (v != NULL && !json_is_string(v))
            return fail(s, info, DID_CHECK_PROOF, DID_ERR_DI_PROOF, "%s: not a string", strings[k]);
    }
    if (!s->want_info)
        return DID_OK;
    vm = json_object_get(p, "verificationMethod");
    info->verification_method = malloc(json_string_length(vm) + 1);
    if (info->verification_method == NULL)
        return fail(s, info, DID_CHECK_PROOF, DID_ERR_NOMEM, "out of memory");
    memcpy(info->verification_method, json_string_value(vm), json_string_length(vm) + 1);
    if (did_url_parse(json_string_value(vm), json_string_length(vm), &u, NULL) == DID_OK)
        info->did_len = u.did_len;
    return DID_OK;
}

/* Resolves the verification method for the expected relationship and checks that its key
 * fits the suite and the signature's length. */
static int resolve_key(vstate *s, const json_t *vm, did_di_suite suite, size_t sig_len,
                       did_di_proof_info *info)
{
    did_err e;
    ck_key_type t;
    int rc;

    did_err_clear(&e);
    if (s->opts->resolve != NULL) {
        rc = s->opts->resolve(s->opts->resolve_user, s->ctx, json_string_value(vm),
                              json_string_length(vm), s->rel, &info->key, &e);
        if (rc == DID_OK && info->key == NULL)
            rc = did_err_set(&e, DID_ERR_INTERNAL, "the key resolver returned no key");
        if (rc != DID_OK)
            e.code = rc; /* the return value is the resolver's answer */
    } else {
        rc = did_resolve_key(s->ctx, json_string_value(vm), json_string_length(vm), s->rel,
                             &info->key, NULL, &e);
    }
    if (rc != DID_OK) {
        ck_key_free(info->key); /* a resolver's key on failure is not the proof's */
        info->key = NULL;
    }
    if (rc == DID_ERR_DID_VM_RELATIONSHIP) {
        e.code = DID_ERR_DI_PURPOSE;
        return record(s, info, DID_CHECK_PURPOSE, &e);
    }
    if (rc != DID_OK) {
        did_err_prefix(&e, "verificationMethod");
        return record(s, info, DID_CHECK_SIGNATURE, &e);
    }
    t = ck_key_get_type(info->key);
    if (!key_fits(suite, t))
        return fail(s, info, DID_CHECK_SIGNATURE, DID_ERR_DI_KEY,
                    "verificationMethod is a %s key, which %s does not use", key_name(t),
                    did_di_suite_name(suite));
    if (sig_len != key_sig_len(t))
        return fail(s, info, DID_CHECK_SIGNATURE, DID_ERR_DI_PROOF_VALUE,
                    "proofValue: a %zu-byte signature for a %s key (%zu bytes expected)", sig_len,
                    key_name(t), key_sig_len(t));
    return DID_OK;
}

static void verify_one(vstate *s, size_t i, did_di_proof_info *info)
{
    const json_t *p = s->list[i];
    const json_t *purpose;
    json_t *unsecured = NULL;
    did_di_suite suite = 0;
    uint8_t sig[DI_SIG_CAP], hash[DID_DI_HASH_DATA_MAX];
    size_t sig_len = 0, hash_len = 0;
    did_err e;
    ck_err ce;

    if (s->n == 1 && json_is_object(json_object_get(s->secured, "proof")))
        snprintf(s->label, sizeof s->label, "proof");
    else
        snprintf(s->label, sizeof s->label, "proof[%zu]", i);
    check_ran(s, DID_CHECK_PROOF);
    if (check_members(s, p, info, &suite) != DID_OK)
        return;

    /* Data Integrity 4.4 steps 4-6; then the proof's dates (section 2.1). These do not stop
     * the signature check: the result names every problem of the proof. */
    check_ran(s, DID_CHECK_PURPOSE);
    purpose = json_object_get(p, "proofPurpose");
    if (!str_is(purpose, s->purpose))
        (void)fail(s, info, DID_CHECK_PURPOSE, DID_ERR_DI_PURPOSE,
                   "proofPurpose is not %s, the expected purpose", s->purpose);
    check_dates(s, p, info);
    check_domain(s, p, info);
    check_challenge(s, p, info);

    check_ran(s, DID_CHECK_SIGNATURE);
    if (decode_proof_value(s, json_object_get(p, "proofValue"), suite, info, sig, &sig_len) !=
        DID_OK)
        return;
    did_err_clear(&e);
    if (di_unsecured(s->secured, p, s->list, s->n, &unsecured, &e) != DID_OK) {
        (void)record(s, info, DID_CHECK_PROOF, &e);
        return;
    }
    if (resolve_key(s, json_object_get(p, "verificationMethod"), suite, sig_len, info) != DID_OK)
        goto out;
    did_buf_reset(&s->pc);
    did_buf_reset(&s->doc);
    if (di_canonical_pair(p, unsecured, &s->pc, &s->doc, &e) != DID_OK ||
        did_di_hash_data(key_hash(ck_key_get_type(info->key)), s->pc.data, s->pc.len, s->doc.data,
                         s->doc.len, hash, &hash_len, &e) != DID_OK) {
        (void)record(s, info, DID_CHECK_SIGNATURE, &e);
        goto out;
    }
    ck_err_clear(&ce);
    if (ck_verify(info->key, hash, hash_len, sig, sig_len, 0, &ce) != CK_OK) {
        if (ce.code == CK_ERR_SIGNATURE)
            (void)fail(s, info, DID_CHECK_SIGNATURE, DID_ERR_DI_SIGNATURE,
                       "the %s signature does not verify", did_di_suite_name(suite));
        else {
            (void)did_err_from_ck(&e, &ce);
            (void)record(s, info, DID_CHECK_SIGNATURE, &e);
        }
    }
out:
    json_decref(unsecured);
}

void did_di_verified_init(did_di_verified *v)
{
    if (v != NULL)
        memset(v, 0, sizeof *v);
}

static void info_clear(did_di_proof_info *info)
{
    free(info->verification_method);
    ck_key_free(info->key);
    memset(info, 0, sizeof *info);
}

void did_di_verified_clear(did_di_verified *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < DID_DI_MAX_PROOFS; i++)
        info_clear(&v->proofs[i]);
    v->n_proofs = 0;
}

int did_di_verify(const did_ctx *ctx, const json_t *secured, const did_di_verify_opts *opts,
                  did_result *r, did_di_verified *out, did_err *err)
{
    static const did_di_verify_opts defaults; /* assertionMethod, now, no skew, all suites */
    did_di_proof_info scratch;
    vstate s;
    int64_t now;
    did_err e;

    if (out != NULL)
        did_di_verified_clear(out);
    if (ctx == NULL || secured == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_di_verify: NULL argument");
    memset(&s, 0, sizeof s);
    s.opts = opts != NULL ? opts : &defaults;
    s.purpose = s.opts->proof_purpose != NULL ? s.opts->proof_purpose : DI_DEFAULT_PURPOSE;
    if (did_relationship_from_name(s.purpose, strlen(s.purpose), &s.rel, NULL) != DID_OK)
        return did_err_set(err, DID_ERR_ARG,
                           "did_di_verify: expected proof purpose is not a verification "
                           "relationship");
    if (s.opts->skew < 0)
        return did_err_set(err, DID_ERR_ARG, "did_di_verify: negative clock skew");
    now = s.opts->now != 0 ? s.opts->now : did_time_now();
    s.lo = now < INT64_MIN + s.opts->skew ? INT64_MIN : now - s.opts->skew;
    s.hi = now > INT64_MAX - s.opts->skew ? INT64_MAX : now + s.opts->skew;
    s.ctx = ctx;
    s.secured = secured;
    s.r = r;
    s.err = err;
    snprintf(s.label, sizeof s.label, "proof");

    did_err_clear(&e);
    if (!json_is_object(secured)) {
        e.code = DID_ERR_JSON_TYPE;
        snprintf(e.msg, sizeof e.msg, "the secured document is not a JSON object");
        if (r != NULL)
            (void)did_result_fail(r, DID_CHECK_FORMAT, &e);
        if (err != NULL)
            *err = e;
        return e.code;
    }
    if (di_proof_list(secured, s.list, &s.n, &e) != DID_OK) {
        if (r != NULL)
            (void)did_result_fail(r, DID_CHECK_PROOF, &e);
        if (err != NULL)
            *err = e;
        return e.code;
    }
    s.want_info = out != NULL;
    did_buf_init(&s.pc);
    did_buf_init(&s.doc);
    /* Typical sizes up front: growing a did_buf copies and wipes the old bytes each time. A
     * failure here only means growing later. */
    (void)did_buf_reserve(&s.pc, DI_PC_RESERVE);
    (void)did_buf_reserve(&s.doc, DI_DOC_RESERVE);
    for (size_t i = 0; i < s.n; i++) {
        did_di_proof_info *info = out != NULL ? &out->proofs[i] : &scratch;
        memset(&scratch, 0, sizeof scratch);
        verify_one(&s, i, info);
        if (out == NULL)
            info_clear(&scratch);
    }
    if (out != NULL)
        out->n_proofs = s.n;
    did_buf_clear(&s.pc);
    did_buf_clear(&s.doc);
    if (s.first == DID_OK)
        did_err_clear(err);
    return s.first;
}
