/*
 * approval_request.c -- approval requests (apreq+jwt): the claims format, signing and
 * verification (did/approval.h).
 */
#include <stdlib.h>
#include <string.h>

#include <did/jose.h>
#include <did/json.h>
#include <did/time.h>

#include "approval_internal.h"

#define W "request"
#define R DID_ERR_APR_REQUEST

void did_apreq_init(did_apreq *r)
{
    if (r != NULL)
        memset(r, 0, sizeof(*r));
}

void did_apreq_clear(did_apreq *r)
{
    if (r == NULL)
        return;
    json_decref(r->claims);
    free(r->jws);
    did_apreq_init(r);
}

static size_t json_depth(const json_t *v, size_t limit)
{
    size_t d = 0;

    if (limit == 0)
        return 1;
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)v, k, m)
        {
            size_t x = json_depth(m, limit - 1);
            if (x > d)
                d = x;
        }
        return d + 1;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t x = json_depth(json_array_get(v, i), limit - 1);
            if (x > d)
                d = x;
        }
        return d + 1;
    }
    return 0;
}

/* Strict base64url of n_min..n_max decoded bytes (into out when non-NULL). */
static int b64u_len_ok(const char *s, size_t min, size_t max, uint8_t *out, size_t *out_len)
{
    uint8_t buf[DID_APREQ_MAX_TXD_LEN];
    size_t n = strlen(s), w = 0;
    ck_err ce;

    if (n > sizeof(buf) * 4 / 3 + 4)
        return 0;
    ck_err_clear(&ce);
    if (ck_b64url_decode(s, n, out != NULL ? out : buf, sizeof(buf), &w, &ce) != CK_OK)
        return 0;
    if (out_len != NULL)
        *out_len = w;
    return w >= min && w <= max;
}

static int check_text(const char *s, size_t n, did_err *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t cps = 0;

    for (size_t i = 0; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80)
            cps++;
        if (u[i] < 0x20 || u[i] == 0x7f)
            return did_err_set(err, DID_ERR_APR_DISPLAY,
                               W ": disp.text has a control character at byte %zu", i);
        /* U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069: bidirectional controls can make
         * a payee or an amount display differently from its bytes. */
        if ((u[i] == 0xd8 && i + 1 < n && u[i + 1] == 0x9c) ||
            (u[i] == 0xe2 && i + 2 < n && u[i + 1] == 0x80 &&
             (u[i + 2] == 0x8e || u[i + 2] == 0x8f || (u[i + 2] >= 0xaa && u[i + 2] <= 0xae))) ||
            (u[i] == 0xe2 && i + 2 < n && u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9))
            return did_err_set(err, DID_ERR_APR_DISPLAY,
                               W ": disp.text has a bidirectional control at byte %zu", i);
    }
    if (cps > DID_APREQ_MAX_TEXT)
        return did_err_set(err, DID_ERR_APR_DISPLAY,
                           W ": disp.text has %zu characters, the limit is %d", cps,
                           DID_APREQ_MAX_TEXT);
    return DID_OK;
}

