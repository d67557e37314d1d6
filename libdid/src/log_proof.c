/*
 * log_proof.c -- C2SP tlog-checkpoint bodies and c2sp.org/tlog-proof@v1: parse, write, and the
 * offline verification of an entry against a proof and the log's verifier key.
 *
 * The order of verification follows "unverified note text is not data": the checkpoint body
 * is only trusted (origin compared, size and root used) after the log's signature over it has
 * verified.
 */
#include <stdio.h>
#include <string.h>

#include <did/log.h>

#include "log_internal.h"

#define ROOT_B64_LEN 44 /* canonical padded base64 of 32 bytes */

static int log_put(did_buf *out, const void *p, size_t n, did_err *err)
{
    int rc = did_buf_append(out, p, n);
    if (rc != DID_OK)
        return did_err_set(err, rc, "cannot grow the output buffer");
    return DID_OK;
}

static void log_truncate(did_buf *out, size_t len)
{
    out->len = len;
    if (out->data != NULL)
        out->data[len] = 0;
}

/* The line starting at in[pos] (without its '\n') and the offset after the '\n'; 0 if there
 * is no '\n' before len. */
static int log_line(const uint8_t *in, size_t len, size_t pos, const char **line, size_t *line_len,
                    size_t *next)
{
    const uint8_t *nl = pos < len ? memchr(in + pos, '\n', len - pos) : NULL;
    if (nl == NULL)
        return 0;
    *line = (const char *)in + pos;
    *line_len = (size_t)(nl - (in + pos));
    *next = (size_t)(nl - in) + 1;
    return 1;
}

/* One hash written as a line: canonical padded base64 of exactly 32 bytes (44 characters). */
static int log_hash_line(const char *line, size_t len, uint8_t out[DID_LOG_HASH_LEN], int code,
                         const char *what, size_t pos, did_err *err)
{
    if (len > ROOT_B64_LEN + 4)
        return did_err_set(err, code,
                           "%s at offset %zu: %zu characters, not the %d of a base64 32-byte "
                           "hash",
                           what, pos, len, ROOT_B64_LEN);
    uint8_t buf[DID_LOG_HASH_LEN + 3];
    size_t got = 0;
    int rc = did_log_i_b64_decode(line, len, buf, sizeof buf, &got, code, what, pos, err);
    if (rc != DID_OK)
        return rc;
    if (got != DID_LOG_HASH_LEN)
        return did_err_set(err, code, "%s at offset %zu: %zu bytes, not 32", what, pos, got);
    memcpy(out, buf, DID_LOG_HASH_LEN);
    return DID_OK;
}

/* ---- checkpoints -------------------------------------------------------------------------- */

