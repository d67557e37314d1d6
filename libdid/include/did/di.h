/*
 * did/di.h -- W3C Verifiable Credential Data Integrity 1.0 proofs with the JSON (JCS)
 * cryptosuites of the W3C Recommendations of 15 May 2025:
 *
 *   eddsa-jcs-2022   Ed25519 (Data Integrity EdDSA Cryptosuites v1.0, section 3.3)
 *   ecdsa-jcs-2019   P-256 with SHA-256, P-384 with SHA-384 (Data Integrity ECDSA Cryptosuites
 *                    v1.0, section 3.3)
 *
 * For one proof, with H = SHA-256 (Ed25519, P-256) or SHA-384 (P-384):
 *
 *   proofConfig = the proof without proofValue; when signing, "@context" is the document's
 *   document    = the secured document without "proof" (with "proof" = the proofs named by
 *                 previousProof, for a proof chain; with "@context" = the proof's "@context"
 *                 when the proof has one, after checking that it starts the document's)
 *   hashData    = H(JCS(proofConfig)) || H(JCS(document))
 *   proofValue  = "z" + base58btc(signature over hashData)
 *
 * Ed25519 signs hashData itself (64 bytes); ECDSA signs it with the curve's hash, i.e. the
 * message is hashData and the signature is the fixed-size r||s (64 / 96 bytes). The
 * specifications' test vectors are in tests/vectors/di/. spec/data-integrity.md says what we
 * emit and accept, the order of the checks and the code each one fails with.
 *
 * The document is handled as plain JSON: no JSON-LD processing, and none of the VC data model
 * checks (did/vc.h does those; a verifier runs both).
 */
#ifndef DID_DI_H
#define DID_DI_H

#include <stdint.h>

#include <jansson.h>

#include <did/did.h>
#include <did/error.h>
#include <did/result.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits (spec/data-integrity.md). */
#define DID_DI_MAX_PROOFS 8        /* proofs in one proof set / chain; more: DID_ERR_LIMIT */
#define DID_DI_MAX_PROOF_VALUE 256 /* characters of a proofValue; more: _PROOF_VALUE */
#define DID_DI_HASH_DATA_MAX (2 * CK_HASH_MAX_LEN) /* bytes of hashData (P-384: 96) */

typedef enum did_di_suite {
    DID_DI_EDDSA_JCS_2022 = 1, /* "eddsa-jcs-2022" */
    DID_DI_ECDSA_JCS_2019 = 2, /* "ecdsa-jcs-2019" */
} did_di_suite;

/* Allow-list bits for did_di_verify_opts.suites. */
#define DID_DI_ALLOW_EDDSA_JCS_2022 0x1u
#define DID_DI_ALLOW_ECDSA_JCS_2019 0x2u
#define DID_DI_ALLOW_ALL 0x3u

/* "eddsa-jcs-2022" / "ecdsa-jcs-2019"; NULL for any other value. */
const char *did_di_suite_name(did_di_suite suite);
/* Parses a cryptosuite name (exact match). DID_ERR_DI_CRYPTOSUITE for any other. */
int did_di_suite_from_name(const char *name, size_t len, did_di_suite *out, did_err *err);
/* The format name results carry: "di-eddsa-jcs-2022" / "di-ecdsa-jcs-2019"; NULL otherwise. */
const char *did_di_format_name(did_di_suite suite);

/* ---------------------------------------------------------------------------------------------
 * Signing (Data Integrity section 4.2 "Add Proof" and 4.3 "Add Proof Set/Chain").
 */
typedef struct did_di_sign_opts {
    did_di_suite suite;
    const char *verification_method; /* required: the key's verification method (DID URL) */
    const char *proof_purpose;       /* a verification relationship name; NULL: assertionMethod */
    int64_t created;                 /* seconds since the epoch; 0: now */
    int no_created;                  /* non-zero: write no "created" member */
    int64_t expires;                 /* seconds since the epoch; 0: no "expires" */
    const char *challenge;           /* NULL: none */
    const char *domain;              /* NULL: none */
    const char *nonce;               /* NULL: none */
    const char *id;                  /* the proof's "id" (a URL, e.g. "urn:uuid:..."); NULL: none */
    const char *const *previous_proofs; /* ids of proofs already on the document that this one
                                           chains to (one: written as a string, more: as a
                                           list); NULL / 0: a proof set member, no chain */
    size_t n_previous_proofs;
} did_di_sign_opts;

/* Signs document (a JSON object) and returns in *secured a new document (a deep copy; the
 * caller json_decrefs it) that carries the new proof. A document without "proof" gets the
 * proof as an object; a document that already has one proof (object) or several (list) gets a
 * list of the existing proofs followed by the new one, a proof set. The existing proofs are
 * never signed over, unless named in previous_proofs (a proof chain).
 * Proof members are written in the order of the specifications' examples: type, id,
 * cryptosuite, created, expires, verificationMethod, proofPurpose, challenge, domain, nonce,
 * previousProof, @context (the document's, when it has one), proofValue.
 * Errors: DID_ERR_ARG (NULL, document not an object, missing verification method, bad suite,
 * a value that is not UTF-8, expires not after created), DID_ERR_DI_KEY (key type does not fit
 * the suite), CK_ERR_KEY_NO_PRIVATE, DID_ERR_DI_PURPOSE (unknown purpose),
 * DID_ERR_DI_PROOF (an existing "proof" that is not an object or a list of objects, or a
 * previous proof id that no existing proof has), DID_ERR_LIMIT (more than DID_DI_MAX_PROOFS
 * proofs would result), JCS, crypto and DID_ERR_NOMEM errors. */
