/*
 * log_store.c -- the audit log on LMDB: opening and checking a store, closing it, and the
 * helpers the other store files share (the read gate around map growth, the node source,
 * request keys) (did/log_store.h, spec/auditlog.md "Storage"). Reads are in log_store_read.c,
 * the full check in log_store_verify.c, the write path in log_writer.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_internal.h"
#include "log_store_internal.h"

#define LOG_FORMAT_VERSION 1
#define LOG_LOCK_FILE "civid-log.lock"

/* ---- helpers shared by the store files ------------------------------------------------- */

int did_log_i_mdb_err(did_err *err, int rc, const char *what)
{
    return did_err_set(err, DID_ERR_LOG_STORE, "log store: %s: %s", what, mdb_strerror(rc));
}

void did_log_i_be64(uint64_t v, uint8_t out[8])
{
    did_log_u64_write(v, out);
}

static void gate_enter(did_log_store *s)
{
    pthread_mutex_lock(&s->gate_mu);
    while (s->resizing)
        pthread_cond_wait(&s->gate_cv, &s->gate_mu);
    s->readers++;
    pthread_mutex_unlock(&s->gate_mu);
}

static void gate_leave(did_log_store *s)
{
    pthread_mutex_lock(&s->gate_mu);
    s->readers--;
    if (s->readers == 0 && s->resizing)
        pthread_cond_broadcast(&s->gate_cv);
    pthread_mutex_unlock(&s->gate_mu);
}

int did_log_i_set_mapsize(did_log_store *s, size_t size, did_err *err)
{
    pthread_mutex_lock(&s->gate_mu);
    while (s->resizing) /* another thread adopting a foreign resize: wait for it */
        pthread_cond_wait(&s->gate_cv, &s->gate_mu);
    s->resizing = 1;
    while (s->readers > 0)
        pthread_cond_wait(&s->gate_cv, &s->gate_mu);
    int rc = mdb_env_set_mapsize(s->env, size);
    s->resizing = 0;
    pthread_cond_broadcast(&s->gate_cv);
    pthread_mutex_unlock(&s->gate_mu);
    if (rc != MDB_SUCCESS)
        return did_log_i_mdb_err(err, rc, "mdb_env_set_mapsize");
    return DID_OK;
}

int did_log_i_read_begin(did_log_store *s, MDB_txn **txn, did_err *err)
{
    for (int attempt = 0;; attempt++) {
        gate_enter(s);
        int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
        if (rc == MDB_SUCCESS)
            return DID_OK;
        gate_leave(s);
        /* Only if another process grew the map (we are the only writer, so this would be a
         * tool such as mdb_copy writing): adopt its size once and retry. */
        if (rc != MDB_MAP_RESIZED || attempt > 0)
            return did_log_i_mdb_err(err, rc, "mdb_txn_begin (read)");
        int r2 = did_log_i_set_mapsize(s, 0, err);
        if (r2 != DID_OK)
            return r2;
    }
}

void did_log_i_read_end(did_log_store *s, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    gate_leave(s);
}

static int src_get(void *user, uint64_t start, uint64_t size, uint8_t out[DID_LOG_HASH_LEN],
                   did_err *err)
{
    log_src_ctx *c = user;
    uint64_t idx = did_log_subtree_index(start, size);
    uint8_t k[8];
    MDB_val key = {8, k}, val;

    if (idx == UINT64_MAX)
        return did_err_set(err, DID_ERR_INTERNAL, "log store: [%llu, +%llu) is not a subtree",
                           (unsigned long long)start, (unsigned long long)size);
    did_log_i_be64(idx, k);
    int rc = mdb_get(c->txn, c->s->db_nodes, &key, &val);
    if (rc == MDB_NOTFOUND)
        return did_err_set(err, DID_ERR_LOG_STATE, "log store: node %llu missing",
                           (unsigned long long)idx);
    if (rc != MDB_SUCCESS)
        return did_log_i_mdb_err(err, rc, "read nodes");
    if (val.mv_size != DID_LOG_HASH_LEN)
        return did_err_set(err, DID_ERR_LOG_STATE, "log store: node %llu has %zu bytes",
                           (unsigned long long)idx, val.mv_size);
    memcpy(out, val.mv_data, DID_LOG_HASH_LEN);
    return DID_OK;
}

