/*
 * vc.c -- VC Data Model 2.0 checks of credentials and presentations (did/vc.h). The rules and
 * their codes are in spec/credentials.md; this file follows its sections in order (the
 * "@context" rules are in vc_context.c, URLs in vc_url.c).
 *
 * Every violation goes through one collector (did_vc_chk) that records it in the caller's
 * result and remembers the first one for the return code and err, so that one call reports
 * all of them. An embedded credential of a presentation is checked with the same collector in
 * "entry" mode: its problems are recorded under DID_CHECK_CREDENTIALS, prefixed with the entry,
 * and the call's return code becomes DID_ERR_VP_CREDENTIAL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <did/time.h>
#include <did/vc.h>

#include "vc_internal.h"

/* ---------------------------------------------------------------------------------------------
 * The collector (vc_internal.h)
 */
const char *did_vc_shown(const char *s, size_t n, char out[DID_VC_SHOWN_MAX + 1])
{
    if (n > DID_VC_SHOWN_MAX)
        return "(too long to show)";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
            return "(not printable)";
        out[i] = (char)ch;
    }
    out[n] = '\0';
    return out;
}

void did_vc_ran(did_vc_chk *c, const char *check)
{
    if (c->r != NULL)
        did_result_check(c->r, c->force != NULL ? c->force : check);
}

void did_vc_fail(did_vc_chk *c, const char *check, int code, const char *fmt, ...)
{
    char msg[DID_ERR_MSG_MAX];
    did_err e;
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    e.code = code;
    (void)snprintf(e.msg, sizeof e.msg, "%s%s", c->prefix, msg);
    if (c->r != NULL)
        (void)did_result_fail(c->r, c->force != NULL ? c->force : check, &e);
    if (c->first == DID_OK) {
        c->first = c->wrap != DID_OK ? c->wrap : code;
        (void)did_err_set(c->err, c->first, "%s", e.msg);
    }
}

int did_vc_str_is(const json_t *v, const char *s)
{
    size_t n = strlen(s);
    return json_is_string(v) && json_string_length(v) == n &&
           memcmp(json_string_value(v), s, n) == 0;
}

int did_vc_json_is_url(const json_t *v)
{
    return json_is_string(v) && did_vc_is_url(json_string_value(v), json_string_length(v), 0);
}

/* ---------------------------------------------------------------------------------------------
 * type, id
 */

/* A "type" value: a non-empty string, or a non-empty array of them (at most the limit). */
static int type_shape(const json_t *t, size_t *bad_limit)
{
    *bad_limit = 0;
    if (json_is_string(t))
        return json_string_length(t) > 0;
    if (!json_is_array(t) || json_array_size(t) == 0)
        return 0;
    if (json_array_size(t) > DID_VC_MAX_TYPES) {
        *bad_limit = 1;
        return 0;
    }
    for (size_t i = 0; i < json_array_size(t); i++) {
        const json_t *e = json_array_get(t, i);
        if (!json_is_string(e) || json_string_length(e) == 0)
            return 0;
    }
    return 1;
}

static void check_type(did_vc_chk *c, const json_t *doc, const char *required)
{
    const json_t *t = json_object_get(doc, "type");
    size_t over;

    did_vc_ran(c, DID_CHECK_TYPE);
    if (t == NULL) {
        did_vc_fail(c, DID_CHECK_TYPE, DID_ERR_VC_TYPE, "\"type\" is missing");
        return;
    }
    if (!type_shape(t, &over)) {
        if (over)
            did_vc_fail(c, DID_CHECK_TYPE, DID_ERR_LIMIT, "\"type\" has more than %d entries",
                        DID_VC_MAX_TYPES);
        else
            did_vc_fail(c, DID_CHECK_TYPE, DID_ERR_VC_TYPE,
                        "\"type\" must be a string or a non-empty array of strings");
        return;
    }
    if (!did_vc_has_type(doc, required))
        did_vc_fail(c, DID_CHECK_TYPE, DID_ERR_VC_TYPE, "\"type\" does not contain \"%s\"",
                    required);
}

static void check_id(did_vc_chk *c, const json_t *doc)
{
    const json_t *id = json_object_get(doc, "id");

    if (id != NULL && !did_vc_json_is_url(id))
        did_vc_fail(c, DID_CHECK_FORMAT, DID_ERR_VC_ID, "\"id\" must be a URL");
}

/* ---------------------------------------------------------------------------------------------
 * issuer, holder
 */
