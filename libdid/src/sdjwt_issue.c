/*
 * sdjwt_issue.c -- issuing an SD-JWT / SD-JWT VC (RFC 9901 section 4) and presenting one as a
 * holder, with a key binding JWT (section 4.3).
 */
#include <stdlib.h>
#include <string.h>

#include <did/jose.h>
#include <did/json.h>
#include <did/sdjwt.h>
#include <did/time.h>

#include "sdjwt_internal.h"

/* Claims SD-JWT VC keeps in the issuer-signed part (draft-ietf-oauth-sd-jwt-vc, "Registered JWT
 * Claims"): they may not be made selectively disclosable. */
static const char *const vc_fixed[] = {"iss", "nbf",           "exp",   "cnf",
                                       "vct", "vct#integrity", "status"};

static int str_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    return alen == blen && memcmp(a, b, alen) == 0;
}

typedef struct issuer {
    const did_sdjwt_issue_opts *opts;
    ck_hash_alg alg;
    size_t n_digests;
    did_buf discs; /* "<disclosure>~" for each disclosure, in the order made */
    did_err *err;
} issuer;

/* One salt from the caller's source or 128 random bits. */
static int next_salt(issuer *is, char salt[DID_SDJWT_SALT_MAX], size_t *len)
{
    uint8_t rnd[16];
    did_buf b;
    int rc;

    if (is->opts->salt_fn != NULL) {
        *len = 0;
        salt[0] = '\0';
        rc = is->opts->salt_fn(is->opts->salt_user, salt, DID_SDJWT_SALT_MAX, len, is->err);
        if (rc != DID_OK)
            return rc;
        if (*len == 0 || *len >= DID_SDJWT_SALT_MAX || salt[*len] != '\0' || strlen(salt) != *len)
            return did_err_set(is->err, DID_ERR_ARG,
                               "the salt source gave no salt or one that is not a string of "
                               "1 to %d bytes",
                               DID_SDJWT_SALT_MAX - 1);
        return DID_OK;
    }
    ck_random(rnd, sizeof(rnd));
    did_buf_init(&b);
    rc = did_sdjwt_b64_append(&b, rnd, sizeof(rnd), is->err);
    if (rc == DID_OK) {
        memcpy(salt, b.data, b.len);
        salt[b.len] = '\0';
        *len = b.len;
    }
    did_buf_clear(&b);
    return rc;
}

static int count_digest(issuer *is)
{
    if (++is->n_digests > DID_SDJWT_MAX_DIGESTS)
        return did_err_set(is->err, DID_ERR_LIMIT,
                           "the SD-JWT would have more than %d digests (disclosures and decoys)",
                           DID_SDJWT_MAX_DIGESTS);
    return DID_OK;
}

/* Makes the disclosure of (name, value) -- name NULL for an array element --, records it, and
 * returns its digest as a new JSON string. */
static int make_disclosure(issuer *is, const char *name, const json_t *value, json_t **digest)
{
    char salt[DID_SDJWT_SALT_MAX];
    size_t salt_len, mark = is->discs.len;
    did_buf h;
    int rc;

    *digest = NULL;
    did_buf_init(&h);
    if ((rc = count_digest(is)) != DID_OK || (rc = next_salt(is, salt, &salt_len)) != DID_OK ||
        (rc = did_sdjwt_disclosure(salt, name, value, &is->discs, is->err)) != DID_OK ||
        (rc = did_sdjwt_hash_b64(is->alg, is->discs.data + mark, is->discs.len - mark, &h,
                                 is->err)) != DID_OK)
        goto out;
    if ((rc = did_buf_putc(&is->discs, '~')) != DID_OK) {
        rc = did_err_set(is->err, rc, "disclosures do not fit in a buffer");
        goto out;
    }
    if ((*digest = json_stringn((const char *)h.data, h.len)) == NULL)
        rc = did_err_set(is->err, DID_ERR_NOMEM, "out of memory");
out:
    ck_wipe(salt, sizeof(salt));
    did_buf_clear(&h);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    return strcmp(json_string_value(x), json_string_value(y));
}

