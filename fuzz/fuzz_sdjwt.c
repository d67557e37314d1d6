/*
 * fuzz_sdjwt.c -- SD-JWT parsing, reassembly, verification and presentation (did/sdjwt.h).
 *
 * Every input goes through all of:
 *   1. did_sdjwt_split (the '~' structure);
 *   2. did_sdjwt_verify with fixed keys: an Ed25519 issuer key imported from the fixed seed
 *      below (fuzz/corpus/sdjwt/ holds SD-JWTs it signed, with key binding by the fixed P-256
 *      holder key, so that mutations of the disclosures and the KB-JWT get past the issuer's
 *      signature), the RFC 9901 appendix A.5 issuer key (the corpus holds the RFC's examples),
 *      and kid resolution through a did_ctx in SD-JWT VC mode;
 *   3. did_sdjwt_present with the fixed holder key, and without key binding one path at a time
 *      (presentation needs no signature);
 *   4. did_sdjwt_reassemble directly, which a fuzzer cannot reach through signed input: the
 *      input is read as lines, the first the issuer payload (JSON), each further one a
 *      disclosure's JSON array. A string "#N" in the payload or in disclosure i (N > i) stands
 *      for the digest of disclosure N, so that digests match; lines that are not JSON are
 *      base64url-encoded as they are.
 * Invariants (abort on violation): only documented codes come back; on failure no claims are
 * handed out and the result does not verify; on success the processed claims are an object
 * with no "_sd" or "..." member anywhere and no top-level "_sd_alg", and the result holds them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/json.h>
#include <did/result.h>
#include <did/sdjwt.h>

#include "../libdid/src/sdjwt_internal.h"

/* 32 bytes: the Ed25519 issuer seed and the P-256 holder scalar of the fixed keys. */
static const uint8_t fixed_seed[32] = "civid fuzz_sdjwt fixed seed 0001";

#define RFC_ISSUER_X "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ"
#define RFC_ISSUER_Y "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"

#define MAX_LINES 64

static ck_key *issuer;
static ck_key *holder;
static ck_key *rfc_issuer;
static did_ctx *ctx;

/* One-time set-up; the fuzzer runs single-threaded. */
static void setup(void)
{
    ck_err ce;
    did_err e;

    if (issuer != NULL)
        return;
    if (ck_key_import_private(CK_KEY_ED25519, fixed_seed, sizeof(fixed_seed), &issuer, &ce) !=
            CK_OK ||
        ck_key_import_private(CK_KEY_P256, fixed_seed, sizeof(fixed_seed), &holder, &ce) != CK_OK ||
        ck_key_import_jwk("EC", 2, "P-256", 5, RFC_ISSUER_X, strlen(RFC_ISSUER_X), RFC_ISSUER_Y,
                          strlen(RFC_ISSUER_Y), NULL, 0, &rfc_issuer, &ce) != CK_OK ||
        did_ctx_new(&ctx, &e) != DID_OK)
        abort();
}

static int code_ok(int rc)
{
    if (rc == DID_OK || rc == DID_ERR_NOMEM || rc == DID_ERR_LIMIT)
        return 1;
    if (rc >= DID_ERR_JSON_SYNTAX && rc <= DID_ERR_JSON_COUNT)
        return 1;
    if (rc >= DID_ERR_JWS_FORMAT && rc <= DID_ERR_JWS_KEY_ALG)
        return 1;
    if (rc >= DID_ERR_JWT_EXPIRED && rc <= DID_ERR_JWT_ISS)
        return 1;
    if (rc >= DID_ERR_SDJWT_FORMAT && rc <= DID_ERR_SDJWT_PATH)
        return 1;
    return rc == CK_ERR_NOMEM || rc == CK_ERR_BACKEND;
}

