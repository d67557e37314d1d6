/*
 * Tests for RFC 3161 time-stamps (ck/tsa.h): the client request and verification, the
 * built-in TSA, credentials, limits and the refusals.
 *
 * Published vectors: neither RFC 3161 nor RFC 5816 publishes an example token (RFC 3161 has
 * ASN.1 only; RFC 5816 only the ESSCertIDv2 module), so interoperability is covered here by
 * building hostile tokens with OpenSSL directly, and by hand with `openssl ts -verify` /
 * `openssl ts -reply` (spec/timestamps.md).
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ck/ck.h>
#include <ck/tsa.h>

#define POLICY "1.3.6.1.4.1.99999.1.1"
#define OTHER_POLICY "1.3.6.1.4.1.99999.1.2"
#define YEAR (365 * 86400LL)

static const uint8_t DATA[] = "checkpoint body: example.org/log\n42\nq6rF...=\n";

/* ---- fixture ------------------------------------------------------------------------------- */

typedef struct serial_state {
    uint64_t next;
    int fail;
    uint64_t last;
} serial_state;

static int serial_next(void *user, uint64_t *out)
{
    serial_state *s = user;
    if (s->fail)
        return -1;
    s->last = s->next++;
    *out = s->last;
    return 0;
}

typedef struct fixed_clock {
    int64_t sec;
    uint32_t usec;
} fixed_clock;

static int clock_fixed(void *user, int64_t *sec, uint32_t *usec)
{
    const fixed_clock *c = user;
    *sec = c->sec;
    *usec = c->usec;
    return 0;
}

typedef struct fx {
    ck_tsa_cred *ca, *tsa_cred;
    ck_tsa_trust *trust;
    ck_tsa *tsa;
    serial_state serial;
} fx;

static ck_tsa_config config(serial_state *s)
{
    ck_tsa_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.policy = POLICY;
    cfg.policy_len = strlen(POLICY);
    cfg.accuracy_secs = 1;
    cfg.accuracy_millis = 500;
    cfg.precision_digits = 3;
    cfg.include_tsa_name = 1;
    cfg.serial = serial_next;
    cfg.serial_user = s;
    return cfg;
}

static ck_tsa_trust *trust_of(const ck_tsa_cred *ca)
{
    ck_err err;
    char pem[4096];
    size_t n = 0;
    ck_tsa_trust *t = NULL;
    t_assert_ok(ck_tsa_cred_cert_pem(ca, pem, sizeof pem, &n, &err), &err);
    t_assert_ok(ck_tsa_trust_new(&t, &err), &err);
    t_assert_ok(ck_tsa_trust_add_pem(t, pem, n, &err), &err);
    assert_int_equal(ck_tsa_trust_count(t), 1);
    return t;
}

static int setup(void **state)
{
    ck_err err;
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    int64_t now = (int64_t)time(NULL);
    t_assert_ok(
        ck_tsa_cred_generate_ca("civid test CA", 13, now - 86400, now + 10 * YEAR, &f->ca, &err),
        &err);
    t_assert_ok(ck_tsa_cred_issue_tsa(f->ca, "civid test TSA", 14, now - 86400, now + 5 * YEAR, 0,
                                      &f->tsa_cred, &err),
                &err);
    f->trust = trust_of(f->ca);
    f->serial.next = 1;
    ck_tsa_config cfg = config(&f->serial);
    t_assert_ok(ck_tsa_new(f->tsa_cred, &cfg, &f->tsa, &err), &err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ck_tsa_free(f->tsa);
    ck_tsa_trust_free(f->trust);
    ck_tsa_cred_free(f->tsa_cred);
    ck_tsa_cred_free(f->ca);
    free(f);
    return 0;
}

/* Asks tsa for a time-stamp of req; returns the response (malloc'd). */
static uint8_t *respond(const ck_tsa *tsa, const ck_tsa_req *req, size_t *len)
{
    ck_err err;
    size_t rl = 0;
    const uint8_t *rd = ck_tsa_req_der(req, &rl);
    uint8_t *out = malloc(CK_TSA_MAX_DER);
    assert_non_null(out);
    t_assert_ok(ck_tsa_respond(tsa, rd, rl, out, CK_TSA_MAX_DER, len, &err), &err);
    return out;
}

static int status_of(const uint8_t *resp, size_t len, uint32_t *bits)
{
    ck_err err;
    int st = -1;
    t_assert_ok(ck_tsa_resp_status(resp, len, &st, bits, &err), &err);
    return st;
}

/* memmem without _GNU_SOURCE. */
static const uint8_t *find(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

static void assert_msg_has(const ck_err *err, const char *needle)
{
    if (strstr(err->msg, needle) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, needle);
}

/* ---- round trips ------------------------------------------------------------------------- */

static void test_round_trip(void **state)
{
    fx *f = *state;
    ck_err err;
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL, *again = NULL;

    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    uint64_t nonce = 0;
    t_assert_ok(ck_tsa_req_nonce(req, &nonce, &err), &err);
    assert_true(nonce >> 63); /* top bit always set: a full 64-bit value */

    size_t len = 0;
    uint8_t *resp = respond(f->tsa, req, &len);
    uint32_t bits = 1;
    assert_int_equal(status_of(resp, len, &bits), 0);
    assert_int_equal(bits, 0);
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), &err);

    const ck_tsa_info *info = ck_tsa_token_info(tok);
    assert_int_equal(info->hash_alg, CK_TSA_SHA256);
    uint8_t md[32];
    assert_int_equal(ck_sha256(DATA, sizeof DATA, md), CK_OK);
    assert_int_equal(info->imprint_len, 32);
    assert_memory_equal(info->imprint, md, 32);
    assert_string_equal(info->policy, POLICY);
    assert_string_equal(info->serial_dec, "1");
    assert_string_equal(info->serial_hex, "1");
    assert_true(info->has_nonce);
    assert_true(info->has_accuracy);
    assert_int_equal(info->accuracy_secs, 1);
    assert_int_equal(info->accuracy_millis, 500);
    assert_int_equal(info->accuracy_micros, 0);
    assert_int_equal(info->ordering, 0);
    assert_int_equal(info->ess_cert_id_v2, 1);
    assert_string_equal(info->signer_subject, "CN=civid test TSA");
    assert_string_equal(info->tsa_name, "CN=civid test TSA");
    int64_t now = (int64_t)time(NULL);
    assert_true(info->gen_time <= now && info->gen_time >= now - 60);
    assert_true(info->gen_time_nanos < 1000000000u && info->gen_time_nanos % 1000000 == 0);
    assert_int_equal(info->gen_time_text[strlen(info->gen_time_text) - 1], 'Z');

    /* The stored token is the response's token, byte for byte, and verifies on its own. */
    size_t tl = 0;
    const uint8_t *td = ck_tsa_token_der(tok, &tl);
    assert_true(tl > 0 && tl < len);
    assert_non_null(find(resp, len, td, tl));
    assert_int_equal(memcmp(resp + len - tl, td, tl), 0);
    t_assert_ok(ck_tsa_token_verify(td, tl, DATA, sizeof DATA, f->trust, NULL, &again, &err), &err);
    assert_string_equal(ck_tsa_token_info(again)->serial_dec, "1");
    ck_tsa_token_free(again);
    again = NULL;
    t_assert_ok(
        ck_tsa_token_verify_digest(td, tl, CK_TSA_SHA256, md, 32, f->trust, NULL, &again, &err),
        &err);
    ck_tsa_token_free(again);
    again = NULL;
    /* ... but not as SHA-384, even with a digest of the right length. */
    uint8_t md384[48] = {0};
    t_assert_code(
        ck_tsa_token_verify_digest(td, tl, CK_TSA_SHA384, md384, 48, f->trust, NULL, &again, &err),
        CK_ERR_TSA_VERIFY, &err);
    assert_null(again);

    ck_tsa_token_free(tok);
    free(resp);
    ck_tsa_req_free(req);
}

