/*
 * did_web.c -- did:web: the DID -> URL mapping (W3C CCG did:web, "Read (Resolve)") and the
 * resolver on top of did_fetch.
 *
 * The mapping is stricter than the method specification's prose ("replace ':' with '/'"): it
 * refuses what would make the URL mean something else than the DID seems to say -- IP
 * literals (forbidden by the specification), user info, dot segments, escaped slashes -- so
 * that two different DIDs never share a document URL through normalisation on the way.
 */
#include <string.h>

#include <did/web.h>

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the escape "%XY" at s[i] of s[0..n). did_parse has checked every escape already;
 * checking again costs nothing and keeps this function safe on its own. */
static int pct_at(const char *s, size_t n, size_t i, unsigned char *out)
{
    if (i + 3 > n)
        return 0;
    int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
    if (hi < 0 || lo < 0)
        return 0;
    *out = (unsigned char)(hi * 16 + lo);
    return 1;
}

/* Host name: labels of [A-Za-z0-9-], 1..63 bytes, no '-' at either end, the last label
 * starting with a letter. h is relative to the DID at offset off (for messages). */
static int host_check(const char *h, size_t n, size_t off, did_err *err)
{
    size_t label_start = 0;

    if (n == 0)
        return did_err_set(err, DID_ERR_DID_INVALID, "did:web: empty host at offset %zu", off);
    if (n > DID_WEB_HOST_MAX)
        return did_err_set(err, DID_ERR_DID_INVALID,
                           "did:web: host longer than %d bytes (DID_WEB_HOST_MAX)",
                           DID_WEB_HOST_MAX);
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.') {
            char c = h[i];
            if (!(is_alpha(c) || is_digit(c) || c == '-'))
                return did_err_set(err, DID_ERR_DID_INVALID,
                                   "did:web: at offset %zu: a host name has only letters, digits,"
                                   " '-' and '.'",
                                   off + i);
            continue;
        }
        size_t ll = i - label_start;
        if (ll == 0)
            return did_err_set(err, DID_ERR_DID_INVALID,
                               "did:web: at offset %zu: empty host name label", off + i);
        if (ll > DID_WEB_LABEL_MAX)
            return did_err_set(err, DID_ERR_DID_INVALID,
                               "did:web: at offset %zu: host name label longer than %d bytes",
                               off + label_start, DID_WEB_LABEL_MAX);
        if (h[label_start] == '-' || h[i - 1] == '-')
            return did_err_set(err, DID_ERR_DID_INVALID,
                               "did:web: at offset %zu: host name label starts or ends with '-'",
                               off + label_start);
        if (i == n && !is_alpha(h[label_start]))
            return did_err_set(err, DID_ERR_DID_INVALID,
                               "did:web: at offset %zu: the last host name label must start with"
                               " a letter (IP addresses are not allowed)",
                               off + label_start);
        label_start = i + 1;
    }
    return DID_OK;
}

/* Port after "%3A": 1-65535, decimal, no leading zero. */
static int port_check(const char *p, size_t n, size_t off, did_err *err)
{
    unsigned v = 0;
    if (n == 0 || n > 5 || p[0] == '0')
        return did_err_set(err, DID_ERR_DID_INVALID,
                           "did:web: at offset %zu: port must be 1-65535 without leading zeros",
                           off);
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return did_err_set(err, DID_ERR_DID_INVALID,
                               "did:web: at offset %zu: port must be decimal digits", off + i);
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > 65535)
        return did_err_set(err, DID_ERR_DID_INVALID, "did:web: at offset %zu: port above 65535",
                           off);
    return DID_OK;
}

/* One path segment s[0..n): non-empty, not a dot segment, escapes printable ASCII other than
 * '/', '\\', '?', '#'. */
static int segment_check(const char *s, size_t n, size_t off, did_err *err)
{
    size_t dots = 0, chars = 0;

    if (n == 0)
        return did_err_set(err, DID_ERR_DID_INVALID, "did:web: at offset %zu: empty path segment",
                           off);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (!pct_at(s, n, i, &c))
                return did_err_set(err, DID_ERR_DID_INVALID,
                                   "did:web: at offset %zu: bad percent-escape", off + i);
            if (c < 0x21 || c > 0x7e || c == '/' || c == '\\' || c == '?' || c == '#')
                return did_err_set(err, DID_ERR_DID_INVALID,
                                   "did:web: at offset %zu: percent-escape of a byte not allowed"
                                   " in a path segment (0x%02x)",
                                   off + i, c);
            i += 2;
        } else if (!(is_alpha((char)c) || is_digit((char)c) || c == '.' || c == '-' || c == '_')) {
            return did_err_set(err, DID_ERR_DID_INVALID,
                               "did:web: at offset %zu: byte not allowed in a path segment",
                               off + i);
        }
        chars++;
        if (c == '.')
            dots++;
    }
    if (dots == chars && chars <= 2)
        return did_err_set(err, DID_ERR_DID_INVALID,
                           "did:web: at offset %zu: \".\" and \"..\" path segments are not"
                           " allowed",
                           off);
    return DID_OK;
}

