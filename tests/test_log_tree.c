/* The audit log's Merkle tree (did/log.h): hashing, post-order indices, the peaks appender,
 * proof generation from a node source and RFC 9162 verification.
 *
 * Vectors: ../shared/vectors/merkle/ -- transparency-dev/merkle testdata/inclusion/ and
 * testdata/consistency/ (happy paths and mutated proofs with wantErr), and
 * testonly/constants.go's roots for the eight classic RFC 6962 leaves (rfc6962-roots.json).
 * Reference: a recursive MTH / PATH / SUBPROOF written straight from RFC 9162 2.1.1-2.1.4.1,
 * compared with the library for every tree size 1..1000. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <did/log.h>

#include "support.h"

#define H DID_LOG_HASH_LEN
#define NREF 1000

/* ---- helpers ------------------------------------------------------------------------------ */

static void sha(const void *p, size_t n, uint8_t out[H])
{
    assert_int_equal(ck_sha256(p, n, out), 0);
}

static void node(const uint8_t l[H], const uint8_t r[H], uint8_t out[H])
{
    uint8_t buf[1 + 2 * H];
    buf[0] = 1;
    memcpy(buf + 1, l, H);
    memcpy(buf + 1 + H, r, H);
    sha(buf, sizeof buf, out);
}

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void assert_hash_equal(const uint8_t a[H], const uint8_t b[H], const char *what)
{
    if (memcmp(a, b, H) != 0) {
        char ha[2 * H + 1], hb[2 * H + 1];
        hex_of(a, H, ha);
        hex_of(b, H, hb);
        fail_msg("%s: %s != %s", what, ha, hb);
    }
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* ---- the reference: RFC 9162 2.1.1 - 2.1.4.1, recursively ------------------------------- */

static uint8_t ref_leaf[NREF][H];
/* Memo of perfect subtrees, memo[h][a >> h]: the recursion is the RFC's, the cache only keeps
 * the test fast. */
static uint8_t ref_memo[11][NREF][H];
static uint8_t ref_memo_ok[11][NREF];

/* Largest power of two smaller than n (n > 1), as the RFC defines k. */
static uint64_t ref_k(uint64_t n)
{
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* MTH(D[a:b]) */
static void ref_mth(uint64_t a, uint64_t b, uint8_t out[H])
{
    uint64_t n = b - a;
    if (n == 0) {
        sha("", 0, out);
        return;
    }
    if (n == 1) {
        memcpy(out, ref_leaf[a], H);
        return;
    }
    int perfect = (n & (n - 1)) == 0 && a % n == 0;
    unsigned h = 0;
    if (perfect) {
        while (((uint64_t)1 << h) != n)
            h++;
        if (ref_memo_ok[h][a >> h]) {
            memcpy(out, ref_memo[h][a >> h], H);
            return;
        }
    }
    uint64_t k = ref_k(n);
    uint8_t l[H], r[H];
    ref_mth(a, a + k, l);
    ref_mth(a + k, b, r);
    node(l, r, out);
    if (perfect) {
        memcpy(ref_memo[h][a >> h], out, H);
        ref_memo_ok[h][a >> h] = 1;
    }
}

/* PATH(m, D[a:b]) appended to out[*n]. */
static void ref_path(uint64_t m, uint64_t a, uint64_t b, uint8_t out[][H], size_t *n)
{
    uint64_t len = b - a;
    if (len <= 1)
        return;
    uint64_t k = ref_k(len);
    if (m < k) {
        ref_path(m, a, a + k, out, n);
        ref_mth(a + k, b, out[(*n)++]);
    } else {
        ref_path(m - k, a + k, b, out, n);
        ref_mth(a, a + k, out[(*n)++]);
    }
}

/* SUBPROOF(m, D[a:b], whole) appended to out[*n]. */
static void ref_subproof(uint64_t m, uint64_t a, uint64_t b, int whole, uint8_t out[][H], size_t *n)
{
    uint64_t len = b - a;
    if (m == len) {
        if (!whole)
            ref_mth(a, b, out[(*n)++]);
        return;
    }
    uint64_t k = ref_k(len);
    if (m <= k) {
        ref_subproof(m, a, a + k, whole, out, n);
        ref_mth(a + k, b, out[(*n)++]);
    } else {
        ref_subproof(m - k, a + k, b, 0, out, n);
        ref_mth(a, a + k, out[(*n)++]);
    }
}

static void ref_init(void)
{
    static int done;
    if (done)
        return;
    for (size_t i = 0; i < NREF; i++) {
        uint8_t buf[1 + 16];
        buf[0] = 0x00;
        snprintf((char *)buf + 1, 16, "entry %06zu", i);
        sha(buf, 1 + 12, ref_leaf[i]);
    }
    done = 1;
}

/* ---- an in-memory node store, filled by the appender ------------------------------------- */

typedef struct mem_store {
    uint8_t (*nodes)[H];
    uint64_t count; /* nodes stored */
    uint64_t cap;
    uint64_t limit; /* tree size the current operation may read up to */
    unsigned reads;
} mem_store;

static int mem_get(void *user, uint64_t start, uint64_t size, uint8_t out[H], did_err *err)
{
    mem_store *s = user;
    /* The contract: perfect, aligned, within the tree size asked about. */
    if (size == 0 || (size & (size - 1)) != 0 || start % size != 0 || start + size > s->limit)
        fail_msg("node source asked for [%llu, +%llu) with tree size %llu",
                 (unsigned long long)start, (unsigned long long)size, (unsigned long long)s->limit);
    uint64_t idx = did_log_subtree_index(start, size);
    if (idx >= s->count)
        return did_err_set(err, DID_ERR_IO, "node %llu not stored", (unsigned long long)idx);
    memcpy(out, s->nodes[idx], H);
    s->reads++;
    return 0;
}

/* Appends all NREF reference leaves through the peaks appender into s, checking each append. */
static void build_store(mem_store *s)
{
    did_err err;
    did_log_peaks p;
    did_log_peaks_init(&p);
    s->cap = 2 * NREF;
    s->nodes = calloc(s->cap, H);
    assert_non_null(s->nodes);
    s->count = 0;
    for (uint64_t i = 0; i < NREF; i++) {
        uint8_t nodes[DID_LOG_APPEND_NODES_MAX][H];
        size_t n = 0;
        uint64_t first = 0;
        t_assert_ok(did_log_peaks_append(&p, ref_leaf[i], nodes, &n, &first, &err), &err);
        /* The nodes are exactly the next keys: an MDB_APPEND sequence. */
        assert_int_equal(first, s->count);
        assert_int_equal(first, did_log_node_count(i));
        unsigned t = 0;
        while ((i >> t) & 1)
            t++;
        assert_int_equal(n, t + 1);
        for (size_t j = 0; j < n; j++) {
            uint64_t sz = (uint64_t)1 << j;
            uint64_t start = i + 1 - sz;
            uint8_t want[H];
            ref_mth(start, i + 1, want);
            assert_hash_equal(nodes[j], want, "appended node");
            assert_int_equal(did_log_subtree_index(start, sz), first + j);
            assert_true(s->count < s->cap);
            memcpy(s->nodes[s->count++], nodes[j], H);
        }
        assert_int_equal(s->count, did_log_node_count(i + 1));
        uint8_t root[H], want[H];
        t_assert_ok(did_log_peaks_root(&p, root, &err), &err);
        ref_mth(0, i + 1, want);
        assert_hash_equal(root, want, "peaks root");
        assert_int_equal(p.size, i + 1);
    }
}

/* ---- index arithmetic --------------------------------------------------------------------- */

/* Go sumdb's StoredHashIndex, transcribed as a loop. */
static uint64_t go_stored_hash_index(unsigned level, uint64_t n)
{
    for (unsigned l = level; l > 0; l--)
        n = 2 * n + 1;
    uint64_t i = 0;
    for (; n > 0; n >>= 1)
        i += n;
    return i + level;
}

static void test_node_index(void **state)
{
    (void)state;
    /* Post-order: leaf 0, leaf 1, [0,2), leaf 2, leaf 3, [2,4), [0,4), leaf 4 ... */
    assert_int_equal(did_log_node_index(0, 0), 0);
    assert_int_equal(did_log_node_index(0, 1), 1);
    assert_int_equal(did_log_node_index(1, 0), 2);
    assert_int_equal(did_log_node_index(0, 2), 3);
    assert_int_equal(did_log_node_index(0, 3), 4);
    assert_int_equal(did_log_node_index(1, 1), 5);
    assert_int_equal(did_log_node_index(2, 0), 6);
    assert_int_equal(did_log_node_index(0, 4), 7);
    for (unsigned level = 0; level < 20; level++)
        for (uint64_t k = 0; k < 300; k++)
            assert_int_equal(did_log_node_index(level, k), go_stored_hash_index(level, k));
    uint64_t seed = 88172645463325252ull;
    for (int i = 0; i < 10000; i++) {
        unsigned level = (unsigned)(xorshift(&seed) % 40);
        uint64_t k = xorshift(&seed) >> (24 + level);
        assert_int_equal(did_log_node_index(level, k), go_stored_hash_index(level, k));
        assert_int_equal(did_log_subtree_index(k << level, (uint64_t)1 << level),
                         go_stored_hash_index(level, k));
    }
    /* Counts: 2n - popcount(n) for every n, and the next index is the count. */
    for (uint64_t n = 0; n < 5000; n++) {
        uint64_t c = did_log_node_count(n);
        if (n > 0)
            assert_int_equal(c, did_log_node_index(0, n - 1) + 1 +
                                    (uint64_t)__builtin_ctzll(~(n - 1)));
        if (n < 4999)
            assert_int_equal(did_log_node_index(0, n), c);
    }
    /* Domain edges. */
    assert_int_equal(did_log_node_index(62, 0), go_stored_hash_index(62, 0));
    assert_int_equal(did_log_node_index(62, 1), UINT64_MAX);
    assert_int_equal(did_log_node_index(63, 0), UINT64_MAX);
    assert_int_equal(did_log_node_index(0, DID_LOG_SIZE_MAX - 1),
                     go_stored_hash_index(0, DID_LOG_SIZE_MAX - 1));
    assert_int_equal(did_log_node_index(0, DID_LOG_SIZE_MAX), UINT64_MAX);
    assert_int_equal(did_log_node_count(DID_LOG_SIZE_MAX), 2 * DID_LOG_SIZE_MAX - 63);
    assert_int_equal(did_log_node_count(DID_LOG_SIZE_MAX + 1), UINT64_MAX);
    assert_int_equal(did_log_subtree_index(3, 2), UINT64_MAX); /* misaligned */
    assert_int_equal(did_log_subtree_index(0, 3), UINT64_MAX); /* not a power of two */
    assert_int_equal(did_log_subtree_index(0, 0), UINT64_MAX);
}

/* ---- hashing and the RFC 6962 roots ------------------------------------------------------- */

static void test_hashes_and_roots(void **state)
{
    (void)state;
    did_err err;
    uint8_t out[H], want[H];

    /* Leaf and node prefixes. */
    t_assert_ok(did_log_leaf_hash(NULL, 0, out, &err), &err);
    uint8_t zero = 0;
    sha(&zero, 1, want);
    assert_hash_equal(out, want, "leaf hash of the empty entry");
    /* The long-entry path (incremental hasher) agrees with the one-shot path. */
    size_t big = 70000;
    uint8_t *buf = malloc(big + 1);
    assert_non_null(buf);
    buf[0] = 0;
    for (size_t i = 0; i < big; i++)
        buf[i + 1] = (uint8_t)(i * 7);
    for (size_t len = 1000; len < big; len += 17000) {
        t_assert_ok(did_log_leaf_hash(buf + 1, len, out, &err), &err);
        sha(buf, len + 1, want);
        assert_hash_equal(out, want, "leaf hash");
    }
    t_assert_ok(did_log_leaf_hash(buf + 1, 1023, out, &err), &err);
    sha(buf, 1024, want);
    assert_hash_equal(out, want, "leaf hash at the buffer edge");
    t_assert_ok(did_log_leaf_hash(buf + 1, 1024, out, &err), &err);
    sha(buf, 1025, want);
    assert_hash_equal(out, want, "leaf hash past the buffer edge");
    free(buf);

    /* testonly/constants.go: the eight leaves and the roots of sizes 0..8. */
    json_t *v = t_vector_json("merkle/rfc6962-roots.json");
    json_t *leaves = json_object_get(v, "leaves");
    json_t *roots = json_object_get(v, "roots");
    assert_int_equal(json_array_size(leaves), 8);
    assert_int_equal(json_array_size(roots), 9);
    did_log_peaks p;
    did_log_peaks_init(&p);
    for (size_t n = 0; n <= 8; n++) {
        size_t rl;
        uint8_t *r = t_unhex(json_string_value(json_array_get(roots, n)), &rl);
        assert_int_equal(rl, H);
        t_assert_ok(did_log_peaks_root(&p, out, &err), &err);
        assert_hash_equal(out, r, "RFC 6962 root");
        free(r);
        if (n == 8)
            break;
        size_t dl;
        uint8_t *d = t_unhex(json_string_value(json_array_get(leaves, n)), &dl);
        uint8_t lh[H];
        t_assert_ok(did_log_leaf_hash(d, dl, lh, &err), &err);
        t_assert_ok(did_log_peaks_append(&p, lh, NULL, NULL, NULL, &err), &err);
        free(d);
    }
    json_decref(v);
}

/* ---- published vectors (transparency-dev/merkle testdata) -------------------------------- */

/* The integer member `key` read from the raw JSON text: leafIdx can be 2^64 - 1, which jansson
 * cannot hold. */
static uint64_t raw_u64(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(text, pat);
    if (p == NULL)
        fail_msg("no member %s", key);
    p += strlen(pat);
    while (*p == ' ')
        p++;
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p)
        fail_msg("member %s is not an integer", key);
    return v;
}

typedef struct vec_stats {
    unsigned files, happy, want_err, invalid, opaque;
} vec_stats;

/* A vector value as a 32-byte hash. Leaf and proof hashes that are not 32 bytes (empty strings,
 * "WrongLeaf") cannot be expressed in our API, whose strict parsers reject them before any
 * verification (Go's verifier rejects a leaf hash of the wrong size too): *invalid is set and
 * the vector counts as rejected. Roots are only ever compared, never hashed, so a root that is
 * not a hash ("don't care 1") is mapped injectively to H("opaque:" || bytes): equal roots stay
 * equal, nothing collides with a real hash, and the verifier must decide on the merits. */
static void vec_hash(json_t *s, int is_root, uint8_t out[H], int *invalid, int *opaque)
{
    const char *b64 = json_string_value(s);
    if (b64 == NULL)
        fail_msg("hash is not a string");
    uint8_t raw[128];
    size_t n = 0;
    ck_err ce;
    if (ck_b64std_decode(b64, strlen(b64), raw, sizeof raw, &n, &ce) != 0)
        fail_msg("vector base64 %s: %s", b64, ce.msg);
    if (n == H) {
        memcpy(out, raw, H);
        return;
    }
    if (!is_root) {
        memset(out, 0, H);
        *invalid = 1;
        return;
    }
    uint8_t buf[7 + sizeof raw];
    memcpy(buf, "opaque:", 7);
    memcpy(buf + 7, raw, n);
    sha(buf, 7 + n, out);
    *opaque = 1;
}

static size_t vec_proof(json_t *arr, uint8_t out[][H], int *invalid)
{
    if (json_is_null(arr))
        return 0;
    size_t n = json_array_size(arr);
    assert_true(n <= 70);
    for (size_t i = 0; i < n; i++)
        vec_hash(json_array_get(arr, i), 0, out[i], invalid, NULL);
    return n;
}

static void run_vector(const char *path, int inclusion, vec_stats *st)
{
    size_t len;
    char *text = (char *)t_read_file(path, &len);
    json_error_t jerr;
    json_t *v = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &jerr);
    if (v == NULL)
        fail_msg("%s: %s", path, jerr.text);
    json_t *want_err = json_object_get(v, "wantErr");
    assert_true(json_is_boolean(want_err));
    int bad = json_is_true(want_err);
    const char *desc = json_string_value(json_object_get(v, "desc"));
    int invalid = 0, opaque = 0;
    uint8_t proof[70][H];
    size_t n = vec_proof(json_object_get(v, "proof"), proof, &invalid);
    did_err err;
    did_err_clear(&err);
    int rc;
    if (inclusion) {
        uint8_t leaf[H], root[H];
        vec_hash(json_object_get(v, "leafHash"), 0, leaf, &invalid, &opaque);
        vec_hash(json_object_get(v, "root"), 1, root, &invalid, &opaque);
        rc = did_log_verify_inclusion(raw_u64(text, "leafIdx"), raw_u64(text, "treeSize"), leaf,
                                      (const uint8_t(*)[H])proof, n, root, &err);
    } else {
        uint8_t r1[H], r2[H];
        vec_hash(json_object_get(v, "root1"), 1, r1, &invalid, &opaque);
        vec_hash(json_object_get(v, "root2"), 1, r2, &invalid, &opaque);
        rc = did_log_verify_consistency(raw_u64(text, "size1"), raw_u64(text, "size2"), r1, r2,
                                        (const uint8_t(*)[H])proof, n, &err);
    }
    if (invalid) {
        /* Rejected before verification: only acceptable where an error is wanted. */
        if (!bad)
            fail_msg("%s (%s): happy path with a leaf or proof value that is not a hash", path,
                     desc);
        st->invalid++;
    } else if (bad) {
        if (rc == 0)
            fail_msg("%s (%s): verified but wantErr", path, desc);
        if (rc != DID_ERR_LOG_PROOF && rc != DID_ERR_LOG_SIZE)
            fail_msg("%s: unexpected code %s", path, did_err_name(rc));
        st->want_err++;
    } else {
        if (rc != 0)
            fail_msg("%s (%s): %s: %s", path, desc, did_err_name(rc), err.msg);
        st->happy++;
    }
    st->opaque += opaque ? 1u : 0u;
    st->files++;
    json_decref(v);
    free(text);
}

