/*
 * log_tree.c -- the RFC 6962 / RFC 9162 Merkle tree of the audit log.
 *
 * Generation works only from perfect subtrees (served by a did_log_source), because those are
 * what the store keeps: each is written once, when its last leaf arrives, and never changes.
 * Any other range the RFC recursion needs is a left-aligned prefix of a perfect subtree and is
 * rebuilt from the perfect subtrees of its binary decomposition (at most one such range per
 * inclusion proof: the right edge). Verification is RFC 9162 sections 2.1.3.2 and 2.1.4.2,
 * step by step, so that it can be audited against the text.
 */
#include <stdio.h>
#include <string.h>

#include <did/log.h>

#define HLEN DID_LOG_HASH_LEN

/* ---- bit helpers (portable, no builtins: these are never hot enough to matter) ----------- */

static unsigned log_popcount(uint64_t x)
{
    unsigned c = 0;
    while (x != 0) {
        x &= x - 1;
        c++;
    }
    return c;
}

/* Number of trailing 1-bits. */
static unsigned log_trailing_ones(uint64_t x)
{
    unsigned c = 0;
    while ((x & 1) != 0) {
        x >>= 1;
        c++;
    }
    return c;
}

/* Largest power of two strictly below n (n >= 2): the split point k of RFC 9162 2.1.1. */
static uint64_t log_split(uint64_t n)
{
    uint64_t k = 1;
    while (k < n - k)
        k <<= 1;
    return k;
}

static int log_is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* ---- hashing ------------------------------------------------------------------------------ */

static int log_sha256(const void *data, size_t len, uint8_t out[HLEN], did_err *err)
{
    int rc = ck_sha256(data, len, out);
    if (rc != CK_OK)
        return did_err_set(err, rc, "merkle: SHA-256 failed (%s)", ck_err_name(rc));
    return DID_OK;
}

int did_log_node_hash(const uint8_t left[HLEN], const uint8_t right[HLEN], uint8_t out[HLEN],
                      did_err *err)
{
    if (left == NULL || right == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "merkle: NULL argument to did_log_node_hash");
    uint8_t buf[1 + 2 * HLEN];
    buf[0] = 0x01;
    memcpy(buf + 1, left, HLEN);
    memcpy(buf + 1 + HLEN, right, HLEN);
    return log_sha256(buf, sizeof buf, out, err);
}

int did_log_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[HLEN], did_err *err)
{
    if ((entry == NULL && len != 0) || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "merkle: NULL argument to did_log_leaf_hash");
    /* Short entries go through one stack buffer and the per-thread one-shot digest; longer
     * ones through an incremental hasher rather than a heap copy. */
    uint8_t small[1 + 1024];
    if (len < sizeof small) {
        small[0] = 0x00;
        if (len != 0)
            memcpy(small + 1, entry, len);
        return log_sha256(small, len + 1, out, err);
    }
    ck_hasher *h = NULL;
    ck_err ce;
    static const uint8_t zero = 0x00;
    int rc = ck_hasher_new(CK_SHA256, &h, &ce);
    if (rc == CK_OK)
        rc = ck_hasher_update(h, &zero, 1, &ce);
    if (rc == CK_OK)
        rc = ck_hasher_update(h, entry, len, &ce);
    if (rc == CK_OK)
        rc = ck_hasher_final(h, out, &ce);
    ck_hasher_free(h);
    if (rc != CK_OK) {
        did_err_from_ck(err, &ce);
        did_err_prefix(err, "merkle: leaf hash");
        return rc;
    }
    return DID_OK;
}

/* ---- post-order indices ------------------------------------------------------------------- */

uint64_t did_log_node_index(unsigned level, uint64_t k)
{
    if (level > 62 || k >= (DID_LOG_SIZE_MAX >> level))
        return UINT64_MAX;
    /* Every subtree is stored right after its last leaf and that leaf's completed ancestors
     * below it; the last leaf n sits at 2n - popcount(n) (Go sumdb StoredHashIndex). */
    uint64_t last = ((k + 1) << level) - 1;
    return 2 * last - log_popcount(last) + level;
}

uint64_t did_log_subtree_index(uint64_t start, uint64_t size)
{
    if (!log_is_pow2(size) || start % size != 0)
        return UINT64_MAX;
    unsigned level = 0;
    while (((uint64_t)1 << level) != size)
        level++;
    return did_log_node_index(level, start >> level);
}

uint64_t did_log_node_count(uint64_t n)
{
    if (n > DID_LOG_SIZE_MAX)
        return UINT64_MAX;
    return 2 * n - log_popcount(n);
}

