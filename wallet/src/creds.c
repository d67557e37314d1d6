/*
 * creds.c -- credentials: verified on import (and refused when they do not verify), stored
 * sealed with a summary for listing, shown, deleted.
 */
#include <string.h>

#include <did/json.h>
#include <did/sdjwt.h>
#include <did/time.h>
#include <did/vc.h>
#include <did/verify.h>

#include "wallet_internal.h"

#define STOP (-1)

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int wl_join_types(const json_t *types, did_buf *out, did_err *err)
{
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        if ((i > 0 && did_buf_append_str(out, ", ") != DID_OK) ||
            did_buf_append_str(out, json_string_value(t)) != DID_OK)
            return wl_nomem(err);
    }
    if (out->data == NULL && did_buf_append_str(out, "") != DID_OK)
        return wl_nomem(err);
    return DID_OK;
}

/* An EnvelopedVerifiableCredential around a vc+jwt or an SD-JWT VC: the token inside. */
static int unwrap_envelope(const json_t *doc, const char **tok, size_t *tok_len, did_err *err)
{
    static const char *const media[] = {"data:application/vc+jwt,", "data:application/dc+sd-jwt,",
                                        "data:application/vc+sd-jwt,"};
    const char *id = json_string_value(json_object_get(doc, "id"));
    size_t len = json_string_length(json_object_get(doc, "id"));
    for (size_t i = 0; id != NULL && i < sizeof media / sizeof media[0]; i++) {
        size_t n = strlen(media[i]);
        if (len > n && memcmp(id, media[i], n) == 0) {
            *tok = id + n;
            *tok_len = len - n;
            return DID_OK;
        }
    }
    return did_err_set(err, DID_ERR_VC_FORMAT,
                       "an enveloped credential is imported only as a data:application/vc+jwt "
                       "or dc+sd-jwt URL");
}

/* seconds -> dateTimeStamp, "" when out of range. */
static void set_date(json_t *meta, const char *name, const json_t *v)
{
    char buf[DID_DATETIME_BUF];
    if (!json_is_number(v))
        return;
    double d = json_number_value(v);
    if (!(d > -1e11 && d < 1e11) || did_datetime_format((int64_t)d, buf, NULL) != DID_OK)
        return;
    (void)json_object_set_new(meta, name, json_string(buf));
}

/* The summary members of a credential record from the verified document. */
static int summarize(const char *format, const json_t *doc, json_t *meta, did_err *err)
{
    int rc;
    json_t *types = json_array();
    if (types == NULL || json_object_set_new(meta, "types", types) != 0)
        return wl_nomem(err);
    if (strcmp(format, "sd-jwt") == 0) {
        const char *s;
        if ((s = json_string_value(json_object_get(doc, "iss"))) != NULL &&
            (rc = wl_set_str(meta, "issuer", s, err)) != DID_OK)
            return rc;
        if ((s = json_string_value(json_object_get(doc, "vct"))) != NULL &&
            json_array_append_new(types, json_string(s)) != 0)
            return wl_nomem(err);
        if ((s = json_string_value(json_object_get(doc, "sub"))) != NULL &&
            (rc = wl_set_str(meta, "subject", s, err)) != DID_OK)
            return rc;
        set_date(meta, "validFrom", json_object_get(doc, "nbf"));
        set_date(meta, "validUntil", json_object_get(doc, "exp"));
    } else {
        const char *issuer;
        if (did_vc_issuer_id(doc, &issuer, NULL, NULL) == DID_OK &&
            (rc = wl_set_str(meta, "issuer", issuer, err)) != DID_OK)
            return rc;
        const json_t *t = json_object_get(doc, "type");
        size_t i;
        json_t *e;
        if (json_is_string(t) && json_array_append(types, (json_t *)t) != 0)
            return wl_nomem(err);
        json_array_foreach(t, i, e)
        {
            if (json_is_string(e) && strcmp(json_string_value(e), "VerifiableCredential") != 0 &&
                json_array_append(types, e) != 0)
                return wl_nomem(err);
        }
        static const char *const dates[] = {"validFrom", "validUntil"};
        for (i = 0; i < 2; i++) {
            const json_t *d = json_object_get(doc, dates[i]);
            if (json_is_string(d) && json_object_set(meta, dates[i], (json_t *)d) != 0)
                return wl_nomem(err);
        }
        const json_t *cs = json_object_get(doc, "credentialSubject");
        if (json_is_array(cs))
            cs = json_array_get(cs, 0);
        const json_t *sid = json_object_get(cs, "id");
        if (json_is_string(sid) && json_object_set(meta, "subject", (json_t *)sid) != 0)
            return wl_nomem(err);
    }
    if (json_object_get(meta, "issuer") == NULL)
        return did_err_set(err, DID_ERR_VC_ISSUER, "the credential names no issuer");
    return DID_OK;
}

