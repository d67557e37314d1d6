/* Strict JSON parsing on jansson (limits, error mapping, I-JSON numbers) and typed member
 * access. See did/json.h for the contract. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>

did_json_limits did_json_limits_default(void)
{
    did_json_limits lim = {
        .max_bytes = DID_JSON_DEFAULT_MAX_BYTES,
        .max_depth = DID_JSON_DEFAULT_MAX_DEPTH,
        .max_string = DID_JSON_DEFAULT_MAX_STRING,
        .max_entries = DID_JSON_DEFAULT_MAX_ENTRIES,
    };
    return lim;
}

/* Counts [ and { nesting over the raw bytes, skipping string contents, so that a hostile
 * "[[[[..." is rejected before jansson allocates a node for it. Brackets that do not balance
 * are left for jansson to report as syntax errors. */
static int depth_prescan(const unsigned char *p, size_t len, size_t max_depth, did_err *err)
{
    size_t depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (in_string) {
            if (c == '\\')
                i++; /* the escaped byte can never end the string */
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            break;
        case '[':
        case '{':
            depth++;
            if (depth > max_depth)
                return did_err_set(err, DID_ERR_JSON_DEPTH,
                                   "nesting depth exceeds max_depth %zu at byte offset %zu",
                                   max_depth, i);
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
    }
    return DID_OK;
}

/* Finds number tokens in document order. Used after a JSON_DECODE_INT_AS_REAL reparse to
 * learn which reals were written as integer literals: jansson keeps object members in
 * insertion order, so a depth-first walk meets the numbers in the same order as the text. */
typedef struct num_scanner {
    const unsigned char *p;
    size_t len;
    size_t pos;
} num_scanner;

static int next_number(num_scanner *sc, const unsigned char **tok, size_t *toklen)
{
    int in_string = 0;
    while (sc->pos < sc->len) {
        unsigned char c = sc->p[sc->pos];
        if (in_string) {
            if (c == '\\')
                sc->pos++;
            else if (c == '"')
                in_string = 0;
            sc->pos++;
            continue;
        }
        if (c == '"') {
            in_string = 1;
            sc->pos++;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            size_t start = sc->pos;
            while (sc->pos < sc->len && strchr("+-0123456789.eE", sc->p[sc->pos]) != NULL &&
                   sc->p[sc->pos] != '\0')
                sc->pos++;
            *tok = sc->p + start;
            *toklen = sc->pos - start;
            return 1;
        }
        sc->pos++;
    }
    return 0;
}

/* If the next number token is an integer literal that fits int64, returns a new json_integer
 * for it (the real jansson produced lost precision); otherwise NULL and the real stays. */
static int integer_for_real(num_scanner *sc, json_t **repl)
{
    const unsigned char *tok = NULL;
    size_t toklen = 0;
    char buf[32];

    *repl = NULL;
    if (!next_number(sc, &tok, &toklen))
        return DID_ERR_INTERNAL; /* jansson saw a number the scanner did not: cannot happen */
    for (size_t i = 0; i < toklen; i++) {
        if (tok[i] == '.' || tok[i] == 'e' || tok[i] == 'E')
            return DID_OK;
    }
    if (toklen >= sizeof buf)
        return DID_OK; /* more than 31 characters cannot fit int64 */
    memcpy(buf, tok, toklen);
    buf[toklen] = '\0';
    errno = 0;
    char *end = NULL;
    long long v = strtoll(buf, &end, 10);
    if (errno == ERANGE || end != buf + toklen)
        return DID_OK;
    *repl = json_integer((json_int_t)v);
    if (*repl == NULL)
        return DID_ERR_NOMEM;
    return DID_OK;
}

typedef struct walk_ctx {
    const did_json_limits *lim;
    num_scanner *sc; /* non-NULL only after the INT_AS_REAL reparse */
    did_err *err;
} walk_ctx;

static int check_string(const walk_ctx *cx, size_t n, const char *what)
{
    if (n > cx->lim->max_string)
        return did_err_set(cx->err, DID_ERR_JSON_STRING,
                           "%s of %zu bytes exceeds max_string %zu", what, n, cx->lim->max_string);
    return DID_OK;
}

/* Checks string and container limits and, after an INT_AS_REAL reparse, turns reals that were
 * written as int64-sized integer literals back into integers. Recursion is bounded by the
 * depth pre-scan (and jansson's own JSON_PARSER_MAX_DEPTH). */
