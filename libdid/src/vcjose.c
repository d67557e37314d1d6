/*
 * vcjose.c -- VC-JOSE-COSE section 3.1: credentials and presentations as compact JWS
 * (did/vcjose.h). spec/credentials.md lists the checks in the order this file runs them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/time.h>
#include <did/vcjose.h>

/* The protected header is peeked at (for typ and kid) with the limits did_jws_verify uses. */
#define VJ_HDR_MAX_DEPTH 16
#define VJ_HDR_MAX_ENTRIES 100
#define VJ_SHOWN_MAX 48

typedef struct vj {
    did_result *r;
    did_err *err;
    int first;
} vj;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
vj_fail(vj *v, const char *check, int code, const char *fmt, ...)
{
    did_err e;
    va_list ap;

    e.code = code;
    va_start(ap, fmt);
    (void)vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    (void)did_result_fail(v->r, check, &e);
    if (v->first == DID_OK) {
        v->first = code;
        (void)did_err_set(v->err, code, "%s", e.msg);
    }
}

/* Takes over a failure a called function reported in e: recorded under check with code rc
 * (check NULL: the callee already recorded it in r). */
static void vj_take(vj *v, const char *check, int rc, const did_err *e)
{
    did_err c = *e;

    c.code = rc;
    if (check != NULL)
        (void)did_result_fail(v->r, check, &c);
    if (v->first == DID_OK) {
        v->first = rc;
        (void)did_err_set(v->err, rc, "%s", e->msg);
    }
}

static const char *shown(const char *s, size_t n, char out[VJ_SHOWN_MAX + 1])
{
    if (n > VJ_SHOWN_MAX)
        return "(too long to show)";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return "(not printable)";
        out[i] = (char)c;
    }
    out[n] = '\0';
    return out;
}

static int lower_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* v[0..n) is the media type application/<sub>, written with or without "application/"
 * (RFC 7515 section 4.1.9), compared case-insensitively. */
static int media_is(const char *v, size_t n, const char *sub)
{
    static const char app[] = "application/";
    size_t al = sizeof(app) - 1, sl = strlen(sub);

    if (n == sl)
        return lower_eq(v, sub, n);
    return n == al + sl && lower_eq(v, app, al) && lower_eq(v + al, sub, sl);
}

/* The kind a typ names: 1 credential, 2 presentation, 0 neither. */
static int typ_kind(const char *v, size_t n)
{
    if (media_is(v, n, DID_VCJOSE_TYP_VC) || media_is(v, n, "vc-ld+jwt"))
        return DID_VCJOSE_VC;
    if (media_is(v, n, DID_VCJOSE_TYP_VP) || media_is(v, n, "vp-ld+jwt"))
        return DID_VCJOSE_VP;
    return 0;
}

/* Decodes and parses the protected header without verifying anything; did_jws_verify repeats
 * every check on it. Codes as did_jws_verify's steps 2-3. */
