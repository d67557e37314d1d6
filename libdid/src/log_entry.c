/*
 * log_entry.c -- the binary format of audit-log entries (did/log_entry.h, spec/auditlog.md).
 *
 * One table says what each tag's value looks like; one table per entry type says which tags
 * the type allows and how often. The decoder walks the fields once, checking order, value
 * syntax and counts, then the few rules that tie two fields together. The encoder writes the
 * caller's fields and runs the decoder over the result, so nothing it produces can fail to
 * decode.
 */
#include <string.h>

#include <did/log_entry.h>

enum kind {
    K_ID16,
    K_DIGEST,
    K_U64,
    K_U8,
    K_IDTEXT,
    K_TEXT,
    K_BYTES,
    K_PARTY,
    K_DOCREF,
    K_REF,
    K_OID
};

typedef struct tag_def {
    uint8_t tag;
    uint8_t kind;
    uint16_t lo, hi; /* length bounds (text, bytes) or value bounds (U8) */
    const char *name;
} tag_def;

static const tag_def tags[] = {
    {DID_LOG_F_ENTRY_ID, K_ID16, 0, 0, "entry_id"},
    {DID_LOG_F_RECEIVED_MS, K_U64, 0, 0, "received_ms"},
    {DID_LOG_F_SERVICE_ID, K_IDTEXT, 1, DID_LOG_SERVICE_ID_MAX, "service_id"},
    {DID_LOG_F_REQUEST_ID, K_BYTES, 1, DID_LOG_REQUEST_ID_MAX, "request_id"},
    {DID_LOG_F_SIGNER, K_PARTY, 0, 0, "signer"},
    {DID_LOG_F_PRINCIPAL, K_PARTY, 0, 0, "principal"},
    {DID_LOG_F_DELEGATION_REF, K_REF, 0, 0, "delegation_ref"},
    {DID_LOG_F_DOC, K_DOCREF, 0, 0, "doc"},
    {DID_LOG_F_COMMITMENT_OID, K_OID, 1, 32, "commitment_oid"},
    {DID_LOG_F_ACTION, K_TEXT, 1, 255, "action"},
    {DID_LOG_F_CONSENT_DIGEST, K_DIGEST, 0, 0, "consent_digest"},
    {DID_LOG_F_POLICY_ID, K_TEXT, 1, 255, "policy_id"},
    {DID_LOG_F_SIG_FORMAT, K_U8, 1, 6, "sig_format"},
    {DID_LOG_F_SIG_LEVEL, K_U8, 1, 4, "sig_level"},
    {DID_LOG_F_SIG_DIGEST, K_DIGEST, 0, 0, "sig_digest"},
    {DID_LOG_F_SIGNING_TIME_MS, K_U64, 0, 0, "signing_time_ms"},
    {DID_LOG_F_SIG_TST_DIGEST, K_DIGEST, 0, 0, "sig_tst_digest"},
    {DID_LOG_F_EVIDENCE_DIGEST, K_DIGEST, 0, 0, "evidence_digest"},
    {DID_LOG_F_TARGET_REF, K_REF, 0, 0, "target_ref"},
    {DID_LOG_F_DELEGATOR, K_PARTY, 0, 0, "delegator"},
    {DID_LOG_F_DELEGATE, K_PARTY, 0, 0, "delegate"},
    {DID_LOG_F_SCOPE_DIGEST, K_DIGEST, 0, 0, "scope_digest"},
    {DID_LOG_F_NOT_BEFORE_MS, K_U64, 0, 0, "not_before_ms"},
    {DID_LOG_F_NOT_AFTER_MS, K_U64, 0, 0, "not_after_ms"},
    {DID_LOG_F_CREDENTIAL_DIGEST, K_DIGEST, 0, 0, "credential_digest"},
    {DID_LOG_F_REVOKE_REASON, K_U8, 1, 4, "revoke_reason"},
    {DID_LOG_F_SUBJECT_ID, K_IDTEXT, 1, 255, "subject_id"},
    {DID_LOG_F_KEY_EVENT, K_U8, 1, 3, "key_event"},
    {DID_LOG_F_KEY_THUMBPRINT, K_DIGEST, 0, 0, "key_thumbprint"},
    {DID_LOG_F_NEW_KEY_THUMBPRINT, K_DIGEST, 0, 0, "new_key_thumbprint"},
    {DID_LOG_F_EFFECTIVE_MS, K_U64, 0, 0, "effective_ms"},
    {DID_LOG_F_ANCHORED_DIGEST, K_DIGEST, 0, 0, "anchored_digest"},
    {DID_LOG_F_ANCHORED_ORIGIN, K_TEXT, 1, 255, "anchored_origin"},
    {DID_LOG_F_ANCHORED_SIZE, K_U64, 0, 0, "anchored_size"},
    {DID_LOG_F_CREDENTIAL_ID_DIGEST, K_DIGEST, 0, 0, "credential_id_digest"},
    {DID_LOG_F_CREDENTIAL_TYPE, K_TEXT, 1, 255, "credential_type"},
    {DID_LOG_F_ISSUER_KEY_THUMBPRINT, K_DIGEST, 0, 0, "issuer_key_thumbprint"},
    {DID_LOG_F_STATUS_LIST, K_TEXT, 1, 255, "status_list"},
    {DID_LOG_F_STATUS_INDEX, K_U64, 0, 0, "status_index"},
    {DID_LOG_F_HOLDER_KEY_THUMBPRINT, K_DIGEST, 0, 0, "holder_key_thumbprint"},
    {DID_LOG_F_VALID_UNTIL_MS, K_U64, 0, 0, "valid_until_ms"},
    {DID_LOG_F_EXTENSIONS, K_BYTES, 1, 4096, "extensions"},
};

