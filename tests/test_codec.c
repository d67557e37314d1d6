/* Codecs (did/codec.h): base58btc, multibase, unsigned varints and Multikey.
 *
 * Vectors: the base58 known answers are the Bitcoin Core set (src/test/data/base58_encode_decode
 * .json) plus "Hello World!" from the IETF base58 draft; the Multikeys are the did:key method
 * identifiers of ../shared/vectors/did-key/ (w3c-ccg/did-method-key test-vectors/), checked
 * against the key material each vector gives (publicKeyBase58 or publicKeyJwk). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>

#include "support.h"

#define PREFIX "keep:" /* every output buffer starts with this, to check append semantics */

/* ---- helpers ------------------------------------------------------------------------------ */

static void buf_with_prefix(did_buf *b)
{
    did_buf_init(b);
    assert_int_equal(did_buf_append_str(b, PREFIX), 0);
}

/* The buffer holds exactly PREFIX (nothing appended, nothing half-written). */
static void assert_untouched(const did_buf *b)
{
    assert_int_equal(b->len, strlen(PREFIX));
    assert_memory_equal(b->data, PREFIX, strlen(PREFIX) + 1);
}

/* The buffer holds PREFIX followed by want[0..n) and a NUL. */
static void assert_appended(const did_buf *b, const void *want, size_t n)
{
    size_t p = strlen(PREFIX);
    assert_int_equal(b->len, p + n);
    assert_memory_equal(b->data, PREFIX, p);
    if (n > 0)
        assert_memory_equal(b->data + p, want, n);
    assert_int_equal(b->data[b->len], 0);
}

static void assert_msg_has(const did_err *err, const char *needle)
{
    if (strstr(err->msg, needle) == NULL)
        fail_msg("error message \"%s\" does not mention \"%s\"", err->msg, needle);
}

static void b58_encode_expect(const uint8_t *in, size_t n, const char *want)
{
    did_buf b;
    did_err err_s, *err = &err_s;

    buf_with_prefix(&b);
    t_assert_ok(did_base58_encode(in, n, &b, err), err);
    assert_appended(&b, want, strlen(want));
    did_buf_clear(&b);
}

static void b58_decode_expect(const char *in, const uint8_t *want, size_t n)
{
    did_buf b;
    did_err err_s, *err = &err_s;

    buf_with_prefix(&b);
    t_assert_ok(did_base58_decode(in, strlen(in), &b, err), err);
    assert_appended(&b, want, n);
    did_buf_clear(&b);
}

/* Decodes in[0..n) and asserts the error code, that out is unchanged and (for DID_ERR_BASE58)
 * that the message names the offset. */
static void b58_decode_fail(const char *in, size_t n, int code, size_t offset)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    char at[48];

    buf_with_prefix(&b);
    t_assert_code(did_base58_decode(in, n, &b, err), code, err);
    assert_int_equal(err->code, code);
    assert_untouched(&b);
    if (code == DID_ERR_BASE58) {
        snprintf(at, sizeof at, "offset %zu", offset);
        assert_msg_has(err, at);
    }
    did_buf_clear(&b);
}