static int peek_header(const char *jws, size_t len, json_t **hdr, did_err *err)
{
    const did_json_limits lim = {DID_JWS_MAX_HEADER, VJ_HDR_MAX_DEPTH, DID_JWS_MAX_HEADER,
                                 VJ_HDR_MAX_ENTRIES};
    uint8_t buf[DID_JWS_MAX_HEADER];
    const char *dot = memchr(jws, '.', len);
    size_t n, out_len = 0;
    ck_err ce;
    did_err e;
    int rc;

    *hdr = NULL;
    if (dot == NULL || dot == jws)
        return did_err_set(err, DID_ERR_JWS_FORMAT, "not a compact JWS (no header part)");
    n = (size_t)(dot - jws);
    if (n > ck_b64url_encoded_len(DID_JWS_MAX_HEADER))
        return did_err_set(err, DID_ERR_JWS_HEADER, "protected header is longer than %d bytes",
                           DID_JWS_MAX_HEADER);
    ck_err_clear(&ce);
    if (ck_b64url_decode(jws, n, buf, sizeof buf, &out_len, &ce) != CK_OK) {
        if (ce.code == CK_ERR_NOMEM || ce.code == CK_ERR_INIT)
            return did_err_from_ck(err, &ce);
        return did_err_set(err, DID_ERR_JWS_FORMAT, "JWS header part: %s", ce.msg);
    }
    did_err_clear(&e);
    rc = did_json_parse(buf, out_len, &lim, hdr, &e);
    if (rc == DID_ERR_NOMEM)
        return did_err_set(err, rc, "protected header: %s", e.msg);
    if (rc != DID_OK)
        return did_err_set(err, DID_ERR_JWS_HEADER, "protected header: %s: %s", did_err_name(rc),
                           e.msg);
    if (!json_is_object(*hdr)) {
        json_decref(*hdr);
        *hdr = NULL;
        return did_err_set(err, DID_ERR_JWS_HEADER, "protected header is not a JSON object");
    }
    return DID_OK;
}

/* For a token without "typ": the kind its payload's "type" names (1 credential, 2
 * presentation, 0 neither or both). The payload is NOT trusted here: the answer only chooses
 * which verification relationship the signer's key must have, and the model check after the
 * signature check holds the verified payload to the same kind. */
static int peek_payload_kind(const did_ctx *ctx, const char *jws, size_t len)
{
    const char *d1 = memchr(jws, '.', len);
    if (d1 == NULL)
        return 0;
    const char *start = d1 + 1;
    const char *d2 = memchr(start, '.', len - (size_t)(start - jws));
    if (d2 == NULL)
        return 0;
    size_t n = (size_t)(d2 - start), out_len = 0;
    uint8_t *buf = malloc(n + 1);
    json_t *doc = NULL;
    int kind = 0;
    if (buf != NULL && ck_b64url_decode(start, n, buf, n + 1, &out_len, NULL) == CK_OK &&
        did_json_parse(buf, out_len, ctx != NULL ? did_ctx_json_limits(ctx) : NULL, &doc, NULL) ==
            DID_OK) {
        int vc = did_vc_has_type(doc, "VerifiableCredential");
        int vp = did_vc_has_type(doc, "VerifiablePresentation");
        kind = vc && !vp ? DID_VCJOSE_VC : vp && !vc ? DID_VCJOSE_VP : 0;
    }
    json_decref(doc);
    free(buf);
    return kind;
}

/* Where a did_jws_verify failure belongs in a result. */
static const char *jws_check_of(int code)
{
    switch (code) {
    case DID_ERR_JWS_ALG:
    case DID_ERR_JWS_KEY_ALG:
    case DID_ERR_JWS_SIGNATURE:
    case DID_ERR_JWS_KID:
        return DID_CHECK_SIGNATURE;
    default:
        return code >= 100 && code < 200 ? DID_CHECK_SIGNATURE : DID_CHECK_FORMAT;
    }
}

/* ---------------------------------------------------------------------------------------------
 * JWT claims in the credential
 */

/* "exp", "nbf" and "iat", each on its own so that every failure is reported. */
static void check_time_claims(vj *v, const json_t *claims, int64_t now, int64_t skew)
{
    static const char *const names[] = {"exp", "nbf", "iat"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const json_t *c = json_object_get(claims, names[i]);
        did_jwt_check_opts o;
        json_t *one;
        did_err e;
        int rc;

        if (c == NULL)
            continue;
        one = json_object();
        if (one == NULL || json_object_set(one, names[i], (json_t *)c) != 0) {
            json_decref(one);
            vj_fail(v, DID_CHECK_FORMAT, DID_ERR_NOMEM, "out of memory");
            return;
        }
        memset(&o, 0, sizeof o);
        o.now = now;
        o.skew = skew;
        did_err_clear(&e);
        rc = did_jwt_check_claims(one, &o, &e);
        json_decref(one);
        did_result_check(v->r, i == 0 ? DID_CHECK_VALID_UNTIL : DID_CHECK_VALID_FROM);
        if (rc == DID_OK)
            continue;
        if (rc == DID_ERR_JWT_EXPIRED)
            vj_take(v, DID_CHECK_VALID_UNTIL, rc, &e);
        else if (rc == DID_ERR_JWT_NOT_YET || rc == DID_ERR_JWT_IAT)
            vj_take(v, DID_CHECK_VALID_FROM, rc, &e);
        else
            vj_take(v, DID_CHECK_FORMAT, rc, &e);
    }
}

