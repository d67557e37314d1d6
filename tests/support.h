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
/* Asserts that rc is `code`, printing the error message when it is not. */
#define t_assert_code(rc, code, errp)                                                            \
    do {                                                                                         \
        int t_rc_ = (rc);                                                                        \
        if (t_rc_ != (code))                                                                     \
            fail_msg("expected %s (%d), got %s (%d): %s", did_err_name(code), (int)(code),      \
                     did_err_name(t_rc_), t_rc_, (errp) ? (errp)->msg : "");                     \
    } while (0)
#define t_assert_ok(rc, errp) t_assert_code(rc, 0, errp)

#endif
