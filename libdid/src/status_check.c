/*
 * status_check.c -- the Bitstring Status List v1.0 validate algorithm (section 3.2) for a
 * credential's credentialStatus (did/status.h): entry shape, the fetched list credential,
 * purpose, encodedList, index, and what the status means for each purpose.
 *
 * The list credential arrives already verified by the caller's fetch callback; everything here
 * is about what the verified list says.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/status.h>
#include <did/time.h>

#include "status_internal.h"

#define STATUS_DEFAULT_MAX_ENTRIES 16
#define STATUS_MAX_ENTRIES_LIMIT 1024
#define STATUS_MAX_SKEW 86400

/* One distinct statusListCredential URL of this call: what the fetch returned and the last
 * list decoded from it (keyed by status size), so entries sharing a list cost one fetch. */
typedef struct fetched {
    const char *url; /* borrowed from the entry */
    size_t url_len;
    json_t *vc;
    int rc;
    did_err err;
    did_status_list *list;
    unsigned list_size;
} fetched;

typedef struct check_ctx {
    did_status_fetch_fn fetch;
    void *user;
    const did_status_check_opts *opts;
    int64_t now;
    did_result *r;
    fetched *cache; /* one slot per entry */
    size_t n_cache;
} check_ctx;

typedef enum purpose { P_REVOCATION, P_SUSPENSION, P_REFRESH, P_MESSAGE } purpose;

/* The parsed entry. Strings point into the entry JSON. */
typedef struct entry {
    purpose kind;
    const char *purpose;
    size_t purpose_len;
    const char *url;
    size_t url_len;
    uint64_t index;         /* UINT64_MAX when the decimal value is larger */
    unsigned size;          /* statusSize, 1 if absent */
    const json_t *messages; /* statusMessage array or NULL */
} entry;

void did_status_check_opts_init(did_status_check_opts *opts)
{
    if (opts == NULL)
        return;
    memset(opts, 0, sizeof *opts);
    opts->now = 0;
    opts->skew = 0;
    opts->max_entries = STATUS_DEFAULT_MAX_ENTRIES;
    opts->limits = did_status_limits_default();
}

static int str_eq(const json_t *v, const char *s)
{
    size_t n = strlen(s);
    return json_is_string(v) && json_string_length(v) == n &&
           memcmp(json_string_value(v), s, n) == 0;
}

/* "type" (or another member) that is a string equal to want, or an array holding it. */
static int has_value(const json_t *v, const char *want)
{
    if (json_is_string(v))
        return str_eq(v, want);
    if (json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
        {
            if (str_eq(e, want))
                return 1;
        }
    }
    return 0;
}

/* A JSON string with no embedded NUL (so it can be handed on as a C string). */
static int get_cstr(const json_t *obj, const char *name, const char **s, size_t *len)
{
    const json_t *v = json_object_get(obj, name);
    *s = NULL;
    *len = 0;
    if (!json_is_string(v))
        return v == NULL ? 0 : -1;
    *s = json_string_value(v);
    *len = json_string_length(v);
    if (strlen(*s) != *len)
        return -1;
    return 1;
}

/* ------------------------------------------------------------------------------------------- */
/* The entry. */

/* statusListIndex: "an arbitrary size integer greater than or equal to 0, expressed as a string
 * in base 10". One or more ASCII digits; no sign, space, fraction or exponent. Leading zeros
 * are base-10 digits too, so "007" is 7. Values past 2^64 - 1 saturate (beyond any list). */
static int parse_index(const json_t *e, uint64_t *index, did_err *err)
{
    const json_t *v = json_object_get(e, "statusListIndex");
    if (v == NULL)
        return did_err_set(err, DID_ERR_STATUS_INDEX, "statusListIndex is missing");
    if (!json_is_string(v))
        return did_err_set(err, DID_ERR_STATUS_INDEX,
                           "statusListIndex must be a string of decimal digits (not a %s)",
                           json_is_number(v) ? "number" : "non-string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    uint64_t x = 0;
    if (n == 0)
        return did_err_set(err, DID_ERR_STATUS_INDEX, "statusListIndex is empty");
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return did_err_set(err, DID_ERR_STATUS_INDEX,
                               "statusListIndex: byte %zu is not a decimal digit", i);
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            x = UINT64_MAX;
        else if (x != UINT64_MAX)
            x = x * 10 + d;
    }
    *index = x;
    return DID_OK;
}

/* statusMessage: 2^size objects whose "status" values ("0x" + hex) are distinct and below
 * 2^size, each with a string "message". */