/* "iss", when present, names the issuer (holder). party may be NULL (no holder). */
static void check_iss(vj *v, const json_t *claims, const char *party, size_t party_len,
                      const char *check)
{
    const json_t *iss = json_object_get(claims, "iss");

    if (iss == NULL)
        return;
    if (!json_is_string(iss)) {
        vj_fail(v, DID_CHECK_FORMAT, DID_ERR_JWT_CLAIM, "claim \"iss\" must be a string");
        return;
    }
    if (party != NULL && (json_string_length(iss) != party_len ||
                          memcmp(json_string_value(iss), party, party_len) != 0))
        vj_fail(v, check, DID_ERR_JWT_ISS, "claim \"iss\" is not the %s",
                strcmp(check, DID_CHECK_ISSUER) == 0 ? "issuer" : "holder");
}

static void check_aud_nonce(vj *v, const json_t *claims, const did_vcjose_verify_opts *opts)
{
    const json_t *aud = json_object_get(claims, "aud");
    const json_t *nonce = json_object_get(claims, "nonce");

    if (aud != NULL || opts->aud != NULL) {
        did_jwt_check_opts o;
        json_t *one = json_object();
        did_err e;
        int rc;

        if (one == NULL || (aud != NULL && json_object_set(one, "aud", (json_t *)aud) != 0)) {
            json_decref(one);
            vj_fail(v, DID_CHECK_FORMAT, DID_ERR_NOMEM, "out of memory");
            return;
        }
        memset(&o, 0, sizeof o);
        o.now = 1; /* no time claims in `one` */
        o.aud = opts->aud;
        did_err_clear(&e);
        rc = did_jwt_check_claims(one, &o, &e);
        json_decref(one);
        did_result_check(v->r, DID_CHECK_DOMAIN);
        if (rc == DID_ERR_JWT_CLAIM && aud == NULL)
            vj_fail(v, DID_CHECK_DOMAIN, DID_ERR_JWT_AUD,
                    "claim \"aud\" is missing; \"%s\" is required", opts->aud);
        else if (rc != DID_OK)
            vj_take(v, DID_CHECK_DOMAIN, rc == DID_ERR_JWT_CLAIM ? rc : DID_ERR_JWT_AUD, &e);
    }
    if (nonce != NULL && !json_is_string(nonce))
        vj_fail(v, DID_CHECK_CHALLENGE, DID_ERR_VP_NONCE, "claim \"nonce\" must be a string");
    if (opts->nonce != NULL) {
        size_t n = strlen(opts->nonce);
        did_result_check(v->r, DID_CHECK_CHALLENGE);
        if (nonce == NULL)
            vj_fail(v, DID_CHECK_CHALLENGE, DID_ERR_VP_NONCE, "claim \"nonce\" is missing");
        else if (json_is_string(nonce) && (json_string_length(nonce) != n ||
                                           memcmp(json_string_value(nonce), opts->nonce, n) != 0))
            vj_fail(v, DID_CHECK_CHALLENGE, DID_ERR_VP_NONCE,
                    "claim \"nonce\" is not the expected one");
    }
}

/* ---------------------------------------------------------------------------------------------
 * Enveloped credentials of a presentation
 */
/* Records a problem of entry i (its own code, under DID_CHECK_CREDENTIALS); the call then
 * returns DID_ERR_VP_CREDENTIAL. */
