/*
 * approval_verify.c -- the verification of an approval (spec/approvals.md, "Verification"):
 * request, signatures, binding, content, delegation chain, scope, limits, tier rules, audit.
 * Signatures are verified before anything they cover is read; the first failure stops.
 */
#include <stdlib.h>
#include <string.h>

#include <did/approval.h>
#include <did/json.h>
#include <did/log.h>
#include <did/time.h>

#include "approval_internal.h"

typedef struct vstate {
    const did_approval_verify_opts *o;
    did_result *res;
    did_err *err;
    int64_t at, skew;
} vstate;

static int fail(vstate *v, const char *check, int rc)
{
    if (v->res != NULL)
        did_result_fail(v->res, check, v->err);
    return rc;
}

static void pass(vstate *v, const char *check)
{
    if (v->res != NULL)
        did_result_check(v->res, check);
}

/* Step 2/3: the statement is about this request, for this service, in time, not replayed. */
static int check_binding(vstate *v, const did_approval *a, const did_apreq *rq)
{
    did_err *err = v->err;
    int seen = 0, rc;

    if (strcmp(a->rq, rq->ref) != 0)
        return did_err_set(err, DID_ERR_APR_BINDING,
                           "the statement's rq is not the digest of this request");
    if (strcmp(a->aud, rq->iss) != 0 || strcmp(a->aud, v->o->verifier_id) != 0)
        return did_err_set(err, DID_ERR_APR_AUDIENCE,
                           "the statement is addressed to another service");
    if (strcmp(a->nonce, rq->nonce) != 0)
        return did_err_set(err, DID_ERR_APR_NONCE, "the statement's nonce is not the request's");
    if (a->iat > v->at + v->skew)
        return did_err_set(err, DID_ERR_APR_TIME, "the statement's iat is %lld s in the future",
                           (long long)(a->iat - v->at));
    if (a->iat + v->skew < rq->iat)
        return did_err_set(err, DID_ERR_APR_TIME, "the statement is older than its request");
    if (a->iat > rq->exp)
        return did_err_set(err, DID_ERR_APR_EXPIRED,
                           "the statement was made %lld s after the request expired",
                           (long long)(a->iat - rq->exp));
    if (v->at > rq->exp + v->skew)
        return did_err_set(err, DID_ERR_APR_EXPIRED,
                           "the request expired %lld s before the verification time",
                           (long long)(v->at - rq->exp));
    for (size_t i = 0; i < a->n_sigs; i++) {
        if (a->sigs[i].iat > v->at + v->skew)
            return did_err_set(err, DID_ERR_APR_TIME, "signature %zu: iat is %lld s in the future",
                               i, (long long)(a->sigs[i].iat - v->at));
        if (a->sigs[i].iat > rq->exp + v->skew)
            return did_err_set(err, DID_ERR_APR_EXPIRED,
                               "signature %zu was made after the request expired", i);
        if (a->sigs[i].iat + v->skew < rq->iat)
            return did_err_set(err, DID_ERR_APR_TIME, "signature %zu is dated before the request",
                               i);
    }
    if (v->o->seen != NULL) {
        if ((rc = v->o->seen(v->o->seen_user, rq, a, &seen, err)) != DID_OK)
            return rc;
        if (seen)
            return did_err_set(err, DID_ERR_APR_REPLAY,
                               "this request or statement was already used");
    }
    return DID_OK;
}

