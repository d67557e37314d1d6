/* Bitstring Status List v1.0 (did/status.h): the specification's example encodedList, bit order
 * against an independently computed layout, round trips, every refusal of the decoder
 * (prefix, base64url, zlib / raw deflate, trailing data, CRC, size, GZIP bomb), the issued JSON,
 * and did_status_check with an in-test fetch callback.
 *
 * GZIP streams that the library would never produce are built here by hand (stored blocks and a
 * fixed-Huffman bomb), so this test needs no zlib of its own. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "support.h"

#include <did/codec.h>
#include <did/json.h>
#include <did/status.h>

/* Example 3 of the Recommendation (15 May 2025), section 2.2: 131,072 entries, all zero. */
#define SPEC_B64 "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
#define SPEC_ENCODED "u" SPEC_B64
#define SPEC_LIST_VC                                                               \
    "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"                   \
    " \"id\": \"https://example.com/credentials/status/3\","                       \
    " \"type\": [\"VerifiableCredential\", \"BitstringStatusListCredential\"],"    \
    " \"issuer\": \"did:example:12345\", \"validFrom\": \"2021-04-05T14:27:40Z\"," \
    " \"credentialSubject\": {\"id\": \"https://example.com/status/3#list\","      \
    " \"type\": \"BitstringStatusList\", \"statusPurpose\": \"revocation\","       \
    " \"encodedList\": \"" SPEC_ENCODED "\"}}"
/* The credentialStatus of Example 4 (section A.1). */
#define SPEC_ENTRY                                                                \
    "{\"id\": \"https://example.com/credentials/status/3#94567\","                \
    " \"type\": \"BitstringStatusListEntry\", \"statusPurpose\": \"revocation\"," \
    " \"statusListIndex\": \"94567\","                                            \
    " \"statusListCredential\": \"https://example.com/credentials/status/3\"}"

#define LIST_URL "https://example.com/credentials/status/3"
#define T_2021 1617632860 /* 2021-04-05T14:27:40Z */
#define T_NOW 1700000000  /* 2023-11-14T22:13:20Z */

static json_t *jparse(const char *s)
{
    json_t *v = NULL;
    did_err err;
    t_assert_ok(did_json_parse(s, strlen(s), NULL, &v, &err), &err);
    return v;
}

static did_status_list *mk(size_t entries, unsigned size)
{
    did_status_list *l = NULL;
    did_err err;
    t_assert_ok(did_status_list_new(entries, size, &l, &err), &err);
    assert_non_null(l);
    return l;
}

static void encode(const did_status_list *l, did_buf *out)
{
    did_err err;
    did_buf_init(out);
    t_assert_ok(did_status_list_encode(l, out, &err), &err);
}

/* Decodes and asserts the outcome; returns the list on success. */
static did_status_list *decode_n(const char *s, size_t n, unsigned size,
                                 const did_status_limits *lim, int want)
{
    did_status_list *l = (did_status_list *)1;
    did_err err;
    did_err_clear(&err);
    int rc = did_status_list_decode(s, n, size, lim, &l, &err);
    t_assert_code(rc, want, &err);
    assert_int_equal(err.code, rc);
    if (want != DID_OK) {
        assert_null(l);
        assert_true(err.msg[0] != '\0');
        return NULL;
    }
    assert_non_null(l);
    return l;
}

static did_status_list *decode_s(const char *s, unsigned size, int want)
{
    return decode_n(s, strlen(s), size, NULL, want);
}

/* ---- hand-made GZIP ------------------------------------------------------------------------ */

static uint32_t crc32_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put_le32(did_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    assert_int_equal(did_buf_append(b, x, 4), 0);
}

static const uint8_t GZ_HEADER[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

/* data as one gzip member of stored (uncompressed) deflate blocks. */
static void gzip_stored(const uint8_t *data, size_t n, did_buf *out)
{
    size_t off = 0;
    did_buf_init(out);
    assert_int_equal(did_buf_append(out, GZ_HEADER, sizeof GZ_HEADER), 0);
    do {
        size_t chunk = n - off > 65535 ? 65535 : n - off;
        uint8_t h[5] = {off + chunk == n ? 1 : 0, (uint8_t)chunk, (uint8_t)(chunk >> 8),
                        (uint8_t)~chunk, (uint8_t)(~chunk >> 8)};
        assert_int_equal(did_buf_append(out, h, 5), 0);
        assert_int_equal(did_buf_append(out, data + off, chunk), 0);
        off += chunk;
    } while (off < n);
    put_le32(out, crc32_bitwise(0, data, n));
    put_le32(out, (uint32_t)n);
}

typedef struct bitw {
    did_buf *b;
    uint32_t acc;
    unsigned n;
} bitw;

static void put_bits(bitw *w, uint32_t v, unsigned n)
{
    w->acc |= v << w->n;
    w->n += n;
    while (w->n >= 8) {
        assert_int_equal(did_buf_putc(w->b, (char)(w->acc & 0xff)), 0);
        w->acc >>= 8;
        w->n -= 8;
    }
}

/* Huffman codes are sent most significant bit first (RFC 1951 3.1.1). */
static void put_huff(bitw *w, uint32_t code, unsigned n)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++)
        r |= ((code >> i) & 1u) << (n - 1 - i);
    put_bits(w, r, n);
}

/* A GZIP bomb: one fixed-Huffman block of a literal 0 and `matches` copies of (length 258,
 * distance 1), i.e. 1 + 258 * matches zero bytes from 13 bits per 258 bytes. The trailer is
 * right when with_crc (computed bitwise, so keep those small). */
static void gzip_zero_bomb(size_t matches, int with_crc, did_buf *out)
{
    size_t total = 1 + 258 * matches;
    did_buf_init(out);
    assert_int_equal(did_buf_reserve(out, 10 + (matches * 13 + 30) / 8 + 8), 0);
    assert_int_equal(did_buf_append(out, GZ_HEADER, sizeof GZ_HEADER), 0);
    bitw w = {out, 0, 0};
    put_bits(&w, 1, 1);    /* BFINAL */
    put_bits(&w, 1, 2);    /* BTYPE 01: fixed Huffman */
    put_huff(&w, 0x30, 8); /* literal 0 */
    for (size_t i = 0; i < matches; i++) {
        put_huff(&w, 0xc5, 8); /* length code 285: 258 */
        put_huff(&w, 0, 5);    /* distance code 0: 1 */
    }
    put_huff(&w, 0, 7); /* end of block (256) */
    put_bits(&w, 0, 7); /* pad to a byte */
    uint32_t crc = 0;
    if (with_crc) {
        uint8_t zero[258] = {0};
        crc = crc32_bitwise(crc, zero, 1);
        for (size_t i = 0; i < matches; i++)
            crc = crc32_bitwise(crc, zero, 258);
    }
    put_le32(out, crc);
    put_le32(out, (uint32_t)total);
}

static void to_encoded(const uint8_t *gz, size_t n, did_buf *out)
{
    did_err err;
    did_buf_init(out);
    t_assert_ok(did_multibase_encode('u', gz, n, out, &err), &err);
}

