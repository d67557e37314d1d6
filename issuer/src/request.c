/* Decoding the bodies of POST /credentials/issue and POST /credentials/status (VC-API). Both
 * refuse unknown members, so a misspelt option is never silently ignored. */
#include <string.h>

#include <did/json.h>
#include <did/status.h>

#include <issuer/issuer.h>

static int only_members(const json_t *o, const char *what, const char *const *names, did_err *err)
{
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)o, key, val)
    {
        size_t i = 0;
        while (names[i] != NULL && strcmp(names[i], key) != 0)
            i++;
        if (names[i] == NULL)
            return did_err_set(err, DID_ERR_JSON_TYPE, "unknown member \"%.64s\" in %s", key, what);
    }
    return DID_OK;
}

static int purpose_bit(const json_t *v, unsigned *bits, did_err *err)
{
    const char *p = json_string_value(v);
    if (p != NULL && strcmp(p, DID_STATUS_REVOCATION) == 0)
        *bits |= ISSUER_STATUS_REVOCATION;
    else if (p != NULL && strcmp(p, DID_STATUS_SUSPENSION) == 0)
        *bits |= ISSUER_STATUS_SUSPENSION;
    else
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "options.status.purpose must be \"revocation\" or \"suspension\"");
    return DID_OK;
}

static int decode_status(const json_t *st, unsigned *bits, did_err *err)
{
    static const char *const names[] = {"purpose", NULL};
    *bits = 0;
    if (json_is_boolean(st)) {
        *bits = json_is_true(st) ? ISSUER_STATUS_REVOCATION : 0;
        return DID_OK;
    }
    if (!json_is_object(st))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "options.status must be true, false or {\"purpose\": ...}");
    int rc = only_members(st, "options.status", names, err);
    if (rc != DID_OK)
        return rc;
    const json_t *p = json_object_get(st, "purpose");
    if (p == NULL)
        return did_err_set(err, DID_ERR_JSON_TYPE, "options.status.purpose is required");
    if (!json_is_array(p))
        return purpose_bit(p, bits, err);
    if (json_array_size(p) == 0 || json_array_size(p) > 2)
        return did_err_set(err, DID_ERR_JSON_TYPE, "options.status.purpose: one or two purposes");
    size_t i;
    const json_t *v;
    json_array_foreach(p, i, v)
    {
        if ((rc = purpose_bit(v, bits, err)) != DID_OK)
            return rc;
    }
    return DID_OK;
}

int issuer_issue_request_decode(const json_t *body, issuer_format default_format,
                                issuer_issue_request *out, did_err *err)
{
    static const char *const top[] = {"credential", "options", NULL};
    static const char *const opt_names[] = {"format", "sd", "holder", "status", NULL};
    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "issuer_issue_request_decode: NULL argument");
    memset(out, 0, sizeof *out);
    out->format = default_format;
    if (!json_is_object(body))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "the request body must be a JSON object with \"credential\"");
    int rc = only_members(body, "the request", top, err);
    if (rc != DID_OK)
        return rc;
    out->credential = json_object_get(body, "credential");
    if (!json_is_object(out->credential))
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"credential\" must be a JSON object");
    const json_t *opts = json_object_get(body, "options");
    if (opts == NULL)
        return DID_OK;
    if (!json_is_object(opts))
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"options\" must be an object");
    if ((rc = only_members(opts, "options", opt_names, err)) != DID_OK)
        return rc;
    const json_t *f = json_object_get(opts, "format");
    if (f != NULL) {
        if (!json_is_string(f))
            return did_err_set(err, DID_ERR_JSON_TYPE, "options.format must be a string");
        if ((rc = issuer_format_from_name(json_string_value(f), json_string_length(f), &out->format,
                                          err)) != DID_OK)
            return rc;
    }
    int is_sd = out->format == ISSUER_FORMAT_SD_JWT;
    const json_t *sd = json_object_get(opts, "sd");
    if (sd != NULL) {
        if (!is_sd)
            return did_err_set(err, ISSUER_ERR_FORMAT, "options.sd is for the sd-jwt format");
        if (!json_is_array(sd))
            return did_err_set(err, DID_ERR_JSON_TYPE, "options.sd must be an array of strings");
        if (json_array_size(sd) > ISSUER_MAX_SD_PATHS)
            return did_err_set(err, DID_ERR_LIMIT, "options.sd: more than %d paths",
                               ISSUER_MAX_SD_PATHS);
        size_t i;
        const json_t *v;
        json_array_foreach(sd, i, v)
        {
            const char *s = json_string_value(v);
            if (s == NULL || s[0] != '/' || strlen(s) != json_string_length(v))
                return did_err_set(err, DID_ERR_JSON_TYPE,
                                   "options.sd[%zu] must be a JSON Pointer (\"/name\")", i);
            out->sd[out->n_sd++] = s;
        }
    }
    out->sd[out->n_sd] = NULL;
    const json_t *h = json_object_get(opts, "holder");
    if (h != NULL) {
        if (!is_sd)
            return did_err_set(err, ISSUER_ERR_FORMAT, "options.holder is for the sd-jwt format");
        const char *s = json_string_value(h);
        if (s == NULL || json_string_length(h) == 0 || json_string_length(h) > ISSUER_ID_MAX ||
            strlen(s) != json_string_length(h))
            return did_err_set(err, DID_ERR_JSON_TYPE, "options.holder must be a DID");
        out->holder = s;
    }
    const json_t *st = json_object_get(opts, "status");
    if (st != NULL) {
        if ((rc = decode_status(st, &out->status, err)) != DID_OK)
            return rc;
        if (is_sd && out->status != 0)
            return did_err_set(err, ISSUER_ERR_FORMAT,
                               "options.status: status list entries are for the VC formats, "
                               "not sd-jwt");
    }
    return DID_OK;
}

