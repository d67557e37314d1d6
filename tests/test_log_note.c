/* The audit log's text formats (did/log.h): standard base64 (ck_b64std_*), C2SP signed notes,
 * verifier and signer keys, tlog-checkpoint bodies and c2sp.org/tlog-proof@v1.
 *
 * Vectors:
 *  - RFC 4648 section 10 (base64 test vectors).
 *  - golang.org/x/mod sumdb/note note_test.go: the PeterNeumann signer key, verifier keys, the
 *    signed note it produces (Ed25519 is deterministic, so we must reproduce it byte for byte),
 *    the EnochRoot signature, and the malformed notes and keys Go rejects.
 *  - C2SP signed-note.md, tlog-checkpoint.md and tlog-proof.md: the example texts. The specs
 *    publish no keys for them, so they are checked for parsing (key IDs, fields) only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/log.h>

#include "support.h"

#define H DID_LOG_HASH_LEN
#define EM "\xe2\x80\x94" /* U+2014 EM DASH */

static const char PETER_VKEY[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char PETER_SKEY[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char ENOCH_VKEY[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char TEXT[] = "If you think cryptography is the answer to your problem,\n"
                           "then you don't know what your problem is.\n";
static const char PETER_SIG[] =
    EM " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
       "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char ENOCH_SIG[] =
    EM " EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vA"
       "F1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/* ---- helpers ------------------------------------------------------------------------------ */

static char *cat(const char *a, const char *b, const char *c, const char *d)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d);
    char *s = malloc(n + 1);
    assert_non_null(s);
    snprintf(s, n + 1, "%s%s%s%s", a, b, c, d);
    return s;
}

static void vkey(const char *s, did_log_vkey *out)
{
    did_err err;
    t_assert_ok(did_log_vkey_parse(s, strlen(s), out, &err), &err);
}

/* Parses and verifies s against keys; returns the code. */
static int open_note(const char *s, const did_log_vkey *keys, size_t nkeys, size_t *n_ok,
                     did_err *err)
{
    did_log_note note;
    int rc = did_log_note_parse((const uint8_t *)s, strlen(s), &note, err);
    if (rc != 0)
        return rc;
    return did_log_note_verify(&note, keys, nkeys, NULL, n_ok, err);
}

static void assert_msg_has(const did_err *err, const char *needle)
{
    if (strstr(err->msg, needle) == NULL)
        fail_msg("error message \"%s\" does not mention \"%s\"", err->msg, needle);
}

/* A test key with a fixed seed. */
static ck_key *seed_key(uint8_t fill)
{
    uint8_t seed[32];
    memset(seed, fill, sizeof seed);
    ck_key *k = NULL;
    ck_err ce;
    if (ck_key_import_private(CK_KEY_ED25519, seed, sizeof seed, &k, &ce) != 0)
        fail_msg("seed key: %s", ce.msg);
    return k;
}

/* ---- standard base64 (crypto library) ----------------------------------------------------- */

static void b64_ok(const char *plain, const char *enc)
{
    char out[64];
    size_t n = 0;
    ck_err ce;
    t_assert_ok(ck_b64std_encode((const uint8_t *)plain, strlen(plain), out, sizeof out, &n, &ce),
                &ce);
    assert_string_equal(out, enc);
    assert_int_equal(n, strlen(enc));
    assert_int_equal(ck_b64std_encoded_len(strlen(plain)), strlen(enc));
    uint8_t dec[64];
    t_assert_ok(ck_b64std_decode(enc, strlen(enc), dec, sizeof dec, &n, &ce), &ce);
    assert_int_equal(n, strlen(plain));
    assert_memory_equal(dec, plain, n);
}

static void b64_bad(const char *enc, int code)
{
    uint8_t dec[64];
    size_t n = 0;
    ck_err ce;
    t_assert_code(ck_b64std_decode(enc, strlen(enc), dec, sizeof dec, &n, &ce), code, &ce);
}

static void test_b64std(void **state)
{
    (void)state;
    /* RFC 4648 section 10. */
    b64_ok("", "");
    b64_ok("f", "Zg==");
    b64_ok("fo", "Zm8=");
    b64_ok("foo", "Zm9v");
    b64_ok("foob", "Zm9vYg==");
    b64_ok("fooba", "Zm9vYmE=");
    b64_ok("foobar", "Zm9vYmFy");
    /* The standard alphabet's last two characters. */
    uint8_t ff[3] = {0xfb, 0xff, 0xbf};
    char out[8];
    size_t n;
    ck_err ce;
    t_assert_ok(ck_b64std_encode(ff, 3, out, sizeof out, &n, &ce), &ce);
    assert_string_equal(out, "+/+/");

    b64_bad("Zg", CK_ERR_BASE64);       /* padding required */
    b64_bad("Zg=", CK_ERR_BASE64);      /* incomplete padding */
    b64_bad("Zg===", CK_ERR_BASE64);    /* too much padding */
    b64_bad("Zh==", CK_ERR_BASE64);     /* non-zero trailing bits */
    b64_bad("Zm9=", CK_ERR_BASE64);     /* non-zero trailing bits */
    b64_bad("Zm8=Zm8=", CK_ERR_BASE64); /* padding in the middle */
    b64_bad("Zm9v\n", CK_ERR_BASE64);   /* whitespace */
    b64_bad("Zm 9v", CK_ERR_BASE64);
    b64_bad("-_-_", CK_ERR_BASE64); /* base64url alphabet */
    b64_bad("====", CK_ERR_BASE64);
    b64_bad("Z===", CK_ERR_BASE64);
    b64_bad("Zm9v\x80", CK_ERR_BASE64);
    uint8_t small[2];
    t_assert_code(ck_b64std_decode("Zm9v", 4, small, sizeof small, &n, &ce), CK_ERR_BUFFER_SMALL,
                  &ce);
    t_assert_code(ck_b64std_encode((const uint8_t *)"foo", 3, out, 4, &n, &ce), CK_ERR_BUFFER_SMALL,
                  &ce);
    /* Round trips of every length 0..100. */
    for (size_t len = 0; len <= 100; len++) {
        uint8_t in[100], dec[100];
        char enc[140];
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)(i * 37 + len);
        t_assert_ok(ck_b64std_encode(in, len, enc, sizeof enc, &n, &ce), &ce);
        assert_int_equal(n % 4, 0);
        t_assert_ok(ck_b64std_decode(enc, n, dec, sizeof dec, &n, &ce), &ce);
        assert_int_equal(n, len);
        if (len > 0)
            assert_memory_equal(dec, in, len);
    }
}