int did_di_sign(const ck_key *key, const json_t *document, const did_di_sign_opts *opts,
                json_t **secured, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Verification (Data Integrity section 4.4 "Verify Proof", 4.5 "Verify Proof Sets and Chains").
 */
/* Turns a proof's verificationMethod into its public key, authorised for rel: the contract of
 * did_resolve_key (which is what is used when none is given). *key is a new handle the
 * verifier frees. A replacement, e.g. a cache of resolved methods in front of did_resolve_key,
 * must keep the relationship check: DID_ERR_DID_VM_RELATIONSHIP is reported as
 * DID_ERR_DI_PURPOSE, any other error passes through. */
typedef int (*did_di_resolve_fn)(void *user, const did_ctx *ctx, const char *vm, size_t len,
                                 did_relationship rel, ck_key **key, did_err *err);

typedef struct did_di_verify_opts {
    const char *proof_purpose; /* expected purpose; NULL: assertionMethod. The verification
                                  method must be authorised for this relationship in its
                                  controller's DID document. */
    const char *challenge;     /* expected challenge; NULL: not checked. When given, every proof
                                  must carry exactly this challenge. */
    const char *domain;        /* expected domain; NULL: not checked. When given, every proof's
                                  domain (a string, or a list treated as a set) must be exactly
                                  this one domain. */
    int64_t now;               /* seconds since the epoch; 0: the current time */
    int64_t skew;              /* allowed clock skew in seconds (>= 0) for created / expires */
    unsigned suites;           /* DID_DI_ALLOW_* bits; 0: all */
    did_di_resolve_fn resolve; /* NULL: did_resolve_key */
    void *resolve_user;        /* passed to resolve */
} did_di_verify_opts;

/* What the verifier learnt about one proof: enough for the caller to check that the issuer or
 * holder controls the key (compare the DID prefix of verification_method with the issuer). */
typedef struct did_di_proof_info {
    int code;                  /* DID_OK when this proof verified, else its first error */
    did_di_suite suite;        /* 0 when the cryptosuite was missing or unknown */
    char *verification_method; /* the proof's verificationMethod (NUL-terminated), or NULL */
    size_t did_len;            /* length of its DID prefix ("did:method:id"); 0 if not a DID URL */
    ck_key *key;               /* the public key the signature was checked with, or NULL */
    int64_t created;           /* seconds since the epoch, when has_created */
    int64_t expires;           /* seconds since the epoch, when has_expires */
    int has_created;           /* the proof has a valid "created" */
    int has_expires;           /* the proof has a valid "expires" */
} did_di_proof_info;

typedef struct did_di_verified {
    size_t n_proofs; /* proofs examined (the whole set; at most DID_DI_MAX_PROOFS) */
    did_di_proof_info proofs[DID_DI_MAX_PROOFS];
} did_di_verified;

void did_di_verified_init(did_di_verified *v);
/* Frees the strings and keys and re-initialises. */
void did_di_verified_clear(did_di_verified *v);

/* Verifies every proof of secured (one proof object, or a list of them) independently and
 * returns DID_OK only when all of them verify. A proof with previousProof is checked over the
 * document carrying the proofs it names (a proof chain), so it verifies only together with
 * them. Each failure is recorded in r (if non-NULL) under DID_CHECK_PROOF, _PURPOSE, _CREATED,
 * _CHALLENGE, _DOMAIN or _SIGNATURE, with a message naming the proof ("proof[1]: ...");
 * r's format is set from the first proof's suite. *err and the return value are the first
 * failure. out (optional; caller-initialised with did_di_verified_init, cleared here first)
 * receives per-proof details, including for proofs that failed.
 * The verification method is resolved with did_resolve_key(ctx, vm, relationship of the
 * expected purpose), or opts->resolve: DID_ERR_DID_VM_RELATIONSHIP is reported as
 * DID_ERR_DI_PURPOSE; other resolution errors (DID_ERR_DID_*) pass through.
 * Errors: DID_ERR_ARG (NULL ctx/secured, unknown expected purpose, negative skew),
 * DID_ERR_JSON_TYPE (secured not an object), DID_ERR_LIMIT, DID_ERR_DI_* (700-709), resolver
 * errors, DID_ERR_NOMEM. */
int did_di_verify(const did_ctx *ctx, const json_t *secured, const did_di_verify_opts *opts,
                  did_result *r, did_di_verified *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * The steps in between, for diagnostics and for checking against the specifications' vectors.
 */
/* Appends to proof_config and document the two canonical byte strings (JCS, UTF-8) that proof
 * number `index` of secured is computed over (index 0 when "proof" is a single object), as
 * did_di_verify computes them: the proof without proofValue, and the document without its
 * proofs (plus the proofs named by previousProof; "@context" replaced by the proof's after the
 * prefix check). Errors: DID_ERR_DI_PROOF (no such proof, malformed previousProof or a
 * previousProof id no proof has), DID_ERR_DI_CONTEXT, DID_ERR_LIMIT, JCS errors. */
int did_di_canonicalize(const json_t *secured, size_t index, did_buf *proof_config,
                        did_buf *document, did_err *err);

/* hashData = H(proof_config) || H(document) into out; *out_len = 2 * ck_hash_len(alg). */
int did_di_hash_data(ck_hash_alg alg, const uint8_t *proof_config, size_t proof_config_len,
                     const uint8_t *document, size_t document_len,
                     uint8_t out[DID_DI_HASH_DATA_MAX], size_t *out_len, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_DI_H */
