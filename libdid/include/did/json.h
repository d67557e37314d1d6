/*
 * did/json.h -- strict JSON parsing on jansson, and RFC 8785 JSON Canonicalization (JCS).
 *
 * Parsing is strict ("reject, don't repair"): duplicate member names, invalid UTF-8, lone
 * surrogate escapes, U+0000 in strings, numbers outside IEEE 754 double range, and trailing
 * data are errors; size, nesting depth, string length and container sizes are bounded by
 * did_json_limits. Depth is checked by a pre-scan before jansson builds anything, so a deeply
 * nested input costs no allocation.
 *
 * Integers that fit in 64 bits stay jansson integers (json_integer); larger integers are parsed
 * as reals (IEEE 754 doubles), as I-JSON (RFC 7493) and JCS require.
 */
#ifndef DID_JSON_H
#define DID_JSON_H

#include <jansson.h>

#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct did_json_limits {
    size_t max_bytes;    /* whole document, in bytes */
    size_t max_depth;    /* nesting of arrays and objects; a scalar document has depth 0 */
    size_t max_string;   /* bytes in any one string or member name (UTF-8) */
    size_t max_entries;  /* members in any one object / elements in any one array */
} did_json_limits;

#define DID_JSON_DEFAULT_MAX_BYTES ((size_t)1 << 20)   /* 1 MiB */
#define DID_JSON_DEFAULT_MAX_DEPTH 64
#define DID_JSON_DEFAULT_MAX_STRING ((size_t)512 << 10) /* 512 KiB */
#define DID_JSON_DEFAULT_MAX_ENTRIES 10000

/* The defaults above. */
did_json_limits did_json_limits_default(void);

/* Parses exactly one JSON value from in[0..len) (no NUL needed). On success *out is a new
 * reference the caller releases with json_decref. lim NULL means the defaults.
 * Errors: DID_ERR_JSON_SYNTAX, _DUPLICATE_KEY, _DEPTH, _SIZE, _STRING, _UTF8, _NUMBER, _COUNT. */
int did_json_parse(const void *in, size_t len, const did_json_limits *lim, json_t **out,
                   did_err *err);

/* Appends the RFC 8785 canonical form of v to out: object members sorted by their UTF-16 code
 * units, no whitespace, strings with the minimal escapes, numbers in ECMAScript
 * Number.prototype.toString form. Errors: DID_ERR_JSON_NUMBER for NaN/Infinity,
 * DID_ERR_JSON_DEPTH past DID_JCS_MAX_DEPTH, DID_ERR_NOMEM. */
#define DID_JCS_MAX_DEPTH 128
int did_jcs_write(const json_t *v, did_buf *out, did_err *err);

/* ECMAScript Number::toString of d (RFC 8785 section 3.2.2.3) into out with a NUL; out needs
 * DID_JCS_NUMBER_MAX bytes. -0 serialises as "0". DID_ERR_JSON_NUMBER for NaN or infinities. */
#define DID_JCS_NUMBER_MAX 32
int did_jcs_number(double d, char out[DID_JCS_NUMBER_MAX], size_t *len, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Typed member access with errors that name the member. `required` selects between
 * DID_ERR_JSON_TYPE for a missing member and success with *s = NULL / *present = 0.
 */
/* String member: *s and *len point into the json_t (valid while it lives). */
int did_json_get_str(const json_t *obj, const char *name, int required, const char **s,
                     size_t *len, did_err *err);
/* Integer member (a JSON number with no fraction that fits in int64). */
int did_json_get_int(const json_t *obj, const char *name, int required, int64_t *v, int *present,
                     did_err *err);
/* Object / array member, borrowed. */
int did_json_get_obj(const json_t *obj, const char *name, int required, const json_t **v,
                     did_err *err);
int did_json_get_arr(const json_t *obj, const char *name, int required, const json_t **v,
                     did_err *err);
/* Optional members of settings objects (configuration files, request options), each a
 * DID_ERR_JSON_TYPE naming the member when present but wrong; absent leaves the outputs alone.
 * Integer in [lo, hi]: *v and *present as did_json_get_int. */
int did_json_get_int_range(const json_t *obj, const char *name, int64_t lo, int64_t hi,
                           int64_t *v, int *present, did_err *err);
/* Boolean: *v = 0 or 1 when present. */
int did_json_get_bool(const json_t *obj, const char *name, int *v, did_err *err);
/* String of fewer than cap bytes without NUL (and not empty unless allow_empty): copied with
 * its NUL into out when out is non-NULL, and *val (optional) points at it inside obj. */
int did_json_get_text(const json_t *obj, const char *name, char *out, size_t cap,
                      int allow_empty, const char **val, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_JSON_H */
