/*
 * did/sdjwt.h -- Selective Disclosure for JWTs (SD-JWT, RFC 9901), SD-JWT-based Verifiable
 * Credentials (SD-JWT VC, draft-ietf-oauth-sd-jwt-vc) and key binding (KB-JWT).
 *
 * Compact serialisation only:
 *     <issuer-signed JWT>~<disclosure>~...~<disclosure>~[<KB-JWT>]
 * A disclosure is base64url(UTF-8 JSON [salt, name, value]) for an object property or
 * base64url([salt, value]) for an array element; its digest is base64url(H(ASCII(disclosure)))
 * with H named by the payload's "_sd_alg" ("sha-256", the default, or "sha-384").
 *
 * We emit "typ": "dc+sd-jwt" and accept "vc+sd-jwt" (the draft's earlier value) on input;
 * KB-JWTs carry "typ": "kb+jwt". spec/sd-jwt.md is the normative description of what we emit
 * and accept, with every limit below and the error each check fails with (codes 800-899,
 * spec/errors.md).
 *
 * Paths name claims as RFC 6901 JSON Pointers: "/given_name", "/address/street_address",
 * "/nationalities/1" ("~1" stands for '/' and "~0" for '~' inside a name). Array indexes are
 * positions in the claims as issued (for a holder: in the credential with every disclosure
 * applied).
 */
#ifndef DID_SDJWT_H
#define DID_SDJWT_H

#include <jansson.h>

#include <did/did.h>
#include <did/error.h>
#include <did/result.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, enforced when issuing, presenting and verifying (DID_ERR_LIMIT names the one hit). */
#define DID_SDJWT_MAX_LEN ((size_t)1 << 20) /* whole SD-JWT(+KB) in bytes (default max_len) */
#define DID_SDJWT_MAX_DISCLOSURES 256       /* disclosures in one SD-JWT */
#define DID_SDJWT_MAX_DEPTH 32              /* nesting of the reassembled claims */
#define DID_SDJWT_MAX_DIGESTS 4096          /* digests, real and decoy, in one SD-JWT */
#define DID_SDJWT_MAX_DECOYS 64             /* decoy digests added to one "_sd" array */
#define DID_SDJWT_MAX_PATH 4096             /* bytes in one path */
#define DID_SDJWT_SALT_MAX 128              /* bytes in one salt, including the NUL */

#define DID_SDJWT_TYP "dc+sd-jwt"        /* SD-JWT VC typ we emit */
#define DID_SDJWT_TYP_LEGACY "vc+sd-jwt" /* earlier SD-JWT VC typ, accepted on input */
#define DID_SDJWT_KB_TYP "kb+jwt"
#define DID_SDJWT_KB_MAX_AGE 300 /* default accepted age of a KB-JWT's iat, seconds */

/* ---------------------------------------------------------------------------------------------
 * Building blocks.
 */
/* Appends the disclosure base64url(JCS([salt, name, value])) to out, or base64url(JCS([salt,
 * value])) when name is NULL (an array element). JCS keeps it reproducible: no whitespace,
 * non-ASCII characters as UTF-8. Errors: DID_ERR_ARG (NULL salt or value, a string that is not
 * UTF-8), DID_ERR_JSON_NUMBER, DID_ERR_NOMEM. */
int did_sdjwt_disclosure(const char *salt, const char *name, const json_t *value, did_buf *out,
                         did_err *err);

/* Appends base64url(H(disclosure[0..len))) to out, H named by sd_alg ("sha-256", "sha-384";
 * NULL means "sha-256"). DID_ERR_SDJWT_ALG for any other name. */
