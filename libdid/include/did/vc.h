/*
 * did/vc.h -- W3C Verifiable Credentials Data Model 2.0: checks of credentials and presentations
 * as JSON documents, independent of how they are secured.
 *
 * The checks are structural ("model checks"): they never fetch anything, never do JSON-LD
 * processing, and never verify a proof. A securing mechanism (did/vcjose.h, Data Integrity,
 * SD-JWT) verifies its proof and then runs these checks on the document it secured.
 * spec/credentials.md is the normative description of what is accepted; in short:
 *
 *  - "@context": an array whose first entry is DID_VC_CONTEXT_V2; every further entry is a
 *    known context URL (DID_VC_CONTEXT_*, or one the caller lists) or an inline context object
 *    that defines no term of the VC 2.0 context and needs no fetching (no "@import");
 *  - "type": a string or an array of strings containing "VerifiableCredential"
 *    ("VerifiablePresentation");
 *  - "id", "issuer" (or "issuer.id"), "holder", status, schema and subject ids: URLs, i.e.
 *    absolute URIs per RFC 3986 (did_vc_is_url);
 *  - "validFrom" / "validUntil": XML Schema dateTimeStamp (did/time.h), validFrom <= validUntil,
 *    and (unless opts->ignore_time) validFrom <= now + skew and validUntil > now - skew;
 *  - "credentialSubject": an object or a non-empty array of objects, each non-empty;
 *  - "credentialStatus", "credentialSchema", "evidence", "termsOfUse", "refreshService",
 *    "relatedResource": objects (or arrays of objects) with their required members. A status
 *    entry is only shape-checked: a malformed one is recorded under DID_CHECK_STATUS, but the
 *    check is never recorded as passed (that takes the status list, did/status.h).
 *
 * Every violation is recorded in the caller's did_result (when one is given) under the
 * DID_CHECK_* name it belongs to, with a message naming the member, and checking goes on so
 * that one call reports them all. The function returns the code of the first violation (its
 * message also goes to err), or DID_OK.
 */
#ifndef DID_VC_H
#define DID_VC_H

#include <stdint.h>

#include <jansson.h>

#include <did/error.h>
#include <did/result.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Context URLs we know (spec/credentials.md). The VC 2.0 context already defines the Data
 * Integrity, Bitstring Status List and JOSE/SD-JWT terms; the Data Integrity context may still
 * appear (Data Integrity 1.0 section 2.4.2 lets signers add it). */
#define DID_VC_CONTEXT_V2 "https://www.w3.org/ns/credentials/v2"
#define DID_VC_CONTEXT_EXAMPLES_V2 "https://www.w3.org/ns/credentials/examples/v2"
#define DID_VC_CONTEXT_DATA_INTEGRITY_V2 "https://w3id.org/security/data-integrity/v2"

/* Limits. Each is checked and reported with DID_ERR_LIMIT under the check it belongs to. */
/* entries of "@context" */
#define DID_VC_MAX_CONTEXTS 16
/* members of one inline context object; inline contexts nested in term definitions */
#define DID_VC_MAX_INLINE_TERMS 128
#define DID_VC_MAX_INLINE_DEPTH 4
/* entries of any "type" */
#define DID_VC_MAX_TYPES 16
/* entries of "credentialSubject" */
#define DID_VC_MAX_SUBJECTS 64
/* entries of credentialStatus, credentialSchema, evidence, termsOfUse, refreshService and
 * relatedResource, each */
#define DID_VC_MAX_ENTRIES 32
/* bytes in any URL but an enveloped credential's data: URL */
#define DID_VC_MAX_URL_LEN 4096
/* entries of a presentation's "verifiableCredential" */
#define DID_VP_MAX_CREDENTIALS 64
/* bytes in an enveloped credential's data: URL */
#define DID_VP_MAX_ENVELOPE_LEN ((size_t)1 << 20)
/* largest clock skew accepted in the options (1 day) */
#define DID_VC_MAX_SKEW ((int64_t)86400)

typedef struct did_vc_check_opts {
    int64_t now;                 /* seconds since the epoch; 0 means the current time */
    int64_t skew;                /* allowed clock skew in seconds, 0..DID_VC_MAX_SKEW */
    int ignore_time;             /* 1: check the dates' syntax and order, not against now
                                    (an issuer may sign a credential valid from tomorrow) */
    const char *const *contexts; /* NULL-terminated further known context URLs, or NULL */
} did_vc_check_opts;

