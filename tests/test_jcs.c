/* RFC 8785 JCS: published vectors, the RFC's own examples, and number formatting edge cases. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include <did/json.h>

/* Parses text with the default limits and returns its canonical form (caller frees). */
static char *canon(const char *text)
{
    json_t *v = NULL;
    did_err err_s, *err = &err_s;
    did_buf out;
    did_buf_init(&out);
    t_assert_ok(did_json_parse(text, strlen(text), NULL, &v, err), err);
    t_assert_ok(did_jcs_write(v, &out, err), err);
    json_decref(v);
    size_t len = 0;
    return (char *)did_buf_steal(&out, &len);
}

static void assert_canon(const char *in, const char *want)
{
    char *got = canon(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_published_vectors(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", t_vector_path("jcs/input"));
    DIR *d = opendir(dir);
    assert_non_null(d);
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "jcs/input/%s", de->d_name);
        size_t in_len = 0, want_len = 0;
        uint8_t *in = t_read_file(t_vector_path(rel), &in_len);
        snprintf(rel, sizeof rel, "jcs/output/%s", de->d_name);
        uint8_t *want = t_read_file(t_vector_path(rel), &want_len);

        json_t *v = NULL;
        did_err err_s, *err = &err_s;
        did_buf out;
        did_buf_init(&out);
        t_assert_ok(did_json_parse(in, in_len, NULL, &v, err), err);
        t_assert_ok(did_jcs_write(v, &out, err), err);
        if (out.len != want_len || memcmp(out.data, want, want_len) != 0)
            fail_msg("%s: got %s want %.*s", de->d_name, (const char *)out.data, (int)want_len,
                     (const char *)want);
        json_decref(v);
        did_buf_clear(&out);
        free(in);
        free(want);
        count++;
    }
    closedir(d);
    assert_true(count >= 6);
}