/* Step 3: what was shown and what is signed. */
static int check_content(vstate *v, const did_approval *a, const did_apreq *rq)
{
    const did_json_limits lim = {DID_APREQ_MAX_TXD_LEN, 8, DID_APREQ_MAX_TXD_LEN, 64};
    did_err *err = v->err;
    int equal = 0, rc;

    if (strcmp(a->disp_dig, rq->disp_dig) != 0)
        return did_err_set(err, DID_ERR_APR_DISPLAY,
                           "the statement's disp_dig is not the request's display digest");
    if (v->o->render != NULL) {
        if ((rc = v->o->render(v->o->render_user, rq, &equal, err)) != DID_OK)
            return rc;
        if (!equal)
            return did_err_set(err, DID_ERR_APR_DISPLAY,
                               "disp.text is not what template %s renders from args",
                               json_string_value(json_object_get(rq->disp, "tpl")));
    }
    if ((rq->txd == NULL) != (a->txd_hashes == NULL) ||
        (rq->txd != NULL && json_array_size(rq->txd) != json_array_size(a->txd_hashes)))
        return did_err_set(err, DID_ERR_APR_CONTENT,
                           "txd_hashes do not correspond to the request's transaction_data");
    for (size_t i = 0; rq->txd != NULL && i < json_array_size(rq->txd); i++) {
        const json_t *s = json_array_get(rq->txd, i);
        uint8_t raw[DID_APREQ_MAX_TXD_LEN];
        char dig[44];
        size_t n = 0;
        json_t *obj = NULL;
        const json_t *pl;
        ck_err ce;

        /* OpenID4VP: the hash of the string as received, not of its decoding. */
        if ((rc = apr_b64_digest(json_string_value(s), json_string_length(s), dig, err)) != DID_OK)
            return rc;
        if (strcmp(dig, json_string_value(json_array_get(a->txd_hashes, i))) != 0)
            return did_err_set(err, DID_ERR_APR_CONTENT,
                               "txd_hashes[%zu] is not the hash of transaction_data[%zu]", i, i);
        ck_err_clear(&ce);
        if (ck_b64url_decode(json_string_value(s), json_string_length(s), raw, sizeof(raw), &n,
                             &ce) != CK_OK ||
            did_json_parse(raw, n, &lim, &obj, err) != DID_OK)
            return did_err_set(err, DID_ERR_APR_CONTENT, "transaction_data[%zu] unreadable", i);
        /* Members the payload shares with args must be equal: the wallet shows the payload,
         * the policy sees args. */
        pl = json_object_get(obj, "payload");
        if (json_is_object(pl)) {
            const char *k;
            json_t *pv;
            json_object_foreach((json_t *)pl, k, pv)
            {
                const json_t *av = json_object_get(rq->args, k);
                if (av != NULL && !json_equal((json_t *)av, pv)) {
                    /* k lives in obj: the message first, then the release */
                    rc = did_err_set(err, DID_ERR_APR_CONTENT,
                                     "transaction_data[%zu].payload.%.40s differs from args", i, k);
                    json_decref(obj);
                    return rc;
                }
            }
        }
        json_decref(obj);
    }
    for (size_t i = 0; i < v->o->n_docs; i++) {
        const did_approval_doc *d = &v->o->docs[i];
        const json_t *found = NULL;
        char dig[44];
        for (size_t j = 0; rq->docs != NULL && j < json_array_size(rq->docs); j++) {
            const json_t *e = json_array_get(rq->docs, j);
            if (d->label != NULL &&
                strcmp(json_string_value(json_object_get(e, "label")), d->label) == 0)
                found = e;
        }
        if (found == NULL)
            return did_err_set(err, DID_ERR_APR_CONTENT, "document %zu is not in the request", i);
        if ((rc = apr_b64_digest(d->data, d->len, dig, err)) != DID_OK)
            return rc;
        if (strcmp(dig, json_string_value(json_object_get(found, "dig"))) != 0)
            return did_err_set(err, DID_ERR_APR_CONTENT,
                               "document %zu does not have the digest the request names", i);
    }
    return DID_OK;
}

static const did_approval_sig *sig_by(const did_approval *a, const char *did)
{
    for (size_t i = 0; i < a->n_sigs; i++)
        if (strcmp(a->sigs[i].signer, did) == 0)
            return &a->sigs[i];
    return NULL;
}

static int check_principal(vstate *v, const did_approval *a, const did_apreq *rq, size_t n_dlg)
{
    const did_approval_sig *s;

    if (n_dlg != 0)
        return did_err_set(v->err, DID_ERR_APR_SIGNER,
                           "a principal's approval carries no delegation chain");
    if (strcmp(a->prn, rq->aud) != 0)
        return did_err_set(v->err, DID_ERR_DLG_PRINCIPAL,
                           "the request asks another principal than the one who signed");
    if ((s = sig_by(a, a->iss)) == NULL)
        return did_err_set(v->err, DID_ERR_APR_SIGNER, "no signature by the principal");
    if (s->commitment != DID_COMMITMENT_APPROVAL)
        return did_err_set(v->err, DID_ERR_APR_COMMITMENT,
                           "the principal's signature is not a proofOfApproval");
    if (a->n_sigs != 1)
        return did_err_set(v->err, DID_ERR_APR_SIGNER,
                           "a signature by a party with no role in this approval");
    return DID_OK;
}

