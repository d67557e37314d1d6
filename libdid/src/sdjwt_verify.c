/*
 * sdjwt_verify.c -- verifying an SD-JWT, SD-JWT VC or SD-JWT+KB (RFC 9901 section 7.1 and 7.3,
 * draft-ietf-oauth-sd-jwt-vc "Verification and Processing"), step by step as did/sdjwt.h and
 * spec/sd-jwt.md list them, each step recorded in the did_result.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <did/jose.h>
#include <did/json.h>
#include <did/sdjwt.h>
#include <did/time.h>

#include "sdjwt_internal.h"

/* Claims an SD-JWT VC keeps in the issuer-signed part (never in a disclosure). */
static const char *const vc_fixed[] = {"iss", "nbf",           "exp",   "cnf",
                                       "vct", "vct#integrity", "status"};
#define N_VC_FIXED (sizeof(vc_fixed) / sizeof(vc_fixed[0]))

/* The KB-JWT is a handful of short claims. */
#define KB_MAX_DEPTH 8
#define KB_MAX_BYTES 16384

typedef struct vstate {
    did_result *r;
    did_err *err;
    int first; /* code of the first failure */
} vstate;

/* Records a failed check; the first failure becomes the return code and *err. */
static int fail(vstate *v, const char *check, const did_err *e)
{
    int code = did_result_fail(v->r, check, e);
    if (v->first == DID_OK) {
        v->first = code;
        if (v->err != NULL) {
            *v->err = *e;
            v->err->code = code;
        }
    }
    return code;
}

static int str_is(const json_t *s, const char *want)
{
    size_t n = strlen(want);
    return json_is_string(s) && json_string_length(s) == n &&
           memcmp(json_string_value(s), want, n) == 0;
}

static int64_t sat_add(int64_t a, int64_t b) /* b >= 0 */
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t sat_sub(int64_t a, int64_t b) /* b >= 0 */
{
    return a < INT64_MIN + b ? INT64_MIN : a - b;
}

/* Step 2: the typ of the issuer-signed JWT decides (or must match) the mode. */
static int check_typ(const did_jws *jws, const did_sdjwt_verify_opts *opts, int *vc, did_err *e)
{
    const json_t *t = json_object_get(jws->header, "typ");
    const char *typ = json_is_string(t) ? json_string_value(t) : NULL;
    size_t n = json_is_string(t) ? json_string_length(t) : 0;
    int is_vc = typ != NULL && did_sdjwt_typ_is_vc(typ, n);

    *vc = 0;
    if (typ != NULL && did_sdjwt_typ_equal(typ, n, DID_SDJWT_KB_TYP))
        return did_err_set(e, DID_ERR_JWS_TYP,
                           "the issuer-signed JWT has the KB-JWT typ \"kb+jwt\"");
    if (opts->mode == DID_SDJWT_MODE_VC && !is_vc)
        return did_err_set(e, DID_ERR_SDJWT_VCT,
                           "an SD-JWT VC needs typ \"dc+sd-jwt\" (or \"vc+sd-jwt\")");
    if (opts->mode != DID_SDJWT_MODE_PLAIN && is_vc) {
        *vc = 1;
        return DID_OK;
    }
    if (opts->typ != NULL && (typ == NULL || !did_sdjwt_typ_equal(typ, n, opts->typ)))
        return did_err_set(e, DID_ERR_JWS_TYP, "the issuer-signed JWT's typ is not \"%s\"",
                           opts->typ);
    return DID_OK;
}

