/*
 * tsa.h -- RFC 3161 time-stamps (with RFC 5816 ESSCertIDv2) through OpenSSL 3's TS_* API.
 *
 * Three parts, all pure functions over DER bytes (no I/O, no HTTP: the transport, a POST of
 * `application/timestamp-query` answered with `application/timestamp-reply`, lives above):
 *
 *  - Client: build a TimeStampReq (ck_tsa_req_*), check a TimeStampResp against it and the
 *    caller's trust anchors (ck_tsa_resp_verify), and later re-verify the stored token against
 *    the data alone (ck_tsa_token_verify*). A verified token is a ck_tsa_token: its DER (the
 *    TimeStampToken, a CMS SignedData, byte for byte as the TSA sent it) plus the TSTInfo
 *    fields as ck_tsa_info.
 *  - Built-in TSA (ck_tsa_*): answers TimeStampReq DER with TimeStampResp DER, signing with an
 *    OpenSSL-held ECDSA P-256/P-384 or RSA key. Serial numbers and (optionally) the clock come
 *    from caller callbacks. Non-qualified time: for the eIDAS Art. 41(2) presumption use a
 *    qualified TSA through the client.
 *  - Credentials (ck_tsa_cred_*): a private key with its certificate (and chain): PEM import and
 *    export, and a generator for a self-signed test CA and a TSA certificate it issues, so that
 *    tests and the built-in mode can bootstrap.
 *
 * Conventions are those of ck.h: every fallible function returns 0 or a CK_ERR_* code and fills
 * the optional ck_err; buffers are pointer + length; handles are freed with their *_free (NULL
 * is a no-op). Handles are immutable after construction (ck_tsa_trust: after the last *_add),
 * so one handle may be used from several threads at once. OpenSSL's error queue text goes into
 * messages and the calling thread's queue is left empty.
 *
 * Errors used here besides the general ones: CK_ERR_TSA_FORMAT (malformed request, response or
 * token, or trailing bytes), CK_ERR_TSA_STATUS (the TSA did not grant the request; the message
 * has the PKIStatus, failure bits and text), CK_ERR_TSA_VERIFY (signature, imprint, nonce,
 * version, signer certificate, chain, EKU or ESS binding wrong: the message says which),
 * CK_ERR_TSA_POLICY (policy not the one required), CK_ERR_TSA_CERT (certificate or PEM
 * unusable), CK_ERR_LIMIT (a size limit below), CK_ERR_UNSUPPORTED (hash or key algorithm).
 * spec/timestamps.md describes what is sent, accepted and emitted.
 */
#ifndef CK_TSA_H
#define CK_TSA_H

#include <stddef.h>
#include <stdint.h>

#include "ck/ck.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Limits (each checked before parsing; exceeding one is CK_ERR_LIMIT).
 */
#define CK_TSA_MAX_DER (64 * 1024) /* TimeStampReq, TimeStampResp or token DER */
#define CK_TSA_MAX_PEM (64 * 1024) /* a PEM key or certificate (chain) text */
#define CK_TSA_MAX_ANCHORS 64      /* certificates in one ck_tsa_trust */
#define CK_TSA_MAX_CHAIN 8         /* extra certificates a ck_tsa_cred carries */
#define CK_TSA_MAX_SERIAL_BITS 160 /* TSTInfo serialNumber (RFC 3161 section 2.4.2) */
#define CK_TSA_MAX_CN 64           /* common name of a generated certificate (RFC 5280 ub) */

/* Hash algorithms for the message imprint. Values 1 and 2 equal ck_hash_alg's. */
typedef enum ck_tsa_hash_alg {
    CK_TSA_SHA256 = 1,
    CK_TSA_SHA384 = 2,
    CK_TSA_SHA512 = 3,
} ck_tsa_hash_alg;

#define CK_TSA_HASH_MAX_LEN 64

/* Digest length of alg in bytes (32, 48, 64), 0 if unknown. */
size_t ck_tsa_hash_len(ck_tsa_hash_alg alg);
/* "sha256", "sha384", "sha512", or NULL if unknown. */
const char *ck_tsa_hash_name(ck_tsa_hash_alg alg);