static void test_hash_algs_and_policy(void **state)
{
    fx *f = *state;
    ck_err err;
    static const ck_tsa_hash_alg algs[] = {CK_TSA_SHA256, CK_TSA_SHA384, CK_TSA_SHA512};
    for (size_t i = 0; i < 3; i++) {
        ck_tsa_req *req = NULL;
        ck_tsa_token *tok = NULL;
        /* Asking for the TSA's own policy is fine. */
        t_assert_ok(ck_tsa_req_new(algs[i], DATA, sizeof DATA, POLICY, strlen(POLICY), &req, &err),
                    &err);
        size_t len = 0;
        uint8_t *resp = respond(f->tsa, req, &len);
        ck_tsa_verify_opts opts = {.policy = POLICY, .policy_len = strlen(POLICY)};
        t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, &opts, &tok, &err), &err);
        assert_int_equal(ck_tsa_token_info(tok)->hash_alg, algs[i]);
        assert_int_equal(ck_tsa_token_info(tok)->imprint_len, ck_tsa_hash_len(algs[i]));
        ck_tsa_token_free(tok);
        tok = NULL;
        /* Another required policy: CK_ERR_TSA_POLICY. */
        opts.policy = OTHER_POLICY;
        opts.policy_len = strlen(OTHER_POLICY);
        t_assert_code(ck_tsa_resp_verify(req, resp, len, f->trust, &opts, &tok, &err),
                      CK_ERR_TSA_POLICY, &err);
        assert_null(tok);
        free(resp);
        ck_tsa_req_free(req);
    }
    /* A request for a policy the TSA does not serve is rejected (unacceptedPolicy). */
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL;
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, OTHER_POLICY, strlen(OTHER_POLICY),
                               &req, &err),
                &err);
    size_t len = 0;
    uint8_t *resp = respond(f->tsa, req, &len);
    uint32_t bits = 0;
    assert_int_equal(status_of(resp, len, &bits), 2);
    assert_int_equal(bits, 1u << 15);
    t_assert_code(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), CK_ERR_TSA_STATUS,
                  &err);
    assert_msg_has(&err, "rejection");
    free(resp);
    ck_tsa_req_free(req);

    /* Bad arguments. */
    t_assert_code(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, "1.2.abc", 7, &req, &err),
                  CK_ERR_ARG, &err);
    t_assert_code(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, "sha256", 6, &req, &err),
                  CK_ERR_ARG, &err);
    t_assert_code(ck_tsa_req_new((ck_tsa_hash_alg)9, DATA, sizeof DATA, NULL, 0, &req, &err),
                  CK_ERR_UNSUPPORTED, &err);
    uint8_t md[32] = {0};
    t_assert_code(ck_tsa_req_new_digest(CK_TSA_SHA384, md, 32, NULL, 0, &req, &err), CK_ERR_ARG,
                  &err);
    assert_null(req);
}