static void run_dir(const char *dir, int inclusion, vec_stats *st)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        fail_msg("cannot open %s", dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        assert_non_null(names);
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        assert_non_null(names[n]);
        snprintf(names[n], l, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        assert_int_equal(stat(names[i], &sb), 0);
        if (S_ISDIR(sb.st_mode))
            run_dir(names[i], inclusion, st);
        else if (strstr(names[i], ".json") != NULL)
            run_vector(names[i], inclusion, st);
        free(names[i]);
    }
    free(names);
}

static void test_vectors_inclusion(void **state)
{
    (void)state;
    vec_stats st = {0};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", t_vector_path("merkle/inclusion"));
    run_dir(dir, 1, &st);
    print_message("inclusion vectors: %u files: %u happy paths verified, %u wantErr rejected by "
                  "the verifier, %u wantErr with a leaf/proof value that is not a 32-byte hash "
                  "(%u with opaque roots)\n",
                  st.files, st.happy, st.want_err, st.invalid, st.opaque);
    assert_true(st.files >= 98);
    assert_true(st.happy >= 1);
}

static void test_vectors_consistency(void **state)
{
    (void)state;
    vec_stats st = {0};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", t_vector_path("merkle/consistency"));
    run_dir(dir, 0, &st);
    print_message("consistency vectors: %u files: %u happy paths verified, %u wantErr rejected by "
                  "the verifier, %u wantErr with a leaf/proof value that is not a 32-byte hash "
                  "(%u with opaque roots)\n",
                  st.files, st.happy, st.want_err, st.invalid, st.opaque);
    assert_true(st.files >= 98);
    assert_true(st.happy >= 1);
}

