/* The issuer's LMDB state.
 *
 * Sub-databases (integers big-endian):
 *   meta    "key.current" -> u32 key id; "list.next" -> u32 next list id (from 1);
 *           "list.active.1" / "list.active.2" -> u32 list id taking new revocation / suspension
 *           entries
 *   keys    u32 id -> u8 version 1 | u8 key type | u8 public length | public key |
 *           ck_key_seal output (the secret, sealed with Argon2id + XChaCha20-Poly1305)
 *   lists   u32 id | 'h' -> u8 purpose (1 revocation, 2 suspension) | u32 entries |
 *                         u32 next free index | u64 updated (seconds)
 *           u32 id | 'b' -> the bitstring (entries / 8 bytes, 1 bit per entry, bit 0 the most
 *                         significant bit of byte 0: did/status.h's order)
 *   creds   SHA-256(credential id) -> u8 version 1 | u32 revocation list | u32 index |
 *           u32 suspension list | u32 index | u64 issued | the id (list 0: no entry)
 *   tokens  SHA-256(admin token) -> empty
 * Every change is one durable write transaction (LMDB's default sync), so nothing is ever half
 * written: an issuance records its status entries together with the credential, or nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include <did/status.h>

#include <issuer/issuer.h>

#define HDR_LEN 17
#define REC_FIXED 25

struct issuer_store {
    MDB_env *env;
    MDB_dbi meta, keys, lists, creds, tokens;
};

static int mdb_fail(did_err *err, int rc, const char *what)
{
    return did_err_set(err, ISSUER_ERR_STORE, "issuer store: %s: %s", what, mdb_strerror(rc));
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)(v >> 32));
    put_u32(p + 4, (uint32_t)v);
}

int issuer_store_open(const char *dir, size_t map_size, issuer_store **out, did_err *err)
{
    if (dir == NULL || dir[0] == '\0' || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "issuer store: no data directory");
    *out = NULL;
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return did_err_set(err, ISSUER_ERR_STORE, "data directory %s: mkdir: %s", dir,
                           strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return did_err_set(err, ISSUER_ERR_STORE, "data directory %s is not a directory", dir);
    issuer_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    MDB_txn *txn = NULL;
    int res, dead = 0;
    int rc = mdb_env_create(&s->env);
    if (rc != MDB_SUCCESS) {
        free(s);
        return mdb_fail(err, rc, "mdb_env_create");
    }
    if ((rc = mdb_env_set_maxdbs(s->env, 8)) != MDB_SUCCESS ||
        (rc = mdb_env_set_mapsize(s->env, map_size)) != MDB_SUCCESS) {
        res = mdb_fail(err, rc, "mdb_env_set");
        goto fail;
    }
    /* MDB_NOTLS: read transactions are not tied to a thread (handlers run on a pool). */
    if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) != MDB_SUCCESS) {
        res = mdb_fail(err, rc, "mdb_env_open");
        goto fail;
    }
    (void)mdb_reader_check(s->env, &dead);
    if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != MDB_SUCCESS ||
        (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)) != MDB_SUCCESS ||
        (rc = mdb_dbi_open(txn, "keys", MDB_CREATE, &s->keys)) != MDB_SUCCESS ||
        (rc = mdb_dbi_open(txn, "lists", MDB_CREATE, &s->lists)) != MDB_SUCCESS ||
        (rc = mdb_dbi_open(txn, "creds", MDB_CREATE, &s->creds)) != MDB_SUCCESS ||
        (rc = mdb_dbi_open(txn, "tokens", MDB_CREATE, &s->tokens)) != MDB_SUCCESS) {
        res = mdb_fail(err, rc, "opening the databases");
        goto fail;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc != MDB_SUCCESS) {
        res = mdb_fail(err, rc, "mdb_txn_commit");
        goto fail;
    }
    *out = s;
    return DID_OK;
fail:
    if (txn != NULL)
        mdb_txn_abort(txn);
    mdb_env_close(s->env);
    free(s);
    return res;
}

void issuer_store_close(issuer_store *st)
{
    if (st == NULL)
        return;
    mdb_env_close(st->env);
    free(st);
}

