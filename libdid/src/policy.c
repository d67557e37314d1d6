/*
 * policy.c -- the UCAN 1.0 policy language (did/policy.h): syntax check and evaluator.
 *
 * Both passes walk the JSON tree recursively; recursion is bounded by DID_POLICY_MAX_DEPTH
 * (checked before evaluating), the work by DID_POLICY_MAX_STEPS (quantifiers multiply).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/policy.h>

/* Results of evaluating a statement. */
#define POL_FALSE 0
#define POL_TRUE 1
#define POL_UNRESOLVED 2 /* a non-optional selector did not resolve: fails the evaluation */

typedef enum { SEG_FIELD, SEG_INDEX, SEG_SLICE } seg_kind;

typedef struct seg {
    seg_kind kind;
    const char *name; /* SEG_FIELD: points into the selector */
    size_t name_len;
    int64_t index;        /* SEG_INDEX */
    int has_from, has_to; /* SEG_SLICE */
    int64_t from, to;
    int optional;
} seg;

typedef struct selector {
    size_t n;
    seg segs[DID_POLICY_MAX_SEGMENTS];
} selector;

typedef struct eval_ctx {
    size_t steps;
    did_err *err;
    int rc; /* first hard error (limit, memory) */
} eval_ctx;

static int is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Parses an optionally signed decimal integer of at most 18 digits at s[*pos]. */
static int parse_int(const char *s, size_t len, size_t *pos, int64_t *out)
{
    size_t p = *pos, digits = 0;
    int neg = 0;
    int64_t v = 0;

    if (p < len && s[p] == '-') {
        neg = 1;
        p++;
    }
    while (p < len && s[p] >= '0' && s[p] <= '9') {
        if (++digits > 18)
            return -1;
        v = v * 10 + (s[p] - '0');
        p++;
    }
    if (digits == 0)
        return -1;
    /* one spelling per number: no leading zeros, no "-0" */
    if (digits > 1 && s[*pos + (size_t)neg] == '0')
        return -1;
    if (neg && v == 0)
        return -1;
    *out = neg ? -v : v;
    *pos = p;
    return 0;
}

static int sel_fail(did_err *err, const char *s, size_t len, size_t at, const char *what)
{
    (void)s;
    return did_err_set(err, DID_ERR_POLICY_SYNTAX, "selector (%zu bytes): %s at offset %zu", len,
                       what, at);
}

/* selector = "." | ( "." ident | "."? "[" inner "]" ) ( "?" )? ... */
static int parse_selector(const char *s, size_t len, selector *out, did_err *err)
{
    size_t p = 1;
    int after_dot = 1;

    out->n = 0;
    if (len > DID_POLICY_MAX_SELECTOR)
        return did_err_set(err, DID_ERR_LIMIT, "selector of %zu bytes is over the limit of %d", len,
                           DID_POLICY_MAX_SELECTOR);
    if (len == 0 || s[0] != '.')
        return sel_fail(err, s, len, 0, "a selector starts with '.'");
    if (len == 1)
        return DID_OK;
    while (p < len) {
        char c = s[p];
        seg *g;

        if (c == '?') {
            if (after_dot || out->n == 0 || out->segs[out->n - 1].optional)
                return sel_fail(err, s, len, p, "'?' must follow a segment");
            out->segs[out->n - 1].optional = 1;
            p++;
            continue;
        }
        if (c == '.') {
            if (after_dot)
                return sel_fail(err, s, len, p, "empty segment");
            after_dot = 1;
            p++;
            continue;
        }
        if (out->n == DID_POLICY_MAX_SEGMENTS)
            return did_err_set(err, DID_ERR_LIMIT, "selector has more than %d segments",
                               DID_POLICY_MAX_SEGMENTS);
        g = &out->segs[out->n];
        memset(g, 0, sizeof(*g));
        if (after_dot && is_ident_start(c)) {
            size_t start = p;
            while (p < len && is_ident(s[p]))
                p++;
            g->kind = SEG_FIELD;
            g->name = s + start;
            g->name_len = p - start;
        } else if (c == '[') {
            p++;
            if (p < len && s[p] == '"') {
                size_t start = ++p;
                while (p < len && s[p] != '"') {
                    if (s[p] == '\\' || (unsigned char)s[p] < 0x20)
                        return sel_fail(err, s, len, p, "escapes are not supported in a key");
                    p++;
                }
                if (p >= len)
                    return sel_fail(err, s, len, p, "unterminated key");
                g->kind = SEG_FIELD;
                g->name = s + start;
                g->name_len = p - start;
                p++;
            } else {
                int64_t v;
                g->kind = SEG_INDEX;
                if (p < len && s[p] != ':') {
                    if (parse_int(s, len, &p, &v) != 0)
                        return sel_fail(err, s, len, p, "bad index");
                    g->index = v;
                    g->from = v;
                    g->has_from = 1;
                }
                if (p < len && s[p] == ':') {
                    g->kind = SEG_SLICE;
                    p++;
                    if (p < len && s[p] != ']') {
                        if (parse_int(s, len, &p, &v) != 0)
                            return sel_fail(err, s, len, p, "bad slice end");
                        g->to = v;
                        g->has_to = 1;
                    }
                } else if (!g->has_from) {
                    return sel_fail(err, s, len, p, "\"[]\" iterators are not supported");
                }
            }
            if (p >= len || s[p] != ']')
                return sel_fail(err, s, len, p, "expected ']'");
            p++;
        } else {
            return sel_fail(err, s, len, p, "unexpected character");
        }
        out->n++;
        after_dot = 0;
    }
    if (after_dot)
        return sel_fail(err, s, len, p, "trailing '.'");
    return DID_OK;
}

