/* The issuer trust policy: the issuers of a verified credential or presentation against the
 * configured trustedIssuers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck/ck.h>
#include <did/json.h>
#include <did/vc.h>
#include <did/verify.h>

#include <verifier/verifier.h>

static int trusted(const verifier_config *c, const char *id, size_t len)
{
    for (size_t i = 0; i < c->n_trusted; i++)
        if (strlen(c->trusted[i]) == len && memcmp(c->trusted[i], id, len) == 0)
            return 1;
    return 0;
}

static void judge(const verifier_config *c, did_result *r, const char *where, const char *id,
                  size_t len)
{
    if (trusted(c, id, len))
        return;
    int shown = (int)(len > 200 ? 200 : len);
    if (c->unknown_issuer == VERIFIER_UNKNOWN_ISSUER_ERROR) {
        did_err e;
        did_err_set(&e, DID_ERR_VC_ISSUER_UNTRUSTED, "%s%sissuer %.*s is not a trusted issuer",
                    where, where[0] != '\0' ? ": " : "", shown, id);
        did_result_fail(r, VERIFIER_CHECK_TRUST, &e);
    } else {
        did_result_warn(r, VERIFIER_CHECK_TRUST, DID_ERR_VC_ISSUER_UNTRUSTED,
                        "%s%sissuer %.*s is not a trusted issuer", where,
                        where[0] != '\0' ? ": " : "", shown, id);
    }
}

/* The issuer of an already verified compact JWS or SD-JWT (its issuer-signed part): the
 * payload's "issuer" (a VC-JOSE credential) or "iss" (SD-JWT VC). */
static void judge_token(const verifier_config *c, did_result *r, const char *where, const char *tok,
                        size_t len)
{
    const char *tilde = memchr(tok, '~', len);
    if (tilde != NULL)
        len = (size_t)(tilde - tok);
    const char *d1 = memchr(tok, '.', len);
    const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
    json_t *claims = NULL;
    uint8_t *buf = NULL;
    if (d2 != NULL) {
        size_t plen = (size_t)(d2 - d1 - 1), n = 0;
        buf = malloc(plen + 1);
        if (buf != NULL && ck_b64url_decode(d1 + 1, plen, buf, plen + 1, &n, NULL) == CK_OK)
            (void)did_json_parse(buf, n, NULL, &claims, NULL);
    }
    const char *id = NULL;
    size_t id_len = 0;
    if (claims != NULL && did_vc_issuer_id(claims, &id, &id_len, NULL) != DID_OK) {
        const json_t *iss = json_object_get(claims, "iss");
        id = json_string_value(iss);
        id_len = json_string_length(iss);
    }
    if (id != NULL)
        judge(c, r, where, id, id_len);
    else
        did_result_warn(r, VERIFIER_CHECK_TRUST, DID_ERR_VC_ISSUER,
                        "%s: the issuer could not be read, so it was not checked", where);
    json_decref(claims);
    free(buf);
}

void verifier_trust_check(const verifier_config *c, did_result *r)
{
    const json_t *doc = r->document;
    if (doc == NULL)
        return;
    did_result_check(r, VERIFIER_CHECK_TRUST);
    const char *id;
    size_t len;
    if (did_vc_has_type(doc, "VerifiablePresentation")) {
        size_t n = did_vp_credential_count(doc);
        for (size_t i = 0; i < n; i++) {
            char where[48];
            did_vp_entry ent;
            snprintf(where, sizeof where, "verifiableCredential[%zu]", i);
            if (did_vp_credential_get(doc, i, &ent, NULL) != DID_OK)
                continue; /* did_verify already failed such an entry */
            if (ent.kind == DID_VP_ENTRY_EMBEDDED) {
                if (did_vc_issuer_id(ent.obj, &id, &len, NULL) == DID_OK && id != NULL)
                    judge(c, r, where, id, len);
            } else if (!ent.base64) {
                judge_token(c, r, where, ent.data, ent.data_len);
            } else {
                did_result_warn(r, VERIFIER_CHECK_TRUST, DID_ERR_VC_FORMAT,
                                "%s: base64 envelope: the issuer was not checked", where);
            }
        }
        return;
    }
    if (strcmp(r->format, "sd-jwt") == 0) {
        const json_t *iss = json_object_get(doc, "iss");
        if (json_is_string(iss))
            judge(c, r, "", json_string_value(iss), json_string_length(iss));
        else
            did_result_warn(r, VERIFIER_CHECK_TRUST, DID_ERR_VC_ISSUER,
                            "the SD-JWT has no \"iss\": the issuer was not checked");
        return;
    }
    if (did_vc_issuer_id(doc, &id, &len, NULL) == DID_OK && id != NULL)
        judge(c, r, "", id, len);
}
