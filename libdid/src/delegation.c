/*
 * delegation.c -- dlg+jwt links: the claims format, signing, verifying one link, attenuation
 * and chain verification (did/delegation.h). Scope checks against a request live in
 * delegation_scope.c.
 */
#include <stdlib.h>
#include <string.h>

#include <did/jose.h>
#include <did/json.h>
#include <did/policy.h>
#include <did/time.h>

#include "approval_internal.h"

#define W "delegation"
#define F DID_ERR_DLG_FORMAT

void did_dlg_init(did_dlg *d)
{
    if (d != NULL)
        memset(d, 0, sizeof(*d));
}

void did_dlg_clear(did_dlg *d)
{
    if (d == NULL)
        return;
    json_decref(d->claims);
    free(d->jws);
    ck_key_free(d->key);
    did_dlg_init(d);
}

/* ISO 8601 durations we accept: "P<n>D", "PT<n>H", "PT<n>M", "PT<n>S", n 1..99999 without
 * leading zeros. */
static int parse_period(const char *s, int64_t *secs)
{
    size_t n = strlen(s), p;
    int64_t v = 0, unit;

    if (n < 3 || s[0] != 'P')
        return -1;
    p = s[1] == 'T' ? 2 : 1;
    if (s[p] < '1' || s[p] > '9')
        return -1;
    while (p < n - 1) {
        if (s[p] < '0' || s[p] > '9' || v > 9999)
            return -1;
        v = v * 10 + (s[p] - '0');
        p++;
    }
    if (s[1] == 'T')
        unit = s[n - 1] == 'H' ? 3600 : s[n - 1] == 'M' ? 60 : s[n - 1] == 'S' ? 1 : 0;
    else
        unit = s[n - 1] == 'D' ? 86400 : 0;
    if (unit == 0)
        return -1;
    *secs = v * unit;
    return 0;
}

static int is_ref(const char *s)
{
    if (strlen(s) != DID_APR_REF_LEN - 1 || memcmp(s, "sha-256:", 8) != 0)
        return 0;
    for (size_t i = 8; s[i] != '\0'; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static int check_cmd(const char *c)
{
    size_t n = strlen(c);

    if (n == 0 || c[0] != '/')
        return 0;
    if (n == 1)
        return 1;
    if (c[n - 1] == '/')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (c[i] == '/' && c[i - 1] == '/')
            return 0;
    return 1;
}

static int check_dids(const json_t *list, const char *name, did_err *err)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        if (!apr_is_did(json_string_value(e), json_string_length(e)))
            return did_err_set(err, F, W ": %s[%zu] is not a DID", name, i);
    }
    return DID_OK;
}

static int check_lim(const json_t *lim, did_dlg *d, did_err *err)
{
    static const char *const members[] = {"per_txn", "budget", "max_uses", NULL};
    static const char *const budget_members[] = {"value", "currency", "period", NULL};
    const json_t *b;
    int rc;

    if (!json_is_object(lim))
        return did_err_set(err, F, W ": dlg.lim must be an object");
    if ((rc = apr_only_members(lim, members, W " dlg.lim", F, err)) != DID_OK)
        return rc;
    if (json_object_get(lim, "per_txn") != NULL) {
        if ((rc = apr_money(json_object_get(lim, "per_txn"), W " dlg.lim.per_txn", F, &d->per_txn,
                            err)) != DID_OK)
            return rc;
        d->has_per_txn = 1;
    }
    if ((b = json_object_get(lim, "budget")) != NULL) {
        const char *cur, *period;
        if (!json_is_object(b))
            return did_err_set(err, F, W ": dlg.lim.budget must be an object");
        if ((rc = apr_only_members(b, budget_members, W " dlg.lim.budget", F, err)) != DID_OK ||
            (rc = apr_int(b, "value", 1, 0, (int64_t)1 << 53, W " dlg.lim.budget", F,
                          &d->budget.value, NULL, err)) != DID_OK ||
            (rc = apr_str(b, "currency", 1, 3, W " dlg.lim.budget", F, &cur, err)) != DID_OK ||
            (rc = apr_str(b, "period", 1, 16, W " dlg.lim.budget", F, &period, err)) != DID_OK)
            return rc;
        if (strlen(cur) != 3 || cur[0] < 'A' || cur[0] > 'Z' || cur[1] < 'A' || cur[1] > 'Z' ||
            cur[2] < 'A' || cur[2] > 'Z')
            return did_err_set(err, F, W ": dlg.lim.budget.currency is not an ISO 4217 code");
        memcpy(d->budget.currency, cur, 4);
        if (parse_period(period, &d->budget_period_s) != 0 ||
            d->budget_period_s > DID_DLG_MAX_PERIOD_S)
            return did_err_set(err, F,
                               W ": dlg.lim.budget.period must be P<n>D or PT<n>H/M/S, at most "
                                 "366 days");
        d->has_budget = 1;
    }
    if ((rc = apr_int(lim, "max_uses", 0, 1, (int64_t)1 << 31, W " dlg.lim", F, &d->max_uses,
                      &d->has_max_uses, err)) != DID_OK)
        return rc;
    return DID_OK;
}

