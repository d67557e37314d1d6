/*
 * fuzz_policy.c -- the UCAN policy language (did/policy.h): parser and evaluator.
 *
 * Input: policy JSON text, a newline, then the arguments as JSON text (no newline: the whole
 * input is the policy, evaluated against {}). Invariants (abort on violation): only documented
 * codes come back; a policy that parses evaluates without error except DID_ERR_LIMIT (steps) or
 * DID_ERR_NOMEM; *match is 0 or 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/policy.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl != NULL ? (size_t)(nl - data) : size;
    json_t *pol = NULL, *args = NULL;
    int match = -1, rc;
    did_err e;

    rc = did_policy_parse(data, plen, &pol, &e);
    if (rc != DID_OK) {
        if (pol != NULL)
            abort();
        if (rc != DID_ERR_POLICY_SYNTAX && rc != DID_ERR_LIMIT && rc != DID_ERR_NOMEM &&
            (rc < 200 || rc > 208))
            abort();
        return 0;
    }
    if (nl != NULL) {
        if (did_json_parse(nl + 1, size - plen - 1, NULL, &args, &e) != DID_OK)
            args = json_object();
    } else {
        args = json_object();
    }
    rc = did_policy_eval(pol, args, &match, NULL, &e);
    if (rc != DID_OK && rc != DID_ERR_LIMIT && rc != DID_ERR_NOMEM)
        abort();
    if (rc == DID_OK && match != 0 && match != 1)
        abort();
    json_decref(pol);
    json_decref(args);
    return 0;
}