void did_log_i_source(did_log_store *s, MDB_txn *txn, log_src_ctx *ctx, did_log_source *src)
{
    ctx->s = s;
    ctx->txn = txn;
    src->get_subtree = src_get;
    src->user = ctx;
}

int did_log_i_state_put(did_log_store *s, MDB_txn *txn, const did_log_peaks *p,
                        const uint8_t root[DID_LOG_HASH_LEN], did_err *err)
{
    uint8_t buf[8 + DID_LOG_HASH_LEN + DID_LOG_PEAKS_MAX * DID_LOG_HASH_LEN];
    size_t n = 8 + DID_LOG_HASH_LEN;
    did_log_i_be64(p->size, buf);
    memcpy(buf + 8, root, DID_LOG_HASH_LEN);
    for (size_t i = 0; i < p->n; i++, n += DID_LOG_HASH_LEN)
        memcpy(buf + n, p->hash[i], DID_LOG_HASH_LEN);
    MDB_val key = {5, (void *)"state"}, val = {n, buf};
    int rc = mdb_put(txn, s->db_meta, &key, &val, 0);
    if (rc != MDB_SUCCESS)
        return rc == MDB_MAP_FULL ? DID_LOG_I_MAP_FULL
                                  : did_log_i_mdb_err(err, rc, "put meta state");
    return DID_OK;
}

/* ---- opening ------------------------------------------------------------------------------- */

void did_log_store_opts_init(did_log_store_opts *opts)
{
    if (opts != NULL)
        memset(opts, 0, sizeof *opts);
}

static int meta_get(did_log_store *s, MDB_txn *txn, const char *name, MDB_val *val, int *found,
                    did_err *err)
{
    MDB_val key = {strlen(name), (void *)name};
    int rc = mdb_get(txn, s->db_meta, &key, val);
    *found = rc == MDB_SUCCESS;
    if (rc == MDB_SUCCESS || rc == MDB_NOTFOUND)
        return DID_OK;
    return did_log_i_mdb_err(err, rc, "read meta");
}

static int meta_put(did_log_store *s, MDB_txn *txn, const char *name, const void *p, size_t n,
                    did_err *err)
{
    MDB_val key = {strlen(name), (void *)name}, val = {n, (void *)p};
    int rc = mdb_put(txn, s->db_meta, &key, &val, 0);
    if (rc != MDB_SUCCESS)
        return did_log_i_mdb_err(err, rc, "write meta");
    return DID_OK;
}

static int dbi_open(MDB_txn *txn, const char *name, unsigned flags, MDB_dbi *dbi, did_err *err)
{
    int rc = mdb_dbi_open(txn, name, flags, dbi);
    if (rc == MDB_NOTFOUND)
        return did_err_set(err, DID_ERR_LOG_STORE, "log store: no log here (database %s missing)",
                           name);
    if (rc != MDB_SUCCESS)
        return did_log_i_mdb_err(err, rc, name);
    return DID_OK;
}

static int vkey_equal(const did_log_vkey *a, const did_log_vkey *b)
{
    return a->key_id == b->key_id && a->type == b->type && a->name_len == b->name_len &&
           memcmp(a->name, b->name, a->name_len) == 0 && memcmp(a->pub, b->pub, 32) == 0;
}

/* Creates the sub-databases and meta of a new log, or reads the parameters of an existing one,
 * in one write transaction (the directory is locked, so we are its only writer). */
