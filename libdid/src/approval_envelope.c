/*
 * approval_envelope.c -- approvals as JWS JSON general serialisation (RFC 7515 section 7.2.1)
 * with JAdES-compatible protected headers: parse, verify every signature over the one payload,
 * the statement format, create and add signatures (did/approval.h).
 *
 * Each signature is verified as the compact JWS "protected.payload.signature": that is exactly
 * its JWS signing input, so every header rule of did_jws_verify (alg allow-list, typ, crit,
 * kid resolution, alg/key match) applies unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include <did/jose.h>
#include <did/json.h>

#include "approval_internal.h"

#define E DID_ERR_APR_ENVELOPE
#define S DID_ERR_APR_STATEMENT

static const char *const processed_crit[] = {"iat", "srCm", NULL};

void did_approval_init(did_approval *a)
{
    if (a != NULL)
        memset(a, 0, sizeof(*a));
}

void did_approval_clear(did_approval *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < DID_APPROVAL_MAX_SIGS; i++) {
        json_decref(a->sigs[i].header);
        ck_key_free(a->sigs[i].key);
    }
    json_decref(a->statement);
    json_decref(a->envelope);
    did_approval_init(a);
}

static int is_b64url(const char *s, size_t n)
{
    if (n == 0 || n % 4 == 1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static int parse_env(const char *json, size_t len, int allow_empty, did_approval *out, did_err *err)
{
    static const char *const members[] = {"payload", "signatures", NULL};
    static const char *const sig_members[] = {"protected", "signature", NULL};
    const did_json_limits lim = {DID_APPROVAL_MAX_LEN, 8, DID_APPROVAL_MAX_LEN, 64};
    const json_t *sigs, *payload;
    ck_err ce;
    int rc;

    did_approval_init(out);
    if (json == NULL)
        return did_err_set(err, DID_ERR_ARG, "approval: NULL envelope");
    if (len > DID_APPROVAL_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT,
                           "approval envelope of %zu bytes is over the "
                           "limit of %d",
                           len, DID_APPROVAL_MAX_LEN);
    if ((rc = did_json_parse(json, len, &lim, &out->envelope, err)) != DID_OK) {
        did_err_prefix(err, "approval envelope");
        return rc;
    }
    if (!json_is_object(out->envelope)) {
        rc = did_err_set(err, E, "approval envelope is not a JSON object");
        goto fail;
    }
    /* General serialisation only: a flattened "protected"/"signature"/"header" at the top, or
     * any other member, would give a second reading of the same bytes. */
    if ((rc = apr_only_members(out->envelope, members, "approval envelope", E, err)) != DID_OK)
        goto fail;
    payload = json_object_get(out->envelope, "payload");
    sigs = json_object_get(out->envelope, "signatures");
    if (!json_is_string(payload) ||
        !is_b64url(json_string_value(payload), json_string_length(payload))) {
        rc = did_err_set(err, E, "approval envelope: \"payload\" must be non-empty base64url");
        goto fail;
    }
    out->payload_b64 = json_string_value(payload);
    out->payload_len = json_string_length(payload);
    if (!json_is_array(sigs) || (!allow_empty && json_array_size(sigs) == 0) ||
        json_array_size(sigs) > DID_APPROVAL_MAX_SIGS) {
        rc = did_err_set(err, E, "approval envelope: \"signatures\" must be an array of 1 to %d",
                         DID_APPROVAL_MAX_SIGS);
        goto fail;
    }
    for (size_t i = 0; i < json_array_size(sigs); i++) {
        const json_t *s = json_array_get(sigs, i), *p, *g;
        if (!json_is_object(s)) {
            rc = did_err_set(err, E, "approval envelope: signatures[%zu] is not an object", i);
            goto fail;
        }
        /* No unprotected "header": nothing unsigned is read. */
        if ((rc = apr_only_members(s, sig_members, "approval envelope signatures[]", E, err)) !=
            DID_OK)
            goto fail;
        p = json_object_get(s, "protected");
        g = json_object_get(s, "signature");
        if (!json_is_string(p) || !json_is_string(g) ||
            !is_b64url(json_string_value(p), json_string_length(p)) ||
            !is_b64url(json_string_value(g), json_string_length(g))) {
            rc = did_err_set(err, E,
                             "approval envelope: signatures[%zu] needs base64url "
                             "\"protected\" and \"signature\"",
                             i);
            goto fail;
        }
        out->sigs[i].protected_b64 = json_string_value(p);
        out->sigs[i].protected_len = json_string_length(p);
        out->sigs[i].signature_b64 = json_string_value(g);
        out->sigs[i].signature_len = json_string_length(g);
    }
    out->n_sigs = json_array_size(sigs);
    ck_err_clear(&ce);
    if (ck_hash(CK_SHA256, json, len, out->digest, &ce) != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        goto fail;
    }
    return DID_OK;