static int credential_id(const json_t *body, issuer_status_request *out, did_err *err)
{
    const json_t *id = json_object_get(body, "credentialId");
    const char *s = json_string_value(id);
    if (s == NULL || json_string_length(id) == 0 || json_string_length(id) > ISSUER_ID_MAX ||
        strlen(s) != json_string_length(id))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "\"credentialId\" must be a non-empty string of at most %d bytes",
                           ISSUER_ID_MAX);
    out->credential_id = s;
    out->id_len = json_string_length(id);
    return DID_OK;
}

int issuer_status_request_decode(const json_t *body, issuer_status_request *out, did_err *err)
{
    static const char *const top[] = {"credentialId", "credentialStatus", "action", NULL};
    static const char *const entry_names[] = {"type", "status", NULL};
    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "issuer_status_request_decode: NULL argument");
    memset(out, 0, sizeof *out);
    if (!json_is_object(body))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "the request body must be a JSON object with \"credentialId\"");
    int rc = only_members(body, "the request", top, err);
    if (rc == DID_OK)
        rc = credential_id(body, out, err);
    if (rc != DID_OK)
        return rc;
    const json_t *cs = json_object_get(body, "credentialStatus");
    const json_t *action = json_object_get(body, "action");
    const char *what;
    if ((cs == NULL) == (action == NULL))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "give either \"credentialStatus\" or \"action\"");
    if (action != NULL) {
        what = json_string_value(action);
        if (what == NULL)
            return did_err_set(err, DID_ERR_JSON_TYPE, "\"action\" must be a string");
        out->action = strcmp(what, "revoke") == 0      ? ISSUER_REVOKE
                      : strcmp(what, "suspend") == 0   ? ISSUER_SUSPEND
                      : strcmp(what, "unsuspend") == 0 ? ISSUER_UNSUSPEND
                                                       : 0;
        if (out->action == 0)
            return did_err_set(err, DID_ERR_JSON_TYPE,
                               "\"action\" must be \"revoke\", \"suspend\" or \"unsuspend\"");
        return DID_OK;
    }
    if (!json_is_array(cs) || json_array_size(cs) != 1 || !json_is_object(json_array_get(cs, 0)))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "\"credentialStatus\" must be an array of one object");
    const json_t *e = json_array_get(cs, 0);
    if ((rc = only_members(e, "credentialStatus[0]", entry_names, err)) != DID_OK)
        return rc;
    const char *type = json_string_value(json_object_get(e, "type"));
    if (type == NULL || strcmp(type, "BitstringStatusListEntry") != 0)
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "credentialStatus[0].type must be \"BitstringStatusListEntry\"");
    what = json_string_value(json_object_get(e, "status"));
    out->action = what == NULL                       ? 0
                  : strcmp(what, "revoked") == 0     ? ISSUER_REVOKE
                  : strcmp(what, "suspended") == 0   ? ISSUER_SUSPEND
                  : strcmp(what, "unsuspended") == 0 ? ISSUER_UNSUSPEND
                                                     : 0;
    if (out->action == 0)
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "credentialStatus[0].status must be \"revoked\", \"suspended\" or "
                           "\"unsuspended\"");
    return DID_OK;
}