/* ---------------------------------------------------------------------------------------------
 * Client: the request.
 */
typedef struct ck_tsa_req ck_tsa_req;

/* A TimeStampReq (version 1, certReq TRUE, a fresh random positive 64-bit nonce, no extensions)
 * for the digest of data under alg. policy (dotted OID, pointer + length) is the optional
 * reqPolicy: NULL/0 to let the TSA choose. CK_ERR_ARG for a bad OID or NULL arguments,
 * CK_ERR_UNSUPPORTED for an unknown alg. */
int ck_tsa_req_new(ck_tsa_hash_alg alg, const uint8_t *data, size_t len, const char *policy,
                   size_t policy_len, ck_tsa_req **out, ck_err *err);
/* The same for a digest computed by the caller (digest_len must be ck_tsa_hash_len(alg)). */
int ck_tsa_req_new_digest(ck_tsa_hash_alg alg, const uint8_t *digest, size_t digest_len,
                          const char *policy, size_t policy_len, ck_tsa_req **out, ck_err *err);
/* Re-reads a TimeStampReq DER (one we sent earlier, kept across a restart): version 1, a
 * supported hash with absent or NULL parameters and a digest of the right length, no trailing
 * bytes. The nonce, policy and certReq are whatever the DER holds. CK_ERR_TSA_FORMAT,
 * CK_ERR_UNSUPPORTED, CK_ERR_LIMIT. */
int ck_tsa_req_from_der(const uint8_t *der, size_t len, ck_tsa_req **out, ck_err *err);
/* The request's DER (the HTTP body), borrowed: valid until ck_tsa_req_free. */
const uint8_t *ck_tsa_req_der(const ck_tsa_req *req, size_t *len);
/* The nonce as a 64-bit value; CK_ERR_ARG if the request has none or it does not fit. */
int ck_tsa_req_nonce(const ck_tsa_req *req, uint64_t *nonce, ck_err *err);
void ck_tsa_req_free(ck_tsa_req *req);

/* ---------------------------------------------------------------------------------------------
 * Client: trust anchors. The TSA's signing certificate must chain (with the certificates the
 * token carries as untrusted intermediates) to a self-signed certificate added here, under
 * OpenSSL's time-stamping purpose: the signer has exactly the id-kp-timeStamping extended key
 * usage, marked critical, and a key usage (if present) of digitalSignature/nonRepudiation only.
 */
typedef struct ck_tsa_trust ck_tsa_trust;

int ck_tsa_trust_new(ck_tsa_trust **out, ck_err *err);
/* Adds every certificate of a PEM text (at least one). CK_ERR_TSA_CERT, CK_ERR_LIMIT. */
int ck_tsa_trust_add_pem(ck_tsa_trust *trust, const char *pem, size_t len, ck_err *err);
/* Adds one DER certificate (no trailing bytes). CK_ERR_TSA_CERT, CK_ERR_LIMIT. */
int ck_tsa_trust_add_der(ck_tsa_trust *trust, const uint8_t *der, size_t len, ck_err *err);
/* Number of certificates held. */
size_t ck_tsa_trust_count(const ck_tsa_trust *trust);
void ck_tsa_trust_free(ck_tsa_trust *trust);

/* ---------------------------------------------------------------------------------------------
 * Client: verification.
 */
/* When the certificate chain is evaluated (validity periods): */
#define CK_TSA_AT_NOW 0 /* the current time (default) */
#define CK_TSA_AT_GEN_TIME                                                                   \
    1                    /* the token's own genTime: for stored tokens whose TSA certificate \
                          * has expired since. Trusts that the TSA key was not compromised   \
                          * before genTime (revocation is not checked). */
#define CK_TSA_AT_TIME 2 /* at_time below */

typedef struct ck_tsa_verify_opts {
    int chain_time;     /* CK_TSA_AT_NOW, CK_TSA_AT_GEN_TIME or CK_TSA_AT_TIME */
    int64_t at_time;    /* with CK_TSA_AT_TIME: seconds since the epoch */
    const char *policy; /* if non-NULL: the TSTInfo policy must be this dotted OID */
    size_t policy_len;
} ck_tsa_verify_opts;