static int commit(MDB_txn *txn, int res, did_err *err)
{
    if (res != DID_OK) {
        mdb_txn_abort(txn);
        return res;
    }
    int rc = mdb_txn_commit(txn);
    return rc == MDB_SUCCESS ? DID_OK : mdb_fail(err, rc, "mdb_txn_commit");
}

/* meta u32 value: *v = 0 (DID_OK) when absent. */
static int meta_get(issuer_store *s, MDB_txn *txn, const char *name, uint32_t *v, did_err *err)
{
    MDB_val k = {strlen(name), (void *)name}, d;
    int rc = mdb_get(txn, s->meta, &k, &d);
    *v = 0;
    if (rc == MDB_NOTFOUND)
        return DID_OK;
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_get meta");
    if (d.mv_size != 4)
        return did_err_set(err, ISSUER_ERR_STORE, "issuer store: malformed meta %s", name);
    *v = get_u32(d.mv_data);
    return DID_OK;
}

static int meta_put(issuer_store *s, MDB_txn *txn, const char *name, uint32_t v, did_err *err)
{
    uint8_t b[4];
    put_u32(b, v);
    MDB_val k = {strlen(name), (void *)name}, d = {4, b};
    int rc = mdb_put(txn, s->meta, &k, &d, 0);
    return rc == MDB_SUCCESS ? DID_OK : mdb_fail(err, rc, "mdb_put meta");
}

/* ---------------------------------------------------------------------------------------------
 * Keys.
 */
