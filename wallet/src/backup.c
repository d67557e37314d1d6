/*
 * backup.c -- the encrypted export of a wallet and its restore (spec/wallet.md):
 *
 *   "CIVIDWBK" | version u8 = 1 | kdf u8 = 1 (Argon2id v1.3) | opslimit u64be | memlimit u64be |
 *   salt (16) | nonce (24) | plaintext length u64be | ciphertext | tag (16)
 *
 * The 74 header bytes are the associated data. The plaintext is the serialized records:
 *
 *   count u32be | count x (kind u8 | id_len u8 | id | body_len u32be | body)
 *
 * Bodies are the records' plaintext bodies (record.c); a restore seals them again under the
 * receiving wallet's master key. The plaintext holds private keys, so it only ever lives in
 * guarded memory.
 */
#include <stdlib.h>
#include <string.h>

#include "wallet_internal.h"

#define BK_MAGIC "CIVIDWBK"
#define BK_VERSION 1
#define BK_KDF_ARGON2ID13 1
#define BK_HEADER (8 + 1 + 1 + 8 + 8 + CK_KDF_SALT_LEN + CK_AEAD_NONCE_LEN + 8)
#define BK_MAX_RECORDS (WALLET_MAX_KEYS + WALLET_MAX_CREDENTIALS + WALLET_MAX_HISTORY)
#define SEALED_OVERHEAD (1 + CK_AEAD_NONCE_LEN + CK_AEAD_TAG_LEN)

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