#define CK_TSA_OID_MAX 128       /* a dotted OID and its NUL */
#define CK_TSA_NAME_MAX 256      /* a TSA name or certificate subject and its NUL */
#define CK_TSA_SERIAL_HEX_MAX 41 /* 160 bits in hex and a NUL */
#define CK_TSA_SERIAL_DEC_MAX 50 /* 160 bits in decimal and a NUL */
#define CK_TSA_TIME_TEXT_MAX 40  /* the GeneralizedTime text and a NUL */

/* The TSTInfo of a verified token, plus facts about its signature. Strings are NUL-terminated. */
typedef struct ck_tsa_info {
    int64_t gen_time;                         /* genTime: seconds since 1970-01-01T00:00:00Z */
    uint32_t gen_time_nanos;                  /* its fraction in nanoseconds (0 if none; digits
                                               * beyond the ninth are dropped) */
    char gen_time_text[CK_TSA_TIME_TEXT_MAX]; /* as encoded, e.g. "20260301120000.25Z" */
    char serial_dec[CK_TSA_SERIAL_DEC_MAX];   /* serialNumber, decimal */
    char serial_hex[CK_TSA_SERIAL_HEX_MAX];   /* serialNumber, upper-case hex, no leading zeros
                                               * ("0" for zero) */
    char policy[CK_TSA_OID_MAX];              /* policy OID, dotted */
    ck_tsa_hash_alg hash_alg;                 /* messageImprint algorithm */
    uint8_t imprint[CK_TSA_HASH_MAX_LEN];     /* messageImprint digest */
    size_t imprint_len;
    int has_accuracy; /* accuracy present: */
    uint32_t accuracy_secs, accuracy_millis, accuracy_micros;
    int ordering;                         /* the ordering flag */
    int has_nonce;                        /* a nonce is present (checked when a request is) */
    char tsa_name[CK_TSA_NAME_MAX];       /* the tsa field ("" if absent): a directoryName in
                                           * RFC 2253 form, other GeneralNames as "DNS:..." */
    char signer_subject[CK_TSA_NAME_MAX]; /* the signing certificate's subject, RFC 2253 */
    int ess_cert_id_v2;                   /* 1: signingCertificateV2 (RFC 5816); 0: v1 */
} ck_tsa_info;

typedef struct ck_tsa_token ck_tsa_token;

/* Checks a TimeStampResp against the request it answers:
 *   - the DER is well formed, definite-length, with no trailing bytes (CK_ERR_TSA_FORMAT);
 *   - status granted or grantedWithMods, and a token present (CK_ERR_TSA_STATUS otherwise);
 *   - the token: TSTInfo version 1, the request's hash algorithm and digest, its nonce (when it
 *     has one) and policy (when it asked for one), a signature by a certificate that the token
 *     binds with ESSCertID or ESSCertIDv2, that chains to trust, and that holds the critical
 *     timeStamping EKU; a tsa name, if present, names the signer (CK_ERR_TSA_VERIFY, or
 *     CK_ERR_TSA_POLICY for the policy);
 *   - opts (NULL for the defaults) as described above.
 * On success *out holds the token's DER and fields. */
int ck_tsa_resp_verify(const ck_tsa_req *req, const uint8_t *resp, size_t resp_len,
                       const ck_tsa_trust *trust, const ck_tsa_verify_opts *opts,
                       ck_tsa_token **out, ck_err *err);

/* Verifies a stored TimeStampToken (ContentInfo with SignedData) over data, with no request:
 * everything ck_tsa_resp_verify checks of the token except the nonce. The digest is computed
 * with the token's own imprint algorithm, which must be SHA-256/384/512. */
int ck_tsa_token_verify(const uint8_t *token, size_t token_len, const uint8_t *data,
                        size_t data_len, const ck_tsa_trust *trust, const ck_tsa_verify_opts *opts,
                        ck_tsa_token **out, ck_err *err);
