/*
 * did_doc.c -- DID document shape checks (DID Core 5), verification method
 * lookup by id and relationship, and decoding a verification method's public
 * key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/did.h>

static const char *const doc_rels[] = {
    "authentication",       "assertionMethod",      "keyAgreement",
    "capabilityInvocation", "capabilityDelegation",
};
#define N_DOC_RELS (sizeof(doc_rels) / sizeof(doc_rels[0]))

/* Bounded length for echoing outside strings into messages. */
#define SHOW_MAX 64
static int show_len(size_t n)
{
    return n > SHOW_MAX ? SHOW_MAX : (int)n;
}

static int str_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* Does the (absolute or "#frag"-relative) id cand name target, an absolute DID
 * URL, in a document whose id is base? */
static int id_matches(const char *cand, size_t cand_len, const char *base, size_t base_len,
                      const char *target, size_t target_len)
{
    if (cand_len > 0 && cand[0] == '#')
        return target_len == base_len + cand_len && memcmp(target, base, base_len) == 0 &&
               memcmp(target + base_len, cand, cand_len) == 0;
    return str_eq(cand, cand_len, target, target_len);
}

/* Absolute form of an id into out (reset first): "#frag" is relative to base.
 */
static int absolute_id(const char *id, size_t id_len, const char *base, size_t base_len,
                       did_buf *out, did_err *err)
{
    did_buf_reset(out);
    if (id_len > 0 && id[0] == '#' && did_buf_append(out, base, base_len) != 0)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    if (did_buf_append(out, id, id_len) != 0)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    return DID_OK;
}

/* A controller value: a plain DID. */
static int check_did_string(const json_t *v, const char *what, did_err *err)
{
    did_url u;
    did_err e;

    if (!json_is_string(v))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s: not a string", what);
    if (did_parse(json_string_value(v), json_string_length(v), &u, &e) != DID_OK)
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s: not a DID: %s", what, e.msg);
    return DID_OK;
}

typedef struct id_set {
    did_buf ids[DID_DOC_MAX_METHODS];
    size_t n;
} id_set;

/* Checks one verification method (listed or embedded) and records its absolute
 * id. */
static int check_vm(const json_t *vm, const char *where, const char *base, size_t base_len,
                    id_set *seen, did_err *err)
{
    const json_t *id, *type, *ctl, *pkm, *pkj;
    did_url u;
    did_err e;
    did_buf *slot;
    int rc;

    if (!json_is_object(vm))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s: not an object", where);
    if (seen->n >= DID_DOC_MAX_METHODS)
        return did_err_set(err, DID_ERR_DID_DOC_INVALID,
                           "%s: more than %d verification methods (DID_DOC_MAX_METHODS)", where,
                           DID_DOC_MAX_METHODS);
    id = json_object_get(vm, "id");
    type = json_object_get(vm, "type");
    ctl = json_object_get(vm, "controller");
    pkm = json_object_get(vm, "publicKeyMultibase");
    pkj = json_object_get(vm, "publicKeyJwk");
    if (!json_is_string(id))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s.id: missing or not a string", where);
    if (!json_is_string(type) || json_string_length(type) == 0)
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s.type: missing or not a string", where);
    if (ctl == NULL)
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s.controller: missing", where);
    rc = check_did_string(ctl, "verification method controller", err);
    if (rc != DID_OK)
        return rc;
    if ((pkm != NULL) == (pkj != NULL))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID,
                           "%s: needs exactly one of publicKeyMultibase and publicKeyJwk", where);
    if (pkm != NULL && !json_is_string(pkm))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s.publicKeyMultibase: not a string",
                           where);
    if (pkj != NULL && !json_is_object(pkj))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s.publicKeyJwk: not an object", where);

    slot = &seen->ids[seen->n];
    rc = absolute_id(json_string_value(id), json_string_length(id), base, base_len, slot, err);
    if (rc != DID_OK)
        return rc;
    seen->n++;
    if (did_url_parse((const char *)slot->data, slot->len, &u, &e) != DID_OK)
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s.id: not a DID URL: %s", where, e.msg);
    for (size_t i = 0; i + 1 < seen->n; i++) {
        if (str_eq((const char *)seen->ids[i].data, seen->ids[i].len, (const char *)slot->data,
                   slot->len))
            return did_err_set(err, DID_ERR_DID_DOC_INVALID,
                               "%s.id: duplicate verification method id \"%.*s\"", where,
                               show_len(slot->len), (const char *)slot->data);
    }
    return DID_OK;
}

