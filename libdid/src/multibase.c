/*
 * multibase.c -- the two multibase encodings the did:key, Multikey and Data Integrity
 * specifications use: 'z' base58btc and 'u' base64url without padding. Every other prefix
 * (base16 'f', padded base64 'M'/'m', base58flickr 'Z', ...) is refused rather than decoded, so a
 * value has one spelling. base64url is the crypto library's strict codec.
 */
#include <did/codec.h>

#include "codec_internal.h"

/* Restores out to its length on entry, so a failed decode leaves nothing appended. */
static void mb_truncate(did_buf *out, size_t mark)
{
    out->len = mark;
    if (out->data != NULL)
        out->data[mark] = '\0';
}

static int mb_bad_prefix(did_err *err, char c)
{
    unsigned char u = (unsigned char)c;
    if (u > 0x20 && u < 0x7f)
        return did_err_set(err, DID_ERR_MULTIBASE,
                           "multibase: prefix '%c' is not accepted (only 'z' base58btc and 'u' "
                           "base64url)",
                           c);
    return did_err_set(err, DID_ERR_MULTIBASE,
                       "multibase: prefix byte 0x%02x is not accepted (only 'z' base58btc and "
                       "'u' base64url)",
                       (unsigned)u);
}

int did_multibase_encode(char base, const uint8_t *in, size_t n, did_buf *out, did_err *err)
{
    size_t mark, need, got = 0;
    ck_err ce;
    int rc;

    if (out == NULL || (in == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "multibase encode: NULL argument");
    if (base != DID_MULTIBASE_BASE58BTC && base != DID_MULTIBASE_BASE64URL)
        return mb_bad_prefix(err, base);
    mark = out->len;
    if (did_buf_putc(out, base) != DID_OK)
        return did_err_set(err, DID_ERR_NOMEM, "multibase encode: out of memory");
    if (base == DID_MULTIBASE_BASE58BTC) {
        rc = did_base58_encode(in, n, out, err);
        goto out;
    }
    if (n > (DID_BUF_MAX / 4) * 3) {
        rc = did_err_set(err, DID_ERR_LIMIT, "multibase encode: input of %zu bytes too large", n);
        goto out;
    }
    need = ck_b64url_encoded_len(n);
    rc = did_buf_reserve(out, need);
    if (rc != DID_OK) {
        rc = did_err_set(err, rc, "multibase encode: cannot grow the output buffer");
        goto out;
    }
    ck_err_clear(&ce);
    /* reserve left room for the encoding and its NUL */
    rc = ck_b64url_encode(in, n, (char *)out->data + out->len, need + 1, &got, &ce);
    if (rc != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        goto out;
    }
    out->len += got;
out:
    if (rc != DID_OK)
        mb_truncate(out, mark);
    return rc;
}

int did_multibase_decode(const char *in, size_t n, did_buf *out, char *base, did_err *err)
{
    size_t mark, cap, got = 0;
    ck_err ce;
    int rc;

    if (out == NULL || (in == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "multibase decode: NULL argument");
    if (n == 0)
        return did_err_set(err, DID_ERR_MULTIBASE, "multibase: empty value (no prefix)");
    if (in[0] != DID_MULTIBASE_BASE58BTC && in[0] != DID_MULTIBASE_BASE64URL)
        return mb_bad_prefix(err, in[0]);
    mark = out->len;
    if (in[0] == DID_MULTIBASE_BASE58BTC) {
        if (n - 1 > DID_BASE58_MAX_ENCODED)
            return did_err_set(err, DID_ERR_LIMIT,
                               "base58: input of %zu characters exceeds the limit of %d", n - 1,
                               DID_BASE58_MAX_ENCODED);
        cap = n - 1 < DID_BASE58_MAX_DECODED ? n - 1 : DID_BASE58_MAX_DECODED;
        rc = did_buf_reserve(out, cap);
        if (rc != DID_OK)
            return did_err_set(err, rc, "multibase decode: cannot grow the output buffer");
        /* Offsets in messages count the prefix, so they index the caller's string. */
        rc = did_base58_decode_raw(in + 1, n - 1, 1, out->data + out->len, cap, &got, err);
    } else {
        cap = (n - 1) / 4 * 3 + 2; /* a final group of 2 or 3 chars gives 1 or 2 bytes */
        rc = did_buf_reserve(out, cap);
        if (rc != DID_OK)
            return did_err_set(err, rc, "multibase decode: cannot grow the output buffer");
        ck_err_clear(&ce);
        rc = ck_b64url_decode(in + 1, n - 1, out->data + out->len, cap, &got, &ce);
        if (rc != CK_OK) {
            rc = did_err_from_ck(err, &ce);
            did_err_prefix(err, "multibase 'u' payload");
        }
    }
    if (rc != DID_OK) {
        mb_truncate(out, mark);
        return rc;
    }
    out->len += got;
    out->data[out->len] = '\0';
    if (base != NULL)
        *base = in[0];
    return DID_OK;
}
