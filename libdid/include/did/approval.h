/*
 * did/approval.h -- approval requests (`apreq+jwt`), approvals (JWS JSON general serialisation
 * with JAdES-compatible protected headers), their verification and their audit-log entries
 * (spec/approvals.md). Delegation chains: did/delegation.h; the policy language: did/policy.h.
 *
 * Flow: a service signs a request (did_apreq_sign); a principal, or an agent under a delegation
 * chain, makes an approval statement over it (did_approval_create) and signs it; at tier 1 the
 * human co-signers add their signatures over the same payload bytes (did_approval_add_signature);
 * the service verifies everything (did_approval_verify) and logs it (did_approval_log_entry).
 */
#ifndef DID_APPROVAL_H
#define DID_APPROVAL_H

#include <jansson.h>

#include <did/delegation.h>
#include <did/did.h>
#include <did/error.h>
#include <did/log.h>
#include <did/log_entry.h>
#include <did/result.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Requests: a compact JWS, typ "apreq+jwt", signed with a key in the service's assertionMethod,
 * over the claims
 *   iss (service DID), aud (principal DID), jti, nonce (base64url, 16..64 bytes), iat, exp
 *   (iat < exp <= iat + 600), cmd ("/" path), res, args (object), docs? [{label, mt, alg
 *   "sha-256", dig, uri?}], disp {tpl, ver, lang, text, dig = base64url(SHA-256(text))},
 *   transaction_data? [base64url of {type, credential_ids, ...}], want? {max_tier, sig_level,
 *   min_loa, log}, response_uri?
 * Unknown members anywhere are refused; limits below.
 */
#define DID_APREQ_TYP "apreq+jwt"
#define DID_APREQ_MAX_LEN 65536  /* bytes of a compact request */
#define DID_APREQ_MAX_WINDOW 600 /* exp - iat, seconds */
#define DID_APREQ_MAX_DOCS 16
#define DID_APREQ_MAX_TXD 8
#define DID_APREQ_MAX_TXD_LEN 4096 /* bytes of one transaction_data string */
#define DID_APREQ_MAX_TEXT 512     /* code points of disp.text */
#define DID_APREQ_MAX_ARGS 8192    /* bytes of args in JCS form */
#define DID_APREQ_MAX_ARGS_DEPTH 8

typedef struct did_apreq {
    json_t *claims; /* owned */
    char *jws;      /* owned copy, NUL-terminated */
    size_t jws_len;
    uint8_t digest[32];        /* SHA-256 of the compact JWS */
    char ref[DID_APR_REF_LEN]; /* "sha-256:" + base64url(digest) */
    /* borrowed from claims */
    const char *iss, *aud, *jti, *nonce, *cmd, *res, *response_uri;
    int64_t iat, exp;
    const json_t *args, *docs, *disp, *txd, *want;
    const char *disp_text, *disp_dig;
    int want_max_tier;  /* 3 when absent */
    int want_sig_level; /* DID_SIG_LEVEL_*, NONE when absent */
    int want_min_loa;   /* DID_LOA_*, NONE when absent */
    const char *want_log;
} did_apreq;

void did_apreq_init(did_apreq *r);
void did_apreq_clear(did_apreq *r);

/* Checks request claims against the format (no signature, no clock). out (optional) gets the
 * borrowed views. DID_ERR_APR_REQUEST naming the member; DID_ERR_APR_DISPLAY when disp.dig is not
 * the digest of disp.text or the text has control or bidi-override characters;
 * DID_ERR_APR_TIME when exp - iat is not in 1..600. */
int did_apreq_check_claims(const json_t *claims, did_apreq *out, did_err *err);

/* Checks the claims and signs them (typ apreq+jwt) with key under kid (DID = iss). */
int did_apreq_sign(const ck_key *key, const char *kid, const json_t *claims, did_buf *out,
                   did_err *err);