/* Which tags a type allows, in increasing order, with their minimum and maximum counts. */
typedef struct allow {
    uint8_t tag, min, max;
} allow;

/* clang-format off */
#define COMMON_HEAD {1, 1, 1}, {2, 1, 1}, {3, 1, 1}, {4, 1, 1}
#define COMMON_TAIL {255, 0, 1}

static const allow t_approval[] = {
    COMMON_HEAD, {16, 1, 1}, {17, 0, 1}, {18, 0, 1}, {19, 1, DID_LOG_ENTRY_MAX_DOCS}, {20, 1, 1},
    {21, 1, 1},  {22, 1, 1}, {23, 0, 1}, {24, 1, 1}, {25, 1, 1}, {26, 1, 1}, {27, 1, 1},
    {28, 0, 1},  {29, 1, 1}, COMMON_TAIL};
static const allow t_refusal[] = {
    COMMON_HEAD, {16, 1, 1}, {17, 0, 1}, {18, 0, 1}, {19, 0, DID_LOG_ENTRY_MAX_DOCS}, {21, 1, 1},
    {22, 0, 1},  {26, 0, 1}, {27, 0, 1}, {29, 0, 1}, {30, 0, 1}, COMMON_TAIL};
static const allow t_grant[] = {COMMON_HEAD, {18, 0, 1}, {29, 0, 1}, {32, 1, 1}, {33, 1, 1},
                                {34, 1, 1},  {35, 1, 1}, {36, 1, 1}, {37, 0, 1}, COMMON_TAIL};
static const allow t_revoke[] = {COMMON_HEAD, {16, 1, 1}, {29, 0, 1}, {30, 1, 1}, {38, 0, 1},
                                 COMMON_TAIL};
static const allow t_key_event[] = {COMMON_HEAD, {29, 0, 1}, {40, 1, 1}, {41, 1, 1}, {42, 1, 1},
                                    {43, 0, 1},  {44, 1, 1}, COMMON_TAIL};
static const allow t_anchor[] = {COMMON_HEAD, {48, 1, 1}, {49, 0, 1}, {50, 0, 1}, COMMON_TAIL};
static const allow t_issuance[] = {COMMON_HEAD, {37, 0, 1}, {56, 1, 1}, {57, 1, 1}, {58, 1, 1},
                                   {59, 0, 1},  {60, 0, 1}, {61, 0, 1}, {62, 0, 1}, COMMON_TAIL};

typedef struct type_def {
    const char *name;
    const allow *allowed;
    size_t n;
} type_def;

#define TYPE(name, arr) {name, arr, sizeof arr / sizeof arr[0]}
static const type_def types[] = {
    {NULL, NULL, 0},
    TYPE("approval", t_approval),
    TYPE("refusal", t_refusal),
    TYPE("delegation_grant", t_grant),
    TYPE("delegation_revoke", t_revoke),
    TYPE("key_event", t_key_event),
    TYPE("anchor", t_anchor),
    TYPE("issuance", t_issuance),
};
/* clang-format on */
#define N_TYPES (sizeof types / sizeof types[0])