fail:
    did_approval_clear(out);
    return rc;
}

int did_approval_parse(const char *json, size_t len, did_approval *out, did_err *err)
{
    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_approval_parse: NULL argument");
    return parse_env(json, len, 0, out, err);
}

/* ------------------------------------------------------------------------------------------- */

int did_approval_check_statement(const json_t *st, did_err *err)
{
    static const char *const members[] = {"iss",  "role",     "prn",        "aud",
                                          "jti",  "iat",      "nonce",      "decision",
                                          "rq",   "disp_dig", "txd_hashes", "txd_hashes_alg",
                                          "tier", "dlg",      "log",        NULL};
    const char *iss, *role, *prn, *aud, *jti, *nonce, *decision, *rq, *dd, *alg, *dlg, *log;
    const json_t *th;
    int64_t iat, tier;
    int has_tier, rc;

    if (!json_is_object(st))
        return did_err_set(err, S, "approval statement must be a JSON object");
    if ((rc = apr_only_members(st, members, "approval statement", S, err)) != DID_OK ||
        (rc = apr_str(st, "iss", 1, DID_APR_MAX_DID, "approval statement", S, &iss, err)) !=
            DID_OK ||
        (rc = apr_str(st, "role", 1, 16, "approval statement", S, &role, err)) != DID_OK ||
        (rc = apr_str(st, "prn", 1, DID_APR_MAX_DID, "approval statement", S, &prn, err)) !=
            DID_OK ||
        (rc = apr_str(st, "aud", 1, DID_APR_MAX_DID, "approval statement", S, &aud, err)) !=
            DID_OK ||
        (rc = apr_str(st, "jti", 1, DID_LOG_REQUEST_ID_MAX, "approval statement", S, &jti, err)) !=
            DID_OK ||
        (rc = apr_int(st, "iat", 1, 0, DID_APR_MAX_TIME, "approval statement", S, &iat, NULL,
                      err)) != DID_OK ||
        (rc = apr_str(st, "nonce", 1, 88, "approval statement", S, &nonce, err)) != DID_OK ||
        (rc = apr_str(st, "decision", 1, 16, "approval statement", S, &decision, err)) != DID_OK ||
        (rc = apr_str(st, "rq", 1, DID_APR_REF_LEN - 1, "approval statement", S, &rq, err)) !=
            DID_OK ||
        (rc = apr_str(st, "disp_dig", 1, 43, "approval statement", S, &dd, err)) != DID_OK ||
        (rc = apr_str(st, "txd_hashes_alg", 0, 16, "approval statement", S, &alg, err)) != DID_OK ||
        (rc = apr_int(st, "tier", 0, 1, 3, "approval statement", S, &tier, &has_tier, err)) !=
            DID_OK ||
        (rc = apr_str(st, "dlg", 0, DID_APR_REF_LEN - 1, "approval statement", S, &dlg, err)) !=
            DID_OK ||
        (rc = apr_str(st, "log", 0, DID_APR_MAX_STR, "approval statement", S, &log, err)) != DID_OK)
        return rc;
    if (!apr_is_did(iss, strlen(iss)) || !apr_is_did(prn, strlen(prn)) ||
        !apr_is_did(aud, strlen(aud)))
        return did_err_set(err, S, "approval statement: iss, prn and aud must be DIDs");
    if (strcmp(decision, "approve") != 0 && strcmp(decision, "reject") != 0)
        return did_err_set(err, S, "approval statement: decision must be approve or reject");
    if (strlen(rq) != DID_APR_REF_LEN - 1 || strncmp(rq, "sha-256:", 8) != 0 ||
        (dlg != NULL && (strlen(dlg) != DID_APR_REF_LEN - 1 || strncmp(dlg, "sha-256:", 8) != 0)))
        return did_err_set(err, S, "approval statement: rq and dlg are \"sha-256:\" references");
    if (strlen(dd) != 43)
        return did_err_set(err, S, "approval statement: disp_dig is base64url of 32 bytes");
    th = json_object_get(st, "txd_hashes");
    if ((th == NULL) != (alg == NULL))
        return did_err_set(err, S, "approval statement: txd_hashes and txd_hashes_alg go together");
    if (th != NULL) {
        const json_t *tmp;
        if ((rc = apr_str_list(st, "txd_hashes", 1, DID_APREQ_MAX_TXD, 43, "approval statement", S,
                               &tmp, err)) != DID_OK)
            return rc;
        if (strcmp(alg, "sha-256") != 0)
            return did_err_set(err, S, "approval statement: txd_hashes_alg must be sha-256");
    }
    if (strcmp(role, "agent") == 0) {
        if (!has_tier || dlg == NULL)
            return did_err_set(err, S,
                               "approval statement: an agent's statement needs tier and "
                               "dlg");
    } else if (strcmp(role, "principal") == 0) {
        if (has_tier || dlg != NULL)
            return did_err_set(err, S,
                               "approval statement: a principal's statement has no tier "
                               "or dlg");
        if (strcmp(iss, prn) != 0)
            return did_err_set(err, S, "approval statement: a principal signs as prn");
    } else {
        return did_err_set(err, S, "approval statement: role must be principal or agent");
    }
    return DID_OK;
}