static double from_bits(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static void assert_number(double d, const char *want)
{
    char buf[DID_JCS_NUMBER_MAX];
    size_t len = 0;
    did_err err_s, *err = &err_s;
    t_assert_ok(did_jcs_number(d, buf, &len, err), err);
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
}

/* RFC 8785 Appendix B, "Number Serialization Samples" (IEEE 754 bits -> JSON text). */
static void test_rfc8785_appendix_b(void **state)
{
    (void)state;
    static const struct {
        uint64_t bits;
        const char *want;
    } samples[] = {
        {0x0000000000000000u, "0"},
        {0x8000000000000000u, "0"},
        {0x0000000000000001u, "5e-324"},
        {0x8000000000000001u, "-5e-324"},
        {0x7fefffffffffffffu, "1.7976931348623157e+308"},
        {0xffefffffffffffffu, "-1.7976931348623157e+308"},
        {0x4340000000000000u, "9007199254740992"},
        {0xc340000000000000u, "-9007199254740992"},
        {0x4430000000000000u, "295147905179352830000"},
        {0x44b52d02c7e14af5u, "9.999999999999997e+22"},
        {0x44b52d02c7e14af6u, "1e+23"},
        {0x44b52d02c7e14af7u, "1.0000000000000001e+23"},
        {0x444b1ae4d6e2ef4eu, "999999999999999700000"},
        {0x444b1ae4d6e2ef4fu, "999999999999999900000"},
        {0x444b1ae4d6e2ef50u, "1e+21"},
        {0x3eb0c6f7a0b5ed8cu, "9.999999999999997e-7"},
        {0x3eb0c6f7a0b5ed8du, "0.000001"},
        {0x41b3de4355555553u, "333333333.3333332"},
        {0x41b3de4355555554u, "333333333.33333325"},
        {0x41b3de4355555555u, "333333333.3333333"},
        {0x41b3de4355555556u, "333333333.3333334"},
        {0x41b3de4355555557u, "333333333.33333343"},
        {0xbecbf647612f3696u, "-0.0000033333333333333333"},
        {0x43143ff3c1cb0959u, "1424953923781206.2"},
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        assert_number(from_bits(samples[i].bits), samples[i].want);

    /* Appendix B: NaN and Infinity have no JSON form. */
    static const uint64_t bad[] = {0x7fffffffffffffffu, 0x7ff0000000000000u,
                                   0xfff0000000000000u};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[DID_JCS_NUMBER_MAX];
        size_t len = 99;
        did_err err_s, *err = &err_s;
        t_assert_code(did_jcs_number(from_bits(bad[i]), buf, &len, err), DID_ERR_JSON_NUMBER,
                      err);
    }
}

static void test_number_edges(void **state)
{
    (void)state;
    assert_number(1e21, "1e+21");
    assert_number(1e20, "100000000000000000000");
    assert_number(1e-7, "1e-7");
    assert_number(1e-6, "0.000001");
    assert_number(1.5e-7, "1.5e-7");
    assert_number(123e-20, "1.23e-18");
    assert_number(5e-324, "5e-324");
    assert_number(1.7976931348623157e308, "1.7976931348623157e+308");
    assert_number(-0.0, "0");
    assert_number(0.1 + 0.2, "0.30000000000000004");
    assert_number(4.5, "4.5");
    assert_number(-1.0, "-1");
    assert_number(0.5, "0.5");

    /* Through the parser: numbers as written in a document. */
    assert_canon("[1e21,1e-7,123e-20,5e-324,1.7976931348623157e308,-0,-0.0,0.1]",
                 "[1e+21,1e-7,1.23e-18,5e-324,1.7976931348623157e+308,0,0,0.1]");
    /* 2^53+1 is an exact int64 but not a double: it prints as the nearest double, as ES does. */
    assert_canon("9007199254740993", "9007199254740992");
    assert_canon("[9007199254740993,-9007199254740993]", "[9007199254740992,-9007199254740992]");
    /* An integer beyond int64 is read as a double (I-JSON). */
    assert_canon("123456789012345678901234567890", "1.2345678901234568e+29");

    json_t *inf = json_real(1.0);
    assert_non_null(inf);
    /* jansson refuses to build non-finite reals, so exercise the writer on a finite one and the
     * error path through did_jcs_number directly (Appendix B above). */
    did_buf out;
    did_err err_s, *err = &err_s;
    did_buf_init(&out);
    t_assert_ok(did_jcs_write(inf, &out, err), err);
    assert_string_equal((const char *)out.data, "1");
    did_buf_clear(&out);
    json_decref(inf);
}

/* RFC 8785 section 3.2.2, the serialization example. */
/* Integral values below 2^53 take a fast path; it must agree with ECMAScript, which prints
 * them as their decimal digits, and hand over to the general search at 2^53 (where ES prints
 * the shortest digits padded with zeros: 2^60 is "1152921504606847000"). */
static void test_integer_fast_path(void **state)
{
    (void)state;
    char buf[DID_JCS_NUMBER_MAX], want[32];
    size_t len;
    did_err e;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned long long v = (unsigned long long)(x >> (11 + (unsigned)(i % 53)));
        double d = (double)v;
        assert_true(d < 9007199254740992.0);
        t_assert_ok(did_jcs_number(d, buf, &len, &e), &e);
        snprintf(want, sizeof want, "%llu", v);
        assert_string_equal(buf, want);
        t_assert_ok(did_jcs_number(-d, buf, &len, &e), &e);
        if (v == 0)
            assert_string_equal(buf, "0");
        else
            assert_true(buf[0] == '-' && strcmp(buf + 1, want) == 0);
    }
    static const struct {
        double d;
        const char *text;
    } edges[] = {
        {9007199254740991.0, "9007199254740991"},
        {9007199254740992.0, "9007199254740992"},
        {1152921504606846976.0, "1152921504606847000"},
        {1e20, "100000000000000000000"},
        {1e21, "1e+21"},
        {1.0, "1"},
        {1.5, "1.5"},
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        t_assert_ok(did_jcs_number(edges[i].d, buf, &len, &e), &e);
        assert_string_equal(buf, edges[i].text);
        assert_int_equal(len, strlen(edges[i].text));
    }
}

