/*
 * ck_b64std.c -- strict padded standard base64 (RFC 4648 section 4) on libsodium.
 *
 * The C2SP transparency-log formats (signed notes, checkpoints, tlog-proof) write hashes,
 * signatures and keys in this alphabet with '=' padding. As with base64url, libsodium does the
 * conversion and the checks here admit exactly one spelling per byte string: a signature line
 * or a root hash that could be written two ways would let two different texts carry the same
 * bytes.
 */
#include <sodium.h>

#include "ck/ck.h"

/* Value of a standard-alphabet character, or -1. */
static int ck_b64std_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

size_t ck_b64std_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

int ck_b64std_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || (in == NULL && n != 0))
        return ck_err_set(err, CK_ERR_ARG, "base64 encode: NULL %s", out == NULL ? "out" : "in");
    if (n > (SIZE_MAX - 8) / 4 * 3)
        return ck_err_set(err, CK_ERR_LIMIT, "base64 encode: input of %zu bytes too large", n);
    size_t need = ck_b64std_encoded_len(n) + 1;
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL,
                          "base64 encode: output needs %zu bytes (with NUL), have %zu", need, cap);
    if (n == 0) {
        out[0] = '\0';
    } else if (sodium_bin2base64(out, cap, in, n, sodium_base64_VARIANT_ORIGINAL) == NULL) {
        return ck_err_set(err, CK_ERR_BACKEND, "base64 encode: libsodium failed");
    }
    if (out_len != NULL)
        *out_len = need - 1;
    ck_err_clear(err);
    return CK_OK;
}

int ck_b64std_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (in == NULL && n != 0)
        return ck_err_set(err, CK_ERR_ARG, "base64 decode: NULL in");
    if (out == NULL && n != 0)
        return ck_err_set(err, CK_ERR_ARG, "base64 decode: NULL out");

    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (ck_b64std_value(c) >= 0 || c == '=')
            continue;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            return ck_err_set(err, CK_ERR_BASE64, "base64: whitespace at offset %zu", i);
        if (c == '-' || c == '_')
            return ck_err_set(err, CK_ERR_BASE64,
                              "base64: base64url character '%c' at offset %zu (the standard "
                              "alphabet uses '+' and '/')",
                              c, i);
        return ck_err_set(err, CK_ERR_BASE64,
                          "base64: byte 0x%02x at offset %zu is outside the alphabet",
                          (unsigned)(unsigned char)c, i);
    }
    /* Padding: at most two '=' and only at the very end. */
    size_t pad = 0;
    while (pad < n && pad < 3 && in[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++) {
        if (in[i] == '=')
            return ck_err_set(err, CK_ERR_BASE64,
                              "base64: padding '=' at offset %zu before the end", i);
    }
    if (n % 4 != 0)
        return ck_err_set(err, CK_ERR_BASE64,
                          "base64: length %zu is not a multiple of 4 (padding is required)", n);
    if (pad > 2)
        return ck_err_set(err, CK_ERR_BASE64, "base64: %zu padding characters (at most 2)", pad);
    if (pad != 0) {
        /* The last data char carries 4 (pad 2) or 2 (pad 1) bits past the final byte; a
         * canonical encoding has them zero. */
        int v = ck_b64std_value(in[n - pad - 1]);
        int mask = pad == 2 ? 0x0f : 0x03;
        if ((v & mask) != 0)
            return ck_err_set(err, CK_ERR_BASE64,
                              "base64: non-zero trailing bits in the char at offset %zu",
                              n - pad - 1);
    }
    size_t need = n / 4 * 3 - pad;
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL,
                          "base64 decode: output needs %zu bytes, have %zu", need, cap);
    size_t got = 0;
    if (n != 0) {
        const char *end = NULL;
        if (sodium_base642bin(out, cap, in, n, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) !=
                0 ||
            end != in + n || got != need)
            return ck_err_set(err, CK_ERR_BASE64,
                              "base64: libsodium rejected the input at offset %zu",
                              end != NULL ? (size_t)(end - in) : (size_t)0);
    }
    if (out_len != NULL)
        *out_len = got;
    ck_err_clear(err);
    return CK_OK;
}
