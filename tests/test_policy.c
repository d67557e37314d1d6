/* test_policy.c -- the UCAN 1.0 policy language (did/policy.h): the UCAN fixtures
 * (tests/vectors/ucan/policy.json), selectors, like escapes, fail-closed resolution, limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/policy.h>

#include "support.h"

static json_t *load_fixture(void)
{
    size_t len;
    uint8_t *txt = t_read_file(CIVID_TEST_DATA_DIR "/ucan/policy.json", &len);
    json_t *v = NULL;
    did_err e;

    t_assert_ok(did_json_parse(txt, len, NULL, &v, &e), &e);
    free(txt);
    return v;
}

static void run_cases(const json_t *cases, int want)
{
    for (size_t i = 0; i < json_array_size(cases); i++) {
        const json_t *c = json_array_get(cases, i);
        const json_t *pols = json_object_get(c, "policies");
        for (size_t j = 0; j < json_array_size(pols); j++) {
            int match = -1;
            did_err e;
            t_assert_ok(did_policy_eval(json_array_get(pols, j), json_object_get(c, "args"), &match,
                                        NULL, &e),
                        &e);
            if (match != want)
                fail_msg("case %zu policy %zu: expected %d, got %d", i, j, want, match);
        }
    }
}

static void test_ucan_fixtures(void **state)
{
    (void)state;
    json_t *f = load_fixture();
    run_cases(json_object_get(f, "valid"), 1);
    run_cases(json_object_get(f, "invalid"), 0);
    json_decref(f);
}

static int eval_text(const char *pol, const char *args, int *match, did_err *e)
{
    json_t *p = NULL, *a = NULL;
    int rc = did_policy_parse(pol, strlen(pol), &p, e);
    if (rc == DID_OK) {
        assert_int_equal(did_json_parse(args, strlen(args), NULL, &a, e), 0);
        rc = did_policy_eval(p, a, match, NULL, e);
    }
    json_decref(p);
    json_decref(a);
    return rc;
}

static void expect(const char *pol, const char *args, int want)
{
    int match = -1;
    did_err e;
    t_assert_ok(eval_text(pol, args, &match, &e), &e);
    if (match != want)
        fail_msg("%s on %s: expected %d, got %d", pol, args, want, match);
}

static void expect_err(const char *pol, int code)
{
    int match = -1;
    did_err e;
    t_assert_code(eval_text(pol, "{}", &match, &e), code, &e);
}

static void test_selectors(void **state)
{
    (void)state;
    const char *args = "{\"a\":{\"b c\":[10,20,30]},\"x\":[1,2,3,4],\"s\":\"str\"}";
    expect("[[\"==\", \".a[\\\"b c\\\"][0]\", 10]]", args, 1);
    expect("[[\"==\", \".a[\\\"b c\\\"][-1]\", 30]]", args, 1);
    expect("[[\"==\", \".x[1:3]\", [2,3]]]", args, 1);
    expect("[[\"==\", \".x[:-2]\", [1,2]]]", args, 1);
    expect("[[\"==\", \".x[2:]\", [3,4]]]", args, 1);
    expect("[[\"==\", \".\", {\"a\":{\"b c\":[10,20,30]},\"x\":[1,2,3,4],\"s\":\"str\"}]]", args,
           1);
    /* optional: a miss is null */
    expect("[[\"==\", \".missing?\", null]]", args, 1);
    expect("[[\"==\", \".x[9]?\", null]]", args, 1);
    /* a non-optional miss fails the whole evaluation, even under "not" and "or" */
    expect("[[\"not\", [\"==\", \".missing\", 1]]]", args, 0);
    expect("[[\"or\", [[\"==\", \".missing\", 1], [\"==\", \".s\", \"str\"]]]]", args, 0);
    expect("[[\"!=\", \".missing\", 1]]", args, 0);
    /* type mismatch is false */
    expect("[[\"<\", \".s\", 5]]", args, 0);
    expect("[[\"like\", \".x\", \"*\"]]", args, 0);
    expect("[[\"all\", \".s\", [\"==\", \".\", 1]]]", args, 0);
    /* 1 == 1.0, and integer comparisons are exact */
    expect("[[\"==\", \".x[0]\", 1.0], [\">\", \".x[3]\", 3.5]]", args, 1);
    expect("[[\"==\", \".n\", 9007199254740993]]", "{\"n\":9007199254740993}", 1);
    expect("[[\"==\", \".n\", 9007199254740992]]", "{\"n\":9007199254740993}", 0);
    /* any of nothing fails, all of nothing holds */
    expect("[[\"any\", \".e\", [\"==\", \".\", 1]]]", "{\"e\":[]}", 0);
    expect("[[\"all\", \".e\", [\"==\", \".\", 1]]]", "{\"e\":[]}", 1);
}

