/* test_approval.c -- requests, approval envelopes and the verification (did/approval.h): one
 * fixture per attack of the design's table that the library decides, each expecting its code. */
#include <did/log.h>

#include "approval_fixture.h"

#define AT (FX_T0 + 60)

typedef struct sc {
    fx *f;
    json_t *req_claims;
    char *req;
    json_t *dlg_claims;
    char *dlg;
    json_t *stmt;
    char *env;
    did_approval_verify_opts o;
    int seen, vetoed, budget_ok, render_ok;
    did_approval_info info;
    did_result res;
} sc;

static int cb_seen(void *u, const did_apreq *rq, const did_approval *a, int *seen, did_err *e)
{
    (void)rq;
    (void)a;
    (void)e;
    *seen = ((sc *)u)->seen;
    return 0;
}
static int cb_veto(void *u, const uint8_t d[32], int *v, did_err *e)
{
    (void)d;
    (void)e;
    *v = ((sc *)u)->vetoed;
    return 0;
}
static int cb_budget(void *u, const did_dlg_budget_query *q, int *w, did_err *e)
{
    (void)q;
    (void)e;
    *w = ((sc *)u)->budget_ok;
    return 0;
}
static int cb_render(void *u, const did_apreq *rq, int *eq, did_err *e)
{
    (void)rq;
    (void)e;
    *eq = ((sc *)u)->render_ok;
    return 0;
}

/* A scenario: the agent approves at `tier` under a one-link chain (tier 0: the principal). */
static sc *sc_new(int tier)
{
    sc *s = calloc(1, sizeof(*s));
    fx *f;

    assert_non_null(s);
    s->f = f = fx_new();
    s->budget_ok = 1;
    s->render_ok = 1;
    s->req_claims = fx_request_claims(f);
    s->req = fx_sign_request(f, s->req_claims, &f->service);
    if (tier > 0) {
        s->dlg_claims = fx_dlg_claims(&f->principal, &f->agent, f->principal.did, NULL, tier, 0,
                                      f->service.did);
        fx_set_cosigners(s->dlg_claims, f->human.did, f->human2.did);
        s->dlg = fx_sign_dlg(s->dlg_claims, &f->principal);
        s->stmt = fx_statement(f, s->req, s->dlg, tier, &f->agent);
    } else {
        s->stmt = fx_statement(f, s->req, NULL, 0, &f->principal);
    }
    s->o.verifier_id = f->service.did;
    s->o.at = AT;
    s->o.skew = 60;
    s->o.seen = cb_seen;
    s->o.seen_user = s;
    s->o.vetoed = cb_veto;
    s->o.vetoed_user = s;
    s->o.budget = cb_budget;
    s->o.budget_user = s;
    s->o.render = cb_render;
    s->o.render_user = s;
    s->o.skip_audit = 1;
    return s;
}

/* Signs the statement as it is now: the agent (or principal), then `cosigners` humans. */
static void sc_sign(sc *s, int tier, int cosigners)
{
    fx *f = s->f;
    free(s->env);
    s->env = fx_envelope(s->stmt);
    if (tier == 0) {
        s->env = fx_add_sig(s->env, &f->principal, DID_COMMITMENT_APPROVAL, DID_ROLE_PRINCIPAL);
        return;
    }
    s->env =
        fx_add_sig(s->env, &f->agent, tier == 1 ? DID_COMMITMENT_CREATION : DID_COMMITMENT_APPROVAL,
                   DID_ROLE_AGENT);
    if (cosigners >= 1)
        s->env = fx_add_sig(s->env, &f->human, DID_COMMITMENT_APPROVAL, DID_ROLE_COSIGNER);
    if (cosigners >= 2)
        s->env = fx_add_sig(s->env, &f->human2, DID_COMMITMENT_APPROVAL, DID_ROLE_COSIGNER);
}

static void sc_resign_request(sc *s)
{
    free(s->req);
    s->req = fx_sign_request(s->f, s->req_claims, &s->f->service);
}

