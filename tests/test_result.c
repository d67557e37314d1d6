/* The structured verification result: checks, errors, warnings, bounds, JSON shape. */
#include "support.h"

#include <string.h>

#include <did/result.h>

static void test_empty_is_not_verified(void **state)
{
    (void)state;
    did_result r;
    did_result_init(&r);
    /* No check ran: nothing was verified. */
    assert_int_equal(did_result_verified(&r), 0);
    did_result_check(&r, DID_CHECK_SIGNATURE);
    assert_int_equal(did_result_verified(&r), 1);
    did_result_clear(&r);
}

static void test_fail_and_warn(void **state)
{
    (void)state;
    did_result r;
    did_err e;
    did_result_init(&r);
    did_result_set_format(&r, "vc-jwt");
    did_result_check(&r, DID_CHECK_FORMAT);
    did_result_check(&r, DID_CHECK_FORMAT); /* recorded once */
    did_err_set(&e, DID_ERR_JWS_SIGNATURE, "signature does not verify");
    assert_int_equal(did_result_fail(&r, DID_CHECK_SIGNATURE, &e), DID_ERR_JWS_SIGNATURE);
    did_result_warn(&r, DID_CHECK_STATUS, DID_ERR_STATUS_LIST, "list %s unreachable", "x");
    assert_int_equal(r.n_checks, 3);
    assert_int_equal(did_result_verified(&r), 0);

    json_t *j = did_result_to_json(&r);
    assert_non_null(j);
    assert_true(json_is_false(json_object_get(j, "verified")));
    assert_string_equal(json_string_value(json_object_get(j, "format")), "vc-jwt");
    json_t *checks = json_object_get(j, "checks");
    assert_int_equal(json_array_size(checks), 3);
    assert_string_equal(json_string_value(json_array_get(checks, 0)), "format");
    json_t *err0 = json_array_get(json_object_get(j, "errors"), 0);
    assert_int_equal(json_integer_value(json_object_get(err0, "code")), 506);
    assert_string_equal(json_string_value(json_object_get(err0, "name")), "DID_ERR_JWS_SIGNATURE");
    assert_string_equal(json_string_value(json_object_get(err0, "check")), "signature");
    assert_string_equal(json_string_value(json_object_get(err0, "message")),
                        "signature does not verify");
    json_t *w0 = json_array_get(json_object_get(j, "warnings"), 0);
    assert_string_equal(json_string_value(json_object_get(w0, "message")), "list x unreachable");
    assert_null(json_object_get(j, "document"));
    json_decref(j);
    did_result_clear(&r);
    assert_int_equal(r.n_checks, 0);
}

static void test_fail_without_code(void **state)
{
    (void)state;
    did_result r;
    did_err e;
    did_result_init(&r);
    did_err_clear(&e);
    /* A caller bug (no code) must still fail the result, never pass it. */
    assert_int_equal(did_result_fail(&r, DID_CHECK_PROOF, &e), DID_ERR_INTERNAL);
    assert_int_equal(did_result_fail(&r, DID_CHECK_PROOF, NULL), DID_ERR_INTERNAL);
    assert_int_equal(r.n_errors, 2);
    assert_int_equal(did_result_verified(&r), 0);
    did_result_clear(&r);
}

static void test_bounds(void **state)
{
    (void)state;
    did_result r;
    did_err e;
    did_result_init(&r);
    did_result_check(&r, DID_CHECK_SIGNATURE);
    for (int i = 0; i < DID_RESULT_MAX_PROBLEMS + 5; i++)
        did_result_warn(&r, DID_CHECK_STATUS, DID_ERR_STATUS_LIST, "warning %d", i);
    assert_int_equal(r.n_warnings, DID_RESULT_MAX_PROBLEMS);
    assert_int_equal(r.dropped, 5);
    /* Dropped warnings do not fail the result... */
    assert_int_equal(did_result_verified(&r), 1);
    did_err_set(&e, DID_ERR_VC_EXPIRED, "expired");
    for (int i = 0; i < DID_RESULT_MAX_PROBLEMS + 1; i++)
        did_result_fail(&r, DID_CHECK_VALID_UNTIL, &e);
    assert_int_equal(r.n_errors, DID_RESULT_MAX_PROBLEMS);
    assert_int_equal(r.dropped, 6);
    assert_true(r.dropped_error);
    /* ...a dropped error does, even if the listed ones were cleared by the caller. */
    r.n_errors = 0;
    assert_int_equal(did_result_verified(&r), 0);
    json_t *j = did_result_to_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "dropped")), 6);
    json_decref(j);
    /* Over-long names are truncated, not overflowed. */
    char longname[100];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    did_result_set_format(&r, longname);
    assert_int_equal(strlen(r.format), DID_FORMAT_NAME_MAX - 1);
    did_result_clear(&r);
}

static void test_document(void **state)
{
    (void)state;
    did_result r;
    did_result_init(&r);
    did_result_check(&r, DID_CHECK_SIGNATURE);
    did_result_set_document(&r, json_pack("{s:s}", "id", "urn:uuid:1"));
    did_result_set_document(&r, json_pack("{s:s}", "id", "urn:uuid:2")); /* replaces */
    json_t *j = did_result_to_json(&r);
    assert_true(json_is_true(json_object_get(j, "verified")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "document"), "id")), "urn:uuid:2");
    json_decref(j);
    did_result_clear(&r);
    assert_null(r.document);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_is_not_verified), cmocka_unit_test(test_fail_and_warn),
        cmocka_unit_test(test_fail_without_code),     cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
