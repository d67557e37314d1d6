/*
 * did_url.c -- DID and DID URL syntax (W3C DID Core 1.0 sections 3.1 and 3.2, with
 * path-abempty, query and fragment from RFC 3986 sections 3.3-3.5):
 *
 *   did                = "did:" method-name ":" method-specific-id
 *   method-name        = 1*method-char
 *   method-char        = %x61-7A / DIGIT
 *   method-specific-id = *( *idchar ":" ) 1*idchar
 *   idchar             = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
 *   did-url            = did path-abempty [ "?" query ] [ "#" fragment ]
 *   path-abempty       = *( "/" segment ),  segment = *pchar
 *   query = fragment   = *( pchar / "/" / "?" )
 *   pchar              = unreserved / pct-encoded / sub-delims / ":" / "@"
 *
 * One left-to-right pass over the bytes with a 256-entry class table; nothing is copied or
 * decoded. Components that are absent get length 0 and the offset where they would have
 * started, so that on success the parts always tile the input:
 *   did_len + path_len + [1 + query_len] + [1 + fragment_len] == len.
 * On failure *out is all zero (str NULL), never half-filled.
 */
#include <string.h>

#include <did/did.h>

enum {
    C_METHOD = 0x01, /* method-char: a-z 0-9 */
    C_ID = 0x02,     /* idchar without pct-encoded: ALPHA DIGIT . - _ */
    C_PATH = 0x04,   /* pchar without pct-encoded, or '/' */
    C_QF = 0x08,     /* query / fragment: pchar without pct-encoded, '/' or '?' */
    C_HEX = 0x10,    /* HEXDIG (either case) */
};

#define LOW_HEX (C_METHOD | C_ID | C_PATH | C_QF | C_HEX) /* a-f */
#define LOW (C_METHOD | C_ID | C_PATH | C_QF)             /* g-z */
#define UP_HEX (C_ID | C_PATH | C_QF | C_HEX)             /* A-F */
#define UP (C_ID | C_PATH | C_QF)                         /* G-Z */
#define DIG (C_METHOD | C_ID | C_PATH | C_QF | C_HEX)     /* 0-9 */
#define IDP (C_ID | C_PATH | C_QF)                        /* . - _ */
#define PCH (C_PATH | C_QF) /* '~', sub-delims, ':' and '@' (':' is handled apart in the id) */

/* Every byte not listed (controls, NUL, space, '"', '#', '%', '<', '>', '[', '\\', ']', '^',
 * '`', '{', '|', '}', DEL and all non-ASCII bytes) is 0: valid nowhere, or (like '%' and '#')
 * handled by the scanner itself. */
static const unsigned char cls[256] = {
    ['0'] = DIG,     ['1'] = DIG,     ['2'] = DIG,
    ['3'] = DIG,     ['4'] = DIG,     ['5'] = DIG,
    ['6'] = DIG,     ['7'] = DIG,     ['8'] = DIG,
    ['9'] = DIG,

    ['a'] = LOW_HEX, ['b'] = LOW_HEX, ['c'] = LOW_HEX,
    ['d'] = LOW_HEX, ['e'] = LOW_HEX, ['f'] = LOW_HEX,
    ['g'] = LOW,     ['h'] = LOW,     ['i'] = LOW,
    ['j'] = LOW,     ['k'] = LOW,     ['l'] = LOW,
    ['m'] = LOW,     ['n'] = LOW,     ['o'] = LOW,
    ['p'] = LOW,     ['q'] = LOW,     ['r'] = LOW,
    ['s'] = LOW,     ['t'] = LOW,     ['u'] = LOW,
    ['v'] = LOW,     ['w'] = LOW,     ['x'] = LOW,
    ['y'] = LOW,     ['z'] = LOW,

    ['A'] = UP_HEX,  ['B'] = UP_HEX,  ['C'] = UP_HEX,
    ['D'] = UP_HEX,  ['E'] = UP_HEX,  ['F'] = UP_HEX,
    ['G'] = UP,      ['H'] = UP,      ['I'] = UP,
    ['J'] = UP,      ['K'] = UP,      ['L'] = UP,
    ['M'] = UP,      ['N'] = UP,      ['O'] = UP,
    ['P'] = UP,      ['Q'] = UP,      ['R'] = UP,
    ['S'] = UP,      ['T'] = UP,      ['U'] = UP,
    ['V'] = UP,      ['W'] = UP,      ['X'] = UP,
    ['Y'] = UP,      ['Z'] = UP,

    ['.'] = IDP,     ['-'] = IDP,     ['_'] = IDP,
    ['~'] = PCH,     ['!'] = PCH,     ['$'] = PCH,
    ['&'] = PCH,     ['\''] = PCH,    ['('] = PCH,
    [')'] = PCH,     ['*'] = PCH,     ['+'] = PCH,
    [','] = PCH,     [';'] = PCH,     ['='] = PCH,
    [':'] = PCH,     ['@'] = PCH,     ['/'] = C_PATH | C_QF,
    ['?'] = C_QF,
};