int did_log_checkpoint_parse(const uint8_t *text, size_t len, did_log_checkpoint *out, did_err *err)
{
    if ((text == NULL && len != 0) || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "checkpoint: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > DID_LOG_NOTE_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT, "checkpoint: %zu bytes, more than %d", len,
                           DID_LOG_NOTE_MAX_LEN);
    int rc = did_log_i_text_check(text, len, 0, DID_ERR_LOG_CHECKPOINT, "checkpoint", err);
    if (rc != DID_OK)
        return rc;
    if (len == 0 || text[len - 1] != '\n')
        return did_err_set(err, DID_ERR_LOG_CHECKPOINT, "checkpoint: missing final newline");

    did_log_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    const char *line;
    size_t line_len, pos = 0, next;

    /* 1. origin */
    if (!log_line(text, len, pos, &line, &line_len, &next) || line_len == 0)
        return did_err_set(err, DID_ERR_LOG_CHECKPOINT, "checkpoint: empty origin line");
    if (line_len > DID_LOG_ORIGIN_MAX)
        return did_err_set(err, DID_ERR_LOG_CHECKPOINT,
                           "checkpoint: origin of %zu bytes, more than %d", line_len,
                           DID_LOG_ORIGIN_MAX);
    cp.origin = line;
    cp.origin_len = line_len;
    pos = next;

    /* 2. tree size */
    if (!log_line(text, len, pos, &line, &line_len, &next))
        return did_err_set(err, DID_ERR_LOG_CHECKPOINT, "checkpoint: no tree size line");
    const char *why = did_log_i_parse_u64(line, line_len, &cp.size);
    if (why != NULL)
        return did_err_set(err, DID_ERR_LOG_CHECKPOINT, "checkpoint: tree size at offset %zu: %s",
                           pos, why);
    pos = next;

    /* 3. root hash */
    if (!log_line(text, len, pos, &line, &line_len, &next))
        return did_err_set(err, DID_ERR_LOG_CHECKPOINT, "checkpoint: no root hash line");
    rc = log_hash_line(line, line_len, cp.root, DID_ERR_LOG_CHECKPOINT, "checkpoint: root hash",
                       pos, err);
    if (rc != DID_OK)
        return rc;
    pos = next;

    /* 4. extension lines */
    while (pos < len) {
        log_line(text, len, pos, &line, &line_len, &next); /* text ends in '\n' */
        if (line_len == 0)
            return did_err_set(err, DID_ERR_LOG_CHECKPOINT,
                               "checkpoint: empty extension line at offset %zu", pos);
        if (cp.n_ext == DID_LOG_CHECKPOINT_MAX_EXT)
            return did_err_set(err, DID_ERR_LIMIT, "checkpoint: more than %d extension lines",
                               DID_LOG_CHECKPOINT_MAX_EXT);
        if (line_len > DID_LOG_EXT_LINE_MAX)
            return did_err_set(err, DID_ERR_LIMIT,
                               "checkpoint: extension line at offset %zu longer than %d bytes", pos,
                               DID_LOG_EXT_LINE_MAX);
        cp.ext[cp.n_ext].p = line;
        cp.ext[cp.n_ext].len = line_len;
        cp.n_ext++;
        pos = next;
    }
    *out = cp;
    return DID_OK;
}

int did_log_checkpoint_write(const did_log_checkpoint *cp, did_buf *out, did_err *err)
{
    if (cp == NULL || out == NULL || (cp->origin == NULL && cp->origin_len != 0))
        return did_err_set(err, DID_ERR_ARG, "checkpoint: NULL argument");
    int rc = did_log_i_name_check(cp->origin, cp->origin_len, DID_ERR_LOG_CHECKPOINT,
                                  "checkpoint origin", err);
    if (rc != DID_OK)
        return rc;
    if (cp->n_ext > DID_LOG_CHECKPOINT_MAX_EXT)
        return did_err_set(err, DID_ERR_LIMIT, "checkpoint: %zu extension lines, more than %d",
                           cp->n_ext, DID_LOG_CHECKPOINT_MAX_EXT);
    for (size_t i = 0; i < cp->n_ext; i++) {
        const did_log_line *e = &cp->ext[i];
        if (e->p == NULL || e->len == 0)
            return did_err_set(err, DID_ERR_LOG_CHECKPOINT, "checkpoint: extension %zu is empty",
                               i);
        if (e->len > DID_LOG_EXT_LINE_MAX)
            return did_err_set(err, DID_ERR_LIMIT, "checkpoint: extension %zu longer than %d", i,
                               DID_LOG_EXT_LINE_MAX);
        if (memchr(e->p, '\n', e->len) != NULL)
            return did_err_set(err, DID_ERR_LOG_CHECKPOINT,
                               "checkpoint: extension %zu contains a newline", i);
        rc = did_log_i_text_check((const uint8_t *)e->p, e->len, 0, DID_ERR_LOG_CHECKPOINT,
                                  "checkpoint extension", err);
        if (rc != DID_OK)
            return rc;
    }
    size_t mark = out->len;
    rc = log_put(out, cp->origin, cp->origin_len, err);
    if (rc == DID_OK) {
        rc = did_buf_printf(out, "\n%llu\n", (unsigned long long)cp->size);
        if (rc != DID_OK)
            did_err_set(err, rc, "checkpoint: cannot grow the output buffer");
    }
    if (rc == DID_OK)
        rc = did_log_i_b64_append(out, cp->root, DID_LOG_HASH_LEN, err);
    if (rc == DID_OK)
        rc = log_put(out, "\n", 1, err);
    for (size_t i = 0; rc == DID_OK && i < cp->n_ext; i++) {
        rc = log_put(out, cp->ext[i].p, cp->ext[i].len, err);
        if (rc == DID_OK)
            rc = log_put(out, "\n", 1, err);
    }
    if (rc != DID_OK)
        log_truncate(out, mark);
    return rc;
}

