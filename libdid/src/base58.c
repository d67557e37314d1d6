/*
 * base58.c -- base58btc (the Bitcoin alphabet), as multibase 'z', Multikey and did:key use it.
 *
 * The conversion is the schoolbook one (quadratic in the length), done on 32-bit limbs: decoding
 * multiplies a base-2^32 number by 58^5 per five characters, encoding divides a base-58^5 number
 * per four input bytes. That is about twenty times fewer inner-loop steps than the usual
 * byte-at-a-time loop, which matters because every did:key verification decodes one.
 *
 * Every string in the alphabet decodes to exactly one byte string and that byte string encodes
 * back to the same text (leading '1's are leading zero bytes, the rest is a number without
 * leading zero digits), so no second spelling of a key can exist.
 */
#include <string.h>

#include <did/codec.h>

#include "codec_internal.h"

static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Digit value of an ASCII character, NO (0xff) outside the alphabet ('0', 'O', 'I', 'l' and
 * every non-alphanumeric character). Bytes >= 0x80 are rejected before the lookup. */
#define NO 0xff
/* clang-format off */
static const uint8_t b58_digit[128] = {
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, /* 0x00 */
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, /* 0x10 */
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, /* 0x20 */
    NO,  0,  1,  2,  3,  4,  5,  6,  7,  8, NO, NO, NO, NO, NO, NO, /* 0x30 '1'-'9' (no '0') */
    NO,  9, 10, 11, 12, 13, 14, 15, 16, NO, 17, 18, 19, 20, 21, NO, /* 0x40 (no 'I', 'O') */
    22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, NO, NO, NO, NO, NO, /* 0x50 */
    NO, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, NO, 44, 45, 46, /* 0x60 (no 'l') */
    47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, NO, NO, NO, NO, NO, /* 0x70 */
};
/* clang-format on */

/* Characters per limb step and 58^k for k = 0..5 (58^5 < 2^32). */
#define B58_CHUNK 5
#define B58_BASE 656356768u
static const uint32_t b58_pow[B58_CHUNK + 1] = {1u, 58u, 3364u, 195112u, 11316496u, B58_BASE};

/* Scratch sizes. Decoding stops with DID_ERR_LIMIT before the number outgrows
 * DID_BASE58_MAX_DECODED bytes; encoding a number below 2^(8*1024) needs at most
 * ceil(8192 / log2(58^5)) = 280 base-58^5 digits. */
#define B58_LIMBS_MAX (DID_BASE58_MAX_DECODED / 4 + 1)
#define B58_DIGITS_MAX (DID_BASE58_MAX_DECODED * 8 / 29 + 2)

static void b58_wipe(void *p, size_t len)
{
    if (len > 0)
        ck_wipe(p, len);
}

/* Describes a rejected character for an error message (a byte value when not printable). */
static int b58_bad_char(did_err *err, unsigned char c, size_t offset)
{
    if (c > 0x20 && c < 0x7f)
        return did_err_set(err, DID_ERR_BASE58,
                           "base58: character '%c' at offset %zu is not in the base58btc alphabet",
                           (char)c, offset);
    return did_err_set(err, DID_ERR_BASE58,
                       "base58: byte 0x%02x at offset %zu is not in the base58btc alphabet",
                       (unsigned)c, offset);
}

int did_base58_decode_raw(const char *in, size_t n, size_t off, uint8_t *out, size_t cap,
                          size_t *out_len, did_err *err)
{
    uint32_t limb[B58_LIMBS_MAX]; /* little-endian base 2^32 */
    size_t nl = 0, zeros = 0, nbytes, total, i;
    int rc = DID_OK;

    if ((in == NULL && n != 0) || (out == NULL && cap != 0) || out_len == NULL)
        return did_err_set(err, DID_ERR_ARG, "base58 decode: NULL argument");
    if (n > DID_BASE58_MAX_ENCODED)
        return did_err_set(err, DID_ERR_LIMIT,
                           "base58: input of %zu characters exceeds the limit of %d", n,
                           DID_BASE58_MAX_ENCODED);
    /* Validate everything first, so the first bad character is the one reported. */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c >= 0x80 || b58_digit[c] == NO)
            return b58_bad_char(err, c, off + i);
    }
    while (zeros < n && in[zeros] == '1')
        zeros++;
    if (zeros > DID_BASE58_MAX_DECODED)
        return did_err_set(err, DID_ERR_LIMIT,
                           "base58: decoded value exceeds the limit of %d bytes",
                           DID_BASE58_MAX_DECODED);

    for (i = zeros; i < n;) {
        size_t k = n - i < B58_CHUNK ? n - i : B58_CHUNK;
        uint32_t v = 0;
        for (size_t j = 0; j < k; j++)
            v = v * 58u + (uint32_t)b58_digit[(unsigned char)in[i + j] & 0x7f];
        /* limb * 58^k + carry < 2^32 * 58^5, so the carry stays below 58^5. */
        uint64_t carry = v;
        for (size_t l = 0; l < nl; l++) {
            uint64_t t = (uint64_t)limb[l] * b58_pow[k] + carry;
            limb[l] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry != 0) {
            if (nl == B58_LIMBS_MAX) {
                rc = did_err_set(err, DID_ERR_LIMIT,
                                 "base58: decoded value exceeds the limit of %d bytes",
                                 DID_BASE58_MAX_DECODED);
                goto out;
            }
            limb[nl++] = (uint32_t)carry;
        }
        i += k;
    }

    /* The top limb is never zero (the first digit after the '1's is not zero). */
    nbytes = nl * 4;
    if (nl > 0) {
        uint32_t top = limb[nl - 1];
        while (nbytes > 0 && (top >> 24) == 0) {
            top <<= 8;
            nbytes--;
        }
    }
    total = zeros + nbytes;
    if (total > DID_BASE58_MAX_DECODED) {
        rc = did_err_set(err, DID_ERR_LIMIT, "base58: decoded value of %zu bytes exceeds %d", total,
                         DID_BASE58_MAX_DECODED);
        goto out;
    }
    if (total > cap) {
        rc = did_err_set(err, DID_ERR_LIMIT, "base58: decoded value of %zu bytes exceeds %zu",
                         total, cap);
        goto out;
    }
    if (zeros > 0)
        memset(out, 0, zeros);
    for (size_t b = 0; b < nbytes; b++) {
        size_t pos = nbytes - 1 - b; /* byte index, little-endian */
        out[zeros + b] = (uint8_t)(limb[pos / 4] >> (8 * (pos % 4)));
    }
    *out_len = total;
