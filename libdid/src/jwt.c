/*
 * jwt.c -- JWT (RFC 7519) on top of jws.c: the registered time, issuer and audience claims,
 * and signing a claims set in JCS form.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <did/jose.h>
#include <did/json.h>

/* A NumericDate as floor(value) and whether it had a fraction, so that every comparison
 * with an integer bound is exact; `beyond` is +1/-1 for values outside the int64 range. */
typedef struct num_date {
    int64_t floor;
    int frac;
    int beyond;
} num_date;

/* Reads a NumericDate claim (RFC 7519 section 2: a JSON number, fractions allowed). */
static int get_date(const json_t *claims, const char *name, int required, num_date *d, int *present,
                    did_err *err)
{
    const json_t *v = json_object_get(claims, name);

    *present = 0;
    d->floor = 0;
    d->frac = 0;
    d->beyond = 0;
    if (v == NULL) {
        if (required)
            return did_err_set(err, DID_ERR_JWT_CLAIM, "required claim \"%s\" is missing", name);
        return DID_OK;
    }
    if (json_is_integer(v)) {
        d->floor = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        double x = json_real_value(v);
        if (!isfinite(x))
            return did_err_set(err, DID_ERR_JWT_CLAIM, "claim \"%s\" is not a finite number", name);
        /* 2^63 is exact as a double; inside [-2^63, 2^63) the cast to int64 is defined. */
        if (x >= 9223372036854775808.0) {
            d->beyond = 1;
        } else if (x < -9223372036854775808.0) {
            d->beyond = -1;
        } else {
            int64_t t = (int64_t)x; /* truncates towards zero */
            if ((double)t != x) {
                d->frac = 1;
                /* Doubles this close to -2^63 have no fraction, so t - 1 cannot overflow. */
                d->floor = x < 0 ? t - 1 : t;
            } else {
                d->floor = t;
            }
        }
    } else {
        return did_err_set(err, DID_ERR_JWT_CLAIM, "claim \"%s\" must be a NumericDate (number)",
                           name);
    }
    *present = 1;
    return DID_OK;
}

/* value <= bound, for an integer bound; bound_below: the true bound is below INT64_MIN. */
static int date_le(const num_date *d, int64_t bound, int bound_below)
{
    if (bound_below || d->beyond > 0)
        return 0;
    if (d->beyond < 0)
        return 1;
    /* For a non-integer x: x <= b  <=>  x < b  <=>  floor(x) < b. */
    return d->frac ? d->floor < bound : d->floor <= bound;
}

/* value > bound; bound_above: the true bound is above INT64_MAX. */
static int date_gt(const num_date *d, int64_t bound, int bound_above)
{
    if (bound_above || d->beyond < 0)
        return 0;
    if (d->beyond > 0)
        return 1;
    /* For a non-integer x: x > b  <=>  floor(x) >= b. */
    return d->frac ? d->floor >= bound : d->floor > bound;
}

static int get_string_claim(const json_t *claims, const char *name, const json_t **v, did_err *err)
{
    *v = json_object_get(claims, name);
    if (*v != NULL && !json_is_string(*v))
        return did_err_set(err, DID_ERR_JWT_CLAIM, "claim \"%s\" must be a string", name);
    return DID_OK;
}

static int str_is(const json_t *s, const char *want)
{
    size_t n = strlen(want);
    return json_string_length(s) == n && memcmp(json_string_value(s), want, n) == 0;
}