int did_log_checkpoint_sign(const did_log_checkpoint *cp, const ck_key *key, const char *name,
                            size_t name_len, did_buf *out, did_err *err)
{
    if (cp == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "checkpoint sign: NULL argument");
    if (name == NULL) {
        name = cp->origin;
        name_len = cp->origin_len;
    }
    did_buf body;
    did_buf_init(&body);
    int rc = did_log_checkpoint_write(cp, &body, err);
    if (rc == DID_OK)
        rc = did_log_note_sign(body.data, body.len, key, name, name_len, out, err);
    did_buf_clear(&body);
    return rc;
}

/* Verifies the parsed note against keys, then parses its text as a checkpoint and checks the
 * origin: the common core of opening a checkpoint and verifying a proof. */
static int log_open_parsed(const did_log_note *note, const did_log_vkey *keys, size_t nkeys,
                           const char *origin, size_t origin_len, did_log_checkpoint *cp,
                           did_err *err)
{
    int rc = did_log_note_verify(note, keys, nkeys, NULL, NULL, err);
    if (rc != DID_OK)
        return rc;
    rc = did_log_checkpoint_parse(note->text, note->text_len, cp, err);
    if (rc != DID_OK)
        return rc;
    if (cp->origin_len != origin_len || memcmp(cp->origin, origin, origin_len) != 0)
        return did_err_set(err, DID_ERR_LOG_ORIGIN,
                           "checkpoint: origin \"%.*s\" is not the expected \"%.*s\"",
                           (int)(cp->origin_len > 80 ? 80 : cp->origin_len), cp->origin,
                           (int)(origin_len > 80 ? 80 : origin_len), origin);
    return DID_OK;
}

int did_log_checkpoint_open(const uint8_t *in, size_t len, const did_log_vkey *keys, size_t nkeys,
                            const char *origin, size_t origin_len, did_log_note *note,
                            did_log_checkpoint *cp, did_err *err)
{
    if (keys == NULL || nkeys == 0 || cp == NULL || (origin == NULL && origin_len != 0))
        return did_err_set(err, DID_ERR_ARG, "checkpoint open: NULL argument or no key");
    if (origin == NULL) {
        origin = keys[0].name;
        origin_len = keys[0].name_len;
    }
    did_log_note local;
    did_log_note *n = note != NULL ? note : &local;
    int rc = did_log_note_parse(in, len, n, err);
    if (rc != DID_OK)
        return rc;
    return log_open_parsed(n, keys, nkeys, origin, origin_len, cp, err);
}

/* ---- tlog-proof --------------------------------------------------------------------------- */

