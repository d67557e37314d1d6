/*
 * vc_url.c -- the strict "URL" test of the credential checks: an absolute URI per RFC 3986
 * (section 4.3, plus the fragment VCDM identifiers may carry), checked character by character
 * against the RFC's ABNF. Nothing is decoded or normalised.
 *
 *   URI       = scheme ":" hier-part [ "?" query ] [ "#" fragment ]
 *   hier-part = "//" authority path-abempty / path-absolute / path-rootless / path-empty
 *   authority = [ userinfo "@" ] host [ ":" port ]
 */
#include <string.h>

#include <did/vc.h>

static int is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static int is_unreserved(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int is_sub_delim(char c)
{
    return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* s[0..n) consists of unreserved, sub-delims, pct-encoded and the characters of `extra`. */
static int span_ok(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (n - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return 0;
            i += 2;
            continue;
        }
        if (is_unreserved(c) || is_sub_delim(c) || (c != '\0' && strchr(extra, c) != NULL))
            continue;
        return 0;
    }
    return 1;
}

/* IP-literal = "[" ( IPv6address / IPvFuture ) "]", without the brackets. The IPv6 grammar is
 * checked for its alphabet only (hex digits, ':' and a dotted IPv4 tail); IPvFuture fully. */
static int ip_literal_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == 'v' || s[0] == 'V') {
        /* "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) */
        size_t i = 1;
        while (i < n && is_hex(s[i]))
            i++;
        if (i == 1 || i >= n || s[i] != '.' || i + 1 == n)
            return 0;
        for (i++; i < n; i++)
            if (!is_unreserved(s[i]) && !is_sub_delim(s[i]) && s[i] != ':')
                return 0;
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_hex(s[i]) && s[i] != ':' && s[i] != '.')
            return 0;
    return memchr(s, ':', n) != NULL;
}

static int authority_ok(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    const char *host = s;
    size_t hn = n;

    if (at != NULL) {
        size_t un = (size_t)(at - s);
        if (!span_ok(s, un, ":"))
            return 0;
        host = at + 1;
        hn = n - un - 1;
    }
    if (hn > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', hn);
        size_t ln;
        if (close == NULL)
            return 0;
        ln = (size_t)(close - host) - 1;
        if (!ip_literal_ok(host + 1, ln))
            return 0;
        host = close + 1;
        hn -= ln + 2;
        if (hn == 0)
            return 1;
        if (host[0] != ':')
            return 0;
    } else {
        const char *colon = memchr(host, ':', hn);
        size_t rn = colon != NULL ? (size_t)(colon - host) : hn;
        /* reg-name may be empty ("file:///x"); '@' was split off above, a second one fails. */
        if (!span_ok(host, rn, ""))
            return 0;
        host += rn;
        hn -= rn;
        if (hn == 0)
            return 1;
    }
    /* ":" port, port = *DIGIT */
    for (size_t i = 1; i < hn; i++)
        if (!is_digit(host[i]))
            return 0;
    return 1;
}

int did_vc_is_url(const char *s, size_t len, size_t max_len)
{
    size_t i = 1;
    int in_fragment = 0;

    if (max_len == 0)
        max_len = DID_VC_MAX_URL_LEN;
    if (s == NULL || len == 0 || len > max_len || !is_alpha(s[0]))
        return 0;
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    while (i < len &&
           (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == len || s[i] != ':')
        return 0;
    i++;
    if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        size_t a = i + 2;
        i = a;
        while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
            i++;
        if (!authority_ok(s + a, i - a))
            return 0;
    }
    /* path, query and fragment: pchar / "/" / "?", one '#' at most. */
    for (; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return 0;
            i += 2;
            continue;
        }
        if (is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/' || c == '?')
            continue;
        if (c == '#' && !in_fragment) {
            in_fragment = 1;
            continue;
        }
        return 0;
    }
    return 1;
}