static int check_disp(const json_t *d, did_apreq *r, did_err *err)
{
    static const char *const members[] = {"tpl", "ver", "lang", "text", "dig", NULL};
    const char *tpl, *ver, *lang;
    char dig[44];
    int rc;

    if (!json_is_object(d))
        return did_err_set(err, R, W ": member \"disp\" must be an object");
    if ((rc = apr_only_members(d, members, W " disp", R, err)) != DID_OK ||
        (rc = apr_str(d, "tpl", 1, 255, W " disp", R, &tpl, err)) != DID_OK ||
        (rc = apr_str(d, "ver", 1, 32, W " disp", R, &ver, err)) != DID_OK ||
        (rc = apr_str(d, "lang", 1, 35, W " disp", R, &lang, err)) != DID_OK ||
        (rc = apr_str(d, "text", 1, 4 * DID_APREQ_MAX_TEXT, W " disp", R, &r->disp_text, err)) !=
            DID_OK ||
        (rc = apr_str(d, "dig", 1, 43, W " disp", R, &r->disp_dig, err)) != DID_OK)
        return rc;
    for (const char *p = lang; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return did_err_set(err, R, W ": disp.lang is not a BCP 47 language tag");
    if ((rc = check_text(r->disp_text, strlen(r->disp_text), err)) != DID_OK)
        return rc;
    if ((rc = apr_b64_digest(r->disp_text, strlen(r->disp_text), dig, err)) != DID_OK)
        return rc;
    if (strcmp(dig, r->disp_dig) != 0)
        return did_err_set(err, DID_ERR_APR_DISPLAY,
                           W ": disp.dig is not base64url(SHA-256(disp.text))");
    return DID_OK;
}

static int check_docs(const json_t *docs, did_err *err)
{
    static const char *const members[] = {"label", "mt", "alg", "dig", "uri", NULL};

    if (!json_is_array(docs) || json_array_size(docs) == 0 ||
        json_array_size(docs) > DID_APREQ_MAX_DOCS)
        return did_err_set(err, R, W ": docs must be an array of 1 to %d documents",
                           DID_APREQ_MAX_DOCS);
    for (size_t i = 0; i < json_array_size(docs); i++) {
        const json_t *d = json_array_get(docs, i);
        const char *label, *mt, *alg, *dig, *uri;
        int rc;
        if (!json_is_object(d))
            return did_err_set(err, R, W ": docs[%zu] must be an object", i);
        if ((rc = apr_only_members(d, members, W " docs[]", R, err)) != DID_OK ||
            (rc = apr_str(d, "label", 1, 255, W " docs[]", R, &label, err)) != DID_OK ||
            (rc = apr_str(d, "mt", 1, DID_LOG_MEDIA_TYPE_MAX, W " docs[]", R, &mt, err)) !=
                DID_OK ||
            (rc = apr_str(d, "alg", 1, 16, W " docs[]", R, &alg, err)) != DID_OK ||
            (rc = apr_str(d, "dig", 1, 43, W " docs[]", R, &dig, err)) != DID_OK ||
            (rc = apr_str(d, "uri", 0, DID_APR_MAX_STR, W " docs[]", R, &uri, err)) != DID_OK)
            return rc;
        for (const char *p = mt; *p != '\0'; p++)
            if (*p <= 0x20 || *p >= 0x7f)
                return did_err_set(err, R, W ": docs[%zu].mt is not a media type", i);
        if (strcmp(alg, "sha-256") != 0)
            return did_err_set(err, R, W ": docs[%zu].alg must be \"sha-256\"", i);
        if (!b64u_len_ok(dig, 32, 32, NULL, NULL))
            return did_err_set(err, R, W ": docs[%zu].dig is not base64url of 32 bytes", i);
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(docs, j), "label"),
                           json_object_get(d, "label")))
                return did_err_set(err, R, W ": docs[%zu].label repeats an earlier label", i);
    }
    return DID_OK;
}

/* transaction_data (OpenID4VP 1.0 section 5.1): base64url of a JSON object with "type" and
 * "credential_ids"; other members (payload...) are the type's. */
static int check_txd(const json_t *txd, did_err *err)
{
    did_json_limits lim = {DID_APREQ_MAX_TXD_LEN, 8, DID_APREQ_MAX_TXD_LEN, 64};

    if (!json_is_array(txd) || json_array_size(txd) == 0 ||
        json_array_size(txd) > DID_APREQ_MAX_TXD)
        return did_err_set(err, R, W ": transaction_data must be an array of 1 to %d strings",
                           DID_APREQ_MAX_TXD);
    for (size_t i = 0; i < json_array_size(txd); i++) {
        const json_t *s = json_array_get(txd, i);
        uint8_t raw[DID_APREQ_MAX_TXD_LEN];
        size_t n = 0;
        json_t *obj = NULL;
        const json_t *ids;
        did_err e;
        int ok;

        if (!json_is_string(s) || json_string_length(s) > DID_APREQ_MAX_TXD_LEN ||
            !b64u_len_ok(json_string_value(s), 2, sizeof(raw), raw, &n))
            return did_err_set(err, R,
                               W ": transaction_data[%zu] is not base64url (at most %d "
                                 "bytes)",
                               i, DID_APREQ_MAX_TXD_LEN);
        did_err_clear(&e);
        if (did_json_parse(raw, n, &lim, &obj, &e) != DID_OK)
            return did_err_set(err, R, W ": transaction_data[%zu]: %s", i, e.msg);
        ids = json_object_get(obj, "credential_ids");
        ok = json_is_object(obj) && json_is_string(json_object_get(obj, "type")) &&
             json_string_length(json_object_get(obj, "type")) > 0 && json_is_array(ids) &&
             json_array_size(ids) > 0;
        for (size_t j = 0; ok && j < json_array_size(ids); j++)
            ok = json_is_string(json_array_get(ids, j));
        json_decref(obj);
        if (!ok)
            return did_err_set(err, R,
                               W ": transaction_data[%zu] needs \"type\" and "
                                 "\"credential_ids\"",
                               i);
    }
    return DID_OK;
}

