/*
 * keys.c -- holder keys: generated in the wallet, stored sealed (the private key in the
 * record's secret part), named by did:key or did:jwk, never exported.
 */
#include <string.h>

#include <did/time.h>

#include "wallet_internal.h"

#define STOP (-1) /* a callback's "found it": not an error code */

void wl_key_info(const char *id, const json_t *meta, wallet_key_info *info)
{
    const char *type = wl_str(meta, "type");
    ck_key_type kt = 0;
    (void)ck_key_type_from_name(type, strlen(type), &kt, NULL);
    info->id = id;
    info->type = kt;
    info->method = strcmp(wl_str(meta, "method"), "jwk") == 0 ? WALLET_DID_JWK : WALLET_DID_KEY;
    info->did = wl_str(meta, "did");
    info->kid = wl_str(meta, "kid");
    info->label = wl_str(meta, "label");
    info->relationship = wl_str(meta, "relationship");
    info->created = wl_int(meta, "created");
}

/* The DID and verification method of key: did:key's fragment is its multibase key, did:jwk's
 * is "0" (their method specifications). */
static int key_ids(const ck_key *key, wallet_did_method method, did_buf *did, did_buf *kid,
                   did_err *err)
{
    int rc = method == WALLET_DID_JWK ? did_jwk_from_key(key, did, err)
                                      : did_key_from_key(key, did, err);
    if (rc != DID_OK)
        return rc;
    if (did_buf_append(kid, did->data, did->len) != DID_OK)
        return wl_nomem(err);
    if (method == WALLET_DID_JWK)
        rc = did_buf_append_str(kid, "#0");
    else
        rc = did_buf_printf(kid, "#%s", (const char *)did->data + strlen("did:key:"));
    return rc == DID_OK ? DID_OK : wl_nomem(err);
}

int wl_key_create(wallet *w, MDB_txn *txn, ck_key_type type, wallet_did_method method,
                  const char *label, const char *relationship, char id[WALLET_ID_MAX], did_err *err)
{
    ck_err ce;
    ck_key *key = NULL;
    json_t *meta = NULL;
    uint8_t *secret = NULL;
    size_t secret_len = 0;
    char thumb[44];
    did_buf did, kid;
    did_buf_init(&did);
    did_buf_init(&kid);
    int rc;
    if (type == CK_KEY_X25519 || ck_key_type_name(type) == NULL)
        return did_err_set(err, DID_ERR_ARG, "a holder key must be a signing key type");
    if (method != WALLET_DID_KEY && method != WALLET_DID_JWK)
        return did_err_set(err, DID_ERR_ARG, "unknown DID method %d", (int)method);
    if (label != NULL && strnlen(label, WALLET_LABEL_MAX) >= WALLET_LABEL_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "a label is at most %d bytes", WALLET_LABEL_MAX - 1);
    if ((rc = wl_check_room(w, txn, WALLET_KIND_KEY, 1, err)) != DID_OK)
        return rc;
    if ((secret = ck_secret_alloc(CK_SECRET_MAX_LEN)) == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    if (ck_key_generate(type, &key, &ce) != CK_OK ||
        ck_key_export_private(key, secret, CK_SECRET_MAX_LEN, &secret_len, &ce) != CK_OK ||
        ck_key_thumbprint_b64(key, thumb, &ce) != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        goto out;
    }
    if ((rc = key_ids(key, method, &did, &kid, err)) != DID_OK)
        goto out;
    meta = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "type", ck_key_type_name(type), "method",
                     method == WALLET_DID_JWK ? "jwk" : "key", "did", (const char *)did.data, "kid",
                     (const char *)kid.data, "thumbprint", thumb, "created",
                     (json_int_t)did_time_now());
    if (meta == NULL) {
        rc = wl_nomem(err);
        goto out;
    }
    if (label != NULL && label[0] != '\0' && (rc = wl_set_str(meta, "label", label, err)) != DID_OK)
        goto out;
    if (relationship != NULL &&
        (rc = wl_set_str(meta, "relationship", relationship, err)) != DID_OK)
        goto out;
    if ((rc = wl_new_id(w, txn, WALLET_KIND_KEY, id, err)) != DID_OK)
        goto out;
    rc = wl_put_rec(w, txn, WALLET_KIND_KEY, id, secret, secret_len, meta, NULL, 0, err);
out:
    ck_secret_free(secret);
    ck_key_free(key);
    json_decref(meta);
    did_buf_clear(&did);
    did_buf_clear(&kid);
    return rc;
}