static int open_params(did_log_store *s, const did_log_store_opts *o, did_err *err)
{
    MDB_txn *txn = NULL;
    MDB_val v;
    int found, rc;
    unsigned cf = o->create ? MDB_CREATE : 0;
    did_buf vk;
    did_buf_init(&vk);

    rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS) {
        txn = NULL;
        rc = did_log_i_mdb_err(err, rc, "mdb_txn_begin");
        goto out;
    }
    if ((rc = dbi_open(txn, "meta", cf, &s->db_meta, err)) != DID_OK ||
        (rc = dbi_open(txn, "entries", cf, &s->db_entries, err)) != DID_OK ||
        (rc = dbi_open(txn, "nodes", cf, &s->db_nodes, err)) != DID_OK ||
        (rc = dbi_open(txn, "by_request", cf, &s->db_by_request, err)) != DID_OK ||
        (rc = dbi_open(txn, "checkpoints", cf, &s->db_checkpoints, err)) != DID_OK ||
        (rc = dbi_open(txn, "tst", cf, &s->db_tst, err)) != DID_OK ||
        (rc = dbi_open(txn, "blobs", cf, &s->db_blobs, err)) != DID_OK)
        goto out;
    if ((rc = meta_get(s, txn, "format", &v, &found, err)) != DID_OK)
        goto out;
    if (!found) {
        if (!o->create) {
            rc = did_err_set(err, DID_ERR_LOG_STORE, "log store: no log here (meta empty)");
            goto out;
        }
        if (o->origin == NULL) {
            rc = did_err_set(err, DID_ERR_ARG, "log store: origin required to create a log");
            goto out;
        }
        uint8_t fmt = LOG_FORMAT_VERSION, root[DID_LOG_HASH_LEN];
        did_log_peaks empty;
        did_log_peaks_init(&empty);
        if ((rc = did_log_peaks_root(&empty, root, err)) != DID_OK ||
            (rc = meta_put(s, txn, "format", &fmt, 1, err)) != DID_OK ||
            (rc = meta_put(s, txn, "origin", o->origin, o->origin_len, err)) != DID_OK)
            goto out;
        rc = did_log_i_state_put(s, txn, &empty, root, err);
        if (rc == DID_LOG_I_MAP_FULL)
            rc = did_err_set(err, DID_ERR_LOG_STORE, "log store: map full while creating");
        if (rc != DID_OK)
            goto out;
        memcpy(s->origin, o->origin, o->origin_len);
        s->origin_len = o->origin_len;
    } else {
        if (v.mv_size != 1 || *(const uint8_t *)v.mv_data != LOG_FORMAT_VERSION) {
            rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: unknown format");
            goto out;
        }
        if ((rc = meta_get(s, txn, "origin", &v, &found, err)) != DID_OK)
            goto out;
        if (!found || v.mv_size == 0 || v.mv_size > DID_LOG_ORIGIN_MAX ||
            did_log_i_name_check(v.mv_data, v.mv_size, DID_ERR_LOG_STATE, "stored origin", err) !=
                DID_OK) {
            rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: stored origin missing or invalid");
            goto out;
        }
        memcpy(s->origin, v.mv_data, v.mv_size);
        s->origin_len = v.mv_size;
        if (o->origin != NULL &&
            (o->origin_len != s->origin_len || memcmp(o->origin, s->origin, s->origin_len))) {
            rc = did_err_set(err, DID_ERR_LOG_ORIGIN, "log store: the log's origin is %s",
                             s->origin);
            goto out;
        }
    }
    s->origin[s->origin_len] = 0;
    if ((rc = meta_get(s, txn, "vkey", &v, &found, err)) != DID_OK)
        goto out;
    if (found) {
        if ((rc = did_log_vkey_parse(v.mv_data, v.mv_size, &s->vkey, err)) != DID_OK ||
            s->vkey.name_len != s->origin_len || memcmp(s->vkey.name, s->origin, s->origin_len)) {
            rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: stored verifier key invalid");
            goto out;
        }
        s->has_vkey = 1;
    }
    if (o->checkpoint_key != NULL) {
        did_log_vkey k;
        if ((rc = did_log_vkey_from_key(o->checkpoint_key, s->origin, s->origin_len, &k, err)) !=
            DID_OK)
            goto out;
        if (s->has_vkey && !vkey_equal(&k, &s->vkey)) {
            rc =
                did_err_set(err, DID_ERR_LOG_KEY, "log store: checkpoint_key is not the log's key");
            goto out;
        }
        if (!s->has_vkey) {
            if ((rc = did_log_vkey_format(&k, &vk, err)) != DID_OK ||
                (rc = meta_put(s, txn, "vkey", vk.data, vk.len, err)) != DID_OK)
                goto out;
            s->vkey = k;
            s->has_vkey = 1;
        }
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc != MDB_SUCCESS)
        rc = rc == MDB_MAP_FULL ? did_err_set(err, DID_ERR_LOG_STORE,
                                              "log store: map full at open (map_size too small)")
                                : did_log_i_mdb_err(err, rc, "commit at open");
