/*
 * present.c -- presentations for a verifier's challenge and domain, and the consent log entry
 * each one leaves. One write transaction covers a new relationship key and the log entry, so a
 * presentation that fails leaves no trace and one that succeeds is always logged.
 */
#include <string.h>

#include <did/di.h>
#include <did/json.h>
#include <did/sdjwt.h>
#include <did/time.h>
#include <did/vc.h>
#include <did/vcjose.h>
#include <did/verify.h>

#include "wallet_internal.h"

#define VC_CONTEXT_V2 "https://www.w3.org/ns/credentials/v2"

static int check_text(const char *name, const char *s, did_err *err)
{
    if (s == NULL || s[0] == '\0')
        return did_err_set(err, DID_ERR_ARG, "a presentation needs a %s", name);
    if (strnlen(s, WALLET_TEXT_MAX + 1) > WALLET_TEXT_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "the %s is longer than %d bytes", name,
                           WALLET_TEXT_MAX);
    json_t *j = json_string(s);
    if (j == NULL)
        return did_err_set(err, DID_ERR_ARG, "the %s is not UTF-8 text", name);
    json_decref(j);
    return DID_OK;
}

/* The holder key for a Data Integrity or vc+jwt presentation: the caller's choice, else the
 * key the credential is bound to, else this domain's key, else a new one for the domain. */
static int pick_key(wallet *w, MDB_txn *txn, const wallet_present_opts *o, const json_t *meta,
                    char id[WALLET_ID_MAX], did_err *err)
{
    const char *bound = wl_str(meta, "holderKey");
    if (o->key_id != NULL) {
        if (strnlen(o->key_id, WALLET_ID_MAX) >= WALLET_ID_MAX)
            return did_err_set(err, WALLET_ERR_NOT_FOUND, "no key with that id");
        memcpy(id, o->key_id, strlen(o->key_id) + 1);
        return DID_OK;
    }
    if (bound[0] != '\0') {
        memcpy(id, bound, strlen(bound) + 1);
        return DID_OK;
    }
    int rc = wl_key_find(w, txn, "relationship", o->domain, id, err);
    if (rc != DID_OK || id[0] != '\0')
        return rc;
    return wl_key_create(w, txn, CK_KEY_ED25519, WALLET_DID_KEY, NULL, o->domain, id, err);
}

/* {"@context", "type", "holder", "verifiableCredential": [entry]} */
static json_t *vp_new(const char *holder, json_t *entry)
{
    json_t *vp =
        json_pack("{s:[s], s:[s], s:s, s:[o]}", "@context", VC_CONTEXT_V2, "type",
                  "VerifiablePresentation", "holder", holder, "verifiableCredential", entry);
    return vp;
}

static json_t *envelope(const uint8_t *tok, size_t len)
{
    did_buf url;
    did_buf_init(&url);
    json_t *e = NULL;
    if (did_buf_append_str(&url, "data:application/vc+jwt,") == DID_OK &&
        did_buf_append(&url, tok, len) == DID_OK)
        e = json_pack("{s:[s], s:s%, s:s}", "@context", VC_CONTEXT_V2, "id", (const char *)url.data,
                      url.len, "type", "EnvelopedVerifiableCredential");
    did_buf_clear(&url);
    return e;
}