static int walk(walk_ctx *cx, json_t *v)
{
    int rc = DID_OK;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return check_string(cx, json_string_length(v), "string");
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (n > cx->lim->max_entries)
            return did_err_set(cx->err, DID_ERR_JSON_COUNT,
                               "array of %zu elements exceeds max_entries %zu", n,
                               cx->lim->max_entries);
        for (size_t i = 0; i < n; i++) {
            json_t *child = json_array_get(v, i);
            if (cx->sc != NULL && json_is_real(child)) {
                json_t *repl = NULL;
                if ((rc = integer_for_real(cx->sc, &repl)) != DID_OK)
                    return did_err_set(cx->err, rc, "re-reading number literal failed");
                if (repl != NULL && json_array_set_new(v, i, repl) != 0)
                    return did_err_set(cx->err, DID_ERR_NOMEM, "out of memory");
                continue;
            }
            if ((rc = walk(cx, child)) != DID_OK)
                return rc;
        }
        return DID_OK;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        if (n > cx->lim->max_entries)
            return did_err_set(cx->err, DID_ERR_JSON_COUNT,
                               "object of %zu members exceeds max_entries %zu", n,
                               cx->lim->max_entries);
        for (void *it = json_object_iter(v); it != NULL; it = json_object_iter_next(v, it)) {
            if ((rc = check_string(cx, json_object_iter_key_len(it), "member name")) != DID_OK)
                return rc;
            json_t *child = json_object_iter_value(it);
            if (cx->sc != NULL && json_is_real(child)) {
                json_t *repl = NULL;
                if ((rc = integer_for_real(cx->sc, &repl)) != DID_OK)
                    return did_err_set(cx->err, rc, "re-reading number literal failed");
                if (repl != NULL && json_object_iter_set_new(v, it, repl) != 0)
                    return did_err_set(cx->err, DID_ERR_NOMEM, "out of memory");
                continue;
            }
            if ((rc = walk(cx, child)) != DID_OK)
                return rc;
        }
        return DID_OK;
    }
    case JSON_REAL:
    case JSON_INTEGER:
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
    default:
        return DID_OK;
    }
}

static int map_jansson_error(const json_error_t *je, did_err *err)
{
    switch (json_error_code(je)) {
    case json_error_duplicate_key:
        return did_err_set(err, DID_ERR_JSON_DUPLICATE_KEY,
                           "duplicate member name at line %d, column %d (byte offset %d): %s",
                           je->line, je->column, je->position, je->text);
    case json_error_invalid_utf8:
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return did_err_set(err, DID_ERR_JSON_UTF8,
                           "invalid text at line %d, column %d (byte offset %d): %s", je->line,
                           je->column, je->position, je->text);
    case json_error_stack_overflow:
        return did_err_set(err, DID_ERR_JSON_DEPTH,
                           "nesting deeper than the parser allows (%d) at byte offset %d",
                           JSON_PARSER_MAX_DEPTH, je->position);
    case json_error_out_of_memory:
        return did_err_set(err, DID_ERR_NOMEM, "out of memory while parsing JSON");
    case json_error_numeric_overflow:
        return did_err_set(err, DID_ERR_JSON_NUMBER,
                           "number out of IEEE 754 double range at line %d, column %d "
                           "(byte offset %d)",
                           je->line, je->column, je->position);
    case json_error_invalid_syntax:
        /* jansson 2.14 reports lone or mismatched surrogate escapes as a syntax error whose
         * text starts with "invalid Unicode"; RFC 8259 section 8.2 makes them a text
         * (UTF-8/Unicode) problem, so they get the UTF-8 code. */
        if (strncmp(je->text, "invalid Unicode", 15) == 0)
            return did_err_set(err, DID_ERR_JSON_UTF8,
                               "lone surrogate escape at line %d, column %d (byte offset %d)",
                               je->line, je->column, je->position);
        break;
    default:
        break;
    }
    return did_err_set(err, DID_ERR_JSON_SYNTAX,
                       "JSON syntax error at line %d, column %d (byte offset %d): %s", je->line,
                       je->column, je->position, je->text);
}

int did_json_parse(const void *in, size_t len, const did_json_limits *lim, json_t **out,
                   did_err *err)
{
    did_json_limits def = did_json_limits_default();
    json_error_t je;
    json_t *root = NULL;
    num_scanner sc = {in, len, 0};
    walk_ctx cx = {NULL, NULL, err};
    int rc;

    if (out == NULL || (in == NULL && len > 0))
        return did_err_set(err, DID_ERR_ARG, "did_json_parse: NULL argument");
    *out = NULL;
    if (lim == NULL)
        lim = &def;
    cx.lim = lim;

    if (len > lim->max_bytes)
        return did_err_set(err, DID_ERR_JSON_SIZE, "document of %zu bytes exceeds max_bytes %zu",
                           len, lim->max_bytes);
    if ((rc = depth_prescan(in, len, lim->max_depth, err)) != DID_OK)
        return rc;

    /* jansson wants a non-NULL buffer even for an empty document. */
    const char *text = len > 0 ? (const char *)in : "";
    const size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    root = json_loadb(text, len, flags, &je);
    if (root == NULL && json_error_code(&je) == json_error_numeric_overflow) {
        /* An integer beyond int64 (or a real beyond double): I-JSON reads big integers as
         * doubles, so parse again with every integer as a real and restore the small ones.
         * A real that still overflows is a genuine DID_ERR_JSON_NUMBER. */
        root = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, &je);
        if (root != NULL) {
            cx.sc = &sc;
            if (json_is_real(root)) {
                json_t *repl = NULL;
                if ((rc = integer_for_real(&sc, &repl)) != DID_OK) {
                    did_err_set(err, rc, "re-reading number literal failed");
                    goto out;
                }
                if (repl != NULL) {
                    json_decref(root);
                    root = repl;
                }
            }
        }
    }
    if (root == NULL) {
        rc = map_jansson_error(&je, err);
        goto out;
    }
    if ((rc = walk(&cx, root)) != DID_OK)
        goto out;

    *out = root;
    root = NULL;
    rc = DID_OK;