/* ---- the library against the reference, sizes 1..1000 ------------------------------------ */

static void test_appender_against_reference(void **state)
{
    (void)state;
    ref_init();
    mem_store s = {0};
    build_store(&s);
    free(s.nodes);
}

static void flip(uint8_t proof[][H], size_t i, unsigned bit)
{
    proof[i][bit / 8 % H] ^= (uint8_t)(1u << (bit % 8));
}

static void check_inclusion(mem_store *s, uint64_t idx, uint64_t size, const uint8_t root[H])
{
    did_err err;
    uint8_t got[DID_LOG_PROOF_MAX][H], want[DID_LOG_PROOF_MAX][H];
    size_t n = 0, wn = 0;
    s->limit = size;
    t_assert_ok(did_log_inclusion_proof(&(did_log_source){mem_get, s}, idx, size, got,
                                        DID_LOG_PROOF_MAX, &n, &err),
                &err);
    ref_path(idx, 0, size, want, &wn);
    if (n != wn)
        fail_msg("PATH(%llu, %llu): %zu hashes, reference %zu", (unsigned long long)idx,
                 (unsigned long long)size, n, wn);
    for (size_t i = 0; i < n; i++)
        assert_hash_equal(got[i], want[i], "inclusion proof hash");
    t_assert_ok(
        did_log_verify_inclusion(idx, size, ref_leaf[idx], (const uint8_t(*)[H])got, n, root, &err),
        &err);
    /* Mutations: a flipped bit, a dropped or an extra hash, a neighbouring index. */
    if (n > 0) {
        flip(got, n - 1, (unsigned)(idx * 31 + size));
        t_assert_code(did_log_verify_inclusion(idx, size, ref_leaf[idx], (const uint8_t(*)[H])got,
                                               n, root, &err),
                      DID_ERR_LOG_PROOF, &err);
        flip(got, n - 1, (unsigned)(idx * 31 + size));
        t_assert_code(did_log_verify_inclusion(idx, size, ref_leaf[idx], (const uint8_t(*)[H])got,
                                               n - 1, root, &err),
                      DID_ERR_LOG_PROOF, &err);
    }
    memcpy(got[n], root, H);
    t_assert_code(did_log_verify_inclusion(idx, size, ref_leaf[idx], (const uint8_t(*)[H])got,
                                           n + 1, root, &err),
                  DID_ERR_LOG_PROOF, &err);
    if (idx + 1 < size)
        t_assert_code(did_log_verify_inclusion(idx + 1, size, ref_leaf[idx],
                                               (const uint8_t(*)[H])got, n, root, &err),
                      DID_ERR_LOG_PROOF, &err);
}

