/*
 * log_internal.h -- text helpers shared by the audit-log formats (log_note.c, log_proof.c).
 * Private to libdid.
 */
#ifndef DID_LOG_INTERNAL_H
#define DID_LOG_INTERNAL_H

#include <did/log.h>

/* Checks that p[0..len) is note text as C2SP signed-note defines it: valid UTF-8 (no overlong
 * forms, surrogates or code points above U+10FFFF) and no ASCII control character but '\n'.
 * On failure returns `code` with a message "<what>: ... at offset <base + i>". */
int did_log_i_text_check(const uint8_t *p, size_t len, size_t base, int code, const char *what,
                         did_err *err);

/* Checks a key name: 1..DID_LOG_NAME_MAX bytes of UTF-8, no control character, no Unicode
 * space (Go's unicode.IsSpace set), no '+'. Returns `code` with a message naming `what`. */
int did_log_i_name_check(const char *p, size_t len, int code, const char *what, did_err *err);

/* Parses an ASCII decimal with no sign and no leading zeros ("0" alone is allowed) that fits a
 * uint64_t. Returns NULL on success, otherwise a short reason for the error message. */
const char *did_log_i_parse_u64(const char *p, size_t len, uint64_t *v);

/* Strict padded standard base64 (ck_b64std_decode) with crypto errors mapped to `code`, the
 * message naming `what` and the offset base + (offset within p). */
int did_log_i_b64_decode(const char *p, size_t len, uint8_t *out, size_t cap, size_t *out_len,
                         int code, const char *what, size_t base, did_err *err);

/* Appends the standard base64 of in[0..n) to out. */
int did_log_i_b64_append(did_buf *out, const uint8_t *in, size_t n, did_err *err);

#endif
