/*
 * log_store_verify.c -- the full check of a stored log (did_log_store_verify): rehash every
 * entry and compare with every stored node, the stored root and every stored checkpoint, in one
 * pass over three cursors.
 */
#include <string.h>

#include "log_store_internal.h"

typedef struct scan {
    did_log_store *s;
    const did_log_vkey *vk;
    MDB_cursor *cp;
    int have_cp;
    uint64_t cp_size;
    MDB_val cp_note;
} scan;

static int cp_next(scan *sc, MDB_cursor_op op, did_err *err)
{
    MDB_val k;
    int m = mdb_cursor_get(sc->cp, &k, &sc->cp_note, op);
    sc->have_cp = 0;
    if (m == MDB_NOTFOUND)
        return DID_OK;
    if (m != MDB_SUCCESS)
        return did_log_i_mdb_err(err, m, "read checkpoints");
    if (k.mv_size != 8)
        return did_err_set(err, DID_ERR_LOG_STATE, "log store: checkpoint key of %zu bytes",
                           k.mv_size);
    sc->have_cp = 1;
    sc->cp_size = did_log_u64_read(k.mv_data);
    return DID_OK;
}

/* Checks the checkpoints stored for the size the scan has reached. */
static int cp_check(scan *sc, const did_log_peaks *p, did_err *err)
{
    while (sc->have_cp && sc->cp_size <= p->size) {
        did_log_checkpoint cp;
        uint8_t root[DID_LOG_HASH_LEN];
        int rc;
        if (sc->cp_size < p->size) /* keys are sorted: this cannot be, unless LMDB is broken */
            return did_err_set(err, DID_ERR_LOG_STATE, "log store: checkpoints out of order");
        if ((rc = did_log_i_check_note(sc->s, sc->vk, sc->cp_note.mv_data, sc->cp_note.mv_size,
                                       sc->cp_size, &cp, err)) != DID_OK ||
            (rc = did_log_peaks_root(p, root, err)) != DID_OK)
            return rc;
        if (memcmp(root, cp.root, DID_LOG_HASH_LEN) != 0)
            return did_err_set(err, DID_ERR_LOG_STATE,
                               "log store: checkpoint at size %llu has another root than the "
                               "tree",
                               (unsigned long long)sc->cp_size);
        if ((rc = cp_next(sc, MDB_NEXT, err)) != DID_OK)
            return rc;
    }
    return DID_OK;
}

