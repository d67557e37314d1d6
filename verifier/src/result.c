/* The VC-API verification result: {"verified", "checks", "warnings", "errors"}, with warnings
 * and errors as RFC 9457 problem details carrying civid's stable code and name. */
#include <verifier/verifier.h>

static json_t *problems(const ch_server *s, const did_problem *list, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *p = ch_problem_json(s, 0, list[i].code, list[i].msg);
        if (p == NULL ||
            (list[i].check[0] != '\0' &&
             json_object_set_new(p, "check", json_string(list[i].check)) != 0) ||
            json_array_append_new(arr, p) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

json_t *verifier_result_json(const ch_server *s, const did_result *r, const char *doc_member)
{
    json_t *checks = json_array();
    json_t *errors = problems(s, r->errors, r->n_errors);
    json_t *warnings = problems(s, r->warnings, r->n_warnings);
    json_t *out = NULL;
    if (checks == NULL || errors == NULL || warnings == NULL)
        goto fail;
    for (size_t i = 0; i < r->n_checks; i++)
        if (json_array_append_new(checks, json_string(r->checks[i])) != 0)
            goto fail;
    /* More problems than a result holds: say so, as an error when an error was dropped. */
    if (r->dropped > 0) {
        json_t *p =
            ch_problem_json(s, 0, DID_ERR_LIMIT, "more problems than a result holds were dropped");
        if (p == NULL || json_array_append_new(r->dropped_error ? errors : warnings, p) != 0)
            goto fail;
    }
    out = json_pack("{s:b, s:o, s:o, s:o}", "verified", did_result_verified(r), "checks", checks,
                    "warnings", warnings, "errors", errors);
    checks = errors = warnings = NULL; /* "o" takes the references, even on failure */
    if (out == NULL)
        return NULL;
    if (doc_member != NULL && r->document != NULL &&
        json_object_set(out, doc_member, r->document) != 0)
        goto fail;
    return out;
fail:
    json_decref(checks);
    json_decref(errors);
    json_decref(warnings);
    json_decref(out);
    return NULL;
}
