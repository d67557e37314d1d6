/*
 * ck_base64.c -- strict base64 on libsodium, in the two forms civid reads and writes:
 *
 *   base64url without padding (RFC 4648 section 5): JWK members, JWS segments, multibase 'u';
 *   standard base64 with padding (RFC 4648 section 4): the C2SP transparency-log formats
 *   (signed notes, checkpoints, tlog-proof).
 *
 * libsodium does the conversion; the checks here make the accepted language exactly one
 * encoding per byte string, because these values are compared and hashed as text, and a second
 * spelling of the same bytes (padding where there is none, non-zero trailing bits, the other
 * alphabet) would let two different texts carry the same bytes.
 */
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "ck/ck.h"

typedef struct b64_form {
    const char *name;   /* in messages */
    const char *other;  /* the other form's name, in messages */
    int sodium_variant; /* sodium_base64_VARIANT_* */
    char c62, c63;      /* the two characters the alphabets differ in */
    char other62, other63;
    int padded; /* '=' padding to a multiple of 4 is required (1) or refused (0) */
} b64_form;

static const b64_form B64URL = {"b64url", "standard base64",
                                sodium_base64_VARIANT_URLSAFE_NO_PADDING, '-', '_', '+', '/', 0};
static const b64_form B64STD = {"base64", "base64url", sodium_base64_VARIANT_ORIGINAL,
                                '+', '/', '-', '_', 1};

/* Value of an alphabet character, or -1. */
static int b64_value(const b64_form *f, char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == f->c62)
        return 62;
    if (c == f->c63)
        return 63;
    return -1;
}

static size_t b64_encoded_len(const b64_form *f, size_t n)
{
    if (f->padded)
        return (n + 2) / 3 * 4;
    size_t rem = n % 3;
    return n / 3 * 4 + (rem == 0 ? 0 : rem + 1);
}

static int b64_encode(const b64_form *f, const uint8_t *in, size_t n, char *out, size_t cap,
                      size_t *out_len, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || (in == NULL && n != 0))
        return ck_err_set(err, CK_ERR_ARG, "%s encode: NULL %s", f->name,
                          out == NULL ? "out" : "in");
    /* Anything larger would overflow size_t in the length computation. */
    if (n > (SIZE_MAX - 8) / 4 * 3)
        return ck_err_set(err, CK_ERR_LIMIT, "%s encode: input of %zu bytes too large", f->name,
                          n);
    size_t need = b64_encoded_len(f, n) + 1;
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL,
                          "%s encode: output needs %zu bytes (with NUL), have %zu", f->name, need,
                          cap);
    if (n == 0)
        out[0] = '\0';
    else if (sodium_bin2base64(out, cap, in, n, f->sodium_variant) == NULL)
        return ck_err_set(err, CK_ERR_BACKEND, "%s encode: libsodium failed", f->name);
    if (out_len != NULL)
        *out_len = need - 1;
    ck_err_clear(err);
    return CK_OK;
}