static void check_party(did_vc_chk *c, const json_t *doc, const char *name, int required,
                        const char *check, int code)
{
    const json_t *v = json_object_get(doc, name);

    if (v == NULL) {
        if (required) {
            did_vc_ran(c, check);
            did_vc_fail(c, check, code, "\"%s\" is missing", name);
        }
        return;
    }
    did_vc_ran(c, check);
    if (json_is_string(v)) {
        if (!did_vc_json_is_url(v))
            did_vc_fail(c, check, code, "\"%s\" must be a URL", name);
        return;
    }
    if (!json_is_object(v)) {
        did_vc_fail(c, check, code, "\"%s\" must be a URL or an object with an \"id\"", name);
        return;
    }
    if (json_object_get(v, "id") == NULL)
        did_vc_fail(c, check, code, "\"%s\" object has no \"id\"", name);
    else if (!did_vc_json_is_url(json_object_get(v, "id")))
        did_vc_fail(c, check, code, "\"%s\".\"id\" must be a URL", name);
}

/* ---------------------------------------------------------------------------------------------
 * validFrom, validUntil
 */
static int get_date(did_vc_chk *c, const json_t *doc, const char *name, const char *check,
                    int64_t *t)
{
    const json_t *v = json_object_get(doc, name);
    did_err e;

    if (v == NULL)
        return 0;
    did_vc_ran(c, check);
    if (!json_is_string(v)) {
        did_vc_fail(c, check, DID_ERR_VC_DATE, "\"%s\" must be a dateTimeStamp string", name);
        return 0;
    }
    did_err_clear(&e);
    if (did_datetime_parse(json_string_value(v), json_string_length(v), t, &e) != DID_OK) {
        did_vc_fail(c, check, DID_ERR_VC_DATE, "\"%s\": %s", name, e.msg);
        return 0;
    }
    return 1;
}

static void check_dates(did_vc_chk *c, const json_t *doc)
{
    int64_t from = 0, until = 0;
    int has_from = get_date(c, doc, "validFrom", DID_CHECK_VALID_FROM, &from);
    int has_until = get_date(c, doc, "validUntil", DID_CHECK_VALID_UNTIL, &until);
    char a[DID_DATETIME_BUF], b[DID_DATETIME_BUF];

    if (has_from && has_until && until < from)
        did_vc_fail(c, DID_CHECK_VALID_UNTIL, DID_ERR_VC_DATE,
                    "\"validUntil\" is before \"validFrom\"");
    if (c->ignore_time)
        return;
    /* Dates are years 0001-9999, so now +- skew (both bounded) cannot overflow. */
    if (has_from && from > c->now + c->skew) {
        if (did_datetime_format(c->now, a, NULL) != DID_OK)
            strcpy(a, "?");
        did_vc_fail(c, DID_CHECK_VALID_FROM, DID_ERR_VC_NOT_YET_VALID,
                    "not valid yet: \"validFrom\" is after %s (+%lld s skew)", a,
                    (long long)c->skew);
    }
    if (has_until && until <= c->now - c->skew) {
        if (did_datetime_format(until, b, NULL) != DID_OK)
            strcpy(b, "?");
        did_vc_fail(c, DID_CHECK_VALID_UNTIL, DID_ERR_VC_EXPIRED, "expired: \"validUntil\" is %s",
                    b);
    }
}

/* ---------------------------------------------------------------------------------------------
 * credentialSubject
 */
static void check_subject_obj(did_vc_chk *c, const json_t *s, const char *where)
{
    const json_t *id;

    if (!json_is_object(s)) {
        did_vc_fail(c, DID_CHECK_SUBJECT, DID_ERR_VC_SUBJECT, "%s must be an object", where);
        return;
    }
    if (json_object_size(s) == 0) {
        did_vc_fail(c, DID_CHECK_SUBJECT, DID_ERR_VC_SUBJECT, "%s makes no claims (empty object)",
                    where);
        return;
    }
    id = json_object_get(s, "id");
    if (id != NULL && !did_vc_json_is_url(id))
        did_vc_fail(c, DID_CHECK_SUBJECT, DID_ERR_VC_ID, "%s.\"id\" must be a URL", where);
}

