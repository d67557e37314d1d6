/*
 * fuzz_log_proof.c -- c2sp.org/tlog-proof@v1 parsing and offline verification (did/log.h).
 *
 * Every input goes through did_log_proof_parse and did_log_proof_verify of a fixed entry
 * against a fixed log key (Ed25519 from the seed below, origin fuzz.civid.example/log).
 * fuzz/corpus/log_proof/ holds proofs that log signed, for a 13-entry log whose entry 5 is the
 * fixed entry, so inputs can get past the signature and reach the inclusion check.
 * Invariants (abort on violation): only documented codes come back; the parsed form is cleared
 * on error; a parsed proof written back with did_log_proof_write is byte-identical to the input;
 * a proof that verifies parses, and its result matches the parsed checkpoint.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/log.h>

static const uint8_t fixed_seed[32] = "civid fuzz_log_note fixed seed 1";
static const char fixed_name[] = "fuzz.civid.example/log";
static const char fixed_entry[] = "civid fuzz_log_proof entry 5";

static did_log_vkey key;
static int ready;

/* One-time set-up; the fuzzer runs single-threaded. */
static void setup(void)
{
    ck_key *k = NULL;
    ck_err ce;
    did_err e;

    if (ready)
        return;
    if (ck_key_import_private(CK_KEY_ED25519, fixed_seed, sizeof fixed_seed, &k, &ce) != CK_OK ||
        did_log_vkey_from_key(k, fixed_name, strlen(fixed_name), &key, &e) != DID_OK)
        abort();
    ck_key_free(k);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_err e;
    did_log_proof p;

    setup();
    int rc = did_log_proof_parse(data, size, &p, &e);
    if (rc == DID_OK) {
        if (p.n_hashes > DID_LOG_TLOG_PROOF_MAX_HASHES || p.checkpoint == NULL ||
            p.checkpoint + p.checkpoint_len != data + size || p.note.nsigs == 0 ||
            (p.has_extra && (p.extra_len == 0 || p.extra_len > DID_LOG_EXTRA_MAX)))
            abort();
        did_buf b;
        did_buf_init(&b);
        rc = did_log_proof_write(p.index, (const uint8_t(*)[DID_LOG_HASH_LEN])p.hashes, p.n_hashes,
                                 p.has_extra ? p.extra : NULL, p.extra_len, p.checkpoint,
                                 p.checkpoint_len, &b, &e);
        if (rc == DID_OK && (b.len != size || memcmp(b.data, data, size) != 0))
            abort();
        if (rc != DID_OK && rc != DID_ERR_NOMEM)
            abort();
        did_buf_clear(&b);
    } else {
        if (p.n_hashes != 0 || p.checkpoint != NULL || p.has_extra)
            abort();
        if (rc != DID_ERR_LOG_PROOF_FORMAT && rc != DID_ERR_LOG_NOTE &&
            rc != DID_ERR_LOG_CHECKPOINT && rc != DID_ERR_LIMIT)
            abort();
    }

    did_log_verified out;
    int vrc = did_log_proof_verify((const uint8_t *)fixed_entry, strlen(fixed_entry), data, size,
                                   &key, NULL, 0, &out, &e);
    if (vrc == DID_OK) {
        if (rc != DID_OK || out.index != p.index || out.size != p.body.size ||
            memcmp(out.root, p.body.root, DID_LOG_HASH_LEN) != 0 || out.index >= out.size)
            abort();
    } else if (rc == DID_OK) {
        if (vrc != DID_ERR_LOG_KEY && vrc != DID_ERR_LOG_NOTE_SIG && vrc != DID_ERR_LOG_ORIGIN &&
            vrc != DID_ERR_LOG_SIZE && vrc != DID_ERR_LOG_PROOF && vrc != DID_ERR_LOG_CHECKPOINT)
            abort();
    } else if (vrc != rc) {
        abort(); /* a parse error must be reported as such */
    }
    return 0;
}