/* ---- keys --------------------------------------------------------------------------------- */

static void test_go_keys(void **state)
{
    (void)state;
    did_err err;
    did_log_vkey peter, enoch, from_skey;
    vkey(PETER_VKEY, &peter);
    assert_string_equal(peter.name, "PeterNeumann");
    assert_int_equal(peter.name_len, 12);
    assert_int_equal(peter.key_id, 0xc74f20a3u);
    assert_int_equal(peter.type, DID_LOG_SIG_ED25519);
    vkey(ENOCH_VKEY, &enoch);
    assert_int_equal(enoch.key_id, 0xaf0cfe78u);

    /* Formatting gives back the same string. */
    did_buf b;
    did_buf_init(&b);
    t_assert_ok(did_log_vkey_format(&peter, &b, &err), &err);
    assert_string_equal((char *)b.data, PETER_VKEY);
    did_buf_clear(&b);

    /* The signer key derives the same verifier key. */
    ck_key *k = NULL;
    t_assert_ok(did_log_skey_parse(PETER_SKEY, strlen(PETER_SKEY), &k, &from_skey, &err), &err);
    assert_memory_equal(&from_skey, &peter, sizeof peter);
    did_log_vkey again;
    t_assert_ok(did_log_vkey_from_key(k, "PeterNeumann", 12, &again, &err), &err);
    assert_memory_equal(&again, &peter, sizeof peter);
    ck_key_free(k);

    /* Go's manglings: every proper substring and every single-byte increment is refused. */
    char s[256];
    size_t len = strlen(PETER_VKEY);
    for (size_t i = 0; i <= len; i++) {
        for (size_t j = i + 1; j <= len; j++) {
            if (i == 0 && j == len)
                continue;
            did_log_vkey v;
            t_assert_code(did_log_vkey_parse(PETER_VKEY + i, j - i, &v, &err), DID_ERR_LOG_KEY,
                          &err);
        }
    }
    for (size_t i = 0; i < len; i++) {
        memcpy(s, PETER_VKEY, len);
        s[i]++;
        did_log_vkey v;
        t_assert_code(did_log_vkey_parse(s, len, &v, &err), DID_ERR_LOG_KEY, &err);
    }
    len = strlen(PETER_SKEY);
    for (size_t i = 0; i <= len; i += 3) {
        for (size_t j = i + 1; j <= len; j++) {
            if (i == 0 && j == len)
                continue;
            ck_key *kk = NULL;
            t_assert_code(did_log_skey_parse(PETER_SKEY + i, j - i, &kk, NULL, &err),
                          DID_ERR_LOG_KEY, &err);
            assert_null(kk);
        }
    }
    for (size_t i = 0; i < len; i++) {
        memcpy(s, PETER_SKEY, len);
        s[i]++;
        ck_key *kk = NULL;
        t_assert_code(did_log_skey_parse(s, len, &kk, NULL, &err), DID_ERR_LOG_KEY, &err);
        /* No key material in messages. */
        assert_null(strstr(err.msg, "AYEKFALV"));
    }

    /* Go's two adjusted-hash cases: wrong key length, unknown algorithm. */
    const char *bad1 = "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==";
    const char *bad2 = "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    did_log_vkey v;
    t_assert_code(did_log_vkey_parse(bad1, strlen(bad1), &v, &err), DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_vkey_parse(bad2, strlen(bad2), &v, &err), DID_ERR_LOG_KEY, &err);
    assert_msg_has(&err, "unsupported signature type 0x65");
    /* A key ID that does not match the name and key. */
    const char *wrong_id = "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    t_assert_code(did_log_vkey_parse(wrong_id, strlen(wrong_id), &v, &err), DID_ERR_LOG_KEY, &err);
    assert_msg_has(&err, "does not match");
    /* Strictness beyond Go: upper-case hex and names with spaces or control characters. */
    const char *upper = "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    t_assert_code(did_log_vkey_parse(upper, strlen(upper), &v, &err), DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_vkey_from_key(k = seed_key(7), "a b", 3, &v, &err), DID_ERR_LOG_KEY,
                  &err);
    t_assert_code(did_log_vkey_from_key(k,
                                        "a\xc2\xa0"
                                        "b",
                                        4, &v, &err),
                  DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_vkey_from_key(k,
                                        "a\xe2\x80\x83"
                                        "b",
                                        5, &v, &err),
                  DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_vkey_from_key(k,
                                        "a\x01"
                                        "b",
                                        3, &v, &err),
                  DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_vkey_from_key(k, "a+b", 3, &v, &err), DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_vkey_from_key(k, "", 0, &v, &err), DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_vkey_from_key(k, "\xff", 1, &v, &err), DID_ERR_LOG_KEY, &err);
    char longname[DID_LOG_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname);
    t_assert_ok(did_log_vkey_from_key(k, longname, DID_LOG_NAME_MAX, &v, &err), &err);
    t_assert_code(did_log_vkey_from_key(k, longname, DID_LOG_NAME_MAX + 1, &v, &err),
                  DID_ERR_LOG_KEY, &err);
    /* A generated key round-trips through its string. */
    t_assert_ok(did_log_vkey_from_key(k, "log.civid.example/test", 22, &v, &err), &err);
    did_buf_init(&b);
    t_assert_ok(did_log_vkey_format(&v, &b, &err), &err);
    did_log_vkey back;
    t_assert_ok(did_log_vkey_parse((char *)b.data, b.len, &back, &err), &err);
    assert_memory_equal(&back, &v, sizeof v);
    did_buf_clear(&b);
    ck_key_free(k);
    /* Non-Ed25519 keys cannot be note keys. */
    ck_err ce;
    assert_int_equal(ck_key_generate(CK_KEY_P256, &k, &ce), 0);
    t_assert_code(did_log_vkey_from_key(k, "p256", 4, &v, &err), DID_ERR_LOG_KEY, &err);
    ck_key_free(k);
}

/* ---- signed notes: the Go vectors --------------------------------------------------------- */

