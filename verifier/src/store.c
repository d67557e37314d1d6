/* The verifier's LMDB state: single-use presentation challenges with their expiry.
 *
 * Sub-databases:
 *   challenges   16 challenge bytes -> u64 big-endian expiry (seconds) || u8 state (0 issued,
 *                1 used); a used challenge stays until it expires, so a replay is told apart
 *                from a guess
 *   expiry       u64 big-endian expiry || 16 challenge bytes -> empty: the purge order
 * Every change is one durable write transaction (LMDB's default sync): a challenge that was
 * consumed stays consumed across a crash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lmdb.h>

#include <ck/ck.h>

#include <verifier/verifier.h>

#define RAW_LEN 16
#define PURGE_MAX 256 /* expired challenges removed per issuance, at most */

struct verifier_store {
    MDB_env *env;
    MDB_dbi challenges, expiry;
};

static int mdb_fail(did_err *err, int rc, const char *what)
{
    return did_err_set(err, DID_ERR_IO, "challenge store: %s: %s", what, mdb_strerror(rc));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

int verifier_store_open(const char *dir, size_t map_size, verifier_store **out, did_err *err)
{
    if (dir == NULL || dir[0] == '\0' || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "challenge store: no data directory");
    *out = NULL;
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return did_err_set(err, DID_ERR_IO, "data directory %s: mkdir: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return did_err_set(err, DID_ERR_IO, "data directory %s is not a directory", dir);
    verifier_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    MDB_txn *txn = NULL;
    int res = DID_ERR_IO;
    int rc = mdb_env_create(&s->env);
    if (rc != MDB_SUCCESS) {
        free(s);
        return mdb_fail(err, rc, "mdb_env_create");
    }
    int dead = 0;
    /* MDB_NOTLS: read transactions are not tied to a thread (handlers run on a pool). */
    if ((rc = mdb_env_set_maxdbs(s->env, 4)) != MDB_SUCCESS ||
        (rc = mdb_env_set_mapsize(s->env, map_size)) != MDB_SUCCESS) {
        res = mdb_fail(err, rc, "mdb_env_set");
        goto fail;
    }
    if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)) != MDB_SUCCESS) {
        res = mdb_fail(err, rc, "mdb_env_open");
        goto fail;
    }
    (void)mdb_reader_check(s->env, &dead);
    if ((rc = mdb_txn_begin(s->env, NULL, 0, &txn)) != MDB_SUCCESS ||
        (rc = mdb_dbi_open(txn, "challenges", MDB_CREATE, &s->challenges)) != MDB_SUCCESS ||
        (rc = mdb_dbi_open(txn, "expiry", MDB_CREATE, &s->expiry)) != MDB_SUCCESS) {
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

void verifier_store_close(verifier_store *st)
{
    if (st == NULL)
        return;
    mdb_env_close(st->env);
    free(st);
}

/* Deletes up to PURGE_MAX challenges that expired at or before now. */
static int purge(verifier_store *s, MDB_txn *txn, int64_t now, did_err *err)
{
    MDB_cursor *cur;
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, s->expiry, &cur);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_cursor_open");
    for (int n = 0; n < PURGE_MAX; n++) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        if (rc == MDB_NOTFOUND)
            break;
        if (rc != MDB_SUCCESS || k.mv_size != 8 + RAW_LEN)
            break;
        const uint8_t *kp = k.mv_data;
        if ((int64_t)get_u64(kp) > now)
            break;
        uint8_t raw[RAW_LEN];
        memcpy(raw, kp + 8, RAW_LEN);
        if ((rc = mdb_cursor_del(cur, 0)) != MDB_SUCCESS)
            break;
        MDB_val ck = {RAW_LEN, raw};
        rc = mdb_del(txn, s->challenges, &ck, NULL);
        if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
            break;
        rc = MDB_SUCCESS;
    }
    mdb_cursor_close(cur);
    return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? DID_OK : mdb_fail(err, rc, "purge");
}