/* Checks a like pattern: escapes are "\*" and "\\" only. */
static int check_pattern(const char *p, size_t n, did_err *err)
{
    if (n > DID_POLICY_MAX_PATTERN)
        return did_err_set(err, DID_ERR_LIMIT, "like pattern of %zu bytes is over the limit of %d",
                           n, DID_POLICY_MAX_PATTERN);
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\')
            continue;
        if (i + 1 >= n || (p[i + 1] != '*' && p[i + 1] != '\\'))
            return did_err_set(err, DID_ERR_POLICY_SYNTAX,
                               "like pattern: '\\' at offset %zu escapes neither '*' nor '\\'", i);
        i++;
    }
    return DID_OK;
}

/* Glob match with backtracking over the last star: O(len(s) * len(p)). */
static int glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < pn) {
            char want = p[pi];
            size_t adv = 1;
            if (want == '\\' && pi + 1 < pn) {
                want = p[pi + 1];
                adv = 2;
            }
            if (want == s[si]) {
                pi += adv;
                si++;
                continue;
            }
        }
        if (star_p == SIZE_MAX)
            return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

/* ------------------------------------------------------------------------------------------- */

static const char *const ops[] = {
    "==", "!=", "<", "<=", ">", ">=", "like", "not", "and", "or", "all", "any"};

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_LIKE, OP_NOT, OP_AND, OP_OR, OP_ALL, OP_ANY };

static int find_op(const json_t *v)
{
    if (!json_is_string(v))
        return -1;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strlen(ops[i]) == json_string_length(v) &&
            memcmp(ops[i], json_string_value(v), json_string_length(v)) == 0)
            return (int)i;
    return -1;
}

static int check_stmt(const json_t *st, size_t depth, size_t *nodes, const char *path,
                      did_err *err);

static int check_sel(const json_t *v, const char *path, did_err *err)
{
    selector sel;
    int rc;

    if (!json_is_string(v))
        return did_err_set(err, DID_ERR_POLICY_SYNTAX, "policy %s: selector is not a string", path);
    rc = parse_selector(json_string_value(v), json_string_length(v), &sel, err);
    if (rc != DID_OK)
        did_err_prefix(err, path);
    return rc;
}

