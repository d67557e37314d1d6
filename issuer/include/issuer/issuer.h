/*
 * issuer/issuer.h -- the civid-issuer library: securing credentials in every format we issue
 * (shared by the offline `civid-issuer issue` command and the service), the issuer's LMDB state
 * (sealed keys, Bitstring Status Lists, issued credential records, admin token digests), and
 * `civid-issuer serve`, the W3C CCG VC-API issuance service on civid_httpd (ch/httpd.h).
 * spec/openapi-issuer.yaml describes the endpoints, spec/issuer-config.md the configuration.
 *
 * Prefix issuer_. Every fallible function returns 0 or an error code (ISSUER_ERR_* below, or a
 * DID_ERR_* / CK_ERR_* / CH_ERR_* code) with err filled. Secrets (keys, passphrase, tokens)
 * never reach a message.
 */
#ifndef ISSUER_ISSUER_H
#define ISSUER_ISSUER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ch/httpd.h>
#include <ck/ck.h>
#include <did/di.h>
#include <did/error.h>
#include <did/status.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Error codes of the issuer service (spec/errors.md, range 1250-1299). issuer_err_name() names
 * them and every other code (ch_err_name).
 */
enum {
    ISSUER_ERR_CREDENTIAL_UNKNOWN = 1250, /* 404: no credential with that id was issued here */
    ISSUER_ERR_CREDENTIAL_EXISTS = 1251,  /* 409: a credential with that id was issued already */
    ISSUER_ERR_NO_STATUS = 1252,    /* 409: the credential has no status entry of that purpose */
    ISSUER_ERR_LIST_UNKNOWN = 1253, /* 404: no status list with that id */
    ISSUER_ERR_FORMAT = 1254,       /* 400: unknown format, or an option the format does not take */
    ISSUER_ERR_STORE = 1255,        /* the LMDB store failed or holds a malformed record */
    ISSUER_ERR_NO_TOKEN = 1256,     /* no admin token given and none stored */
};

const char *issuer_err_name(int code);

/* ---------------------------------------------------------------------------------------------
 * Securing credentials (no state): what `civid-issuer issue` and POST /credentials/issue share.
 */
typedef enum issuer_format {
    ISSUER_FORMAT_DI_EDDSA_JCS = 1, /* "di-eddsa-jcs": Data Integrity eddsa-jcs-2022 */
    ISSUER_FORMAT_DI_ECDSA_JCS = 2, /* "di-ecdsa-jcs": Data Integrity ecdsa-jcs-2019 */
    ISSUER_FORMAT_VC_JWT = 3,       /* "vc-jwt": VC-JOSE application/vc+jwt */
    ISSUER_FORMAT_SD_JWT = 4,       /* "sd-jwt": SD-JWT VC (dc+sd-jwt) */
} issuer_format;

#define ISSUER_MAX_SD_PATHS 64

/* The format named name[0..len); ISSUER_ERR_FORMAT for any other name. */
int issuer_format_from_name(const char *name, size_t len, issuer_format *out, did_err *err);
const char *issuer_format_name(issuer_format f);
/* Appends the DID of key to out: did:key (jwk 0) or did:jwk (jwk 1). */
int issuer_key_did(const ck_key *key, int jwk, did_buf *out, did_err *err);
/* Appends the verification method DID URL of key: did:key + "#" + multibase, or did:jwk + "#0". */
int issuer_key_kid(const ck_key *key, int jwk, did_buf *out, did_err *err);
/* Appends the Multikey publicKeyMultibase value ("z6Mk...") of key. */
int issuer_key_multibase(const ck_key *key, did_buf *out, did_err *err);
/* The verification method of a holder given as a did:key / did:jwk DID or a DID URL. */
int issuer_holder_vm(const char *holder, did_buf *out, did_err *err);
/* Fills member `name` of doc with did when absent; when present (a string, or an object's
 * "id") it must be did: DID_ERR_VC_ISSUER_KEY otherwise. */
int issuer_set_issuer(json_t *doc, const char *name, const char *did, did_err *err);

typedef struct issuer_secure_opts {
    issuer_format format;
    const char *kid;             /* the signing key's verification method (DID URL) */
    const char *const *sd_paths; /* sd-jwt: NULL-terminated JSON Pointers, or NULL */
    const ck_key *holder_key;    /* sd-jwt: key bound into "cnf", or NULL */
} issuer_secure_opts;

/* Secures doc (not modified) with key. Data Integrity gives a new object in *obj; vc-jwt and
 * sd-jwt append the token to text. Errors: those of did_di_sign, did_vcjose_sign,
 * did_sdjwt_issue; ISSUER_ERR_FORMAT for sd paths / holder with another format. */
