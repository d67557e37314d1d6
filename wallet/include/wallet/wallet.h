/*
 * wallet/wallet.h -- the citizen's wallet: an encrypted store of holder keys, credentials and a
 * consent log, and presentations built from them for a verifier's challenge and domain.
 *
 * One wallet is one directory holding one LMDB environment (created 0700, files 0600). Every
 * record is sealed with XChaCha20-Poly1305 under a random 32-byte master key; the master key is
 * wrapped under a key derived with Argon2id from the passphrase. The associated data of each
 * record binds its kind and id, so records cannot be swapped or moved. spec/wallet.md is the
 * normative description of the store, the records, the backup file, the limits and the errors.
 *
 * Conventions (those of libdid, did/error.h):
 *  - Every fallible function returns 0 or an error code and fills the optional `did_err *err`
 *    with the code and a message. The wallet's own codes are WALLET_ERR_* (1200-1249); codes of
 *    libdid and the crypto library pass through unchanged. wallet_err_name names them all.
 *  - A `wallet` handle is opaque. It is not thread-safe: use one handle from one thread at a
 *    time. Do not open the same wallet directory twice in one process (an LMDB rule); separate
 *    processes may use one wallet concurrently (each operation is one LMDB transaction).
 *  - Every operation that changes the wallet is one LMDB write transaction: it happens whole or
 *    not at all.
 *  - Secrets (master key, key-wrapping key, holder private keys, record bodies holding them)
 *    live in guarded memory (ck_secret_alloc) and are wiped after use. They never appear in an
 *    error message.
 *  - Strings passed in are NUL-terminated UTF-8; strings handed to callbacks are borrowed and
 *    valid only during the call.
 */
#ifndef WALLET_WALLET_H
#define WALLET_WALLET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ck/ck.h>
#include <did/did.h>
#include <did/error.h>
#include <did/fetch.h>
#include <did/result.h>
#include <did/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Errors: the range 1200-1249 (spec/errors.md, "Wallet").
 */
enum {
    WALLET_ERR_PASSPHRASE = 1200,  /* wrong passphrase (or the wallet's key record was altered) */
    WALLET_ERR_STORE = 1201,       /* LMDB or file-system failure (the message has the cause) */
    WALLET_ERR_FORMAT = 1202,      /* stored data malformed or of an unknown version */
    WALLET_ERR_TAMPERED = 1203,    /* a record fails authentication: changed, or moved */
    WALLET_ERR_NO_WALLET = 1204,   /* no wallet in that directory */
    WALLET_ERR_EXISTS = 1205,      /* a wallet is already there, or the credential is stored */
    WALLET_ERR_NOT_FOUND = 1206,   /* no key, credential or history entry with that id */
    WALLET_ERR_UNVERIFIED = 1207,  /* the credential does not verify: refused */
    WALLET_ERR_HOLDER_KEY = 1208,  /* no stored key for the credential's holder binding */
    WALLET_ERR_PRESENT = 1209,     /* that presentation cannot be made of this credential */
    WALLET_ERR_BACKUP = 1210,      /* backup file malformed, truncated or of unknown version */
    WALLET_ERR_BACKUP_AUTH = 1211, /* backup cannot be opened: wrong passphrase or tampered */
    WALLET_ERR_NOT_EMPTY = 1212,   /* a backup is restored only into an empty wallet */
};

/* Symbolic name of a wallet code ("WALLET_ERR_PASSPHRASE"), or of any libdid / crypto code
 * (did_err_name). */
const char *wallet_err_name(int code);

/* ---------------------------------------------------------------------------------------------
 * Limits (spec/wallet.md). DID_ERR_LIMIT names the one that was hit.
 */