/* The agent's signature: by the chain's delegate, with cnf's key when the leaf names one. */
static int check_agent(vstate *v, const did_approval *a, const did_dlg_chain *c,
                       const did_approval_sig **agent)
{
    const did_dlg *leaf = &c->links[c->n - 1];
    const did_approval_sig *s;

    if (strcmp(a->dlg, leaf->ref) != 0)
        return did_err_set(v->err, DID_ERR_APR_BINDING,
                           "the statement's dlg is not the digest of this chain's leaf");
    if (strcmp(a->prn, c->links[0].iss) != 0)
        return did_err_set(v->err, DID_ERR_DLG_PRINCIPAL,
                           "the statement's principal is not the chain's root");
    if (!apr_same_did(a->iss, leaf->sub))
        return did_err_set(v->err, DID_ERR_DLG_AGENT,
                           "the statement's signer is not the chain's delegate");
    if ((s = sig_by(a, a->iss)) == NULL)
        return did_err_set(v->err, DID_ERR_DLG_AGENT, "no signature by the delegated agent");
    if (leaf->cnf_kid != NULL) {
        const json_t *kid = json_object_get(s->header, "kid");
        if (!json_is_string(kid) || strcmp(json_string_value(kid), leaf->cnf_kid) != 0)
            return did_err_set(v->err, DID_ERR_DLG_AGENT,
                               "the agent did not sign with the key the delegation binds (cnf)");
    }
    *agent = s;
    return DID_OK;
}

static int check_budget(vstate *v, const did_dlg_chain *c, const did_apreq *rq)
{
    did_dlg_budget_query q;
    int present, rc;

    memset(&q, 0, sizeof(q));
    if ((rc = did_dlg_amount(rq->args, &q.amount, &present, v->err)) != DID_OK)
        return rc;
    q.has_amount = present;
    q.root_ref = c->links[0].ref;
    q.at = v->at;
    for (size_t i = 0; i < c->n; i++) {
        int within = 0;
        if (!c->links[i].has_budget && !c->links[i].has_max_uses)
            continue;
        if (v->o->budget == NULL)
            return did_err_set(v->err, DID_ERR_DLG_BUDGET,
                               "delegation link %zu has a budget and no budget source was given",
                               i);
        q.link = &c->links[i];
        q.link_index = i;
        if ((rc = v->o->budget(v->o->budget_user, &q, &within, v->err)) != DID_OK)
            return rc;
        if (!within)
            return did_err_set(v->err, DID_ERR_DLG_BUDGET,
                               "the budget or use count of delegation link %zu is exhausted", i);
    }
    return DID_OK;
}

static int check_tier(vstate *v, const did_approval *a, const did_apreq *rq, const did_dlg_chain *c,
                      const did_approval_sig *agent, did_approval_info *info)
{
    const did_dlg *leaf = &c->links[c->n - 1];
    int eff = c->tier < rq->want_max_tier ? c->tier : rq->want_max_tier;
    did_err *err = v->err;
    size_t cos = 0;

    info->tier = eff;
    if (a->tier != eff)
        return did_err_set(err, DID_ERR_APR_TIER,
                           "the statement claims tier %d, the effective tier is %d", a->tier, eff);
    if (eff == DID_TIER_SUPERVISED) {
        if (agent->commitment != DID_COMMITMENT_CREATION)
            return did_err_set(err, DID_ERR_APR_COMMITMENT,
                               "at tier 1 the agent only prepares: proofOfCreation");
        for (size_t i = 0; i < a->n_sigs; i++) {
            const did_approval_sig *s = &a->sigs[i];
            if (s == agent)
                continue;
            if (!leaf->has_cosign || !apr_list_has(leaf->cosign_of, s->signer, strlen(s->signer)))
                return did_err_set(err, DID_ERR_APR_COSIGN,
                                   "signature %zu is not by an allowed co-signer", i);
            if (s->commitment != DID_COMMITMENT_APPROVAL)
                return did_err_set(err, DID_ERR_APR_COMMITMENT,
                                   "co-signature %zu is not a proofOfApproval", i);
            cos++;
        }
        info->n_cosigners = cos;
        if ((int64_t)cos < c->cosign_k || cos == 0)
            return did_err_set(err, DID_ERR_APR_COSIGN,
                               "tier 1 needs %lld human co-signature(s), %zu present",
                               (long long)(c->cosign_k > 0 ? c->cosign_k : 1), cos);
        return DID_OK;
    }
    if (agent->commitment != DID_COMMITMENT_APPROVAL)
        return did_err_set(err, DID_ERR_APR_COMMITMENT,
                           "at tier %d the agent decides: proofOfApproval", eff);
    if (a->n_sigs != 1)
        return did_err_set(err, DID_ERR_APR_SIGNER,
                           "a signature by a party with no role at tier %d", eff);
    if (eff == DID_TIER_ON_THE_LOOP) {
        int vetoed = 0, rc;
        info->effective_at = (v->o->logged_at != 0 ? v->o->logged_at : v->at) + c->veto_s;
        if (v->o->vetoed != NULL) {
            if ((rc = v->o->vetoed(v->o->vetoed_user, a->digest, &vetoed, err)) != DID_OK)
                return rc;
            if (vetoed)
                return did_err_set(err, DID_ERR_APR_VETO, "the approval was vetoed");
        }
        if (v->o->require_effective && (v->o->logged_at == 0 || v->at < info->effective_at))
            return did_err_set(err, DID_ERR_APR_VETO, "the veto window is open until %lld",
                               (long long)info->effective_at);
    }
    return DID_OK;
}

