/*
 * ck_tsa_cert.c -- TSA credentials: an OpenSSL-held private key with its certificate (and
 * chain); PEM import/export, and a self-signed test CA with a time-stamping certificate.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ck/tsa.h"
#include "ck_internal.h"
#include "ck_tsa_internal.h"

void ck_tsa_cred_free(ck_tsa_cred *cred)
{
    if (cred == NULL)
        return;
    EVP_PKEY_free(cred->key); /* OpenSSL clears private key material when freeing it */
    X509_free(cred->cert);
    sk_X509_pop_free(cred->chain, X509_free);
    free(cred);
}

static ck_tsa_cred *cred_alloc(void)
{
    ck_tsa_cred *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if ((c->chain = sk_X509_new_null()) == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

/* Adds one extension given in OpenSSL's configuration syntax ("critical,CA:TRUE"). */
static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    if (ext == NULL)
        return 0;
    int ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* Builds and signs a certificate for key, issued by issuer_cert/issuer_key (both NULL:
 * self-signed). ca selects the CA or the TSA profile. */
static int cert_make(EVP_PKEY *key, const char *cn, size_t cn_len, int64_t nb, int64_t na, int ca,
                     unsigned flags, X509 *issuer_cert, EVP_PKEY *issuer_key, X509 **out,
                     ck_err *err)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    BIGNUM *bn = BN_new();
    ASN1_INTEGER *serial = NULL;
    int rc = CK_OK;
    if (x == NULL || name == NULL || bn == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa cert: out of memory");
        goto out;
    }
    /* 127 random bits: positive, unique enough, within RFC 5280's 20 octets. */
    uint8_t sb[16];
    ck_random(sb, sizeof sb);
    sb[0] = (uint8_t)((sb[0] & 0x7f) | 0x40);
    if (BN_bin2bn(sb, (int)sizeof sb, bn) == NULL ||
        (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
        X509_set_version(x, X509_VERSION_3) != 1 || X509_set_serialNumber(x, serial) != 1 ||
        X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn,
                                   (int)cn_len, -1, 0) != 1 ||
        X509_set_subject_name(x, name) != 1 ||
        X509_set_issuer_name(x, issuer_cert != NULL ? X509_get_subject_name(issuer_cert) : name) !=
            1 ||
        ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) == NULL ||
        ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) == NULL || X509_set_pubkey(x, key) != 1) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cert: cannot fill in the certificate");
        goto out;
    }
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer_cert != NULL ? issuer_cert : x, x, NULL, NULL, 0);
    int ok;
    if (ca) {
        ok = add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(x, &v3, NID_subject_key_identifier, "hash");
    } else {
        ok = add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
             add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
             add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
        if (ok && !(flags & CK_TSA_CERT_EKU_NONE))
            ok = add_ext(x, &v3, NID_ext_key_usage,
                         (flags & CK_TSA_CERT_EKU_NOT_CRITICAL) ? "timeStamping"
                                                                : "critical,timeStamping");
    }
    if (!ok) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cert: cannot add extensions");
        goto out;
    }
    if (X509_sign(x, issuer_key != NULL ? issuer_key : key, ck_internal_md(CK_SHA256)) <= 0) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cert: cannot sign the certificate");
        goto out;
    }
    *out = x;
    x = NULL;
out:
    X509_free(x);
    X509_NAME_free(name);
    BN_free(bn);
    ASN1_INTEGER_free(serial);
    return rc;
}

static int cred_args(const char *cn, size_t cn_len, int64_t nb, int64_t na, ck_tsa_cred **out,
                     ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || cn == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa cert: NULL %s", out == NULL ? "out" : "cn");
    *out = NULL;
    if (cn_len == 0 || cn_len > CK_TSA_MAX_CN || memchr(cn, '\0', cn_len) != NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa cert: common name must be 1..%d bytes, no NUL",
                          CK_TSA_MAX_CN);
    if (na <= nb || nb < 0 || (sizeof(time_t) < 8 && na > INT32_MAX))
        return ck_err_set(err, CK_ERR_ARG, "tsa cert: validity must satisfy 0 <= from < to");
    ERR_clear_error();
    return CK_OK;
}

static int cred_generate(const ck_tsa_cred *ca, const char *cn, size_t cn_len, int64_t nb,
                         int64_t na, unsigned flags, ck_tsa_cred **out, ck_err *err)
{
    ck_tsa_cred *c = cred_alloc();
    if (c == NULL)
        return ck_err_set(err, CK_ERR_NOMEM, "tsa cert: out of memory");
    int rc = CK_OK;
    c->key = EVP_EC_gen("P-256");
    if (c->key == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cert: P-256 key generation failed");
        goto out;
    }
    rc = cert_make(c->key, cn, cn_len, nb, na, ca == NULL, flags, ca != NULL ? ca->cert : NULL,
                   ca != NULL ? ca->key : NULL, &c->cert, err);
    if (rc != CK_OK)
        goto out;
    *out = c;
    c = NULL;
    ck_err_clear(err);
out:
    ck_tsa_cred_free(c);
    return rc;
}

int ck_tsa_cred_generate_ca(const char *cn, size_t cn_len, int64_t not_before, int64_t not_after,
                            ck_tsa_cred **out, ck_err *err)
{
    int rc = cred_args(cn, cn_len, not_before, not_after, out, err);
    if (rc != CK_OK)
        return rc;
    return cred_generate(NULL, cn, cn_len, not_before, not_after, 0, out, err);
}

