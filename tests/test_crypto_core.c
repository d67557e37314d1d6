/*
 * Tests for the crypto core: errors, hashes, base64url, AEAD, Argon2id, X25519, sealed keys.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck/ck.h>

/* Offsets of the sealed-key header fields (ck.h: CIVIDKEY v1). */
#define SEALED_OFF_TYPE 9
#define SEALED_OFF_OPS 10
#define SEALED_OFF_MEM 18
#define SEALED_HEADER_LEN 66

static const ck_key_type all_types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384,
                                        CK_KEY_SECP256K1, CK_KEY_X25519};

static void assert_hex_eq(const uint8_t *got, size_t got_len, const char *want_hex)
{
    size_t n = 0;
    uint8_t *want = t_unhex(want_hex, &n);
    assert_int_equal(got_len, n);
    assert_memory_equal(got, want, n);
    free(want);
}

static const char *jstr(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s == NULL)
        fail_msg("vector member %s missing", key);
    return s;
}

static void put_u64be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

/* ---- errors and helpers ------------------------------------------------------------------- */

static void test_err_names(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {CK_OK, "CK_OK"},
        {CK_ERR_INIT, "CK_ERR_INIT"},
        {CK_ERR_NOMEM, "CK_ERR_NOMEM"},
        {CK_ERR_ARG, "CK_ERR_ARG"},
        {CK_ERR_UNSUPPORTED, "CK_ERR_UNSUPPORTED"},
        {CK_ERR_KEY_INVALID, "CK_ERR_KEY_INVALID"},
        {CK_ERR_KEY_NO_PRIVATE, "CK_ERR_KEY_NO_PRIVATE"},
        {CK_ERR_BUFFER_SMALL, "CK_ERR_BUFFER_SMALL"},
        {CK_ERR_SIGNATURE, "CK_ERR_SIGNATURE"},
        {CK_ERR_BACKEND, "CK_ERR_BACKEND"},
        {CK_ERR_DECRYPT, "CK_ERR_DECRYPT"},
        {CK_ERR_BASE64, "CK_ERR_BASE64"},
        {CK_ERR_SEALED_FORMAT, "CK_ERR_SEALED_FORMAT"},
        {CK_ERR_PASSPHRASE, "CK_ERR_PASSPHRASE"},
        {CK_ERR_KDF, "CK_ERR_KDF"},
        {CK_ERR_JWK, "CK_ERR_JWK"},
        {CK_ERR_LIMIT, "CK_ERR_LIMIT"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_string_equal(ck_err_name(names[i].code), names[i].name);
    assert_string_equal(ck_err_name(99), "CK_ERR_UNKNOWN");
    assert_string_equal(ck_err_name(199), "CK_ERR_UNKNOWN"); /* the end of the range, unused */

    ck_err err_buf, *err = &err_buf;
    assert_int_equal(ck_err_set(err, CK_ERR_LIMIT, "limit %d", 42), CK_ERR_LIMIT);
    assert_int_equal(err->code, CK_ERR_LIMIT);
    assert_string_equal(err->msg, "limit 42");
    ck_err_clear(err);
    assert_int_equal(err->code, CK_OK);
    assert_string_equal(err->msg, "");
    assert_int_equal(ck_err_set(NULL, CK_ERR_ARG, "x"), CK_ERR_ARG);
}

static void test_helpers(void **state)
{
    (void)state;
    assert_int_equal(ck_init(), CK_OK);
    assert_int_equal(ck_init(), CK_OK);
    uint8_t a[32] = {0}, b[32] = {0};
    ck_random(a, sizeof a);
    ck_random(b, sizeof b);
    assert_int_equal(ck_equal(a, b, sizeof a), 0); /* 2^-256 chance of a false failure */
    memcpy(b, a, sizeof a);
    assert_int_equal(ck_equal(a, b, sizeof a), 1);
    b[31] ^= 1;
    assert_int_equal(ck_equal(a, b, sizeof a), 0);
    ck_wipe(a, sizeof a);
    static const uint8_t zero[32] = {0};
    assert_memory_equal(a, zero, sizeof a);

    uint8_t *s = ck_secret_alloc(48);
    assert_non_null(s);
    memset(s, 0xa5, 48);
    ck_secret_free(s);
    ck_secret_free(NULL);
}

/* ---- hashes -------------------------------------------------------------------------------- */

/* FIPS 180-2 appendix B/D examples (and the empty message). */
static void test_sha_known_answers(void **state)
{
    (void)state;
    uint8_t d[CK_HASH_MAX_LEN];
    const char *abc = "abc";
    const char *two256 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const char *two384 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                         "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

    assert_int_equal(ck_sha256(abc, 3, d), CK_OK);
    assert_hex_eq(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(ck_sha256("", 0, d), CK_OK);
    assert_hex_eq(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(ck_sha256(NULL, 0, d), CK_OK);
    assert_hex_eq(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(ck_sha256(two256, strlen(two256), d), CK_OK);
    assert_hex_eq(d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    assert_int_equal(ck_sha384(abc, 3, d), CK_OK);
    assert_hex_eq(d, 48,
                  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                  "8086072ba1e7cc2358baeca134c825a7");
    assert_int_equal(ck_sha384("", 0, d), CK_OK);
    assert_hex_eq(d, 48,
                  "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
                  "274edebfe76f65fbd51ad2f14898b95b");
    assert_int_equal(ck_sha384(two384, strlen(two384), d), CK_OK);
    assert_hex_eq(d, 48,
                  "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712"
                  "fcc7c71a557e2db966c3e9fa91746039");

    /* One million 'a' (FIPS 180-2 B.3), via the incremental API. */
    ck_err err_buf, *err = &err_buf;
    ck_hasher *h = NULL;
    t_assert_ok(ck_hasher_new(CK_SHA256, &h, err), err);
    char block[1000];
    memset(block, 'a', sizeof block);
    for (int i = 0; i < 1000; i++)
        t_assert_ok(ck_hasher_update(h, block, sizeof block, err), err);
    t_assert_ok(ck_hasher_final(h, d, err), err);
    assert_hex_eq(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    ck_hasher_free(h);

    assert_int_equal(ck_hash_len(CK_SHA256), 32);
    assert_int_equal(ck_hash_len(CK_SHA384), 48);
    assert_int_equal(ck_hash_len((ck_hash_alg)7), 0);
    t_assert_code(ck_hash((ck_hash_alg)7, abc, 3, d, err), CK_ERR_ARG, err);
    t_assert_code(ck_hash(CK_SHA256, NULL, 3, d, err), CK_ERR_ARG, err);
    t_assert_code(ck_hasher_new((ck_hash_alg)0, &h, err), CK_ERR_ARG, err);
    assert_null(h);
}

static void test_hasher_incremental(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    uint8_t msg[300];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    const ck_hash_alg algs[] = {CK_SHA256, CK_SHA384};
    for (size_t a = 0; a < 2; a++) {
        size_t hl = ck_hash_len(algs[a]);
        ck_hasher *h = NULL;
        t_assert_ok(ck_hasher_new(algs[a], &h, err), err);
        for (size_t split = 0; split <= sizeof msg; split += 37) {
            uint8_t one[CK_HASH_MAX_LEN], inc[CK_HASH_MAX_LEN];
            t_assert_ok(ck_hash(algs[a], msg, sizeof msg, one, err), err);
            /* The hasher is reused: final must have reset it. */
            t_assert_ok(ck_hasher_update(h, msg, split, err), err);
            t_assert_ok(ck_hasher_update(h, NULL, 0, err), err);
            t_assert_ok(ck_hasher_update(h, msg + split, sizeof msg - split, err), err);
            t_assert_ok(ck_hasher_final(h, inc, err), err);
            assert_memory_equal(one, inc, hl);
        }
        ck_hasher_free(h);
    }
    ck_hasher_free(NULL);
}

/* ---- base64url ----------------------------------------------------------------------------- */

/* RFC 4648 section 10 test vectors, padding removed (RFC 4648 section 3.2 allows that when the
 * referring spec says so, as RFC 7515 section 2 does). */
static void test_b64url_rfc4648(void **state)
{
    (void)state;
    static const char *const vec[][2] = {
        {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
    };
    ck_err err_buf, *err = &err_buf;
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        char enc[16];
        size_t n = 99;
        size_t in_len = strlen(vec[i][0]);
        assert_int_equal(ck_b64url_encoded_len(in_len), strlen(vec[i][1]));
        t_assert_ok(ck_b64url_encode((const uint8_t *)vec[i][0], in_len, enc, sizeof enc, &n,
                                     err),
                    err);
        assert_string_equal(enc, vec[i][1]);
        assert_int_equal(n, strlen(vec[i][1]));
        uint8_t dec[16];
        t_assert_ok(ck_b64url_decode(vec[i][1], strlen(vec[i][1]), dec, sizeof dec, &n, err),
                    err);
        assert_int_equal(n, in_len);
        assert_memory_equal(dec, vec[i][0], n);
    }
    /* The URL-safe alphabet (RFC 4648 section 5): 0xfb 0xff is "+/8=" in standard base64. */
    const uint8_t url[] = {0xfb, 0xff};
    char enc[8];
    size_t n = 0;
    t_assert_ok(ck_b64url_encode(url, 2, enc, sizeof enc, &n, err), err);
    assert_string_equal(enc, "-_8");
    uint8_t dec[4];
    t_assert_ok(ck_b64url_decode("-_8", 3, dec, sizeof dec, &n, err), err);
    assert_int_equal(n, 2);
    assert_memory_equal(dec, url, 2);

    /* Buffer checks: encode needs room for the NUL. */
    t_assert_code(ck_b64url_encode((const uint8_t *)"foo", 3, enc, 4, &n, err),
                  CK_ERR_BUFFER_SMALL, err);
    t_assert_code(ck_b64url_decode("Zm9vYmFy", 8, dec, 4, &n, err), CK_ERR_BUFFER_SMALL,
                  err);
}

static void test_b64url_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Zg==",     /* padding */
        "Zm8=",     /* padding */
        "Zg=",      /* padding */
        "Zm9v+A",   /* standard alphabet */
        "Zm9v/A",   /* standard alphabet */
        "Zm9v YmFy", /* whitespace */
        "Zm9v\nYmFy", /* newline */
        "Zm9vYmFy\t", /* trailing tab */
        "Zm9vY",    /* length % 4 == 1 */
        "Z",        /* length % 4 == 1 */
        "QR",       /* non-zero trailing bits (4 spare bits) */
        "Zh",       /* "Zg" with a spare bit set */
        "Zm9",      /* "Zm8" with a spare bit set (2 spare bits) */
        "Zm9vYmF",  /* non-zero trailing bits */
        "Zm9v*mFy", /* outside the alphabet */
        "Zm9v\x80mFy",
    };
    ck_err err_buf, *err = &err_buf;
    uint8_t out[16];
    size_t n = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = ck_b64url_decode(bad[i], strlen(bad[i]), out, sizeof out, &n, err);
        if (rc != CK_ERR_BASE64)
            fail_msg("\"%s\": expected CK_ERR_BASE64, got %s", bad[i], ck_err_name(rc));
    }
    /* The message names the offset of the offending character. */
    t_assert_code(ck_b64url_decode("Zm9v+A", 6, out, sizeof out, &n, err), CK_ERR_BASE64, err);
    assert_non_null(strstr(err->msg, "offset 4"));
    /* An embedded NUL is just another byte outside the alphabet. */
    t_assert_code(ck_b64url_decode("Zm\0v", 4, out, sizeof out, &n, err), CK_ERR_BASE64, err);
    assert_non_null(strstr(err->msg, "offset 2"));

    /* "QQ" has zero spare bits and is the one encoding of "A". */
    t_assert_ok(ck_b64url_decode("QQ", 2, out, sizeof out, &n, err), err);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 'A');
    t_assert_ok(ck_b64url_decode("", 0, out, sizeof out, &n, err), err);
    assert_int_equal(n, 0);
}

static void test_b64url_round_trip(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    uint8_t in[64], dec[64];
    char enc[90];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(0xff - i * 13);
    for (size_t len = 0; len <= 64; len++) {
        size_t n = 0, m = 0;
        t_assert_ok(ck_b64url_encode(in, len, enc, sizeof enc, &n, err), err);
        assert_int_equal(n, ck_b64url_encoded_len(len));
        assert_int_equal(strlen(enc), n);
        assert_int_not_equal(n % 4, 1);
        t_assert_ok(ck_b64url_decode(enc, n, dec, sizeof dec, &m, err), err);
        assert_int_equal(m, len);
        assert_memory_equal(dec, in, len);
        /* Exactly-sized decode buffer is enough. */
        t_assert_ok(ck_b64url_decode(enc, n, dec, len, &m, err), err);
    }
}

/* Long inputs cross the decoder's 4096-character blocks: every length around one and two
 * blocks, in both alphabets, decodes back into an exactly sized buffer (a write past it would
 * show under AddressSanitizer: the buffer is malloc'd to the byte). */
static void test_b64_block_boundaries(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    uint8_t *in = malloc(6200);
    char *enc = malloc(8400);
    assert_non_null(in);
    assert_non_null(enc);
    for (size_t i = 0; i < 6200; i++)
        in[i] = (uint8_t)(i * 131 + 7);
    static const size_t around[] = {3070, 3071, 3072, 3073, 3074, 3075, 6142, 6143, 6144, 6145,
                                    6146, 6199};
    for (size_t k = 0; k < sizeof around / sizeof around[0]; k++) {
        size_t len = around[k], n = 0, m = 0;
        for (int std = 0; std < 2; std++) {
            if (std)
                t_assert_ok(ck_b64std_encode(in, len, enc, 8400, &n, err), err);
            else
                t_assert_ok(ck_b64url_encode(in, len, enc, 8400, &n, err), err);
            uint8_t *dec = malloc(len);
            assert_non_null(dec);
            if (std)
                t_assert_ok(ck_b64std_decode(enc, n, dec, len, &m, err), err);
            else
                t_assert_ok(ck_b64url_decode(enc, n, dec, len, &m, err), err);
            assert_int_equal(m, len);
            assert_memory_equal(dec, in, len);
            /* A stray character in the second block is still found, with its offset. */
            if (n <= 4100) {
                free(dec);
                continue;
            }
            char saved = enc[4100];
            enc[4100] = std ? '-' : '+';
            int rc = std ? ck_b64std_decode(enc, n, dec, len, &m, err)
                         : ck_b64url_decode(enc, n, dec, len, &m, err);
            assert_int_equal(rc, CK_ERR_BASE64);
            assert_non_null(strstr(err->msg, "4100"));
            enc[4100] = saved;
            free(dec);
        }
    }
    free(in);
    free(enc);
}

/* ---- AEAD ---------------------------------------------------------------------------------- */

static void test_aead_wycheproof(void **state)
{
    (void)state;
    json_t *root = t_vector_json("wycheproof/xchacha20_poly1305_test.json");
    json_t *groups = json_object_get(root, "testGroups");
    size_t gi, ti, ran = 0, skipped_iv = 0;
    json_t *g, *t;
    ck_err err_buf, *err = &err_buf;
    json_array_foreach(groups, gi, g) {
        json_int_t iv_bits = json_integer_value(json_object_get(g, "ivSize"));
        json_array_foreach(json_object_get(g, "tests"), ti, t) {
            const char *result = jstr(t, "result");
            size_t key_len, iv_len, aad_len, msg_len, ct_len, tag_len;
            uint8_t *key = t_unhex(jstr(t, "key"), &key_len);
            uint8_t *iv = t_unhex(jstr(t, "iv"), &iv_len);
            uint8_t *aad = t_unhex(jstr(t, "aad"), &aad_len);
            uint8_t *msg = t_unhex(jstr(t, "msg"), &msg_len);
            uint8_t *ct = t_unhex(jstr(t, "ct"), &ct_len);
            uint8_t *tag = t_unhex(jstr(t, "tag"), &tag_len);
            if (iv_bits != 192 || iv_len != CK_AEAD_NONCE_LEN || key_len != CK_AEAD_KEY_LEN) {
                /* The API takes a fixed 24-byte nonce and 32-byte key: other sizes cannot be
                 * expressed, so such cases must all be ones wycheproof calls invalid. */
                assert_string_equal(result, "invalid");
                skipped_iv++;
                goto next;
            }
            size_t full_len = ct_len + tag_len;
            uint8_t *full = malloc(full_len + 1);
            uint8_t *sealed = malloc(msg_len + CK_AEAD_TAG_LEN + 1);
            uint8_t *pt = malloc(full_len + 1);
            assert_non_null(full);
            assert_non_null(sealed);
            assert_non_null(pt);
            if (ct_len != 0)
                memcpy(full, ct, ct_len);
            memcpy(full + ct_len, tag, tag_len);
            int rc = ck_aead_open(key, iv, aad, aad_len, full, full_len, pt, err);
            if (strcmp(result, "valid") == 0) {
                if (rc != CK_OK)
                    fail_msg("tcId %lld: open failed: %s",
                             (long long)json_integer_value(json_object_get(t, "tcId")), err->msg);
                assert_int_equal(full_len, msg_len + CK_AEAD_TAG_LEN);
                if (msg_len != 0)
                    assert_memory_equal(pt, msg, msg_len);
                t_assert_ok(ck_aead_seal(key, iv, aad, aad_len, msg, msg_len, sealed, err),
                            err);
                assert_memory_equal(sealed, full, full_len);
            } else {
                if (rc != CK_ERR_DECRYPT)
                    fail_msg("tcId %lld: expected CK_ERR_DECRYPT, got %s",
                             (long long)json_integer_value(json_object_get(t, "tcId")),
                             ck_err_name(rc));
            }
            ran++;
            free(full);
            free(sealed);
            free(pt);
        next:
            free(key);
            free(iv);
            free(aad);
            free(msg);
            free(ct);
            free(tag);
        }
    }
    json_decref(root);
    assert_true(ran > 0);
    print_message("xchacha20-poly1305: %zu cases run, %zu with a nonce size the API cannot take\n",
                  ran, skipped_iv);
}

static void test_aead_tamper(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    uint8_t key[32], nonce[24], pt[40], ct[56], back[40];
    ck_random(key, sizeof key);
    ck_random(nonce, sizeof nonce);
    memset(pt, 0x5a, sizeof pt);
    t_assert_ok(ck_aead_seal(key, nonce, (const uint8_t *)"ad", 2, pt, sizeof pt, ct, err),
                err);
    t_assert_ok(ck_aead_open(key, nonce, (const uint8_t *)"ad", 2, ct, sizeof ct, back, err),
                err);
    assert_memory_equal(back, pt, sizeof pt);
    t_assert_code(ck_aead_open(key, nonce, (const uint8_t *)"aD", 2, ct, sizeof ct, back, err),
                  CK_ERR_DECRYPT, err);
    /* Plaintext output is wiped on failure. */
    static const uint8_t zero[40] = {0};
    assert_memory_equal(back, zero, sizeof back);
    ct[0] ^= 1;
    t_assert_code(ck_aead_open(key, nonce, (const uint8_t *)"ad", 2, ct, sizeof ct, back, err),
                  CK_ERR_DECRYPT, err);
    t_assert_code(ck_aead_open(key, nonce, NULL, 0, ct, 15, back, err), CK_ERR_DECRYPT, err);
    t_assert_code(ck_aead_open(NULL, nonce, NULL, 0, ct, sizeof ct, back, err), CK_ERR_ARG,
                  err);
}

/* ---- Argon2id ------------------------------------------------------------------------------ */

/* Known answer from libsodium test/default/pwhash_argon2id.c (tv3, third case): the empty
 * passphrase against "$argon2id$v=19$m=4882,t=2,p=1$bA81arsiXysd3WbTRzmEOw$Nm8QBM+7RH1DXo9rv
 * p5cwKEOOOfD2g6JuxlXihoNcpE"; m is in KiB, salt and hash are the base64 fields decoded. */
static void test_argon2id_known_answer(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    size_t salt_len = 0;
    uint8_t *salt = t_unhex("6c0f356abb225f2b1ddd66d34739843b", &salt_len);
    assert_int_equal(salt_len, CK_KDF_SALT_LEN);
    uint8_t out[32];
    ck_kdf_params p = {2, 4882ULL * 1024};
    t_assert_ok(ck_argon2id(out, sizeof out, (const uint8_t *)"", 0, salt, p, err), err);
    assert_hex_eq(out, sizeof out,
                  "366f1004cfbb447d435e8f6bbe9e5cc0a10e38e7c3da0e89bb19578a1a0d7291");
    t_assert_ok(ck_argon2id(out, sizeof out, NULL, 0, salt, p, err), err);
    assert_hex_eq(out, sizeof out,
                  "366f1004cfbb447d435e8f6bbe9e5cc0a10e38e7c3da0e89bb19578a1a0d7291");
    free(salt);
}

static void test_argon2id_params(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    uint8_t salt[16] = {1, 2, 3}, salt2[16] = {1, 2, 4};
    uint8_t a[32], b[32];
    ck_kdf_params min = ck_kdf_params_min();
    assert_int_equal(min.opslimit, 1);
    assert_int_equal(min.memlimit, 8192);
    ck_kdf_params inter = ck_kdf_params_interactive();
    ck_kdf_params mod = ck_kdf_params_moderate();
    assert_int_equal(inter.opslimit, 2);
    assert_int_equal(inter.memlimit, 67108864);
    assert_int_equal(mod.opslimit, 3);
    assert_int_equal(mod.memlimit, 268435456);

    t_assert_ok(ck_argon2id(a, 32, (const uint8_t *)"pass", 4, salt, min, err), err);
    t_assert_ok(ck_argon2id(b, 32, (const uint8_t *)"pass", 4, salt, min, err), err);
    assert_memory_equal(a, b, 32);
    t_assert_ok(ck_argon2id(b, 32, (const uint8_t *)"pass", 4, salt2, min, err), err);
    assert_memory_not_equal(a, b, 32);
    t_assert_ok(ck_argon2id(b, 32, (const uint8_t *)"pasS", 4, salt, min, err), err);
    assert_memory_not_equal(a, b, 32);

    const ck_kdf_params bad[] = {
        {0, 8192},                            /* opslimit below libsodium's minimum */
        {1, 8191},                            /* memlimit below minimum */
        {CK_KDF_OPSLIMIT_MAX + 1, 8192},      /* above our cap */
        {1, CK_KDF_MEMLIMIT_MAX + 1},         /* above our cap */
        {1, UINT64_MAX},
        {UINT64_MAX, 8192},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        t_assert_code(ck_argon2id(a, 32, (const uint8_t *)"pass", 4, salt, bad[i], err),
                      CK_ERR_KDF, err);
    t_assert_code(ck_argon2id(a, 15, (const uint8_t *)"pass", 4, salt, min, err), CK_ERR_KDF,
                  err);
    t_assert_code(ck_argon2id(a, 32, (const uint8_t *)"pass", 4, NULL, min, err), CK_ERR_ARG,
                  err);
}

/* ---- X25519 -------------------------------------------------------------------------------- */

static void test_x25519_wycheproof(void **state)
{
    (void)state;
    json_t *root = t_vector_json("wycheproof/x25519_test.json");
    size_t gi, ti, ran = 0, zero_shared = 0;
    json_t *g, *t;
    ck_err err_buf, *err = &err_buf;
    static const uint8_t zero[32] = {0};
    json_array_foreach(json_object_get(root, "testGroups"), gi, g) {
        json_array_foreach(json_object_get(g, "tests"), ti, t) {
            const char *result = jstr(t, "result");
            size_t pub_len, priv_len, sh_len;
            uint8_t *pub = t_unhex(jstr(t, "public"), &pub_len);
            uint8_t *priv = t_unhex(jstr(t, "private"), &priv_len);
            uint8_t *want = t_unhex(jstr(t, "shared"), &sh_len);
            assert_int_equal(pub_len, 32);
            assert_int_equal(priv_len, 32);
            assert_int_equal(sh_len, 32);
            uint8_t got[32];
            int rc = ck_x25519(got, priv, pub, err);
            long long id = (long long)json_integer_value(json_object_get(t, "tcId"));
            if (strcmp(result, "invalid") == 0) {
                if (rc == CK_OK)
                    fail_msg("tcId %lld: invalid case accepted", id);
            } else if (memcmp(want, zero, 32) == 0) {
                if (rc != CK_ERR_KEY_INVALID)
                    fail_msg("tcId %lld: zero shared secret: got %s", id, ck_err_name(rc));
                zero_shared++;
            } else {
                if (rc != CK_OK)
                    fail_msg("tcId %lld (%s): %s", id, result, err->msg);
                assert_memory_equal(got, want, 32);
            }
            ran++;
            free(pub);
            free(priv);
            free(want);
        }
    }
    json_decref(root);
    assert_true(ran > 0);
    assert_true(zero_shared > 0);
    print_message("x25519: %zu cases run, %zu with an all-zero shared secret\n", ran,
                  zero_shared);
}

/* ---- sealed keys --------------------------------------------------------------------------- */

static void seal_one(ck_key_type type, ck_key **key, uint8_t *buf, size_t *len)
{
    ck_err err_buf, *err = &err_buf;
    t_assert_ok(ck_key_generate(type, key, err), err);
    t_assert_ok(ck_key_seal(*key, (const uint8_t *)"pass", 4, ck_kdf_params_min(), buf,
                            CK_SEALED_MAX_LEN, len, err),
                err);
}

/* A fixed file pinning the byte layout: Ed25519 seed of RFC 8032 section 7.1 TEST 1, passphrase
 * "pass", min params, salt 00..0f, nonce 10..27. Cross-checked when written by building the same
 * bytes with libsodium directly (crypto_pwhash + crypto_aead_xchacha20poly1305_ietf_encrypt). */
static void test_sealed_known_file(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    size_t len = 0;
    uint8_t *f = t_unhex("43495649444b4559010100000000000000010000000000002000000102030405"
                         "060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425"
                         "2627d8e553e4053dcec8f5abda5a5a35a6d94ae82624cc811266e2a5b0eb9226"
                         "c01f63f06736d59d1f97329502a5df7334da",
                         &len);
    assert_int_equal(len, 114);
    ck_key *key = NULL;
    t_assert_ok(ck_key_unseal(f, len, (const uint8_t *)"pass", 4, &key, err), err);
    assert_int_equal(ck_key_get_type(key), CK_KEY_ED25519);
    uint8_t buf[CK_PUB_MAX_LEN];
    size_t n = 0;
    t_assert_ok(ck_key_export_private(key, buf, sizeof buf, &n, err), err);
    assert_hex_eq(buf, n, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    ck_wipe(buf, sizeof buf);
    t_assert_ok(ck_key_export_public(key, 0, buf, sizeof buf, &n, err), err);
    assert_hex_eq(buf, n, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    ck_key_free(key);
    key = NULL;
    t_assert_code(ck_key_unseal(f, len, (const uint8_t *)"pas", 3, &key, err), CK_ERR_PASSPHRASE,
                  err);
    assert_null(key);
    free(f);
}

static void test_sealed_round_trip(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    for (size_t i = 0; i < sizeof all_types / sizeof all_types[0]; i++) {
        ck_key *key = NULL, *back = NULL;
        uint8_t buf[CK_SEALED_MAX_LEN];
        size_t len = 0;
        seal_one(all_types[i], &key, buf, &len);
        size_t slen = all_types[i] == CK_KEY_P384 ? 48 : 32;
        assert_int_equal(len, SEALED_HEADER_LEN + slen + CK_AEAD_TAG_LEN);
        assert_memory_equal(buf, "CIVIDKEY\x01", 9);
        assert_int_equal(buf[SEALED_OFF_TYPE], all_types[i]);

        t_assert_ok(ck_key_unseal(buf, len, (const uint8_t *)"pass", 4, &back, err), err);
        assert_int_equal(ck_key_get_type(back), all_types[i]);
        assert_int_equal(ck_key_has_private(back), 1);
        assert_int_equal(ck_key_public_equal(key, back), 1);
        uint8_t s1[CK_SECRET_MAX_LEN], s2[CK_SECRET_MAX_LEN];
        size_t l1 = 0, l2 = 0;
        t_assert_ok(ck_key_export_private(key, s1, sizeof s1, &l1, err), err);
        t_assert_ok(ck_key_export_private(back, s2, sizeof s2, &l2, err), err);
        assert_int_equal(l1, slen);
        assert_int_equal(l2, slen);
        assert_memory_equal(s1, s2, slen);
        ck_wipe(s1, sizeof s1);
        ck_wipe(s2, sizeof s2);
        ck_key_free(back);
        back = NULL;

        t_assert_code(ck_key_unseal(buf, len, (const uint8_t *)"Pass", 4, &back, err),
                      CK_ERR_PASSPHRASE, err);
        assert_null(back);
        t_assert_code(ck_key_unseal(buf, len, NULL, 0, &back, err), CK_ERR_PASSPHRASE, err);

        /* Sealing twice gives different files (fresh salt and nonce). */
        uint8_t buf2[CK_SEALED_MAX_LEN];
        size_t len2 = 0;
        t_assert_ok(ck_key_seal(key, (const uint8_t *)"pass", 4, ck_kdf_params_min(), buf2,
                                sizeof buf2, &len2, err),
                    err);
        assert_int_equal(len2, len);
        assert_memory_not_equal(buf, buf2, len);

        t_assert_code(ck_key_seal(key, (const uint8_t *)"pass", 4, ck_kdf_params_min(), buf2,
                                  len - 1, &len2, err),
                      CK_ERR_BUFFER_SMALL, err);
        ck_kdf_params huge = {1, CK_KDF_MEMLIMIT_MAX + 1};
        t_assert_code(ck_key_seal(key, (const uint8_t *)"pass", 4, huge, buf2, sizeof buf2,
                                  &len2, err),
                      CK_ERR_KDF, err);

        ck_key *pub = NULL;
        t_assert_ok(ck_key_public_copy(key, &pub, err), err);
        t_assert_code(ck_key_seal(pub, (const uint8_t *)"pass", 4, ck_kdf_params_min(), buf2,
                                  sizeof buf2, &len2, err),
                      CK_ERR_KEY_NO_PRIVATE, err);
        ck_key_free(pub);
        ck_key_free(key);
    }
}

static void test_sealed_tamper(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    for (size_t i = 0; i < sizeof all_types / sizeof all_types[0]; i++) {
        ck_key *key = NULL, *back = NULL;
        uint8_t buf[CK_SEALED_MAX_LEN], mod[CK_SEALED_MAX_LEN + 1];
        size_t len = 0;
        seal_one(all_types[i], &key, buf, &len);
        ck_key_free(key);

        /* Every single-byte change of header or body is detected. */
        static const uint8_t flips[] = {0x01, 0x80, 0xff};
        for (size_t off = 0; off < len; off++) {
            for (size_t f = 0; f < sizeof flips; f++) {
                memcpy(mod, buf, len);
                mod[off] ^= flips[f];
                int rc = ck_key_unseal(mod, len, (const uint8_t *)"pass", 4, &back, err);
                if (rc != CK_ERR_SEALED_FORMAT && rc != CK_ERR_KDF && rc != CK_ERR_PASSPHRASE)
                    fail_msg("%s: flip 0x%02x at offset %zu gave %s",
                             ck_key_type_name(all_types[i]), flips[f], off, ck_err_name(rc));
                assert_null(back);
                /* The magic, version and body have one specific outcome each. */
                if (off < 9)
                    t_assert_code(rc, CK_ERR_SEALED_FORMAT, err);
                if (off >= SEALED_HEADER_LEN || (off >= 26 && off < SEALED_HEADER_LEN))
                    t_assert_code(rc, CK_ERR_PASSPHRASE, err);
            }
        }

        /* Truncation at every length, and one byte too many. */
        for (size_t l = 0; l < len; l++)
            t_assert_code(ck_key_unseal(buf, l, (const uint8_t *)"pass", 4, &back, err),
                          CK_ERR_SEALED_FORMAT, err);
        memcpy(mod, buf, len);
        mod[len] = 0;
        t_assert_code(ck_key_unseal(mod, len + 1, (const uint8_t *)"pass", 4, &back, err),
                      CK_ERR_SEALED_FORMAT, err);
        assert_null(back);
    }
}

static void test_sealed_header_checks(void **state)
{
    (void)state;
    ck_err err_buf, *err = &err_buf;
    ck_key *back = NULL;
    /* A well-formed Ed25519-sized file with arbitrary salt/nonce/body. */
    uint8_t f[SEALED_HEADER_LEN + 32 + 16];
    memset(f, 0x33, sizeof f);
    memcpy(f, "CIVIDKEY", 8);
    f[8] = 1;
    f[SEALED_OFF_TYPE] = CK_KEY_ED25519;
    put_u64be(f + SEALED_OFF_OPS, 1);
    put_u64be(f + SEALED_OFF_MEM, 8192);
    t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                  CK_ERR_PASSPHRASE, err);

    /* Huge or out-of-range KDF parameters are refused before Argon2 runs: with a memlimit of
     * 2^63 this would otherwise try to allocate that much. */
    const uint64_t bad_mem[] = {UINT64_MAX, 1ULL << 63, CK_KDF_MEMLIMIT_MAX + 1, 8191, 0};
    for (size_t i = 0; i < sizeof bad_mem / sizeof bad_mem[0]; i++) {
        put_u64be(f + SEALED_OFF_MEM, bad_mem[i]);
        t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                      CK_ERR_KDF, err);
        assert_non_null(strstr(err->msg, "memlimit"));
    }
    put_u64be(f + SEALED_OFF_MEM, 8192);
    const uint64_t bad_ops[] = {0, CK_KDF_OPSLIMIT_MAX + 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof bad_ops / sizeof bad_ops[0]; i++) {
        put_u64be(f + SEALED_OFF_OPS, bad_ops[i]);
        t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                      CK_ERR_KDF, err);
        assert_non_null(strstr(err->msg, "opslimit"));
    }
    put_u64be(f + SEALED_OFF_OPS, 1);

    /* Version, type and type/length mismatch. */
    f[8] = 2;
    t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                  CK_ERR_SEALED_FORMAT, err);
    f[8] = 0;
    t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                  CK_ERR_SEALED_FORMAT, err);
    f[8] = 1;
    const uint8_t bad_types[] = {0, 6, 0xff};
    for (size_t i = 0; i < sizeof bad_types; i++) {
        f[SEALED_OFF_TYPE] = bad_types[i];
        t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                      CK_ERR_SEALED_FORMAT, err);
    }
    f[SEALED_OFF_TYPE] = CK_KEY_P384; /* 48-byte secret: file is 16 bytes short */
    t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                  CK_ERR_SEALED_FORMAT, err);
    f[SEALED_OFF_TYPE] = CK_KEY_ED25519;
    f[0] = 'c';
    t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, &back, err),
                  CK_ERR_SEALED_FORMAT, err);
    t_assert_code(ck_key_unseal(NULL, 0, (const uint8_t *)"pass", 4, &back, err),
                  CK_ERR_SEALED_FORMAT, err);
    t_assert_code(ck_key_unseal(f, sizeof f, (const uint8_t *)"pass", 4, NULL, err), CK_ERR_ARG,
                  err);
    assert_null(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_names),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_sha_known_answers),
        cmocka_unit_test(test_hasher_incremental),
        cmocka_unit_test(test_b64url_rfc4648),
        cmocka_unit_test(test_b64url_rejects),
        cmocka_unit_test(test_b64url_round_trip),
        cmocka_unit_test(test_b64_block_boundaries),
        cmocka_unit_test(test_aead_wycheproof),
        cmocka_unit_test(test_aead_tamper),
        cmocka_unit_test(test_argon2id_known_answer),
        cmocka_unit_test(test_argon2id_params),
        cmocka_unit_test(test_x25519_wycheproof),
        cmocka_unit_test(test_sealed_known_file),
        cmocka_unit_test(test_sealed_round_trip),
        cmocka_unit_test(test_sealed_tamper),
        cmocka_unit_test(test_sealed_header_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