/* Adds the decoys to an "_sd" array and sorts it, so that neither the order nor the number of
 * digests tells which claims there are (RFC 9901 sections 4.2.4.1, 4.2.5). */
static int finish_sd(issuer *is, json_t *sd)
{
    size_t decoys = is->opts->decoys_min, n;
    json_t **items = NULL;
    int rc = DID_OK;

    if (is->opts->decoys_max > is->opts->decoys_min) {
        uint32_t r;
        ck_random(&r, sizeof(r));
        decoys += r % (is->opts->decoys_max - is->opts->decoys_min + 1);
    }
    for (size_t i = 0; i < decoys; i++) {
        char salt[DID_SDJWT_SALT_MAX];
        size_t salt_len;
        did_buf h;

        did_buf_init(&h);
        if ((rc = count_digest(is)) == DID_OK && (rc = next_salt(is, salt, &salt_len)) == DID_OK &&
            (rc = did_sdjwt_hash_b64(is->alg, salt, salt_len, &h, is->err)) == DID_OK &&
            json_array_append_new(sd, json_stringn((const char *)h.data, h.len)) != 0)
            rc = did_err_set(is->err, DID_ERR_NOMEM, "out of memory");
        did_buf_clear(&h);
        if (rc != DID_OK)
            return rc;
    }
    n = json_array_size(sd);
    if (n < 2)
        return DID_OK;
    if ((items = calloc(n, sizeof(json_t *))) == NULL)
        return did_err_set(is->err, DID_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(sd, i));
    qsort(items, n, sizeof(json_t *), cmp_str);
    for (size_t i = 0; i < n && rc == DID_OK; i++)
        if (json_array_set(sd, i, items[i]) != 0)
            rc = did_err_set(is->err, DID_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
    free(items);
    return rc;
}

/* Finishes every "_sd" array in node, just before node is sealed into a disclosure or signed:
 * a subtree made disclosable leaves the payload, so no array is finished twice. */
static int finish_tree(issuer *is, json_t *node)
{
    const char *k;
    json_t *v;
    int rc;

    if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++)
            if ((rc = finish_tree(is, json_array_get(node, i))) != DID_OK)
                return rc;
        return DID_OK;
    }
    if (!json_is_object(node))
        return DID_OK;
    json_object_foreach(node, k, v)
    {
        if (strcmp(k, "_sd") == 0)
            continue;
        if ((rc = finish_tree(is, v)) != DID_OK)
            return rc;
    }
    v = json_object_get(node, "_sd");
    return v != NULL ? finish_sd(is, v) : DID_OK;
}

/* The caller's claims may not use the names SD-JWT reserves for its digests. */
static int check_claims(const json_t *node, size_t depth, int top, did_err *err)
{
    const char *k;
    json_t *v;
    int rc;

    if (!json_is_object(node) && !json_is_array(node))
        return DID_OK;
    if (depth > DID_SDJWT_MAX_DEPTH)
        return did_err_set(err, DID_ERR_LIMIT, "claims nest deeper than %d", DID_SDJWT_MAX_DEPTH);
    if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++)
            if ((rc = check_claims(json_array_get(node, i), depth + 1, 0, err)) != DID_OK)
                return rc;
        return DID_OK;
    }
    json_object_foreach((json_t *)node, k, v)
    {
        if (strcmp(k, "_sd") == 0 || strcmp(k, "...") == 0 || (top && strcmp(k, "_sd_alg") == 0))
            return did_err_set(err, DID_ERR_SDJWT_RESERVED,
                               "the claims contain \"%s\", a name SD-JWT reserves", k);
        if ((rc = check_claims(v, depth + 1, 0, err)) != DID_OK)
            return rc;
    }
    return DID_OK;
}

/* ------------------------------------------------------------------------------------------- */
/* Paths. */

typedef struct ipath {
    did_sdjwt_path p;
    size_t order;
} ipath;

/* Deepest first, so that a claim inside a disclosable claim is sealed into its parent's
 * disclosure; then in the caller's order. */
