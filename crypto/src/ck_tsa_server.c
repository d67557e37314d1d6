/*
 * ck_tsa_server.c -- the built-in RFC 3161 TSA: TimeStampReq DER in, TimeStampResp DER out,
 * through OpenSSL's TS_RESP_CTX.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "ck/tsa.h"
#include "ck_tsa_internal.h"

struct ck_tsa {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) * chain;
    ASN1_OBJECT *policy;
    EVP_MD *md[3];     /* SHA-256/384/512: accepted imprints (TS_RESP_CTX keeps pointers) */
    EVP_MD *signer_md; /* the signature's digest */
    ck_tsa_config cfg; /* policy pointer cleared: the ASN1_OBJECT above is the copy */
};

void ck_tsa_free(ck_tsa *tsa)
{
    if (tsa == NULL)
        return;
    EVP_PKEY_free(tsa->key);
    X509_free(tsa->cert);
    sk_X509_pop_free(tsa->chain, X509_free);
    ASN1_OBJECT_free(tsa->policy);
    for (size_t i = 0; i < 3; i++)
        EVP_MD_free(tsa->md[i]);
    EVP_MD_free(tsa->signer_md);
    free(tsa);
}

/* The digest a key signs with, or 0 if OpenSSL's TS (PKCS#7) code cannot use the key. */
static ck_tsa_hash_alg signer_alg(EVP_PKEY *key, char *why, size_t why_cap)
{
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[32] = "";
        size_t n = 0;
        if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &n) != 1)
            return (ck_tsa_hash_alg)0;
        if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
            return CK_TSA_SHA256;
        if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
            return CK_TSA_SHA384;
        snprintf(why, why_cap, "EC curve %s", group);
        return (ck_tsa_hash_alg)0;
    }
    if (EVP_PKEY_is_a(key, "RSA")) {
        if (EVP_PKEY_get_bits(key) >= 2048)
            return CK_TSA_SHA256;
        snprintf(why, why_cap, "RSA key of %d bits", EVP_PKEY_get_bits(key));
        return (ck_tsa_hash_alg)0;
    }
    snprintf(why, why_cap, "%s key", EVP_PKEY_get0_type_name(key));
    return (ck_tsa_hash_alg)0;
}

int ck_tsa_new(const ck_tsa_cred *cred, const ck_tsa_config *cfg, ck_tsa **out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || cred == NULL || cfg == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa: NULL argument");
    *out = NULL;
    if (cfg->serial == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa: a serial number callback is required");
    if (cfg->accuracy_millis > 999 || cfg->accuracy_micros > 999)
        return ck_err_set(err, CK_ERR_ARG, "tsa: accuracy millis and micros must be 0..999");
    if (cfg->precision_digits > 6)
        return ck_err_set(err, CK_ERR_ARG, "tsa: precision_digits must be 0..6");
    ERR_clear_error();

    ck_tsa *tsa = calloc(1, sizeof *tsa);
    if (tsa == NULL)
        return ck_err_set(err, CK_ERR_NOMEM, "tsa: out of memory");
    tsa->cfg = *cfg;
    tsa->cfg.policy = NULL;
    tsa->cfg.policy_len = 0;
    tsa->policy = ck_tsa_oid_parse(cfg->policy, cfg->policy_len);
    if (tsa->policy == NULL) {
        ERR_clear_error();
        rc = ck_err_set(err, CK_ERR_ARG, "tsa: policy is not a dotted OID");
        goto out;
    }
    char why[64] = "";
    ck_tsa_hash_alg salg = signer_alg(cred->key, why, sizeof why);
    if (salg == 0) {
        ERR_clear_error();
        rc = ck_err_set(err, CK_ERR_UNSUPPORTED,
                        "tsa: cannot sign time-stamps with a %s (ECDSA P-256/P-384 or RSA >= "
                        "2048 bits)",
                        why[0] ? why : "key of this type");
        goto out;
    }
    /* The same check TS_RESP_CTX_set_signer_cert makes, done once here with a clear error. */
    if (X509_check_purpose(cred->cert, X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
        ERR_clear_error();
        rc = ck_err_set(err, CK_ERR_TSA_CERT,
                        "tsa: certificate is not fit for time-stamping (it needs exactly the "
                        "critical timeStamping extended key usage)");
        goto out;
    }
    if (X509_check_private_key(cred->cert, cred->key) != 1) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_TSA_CERT, "tsa: key does not match the certificate");
        goto out;
    }
    static const ck_tsa_hash_alg algs[3] = {CK_TSA_SHA256, CK_TSA_SHA384, CK_TSA_SHA512};
    for (size_t i = 0; i < 3; i++)
        if ((tsa->md[i] = ck_tsa_md_fetch(algs[i])) == NULL) {
            rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot fetch digests");
            goto out;
        }
    tsa->signer_md = ck_tsa_md_fetch(salg);
    tsa->chain = X509_chain_up_ref(cred->chain);
    if (tsa->signer_md == NULL || tsa->chain == NULL || EVP_PKEY_up_ref(cred->key) != 1) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa: out of memory");
        goto out;
    }
    tsa->key = cred->key;
    if (X509_up_ref(cred->cert) != 1) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa: out of memory");
        goto out;
    }
    tsa->cert = cred->cert;
    *out = tsa;
    tsa = NULL;
    ck_err_clear(err);
