/*
 * did/log_store.h -- the audit log on LMDB: durable appends with group commit, checkpoints,
 * proofs.
 *
 * One store is one LMDB environment in one directory, holding one log (one origin, one signing
 * key). The layout, the guarantees and the crash semantics are in spec/auditlog.md ("Storage");
 * in short:
 *
 *  - Durable on acknowledgement. did_log_append returns an index only after the LMDB write
 *    transaction holding the entry has committed with LMDB's default full sync (the store never
 *    sets MDB_NOSYNC, MDB_NOMETASYNC, MDB_MAPASYNC or MDB_WRITEMAP). Appends from any number of
 *    threads are queued to one writer thread, which commits whatever is queued (up to a bound)
 *    in one transaction: that is what makes durable appends fast.
 *  - Append-only. Entries and tree nodes are written once, with MDB_APPEND, under strictly
 *    increasing keys; nothing is ever rewritten.
 *  - Idempotent. An append carries the requesting service's id and its request id (both are
 *    fields of the entry too); appending the same pair again returns the earlier index and leaf
 *    hash and appends nothing, even after a crash or a restart.
 *  - Checkpoints are signed only over committed (size, root); the log never signs two different
 *    roots for one size, and at start-up it recomputes its root from the stored nodes and
 *    compares it with the stored state and with the latest checkpoint: a mismatch refuses the
 *    open (DID_ERR_LOG_STATE); a store behind its latest checkpoint opens (to be read or
 *    repaired) but refuses to sign (DID_ERR_LOG_STATE).
 *
 * Thread safety: every function may be called from any thread at the same time, except
 * did_log_store_open and did_log_store_close. did_log_store_close may be called while other
 * threads are blocked in did_log_append or did_log_store_checkpoint (they get their results
 * first) but not while reads are running; no call may start after it. No global state: two stores
 * (on two directories) in one process are independent; the same directory must not be opened twice
 * (DID_ERR_LOG_LOCKED). Never use a store in a child after fork().
 *
 * Every fallible function returns 0 or a DID_ERR_* code and fills the optional did_err.
 */
#ifndef DID_LOG_STORE_H
#define DID_LOG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <did/error.h>
#include <did/log.h>
#include <did/log_entry.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct did_log_store did_log_store;

#define DID_LOG_STORE_MAP_DEFAULT ((size_t)1 << 30) /* initial map size: 1 GiB, grows */
#define DID_LOG_STORE_BATCH_ENTRIES 1024            /* default entries per transaction */
#define DID_LOG_STORE_BATCH_BYTES ((size_t)4 << 20) /* default entry bytes per transaction */
#define DID_LOG_STORE_MAX_READERS 512               /* default concurrent read transactions */

typedef struct did_log_store_opts {
    /* Create the directory (mode 0700) and a new, empty log if there is none. */
    int create;
    /* The log's origin, which is also the name it signs checkpoints under (a valid key name,
     * at most DID_LOG_ORIGIN_MAX bytes). Required to create; when opening an existing log, if
     * set it must equal the stored origin (DID_ERR_LOG_ORIGIN). */
    const char *origin;
    size_t origin_len;
    /* Optional private Ed25519 key, borrowed until did_log_store_close. When set, the writer
     * signs a checkpoint over each batch right after it commits (so did_log_store_proof serves
     * a proof for an entry as soon as its append returns) and stores the latest such note with
     * a later transaction, at most once per checkpoint_store_ms, and at close; see
     * spec/auditlog.md. The first key used binds the log: its verifier key is stored and any
     * other key is refused (DID_ERR_LOG_KEY). */
    const ck_key *checkpoint_key;
    /* Minimum interval between two stored automatic checkpoints (0: 1000 ms). */
    unsigned checkpoint_store_ms;
    /* Initial LMDB map size in bytes (0: DID_LOG_STORE_MAP_DEFAULT). The map doubles when a
     * transaction fills it; LMDB raises it to the size of the data at open. */
    size_t map_size;
    /* Bounds of one write transaction (0: the defaults above). */
    size_t batch_max_entries;
    size_t batch_max_bytes;
    /* LMDB reader slots (0: DID_LOG_STORE_MAX_READERS): one per thread that reads. */
    unsigned max_readers;
} did_log_store_opts;

/* Zeroes *opts: no create, no origin check, no key, default sizes. */
void did_log_store_opts_init(did_log_store_opts *opts);

