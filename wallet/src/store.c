/*
 * store.c -- the LMDB environment of one wallet, the wrapped master key (the "meta" record),
 * unlocking, the passphrase, and the helpers every other file reads and writes records with.
 *
 * Databases: "meta" (one value, "key": the wrapped master key), "keys", "credentials" and
 * "history" (sealed records, keyed by their ids). The meta value (spec/wallet.md):
 *
 *   "CIVIDWLT" | version u8 = 1 | kdf u8 = 1 (Argon2id v1.3) | opslimit u64be |
 *   memlimit u64be | salt (16) | nonce (24) | master key encrypted (32) | tag (16)
 *
 * with everything before the ciphertext as the associated data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wallet_internal.h"

#define META_MAGIC "CIVIDWLT"
#define META_VERSION 1
#define KDF_ARGON2ID13 1
#define META_KEY "key"
#define META_AD_LEN (8 + 1 + 1 + 8 + 8 + CK_KDF_SALT_LEN + CK_AEAD_NONCE_LEN)
#define META_LEN (META_AD_LEN + WALLET_MASTER_KEY_LEN + CK_AEAD_TAG_LEN)

int wl_mdb_err(did_err *err, int rc, const char *what)
{
    if (rc == MDB_MAP_FULL)
        return did_err_set(err, DID_ERR_LIMIT, "%s: the wallet is full (%zu bytes)", what,
                           WALLET_MAP_SIZE);
    return did_err_set(err, WALLET_ERR_STORE, "%s: %s", what, mdb_strerror(rc));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* Wraps mk under Argon2id(pass, new salt, params) into meta[META_LEN]. */
