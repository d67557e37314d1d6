/*
 * sdjwt_reassemble.c -- the reassembly of an SD-JWT's claims from its issuer-signed payload and
 * disclosures (RFC 9901 section 7.1, steps 2.4 to 5), as spec/sd-jwt.md describes it: digests
 * replaced by the claims they disclose, recursively, every MUST-reject rule enforced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/sdjwt.h>

#include "sdjwt_internal.h"

/* base64url of a SHA-384 digest is 64 characters. */
#define DIGEST_B64_MAX 72

static int str_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    return alen == blen && memcmp(a, b, alen) == 0;
}

typedef struct disc {
    json_t *arr;      /* the decoded JSON array (owned) */
    const char *name; /* claim name (borrowed from arr), NULL for an array element */
    size_t name_len;
    json_t *value; /* borrowed from arr */
    char digest[DIGEST_B64_MAX];
    size_t digest_len;
    int used;
    size_t index; /* position in the SD-JWT */
} disc;

typedef struct rctx {
    disc *d;
    disc **sorted; /* by digest, for the lookup */
    size_t n;
    json_t **seen; /* every digest string met, referenced, for the duplicate check */
    size_t n_seen;
    int track;
    did_buf path;
    char **paths;
    did_err *err;
} rctx;

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int cmp_disc(const void *a, const void *b)
{
    const disc *x = *(const disc *const *)a, *y = *(const disc *const *)b;
    return cmp_bytes(x->digest, x->digest_len, y->digest, y->digest_len);
}

static int cmp_json_str(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    return cmp_bytes(json_string_value(x), json_string_length(x), json_string_value(y),
                     json_string_length(y));
}

/* Decodes disclosure i: strict base64url, strict JSON, an array of 2 or 3 with a string salt
 * and (for 3) a string claim name. Its digest is over the base64url text as received. */
