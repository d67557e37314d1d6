/*
 * did_key.c -- did:key (W3C CCG did:key method v0.9): a DID that is a Multikey,
 * expanded into a document with one Multikey verification method.
 */
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/did.h>

#include "did_key_internal.h"

int did_key_from_key(const ck_key *key, did_buf *out, did_err *err)
{
    size_t mark;
    int rc;

    if (key == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_key_from_key: NULL argument");
    mark = out->len;
    if (did_buf_append_str(out, "did:key:") != 0)
        return did_err_set(err, DID_ERR_NOMEM, "did_key_from_key: out of memory");
    rc = did_multikey_encode(key, out, err);
    if (rc != DID_OK) {
        /* Leave nothing half-written behind. */
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
    }
    return rc;
}

/* The public key a did:key method-specific id encodes: a Multikey (did:key v0.9 "Signature
 * Method Creation Algorithm": EC keys compressed). Every decoding failure, P-521 included, is an
 * invalid method-specific id here. */
static int decode_id(const char *id, size_t id_len, ck_key **key, did_err *err)
{
    did_err e;
    did_err_clear(&e);
    int rc = did_multikey_decode(id, id_len, key, &e);
    if (rc == DID_OK)
        return DID_OK;
    if (rc == DID_ERR_NOMEM)
        return did_err_set(err, rc, "did:key: %s", e.msg);
    return did_err_set(err, DID_ERR_DID_INVALID, "did:key: method-specific id: %s", e.msg);
}

/* {"id": did#frag, "type": "Multikey", "controller": did, "publicKeyMultibase":
 * mk} */
static json_t *multikey_vm(const char *did, size_t did_len, const char *mk, size_t mk_len,
                           json_t **id_out)
{
    json_t *vm = json_object();
    json_t *id = NULL;
    char *s = NULL;
    int jrc = 0;

    s = malloc(did_len + 1 + mk_len);
    if (vm == NULL || s == NULL)
        goto fail;
    memcpy(s, did, did_len);
    s[did_len] = '#';
    memcpy(s + did_len + 1, mk, mk_len);
    id = json_stringn(s, did_len + 1 + mk_len);
    if (id == NULL)
        goto fail;
    jrc |= json_object_set(vm, "id", id);
    jrc |= json_object_set_new(vm, "type", json_string("Multikey"));
    jrc |= json_object_set_new(vm, "controller", json_stringn(did, did_len));
    jrc |= json_object_set_new(vm, "publicKeyMultibase", json_stringn(mk, mk_len));
    if (jrc != 0)
        goto fail;
    free(s);
    *id_out = id;
    return vm;
fail:
    free(s);
    json_decref(id);
    json_decref(vm);
    return NULL;
}

static int add_ref(json_t *doc, const char *rel, json_t *id)
{
    json_t *arr = json_object_get(doc, rel);

    if (arr == NULL) {
        arr = json_array();
        if (json_object_set_new(doc, rel, arr) != 0)
            return -1;
    }
    return json_array_append(arr, id);
}

/* The X25519 key birationally equivalent to an Ed25519 key (did:key v0.9
 * "Encryption Method Creation Algorithm"), as a Multikey string appended to
 * out. */
static int derive_x25519(const ck_key *ed, did_buf *out, did_err *err)
{
    ck_key *x = NULL;
    ck_err ce;
    ck_err_clear(&ce);
    int rc = ck_key_to_x25519(ed, &x, &ce);
    if (rc == CK_ERR_NOMEM)
        return did_err_from_ck(err, &ce);
    if (rc != CK_OK)
        return did_err_set(err, DID_ERR_DID_INVALID, "did:key: %s", ce.msg);
    rc = did_multikey_encode(x, out, err);
    ck_key_free(x);
    return rc;
}

int did_key_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc, did_err *err)
{
    const did_key_opts *opts = user;
    const char *id, *d;
    size_t id_len, d_len;
    ck_key *key = NULL;
    json_t *out = NULL, *ctxs = NULL, *vms = NULL, *vm = NULL, *vm_id = NULL;
    json_t *kvm = NULL, *kvm_id = NULL;
    did_buf xmk;
    int rc, jrc = 0;

    (void)ctx;
    did_buf_init(&xmk);
    if (did == NULL || doc == NULL || did->str == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_key_resolve: NULL argument");
    *doc = NULL;
    d = did->str;
    d_len = did->did_len;
    id = did->str + did->id_off;
    id_len = did->id_len;
    rc = decode_id(id, id_len, &key, err);
    if (rc != DID_OK)
        goto out;

    out = json_object();
    ctxs = json_array();
    vms = json_array();
    if (out == NULL || ctxs == NULL || vms == NULL)
        goto nomem;
    jrc |= json_array_append_new(ctxs, json_string("https://www.w3.org/ns/did/v1"));
    jrc |= json_array_append_new(ctxs, json_string("https://w3id.org/security/multikey/v1"));
    jrc |= json_object_set(out, "@context", ctxs);
    jrc |= json_object_set_new(out, "id", json_stringn(d, d_len));
    vm = multikey_vm(d, d_len, id, id_len, &vm_id);
    if (vm == NULL)
        goto nomem;
    jrc |= json_array_append(vms, vm);
    jrc |= json_object_set(out, "verificationMethod", vms);
    if (jrc != 0)
        goto nomem;

    if (ck_key_get_type(key) == CK_KEY_X25519) {
        if (add_ref(out, "keyAgreement", vm_id) != 0)
            goto nomem;
    } else {
        static const char *const sig_rels[] = {"authentication", "assertionMethod",
                                               "capabilityInvocation", "capabilityDelegation"};
        for (size_t i = 0; i < sizeof(sig_rels) / sizeof(sig_rels[0]); i++)
            if (add_ref(out, sig_rels[i], vm_id) != 0)
                goto nomem;
    }

    if (opts != NULL && opts->enable_encryption_key_derivation &&
        ck_key_get_type(key) == CK_KEY_ED25519) {
        rc = derive_x25519(key, &xmk, err);
        if (rc != DID_OK)
            goto out;
        kvm = multikey_vm(d, d_len, (const char *)xmk.data, xmk.len, &kvm_id);
        if (kvm == NULL || json_array_append(vms, kvm) != 0 ||
            add_ref(out, "keyAgreement", kvm_id) != 0)
            goto nomem;
    }
    *doc = out;
    out = NULL;
    rc = DID_OK;
    goto out;
nomem:
    rc = did_err_set(err, DID_ERR_NOMEM, "did_key_resolve: out of memory");
out:
    ck_key_free(key);
    json_decref(out);
    json_decref(ctxs);
    json_decref(vms);
    json_decref(vm);
    json_decref(vm_id);
    json_decref(kvm);
    json_decref(kvm_id);
    did_buf_clear(&xmk);
    return rc;
}