static void check_consistency(mem_store *s, uint64_t m, uint64_t size, const uint8_t roots[][H])
{
    did_err err;
    uint8_t got[DID_LOG_PROOF_MAX + 1][H], want[DID_LOG_PROOF_MAX][H];
    size_t n = 0, wn = 0;
    s->limit = size;
    t_assert_ok(did_log_consistency_proof(&(did_log_source){mem_get, s}, m, size, got,
                                          DID_LOG_PROOF_MAX, &n, &err),
                &err);
    ref_subproof(m, 0, size, 1, want, &wn);
    if (n != wn)
        fail_msg("PROOF(%llu, %llu): %zu hashes, reference %zu", (unsigned long long)m,
                 (unsigned long long)size, n, wn);
    for (size_t i = 0; i < n; i++)
        assert_hash_equal(got[i], want[i], "consistency proof hash");
    t_assert_ok(did_log_verify_consistency(m, size, roots[m], roots[size], (const uint8_t(*)[H])got,
                                           n, &err),
                &err);
    if (m == size)
        return;
    flip(got, n / 2, (unsigned)(m * 7 + size));
    t_assert_code(did_log_verify_consistency(m, size, roots[m], roots[size],
                                             (const uint8_t(*)[H])got, n, &err),
                  DID_ERR_LOG_PROOF, &err);
    flip(got, n / 2, (unsigned)(m * 7 + size));
    t_assert_code(did_log_verify_consistency(m, size, roots[m], roots[size],
                                             (const uint8_t(*)[H])got, n - 1, &err),
                  DID_ERR_LOG_PROOF, &err);
    memcpy(got[n], roots[size], H);
    t_assert_code(did_log_verify_consistency(m, size, roots[m], roots[size],
                                             (const uint8_t(*)[H])got, n + 1, &err),
                  DID_ERR_LOG_PROOF, &err);
    /* The proof of m -> size does not prove m -> size - 1 or a swapped pair of roots. */
    if (size - 1 > m)
        t_assert_code(did_log_verify_consistency(m, size - 1, roots[m], roots[size - 1],
                                                 (const uint8_t(*)[H])got, n, &err),
                      DID_ERR_LOG_PROOF, &err);
    t_assert_code(did_log_verify_consistency(m, size, roots[size], roots[m],
                                             (const uint8_t(*)[H])got, n, &err),
                  DID_ERR_LOG_PROOF, &err);
}

