/*
 * approval_log.c -- audit-log entries (did/log_entry.h) for approvals, delegation grants and
 * revocations. Entries hold digests, DIDs and key thumbprints only; did_log_entry_encode
 * re-decodes what is built, so nothing malformed is ever returned.
 */
#include <string.h>

#include <did/approval.h>
#include <did/json.h>

#include "approval_internal.h"

/* DER contents of id-cti-ets-proofOfApproval (1.2.840.113549.1.9.16.6.5) and
 * proofOfCreation (.6.6). */
static const uint8_t oid_approval[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                       0x01, 0x09, 0x10, 0x06, 0x05};
static const uint8_t oid_creation[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                       0x01, 0x09, 0x10, 0x06, 0x06};

#define MAX_FIELDS DID_LOG_ENTRY_MAX_FIELDS

typedef struct fields {
    did_log_field f[MAX_FIELDS];
    size_t n;
} fields;

static int add(fields *fs, uint8_t tag, const void *v, size_t len, did_err *err)
{
    if (fs->n >= MAX_FIELDS)
        return did_err_set(err, DID_ERR_LIMIT, "log entry: too many fields");
    fs->f[fs->n].tag = tag;
    fs->f[fs->n].value = v;
    fs->f[fs->n].len = len;
    fs->n++;
    return DID_OK;
}

static int add_intake(fields *fs, const did_log_intake *in, uint8_t ms[8], did_err *err)
{
    int rc;

    if (in == NULL || in->service_id == NULL || in->request_id == NULL)
        return did_err_set(err, DID_ERR_ARG, "log entry: intake fields missing");
    did_log_u64_write(in->received_ms, ms);
    if ((rc = add(fs, DID_LOG_F_ENTRY_ID, in->entry_id, DID_LOG_ENTRY_ID_LEN, err)) != DID_OK ||
        (rc = add(fs, DID_LOG_F_RECEIVED_MS, ms, 8, err)) != DID_OK ||
        (rc = add(fs, DID_LOG_F_SERVICE_ID, in->service_id, strlen(in->service_id), err)) != DID_OK)
        return rc;
    return add(fs, DID_LOG_F_REQUEST_ID, in->request_id, in->request_id_len, err);
}

/* Organisations and services publish did:web; everyone else is taken for a citizen. */
static uint8_t party_kind(const char *did)
{
    return strncmp(did, "did:web:", 8) == 0 ? DID_LOG_PARTY_ORGANIZATION : DID_LOG_PARTY_CITIZEN;
}