static int sc_verify(sc *s, did_err *e)
{
    const char *links[1] = {s->dlg};
    size_t lens[1] = {s->dlg != NULL ? strlen(s->dlg) : 0};
    did_result_clear(&s->res);
    did_result_init(&s->res);
    return did_approval_verify(s->f->ctx, s->env, strlen(s->env), s->req, strlen(s->req),
                               s->dlg != NULL ? links : NULL, s->dlg != NULL ? lens : NULL,
                               s->dlg != NULL ? 1 : 0, &s->o, &s->info, &s->res, e);
}

static void sc_free(sc *s)
{
    json_decref(s->req_claims);
    json_decref(s->dlg_claims);
    json_decref(s->stmt);
    free(s->req);
    free(s->dlg);
    free(s->env);
    did_result_clear(&s->res);
    fx_free(s->f);
    free(s);
}

/* ------------------------------------------------------------------------------------------- */

static void test_valid(void **state)
{
    (void)state;
    did_err e;
    for (int tier = 0; tier <= 3; tier++) {
        sc *s = sc_new(tier);
        sc_sign(s, tier, tier == 1 ? 1 : 0);
        t_assert_ok(sc_verify(s, &e), &e);
        assert_true(did_result_verified(&s->res));
        assert_int_equal(s->info.tier, tier);
        if (tier == 2)
            assert_int_equal(s->info.effective_at, AT + 3600);
        if (tier == 1)
            assert_int_equal(s->info.n_cosigners, 1);
        sc_free(s);
    }
}

static void test_request_format(void **state)
{
    (void)state;
    fx *f = fx_new();
    json_t *c = fx_request_claims(f);
    did_err e;

    t_assert_ok(did_apreq_check_claims(c, NULL, &e), &e);
    json_object_set_new(c, "exp", json_integer(FX_T0 + 601));
    t_assert_code(did_apreq_check_claims(c, NULL, &e), DID_ERR_APR_TIME, &e);
    json_object_set_new(c, "exp", json_integer(FX_T0 + 600));
    json_object_set_new(c, "crit_member", json_true());
    t_assert_code(did_apreq_check_claims(c, NULL, &e), DID_ERR_APR_REQUEST, &e);
    json_object_del(c, "crit_member");
    json_object_set_new(c, "iat", json_real(FX_T0));
    t_assert_code(did_apreq_check_claims(c, NULL, &e), DID_ERR_APR_REQUEST, &e);
    json_object_set_new(c, "iat", json_integer(FX_T0));
    json_object_set_new(c, "nonce", json_string("short"));
    t_assert_code(did_apreq_check_claims(c, NULL, &e), DID_ERR_APR_REQUEST, &e);
    json_object_set_new(c, "nonce", json_string("AAECAwQFBgcICQoLDA0ODw"));
    /* attack 19: bidi control in the displayed text (digest updated: still refused) */
    {
        const char *t = "Pay \xe2\x80\xae"
                        "1 000,00 EUR";
        char *d = fx_b64_sha256(t);
        json_object_set_new(json_object_get(c, "disp"), "text", json_string(t));
        json_object_set_new(json_object_get(c, "disp"), "dig", json_string(d));
        t_assert_code(did_apreq_check_claims(c, NULL, &e), DID_ERR_APR_DISPLAY, &e);
        free(d);
    }
    /* disp.dig not the digest of the text */
    json_object_set_new(json_object_get(c, "disp"), "text", json_string(FX_TEXT " (edited)"));
    t_assert_code(did_apreq_check_claims(c, NULL, &e), DID_ERR_APR_DISPLAY, &e);
    json_decref(c);
    fx_free(f);
}