/* The same against a digest: the token's imprint algorithm must be alg. */
int ck_tsa_token_verify_digest(const uint8_t *token, size_t token_len, ck_tsa_hash_alg alg,
                               const uint8_t *digest, size_t digest_len, const ck_tsa_trust *trust,
                               const ck_tsa_verify_opts *opts, ck_tsa_token **out, ck_err *err);

/* The fields of a verified token, borrowed: valid until ck_tsa_token_free. */
const ck_tsa_info *ck_tsa_token_info(const ck_tsa_token *tok);
/* The token's DER for storing in evidence, borrowed: valid until ck_tsa_token_free. */
const uint8_t *ck_tsa_token_der(const ck_tsa_token *tok, size_t *len);
void ck_tsa_token_free(ck_tsa_token *tok);

/* PKIStatus of a TimeStampResp without verifying anything else (for logs and the built-in
 * TSA's caller): *status 0 granted, 1 grantedWithMods, 2 rejection, 3 waiting,
 * 4 revocationWarning, 5 revocationNotification; *failure_info the PKIFailureInfo bits
 * (bit n = 1 << n: badAlg 0, badRequest 2, badDataFormat 5, timeNotAvailable 14,
 * unacceptedPolicy 15, unacceptedExtension 16, addInfoNotAvailable 17, systemFailure 25).
 * CK_ERR_TSA_FORMAT, CK_ERR_LIMIT. */
int ck_tsa_resp_status(const uint8_t *resp, size_t resp_len, int *status, uint32_t *failure_info,
                       ck_err *err);

/* ---------------------------------------------------------------------------------------------
 * Credentials: a private key (held by OpenSSL, freed with EVP_PKEY_free and never exported
 * except by ck_tsa_cred_key_pem) and its certificate, plus up to CK_TSA_MAX_CHAIN certificates
 * that follow it in a chain.
 */
typedef struct ck_tsa_cred ck_tsa_cred;

/* Flags for ck_tsa_cred_issue_tsa (the last two only to make certificates that must be
 * refused, in tests). */
#define CK_TSA_CERT_EKU_NONE 0x1         /* no extended key usage at all */
#define CK_TSA_CERT_EKU_NOT_CRITICAL 0x2 /* timeStamping EKU, but not marked critical */

/* A new P-256 key and a self-signed CA certificate (v3, random 127-bit serial, subject and
 * issuer CN=cn, basicConstraints critical CA:TRUE, keyUsage critical keyCertSign|cRLSign,
 * subject key identifier, ECDSA with SHA-256), valid from not_before to not_after (seconds
 * since the epoch). CK_ERR_ARG for an empty or over-long cn or not_after <= not_before. */
int ck_tsa_cred_generate_ca(const char *cn, size_t cn_len, int64_t not_before, int64_t not_after,
                            ck_tsa_cred **out, ck_err *err);
/* A new P-256 key and a TSA certificate issued by ca: subject CN=cn, basicConstraints critical
 * CA:FALSE, keyUsage critical digitalSignature|nonRepudiation, extendedKeyUsage critical
 * timeStamping (see the flags), subject and authority key identifiers. The result's chain is
 * empty: ca's certificate is the trust anchor. */
int ck_tsa_cred_issue_tsa(const ck_tsa_cred *ca, const char *cn, size_t cn_len, int64_t not_before,
                          int64_t not_after, unsigned flags, ck_tsa_cred **out, ck_err *err);
/* Reads an unencrypted private key PEM (PKCS#8 "PRIVATE KEY", or "EC PRIVATE KEY") and a
 * certificate PEM text: the first certificate must match the key, the others (at most
 * CK_TSA_MAX_CHAIN) are its chain. CK_ERR_KEY_INVALID for an unreadable or mismatched key,
 * CK_ERR_TSA_CERT for unreadable certificates, CK_ERR_LIMIT. */
int ck_tsa_cred_import_pem(const char *key_pem, size_t key_len, const char *cert_pem,
                           size_t cert_len, ck_tsa_cred **out, ck_err *err);