static void test_proofs_against_reference(void **state)
{
    (void)state;
    ref_init();
    mem_store s = {0};
    build_store(&s);
    did_err err;
    static uint8_t roots[NREF + 1][H];
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned inclusions = 0, consistencies = 0;
    for (uint64_t size = 0; size <= NREF; size++) {
        uint8_t want[H];
        ref_mth(0, size, want);
        s.limit = size;
        s.reads = 0;
        t_assert_ok(did_log_root(&(did_log_source){mem_get, &s}, size, roots[size], &err), &err);
        assert_hash_equal(roots[size], want, "root at a past size");
        /* Root at any past size: one read per peak. */
        assert_int_equal(s.reads, (unsigned)__builtin_popcountll(size));
        did_log_peaks p;
        t_assert_ok(did_log_peaks_load(&p, &(did_log_source){mem_get, &s}, size, &err), &err);
        uint8_t pr[H];
        t_assert_ok(did_log_peaks_root(&p, pr, &err), &err);
        assert_hash_equal(pr, want, "reloaded peaks root");
    }
    for (uint64_t size = 1; size <= NREF; size++) {
        uint64_t idx[8] = {0, size - 1, size / 2, size / 3, 1, size - 2, 0, 0};
        idx[6] = xorshift(&seed) % size;
        idx[7] = xorshift(&seed) % size;
        if (size <= 40) {
            for (uint64_t i = 0; i < size; i++, inclusions++)
                check_inclusion(&s, i, size, roots[size]);
        } else {
            for (size_t i = 0; i < 8; i++, inclusions++)
                check_inclusion(&s, idx[i], size, roots[size]);
        }
        uint64_t ms[7] = {1, size, size / 2 + 1, size - 1, 2, 0, 0};
        ms[5] = 1 + xorshift(&seed) % size;
        ms[6] = 1 + xorshift(&seed) % size;
        if (size <= 24) {
            for (uint64_t m = 1; m <= size; m++, consistencies++)
                check_consistency(&s, m, size, (const uint8_t(*)[H])roots);
        } else {
            for (size_t i = 0; i < 7; i++, consistencies++)
                check_consistency(&s, ms[i], size, (const uint8_t(*)[H])roots);
        }
    }
    print_message("reference: roots for sizes 0..%d, %u inclusion and %u consistency proofs\n",
                  NREF, inclusions, consistencies);
    free(s.nodes);
}