static void check_subject(did_vc_chk *c, const json_t *doc)
{
    const json_t *s = json_object_get(doc, "credentialSubject");
    char where[48];
    size_t n;

    did_vc_ran(c, DID_CHECK_SUBJECT);
    if (s == NULL) {
        did_vc_fail(c, DID_CHECK_SUBJECT, DID_ERR_VC_SUBJECT, "\"credentialSubject\" is missing");
        return;
    }
    if (!json_is_array(s)) {
        check_subject_obj(c, s, "\"credentialSubject\"");
        return;
    }
    n = json_array_size(s);
    if (n == 0) {
        did_vc_fail(c, DID_CHECK_SUBJECT, DID_ERR_VC_SUBJECT, "\"credentialSubject\" is empty");
        return;
    }
    if (n > DID_VC_MAX_SUBJECTS) {
        did_vc_fail(c, DID_CHECK_SUBJECT, DID_ERR_LIMIT,
                    "\"credentialSubject\" has more than %d entries", DID_VC_MAX_SUBJECTS);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        (void)snprintf(where, sizeof where, "credentialSubject[%zu]", i);
        check_subject_obj(c, json_array_get(s, i), where);
    }
}

/* ---------------------------------------------------------------------------------------------
 * credentialStatus, credentialSchema and the other "object or array of objects with a type"
 * members.
 */
#define NEED_TYPE 0x1u   /* "type" required */
#define NEED_ID 0x2u     /* "id" required */
#define NEED_DIGEST 0x4u /* digestSRI or digestMultibase required (relatedResource) */
#define NO_TYPE 0x8u     /* "type" not looked at (relatedResource has none) */

static void check_item(did_vc_chk *c, const json_t *o, const char *name, size_t idx, int is_arr,
                       unsigned need, const char *check, int code)
{
    char where[64];
    const json_t *id, *t;
    size_t over;

    if (is_arr)
        (void)snprintf(where, sizeof where, "%s[%zu]", name, idx);
    else
        (void)snprintf(where, sizeof where, "\"%s\"", name);
    if (!json_is_object(o)) {
        did_vc_fail(c, check, code, "%s must be an object", where);
        return;
    }
    id = json_object_get(o, "id");
    if (id == NULL && (need & NEED_ID))
        did_vc_fail(c, check, code, "%s has no \"id\"", where);
    else if (id != NULL && !did_vc_json_is_url(id))
        did_vc_fail(c, check, (need & NEED_ID) ? code : DID_ERR_VC_ID, "%s.\"id\" must be a URL",
                    where);
    if (!(need & NO_TYPE)) {
        t = json_object_get(o, "type");
        if (t == NULL) {
            if (need & NEED_TYPE)
                did_vc_fail(c, check, code, "%s has no \"type\"", where);
        } else if (!type_shape(t, &over)) {
            did_vc_fail(c, check, code,
                        "%s.\"type\" must be a string or a non-empty array of strings", where);
        }
    }
    if (need & NEED_DIGEST) {
        const json_t *sri = json_object_get(o, "digestSRI");
        const json_t *mb = json_object_get(o, "digestMultibase");
        if ((sri != NULL && !json_is_string(sri)) || (mb != NULL && !json_is_string(mb)))
            did_vc_fail(c, check, code, "%s: digests must be strings", where);
        else if (sri == NULL && mb == NULL)
            did_vc_fail(c, check, code, "%s has neither \"digestSRI\" nor \"digestMultibase\"",
                        where);
    }
}

static void check_items(did_vc_chk *c, const json_t *doc, const char *name, unsigned need,
                        const char *check, int code, int record)
{
    const json_t *v = json_object_get(doc, name);
    size_t n;

    if (v == NULL)
        return;
    if (record)
        did_vc_ran(c, check);
    if (!json_is_array(v)) {
        check_item(c, v, name, 0, 0, need, check, code);
        return;
    }
    n = json_array_size(v);
    if (n == 0) {
        did_vc_fail(c, check, code, "\"%s\" is an empty array", name);
        return;
    }
    if (n > DID_VC_MAX_ENTRIES) {
        did_vc_fail(c, check, DID_ERR_LIMIT, "\"%s\" has more than %d entries", name,
                    DID_VC_MAX_ENTRIES);
        return;
    }
    for (size_t i = 0; i < n; i++)
        check_item(c, json_array_get(v, i), name, i, 1, need, check, code);
}

/* ---------------------------------------------------------------------------------------------
 * Credentials
 */