int did_log_proof_parse(const uint8_t *in, size_t len, did_log_proof *out, did_err *err)
{
    static const char header[] = DID_LOG_TLOG_PROOF_HEADER;
    static const char extra_kw[] = "extra ";
    static const char index_kw[] = "index ";
    if ((in == NULL && len != 0) || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "tlog-proof: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > DID_LOG_TLOG_PROOF_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT, "tlog-proof: %zu bytes, more than %d", len,
                           DID_LOG_TLOG_PROOF_MAX_LEN);
    const char *line;
    size_t line_len, pos = 0, next;

    if (!log_line(in, len, pos, &line, &line_len, &next) || line_len != sizeof header - 1 ||
        memcmp(line, header, line_len) != 0)
        return did_err_set(err, DID_ERR_LOG_PROOF_FORMAT,
                           "tlog-proof: the first line is not " DID_LOG_TLOG_PROOF_HEADER);
    pos = next;

    if (!log_line(in, len, pos, &line, &line_len, &next))
        return did_err_set(err, DID_ERR_LOG_PROOF_FORMAT, "tlog-proof: truncated after line 1");
    if (line_len >= 5 && memcmp(line, "extra", 5) == 0) {
        if (line_len < sizeof extra_kw || memcmp(line, extra_kw, sizeof extra_kw - 1) != 0)
            return did_err_set(err, DID_ERR_LOG_PROOF_FORMAT,
                               "tlog-proof: extra line at offset %zu needs a space and "
                               "non-empty base64 data",
                               pos);
        const char *b64 = line + sizeof extra_kw - 1;
        size_t b64_len = line_len - (sizeof extra_kw - 1);
        if (b64_len > ck_b64std_encoded_len(DID_LOG_EXTRA_MAX))
            return did_err_set(err, DID_ERR_LIMIT, "tlog-proof: extra data longer than %d bytes",
                               DID_LOG_EXTRA_MAX);
        int rc = did_log_i_b64_decode(b64, b64_len, out->extra, sizeof out->extra, &out->extra_len,
                                      DID_ERR_LOG_PROOF_FORMAT, "tlog-proof: extra",
                                      pos + sizeof extra_kw - 1, err);
        if (rc != DID_OK) {
            memset(out, 0, sizeof *out);
            return rc;
        }
        out->has_extra = 1;
        pos = next;
        if (!log_line(in, len, pos, &line, &line_len, &next)) {
            memset(out, 0, sizeof *out);
            return did_err_set(err, DID_ERR_LOG_PROOF_FORMAT, "tlog-proof: no index line");
        }
    }

    int rc;
    if (line_len < sizeof index_kw || memcmp(line, index_kw, sizeof index_kw - 1) != 0) {
        rc = did_err_set(err, DID_ERR_LOG_PROOF_FORMAT,
                         "tlog-proof: expected \"index <n>\" at offset %zu", pos);
        goto fail;
    }
    const char *why = did_log_i_parse_u64(line + sizeof index_kw - 1,
                                          line_len - (sizeof index_kw - 1), &out->index);
    if (why != NULL) {
        rc = did_err_set(err, DID_ERR_LOG_PROOF_FORMAT, "tlog-proof: index at offset %zu: %s",
                         pos + sizeof index_kw - 1, why);
        goto fail;
    }
    pos = next;

    /* Hash lines up to the empty line. */
    for (;;) {
        if (!log_line(in, len, pos, &line, &line_len, &next)) {
            rc = did_err_set(err, DID_ERR_LOG_PROOF_FORMAT,
                             "tlog-proof: no empty line before the checkpoint");
            goto fail;
        }
        if (line_len == 0)
            break;
        if (out->n_hashes == DID_LOG_TLOG_PROOF_MAX_HASHES) {
            rc = did_err_set(err, DID_ERR_LIMIT, "tlog-proof: more than %d proof hashes",
                             DID_LOG_TLOG_PROOF_MAX_HASHES);
            goto fail;
        }
        rc = log_hash_line(line, line_len, out->hashes[out->n_hashes], DID_ERR_LOG_PROOF_FORMAT,
                           "tlog-proof: hash", pos, err);
        if (rc != DID_OK)
            goto fail;
        out->n_hashes++;
        pos = next;
    }
    pos = next;

    out->checkpoint = in + pos;
    out->checkpoint_len = len - pos;
    rc = did_log_note_parse(out->checkpoint, out->checkpoint_len, &out->note, err);
    if (rc == DID_OK)
        rc = did_log_checkpoint_parse(out->note.text, out->note.text_len, &out->body, err);
    if (rc != DID_OK) {
        char at[64];
        snprintf(at, sizeof at, "tlog-proof: checkpoint at offset %zu", pos);
        did_err_prefix(err, at);
        goto fail;
    }
    return DID_OK;
fail:
    memset(out, 0, sizeof *out);
    return rc;
}

