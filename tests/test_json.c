/* Strict JSON parsing: every error code with a specific input, limit boundaries, I-JSON
 * numbers, and the typed accessors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#include <did/io.h>
#include <did/json.h>

/* Parses n bytes with lim and asserts the outcome code; on success returns the value. */
static json_t *parse_n(const char *text, size_t n, const did_json_limits *lim, int want)
{
    json_t *v = (json_t *)1; /* must be reset to NULL on every path */
    did_err err_s, *err = &err_s;
    did_err_clear(err);
    int rc = did_json_parse(text, n, lim, &v, err);
    t_assert_code(rc, want, err);
    assert_int_equal(err->code, rc);
    if (want != DID_OK) {
        assert_null(v);
        assert_true(err->msg[0] != '\0');
        return NULL;
    }
    assert_non_null(v);
    return v;
}

static json_t *parse_s(const char *text, const did_json_limits *lim, int want)
{
    return parse_n(text, strlen(text), lim, want);
}

static void expect(const char *text, int want)
{
    json_decref(parse_s(text, NULL, want));
}

static void test_defaults(void **state)
{
    (void)state;
    did_json_limits lim = did_json_limits_default();
    assert_int_equal(lim.max_bytes, DID_JSON_DEFAULT_MAX_BYTES);
    assert_int_equal(lim.max_depth, DID_JSON_DEFAULT_MAX_DEPTH);
    assert_int_equal(lim.max_string, DID_JSON_DEFAULT_MAX_STRING);
    assert_int_equal(lim.max_entries, DID_JSON_DEFAULT_MAX_ENTRIES);
}

static void test_valid(void **state)
{
    (void)state;
    json_t *v = parse_s(" {\"a\": [1, 2.5, \"x\", true, false, null], \"b\": {}} ", NULL, DID_OK);
    assert_true(json_is_object(v));
    assert_int_equal(json_array_size(json_object_get(v, "a")), 6);
    json_decref(v);
    /* Scalars are documents too (depth 0). */
    v = parse_s("\"s\"", NULL, DID_OK);
    assert_string_equal(json_string_value(v), "s");
    json_decref(v);
    v = parse_s("42", NULL, DID_OK);
    assert_true(json_is_integer(v));
    assert_int_equal(json_integer_value(v), 42);
    json_decref(v);
    /* No NUL terminator needed: only the first 4 bytes are the document. */
    v = parse_n("[12]garbage", 4, NULL, DID_OK);
    assert_int_equal(json_integer_value(json_array_get(v, 0)), 12);
    json_decref(v);
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect("{\"a\":1,\"a\":2}", DID_ERR_JSON_DUPLICATE_KEY);
    expect("{\"a\":1,\"b\":{\"c\":1,\"c\":1}}", DID_ERR_JSON_DUPLICATE_KEY);
    expect("[{\"k\":1},{\"k\":2,\"k\":3}]", DID_ERR_JSON_DUPLICATE_KEY);
    /* The same name written with an escape is the same member. */
    expect("{\"a\":1,\"\\u0061\":2}", DID_ERR_JSON_DUPLICATE_KEY);
    /* Same name in different objects is fine. */
    expect("[{\"k\":1},{\"k\":2}]", DID_OK);
}

static char *nested(size_t depth, char open, char close)
{
    char *s = malloc(2 * depth + 1);
    assert_non_null(s);
    memset(s, open, depth);
    memset(s + depth, close, depth);
    s[2 * depth] = '\0';
    return s;
}

