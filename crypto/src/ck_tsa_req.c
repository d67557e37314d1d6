/*
 * ck_tsa_req.c -- RFC 3161 TimeStampReq: building one for a digest, re-reading one we sent.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ts.h>

#include "ck/tsa.h"
#include "ck_tsa_internal.h"

void ck_tsa_req_free(ck_tsa_req *req)
{
    if (req == NULL)
        return;
    TS_REQ_free(req->req);
    free(req->der);
    free(req);
}

/* Encodes r into a new handle that takes r over. */
static int req_wrap(TS_REQ *r, ck_tsa_req **out, ck_err *err)
{
    ck_tsa_req *req = calloc(1, sizeof *req);
    if (req == NULL) {
        TS_REQ_free(r);
        return ck_err_set(err, CK_ERR_NOMEM, "tsa: out of memory");
    }
    req->req = r;
    int n = i2d_TS_REQ(r, NULL);
    if (n <= 0) {
        ck_tsa_req_free(req);
        return ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot encode TimeStampReq");
    }
    req->der = malloc((size_t)n);
    if (req->der == NULL) {
        ck_tsa_req_free(req);
        return ck_err_set(err, CK_ERR_NOMEM, "tsa: out of memory");
    }
    unsigned char *p = req->der;
    if (i2d_TS_REQ(r, &p) != n) {
        ck_tsa_req_free(req);
        return ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot encode TimeStampReq");
    }
    req->der_len = (size_t)n;
    *out = req;
    return CK_OK;
}

int ck_tsa_req_new_digest(ck_tsa_hash_alg alg, const uint8_t *digest, size_t digest_len,
                          const char *policy, size_t policy_len, ck_tsa_req **out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || digest == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa request: NULL %s", out == NULL ? "out" : "digest");
    *out = NULL;
    if (ck_tsa_hash_len(alg) == 0)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "tsa request: unknown hash algorithm %d",
                          (int)alg);
    if (digest_len != ck_tsa_hash_len(alg))
        return ck_err_set(err, CK_ERR_ARG, "tsa request: %s digest must be %zu bytes, not %zu",
                          ck_tsa_hash_name(alg), ck_tsa_hash_len(alg), digest_len);
    if (policy == NULL && policy_len != 0)
        return ck_err_set(err, CK_ERR_ARG, "tsa request: NULL policy");
    ERR_clear_error();

    TS_REQ *r = NULL;
    TS_MSG_IMPRINT *mi = NULL;
    X509_ALGOR *algor = NULL;
    ASN1_OBJECT *pol = NULL;
    ASN1_INTEGER *nonce = NULL;

    if (policy != NULL) {
        pol = ck_tsa_oid_parse(policy, policy_len);
        if (pol == NULL) {
            ERR_clear_error();
            rc = ck_err_set(err, CK_ERR_ARG, "tsa request: policy is not a dotted OID");
            goto out;
        }
    }
    r = TS_REQ_new();
    mi = TS_MSG_IMPRINT_new();
    algor = X509_ALGOR_new();
    nonce = ASN1_INTEGER_new();
    if (r == NULL || mi == NULL || algor == NULL || nonce == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa request: out of memory");
        goto out;
    }
    /* A 64-bit nonce with the top bit set: always 8 significant bytes, never zero, and the
     * same size whatever the draw (RFC 3161 section 2.4.1: "a large random number"). */
    uint64_t n64 = 0;
    ck_random(&n64, sizeof n64);
    n64 |= UINT64_C(1) << 63;
    /* Hash parameters NULL, as OpenSSL's TS client and most TSAs expect. */
    if (X509_ALGOR_set0(algor, OBJ_nid2obj(ck_tsa_hash_nid(alg)), V_ASN1_NULL, NULL) != 1 ||
        TS_MSG_IMPRINT_set_algo(mi, algor) != 1 ||
        TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, (int)digest_len) != 1 ||
        TS_REQ_set_version(r, 1) != 1 || TS_REQ_set_msg_imprint(r, mi) != 1 ||
        (pol != NULL && TS_REQ_set_policy_id(r, pol) != 1) ||
        ASN1_INTEGER_set_uint64(nonce, n64) != 1 || TS_REQ_set_nonce(r, nonce) != 1 ||
        TS_REQ_set_cert_req(r, 1) != 1) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa request: cannot build TimeStampReq");
        goto out;
    }
    rc = req_wrap(r, out, err);
    r = NULL;
    if (rc == CK_OK)
        ck_err_clear(err);