/* Checks a credential (an unsecured VCDM 2.0 document, or the document a securing mechanism
 * verified). opts NULL means the current time, no skew, the built-in contexts only. r may be
 * NULL (then only the return code and err say what failed). Returns DID_OK or the first
 * violation: DID_ERR_VC_CONTEXT, _TYPE, _ISSUER, _DATE, _NOT_YET_VALID, _EXPIRED, _SUBJECT,
 * _STATUS, _SCHEMA, _ID, _PROPERTY, DID_ERR_LIMIT; DID_ERR_ARG for a NULL vc or bad options. */
int did_vc_check(const json_t *vc, const did_vc_check_opts *opts, did_result *r, did_err *err);

/* Checks a presentation: "@context", "type" with "VerifiablePresentation", optional "id" and
 * "holder" (a URL, or an object with a URL "id"), and each entry of "verifiableCredential"
 * (an object or a non-empty array): an EnvelopedVerifiableCredential (checked as an envelope;
 * its content is not looked into) or an embedded credential (checked with did_vc_check, its
 * problems recorded under DID_CHECK_CREDENTIALS with their own codes, the message naming the
 * entry). Returns DID_OK or the first violation; a failing entry returns DID_ERR_VP_CREDENTIAL.
 * Embedded credentials' proofs are not verified here: iterate them with did_vp_credential_get. */
int did_vp_check(const json_t *vp, const did_vc_check_opts *opts, did_result *r, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Helpers for securing mechanisms.
 */

/* 1 when s[0..len) is an absolute URI per RFC 3986 section 4.3 with an optional fragment
 * (scheme ":" hier-part ["?" query] ["#" fragment]): ASCII only, every '%' followed by two hex
 * digits, a well-formed authority after "//". DIDs, DID URLs, urn:uuid: and data: URLs qualify.
 * At most max_len bytes (0 means DID_VC_MAX_URL_LEN). */
int did_vc_is_url(const char *s, size_t len, size_t max_len);

/* 1 when v's "type" is the string `type` or an array containing it (exact comparison). */
int did_vc_has_type(const json_t *v, const char *type);

/* The issuer's id: "issuer" when it is a string, else "issuer"."id". *id points into vc (valid
 * while vc lives). DID_ERR_VC_ISSUER when missing or not a string; the value is not checked to
 * be a URL here (did_vc_check does that). len may be NULL. */
int did_vc_issuer_id(const json_t *vc, const char **id, size_t *len, did_err *err);

/* The holder's id of a presentation, the same way. *id = NULL (DID_OK) when there is no holder;
 * DID_ERR_VP_HOLDER when it is malformed. */
int did_vp_holder_id(const json_t *vp, const char **id, size_t *len, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * The credentials of a presentation.
 */
typedef enum did_vp_entry_kind {
    DID_VP_ENTRY_EMBEDDED = 1,  /* a credential object (with, typically, an embedded proof) */
    DID_VP_ENTRY_ENVELOPED = 2, /* an EnvelopedVerifiableCredential: a data: URL */
} did_vp_entry_kind;

typedef struct did_vp_entry {
    did_vp_entry_kind kind;
    const json_t *obj; /* the entry (borrowed from the presentation) */
    /* Enveloped only (else NULL, 0): the data: URL's media type ("application/vc+jwt") and the
     * data after the ',' (the secured credential, still encoded), both pointing into obj's
     * "id". "base64" is 1 when the URL says ";base64" (VC-JOSE-COSE puts COSE credentials in
     * base64); any other parameter is refused. */
    const char *media_type;
    size_t media_type_len;
    const char *data;
    size_t data_len;
    int base64;
} did_vp_entry;

/* Number of entries of "verifiableCredential" (0 when absent; 1 when it is an object). */
size_t did_vp_credential_count(const json_t *vp);
/* Entry i, classified and (for an envelope) split. DID_ERR_VP_CREDENTIAL when the entry is not
 * an object, or is a malformed envelope; DID_ERR_ARG when i is out of range. */
int did_vp_credential_get(const json_t *vp, size_t i, did_vp_entry *out, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_VC_H */