static int decode_disc(const char *s, size_t len, ck_hash_alg alg, const did_json_limits *lim,
                       size_t i, disc *d, did_err *err)
{
    size_t cap = len / 4 * 3 + 3, dec = 0, size;
    did_json_limits l = lim != NULL ? *lim : did_json_limits_default();
    uint8_t *buf;
    did_buf h;
    ck_err ce;
    did_err e;
    int rc;

    d->index = i;
    if ((buf = malloc(cap)) == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    ck_err_clear(&ce);
    if (ck_b64url_decode(s, len, buf, cap, &dec, &ce) != CK_OK) {
        free(buf);
        if (ce.code == CK_ERR_NOMEM || ce.code == CK_ERR_INIT)
            return did_err_from_ck(err, &ce);
        return did_err_set(err, DID_ERR_SDJWT_DISCLOSURE, "disclosure %zu is not base64url: %s", i,
                           ce.msg);
    }
    /* The array itself is one level above the claim value. */
    if (l.max_depth > DID_SDJWT_MAX_DEPTH + 1)
        l.max_depth = DID_SDJWT_MAX_DEPTH + 1;
    did_err_clear(&e);
    rc = did_json_parse(buf, dec, &l, &d->arr, &e);
    free(buf);
    if (rc == DID_ERR_NOMEM)
        return did_err_set(err, rc, "disclosure %zu: %s", i, e.msg);
    if (rc != DID_OK)
        return did_err_set(err, DID_ERR_SDJWT_DISCLOSURE, "disclosure %zu is not JSON: %s: %s", i,
                           did_err_name(rc), e.msg);
    size = json_array_size(d->arr);
    if (!json_is_array(d->arr) || (size != 2 && size != 3))
        return did_err_set(err, DID_ERR_SDJWT_DISCLOSURE,
                           "disclosure %zu is not an array of 2 or 3 elements", i);
    if (!json_is_string(json_array_get(d->arr, 0)))
        return did_err_set(err, DID_ERR_SDJWT_DISCLOSURE, "disclosure %zu: salt is not a string",
                           i);
    if (size == 3) {
        const json_t *name = json_array_get(d->arr, 1);
        if (!json_is_string(name))
            return did_err_set(err, DID_ERR_SDJWT_DISCLOSURE,
                               "disclosure %zu: claim name is not a string", i);
        d->name = json_string_value(name);
        d->name_len = json_string_length(name);
    }
    d->value = json_array_get(d->arr, size - 1);
    did_buf_init(&h);
    rc = did_sdjwt_hash_b64(alg, s, len, &h, err);
    if (rc == DID_OK) {
        memcpy(d->digest, h.data, h.len);
        d->digest_len = h.len;
    }
    did_buf_clear(&h);
    return rc;
}

static disc *lookup(rctx *c, const json_t *digest)
{
    const char *s = json_string_value(digest);
    size_t len = json_string_length(digest), lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = cmp_bytes(s, len, c->sorted[mid]->digest, c->sorted[mid]->digest_len);
        if (r == 0)
            return c->sorted[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Every embedded digest, found or not, counts towards the limit and the duplicate check. */
static int record(rctx *c, json_t *digest)
{
    if (c->n_seen == DID_SDJWT_MAX_DIGESTS)
        return did_err_set(c->err, DID_ERR_LIMIT, "more than %d digests in the SD-JWT",
                           DID_SDJWT_MAX_DIGESTS);
    c->seen[c->n_seen++] = json_incref(digest);
    return DID_OK;
}

/* Marks d used; a disclosure met twice means its digest appears twice. */
static int use(rctx *c, disc *d)
{
    char *p;

    if (d->used)
        return did_err_set(c->err, DID_ERR_SDJWT_DIGEST_DUP,
                           "the digest of disclosure %zu appears more than once", d->index);
    d->used = 1;
    if (!c->track)
        return DID_OK;
    p = malloc(c->path.len + 1);
    if (p == NULL)
        return did_err_set(c->err, DID_ERR_NOMEM, "out of memory");
    if (c->path.len > 0)
        memcpy(p, c->path.data, c->path.len);
    p[c->path.len] = '\0';
    c->paths[d->index] = p;
    return DID_OK;
}

static int walk(rctx *c, json_t *node, size_t depth);

static int push_seg(rctx *c, const char *s, size_t n, size_t *mark)
{
    *mark = c->path.len;
    if (!c->track)
        return DID_OK;
    if (did_sdjwt_path_push(&c->path, s, n) != DID_OK)
        return did_err_set(c->err, DID_ERR_NOMEM, "out of memory");
    return DID_OK;
}

static int push_index(rctx *c, size_t i, size_t *mark)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%zu", i);
    return push_seg(c, buf, (size_t)n, mark);
}

static void pop_seg(rctx *c, size_t mark)
{
    if (c->track)
        c->path.len = mark;
}

/* An object: its own members first, then the claims its "_sd" digests disclose (3.3.2). */
static int walk_object(rctx *c, json_t *obj, size_t depth, int top)
{
    json_t *sd = json_object_get(obj, "_sd"), *v;
    const char *k;
    size_t mark;
    int rc;

    if (json_object_get(obj, "...") != NULL)
        return did_err_set(c->err, DID_ERR_SDJWT_RESERVED,
                           "\"...\" is a member of an object that is not an array element digest");
    if (sd != NULL && !json_is_array(sd))
        return did_err_set(c->err, DID_ERR_SDJWT_RESERVED, "\"_sd\" is not an array of digests");
    json_object_foreach(obj, k, v)
    {
        if (strcmp(k, "_sd") == 0 || (top && strcmp(k, "_sd_alg") == 0))
            continue;
        if ((rc = push_seg(c, k, strlen(k), &mark)) != DID_OK ||
            (rc = walk(c, v, depth + 1)) != DID_OK)
            return rc;
        pop_seg(c, mark);
    }
    if (sd == NULL)
        return DID_OK;
    for (size_t i = 0; i < json_array_size(sd); i++) {
        json_t *digest = json_array_get(sd, i);
        disc *d;

        if (!json_is_string(digest))
            return did_err_set(c->err, DID_ERR_SDJWT_RESERVED,
                               "\"_sd\" entry %zu is not a digest string", i);
        if ((rc = record(c, digest)) != DID_OK)
            return rc;
        if ((d = lookup(c, digest)) == NULL)
            continue; /* undisclosed or decoy */
        if (d->used)  /* before the name checks: that is what went wrong */
            return use(c, d);
        if (d->name == NULL)
            return did_err_set(c->err, DID_ERR_SDJWT_DISCLOSURE,
                               "disclosure %zu is an array element but its digest is in \"_sd\"",
                               d->index);
        if (str_eq(d->name, d->name_len, "_sd") || str_eq(d->name, d->name_len, "..."))
            return did_err_set(c->err, DID_ERR_SDJWT_RESERVED,
                               "disclosure %zu discloses the reserved name \"%s\"", d->index,
                               d->name);
        /* Disclosed at the top level, it would be dropped with the real one (step 3.6). */
        if (top && str_eq(d->name, d->name_len, "_sd_alg"))
            return did_err_set(c->err, DID_ERR_SDJWT_RESERVED,
                               "disclosure %zu discloses \"_sd_alg\"", d->index);
        if (json_object_getn(obj, d->name, d->name_len) != NULL)
            return did_err_set(c->err, DID_ERR_SDJWT_RESERVED,
                               "disclosure %zu would overwrite a claim that already exists",
                               d->index);
        if ((rc = push_seg(c, d->name, d->name_len, &mark)) != DID_OK || (rc = use(c, d)) != DID_OK)
            return rc;
        if (json_object_setn(obj, d->name, d->name_len, d->value) != 0)
            return did_err_set(c->err, DID_ERR_NOMEM, "out of memory");
        if ((rc = walk(c, d->value, depth + 1)) != DID_OK)
            return rc;
        pop_seg(c, mark);
    }
    if (json_object_del(obj, "_sd") != 0)
        return did_err_set(c->err, DID_ERR_INTERNAL, "cannot remove \"_sd\"");
    return DID_OK;
}

/* An array: {"...": digest} elements are replaced by their disclosed values or removed
 * (3.3.3, 3.4). */
static int walk_array(rctx *c, json_t *arr, size_t depth)
{
    size_t i = 0, mark;
    int rc;

    while (i < json_array_size(arr)) {
        json_t *el = json_array_get(arr, i), *digest;
        disc *d;

        if (!json_is_object(el) || (digest = json_object_get(el, "...")) == NULL) {
            if ((rc = push_index(c, i, &mark)) != DID_OK || (rc = walk(c, el, depth + 1)) != 0)
                return rc;
            pop_seg(c, mark);
            i++;
            continue;
        }
        if (json_object_size(el) != 1 || !json_is_string(digest))
            return did_err_set(c->err, DID_ERR_SDJWT_RESERVED,
                               "array element %zu has \"...\" but is not {\"...\": digest}", i);
        if ((rc = record(c, digest)) != DID_OK)
            return rc;
        if ((d = lookup(c, digest)) == NULL) {
            if (json_array_remove(arr, i) != 0)
                return did_err_set(c->err, DID_ERR_INTERNAL, "cannot remove an array element");
            continue;
        }
        if (d->used)
            return use(c, d);
        if (d->name != NULL)
            return did_err_set(c->err, DID_ERR_SDJWT_DISCLOSURE,
                               "disclosure %zu names a claim but its digest is an array element",
                               d->index);
        /* Indexes are final: only later elements can still be removed. */
        if ((rc = push_index(c, i, &mark)) != DID_OK || (rc = use(c, d)) != DID_OK)
            return rc;
        if (json_array_set(arr, i, d->value) != 0)
            return did_err_set(c->err, DID_ERR_NOMEM, "out of memory");
        if ((rc = walk(c, d->value, depth + 1)) != DID_OK)
            return rc;
        pop_seg(c, mark);
        i++;
    }
    return DID_OK;
}

static int walk(rctx *c, json_t *node, size_t depth)
{
    if (!json_is_object(node) && !json_is_array(node))
        return DID_OK;
    if (depth > DID_SDJWT_MAX_DEPTH)
        return did_err_set(c->err, DID_ERR_LIMIT, "reassembled claims nest deeper than %d",
                           DID_SDJWT_MAX_DEPTH);
    return json_is_object(node) ? walk_object(c, node, depth, 0) : walk_array(c, node, depth);
}

void did_sdjwt_reassembly_clear(did_sdjwt_reassembly *r)
{
    if (r == NULL)
        return;
    json_decref(r->claims);
    if (r->paths != NULL)
        for (size_t i = 0; i < r->n; i++)
            free(r->paths[i]);
    free(r->paths);
    memset(r, 0, sizeof(*r));
}

int did_sdjwt_reassemble(const json_t *payload, const char *const *disc_in, const size_t *disc_len,
                         size_t n, const did_json_limits *lim, int track_paths,
                         did_sdjwt_reassembly *out, did_err *err)
{
    const json_t *alg_v;
    ck_hash_alg alg = CK_SHA256;
    json_t *claims = NULL;
    rctx c;
    int rc;

    memset(&c, 0, sizeof(c));
    did_buf_init(&c.path);
    c.err = err;
    c.track = track_paths;
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (out == NULL || (n > 0 && (disc_in == NULL || disc_len == NULL)))
        return did_err_set(err, DID_ERR_ARG, "did_sdjwt_reassemble: NULL argument");
    if (!json_is_object(payload))
        return did_err_set(err, DID_ERR_ARG, "the SD-JWT payload is not a JSON object");
    if (n > DID_SDJWT_MAX_DISCLOSURES)
        return did_err_set(err, DID_ERR_LIMIT, "more than %d disclosures",
                           DID_SDJWT_MAX_DISCLOSURES);

    /* Step 2.4: the hash algorithm, before any digest is computed. */
    alg_v = json_object_get(payload, "_sd_alg");
    if (alg_v != NULL) {
        if (!json_is_string(alg_v))
            return did_err_set(err, DID_ERR_SDJWT_ALG, "_sd_alg is not a string");
        if ((rc = did_sdjwt_alg_from_name(json_string_value(alg_v), json_string_length(alg_v), &alg,
                                          err)) != DID_OK)
            return rc;
    }

    /* Step 3.1: decode and hash every disclosure. */
    c.n = n;
    c.d = calloc(n + 1, sizeof(disc));
    c.sorted = calloc(n + 1, sizeof(disc *));
    c.seen = calloc(DID_SDJWT_MAX_DIGESTS, sizeof(json_t *));
    c.paths = track_paths ? calloc(n + 1, sizeof(char *)) : NULL;
    if (c.d == NULL || c.sorted == NULL || c.seen == NULL || (track_paths && c.paths == NULL)) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = decode_disc(disc_in[i], disc_len[i], alg, lim, i, &c.d[i], err)) != DID_OK)
            goto out;
        c.sorted[i] = &c.d[i];
    }
    if (n > 1)
        qsort(c.sorted, n, sizeof(disc *), cmp_disc);
    for (size_t i = 1; i < n; i++)
        if (cmp_disc(&c.sorted[i - 1], &c.sorted[i]) == 0) {
            rc = did_err_set(err, DID_ERR_SDJWT_DIGEST_DUP,
                             "disclosures %zu and %zu are the same disclosure",
                             c.sorted[i - 1]->index < c.sorted[i]->index ? c.sorted[i - 1]->index
                                                                         : c.sorted[i]->index,
                             c.sorted[i - 1]->index < c.sorted[i]->index ? c.sorted[i]->index
                                                                         : c.sorted[i - 1]->index);
            goto out;
        }

    /* Step 3.2 - 3.4 on a copy; then 3.5 (inside walk_object) and 3.6. */
    if ((claims = json_deep_copy(payload)) == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = walk_object(&c, claims, 1, 1)) != DID_OK)
        goto out;
    if (json_object_get(claims, "_sd_alg") != NULL && json_object_del(claims, "_sd_alg") != 0) {
        rc = did_err_set(err, DID_ERR_INTERNAL, "cannot remove \"_sd_alg\"");
        goto out;
    }

    /* Step 4: no digest twice (those of disclosures were caught as they were used). */
    if (c.n_seen > 1)
        qsort(c.seen, c.n_seen, sizeof(json_t *), cmp_json_str);
    for (size_t i = 1; i < c.n_seen; i++)
        if (cmp_json_str(&c.seen[i - 1], &c.seen[i]) == 0) {
            rc = did_err_set(err, DID_ERR_SDJWT_DIGEST_DUP,
                             "a digest appears more than once in the SD-JWT");
            goto out;
        }
    /* Step 5: every disclosure referenced. */
    for (size_t i = 0; i < n; i++)
        if (!c.d[i].used) {
            rc = did_err_set(err, DID_ERR_SDJWT_UNREFERENCED,
                             "disclosure %zu is not referenced by any digest", i);
            goto out;
        }

    out->claims = claims;
    out->alg = alg;
    out->n = n;
    out->paths = c.paths;
    claims = NULL;
    c.paths = NULL;
    rc = DID_OK;
out:
    json_decref(claims);
    if (c.d != NULL)
        for (size_t i = 0; i < n; i++)
            json_decref(c.d[i].arr);
    if (c.seen != NULL)
        for (size_t i = 0; i < c.n_seen; i++)
            json_decref(c.seen[i]);
    if (c.paths != NULL)
        for (size_t i = 0; i < n; i++)
            free(c.paths[i]);
    free(c.paths);
    free(c.d);
    free(c.sorted);
    free(c.seen);
    did_buf_clear(&c.path);
    return rc;
}
