/* Route patterns, matching a request path against them, and Content-Type checks. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Characters allowed in a literal pattern segment: RFC 3986 pchar minus '%' escapes (a literal
 * is compared with the raw path, so it is written as it is sent). */
static int is_literal_char(char c)
{
    return is_name_char(c) || c == '.' || c == '~' || c == '!' || c == '$' || c == '&' ||
           c == '\'' || c == '(' || c == ')' || c == '+' || c == ',' || c == ';' || c == '=' ||
           c == ':' || c == '@';
}

int ch_route_parse(ch_route_entry *e, const ch_route *r, did_err *err)
{
    memset(e, 0, sizeof *e);
    if (r->method == NULL || r->method[0] == '\0' || r->pattern == NULL || r->handler == NULL)
        return did_err_set(err, DID_ERR_ARG, "route: method, pattern and handler are required");
    size_t mlen = strlen(r->method);
    if (mlen >= sizeof e->method)
        return did_err_set(err, DID_ERR_ARG, "route: method '%.20s' too long", r->method);
    for (size_t i = 0; i < mlen; i++)
        if (r->method[i] < 'A' || r->method[i] > 'Z')
            return did_err_set(err, DID_ERR_ARG, "route: method must be upper-case letters");
    size_t plen = strlen(r->pattern);
    if (plen >= sizeof e->pattern)
        return did_err_set(err, DID_ERR_LIMIT, "route: pattern longer than %d bytes",
                           CH_MAX_PATTERN - 1);
    if (plen == 0 || r->pattern[0] != '/')
        return did_err_set(err, DID_ERR_ARG, "route: pattern '%s' must start with '/'", r->pattern);
    if (r->media_types != NULL && strlen(r->media_types) >= sizeof e->media_types)
        return did_err_set(err, DID_ERR_LIMIT, "route: media types list too long");
    if ((r->flags & CH_ROUTE_BODY) && (r->media_types == NULL || r->media_types[0] == '\0'))
        return did_err_set(err, DID_ERR_ARG, "route %s: CH_ROUTE_BODY needs media_types",
                           r->pattern);
    if ((r->flags & CH_ROUTE_JSON) && (r->flags & CH_ROUTE_BODY))
        return did_err_set(err, DID_ERR_ARG, "route %s: CH_ROUTE_JSON or CH_ROUTE_BODY, not both",
                           r->pattern);
    const char *mname = r->metric_name != NULL ? r->metric_name : r->pattern;
    if (strlen(mname) >= sizeof e->metric_name)
        return did_err_set(err, DID_ERR_LIMIT, "route: metric name too long");
    memcpy(e->method, r->method, mlen + 1);
    memcpy(e->pattern, r->pattern, plen + 1);
    memcpy(e->metric_name, mname, strlen(mname) + 1);
    if (r->media_types != NULL)
        memcpy(e->media_types, r->media_types, strlen(r->media_types) + 1);
    e->flags = r->flags;
    e->handler = r->handler;
    e->user = r->user;

    /* Segments after the leading '/'. "/" alone is one empty segment. */
    int seen_rest = 0;
    size_t pos = 1;
    for (;;) {
        const char *slash = memchr(e->pattern + pos, '/', plen - pos);
        size_t end = slash != NULL ? (size_t)(slash - e->pattern) : plen;
        if (e->n_segments == CH_MAX_SEGMENTS)
            return did_err_set(err, DID_ERR_LIMIT, "route %s: more than %d segments", r->pattern,
                               CH_MAX_SEGMENTS);
        ch_segment *sg = &e->seg[e->n_segments++];
        const char *t = e->pattern + pos;
        size_t n = end - pos;
        if (n >= 2 && t[0] == '{' && t[n - 1] == '}') {
            size_t name_len = n - 2;
            uint8_t kind = 1;
            if (name_len > 0 && t[n - 2] == '*') {
                name_len--;
                kind = 2;
                if (seen_rest++)
                    return did_err_set(err, DID_ERR_ARG, "route %s: at most one {name*}",
                                       r->pattern);
            }
            if (name_len == 0)
                return did_err_set(err, DID_ERR_ARG, "route %s: empty parameter name", r->pattern);
            for (size_t i = 0; i < name_len; i++)
                if (!is_name_char(t[1 + i]))
                    return did_err_set(err, DID_ERR_ARG, "route %s: bad parameter name",
                                       r->pattern);
            if (e->n_params == CH_MAX_PARAMS)
                return did_err_set(err, DID_ERR_LIMIT, "route %s: more than %d parameters",
                                   r->pattern, CH_MAX_PARAMS);
            for (size_t i = 0; i + 1 < e->n_segments; i++)
                if (e->seg[i].param && e->seg[i].len == name_len &&
                    memcmp(e->pattern + e->seg[i].off, t + 1, name_len) == 0)
                    return did_err_set(err, DID_ERR_ARG, "route %s: parameter named twice",
                                       r->pattern);
            sg->off = (uint16_t)(pos + 1);
            sg->len = (uint16_t)name_len;
            sg->param = kind;
            e->n_params++;
        } else {
            for (size_t i = 0; i < n; i++)
                if (!is_literal_char(t[i]))
                    return did_err_set(err, DID_ERR_ARG,
                                       "route %s: character '%c' not allowed in a literal",
                                       r->pattern, t[i]);
            sg->off = (uint16_t)pos;
            sg->len = (uint16_t)n;
            sg->param = 0;
        }
        if (slash == NULL)
            break;
        pos = end + 1;
    }
    return DID_OK;
}

typedef struct path_segs {
    size_t n;
    size_t off[CH_MAX_SEGMENTS], len[CH_MAX_SEGMENTS];
} path_segs;