int did_doc_check(const json_t *doc, const char *did, size_t did_len, did_err *err)
{
    const json_t *id, *ctl, *vms;
    id_set *seen = NULL;
    did_buf tmp;
    char where[64];
    int rc = DID_OK;

    did_buf_init(&tmp);
    if (doc == NULL || did == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_doc_check: NULL argument");
    if (!json_is_object(doc))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "document: not a JSON object");
    id = json_object_get(doc, "id");
    if (!json_is_string(id))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "id: missing or not a string");
    if (!str_eq(json_string_value(id), json_string_length(id), did, did_len))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID,
                           "id: \"%.*s\" is not the DID being resolved",
                           show_len(json_string_length(id)), json_string_value(id));

    ctl = json_object_get(doc, "controller");
    if (ctl != NULL) {
        if (json_is_array(ctl)) {
            if (json_array_size(ctl) == 0)
                return did_err_set(err, DID_ERR_DID_DOC_INVALID, "controller: empty list");
            for (size_t i = 0; i < json_array_size(ctl); i++) {
                rc = check_did_string(json_array_get(ctl, i), "controller", err);
                if (rc != DID_OK)
                    return rc;
            }
        } else {
            rc = check_did_string(ctl, "controller", err);
            if (rc != DID_OK)
                return rc;
        }
    }

    seen = calloc(1, sizeof(*seen));
    if (seen == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "did_doc_check: out of memory");
    for (size_t i = 0; i < DID_DOC_MAX_METHODS; i++)
        did_buf_init(&seen->ids[i]);

    vms = json_object_get(doc, "verificationMethod");
    if (vms != NULL) {
        if (!json_is_array(vms)) {
            rc = did_err_set(err, DID_ERR_DID_DOC_INVALID, "verificationMethod: not a list");
            goto out;
        }
        for (size_t i = 0; i < json_array_size(vms); i++) {
            snprintf(where, sizeof(where), "verificationMethod[%zu]", i);
            rc = check_vm(json_array_get(vms, i), where, did, did_len, seen, err);
            if (rc != DID_OK)
                goto out;
        }
    }

    for (size_t r = 0; r < N_DOC_RELS; r++) {
        const json_t *arr = json_object_get(doc, doc_rels[r]);
        if (arr == NULL)
            continue;
        if (!json_is_array(arr)) {
            rc = did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s: not a list", doc_rels[r]);
            goto out;
        }
        for (size_t i = 0; i < json_array_size(arr); i++) {
            const json_t *el = json_array_get(arr, i);
            snprintf(where, sizeof(where), "%s[%zu]", doc_rels[r], i);
            if (json_is_object(el)) {
                rc = check_vm(el, where, did, did_len, seen, err);
                if (rc != DID_OK)
                    goto out;
            } else if (json_is_string(el)) {
                did_url u;
                did_err e;
                rc = absolute_id(json_string_value(el), json_string_length(el), did, did_len, &tmp,
                                 err);
                if (rc != DID_OK)
                    goto out;
                if (did_url_parse((const char *)tmp.data, tmp.len, &u, &e) != DID_OK) {
                    rc = did_err_set(err, DID_ERR_DID_DOC_INVALID, "%s: not a DID URL: %s", where,
                                     e.msg);
                    goto out;
                }
            } else {
                rc = did_err_set(err, DID_ERR_DID_DOC_INVALID,
                                 "%s: neither a DID URL string nor an embedded method", where);
                goto out;
            }
        }
    }
out:
    for (size_t i = 0; i < DID_DOC_MAX_METHODS; i++)
        did_buf_clear(&seen->ids[i]);
    free(seen);
    did_buf_clear(&tmp);
    return rc;
}

/* The verification method object with id target (absolute) defined anywhere in
 * doc: in verificationMethod or embedded in a relationship. */