static void test_replay_audience_time(void **state)
{
    (void)state;
    did_err e;
    sc *s = sc_new(2);

    sc_sign(s, 2, 0);
    /* attack 1: replay */
    s->seen = 1;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_REPLAY, &e);
    s->seen = 0;
    /* attacks 2, 18: another service, token passthrough */
    s->o.verifier_id = s->f->other_service.did;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_AUDIENCE, &e);
    s->o.verifier_id = s->f->service.did;
    /* attack 3: verified after the request expired */
    s->o.at = FX_T0 + 700;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_EXPIRED, &e);
    s->o.at = AT;
    /* attack 3: nonce swapped */
    json_object_set_new(s->stmt, "nonce", json_string("BBECAwQFBgcICQoLDA0ODw"));
    sc_sign(s, 2, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_NONCE, &e);
    json_object_set_new(s->stmt, "nonce", json_string("AAECAwQFBgcICQoLDA0ODw"));
    /* attack 3: statement made after the request expired */
    json_object_set_new(s->stmt, "iat", json_integer(FX_T0 + 650));
    s->o.at = FX_T0 + 655;
    sc_sign(s, 2, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_EXPIRED, &e);
    /* attack 25: clock games: iat an hour in the future */
    s->o.at = AT;
    json_object_set_new(s->stmt, "iat", json_integer(AT + 3600));
    sc_sign(s, 2, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_TIME, &e);
    /* statement dated before its request */
    json_object_set_new(s->stmt, "iat", json_integer(FX_T0 - 3600));
    sc_sign(s, 2, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_TIME, &e);
    /* a request issued in the future */
    json_object_set_new(s->stmt, "iat", json_integer(FX_T0 + 30));
    s->o.at = FX_T0 - 600;
    sc_sign(s, 2, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_TIME, &e);
    sc_free(s);
}

static void test_scope_and_deputy(void **state)
{
    (void)state;
    did_err e;
    sc *s = sc_new(3);
    fx *f = s->f;

    /* attack 4: command escalation */
    json_object_set_new(s->req_claims, "cmd", json_string("/approve/procurement"));
    sc_resign_request(s);
    json_decref(s->stmt);
    s->stmt = fx_statement(f, s->req, s->dlg, 3, &f->agent);
    sc_sign(s, 3, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_DLG_CMD, &e);
    json_object_set_new(s->req_claims, "cmd", json_string("/approve/procurement/po"));
    /* attack 5: over the per-transaction limit */
    json_object_set_new(json_object_get(json_object_get(s->req_claims, "args"), "amount"), "value",
                        json_integer(500100));
    sc_resign_request(s);
    json_decref(s->stmt);
    s->stmt = fx_statement(f, s->req, s->dlg, 3, &f->agent);
    sc_sign(s, 3, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_DLG_LIMIT, &e);
    /* attack 6 (the verifier's part): the log writer says the budget is spent */
    json_object_set_new(json_object_get(json_object_get(s->req_claims, "args"), "amount"), "value",
                        json_integer(125000));
    sc_resign_request(s);
    json_decref(s->stmt);
    s->stmt = fx_statement(f, s->req, s->dlg, 3, &f->agent);
    sc_sign(s, 3, 0);
    s->budget_ok = 0;
    t_assert_code(sc_verify(s, &e), DID_ERR_DLG_BUDGET, &e);
    s->budget_ok = 1;
    t_assert_ok(sc_verify(s, &e), &e);
    /* attack 17: the agent signs for another principal with this mandate */
    json_object_set_new(s->stmt, "prn", json_string(f->other_principal.did));
    sc_sign(s, 3, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_DLG_PRINCIPAL, &e);
    json_object_set_new(s->stmt, "prn", json_string(f->principal.did));
    /* attack 17: a request for another principal routed to this agent */
    json_object_set_new(s->req_claims, "aud", json_string(f->other_principal.did));
    sc_resign_request(s);
    json_decref(s->stmt);
    s->stmt = fx_statement(f, s->req, s->dlg, 3, &f->agent);
    sc_sign(s, 3, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_DLG_PRINCIPAL, &e);
    /* someone else signs as the agent */
    json_object_set_new(s->req_claims, "aud", json_string(f->principal.did));
    sc_resign_request(s);
    json_decref(s->stmt);
    s->stmt = fx_statement(f, s->req, s->dlg, 3, &f->mallory);
    sc_sign(s, 3, 0);
    free(s->env);
    s->env = fx_add_sig(fx_envelope(s->stmt), &f->mallory, DID_COMMITMENT_APPROVAL, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_DLG_AGENT, &e);
    sc_free(s);
}

