/* The civid-verifier HTTP service: VC-API verify endpoints, challenges, DID resolution. The
 * handlers decode, call libdid (did_verify, did_resolution_result) and shape the answer. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ck/ck.h>
#include <did/fetch.h>
#include <did/log_store.h>
#include <did/time.h>
#include <did/vc.h>
#include <did/verify.h>
#include <did/web.h>

#include <verifier/verifier.h>

struct verifier_service {
    verifier_config cfg; /* a deep copy */
    verifier_store *store;
    did_log_store *log; /* the audit log served under /log/, or NULL */
    did_ctx *ctx;
    did_fetcher *fetcher;
    did_status_fetcher status;
    ch_server *srv;
    FILE *access_log;
    int own_log;
    ch_metric *m_verifications, *m_verified, *m_challenges, *m_refused;
};

/* ---------------------------------------------------------------------------------------------
 * POST /credentials/verify, POST /presentations/verify
 */
/* Input that is not in any format at all is a bad request (400), not a failed verification:
 * VC-API's "invalid or malformed input that prevented the verification process". */
static const did_problem *unusable(const did_result *r)
{
    for (size_t i = 0; i < r->n_errors; i++) {
        const did_problem *p = &r->errors[i];
        if (strcmp(p->check, DID_CHECK_FORMAT) != 0)
            continue;
        if (p->code == DID_ERR_VC_FORMAT || p->code == DID_ERR_LIMIT ||
            p->code == DID_ERR_JWS_FORMAT || p->code == DID_ERR_SDJWT_FORMAT ||
            (p->code >= DID_ERR_JSON_SYNTAX && p->code <= DID_ERR_JSON_COUNT))
            return p;
    }
    return NULL;
}

/* For a compact JWS: 1 when its "typ" names a presentation (vp+jwt), 0 a credential, -1 when
 * it says neither (or cannot be read; did_verify reports why). */
static int jws_is_presentation(const char *tok, size_t len)
{
    const char *dot = memchr(tok, '.', len);
    uint8_t hdr[2048];
    size_t n = 0;
    json_t *h = NULL;
    int kind = -1;
    if (dot == NULL ||
        ck_b64url_decode(tok, (size_t)(dot - tok), hdr, sizeof hdr, &n, NULL) != CK_OK ||
        did_json_parse(hdr, n, NULL, &h, NULL) != DID_OK)
        return -1;
    const char *typ = json_string_value(json_object_get(h, "typ"));
    if (typ != NULL) {
        if (strncasecmp(typ, "application/", 12) == 0)
            typ += 12;
        if (strcasecmp(typ, "vp+jwt") == 0 || strcasecmp(typ, "vp-ld+jwt") == 0)
            kind = 1;
        else if (strcasecmp(typ, "vc+jwt") == 0 || strcasecmp(typ, "vc-ld+jwt") == 0)
            kind = 0;
    }
    json_decref(h);
    return kind;
}

/* The endpoint decides what may be sent: a credential to /credentials/verify, a presentation
 * (or an SD-JWT, whose presentation form carries the key binding) to /presentations/verify. */
static void check_kind(verifier_kind kind, const verifier_request *vr, did_result *r)
{
    const json_t *d = vr->object != NULL ? vr->object : r->document;
    int is_vp;
    if (d != NULL) {
        is_vp = did_vc_has_type(d, "VerifiablePresentation") ||
                did_vc_has_type(d, "EnvelopedVerifiablePresentation");
    } else {
        const char *shape = did_verify_detect((const uint8_t *)vr->text, vr->text_len);
        if (shape == NULL || strcmp(shape, "jose") != 0)
            return; /* an SD-JWT fits either endpoint; anything else did_verify refused */
        if ((is_vp = jws_is_presentation(vr->text, vr->text_len)) < 0)
            return;
    }
    did_err e;
    if (kind == VERIFIER_CREDENTIAL && is_vp) {
        did_err_set(&e, DID_ERR_VC_TYPE, "%s",
                    "a presentation was sent where a credential is expected "
                    "(use /presentations/verify)");
        did_result_fail(r, DID_CHECK_TYPE, &e);
    } else if (kind == VERIFIER_PRESENTATION && !is_vp && strcmp(r->format, "sd-jwt") != 0) {
        did_err_set(&e, DID_ERR_VC_TYPE, "%s",
                    "a credential was sent where a presentation is expected "
                    "(use /credentials/verify)");
        did_result_fail(r, DID_CHECK_TYPE, &e);
    }
}