static int check_dlg_member(const json_t *g, did_dlg *d, did_err *err)
{
    static const char *const members[] = {"cmd",       "aud",       "res",    "pol",
                                          "lim",       "tier",      "veto_s", "cosign",
                                          "max_depth", "sig_level", "log",    NULL};
    static const char *const cosign_members[] = {"k", "of", "min_loa", NULL};
    const json_t *c;
    const char *s;
    int64_t v;
    int present, rc;

    if (!json_is_object(g))
        return did_err_set(err, F, W ": member \"dlg\" must be an object");
    if ((rc = apr_only_members(g, members, W " dlg", F, err)) != DID_OK ||
        (rc = apr_str_list(g, "cmd", 1, DID_DLG_MAX_LIST, DID_APR_MAX_STR, W " dlg", F, &d->cmd,
                           err)) != DID_OK ||
        (rc = apr_str_list(g, "aud", 1, DID_DLG_MAX_LIST, DID_APR_MAX_DID, W " dlg", F, &d->aud,
                           err)) != DID_OK ||
        (rc = apr_str_list(g, "res", 1, DID_DLG_MAX_LIST, DID_APR_MAX_STR, W " dlg", F, &d->res,
                           err)) != DID_OK)
        return rc;
    for (size_t i = 0; i < json_array_size(d->cmd); i++)
        if (!check_cmd(json_string_value(json_array_get(d->cmd, i))))
            return did_err_set(err, F, W ": dlg.cmd[%zu] is not a command path (\"/\" segments)",
                               i);
    if ((rc = check_dids(d->aud, "dlg.aud", err)) != DID_OK)
        return rc;
    d->pol = json_object_get(g, "pol");
    if (d->pol == NULL)
        return did_err_set(err, F, W ": member \"dlg.pol\" is missing (use [] for none)");
    if ((rc = did_policy_check(d->pol, err)) != DID_OK) {
        did_err_prefix(err, W " dlg.pol");
        return rc;
    }
    if (json_object_get(g, "lim") != NULL &&
        (rc = check_lim(json_object_get(g, "lim"), d, err)) != DID_OK)
        return rc;
    if ((rc = apr_int(g, "tier", 1, 1, 3, W " dlg", F, &v, NULL, err)) != DID_OK)
        return rc;
    d->tier = (int)v;
    if ((rc = apr_int(g, "veto_s", 0, 1, DID_DLG_MAX_VETO_S, W " dlg", F, &d->veto_s, &present,
                      err)) != DID_OK)
        return rc;
    if (d->tier == DID_TIER_ON_THE_LOOP && !present)
        return did_err_set(err, F, W ": tier 2 needs \"dlg.veto_s\" (the veto window)");
    if ((c = json_object_get(g, "cosign")) != NULL) {
        if (!json_is_object(c))
            return did_err_set(err, F, W ": dlg.cosign must be an object");
        if ((rc = apr_only_members(c, cosign_members, W " dlg.cosign", F, err)) != DID_OK ||
            (rc = apr_int(c, "k", 1, 1, DID_APPROVAL_MAX_SIGS - 1, W " dlg.cosign", F, &d->cosign_k,
                          NULL, err)) != DID_OK ||
            (rc = apr_str_list(c, "of", 1, DID_DLG_MAX_LIST, DID_APR_MAX_DID, W " dlg.cosign", F,
                               &d->cosign_of, err)) != DID_OK ||
            (rc = check_dids(d->cosign_of, "dlg.cosign.of", err)) != DID_OK ||
            (rc = apr_str(c, "min_loa", 0, 64, W " dlg.cosign", F, &s, err)) != DID_OK)
            return rc;
        if ((size_t)d->cosign_k > json_array_size(d->cosign_of))
            return did_err_set(err, F, W ": dlg.cosign.k is larger than dlg.cosign.of");
        if (s != NULL && (d->cosign_min_loa = apr_enum(s, apr_loa_names)) < 0)
            return did_err_set(err, F, W ": dlg.cosign.min_loa is not an eIDAS LoA URI");
        if (s == NULL)
            d->cosign_min_loa = DID_LOA_NONE;
        d->has_cosign = 1;
    }
    if (d->tier == DID_TIER_SUPERVISED && !d->has_cosign)
        return did_err_set(err, F, W ": tier 1 needs \"dlg.cosign\" (who co-signs)");
    if ((rc = apr_int(g, "max_depth", 1, 0, DID_DLG_MAX_CHAIN - 1, W " dlg", F, &d->max_depth, NULL,
                      err)) != DID_OK ||
        (rc = apr_str(g, "sig_level", 0, 16, W " dlg", F, &s, err)) != DID_OK)
        return rc;
    if (s != NULL && (d->sig_level = apr_enum(s, apr_sig_level_names)) < 0)
        return did_err_set(err, F, W ": dlg.sig_level is not SES, AdES, AdES-QC or QES");
    if (s == NULL)
        d->sig_level = DID_SIG_LEVEL_NONE;
    return apr_str(g, "log", 0, DID_APR_MAX_STR, W " dlg", F, &d->log, err);
}