static int fill_statement(did_approval *a)
{
    const json_t *st = a->statement;
    int64_t v = 0;

    a->iss = json_string_value(json_object_get(st, "iss"));
    a->prn = json_string_value(json_object_get(st, "prn"));
    a->aud = json_string_value(json_object_get(st, "aud"));
    a->jti = json_string_value(json_object_get(st, "jti"));
    a->nonce = json_string_value(json_object_get(st, "nonce"));
    a->rq = json_string_value(json_object_get(st, "rq"));
    a->disp_dig = json_string_value(json_object_get(st, "disp_dig"));
    a->dlg = json_string_value(json_object_get(st, "dlg"));
    a->log = json_string_value(json_object_get(st, "log"));
    a->txd_hashes = json_object_get(st, "txd_hashes");
    a->role = strcmp(json_string_value(json_object_get(st, "role")), "agent") == 0
                  ? DID_ROLE_AGENT
                  : DID_ROLE_PRINCIPAL;
    a->decision = strcmp(json_string_value(json_object_get(st, "decision")), "approve") == 0;
    a->iat = (int64_t)json_integer_value(json_object_get(st, "iat"));
    if (json_is_integer(json_object_get(st, "tier")))
        v = (int64_t)json_integer_value(json_object_get(st, "tier"));
    a->tier = (int)v;
    return DID_OK;
}