static int setup(did_vc_chk *c, const json_t *doc, const did_vc_check_opts *opts, did_result *r,
                 did_err *err)
{
    memset(c, 0, sizeof *c);
    c->r = r;
    c->err = err;
    c->prefix = "";
    if (opts != NULL) {
        if (opts->skew < 0 || opts->skew > DID_VC_MAX_SKEW)
            return did_err_set(err, DID_ERR_ARG, "clock skew must be 0..%lld s",
                               (long long)DID_VC_MAX_SKEW);
        c->now = opts->now;
        c->skew = opts->skew;
        c->ignore_time = opts->ignore_time;
        c->contexts = opts->contexts;
    }
    if (c->now == 0)
        c->now = did_time_now();
    /* Keep now within the dateTimeStamp range (years 1-9999) so comparisons cannot overflow. */
    if (c->now < -62135596800LL || c->now > 253402300799LL)
        return did_err_set(err, DID_ERR_ARG, "\"now\" is outside the years 0001-9999");
    if (doc == NULL)
        return did_err_set(err, DID_ERR_ARG, "NULL document");
    return DID_OK;
}

static void check_credential(did_vc_chk *c, const json_t *vc)
{
    if (!json_is_object(vc)) {
        did_vc_ran(c, DID_CHECK_FORMAT);
        did_vc_fail(c, DID_CHECK_FORMAT, DID_ERR_VC_TYPE, "a credential must be a JSON object");
        return;
    }
    did_vc_check_context(c, vc, 0, DID_CHECK_CONTEXT, DID_ERR_VC_CONTEXT);
    check_type(c, vc, "VerifiableCredential");
    check_id(c, vc);
    check_party(c, vc, "issuer", 1, DID_CHECK_ISSUER, DID_ERR_VC_ISSUER);
    check_dates(c, vc);
    check_subject(c, vc);
    /* A status entry is shape-checked here, but the "credentialStatus" check (the list lookup)
     * only counts as run when a status list module does it: record failures, not success. */
    check_items(c, vc, "credentialStatus", NEED_TYPE, DID_CHECK_STATUS, DID_ERR_VC_STATUS, 0);
    check_items(c, vc, "credentialSchema", NEED_TYPE | NEED_ID, DID_CHECK_SCHEMA, DID_ERR_VC_SCHEMA,
                1);
    check_items(c, vc, "evidence", NEED_TYPE, DID_CHECK_FORMAT, DID_ERR_VC_PROPERTY, 0);
    check_items(c, vc, "termsOfUse", NEED_TYPE, DID_CHECK_FORMAT, DID_ERR_VC_PROPERTY, 0);
    check_items(c, vc, "refreshService", NEED_TYPE, DID_CHECK_FORMAT, DID_ERR_VC_PROPERTY, 0);
    check_items(c, vc, "relatedResource", NEED_ID | NEED_DIGEST | NO_TYPE, DID_CHECK_FORMAT,
                DID_ERR_VC_PROPERTY, 0);
}

int did_vc_check(const json_t *vc, const did_vc_check_opts *opts, did_result *r, did_err *err)
{
    did_vc_chk c;
    int rc;

    if ((rc = setup(&c, vc, opts, r, err)) != DID_OK)
        return rc;
    check_credential(&c, vc);
    if (c.first == DID_OK)
        did_err_clear(err);
    return c.first;
}

/* ---------------------------------------------------------------------------------------------
 * Presentations
 */