out:
    if (txn != NULL)
        mdb_txn_abort(txn);
    did_buf_clear(&vk);
    return rc;
}

static int last_key(MDB_txn *txn, MDB_dbi dbi, int *found, uint64_t *key, MDB_val *val,
                    const char *what, did_err *err)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, dbi, &c);
    if (rc != MDB_SUCCESS)
        return did_log_i_mdb_err(err, rc, what);
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    mdb_cursor_close(c);
    *found = 0;
    if (rc == MDB_NOTFOUND)
        return DID_OK;
    if (rc != MDB_SUCCESS)
        return did_log_i_mdb_err(err, rc, what);
    if (k.mv_size != 8)
        return did_err_set(err, DID_ERR_LOG_STATE, "log store: %s: key of %zu bytes", what,
                           k.mv_size);
    *found = 1;
    *key = did_log_u64_read(k.mv_data);
    if (val != NULL)
        *val = v;
    return DID_OK;
}

/* Checks a stored checkpoint note: it parses, is for this origin and size and, once the log has
 * a key, carries a valid signature by it. */
int did_log_i_check_note(const did_log_store *s, const did_log_vkey *vk, const uint8_t *p, size_t n,
                         uint64_t size, did_log_checkpoint *cp, did_err *err)
{
    did_log_note note;
    int rc = did_log_note_parse(p, n, &note, err);
    if (rc == DID_OK)
        rc = did_log_checkpoint_parse(note.text, note.text_len, cp, err);
    if (rc == DID_OK && vk != NULL)
        rc = did_log_note_verify(&note, vk, 1, NULL, NULL, err);
    if (rc != DID_OK) {
        did_err_prefix(err, "log store: stored checkpoint");
        if (err != NULL)
            err->code = DID_ERR_LOG_STATE;
        return DID_ERR_LOG_STATE;
    }
    if (cp->size != size || cp->origin_len != s->origin_len ||
        memcmp(cp->origin, s->origin, s->origin_len) != 0)
        return did_err_set(err, DID_ERR_LOG_STATE,
                           "log store: stored checkpoint under size %llu is for another log or "
                           "size",
                           (unsigned long long)size);
    return DID_OK;
}

/* The start-up checks (spec/auditlog.md "Opening"): the stored state decodes; entries and nodes
 * end exactly where the size says; the peaks reloaded from the nodes give the stored peaks and
 * root; the latest checkpoint verifies and, if the log is not behind it, its root is the root
 * recomputed at its size. */