out:
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------------------------------- */

static int get_member(const json_t *obj, const char *name, int required, json_t **v, did_err *err)
{
    *v = NULL;
    if (name == NULL)
        return did_err_set(err, DID_ERR_ARG, "member name is NULL");
    if (!json_is_object(obj))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "looking up member \"%s\" in something that is not an object", name);
    *v = json_object_get(obj, name);
    if (*v == NULL && required)
        return did_err_set(err, DID_ERR_JSON_TYPE, "missing required member \"%s\"", name);
    return DID_OK;
}

int did_json_get_str(const json_t *obj, const char *name, int required, const char **s,
                     size_t *len, did_err *err)
{
    json_t *v = NULL;
    int rc;

    if (s == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_json_get_str: NULL output");
    *s = NULL;
    if (len != NULL)
        *len = 0;
    if ((rc = get_member(obj, name, required, &v, err)) != DID_OK || v == NULL)
        return rc;
    if (!json_is_string(v))
        return did_err_set(err, DID_ERR_JSON_TYPE, "member \"%s\" must be a string", name);
    *s = json_string_value(v);
    if (len != NULL)
        *len = json_string_length(v);
    return DID_OK;
}

int did_json_get_int(const json_t *obj, const char *name, int required, int64_t *v, int *present,
                     did_err *err)
{
    json_t *m = NULL;
    int rc;

    if (v == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_json_get_int: NULL output");
    *v = 0;
    if (present != NULL)
        *present = 0;
    if ((rc = get_member(obj, name, required, &m, err)) != DID_OK || m == NULL)
        return rc;
    if (json_is_integer(m)) {
        *v = (int64_t)json_integer_value(m);
    } else if (json_is_real(m)) {
        double d = json_real_value(m);
        /* 2^63 is exact as a double; the int64 range is [-2^63, 2^63). Inside it the cast is
         * defined, and casting back tells whether there was a fraction (no libm needed). */
        if (!isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0 ||
            (double)(int64_t)d != d)
            return did_err_set(err, DID_ERR_JSON_TYPE,
                               "member \"%s\" must be an integer that fits in 64 bits", name);
        *v = (int64_t)d;
    } else {
        return did_err_set(err, DID_ERR_JSON_TYPE, "member \"%s\" must be an integer", name);
    }
    if (present != NULL)
        *present = 1;
    return DID_OK;
}

int did_json_get_obj(const json_t *obj, const char *name, int required, const json_t **v,
                     did_err *err)
{
    json_t *m = NULL;
    int rc;

    if (v == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_json_get_obj: NULL output");
    *v = NULL;
    if ((rc = get_member(obj, name, required, &m, err)) != DID_OK || m == NULL)
        return rc;
    if (!json_is_object(m))
        return did_err_set(err, DID_ERR_JSON_TYPE, "member \"%s\" must be an object", name);
    *v = m;
    return DID_OK;
}

int did_json_get_arr(const json_t *obj, const char *name, int required, const json_t **v,
                     did_err *err)
{
    json_t *m = NULL;
    int rc;

    if (v == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_json_get_arr: NULL output");
    *v = NULL;
    if ((rc = get_member(obj, name, required, &m, err)) != DID_OK || m == NULL)
        return rc;
    if (!json_is_array(m))
        return did_err_set(err, DID_ERR_JSON_TYPE, "member \"%s\" must be an array", name);
    *v = m;
    return DID_OK;
}

int did_json_get_int_range(const json_t *obj, const char *name, int64_t lo, int64_t hi,
                           int64_t *v, int *present, did_err *err)
{
    int rc = did_json_get_int(obj, name, 0, v, present, err);
    if (rc != DID_OK)
        return rc;
    if (*present && (*v < lo || *v > hi))
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"%s\" must be %lld..%lld", name,
                           (long long)lo, (long long)hi);
    return DID_OK;
}

int did_json_get_bool(const json_t *obj, const char *name, int *v, did_err *err)
{
    const json_t *m = json_object_get(obj, name);
    if (m == NULL)
        return DID_OK;
    if (!json_is_boolean(m))
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"%s\" must be true or false", name);
    *v = json_is_true(m);
    return DID_OK;
}

int did_json_get_text(const json_t *obj, const char *name, char *out, size_t cap,
                      int allow_empty, const char **val, did_err *err)
{
    const char *s;
    size_t len;
    int rc = did_json_get_str(obj, name, 0, &s, &len, err);
    if (rc != DID_OK || s == NULL)
        return rc;
    if (len >= cap || (!allow_empty && len == 0) || memchr(s, '\0', len) != NULL)
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"%s\" must be %sa string of under %zu bytes",
                           name, allow_empty ? "" : "a non-empty ", cap);
    if (out != NULL)
        memcpy(out, s, len + 1);
    if (val != NULL)
        *val = s;
    return DID_OK;
}