/* ---- very large trees --------------------------------------------------------------------- */

/* A tree whose leaves are all equal: the perfect subtree of height h has hash P[h], so trees
 * of any size up to 2^63 - 1 are consistent and cheap. Exercises the 64-bit edges. */
static uint8_t big_p[64][H];

static int big_get(void *user, uint64_t start, uint64_t size, uint8_t out[H], did_err *err)
{
    (void)err;
    uint64_t limit = *(uint64_t *)user;
    assert_true(size != 0 && (size & (size - 1)) == 0 && start % size == 0);
    assert_true(start + size <= limit && start + size > start);
    unsigned h = (unsigned)__builtin_ctzll(size);
    memcpy(out, big_p[h], H);
    return 0;
}

static void test_large_trees(void **state)
{
    (void)state;
    did_err err;
    uint8_t leaf_data[] = "same";
    t_assert_ok(did_log_leaf_hash(leaf_data, 4, big_p[0], &err), &err);
    for (int h = 1; h < 64; h++)
        node(big_p[h - 1], big_p[h - 1], big_p[h]);
    uint64_t sizes[] = {DID_LOG_SIZE_MAX,
                        DID_LOG_SIZE_MAX - 1,
                        ((uint64_t)1 << 62) + 1,
                        (uint64_t)1 << 62,
                        ((uint64_t)1 << 40) + 12345,
                        0x5555555555555555ull,
                        3};
    uint64_t seed = 12345;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        uint64_t size = sizes[si], limit = size;
        did_log_source src = {big_get, &limit};
        uint8_t root[H], proof[DID_LOG_PROOF_MAX][H];
        size_t n;
        t_assert_ok(did_log_root(&src, size, root, &err), &err);
        did_log_peaks p;
        t_assert_ok(did_log_peaks_load(&p, &src, size, &err), &err);
        uint8_t pr[H];
        t_assert_ok(did_log_peaks_root(&p, pr, &err), &err);
        assert_hash_equal(pr, root, "peaks root of a large tree");
        uint64_t idx[] = {0, size - 1, size / 2, xorshift(&seed) % size};
        for (size_t i = 0; i < 4; i++) {
            t_assert_ok(
                did_log_inclusion_proof(&src, idx[i], size, proof, DID_LOG_PROOF_MAX, &n, &err),
                &err);
            assert_true(n <= DID_LOG_TLOG_PROOF_MAX_HASHES);
            t_assert_ok(did_log_verify_inclusion(idx[i], size, big_p[0], (const uint8_t(*)[H])proof,
                                                 n, root, &err),
                        &err);
        }
        uint64_t ms[] = {1, size, size - 1 > 0 ? size - 1 : 1, 1 + xorshift(&seed) % size};
        for (size_t i = 0; i < 4; i++) {
            uint64_t m = ms[i];
            uint64_t lim1 = m;
            uint8_t r1[H];
            t_assert_ok(did_log_root(&(did_log_source){big_get, &lim1}, m, r1, &err), &err);
            t_assert_ok(
                did_log_consistency_proof(&src, m, size, proof, DID_LOG_PROOF_MAX, &n, &err), &err);
            assert_true(n <= DID_LOG_PROOF_MAX);
            t_assert_ok(
                did_log_verify_consistency(m, size, r1, root, (const uint8_t(*)[H])proof, n, &err),
                &err);
        }
    }
    /* The full tree refuses another leaf and leaves the peaks as they were. */
    uint64_t limit = DID_LOG_SIZE_MAX;
    did_log_peaks p;
    t_assert_ok(did_log_peaks_load(&p, &(did_log_source){big_get, &limit}, DID_LOG_SIZE_MAX, &err),
                &err);
    assert_int_equal(p.n, 63);
    did_log_peaks before = p;
    t_assert_code(did_log_peaks_append(&p, big_p[0], NULL, NULL, NULL, &err), DID_ERR_LOG_SIZE,
                  &err);
    assert_memory_equal(&p, &before, sizeof p);
    /* The largest append emits 63 nodes: leaf index 2^62 - 1 completes [0, 2^62). */
    limit = ((uint64_t)1 << 62) - 1;
    t_assert_ok(did_log_peaks_load(&p, &(did_log_source){big_get, &limit}, limit, &err), &err);
    uint8_t nodes[DID_LOG_APPEND_NODES_MAX][H];
    size_t nn;
    uint64_t first;
    t_assert_ok(did_log_peaks_append(&p, big_p[0], nodes, &nn, &first, &err), &err);
    assert_int_equal(nn, 63);
    assert_int_equal(first, did_log_node_count(((uint64_t)1 << 62) - 1));
    assert_hash_equal(nodes[62], big_p[62], "largest completed subtree");
    assert_int_equal(first + 62, did_log_node_index(62, 0));
}

