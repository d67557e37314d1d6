#define _XOPEN_SOURCE 700 /* nftw (log_test_util.h) */
/* The audit-log entry format (did/log_entry.h): every entry type encoded and decoded back
 * byte for byte, the structured values (parties, document references, references), and the
 * strict decoder's refusals (truncation at every byte, order, repetition, unknown version, type
 * or tag, lengths, enumerations, text, cross-field rules, limits). */
#include <stdlib.h>
#include <string.h>

#include <did/log_entry.h>

#include "log_test_util.h"
#include "support.h"

/* ---- the entry format ------------------------------------------------------------------------ */

static const uint8_t id16[16] = "0123456789abcdef";
static const uint8_t d32[32] = "0123456789abcdef0123456789abcdef";

typedef struct fields {
    did_log_field f[DID_LOG_ENTRY_MAX_FIELDS];
    size_t n;
    uint8_t scratch[8][512];
    size_t ns;
} fields;

static void f_add(fields *f, uint8_t tag, const void *v, size_t len)
{
    assert_true(f->n < DID_LOG_ENTRY_MAX_FIELDS);
    f->f[f->n].tag = tag;
    f->f[f->n].value = v;
    f->f[f->n].len = len;
    f->n++;
}

static void f_u64(fields *f, uint8_t tag, uint64_t v)
{
    uint8_t *p = f->scratch[f->ns++];
    did_log_u64_write(v, p);
    f_add(f, tag, p, 8);
}

static void f_u8(fields *f, uint8_t tag, uint8_t v)
{
    uint8_t *p = f->scratch[f->ns++];
    p[0] = v;
    f_add(f, tag, p, 1);
}

static void f_party(fields *f, uint8_t tag, uint8_t kind, const char *id)
{
    did_log_party p;
    did_err e;
    size_t len;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    p.assurance = DID_LOG_ASSURANCE_QES;
    memset(p.key_thumbprint, 7, sizeof p.key_thumbprint);
    p.id = (const uint8_t *)id;
    p.id_len = strlen(id);
    uint8_t *out = f->scratch[f->ns++];
    t_assert_ok(did_log_party_write(&p, out, 512, &len, &e), &e);
    f_add(f, tag, out, len);
}

static void f_common(fields *f, const char *req)
{
    memset(f, 0, sizeof *f);
    f_add(f, DID_LOG_F_ENTRY_ID, id16, 16);
    f_u64(f, DID_LOG_F_RECEIVED_MS, 1760000000000ULL);
    f_add(f, DID_LOG_F_SERVICE_ID, T_SERVICE, strlen(T_SERVICE));
    f_add(f, DID_LOG_F_REQUEST_ID, req, strlen(req));
}

static void approval_fields(fields *f, int ndocs)
{
    did_log_docref d;
    did_err e;
    size_t len;
    static uint8_t docs[DID_LOG_ENTRY_MAX_DOCS + 1][DID_LOG_DOCREF_MAX_LEN];

    f_common(f, "approve-1");
    f_party(f, DID_LOG_F_SIGNER, DID_LOG_PARTY_AI_AGENT, "did:key:z6MkAgent");
    f_party(f, DID_LOG_F_PRINCIPAL, DID_LOG_PARTY_CITIZEN, "did:peer:pairwise-123");
    uint8_t *ref = f->scratch[f->ns++];
    did_log_ref_write(3, d32, ref);
    f_add(f, DID_LOG_F_DELEGATION_REF, ref, DID_LOG_REF_LEN);
    for (int i = 0; i < ndocs; i++) {
        memset(&d, 0, sizeof d);
        d.hash_alg = (uint8_t)(1 + i % 3);
        d.size = 1000 + (uint64_t)i;
        memset(d.digest, i, sizeof d.digest);
        d.has_presentation = i % 2;
        d.media_type = (const uint8_t *)"application/pdf";
        d.media_type_len = 15;
        t_assert_ok(did_log_docref_write(&d, docs[i], sizeof docs[i], &len, &e), &e);
        f_add(f, DID_LOG_F_DOC, docs[i], len);
    }
    static const uint8_t oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x06, 0x05};
    f_add(f, DID_LOG_F_COMMITMENT_OID, oid, sizeof oid);
    f_add(f, DID_LOG_F_ACTION, "approve payment", 15);
    f_add(f, DID_LOG_F_CONSENT_DIGEST, d32, 32);
    f_u8(f, DID_LOG_F_SIG_FORMAT, DID_LOG_SIG_FORMAT_JADES);
    f_u8(f, DID_LOG_F_SIG_LEVEL, DID_LOG_SIG_LEVEL_B_T);
    f_add(f, DID_LOG_F_SIG_DIGEST, d32, 32);
    f_u64(f, DID_LOG_F_SIGNING_TIME_MS, 1759999999000ULL);
    f_add(f, DID_LOG_F_SIG_TST_DIGEST, d32, 32);
    f_add(f, DID_LOG_F_EVIDENCE_DIGEST, d32, 32);
}