int verifier_challenge_issue(verifier_store *s, int64_t now, int64_t ttl, size_t max,
                             char out[VERIFIER_CHALLENGE_LEN + 1], int64_t *expires, did_err *err)
{
    if (s == NULL || out == NULL || ttl <= 0 || now < 0)
        return did_err_set(err, DID_ERR_ARG, "verifier_challenge_issue: bad argument");
    uint8_t raw[RAW_LEN], val[9], ekey[8 + RAW_LEN];
    size_t n = 0;
    int64_t exp = now + ttl;
    ck_random(raw, sizeof raw);
    if (ck_b64url_encode(raw, sizeof raw, out, VERIFIER_CHALLENGE_LEN + 1, &n, NULL) != CK_OK ||
        n != VERIFIER_CHALLENGE_LEN)
        return did_err_set(err, DID_ERR_INTERNAL, "base64url failed");
    put_u64(val, (uint64_t)exp);
    val[8] = 0;
    put_u64(ekey, (uint64_t)exp);
    memcpy(ekey + 8, raw, RAW_LEN);

    MDB_txn *txn;
    MDB_stat stat;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res = purge(s, txn, now, err);
    if (res == DID_OK && (rc = mdb_stat(txn, s->challenges, &stat)) != MDB_SUCCESS)
        res = mdb_fail(err, rc, "mdb_stat");
    if (res == DID_OK && stat.ms_entries >= max)
        res = did_err_set(err, CH_ERR_HTTP_UNAVAILABLE,
                          "%zu challenges are outstanding: try again later", max);
    if (res == DID_OK) {
        MDB_val k = {RAW_LEN, raw}, v = {sizeof val, val};
        MDB_val ek = {sizeof ekey, ekey}, ev = {0, NULL};
        if ((rc = mdb_put(txn, s->challenges, &k, &v, MDB_NOOVERWRITE)) != MDB_SUCCESS ||
            (rc = mdb_put(txn, s->expiry, &ek, &ev, 0)) != MDB_SUCCESS)
            res = mdb_fail(err, rc, "mdb_put");
    }
    if (res != DID_OK) {
        mdb_txn_abort(txn);
        return res;
    }
    if ((rc = mdb_txn_commit(txn)) != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_commit");
    if (expires != NULL)
        *expires = exp;
    return DID_OK;
}

int verifier_challenge_consume(verifier_store *s, const char *challenge, size_t len, int64_t now,
                               did_err *err)
{
    uint8_t raw[RAW_LEN + 2];
    size_t n = 0;
    if (s == NULL || challenge == NULL)
        return did_err_set(err, DID_ERR_ARG, "verifier_challenge_consume: NULL argument");
    /* Anything that is not 22 characters of base64url for 16 bytes was never issued here. */
    if (len != VERIFIER_CHALLENGE_LEN ||
        ck_b64url_decode(challenge, len, raw, sizeof raw, &n, NULL) != CK_OK || n != RAW_LEN)
        return did_err_set(err, DID_ERR_VP_CHALLENGE_UNKNOWN,
                           "the challenge was not issued by this verifier");
    MDB_txn *txn;
    MDB_val k = {RAW_LEN, raw}, v;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_begin");
    int res;
    rc = mdb_get(txn, s->challenges, &k, &v);
    if (rc == MDB_NOTFOUND) {
        res = did_err_set(err, DID_ERR_VP_CHALLENGE_UNKNOWN,
                          "the challenge was not issued by this verifier (or has expired and "
                          "been purged)");
    } else if (rc != MDB_SUCCESS || v.mv_size != 9) {
        res = rc != MDB_SUCCESS ? mdb_fail(err, rc, "mdb_get")
                                : did_err_set(err, DID_ERR_IO, "challenge store: bad record");
    } else {
        uint8_t val[9];
        memcpy(val, v.mv_data, sizeof val);
        int64_t exp = (int64_t)get_u64(val);
        if (val[8] != 0) {
            res = did_err_set(err, DID_ERR_VP_CHALLENGE_USED,
                              "the challenge was already used: request a new one");
        } else if (exp <= now) {
            res = did_err_set(err, DID_ERR_VP_CHALLENGE_EXPIRED,
                              "the challenge expired %lld s ago: request a new one",
                              (long long)(now - exp));
        } else {
            val[8] = 1;
            MDB_val nv = {sizeof val, val};
            rc = mdb_put(txn, s->challenges, &k, &nv, 0);
            res = rc == MDB_SUCCESS ? DID_OK : mdb_fail(err, rc, "mdb_put");
        }
    }
    if (res != DID_OK) { /* nothing was changed */
        mdb_txn_abort(txn);
        return res;
    }
    if ((rc = mdb_txn_commit(txn)) != MDB_SUCCESS)
        return mdb_fail(err, rc, "mdb_txn_commit");
    return DID_OK;
}

int64_t verifier_challenge_count(verifier_store *s)
{
    MDB_txn *txn;
    MDB_stat stat;
    if (s == NULL || mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
        return -1;
    int rc = mdb_stat(txn, s->challenges, &stat);
    mdb_txn_abort(txn);
    return rc == MDB_SUCCESS ? (int64_t)stat.ms_entries : -1;
}
