/*
 * delegation_scope.c -- is a request inside a verified chain (commands, services, resources,
 * policy, per-transaction limit, signature level), and the budget arithmetic the log writer
 * runs inside its write transaction (did/delegation.h).
 */
#include <stdint.h>
#include <string.h>

#include <did/policy.h>

#include "approval_internal.h"

int did_dlg_cmd_covers(const char *scope, size_t sn, const char *cmd, size_t cn)
{
    if (sn == 0 || cn == 0 || scope[0] != '/' || cmd[0] != '/')
        return 0;
    if (sn == 1)
        return 1; /* "/" covers every command */
    if (cn < sn || memcmp(scope, cmd, sn) != 0)
        return 0;
    return cn == sn || cmd[sn] == '/';
}

int did_dlg_res_matches(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < pn && p[pi] == s[si]) {
            pi++;
            si++;
            continue;
        }
        if (star_p == SIZE_MAX)
            return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

int did_dlg_amount(const json_t *args, did_money *out, int *present, did_err *err)
{
    const json_t *a;

    *present = 0;
    memset(out, 0, sizeof(*out));
    if (!json_is_object(args) || (a = json_object_get(args, "amount")) == NULL)
        return DID_OK;
    if (apr_money(a, "args.amount", DID_ERR_DLG_LIMIT, out, err) != DID_OK)
        return DID_ERR_DLG_LIMIT;
    *present = 1;
    return DID_OK;
}

static int any_covers(const json_t *list, const char *cmd)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *c = json_array_get(list, i);
        if (did_dlg_cmd_covers(json_string_value(c), json_string_length(c), cmd, strlen(cmd)))
            return 1;
    }
    return 0;
}

static int any_matches(const json_t *list, const char *res)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *p = json_array_get(list, i);
        if (did_dlg_res_matches(json_string_value(p), json_string_length(p), res, strlen(res)))
            return 1;
    }
    return 0;
}

int did_dlg_chain_allows(const did_dlg_chain *c, const char *cmd, const char *service,
                         const char *res, const json_t *args, int sig_level, did_err *err)
{
    did_money amount;
    int has_amount, rc;

    if (c == NULL || cmd == NULL || service == NULL || res == NULL || args == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_chain_allows: NULL argument");
    if (c->n == 0)
        return did_err_set(err, DID_ERR_DLG_DEPTH, "delegation chain is empty");
    if ((rc = did_dlg_amount(args, &amount, &has_amount, err)) != DID_OK)
        return rc;
    for (size_t i = 0; i < c->n; i++) {
        const did_dlg *l = &c->links[i];
        int match = 0;
        size_t failed = 0;
        int ceiling = l->sig_level == DID_SIG_LEVEL_NONE ? DID_SIG_LEVEL_ADES : l->sig_level;

        if (!any_covers(l->cmd, cmd))
            return did_err_set(err, DID_ERR_DLG_CMD,
                               "the request's command is not granted by delegation link %zu", i);
        if (!apr_list_has(l->aud, service, strlen(service)))
            return did_err_set(err, DID_ERR_DLG_SERVICE,
                               "the requesting service is not in the aud of delegation link %zu",
                               i);
        if (!any_matches(l->res, res))
            return did_err_set(err, DID_ERR_DLG_RESOURCE,
                               "the request's resource matches no res of delegation link %zu", i);
        if ((rc = did_policy_eval(l->pol, args, &match, &failed, err)) != DID_OK)
            return rc;
        if (!match)
            return did_err_set(err, DID_ERR_DLG_POLICY,
                               "the request's args fail statement %zu of the policy of "
                               "delegation link %zu",
                               failed, i);
        if (l->has_per_txn) {
            if (!has_amount)
                return did_err_set(err, DID_ERR_DLG_LIMIT,
                                   "delegation link %zu limits the amount, the request has no "
                                   "args.amount",
                                   i);
            if (strcmp(amount.currency, l->per_txn.currency) != 0)
                return did_err_set(err, DID_ERR_DLG_LIMIT,
                                   "the amount is in %s, delegation link %zu allows %s",
                                   amount.currency, i, l->per_txn.currency);
            if (amount.value > l->per_txn.value)
                return did_err_set(err, DID_ERR_DLG_LIMIT,
                                   "the amount %lld is above the per-transaction limit %lld of "
                                   "delegation link %zu",
                                   (long long)amount.value, (long long)l->per_txn.value, i);
        }
        if (sig_level > ceiling)
            return did_err_set(err, DID_ERR_DLG_LIMIT,
                               "the requested signature level %s is above the %s allowed by "
                               "delegation link %zu",
                               apr_sig_level_names[sig_level], apr_sig_level_names[ceiling], i);
    }
    return DID_OK;
}

int did_dlg_budget_check(const did_dlg *link, int64_t spent, int64_t uses, const did_money *amount,
                         did_err *err)
{
    if (link == NULL || spent < 0 || uses < 0)
        return did_err_set(err, DID_ERR_ARG, "did_dlg_budget_check: bad argument");
    if (link->has_budget) {
        int64_t v = amount != NULL ? amount->value : 0;
        if (amount != NULL && strcmp(amount->currency, link->budget.currency) != 0)
            return did_err_set(err, DID_ERR_DLG_LIMIT, "the amount is in %s, the budget in %s",
                               amount->currency, link->budget.currency);
        if (v < 0 || spent > INT64_MAX - v || spent + v > link->budget.value)
            return did_err_set(err, DID_ERR_DLG_BUDGET,
                               "budget exhausted: %lld spent in the period, %lld more asked, "
                               "budget %lld",
                               (long long)spent, (long long)v, (long long)link->budget.value);
    }
    if (link->has_max_uses && uses >= link->max_uses)
        return did_err_set(err, DID_ERR_DLG_BUDGET, "maximum uses reached: %lld of %lld",
                           (long long)uses, (long long)link->max_uses);
    return DID_OK;
}