/* Step 3 (RFC 9901 7.1 2.3): the issuer, and that the key is the issuer's. */
static int check_issuer(const did_jws *jws, const json_t *payload,
                        const did_sdjwt_verify_opts *opts, did_err *e)
{
    const json_t *iss = json_object_get(payload, "iss");
    did_url u;
    did_err ue;

    if (iss != NULL && !json_is_string(iss))
        return did_err_set(e, DID_ERR_JWT_CLAIM, "claim \"iss\" must be a string");
    if (opts->iss != NULL && !str_is(iss, opts->iss))
        return did_err_set(e, DID_ERR_JWT_ISS, "the issuer is not \"%s\"", opts->iss);
    /* A key found through the kid's DID speaks for that DID only. */
    if (opts->issuer_key == NULL && iss != NULL && jws->kid != NULL) {
        did_err_clear(&ue);
        if (did_url_parse(jws->kid, strlen(jws->kid), &u, &ue) != DID_OK ||
            json_string_length(iss) != u.did_len ||
            memcmp(json_string_value(iss), jws->kid, u.did_len) != 0)
            return did_err_set(e, DID_ERR_JWT_ISS,
                               "\"iss\" is not the DID of the key that signed (kid)");
    }
    return DID_OK;
}

/* Step 5: the validity claims of the processed payload. */
static void check_dates(vstate *v, const json_t *claims, const did_sdjwt_verify_opts *opts,
                        int64_t now)
{
    did_jwt_check_opts co;
    did_err e;
    int rc;

    memset(&co, 0, sizeof(co));
    co.now = now;
    co.skew = opts->skew;
    co.require_exp = opts->require_exp;
    /* A credential meant for one audience must be presented to it; most have none. */
    co.aud = json_object_get(claims, "aud") != NULL ? opts->aud : NULL;
    did_result_check(v->r, DID_CHECK_VALID_FROM);
    did_result_check(v->r, DID_CHECK_VALID_UNTIL);
    did_err_clear(&e);
    rc = did_jwt_check_claims(claims, &co, &e);
    if (rc == DID_OK)
        return;
    if (rc == DID_ERR_JWT_NOT_YET || rc == DID_ERR_JWT_IAT)
        fail(v, DID_CHECK_VALID_FROM, &e);
    else if (rc == DID_ERR_JWT_AUD)
        fail(v, DID_CHECK_DOMAIN, &e);
    else
        fail(v, DID_CHECK_VALID_UNTIL, &e);
}

/* Step 6: SD-JWT VC claims. signed_has[i]: vc_fixed[i] was in the issuer-signed payload. */
static void check_vc(vstate *v, const json_t *claims, const int *signed_has)
{
    did_err e;

    did_result_check(v->r, DID_CHECK_TYPE);
    if (!json_is_string(json_object_get(claims, "vct"))) {
        did_err_set(&e, DID_ERR_SDJWT_VCT, "an SD-JWT VC needs a string \"vct\" claim");
        fail(v, DID_CHECK_TYPE, &e);
        return;
    }
    for (size_t i = 0; i < N_VC_FIXED; i++)
        if (!signed_has[i] && json_object_get(claims, vc_fixed[i]) != NULL) {
            did_err_set(&e, DID_ERR_SDJWT_VCT, "SD-JWT VC: \"%s\" may not be selectively disclosed",
                        vc_fixed[i]);
            fail(v, DID_CHECK_TYPE, &e);
            return;
        }
}

/* A NumericDate within [lo, hi]. */
static int kb_iat(const json_t *kbc, int64_t lo, int64_t hi, did_err *e)
{
    const json_t *iat = json_object_get(kbc, "iat");
    double x;

    if (iat == NULL)
        return did_err_set(e, DID_ERR_SDJWT_KB_IAT, "the KB-JWT has no \"iat\"");
    if (json_is_integer(iat)) {
        json_int_t t = json_integer_value(iat);
        if (t < lo)
            return did_err_set(e, DID_ERR_SDJWT_KB_IAT, "the KB-JWT is too old (iat)");
        if (t > hi)
            return did_err_set(e, DID_ERR_SDJWT_KB_IAT, "the KB-JWT is issued in the future");
        return DID_OK;
    }
    if (!json_is_real(iat) || !isfinite(x = json_real_value(iat)))
        return did_err_set(e, DID_ERR_SDJWT_KB_IAT, "the KB-JWT \"iat\" is not a NumericDate");
    if (x < (double)lo)
        return did_err_set(e, DID_ERR_SDJWT_KB_IAT, "the KB-JWT is too old (iat)");
    if (x > (double)hi)
        return did_err_set(e, DID_ERR_SDJWT_KB_IAT, "the KB-JWT is issued in the future");
    return DID_OK;
}