/* The JAdES members of a verified protected header, exactly. */
static int check_header(did_approval_sig *s, size_t i, did_err *err)
{
    static const char *const members[] = {"alg",  "typ",  "kid",  "x5t#S256", "iat",
                                          "crit", "srCm", "role", NULL};
    static const char *const commit_members[] = {"commId", NULL};
    static const char *const id_members[] = {"id", NULL};
    static const char *const roles[] = {"", "principal", "agent", "cosigner", NULL};
    const json_t *h = s->header, *crit, *sr, *ci, *id;
    const char *role;
    int rc;

    if ((rc = apr_only_members(h, members, "approval protected header", E, err)) != DID_OK)
        return rc;
    if ((json_object_get(h, "kid") != NULL) == (json_object_get(h, "x5t#S256") != NULL))
        return did_err_set(err, E, "approval signature %zu: exactly one of kid and x5t#S256", i);
    if ((rc = apr_int(h, "iat", 1, 0, DID_APR_MAX_TIME, "approval protected header", E, &s->iat,
                      NULL, err)) != DID_OK)
        return rc;
    crit = json_object_get(h, "crit");
    if (!json_is_array(crit) || json_array_size(crit) != 2 || !apr_list_has(crit, "iat", 3) ||
        !apr_list_has(crit, "srCm", 4))
        return did_err_set(err, DID_ERR_JWS_CRIT,
                           "approval signature %zu: crit must be [\"iat\", \"srCm\"]", i);
    sr = json_object_get(h, "srCm");
    if (!json_is_object(sr) ||
        apr_only_members(sr, commit_members, "approval srCm", E, err) != DID_OK ||
        !json_is_object(ci = json_object_get(sr, "commId")) ||
        apr_only_members(ci, id_members, "approval srCm.commId", E, err) != DID_OK ||
        !json_is_string(id = json_object_get(ci, "id")))
        return did_err_set(err, E,
                           "approval signature %zu: srCm must be {\"commId\": {\"id\": "
                           "URI}}",
                           i);
    if (strcmp(json_string_value(id), DID_COMMIT_APPROVAL) == 0)
        s->commitment = DID_COMMITMENT_APPROVAL;
    else if (strcmp(json_string_value(id), DID_COMMIT_CREATION) == 0)
        s->commitment = DID_COMMITMENT_CREATION;
    else
        return did_err_set(err, DID_ERR_APR_COMMITMENT,
                           "approval signature %zu: commitment "
                           "type is neither ProofOfApproval nor ProofOfCreation",
                           i);
    if ((rc = apr_str(h, "role", 0, 16, "approval protected header", E, &role, err)) != DID_OK)
        return rc;
    s->role_claimed = DID_ROLE_NONE;
    if (role != NULL && (s->role_claimed = apr_enum(role, roles)) < 0)
        return did_err_set(err, E, "approval signature %zu: unknown role", i);
    return DID_OK;
}

static int decode_header(const did_approval_sig *s, json_t **out, did_err *err)
{
    const did_json_limits lim = {DID_JWS_MAX_HEADER, 8, DID_JWS_MAX_HEADER, 32};
    uint8_t buf[DID_JWS_MAX_HEADER];
    size_t n = 0;
    ck_err ce;

    ck_err_clear(&ce);
    if (s->protected_len > DID_JWS_MAX_HEADER * 4 / 3 + 4 ||
        ck_b64url_decode(s->protected_b64, s->protected_len, buf, sizeof(buf), &n, &ce) != CK_OK)
        return did_err_set(err, DID_ERR_JWS_HEADER,
                           "approval: protected header is not base64url "
                           "of at most %d bytes",
                           DID_JWS_MAX_HEADER);
    return did_json_parse(buf, n, &lim, out, err);
}

