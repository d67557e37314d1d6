/*
 * ck_tsa_trust.c -- trust anchors for RFC 3161 token verification: a list of certificates,
 * turned into a fresh X509_STORE for each verification (ck_tsa_verify.c).
 */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ck/tsa.h"
#include "ck_tsa_internal.h"

int ck_tsa_trust_new(ck_tsa_trust **out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa trust: NULL out");
    *out = NULL;
    ck_tsa_trust *t = calloc(1, sizeof *t);
    if (t == NULL || (t->certs = sk_X509_new_null()) == NULL) {
        free(t);
        return ck_err_set(err, CK_ERR_NOMEM, "tsa trust: out of memory");
    }
    *out = t;
    ck_err_clear(err);
    return CK_OK;
}

void ck_tsa_trust_free(ck_tsa_trust *trust)
{
    if (trust == NULL)
        return;
    sk_X509_pop_free(trust->certs, X509_free);
    free(trust);
}

size_t ck_tsa_trust_count(const ck_tsa_trust *trust)
{
    if (trust == NULL)
        return 0;
    int n = sk_X509_num(trust->certs);
    return n > 0 ? (size_t)n : 0;
}

/* Takes x over (frees it on failure). */
static int trust_push(ck_tsa_trust *trust, X509 *x, ck_err *err)
{
    if (ck_tsa_trust_count(trust) >= CK_TSA_MAX_ANCHORS) {
        X509_free(x);
        return ck_err_set(err, CK_ERR_LIMIT, "tsa trust: more than %d anchors", CK_TSA_MAX_ANCHORS);
    }
    if (sk_X509_push(trust->certs, x) <= 0) {
        X509_free(x);
        return ck_err_set(err, CK_ERR_NOMEM, "tsa trust: out of memory");
    }
    return CK_OK;
}

int ck_tsa_trust_add_der(ck_tsa_trust *trust, const uint8_t *der, size_t len, ck_err *err)
{
    if (trust == NULL || der == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa trust: NULL %s", trust == NULL ? "trust" : "der");
    if (len > CK_TSA_MAX_DER)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa trust: certificate of %zu bytes, limit %d", len,
                          CK_TSA_MAX_DER);
    ERR_clear_error();
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_TSA_CERT, "tsa trust: not a DER certificate");
    if (p != der + len) {
        X509_free(x);
        return ck_err_set(err, CK_ERR_TSA_CERT, "tsa trust: trailing bytes after certificate");
    }
    int rc = trust_push(trust, x, err);
    if (rc == CK_OK)
        ck_err_clear(err);
    return rc;
}

int ck_tsa_trust_add_pem(ck_tsa_trust *trust, const char *pem, size_t len, ck_err *err)
{
    if (trust == NULL || pem == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa trust: NULL %s", trust == NULL ? "trust" : "pem");
    if (len > CK_TSA_MAX_PEM)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa trust: PEM of %zu bytes, limit %d", len,
                          CK_TSA_MAX_PEM);
    ERR_clear_error();
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    if (b == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa trust: out of memory");
    int rc = CK_OK;
    size_t added = 0;
    for (;;) {
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        if (x == NULL) {
            unsigned long e = ERR_peek_last_error();
            if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                ERR_clear_error(); /* the normal end of the text */
                break;
            }
            rc = ck_tsa_ossl_fail(err, CK_ERR_TSA_CERT, "tsa trust: unreadable PEM certificate");
            goto out;
        }
        rc = trust_push(trust, x, err);
        if (rc != CK_OK)
            goto out;
        added++;
    }
    if (added == 0)
        rc = ck_err_set(err, CK_ERR_TSA_CERT, "tsa trust: no certificate in the PEM text");
out:
    BIO_free(b);
    if (rc == CK_OK)
        ck_err_clear(err);
    return rc;
}

/* A new X509_STORE holding trust's anchors, evaluating validity at t (if use_time). */
X509_STORE *ck_tsa_trust_store(const ck_tsa_trust *trust, int use_time, int64_t t)
{
    X509_STORE *st = X509_STORE_new();
    if (st == NULL)
        return NULL;
    for (int i = 0; i < sk_X509_num(trust->certs); i++)
        if (X509_STORE_add_cert(st, sk_X509_value(trust->certs, i)) != 1)
            goto fail;
    if (use_time)
        X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(st), (time_t)t);
    return st;
fail:
    X509_STORE_free(st);
    return NULL;
}
