/* history.c -- reading and clearing the consent log (entries are written by present.c). */
#include <stdlib.h>
#include <string.h>

#include "wallet_internal.h"

typedef struct list_ctx {
    wallet_history_fn fn;
    void *user;
    did_buf types;
} list_ctx;

/* The strings of a JSON array of strings into a new NULL-terminated vector (borrowed). */
static const char **strings(const json_t *arr, size_t *n)
{
    *n = json_array_size(arr);
    const char **v = calloc(*n + 1, sizeof *v);
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        v[i] = json_string_value(json_array_get(arr, i));
    return v;
}

static int list_one(void *user, const char *id, const wl_rec *rec, did_err *err)
{
    list_ctx *l = user;
    const json_t *m = rec->meta;
    wallet_history_info h;
    did_buf_reset(&l->types);
    int rc = wl_join_types(json_object_get(m, "types"), &l->types, err);
    if (rc != DID_OK)
        return rc;
    h.id = id;
    h.time = wl_int(m, "time");
    h.credential = wl_str(m, "credential");
    h.issuer = wl_str(m, "issuer");
    h.types = (const char *)l->types.data;
    h.format = wl_str(m, "format");
    h.domain = wl_str(m, "domain");
    h.challenge = wl_str(m, "challenge");
    h.holder = wl_str(m, "holder");
    h.key_id = wl_str(m, "key");
    h.whole = json_is_true(json_object_get(m, "whole"));
    const char **disclosed = strings(json_object_get(m, "disclosed"), &h.n_disclosed);
    const char **claims = strings(json_object_get(m, "claims"), &h.n_claims);
    if (disclosed == NULL || claims == NULL) {
        rc = wl_nomem(err);
    } else {
        h.disclosed = disclosed;
        h.claims = claims;
        rc = l->fn(l->user, &h);
    }
    free(disclosed);
    free(claims);
    return rc;
}

int wallet_history_list(wallet *w, wallet_history_fn fn, void *user, did_err *err)
{
    MDB_txn *txn;
    if (w == NULL || fn == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_history_list: NULL argument");
    int rc = wl_txn_begin(w, 0, &txn, err);
    if (rc != DID_OK)
        return rc;
    list_ctx l = {fn, user, {0}};
    did_buf_init(&l.types);
    rc = wl_foreach(w, txn, WALLET_KIND_HISTORY, list_one, &l, err);
    mdb_txn_abort(txn);
    did_buf_clear(&l.types);
    return rc;
}

int wallet_history_clear(wallet *w, did_err *err)
{
    MDB_txn *txn;
    if (w == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_history_clear: NULL wallet");
    int rc = wl_txn_begin(w, 1, &txn, err);
    if (rc != DID_OK)
        return rc;
    if ((rc = mdb_drop(txn, w->db_history, 0)) != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return wl_mdb_err(err, rc, "clear the history");
    }
    return wl_txn_commit(txn, err);
}