static int b64_decode(const b64_form *f, const char *in, size_t n, uint8_t *out, size_t cap,
                      size_t *out_len, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (in == NULL && n != 0)
        return ck_err_set(err, CK_ERR_ARG, "%s decode: NULL in", f->name);
    if (out == NULL && n != 0)
        return ck_err_set(err, CK_ERR_ARG, "%s decode: NULL out", f->name);

    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (b64_value(f, c) >= 0 || (c == '=' && f->padded))
            continue;
        if (c == '=')
            return ck_err_set(err, CK_ERR_BASE64,
                              "%s: padding '=' at offset %zu (unpadded form required)", f->name,
                              i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            return ck_err_set(err, CK_ERR_BASE64, "%s: whitespace at offset %zu", f->name, i);
        if (c == f->other62 || c == f->other63)
            return ck_err_set(err, CK_ERR_BASE64,
                              "%s: %s character '%c' at offset %zu (this alphabet uses '%c' and "
                              "'%c')",
                              f->name, f->other, c, i, f->c62, f->c63);
        return ck_err_set(err, CK_ERR_BASE64,
                          "%s: byte 0x%02x at offset %zu is outside the alphabet", f->name,
                          (unsigned)(unsigned char)c, i);
    }
    /* tail: characters in the final group that carry data, and bits past the last byte. */
    size_t pad = 0, tail;
    if (f->padded) {
        while (pad < n && pad < 3 && in[n - 1 - pad] == '=')
            pad++;
        for (size_t i = 0; i < n - pad; i++)
            if (in[i] == '=')
                return ck_err_set(err, CK_ERR_BASE64,
                                  "%s: padding '=' at offset %zu before the end", f->name, i);
        if (n % 4 != 0)
            return ck_err_set(err, CK_ERR_BASE64,
                              "%s: length %zu is not a multiple of 4 (padding is required)",
                              f->name, n);
        if (pad > 2)
            return ck_err_set(err, CK_ERR_BASE64, "%s: %zu padding characters (at most 2)",
                              f->name, pad);
        tail = pad == 0 ? 0 : 4 - pad;
    } else {
        tail = n % 4;
        if (tail == 1)
            return ck_err_set(err, CK_ERR_BASE64,
                              "%s: length %zu is impossible (a final group of 1 char)", f->name,
                              n);
    }
    if (tail != 0) {
        /* The last data char carries 4 (2 chars in the group) or 2 (3 chars) bits past the
         * final byte; a canonical encoding has them zero. */
        size_t at = n - pad - 1;
        int mask = tail == 2 ? 0x0f : 0x03;
        if ((b64_value(f, in[at]) & mask) != 0)
            return ck_err_set(err, CK_ERR_BASE64,
                              "%s: non-zero trailing bits in the char at offset %zu", f->name, at);
    }
    size_t need = (n - pad) / 4 * 3 + (tail == 0 ? 0 : tail - 1);
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL, "%s decode: output needs %zu bytes, have %zu",
                          f->name, need, cap);
    /* The input is now known to be canonical, so the decoding itself needs no checks and no
     * constant-time care (these are public tokens, not secrets): OpenSSL's table-driven
     * EVP_DecodeBlock over the standard alphabet, fed in blocks translated from base64url,
     * is several times faster than libsodium's constant-time decoder on JWS-sized input. */
    size_t data_len = n - pad, got = 0;
    unsigned char blk[4096 + 4];
    uint8_t last[3 * ((sizeof blk) / 4)];
    for (size_t at = 0; at < data_len;) {
        size_t take = data_len - at;
        if (take > 4096)
            take = 4096;
        int final = at + take == data_len;
        size_t m = take;
        for (size_t i = 0; i < take; i++) {
            char c = in[at + i];
            blk[i] = (unsigned char)(c == '-' ? '+' : c == '_' ? '/' : c);
        }
        while (m % 4 != 0)
            blk[m++] = '=';
        size_t bytes = take / 4 * 3 + (take % 4 == 0 ? 0 : take % 4 - 1);
        /* The final block decodes into a scratch buffer: EVP_DecodeBlock writes whole groups,
         * padding included, which may be more than out holds. */
        uint8_t *dst = final ? last : out + got;
        if (EVP_DecodeBlock(dst, blk, (int)m) != (int)(m / 4 * 3))
            return ck_err_set(err, CK_ERR_BASE64, "%s: undecodable input near offset %zu",
                              f->name, at);
        if (final)
            memcpy(out + got, last, bytes);
        got += bytes;
        at += take;
    }
    ck_wipe(last, sizeof last);
    if (got != need)
        return ck_err_set(err, CK_ERR_BACKEND, "%s: decoded %zu bytes, expected %zu", f->name, got,
                          need);
    if (out_len != NULL)
        *out_len = got;
    ck_err_clear(err);
    return CK_OK;
}

size_t ck_b64url_encoded_len(size_t n)
{
    return b64_encoded_len(&B64URL, n);
}

int ck_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    return b64_encode(&B64URL, in, n, out, cap, out_len, err);
}

int ck_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    return b64_decode(&B64URL, in, n, out, cap, out_len, err);
}

size_t ck_b64std_encoded_len(size_t n)
{
    return b64_encoded_len(&B64STD, n);
}

int ck_b64std_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    return b64_encode(&B64STD, in, n, out, cap, out_len, err);
}

int ck_b64std_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
                     ck_err *err)
{
    return b64_decode(&B64STD, in, n, out, cap, out_len, err);
}