static void test_request_reload(void **state)
{
    fx *f = *state;
    ck_err err;
    ck_tsa_req *req = NULL, *back = NULL;
    ck_tsa_token *tok = NULL;
    uint8_t md[64];
    ck_random(md, sizeof md);
    t_assert_ok(ck_tsa_req_new_digest(CK_TSA_SHA512, md, 64, NULL, 0, &req, &err), &err);
    size_t dl = 0;
    const uint8_t *d = ck_tsa_req_der(req, &dl);
    t_assert_ok(ck_tsa_req_from_der(d, dl, &back, &err), &err);
    uint64_t n1 = 0, n2 = 0;
    t_assert_ok(ck_tsa_req_nonce(req, &n1, &err), &err);
    t_assert_ok(ck_tsa_req_nonce(back, &n2, &err), &err);
    assert_true(n1 == n2);
    size_t len = 0;
    uint8_t *resp = respond(f->tsa, req, &len);
    t_assert_ok(ck_tsa_resp_verify(back, resp, len, f->trust, NULL, &tok, &err), &err);
    ck_tsa_token_free(tok);
    ck_tsa_req_free(back);
    back = NULL;

    /* Reading back: trailing bytes, truncation, garbage, oversize. */
    uint8_t *buf = malloc(CK_TSA_MAX_DER + 1);
    assert_non_null(buf);
    memcpy(buf, d, dl);
    buf[dl] = 0;
    t_assert_code(ck_tsa_req_from_der(buf, dl + 1, &back, &err), CK_ERR_TSA_FORMAT, &err);
    assert_null(back);
    for (size_t i = 0; i < dl; i++) {
        ck_tsa_req *r = NULL;
        t_assert_code(ck_tsa_req_from_der(d, i, &r, &err), CK_ERR_TSA_FORMAT, &err);
        assert_null(r);
    }
    memset(buf, 0x30, CK_TSA_MAX_DER + 1);
    t_assert_code(ck_tsa_req_from_der(buf, CK_TSA_MAX_DER + 1, &back, &err), CK_ERR_LIMIT, &err);
    free(buf);
    free(resp);
    ck_tsa_req_free(req);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void test_imprint_and_nonce_mismatch(void **state)
{
    fx *f = *state;
    ck_err err;
    ck_tsa_req *req = NULL, *req2 = NULL;
    ck_tsa_token *tok = NULL;
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req2, &err), &err);
    size_t len = 0;
    uint8_t *resp = respond(f->tsa, req, &len);

    /* Same data, other request: only the nonce differs. */
    t_assert_code(ck_tsa_resp_verify(req2, resp, len, f->trust, NULL, &tok, &err),
                  CK_ERR_TSA_VERIFY, &err);
    assert_msg_has(&err, "nonce");
    assert_null(tok);

    /* The stored token over other data. */
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), &err);
    size_t tl = 0;
    const uint8_t *td = ck_tsa_token_der(tok, &tl);
    ck_tsa_token *bad = NULL;
    t_assert_code(ck_tsa_token_verify(td, tl, DATA, sizeof DATA - 1, f->trust, NULL, &bad, &err),
                  CK_ERR_TSA_VERIFY, &err);
    assert_msg_has(&err, "imprint");
    assert_null(bad);

    /* A request for other data answered with this response. */
    ck_tsa_req *other = NULL;
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, 3, NULL, 0, &other, &err), &err);
    t_assert_code(ck_tsa_resp_verify(other, resp, len, f->trust, NULL, &bad, &err),
                  CK_ERR_TSA_VERIFY, &err);
    ck_tsa_req_free(other);

    /* A flipped bit in the signed content (the imprint is inside it): no longer verifies. */
    uint8_t *copy = malloc(tl);
    assert_non_null(copy);
    memcpy(copy, td, tl);
    const uint8_t *hit = find(copy, tl, ck_tsa_token_info(tok)->imprint, 32);
    assert_non_null(hit);
    copy[hit - copy] ^= 1;
    int rc = ck_tsa_token_verify(copy, tl, DATA, sizeof DATA, f->trust, NULL, &bad, &err);
    assert_true(rc == CK_ERR_TSA_VERIFY);
    free(copy);

    ck_tsa_token_free(tok);
    free(resp);
    ck_tsa_req_free(req);
    ck_tsa_req_free(req2);
}

static void test_other_tsa(void **state)
{
    fx *f = *state;
    ck_err err;
    int64_t now = (int64_t)time(NULL);
    ck_tsa_cred *ca2 = NULL, *tsa2_cred = NULL;
    ck_tsa *tsa2 = NULL;
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL;
    serial_state s = {.next = 7};
    t_assert_ok(ck_tsa_cred_generate_ca("civid test CA", 13, now - 60, now + YEAR, &ca2, &err),
                &err);
    t_assert_ok(
        ck_tsa_cred_issue_tsa(ca2, "civid test TSA", 14, now - 60, now + YEAR, 0, &tsa2_cred, &err),
        &err);
    ck_tsa_config cfg = config(&s);
    t_assert_ok(ck_tsa_new(tsa2_cred, &cfg, &tsa2, &err), &err);
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    size_t len = 0;
    uint8_t *resp = respond(tsa2, req, &len);
    /* Same names, other keys: does not chain to our anchor. */
    t_assert_code(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), CK_ERR_TSA_VERIFY,
                  &err);
    assert_msg_has(&err, "chain");
    assert_null(tok);
    /* An empty trust store trusts nothing. */
    ck_tsa_trust *empty = NULL;
    t_assert_ok(ck_tsa_trust_new(&empty, &err), &err);
    t_assert_code(ck_tsa_resp_verify(req, resp, len, empty, NULL, &tok, &err), CK_ERR_TSA_VERIFY,
                  &err);
    /* With ca2 as the anchor it verifies. */
    ck_tsa_trust *t2 = trust_of(ca2);
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, t2, NULL, &tok, &err), &err);
    assert_string_equal(ck_tsa_token_info(tok)->serial_dec, "7");
    ck_tsa_token_free(tok);
    /* The TSA certificate itself is no anchor for a chain (it is not a CA). */
    ck_tsa_trust *leaf = NULL;
    uint8_t der[2048];
    size_t dl = 0;
    t_assert_ok(ck_tsa_cred_cert_der(tsa2_cred, der, sizeof der, &dl, &err), &err);
    t_assert_ok(ck_tsa_trust_new(&leaf, &err), &err);
    t_assert_ok(ck_tsa_trust_add_der(leaf, der, dl, &err), &err);
    tok = NULL;
    t_assert_code(ck_tsa_resp_verify(req, resp, len, leaf, NULL, &tok, &err), CK_ERR_TSA_VERIFY,
                  &err);

    ck_tsa_trust_free(leaf);
    ck_tsa_trust_free(t2);
    ck_tsa_trust_free(empty);
    free(resp);
    ck_tsa_req_free(req);
    ck_tsa_free(tsa2);
    ck_tsa_cred_free(tsa2_cred);
    ck_tsa_cred_free(ca2);
}

