/*
 * di_canon.c -- Data Integrity transformation, proof configuration and hashing for the JCS
 * cryptosuites (eddsa-jcs-2022 and ecdsa-jcs-2019, sections 3.3.3-3.3.5 of both
 * Recommendations), and the proof-set / proof-chain document of Data Integrity 4.3 / 4.5.
 *
 * Nothing here deep-copies the document: the document a proof is computed over is a shallow
 * copy (the members are shared references) with "proof" removed or replaced.
 */
#include <string.h>

#include <did/di.h>
#include <did/json.h>

#include "di_internal.h"

static const struct {
    did_di_suite suite;
    const char *name;
    const char *format;
} suites[] = {
    {DID_DI_EDDSA_JCS_2022, "eddsa-jcs-2022", "di-eddsa-jcs-2022"},
    {DID_DI_ECDSA_JCS_2019, "ecdsa-jcs-2019", "di-ecdsa-jcs-2019"},
};
#define N_SUITES (sizeof suites / sizeof suites[0])

/* Longest untrusted name echoed into a message. */
#define SHOWN_MAX 40

const char *did_di_suite_name(did_di_suite suite)
{
    for (size_t i = 0; i < N_SUITES; i++)
        if (suites[i].suite == suite)
            return suites[i].name;
    return NULL;
}

const char *did_di_format_name(did_di_suite suite)
{
    for (size_t i = 0; i < N_SUITES; i++)
        if (suites[i].suite == suite)
            return suites[i].format;
    return NULL;
}

/* An untrusted string is shown in a message only when it is short printable ASCII. */
static int printable(const char *s, size_t n)
{
    if (n > SHOWN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '"')
            return 0;
    return 1;
}

