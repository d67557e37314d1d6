/*
 * ck_tsa_util.c -- small helpers shared by the RFC 3161 sources: OpenSSL error text, the hash
 * algorithms we accept for message imprints, OIDs.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "ck/tsa.h"
#include "ck_tsa_internal.h"

int ck_tsa_ossl_fail(ck_err *err, int code, const char *what)
{
    /* The first error queued is the root cause (a certificate check, an ASN.1 tag); the ones
     * OpenSSL adds on the way out only say which function gave up. */
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_peek_error_all(NULL, NULL, NULL, &data, &flags);
    if (e == 0) {
        ERR_clear_error();
        return ck_err_set(err, code, "%s", what);
    }
    char buf[160];
    ERR_error_string_n(e, buf, sizeof buf);
    int have_data = data != NULL && (flags & ERR_TXT_STRING) != 0 && data[0] != '\0';
    /* err is filled before the queue is cleared: data points into the queue. */
    code = ck_err_set(err, code, "%s: %s%s%s%s", what, buf, have_data ? " (" : "",
                      have_data ? data : "", have_data ? ")" : "");
    ERR_clear_error();
    return code;
}

size_t ck_tsa_hash_len(ck_tsa_hash_alg alg)
{
    switch (alg) {
    case CK_TSA_SHA256:
        return 32;
    case CK_TSA_SHA384:
        return 48;
    case CK_TSA_SHA512:
        return 64;
    }
    return 0;
}

const char *ck_tsa_hash_name(ck_tsa_hash_alg alg)
{
    switch (alg) {
    case CK_TSA_SHA256:
        return "sha256";
    case CK_TSA_SHA384:
        return "sha384";
    case CK_TSA_SHA512:
        return "sha512";
    }
    return NULL;
}

int ck_tsa_hash_nid(ck_tsa_hash_alg alg)
{
    switch (alg) {
    case CK_TSA_SHA256:
        return NID_sha256;
    case CK_TSA_SHA384:
        return NID_sha384;
    case CK_TSA_SHA512:
        return NID_sha512;
    }
    return NID_undef;
}

ck_tsa_hash_alg ck_tsa_hash_from_nid(int nid)
{
    switch (nid) {
    case NID_sha256:
        return CK_TSA_SHA256;
    case NID_sha384:
        return CK_TSA_SHA384;
    case NID_sha512:
        return CK_TSA_SHA512;
    default:
        return (ck_tsa_hash_alg)0;
    }
}

EVP_MD *ck_tsa_md_fetch(ck_tsa_hash_alg alg)
{
    const char *name = NULL;
    switch (alg) {
    case CK_TSA_SHA256:
        name = "SHA2-256";
        break;
    case CK_TSA_SHA384:
        name = "SHA2-384";
        break;
    case CK_TSA_SHA512:
        name = "SHA2-512";
        break;
    }
    if (name == NULL)
        return NULL;
    return EVP_MD_fetch(NULL, name, NULL);
}

int ck_tsa_digest(ck_tsa_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out, ck_err *err)
{
    if (ck_tsa_hash_len(alg) == 0)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "tsa: unknown hash algorithm %d", (int)alg);
    if (data == NULL && len != 0)
        return ck_err_set(err, CK_ERR_ARG, "tsa: NULL data");
    EVP_MD *md = ck_tsa_md_fetch(alg);
    if (md == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot fetch digest");
    static const uint8_t empty[1] = {0};
    unsigned int n = 0;
    int ok = EVP_Digest(len != 0 ? data : empty, len, out, &n, md, NULL);
    EVP_MD_free(md);
    if (ok != 1 || n != ck_tsa_hash_len(alg))
        return ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: digest failed");
    return CK_OK;
}

ASN1_OBJECT *ck_tsa_oid_parse(const char *oid, size_t len)
{
    if (oid == NULL || len == 0 || len >= CK_TSA_OID_MAX)
        return NULL;
    /* Only the numeric form: arc '.' arc ('.' arc)*, no leading zeros in an arc. OBJ_txt2obj
     * would also take names ("sha256") and is lenient about the rest. */
    char buf[CK_TSA_OID_MAX];
    size_t arcs = 0, digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = oid[i];
        if (c >= '0' && c <= '9') {
            if (digits == 1 && oid[i - 1] == '0')
                return NULL;
            digits++;
        } else if (c == '.' && digits > 0) {
            arcs++;
            digits = 0;
        } else {
            return NULL;
        }
        buf[i] = c;
    }
    if (digits == 0 || arcs < 1)
        return NULL;
    buf[len] = '\0';
    return OBJ_txt2obj(buf, 1);
}

ck_tsa_hash_alg ck_tsa_imprint_alg(const X509_ALGOR *alg)
{
    const ASN1_OBJECT *obj = NULL;
    int ptype = 0;
    const void *pval = NULL;
    if (alg == NULL)
        return (ck_tsa_hash_alg)0;
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    /* RFC 5754 section 2: parameters absent is preferred, NULL must be accepted. */
    if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
        return (ck_tsa_hash_alg)0;
    return ck_tsa_hash_from_nid(OBJ_obj2nid(obj));
}
