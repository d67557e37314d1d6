/* The issuer's configuration file (spec/issuer-config.md): strict JSON, every member optional,
 * unknown members refused. */
#include <stdio.h>
#include <string.h>

#include <did/io.h>
#include <did/json.h>
#include <did/status.h>
#include <did/vc.h>

#include <issuer/issuer.h>

void issuer_config_init(issuer_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "%s", "127.0.0.1:8081");
    snprintf(c->access_log, sizeof c->access_log, "%s", "-");
    snprintf(c->problem_type_base, sizeof c->problem_type_base, "%s", "urn:civid:error:");
    c->threads = 2;
    c->max_body = (size_t)1 << 20;
    c->max_connections = 256;
    c->max_connections_per_client = 32;
    c->connection_timeout = 30;
    c->shutdown_timeout = 10;
    c->map_size = (size_t)256 << 20;
    c->key_type = CK_KEY_ED25519;
    c->kdf = ck_kdf_params_moderate();
    c->default_format = ISSUER_FORMAT_DI_EDDSA_JCS;
    c->status_format = ISSUER_FORMAT_VC_JWT;
    c->status_max_age = 300;
    c->status_list_entries = DID_STATUS_MIN_ENTRIES;
}

int issuer_kdf_from_name(const char *name, ck_kdf_params *out, did_err *err)
{
    if (strcmp(name, "moderate") == 0)
        *out = ck_kdf_params_moderate();
    else if (strcmp(name, "interactive") == 0)
        *out = ck_kdf_params_interactive();
    else if (strcmp(name, "min") == 0)
        *out = ck_kdf_params_min();
    else
        return did_err_set(err, DID_ERR_ARG,
                           "kdf must be \"moderate\", \"interactive\" or \"min\"");
    return DID_OK;
}

static const char *const known_members[] = {
    "listen",
    "dataDir",
    "accessLog",
    "problemTypeBase",
    "threads",
    "maxBodyBytes",
    "maxConnections",
    "maxConnectionsPerClient",
    "connectionTimeout",
    "shutdownTimeout",
    "mapSize",
    "did",
    "baseUrl",
    "keyType",
    "kdf",
    "defaultFormat",
    "statusFormat",
    "statusMaxAge",
    "statusListEntries",
};

static int apply(issuer_config *c, const json_t *o, did_err *err)
{
    if (!json_is_object(o))
        return did_err_set(err, DID_ERR_JSON_TYPE, "the configuration must be a JSON object");
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)o, key, val)
    {
        size_t k = 0;
        while (k < sizeof known_members / sizeof known_members[0] &&
               strcmp(known_members[k], key) != 0)
            k++;
        if (k == sizeof known_members / sizeof known_members[0])
            return did_err_set(err, DID_ERR_JSON_TYPE, "unknown member \"%.64s\"", key);
    }
    int rc, present;
    int64_t v;
    const char *s = NULL;
    if ((rc = did_json_get_text(o, "listen", c->listen, sizeof c->listen, 0, NULL, err)) !=
            DID_OK ||
        (rc = did_json_get_text(o, "dataDir", c->data_dir, sizeof c->data_dir, 0, NULL, err)) !=
            DID_OK ||
        (rc = did_json_get_text(o, "accessLog", c->access_log, sizeof c->access_log, 1, NULL,
                                err)) != DID_OK ||
        (rc = did_json_get_text(o, "problemTypeBase", c->problem_type_base,
                                sizeof c->problem_type_base, 1, NULL, err)) != DID_OK ||
        (rc = did_json_get_text(o, "did", c->did, sizeof c->did, 1, NULL, err)) != DID_OK ||
        (rc = did_json_get_text(o, "baseUrl", c->base_url, sizeof c->base_url, 1, NULL, err)) !=
            DID_OK)
        return rc;
    size_t bl = strlen(c->base_url);
    if (bl > 0 && (!did_vc_is_url(c->base_url, bl, 0) || c->base_url[bl - 1] == '/' ||
                   strchr(c->base_url, '#') != NULL || strchr(c->base_url, '?') != NULL))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "\"baseUrl\" must be an absolute URL without a trailing '/', query "
                           "or fragment");