static void test_tiers(void **state)
{
    (void)state;
    did_err e;
    sc *s = sc_new(1);
    fx *f = s->f;

    /* attack 12: tier 1 without its human; k-1 of k; a co-signer not in cosign.of */
    sc_sign(s, 1, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_COSIGN, &e);
    json_object_set_new(json_object_get(json_object_get(s->dlg_claims, "dlg"), "cosign"), "k",
                        json_integer(2));
    free(s->dlg);
    s->dlg = fx_sign_dlg(s->dlg_claims, &f->principal);
    json_decref(s->stmt);
    s->stmt = fx_statement(f, s->req, s->dlg, 1, &f->agent);
    sc_sign(s, 1, 1);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_COSIGN, &e);
    sc_sign(s, 1, 2);
    t_assert_ok(sc_verify(s, &e), &e);
    free(s->env);
    s->env = fx_add_sig(fx_envelope(s->stmt), &f->agent, DID_COMMITMENT_CREATION, 0);
    s->env = fx_add_sig(s->env, &f->human, DID_COMMITMENT_APPROVAL, 0);
    s->env = fx_add_sig(s->env, &f->mallory, DID_COMMITMENT_APPROVAL, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_COSIGN, &e);
    /* the agent decides at tier 1 */
    free(s->env);
    s->env = fx_add_sig(fx_envelope(s->stmt), &f->agent, DID_COMMITMENT_APPROVAL, 0);
    s->env = fx_add_sig(s->env, &f->human, DID_COMMITMENT_APPROVAL, 0);
    s->env = fx_add_sig(s->env, &f->human2, DID_COMMITMENT_APPROVAL, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_COMMITMENT, &e);
    /* the statement claims a more autonomous tier than the chain allows */
    json_object_set_new(s->stmt, "tier", json_integer(3));
    sc_sign(s, 3, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_TIER, &e);
    json_object_set_new(s->stmt, "tier", json_integer(1));
    /* attack 13: a co-signature over other bytes, spliced into the envelope */
    {
        json_t *other = json_deep_copy(s->stmt), *env, *oenv;
        char *oe, *txt;
        json_object_set_new(other, "jti", json_string("apr-0002"));
        oe = fx_add_sig(fx_envelope(other), &f->human2, DID_COMMITMENT_APPROVAL, 0);
        sc_sign(s, 1, 1);
        env = json_loads(s->env, 0, NULL);
        oenv = json_loads(oe, 0, NULL);
        json_array_append(json_object_get(env, "signatures"),
                          json_array_get(json_object_get(oenv, "signatures"), 0));
        txt = json_dumps(env, JSON_COMPACT);
        free(s->env);
        s->env = txt;
        t_assert_code(sc_verify(s, &e), DID_ERR_JWS_SIGNATURE, &e);
        json_decref(env);
        json_decref(oenv);
        json_decref(other);
        free(oe);
    }
    sc_free(s);

    /* attack 15: tier 2 vetoed; used before the window closed */
    s = sc_new(2);
    sc_sign(s, 2, 0);
    s->vetoed = 1;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_VETO, &e);
    s->vetoed = 0;
    s->o.require_effective = 1;
    s->o.logged_at = AT;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_VETO, &e);
    s->o.at = AT + 3600;
    s->o.logged_at = AT;
    /* the request is long expired by then; evaluate validity at logging, effect at now */
    s->o.at = AT;
    s->o.require_effective = 0;
    t_assert_ok(sc_verify(s, &e), &e);
    sc_free(s);
}

