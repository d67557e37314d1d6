/*
 * ck_ec.c -- P-256 and P-384 ECDSA keys on OpenSSL 3 (EVP, provider keys built from params).
 *
 * JOSE carries ECDSA signatures as fixed-size R||S (RFC 7518 section 3.4); OpenSSL speaks DER.
 * The conversion happens only here, in both directions, so DER never crosses the API.
 *
 * The public EVP_PKEY is built once at import and shared read-only by every verification.
 * The private EVP_PKEY is built from the scalar for each signature and freed right after, so
 * the scalar lives in OpenSSL's memory only for the duration of one ck_sign call.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "ck/ck.h"
#include "ck_internal.h"
#include "ck_key_internal.h"

/* Largest DER ECDSA-Sig-Value for P-384: SEQUENCE(2) + 2 * INTEGER(2 + 49) = 104 bytes. */
#define CK_EC_DER_MAX 128

static const char *ck_ec_group_name(ck_key_type type)
{
    return type == CK_KEY_P256 ? SN_X9_62_prime256v1 : SN_secp384r1;
}

static int ck_ec_nid(ck_key_type type)
{
    return type == CK_KEY_P256 ? NID_X9_62_prime256v1 : NID_secp384r1;
}

static ck_hash_alg ck_ec_hash(ck_key_type type)
{
    return type == CK_KEY_P256 ? CK_SHA256 : CK_SHA384;
}

/* A backend failure: drop OpenSSL's queued errors so they do not surface in an unrelated
 * later call on this thread, and report code. */
static int ck_ec_fail(ck_err *err, int code, const char *what, ck_key_type type)
{
    ERR_clear_error();
    return ck_err_set(err, code, "%s: %s", ck_key_type_name(type), what);
}

/* Builds an EVP_PKEY from the uncompressed point pub (and the scalar priv, if non-NULL). */
static int ck_ec_build_pkey(ck_key_type type, const uint8_t *pub, size_t pub_len,
                            const BIGNUM *priv, EVP_PKEY **out, ck_err *err)
{
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    EVP_PKEY *pkey = NULL;
    int rc = CK_OK;

    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL) {
        rc = ck_ec_fail(err, CK_ERR_NOMEM, "cannot allocate parameter builder", type);
        goto out;
    }
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ck_ec_group_name(type),
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) != 1 ||
        (priv != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1)) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "cannot build key parameters", type);
        goto out;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params == NULL || pctx == NULL) {
        rc = ck_ec_fail(err, CK_ERR_NOMEM, "cannot allocate key parameters", type);
        goto out;
    }
    if (EVP_PKEY_fromdata_init(pctx) != 1 ||
        EVP_PKEY_fromdata(pctx, &pkey, priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                          params) != 1) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "OpenSSL rejected the key parameters", type);
        goto out;
    }
    *out = pkey;
    pkey = NULL;
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params); /* clears the block holding the private scalar */
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

/* The scalar of a private key as a constant-time BIGNUM in OpenSSL's secure heap. */
static int ck_ec_scalar_bn(const ck_key *key, BIGNUM **out, ck_err *err)
{
    BIGNUM *d = BN_secure_new();
    if (d == NULL)
        return ck_ec_fail(err, CK_ERR_NOMEM, "cannot allocate scalar", key->type);
    BN_set_flags(d, BN_FLG_CONSTTIME);
    if (BN_bin2bn(key->secret, (int)key->secret_len, d) == NULL) {
        BN_clear_free(d);
        return ck_ec_fail(err, CK_ERR_BACKEND, "cannot load scalar", key->type);
    }
    *out = d;
    return CK_OK;
}

/* Decodes point (any accepted encoding) or computes d*G, and stores the uncompressed form in
 * key->pub. Exactly one of point and d is non-NULL. */
