/*
 * log_store.c -- the audit log on LMDB: opening and checking a store, reads, proofs and the
 * caller's side of appends and checkpoints (did/log_store.h, spec/auditlog.md "Storage").
 * The writer thread and everything it writes are in log_writer.c.
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

/* ---- small helpers shared with log_writer.c ----------------------------------------------- */

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
        return rc == MDB_MAP_FULL ? -1 : did_log_i_mdb_err(err, rc, "put meta state");
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
        if (rc < 0)
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
            did_log_i_name_check(v.mv_data, v.mv_size, DID_ERR_LOG_STATE, "stored origin",
                                 err) != DID_OK) {
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
            rc = did_err_set(err, DID_ERR_LOG_KEY, "log store: checkpoint_key is not the log's key");
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
static int check_note(did_log_store *s, const uint8_t *p, size_t n, uint64_t size,
                      did_log_checkpoint *cp, did_err *err)
{
    did_log_note note;
    int rc = did_log_note_parse(p, n, &note, err);
    if (rc == DID_OK)
        rc = did_log_checkpoint_parse(note.text, note.text_len, cp, err);
    if (rc == DID_OK && s->has_vkey)
        rc = did_log_note_verify(&note, &s->vkey, 1, NULL, NULL, err);
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
        rc = did_err_set(err, DID_ERR_LOG_STATE,
                         "log store: nodes end at %llu, %llu expected for size %llu",
                         found ? (unsigned long long)last : 0ULL,
                         (unsigned long long)(did_log_node_count(size) - 1),
                         (unsigned long long)size);
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
        if ((rc = check_note(s, v.mv_data, v.mv_size, cps, &cp, err)) != DID_OK)
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
    pthread_cond_destroy(&s->idle_cv);
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
    if (o.origin != NULL &&
        (rc = did_log_i_name_check(o.origin, o.origin_len, DID_ERR_ARG, "log store: origin",
                                   err)) != DID_OK)
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
    pthread_cond_init(&s->idle_cv, NULL);
    s->auto_key = o.checkpoint_key;
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
        (rc = mdb_env_set_maxreaders(s->env, o.max_readers ? o.max_readers
                                                           : DID_LOG_STORE_MAX_READERS)) !=
            MDB_SUCCESS ||
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
    /* The writer answered every queued request before it ended; wait for those callers to
     * leave the store, then for readers. */
    pthread_mutex_lock(&s->mu);
    while (s->callers > 0)
        pthread_cond_wait(&s->idle_cv, &s->mu);
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

/* ---- appending ----------------------------------------------------------------------------- */

static int request_key(const uint8_t *svc, size_t svc_len, const uint8_t *req, size_t req_len,
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

int did_log_append(did_log_store *s, const uint8_t *service_id, size_t service_id_len,
                   const uint8_t *request_id, size_t request_id_len, const uint8_t *entry,
                   size_t len, did_log_append_result *res, did_err *err)
{
    log_req r;
    did_log_entry e;
    int rc;

    if (s == NULL || res == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    memset(res, 0, sizeof *res);
    if ((rc = request_key(service_id, service_id_len, request_id, request_id_len, r.req_key,
                          err)) != DID_OK)
        return rc;
    if ((rc = did_log_entry_decode(entry, len, &e, err)) != DID_OK)
        return rc;
    if (e.service_id_len != service_id_len ||
        memcmp(e.service_id, service_id, service_id_len) != 0 ||
        e.request_id_len != request_id_len ||
        memcmp(e.request_id, request_id, request_id_len) != 0)
        return did_err_set(err, DID_ERR_ARG,
                           "log store: service id or request id differs from the entry's");
    if ((rc = did_log_leaf_hash(entry, len, r.leaf, err)) != DID_OK)
        return rc;
    r.kind = LOG_REQ_APPEND;
    r.entry = entry;
    r.len = len;
    rc = did_log_i_submit(s, &r, err);
    if (rc == DID_OK)
        *res = r.res;
    return rc;
}

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
    if ((rc = request_key(service_id, service_id_len, request_id, request_id_len, k, err)) !=
            DID_OK ||
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
        rc = src_get(&ctx, op->a, 1, op->hash, err);
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

int did_log_store_checkpoint(did_log_store *s, const ck_key *key, did_buf *note, did_err *err)
{
    log_req r;
    if (s == NULL || key == NULL || note == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    if (ck_key_get_type(key) != CK_KEY_ED25519 || !ck_key_has_private(key))
        return did_err_set(err, DID_ERR_LOG_KEY, "log store: a private Ed25519 key is required");
    r.kind = LOG_REQ_CHECKPOINT;
    r.sign_key = key;
    r.note = note;
    return did_log_i_submit(s, &r, err);
}

int did_log_store_latest_checkpoint(did_log_store *s, did_buf *note, uint64_t *size,
                                    did_err *err)
{
    int rc = DID_OK;
    if (s == NULL || size == NULL)
        return did_err_set(err, DID_ERR_ARG, "log store: NULL argument");
    pthread_mutex_lock(&s->mu);
    if (!s->has_cp)
        rc = did_err_set(err, DID_ERR_LOG_SIZE, "log store: no checkpoint signed yet");
    else if (note != NULL && did_buf_append(note, s->cp_note.data, s->cp_note.len) != DID_OK)
        rc = did_err_set(err, DID_ERR_NOMEM, "log store: out of memory");
    else
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
