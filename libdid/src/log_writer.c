/*
 * log_writer.c -- the log store's write path: the callers' side of appends and checkpoint
 * requests, and the writer thread (group commit, map growth, checkpoint signing)
 * (did/log_store.h, spec/auditlog.md "Storage").
 *
 * Submitters queue a request on their own stack and sleep on its condition variable. The
 * writer takes everything queued (up to the batch bounds) into one write transaction and
 * answers each request only after mdb_txn_commit returned: the batch grows by itself with the
 * load (while one commit syncs, the next batch queues up), so there is no timer and no added
 * latency at low load. The in-memory head (size, root, peaks) advances only after a commit
 * succeeded; a failed commit leaves it where it was and fails every request of the batch, which
 * callers may retry (idempotently, by request id).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log_store_internal.h"

#define MAP_FULL_RC DID_LOG_I_MAP_FULL /* grow the map and retry the transaction */
#define MAP_LIMIT ((size_t)1 << 46)    /* never grow the map past 64 TiB */

static int put_fail(did_log_store *s, int rc, const char *what, did_err *err)
{
    if (rc == MDB_MAP_FULL)
        return MAP_FULL_RC;
    if (rc == MDB_KEYEXIST) {
        /* entries, nodes and checkpoints are append-only: an existing key means the head in
         * memory and the database disagree. Stop writing rather than guess. */
        pthread_mutex_lock(&s->mu);
        s->broken = 1;
        pthread_mutex_unlock(&s->mu);
        return did_err_set(err, DID_ERR_LOG_STATE,
                           "log store: %s: key exists (append-only invariant broken)", what);
    }
    return did_log_i_mdb_err(err, rc, what);
}

static int write_begin(did_log_store *s, MDB_txn **txn, did_err *err)
{
    for (int attempt = 0;; attempt++) {
        int rc = mdb_txn_begin(s->env, NULL, 0, txn);
        if (rc == MDB_SUCCESS)
            return DID_OK;
        *txn = NULL;
        if (rc != MDB_MAP_RESIZED || attempt > 0)
            return did_log_i_mdb_err(err, rc, "mdb_txn_begin");
        if ((rc = did_log_i_set_mapsize(s, 0, err)) != DID_OK)
            return rc;
    }
}

/* After MDB_MAP_FULL: the transaction is gone, so no transaction of ours is active but readers
 * may be; double the map once they are out of the gate. */