static const tag_def *find_tag(uint8_t tag)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (tags[i].tag == tag)
            return &tags[i];
    return NULL;
}

static const allow *find_allow(const type_def *t, uint8_t tag)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->allowed[i].tag == tag)
            return &t->allowed[i];
    return NULL;
}

/* ---- integers and references ------------------------------------------------------------- */

void did_log_u64_write(uint64_t v, uint8_t out[8])
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

uint64_t did_log_u64_read(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

void did_log_ref_write(uint64_t index, const uint8_t leaf_hash[32], uint8_t out[DID_LOG_REF_LEN])
{
    did_log_u64_write(index, out);
    memcpy(out + 8, leaf_hash, 32);
}

void did_log_ref_read(const uint8_t in[DID_LOG_REF_LEN], uint64_t *index, uint8_t leaf_hash[32])
{
    *index = did_log_u64_read(in);
    memcpy(leaf_hash, in + 8, 32);
}

/* ---- value checks -------------------------------------------------------------------------- */

/* Printable ASCII: 0x20-0x7E, or 0x21-0x7E when spaces are not allowed. Returns the index of the
 * first bad byte, or len. */
static size_t ascii_bad(const uint8_t *p, size_t len, int space_ok)
{
    uint8_t lo = space_ok ? 0x20 : 0x21;
    for (size_t i = 0; i < len; i++)
        if (p[i] < lo || p[i] > 0x7e)
            return i;
    return len;
}

static int hash_alg_len(uint8_t alg)
{
    switch (alg) {
    case DID_LOG_HASH_SHA256:
        return 32;
    case DID_LOG_HASH_SHA384:
        return 48;
    case DID_LOG_HASH_SHA512:
        return 64;
    default:
        return 0;
    }
}

int did_log_party_read(const uint8_t *in, size_t len, did_log_party *out, did_err *err)
{
    memset(out, 0, sizeof *out);
    if (in == NULL || len < 2 + DID_LOG_DIGEST_LEN + 1 || len > DID_LOG_PARTY_MAX_LEN)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "party: length %zu outside %d..%d", len,
                           2 + DID_LOG_DIGEST_LEN + 1, DID_LOG_PARTY_MAX_LEN);
    if (in[0] < DID_LOG_PARTY_CITIZEN || in[0] > DID_LOG_PARTY_SERVICE)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "party: unknown kind %u", in[0]);
    if (in[1] > DID_LOG_ASSURANCE_QSEAL)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "party: unknown assurance %u", in[1]);
    const uint8_t *id = in + 2 + DID_LOG_DIGEST_LEN;
    size_t id_len = len - 2 - DID_LOG_DIGEST_LEN;
    size_t bad = ascii_bad(id, id_len, 0);
    if (bad != id_len)
        return did_err_set(err, DID_ERR_LOG_ENTRY,
                           "party: id byte %zu is not printable ASCII without space", bad);
    out->kind = in[0];
    out->assurance = in[1];
    memcpy(out->key_thumbprint, in + 2, DID_LOG_DIGEST_LEN);
    out->id = id;
    out->id_len = id_len;
    return DID_OK;
}

int did_log_party_write(const did_log_party *p, uint8_t *out, size_t cap, size_t *len, did_err *err)
{
    if (p == NULL || out == NULL || len == NULL || (p->id == NULL && p->id_len != 0))
        return did_err_set(err, DID_ERR_ARG, "party: NULL argument");
    size_t n = 2 + DID_LOG_DIGEST_LEN + p->id_len;
    if (p->id_len == 0 || p->id_len > DID_LOG_PARTY_ID_MAX)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "party: id length %zu outside 1..%d", p->id_len,
                           DID_LOG_PARTY_ID_MAX);
    if (cap < n)
        return did_err_set(err, DID_ERR_LIMIT, "party: %zu bytes needed, buffer has %zu", n, cap);
    out[0] = p->kind;
    out[1] = p->assurance;
    memcpy(out + 2, p->key_thumbprint, DID_LOG_DIGEST_LEN);
    memcpy(out + 2 + DID_LOG_DIGEST_LEN, p->id, p->id_len);
    did_log_party chk;
    int rc = did_log_party_read(out, n, &chk, err);
    if (rc != DID_OK)
        return rc;
    *len = n;
    return DID_OK;
}

