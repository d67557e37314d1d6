/* The civid-issuer HTTP service: VC-API issuance and status changes, status list credentials,
 * the issuer's did:web document. Handlers decode (request.c), call the store (store.c) and
 * libdid through secure.c, and shape the answer. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <did/did.h>
#include <did/json.h>
#include <did/status.h>
#include <did/time.h>
#include <did/vc.h>
#include <did/web.h>

#include <issuer/issuer.h>

struct issuer_service {
    issuer_config cfg;
    issuer_store *store;
    issuer_keyring kr;
    did_ctx *ctx;   /* did:key and did:jwk, to resolve sd-jwt holders */
    char *did;      /* the DID we issue as */
    char *kid;      /* the signing key's verification method */
    char *doc_path; /* did:web: the document's path; NULL without did:web */
    char *doc_text; /* did:web: the document, serialised once */
    ch_server *srv;
    FILE *access_log;
    int own_log;
    ch_metric *m_issued, *m_status;
};

/* ---------------------------------------------------------------------------------------------
 * Problems. The HTTP library names libdid, crypto and CH codes; ours are named here.
 */
static unsigned http_status(int code)
{
    switch (code) {
    case ISSUER_ERR_CREDENTIAL_UNKNOWN:
    case ISSUER_ERR_LIST_UNKNOWN:
    case CH_ERR_HTTP_NOT_FOUND:
        return 404;
    case ISSUER_ERR_CREDENTIAL_EXISTS:
    case ISSUER_ERR_NO_STATUS:
        return 409;
    case ISSUER_ERR_STORE:
    case DID_ERR_NOMEM:
    case DID_ERR_INTERNAL:
    case DID_ERR_IO:
    case DID_ERR_ARG:
        return 500;
    default:
        return 400;
    }
}

static int problem(const issuer_service *v, ch_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int problem(const issuer_service *v, ch_request *req, int code, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    unsigned status = http_status(code);
    if (status == 500)
        snprintf(detail, sizeof detail, "%s", "the issuer could not complete the request");
    if (code < ISSUER_ERR_CREDENTIAL_UNKNOWN || code > 1299)
        return ch_reply_problem(req, status, code, "%s", detail);
    char type[192];
    snprintf(type, sizeof type, "%s%s", v->cfg.problem_type_base, issuer_err_name(code));
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:i, s:s}", "type", type, "title",
                          status == 404   ? "Not Found"
                          : status == 409 ? "Conflict"
                                          : "Bad Request",
                          "status", (int)status, "detail", detail, "code", code, "name",
                          issuer_err_name(code));
    if (p == NULL)
        return DID_ERR_NOMEM;
    return ch_reply_json(req, status, "application/problem+json", p);
}

/* The prefix of status list URLs: baseUrl, else http:// and the bound address. */
static int base_url(const issuer_service *v, const ch_request *req, char *out, size_t cap)
{
    int n = v->cfg.base_url[0] != '\0'
                ? snprintf(out, cap, "%s", v->cfg.base_url)
                : snprintf(out, cap, "http://%s", ch_server_address(ch_request_server(req)));
    return n > 0 && (size_t)n < cap ? DID_OK : DID_ERR_LIMIT;
}

static int list_url(const issuer_service *v, const ch_request *req, uint32_t list, char *out,
                    size_t cap)
{
    char base[ISSUER_URL_MAX];
    if (base_url(v, req, base, sizeof base) != DID_OK)
        return DID_ERR_LIMIT;
    int n = snprintf(out, cap, "%s/status/%u", base, list);
    return n > 0 && (size_t)n < cap ? DID_OK : DID_ERR_LIMIT;
}

/* ---------------------------------------------------------------------------------------------
 * POST /credentials/issue
 */
typedef struct issue_job {
    issuer_service *v;
    ch_request *req;
    const issuer_issue_request *ir;
    json_t *doc; /* owned by the caller; credentialStatus added here */
    const ck_key *holder_key;
    json_t *obj;  /* result: a secured object ... */
    did_buf text; /* ... or a token */
} issue_job;