/* Splits a path (starting with '/') into segments; 0 when it has too many. */
static int split_path(const char *path, size_t plen, path_segs *ps)
{
    ps->n = 0;
    size_t pos = 1;
    for (;;) {
        if (ps->n == CH_MAX_SEGMENTS)
            return 0;
        const char *slash = memchr(path + pos, '/', plen - pos);
        size_t end = slash != NULL ? (size_t)(slash - path) : plen;
        ps->off[ps->n] = pos;
        ps->len[ps->n] = end - pos;
        ps->n++;
        if (slash == NULL)
            return 1;
        pos = end + 1;
    }
}

/* Matches one route; on success records the parameters in req. */
static int match_route(const ch_route_entry *e, ch_request *req, const path_segs *ps)
{
    size_t rest = SIZE_MAX; /* index of the {name*} segment, if any */
    for (size_t i = 0; i < e->n_segments; i++)
        if (e->seg[i].param == 2)
            rest = i;
    if (rest == SIZE_MAX ? ps->n != e->n_segments : ps->n < e->n_segments)
        return 0;
    /* Before the rest parameter, pattern and path segments pair up one to one; after it they
     * are aligned on the end, and the rest parameter takes what lies between. */
    size_t extra = ps->n - e->n_segments;
    size_t n_params = 0;
    ch_param params[CH_MAX_PARAMS];
    for (size_t i = 0; i < e->n_segments; i++) {
        const ch_segment *sg = &e->seg[i];
        size_t pi = rest != SIZE_MAX && i > rest ? i + extra : i;
        size_t off = ps->off[pi], vlen = ps->len[pi];
        if (sg->param == 0) {
            if (vlen != sg->len || memcmp(req->path + off, e->pattern + sg->off, vlen) != 0)
                return 0;
            continue;
        }
        if (sg->param == 2) /* one or more whole segments with the '/' between them */
            vlen = ps->off[pi + extra] + ps->len[pi + extra] - off;
        if (vlen == 0)
            return 0;
        /* A copy at the same offset: the NUL lands where the path has '/' or its end, so
         * parameters never overlap. */
        memcpy(req->param_buf + off, req->path + off, vlen);
        req->param_buf[off + vlen] = '\0';
        params[n_params].name = e->pattern + sg->off;
        params[n_params].name_len = sg->len;
        params[n_params].value = req->param_buf + off;
        n_params++;
    }
    memcpy(req->params, params, n_params * sizeof params[0]);
    req->n_params = n_params;
    return 1;
}

ch_route_entry *ch_route_match(ch_server *s, ch_request *req, char *allowed, size_t allowed_cap,
                               int *path_matched)
{
    path_segs ps;
    *path_matched = 0;
    if (allowed_cap > 0)
        allowed[0] = '\0';
    if (req->path_len == 0 || req->path[0] != '/' || !split_path(req->path, req->path_len, &ps))
        return NULL;
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    size_t used = 0;
    for (size_t i = 0; i < s->n_routes; i++) {
        ch_route_entry *e = &s->routes[i];
        if (!match_route(e, req, &ps))
            continue;
        if (strcmp(e->method, method) == 0)
            return e;
        *path_matched = 1;
        /* Collect the methods this path answers to, for the Allow header. */
        const char *m = e->method;
        size_t ml = strlen(m);
        if (used + ml + 3 < allowed_cap && strstr(allowed, m) == NULL) {
            if (used > 0) {
                memcpy(allowed + used, ", ", 2);
                used += 2;
            }
            memcpy(allowed + used, m, ml + 1);
            used += ml;
            if (strcmp(m, "GET") == 0 && used + 6 < allowed_cap) {
                memcpy(allowed + used, ", HEAD", 7);
                used += 6;
            }
        }
    }
    req->n_params = 0;
    return NULL;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

int ch_media_type_accepted(const char *content_type, const char *accepted)
{
    if (content_type == NULL || accepted == NULL)
        return 0;
    /* The media type is the part before ';', without surrounding whitespace. */
    const char *ct = content_type;
    while (is_ows(*ct))
        ct++;
    const char *semi = strchr(ct, ';');
    size_t ct_len = semi != NULL ? (size_t)(semi - ct) : strlen(ct);
    while (ct_len > 0 && is_ows(ct[ct_len - 1]))
        ct_len--;
    if (ct_len == 0)
        return 0;
    /* Parameters: a charset must be UTF-8 (JSON has no other, RFC 8259 section 8.1). */
    for (const char *p = semi; p != NULL; p = strchr(p + 1, ';')) {
        const char *q = p + 1;
        while (is_ows(*q))
            q++;
        if (strncasecmp(q, "charset", 7) == 0) {
            q += 7;
            while (is_ows(*q))
                q++;
            if (*q != '=')
                return 0;
            q++;
            while (is_ows(*q))
                q++;
            if (*q == '"')
                q++;
            if (strncasecmp(q, "utf-8", 5) != 0 ||
                (q[5] != '\0' && q[5] != ';' && q[5] != '"' && !is_ows(q[5])))
                return 0;
        }
    }
    const char *a = accepted;
    while (*a != '\0') {
        while (is_ows(*a) || *a == ',')
            a++;
        const char *end = strchr(a, ',');
        size_t n = end != NULL ? (size_t)(end - a) : strlen(a);
        size_t t = n;
        while (t > 0 && is_ows(a[t - 1]))
            t--;
        if (t > 0 && t == ct_len && strncasecmp(a, ct, ct_len) == 0)
            return 1;
        a += n;
    }
    return 0;
}