static void test_rfc8785_3_2_2(void **state)
{
    (void)state;
    assert_canon("{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
                 "0.000000000000000000000000001],\n"
                 "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                 "  \"literals\": [null, true, false]\n}",
                 "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,"
                 "1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 section 3.2.3, the sorting example: U+1F600 is the surrogate pair D83D DE00, so it
 * sorts before U+FB33 although its code point (and UTF-8 bytes) are larger. */
static void test_rfc8785_3_2_3_sorting(void **state)
{
    (void)state;
    assert_canon("{\n"
                 "  \"\\u20ac\": \"Euro Sign\",\n"
                 "  \"\\r\": \"Carriage Return\",\n"
                 "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
                 "  \"1\": \"One\",\n"
                 "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
                 "  \"\\u0080\": \"Control\",\n"
                 "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
                 "}",
                 "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
                 "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
                 "\"\xe2\x82\xac\":\"Euro Sign\","
                 "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
                 "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
    /* Prefixes sort first; nested objects are sorted too; arrays keep their order. */
    assert_canon("{\"b\":{\"z\":1,\"a\":[3,1,2]},\"ab\":1,\"a\":0,\"\":2}",
                 "{\"\":2,\"a\":0,\"ab\":1,\"b\":{\"a\":[3,1,2],\"z\":1}}");
}

static void test_control_escapes(void **state)
{
    (void)state;
    /* Every C0 control character, built directly (the parser rejects U+0000 itself). */
    static const char *const want[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    };
    for (int c = 0; c < 32; c++) {
        char raw = (char)c;
        char expect[16];
        json_t *s = json_stringn(&raw, 1);
        assert_non_null(s);
        did_buf out;
        did_err err_s, *err = &err_s;
        did_buf_init(&out);
        t_assert_ok(did_jcs_write(s, &out, err), err);
        snprintf(expect, sizeof expect, "\"%s\"", want[c]);
        assert_string_equal((const char *)out.data, expect);
        did_buf_clear(&out);
        json_decref(s);
    }
}

static void test_string_escapes(void **state)
{
    (void)state;
    /* Short forms for \b \f \n \r \t, lowercase \u00xx for the other C0 controls, and
     * DEL, U+2028 and '/' literal. */
    assert_canon("\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u001F\\u007f\\u2028/\\\"\\\\\"",
                 "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u001f\x7f\xe2\x80\xa8/\\\"\\\\\"");
    assert_canon("\"\\u000b\\u000e\"", "\"\\u000b\\u000e\"");

    /* A json_t built by code may hold U+0000; the writer still escapes it. */
    json_t *s = json_stringn("a\0b", 3);
    assert_non_null(s);
    did_buf out;
    did_err err_s, *err = &err_s;
    did_buf_init(&out);
    t_assert_ok(did_jcs_write(s, &out, err), err);
    assert_string_equal((const char *)out.data, "\"a\\u0000b\"");
    did_buf_clear(&out);
    json_decref(s);
}

static void test_depth_limit(void **state)
{
    (void)state;
    json_t *root = json_array();
    json_t *cur = root;
    assert_non_null(root);
    /* root plus 127 nested arrays = depth 128: allowed. */
    for (int i = 1; i < DID_JCS_MAX_DEPTH; i++) {
        json_t *next = json_array();
        assert_non_null(next);
        assert_int_equal(json_array_append_new(cur, next), 0);
        cur = next;
    }
    did_buf out;
    did_err err_s, *err = &err_s;
    did_buf_init(&out);
    t_assert_ok(did_jcs_write(root, &out, err), err);
    assert_int_equal(out.len, 2 * DID_JCS_MAX_DEPTH);

    /* One more level: DEPTH, and the buffer is left as it was. */
    did_buf_reset(&out);
    t_assert_ok(did_buf_append_str(&out, "keep"), err);
    json_t *obj = json_object();
    assert_non_null(obj);
    assert_int_equal(json_array_append_new(cur, obj), 0);
    t_assert_code(did_jcs_write(root, &out, err), DID_ERR_JSON_DEPTH, err);
    assert_int_equal(out.len, 4);
    assert_string_equal((const char *)out.data, "keep");
    did_buf_clear(&out);
    json_decref(root);
}

static void test_appends(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:b,s:n}", "t", 1, "n");
    assert_non_null(v);
    did_buf out;
    did_err err_s, *err = &err_s;
    did_buf_init(&out);
    t_assert_ok(did_buf_append_str(&out, "x="), err);
    t_assert_ok(did_jcs_write(v, &out, err), err);
    assert_string_equal((const char *)out.data, "x={\"n\":null,\"t\":true}");
    did_buf_clear(&out);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_rfc8785_appendix_b),
        cmocka_unit_test(test_number_edges),
        cmocka_unit_test(test_integer_fast_path),
        cmocka_unit_test(test_rfc8785_3_2_2),
        cmocka_unit_test(test_rfc8785_3_2_3_sorting),
        cmocka_unit_test(test_control_escapes),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_appends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