static void spec_gzip(did_buf *gz)
{
    did_err err;
    did_buf_init(gz);
    t_assert_ok(did_multibase_decode(SPEC_ENCODED, strlen(SPEC_ENCODED), gz, NULL, &err), &err);
}

/* gz[0..n) re-encoded, then decoded with statusSize 1 and default limits. */
static void expect_gz(const uint8_t *gz, size_t n, int want)
{
    did_buf e;
    to_encoded(gz, n, &e);
    did_status_list_free(decode_n((const char *)e.data, e.len, 1, NULL, want));
    did_buf_clear(&e);
}

/* ---- the bitstring ------------------------------------------------------------------------- */

static void test_spec_example(void **state)
{
    (void)state;
    did_status_list *l = decode_s(SPEC_ENCODED, 1, DID_OK);
    size_t len = 0;
    const uint8_t *bits = did_status_list_bytes(l, &len);
    assert_int_equal(len, 16384);
    assert_int_equal(did_status_list_entries(l), 131072);
    assert_int_equal(did_status_list_status_size(l), 1);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(bits[i], 0);
    unsigned v = 1;
    did_err err;
    t_assert_ok(did_status_list_get(l, 131071, &v, &err), &err);
    assert_int_equal(v, 0);
    t_assert_code(did_status_list_get(l, 131072, &v, &err), DID_ERR_STATUS_INDEX, &err);
    did_status_list_free(l);

    /* An empty default list encodes to exactly the example. */
    l = mk(0, 1);
    did_buf e;
    encode(l, &e);
    assert_string_equal((const char *)e.data, SPEC_ENCODED);
    did_buf_clear(&e);
    did_status_list_free(l);
}

static void test_new_sizes(void **state)
{
    (void)state;
    did_status_list *l = NULL;
    did_err err;
    size_t len;

    l = mk(1, 1); /* raised to the minimum */
    did_status_list_bytes(l, &len);
    assert_int_equal(len, 16384);
    assert_int_equal(did_status_list_entries(l), 131072);
    did_status_list_free(l);
    l = mk(131073, 1); /* one more entry: one more byte, 8 more entries */
    did_status_list_bytes(l, &len);
    assert_int_equal(len, 16385);
    assert_int_equal(did_status_list_entries(l), 131080);
    did_status_list_free(l);
    l = mk(0, 2); /* 131,072 two-bit entries: 32 KB */
    did_status_list_bytes(l, &len);
    assert_int_equal(len, 32768);
    assert_int_equal(did_status_list_entries(l), 131072);
    did_status_list_free(l);
    l = mk(0, 3);
    did_status_list_bytes(l, &len);
    assert_int_equal(len, 49152);
    did_status_list_free(l);
    l = mk(DID_STATUS_MAX_ENTRIES, 1);
    assert_int_equal(did_status_list_entries(l), DID_STATUS_MAX_ENTRIES);
    did_status_list_free(l);

    l = (did_status_list *)1;
    t_assert_code(did_status_list_new(DID_STATUS_MAX_ENTRIES + 1, 1, &l, &err), DID_ERR_LIMIT,
                  &err);
    assert_null(l);
    t_assert_code(did_status_list_new(0, 0, &l, &err), DID_ERR_ARG, &err);
    t_assert_code(did_status_list_new(0, DID_STATUS_MAX_SIZE + 1, &l, &err), DID_ERR_LIMIT, &err);
    t_assert_code(did_status_list_new(0, 1, NULL, &err), DID_ERR_ARG, &err);
}

static void test_bit_order(void **state)
{
    (void)state;
    /* Indexes spread over the list, including both ends and byte boundaries. */
    static const size_t idx[] = {0, 1, 7, 8, 9, 15, 94567, 100000, 131070, 131071};
    uint8_t expect[16384];
    did_status_list *l = mk(0, 1);
    did_err err;
    size_t len;

    memset(expect, 0, sizeof expect);
    for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
        t_assert_ok(did_status_list_set(l, idx[i], 1, &err), &err);
        /* Index 0 is the left-most (most significant) bit of the first byte. */
        expect[idx[i] / 8] = (uint8_t)(expect[idx[i] / 8] | (0x80u >> (idx[i] % 8)));
    }
    const uint8_t *bits = did_status_list_bytes(l, &len);
    assert_int_equal(len, sizeof expect);
    assert_memory_equal(bits, expect, sizeof expect);
    assert_int_equal(bits[0], 0xc1); /* 0, 1 and 7 */
    assert_int_equal(bits[1], 0xc1); /* 8, 9 and 15 */
    assert_int_equal(bits[16383], 0x03);
    for (size_t i = 0; i < 131072; i += 997) {
        unsigned v = 2;
        t_assert_ok(did_status_list_get(l, i, &v, &err), &err);
        assert_int_equal(v, (expect[i / 8] >> (7 - i % 8)) & 1u);
    }
    did_status_list_free(l);

    /* Two-bit entries read left to right as big-endian numbers: entry 0 = 2 ("10"),
     * entry 1 = 1 ("01"), entry 3 = 3 ("11") -> 10 01 00 11 = 0x93. */
    l = mk(0, 2);
    t_assert_ok(did_status_list_set(l, 0, 2, &err), &err);
    t_assert_ok(did_status_list_set(l, 1, 1, &err), &err);
    t_assert_ok(did_status_list_set(l, 3, 3, &err), &err);
    t_assert_ok(did_status_list_set(l, 131071, 1, &err), &err);
    bits = did_status_list_bytes(l, &len);
    assert_int_equal(bits[0], 0x93);
    assert_int_equal(bits[32767], 0x01);
    unsigned v;
    static const unsigned want[4] = {2, 1, 0, 3};
    for (size_t i = 0; i < 4; i++) {
        t_assert_ok(did_status_list_get(l, i, &v, &err), &err);
        assert_int_equal(v, want[i]);
    }
    /* Overwriting clears the other bit too. */
    t_assert_ok(did_status_list_set(l, 3, 1, &err), &err);
    assert_int_equal(bits[0], 0x91);
    did_status_list_free(l);

    /* Three-bit entries straddle bytes: entry 2 is bits 6..8. 5 = 101 -> byte0 bit 6,
     * byte1 bit 0 (its MSB). */
    l = mk(0, 3);
    t_assert_ok(did_status_list_set(l, 2, 5, &err), &err);
    bits = did_status_list_bytes(l, &len);
    assert_int_equal(bits[0], 0x02);
    assert_int_equal(bits[1], 0x80);
    t_assert_ok(did_status_list_get(l, 2, &v, &err), &err);
    assert_int_equal(v, 5);
    did_status_list_free(l);
}

static void test_set_errors(void **state)
{
    (void)state;
    did_status_list *l = mk(0, 1);
    did_err err;
    unsigned v;
    t_assert_code(did_status_list_set(l, 131072, 1, &err), DID_ERR_STATUS_INDEX, &err);
    t_assert_code(did_status_list_set(l, 0, 2, &err), DID_ERR_ARG, &err);
    t_assert_code(did_status_list_get(l, (size_t)-1, &v, &err), DID_ERR_STATUS_INDEX, &err);
    t_assert_code(did_status_list_get(l, 0, NULL, &err), DID_ERR_ARG, &err);
    t_assert_code(did_status_list_set(NULL, 0, 1, &err), DID_ERR_ARG, &err);
    did_status_list_free(l);
    l = mk(0, 8);
    t_assert_ok(did_status_list_set(l, 5, 255, &err), &err);
    t_assert_code(did_status_list_set(l, 5, 256, &err), DID_ERR_ARG, &err);
    did_status_list_free(l);
}