int did_log_docref_read(const uint8_t *in, size_t len, did_log_docref *out, did_err *err)
{
    memset(out, 0, sizeof *out);
    if (in == NULL || len < 1 + 8 || len > DID_LOG_DOCREF_MAX_LEN)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: length %zu outside 9..%d", len,
                           DID_LOG_DOCREF_MAX_LEN);
    int dl = hash_alg_len(in[0]);
    if (dl == 0)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: unknown hash_alg %u", in[0]);
    size_t dlen = (size_t)dl, off = 9;
    if (len < off + dlen + 1)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: truncated digest");
    out->hash_alg = in[0];
    out->size = did_log_u64_read(in + 1);
    memcpy(out->digest, in + off, dlen);
    off += dlen;
    uint8_t has = in[off++];
    if (has > 1)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: has_presentation %u is not 0 or 1", has);
    if (has) {
        if (len < off + dlen)
            return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: truncated presentation digest");
        memcpy(out->presentation, in + off, dlen);
        off += dlen;
    }
    size_t mlen = len - off;
    if (mlen > DID_LOG_MEDIA_TYPE_MAX)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: media type longer than %d bytes",
                           DID_LOG_MEDIA_TYPE_MAX);
    size_t bad = ascii_bad(in + off, mlen, 0);
    if (bad != mlen)
        return did_err_set(err, DID_ERR_LOG_ENTRY,
                           "doc: media type byte %zu is not printable ASCII without space", bad);
    out->has_presentation = has;
    out->media_type = mlen ? in + off : NULL;
    out->media_type_len = mlen;
    return DID_OK;
}

int did_log_docref_write(const did_log_docref *d, uint8_t *out, size_t cap, size_t *len,
                         did_err *err)
{
    if (d == NULL || out == NULL || len == NULL || (d->media_type == NULL && d->media_type_len))
        return did_err_set(err, DID_ERR_ARG, "doc: NULL argument");
    int dl = hash_alg_len(d->hash_alg);
    if (dl == 0)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: unknown hash_alg %u", d->hash_alg);
    size_t dlen = (size_t)dl;
    if (d->media_type_len > DID_LOG_MEDIA_TYPE_MAX)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "doc: media type longer than %d bytes",
                           DID_LOG_MEDIA_TYPE_MAX);
    size_t n = 1 + 8 + dlen + 1 + (d->has_presentation ? dlen : 0) + d->media_type_len;
    if (cap < n)
        return did_err_set(err, DID_ERR_LIMIT, "doc: %zu bytes needed, buffer has %zu", n, cap);
    size_t off = 0;
    out[off++] = d->hash_alg;
    did_log_u64_write(d->size, out + off);
    off += 8;
    memcpy(out + off, d->digest, dlen);
    off += dlen;
    out[off++] = d->has_presentation ? 1 : 0;
    if (d->has_presentation) {
        memcpy(out + off, d->presentation, dlen);
        off += dlen;
    }
    if (d->media_type_len)
        memcpy(out + off, d->media_type, d->media_type_len);
    did_log_docref chk;
    int rc = did_log_docref_read(out, n, &chk, err);
    if (rc != DID_OK)
        return rc;
    *len = n;
    return DID_OK;
}

/* DER OBJECT IDENTIFIER contents: base-128 sub-identifiers, minimal (no leading 0x80), the last
 * byte ending one. */
static int oid_ok(const uint8_t *p, size_t len)
{
    int start = 1;
    for (size_t i = 0; i < len; i++) {
        if (start && p[i] == 0x80)
            return 0;
        start = (p[i] & 0x80) == 0;
    }
    return len > 0 && start;
}

