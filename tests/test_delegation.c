/* test_delegation.c -- dlg+jwt links and chains (did/delegation.h): format, attenuation,
 * depth, loops, alignment, validity, revocation, scope and budget arithmetic. */
#include "approval_fixture.h"

#define AT (FX_T0 + 60)

static int verify_chain(fx *f, char **links, size_t n, did_dlg_chain_opts *o, did_err *e)
{
    size_t lens[8];
    did_dlg_chain c;
    did_dlg_chain_opts def = {AT, 60, NULL, NULL, NULL};
    int rc;

    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(links[i]);
    rc = did_dlg_chain_verify(f->ctx, (const char *const *)links, lens, n, o != NULL ? o : &def, &c,
                              e);
    did_dlg_chain_clear(&c);
    return rc;
}

/* root principal -> agent (max_depth 1), then agent -> sub_agent with claims changed by mut. */
static int two_links(fx *f, void (*mut)(fx *, json_t *), did_err *e)
{
    json_t *rc_ =
        fx_dlg_claims(&f->principal, &f->agent, f->principal.did, NULL, 2, 1, f->service.did);
    char *links[2];
    json_t *cc;
    int rc;

    links[0] = fx_sign_dlg(rc_, &f->principal);
    cc = fx_dlg_claims(&f->agent, &f->sub_agent, f->principal.did, links[0], 2, 0, f->service.did);
    if (mut != NULL)
        mut(f, cc);
    links[1] = fx_sign_dlg(cc, &f->agent);
    rc = verify_chain(f, links, 2, NULL, e);
    free(links[0]);
    free(links[1]);
    json_decref(rc_);
    json_decref(cc);
    return rc;
}

static json_t *dlgm(json_t *c)
{
    return json_object_get(c, "dlg");
}

static void mut_exp(fx *f, json_t *c)
{
    (void)f;
    json_object_set_new(c, "exp", json_integer(FX_T0 + 40 * 86400));
}
static void mut_tier(fx *f, json_t *c)
{
    (void)f;
    json_object_set_new(dlgm(c), "tier", json_integer(3));
}
static void mut_aud(fx *f, json_t *c)
{
    json_array_append_new(json_object_get(dlgm(c), "aud"), json_string(f->other_service.did));
}
static void mut_depth(fx *f, json_t *c)
{
    (void)f;
    json_object_set_new(dlgm(c), "max_depth", json_integer(1));
}
static void mut_cmd(fx *f, json_t *c)
{
    (void)f;
    json_array_set_new(json_object_get(dlgm(c), "cmd"), 0, json_string("/approve"));
}
static void mut_per_txn(fx *f, json_t *c)
{
    (void)f;
    json_object_set_new(json_object_get(json_object_get(dlgm(c), "lim"), "per_txn"), "value",
                        json_integer(500001));
}
static void mut_period(fx *f, json_t *c)
{
    (void)f;
    json_object_set_new(json_object_get(json_object_get(dlgm(c), "lim"), "budget"), "period",
                        json_string("P1D"));
}
static void mut_res(fx *f, json_t *c)
{
    (void)f;
    json_array_set_new(json_object_get(dlgm(c), "res"), 0, json_string("https://erp.example/*"));
}
static void mut_veto(fx *f, json_t *c)
{
    (void)f;
    json_object_set_new(dlgm(c), "veto_s", json_integer(60));
}
static void mut_narrow(fx *f, json_t *c)
{
    (void)f;
    json_array_set_new(json_object_get(dlgm(c), "res"), 0,
                       json_string("https://erp.example/po/2026-*"));
    json_array_set_new(json_object_get(dlgm(c), "cmd"), 0,
                       json_string("/approve/procurement/po/small"));
    json_object_set_new(dlgm(c), "tier", json_integer(1));
}
static void mut_iss(fx *f, json_t *c)
{
    json_object_set_new(c, "iss", json_string(f->mallory.did));
}

