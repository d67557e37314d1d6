/* The audit log on LMDB (did/log_store.h). The entry format is tested in test_log_entry.c.
 *
 * Every test works in a fresh directory under /tmp (mkdtemp), removed at the end. Roots and
 * proofs are checked against a reference built in memory with did_log_leaf_hash and the peaks
 * appender of did/log.h (itself checked against a recursive RFC 9162 reference in
 * test_log_tree.c). LMDB is opened directly only to damage a log on purpose. */
#define _XOPEN_SOURCE 700 /* nftw, to remove the temporary directories */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include <did/log.h>
#include <did/log_entry.h>
#include <did/log_store.h>

#include "log_test_util.h"
#include "support.h"

#define H DID_LOG_HASH_LEN

static const uint8_t seed[32] = "civid test_log_store fixed seed!";
static const uint8_t seed2[32] = "civid test_log_store other seed!";

/* ---- reference ---------------------------------------------------------------------------- */

typedef struct reflog {
    size_t n, cap;
    uint8_t (*leaf)[H];
    uint8_t (*root)[H]; /* root[k] = root of the first k leaves */
    did_buf *entry;     /* entry bytes by index */
} reflog;

static void ref_init(reflog *r)
{
    memset(r, 0, sizeof *r);
}

static void ref_set(reflog *r, uint64_t idx, const uint8_t *entry, size_t len)
{
    if (idx >= r->cap) {
        size_t cap = r->cap ? r->cap : 64;
        while (cap <= idx)
            cap *= 2;
        r->leaf = realloc(r->leaf, cap * H);
        r->entry = realloc(r->entry, cap * sizeof *r->entry);
        assert_non_null(r->leaf);
        assert_non_null(r->entry);
        for (size_t i = r->cap; i < cap; i++)
            did_buf_init(&r->entry[i]);
        r->cap = cap;
    }
    did_err e;
    assert_int_equal(r->entry[idx].len, 0);
    t_assert_ok(did_buf_append(&r->entry[idx], entry, len), &e);
    t_assert_ok(did_log_leaf_hash(entry, len, r->leaf[idx], &e), &e);
    if (idx + 1 > r->n)
        r->n = (size_t)idx + 1;
}

/* Recomputes root[0 .. n] with the peaks appender; every index below n must be set. */
static void ref_roots(reflog *r)
{
    did_log_peaks p;
    did_err e;
    free(r->root);
    r->root = malloc((r->n + 1) * H);
    assert_non_null(r->root);
    did_log_peaks_init(&p);
    t_assert_ok(did_log_peaks_root(&p, r->root[0], &e), &e);
    for (size_t i = 0; i < r->n; i++) {
        assert_true(r->entry[i].len > 0);
        t_assert_ok(did_log_peaks_append(&p, r->leaf[i], NULL, NULL, NULL, &e), &e);
        t_assert_ok(did_log_peaks_root(&p, r->root[i + 1], &e), &e);
    }
}