int did_jwt_check_claims(const json_t *claims, const did_jwt_check_opts *opts, did_err *err)
{
    num_date d;
    const json_t *iss, *aud;
    int64_t now, lo, hi;
    int present, lo_below, hi_above, rc;

    if (claims == NULL || opts == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_jwt_check_claims: NULL argument");
    if (opts->skew < 0)
        return did_err_set(err, DID_ERR_ARG, "did_jwt_check_claims: negative clock skew");
    if (!json_is_object(claims))
        return did_err_set(err, DID_ERR_JWT_CLAIM, "JWT claims set is not a JSON object");
    now = opts->now != 0 ? opts->now : (int64_t)time(NULL);
    /* now - skew and now + skew without overflow: a bound past the int64 range means no
     * NumericDate can be on the far side of it. */
    lo_below = now < INT64_MIN + opts->skew;
    lo = lo_below ? INT64_MIN : now - opts->skew;
    hi_above = now > INT64_MAX - opts->skew;
    hi = hi_above ? INT64_MAX : now + opts->skew;

    if ((rc = get_date(claims, "exp", opts->require_exp, &d, &present, err)) != DID_OK)
        return rc;
    if (present && date_le(&d, lo, lo_below))
        return did_err_set(err, DID_ERR_JWT_EXPIRED, "JWT expired (exp <= now - %lld s skew)",
                           (long long)opts->skew);
    if ((rc = get_date(claims, "nbf", 0, &d, &present, err)) != DID_OK)
        return rc;
    if (present && date_gt(&d, hi, hi_above))
        return did_err_set(err, DID_ERR_JWT_NOT_YET, "JWT not valid yet (nbf > now + %lld s skew)",
                           (long long)opts->skew);
    if ((rc = get_date(claims, "iat", opts->require_iat, &d, &present, err)) != DID_OK)
        return rc;
    if (present && date_gt(&d, hi, hi_above))
        return did_err_set(err, DID_ERR_JWT_IAT,
                           "JWT issued in the future (iat > now + %lld s skew)",
                           (long long)opts->skew);

    if ((rc = get_string_claim(claims, "iss", &iss, err)) != DID_OK)
        return rc;
    if (opts->iss != NULL) {
        if (iss == NULL)
            return did_err_set(err, DID_ERR_JWT_CLAIM, "required claim \"iss\" is missing");
        if (!str_is(iss, opts->iss))
            return did_err_set(err, DID_ERR_JWT_ISS, "JWT issuer is not \"%s\"", opts->iss);
    }

    aud = json_object_get(claims, "aud");
    if (aud != NULL && !json_is_string(aud)) {
        if (!json_is_array(aud))
            return did_err_set(err, DID_ERR_JWT_CLAIM,
                               "claim \"aud\" must be a string or an array of strings");
        for (size_t i = 0; i < json_array_size(aud); i++)
            if (!json_is_string(json_array_get(aud, i)))
                return did_err_set(err, DID_ERR_JWT_CLAIM,
                                   "claim \"aud\" entry %zu is not a string", i);
    }
    if (opts->aud == NULL) {
        /* RFC 7519 section 4.1.3: a recipient that does not identify itself with a value in a
         * present "aud" must reject the JWT. A caller that names no audience has none. */
        if (aud != NULL)
            return did_err_set(err, DID_ERR_JWT_AUD,
                               "JWT has an audience and the verifier named none");
        return DID_OK;
    }
    if (aud == NULL)
        return did_err_set(err, DID_ERR_JWT_CLAIM, "required claim \"aud\" is missing");
    if (json_is_string(aud)) {
        if (str_is(aud, opts->aud))
            return DID_OK;
    } else {
        for (size_t i = 0; i < json_array_size(aud); i++)
            if (str_is(json_array_get(aud, i), opts->aud))
                return DID_OK;
    }
    return did_err_set(err, DID_ERR_JWT_AUD, "JWT audience does not include \"%s\"", opts->aud);
}

int did_jwt_verify(const did_ctx *ctx, const char *jwt, size_t len,
                   const did_jws_verify_opts *jws_opts, const did_jwt_check_opts *claim_opts,
                   did_jws *out, json_t **claims, did_err *err)
{
    static const did_jwt_check_opts defaults; /* now, no skew, nothing required */
    json_t *c = NULL;
    did_err e;
    int rc;

    if (out != NULL)
        did_jws_init(out);
    if (claims != NULL)
        *claims = NULL;
    if (out == NULL || claims == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_jwt_verify: NULL argument");
    if (claim_opts == NULL)
        claim_opts = &defaults;
    if ((rc = did_jws_verify(ctx, jwt, len, jws_opts, out, err)) != DID_OK)
        return rc;
    /* JSON errors in the claims set keep their own codes (DID_ERR_JSON_*). ctx NULL (a
     * caller-supplied key) parses with the default limits. */
    did_err_clear(&e);
    rc = did_json_parse(out->payload, out->payload_len,
                        ctx != NULL ? did_ctx_json_limits(ctx) : NULL, &c, &e);
    if (rc != DID_OK) {
        did_err_set(err, rc, "JWT claims set: %s", e.msg);
        goto fail;
    }
    if (!json_is_object(c)) {
        rc = did_err_set(err, DID_ERR_JWT_CLAIM, "JWT claims set is not a JSON object");
        goto fail;
    }
    if ((rc = did_jwt_check_claims(c, claim_opts, err)) != DID_OK)
        goto fail;
    *claims = c;
    return DID_OK;
fail:
    json_decref(c);
    did_jws_clear(out);
    return rc;
}

int did_jwt_sign(const ck_key *key, const did_jws_sign_opts *opts, const json_t *claims,
                 did_buf *out, did_err *err)
{
    did_buf payload;
    int rc;

    if (!json_is_object(claims))
        return did_err_set(err, DID_ERR_ARG, "did_jwt_sign: claims must be a JSON object");
    did_buf_init(&payload);
    rc = did_jcs_write(claims, &payload, err);
    if (rc == DID_OK)
        rc = did_jws_sign(key, opts, payload.data, payload.len, out, err);
    did_buf_clear(&payload);
    return rc;
}