int issuer_store_add_key(issuer_store *s, const ck_key *key, const uint8_t *pass, size_t pass_len,
                         ck_kdf_params params, uint32_t *id, did_err *err)
{
    uint8_t rec[3 + CK_PUB_MAX_LEN + CK_SEALED_MAX_LEN];
    size_t pub_len = 0, sealed_len = 0;
    ck_err ce;
    if (s == NULL || key == NULL || pass == NULL)
        return did_err_set(err, DID_ERR_ARG, "issuer_store_add_key: NULL argument");
    if (ck_key_export_public(key, 1, rec + 3, CK_PUB_MAX_LEN, &pub_len, &ce) != CK_OK ||
        ck_key_seal(key, pass, pass_len, params, rec + 3 + pub_len, CK_SEALED_MAX_LEN, &sealed_len,
                    &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    rec[0] = 1;
    rec[1] = (uint8_t)ck_key_get_type(key);
    rec[2] = (uint8_t)pub_len;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    uint8_t kb[4];
    uint32_t next = 1;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = DID_OK;
    if ((rc = mdb_cursor_open(txn, s->keys, &cur)) != MDB_SUCCESS) {
        res = mdb_fail(err, rc, "mdb_cursor_open");
    } else {
        rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
        if (rc == MDB_SUCCESS && k.mv_size == 4)
            next = get_u32(k.mv_data) + 1;
        else if (rc != MDB_NOTFOUND)
            res = rc == MDB_SUCCESS ? did_err_set(err, ISSUER_ERR_STORE, "malformed key id")
                                    : mdb_fail(err, rc, "mdb_cursor_get");
        mdb_cursor_close(cur);
    }
    if (res == DID_OK && next > ISSUER_MAX_KEYS)
        res = did_err_set(err, DID_ERR_LIMIT, "at most %d issuer keys", ISSUER_MAX_KEYS);
    if (res == DID_OK) {
        put_u32(kb, next);
        k = (MDB_val){4, kb};
        v = (MDB_val){3 + pub_len + sealed_len, rec};
        if ((rc = mdb_put(txn, s->keys, &k, &v, MDB_NOOVERWRITE)) != MDB_SUCCESS)
            res = mdb_fail(err, rc, "mdb_put key");
    }
    if (res == DID_OK)
        res = meta_put(s, txn, "key.current", next, err);
    res = commit(txn, res, err);
    if (res == DID_OK && id != NULL)
        *id = next;
    return res;
}

int64_t issuer_store_key_count(issuer_store *s)
{
    MDB_txn *txn;
    MDB_stat stat;
    if (s == NULL || mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
        return -1;
    int rc = mdb_stat(txn, s->keys, &stat);
    mdb_txn_abort(txn);
    return rc == MDB_SUCCESS ? (int64_t)stat.ms_entries : -1;
}

void issuer_keyring_clear(issuer_keyring *kr)
{
    for (size_t i = 0; i < kr->n; i++)
        ck_key_free(kr->pub[i]);
    ck_key_free(kr->signing);
    memset(kr, 0, sizeof *kr);
}

int issuer_store_load_keys(issuer_store *s, const uint8_t *pass, size_t pass_len,
                           issuer_keyring *kr, did_err *err)
{
    memset(kr, 0, sizeof *kr);
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    uint32_t current;
    ck_err ce;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = meta_get(s, txn, "key.current", &current, err);
    if (res == DID_OK && (rc = mdb_cursor_open(txn, s->keys, &cur)) != MDB_SUCCESS)
        res = mdb_fail(err, rc, "mdb_cursor_open");
    if (res != DID_OK) {
        mdb_txn_abort(txn);
        return res;
    }
    int found = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && res == DID_OK;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *p = v.mv_data;
        if (k.mv_size != 4 || v.mv_size < 3 || p[0] != 1 || v.mv_size < 3u + p[2] ||
            kr->n == ISSUER_MAX_KEYS) {
            res = did_err_set(err, ISSUER_ERR_STORE, "issuer store: malformed key record");
            break;
        }
        uint32_t id = get_u32(k.mv_data);
        if (ck_key_import_public((ck_key_type)p[1], p + 3, p[2], &kr->pub[kr->n], &ce) != CK_OK) {
            res = did_err_from_ck(err, &ce);
            break;
        }
        kr->ids[kr->n] = id;
        if (id == current) {
            kr->current = kr->n;
            found = 1;
            if (ck_key_unseal(p + 3 + p[2], v.mv_size - 3 - p[2], pass, pass_len, &kr->signing,
                              &ce) != CK_OK)
                res = did_err_from_ck(err, &ce);
            else if (!ck_key_public_equal(kr->signing, kr->pub[kr->n]))
                res = did_err_set(err, ISSUER_ERR_STORE,
                                  "issuer store: key %u does not match its public key", id);
        }
        kr->n++;
    }
    if (res == DID_OK && rc != MDB_NOTFOUND)
        res = mdb_fail(err, rc, "mdb_cursor_get");
    if (res == DID_OK && !found)
        res = did_err_set(err, ISSUER_ERR_STORE, "issuer store: no current key");
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (res != DID_OK)
        issuer_keyring_clear(kr);
    return res;
}

/* ---------------------------------------------------------------------------------------------
 * Tokens.
 */
int issuer_store_set_tokens(issuer_store *s, const uint8_t (*digests)[32], size_t n, did_err *err)
{
    if (n > ISSUER_MAX_TOKENS)
        return did_err_set(err, DID_ERR_LIMIT, "at most %d admin tokens", ISSUER_MAX_TOKENS);
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = DID_OK;
    if ((rc = mdb_drop(txn, s->tokens, 0)) != MDB_SUCCESS)
        res = mdb_fail(err, rc, "mdb_drop tokens");
    for (size_t i = 0; res == DID_OK && i < n; i++) {
        MDB_val k = {32, (void *)digests[i]}, v = {0, NULL};
        if ((rc = mdb_put(txn, s->tokens, &k, &v, 0)) != MDB_SUCCESS)
            res = mdb_fail(err, rc, "mdb_put token");
    }
    return commit(txn, res, err);
}

int issuer_store_get_tokens(issuer_store *s, uint8_t (*digests)[32], size_t max, size_t *n,
                            did_err *err)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    *n = 0;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    if ((rc = mdb_cursor_open(txn, s->tokens, &cur)) != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return mdb_fail(err, rc, "mdb_cursor_open");
    }
    int res = DID_OK;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 32 || *n == max) {
            res = did_err_set(err, ISSUER_ERR_STORE, "issuer store: malformed token record");
            break;
        }
        memcpy(digests[(*n)++], k.mv_data, 32);
    }
    if (res == DID_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        res = mdb_fail(err, rc, "mdb_cursor_get");
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return res;
}

/* ---------------------------------------------------------------------------------------------
 * Status lists and credential records.
 */
typedef struct list_hdr {
    uint8_t purpose; /* 1 revocation, 2 suspension */
    uint32_t entries, next;
    uint64_t updated;
} list_hdr;