static void ref_free(reflog *r)
{
    for (size_t i = 0; i < r->cap; i++)
        did_buf_clear(&r->entry[i]);
    free(r->entry);
    free(r->leaf);
    free(r->root);
    ref_init(r);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static ck_key *test_key(const uint8_t *s)
{
    ck_key *k = NULL;
    ck_err ce;
    assert_int_equal(ck_key_import_private(CK_KEY_ED25519, s, 32, &k, &ce), CK_OK);
    return k;
}

static char *log_dir(const char *tmp)
{
    size_t n = strlen(tmp) + 5;
    char *d = malloc(n);
    assert_non_null(d);
    snprintf(d, n, "%s/log", tmp);
    return d;
}

static did_log_store *open_log(const char *dir, const ck_key *auto_key, size_t map_size)
{
    did_log_store_opts o;
    did_log_store *s = NULL;
    did_err e;
    did_log_store_opts_init(&o);
    o.create = 1;
    o.origin = T_ORIGIN;
    o.origin_len = strlen(T_ORIGIN);
    o.checkpoint_key = auto_key;
    o.map_size = map_size;
    t_assert_ok(did_log_store_open(dir, &o, &s, &e), &e);
    return s;
}

static void close_log(did_log_store *s)
{
    did_err e;
    t_assert_ok(did_log_store_close(s, &e), &e);
}

static void append_one(did_log_store *s, const char *tag, uint64_t n, reflog *r,
                       did_log_append_result *out)
{
    char req[64];
    did_buf b;
    did_err e;
    did_log_append_result res;
    did_buf_init(&b);
    t_request_id(req, tag, n);
    t_assert_ok(t_make_entry(&b, req, n, 0, &e), &e);
    t_assert_ok(did_log_append(s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                               (const uint8_t *)req, strlen(req), b.data, b.len, &res, &e),
                &e);
    assert_false(res.duplicate);
    assert_true(res.size > res.index);
    if (r != NULL) {
        ref_set(r, res.index, b.data, b.len);
        assert_memory_equal(res.leaf_hash, r->leaf[res.index], H);
    }
    if (out != NULL)
        *out = res;
    did_buf_clear(&b);
}

/* Parallel submitters: thread t appends entries tag-(t*per + i). */
typedef struct worker {
    did_log_store *s;
    const char *tag;
    size_t t, per;
    uint64_t *index; /* index[t*per + i] */
    int failed;
    did_err err;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    char req[64];
    did_buf b;
    did_buf_init(&b);
    for (size_t i = 0; i < w->per && !w->failed; i++) {
        uint64_t n = w->t * w->per + i;
        did_log_append_result res;
        did_buf_reset(&b);
        t_request_id(req, w->tag, n);
        if (t_make_entry(&b, req, n, 0, &w->err) != DID_OK ||
            did_log_append(w->s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                           (const uint8_t *)req, strlen(req), b.data, b.len, &res,
                           &w->err) != DID_OK ||
            res.duplicate)
            w->failed = 1;
        else
            w->index[n] = res.index;
    }
    did_buf_clear(&b);
    return NULL;
}

/* Appends threads x per entries from parallel threads; checks indices are a permutation of
 * base .. base + threads*per - 1 and records them in r. */
static void append_parallel(did_log_store *s, const char *tag, size_t threads, size_t per,
                            uint64_t base, reflog *r)
{
    size_t total = threads * per;
    uint64_t *index = calloc(total, sizeof *index);
    uint8_t *seen = calloc(total, 1);
    pthread_t *th = calloc(threads, sizeof *th);
    worker *w = calloc(threads, sizeof *w);
    assert_true(index && seen && th && w);
    for (size_t t = 0; t < threads; t++) {
        w[t].s = s;
        w[t].tag = tag;
        w[t].t = t;
        w[t].per = per;
        w[t].index = index;
        assert_int_equal(pthread_create(&th[t], NULL, worker_main, &w[t]), 0);
    }
    for (size_t t = 0; t < threads; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    for (size_t t = 0; t < threads; t++)
        if (w[t].failed)
            fail_msg("worker %zu: %s (%s)", t, w[t].err.msg, did_err_name(w[t].err.code));
    for (size_t n = 0; n < total; n++) {
        assert_true(index[n] >= base && index[n] < base + total);
        size_t k = (size_t)(index[n] - base);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
        if (r != NULL) {
            char req[64];
            did_buf b;
            did_err e;
            did_buf_init(&b);
            t_request_id(req, tag, n);
            t_assert_ok(t_make_entry(&b, req, n, 0, &e), &e);
            ref_set(r, index[n], b.data, b.len);
            did_buf_clear(&b);
        }
    }
    free(index);
    free(seen);
    free(th);
    free(w);
}

/* The store agrees with the reference: head, every entry and leaf hash, roots at every size
 * (or a sample when large), and a sample of inclusion and consistency proofs. */
static void check_against(did_log_store *s, reflog *r)
{
    uint64_t size;
    uint8_t root[H], proof[DID_LOG_PROOF_MAX][H];
    size_t n;
    did_err e;
    did_buf b;

    ref_roots(r);
    t_assert_ok(did_log_store_head(s, &size, root, &e), &e);
    assert_int_equal(size, r->n);
    assert_memory_equal(root, r->root[r->n], H);
    did_buf_init(&b);
    for (size_t i = 0; i < r->n; i++) {
        did_buf_reset(&b);
        t_assert_ok(did_log_store_entry(s, i, &b, &e), &e);
        assert_int_equal(b.len, r->entry[i].len);
        assert_memory_equal(b.data, r->entry[i].data, b.len);
        t_assert_ok(did_log_store_leaf_hash(s, i, root, &e), &e);
        assert_memory_equal(root, r->leaf[i], H);
    }
    did_buf_clear(&b);
    size_t step = r->n > 600 ? r->n / 300 : 1;
    for (size_t k = 0; k <= r->n; k += step) {
        t_assert_ok(did_log_store_root(s, k, root, &e), &e);
        assert_memory_equal(root, r->root[k], H);
    }
    for (size_t k = 1; k <= r->n; k += step * 7) {
        for (size_t i = 0; i < k; i += step * 3 + 1) {
            t_assert_ok(did_log_store_inclusion_proof(s, i, k, proof, DID_LOG_PROOF_MAX, &n, &e),
                        &e);
            t_assert_ok(did_log_verify_inclusion(i, k, r->leaf[i], (const uint8_t(*)[H])proof, n,
                                                 r->root[k], &e),
                        &e);
        }
        for (size_t m = 1; m <= k; m += step * 5 + 2) {
            t_assert_ok(did_log_store_consistency_proof(s, m, k, proof, DID_LOG_PROOF_MAX, &n, &e),
                        &e);
            t_assert_ok(did_log_verify_consistency(m, k, r->root[m], r->root[k],
                                                   (const uint8_t(*)[H])proof, n, &e),
                        &e);
        }
    }
    uint64_t checked;
    t_assert_ok(did_log_store_verify(s, &checked, &e), &e);
    assert_int_equal(checked, r->n);
    t_assert_code(did_log_store_root(s, r->n + 1, root, &e), DID_ERR_LOG_SIZE, &e);
    did_buf_init(&b);
    t_assert_code(did_log_store_entry(s, r->n, &b, &e), DID_ERR_LOG_SIZE, &e);
    did_buf_clear(&b);
}

/* The tlog-proof of entry i against the latest checkpoint verifies offline. */
static void check_tlog_proof(did_log_store *s, const ck_key *key, reflog *r, uint64_t i)
{
    did_log_vkey vk;
    did_log_verified v;
    did_buf p;
    did_err e;
    did_buf_init(&p);
    t_assert_ok(did_log_vkey_from_key(key, T_ORIGIN, strlen(T_ORIGIN), &vk, &e), &e);
    t_assert_ok(did_log_store_proof(s, i, &p, &e), &e);
    t_assert_ok(did_log_proof_verify(r->entry[i].data, r->entry[i].len, p.data, p.len, &vk, NULL, 0,
                                     &v, &e),
                &e);
    assert_int_equal(v.index, i);
    assert_memory_equal(v.leaf_hash, r->leaf[i], H);
    /* the wrong entry does not verify */
    uint64_t j = (i + 1) % r->n;
    if (j != i)
        t_assert_code(did_log_proof_verify(r->entry[j].data, r->entry[j].len, p.data, p.len, &vk,
                                           NULL, 0, &v, &e),
                      DID_ERR_LOG_PROOF, &e);
    did_buf_clear(&p);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_append_reopen_proofs(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    ck_key *key = test_key(seed);
    did_log_store *s;
    did_log_append_result res, dup;
    did_buf note, note2;
    did_err e;
    reflog r;
    uint64_t cps;

    assert_non_null(tmp);
    dir = log_dir(tmp);
    ref_init(&r);
    did_buf_init(&note);
    did_buf_init(&note2);

    s = open_log(dir, NULL, 0);
    assert_string_equal(did_log_store_origin(s), T_ORIGIN);
    /* the empty log: root SHA-256(""), no checkpoint yet, no proof */
    check_against(s, &r);
    t_assert_code(did_log_store_latest_checkpoint(s, NULL, &cps, &e), DID_ERR_LOG_SIZE, &e);
    t_assert_code(did_log_store_proof(s, 0, &note, &e), DID_ERR_LOG_SIZE, &e);
    for (uint64_t i = 0; i < 40; i++) {
        append_one(s, "seq", i, &r, &res);
        assert_int_equal(res.index, i);
        assert_int_equal(res.size, i + 1);
    }
    append_parallel(s, "par", 8, 40, 40, &r);
    check_against(s, &r);

    /* checkpoint: signed over the committed head, stored, idempotent at one size */
    t_assert_ok(did_log_store_checkpoint(s, key, &note, &e), &e);
    t_assert_ok(did_log_store_checkpoint(s, key, &note2, &e), &e);
    assert_int_equal(note.len, note2.len);
    assert_memory_equal(note.data, note2.data, note.len);
    t_assert_ok(did_log_store_latest_checkpoint(s, NULL, &cps, &e), &e);
    assert_int_equal(cps, r.n);
    did_buf_reset(&note2);
    t_assert_ok(did_log_store_checkpoint_at(s, r.n, &note2, &e), &e);
    assert_memory_equal(note.data, note2.data, note.len);
    {
        did_log_vkey vk;
        did_log_checkpoint cp;
        int has;
        t_assert_ok(did_log_store_vkey(s, &vk, &has, &e), &e);
        assert_true(has);
        t_assert_ok(did_log_checkpoint_open(note.data, note.len, &vk, 1, NULL, 0, NULL, &cp, &e),
                    &e);
        assert_int_equal(cp.size, r.n);
        ref_roots(&r);
        assert_memory_equal(cp.root, r.root[r.n], H);
    }
    for (uint64_t i = 0; i < r.n; i += 7)
        check_tlog_proof(s, key, &r, i);
    /* another key is refused */
    ck_key *other = test_key(seed2);
    did_buf_reset(&note2);
    t_assert_code(did_log_store_checkpoint(s, other, &note2, &e), DID_ERR_LOG_KEY, &e);

    /* idempotent resubmission: same index and leaf, nothing appended */
    {
        char req[64];
        did_buf b;
        did_buf_init(&b);
        t_request_id(req, "seq", 5);
        t_assert_ok(t_make_entry(&b, req, 12345, 0, &e), &e); /* different content */
        t_assert_ok(did_log_append(s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                                   (const uint8_t *)req, strlen(req), b.data, b.len, &dup, &e),
                    &e);
        assert_true(dup.duplicate);
        assert_int_equal(dup.index, 5);
        assert_memory_equal(dup.leaf_hash, r.leaf[5], H);
        int found;
        uint64_t idx;
        t_assert_ok(did_log_store_lookup(s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                                         (const uint8_t *)req, strlen(req), &found, &idx, &e),
                    &e);
        assert_true(found);
        assert_int_equal(idx, 5);
        t_assert_ok(did_log_store_lookup(s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                                         (const uint8_t *)"nope", 4, &found, &idx, &e),
                    &e);
        assert_false(found);
        did_buf_clear(&b);
    }
    /* a second handle on the same directory is refused while the first is open */
    {
        did_log_store *s2 = NULL;
        did_log_store_opts o;
        did_log_store_opts_init(&o);
        t_assert_code(did_log_store_open(dir, &o, &s2, &e), DID_ERR_LOG_LOCKED, &e);
        assert_null(s2);
    }
    close_log(s);

    /* reopen (without create, without origin) and continue */
    {
        did_log_store_opts o;
        did_log_store_opts_init(&o);
        t_assert_ok(did_log_store_open(dir, &o, &s, &e), &e);
    }
    check_against(s, &r);
    did_buf_reset(&note2);
    t_assert_ok(did_log_store_latest_checkpoint(s, &note2, &cps, &e), &e);
    assert_int_equal(cps, r.n);
    assert_memory_equal(note.data, note2.data, note.len);
    for (uint64_t i = 0; i < 30; i++)
        append_one(s, "after", i, &r, NULL);
    /* resubmitting after a restart is still a duplicate */
    {
        char req[64];
        did_buf b;
        did_buf_init(&b);
        t_request_id(req, "par", 17);
        t_assert_ok(t_make_entry(&b, req, 17, 0, &e), &e);
        t_assert_ok(did_log_append(s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                                   (const uint8_t *)req, strlen(req), b.data, b.len, &dup, &e),
                    &e);
        assert_true(dup.duplicate);
        assert_memory_equal(r.entry[dup.index].data, b.data, b.len);
        did_buf_clear(&b);
    }
    check_against(s, &r);
    /* the new tail has no proof until a new checkpoint */
    did_buf_reset(&note2);
    t_assert_code(did_log_store_proof(s, r.n - 1, &note2, &e), DID_ERR_LOG_SIZE, &e);
    did_buf_reset(&note2);
    t_assert_ok(did_log_store_checkpoint(s, key, &note2, &e), &e);
    check_tlog_proof(s, key, &r, r.n - 1);
    check_tlog_proof(s, key, &r, 0);
    close_log(s);

    /* a wrong origin is refused */
    {
        did_log_store_opts o;
        did_log_store *s2 = NULL;
        did_log_store_opts_init(&o);
        o.origin = "other.example/log";
        o.origin_len = strlen(o.origin);
        t_assert_code(did_log_store_open(dir, &o, &s2, &e), DID_ERR_LOG_ORIGIN, &e);
        /* and so is the wrong automatic key */
        o.origin = NULL;
        o.checkpoint_key = other;
        t_assert_code(did_log_store_open(dir, &o, &s2, &e), DID_ERR_LOG_KEY, &e);
    }

    ck_key_free(other);
    ck_key_free(key);
    did_buf_clear(&note);
    did_buf_clear(&note2);
    ref_free(&r);
    free(dir);
    t_tmp_free(tmp);
}

static void test_concurrency(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    did_log_store *s;
    did_log_store_stats st;
    did_err e;
    reflog r;

    assert_non_null(tmp);
    dir = log_dir(tmp);
    ref_init(&r);
    s = open_log(dir, NULL, 0);
    append_parallel(s, "c", 8, 500, 0, &r);
    t_assert_ok(did_log_store_stats_get(s, &st, &e), &e);
    assert_int_equal(st.size, 4000);
    assert_int_equal(st.appended, 4000);
    assert_true(st.commits < 4000); /* batches did form */
    print_message("      8 x 500 appends: %llu commits, largest batch %llu\n",
                  (unsigned long long)st.commits, (unsigned long long)st.max_batch);
    check_against(s, &r);
    close_log(s);
    ref_free(&r);
    free(dir);
    t_tmp_free(tmp);
}

/* Several threads submit the same request ids at once: each is appended once and every
 * submitter gets the same index. */
typedef struct dup_worker {
    did_log_store *s;
    uint64_t idx[100];
    int dups;
    int failed;
} dup_worker;

static void *dup_main(void *arg)
{
    dup_worker *w = arg;
    did_buf b;
    did_err e;
    did_buf_init(&b);
    for (uint64_t n = 0; n < 100 && !w->failed; n++) {
        char req[64];
        did_log_append_result res;
        did_buf_reset(&b);
        t_request_id(req, "same", n);
        if (t_make_entry(&b, req, n, 0, &e) != DID_OK ||
            did_log_append(w->s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                           (const uint8_t *)req, strlen(req), b.data, b.len, &res, &e) != DID_OK)
            w->failed = 1;
        w->idx[n] = res.index;
        w->dups += res.duplicate;
    }
    did_buf_clear(&b);
    return NULL;
}

static void test_duplicates_concurrent(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    did_log_store *s;
    did_log_store_stats st;
    dup_worker w[4];
    pthread_t th[4];
    did_err e;

    assert_non_null(tmp);
    dir = log_dir(tmp);
    s = open_log(dir, NULL, 0);
    memset(w, 0, sizeof w);
    for (int t = 0; t < 4; t++) {
        w[t].s = s;
        assert_int_equal(pthread_create(&th[t], NULL, dup_main, &w[t]), 0);
    }
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    int dups = 0;
    for (int t = 0; t < 4; t++) {
        assert_false(w[t].failed);
        dups += w[t].dups;
        for (int n = 0; n < 100; n++)
            assert_int_equal(w[t].idx[n], w[0].idx[n]);
    }
    assert_int_equal(dups, 300);
    t_assert_ok(did_log_store_stats_get(s, &st, &e), &e);
    assert_int_equal(st.size, 100);
    assert_int_equal(st.duplicates, 300);
    close_log(s);
    free(dir);
    t_tmp_free(tmp);
}

/* A reader running while the map grows: heads, roots and proofs read through the gate that
 * map growth closes, each proof checked against the root read for its size. */
typedef struct reader {
    did_log_store *s;
    atomic_int stop;
    uint64_t proofs;
    int failed;
    did_err err;
} reader;

static void *reader_main(void *arg)
{
    reader *rd = arg;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    uint8_t root[H], leaf[H], proof[DID_LOG_PROOF_MAX][H];
    size_t n;
    while (!atomic_load(&rd->stop) && !rd->failed) {
        uint64_t size;
        if (did_log_store_head(rd->s, &size, NULL, &rd->err) != DID_OK) {
            rd->failed = 1;
            break;
        }
        if (size == 0)
            continue;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t i = x % size;
        if (did_log_store_root(rd->s, size, root, &rd->err) != DID_OK ||
            did_log_store_leaf_hash(rd->s, i, leaf, &rd->err) != DID_OK ||
            did_log_store_inclusion_proof(rd->s, i, size, proof, DID_LOG_PROOF_MAX, &n, &rd->err) !=
                DID_OK ||
            did_log_verify_inclusion(i, size, leaf, (const uint8_t(*)[H])proof, n, root,
                                     &rd->err) != DID_OK)
            rd->failed = 1;
        rd->proofs++;
    }
    return NULL;
}

static void test_map_full(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    did_log_store *s;
    did_log_store_stats st;
    did_err e;
    reflog r;

    assert_non_null(tmp);
    dir = log_dir(tmp);
    ref_init(&r);
    /* 64 KiB: LMDB's minimum is a few pages, so the first batches already fill it */
    s = open_log(dir, NULL, 64 * 1024);
    reader rd[2];
    pthread_t rth[2];
    memset(rd, 0, sizeof rd);
    for (int i = 0; i < 2; i++) {
        rd[i].s = s;
        assert_int_equal(pthread_create(&rth[i], NULL, reader_main, &rd[i]), 0);
    }
    append_parallel(s, "m", 8, 250, 0, &r);
    for (int i = 0; i < 2; i++) {
        atomic_store(&rd[i].stop, 1);
        assert_int_equal(pthread_join(rth[i], NULL), 0);
        if (rd[i].failed)
            fail_msg("reader %d: %s (%s)", i, rd[i].err.msg, did_err_name(rd[i].err.code));
        assert_true(rd[i].proofs > 0);
    }
    t_assert_ok(did_log_store_stats_get(s, &st, &e), &e);
    assert_true(st.map_grows > 0);
    assert_int_equal(st.size, 2000);
    print_message("      map grew %llu times to %zu bytes\n", (unsigned long long)st.map_grows,
                  st.map_size);
    check_against(s, &r);
    close_log(s);
    /* reopening with the tiny size again: LMDB raises it to the data size, then it grows */
    s = open_log(dir, NULL, 64 * 1024);
    check_against(s, &r);
    append_parallel(s, "m2", 4, 100, 2000, &r);
    check_against(s, &r);
    close_log(s);
    ref_free(&r);
    free(dir);
    t_tmp_free(tmp);
}

static void test_auto_checkpoint(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    ck_key *key = test_key(seed);
    did_log_store *s;
    did_err e;
    did_buf note;
    uint64_t cps;
    reflog r;

    assert_non_null(tmp);
    dir = log_dir(tmp);
    ref_init(&r);
    did_buf_init(&note);
    s = open_log(dir, key, 0);
    for (uint64_t i = 0; i < 20; i++) {
        did_log_append_result res;
        append_one(s, "a", i, &r, &res);
        ref_roots(&r);
        /* a proof is available as soon as the append returned */
        check_tlog_proof(s, key, &r, res.index);
    }
    append_parallel(s, "ap", 4, 25, 20, &r);
    ref_roots(&r);
    check_tlog_proof(s, key, &r, 119);
    close_log(s);
    /* the last automatic checkpoint was stored at close */
    s = open_log(dir, NULL, 0);
    t_assert_ok(did_log_store_latest_checkpoint(s, &note, &cps, &e), &e);
    assert_int_equal(cps, 120);
    did_buf_reset(&note);
    t_assert_ok(did_log_store_checkpoint_at(s, 120, &note, &e), &e);
    check_tlog_proof(s, key, &r, 3);
    close_log(s);
    ck_key_free(key);
    did_buf_clear(&note);
    ref_free(&r);
    free(dir);
    t_tmp_free(tmp);
}

/* ---- damaged logs ------------------------------------------------------------------------- */

/* Opens the raw environment of a closed log. */
static void raw_open(const char *dir, MDB_env **env, MDB_txn **txn, MDB_dbi *dbi, const char *name)
{
    assert_int_equal(mdb_env_create(env), 0);
    assert_int_equal(mdb_env_set_maxdbs(*env, 8), 0);
    assert_int_equal(mdb_env_open(*env, dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(*env, NULL, 0, txn), 0);
    assert_int_equal(mdb_dbi_open(*txn, name, 0, dbi), 0);
}

static void raw_commit(MDB_env *env, MDB_txn *txn)
{
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

static void expect_state_error(const char *dir)
{
    did_log_store *s = NULL;
    did_log_store_opts o;
    did_err e;
    did_log_store_opts_init(&o);
    t_assert_code(did_log_store_open(dir, &o, &s, &e), DID_ERR_LOG_STATE, &e);
    assert_null(s);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    uint8_t *p = t_read_file(from, &n);
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    free(p);
}

/* A copy of a closed log directory (an offline backup). */
static void copy_log(const char *from, const char *to)
{
    char a[512], b[512];
    assert_int_equal(mkdir(to, 0700), 0);
    snprintf(a, sizeof a, "%s/data.mdb", from);
    snprintf(b, sizeof b, "%s/data.mdb", to);
    copy_file(a, b);
}

static void test_damaged(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    did_log_store *s;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k, v;
    did_err e;
    char d1[512], d2[512], d3[512], d5[512];

    assert_non_null(tmp);
    dir = log_dir(tmp);
    s = open_log(dir, NULL, 0);
    for (uint64_t i = 0; i < 10; i++)
        append_one(s, "d", i, NULL, NULL);
    close_log(s);
    snprintf(d1, sizeof d1, "%s/c1", tmp);
    snprintf(d2, sizeof d2, "%s/c2", tmp);
    snprintf(d3, sizeof d3, "%s/c3", tmp);
    copy_log(dir, d1);
    copy_log(dir, d2);
    copy_log(dir, d3);
    snprintf(d5, sizeof d5, "%s/c5", tmp);
    copy_log(dir, d5);

    /* meta state with a different root */
    raw_open(d1, &env, &txn, &dbi, "meta");
    k.mv_size = 5;
    k.mv_data = "state";
    assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
    uint8_t buf[1024];
    memcpy(buf, v.mv_data, v.mv_size);
    buf[8] ^= 1;
    v.mv_data = buf;
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    raw_commit(env, txn);
    expect_state_error(d1);

    /* a stored peak changed: the root recomputed at open differs from meta */
    raw_open(d2, &env, &txn, &dbi, "nodes");
    uint8_t key[8], h[H];
    did_log_u64_write(did_log_node_index(1, 4), key); /* leaves 8..9, a peak of size 10 */
    k.mv_size = 8;
    k.mv_data = key;
    assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
    memcpy(h, v.mv_data, H);
    h[0] ^= 0x80;
    v.mv_data = h;
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    raw_commit(env, txn);
    expect_state_error(d2);

    /* the last entry missing: entries end before the stored size */
    raw_open(d3, &env, &txn, &dbi, "entries");
    did_log_u64_write(9, key);
    assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
    raw_commit(env, txn);
    expect_state_error(d3);

    /* an interior node changed: the open (which reads the peaks) cannot see it, the full
     * verification does */
    raw_open(d5, &env, &txn, &dbi, "nodes");
    did_log_u64_write(did_log_node_index(1, 2), key); /* leaves 4..5, inside the peak 0..7 */
    assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
    memcpy(h, v.mv_data, H);
    h[31] ^= 1;
    v.mv_data = h;
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    raw_commit(env, txn);
    s = open_log(d5, NULL, 0);
    t_assert_code(did_log_store_verify(s, NULL, &e), DID_ERR_LOG_STATE, &e);
    close_log(s);

    /* no log at all without create */
    {
        did_log_store_opts o;
        char d4[512];
        snprintf(d4, sizeof d4, "%s/none", tmp);
        assert_int_equal(mkdir(d4, 0700), 0);
        did_log_store_opts_init(&o);
        t_assert_code(did_log_store_open(d4, &o, &s, &e), DID_ERR_LOG_STORE, &e);
        /* create without an origin */
        o.create = 1;
        t_assert_code(did_log_store_open(d4, &o, &s, &e), DID_ERR_ARG, &e);
        o.origin = "bad origin";
        o.origin_len = strlen(o.origin);
        t_assert_code(did_log_store_open(d4, &o, &s, &e), DID_ERR_ARG, &e);
    }
    free(dir);
    t_tmp_free(tmp);
}

/* A log restored from a backup is behind the checkpoint it published: it opens, refuses to
 * sign, and signs again only once it has the same entries again (same root at that size). */
static void test_behind_checkpoint(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    ck_key *key = test_key(seed);
    did_log_store *s;
    did_log_store_stats st;
    did_buf note, note2;
    did_err e;
    char back[512], fork[512];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;

    assert_non_null(tmp);
    dir = log_dir(tmp);
    did_buf_init(&note);
    did_buf_init(&note2);
    s = open_log(dir, NULL, 0);
    for (uint64_t i = 0; i < 5; i++)
        append_one(s, "b", i, NULL, NULL);
    close_log(s);
    snprintf(back, sizeof back, "%s/backup", tmp);
    snprintf(fork, sizeof fork, "%s/fork", tmp);
    copy_log(dir, back);
    copy_log(dir, fork);
    s = open_log(dir, NULL, 0);
    for (uint64_t i = 5; i < 10; i++)
        append_one(s, "b", i, NULL, NULL);
    t_assert_ok(did_log_store_checkpoint(s, key, &note, &e), &e);
    close_log(s);

    /* what the restored copies lack: the published checkpoint and the key (copied in as an
     * operator restoring meta and checkpoints from elsewhere would) */
    const char *copies[2] = {back, fork};
    for (int c = 0; c < 2; c++) {
        did_log_vkey vk;
        did_buf vks;
        did_buf_init(&vks);
        t_assert_ok(did_log_vkey_from_key(key, T_ORIGIN, strlen(T_ORIGIN), &vk, &e), &e);
        t_assert_ok(did_log_vkey_format(&vk, &vks, &e), &e);
        raw_open(copies[c], &env, &txn, &dbi, "checkpoints");
        uint8_t k8[8];
        did_log_u64_write(10, k8);
        MDB_val k = {8, k8}, v = {note.len, note.data};
        assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
        assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
        MDB_val mk = {4, "vkey"}, mv = {vks.len, vks.data};
        assert_int_equal(mdb_put(txn, dbi, &mk, &mv, 0), 0);
        raw_commit(env, txn);
        did_buf_clear(&vks);
    }

    s = open_log(back, NULL, 0);
    t_assert_ok(did_log_store_stats_get(s, &st, &e), &e);
    assert_true(st.behind);
    assert_int_equal(st.size, 5);
    t_assert_code(did_log_store_checkpoint(s, key, &note2, &e), DID_ERR_LOG_STATE, &e);
    for (uint64_t i = 5; i < 8; i++)
        append_one(s, "b", i, NULL, NULL);
    t_assert_code(did_log_store_checkpoint(s, key, &note2, &e), DID_ERR_LOG_STATE, &e);
    for (uint64_t i = 8; i < 10; i++)
        append_one(s, "b", i, NULL, NULL);
    /* caught up with the same entries: the same checkpoint, byte for byte */
    t_assert_ok(did_log_store_checkpoint(s, key, &note2, &e), &e);
    assert_int_equal(note.len, note2.len);
    assert_memory_equal(note.data, note2.data, note.len);
    append_one(s, "b", 10, NULL, NULL);
    did_buf_reset(&note2);
    t_assert_ok(did_log_store_checkpoint(s, key, &note2, &e), &e);
    close_log(s);

    /* different entries: the log forked from what it published and never signs again */
    s = open_log(fork, NULL, 0);
    for (uint64_t i = 5; i < 12; i++)
        append_one(s, "other", i, NULL, NULL);
    did_buf_reset(&note2);
    t_assert_code(did_log_store_checkpoint(s, key, &note2, &e), DID_ERR_LOG_STATE, &e);
    close_log(s);
    /* and once the fork is past the checkpoint, it does not even open */
    expect_state_error(fork);

    ck_key_free(key);
    did_buf_clear(&note);
    did_buf_clear(&note2);
    free(dir);
    t_tmp_free(tmp);
}

/* ---- bad inputs ------------------------------------------------------------------------------ */

static void test_bad_appends(void **state)
{
    (void)state;
    char *tmp = t_tmpdir(), *dir;
    did_log_store *s;
    did_log_append_result res;
    did_buf b;
    did_err e;
    const uint8_t *svc = (const uint8_t *)T_SERVICE;
    size_t svc_len = strlen(T_SERVICE);

    assert_non_null(tmp);
    dir = log_dir(tmp);
    s = open_log(dir, NULL, 0);
    did_buf_init(&b);
    t_assert_ok(t_make_entry(&b, "r1", 1, 0, &e), &e);
    /* malformed entries */
    uint8_t junk[4] = {1, 7, 1, 0};
    t_assert_code(
        did_log_append(s, svc, svc_len, (const uint8_t *)"r1", 2, junk, sizeof junk, &res, &e),
        DID_ERR_LOG_ENTRY, &e);
    b.data[0] = 2; /* unknown version */
    t_assert_code(
        did_log_append(s, svc, svc_len, (const uint8_t *)"r1", 2, b.data, b.len, &res, &e),
        DID_ERR_LOG_ENTRY, &e);
    b.data[0] = 1;
    t_assert_code(
        did_log_append(s, svc, svc_len, (const uint8_t *)"r1", 2, b.data, b.len - 1, &res, &e),
        DID_ERR_LOG_ENTRY, &e);
    static uint8_t big[DID_LOG_ENTRY_MAX_LEN + 1];
    t_assert_code(
        did_log_append(s, svc, svc_len, (const uint8_t *)"r1", 2, big, sizeof big, &res, &e),
        DID_ERR_LIMIT, &e);
    /* ids that differ from the entry's, or are missing */
    t_assert_code(
        did_log_append(s, svc, svc_len, (const uint8_t *)"r2", 2, b.data, b.len, &res, &e),
        DID_ERR_ARG, &e);
    t_assert_code(did_log_append(s, (const uint8_t *)"did:web:x", 9, (const uint8_t *)"r1", 2,
                                 b.data, b.len, &res, &e),
                  DID_ERR_ARG, &e);
    t_assert_code(did_log_append(s, svc, svc_len, NULL, 0, b.data, b.len, &res, &e), DID_ERR_ARG,
                  &e);
    t_assert_code(did_log_append(s, (const uint8_t *)"a\0b", 3, (const uint8_t *)"r1", 2, b.data,
                                 b.len, &res, &e),
                  DID_ERR_ARG, &e);
    /* nothing was appended */
    uint64_t size;
    t_assert_ok(did_log_store_head(s, &size, NULL, &e), &e);
    assert_int_equal(size, 0);
    t_assert_ok(did_log_append(s, svc, svc_len, (const uint8_t *)"r1", 2, b.data, b.len, &res, &e),
                &e);
    assert_int_equal(res.index, 0);
    /* reads out of range */
    uint8_t proof[DID_LOG_PROOF_MAX][H];
    size_t n;
    t_assert_code(did_log_store_inclusion_proof(s, 0, 2, proof, DID_LOG_PROOF_MAX, &n, &e),
                  DID_ERR_LOG_SIZE, &e);
    t_assert_code(did_log_store_inclusion_proof(s, 1, 1, proof, DID_LOG_PROOF_MAX, &n, &e),
                  DID_ERR_LOG_SIZE, &e);
    uint8_t h[H];
    t_assert_code(did_log_store_leaf_hash(s, 1, h, &e), DID_ERR_LOG_SIZE, &e);
    did_buf_clear(&b);
    close_log(s);
    free(dir);
    t_tmp_free(tmp);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_reopen_proofs),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_duplicates_concurrent),
        cmocka_unit_test(test_map_full),
        cmocka_unit_test(test_auto_checkpoint),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_behind_checkpoint),
        cmocka_unit_test(test_bad_appends),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