int did_log_store_verify(did_log_store *s, uint64_t *checked, did_err *err)
{
    MDB_txn *txn = NULL;
    MDB_cursor *ce = NULL, *cn = NULL;
    MDB_val k, v;
    did_log_vkey vk;
    did_log_peaks p;
    did_log_entry entry;
    scan sc;
    uint8_t leaf[DID_LOG_HASH_LEN], nodes[DID_LOG_APPEND_NODES_MAX][DID_LOG_HASH_LEN];
    int rc, m, has_vk;

    if (s == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    if (checked != NULL)
        *checked = 0;
    pthread_mutex_lock(&s->mu);
    has_vk = s->has_vkey;
    vk = s->vkey;
    pthread_mutex_unlock(&s->mu);
    memset(&sc, 0, sizeof sc);
    sc.s = s;
    sc.vk = has_vk ? &vk : NULL;
    did_log_peaks_init(&p);

    if ((rc = did_log_i_read_begin(s, &txn, err)) != DID_OK)
        return rc;
    k.mv_size = 5;
    k.mv_data = (void *)"state";
    if ((m = mdb_get(txn, s->db_meta, &k, &v)) != MDB_SUCCESS) {
        rc = did_log_i_mdb_err(err, m, "read meta state");
        goto out;
    }
    if (v.mv_size < 8 + DID_LOG_HASH_LEN) {
        rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: meta state malformed");
        goto out;
    }
    uint64_t size = did_log_u64_read(v.mv_data);
    uint8_t meta_root[DID_LOG_HASH_LEN];
    memcpy(meta_root, (const uint8_t *)v.mv_data + 8, DID_LOG_HASH_LEN);
    if ((m = mdb_cursor_open(txn, s->db_entries, &ce)) != MDB_SUCCESS ||
        (m = mdb_cursor_open(txn, s->db_nodes, &cn)) != MDB_SUCCESS ||
        (m = mdb_cursor_open(txn, s->db_checkpoints, &sc.cp)) != MDB_SUCCESS) {
        rc = did_log_i_mdb_err(err, m, "mdb_cursor_open");
        goto out;
    }
    if ((rc = cp_next(&sc, MDB_FIRST, err)) != DID_OK)
        goto out;
    for (MDB_cursor_op op = MDB_FIRST;; op = MDB_NEXT) {
        if ((rc = cp_check(&sc, &p, err)) != DID_OK)
            goto out;
        m = mdb_cursor_get(ce, &k, &v, op);
        if (m == MDB_NOTFOUND)
            break;
        if (m != MDB_SUCCESS) {
            rc = did_log_i_mdb_err(err, m, "read entries");
            goto out;
        }
        uint64_t i = p.size;
        if (k.mv_size != 8 || did_log_u64_read(k.mv_data) != i) {
            rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: entry %llu missing",
                             (unsigned long long)i);
            goto out;
        }
        if ((rc = did_log_entry_decode(v.mv_data, v.mv_size, &entry, err)) != DID_OK) {
            did_err_prefix(err, "log store: stored entry");
            if (err != NULL)
                err->code = DID_ERR_LOG_STATE;
            rc = DID_ERR_LOG_STATE;
            goto out;
        }
        size_t nn;
        uint64_t first;
        if ((rc = did_log_leaf_hash(v.mv_data, v.mv_size, leaf, err)) != DID_OK ||
            (rc = did_log_peaks_append(&p, leaf, nodes, &nn, &first, err)) != DID_OK)
            goto out;
        for (size_t j = 0; j < nn; j++) {
            MDB_val nk, nv;
            m = mdb_cursor_get(cn, &nk, &nv, i == 0 && j == 0 ? MDB_FIRST : MDB_NEXT);
            if (m != MDB_SUCCESS && m != MDB_NOTFOUND) {
                rc = did_log_i_mdb_err(err, m, "read nodes");
                goto out;
            }
            if (m == MDB_NOTFOUND || nk.mv_size != 8 || did_log_u64_read(nk.mv_data) != first + j ||
                nv.mv_size != DID_LOG_HASH_LEN ||
                memcmp(nv.mv_data, nodes[j], DID_LOG_HASH_LEN) != 0) {
                rc = did_err_set(err, DID_ERR_LOG_STATE,
                                 "log store: node %llu (entry %llu) missing or wrong",
                                 (unsigned long long)(first + j), (unsigned long long)i);
                goto out;
            }
        }
    }
    uint8_t root[DID_LOG_HASH_LEN];
    if ((rc = did_log_peaks_root(&p, root, err)) != DID_OK)
        goto out;
    if (p.size != size || memcmp(root, meta_root, DID_LOG_HASH_LEN) != 0) {
        rc = did_err_set(err, DID_ERR_LOG_STATE,
                         "log store: %llu entries rehash to another root than the stored state "
                         "(size %llu)",
                         (unsigned long long)p.size, (unsigned long long)size);
        goto out;
    }
    MDB_val nk, nv;
    m = mdb_cursor_get(cn, &nk, &nv, size == 0 ? MDB_FIRST : MDB_NEXT);
    if (m != MDB_NOTFOUND) {
        rc = m == MDB_SUCCESS
                 ? did_err_set(err, DID_ERR_LOG_STATE, "log store: nodes stored past the tree")
                 : did_log_i_mdb_err(err, m, "read nodes");
        goto out;
    }
    /* Checkpoints above the size remain when the log is behind one it published (it opened,
     * it refuses to sign); there is nothing to compare them with yet. */
    if (checked != NULL)
        *checked = p.size;
    rc = DID_OK;
out:
    if (sc.cp != NULL)
        mdb_cursor_close(sc.cp);
    if (cn != NULL)
        mdb_cursor_close(cn);
    if (ce != NULL)
        mdb_cursor_close(ce);
    did_log_i_read_end(s, txn);
    return rc;
}