static int check_want(const json_t *w, did_apreq *r, did_err *err)
{
    static const char *const members[] = {"max_tier", "sig_level", "min_loa", "log", NULL};
    const char *s;
    int64_t v;
    int present, rc;

    if (!json_is_object(w))
        return did_err_set(err, R, W ": member \"want\" must be an object");
    if ((rc = apr_only_members(w, members, W " want", R, err)) != DID_OK ||
        (rc = apr_int(w, "max_tier", 0, 1, 3, W " want", R, &v, &present, err)) != DID_OK)
        return rc;
    r->want_max_tier = present ? (int)v : 3;
    if ((rc = apr_str(w, "sig_level", 0, 16, W " want", R, &s, err)) != DID_OK)
        return rc;
    if (s != NULL && (r->want_sig_level = apr_enum(s, apr_sig_level_names)) < 0)
        return did_err_set(err, R, W ": want.sig_level is not SES, AdES, AdES-QC or QES");
    if ((rc = apr_str(w, "min_loa", 0, 64, W " want", R, &s, err)) != DID_OK)
        return rc;
    if (s != NULL && (r->want_min_loa = apr_enum(s, apr_loa_names)) < 0)
        return did_err_set(err, R, W ": want.min_loa is not an eIDAS LoA URI");
    return apr_str(w, "log", 0, DID_APR_MAX_STR, W " want", R, &r->want_log, err);
}

int did_apreq_check_claims(const json_t *claims, did_apreq *out, did_err *err)
{
    static const char *const members[] = {"iss",  "aud",          "jti",  "nonce",
                                          "iat",  "exp",          "cmd",  "res",
                                          "args", "docs",         "disp", "transaction_data",
                                          "want", "response_uri", NULL};
    did_apreq tmp, *r = out != NULL ? out : &tmp;
    did_buf jcs;
    int rc;

    if (out != NULL) {
        json_t *keep = out->claims;
        char *keep_jws = out->jws;
        size_t keep_len = out->jws_len;
        memset(out, 0, sizeof(*out));
        out->claims = keep;
        out->jws = keep_jws;
        out->jws_len = keep_len;
    } else {
        memset(&tmp, 0, sizeof(tmp));
    }
    r->want_max_tier = 3;
    if (!json_is_object(claims))
        return did_err_set(err, R, W ": claims must be a JSON object");
    if ((rc = apr_only_members(claims, members, W, R, err)) != DID_OK ||
        (rc = apr_str(claims, "iss", 1, DID_APR_MAX_DID, W, R, &r->iss, err)) != DID_OK ||
        (rc = apr_str(claims, "aud", 1, DID_APR_MAX_DID, W, R, &r->aud, err)) != DID_OK ||
        (rc = apr_str(claims, "jti", 1, DID_LOG_REQUEST_ID_MAX, W, R, &r->jti, err)) != DID_OK ||
        (rc = apr_str(claims, "nonce", 1, 88, W, R, &r->nonce, err)) != DID_OK ||
        (rc = apr_int(claims, "iat", 1, 0, DID_APR_MAX_TIME, W, R, &r->iat, NULL, err)) != DID_OK ||
        (rc = apr_int(claims, "exp", 1, 0, DID_APR_MAX_TIME, W, R, &r->exp, NULL, err)) != DID_OK ||
        (rc = apr_str(claims, "cmd", 1, DID_APR_MAX_STR, W, R, &r->cmd, err)) != DID_OK ||
        (rc = apr_str(claims, "res", 1, DID_APR_MAX_STR, W, R, &r->res, err)) != DID_OK ||
        (rc = apr_str(claims, "response_uri", 0, DID_APR_MAX_STR, W, R, &r->response_uri, err)) !=
            DID_OK)
        return rc;
    if (!apr_is_did(r->iss, strlen(r->iss)) || !apr_is_did(r->aud, strlen(r->aud)))
        return did_err_set(err, R, W ": iss and aud must be DIDs");
    if (!b64u_len_ok(r->nonce, 16, 64, NULL, NULL))
        return did_err_set(err, R, W ": nonce must be base64url of 16 to 64 bytes");
    if (r->exp <= r->iat || r->exp - r->iat > DID_APREQ_MAX_WINDOW)
        return did_err_set(err, DID_ERR_APR_TIME, W ": exp - iat is %lld s; it must be 1 to %d s",
                           (long long)(r->exp - r->iat), DID_APREQ_MAX_WINDOW);
    if (r->cmd[0] != '/' || !did_dlg_cmd_covers("/", 1, r->cmd, strlen(r->cmd)) ||
        (strlen(r->cmd) > 1 && r->cmd[strlen(r->cmd) - 1] == '/') || strstr(r->cmd, "//") != NULL)
        return did_err_set(err, R, W ": cmd is not a command path (\"/\" segments)");
    if (strchr(r->res, '*') != NULL)
        return did_err_set(err, R, W ": res names one resource; '*' is not allowed");
    r->args = json_object_get(claims, "args");
    if (!json_is_object(r->args))
        return did_err_set(err, R, W ": member \"args\" must be an object");
    if (json_depth(r->args, DID_APREQ_MAX_ARGS_DEPTH + 1) > DID_APREQ_MAX_ARGS_DEPTH)
        return did_err_set(err, R, W ": args nested deeper than %d", DID_APREQ_MAX_ARGS_DEPTH);
    did_buf_init(&jcs);
    rc = did_jcs_write(r->args, &jcs, err);
    if (rc == DID_OK && jcs.len > DID_APREQ_MAX_ARGS)
        rc = did_err_set(err, R, W ": args are %zu bytes in JCS form, the limit is %d", jcs.len,
                         DID_APREQ_MAX_ARGS);
    did_buf_clear(&jcs);
    if (rc != DID_OK)
        return rc;
    if ((r->docs = json_object_get(claims, "docs")) != NULL &&
        (rc = check_docs(r->docs, err)) != DID_OK)
        return rc;
    r->disp = json_object_get(claims, "disp");
    if (r->disp == NULL)
        return did_err_set(err, R, W ": member \"disp\" is missing");
    if ((rc = check_disp(r->disp, r, err)) != DID_OK)
        return rc;
    if ((r->txd = json_object_get(claims, "transaction_data")) != NULL &&
        (rc = check_txd(r->txd, err)) != DID_OK)
        return rc;
    if ((r->want = json_object_get(claims, "want")) != NULL &&
        (rc = check_want(r->want, r, err)) != DID_OK)
        return rc;
    return DID_OK;
}