/* Loads a credential's key and certificate into OpenSSL objects (through the PEM export). */
static void cred_to_ossl(const ck_tsa_cred *c, EVP_PKEY **key, X509 **cert)
{
    ck_err err;
    char *kp = malloc(8192), *cp = malloc(8192);
    size_t kl = 0, cl = 0;
    assert_non_null(kp);
    assert_non_null(cp);
    t_assert_ok(ck_tsa_cred_key_pem(c, kp, 8192, &kl, &err), &err);
    t_assert_ok(ck_tsa_cred_cert_pem(c, cp, 8192, &cl, &err), &err);
    BIO *kb = BIO_new_mem_buf(kp, (int)kl), *cb = BIO_new_mem_buf(cp, (int)cl);
    *key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    *cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    assert_non_null(*key);
    assert_non_null(*cert);
    BIO_free(kb);
    BIO_free(cb);
    ck_wipe(kp, 8192);
    free(kp);
    free(cp);
}

/* A token built by hand, as a TSA that does not check its own certificate would: TSTInfo over
 * digest, signed by key, ESSCertIDv2 for cert, the certificate included. */
static uint8_t *forge_token(EVP_PKEY *key, X509 *cert, const uint8_t digest[32], size_t *len)
{
    TS_TST_INFO *tst = TS_TST_INFO_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    ASN1_OBJECT *pol = OBJ_txt2obj(POLICY, 1);
    ASN1_GENERALIZEDTIME *gt = ASN1_GENERALIZEDTIME_set(NULL, time(NULL));
    assert_true(tst && mi && alg && serial && pol && gt);
    assert_int_equal(X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL), 1);
    assert_int_equal(TS_MSG_IMPRINT_set_algo(mi, alg), 1);
    assert_int_equal(TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, 32), 1);
    assert_int_equal(ASN1_INTEGER_set(serial, 99), 1);
    assert_int_equal(TS_TST_INFO_set_version(tst, 1), 1);
    assert_int_equal(TS_TST_INFO_set_policy_id(tst, pol), 1);
    assert_int_equal(TS_TST_INFO_set_msg_imprint(tst, mi), 1);
    assert_int_equal(TS_TST_INFO_set_serial(tst, serial), 1);
    assert_int_equal(TS_TST_INFO_set_time(tst, gt), 1);

    PKCS7 *p7 = PKCS7_new();
    assert_non_null(p7);
    assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
    assert_int_equal(PKCS7_add_certificate(p7, cert), 1);
    PKCS7_SIGNER_INFO *si = PKCS7_add_signature(p7, cert, key, EVP_sha256());
    assert_non_null(si);
    assert_int_equal(PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                                OBJ_nid2obj(NID_id_smime_ct_TSTInfo)),
                     1);
    ESS_SIGNING_CERT_V2 *sc = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert, NULL, 0);
    assert_non_null(sc);
    unsigned char *scd = NULL;
    int scl = i2d_ESS_SIGNING_CERT_V2(sc, &scd);
    assert_true(scl > 0);
    ASN1_STRING *seq = ASN1_STRING_new();
    assert_int_equal(ASN1_STRING_set(seq, scd, scl), 1);
    assert_int_equal(
        PKCS7_add_signed_attribute(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE, seq),
        1);
    /* eContent: id-ct-TSTInfo in an OCTET STRING (what ts_rsp_sign.c sets up). */
    PKCS7 *content = PKCS7_new();
    assert_non_null(content);
    content->type = OBJ_nid2obj(NID_id_smime_ct_TSTInfo);
    content->d.other = ASN1_TYPE_new();
    assert_non_null(content->d.other);
    ASN1_TYPE_set(content->d.other, V_ASN1_OCTET_STRING, ASN1_OCTET_STRING_new());
    assert_int_equal(PKCS7_set_content(p7, content), 1);
    BIO *bio = PKCS7_dataInit(p7, NULL);
    assert_non_null(bio);
    assert_int_equal(i2d_TS_TST_INFO_bio(bio, tst), 1);
    assert_int_equal(PKCS7_dataFinal(p7, bio), 1);
    BIO_free_all(bio);

    unsigned char *der = NULL;
    int n = i2d_PKCS7(p7, &der);
    assert_true(n > 0);
    uint8_t *out = malloc((size_t)n);
    assert_non_null(out);
    memcpy(out, der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(der);
    OPENSSL_free(scd);
    ESS_SIGNING_CERT_V2_free(sc);
    PKCS7_free(p7);
    TS_TST_INFO_free(tst);
    TS_MSG_IMPRINT_free(mi);
    X509_ALGOR_free(alg);
    ASN1_INTEGER_free(serial);
    ASN1_OBJECT_free(pol);
    ASN1_GENERALIZEDTIME_free(gt);
    return out;
}

static void test_eku_required(void **state)
{
    fx *f = *state;
    ck_err err;
    int64_t now = (int64_t)time(NULL);
    uint8_t md[32];
    assert_int_equal(ck_sha256(DATA, sizeof DATA, md), CK_OK);

    /* Control: the forger makes tokens we accept when the certificate is right. */
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    cred_to_ossl(f->tsa_cred, &key, &cert);
    size_t tl = 0;
    uint8_t *tdata = forge_token(key, cert, md, &tl);
    ck_tsa_token *tok = NULL;
    t_assert_ok(ck_tsa_token_verify(tdata, tl, DATA, sizeof DATA, f->trust, NULL, &tok, &err),
                &err);
    assert_string_equal(ck_tsa_token_info(tok)->serial_dec, "99");
    assert_int_equal(ck_tsa_token_info(tok)->has_nonce, 0);
    ck_tsa_token_free(tok);
    tok = NULL;
    free(tdata);
    EVP_PKEY_free(key);
    X509_free(cert);

    static const unsigned flags[2] = {CK_TSA_CERT_EKU_NONE, CK_TSA_CERT_EKU_NOT_CRITICAL};
    for (size_t i = 0; i < 2; i++) {
        ck_tsa_cred *bad = NULL;
        ck_tsa *tsa = NULL;
        t_assert_ok(ck_tsa_cred_issue_tsa(f->ca, "not a TSA", 9, now - 60, now + YEAR, flags[i],
                                          &bad, &err),
                    &err);
        /* The built-in TSA refuses the certificate... */
        serial_state s = {.next = 1};
        ck_tsa_config cfg = config(&s);
        t_assert_code(ck_tsa_new(bad, &cfg, &tsa, &err), CK_ERR_TSA_CERT, &err);
        assert_null(tsa);
        /* ... and a token signed with it anyway does not verify. */
        cred_to_ossl(bad, &key, &cert);
        tdata = forge_token(key, cert, md, &tl);
        t_assert_code(ck_tsa_token_verify(tdata, tl, DATA, sizeof DATA, f->trust, NULL, &tok, &err),
                      CK_ERR_TSA_VERIFY, &err);
        assert_msg_has(&err, "timeStamping");
        assert_null(tok);
        free(tdata);
        EVP_PKEY_free(key);
        X509_free(cert);
        ck_tsa_cred_free(bad);
    }
}