static int party(uint8_t kind, uint8_t assurance, const ck_key *key, const char *did, uint8_t *buf,
                 size_t *len, did_err *err)
{
    did_log_party p;
    ck_err ce;

    memset(&p, 0, sizeof(p));
    p.kind = kind;
    p.assurance = assurance;
    ck_err_clear(&ce);
    if (key != NULL && ck_key_thumbprint(key, p.key_thumbprint, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    p.id = (const uint8_t *)did;
    p.id_len = strlen(did);
    return did_log_party_write(&p, buf, DID_LOG_PARTY_MAX_LEN, len, err);
}

static int b64_32(const char *s, uint8_t out[32], did_err *err)
{
    size_t n = 0;
    ck_err ce;

    ck_err_clear(&ce);
    if (ck_b64url_decode(s, strlen(s), out, 32, &n, &ce) != CK_OK || n != 32)
        return did_err_set(err, DID_ERR_ARG, "log entry: a digest is not base64url of 32 bytes");
    return DID_OK;
}

int did_approval_log_entry(const did_log_intake *in, const did_approval *a, const did_apreq *rq,
                           const did_approval_info *info, const uint8_t *delegation_ref,
                           const uint8_t evidence_digest[32], did_buf *out, did_err *err)
{
    static fields fs_zero;
    fields fs = fs_zero;
    uint8_t ms[8], signer[DID_LOG_PARTY_MAX_LEN], prn[DID_LOG_PARTY_MAX_LEN];
    uint8_t docs[1 + DID_APREQ_MAX_DOCS][DID_LOG_DOCREF_MAX_LEN];
    uint8_t consent[32], sig_format = DID_LOG_SIG_FORMAT_JADES, sig_level = DID_LOG_SIG_LEVEL_B_B;
    uint8_t signing_ms[8], ext[3 + (DID_APPROVAL_MAX_SIGS)*34];
    const did_approval_sig *primary = NULL;
    size_t signer_len = 0, prn_len = 0, ext_len = 0, n_docs = 0;
    int rc;

    if (a == NULL || rq == NULL || info == NULL || evidence_digest == NULL || out == NULL ||
        a->statement == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_approval_log_entry: missing argument");
    for (size_t i = 0; i < a->n_sigs; i++)
        if (strcmp(a->sigs[i].signer, a->iss) == 0)
            primary = &a->sigs[i];
    if (primary == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_approval_log_entry: no signature by iss");
    if ((rc = add_intake(&fs, in, ms, err)) != DID_OK)
        return rc;
    if ((rc = party(a->role == DID_ROLE_AGENT ? DID_LOG_PARTY_AI_AGENT : party_kind(a->iss),
                    DID_LOG_ASSURANCE_ADES, primary->key, a->iss, signer, &signer_len, err)) !=
            DID_OK ||
        (rc = add(&fs, DID_LOG_F_SIGNER, signer, signer_len, err)) != DID_OK)
        return rc;
    if (a->role == DID_ROLE_AGENT) {
        /* The principal's key is the chain root's; its thumbprint is in the grant entry that
         * delegation_ref points to, so it is not repeated (zeros: "see the grant"). */
        if ((rc = party(party_kind(a->prn), DID_LOG_ASSURANCE_NONE, NULL, a->prn, prn, &prn_len,
                        err)) != DID_OK ||
            (rc = add(&fs, DID_LOG_F_PRINCIPAL, prn, prn_len, err)) != DID_OK)
            return rc;
    }
    if (delegation_ref != NULL &&
        (rc = add(&fs, DID_LOG_F_DELEGATION_REF, delegation_ref, DID_LOG_REF_LEN, err)) != DID_OK)
        return rc;
    if ((rc = b64_32(a->disp_dig, consent, err)) != DID_OK)
        return rc;
    {
        /* The request itself is the first document: what was asked, shown as disp.text. */
        did_log_docref d;
        size_t len = 0;
        memset(&d, 0, sizeof(d));
        d.hash_alg = DID_LOG_HASH_SHA256;
        d.size = rq->jws_len;
        memcpy(d.digest, rq->digest, 32);
        d.has_presentation = 1;
        memcpy(d.presentation, consent, 32);
        d.media_type = (const uint8_t *)"application/apreq+jwt";
        d.media_type_len = strlen("application/apreq+jwt");
        if ((rc = did_log_docref_write(&d, docs[0], DID_LOG_DOCREF_MAX_LEN, &len, err)) != DID_OK ||
            (rc = add(&fs, DID_LOG_F_DOC, docs[0], len, err)) != DID_OK)
            return rc;
        n_docs = 1;
    }
    for (size_t i = 0; rq->docs != NULL && i < json_array_size(rq->docs); i++) {
        const json_t *e = json_array_get(rq->docs, i);
        const char *mt = json_string_value(json_object_get(e, "mt"));
        did_log_docref d;
        size_t len = 0;
        memset(&d, 0, sizeof(d));
        d.hash_alg = DID_LOG_HASH_SHA256;
        if ((rc = b64_32(json_string_value(json_object_get(e, "dig")), d.digest, err)) != DID_OK)
            return rc;
        d.media_type = (const uint8_t *)mt;
        d.media_type_len = strlen(mt);
        if ((rc = did_log_docref_write(&d, docs[n_docs], DID_LOG_DOCREF_MAX_LEN, &len, err)) !=
                DID_OK ||
            (rc = add(&fs, DID_LOG_F_DOC, docs[n_docs], len, err)) != DID_OK)
            return rc;
        n_docs++;
    }
    did_log_u64_write((uint64_t)a->iat * 1000u, signing_ms);
    if ((rc = add(&fs, DID_LOG_F_COMMITMENT_OID,
                  primary->commitment == DID_COMMITMENT_APPROVAL ? oid_approval : oid_creation,
                  sizeof(oid_approval), err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_ACTION, rq->cmd, strlen(rq->cmd), err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_CONSENT_DIGEST, consent, 32, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_SIG_FORMAT, &sig_format, 1, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_SIG_LEVEL, &sig_level, 1, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_SIG_DIGEST, a->digest, 32, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_SIGNING_TIME_MS, signing_ms, 8, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_EVIDENCE_DIGEST, evidence_digest, 32, err)) != DID_OK)
        return rc;
    /* Extension TLVs: 1 = effective tier (u8); 2 = a co-signer's key thumbprint (repeated). */
    ext[ext_len++] = 1;
    ext[ext_len++] = 1;
    ext[ext_len++] = (uint8_t)info->tier;
    for (size_t i = 0; i < a->n_sigs; i++) {
        ck_err ce;
        if (&a->sigs[i] == primary || a->sigs[i].key == NULL)
            continue;
        ext[ext_len++] = 2;
        ext[ext_len++] = 32;
        ck_err_clear(&ce);
        if (ck_key_thumbprint(a->sigs[i].key, ext + ext_len, &ce) != CK_OK)
            return did_err_from_ck(err, &ce);
        ext_len += 32;
    }
    if ((rc = add(&fs, DID_LOG_F_EXTENSIONS, ext, ext_len, err)) != DID_OK)
        return rc;
    return did_log_entry_encode(DID_LOG_ENTRY_APPROVAL, fs.f, fs.n, out, err);
}

int did_dlg_log_grant(const did_log_intake *in, const did_dlg *link, const uint8_t *parent_ref,
                      did_buf *out, did_err *err)
{
    static fields fs_zero;
    fields fs = fs_zero;
    uint8_t ms[8], from[DID_LOG_PARTY_MAX_LEN], to[DID_LOG_PARTY_MAX_LEN], scope[32];
    uint8_t nbf[8], exp[8];
    size_t from_len = 0, to_len = 0;
    did_buf jcs;
    ck_err ce;
    int rc;

    if (link == NULL || link->claims == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_log_grant: missing argument");
    did_buf_init(&jcs);
    rc = did_jcs_write(json_object_get(link->claims, "dlg"), &jcs, err);
    ck_err_clear(&ce);
    if (rc == DID_OK && ck_hash(CK_SHA256, jcs.data, jcs.len, scope, &ce) != CK_OK)
        rc = did_err_from_ck(err, &ce);
    did_buf_clear(&jcs);
    if (rc != DID_OK)
        return rc;
    did_log_u64_write((uint64_t)link->nbf * 1000u, nbf);
    did_log_u64_write((uint64_t)link->exp * 1000u, exp);
    if ((rc = add_intake(&fs, in, ms, err)) != DID_OK)
        return rc;
    if (parent_ref != NULL &&
        (rc = add(&fs, DID_LOG_F_DELEGATION_REF, parent_ref, DID_LOG_REF_LEN, err)) != DID_OK)
        return rc;
    if ((rc = party(party_kind(link->iss), DID_LOG_ASSURANCE_NONE, link->key, link->iss, from,
                    &from_len, err)) != DID_OK ||
        (rc = party(DID_LOG_PARTY_AI_AGENT, DID_LOG_ASSURANCE_NONE, NULL, link->sub, to, &to_len,
                    err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_DELEGATOR, from, from_len, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_DELEGATE, to, to_len, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_SCOPE_DIGEST, scope, 32, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_NOT_BEFORE_MS, nbf, 8, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_NOT_AFTER_MS, exp, 8, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_CREDENTIAL_DIGEST, link->digest, 32, err)) != DID_OK)
        return rc;
    return did_log_entry_encode(DID_LOG_ENTRY_DELEGATION_GRANT, fs.f, fs.n, out, err);
}

int did_dlg_log_revoke(const did_log_intake *in, const char *revoker_did, const ck_key *revoker_key,
                       const uint8_t grant_ref[DID_LOG_REF_LEN], int reason, did_buf *out,
                       did_err *err)
{
    static fields fs_zero;
    fields fs = fs_zero;
    uint8_t ms[8], who[DID_LOG_PARTY_MAX_LEN], r;
    size_t who_len = 0;
    int rc;

    if (revoker_did == NULL || grant_ref == NULL || out == NULL ||
        reason < DID_LOG_REVOKE_UNSPECIFIED || reason > DID_LOG_REVOKE_MANDATE_ENDED)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_log_revoke: bad argument");
    r = (uint8_t)reason;
    if ((rc = add_intake(&fs, in, ms, err)) != DID_OK ||
        (rc = party(party_kind(revoker_did), DID_LOG_ASSURANCE_NONE, revoker_key, revoker_did, who,
                    &who_len, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_SIGNER, who, who_len, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_TARGET_REF, grant_ref, DID_LOG_REF_LEN, err)) != DID_OK ||
        (rc = add(&fs, DID_LOG_F_REVOKE_REASON, &r, 1, err)) != DID_OK)
        return rc;
    return did_log_entry_encode(DID_LOG_ENTRY_DELEGATION_REVOKE, fs.f, fs.n, out, err);
}
