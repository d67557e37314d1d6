/* DID and DID URL syntax (did_parse, did_url_parse): W3C DID Core 1.0 sections 3.1 and 3.2
 * with RFC 3986 path-abempty / query / fragment. Valid inputs have every field of did_url
 * checked; invalid inputs assert the code, the offset named in the message, and that the
 * output was left zeroed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include <did/did.h>

#define ED_DID "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"

/* Expected parse, every offset and length written out by hand. */
typedef struct want {
    size_t len, did_len, method_off, method_len, id_off, id_len;
    int has_path;
    size_t path_off, path_len;
    int has_query;
    size_t query_off, query_len;
    int has_fragment;
    size_t fragment_off, fragment_len;
} want;

#define CHECK_FIELD(f)                                                                      \
    do {                                                                                    \
        if ((size_t)u->f != (size_t)w->f)                                                   \
            fail_msg("\"%s\": " #f " is %zu, expected %zu", s, (size_t)u->f, (size_t)w->f); \
    } while (0)

static void check_fields(const did_url *u, const char *s, const want *w)
{
    assert_ptr_equal(u->str, s);
    CHECK_FIELD(len);
    CHECK_FIELD(did_len);
    CHECK_FIELD(method_off);
    CHECK_FIELD(method_len);
    CHECK_FIELD(id_off);
    CHECK_FIELD(id_len);
    CHECK_FIELD(has_path);
    CHECK_FIELD(path_off);
    CHECK_FIELD(path_len);
    CHECK_FIELD(has_query);
    CHECK_FIELD(query_off);
    CHECK_FIELD(query_len);
    CHECK_FIELD(has_fragment);
    CHECK_FIELD(fragment_off);
    CHECK_FIELD(fragment_len);
}

/* A DID URL that must parse with w; if it has no path/query/fragment it must also be a DID. */
static void ok_url(const char *s, const want *w)
{
    did_url u;
    did_err err_s, *err = &err_s;
    size_t n = strlen(s);

    did_err_clear(err);
    t_assert_ok(did_url_parse(s, n, &u, err), err);
    check_fields(&u, s, w);
    if (!w->has_path && !w->has_query && !w->has_fragment) {
        t_assert_ok(did_parse(s, n, &u, err), err);
        check_fields(&u, s, w);
    } else {
        t_assert_code(did_parse(s, n, &u, err), DID_ERR_DID_SYNTAX, err);
    }
}

/* A plain DID "did:<method>:<id>" with nothing after it. */
static void ok_did(const char *s, size_t method_len, size_t id_len)
{
    size_t n = strlen(s);
    want w = {.len = n,
              .did_len = n,
              .method_off = 4,
              .method_len = method_len,
              .id_off = 5 + method_len,
              .id_len = id_len,
              .path_off = n,
              .query_off = n,
              .fragment_off = n};
    assert_int_equal(5 + method_len + id_len, n);
    ok_url(s, &w);
}

static int all_zero(const did_url *u)
{
    static const did_url zero;
    return memcmp(u, &zero, sizeof zero) == 0;
}

/* Parses n bytes with the parser (url: did_url_parse) and asserts the code, that err agrees,
 * that the message names the offset (when at >= 0), and that *out was zeroed. */
static void bad_n(int url, const char *s, size_t n, int code, long at)
{
    did_url u;
    did_err err_s, *err = &err_s;
    char where[48];

    memset(&u, 0xa5, sizeof u);
    did_err_clear(err);
    int rc = url ? did_url_parse(s, n, &u, err) : did_parse(s, n, &u, err);
    t_assert_code(rc, code, err);
    assert_int_equal(err->code, code);
    assert_true(err->msg[0] != '\0');
    assert_true(all_zero(&u));
    if (at >= 0) {
        snprintf(where, sizeof where, "at offset %ld:", at);
        if (strstr(err->msg, where) == NULL)
            fail_msg("\"%s\": message \"%s\" does not name %s", s, err->msg, where);
    }
}

/* Invalid both as a DID and as a DID URL, at the same offset. */
static void bad_both(const char *s, long at)
{
    bad_n(0, s, strlen(s), DID_ERR_DID_SYNTAX, at);
    bad_n(1, s, strlen(s), DID_ERR_DID_URL_SYNTAX, at);
}

static void bad_both_n(const char *s, size_t n, long at)
{
    bad_n(0, s, n, DID_ERR_DID_SYNTAX, at);
    bad_n(1, s, n, DID_ERR_DID_URL_SYNTAX, at);
}

/* Valid DID URL that is not a DID: did_parse must refuse at offset `at`. */
static void url_only(const char *s, long at)
{
    did_url u;
    did_err err_s, *err = &err_s;
    t_assert_ok(did_url_parse(s, strlen(s), &u, err), err);
    bad_n(0, s, strlen(s), DID_ERR_DID_SYNTAX, at);
}

static void test_valid_dids(void **state)
{
    (void)state;
    ok_did("did:example:123456789abcdefghi", 7, 18);
    ok_did("did:web:example.com%3A8443:user:alice", 3, 29);
    ok_did(ED_DID, 3, 48);
    ok_did("did:a:b", 1, 1);
    ok_did("did:0:9", 1, 1);
    ok_did("did:a1b2:x", 4, 1);
    ok_did("did:ex:A.Z-a_z.0-9", 2, 11);
    /* Empty segments are allowed anywhere but at the end: *( *idchar ":" ) 1*idchar. */
    ok_did("did:ex::a", 2, 2);
    ok_did("did:ex:a::b", 2, 4);
    ok_did("did:ex:::::x", 2, 5);
    /* Percent-escapes, either case, anywhere in the id (also as its last character). */
    ok_did("did:ex:%AF%af%00", 2, 9);
    ok_did("did:ex:%3a", 2, 3);

    /* Pointer + length: only the first 7 bytes are the DID; no NUL terminator is needed. */
    {
        did_url u;
        did_err err_s, *err = &err_s;
        const char buf[] = {'d', 'i', 'd', ':', 'a', ':', 'b', 'X', ' ', '#'};
        t_assert_ok(did_parse(buf, 7, &u, err), err);
        assert_int_equal(u.len, 7);
        assert_int_equal(u.did_len, 7);
        assert_int_equal(u.id_len, 1);
    }
}

static void test_valid_urls(void **state)
{
    (void)state;
    /* input; len, did_len, method off/len, id off/len, then has/off/len for the path, the query
     * and the fragment. */
    static const struct {
        const char *s;
        want w;
    } cases[] = {
        /* DID Core example 6. */
        {"did:example:123?service=agent&relativeRef=/credentials#degree",
         {61, 15, 4, 7, 12, 3, 0, 15, 0, 1, 16, 38, 1, 55, 6}},
        {"did:example:123456/path/to?versionId=1&x=y#frag",
         {47, 18, 4, 7, 12, 6, 1, 18, 8, 1, 27, 15, 1, 43, 4}},
        /* A verification method id. */
        {ED_DID "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
         {105, 56, 4, 3, 8, 48, 0, 56, 0, 0, 56, 0, 1, 57, 48}},
        /* Fragment containing '/' and '?' (RFC 3986 section 3.5). */
        {"did:a:b#x/y?z", {13, 7, 4, 1, 6, 1, 0, 7, 0, 0, 7, 0, 1, 8, 5}},
        /* Query containing '?' and '/' (section 3.4). */
        {"did:a:b?q=1?r=/s", {16, 7, 4, 1, 6, 1, 0, 7, 0, 1, 8, 8, 0, 16, 0}},
        /* Path only; "/" alone and "//" are paths (path-abempty allows empty segments). */
        {"did:a:b/", {8, 7, 4, 1, 6, 1, 1, 7, 1, 0, 8, 0, 0, 8, 0}},
        {"did:a:b//", {9, 7, 4, 1, 6, 1, 1, 7, 2, 0, 9, 0, 0, 9, 0}},
        /* Empty query and fragment are present but empty. */
        {"did:a:b?#", {9, 7, 4, 1, 6, 1, 0, 7, 0, 1, 8, 0, 1, 9, 0}},
        {"did:a:b#", {8, 7, 4, 1, 6, 1, 0, 7, 0, 0, 7, 0, 1, 8, 0}},
        /* Every pchar class in a path, and escapes in each component; ':' in path segments. */
        {"did:ex:1/a:b@c!$&'()*+,;=~-._/%41%7e?%2F:@#%3f?/",
         {48, 8, 4, 2, 7, 1, 1, 8, 28, 1, 37, 5, 1, 43, 5}},
        /* did:web with a port and a path. */
        {"did:web:example.com%3A8443:user:alice/resume?v=2#cv",
         {51, 37, 4, 3, 8, 29, 1, 37, 7, 1, 45, 3, 1, 49, 2}},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ok_url(cases[i].s, &cases[i].w);
}

static void test_not_a_did(void **state)
{
    (void)state;
    bad_both("", 0);
    bad_both("d", 1);
    bad_both("did", 3);
    bad_both("did:", 4);
    bad_both("example:1", 0);
    bad_both("DID:example:1", 0);
    bad_both("Did:example:1", 0);
    bad_both("dId:example:1", 1);
    bad_both("did;example:1", 3);
    bad_both(" did:example:1", 0);
    bad_both("urn:example:1", 0);
}

static void test_method_name(void **state)
{
    (void)state;
    bad_both("did:Example:1", 4);
    bad_both("did:exAmple:1", 6);
    bad_both("did:EXAMPLE:1", 4);
    bad_both("did::1", 4); /* empty method */
    bad_both("did::", 4);
    bad_both("did:example", 11);   /* no ':' after the method */
    bad_both("did:ex-ample:1", 6); /* '-' is not a method-char */
    bad_both("did:ex_ample:1", 6);
    bad_both("did:ex.ample:1", 6);
    bad_both("did:ex%61:1", 6);     /* no escapes in the method */
    bad_both("did:\xc3\xa9x:1", 4); /* non-ASCII */
    bad_both("did:e x:1", 5);
    bad_both("did:ex/1", 6);
    bad_both("did:ex#1", 6);
}

static void test_method_specific_id(void **state)
{
    (void)state;
    bad_both("did:example:", 12);     /* empty id */
    bad_both("did:example:abc:", 16); /* trailing ':' */
    bad_both("did:example:a::", 15);
    bad_both("did:example::", 13);
    bad_both("did:example:%4", 12); /* truncated escape */
    bad_both("did:example:%", 12);
    bad_both("did:example:a%4", 13);
    bad_both("did:example:%zz", 12); /* not hex */
    bad_both("did:example:%4g", 12);
    bad_both("did:example:%g4", 12);
    bad_both("did:example:12 3", 14); /* space */
    bad_both("did:example:1 ", 13);
    bad_both("did:example:1\t", 13);
    bad_both("did:example:caf\xc3\xa9", 15); /* non-ASCII */
    bad_both("did:example:\x80", 12);
    bad_both("did:example:\xff", 12);
    bad_both("did:ex:a~b", 8); /* '~' is unreserved but not an idchar */
    bad_both("did:ex:a;b", 8); /* ';' is reserved (DID Core note) */
    bad_both("did:ex:a=b", 8);
    bad_both("did:ex:a@b", 8);
    bad_both("did:ex:a+b", 8);
    bad_both("did:ex:a[b]", 8);
    /* A ':'-terminated id cannot be followed by a path, query or fragment either. */
    bad_n(1, "did:example:abc:/p", 18, DID_ERR_DID_URL_SYNTAX, 16);
    bad_n(1, "did:example:abc:#f", 18, DID_ERR_DID_URL_SYNTAX, 16);
    bad_n(1, "did:example:/p", 14, DID_ERR_DID_URL_SYNTAX, 12);
    bad_n(1, "did:example:#f", 14, DID_ERR_DID_URL_SYNTAX, 12);
}

static void test_nul_bytes(void **state)
{
    (void)state;
    /* NUL is an invalid character wherever it appears, including the last byte. */
    bad_both_n("did:exa\0mple:1", 14, 7);
    bad_both_n("did:example:1\0", 14, 13);
    bad_both_n("did:example:1\0"
               "23",
               16, 13);
    bad_both_n("did\0example:1", 13, 3);
    bad_both_n("\0", 1, 0);
    bad_n(1, "did:example:1/a\0b", 17, DID_ERR_DID_URL_SYNTAX, 15);
    bad_n(1, "did:example:1?a\0b", 17, DID_ERR_DID_URL_SYNTAX, 15);
    bad_n(1, "did:example:1#a\0b", 17, DID_ERR_DID_URL_SYNTAX, 15);
    bad_n(1, "did:example:1#\0", 15, DID_ERR_DID_URL_SYNTAX, 14);
}

static void test_url_components(void **state)
{
    (void)state;
    bad_n(1, "did:example:1#a#b", 17, DID_ERR_DID_URL_SYNTAX, 15); /* second '#' */
    bad_n(1, "did:example:1##", 15, DID_ERR_DID_URL_SYNTAX, 14);
    bad_n(1, "did:example:1/a b", 17, DID_ERR_DID_URL_SYNTAX, 15);
    bad_n(1, "did:example:1?a b", 17, DID_ERR_DID_URL_SYNTAX, 15);
    bad_n(1, "did:example:1#a b", 17, DID_ERR_DID_URL_SYNTAX, 15);
    bad_n(1, "did:ex:1/a[b]", 13, DID_ERR_DID_URL_SYNTAX, 10);
    bad_n(1, "did:ex:1?a\"", 11, DID_ERR_DID_URL_SYNTAX, 10);
    bad_n(1, "did:ex:1#a^", 11, DID_ERR_DID_URL_SYNTAX, 10);
    bad_n(1, "did:ex:1#\\", 10, DID_ERR_DID_URL_SYNTAX, 9);
    bad_n(1, "did:ex:1/\xc3\xa9", 11, DID_ERR_DID_URL_SYNTAX, 9);
    bad_n(1, "did:ex:1#\xc3\xa9", 11, DID_ERR_DID_URL_SYNTAX, 9);
    /* Bad escapes in each component. */
    bad_n(1, "did:ex:1/%zz", 12, DID_ERR_DID_URL_SYNTAX, 9);
    bad_n(1, "did:ex:1/a%", 11, DID_ERR_DID_URL_SYNTAX, 10);
    bad_n(1, "did:ex:1?%", 10, DID_ERR_DID_URL_SYNTAX, 9);
    bad_n(1, "did:ex:1?%4", 11, DID_ERR_DID_URL_SYNTAX, 9);
    bad_n(1, "did:ex:1#%0", 11, DID_ERR_DID_URL_SYNTAX, 9);
    bad_n(1, "did:ex:1#%0g", 12, DID_ERR_DID_URL_SYNTAX, 9);
    /* After the DID only '/', '?', '#' may follow. */
    bad_n(1, "did:example:1=", 14, DID_ERR_DID_URL_SYNTAX, 13);
    bad_n(1, "did:example:1;p=1", 17, DID_ERR_DID_URL_SYNTAX, 13);
}

static void test_did_parse_refuses_urls(void **state)
{
    (void)state;
    url_only("did:example:1/p", 13);
    url_only("did:example:1?q", 13);
    url_only("did:example:1#f", 13);
    url_only("did:example:1/", 13);
    url_only("did:example:1?", 13);
    url_only("did:example:1#", 13);
    url_only(ED_DID "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", 56);
    url_only("did:web:example.com%3A8443:user:alice/resume", 37);
}

static void test_length_limit(void **state)
{
    (void)state;
    did_url u;
    did_err err_s, *err = &err_s;
    char *s = malloc(DID_URL_MAX_LEN + 2);
    assert_non_null(s);

    /* Exactly DID_URL_MAX_LEN: accepted by both (a DID of that length is a DID URL too). */
    memcpy(s, "did:ex:", 7);
    memset(s + 7, 'a', DID_URL_MAX_LEN - 7);
    t_assert_ok(did_parse(s, DID_URL_MAX_LEN, &u, err), err);
    assert_int_equal(u.id_len, DID_URL_MAX_LEN - 7);
    t_assert_ok(did_url_parse(s, DID_URL_MAX_LEN, &u, err), err);

    /* One byte more: refused before scanning, the message names the limit. */
    s[DID_URL_MAX_LEN] = 'a';
    bad_n(0, s, DID_URL_MAX_LEN + 1, DID_ERR_DID_SYNTAX, -1);
    bad_n(1, s, DID_URL_MAX_LEN + 1, DID_ERR_DID_URL_SYNTAX, -1);
    assert_int_equal(did_parse(s, DID_URL_MAX_LEN + 1, &u, err), DID_ERR_DID_SYNTAX);
    assert_non_null(strstr(err->msg, "DID_URL_MAX_LEN"));
    assert_non_null(strstr(err->msg, "4096"));

    /* A DID URL at the limit with a fragment. */
    memcpy(s, "did:ex:a#", 9);
    memset(s + 9, 'f', DID_URL_MAX_LEN - 9);
    t_assert_ok(did_url_parse(s, DID_URL_MAX_LEN, &u, err), err);
    assert_int_equal(u.fragment_off, 9);
    assert_int_equal(u.fragment_len, DID_URL_MAX_LEN - 9);
    free(s);
}

static void test_arguments(void **state)
{
    (void)state;
    did_url u;
    did_err err_s, *err = &err_s;

    /* NULL with length 0 is simply empty input; with a length it is a caller bug. */
    t_assert_code(did_parse(NULL, 0, &u, err), DID_ERR_DID_SYNTAX, err);
    t_assert_code(did_url_parse(NULL, 0, &u, err), DID_ERR_DID_URL_SYNTAX, err);
    t_assert_code(did_parse(NULL, 3, &u, err), DID_ERR_ARG, err);
    t_assert_code(did_url_parse(NULL, 3, &u, err), DID_ERR_ARG, err);
    t_assert_code(did_parse("did:a:b", 7, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_url_parse("did:a:b", 7, NULL, err), DID_ERR_ARG, err);
    /* err is optional. */
    assert_int_equal(did_parse("did:a:b", 7, &u, NULL), DID_OK);
    assert_int_equal(did_parse("did:a:", 6, &u, NULL), DID_ERR_DID_SYNTAX);
    assert_int_equal(did_url_parse("did:a:", 6, &u, NULL), DID_ERR_DID_URL_SYNTAX);
}

/* Reference character sets, spelled out from the ABNF (RFC 3986 section 2, DID Core 3.1). */
static int in(const char *set, int c)
{
    return c != 0 && strchr(set, c) != NULL;
}
#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define PCHAR_NOPCT     \
    ALNUM "-._~"        \
          "!$&'()*+,;=" \
          ":@"

/* Every byte value in every position, against the sets above. */
static void test_every_byte(void **state)
{
    (void)state;
    did_url u;
    did_err err_s, *err = &err_s;
    char s[16];

    for (int c = 0; c < 256; c++) {
        int rc;
        char ch = (char)c;

        /* method: "did:" c ":x" */
        memcpy(s, "did:?:x", 7);
        s[4] = ch;
        rc = did_parse(s, 7, &u, err);
        assert_int_equal(rc == DID_OK, in("abcdefghijklmnopqrstuvwxyz0123456789", c));

        /* method-specific id, last byte: "did:m:" c */
        memcpy(s, "did:m:?", 7);
        s[6] = ch;
        rc = did_parse(s, 7, &u, err);
        assert_int_equal(rc == DID_OK, in(ALNUM "._-", c));
        /* ... and in the middle: "did:m:" c "x" (':' allowed there). */
        memcpy(s, "did:m:?x", 8);
        s[6] = ch;
        rc = did_parse(s, 8, &u, err);
        assert_int_equal(rc == DID_OK, in(ALNUM "._-:", c));

        /* path: "did:m:x/" c ('?' and '#' start a query or fragment, so are fine too) */
        memcpy(s, "did:m:x/?", 9);
        s[8] = ch;
        rc = did_url_parse(s, 9, &u, err);
        assert_int_equal(rc == DID_OK, in(PCHAR_NOPCT "/?#", c));
        if (rc == DID_OK)
            assert_int_equal(u.has_path && u.path_len == (c == '?' || c == '#' ? 1 : 2), 1);

        /* query: "did:m:x?" c */
        memcpy(s, "did:m:x??", 9);
        s[8] = ch;
        rc = did_url_parse(s, 9, &u, err);
        assert_int_equal(rc == DID_OK, in(PCHAR_NOPCT "/?#", c));
        if (rc == DID_OK)
            assert_int_equal(u.query_len, c == '#' ? 0 : 1);

        /* fragment: "did:m:x#" c */
        memcpy(s, "did:m:x#?", 9);
        s[8] = ch;
        rc = did_url_parse(s, 9, &u, err);
        assert_int_equal(rc == DID_OK, in(PCHAR_NOPCT "/?", c));

        /* hex digits in an escape: "did:m:%" c "0" */
        memcpy(s, "did:m:%?0", 9);
        s[7] = ch;
        rc = did_parse(s, 9, &u, err);
        assert_int_equal(rc == DID_OK, in("0123456789abcdefABCDEF", c));
    }
}

/* The error message is for humans: it names the offset and what was expected, shows a
 * printable byte as itself and anything else as hex, and never echoes the rest of the input. */
static void test_messages(void **state)
{
    (void)state;
    did_url u;
    did_err err_s, *err = &err_s;

    assert_int_equal(did_parse("did:Example:1", 13, &u, err), DID_ERR_DID_SYNTAX);
    assert_non_null(strstr(err->msg, "at offset 4:"));
    assert_non_null(strstr(err->msg, "'E'"));
    assert_non_null(strstr(err->msg, "a-z"));
    assert_null(strstr(err->msg, "xample"));

    assert_int_equal(did_url_parse("did:a:b\x01secret", 14, &u, err), DID_ERR_DID_URL_SYNTAX);
    assert_non_null(strstr(err->msg, "0x01"));
    assert_null(strstr(err->msg, "secret"));

    assert_int_equal(did_parse("did:a:", 6, &u, err), DID_ERR_DID_SYNTAX);
    assert_non_null(strstr(err->msg, "end of input"));

    assert_int_equal(did_parse("did:a:b#c", 9, &u, err), DID_ERR_DID_SYNTAX);
    assert_non_null(strstr(err->msg, "no path, query or fragment"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_dids),         cmocka_unit_test(test_valid_urls),
        cmocka_unit_test(test_not_a_did),          cmocka_unit_test(test_method_name),
        cmocka_unit_test(test_method_specific_id), cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_url_components),     cmocka_unit_test(test_did_parse_refuses_urls),
        cmocka_unit_test(test_length_limit),       cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_every_byte),         cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
