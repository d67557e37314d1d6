/* Helpers shared by the cmocka tests: vector files, hex, JSON loading. */
#ifndef CIVID_TEST_SUPPORT_H
#define CIVID_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include <did/error.h>

/* Reads a whole file; fails the test if it cannot. Caller frees. *len excludes the added NUL. */
uint8_t *t_read_file(const char *path, size_t *len);
/* Path of a file under ../shared/vectors (static buffer, valid until the next call). */
const char *t_vector_path(const char *rel);
/* Loads ../shared/vectors/<rel> as JSON (jansson, lenient: these are trusted test files). */
json_t *t_vector_json(const char *rel);
/* Hex to bytes; fails the test on bad hex. Returns malloc'd bytes. */
uint8_t *t_unhex(const char *hex, size_t *len);
/* The message of a did_err or ck_err, or "" for NULL (functions, so that passing &local_err
 * draws no -Waddress warning). */
const char *t_did_err_msg(const did_err *err);
const char *t_ck_err_msg(const ck_err *err);
#define t_err_msg(e)                                                                             \
    _Generic((e), ck_err *: t_ck_err_msg, const ck_err *: t_ck_err_msg, default: t_did_err_msg)(e)
/* Asserts that rc is `code`, printing the error message when it is not. */
#define t_assert_code(rc, code, errp)                                                            \
    do {                                                                                         \
        int t_rc_ = (rc);                                                                        \
        if (t_rc_ != (code))                                                                     \
            fail_msg("expected %s (%d), got %s (%d): %s", did_err_name(code), (int)(code),      \
                     did_err_name(t_rc_), t_rc_, t_err_msg(errp));                     \
    } while (0)
#define t_assert_ok(rc, errp) t_assert_code(rc, 0, errp)

#endif