/* An Ed25519 key with a self-signed time-stamping certificate, as PEM. */
static void ed25519_pem(char *kp, size_t kcap, size_t *kl, char *cp, size_t ccap, size_t *cl)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509 *x = X509_new();
    assert_true(k && x);
    X509_NAME *n = X509_get_subject_name(x);
    assert_int_equal(
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"ed", -1, -1, 0),
        1);
    assert_int_equal(X509_set_issuer_name(x, n), 1);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 5), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -60));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_int_equal(X509_set_pubkey(x, k), 1);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &v3, NID_ext_key_usage, "critical,timeStamping");
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
    assert_true(X509_sign(x, k, NULL) > 0);
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL), 1);
    assert_int_equal(PEM_write_bio_X509(cb, x), 1);
    *kl = (size_t)BIO_read(kb, kp, (int)kcap);
    *cl = (size_t)BIO_read(cb, cp, (int)ccap);
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(k);
}

static void test_rejections(void **state)
{
    fx *f = *state;
    ck_err err;
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL;
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    size_t rl = 0;
    const uint8_t *rd = ck_tsa_req_der(req, &rl);
    uint8_t *out = malloc(CK_TSA_MAX_DER + 1);
    assert_non_null(out);
    size_t len = 0;
    uint32_t bits = 0;

    /* The serial callback fails: rejection, systemFailure. */
    f->serial.fail = 1;
    t_assert_ok(ck_tsa_respond(f->tsa, rd, rl, out, CK_TSA_MAX_DER, &len, &err), &err);
    f->serial.fail = 0;
    assert_int_equal(status_of(out, len, &bits), 2);
    assert_int_equal(bits, 1u << 25);
    t_assert_code(ck_tsa_resp_verify(req, out, len, f->trust, NULL, &tok, &err), CK_ERR_TSA_STATUS,
                  &err);
    assert_msg_has(&err, "serial number not available");
    assert_null(tok);

    /* Garbage, and a valid request followed by a byte: rejection, badDataFormat. */
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    t_assert_ok(ck_tsa_respond(f->tsa, junk, sizeof junk, out, CK_TSA_MAX_DER, &len, &err), &err);
    assert_int_equal(status_of(out, len, &bits), 2);
    assert_int_equal(bits, 1u << 5);
    uint8_t *plus = malloc(rl + 1);
    assert_non_null(plus);
    memcpy(plus, rd, rl);
    plus[rl] = 0;
    t_assert_ok(ck_tsa_respond(f->tsa, plus, rl + 1, out, CK_TSA_MAX_DER, &len, &err), &err);
    assert_int_equal(status_of(out, len, &bits), 2);
    assert_int_equal(bits, 1u << 5);
    t_assert_ok(ck_tsa_respond(f->tsa, NULL, 0, out, CK_TSA_MAX_DER, &len, &err), &err);
    assert_int_equal(status_of(out, len, &bits), 2);
    free(plus);

    /* A SHA-1 imprint (built with OpenSSL: our client does not make them): badAlg. */
    TS_REQ *r = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    uint8_t sha1[20] = {0};
    assert_true(r && mi && alg);
    assert_int_equal(X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha1), V_ASN1_NULL, NULL), 1);
    assert_int_equal(TS_MSG_IMPRINT_set_algo(mi, alg), 1);
    assert_int_equal(TS_MSG_IMPRINT_set_msg(mi, sha1, 20), 1);
    assert_int_equal(TS_REQ_set_version(r, 1), 1);
    assert_int_equal(TS_REQ_set_msg_imprint(r, mi), 1);
    unsigned char *s1 = NULL;
    int s1l = i2d_TS_REQ(r, &s1);
    assert_true(s1l > 0);
    t_assert_ok(ck_tsa_respond(f->tsa, s1, (size_t)s1l, out, CK_TSA_MAX_DER, &len, &err), &err);
    assert_int_equal(status_of(out, len, &bits), 2);
    assert_int_equal(bits, 1u << 0);
    /* ... and our reader refuses it. */
    ck_tsa_req *back = NULL;
    t_assert_code(ck_tsa_req_from_der(s1, (size_t)s1l, &back, &err), CK_ERR_UNSUPPORTED, &err);
    OPENSSL_free(s1);
    TS_REQ_free(r);
    TS_MSG_IMPRINT_free(mi);
    X509_ALGOR_free(alg);

    /* Limits and buffers of the TSA. */
    t_assert_code(ck_tsa_respond(f->tsa, out, CK_TSA_MAX_DER + 1, out, CK_TSA_MAX_DER, &len, &err),
                  CK_ERR_LIMIT, &err);
    t_assert_code(ck_tsa_respond(f->tsa, rd, rl, out, 10, &len, &err), CK_ERR_BUFFER_SMALL, &err);
    assert_true(len > 10);

    free(out);
    ck_tsa_req_free(req);
}