/* No SD-JWT machinery may survive reassembly. */
static void check_clean(const json_t *v, int top, int depth)
{
    const char *k;
    json_t *c;

    if (depth > DID_SDJWT_MAX_DEPTH + 1)
        abort();
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            check_clean(json_array_get(v, i), 0, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    if (json_object_get(v, "_sd") != NULL || json_object_get(v, "...") != NULL ||
        (top && json_object_get(v, "_sd_alg") != NULL))
        abort();
    json_object_foreach((json_t *)v, k, c) check_clean(c, 0, depth + 1);
}

static void run_split(const char *s, size_t n)
{
    did_sdjwt_parts *p = malloc(sizeof(*p));
    did_err e;
    size_t total;

    if (p == NULL)
        return;
    if (did_sdjwt_split(s, n, DID_SDJWT_MAX_LEN, p, &e) == DID_OK) {
        if (p->jwt != s || p->jwt_len == 0 || p->hashed_len > n || s[p->hashed_len - 1] != '~')
            abort();
        total = p->jwt_len + 1;
        for (size_t i = 0; i < p->n_disc; i++) {
            if (p->disc_len[i] == 0 || p->disc[i] != s + total)
                abort();
            total += p->disc_len[i] + 1;
        }
        if (total != p->hashed_len || (p->kb != NULL) != (p->hashed_len < n))
            abort();
        if (p->kb != NULL && (p->kb != s + p->hashed_len || p->kb_len != n - p->hashed_len))
            abort();
    } else if (p->n_disc != 0 || p->jwt != NULL || p->kb != NULL) {
        abort();
    }
    free(p);
}

static void run_verify(const did_ctx *c, const char *s, size_t n, const did_sdjwt_verify_opts *o)
{
    did_result r;
    json_t *claims = NULL;
    did_err e;
    int rc;

    did_result_init(&r);
    rc = did_sdjwt_verify(c, s, n, o, &r, &claims, &e);
    if (!code_ok(rc) || strcmp(r.format, "sd-jwt") != 0)
        abort();
    if (rc == DID_OK) {
        if (!json_is_object(claims) || !did_result_verified(&r) || r.document != claims)
            abort();
        check_clean(claims, 1, 1);
    } else if (claims != NULL || r.document != NULL || did_result_verified(&r) || e.code != rc) {
        abort();
    }
    json_decref(claims);
    did_result_clear(&r);
}

static void present_one(const char *s, size_t n, const char *const *paths, const ck_key *h)
{
    did_buf out;
    did_err e;
    int rc;

    did_buf_init(&out);
    rc = did_sdjwt_present(s, n, paths, h, "n", "a", 1800000000, &out, &e);
    if (!code_ok(rc))
        abort();
    if (rc == DID_OK && (out.len == 0 || out.data[out.len] != '\0' || out.data[0] != (uint8_t)s[0]))
        abort();
    if (rc != DID_OK && out.len != 0)
        abort();
    did_buf_clear(&out);
}

/* All paths with key binding, then each path alone without. */
static void run_present(const char *s, size_t n)
{
    static const char *const paths[] = {
        "/a", "/b/0", "/given_name", "/address/street_address", "/nationalities/1", NULL};

    present_one(s, n, paths, holder);
    for (size_t i = 0; paths[i] != NULL; i++) {
        const char *one[] = {paths[i], NULL};
        present_one(s, n, one, NULL);
    }
}

/* Replaces every string "#N" (N > self) in v by digest[N]. */
/* "#<n>" names disclosure n (a small decimal); anything else: SIZE_MAX. */
static size_t ref_index(const char *t)
{
    size_t idx = 0;
    if (t[0] != '#' || t[1] < '0' || t[1] > '9')
        return SIZE_MAX;
    for (const char *p = t + 1; *p >= '0' && *p <= '9' && idx < 100000; p++)
        idx = idx * 10 + (size_t)(*p - '0');
    return idx;
}

static void substitute(json_t *v, char **digest, size_t n, size_t self, int depth)
{
    const char *k;
    json_t *c;

    if (depth > 40)
        return;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            c = json_array_get(v, i);
            if (json_is_string(c)) {
                size_t idx = ref_index(json_string_value(c));
                if (idx > self && idx < n && digest[idx] != NULL)
                    json_array_set_new(v, i, json_string(digest[idx]));
            } else {
                substitute(c, digest, n, self, depth + 1);
            }
        }
        return;
    }
    if (!json_is_object(v))
        return;
    json_object_foreach(v, k, c)
    {
        if (json_is_string(c)) {
            size_t idx = ref_index(json_string_value(c));
            if (idx > self && idx < n && digest[idx] != NULL)
                json_object_set_new(v, k, json_string(digest[idx]));
        } else {
            substitute(c, digest, n, self, depth + 1);
        }
    }
}