static int check_messages(const json_t *m, unsigned size, did_err *err)
{
    uint8_t seen[(1u << DID_STATUS_MAX_SIZE) / 8];
    size_t want = (size_t)1 << size;
    size_t i;
    const json_t *el;

    if (!json_is_array(m))
        return did_err_set(err, DID_ERR_STATUS_ENTRY, "statusMessage must be an array");
    if (json_array_size(m) != want)
        return did_err_set(err, DID_ERR_STATUS_ENTRY,
                           "statusMessage has %zu elements; statusSize %u needs %zu",
                           json_array_size(m), size, want);
    memset(seen, 0, sizeof seen);
    json_array_foreach(m, i, el)
    {
        const char *st, *msg;
        size_t st_len, msg_len;
        if (!json_is_object(el) || get_cstr(el, "status", &st, &st_len) != 1 ||
            get_cstr(el, "message", &msg, &msg_len) != 1)
            return did_err_set(err, DID_ERR_STATUS_ENTRY,
                               "statusMessage[%zu] must be an object with string status and "
                               "message",
                               i);
        if (st_len < 3 || st[0] != '0' || st[1] != 'x')
            return did_err_set(err, DID_ERR_STATUS_ENTRY,
                               "statusMessage[%zu].status must be \"0x\" and hex digits", i);
        size_t val = 0;
        for (size_t k = 2; k < st_len; k++) {
            char c = st[k];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = (unsigned)(c - 'A' + 10);
            else
                return did_err_set(err, DID_ERR_STATUS_ENTRY,
                                   "statusMessage[%zu].status must be \"0x\" and hex digits", i);
            val = val * 16 + d;
            if (val >= want)
                return did_err_set(err, DID_ERR_STATUS_ENTRY,
                                   "statusMessage[%zu].status is not below 2^%u", i, size);
        }
        if (seen[val >> 3] & (1u << (val & 7)))
            return did_err_set(err, DID_ERR_STATUS_ENTRY,
                               "statusMessage[%zu].status repeats the value 0x%zx", i, val);
        seen[val >> 3] = (uint8_t)(seen[val >> 3] | (1u << (val & 7)));
    }
    return DID_OK;
}

/* The message the entry's statusMessage gives value (validated by check_messages), or the
 * specification's defaults "unset" / "set" for a 1-bit entry without one. */
static const char *message_for(const entry *en, unsigned value)
{
    size_t i;
    const json_t *el;

    if (en->messages == NULL)
        return value == 0 ? "unset" : "set";
    json_array_foreach(en->messages, i, el)
    {
        const char *st = json_string_value(json_object_get(el, "status"));
        if (st != NULL && strtoul(st + 2, NULL, 16) == value)
            return json_string_value(json_object_get(el, "message"));
    }
    return "";
}

static int parse_entry(const json_t *e, entry *en, did_err *err)
{
    const char *id;
    size_t id_len;
    int64_t size = 1;
    int present = 0, rc;

    memset(en, 0, sizeof *en);
    if (get_cstr(e, "statusPurpose", &en->purpose, &en->purpose_len) != 1)
        return did_err_set(err, DID_ERR_STATUS_PURPOSE, "statusPurpose missing or not a string");
    if (!did_status_purpose_known(en->purpose, en->purpose_len))
        return did_err_set(err, DID_ERR_STATUS_PURPOSE,
                           "statusPurpose \"%.64s\" is not revocation, suspension, refresh or "
                           "message",
                           en->purpose);
    if (strcmp(en->purpose, DID_STATUS_REVOCATION) == 0)
        en->kind = P_REVOCATION;
    else if (strcmp(en->purpose, DID_STATUS_SUSPENSION) == 0)
        en->kind = P_SUSPENSION;
    else if (strcmp(en->purpose, DID_STATUS_REFRESH) == 0)
        en->kind = P_REFRESH;
    else
        en->kind = P_MESSAGE;
    if ((rc = parse_index(e, &en->index, err)) != DID_OK)
        return rc;
    if (get_cstr(e, "statusListCredential", &en->url, &en->url_len) != 1 ||
        !did_status_url_ok(en->url, en->url_len))
        return did_err_set(err, DID_ERR_STATUS_ENTRY,
                           "statusListCredential missing or not an absolute URL");
    switch (get_cstr(e, "id", &id, &id_len)) {
    case -1:
        return did_err_set(err, DID_ERR_STATUS_ENTRY, "id must be a string");
    case 1:
        if (id_len == en->url_len && memcmp(id, en->url, id_len) == 0)
            return did_err_set(err, DID_ERR_STATUS_ENTRY,
                               "id must not be the statusListCredential URL");
        break;
    default:
        break;
    }
    if (json_object_get(e, "statusSize") != NULL) {
        did_err tmp;
        if (did_json_get_int(e, "statusSize", 0, &size, &present, &tmp) != DID_OK || size < 1)
            return did_err_set(err, DID_ERR_STATUS_ENTRY,
                               "statusSize must be an integer greater than zero");
        if (size > (int64_t)DID_STATUS_MAX_SIZE)
            return did_err_set(err, DID_ERR_LIMIT,
                               "statusSize %" PRId64 " exceeds the supported maximum of %u bits",
                               size, DID_STATUS_MAX_SIZE);
    }
    en->size = (unsigned)size;
    en->messages = json_object_get(e, "statusMessage");
    if (en->messages != NULL) {
        if ((rc = check_messages(en->messages, en->size, err)) != DID_OK)
            return rc;
    } else if (en->size > 1) {
        return did_err_set(err, DID_ERR_STATUS_ENTRY,
                           "statusMessage is required when statusSize is greater than 1");
    }
    return DID_OK;
}

