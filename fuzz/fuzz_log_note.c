/*
 * fuzz_log_note.c -- C2SP signed notes, tlog-checkpoint bodies and verifier keys (did/log.h).
 *
 * Every input goes through:
 *   1. did_log_note_parse, then did_log_note_verify against two fixed keys (the Go note
 *      package's PeterNeumann key and a key from a fixed seed; fuzz/corpus/log_note/ holds notes
 *      they signed), then did_log_checkpoint_parse of the note text and did_log_checkpoint_open;
 *   2. did_log_checkpoint_parse of the raw input;
 *   3. did_log_vkey_parse of the raw input.
 * Invariants (abort on violation): only documented codes come back; parsed forms are cleared on
 * error; whatever parses is canonical -- the note rebuilt from its parsed form, a checkpoint
 * body written back (when its origin is a key name) and a verifier key formatted back are
 * byte-identical to the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/log.h>

static const char peter_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const uint8_t fixed_seed[32] = "civid fuzz_log_note fixed seed 1";
static const char fixed_name[] = "fuzz.civid.example/log";

static did_log_vkey keys[2];
static int ready;

/* One-time set-up; the fuzzer runs single-threaded. */
static void setup(void)
{
    ck_key *k = NULL;
    ck_err ce;
    did_err e;

    if (ready)
        return;
    if (did_log_vkey_parse(peter_vkey, strlen(peter_vkey), &keys[0], &e) != DID_OK ||
        ck_key_import_private(CK_KEY_ED25519, fixed_seed, sizeof fixed_seed, &k, &ce) != CK_OK ||
        did_log_vkey_from_key(k, fixed_name, strlen(fixed_name), &keys[1], &e) != DID_OK)
        abort();
    ck_key_free(k);
    ready = 1;
}

static int same(const did_buf *b, const uint8_t *p, size_t n)
{
    return b->len == n && (n == 0 || memcmp(b->data, p, n) == 0);
}

static void note_round_trip(const did_log_note *note, const uint8_t *data, size_t size)
{
    did_buf b;
    did_buf_init(&b);
    int ok = did_buf_append(&b, note->text, note->text_len) == DID_OK &&
             did_buf_append(&b, "\n", 1) == DID_OK;
    for (size_t i = 0; ok && i < note->nsigs; i++) {
        const did_log_note_sig *s = &note->sigs[i];
        ok = did_buf_append(&b, "\xe2\x80\x94 ", 4) == DID_OK &&
             did_buf_append(&b, s->name, s->name_len) == DID_OK &&
             did_buf_append(&b, " ", 1) == DID_OK &&
             did_buf_append(&b, s->b64, s->b64_len) == DID_OK &&
             did_buf_append(&b, "\n", 1) == DID_OK;
    }
    if (ok && !same(&b, data, size))
        abort();
    did_buf_clear(&b);
}

static void checkpoint_round_trip(const did_log_checkpoint *cp, const uint8_t *text, size_t len)
{
    did_buf b;
    did_err e;
    did_buf_init(&b);
    int rc = did_log_checkpoint_write(cp, &b, &e);
    /* Origins that are not key names (spaces, '+') parse but are never written. */
    if (rc == DID_OK && !same(&b, text, len))
        abort();
    if (rc != DID_OK && rc != DID_ERR_LOG_CHECKPOINT && rc != DID_ERR_NOMEM)
        abort();
    did_buf_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_err e;
    did_log_note note;
    did_log_checkpoint cp;

    setup();
    int rc = did_log_note_parse(data, size, &note, &e);
    if (rc == DID_OK) {
        if (note.nsigs == 0 || note.nsigs > DID_LOG_NOTE_MAX_SIGS || note.text != data ||
            note.text_len >= size)
            abort();
        note_round_trip(&note, data, size);
        uint8_t ok[2] = {9, 9};
        size_t n_ok = 99;
        rc = did_log_note_verify(&note, keys, 2, ok, &n_ok, &e);
        if (rc == DID_OK && (n_ok == 0 || n_ok > 2 || (size_t)ok[0] + ok[1] != n_ok))
            abort();
        if (rc != DID_OK && rc != DID_ERR_LOG_KEY && rc != DID_ERR_LOG_NOTE_SIG)
            abort();
        rc = did_log_checkpoint_parse(note.text, note.text_len, &cp, &e);
        if (rc == DID_OK)
            checkpoint_round_trip(&cp, note.text, note.text_len);
        else if (rc != DID_ERR_LOG_CHECKPOINT && rc != DID_ERR_LIMIT)
            abort();
        for (size_t k = 0; k < 2; k++) {
            rc = did_log_checkpoint_open(data, size, &keys[k], 1, NULL, 0, NULL, &cp, &e);
            if (rc != DID_OK && rc != DID_ERR_LOG_KEY && rc != DID_ERR_LOG_NOTE_SIG &&
                rc != DID_ERR_LOG_CHECKPOINT && rc != DID_ERR_LIMIT && rc != DID_ERR_LOG_ORIGIN)
                abort();
        }
    } else {
        if (note.nsigs != 0 || note.text != NULL)
            abort();
        if (rc != DID_ERR_LOG_NOTE && rc != DID_ERR_LIMIT)
            abort();
    }

    rc = did_log_checkpoint_parse(data, size, &cp, &e);
    if (rc == DID_OK)
        checkpoint_round_trip(&cp, data, size);
    else if (rc != DID_ERR_LOG_CHECKPOINT && rc != DID_ERR_LIMIT)
        abort();

    did_log_vkey v;
    rc = did_log_vkey_parse((const char *)data, size, &v, &e);
    if (rc == DID_OK) {
        did_buf b;
        did_buf_init(&b);
        if (did_log_vkey_format(&v, &b, &e) == DID_OK && !same(&b, data, size))
            abort();
        did_buf_clear(&b);
    } else if (rc != DID_ERR_LOG_KEY) {
        abort();
    }
    return 0;
}