static int wrap_master(const uint8_t *mk, const uint8_t *pass, size_t pass_len,
                       ck_kdf_params params, uint8_t meta[META_LEN], did_err *err)
{
    ck_err ce;
    uint8_t *kek = ck_secret_alloc(CK_AEAD_KEY_LEN);
    if (kek == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    size_t o = 0;
    memcpy(meta, META_MAGIC, 8);
    o = 8;
    meta[o++] = META_VERSION;
    meta[o++] = KDF_ARGON2ID13;
    put_u64(meta + o, params.opslimit);
    o += 8;
    put_u64(meta + o, params.memlimit);
    o += 8;
    uint8_t *salt = meta + o;
    ck_random(salt, CK_KDF_SALT_LEN);
    o += CK_KDF_SALT_LEN;
    uint8_t *nonce = meta + o;
    ck_random(nonce, CK_AEAD_NONCE_LEN);
    int rc = DID_OK;
    if (ck_argon2id(kek, CK_AEAD_KEY_LEN, pass, pass_len, salt, params, &ce) != CK_OK ||
        ck_aead_seal(kek, nonce, meta, META_AD_LEN, mk, WALLET_MASTER_KEY_LEN, meta + META_AD_LEN,
                     &ce) != CK_OK)
        rc = did_err_from_ck(err, &ce);
    ck_secret_free(kek);
    return rc;
}

/* Unwraps the master key from a meta value into mk (guarded memory the caller owns). */
static int unwrap_master(const uint8_t *meta, size_t len, const uint8_t *pass, size_t pass_len,
                         uint8_t *mk, ck_kdf_params *params, did_err *err)
{
    ck_err ce;
    if (len < 10 || memcmp(meta, META_MAGIC, 8) != 0)
        return did_err_set(err, WALLET_ERR_FORMAT, "the wallet's key record is not one");
    if (meta[8] != META_VERSION || meta[9] != KDF_ARGON2ID13)
        return did_err_set(err, WALLET_ERR_FORMAT,
                           "the wallet's key record has version %u / KDF %u, which this "
                           "program does not know",
                           meta[8], meta[9]);
    if (len != META_LEN)
        return did_err_set(err, WALLET_ERR_FORMAT, "the wallet's key record has %zu bytes, not %d",
                           len, META_LEN);
    params->opslimit = get_u64(meta + 10);
    params->memlimit = get_u64(meta + 18);
    uint8_t *kek = ck_secret_alloc(CK_AEAD_KEY_LEN);
    if (kek == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    int rc = DID_OK;
    if (ck_argon2id(kek, CK_AEAD_KEY_LEN, pass, pass_len, meta + 26, *params, &ce) != CK_OK) {
        rc = did_err_from_ck(err, &ce);
    } else if (ck_aead_open(kek, meta + 26 + CK_KDF_SALT_LEN, meta, META_AD_LEN, meta + META_AD_LEN,
                            WALLET_MASTER_KEY_LEN + CK_AEAD_TAG_LEN, mk, &ce) != CK_OK) {
        rc = ce.code == CK_ERR_DECRYPT
                 ? did_err_set(err, WALLET_ERR_PASSPHRASE,
                               "wrong passphrase (or the wallet's key record was altered)")
                 : did_err_from_ck(err, &ce);
    }
    ck_secret_free(kek);
    return rc;
}

/* ---- paths --------------------------------------------------------------------------------- */

static int check_dir_arg(const char *dir, did_err *err)
{
    if (dir == NULL || dir[0] == '\0')
        return did_err_set(err, DID_ERR_ARG, "no wallet directory given");
    if (strnlen(dir, WALLET_PATH_MAX) >= WALLET_PATH_MAX - 16)
        return did_err_set(err, DID_ERR_LIMIT, "wallet directory path longer than %d bytes",
                           WALLET_PATH_MAX - 16);
    return DID_OK;
}

static void data_path(const char *dir, char out[WALLET_PATH_MAX], const char *file)
{
    snprintf(out, WALLET_PATH_MAX, "%s/%s", dir, file);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* mkdir -p with mode 0700 for every directory it creates. */
static int make_dirs(const char *dir, did_err *err)
{
    char p[WALLET_PATH_MAX];
    size_t n = strlen(dir);
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return did_err_set(err, WALLET_ERR_STORE, "%s: cannot create: %s", p, strerror(errno));
        p[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return did_err_set(err, WALLET_ERR_STORE, "%s: not a directory", dir);
    return DID_OK;
}

int wallet_default_dir(did_buf *out, did_err *err)
{
    const char *v = getenv("CIVID_WALLET_DIR");
    if (v != NULL && v[0] != '\0')
        return did_buf_append_str(out, v) == DID_OK ? DID_OK : wl_nomem(err);
    v = getenv("XDG_DATA_HOME");
    if (v != NULL && v[0] == '/')
        return did_buf_printf(out, "%s/civid/wallet", v) == DID_OK ? DID_OK : wl_nomem(err);
    v = getenv("HOME");
    if (v != NULL && v[0] != '\0')
        return did_buf_printf(out, "%s/.local/share/civid/wallet", v) == DID_OK ? DID_OK
                                                                                : wl_nomem(err);
    return did_err_set(err, DID_ERR_ARG,
                       "no wallet directory: give one, or set CIVID_WALLET_DIR or HOME");
}

/* ---- environment --------------------------------------------------------------------------- */

static int env_open(const char *dir, MDB_env **out, did_err *err)
{
    MDB_env *env = NULL;
    int rc = mdb_env_create(&env);
    if (rc != MDB_SUCCESS)
        return wl_mdb_err(err, rc, "mdb_env_create");
    if ((rc = mdb_env_set_maxdbs(env, 4)) != MDB_SUCCESS ||
        (rc = mdb_env_set_mapsize(env, WALLET_MAP_SIZE)) != MDB_SUCCESS ||
        (rc = mdb_env_open(env, dir, 0, 0600)) != MDB_SUCCESS) {
        mdb_env_close(env);
        did_err_set(err, WALLET_ERR_STORE, "%s: %s", dir, mdb_strerror(rc));
        return WALLET_ERR_STORE;
    }
    int dead = 0;
    (void)mdb_reader_check(env, &dead); /* clears slots of crashed readers; best effort */
    *out = env;
    return DID_OK;
}

static int dbis_open(wallet *w, MDB_txn *txn, unsigned flags, did_err *err)
{
    static const char *const names[] = {"meta", "keys", "credentials", "history"};
    MDB_dbi *dbis[] = {&w->db_meta, &w->db_keys, &w->db_creds, &w->db_history};
    for (size_t i = 0; i < 4; i++) {
        int rc = mdb_dbi_open(txn, names[i], flags, dbis[i]);
        if (rc == MDB_NOTFOUND)
            return did_err_set(err, WALLET_ERR_NO_WALLET, "the store has no \"%s\" database",
                               names[i]);
        if (rc != MDB_SUCCESS)
            return wl_mdb_err(err, rc, "mdb_dbi_open");
    }
    return DID_OK;
}

static wallet *wallet_alloc(did_err *err)
{
    wallet *w = calloc(1, sizeof *w);
    if (w == NULL) {
        wl_nomem(err);
        return NULL;
    }
    w->mk = ck_secret_alloc(WALLET_MASTER_KEY_LEN);
    if (w->mk == NULL || did_ctx_new(&w->ctx, err) != DID_OK) {
        if (w->mk == NULL)
            did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
        ck_secret_free(w->mk);
        free(w);
        return NULL;
    }
    return w;
}

void wallet_close(wallet *w)
{
    if (w == NULL)
        return;
    if (w->env != NULL)
        mdb_env_close(w->env);
    ck_secret_free(w->mk);
    did_ctx_free(w->ctx);
    free(w);
}

int wallet_create(const char *dir, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                  wallet **out, did_err *err)
{
    char path[WALLET_PATH_MAX];
    uint8_t meta[META_LEN];
    MDB_txn *txn = NULL;
    int created_files = 0;
    if (out == NULL || pass == NULL || pass_len == 0)
        return did_err_set(err, DID_ERR_ARG, "wallet_create: %s",
                           out == NULL ? "NULL argument" : "the passphrase is empty");
    *out = NULL;
    int rc = check_dir_arg(dir, err);
    if (rc != DID_OK)
        return rc;
    if ((rc = make_dirs(dir, err)) != DID_OK)
        return rc;
    data_path(dir, path, "data.mdb");
    if (file_exists(path))
        return did_err_set(err, WALLET_ERR_EXISTS, "%s already holds a wallet", dir);
    wallet *w = wallet_alloc(err);
    if (w == NULL)
        return DID_ERR_NOMEM;
    ck_random(w->mk, WALLET_MASTER_KEY_LEN);
    w->kdf = params;
    /* Derive first: bad parameters fail before any file exists. */
    if ((rc = wrap_master(w->mk, pass, pass_len, params, meta, err)) != DID_OK)
        goto fail;
    created_files = 1; /* data.mdb did not exist: whatever is there after this is ours */
    if ((rc = env_open(dir, &w->env, err)) != DID_OK)
        goto fail;
    if ((rc = mdb_txn_begin(w->env, NULL, 0, &txn)) != MDB_SUCCESS) {
        rc = wl_mdb_err(err, rc, "mdb_txn_begin");
        goto fail;
    }
    if ((rc = dbis_open(w, txn, MDB_CREATE, err)) != DID_OK)
        goto fail;
    MDB_val k = {sizeof META_KEY - 1, (void *)META_KEY}, v = {META_LEN, meta};
    if ((rc = mdb_put(txn, w->db_meta, &k, &v, MDB_NOOVERWRITE)) != MDB_SUCCESS) {
        rc = rc == MDB_KEYEXIST
                 ? did_err_set(err, WALLET_ERR_EXISTS, "%s already holds a wallet", dir)
                 : wl_mdb_err(err, rc, "put the wallet key");
        goto fail;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc != MDB_SUCCESS) {
        rc = wl_mdb_err(err, rc, "commit");
        goto fail;
    }
    *out = w;
    return DID_OK;
fail:
    if (txn != NULL)
        mdb_txn_abort(txn);
    wallet_close(w);
    if (created_files && rc != WALLET_ERR_EXISTS) {
        /* We made these files a moment ago and nothing usable is in them. */
        data_path(dir, path, "data.mdb");
        (void)unlink(path);
        data_path(dir, path, "lock.mdb");
        (void)unlink(path);
    }
    return rc;
}

int wallet_open(const char *dir, const uint8_t *pass, size_t pass_len, wallet **out, did_err *err)
{
    char path[WALLET_PATH_MAX];
    MDB_txn *txn = NULL;
    if (out == NULL || (pass == NULL && pass_len != 0))
        return did_err_set(err, DID_ERR_ARG, "wallet_open: NULL argument");
    *out = NULL;
    int rc = check_dir_arg(dir, err);
    if (rc != DID_OK)
        return rc;
    data_path(dir, path, "data.mdb");
    if (!file_exists(path))
        return did_err_set(err, WALLET_ERR_NO_WALLET,
                           "no wallet in %s (create one with 'civid-wallet create')", dir);
    wallet *w = wallet_alloc(err);
    if (w == NULL)
        return DID_ERR_NOMEM;
    if ((rc = env_open(dir, &w->env, err)) != DID_OK)
        goto fail;
    if ((rc = mdb_txn_begin(w->env, NULL, MDB_RDONLY, &txn)) != MDB_SUCCESS) {
        rc = wl_mdb_err(err, rc, "mdb_txn_begin");
        goto fail;
    }
    if ((rc = dbis_open(w, txn, 0, err)) != DID_OK)
        goto fail;
    MDB_val k = {sizeof META_KEY - 1, (void *)META_KEY}, v;
    rc = mdb_get(txn, w->db_meta, &k, &v);
    if (rc == MDB_NOTFOUND) {
        rc = did_err_set(err, WALLET_ERR_NO_WALLET, "%s: the store holds no wallet key", dir);
        goto fail;
    }
    if (rc != MDB_SUCCESS) {
        rc = wl_mdb_err(err, rc, "read the wallet key");
        goto fail;
    }
    if ((rc = unwrap_master(v.mv_data, v.mv_size, pass, pass_len, w->mk, &w->kdf, err)) != DID_OK)
        goto fail;
    /* Committing (not aborting) keeps the database handles opened in this transaction. */
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc != MDB_SUCCESS) {
        rc = wl_mdb_err(err, rc, "commit");
        goto fail;
    }
    *out = w;
    return DID_OK;
fail:
    if (txn != NULL)
        mdb_txn_abort(txn);
    wallet_close(w);
    return rc;
}

int wallet_change_passphrase(wallet *w, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                             did_err *err)
{
    uint8_t meta[META_LEN];
    MDB_txn *txn = NULL;
    if (w == NULL || pass == NULL || pass_len == 0)
        return did_err_set(err, DID_ERR_ARG, "wallet_change_passphrase: %s",
                           w == NULL ? "NULL wallet" : "the new passphrase is empty");
    int rc = wrap_master(w->mk, pass, pass_len, params, meta, err);
    if (rc != DID_OK)
        return rc;
    if ((rc = wl_txn_begin(w, 1, &txn, err)) != DID_OK)
        return rc;
    MDB_val k = {sizeof META_KEY - 1, (void *)META_KEY}, v = {META_LEN, meta};
    if ((rc = mdb_put(txn, w->db_meta, &k, &v, 0)) != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return wl_mdb_err(err, rc, "put the wallet key");
    }
    if ((rc = wl_txn_commit(txn, err)) != DID_OK)
        return rc;
    w->kdf = params;
    return DID_OK;
}

int wallet_get_info(wallet *w, wallet_info *out, did_err *err)
{
    MDB_txn *txn;
    if (w == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_get_info: NULL argument");
    int rc = wl_txn_begin(w, 0, &txn, err);
    if (rc != DID_OK)
        return rc;
    out->kdf = w->kdf;
    if ((rc = wl_count(w, txn, WALLET_KIND_KEY, &out->keys, err)) == DID_OK &&
        (rc = wl_count(w, txn, WALLET_KIND_CREDENTIAL, &out->credentials, err)) == DID_OK)
        rc = wl_count(w, txn, WALLET_KIND_HISTORY, &out->history, err);
    mdb_txn_abort(txn);
    return rc;
}

/* ---- transactions and records -------------------------------------------------------------- */

int wl_txn_begin(wallet *w, int write, MDB_txn **txn, did_err *err)
{
    for (int attempt = 0;; attempt++) {
        int rc = mdb_txn_begin(w->env, NULL, write ? 0 : MDB_RDONLY, txn);
        if (rc == MDB_SUCCESS)
            return DID_OK;
        /* Another process grew the map: adopt its size and retry once. */
        if (rc != MDB_MAP_RESIZED || attempt > 0 || mdb_env_set_mapsize(w->env, 0) != MDB_SUCCESS)
            return wl_mdb_err(err, rc, "mdb_txn_begin");
    }
}

int wl_txn_commit(MDB_txn *txn, did_err *err)
{
    int rc = mdb_txn_commit(txn);
    return rc == MDB_SUCCESS ? DID_OK : wl_mdb_err(err, rc, "commit");
}

MDB_dbi wl_dbi(const wallet *w, wallet_kind kind)
{
    return kind == WALLET_KIND_KEY          ? w->db_keys
           : kind == WALLET_KIND_CREDENTIAL ? w->db_creds
                                            : w->db_history;
}

int wl_get(wallet *w, MDB_txn *txn, wallet_kind kind, const char *id, wl_rec *out, did_err *err)
{
    wl_rec_init(out);
    size_t idlen = id != NULL ? strnlen(id, WALLET_ID_MAX) : 0;
    if (!wl_id_valid(kind, id, idlen))
        return did_err_set(err, WALLET_ERR_NOT_FOUND, "no %s with id '%.40s'", wl_kind_name(kind),
                           id != NULL ? id : "");
    MDB_val k = {idlen, (void *)id}, v;
    int rc = mdb_get(txn, wl_dbi(w, kind), &k, &v);
    if (rc == MDB_NOTFOUND)
        return did_err_set(err, WALLET_ERR_NOT_FOUND, "no %s with id %s", wl_kind_name(kind), id);
    if (rc != MDB_SUCCESS)
        return wl_mdb_err(err, rc, "read");
    uint8_t *body;
    size_t len;
    if ((rc = wallet_record_open(w->mk, kind, id, v.mv_data, v.mv_size, &body, &len, err)) !=
        DID_OK)
        return rc;
    if ((rc = wl_body_decode(kind, body, len, out, err)) != DID_OK)
        did_err_prefix(err, id);
    return rc;
}

int wl_put(wallet *w, MDB_txn *txn, wallet_kind kind, const char *id, const uint8_t *body,
           size_t len, did_err *err)
{
    did_buf sealed;
    did_buf_init(&sealed);
    int rc = wallet_record_seal(w->mk, kind, id, body, len, &sealed, err);
    if (rc == DID_OK) {
        MDB_val k = {strlen(id), (void *)id}, v = {sealed.len, sealed.data};
        rc = mdb_put(txn, wl_dbi(w, kind), &k, &v, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST)
            rc =
                did_err_set(err, WALLET_ERR_EXISTS, "%s %s exists already", wl_kind_name(kind), id);
        else if (rc != MDB_SUCCESS)
            rc = wl_mdb_err(err, rc, "write");
    }
    did_buf_clear(&sealed);
    return rc;
}

int wl_put_rec(wallet *w, MDB_txn *txn, wallet_kind kind, const char *id, const uint8_t *secret,
               size_t secret_len, const json_t *meta, const uint8_t *payload, size_t payload_len,
               did_err *err)
{
    uint8_t *body = NULL;
    size_t len = 0;
    int rc = wl_body_encode(secret, secret_len, meta, payload, payload_len, &body, &len, err);
    if (rc == DID_OK)
        rc = wl_put(w, txn, kind, id, body, len, err);
    ck_secret_free(body);
    return rc;
}

int wl_count(wallet *w, MDB_txn *txn, wallet_kind kind, size_t *n, did_err *err)
{
    MDB_stat st;
    int rc = mdb_stat(txn, wl_dbi(w, kind), &st);
    if (rc != MDB_SUCCESS)
        return wl_mdb_err(err, rc, "mdb_stat");
    *n = st.ms_entries;
    return DID_OK;
}

int wl_check_room(wallet *w, MDB_txn *txn, wallet_kind kind, size_t adding, did_err *err)
{
    size_t n, max = kind == WALLET_KIND_KEY          ? WALLET_MAX_KEYS
                    : kind == WALLET_KIND_CREDENTIAL ? WALLET_MAX_CREDENTIALS
                                                     : WALLET_MAX_HISTORY;
    int rc = wl_count(w, txn, kind, &n, err);
    if (rc != DID_OK)
        return rc;
    if (n > max || adding > max - n)
        return did_err_set(err, DID_ERR_LIMIT, "a wallet holds at most %zu %s", max,
                           kind == WALLET_KIND_KEY          ? "keys"
                           : kind == WALLET_KIND_CREDENTIAL ? "credentials"
                                                            : "consent log entries");
    return DID_OK;
}

int wl_foreach_raw(wallet *w, MDB_txn *txn, wallet_kind kind, wl_raw_fn fn, void *user,
                   did_err *err)
{
    MDB_cursor *cur;
    MDB_val k, v;
    char id[WALLET_ID_MAX];
    int rc = mdb_cursor_open(txn, wl_dbi(w, kind), &cur);
    if (rc != MDB_SUCCESS)
        return wl_mdb_err(err, rc, "mdb_cursor_open");
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (!wl_id_valid(kind, k.mv_data, k.mv_size)) {
            rc = did_err_set(err, WALLET_ERR_FORMAT, "the %s database has a malformed id",
                             wl_kind_name(kind));
            goto out;
        }
        memcpy(id, k.mv_data, k.mv_size);
        id[k.mv_size] = '\0';
        if ((rc = fn(user, id, v.mv_data, v.mv_size, err)) != DID_OK)
            goto out;
    }
    rc = rc == MDB_NOTFOUND ? DID_OK : wl_mdb_err(err, rc, "mdb_cursor_get");
out:
    mdb_cursor_close(cur);
    return rc;
}

typedef struct decode_ctx {
    wallet *w;
    wallet_kind kind;
    wl_rec_fn fn;
    void *user;
} decode_ctx;

static int decode_one(void *user, const char *id, const uint8_t *val, size_t len, did_err *err)
{
    decode_ctx *d = user;
    uint8_t *body;
    size_t blen;
    wl_rec r;
    int rc = wallet_record_open(d->w->mk, d->kind, id, val, len, &body, &blen, err);
    if (rc != DID_OK)
        return rc;
    if ((rc = wl_body_decode(d->kind, body, blen, &r, err)) != DID_OK) {
        did_err_prefix(err, id);
        return rc;
    }
    rc = d->fn(d->user, id, &r, err);
    wl_rec_clear(&r);
    return rc;
}

int wl_foreach(wallet *w, MDB_txn *txn, wallet_kind kind, wl_rec_fn fn, void *user, did_err *err)
{
    decode_ctx d = {w, kind, fn, user};
    return wl_foreach_raw(w, txn, kind, decode_one, &d, err);
}

static void hex16(const uint8_t b[8], char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[16] = '\0';
}

int wl_new_id(wallet *w, MDB_txn *txn, wallet_kind kind, char id[WALLET_ID_MAX], did_err *err)
{
    const char *prefix = kind == WALLET_KIND_KEY ? WL_KEY_PREFIX : WL_CRED_PREFIX;
    size_t plen = strlen(prefix);
    for (int attempt = 0; attempt < 8; attempt++) {
        uint8_t r[8];
        ck_random(r, sizeof r);
        memcpy(id, prefix, plen);
        hex16(r, id + plen);
        MDB_val k = {plen + 16, id}, v;
        int rc = mdb_get(txn, wl_dbi(w, kind), &k, &v);
        if (rc == MDB_NOTFOUND)
            return DID_OK;
        if (rc != MDB_SUCCESS)
            return wl_mdb_err(err, rc, "read");
    }
    return did_err_set(err, DID_ERR_INTERNAL, "no free id after 8 random draws");
}

int wl_next_history_id(wallet *w, MDB_txn *txn, char id[WALLET_ID_MAX], did_err *err)
{
    MDB_cursor *cur;
    MDB_val k, v;
    uint64_t next = 1;
    int rc = mdb_cursor_open(txn, w->db_history, &cur);
    if (rc != MDB_SUCCESS)
        return wl_mdb_err(err, rc, "mdb_cursor_open");
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    if (rc == MDB_SUCCESS) {
        if (!wl_id_valid(WALLET_KIND_HISTORY, k.mv_data, k.mv_size))
            return did_err_set(err, WALLET_ERR_FORMAT, "the history database has a malformed id");
        uint64_t last = 0;
        for (size_t i = 0; i < 16; i++) {
            char c = ((const char *)k.mv_data)[i];
            last = last << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        if (last == UINT64_MAX)
            return did_err_set(err, DID_ERR_LIMIT, "history ids exhausted");
        next = last + 1;
    } else if (rc != MDB_NOTFOUND) {
        return wl_mdb_err(err, rc, "mdb_cursor_get");
    }
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(next >> (56 - 8 * i));
    hex16(b, id);
    return DID_OK;
}
