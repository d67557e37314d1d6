/*
 * fuzz_did_web.c -- did_web_url, the did:web DID -> document URL mapping (no network).
 *
 * Invariants (abort on violation), for both flag values:
 *   - on failure: the code is one of DID_ERR_DID_SYNTAX, _DID_METHOD, _DID_INVALID,
 *     DID_ERR_LIMIT; err agrees with it and has a message; the output buffer is untouched;
 *   - on success the URL is NUL-terminated, at most DID_FETCH_URL_MAX bytes, "https://" (or
 *     "http://localhost" only with DID_WEB_URL_HTTP_LOCALHOST and a host of exactly
 *     "localhost"), then a host of [A-Za-z0-9.-] whose labels are 1-63 bytes, none starting or
 *     ending with '-', the last starting with a letter; an optional ":port" of 1-65535; a path
 *     ending "/did.json" with no empty, "." or ".." segment, no '@', '?', '#', '\\', no byte
 *     outside printable ASCII and no escaped '/';
 *   - the mapping inverts: rebuilding the DID from the URL (port -> "%3A", '/' -> ':', the
 *     "/.well-known" of a bare host dropped) gives back the input, up to the case of "%3A";
 *   - the result does not depend on the flag unless the host is "localhost" (then only the
 *     scheme differs), and the same input gives the same answer twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/web.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void check_host(const char *h, size_t n)
{
    size_t start = 0;
    if (n == 0 || n > DID_WEB_HOST_MAX)
        abort();
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.') {
            if (!(is_alpha(h[i]) || is_digit(h[i]) || h[i] == '-'))
                abort();
            continue;
        }
        size_t ll = i - start;
        if (ll == 0 || ll > DID_WEB_LABEL_MAX || h[start] == '-' || h[i - 1] == '-')
            abort();
        if (i == n && !is_alpha(h[start]))
            abort();
        start = i + 1;
    }
}

static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void check_segment(const char *s, size_t n)
{
    size_t dots = 0, chars = 0;
    if (n == 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 3 > n)
                abort();
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                abort();
            c = (char)(hi * 16 + lo);
            if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e || c == '/' || c == '\\' ||
                c == '?' || c == '#')
                abort();
            i += 2;
        } else if (!(is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_')) {
            abort();
        }
        chars++;
        if (c == '.')
            dots++;
    }
    if (dots == chars && chars <= 2)
        abort();
}

/* Checks url[0..len) and writes the DID it came from into back (NUL-terminated). */
static void check_url(const char *url, size_t len, unsigned flags, char *back, size_t back_cap)
{
    size_t p, host_start, host_end, path_start, bl = 0;
    int http = 0;

    if (len > DID_FETCH_URL_MAX || url[len] != '\0' || strlen(url) != len)
        abort();
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] < 0x21 || (unsigned char)url[i] > 0x7e || url[i] == '@' ||
            url[i] == '?' || url[i] == '#' || url[i] == '\\')
            abort();
    if (len >= 8 && memcmp(url, "https://", 8) == 0) {
        p = 8;
    } else if (len >= 7 && memcmp(url, "http://", 7) == 0) {
        http = 1;
        p = 7;
    } else {
        abort();
    }
    host_start = p;
    while (p < len && url[p] != ':' && url[p] != '/')
        p++;
    host_end = p;
    check_host(url + host_start, host_end - host_start);
    if (http && !((flags & DID_WEB_URL_HTTP_LOCALHOST) && host_end - host_start == 9 &&
                  memcmp(url + host_start, "localhost", 9) == 0))
        abort();
    if (!http && (flags & DID_WEB_URL_HTTP_LOCALHOST) && host_end - host_start == 9 &&
        memcmp(url + host_start, "localhost", 9) == 0)
        abort();

    bl = (size_t)snprintf(back, back_cap, "did:web:%.*s", (int)(host_end - host_start),
                          url + host_start);
    if (p < len && url[p] == ':') {
        size_t ps = ++p;
        unsigned v = 0;
        while (p < len && is_digit(url[p])) {
            v = v * 10 + (unsigned)(url[p] - '0');
            if (v > 65535)
                abort();
            p++;
        }
        if (p == ps || url[ps] == '0' || v == 0 || p - ps > 5)
            abort();
        bl += (size_t)snprintf(back + bl, back_cap - bl, "%%3A%.*s", (int)(p - ps), url + ps);
    }
    if (p >= len || url[p] != '/')
        abort();
    path_start = p;
    if (len - path_start < 9 || memcmp(url + len - 9, "/did.json", 9) != 0)
        abort();
    size_t path_end = len - 9; /* the segments are url[path_start, path_end) */
    if (path_end - path_start == 12 && memcmp(url + path_start, "/.well-known", 12) == 0) {
        /* bare host */
    } else {
        if (path_end == path_start)
            abort(); /* a bare host always gets /.well-known */
        for (size_t i = path_start; i < path_end;) {
            if (url[i] != '/')
                abort();
            size_t s = i + 1, e = s;
            while (e < path_end && url[e] != '/')
                e++;
            check_segment(url + s, e - s);
            if (e - s == 11 && memcmp(url + s, ".well-known", 11) == 0 && s == path_start + 1 &&
                e == path_end)
                abort(); /* would collide with the bare host */
            bl += (size_t)snprintf(back + bl, back_cap - bl, ":%.*s", (int)(e - s), url + s);
            i = e;
        }
    }
    if (bl >= back_cap)
        abort();
}