/* "aud": the expected string, or an array holding it (RFC 7519 section 4.1.3). */
static int kb_aud_ok(const json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return str_is(aud, want);
    if (!json_is_array(aud))
        return 0;
    for (size_t i = 0; i < json_array_size(aud); i++)
        if (str_is(json_array_get(aud, i), want))
            return 1;
    return 0;
}

/* Step 7 (RFC 9901 section 7.3). */
static void check_kb(vstate *v, const did_sdjwt_parts *parts, const char *in,
                     const did_sdjwt_reassembly *ra, const did_sdjwt_verify_opts *opts, int64_t now)
{
    const did_json_limits lim = {KB_MAX_BYTES, KB_MAX_DEPTH, KB_MAX_BYTES, 64};
    did_jws_verify_opts vo;
    did_jwt_check_opts co;
    did_jws kb;
    json_t *kbc = NULL;
    const json_t *x;
    ck_key *holder = NULL;
    int64_t max_age = opts->kb_max_age != 0 ? opts->kb_max_age : DID_SDJWT_KB_MAX_AGE;
    did_buf h;
    did_err e, je;
    int rc;

    did_jws_init(&kb);
    did_err_clear(&je);
    did_buf_init(&h);
    did_err_clear(&e);
    did_result_check(v->r, DID_CHECK_KEY_BINDING);
    if (parts->kb == NULL) {
        did_err_set(&e, DID_ERR_SDJWT_KB, "key binding is required and there is no KB-JWT");
        fail(v, DID_CHECK_KEY_BINDING, &e);
        goto out;
    }
    if (did_sdjwt_cnf_key(ra->claims, &holder, &e) != DID_OK) {
        fail(v, DID_CHECK_KEY_BINDING, &e);
        goto out;
    }
    memset(&vo, 0, sizeof(vo));
    vo.algs = opts->algs;
    vo.typ = DID_SDJWT_KB_TYP;
    vo.key = holder;
    vo.max_len = parts->kb_len;
    rc = did_jws_verify(NULL, parts->kb, parts->kb_len, &vo, &kb, &je);
    if (rc != DID_OK) {
        if (rc == DID_ERR_NOMEM)
            e = je;
        else
            did_err_set(&e, DID_ERR_SDJWT_KB, "KB-JWT: %s: %s", did_err_name(rc), je.msg);
        fail(v, DID_CHECK_KEY_BINDING, &e);
        goto out;
    }
    rc = did_json_parse(kb.payload, kb.payload_len, &lim, &kbc, &e);
    if (rc != DID_OK || !json_is_object(kbc)) {
        if (rc != DID_ERR_NOMEM)
            did_err_set(&e, DID_ERR_SDJWT_KB, "the KB-JWT claims are not a JSON object");
        fail(v, DID_CHECK_KEY_BINDING, &e);
        goto out;
    }

    /* Bound to this transaction: nonce and audience. */
    did_result_check(v->r, DID_CHECK_CHALLENGE);
    x = json_object_get(kbc, "nonce");
    if (opts->nonce == NULL) {
        did_err_set(&e, DID_ERR_SDJWT_KB_NONCE,
                    "a KB-JWT is present and the verifier gave no nonce to check it against");
        fail(v, DID_CHECK_CHALLENGE, &e);
    } else if (!str_is(x, opts->nonce)) {
        did_err_set(&e, DID_ERR_SDJWT_KB_NONCE, "the KB-JWT nonce is %s the expected one",
                    json_is_string(x) ? "not" : "missing or not a string, so not");
        fail(v, DID_CHECK_CHALLENGE, &e);
    }
    did_result_check(v->r, DID_CHECK_DOMAIN);
    x = json_object_get(kbc, "aud");
    if (opts->aud == NULL) {
        did_err_set(&e, DID_ERR_SDJWT_KB_AUD,
                    "a KB-JWT is present and the verifier gave no audience to check it against");
        fail(v, DID_CHECK_DOMAIN, &e);
    } else if (!kb_aud_ok(x, opts->aud)) {
        did_err_set(&e, DID_ERR_SDJWT_KB_AUD, "the KB-JWT audience does not include \"%s\"",
                    opts->aud);
        fail(v, DID_CHECK_DOMAIN, &e);
    }
    /* Fresh. */
    if (kb_iat(kbc, sat_sub(sat_sub(now, max_age), opts->skew), sat_add(now, opts->skew), &e) !=
        DID_OK)
        fail(v, DID_CHECK_KEY_BINDING, &e);
    /* A valid JWT in every other respect (exp, nbf). */
    memset(&co, 0, sizeof(co));
    co.now = now;
    co.skew = opts->skew;
    co.aud = opts->aud != NULL && kb_aud_ok(x, opts->aud) ? opts->aud : NULL;
    rc = did_jwt_check_claims(kbc, &co, &e);
    if (rc != DID_OK && rc != DID_ERR_JWT_IAT && rc != DID_ERR_JWT_AUD &&
        !(rc == DID_ERR_JWT_CLAIM && co.aud == NULL)) {
        did_err_set(&e, DID_ERR_SDJWT_KB, "KB-JWT claims: %s", did_err_name(rc));
        fail(v, DID_CHECK_KEY_BINDING, &e);
    }
    /* Integrity of the presentation. */
    x = json_object_get(kbc, "sd_hash");
    if ((rc = did_sdjwt_hash_b64(ra->alg, in, parts->hashed_len, &h, &e)) != DID_OK) {
        fail(v, DID_CHECK_KEY_BINDING, &e);
    } else if (!json_is_string(x) || json_string_length(x) != h.len ||
               memcmp(json_string_value(x), h.data, h.len) != 0) {
        did_err_set(&e, DID_ERR_SDJWT_KB_HASH,
                    "the KB-JWT sd_hash is not the %s of the presented SD-JWT",
                    did_sdjwt_alg_name(ra->alg));
        fail(v, DID_CHECK_KEY_BINDING, &e);
    }
out:
    json_decref(kbc);
    did_jws_clear(&kb);
    ck_key_free(holder);
    did_buf_clear(&h);
}