/* Set, encode, decode, read back; then clear and get the all-zero example back. */
static void test_set_clear_round_trip(void **state)
{
    (void)state;
    for (int purpose = 0; purpose < 2; purpose++) { /* revocation and suspension lists alike */
        did_status_list *l = mk(0, 1), *d;
        did_buf e;
        did_err err;
        unsigned v;
        size_t index = purpose == 0 ? 94567 : 23452;

        t_assert_ok(did_status_list_set(l, index, 1, &err), &err);
        encode(l, &e);
        assert_true(strcmp((const char *)e.data, SPEC_ENCODED) != 0);
        d = decode_s((const char *)e.data, 1, DID_OK);
        t_assert_ok(did_status_list_get(d, index, &v, &err), &err);
        assert_int_equal(v, 1);
        t_assert_ok(did_status_list_get(d, index + 1, &v, &err), &err);
        assert_int_equal(v, 0);
        did_status_list_free(d);
        did_buf_clear(&e);
        /* Reinstated (suspension is reversible): all zero again. */
        t_assert_ok(did_status_list_set(l, index, 0, &err), &err);
        encode(l, &e);
        assert_string_equal((const char *)e.data, SPEC_ENCODED);
        did_buf_clear(&e);
        did_status_list_free(l);
    }
}

static void test_encode_decode_identity(void **state)
{
    (void)state;
    static const unsigned sizes[] = {1, 2, 3, 8};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        did_status_list *l = mk(200000, sizes[s]), *d;
        uint32_t x = 12345;
        did_err err;
        did_buf e;
        size_t n1, n2;
        for (int i = 0; i < 5000; i++) {
            x = x * 1103515245u + 12345u;
            size_t index = (x >> 4) % did_status_list_entries(l);
            unsigned value = (x >> 20) & ((1u << sizes[s]) - 1);
            t_assert_ok(did_status_list_set(l, index, value, &err), &err);
        }
        encode(l, &e);
        d = decode_s((const char *)e.data, sizes[s], DID_OK);
        const uint8_t *a = did_status_list_bytes(l, &n1);
        const uint8_t *b = did_status_list_bytes(d, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        assert_int_equal(did_status_list_entries(l), did_status_list_entries(d));
        did_status_list_free(d);
        did_buf_clear(&e);
        did_status_list_free(l);
    }
}

/* ---- the decoder's refusals ------------------------------------------------------------------ */

static void test_decode_prefix_and_base64(void **state)
{
    (void)state;
    decode_s("", 1, DID_ERR_STATUS_ENCODING);
    decode_s("z" SPEC_B64, 1, DID_ERR_STATUS_ENCODING);     /* base58btc prefix */
    decode_s("U" SPEC_B64, 1, DID_ERR_STATUS_ENCODING);     /* base64url-pad */
    decode_s("m" SPEC_B64, 1, DID_ERR_STATUS_ENCODING);     /* base64 */
    decode_s(SPEC_B64, 1, DID_ERR_STATUS_ENCODING);         /* no prefix at all */
    decode_s(SPEC_ENCODED "=", 1, DID_ERR_STATUS_ENCODING); /* padding */
    decode_s(SPEC_ENCODED " ", 1, DID_ERR_STATUS_ENCODING); /* whitespace */
    decode_s("uH4sI+AAAAAAAA", 1, DID_ERR_STATUS_ENCODING); /* base64, not base64url */
    decode_s("u", 1, DID_ERR_STATUS_ENCODING);              /* nothing */
    decode_n("u\0H4", 4, 1, NULL, DID_ERR_STATUS_ENCODING); /* embedded NUL */
    /* status size is validated before anything else */
    decode_s(SPEC_ENCODED, 0, DID_ERR_ARG);
    decode_s(SPEC_ENCODED, DID_STATUS_MAX_SIZE + 1, DID_ERR_LIMIT);
}

static void test_decode_gzip_framing(void **state)
{
    (void)state;
    did_buf gz, x;
    spec_gzip(&gz);
    assert_int_equal(gz.len, 51);
    expect_gz(gz.data, gz.len, DID_OK);

    /* Trailing garbage, and a second member (gunzip would concatenate; we take one). */
    did_buf_init(&x);
    assert_int_equal(did_buf_append(&x, gz.data, gz.len), 0);
    assert_int_equal(did_buf_putc(&x, 0), 0);
    expect_gz(x.data, x.len, DID_ERR_STATUS_ENCODING);
    did_buf_reset(&x);
    assert_int_equal(did_buf_append(&x, gz.data, gz.len), 0);
    assert_int_equal(did_buf_append(&x, gz.data, gz.len), 0);
    expect_gz(x.data, x.len, DID_ERR_STATUS_ENCODING);

    /* Truncated: every proper prefix fails. */
    for (size_t n = 0; n < gz.len; n++)
        expect_gz(gz.data, n, DID_ERR_STATUS_ENCODING);

    /* Raw deflate (header and trailer stripped) and the zlib wrapper (RFC 1950) are not
     * GZIP. */
    const uint8_t *raw = gz.data + 10;
    size_t raw_len = gz.len - 18;
    expect_gz(raw, raw_len, DID_ERR_STATUS_ENCODING);
    did_buf_reset(&x);
    uint8_t zh[2] = {0x78, 0x9c};
    uint8_t adler[4] = {0x40, 0x00, 0x00, 0x01}; /* Adler-32 of 16384 zeros: b = 16384, a = 1 */
    assert_int_equal(did_buf_append(&x, zh, 2), 0);
    assert_int_equal(did_buf_append(&x, raw, raw_len), 0);
    assert_int_equal(did_buf_append(&x, adler, 4), 0);
    expect_gz(x.data, x.len, DID_ERR_STATUS_ENCODING);

    /* Header and trailer corruption. */
    static const struct {
        size_t off;
        uint8_t xor_with;
    } flips[] = {
        {0, 0x01},  /* magic */
        {1, 0x01},  /* magic */
        {2, 0x01},  /* CM 9 */
        {3, 0x20},  /* reserved FLG bit */
        {43, 0x01}, /* CRC-32 */
        {47, 0x01}, /* ISIZE */
        {50, 0x01}, /* ISIZE high byte */
    };
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        did_buf_reset(&x);
        assert_int_equal(did_buf_append(&x, gz.data, gz.len), 0);
        x.data[flips[i].off] ^= flips[i].xor_with;
        expect_gz(x.data, x.len, DID_ERR_STATUS_ENCODING);
    }

    /* Optional header fields are RFC 1952 and accepted: FNAME. */
    did_buf_reset(&x);
    assert_int_equal(did_buf_append(&x, gz.data, 10), 0);
    x.data[3] = 0x08;
    assert_int_equal(did_buf_append(&x, "list.bin", 9), 0); /* with its NUL */
    assert_int_equal(did_buf_append(&x, gz.data + 10, gz.len - 10), 0);
    expect_gz(x.data, x.len, DID_OK);

    did_buf_clear(&x);
    did_buf_clear(&gz);
}