/* A one-entry log: entry, tlog-proof and the log's verifier key. */
static void make_log(const uint8_t *entry, size_t len, did_buf *proof, did_log_vkey *vk,
                     ck_key **lk)
{
    did_log_checkpoint cp;
    did_buf signed_cp;
    did_err e;
    ck_err ce;

    ck_err_clear(&ce);
    assert_int_equal(ck_key_generate(CK_KEY_ED25519, lk, &ce), 0);
    t_assert_ok(did_log_vkey_from_key(*lk, "log.example/approvals", 21, vk, &e), &e);
    memset(&cp, 0, sizeof(cp));
    cp.origin = "log.example/approvals";
    cp.origin_len = 21;
    cp.size = 1;
    t_assert_ok(did_log_leaf_hash(entry, len, cp.root, &e), &e);
    did_buf_init(&signed_cp);
    t_assert_ok(did_log_checkpoint_sign(&cp, *lk, NULL, 0, &signed_cp, &e), &e);
    t_assert_ok(did_log_proof_write(0, NULL, 0, NULL, 0, signed_cp.data, signed_cp.len, proof, &e),
                &e);
    did_buf_clear(&signed_cp);
}

static void test_audit(void **state)
{
    (void)state;
    did_err e;
    sc *s = sc_new(3);
    did_approval a;
    did_apreq rq;
    did_apreq_verify_opts ro = {AT, 60, NULL, 0};
    did_log_intake in;
    uint8_t evidence[32] = {1};
    did_buf entry, proof, other_proof;
    did_log_vkey vk, vk2;
    ck_key *lk = NULL, *lk2 = NULL;
    did_log_entry *le = malloc(sizeof(*le));

    sc_sign(s, 3, 0);
    /* attack 16: tier 3 without an inclusion proof */
    s->o.skip_audit = 0;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_AUDIT, &e);
    /* the approval's log entry */
    s->o.skip_audit = 1;
    t_assert_ok(sc_verify(s, &e), &e);
    did_approval_init(&a);
    t_assert_ok(did_approval_parse(s->env, strlen(s->env), &a, &e), &e);
    t_assert_ok(did_approval_verify_sigs(s->f->ctx, &a, NULL, NULL, &e), &e);
    t_assert_ok(did_apreq_verify(s->f->ctx, s->req, strlen(s->req), &ro, &rq, &e), &e);
    memset(&in, 0, sizeof(in));
    in.received_ms = (uint64_t)AT * 1000u;
    in.service_id = "did:web:erp.example";
    in.request_id = (const uint8_t *)"req-0001";
    in.request_id_len = 8;
    did_buf_init(&entry);
    did_buf_init(&proof);
    did_buf_init(&other_proof);
    t_assert_ok(did_approval_log_entry(&in, &a, &rq, &s->info, NULL, evidence, &entry, &e), &e);
    t_assert_ok(did_log_entry_decode(entry.data, entry.len, le, &e), &e);
    assert_int_equal(le->type, DID_LOG_ENTRY_APPROVAL);
    make_log(entry.data, entry.len, &proof, &vk, &lk);
    s->o.skip_audit = 0;
    s->o.log_entry = entry.data;
    s->o.log_entry_len = entry.len;
    s->o.tlog_proof = proof.data;
    s->o.tlog_proof_len = proof.len;
    s->o.log_key = &vk;
    t_assert_ok(sc_verify(s, &e), &e);
    /* a proof by another log */
    make_log(entry.data, entry.len, &other_proof, &vk2, &lk2);
    s->o.log_key = &vk2;
    s->o.tlog_proof = proof.data;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_AUDIT, &e);
    /* a proof of another entry */
    s->o.log_key = &vk;
    entry.data[entry.len - 1] ^= 1;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_AUDIT, &e);
    free(le);
    ck_key_free(lk);
    ck_key_free(lk2);
    did_buf_clear(&entry);
    did_buf_clear(&proof);
    did_buf_clear(&other_proof);
    did_apreq_clear(&rq);
    did_approval_clear(&a);
    sc_free(s);
}