int did_di_suite_from_name(const char *name, size_t len, did_di_suite *out, did_err *err)
{
    if (name == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_di_suite_from_name: NULL argument");
    for (size_t i = 0; i < N_SUITES; i++) {
        if (strlen(suites[i].name) == len && memcmp(suites[i].name, name, len) == 0) {
            *out = suites[i].suite;
            return DID_OK;
        }
    }
    if (printable(name, len))
        return did_err_set(err, DID_ERR_DI_CRYPTOSUITE, "unknown cryptosuite \"%.*s\"", (int)len,
                           name);
    return did_err_set(err, DID_ERR_DI_CRYPTOSUITE, "unknown cryptosuite");
}

int di_proof_list(const json_t *secured, const json_t *list[DID_DI_MAX_PROOFS], size_t *n,
                  did_err *err)
{
    const json_t *proof = json_object_get(secured, "proof");

    *n = 0;
    if (proof == NULL)
        return did_err_set(err, DID_ERR_DI_PROOF, "the document has no \"proof\"");
    if (json_is_object(proof)) {
        list[0] = proof;
        *n = 1;
        return DID_OK;
    }
    if (!json_is_array(proof))
        return did_err_set(err, DID_ERR_DI_PROOF, "\"proof\" is neither an object nor a list");
    if (json_array_size(proof) == 0)
        return did_err_set(err, DID_ERR_DI_PROOF, "\"proof\" is an empty list");
    if (json_array_size(proof) > DID_DI_MAX_PROOFS)
        return did_err_set(err, DID_ERR_LIMIT, "\"proof\" lists %zu proofs, more than %d",
                           json_array_size(proof), DID_DI_MAX_PROOFS);
    for (size_t i = 0; i < json_array_size(proof); i++) {
        const json_t *p = json_array_get(proof, i);
        if (!json_is_object(p)) {
            *n = 0;
            return did_err_set(err, DID_ERR_DI_PROOF, "proof[%zu] is not an object", i);
        }
        list[i] = p;
    }
    *n = json_array_size(proof);
    return DID_OK;
}

int di_check_previous(const json_t *proof, did_err *err)
{
    const json_t *prev = json_object_get(proof, "previousProof");

    if (prev == NULL || json_is_string(prev))
        return DID_OK;
    if (!json_is_array(prev) || json_array_size(prev) == 0)
        return did_err_set(err, DID_ERR_DI_PROOF,
                           "previousProof: not a string or a non-empty list of strings");
    if (json_array_size(prev) > DID_DI_MAX_PROOFS)
        return did_err_set(err, DID_ERR_LIMIT, "previousProof: %zu ids, more than %d",
                           json_array_size(prev), DID_DI_MAX_PROOFS);
    for (size_t i = 0; i < json_array_size(prev); i++)
        if (!json_is_string(json_array_get(prev, i)))
            return did_err_set(err, DID_ERR_DI_PROOF, "previousProof[%zu]: not a string", i);
    return DID_OK;
}

/* 1 when the proof's "id" is the string s. */
static int id_is(const json_t *proof, const json_t *s)
{
    const json_t *id = json_object_get(proof, "id");
    return json_is_string(id) && json_string_length(id) == json_string_length(s) &&
           memcmp(json_string_value(id), json_string_value(s), json_string_length(s)) == 0;
}

/* Data Integrity 4.3 steps 4-6 / 4.5 step 3.2: the proofs a proof chains to, in their order in
 * all[], every previousProof id matching at least one. */
static int matching_proofs(const json_t *proof, const json_t *const *all, size_t n_all,
                           json_t **out, did_err *err)
{
    const json_t *prev = json_object_get(proof, "previousProof");
    size_t n_prev = json_is_array(prev) ? json_array_size(prev) : 1;
    json_t *list;
    int rc = di_check_previous(proof, err);

    *out = NULL;
    if (rc != DID_OK)
        return rc;
    for (size_t k = 0; k < n_prev; k++) {
        const json_t *want = json_is_array(prev) ? json_array_get(prev, k) : prev;
        size_t j = 0;
        while (j < n_all && !id_is(all[j], want))
            j++;
        if (j == n_all) {
            if (printable(json_string_value(want), json_string_length(want)))
                return did_err_set(err, DID_ERR_DI_PROOF,
                                   "previousProof \"%s\": no proof has that id",
                                   json_string_value(want));
            return did_err_set(err, DID_ERR_DI_PROOF, "previousProof[%zu]: no proof has that id",
                               k);
        }
    }
    list = json_array();
    if (list == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < n_all; j++) {
        int hit = 0;
        for (size_t k = 0; k < n_prev && !hit; k++)
            hit = id_is(all[j], json_is_array(prev) ? json_array_get(prev, k) : prev);
        if (hit && json_array_append(list, (json_t *)all[j]) != 0) {
            json_decref(list);
            return did_err_set(err, DID_ERR_NOMEM, "out of memory");
        }
    }
    *out = list;
    return DID_OK;
}

/* Cryptosuite "Verify Proof" step 4.1: the document's @context starts with every value of the
 * proof's @context, in the same order (a single value counts as a list of one). */
static int context_prefix(const json_t *doc_ctx, const json_t *proof_ctx, did_err *err)
{
    size_t nd, np;

    if (doc_ctx == NULL)
        return did_err_set(err, DID_ERR_DI_CONTEXT,
                           "the proof has an @context but the document has none");
    nd = json_is_array(doc_ctx) ? json_array_size(doc_ctx) : 1;
    np = json_is_array(proof_ctx) ? json_array_size(proof_ctx) : 1;
    if (np > nd)
        return did_err_set(err, DID_ERR_DI_CONTEXT,
                           "the proof's @context has %zu values, the document's only %zu", np, nd);
    for (size_t i = 0; i < np; i++) {
        const json_t *d = json_is_array(doc_ctx) ? json_array_get(doc_ctx, i) : doc_ctx;
        const json_t *p = json_is_array(proof_ctx) ? json_array_get(proof_ctx, i) : proof_ctx;
        if (!json_equal(d, p))
            return did_err_set(err, DID_ERR_DI_CONTEXT,
                               "@context value %zu of the proof differs from the document's", i);
    }
    return DID_OK;
}

int di_unsecured(const json_t *document, const json_t *proof, const json_t *const *all,
                 size_t n_all, json_t **out, did_err *err)
{
    const json_t *proof_ctx = json_object_get(proof, "@context");
    json_t *doc, *chained = NULL;
    int rc;

    *out = NULL;
    if (proof_ctx != NULL) {
        rc = context_prefix(json_object_get(document, "@context"), proof_ctx, err);
        if (rc != DID_OK)
            return rc;
    }
    if (json_object_get(proof, "previousProof") != NULL) {
        rc = matching_proofs(proof, all, n_all, &chained, err);
        if (rc != DID_OK)
            return rc;
    }
    /* json_copy of an object is shallow: a new table of shared references. */
    doc = json_copy((json_t *)document);
    if (doc == NULL) {
        json_decref(chained);
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    }
    (void)json_object_del(doc, "proof");
    if ((chained != NULL && json_object_set_new(doc, "proof", chained) != 0) ||
        (proof_ctx != NULL && json_object_set(doc, "@context", (json_t *)proof_ctx) != 0)) {
        json_decref(doc);
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    }
    *out = doc;
    return DID_OK;
}

int di_canonical_pair(const json_t *proof_config, const json_t *unsecured, did_buf *pc,
                      did_buf *doc, did_err *err)
{
    json_t *cfg = NULL;
    int rc;

    if (json_object_get(proof_config, "proofValue") != NULL) {
        cfg = json_copy((json_t *)proof_config);
        if (cfg == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "out of memory");
        (void)json_object_del(cfg, "proofValue");
    }
    rc = did_jcs_write(cfg != NULL ? cfg : proof_config, pc, err);
    if (rc != DID_OK)
        did_err_prefix(err, "proof configuration");
    json_decref(cfg);
    if (rc != DID_OK)
        return rc;
    rc = did_jcs_write(unsecured, doc, err);
    if (rc != DID_OK)
        did_err_prefix(err, "document");
    return rc;
}

int did_di_canonicalize(const json_t *secured, size_t index, did_buf *proof_config,
                        did_buf *document, did_err *err)
{
    const json_t *list[DID_DI_MAX_PROOFS];
    size_t n = 0;
    json_t *unsecured = NULL;
    int rc;

    if (secured == NULL || proof_config == NULL || document == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_di_canonicalize: NULL argument");
    if (!json_is_object(secured))
        return did_err_set(err, DID_ERR_JSON_TYPE, "the secured document is not an object");
    rc = di_proof_list(secured, list, &n, err);
    if (rc != DID_OK)
        return rc;
    if (index >= n)
        return did_err_set(err, DID_ERR_DI_PROOF, "no proof[%zu]: the document has %zu", index, n);
    rc = di_unsecured(secured, list[index], list, n, &unsecured, err);
    if (rc == DID_OK)
        rc = di_canonical_pair(list[index], unsecured, proof_config, document, err);
    json_decref(unsecured);
    return rc;
}

int did_di_hash_data(ck_hash_alg alg, const uint8_t *proof_config, size_t proof_config_len,
                     const uint8_t *document, size_t document_len,
                     uint8_t out[DID_DI_HASH_DATA_MAX], size_t *out_len, did_err *err)
{
    size_t hl = ck_hash_len(alg);
    ck_err ce;

    if (out == NULL || out_len == NULL || (proof_config == NULL && proof_config_len != 0) ||
        (document == NULL && document_len != 0))
        return did_err_set(err, DID_ERR_ARG, "did_di_hash_data: NULL argument");
    *out_len = 0;
    if (hl == 0)
        return did_err_set(err, DID_ERR_ARG, "did_di_hash_data: unknown hash %d", (int)alg);
    ck_err_clear(&ce);
    /* proofConfigHash first, then transformedDocumentHash (section 3.3.4 of both suites). */
    if (ck_hash(alg, proof_config, proof_config_len, out, &ce) != CK_OK ||
        ck_hash(alg, document, document_len, out + hl, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    *out_len = 2 * hl;
    return DID_OK;
}