/* A VerifiablePresentation of a Data Integrity or vc+jwt credential, secured by key. */
static int present_vp(const did_ctx *ctx, const wl_rec *cred, wallet_vp_format vpf,
                      const ck_key *key, const json_t *kmeta, const wallet_present_opts *o,
                      int64_t now, did_buf *pres, did_err *err)
{
    const char *format = wl_str(cred->meta, "format");
    int is_di = strncmp(format, "di-", 3) == 0;
    json_t *entry = NULL, *vp = NULL, *secured = NULL;
    int rc;
    if (is_di) {
        if ((rc = did_json_parse(cred->payload, cred->payload_len, did_ctx_json_limits(ctx), &entry,
                                 err)) != DID_OK)
            return rc;
    } else if ((entry = envelope(cred->payload, cred->payload_len)) == NULL) {
        return wl_nomem(err);
    }
    if ((vp = vp_new(wl_str(kmeta, "did"), entry)) == NULL) {
        rc = wl_nomem(err);
        goto out;
    }
    const char *kid = wl_str(kmeta, "kid");
    if (vpf == WALLET_VP_DI) {
        ck_key_type kt = ck_key_get_type(key);
        did_di_sign_opts so = {
            .suite = kt == CK_KEY_ED25519 ? DID_DI_EDDSA_JCS_2022 : DID_DI_ECDSA_JCS_2019,
            .verification_method = kid,
            .proof_purpose = "authentication",
            .created = now,
            .challenge = o->challenge,
            .domain = o->domain,
        };
        if (kt != CK_KEY_ED25519 && kt != CK_KEY_P256 && kt != CK_KEY_P384) {
            rc = did_err_set(err, WALLET_ERR_PRESENT,
                             "a %s key has no Data Integrity suite: present with --format jose",
                             ck_key_type_name(kt));
            goto out;
        }
        if ((rc = did_di_sign(key, vp, &so, &secured, err)) != DID_OK)
            goto out;
        char *text = json_dumps(secured, JSON_INDENT(2));
        if (text == NULL) {
            rc = wl_nomem(err);
            goto out;
        }
        rc = did_buf_append_str(pres, text) == DID_OK ? DID_OK : wl_nomem(err);
        free(text);
    } else {
        if (json_object_set_new(vp, "nonce", json_string(o->challenge)) != 0 ||
            json_object_set_new(vp, "aud", json_string(o->domain)) != 0 ||
            json_object_set_new(vp, "iat", json_integer((json_int_t)now)) != 0) {
            rc = wl_nomem(err);
            goto out;
        }
        rc = did_vcjose_sign(key, kid, vp, pres, err);
    }
out:
    json_decref(vp); /* owns entry (json_pack's "o" takes it over, on failure too) */
    json_decref(secured);
    return rc;
}

/* The consent log entry for one presentation. */
static int log_entry(wallet *w, MDB_txn *txn, const char *cred_id, const wl_rec *cred,
                     const char *pformat, const json_t *kmeta, const char *key_id,
                     const wallet_present_opts *o, const json_t *seen, int64_t now, did_err *err)
{
    char hid[WALLET_ID_MAX];
    int whole = strcmp(pformat, "sd-jwt") != 0;
    json_t *disclosed = json_array(), *claims = json_array();
    json_t *e =
        json_pack("{s:I, s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "time",
                  (json_int_t)now, "credential", cred_id, "issuer", wl_str(cred->meta, "issuer"),
                  "types", json_object_get(cred->meta, "types"), "format", pformat, "domain",
                  o->domain, "challenge", o->challenge, "holder", wl_str(kmeta, "did"), "key",
                  key_id, "whole", whole, "disclosed", disclosed, "claims", claims);
    int rc = DID_OK;
    if (e == NULL) {
        rc = wl_nomem(err);
        goto out;
    }
    for (size_t i = 0; !whole && o->disclose != NULL && o->disclose[i] != NULL; i++)
        if (json_array_append_new(disclosed, json_string(o->disclose[i])) != 0)
            rc = wl_nomem(err);
    const char *name;
    json_t *v;
    if (!whole)
        json_object_foreach((json_t *)seen, name, v)
        {
            (void)v;
            if (json_array_append_new(claims, json_string(name)) != 0)
                rc = wl_nomem(err);
        }
    if (rc != DID_OK)
        goto out;
    if ((rc = wl_check_room(w, txn, WALLET_KIND_HISTORY, 1, err)) != DID_OK ||
        (rc = wl_next_history_id(w, txn, hid, err)) != DID_OK)
        goto out;
    rc = wl_put_rec(w, txn, WALLET_KIND_HISTORY, hid, NULL, 0, e, NULL, 0, err);
out:
    json_decref(e);
    return rc;
}