/* Splits "data:<type>/<subtype>[;base64],<data>" (RFC 2397, no other parameters). */
static int split_data_url(const char *s, size_t n, did_vp_entry *out, did_err *err)
{
    static const char b64[] = ";base64";
    const size_t b64_len = sizeof(b64) - 1;
    const char *comma;
    size_t mt, slash = 0;
    int base64 = 0;

    if (n > DID_VP_MAX_ENVELOPE_LEN)
        return did_err_set(err, DID_ERR_LIMIT, "envelope \"id\" is longer than %zu bytes",
                           DID_VP_MAX_ENVELOPE_LEN);
    /* The scheme compares case-insensitively (RFC 3986 section 3.1). */
    if (n < 5 || (s[0] | 0x20) != 'd' || (s[1] | 0x20) != 'a' || (s[2] | 0x20) != 't' ||
        (s[3] | 0x20) != 'a' || s[4] != ':')
        return did_err_set(err, DID_ERR_VP_CREDENTIAL, "envelope \"id\" is not a data: URL");
    if (!did_vc_is_url(s, n, DID_VP_MAX_ENVELOPE_LEN))
        return did_err_set(err, DID_ERR_VP_CREDENTIAL, "envelope \"id\" is not a valid URL");
    comma = memchr(s + 5, ',', n - 5);
    if (comma == NULL)
        return did_err_set(err, DID_ERR_VP_CREDENTIAL, "envelope data: URL has no ','");
    mt = (size_t)(comma - (s + 5));
    if (mt > b64_len && memcmp(comma - b64_len, b64, b64_len) == 0) {
        base64 = 1;
        mt -= b64_len;
    }
    for (size_t i = 0; i < mt; i++) {
        char ch = s[5 + i];
        if (ch == ';')
            return did_err_set(err, DID_ERR_VP_CREDENTIAL,
                               "envelope data: URL has parameters other than \";base64\"");
        if (ch == '/') {
            if (slash != 0)
                return did_err_set(err, DID_ERR_VP_CREDENTIAL,
                                   "envelope data: URL media type is malformed");
            slash = i;
        }
    }
    if (slash == 0 || slash + 1 == mt)
        return did_err_set(err, DID_ERR_VP_CREDENTIAL,
                           "envelope data: URL needs a media type (type/subtype)");
    if (comma + 1 == s + n)
        return did_err_set(err, DID_ERR_VP_CREDENTIAL, "envelope data: URL has no data");
    out->media_type = s + 5;
    out->media_type_len = mt;
    out->data = comma + 1;
    out->data_len = (size_t)(s + n - out->data);
    out->base64 = base64;
    return DID_OK;
}

static const json_t *vp_entry(const json_t *vp, size_t i)
{
    const json_t *v = json_object_get(vp, "verifiableCredential");
    if (json_is_array(v))
        return json_array_get(v, i);
    return i == 0 ? v : NULL;
}

size_t did_vp_credential_count(const json_t *vp)
{
    const json_t *v = json_object_get(vp, "verifiableCredential");
    if (v == NULL)
        return 0;
    return json_is_array(v) ? json_array_size(v) : 1;
}