static int value_check(const tag_def *d, const uint8_t *v, size_t len, size_t off, did_err *err)
{
    size_t want = 0, bad;
    did_log_party party;
    did_log_docref doc;
    int rc;

    switch (d->kind) {
    case K_ID16:
        want = DID_LOG_ENTRY_ID_LEN;
        break;
    case K_DIGEST:
        want = DID_LOG_DIGEST_LEN;
        break;
    case K_U64:
        want = 8;
        break;
    case K_U8:
        want = 1;
        break;
    case K_REF:
        want = DID_LOG_REF_LEN;
        break;
    default:
        break;
    }
    if (want != 0 && len != want)
        return did_err_set(err, DID_ERR_LOG_ENTRY,
                           "log entry: %s at offset %zu: length %zu, expected %zu", d->name, off,
                           len, want);
    switch (d->kind) {
    case K_U8:
        if (v[0] < d->lo || v[0] > d->hi)
            return did_err_set(err, DID_ERR_LOG_ENTRY,
                               "log entry: %s at offset %zu: value %u outside %u..%u", d->name, off,
                               v[0], d->lo, d->hi);
        break;
    case K_IDTEXT:
    case K_TEXT:
    case K_BYTES:
    case K_OID:
        if (len < d->lo || len > d->hi)
            return did_err_set(err, DID_ERR_LOG_ENTRY,
                               "log entry: %s at offset %zu: length %zu outside %u..%u", d->name,
                               off, len, d->lo, d->hi);
        if (d->kind == K_IDTEXT || d->kind == K_TEXT) {
            bad = ascii_bad(v, len, d->kind == K_TEXT);
            if (bad != len)
                return did_err_set(err, DID_ERR_LOG_ENTRY,
                                   "log entry: %s: byte at offset %zu is not printable ASCII%s",
                                   d->name, off + bad, d->kind == K_IDTEXT ? " without space" : "");
        }
        if (d->kind == K_OID && !oid_ok(v, len))
            return did_err_set(err, DID_ERR_LOG_ENTRY,
                               "log entry: %s at offset %zu: not DER OID contents", d->name, off);
        break;
    case K_PARTY:
        rc = did_log_party_read(v, len, &party, err);
        if (rc != DID_OK) {
            did_err_prefix(err, d->name);
            return rc;
        }
        break;
    case K_DOCREF:
        rc = did_log_docref_read(v, len, &doc, err);
        if (rc != DID_OK) {
            did_err_prefix(err, d->name);
            return rc;
        }
        break;
    default:
        break;
    }
    return DID_OK;
}

/* ---- decoding ------------------------------------------------------------------------------ */

static int entry_fail(did_log_entry *out, int rc)
{
    out->n_fields = 0;
    out->service_id = NULL;
    out->request_id = NULL;
    out->service_id_len = 0;
    out->request_id_len = 0;
    return rc;
}

/* Rules between fields, checked once all are known to be well formed. */
static int cross_check(const did_log_entry *e, did_err *err)
{
    const did_log_field *a, *b;
    switch (e->type) {
    case DID_LOG_ENTRY_DELEGATION_GRANT:
        a = did_log_entry_find(e, DID_LOG_F_NOT_BEFORE_MS, 0);
        b = did_log_entry_find(e, DID_LOG_F_NOT_AFTER_MS, 0);
        if (did_log_u64_read(b->value) <= did_log_u64_read(a->value))
            return did_err_set(err, DID_ERR_LOG_ENTRY,
                               "log entry: not_after_ms is not after not_before_ms");
        break;
    case DID_LOG_ENTRY_KEY_EVENT:
        a = did_log_entry_find(e, DID_LOG_F_KEY_EVENT, 0);
        b = did_log_entry_find(e, DID_LOG_F_NEW_KEY_THUMBPRINT, 0);
        if ((a->value[0] == DID_LOG_KEY_EVENT_ROTATED) != (b != NULL))
            return did_err_set(err, DID_ERR_LOG_ENTRY,
                               "log entry: new_key_thumbprint is required for a rotation and "
                               "only there");
        break;
    case DID_LOG_ENTRY_ISSUANCE:
        a = did_log_entry_find(e, DID_LOG_F_STATUS_LIST, 0);
        b = did_log_entry_find(e, DID_LOG_F_STATUS_INDEX, 0);
        if ((a == NULL) != (b == NULL))
            return did_err_set(err, DID_ERR_LOG_ENTRY,
                               "log entry: status_list and status_index go together");
        break;
    default:
        break;
    }
    return DID_OK;
}

