/* Fuzzes the codecs of did/codec.h on the same input: base58 and multibase decoding (a
 * successful decode must re-encode to exactly the input: one spelling per value), varint
 * decoding (re-encoding gives exactly the bytes read), and Multikey decoding, public and secret
 * (a decoded key must encode back to the input). A failed decode must leave its output buffer
 * as it was and report an error code of its own module. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARK "mark"

static void buf_mark(did_buf *b)
{
    did_buf_reset(b);
    if (did_buf_append_str(b, MARK) != DID_OK)
        abort();
}

/* Nothing appended, nothing overwritten, still NUL-terminated. */
static void check_unchanged(const did_buf *b)
{
    if (b->len != strlen(MARK) || memcmp(b->data, MARK, sizeof MARK) != 0)
        abort();
}

/* The bytes after the mark equal p[0..n). */
static int tail_equals(const did_buf *b, const void *p, size_t n)
{
    size_t m = strlen(MARK);
    return b->len == m + n && memcmp(b->data, MARK, m) == 0 &&
           (n == 0 || memcmp(b->data + m, p, n) == 0) && b->data[b->len] == 0;
}

static void fuzz_base58(const char *text, size_t size, did_buf *dec, did_buf *enc)
{
    did_err err;

    buf_mark(dec);
    int rc = did_base58_decode(text, size, dec, &err);
    if (rc != DID_OK) {
        if (rc != DID_ERR_BASE58 && rc != DID_ERR_LIMIT && rc != DID_ERR_NOMEM)
            abort();
        check_unchanged(dec);
        return;
    }
    size_t m = strlen(MARK);
    if (dec->len - m > size)
        abort(); /* never more bytes than characters */
    buf_mark(enc);
    rc = did_base58_encode(dec->data + m, dec->len - m, enc, &err);
    if (rc == DID_ERR_NOMEM)
        return;
    if (rc != DID_OK || !tail_equals(enc, text, size))
        abort();
}

static void fuzz_multibase(const char *text, size_t size, did_buf *dec, did_buf *enc)
{
    did_err err;
    char base = 0;

    buf_mark(dec);
    int rc = did_multibase_decode(text, size, dec, &base, &err);
    if (rc != DID_OK) {
        if (rc != DID_ERR_MULTIBASE && rc != DID_ERR_BASE58 && rc != DID_ERR_LIMIT &&
            rc != CK_ERR_BASE64 && rc != DID_ERR_NOMEM)
            abort();
        check_unchanged(dec);
        return;
    }
    if (size == 0 || base != text[0])
        abort();
    size_t m = strlen(MARK);
    buf_mark(enc);
    rc = did_multibase_encode(base, dec->data + m, dec->len - m, enc, &err);
    if (rc == DID_ERR_NOMEM)
        return;
    if (rc != DID_OK || !tail_equals(enc, text, size))
        abort();
}

static void fuzz_varint(const uint8_t *data, size_t size)
{
    uint8_t again[DID_VARINT_MAX_LEN];
    uint64_t v = 0;
    size_t used = 0;
    did_err err;

    int rc = did_varint_decode(data, size, &v, &used, &err);
    if (rc != DID_OK) {
        if (rc != DID_ERR_VARINT)
            abort();
        return;
    }
    if (used == 0 || used > size || used > DID_VARINT_MAX_LEN)
        abort();
    size_t n = did_varint_encode(v, again);
    if (n != used || memcmp(again, data, n) != 0)
        abort();
}

static void fuzz_multikey(const char *text, size_t size, int secret, did_buf *enc)
{
    ck_key *key = NULL;
    did_err err;
    int rc;

    rc = secret ? did_multikey_decode_secret(text, size, &key, &err)
                : did_multikey_decode(text, size, &key, &err);
    if (rc != DID_OK) {
        if (key != NULL)
            abort(); /* *out stays NULL on error */
        return;
    }
    if (key == NULL || (ck_key_has_private(key) != 0) != secret)
        abort();
    buf_mark(enc);
    rc = secret ? did_multikey_encode_secret(key, enc, &err) : did_multikey_encode(key, enc, &err);
    ck_key_free(key);
    if (rc == DID_ERR_NOMEM)
        return;
    if (rc != DID_OK || !tail_equals(enc, text, size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    did_buf dec, enc;

    did_buf_init(&dec);
    did_buf_init(&enc);
    fuzz_base58(text, size, &dec, &enc);
    fuzz_multibase(text, size, &dec, &enc);
    fuzz_varint(data, size);
    if (size > 0)
        fuzz_varint(data + 1, size - 1); /* past a multibase prefix byte */
    fuzz_multikey(text, size, 0, &enc);
    fuzz_multikey(text, size, 1, &enc);
    did_buf_clear_secret(&dec);
    did_buf_clear_secret(&enc);
    return 0;
}