static int ck_ec_set_point(ck_key *key, const uint8_t *point, size_t point_len, const BIGNUM *d,
                           ck_err *err)
{
    EC_GROUP *group = NULL;
    EC_POINT *pt = NULL;
    BN_CTX *bctx = NULL;
    size_t c = ck_key_coord_len(key->type);
    size_t ulen = 1 + 2 * c;
    int rc = CK_OK;

    group = EC_GROUP_new_by_curve_name(ck_ec_nid(key->type));
    bctx = BN_CTX_secure_new();
    pt = group != NULL ? EC_POINT_new(group) : NULL;
    if (group == NULL || bctx == NULL || pt == NULL) {
        rc = ck_ec_fail(err, CK_ERR_NOMEM, "cannot allocate group or point", key->type);
        goto out;
    }
    if (d != NULL) {
        /* Range already checked by the caller; this is the belt to those braces, against the
         * order OpenSSL itself uses. */
        const BIGNUM *order = EC_GROUP_get0_order(group);
        if (order == NULL || BN_is_zero(d) || BN_cmp(d, order) >= 0) {
            rc = ck_ec_fail(err, CK_ERR_KEY_INVALID, "scalar is not in the range [1, n-1]",
                            key->type);
            goto out;
        }
        if (EC_POINT_mul(group, pt, d, NULL, NULL, bctx) != 1) {
            rc = ck_ec_fail(err, CK_ERR_BACKEND, "public key derivation failed", key->type);
            goto out;
        }
    } else {
        /* OpenSSL also accepts the hybrid encodings 0x06/0x07; SEC 1 points in JOSE and
         * multikey are compressed (0x02/0x03) or uncompressed (0x04) only. */
        int prefix_ok =
            point_len == 1 + c ? (point[0] == 0x02 || point[0] == 0x03) : point[0] == 0x04;
        if (!prefix_ok) {
            rc = ck_err_set(err, CK_ERR_KEY_INVALID,
                            "%s: point prefix 0x%02x does not match its %zu-byte length",
                            ck_key_type_name(key->type), (unsigned)point[0], point_len);
            goto out;
        }
        /* oct2point rejects coordinates >= p and points not on the curve. */
        if (EC_POINT_oct2point(group, pt, point, point_len, bctx) != 1) {
            rc = ck_ec_fail(err, CK_ERR_KEY_INVALID, "point is not on the curve", key->type);
            goto out;
        }
    }
    /* Both curves have cofactor 1: on the curve and not infinity means a valid public key. */
    if (EC_POINT_is_at_infinity(group, pt) || EC_POINT_is_on_curve(group, pt, bctx) != 1) {
        rc = ck_ec_fail(err, CK_ERR_KEY_INVALID, "point is infinity or off the curve", key->type);
        goto out;
    }
    if (EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, key->pub, ulen, bctx) !=
        ulen) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "cannot encode point", key->type);
        goto out;
    }
    key->pub_len = ulen;
out:
    EC_POINT_free(pt);
    BN_CTX_free(bctx);
    EC_GROUP_free(group);
    return rc;
}

int ck_ec_set_public(ck_key *key, const uint8_t *pub, size_t len, ck_err *err)
{
    int rc = ck_ec_set_point(key, pub, len, NULL, err);
    if (rc != CK_OK)
        return rc;
    return ck_ec_build_pkey(key->type, key->pub, key->pub_len, NULL, &key->ec_pub, err);
}

int ck_ec_set_private(ck_key *key, ck_err *err)
{
    BIGNUM *d = NULL;
    int rc = ck_ec_scalar_bn(key, &d, err);
    if (rc != CK_OK)
        return rc;
    rc = ck_ec_set_point(key, NULL, 0, d, err);
    if (rc == CK_OK)
        rc = ck_ec_build_pkey(key->type, key->pub, key->pub_len, NULL, &key->ec_pub, err);
    BN_clear_free(d);
    return rc;
}