#define CLS(c) cls[(unsigned char)(c)]

/* A readable name for the byte at s[i] (or the end of the input) for error messages; the
 * input is outside data, so only printable ASCII is echoed and only as a single character. */
typedef struct byte_desc {
    char text[16];
} byte_desc;

static byte_desc describe(const char *s, size_t len, size_t i)
{
    byte_desc d;
    static const char hex[] = "0123456789abcdef";

    if (i >= len) {
        memcpy(d.text, "end of input", sizeof "end of input");
        return d;
    }
    unsigned char c = (unsigned char)s[i];
    if (c > 0x20 && c < 0x7f) {
        d.text[0] = '\'';
        d.text[1] = (char)c;
        d.text[2] = '\'';
        d.text[3] = '\0';
    } else {
        memcpy(d.text, "byte 0x", 7);
        d.text[7] = hex[c >> 4];
        d.text[8] = hex[c & 0xf];
        d.text[9] = '\0';
    }
    return d;
}

static int fail(did_url *out, did_err *err, int code, const char *s, size_t len, size_t at,
                const char *expected)
{
    byte_desc d = describe(s, len, at);

    memset(out, 0, sizeof *out);
    return did_err_set(err, code, "%s: at offset %zu: expected %s, found %s",
                       code == DID_ERR_DID_SYNTAX ? "invalid DID" : "invalid DID URL", at, expected,
                       d.text);
}

/* s[i] is '%': is it followed by two hex digits? */
static int pct_ok(const char *s, size_t len, size_t i)
{
    return len - i >= 3 && (CLS(s[i + 1]) & CLS(s[i + 2]) & C_HEX) != 0;
}

/* Scans *(chars of class c / pct-encoded) from *i; stops at the first other byte. Returns 0,
 * or -1 with *i at a '%' that does not start a valid pct-encoded. */
static int scan(const char *s, size_t len, size_t *i, unsigned char c)
{
    size_t p = *i;

    for (;;) {
        while (p < len && (CLS(s[p]) & c) != 0)
            p++;
        if (p < len && s[p] == '%') {
            if (!pct_ok(s, len, p)) {
                *i = p;
                return -1;
            }
            p += 3;
            continue;
        }
        *i = p;
        return 0;
    }
}