int did_apreq_sign(const ck_key *key, const char *kid, const json_t *claims, did_buf *out,
                   did_err *err)
{
    did_jws_sign_opts so = {DID_APREQ_TYP, NULL, kid, NULL};
    did_apreq r;
    int rc;

    if (key == NULL || kid == NULL || claims == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_apreq_sign: NULL argument");
    did_apreq_init(&r);
    if ((rc = did_apreq_check_claims(claims, &r, err)) != DID_OK)
        return rc;
    if (!apr_same_did(kid, r.iss))
        return did_err_set(err, DID_ERR_ARG, "did_apreq_sign: kid is not a key of iss");
    return did_jwt_sign(key, &so, claims, out, err);
}

int did_apreq_verify(const did_ctx *ctx, const char *jws, size_t len,
                     const did_apreq_verify_opts *opts, did_apreq *out, did_err *err)
{
    did_jws_verify_opts vo = {0};
    did_jws j;
    json_t *claims = NULL;
    int64_t now, skew;
    int rc;

    if (out == NULL || jws == NULL || opts == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_apreq_verify: NULL argument");
    did_apreq_init(out);
    if (len > DID_APREQ_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT, W ": %zu bytes is over the limit of %d", len,
                           DID_APREQ_MAX_LEN);
    now = opts->now != 0 ? opts->now : did_time_now();
    skew = opts->skew < 0 ? 0 : opts->skew > 300 ? 300 : opts->skew;
    vo.algs = DID_JWS_ALG_ALL;
    vo.typ = DID_APREQ_TYP;
    vo.rel = DID_REL_ASSERTION_METHOD;
    vo.max_len = DID_APREQ_MAX_LEN;
    did_jws_init(&j);
    if ((rc = did_jws_verify(ctx, jws, len, &vo, &j, err)) != DID_OK) {
        did_err_prefix(err, W);
        return rc;
    }
    if ((rc = did_json_parse(j.payload, j.payload_len, did_ctx_json_limits(ctx), &claims, err)) !=
        DID_OK)
        goto out;
    out->claims = claims;
    claims = NULL;
    if ((rc = did_apreq_check_claims(out->claims, out, err)) != DID_OK)
        goto out;
    if (j.kid == NULL || !apr_same_did(j.kid, out->iss)) {
        rc = did_err_set(err, DID_ERR_JWS_KID, W ": the signing key (kid) is not a key of iss");
        goto out;
    }
    if (out->iat > now + skew) {
        rc = did_err_set(err, DID_ERR_APR_TIME, W ": iat is %lld s in the future",
                         (long long)(out->iat - now));
        goto out;
    }
    if (opts->service != NULL && strcmp(opts->service, out->iss) != 0) {
        rc = did_err_set(err, DID_ERR_APR_AUDIENCE,
                         W ": issued by another service than this verifier");
        goto out;
    }
    if (opts->check_expiry && out->exp + skew <= now) {
        rc = did_err_set(err, DID_ERR_APR_EXPIRED, W ": expired %lld s ago",
                         (long long)(now - out->exp));
        goto out;
    }
    out->jws = did_strdup_n(jws, len);
    if (out->jws == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, W ": out of memory");
        goto out;
    }
    out->jws_len = len;
    rc = apr_ref(jws, len, out->ref, out->digest, err);
out:
    json_decref(claims);
    did_jws_clear(&j);
    if (rc != DID_OK)
        did_apreq_clear(out);
    return rc;
}