/* The stored key an SD-JWT VC's cnf names (RFC 7800 "jwk"). */
static int cnf_key(wallet *w, MDB_txn *txn, const json_t *doc, char id[WALLET_ID_MAX], int *bound,
                   did_err *err)
{
    ck_err ce;
    ck_key *key = NULL;
    char thumb[44];
    *bound = 0;
    id[0] = '\0';
    const json_t *cnf = json_object_get(doc, "cnf");
    if (cnf == NULL)
        return DID_OK;
    *bound = 1;
    const json_t *jwk = json_object_get(cnf, "jwk");
    const json_t *kty = json_object_get(jwk, "kty"), *crv = json_object_get(jwk, "crv"),
                 *x = json_object_get(jwk, "x"), *y = json_object_get(jwk, "y");
    if (!json_is_string(kty) || !json_is_string(crv) || !json_is_string(x) ||
        (y != NULL && !json_is_string(y)))
        return did_err_set(err, WALLET_ERR_HOLDER_KEY,
                           "the credential's cnf has no usable \"jwk\": it cannot be presented");
    if (ck_key_import_jwk(json_string_value(kty), json_string_length(kty), json_string_value(crv),
                          json_string_length(crv), json_string_value(x), json_string_length(x),
                          json_string_value(y), json_string_length(y), NULL, 0, &key,
                          &ce) != CK_OK ||
        ck_key_thumbprint_b64(key, thumb, &ce) != CK_OK) {
        ck_key_free(key);
        int rc = did_err_from_ck(err, &ce);
        did_err_prefix(err, "the credential's cnf key");
        return rc;
    }
    ck_key_free(key);
    int rc = wl_key_find(w, txn, "thumbprint", thumb, id, err);
    if (rc == DID_OK && id[0] == '\0')
        rc = did_err_set(err, WALLET_ERR_HOLDER_KEY,
                         "the credential is bound to a key this wallet does not hold (create "
                         "holder keys with 'civid-wallet keys new' before issuance)");
    return rc;
}

typedef struct dup_ctx {
    const char *sha;
    char *id;
} dup_ctx;

static int dup_one(void *user, const char *id, const wl_rec *rec, did_err *err)
{
    (void)err;
    dup_ctx *d = user;
    if (strcmp(wl_str(rec->meta, "sha256"), d->sha) != 0)
        return DID_OK;
    memcpy(d->id, id, strlen(id) + 1);
    return STOP;
}