int did_sdjwt_digest(const char *sd_alg, const char *disclosure, size_t len, did_buf *out,
                     did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Issuance.
 */
/* A salt source: writes one salt (a non-empty UTF-8 string of at most cap - 1 bytes) and a NUL
 * into salt, its length into *len, and returns 0 or a DID_ERR_* code. Called once per
 * disclosure and once per decoy digest, in the order they are made. */
typedef int (*did_sdjwt_salt_fn)(void *user, char *salt, size_t cap, size_t *len, did_err *err);

typedef struct did_sdjwt_issue_opts {
    const char *kid;           /* "kid" header of the issuer-signed JWT, or NULL */
    const char *typ;           /* NULL means DID_SDJWT_TYP; with "dc+sd-jwt" or "vc+sd-jwt"
                                  the SD-JWT VC rules apply */
    const char *const *paths;  /* NULL-terminated list of selectively disclosable claims */
    const char *sd_alg;        /* NULL means "sha-256"; or "sha-384" */
    size_t decoys_min;         /* decoy digests added to every "_sd" array: a number drawn */
    size_t decoys_max;         /* uniformly from [min, max] (both 0: none) */
    const ck_key *holder_key;  /* public half goes into "cnf": {"jwk": ...}, or NULL */
    did_sdjwt_salt_fn salt_fn; /* NULL: 128 random bits, base64url (22 characters) */
    void *salt_user;
} did_sdjwt_issue_opts;

/* Signs claims (a JSON object, not modified) as an SD-JWT with issuer_key and appends
 * "<issuer-signed JWT>~<disclosure>~...~" to out. Every listed path is made selectively
 * disclosable; a path inside another listed path becomes a disclosure nested in its parent's
 * disclosure. "_sd" arrays are sorted; "_sd_alg" is always written.
 * Errors: DID_ERR_ARG (NULL argument, claims not an object, decoys_min > decoys_max, a
 * holder key with "cnf" already in claims, a key that cannot sign), DID_ERR_SDJWT_PATH (a path
 * malformed, listed twice, naming nothing, or naming a reserved claim: "_sd", "...", top-level
 * "_sd_alg", and in SD-JWT VC mode the top-level iss, nbf, exp, cnf, vct, vct#integrity,
 * status), DID_ERR_SDJWT_RESERVED (claims already contain "_sd", "..." or a top-level
 * "_sd_alg"), DID_ERR_SDJWT_VCT (SD-JWT VC typ without a string "vct"), DID_ERR_SDJWT_ALG,
 * DID_ERR_LIMIT, JSON and crypto errors. On error out is left as it was. */
int did_sdjwt_issue(const ck_key *issuer_key, const did_sdjwt_issue_opts *opts,
                    const json_t *claims, did_buf *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Presentation (holder).
 */
/* From an issued SD-JWT (ending in '~', as did_sdjwt_issue makes it), appends a presentation to
 * out: the issuer-signed JWT, the disclosures the listed paths need (a path's own disclosure,
 * the disclosures of the claims it sits in, and those of the claims inside it), and, when
 * holder_key is given, a KB-JWT signed with it: header typ "kb+jwt", claims iat (0 means now),
 * aud, nonce and sd_hash = base64url(H(everything up to and including the last '~'))
 * with the credential's "_sd_alg". disclose_paths is NULL-terminated (NULL: disclose nothing
 * selectively); a path to an always-visible claim needs no disclosure.
 * The issuer's signature is not checked here (the holder checked it on receipt).
 * Errors: DID_ERR_ARG (holder_key without nonce or aud), DID_ERR_SDJWT_FORMAT (input malformed
 * or already carrying a KB-JWT), DID_ERR_SDJWT_PATH (a path naming nothing in the credential),
 * DID_ERR_SDJWT_CNF (holder_key is not the key in "cnf", or there is no "cnf"), the
 * reassembly errors of did_sdjwt_verify, DID_ERR_LIMIT. On error out is left as it was. */
int did_sdjwt_present(const char *sdjwt, size_t len, const char *const *disclose_paths,
                      const ck_key *holder_key, const char *nonce, const char *aud, int64_t iat,
                      did_buf *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Verification (verifier).
 */
typedef enum did_sdjwt_mode {
    DID_SDJWT_MODE_AUTO = 0, /* SD-JWT VC rules when typ is dc+sd-jwt / vc+sd-jwt */
    DID_SDJWT_MODE_VC,       /* an SD-JWT VC is required */
    DID_SDJWT_MODE_PLAIN,    /* a plain SD-JWT: no SD-JWT VC rules, whatever the typ */
} did_sdjwt_mode;

typedef struct did_sdjwt_verify_opts {
    did_sdjwt_mode mode;
    const char *typ;          /* outside SD-JWT VC mode: required typ of the issuer JWT, or
                                 NULL for any */
    const ck_key *issuer_key; /* verify with this key; NULL: resolve the kid DID URL through
                                 ctx (assertionMethod) */
    unsigned algs;            /* JWS allow-list (DID_JWS_ALG_*) for both JWTs; 0: all */
    const char *iss;          /* required "iss", or NULL */
    int64_t now;              /* seconds since the epoch; 0 means the current time */
    int64_t skew;             /* allowed clock skew in seconds (>= 0) */
    int require_exp;          /* the credential must carry "exp" */
    int require_kb;           /* key binding required (implied by a nonce) */
    const char *nonce;        /* expected KB-JWT nonce */
    const char *aud;          /* expected KB-JWT audience (also checked against a credential
                                 "aud", if it has one) */
    int64_t kb_max_age;       /* KB-JWT iat no older than this (0: DID_SDJWT_KB_MAX_AGE) */
    size_t max_len;           /* 0 means DID_SDJWT_MAX_LEN */
} did_sdjwt_verify_opts;

/* Verifies an SD-JWT or SD-JWT+KB in[0..len):
 *   1. the '~' structure (DID_ERR_SDJWT_FORMAT, DID_ERR_LIMIT)              -> "format"
 *   2. the issuer-signed JWT's signature (did_jws_verify, DID_ERR_JWS_*)    -> "signature"
 *      and typ (SD-JWT VC: DID_ERR_SDJWT_VCT; otherwise DID_ERR_JWS_TYP)
 *   3. the issuer: opts->iss, and a kid resolved through a DID must be the DID in "iss"
 *      (DID_ERR_JWT_ISS)                                                    -> "issuer"
 *   4. reassembly per RFC 9901 section 7.1 (DID_ERR_SDJWT_DISCLOSURE, _DIGEST_DUP,
 *      _UNREFERENCED, _RESERVED, _ALG, DID_ERR_LIMIT)                       -> "disclosures"
 *   5. exp / nbf / iat of the processed claims (DID_ERR_JWT_*)   -> "validFrom", "validUntil"
 *   6. SD-JWT VC: "vct" a string, and iss, nbf, exp, cnf, vct, vct#integrity, status not
 *      selectively disclosed (DID_ERR_SDJWT_VCT)                            -> "type"
 *   7. key binding, when required or present: cnf.jwk (DID_ERR_SDJWT_CNF), the KB-JWT's
 *      signature and typ (DID_ERR_SDJWT_KB), nonce (_KB_NONCE), aud (_KB_AUD), iat within
 *      [now - kb_max_age - skew, now + skew] (_KB_IAT), sd_hash (_KB_HASH)
 *                                          -> "keyBinding", "challenge", "domain"
 * Every check is recorded in r (which the caller has initialised; may be NULL); its format is
 * "sd-jwt". Steps 1, 2 and 4 stop the verification; the later ones all run and each failure is
 * recorded. Returns 0 or the first failure's code (also in err). On success the processed
 * claims ("_sd", "_sd_alg" and undisclosed digests removed) become r's document and, if
 * processed is non-NULL, *processed gets a new reference to them; on failure *processed is
 * NULL. ctx may be NULL when opts->issuer_key is given. */
int did_sdjwt_verify(const did_ctx *ctx, const char *in, size_t len,
                     const did_sdjwt_verify_opts *opts, did_result *r, json_t **processed,
                     did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_SDJWT_H */