out:
    ck_tsa_free(tsa);
    return rc;
}

/* ---- callbacks --------------------------------------------------------------------------- */

static ASN1_INTEGER *serial_cb(TS_RESP_CTX *ctx, void *data)
{
    const ck_tsa *tsa = data;
    uint64_t v = 0;
    ASN1_INTEGER *serial = NULL;
    if (tsa->cfg.serial(tsa->cfg.serial_user, &v) == 0 && (serial = ASN1_INTEGER_new()) != NULL &&
        ASN1_INTEGER_set_uint64(serial, v) == 1)
        return serial;
    ASN1_INTEGER_free(serial);
    /* Returning NULL makes OpenSSL answer with the status set here. */
    (void)TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "serial number not available");
    (void)TS_RESP_CTX_add_failure_info(ctx, TS_INFO_SYSTEM_FAILURE);
    return NULL;
}

static int time_cb(TS_RESP_CTX *ctx, void *data, long *sec, long *usec)
{
    const ck_tsa *tsa = data;
    int64_t s = 0;
    uint32_t us = 0;
    int ok;
    if (tsa->cfg.clock != NULL) {
        ok = tsa->cfg.clock(tsa->cfg.clock_user, &s, &us) == 0;
    } else {
        struct timeval tv;
        ok = gettimeofday(&tv, NULL) == 0;
        s = tv.tv_sec;
        us = (uint32_t)tv.tv_usec;
    }
    if (!ok || s < 0 || s > LONG_MAX || us >= 1000000) {
        (void)TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "time is not available");
        (void)TS_RESP_CTX_add_failure_info(ctx, TS_INFO_TIME_NOT_AVAILABLE);
        return 0;
    }
    *sec = (long)s;
    *usec = (long)us;
    return 1;
}

/* ---- responding -------------------------------------------------------------------------- */

/* A TS_RESP_CTX for one response: TS_RESP_create_response keeps per-request state in the
 * context, so a context per call keeps the TSA handle read-only and thread-safe. */