static void test_content(void **state)
{
    (void)state;
    did_err e;
    sc *s = sc_new(2);
    fx *f = s->f;
    did_approval_doc doc = {"Purchase order", (const uint8_t *)FX_DOC, strlen(FX_DOC)};

    sc_sign(s, 2, 0);
    s->o.docs = &doc;
    s->o.n_docs = 1;
    t_assert_ok(sc_verify(s, &e), &e);
    /* attack 20: document swap */
    doc.data = (const uint8_t *)"%PDF-1.7 another order";
    doc.len = strlen((const char *)doc.data);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_CONTENT, &e);
    s->o.n_docs = 0;
    /* attack 19: the renderer disagrees with disp.text (template swapped) */
    s->render_ok = 0;
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_DISPLAY, &e);
    s->render_ok = 1;
    /* attack 19: the signer saw another text */
    {
        char *d = fx_b64_sha256("something else");
        json_object_set_new(s->stmt, "disp_dig", json_string(d));
        sc_sign(s, 2, 0);
        t_assert_code(sc_verify(s, &e), DID_ERR_APR_DISPLAY, &e);
        free(d);
    }
    /* attack 20: transaction_data payload differs from args */
    {
        char *t = fx_b64("{\"type\":\"urn:civid:approval:1\",\"credential_ids\":[\"org\"],"
                         "\"payload\":{\"po\":\"2026-999999\"}}");
        json_array_set_new(json_object_get(s->req_claims, "transaction_data"), 0, json_string(t));
        sc_resign_request(s);
        json_decref(s->stmt);
        s->stmt = fx_statement(f, s->req, s->dlg, 2, &f->agent);
        sc_sign(s, 2, 0);
        t_assert_code(sc_verify(s, &e), DID_ERR_APR_CONTENT, &e);
        free(t);
    }
    /* the statement binds another request */
    json_object_set_new(s->stmt, "rq",
                        json_string("sha-256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    sc_sign(s, 2, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_BINDING, &e);
    sc_free(s);
}

static int verify_env(sc *s, const char *env, did_err *e)
{
    free(s->env);
    s->env = strdup(env);
    return sc_verify(s, e);
}

static void test_parser_and_alg(void **state)
{
    (void)state;
    did_err e;
    sc *s = sc_new(2);
    json_t *env;
    char buf[8192], *txt;
    const char *payload, *prot, *sig;

    sc_sign(s, 2, 0);
    env = json_loads(s->env, 0, NULL);
    payload = json_string_value(json_object_get(env, "payload"));
    prot = json_string_value(
        json_object_get(json_array_get(json_object_get(env, "signatures"), 0), "protected"));
    sig = json_string_value(
        json_object_get(json_array_get(json_object_get(env, "signatures"), 0), "signature"));
    /* attack 22: duplicate keys */
    snprintf(buf, sizeof(buf),
             "{\"payload\":\"%s\",\"payload\":\"%s\",\"signatures\":[{\"protected\":\"%s\","
             "\"signature\":\"%s\"}]}",
             payload, payload, prot, sig);
    t_assert_code(verify_env(s, buf, &e), DID_ERR_JSON_DUPLICATE_KEY, &e);
    /* attack 22: a second payload inside a signature, an unprotected header, flattened form */
    snprintf(buf, sizeof(buf),
             "{\"payload\":\"%s\",\"signatures\":[{\"protected\":\"%s\",\"signature\":\"%s\","
             "\"payload\":\"e30\"}]}",
             payload, prot, sig);
    t_assert_code(verify_env(s, buf, &e), DID_ERR_APR_ENVELOPE, &e);
    snprintf(buf, sizeof(buf),
             "{\"payload\":\"%s\",\"signatures\":[{\"protected\":\"%s\",\"signature\":\"%s\","
             "\"header\":{\"kid\":\"x\"}}]}",
             payload, prot, sig);
    t_assert_code(verify_env(s, buf, &e), DID_ERR_APR_ENVELOPE, &e);
    snprintf(buf, sizeof(buf),
             "{\"payload\":\"%s\",\"protected\":\"%s\",\"signature\":\"%s\",\"signatures\":[]}",
             payload, prot, sig);
    t_assert_code(verify_env(s, buf, &e), DID_ERR_APR_ENVELOPE, &e);
    /* non-canonical base64url (a padding character) */
    snprintf(buf, sizeof(buf),
             "{\"payload\":\"%s=\",\"signatures\":[{\"protected\":\"%s\",\"signature\":\"%s\"}]}",
             payload, prot, sig);
    t_assert_code(verify_env(s, buf, &e), DID_ERR_APR_ENVELOPE, &e);
    /* attack 22: 1 MiB */
    {
        char *big = malloc(1 << 20);
        memset(big, ' ', 1 << 20);
        big[0] = '{';
        big[(1 << 20) - 2] = '}';
        big[(1 << 20) - 1] = '\0';
        t_assert_code(verify_env(s, big, &e), DID_ERR_LIMIT, &e);
        free(big);
    }
    /* attack 21: alg none */
    {
        char *none = fx_b64("{\"alg\":\"none\",\"typ\":\"aprv+jws\"}");
        snprintf(
            buf, sizeof(buf),
            "{\"payload\":\"%s\",\"signatures\":[{\"protected\":\"%s\",\"signature\":\"%s\"}]}",
            payload, none, sig);
        t_assert_code(verify_env(s, buf, &e), DID_ERR_JWS_ALG, &e);
        free(none);
        none = fx_b64("{\"alg\":\"HS256\",\"typ\":\"aprv+jws\"}");
        snprintf(
            buf, sizeof(buf),
            "{\"payload\":\"%s\",\"signatures\":[{\"protected\":\"%s\",\"signature\":\"%s\"}]}",
            payload, none, sig);
        t_assert_code(verify_env(s, buf, &e), DID_ERR_JWS_ALG, &e);
        free(none);
    }
    /* attack 21: a delegation presented as an approval signature (typ dlg+jwt) */
    {
        const char *d1 = strchr(s->dlg, '.'), *d2 = strrchr(s->dlg, '.');
        snprintf(buf, sizeof(buf),
                 "{\"payload\":\"%.*s\",\"signatures\":[{\"protected\":\"%.*s\",\"signature\":"
                 "\"%s\"}]}",
                 (int)(d2 - d1 - 1), d1 + 1, (int)(d1 - s->dlg), s->dlg, d2 + 1);
        t_assert_code(verify_env(s, buf, &e), DID_ERR_JWS_TYP, &e);
    }
    /* attack 21: the approval's request is a delegation */
    free(s->req);
    s->req = strdup(s->dlg);
    sc_sign(s, 2, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_JWS_TYP, &e);
    (void)txt;
    json_decref(env);
    sc_free(s);
}

static void test_statement_format(void **state)
{
    (void)state;
    did_err e;
    sc *s = sc_new(2);
    did_buf b;

    json_object_set_new(s->stmt, "amount", json_integer(1));
    did_buf_init(&b);
    t_assert_code(did_approval_create(s->stmt, &b, &e), DID_ERR_APR_STATEMENT, &e);
    json_object_del(s->stmt, "amount");
    json_object_set_new(s->stmt, "decision", json_string("maybe"));
    t_assert_code(did_approval_create(s->stmt, &b, &e), DID_ERR_APR_STATEMENT, &e);
    json_object_set_new(s->stmt, "decision", json_string("approve"));
    json_object_del(s->stmt, "dlg");
    t_assert_code(did_approval_create(s->stmt, &b, &e), DID_ERR_APR_STATEMENT, &e);
    did_buf_clear(&b);
    /* the same signer twice */
    json_decref(s->stmt);
    s->stmt = fx_statement(s->f, s->req, s->dlg, 2, &s->f->agent);
    sc_sign(s, 2, 0);
    s->env = fx_add_sig(s->env, &s->f->agent, DID_COMMITMENT_APPROVAL, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_ENVELOPE, &e);
    /* a principal's approval with a stranger's extra signature */
    sc_free(s);
    s = sc_new(0);
    sc_sign(s, 0, 0);
    s->env = fx_add_sig(s->env, &s->f->mallory, DID_COMMITMENT_APPROVAL, 0);
    t_assert_code(sc_verify(s, &e), DID_ERR_APR_SIGNER, &e);
    sc_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_request_format),
        cmocka_unit_test(test_replay_audience_time),
        cmocka_unit_test(test_scope_and_deputy),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_content),
        cmocka_unit_test(test_parser_and_alg),
        cmocka_unit_test(test_statement_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