static int check_audit(vstate *v, const did_approval *a)
{
    did_log_verified lv;
    did_log_entry *e = NULL;
    const did_log_field *f;
    did_err le;
    int rc;

    if (v->o->log_entry == NULL || v->o->tlog_proof == NULL || v->o->log_key == NULL)
        return did_err_set(v->err, DID_ERR_APR_AUDIT,
                           "tier 3 needs the approval's log entry, inclusion proof and log key");
    did_err_clear(&le);
    rc = did_log_proof_verify(v->o->log_entry, v->o->log_entry_len, v->o->tlog_proof,
                              v->o->tlog_proof_len, v->o->log_key, v->o->log_origin,
                              v->o->log_origin != NULL ? strlen(v->o->log_origin) : 0, &lv, &le);
    if (rc != DID_OK)
        return did_err_set(v->err, DID_ERR_APR_AUDIT, "inclusion proof: %s: %s", did_err_name(rc),
                           le.msg);
    if ((e = malloc(sizeof(*e))) == NULL)
        return did_err_set(v->err, DID_ERR_NOMEM, "approval: out of memory");
    rc = did_log_entry_decode(v->o->log_entry, v->o->log_entry_len, e, &le);
    if (rc == DID_OK && (e->type != DID_LOG_ENTRY_APPROVAL ||
                         (f = did_log_entry_find(e, DID_LOG_F_SIG_DIGEST, 0)) == NULL ||
                         f->len != 32 || memcmp(f->value, a->digest, 32) != 0))
        rc = DID_ERR_LOG_ENTRY;
    free(e);
    if (rc != DID_OK)
        return did_err_set(v->err, DID_ERR_APR_AUDIT,
                           "the logged entry is not an approval entry for this envelope");
    return DID_OK;
}