/* ------------------------------------------------------------------------------------------- */
/* The list credential. */

static int list_date(const json_t *vc, const char *name, int64_t *t, int *present, did_err *err)
{
    const json_t *v = json_object_get(vc, name);
    *present = 0;
    if (v == NULL)
        return DID_OK;
    if (!json_is_string(v))
        return did_err_set(err, DID_ERR_STATUS_LIST, "status list credential: %s must be a string",
                           name);
    did_err tmp;
    did_err_clear(&tmp);
    if (did_datetime_parse(json_string_value(v), json_string_length(v), t, &tmp) != DID_OK)
        return did_err_set(err, DID_ERR_STATUS_LIST, "status list credential: %s: %s", name,
                           tmp.msg);
    *present = 1;
    return DID_OK;
}

/* Shape and validity of the verified list credential; *subject is its credentialSubject. */
static int check_list(const check_ctx *c, const json_t *vc, const entry *en, const json_t **subject,
                      did_err *err)
{
    const json_t *id, *s, *purposes;
    int64_t from = 0, until = 0;
    int has_from, has_until, rc;

    if (!json_is_object(vc))
        return did_err_set(err, DID_ERR_STATUS_LIST, "status list credential is not an object");
    if (!has_value(json_object_get(vc, "type"), "VerifiableCredential") ||
        !has_value(json_object_get(vc, "type"), "BitstringStatusListCredential"))
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: type must include VerifiableCredential and "
                           "BitstringStatusListCredential");
    /* The list "MAY express an id that matches statusListCredential". When it has one, it must
     * be that URL: a list signed by the same issuer for another URL is not this list. */
    id = json_object_get(vc, "id");
    if (id != NULL && !(json_is_string(id) && json_string_length(id) == en->url_len &&
                        memcmp(json_string_value(id), en->url, en->url_len) == 0))
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: id is not the statusListCredential URL");
    if ((rc = list_date(vc, "validFrom", &from, &has_from, err)) != DID_OK ||
        (rc = list_date(vc, "validUntil", &until, &has_until, err)) != DID_OK)
        return rc;
    if (has_from && has_until && until < from)
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: validUntil is before validFrom");
    /* Dates are within years 0001-9999 and skew within a day: no overflow this way round. */
    if (has_from && from - c->opts->skew > c->now)
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential is not valid yet (validFrom in the future)");
    if (has_until && until + c->opts->skew < c->now)
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential has expired (validUntil has passed)");
    s = json_object_get(vc, "credentialSubject");
    if (!json_is_object(s))
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: credentialSubject must be one object");
    if (!has_value(json_object_get(s, "type"), "BitstringStatusList"))
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: credentialSubject.type must be "
                           "BitstringStatusList");
    purposes = json_object_get(s, "statusPurpose");
    if (json_is_array(purposes)) {
        size_t i;
        const json_t *p;
        if (json_array_size(purposes) == 0)
            return did_err_set(err, DID_ERR_STATUS_LIST,
                               "status list credential: statusPurpose is an empty array");
        json_array_foreach(purposes, i, p)
        {
            if (!json_is_string(p))
                return did_err_set(err, DID_ERR_STATUS_LIST,
                                   "status list credential: statusPurpose[%zu] is not a string", i);
        }
    } else if (!json_is_string(purposes)) {
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: statusPurpose must be one or more strings");
    }
    if (!json_is_string(json_object_get(s, "encodedList")))
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: encodedList missing or not a string");
    *subject = s;
    return DID_OK;
}