static void test_depth(void **state)
{
    (void)state;
    char *ok = nested(64, '[', ']');
    expect(ok, DID_OK);
    free(ok);
    char *deep = nested(65, '[', ']');
    did_err err_s, *err = &err_s;
    json_t *v = NULL;
    t_assert_code(did_json_parse(deep, strlen(deep), NULL, &v, err), DID_ERR_JSON_DEPTH, err);
    assert_null(v);
    /* The message names the offset of the 65th bracket and the limit. */
    assert_non_null(strstr(err->msg, "64"));
    free(deep);

    /* Objects count too; brackets inside strings do not. */
    deep = malloc(64 * 5 + 9 + 64 + 1);
    assert_non_null(deep);
    size_t o = 0;
    for (int i = 0; i < 64; i++) {
        memcpy(deep + o, "{\"a\":", 5);
        o += 5;
    }
    memcpy(deep + o, "\"[[[\\\"[[\"", 9);
    o += 9;
    for (int i = 0; i < 64; i++)
        deep[o++] = '}';
    deep[o] = '\0';
    expect(deep, DID_OK);
    free(deep);

    did_json_limits lim = did_json_limits_default();
    lim.max_depth = 2;
    json_decref(parse_s("[[1]]", &lim, DID_OK));
    parse_s("[{\"a\":[]}]", &lim, DID_ERR_JSON_DEPTH);
    lim.max_depth = 0;
    json_decref(parse_s("true", &lim, DID_OK));
    parse_s("[]", &lim, DID_ERR_JSON_DEPTH);
}

/* 10 MB of '[' with max_bytes raised: the pre-scan stops at byte 64 before jansson runs. */
static void test_depth_prescan_fast(void **state)
{
    (void)state;
    size_t n = (size_t)10 << 20;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, '[', n);
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = n;
    clock_t t0 = clock();
    parse_n(big, n, &lim, DID_ERR_JSON_DEPTH);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(secs < 0.5);
    free(big);
}

static void test_size(void **state)
{
    (void)state;
    const char *doc = "[\"abcdef\"]"; /* 10 bytes */
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = 10;
    json_decref(parse_s(doc, &lim, DID_OK));
    lim.max_bytes = 9;
    parse_s(doc, &lim, DID_ERR_JSON_SIZE);
    /* Size is checked first: even garbage gets SIZE when too long. */
    parse_s("not json at all", &lim, DID_ERR_JSON_SIZE);
}

static void test_string_limit(void **state)
{
    (void)state;
    did_json_limits lim = did_json_limits_default();
    lim.max_string = 5;
    json_decref(parse_s("[\"abcde\"]", &lim, DID_OK));
    parse_s("[\"abcdef\"]", &lim, DID_ERR_JSON_STRING);
    /* Member names have the same limit. */
    json_decref(parse_s("{\"abcde\":1}", &lim, DID_OK));
    parse_s("{\"abcdef\":1}", &lim, DID_ERR_JSON_STRING);
    /* Counted in UTF-8 bytes after unescaping: "\u00e9" x 3 is 6 bytes. */
    parse_s("\"\\u00e9\\u00e9\\u00e9\"", &lim, DID_ERR_JSON_STRING);
    json_decref(parse_s("\"\\u00e9\\u00e9a\"", &lim, DID_OK));
}

static void test_entries_limit(void **state)
{
    (void)state;
    did_json_limits lim = did_json_limits_default();
    lim.max_entries = 3;
    json_decref(parse_s("[1,2,3]", &lim, DID_OK));
    parse_s("[1,2,3,4]", &lim, DID_ERR_JSON_COUNT);
    json_decref(parse_s("{\"a\":1,\"b\":2,\"c\":3}", &lim, DID_OK));
    parse_s("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", &lim, DID_ERR_JSON_COUNT);
    parse_s("{\"x\":[[1,2,3,4]]}", &lim, DID_ERR_JSON_COUNT);
}

