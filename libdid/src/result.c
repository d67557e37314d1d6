/* The structured verification result (did/result.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <did/result.h>

/* Copies at most cap - 1 bytes of s into dst and terminates it. */
static void copy_name(char *dst, size_t cap, const char *s)
{
    size_t n = s != NULL ? strnlen(s, cap - 1) : 0;
    if (n > 0)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

void did_result_init(did_result *r)
{
    /* Only the counts and the document: the arrays (about 20 KB) are read only below their
     * counts, and clearing them on every verification showed up in the profile. */
    r->format[0] = '\0';
    r->n_checks = 0;
    r->n_errors = 0;
    r->n_warnings = 0;
    r->dropped = 0;
    r->dropped_error = 0;
    r->document = NULL;
}

void did_result_clear(did_result *r)
{
    json_decref(r->document);
    did_result_init(r);
}

void did_result_set_format(did_result *r, const char *format)
{
    copy_name(r->format, sizeof r->format, format);
}

void did_result_check(did_result *r, const char *check)
{
    char name[DID_CHECK_NAME_MAX];
    if (check == NULL || check[0] == '\0')
        return;
    copy_name(name, sizeof name, check);
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i], name) == 0)
            return;
    if (r->n_checks == DID_RESULT_MAX_CHECKS)
        return; /* every check name is a DID_CHECK_* constant: fewer than the bound */
    memcpy(r->checks[r->n_checks++], name, sizeof name);
}

static did_problem *add_problem(did_result *r, did_problem *list, size_t *n, int is_error)
{
    if (*n == DID_RESULT_MAX_PROBLEMS) {
        r->dropped++;
        if (is_error)
            r->dropped_error = 1;
        return NULL;
    }
    return &list[(*n)++];
}

int did_result_fail(did_result *r, const char *check, const did_err *err)
{
    int code = (err != NULL && err->code != DID_OK) ? err->code : DID_ERR_INTERNAL;
    did_result_check(r, check);
    did_problem *p = add_problem(r, r->errors, &r->n_errors, 1);
    if (p != NULL) {
        p->code = code;
        copy_name(p->check, sizeof p->check, check);
        copy_name(p->msg, sizeof p->msg, err != NULL ? err->msg : "");
    }
    return code;
}

void did_result_warn(did_result *r, const char *check, int code, const char *fmt, ...)
{
    did_result_check(r, check);
    did_problem *p = add_problem(r, r->warnings, &r->n_warnings, 0);
    if (p == NULL)
        return;
    p->code = code;
    copy_name(p->check, sizeof p->check, check);
    p->msg[0] = '\0';
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(p->msg, sizeof p->msg, fmt, ap);
        va_end(ap);
    }
}

int did_result_verified(const did_result *r)
{
    return r->n_checks > 0 && r->n_errors == 0 && !r->dropped_error;
}

void did_result_set_document(did_result *r, json_t *doc)
{
    json_decref(r->document);
    r->document = doc;
}

static json_t *problems_json(const did_problem *list, size_t n)
{
    json_t *arr = json_array();
    if (arr == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:i, s:s, s:s, s:s}", "code", list[i].code, "name",
                              did_err_name(list[i].code), "check", list[i].check, "message",
                              list[i].msg);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

json_t *did_result_to_json(const did_result *r)
{
    json_t *checks = json_array();
    json_t *errors = problems_json(r->errors, r->n_errors);
    json_t *warnings = problems_json(r->warnings, r->n_warnings);
    json_t *out = NULL;
    if (checks == NULL || errors == NULL || warnings == NULL)
        goto fail;
    for (size_t i = 0; i < r->n_checks; i++)
        if (json_array_append_new(checks, json_string(r->checks[i])) != 0)
            goto fail;
    out = json_pack("{s:b, s:s, s:o, s:o, s:o}", "verified", did_result_verified(r), "format",
                    r->format, "checks", checks, "errors", errors, "warnings", warnings);
    checks = errors = warnings = NULL; /* "o" steals the references, even on failure */
    if (out == NULL)
        return NULL;
    if (r->dropped > 0 &&
        json_object_set_new(out, "dropped", json_integer((json_int_t)r->dropped)) != 0)
        goto fail;
    if (r->document != NULL && json_object_set(out, "document", r->document) != 0)
        goto fail;
    return out;
fail:
    json_decref(checks);
    json_decref(errors);
    json_decref(warnings);
    json_decref(out);
    return NULL;
}
