/* Decoding the bodies of POST /credentials/verify and POST /presentations/verify (VC-API). */
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/verify.h>

#include <verifier/verifier.h>

/* A challenge or domain: non-empty, bounded, no control characters. */
static int option_text(const json_t *opts, const char *name, const char **out, did_err *err)
{
    const char *s;
    size_t len;
    int rc = did_json_get_str(opts, name, 0, &s, &len, err);
    if (rc != DID_OK)
        return did_err_set(err, DID_ERR_JSON_TYPE, "options.%s must be a string", name);
    if (s == NULL)
        return DID_OK;
    if (len == 0 || len > VERIFIER_OPTION_MAX)
        return did_err_set(err, DID_ERR_JSON_TYPE, "options.%s must be 1..%d bytes", name,
                           VERIFIER_OPTION_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return did_err_set(err, DID_ERR_JSON_TYPE, "options.%s has a control character at %zu",
                               name, i);
    *out = s;
    return DID_OK;
}

int verifier_request_decode(const json_t *body, verifier_kind kind, verifier_request *out,
                            did_err *err)
{
    if (out == NULL || (kind != VERIFIER_CREDENTIAL && kind != VERIFIER_PRESENTATION))
        return did_err_set(err, DID_ERR_ARG, "verifier_request_decode: bad argument");
    memset(out, 0, sizeof *out);
    out->kind = kind;
    const char *doc_name =
        kind == VERIFIER_CREDENTIAL ? "verifiableCredential" : "verifiablePresentation";
    const char *return_name =
        kind == VERIFIER_CREDENTIAL ? "returnCredential" : "returnPresentation";
    if (!json_is_object(body))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "the request body must be a JSON object with "
                           "\"%s\"",
                           doc_name);
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)body, key, val)
    {
        if (strcmp(key, doc_name) != 0 && strcmp(key, "options") != 0)
            return did_err_set(err, DID_ERR_JSON_TYPE,
                               "unknown member \"%.64s\" (expected "
                               "\"%s\" and \"options\")",
                               key, doc_name);
    }
    const json_t *doc = json_object_get(body, doc_name);
    if (doc == NULL)
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"%s\" is required", doc_name);
    if (json_is_object(doc)) {
        out->object = doc;
    } else if (json_is_string(doc) && json_string_length(doc) > 0) {
        out->text = json_string_value(doc);
        out->text_len = json_string_length(doc);
    } else {
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "\"%s\" must be a JSON object (Data Integrity, or an enveloped "
                           "credential) or a non-empty string (a JWT or an SD-JWT)",
                           doc_name);
    }
    const json_t *opts = json_object_get(body, "options");
    if (opts == NULL)
        return DID_OK;
    if (!json_is_object(opts))
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"options\" must be an object");
    json_object_foreach((json_t *)opts, key, val)
    {
        int known = strcmp(key, return_name) == 0 ||
                    (kind == VERIFIER_PRESENTATION &&
                     (strcmp(key, "challenge") == 0 || strcmp(key, "domain") == 0));
        if (!known)
            return did_err_set(err, DID_ERR_JSON_TYPE, "unknown option \"%.64s\"", key);
    }
    const json_t *ret = json_object_get(opts, return_name);
    if (ret != NULL) {
        if (!json_is_boolean(ret))
            return did_err_set(err, DID_ERR_JSON_TYPE, "options.%s must be true or false",
                               return_name);
        out->return_document = json_is_true(ret);
    }
    int rc = option_text(opts, "challenge", &out->challenge, err);
    if (rc == DID_OK)
        rc = option_text(opts, "domain", &out->domain, err);
    return rc;
}

int verifier_request_parse(const uint8_t *body, size_t len, verifier_kind kind, json_t **root,
                           verifier_request *out, did_err *err)
{
    *root = NULL;
    int rc = did_json_parse(body, len, NULL, root, err);
    if (rc == DID_OK)
        rc = verifier_request_decode(*root, kind, out, err);
    if (rc != DID_OK) {
        json_decref(*root);
        *root = NULL;
    }
    return rc;
}

int verifier_request_verify(const did_ctx *ctx, const verifier_request *req,
                            const did_verify_opts *opts, did_result *r, did_err *err)
{
    if (req->text != NULL)
        return did_verify(ctx, (const uint8_t *)req->text, req->text_len, opts, r, err);
    if (req->object == NULL)
        return did_err_set(err, DID_ERR_ARG, "the request holds no document");
    return did_verify_json(ctx, req->object, opts, r, err);
}