#define WALLET_ID_MAX 32                     /* bytes of a record id, with the NUL */
#define WALLET_LABEL_MAX 256                 /* bytes of a key label, with the NUL */
#define WALLET_TEXT_MAX 1024                 /* bytes of a challenge or a domain */
#define WALLET_PATH_MAX 4096                 /* bytes of a wallet directory path */
#define WALLET_MAX_KEYS 4096                 /* holder keys in one wallet */
#define WALLET_MAX_CREDENTIALS 4096          /* credentials in one wallet */
#define WALLET_MAX_HISTORY 65536             /* consent log entries in one wallet */
#define WALLET_MAX_DISCLOSE 64               /* --disclose paths in one presentation */
#define WALLET_SECRET_MAX 64                 /* bytes of the secret part of a record body */
#define WALLET_META_MAX ((size_t)1 << 20)    /* bytes of a record body's JSON part */
#define WALLET_PAYLOAD_MAX ((size_t)1 << 20) /* bytes of a stored credential */
#define WALLET_BODY_MAX (WALLET_META_MAX + WALLET_PAYLOAD_MAX + 1024) /* a whole record body */
#define WALLET_RECORD_MAX (WALLET_BODY_MAX + 64)                      /* a sealed record */
#define WALLET_MAP_SIZE ((size_t)1 << 30)     /* LMDB map size: the most a wallet can hold */
#define WALLET_BACKUP_MAX ((size_t)512 << 20) /* bytes of a backup file */

/* ---------------------------------------------------------------------------------------------
 * Opening, creating, the passphrase.
 */
typedef struct wallet wallet;

/* Creates a new wallet in dir (created with mode 0700, missing parents too; an existing
 * directory must not hold a wallet yet) with a random master key wrapped under
 * Argon2id(pass, random salt, params), and returns it open in *out (close with wallet_close).
 * Errors: DID_ERR_ARG (NULL, empty passphrase), DID_ERR_LIMIT (path longer than
 * WALLET_PATH_MAX), WALLET_ERR_EXISTS, WALLET_ERR_STORE, CK_ERR_KDF. */
int wallet_create(const char *dir, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                  wallet **out, did_err *err);

/* Opens and unlocks the wallet in dir. Nothing is written (a wrong passphrase changes
 * nothing). Errors: WALLET_ERR_NO_WALLET (no wallet there), WALLET_ERR_PASSPHRASE,
 * WALLET_ERR_FORMAT (the key record is malformed or of an unknown version), CK_ERR_KDF (its
 * Argon2id parameters are outside the accepted range), WALLET_ERR_STORE. */
int wallet_open(const char *dir, const uint8_t *pass, size_t pass_len, wallet **out, did_err *err);

/* Wipes the master key and closes the store. NULL is a no-op. */
void wallet_close(wallet *w);

/* Re-wraps the master key under a new passphrase with a fresh salt and the given Argon2id
 * parameters (which may be stronger or weaker than before: this is how they are upgraded).
 * No record is re-encrypted. Errors: DID_ERR_ARG, CK_ERR_KDF, WALLET_ERR_STORE. */
int wallet_change_passphrase(wallet *w, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                             did_err *err);

/* What a wallet holds, for `civid-wallet info`. */
typedef struct wallet_info {
    ck_kdf_params kdf;  /* the Argon2id parameters the master key is wrapped with */
    size_t keys;        /* number of holder keys */
    size_t credentials; /* number of credentials */
    size_t history;     /* number of consent log entries */
} wallet_info;

int wallet_get_info(wallet *w, wallet_info *out, did_err *err);

/* The default wallet directory: $CIVID_WALLET_DIR, else $XDG_DATA_HOME/civid/wallet, else
 * $HOME/.local/share/civid/wallet, appended to out. DID_ERR_ARG when none of them is set. */