static void test_go_sign_and_open(void **state)
{
    (void)state;
    did_err err;
    ck_key *k = NULL;
    did_log_vkey peter, enoch;
    t_assert_ok(did_log_skey_parse(PETER_SKEY, strlen(PETER_SKEY), &k, &peter, &err), &err);
    vkey(ENOCH_VKEY, &enoch);

    /* Signing reproduces Go's output exactly. */
    char *want = cat(TEXT, "\n", PETER_SIG, "");
    did_buf b;
    did_buf_init(&b);
    assert_int_equal(did_buf_append_str(&b, "keep:"), 0);
    t_assert_ok(
        did_log_note_sign((const uint8_t *)TEXT, strlen(TEXT), k, "PeterNeumann", 12, &b, &err),
        &err);
    assert_string_equal((char *)b.data + 5, want);
    did_buf_clear(&b);
    free(want);

    /* One signature verified, one unknown. */
    char *msg = cat(TEXT, "\n", PETER_SIG, ENOCH_SIG);
    did_log_note note;
    t_assert_ok(did_log_note_parse((const uint8_t *)msg, strlen(msg), &note, &err), &err);
    assert_int_equal(note.text_len, strlen(TEXT));
    assert_memory_equal(note.text, TEXT, note.text_len);
    assert_int_equal(note.nsigs, 2);
    assert_int_equal(note.sigs[0].key_id, 0xc74f20a3u);
    assert_int_equal(note.sigs[1].key_id, 0xaf0cfe78u);
    assert_int_equal(note.sigs[1].name_len, 9);
    assert_memory_equal(note.sigs[1].name, "EnochRoot", 9);
    uint8_t ok[2];
    size_t n_ok = 9;
    t_assert_ok(did_log_note_verify(&note, &peter, 1, ok, &n_ok, &err), &err);
    assert_int_equal(ok[0], 1);
    assert_int_equal(n_ok, 1);
    /* Both verified. */
    did_log_vkey both[2] = {enoch, peter};
    t_assert_ok(did_log_note_verify(&note, both, 2, ok, &n_ok, &err), &err);
    assert_int_equal(ok[0], 1);
    assert_int_equal(ok[1], 1);
    assert_int_equal(n_ok, 2);
    /* No known key. */
    t_assert_code(did_log_note_verify(&note, NULL, 0, NULL, NULL, &err), DID_ERR_LOG_KEY, &err);
    /* A key with the right name but another ID is unknown, not a failure. */
    did_log_vkey other;
    k = (ck_key_free(k), seed_key(9));
    t_assert_ok(did_log_vkey_from_key(k, "PeterNeumann", 12, &other, &err), &err);
    t_assert_code(did_log_note_verify(&note, &other, 1, NULL, NULL, &err), DID_ERR_LOG_KEY, &err);
    /* A key with the right name and ID but another public key: a failing known signature. */
    other.key_id = peter.key_id;
    t_assert_code(did_log_note_verify(&note, &other, 1, NULL, NULL, &err), DID_ERR_LOG_NOTE_SIG,
                  &err);
    /* Ambiguous key lists are refused. */
    did_log_vkey dup[2] = {peter, peter};
    t_assert_code(did_log_note_verify(&note, dup, 2, NULL, NULL, &err), DID_ERR_ARG, &err);
    free(msg);

    /* Go: duplicated verified and unverified signatures (enoch's with ABCD inserted). */
    char enoch_abcd[256];
    snprintf(enoch_abcd, sizeof enoch_abcd, "%.60sABCD%s", ENOCH_SIG, ENOCH_SIG + 60);
    char *dups = cat(TEXT, "\n", PETER_SIG, PETER_SIG);
    char *dups2 = cat(dups, ENOCH_SIG, ENOCH_SIG, enoch_abcd);
    t_assert_ok(open_note(dups2, &peter, 1, &n_ok, &err), &err);
    assert_int_equal(n_ok, 1);
    free(dups);
    free(dups2);

    /* Go: a signature line whose key ID is not the key's ("x08g" -> "xxxx") is someone
     * else's signature: ignored, so no known key signed. */
    char wrong_hash[256];
    snprintf(wrong_hash, sizeof wrong_hash, "%s", PETER_SIG);
    memcpy(strstr(wrong_hash, "x08g"), "xxxx", 4);
    msg = cat(TEXT, "\n", wrong_hash, "");
    t_assert_code(open_note(msg, &peter, 1, NULL, &err), DID_ERR_LOG_KEY, &err);
    free(msg);

    /* Go: an invalid signature by a known key. */
    char peter_abcd[256];
    snprintf(peter_abcd, sizeof peter_abcd, "%.60sABCD%s", PETER_SIG, PETER_SIG + 60);
    msg = cat(TEXT, "\n", peter_abcd, "");
    t_assert_code(open_note(msg, &peter, 1, NULL, &err), DID_ERR_LOG_NOTE_SIG, &err);
    assert_msg_has(&err, "PeterNeumann+c74f20a3");
    free(msg);
    /* A bad known signature rejects the note even beside a good one. */
    msg = cat(TEXT, "\n", PETER_SIG, "");
    char *msg2 = cat(msg, peter_abcd, "", "");
    t_assert_code(open_note(msg2, &peter, 1, NULL, &err), DID_ERR_LOG_NOTE_SIG, &err);
    free(msg);
    free(msg2);

    /* Go: malformed messages. */
    char *bad[7];
    char sig_no_nl[256];
    snprintf(sig_no_nl, sizeof sig_no_nl, "%.*s", (int)strlen(PETER_SIG) - 1, PETER_SIG);
    bad[0] = cat(TEXT, "", "", "");
    bad[1] = cat(TEXT, "\n", "", "");
    bad[2] = cat(TEXT, "\n", sig_no_nl, "");
    bad[3] = cat("\x01", TEXT, "\n", PETER_SIG);
    bad[4] = cat("\xff", TEXT, "\n", PETER_SIG);
    bad[5] = cat(TEXT, "\n",
                 EM " Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqf"
                    "qdngotpRZb6KE6RyyBwJnAM=\n",
                 "");
    bad[6] = cat(TEXT, "\n", PETER_SIG, "Unexpected line.\n");
    for (size_t i = 0; i < 7; i++) {
        t_assert_code(open_note(bad[i], &peter, 1, NULL, &err), DID_ERR_LOG_NOTE, &err);
        free(bad[i]);
    }

    /* Go allows 100 signatures; we allow DID_LOG_NOTE_MAX_SIGS (32, the spec asks for 16). */
    did_buf many;
    did_buf_init(&many);
    assert_int_equal(did_buf_append_str(&many, TEXT), 0);
    assert_int_equal(did_buf_append_str(&many, "\n"), 0);
    for (int i = 0; i < DID_LOG_NOTE_MAX_SIGS; i++)
        assert_int_equal(did_buf_append_str(&many, PETER_SIG), 0);
    t_assert_ok(open_note((char *)many.data, &peter, 1, &n_ok, &err), &err);
    assert_int_equal(did_buf_append_str(&many, PETER_SIG), 0);
    t_assert_code(open_note((char *)many.data, &peter, 1, NULL, &err), DID_ERR_LIMIT, &err);
    did_buf_clear(&many);
    ck_key_free(k);
}