static void run_reassemble(const uint8_t *data, size_t size)
{
    const uint8_t *line[MAX_LINES];
    size_t len[MAX_LINES], n = 0, start = 0;
    char *disc[MAX_LINES], *digest[MAX_LINES];
    size_t disc_len[MAX_LINES];
    did_json_limits lim = did_json_limits_default();
    did_sdjwt_reassembly ra;
    json_t *payload = NULL;
    did_err e;
    int rc;

    for (size_t i = 0; i <= size && n < MAX_LINES; i++)
        if (i == size || data[i] == '\n') {
            line[n] = data + start;
            len[n++] = i - start;
            start = i + 1;
        }
    if (n == 0)
        return;
    memset(disc, 0, sizeof(disc));
    memset(digest, 0, sizeof(digest));
    lim.max_bytes = 65536;
    lim.max_depth = DID_SDJWT_MAX_DEPTH + 1;
    /* Disclosures from the last to the first, so each may hold the digests of later ones.
     * Index 0 is the payload; disclosure i is line i. */
    for (size_t i = n - 1; i >= 1; i--) {
        json_t *v = NULL;
        did_buf b, h;
        did_buf_init(&b);
        did_buf_init(&h);
        if (did_json_parse(line[i], len[i], &lim, &v, &e) == DID_OK) {
            did_buf js;
            did_buf_init(&js);
            substitute(v, digest, n, i, 0);
            if (did_jcs_write(v, &js, &e) == DID_OK)
                did_sdjwt_b64_append(&b, js.data, js.len, &e);
            did_buf_clear(&js);
            json_decref(v);
        } else {
            did_sdjwt_b64_append(&b, line[i], len[i], &e);
        }
        if (b.len > 0 && did_sdjwt_hash_b64(CK_SHA256, b.data, b.len, &h, &e) == DID_OK) {
            disc_len[i] = b.len;
            disc[i] = (char *)did_buf_steal(&b, NULL);
            digest[i] = (char *)did_buf_steal(&h, NULL);
        }
        did_buf_clear(&b);
        did_buf_clear(&h);
    }
    if (did_json_parse(line[0], len[0], &lim, &payload, &e) != DID_OK || !json_is_object(payload))
        goto out;
    substitute(payload, digest, n, 0, 0);
    {
        const char *dp[MAX_LINES];
        size_t dl[MAX_LINES], m = 0;
        for (size_t i = 1; i < n; i++)
            if (disc[i] != NULL) {
                dp[m] = disc[i];
                dl[m++] = disc_len[i];
            }
        for (int track = 0; track < 2; track++) {
            rc = did_sdjwt_reassemble(payload, dp, dl, m, &lim, track, &ra, &e);
            if (!code_ok(rc) || rc == DID_ERR_ARG)
                abort();
            if (rc == DID_OK) {
                if (ra.n != m || (track && m > 0 && ra.paths == NULL))
                    abort();
                for (size_t i = 0; track && i < m; i++)
                    if (ra.paths[i] == NULL || ra.paths[i][0] != '/')
                        abort();
                check_clean(ra.claims, 1, 1);
            } else if (ra.claims != NULL || ra.paths != NULL) {
                abort();
            }
            did_sdjwt_reassembly_clear(&ra);
        }
    }
out:
    json_decref(payload);
    for (size_t i = 0; i < n; i++) {
        free(disc[i]);
        free(digest[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    did_sdjwt_verify_opts o;

    setup();
    run_split(s, size);

    memset(&o, 0, sizeof(o));
    o.issuer_key = issuer;
    o.now = 1800000000;
    o.skew = 60;
    o.nonce = "n";
    o.aud = "a";
    o.max_len = 65536;
    run_verify(NULL, s, size, &o);
    o.nonce = NULL;
    o.aud = NULL;
    o.mode = DID_SDJWT_MODE_PLAIN;
    run_verify(NULL, s, size, &o);

    memset(&o, 0, sizeof(o));
    o.issuer_key = rfc_issuer;
    o.now = 1748537254;
    o.nonce = "1234567890";
    o.aud = "https://verifier.example.org";
    run_verify(NULL, s, size, &o);

    memset(&o, 0, sizeof(o));
    o.mode = DID_SDJWT_MODE_VC;
    o.now = 1800000000;
    run_verify(ctx, s, size, &o);

    run_present(s, size);
    run_reassemble(data, size);
    return 0;
}