static int grow_map(did_log_store *s, did_err *err)
{
    MDB_envinfo info;
    int rc = mdb_env_info(s->env, &info);
    if (rc != MDB_SUCCESS)
        return did_log_i_mdb_err(err, rc, "mdb_env_info");
    if (info.me_mapsize >= MAP_LIMIT / 2)
        return did_err_set(err, DID_ERR_LOG_STORE, "log store: map full at %zu bytes",
                           info.me_mapsize);
    size_t size = info.me_mapsize * 2;
    if ((rc = did_log_i_set_mapsize(s, size, err)) != DID_OK)
        return rc;
    pthread_mutex_lock(&s->mu);
    s->st.map_grows++;
    s->st.map_size = size;
    pthread_mutex_unlock(&s->mu);
    return DID_OK;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int put_pending_checkpoint(did_log_store *s, MDB_txn *txn, did_err *err)
{
    uint8_t k[8];
    did_log_i_be64(s->cp_size, k);
    MDB_val key = {8, k}, val = {s->cp_note.len, s->cp_note.data};
    int rc = mdb_put(txn, s->db_checkpoints, &key, &val, MDB_APPEND);
    return rc == MDB_SUCCESS ? DID_OK : put_fail(s, rc, "put checkpoints", err);
}

typedef struct batch_out {
    did_log_peaks work; /* the head being built */
    uint8_t root[DID_LOG_HASH_LEN];
    uint64_t appended, dups;
    int stored_cp;
} batch_out;

/* One attempt at committing the appends of a batch. Returns DID_OK, MAP_FULL_RC (nothing
 * written, grow and retry) or an error for the whole batch. Per-request failures (a full tree)
 * go in r->rc. Reads s->peaks and s->cp_* without mu: only this thread writes them. */
static int batch_txn(did_log_store *s, log_req *batch, batch_out *b, did_err *err)
{
    MDB_txn *txn = NULL;
    uint8_t k[8], v8[8], nodes[DID_LOG_APPEND_NODES_MAX][DID_LOG_HASH_LEN];
    MDB_val key, val;
    int rc, m;

    b->work = s->peaks;
    b->appended = b->dups = 0;
    b->stored_cp = 0;
    if ((rc = write_begin(s, &txn, err)) != DID_OK)
        return rc;
    for (log_req *r = batch; r != NULL; r = r->next) {
        if (r->kind != LOG_REQ_APPEND)
            continue;
        r->rc = DID_OK;
        key.mv_size = DID_LOG_HASH_LEN;
        key.mv_data = r->req_key;
        m = mdb_get(txn, s->db_by_request, &key, &val);
        if (m == MDB_SUCCESS) {
            /* The same (service, request) was appended before, maybe earlier in this batch:
             * answer with that entry. */
            if (val.mv_size != 8) {
                rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: by_request value malformed");
                goto out;
            }
            uint64_t idx = did_log_u64_read(val.mv_data);
            did_log_i_be64(did_log_node_index(0, idx), k);
            key.mv_size = 8;
            key.mv_data = k;
            m = mdb_get(txn, s->db_nodes, &key, &val);
            if (m != MDB_SUCCESS || val.mv_size != DID_LOG_HASH_LEN) {
                rc = m == MDB_SUCCESS || m == MDB_NOTFOUND
                         ? did_err_set(err, DID_ERR_LOG_STATE,
                                       "log store: leaf %llu of a request missing",
                                       (unsigned long long)idx)
                         : did_log_i_mdb_err(err, m, "read nodes");
                goto out;
            }
            r->res.index = idx;
            memcpy(r->res.leaf_hash, val.mv_data, DID_LOG_HASH_LEN);
            r->res.duplicate = 1;
            b->dups++;
            continue;
        }
        if (m != MDB_NOTFOUND) {
            rc = did_log_i_mdb_err(err, m, "read by_request");
            goto out;
        }
        if (b->work.size >= DID_LOG_SIZE_MAX) {
            r->rc = did_err_set(&r->err, DID_ERR_LOG_SIZE, "log store: the tree is full");
            continue;
        }
        uint64_t idx = b->work.size, first;
        size_t nn;
        did_log_i_be64(idx, k);
        key.mv_size = 8;
        key.mv_data = k;
        val.mv_size = r->len;
        val.mv_data = (void *)r->entry;
        if ((m = mdb_put(txn, s->db_entries, &key, &val, MDB_APPEND)) != MDB_SUCCESS) {
            rc = put_fail(s, m, "put entries", err);
            goto out;
        }
        if ((rc = did_log_peaks_append(&b->work, r->leaf, nodes, &nn, &first, err)) != DID_OK)
            goto out;
        for (size_t j = 0; j < nn; j++) {
            did_log_i_be64(first + j, k);
            val.mv_size = DID_LOG_HASH_LEN;
            val.mv_data = nodes[j];
            if ((m = mdb_put(txn, s->db_nodes, &key, &val, MDB_APPEND)) != MDB_SUCCESS) {
                rc = put_fail(s, m, "put nodes", err);
                goto out;
            }
        }
        did_log_i_be64(idx, v8);
        key.mv_size = DID_LOG_HASH_LEN;
        key.mv_data = r->req_key;
        val.mv_size = 8;
        val.mv_data = v8;
        if ((m = mdb_put(txn, s->db_by_request, &key, &val, MDB_NOOVERWRITE)) != MDB_SUCCESS) {
            rc = put_fail(s, m, "put by_request", err);
            goto out;
        }
        r->res.index = idx;
        memcpy(r->res.leaf_hash, r->leaf, DID_LOG_HASH_LEN);
        r->res.duplicate = 0;
        b->appended++;
    }
    /* The latest automatic checkpoint, signed after an earlier batch: stored with this one,
     * unless one was stored less than cp_store_ms ago (a newer one will replace it; every
     * one of them was signed over a committed head, so none needs storing to stay
     * consistent, see spec/auditlog.md). */
    if (s->has_cp && !s->cp_stored && mono_ms() - s->cp_stored_at_ms >= s->cp_store_ms) {
        if ((rc = put_pending_checkpoint(s, txn, err)) != DID_OK)
            goto out;
        b->stored_cp = 1;
    }
    if (b->appended > 0) {
        if ((rc = did_log_peaks_root(&b->work, b->root, err)) != DID_OK)
            goto out;
        if ((rc = did_log_i_state_put(s, txn, &b->work, b->root, err)) != DID_OK)
            goto out;
    }
    if (b->appended == 0 && !b->stored_cp) {
        /* Only duplicates of committed entries: nothing to write. */
        mdb_txn_abort(txn);
        return DID_OK;
    }
    m = mdb_txn_commit(txn);
    txn = NULL;
    if (m != MDB_SUCCESS)
        rc = m == MDB_MAP_FULL ? MAP_FULL_RC : did_log_i_mdb_err(err, m, "mdb_txn_commit");
out:
    if (txn != NULL)
        mdb_txn_abort(txn);
    return rc;
}

/* Checks, while the log is behind its latest checkpoint, whether it has caught up: at the
 * checkpoint's size, the root must be the checkpoint's (otherwise the log forked: refuse). */
static int catch_up(did_log_store *s, did_err *err)
{
    MDB_txn *txn;
    log_src_ctx ctx;
    did_log_source src;
    uint8_t root[DID_LOG_HASH_LEN];
    int rc;

    if (!s->behind)
        return DID_OK;
    if (s->size < s->cp_size)
        return did_err_set(err, DID_ERR_LOG_STATE,
                           "log store: size %llu is behind the published checkpoint of size "
                           "%llu: refusing to sign",
                           (unsigned long long)s->size, (unsigned long long)s->cp_size);
    if ((rc = did_log_i_read_begin(s, &txn, err)) != DID_OK)
        return rc;
    did_log_i_source(s, txn, &ctx, &src);
    rc = did_log_root(&src, s->cp_size, root, err);
    did_log_i_read_end(s, txn);
    if (rc != DID_OK)
        return rc;
    if (memcmp(root, s->cp_root, DID_LOG_HASH_LEN) != 0)
        return did_err_set(err, DID_ERR_LOG_STATE,
                           "log store: root at size %llu differs from the published checkpoint: "
                           "refusing to sign",
                           (unsigned long long)s->cp_size);
    pthread_mutex_lock(&s->mu);
    s->behind = 0;
    pthread_mutex_unlock(&s->mu);
    return DID_OK;
}

/* Signs the committed head unless a checkpoint covers it already. The only place that signs:
 * sizes only grow, so one size never gets two roots. */
static int cp_sign(did_log_store *s, const ck_key *key, did_err *err)
{
    did_buf note;
    int rc;

    if ((rc = catch_up(s, err)) != DID_OK)
        return rc;
    if (s->has_cp && s->cp_size == s->size)
        return DID_OK;
    did_log_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    cp.origin = s->origin;
    cp.origin_len = s->origin_len;
    cp.size = s->size;
    memcpy(cp.root, s->root, DID_LOG_HASH_LEN);
    did_buf_init(&note);
    if ((rc = did_log_checkpoint_sign(&cp, key, NULL, 0, &note, err)) != DID_OK) {
        did_buf_clear(&note);
        return rc;
    }
    pthread_mutex_lock(&s->mu);
    did_buf_clear(&s->cp_note);
    s->cp_note = note;
    s->has_cp = 1;
    s->cp_size = cp.size;
    memcpy(s->cp_root, cp.root, DID_LOG_HASH_LEN);
    s->cp_stored = 0;
    pthread_mutex_unlock(&s->mu);
    return DID_OK;
}

/* Stores the latest checkpoint if it is not yet, and binds the verifier key if asked. */
static int cp_store(did_log_store *s, const did_log_vkey *bind, did_err *err)
{
    did_buf vk;
    int rc = DID_OK;
    int put_cp = s->has_cp && !s->cp_stored;

    if (!put_cp && bind == NULL)
        return DID_OK;
    did_buf_init(&vk);
    if (bind != NULL && (rc = did_log_vkey_format(bind, &vk, err)) != DID_OK)
        goto done;
    for (;;) {
        MDB_txn *txn = NULL;
        if ((rc = write_begin(s, &txn, err)) != DID_OK)
            goto done;
        if (put_cp)
            rc = put_pending_checkpoint(s, txn, err);
        if (rc == DID_OK && bind != NULL) {
            MDB_val key = {4, (void *)"vkey"}, val = {vk.len, vk.data};
            int m = mdb_put(txn, s->db_meta, &key, &val, 0);
            if (m != MDB_SUCCESS)
                rc = put_fail(s, m, "put meta vkey", err);
        }
        if (rc == DID_OK) {
            int m = mdb_txn_commit(txn);
            txn = NULL;
            if (m != MDB_SUCCESS)
                rc = m == MDB_MAP_FULL ? MAP_FULL_RC
                                       : did_log_i_mdb_err(err, m, "commit checkpoint");
        }
        if (txn != NULL)
            mdb_txn_abort(txn);
        if (rc != MAP_FULL_RC)
            break;
        if ((rc = grow_map(s, err)) != DID_OK)
            goto done;
    }
    if (rc != DID_OK)
        goto done;
    if (put_cp)
        s->cp_stored_at_ms = mono_ms();
    pthread_mutex_lock(&s->mu);
    if (put_cp)
        s->cp_stored = 1;
    if (bind != NULL) {
        s->vkey = *bind;
        s->has_vkey = 1;
    }
    s->st.commits++;
    pthread_mutex_unlock(&s->mu);
done:
    did_buf_clear(&vk);
    return rc;
}

static void do_checkpoint(did_log_store *s, log_req *r)
{
    did_log_vkey k;
    const did_log_vkey *bind = NULL;
    int rc;

    if (s->broken) {
        r->rc = did_err_set(&r->err, DID_ERR_LOG_STATE,
                            "log store: stopped after an invariant failure");
        return;
    }
    if ((rc = did_log_vkey_from_key(r->sign_key, s->origin, s->origin_len, &k, &r->err)) !=
        DID_OK) {
        r->rc = rc;
        return;
    }
    if (s->has_vkey) {
        if (k.key_id != s->vkey.key_id || memcmp(k.pub, s->vkey.pub, sizeof k.pub) != 0) {
            r->rc =
                did_err_set(&r->err, DID_ERR_LOG_KEY, "log store: not the key this log signs with");
            return;
        }
    } else {
        bind = &k;
    }
    if ((rc = cp_sign(s, r->sign_key, &r->err)) != DID_OK ||
        (rc = cp_store(s, bind, &r->err)) != DID_OK) {
        r->rc = rc;
        return;
    }
    if (did_buf_append(r->note, s->cp_note.data, s->cp_note.len) != DID_OK)
        r->rc = did_err_set(&r->err, DID_ERR_NOMEM, "log store: out of memory");
}

static void do_batch(did_log_store *s, log_req *batch, size_t n)
{
    batch_out b;
    did_err be;
    int rc = DID_OK, any = 0;

    did_err_clear(&be);
    for (log_req *r = batch; r != NULL; r = r->next)
        any |= r->kind == LOG_REQ_APPEND;
    if (any) {
        if (s->broken)
            rc = did_err_set(&be, DID_ERR_LOG_STATE,
                             "log store: stopped after an invariant failure");
        else
            for (;;) {
                rc = batch_txn(s, batch, &b, &be);
                if (rc != MAP_FULL_RC)
                    break;
                if ((rc = grow_map(s, &be)) != DID_OK)
                    break;
            }
        if (rc != DID_OK) {
            for (log_req *r = batch; r != NULL; r = r->next)
                if (r->kind == LOG_REQ_APPEND) {
                    r->rc = rc;
                    r->err = be;
                }
        } else {
            if (b.appended > 0)
                s->peaks = b.work;
            pthread_mutex_lock(&s->mu);
            if (b.appended > 0) {
                s->size = b.work.size;
                memcpy(s->root, b.root, DID_LOG_HASH_LEN);
            }
            if (b.stored_cp) {
                s->cp_stored = 1;
                s->cp_stored_at_ms = mono_ms();
            }
            if (b.appended > 0 || b.stored_cp)
                s->st.commits++;
            s->st.appended += b.appended;
            s->st.duplicates += b.dups;
            if (n > s->st.max_batch)
                s->st.max_batch = n;
            for (log_req *r = batch; r != NULL; r = r->next)
                if (r->kind == LOG_REQ_APPEND)
                    r->res.size = s->size;
            pthread_mutex_unlock(&s->mu);
            /* Sign before answering, so that a proof is available when an append returns.
             * Only over the head just committed; failure (e.g. behind a checkpoint) only
             * means no automatic checkpoint this time. */
            if (s->auto_key != NULL && b.appended > 0) {
                did_err ignored;
                (void)cp_sign(s, s->auto_key, &ignored);
            }
        }
    }
    for (log_req *r = batch; r != NULL; r = r->next)
        if (r->kind == LOG_REQ_CHECKPOINT)
            do_checkpoint(s, r);
}

void *did_log_i_writer_main(void *arg)
{
    did_log_store *s = arg;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->head == NULL && !s->closing) {
            s->writer_idle = 1;
            pthread_cond_wait(&s->work_cv, &s->mu);
            s->writer_idle = 0;
        }
        if (s->head == NULL)
            break; /* closing and drained */
        log_req *batch = s->head, *last = s->head;
        size_t n = 1, bytes = last->kind == LOG_REQ_APPEND ? last->len : 0;
        while (last->next != NULL && n < s->batch_max_entries) {
            size_t add = last->next->kind == LOG_REQ_APPEND ? last->next->len : 0;
            if (bytes + add > s->batch_max_bytes)
                break;
            last = last->next;
            bytes += add;
            n++;
        }
        s->head = last->next;
        if (s->head == NULL)
            s->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->mu);

        do_batch(s, batch, n);

        /* Wake the submitters without holding mu, so that they do not queue up on it while
         * the next batch forms. */
        for (log_req *r = batch, *next; r != NULL; r = next) {
            next = r->next; /* r belongs to its caller once posted */
            sem_post(r->done);
        }
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    /* Keep the last automatic checkpoint. */
    did_err ignored;
    if (!s->broken)
        (void)cp_store(s, NULL, &ignored);
    return NULL;
}