static int check_stmt(const json_t *st, size_t depth, size_t *nodes, const char *path, did_err *err)
{
    char sub[96];
    int op;
    size_t n;
    int rc;

    if (depth > DID_POLICY_MAX_DEPTH)
        return did_err_set(err, DID_ERR_LIMIT, "policy %s: statements nested deeper than %d", path,
                           DID_POLICY_MAX_DEPTH);
    if (++*nodes > DID_POLICY_MAX_NODES)
        return did_err_set(err, DID_ERR_LIMIT, "policy has more than %d statements",
                           DID_POLICY_MAX_NODES);
    if (!json_is_array(st) || json_array_size(st) == 0)
        return did_err_set(err, DID_ERR_POLICY_SYNTAX,
                           "policy %s: a statement is a non-empty "
                           "array",
                           path);
    op = find_op(json_array_get(st, 0));
    if (op < 0)
        return did_err_set(err, DID_ERR_POLICY_SYNTAX, "policy %s: unknown operator", path);
    n = json_array_size(st);
    switch (op) {
    case OP_EQ:
    case OP_NE:
        if (n != 3)
            break;
        return check_sel(json_array_get(st, 1), path, err);
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        if (n != 3)
            break;
        if (!json_is_number(json_array_get(st, 2)))
            return did_err_set(err, DID_ERR_POLICY_SYNTAX,
                               "policy %s: \"%s\" compares with a number", path, ops[op]);
        return check_sel(json_array_get(st, 1), path, err);
    case OP_LIKE:
        if (n != 3)
            break;
        if (!json_is_string(json_array_get(st, 2)))
            return did_err_set(err, DID_ERR_POLICY_SYNTAX,
                               "policy %s: \"like\" needs a string pattern", path);
        if ((rc = check_pattern(json_string_value(json_array_get(st, 2)),
                                json_string_length(json_array_get(st, 2)), err)) != DID_OK) {
            did_err_prefix(err, path);
            return rc;
        }
        return check_sel(json_array_get(st, 1), path, err);
    case OP_NOT:
        if (n != 2)
            break;
        snprintf(sub, sizeof(sub), "%.80s.1", path);
        return check_stmt(json_array_get(st, 1), depth + 1, nodes, sub, err);
    case OP_AND:
    case OP_OR: {
        const json_t *list = json_array_get(st, 1);
        if (n != 2)
            break;
        if (!json_is_array(list))
            return did_err_set(err, DID_ERR_POLICY_SYNTAX,
                               "policy %s: \"%s\" takes an array of statements", path, ops[op]);
        for (size_t i = 0; i < json_array_size(list); i++) {
            snprintf(sub, sizeof(sub), "%.70s.1.%zu", path, i);
            if ((rc = check_stmt(json_array_get(list, i), depth + 1, nodes, sub, err)) != DID_OK)
                return rc;
        }
        return DID_OK;
    }
    case OP_ALL:
    case OP_ANY:
        if (n != 3)
            break;
        if ((rc = check_sel(json_array_get(st, 1), path, err)) != DID_OK)
            return rc;
        snprintf(sub, sizeof(sub), "%.80s.2", path);
        return check_stmt(json_array_get(st, 2), depth + 1, nodes, sub, err);
    default:
        break;
    }
    return did_err_set(err, DID_ERR_POLICY_SYNTAX, "policy %s: \"%s\" with %zu operands", path,
                       ops[op], n - 1);
}

int did_policy_check(const json_t *policy, did_err *err)
{
    size_t nodes = 0;
    char path[32];
    int rc;

    if (!json_is_array(policy))
        return did_err_set(err, DID_ERR_POLICY_SYNTAX, "a policy is an array of statements");
    for (size_t i = 0; i < json_array_size(policy); i++) {
        snprintf(path, sizeof(path), "statement %zu", i);
        if ((rc = check_stmt(json_array_get(policy, i), 1, &nodes, path, err)) != DID_OK)
            return rc;
    }
    return DID_OK;
}

int did_policy_parse(const void *text, size_t len, json_t **out, did_err *err)
{
    did_json_limits lim = {DID_POLICY_MAX_TEXT, 2 * DID_POLICY_MAX_DEPTH + 8, DID_POLICY_MAX_TEXT,
                           4096};
    json_t *v = NULL;
    int rc;

    if (out == NULL || (text == NULL && len != 0))
        return did_err_set(err, DID_ERR_ARG, "did_policy_parse: NULL argument");
    *out = NULL;
    if (len > DID_POLICY_MAX_TEXT)
        return did_err_set(err, DID_ERR_LIMIT, "policy text of %zu bytes is over the limit of %d",
                           len, DID_POLICY_MAX_TEXT);
    if ((rc = did_json_parse(text, len, &lim, &v, err)) != DID_OK)
        return rc;
    if ((rc = did_policy_check(v, err)) != DID_OK) {
        json_decref(v);
        return rc;
    }
    *out = v;
    return DID_OK;
}