/* ---- signed notes: our own negatives ------------------------------------------------------ */

static void note_bad(const char *s, size_t len, int code, const char *needle)
{
    did_err err;
    did_log_note note;
    t_assert_code(did_log_note_parse((const uint8_t *)s, len, &note, &err), code, &err);
    assert_int_equal(note.nsigs, 0);
    if (needle != NULL)
        assert_msg_has(&err, needle);
}

static void test_note_negatives(void **state)
{
    (void)state;
    const char *sig =
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
        "KE6RyyBwJnAM=";
    char s[1024];
#define NOTE(dash, sep, tail) \
    snprintf(s, sizeof s, "%s\n%s PeterNeumann%s%s%s", TEXT, dash, sep, sig, tail)
    NOTE(EM, " ", "\n");
    did_err err;
    did_log_note note;
    t_assert_ok(did_log_note_parse((const uint8_t *)s, strlen(s), &note, &err), &err);

    NOTE("\xe2\x80\x93", " ", "\n"); /* en dash */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "em dash");
    NOTE("--", " ", "\n");
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "em dash");
    NOTE("-", " ", "\n");
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "em dash");
    NOTE(EM, " ", ""); /* missing final newline */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "final newline");
    NOTE(EM, " ", " \n"); /* trailing space */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "whitespace");
    NOTE(EM, "  ", "\n"); /* double space */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, NULL);
    NOTE(EM, "\t", "\n"); /* tab: a control character */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "control character");
    NOTE(EM, " ", "\r\n"); /* CRLF */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "control character");
    NOTE(EM EM, " ", "\n"); /* no space after the dash */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "em dash");
    snprintf(s, sizeof s, "%s\n" EM " Peter+Neumann %s\n", TEXT, sig);
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "'+'");
    snprintf(s, sizeof s, "%s\n" EM "  %s\n", TEXT, sig); /* empty name */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "empty key name");
    snprintf(s, sizeof s, "%s\n" EM " Peter\xc2\xa0Neumann %s\n", TEXT, sig); /* NBSP in name */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "space");
    snprintf(s, sizeof s, "%s\n" EM " PeterNeumann\n", TEXT); /* no signature */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "no space");
    snprintf(s, sizeof s, "%s\n" EM " PeterNeumann \n", TEXT); /* empty signature */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "empty signature");
    snprintf(s, sizeof s, "%s\n" EM " PeterNeumann !!!!\n", TEXT); /* bad base64 */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "alphabet");
    snprintf(s, sizeof s, "%s\n" EM " PeterNeumann %.*s\n", TEXT, (int)strlen(sig) - 1, sig);
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "base64");                /* padding removed */
    snprintf(s, sizeof s, "%s\n" EM " PeterNeumann AAAAAA==\n", TEXT); /* 4 bytes */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "4 bytes");
    snprintf(s, sizeof s, "%s\n" EM " PeterNeumann AAAAAB==\n", TEXT); /* non-canonical */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "trailing bits");
    snprintf(s, sizeof s, "%s" EM " PeterNeumann %s\n", TEXT, sig); /* no blank line */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "blank line");
    snprintf(s, sizeof s, "%s\n" EM " PeterNeumann %s\n\n", TEXT, sig); /* trailing blank line */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "no signature line");
    snprintf(s, sizeof s, "%s\n\n" EM " PeterNeumann %s\n", TEXT, sig); /* two blank lines */
    t_assert_ok(did_log_note_parse((const uint8_t *)s, strlen(s), &note, &err), &err);
    assert_int_equal(note.text_len, strlen(TEXT) + 1); /* the text keeps an empty line */
    snprintf(s, sizeof s, "caf\xc3\xa9 \xc0\xaf\n\n" EM " PeterNeumann %s\n", sig); /* overlong */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "invalid UTF-8 at offset 6");
    snprintf(s, sizeof s, "\xed\xa0\x80\n\n" EM " PeterNeumann %s\n", sig); /* surrogate */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "invalid UTF-8 at offset 0");
    snprintf(s, sizeof s, "a\xe2\x80\n\n" EM " PeterNeumann %s\n", sig); /* truncated */
    note_bad(s, strlen(s), DID_ERR_LOG_NOTE, "invalid UTF-8");
    memcpy(s, "a\0b\n\n", 5);
    note_bad(s, 5, DID_ERR_LOG_NOTE, "control character");
    note_bad("", 0, DID_ERR_LOG_NOTE, "final newline");
    /* A signature longer than DID_LOG_SIG_MAX, and a note longer than the limit. */
    did_buf big;
    did_buf_init(&big);
    assert_int_equal(did_buf_printf(&big, "%s\n" EM " PeterNeumann ", TEXT), 0);
    for (int i = 0; i < (4 + DID_LOG_SIG_MAX) / 3 + 2; i++)
        assert_int_equal(did_buf_append_str(&big, "AAAA"), 0);
    assert_int_equal(did_buf_append_str(&big, "\n"), 0);
    note_bad((char *)big.data, big.len, DID_ERR_LIMIT, "longer than");
    did_buf_reset(&big);
    for (int i = 0; i < DID_LOG_NOTE_MAX_LEN / 16 + 1; i++)
        assert_int_equal(did_buf_append_str(&big, "0123456789abcde\n"), 0);
    assert_int_equal(did_buf_printf(&big, "\n" EM " PeterNeumann %s\n", sig), 0);
    note_bad((char *)big.data, big.len, DID_ERR_LIMIT, NULL);
    did_buf_clear(&big);
#undef NOTE
}

