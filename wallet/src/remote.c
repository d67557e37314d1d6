/*
 * remote.c -- the wallet's side of the civid services: a credential's status (status lists
 * fetched through the caller's fetcher), a challenge from a verifier, a presentation sent to it
 * for verification, and the demo issuance (POST /credentials/issue) with import.
 *
 * Every response is bounded (WALLET_HTTP_MAX) and parsed with strict limits. The issuer's
 * bearer token goes only into did_fetch_post, which never prints it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/status.h>
#include <did/verify.h>

#include "wallet_internal.h"

#define URL_SUFFIX_MAX 32 /* bytes of the longest path appended to a base URL */

const char *wallet_status_name(wallet_status_state state)
{
    switch (state) {
    case WALLET_STATUS_NONE:
        return "none";
    case WALLET_STATUS_VALID:
        return "valid";
    case WALLET_STATUS_REVOKED:
        return "revoked";
    case WALLET_STATUS_SUSPENDED:
        return "suspended";
    case WALLET_STATUS_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}

static void status_set(wallet_status *out, wallet_status_state state, int code, const char *why)
{
    out->state = state;
    out->name = wallet_status_name(state);
    out->code = code;
    (void)snprintf(out->reason, sizeof out->reason, "%s", why != NULL ? why : "");
}

int wallet_cred_status(wallet *w, const char *id, const wallet_status_opts *opts,
                       wallet_status *out, did_err *err)
{
    json_t *shown = NULL;
    did_result r;
    did_err ce;
    if (w == NULL || id == NULL || opts == NULL || opts->fetch == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_cred_status: NULL argument");
    if (opts->skew < 0 || opts->skew > 86400)
        return did_err_set(err, DID_ERR_ARG, "wallet_cred_status: skew must be 0..86400");
    status_set(out, WALLET_STATUS_UNKNOWN, DID_OK, "");
    int rc = wallet_cred_show(w, id, &shown, err);
    if (rc != DID_OK)
        return rc;
    const json_t *claims = json_object_get(shown, "claims");
    const json_t *cs = json_object_get(claims, "credentialStatus");
    if (cs == NULL) {
        if (strcmp(wl_str(shown, "format"), "sd-jwt") == 0 &&
            json_object_get(claims, "status") != NULL)
            status_set(out, WALLET_STATUS_UNKNOWN, DID_ERR_STATUS_TYPE,
                       "SD-JWT VC status (token status list) is not supported");
        else
            status_set(out, WALLET_STATUS_NONE, DID_OK, "");
        json_decref(shown);
        return DID_OK;
    }
    did_status_check_opts so;
    did_status_check_opts_init(&so);
    so.now = opts->now;
    so.skew = opts->skew;
    did_result_init(&r);
    did_err_clear(&ce);
    rc = did_status_check(cs, opts->fetch, opts->user, &so, &r, &ce);
    if (rc == DID_OK)
        status_set(out, WALLET_STATUS_VALID, DID_OK, "");
    else if (rc == DID_ERR_STATUS_REVOKED)
        status_set(out, WALLET_STATUS_REVOKED, rc, ce.msg);
    else if (rc == DID_ERR_STATUS_SUSPENDED)
        status_set(out, WALLET_STATUS_SUSPENDED, rc, ce.msg);
    else if (rc == DID_ERR_ARG || rc == DID_ERR_NOMEM) {
        did_result_clear(&r);
        json_decref(shown);
        if (err != NULL)
            *err = ce;
        return rc;
    } else
        status_set(out, WALLET_STATUS_UNKNOWN, rc, ce.msg);
    did_result_clear(&r);
    json_decref(shown);
    return DID_OK;
}

/* ------------------------------------------------------------------------------------------- */

/* base_url without trailing '/' + suffix, into url. */
static int join_url(const char *base, const char *suffix, char url[DID_FETCH_URL_MAX + 1],
                    did_err *err)
{
    size_t n = strnlen(base, DID_FETCH_URL_MAX + 1);
    while (n > 0 && base[n - 1] == '/')
        n--;
    if (n == 0 || n + strlen(suffix) > DID_FETCH_URL_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "service URL empty or longer than %d bytes",
                           DID_FETCH_URL_MAX - URL_SUFFIX_MAX);
    memcpy(url, base, n);
    memcpy(url + n, suffix, strlen(suffix) + 1);
    return DID_OK;
}

/* POSTs body (JSON) to base + suffix and parses the answer as a JSON object into *out. A
 * non-2xx answer becomes DID_ERR_FETCH_STATUS naming the problem document's name and
 * detail. */
static int post_json(did_fetcher *f, const char *base, const char *suffix, const char *token,
                     const json_t *body, json_t **out, did_err *err)
{
    char url[DID_FETCH_URL_MAX + 1];
    char *text = NULL;
    json_t *ans = NULL;
    did_fetch_resp resp;
    did_err fe;
    *out = NULL;
    int rc = join_url(base, suffix, url, err);
    if (rc != DID_OK)
        return rc;
    if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL)
        return wl_nomem(err);
    did_fetch_post_req req = {.url = url,
                              .body = (const uint8_t *)text,
                              .body_len = text != NULL ? strlen(text) : 0,
                              .accept = "application/json",
                              .bearer = token,
                              .max_bytes = WALLET_HTTP_MAX};
    did_fetch_resp_init(&resp);
    did_err_clear(&fe);
    rc = did_fetch_post(f, &req, &resp, &fe);
    free(text);
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = WALLET_HTTP_MAX;
    if (rc == DID_ERR_FETCH_STATUS) {
        /* Show the problem document (RFC 9457) when there is one. */
        json_t *p = NULL;
        if (resp.body.len > 0 &&
            did_json_parse(resp.body.data, resp.body.len, &lim, &p, NULL) == DID_OK &&
            json_is_object(p) && json_is_string(json_object_get(p, "name")))
            rc = did_err_set(err, rc, "%s: HTTP %ld: %s: %.160s", suffix, resp.status,
                             json_string_value(json_object_get(p, "name")), wl_str(p, "detail"));
        else if (err != NULL)
            *err = fe;
        json_decref(p);
        goto out;
    }
    if (rc != DID_OK) {
        if (err != NULL)
            *err = fe;
        goto out;
    }
    if ((rc = did_json_parse(resp.body.data, resp.body.len, &lim, &ans, err)) != DID_OK)
        goto out;
    if (!json_is_object(ans)) {
        rc = did_err_set(err, DID_ERR_JSON_TYPE, "%s: the answer is not a JSON object", suffix);
        goto out;
    }
    *out = ans;
    ans = NULL;
out:
    json_decref(ans);
    did_fetch_resp_clear(&resp);
    return rc;
}

int wallet_http_challenge(did_fetcher *f, const char *base_url, char challenge[WALLET_TEXT_MAX],
                          did_err *err)
{
    json_t *ans = NULL, *body = NULL;
    if (f == NULL || base_url == NULL || challenge == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_http_challenge: NULL argument");
    challenge[0] = '\0';
    if ((body = json_object()) == NULL)
        return wl_nomem(err);
    int rc = post_json(f, base_url, "/challenges", NULL, body, &ans, err);
    json_decref(body);
    if (rc != DID_OK)
        return rc;
    const json_t *c = json_object_get(ans, "challenge");
    if (!json_is_string(c) || json_string_length(c) == 0)
        rc = did_err_set(err, DID_ERR_JSON_TYPE, "/challenges: no challenge in the answer");
    else if (json_string_length(c) >= WALLET_TEXT_MAX)
        rc = did_err_set(err, DID_ERR_LIMIT, "/challenges: challenge longer than %d bytes",
                         WALLET_TEXT_MAX - 1);
    else
        memcpy(challenge, json_string_value(c), json_string_length(c) + 1);
    json_decref(ans);
    return rc;
}

int wallet_http_verify(did_fetcher *f, const char *base_url, const uint8_t *presentation,
                       size_t len, const char *challenge, const char *domain, json_t **result,
                       did_err *err)
{
    json_t *vp = NULL, *body = NULL, *ans = NULL;
    int rc;
    if (result != NULL)
        *result = NULL;
    if (f == NULL || base_url == NULL || presentation == NULL || challenge == NULL ||
        domain == NULL || result == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_http_verify: NULL argument");
    while (len > 0 && (presentation[len - 1] == '\n' || presentation[len - 1] == '\r' ||
                       presentation[len - 1] == ' '))
        len--;
    /* A JSON VP goes as an object, a compact vp+jwt or SD-JWT+KB as a string. */
    const char *kind = did_verify_detect(presentation, len);
    if (kind != NULL && strcmp(kind, "json") == 0) {
        did_json_limits lim = did_json_limits_default();
        lim.max_bytes = WALLET_HTTP_MAX;
        if ((rc = did_json_parse(presentation, len, &lim, &vp, err)) != DID_OK)
            return rc;
    } else if ((vp = json_stringn((const char *)presentation, len)) == NULL) {
        return did_err_set(err, DID_ERR_ARG, "wallet_http_verify: presentation not UTF-8");
    }
    body = json_pack("{s:o, s:{s:s, s:s}}", "verifiablePresentation", vp, "options", "challenge",
                     challenge, "domain", domain);
    if (body == NULL)
        return wl_nomem(err);
    rc = post_json(f, base_url, "/presentations/verify", NULL, body, &ans, err);
    json_decref(body);
    if (rc != DID_OK)
        return rc;
    if (!json_is_boolean(json_object_get(ans, "verified"))) {
        json_decref(ans);
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "/presentations/verify: no boolean \"verified\" in the answer");
    }
    *result = ans;
    return DID_OK;
}

/* ------------------------------------------------------------------------------------------- */

typedef struct key_did {
    const char *id;
    char did[DID_FETCH_URL_MAX];
    int found;
} key_did;

static int find_key(void *user, const wallet_key_info *k)
{
    key_did *kd = user;
    if (kd->id != NULL && strcmp(kd->id, k->id) != 0)
        return 0;
    (void)snprintf(kd->did, sizeof kd->did, "%s", k->did);
    kd->found = strlen(k->did) < sizeof kd->did;
    return 0;
}

int wallet_receive(wallet *w, did_fetcher *f, const char *base_url, const char *token,
                   const json_t *request, const char *key_id, const wallet_import_opts *opts,
                   char id[WALLET_ID_MAX], did_err *err)
{
    json_t *req = NULL, *ans = NULL;
    char *text = NULL;
    key_did kd = {key_id, {0}, 0};
    int rc;
    if (w == NULL || f == NULL || base_url == NULL || request == NULL || id == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_receive: NULL argument");
    id[0] = '\0';
    const json_t *tmpl = json_object_get(request, "credential");
    const json_t *ro = json_object_get(request, "options");
    if (!json_is_object(request) || !json_is_object(tmpl) || (ro != NULL && !json_is_object(ro)))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "receive: the request must be {\"credential\": {...}, \"options\": "
                           "{...}}");
    const char *format = ro != NULL ? wl_str(ro, "format") : "";
    int sd = strcmp(format, "sd-jwt") == 0;

    if (key_id != NULL) {
        if ((rc = wallet_keys_list(w, find_key, &kd, err)) != DID_OK)
            return rc;
        if (!kd.found)
            return did_err_set(err, WALLET_ERR_NOT_FOUND, "receive: no key %.64s", key_id);
    } else {
        char kid[WALLET_ID_MAX];
        char label[WALLET_LABEL_MAX];
        (void)snprintf(label, sizeof label, "%s", base_url);
        rc = wallet_key_new(w, CK_KEY_ED25519, WALLET_DID_KEY, label, kid, find_key, &kd, err);
        if (rc != DID_OK)
            return rc;
        if (!kd.found)
            return did_err_set(err, DID_ERR_INTERNAL, "receive: the new key has no DID");
    }

    if ((req = json_deep_copy(request)) == NULL)
        return wl_nomem(err);
    if (sd) {
        json_t *o = json_object_get(req, "options");
        if (json_object_get(o, "holder") == NULL &&
            json_object_set_new(o, "holder", json_string(kd.did)) != 0) {
            rc = wl_nomem(err);
            goto out;
        }
    } else {
        json_t *subj = json_object_get(json_object_get(req, "credential"), "credentialSubject");
        if (subj == NULL) {
            subj = json_object();
            if (subj == NULL || json_object_set_new(json_object_get(req, "credential"),
                                                    "credentialSubject", subj) != 0) {
                rc = wl_nomem(err);
                goto out;
            }
        }
        if (!json_is_object(subj)) {
            rc = did_err_set(err, DID_ERR_JSON_TYPE,
                             "receive: credentialSubject must be one object");
            goto out;
        }
        if (json_object_get(subj, "id") == NULL &&
            json_object_set_new(subj, "id", json_string(kd.did)) != 0) {
            rc = wl_nomem(err);
            goto out;
        }
    }
    if ((rc = post_json(f, base_url, "/credentials/issue", token, req, &ans, err)) != DID_OK)
        goto out;
    const json_t *vc = json_object_get(ans, "verifiableCredential");
    const char *in;
    size_t in_len;
    if (json_is_object(vc)) {
        if ((text = json_dumps(vc, JSON_COMPACT)) == NULL) {
            rc = wl_nomem(err);
            goto out;
        }
        in = text;
        in_len = strlen(text);
    } else if (json_is_string(vc)) {
        in = json_string_value(vc);
        in_len = json_string_length(vc);
    } else {
        rc = did_err_set(err, DID_ERR_JSON_TYPE,
                         "/credentials/issue: no verifiableCredential in the answer");
        goto out;
    }
    rc = wallet_cred_import(w, (const uint8_t *)in, in_len, opts, id, NULL, err);
out:
    free(text);
    json_decref(ans);
    json_decref(req);
    return rc;
}
