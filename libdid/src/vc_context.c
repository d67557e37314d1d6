/*
 * vc_context.c -- "@context" of credentials, presentations and envelopes (spec/credentials.md
 * sections 1.2 and 1.3): the known context URLs, and the subset of inline contexts we accept
 * without JSON-LD processing. Nothing is ever fetched.
 */
#include <string.h>

#include <did/vc.h>

#include "vc_internal.h"

/* ---------------------------------------------------------------------------------------------
 * @context
 */
static const char *const builtin_contexts[] = {
    DID_VC_CONTEXT_V2,
    DID_VC_CONTEXT_EXAMPLES_V2,
    DID_VC_CONTEXT_DATA_INTEGRITY_V2,
    NULL,
};

/* Terms the VC 2.0 context defines, at its top level or in the contexts scoped to
 * VerifiableCredential / VerifiablePresentation. Its definitions are @protected; an inline
 * context may not define any of them, even where JSON-LD would let a scoped context win. */
static const char *const v2_terms[] = {
    "id",
    "type",
    "kid",
    "iss",
    "sub",
    "jku",
    "x5u",
    "aud",
    "exp",
    "nbf",
    "iat",
    "cnf",
    "_sd_alg",
    "_sd",
    "...",
    "digestSRI",
    "digestMultibase",
    "mediaType",
    "description",
    "name",
    "EnvelopedVerifiableCredential",
    "EnvelopedVerifiablePresentation",
    "VerifiableCredential",
    "VerifiablePresentation",
    "JsonSchemaCredential",
    "JsonSchema",
    "BitstringStatusListCredential",
    "BitstringStatusList",
    "BitstringStatusListEntry",
    "DataIntegrityProof",
    "credentialSchema",
    "credentialStatus",
    "credentialSubject",
    "evidence",
    "validFrom",
    "validUntil",
    "issuer",
    "proof",
    "refreshService",
    "termsOfUse",
    "confidenceMethod",
    "relatedResource",
    "holder",
    "verifiableCredential",
};

/* Keywords a term may be defined as (an alias). */
static const char *const alias_keywords[] = {
    "@id",   "@type", "@value", "@language", "@direction", "@graph", "@json",
    "@list", "@set",  "@index", "@nest",     "@included",  "@none",  "@reverse",
};

static const char *const container_keywords[] = {
    "@list", "@set", "@index", "@language", "@graph", "@id", "@type",
};