static void test_malformed(void **state)
{
    fx *f = *state;
    ck_err err;
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL;
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    size_t len = 0;
    uint8_t *resp = respond(f->tsa, req, &len);
    uint8_t *buf = malloc(CK_TSA_MAX_DER + 1);
    assert_non_null(buf);

    /* Every truncation of the response fails, as malformed (never as anything else). */
    for (size_t i = 0; i < len; i++) {
        int rc = ck_tsa_resp_verify(req, resp, i, f->trust, NULL, &tok, &err);
        if (rc != CK_ERR_TSA_FORMAT)
            fail_msg("truncation at %zu: %s: %s", i, ck_err_name(rc), err.msg);
        assert_null(tok);
    }
    /* Trailing bytes. */
    memcpy(buf, resp, len);
    buf[len] = 0;
    t_assert_code(ck_tsa_resp_verify(req, buf, len + 1, f->trust, NULL, &tok, &err),
                  CK_ERR_TSA_FORMAT, &err);
    /* Garbage. */
    for (size_t i = 0; i < 512; i++)
        buf[i] = (uint8_t)(i * 151 + 7);
    t_assert_code(ck_tsa_resp_verify(req, buf, 512, f->trust, NULL, &tok, &err), CK_ERR_TSA_FORMAT,
                  &err);
    t_assert_code(ck_tsa_token_verify(buf, 512, DATA, sizeof DATA, f->trust, NULL, &tok, &err),
                  CK_ERR_TSA_FORMAT, &err);
    /* Indefinite length (BER) outer SEQUENCE. */
    static const uint8_t ber[] = {0x30, 0x80, 0x30, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00};
    t_assert_code(ck_tsa_resp_verify(req, ber, sizeof ber, f->trust, NULL, &tok, &err),
                  CK_ERR_TSA_FORMAT, &err);
    /* A status-only granted response (no token). */
    static const uint8_t granted_only[] = {0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00};
    t_assert_code(
        ck_tsa_resp_verify(req, granted_only, sizeof granted_only, f->trust, NULL, &tok, &err),
        CK_ERR_TSA_STATUS, &err);

    /* Truncated tokens. */
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), &err);
    size_t tl = 0;
    const uint8_t *td = ck_tsa_token_der(tok, &tl);
    for (size_t i = 0; i < tl; i += 7) {
        ck_tsa_token *t2 = NULL;
        int rc = ck_tsa_token_verify(td, i, DATA, sizeof DATA, f->trust, NULL, &t2, &err);
        if (rc != CK_ERR_TSA_FORMAT)
            fail_msg("token truncation at %zu: %s: %s", i, ck_err_name(rc), err.msg);
    }
    memcpy(buf, td, tl);
    buf[tl] = 0;
    ck_tsa_token *t3 = NULL;
    t_assert_code(ck_tsa_token_verify(buf, tl + 1, DATA, sizeof DATA, f->trust, NULL, &t3, &err),
                  CK_ERR_TSA_FORMAT, &err);
    ck_tsa_token_free(tok);
    tok = NULL;

    /* Oversize: refused before parsing. */
    memset(buf, 0x30, CK_TSA_MAX_DER + 1);
    t_assert_code(ck_tsa_resp_verify(req, buf, CK_TSA_MAX_DER + 1, f->trust, NULL, &tok, &err),
                  CK_ERR_LIMIT, &err);
    t_assert_code(
        ck_tsa_token_verify(buf, CK_TSA_MAX_DER + 1, DATA, sizeof DATA, f->trust, NULL, &tok, &err),
        CK_ERR_LIMIT, &err);
    int st = 0;
    uint32_t bits = 0;
    t_assert_code(ck_tsa_resp_status(buf, CK_TSA_MAX_DER + 1, &st, &bits, &err), CK_ERR_LIMIT,
                  &err);
    char *big = malloc(CK_TSA_MAX_PEM + 1);
    assert_non_null(big);
    memset(big, 'A', CK_TSA_MAX_PEM + 1);
    ck_tsa_cred *c = NULL;
    t_assert_code(ck_tsa_cred_import_pem(big, CK_TSA_MAX_PEM + 1, big, 10, &c, &err), CK_ERR_LIMIT,
                  &err);
    t_assert_code(ck_tsa_trust_add_pem(f->trust, big, CK_TSA_MAX_PEM + 1, &err), CK_ERR_LIMIT,
                  &err);
    t_assert_code(ck_tsa_trust_add_pem(f->trust, big, 100, &err), CK_ERR_TSA_CERT, &err);
    t_assert_code(ck_tsa_trust_add_der(f->trust, buf, 100, &err), CK_ERR_TSA_CERT, &err);
    assert_int_equal(ck_tsa_trust_count(f->trust), 1);
    free(big);
    /* Exactly at the limit is a format question, not a limit one. */
    t_assert_code(ck_tsa_resp_verify(req, buf, CK_TSA_MAX_DER, f->trust, NULL, &tok, &err),
                  CK_ERR_TSA_FORMAT, &err);

    free(buf);
    free(resp);
    ck_tsa_req_free(req);
}

/* ---- time and serials ---------------------------------------------------------------------- */