static void test_utf8(void **state)
{
    (void)state;
    expect("\"\xc0\xaf\"", DID_ERR_JSON_UTF8);         /* overlong '/' */
    expect("\"\xe0\x80\xaf\"", DID_ERR_JSON_UTF8);     /* overlong, 3 bytes */
    expect("\"\xed\xa0\x80\"", DID_ERR_JSON_UTF8);     /* U+D800 encoded directly */
    expect("\"\xe2\x82\"", DID_ERR_JSON_UTF8);         /* truncated euro sign */
    expect("\"\xf4\x90\x80\x80\"", DID_ERR_JSON_UTF8); /* above U+10FFFF */
    expect("\"\xff\"", DID_ERR_JSON_UTF8);
    expect("{\"\xc3\":1}", DID_ERR_JSON_UTF8); /* in a member name */
    /* Lone and mismatched surrogate escapes. */
    expect("\"\\ud800\"", DID_ERR_JSON_UTF8);
    expect("\"\\udc00\"", DID_ERR_JSON_UTF8);
    expect("\"\\ud800\\u0041\"", DID_ERR_JSON_UTF8);
    expect("{\"\\ud83d\":1}", DID_ERR_JSON_UTF8);
    /* A proper pair is fine. */
    json_t *v = parse_s("\"\\ud83d\\ude00\"", NULL, DID_OK);
    assert_string_equal(json_string_value(v), "\xf0\x9f\x98\x80");
    json_decref(v);
    /* U+0000, as a value and as a member name. */
    expect("\"\\u0000\"", DID_ERR_JSON_UTF8);
    expect("{\"a\\u0000\":1}", DID_ERR_JSON_UTF8);
}

static void test_syntax(void **state)
{
    (void)state;
    did_err err_s, *err = &err_s;
    json_t *v = NULL;
    t_assert_code(did_json_parse("{} x", 4, NULL, &v, err), DID_ERR_JSON_SYNTAX, err);
    assert_null(v);
    assert_non_null(strstr(err->msg, "line 1"));
    expect("{}{}", DID_ERR_JSON_SYNTAX);
    expect("", DID_ERR_JSON_SYNTAX);
    expect("   ", DID_ERR_JSON_SYNTAX);
    expect("[1,]", DID_ERR_JSON_SYNTAX);
    expect("{\"a\" 1}", DID_ERR_JSON_SYNTAX);
    expect("'a'", DID_ERR_JSON_SYNTAX);
    expect("[01]", DID_ERR_JSON_SYNTAX);
    expect("NaN", DID_ERR_JSON_SYNTAX);
    expect("\"tab\there\"", DID_ERR_JSON_SYNTAX);
    expect("\"\\x\"", DID_ERR_JSON_SYNTAX);
    expect("[", DID_ERR_JSON_SYNTAX);
    expect("]]]", DID_ERR_JSON_SYNTAX);
    /* An empty document with a NULL pointer is still just empty. */
    t_assert_code(did_json_parse(NULL, 0, NULL, &v, err), DID_ERR_JSON_SYNTAX, err);
    assert_null(v);
    /* Raw NUL byte inside the buffer. */
    parse_n("[1]\0", 4, NULL, DID_ERR_JSON_SYNTAX);
}

static void test_numbers(void **state)
{
    (void)state;
    /* Beyond int64: becomes a real (I-JSON). */
    json_t *v = parse_s("123456789012345678901234567890", NULL, DID_OK);
    assert_true(json_is_real(v));
    assert_true(json_real_value(v) == 123456789012345678901234567890.0);
    json_decref(v);

    /* Alongside it, int64-sized integer literals stay exact integers; reals stay reals. */
    v = parse_s("[1,123456789012345678901234567890,9007199254740993,-9223372036854775808,"
                "{\"a\":2,\"b\":1.0,\"s\":\"-5 in a string\",\"c\":-7}]",
                NULL, DID_OK);
    assert_true(json_is_integer(json_array_get(v, 0)));
    assert_true(json_is_real(json_array_get(v, 1)));
    assert_true(json_is_integer(json_array_get(v, 2)));
    assert_true(json_integer_value(json_array_get(v, 2)) == 9007199254740993LL);
    assert_true(json_integer_value(json_array_get(v, 3)) == INT64_MIN);
    json_t *o = json_array_get(v, 4);
    assert_true(json_is_integer(json_object_get(o, "a")));
    assert_int_equal(json_integer_value(json_object_get(o, "a")), 2);
    assert_true(json_is_real(json_object_get(o, "b")));
    assert_true(json_is_integer(json_object_get(o, "c")));
    assert_int_equal(json_integer_value(json_object_get(o, "c")), -7);
    json_decref(v);

    v = parse_s("9223372036854775808", NULL, DID_OK);
    assert_true(json_is_real(v));
    json_decref(v);
    v = parse_s("9223372036854775807", NULL, DID_OK);
    assert_true(json_is_integer(v));
    json_decref(v);

    /* Outside the double range. */
    expect("1e400", DID_ERR_JSON_NUMBER);
    expect("-1e400", DID_ERR_JSON_NUMBER);
    expect("[123456789012345678901234567890,1e400]", DID_ERR_JSON_NUMBER);
    expect("[1e400,123456789012345678901234567890]", DID_ERR_JSON_NUMBER);
    /* Underflow rounds to zero, which is a double. */
    v = parse_s("1e-400", NULL, DID_OK);
    assert_true(json_is_real(v));
    json_decref(v);
}