static void test_chain_ok_and_attenuation(void **state)
{
    (void)state;
    fx *f = fx_new();
    did_err e;

    t_assert_ok(two_links(f, NULL, &e), &e);
    t_assert_ok(two_links(f, mut_narrow, &e), &e);
    /* attack 7: widening child */
    t_assert_code(two_links(f, mut_exp, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_tier, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_aud, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_depth, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_cmd, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_per_txn, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_period, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_res, &e), DID_ERR_DLG_ATTENUATION, &e);
    t_assert_code(two_links(f, mut_veto, &e), DID_ERR_DLG_ATTENUATION, &e);
    fx_free(f);
}

static void test_alignment(void **state)
{
    (void)state;
    fx *f = fx_new();
    did_err e;
    json_t *r =
        fx_dlg_claims(&f->principal, &f->agent, f->principal.did, NULL, 2, 2, f->service.did);
    json_t *r2 =
        fx_dlg_claims(&f->principal, &f->mallory, f->principal.did, NULL, 2, 2, f->service.did);
    char *root = fx_sign_dlg(r, &f->principal), *other_root = fx_sign_dlg(r2, &f->principal);
    json_t *c =
        fx_dlg_claims(&f->agent, &f->sub_agent, f->principal.did, other_root, 2, 1, f->service.did);
    char *child = fx_sign_dlg(c, &f->agent);
    char *links[2] = {root, child};

    /* attack 9: prf names another parent */
    t_assert_code(verify_chain(f, links, 2, NULL, &e), DID_ERR_DLG_ALIGNMENT, &e);
    /* a link signed by a key that is not its iss's */
    {
        json_t *m =
            fx_dlg_claims(&f->agent, &f->sub_agent, f->principal.did, root, 2, 1, f->service.did);
        did_jws_sign_opts so = {DID_DLG_TYP, NULL, f->mallory.kid, NULL};
        did_buf b;
        did_dlg d;
        mut_iss(f, m);
        json_object_set_new(m, "iss", json_string(f->agent.did));
        did_buf_init(&b);
        t_assert_ok(did_jwt_sign(f->mallory.key, &so, m, &b, &e), &e);
        t_assert_code(did_dlg_verify(f->ctx, (const char *)b.data, b.len, &d, &e), DID_ERR_JWS_KID,
                      &e);
        did_buf_clear(&b);
        json_decref(m);
    }
    /* attack 9: child iss is not the parent's sub */
    {
        json_t *m =
            fx_dlg_claims(&f->mallory, &f->sub_agent, f->principal.did, root, 2, 1, f->service.did);
        char *mc = fx_sign_dlg(m, &f->mallory);
        char *l2[2] = {root, mc};
        t_assert_code(verify_chain(f, l2, 2, NULL, &e), DID_ERR_DLG_ALIGNMENT, &e);
        free(mc);
        json_decref(m);
    }
    /* the chain does not start at its root */
    {
        char *l1[1] = {child};
        t_assert_code(verify_chain(f, l1, 1, NULL, &e), DID_ERR_DLG_ALIGNMENT, &e);
    }
    /* root issued by someone else than prn */
    {
        json_t *m =
            fx_dlg_claims(&f->mallory, &f->agent, f->principal.did, NULL, 2, 0, f->service.did);
        char *mr = fx_sign_dlg(m, &f->mallory);
        char *l1[1] = {mr};
        t_assert_code(verify_chain(f, l1, 1, NULL, &e), DID_ERR_DLG_ALIGNMENT, &e);
        free(mr);
        json_decref(m);
    }
    /* untrusted root */
    {
        const char *roots[] = {f->other_principal.did, NULL};
        did_dlg_chain_opts o = {AT, 60, NULL, NULL, roots};
        char *l1[1] = {root};
        t_assert_code(verify_chain(f, l1, 1, &o, &e), DID_ERR_DLG_PRINCIPAL, &e);
    }
    free(root);
    free(other_root);
    free(child);
    json_decref(r);
    json_decref(r2);
    json_decref(c);
    fx_free(f);
}