int did_log_i_submit(did_log_store *s, log_req *first, log_req *last, size_t n, sem_t *sem,
                     did_err *err)
{
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->mu);
        return did_err_set(err, DID_ERR_LOG_CLOSED, "log store: closing");
    }
    last->next = NULL;
    if (s->tail != NULL)
        s->tail->next = first;
    else
        s->head = first;
    s->tail = last;
    if (s->writer_idle)
        pthread_cond_signal(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
    /* The store may be closed and freed as soon as the writer answered the last request: from
     * here on only the caller's own memory is touched. */
    for (size_t i = 0; i < n; i++)
        while (sem_wait(sem) != 0 && errno == EINTR)
            ;
    return DID_OK;
}

/* ---- the callers' side: appends and checkpoint requests ------------------------------------ */

static int append_prepare(const did_log_append_req *q, log_req *r, did_err *err)
{
    did_log_entry e;
    int rc;
    if ((rc = did_log_i_request_key(q->service_id, q->service_id_len, q->request_id,
                                    q->request_id_len, r->req_key, err)) != DID_OK)
        return rc;
    if ((rc = did_log_entry_decode(q->entry, q->len, &e, err)) != DID_OK)
        return rc;
    if (e.service_id_len != q->service_id_len ||
        memcmp(e.service_id, q->service_id, q->service_id_len) != 0 ||
        e.request_id_len != q->request_id_len ||
        memcmp(e.request_id, q->request_id, q->request_id_len) != 0)
        return did_err_set(err, DID_ERR_ARG,
                           "log store: service id or request id differs from the entry's");
    if ((rc = did_log_leaf_hash(q->entry, q->len, r->leaf, err)) != DID_OK)
        return rc;
    memset(&r->res, 0, sizeof r->res);
    r->kind = LOG_REQ_APPEND;
    r->entry = q->entry;
    r->len = q->len;
    r->rc = DID_OK;
    did_err_clear(&r->err);
    return DID_OK;
}

