/*
 * verify.c -- the one verification entry point (did/verify.h): tells the securing formats
 * apart by shape and runs every check that applies, recording them in one did_result.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <did/di.h>
#include <did/json.h>
#include <did/sdjwt.h>
#include <did/status.h>
#include <did/vc.h>
#include <did/vcjose.h>
#include <did/verify.h>

/* Media types of the envelopes we open (VC-JOSE-COSE, SD-JWT VC). */
#define MT_VC_JWT "application/vc+jwt"
#define MT_VP_JWT "application/vp+jwt"
#define MT_DC_SD_JWT "application/dc+sd-jwt"
#define MT_VC_SD_JWT "application/vc+sd-jwt"

typedef struct verifier {
    const did_ctx *ctx;
    const did_verify_opts *o;
    did_result *r;
} verifier;

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const uint8_t **in, size_t *len)
{
    while (*len > 0 && is_space((*in)[0])) {
        (*in)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*in)[*len - 1]))
        (*len)--;
}

static int is_b64url(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

const char *did_verify_detect(const uint8_t *in, size_t len)
{
    size_t dots = 0;
    if (in == NULL)
        return NULL;
    trim(&in, &len);
    if (len == 0)
        return NULL;
    if (in[0] == '{')
        return "json";
    /* base64url has no '~': any tilde makes it an SD-JWT (or nothing). */
    if (memchr(in, '~', len) != NULL)
        return "sd-jwt";
    /* Only the shape is told here: the JWS parser checks every character. */
    for (const uint8_t *p = in, *end = in + len; (p = memchr(p, '.', (size_t)(end - p))) != NULL;
         p++)
        dots++;
    return dots == 2 && is_b64url(in[0]) ? "jose" : NULL;
}

static int fail(verifier *v, const char *check, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(verifier *v, const char *check, int code, const char *fmt, ...)
{
    char msg[DID_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    did_err e;
    did_err_set(&e, code, "%s", msg);
    return did_result_fail(v->r, check, &e);
}

/* Copies the problems of a nested verification (an embedded credential) into v->r under
 * DID_CHECK_CREDENTIALS, each message prefixed with where it came from. */
static void merge(verifier *v, const did_result *sub, size_t index)
{
    char prefix[48];
    snprintf(prefix, sizeof prefix, "verifiableCredential[%zu]", index);
    did_result_check(v->r, DID_CHECK_CREDENTIALS);
    for (size_t i = 0; i < sub->n_errors; i++) {
        did_err e;
        did_err_set(&e, sub->errors[i].code, "%s", sub->errors[i].msg);
        did_err_prefix(&e, sub->errors[i].check);
        did_err_prefix(&e, prefix);
        did_result_fail(v->r, DID_CHECK_CREDENTIALS, &e);
    }
    if (sub->dropped_error) {
        did_err e;
        did_err_set(&e, DID_ERR_VP_CREDENTIAL, "%s: more errors than a result holds", prefix);
        did_result_fail(v->r, DID_CHECK_CREDENTIALS, &e);
    }
    for (size_t i = 0; i < sub->n_warnings; i++)
        did_result_warn(v->r, DID_CHECK_CREDENTIALS, sub->warnings[i].code, "%s: %s: %s", prefix,
                        sub->warnings[i].check, sub->warnings[i].msg);
}

/* The credential's credentialStatus, through the caller's status list source. */
static void check_status(verifier *v, const json_t *vc)
{
    const json_t *cs = json_object_get(vc, "credentialStatus");
    if (cs == NULL)
        return;
    if (v->o->status_fetch == NULL) {
        did_result_warn(v->r, DID_CHECK_STATUS, DID_ERR_STATUS_LIST,
                        "credentialStatus not checked: no status list source was given");
        return;
    }
    did_status_check_opts so;
    did_err e;
    did_status_check_opts_init(&so);
    so.now = v->o->now;
    so.skew = v->o->skew;
    (void)did_status_check(cs, v->o->status_fetch, v->o->status_user, &so, v->r, &e);
}

static did_vc_check_opts model_opts(const verifier *v)
{
    did_vc_check_opts co = {.now = v->o->now, .skew = v->o->skew, .contexts = v->o->contexts};
    return co;
}

/* Every proof that verified must be by a method of `who` (the issuer or the holder). */
static void check_controller(verifier *v, const did_di_verified *dv, const char *who,
                             size_t who_len, const char *check, int code)
{
    did_result_check(v->r, check);
    for (size_t i = 0; i < dv->n_proofs; i++) {
        const did_di_proof_info *p = &dv->proofs[i];
        if (p->code != DID_OK || p->verification_method == NULL)
            continue;
        if (p->did_len != who_len || memcmp(p->verification_method, who, who_len) != 0) {
            did_err e;
            did_err_set(&e, code, "proof[%zu]: verification method %s is not controlled by %.*s",
                        i, p->verification_method, (int)(who_len > 200 ? 200 : who_len), who);
            did_result_fail(v->r, check, &e);
        }
    }
}

static int verify_token(verifier *v, const char *tok, size_t len, int depth, int want_vc);
static int verify_json_obj(verifier *v, const json_t *doc, int depth, int want_vc);

/* A Data Integrity secured credential or presentation. */
static int verify_di(verifier *v, const json_t *doc, int depth, int want_vc)
{
    int is_vp = did_vc_has_type(doc, "VerifiablePresentation");
    did_di_verify_opts dopts = {.now = v->o->now, .skew = v->o->skew};
    did_di_verified dv;
    did_vc_check_opts co = model_opts(v);
    did_err e;
    const char *id;
    size_t id_len;

    if (is_vp && want_vc)
        return fail(v, DID_CHECK_TYPE, DID_ERR_VP_CREDENTIAL, "%s",
                    "a presentation cannot be embedded as a credential");
    if (is_vp) {
        dopts.proof_purpose = "authentication";
        dopts.challenge = v->o->challenge;
        dopts.domain = v->o->domain;
    }
    did_di_verified_init(&dv);
    int rc = did_di_verify(v->ctx, doc, &dopts, v->r, &dv, &e);
    /* The model checks run either way: they only report, nothing signed is trusted from them. */
    if (is_vp) {
        (void)did_vp_check(doc, &co, v->r, &e);
        if (rc == DID_OK) {
            if (did_vp_holder_id(doc, &id, &id_len, &e) == DID_OK && id != NULL)
                check_controller(v, &dv, id, id_len, DID_CHECK_HOLDER, DID_ERR_VP_HOLDER);
            else
                did_result_warn(v->r, DID_CHECK_HOLDER, DID_ERR_VP_HOLDER,
                                "the presentation names no holder: the signer is not bound");
        }
        /* did_di_verify already warns when no challenge was expected. */
        /* Embedded credentials, one level deep. */
        size_t n = did_vp_credential_count(doc);
        for (size_t i = 0; i < n && depth == 0; i++) {
            did_vp_entry ent;
            did_result sub;
            did_result_init(&sub);
            if (did_vp_credential_get(doc, i, &ent, &e) != DID_OK) {
                did_result_fail(&sub, DID_CHECK_FORMAT, &e);
            } else if (ent.kind == DID_VP_ENTRY_EMBEDDED) {
                verifier sv = {v->ctx, v->o, &sub};
                (void)verify_json_obj(&sv, ent.obj, depth + 1, 1);
            } else {
                verifier sv = {v->ctx, v->o, &sub};
                (void)verify_token(&sv, ent.data, ent.data_len, depth + 1, 1);
            }
            merge(v, &sub, i);
            did_result_clear(&sub);
        }
    } else {
        (void)did_vc_check(doc, &co, v->r, &e);
        if (rc == DID_OK && did_vc_issuer_id(doc, &id, &id_len, &e) == DID_OK && id != NULL)
            check_controller(v, &dv, id, id_len, DID_CHECK_ISSUER, DID_ERR_VC_ISSUER_KEY);
        if (rc == DID_OK)
            check_status(v, doc);
    }
    did_di_verified_clear(&dv);
    /* doc is never modified after this point, so the result can share it. */
    if (v->r->n_errors == 0 && !v->r->dropped_error)
        did_result_set_document(v->r, json_incref((json_t *)doc));
    return rc;
}

/* A data: URL envelope ({"type": "EnvelopedVerifiableCredential", "id": "data:..."}). */
static int verify_envelope(verifier *v, const json_t *doc, int depth, int want_vc)
{
    const char *id = json_string_value(json_object_get(doc, "id"));
    size_t len = json_string_length(json_object_get(doc, "id"));
    if (id == NULL || len < 5 || memcmp(id, "data:", 5) != 0)
        return fail(v, DID_CHECK_FORMAT, DID_ERR_VC_FORMAT, "%s",
                    "an enveloped credential's \"id\" must be a data: URL");
    const char *comma = memchr(id, ',', len);
    if (comma == NULL)
        return fail(v, DID_CHECK_FORMAT, DID_ERR_VC_FORMAT, "%s", "data: URL without ','");
    size_t mt_len = (size_t)(comma - id) - 5;
    const char *mt = id + 5;
    static const char *const known[] = {MT_VC_JWT, MT_VP_JWT, MT_DC_SD_JWT, MT_VC_SD_JWT};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i]) == mt_len && memcmp(known[i], mt, mt_len) == 0)
            return verify_token(v, comma + 1, len - (size_t)(comma + 1 - id), depth, want_vc);
    char shown[64];
    snprintf(shown, sizeof shown, "%.*s", (int)(mt_len > 40 ? 40 : mt_len), mt);
    return fail(v, DID_CHECK_FORMAT, DID_ERR_VC_FORMAT, "unsupported envelope media type '%s'",
                shown);
}