/* What the list says about the entry: purpose, size agreement, the decoded bitstring. */
static int list_matches(const json_t *s, const entry *en, did_err *err)
{
    const json_t *purposes = json_object_get(s, "statusPurpose");
    char want[16];
    int64_t size = 0;
    int present = 0;

    /* purpose_len is at most 10: it is one of the known purposes. */
    memcpy(want, en->purpose, en->purpose_len);
    want[en->purpose_len] = '\0';
    if (!has_value(purposes, want))
        return did_err_set(err, DID_ERR_STATUS_PURPOSE,
                           "the status list is not for statusPurpose \"%s\"", want);
    if (json_object_get(s, "statusSize") != NULL) {
        did_err tmp;
        if (did_json_get_int(s, "statusSize", 0, &size, &present, &tmp) != DID_OK || size < 1)
            return did_err_set(err, DID_ERR_STATUS_LIST,
                               "status list credential: statusSize must be a positive integer");
        if (size != (int64_t)en->size)
            return did_err_set(err, DID_ERR_STATUS_LIST,
                               "status list statusSize %" PRId64 " differs from the entry's %u",
                               size, en->size);
    } else if (en->kind == P_MESSAGE) {
        return did_err_set(err, DID_ERR_STATUS_LIST,
                           "status list credential: statusSize is required for \"message\"");
    }
    return DID_OK;
}

/* The fetch (once per distinct URL). */
static fetched *fetch_list(check_ctx *c, const entry *en)
{
    for (size_t i = 0; i < c->n_cache; i++)
        if (c->cache[i].url_len == en->url_len &&
            memcmp(c->cache[i].url, en->url, en->url_len) == 0)
            return &c->cache[i];
    fetched *f = &c->cache[c->n_cache++]; /* one slot per entry: never full */
    f->url = en->url;
    f->url_len = en->url_len;
    did_err_clear(&f->err);
    f->rc = c->fetch(c->user, en->url, &f->vc, &f->err);
    if (f->rc == DID_OK && f->vc == NULL) {
        f->rc = DID_ERR_INTERNAL;
        did_err_set(&f->err, f->rc, "fetch returned success but no credential");
    }
    if (f->rc != DID_OK) {
        json_decref(f->vc);
        f->vc = NULL;
    }
    return f;
}

/* ------------------------------------------------------------------------------------------- */

static int check_one(check_ctx *c, const json_t *e, const char *where, did_err *err)
{
    const json_t *subject = NULL;
    fetched *f;
    entry en;
    unsigned value = 0;
    int rc;

    if (!json_is_object(e) ||
        !(json_is_string(json_object_get(e, "type")) || json_is_array(json_object_get(e, "type"))))
        return did_err_set(err, DID_ERR_VC_STATUS, "%s is not an object with a type", where);
    if (!has_value(json_object_get(e, "type"), "BitstringStatusListEntry")) {
        const char *t = json_string_value(json_object_get(e, "type"));
        did_result_warn(c->r, DID_CHECK_STATUS, DID_ERR_STATUS_TYPE,
                        "%s: status type \"%.64s\" is not checked", where,
                        t != NULL ? t : "(array)");
        return DID_OK;
    }
    if ((rc = parse_entry(e, &en, err)) != DID_OK)
        goto fail;

    f = fetch_list(c, &en);
    if (f->rc != DID_OK) {
        rc = did_err_set(err, DID_ERR_STATUS_LIST,
                         "status list %.96s could not be obtained (%s): %s", en.url,
                         did_err_name(f->rc), f->err.msg);
        goto fail;
    }
    if ((rc = check_list(c, f->vc, &en, &subject, err)) != DID_OK ||
        (rc = list_matches(subject, &en, err)) != DID_OK)
        goto fail;
    if (f->list == NULL || f->list_size != en.size) {
        const json_t *el = json_object_get(subject, "encodedList");
        did_status_list_free(f->list);
        f->list = NULL;
        if ((rc = did_status_list_decode(json_string_value(el), json_string_length(el), en.size,
                                         &c->opts->limits, &f->list, err)) != DID_OK)
            goto fail;
        f->list_size = en.size;
    }
    if (en.index >= did_status_list_entries(f->list)) {
        rc = did_err_set(err, DID_ERR_STATUS_INDEX,
                         "statusListIndex is beyond the list of %zu entries",
                         did_status_list_entries(f->list));
        goto fail;
    }
    if ((rc = did_status_list_get(f->list, (size_t)en.index, &value, err)) != DID_OK)
        goto fail;
    if (value == 0)
        return DID_OK;
    /* A non-zero status: "valid" is false (spec 3.2 step 12); what that means is the
     * purpose's. */
    switch (en.kind) {
    case P_REVOCATION:
        rc = did_err_set(err, DID_ERR_STATUS_REVOKED, "revoked (list %.96s, index %" PRIu64 ")",
                         en.url, en.index);
        goto fail;
    case P_SUSPENSION:
        rc = did_err_set(err, DID_ERR_STATUS_SUSPENDED, "suspended (list %.96s, index %" PRIu64 ")",
                         en.url, en.index);
        goto fail;
    case P_REFRESH:
        did_result_warn(c->r, DID_CHECK_STATUS, DID_ERR_STATUS_REFRESH,
                        "%s: a refreshed credential is available (list %.96s, index %" PRIu64 ")",
                        where, en.url, en.index);
        return DID_OK;
    case P_MESSAGE:
    default:
        did_result_warn(c->r, DID_CHECK_STATUS, DID_ERR_STATUS_MESSAGE, "%s: status 0x%x: %.128s",
                        where, value, message_for(&en, value));
        return DID_OK;
    }
fail:
    did_err_prefix(err, where);
    return rc;
}