/* The mapping, from a parsed plain DID. */
static int web_url(const did_url *u, unsigned flags, did_buf *out, did_err *err)
{
    const char *s = u->str;
    const char *id = s + u->id_off;
    size_t n = u->id_len;
    size_t host_end, seg_end;
    size_t port_off = 0, port_len = 0;
    int has_port = 0, rc;
    did_buf b;

    if (u->method_len != 3 || memcmp(s + u->method_off, "web", 3) != 0)
        return did_err_set(err, DID_ERR_DID_METHOD, "did:web: not a did:web DID");

    /* The first segment: host [ "%3A" port ]. */
    seg_end = 0;
    while (seg_end < n && id[seg_end] != ':')
        seg_end++;
    host_end = 0;
    while (host_end < seg_end && id[host_end] != '%')
        host_end++;
    if (host_end < seg_end) {
        if (seg_end - host_end < 3 || id[host_end + 1] != '3' ||
            (id[host_end + 2] != 'A' && id[host_end + 2] != 'a'))
            return did_err_set(err, DID_ERR_DID_INVALID,
                               "did:web: at offset %zu: the only escape allowed in the host part"
                               " is %%3A before a port",
                               u->id_off + host_end);
        has_port = 1;
        port_off = host_end + 3;
        port_len = seg_end - port_off;
    }
    rc = host_check(id, host_end, u->id_off, err);
    if (rc != DID_OK)
        return rc;
    if (has_port) {
        rc = port_check(id + port_off, port_len, u->id_off + port_off, err);
        if (rc != DID_OK)
            return rc;
    }
    /* "did:web:host:.well-known" would share the URL of "did:web:host": refused, so that the
     * mapping stays one-to-one. */
    if (n - seg_end == 12 && memcmp(id + seg_end, ":.well-known", 12) == 0)
        return did_err_set(err, DID_ERR_DID_INVALID,
                           "did:web: at offset %zu: a path of only \".well-known\" is the URL of"
                           " the bare host's DID",
                           u->id_off + seg_end + 1);
    /* The path segments. */
    for (size_t i = seg_end; i < n;) {
        size_t start = i + 1, end = start;
        while (end < n && id[end] != ':')
            end++;
        rc = segment_check(id + start, end - start, u->id_off + start, err);
        if (rc != DID_OK)
            return rc;
        i = end;
    }

    int http = (flags & DID_WEB_URL_HTTP_LOCALHOST) != 0 && host_end == 9 &&
               strncmp(id, "localhost", 9) == 0;
    did_buf_init(&b);
    rc = did_buf_append_str(&b, http ? "http://" : "https://");
    if (rc == DID_OK)
        rc = did_buf_append(&b, id, host_end);
    if (rc == DID_OK && has_port) {
        rc = did_buf_putc(&b, ':');
        if (rc == DID_OK)
            rc = did_buf_append(&b, id + port_off, port_len);
    }
    if (rc == DID_OK && seg_end == n)
        rc = did_buf_append_str(&b, "/.well-known");
    for (size_t i = seg_end; rc == DID_OK && i < n;) {
        size_t start = i + 1, end = start;
        while (end < n && id[end] != ':')
            end++;
        rc = did_buf_putc(&b, '/');
        if (rc == DID_OK)
            rc = did_buf_append(&b, id + start, end - start);
        i = end;
    }
    if (rc == DID_OK)
        rc = did_buf_append_str(&b, "/did.json");
    if (rc != DID_OK) {
        did_buf_clear(&b);
        return did_err_set(err, rc, "did:web: building the URL failed");
    }
    if (b.len > DID_FETCH_URL_MAX) {
        did_buf_clear(&b);
        return did_err_set(err, DID_ERR_LIMIT,
                           "did:web: document URL longer than %d bytes (DID_FETCH_URL_MAX)",
                           DID_FETCH_URL_MAX);
    }
    rc = did_buf_append(out, b.data, b.len);
    did_buf_clear(&b);
    if (rc != DID_OK)
        return did_err_set(err, rc, "did:web: out of memory");
    return DID_OK;
}

int did_web_url(const char *did, size_t len, unsigned flags, did_buf *url, did_err *err)
{
    did_url u;
    int rc;

    if (did == NULL || url == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_web_url: NULL argument");
    rc = did_parse(did, len, &u, err);
    if (rc != DID_OK)
        return rc;
    return web_url(&u, flags, url, err);
}

static const char *const doc_types[] = {
    "application/did+json",
    "application/did+ld+json",
    "application/json",
    "application/ld+json",
    NULL,
};

int did_web_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc, did_err *err)
{
    did_fetcher *f = user;
    did_buf url;
    did_fetch_resp resp;
    const did_json_limits *lim;
    int rc;

    if (f == NULL || ctx == NULL || did == NULL || did->str == NULL || doc == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_web_resolve: NULL argument");
    *doc = NULL;
    lim = did_ctx_json_limits(ctx);
    did_buf_init(&url);
    did_fetch_resp_init(&resp);
    rc = web_url(did, did_fetcher_allows_http_loopback(f) ? DID_WEB_URL_HTTP_LOCALHOST : 0, &url,
                 err);
    if (rc != DID_OK)
        goto out;

    did_fetch_req req = {
        .url = (const char *)url.data,
        .accept = "application/did+json, application/json",
        .types = doc_types,
        .max_bytes = lim->max_bytes,
    };
    rc = did_fetch(f, &req, &resp, err);
    if (rc != DID_OK) {
        did_err_prefix(err, "did:web");
        goto out;
    }
    rc = did_json_parse(resp.body.data != NULL ? (const void *)resp.body.data : "", resp.body.len,
                        lim, doc, err);
    if (rc != DID_OK)
        did_err_prefix(err, "did:web: document");
out:
    did_fetch_resp_clear(&resp);
    did_buf_clear(&url);
    return rc;
}

int did_web_register(did_ctx *ctx, did_fetcher *f, did_err *err)
{
    if (ctx == NULL || f == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_web_register: NULL argument");
    return did_ctx_register_method(ctx, "web", did_web_resolve, f, err);
}