static int verify_json_obj(verifier *v, const json_t *doc, int depth, int want_vc)
{
    if (!json_is_object(doc))
        return fail(v, DID_CHECK_FORMAT, DID_ERR_VC_FORMAT, "%s", "not a JSON object");
    if (did_vc_has_type(doc, "EnvelopedVerifiableCredential") ||
        did_vc_has_type(doc, "EnvelopedVerifiablePresentation"))
        return verify_envelope(v, doc, depth, want_vc);
    if (json_object_get(doc, "proof") != NULL)
        return verify_di(v, doc, depth, want_vc);
    return fail(v, DID_CHECK_PROOF, DID_ERR_VC_UNSECURED, "%s",
                "the document has no \"proof\": it is not secured");
}

/* SD-JWT VC "status" (IETF Token Status List) is not a mechanism we check yet. */
static void sdjwt_status(verifier *v)
{
    if (v->r->document != NULL && json_object_get(v->r->document, "status") != NULL)
        did_result_warn(v->r, DID_CHECK_STATUS, DID_ERR_STATUS_TYPE,
                        "the SD-JWT VC \"status\" claim (Token Status List) is not checked");
}

static int verify_token(verifier *v, const char *tok, size_t len, int depth, int want_vc)
{
    did_err e;
    const char *kind = did_verify_detect((const uint8_t *)tok, len);
    if (kind != NULL && strcmp(kind, "sd-jwt") == 0) {
        did_sdjwt_verify_opts so = {.now = v->o->now, .skew = v->o->skew};
        if (depth == 0) {
            so.nonce = v->o->challenge;
            so.aud = v->o->domain;
            so.require_kb = v->o->challenge != NULL;
        }
        int rc = did_sdjwt_verify(v->ctx, tok, len, &so, v->r, NULL, &e);
        if (rc == DID_OK)
            sdjwt_status(v);
        return rc;
    }
    if (kind != NULL && strcmp(kind, "jose") == 0) {
        json_t *inner = json_array();
        did_vcjose_verify_opts jo = {
            .expect = want_vc ? DID_VCJOSE_VC : DID_VCJOSE_ANY,
            .now = v->o->now,
            .skew = v->o->skew,
            .contexts = v->o->contexts,
            .credentials = inner,
        };
        if (depth == 0) {
            jo.nonce = v->o->challenge;
            jo.aud = v->o->domain;
        }
        int rc = did_vcjose_verify(v->ctx, tok, len, &jo, v->r, &e);
        if (rc == DID_OK && v->r->document != NULL) {
            if (did_vc_has_type(v->r->document, "VerifiableCredential"))
                check_status(v, v->r->document);
            size_t i;
            json_t *vc;
            json_array_foreach(inner, i, vc) check_status(v, vc);
        }
        json_decref(inner);
        return rc;
    }
    return fail(v, DID_CHECK_FORMAT, DID_ERR_VC_FORMAT, "%s",
                "not a JSON credential, an SD-JWT or a compact JWS");
}