static int verify(verifier_service *v, ch_request *req, verifier_kind kind)
{
    verifier_request vr;
    did_err e, ce;
    did_result r;
    did_err_clear(&e);
    did_err_clear(&ce);
    int rc = verifier_request_decode(ch_request_json(req), kind, &vr, &e);
    if (rc != DID_OK)
        return ch_reply_problem(req, 400, e.code, "%s", e.msg);
    int64_t now = did_time_now();
    /* The challenge is consumed by this first attempt, whatever its outcome. */
    int crc = DID_OK;
    if (kind == VERIFIER_PRESENTATION) {
        if (vr.challenge != NULL)
            crc =
                verifier_challenge_consume(v->store, vr.challenge, strlen(vr.challenge), now, &ce);
        else if (v->cfg.require_challenge)
            crc = did_err_set(&ce, DID_ERR_VP_CHALLENGE_UNKNOWN, "%s",
                              "options.challenge is required: get one with POST /challenges");
        if (crc == DID_ERR_IO || crc == DID_ERR_NOMEM || crc == DID_ERR_ARG) {
            return ch_reply_problem(req, 500, crc, "%s", "the challenge store failed");
        }
        if (crc != DID_OK)
            ch_metric_add(v->m_refused, 1);
    }
    did_verify_opts o = {
        .now = now,
        .skew = v->cfg.clock_skew,
        .challenge = vr.challenge,
        .domain = vr.domain,
        .contexts = v->cfg.n_contexts > 0 ? (const char *const *)v->cfg.contexts : NULL,
    };
    if (v->cfg.status_lists) {
        o.status_fetch = did_fetch_status_list;
        o.status_user = &v->status;
    }
    did_result_init(&r);
    (void)verifier_request_verify(v->ctx, &vr, &o, &r, &e);
    ch_metric_add(v->m_verifications, 1);
    const did_problem *bad = unusable(&r);
    if (bad != NULL) {
        rc = ch_reply_problem(req, 400, bad->code, "%s", bad->msg);
        did_result_clear(&r);
        return rc;
    }
    check_kind(kind, &vr, &r);
    if (crc != DID_OK)
        did_result_fail(&r, DID_CHECK_CHALLENGE, &ce);
    verifier_trust_check(&v->cfg, &r);
    if (did_result_verified(&r))
        ch_metric_add(v->m_verified, 1);
    const char *member = !vr.return_document           ? NULL
                         : kind == VERIFIER_CREDENTIAL ? "verifiableCredential"
                                                       : "verifiablePresentation";
    json_t *j = verifier_result_json(ch_request_server(req), &r, member);
    did_result_clear(&r);
    if (j == NULL)
        return DID_ERR_NOMEM;
    return ch_reply_json(req, 200, NULL, j);
}

static int h_verify_credential(void *user, ch_request *req)
{
    return verify(user, req, VERIFIER_CREDENTIAL);
}

static int h_verify_presentation(void *user, ch_request *req)
{
    return verify(user, req, VERIFIER_PRESENTATION);
}

/* ---------------------------------------------------------------------------------------------
 * POST /challenges
 */
