/*
 * did/vcjose.h -- credentials and presentations secured with JOSE: W3C "Securing Verifiable
 * Credentials using JOSE and COSE" (VC-JOSE-COSE, Recommendation 2025-05-15), section 3.1,
 * media types application/vc+jwt and application/vp+jwt.
 *
 * The JWS payload IS the credential (or presentation), in RFC 8785 (JCS) form when we sign it:
 * there is no "vc"/"vp" claim wrapping as in VC 1.1 JWTs, and a payload carrying one is refused.
 * JWT claims that are present in it are processed per RFC 7519 ("iss" must name the issuer,
 * "exp"/"nbf"/"iat" are NumericDates checked against the clock, "aud" must name the verifier);
 * none is required. spec/credentials.md gives the header values and the order of the checks.
 */
#ifndef DID_VCJOSE_H
#define DID_VCJOSE_H

#include <stdint.h>

#include <jansson.h>

#include <did/did.h>
#include <did/error.h>
#include <did/jose.h>
#include <did/result.h>
#include <did/vc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Protected header values we emit (VC-JOSE-COSE sections 3.1.1 and 3.1.2). On input "typ" may
 * also carry the "application/" prefix, in any case (RFC 7515 section 4.1.9), or be the
 * Candidate Recommendation spelling "vc-ld+jwt" / "vp-ld+jwt". */
#define DID_VCJOSE_TYP_VC "vc+jwt"
#define DID_VCJOSE_TYP_VP "vp+jwt"
#define DID_VCJOSE_CTY_VC "vc"
#define DID_VCJOSE_CTY_VP "vp"
/* Format names in results. */
#define DID_VCJOSE_FORMAT_VC "vc-jwt"
#define DID_VCJOSE_FORMAT_VP "vp-jwt"

typedef enum did_vcjose_kind {
    DID_VCJOSE_ANY = 0, /* whatever "typ" says */
    DID_VCJOSE_VC = 1,  /* only a credential (vc+jwt) */
    DID_VCJOSE_VP = 2,  /* only a presentation (vp+jwt) */
} did_vcjose_kind;

/* Signs a credential or a presentation (told apart by its "type") as a compact JWS and appends
 * it to out (NUL-terminated): protected header {"alg", "cty": "vc"|"vp", "kid": kid,
 * "typ": "vc+jwt"|"vp+jwt"} in JCS form, payload the JCS form of the document.
 * Before signing, the document must pass did_vc_check / did_vp_check with ignore_time (a
 * credential may be valid from a future date), carry no "vc"/"vp" member, have "exp", "nbf",
 * "iat" (when present) as numbers and "iss" (when present) equal to the issuer (holder) id, and
 * a presentation's credentials must all be EnvelopedVerifiableCredential objects (VC-JOSE-COSE
 * section 3.1.2). When kid is a DID URL its DID must be the issuer's (the holder's, when the
 * presentation names one). A presentation meant for one verifier carries that verifier's
 * "nonce" and "aud" as members: put them in before signing.
 * Errors: DID_ERR_ARG (NULL, empty kid, a key that cannot sign), DID_ERR_VC_TYPE (neither or
 * both kinds), the model check's DID_ERR_VC_*, DID_ERR_VC_JWT, DID_ERR_JWT_CLAIM,
 * DID_ERR_JWT_ISS, DID_ERR_VC_ISSUER_KEY, DID_ERR_VP_HOLDER, DID_ERR_VP_CREDENTIAL, crypto
 * errors. On error out is left as it was. */
int did_vcjose_sign(const ck_key *key, const char *kid, const json_t *vc_or_vp, did_buf *out,
                    did_err *err);

typedef struct did_vcjose_verify_opts {
    did_vcjose_kind expect;      /* what the caller accepts */
    int64_t now;                 /* seconds since the epoch; 0 means the current time */
    int64_t skew;                /* clock skew for every date, 0..DID_VC_MAX_SKEW seconds */
    unsigned algs;               /* JWS algorithm allow-list (DID_JWS_ALG_*); 0 means all */
    const char *nonce;           /* required "nonce" claim (a presentation's challenge), or NULL */
    const char *aud;             /* this verifier's identifier: a present "aud" must contain it;
                                    NULL: a token with an "aud" is refused (RFC 7519 4.1.3) */
    const char *const *contexts; /* further known @context URLs (did_vc_check_opts) */
    const ck_key *key;           /* verify with this key instead of resolving "kid": the caller
                                    vouches that it is the issuer's (holder's); the binding of
                                    key to issuer is then not checked (a warning says so).
                                    Enveloped credentials are always resolved through ctx. */
    size_t max_len;              /* longest token, 0 means DID_JWS_MAX_LEN */
    json_t *credentials;         /* presentations: when a JSON array, each enveloped credential
                                    that verifies is appended to it (new references) */
} did_vcjose_verify_opts;

/* Verifies a vc+jwt or vp+jwt token jws[0..len) and records every check in r (initialised by
 * the caller; this call sets its format to "vc-jwt"/"vp-jwt", adds checks and problems, and on
 * success sets the verified document). In order:
 *  1. protected header: "typ" names a credential or a presentation (DID_ERR_VC_JWT otherwise,
 *     also when it is not the kind opts->expect asks for); "cty", when present, does not name
 *     the other kind;
 *  2. the key: opts->key, or "kid" (a DID URL) resolved through ctx with the relationship
 *     assertionMethod (credential) or authentication (presentation): DID_ERR_JWS_KID,
 *     DID_ERR_DID_VM_RELATIONSHIP (under DID_CHECK_PURPOSE);
 *  3. did_jws_verify: DID_ERR_JWS_* (format, algorithm, signature);
 *  4. the payload: a JSON object within ctx's limits, a credential (did_vc_check) or a
 *     presentation (did_vp_check) per "typ", no "vc"/"vp" claim, JWT claims as above;
 *  5. the signer: the kid's DID equals the issuer id (DID_ERR_VC_ISSUER_KEY) or the holder id
 *     (DID_ERR_VP_HOLDER); "nonce" and "aud" for the verifier (DID_ERR_VP_NONCE,
 *     DID_ERR_JWT_AUD);
 *  6. a presentation's credentials: each an EnvelopedVerifiableCredential with a
 *     data:application/vc+jwt URL, verified with this function (credentials only, so nesting
 *     stops at one level); their problems are recorded under DID_CHECK_CREDENTIALS.
 * opts NULL means: any kind, the current time, no skew, all algorithms, no nonce or audience.
 * Checks after a failing step 1-3 do not run. Returns DID_OK when everything verified, else
 * the first failure (DID_ERR_VP_CREDENTIAL for a failing enveloped credential); DID_ERR_ARG for
 * NULL arguments or no ctx when one is needed. */
int did_vcjose_verify(const did_ctx *ctx, const char *jws, size_t len,
                      const did_vcjose_verify_opts *opts, did_result *r, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_VCJOSE_H */