static void test_decode_minimum_size(void **state)
{
    (void)state;
    uint8_t *zeros = calloc(32768, 1);
    did_buf gz, e;
    assert_non_null(zeros);

    /* 16 KB exactly is fine; one byte less is not. */
    gzip_stored(zeros, 16384, &gz);
    expect_gz(gz.data, gz.len, DID_OK);
    did_buf_clear(&gz);
    gzip_stored(zeros, 16383, &gz);
    expect_gz(gz.data, gz.len, DID_ERR_STATUS_ENCODING);
    did_buf_clear(&gz);
    gzip_stored(zeros, 0, &gz);
    expect_gz(gz.data, gz.len, DID_ERR_STATUS_ENCODING);
    did_buf_clear(&gz);

    /* 16 KB of 2-bit entries is 65,536 entries: below minimumNumberOfEntries, unless an
     * ecosystem sets a lower bound; the 16 KB floor stays. */
    did_status_limits lim = did_status_limits_default();
    gzip_stored(zeros, 16384, &gz);
    to_encoded(gz.data, gz.len, &e);
    decode_n((const char *)e.data, e.len, 2, &lim, DID_ERR_STATUS_ENCODING);
    lim.min_entries = 65536;
    did_status_list *l = decode_n((const char *)e.data, e.len, 2, &lim, DID_OK);
    assert_int_equal(did_status_list_entries(l), 65536);
    did_status_list_free(l);
    did_buf_clear(&e);
    did_buf_clear(&gz);
    lim.min_entries = 0;
    gzip_stored(zeros, 16383, &gz);
    to_encoded(gz.data, gz.len, &e);
    decode_n((const char *)e.data, e.len, 1, &lim, DID_ERR_STATUS_ENCODING);
    did_buf_clear(&e);
    did_buf_clear(&gz);

    /* A stored-block stream is decoded byte for byte (bit order survives the codec). */
    zeros[0] = 0x80;
    zeros[16383] = 0x01;
    gzip_stored(zeros, 16384, &gz);
    to_encoded(gz.data, gz.len, &e);
    l = decode_n((const char *)e.data, e.len, 1, NULL, DID_OK);
    unsigned v;
    did_err err;
    t_assert_ok(did_status_list_get(l, 0, &v, &err), &err);
    assert_int_equal(v, 1);
    t_assert_ok(did_status_list_get(l, 1, &v, &err), &err);
    assert_int_equal(v, 0);
    t_assert_ok(did_status_list_get(l, 131071, &v, &err), &err);
    assert_int_equal(v, 1);
    did_status_list_free(l);
    did_buf_clear(&e);
    did_buf_clear(&gz);
    free(zeros);
}

static long max_rss_kb(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

static void test_gzip_bomb(void **state)
{
    (void)state;
    did_status_limits lim = did_status_limits_default();
    did_buf gz, e;

    /* The generator is right: a small bomb with a correct trailer decodes exactly at the cap
     * and fails one byte below it. */
    size_t m = 4064; /* 1 + 258 * 4064 = 1,048,513 bytes */
    gzip_zero_bomb(m, 1, &gz);
    to_encoded(gz.data, gz.len, &e);
    lim.max_decoded = 1 + 258 * m;
    did_status_list *l = decode_n((const char *)e.data, e.len, 1, &lim, DID_OK);
    size_t len;
    const uint8_t *bits = did_status_list_bytes(l, &len);
    assert_int_equal(len, 1 + 258 * m);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(bits[i], 0);
    did_status_list_free(l);
    lim.max_decoded = 258 * m;
    decode_n((const char *)e.data, e.len, 1, &lim, DID_ERR_LIMIT);
    did_buf_clear(&e);
    did_buf_clear(&gz);

    /* 256 MiB of zeros from 1.6 MB: stops at the default 16 MiB cap, and memory stays near
     * the cap, not near the bomb. (ru_maxrss only grows: if something earlier peaked higher
     * this proves nothing, but it cannot fail wrongly.) */
    gzip_zero_bomb(((size_t)256 << 20) / 258, 0, &gz);
    to_encoded(gz.data, gz.len, &e);
    did_buf_clear(&gz);
    long before = max_rss_kb();
    decode_n((const char *)e.data, e.len, 1, NULL, DID_ERR_LIMIT);
    long grown_kb = max_rss_kb() - before;
    assert_true(grown_kb < (long)((DID_STATUS_DEFAULT_MAX_DECODED + ((size_t)64 << 20)) >> 10));
    /* And with a lowered cap. */
    lim = did_status_limits_default();
    lim.max_decoded = (size_t)1 << 20;
    decode_n((const char *)e.data, e.len, 1, &lim, DID_ERR_LIMIT);
    /* The compressed-size cap refuses before decoding anything. */
    lim = did_status_limits_default();
    lim.max_compressed = 1 << 20;
    decode_n((const char *)e.data, e.len, 1, &lim, DID_ERR_LIMIT);
    did_buf_clear(&e);

    /* The largest 1-bit list decodes; the same 16 MiB read as 1-bit entries would be
     * 2^27 of them, past DID_STATUS_MAX_ENTRIES. */
    l = mk(DID_STATUS_MAX_ENTRIES, 1);
    encode(l, &e);
    did_status_list_free(l);
    l = decode_n((const char *)e.data, e.len, 1, NULL, DID_OK);
    assert_int_equal(did_status_list_entries(l), DID_STATUS_MAX_ENTRIES);
    did_status_list_free(l);
    did_buf_clear(&e);
    l = mk(DID_STATUS_MAX_ENTRIES, 2);
    encode(l, &e);
    did_status_list_free(l);
    decode_n((const char *)e.data, e.len, 1, NULL, DID_ERR_LIMIT);
    l = decode_n((const char *)e.data, e.len, 2, NULL, DID_OK);
    did_status_list_free(l);
    did_buf_clear(&e);

    /* Bad limits. */
    lim = did_status_limits_default();
    lim.max_decoded = 16383;
    decode_n(SPEC_ENCODED, strlen(SPEC_ENCODED), 1, &lim, DID_ERR_ARG);
    lim = did_status_limits_default();
    lim.max_compressed = 0;
    decode_n(SPEC_ENCODED, strlen(SPEC_ENCODED), 1, &lim, DID_ERR_ARG);
    lim = did_status_limits_default();
    lim.max_compressed = 50; /* the example is 51 bytes */
    decode_n(SPEC_ENCODED, strlen(SPEC_ENCODED), 1, &lim, DID_ERR_LIMIT);
}

/* ---- issuing ------------------------------------------------------------------------------- */

static void test_list_credential(void **state)
{
    (void)state;
    did_status_list *l = mk(0, 1), *d;
    json_t *vc = NULL;
    did_err err;
    unsigned v;

    t_assert_ok(did_status_list_set(l, 5, 1, &err), &err);
    t_assert_ok(did_status_list_credential(l, LIST_URL, "did:example:12345", "revocation", T_2021,
                                           &vc, &err),
                &err);
    json_t *want = jparse("{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
                          " \"id\": \"" LIST_URL "\","
                          " \"type\": [\"VerifiableCredential\", "
                          "\"BitstringStatusListCredential\"],"
                          " \"issuer\": \"did:example:12345\","
                          " \"validFrom\": \"2021-04-05T14:27:40Z\","
                          " \"credentialSubject\": {\"id\": \"" LIST_URL "#list\","
                          " \"type\": \"BitstringStatusList\", \"statusPurpose\": "
                          "\"revocation\", \"encodedList\": \"x\"}}");
    json_t *subject = json_object_get(vc, "credentialSubject");
    const char *enc = json_string_value(json_object_get(subject, "encodedList"));
    assert_non_null(enc);
    json_object_set_new(json_object_get(want, "credentialSubject"), "encodedList",
                        json_string(enc));
    assert_true(json_equal(vc, want));
    d = decode_s(enc, 1, DID_OK);
    t_assert_ok(did_status_list_get(d, 5, &v, &err), &err);
    assert_int_equal(v, 1);
    did_status_list_free(d);
    json_decref(want);
    json_decref(vc);

    /* statusSize appears for multi-bit lists and for "message". */
    did_status_list *l2 = mk(0, 2);
    t_assert_ok(
        did_status_list_credential(l2, LIST_URL, "did:example:12345", "message", T_2021, &vc, &err),
        &err);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(vc, "credentialSubject"), "statusSize")),
        2);
    json_decref(vc);
    did_status_list_free(l2);

    vc = (json_t *)1;
    t_assert_code(
        did_status_list_credential(l, LIST_URL, "did:example:1", "revoked", T_2021, &vc, &err),
        DID_ERR_STATUS_PURPOSE, &err);
    assert_null(vc);
    t_assert_code(did_status_list_credential(l, LIST_URL "#x", "did:example:1", "revocation",
                                             T_2021, &vc, &err),
                  DID_ERR_ARG, &err);
    t_assert_code(did_status_list_credential(l, "example.com/status", "did:example:1", "revocation",
                                             T_2021, &vc, &err),
                  DID_ERR_ARG, &err);
    t_assert_code(
        did_status_list_credential(l, LIST_URL, "not a url", "revocation", T_2021, &vc, &err),
        DID_ERR_ARG, &err);
    t_assert_code(did_status_list_credential(l, LIST_URL, "did:example:1", "revocation",
                                             (int64_t)1 << 40, &vc, &err),
                  DID_ERR_ARG, &err);
    did_status_list_free(l);
}

