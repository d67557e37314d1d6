/*
 * ck_b64url.c -- strict unpadded base64url (RFC 4648 section 5) on libsodium.
 *
 * libsodium does the conversion; the checks here make the accepted language exactly one
 * encoding per byte string, because JWK members, JWS segments and multibase values are
 * compared and hashed as text and a second spelling of the same bytes would bypass that.
 */
#include <sodium.h>

#include "ck/ck.h"

/* Value of a URL-safe alphabet character, or -1. */
static int ck_b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

size_t ck_b64url_encoded_len(size_t n)
{
    size_t rem = n % 3;
    return n / 3 * 4 + (rem == 0 ? 0 : rem + 1);
}

int ck_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || (in == NULL && n != 0))
        return ck_err_set(err, CK_ERR_ARG, "b64url encode: NULL %s", out == NULL ? "out" : "in");
    /* Anything larger would overflow size_t in the length computation. */
    if (n > (SIZE_MAX - 4) / 4 * 3)
        return ck_err_set(err, CK_ERR_LIMIT, "b64url encode: input of %zu bytes too large", n);
    size_t need = ck_b64url_encoded_len(n) + 1;
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL,
                          "b64url encode: output needs %zu bytes (with NUL), have %zu", need, cap);
    if (n == 0) {
        out[0] = '\0';
    } else if (sodium_bin2base64(out, cap, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
               NULL) {
        return ck_err_set(err, CK_ERR_BACKEND, "b64url encode: libsodium failed");
    }
    if (out_len != NULL)
        *out_len = need - 1;
    ck_err_clear(err);
    return CK_OK;
}

int ck_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (in == NULL && n != 0)
        return ck_err_set(err, CK_ERR_ARG, "b64url decode: NULL in");
    if (out == NULL && n != 0)
        return ck_err_set(err, CK_ERR_ARG, "b64url decode: NULL out");

    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (ck_b64url_value(c) >= 0)
            continue;
        if (c == '=')
            return ck_err_set(err, CK_ERR_BASE64,
                              "b64url: padding '=' at offset %zu (unpadded form required)", i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            return ck_err_set(err, CK_ERR_BASE64, "b64url: whitespace at offset %zu", i);
        return ck_err_set(err, CK_ERR_BASE64,
                          "b64url: byte 0x%02x at offset %zu is outside the URL-safe alphabet",
                          (unsigned)(unsigned char)c, i);
    }
    size_t rem = n % 4;
    if (rem == 1)
        return ck_err_set(err, CK_ERR_BASE64,
                          "b64url: length %zu is impossible (a final group of 1 char)", n);
    if (rem != 0) {
        /* The last char carries 4 (rem 2) or 2 (rem 3) bits past the final byte; a canonical
         * encoding has them zero. */
        int v = ck_b64url_value(in[n - 1]);
        int mask = rem == 2 ? 0x0f : 0x03;
        if ((v & mask) != 0)
            return ck_err_set(err, CK_ERR_BASE64,
                              "b64url: non-zero trailing bits in the char at offset %zu", n - 1);
    }
    size_t need = n / 4 * 3 + (rem == 0 ? 0 : rem - 1);
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL,
                          "b64url decode: output needs %zu bytes, have %zu", need, cap);
    size_t got = 0;
    if (n != 0) {
        const char *end = NULL;
        if (sodium_base642bin(out, cap, in, n, NULL, &got, &end,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
            end != in + n || got != need)
            return ck_err_set(err, CK_ERR_BASE64,
                              "b64url: libsodium rejected the input at offset %zu",
                              end != NULL ? (size_t)(end - in) : (size_t)0);
    }
    if (out_len != NULL)
        *out_len = got;
    ck_err_clear(err);
    return CK_OK;
}