static void test_get_accessors(void **state)
{
    (void)state;
    json_t *v = parse_s("{\"iss\":\"did:ex:1\",\"exp\":1700000000,\"f\":3.0,\"g\":1.5,\"big\":1e19,"
                        "\"neg\":-9223372036854775808.0,\"o\":{},\"a\":[],\"n\":null}",
                        NULL, DID_OK);
    did_err err_s, *err = &err_s;
    const char *s = NULL;
    size_t len = 0;
    int64_t i = 0;
    int present = -1;
    const json_t *m = NULL;

    t_assert_ok(did_json_get_str(v, "iss", 1, &s, &len, err), err);
    assert_string_equal(s, "did:ex:1");
    assert_int_equal(len, 8);
    t_assert_code(did_json_get_str(v, "exp", 1, &s, &len, err), DID_ERR_JSON_TYPE, err);
    assert_string_equal(err->msg, "member \"exp\" must be a string");
    assert_null(s);
    t_assert_code(did_json_get_str(v, "sub", 1, &s, &len, err), DID_ERR_JSON_TYPE, err);
    assert_string_equal(err->msg, "missing required member \"sub\"");
    t_assert_ok(did_json_get_str(v, "sub", 0, &s, &len, err), err);
    assert_null(s);
    assert_int_equal(len, 0);
    /* Present but of the wrong type is an error even when optional. */
    t_assert_code(did_json_get_str(v, "n", 0, &s, &len, err), DID_ERR_JSON_TYPE, err);

    t_assert_ok(did_json_get_int(v, "exp", 1, &i, &present, err), err);
    assert_true(i == 1700000000);
    assert_int_equal(present, 1);
    t_assert_ok(did_json_get_int(v, "f", 1, &i, &present, err), err);
    assert_true(i == 3);
    t_assert_ok(did_json_get_int(v, "neg", 1, &i, &present, err), err);
    assert_true(i == INT64_MIN);
    t_assert_code(did_json_get_int(v, "g", 1, &i, &present, err), DID_ERR_JSON_TYPE, err);
    assert_non_null(strstr(err->msg, "\"g\""));
    t_assert_code(did_json_get_int(v, "big", 1, &i, &present, err), DID_ERR_JSON_TYPE, err);
    t_assert_code(did_json_get_int(v, "iss", 1, &i, &present, err), DID_ERR_JSON_TYPE, err);
    t_assert_code(did_json_get_int(v, "nbf", 1, &i, &present, err), DID_ERR_JSON_TYPE, err);
    assert_string_equal(err->msg, "missing required member \"nbf\"");
    t_assert_ok(did_json_get_int(v, "nbf", 0, &i, &present, err), err);
    assert_int_equal(present, 0);

    t_assert_ok(did_json_get_obj(v, "o", 1, &m, err), err);
    assert_true(json_is_object(m));
    t_assert_code(did_json_get_obj(v, "a", 1, &m, err), DID_ERR_JSON_TYPE, err);
    assert_null(m);
    t_assert_ok(did_json_get_obj(v, "x", 0, &m, err), err);
    assert_null(m);
    t_assert_ok(did_json_get_arr(v, "a", 1, &m, err), err);
    assert_true(json_is_array(m));
    t_assert_code(did_json_get_arr(v, "o", 1, &m, err), DID_ERR_JSON_TYPE, err);
    t_assert_code(did_json_get_arr(v, "x", 1, &m, err), DID_ERR_JSON_TYPE, err);

    /* Looking up in something that is not an object. */
    t_assert_code(did_json_get_str(json_object_get(v, "a"), "iss", 1, &s, &len, err),
                  DID_ERR_JSON_TYPE, err);
    json_decref(v);
}

