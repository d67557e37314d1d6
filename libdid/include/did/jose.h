/*
 * did/jose.h -- JWS compact serialisation (RFC 7515) and JWT claim checks (RFC 7519).
 *
 * Algorithms: EdDSA / Ed25519 (RFC 8037, RFC 9864), ES256, ES384 (RFC 7518) and ES256K
 * (RFC 8812). "none", HMAC and every other algorithm are refused. We emit "EdDSA" for Ed25519
 * keys (the spelling every deployed peer accepts) and accept "Ed25519" on input.
 * An algorithm must match its key: EdDSA/Ed25519 <-> Ed25519, ES256 <-> P-256,
 * ES384 <-> P-384, ES256K <-> secp256k1.
 */
#ifndef DID_JOSE_H
#define DID_JOSE_H

#include <jansson.h>

#include <did/did.h>
#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_JWS_MAX_LEN ((size_t)1 << 20) /* longest compact JWS we parse (default) */
#define DID_JWS_MAX_HEADER 8192           /* longest decoded protected header */

/* Algorithm allow-list bits. */
#define DID_JWS_ALG_EDDSA 0x1u
#define DID_JWS_ALG_ES256 0x2u
#define DID_JWS_ALG_ES384 0x4u
#define DID_JWS_ALG_ES256K 0x8u
#define DID_JWS_ALG_ALL 0xfu

typedef struct did_jws_sign_opts {
    const char *typ;           /* "typ" header, or NULL */
    const char *cty;           /* "cty" header, or NULL */
    const char *kid;           /* "kid" header (usually a DID URL), or NULL */
    const json_t *extra;       /* further protected header members (object, borrowed) or NULL;
                                  may not set alg */
} did_jws_sign_opts;

/* Signs payload[0..len) and appends the compact JWS "h.p.s" to out (NUL-terminated).
 * The protected header is written in JCS form. Errors: DID_ERR_ARG (no private key, extra
 * sets "alg"), crypto errors, DID_ERR_NOMEM. */
int did_jws_sign(const ck_key *key, const did_jws_sign_opts *opts, const uint8_t *payload,
                 size_t len, did_buf *out, did_err *err);

typedef struct did_jws_verify_opts {
    unsigned algs;           /* allow-list bits; 0 means DID_JWS_ALG_ALL */
    const char *typ;         /* required "typ" (compared case-insensitively, with an optional
                                "application/" prefix on either side, RFC 7515 4.1.9);
                                NULL: any or none */
    const ck_key *key;       /* verify with this key; NULL: resolve the "kid" DID URL */
    did_relationship rel;    /* relationship the kid's method must have (when resolving) */
    const char *const *crit; /* NULL-terminated list of header names the caller processes;
                                a "crit" naming anything else is refused */
    size_t max_len;          /* 0 means DID_JWS_MAX_LEN */
} did_jws_verify_opts;

/* A verified JWS: everything here is owned and released by did_jws_clear. */
typedef struct did_jws {
    json_t *header;       /* the protected header */
    uint8_t *payload;     /* decoded payload, NUL-terminated (not counted) */
    size_t payload_len;
    ck_key *key;          /* the public key that verified it */
    char *kid;            /* the kid header (NUL-terminated) or NULL */
    const char *alg;      /* static string: "EdDSA", "Ed25519", "ES256", "ES384", "ES256K" */
} did_jws;

void did_jws_init(did_jws *jws);
void did_jws_clear(did_jws *jws);

/* Parses and verifies a compact JWS. The signature is checked before the payload is decoded
 * or handed out. ctx may be NULL when opts->key is given. *out is output only (initialised
 * here); on error it is left cleared. Besides the DID_ERR_JWS_* codes: DID_ERR_LIMIT,
 * DID_ERR_NOMEM, and JSON errors of the header. Details in spec/jose.md. */
int did_jws_verify(const did_ctx *ctx, const char *jws, size_t len,
                   const did_jws_verify_opts *opts, did_jws *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * JWT claims.
 */
typedef struct did_jwt_check_opts {
    int64_t now;         /* seconds since the epoch; 0 means the current time */
    int64_t skew;        /* allowed clock skew in seconds (>= 0) */
    int require_exp;     /* exp must be present */
    int require_iat;     /* iat must be present */
    const char *iss;     /* required issuer, or NULL */
    const char *aud;     /* required audience (aud string, or one element of an aud array) */
} did_jwt_check_opts;

/* Checks exp, nbf, iat (NumericDate: a JSON number; fractions allowed), iss and aud.
 * exp <= now - skew -> DID_ERR_JWT_EXPIRED; nbf > now + skew -> DID_ERR_JWT_NOT_YET;
 * iat > now + skew -> DID_ERR_JWT_IAT; wrong types -> DID_ERR_JWT_CLAIM. */
int did_jwt_check_claims(const json_t *claims, const did_jwt_check_opts *opts, did_err *err);

/* did_jws_verify, then parses the payload as a JSON object with the context's limits and runs
 * did_jwt_check_claims. *claims is a new reference. */
int did_jwt_verify(const did_ctx *ctx, const char *jwt, size_t len,
                   const did_jws_verify_opts *jws_opts, const did_jwt_check_opts *claim_opts,
                   did_jws *out, json_t **claims, did_err *err);

/* Signs a JSON object as a JWT (payload in JCS form). */
int did_jwt_sign(const ck_key *key, const did_jws_sign_opts *opts, const json_t *claims,
                 did_buf *out, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_JOSE_H */