static void test_stored_token_years_later(void **state)
{
    (void)state;
    ck_err err;
    /* A TSA whose certificate was valid 2020-01-01 .. 2022-01-01, stamping at a fixed
     * 2021-06-01T12:00:00.25Z. */
    const int64_t from = 1577836800, to = 1640995200, at = 1622548800;
    ck_tsa_cred *ca = NULL, *cred = NULL;
    ck_tsa *tsa = NULL;
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL, *later = NULL;
    t_assert_ok(ck_tsa_cred_generate_ca("old CA", 6, from, to + YEAR, &ca, &err), &err);
    t_assert_ok(ck_tsa_cred_issue_tsa(ca, "old TSA", 7, from, to, 0, &cred, &err), &err);
    ck_tsa_trust *trust = trust_of(ca);
    serial_state s = {.next = 1000};
    fixed_clock clk = {.sec = at, .usec = 250000};
    ck_tsa_config cfg = config(&s);
    cfg.clock = clock_fixed;
    cfg.clock_user = &clk;
    t_assert_ok(ck_tsa_new(cred, &cfg, &tsa, &err), &err);
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    size_t len = 0;
    uint8_t *resp = respond(tsa, req, &len);

    /* Today the certificate has expired: refused at "now"... */
    t_assert_code(ck_tsa_resp_verify(req, resp, len, trust, NULL, &tok, &err), CK_ERR_TSA_VERIFY,
                  &err);
    assert_msg_has(&err, "expired");
    /* ... accepted when the chain is evaluated at genTime ... */
    ck_tsa_verify_opts opts = {.chain_time = CK_TSA_AT_GEN_TIME};
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, trust, &opts, &tok, &err), &err);
    const ck_tsa_info *info = ck_tsa_token_info(tok);
    assert_true(info->gen_time == at);
    assert_int_equal(info->gen_time_nanos, 250000000);
    assert_string_equal(info->gen_time_text, "20210601120000.25Z");
    assert_string_equal(info->serial_dec, "1000");
    assert_string_equal(info->serial_hex, "3E8");

    /* ... and, stored and read back years later, without the request. */
    size_t tl = 0;
    const uint8_t *td = ck_tsa_token_der(tok, &tl);
    t_assert_ok(ck_tsa_token_verify(td, tl, DATA, sizeof DATA, trust, &opts, &later, &err), &err);
    assert_true(ck_tsa_token_info(later)->gen_time == at);
    ck_tsa_token_free(later);
    later = NULL;
    /* At a chosen time inside / outside the validity. */
    opts.chain_time = CK_TSA_AT_TIME;
    opts.at_time = from + 86400;
    t_assert_ok(ck_tsa_token_verify(td, tl, DATA, sizeof DATA, trust, &opts, &later, &err), &err);
    ck_tsa_token_free(later);
    later = NULL;
    opts.at_time = to + 86400;
    t_assert_code(ck_tsa_token_verify(td, tl, DATA, sizeof DATA, trust, &opts, &later, &err),
                  CK_ERR_TSA_VERIFY, &err);
    opts.chain_time = 7;
    t_assert_code(ck_tsa_token_verify(td, tl, DATA, sizeof DATA, trust, &opts, &later, &err),
                  CK_ERR_ARG, &err);

    ck_tsa_token_free(tok);
    free(resp);
    ck_tsa_req_free(req);
    ck_tsa_trust_free(trust);
    ck_tsa_free(tsa);
    ck_tsa_cred_free(cred);
    ck_tsa_cred_free(ca);
}

static void test_serials(void **state)
{
    fx *f = *state;
    ck_err err;
    static const uint64_t values[] = {0, 1, 255, 256, UINT64_C(0x8000000000000000), UINT64_MAX};
    static const char *const dec[] = {
        "0", "1", "255", "256", "9223372036854775808", "18446744073709551615"};
    static const char *const hex[] = {
        "0", "1", "FF", "100", "8000000000000000", "FFFFFFFFFFFFFFFF"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        ck_tsa_req *req = NULL;
        ck_tsa_token *tok = NULL;
        f->serial.next = values[i];
        t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
        size_t len = 0;
        uint8_t *resp = respond(f->tsa, req, &len);
        assert_true(f->serial.last == values[i]);
        t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), &err);
        assert_string_equal(ck_tsa_token_info(tok)->serial_dec, dec[i]);
        assert_string_equal(ck_tsa_token_info(tok)->serial_hex, hex[i]);
        ck_tsa_token_free(tok);
        free(resp);
        ck_tsa_req_free(req);
    }
    f->serial.next = 1;
}

static void test_ess_cert_id_v2(void **state)
{
    fx *f = *state;
    ck_err err;
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL;
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    size_t len = 0;
    uint8_t *resp = respond(f->tsa, req, &len);
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), &err);
    size_t tl = 0;
    const uint8_t *td = ck_tsa_token_der(tok, &tl);

    /* Inspect the signed attributes with OpenSSL directly. */
    const unsigned char *p = td;
    PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)tl);
    assert_non_null(p7);
    STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(p7);
    assert_int_equal(sk_PKCS7_SIGNER_INFO_num(sis), 1);
    PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
    assert_null(PKCS7_get_signed_attribute(si, NID_id_smime_aa_signingCertificate));
    ASN1_TYPE *at = PKCS7_get_signed_attribute(si, NID_id_smime_aa_signingCertificateV2);
    assert_non_null(at);
    assert_int_equal(at->type, V_ASN1_SEQUENCE);
    const unsigned char *q = at->value.sequence->data;
    ESS_SIGNING_CERT_V2 *sc = d2i_ESS_SIGNING_CERT_V2(NULL, &q, at->value.sequence->length);
    assert_non_null(sc);
    /* One ESSCertIDv2 (no chain), hashAlgorithm SHA-256 (DEFAULT, so absent or sha256), and
     * certHash = SHA-256 of the TSA certificate. Its DER layout: SEQUENCE { [hashAlgorithm]
     * OCTET STRING certHash ... }: find the hash in the encoded attribute. */
    uint8_t cder[2048], chash[32];
    size_t cl = 0;
    t_assert_ok(ck_tsa_cred_cert_der(f->tsa_cred, cder, sizeof cder, &cl, &err), &err);
    assert_int_equal(ck_sha256(cder, cl, chash), CK_OK);
    assert_non_null(find(at->value.sequence->data, (size_t)at->value.sequence->length, chash, 32));
    /* The signer digest is SHA-256 (P-256 key). */
    X509_ALGOR *dig = NULL;
    PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig, NULL);
    const ASN1_OBJECT *obj = NULL;
    X509_ALGOR_get0(&obj, NULL, NULL, dig);
    assert_int_equal(OBJ_obj2nid(obj), NID_sha256);
    ESS_SIGNING_CERT_V2_free(sc);
    PKCS7_free(p7);
    assert_int_equal(ck_tsa_token_info(tok)->ess_cert_id_v2, 1);

    ck_tsa_token_free(tok);
    free(resp);
    ck_tsa_req_free(req);
}

/* ---- credentials ------------------------------------------------------------------------- */