int ck_ec_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig, ck_err *err)
{
    BIGNUM *d = NULL;
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *mctx = NULL;
    ECDSA_SIG *esig = NULL;
    uint8_t der[CK_EC_DER_MAX];
    size_t der_len = sizeof der;
    int c = (int)ck_key_coord_len(key->type);
    const EVP_MD *md = ck_internal_md(ck_ec_hash(key->type));
    int rc = CK_OK;

    if (md == NULL)
        return ck_err_set(err, CK_ERR_INIT, "%s: digest unavailable", ck_key_type_name(key->type));
    rc = ck_ec_scalar_bn(key, &d, err);
    if (rc != CK_OK)
        goto out;
    rc = ck_ec_build_pkey(key->type, key->pub, key->pub_len, d, &pkey, err);
    if (rc != CK_OK)
        goto out;
    mctx = EVP_MD_CTX_new();
    if (mctx == NULL) {
        rc = ck_ec_fail(err, CK_ERR_NOMEM, "cannot allocate signing context", key->type);
        goto out;
    }
    if (EVP_DigestSignInit(mctx, NULL, md, NULL, pkey) != 1 ||
        EVP_DigestSign(mctx, der, &der_len, msg, msg_len) != 1) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "ECDSA signing failed", key->type);
        goto out;
    }
    const unsigned char *p = der;
    esig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (esig == NULL || p != der + der_len) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "OpenSSL produced an unparsable signature", key->type);
        goto out;
    }
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(esig, &r, &s);
    if (r == NULL || s == NULL || BN_bn2binpad(r, sig, c) != c ||
        BN_bn2binpad(s, sig + c, c) != c) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "signature component does not fit", key->type);
        goto out;
    }
out:
    ECDSA_SIG_free(esig);
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_free(pkey);
    BN_clear_free(d);
    return rc;
}

int ck_ec_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                 ck_err *err)
{
    ECDSA_SIG *esig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    EVP_MD_CTX *mctx = NULL;
    uint8_t der[CK_EC_DER_MAX];
    size_t c = ck_key_coord_len(key->type);
    const uint8_t *n = ck_key_order(key->type);
    const EVP_MD *md = ck_internal_md(ck_ec_hash(key->type));
    const char *name = ck_key_type_name(key->type);
    int rc = CK_OK;

    if (md == NULL)
        return ck_err_set(err, CK_ERR_INIT, "%s: digest unavailable", name);
    /* r and s must be in [1, n-1] (FIPS 186-4 6.4.2 step 1). Checked here on the fixed-size
     * form so the result never depends on how OpenSSL treats out-of-range DER integers. */
    if (ck_key_ct_is_zero(sig, c) || !ck_key_ct_lt_be(sig, n, c))
        return ck_err_set(err, CK_ERR_SIGNATURE, "%s: signature r is 0 or not below n", name);
    if (ck_key_ct_is_zero(sig + c, c) || !ck_key_ct_lt_be(sig + c, n, c))
        return ck_err_set(err, CK_ERR_SIGNATURE, "%s: signature s is 0 or not below n", name);

    esig = ECDSA_SIG_new();
    r = BN_bin2bn(sig, (int)c, NULL);
    s = BN_bin2bn(sig + c, (int)c, NULL);
    if (esig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(esig, r, s) != 1) {
        rc = ck_ec_fail(err, CK_ERR_NOMEM, "cannot allocate signature", key->type);
        goto out;
    }
    r = s = NULL; /* owned by esig now */
    int der_len = i2d_ECDSA_SIG(esig, NULL);
    if (der_len <= 0 || (size_t)der_len > sizeof der) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "cannot encode signature", key->type);
        goto out;
    }
    unsigned char *p = der;
    if (i2d_ECDSA_SIG(esig, &p) != der_len) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "cannot encode signature", key->type);
        goto out;
    }
    mctx = EVP_MD_CTX_new();
    if (mctx == NULL) {
        rc = ck_ec_fail(err, CK_ERR_NOMEM, "cannot allocate verification context", key->type);
        goto out;
    }
    if (EVP_DigestVerifyInit(mctx, NULL, md, NULL, key->ec_pub) != 1) {
        rc = ck_ec_fail(err, CK_ERR_BACKEND, "verification setup failed", key->type);
        goto out;
    }
    int v = EVP_DigestVerify(mctx, der, (size_t)der_len, msg, msg_len);
    if (v != 1) {
        /* 0 is a wrong signature. A negative value is an error inside the verification,
         * which adversarial (r, s) can provoke: e.g. u1*G + u2*Q at infinity (Wycheproof
         * "point at infinity during verify"). Either way the signature is refused. */
        rc = ck_ec_fail(err, CK_ERR_SIGNATURE,
                        v == 0 ? "signature does not verify"
                               : "signature does not verify (verification error)",
                        key->type);
        goto out;
    }
out:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(esig);
    EVP_MD_CTX_free(mctx);
    return rc;
}