/* ------------------------------------------------------------------------------------------- */

/* Numbers compare by value: two integers exactly, otherwise as doubles. */
static int num_cmp(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = json_number_value(a), y = json_number_value(b);
    return x < y ? -1 : x > y ? 1 : 0;
}

static int deep_equal(const json_t *a, const json_t *b, size_t depth)
{
    if (depth > 128)
        return 0;
    if (json_is_number(a) && json_is_number(b))
        return num_cmp(a, b) == 0;
    if (json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *va;
        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_foreach((json_t *)a, k, va)
        {
            const json_t *vb = json_object_get(b, k);
            if (vb == NULL || !deep_equal(va, vb, depth + 1))
                return 0;
        }
        return 1;
    }
    case JSON_ARRAY:
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!deep_equal(json_array_get(a, i), json_array_get(b, i), depth + 1))
                return 0;
        return 1;
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    default: /* true, false, null */
        return 1;
    }
}

/* Resolves sel on v. *out is a new reference (json_null() for an optional miss). Returns
 * POL_TRUE when resolved, POL_UNRESOLVED otherwise, or -1 with ctx->rc set. */
static int resolve(eval_ctx *cx, const selector *sel, json_t *v, json_t **out)
{
    json_t *cur = json_incref(v);

    for (size_t i = 0; i < sel->n; i++) {
        const seg *g = &sel->segs[i];
        json_t *next = NULL;

        if (g->kind == SEG_FIELD) {
            if (json_is_object(cur))
                next = json_incref(json_object_getn(cur, g->name, g->name_len));
        } else if (json_is_array(cur)) {
            int64_t n = (int64_t)json_array_size(cur);
            if (g->kind == SEG_INDEX) {
                int64_t idx = g->index < 0 ? n + g->index : g->index;
                if (idx >= 0 && idx < n)
                    next = json_incref(json_array_get(cur, (size_t)idx));
            } else {
                int64_t from = g->has_from ? g->from : 0, to = g->has_to ? g->to : n;
                if (from < 0)
                    from = from + n < 0 ? 0 : from + n;
                if (to < 0)
                    to = to + n < 0 ? 0 : to + n;
                if (from > n)
                    from = n;
                if (to > n)
                    to = n;
                next = json_array();
                if (next == NULL) {
                    json_decref(cur);
                    cx->rc = did_err_set(cx->err, DID_ERR_NOMEM, "policy: out of memory");
                    return -1;
                }
                for (int64_t k = from; k < to; k++)
                    if (json_array_append(next, json_array_get(cur, (size_t)k)) != 0) {
                        json_decref(next);
                        json_decref(cur);
                        cx->rc = did_err_set(cx->err, DID_ERR_NOMEM, "policy: out of memory");
                        return -1;
                    }
            }
        }
        json_decref(cur);
        if (next == NULL) {
            if (!g->optional)
                return POL_UNRESOLVED;
            *out = json_null();
            return POL_TRUE;
        }
        cur = next;
    }
    *out = cur;
    return POL_TRUE;
}

static int eval_stmt(eval_ctx *cx, const json_t *st, json_t *args);

static int step(eval_ctx *cx)
{
    if (++cx->steps > DID_POLICY_MAX_STEPS) {
        cx->rc = did_err_set(cx->err, DID_ERR_LIMIT, "policy evaluation took more than %d steps",
                             DID_POLICY_MAX_STEPS);
        return -1;
    }
    return 0;
}