/* ---- generation from a node source -------------------------------------------------------- */

static int log_check_source(const did_log_source *src, did_err *err)
{
    if (src == NULL || src->get_subtree == NULL)
        return did_err_set(err, DID_ERR_ARG, "merkle: NULL node source");
    return DID_OK;
}

static int log_get_perfect(const did_log_source *src, uint64_t start, uint64_t size,
                           uint8_t out[HLEN], did_err *err)
{
    int rc = src->get_subtree(src->user, start, size, out, err);
    if (rc != DID_OK) {
        /* Keep the source's own message; supply one if it left none. */
        if (err != NULL && err->code != rc)
            did_err_set(err, rc, "merkle: node source failed for subtree [%llu, %llu)",
                        (unsigned long long)start, (unsigned long long)(start + size));
        return rc;
    }
    return DID_OK;
}

/* MTH(D[start : start + len]) for a range that is a left-aligned prefix of a perfect subtree
 * (start is a multiple of a power of two >= len, len >= 1): the right-to-left fold of its
 * perfect decomposition, largest part first -- which is what the RFC recursion computes, since
 * its split point is always the largest part. */
static int log_range_hash(const did_log_source *src, uint64_t start, uint64_t len,
                          uint8_t out[HLEN], did_err *err)
{
    uint8_t parts[64][HLEN];
    size_t n = 0;
    uint64_t pos = start;
    for (int b = 63; b >= 0; b--) {
        uint64_t sz = (uint64_t)1 << b;
        if ((len & sz) == 0)
            continue;
        if (pos % sz != 0)
            return did_err_set(err, DID_ERR_INTERNAL,
                               "merkle: range [%llu, +%llu) is not a subtree prefix",
                               (unsigned long long)start, (unsigned long long)len);
        int rc = log_get_perfect(src, pos, sz, parts[n++], err);
        if (rc != DID_OK)
            return rc;
        pos += sz;
    }
    if (n == 0)
        return did_err_set(err, DID_ERR_INTERNAL, "merkle: empty range");
    memcpy(out, parts[n - 1], HLEN);
    for (size_t i = n - 1; i-- > 0;) {
        int rc = did_log_node_hash(parts[i], out, out, err);
        if (rc != DID_OK)
            return rc;
    }
    return DID_OK;
}

int did_log_root(const did_log_source *src, uint64_t size, uint8_t root[HLEN], did_err *err)
{
    int rc = log_check_source(src, err);
    if (rc != DID_OK)
        return rc;
    if (root == NULL)
        return did_err_set(err, DID_ERR_ARG, "merkle: NULL root");
    if (size > DID_LOG_SIZE_MAX)
        return did_err_set(err, DID_ERR_LOG_SIZE, "merkle: tree size %llu above the limit 2^63-1",
                           (unsigned long long)size);
    if (size == 0)
        return log_sha256("", 0, root, err);
    return log_range_hash(src, 0, size, root, err);
}

/* Writes the top-down list sib[0 .. cnt) to proof[] bottom-up, after `first` optional hashes
 * already there. */
static int log_emit(uint8_t proof[][HLEN], size_t cap, size_t *n, const uint8_t *first,
                    uint8_t sib[][HLEN], size_t cnt, did_err *err)
{
    size_t total = cnt + (first != NULL ? 1 : 0);
    if (total > cap)
        return did_err_set(err, DID_ERR_LIMIT, "merkle: proof of %zu hashes exceeds capacity %zu",
                           total, cap);
    size_t o = 0;
    if (first != NULL)
        memcpy(proof[o++], first, HLEN);
    for (size_t i = 0; i < cnt; i++)
        memcpy(proof[o++], sib[cnt - 1 - i], HLEN);
    *n = total;
    return DID_OK;
}

int did_log_inclusion_proof(const did_log_source *src, uint64_t index, uint64_t size,
                            uint8_t proof[][HLEN], size_t cap, size_t *n, did_err *err)
{
    int rc = log_check_source(src, err);
    if (rc != DID_OK)
        return rc;
    if (proof == NULL || n == NULL)
        return did_err_set(err, DID_ERR_ARG, "merkle: NULL proof output");
    if (size > DID_LOG_SIZE_MAX)
        return did_err_set(err, DID_ERR_LOG_SIZE, "merkle: tree size %llu above the limit 2^63-1",
                           (unsigned long long)size);
    if (index >= size)
        return did_err_set(err, DID_ERR_LOG_SIZE, "merkle: index %llu not below tree size %llu",
                           (unsigned long long)index, (unsigned long long)size);

    /* PATH(m, D[lo:hi]) unrolled top-down: the sibling at each level is pushed, and the list
     * is emitted reversed (leaf sibling first). Only the first right sibling can be a
     * non-perfect range: after moving left once, hi is aligned. */
    uint8_t sib[DID_LOG_PROOF_MAX][HLEN];
    size_t cnt = 0;
    uint64_t lo = 0, hi = size;
    while (hi - lo > 1) {
        uint64_t k = log_split(hi - lo);
        if (index < lo + k) {
            rc = log_range_hash(src, lo + k, hi - lo - k, sib[cnt++], err);
            hi = lo + k;
        } else {
            rc = log_get_perfect(src, lo, k, sib[cnt++], err);
            lo += k;
        }
        if (rc != DID_OK)
            return rc;
    }
    return log_emit(proof, cap, n, NULL, sib, cnt, err);
}