static int cmp_ipath(const void *a, const void *b)
{
    const ipath *x = a, *y = b;
    if (x->p.n != y->p.n)
        return x->p.n > y->p.n ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order ? 1 : 0;
}

static int same_path(const did_sdjwt_path *a, const did_sdjwt_path *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->seg_len[i] != b->seg_len[i] || memcmp(a->seg[i], b->seg[i], a->seg_len[i]) != 0)
            return 0;
    return 1;
}

/* Follows segments [0, upto) of p from root. NULL if they name nothing. */
static json_t *follow(json_t *root, const did_sdjwt_path *p, size_t upto)
{
    json_t *node = root;

    for (size_t i = 0; i < upto && node != NULL; i++) {
        size_t idx;
        if (json_is_object(node))
            node = json_object_getn(node, p->seg[i], p->seg_len[i]);
        else if (json_is_array(node) &&
                 did_sdjwt_path_index(p->seg[i], p->seg_len[i], json_array_size(node), &idx))
            node = json_array_get(node, idx);
        else
            node = NULL;
    }
    return node;
}

static int make_path_disclosable(issuer *is, json_t *work, const did_sdjwt_path *p, const char *raw,
                                 int vc)
{
    const char *last = p->seg[p->n - 1];
    size_t last_len = p->seg_len[p->n - 1], idx;
    json_t *parent, *value, *digest = NULL, *sd;
    int rc;

    /* "_sd" and "..." are ours (an "_sd" array may already be in the tree by now). */
    for (size_t i = 0; i < p->n; i++)
        if (str_eq(p->seg[i], p->seg_len[i], "_sd") || str_eq(p->seg[i], p->seg_len[i], "..."))
            return did_err_set(is->err, DID_ERR_SDJWT_PATH, "path \"%s\" names a reserved claim",
                               raw);
    if (p->n == 1 && vc)
        for (size_t i = 0; i < sizeof(vc_fixed) / sizeof(vc_fixed[0]); i++)
            if (str_eq(last, last_len, vc_fixed[i]))
                return did_err_set(is->err, DID_ERR_SDJWT_PATH,
                                   "path \"%s\": SD-JWT VC does not allow \"%s\" to be "
                                   "selectively disclosable",
                                   raw, vc_fixed[i]);
    parent = follow(work, p, p->n - 1);
    if (json_is_object(parent) && (value = json_object_getn(parent, last, last_len)) != NULL) {
        json_incref(value);
        if (json_object_deln(parent, last, last_len) != 0) {
            json_decref(value);
            return did_err_set(is->err, DID_ERR_INTERNAL, "cannot remove a claim");
        }
        if ((rc = finish_tree(is, value)) == DID_OK)
            rc = make_disclosure(is, last, value, &digest);
        json_decref(value);
        if (rc != DID_OK)
            return rc;
        sd = json_object_get(parent, "_sd");
        if (sd == NULL) {
            if (json_object_set_new(parent, "_sd", sd = json_array()) != 0 || sd == NULL) {
                json_decref(digest);
                return did_err_set(is->err, DID_ERR_NOMEM, "out of memory");
            }
        }
        if (json_array_append_new(sd, digest) != 0)
            return did_err_set(is->err, DID_ERR_NOMEM, "out of memory");
        return DID_OK;
    }
    if (json_is_array(parent) &&
        did_sdjwt_path_index(last, last_len, json_array_size(parent), &idx)) {
        json_t *ph;
        value = json_incref(json_array_get(parent, idx));
        if ((rc = finish_tree(is, value)) == DID_OK)
            rc = make_disclosure(is, NULL, value, &digest);
        json_decref(value);
        if (rc != DID_OK)
            return rc;
        ph = json_object();
        if (ph == NULL || json_object_set_new(ph, "...", digest) != 0 ||
            json_array_set_new(parent, idx, ph) != 0)
            return did_err_set(is->err, DID_ERR_NOMEM, "out of memory");
        return DID_OK;
    }
    return did_err_set(is->err, DID_ERR_SDJWT_PATH, "path \"%s\" names no claim", raw);
}