static int h_challenge(void *user, ch_request *req)
{
    verifier_service *v = user;
    const json_t *body = ch_request_json(req);
    if (body != NULL && (!json_is_object(body) || json_object_size(body) != 0))
        return ch_reply_problem(req, 400, DID_ERR_JSON_TYPE, "%s", "the body must be empty or {}");
    char ch[VERIFIER_CHALLENGE_LEN + 1], when[DID_DATETIME_BUF];
    int64_t expires = 0;
    did_err e;
    did_err_clear(&e);
    int rc = verifier_challenge_issue(v->store, did_time_now(), v->cfg.challenge_ttl,
                                      v->cfg.max_challenges, ch, &expires, &e);
    if (rc == CH_ERR_HTTP_UNAVAILABLE) {
        char retry[24];
        snprintf(retry, sizeof retry, "%lld", (long long)v->cfg.challenge_ttl);
        (void)ch_reply_header(req, "Retry-After", retry);
        return ch_reply_problem(req, 503, rc, "%s", e.msg);
    }
    if (rc != DID_OK)
        return ch_reply_problem(req, 500, rc, "%s", "the challenge store failed");
    if (did_datetime_format(expires, when, &e) != DID_OK)
        return ch_reply_problem(req, 500, e.code, "%s", e.msg);
    ch_metric_add(v->m_challenges, 1);
    json_t *j = json_pack("{s:s, s:s}", "challenge", ch, "expires", when);
    if (j == NULL)
        return DID_ERR_NOMEM;
    return ch_reply_json(req, 201, NULL, j);
}

/* ---------------------------------------------------------------------------------------------
 * GET /1.0/identifiers/{did}: the DIF Universal Resolver driver interface.
 */
/* ---------------------------------------------------------------------------------------------
 * GET /log/checkpoint, GET /log/proof/{index}: the audit log, read-only (spec/auditlog.md).
 */
#define LOG_MEDIA_TYPE "text/plain; charset=utf-8"

/* 404 for what the log does not have (yet); 500 for anything else. */
static int log_reply(ch_request *req, int rc, const did_err *e, const did_buf *out)
{
    if (rc == DID_OK)
        return ch_reply(req, 200, LOG_MEDIA_TYPE, out->data, out->len);
    if (rc == DID_ERR_LOG_SIZE)
        return ch_reply_problem(req, 404, rc, "%s", e->msg);
    return ch_reply_problem(req, 500, rc, "%s", "the audit log could not be read");
}

static int h_log_checkpoint(void *user, ch_request *req)
{
    verifier_service *v = user;
    did_err e;
    did_buf out;
    did_err_clear(&e);
    did_buf_init(&out);
    uint64_t size = 0;
    int rc = did_log_store_latest_checkpoint(v->log, &out, &size, &e);
    if (rc == DID_ERR_LOG_SIZE)
        did_err_set(&e, rc, "%s", "the log has signed no checkpoint yet");
    rc = log_reply(req, rc, &e, &out);
    did_buf_clear(&out);
    return rc;
}

static int h_log_proof(void *user, ch_request *req)
{
    verifier_service *v = user;
    const char *s = ch_request_param(req, "index");
    size_t n = s != NULL ? strlen(s) : 0;
    uint64_t index = 0;
    /* Decimal, no sign, no leading zeros, at most 2^63 - 1 (a tree index). */
    int ok = n > 0 && n <= 19 && (n == 1 || s[0] != '0');
    for (size_t i = 0; ok && i < n; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        if (ok)
            index = index * 10 + (uint64_t)(s[i] - '0');
    }
    if (!ok || index > DID_LOG_SIZE_MAX)
        return ch_reply_problem(req, 400, DID_ERR_ARG, "%s",
                                "the entry index must be a decimal number");
    did_err e;
    did_buf out;
    did_err_clear(&e);
    did_buf_init(&out);
    int rc = did_log_store_proof(v->log, index, &out, &e);
    rc = log_reply(req, rc, &e, &out);
    did_buf_clear(&out);
    return rc;
}

static int h_resolve(void *user, ch_request *req)
{
    verifier_service *v = user;
    const char *did = ch_request_param(req, "did");
    json_t *res = NULL;
    did_err e;
    did_err_clear(&e);
    int rc = did_resolution_result(v->ctx, did, strlen(did), &res, &e);
    if (res == NULL)
        return ch_reply_problem(req, 500, rc != DID_OK ? rc : DID_ERR_INTERNAL, "%s", e.msg);
    unsigned status = 200;
    if (rc != DID_OK) {
        const char *what = json_string_value(
            json_object_get(json_object_get(res, "didResolutionMetadata"), "error"));
        status = what == NULL                              ? 500
                 : strcmp(what, "invalidDid") == 0         ? 400
                 : strcmp(what, "methodNotSupported") == 0 ? 501
                 : strcmp(what, "notFound") == 0           ? 404
                                                           : 500;
    }
    /* The resolution result by default; with Accept: application/ld+json, the same with the
     * profile parameter; with Accept: application/did+json (or +ld+json), only the document. */
    const char *accept = ch_request_header(req, "Accept");
    const char *type = "application/did-resolution+json";
    if (accept != NULL && rc == DID_OK &&
        (strstr(accept, "application/did+json") != NULL ||
         strstr(accept, "application/did+ld+json") != NULL) &&
        strstr(accept, "application/did-resolution") == NULL) {
        json_t *doc = json_incref(json_object_get(res, "didDocument"));
        json_decref(res);
        res = doc;
        type = strstr(accept, "application/did+ld+json") != NULL ? "application/did+ld+json"
                                                                 : "application/did+json";
    } else if (accept != NULL && strstr(accept, "application/ld+json") != NULL) {
        type = "application/ld+json;profile=\"https://w3id.org/did-resolution\"";
    }
    return ch_reply_json(req, status, type, res);
}

