/*
 * ck_tsa_internal.h -- helpers shared by the RFC 3161 sources (ck_tsa_*.c), not installed.
 */
#ifndef CK_TSA_INTERNAL_H
#define CK_TSA_INTERNAL_H

#include <openssl/ts.h>
#include <openssl/x509.h>

#include "ck/ck.h"
#include "ck/tsa.h"

struct ck_tsa_req {
    TS_REQ *req;
    uint8_t *der;
    size_t der_len;
};

struct ck_tsa_trust {
    STACK_OF(X509) * certs;
};

struct ck_tsa_cred {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) * chain; /* never NULL; may be empty */
};

/* A new X509_STORE holding trust's anchors that evaluates validity periods at t when use_time
 * is non-zero (otherwise now); NULL on allocation failure. The caller frees it. */
X509_STORE *ck_tsa_trust_store(const ck_tsa_trust *trust, int use_time, int64_t t);

/* Fails with code and a message "<what>: <first OpenSSL error and its data>", then empties the
 * thread's OpenSSL error queue. Returns code. */
int ck_tsa_ossl_fail(ck_err *err, int code, const char *what);

/* NID of alg's OpenSSL digest (NID_sha256...), or NID_undef. */
int ck_tsa_hash_nid(ck_tsa_hash_alg alg);
/* The alg of an OpenSSL digest NID, or 0 if not one we accept. */
ck_tsa_hash_alg ck_tsa_hash_from_nid(int nid);
/* A fetched EVP_MD for alg (the caller frees it with EVP_MD_free), or NULL. */
EVP_MD *ck_tsa_md_fetch(ck_tsa_hash_alg alg);
/* Digest of data under alg into out (ck_tsa_hash_len(alg) bytes). */
int ck_tsa_digest(ck_tsa_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out, ck_err *err);
/* A dotted OID (pointer + length, no NUL needed) as a new ASN1_OBJECT; NULL if it is not a
 * numeric OID of at most CK_TSA_OID_MAX - 1 characters. */
ASN1_OBJECT *ck_tsa_oid_parse(const char *oid, size_t len);

/* The algorithm of an X509_ALGOR used as a message-imprint hash: one we accept, with absent or
 * NULL parameters, or 0. */
ck_tsa_hash_alg ck_tsa_imprint_alg(const X509_ALGOR *alg);

#endif /* CK_TSA_INTERNAL_H */