static void test_depth_and_loops(void **state)
{
    (void)state;
    fx *f = fx_new();
    did_err e;
    fx_party *ps[6] = {&f->principal, &f->agent, &f->sub_agent, &f->human, &f->human2, &f->mallory};
    char *links[5];
    json_t *cl[5];

    /* attack 8: 5 links, each narrowing correctly but max_depth caps at 3 */
    for (int i = 0; i < 5; i++) {
        cl[i] = fx_dlg_claims(ps[i], ps[i + 1], f->principal.did, i ? links[i - 1] : NULL, 2,
                              i < 4 ? 3 - i : 0, f->service.did);
        if (i == 4)
            json_object_set_new(dlgm(cl[i]), "max_depth", json_integer(0));
        links[i] = fx_sign_dlg(cl[i], ps[i]);
    }
    t_assert_ok(verify_chain(f, links, 4, NULL, &e), &e);
    t_assert_code(verify_chain(f, links, 5, NULL, &e), DID_ERR_DLG_DEPTH, &e);
    /* the same link twice */
    {
        char *l2[2] = {links[0], links[0]};
        t_assert_code(verify_chain(f, l2, 2, NULL, &e), DID_ERR_DLG_LOOP, &e);
    }
    /* A -> B -> A */
    {
        json_t *back = fx_dlg_claims(&f->agent, &f->principal, f->principal.did, links[0], 2, 2,
                                     f->service.did);
        char *b = fx_sign_dlg(back, &f->agent);
        char *l2[2] = {links[0], b};
        t_assert_code(verify_chain(f, l2, 2, NULL, &e), DID_ERR_DLG_LOOP, &e);
        free(b);
        json_decref(back);
    }
    /* a parent with max_depth 0 */
    {
        json_t *r =
            fx_dlg_claims(&f->principal, &f->agent, f->principal.did, NULL, 2, 0, f->service.did);
        char *root = fx_sign_dlg(r, &f->principal);
        json_t *c =
            fx_dlg_claims(&f->agent, &f->sub_agent, f->principal.did, root, 2, 0, f->service.did);
        char *child = fx_sign_dlg(c, &f->agent);
        char *l2[2] = {root, child};
        t_assert_code(verify_chain(f, l2, 2, NULL, &e), DID_ERR_DLG_DEPTH, &e);
        free(root);
        free(child);
        json_decref(r);
        json_decref(c);
    }
    for (int i = 0; i < 5; i++) {
        free(links[i]);
        json_decref(cl[i]);
    }
    fx_free(f);
}

static int revoke_all(void *user, const did_dlg *link, int64_t at, int *revoked, did_err *err)
{
    (void)user;
    (void)link;
    (void)at;
    (void)err;
    *revoked = 1;
    return 0;
}

static void test_time_and_revocation(void **state)
{
    (void)state;
    fx *f = fx_new();
    did_err e;
    json_t *r =
        fx_dlg_claims(&f->principal, &f->agent, f->principal.did, NULL, 2, 0, f->service.did);
    char *root = fx_sign_dlg(r, &f->principal);
    char *l1[1] = {root};
    did_dlg_chain_opts o = {FX_T0 + 31 * 86400, 60, NULL, NULL, NULL};

    /* attack 10: expired at the signing time, not yet valid */
    t_assert_code(verify_chain(f, l1, 1, &o, &e), DID_ERR_DLG_EXPIRED, &e);
    o.at = FX_T0 - 2 * 86400;
    t_assert_code(verify_chain(f, l1, 1, &o, &e), DID_ERR_DLG_NOT_YET, &e);
    /* attack 11: revoked */
    o.at = AT;
    o.revoked = revoke_all;
    t_assert_code(verify_chain(f, l1, 1, &o, &e), DID_ERR_DLG_REVOKED, &e);
    free(root);
    json_decref(r);
    fx_free(f);
}