int did_approval_verify_sigs(const did_ctx *ctx, did_approval *a, did_approval_x5t_fn x5t,
                             void *x5t_user, did_err *err)
{
    did_buf compact;
    did_jws first;
    int rc = DID_OK;

    if (a == NULL || a->envelope == NULL || a->n_sigs == 0)
        return did_err_set(err, DID_ERR_ARG, "did_approval_verify_sigs: no parsed envelope");
    did_buf_init(&compact);
    did_jws_init(&first);
    for (size_t i = 0; i < a->n_sigs; i++) {
        did_approval_sig *s = &a->sigs[i];
        did_jws_verify_opts vo = {0};
        did_jws j;
        ck_key *key = NULL;
        json_t *pre = NULL;

        /* x5t#S256 needs the key before verifying: only then is the unverified header read,
         * and only to look the certificate up. */
        if ((rc = decode_header(s, &pre, err)) != DID_OK)
            goto out;
        if (json_object_get(pre, "kid") == NULL &&
            json_is_string(json_object_get(pre, "x5t#S256"))) {
            const json_t *t = json_object_get(pre, "x5t#S256");
            if (x5t == NULL) {
                json_decref(pre);
                rc = did_err_set(err, DID_ERR_JWS_KID,
                                 "approval signature %zu uses x5t#S256 and "
                                 "no certificate store was given",
                                 i);
                goto out;
            }
            if ((rc = x5t(x5t_user, json_string_value(t), json_string_length(t), &key, s->signer,
                          err)) != DID_OK) {
                json_decref(pre);
                goto out;
            }
        }
        json_decref(pre);
        did_buf_reset(&compact);
        if ((rc = did_buf_append(&compact, s->protected_b64, s->protected_len)) != DID_OK ||
            (rc = did_buf_putc(&compact, '.')) != DID_OK ||
            (rc = did_buf_append(&compact, a->payload_b64, a->payload_len)) != DID_OK ||
            (rc = did_buf_putc(&compact, '.')) != DID_OK ||
            (rc = did_buf_append(&compact, s->signature_b64, s->signature_len)) != DID_OK) {
            ck_key_free(key);
            rc = did_err_set(err, rc, "approval: out of memory");
            goto out;
        }
        vo.algs = DID_JWS_ALG_ALL;
        vo.typ = DID_APPROVAL_TYP;
        vo.key = key;
        vo.rel = DID_REL_ASSERTION_METHOD;
        vo.crit = processed_crit;
        vo.max_len = DID_APPROVAL_MAX_LEN * 2;
        did_jws_init(&j);
        rc = did_jws_verify(ctx, (const char *)compact.data, compact.len, &vo, &j, err);
        ck_key_free(key);
        if (rc != DID_OK) {
            char pfx[40];
            snprintf(pfx, sizeof(pfx), "approval signature %zu", i);
            did_err_prefix(err, pfx);
            goto out;
        }
        s->header = j.header;
        s->key = j.key;
        j.header = NULL;
        j.key = NULL;
        if (j.kid != NULL) {
            size_t dl = apr_did_len(j.kid, strlen(j.kid));
            if (dl > DID_APR_MAX_DID) {
                did_jws_clear(&j);
                rc = did_err_set(err, DID_ERR_JWS_KID, "approval signature %zu: kid too long", i);
                goto out;
            }
            memcpy(s->signer, j.kid, dl);
            s->signer[dl] = '\0';
        }
        if (i == 0) {
            first = j;
        } else {
            did_jws_clear(&j);
        }
        if ((rc = check_header(s, i, err)) != DID_OK)
            goto out;
        for (size_t k = 0; k < i; k++)
            if (strcmp(a->sigs[k].signer, s->signer) == 0) {
                rc = did_err_set(err, E, "approval signatures %zu and %zu are by the same signer",
                                 k, i);
                goto out;
            }
        s->verified = 1;
    }
    /* Every signature verified over the same payload: only now is it read. */
    if ((rc = did_json_parse(first.payload, first.payload_len, did_ctx_json_limits(ctx),
                             &a->statement, err)) != DID_OK) {
        did_err_prefix(err, "approval statement");
        goto out;
    }
    if ((rc = did_approval_check_statement(a->statement, err)) != DID_OK)
        goto out;
    fill_statement(a);
out:
    did_jws_clear(&first);
    did_buf_clear(&compact);
    return rc;
}

/* ------------------------------------------------------------------------------------------- */

static int dump_env(json_t *env, did_buf *out, did_err *err)
{
    char *s = json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS);
    int rc;

    if (s == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "approval: out of memory");
    rc = did_buf_append_str(out, s);
    free(s);
    if (rc != DID_OK)
        return did_err_set(err, rc, "approval: out of memory");
    return DID_OK;
}

int did_approval_create(const json_t *statement, did_buf *out, did_err *err)
{
    did_buf jcs;
    char *b64 = NULL;
    json_t *env = NULL;
    size_t n, w;
    ck_err ce;
    int rc;

    if (statement == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_approval_create: NULL argument");
    if ((rc = did_approval_check_statement(statement, err)) != DID_OK)
        return rc;
    did_buf_init(&jcs);
    if ((rc = did_jcs_write(statement, &jcs, err)) != DID_OK)
        goto out;
    n = ck_b64url_encoded_len(jcs.len);
    if ((b64 = malloc(n + 1)) == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "approval: out of memory");
        goto out;
    }
    ck_err_clear(&ce);
    if (ck_b64url_encode(jcs.data, jcs.len, b64, n + 1, &w, &ce) != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        goto out;
    }
    env = json_pack("{s:s, s:[]}", "payload", b64, "signatures");
    if (env == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "approval: out of memory");
        goto out;
    }
    rc = dump_env(env, out, err);