int did_log_consistency_proof(const did_log_source *src, uint64_t size1, uint64_t size2,
                              uint8_t proof[][HLEN], size_t cap, size_t *n, did_err *err)
{
    int rc = log_check_source(src, err);
    if (rc != DID_OK)
        return rc;
    if (proof == NULL || n == NULL)
        return did_err_set(err, DID_ERR_ARG, "merkle: NULL proof output");
    if (size2 > DID_LOG_SIZE_MAX)
        return did_err_set(err, DID_ERR_LOG_SIZE, "merkle: tree size %llu above the limit 2^63-1",
                           (unsigned long long)size2);
    if (size1 == 0 || size1 > size2)
        return did_err_set(err, DID_ERR_LOG_SIZE,
                           "merkle: consistency needs 0 < size1 <= size2, got %llu and %llu",
                           (unsigned long long)size1, (unsigned long long)size2);

    /* SUBPROOF(m, D[lo:hi], b) unrolled top-down; the old tree's end is always size1, so
     * "m == n" of the recursion is size1 == hi. Once the walk has moved right (b false) the
     * final subtree D[lo:hi] itself is part of the proof, and comes first. */
    uint8_t sib[DID_LOG_PROOF_MAX][HLEN];
    uint8_t term[HLEN];
    size_t cnt = 0;
    int whole = 1;
    uint64_t lo = 0, hi = size2;
    while (size1 != hi) {
        uint64_t k = log_split(hi - lo);
        if (size1 - lo <= k) {
            rc = log_range_hash(src, lo + k, hi - lo - k, sib[cnt++], err);
            hi = lo + k;
        } else {
            rc = log_get_perfect(src, lo, k, sib[cnt++], err);
            lo += k;
            whole = 0;
        }
        if (rc != DID_OK)
            return rc;
    }
    if (!whole) {
        rc = log_range_hash(src, lo, hi - lo, term, err);
        if (rc != DID_OK)
            return rc;
    }
    return log_emit(proof, cap, n, whole ? NULL : term, sib, cnt, err);
}

/* ---- verification (RFC 9162 2.1.3.2 and 2.1.4.2) ----------------------------------------- */