int did_log_entry_decode(const uint8_t *in, size_t len, did_log_entry *out, did_err *err)
{
    uint8_t count[256];
    int rc;

    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "log entry: NULL output");
    out->version = 0;
    out->type = 0;
    entry_fail(out, 0);
    if (in == NULL && len != 0)
        return did_err_set(err, DID_ERR_ARG, "log entry: NULL input");
    if (len > DID_LOG_ENTRY_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT, "log entry: %zu bytes, limit %d", len,
                           DID_LOG_ENTRY_MAX_LEN);
    if (len < 2)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "log entry: truncated header (%zu bytes)", len);
    if (in[0] != DID_LOG_ENTRY_VERSION)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "log entry: unknown version %u at offset 0",
                           in[0]);
    if (in[1] == 0 || in[1] >= N_TYPES)
        return did_err_set(err, DID_ERR_LOG_ENTRY, "log entry: unknown type %u at offset 1", in[1]);
    const type_def *t = &types[in[1]];
    memset(count, 0, sizeof count);

    size_t off = 2;
    int last = -1;
    while (off < len) {
        if (len - off < 3)
            return entry_fail(out,
                              did_err_set(err, DID_ERR_LOG_ENTRY,
                                          "log entry: truncated field header at offset %zu", off));
        uint8_t tag = in[off];
        size_t flen = ((size_t)in[off + 1] << 8) | in[off + 2];
        const tag_def *d = find_tag(tag);
        const allow *a = find_allow(t, tag);
        if (d == NULL || a == NULL)
            return entry_fail(out, did_err_set(err, DID_ERR_LOG_ENTRY,
                                               "log entry: tag %u at offset %zu not allowed in "
                                               "a %s entry",
                                               tag, off, t->name));
        if ((int)tag < last || ((int)tag == last && a->max < 2))
            return entry_fail(out, did_err_set(err, DID_ERR_LOG_ENTRY,
                                               "log entry: %s at offset %zu out of order or "
                                               "repeated",
                                               d->name, off));
        if (count[tag] >= a->max)
            return entry_fail(out, did_err_set(err, DID_ERR_LOG_ENTRY,
                                               "log entry: more than %u %s fields at offset %zu",
                                               a->max, d->name, off));
        if (flen > len - off - 3)
            return entry_fail(out, did_err_set(err, DID_ERR_LOG_ENTRY,
                                               "log entry: %s at offset %zu: length %zu runs past "
                                               "the end",
                                               d->name, off, flen));
        if (out->n_fields >= DID_LOG_ENTRY_MAX_FIELDS)
            return entry_fail(out, did_err_set(err, DID_ERR_LIMIT, "log entry: more than %d fields",
                                               DID_LOG_ENTRY_MAX_FIELDS));
        const uint8_t *v = in + off + 3;
        rc = value_check(d, v, flen, off, err);
        if (rc != DID_OK)
            return entry_fail(out, rc);
        out->fields[out->n_fields].tag = tag;
        out->fields[out->n_fields].value = v;
        out->fields[out->n_fields].len = flen;
        out->n_fields++;
        count[tag]++;
        last = tag;
        off += 3 + flen;
    }
    for (size_t i = 0; i < t->n; i++)
        if (count[t->allowed[i].tag] < t->allowed[i].min)
            return entry_fail(out, did_err_set(err, DID_ERR_LOG_ENTRY,
                                               "log entry: required field %s missing from a %s "
                                               "entry",
                                               find_tag(t->allowed[i].tag)->name, t->name));
    out->version = in[0];
    out->type = in[1];
    rc = cross_check(out, err);
    if (rc != DID_OK)
        return entry_fail(out, rc);
    /* The common fields are required and come first, in this order. */
    memcpy(out->entry_id, out->fields[0].value, DID_LOG_ENTRY_ID_LEN);
    out->received_ms = did_log_u64_read(out->fields[1].value);
    out->service_id = out->fields[2].value;
    out->service_id_len = out->fields[2].len;
    out->request_id = out->fields[3].value;
    out->request_id_len = out->fields[3].len;
    return DID_OK;
}

const did_log_field *did_log_entry_find(const did_log_entry *e, uint8_t tag, size_t nth)
{
    if (e == NULL)
        return NULL;
    for (size_t i = 0; i < e->n_fields; i++)
        if (e->fields[i].tag == tag && nth-- == 0)
            return &e->fields[i];
    return NULL;
}

/* ---- encoding ------------------------------------------------------------------------------ */