/* The return value and err of a finished verification: DID_OK only when r verified. */
static int outcome(const did_result *r, did_err *err)
{
    if (did_result_verified(r))
        return DID_OK;
    if (r->n_errors > 0) {
        did_err_set(err, r->errors[0].code, "%s", r->errors[0].msg);
        did_err_prefix(err, r->errors[0].check);
        return r->errors[0].code;
    }
    return did_err_set(err, DID_ERR_VC_FORMAT, "nothing was verified");
}

int did_verify(const did_ctx *ctx, const uint8_t *in, size_t len, const did_verify_opts *opts,
               did_result *r, did_err *err)
{
    static const did_verify_opts defaults;
    verifier v = {ctx, opts != NULL ? opts : &defaults, r};
    json_t *doc = NULL;
    did_err e;
    int rc;

    if (ctx == NULL || in == NULL || r == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_verify: NULL argument");
    if (len > DID_VERIFY_MAX_LEN) {
        did_err_set(&e, DID_ERR_LIMIT, "input of %zu bytes is longer than the %zu-byte limit",
                    len, DID_VERIFY_MAX_LEN);
        did_result_fail(r, DID_CHECK_FORMAT, &e);
        return outcome(r, err);
    }
    trim(&in, &len);
    const char *kind = did_verify_detect(in, len);
    if (kind != NULL && strcmp(kind, "json") == 0) {
        rc = did_json_parse(in, len, did_ctx_json_limits(ctx), &doc, &e);
        if (rc != DID_OK)
            did_result_fail(r, DID_CHECK_FORMAT, &e);
        else
            (void)verify_json_obj(&v, doc, 0, 0);
        json_decref(doc);
    } else {
        (void)verify_token(&v, (const char *)in, len, 0, 0);
    }
    return outcome(r, err);
}

int did_verify_json(const did_ctx *ctx, const json_t *doc, const did_verify_opts *opts,
                    did_result *r, did_err *err)
{
    static const did_verify_opts defaults;
    verifier v = {ctx, opts != NULL ? opts : &defaults, r};
    if (ctx == NULL || doc == NULL || r == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_verify_json: NULL argument");
    if (json_is_string(doc))
        return did_verify(ctx, (const uint8_t *)json_string_value(doc), json_string_length(doc),
                          opts, r, err);
    if (json_is_object(doc))
        (void)verify_json_obj(&v, doc, 0, 0);
    else
        fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_FORMAT, "%s",
             "a credential or presentation is a JSON object or a string");
    return outcome(r, err);
}