static int check_state(did_log_store *s, did_err *err)
{
    MDB_txn *txn = NULL;
    MDB_val v;
    int found, rc;
    uint64_t last;
    log_src_ctx ctx;
    did_log_source src;
    uint8_t root[DID_LOG_HASH_LEN], meta_root[DID_LOG_HASH_LEN];

    if ((rc = did_log_i_read_begin(s, &txn, err)) != DID_OK)
        return rc;
    did_log_i_source(s, txn, &ctx, &src);
    if ((rc = meta_get(s, txn, "state", &v, &found, err)) != DID_OK)
        goto out;
    if (!found || v.mv_size < 8 + DID_LOG_HASH_LEN) {
        rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: meta state missing");
        goto out;
    }
    uint64_t size = did_log_u64_read(v.mv_data);
    size_t np = (size_t)__builtin_popcountll(size);
    if (size > DID_LOG_SIZE_MAX || v.mv_size != 8 + DID_LOG_HASH_LEN + np * DID_LOG_HASH_LEN) {
        rc = did_err_set(err, DID_ERR_LOG_STATE, "log store: meta state malformed");
        goto out;
    }
    memcpy(meta_root, (const uint8_t *)v.mv_data + 8, DID_LOG_HASH_LEN);
    const uint8_t *meta_peaks = (const uint8_t *)v.mv_data + 8 + DID_LOG_HASH_LEN;

    if ((rc = last_key(txn, s->db_entries, &found, &last, NULL, "entries", err)) != DID_OK)
        goto out;
    if ((size == 0) != !found || (found && last != size - 1)) {
        rc = did_err_set(err, DID_ERR_LOG_STATE,
                         "log store: entries end at %s%llu, the stored size is %llu",
                         found ? "" : "none ", found ? (unsigned long long)last : 0ULL,
                         (unsigned long long)size);
        goto out;
    }
    if ((rc = last_key(txn, s->db_nodes, &found, &last, NULL, "nodes", err)) != DID_OK)
        goto out;
    if ((size == 0) != !found || (found && last != did_log_node_count(size) - 1)) {
        rc = did_err_set(
            err, DID_ERR_LOG_STATE, "log store: nodes end at %llu, %llu expected for size %llu",
            found ? (unsigned long long)last : 0ULL,
            (unsigned long long)(did_log_node_count(size) - 1), (unsigned long long)size);
        goto out;
    }
    if ((rc = did_log_peaks_load(&s->peaks, &src, size, err)) != DID_OK ||
        (rc = did_log_peaks_root(&s->peaks, root, err)) != DID_OK)
        goto out;
    if (memcmp(root, meta_root, DID_LOG_HASH_LEN) != 0 ||
        (np > 0 && memcmp(meta_peaks, s->peaks.hash, np * DID_LOG_HASH_LEN) != 0)) {
        rc = did_err_set(err, DID_ERR_LOG_STATE,
                         "log store: root recomputed from the nodes differs from the stored "
                         "state (size %llu)",
                         (unsigned long long)size);
        goto out;
    }
    s->size = size;
    memcpy(s->root, root, DID_LOG_HASH_LEN);

    /* Only the latest checkpoint is checked against the tree: each one was signed over a
     * committed head of this append-only tree and stored under a strictly larger size, so
     * the latest matching the tree implies the earlier ones did when they were signed. */
    uint64_t cps;
    if ((rc = last_key(txn, s->db_checkpoints, &found, &cps, &v, "checkpoints", err)) != DID_OK)
        goto out;
    if (found) {
        did_log_checkpoint cp;
        if ((rc = did_log_i_check_note(s, s->has_vkey ? &s->vkey : NULL, v.mv_data, v.mv_size, cps,
                                       &cp, err)) != DID_OK)
            goto out;
        if (cps <= size) {
            if ((rc = did_log_root(&src, cps, root, err)) != DID_OK)
                goto out;
            if (memcmp(root, cp.root, DID_LOG_HASH_LEN) != 0) {
                rc = did_err_set(err, DID_ERR_LOG_STATE,
                                 "log store: root at size %llu differs from the checkpoint "
                                 "signed for it",
                                 (unsigned long long)cps);
                goto out;
            }
        } else {
            s->behind = 1;
        }
        if ((rc = did_buf_append(&s->cp_note, v.mv_data, v.mv_size)) != DID_OK) {
            rc = did_err_set(err, rc, "log store: out of memory");
            goto out;
        }
        s->has_cp = 1;
        s->cp_stored = 1;
        s->cp_size = cps;
        memcpy(s->cp_root, cp.root, DID_LOG_HASH_LEN);
    }
    rc = DID_OK;
out:
    did_log_i_read_end(s, txn);
    return rc;
}

static void store_free(did_log_store *s)
{
    if (s->env != NULL)
        mdb_env_close(s->env);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    did_buf_clear(&s->cp_note);
    pthread_cond_destroy(&s->work_cv);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->gate_cv);
    pthread_mutex_destroy(&s->gate_mu);
    free(s->dir);
    free(s);
}

static int sync_dir(const char *dir, did_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return did_err_set(err, DID_ERR_LOG_STORE, "log store: fsync %s: %s", dir, strerror(e));
    }
    close(fd);
    return DID_OK;
}