int did_log_append(did_log_store *s, const uint8_t *service_id, size_t service_id_len,
                   const uint8_t *request_id, size_t request_id_len, const uint8_t *entry,
                   size_t len, did_log_append_result *res, did_err *err)
{
    did_log_append_req q = {service_id, service_id_len, request_id, request_id_len, entry, len};
    log_req r;
    sem_t sem;
    int rc;

    if (s == NULL || res == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    memset(res, 0, sizeof *res);
    if ((rc = append_prepare(&q, &r, err)) != DID_OK)
        return rc;
    if (sem_init(&sem, 0, 0) != 0)
        return did_err_set(err, DID_ERR_INTERNAL, "log store: sem_init failed");
    r.done = &sem;
    rc = did_log_i_submit(s, &r, &r, 1, &sem, err);
    sem_destroy(&sem);
    if (rc != DID_OK)
        return rc;
    if (r.rc != DID_OK) {
        if (err != NULL)
            *err = r.err;
        return r.rc;
    }
    *res = r.res;
    return DID_OK;
}

int did_log_append_many(did_log_store *s, const did_log_append_req *reqs, size_t n,
                        did_log_append_result *results, int *codes, did_err *err)
{
    log_req *r = NULL, *first = NULL, *last = NULL;
    sem_t sem;
    size_t queued = 0;
    int rc, first_rc = DID_OK;

    if (s == NULL || (n > 0 && (reqs == NULL || results == NULL || codes == NULL)))
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    if (n == 0)
        return DID_OK;
    if (n > SIZE_MAX / sizeof *r || (r = malloc(n * sizeof *r)) == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "log store: out of memory");
    if (sem_init(&sem, 0, 0) != 0) {
        free(r);
        return did_err_set(err, DID_ERR_INTERNAL, "log store: sem_init failed");
    }
    for (size_t i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof results[i]);
        codes[i] = append_prepare(&reqs[i], &r[i], &r[i].err);
        if (codes[i] != DID_OK) {
            if (first_rc == DID_OK) {
                first_rc = codes[i];
                if (err != NULL)
                    *err = r[i].err;
            }
            continue;
        }
        r[i].done = &sem;
        if (last != NULL)
            last->next = &r[i];
        else
            first = &r[i];
        last = &r[i];
        queued++;
    }
    if (queued > 0) {
        rc = did_log_i_submit(s, first, last, queued, &sem, err);
        if (rc != DID_OK) {
            for (size_t i = 0; i < n; i++)
                if (codes[i] == DID_OK)
                    codes[i] = rc;
            first_rc = rc;
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            if (codes[i] != DID_OK)
                continue;
            codes[i] = r[i].rc;
            if (r[i].rc == DID_OK)
                results[i] = r[i].res;
            else if (first_rc == DID_OK) {
                first_rc = r[i].rc;
                if (err != NULL)
                    *err = r[i].err;
            }
        }
    }
out:
    sem_destroy(&sem);
    free(r);
    return first_rc;
}

int did_log_store_checkpoint(did_log_store *s, const ck_key *key, did_buf *note, did_err *err)
{
    log_req r;
    sem_t sem;
    if (s == NULL || key == NULL || note == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    if (ck_key_get_type(key) != CK_KEY_ED25519 || !ck_key_has_private(key))
        return did_err_set(err, DID_ERR_LOG_KEY, "log store: a private Ed25519 key is required");
    memset(&r, 0, sizeof r);
    r.kind = LOG_REQ_CHECKPOINT;
    r.sign_key = key;
    r.note = note;
    if (sem_init(&sem, 0, 0) != 0)
        return did_err_set(err, DID_ERR_INTERNAL, "log store: sem_init failed");
    r.done = &sem;
    int rc = did_log_i_submit(s, &r, &r, 1, &sem, err);
    sem_destroy(&sem);
    if (rc == DID_OK && r.rc != DID_OK) {
        if (err != NULL)
            *err = r.err;
        rc = r.rc;
    }
    return rc;
}