/* ---------------------------------------------------------------------------------------------
 * Lifecycle.
 */
static int64_t stored_challenges(void *user)
{
    verifier_service *v = user;
    return verifier_challenge_count(v->store);
}

static int copy_config(verifier_config *dst, const verifier_config *src, did_err *err)
{
    *dst = *src;
    dst->n_trusted = dst->n_contexts = 0;
    memset(dst->trusted, 0, sizeof dst->trusted);
    memset(dst->contexts, 0, sizeof dst->contexts);
    for (size_t i = 0; i < src->n_trusted; i++) {
        if ((dst->trusted[i] = strdup(src->trusted[i])) == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "out of memory");
        dst->n_trusted++;
    }
    for (size_t i = 0; i < src->n_contexts; i++) {
        if ((dst->contexts[i] = strdup(src->contexts[i])) == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "out of memory");
        dst->n_contexts++;
    }
    return DID_OK;
}

static int open_log(verifier_service *v, did_err *err)
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

static int add_routes(verifier_service *v, did_err *err)
{
    const ch_route routes[] = {
        {.method = "POST",
         .pattern = "/credentials/verify",
         .flags = CH_ROUTE_JSON,
         .handler = h_verify_credential,
         .user = v},
        {.method = "POST",
         .pattern = "/presentations/verify",
         .flags = CH_ROUTE_JSON,
         .handler = h_verify_presentation,
         .user = v},
        {.method = "POST",
         .pattern = "/challenges",
         .flags = CH_ROUTE_JSON | CH_ROUTE_BODY_OPTIONAL,
         .handler = h_challenge,
         .user = v},
        {.method = "GET", .pattern = "/1.0/identifiers/{did}", .handler = h_resolve, .user = v},
    };
    const ch_route log_routes[] = {
        {.method = "GET", .pattern = "/log/checkpoint", .handler = h_log_checkpoint, .user = v},
        {.method = "GET", .pattern = "/log/proof/{index}", .handler = h_log_proof, .user = v},
    };
    int rc = DID_OK;
    for (size_t i = 0; rc == DID_OK && i < sizeof routes / sizeof routes[0]; i++)
        rc = ch_server_route(v->srv, &routes[i], err);
    size_t n_log = v->log != NULL ? sizeof log_routes / sizeof log_routes[0] : 0;
    for (size_t i = 0; rc == DID_OK && i < n_log; i++)
        rc = ch_server_route(v->srv, &log_routes[i], err);
    if (rc == DID_OK)
        rc = ch_server_add_metric(v->srv, CH_COUNTER, "civid_verifier_verifications_total",
                                  "Credentials and presentations verified (any outcome).",
                                  &v->m_verifications, err);
    if (rc == DID_OK)
        rc = ch_server_add_metric(v->srv, CH_COUNTER, "civid_verifier_verified_total",
                                  "Verifications whose result was verified: true.", &v->m_verified,
                                  err);
    if (rc == DID_OK)
        rc = ch_server_add_metric(v->srv, CH_COUNTER, "civid_verifier_challenges_issued_total",
                                  "Challenges issued.", &v->m_challenges, err);
    if (rc == DID_OK)
        rc = ch_server_add_metric(v->srv, CH_COUNTER, "civid_verifier_challenges_refused_total",
                                  "Presentations refused for an unknown, expired or used "
                                  "challenge.",
                                  &v->m_refused, err);
    if (rc == DID_OK)
        rc = ch_server_add_gauge_fn(v->srv, "civid_verifier_challenges_stored",
                                    "Challenges kept in the store (issued, not yet purged).",
                                    stored_challenges, v, err);
    return rc;
}