int did_status_check(const json_t *credential_status, did_status_fetch_fn fetch, void *user,
                     const did_status_check_opts *opts, did_result *r, did_err *err)
{
    did_status_check_opts defaults;
    check_ctx c;
    size_t n;
    int first = DID_OK;

    if (credential_status == NULL || fetch == NULL || r == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_check: NULL argument");
    if (opts == NULL) {
        did_status_check_opts_init(&defaults);
        opts = &defaults;
    }
    if (opts->skew < 0 || opts->skew > STATUS_MAX_SKEW ||
        opts->max_entries > STATUS_MAX_ENTRIES_LIMIT || opts->limits.max_compressed == 0 ||
        opts->limits.max_decoded < DID_STATUS_MIN_BYTES)
        return did_err_set(err, DID_ERR_ARG,
                           "did_status_check: skew must be 0..%d s, max_entries at most %d, and "
                           "the limits valid (did_status_check_opts_init)",
                           STATUS_MAX_SKEW, STATUS_MAX_ENTRIES_LIMIT);
    memset(&c, 0, sizeof c);
    c.fetch = fetch;
    c.user = user;
    c.opts = opts;
    c.r = r;
    c.now = opts->now != 0 ? opts->now : did_time_now();
    size_t max = opts->max_entries != 0 ? opts->max_entries : STATUS_DEFAULT_MAX_ENTRIES;

    did_result_check(r, DID_CHECK_STATUS);
    n = json_is_array(credential_status) ? json_array_size(credential_status) : 1;
    if (n > max) {
        did_err e;
        did_err_set(&e, DID_ERR_LIMIT,
                    "credentialStatus has %zu entries, more than the limit of %zu", n, max);
        did_result_fail(r, DID_CHECK_STATUS, &e);
        if (err != NULL)
            *err = e;
        return DID_ERR_LIMIT;
    }
    if (n == 0)
        return DID_OK;
    c.cache = calloc(n, sizeof *c.cache);
    if (c.cache == NULL) {
        did_err e;
        did_err_set(&e, DID_ERR_NOMEM, "credentialStatus: out of memory");
        did_result_fail(r, DID_CHECK_STATUS, &e);
        if (err != NULL)
            *err = e;
        return DID_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_is_array(credential_status) ? json_array_get(credential_status, i)
                                                           : credential_status;
        char where[40];
        did_err e_err;
        if (json_is_array(credential_status))
            snprintf(where, sizeof where, "credentialStatus[%zu]", i);
        else
            snprintf(where, sizeof where, "credentialStatus");
        did_err_clear(&e_err);
        int rc = check_one(&c, e, where, &e_err);
        if (rc != DID_OK) {
            did_result_fail(r, DID_CHECK_STATUS, &e_err);
            if (first == DID_OK) {
                first = rc;
                if (err != NULL)
                    *err = e_err;
            }
        }
    }
    for (size_t i = 0; i < c.n_cache; i++) {
        json_decref(c.cache[i].vc);
        did_status_list_free(c.cache[i].list);
    }
    free(c.cache);
    return first;
}
