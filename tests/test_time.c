/* XML Schema dateTimeStamp parsing and formatting (did/time.h). */
#include "support.h"

#include <string.h>

#include <did/time.h>

static int64_t parse_ok(const char *s)
{
    did_err e;
    int64_t t = 0;
    t_assert_ok(did_datetime_parse(s, strlen(s), &t, &e), &e);
    return t;
}

static void test_known_values(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2010-01-01T19:23:24Z"), 1262373804);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400);
    assert_int_equal(parse_ok("2038-01-19T03:14:08Z"), 2147483648LL);
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
    assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), -62135596800LL);
    assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), 253402300799LL);
    /* Offsets move the instant; fractions are truncated. */
    assert_int_equal(parse_ok("2010-01-01T20:23:24+01:00"), 1262373804);
    assert_int_equal(parse_ok("2010-01-01T14:23:24-05:00"), 1262373804);
    assert_int_equal(parse_ok("2010-01-01T19:23:24.999Z"), 1262373804);
    assert_int_equal(parse_ok("2023-06-18T21:19:10.000Z"), 1687123150);
    /* 24:00:00 is midnight at the end of the day. */
    assert_int_equal(parse_ok("1999-12-31T24:00:00Z"), 946684800);
}

static void test_rejects(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2010-01-01",                 /* no time */
        "2010-01-01T19:23:24",        /* no time zone: dateTime, not dateTimeStamp */
        "2010-01-01 19:23:24Z",       /* space instead of T */
        "2010-01-01t19:23:24Z",       /* lower-case t */
        "2010-01-01T19:23:24z",       /* lower-case z */
        "10-01-01T19:23:24Z",         /* two-digit year */
        "12010-01-01T19:23:24Z",      /* five-digit year */
        "-2010-01-01T19:23:24Z",      /* negative year */
        "0000-01-01T00:00:00Z",       /* year zero */
        "2010-13-01T00:00:00Z",       /* month 13 */
        "2010-00-01T00:00:00Z",
        "2010-02-29T00:00:00Z",       /* not a leap year */
        "1900-02-29T00:00:00Z",       /* century, not a leap year */
        "2010-04-31T00:00:00Z",
        "2010-01-01T25:00:00Z",
        "2010-01-01T24:00:01Z",
        "2010-01-01T23:60:00Z",
        "2016-12-31T23:59:60Z",       /* leap second */
        "2010-01-01T19:23:24.Z",      /* empty fraction */
        "2010-01-01T19:23:24+1:00",
        "2010-01-01T19:23:24+15:00",
        "2010-01-01T19:23:24+14:30",
        "2010-01-01T19:23:24+01:60",
        "2010-01-01T19:23:24+0100",
        "2010-01-01T19:23:24Z ",      /* trailing space */
        " 2010-01-01T19:23:24Z",
        "2010-01-01T19:23:24ZZ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        did_err e;
        int64_t t = 42;
        int rc = did_datetime_parse(bad[i], strlen(bad[i]), &t, &e);
        if (rc != DID_ERR_VC_DATE)
            fail_msg("'%s': expected DID_ERR_VC_DATE, got %d", bad[i], rc);
        assert_int_equal(e.code, DID_ERR_VC_DATE);
        assert_non_null(strstr(e.msg, "offset") != NULL || strstr(e.msg, "longer") != NULL
                            ? e.msg
                            : NULL);
    }
    /* An embedded NUL and the length limit. */
    did_err e;
    int64_t t;
    assert_int_equal(did_datetime_parse("2010-01-01T19:23:24Z\0", 21, &t, &e), DID_ERR_VC_DATE);
    char longv[DID_DATETIME_MAX_LEN + 10];
    memcpy(longv, "2010-01-01T19:23:24.", 20);
    memset(longv + 20, '1', sizeof longv - 21);
    longv[sizeof longv - 1] = 'Z';
    assert_int_equal(did_datetime_parse(longv, sizeof longv, &t, &e), DID_ERR_VC_DATE);
    assert_non_null(strstr(e.msg, "longer than"));
}

static void test_format_round_trip(void **state)
{
    (void)state;
    char buf[DID_DATETIME_BUF];
    did_err e;
    static const int64_t samples[] = {0, -1, 1262373804, 951782400, -62135596800LL,
                                      253402300799LL, 1687123150, 86399, 86400};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        t_assert_ok(did_datetime_format(samples[i], buf, &e), &e);
        assert_int_equal(strlen(buf), DID_DATETIME_BUF - 1);
        assert_int_equal(parse_ok(buf), samples[i]);
    }
    t_assert_ok(did_datetime_format(1262373804, buf, &e), &e);
    assert_string_equal(buf, "2010-01-01T19:23:24Z");
    assert_int_equal(did_datetime_format(253402300800LL, buf, &e), DID_ERR_ARG);
    assert_int_equal(did_datetime_format(-62135596801LL, buf, &e), DID_ERR_ARG);
    assert_true(did_time_now() > 1700000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