static void test_entry(void **state)
{
    (void)state;
    json_t *entry = NULL, *want = jparse(SPEC_ENTRY);
    did_err err;
    t_assert_ok(did_status_entry(LIST_URL, "revocation", 94567, &entry, &err), &err);
    assert_true(json_equal(entry, want));
    json_decref(entry);
    json_decref(want);
    entry = (json_t *)1;
    t_assert_code(did_status_entry(LIST_URL, "revocation", DID_STATUS_MAX_ENTRIES, &entry, &err),
                  DID_ERR_STATUS_INDEX, &err);
    assert_null(entry);
    t_assert_code(did_status_entry(LIST_URL, "Revocation", 1, &entry, &err), DID_ERR_STATUS_PURPOSE,
                  &err);
    t_assert_code(did_status_entry("", "revocation", 1, &entry, &err), DID_ERR_ARG, &err);
    t_assert_code(did_status_entry(NULL, "revocation", 1, &entry, &err), DID_ERR_ARG, &err);
}

/* ---- checking ------------------------------------------------------------------------------ */

typedef struct fetcher {
    json_t *vc; /* returned (a new reference) for any URL */
    int fail;   /* if non-zero, fail with this code */
    int calls;
    char last_url[256];
} fetcher;

static int fetch_cb(void *user, const char *url, json_t **vc, did_err *err)
{
    fetcher *f = user;
    f->calls++;
    snprintf(f->last_url, sizeof f->last_url, "%s", url);
    if (f->fail != 0)
        return did_err_set(err, f->fail, "cannot GET %s", url);
    *vc = json_incref(f->vc);
    return DID_OK;
}

/* A list credential at LIST_URL for purpose with `n` statuses set. */
static json_t *list_vc(const char *purpose, unsigned size, const size_t *idx, const unsigned *vals,
                       size_t n)
{
    did_status_list *l = mk(0, size);
    json_t *vc = NULL;
    did_err err;
    for (size_t i = 0; i < n; i++)
        t_assert_ok(did_status_list_set(l, idx[i], vals[i], &err), &err);
    t_assert_ok(
        did_status_list_credential(l, LIST_URL, "did:example:12345", purpose, T_2021, &vc, &err),
        &err);
    did_status_list_free(l);
    return vc;
}

static json_t *entry_json(const char *purpose, const char *index)
{
    json_t *e = jparse(SPEC_ENTRY);
    json_object_set_new(e, "statusPurpose", json_string(purpose));
    json_object_set_new(e, "statusListIndex", json_string(index));
    return e;
}

/* Runs the check; asserts the return code, the first recorded error and the warnings count. */
static void run_check(const json_t *status, fetcher *f, const did_status_check_opts *opts, int want,
                      size_t want_warnings, did_result *r)
{
    did_status_check_opts o;
    did_err err;
    if (opts == NULL) {
        did_status_check_opts_init(&o);
        o.now = T_NOW;
        opts = &o;
    }
    did_result_init(r);
    did_err_clear(&err);
    int rc = did_status_check(status, fetch_cb, f, opts, r, &err);
    t_assert_code(rc, want, &err);
    assert_int_equal(r->n_checks, 1);
    assert_string_equal(r->checks[0], DID_CHECK_STATUS);
    if (want == DID_OK) {
        if (r->n_errors != 0)
            fail_msg("unexpected error %s: %s", did_err_name(r->errors[0].code), r->errors[0].msg);
        assert_int_equal(did_result_verified(r), 1);
    } else {
        assert_true(r->n_errors >= 1);
        assert_int_equal(r->errors[0].code, want);
        assert_string_equal(r->errors[0].check, DID_CHECK_STATUS);
        assert_int_equal(err.code, want);
        assert_int_equal(did_result_verified(r), 0);
    }
    assert_int_equal(r->n_warnings, want_warnings);
}

static void check1(const json_t *status, json_t *vc, int want)
{
    fetcher f = {vc, 0, 0, ""};
    did_result r;
    run_check(status, &f, NULL, want, 0, &r);
    did_result_clear(&r);
}

static void test_check_spec_example(void **state)
{
    (void)state;
    json_t *vc = jparse(SPEC_LIST_VC), *e = jparse(SPEC_ENTRY);
    fetcher f = {vc, 0, 0, ""};
    did_result r;
    run_check(e, &f, NULL, DID_OK, 0, &r);
    assert_int_equal(f.calls, 1);
    assert_string_equal(f.last_url, LIST_URL);
    did_result_clear(&r);
    json_decref(e);
    json_decref(vc);
}