/* The settings accessors (configuration files, options) and reading a JSON file. */
static void test_settings_accessors(void **state)
{
    (void)state;
    did_err e;
    json_t *o = json_loads("{\"n\": 5, \"big\": 99, \"f\": 1.5, \"b\": true, \"s\": \"abc\","
                           " \"empty\": \"\", \"nul\": \"a\\u0000b\", \"x\": 1}",
                           JSON_ALLOW_NUL, NULL);
    assert_non_null(o);
    int64_t v = -1;
    int present = 0, b = 7;
    t_assert_ok(did_json_get_int_range(o, "n", 1, 10, &v, &present, &e), &e);
    assert_true(present);
    assert_int_equal(v, 5);
    t_assert_code(did_json_get_int_range(o, "big", 1, 10, &v, &present, &e), DID_ERR_JSON_TYPE,
                  &e);
    assert_non_null(strstr(e.msg, "\"big\" must be 1..10"));
    t_assert_code(did_json_get_int_range(o, "f", 1, 10, &v, &present, &e), DID_ERR_JSON_TYPE, &e);
    t_assert_ok(did_json_get_int_range(o, "absent", 1, 10, &v, &present, &e), &e);
    assert_false(present);
    t_assert_ok(did_json_get_bool(o, "b", &b, &e), &e);
    assert_int_equal(b, 1);
    t_assert_ok(did_json_get_bool(o, "absent", &b, &e), &e);
    assert_int_equal(b, 1);
    t_assert_code(did_json_get_bool(o, "x", &b, &e), DID_ERR_JSON_TYPE, &e);
    char buf[4];
    const char *val = NULL;
    t_assert_ok(did_json_get_text(o, "s", buf, sizeof buf, 0, &val, &e), &e);
    assert_string_equal(buf, "abc");
    assert_string_equal(val, "abc");
    t_assert_code(did_json_get_text(o, "s", buf, 3, 0, NULL, &e), DID_ERR_JSON_TYPE, &e);
    t_assert_code(did_json_get_text(o, "empty", buf, sizeof buf, 0, NULL, &e), DID_ERR_JSON_TYPE,
                  &e);
    t_assert_ok(did_json_get_text(o, "empty", buf, sizeof buf, 1, NULL, &e), &e);
    t_assert_code(did_json_get_text(o, "nul", buf, sizeof buf, 1, NULL, &e), DID_ERR_JSON_TYPE,
                  &e);
    t_assert_code(did_json_get_text(o, "n", buf, sizeof buf, 1, NULL, &e), DID_ERR_JSON_TYPE, &e);
    json_decref(o);

    char path[] = "/tmp/civid-test-json-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char good[] = "{\"a\": 1}";
    assert_int_equal(write(fd, good, sizeof good - 1), (ssize_t)(sizeof good - 1));
    close(fd);
    json_t *root = NULL;
    t_assert_ok(did_json_read_file(path, NULL, &root, &e), &e);
    assert_int_equal(json_integer_value(json_object_get(root, "a")), 1);
    json_decref(root);
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = 4;
    t_assert_code(did_json_read_file(path, &lim, &root, &e), DID_ERR_LIMIT, &e);
    assert_null(root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"a\": 1, \"a\": 2}", f);
    fclose(f);
    t_assert_code(did_json_read_file(path, NULL, &root, &e), DID_ERR_JSON_DUPLICATE_KEY, &e);
    assert_non_null(strstr(e.msg, path));
    unlink(path);
    t_assert_code(did_json_read_file(path, NULL, &root, &e), DID_ERR_IO, &e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_depth_prescan_fast),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_string_limit),
        cmocka_unit_test(test_entries_limit),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_get_accessors),
        cmocka_unit_test(test_settings_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