static void test_like(void **state)
{
    (void)state;
    expect("[[\"like\", \".s\", \"a\\\\\\\\b*\"]]", "{\"s\":\"a\\\\bcd\"}", 1);
    expect("[[\"like\", \".s\", \"*\"]]", "{\"s\":\"\"}", 1);
    expect("[[\"like\", \".s\", \"a*b*c\"]]", "{\"s\":\"aXbYbZc\"}", 1);
    expect("[[\"like\", \".s\", \"a*b*c\"]]", "{\"s\":\"aXbYbZ\"}", 0);
    expect("[[\"like\", \".s\", \"\\\\*\"]]", "{\"s\":\"x\"}", 0);
    expect_err("[[\"like\", \".s\", \"a\\\\b\"]]", DID_ERR_POLICY_SYNTAX);
}

static void test_syntax(void **state)
{
    (void)state;
    expect_err("{}", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"~=\", \".a\", 1]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"==\", \".a\"]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"==\", \"a\", 1]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"==\", \".a.\", 1]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"==\", \".a..b\", 1]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"==\", \".a[]\", 1]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"==\", \".a[01]\", 1]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"==\", \".a??\", 1]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"<\", \".a\", \"1\"]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"and\", [\"==\", \".a\", 1]]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[\"not\", [\"==\", \".a\", 1], 2]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[[]]", DID_ERR_POLICY_SYNTAX);
    expect_err("[1]", DID_ERR_POLICY_SYNTAX);
}

#define P1 "[[\"all\",\".a\",[\"all\",\".\",[\"==\",\".\",1]]]]"
#define P2 "[[\"all\",\".a\",[\"any\",\".\",[\"==\",\".\",1]]]]"
#define P3 "[[\"all\",\".m\",[\"all\",\".\",[\">=\",\".\",0]]]]"

static void test_limits(void **state)
{
    (void)state;
    char buf[4096];
    size_t n = 0;
    int match;
    did_err e;
    json_t *args, *pol;

    /* nesting deeper than DID_POLICY_MAX_DEPTH */
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[");
    for (int i = 0; i < DID_POLICY_MAX_DEPTH + 1; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[\"not\",");
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[\"==\",\".\",1]");
    for (int i = 0; i < DID_POLICY_MAX_DEPTH + 1; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "]");
    snprintf(buf + n, sizeof(buf) - n, "]");
    expect_err(buf, DID_ERR_LIMIT);
    /* too many statements */
    n = (size_t)snprintf(buf, sizeof(buf), "[");
    for (int i = 0; i < DID_POLICY_MAX_NODES + 1; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s[\"==\",\".\",1]", i ? "," : "");
    snprintf(buf + n, sizeof(buf) - n, "]");
    expect_err(buf, DID_ERR_LIMIT);
    /* quantifiers multiply: 1000 x 1000 elements is over DID_POLICY_MAX_STEPS */
    args = json_object();
    json_t *arr = json_array();
    for (int i = 0; i < 1000; i++)
        json_array_append_new(arr, json_integer(i));
    json_object_set_new(args, "a", arr);
    assert_int_equal(did_policy_parse(P1, strlen(P1), &pol, &e), 0);
    /* inner "all" over a number is a mismatch (false): cheap */
    t_assert_ok(did_policy_eval(pol, args, &match, NULL, &e), &e);
    json_decref(pol);
    t_assert_ok(did_policy_parse(P2, strlen(P2), &pol, &e), &e);
    json_decref(pol);
    {
        /* a cross product over the same array */
        json_t *outer = json_object();
        json_t *rows = json_array();
        for (int i = 0; i < 400; i++)
            json_array_append(rows, arr);
        json_object_set_new(outer, "m", rows);
        t_assert_ok(did_policy_parse(P3, strlen(P3), &pol, &e), &e);
        t_assert_code(did_policy_eval(pol, outer, &match, NULL, &e), DID_ERR_LIMIT, &e);
        json_decref(pol);
        json_decref(outer);
    }
    json_decref(args);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ucan_fixtures), cmocka_unit_test(test_selectors),
        cmocka_unit_test(test_like),          cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