static void entry_fail(vj *v, const did_err *e)
{
    (void)did_result_fail(v->r, DID_CHECK_CREDENTIALS, e);
    if (v->first == DID_OK) {
        v->first = DID_ERR_VP_CREDENTIAL;
        (void)did_err_set(v->err, DID_ERR_VP_CREDENTIAL, "%s", e->msg);
    }
}

/* Copies the problems of entry i's own verification into the presentation's result. rc and
 * ee are that verification's answer, for a refusal that recorded nothing. */
static void merge_entry(vj *v, const did_result *sub, size_t i, int rc, const did_err *ee)
{
    did_err e;

    for (size_t k = 0; k < sub->n_errors; k++) {
        const did_problem *p = &sub->errors[k];
        e.code = p->code;
        (void)snprintf(e.msg, sizeof e.msg, "verifiableCredential[%zu]: %s: %.180s", i, p->check,
                       p->msg);
        entry_fail(v, &e);
    }
    for (size_t k = 0; k < sub->n_warnings; k++) {
        const did_problem *p = &sub->warnings[k];
        did_result_warn(v->r, DID_CHECK_CREDENTIALS, p->code,
                        "verifiableCredential[%zu]: %s: %.180s", i, p->check, p->msg);
    }
    if (sub->dropped > 0) {
        v->r->dropped += sub->dropped;
        if (sub->dropped_error) {
            v->r->dropped_error = 1;
            if (v->first == DID_OK) {
                v->first = DID_ERR_VP_CREDENTIAL;
                (void)did_err_set(v->err, DID_ERR_VP_CREDENTIAL,
                                  "verifiableCredential[%zu] does not verify", i);
            }
        }
    }
    if (rc != DID_OK && sub->n_errors == 0 && !sub->dropped_error) {
        /* refused before recording anything (no context to resolve with, ...) */
        e.code = rc;
        /* The entry's message is cut to leave room for the prefix. */
        (void)snprintf(e.msg, sizeof e.msg, "verifiableCredential[%zu]: %.200s", i, ee->msg);
        entry_fail(v, &e);
    }
}

