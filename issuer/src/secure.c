/* Securing a credential in one of the issued formats, and the DID helpers around it: shared by
 * `civid-issuer issue` (offline) and POST /credentials/issue. */
#include <string.h>

#include <did/did.h>
#include <did/sdjwt.h>
#include <did/vcjose.h>

#include <issuer/issuer.h>

static const struct {
    const char *name;
    issuer_format f;
} formats[] = {
    {"di-eddsa-jcs", ISSUER_FORMAT_DI_EDDSA_JCS},
    {"di-ecdsa-jcs", ISSUER_FORMAT_DI_ECDSA_JCS},
    {"vc-jwt", ISSUER_FORMAT_VC_JWT},
    {"sd-jwt", ISSUER_FORMAT_SD_JWT},
};

int issuer_format_from_name(const char *name, size_t len, issuer_format *out, did_err *err)
{
    for (size_t i = 0; name != NULL && i < sizeof formats / sizeof formats[0]; i++) {
        if (strlen(formats[i].name) == len && memcmp(formats[i].name, name, len) == 0) {
            *out = formats[i].f;
            return DID_OK;
        }
    }
    return did_err_set(err, ISSUER_ERR_FORMAT,
                       "unknown format (di-eddsa-jcs, di-ecdsa-jcs, vc-jwt or sd-jwt)");
}

const char *issuer_format_name(issuer_format f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].f == f)
            return formats[i].name;
    return NULL;
}

const char *issuer_err_name(int code)
{
    switch (code) {
#define N(c) \
    case c:  \
        return #c
        N(ISSUER_ERR_CREDENTIAL_UNKNOWN);
        N(ISSUER_ERR_CREDENTIAL_EXISTS);
        N(ISSUER_ERR_NO_STATUS);
        N(ISSUER_ERR_LIST_UNKNOWN);
        N(ISSUER_ERR_FORMAT);
        N(ISSUER_ERR_STORE);
        N(ISSUER_ERR_NO_TOKEN);
#undef N
    default:
        return ch_err_name(code);
    }
}

int issuer_key_did(const ck_key *key, int jwk, did_buf *out, did_err *err)
{
    return jwk ? did_jwk_from_key(key, out, err) : did_key_from_key(key, out, err);
}

int issuer_key_multibase(const ck_key *key, did_buf *out, did_err *err)
{
    did_buf d;
    did_buf_init(&d);
    int rc = did_key_from_key(key, &d, err);
    if (rc == DID_OK) {
        const char *colon = strrchr((const char *)d.data, ':');
        rc = colon == NULL ? did_err_set(err, DID_ERR_INTERNAL, "did:key without ':'")
                           : did_buf_append_str(out, colon + 1);
    }
    did_buf_clear(&d);
    return rc;
}

/* did:key uses the multibase key as fragment, did:jwk uses "#0" (their method specifications). */
int issuer_key_kid(const ck_key *key, int jwk, did_buf *out, did_err *err)
{
    int rc = issuer_key_did(key, jwk, out, err);
    if (rc != DID_OK)
        return rc;
    if (jwk)
        return did_buf_append_str(out, "#0");
    rc = did_buf_putc(out, '#');
    return rc != DID_OK ? rc : issuer_key_multibase(key, out, err);
}

int issuer_holder_vm(const char *holder, did_buf *out, did_err *err)
{
    did_url u;
    int rc = did_url_parse(holder, strlen(holder), &u, err);
    if (rc != DID_OK)
        return rc;
    rc = did_buf_append_str(out, holder);
    if (rc != DID_OK || u.has_fragment)
        return rc;
    if (u.method_len == 3 && memcmp(holder + u.method_off, "key", 3) == 0) {
        rc = did_buf_putc(out, '#');
        return rc != DID_OK ? rc : did_buf_append(out, holder + u.id_off, u.id_len);
    }
    if (u.method_len == 3 && memcmp(holder + u.method_off, "jwk", 3) == 0)
        return did_buf_append_str(out, "#0");
    return did_err_set(err, DID_ERR_DID_URL_SYNTAX,
                       "holder %.200s: give the verification method as a DID URL (with "
                       "#fragment)",
                       holder);
}

int issuer_set_issuer(json_t *doc, const char *name, const char *did, did_err *err)
{
    const json_t *v = json_object_get(doc, name);
    const char *have = NULL;
    if (v == NULL)
        return json_object_set_new(doc, name, json_string(did)) == 0
                   ? DID_OK
                   : did_err_set(err, DID_ERR_NOMEM, "out of memory");
    if (json_is_string(v))
        have = json_string_value(v);
    else if (json_is_object(v))
        have = json_string_value(json_object_get(v, "id"));
    if (have == NULL || strcmp(have, did) != 0)
        return did_err_set(err, DID_ERR_VC_ISSUER_KEY,
                           "the credential's \"%s\" is not %s, the DID of the signing key", name,
                           did);
    return DID_OK;
}

int issuer_secure(const ck_key *key, const issuer_secure_opts *o, const json_t *doc, json_t **obj,
                  did_buf *text, did_err *err)
{
    if (key == NULL || o == NULL || doc == NULL || o->kid == NULL)
        return did_err_set(err, DID_ERR_ARG, "issuer_secure: NULL argument");
    int has_sd = o->sd_paths != NULL && o->sd_paths[0] != NULL;
    if (o->format != ISSUER_FORMAT_SD_JWT && (has_sd || o->holder_key != NULL))
        return did_err_set(err, ISSUER_ERR_FORMAT,
                           "selectively disclosable paths and a holder are for sd-jwt");
    switch (o->format) {
    case ISSUER_FORMAT_DI_EDDSA_JCS:
    case ISSUER_FORMAT_DI_ECDSA_JCS: {
        did_di_sign_opts so = {.suite = o->format == ISSUER_FORMAT_DI_EDDSA_JCS
                                            ? DID_DI_EDDSA_JCS_2022
                                            : DID_DI_ECDSA_JCS_2019,
                               .verification_method = o->kid};
        return did_di_sign(key, doc, &so, obj, err);
    }
    case ISSUER_FORMAT_VC_JWT:
        return did_vcjose_sign(key, o->kid, doc, text, err);
    case ISSUER_FORMAT_SD_JWT: {
        did_sdjwt_issue_opts so = {
            .kid = o->kid, .paths = o->sd_paths, .holder_key = o->holder_key};
        return did_sdjwt_issue(key, &so, doc, text, err);
    }
    }
    return did_err_set(err, ISSUER_ERR_FORMAT, "unknown format");
}