static const json_t *find_definition(const json_t *doc, const char *base, size_t base_len,
                                     const char *target, size_t target_len)
{
    const json_t *arrs[1 + N_DOC_RELS];

    arrs[0] = json_object_get(doc, "verificationMethod");
    for (size_t r = 0; r < N_DOC_RELS; r++)
        arrs[1 + r] = json_object_get(doc, doc_rels[r]);
    for (size_t a = 0; a < 1 + N_DOC_RELS; a++) {
        if (!json_is_array(arrs[a]))
            continue;
        for (size_t i = 0; i < json_array_size(arrs[a]); i++) {
            const json_t *vm = json_array_get(arrs[a], i);
            const json_t *id = json_object_get(vm, "id");
            if (json_is_object(vm) && json_is_string(id) &&
                id_matches(json_string_value(id), json_string_length(id), base, base_len, target,
                           target_len))
                return vm;
        }
    }
    return NULL;
}

int did_doc_find_vm(const json_t *doc, const char *vm_id, size_t len, did_relationship rel,
                    const json_t **vm, did_err *err)
{
    const json_t *docid, *def, *arr;
    const char *base, *rel_name;
    size_t base_len;
    did_buf target;
    int rc = DID_OK;

    if (doc == NULL || vm_id == NULL || vm == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_doc_find_vm: NULL argument");
    *vm = NULL;
    rel_name = did_relationship_name(rel);
    if (rel != DID_REL_ANY && rel_name == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_doc_find_vm: unknown relationship %d", (int)rel);
    docid = json_object_get(doc, "id");
    if (!json_is_object(doc) || !json_is_string(docid))
        return did_err_set(err, DID_ERR_DID_DOC_INVALID, "id: missing or not a string");
    base = json_string_value(docid);
    base_len = json_string_length(docid);

    did_buf_init(&target);
    rc = absolute_id(vm_id, len, base, base_len, &target, err);
    if (rc != DID_OK)
        goto out;
    def = find_definition(doc, base, base_len, (const char *)target.data, target.len);
    if (rel == DID_REL_ANY) {
        if (def == NULL)
            goto not_found;
        *vm = def;
        goto out;
    }
    arr = json_object_get(doc, rel_name);
    for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
        const json_t *el = json_array_get(arr, i);
        const json_t *ref = json_is_object(el) ? json_object_get(el, "id") : el;
        if (!json_is_string(ref) ||
            !id_matches(json_string_value(ref), json_string_length(ref), base, base_len,
                        (const char *)target.data, target.len))
            continue;
        if (json_is_object(el)) {
            *vm = el;
            goto out;
        }
        /* A reference: the method itself must be defined somewhere in this
         * document. */
        if (def == NULL)
            goto not_found;
        *vm = def;
        goto out;
    }
    if (def == NULL)
        goto not_found;
    rc = did_err_set(err, DID_ERR_DID_VM_RELATIONSHIP,
                     "verification method \"%.*s\" is not listed in %s", show_len(target.len),
                     (const char *)target.data, rel_name);
    goto out;
not_found:
    rc = did_err_set(err, DID_ERR_DID_VM_NOT_FOUND, "no verification method \"%.*s\"",
                     show_len(target.len), (const char *)target.data);
out:
    did_buf_clear(&target);
    return rc;
}

/* A decoding failure of the key is a problem of the method, whatever layer
 * found it. */
static int vm_invalid(did_err *err, int rc, const char *what)
{
    if (rc == DID_ERR_NOMEM || rc == CK_ERR_NOMEM)
        return rc;
    if (err != NULL) {
        did_err_prefix(err, what);
        err->code = DID_ERR_DID_VM_INVALID;
    }
    return DID_ERR_DID_VM_INVALID;
}

static int jwk_member(const json_t *jwk, const char *name, int required, const char **s,
                      size_t *len, did_err *err)
{
    const json_t *v = json_object_get(jwk, name);

    *s = NULL;
    *len = 0;
    if (v == NULL) {
        if (required)
            return did_err_set(err, DID_ERR_DID_VM_INVALID, "publicKeyJwk.%s: missing", name);
        return DID_OK;
    }
    if (!json_is_string(v))
        return did_err_set(err, DID_ERR_DID_VM_INVALID, "publicKeyJwk.%s: not a string", name);
    *s = json_string_value(v);
    *len = json_string_length(v);
    return DID_OK;
}

static int key_from_jwk(const json_t *jwk, ck_key **key, did_err *err)
{
    const char *kty, *crv, *x, *y;
    size_t kty_len, crv_len, x_len, y_len;
    ck_err ce;
    int rc;

    if (!json_is_object(jwk))
        return did_err_set(err, DID_ERR_DID_VM_INVALID, "publicKeyJwk: missing or not an object");
    /* A private key published in a DID document is compromised; never use it. */
    if (json_object_get(jwk, "d") != NULL)
        return did_err_set(err, DID_ERR_DID_VM_INVALID,
                           "publicKeyJwk: contains the private member \"d\"");
    rc = jwk_member(jwk, "kty", 1, &kty, &kty_len, err);
    if (rc == DID_OK)
        rc = jwk_member(jwk, "crv", 1, &crv, &crv_len, err);
    if (rc == DID_OK)
        rc = jwk_member(jwk, "x", 1, &x, &x_len, err);
    if (rc == DID_OK)
        rc = jwk_member(jwk, "y", 0, &y, &y_len, err);
    if (rc != DID_OK)
        return rc;
    ck_err_clear(&ce);
    rc = ck_key_import_jwk(kty, kty_len, crv, crv_len, x, x_len, y, y_len, NULL, 0, key, &ce);
    if (rc != CK_OK) {
        if (rc == CK_ERR_NOMEM)
            return did_err_from_ck(err, &ce);
        return did_err_set(err, DID_ERR_DID_VM_INVALID, "publicKeyJwk: %s", ce.msg);
    }
    return DID_OK;
}

int did_vm_key(const json_t *vm, ck_key **key, did_err *err)
{
    const json_t *type, *pkm, *pkj;
    const char *t;
    ck_key *k = NULL;
    int rc;

    if (vm == NULL || key == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_vm_key: NULL argument");
    *key = NULL;
    if (!json_is_object(vm))
        return did_err_set(err, DID_ERR_DID_VM_INVALID, "verification method: not an object");
    type = json_object_get(vm, "type");
    if (!json_is_string(type))
        return did_err_set(err, DID_ERR_DID_VM_INVALID, "type: missing or not a string");
    t = json_string_value(type);
    if (strlen(t) != json_string_length(type))
        return did_err_set(err, DID_ERR_DID_VM_INVALID, "type: contains U+0000");
    pkm = json_object_get(vm, "publicKeyMultibase");
    pkj = json_object_get(vm, "publicKeyJwk");

    if (strcmp(t, "Multikey") == 0 || strcmp(t, "Ed25519VerificationKey2020") == 0) {
        if (pkj != NULL)
            return did_err_set(err, DID_ERR_DID_VM_INVALID,
                               "%s: publicKeyJwk does not belong to this type", t);
        if (!json_is_string(pkm))
            return did_err_set(err, DID_ERR_DID_VM_INVALID,
                               "%s: publicKeyMultibase missing or not a string", t);
        rc = did_multikey_decode(json_string_value(pkm), json_string_length(pkm), &k, err);
        if (rc != DID_OK)
            return vm_invalid(err, rc, "publicKeyMultibase");
        /* Ed25519VerificationKey2020 is Multikey restricted to base58btc Ed25519.
         */
        if (t[0] == 'E' && (json_string_value(pkm)[0] != DID_MULTIBASE_BASE58BTC ||
                            ck_key_get_type(k) != CK_KEY_ED25519)) {
            rc = did_err_set(err, DID_ERR_DID_VM_INVALID,
                             "Ed25519VerificationKey2020: publicKeyMultibase is not a base58btc "
                             "Ed25519 key");
            goto out;
        }
    } else if (strcmp(t, "JsonWebKey") == 0 || strcmp(t, "JsonWebKey2020") == 0) {
        if (pkm != NULL)
            return did_err_set(err, DID_ERR_DID_VM_INVALID,
                               "%s: publicKeyMultibase does not belong to this type", t);
        rc = key_from_jwk(pkj, &k, err);
        if (rc != DID_OK)
            goto out;
    } else {
        return did_err_set(err, DID_ERR_DID_VM_INVALID,
                           "type \"%.*s\" is not a supported verification method type",
                           show_len(json_string_length(type)), t);
    }
    *key = k;
    k = NULL;
    rc = DID_OK;
out:
    ck_key_free(k);
    return rc;
}