static void verify_entries(vj *v, const did_ctx *ctx, const json_t *vp,
                           const did_vcjose_verify_opts *opts)
{
    size_t n = did_vp_credential_count(vp);
    did_result *sub;

    if (n == 0 || n > DID_VP_MAX_CREDENTIALS)
        return; /* did_vp_check reported an empty or oversized list */
    did_result_check(v->r, DID_CHECK_CREDENTIALS);
    sub = malloc(sizeof *sub);
    if (sub == NULL) {
        vj_fail(v, DID_CHECK_CREDENTIALS, DID_ERR_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        did_vcjose_verify_opts o;
        did_vp_entry e;
        did_err ee;
        char buf[VJ_SHOWN_MAX + 1];
        int rc;

        did_err_clear(&ee);
        if (did_vp_credential_get(vp, i, &e, &ee) != DID_OK)
            continue; /* did_vp_check reported it */
        if (e.kind != DID_VP_ENTRY_ENVELOPED) {
            vj_fail(v, DID_CHECK_CREDENTIALS, DID_ERR_VP_CREDENTIAL,
                    "verifiableCredential[%zu]: a vp+jwt carries its credentials as "
                    "EnvelopedVerifiableCredential objects (VC-JOSE-COSE 3.1.2)",
                    i);
            continue;
        }
        if ((!media_is(e.media_type, e.media_type_len, DID_VCJOSE_TYP_VC) &&
             !media_is(e.media_type, e.media_type_len, "vc-ld+jwt")) ||
            e.base64) {
            vj_fail(v, DID_CHECK_CREDENTIALS, DID_ERR_VP_CREDENTIAL,
                    "verifiableCredential[%zu]: \"data:%s%s\" is not a vc+jwt envelope", i,
                    shown(e.media_type, e.media_type_len, buf), e.base64 ? ";base64" : "");
            continue;
        }
        memset(&o, 0, sizeof o);
        o.expect = DID_VCJOSE_VC; /* a credential carries no credentials: one level only */
        o.now = opts->now;
        o.skew = opts->skew;
        o.algs = opts->algs;
        o.contexts = opts->contexts;
        o.max_len = opts->max_len;
        did_result_init(sub);
        rc = did_vcjose_verify(ctx, e.data, e.data_len, &o, sub, &ee);
        merge_entry(v, sub, i, rc, &ee);
        if (did_result_verified(sub) && json_is_array(opts->credentials) &&
            json_array_append(opts->credentials, sub->document) != 0)
            vj_fail(v, DID_CHECK_CREDENTIALS, DID_ERR_NOMEM, "out of memory");
        did_result_clear(sub);
    }
    free(sub);
}

/* ---------------------------------------------------------------------------------------------
 * Verification
 */
int did_vcjose_verify(const did_ctx *ctx, const char *jws, size_t len,
                      const did_vcjose_verify_opts *opts, did_result *r, did_err *err)
{
    static const did_vcjose_verify_opts defaults;
    const did_vcjose_verify_opts *o = opts != NULL ? opts : &defaults;
    vj v = {r, err, DID_OK};
    json_t *hdr = NULL, *doc = NULL;
    const json_t *typ, *cty, *kid;
    did_url kid_url;
    ck_key *key = NULL;
    did_jws_verify_opts jo;
    did_vc_check_opts co;
    did_jws jw;
    did_err e;
    int kind, rc;
    char buf[VJ_SHOWN_MAX + 1];

    did_jws_init(&jw);
    if (jws == NULL || r == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_vcjose_verify: NULL argument");
    if (o->skew < 0 || o->skew > DID_VC_MAX_SKEW)
        return did_err_set(err, DID_ERR_ARG, "clock skew must be 0..%lld s",
                           (long long)DID_VC_MAX_SKEW);
    if (o->key == NULL && ctx == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_vcjose_verify: no key and no context");
    did_result_set_format(r,
                          o->expect == DID_VCJOSE_VP ? DID_VCJOSE_FORMAT_VP : DID_VCJOSE_FORMAT_VC);
    did_result_check(r, DID_CHECK_FORMAT);

    /* 1. The header: typ, cty. */
    if (len > (o->max_len != 0 ? o->max_len : DID_JWS_MAX_LEN)) {
        vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_LIMIT, "token of %zu bytes is longer than the limit",
                len);
        goto out;
    }
    did_err_clear(&e);
    if ((rc = peek_header(jws, len, &hdr, &e)) != DID_OK) {
        vj_take(&v, DID_CHECK_FORMAT, rc, &e);
        goto out;
    }
    typ = json_object_get(hdr, "typ");
    if (typ == NULL) {
        /* VC-JOSE-COSE makes "typ" a SHOULD, and its own examples omit it: accept its absence,
         * telling the kind by the caller's expectation or the payload, with a warning. */
        kind = o->expect != DID_VCJOSE_ANY ? (int)o->expect : peek_payload_kind(ctx, jws, len);
        if (kind == 0) {
            vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_JWT,
                    "no header \"typ\", and the payload is neither a credential nor a "
                    "presentation");
            goto out;
        }
        did_result_warn(r, DID_CHECK_FORMAT, DID_ERR_VC_JWT,
                        "header has no \"typ\" (\"%s\" expected)",
                        kind == DID_VCJOSE_VC ? DID_VCJOSE_TYP_VC : DID_VCJOSE_TYP_VP);
    } else if (!json_is_string(typ)) {
        vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_JWT, "header \"typ\" must be a string");
        goto out;
    } else {
        kind = typ_kind(json_string_value(typ), json_string_length(typ));
    }
    if (kind == 0) {
        vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_JWT,
                "header \"typ\" \"%s\" is neither \"vc+jwt\" nor \"vp+jwt\"",
                shown(json_string_value(typ), json_string_length(typ), buf));
        goto out;
    }
    did_result_set_format(r, kind == DID_VCJOSE_VP ? DID_VCJOSE_FORMAT_VP : DID_VCJOSE_FORMAT_VC);
    if (o->expect != DID_VCJOSE_ANY && (int)o->expect != kind) {
        vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_JWT, "expected a %s, \"typ\" says %s",
                o->expect == DID_VCJOSE_VC ? "credential" : "presentation",
                kind == DID_VCJOSE_VC ? "vc+jwt" : "vp+jwt");
        goto out;
    }
    cty = json_object_get(hdr, "cty");
    if (cty != NULL) {
        const char *want = kind == DID_VCJOSE_VC ? DID_VCJOSE_CTY_VC : DID_VCJOSE_CTY_VP;
        const char *other = kind == DID_VCJOSE_VC ? DID_VCJOSE_CTY_VP : DID_VCJOSE_CTY_VC;
        if (!json_is_string(cty)) {
            vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_JWS_HEADER, "header \"cty\" must be a string");
            goto out;
        }
        if (media_is(json_string_value(cty), json_string_length(cty), other)) {
            vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_JWT,
                    "header \"cty\" \"%s\" contradicts \"typ\"", other);
            goto out;
        }
        /* VC-JOSE-COSE lets cty name a more specific type than vc/vp: not an error. */
        if (!media_is(json_string_value(cty), json_string_length(cty), want))
            did_result_warn(r, DID_CHECK_FORMAT, DID_ERR_VC_JWT,
                            "header \"cty\" \"%s\" is not interpreted",
                            shown(json_string_value(cty), json_string_length(cty), buf));
    }

    /* 2. The key. */
    kid = json_object_get(hdr, "kid");
    memset(&kid_url, 0, sizeof kid_url);
    if (o->key == NULL) {
        did_relationship rel =
            kind == DID_VCJOSE_VC ? DID_REL_ASSERTION_METHOD : DID_REL_AUTHENTICATION;
        if (!json_is_string(kid)) {
            vj_fail(&v, DID_CHECK_SIGNATURE, DID_ERR_JWS_KID,
                    "header has no \"kid\" string to find the key with");
            goto out;
        }
        did_err_clear(&e);
        if (did_url_parse(json_string_value(kid), json_string_length(kid), &kid_url, &e) !=
            DID_OK) {
            vj_fail(&v, DID_CHECK_SIGNATURE, DID_ERR_JWS_KID, "\"kid\" is not a DID URL: %s",
                    e.msg);
            goto out;
        }
        did_err_clear(&e);
        rc = did_resolve_key(ctx, json_string_value(kid), json_string_length(kid), rel, &key, NULL,
                             &e);
        if (rc == DID_ERR_DID_VM_RELATIONSHIP) {
            vj_take(&v, DID_CHECK_PURPOSE, rc, &e);
            goto out;
        }
        if (rc == DID_ERR_NOMEM) {
            vj_take(&v, DID_CHECK_SIGNATURE, rc, &e);
            goto out;
        }
        if (rc != DID_OK) {
            vj_fail(&v, DID_CHECK_SIGNATURE, DID_ERR_JWS_KID, "\"kid\" gives no usable key: %s: %s",
                    did_err_name(rc), e.msg);
            goto out;
        }
        did_result_check(r, DID_CHECK_PURPOSE);
    }

    /* 3. The signature. */
    memset(&jo, 0, sizeof jo);
    jo.algs = o->algs;
    jo.key = o->key != NULL ? o->key : key;
    jo.max_len = o->max_len;
    did_err_clear(&e);
    did_result_check(r, DID_CHECK_SIGNATURE);
    if ((rc = did_jws_verify(NULL, jws, len, &jo, &jw, &e)) != DID_OK) {
        vj_take(&v, jws_check_of(rc), rc, &e);
        goto out;
    }

    /* 4. The payload. */
    did_err_clear(&e);
    rc = did_json_parse(jw.payload, jw.payload_len, ctx != NULL ? did_ctx_json_limits(ctx) : NULL,
                        &doc, &e);
    if (rc != DID_OK) {
        vj_fail(&v, DID_CHECK_FORMAT, rc, "payload: %s", e.msg);
        goto out;
    }
    if (!json_is_object(doc)) {
        vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_JWT, "payload is not a JSON object");
        goto out;
    }
    memset(&co, 0, sizeof co);
    co.now = o->now != 0 ? o->now : did_time_now();
    co.skew = o->skew;
    co.contexts = o->contexts;
    did_err_clear(&e);
    rc = kind == DID_VCJOSE_VC ? did_vc_check(doc, &co, r, &e) : did_vp_check(doc, &co, r, &e);
    if (rc != DID_OK)
        vj_take(&v, NULL, rc, &e);
    if (json_object_get(doc, "vc") != NULL || json_object_get(doc, "vp") != NULL)
        vj_fail(&v, DID_CHECK_FORMAT, DID_ERR_VC_JWT,
                "the JWT claims \"vc\" and \"vp\" must not be present (VC-JOSE-COSE 3.1.3)");
    check_time_claims(&v, doc, co.now, o->skew);
    check_aud_nonce(&v, doc, o);

    /* 5. The signer is the issuer (holder). */
    {
        const char *party = NULL;
        size_t party_len = 0;
        const char *check = kind == DID_VCJOSE_VC ? DID_CHECK_ISSUER : DID_CHECK_HOLDER;
        int have = kind == DID_VCJOSE_VC
                       ? did_vc_issuer_id(doc, &party, &party_len, NULL) == DID_OK
                       : did_vp_holder_id(doc, &party, &party_len, NULL) == DID_OK;

        if (!have)
            party = NULL; /* malformed: did_vc_check / did_vp_check reported it */
        check_iss(&v, doc, party, party_len, check);
        if (o->key != NULL) {
            did_result_warn(r, check, DID_ERR_VC_ISSUER_KEY,
                            "not checked that the key belongs to the %s: the caller supplied it",
                            kind == DID_VCJOSE_VC ? "issuer" : "holder");
        } else if (party == NULL) {
            if (kind == DID_VCJOSE_VP && have)
                did_result_warn(r, check, DID_ERR_VP_HOLDER,
                                "the presentation names no holder; it was signed by %.*s",
                                (int)kid_url.did_len, kid_url.str);
        } else {
            did_result_check(r, check);
            if (party_len != kid_url.did_len || memcmp(party, kid_url.str, party_len) != 0) {
                if (kind == DID_VCJOSE_VC)
                    vj_fail(&v, check, DID_ERR_VC_ISSUER_KEY,
                            "the key (\"kid\") is not the issuer's: its DID is not \"issuer\"");
                else
                    vj_fail(&v, check, DID_ERR_VP_HOLDER,
                            "the key (\"kid\") is not the holder's: its DID is not \"holder\"");
            }
        }
    }

    /* 6. The credentials of a presentation. */
    if (kind == DID_VCJOSE_VP)
        verify_entries(&v, ctx, doc, o);

    if (v.first == DID_OK) {
        did_result_set_document(r, doc);
        doc = NULL;
        did_err_clear(err);
    }