int verifier_service_new(const verifier_config *c, verifier_service **out, did_err *err)
{
    if (c == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "verifier_service_new: NULL argument");
    *out = NULL;
    if (c->data_dir[0] == '\0')
        return did_err_set(err, DID_ERR_ARG, "no data directory (--data DIR)");
    verifier_service *v = calloc(1, sizeof *v);
    if (v == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    int rc = copy_config(&v->cfg, c, err);
    if (rc == DID_OK)
        rc = open_log(v, err);
    if (rc == DID_OK)
        rc = verifier_store_open(v->cfg.data_dir, v->cfg.map_size, &v->store, err);
    if (rc == DID_OK && v->cfg.log_dir[0] != '\0') {
        did_log_store_opts lo;
        did_log_store_opts_init(&lo);
        rc = did_log_store_open(v->cfg.log_dir, &lo, &v->log, err);
        if (rc != DID_OK)
            did_err_prefix(err, v->cfg.log_dir);
    }
    if (rc == DID_OK)
        rc = did_ctx_new(&v->ctx, err);
    if (rc == DID_OK && (v->cfg.did_web || v->cfg.status_lists)) {
        did_fetch_opts fo;
        did_fetch_opts_init(&fo);
        fo.timeout_ms = v->cfg.fetch_timeout_ms;
        if (fo.connect_timeout_ms > fo.timeout_ms)
            fo.connect_timeout_ms = fo.timeout_ms;
        fo.allow_http_loopback = v->cfg.allow_http_loopback;
        /* An operator who needs revocations seen sooner lowers the ceiling (0: no reuse). */
        fo.cache_max_ttl = v->cfg.fetch_cache_max_ttl;
        if (fo.cache_min_ttl > fo.cache_max_ttl)
            fo.cache_min_ttl = fo.cache_max_ttl;
        if (fo.cache_default_ttl > fo.cache_max_ttl)
            fo.cache_default_ttl = fo.cache_max_ttl;
        rc = did_fetcher_new(&fo, &v->fetcher, err);
    }
    if (rc == DID_OK && v->cfg.did_web)
        rc = did_web_register(v->ctx, v->fetcher, err);
    v->status =
        (did_status_fetcher){.fetcher = v->fetcher, .ctx = v->ctx, .skew = v->cfg.clock_skew};
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
        cc.server_name = "civid-verifier";
        rc = ch_server_new(&cc, &v->srv, err);
    }
    if (rc == DID_OK)
        rc = add_routes(v, err);
    if (rc != DID_OK) {
        verifier_service_free(v);
        return rc;
    }
    *out = v;
    return DID_OK;
}

int verifier_service_start(verifier_service *v, did_err *err)
{
    return ch_server_start(v->srv, err);
}

const char *verifier_service_address(const verifier_service *v)
{
    return ch_server_address(v->srv);
}

ch_server *verifier_service_server(verifier_service *v)
{
    return v->srv;
}

void verifier_service_shutdown(verifier_service *v)
{
    if (v != NULL)
        ch_server_shutdown(v->srv, v->cfg.shutdown_timeout * 1000u);
}

void verifier_service_free(verifier_service *v)
{
    if (v == NULL)
        return;
    ch_server_free(v->srv); /* no handler runs after this */
    verifier_store_close(v->store);
    if (v->log != NULL) {
        did_err e;
        if (did_log_store_close(v->log, &e) != DID_OK)
            fprintf(stderr, "civid-verifier: closing the audit log: %s (%s)\n", e.msg,
                    did_err_name(e.code));
    }
    did_ctx_free(v->ctx);
    did_fetcher_free(v->fetcher);
    if (v->own_log)
        fclose(v->access_log);
    else if (v->access_log != NULL)
        fflush(v->access_log);
    verifier_config_clear(&v->cfg);
    free(v);
}