int did_log_store_open(const char *dir, const did_log_store_opts *opts, did_log_store **out,
                       did_err *err)
{
    did_log_store_opts o;
    did_log_store *s = NULL;
    int rc, created = 0;

    if (out != NULL)
        *out = NULL;
    if (dir == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    did_log_store_opts_init(&o);
    if (opts != NULL)
        o = *opts;
    if (o.origin != NULL && o.origin_len > DID_LOG_ORIGIN_MAX)
        return did_err_set(err, DID_ERR_ARG, "log store: origin longer than %d bytes",
                           DID_LOG_ORIGIN_MAX);
    if (o.origin != NULL && (rc = did_log_i_name_check(o.origin, o.origin_len, DID_ERR_ARG,
                                                       "log store: origin", err)) != DID_OK)
        return rc;
    if (o.checkpoint_key != NULL && (ck_key_get_type(o.checkpoint_key) != CK_KEY_ED25519 ||
                                     !ck_key_has_private(o.checkpoint_key)))
        return did_err_set(err, DID_ERR_LOG_KEY,
                           "log store: checkpoint_key must be a private Ed25519 key");

    s = calloc(1, sizeof *s);
    if (s == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "log store: out of memory");
    s->lock_fd = -1;
    did_buf_init(&s->cp_note);
    pthread_mutex_init(&s->gate_mu, NULL);
    pthread_cond_init(&s->gate_cv, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work_cv, NULL);
    s->auto_key = o.checkpoint_key;
    s->cp_store_ms = o.checkpoint_store_ms ? o.checkpoint_store_ms : 1000;
    s->batch_max_entries = o.batch_max_entries ? o.batch_max_entries : DID_LOG_STORE_BATCH_ENTRIES;
    s->batch_max_bytes = o.batch_max_bytes ? o.batch_max_bytes : DID_LOG_STORE_BATCH_BYTES;
    s->dir = strdup(dir);
    if (s->dir == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "log store: out of memory");
        goto fail;
    }

    if (o.create) {
        if (mkdir(dir, 0700) == 0)
            created = 1;
        else if (errno != EEXIST) {
            rc = did_err_set(err, DID_ERR_LOG_STORE, "log store: mkdir %s: %s", dir,
                             strerror(errno));
            goto fail;
        }
    }
    /* One writer per log: LMDB's own writer mutex only serialises transactions, it does not
     * stop a second process from running a second sequencer over the same data. The lock is
     * released by the kernel when the process dies. */
    size_t dl = strlen(dir);
    char *lock_path = malloc(dl + sizeof "/" LOG_LOCK_FILE);
    if (lock_path == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "log store: out of memory");
        goto fail;
    }
    memcpy(lock_path, dir, dl);
    memcpy(lock_path + dl, "/" LOG_LOCK_FILE, sizeof "/" LOG_LOCK_FILE);
    s->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    int open_errno = errno;
    free(lock_path);
    if (s->lock_fd < 0) {
        rc = did_err_set(err, DID_ERR_LOG_STORE, "log store: open %s/%s: %s", dir, LOG_LOCK_FILE,
                         strerror(open_errno));
        goto fail;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK
                 ? did_err_set(err, DID_ERR_LOG_LOCKED, "log store: %s is open elsewhere", dir)
                 : did_err_set(err, DID_ERR_LOG_STORE, "log store: flock %s: %s", dir,
                               strerror(errno));
        goto fail;
    }

    if ((rc = mdb_env_create(&s->env)) != MDB_SUCCESS) {
        s->env = NULL;
        rc = did_log_i_mdb_err(err, rc, "mdb_env_create");
        goto fail;
    }
    if ((rc = mdb_env_set_maxdbs(s->env, 8)) != MDB_SUCCESS ||
        (rc = mdb_env_set_maxreaders(
             s->env, o.max_readers ? o.max_readers : DID_LOG_STORE_MAX_READERS)) != MDB_SUCCESS ||
        (rc = mdb_env_set_mapsize(s->env, o.map_size ? o.map_size : DID_LOG_STORE_MAP_DEFAULT)) !=
            MDB_SUCCESS) {
        rc = did_log_i_mdb_err(err, rc, "configure environment");
        goto fail;
    }
    /* Flags 0: full sync on every commit (fdatasync of the data, then the meta page through an
     * O_DSYNC descriptor). Never MDB_NOSYNC, MDB_NOMETASYNC, MDB_MAPASYNC or MDB_WRITEMAP:
     * an index is acknowledged only once its transaction is durable. */
    if ((rc = mdb_env_open(s->env, dir, 0, 0600)) != MDB_SUCCESS) {
        rc = did_log_i_mdb_err(err, rc, "mdb_env_open");
        goto fail;
    }
    int dead = 0;
    if ((rc = mdb_reader_check(s->env, &dead)) != MDB_SUCCESS) {
        rc = did_log_i_mdb_err(err, rc, "mdb_reader_check");
        goto fail;
    }
    if ((rc = open_params(s, &o, err)) != DID_OK || (rc = check_state(s, err)) != DID_OK)
        goto fail;
    if (created && (rc = sync_dir(dir, err)) != DID_OK)
        goto fail;
    s->st.map_size = o.map_size ? o.map_size : DID_LOG_STORE_MAP_DEFAULT;
    MDB_envinfo info;
    if (mdb_env_info(s->env, &info) == MDB_SUCCESS)
        s->st.map_size = info.me_mapsize;
    if (pthread_create(&s->writer, NULL, did_log_i_writer_main, s) != 0) {
        rc = did_err_set(err, DID_ERR_INTERNAL, "log store: cannot start the writer thread");
        goto fail;
    }
    s->writer_started = 1;
    *out = s;
    return DID_OK;
