/*
 * log_store_read.c -- reads of the log store: heads, entries, roots, proofs, request lookups,
 * checkpoints, tlog-proofs and counters (did/log_store.h). Each read is one short LMDB read
 * transaction inside the read gate (log_store.c), point reads of the nodes database.
 */
#include <string.h>

#include "log_store_internal.h"

int did_log_store_lookup(did_log_store *s, const uint8_t *service_id, size_t service_id_len,
                         const uint8_t *request_id, size_t request_id_len, int *found,
                         uint64_t *index, did_err *err)
{
    uint8_t k[DID_LOG_HASH_LEN];
    MDB_txn *txn;
    int rc;

    if (s == NULL || found == NULL || index == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    *found = 0;
    if ((rc = did_log_i_request_key(service_id, service_id_len, request_id, request_id_len, k,
                                    err)) != DID_OK ||
        (rc = did_log_i_read_begin(s, &txn, err)) != DID_OK)
        return rc;
    MDB_val key = {sizeof k, k}, val;
    int mrc = mdb_get(txn, s->db_by_request, &key, &val);
    if (mrc == MDB_SUCCESS && val.mv_size == 8) {
        *found = 1;
        *index = did_log_u64_read(val.mv_data);
    } else if (mrc == MDB_SUCCESS) {
        rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: by_request value malformed");
    } else if (mrc != MDB_NOTFOUND) {
        rc = did_log_i_mdb_err(err, mrc, "read by_request");
    }
    did_log_i_read_end(s, txn);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------------- */

int did_log_store_head(did_log_store *s, uint64_t *size, uint8_t root[DID_LOG_HASH_LEN],
                       did_err *err)
{
    if (s == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    pthread_mutex_lock(&s->mu);
    if (size != NULL)
        *size = s->size;
    if (root != NULL)
        memcpy(root, s->root, DID_LOG_HASH_LEN);
    pthread_mutex_unlock(&s->mu);
    return DID_OK;
}

static uint64_t committed_size(did_log_store *s)
{
    pthread_mutex_lock(&s->mu);
    uint64_t n = s->size;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int did_log_store_entry(did_log_store *s, uint64_t index, did_buf *out, did_err *err)
{
    MDB_txn *txn;
    uint8_t k[8];
    int rc;

    if (s == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    if (index >= committed_size(s))
        return did_err_set(err, DID_ERR_LOG_SIZE, "log store: no entry %llu",
                           (unsigned long long)index);
    if ((rc = did_log_i_read_begin(s, &txn, err)) != DID_OK)
        return rc;
    did_log_i_be64(index, k);
    MDB_val key = {8, k}, val;
    int mrc = mdb_get(txn, s->db_entries, &key, &val);
    if (mrc == MDB_NOTFOUND)
        rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: entry %llu missing",
                         (unsigned long long)index);
    else if (mrc != MDB_SUCCESS)
        rc = did_log_i_mdb_err(err, mrc, "read entries");
    else if ((rc = did_buf_append(out, val.mv_data, val.mv_size)) != DID_OK)
        rc = did_err_set(err, rc, "log store: out of memory");
    did_log_i_read_end(s, txn);
    return rc;
}

/* Runs a tree function over the stored nodes in one read transaction. */
typedef struct tree_op {
    int kind; /* 0 root, 1 inclusion, 2 consistency, 3 leaf */
    uint64_t a, b;
    uint8_t *hash;
    uint8_t (*proof)[DID_LOG_HASH_LEN];
    size_t cap;
    size_t *n;
} tree_op;

static int tree_read(did_log_store *s, uint64_t need, tree_op *op, did_err *err)
{
    MDB_txn *txn;
    log_src_ctx ctx;
    did_log_source src;
    int rc;

    uint64_t size = committed_size(s);
    if (need > size)
        return did_err_set(err, DID_ERR_LOG_SIZE, "log store: size %llu above the log's %llu",
                           (unsigned long long)need, (unsigned long long)size);
    if ((rc = did_log_i_read_begin(s, &txn, err)) != DID_OK)
        return rc;
    did_log_i_source(s, txn, &ctx, &src);
    switch (op->kind) {
    case 0:
        rc = did_log_root(&src, op->a, op->hash, err);
        break;
    case 1:
        rc = did_log_inclusion_proof(&src, op->a, op->b, op->proof, op->cap, op->n, err);
        break;
    case 2:
        rc = did_log_consistency_proof(&src, op->a, op->b, op->proof, op->cap, op->n, err);
        break;
    default:
        rc = src.get_subtree(src.user, op->a, 1, op->hash, err);
        break;
    }
    did_log_i_read_end(s, txn);
    return rc;
}

int did_log_store_leaf_hash(did_log_store *s, uint64_t index, uint8_t out[DID_LOG_HASH_LEN],
                            did_err *err)
{
    if (s == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    if (index >= DID_LOG_SIZE_MAX)
        return did_err_set(err, DID_ERR_LOG_SIZE, "log store: no entry %llu",
                           (unsigned long long)index);
    tree_op op = {3, index, 0, out, NULL, 0, NULL};
    return tree_read(s, index + 1, &op, err);
}

int did_log_store_root(did_log_store *s, uint64_t size, uint8_t root[DID_LOG_HASH_LEN],
                       did_err *err)
{
    if (s == NULL || root == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    tree_op op = {0, size, 0, root, NULL, 0, NULL};
    return tree_read(s, size, &op, err);
}

int did_log_store_inclusion_proof(did_log_store *s, uint64_t index, uint64_t size,
                                  uint8_t proof[][DID_LOG_HASH_LEN], size_t cap, size_t *n,
                                  did_err *err)
{
    if (s == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    tree_op op = {1, index, size, NULL, proof, cap, n};
    return tree_read(s, size, &op, err);
}

int did_log_store_consistency_proof(did_log_store *s, uint64_t size1, uint64_t size2,
                                    uint8_t proof[][DID_LOG_HASH_LEN], size_t cap, size_t *n,
                                    did_err *err)
{
    if (s == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    tree_op op = {2, size1, size2, NULL, proof, cap, n};
    return tree_read(s, size2, &op, err);
}

/* ---- checkpoints and proofs ---------------------------------------------------------------- */

int did_log_store_latest_checkpoint(did_log_store *s, did_buf *note, uint64_t *size, did_err *err)
{
    int rc = DID_OK;
    if (s == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    pthread_mutex_lock(&s->mu);
    if (!s->has_cp)
        rc = did_err_set(err, DID_ERR_LOG_SIZE, "log store: no checkpoint signed yet");
    else if (note != NULL && did_buf_append(note, s->cp_note.data, s->cp_note.len) != DID_OK)
        rc = did_err_set(err, DID_ERR_NOMEM, "log store: out of memory");
    else if (size != NULL)
        *size = s->cp_size;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int did_log_store_checkpoint_at(did_log_store *s, uint64_t size, did_buf *note, did_err *err)
{
    MDB_txn *txn;
    uint8_t k[8];
    int rc;

    if (s == NULL || note == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    if ((rc = did_log_i_read_begin(s, &txn, err)) != DID_OK)
        return rc;
    did_log_i_be64(size, k);
    MDB_val key = {8, k}, val;
    int mrc = mdb_get(txn, s->db_checkpoints, &key, &val);
    if (mrc == MDB_NOTFOUND)
        rc = did_err_set(err, DID_ERR_LOG_SIZE, "log store: no checkpoint stored for size %llu",
                         (unsigned long long)size);
    else if (mrc != MDB_SUCCESS)
        rc = did_log_i_mdb_err(err, mrc, "read checkpoints");
    else if (did_buf_append(note, val.mv_data, val.mv_size) != DID_OK)
        rc = did_err_set(err, DID_ERR_NOMEM, "log store: out of memory");
    did_log_i_read_end(s, txn);
    return rc;
}

int did_log_store_proof(did_log_store *s, uint64_t index, did_buf *out, did_err *err)
{
    did_buf note;
    uint64_t size = 0;
    uint8_t proof[DID_LOG_PROOF_MAX][DID_LOG_HASH_LEN];
    size_t n = 0;
    int rc;

    if (s == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    did_buf_init(&note);
    if ((rc = did_log_store_latest_checkpoint(s, &note, &size, err)) != DID_OK)
        goto out;
    if (index >= size) {
        rc = did_err_set(err, DID_ERR_LOG_SIZE,
                         "log store: entry %llu not covered by the latest checkpoint (size %llu)",
                         (unsigned long long)index, (unsigned long long)size);
        goto out;
    }
    if ((rc = did_log_store_inclusion_proof(s, index, size, proof, DID_LOG_PROOF_MAX, &n, err)) !=
        DID_OK)
        goto out;
    rc = did_log_proof_write(index, (const uint8_t(*)[DID_LOG_HASH_LEN])proof, n, NULL, 0,
                             note.data, note.len, out, err);
out:
    did_buf_clear(&note);
    return rc;
}

/* ---- introspection ------------------------------------------------------------------------- */

int did_log_store_stats_get(did_log_store *s, did_log_store_stats *out, did_err *err)
{
    if (s == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    out->size = s->size;
    out->checkpoint_size = s->has_cp ? s->cp_size : 0;
    out->behind = s->behind;
    pthread_mutex_unlock(&s->mu);
    return DID_OK;
}

const char *did_log_store_origin(const did_log_store *s)
{
    return s != NULL ? s->origin : NULL;
}

int did_log_store_vkey(did_log_store *s, did_log_vkey *vkey, int *has_vkey, did_err *err)
{
    if (s == NULL || vkey == NULL || has_vkey == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    pthread_mutex_lock(&s->mu);
    *has_vkey = s->has_vkey;
    if (s->has_vkey)
        *vkey = s->vkey;
    pthread_mutex_unlock(&s->mu);
    return DID_OK;
}