int did_log_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf_hash[HLEN],
                             const uint8_t proof[][HLEN], size_t n, const uint8_t root[HLEN],
                             did_err *err)
{
    if (leaf_hash == NULL || root == NULL || (proof == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "inclusion: NULL argument");
    /* 1. leaf_index >= tree_size fails. */
    if (index >= size)
        return did_err_set(err, DID_ERR_LOG_SIZE, "inclusion: index %llu not below tree size %llu",
                           (unsigned long long)index, (unsigned long long)size);
    if (n > DID_LOG_PROOF_MAX)
        return did_err_set(err, DID_ERR_LOG_PROOF, "inclusion: %zu hashes, more than %d", n,
                           DID_LOG_PROOF_MAX);
    /* 2. fn = leaf_index, sn = tree_size - 1. 3. r = hash. */
    uint64_t fn = index, sn = size - 1;
    uint8_t r[HLEN];
    memcpy(r, leaf_hash, HLEN);
    /* 4. For each p in the path. */
    for (size_t i = 0; i < n; i++) {
        int rc;
        /* a. sn == 0: stop and fail. */
        if (sn == 0)
            return did_err_set(err, DID_ERR_LOG_PROOF,
                               "inclusion: proof too long (hash %zu of %zu is past the root)", i,
                               n);
        /* b. LSB(fn) set or fn == sn: r = HASH(0x01 || p || r), then shift until LSB(fn) is
         *    set or fn is 0. Otherwise r = HASH(0x01 || r || p). */
        if ((fn & 1) != 0 || fn == sn) {
            rc = did_log_node_hash(proof[i], r, r, err);
            if ((fn & 1) == 0) {
                while (!((fn & 1) != 0 || fn == 0)) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            rc = did_log_node_hash(r, proof[i], r, err);
        }
        if (rc != DID_OK)
            return rc;
        /* c. shift once. */
        fn >>= 1;
        sn >>= 1;
    }
    /* 5. sn == 0 and r == root_hash. */
    if (sn != 0)
        return did_err_set(err, DID_ERR_LOG_PROOF,
                           "inclusion: proof too short (%zu hashes for index %llu of %llu)", n,
                           (unsigned long long)index, (unsigned long long)size);
    if (memcmp(r, root, HLEN) != 0)
        return did_err_set(err, DID_ERR_LOG_PROOF,
                           "inclusion: computed root does not match (index %llu, size %llu)",
                           (unsigned long long)index, (unsigned long long)size);
    return DID_OK;
}

int did_log_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[HLEN],
                               const uint8_t root2[HLEN], const uint8_t proof[][HLEN], size_t n,
                               did_err *err)
{
    if (root1 == NULL || root2 == NULL || (proof == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "consistency: NULL argument");
    if (size1 == 0)
        return did_err_set(err, DID_ERR_LOG_SIZE,
                           "consistency: first size is 0 (nothing to prove against an empty tree)");
    if (size1 > size2)
        return did_err_set(err, DID_ERR_LOG_SIZE, "consistency: first size %llu above second %llu",
                           (unsigned long long)size1, (unsigned long long)size2);
    if (size1 == size2) {
        /* Outside the algorithm (which needs first < second): a tree is consistent with itself
         * and nothing else of its size. */
        if (n != 0)
            return did_err_set(err, DID_ERR_LOG_PROOF,
                               "consistency: equal sizes need an empty proof, got %zu hashes", n);
        if (memcmp(root1, root2, HLEN) != 0)
            return did_err_set(err, DID_ERR_LOG_PROOF,
                               "consistency: equal sizes %llu but different roots",
                               (unsigned long long)size1);
        return DID_OK;
    }
    /* 1. Empty path fails. */
    if (n == 0)
        return did_err_set(err, DID_ERR_LOG_PROOF, "consistency: empty proof for %llu -> %llu",
                           (unsigned long long)size1, (unsigned long long)size2);
    if (n > DID_LOG_PROOF_MAX)
        return did_err_set(err, DID_ERR_LOG_PROOF, "consistency: %zu hashes, more than %d", n,
                           DID_LOG_PROOF_MAX);
    /* 2. If first is an exact power of 2, prepend first_hash: path[0] is root1 and the given
     *    hashes follow; otherwise path is the proof as given. */
    int prepend = log_is_pow2(size1);
    size_t path_len = n + (prepend ? 1 : 0);
#define PATH(i) (prepend ? ((i) == 0 ? root1 : proof[(i)-1]) : proof[(i)])
    /* 3. fn = first - 1, sn = second - 1. 4. While LSB(fn) is set, shift both. */
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    /* 5. fr = sr = path[0]. */
    uint8_t fr[HLEN], sr[HLEN];
    memcpy(fr, PATH(0), HLEN);
    memcpy(sr, PATH(0), HLEN);
    /* 6. For each subsequent c. */
    for (size_t i = 1; i < path_len; i++) {
        const uint8_t *c = PATH(i);
        int rc;
        /* a. sn == 0: stop and fail. */
        if (sn == 0)
            return did_err_set(err, DID_ERR_LOG_PROOF,
                               "consistency: proof too long (hash %zu is past the root)",
                               prepend ? i - 1 : i);
        /* b. LSB(fn) set or fn == sn: fr = HASH(0x01 || c || fr), sr = HASH(0x01 || c || sr),
         *    then shift until LSB(fn) is set or fn is 0. Otherwise sr = HASH(0x01 || sr || c). */
        if ((fn & 1) != 0 || fn == sn) {
            rc = did_log_node_hash(c, fr, fr, err);
            if (rc == DID_OK)
                rc = did_log_node_hash(c, sr, sr, err);
            if ((fn & 1) == 0) {
                while (!((fn & 1) != 0 || fn == 0)) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            rc = did_log_node_hash(sr, c, sr, err);
        }
        if (rc != DID_OK)
            return rc;
        /* c. shift once. */
        fn >>= 1;
        sn >>= 1;
    }
#undef PATH
    /* 7. fr == first_hash, sr == second_hash, sn == 0. */
    if (sn != 0)
        return did_err_set(err, DID_ERR_LOG_PROOF,
                           "consistency: proof too short (%zu hashes for %llu -> %llu)", n,
                           (unsigned long long)size1, (unsigned long long)size2);
    if (memcmp(fr, root1, HLEN) != 0)
        return did_err_set(err, DID_ERR_LOG_PROOF,
                           "consistency: proof does not lead to the first root (size %llu)",
                           (unsigned long long)size1);
    if (memcmp(sr, root2, HLEN) != 0)
        return did_err_set(err, DID_ERR_LOG_PROOF,
                           "consistency: proof does not lead to the second root (size %llu)",
                           (unsigned long long)size2);
    return DID_OK;
}

/* ---- peaks (compact range) ---------------------------------------------------------------- */

void did_log_peaks_init(did_log_peaks *p)
{
    if (p != NULL)
        memset(p, 0, sizeof *p);
}

static int log_peaks_check(const did_log_peaks *p, did_err *err)
{
    if (p == NULL)
        return did_err_set(err, DID_ERR_ARG, "peaks: NULL");
    if (p->size > DID_LOG_SIZE_MAX || p->n != log_popcount(p->size))
        return did_err_set(err, DID_ERR_ARG, "peaks: %zu peaks do not fit size %llu", p->n,
                           (unsigned long long)p->size);
    return DID_OK;
}

int did_log_peaks_append(did_log_peaks *p, const uint8_t leaf_hash[HLEN], uint8_t nodes[][HLEN],
                         size_t *n_nodes, uint64_t *first_index, did_err *err)
{
    int rc = log_peaks_check(p, err);
    if (rc != DID_OK)
        return rc;
    if (leaf_hash == NULL)
        return did_err_set(err, DID_ERR_ARG, "peaks: NULL leaf hash");
    if (p->size == DID_LOG_SIZE_MAX)
        return did_err_set(err, DID_ERR_LOG_SIZE, "peaks: the tree is full (2^63-1 leaves)");

    /* The new leaf completes one subtree per trailing 1-bit of the old size: it merges with
     * the smallest peaks, right to left. Work on a copy of the hash so p stays intact if a
     * hash fails. */
    unsigned t = log_trailing_ones(p->size);
    uint8_t h[HLEN];
    memcpy(h, leaf_hash, HLEN);
    if (nodes != NULL)
        memcpy(nodes[0], h, HLEN);
    for (unsigned j = 0; j < t; j++) {
        rc = did_log_node_hash(p->hash[p->n - 1 - j], h, h, err);
        if (rc != DID_OK)
            return rc;
        if (nodes != NULL)
            memcpy(nodes[j + 1], h, HLEN);
    }
    if (first_index != NULL)
        *first_index = did_log_node_count(p->size);
    if (n_nodes != NULL)
        *n_nodes = (size_t)t + 1;
    p->n -= t;
    memcpy(p->hash[p->n], h, HLEN);
    p->n++;
    p->size++;
    return DID_OK;
}

int did_log_peaks_root(const did_log_peaks *p, uint8_t root[HLEN], did_err *err)
{
    int rc = log_peaks_check(p, err);
    if (rc != DID_OK)
        return rc;
    if (root == NULL)
        return did_err_set(err, DID_ERR_ARG, "peaks: NULL root");
    if (p->n == 0)
        return log_sha256("", 0, root, err);
    uint8_t r[HLEN];
    memcpy(r, p->hash[p->n - 1], HLEN);
    for (size_t i = p->n - 1; i-- > 0;) {
        rc = did_log_node_hash(p->hash[i], r, r, err);
        if (rc != DID_OK)
            return rc;
    }
    memcpy(root, r, HLEN);
    return DID_OK;
}

int did_log_peaks_load(did_log_peaks *p, const did_log_source *src, uint64_t size, did_err *err)
{
    int rc = log_check_source(src, err);
    if (rc != DID_OK)
        return rc;
    if (p == NULL)
        return did_err_set(err, DID_ERR_ARG, "peaks: NULL");
    if (size > DID_LOG_SIZE_MAX)
        return did_err_set(err, DID_ERR_LOG_SIZE, "peaks: tree size %llu above the limit 2^63-1",
                           (unsigned long long)size);
    did_log_peaks tmp;
    did_log_peaks_init(&tmp);
    uint64_t start = 0;
    for (int b = 62; b >= 0; b--) {
        uint64_t sz = (uint64_t)1 << b;
        if ((size & sz) == 0)
            continue;
        rc = log_get_perfect(src, start, sz, tmp.hash[tmp.n], err);
        if (rc != DID_OK)
            return rc;
        tmp.n++;
        start += sz;
    }
    tmp.size = size;
    *p = tmp;
    return DID_OK;
}