out:
    TS_REQ_free(r);
    TS_MSG_IMPRINT_free(mi);
    X509_ALGOR_free(algor);
    ASN1_OBJECT_free(pol);
    ASN1_INTEGER_free(nonce);
    return rc;
}

int ck_tsa_req_new(ck_tsa_hash_alg alg, const uint8_t *data, size_t len, const char *policy,
                   size_t policy_len, ck_tsa_req **out, ck_err *err)
{
    if (out != NULL)
        *out = NULL;
    uint8_t md[CK_TSA_HASH_MAX_LEN];
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    rc = ck_tsa_digest(alg, data, len, md, err);
    if (rc != CK_OK)
        return rc;
    return ck_tsa_req_new_digest(alg, md, ck_tsa_hash_len(alg), policy, policy_len, out, err);
}

int ck_tsa_req_from_der(const uint8_t *der, size_t len, ck_tsa_req **out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || (der == NULL && len != 0))
        return ck_err_set(err, CK_ERR_ARG, "tsa request: NULL %s", out == NULL ? "out" : "der");
    *out = NULL;
    if (len > CK_TSA_MAX_DER)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa request: %zu bytes, limit %d", len,
                          CK_TSA_MAX_DER);
    if (len == 0)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa request: empty");
    ERR_clear_error();
    const unsigned char *p = der;
    TS_REQ *r = d2i_TS_REQ(NULL, &p, (long)len);
    if (r == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_TSA_FORMAT, "tsa request: not a TimeStampReq");
    if (p != der + len) {
        rc = ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa request: %zu trailing bytes",
                        (size_t)(der + len - p));
        goto fail;
    }
    if (TS_REQ_get_version(r) != 1) {
        rc = ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa request: version %ld, not 1",
                        TS_REQ_get_version(r));
        goto fail;
    }
    TS_MSG_IMPRINT *mi = TS_REQ_get_msg_imprint(r);
    ck_tsa_hash_alg alg = ck_tsa_imprint_alg(TS_MSG_IMPRINT_get_algo(mi));
    if (alg == 0) {
        rc = ck_err_set(err, CK_ERR_UNSUPPORTED,
                        "tsa request: imprint hash is not SHA-256/384/512 without parameters");
        goto fail;
    }
    ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(mi);
    if ((size_t)ASN1_STRING_length(msg) != ck_tsa_hash_len(alg)) {
        rc = ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa request: %s imprint of %d bytes",
                        ck_tsa_hash_name(alg), ASN1_STRING_length(msg));
        goto fail;
    }
    ck_tsa_req *req = calloc(1, sizeof *req);
    if (req == NULL) {
        rc = ck_err_set(err, CK_ERR_NOMEM, "tsa: out of memory");
        goto fail;
    }
    req->req = r;
    req->der = malloc(len);
    if (req->der == NULL) {
        ck_tsa_req_free(req);
        return ck_err_set(err, CK_ERR_NOMEM, "tsa: out of memory");
    }
    /* Keep the bytes as given: they are what the TSA saw. */
    memcpy(req->der, der, len);
    req->der_len = len;
    *out = req;
    ck_err_clear(err);
    return CK_OK;
fail:
    TS_REQ_free(r);
    ERR_clear_error();
    return rc;
}

const uint8_t *ck_tsa_req_der(const ck_tsa_req *req, size_t *len)
{
    if (req == NULL) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    if (len != NULL)
        *len = req->der_len;
    return req->der;
}

int ck_tsa_req_nonce(const ck_tsa_req *req, uint64_t *nonce, ck_err *err)
{
    if (req == NULL || nonce == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa request: NULL %s", req == NULL ? "req" : "nonce");
    const ASN1_INTEGER *n = TS_REQ_get_nonce(req->req);
    if (n == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa request: no nonce");
    if (ASN1_INTEGER_get_uint64(nonce, n) != 1) {
        ERR_clear_error();
        return ck_err_set(err, CK_ERR_ARG, "tsa request: nonce is not a 64-bit unsigned value");
    }
    ck_err_clear(err);
    return CK_OK;
}