int did_vp_credential_get(const json_t *vp, size_t i, did_vp_entry *out, did_err *err)
{
    const json_t *e, *t, *id;
    int rc;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (vp == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_vp_credential_get: NULL argument");
    if (i >= did_vp_credential_count(vp))
        return did_err_set(err, DID_ERR_ARG, "verifiableCredential[%zu] does not exist", i);
    e = vp_entry(vp, i);
    if (!json_is_object(e))
        return did_err_set(err, DID_ERR_VP_CREDENTIAL, "verifiableCredential[%zu] is not an object",
                           i);
    out->obj = e;
    if (!did_vc_has_type(e, "EnvelopedVerifiableCredential")) {
        out->kind = DID_VP_ENTRY_EMBEDDED;
        return DID_OK;
    }
    t = json_object_get(e, "type");
    if (!(json_is_string(t) || json_array_size(t) == 1)) {
        memset(out, 0, sizeof *out);
        return did_err_set(err, DID_ERR_VP_CREDENTIAL,
                           "verifiableCredential[%zu]: an envelope's "
                           "\"type\" must be just \"EnvelopedVerifiableCredential\"",
                           i);
    }
    id = json_object_get(e, "id");
    if (!json_is_string(id)) {
        memset(out, 0, sizeof *out);
        return did_err_set(err, DID_ERR_VP_CREDENTIAL,
                           "verifiableCredential[%zu]: envelope has no \"id\" string", i);
    }
    out->kind = DID_VP_ENTRY_ENVELOPED;
    if ((rc = split_data_url(json_string_value(id), json_string_length(id), out, err)) != DID_OK) {
        char pre[48];
        memset(out, 0, sizeof *out);
        (void)snprintf(pre, sizeof pre, "verifiableCredential[%zu]", i);
        did_err_prefix(err, pre);
        return rc;
    }
    return DID_OK;
}

static void check_vp_entries(did_vc_chk *c, const json_t *vp)
{
    const json_t *v = json_object_get(vp, "verifiableCredential");
    size_t n;

    if (v == NULL)
        return;
    did_vc_ran(c, DID_CHECK_CREDENTIALS);
    if (json_is_array(v) && json_array_size(v) == 0) {
        did_vc_fail(c, DID_CHECK_CREDENTIALS, DID_ERR_VP_CREDENTIAL,
                    "\"verifiableCredential\" is an empty array");
        return;
    }
    n = did_vp_credential_count(vp);
    if (n > DID_VP_MAX_CREDENTIALS) {
        did_vc_fail(c, DID_CHECK_CREDENTIALS, DID_ERR_LIMIT,
                    "\"verifiableCredential\" has more than %d entries", DID_VP_MAX_CREDENTIALS);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char prefix[48];
        did_vp_entry e;
        did_err ee, sub_err;
        did_vc_chk sub;

        did_err_clear(&ee);
        if (did_vp_credential_get(vp, i, &e, &ee) != DID_OK) {
            did_vc_fail(c, DID_CHECK_CREDENTIALS, ee.code, "%s", ee.msg);
            continue;
        }
        /* The entry's problems go to the same result, under DID_CHECK_CREDENTIALS. */
        (void)snprintf(prefix, sizeof prefix, "verifiableCredential[%zu]: ", i);
        sub = *c;
        sub.first = DID_OK;
        sub.prefix = prefix;
        sub.force = DID_CHECK_CREDENTIALS;
        sub.wrap = DID_ERR_VP_CREDENTIAL;
        did_err_clear(&sub_err);
        sub.err = &sub_err;
        if (e.kind == DID_VP_ENTRY_ENVELOPED)
            did_vc_check_context(&sub, e.obj, 1, DID_CHECK_CREDENTIALS, DID_ERR_VP_CREDENTIAL);
        else
            check_credential(&sub, e.obj);
        if (sub.first != DID_OK && c->first == DID_OK) {
            c->first = sub.first;
            (void)did_err_set(c->err, sub.first, "%s", sub_err.msg);
        }
    }
}

int did_vp_check(const json_t *vp, const did_vc_check_opts *opts, did_result *r, did_err *err)
{
    did_vc_chk c;
    int rc;

    if ((rc = setup(&c, vp, opts, r, err)) != DID_OK)
        return rc;
    if (!json_is_object(vp)) {
        did_vc_ran(&c, DID_CHECK_FORMAT);
        did_vc_fail(&c, DID_CHECK_FORMAT, DID_ERR_VC_TYPE, "a presentation must be a JSON object");
        return c.first;
    }
    did_vc_check_context(&c, vp, 0, DID_CHECK_CONTEXT, DID_ERR_VC_CONTEXT);
    check_type(&c, vp, "VerifiablePresentation");
    check_id(&c, vp);
    check_party(&c, vp, "holder", 0, DID_CHECK_HOLDER, DID_ERR_VP_HOLDER);
    check_items(&c, vp, "termsOfUse", NEED_TYPE, DID_CHECK_FORMAT, DID_ERR_VC_PROPERTY, 0);
    check_vp_entries(&c, vp);
    if (c.first == DID_OK)
        did_err_clear(err);
    return c.first;
}

/* ---------------------------------------------------------------------------------------------
 * Helpers
 */
int did_vc_has_type(const json_t *v, const char *type)
{
    const json_t *t = json_object_get(v, "type");

    if (type == NULL)
        return 0;
    if (json_is_string(t))
        return did_vc_str_is(t, type);
    if (!json_is_array(t))
        return 0;
    for (size_t i = 0; i < json_array_size(t); i++)
        if (did_vc_str_is(json_array_get(t, i), type))
            return 1;
    return 0;
}

static int party_id(const json_t *doc, const char *name, int code, const char **id, size_t *len,
                    did_err *err)
{
    const json_t *v = json_object_get(doc, name);

    if (json_is_object(v))
        v = json_object_get(v, "id");
    if (!json_is_string(v))
        return did_err_set(err, code, "\"%s\" (or its \"id\") is missing or not a string", name);
    *id = json_string_value(v);
    if (len != NULL)
        *len = json_string_length(v);
    return DID_OK;
}

int did_vc_issuer_id(const json_t *vc, const char **id, size_t *len, did_err *err)
{
    if (id == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_vc_issuer_id: NULL argument");
    *id = NULL;
    if (len != NULL)
        *len = 0;
    return party_id(vc, "issuer", DID_ERR_VC_ISSUER, id, len, err);
}

int did_vp_holder_id(const json_t *vp, const char **id, size_t *len, did_err *err)
{
    if (id == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_vp_holder_id: NULL argument");
    *id = NULL;
    if (len != NULL)
        *len = 0;
    if (json_object_get(vp, "holder") == NULL)
        return DID_OK;
    return party_id(vp, "holder", DID_ERR_VP_HOLDER, id, len, err);
}
