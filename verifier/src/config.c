/* The verifier's configuration file (spec/verifier-config.md): strict JSON, every member
 * optional, unknown members refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/io.h>
#include <did/json.h>
#include <did/vc.h>

#include <verifier/verifier.h>

void verifier_config_init(verifier_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "%s", "127.0.0.1:8082");
    snprintf(c->access_log, sizeof c->access_log, "%s", "-");
    snprintf(c->problem_type_base, sizeof c->problem_type_base, "%s", "urn:civid:error:");
    c->threads = 2;
    c->max_body = (size_t)1 << 20;
    c->max_connections = 256;
    c->max_connections_per_client = 32;
    c->connection_timeout = 30;
    c->shutdown_timeout = 10;
    c->challenge_ttl = 300;
    c->max_challenges = 100000;
    c->require_challenge = 1;
    c->clock_skew = 60;
    c->map_size = (size_t)64 << 20;
    c->unknown_issuer = VERIFIER_UNKNOWN_ISSUER_WARN;
    c->did_web = 1;
    c->status_lists = 1;
    c->allow_http_loopback = 0;
    c->fetch_timeout_ms = 10000;
    c->fetch_cache_max_ttl = 86400;
}

void verifier_config_clear(verifier_config *c)
{
    for (size_t i = 0; i < c->n_trusted; i++)
        free(c->trusted[i]);
    for (size_t i = 0; i < c->n_contexts; i++)
        free(c->contexts[i]);
    verifier_config_init(c);
}

int verifier_config_add_trusted(verifier_config *c, const char *id, did_err *err)
{
    size_t len = strlen(id);
    if (!did_vc_is_url(id, len, 0))
        return did_err_set(err, DID_ERR_ARG,
                           "trusted issuer '%.80s' is not a URL (a DID, or "
                           "https://...)",
                           id);
    if (c->n_trusted == VERIFIER_MAX_TRUSTED)
        return did_err_set(err, DID_ERR_LIMIT, "more than %d trusted issuers",
                           VERIFIER_MAX_TRUSTED);
    char *copy = strdup(id);
    if (copy == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    c->trusted[c->n_trusted++] = copy;
    return DID_OK;
}

/* A list of URL strings into list[0..max), replacing what is there. */
static int get_urls(const json_t *o, const char *name, char **list, size_t *n, size_t max,
                    did_err *err)
{
    const json_t *a;
    int rc = did_json_get_arr(o, name, 0, &a, err);
    if (rc != DID_OK || a == NULL)
        return rc;
    if (json_array_size(a) > max)
        return did_err_set(err, DID_ERR_LIMIT, "\"%s\" has more than %zu entries", name, max);
    for (size_t i = 0; i < *n; i++) {
        free(list[i]);
        list[i] = NULL;
    }
    *n = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || !did_vc_is_url(s, json_string_length(v), 0))
            return did_err_set(err, DID_ERR_JSON_TYPE, "\"%s\"[%zu] must be a URL string", name, i);
        for (size_t k = 0; k < *n; k++)
            if (strcmp(list[k], s) == 0)
                return did_err_set(err, DID_ERR_JSON_TYPE, "\"%s\"[%zu] is listed twice", name, i);
        if ((list[*n] = strdup(s)) == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "out of memory");
        (*n)++;
    }
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
    "challengeTtl",
    "maxChallenges",
    "requireChallenge",
    "clockSkew",
    "mapSize",
    "trustedIssuers",
    "unknownIssuer",
    "knownContexts",
    "didWeb",
    "statusLists",
    "allowHttpLoopback",
    "fetchTimeoutMs",
    "fetchCacheMaxTtl",
};

static int apply(verifier_config *c, const json_t *o, did_err *err)
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
    int rc = DID_OK, present;
    int64_t v;
    if ((rc = did_json_get_text(o, "listen", c->listen, sizeof c->listen, 0, NULL, err)) !=
            DID_OK ||
        (rc = did_json_get_text(o, "dataDir", c->data_dir, sizeof c->data_dir, 0, NULL, err)) !=
            DID_OK ||
        (rc = did_json_get_text(o, "accessLog", c->access_log, sizeof c->access_log, 1, NULL,
                                err)) != DID_OK ||
        (rc = did_json_get_text(o, "problemTypeBase", c->problem_type_base,
                                sizeof c->problem_type_base, 1, NULL, err)) != DID_OK)
        return rc;
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
    RANGE("challengeTtl", 1, 86400, challenge_ttl, int64_t);
    RANGE("maxChallenges", 1, 10000000, max_challenges, size_t);
    RANGE("clockSkew", 0, DID_VC_MAX_SKEW, clock_skew, int64_t);
    RANGE("mapSize", (int64_t)1 << 20, (int64_t)1 << 40, map_size, size_t);
    RANGE("fetchTimeoutMs", 1, 600000, fetch_timeout_ms, long);
    RANGE("fetchCacheMaxTtl", 0, 86400, fetch_cache_max_ttl, int64_t);
#undef RANGE
    if ((rc = did_json_get_bool(o, "requireChallenge", &c->require_challenge, err)) != DID_OK ||
        (rc = did_json_get_bool(o, "didWeb", &c->did_web, err)) != DID_OK ||
        (rc = did_json_get_bool(o, "statusLists", &c->status_lists, err)) != DID_OK ||
        (rc = did_json_get_bool(o, "allowHttpLoopback", &c->allow_http_loopback, err)) != DID_OK)
        return rc;
    const char *ui;
    size_t ui_len;
    if ((rc = did_json_get_str(o, "unknownIssuer", 0, &ui, &ui_len, err)) != DID_OK)
        return rc;
    if (ui != NULL) {
        if (strcmp(ui, "warn") == 0)
            c->unknown_issuer = VERIFIER_UNKNOWN_ISSUER_WARN;
        else if (strcmp(ui, "error") == 0)
            c->unknown_issuer = VERIFIER_UNKNOWN_ISSUER_ERROR;
        else
            return did_err_set(err, DID_ERR_JSON_TYPE,
                               "\"unknownIssuer\" must be \"warn\" or \"error\"");
    }
    if ((rc = get_urls(o, "trustedIssuers", c->trusted, &c->n_trusted, VERIFIER_MAX_TRUSTED,
                       err)) != DID_OK)
        return rc;
    rc = get_urls(o, "knownContexts", c->contexts, &c->n_contexts, VERIFIER_MAX_CONTEXTS, err);
    c->contexts[c->n_contexts] = NULL;
    return rc;
}

int verifier_config_apply(verifier_config *c, const uint8_t *json, size_t len, did_err *err)
{
    json_t *root = NULL;
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = VERIFIER_CONFIG_MAX_BYTES;
    int rc = did_json_parse(json, len, &lim, &root, err);
    if (rc == DID_OK)
        rc = apply(c, root, err);
    json_decref(root);
    return rc;
}

int verifier_config_load(verifier_config *c, const char *path, did_err *err)
{
    json_t *root = NULL;
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = VERIFIER_CONFIG_MAX_BYTES;
    int rc = did_json_read_file(path, &lim, &root, err);
    if (rc == DID_OK && (rc = apply(c, root, err)) != DID_OK)
        did_err_prefix(err, path);
    json_decref(root);
    return rc;
}