static void test_check_revoked_suspended(void **state)
{
    (void)state;
    size_t idx[] = {94567};
    unsigned one[] = {1};
    json_t *vc = list_vc("revocation", 1, idx, one, 1);
    json_t *e = entry_json("revocation", "94567");
    fetcher f = {vc, 0, 0, ""};
    did_result r;

    run_check(e, &f, NULL, DID_ERR_STATUS_REVOKED, 0, &r);
    assert_non_null(strstr(r.errors[0].msg, "94567"));
    did_result_clear(&r);
    /* The neighbours are fine. */
    json_object_set_new(e, "statusListIndex", json_string("94566"));
    check1(e, vc, DID_OK);
    json_object_set_new(e, "statusListIndex", json_string("94568"));
    check1(e, vc, DID_OK);
    json_decref(vc);
    json_decref(e);

    vc = list_vc("suspension", 1, idx, one, 1);
    e = entry_json("suspension", "94567");
    check1(e, vc, DID_ERR_STATUS_SUSPENDED);
    /* Reinstated. */
    json_decref(vc);
    vc = list_vc("suspension", 1, NULL, NULL, 0);
    check1(e, vc, DID_OK);
    json_decref(vc);
    json_decref(e);
}

static void test_check_purpose(void **state)
{
    (void)state;
    json_t *vc = list_vc("revocation", 1, NULL, NULL, 0);
    json_t *e = entry_json("suspension", "1");
    check1(e, vc, DID_ERR_STATUS_PURPOSE); /* list is for another purpose */
    json_object_set_new(e, "statusPurpose", json_string("expiry"));
    check1(e, vc, DID_ERR_STATUS_PURPOSE); /* unknown */
    json_object_set_new(e, "statusPurpose", json_integer(1));
    check1(e, vc, DID_ERR_STATUS_PURPOSE);
    json_object_del(e, "statusPurpose");
    check1(e, vc, DID_ERR_STATUS_PURPOSE);
    json_decref(e);

    /* One list for two purposes (section A.4): both entries check out with one fetch. */
    json_object_set_new(json_object_get(vc, "credentialSubject"), "statusPurpose",
                        json_pack("[s,s]", "revocation", "suspension"));
    json_t *arr =
        json_pack("[o,o]", entry_json("revocation", "94567"), entry_json("suspension", "12345"));
    fetcher f = {vc, 0, 0, ""};
    did_result r;
    run_check(arr, &f, NULL, DID_OK, 0, &r);
    assert_int_equal(f.calls, 1);
    did_result_clear(&r);
    json_decref(arr);
    json_decref(vc);
}

static void test_check_index(void **state)
{
    (void)state;
    static const char *bad[] = {"-1", "1e3", "", " 1", "1 ", "+1", "0x10", "1.0", "١"};
    size_t idx[] = {1};
    unsigned one[] = {1};
    json_t *vc = list_vc("revocation", 1, idx, one, 1);
    json_t *e = entry_json("revocation", "0");

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_object_set_new(e, "statusListIndex", json_string(bad[i]));
        check1(e, vc, DID_ERR_STATUS_INDEX);
    }
    json_object_set_new(e, "statusListIndex", json_integer(1)); /* a number, not a string */
    check1(e, vc, DID_ERR_STATUS_INDEX);
    json_object_del(e, "statusListIndex");
    check1(e, vc, DID_ERR_STATUS_INDEX);
    /* Beyond the list, including past 2^64. */
    json_object_set_new(e, "statusListIndex", json_string("131072"));
    check1(e, vc, DID_ERR_STATUS_INDEX);
    json_object_set_new(e, "statusListIndex", json_string("18446744073709551616"));
    check1(e, vc, DID_ERR_STATUS_INDEX);
    json_object_set_new(e, "statusListIndex", json_string("999999999999999999999999999999"));
    check1(e, vc, DID_ERR_STATUS_INDEX);
    /* The last entry, and leading zeros (base-10 digits all the same): "01" is index 1. */
    json_object_set_new(e, "statusListIndex", json_string("131071"));
    check1(e, vc, DID_OK);
    json_object_set_new(e, "statusListIndex", json_string("01"));
    check1(e, vc, DID_ERR_STATUS_REVOKED);
    json_object_set_new(e, "statusListIndex", json_string("0000000000000000000000000000001"));
    check1(e, vc, DID_ERR_STATUS_REVOKED);
    json_decref(e);
    json_decref(vc);
}

static void test_check_list_shape(void **state)
{
    (void)state;
    json_t *good = list_vc("revocation", 1, NULL, NULL, 0);
    json_t *e = entry_json("revocation", "7");
    json_t *vc;

    check1(e, good, DID_OK);
#define MUTATE(stmt, code)                                     \
    do {                                                       \
        vc = json_deep_copy(good);                             \
        json_t *cs = json_object_get(vc, "credentialSubject"); \
        (void)cs;                                              \
        stmt;                                                  \
        check1(e, vc, code);                                   \
        json_decref(vc);                                       \
    } while (0)
    MUTATE(json_object_set_new(vc, "type", json_pack("[s]", "VerifiableCredential")),
           DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(vc, "type", json_string("BitstringStatusListCredential")),
           DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(
               vc, "type", json_pack("[s,s]", "VerifiableCredential", "StatusList2021Credential")),
           DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(cs, "type", json_string("StatusList2021")), DID_ERR_STATUS_LIST);
    MUTATE(json_object_del(cs, "type"), DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(vc, "credentialSubject", json_pack("[O]", cs)), DID_ERR_STATUS_LIST);
    MUTATE(json_object_del(cs, "encodedList"), DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(cs, "encodedList", json_integer(1)), DID_ERR_STATUS_LIST);
    MUTATE(json_object_del(cs, "statusPurpose"), DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(cs, "statusPurpose", json_array()), DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(cs, "statusPurpose", json_pack("[s,i]", "revocation", 1)),
           DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(cs, "statusSize", json_integer(2)), DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(cs, "statusSize", json_integer(0)), DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(cs, "statusSize", json_integer(1)), DID_OK);
    /* An id other than the URL the entry names is another list. */
    MUTATE(json_object_set_new(vc, "id", json_string(LIST_URL "/other")), DID_ERR_STATUS_LIST);
    MUTATE(json_object_del(vc, "id"), DID_OK);
    /* Validity of the list. */
    MUTATE(json_object_set_new(vc, "validUntil", json_string("2023-11-14T22:13:19Z")),
           DID_ERR_STATUS_LIST); /* expired a second before now */
    MUTATE(json_object_set_new(vc, "validUntil", json_string("2023-11-14T22:13:20Z")), DID_OK);
    MUTATE(json_object_set_new(vc, "validFrom", json_string("2023-11-14T22:13:21Z")),
           DID_ERR_STATUS_LIST); /* not valid yet */
    MUTATE(json_object_set_new(vc, "validFrom", json_string("yesterday")), DID_ERR_STATUS_LIST);
    MUTATE(json_object_set_new(vc, "validUntil", json_string("2020-01-01T00:00:00Z")),
           DID_ERR_STATUS_LIST); /* before validFrom as well */
    MUTATE(json_object_del(vc, "validFrom"), DID_OK);
    /* encodedList problems are encoding errors. */
    MUTATE(json_object_set_new(cs, "encodedList", json_string("z" SPEC_B64)),
           DID_ERR_STATUS_ENCODING);
    MUTATE(json_object_set_new(cs, "encodedList", json_string("uH4sI")), DID_ERR_STATUS_ENCODING);
#undef MUTATE
    /* Not an object at all. */
    vc = json_string("list");
    check1(e, vc, DID_ERR_STATUS_LIST);
    json_decref(vc);

    /* Clock skew covers an expiry a minute ago, not an hour ago. */
    did_status_check_opts o;
    did_status_check_opts_init(&o);
    o.now = T_NOW;
    o.skew = 300;
    vc = json_deep_copy(good);
    json_object_set_new(vc, "validUntil", json_string("2023-11-14T22:12:20Z"));
    fetcher f = {vc, 0, 0, ""};
    did_result r;
    run_check(e, &f, &o, DID_OK, 0, &r);
    did_result_clear(&r);
    json_object_set_new(vc, "validUntil", json_string("2023-11-14T21:13:20Z"));
    run_check(e, &f, &o, DID_ERR_STATUS_LIST, 0, &r);
    did_result_clear(&r);
    json_decref(vc);
    json_decref(e);
    json_decref(good);
}