static void test_note_sign_errors(void **state)
{
    (void)state;
    did_err err;
    did_buf b;
    did_buf_init(&b);
    assert_int_equal(did_buf_append_str(&b, "keep"), 0);
    ck_key *k = seed_key(3);
    const uint8_t *t = (const uint8_t *)"line\n";
    t_assert_code(did_log_note_sign((const uint8_t *)"line", 4, k, "n", 1, &b, &err),
                  DID_ERR_LOG_NOTE, &err);
    t_assert_code(did_log_note_sign((const uint8_t *)"", 0, k, "n", 1, &b, &err), DID_ERR_LOG_NOTE,
                  &err);
    t_assert_code(did_log_note_sign((const uint8_t *)"a\rb\n", 4, k, "n", 1, &b, &err),
                  DID_ERR_LOG_NOTE, &err);
    t_assert_code(did_log_note_sign(t, 5, k, "a b", 3, &b, &err), DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_note_sign(t, 5, k, "a+b", 3, &b, &err), DID_ERR_LOG_KEY, &err);
    ck_key *pub = NULL;
    ck_err ce;
    assert_int_equal(ck_key_public_copy(k, &pub, &ce), 0);
    t_assert_code(did_log_note_sign(t, 5, pub, "n", 1, &b, &err), DID_ERR_LOG_KEY, &err);
    ck_key_free(pub);
    ck_key *p256 = NULL;
    assert_int_equal(ck_key_generate(CK_KEY_P256, &p256, &ce), 0);
    t_assert_code(did_log_note_sign(t, 5, p256, "n", 1, &b, &err), DID_ERR_LOG_KEY, &err);
    ck_key_free(p256);
    /* Nothing was appended by any failure. */
    assert_int_equal(b.len, 4);
    assert_string_equal((char *)b.data, "keep");
    /* A good signature, then a second line appended by another key (a cosigner). */
    t_assert_ok(did_log_note_sign(t, 5, k, "n", 1, &b, &err), &err);
    ck_key *k2 = seed_key(4);
    t_assert_ok(did_log_note_sign_line(t, 5, k2, "witness.example", 15, &b, &err), &err);
    did_log_vkey keys[2];
    t_assert_ok(did_log_vkey_from_key(k, "n", 1, &keys[0], &err), &err);
    t_assert_ok(did_log_vkey_from_key(k2, "witness.example", 15, &keys[1], &err), &err);
    did_log_note note;
    t_assert_ok(did_log_note_parse(b.data + 4, b.len - 4, &note, &err), &err);
    assert_int_equal(note.nsigs, 2);
    uint8_t ok[2];
    size_t n_ok;
    t_assert_ok(did_log_note_verify(&note, keys, 2, ok, &n_ok, &err), &err);
    assert_int_equal(n_ok, 2);
    /* Signing is deterministic. */
    did_buf c;
    did_buf_init(&c);
    t_assert_ok(did_log_note_sign(t, 5, k, "n", 1, &c, &err), &err);
    assert_memory_equal(c.data, b.data + 4, c.len);
    did_buf_clear(&c);
    did_buf_clear(&b);
    ck_key_free(k);
    ck_key_free(k2);
}

/* ---- C2SP examples ------------------------------------------------------------------------ */

static const char C2SP_NOTE[] =
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed \xc3\xa8 subito sera.\n"
    "\n" EM " quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKON"
    "rMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

static const char C2SP_CHECKPOINT[] =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n" EM " example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

static void test_c2sp_examples(void **state)
{
    (void)state;
    did_err err;
    did_log_note note;
    t_assert_ok(did_log_note_parse((const uint8_t *)C2SP_NOTE, strlen(C2SP_NOTE), &note, &err),
                &err);
    /* The text keeps its inner empty line; the last blank line separates. */
    const char *text = strstr(C2SP_NOTE, "sera.\n") + 6;
    assert_int_equal(note.text_len, (size_t)(text - C2SP_NOTE));
    assert_int_equal(note.nsigs, 1);
    assert_int_equal(note.sigs[0].name_len, strlen("quasimodo.example/salvatore"));
    assert_int_equal(note.sigs[0].key_id, 0x367ba04bu);

    t_assert_ok(
        did_log_note_parse((const uint8_t *)C2SP_CHECKPOINT, strlen(C2SP_CHECKPOINT), &note, &err),
        &err);
    assert_int_equal(note.sigs[0].key_id, 0x033de0aeu);
    did_log_checkpoint cp;
    t_assert_ok(did_log_checkpoint_parse(note.text, note.text_len, &cp, &err), &err);
    assert_int_equal(cp.origin_len, strlen("example.com/behind-the-sofa"));
    assert_memory_equal(cp.origin, "example.com/behind-the-sofa", cp.origin_len);
    assert_int_equal(cp.size, 20852163);
    assert_int_equal(cp.root[0], 0x0a);
    assert_int_equal(cp.root[31], 0x62);
    assert_int_equal(cp.n_ext, 0);
    /* Written back, the body is byte-identical. */
    did_buf b;
    did_buf_init(&b);
    t_assert_ok(did_log_checkpoint_write(&cp, &b, &err), &err);
    assert_int_equal(b.len, note.text_len);
    assert_memory_equal(b.data, note.text, b.len);
    did_buf_clear(&b);
    /* Opening it with a key of the same name (but another ID) finds no known signature. */
    ck_key *k = seed_key(5);
    did_log_vkey v;
    t_assert_ok(did_log_vkey_from_key(k, "example.com/behind-the-sofa", 27, &v, &err), &err);
    t_assert_code(did_log_checkpoint_open((const uint8_t *)C2SP_CHECKPOINT, strlen(C2SP_CHECKPOINT),
                                          &v, 1, NULL, 0, NULL, &cp, &err),
                  DID_ERR_LOG_KEY, &err);
    ck_key_free(k);

    /* tlog-proof.md's example, with its elided signatures replaced by the checkpoint example
     * above (the spec's "[...]" is not base64): the proof lines parse as published. */
    did_buf p;
    did_buf_init(&p);
    assert_int_equal(
        did_buf_append_str(&p, "c2sp.org/tlog-proof@v1\n"
                               "extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n"
                               "index 73894\n"
                               "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
                               "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
                               "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n"
                               "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n"
                               "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n"
                               "\n"),
        0);
    assert_int_equal(did_buf_append_str(&p, C2SP_CHECKPOINT), 0);
    did_log_proof pr;
    t_assert_ok(did_log_proof_parse(p.data, p.len, &pr, &err), &err);
    assert_true(pr.has_extra);
    assert_int_equal(pr.extra_len, 39);
    assert_memory_equal(pr.extra, "age-v1.2.1-darwin-arm64.tar.gz", 30);
    assert_int_equal(pr.index, 73894);
    assert_int_equal(pr.n_hashes, 5);
    assert_int_equal(pr.hashes[0][0], 0x81);
    assert_int_equal(pr.body.size, 20852163);
    assert_int_equal(pr.checkpoint_len, strlen(C2SP_CHECKPOINT));
    /* Written back from the parsed form, the proof is byte-identical. */
    did_buf w;
    did_buf_init(&w);
    t_assert_ok(did_log_proof_write(pr.index, (const uint8_t(*)[H])pr.hashes, pr.n_hashes, pr.extra,
                                    pr.extra_len, pr.checkpoint, pr.checkpoint_len, &w, &err),
                &err);
    assert_int_equal(w.len, p.len);
    assert_memory_equal(w.data, p.data, p.len);
    did_buf_clear(&w);
    did_buf_clear(&p);
}

