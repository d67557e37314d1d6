/*
 * fuzz_did_url.c -- did_parse and did_url_parse (DID Core 1.0 sections 3.1-3.2).
 *
 * Invariants (abort on violation):
 *   - each parser agrees with a slow reference written independently from the ABNF (split at
 *     the first '#', then the first '?', then the first '/', then check each part);
 *   - on success every offset/length is in bounds, the parts tile the input exactly and the
 *     delimiters sit where the offsets say; on failure the code is the parser's syntax code,
 *     err agrees with it, the message is not empty and *out is zeroed;
 *   - did_parse succeeds exactly when did_url_parse succeeds with no path, query or fragment,
 *     and then both fill identical structs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- reference: character sets from RFC 3986 section 2 and DID Core section 3.1 ---- */

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_idchar(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_';
}

static int is_pchar(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && strchr("-._~!$&'()*+,;=:@", c) != NULL);
}

/* Every byte of s[a, b) is in the class (or ':' when colon) or starts a pct-encoded. */
static int ref_chars(const uint8_t *s, size_t a, size_t b, int (*ok)(unsigned char),
                     const char *extra)
{
    for (size_t i = a; i < b; i++) {
        if (s[i] == '%') {
            if (i + 2 >= b || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return 0;
            i += 2;
        } else if (!ok(s[i]) && (s[i] == 0 || strchr(extra, s[i]) == NULL)) {
            return 0;
        }
    }
    return 1;
}

static size_t find(const uint8_t *s, size_t a, size_t b, uint8_t c)
{
    for (size_t i = a; i < b; i++)
        if (s[i] == c)
            return i;
    return b;
}

/* Is s[0, n) a DID? */
static int ref_did(const uint8_t *s, size_t n)
{
    if (n < 4 || memcmp(s, "did:", 4) != 0)
        return 0;
    size_t colon = find(s, 4, n, ':');
    if (colon == 4 || colon == n)
        return 0;
    for (size_t i = 4; i < colon; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i])))
            return 0;
    if (colon + 1 == n || s[n - 1] == ':')
        return 0;
    return ref_chars(s, colon + 1, n, is_idchar, ":");
}

/* Is s[0, n) a DID URL? */
static int ref_url(const uint8_t *s, size_t n)
{
    size_t hash = find(s, 0, n, '#');
    size_t q = find(s, 0, hash, '?');
    size_t slash = find(s, 0, q, '/');
    if (!ref_did(s, slash))
        return 0;
    if (!ref_chars(s, slash, q, is_pchar, "/"))
        return 0;
    if (q < hash && !ref_chars(s, q + 1, hash, is_pchar, "/?"))
        return 0;
    if (hash < n && !ref_chars(s, hash + 1, n, is_pchar, "/?"))
        return 0;
    return 1;
}

/* ---- checks on the parsers' output ---- */

static void check_ok(const did_url *u, const uint8_t *s, size_t n)
{
    if (u->str != (const char *)s || u->len != n || n > DID_URL_MAX_LEN)
        abort();
    if (memcmp(s, "did:", 4) != 0 || u->method_off != 4 || u->method_len == 0)
        abort();
    if (u->id_off != u->method_off + u->method_len + 1 || s[u->id_off - 1] != ':')
        abort();
    for (size_t i = 0; i < u->method_len; i++)
        if (!((s[4 + i] >= 'a' && s[4 + i] <= 'z') || is_digit(s[4 + i])))
            abort();
    if (u->id_len == 0 || u->did_len != u->id_off + u->id_len || u->did_len > n)
        abort();
    if (s[u->did_len - 1] == ':')
        abort();
    /* The parts tile the input; absent parts are empty and sit where they would start. */
    if ((u->has_path != 0) != (u->path_len != 0) || u->path_off != u->did_len)
        abort();
    if (u->has_path && s[u->path_off] != '/')
        abort();
    size_t p = u->path_off + u->path_len;
    if (u->has_query) {
        if (p >= n || s[p] != '?' || u->query_off != p + 1)
            abort();
        p = u->query_off + u->query_len;
    } else if (u->query_off != p || u->query_len != 0) {
        abort();
    }
    if (u->has_fragment) {
        if (p >= n || s[p] != '#' || u->fragment_off != p + 1)
            abort();
        p = u->fragment_off + u->fragment_len;
    } else if (u->fragment_off != p || u->fragment_len != 0) {
        abort();
    }
    if (p != n)
        abort();
    /* Delimiters only where they delimit. */
    if (find(s, 0, u->did_len, '/') != u->did_len || find(s, 0, u->did_len, '?') != u->did_len ||
        find(s, 0, u->did_len, '#') != u->did_len)
        abort();
    size_t pe = u->path_off + u->path_len;
    if (find(s, u->path_off, pe, '?') != pe || find(s, u->path_off, pe, '#') != pe)
        abort();
    size_t qe = u->query_off + u->query_len;
    if (find(s, u->query_off, qe, '#') != qe)
        abort();
    if (find(s, u->fragment_off, n, '#') != n)
        abort();
}

static int same(const did_url *a, const did_url *b)
{
    return a->str == b->str && a->len == b->len && a->did_len == b->did_len &&
           a->method_off == b->method_off && a->method_len == b->method_len &&
           a->id_off == b->id_off && a->id_len == b->id_len && a->has_path == b->has_path &&
           a->has_query == b->has_query && a->has_fragment == b->has_fragment &&
           a->path_off == b->path_off && a->path_len == b->path_len &&
           a->query_off == b->query_off && a->query_len == b->query_len &&
           a->fragment_off == b->fragment_off && a->fragment_len == b->fragment_len;
}

static void check_fail(int rc, int want, const did_url *u, const did_err *err)
{
    static const did_url zero;
    if (rc != want || err->code != rc || err->msg[0] == '\0' ||
        memchr(err->msg, 0, sizeof err->msg) == NULL)
        abort();
    if (!same(u, &zero))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_url a, b;
    did_err ea, eb;

    /* Copy to an exact-size buffer so ASan catches any read past the end. */
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    const char *s = (const char *)buf;

    int ra = did_parse(s, size, &a, &ea);
    int rb = did_url_parse(s, size, &b, &eb);

    int want_did = size <= DID_URL_MAX_LEN && ref_did(buf, size);
    int want_url = size <= DID_URL_MAX_LEN && ref_url(buf, size);
    if ((ra == DID_OK) != want_did || (rb == DID_OK) != want_url)
        abort();

    if (rb == DID_OK)
        check_ok(&b, buf, size);
    else
        check_fail(rb, DID_ERR_DID_URL_SYNTAX, &b, &eb);

    if (ra == DID_OK) {
        check_ok(&a, buf, size);
        if (a.did_len != size || rb != DID_OK || b.has_path || b.has_query || b.has_fragment ||
            !same(&a, &b))
            abort();
    } else {
        check_fail(ra, DID_ERR_DID_SYNTAX, &a, &ea);
        if (rb == DID_OK && !b.has_path && !b.has_query && !b.has_fragment)
            abort();
    }
    free(buf);
    return 0;
}