#define RANGE(name, lo, hi, field, type)                                                 \
    do {                                                                                 \
        if ((rc = did_json_get_int_range(o, name, lo, hi, &v, &present, err)) != DID_OK) \
            return rc;                                                                   \
        if (present)                                                                     \
            c->field = (type)v;                                                          \
    } while (0)
    RANGE("threads", 1, CH_MAX_THREADS, threads, unsigned);
    RANGE("maxBodyBytes", 1024, (int64_t)64 << 20, max_body, size_t);
    RANGE("maxConnections", 1, 65536, max_connections, unsigned);
    RANGE("maxConnectionsPerClient", 1, 65536, max_connections_per_client, unsigned);
    RANGE("connectionTimeout", 1, 3600, connection_timeout, unsigned);
    RANGE("shutdownTimeout", 0, 300, shutdown_timeout, unsigned);
    RANGE("mapSize", (int64_t)1 << 20, (int64_t)1 << 40, map_size, size_t);
    RANGE("statusMaxAge", 0, 86400, status_max_age, unsigned);
    RANGE("statusListEntries", (int64_t)DID_STATUS_MIN_ENTRIES, (int64_t)1 << 24,
          status_list_entries, size_t);
#undef RANGE
    if ((rc = did_json_get_text(o, "keyType", NULL, 32, 0, &s, err)) != DID_OK)
        return rc;
    if (s != NULL) {
        ck_err ce;
        if (ck_key_type_from_name(s, strlen(s), &c->key_type, &ce) != CK_OK ||
            c->key_type == CK_KEY_X25519)
            return did_err_set(err, DID_ERR_JSON_TYPE,
                               "\"keyType\" must be ed25519, p256, p384 or secp256k1");
    }
    s = NULL;
    if ((rc = did_json_get_text(o, "kdf", NULL, 32, 0, &s, err)) != DID_OK)
        return rc;
    if (s != NULL && issuer_kdf_from_name(s, &c->kdf, err) != DID_OK)
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "\"kdf\" must be \"moderate\", \"interactive\" or \"min\"");
    s = NULL;
    if ((rc = did_json_get_text(o, "defaultFormat", NULL, 32, 0, &s, err)) != DID_OK)
        return rc;
    if (s != NULL && issuer_format_from_name(s, strlen(s), &c->default_format, err) != DID_OK)
        return did_err_set(err, DID_ERR_JSON_TYPE, "\"defaultFormat\": unknown format");
    s = NULL;
    if ((rc = did_json_get_text(o, "statusFormat", NULL, 32, 0, &s, err)) != DID_OK)
        return rc;
    if (s != NULL && (issuer_format_from_name(s, strlen(s), &c->status_format, err) != DID_OK ||
                      c->status_format == ISSUER_FORMAT_SD_JWT))
        return did_err_set(err, DID_ERR_JSON_TYPE,
                           "\"statusFormat\" must be vc-jwt, di-eddsa-jcs or di-ecdsa-jcs");
    return DID_OK;
}

int issuer_config_apply(issuer_config *c, const uint8_t *json, size_t len, did_err *err)
{
    json_t *root = NULL;
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = ISSUER_CONFIG_MAX_BYTES;
    int rc = did_json_parse(json, len, &lim, &root, err);
    if (rc == DID_OK)
        rc = apply(c, root, err);
    json_decref(root);
    return rc;
}

int issuer_config_load(issuer_config *c, const char *path, did_err *err)
{
    json_t *root = NULL;
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = ISSUER_CONFIG_MAX_BYTES;
    int rc = did_json_read_file(path, &lim, &root, err);
    if (rc == DID_OK && (rc = apply(c, root, err)) != DID_OK)
        did_err_prefix(err, path);
    json_decref(root);
    return rc;
}