static void list_key(uint8_t k[5], uint32_t id, char kind)
{
    put_u32(k, id);
    k[4] = (uint8_t)kind;
}

static int hdr_get(issuer_store *s, MDB_txn *txn, uint32_t id, list_hdr *h, did_err *err)
{
    uint8_t kb[5];
    list_key(kb, id, 'h');
    MDB_val k = {5, kb}, v;
    int rc = mdb_get(txn, s->lists, &k, &v);
    if (rc == MDB_NOTFOUND)
        return did_err_set(err, ISSUER_ERR_LIST_UNKNOWN, "no status list %u", id);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_get list");
    const uint8_t *p = v.mv_data;
    if (v.mv_size != HDR_LEN || (p[0] != 1 && p[0] != 2))
        return did_err_set(err, ISSUER_ERR_STORE, "issuer store: malformed list %u", id);
    h->purpose = p[0];
    h->entries = get_u32(p + 1);
    h->next = get_u32(p + 5);
    h->updated = (uint64_t)get_u32(p + 9) << 32 | get_u32(p + 13);
    return DID_OK;
}

static int hdr_put(issuer_store *s, MDB_txn *txn, uint32_t id, const list_hdr *h, did_err *err)
{
    uint8_t kb[5], b[HDR_LEN];
    list_key(kb, id, 'h');
    b[0] = h->purpose;
    put_u32(b + 1, h->entries);
    put_u32(b + 5, h->next);
    put_u64(b + 9, h->updated);
    MDB_val k = {5, kb}, v = {HDR_LEN, b};
    int rc = mdb_put(txn, s->lists, &k, &v, 0);
    return rc == MDB_SUCCESS ? DID_OK : mdb_fail(err, rc, "mdb_put list");
}

/* A new all-zero list for purpose, made active. */
static int list_create(issuer_store *s, MDB_txn *txn, uint8_t purpose, size_t entries, int64_t now,
                       uint32_t *id, list_hdr *h, did_err *err)
{
    uint32_t next;
    char active[16] = "list.active.1";
    active[12] = (char)('0' + purpose);
    int res = meta_get(s, txn, "list.next", &next, err);
    if (res != DID_OK)
        return res;
    if (next == 0)
        next = 1;
    if (next == UINT32_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "no more status lists");
    entries = (entries + 7) / 8 * 8;
    *h = (list_hdr){
        .purpose = purpose, .entries = (uint32_t)entries, .next = 0, .updated = (uint64_t)now};
    uint8_t kb[5];
    list_key(kb, next, 'b');
    MDB_val k = {5, kb}, v = {entries / 8, NULL};
    int rc = mdb_put(txn, s->lists, &k, &v, MDB_RESERVE | MDB_NOOVERWRITE);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_put list");
    memset(v.mv_data, 0, entries / 8);
    if ((res = hdr_put(s, txn, next, h, err)) != DID_OK ||
        (res = meta_put(s, txn, "list.next", next + 1, err)) != DID_OK ||
        (res = meta_put(s, txn, active, next, err)) != DID_OK)
        return res;
    *id = next;
    return DID_OK;
}

/* The next free index of the active list of purpose (a new list when needed). */
static int assign(issuer_store *s, MDB_txn *txn, uint8_t purpose, size_t entries, int64_t now,
                  issuer_status_ref *ref, did_err *err)
{
    char active[16] = "list.active.1";
    active[12] = (char)('0' + purpose);
    uint32_t id;
    list_hdr h;
    int res = meta_get(s, txn, active, &id, err);
    if (res != DID_OK)
        return res;
    if (id != 0 && (res = hdr_get(s, txn, id, &h, err)) != DID_OK)
        return res;
    if (id == 0 || h.next >= h.entries) {
        if ((res = list_create(s, txn, purpose, entries, now, &id, &h, err)) != DID_OK)
            return res;
    }
    ref->list = id;
    ref->index = h.next++;
    return hdr_put(s, txn, id, &h, err);
}

static int id_key(const char *id, size_t len, uint8_t out[32], did_err *err)
{
    return ck_sha256(id, len, out) == CK_OK ? DID_OK
                                            : did_err_set(err, DID_ERR_INTERNAL, "SHA-256 failed");
}