int ck_tsa_cred_issue_tsa(const ck_tsa_cred *ca, const char *cn, size_t cn_len, int64_t not_before,
                          int64_t not_after, unsigned flags, ck_tsa_cred **out, ck_err *err)
{
    int rc = cred_args(cn, cn_len, not_before, not_after, out, err);
    if (rc != CK_OK)
        return rc;
    if (ca == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa cert: NULL ca");
    if (flags & ~(unsigned)(CK_TSA_CERT_EKU_NONE | CK_TSA_CERT_EKU_NOT_CRITICAL))
        return ck_err_set(err, CK_ERR_ARG, "tsa cert: unknown flags 0x%x", flags);
    return cred_generate(ca, cn, cn_len, not_before, not_after, flags, out, err);
}

/* Never prompts for a passphrase: encrypted PEM keys are refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

int ck_tsa_cred_import_pem(const char *key_pem, size_t key_len, const char *cert_pem,
                           size_t cert_len, ck_tsa_cred **out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || key_pem == NULL || cert_pem == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa cred: NULL argument");
    *out = NULL;
    if (key_len > CK_TSA_MAX_PEM || cert_len > CK_TSA_MAX_PEM)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa cred: PEM text over %d bytes", CK_TSA_MAX_PEM);
    ERR_clear_error();
    ck_tsa_cred *c = cred_alloc();
    BIO *kb = BIO_new_mem_buf(key_pem, (int)key_len);
    BIO *cb = BIO_new_mem_buf(cert_pem, (int)cert_len);
    if (c == NULL || kb == NULL || cb == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa cred: out of memory");
        goto out;
    }
    c->key = PEM_read_bio_PrivateKey_ex(kb, NULL, no_passphrase, NULL, NULL, NULL);
    if (c->key == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_KEY_INVALID,
                              "tsa cred: not an unencrypted PEM private key");
        goto out;
    }
    for (;;) {
        X509 *x = PEM_read_bio_X509(cb, NULL, no_passphrase, NULL);
        if (x == NULL) {
            unsigned long e = ERR_peek_last_error();
            if (c->cert != NULL && ERR_GET_LIB(e) == ERR_LIB_PEM &&
                ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                ERR_clear_error();
                break;
            }
            rc = ck_tsa_ossl_fail(err, CK_ERR_TSA_CERT, "tsa cred: unreadable PEM certificate");
            goto out;
        }
        if (c->cert == NULL) {
            c->cert = x;
            continue;
        }
        if (sk_X509_num(c->chain) >= CK_TSA_MAX_CHAIN) {
            X509_free(x);
            rc = ck_err_set(err, CK_ERR_LIMIT, "tsa cred: more than %d chain certificates",
                            CK_TSA_MAX_CHAIN);
            goto out;
        }
        if (sk_X509_push(c->chain, x) <= 0) {
            X509_free(x);
            rc = ck_err_set(err, CK_ERR_NOMEM, "tsa cred: out of memory");
            goto out;
        }
    }
    if (X509_check_private_key(c->cert, c->key) != 1) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_KEY_INVALID,
                              "tsa cred: the private key does not match the certificate");
        goto out;
    }
    *out = c;
    c = NULL;
    ck_err_clear(err);
out:
    BIO_free(kb);
    BIO_free(cb);
    ck_tsa_cred_free(c);
    return rc;
}

/* Copies a memory BIO's contents and a NUL into out. */
static int bio_out(BIO *b, char *out, size_t cap, size_t *out_len, ck_err *err)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    if (n < 0)
        return ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cred: PEM output failed");
    *out_len = (size_t)n + 1;
    if (out == NULL || cap < (size_t)n + 1)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL, "tsa cred: PEM needs %zu bytes", *out_len);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    *out_len = (size_t)n;
    return CK_OK;
}

int ck_tsa_cred_key_pem(const ck_tsa_cred *cred, char *out, size_t cap, size_t *out_len,
                        ck_err *err)
{
    if (cred == NULL || out_len == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa cred: NULL argument");
    ERR_clear_error();
    /* secmem: the BIO's buffer is wiped when freed. */
    BIO *b = BIO_new(BIO_s_secmem());
    if (b == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa cred: out of memory");
    int rc;
    if (PEM_write_bio_PrivateKey(b, cred->key, NULL, NULL, 0, NULL, NULL) != 1)
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cred: cannot write the key");
    else
        rc = bio_out(b, out, cap, out_len, err);
    BIO_free(b);
    if (rc == CK_OK)
        ck_err_clear(err);
    return rc;
}

int ck_tsa_cred_cert_pem(const ck_tsa_cred *cred, char *out, size_t cap, size_t *out_len,
                         ck_err *err)
{
    if (cred == NULL || out_len == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa cred: NULL argument");
    ERR_clear_error();
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa cred: out of memory");
    int rc = CK_OK;
    int ok = PEM_write_bio_X509(b, cred->cert) == 1;
    for (int i = 0; ok && i < sk_X509_num(cred->chain); i++)
        ok = PEM_write_bio_X509(b, sk_X509_value(cred->chain, i)) == 1;
    if (!ok)
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cred: cannot write the certificate");
    else
        rc = bio_out(b, out, cap, out_len, err);
    BIO_free(b);
    if (rc == CK_OK)
        ck_err_clear(err);
    return rc;
}

int ck_tsa_cred_cert_der(const ck_tsa_cred *cred, uint8_t *out, size_t cap, size_t *out_len,
                         ck_err *err)
{
    if (cred == NULL || out_len == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa cred: NULL argument");
    int n = i2d_X509(cred->cert, NULL);
    if (n <= 0)
        return ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cred: cannot encode the certificate");
    *out_len = (size_t)n;
    if (out == NULL || cap < (size_t)n)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL, "tsa cred: certificate needs %d bytes", n);
    unsigned char *p = out;
    if (i2d_X509(cred->cert, &p) != n)
        return ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa cred: cannot encode the certificate");
    ck_err_clear(err);
    return CK_OK;
}