fail:
    store_free(s);
    return rc;
}

int did_log_store_close(did_log_store *s, did_err *err)
{
    if (s == NULL)
        return DID_OK;
    pthread_mutex_lock(&s->mu);
    s->closing = 1;
    pthread_cond_broadcast(&s->work_cv);
    pthread_mutex_unlock(&s->mu);
    if (s->writer_started)
        pthread_join(s->writer, NULL);
    /* The writer answered every queued request before it ended, and submitters touch only
     * their own memory after that; wait for readers. */
    pthread_mutex_lock(&s->mu);
    int rc = s->broken ? DID_ERR_LOG_STATE : DID_OK;
    int stored = !s->has_cp || s->cp_stored;
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&s->gate_mu);
    while (s->readers > 0)
        pthread_cond_wait(&s->gate_cv, &s->gate_mu);
    pthread_mutex_unlock(&s->gate_mu);
    if (rc == DID_OK && !stored)
        rc = did_err_set(err, DID_ERR_LOG_STORE,
                         "log store: the last automatic checkpoint could not be stored");
    else if (rc != DID_OK)
        rc = did_err_set(err, rc, "log store: closed after an invariant failure");
    store_free(s);
    return rc;
}

/* ---- request keys --------------------------------------------------------------------------- */

int did_log_i_request_key(const uint8_t *svc, size_t svc_len, const uint8_t *req, size_t req_len,
                          uint8_t out[DID_LOG_HASH_LEN], did_err *err)
{
    /* service id || 0x00 || request id: unambiguous because a service id is printable ASCII
     * (no 0x00), as the entry decoder and the checks below enforce. */
    uint8_t buf[DID_LOG_SERVICE_ID_MAX + 1 + DID_LOG_REQUEST_ID_MAX];
    if (svc == NULL || req == NULL || svc_len == 0 || svc_len > DID_LOG_SERVICE_ID_MAX ||
        req_len == 0 || req_len > DID_LOG_REQUEST_ID_MAX || memchr(svc, 0, svc_len) != NULL)
        return did_err_set(err, DID_ERR_ARG,
                           "log store: service id (1..%d bytes, no NUL) and request id "
                           "(1..%d bytes) required",
                           DID_LOG_SERVICE_ID_MAX, DID_LOG_REQUEST_ID_MAX);
    memcpy(buf, svc, svc_len);
    buf[svc_len] = 0;
    memcpy(buf + svc_len + 1, req, req_len);
    if (ck_sha256(buf, svc_len + 1 + req_len, out) != CK_OK)
        return did_err_set(err, DID_ERR_INTERNAL, "log store: SHA-256 failed");
    return DID_OK;
}

/* Checks one request and fills r (entry decoded, ids matching, keys and leaf hash computed). */
