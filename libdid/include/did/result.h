/*
 * did/result.h -- the structured result of a verification.
 *
 * A verification never answers with a bare boolean: it says which checks ran (signature, proof
 * purpose, dates, status, holder binding, challenge, ...), which failed and why (a stable code
 * from spec/errors.md and a message), and what merely deserves a warning. The verifier service
 * returns it as the VC-API verification result; `civid-verifier check` prints it.
 *
 * The struct is caller-allocated and bounded: at most DID_RESULT_MAX_CHECKS check names and
 * DID_RESULT_MAX_PROBLEMS errors and warnings each. Problems past the bound are counted in
 * `dropped` (and still make the result fail), never silently lost.
 */
#ifndef DID_RESULT_H
#define DID_RESULT_H

#include <jansson.h>

#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Names of the checks, as they appear in results. Modules use these, never ad-hoc strings. */
#define DID_CHECK_FORMAT "format"             /* the input parses as the detected format */
#define DID_CHECK_CONTEXT "context"           /* @context */
#define DID_CHECK_TYPE "type"                 /* type */
#define DID_CHECK_ISSUER "issuer"             /* issuer shape, and the key belongs to it */
#define DID_CHECK_SUBJECT "credentialSubject" /* credentialSubject shape */
#define DID_CHECK_SCHEMA "credentialSchema"   /* credentialSchema shape */
#define DID_CHECK_VALID_FROM "validFrom"      /* validFrom / nbf not in the future */
#define DID_CHECK_VALID_UNTIL "validUntil"    /* validUntil / exp not passed */
#define DID_CHECK_STATUS "credentialStatus"   /* status list entry: not revoked/suspended */
#define DID_CHECK_PROOF "proof"               /* a proof of a supported kind is present */
#define DID_CHECK_SIGNATURE "signature"       /* the signature verifies */
#define DID_CHECK_PURPOSE "proofPurpose"      /* the key is authorised for the purpose */
#define DID_CHECK_CREATED "created"           /* Data Integrity created / expires */
#define DID_CHECK_CHALLENGE "challenge"       /* presentation challenge / nonce */
#define DID_CHECK_DOMAIN "domain"             /* presentation domain / audience */
#define DID_CHECK_HOLDER "holder"             /* the holder secured the presentation */
#define DID_CHECK_DISCLOSURES "disclosures"   /* SD-JWT disclosures reassemble */
#define DID_CHECK_KEY_BINDING "keyBinding"    /* SD-JWT key binding JWT */
#define DID_CHECK_CREDENTIALS "verifiableCredential" /* embedded credentials of a VP */

#define DID_RESULT_MAX_CHECKS 32
#define DID_RESULT_MAX_PROBLEMS 32
#define DID_CHECK_NAME_MAX 32 /* bytes, including the NUL */
#define DID_FORMAT_NAME_MAX 32

typedef struct did_problem {
    int code;                      /* DID_ERR_* / CK_ERR_* */
    char check[DID_CHECK_NAME_MAX]; /* the check it belongs to, "" if none */
    char msg[DID_ERR_MSG_MAX];
} did_problem;

typedef struct did_result {
    char format[DID_FORMAT_NAME_MAX]; /* "di-eddsa-jcs-2022", "vc-jwt", "sd-jwt", ... or "" */
    size_t n_checks;
    char checks[DID_RESULT_MAX_CHECKS][DID_CHECK_NAME_MAX];
    size_t n_errors;
    did_problem errors[DID_RESULT_MAX_PROBLEMS];
    size_t n_warnings;
    did_problem warnings[DID_RESULT_MAX_PROBLEMS];
    size_t dropped;   /* errors and warnings beyond the bounds (errors among them still fail) */
    int dropped_error;
    json_t *document; /* the verified credential / presentation as VCDM JSON (owned), or NULL */
} did_result;

/* Initialises an empty result. */
void did_result_init(did_result *r);
/* Releases the document and re-initialises. */
void did_result_clear(did_result *r);
/* Sets the format name (truncated to DID_FORMAT_NAME_MAX - 1 bytes). */
void did_result_set_format(did_result *r, const char *format);
/* Records that a check ran (once per name; names longer than DID_CHECK_NAME_MAX - 1 bytes are
 * truncated). */
void did_result_check(did_result *r, const char *check);
/* Records that check ran and failed with err (its code and message). Returns err->code, or
 * DID_ERR_INTERNAL if err carries no code, so callers can `return did_result_fail(...)`. */
int did_result_fail(did_result *r, const char *check, const did_err *err);
/* Records a warning under check. */
void did_result_warn(did_result *r, const char *check, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* 1 when at least one check ran and no error was recorded, else 0. */
int did_result_verified(const did_result *r);
/* Takes over a reference to doc as the result's document (replacing any previous one). */
void did_result_set_document(did_result *r, json_t *doc);

/* The result as JSON (new reference, NULL only when out of memory):
 *   {"verified": bool, "format": "...", "checks": ["signature", ...],
 *    "errors": [{"code": 506, "name": "DID_ERR_JWS_SIGNATURE", "check": "signature",
 *                "message": "..."}],
 *    "warnings": [...], "document": {...}}          ("document" only when set) */
json_t *did_result_to_json(const did_result *r);

#ifdef __cplusplus
}
#endif
#endif /* DID_RESULT_H */