int did_approval_verify(const did_ctx *ctx, const char *envelope, size_t env_len,
                        const char *request, size_t req_len, const char *const *dlg,
                        const size_t *dlg_lens, size_t n_dlg, const did_approval_verify_opts *opts,
                        did_approval_info *info, did_result *res, did_err *err)
{
    did_approval_info tmp_info;
    did_apreq_verify_opts ro;
    did_dlg_chain_opts co;
    did_approval a;
    did_apreq rq;
    did_dlg_chain chain;
    const did_approval_sig *agent = NULL;
    vstate v;
    int rc;

    if (info == NULL)
        info = &tmp_info;
    memset(info, 0, sizeof(*info));
    did_approval_init(&a);
    did_apreq_init(&rq);
    did_dlg_chain_init(&chain);
    if (ctx == NULL || envelope == NULL || request == NULL || opts == NULL ||
        opts->verifier_id == NULL || (n_dlg > 0 && (dlg == NULL || dlg_lens == NULL)))
        return did_err_set(err, DID_ERR_ARG, "did_approval_verify: missing argument");
    v.o = opts;
    v.res = res;
    v.err = err;
    v.at = opts->at != 0 ? opts->at : did_time_now();
    v.skew = opts->skew < 0 ? 0 : opts->skew > 300 ? 300 : opts->skew;
    if (res != NULL)
        did_result_set_format(res, "approval-jades");

    /* 1. Parse the envelope (nothing trusted yet). */
    if ((rc = did_approval_parse(envelope, env_len, &a, err)) != DID_OK) {
        rc = fail(&v, DID_CHECK_FORMAT, rc);
        goto out;
    }
    memcpy(info->envelope_digest, a.digest, 32);
    pass(&v, DID_CHECK_FORMAT);
    /* 2. The request: signed by the service that verifies now. */
    memset(&ro, 0, sizeof(ro));
    ro.now = v.at;
    ro.skew = v.skew;
    ro.service = opts->verifier_id;
    if ((rc = did_apreq_verify(ctx, request, req_len, &ro, &rq, err)) != DID_OK) {
        rc = fail(&v, "request", rc);
        goto out;
    }
    pass(&v, "request");
    /* 5. Every signature over the one payload, then the statement. */
    if ((rc = did_approval_verify_sigs(ctx, &a, opts->x5t, opts->x5t_user, err)) != DID_OK) {
        rc = fail(&v, DID_CHECK_SIGNATURE, rc);
        goto out;
    }
    pass(&v, DID_CHECK_SIGNATURE);
    info->role = a.role;
    info->decision = a.decision;
    snprintf(info->principal, sizeof(info->principal), "%s", a.prn);
    snprintf(info->signer, sizeof(info->signer), "%s", a.iss);
    info->effective_at = a.iat;
    info->assurance = rq.want_sig_level;
    /* 2. Binding to the request, audience, time, replay. */
    if ((rc = check_binding(&v, &a, &rq)) != DID_OK) {
        rc = fail(&v, "binding", rc);
        goto out;
    }
    pass(&v, "binding");
    /* 3. Content. */
    if ((rc = check_content(&v, &a, &rq)) != DID_OK) {
        rc = fail(&v, "content", rc);
        goto out;
    }
    pass(&v, "content");
    if (a.role == DID_ROLE_PRINCIPAL) {
        if ((rc = check_principal(&v, &a, &rq, n_dlg)) != DID_OK) {
            rc = fail(&v, "scope", rc);
            goto out;
        }
        pass(&v, "scope");
        rc = DID_OK;
        goto out;
    }
    /* 6, 9, 10. The chain at the signing time. */
    memset(&co, 0, sizeof(co));
    co.at = v.at;
    co.skew = v.skew;
    co.revoked = opts->revoked;
    co.revoked_user = opts->revoked_user;
    co.trusted_roots = opts->trusted_roots;
    if ((rc = did_dlg_chain_verify(ctx, dlg, dlg_lens, n_dlg, &co, &chain, err)) != DID_OK) {
        rc = fail(&v, "delegation", rc);
        goto out;
    }
    if ((rc = check_agent(&v, &a, &chain, &agent)) != DID_OK) {
        rc = fail(&v, "delegation", rc);
        goto out;
    }
    pass(&v, "delegation");
    /* 7. Scope: the request's principal is the chain's, and the request is inside it. */
    if (strcmp(rq.aud, a.prn) != 0) {
        rc = fail(&v, "scope",
                  did_err_set(err, DID_ERR_DLG_PRINCIPAL,
                              "the request is addressed to another principal"));
        goto out;
    }
    if ((rc = did_dlg_chain_allows(&chain, rq.cmd, rq.iss, rq.res, rq.args, rq.want_sig_level,
                                   err)) != DID_OK ||
        (rc = check_budget(&v, &chain, &rq)) != DID_OK) {
        rc = fail(&v, "scope", rc);
        goto out;
    }
    pass(&v, "scope");
    /* 8. Tier. */
    if ((rc = check_tier(&v, &a, &rq, &chain, agent, info)) != DID_OK) {
        rc = fail(&v, "tier", rc);
        goto out;
    }
    pass(&v, "tier");
    /* 11. Audit: tier 3 is valid only when logged. */
    if (info->tier == DID_TIER_AUTONOMOUS && !opts->skip_audit) {
        if ((rc = check_audit(&v, &a)) != DID_OK) {
            rc = fail(&v, "audit", rc);
            goto out;
        }
        pass(&v, "audit");
    }
    rc = DID_OK;
out:
    if (rc == DID_OK)
        did_err_clear(err);
    did_dlg_chain_clear(&chain);
    did_apreq_clear(&rq);
    did_approval_clear(&a);
    return rc;
}
