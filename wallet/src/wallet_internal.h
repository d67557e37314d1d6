/* Private to the wallet library: the handle, decoded records, and the store's helpers. */
#ifndef WALLET_INTERNAL_H
#define WALLET_INTERNAL_H

#include <lmdb.h>

#include <wallet/wallet.h>

/* Record ids: "key-" / "cred-" and 16 hex digits; history entries: 16 hex digits. */
#define WL_KEY_PREFIX "key-"
#define WL_CRED_PREFIX "cred-"

struct wallet {
    MDB_env *env;
    MDB_dbi db_meta, db_keys, db_creds, db_history;
    uint8_t *mk;       /* master key, WALLET_MASTER_KEY_LEN bytes of ck_secret_alloc memory */
    ck_kdf_params kdf; /* parameters the master key is wrapped with */
    did_ctx *ctx;      /* did:key and did:jwk, for verification when the caller gives none */
};

/* A decoded record body. body is owned guarded memory; the other pointers point into it
 * (meta is a parsed copy of the JSON part). */
typedef struct wl_rec {
    uint8_t *body;
    size_t body_len;
    const uint8_t *secret;
    size_t secret_len;
    json_t *meta;
    const uint8_t *payload;
    size_t payload_len;
} wl_rec;

void wl_rec_init(wl_rec *r);
void wl_rec_clear(wl_rec *r);

/* ---- record.c ---- */
/* Encodes a body (version, secret, JSON, payload) into guarded memory (*body, free with
 * ck_secret_free). */
int wl_body_encode(const uint8_t *secret, size_t secret_len, const json_t *meta,
                   const uint8_t *payload, size_t payload_len, uint8_t **body, size_t *len,
                   did_err *err);
/* Decodes and checks a body of kind; takes ownership of body (freed on error too). */
int wl_body_decode(wallet_kind kind, uint8_t *body, size_t len, wl_rec *out, did_err *err);
/* 1 when id[0..len) is a valid record id of kind. */
int wl_id_valid(wallet_kind kind, const char *id, size_t len);
/* "key", "credential", "history entry". */
const char *wl_kind_name(wallet_kind kind);

/* Small JSON helpers: a string member or "" / a default. */
const char *wl_str(const json_t *obj, const char *name);
int64_t wl_int(const json_t *obj, const char *name);
/* Sets obj[name] to a new string; DID_ERR_ARG when s is not UTF-8. */
int wl_set_str(json_t *obj, const char *name, const char *s, did_err *err);
int wl_nomem(did_err *err);

/* ---- store.c ---- */
int wl_mdb_err(did_err *err, int rc, const char *what);
int wl_txn_begin(wallet *w, int write, MDB_txn **txn, did_err *err);
/* Commits; on failure the transaction is gone and nothing was written. */
int wl_txn_commit(MDB_txn *txn, did_err *err);
MDB_dbi wl_dbi(const wallet *w, wallet_kind kind);
/* Reads, opens and decodes record (kind, id). WALLET_ERR_NOT_FOUND when absent. */
int wl_get(wallet *w, MDB_txn *txn, wallet_kind kind, const char *id, wl_rec *out, did_err *err);
/* Seals body and stores it as a new record (kind, id): never replaces one. */
int wl_put(wallet *w, MDB_txn *txn, wallet_kind kind, const char *id, const uint8_t *body,
           size_t len, did_err *err);
/* Encodes and puts in one step. */
int wl_put_rec(wallet *w, MDB_txn *txn, wallet_kind kind, const char *id, const uint8_t *secret,
               size_t secret_len, const json_t *meta, const uint8_t *payload, size_t payload_len,
               did_err *err);
int wl_count(wallet *w, MDB_txn *txn, wallet_kind kind, size_t *n, did_err *err);
/* Calls fn for each record of kind in key order (decoded; cleared after the call). */
typedef int (*wl_rec_fn)(void *user, const char *id, const wl_rec *rec, did_err *err);
int wl_foreach(wallet *w, MDB_txn *txn, wallet_kind kind, wl_rec_fn fn, void *user, did_err *err);
/* Calls fn with the raw stored value of each record of kind (for the backup). */
typedef int (*wl_raw_fn)(void *user, const char *id, const uint8_t *val, size_t len, did_err *err);
int wl_foreach_raw(wallet *w, MDB_txn *txn, wallet_kind kind, wl_raw_fn fn, void *user,
                   did_err *err);
/* A fresh random id of kind ("key-..."/"cred-...") not yet used. */
int wl_new_id(wallet *w, MDB_txn *txn, wallet_kind kind, char id[WALLET_ID_MAX], did_err *err);
/* The next history id (one past the last). */
int wl_next_history_id(wallet *w, MDB_txn *txn, char id[WALLET_ID_MAX], did_err *err);
/* Checks a count against the limit of kind before adding `adding` more. */
int wl_check_room(wallet *w, MDB_txn *txn, wallet_kind kind, size_t adding, did_err *err);

/* ---- keys.c ---- */
/* Loads the private key of record id. */
int wl_key_load(wallet *w, MDB_txn *txn, const char *id, ck_key **key, wl_rec *rec, did_err *err);
/* Finds the key whose RFC 7638 thumbprint (base64url) or DID is `value` (member "thumbprint"
 * or "did"); id[0] = 0 when none. */
int wl_key_find(wallet *w, MDB_txn *txn, const char *member, const char *value,
                char id[WALLET_ID_MAX], did_err *err);
/* Generates and stores a key (inside txn). */
int wl_key_create(wallet *w, MDB_txn *txn, ck_key_type type, wallet_did_method method,
                  const char *label, const char *relationship, char id[WALLET_ID_MAX],
                  did_err *err);
/* Fills info from a key record's JSON (borrowed strings). */
void wl_key_info(const char *id, const json_t *meta, wallet_key_info *info);

/* ---- creds.c ---- */
/* Builds the ", "-joined types string of a record's "types". */
int wl_join_types(const json_t *types, did_buf *out, did_err *err);

#endif