int did_dlg_check_claims(const json_t *claims, did_dlg *out, did_err *err)
{
    static const char *const members[] = {"iss", "sub", "jti", "iat", "nbf", "exp",
                                          "prn", "prf", "cnf", "dlg", NULL};
    did_dlg tmp, *d = out != NULL ? out : &tmp;
    const json_t *prf, *cnf;
    int present, rc;

    memset(&tmp, 0, sizeof(tmp));
    if (out != NULL) {
        /* Only the view is (re)set here; did_dlg_verify fills the owned members after. */
        json_t *keep = out->claims;
        memset(out, 0, sizeof(*out));
        out->claims = keep;
    }
    if (!json_is_object(claims))
        return did_err_set(err, F, W ": claims must be a JSON object");
    if ((rc = apr_only_members(claims, members, W, F, err)) != DID_OK ||
        (rc = apr_str(claims, "iss", 1, DID_APR_MAX_DID, W, F, &d->iss, err)) != DID_OK ||
        (rc = apr_str(claims, "sub", 1, DID_APR_MAX_DID, W, F, &d->sub, err)) != DID_OK ||
        (rc = apr_str(claims, "prn", 1, DID_APR_MAX_DID, W, F, &d->prn, err)) != DID_OK ||
        (rc = apr_str(claims, "jti", 1, DID_APR_MAX_STR, W, F, &d->jti, err)) != DID_OK ||
        (rc = apr_int(claims, "iat", 1, 0, DID_APR_MAX_TIME, W, F, &d->iat, NULL, err)) != DID_OK ||
        (rc = apr_int(claims, "nbf", 0, 0, DID_APR_MAX_TIME, W, F, &d->nbf, &present, err)) !=
            DID_OK ||
        (rc = apr_int(claims, "exp", 1, 0, DID_APR_MAX_TIME, W, F, &d->exp, NULL, err)) != DID_OK)
        return rc;
    if (!present)
        d->nbf = d->iat;
    if (!apr_is_did(d->iss, strlen(d->iss)) || !apr_is_did(d->sub, strlen(d->sub)) ||
        !apr_is_did(d->prn, strlen(d->prn)))
        return did_err_set(err, F, W ": iss, sub and prn must be DIDs (no fragment)");
    if (d->exp <= d->nbf || d->exp <= d->iat)
        return did_err_set(err, F, W ": exp must be after iat and nbf");
    prf = json_object_get(claims, "prf");
    if (prf == NULL)
        return did_err_set(err, F, W ": member \"prf\" is missing (null at the root)");
    if (json_is_null(prf)) {
        d->prf = NULL;
    } else if (json_is_string(prf) && is_ref(json_string_value(prf))) {
        d->prf = json_string_value(prf);
    } else {
        return did_err_set(err, F, W ": prf must be null or \"sha-256:\" + 43 base64url chars");
    }
    if ((cnf = json_object_get(claims, "cnf")) != NULL) {
        static const char *const cnf_members[] = {"kid", NULL};
        if (!json_is_object(cnf))
            return did_err_set(err, F, W ": cnf must be an object");
        if ((rc = apr_only_members(cnf, cnf_members, W " cnf", F, err)) != DID_OK ||
            (rc = apr_str(cnf, "kid", 1, DID_APR_MAX_DID, W " cnf", F, &d->cnf_kid, err)) != DID_OK)
            return rc;
        if (!apr_same_did(d->cnf_kid, d->sub))
            return did_err_set(err, F, W ": cnf.kid must be a key of sub");
    }
    if (json_object_get(claims, "dlg") == NULL)
        return did_err_set(err, F, W ": member \"dlg\" is missing");
    return check_dlg_member(json_object_get(claims, "dlg"), d, err);
}

