/*
 * did/verify.h -- one entry point that verifies a credential or a presentation in any securing
 * format civid supports, telling the formats apart by their shape:
 *
 *   a JSON object with "proof"          Data Integrity (eddsa-jcs-2022, ecdsa-jcs-2019)
 *   a JSON EnvelopedVerifiableCredential  its data: URL's content, by media type
 *   text with '~' separators            SD-JWT / SD-JWT VC (+ key binding)
 *   a compact JWS (two '.')             VC-JOSE: vc+jwt / vp+jwt
 *
 * and running every check that applies: the securing mechanism's own (signature, proof
 * purpose, created/expires, challenge/domain, disclosures, key binding), the VC Data Model 2.0
 * checks, the binding of the signing key to the issuer (or holder), and the credential's status
 * when a status list source is given. Embedded credentials of a presentation are verified the
 * same way (one level deep).
 */
#ifndef DID_VERIFY_H
#define DID_VERIFY_H

#include <stdint.h>

#include <did/did.h>
#include <did/error.h>
#include <did/result.h>
#include <did/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_VERIFY_MAX_LEN ((size_t)1 << 20) /* longest input, in bytes */

typedef struct did_verify_opts {
    int64_t now;              /* seconds since the epoch; 0: the current time */
    int64_t skew;             /* allowed clock skew, 0..DID_VC_MAX_SKEW seconds */
    const char *challenge;    /* presentations: the expected challenge (Data Integrity
                                 "challenge", vp+jwt "nonce", KB-JWT "nonce"); NULL: none */
    const char *domain;       /* presentations: the expected domain / audience; NULL: none */
    did_status_fetch_fn status_fetch; /* gives verified status list credentials by URL; NULL:
                                         status entries are reported as not checked (warning) */
    void *status_user;
    const char *const *contexts; /* further known @context URLs, NULL-terminated, or NULL */
} did_verify_opts;

/* Verifies in[0..len) and records every check in r (initialised by the caller). On success r's
 * document is the verified credential or presentation (for SD-JWT: the processed claims).
 * Returns DID_OK when everything verified, otherwise the first failure, also in err:
 * DID_ERR_VC_FORMAT when the input is in none of the formats above, DID_ERR_LIMIT past
 * DID_VERIFY_MAX_LEN, DID_ERR_VC_UNSECURED for a JSON credential without a proof, and the
 * codes of the modules (did/vc.h, did/di.h, did/vcjose.h, did/sdjwt.h, did/status.h). */
int did_verify(const did_ctx *ctx, const uint8_t *in, size_t len, const did_verify_opts *opts,
               did_result *r, did_err *err);

/* The same for a document already parsed (with strict limits: did_json_parse), as a request
 * body carries it: a JSON object (Data Integrity, or an envelope) is verified as it is, a JSON
 * string (a compact JWS or an SD-JWT) as its text; anything else is DID_ERR_VC_FORMAT. */
int did_verify_json(const did_ctx *ctx, const json_t *doc, const did_verify_opts *opts,
                    did_result *r, did_err *err);

/* The format did_verify would treat in[0..len) as, without verifying anything:
 * "json" (a JSON object: Data Integrity or an envelope), "sd-jwt", "jose" (a compact JWS), or
 * NULL for none of them. */
const char *did_verify_detect(const uint8_t *in, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* DID_VERIFY_H */