int did_log_entry_encode(uint8_t type, const did_log_field *fields, size_t n, did_buf *out,
                         did_err *err)
{
    if (out == NULL || (fields == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "log entry: NULL argument");
    if (n > DID_LOG_ENTRY_MAX_FIELDS)
        return did_err_set(err, DID_ERR_LIMIT, "log entry: more than %d fields",
                           DID_LOG_ENTRY_MAX_FIELDS);
    size_t total = 2;
    for (size_t i = 0; i < n; i++) {
        if (fields[i].len > 0xffff || (fields[i].value == NULL && fields[i].len != 0))
            return did_err_set(err, DID_ERR_LOG_ENTRY, "log entry: field %zu (tag %u) invalid", i,
                               fields[i].tag);
        total += 3 + fields[i].len;
        if (total > DID_LOG_ENTRY_MAX_LEN)
            return did_err_set(err, DID_ERR_LIMIT, "log entry: more than %d bytes",
                               DID_LOG_ENTRY_MAX_LEN);
    }
    size_t start = out->len;
    int rc = did_buf_reserve(out, total);
    if (rc != DID_OK)
        return did_err_set(err, rc, "log entry: out of memory");
    uint8_t hdr[3] = {DID_LOG_ENTRY_VERSION, type, 0};
    rc = did_buf_append(out, hdr, 2);
    for (size_t i = 0; rc == DID_OK && i < n; i++) {
        hdr[0] = fields[i].tag;
        hdr[1] = (uint8_t)(fields[i].len >> 8);
        hdr[2] = (uint8_t)(fields[i].len & 0xff);
        rc = did_buf_append(out, hdr, 3);
        if (rc == DID_OK && fields[i].len)
            rc = did_buf_append(out, fields[i].value, fields[i].len);
    }
    if (rc != DID_OK) {
        rc = did_err_set(err, rc, "log entry: out of memory");
        goto fail;
    }
    did_log_entry chk;
    rc = did_log_entry_decode(out->data + start, total, &chk, err);
    if (rc == DID_OK)
        return DID_OK;
fail:
    out->len = start;
    if (out->data != NULL)
        out->data[start] = 0;
    return rc;
}

int did_log_issuance_encode(const did_log_issuance *iss, did_buf *out, did_err *err)
{
    did_log_field f[16];
    uint8_t rec[8], idx[8], until[8];
    size_t n = 0;

    if (iss == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "issuance entry: NULL argument");
#define ADD(t, v, l)                       \
    do {                                   \
        f[n].tag = (t);                    \
        f[n].value = (const uint8_t *)(v); \
        f[n].len = (l);                    \
        n++;                               \
    } while (0)
    did_log_u64_write(iss->received_ms, rec);
    ADD(DID_LOG_F_ENTRY_ID, iss->entry_id, DID_LOG_ENTRY_ID_LEN);
    ADD(DID_LOG_F_RECEIVED_MS, rec, 8);
    ADD(DID_LOG_F_SERVICE_ID, iss->service_id, iss->service_id_len);
    ADD(DID_LOG_F_REQUEST_ID, iss->request_id, iss->request_id_len);
    if (iss->has_credential_digest)
        ADD(DID_LOG_F_CREDENTIAL_DIGEST, iss->credential_digest, DID_LOG_DIGEST_LEN);
    ADD(DID_LOG_F_CREDENTIAL_ID_DIGEST, iss->credential_id_digest, DID_LOG_DIGEST_LEN);
    ADD(DID_LOG_F_CREDENTIAL_TYPE, iss->credential_type, iss->credential_type_len);
    ADD(DID_LOG_F_ISSUER_KEY_THUMBPRINT, iss->issuer_key_thumbprint, DID_LOG_DIGEST_LEN);
    if (iss->status_list != NULL) {
        did_log_u64_write(iss->status_index, idx);
        ADD(DID_LOG_F_STATUS_LIST, iss->status_list, iss->status_list_len);
        ADD(DID_LOG_F_STATUS_INDEX, idx, 8);
    }
    if (iss->has_holder_key)
        ADD(DID_LOG_F_HOLDER_KEY_THUMBPRINT, iss->holder_key_thumbprint, DID_LOG_DIGEST_LEN);
    if (iss->has_valid_until) {
        did_log_u64_write(iss->valid_until_ms, until);
        ADD(DID_LOG_F_VALID_UNTIL_MS, until, 8);
    }
#undef ADD
    return did_log_entry_encode(DID_LOG_ENTRY_ISSUANCE, f, n, out, err);
}