static TS_RESP_CTX *ctx_build(const ck_tsa *tsa)
{
    TS_RESP_CTX *ctx = TS_RESP_CTX_new_ex(NULL, NULL);
    if (ctx == NULL)
        return NULL;
    int ok = TS_RESP_CTX_set_signer_cert(ctx, tsa->cert) == 1 &&
             TS_RESP_CTX_set_signer_key(ctx, tsa->key) == 1 &&
             TS_RESP_CTX_set_signer_digest(ctx, tsa->signer_md) == 1 &&
             TS_RESP_CTX_set_ess_cert_id_digest(ctx, tsa->md[0]) == 1 &&
             TS_RESP_CTX_set_def_policy(ctx, tsa->policy) == 1 &&
             (sk_X509_num(tsa->chain) == 0 || TS_RESP_CTX_set_certs(ctx, tsa->chain) == 1) &&
             TS_RESP_CTX_set_clock_precision_digits(ctx, tsa->cfg.precision_digits) == 1;
    for (size_t i = 0; ok && i < 3; i++)
        ok = TS_RESP_CTX_add_md(ctx, tsa->md[i]) == 1;
    if (ok && (tsa->cfg.accuracy_secs || tsa->cfg.accuracy_millis || tsa->cfg.accuracy_micros))
        ok = tsa->cfg.accuracy_secs <= INT_MAX &&
             TS_RESP_CTX_set_accuracy(ctx, (int)tsa->cfg.accuracy_secs,
                                      (int)tsa->cfg.accuracy_millis,
                                      (int)tsa->cfg.accuracy_micros) == 1;
    if (!ok) {
        TS_RESP_CTX_free(ctx);
        return NULL;
    }
    /* TS_TSA_NAME adds the name (the "Don't include" comment in ts.h is misleading);
     * TS_ESS_CERT_ID_CHAIN binds the chain certificates too. */
    int flags = 0;
    if (tsa->cfg.include_tsa_name)
        flags |= TS_TSA_NAME;
    if (sk_X509_num(tsa->chain) > 0)
        flags |= TS_ESS_CERT_ID_CHAIN;
    TS_RESP_CTX_add_flags(ctx, flags);
    TS_RESP_CTX_set_serial_cb(ctx, serial_cb, (void *)tsa);
    TS_RESP_CTX_set_time_cb(ctx, time_cb, (void *)tsa);
    return ctx;
}

int ck_tsa_respond(const ck_tsa *tsa, const uint8_t *req, size_t req_len, uint8_t *out, size_t cap,
                   size_t *out_len, ck_err *err)
{
    if (tsa == NULL || out_len == NULL || (req == NULL && req_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "tsa: NULL argument");
    *out_len = 0;
    if (req_len > CK_TSA_MAX_DER)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa: request of %zu bytes, limit %d", req_len,
                          CK_TSA_MAX_DER);
    ERR_clear_error();

    /* OpenSSL reads one DER object from the BIO and ignores what follows it. A request with
     * trailing bytes is handed over as an empty BIO instead, so it gets the same rejection
     * (badDataFormat) as any other malformed request. */
    const unsigned char *p = req;
    TS_REQ *parsed = req_len > 0 ? d2i_TS_REQ(NULL, &p, (long)req_len) : NULL;
    int exact = parsed != NULL && p == req + req_len;
    TS_REQ_free(parsed);
    ERR_clear_error();

    static const unsigned char none[1] = {0};
    TS_RESP_CTX *ctx = NULL;
    TS_RESP *resp = NULL;
    int rc = CK_OK;
    BIO *in = BIO_new_mem_buf(exact ? req : none, exact ? (int)req_len : 0);
    if (in == NULL || (ctx = ctx_build(tsa)) == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot set up the response context");
        goto out;
    }
    resp = TS_RESP_create_response(ctx, in);
    if (resp == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot create a response");
        goto out;
    }
    ERR_clear_error(); /* a rejection leaves its reasons queued */
    int n = i2d_TS_RESP(resp, NULL);
    if (n <= 0) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot encode the response");
        goto out;
    }
    if ((size_t)n > CK_TSA_MAX_DER) {
        rc =
            ck_err_set(err, CK_ERR_LIMIT, "tsa: response of %d bytes, limit %d", n, CK_TSA_MAX_DER);
        goto out;
    }
    *out_len = (size_t)n;
    if (out == NULL || cap < (size_t)n) {
        rc = ck_err_set(err, CK_ERR_BUFFER_SMALL, "tsa: response needs %d bytes", n);
        goto out;
    }
    unsigned char *w = out;
    if (i2d_TS_RESP(resp, &w) != n) {
        *out_len = 0;
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot encode the response");
        goto out;
    }
    ck_err_clear(err);
out:
    TS_RESP_free(resp);
    TS_RESP_CTX_free(ctx);
    BIO_free(in);
    ERR_clear_error();
    return rc;
}