int issuer_store_issue(issuer_store *s, const char *id, size_t id_len, unsigned status,
                       size_t list_entries, int64_t now, issuer_issue_fn fn, void *user,
                       did_err *err)
{
    issuer_status_ref refs[2] = {{0, 0}, {0, 0}};
    uint8_t kh[32];
    if (s == NULL || fn == NULL || (id == NULL && status != 0) || id_len > ISSUER_ID_MAX)
        return did_err_set(err, DID_ERR_ARG, "issuer_store_issue: bad argument");
    if (id != NULL && id_key(id, id_len, kh, err) != DID_OK)
        return DID_ERR_INTERNAL;
    MDB_txn *txn;
    MDB_val k = {32, kh}, v;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = DID_OK;
    if (id != NULL) {
        rc = mdb_get(txn, s->creds, &k, &v);
        if (rc == MDB_SUCCESS)
            res = did_err_set(err, ISSUER_ERR_CREDENTIAL_EXISTS,
                              "a credential with id %.200s was issued already", id);
        else if (rc != MDB_NOTFOUND)
            res = mdb_fail(err, rc, "mdb_get credential");
    }
    if (res == DID_OK && (status & ISSUER_STATUS_REVOCATION))
        res = assign(s, txn, 1, list_entries, now, &refs[0], err);
    if (res == DID_OK && (status & ISSUER_STATUS_SUSPENSION))
        res = assign(s, txn, 2, list_entries, now, &refs[1], err);
    if (res == DID_OK)
        res = fn(user, refs, err);
    if (res == DID_OK && id != NULL) {
        v.mv_size = REC_FIXED + id_len;
        if ((rc = mdb_put(txn, s->creds, &k, &v, MDB_RESERVE)) != MDB_SUCCESS) {
            res = mdb_fail(err, rc, "mdb_put credential");
        } else {
            uint8_t *p = v.mv_data;
            p[0] = 1;
            put_u32(p + 1, refs[0].list);
            put_u32(p + 5, refs[0].index);
            put_u32(p + 9, refs[1].list);
            put_u32(p + 13, refs[1].index);
            put_u64(p + 17, (uint64_t)now);
            memcpy(p + REC_FIXED, id, id_len);
        }
    }
    return commit(txn, res, err);
}

static int record_get(issuer_store *s, MDB_txn *txn, const char *id, size_t len,
                      issuer_status_ref refs[2], did_err *err)
{
    uint8_t kh[32];
    if (id == NULL || len == 0 || len > ISSUER_ID_MAX)
        return did_err_set(err, ISSUER_ERR_CREDENTIAL_UNKNOWN, "no such credential");
    if (id_key(id, len, kh, err) != DID_OK)
        return DID_ERR_INTERNAL;
    MDB_val k = {32, kh}, v;
    int rc = mdb_get(txn, s->creds, &k, &v);
    if (rc == MDB_NOTFOUND)
        return did_err_set(err, ISSUER_ERR_CREDENTIAL_UNKNOWN,
                           "no credential with id %.200s was issued here", id);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_get credential");
    const uint8_t *p = v.mv_data;
    if (v.mv_size != REC_FIXED + len || p[0] != 1 || memcmp(p + REC_FIXED, id, len) != 0)
        return did_err_set(err, ISSUER_ERR_STORE, "issuer store: malformed credential record");
    refs[0] = (issuer_status_ref){get_u32(p + 1), get_u32(p + 5)};
    refs[1] = (issuer_status_ref){get_u32(p + 9), get_u32(p + 13)};
    return DID_OK;
}

int issuer_store_get_record(issuer_store *s, const char *id, size_t id_len,
                            issuer_status_ref refs[2], did_err *err)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = record_get(s, txn, id, id_len, refs, err);
    mdb_txn_abort(txn);
    return res;
}