static int parse(const char *s, size_t len, did_url *out, did_err *err, int url)
{
    const int code = url ? DID_ERR_DID_URL_SYNTAX : DID_ERR_DID_SYNTAX;
    size_t i;

    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "%s: out is NULL",
                           url ? "did_url_parse" : "did_parse");
    memset(out, 0, sizeof *out);
    if (s == NULL && len != 0)
        return did_err_set(err, DID_ERR_ARG, "%s: NULL input with length %zu",
                           url ? "did_url_parse" : "did_parse", len);
    if (len > DID_URL_MAX_LEN)
        return did_err_set(err, code, "%s: %zu bytes is longer than DID_URL_MAX_LEN (%d bytes)",
                           url ? "invalid DID URL" : "invalid DID", len, DID_URL_MAX_LEN);

    /* "did:" -- the scheme is matched exactly (lower case), as DID Core requires. */
    for (i = 0; i < 4; i++) {
        if (i >= len || s[i] != "did:"[i])
            return fail(out, err, code, s, len, i, "\"did:\"");
    }

    /* method-name ":" */
    while (i < len && (CLS(s[i]) & C_METHOD) != 0)
        i++;
    if (i == 4)
        return fail(out, err, code, s, len, i, "a method name (a-z, 0-9)");
    if (i >= len || s[i] != ':')
        return fail(out, err, code, s, len, i, "a method name character (a-z, 0-9) or ':'");
    out->method_off = 4;
    out->method_len = i - 4;
    i++;

    /* method-specific-id: idchars and ':' in any order, not empty, not ending in ':'. */
    out->id_off = i;
    for (;;) {
        while (i < len && (CLS(s[i]) & C_ID) != 0)
            i++;
        if (i < len && s[i] == ':') {
            i++;
            continue;
        }
        if (i < len && s[i] == '%') {
            if (!pct_ok(s, len, i))
                return fail(out, err, code, s, len, i, "'%' followed by two hex digits");
            i += 3;
            continue;
        }
        break;
    }
    if (i == out->id_off)
        return fail(out, err, code, s, len, i, "a method-specific id (ALPHA, DIGIT, . - _ %XX)");
    if (s[i - 1] == ':')
        return fail(out, err, code, s, len, i,
                    "a method-specific id character after ':' (ALPHA, DIGIT, . - _ %XX)");
    out->id_len = i - out->id_off;
    out->did_len = i;
    out->str = s;
    out->len = len;
    out->path_off = i;
    out->query_off = i;
    out->fragment_off = i;
    if (i == len)
        return DID_OK;

    if (!url) {
        if (s[i] == '/' || s[i] == '?' || s[i] == '#')
            return fail(out, err, code, s, len, i,
                        "end of input (a DID has no path, query or fragment)");
        return fail(out, err, code, s, len, i,
                    "a method-specific id character (ALPHA, DIGIT, . - _ : %XX)");
    }

    /* path-abempty */
    if (s[i] == '/') {
        if (scan(s, len, &i, C_PATH) != 0)
            return fail(out, err, code, s, len, i, "'%' followed by two hex digits");
        out->has_path = 1;
        out->path_len = i - out->path_off;
    }
    /* [ "?" query ] */
    out->query_off = i;
    if (i < len && s[i] == '?') {
        out->query_off = ++i;
        if (scan(s, len, &i, C_QF) != 0)
            return fail(out, err, code, s, len, i, "'%' followed by two hex digits");
        out->has_query = 1;
        out->query_len = i - out->query_off;
    }
    /* [ "#" fragment ] */
    out->fragment_off = i;
    if (i < len && s[i] == '#') {
        out->fragment_off = ++i;
        if (scan(s, len, &i, C_QF) != 0)
            return fail(out, err, code, s, len, i, "'%' followed by two hex digits");
        out->has_fragment = 1;
        out->fragment_len = i - out->fragment_off;
    }
    if (i != len) {
        const char *what = out->has_fragment ? "a fragment character (pchar, '/', '?') or end"
                           : out->has_query  ? "a query character (pchar, '/', '?'), '#' or end"
                           : out->has_path   ? "a path character (pchar, '/'), '?', '#' or end"
                                             : "a method-specific id character, '/', '?', '#' "
                                               "or end";
        return fail(out, err, code, s, len, i, what);
    }
    return DID_OK;
}

int did_parse(const char *s, size_t len, did_url *out, did_err *err)
{
    return parse(s, len, out, err, 0);
}

int did_url_parse(const char *s, size_t len, did_url *out, did_err *err)
{
    return parse(s, len, out, err, 1);
}