out:
    json_decref(env);
    free(b64);
    did_buf_clear(&jcs);
    return rc;
}

int did_approval_add_signature(const char *env, size_t env_len, const ck_key *key, const char *kid,
                               const char *x5t_s256, int64_t iat, int commitment, int role,
                               did_buf *out, did_err *err)
{
    static const char *const role_names[] = {NULL, "principal", "agent", "cosigner"};
    did_jws_sign_opts so = {DID_APPROVAL_TYP, NULL, kid, NULL};
    did_approval a;
    did_buf compact;
    uint8_t *payload = NULL;
    size_t plen = 0;
    json_t *extra = NULL, *sig = NULL;
    const char *d1, *d2;
    ck_err ce;
    int rc;

    if (key == NULL || out == NULL || (kid == NULL) == (x5t_s256 == NULL) ||
        (commitment != DID_COMMITMENT_APPROVAL && commitment != DID_COMMITMENT_CREATION) ||
        role < DID_ROLE_NONE || role > DID_ROLE_COSIGNER || iat < 0)
        return did_err_set(err, DID_ERR_ARG, "did_approval_add_signature: bad argument");
    did_buf_init(&compact);
    if ((rc = parse_env(env, env_len, 1, &a, err)) != DID_OK)
        return rc;
    if (a.n_sigs >= DID_APPROVAL_MAX_SIGS) {
        rc = did_err_set(err, DID_ERR_LIMIT, "approval already has %d signatures",
                         DID_APPROVAL_MAX_SIGS);
        goto out;
    }
    if ((payload = malloc(a.payload_len)) == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "approval: out of memory");
        goto out;
    }
    ck_err_clear(&ce);
    if (ck_b64url_decode(a.payload_b64, a.payload_len, payload, a.payload_len, &plen, &ce) !=
        CK_OK) {
        rc = did_err_set(err, E, "approval payload: %s", ce.msg);
        goto out;
    }
    extra = json_pack("{s:I, s:[s,s], s:{s:{s:s}}}", "iat", (json_int_t)iat, "crit", "iat", "srCm",
                      "srCm", "commId", "id",
                      commitment == DID_COMMITMENT_APPROVAL ? DID_COMMIT_APPROVAL
                                                            : DID_COMMIT_CREATION);
    if (extra == NULL ||
        (role != DID_ROLE_NONE &&
         json_object_set_new(extra, "role", json_string(role_names[role])) != 0) ||
        (x5t_s256 != NULL && json_object_set_new(extra, "x5t#S256", json_string(x5t_s256)) != 0)) {
        rc = did_err_set(err, DID_ERR_NOMEM, "approval: out of memory");
        goto out;
    }
    so.extra = extra;
    if ((rc = did_jws_sign(key, &so, payload, plen, &compact, err)) != DID_OK)
        goto out;
    d1 = memchr(compact.data, '.', compact.len);
    d2 = d1 != NULL ? memchr(d1 + 1, '.', compact.len - (size_t)(d1 + 1 - (char *)compact.data))
                    : NULL;
    /* base64url has one spelling per byte string, so the payload part is the envelope's. */
    if (d2 == NULL || (size_t)(d2 - d1 - 1) != a.payload_len ||
        memcmp(d1 + 1, a.payload_b64, a.payload_len) != 0) {
        rc = did_err_set(err, DID_ERR_INTERNAL, "approval: re-encoded payload differs");
        goto out;
    }
    sig = json_object();
    if (sig == NULL ||
        json_object_set_new(sig, "protected",
                            json_stringn((const char *)compact.data,
                                         (size_t)(d1 - (const char *)compact.data))) != 0 ||
        json_object_set_new(
            sig, "signature",
            json_stringn(d2 + 1, compact.len - (size_t)(d2 + 1 - (const char *)compact.data))) !=
            0 ||
        json_array_append(json_object_get(a.envelope, "signatures"), sig) != 0) {
        rc = did_err_set(err, DID_ERR_NOMEM, "approval: out of memory");
        goto out;
    }
    rc = dump_env(a.envelope, out, err);
out:
    json_decref(sig);
    json_decref(extra);
    free(payload);
    did_buf_clear(&compact);
    did_approval_clear(&a);
    return rc;
}