static void test_credentials(void **state)
{
    fx *f = *state;
    ck_err err;
    char *kp = ck_secret_alloc(8192);
    char cp[8192];
    size_t kl = 0, cl = 0, need = 0;
    assert_non_null(kp);
    t_assert_code(ck_tsa_cred_key_pem(f->tsa_cred, kp, 10, &need, &err), CK_ERR_BUFFER_SMALL, &err);
    t_assert_ok(ck_tsa_cred_key_pem(f->tsa_cred, kp, 8192, &kl, &err), &err);
    assert_int_equal(need, kl + 1);
    assert_non_null(strstr(kp, "-----BEGIN PRIVATE KEY-----"));
    t_assert_ok(ck_tsa_cred_cert_pem(f->tsa_cred, cp, sizeof cp, &cl, &err), &err);
    assert_non_null(strstr(cp, "-----BEGIN CERTIFICATE-----"));

    /* Import and use: the imported credential makes tokens that verify. */
    ck_tsa_cred *back = NULL;
    ck_tsa *tsa = NULL;
    t_assert_ok(ck_tsa_cred_import_pem(kp, kl, cp, cl, &back, &err), &err);
    serial_state s = {.next = 5};
    ck_tsa_config cfg = config(&s);
    t_assert_ok(ck_tsa_new(back, &cfg, &tsa, &err), &err);
    ck_tsa_req *req = NULL;
    ck_tsa_token *tok = NULL;
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA384, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    size_t len = 0;
    uint8_t *resp = respond(tsa, req, &len);
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), &err);
    ck_tsa_token_free(tok);
    free(resp);
    ck_tsa_req_free(req);
    ck_tsa_free(tsa);
    ck_tsa_cred_free(back);
    back = NULL;

    /* A certificate that does not match the key. */
    char cap_pem[8192];
    size_t cal = 0;
    t_assert_ok(ck_tsa_cred_cert_pem(f->ca, cap_pem, sizeof cap_pem, &cal, &err), &err);
    t_assert_code(ck_tsa_cred_import_pem(kp, kl, cap_pem, cal, &back, &err), CK_ERR_KEY_INVALID,
                  &err);
    /* A key PEM that is not one; a certificate PEM with nothing in it. */
    t_assert_code(ck_tsa_cred_import_pem(cp, cl, cp, cl, &back, &err), CK_ERR_KEY_INVALID, &err);
    t_assert_code(ck_tsa_cred_import_pem(kp, kl, "nothing", 7, &back, &err), CK_ERR_TSA_CERT, &err);
    assert_null(back);
    /* Cert then chain: the CA after the TSA certificate. */
    char chain[16384];
    memcpy(chain, cp, cl);
    memcpy(chain + cl, cap_pem, cal);
    t_assert_ok(ck_tsa_cred_import_pem(kp, kl, chain, cl + cal, &back, &err), &err);
    s.next = 9;
    t_assert_ok(ck_tsa_new(back, &cfg, &tsa, &err), &err);
    t_assert_ok(ck_tsa_req_new(CK_TSA_SHA256, DATA, sizeof DATA, NULL, 0, &req, &err), &err);
    resp = respond(tsa, req, &len);
    t_assert_ok(ck_tsa_resp_verify(req, resp, len, f->trust, NULL, &tok, &err), &err);
    ck_tsa_token_free(tok);
    free(resp);
    ck_tsa_req_free(req);
    ck_tsa_free(tsa);
    ck_tsa_cred_free(back);
    back = NULL;
    ck_secret_free(kp);

    /* Ed25519: OpenSSL's TS signing goes through PKCS#7, which cannot use it. */
    char ek[1024], ec[2048];
    size_t ekl = 0, ecl = 0;
    ed25519_pem(ek, sizeof ek, &ekl, ec, sizeof ec, &ecl);
    t_assert_ok(ck_tsa_cred_import_pem(ek, ekl, ec, ecl, &back, &err), &err);
    t_assert_code(ck_tsa_new(back, &cfg, &tsa, &err), CK_ERR_UNSUPPORTED, &err);
    assert_null(tsa);
    ck_tsa_cred_free(back);

    /* Argument checks of the generator and the TSA configuration. */
    ck_tsa_cred *c = NULL;
    t_assert_code(ck_tsa_cred_generate_ca("", 0, 0, 10, &c, &err), CK_ERR_ARG, &err);
    t_assert_code(ck_tsa_cred_generate_ca("x", 1, 10, 10, &c, &err), CK_ERR_ARG, &err);
    t_assert_code(ck_tsa_cred_issue_tsa(f->ca, "x", 1, 0, 10, 0x80, &c, &err), CK_ERR_ARG, &err);
    assert_null(c);
    cfg.precision_digits = 7;
    t_assert_code(ck_tsa_new(f->tsa_cred, &cfg, &tsa, &err), CK_ERR_ARG, &err);
    cfg = config(&s);
    cfg.serial = NULL;
    t_assert_code(ck_tsa_new(f->tsa_cred, &cfg, &tsa, &err), CK_ERR_ARG, &err);
    cfg = config(&s);
    cfg.policy_len = 2; /* "1." */
    t_assert_code(ck_tsa_new(f->tsa_cred, &cfg, &tsa, &err), CK_ERR_ARG, &err);
    assert_null(tsa);
}

static void test_err_names(void **state)
{
    (void)state;
    assert_string_equal(ck_err_name(CK_ERR_TSA_FORMAT), "CK_ERR_TSA_FORMAT");
    assert_string_equal(ck_err_name(CK_ERR_TSA_STATUS), "CK_ERR_TSA_STATUS");
    assert_string_equal(ck_err_name(CK_ERR_TSA_VERIFY), "CK_ERR_TSA_VERIFY");
    assert_string_equal(ck_err_name(CK_ERR_TSA_POLICY), "CK_ERR_TSA_POLICY");
    assert_string_equal(ck_err_name(CK_ERR_TSA_CERT), "CK_ERR_TSA_CERT");
    assert_int_equal(CK_ERR_TSA_FORMAT, 116);
    assert_int_equal(CK_ERR_TSA_CERT, 120);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_names),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_hash_algs_and_policy),
        cmocka_unit_test(test_request_reload),
        cmocka_unit_test(test_imprint_and_nonce_mismatch),
        cmocka_unit_test(test_other_tsa),
        cmocka_unit_test(test_eku_required),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_stored_token_years_later),
        cmocka_unit_test(test_serials),
        cmocka_unit_test(test_ess_cert_id_v2),
        cmocka_unit_test(test_credentials),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