typedef struct did_apreq_verify_opts {
    int64_t now;         /* 0: the current time */
    int64_t skew;        /* seconds, 0..300 */
    const char *service; /* required iss (the verifying service's own DID), or NULL */
    int check_expiry;    /* refuse when exp <= now - skew (DID_ERR_APR_EXPIRED) */
} did_apreq_verify_opts;

/* Verifies a request: length, JWS (typ apreq+jwt, kid's DID = iss, assertionMethod), claims,
 * iat <= now + skew (DID_ERR_APR_TIME), iss = service (DID_ERR_APR_AUDIENCE), expiry.
 * *out owns everything. */
int did_apreq_verify(const did_ctx *ctx, const char *jws, size_t len,
                     const did_apreq_verify_opts *opts, did_apreq *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Approvals. The envelope is RFC 7515 section 7.2.1 general serialisation with exactly the
 * members {"payload", "signatures": [{"protected", "signature"}]} (no unprotected header, no
 * flattened members, 1..DID_APPROVAL_MAX_SIGS signatures). Each protected header has exactly
 *   alg, typ "aprv+jws", kid (DID URL) or x5t#S256, iat (integer), crit ["iat", "srCm"],
 *   srCm {"commId": {"id": ".../01903/v1.2.2#ProofOfApproval" | "...#ProofOfCreation"}},
 *   role? ("principal", "agent", "cosigner": informative; the verifier derives roles)
 * The payload is the approval statement:
 *   iss (the primary signer), role ("principal" | "agent"), prn, aud (= request iss), jti, iat,
 *   nonce (= request nonce), decision ("approve" | "reject"), rq (request reference),
 *   disp_dig, txd_hashes? + txd_hashes_alg?, tier (agents only), dlg (leaf reference, agents
 *   only), log?
 */
#define DID_APPROVAL_TYP "aprv+jws"
#define DID_APPROVAL_MAX_LEN 65536
#define DID_APPROVAL_MAX_SIGS 8
#define DID_COMMIT_APPROVAL "http://uri.etsi.org/01903/v1.2.2#ProofOfApproval"
#define DID_COMMIT_CREATION "http://uri.etsi.org/01903/v1.2.2#ProofOfCreation"

enum { DID_COMMITMENT_APPROVAL = 1, DID_COMMITMENT_CREATION = 2 };
enum { DID_ROLE_NONE = 0, DID_ROLE_PRINCIPAL, DID_ROLE_AGENT, DID_ROLE_COSIGNER };

/* One signature of a parsed envelope. */
typedef struct did_approval_sig {
    const char *protected_b64; /* borrowed from the envelope JSON */
    size_t protected_len;
    const char *signature_b64;
    size_t signature_len;
    /* filled by verification */
    int verified;
    json_t *header;                   /* owned, the verified protected header */
    ck_key *key;                      /* owned */
    char signer[DID_APR_MAX_DID + 1]; /* DID of the kid (or given by the x5t resolver) */
    int64_t iat;
    int commitment;   /* DID_COMMITMENT_* */
    int role_claimed; /* DID_ROLE_* from the header, NONE when absent */
} did_approval_sig;

typedef struct did_approval {
    json_t *envelope;        /* owned */
    const char *payload_b64; /* borrowed from envelope */
    size_t payload_len;
    size_t n_sigs;
    did_approval_sig sigs[DID_APPROVAL_MAX_SIGS];
    uint8_t digest[32]; /* SHA-256 of the envelope bytes as received */
    /* after did_approval_verify_sigs: the statement */
    json_t *statement; /* owned */
    const char *iss, *prn, *aud, *jti, *nonce, *rq, *disp_dig, *dlg, *log;
    int role;     /* DID_ROLE_PRINCIPAL or DID_ROLE_AGENT */
    int decision; /* 1 approve, 0 reject */
    int tier;     /* 0 for a principal */
    int64_t iat;
    const json_t *txd_hashes;
} did_approval;

void did_approval_init(did_approval *a);
void did_approval_clear(did_approval *a);

/* Parses an envelope (syntax only, nothing trusted): size, strict JSON, members, base64url of
 * every part, at most DID_APPROVAL_MAX_SIGS signatures. DID_ERR_APR_ENVELOPE; JSON errors
 * (duplicate keys...) pass through; DID_ERR_LIMIT past DID_APPROVAL_MAX_LEN. */
int did_approval_parse(const char *json, size_t len, did_approval *out, did_err *err);

/* A key for a signature that carries x5t#S256 instead of kid: the caller's certificate store
 * sets *key (new handle) and the signer's DID (or other id) in signer. */
typedef int (*did_approval_x5t_fn)(void *user, const char *x5t, size_t len, ck_key **key,
                                   char signer[DID_APR_MAX_DID + 1], did_err *err);

/* Verifies every signature over the one payload (each as a compact JWS: typ aprv+jws, allow-
 * listed alg, crit, kid's key in assertionMethod), checks each protected header strictly, and
 * only then decodes and checks the statement (DID_ERR_APR_STATEMENT). A signer may sign once
 * (DID_ERR_APR_ENVELOPE). JOSE errors pass through: a co-signature over other bytes is
 * DID_ERR_JWS_SIGNATURE. */
int did_approval_verify_sigs(const did_ctx *ctx, did_approval *a, did_approval_x5t_fn x5t,
                             void *x5t_user, did_err *err);

/* Checks an approval statement's claims (also used before signing). */
int did_approval_check_statement(const json_t *stmt, did_err *err);

/* Creates an envelope with the statement as payload (checked, JCS form) and no signature yet;
 * appends the JSON to out. */
int did_approval_create(const json_t *statement, did_buf *out, did_err *err);

/* Adds one signature to an envelope: parses env, signs exactly its payload with key under kid
 * (or, kid NULL, x5t_s256 set), with iat, the commitment and an informative role; appends the
 * new envelope JSON to out. */
int did_approval_add_signature(const char *env, size_t env_len, const ck_key *key, const char *kid,
                               const char *x5t_s256, int64_t iat, int commitment, int role,
                               did_buf *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Verification (spec/approvals.md, "Verification"): the design's steps 1-11 as far as they need
 * no service state; state comes through the callbacks. The first failure stops it; the result
 * records the checks that ran and the failure with its code.
 */
/* Replay: *seen = 1 if (request iss, request jti) or the statement jti was already used. */
typedef int (*did_approval_seen_fn)(void *user, const did_apreq *rq, const did_approval *a,
                                    int *seen, did_err *err);
/* Tier 2: *vetoed = 1 if a veto entry exists for the approval (digest of its envelope). */
typedef int (*did_approval_veto_fn)(void *user, const uint8_t approval_digest[32], int *vetoed,
                                    did_err *err);
/* Display: re-render tpl@ver(args, lang) and set *equal = 1 if it gives text exactly. */
typedef int (*did_approval_render_fn)(void *user, const did_apreq *rq, int *equal, did_err *err);

/* A document the verifier holds, to recompute its digest. */
typedef struct did_approval_doc {
    const char *label;
    const uint8_t *data;
    size_t len;
} did_approval_doc;

typedef struct did_approval_verify_opts {
    const char *verifier_id; /* this service's DID: the request's iss and the statement's aud */
    int64_t at;              /* trusted time (time-stamp, checkpoint); 0: now */
    int64_t skew;            /* 0..300 seconds */
    const char *const *trusted_roots; /* principals accepted at the chain root; NULL: any */
    did_approval_seen_fn seen;
    void *seen_user;
    did_dlg_revoked_fn revoked;
    void *revoked_user;
    did_dlg_budget_fn budget;
    void *budget_user;
    did_approval_veto_fn vetoed;
    void *vetoed_user;
    did_approval_render_fn render;
    void *render_user;
    did_approval_x5t_fn x5t;
    void *x5t_user;
    const did_approval_doc *docs; /* documents to recompute digests of (by label) */
    size_t n_docs;
    /* tier 2 */
    int64_t logged_at;     /* when the log accepted the approval; 0: not logged yet */
    int require_effective; /* refuse a tier-2 approval whose veto window is still open */
    /* tier 3: the approval's log entry, its tlog-proof and the log's key (and origin) */
    const uint8_t *log_entry;
    size_t log_entry_len;
    const uint8_t *tlog_proof;
    size_t tlog_proof_len;
    const did_log_vkey *log_key;
    const char *log_origin;
    int skip_audit; /* the caller logs now and proves later (intake); never offline */
} did_approval_verify_opts;

typedef struct did_approval_info {
    int role;             /* DID_ROLE_PRINCIPAL or DID_ROLE_AGENT */
    int decision;         /* 1 approve, 0 reject */
    int tier;             /* effective tier (0: a principal approved directly) */
    int64_t effective_at; /* tier 2: logged_at + veto window; else the signing time */
    size_t n_cosigners;
    int assurance; /* DID_SIG_LEVEL_* effective (min over chain and request) */
    char principal[DID_APR_MAX_DID + 1];
    char signer[DID_APR_MAX_DID + 1];
    uint8_t envelope_digest[32];
} did_approval_info;

/* Verifies an approval envelope against its request and (for agents) its delegation chain
 * (root first). Returns 0 when everything passed; otherwise the first failure's code, which is
 * also in res (check names "format", "request", "signature", "binding", "content", "delegation",
 * "scope", "tier", "audit"). info (optional) is filled as far as the checks got. */
int did_approval_verify(const did_ctx *ctx, const char *envelope, size_t env_len,
                        const char *request, size_t req_len, const char *const *dlg,
                        const size_t *dlg_lens, size_t n_dlg, const did_approval_verify_opts *opts,
                        did_approval_info *info, did_result *res, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Log entries (did/log_entry.h). Key thumbprints are RFC 7638 SHA-256; ids are DIDs (pairwise
 * for citizens). The caller supplies intake fields and the evidence blob's digest.
 */
typedef struct did_log_intake {
    uint8_t entry_id[DID_LOG_ENTRY_ID_LEN];
    uint64_t received_ms;
    const char *service_id;
    const uint8_t *request_id; /* 1..64 bytes */
    size_t request_id_len;
} did_log_intake;

/* A DID_LOG_ENTRY_APPROVAL entry for a verified approval: signer (agent, or the principal),
 * principal, delegation_ref (optional), one doc for the request (with disp_dig as presentation
 * digest) plus one per request document, commitment OID of the signer's srCm, action = cmd,
 * consent digest = disp digest, JAdES / sig_level, sig_digest = envelope digest, signing time,
 * evidence digest, and an extension (tag 1: tier u8; tag 2: each co-signer's key thumbprint). */
int did_approval_log_entry(const did_log_intake *in, const did_approval *a, const did_apreq *rq,
                           const did_approval_info *info, const uint8_t *delegation_ref,
                           const uint8_t evidence_digest[32], did_buf *out, did_err *err);

/* A DID_LOG_ENTRY_DELEGATION_GRANT entry for a verified link: delegator (iss), delegate (sub),
 * scope digest = SHA-256(JCS of the "dlg" claim), nbf/exp in ms, credential digest = link digest,
 * parent_ref (REF of the parent's grant entry, optional). */
int did_dlg_log_grant(const did_log_intake *in, const did_dlg *link, const uint8_t *parent_ref,
                      did_buf *out, did_err *err);

/* A DID_LOG_ENTRY_DELEGATION_REVOKE entry: who revoked (a party: DID + key), the grant entry
 * (REF), reason (DID_LOG_REVOKE_*). */
int did_dlg_log_revoke(const did_log_intake *in, const char *revoker_did, const ck_key *revoker_key,
                       const uint8_t grant_ref[DID_LOG_REF_LEN], int reason, did_buf *out,
                       did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_APPROVAL_H */