out:
    json_decref(hdr);
    json_decref(doc);
    ck_key_free(key);
    did_jws_clear(&jw);
    return v.first;
}

/* ---------------------------------------------------------------------------------------------
 * Signing
 */
int did_vcjose_sign(const ck_key *key, const char *kid, const json_t *doc, did_buf *out,
                    did_err *err)
{
    did_vc_check_opts co;
    did_jws_sign_opts so;
    const char *party = NULL;
    size_t party_len = 0;
    int is_vc, is_vp, rc;
    const json_t *iss;

    if (key == NULL || kid == NULL || doc == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_vcjose_sign: NULL argument");
    if (kid[0] == '\0')
        return did_err_set(err, DID_ERR_ARG, "did_vcjose_sign: empty kid");
    if (!json_is_object(doc))
        return did_err_set(err, DID_ERR_VC_TYPE, "a credential or presentation is an object");
    is_vc = did_vc_has_type(doc, "VerifiableCredential");
    is_vp = did_vc_has_type(doc, "VerifiablePresentation");
    if (is_vc == is_vp)
        return did_err_set(err, DID_ERR_VC_TYPE,
                           "\"type\" must contain exactly one of "
                           "\"VerifiableCredential\" and \"VerifiablePresentation\"");

    memset(&co, 0, sizeof co);
    co.ignore_time = 1;
    if ((rc = is_vc ? did_vc_check(doc, &co, NULL, err) : did_vp_check(doc, &co, NULL, err)) !=
        DID_OK)
        return rc;
    if (json_object_get(doc, "vc") != NULL || json_object_get(doc, "vp") != NULL)
        return did_err_set(err, DID_ERR_VC_JWT,
                           "\"vc\" and \"vp\" must not be present (VC-JOSE-COSE 3.1.3)");
    for (int i = 0; i < 3; i++) {
        static const char *const t[3] = {"exp", "nbf", "iat"};
        const json_t *c = json_object_get(doc, t[i]);
        if (c != NULL && !json_is_number(c))
            return did_err_set(err, DID_ERR_JWT_CLAIM, "\"%s\" must be a NumericDate (number)",
                               t[i]);
    }
    if (is_vc)
        rc = did_vc_issuer_id(doc, &party, &party_len, err);
    else
        rc = did_vp_holder_id(doc, &party, &party_len, err);
    if (rc != DID_OK)
        return rc;
    iss = json_object_get(doc, "iss");
    if (iss != NULL &&
        (!json_is_string(iss) || party == NULL || json_string_length(iss) != party_len ||
         memcmp(json_string_value(iss), party, party_len) != 0))
        return did_err_set(err, DID_ERR_JWT_ISS, "\"iss\" must be the %s id",
                           is_vc ? "issuer" : "holder");
    if (is_vp) {
        size_t n = did_vp_credential_count(doc);
        for (size_t i = 0; i < n; i++) {
            did_vp_entry e;
            if ((rc = did_vp_credential_get(doc, i, &e, err)) != DID_OK)
                return rc;
            if (e.kind != DID_VP_ENTRY_ENVELOPED)
                return did_err_set(err, DID_ERR_VP_CREDENTIAL,
                                   "verifiableCredential[%zu]: a vp+jwt carries credentials as "
                                   "EnvelopedVerifiableCredential objects",
                                   i);
        }
    }
    if (strncmp(kid, "did:", 4) == 0 && party != NULL) {
        did_url u;
        did_err e;
        did_err_clear(&e);
        if (did_url_parse(kid, strlen(kid), &u, &e) != DID_OK)
            return did_err_set(err, DID_ERR_ARG, "kid: %s", e.msg);
        if (u.did_len != party_len || memcmp(kid, party, party_len) != 0)
            return did_err_set(err, is_vc ? DID_ERR_VC_ISSUER_KEY : DID_ERR_VP_HOLDER,
                               "the kid's DID is not the %s", is_vc ? "issuer" : "holder");
    }

    memset(&so, 0, sizeof so);
    so.typ = is_vc ? DID_VCJOSE_TYP_VC : DID_VCJOSE_TYP_VP;
    so.cty = is_vc ? DID_VCJOSE_CTY_VC : DID_VCJOSE_CTY_VP;
    so.kid = kid;
    return did_jwt_sign(key, &so, doc, out, err);
}
