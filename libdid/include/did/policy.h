/*
 * did/policy.h -- the UCAN 1.0 policy language over JSON arguments (spec/approvals.md, "Policy").
 *
 * A policy is a JSON array of statements, all of which must hold (an implicit "and"):
 *   ["==", sel, value]  ["!=", sel, value]       deep equality; numbers compare by value (1 == 1.0)
 *   ["<", sel, num] ["<=", ..] [">", ..] [">=", ..]  numbers only; any other type: false
 *   ["like", sel, "glob"]                        strings only; '*' any run, "\*" a star, "\\" a
 *                                                backslash
 *   ["not", stmt]  ["and", [stmt...]]  ["or", [stmt...]]     (empty "and" and "or" hold)
 *   ["all", sel, stmt]  ["any", sel, stmt]       over an array's elements or an object's values;
 *                                                "all" of nothing holds, "any" of nothing fails
 * Selectors (jq-like): "." the value itself, ".name", ".[\"any key\"]", "[n]" / "[-n]" (from the
 * end), "[a:b]" slices of arrays; "?" after a segment makes it optional (a miss gives null).
 *
 * A selector that cannot be resolved (missing key, index out of range, wrong container type) and
 * is not optional does not make its statement merely false: it fails the whole evaluation, so a
 * "not" or an "or" cannot turn a missing argument into a pass (fail closed; UCAN: "MUST fail").
 * A type mismatch in a comparison is false (UCAN). The evaluator works on the parsed JSON and
 * allocates only for slices.
 */
#ifndef DID_POLICY_H
#define DID_POLICY_H

#include <jansson.h>

#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_POLICY_MAX_DEPTH 16        /* nesting of statements (not/and/or/all/any) */
#define DID_POLICY_MAX_NODES 256       /* statements in one policy, all levels counted */
#define DID_POLICY_MAX_SELECTOR 256    /* bytes of one selector */
#define DID_POLICY_MAX_SEGMENTS 16     /* segments of one selector */
#define DID_POLICY_MAX_PATTERN 512     /* bytes of one like pattern */
#define DID_POLICY_MAX_STEPS 100000    /* statement evaluations and comparisons in one eval */
#define DID_POLICY_MAX_TEXT (64 << 10) /* bytes of a policy given as JSON text */

/* Checks that policy is a syntactically valid policy (array of statements) within the limits
 * above. DID_ERR_POLICY_SYNTAX names the statement path and what is wrong; DID_ERR_LIMIT for
 * DID_POLICY_MAX_DEPTH / _NODES. */
int did_policy_check(const json_t *policy, did_err *err);

/* Parses JSON text (strict, did_json_parse) into a checked policy; *out is a new reference. */
int did_policy_parse(const void *text, size_t len, json_t **out, did_err *err);

/* Checks policy, then evaluates it against args. *match is 1 when every statement holds, 0
 * otherwise (including an unresolvable selector); *failed (optional) receives the index of the
 * first top-level statement that did not hold. Errors: those of did_policy_check, DID_ERR_LIMIT
 * past DID_POLICY_MAX_STEPS, DID_ERR_NOMEM. */
int did_policy_eval(const json_t *policy, const json_t *args, int *match, size_t *failed,
                    did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_POLICY_H */
