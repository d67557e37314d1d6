/*
 * varint.c -- multiformats unsigned varint (multiformats/unsigned-varint): little-endian groups
 * of 7 bits, the high bit of each byte saying another follows, at most 9 bytes (63 bits).
 *
 * Only the minimal encoding is accepted (no final 0x00 group after the first byte), so a
 * multicodec prefix has exactly one spelling and "the same key" can never be two strings.
 */
#include <did/codec.h>

size_t did_varint_encode(uint64_t v, uint8_t out[DID_VARINT_MAX_LEN])
{
    size_t i = 0;

    if (out == NULL || v >> 63 != 0)
        return 0;
    while (v >= 0x80) {
        out[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[i++] = (uint8_t)v;
    return i;
}

int did_varint_decode(const uint8_t *in, size_t n, uint64_t *v, size_t *used, did_err *err)
{
    uint64_t x = 0;

    if ((in == NULL && n != 0) || v == NULL || used == NULL)
        return did_err_set(err, DID_ERR_ARG, "varint decode: NULL argument");
    if (n == 0)
        return did_err_set(err, DID_ERR_VARINT, "varint: empty input");
    for (size_t i = 0; i < DID_VARINT_MAX_LEN; i++) {
        if (i == n)
            return did_err_set(err, DID_ERR_VARINT,
                               "varint: truncated after %zu byte%s (continuation bit set)", i,
                               i == 1 ? "" : "s");
        uint8_t b = in[i];
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) != 0)
            continue;
        if (b == 0 && i > 0)
            return did_err_set(err, DID_ERR_VARINT,
                               "varint: not minimally encoded (byte %zu is a final 0x00)", i);
        *v = x;
        *used = i + 1;
        return DID_OK;
    }
    return did_err_set(err, DID_ERR_VARINT,
                       "varint: longer than %d bytes (byte %d has the continuation bit)",
                       DID_VARINT_MAX_LEN, DID_VARINT_MAX_LEN - 1);
}