/* ---- errors ------------------------------------------------------------------------------- */

static int failing_get(void *user, uint64_t start, uint64_t size, uint8_t out[H], did_err *err)
{
    (void)user;
    (void)start;
    (void)size;
    (void)out;
    return did_err_set(err, DID_ERR_IO, "disk on fire");
}

static int silent_failing_get(void *user, uint64_t start, uint64_t size, uint8_t out[H],
                              did_err *err)
{
    (void)user;
    (void)start;
    (void)size;
    (void)out;
    (void)err;
    return DID_ERR_INTERNAL;
}

static void test_errors(void **state)
{
    (void)state;
    ref_init();
    mem_store s = {0};
    build_store(&s);
    s.limit = NREF;
    did_log_source src = {mem_get, &s};
    did_err err;
    uint8_t proof[DID_LOG_PROOF_MAX][H], root[H];
    size_t n;
    memset(root, 0x5a, sizeof root);

    t_assert_code(did_log_inclusion_proof(&src, 10, 10, proof, DID_LOG_PROOF_MAX, &n, &err),
                  DID_ERR_LOG_SIZE, &err);
    t_assert_code(did_log_inclusion_proof(&src, 0, 0, proof, DID_LOG_PROOF_MAX, &n, &err),
                  DID_ERR_LOG_SIZE, &err);
    t_assert_code(
        did_log_inclusion_proof(&src, 0, DID_LOG_SIZE_MAX + 1, proof, DID_LOG_PROOF_MAX, &n, &err),
        DID_ERR_LOG_SIZE, &err);
    t_assert_code(did_log_inclusion_proof(&src, 5, 1000, proof, 3, &n, &err), DID_ERR_LIMIT, &err);
    t_assert_code(did_log_inclusion_proof(NULL, 5, 1000, proof, 3, &n, &err), DID_ERR_ARG, &err);
    t_assert_code(did_log_consistency_proof(&src, 0, 10, proof, DID_LOG_PROOF_MAX, &n, &err),
                  DID_ERR_LOG_SIZE, &err);
    t_assert_code(did_log_consistency_proof(&src, 11, 10, proof, DID_LOG_PROOF_MAX, &n, &err),
                  DID_ERR_LOG_SIZE, &err);
    t_assert_code(did_log_consistency_proof(&src, 3, 1000, proof, 2, &n, &err), DID_ERR_LIMIT,
                  &err);
    t_assert_ok(did_log_consistency_proof(&src, 10, 10, proof, 0, &n, &err), &err);
    assert_int_equal(n, 0);
    t_assert_code(did_log_root(&src, DID_LOG_SIZE_MAX + 1, root, &err), DID_ERR_LOG_SIZE, &err);

    /* A failing node source: its code and message pass through; a silent one gets a message. */
    did_log_source bad = {failing_get, NULL};
    t_assert_code(did_log_root(&bad, 5, root, &err), DID_ERR_IO, &err);
    assert_string_equal(err.msg, "disk on fire");
    t_assert_code(did_log_inclusion_proof(&bad, 1, 5, proof, DID_LOG_PROOF_MAX, &n, &err),
                  DID_ERR_IO, &err);
    did_log_source silent = {silent_failing_get, NULL};
    did_err_clear(&err);
    t_assert_code(did_log_consistency_proof(&silent, 1, 5, proof, DID_LOG_PROOF_MAX, &n, &err),
                  DID_ERR_INTERNAL, &err);
    assert_non_null(strstr(err.msg, "node source failed"));
    did_log_peaks p;
    t_assert_code(did_log_peaks_load(&p, &bad, 3, &err), DID_ERR_IO, &err);

    /* Verification edges. */
    uint8_t leaf[H] = {0};
    t_assert_code(did_log_verify_inclusion(0, 0, leaf, NULL, 0, root, &err), DID_ERR_LOG_SIZE,
                  &err);
    static uint8_t many[DID_LOG_PROOF_MAX + 1][H];
    t_assert_code(did_log_verify_inclusion(0, 2, leaf, (const uint8_t(*)[H])many,
                                           DID_LOG_PROOF_MAX + 1, root, &err),
                  DID_ERR_LOG_PROOF, &err);
    t_assert_code(did_log_verify_consistency(0, 0, root, root, NULL, 0, &err), DID_ERR_LOG_SIZE,
                  &err);
    t_assert_code(did_log_verify_consistency(3, 2, root, root, NULL, 0, &err), DID_ERR_LOG_SIZE,
                  &err);
    t_assert_ok(did_log_verify_consistency(7, 7, root, root, NULL, 0, &err), &err);
    t_assert_code(did_log_verify_consistency(7, 7, root, leaf, NULL, 0, &err), DID_ERR_LOG_PROOF,
                  &err);
    t_assert_code(did_log_verify_consistency(3, 7, root, leaf, NULL, 0, &err), DID_ERR_LOG_PROOF,
                  &err);

    /* Peaks that do not describe their size are refused, not trusted. */
    did_log_peaks_init(&p);
    p.size = 3;
    p.n = 1;
    t_assert_code(did_log_peaks_root(&p, root, &err), DID_ERR_ARG, &err);
    t_assert_code(did_log_peaks_append(&p, leaf, NULL, NULL, NULL, &err), DID_ERR_ARG, &err);
    free(s.nodes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_index),
        cmocka_unit_test(test_hashes_and_roots),
        cmocka_unit_test(test_vectors_inclusion),
        cmocka_unit_test(test_vectors_consistency),
        cmocka_unit_test(test_appender_against_reference),
        cmocka_unit_test(test_proofs_against_reference),
        cmocka_unit_test(test_large_trees),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