int wl_key_load(wallet *w, MDB_txn *txn, const char *id, ck_key **key, wl_rec *rec, did_err *err)
{
    ck_err ce;
    *key = NULL;
    int rc = wl_get(w, txn, WALLET_KIND_KEY, id, rec, err);
    if (rc != DID_OK)
        return rc;
    const char *type = wl_str(rec->meta, "type");
    ck_key_type kt;
    if (ck_key_type_from_name(type, strlen(type), &kt, &ce) != CK_OK ||
        ck_key_import_private(kt, rec->secret, rec->secret_len, key, &ce) != CK_OK) {
        wl_rec_clear(rec);
        return did_err_from_ck(err, &ce);
    }
    return DID_OK;
}

typedef struct find_ctx {
    const char *member, *value;
    char *id;
} find_ctx;

static int find_one(void *user, const char *id, const wl_rec *rec, did_err *err)
{
    (void)err;
    find_ctx *f = user;
    if (strcmp(wl_str(rec->meta, f->member), f->value) != 0)
        return DID_OK;
    memcpy(f->id, id, strlen(id) + 1);
    return STOP;
}

int wl_key_find(wallet *w, MDB_txn *txn, const char *member, const char *value,
                char id[WALLET_ID_MAX], did_err *err)
{
    find_ctx f = {member, value, id};
    id[0] = '\0';
    int rc = wl_foreach(w, txn, WALLET_KIND_KEY, find_one, &f, err);
    return rc == STOP ? DID_OK : rc;
}

int wallet_key_new(wallet *w, ck_key_type type, wallet_did_method method, const char *label,
                   char id[WALLET_ID_MAX], wallet_key_fn info, void *user, did_err *err)
{
    MDB_txn *txn;
    wl_rec rec;
    if (w == NULL || id == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_key_new: NULL argument");
    int rc = wl_txn_begin(w, 1, &txn, err);
    if (rc != DID_OK)
        return rc;
    if ((rc = wl_key_create(w, txn, type, method, label, NULL, id, err)) != DID_OK) {
        mdb_txn_abort(txn);
        return rc;
    }
    if ((rc = wl_txn_commit(txn, err)) != DID_OK || info == NULL)
        return rc;
    /* Read back what was stored, so the caller sees exactly the record. */
    if ((rc = wl_txn_begin(w, 0, &txn, err)) != DID_OK)
        return rc;
    if ((rc = wl_get(w, txn, WALLET_KIND_KEY, id, &rec, err)) == DID_OK) {
        wallet_key_info ki;
        wl_key_info(id, rec.meta, &ki);
        rc = info(user, &ki);
    }
    wl_rec_clear(&rec);
    mdb_txn_abort(txn);
    return rc;
}

typedef struct list_ctx {
    wallet_key_fn fn;
    void *user;
} list_ctx;

static int list_one(void *user, const char *id, const wl_rec *rec, did_err *err)
{
    (void)err;
    list_ctx *l = user;
    wallet_key_info ki;
    wl_key_info(id, rec->meta, &ki);
    return l->fn(l->user, &ki);
}

int wallet_keys_list(wallet *w, wallet_key_fn fn, void *user, did_err *err)
{
    MDB_txn *txn;
    if (w == NULL || fn == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_keys_list: NULL argument");
    int rc = wl_txn_begin(w, 0, &txn, err);
    if (rc != DID_OK)
        return rc;
    list_ctx l = {fn, user};
    rc = wl_foreach(w, txn, WALLET_KIND_KEY, list_one, &l, err);
    mdb_txn_abort(txn);
    return rc;
}