int did_log_proof_write(uint64_t index, const uint8_t hashes[][DID_LOG_HASH_LEN], size_t n_hashes,
                        const uint8_t *extra, size_t extra_len, const uint8_t *checkpoint,
                        size_t checkpoint_len, did_buf *out, did_err *err)
{
    if (out == NULL || (hashes == NULL && n_hashes != 0) || checkpoint == NULL)
        return did_err_set(err, DID_ERR_ARG, "tlog-proof: NULL argument");
    if (n_hashes > DID_LOG_TLOG_PROOF_MAX_HASHES)
        return did_err_set(err, DID_ERR_LIMIT, "tlog-proof: %zu hashes, more than %d", n_hashes,
                           DID_LOG_TLOG_PROOF_MAX_HASHES);
    if (extra != NULL && (extra_len == 0 || extra_len > DID_LOG_EXTRA_MAX))
        return did_err_set(err, DID_ERR_LIMIT, "tlog-proof: extra data of %zu bytes (1..%d)",
                           extra_len, DID_LOG_EXTRA_MAX);
    /* Never emit what we would not accept: the checkpoint must be a well-formed signed
     * checkpoint. (Whether its signature verifies is the reader's business.) */
    did_log_note note;
    did_log_checkpoint cp;
    int rc = did_log_note_parse(checkpoint, checkpoint_len, &note, err);
    if (rc == DID_OK)
        rc = did_log_checkpoint_parse(note.text, note.text_len, &cp, err);
    if (rc != DID_OK) {
        did_err_prefix(err, "tlog-proof: checkpoint");
        return rc;
    }
    size_t mark = out->len;
    rc = log_put(out, DID_LOG_TLOG_PROOF_HEADER "\n", sizeof DID_LOG_TLOG_PROOF_HEADER, err);
    if (rc == DID_OK && extra != NULL) {
        rc = log_put(out, "extra ", 6, err);
        if (rc == DID_OK)
            rc = did_log_i_b64_append(out, extra, extra_len, err);
        if (rc == DID_OK)
            rc = log_put(out, "\n", 1, err);
    }
    if (rc == DID_OK) {
        rc = did_buf_printf(out, "index %llu\n", (unsigned long long)index);
        if (rc != DID_OK)
            did_err_set(err, rc, "tlog-proof: cannot grow the output buffer");
    }
    for (size_t i = 0; rc == DID_OK && i < n_hashes; i++) {
        rc = did_log_i_b64_append(out, hashes[i], DID_LOG_HASH_LEN, err);
        if (rc == DID_OK)
            rc = log_put(out, "\n", 1, err);
    }
    if (rc == DID_OK)
        rc = log_put(out, "\n", 1, err);
    if (rc == DID_OK)
        rc = log_put(out, checkpoint, checkpoint_len, err);
    if (rc != DID_OK)
        log_truncate(out, mark);
    return rc;
}

int did_log_proof_verify(const uint8_t *entry, size_t entry_len, const uint8_t *proof,
                         size_t proof_len, const did_log_vkey *log_key, const char *origin,
                         size_t origin_len, did_log_verified *out, did_err *err)
{
    if ((entry == NULL && entry_len != 0) || (proof == NULL && proof_len != 0) || log_key == NULL ||
        (origin == NULL && origin_len != 0))
        return did_err_set(err, DID_ERR_ARG, "tlog-proof verify: NULL argument");
    if (origin == NULL) {
        origin = log_key->name;
        origin_len = log_key->name_len;
    }
    /* About 5 KiB on the stack; nothing on the heap. */
    did_log_proof p;
    int rc = did_log_proof_parse(proof, proof_len, &p, err);
    if (rc != DID_OK)
        return rc;
    did_log_checkpoint cp;
    rc = log_open_parsed(&p.note, log_key, 1, origin, origin_len, &cp, err);
    if (rc != DID_OK) {
        did_err_prefix(err, "tlog-proof");
        return rc;
    }
    if (p.index >= cp.size)
        return did_err_set(err, DID_ERR_LOG_SIZE,
                           "tlog-proof: index %llu is not below the checkpoint size %llu",
                           (unsigned long long)p.index, (unsigned long long)cp.size);
    uint8_t leaf[DID_LOG_HASH_LEN];
    rc = did_log_leaf_hash(entry, entry_len, leaf, err);
    if (rc != DID_OK)
        return rc;
    rc = did_log_verify_inclusion(p.index, cp.size, leaf,
                                  (const uint8_t(*)[DID_LOG_HASH_LEN])p.hashes, p.n_hashes, cp.root,
                                  err);
    if (rc != DID_OK) {
        did_err_prefix(err, "tlog-proof");
        return rc;
    }
    if (out != NULL) {
        out->index = p.index;
        out->size = cp.size;
        memcpy(out->root, cp.root, DID_LOG_HASH_LEN);
        memcpy(out->leaf_hash, leaf, DID_LOG_HASH_LEN);
    }
    return DID_OK;
}