static void put_u32(uint8_t *p, size_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static size_t get_u32(const uint8_t *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

int wallet_backup_seal(const uint8_t *plain, size_t len, const uint8_t *pass, size_t pass_len,
                       ck_kdf_params params, did_buf *out, did_err *err)
{
    ck_err ce;
    if ((plain == NULL && len != 0) || pass == NULL || pass_len == 0 || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_backup_seal: %s",
                           pass_len == 0 ? "the backup passphrase is empty" : "NULL argument");
    if (len > WALLET_BACKUP_MAX - BK_HEADER - CK_AEAD_TAG_LEN)
        return did_err_set(err, DID_ERR_LIMIT, "a backup is at most %zu bytes", WALLET_BACKUP_MAX);
    uint8_t h[BK_HEADER];
    memcpy(h, BK_MAGIC, 8);
    h[8] = BK_VERSION;
    h[9] = BK_KDF_ARGON2ID13;
    put_u64(h + 10, params.opslimit);
    put_u64(h + 18, params.memlimit);
    ck_random(h + 26, CK_KDF_SALT_LEN);
    ck_random(h + 26 + CK_KDF_SALT_LEN, CK_AEAD_NONCE_LEN);
    put_u64(h + 26 + CK_KDF_SALT_LEN + CK_AEAD_NONCE_LEN, len);
    uint8_t *kek = ck_secret_alloc(CK_AEAD_KEY_LEN);
    if (kek == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    size_t start = out->len;
    int rc = DID_OK;
    if (ck_argon2id(kek, CK_AEAD_KEY_LEN, pass, pass_len, h + 26, params, &ce) != CK_OK) {
        rc = did_err_from_ck(err, &ce);
    } else if (did_buf_reserve(out, BK_HEADER + len + CK_AEAD_TAG_LEN) != DID_OK) {
        rc = wl_nomem(err);
    } else {
        memcpy(out->data + start, h, BK_HEADER);
        if (ck_aead_seal(kek, h + 26 + CK_KDF_SALT_LEN, h, BK_HEADER, plain, len,
                         out->data + start + BK_HEADER, &ce) != CK_OK) {
            rc = did_err_from_ck(err, &ce);
        } else {
            out->len = start + BK_HEADER + len + CK_AEAD_TAG_LEN;
            out->data[out->len] = '\0';
        }
    }
    ck_secret_free(kek);
    return rc;
}

int wallet_backup_open(const uint8_t *in, size_t len, const uint8_t *pass, size_t pass_len,
                       ck_kdf_params max, uint8_t **plain, size_t *plain_len, did_err *err)
{
    ck_err ce;
    if (plain == NULL || plain_len == NULL || (in == NULL && len != 0) ||
        (pass == NULL && pass_len != 0))
        return did_err_set(err, DID_ERR_ARG, "wallet_backup_open: NULL argument");
    *plain = NULL;
    *plain_len = 0;
    if (len < 8 || memcmp(in, BK_MAGIC, 8) != 0)
        return did_err_set(err, WALLET_ERR_BACKUP, "not a civid wallet backup");
    if (len < BK_HEADER)
        return did_err_set(err, WALLET_ERR_BACKUP,
                           "truncated: %zu bytes, shorter than the "
                           "%d-byte header",
                           len, BK_HEADER);
    if (in[8] != BK_VERSION || in[9] != BK_KDF_ARGON2ID13)
        return did_err_set(err, WALLET_ERR_BACKUP,
                           "backup version %u / KDF %u, which this program does not know", in[8],
                           in[9]);
    ck_kdf_params p = {get_u64(in + 10), get_u64(in + 18)};
    uint64_t ops_max = max.opslimit != 0 ? max.opslimit : CK_KDF_OPSLIMIT_MAX;
    uint64_t mem_max = max.memlimit != 0 ? max.memlimit : CK_KDF_MEMLIMIT_MAX;
    if (p.opslimit > ops_max || p.memlimit > mem_max)
        return did_err_set(err, CK_ERR_KDF,
                           "the backup asks for Argon2id opslimit %llu, memlimit %llu: more than "
                           "the allowed %llu, %llu",
                           (unsigned long long)p.opslimit, (unsigned long long)p.memlimit,
                           (unsigned long long)ops_max, (unsigned long long)mem_max);
    uint64_t n = get_u64(in + 26 + CK_KDF_SALT_LEN + CK_AEAD_NONCE_LEN);
    if (n > WALLET_BACKUP_MAX)
        return did_err_set(err, WALLET_ERR_BACKUP,
                           "the header claims %llu bytes of records, "
                           "more than the %zu-byte limit",
                           (unsigned long long)n, WALLET_BACKUP_MAX);
    if (len - BK_HEADER != (size_t)n + CK_AEAD_TAG_LEN)
        return did_err_set(err, WALLET_ERR_BACKUP, "%s: %zu bytes where the header says %llu",
                           len - BK_HEADER < (size_t)n + CK_AEAD_TAG_LEN ? "truncated"
                                                                         : "trailing data",
                           len, (unsigned long long)(n + BK_HEADER + CK_AEAD_TAG_LEN));
    uint8_t *kek = ck_secret_alloc(CK_AEAD_KEY_LEN);
    uint8_t *pt = ck_secret_alloc(n > 0 ? (size_t)n : 1);
    int rc = DID_OK;
    if (kek == NULL || pt == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    } else if (ck_argon2id(kek, CK_AEAD_KEY_LEN, pass, pass_len, in + 26, p, &ce) != CK_OK) {
        rc = did_err_from_ck(err, &ce);
    } else if (ck_aead_open(kek, in + 26 + CK_KDF_SALT_LEN, in, BK_HEADER, in + BK_HEADER,
                            len - BK_HEADER, pt, &ce) != CK_OK) {
        rc = ce.code == CK_ERR_DECRYPT
                 ? did_err_set(err, WALLET_ERR_BACKUP_AUTH,
                               "the backup cannot be opened: wrong passphrase, or the file was "
                               "tampered with")
                 : did_err_from_ck(err, &ce);
    }
    ck_secret_free(kek);
    if (rc != DID_OK) {
        ck_secret_free(pt);
        return rc;
    }
    *plain = pt;
    *plain_len = (size_t)n;
    return DID_OK;
}

/* ---- the serialized records ---------------------------------------------------------------- */

typedef struct bk_id {
    char kind;
    char id[WALLET_ID_MAX];
} bk_id;

static int bk_id_cmp(const void *a, const void *b)
{
    const bk_id *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* One record of the serialized form. */
typedef struct bk_rec {
    wallet_kind kind;
    char id[WALLET_ID_MAX];
    const uint8_t *body;
    size_t body_len;
} bk_rec;

/* Reads the record at *o; WALLET_ERR_BACKUP when it does not fit. */
static int bk_next(const uint8_t *p, size_t len, size_t *o, bk_rec *r, did_err *err)
{
    size_t at = *o;
    if (len - at < 2)
        return did_err_set(err, WALLET_ERR_BACKUP, "record at offset %zu truncated", at);
    uint8_t kind = p[at], id_len = p[at + 1];
    if (kind != WALLET_KIND_KEY && kind != WALLET_KIND_CREDENTIAL && kind != WALLET_KIND_HISTORY)
        return did_err_set(err, WALLET_ERR_BACKUP, "record at offset %zu: unknown kind %u", at,
                           kind);
    r->kind = (wallet_kind)kind;
    if (len - at - 2 < (size_t)id_len + 4 ||
        !wl_id_valid(r->kind, (const char *)p + at + 2, id_len))
        return did_err_set(err, WALLET_ERR_BACKUP, "record at offset %zu: malformed id", at);
    memcpy(r->id, p + at + 2, id_len);
    r->id[id_len] = '\0';
    at += 2 + (size_t)id_len;
    size_t blen = get_u32(p + at);
    at += 4;
    if (blen > WALLET_BODY_MAX || blen > len - at)
        return did_err_set(err, WALLET_ERR_BACKUP, "%s %s: body length %zu out of range",
                           wl_kind_name(r->kind), r->id, blen);
    r->body = p + at;
    r->body_len = blen;
    *o = at + blen;
    return DID_OK;
}

int wallet_backup_check(const uint8_t *plain, size_t len, did_err *err)
{
    if (plain == NULL && len != 0)
        return did_err_set(err, DID_ERR_ARG, "wallet_backup_check: NULL argument");
    if (len < 4)
        return did_err_set(err, WALLET_ERR_BACKUP, "the records are truncated");
    size_t count = get_u32(plain), o = 4, per_kind[3] = {0, 0, 0};
    if (count > BK_MAX_RECORDS || count > (len - 4) / 7)
        return did_err_set(err, WALLET_ERR_BACKUP, "record count %zu out of range", count);
    bk_id *ids = calloc(count > 0 ? count : 1, sizeof *ids);
    if (ids == NULL)
        return wl_nomem(err);
    int rc = DID_OK;
    for (size_t i = 0; i < count && rc == DID_OK; i++) {
        bk_rec r;
        did_err re;
        if ((rc = bk_next(plain, len, &o, &r, err)) != DID_OK)
            break;
        size_t k = r.kind == WALLET_KIND_KEY ? 0 : r.kind == WALLET_KIND_CREDENTIAL ? 1 : 2;
        size_t max = k == 0   ? WALLET_MAX_KEYS
                     : k == 1 ? WALLET_MAX_CREDENTIALS
                              : WALLET_MAX_HISTORY;
        if (++per_kind[k] > max) {
            rc = did_err_set(err, WALLET_ERR_BACKUP, "more %s records than a wallet holds",
                             wl_kind_name(r.kind));
            break;
        }
        if (wallet_record_check(r.kind, r.body, r.body_len, &re) != DID_OK) {
            rc = did_err_set(err, WALLET_ERR_BACKUP, "%s: %s", r.id, re.msg);
            break;
        }
        ids[i].kind = (char)r.kind;
        memcpy(ids[i].id, r.id, sizeof r.id);
    }
    if (rc == DID_OK && o != len)
        rc = did_err_set(err, WALLET_ERR_BACKUP, "%zu bytes after the last record", len - o);
    if (rc == DID_OK && count > 1) {
        qsort(ids, count, sizeof *ids, bk_id_cmp);
        for (size_t i = 1; i < count && rc == DID_OK; i++)
            if (bk_id_cmp(&ids[i - 1], &ids[i]) == 0)
                rc = did_err_set(err, WALLET_ERR_BACKUP, "%s appears twice", ids[i].id);
    }
    free(ids);
    return rc;
}

/* ---- export --------------------------------------------------------------------------------- */

typedef struct export_ctx {
    wallet *w;
    wallet_kind kind;
    uint8_t *buf; /* NULL in the sizing pass */
    size_t len, cap, count;
} export_ctx;

static int export_one(void *user, const char *id, const uint8_t *val, size_t len, did_err *err)
{
    export_ctx *x = user;
    size_t id_len = strlen(id);
    if (x->buf == NULL) {
        /* Sizing: a sealed value is its body plus a fixed overhead. */
        if (len < SEALED_OVERHEAD)
            return did_err_set(err, WALLET_ERR_FORMAT, "%s %s: stored value truncated",
                               wl_kind_name(x->kind), id);
        size_t add = 2 + id_len + 4 + (len - SEALED_OVERHEAD);
        if (add > WALLET_BACKUP_MAX - x->len)
            return did_err_set(err, DID_ERR_LIMIT, "a backup is at most %zu bytes",
                               WALLET_BACKUP_MAX);
        x->len += add;
        x->count++;
        return DID_OK;
    }
    uint8_t *body;
    size_t blen;
    wl_rec rec;
    int rc = wallet_record_open(x->w->mk, x->kind, id, val, len, &body, &blen, err);
    if (rc != DID_OK)
        return rc;
    /* Only records that decode go into a backup (a restore would refuse the rest). */
    if ((rc = wl_body_decode(x->kind, body, blen, &rec, err)) != DID_OK) {
        did_err_prefix(err, id);
        return rc;
    }
    if (2 + id_len + 4 + blen > x->cap - x->len) {
        wl_rec_clear(&rec);
        return did_err_set(err, DID_ERR_INTERNAL, "the store changed during the export");
    }
    uint8_t *p = x->buf + x->len;
    p[0] = (uint8_t)x->kind;
    p[1] = (uint8_t)id_len;
    memcpy(p + 2, id, id_len);
    put_u32(p + 2 + id_len, blen);
    memcpy(p + 6 + id_len, rec.body, blen);
    x->len += 6 + id_len + blen;
    wl_rec_clear(&rec);
    return DID_OK;
}

int wallet_export(wallet *w, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                  did_buf *out, did_err *err)
{
    static const wallet_kind kinds[] = {WALLET_KIND_KEY, WALLET_KIND_CREDENTIAL,
                                        WALLET_KIND_HISTORY};
    MDB_txn *txn;
    if (w == NULL || out == NULL || pass == NULL || pass_len == 0)
        return did_err_set(err, DID_ERR_ARG, "wallet_export: %s",
                           pass_len == 0 ? "the backup passphrase is empty" : "NULL argument");
    int rc = wl_txn_begin(w, 0, &txn, err);
    if (rc != DID_OK)
        return rc;
    /* Two passes in one read transaction: the size, then the records into guarded memory. */
    export_ctx x = {w, 0, NULL, 4, 0, 0};
    for (size_t i = 0; i < 3 && rc == DID_OK; i++) {
        x.kind = kinds[i];
        rc = wl_foreach_raw(w, txn, kinds[i], export_one, &x, err);
    }
    if (rc == DID_OK) {
        x.cap = x.len;
        x.buf = ck_secret_alloc(x.cap);
        if (x.buf == NULL)
            rc = did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    }
    if (rc == DID_OK) {
        put_u32(x.buf, x.count);
        x.len = 4;
        for (size_t i = 0; i < 3 && rc == DID_OK; i++) {
            x.kind = kinds[i];
            rc = wl_foreach_raw(w, txn, kinds[i], export_one, &x, err);
        }
    }
    mdb_txn_abort(txn);
    if (rc == DID_OK)
        rc = wallet_backup_seal(x.buf, x.len, pass, pass_len, params, out, err);
    ck_secret_free(x.buf);
    return rc;
}

/* ---- restore -------------------------------------------------------------------------------- */

int wallet_import_backup(wallet *w, const uint8_t *in, size_t len, const uint8_t *pass,
                         size_t pass_len, ck_kdf_params max, did_err *err)
{
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    MDB_txn *txn = NULL;
    if (w == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_import_backup: NULL wallet");
    if (len > WALLET_BACKUP_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "a backup is at most %zu bytes", WALLET_BACKUP_MAX);
    int rc = wallet_backup_open(in, len, pass, pass_len, max, &plain, &plain_len, err);
    if (rc != DID_OK)
        return rc;
    if ((rc = wallet_backup_check(plain, plain_len, err)) != DID_OK)
        goto out;
    if ((rc = wl_txn_begin(w, 1, &txn, err)) != DID_OK)
        goto out;
    static const wallet_kind kinds[] = {WALLET_KIND_KEY, WALLET_KIND_CREDENTIAL,
                                        WALLET_KIND_HISTORY};
    for (size_t i = 0; i < 3; i++) {
        size_t n;
        if ((rc = wl_count(w, txn, kinds[i], &n, err)) != DID_OK)
            goto out;
        if (n > 0) {
            rc = did_err_set(err, WALLET_ERR_NOT_EMPTY,
                             "the wallet already holds records: a backup is restored only into "
                             "an empty wallet");
            goto out;
        }
    }
    size_t count = get_u32(plain), o = 4;
    for (size_t i = 0; i < count; i++) {
        bk_rec r;
        if ((rc = bk_next(plain, plain_len, &o, &r, err)) != DID_OK ||
            (rc = wl_put(w, txn, r.kind, r.id, r.body, r.body_len, err)) != DID_OK)
            goto out;
    }
    rc = wl_txn_commit(txn, err);
    txn = NULL;
out:
    if (txn != NULL)
        mdb_txn_abort(txn);
    ck_secret_free(plain);
    return rc;
}