static int eval_quant(eval_ctx *cx, int op, json_t *coll, const json_t *body)
{
    int r;

    if (json_is_array(coll)) {
        for (size_t i = 0; i < json_array_size(coll); i++) {
            r = eval_stmt(cx, body, json_array_get(coll, i));
            if (r < 0 || r == POL_UNRESOLVED)
                return r;
            if (op == OP_ALL && r == POL_FALSE)
                return POL_FALSE;
            if (op == OP_ANY && r == POL_TRUE)
                return POL_TRUE;
        }
    } else if (json_is_object(coll)) {
        const char *k;
        json_t *v;
        json_object_foreach(coll, k, v)
        {
            r = eval_stmt(cx, body, v);
            if (r < 0 || r == POL_UNRESOLVED)
                return r;
            if (op == OP_ALL && r == POL_FALSE)
                return POL_FALSE;
            if (op == OP_ANY && r == POL_TRUE)
                return POL_TRUE;
        }
    } else {
        return POL_FALSE; /* not a collection: a type mismatch */
    }
    return op == OP_ALL ? POL_TRUE : POL_FALSE;
}

static int eval_stmt(eval_ctx *cx, const json_t *st, json_t *args)
{
    int op = find_op(json_array_get(st, 0));
    json_t *val = NULL;
    selector sel;
    int r;

    if (step(cx) != 0)
        return -1;
    switch (op) {
    case OP_NOT:
        r = eval_stmt(cx, json_array_get(st, 1), args);
        if (r == POL_TRUE || r == POL_FALSE)
            r = r == POL_TRUE ? POL_FALSE : POL_TRUE;
        return r;
    case OP_AND:
    case OP_OR: {
        const json_t *list = json_array_get(st, 1);
        for (size_t i = 0; i < json_array_size(list); i++) {
            r = eval_stmt(cx, json_array_get(list, i), args);
            if (r < 0 || r == POL_UNRESOLVED)
                return r;
            if (op == OP_AND && r == POL_FALSE)
                return POL_FALSE;
            if (op == OP_OR && r == POL_TRUE)
                return POL_TRUE;
        }
        /* UCAN: an empty "or" holds, like an empty "and" */
        return op == OP_AND || json_array_size(list) == 0 ? POL_TRUE : POL_FALSE;
    }
    default:
        break;
    }
    /* Checked syntax: the selector parses. */
    if (parse_selector(json_string_value(json_array_get(st, 1)),
                       json_string_length(json_array_get(st, 1)), &sel, cx->err) != DID_OK) {
        cx->rc = DID_ERR_POLICY_SYNTAX;
        return -1;
    }
    r = resolve(cx, &sel, args, &val);
    if (r != POL_TRUE)
        return r;
    switch (op) {
    case OP_EQ:
        r = deep_equal(val, json_array_get(st, 2), 0) ? POL_TRUE : POL_FALSE;
        break;
    case OP_NE:
        r = deep_equal(val, json_array_get(st, 2), 0) ? POL_FALSE : POL_TRUE;
        break;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        if (!json_is_number(val)) {
            r = POL_FALSE;
            break;
        } else {
            int c = num_cmp(val, json_array_get(st, 2));
            int ok = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
            r = ok ? POL_TRUE : POL_FALSE;
        }
        break;
    case OP_LIKE: {
        const json_t *pat = json_array_get(st, 2);
        r = json_is_string(val) && glob_match(json_string_value(pat), json_string_length(pat),
                                              json_string_value(val), json_string_length(val))
                ? POL_TRUE
                : POL_FALSE;
        break;
    }
    case OP_ALL:
    case OP_ANY:
        r = eval_quant(cx, op, val, json_array_get(st, 2));
        break;
    default:
        r = POL_FALSE;
        break;
    }
    json_decref(val);
    return r;
}

int did_policy_eval(const json_t *policy, const json_t *args, int *match, size_t *failed,
                    did_err *err)
{
    eval_ctx cx = {0, err, DID_OK};
    int rc;

    if (match == NULL || args == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_policy_eval: NULL argument");
    *match = 0;
    if ((rc = did_policy_check(policy, err)) != DID_OK)
        return rc;
    for (size_t i = 0; i < json_array_size(policy); i++) {
        int r = eval_stmt(&cx, json_array_get(policy, i), (json_t *)args);
        if (r < 0)
            return cx.rc;
        if (r != POL_TRUE) {
            if (failed != NULL)
                *failed = i;
            return DID_OK;
        }
    }
    *match = 1;
    return DID_OK;
}