/* Encodes, decodes, checks the round trip; returns the encoding in b. */
static void round_trip(uint8_t type, const fields *f, did_buf *b)
{
    did_log_entry e;
    did_err err;
    did_buf again;
    did_buf_reset(b);
    t_assert_ok(did_log_entry_encode(type, f->f, f->n, b, &err), &err);
    t_assert_ok(did_log_entry_decode(b->data, b->len, &e, &err), &err);
    assert_int_equal(e.type, type);
    assert_int_equal(e.n_fields, f->n);
    did_buf_init(&again);
    t_assert_ok(did_log_entry_encode(e.type, e.fields, e.n_fields, &again, &err), &err);
    assert_int_equal(again.len, b->len);
    assert_memory_equal(again.data, b->data, b->len);
    did_buf_clear(&again);
}

static void expect_entry_error(const uint8_t *p, size_t n, int code)
{
    did_log_entry e;
    did_err err;
    t_assert_code(did_log_entry_decode(p, n, &e, &err), code, &err);
    assert_int_equal(e.n_fields, 0);
}

static void test_entry_format(void **state)
{
    (void)state;
    fields f;
    did_buf b, bad;
    did_err err;
    did_log_entry e;

    did_buf_init(&b);
    did_buf_init(&bad);

    /* approval with one and with the maximum number of documents */
    approval_fields(&f, 1);
    round_trip(DID_LOG_ENTRY_APPROVAL, &f, &b);
    approval_fields(&f, DID_LOG_ENTRY_MAX_DOCS);
    round_trip(DID_LOG_ENTRY_APPROVAL, &f, &b);
    t_assert_ok(did_log_entry_decode(b.data, b.len, &e, &err), &err);
    assert_int_equal(e.received_ms, 1760000000000ULL);
    assert_int_equal(e.service_id_len, strlen(T_SERVICE));
    assert_memory_equal(e.entry_id, id16, 16);
    {
        const did_log_field *fd = did_log_entry_find(&e, DID_LOG_F_DOC, 5);
        did_log_docref d;
        assert_non_null(fd);
        t_assert_ok(did_log_docref_read(fd->value, fd->len, &d, &err), &err);
        assert_int_equal(d.size, 1005);
        assert_int_equal(d.hash_alg, 3);
        assert_int_equal(d.has_presentation, 1);
        assert_null(did_log_entry_find(&e, DID_LOG_F_DOC, DID_LOG_ENTRY_MAX_DOCS));
        const did_log_field *fp = did_log_entry_find(&e, DID_LOG_F_PRINCIPAL, 0);
        did_log_party p;
        t_assert_ok(did_log_party_read(fp->value, fp->len, &p, &err), &err);
        assert_int_equal(p.kind, DID_LOG_PARTY_CITIZEN);
        assert_int_equal(p.id_len, strlen("did:peer:pairwise-123"));
    }
    /* one document too many */
    approval_fields(&f, DID_LOG_ENTRY_MAX_DOCS + 1);
    did_buf_reset(&b);
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_APPROVAL, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    assert_int_equal(b.len, 0);
    /* approval without documents; without the signer; an unknown field for the type */
    approval_fields(&f, 0);
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_APPROVAL, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    approval_fields(&f, 1);
    memmove(&f.f[4], &f.f[5], (f.n - 5) * sizeof f.f[0]);
    f.n--;
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_APPROVAL, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    approval_fields(&f, 1);
    f.f[f.n - 1].tag = DID_LOG_F_CREDENTIAL_TYPE;
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_APPROVAL, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    /* out of order */
    approval_fields(&f, 1);
    did_log_field tmpf = f.f[0];
    f.f[0] = f.f[1];
    f.f[1] = tmpf;
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_APPROVAL, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    /* a refusal needs no documents and allows a target */
    f_common(&f, "refuse-1");
    f_party(&f, DID_LOG_F_SIGNER, DID_LOG_PARTY_CITIZEN, "did:peer:x");
    f_add(&f, DID_LOG_F_ACTION, "approve payment", 15);
    uint8_t ref[DID_LOG_REF_LEN];
    did_log_ref_write(9, d32, ref);
    f_add(&f, DID_LOG_F_TARGET_REF, ref, sizeof ref);
    f_add(&f, DID_LOG_F_EXTENSIONS, "x", 1);
    round_trip(DID_LOG_ENTRY_REFUSAL, &f, &b);

    /* delegation grant: not_after must be after not_before */
    f_common(&f, "grant-1");
    f_add(&f, DID_LOG_F_EVIDENCE_DIGEST, d32, 32);
    f_party(&f, DID_LOG_F_DELEGATOR, DID_LOG_PARTY_CITIZEN, "did:peer:alice-pairwise");
    f_party(&f, DID_LOG_F_DELEGATE, DID_LOG_PARTY_AI_AGENT, "did:key:z6MkAgent");
    f_add(&f, DID_LOG_F_SCOPE_DIGEST, d32, 32);
    f_u64(&f, DID_LOG_F_NOT_BEFORE_MS, 1000);
    f_u64(&f, DID_LOG_F_NOT_AFTER_MS, 2000);
    round_trip(DID_LOG_ENTRY_DELEGATION_GRANT, &f, &b);
    did_log_u64_write(1000, (uint8_t *)f.f[f.n - 1].value);
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_DELEGATION_GRANT, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    /* revoke */
    f_common(&f, "revoke-1");
    f_party(&f, DID_LOG_F_SIGNER, DID_LOG_PARTY_CITIZEN, "did:peer:alice-pairwise");
    f_add(&f, DID_LOG_F_TARGET_REF, ref, sizeof ref);
    f_u8(&f, DID_LOG_F_REVOKE_REASON, DID_LOG_REVOKE_MANDATE_ENDED);
    round_trip(DID_LOG_ENTRY_DELEGATION_REVOKE, &f, &b);
    f.f[f.n - 1].value = (const uint8_t *)"\x05";
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_DELEGATION_REVOKE, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    /* key events: a rotation needs the new key, a revocation must not have one */
    f_common(&f, "key-1");
    f_add(&f, DID_LOG_F_SUBJECT_ID, "did:web:issuer.test.example", 27);
    f_u8(&f, DID_LOG_F_KEY_EVENT, DID_LOG_KEY_EVENT_ROTATED);
    f_add(&f, DID_LOG_F_KEY_THUMBPRINT, d32, 32);
    f_add(&f, DID_LOG_F_NEW_KEY_THUMBPRINT, d32, 32);
    f_u64(&f, DID_LOG_F_EFFECTIVE_MS, 5);
    round_trip(DID_LOG_ENTRY_KEY_EVENT, &f, &b);
    f.f[5].value = (const uint8_t *)"\x03";
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_KEY_EVENT, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    /* anchor */
    f_common(&f, "anchor-1");
    f_add(&f, DID_LOG_F_ANCHORED_DIGEST, d32, 32);
    f_add(&f, DID_LOG_F_ANCHORED_ORIGIN, "other.example/log", 17);
    f_u64(&f, DID_LOG_F_ANCHORED_SIZE, 77);
    round_trip(DID_LOG_ENTRY_ANCHOR, &f, &b);
    /* issuance via the helper; status list and index go together */
    did_buf_reset(&b);
    t_assert_ok(t_make_entry(&b, "iss-1", 1, 256, &err), &err);
    assert_int_equal(b.len, 256);
    t_assert_ok(did_log_entry_decode(b.data, b.len, &e, &err), &err);
    assert_int_equal(e.type, DID_LOG_ENTRY_ISSUANCE);
    {
        did_log_issuance iss;
        memset(&iss, 0, sizeof iss);
        iss.service_id = T_SERVICE;
        iss.service_id_len = strlen(T_SERVICE);
        iss.request_id = (const uint8_t *)"r";
        iss.request_id_len = 1;
        iss.credential_type = "VC";
        iss.credential_type_len = 2;
        iss.status_list = "";
        iss.status_list_len = 0;
        did_buf_reset(&b);
        t_assert_code(did_log_issuance_encode(&iss, &b, &err), DID_ERR_LOG_ENTRY, &err);
        iss.status_list = NULL;
        iss.credential_type = "Name: Jane\n"; /* not printable ASCII */
        iss.credential_type_len = 11;
        t_assert_code(did_log_issuance_encode(&iss, &b, &err), DID_ERR_LOG_ENTRY, &err);
        iss.credential_type = "VC";
        iss.credential_type_len = 2;
        iss.service_id = "did:web:has space";
        iss.service_id_len = strlen(iss.service_id);
        t_assert_code(did_log_issuance_encode(&iss, &b, &err), DID_ERR_LOG_ENTRY, &err);
        assert_int_equal(b.len, 0);
    }

    /* byte-level damage of a valid entry */
    approval_fields(&f, 2);
    round_trip(DID_LOG_ENTRY_APPROVAL, &f, &b);
    for (size_t cut = 0; cut < b.len; cut++)
        expect_entry_error(b.data, cut, DID_ERR_LOG_ENTRY);
    did_buf_reset(&bad);
    t_assert_ok(did_buf_append(&bad, b.data, b.len), &err);
    t_assert_ok(did_buf_append(&bad, "\0", 1), &err);
    expect_entry_error(bad.data, bad.len, DID_ERR_LOG_ENTRY); /* trailing byte */
    bad.len--;
    bad.data[1] = 0;
    expect_entry_error(bad.data, bad.len, DID_ERR_LOG_ENTRY); /* type 0 */
    bad.data[1] = 8;
    expect_entry_error(bad.data, bad.len, DID_ERR_LOG_ENTRY); /* unknown type */
    bad.data[1] = DID_LOG_ENTRY_ISSUANCE;
    expect_entry_error(bad.data, bad.len, DID_ERR_LOG_ENTRY); /* approval fields */
    bad.data[1] = DID_LOG_ENTRY_APPROVAL;
    const size_t svc_at = 2 + (3 + 16) + (3 + 8) + 3; /* first byte of the service id */
    assert_int_equal(bad.data[svc_at], 'd');
    bad.data[svc_at] = ' '; /* a space in the service id */
    expect_entry_error(bad.data, bad.len, DID_ERR_LOG_ENTRY);
    bad.data[svc_at] = 0x7f;
    expect_entry_error(bad.data, bad.len, DID_ERR_LOG_ENTRY);
    bad.data[svc_at] = 'd';
    bad.data[4] = 15; /* entry id length 15 */
    expect_entry_error(bad.data, bad.len, DID_ERR_LOG_ENTRY);
    bad.data[4] = 16;
    t_assert_ok(did_log_entry_decode(bad.data, bad.len, &e, &err), &err);
    /* limits */
    static uint8_t big[DID_LOG_ENTRY_MAX_LEN + 1];
    expect_entry_error(big, sizeof big, DID_ERR_LIMIT);
    expect_entry_error(NULL, 0, DID_ERR_LOG_ENTRY);
    /* structured values */
    {
        did_log_party p;
        uint8_t pv[40];
        memset(pv, 0x41, sizeof pv);
        pv[0] = 5;
        pv[1] = 0;
        t_assert_code(did_log_party_read(pv, sizeof pv, &p, &err), DID_ERR_LOG_ENTRY, &err);
        pv[0] = 1;
        pv[1] = 6;
        t_assert_code(did_log_party_read(pv, sizeof pv, &p, &err), DID_ERR_LOG_ENTRY, &err);
        pv[1] = 0;
        t_assert_ok(did_log_party_read(pv, sizeof pv, &p, &err), &err);
        t_assert_code(did_log_party_read(pv, 34, &p, &err), DID_ERR_LOG_ENTRY, &err);
        did_log_docref d;
        uint8_t dv[1 + 8 + 32 + 1] = {1};
        t_assert_ok(did_log_docref_read(dv, sizeof dv, &d, &err), &err);
        dv[41] = 2;
        t_assert_code(did_log_docref_read(dv, sizeof dv, &d, &err), DID_ERR_LOG_ENTRY, &err);
        dv[41] = 1; /* presentation digest missing */
        t_assert_code(did_log_docref_read(dv, sizeof dv, &d, &err), DID_ERR_LOG_ENTRY, &err);
        dv[0] = 4;
        t_assert_code(did_log_docref_read(dv, sizeof dv, &d, &err), DID_ERR_LOG_ENTRY, &err);
    }
    /* non-minimal OID */
    approval_fields(&f, 1);
    for (size_t i = 0; i < f.n; i++)
        if (f.f[i].tag == DID_LOG_F_COMMITMENT_OID) {
            f.f[i].value = (const uint8_t *)"\x2a\x80\x01";
            f.f[i].len = 3;
        }
    t_assert_code(did_log_entry_encode(DID_LOG_ENTRY_APPROVAL, f.f, f.n, &b, &err),
                  DID_ERR_LOG_ENTRY, &err);
    did_buf_clear(&b);
    did_buf_clear(&bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