static int in_list(const char *s, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return 1;
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int known_context(const did_vc_chk *c, const char *s, size_t n)
{
    for (size_t i = 0; builtin_contexts[i] != NULL; i++)
        if (strlen(builtin_contexts[i]) == n && memcmp(builtin_contexts[i], s, n) == 0)
            return 1;
    for (size_t i = 0; c->contexts != NULL && c->contexts[i] != NULL; i++)
        if (strlen(c->contexts[i]) == n && memcmp(c->contexts[i], s, n) == 0)
            return 1;
    return 0;
}

/* An IRI in an inline context: a URL (compact IRIs "ex:Foo" have URL syntax too). */
static int iri_ok(const json_t *v)
{
    return did_vc_json_is_url(v);
}

static void check_inline(did_vc_chk *c, const json_t *ctx, size_t entry, size_t depth,
                         const char *check, int code);

/* An expanded term definition {"@id": ..., "@type": ..., ...}. */
static void check_term_def(did_vc_chk *c, const char *term, const json_t *def, size_t entry,
                           size_t depth, const char *check, int code)
{
    char buf[DID_VC_SHOWN_MAX + 1];
    const char *t = did_vc_shown(term, strlen(term), buf);
    const char *k;
    const json_t *v;

    json_object_foreach((json_t *)def, k, v)
    {
        int ok;
        if (strcmp(k, "@id") == 0 || strcmp(k, "@reverse") == 0) {
            ok = json_is_null(v) || iri_ok(v) ||
                 (json_is_string(v) && in_list(json_string_value(v), json_string_length(v),
                                               alias_keywords, COUNT(alias_keywords)));
        } else if (strcmp(k, "@type") == 0) {
            ok = iri_ok(v) || did_vc_str_is(v, "@id") || did_vc_str_is(v, "@vocab") ||
                 did_vc_str_is(v, "@json") || did_vc_str_is(v, "@none");
        } else if (strcmp(k, "@container") == 0) {
            ok = json_is_string(v) && in_list(json_string_value(v), json_string_length(v),
                                              container_keywords, COUNT(container_keywords));
            if (json_is_array(v) && json_array_size(v) > 0 &&
                json_array_size(v) <= COUNT(container_keywords)) {
                ok = 1;
                for (size_t i = 0; i < json_array_size(v); i++) {
                    const json_t *e = json_array_get(v, i);
                    if (!json_is_string(e) ||
                        !in_list(json_string_value(e), json_string_length(e), container_keywords,
                                 COUNT(container_keywords)))
                        ok = 0;
                }
            }
        } else if (strcmp(k, "@context") == 0) {
            if (json_is_object(v)) {
                check_inline(c, v, entry, depth + 1, check, code);
                ok = 1;
            } else {
                ok = json_is_null(v);
            }
        } else if (strcmp(k, "@language") == 0 || strcmp(k, "@direction") == 0) {
            ok = json_is_string(v) || json_is_null(v);
        } else if (strcmp(k, "@protected") == 0 || strcmp(k, "@prefix") == 0) {
            ok = json_is_boolean(v);
        } else if (strcmp(k, "@nest") == 0 || strcmp(k, "@index") == 0) {
            ok = json_is_string(v);
        } else {
            did_vc_fail(c, check, code,
                        "@context[%zu]: term \"%s\" has a definition member we do not accept",
                        entry, t);
            continue;
        }
        if (!ok)
            did_vc_fail(c, check, code, "@context[%zu]: term \"%s\": \"%s\" is malformed", entry, t,
                        k);
    }
}

/* An inline context object: "processable as a JSON-LD context" without fetching anything, and
 * leaving every term of the VC 2.0 context as that context defines it. */
static void check_inline(did_vc_chk *c, const json_t *ctx, size_t entry, size_t depth,
                         const char *check, int code)
{
    char buf[DID_VC_SHOWN_MAX + 1];
    const char *k;
    const json_t *v;

    if (depth > DID_VC_MAX_INLINE_DEPTH) {
        did_vc_fail(c, check, DID_ERR_LIMIT, "@context[%zu]: inline contexts nested deeper than %d",
                    entry, DID_VC_MAX_INLINE_DEPTH);
        return;
    }
    if (json_object_size(ctx) > DID_VC_MAX_INLINE_TERMS) {
        did_vc_fail(c, check, DID_ERR_LIMIT,
                    "@context[%zu]: inline context has more than %d members", entry,
                    DID_VC_MAX_INLINE_TERMS);
        return;
    }
    json_object_foreach((json_t *)ctx, k, v)
    {
        size_t kn = strlen(k);
        const char *t = did_vc_shown(k, kn, buf);
        int ok = 1;

        if (kn > 0 && k[0] == '@') {
            if (strcmp(k, "@version") == 0)
                ok = json_is_real(v) && json_real_value(v) == 1.1;
            else if (strcmp(k, "@vocab") == 0 && json_is_null(v)) {
                did_vc_fail(c, check, code,
                            "@context[%zu]: \"@vocab\": null would leave "
                            "every type the VC 2.0 context does not define unmapped",
                            entry);
                continue;
            } else if (strcmp(k, "@vocab") == 0)
                ok = iri_ok(v);
            else if (strcmp(k, "@language") == 0 || strcmp(k, "@direction") == 0)
                ok = json_is_string(v) || json_is_null(v);
            else if (strcmp(k, "@protected") == 0 || strcmp(k, "@propagate") == 0)
                ok = json_is_boolean(v);
            else if (strcmp(k, "@import") == 0) {
                did_vc_fail(c, check, code, "@context[%zu]: \"@import\" would need fetching",
                            entry);
                continue;
            } else {
                did_vc_fail(c, check, code,
                            "@context[%zu]: keyword \"%s\" is not accepted in an inline context",
                            entry, t);
                continue;
            }
            if (!ok)
                did_vc_fail(c, check, code, "@context[%zu]: \"%s\" is malformed", entry, t);
            continue;
        }
        if (in_list(k, kn, v2_terms, COUNT(v2_terms))) {
            did_vc_fail(c, check, code,
                        "@context[%zu]: inline context redefines \"%s\", a term of "
                        "the VC 2.0 context",
                        entry, t);
            continue;
        }
        if (json_is_string(v))
            ok = iri_ok(v) || in_list(json_string_value(v), json_string_length(v), alias_keywords,
                                      COUNT(alias_keywords));
        else if (json_is_object(v))
            check_term_def(c, k, v, entry, depth, check, code);
        else
            ok = json_is_null(v);
        if (!ok)
            did_vc_fail(c, check, code, "@context[%zu]: term \"%s\" is not mapped to a URL", entry,
                        t);
    }
}

/* envelope: also accept the VC 2.0 context as a plain string (VC-JOSE-COSE's examples of
 * EnvelopedVerifiableCredential objects use that form). */
void did_vc_check_context(did_vc_chk *c, const json_t *doc, int envelope, const char *check,
                          int code)
{
    const json_t *ctx = json_object_get(doc, "@context");
    char buf[DID_VC_SHOWN_MAX + 1];
    size_t n;

    did_vc_ran(c, check);
    if (ctx == NULL) {
        did_vc_fail(c, check, code, "\"@context\" is missing");
        return;
    }
    if (envelope && json_is_string(ctx)) {
        if (!did_vc_str_is(ctx, DID_VC_CONTEXT_V2))
            did_vc_fail(c, check, code, "\"@context\" must start with \"%s\"", DID_VC_CONTEXT_V2);
        return;
    }
    if (!json_is_array(ctx)) {
        did_vc_fail(c, check, code, "\"@context\" must be an array");
        return;
    }
    n = json_array_size(ctx);
    if (n == 0 || !did_vc_str_is(json_array_get(ctx, 0), DID_VC_CONTEXT_V2)) {
        did_vc_fail(c, check, code, "\"@context\" must start with \"%s\"", DID_VC_CONTEXT_V2);
        return;
    }
    if (n > DID_VC_MAX_CONTEXTS) {
        did_vc_fail(c, check, DID_ERR_LIMIT, "\"@context\" has more than %d entries",
                    DID_VC_MAX_CONTEXTS);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        const json_t *e = json_array_get(ctx, i);
        if (json_is_object(e)) {
            check_inline(c, e, i, 0, check, code);
        } else if (!json_is_string(e)) {
            did_vc_fail(c, check, code, "@context[%zu] must be a URL or an object", i);
        } else if (!did_vc_json_is_url(e)) {
            did_vc_fail(c, check, code, "@context[%zu] is not a URL", i);
        } else if (did_vc_str_is(e, DID_VC_CONTEXT_V2)) {
            did_vc_fail(c, check, code, "@context[%zu] repeats the VC 2.0 context", i);
        } else if (!known_context(c, json_string_value(e), json_string_length(e))) {
            did_vc_fail(c, check, code,
                        "@context[%zu] \"%s\" is not a context we know (contexts are "
                        "never fetched)",
                        i, did_vc_shown(json_string_value(e), json_string_length(e), buf));
        }
    }
}
