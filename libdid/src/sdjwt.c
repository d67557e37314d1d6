/*
 * sdjwt.c -- SD-JWT (RFC 9901) pieces shared by issuance, presentation and verification: the
 * '~' structure, disclosures and their digests, paths (RFC 6901), the holder's view of its own
 * credential, and the cnf key. The reassembly is in sdjwt_reassemble.c.
 */
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/sdjwt.h>

#include "sdjwt_internal.h"

static int str_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* ------------------------------------------------------------------------------------------- */

int did_sdjwt_split(const char *in, size_t len, size_t max_len, did_sdjwt_parts *out, did_err *err)
{
    const char *first;
    size_t start, last;
    int rc;

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (in == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_sdjwt_split: NULL argument");
    if (len > max_len)
        return did_err_set(err, DID_ERR_LIMIT,
                           "SD-JWT of %zu bytes is longer than the limit of %zu", len, max_len);
    if (len > 0 && in[0] == '{')
        return did_err_set(err, DID_ERR_SDJWT_FORMAT,
                           "SD-JWT JWS JSON serialisation is not supported (compact only)");
    first = memchr(in, '~', len);
    if (first == NULL)
        return did_err_set(err, DID_ERR_SDJWT_FORMAT,
                           "no '~': an SD-JWT is <issuer-signed JWT>~<disclosures>~[<KB-JWT>]");
    if (first == in)
        return did_err_set(err, DID_ERR_SDJWT_FORMAT, "the issuer-signed JWT is empty");
    last = len - 1;
    while (in[last] != '~')
        last--;
    out->jwt = in;
    out->jwt_len = (size_t)(first - in);
    out->hashed_len = last + 1;
    if (out->hashed_len < len) {
        out->kb = in + out->hashed_len;
        out->kb_len = len - out->hashed_len;
        /* "jwt~d1~d2" (trailing '~' forgotten) would otherwise be read as a KB-JWT "d2". */
        if (memchr(out->kb, '.', out->kb_len) == NULL) {
            rc = did_err_set(err, DID_ERR_SDJWT_FORMAT,
                             "the part after the last '~' is not a JWT (an SD-JWT without key "
                             "binding ends with '~')");
            goto fail;
        }
    }
    start = out->jwt_len + 1;
    while (start < out->hashed_len) {
        const char *end = memchr(in + start, '~', out->hashed_len - start);
        size_t n = (size_t)(end - (in + start));
        if (n == 0) {
            rc = did_err_set(err, DID_ERR_SDJWT_FORMAT, "empty disclosure (\"~~\") at offset %zu",
                             start);
            goto fail;
        }
        if (out->n_disc == DID_SDJWT_MAX_DISCLOSURES) {
            rc = did_err_set(err, DID_ERR_LIMIT, "more than %d disclosures",
                             DID_SDJWT_MAX_DISCLOSURES);
            goto fail;
        }
        out->disc[out->n_disc] = in + start;
        out->disc_len[out->n_disc] = n;
        out->n_disc++;
        start += n + 1;
    }
    return DID_OK;
fail:
    memset(out, 0, sizeof(*out));
    return rc;
}

int did_sdjwt_alg_from_name(const char *name, size_t len, ck_hash_alg *alg, did_err *err)
{
    if (name != NULL && str_eq(name, len, "sha-256")) {
        *alg = CK_SHA256;
        return DID_OK;
    }
    if (name != NULL && str_eq(name, len, "sha-384")) {
        *alg = CK_SHA384;
        return DID_OK;
    }
    return did_err_set(err, DID_ERR_SDJWT_ALG,
                       "_sd_alg is not a supported hash algorithm (sha-256, sha-384)");
}

const char *did_sdjwt_alg_name(ck_hash_alg alg)
{
    return alg == CK_SHA384 ? "sha-384" : "sha-256";
}

int did_sdjwt_b64_append(did_buf *b, const uint8_t *in, size_t n, did_err *err)
{
    size_t enc = ck_b64url_encoded_len(n), w = 0;
    ck_err ce;
    int rc;

    if ((rc = did_buf_reserve(b, enc + 1)) != DID_OK)
        return did_err_set(err, rc, "base64url of %zu bytes does not fit in a buffer", n);
    ck_err_clear(&ce);
    if (ck_b64url_encode(in, n, (char *)b->data + b->len, b->cap - b->len, &w, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    b->len += w;
    return DID_OK;
}

int did_sdjwt_hash_b64(ck_hash_alg alg, const void *data, size_t len, did_buf *b, did_err *err)
{
    uint8_t h[CK_HASH_MAX_LEN];
    ck_err ce;

    ck_err_clear(&ce);
    if (ck_hash(alg, data, len, h, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return did_sdjwt_b64_append(b, h, ck_hash_len(alg), err);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int did_sdjwt_typ_equal(const char *a, size_t alen, const char *b)
{
    static const char app[] = "application/";
    const size_t app_len = sizeof(app) - 1;
    size_t blen = strlen(b);

    /* Strip "application/" from either side, then compare case-insensitively: a value
     * without '/' stands for application/<value>. A value with another type never matches
     * one without. */
    if (alen > app_len && memchr(a, '/', alen) != NULL) {
        for (size_t i = 0; i < app_len; i++)
            if (lower((unsigned char)a[i]) != app[i])
                return 0;
        a += app_len;
        alen -= app_len;
    }
    if (blen > app_len && memchr(b, '/', blen) != NULL) {
        for (size_t i = 0; i < app_len; i++)
            if (lower((unsigned char)b[i]) != app[i])
                return 0;
        b += app_len;
        blen -= app_len;
    }
    if (alen != blen || memchr(a, '/', alen) != NULL || memchr(b, '/', blen) != NULL)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

int did_sdjwt_typ_is_vc(const char *typ, size_t len)
{
    return did_sdjwt_typ_equal(typ, len, DID_SDJWT_TYP) ||
           did_sdjwt_typ_equal(typ, len, DID_SDJWT_TYP_LEGACY);
}

/* ------------------------------------------------------------------------------------------- */

int did_sdjwt_disclosure(const char *salt, const char *name, const json_t *value, did_buf *out,
                         did_err *err)
{
    json_t *arr = NULL, *s;
    did_buf js;
    int rc = DID_ERR_NOMEM;

    did_buf_init(&js);
    if (salt == NULL || value == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_sdjwt_disclosure: NULL argument");
    arr = json_array();
    if (arr == NULL)
        goto nomem;
    /* json_string refuses invalid UTF-8. */
    if ((s = json_string(salt)) == NULL) {
        rc = did_err_set(err, DID_ERR_ARG, "salt is not a UTF-8 string");
        goto out;
    }
    if (json_array_append_new(arr, s) != 0)
        goto nomem;
    if (name != NULL) {
        if ((s = json_string(name)) == NULL) {
            rc = did_err_set(err, DID_ERR_ARG, "claim name is not a UTF-8 string");
            goto out;
        }
        if (json_array_append_new(arr, s) != 0)
            goto nomem;
    }
    /* json_array_append takes a reference; the value is not modified. */
    if (json_array_append(arr, (json_t *)value) != 0)
        goto nomem;
    if ((rc = did_jcs_write(arr, &js, err)) != DID_OK)
        goto out;
    rc = did_sdjwt_b64_append(out, js.data, js.len, err);
    goto out;
nomem:
    rc = did_err_set(err, DID_ERR_NOMEM, "did_sdjwt_disclosure: out of memory");
out:
    json_decref(arr);
    did_buf_clear(&js);
    return rc;
}

int did_sdjwt_digest(const char *sd_alg, const char *disclosure, size_t len, did_buf *out,
                     did_err *err)
{
    ck_hash_alg alg = CK_SHA256;
    int rc;

    if (disclosure == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_sdjwt_digest: NULL argument");
    if (sd_alg != NULL && (rc = did_sdjwt_alg_from_name(sd_alg, strlen(sd_alg), &alg, err)) != 0)
        return rc;
    return did_sdjwt_hash_b64(alg, disclosure, len, out, err);
}

/* ------------------------------------------------------------------------------------------- */
/* Paths (RFC 6901 JSON Pointer). */

void did_sdjwt_path_clear(did_sdjwt_path *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->seg[i]);
    free(p->seg);
    free(p->seg_len);
    memset(p, 0, sizeof(*p));
}

int did_sdjwt_path_parse(const char *p, size_t len, did_sdjwt_path *out, did_err *err)
{
    size_t n = 0, i = 0;

    memset(out, 0, sizeof(*out));
    if (p == NULL || len == 0 || p[0] != '/')
        return did_err_set(err, DID_ERR_SDJWT_PATH,
                           "a path is a JSON Pointer to a claim and starts with '/'");
    if (len > DID_SDJWT_MAX_PATH)
        return did_err_set(err, DID_ERR_SDJWT_PATH, "path of %zu bytes, limit %d", len,
                           DID_SDJWT_MAX_PATH);
    for (size_t k = 0; k < len; k++)
        if (p[k] == '/')
            n++;
    if (n > DID_SDJWT_MAX_DEPTH)
        return did_err_set(err, DID_ERR_SDJWT_PATH, "path of %zu segments, limit %d", n,
                           DID_SDJWT_MAX_DEPTH);
    out->seg = calloc(n, sizeof(char *));
    out->seg_len = calloc(n, sizeof(size_t));
    if (out->seg == NULL || out->seg_len == NULL) {
        did_sdjwt_path_clear(out);
        return did_err_set(err, DID_ERR_NOMEM, "path: out of memory");
    }
    while (i < len) {
        size_t start = ++i, w = 0;
        char *s;
        while (i < len && p[i] != '/')
            i++;
        s = malloc(i - start + 1);
        if (s == NULL) {
            did_sdjwt_path_clear(out);
            return did_err_set(err, DID_ERR_NOMEM, "path: out of memory");
        }
        out->seg[out->n++] = s;
        for (size_t k = start; k < i; k++) {
            if (p[k] != '~') {
                s[w++] = p[k];
                continue;
            }
            if (k + 1 < i && (p[k + 1] == '0' || p[k + 1] == '1')) {
                s[w++] = p[k + 1] == '0' ? '~' : '/';
                k++;
                continue;
            }
            did_sdjwt_path_clear(out);
            return did_err_set(err, DID_ERR_SDJWT_PATH,
                               "path: '~' at offset %zu is not \"~0\" or \"~1\"", k);
        }
        s[w] = '\0';
        out->seg_len[out->n - 1] = w;
    }
    return DID_OK;
}

int did_sdjwt_path_push(did_buf *b, const char *s, size_t n)
{
    int rc = did_buf_putc(b, '/');
    for (size_t i = 0; rc == DID_OK && i < n; i++) {
        if (s[i] == '~')
            rc = did_buf_append(b, "~0", 2);
        else if (s[i] == '/')
            rc = did_buf_append(b, "~1", 2);
        else
            rc = did_buf_putc(b, s[i]);
    }
    return rc;
}

int did_sdjwt_path_index(const char *s, size_t n, size_t limit, size_t *index)
{
    size_t v = 0;

    if (n == 0 || n > 9 || (n > 1 && s[0] == '0'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    if (v >= limit)
        return 0;
    *index = v;
    return 1;
}

/* ------------------------------------------------------------------------------------------- */

int did_sdjwt_unverified_payload(const char *jwt, size_t len, const did_json_limits *lim,
                                 json_t **out, did_err *err)
{
    const char *d1 = memchr(jwt, '.', len), *d2;
    size_t plen, cap, dec = 0;
    uint8_t *buf;
    ck_err ce;
    did_err e;
    int rc;

    *out = NULL;
    /* The holder copies this JWT into presentations: it must at least look like one. */
    for (size_t i = 0; i < len; i++) {
        char c = jwt[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return did_err_set(err, DID_ERR_SDJWT_FORMAT,
                               "the issuer-signed JWT has a byte that is not base64url at %zu", i);
    }
    d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt)) : NULL;
    if (d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)) != NULL)
        return did_err_set(err, DID_ERR_SDJWT_FORMAT,
                           "the issuer-signed JWT is not three parts separated by '.'");
    plen = (size_t)(d2 - d1 - 1);
    cap = plen / 4 * 3 + 3;
    if ((buf = malloc(cap)) == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    ck_err_clear(&ce);
    if (ck_b64url_decode(d1 + 1, plen, buf, cap, &dec, &ce) != CK_OK) {
        free(buf);
        return did_err_set(err, DID_ERR_SDJWT_FORMAT, "issuer-signed JWT payload: %s", ce.msg);
    }
    did_err_clear(&e);
    rc = did_json_parse(buf, dec, lim, out, &e);
    free(buf);
    if (rc != DID_OK)
        return did_err_set(err, rc, "issuer-signed JWT payload: %s", e.msg);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return did_err_set(err, DID_ERR_SDJWT_FORMAT,
                           "issuer-signed JWT payload is not a JSON object");
    }
    return DID_OK;
}

int did_sdjwt_cnf_key(const json_t *claims, ck_key **key, did_err *err)
{
    const json_t *cnf = json_object_get(claims, "cnf"), *jwk, *v;
    const char *names[4] = {"kty", "crv", "x", "y"};
    const char *s[4] = {NULL, NULL, NULL, NULL};
    size_t n[4] = {0, 0, 0, 0};
    ck_err ce;

    *key = NULL;
    if (cnf == NULL)
        return did_err_set(err, DID_ERR_SDJWT_CNF, "the credential has no \"cnf\" claim");
    if (!json_is_object(cnf))
        return did_err_set(err, DID_ERR_SDJWT_CNF, "\"cnf\" is not an object");
    jwk = json_object_get(cnf, "jwk");
    if (!json_is_object(jwk))
        return did_err_set(err, DID_ERR_SDJWT_CNF,
                           "\"cnf\" has no \"jwk\" object (the only confirmation method we use)");
    for (int i = 0; i < 4; i++) {
        v = json_object_get(jwk, names[i]);
        if (v == NULL)
            continue;
        if (!json_is_string(v))
            return did_err_set(err, DID_ERR_SDJWT_CNF, "cnf.jwk member \"%s\" is not a string",
                               names[i]);
        s[i] = json_string_value(v);
        n[i] = json_string_length(v);
    }
    if (s[0] == NULL || s[1] == NULL || s[2] == NULL)
        return did_err_set(err, DID_ERR_SDJWT_CNF, "cnf.jwk lacks kty, crv or x");
    /* A credential never carries the holder's private key; one that does is refused rather
     * than used. */
    if (json_object_get(jwk, "d") != NULL)
        return did_err_set(err, DID_ERR_SDJWT_CNF, "cnf.jwk carries a private key (\"d\")");
    ck_err_clear(&ce);
    if (ck_key_import_jwk(s[0], n[0], s[1], n[1], s[2], n[2], s[3], n[3], NULL, 0, key, &ce) !=
        CK_OK) {
        if (ce.code == CK_ERR_NOMEM)
            return did_err_from_ck(err, &ce);
        return did_err_set(err, DID_ERR_SDJWT_CNF, "cnf.jwk is not a usable key: %s", ce.msg);
    }
    if (ck_key_jose_alg(ck_key_get_type(*key)) == NULL) {
        ck_key_free(*key);
        *key = NULL;
        return did_err_set(err, DID_ERR_SDJWT_CNF, "cnf.jwk is not a signing key");
    }
    return DID_OK;
}