int wallet_cred_import(wallet *w, const uint8_t *in, size_t len, const wallet_import_opts *opts,
                       char id[WALLET_ID_MAX], did_result *r_out, did_err *err)
{
    static const wallet_import_opts defaults;
    did_result local;
    did_result *r = r_out != NULL ? r_out : &local;
    json_t *parsed = NULL, *meta = NULL;
    MDB_txn *txn = NULL;
    did_err ve;
    int rc;
    if (w == NULL || in == NULL || id == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_cred_import: NULL argument");
    if (opts == NULL)
        opts = &defaults;
    if (r == &local)
        did_result_init(&local);
    id[0] = '\0';
    const did_ctx *ctx = opts->ctx != NULL ? opts->ctx : w->ctx;

    while (len > 0 && is_space(in[0]))
        in++, len--;
    while (len > 0 && is_space(in[len - 1]))
        len--;
    if (len > WALLET_PAYLOAD_MAX) {
        rc = did_err_set(err, DID_ERR_LIMIT, "a credential is at most %zu bytes",
                         WALLET_PAYLOAD_MAX);
        goto out;
    }
    const char *kind = did_verify_detect(in, len);
    if (kind == NULL) {
        rc = did_err_set(err, DID_ERR_VC_FORMAT,
                         "not a credential: neither JSON, an SD-JWT nor a compact JWS");
        goto out;
    }
    const uint8_t *text = in;
    size_t text_len = len;
    if (strcmp(kind, "json") == 0) {
        if ((rc = did_json_parse(in, len, did_ctx_json_limits(ctx), &parsed, err)) != DID_OK)
            goto out;
        if (did_vc_has_type(parsed, "EnvelopedVerifiableCredential")) {
            const char *tok = NULL;
            if ((rc = unwrap_envelope(parsed, &tok, &text_len, err)) != DID_OK)
                goto out;
            text = (const uint8_t *)tok;
        }
    }

    /* An SD-JWT ending in a KB-JWT rather than '~' is a presentation (RFC 9901 section 4). */
    const char *tk = did_verify_detect(text, text_len);
    if (tk != NULL && strcmp(tk, "sd-jwt") == 0 && text[text_len - 1] != '~') {
        rc = did_err_set(err, DID_ERR_SDJWT_FORMAT,
                         "an SD-JWT with a key binding JWT is a presentation, not a credential");
        goto out;
    }
    did_verify_opts vo = {.now = opts->now, .skew = opts->skew};
    if ((rc = did_verify(ctx, text, text_len, &vo, r, &ve)) != DID_OK) {
        rc = did_err_set(err, WALLET_ERR_UNVERIFIED, "refused: it does not verify: %s (%s)", ve.msg,
                         wallet_err_name(ve.code));
        goto out;
    }
    const char *format = r->format;
    const json_t *doc = r->document;
    int is_sd = strcmp(format, "sd-jwt") == 0;
    if (doc == NULL || strcmp(format, "vp-jwt") == 0 ||
        did_vc_has_type(doc, "VerifiablePresentation")) {
        rc = did_err_set(err, DID_ERR_VC_TYPE, "a presentation, not a credential");
        goto out;
    }
    if (!is_sd && strcmp(format, "vc-jwt") != 0 && strcmp(format, "di-eddsa-jcs-2022") != 0 &&
        strcmp(format, "di-ecdsa-jcs-2019") != 0) {
        rc = did_err_set(err, DID_ERR_VC_FORMAT, "credentials of format %s are not stored", format);
        goto out;
    }

    uint8_t digest[CK_SHA256_LEN];
    char sha[44];
    if (ck_sha256(text, text_len, digest) != CK_OK ||
        ck_b64url_encode(digest, sizeof digest, sha, sizeof sha, NULL, NULL) != CK_OK) {
        rc = did_err_set(err, DID_ERR_INTERNAL, "SHA-256 failed");
        goto out;
    }
    meta = json_pack("{s:s, s:s, s:I}", "format", format, "sha256", sha, "imported",
                     (json_int_t)did_time_now());
    if (meta == NULL) {
        rc = wl_nomem(err);
        goto out;
    }
    if ((rc = summarize(format, doc, meta, err)) != DID_OK)
        goto out;
    if (json_object_set_new(meta, "document",
                            strncmp(format, "di-", 3) == 0 ? json_object()
                                                           : json_incref((json_t *)doc)) != 0) {
        rc = wl_nomem(err);
        goto out;
    }

    /* Everything that reads the store for this decision happens in the writing transaction. */
    if ((rc = wl_txn_begin(w, 1, &txn, err)) != DID_OK)
        goto out;
    char existing[WALLET_ID_MAX] = "";
    dup_ctx d = {sha, existing};
    rc = wl_foreach(w, txn, WALLET_KIND_CREDENTIAL, dup_one, &d, err);
    if (rc == STOP) {
        rc = did_err_set(err, WALLET_ERR_EXISTS, "this credential is stored already as %s",
                         existing);
        goto out;
    }
    if (rc != DID_OK || (rc = wl_check_room(w, txn, WALLET_KIND_CREDENTIAL, 1, err)) != DID_OK)
        goto out;
    char holder[WALLET_ID_MAX] = "";
    if (is_sd) {
        int bound;
        if ((rc = cnf_key(w, txn, doc, holder, &bound, err)) != DID_OK)
            goto out;
    } else if (json_object_get(meta, "subject") != NULL &&
               (rc = wl_key_find(w, txn, "did", wl_str(meta, "subject"), holder, err)) != DID_OK) {
        goto out;
    }
    if (holder[0] != '\0' && (rc = wl_set_str(meta, "holderKey", holder, err)) != DID_OK)
        goto out;
    if ((rc = wl_new_id(w, txn, WALLET_KIND_CREDENTIAL, id, err)) != DID_OK ||
        (rc = wl_put_rec(w, txn, WALLET_KIND_CREDENTIAL, id, NULL, 0, meta, text, text_len, err)) !=
            DID_OK)
        goto out;
    rc = wl_txn_commit(txn, err);
    txn = NULL;
out:
    if (rc != DID_OK)
        id[0] = '\0';
    if (txn != NULL)
        mdb_txn_abort(txn);
    json_decref(parsed);
    json_decref(meta);
    if (r == &local)
        did_result_clear(&local);
    return rc;
}

/* ---- listing, showing, deleting ----------------------------------------------------------- */

static int cred_info(const char *id, const json_t *meta, did_buf *types, wallet_cred_info *ci,
                     did_err *err)
{
    did_buf_reset(types);
    int rc = wl_join_types(json_object_get(meta, "types"), types, err);
    if (rc != DID_OK)
        return rc;
    ci->id = id;
    ci->format = wl_str(meta, "format");
    ci->issuer = wl_str(meta, "issuer");
    ci->types = (const char *)types->data;
    ci->valid_from = wl_str(meta, "validFrom");
    ci->valid_until = wl_str(meta, "validUntil");
    ci->subject = wl_str(meta, "subject");
    ci->holder_key = wl_str(meta, "holderKey");
    ci->status = "not checked";
    ci->imported = wl_int(meta, "imported");
    return DID_OK;
}

typedef struct list_ctx {
    wallet_cred_fn fn;
    void *user;
    did_buf types;
} list_ctx;

static int list_one(void *user, const char *id, const wl_rec *rec, did_err *err)
{
    list_ctx *l = user;
    wallet_cred_info ci;
    int rc = cred_info(id, rec->meta, &l->types, &ci, err);
    return rc != DID_OK ? rc : l->fn(l->user, &ci);
}

int wallet_creds_list(wallet *w, wallet_cred_fn fn, void *user, did_err *err)
{
    MDB_txn *txn;
    if (w == NULL || fn == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_creds_list: NULL argument");
    int rc = wl_txn_begin(w, 0, &txn, err);
    if (rc != DID_OK)
        return rc;
    list_ctx l = {fn, user, {0}};
    did_buf_init(&l.types);
    rc = wl_foreach(w, txn, WALLET_KIND_CREDENTIAL, list_one, &l, err);
    mdb_txn_abort(txn);
    did_buf_clear(&l.types);
    return rc;
}

/* The disclosures of an issued SD-JWT, decoded: [name, value] or [value] each. */
static int disclosures(const uint8_t *text, size_t len, json_t *out, did_err *err)
{
    const uint8_t *p = memchr(text, '~', len), *end = text + len;
    did_buf dec;
    did_buf_init(&dec);
    int rc = DID_OK;
    size_t count = 0;
    while (p != NULL && p + 1 < end) {
        const uint8_t *start = p + 1, *q = memchr(start, '~', (size_t)(end - start));
        size_t n = (size_t)((q != NULL ? q : end) - start);
        p = q;
        if (n == 0)
            continue;
        if (++count > DID_SDJWT_MAX_DISCLOSURES) {
            rc = did_err_set(err, DID_ERR_LIMIT, "more than %d disclosures",
                             DID_SDJWT_MAX_DISCLOSURES);
            break;
        }
        json_t *arr = NULL;
        did_buf_reset(&dec);
        size_t m = 0;
        if (did_buf_reserve(&dec, n) != DID_OK) {
            rc = wl_nomem(err);
            break;
        }
        if (ck_b64url_decode((const char *)start, n, dec.data, n, &m, NULL) != CK_OK ||
            did_json_parse(dec.data, m, NULL, &arr, NULL) != DID_OK || !json_is_array(arr) ||
            json_array_size(arr) < 2) {
            json_decref(arr);
            rc = did_err_set(err, WALLET_ERR_FORMAT, "a stored disclosure does not decode");
            break;
        }
        json_array_remove(arr, 0); /* the salt */
        if (json_array_append_new(out, arr) != 0) {
            rc = wl_nomem(err);
            break;
        }
    }
    did_buf_clear(&dec);
    return rc;
}

int wallet_cred_show(wallet *w, const char *id, json_t **out, did_err *err)
{
    MDB_txn *txn;
    wl_rec rec;
    did_buf types;
    json_t *o = NULL;
    char imported[DID_DATETIME_BUF] = "";
    if (w == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_cred_show: NULL argument");
    *out = NULL;
    did_buf_init(&types);
    int rc = wl_txn_begin(w, 0, &txn, err);
    if (rc != DID_OK)
        return rc;
    if ((rc = wl_get(w, txn, WALLET_KIND_CREDENTIAL, id, &rec, err)) != DID_OK)
        goto out;
    const json_t *m = rec.meta;
    const char *format = wl_str(m, "format");
    (void)did_datetime_format(wl_int(m, "imported"), imported, NULL);
    o = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s}", "id", id, "format", format, "issuer",
                  wl_str(m, "issuer"), "types", json_object_get(m, "types"), "status",
                  "not checked", "imported", imported);
    if (o == NULL) {
        rc = wl_nomem(err);
        goto out;
    }
    static const char *const optional[] = {"validFrom", "validUntil", "subject", "holderKey"};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        json_t *v = json_object_get(m, optional[i]);
        if (v != NULL && json_object_set(o, optional[i], v) != 0) {
            rc = wl_nomem(err);
            goto out;
        }
    }
    json_t *cred = NULL, *claims = NULL;
    if (strncmp(format, "di-", 3) == 0) {
        if (did_json_parse(rec.payload, rec.payload_len, NULL, &cred, NULL) != DID_OK) {
            rc = did_err_set(err, WALLET_ERR_FORMAT, "%s: the stored credential is not JSON", id);
            goto out;
        }
        claims = json_incref(cred);
    } else {
        cred = json_stringn((const char *)rec.payload, rec.payload_len);
        claims = json_incref(json_object_get(m, "document"));
    }
    if (cred == NULL || json_object_set_new(o, "credential", cred) != 0 ||
        json_object_set_new(o, "claims", claims) != 0) {
        rc = wl_nomem(err);
        goto out;
    }
    if (strcmp(format, "sd-jwt") == 0) {
        json_t *d = json_array();
        if (d == NULL || json_object_set_new(o, "disclosures", d) != 0) {
            rc = wl_nomem(err);
            goto out;
        }
        if ((rc = disclosures(rec.payload, rec.payload_len, d, err)) != DID_OK)
            goto out;
    }
    *out = o;
    o = NULL;
out:
    json_decref(o);
    wl_rec_clear(&rec);
    mdb_txn_abort(txn);
    did_buf_clear(&types);
    return rc;
}

int wallet_cred_delete(wallet *w, const char *id, did_err *err)
{
    MDB_txn *txn;
    if (w == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_cred_delete: NULL argument");
    size_t n = id != NULL ? strnlen(id, WALLET_ID_MAX) : 0;
    if (!wl_id_valid(WALLET_KIND_CREDENTIAL, id, n))
        return did_err_set(err, WALLET_ERR_NOT_FOUND, "no credential with id '%.40s'",
                           id != NULL ? id : "");
    int rc = wl_txn_begin(w, 1, &txn, err);
    if (rc != DID_OK)
        return rc;
    MDB_val k = {n, (void *)id};
    rc = mdb_del(txn, w->db_creds, &k, NULL);
    if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return rc == MDB_NOTFOUND
                   ? did_err_set(err, WALLET_ERR_NOT_FOUND, "no credential with id %s", id)
                   : wl_mdb_err(err, rc, "delete");
    }
    return wl_txn_commit(txn, err);
}