int issuer_store_set_status(issuer_store *s, const char *id, size_t id_len,
                            issuer_status_action action, int64_t now, int *changed, did_err *err)
{
    issuer_status_ref refs[2];
    list_hdr h;
    MDB_txn *txn;
    *changed = 0;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = record_get(s, txn, id, id_len, refs, err);
    const issuer_status_ref *ref = action == ISSUER_REVOKE ? &refs[0] : &refs[1];
    if (res == DID_OK && ref->list == 0)
        res = did_err_set(err, ISSUER_ERR_NO_STATUS,
                          "the credential was issued without a %s status entry",
                          action == ISSUER_REVOKE ? "revocation" : "suspension");
    if (res == DID_OK)
        res = hdr_get(s, txn, ref->list, &h, err);
    if (res == DID_OK && ref->index >= h.entries)
        res = did_err_set(err, ISSUER_ERR_STORE, "issuer store: index outside its list");
    uint8_t kb[5];
    list_key(kb, ref->list, 'b');
    MDB_val k = {5, kb}, v;
    if (res == DID_OK) {
        rc = mdb_get(txn, s->lists, &k, &v);
        if (rc != MDB_SUCCESS)
            res = mdb_fail(err, rc, "mdb_get bitstring");
        else if (v.mv_size != h.entries / 8)
            res = did_err_set(err, ISSUER_ERR_STORE, "issuer store: malformed bitstring");
    }
    if (res == DID_OK) {
        size_t byte = ref->index / 8;
        uint8_t mask = (uint8_t)(0x80u >> (ref->index % 8));
        uint8_t old = ((const uint8_t *)v.mv_data)[byte];
        uint8_t nv = action == ISSUER_UNSUSPEND ? (uint8_t)(old & ~mask) : (uint8_t)(old | mask);
        if (nv != old) {
            /* Copy-on-write: LMDB values from mdb_get are read-only; write the new bitstring. */
            uint8_t *copy = malloc(v.mv_size);
            if (copy == NULL) {
                res = did_err_set(err, DID_ERR_NOMEM, "out of memory");
            } else {
                memcpy(copy, v.mv_data, v.mv_size);
                copy[byte] = nv;
                MDB_val nvv = {v.mv_size, copy};
                if ((rc = mdb_put(txn, s->lists, &k, &nvv, 0)) != MDB_SUCCESS)
                    res = mdb_fail(err, rc, "mdb_put bitstring");
                free(copy);
            }
            h.updated = (uint64_t)now;
            if (res == DID_OK)
                res = hdr_put(s, txn, ref->list, &h, err);
            if (res == DID_OK)
                *changed = 1;
        }
    }
    res = commit(txn, res, err);
    if (res != DID_OK)
        *changed = 0;
    return res;
}

int issuer_store_get_list(issuer_store *s, uint32_t list, const char **purpose,
                          did_status_list **out, did_err *err)
{
    MDB_txn *txn;
    list_hdr h;
    *out = NULL;
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = hdr_get(s, txn, list, &h, err);
    uint8_t kb[5];
    list_key(kb, list, 'b');
    MDB_val k = {5, kb}, v;
    if (res == DID_OK) {
        rc = mdb_get(txn, s->lists, &k, &v);
        if (rc != MDB_SUCCESS)
            res = mdb_fail(err, rc, "mdb_get bitstring");
        else if (v.mv_size != h.entries / 8)
            res = did_err_set(err, ISSUER_ERR_STORE, "issuer store: malformed bitstring");
    }
    if (res == DID_OK)
        res = did_status_list_new(h.entries, 1, out, err);
    if (res == DID_OK) {
        const uint8_t *p = v.mv_data;
        for (size_t i = 0; res == DID_OK && i < v.mv_size; i++)
            for (unsigned b = 0; res == DID_OK && p[i] != 0 && b < 8; b++)
                if (p[i] & (0x80u >> b))
                    res = did_status_list_set(*out, i * 8 + b, 1, err);
    }
    mdb_txn_abort(txn);
    if (res != DID_OK) {
        did_status_list_free(*out);
        *out = NULL;
        return res;
    }
    if (purpose != NULL)
        *purpose = h.purpose == 1 ? DID_STATUS_REVOCATION : DID_STATUS_SUSPENSION;
    return DID_OK;
}

int64_t issuer_store_record_count(issuer_store *s)
{
    MDB_txn *txn;
    MDB_stat stat;
    if (s == NULL || mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
        return -1;
    int rc = mdb_stat(txn, s->creds, &stat);
    mdb_txn_abort(txn);
    return rc == MDB_SUCCESS ? (int64_t)stat.ms_entries : -1;
}