static int cnf_of(const ck_key *holder, json_t **cnf, did_err *err)
{
    char jwk[CK_JWK_MAX_LEN];
    size_t n = 0;
    json_t *j = NULL;
    ck_err ce;
    int rc;

    *cnf = NULL;
    ck_err_clear(&ce);
    if (ck_key_jose_alg(ck_key_get_type(holder)) == NULL)
        return did_err_set(err, DID_ERR_ARG, "the holder key cannot sign a KB-JWT");
    if (ck_key_export_jwk(holder, 0, jwk, sizeof(jwk), &n, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    if ((rc = did_json_parse(jwk, n, NULL, &j, err)) != DID_OK)
        return rc;
    *cnf = json_object();
    if (*cnf == NULL || json_object_set_new(*cnf, "jwk", j) != 0) {
        json_decref(*cnf);
        *cnf = NULL;
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    }
    return DID_OK;
}

int did_sdjwt_issue(const ck_key *issuer_key, const did_sdjwt_issue_opts *opts,
                    const json_t *claims, did_buf *out, did_err *err)
{
    static const did_sdjwt_issue_opts defaults;
    did_jws_sign_opts so = {0};
    ipath *paths = NULL;
    size_t n_paths = 0, mark = out != NULL ? out->len : 0;
    json_t *work = NULL, *cnf = NULL;
    const char *typ;
    issuer is;
    int vc, rc;

    memset(&is, 0, sizeof(is));
    did_buf_init(&is.discs);
    is.err = err;
    if (issuer_key == NULL || claims == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_sdjwt_issue: NULL argument");
    if (opts == NULL)
        opts = &defaults;
    is.opts = opts;
    if (!json_is_object(claims))
        return did_err_set(err, DID_ERR_ARG, "SD-JWT claims must be a JSON object");
    typ = opts->typ != NULL ? opts->typ : DID_SDJWT_TYP;
    vc = did_sdjwt_typ_is_vc(typ, strlen(typ));
    is.alg = CK_SHA256;
    if (opts->sd_alg != NULL &&
        (rc = did_sdjwt_alg_from_name(opts->sd_alg, strlen(opts->sd_alg), &is.alg, err)) != 0)
        return rc;
    if (opts->decoys_min > opts->decoys_max)
        return did_err_set(err, DID_ERR_ARG, "decoys_min > decoys_max");
    if (opts->decoys_max > DID_SDJWT_MAX_DECOYS)
        return did_err_set(err, DID_ERR_LIMIT, "more than %d decoys per \"_sd\" array",
                           DID_SDJWT_MAX_DECOYS);
    if ((rc = check_claims(claims, 1, 1, err)) != DID_OK)
        return rc;
    if (vc && !json_is_string(json_object_get(claims, "vct")))
        return did_err_set(err, DID_ERR_SDJWT_VCT,
                           "an SD-JWT VC (typ %s) needs a string \"vct\" claim", typ);
    if (opts->holder_key != NULL && json_object_get(claims, "cnf") != NULL)
        return did_err_set(err, DID_ERR_ARG,
                           "the claims already have \"cnf\" and a holder key was given");

    for (const char *const *p = opts->paths; p != NULL && *p != NULL; p++)
        n_paths++;
    if (n_paths > DID_SDJWT_MAX_DISCLOSURES)
        return did_err_set(err, DID_ERR_LIMIT, "more than %d selectively disclosable paths",
                           DID_SDJWT_MAX_DISCLOSURES);
    if (n_paths > 0 && (paths = calloc(n_paths, sizeof(ipath))) == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n_paths; i++) {
        paths[i].order = i;
        if ((rc = did_sdjwt_path_parse(opts->paths[i], strlen(opts->paths[i]), &paths[i].p, err)) !=
            DID_OK) {
            did_err_prefix(err, opts->paths[i]);
            goto out;
        }
        for (size_t j = 0; j < i; j++)
            if (same_path(&paths[i].p, &paths[j].p)) {
                rc = did_err_set(err, DID_ERR_SDJWT_PATH, "path \"%s\" is listed twice",
                                 opts->paths[i]);
                goto out;
            }
    }
    if (n_paths > 1)
        qsort(paths, n_paths, sizeof(ipath), cmp_ipath);

    if ((work = json_deep_copy(claims)) == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_paths; i++)
        if ((rc = make_path_disclosable(&is, work, &paths[i].p, opts->paths[paths[i].order], vc)) !=
            DID_OK)
            goto out;
    if ((rc = finish_tree(&is, work)) != DID_OK)
        goto out;
    if (json_object_set_new(work, "_sd_alg", json_string(did_sdjwt_alg_name(is.alg))) != 0) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (opts->holder_key != NULL) {
        if ((rc = cnf_of(opts->holder_key, &cnf, err)) != DID_OK)
            goto out;
        if (json_object_set_new(work, "cnf", cnf) != 0) {
            rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
            goto out;
        }
    }

    so.typ = typ;
    so.kid = opts->kid;
    if ((rc = did_jwt_sign(issuer_key, &so, work, out, err)) != DID_OK)
        goto out;
    if ((rc = did_buf_putc(out, '~')) != DID_OK ||
        (is.discs.len > 0 && (rc = did_buf_append(out, is.discs.data, is.discs.len)) != DID_OK)) {
        rc = did_err_set(err, rc, "the SD-JWT does not fit in a buffer");
        goto undo;
    }
    /* What we issue, we must be able to verify. */
    if (out->len - mark > DID_SDJWT_MAX_LEN) {
        rc = did_err_set(err, DID_ERR_LIMIT, "the SD-JWT of %zu bytes is longer than %zu",
                         out->len - mark, DID_SDJWT_MAX_LEN);
        goto undo;
    }
    did_err_clear(err);
    rc = DID_OK;
    goto out;
undo:
    out->len = mark;
    if (out->data != NULL)
        out->data[mark] = '\0';
out:
    for (size_t i = 0; i < n_paths; i++)
        did_sdjwt_path_clear(&paths[i].p);
    free(paths);
    json_decref(work);
    did_buf_clear(&is.discs);
    return rc;
}

/* ------------------------------------------------------------------------------------------- */
/* Presentation. */

/* a is b, or a claim that b sits in (path prefix on a segment boundary). */
static int path_within(const char *a, const char *b)
{
    size_t n = strlen(a);
    return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static int sign_kb(const ck_key *holder, const char *nonce, const char *aud, int64_t iat,
                   const json_t *sd_hash, did_buf *out, did_err *err)
{
    did_jws_sign_opts so = {0};
    json_t *c = json_object();
    int rc;

    if (c == NULL || json_object_set_new(c, "iat", json_integer((json_int_t)iat)) != 0 ||
        json_object_set_new(c, "aud", json_string(aud)) != 0 ||
        json_object_set_new(c, "nonce", json_string(nonce)) != 0 ||
        json_object_set(c, "sd_hash", (json_t *)sd_hash) != 0) {
        json_decref(c);
        return did_err_set(err, DID_ERR_ARG, "nonce or aud is not a UTF-8 string");
    }
    so.typ = DID_SDJWT_KB_TYP;
    rc = did_jwt_sign(holder, &so, c, out, err);
    json_decref(c);
    return rc;
}

int did_sdjwt_present(const char *sdjwt, size_t len, const char *const *disclose_paths,
                      const ck_key *holder_key, const char *nonce, const char *aud, int64_t iat,
                      did_buf *out, did_err *err)
{
    did_json_limits lim = did_json_limits_default();
    did_sdjwt_parts *parts = NULL;
    did_sdjwt_reassembly ra;
    did_sdjwt_path p;
    int selected[DID_SDJWT_MAX_DISCLOSURES];
    json_t *payload = NULL, *sd_hash = NULL;
    ck_key *cnf = NULL;
    size_t mark = out != NULL ? out->len : 0;
    did_buf want, h;
    int rc;

    memset(&ra, 0, sizeof(ra));
    memset(&p, 0, sizeof(p));
    memset(selected, 0, sizeof(selected));
    did_buf_init(&want);
    did_buf_init(&h);
    if (sdjwt == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_sdjwt_present: NULL argument");
    if (holder_key != NULL && (nonce == NULL || aud == NULL))
        return did_err_set(err, DID_ERR_ARG, "key binding needs the verifier's nonce and aud");
    if ((parts = malloc(sizeof(*parts))) == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    if ((rc = did_sdjwt_split(sdjwt, len, DID_SDJWT_MAX_LEN, parts, err)) != DID_OK)
        goto out;
    if (parts->kb != NULL) {
        rc = did_err_set(err, DID_ERR_SDJWT_FORMAT,
                         "the SD-JWT already ends in a KB-JWT (present from the issued form)");
        goto out;
    }
    lim.max_depth = DID_SDJWT_MAX_DEPTH + 1;
    if ((rc = did_sdjwt_unverified_payload(parts->jwt, parts->jwt_len, &lim, &payload, err)) !=
            DID_OK ||
        (rc = did_sdjwt_reassemble(payload, parts->disc, parts->disc_len, parts->n_disc, &lim, 1,
                                   &ra, err)) != DID_OK)
        goto out;
    if (holder_key != NULL) {
        if ((rc = did_sdjwt_cnf_key(ra.claims, &cnf, err)) != DID_OK)
            goto out;
        if (!ck_key_public_equal(cnf, holder_key)) {
            rc = did_err_set(err, DID_ERR_SDJWT_CNF,
                             "the holder key is not the key the credential is bound to");
            goto out;
        }
    }

    for (const char *const *dp = disclose_paths; dp != NULL && *dp != NULL; dp++) {
        if ((rc = did_sdjwt_path_parse(*dp, strlen(*dp), &p, err)) != DID_OK)
            goto out;
        if (follow(ra.claims, &p, p.n) == NULL) {
            rc = did_err_set(err, DID_ERR_SDJWT_PATH,
                             "path \"%s\" names no claim in the credential", *dp);
            goto out;
        }
        /* The canonical spelling, to compare with the disclosures' paths. */
        did_buf_reset(&want);
        for (size_t i = 0; i < p.n; i++)
            if (did_sdjwt_path_push(&want, p.seg[i], p.seg_len[i]) != DID_OK) {
                rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
                goto out;
            }
        for (size_t i = 0; i < parts->n_disc; i++)
            if (path_within(ra.paths[i], (const char *)want.data) ||
                path_within((const char *)want.data, ra.paths[i]))
                selected[i] = 1;
        did_sdjwt_path_clear(&p);
    }

    if ((rc = did_buf_append(out, parts->jwt, parts->jwt_len)) != DID_OK ||
        (rc = did_buf_putc(out, '~')) != DID_OK)
        goto nospace;
    for (size_t i = 0; i < parts->n_disc; i++)
        if (selected[i] && ((rc = did_buf_append(out, parts->disc[i], parts->disc_len[i])) != 0 ||
                            (rc = did_buf_putc(out, '~')) != DID_OK))
            goto nospace;
    if (holder_key != NULL) {
        if ((rc = did_sdjwt_hash_b64(ra.alg, out->data + mark, out->len - mark, &h, err)) != 0)
            goto undo;
        if ((sd_hash = json_stringn((const char *)h.data, h.len)) == NULL) {
            rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
            goto undo;
        }
        if ((rc = sign_kb(holder_key, nonce, aud, iat != 0 ? iat : did_time_now(), sd_hash, out,
                          err)) != DID_OK)
            goto undo;
    }
    did_err_clear(err);
    rc = DID_OK;
    goto out;
nospace:
    rc = did_err_set(err, rc, "the presentation does not fit in a buffer");
undo:
    out->len = mark;
    if (out->data != NULL)
        out->data[mark] = '\0';
out:
    did_sdjwt_path_clear(&p);
    did_sdjwt_reassembly_clear(&ra);
    json_decref(payload);
    json_decref(sd_hash);
    ck_key_free(cnf);
    did_buf_clear(&want);
    did_buf_clear(&h);
    free(parts);
    return rc;
}