static void test_check_fetch_failure(void **state)
{
    (void)state;
    json_t *e = jparse(SPEC_ENTRY);
    fetcher f = {NULL, DID_ERR_IO, 0, ""};
    did_result r;
    run_check(e, &f, NULL, DID_ERR_STATUS_LIST, 0, &r);
    assert_non_null(strstr(r.errors[0].msg, "DID_ERR_IO"));
    assert_non_null(strstr(r.errors[0].msg, "cannot GET " LIST_URL));
    did_result_clear(&r);
    /* A proof that did not verify, reported by the fetcher. */
    f.fail = DID_ERR_DI_SIGNATURE;
    run_check(e, &f, NULL, DID_ERR_STATUS_LIST, 0, &r);
    assert_non_null(strstr(r.errors[0].msg, "DID_ERR_DI_SIGNATURE"));
    did_result_clear(&r);
    /* Two entries naming the same failing list: one fetch, two errors. */
    json_t *arr = json_pack("[O,O]", e, e);
    f.calls = 0;
    run_check(arr, &f, NULL, DID_ERR_STATUS_LIST, 0, &r);
    assert_int_equal(f.calls, 1);
    assert_int_equal(r.n_errors, 2);
    did_result_clear(&r);
    json_decref(arr);
    json_decref(e);
}

static void test_check_entry_shape(void **state)
{
    (void)state;
    json_t *vc = list_vc("revocation", 1, NULL, NULL, 0);
    json_t *e = entry_json("revocation", "7");
    fetcher f = {vc, 0, 0, ""};
    did_result r;

    json_object_del(e, "statusListCredential");
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_object_set_new(e, "statusListCredential", json_string("/status/3"));
    check1(e, vc, DID_ERR_STATUS_ENTRY); /* relative */
    json_object_set_new(e, "statusListCredential", json_string("https://exa mple.com/3"));
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_object_set_new(e, "statusListCredential", json_string(LIST_URL));
    json_object_set_new(e, "id", json_string(LIST_URL)); /* MUST NOT be the list URL */
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_object_set_new(e, "id", json_integer(3));
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_object_del(e, "id"); /* optional */
    check1(e, vc, DID_OK);
    json_object_set_new(e, "statusSize", json_integer(0));
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_object_set_new(e, "statusSize", json_string("1"));
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_object_set_new(e, "statusSize", json_integer(9));
    check1(e, vc, DID_ERR_LIMIT);
    json_object_set_new(e, "statusSize", json_integer(1));
    check1(e, vc, DID_OK);

    /* Not an object, or no type: the VC model's code. */
    json_t *s = json_string("x");
    check1(s, vc, DID_ERR_VC_STATUS);
    json_decref(s);
    s = json_pack("{s:s}", "statusPurpose", "revocation");
    check1(s, vc, DID_ERR_VC_STATUS);
    json_decref(s);
    s = json_pack("{s:i}", "type", 1);
    check1(s, vc, DID_ERR_VC_STATUS);
    json_decref(s);

    /* Another status type is not checked: a warning, no fetch. */
    s = json_pack("{s:s, s:s}", "type", "StatusList2021Entry", "statusListIndex", "1");
    f.calls = 0;
    run_check(s, &f, NULL, DID_OK, 1, &r);
    assert_int_equal(r.warnings[0].code, DID_ERR_STATUS_TYPE);
    assert_int_equal(f.calls, 0);
    did_result_clear(&r);
    json_decref(s);

    /* An array: each entry is checked, failures name their position. */
    size_t idx[] = {9};
    unsigned one[] = {1};
    json_t *rv = list_vc("revocation", 1, idx, one, 1);
    json_t *arr = json_pack("[o,o,o]", entry_json("revocation", "8"), entry_json("revocation", "9"),
                            json_string("junk"));
    f.vc = rv;
    run_check(arr, &f, NULL, DID_ERR_STATUS_REVOKED, 0, &r);
    assert_int_equal(r.n_errors, 2);
    assert_non_null(strstr(r.errors[0].msg, "credentialStatus[1]"));
    assert_int_equal(r.errors[1].code, DID_ERR_VC_STATUS);
    assert_non_null(strstr(r.errors[1].msg, "credentialStatus[2]"));
    did_result_clear(&r);

    /* Too many entries. */
    did_status_check_opts o;
    did_status_check_opts_init(&o);
    o.now = T_NOW;
    o.max_entries = 2;
    run_check(arr, &f, &o, DID_ERR_LIMIT, 0, &r);
    did_result_clear(&r);
    json_decref(arr);
    /* An empty array has nothing to check. */
    arr = json_array();
    run_check(arr, &f, NULL, DID_OK, 0, &r);
    did_result_clear(&r);
    json_decref(arr);

    /* Bad arguments record nothing. */
    did_err err;
    did_result_init(&r);
    t_assert_code(did_status_check(NULL, fetch_cb, &f, NULL, &r, &err), DID_ERR_ARG, &err);
    t_assert_code(did_status_check(e, NULL, &f, NULL, &r, &err), DID_ERR_ARG, &err);
    o.limits.max_decoded = 100;
    t_assert_code(did_status_check(e, fetch_cb, &f, &o, &r, &err), DID_ERR_ARG, &err);
    did_status_check_opts_init(&o);
    o.skew = -1;
    t_assert_code(did_status_check(e, fetch_cb, &f, &o, &r, &err), DID_ERR_ARG, &err);
    o.skew = 86401;
    t_assert_code(did_status_check(e, fetch_cb, &f, &o, &r, &err), DID_ERR_ARG, &err);
    assert_int_equal(r.n_checks, 0);
    did_result_clear(&r);

    json_decref(rv);
    json_decref(e);
    json_decref(vc);
}

