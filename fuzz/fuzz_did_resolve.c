/*
 * fuzz_did_resolve.c -- DID resolution (did:key, did:jwk) and DID document handling.
 *
 * The first byte picks the mode:
 *   even: the rest is a DID / DID URL: did_resolve, did_resolution_result, did_resolve_key;
 *         bit 1 turns on did:key encryption-key derivation, bits 2.. pick the relationship.
 *   odd:  the rest is a JSON DID document: did_doc_check against its own id, then
 *         did_doc_find_vm and did_vm_key for every method id it mentions.
 * Invariants (abort on violation): a resolved document passes did_doc_check again; the
 * resolution result's error member agrees with the return code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/json.h>

#include "../libdid/src/did_key_internal.h"

static void run_did(const char *s, size_t n, uint8_t mode)
{
    static const did_key_opts derive = {1};
    did_ctx *ctx = NULL;
    json_t *doc = NULL, *res = NULL, *vm = NULL;
    ck_key *key = NULL;
    did_err err;
    int rc, rc2;
    did_relationship rel = (did_relationship)((mode >> 2) % 6);

    if (did_ctx_new(&ctx, &err) != DID_OK)
        abort();
    if ((mode & 2) != 0 &&
        did_ctx_register_method(ctx, "key", did_key_resolve, (void *)&derive, &err) != DID_OK)
        abort();

    rc = did_resolve(ctx, s, n, &doc, &err);
    if (rc == DID_OK) {
        if (doc == NULL || did_doc_check(doc, s, n, &err) != DID_OK)
            abort();
    } else if (doc != NULL) {
        abort();
    }

    rc2 = did_resolution_result(ctx, s, n, &res, &err);
    if (rc2 != rc || res == NULL)
        abort();
    {
        const json_t *meta = json_object_get(res, "didResolutionMetadata");
        int has_error = json_object_get(meta, "error") != NULL;
        if (has_error != (rc != DID_OK))
            abort();
    }

    rc = did_resolve_key(ctx, s, n, rel, &key, &vm, &err);
    if ((rc == DID_OK) != (key != NULL && vm != NULL))
        abort();

    ck_key_free(key);
    json_decref(vm);
    json_decref(res);
    json_decref(doc);
    did_ctx_free(ctx);
}

static void try_vm(const json_t *doc, const char *id, size_t id_len)
{
    for (int r = 0; r < 6; r++) {
        const json_t *vm = NULL;
        ck_key *key = NULL;
        did_err err;

        if (did_doc_find_vm(doc, id, id_len, (did_relationship)r, &vm, &err) != DID_OK) {
            if (vm != NULL)
                abort();
            continue;
        }
        if (vm == NULL)
            abort();
        if (did_vm_key(vm, &key, &err) == DID_OK) {
            if (key == NULL || ck_key_has_private(key))
                abort();
        }
        ck_key_free(key);
    }
}

static void run_doc(const uint8_t *p, size_t n)
{
    did_json_limits lim = did_json_limits_default();
    json_t *doc = NULL;
    const json_t *id;
    did_err err;
    static const char *const arrays[] = {"verificationMethod",   "authentication",
                                         "assertionMethod",      "keyAgreement",
                                         "capabilityInvocation", "capabilityDelegation"};

    lim.max_bytes = 65536;
    lim.max_depth = 16;
    if (did_json_parse(p, n, &lim, &doc, &err) != DID_OK)
        return;
    id = json_object_get(doc, "id");
    if (json_is_string(id))
        (void)did_doc_check(doc, json_string_value(id), json_string_length(id), &err);
    (void)did_doc_check(doc, "did:example:123", 15, &err);
    for (size_t a = 0; a < sizeof(arrays) / sizeof(arrays[0]); a++) {
        const json_t *arr = json_object_get(doc, arrays[a]);
        for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr) && i < 70; i++) {
            const json_t *el = json_array_get(arr, i);
            const json_t *ref = json_is_object(el) ? json_object_get(el, "id") : el;
            ck_key *key = NULL;
            if (json_is_string(ref))
                try_vm(doc, json_string_value(ref), json_string_length(ref));
            if (json_is_object(el) && did_vm_key(el, &key, &err) == DID_OK && key == NULL)
                abort();
            ck_key_free(key);
        }
    }
    try_vm(doc, "#key-1", 6);
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0)
        run_did((const char *)data + 1, size - 1, data[0]);
    else
        run_doc(data + 1, size - 1);
    return 0;
}