int did_dlg_ref(const char *jws, size_t len, char out[DID_APR_REF_LEN], did_err *err)
{
    uint8_t d[32];

    if (jws == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_ref: NULL argument");
    return apr_ref(jws, len, out, d, err);
}

int did_dlg_sign(const ck_key *key, const char *kid, const json_t *claims, did_buf *out,
                 did_err *err)
{
    did_jws_sign_opts so = {DID_DLG_TYP, NULL, kid, NULL};
    did_dlg d;
    int rc;

    if (key == NULL || kid == NULL || claims == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_sign: NULL argument");
    did_dlg_init(&d);
    if ((rc = did_dlg_check_claims(claims, &d, err)) != DID_OK)
        return rc;
    if (!apr_same_did(kid, d.iss))
        return did_err_set(err, DID_ERR_ARG, "did_dlg_sign: kid is not a key of iss");
    return did_jwt_sign(key, &so, claims, out, err);
}

int did_dlg_verify(const did_ctx *ctx, const char *jws, size_t len, did_dlg *out, did_err *err)
{
    did_jws_verify_opts vo = {0};
    did_jws j;
    json_t *claims = NULL;
    int rc;

    if (out == NULL || jws == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_verify: NULL argument");
    did_dlg_init(out);
    if (len > DID_DLG_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT, W ": link of %zu bytes is over the limit of %d", len,
                           DID_DLG_MAX_LEN);
    vo.algs = DID_JWS_ALG_ALL;
    vo.typ = DID_DLG_TYP;
    vo.rel = DID_REL_CAPABILITY_DELEGATION;
    vo.max_len = DID_DLG_MAX_LEN;
    did_jws_init(&j);
    if ((rc = did_jws_verify(ctx, jws, len, &vo, &j, err)) != DID_OK)
        return rc;
    /* Signature verified: now the payload may be parsed. */
    if ((rc = did_json_parse(j.payload, j.payload_len, did_ctx_json_limits(ctx), &claims, err)) !=
        DID_OK)
        goto out;
    out->claims = claims;
    claims = NULL;
    if ((rc = did_dlg_check_claims(out->claims, out, err)) != DID_OK)
        goto out;
    if (j.kid == NULL || !apr_same_did(j.kid, out->iss)) {
        rc = did_err_set(err, DID_ERR_JWS_KID, W ": the signing key (kid) is not a key of iss");
        goto out;
    }
    out->jws = did_strdup_n(jws, len);
    if (out->jws == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, W ": out of memory");
        goto out;
    }
    out->jws_len = len;
    if ((rc = apr_ref(jws, len, out->ref, out->digest, err)) != DID_OK)
        goto out;
    out->key = j.key;
    j.key = NULL;
out:
    json_decref(claims);
    did_jws_clear(&j);
    if (rc != DID_OK)
        did_dlg_clear(out);
    return rc;
}

/* ------------------------------------------------------------------------------------------- */

static int eff_sig_level(const did_dlg *d)
{
    /* No stated ceiling: AdES (an agent never produces a qualified signature by default). */
    return d->sig_level == DID_SIG_LEVEL_NONE ? DID_SIG_LEVEL_ADES : d->sig_level;
}

#define NARROW(cond, ...)                                                     \
    do {                                                                      \
        if (!(cond))                                                          \
            return did_err_set(err, DID_ERR_DLG_ATTENUATION,                  \
                               "delegation widens its parent: " __VA_ARGS__); \
    } while (0)

int did_dlg_attenuates(const did_dlg *p, const did_dlg *c, did_err *err)
{
    if (p == NULL || c == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_attenuates: NULL argument");
    if (p->max_depth == 0)
        return did_err_set(err, DID_ERR_DLG_DEPTH,
                           "delegation: the parent's max_depth is 0, it may not be re-delegated");
    for (size_t i = 0; i < json_array_size(c->cmd); i++) {
        const json_t *cc = json_array_get(c->cmd, i);
        int ok = 0;
        for (size_t j = 0; j < json_array_size(p->cmd) && !ok; j++) {
            const json_t *pc = json_array_get(p->cmd, j);
            ok = did_dlg_cmd_covers(json_string_value(pc), json_string_length(pc),
                                    json_string_value(cc), json_string_length(cc));
        }
        NARROW(ok, "dlg.cmd[%zu] is not under a parent command", i);
    }
    for (size_t i = 0; i < json_array_size(c->aud); i++) {
        const json_t *a = json_array_get(c->aud, i);
        NARROW(apr_list_has(p->aud, json_string_value(a), json_string_length(a)),
               "dlg.aud[%zu] is not in the parent's aud", i);
    }
    for (size_t i = 0; i < json_array_size(c->res); i++) {
        const json_t *r = json_array_get(c->res, i);
        int ok = 0;
        for (size_t j = 0; j < json_array_size(p->res) && !ok; j++) {
            const json_t *pr = json_array_get(p->res, j);
            /* The parent pattern must match the child pattern's text: a parent '*' may absorb a
             * child '*', a parent literal never matches one. */
            ok = did_dlg_res_matches(json_string_value(pr), json_string_length(pr),
                                     json_string_value(r), json_string_length(r));
        }
        NARROW(ok, "dlg.res[%zu] is not matched by a parent pattern", i);
    }
    if (p->has_per_txn) {
        NARROW(c->has_per_txn, "dlg.lim.per_txn dropped");
        NARROW(strcmp(c->per_txn.currency, p->per_txn.currency) == 0,
               "dlg.lim.per_txn in another currency");
        NARROW(c->per_txn.value <= p->per_txn.value, "dlg.lim.per_txn is larger");
    }
    if (p->has_budget) {
        NARROW(c->has_budget, "dlg.lim.budget dropped");
        NARROW(strcmp(c->budget.currency, p->budget.currency) == 0,
               "dlg.lim.budget in another currency");
        NARROW(c->budget.value <= p->budget.value, "dlg.lim.budget is larger");
        /* A shorter period would allow the amount more often. */
        NARROW(c->budget_period_s >= p->budget_period_s, "dlg.lim.budget.period is shorter");
    }
    if (p->has_max_uses) {
        NARROW(c->has_max_uses, "dlg.lim.max_uses dropped");
        NARROW(c->max_uses <= p->max_uses, "dlg.lim.max_uses is larger");
    }
    NARROW(c->tier <= p->tier, "dlg.tier %d is more autonomous than the parent's %d", c->tier,
           p->tier);
    if (c->tier == DID_TIER_ON_THE_LOOP)
        NARROW(c->veto_s >= p->veto_s, "dlg.veto_s is shorter");
    if (p->has_cosign) {
        NARROW(c->has_cosign, "dlg.cosign dropped");
        NARROW(c->cosign_k >= p->cosign_k, "dlg.cosign.k is smaller");
        NARROW(c->cosign_min_loa >= p->cosign_min_loa, "dlg.cosign.min_loa is lower");
        for (size_t i = 0; i < json_array_size(c->cosign_of); i++) {
            const json_t *a = json_array_get(c->cosign_of, i);
            NARROW(apr_list_has(p->cosign_of, json_string_value(a), json_string_length(a)),
                   "dlg.cosign.of[%zu] is not a parent co-signer", i);
        }
    }
    NARROW(c->max_depth <= p->max_depth - 1, "dlg.max_depth does not decrease");
    NARROW(eff_sig_level(c) <= eff_sig_level(p), "dlg.sig_level is higher");
    NARROW(c->nbf >= p->nbf, "nbf is before the parent's");
    NARROW(c->exp <= p->exp, "exp is after the parent's");
    NARROW(c->iat >= p->iat, "iat is before the parent's");
    NARROW(strcmp(c->prn, p->prn) == 0, "prn differs");
    if (p->log != NULL)
        NARROW(c->log != NULL && strcmp(c->log, p->log) == 0, "dlg.log differs");
    return DID_OK;
}

void did_dlg_chain_init(did_dlg_chain *c)
{
    if (c == NULL)
        return;
    memset(c, 0, sizeof(*c));
}

void did_dlg_chain_clear(did_dlg_chain *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < DID_DLG_MAX_CHAIN; i++)
        did_dlg_clear(&c->links[i]);
    did_dlg_chain_init(c);
}

int did_dlg_chain_verify(const did_ctx *ctx, const char *const *jws, const size_t *lens, size_t n,
                         const did_dlg_chain_opts *opts, did_dlg_chain *out, did_err *err)
{
    int64_t at, skew;
    int rc = DID_OK;

    if (out == NULL || opts == NULL || (n > 0 && (jws == NULL || lens == NULL)))
        return did_err_set(err, DID_ERR_ARG, "did_dlg_chain_verify: NULL argument");
    did_dlg_chain_init(out);
    if (n == 0)
        return did_err_set(err, DID_ERR_DLG_DEPTH, "delegation chain is empty");
    if (n > DID_DLG_MAX_CHAIN)
        return did_err_set(err, DID_ERR_DLG_DEPTH,
                           "delegation chain of %zu links is longer than the limit of %d", n,
                           DID_DLG_MAX_CHAIN);
    at = opts->at != 0 ? opts->at : did_time_now();
    skew = opts->skew < 0 ? 0 : opts->skew > 300 ? 300 : opts->skew;

    /* 1. Each link's signature and format. */
    for (size_t i = 0; i < n; i++) {
        if ((rc = did_dlg_verify(ctx, jws[i], lens[i], &out->links[i], err)) != DID_OK) {
            char pfx[40];
            snprintf(pfx, sizeof(pfx), "delegation link %zu", i);
            did_err_prefix(err, pfx);
            goto fail;
        }
        out->n = i + 1;
    }
    /* 2. No link, and no delegate, twice. */
    for (size_t i = 0; i < n; i++) {
        const did_dlg *l = &out->links[i];
        if (apr_same_did(l->iss, l->sub)) {
            rc = did_err_set(err, DID_ERR_DLG_LOOP, "delegation link %zu delegates to its issuer",
                             i);
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (memcmp(out->links[j].digest, l->digest, 32) == 0) {
                rc = did_err_set(err, DID_ERR_DLG_LOOP,
                                 "delegation links %zu and %zu are the "
                                 "same credential",
                                 j, i);
                goto fail;
            }
            if (apr_same_did(out->links[j].iss, l->sub) ||
                apr_same_did(out->links[j].sub, l->sub)) {
                rc = did_err_set(err, DID_ERR_DLG_LOOP,
                                 "delegation link %zu delegates back to a party of link %zu", i, j);
                goto fail;
            }
        }
    }
    /* 3. Root. */
    if (out->links[0].prf != NULL) {
        rc = did_err_set(err, DID_ERR_DLG_ALIGNMENT,
                         "delegation root has a prf: the chain does not start at its root");
        goto fail;
    }
    if (strcmp(out->links[0].iss, out->links[0].prn) != 0) {
        rc = did_err_set(err, DID_ERR_DLG_ALIGNMENT, "delegation root's iss is not prn");
        goto fail;
    }
    if (opts->trusted_roots != NULL) {
        int ok = 0;
        for (size_t i = 0; opts->trusted_roots[i] != NULL && !ok; i++)
            ok = strcmp(opts->trusted_roots[i], out->links[0].iss) == 0;
        if (!ok) {
            rc = did_err_set(err, DID_ERR_DLG_PRINCIPAL,
                             "delegation root's issuer is not a trusted principal");
            goto fail;
        }
    }
    /* 4. Links and attenuation. */
    for (size_t i = 1; i < n; i++) {
        const did_dlg *p = &out->links[i - 1], *c = &out->links[i];
        if (c->prf == NULL || strcmp(c->prf, p->ref) != 0) {
            rc = did_err_set(err, DID_ERR_DLG_ALIGNMENT,
                             "delegation link %zu: prf is not the digest of link %zu", i, i - 1);
            goto fail;
        }
        if (!apr_same_did(c->iss, p->sub)) {
            rc = did_err_set(err, DID_ERR_DLG_ALIGNMENT,
                             "delegation link %zu: iss is not the sub of link %zu", i, i - 1);
            goto fail;
        }
        if (strcmp(c->prn, p->prn) != 0) {
            rc = did_err_set(err, DID_ERR_DLG_ALIGNMENT, "delegation link %zu: prn differs", i);
            goto fail;
        }
        if ((rc = did_dlg_attenuates(p, c, err)) != DID_OK) {
            char pfx[40];
            snprintf(pfx, sizeof(pfx), "delegation link %zu", i);
            did_err_prefix(err, pfx);
            goto fail;
        }
    }
    if ((int64_t)n > out->links[0].max_depth + 1) {
        rc = did_err_set(err, DID_ERR_DLG_DEPTH,
                         "delegation chain is longer than the root's "
                         "max_depth allows");
        goto fail;
    }
    /* 5. Validity at the signing time, then revocation. */
    for (size_t i = 0; i < n; i++) {
        const did_dlg *l = &out->links[i];
        int revoked = 0;
        if (l->exp <= at) {
            rc = did_err_set(err, DID_ERR_DLG_EXPIRED,
                             "delegation link %zu expired %lld s before "
                             "the signing time",
                             i, (long long)(at - l->exp));
            goto fail;
        }
        if (l->nbf > at + skew) {
            rc = did_err_set(err, DID_ERR_DLG_NOT_YET,
                             "delegation link %zu is not valid before %lld", i, (long long)l->nbf);
            goto fail;
        }
        if (opts->revoked != NULL) {
            if ((rc = opts->revoked(opts->revoked_user, l, at, &revoked, err)) != DID_OK)
                goto fail;
            if (revoked) {
                rc = did_err_set(err, DID_ERR_DLG_REVOKED, "delegation link %zu is revoked", i);
                goto fail;
            }
        }
    }
    out->tier = 3;
    for (size_t i = 0; i < n; i++) {
        const did_dlg *l = &out->links[i];
        if (l->tier < out->tier)
            out->tier = l->tier;
        if (l->veto_s > out->veto_s)
            out->veto_s = l->veto_s;
        if (l->has_cosign && l->cosign_k > out->cosign_k)
            out->cosign_k = l->cosign_k;
        if (l->has_cosign && l->cosign_min_loa > out->min_loa)
            out->min_loa = l->cosign_min_loa;
    }
    return DID_OK;
fail:
    did_dlg_chain_clear(out);
    return rc;
}
