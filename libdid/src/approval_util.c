/*
 * approval_util.c -- strict member access and digests shared by approval_*.c, delegation*.c.
 *
 * Every accessor refuses a wrong JSON type outright: an integer must be a JSON integer (not
 * 1.0 or 1e0), a string a string, so each value has one accepted spelling.
 */
#include <string.h>

#include "approval_internal.h"

const char *const apr_sig_level_names[] = {"", "SES", "AdES", "AdES-QC", "QES", NULL};
const char *const apr_loa_names[] = {"", "http://eidas.europa.eu/LoA/low",
                                     "http://eidas.europa.eu/LoA/substantial",
                                     "http://eidas.europa.eu/LoA/high", NULL};

int apr_only_members(const json_t *obj, const char *const *allowed, const char *what, int code,
                     did_err *err)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)obj, k, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] != NULL; i++)
            if (strcmp(k, allowed[i]) == 0) {
                ok = 1;
                break;
            }
        /* Member names are bounded by the JSON limits; show a prefix only. */
        if (!ok)
            return did_err_set(err, code, "%s: unknown member \"%.40s\"", what, k);
    }
    return DID_OK;
}

static int text_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

int apr_str(const json_t *obj, const char *name, int required, size_t max, const char *what,
            int code, const char **s, did_err *err)
{
    const json_t *v = json_object_get(obj, name);

    *s = NULL;
    if (v == NULL) {
        if (required)
            return did_err_set(err, code, "%s: member \"%s\" is missing", what, name);
        return DID_OK;
    }
    if (!json_is_string(v))
        return did_err_set(err, code, "%s: member \"%s\" must be a string", what, name);
    if (json_string_length(v) == 0 || json_string_length(v) > max)
        return did_err_set(err, code, "%s: member \"%s\" must have 1 to %zu bytes", what, name,
                           max);
    if (!text_ok(json_string_value(v), json_string_length(v)))
        return did_err_set(err, code, "%s: member \"%s\" has a control character", what, name);
    *s = json_string_value(v);
    return DID_OK;
}

int apr_int(const json_t *obj, const char *name, int required, int64_t lo, int64_t hi,
            const char *what, int code, int64_t *out, int *present, did_err *err)
{
    const json_t *v = json_object_get(obj, name);
    int64_t x;

    *out = 0;
    if (present != NULL)
        *present = 0;
    if (v == NULL) {
        if (required)
            return did_err_set(err, code, "%s: member \"%s\" is missing", what, name);
        return DID_OK;
    }
    if (!json_is_integer(v))
        return did_err_set(err, code, "%s: member \"%s\" must be an integer", what, name);
    x = (int64_t)json_integer_value(v);
    if (x < lo || x > hi)
        return did_err_set(err, code, "%s: member \"%s\" = %lld is outside [%lld, %lld]", what,
                           name, (long long)x, (long long)lo, (long long)hi);
    *out = x;
    if (present != NULL)
        *present = 1;
    return DID_OK;
}

int apr_str_list(const json_t *obj, const char *name, int required, size_t max, size_t max_str,
                 const char *what, int code, const json_t **list, did_err *err)
{
    const json_t *v = json_object_get(obj, name);

    *list = NULL;
    if (v == NULL) {
        if (required)
            return did_err_set(err, code, "%s: member \"%s\" is missing", what, name);
        return DID_OK;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > max)
        return did_err_set(err, code, "%s: member \"%s\" must be an array of 1 to %zu strings",
                           what, name, max);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || json_string_length(e) == 0 || json_string_length(e) > max_str ||
            !text_ok(json_string_value(e), json_string_length(e)))
            return did_err_set(err, code, "%s: \"%s\"[%zu] must be a string of 1 to %zu bytes",
                               what, name, i, max_str);
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(v, j), (json_t *)e))
                return did_err_set(err, code, "%s: \"%s\"[%zu] repeats an earlier entry", what,
                                   name, i);
    }
    *list = v;
    return DID_OK;
}

int apr_is_did(const char *s, size_t len)
{
    did_url u;
    did_err e;

    if (len > DID_APR_MAX_DID)
        return 0;
    did_err_clear(&e);
    return did_parse(s, len, &u, &e) == DID_OK;
}

int apr_money(const json_t *v, const char *what, int code, did_money *out, did_err *err)
{
    static const char *const members[] = {"value", "currency", NULL};
    const char *cur;
    int rc;

    if (!json_is_object(v))
        return did_err_set(err, code, "%s: money must be {\"value\", \"currency\"}", what);
    if ((rc = apr_only_members(v, members, what, code, err)) != DID_OK ||
        (rc = apr_int(v, "value", 1, 0, (int64_t)1 << 53, what, code, &out->value, NULL, err)) !=
            DID_OK ||
        (rc = apr_str(v, "currency", 1, 3, what, code, &cur, err)) != DID_OK)
        return rc;
    if (strlen(cur) != 3)
        return did_err_set(err, code, "%s: currency must be an ISO 4217 code", what);
    for (int i = 0; i < 3; i++)
        if (cur[i] < 'A' || cur[i] > 'Z')
            return did_err_set(err, code, "%s: currency must be three upper-case letters", what);
    memcpy(out->currency, cur, 4);
    return DID_OK;
}

int apr_b64_digest(const void *data, size_t len, char out[44], did_err *err)
{
    uint8_t d[32];
    size_t w;
    ck_err ce;

    ck_err_clear(&ce);
    if (ck_hash(CK_SHA256, data, len, d, &ce) != CK_OK ||
        ck_b64url_encode(d, 32, out, 44, &w, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return DID_OK;
}

int apr_ref(const void *data, size_t len, char out[DID_APR_REF_LEN], uint8_t digest[32],
            did_err *err)
{
    size_t w;
    ck_err ce;

    ck_err_clear(&ce);
    memcpy(out, "sha-256:", 8);
    if (ck_hash(CK_SHA256, data, len, digest, &ce) != CK_OK ||
        ck_b64url_encode(digest, 32, out + 8, DID_APR_REF_LEN - 8, &w, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return DID_OK;
}

size_t apr_did_len(const char *url, size_t len)
{
    /* "did:" method ":" id -- the DID ends at the first '#', '?' or '/'. */
    for (size_t i = 0; i < len; i++)
        if (url[i] == '#' || url[i] == '?' || url[i] == '/')
            return i;
    return len;
}

int apr_same_did(const char *a, const char *b)
{
    size_t la, lb;

    if (a == NULL || b == NULL)
        return 0;
    la = apr_did_len(a, strlen(a));
    lb = apr_did_len(b, strlen(b));
    return la == lb && la > 0 && memcmp(a, b, la) == 0;
}

int apr_list_has(const json_t *list, const char *s, size_t len)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        if (json_is_string(e) && json_string_length(e) == len &&
            memcmp(json_string_value(e), s, len) == 0)
            return 1;
    }
    return 0;
}

int apr_enum(const char *s, const char *const *table)
{
    for (int i = 0; table[i] != NULL; i++)
        if (table[i][0] != '\0' && strcmp(s, table[i]) == 0)
            return i;
    return -1;
}