/* Opens (or with opts->create, creates) the log in directory dir, checks the stored state
 * (spec/auditlog.md, "Opening") and starts the writer thread. *out is freed with
 * did_log_store_close. Errors: DID_ERR_ARG (bad options), DID_ERR_LOG_LOCKED (the directory is
 * open elsewhere), DID_ERR_LOG_STORE (LMDB or file-system failure, no log without create),
 * DID_ERR_LOG_ORIGIN (origin differs), DID_ERR_LOG_KEY (checkpoint_key is not the log's key),
 * DID_ERR_LOG_STATE (stored state inconsistent). */
int did_log_store_open(const char *dir, const did_log_store_opts *opts, did_log_store **out,
                       did_err *err);

/* Stops accepting requests, lets the writer commit everything already queued (every waiting
 * did_log_append gets its result), stores the last automatic checkpoint, joins the writer and
 * frees the store. Returns 0, or the error of that last write (the store is freed anyway).
 * NULL is a no-op. */
int did_log_store_close(did_log_store *s, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Appending
 */
typedef struct did_log_append_result {
    uint64_t index;                      /* the entry's index */
    uint8_t leaf_hash[DID_LOG_HASH_LEN]; /* SHA-256(0x00 || entry) of the stored entry */
    int duplicate; /* 1: (service id, request id) was appended before: index and leaf_hash are
                      the earlier entry's, and this entry was not appended */
    uint64_t size; /* tree size committed with the batch (> index) */
} did_log_append_result;

/* Appends entry[0 .. len) and blocks until the transaction holding it has committed (durable).
 * The entry must decode (did_log_entry_decode) and its service_id and request_id fields must
 * equal the arguments. If the pair was appended before, nothing is appended and the earlier
 * index is returned with duplicate set (the entries are not compared: a retry may carry a new
 * entry id or intake time). Errors: DID_ERR_ARG, DID_ERR_LOG_ENTRY / DID_ERR_LIMIT (entry),
 * DID_ERR_LOG_CLOSED, DID_ERR_LOG_STORE (the batch failed to commit: nothing of it is stored and
 * the same request may be retried), DID_ERR_LOG_STATE (the store found an invariant broken and
 * stopped writing), DID_ERR_LOG_SIZE (the tree is full). */
int did_log_append(did_log_store *s, const uint8_t *service_id, size_t service_id_len,
                   const uint8_t *request_id, size_t request_id_len, const uint8_t *entry,
                   size_t len, did_log_append_result *res, did_err *err);

/* One append of did_log_append_many. */
typedef struct did_log_append_req {
    const uint8_t *service_id;
    size_t service_id_len;
    const uint8_t *request_id;
    size_t request_id_len;
    const uint8_t *entry;
    size_t len;
} did_log_append_req;

/* Appends n entries with one wait: each is checked as by did_log_append, the valid ones are
 * queued together (in order, so they get increasing indices unless some are duplicates) and
 * the call returns once all of them have committed. codes[i] receives each request's own
 * result (0 or the code did_log_append would have returned) and results[i] its index and leaf
 * hash. Returns 0 if every request succeeded, otherwise the first failing request's code
 * (with its message in err). For a front end that gathers requests (an event loop) instead of
 * blocking one thread per request. */
int did_log_append_many(did_log_store *s, const did_log_append_req *reqs, size_t n,
                        did_log_append_result *results, int *codes, did_err *err);

/* The index of the entry appended for (service id, request id): *found 0 if none. */
int did_log_store_lookup(did_log_store *s, const uint8_t *service_id, size_t service_id_len,
                         const uint8_t *request_id, size_t request_id_len, int *found,
                         uint64_t *index, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Reading (each call is one short LMDB read transaction)
 */
/* The committed tree size and root (either may be NULL). */
int did_log_store_head(did_log_store *s, uint64_t *size, uint8_t root[DID_LOG_HASH_LEN],
                       did_err *err);
/* Appends the bytes of entry `index` to out. DID_ERR_LOG_SIZE if index >= the size. */
int did_log_store_entry(did_log_store *s, uint64_t index, did_buf *out, did_err *err);
/* The leaf hash of entry `index`, from the nodes database. */
int did_log_store_leaf_hash(did_log_store *s, uint64_t index, uint8_t out[DID_LOG_HASH_LEN],
                            did_err *err);
/* The root at any size <= the committed size. */
int did_log_store_root(did_log_store *s, uint64_t size, uint8_t root[DID_LOG_HASH_LEN],
                       did_err *err);
/* RFC 9162 inclusion proof of index in the tree of `size` leaves (size <= the committed size),
 * and consistency proof between two sizes; as did_log_inclusion_proof and
 * did_log_consistency_proof, served from the stored nodes. */
int did_log_store_inclusion_proof(did_log_store *s, uint64_t index, uint64_t size,
                                  uint8_t proof[][DID_LOG_HASH_LEN], size_t cap, size_t *n,
                                  did_err *err);
int did_log_store_consistency_proof(did_log_store *s, uint64_t size1, uint64_t size2,
                                    uint8_t proof[][DID_LOG_HASH_LEN], size_t cap, size_t *n,
                                    did_err *err);

/* Full check of the stored log, O(size) (an fsck; the open only reloads the peaks): in one read
 * transaction, entries are stored under 0, 1, 2, ... and each decodes; rehashing them in order
 * reproduces every stored node (not only the peaks) and the stored root; and every stored
 * checkpoint verifies (once a key is bound) and has the tree's root at its size. *checked
 * (optional) receives the number of entries checked. DID_ERR_LOG_STATE at the first mismatch.
 * The read transaction lasts the whole scan: pages written meanwhile are not reused until it
 * ends, so run it when the log is quiet or accept the file growing a little. */
int did_log_store_verify(did_log_store *s, uint64_t *checked, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Checkpoints and tlog-proofs
 */
/* Signs a c2sp.org/tlog-checkpoint over the latest committed (size, root) with key (private
 * Ed25519, signing under the log's origin), stores it and appends the signed note to note.
 * If a checkpoint for that size exists already it is returned as stored (Ed25519 is
 * deterministic, so it is byte-identical to a fresh signature). The request goes through the
 * writer thread, after whatever is queued. Errors: DID_ERR_LOG_KEY (not the log's key),
 * DID_ERR_LOG_STATE (the store is behind, or its root at the size of the latest checkpoint
 * differs from that checkpoint's: it refuses to sign), DID_ERR_LOG_STORE, DID_ERR_LOG_CLOSED. */
int did_log_store_checkpoint(did_log_store *s, const ck_key *key, did_buf *note, did_err *err);

/* The latest checkpoint the store has signed (stored, or signed automatically and about to be
 * stored): appends its note to note (may be NULL) and sets *size (may be NULL).
 * DID_ERR_LOG_SIZE if it has signed none. */
int did_log_store_latest_checkpoint(did_log_store *s, did_buf *note, uint64_t *size, did_err *err);

/* The stored checkpoint at exactly `size`: appends it to note. DID_ERR_LOG_SIZE if none. */
int did_log_store_checkpoint_at(did_log_store *s, uint64_t size, did_buf *note, did_err *err);

/* Appends a c2sp.org/tlog-proof@v1 for entry `index` against the latest checkpoint
 * (did_log_store_latest_checkpoint): the inclusion proof at the checkpoint's size, then the
 * signed checkpoint. It verifies with did_log_proof_verify and the log's verifier key.
 * DID_ERR_LOG_SIZE if no checkpoint covers index yet. */
int did_log_store_proof(did_log_store *s, uint64_t index, did_buf *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Introspection
 */
typedef struct did_log_store_stats {
    uint64_t size;            /* committed tree size */
    uint64_t checkpoint_size; /* size of the latest signed checkpoint (0: none) */
    uint64_t commits;         /* write transactions committed by this handle */
    uint64_t appended;        /* entries appended by this handle */
    uint64_t duplicates;      /* appends answered with an earlier index */
    uint64_t map_grows;       /* times the map was grown after MDB_MAP_FULL */
    uint64_t max_batch;       /* largest number of requests in one transaction */
    size_t map_size;          /* current LMDB map size */
    int behind;               /* 1: behind the latest checkpoint, signing refused */
} did_log_store_stats;

int did_log_store_stats_get(did_log_store *s, did_log_store_stats *out, did_err *err);

/* The log's origin (NUL-terminated, valid for the store's lifetime) and, once a key is bound,
 * its verifier key: *has_vkey 0 if no checkpoint was ever signed. */
const char *did_log_store_origin(const did_log_store *s);
int did_log_store_vkey(did_log_store *s, did_log_vkey *vkey, int *has_vkey, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_LOG_STORE_H */