/* ---- checkpoints -------------------------------------------------------------------------- */

static void cp_bad(const char *body, int code, const char *needle)
{
    did_err err;
    did_log_checkpoint cp;
    t_assert_code(did_log_checkpoint_parse((const uint8_t *)body, strlen(body), &cp, &err), code,
                  &err);
    if (needle != NULL)
        assert_msg_has(&err, needle);
}

static void test_checkpoints(void **state)
{
    (void)state;
    did_err err;
    const char *root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    char s[512];
    did_log_checkpoint cp;

    snprintf(s, sizeof s, "o\n0\n%s\n", root);
    t_assert_ok(did_log_checkpoint_parse((const uint8_t *)s, strlen(s), &cp, &err), &err);
    assert_int_equal(cp.size, 0);
    snprintf(s, sizeof s, "o\n18446744073709551615\n%s\next one\next two\n", root);
    t_assert_ok(did_log_checkpoint_parse((const uint8_t *)s, strlen(s), &cp, &err), &err);
    assert_int_equal(cp.size, UINT64_MAX);
    assert_int_equal(cp.n_ext, 2);
    assert_memory_equal(cp.ext[1].p, "ext two", 7);
    /* Others' origins need not be key names. */
    snprintf(s, sizeof s, "a log+with spaces\n5\n%s\n", root);
    t_assert_ok(did_log_checkpoint_parse((const uint8_t *)s, strlen(s), &cp, &err), &err);

    snprintf(s, sizeof s, "o\n12a\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "decimal");
    snprintf(s, sizeof s, "o\n012\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "leading zero");
    snprintf(s, sizeof s, "o\n00\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "leading zero");
    snprintf(s, sizeof s, "o\n+12\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "decimal");
    snprintf(s, sizeof s, "o\n-1\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "decimal");
    snprintf(s, sizeof s, "o\n12 \n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "decimal");
    snprintf(s, sizeof s, "o\n\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "empty number");
    snprintf(s, sizeof s, "o\n18446744073709551616\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "64 bits");
    snprintf(s, sizeof s, "o\n99999999999999999999999\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "64 bits");
    cp_bad("o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==\n", DID_ERR_LOG_CHECKPOINT,
           "31 bytes");
    cp_bad("o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n", DID_ERR_LOG_CHECKPOINT,
           "33 bytes");
    cp_bad("o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IAAAAAAAAA\n", DID_ERR_LOG_CHECKPOINT,
           "characters");
    cp_bad("o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", DID_ERR_LOG_CHECKPOINT,
           "trailing bits");
    cp_bad("o\n5\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", DID_ERR_LOG_CHECKPOINT,
           "base64url");
    snprintf(s, sizeof s, "o\n5\n%s", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "final newline");
    snprintf(s, sizeof s, "\n5\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "origin");
    snprintf(s, sizeof s, "o\n5\n%s\n\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "empty extension");
    snprintf(s, sizeof s, "o\r\n5\n%s\n", root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "control character");
    cp_bad("o\n5\n", DID_ERR_LOG_CHECKPOINT, "root");
    cp_bad("o\n", DID_ERR_LOG_CHECKPOINT, "size");
    snprintf(s, sizeof s, "o\n5\n%s\n1\n2\n3\n4\n5\n6\n7\n8\n9\n", root);
    cp_bad(s, DID_ERR_LIMIT, "extension lines");
    char origin[DID_LOG_ORIGIN_MAX + 2];
    memset(origin, 'o', sizeof origin);
    snprintf(s, sizeof s, "%.*s\n5\n%s\n", DID_LOG_ORIGIN_MAX + 1, origin, root);
    cp_bad(s, DID_ERR_LOG_CHECKPOINT, "origin of 256 bytes");

    /* Write, sign, open. */
    ck_key *k = seed_key(1);
    did_log_vkey v, other;
    const char *name = "log.civid.example/test";
    t_assert_ok(did_log_vkey_from_key(k, name, strlen(name), &v, &err), &err);
    did_log_checkpoint w;
    memset(&w, 0, sizeof w);
    w.origin = name;
    w.origin_len = strlen(name);
    w.size = 1234567;
    for (int i = 0; i < H; i++)
        w.root[i] = (uint8_t)i;
    did_buf b;
    did_buf_init(&b);
    t_assert_ok(did_log_checkpoint_sign(&w, k, NULL, 0, &b, &err), &err);
    did_log_note note;
    t_assert_ok(did_log_checkpoint_open(b.data, b.len, &v, 1, NULL, 0, &note, &cp, &err), &err);
    assert_int_equal(cp.size, 1234567);
    assert_memory_equal(cp.root, w.root, H);
    assert_int_equal(note.nsigs, 1);
    /* Origin pinned to something else. */
    t_assert_code(did_log_checkpoint_open(b.data, b.len, &v, 1, "log.other/x", 11, NULL, &cp, &err),
                  DID_ERR_LOG_ORIGIN, &err);
    /* Wrong key (another key under the same name): no known signature. */
    ck_key *k2 = seed_key(2);
    t_assert_ok(did_log_vkey_from_key(k2, name, strlen(name), &other, &err), &err);
    t_assert_code(did_log_checkpoint_open(b.data, b.len, &other, 1, NULL, 0, NULL, &cp, &err),
                  DID_ERR_LOG_KEY, &err);
    /* Tampered size: the signature no longer verifies. */
    char *t = malloc(b.len + 1);
    assert_non_null(t);
    memcpy(t, b.data, b.len + 1);
    char *sz = strstr(t, "1234567");
    sz[6] = '8';
    t_assert_code(did_log_checkpoint_open((uint8_t *)t, b.len, &v, 1, NULL, 0, NULL, &cp, &err),
                  DID_ERR_LOG_NOTE_SIG, &err);
    free(t);
    /* A correctly signed note whose body is not a checkpoint. */
    did_buf nb;
    did_buf_init(&nb);
    t_assert_ok(did_log_note_sign((const uint8_t *)"hello\n", 6, k, name, strlen(name), &nb, &err),
                &err);
    t_assert_code(did_log_checkpoint_open(nb.data, nb.len, &v, 1, NULL, 0, NULL, &cp, &err),
                  DID_ERR_LOG_CHECKPOINT, &err);
    did_buf_clear(&nb);

    /* What we write is strict: the origin must be a key name, extensions non-empty lines. */
    did_buf_reset(&b);
    w.origin = "has space";
    w.origin_len = 9;
    t_assert_code(did_log_checkpoint_write(&w, &b, &err), DID_ERR_LOG_CHECKPOINT, &err);
    w.origin = name;
    w.origin_len = strlen(name);
    w.n_ext = 1;
    w.ext[0].p = "";
    w.ext[0].len = 0;
    t_assert_code(did_log_checkpoint_write(&w, &b, &err), DID_ERR_LOG_CHECKPOINT, &err);
    w.ext[0].p = "a\nb";
    w.ext[0].len = 3;
    t_assert_code(did_log_checkpoint_write(&w, &b, &err), DID_ERR_LOG_CHECKPOINT, &err);
    assert_int_equal(b.len, 0);
    w.ext[0].p = "ext";
    w.ext[0].len = 3;
    t_assert_ok(did_log_checkpoint_write(&w, &b, &err), &err);
    t_assert_ok(did_log_checkpoint_parse(b.data, b.len, &cp, &err), &err);
    assert_int_equal(cp.n_ext, 1);
    did_buf_clear(&b);
    ck_key_free(k);
    ck_key_free(k2);
}

/* ---- tlog-proof end to end ---------------------------------------------------------------- */

#define NLOG 37

typedef struct mem_store {
    uint8_t nodes[2 * NLOG][H];
    uint64_t count;
} mem_store;

static int mem_get(void *user, uint64_t start, uint64_t size, uint8_t out[H], did_err *err)
{
    mem_store *s = user;
    uint64_t idx = did_log_subtree_index(start, size);
    if (idx >= s->count)
        return did_err_set(err, DID_ERR_IO, "missing node");
    memcpy(out, s->nodes[idx], H);
    return 0;
}

static void entry_of(size_t i, char *buf, size_t cap)
{
    snprintf(buf, cap, "{\"type\":\"issuance\",\"n\":%zu}", i);
}

static void proof_bad(const did_buf *p, const char *from, const char *to, int code,
                      const did_log_vkey *v, const char *entry)
{
    char *s = malloc(p->len + 64);
    assert_non_null(s);
    const char *at = strstr((const char *)p->data, from);
    assert_non_null(at);
    size_t pre = (size_t)(at - (const char *)p->data);
    memcpy(s, p->data, pre);
    strcpy(s + pre, to);
    strcat(s, at + strlen(from));
    did_err err;
    t_assert_code(did_log_proof_verify((const uint8_t *)entry, strlen(entry), (uint8_t *)s,
                                       strlen(s), v, NULL, 0, NULL, &err),
                  code, &err);
    free(s);
}

static void test_proof_end_to_end(void **state)
{
    (void)state;
    did_err err;
    static mem_store st;
    memset(&st, 0, sizeof st);
    did_log_peaks peaks;
    did_log_peaks_init(&peaks);
    char entry[64];
    for (size_t i = 0; i < NLOG; i++) {
        uint8_t leaf[H], nodes[DID_LOG_APPEND_NODES_MAX][H];
        size_t n;
        uint64_t first;
        entry_of(i, entry, sizeof entry);
        t_assert_ok(did_log_leaf_hash((const uint8_t *)entry, strlen(entry), leaf, &err), &err);
        t_assert_ok(did_log_peaks_append(&peaks, leaf, nodes, &n, &first, &err), &err);
        assert_int_equal(first, st.count);
        memcpy(st.nodes[st.count], nodes, n * H);
        st.count += n;
    }
    did_log_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    const char *origin = "log.civid.example/test";
    cp.origin = origin;
    cp.origin_len = strlen(origin);
    cp.size = NLOG;
    t_assert_ok(did_log_peaks_root(&peaks, cp.root, &err), &err);
    ck_key *k = seed_key(1);
    did_log_vkey v;
    t_assert_ok(did_log_vkey_from_key(k, origin, strlen(origin), &v, &err), &err);
    did_buf note;
    did_buf_init(&note);
    t_assert_ok(did_log_checkpoint_sign(&cp, k, NULL, 0, &note, &err), &err);

    did_log_source src = {mem_get, &st};
    did_buf p;
    did_buf_init(&p);
    for (size_t i = 0; i < NLOG; i++) {
        uint8_t proof[DID_LOG_PROOF_MAX][H];
        size_t n;
        t_assert_ok(did_log_inclusion_proof(&src, i, NLOG, proof, DID_LOG_PROOF_MAX, &n, &err),
                    &err);
        did_buf_reset(&p);
        const uint8_t extra[] = "request 42";
        t_assert_ok(did_log_proof_write(i, (const uint8_t(*)[H])proof, n, i % 2 == 0 ? extra : NULL,
                                        sizeof extra - 1, note.data, note.len, &p, &err),
                    &err);
        entry_of(i, entry, sizeof entry);
        did_log_verified out;
        t_assert_ok(did_log_proof_verify((const uint8_t *)entry, strlen(entry), p.data, p.len, &v,
                                         NULL, 0, &out, &err),
                    &err);
        assert_int_equal(out.index, i);
        assert_int_equal(out.size, NLOG);
        assert_memory_equal(out.root, cp.root, H);
        /* Another entry does not verify at this index. */
        entry_of(i + 1, entry, sizeof entry);
        t_assert_code(did_log_proof_verify((const uint8_t *)entry, strlen(entry), p.data, p.len, &v,
                                           NULL, 0, NULL, &err),
                      DID_ERR_LOG_PROOF, &err);
    }
    /* p now holds the proof for the last index (odd: with extra). Targeted mutations. */
    entry_of(NLOG - 1, entry, sizeof entry);
    did_log_proof parsed;
    t_assert_ok(did_log_proof_parse(p.data, p.len, &parsed, &err), &err);
    assert_true(parsed.has_extra);
    assert_int_equal(parsed.extra_len, 10);
    char idx_line[32], hash_line[64];
    snprintf(idx_line, sizeof idx_line, "index %d\n", NLOG - 1);
    const char *h0 = strstr((const char *)p.data, idx_line) + strlen(idx_line);
    snprintf(hash_line, sizeof hash_line, "%.44s", h0);
    char mutated[64];
    snprintf(mutated, sizeof mutated, "%s", hash_line);
    mutated[10] = mutated[10] == 'A' ? 'B' : 'A';
    proof_bad(&p, hash_line, mutated, DID_ERR_LOG_PROOF, &v, entry);
    proof_bad(&p, idx_line, "index 35\n", DID_ERR_LOG_PROOF, &v, entry);
    proof_bad(&p, idx_line, "index 37\n", DID_ERR_LOG_SIZE, &v, entry);
    proof_bad(&p, idx_line, "index 036\n", DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, idx_line, "index  36\n", DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, idx_line, "index 18446744073709551616\n", DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, idx_line, "Index 36\n", DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, "c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v2\n", DID_ERR_LOG_PROOF_FORMAT,
              &v, entry);
    proof_bad(&p, "c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v1\r\n",
              DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, "extra ", "extra  ", DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, "extra cmVxdWVzdCA0Mg==\n", "extra \n", DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, "extra cmVxdWVzdCA0Mg==\n", "extra cmVxdWVzdCA0Mg\n", DID_ERR_LOG_PROOF_FORMAT,
              &v, entry);
    proof_bad(&p, "extra cmVxdWVzdCA0Mg==\n", "", 0, &v, entry); /* extra is optional */
    /* An emptied hash line ends the proof early: the rest is no checkpoint. A removed one
     * leaves a proof too short. */
    proof_bad(&p, hash_line, "", DID_ERR_LOG_CHECKPOINT, &v, entry);
    char hash_nl[80];
    snprintf(hash_nl, sizeof hash_nl, "%s\n", hash_line);
    proof_bad(&p, hash_nl, "", DID_ERR_LOG_PROOF, &v, entry);
    char short_hash[64];
    snprintf(short_hash, sizeof short_hash, "%.43s", hash_line);
    proof_bad(&p, hash_line, short_hash, DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, "\n\nlog.civid", "\nlog.civid", DID_ERR_LOG_PROOF_FORMAT, &v, entry);
    proof_bad(&p, "log.civid.example/test\n37\n", "log.civid.example/other\n37\n",
              DID_ERR_LOG_NOTE_SIG, &v, entry);
    /* Another log key; another origin expected. */
    ck_key *k2 = seed_key(2);
    did_log_vkey v2;
    t_assert_ok(did_log_vkey_from_key(k2, origin, strlen(origin), &v2, &err), &err);
    t_assert_code(did_log_proof_verify((const uint8_t *)entry, strlen(entry), p.data, p.len, &v2,
                                       NULL, 0, NULL, &err),
                  DID_ERR_LOG_KEY, &err);
    t_assert_code(did_log_proof_verify((const uint8_t *)entry, strlen(entry), p.data, p.len, &v,
                                       "log.other", 9, NULL, &err),
                  DID_ERR_LOG_ORIGIN, &err);

    /* 63 hash lines are the most a proof may carry. */
    did_buf big;
    did_buf_init(&big);
    uint8_t hashes[DID_LOG_TLOG_PROOF_MAX_HASHES + 1][H];
    memset(hashes, 7, sizeof hashes);
    t_assert_ok(did_log_proof_write(5, (const uint8_t(*)[H])hashes, DID_LOG_TLOG_PROOF_MAX_HASHES,
                                    NULL, 0, note.data, note.len, &big, &err),
                &err);
    t_assert_ok(did_log_proof_parse(big.data, big.len, &parsed, &err), &err);
    assert_int_equal(parsed.n_hashes, 63);
    t_assert_code(did_log_proof_write(5, (const uint8_t(*)[H])hashes,
                                      DID_LOG_TLOG_PROOF_MAX_HASHES + 1, NULL, 0, note.data,
                                      note.len, &big, &err),
                  DID_ERR_LIMIT, &err);
    /* Insert a 64th line by hand. */
    char *line = strstr((char *)big.data, "index 5\n") + 8;
    did_buf more;
    did_buf_init(&more);
    assert_int_equal(did_buf_append(&more, big.data, (size_t)(line - (char *)big.data)), 0);
    assert_int_equal(did_buf_append(&more, line, 45), 0);
    assert_int_equal(did_buf_append_str(&more, line), 0);
    t_assert_code(did_log_proof_parse(more.data, more.len, &parsed, &err), DID_ERR_LIMIT, &err);
    assert_int_equal(parsed.n_hashes, 0);
    did_buf_clear(&more);
    /* Extra data limits on writing. */
    static uint8_t extra_big[DID_LOG_EXTRA_MAX + 1];
    t_assert_code(did_log_proof_write(5, NULL, 0, extra_big, DID_LOG_EXTRA_MAX + 1, note.data,
                                      note.len, &big, &err),
                  DID_ERR_LIMIT, &err);
    t_assert_code(did_log_proof_write(5, NULL, 0, extra_big, 0, note.data, note.len, &big, &err),
                  DID_ERR_LIMIT, &err);
    did_buf_reset(&big);
    t_assert_ok(did_log_proof_write(5, NULL, 0, extra_big, DID_LOG_EXTRA_MAX, note.data, note.len,
                                    &big, &err),
                &err);
    t_assert_ok(did_log_proof_parse(big.data, big.len, &parsed, &err), &err);
    assert_int_equal(parsed.extra_len, DID_LOG_EXTRA_MAX);
    /* The checkpoint must be a signed checkpoint. */
    t_assert_code(did_log_proof_write(5, NULL, 0, NULL, 0, (const uint8_t *)"x\n", 2, &big, &err),
                  DID_ERR_LOG_NOTE, &err);
    did_buf_clear(&big);

    did_buf_clear(&p);
    did_buf_clear(&note);
    ck_key_free(k);
    ck_key_free(k2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64std),           cmocka_unit_test(test_go_keys),
        cmocka_unit_test(test_go_sign_and_open), cmocka_unit_test(test_note_negatives),
        cmocka_unit_test(test_note_sign_errors), cmocka_unit_test(test_c2sp_examples),
        cmocka_unit_test(test_checkpoints),      cmocka_unit_test(test_proof_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