out:
    b58_wipe(limb, nl * sizeof limb[0]);
    return rc;
}

int did_base58_decode(const char *in, size_t n, did_buf *out, did_err *err)
{
    size_t got = 0;
    size_t cap = n < DID_BASE58_MAX_DECODED ? n : DID_BASE58_MAX_DECODED;
    int rc;

    if (out == NULL || (in == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "base58 decode: NULL argument");
    if (n > DID_BASE58_MAX_ENCODED)
        return did_err_set(err, DID_ERR_LIMIT,
                           "base58: input of %zu characters exceeds the limit of %d", n,
                           DID_BASE58_MAX_ENCODED);
    /* Each character yields at most one byte. */
    rc = did_buf_reserve(out, cap);
    if (rc != DID_OK)
        return did_err_set(err, rc, "base58 decode: cannot grow the output buffer");
    rc = did_base58_decode_raw(in, n, 0, out->data + out->len, cap, &got, err);
    if (rc != DID_OK)
        return rc;
    out->len += got;
    out->data[out->len] = '\0';
    return DID_OK;
}

int did_base58_encode(const uint8_t *in, size_t n, did_buf *out, did_err *err)
{
    uint32_t dig[B58_DIGITS_MAX]; /* little-endian base 58^5 */
    size_t nd = 0, zeros = 0, i, top_len = 0, total;
    char top[B58_CHUNK];
    char *p;
    int rc = DID_OK;

    if (out == NULL || (in == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "base58 encode: NULL argument");
    if (n > DID_BASE58_MAX_DECODED)
        return did_err_set(err, DID_ERR_LIMIT, "base58: input of %zu bytes exceeds the limit of %d",
                           n, DID_BASE58_MAX_DECODED);
    while (zeros < n && in[zeros] == 0)
        zeros++;

    /* Feed the number in big-endian 32-bit words; a short first word keeps the rest aligned. */
    i = zeros;
    while (i < n) {
        size_t k = (n - i) % 4 != 0 ? (n - i) % 4 : 4;
        uint32_t v = 0;
        for (size_t j = 0; j < k; j++)
            v = v << 8 | in[i + j];
        unsigned shift = (unsigned)(8 * k);
        /* digit * 2^shift + carry < 58^5 * 2^32 < 2^64, and the carry stays below 2^shift. */
        uint64_t carry = v;
        for (size_t d = 0; d < nd; d++) {
            uint64_t t = ((uint64_t)dig[d] << shift) + carry;
            dig[d] = (uint32_t)(t % B58_BASE);
            carry = t / B58_BASE;
        }
        while (carry != 0) {
            if (nd == B58_DIGITS_MAX) {
                rc = did_err_set(err, DID_ERR_INTERNAL, "base58 encode: scratch overflow");
                goto out;
            }
            dig[nd++] = (uint32_t)(carry % B58_BASE);
            carry /= B58_BASE;
        }
        i += k;
    }

    /* The most significant digit without leading zeros, every other one as five characters. */
    if (nd > 0) {
        uint32_t d = dig[nd - 1];
        while (d != 0) {
            top[B58_CHUNK - 1 - top_len++] = b58_alphabet[d % 58u];
            d /= 58u;
        }
    }
    total = zeros + top_len + (nd > 0 ? (nd - 1) * B58_CHUNK : 0);
    rc = did_buf_reserve(out, total);
    if (rc != DID_OK) {
        rc = did_err_set(err, rc, "base58 encode: cannot grow the output buffer");
        goto out;
    }
    p = (char *)out->data + out->len;
    memset(p, '1', zeros);
    p += zeros;
    memcpy(p, top + B58_CHUNK - top_len, top_len);
    p += top_len;
    for (size_t d = nd > 0 ? nd - 1 : 0; d-- > 0;) {
        uint32_t v = dig[d];
        for (size_t j = B58_CHUNK; j-- > 0;) {
            p[j] = b58_alphabet[v % 58u];
            v /= 58u;
        }
        p += B58_CHUNK;
    }
    out->len += total;
    out->data[out->len] = '\0';
out:
    b58_wipe(dig, nd * sizeof dig[0]);
    b58_wipe(top, sizeof top);
    return rc;
}