int wallet_default_dir(did_buf *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Holder keys. A key's DID is its did:key or did:jwk; its id is "key-" and 16 hex digits.
 */
typedef enum wallet_did_method {
    WALLET_DID_KEY = 0, /* did:key (Multikey) */
    WALLET_DID_JWK = 1, /* did:jwk */
} wallet_did_method;

typedef struct wallet_key_info {
    const char *id;
    ck_key_type type;
    wallet_did_method method;
    const char *did;          /* the DID */
    const char *kid;          /* its verification method (DID URL) */
    const char *label;        /* "" when none */
    const char *relationship; /* the verifier domain the key was made for, "" when none */
    int64_t created;          /* seconds since the epoch */
} wallet_key_info;

/* Called once per item by the listing functions; a non-zero return stops the listing and is
 * returned by it. */
typedef int (*wallet_key_fn)(void *user, const wallet_key_info *key);

/* Generates a key of type (not X25519) and stores it with an optional label (NULL: none; at
 * most WALLET_LABEL_MAX - 1 bytes of UTF-8). Its id is written to id (NUL-terminated); info, if
 * non-NULL, is called once with the new key. Errors: DID_ERR_ARG, DID_ERR_LIMIT
 * (WALLET_MAX_KEYS), crypto errors, WALLET_ERR_STORE. */
int wallet_key_new(wallet *w, ck_key_type type, wallet_did_method method, const char *label,
                   char id[WALLET_ID_MAX], wallet_key_fn info, void *user, did_err *err);

/* Calls fn for every key, in id order. Never exposes a private key. Errors: WALLET_ERR_TAMPERED,
 * WALLET_ERR_FORMAT (naming the record), WALLET_ERR_STORE, or fn's non-zero return. */
int wallet_keys_list(wallet *w, wallet_key_fn fn, void *user, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Credentials. Ids are "cred-" and 16 hex digits.
 */
typedef struct wallet_import_opts {
    const did_ctx *ctx; /* resolves the issuer's DID; NULL: the wallet's (did:key, did:jwk) */
    int64_t now;        /* seconds since the epoch; 0: the current time */
    int64_t skew;       /* allowed clock skew, 0..DID_VC_MAX_SKEW seconds */
} wallet_import_opts;

/* Verifies a credential in any format did_verify accepts (Data Integrity JSON, a vc+jwt, an
 * SD-JWT VC with all its disclosures, or an EnvelopedVerifiableCredential around a vc+jwt or
 * an SD-JWT VC, which is stored unwrapped) and stores it when, and only when, it verifies.
 * An SD-JWT VC bound to a holder key ("cnf") is stored only when the wallet holds that key;
 * a credential whose credentialSubject.id is the DID of a stored key is noted as bound to it.
 * r (optional, initialised by the caller) receives the verification result.
 * Errors: WALLET_ERR_UNVERIFIED (the message names the first failed check and its code),
 * DID_ERR_VC_FORMAT (not a credential format), DID_ERR_VC_TYPE (a presentation),
 * DID_ERR_SDJWT_FORMAT (an SD-JWT carrying a key binding JWT: a presentation),
 * WALLET_ERR_HOLDER_KEY, WALLET_ERR_EXISTS (already stored: the message names its id),
 * DID_ERR_LIMIT, WALLET_ERR_STORE. */
int wallet_cred_import(wallet *w, const uint8_t *in, size_t len, const wallet_import_opts *opts,
                       char id[WALLET_ID_MAX], did_result *r, did_err *err);

typedef struct wallet_cred_info {
    const char *id;
    const char *format;      /* "di-eddsa-jcs-2022", "di-ecdsa-jcs-2019", "vc-jwt", "sd-jwt" */
    const char *issuer;      /* issuer id ("iss" of an SD-JWT VC) */
    const char *types;       /* the types but VerifiableCredential, or the vct, ", "-joined */
    const char *valid_from;  /* dateTimeStamp, "" when none */
    const char *valid_until; /* dateTimeStamp, "" when none */
    const char *subject;     /* credentialSubject.id or "sub", "" when none */
    const char *holder_key;  /* id of the stored key it is bound to, "" when none */
    const char *status;      /* "not checked": listing does not fetch; wallet_cred_status does */
    int64_t imported;        /* seconds since the epoch */
} wallet_cred_info;

typedef int (*wallet_cred_fn)(void *user, const wallet_cred_info *cred);

/* Calls fn for every credential, in id order. Errors as wallet_keys_list. */
int wallet_creds_list(wallet *w, wallet_cred_fn fn, void *user, did_err *err);

/* One credential as a new JSON object (json_decref by the caller): the members of
 * wallet_cred_info, "credential" (the stored text, or the JSON object of a Data Integrity
 * credential), "claims" (the verified document: for an SD-JWT VC the claims with every
 * disclosure applied), and for an SD-JWT VC "disclosures" (each [name, value] or [value]).
 * Errors: WALLET_ERR_NOT_FOUND, WALLET_ERR_TAMPERED, WALLET_ERR_FORMAT, WALLET_ERR_STORE. */
int wallet_cred_show(wallet *w, const char *id, json_t **out, did_err *err);

/* Deletes a credential. Its consent log entries stay (they say what was disclosed, which
 * remains true); wallet_history_clear removes them. Errors: WALLET_ERR_NOT_FOUND,
 * WALLET_ERR_STORE. */
int wallet_cred_delete(wallet *w, const char *id, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Presentations.
 */
typedef enum wallet_vp_format {
    WALLET_VP_AUTO = 0, /* SD-JWT VC: SD-JWT+KB; Data Integrity: di; vc+jwt: jose */
    WALLET_VP_DI = 1,   /* a VerifiablePresentation with a Data Integrity proof */
    WALLET_VP_JOSE = 2, /* a vp+jwt */
} wallet_vp_format;

typedef struct wallet_present_opts {
    const char *challenge;       /* required: the verifier's challenge (nonce) */
    const char *domain;          /* required: the verifier's domain (audience) */
    const char *const *disclose; /* SD-JWT VC: NULL-terminated JSON Pointers of the claims to
                                    disclose (NULL: none of the selectively disclosable ones);
                                    other formats: must be NULL or empty */
    wallet_vp_format format;     /* for Data Integrity and vc+jwt credentials */
    const char *key_id;          /* the holder key; NULL: the key the credential is bound to,
                                    else the key made for this domain, else a new Ed25519 key
                                    for it (one key per relationship) */
    const did_ctx *ctx;          /* for the self-check; NULL: the wallet's */
    int64_t now;                 /* seconds since the epoch; 0: the current time */
} wallet_present_opts;

/* Builds a presentation of credential id for a verifier and appends it to out (NUL-terminated
 * text: an SD-JWT+KB, a JSON VerifiablePresentation, or a compact vp+jwt):
 *  - SD-JWT VC: the issuer-signed JWT, only the disclosures the chosen paths need, and a KB-JWT
 *    (nonce = challenge, aud = domain) signed with the key in the credential's "cnf";
 *  - Data Integrity / vc+jwt: a VerifiablePresentation whose holder is the key's DID, embedding
 *    the credential (a Data Integrity credential as an object, a vc+jwt as an
 *    EnvelopedVerifiableCredential data:application/vc+jwt URL), secured with a Data Integrity
 *    proof (purpose authentication, challenge, domain) or as a vp+jwt (nonce, aud).
 * The presentation is verified with did_verify (challenge and domain) before it is returned,
 * and a consent log entry (what was disclosed, to which domain, when, for which challenge) is
 * written in the same transaction as any new relationship key. On error nothing is written and
 * out is left as it was. Errors: DID_ERR_ARG, WALLET_ERR_NOT_FOUND, WALLET_ERR_HOLDER_KEY,
 * WALLET_ERR_PRESENT (a format or key the credential cannot be presented with, --disclose for
 * a credential that is not an SD-JWT VC), DID_ERR_SDJWT_PATH (a path naming nothing),
 * DID_ERR_LIMIT, WALLET_ERR_UNVERIFIED (the self-check failed, e.g. the credential expired),
 * WALLET_ERR_TAMPERED, WALLET_ERR_STORE, crypto errors. */
int wallet_present(wallet *w, const char *id, const wallet_present_opts *opts, did_buf *out,
                   did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Status and the services over HTTP (wallet/src/remote.c). The wallet does no I/O of its own:
 * the caller passes a did_fetcher (did/fetch.h: https only, bounded, cached), so one process
 * fetches each status list once while the fetcher's cache holds it.
 */
typedef enum wallet_status_state {
    WALLET_STATUS_NONE = 0,      /* "none": the credential has no credentialStatus */
    WALLET_STATUS_VALID = 1,     /* "valid": every status entry checked, none set */
    WALLET_STATUS_REVOKED = 2,   /* "revoked" */
    WALLET_STATUS_SUSPENDED = 3, /* "suspended" */
    WALLET_STATUS_UNKNOWN = 4,   /* "unknown": could not be checked (reason says why) */
} wallet_status_state;

typedef struct wallet_status {
    wallet_status_state state;
    const char *name;             /* "none", "valid", "revoked", "suspended", "unknown" */
    int code;                     /* DID_OK, or the status check's code (DID_ERR_STATUS_*) */
    char reason[DID_ERR_MSG_MAX]; /* "" for none / valid, else what the check found */
} wallet_status;

typedef struct wallet_status_opts {
    did_status_fetch_fn fetch; /* e.g. did_fetch_status_list with a did_status_fetcher */
    void *user;
    int64_t now;  /* seconds since the epoch; 0: the current time */
    int64_t skew; /* allowed clock skew on the list's validity, 0..86400 seconds */
} wallet_status_opts;

/* The name of a status state ("valid", ...). */
const char *wallet_status_name(wallet_status_state state);

/* Checks the credentialStatus of credential id (BitstringStatusListEntry, did/status.h) with
 * opts->fetch and fills *out. A failed fetch or a malformed list is not an error of this
 * function: it is WALLET_STATUS_UNKNOWN with the reason. A credential without
 * credentialStatus (or an SD-JWT VC, whose token status lists are not supported: unknown) is
 * reported as such. Errors: DID_ERR_ARG, WALLET_ERR_NOT_FOUND, WALLET_ERR_TAMPERED,
 * WALLET_ERR_FORMAT, WALLET_ERR_STORE. */
int wallet_cred_status(wallet *w, const char *id, const wallet_status_opts *opts,
                       wallet_status *out, did_err *err);

#define WALLET_HTTP_MAX ((size_t)2 << 20) /* bytes of a service's response */

/* POST base_url + "/challenges" (civid-verifier) and copies the challenge into challenge
 * (NUL-terminated). Errors: did_fetch_post's (DID_ERR_FETCH_STATUS: the message has the
 * problem's name and detail), DID_ERR_JSON_TYPE (no challenge string in the answer),
 * DID_ERR_LIMIT (base_url or the challenge too long). */
int wallet_http_challenge(did_fetcher *f, const char *base_url, char challenge[WALLET_TEXT_MAX],
                          did_err *err);

/* POST base_url + "/presentations/verify" (civid-verifier) with {"verifiablePresentation":
 * the presentation (a JSON object, or the compact text as a string), "options": {challenge,
 * domain}} and returns the verifier's answer (a JSON object with "verified") in *result
 * (json_decref by the caller). Returns 0 whenever the verifier answered with a result,
 * verified or not. Errors: DID_ERR_ARG, did_fetch_post's, DID_ERR_JSON_* (the answer is not
 * a JSON object with a boolean "verified"). */
int wallet_http_verify(did_fetcher *f, const char *base_url, const uint8_t *presentation,
                       size_t len, const char *challenge, const char *domain, json_t **result,
                       did_err *err);

/* Receives a credential from civid-issuer (a demo flow: POST base_url +
 * "/credentials/issue" with a bearer token; real issuance goes through OpenID4VCI). request
 * is the issuance request ({"credential": template, "options": {...}}); the holder DID of key
 * key_id (NULL: a new Ed25519 did:key made for this issuer, labelled with base_url) is filled
 * in as credentialSubject.id (VC formats; an id already there is kept) or options.holder
 * (sd-jwt; unless given). The answer's verifiableCredential is imported with
 * wallet_cred_import (verified before it is stored); its id is written to id. A new key stays
 * in the wallet even when the issuance fails. Errors: DID_ERR_ARG, DID_ERR_JSON_TYPE (request
 * not of that shape, or no verifiableCredential in the answer), WALLET_ERR_NOT_FOUND (no key
 * key_id), did_fetch_post's, wallet_cred_import's, wallet_key_new's. */
int wallet_receive(wallet *w, did_fetcher *f, const char *base_url, const char *token,
                   const json_t *request, const char *key_id, const wallet_import_opts *opts,
                   char id[WALLET_ID_MAX], did_err *err);

/* ---------------------------------------------------------------------------------------------
 * The consent log.
 */
typedef struct wallet_history_info {
    const char *id;         /* 16 hex digits, increasing */
    int64_t time;           /* seconds since the epoch */
    const char *credential; /* the credential's id (it may have been deleted since) */
    const char *issuer;
    const char *types;
    const char *format; /* of the presentation: "sd-jwt", "di", "vp-jwt" */
    const char *domain;
    const char *challenge;
    const char *holder; /* the holder DID the presentation was signed as */
    const char *key_id; /* the key that signed it */
    int whole;          /* 1: the whole credential was disclosed */
    size_t n_disclosed; /* SD-JWT VC: the chosen paths */
    const char *const *disclosed;
    size_t n_claims; /* SD-JWT VC: the top-level claims the verifier can read */
    const char *const *claims;
} wallet_history_info;

typedef int (*wallet_history_fn)(void *user, const wallet_history_info *entry);

/* Calls fn for every consent log entry, oldest first. Errors as wallet_keys_list. */
int wallet_history_list(wallet *w, wallet_history_fn fn, void *user, did_err *err);

/* Deletes every consent log entry. */
int wallet_history_clear(wallet *w, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Backup and restore. The backup file (spec/wallet.md) is its own encryption: Argon2id over the
 * backup passphrase with its own salt and parameters, XChaCha20-Poly1305 over the serialized
 * records with the versioned header as associated data.
 */
/* Appends an encrypted backup of every key, credential and consent log entry to out.
 * Errors: DID_ERR_ARG, CK_ERR_KDF, DID_ERR_LIMIT (past WALLET_BACKUP_MAX),
 * WALLET_ERR_TAMPERED, WALLET_ERR_STORE. */
int wallet_export(wallet *w, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                  did_buf *out, did_err *err);

/* Restores a backup into w, which must hold no key, credential or history entry. max caps the
 * Argon2id parameters a backup file may ask for (a file cannot make us spend more; a zero
 * member means the CK_KDF_*_MAX cap). Everything is decrypted and checked before one write
 * transaction stores it all: a truncated, tampered or malformed backup writes nothing.
 * Errors: WALLET_ERR_NOT_EMPTY, WALLET_ERR_BACKUP, WALLET_ERR_BACKUP_AUTH, CK_ERR_KDF,
 * DID_ERR_LIMIT, WALLET_ERR_STORE. */
int wallet_import_backup(wallet *w, const uint8_t *in, size_t len, const uint8_t *pass,
                         size_t pass_len, ck_kdf_params max, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * The codecs underneath, exposed for tests, fuzzing and tools that inspect a wallet.
 */
typedef enum wallet_kind {
    WALLET_KIND_KEY = 'k',
    WALLET_KIND_CREDENTIAL = 'c',
    WALLET_KIND_HISTORY = 'h',
} wallet_kind;

#define WALLET_MASTER_KEY_LEN 32

/* Seals a record body as the stored value of record (kind, id): version byte, random nonce,
 * ciphertext with the kind and id in the associated data. Appends to out. */
int wallet_record_seal(const uint8_t key[WALLET_MASTER_KEY_LEN], wallet_kind kind, const char *id,
                       const uint8_t *body, size_t len, did_buf *out, did_err *err);

/* Opens a stored value of record (kind, id). *body is ck_secret_alloc memory the caller frees
 * with ck_secret_free (NULL on error). WALLET_ERR_FORMAT (too short or long, unknown
 * version), WALLET_ERR_TAMPERED (authentication fails: changed, or another record's value). */
int wallet_record_open(const uint8_t key[WALLET_MASTER_KEY_LEN], wallet_kind kind, const char *id,
                       const uint8_t *val, size_t len, uint8_t **body, size_t *body_len,
                       did_err *err);

/* Decodes and checks a record body of the kind (its layout, the JSON part and its members,
 * the secret against the key type). WALLET_ERR_FORMAT names what is wrong. */
int wallet_record_check(wallet_kind kind, const uint8_t *body, size_t len, did_err *err);

/* Decrypts a backup file into *plain (ck_secret_alloc memory; free with ck_secret_free), the
 * serialized records. Errors: WALLET_ERR_BACKUP (malformed, truncated, unknown version),
 * CK_ERR_KDF (parameters above max or out of range), WALLET_ERR_BACKUP_AUTH. */
int wallet_backup_open(const uint8_t *in, size_t len, const uint8_t *pass, size_t pass_len,
                       ck_kdf_params max, uint8_t **plain, size_t *plain_len, did_err *err);

/* Encrypts serialized records plain[0..len) as a backup file appended to out. */
int wallet_backup_seal(const uint8_t *plain, size_t len, const uint8_t *pass, size_t pass_len,
                       ck_kdf_params params, did_buf *out, did_err *err);

/* Checks serialized records (the plaintext of a backup): count, kinds, ids, every body with
 * wallet_record_check, no id twice, nothing after the last record. WALLET_ERR_BACKUP. */
int wallet_backup_check(const uint8_t *plain, size_t len, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* WALLET_WALLET_H */