int wallet_present(wallet *w, const char *id, const wallet_present_opts *o, did_buf *out,
                   did_err *err)
{
    MDB_txn *txn = NULL;
    wl_rec cred, krec;
    ck_key *key = NULL;
    did_buf pres;
    did_result r;
    did_err ve;
    char key_id[WALLET_ID_MAX] = "";
    size_t n_disclose = 0;
    int rc;
    if (w == NULL || o == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "wallet_present: NULL argument");
    if ((rc = check_text("challenge", o->challenge, err)) != DID_OK ||
        (rc = check_text("domain", o->domain, err)) != DID_OK)
        return rc;
    for (; o->disclose != NULL && o->disclose[n_disclose] != NULL; n_disclose++) {
        if (n_disclose == WALLET_MAX_DISCLOSE)
            return did_err_set(err, DID_ERR_LIMIT, "at most %d paths to disclose",
                               WALLET_MAX_DISCLOSE);
        if ((rc = check_text("path", o->disclose[n_disclose], err)) != DID_OK)
            return rc;
    }
    if (o->format != WALLET_VP_AUTO && o->format != WALLET_VP_DI && o->format != WALLET_VP_JOSE)
        return did_err_set(err, DID_ERR_ARG, "unknown presentation format %d", (int)o->format);
    const did_ctx *ctx = o->ctx != NULL ? o->ctx : w->ctx;
    int64_t now = o->now != 0 ? o->now : did_time_now();
    wl_rec_init(&cred);
    wl_rec_init(&krec);
    did_buf_init(&pres);
    did_result_init(&r);

    if ((rc = wl_txn_begin(w, 1, &txn, err)) != DID_OK)
        goto out;
    if ((rc = wl_get(w, txn, WALLET_KIND_CREDENTIAL, id, &cred, err)) != DID_OK)
        goto out;
    const char *format = wl_str(cred.meta, "format"), *pformat;
    if (strcmp(format, "sd-jwt") == 0) {
        const char *bound = wl_str(cred.meta, "holderKey");
        if (o->format != WALLET_VP_AUTO) {
            rc = did_err_set(err, WALLET_ERR_PRESENT,
                             "an SD-JWT VC is presented as SD-JWT with key binding; --format is "
                             "for Data Integrity and vc+jwt credentials");
            goto out;
        }
        if (bound[0] == '\0') {
            rc = did_err_set(err, WALLET_ERR_HOLDER_KEY,
                             "%s has no holder binding (cnf): it cannot be presented with key "
                             "binding",
                             id);
            goto out;
        }
        if (o->key_id != NULL && strcmp(o->key_id, bound) != 0) {
            rc = did_err_set(err, WALLET_ERR_HOLDER_KEY,
                             "%s is bound to key %s; it cannot be presented with another", id,
                             bound);
            goto out;
        }
        memcpy(key_id, bound, strlen(bound) + 1);
        if ((rc = wl_key_load(w, txn, key_id, &key, &krec, err)) != DID_OK)
            goto out;
        if ((rc = did_sdjwt_present((const char *)cred.payload, cred.payload_len, o->disclose, key,
                                    o->challenge, o->domain, now, &pres, err)) != DID_OK)
            goto out;
        pformat = "sd-jwt";
    } else {
        int is_di = strncmp(format, "di-", 3) == 0;
        wallet_vp_format vpf = o->format;
        if (n_disclose > 0) {
            rc = did_err_set(err, WALLET_ERR_PRESENT,
                             "only an SD-JWT VC discloses selectively; this %s credential is "
                             "presented whole",
                             format);
            goto out;
        }
        if (vpf == WALLET_VP_AUTO)
            vpf = is_di ? WALLET_VP_DI : WALLET_VP_JOSE;
        if (is_di && vpf == WALLET_VP_JOSE) {
            rc = did_err_set(err, WALLET_ERR_PRESENT,
                             "a vp+jwt carries only enveloped vc+jwt credentials: present a Data "
                             "Integrity credential with --format di");
            goto out;
        }
        if ((rc = pick_key(w, txn, o, cred.meta, key_id, err)) != DID_OK ||
            (rc = wl_key_load(w, txn, key_id, &key, &krec, err)) != DID_OK)
            goto out;
        if ((rc = present_vp(ctx, &cred, vpf, key, krec.meta, o, now, &pres, err)) != DID_OK)
            goto out;
        pformat = vpf == WALLET_VP_DI ? "di" : "vp-jwt";
    }

    /* What leaves the wallet must verify for this verifier. */
    did_verify_opts vo = {.now = now, .challenge = o->challenge, .domain = o->domain};
    if (did_verify(ctx, pres.data, pres.len, &vo, &r, &ve) != DID_OK) {
        rc = did_err_set(err, WALLET_ERR_UNVERIFIED, "the presentation does not verify: %s (%s)",
                         ve.msg, wallet_err_name(ve.code));
        goto out;
    }
    if ((rc = log_entry(w, txn, id, &cred, pformat, krec.meta, key_id, o, r.document, now, err)) !=
        DID_OK)
        goto out;
    /* Room for the result first: once committed, the presentation must reach the caller. */
    if (did_buf_reserve(out, pres.len + 1) != DID_OK) {
        rc = wl_nomem(err);
        goto out;
    }
    rc = wl_txn_commit(txn, err);
    txn = NULL;
    if (rc == DID_OK)
        (void)did_buf_append(out, pres.data, pres.len);
out:
    if (txn != NULL)
        mdb_txn_abort(txn);
    ck_key_free(key);
    wl_rec_clear(&cred);
    wl_rec_clear(&krec);
    did_buf_clear(&pres);
    did_result_clear(&r);
    return rc;
}