static void test_format(void **state)
{
    (void)state;
    fx *f = fx_new();
    did_err e;
    json_t *c =
        fx_dlg_claims(&f->principal, &f->agent, f->principal.did, NULL, 2, 0, f->service.did);
    did_buf b;

    t_assert_ok(did_dlg_check_claims(c, NULL, &e), &e);
    json_object_set_new(c, "extra", json_true());
    t_assert_code(did_dlg_check_claims(c, NULL, &e), DID_ERR_DLG_FORMAT, &e);
    json_object_del(c, "extra");
    json_object_set_new(dlgm(c), "tier", json_string("2"));
    t_assert_code(did_dlg_check_claims(c, NULL, &e), DID_ERR_DLG_FORMAT, &e);
    json_object_set_new(dlgm(c), "tier", json_real(2.0));
    t_assert_code(did_dlg_check_claims(c, NULL, &e), DID_ERR_DLG_FORMAT, &e);
    json_object_set_new(dlgm(c), "tier", json_integer(2));
    json_object_set_new(json_object_get(json_object_get(dlgm(c), "lim"), "per_txn"), "value",
                        json_real(5000.5));
    t_assert_code(did_dlg_check_claims(c, NULL, &e), DID_ERR_DLG_FORMAT, &e);
    json_object_set_new(json_object_get(json_object_get(dlgm(c), "lim"), "per_txn"), "value",
                        json_integer(500000));
    json_object_set_new(dlgm(c), "pol", json_pack("[[s,s]]", "~", ".a"));
    t_assert_code(did_dlg_check_claims(c, NULL, &e), DID_ERR_POLICY_SYNTAX, &e);
    json_object_set_new(dlgm(c), "pol", json_array());
    json_object_del(dlgm(c), "veto_s");
    t_assert_code(did_dlg_check_claims(c, NULL, &e), DID_ERR_DLG_FORMAT, &e);
    json_object_set_new(dlgm(c), "veto_s", json_integer(3600));
    t_assert_ok(did_dlg_check_claims(c, NULL, &e), &e);
    /* attack 21: a request (apreq+jwt) presented as a delegation */
    {
        json_t *rc_ = fx_request_claims(f);
        char *req = fx_sign_request(f, rc_, &f->service);
        did_dlg d;
        t_assert_code(did_dlg_verify(f->ctx, req, strlen(req), &d, &e), DID_ERR_JWS_TYP, &e);
        free(req);
        json_decref(rc_);
    }
    /* signing checks the claims too */
    did_buf_init(&b);
    json_object_set_new(c, "prf", json_string("sha-256:short"));
    t_assert_code(did_dlg_sign(f->principal.key, f->principal.kid, c, &b, &e), DID_ERR_DLG_FORMAT,
                  &e);
    did_buf_clear(&b);
    json_decref(c);
    fx_free(f);
}

