/*
 * fuzz_log_entry.c -- the audit-log entry decoder (did/log_entry.h).
 *
 * Every input goes through did_log_entry_decode, and through did_log_party_read and
 * did_log_docref_read as raw values. Invariants (abort on violation): only the documented codes
 * come back; the decoded form is cleared on error; a decoded entry is canonical -- encoding its
 * fields again gives the input byte for byte -- its fields lie inside the input, in
 * non-decreasing tag order, and every structured value in it reads back; a party or document
 * reference that reads is written back byte for byte.
 * Seeds: fuzz/corpus/log_entry/ holds one valid entry of each type and a few damaged ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/log_entry.h>

static int same(const did_buf *b, const uint8_t *p, size_t n)
{
    return b->len == n && (n == 0 || memcmp(b->data, p, n) == 0);
}

static void check_party(const uint8_t *p, size_t n, int must)
{
    did_log_party party;
    did_err e;
    uint8_t out[DID_LOG_PARTY_MAX_LEN];
    size_t len;
    int rc = did_log_party_read(p, n, &party, &e);
    if (rc != DID_OK) {
        if (must || rc != DID_ERR_LOG_ENTRY)
            abort();
        return;
    }
    if (did_log_party_write(&party, out, sizeof out, &len, &e) != DID_OK || len != n ||
        memcmp(out, p, n) != 0)
        abort();
}

static void check_docref(const uint8_t *p, size_t n, int must)
{
    did_log_docref d;
    did_err e;
    uint8_t out[DID_LOG_DOCREF_MAX_LEN];
    size_t len;
    int rc = did_log_docref_read(p, n, &d, &e);
    if (rc != DID_OK) {
        if (must || rc != DID_ERR_LOG_ENTRY)
            abort();
        return;
    }
    if (did_log_docref_write(&d, out, sizeof out, &len, &e) != DID_OK || len != n ||
        memcmp(out, p, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_log_entry e;
    did_err err;
    int rc = did_log_entry_decode(data, size, &e, &err);
    if (rc == DID_OK) {
        if (e.n_fields < 4 || e.n_fields > DID_LOG_ENTRY_MAX_FIELDS ||
            e.version != DID_LOG_ENTRY_VERSION || size > DID_LOG_ENTRY_MAX_LEN)
            abort();
        for (size_t i = 0; i < e.n_fields; i++) {
            const did_log_field *f = &e.fields[i];
            if (f->value < data || f->value + f->len > data + size ||
                (i > 0 && f->tag < e.fields[i - 1].tag))
                abort();
            if (f->tag == DID_LOG_F_SIGNER || f->tag == DID_LOG_F_PRINCIPAL ||
                f->tag == DID_LOG_F_DELEGATOR || f->tag == DID_LOG_F_DELEGATE)
                check_party(f->value, f->len, 1);
            if (f->tag == DID_LOG_F_DOC)
                check_docref(f->value, f->len, 1);
        }
        if (e.service_id != e.fields[2].value || e.request_id != e.fields[3].value)
            abort();
        did_buf b;
        did_buf_init(&b);
        if (did_log_entry_encode(e.type, e.fields, e.n_fields, &b, &err) != DID_OK ||
            !same(&b, data, size))
            abort();
        did_buf_clear(&b);
    } else {
        if (e.n_fields != 0 || e.service_id != NULL || e.request_id != NULL)
            abort();
        if (rc != DID_ERR_LOG_ENTRY && rc != DID_ERR_LIMIT)
            abort();
    }
    check_party(data, size, 0);
    check_docref(data, size, 0);
    return 0;
}