/* The input with the "%3a" of the first segment's port written "%3A". */
static void normalise_port_escape(char *s, size_t n)
{
    size_t i = 8; /* after "did:web:" */
    for (; i < n && s[i] != ':'; i++)
        if (s[i] == '%' && i + 2 < n && s[i + 1] == '3' && s[i + 2] == 'a')
            s[i + 2] = 'A';
}

static int run(const uint8_t *data, size_t size, unsigned flags, did_buf *url, did_err *err)
{
    did_buf_init(url);
    int rc = did_web_url((const char *)data, size, flags, url, err);
    if (rc != DID_OK) {
        if (rc != DID_ERR_DID_SYNTAX && rc != DID_ERR_DID_METHOD && rc != DID_ERR_DID_INVALID &&
            rc != DID_ERR_LIMIT)
            abort();
        if (err->code != rc || err->msg[0] == '\0' || url->len != 0 || url->data != NULL)
            abort();
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_buf u0, u1, again;
    did_err e0, e1, ea;

    if (size > DID_URL_MAX_LEN + 16)
        return 0;
    int rc0 = run(data, size, 0, &u0, &e0);
    int rc1 = run(data, size, DID_WEB_URL_HTTP_LOCALHOST, &u1, &e1);
    int rca = run(data, size, 0, &again, &ea);
    if (rc0 != rc1 || rc0 != rca)
        abort();
    if (rc0 == DID_OK) {
        if (u0.len != again.len || memcmp(u0.data, again.data, u0.len) != 0)
            abort();
        /* The flag changes the scheme of did:web:localhost and nothing else. */
        if (!(u0.len == u1.len && memcmp(u0.data, u1.data, u0.len) == 0) &&
            !(u1.len + 1 == u0.len && u1.len >= 16 &&
              memcmp(u1.data, "http://localhost", 16) == 0 &&
              memcmp(u0.data + 8, u1.data + 7, u1.len - 7) == 0))
            abort();

        char *back = malloc(u0.len + 64);
        char *in = malloc(size + 1);
        if (back == NULL || in == NULL)
            abort();
        check_url((const char *)u0.data, u0.len, 0, back, u0.len + 64);
        check_url((const char *)u1.data, u1.len, DID_WEB_URL_HTTP_LOCALHOST, back, u0.len + 64);
        memcpy(in, data, size);
        in[size] = '\0';
        normalise_port_escape(in, size);
        if (strlen(back) != size || memcmp(back, in, size) != 0)
            abort();
        free(back);
        free(in);
    }
    did_buf_clear(&u0);
    did_buf_clear(&u1);
    did_buf_clear(&again);
    return 0;
}
