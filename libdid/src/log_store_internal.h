/*
 * log_store_internal.h -- the LMDB store's handle, shared by log_store.c (open, close, the read
 * gate), log_store_read.c (reads), log_store_verify.c (the full check) and log_writer.c (the
 * callers' side of appends and checkpoints, and the writer thread: group commit, map growth,
 * checkpoint signing). Private to libdid.
 *
 * Locking:
 *  - mu guards the request queue, `closing`, the committed head (size, root), the
 *    latest checkpoint (cp_*), the bound verifier key and the counters. The writer thread is the
 *    only one that changes the committed head and the checkpoint; it does so under mu after the
 *    transaction committed.
 *  - The read gate (gate_mu, readers, resizing) keeps read transactions and map resizing apart:
 *    mdb_env_set_mapsize may only run while no transaction of this process is active. Every
 *    read transaction is taken inside the gate; the writer closes it (waiting for the readers
 *    to leave) only to resize, between its own write transactions.
 *  - peaks is the writer's alone (set before the thread starts, read at close after it ended).
 */
#ifndef DID_LOG_STORE_INTERNAL_H
#define DID_LOG_STORE_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>

#include <lmdb.h>

#include <did/log_store.h>

enum { LOG_REQ_APPEND = 1, LOG_REQ_CHECKPOINT = 2 };

/* One queued request; lives on the stack of the thread that waits for it. */
typedef struct log_req {
    struct log_req *next;
    int kind;
    /* append */
    const uint8_t *entry;
    size_t len;
    uint8_t req_key[DID_LOG_HASH_LEN]; /* SHA-256(service id || 0x00 || request id) */
    uint8_t leaf[DID_LOG_HASH_LEN];    /* leaf hash, computed by the submitter */
    did_log_append_result res;
    /* checkpoint */
    const ck_key *sign_key;
    did_buf *note;
    /* completion: the writer fills rc, err, res, then posts *done (the waiter's semaphore,
     * shared by the requests of one did_log_append_many); it never touches r after that */
    int rc;
    did_err err;
    sem_t *done;
} log_req;

struct did_log_store {
    MDB_env *env;
    MDB_dbi db_entries, db_nodes, db_by_request, db_checkpoints, db_tst, db_blobs, db_meta;
    int lock_fd;
    char *dir;
    char origin[DID_LOG_ORIGIN_MAX + 1];
    size_t origin_len;
    const ck_key *auto_key;
    uint64_t cp_store_ms;     /* interval between stored automatic checkpoints */
    uint64_t cp_stored_at_ms; /* writer's: monotonic time of the last stored checkpoint */
    size_t batch_max_entries;
    size_t batch_max_bytes;

    pthread_mutex_t gate_mu;
    pthread_cond_t gate_cv;
    unsigned readers;
    int resizing;

    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* the writer waits here for requests */
    log_req *head, *tail;
    int closing;
    int writer_idle; /* the writer is waiting on work_cv */
    int writer_started;
    pthread_t writer;

    uint64_t size; /* committed head */
    uint8_t root[DID_LOG_HASH_LEN];
    int has_cp; /* latest signed checkpoint */
    uint64_t cp_size;
    uint8_t cp_root[DID_LOG_HASH_LEN];
    did_buf cp_note;
    int cp_stored; /* 0: signed automatically, to be stored in the next transaction */
    int behind;    /* the head is behind cp_size, or has not been checked against it yet */
    int broken;    /* an invariant failed while writing: no more writes */
    int has_vkey;
    did_log_vkey vkey;
    did_log_store_stats st;

    did_log_peaks peaks; /* the writer's: peaks of the committed head */
};

/* LMDB failure -> DID_ERR_LOG_STORE "log store: <what>: <mdb_strerror>". */
int did_log_i_mdb_err(did_err *err, int rc, const char *what);
/* Key encodings. */
void did_log_i_be64(uint64_t v, uint8_t out[8]);

/* SHA-256(service id || 0x00 || request id), the by_request key. DID_ERR_ARG unless the ids
 * are 1..DID_LOG_SERVICE_ID_MAX bytes without NUL and 1..DID_LOG_REQUEST_ID_MAX bytes. */
int did_log_i_request_key(const uint8_t *svc, size_t svc_len, const uint8_t *req, size_t req_len,
                          uint8_t out[DID_LOG_HASH_LEN], did_err *err);

/* Read transactions inside the read gate. */
int did_log_i_read_begin(did_log_store *s, MDB_txn **txn, did_err *err);
void did_log_i_read_end(did_log_store *s, MDB_txn *txn);
/* Closes the gate (waits for readers to leave), runs mdb_env_set_mapsize(size), reopens it.
 * size 0 adopts a size another process set. */
int did_log_i_set_mapsize(did_log_store *s, size_t size, did_err *err);

/* A node source reading `nodes` in txn (any transaction of this store). */
typedef struct log_src_ctx {
    did_log_store *s;
    MDB_txn *txn;
} log_src_ctx;
void did_log_i_source(did_log_store *s, MDB_txn *txn, log_src_ctx *ctx, did_log_source *src);

/* Internal return value (never seen by callers): MDB_MAP_FULL, grow the map and retry. */
#define DID_LOG_I_MAP_FULL (-1)

/* meta "state": size || root || peaks. DID_LOG_I_MAP_FULL when the map is full. */
int did_log_i_state_put(did_log_store *s, MDB_txn *txn, const did_log_peaks *p,
                        const uint8_t root[DID_LOG_HASH_LEN], did_err *err);

/* Checks a stored checkpoint note: it parses, is for this origin and `size` and, if vk is
 * non-NULL, carries a valid signature by it. DID_ERR_LOG_STATE otherwise. */
int did_log_i_check_note(const did_log_store *s, const did_log_vkey *vk, const uint8_t *p, size_t n,
                         uint64_t size, did_log_checkpoint *cp, did_err *err);

/* The writer thread (log_writer.c). */
void *did_log_i_writer_main(void *arg);
/* Queues the n requests of the list first .. last (linked by next, each with done = sem) and
 * waits for all of them; DID_ERR_LOG_CLOSED (nothing queued) if the store is closing. After a
 * successful return each request holds its own rc and err. */
int did_log_i_submit(did_log_store *s, log_req *first, log_req *last, size_t n, sem_t *sem,
                     did_err *err);

#endif