static void test_check_message_and_refresh(void **state)
{
    (void)state;
    size_t idx[] = {492847 % 131072, 5};
    unsigned vals[] = {2, 1};
    json_t *vc = list_vc("message", 2, idx, vals, 2);
    json_t *e = jparse("{\"type\": \"BitstringStatusListEntry\", \"statusPurpose\": \"message\","
                       " \"statusListIndex\": \"0\", \"statusSize\": 2,"
                       " \"statusListCredential\": \"" LIST_URL "\","
                       " \"statusMessage\": ["
                       "  {\"status\": \"0x0\", \"message\": \"pending_review\"},"
                       "  {\"status\": \"0x1\", \"message\": \"accepted\"},"
                       "  {\"status\": \"0x2\", \"message\": \"rejected\"},"
                       "  {\"status\": \"0x3\", \"message\": \"undefined\"}],"
                       " \"statusReference\": \"https://example.org/status-dictionary/\"}");
    fetcher f = {vc, 0, 0, ""};
    did_result r;
    char index[16];

    /* 0: valid, no notice. */
    run_check(e, &f, NULL, DID_OK, 0, &r);
    did_result_clear(&r);
    /* 2: "rejected" as a warning. */
    snprintf(index, sizeof index, "%zu", idx[0]);
    json_object_set_new(e, "statusListIndex", json_string(index));
    run_check(e, &f, NULL, DID_OK, 1, &r);
    assert_int_equal(r.warnings[0].code, DID_ERR_STATUS_MESSAGE);
    assert_non_null(strstr(r.warnings[0].msg, "0x2: rejected"));
    did_result_clear(&r);
    json_object_set_new(e, "statusListIndex", json_string("5"));
    run_check(e, &f, NULL, DID_OK, 1, &r);
    assert_non_null(strstr(r.warnings[0].msg, "0x1: accepted"));
    did_result_clear(&r);
    /* The index counts entries, not bits: 131,071 is the last 2-bit entry of a 32 KB list. */
    json_object_set_new(e, "statusListIndex", json_string("131071"));
    check1(e, vc, DID_OK);
    json_object_set_new(e, "statusListIndex", json_string("131072"));
    check1(e, vc, DID_ERR_STATUS_INDEX);
    json_object_set_new(e, "statusListIndex", json_string("5"));

    /* statusMessage must match statusSize and be well formed. */
    json_t *m = json_object_get(e, "statusMessage");
    json_t *saved = json_deep_copy(m);
    json_array_remove(m, 3);
    check1(e, vc, DID_ERR_STATUS_ENTRY); /* 3 messages for 2 bits */
    json_array_append_new(m, json_pack("{s:s, s:s}", "status", "0x2", "message", "dup"));
    check1(e, vc, DID_ERR_STATUS_ENTRY); /* 0x2 twice */
    json_array_remove(m, 3);
    json_array_append_new(m, json_pack("{s:s, s:s}", "status", "0x4", "message", "big"));
    check1(e, vc, DID_ERR_STATUS_ENTRY); /* beyond 2 bits */
    json_array_remove(m, 3);
    json_array_append_new(m, json_pack("{s:s, s:s}", "status", "3", "message", "no 0x"));
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_array_remove(m, 3);
    json_array_append_new(m, json_pack("{s:s}", "status", "0x3"));
    check1(e, vc, DID_ERR_STATUS_ENTRY); /* no message */
    json_array_remove(m, 3);
    json_array_append_new(m, json_pack("{s:s, s:s}", "status", "0X3", "message", "x"));
    check1(e, vc, DID_ERR_STATUS_ENTRY);
    json_array_remove(m, 3);
    json_array_append_new(m, json_pack("{s:s, s:s}", "status", "0x03", "message", "fine"));
    json_array_set_new(m, 0,
                       json_pack("{s:s, s:s, s:s}", "status", "0x0", "message", "p", "x",
                                 "extra members are allowed"));
    json_object_set_new(e, "statusListIndex", json_string("0"));
    check1(e, vc, DID_OK);
    json_object_set_new(e, "statusMessage", saved); /* the original four */
    check1(e, vc, DID_OK);
    json_object_del(e, "statusMessage");
    check1(e, vc, DID_ERR_STATUS_ENTRY); /* required when statusSize > 1 */
    json_decref(e);

    /* The list must say statusSize for "message", and the same one. */
    e = jparse("{\"type\": \"BitstringStatusListEntry\", \"statusPurpose\": \"message\","
               " \"statusListIndex\": \"5\", \"statusListCredential\": \"" LIST_URL "\"}");
    check1(e, vc, DID_ERR_STATUS_LIST); /* entry 1 bit, list 2 bits */
    json_decref(vc);
    vc = list_vc("message", 1, idx + 1, vals + 1, 1);
    f.vc = vc;
    run_check(e, &f, NULL, DID_OK, 1, &r); /* 1 bit without statusMessage: "set" */
    assert_non_null(strstr(r.warnings[0].msg, "0x1: set"));
    did_result_clear(&r);
    json_object_del(json_object_get(vc, "credentialSubject"), "statusSize");
    check1(e, vc, DID_ERR_STATUS_LIST);
    json_decref(vc);
    json_decref(e);

    /* refresh: a notice, not a failure. */
    vc = list_vc("refresh", 1, idx + 1, vals + 1, 1);
    e = entry_json("refresh", "5");
    f.vc = vc;
    run_check(e, &f, NULL, DID_OK, 1, &r);
    assert_int_equal(r.warnings[0].code, DID_ERR_STATUS_REFRESH);
    did_result_clear(&r);
    json_object_set_new(e, "statusListIndex", json_string("6"));
    check1(e, vc, DID_OK);
    json_decref(e);
    json_decref(vc);
}

static void test_error_names(void **state)
{
    (void)state;
    assert_string_equal(did_err_name(DID_ERR_STATUS_ENTRY), "DID_ERR_STATUS_ENTRY");
    assert_string_equal(did_err_name(DID_ERR_STATUS_TYPE), "DID_ERR_STATUS_TYPE");
    assert_string_equal(did_err_name(DID_ERR_STATUS_REFRESH), "DID_ERR_STATUS_REFRESH");
    assert_string_equal(did_err_name(DID_ERR_STATUS_MESSAGE), "DID_ERR_STATUS_MESSAGE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First, while the process is small, so that the memory bound means something. */
        cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_new_sizes),
        cmocka_unit_test(test_bit_order),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_set_clear_round_trip),
        cmocka_unit_test(test_encode_decode_identity),
        cmocka_unit_test(test_decode_prefix_and_base64),
        cmocka_unit_test(test_decode_gzip_framing),
        cmocka_unit_test(test_decode_minimum_size),
        cmocka_unit_test(test_list_credential),
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_check_spec_example),
        cmocka_unit_test(test_check_revoked_suspended),
        cmocka_unit_test(test_check_purpose),
        cmocka_unit_test(test_check_index),
        cmocka_unit_test(test_check_list_shape),
        cmocka_unit_test(test_check_fetch_failure),
        cmocka_unit_test(test_check_entry_shape),
        cmocka_unit_test(test_check_message_and_refresh),
        cmocka_unit_test(test_error_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