int issuer_secure(const ck_key *key, const issuer_secure_opts *o, const json_t *doc, json_t **obj,
                  did_buf *text, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Request bodies.
 */
#define ISSUER_STATUS_REVOCATION 0x1u
#define ISSUER_STATUS_SUSPENSION 0x2u
#define ISSUER_ID_MAX 1024 /* bytes in a credential id */

typedef struct issuer_issue_request {
    const json_t *credential; /* borrowed from the body: the credential (for sd-jwt, the
                                 claims set) */
    issuer_format format;     /* options.format, else the default given to the decoder */
    size_t n_sd;
    const char *sd[ISSUER_MAX_SD_PATHS + 1]; /* options.sd, NULL-terminated, borrowed */
    const char *holder;                      /* options.holder, borrowed, or NULL */
    unsigned status;                         /* ISSUER_STATUS_* bits from options.status */
} issuer_issue_request;

/* Decodes {"credential": {...}, "options": {"format", "sd", "holder", "status"}} where status
 * is true (revocation), false, or {"purpose": "revocation" | "suspension" | [both]}. Unknown
 * members are refused. Errors: DID_ERR_JSON_TYPE naming the member, ISSUER_ERR_FORMAT (unknown
 * format; sd / holder with a VC format; status with sd-jwt), DID_ERR_LIMIT. */
int issuer_issue_request_decode(const json_t *body, issuer_format default_format,
                                issuer_issue_request *out, did_err *err);

typedef enum issuer_status_action {
    ISSUER_REVOKE = 1,    /* revocation bit set (final) */
    ISSUER_SUSPEND = 2,   /* suspension bit set */
    ISSUER_UNSUSPEND = 3, /* suspension bit cleared */
} issuer_status_action;

typedef struct issuer_status_request {
    const char *credential_id; /* borrowed */
    size_t id_len;
    issuer_status_action action;
} issuer_status_request;

/* Decodes the VC-API shape {"credentialId": ID, "credentialStatus": [{"type":
 * "BitstringStatusListEntry", "status": "revoked" | "suspended" | "unsuspended"}]} (one entry)
 * or the short form {"credentialId": ID, "action": "revoke" | "suspend" | "unsuspend"}.
 * Errors: DID_ERR_JSON_TYPE naming the member. */
int issuer_status_request_decode(const json_t *body, issuer_status_request *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * The store: one LMDB environment (directory mode 0700, files 0600, durable commits), every
 * change one write transaction.
 */
#define ISSUER_MAX_KEYS 64
#define ISSUER_MAX_TOKENS 16

typedef struct issuer_store issuer_store;

int issuer_store_open(const char *dir, size_t map_size, issuer_store **out, did_err *err);
void issuer_store_close(issuer_store *st);

/* Keys. A key record holds the key type, its public key in clear and the secret sealed with
 * ck_key_seal. The current key signs; the others stay published. */
typedef struct issuer_keyring {
    size_t n;
    uint32_t ids[ISSUER_MAX_KEYS];
    ck_key *pub[ISSUER_MAX_KEYS]; /* public halves, oldest first */
    size_t current;               /* index into ids/pub of the signing key */
    ck_key *signing;              /* the current key, unsealed */
} issuer_keyring;

/* Seals key with pass under params and stores it as the new current key (*id its number). */
int issuer_store_add_key(issuer_store *st, const ck_key *key, const uint8_t *pass, size_t pass_len,
                         ck_kdf_params params, uint32_t *id, did_err *err);
/* Number of stored keys, or -1 on failure. */
int64_t issuer_store_key_count(issuer_store *st);
/* Loads every public key and unseals the current one (CK_ERR_PASSPHRASE for a wrong
 * passphrase). kr is filled; free with issuer_keyring_clear. */
int issuer_store_load_keys(issuer_store *st, const uint8_t *pass, size_t pass_len,
                           issuer_keyring *kr, did_err *err);
void issuer_keyring_clear(issuer_keyring *kr);

/* Admin tokens, as SHA-256 digests: set replaces the stored set. */
int issuer_store_set_tokens(issuer_store *st, const uint8_t (*digests)[32], size_t n, did_err *err);
int issuer_store_get_tokens(issuer_store *st, uint8_t (*digests)[32], size_t max, size_t *n,
                            did_err *err);

/* A status list entry assigned to a credential; list 0 means none. */
typedef struct issuer_status_ref {
    uint32_t list;
    uint32_t index;
} issuer_status_ref;

/* Called inside the issuance transaction with the entries assigned (refs[0] revocation,
 * refs[1] suspension); builds and signs the credential. A non-zero return aborts the
 * transaction: nothing is written. */
typedef int (*issuer_issue_fn)(void *user, const issuer_status_ref refs[2], did_err *err);

/* In one write transaction: refuses an id already recorded (ISSUER_ERR_CREDENTIAL_EXISTS),
 * assigns the next free index of the active list of each purpose in `status` (a new list of
 * list_entries entries when there is none or it is full), calls fn, and records id -> entries.
 * id NULL: nothing is recorded (status must then be 0). */
int issuer_store_issue(issuer_store *st, const char *id, size_t id_len, unsigned status,
                       size_t list_entries, int64_t now, issuer_issue_fn fn, void *user,
                       did_err *err);

/* Applies a status change to the credential id in one write transaction. *changed is 0 when
 * the bit already had that value. Errors: ISSUER_ERR_CREDENTIAL_UNKNOWN, ISSUER_ERR_NO_STATUS,
 * ISSUER_ERR_STORE. */
int issuer_store_set_status(issuer_store *st, const char *id, size_t id_len,
                            issuer_status_action action, int64_t now, int *changed, did_err *err);

/* The status list `list` as a bitstring (*out, free with did_status_list_free) and its purpose
 * (DID_STATUS_REVOCATION / DID_STATUS_SUSPENSION). ISSUER_ERR_LIST_UNKNOWN when absent. */
int issuer_store_get_list(issuer_store *st, uint32_t list, const char **purpose,
                          did_status_list **out, did_err *err);
/* The status entries recorded for credential id (ISSUER_ERR_CREDENTIAL_UNKNOWN if none). */
int issuer_store_get_record(issuer_store *st, const char *id, size_t id_len,
                            issuer_status_ref refs[2], did_err *err);
/* Credentials recorded, or -1 on failure. */
int64_t issuer_store_record_count(issuer_store *st);

/* ---------------------------------------------------------------------------------------------
 * Configuration (spec/issuer-config.md): a strict JSON file, then command-line overrides.
 */
#define ISSUER_PATH_MAX 1024
#define ISSUER_URL_MAX 512
#define ISSUER_CONFIG_MAX_BYTES ((size_t)1 << 20)

typedef struct issuer_config {
    char listen[CH_ADDRESS_MAX];
    char data_dir[ISSUER_PATH_MAX];
    char access_log[ISSUER_PATH_MAX]; /* "-": standard output, "": none, else a file */
    char problem_type_base[128];
    unsigned threads;
    size_t max_body;
    unsigned max_connections, max_connections_per_client, connection_timeout;
    unsigned shutdown_timeout;
    size_t map_size;
    char did[ISSUER_URL_MAX];      /* a did:web DID to issue as; "": the current key's did:key */
    char base_url[ISSUER_URL_MAX]; /* status list URLs are base_url + "/status/" + id; "":
                                      "http://" + the bound address */
    ck_key_type key_type;          /* type of generated keys */
    ck_kdf_params kdf;             /* Argon2id cost for sealing keys */
    issuer_format default_format;
    issuer_format status_format; /* vc-jwt, di-eddsa-jcs or di-ecdsa-jcs */
    unsigned status_max_age;     /* Cache-Control max-age of GET /status/{list}, seconds */
    size_t status_list_entries;  /* entries in each new list */
} issuer_config;

void issuer_config_init(issuer_config *c);
/* Applies the JSON text json[0..len): every member optional, unknown members refused. Errors:
 * the DID_ERR_JSON_* codes of the parse, DID_ERR_JSON_TYPE naming the member. */
int issuer_config_apply(issuer_config *c, const uint8_t *json, size_t len, did_err *err);
int issuer_config_load(issuer_config *c, const char *path, did_err *err);
/* "moderate" | "interactive" | "min"; DID_ERR_ARG otherwise. */
int issuer_kdf_from_name(const char *name, ck_kdf_params *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * The service.
 */
typedef struct issuer_secrets {
    const uint8_t *passphrase; /* seals and unseals the issuer keys (required) */
    size_t passphrase_len;
    const char *token; /* admin token: replaces the stored ones when non-NULL */
    size_t token_len;
    const ck_key *import_key; /* first start only: the key to store instead of a new one */
    int rotate;               /* add a new current key (old keys stay published) */
} issuer_secrets;

typedef struct issuer_service issuer_service;

/* Opens the store, sets up keys and tokens (see issuer_secrets), the access log and the HTTP
 * server with the issuer's routes. Nothing secret is kept but the unsealed signing key.
 * Errors: those of the store, ck, ch_server_new; ISSUER_ERR_NO_TOKEN; DID_ERR_ARG (bad did). */
int issuer_service_new(const issuer_config *c, const issuer_secrets *s, issuer_service **out,
                       did_err *err);
int issuer_service_start(issuer_service *v, did_err *err);
const char *issuer_service_address(const issuer_service *v);
/* The DID the service issues as (valid for the service's lifetime). */
const char *issuer_service_did(const issuer_service *v);
ch_server *issuer_service_server(issuer_service *v);
void issuer_service_shutdown(issuer_service *v);
void issuer_service_free(issuer_service *v);

#ifdef __cplusplus
}
#endif
#endif /* ISSUER_ISSUER_H */