/* Inside the store's write transaction: add the entries assigned, then sign. */
static int issue_sign(void *user, const issuer_status_ref refs[2], did_err *err)
{
    issue_job *j = user;
    static const char *const purposes[2] = {DID_STATUS_REVOCATION, DID_STATUS_SUSPENSION};
    json_t *entries = json_array();
    if (entries == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    int rc = DID_OK;
    for (int i = 0; rc == DID_OK && i < 2; i++) {
        if (refs[i].list == 0)
            continue;
        char url[ISSUER_URL_MAX + 32];
        json_t *e = NULL;
        if (list_url(j->v, j->req, refs[i].list, url, sizeof url) != DID_OK)
            rc = did_err_set(err, DID_ERR_LIMIT, "status list URL too long");
        else if ((rc = did_status_entry(url, purposes[i], refs[i].index, &e, err)) == DID_OK &&
                 json_array_append_new(entries, e) != 0)
            rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
    }
    if (rc == DID_OK && json_array_size(entries) > 0) {
        json_t *cs = json_array_size(entries) == 1 ? json_incref(json_array_get(entries, 0))
                                                   : json_incref(entries);
        if (json_object_set_new(j->doc, "credentialStatus", cs) != 0)
            rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
    }
    json_decref(entries);
    if (rc != DID_OK)
        return rc;
    issuer_secure_opts so = {.format = j->ir->format,
                             .kid = j->v->kid,
                             .sd_paths = j->ir->n_sd > 0 ? j->ir->sd : NULL,
                             .holder_key = j->holder_key};
    return issuer_secure(j->v->kr.signing, &so, j->doc, &j->obj, &j->text, err);
}

/* A random urn:uuid (RFC 9562 version 4) for a credential that has no id and needs a record. */
static void new_uuid(char out[46])
{
    uint8_t b[16];
    ck_random(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 46,
             "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static int h_issue(void *user, ch_request *req)
{
    issuer_service *v = user;
    issuer_issue_request ir;
    did_err e;
    did_err_clear(&e);
    int rc = issuer_issue_request_decode(ch_request_json(req), v->cfg.default_format, &ir, &e);
    if (rc != DID_OK)
        return problem(v, req, rc, "%s", e.msg);
    issue_job j = {.v = v, .req = req, .ir = &ir};
    did_buf_init(&j.text);
    ck_key *holder_key = NULL;
    did_buf hvm;
    did_buf_init(&hvm);
    const char *id = NULL;
    int64_t now = did_time_now();
    if ((j.doc = json_deep_copy(ir.credential)) == NULL) {
        rc = did_err_set(&e, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (ir.format == ISSUER_FORMAT_SD_JWT) {
        if ((rc = issuer_set_issuer(j.doc, "iss", v->did, &e)) != DID_OK)
            goto out;
        if (json_object_get(j.doc, "iat") == NULL &&
            json_object_set_new(j.doc, "iat", json_integer((json_int_t)now)) != 0) {
            rc = did_err_set(&e, DID_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (ir.holder != NULL &&
            ((rc = issuer_holder_vm(ir.holder, &hvm, &e)) != DID_OK ||
             (rc = did_resolve_key(v->ctx, (const char *)hvm.data, hvm.len, DID_REL_AUTHENTICATION,
                                   &holder_key, NULL, &e)) != DID_OK))
            goto out;
        j.holder_key = holder_key;
    } else {
        if ((rc = issuer_set_issuer(j.doc, "issuer", v->did, &e)) != DID_OK)
            goto out;
        if (json_object_get(j.doc, "credentialStatus") != NULL && ir.status != 0) {
            rc = did_err_set(&e, DID_ERR_VC_STATUS,
                             "the credential has a credentialStatus already: leave it out "
                             "and ask for options.status");
            goto out;
        }
        const json_t *idv = json_object_get(j.doc, "id");
        if (idv == NULL && ir.status != 0) {
            char uuid[46];
            new_uuid(uuid);
            if (json_object_set_new(j.doc, "id", json_string(uuid)) != 0) {
                rc = did_err_set(&e, DID_ERR_NOMEM, "out of memory");
                goto out;
            }
        }
        /* The data model check, before anything is written or signed. */
        did_vc_check_opts co = {.now = now, .ignore_time = 1};
        if ((rc = did_vc_check(j.doc, &co, NULL, &e)) != DID_OK)
            goto out;
        id = json_string_value(json_object_get(j.doc, "id"));
        if (id != NULL && strlen(id) > ISSUER_ID_MAX) {
            rc = did_err_set(&e, DID_ERR_LIMIT, "the credential id is longer than %d bytes",
                             ISSUER_ID_MAX);
            goto out;
        }
    }
    rc = issuer_store_issue(v->store, id, id != NULL ? strlen(id) : 0, ir.status,
                            v->cfg.status_list_entries, now, issue_sign, &j, &e);
    if (rc != DID_OK)
        goto out;
    ch_metric_add(v->m_issued, 1);
    json_t *vc = j.obj != NULL ? j.obj : json_stringn((const char *)j.text.data, j.text.len);
    j.obj = NULL;
    json_t *body = vc != NULL ? json_pack("{s:o}", "verifiableCredential", vc) : NULL;
    if (body == NULL) {
        rc = DID_ERR_NOMEM;
        goto out;
    }
    rc = ch_reply_json(req, 201, NULL, body);
    json_decref(j.doc);
    did_buf_clear(&j.text);
    did_buf_clear(&hvm);
    ck_key_free(holder_key);
    return rc;
out:
    json_decref(j.doc);
    json_decref(j.obj);
    did_buf_clear(&j.text);
    did_buf_clear(&hvm);
    ck_key_free(holder_key);
    return problem(v, req, rc, "%s", e.msg);
}

/* ---------------------------------------------------------------------------------------------
 * POST /credentials/status
 */
static int h_status(void *user, ch_request *req)
{
    issuer_service *v = user;
    issuer_status_request sr;
    did_err e;
    did_err_clear(&e);
    int changed = 0;
    int rc = issuer_status_request_decode(ch_request_json(req), &sr, &e);
    if (rc == DID_OK)
        rc = issuer_store_set_status(v->store, sr.credential_id, sr.id_len, sr.action,
                                     did_time_now(), &changed, &e);
    if (rc != DID_OK)
        return problem(v, req, rc, "%s", e.msg);
    if (changed)
        ch_metric_add(v->m_status, 1);
    const char *status = sr.action == ISSUER_REVOKE    ? "revoked"
                         : sr.action == ISSUER_SUSPEND ? "suspended"
                                                       : "unsuspended";
    json_t *body = json_pack("{s:s%, s:s, s:b}", "credentialId", sr.credential_id, sr.id_len,
                             "status", status, "changed", changed);
    if (body == NULL)
        return DID_ERR_NOMEM;
    return ch_reply_json(req, 200, NULL, body);
}

/* ---------------------------------------------------------------------------------------------
 * GET /status/{list}
 */
static int h_list(void *user, ch_request *req)
{
    issuer_service *v = user;
    const char *p = ch_request_param(req, "list");
    uint32_t list = 0;
    did_err e;
    did_err_clear(&e);
    /* 1..4294967295 in decimal, no sign, no leading zero */
    size_t n = p != NULL ? strlen(p) : 0;
    int ok = n > 0 && n <= 10 && p[0] != '0';
    uint64_t acc = 0;
    for (size_t i = 0; ok && i < n; i++) {
        ok = p[i] >= '0' && p[i] <= '9';
        acc = acc * 10 + (uint64_t)(p[i] - '0');
    }
    if (!ok || acc > UINT32_MAX)
        return problem(v, req, ISSUER_ERR_LIST_UNKNOWN, "%s", "no such status list");
    list = (uint32_t)acc;
    did_status_list *sl = NULL;
    json_t *vc = NULL, *secured = NULL;
    did_buf text;
    did_buf_init(&text);
    const char *purpose = NULL;
    char url[ISSUER_URL_MAX + 32];
    int rc = issuer_store_get_list(v->store, list, &purpose, &sl, &e);
    if (rc == DID_OK && list_url(v, req, list, url, sizeof url) != DID_OK)
        rc = did_err_set(&e, DID_ERR_LIMIT, "status list URL too long");
    if (rc == DID_OK)
        rc = did_status_list_credential(sl, url, v->did, purpose, did_time_now(), &vc, &e);
    issuer_secure_opts so = {.format = v->cfg.status_format, .kid = v->kid};
    if (rc == DID_OK)
        rc = issuer_secure(v->kr.signing, &so, vc, &secured, &text, &e);
    did_status_list_free(sl);
    json_decref(vc);
    if (rc != DID_OK) {
        did_buf_clear(&text);
        json_decref(secured);
        return problem(v, req, rc, "%s", e.msg);
    }
    char cc[48];
    snprintf(cc, sizeof cc, "max-age=%u", v->cfg.status_max_age);
    (void)ch_reply_header(req, "Cache-Control", cc);
    if (secured != NULL) {
        did_buf_clear(&text);
        return ch_reply_json(req, 200, "application/vc", secured);
    }
    rc = ch_reply(req, 200, "application/vc+jwt", text.data, text.len);
    did_buf_clear(&text);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * GET /.well-known/did.json, GET /{path*}/did.json
 */
static int h_did(void *user, ch_request *req)
{
    issuer_service *v = user;
    if (v->doc_path == NULL || strcmp(ch_request_path(req), v->doc_path) != 0)
        return ch_reply_problem(req, 404, CH_ERR_HTTP_NOT_FOUND, "%s",
                                v->doc_path == NULL ? "this issuer has no did:web DID"
                                                    : "no DID document at this path");
    char cc[48];
    snprintf(cc, sizeof cc, "max-age=%u", v->cfg.status_max_age);
    (void)ch_reply_header(req, "Cache-Control", cc);
    return ch_reply(req, 200, "application/did+json", v->doc_text, strlen(v->doc_text));
}

/* ---------------------------------------------------------------------------------------------
 * Set-up.
 */
/* The document path of a did:web DID: "/.well-known/did.json" or "/a/b/did.json". */
static int did_web_setup(issuer_service *v, did_err *err)
{
    const char *did = v->cfg.did;
    did_buf url, path;
    did_buf_init(&url);
    did_buf_init(&path);
    int rc = did_web_url(did, strlen(did), DID_WEB_URL_HTTP_LOCALHOST, &url, err);
    if (rc != DID_OK) {
        did_err_prefix(err, "did");
        goto out;
    }
    const char *host = did + strlen("did:web:");
    const char *colon = strchr(host, ':');
    if (colon == NULL) {
        rc = did_buf_append_str(&path, "/.well-known/did.json");
    } else {
        for (const char *c = colon; rc == DID_OK && *c != '\0'; c++)
            rc = did_buf_putc(&path, *c == ':' ? '/' : *c);
        if (rc == DID_OK)
            rc = did_buf_append_str(&path, "/did.json");
    }
    if (rc == DID_OK && (v->doc_path = strdup((const char *)path.data)) == NULL)
        rc = DID_ERR_NOMEM;
    if (rc == DID_ERR_NOMEM)
        did_err_set(err, rc, "out of memory");
out:
    did_buf_clear(&url);
    did_buf_clear(&path);
    return rc;
}

/* The did:web document: every key (current and retired) as a Multikey verification method,
 * all of them for assertionMethod -- a retired key no longer signs, but what it signed stays
 * verifiable. */
static int did_doc_build(issuer_service *v, did_err *err)
{
    json_t *vms = json_array(), *am = json_array();
    json_t *doc = json_pack("{s:[s,s], s:s, s:o, s:o}", "@context", "https://www.w3.org/ns/did/v1",
                            "https://w3id.org/security/multikey/v1", "id", v->did,
                            "verificationMethod", vms, "assertionMethod", am);
    int rc = doc == NULL ? did_err_set(err, DID_ERR_NOMEM, "out of memory") : DID_OK;
    for (size_t i = 0; rc == DID_OK && i < v->kr.n; i++) {
        did_buf mb;
        did_buf_init(&mb);
        char vm[ISSUER_URL_MAX + 32];
        snprintf(vm, sizeof vm, "%s#key-%u", v->did, v->kr.ids[i]);
        rc = issuer_key_multibase(v->kr.pub[i], &mb, err);
        json_t *m = rc == DID_OK ? json_pack("{s:s, s:s, s:s, s:s}", "id", vm, "type", "Multikey",
                                             "controller", v->did, "publicKeyMultibase",
                                             (const char *)mb.data)
                                 : NULL;
        did_buf_clear(&mb);
        if (rc == DID_OK && (m == NULL || json_array_append_new(vms, m) != 0 ||
                             json_array_append_new(am, json_string(vm)) != 0))
            rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
    }
    if (rc == DID_OK && (v->doc_text = json_dumps(doc, JSON_COMPACT)) == NULL)
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
    if (rc == DID_OK)
        rc = did_doc_check(doc, v->did, strlen(v->did), err);
    json_decref(doc);
    return rc;
}

static int keys_setup(issuer_service *v, const issuer_secrets *s, did_err *err)
{
    int64_t n = issuer_store_key_count(v->store);
    ck_err ce;
    ck_key *k = NULL;
    int rc = DID_OK;
    if (n < 0)
        return did_err_set(err, ISSUER_ERR_STORE, "issuer store: cannot count the keys");
    if (n == 0 && s->import_key != NULL) {
        rc = issuer_store_add_key(v->store, s->import_key, s->passphrase, s->passphrase_len,
                                  v->cfg.kdf, NULL, err);
    } else if (n == 0 || s->rotate) {
        if (n > 0) {
            /* Rotation: prove the passphrase opens the current key before adding one. */
            rc = issuer_store_load_keys(v->store, s->passphrase, s->passphrase_len, &v->kr, err);
            issuer_keyring_clear(&v->kr);
        }
        if (rc == DID_OK && ck_key_generate(v->cfg.key_type, &k, &ce) != CK_OK)
            rc = did_err_from_ck(err, &ce);
        if (rc == DID_OK)
            rc = issuer_store_add_key(v->store, k, s->passphrase, s->passphrase_len, v->cfg.kdf,
                                      NULL, err);
        ck_key_free(k);
    }
    if (rc == DID_OK)
        rc = issuer_store_load_keys(v->store, s->passphrase, s->passphrase_len, &v->kr, err);
    return rc;
}

static int tokens_setup(issuer_service *v, const issuer_secrets *s, did_err *err)
{
    uint8_t d[ISSUER_MAX_TOKENS][32];
    size_t n = 0;
    int rc = DID_OK;
    if (s->token != NULL) {
        if (s->token_len == 0)
            return did_err_set(err, ISSUER_ERR_NO_TOKEN, "the admin token is empty");
        if (ck_sha256(s->token, s->token_len, d[0]) != CK_OK)
            return did_err_set(err, DID_ERR_INTERNAL, "SHA-256 failed");
        rc = issuer_store_set_tokens(v->store, (const uint8_t(*)[32])d, 1, err);
    }
    if (rc == DID_OK)
        rc = issuer_store_get_tokens(v->store, d, ISSUER_MAX_TOKENS, &n, err);
    if (rc == DID_OK && n == 0)
        rc = did_err_set(err, ISSUER_ERR_NO_TOKEN,
                         "no admin token: give one with --token-file FILE or "
                         "CIVID_ISSUER_TOKEN");
    for (size_t i = 0; rc == DID_OK && i < n; i++)
        rc = ch_server_add_token_sha256(v->srv, d[i], err);
    return rc;
}

static int identity_setup(issuer_service *v, did_err *err)
{
    did_buf b;
    did_buf_init(&b);
    int rc = DID_OK;
    if (v->cfg.did[0] != '\0') {
        if ((rc = did_web_setup(v, err)) != DID_OK)
            return rc;
        v->did = strdup(v->cfg.did);
        rc = did_buf_printf(&b, "%s#key-%u", v->cfg.did, v->kr.ids[v->kr.current]);
    } else {
        if ((rc = issuer_key_did(v->kr.signing, 0, &b, err)) == DID_OK)
            v->did = strdup((const char *)b.data);
        did_buf_reset(&b);
        if (rc == DID_OK)
            rc = issuer_key_kid(v->kr.signing, 0, &b, err);
    }
    if (rc == DID_OK && (v->did == NULL || (v->kid = strdup((const char *)b.data)) == NULL))
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
    did_buf_clear(&b);
    if (rc == DID_OK && v->doc_path != NULL)
        rc = did_doc_build(v, err);
    return rc;
}

static int open_log(issuer_service *v, did_err *err)
{
    const char *path = v->cfg.access_log;
    if (path[0] == '\0')
        return DID_OK;
    if (strcmp(path, "-") == 0) {
        v->access_log = stdout;
        return DID_OK;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || (v->access_log = fdopen(fd, "a")) == NULL) {
        if (fd >= 0)
            close(fd);
        return did_err_set(err, DID_ERR_IO, "access log %s: cannot open", path);
    }
    v->own_log = 1;
    return DID_OK;
}

static int64_t recorded(void *user)
{
    issuer_service *v = user;
    return issuer_store_record_count(v->store);
}

static int add_routes(issuer_service *v, did_err *err)
{
    const ch_route routes[] = {
        {.method = "POST",
         .pattern = "/credentials/issue",
         .flags = CH_ROUTE_AUTH | CH_ROUTE_JSON,
         .handler = h_issue,
         .user = v},
        {.method = "POST",
         .pattern = "/credentials/status",
         .flags = CH_ROUTE_AUTH | CH_ROUTE_JSON,
         .handler = h_status,
         .user = v},
        {.method = "GET", .pattern = "/status/{list}", .handler = h_list, .user = v},
        {.method = "GET",
         .pattern = "/.well-known/did.json",
         .metric_name = "/did.json",
         .handler = h_did,
         .user = v},
        {.method = "GET",
         .pattern = "/{path*}/did.json",
         .metric_name = "/did.json",
         .handler = h_did,
         .user = v},
    };
    int rc = DID_OK;
    for (size_t i = 0; rc == DID_OK && i < sizeof routes / sizeof routes[0]; i++)
        rc = ch_server_route(v->srv, &routes[i], err);
    if (rc == DID_OK)
        rc = ch_server_add_metric(v->srv, CH_COUNTER, "civid_issuer_issued_total",
                                  "Credentials issued.", &v->m_issued, err);
    if (rc == DID_OK)
        rc = ch_server_add_metric(v->srv, CH_COUNTER, "civid_issuer_status_changes_total",
                                  "Status list bits changed (revocations, suspensions, "
                                  "unsuspensions).",
                                  &v->m_status, err);
    if (rc == DID_OK)
        rc = ch_server_add_gauge_fn(v->srv, "civid_issuer_credentials_recorded",
                                    "Issued credentials recorded in the store (those with an id).",
                                    recorded, v, err);
    return rc;
}

int issuer_service_new(const issuer_config *c, const issuer_secrets *s, issuer_service **out,
                       did_err *err)
{
    if (c == NULL || s == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "issuer_service_new: NULL argument");
    *out = NULL;
    if (c->data_dir[0] == '\0')
        return did_err_set(err, DID_ERR_ARG, "no data directory (--data DIR)");
    if (s->passphrase == NULL || s->passphrase_len == 0)
        return did_err_set(err, DID_ERR_ARG,
                           "no passphrase for the issuer keys (--passphrase-file FILE or "
                           "CIVID_PASSPHRASE)");
    issuer_service *v = calloc(1, sizeof *v);
    if (v == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    v->cfg = *c;
    int rc = open_log(v, err);
    if (rc == DID_OK)
        rc = issuer_store_open(v->cfg.data_dir, v->cfg.map_size, &v->store, err);
    if (rc == DID_OK)
        rc = keys_setup(v, s, err);
    if (rc == DID_OK)
        rc = identity_setup(v, err);
    if (rc == DID_OK)
        rc = did_ctx_new(&v->ctx, err);
    if (rc == DID_OK) {
        ch_config cc;
        ch_config_init(&cc);
        cc.listen = v->cfg.listen;
        cc.threads = v->cfg.threads;
        cc.max_body = v->cfg.max_body;
        cc.max_connections = v->cfg.max_connections;
        cc.max_connections_per_client = v->cfg.max_connections_per_client;
        cc.connection_timeout = v->cfg.connection_timeout;
        cc.access_log = v->access_log;
        cc.error_log = stderr;
        cc.problem_type_base = v->cfg.problem_type_base;
        cc.server_name = "civid-issuer";
        rc = ch_server_new(&cc, &v->srv, err);
    }
    if (rc == DID_OK)
        rc = tokens_setup(v, s, err);
    if (rc == DID_OK)
        rc = add_routes(v, err);
    if (rc != DID_OK) {
        issuer_service_free(v);
        return rc;
    }
    *out = v;
    return DID_OK;
}

int issuer_service_start(issuer_service *v, did_err *err)
{
    return ch_server_start(v->srv, err);
}

const char *issuer_service_address(const issuer_service *v)
{
    return ch_server_address(v->srv);
}

const char *issuer_service_did(const issuer_service *v)
{
    return v->did;
}

ch_server *issuer_service_server(issuer_service *v)
{
    return v->srv;
}

void issuer_service_shutdown(issuer_service *v)
{
    if (v != NULL && v->srv != NULL)
        ch_server_shutdown(v->srv, v->cfg.shutdown_timeout * 1000u);
}

void issuer_service_free(issuer_service *v)
{
    if (v == NULL)
        return;
    ch_server_free(v->srv); /* no handler runs after this */
    issuer_store_close(v->store);
    issuer_keyring_clear(&v->kr);
    did_ctx_free(v->ctx);
    free(v->did);
    free(v->kid);
    free(v->doc_path);
    free(v->doc_text);
    if (v->own_log)
        fclose(v->access_log);
    else if (v->access_log != NULL)
        fflush(v->access_log);
    free(v);
}