int did_sdjwt_verify(const did_ctx *ctx, const char *in, size_t len,
                     const did_sdjwt_verify_opts *opts, did_result *r, json_t **processed,
                     did_err *err)
{
    did_json_limits lim = ctx != NULL ? *did_ctx_json_limits(ctx) : did_json_limits_default();
    did_sdjwt_parts *parts = NULL;
    did_sdjwt_reassembly ra;
    did_jws_verify_opts vo;
    did_result local;
    did_jws jws;
    json_t *payload = NULL;
    int signed_has[N_VC_FIXED];
    int64_t now;
    vstate v;
    did_err e;
    int vc = 0, rc;

    memset(&ra, 0, sizeof(ra));
    did_jws_init(&jws);
    did_err_clear(&e);
    if (processed != NULL)
        *processed = NULL;
    if (r == NULL) {
        did_result_init(&local);
        r = &local;
    }
    v.r = r;
    v.err = err;
    v.first = DID_OK;
    did_result_set_format(r, "sd-jwt");
    if (in == NULL || opts == NULL) {
        did_err_set(&e, DID_ERR_ARG, "did_sdjwt_verify: NULL argument");
        goto argfail;
    }
    if (opts->issuer_key == NULL && ctx == NULL) {
        did_err_set(&e, DID_ERR_ARG, "did_sdjwt_verify: no issuer key and no context");
        goto argfail;
    }
    if (opts->skew < 0 || opts->kb_max_age < 0) {
        did_err_set(&e, DID_ERR_ARG, "did_sdjwt_verify: negative skew or kb_max_age");
        goto argfail;
    }
    now = opts->now != 0 ? opts->now : did_time_now();
    if ((parts = malloc(sizeof(*parts))) == NULL) {
        did_err_set(&e, DID_ERR_NOMEM, "out of memory");
        goto argfail;
    }

    /* 1. Structure. */
    did_result_check(r, DID_CHECK_FORMAT);
    if (did_sdjwt_split(in, len, opts->max_len != 0 ? opts->max_len : DID_SDJWT_MAX_LEN, parts,
                        &e) != DID_OK) {
        fail(&v, DID_CHECK_FORMAT, &e);
        goto out;
    }

    /* 2. The issuer's signature, before anything of the payload is used. */
    memset(&vo, 0, sizeof(vo));
    vo.algs = opts->algs;
    vo.key = opts->issuer_key;
    vo.rel = DID_REL_ASSERTION_METHOD;
    vo.max_len = parts->jwt_len;
    did_result_check(r, DID_CHECK_SIGNATURE);
    if (did_jws_verify(ctx, parts->jwt, parts->jwt_len, &vo, &jws, &e) != DID_OK) {
        fail(&v, DID_CHECK_SIGNATURE, &e);
        goto out;
    }
    if (check_typ(&jws, opts, &vc, &e) != DID_OK) {
        fail(&v, DID_CHECK_FORMAT, &e);
        goto out;
    }
    /* Digest placeholders sit one level below the deepest reassembled claim. */
    if (lim.max_depth > DID_SDJWT_MAX_DEPTH + 1)
        lim.max_depth = DID_SDJWT_MAX_DEPTH + 1;
    rc = did_json_parse(jws.payload, jws.payload_len, &lim, &payload, &e);
    if (rc == DID_OK && !json_is_object(payload))
        did_err_set(&e, DID_ERR_JWT_CLAIM, "the issuer-signed JWT payload is not a JSON object");
    if (rc != DID_OK || !json_is_object(payload)) {
        if (rc != DID_OK)
            did_err_prefix(&e, "issuer-signed JWT payload");
        fail(&v, DID_CHECK_FORMAT, &e);
        goto out;
    }

    /* 3. Issuer. */
    did_result_check(r, DID_CHECK_ISSUER);
    if (check_issuer(&jws, payload, opts, &e) != DID_OK)
        fail(&v, DID_CHECK_ISSUER, &e);
    for (size_t i = 0; i < N_VC_FIXED; i++)
        signed_has[i] = json_object_get(payload, vc_fixed[i]) != NULL;

    /* 4. Reassembly. */
    did_result_check(r, DID_CHECK_DISCLOSURES);
    if (did_sdjwt_reassemble(payload, parts->disc, parts->disc_len, parts->n_disc, &lim, 0, &ra,
                             &e) != DID_OK) {
        fail(&v, DID_CHECK_DISCLOSURES, &e);
        goto out;
    }

    /* 5. - 7. */
    check_dates(&v, ra.claims, opts, now);
    if (vc)
        check_vc(&v, ra.claims, signed_has);
    if (opts->require_kb || opts->nonce != NULL || parts->kb != NULL)
        check_kb(&v, parts, in, &ra, opts, now);

    if (v.first == DID_OK) {
        did_result_set_document(r, json_incref(ra.claims));
        if (processed != NULL)
            *processed = json_incref(ra.claims);
        did_err_clear(err);
    }
    goto out;
argfail:
    fail(&v, DID_CHECK_FORMAT, &e);
out:
    did_sdjwt_reassembly_clear(&ra);
    json_decref(payload);
    did_jws_clear(&jws);
    free(parts);
    if (r == &local)
        did_result_clear(&local);
    return v.first;
}