/* The private key as unencrypted PKCS#8 PEM, with a NUL. Secret: write it into ck_secret_alloc'd
 * memory (or a file readable by the owner only) and wipe it after use. */
int ck_tsa_cred_key_pem(const ck_tsa_cred *cred, char *out, size_t cap, size_t *out_len,
                        ck_err *err);
/* The certificate (and its chain after it) as PEM, with a NUL. */
int ck_tsa_cred_cert_pem(const ck_tsa_cred *cred, char *out, size_t cap, size_t *out_len,
                         ck_err *err);
/* The certificate alone as DER. */
int ck_tsa_cred_cert_der(const ck_tsa_cred *cred, uint8_t *out, size_t cap, size_t *out_len,
                         ck_err *err);
void ck_tsa_cred_free(ck_tsa_cred *cred);

/* Outputs of the PEM/DER writers: when cap is too small they return CK_ERR_BUFFER_SMALL and set
 * *out_len to the size needed (including the NUL for PEM). */

/* ---------------------------------------------------------------------------------------------
 * Built-in TSA.
 */
typedef struct ck_tsa ck_tsa;

/* Gives the next serial number; returns 0, or non-zero when none can be given (the request is
 * then answered with status rejection, failure systemFailure). Must never repeat a value for
 * one TSA certificate (keep the counter durable, e.g. in LMDB, and advance it before use). */
typedef int (*ck_tsa_serial_fn)(void *user, uint64_t *serial);
/* Gives the current time; returns 0, or non-zero when the time is not available (rejection,
 * failure timeNotAvailable). *sec >= 0, *usec < 1000000. */
typedef int (*ck_tsa_clock_fn)(void *user, int64_t *sec, uint32_t *usec);

typedef struct ck_tsa_config {
    const char *policy; /* required: the TSA's policy OID, dotted; also the only one a
                         * request may ask for */
    size_t policy_len;
    uint32_t accuracy_secs;    /* accuracy; all three 0: no accuracy field */
    uint32_t accuracy_millis;  /* 0..999 */
    uint32_t accuracy_micros;  /* 0..999 */
    unsigned precision_digits; /* digits of fractional seconds in genTime, 0..6 */
    int include_tsa_name;      /* non-zero: put the signer's subject in TSTInfo's tsa field */
    ck_tsa_serial_fn serial;   /* required */
    void *serial_user;
    ck_tsa_clock_fn clock; /* NULL: the system clock */
    void *clock_user;
} ck_tsa_config;

/* A TSA signing with cred, which must hold a certificate fit for time-stamping (critical
 * timeStamping EKU: CK_ERR_TSA_CERT otherwise) and an ECDSA P-256 (signs with SHA-256), P-384
 * (SHA-384) or RSA >= 2048-bit (SHA-256) key (CK_ERR_UNSUPPORTED otherwise: OpenSSL's TS code
 * signs through PKCS#7, which does not do Ed25519). Tokens bind the certificate with
 * ESSCertIDv2 over SHA-256 and carry it (and the chain) when the request sets certReq.
 * The TSA keeps its own references to cred's key and certificates; cfg is copied. */
int ck_tsa_new(const ck_tsa_cred *cred, const ck_tsa_config *cfg, ck_tsa **out, ck_err *err);
/* Answers a TimeStampReq DER with a TimeStampResp DER into out. Requests that are malformed
 * (or have trailing bytes), use a hash other than SHA-256/384/512, ask for another policy or
 * carry extensions get a rejection response (still CK_OK: check it with ck_tsa_resp_status).
 * CK_ERR_LIMIT for a request over CK_TSA_MAX_DER, CK_ERR_BUFFER_SMALL (with *out_len), or
 * CK_ERR_BACKEND if OpenSSL cannot build a response at all. The callbacks run on the calling
 * thread; the TSA itself is read-only here. */
int ck_tsa_respond(const ck_tsa *tsa, const uint8_t *req, size_t req_len, uint8_t *out, size_t cap,
                   size_t *out_len, ck_err *err);
void ck_tsa_free(ck_tsa *tsa);

#ifdef __cplusplus
}
#endif
#endif /* CK_TSA_H */