/* Reference base58 (byte at a time, the textbook algorithm) to check the limb version. */
static size_t ref_b58_encode(const uint8_t *in, size_t n, char *out)
{
    static const char alpha[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    uint8_t digits[2048];
    size_t nd = 0, zeros = 0, o = 0;

    while (zeros < n && in[zeros] == 0)
        zeros++;
    for (size_t i = zeros; i < n; i++) {
        unsigned carry = in[i];
        for (size_t j = 0; j < nd; j++) {
            carry += (unsigned)digits[j] << 8;
            digits[j] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry > 0) {
            digits[nd++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    for (size_t i = 0; i < zeros; i++)
        out[o++] = '1';
    while (nd > 0)
        out[o++] = alpha[digits[--nd]];
    out[o] = 0;
    return o;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic, so a failure reproduces */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint8_t *b64url_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *out = malloc(n + 1);
    ck_err ce;

    assert_non_null(out);
    if (ck_b64url_decode(s, n, out, n + 1, len, &ce) != CK_OK)
        fail_msg("vector base64url %s: %s", s, ce.msg);
    return out;
}

/* A 'z' Multikey made of varint(code) || key[0..n). Caller frees. */
static char *mk_make(uint64_t code, const uint8_t *key, size_t n)
{
    uint8_t raw[DID_VARINT_MAX_LEN + 256];
    size_t h = did_varint_encode(code, raw);
    did_buf b;
    did_err err_s, *err = &err_s;
    size_t len;

    assert_true(h > 0);
    assert_true(n <= 256);
    memcpy(raw + h, key, n);
    did_buf_init(&b);
    t_assert_ok(did_multibase_encode(DID_MULTIBASE_BASE58BTC, raw, h + n, &b, err), err);
    return (char *)did_buf_steal(&b, &len);
}

static void mk_decode_fail(const char *mk, int secret, int code, const char *needle)
{
    ck_key *k = (ck_key *)1; /* must be reset to NULL */
    did_err err_s, *err = &err_s;
    size_t n = strlen(mk);

    did_err_clear(err);
    if (secret)
        t_assert_code(did_multikey_decode_secret(mk, n, &k, err), code, err);
    else
        t_assert_code(did_multikey_decode(mk, n, &k, err), code, err);
    assert_int_equal(err->code, code);
    assert_null(k);
    if (needle != NULL)
        assert_msg_has(err, needle);
}

static void mk_bytes_fail(uint64_t code, const uint8_t *key, size_t n, int secret, int want,
                          const char *needle)
{
    char *mk = mk_make(code, key, n);
    mk_decode_fail(mk, secret, want, needle);
    free(mk);
}

/* ---- base58 ------------------------------------------------------------------------------- */

static void test_base58_known(void **state)
{
    (void)state;
    static const struct {
        const char *hex, *b58;
    } v[] = {
        /* Bitcoin Core src/test/data/base58_encode_decode.json */
        {"", ""},
        {"61", "2g"},
        {"626262", "a3gV"},
        {"636363", "aPEr"},
        {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
        {"00eb15231dfceb60925886b67d065299925915aeb172c06647",
         "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
        {"516b6fcd0f", "ABnLTmg"},
        {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
        {"572e4794", "3EFU7m"},
        {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
        {"10c8511e", "Rt5zm"},
        {"00000000000000000000", "1111111111"},
        {"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5",
         "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b"
         "2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657"
         "58595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283"
         "8485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
         "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadb"
         "dcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
         "1cWB5HCBdLjAuqGGReWE3R3CguuwSjw6RHn39s2yuDRTS5NsBgNiFpWgAnEx6VQi8csexkgYw3mdYrMHr8x9i7aEw"
         "P8k"
         "Z7vccXWqKDvGv3u1GxFKPuAkn8JCPPGDMf3vMMnbzm6Nh9zh1gcNsMvH3ZNLmP5fSG6DGbbi2tuwMWPthr4boWwCx"
         "f"
         "7ewSgNQeacyozhKDDQQ1qL5fQFUW52QKUZDZ5fw3KXNQJMcNTcaB723LchjeKun7MuGW5qyCBZYzA1KjofN1gYBV3"
         "N"
         "qyhQJ3Ns746GNuf9N2pQPmHz4xpnSrrfCvy6TVVz5d4PdrjeshsWQwpZsZGzvbdAdN8MKV5QsBDY"},
        /* leading zero bytes are leading '1's, whatever follows */
        {"00", "1"},
        {"0000", "11"},
        {"000001", "112"},
        {"0001", "12"},
        {"0039", "1z"},
        {"003a", "121"},
        {"ff", "5Q"},
        {"ffffffff", "7YXq9G"},
        {"0100000000", "7YXq9H"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = 0;
        uint8_t *bytes = t_unhex(v[i].hex, &n);
        b58_encode_expect(bytes, n, v[i].b58);
        b58_decode_expect(v[i].b58, bytes, n);
        free(bytes);
    }
    b58_encode_expect((const uint8_t *)"Hello World!", 12, "2NEpo7TZRRrLZSi2U");
    b58_decode_expect("2NEpo7TZRRrLZSi2U", (const uint8_t *)"Hello World!", 12);
    b58_encode_expect((const uint8_t *)"\0\0\x01", 3, "112");
    /* NULL input is fine when empty */
    b58_encode_expect(NULL, 0, "");
}

/* The limb implementation agrees with the textbook one on random inputs of every length up to
 * the limit, with and without leading zeros, and decoding gives the bytes back. */
static void test_base58_random(void **state)
{
    (void)state;
    static uint8_t in[DID_BASE58_MAX_DECODED];
    static char want[DID_BASE58_MAX_ENCODED + 1];
    did_buf enc, dec;
    did_err err_s, *err = &err_s;

    did_buf_init(&enc);
    did_buf_init(&dec);
    for (int iter = 0; iter < 600; iter++) {
        size_t n = iter < 80 ? (size_t)iter : (size_t)(rng() % (DID_BASE58_MAX_DECODED + 1));
        size_t zeros = n > 0 && rng() % 3 == 0 ? (size_t)(rng() % (n + 1)) : 0;
        for (size_t i = 0; i < n; i++)
            in[i] = i < zeros ? 0 : (uint8_t)rng();
        if (iter % 7 == 0)
            memset(in + zeros, 0xff, n - zeros); /* the largest values of each length */
        size_t wn = ref_b58_encode(in, n, want);
        did_buf_reset(&enc);
        did_buf_reset(&dec);
        t_assert_ok(did_base58_encode(in, n, &enc, err), err);
        assert_int_equal(enc.len, wn);
        assert_memory_equal(enc.data, want, wn + 1);
        t_assert_ok(did_base58_decode((const char *)enc.data, enc.len, &dec, err), err);
        assert_int_equal(dec.len, n);
        if (n > 0)
            assert_memory_equal(dec.data, in, n);
    }
    did_buf_clear(&enc);
    did_buf_clear(&dec);
}

static void test_base58_bad_chars(void **state)
{
    (void)state;
    /* Characters outside the alphabet: the four look-alikes, base64 and URL symbols,
     * whitespace, controls, NUL, and non-ASCII bytes. */
    static const char bad[] = {'0', 'O',  'I',  'l',  '+',  '/',    '=',    '-', '_', '.',
                               ' ', '\t', '\n', '\r', '\0', '\x01', '\x7f', '#', '%', ':'};
    char s[16];

    for (size_t i = 0; i < sizeof bad; i++) {
        for (size_t pos = 0; pos < 4; pos++) {
            memcpy(s, "2NEp", 4);
            s[pos] = bad[i];
            b58_decode_fail(s, 4, DID_ERR_BASE58, pos);
        }
    }
    static const unsigned char high[] = {0x80, 0xa0, 0xc3, 0xff};
    for (size_t i = 0; i < sizeof high; i++) {
        memcpy(s, "2NEp", 4);
        s[2] = (char)high[i];
        b58_decode_fail(s, 4, DID_ERR_BASE58, 2);
    }
    /* UTF-8 look-alike of 'z' (fullwidth), leading/trailing whitespace: no repair */
    b58_decode_fail("\xef\xbd\x9a", 3, DID_ERR_BASE58, 0);
    b58_decode_fail(" 2g", 3, DID_ERR_BASE58, 0);
    b58_decode_fail("2g\n", 3, DID_ERR_BASE58, 2);
    /* the first bad character is the one reported */
    b58_decode_fail("11l0", 4, DID_ERR_BASE58, 2);

    did_buf b;
    did_err err_s, *err = &err_s;
    buf_with_prefix(&b);
    t_assert_code(did_base58_decode("abc0", 4, &b, err), DID_ERR_BASE58, err);
    assert_msg_has(err, "'0'");
    t_assert_code(did_base58_decode("ab\x01", 3, &b, err), DID_ERR_BASE58, err);
    assert_msg_has(err, "0x01");
    assert_untouched(&b);
    did_buf_clear(&b);
}

static void test_base58_limits(void **state)
{
    (void)state;
    static uint8_t in[DID_BASE58_MAX_DECODED + 1];
    static char text[DID_BASE58_MAX_ENCODED + 2];
    did_buf b;
    did_err err_s, *err = &err_s;
    size_t len;

    /* Encoding: 1024 bytes of 0xff is the longest text (1399 chars) and decodes back. */
    memset(in, 0xff, sizeof in);
    buf_with_prefix(&b);
    t_assert_ok(did_base58_encode(in, DID_BASE58_MAX_DECODED, &b, err), err);
    len = b.len - strlen(PREFIX);
    assert_int_equal(len, 1399);
    assert_true(len <= DID_BASE58_MAX_ENCODED);
    memcpy(text, b.data + strlen(PREFIX), len);
    did_buf_reset(&b);
    t_assert_ok(did_base58_decode(text, len, &b, err), err);
    assert_int_equal(b.len, DID_BASE58_MAX_DECODED);
    assert_memory_equal(b.data, in, DID_BASE58_MAX_DECODED);
    did_buf_clear(&b);

    buf_with_prefix(&b);
    t_assert_code(did_base58_encode(in, DID_BASE58_MAX_DECODED + 1, &b, err), DID_ERR_LIMIT, err);
    assert_untouched(&b);
    did_buf_clear(&b);

    /* Decoding: more than DID_BASE58_MAX_ENCODED characters, even valid ones. */
    memset(text, '2', sizeof text);
    b58_decode_fail(text, DID_BASE58_MAX_ENCODED + 1, DID_ERR_LIMIT, 0);
    /* A bad character past the limit is still a limit error (the length is checked first). */
    text[DID_BASE58_MAX_ENCODED] = '0';
    b58_decode_fail(text, DID_BASE58_MAX_ENCODED + 1, DID_ERR_LIMIT, 0);
    /* Within the character limit, but the value needs more than DID_BASE58_MAX_DECODED bytes. */
    memset(text, 'z', sizeof text);
    b58_decode_fail(text, DID_BASE58_MAX_ENCODED, DID_ERR_LIMIT, 0);
    memset(text, '1', sizeof text);
    b58_decode_fail(text, DID_BASE58_MAX_DECODED + 1, DID_ERR_LIMIT, 0);
    /* ... while 1024 zero bytes are fine */
    buf_with_prefix(&b);
    t_assert_ok(did_base58_decode(text, DID_BASE58_MAX_DECODED, &b, err), err);
    assert_int_equal(b.len, strlen(PREFIX) + DID_BASE58_MAX_DECODED);
    did_buf_clear(&b);
    /* A zero byte and 1024 bytes of 0xff: 1400 characters, but 1025 bytes. */
    memset(in, 0xff, sizeof in);
    in[0] = 0;
    len = ref_b58_encode(in, DID_BASE58_MAX_DECODED + 1, text);
    assert_int_equal(len, DID_BASE58_MAX_ENCODED);
    b58_decode_fail(text, len, DID_ERR_LIMIT, 0);

    /* Arguments */
    t_assert_code(did_base58_decode("2g", 2, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_base58_encode(in, 1, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_base58_decode(NULL, 1, &b, err), DID_ERR_ARG, err);
    did_buf_clear(&b);
}

/* ---- multibase ---------------------------------------------------------------------------- */

static void test_multibase(void **state)
{
    (void)state;
    static const uint8_t hello[] = "Hello World!";
    did_buf b;
    did_err err_s, *err = &err_s;
    char base = 0;

    buf_with_prefix(&b);
    t_assert_ok(did_multibase_encode(DID_MULTIBASE_BASE58BTC, hello, 12, &b, err), err);
    assert_appended(&b, "z2NEpo7TZRRrLZSi2U", 18);
    did_buf_clear(&b);
    buf_with_prefix(&b);
    t_assert_ok(did_multibase_encode(DID_MULTIBASE_BASE64URL, hello, 12, &b, err), err);
    assert_appended(&b, "uSGVsbG8gV29ybGQh", 17);
    did_buf_clear(&b);
    /* base64url of bytes that use '-' and '_' and need no padding in the unpadded form */
    static const uint8_t odd[] = {0xfb, 0xff, 0xbf, 0x01};
    buf_with_prefix(&b);
    t_assert_ok(did_multibase_encode(DID_MULTIBASE_BASE64URL, odd, 4, &b, err), err);
    assert_appended(&b, "u-_-_AQ", 7);
    did_buf_clear(&b);

    buf_with_prefix(&b);
    t_assert_ok(did_multibase_decode("z2NEpo7TZRRrLZSi2U", 18, &b, &base, err), err);
    assert_appended(&b, hello, 12);
    assert_int_equal(base, 'z');
    did_buf_clear(&b);
    buf_with_prefix(&b);
    t_assert_ok(did_multibase_decode("uSGVsbG8gV29ybGQh", 17, &b, &base, err), err);
    assert_appended(&b, hello, 12);
    assert_int_equal(base, 'u');
    did_buf_clear(&b);
    buf_with_prefix(&b);
    t_assert_ok(did_multibase_decode("u-_-_AQ", 7, &b, NULL, err), err);
    assert_appended(&b, odd, 4);
    did_buf_clear(&b);
    /* a prefix with nothing after it is the empty byte string */
    buf_with_prefix(&b);
    t_assert_ok(did_multibase_decode("z", 1, &b, &base, err), err);
    assert_appended(&b, "", 0);
    t_assert_ok(did_multibase_decode("u", 1, &b, &base, err), err);
    assert_appended(&b, "", 0);
    t_assert_ok(did_multibase_encode(DID_MULTIBASE_BASE58BTC, NULL, 0, &b, err), err);
    assert_appended(&b, "z", 1);
    did_buf_clear(&b);

    /* Errors: out is left exactly as it was. */
    static const struct {
        const char *in;
        int code;
        const char *needle;
    } bad[] = {
        {"", DID_ERR_MULTIBASE, "empty"},
        {"f48656c6c6f", DID_ERR_MULTIBASE, "'f'"}, /* base16 */
        {"mSGVsbG8", DID_ERR_MULTIBASE, "'m'"},    /* base64 (padded alphabet) */
        {"MSGVsbG8=", DID_ERR_MULTIBASE, "'M'"},   /* base64pad */
        {"Z2NEpo7TZ", DID_ERR_MULTIBASE, "'Z'"},   /* base58flickr */
        {"U2NEpo7TZ", DID_ERR_MULTIBASE, "'U'"},   /* base64urlpad */
        {"bnbswy3dp", DID_ERR_MULTIBASE, "'b'"},   /* base32 */
        {" z2NEpo7TZ", DID_ERR_MULTIBASE, "0x20"}, /* no whitespace repair */
        {"\x7a\xff", DID_ERR_BASE58, "offset 1"},  /* 'z' then a bad byte: offset counts 'z' */
        {"z2NEpo0TZ", DID_ERR_BASE58, "offset 6"},
        {"uSGVsbG8gV29ybGQh==", CK_ERR_BASE64, "'='"}, /* padding */
        {"uSGVsbG8=", CK_ERR_BASE64, NULL},
        {"uSGVs*bG8", CK_ERR_BASE64, NULL}, /* stray character */
        {"uSGVs+bG8", CK_ERR_BASE64, NULL}, /* base64 (not url) alphabet */
        {"uSGVs bG8", CK_ERR_BASE64, NULL}, /* whitespace */
        {"uSGVsbG8h\n", CK_ERR_BASE64, NULL},
        {"uSGVsbG8gB", CK_ERR_BASE64, NULL}, /* impossible length (a 1-char group) */
        {"uAR", CK_ERR_BASE64, NULL},        /* non-zero trailing bits */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_with_prefix(&b);
        base = '?';
        did_err_clear(err);
        t_assert_code(did_multibase_decode(bad[i].in, strlen(bad[i].in), &b, &base, err),
                      bad[i].code, err);
        assert_int_equal(err->code, bad[i].code);
        if (bad[i].needle != NULL)
            assert_msg_has(err, bad[i].needle);
        assert_untouched(&b);
        assert_int_equal(base, '?');
        did_buf_clear(&b);
    }
    /* An embedded NUL as the prefix (strlen would not see it). */
    buf_with_prefix(&b);
    t_assert_code(did_multibase_decode("\0z2g", 4, &b, NULL, err), DID_ERR_MULTIBASE, err);
    assert_untouched(&b);

    /* Encoding with another base, a base58 input over the limit, NULL arguments. */
    static uint8_t big[DID_BASE58_MAX_DECODED + 1];
    t_assert_code(did_multibase_encode('f', hello, 12, &b, err), DID_ERR_MULTIBASE, err);
    t_assert_code(did_multibase_encode('\0', hello, 12, &b, err), DID_ERR_MULTIBASE, err);
    t_assert_code(did_multibase_encode('z', big, sizeof big, &b, err), DID_ERR_LIMIT, err);
    assert_untouched(&b);
    t_assert_code(did_multibase_encode('u', big, sizeof big, &b, err), DID_OK, err);
    did_buf_clear(&b);
    t_assert_code(did_multibase_decode("z2g", 3, NULL, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_multibase_encode('z', hello, 12, NULL, err), DID_ERR_ARG, err);
}

/* ---- varint ------------------------------------------------------------------------------- */

static void test_varint_known(void **state)
{
    (void)state;
    static const struct {
        uint64_t v;
        const char *hex;
    } v[] = {
        {0, "00"},
        {1, "01"},
        {127, "7f"},
        {128, "8001"},
        {255, "ff01"},
        {300, "ac02"},
        {0xed, "ed01"},
        {0xe7, "e701"},
        {0x1200, "8024"},
        {0x1201, "8124"},
        {0x1300, "8026"},
        {0x1306, "8626"},
        {16383, "ff7f"},
        {16384, "808001"},
        {(1ULL << 56) - 1, "ffffffffffffff7f"},
        {1ULL << 56, "8080808080808080"
                     "01"},
        {(1ULL << 63) - 1, "ffffffffffffffff7f"},
    };
    uint8_t buf[DID_VARINT_MAX_LEN + 4];
    did_err err_s, *err = &err_s;

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = 0, used = 0;
        uint64_t got = 0;
        uint8_t *want = t_unhex(v[i].hex, &n);
        assert_int_equal(did_varint_encode(v[i].v, buf), n);
        assert_memory_equal(buf, want, n);
        /* decoding reads exactly one varint and ignores what follows */
        memcpy(buf, want, n);
        buf[n] = 0xff;
        buf[n + 1] = 0x01;
        t_assert_ok(did_varint_decode(buf, n + 2, &got, &used, err), err);
        assert_int_equal(got, v[i].v);
        assert_int_equal(used, n);
        t_assert_ok(did_varint_decode(want, n, &got, &used, err), err);
        assert_int_equal(got, v[i].v);
        assert_int_equal(used, n);
        free(want);
    }
    /* 2^63 and more do not fit in 9 bytes */
    assert_int_equal(did_varint_encode(1ULL << 63, buf), 0);
    assert_int_equal(did_varint_encode(UINT64_MAX, buf), 0);

    /* every value round-trips, with the length the 7-bit groups predict */
    for (int i = 0; i < 2000; i++) {
        uint64_t x = rng() >> (1 + rng() % 63), got = 0;
        size_t used = 0, n = did_varint_encode(x, buf);
        size_t bits = 0;
        for (uint64_t t = x; t != 0; t >>= 1)
            bits++;
        assert_int_equal(n, bits == 0 ? 1 : (bits + 6) / 7);
        t_assert_ok(did_varint_decode(buf, n, &got, &used, err), err);
        assert_int_equal(got, x);
        assert_int_equal(used, n);
    }
}

static void test_varint_bad(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        const char *needle;
    } bad[] = {
        {"", "empty"},
        {"80", "truncated"},
        {"ff", "truncated"},
        {"ed", "truncated"},
        {"ffffffffffffffff", "truncated"},
        {"8000", "minimal"},   /* 0 in two bytes */
        {"ff00", "minimal"},   /* 127 in two bytes */
        {"ed8100", "minimal"}, /* 0xed in three bytes */
        {"80808000", "minimal"},
        {"ffffffffffffffff00", "minimal"},  /* 2^56-1 in nine bytes */
        {"ffffffffffffffff80", "longer"},   /* continuation on the ninth byte */
        {"ffffffffffffffff8001", "longer"}, /* ten bytes */
        {"80808080808080808001", "longer"}, /* 2^63 */
        {"ffffffffffffffffff01", "longer"}, /* 2^64-1 as ten bytes */
    };
    did_err err_s, *err = &err_s;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = 0, used = 77;
        uint64_t got = 77;
        uint8_t *in = t_unhex(bad[i].hex, &n);
        t_assert_code(did_varint_decode(in, n, &got, &used, err), DID_ERR_VARINT, err);
        assert_int_equal(err->code, DID_ERR_VARINT);
        assert_msg_has(err, bad[i].needle);
        assert_int_equal(got, 77);
        assert_int_equal(used, 77);
        free(in);
    }
    uint64_t v;
    size_t used;
    t_assert_code(did_varint_decode(NULL, 1, &v, &used, err), DID_ERR_ARG, err);
    t_assert_code(did_varint_decode((const uint8_t *)"\x01", 1, NULL, &used, err), DID_ERR_ARG,
                  err);
    t_assert_code(did_varint_decode((const uint8_t *)"\x01", 1, &v, NULL, err), DID_ERR_ARG, err);
}

/* ---- Multikey: the did:key vectors -------------------------------------------------------- */

static int vectors_checked;
static int vectors_p521;

/* The raw public key a vector verification method gives: publicKeyBase58 as is, publicKeyJwk
 * as x (OKP) or the compressed point (02|03 by the parity of y) || x (EC). */
static uint8_t *vector_pub(const json_t *vm, size_t *len)
{
    const char *pk58 = json_string_value(json_object_get(vm, "publicKeyBase58"));
    const json_t *jwk = json_object_get(vm, "publicKeyJwk");
    did_buf b;
    did_err err_s, *err = &err_s;

    if (pk58 != NULL) {
        did_buf_init(&b);
        t_assert_ok(did_base58_decode(pk58, strlen(pk58), &b, err), err);
        /* and the vector's own base58 encodes back to the same text */
        did_buf e;
        did_buf_init(&e);
        t_assert_ok(did_base58_encode(b.data, b.len, &e, err), err);
        assert_string_equal((const char *)e.data, pk58);
        did_buf_clear(&e);
        return did_buf_steal(&b, len);
    }
    assert_non_null(jwk);
    size_t xn = 0, yn = 0;
    uint8_t *x = b64url_decode(json_string_value(json_object_get(jwk, "x")), &xn);
    const char *ys = json_string_value(json_object_get(jwk, "y"));
    if (ys == NULL) {
        *len = xn;
        return x;
    }
    uint8_t *y = b64url_decode(ys, &yn);
    uint8_t *out = malloc(xn + 1);
    assert_non_null(out);
    out[0] = (uint8_t)(2 + (y[yn - 1] & 1));
    memcpy(out + 1, x, xn);
    *len = xn + 1;
    free(x);
    free(y);
    return out;
}

/* The raw secret a vector gives (privateKeyBase58 or privateKeyJwk d), or NULL. */
static uint8_t *vector_secret(const json_t *vm, size_t *len)
{
    const char *sk58 = json_string_value(json_object_get(vm, "privateKeyBase58"));
    const json_t *jwk = json_object_get(vm, "privateKeyJwk");
    did_buf b;
    did_err err_s, *err = &err_s;

    if (sk58 != NULL) {
        did_buf_init(&b);
        t_assert_ok(did_base58_decode(sk58, strlen(sk58), &b, err), err);
        return did_buf_steal(&b, len);
    }
    if (jwk != NULL && json_object_get(jwk, "d") != NULL)
        return b64url_decode(json_string_value(json_object_get(jwk, "d")), len);
    return NULL;
}

static int is_p521(const json_t *vm)
{
    const json_t *jwk = json_object_get(vm, "publicKeyJwk");
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    return crv != NULL && strcmp(crv, "P-521") == 0;
}

/* Checks one Multikey against the key material of its vector verification method. */
static void check_vector_key(const char *mk, const json_t *vm)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    ck_key *k = NULL;
    uint8_t pub[CK_PUB_MAX_LEN];
    size_t pn = 0, wn = 0, sn = 0;
    ck_err ce;

    /* The multibase body is a varint and the key bytes, whatever the key type. */
    did_buf_init(&b);
    t_assert_ok(did_multibase_decode(mk, strlen(mk), &b, NULL, err), err);
    uint8_t *want = vector_pub(vm, &wn);
    uint64_t code = 0;
    size_t used = 0;
    t_assert_ok(did_varint_decode(b.data, b.len, &code, &used, err), err);
    assert_int_equal(b.len - used, wn);
    assert_memory_equal(b.data + used, want, wn);
    did_buf_clear(&b);

    if (is_p521(vm)) {
        assert_int_equal(code, DID_MC_P521_PUB);
        mk_decode_fail(mk, 0, DID_ERR_MULTICODEC, "P-521");
        vectors_p521++;
        free(want);
        return;
    }
    t_assert_ok(did_multikey_decode(mk, strlen(mk), &k, err), err);
    assert_non_null(k);
    assert_false(ck_key_has_private(k));
    if (ck_key_export_public(k, 1, pub, sizeof pub, &pn, &ce) != CK_OK)
        fail_msg("export: %s", ce.msg);
    assert_int_equal(pn, wn);
    assert_memory_equal(pub, want, wn);
    /* and encodes back to the same string */
    did_buf_init(&b);
    t_assert_ok(did_multikey_encode(k, &b, err), err);
    assert_string_equal((const char *)b.data, mk);
    did_buf_clear(&b);

    /* The secret, when the vector has one, round-trips through secretKeyMultibase and belongs
     * to the public key. */
    uint8_t *secret = vector_secret(vm, &sn);
    if (secret != NULL) {
        ck_key *priv = NULL, *back = NULL;
        uint8_t raw[CK_SECRET_MAX_LEN];
        size_t rn = 0;
        if (ck_key_import_private(ck_key_get_type(k), secret, sn, &priv, &ce) != CK_OK)
            fail_msg("import vector secret: %s", ce.msg);
        assert_true(ck_key_public_equal(priv, k));
        did_buf_init(&b);
        t_assert_ok(did_multikey_encode_secret(priv, &b, err), err);
        t_assert_ok(did_multikey_decode_secret((const char *)b.data, b.len, &back, err), err);
        assert_true(ck_key_has_private(back));
        assert_true(ck_key_public_equal(back, k));
        if (ck_key_export_private(back, raw, sizeof raw, &rn, &ce) != CK_OK)
            fail_msg("export secret: %s", ce.msg);
        assert_int_equal(rn, sn);
        assert_memory_equal(raw, secret, sn);
        /* the public Multikey of the private handle is the vector's */
        did_buf_clear_secret(&b);
        t_assert_ok(did_multikey_encode(back, &b, err), err);
        assert_string_equal((const char *)b.data, mk);
        did_buf_clear(&b);
        ck_key_free(priv);
        ck_key_free(back);
        free(secret);
    }
    ck_key_free(k);
    free(want);
    vectors_checked++;
}

static const char *after(const char *s, char c)
{
    const char *p = strrchr(s, c);
    assert_non_null(p);
    return p + 1;
}

static void test_multikey_vectors(void **state)
{
    (void)state;
    const char *did;
    json_t *entry;
    json_t *v;

    vectors_checked = vectors_p521 = 0;

    v = t_vector_json("did-key/ed25519-x25519.json");
    json_object_foreach(v, did, entry)
    {
        check_vector_key(after(did, ':'), json_object_get(entry, "verificationKeyPair"));
        const json_t *ka = json_object_get(entry, "keyAgreementKeyPair");
        check_vector_key(after(json_string_value(json_object_get(ka, "id")), '#'), ka);
    }
    json_decref(v);

    v = t_vector_json("did-key/nist-curves.json");
    json_object_foreach(v, did, entry)
    {
        check_vector_key(after(did, ':'), json_object_get(entry, "verificationMethod"));
    }
    json_decref(v);

    v = t_vector_json("did-key/secp256k1.json");
    json_object_foreach(v, did, entry)
    {
        check_vector_key(after(did, ':'), json_object_get(entry, "verificationKeyPair"));
    }
    json_decref(v);

    v = t_vector_json("did-key/x25519.json");
    json_object_foreach(json_object_get(v, "didDocument"), did, entry)
    {
        const json_t *vm = json_array_get(json_object_get(entry, "verificationMethod"), 0);
        check_vector_key(after(did, ':'), vm);
    }
    json_decref(v);

    /* 5 Ed25519 + 5 X25519 (key agreement) + 5 NIST + 6 secp256k1 + 4 X25519; 2 P-521 */
    assert_int_equal(vectors_checked, 25);
    assert_int_equal(vectors_p521, 2);
}

/* ---- Multikey: generated keys of every type ----------------------------------------------- */

static const struct {
    ck_key_type type;
    const char *prefix; /* did:key v0.9 / Multikey prefixes */
    uint64_t pub_code, priv_code;
    size_t pub_len, priv_len;
} key_types[] = {
    {CK_KEY_ED25519, "z6Mk", DID_MC_ED25519_PUB, DID_MC_ED25519_PRIV, 32, 32},
    {CK_KEY_X25519, "z6LS", DID_MC_X25519_PUB, DID_MC_X25519_PRIV, 32, 32},
    {CK_KEY_SECP256K1, "zQ3s", DID_MC_SECP256K1_PUB, DID_MC_SECP256K1_PRIV, 33, 32},
    {CK_KEY_P256, "zDn", DID_MC_P256_PUB, DID_MC_P256_PRIV, 33, 32},
    {CK_KEY_P384, "z82", DID_MC_P384_PUB, DID_MC_P384_PRIV, 49, 48},
};

static void assert_mk_layout(const did_buf *mk, uint64_t code, size_t key_len)
{
    did_buf raw;
    did_err err_s, *err = &err_s;
    uint64_t got = 0;
    size_t used = 0;

    did_buf_init(&raw);
    t_assert_ok(did_multibase_decode((const char *)mk->data, mk->len, &raw, NULL, err), err);
    t_assert_ok(did_varint_decode(raw.data, raw.len, &got, &used, err), err);
    assert_int_equal(got, code);
    assert_int_equal(raw.len - used, key_len);
    did_buf_clear_secret(&raw);
}

static void test_multikey_roundtrip(void **state)
{
    (void)state;
    did_err err_s, *err = &err_s;
    ck_err ce;

    for (size_t t = 0; t < sizeof key_types / sizeof key_types[0]; t++) {
        for (int rep = 0; rep < 8; rep++) {
            ck_key *k = NULL, *pub = NULL, *priv = NULL;
            did_buf mk, sk, again;

            if (ck_key_generate(key_types[t].type, &k, &ce) != CK_OK)
                fail_msg("generate %s: %s", ck_key_type_name(key_types[t].type), ce.msg);
            did_buf_init(&mk);
            did_buf_init(&sk);
            did_buf_init(&again);

            t_assert_ok(did_multikey_encode(k, &mk, err), err);
            assert_memory_equal(mk.data, key_types[t].prefix, strlen(key_types[t].prefix));
            assert_mk_layout(&mk, key_types[t].pub_code, key_types[t].pub_len);
            t_assert_ok(did_multikey_decode((const char *)mk.data, mk.len, &pub, err), err);
            assert_int_equal(ck_key_get_type(pub), key_types[t].type);
            assert_false(ck_key_has_private(pub));
            assert_true(ck_key_public_equal(pub, k));
            t_assert_ok(did_multikey_encode(pub, &again, err), err);
            assert_string_equal((const char *)again.data, (const char *)mk.data);
            /* a public-only key has no secretKeyMultibase */
            did_buf_reset(&again);
            t_assert_code(did_multikey_encode_secret(pub, &again, err), CK_ERR_KEY_NO_PRIVATE, err);
            assert_int_equal(again.len, 0);

            t_assert_ok(did_multikey_encode_secret(k, &sk, err), err);
            assert_int_equal(sk.data[0], 'z');
            assert_mk_layout(&sk, key_types[t].priv_code, key_types[t].priv_len);
            t_assert_ok(did_multikey_decode_secret((const char *)sk.data, sk.len, &priv, err), err);
            assert_int_equal(ck_key_get_type(priv), key_types[t].type);
            assert_true(ck_key_has_private(priv));
            assert_true(ck_key_public_equal(priv, k));
            did_buf_reset(&again);
            t_assert_ok(did_multikey_encode_secret(priv, &again, err), err);
            assert_string_equal((const char *)again.data, (const char *)sk.data);
            /* the secret form is not a public key and the public form not a secret one */
            mk_decode_fail((const char *)sk.data, 0, DID_ERR_MULTICODEC, "secret");
            mk_decode_fail((const char *)mk.data, 1, DID_ERR_MULTICODEC, "public");

            did_buf_clear(&mk);
            did_buf_clear_secret(&sk);
            did_buf_clear_secret(&again);
            ck_key_free(k);
            ck_key_free(pub);
            ck_key_free(priv);
        }
    }
}

/* ---- Multikey: refused inputs ------------------------------------------------------------- */

/* The first P-256 vector of nist-curves.json as an uncompressed point and compressed. */
static uint8_t *p256_vector_point(int compressed, size_t *len)
{
    static const char x[] = "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns";
    static const char y[] = "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM";
    size_t xn = 0, yn = 0;
    uint8_t *xb = b64url_decode(x, &xn), *yb = b64url_decode(y, &yn);
    uint8_t *out = malloc(1 + xn + yn);

    assert_non_null(out);
    out[0] = compressed ? (uint8_t)(2 + (yb[yn - 1] & 1)) : 4;
    memcpy(out + 1, xb, xn);
    if (!compressed)
        memcpy(out + 1 + xn, yb, yn);
    *len = compressed ? 1 + xn : 1 + xn + yn;
    free(xb);
    free(yb);
    return out;
}

static void test_multikey_bad(void **state)
{
    (void)state;
    uint8_t key[128];
    size_t n = 0;
    did_err err_s, *err = &err_s;
    ck_err ce;

    memset(key, 0x42, sizeof key);

    /* Multibase: only 'z' is a Multikey; empty and other prefixes are refused. */
    mk_decode_fail("", 0, DID_ERR_MULTIBASE, NULL);
    mk_decode_fail("", 1, DID_ERR_MULTIBASE, NULL);
    mk_decode_fail("u7QE7aie8zrakLWKjqNAqbw1zZTIVdx3iQ6Y6wEihi1naKQ", 0, DID_ERR_MULTIBASE, "'z'");
    mk_decode_fail("Z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", 0, DID_ERR_MULTIBASE, NULL);
    mk_decode_fail("6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", 0, DID_ERR_MULTIBASE, NULL);
    /* base58: a bad character, with its offset in the whole string */
    mk_decode_fail("z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0", 0, DID_ERR_BASE58,
                   "offset 47");
    mk_decode_fail("z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp ", 0, DID_ERR_BASE58,
                   "offset 48");
    mk_decode_fail("z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWl", 1, DID_ERR_BASE58,
                   "offset 47");

    /* Varint: no bytes, truncated, non-minimal. */
    mk_decode_fail("z", 0, DID_ERR_VARINT, NULL);
    mk_decode_fail("z", 1, DID_ERR_VARINT, NULL);
    {
        static const uint8_t trunc[] = {0x80};
        static const uint8_t nonmin_ed[] = {0xed, 0x81, 0x00}; /* 0xed padded to 3 bytes */
        did_buf b;
        did_buf_init(&b);
        t_assert_ok(did_multibase_encode('z', trunc, sizeof trunc, &b, err), err);
        mk_decode_fail((const char *)b.data, 0, DID_ERR_VARINT, "truncated");
        did_buf_reset(&b);
        uint8_t raw[3 + 32];
        memcpy(raw, nonmin_ed, 3);
        memset(raw + 3, 0x42, 32);
        t_assert_ok(did_multibase_encode('z', raw, sizeof raw, &b, err), err);
        mk_decode_fail((const char *)b.data, 0, DID_ERR_VARINT, "minimal");
        did_buf_clear(&b);
    }

    /* Codes that are not ours: identity, raw, sha2-256, rsa-pub, bls12_381-g2-pub, sr25519-pub,
     * ed448-pub, and one past the secret codes we know. */
    static const uint64_t unknown[] = {0x00, 0x55, 0x12, 0x1205, 0xeb, 0xef, 0x1203, 0x1309};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        mk_bytes_fail(unknown[i], key, 32, 0, DID_ERR_MULTICODEC, "unknown");
        mk_bytes_fail(unknown[i], key, 32, 1, DID_ERR_MULTICODEC, "unknown");
    }
    /* P-521: recognised, not supported (public and secret codes). */
    mk_bytes_fail(DID_MC_P521_PUB, key, 67, 0, DID_ERR_MULTICODEC, "not supported");
    mk_bytes_fail(DID_MC_P521_PUB, key, 67, 0, DID_ERR_MULTICODEC, "P-521");
    mk_bytes_fail(0x1308, key, 66, 1, DID_ERR_MULTICODEC, "P-521");

    /* Wrong lengths for every type, public and secret. */
    for (size_t t = 0; t < sizeof key_types / sizeof key_types[0]; t++) {
        size_t pl = key_types[t].pub_len, sl = key_types[t].priv_len;
        mk_bytes_fail(key_types[t].pub_code, key, 0, 0, DID_ERR_MULTICODEC, NULL);
        mk_bytes_fail(key_types[t].pub_code, key, pl - 1, 0, DID_ERR_MULTICODEC, "bytes");
        mk_bytes_fail(key_types[t].pub_code, key, pl + 1, 0, DID_ERR_MULTICODEC, "bytes");
        mk_bytes_fail(key_types[t].priv_code, key, 0, 1, DID_ERR_MULTICODEC, NULL);
        mk_bytes_fail(key_types[t].priv_code, key, sl - 1, 1, DID_ERR_MULTICODEC, "bytes");
        mk_bytes_fail(key_types[t].priv_code, key, sl + 1, 1, DID_ERR_MULTICODEC, "bytes");
        /* the other direction's length for the type (an Ed25519 secret is 32 like its key) */
        if (pl != sl)
            mk_bytes_fail(key_types[t].pub_code, key, sl, 0, DID_ERR_MULTICODEC, "bytes");
    }

    /* An uncompressed EC point is refused: Multikey and did:key require compressed points.
     * First check that the compressed form of the same point is accepted. */
    uint8_t *pt = p256_vector_point(1, &n);
    char *mk = mk_make(DID_MC_P256_PUB, pt, n);
    ck_key *k = NULL;
    assert_string_equal(mk, "zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv");
    t_assert_ok(did_multikey_decode(mk, strlen(mk), &k, err), err);
    free(mk);
    free(pt);
    pt = p256_vector_point(0, &n);
    assert_int_equal(n, 65);
    mk_bytes_fail(DID_MC_P256_PUB, pt, n, 0, DID_ERR_MULTICODEC, "uncompressed");
    free(pt);
    /* the same for secp256k1 and P-384, from generated keys */
    static const ck_key_type ec[] = {CK_KEY_SECP256K1, CK_KEY_P384};
    static const uint64_t ec_code[] = {DID_MC_SECP256K1_PUB, DID_MC_P384_PUB};
    for (size_t i = 0; i < 2; i++) {
        ck_key *g = NULL;
        uint8_t un[CK_PUB_MAX_LEN];
        size_t un_len = 0;
        if (ck_key_generate(ec[i], &g, &ce) != CK_OK ||
            ck_key_export_public(g, 0, un, sizeof un, &un_len, &ce) != CK_OK)
            fail_msg("%s", ce.msg);
        assert_int_equal(un[0], 4);
        mk_bytes_fail(ec_code[i], un, un_len, 0, DID_ERR_MULTICODEC, "uncompressed");
        ck_key_free(g);
    }

    /* The right length but not a key: a compressed point with the 0x04 (uncompressed) tag, an
     * x with no point on the curve, and secret scalars 0 and >= n. The crypto library's code
     * comes through unchanged. */
    {
        uint8_t bad[49];
        size_t pn = 0;
        uint8_t pub[CK_PUB_MAX_LEN];
        if (ck_key_export_public(k, 1, pub, sizeof pub, &pn, &ce) != CK_OK)
            fail_msg("%s", ce.msg);
        memcpy(bad, pub, 33);
        bad[0] = 4;
        mk_bytes_fail(DID_MC_P256_PUB, bad, 33, 0, CK_ERR_KEY_INVALID, NULL);
        memset(bad, 0, sizeof bad);
        bad[0] = 2;
        /* About half of all x have no point; try small x until one is refused. */
        int refused = 0;
        for (uint8_t xv = 0; xv < 16 && !refused; xv++) {
            ck_key *tmp = NULL;
            bad[32] = xv;
            char *s = mk_make(DID_MC_P256_PUB, bad, 33);
            int rc = did_multikey_decode(s, strlen(s), &tmp, err);
            if (rc != DID_OK) {
                t_assert_code(rc, CK_ERR_KEY_INVALID, err);
                assert_null(tmp);
                refused = 1;
            }
            ck_key_free(tmp);
            free(s);
        }
        assert_true(refused);
        memset(bad, 0, sizeof bad);
        mk_bytes_fail(DID_MC_P256_PRIV, bad, 32, 1, CK_ERR_KEY_INVALID, NULL);
        mk_bytes_fail(DID_MC_SECP256K1_PRIV, bad, 32, 1, CK_ERR_KEY_INVALID, NULL);
        mk_bytes_fail(DID_MC_P384_PRIV, bad, 48, 1, CK_ERR_KEY_INVALID, NULL);
        memset(bad, 0xff, sizeof bad);
        mk_bytes_fail(DID_MC_P256_PRIV, bad, 32, 1, CK_ERR_KEY_INVALID, NULL);
        mk_bytes_fail(DID_MC_SECP256K1_PRIV, bad, 32, 1, CK_ERR_KEY_INVALID, NULL);
        mk_bytes_fail(DID_MC_P384_PRIV, bad, 48, 1, CK_ERR_KEY_INVALID, NULL);
    }
    ck_key_free(k);

    /* Secret bytes never appear in a message: a refused P-256 scalar of 0xff..ff. */
    {
        uint8_t s[32];
        memset(s, 0xff, sizeof s);
        char *skm = mk_make(DID_MC_P256_PRIV, s, sizeof s);
        ck_key *tmp = NULL;
        assert_int_not_equal(did_multikey_decode_secret(skm, strlen(skm), &tmp, err), DID_OK);
        assert_null(strstr(err->msg, skm + 3));
        assert_null(strstr(err->msg, "ffffffff"));
        assert_null(strstr(err->msg, "FFFFFFFF"));
        free(skm);
    }

    /* Arguments */
    t_assert_code(did_multikey_decode("z6Mk", 4, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_multikey_decode_secret(NULL, 4, &k, err), DID_ERR_ARG, err);
    t_assert_code(did_multikey_encode(NULL, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_multikey_encode_secret(NULL, NULL, err), DID_ERR_ARG, err);
}

/* Encoders leave out as it was when they fail; successful ones append. */
static void test_multikey_append(void **state)
{
    (void)state;
    did_buf b;
    did_err err_s, *err = &err_s;
    ck_key *k = NULL, *pub = NULL;
    ck_err ce;
    size_t mark;

    if (ck_key_generate(CK_KEY_ED25519, &k, &ce) != CK_OK ||
        ck_key_public_copy(k, &pub, &ce) != CK_OK)
        fail_msg("%s", ce.msg);
    buf_with_prefix(&b);
    t_assert_code(did_multikey_encode_secret(pub, &b, err), CK_ERR_KEY_NO_PRIVATE, err);
    assert_untouched(&b);
    t_assert_ok(did_multikey_encode(pub, &b, err), err);
    assert_memory_equal(b.data, PREFIX "z6Mk", strlen(PREFIX) + 4);
    mark = b.len;
    t_assert_ok(did_multikey_encode_secret(k, &b, err), err);
    assert_true(b.len > mark);
    assert_int_equal(b.data[mark], 'z');
    assert_int_equal(b.data[b.len], 0);
    did_buf_clear_secret(&b);
    ck_key_free(k);
    ck_key_free(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base58_known),       cmocka_unit_test(test_base58_random),
        cmocka_unit_test(test_base58_bad_chars),   cmocka_unit_test(test_base58_limits),
        cmocka_unit_test(test_multibase),          cmocka_unit_test(test_varint_known),
        cmocka_unit_test(test_varint_bad),         cmocka_unit_test(test_multikey_vectors),
        cmocka_unit_test(test_multikey_roundtrip), cmocka_unit_test(test_multikey_bad),
        cmocka_unit_test(test_multikey_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