static void test_scope(void **state)
{
    (void)state;
    fx *f = fx_new();
    did_err e;
    json_t *r =
        fx_dlg_claims(&f->principal, &f->agent, f->principal.did, NULL, 2, 0, f->service.did);
    char *root = fx_sign_dlg(r, &f->principal);
    const char *l[1] = {root};
    size_t lens[1] = {strlen(root)};
    did_dlg_chain_opts o = {AT, 60, NULL, NULL, NULL};
    did_dlg_chain c;
    json_t *args = json_pack("{s:{s:I, s:s}, s:{s:s}}", "amount", "value", (json_int_t)125000,
                             "currency", "EUR", "payee", "id", "VAT:FI1");
    const char *res = "https://erp.example/po/1";

    assert_true(did_dlg_cmd_covers("/a", 2, "/a/b", 4));
    assert_false(did_dlg_cmd_covers("/a", 2, "/ab", 3));
    assert_true(did_dlg_cmd_covers("/", 1, "/ab", 3));
    t_assert_ok(did_dlg_chain_verify(f->ctx, l, lens, 1, &o, &c, &e), &e);
    t_assert_ok(did_dlg_chain_allows(&c, "/approve/procurement/po", f->service.did, res, args,
                                     DID_SIG_LEVEL_ADES, &e),
                &e);
    /* attack 4: the parent command of the one granted */
    t_assert_code(
        did_dlg_chain_allows(&c, "/approve/procurement", f->service.did, res, args, 0, &e),
        DID_ERR_DLG_CMD, &e);
    t_assert_code(
        did_dlg_chain_allows(&c, "/approve/procurement/pos", f->service.did, res, args, 0, &e),
        DID_ERR_DLG_CMD, &e);
    t_assert_code(
        did_dlg_chain_allows(&c, "/approve/procurement/po", f->other_service.did, res, args, 0, &e),
        DID_ERR_DLG_SERVICE, &e);
    t_assert_code(did_dlg_chain_allows(&c, "/approve/procurement/po", f->service.did,
                                       "https://erp.example/invoice/1", args, 0, &e),
                  DID_ERR_DLG_RESOURCE, &e);
    t_assert_code(did_dlg_chain_allows(&c, "/approve/procurement/po", f->service.did, res, args,
                                       DID_SIG_LEVEL_QES, &e),
                  DID_ERR_DLG_LIMIT, &e);
    /* attack 5: amount above per_txn; the same number in SEK fails the policy */
    json_object_set_new(json_object_get(args, "amount"), "value", json_integer(500100));
    t_assert_code(
        did_dlg_chain_allows(&c, "/approve/procurement/po", f->service.did, res, args, 0, &e),
        DID_ERR_DLG_LIMIT, &e);
    json_object_set_new(json_object_get(args, "amount"), "value", json_integer(125000));
    json_object_set_new(json_object_get(args, "amount"), "currency", json_string("SEK"));
    t_assert_code(
        did_dlg_chain_allows(&c, "/approve/procurement/po", f->service.did, res, args, 0, &e),
        DID_ERR_DLG_POLICY, &e);
    /* budget arithmetic (the log writer's single-writer check) */
    {
        did_money m = {1000, "EUR"};
        t_assert_ok(did_dlg_budget_check(&c.links[0], 1999000, 5, &m, &e), &e);
        t_assert_code(did_dlg_budget_check(&c.links[0], 1999001, 5, &m, &e), DID_ERR_DLG_BUDGET,
                      &e);
        t_assert_code(did_dlg_budget_check(&c.links[0], INT64_MAX, 5, &m, &e), DID_ERR_DLG_BUDGET,
                      &e);
        t_assert_code(did_dlg_budget_check(&c.links[0], 0, 100, &m, &e), DID_ERR_DLG_BUDGET, &e);
        memcpy(m.currency, "SEK", 4);
        t_assert_code(did_dlg_budget_check(&c.links[0], 0, 0, &m, &e), DID_ERR_DLG_LIMIT, &e);
    }
    /* the grant log entry decodes */
    {
        did_log_intake in;
        did_buf b;
        did_log_entry *le = malloc(sizeof(*le));
        memset(&in, 0, sizeof(in));
        in.received_ms = 1;
        in.service_id = "did:web:verifier.example";
        in.request_id = (const uint8_t *)"grant-1";
        in.request_id_len = 7;
        did_buf_init(&b);
        t_assert_ok(did_dlg_log_grant(&in, &c.links[0], NULL, &b, &e), &e);
        t_assert_ok(did_log_entry_decode(b.data, b.len, le, &e), &e);
        assert_int_equal(le->type, DID_LOG_ENTRY_DELEGATION_GRANT);
        did_buf_reset(&b);
        {
            uint8_t ref[DID_LOG_REF_LEN] = {0};
            t_assert_ok(did_dlg_log_revoke(&in, f->principal.did, f->principal.key, ref,
                                           DID_LOG_REVOKE_MANDATE_ENDED, &b, &e),
                        &e);
            t_assert_ok(did_log_entry_decode(b.data, b.len, le, &e), &e);
            assert_int_equal(le->type, DID_LOG_ENTRY_DELEGATION_REVOKE);
        }
        did_buf_clear(&b);
        free(le);
    }
    did_dlg_chain_clear(&c);
    json_decref(args);
    free(root);
    json_decref(r);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_ok_and_attenuation),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_depth_and_loops),
        cmocka_unit_test(test_time_and_revocation),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
