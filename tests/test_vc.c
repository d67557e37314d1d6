/* VC Data Model 2.0 checks (did/vc.h).
 *
 * Documents used:
 *  - EX1: the credential of VC-JOSE-COSE (Recommendation 2025-05-15) example 1, which is VCDM
 *    2.0's example "Using the credentialSchema property to perform JSON schema validation";
 *  - EX_STATUS: VCDM 2.0's BitstringStatusListEntry example credential;
 *  - EX_VP: VC-JOSE-COSE example 2, a presentation with an EnvelopedVerifiableCredential whose
 *    "@context" is a plain string;
 *  - the inputs of the W3C VC Data Model 2.0 test suite (w3c/vc-data-model-2.0-test-suite,
 *    tests/input/credential-*.json) named in each test, with "issuer" added where the suite's
 *    issuer endpoint would add it.
 * Every negative case is a mutation of a valid document and asserts the specific code and the
 * check it is recorded under. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>
#include <did/vc.h>

#include "support.h"

#define NOW 1700000000 /* 2023-11-14T22:13:20Z */
#define NOW_STR "2023-11-14T22:13:20Z"

#define V2 "\"https://www.w3.org/ns/credentials/v2\""
#define EXV2 "\"https://www.w3.org/ns/credentials/examples/v2\""

static const char EX1[] =
    "{\"@context\": [" V2 ", " EXV2 "],"
    " \"id\": \"http://university.example/credentials/3732\","
    " \"type\": [\"VerifiableCredential\", \"ExampleDegreeCredential\","
    " \"ExamplePersonCredential\"],"
    " \"issuer\": \"https://university.example/issuers/14\","
    " \"validFrom\": \"2010-01-01T19:23:24Z\","
    " \"credentialSubject\": {\"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\","
    "   \"degree\": {\"type\": \"ExampleBachelorDegree\","
    "   \"name\": \"Bachelor of Science and Arts\"},"
    "   \"alumniOf\": {\"name\": \"Example University\"}},"
    " \"credentialSchema\": [{\"id\": \"https://example.org/examples/degree.json\","
    "   \"type\": \"JsonSchema\"},"
    "  {\"id\": \"https://example.org/examples/alumni.json\", \"type\": \"JsonSchema\"}]}";

static const char EX_STATUS[] =
    "{\"@context\": [" V2 ", " EXV2 "],"
    " \"id\": \"https://example.com/credentials/23894672394\","
    " \"type\": [\"VerifiableCredential\"], \"issuer\": \"did:example:12345\","
    " \"validFrom\": \"2021-04-05T14:27:42Z\","
    " \"credentialStatus\": {\"id\": \"https://example.com/credentials/status/3#94567\","
    "   \"type\": \"BitstringStatusListEntry\", \"statusPurpose\": \"revocation\","
    "   \"statusListIndex\": \"94567\","
    "   \"statusListCredential\": \"https://example.com/credentials/status/3\"},"
    " \"credentialSubject\": {\"id\": \"did:example:6789\", \"type\": \"Person\"}}";

static const char EX_ISSUER_OBJ[] =
    "{\"@context\": [" V2 ", " EXV2 "],"
    " \"id\": \"http://university.example/credentials/3732\","
    " \"type\": [\"VerifiableCredential\", \"ExampleDegreeCredential\"],"
    " \"issuer\": {\"id\": \"https://university.example/issuers/565049\","
    "   \"name\": \"Example University\","
    "   \"description\": \"A public university focusing on teaching examples.\"},"
    " \"validFrom\": \"2015-05-10T12:30:00Z\", \"name\": \"Example University Degree\","
    " \"credentialSubject\": {\"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\","
    "   \"degree\": {\"type\": \"ExampleBachelorDegree\","
    "   \"name\": \"Bachelor of Science and Arts\"}}}";

#define EX_JWT                                                                                    \
    "eyJraWQiOiJFeEhrQk1XOWZtYmt2VjI2Nm1ScHVQMnNVWV9OX0VXSU4xbGFwVXpPOHJvIiwiYWxnIjoiRVMzODQifQ." \
    "eyJAY29udGV4dCI6WyJodHRwczovL3d3dy53My5vcmcvbnMvY3JlZGVudGlhbHMvdjIiLCJodHRwczovL3d3dy53My5" \
    "vcmcvbnMvY3JlZGVudGlhbHMvZXhhbXBsZXMvdjIiXSwiaWQiOiJodHRwOi8vdW5pdmVyc2l0eS5leGFtcGxlL2NyZW" \
    "RlbnRpYWxzLzE4NzIiLCJ0eXBlIjpbIlZlcmlmaWFibGVDcmVkZW50aWFsIiwiRXhhbXBsZUFsdW1uaUNyZWRlbnRp"  \
    "YWwiXSwiaXNzdWVyIjoiaHR0cHM6Ly91bml2ZXJzaXR5LmV4YW1wbGUvaXNzdWVycy81NjUwNDkiLCJ2YWxpZEZyb2"  \
    "0iOiIyMDEwLTAxLTAxVDE5OjIzOjI0WiIsImNyZWRlbnRpYWxTY2hlbWEiOnsiaWQiOiJodHRwczovL2V4YW1wbGUu"  \
    "b3JnL2V4YW1wbGVzL2RlZ3JlZS5qc29uIiwidHlwZSI6Ikpzb25TY2hlbWEifSwiY3JlZGVudGlhbFN1YmplY3QiOn"  \
    "siaWQiOiJkaWQ6ZXhhbXBsZToxMjMiLCJkZWdyZWUiOnsidHlwZSI6IkJhY2hlbG9yRGVncmVlIiwibmFtZSI6IkJh"  \
    "Y2hlbG9yIG9mIFNjaWVuY2UgYW5kIEFydHMifX19.d2k4O3FytQJf83kLh-HsXuPvh6yeOlhJELVo5TF71gu7elslQ"  \
    "yOf2ZItAXrtbXF4Kz9WivNdztOayz4VUQ0Mwa8yCDZkP9B2pH-9S_tcAFxeoeJ6Z4XnFuL_DOfkR1fP"

static const char EX_VP[] =
    "{\"@context\": [" V2 ", " EXV2 "], \"type\": \"VerifiablePresentation\","
    " \"verifiableCredential\": [{\"@context\": " V2 ","
    "   \"id\": \"data:application/vc+jwt," EX_JWT "\","
    "   \"type\": \"EnvelopedVerifiableCredential\"}]}";

/* ------------------------------------------------------------------------------------------- */

static json_t *J(const char *s)
{
    json_t *v = NULL;
    did_err err;
    if (did_json_parse(s, strlen(s), NULL, &v, &err) != DID_OK)
        fail_msg("test JSON does not parse: %s: %s", err.msg, s);
    return v;
}

/* A copy of base with member name set to the JSON text val (NULL: removed). */
static json_t *with(const char *base, const char *name, const char *val)
{
    json_t *v = J(base);
    if (val == NULL)
        assert_int_equal(json_object_del(v, name), 0);
    else
        assert_int_equal(json_object_set_new(v, name, J(val)), 0);
    return v;
}

static did_vc_check_opts opts_now(void)
{
    did_vc_check_opts o;
    memset(&o, 0, sizeof o);
    o.now = NOW;
    return o;
}

static int has_check(const did_result *r, const char *check)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i], check) == 0)
            return 1;
    return 0;
}

static int has_error(const did_result *r, int code, const char *check)
{
    for (size_t i = 0; i < r->n_errors; i++)
        if (r->errors[i].code == code && strcmp(r->errors[i].check, check) == 0)
            return 1;
    return 0;
}

static void dump(const did_result *r)
{
    for (size_t i = 0; i < r->n_errors; i++)
        print_message("  error %s [%s] %s\n", did_err_name(r->errors[i].code), r->errors[i].check,
                      r->errors[i].msg);
}

/* Runs the check (credential or presentation) and asserts the return code and, when code is
 * not DID_OK, that the result holds it under check. Takes over v. */
static void expect_doc(json_t *v, int is_vp, const did_vc_check_opts *o, int code,
                       const char *check)
{
    did_result r;
    did_err err;
    int rc;

    did_result_init(&r);
    rc = is_vp ? did_vp_check(v, o, &r, &err) : did_vc_check(v, o, &r, &err);
    if (rc != code)
        dump(&r);
    t_assert_code(rc, code, &err);
    if (code == DID_OK) {
        assert_int_equal(r.n_errors, 0);
        assert_true(did_result_verified(&r));
    } else {
        /* An entry's problems keep their own codes under "verifiableCredential". */
        int entry = is_vp && code == DID_ERR_VP_CREDENTIAL && r.n_errors > 0 &&
                    strcmp(r.errors[0].check, DID_CHECK_CREDENTIALS) == 0;
        if (!has_error(&r, code, check) && !entry) {
            dump(&r);
            fail_msg("no %s under \"%s\"", did_err_name(code), check);
        }
        assert_false(did_result_verified(&r));
        assert_true(strlen(err.msg) > 0);
    }
    did_result_clear(&r);
    json_decref(v);
}

static void expect_vc(json_t *v, int code, const char *check)
{
    did_vc_check_opts o = opts_now();
    expect_doc(v, 0, &o, code, check);
}

static void expect_vp(json_t *v, int code, const char *check)
{
    did_vc_check_opts o = opts_now();
    expect_doc(v, 1, &o, code, check);
}

/* ------------------------------------------------------------------------------------------- */

static void test_spec_examples(void **state)
{
    did_result r;
    did_err err;
    json_t *v;
    (void)state;

    expect_vc(J(EX1), DID_OK, NULL);
    expect_vc(J(EX_STATUS), DID_OK, NULL);
    expect_vc(J(EX_ISSUER_OBJ), DID_OK, NULL);
    expect_vp(J(EX_VP), DID_OK, NULL);

    /* Which checks ran: a status entry's shape is checked but "credentialStatus" (the list
     * lookup) is not claimed. */
    did_result_init(&r);
    v = J(EX_STATUS);
    did_vc_check_opts o = opts_now();
    t_assert_ok(did_vc_check(v, &o, &r, &err), &err);
    assert_true(has_check(&r, DID_CHECK_CONTEXT));
    assert_true(has_check(&r, DID_CHECK_TYPE));
    assert_true(has_check(&r, DID_CHECK_ISSUER));
    assert_true(has_check(&r, DID_CHECK_SUBJECT));
    assert_true(has_check(&r, DID_CHECK_VALID_FROM));
    assert_false(has_check(&r, DID_CHECK_VALID_UNTIL));
    assert_false(has_check(&r, DID_CHECK_STATUS));
    did_result_clear(&r);
    json_decref(v);

    /* No result: the code alone. */
    v = J(EX1);
    t_assert_ok(did_vc_check(v, &o, NULL, &err), &err);
    json_decref(v);
    v = with(EX1, "issuer", NULL);
    t_assert_code(did_vc_check(v, &o, NULL, &err), DID_ERR_VC_ISSUER, &err);
    assert_non_null(strstr(err.msg, "issuer"));
    json_decref(v);
}

/* W3C VCDM 2.0 test suite inputs (contexts, types, ids, status, schema, subject). */
static void test_suite_inputs(void **state)
{
    (void)state;
#define ISS "\"issuer\": \"did:example:issuer\", "
#define SUBJ "\"credentialSubject\": {\"id\": \"did:example:subject\"}"
    /* credential-context-combo1-ok / combo2-ok */
    expect_vc(
        J("{\"@context\": [" V2 ", " EXV2 "], \"type\": [\"VerifiableCredential\"], " ISS SUBJ "}"),
        DID_OK, NULL);
    expect_vc(J("{\"@context\": [" V2 ", {\"ExampleVerifiableCredential\": "
                "\"https://example.org/#ExampleVerifiableCredential\"}], \"type\": "
                "[\"VerifiableCredential\", \"ExampleVerifiableCredential\"], " ISS SUBJ "}"),
              DID_OK, NULL);
    /* credential-context-combo3-fail: not a URL; combo4-fail: a number */
    expect_vc(J("{\"@context\": [" V2 ", \"https ://not-a-url/contexts/example/v1\"], "
                "\"type\": [\"VerifiableCredential\"], " ISS SUBJ "}"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(J("{\"@context\": [" V2
                ", 123192875], \"type\": [\"VerifiableCredential\"], " ISS SUBJ "}"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* credential-redef-type-fail: an inline context redefines a protected VC 2.0 term */
    expect_vc(J("{\"@context\": [" V2 ", {\"VerifiableCredential\": "
                "\"https://example.org/#BadVerifiableCredential\"}], \"type\": "
                "[\"VerifiableCredential\"], " ISS SUBJ "}"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* credential-type-unmapped-fail: {"@vocab": null} leaves ExampleTestCredential unmapped */
    expect_vc(J("{\"@context\": [" V2 ", {\"@vocab\": null}], \"type\": "
                "[\"VerifiableCredential\", \"ExampleTestCredential\"], " ISS SUBJ "}"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* credential-type-mapped-nonurl-fail */
    expect_vc(J("{\"@context\": [" V2 ", {\"ExampleTestCredential\": "
                "\"https ://not-a-url#ExampleTestCredential\"}], \"type\": "
                "[\"VerifiableCredential\", \"ExampleTestCredential\"], " ISS SUBJ "}"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* credential-status-missing-id-ok (VCDM 2.0 made the status id optional) */
    expect_vc(J("{\"@context\": [" V2 ", {\"CredentialStatusList2017\": "
                "\"https://example.org/examples#CredentialStatusList2017\"}], \"type\": "
                "[\"VerifiableCredential\"], \"validFrom\": \"2023-02-27T04:28:42Z\", " ISS SUBJ
                ", \"credentialStatus\": {\"type\": \"CredentialStatusList2017\"}}"),
              DID_OK, NULL);
    /* credential-status-type-nonurl-fail: a numeric type */
    expect_vc(J("{\"@context\": [" V2 "], \"type\": [\"VerifiableCredential\"], " ISS SUBJ
                ", \"credentialStatus\": {\"id\": \"did:example:status\", \"type\": 2}}"),
              DID_ERR_VC_STATUS, DID_CHECK_STATUS);
    /* credential-subject-no-claims-fail, credential-subject-multiple-empty-fail */
    expect_vc(J("{\"@context\": [" V2 "], \"type\": [\"VerifiableCredential\"], " ISS
                "\"credentialSubject\": {}}"),
              DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT);
    expect_vc(J("{\"@context\": [" V2 "], \"type\": [\"VerifiableCredential\"], " ISS
                "\"credentialSubject\": [{\"id\": \"did:example:a\"}, {}]}"),
              DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT);
    /* credential-id-subject-multi-fail: a subject with two ids */
    expect_vc(J("{\"@context\": [" V2 "], \"type\": [\"VerifiableCredential\"], " ISS
                "\"credentialSubject\": {\"id\": [\"did:example:a\", \"did:example:b\"]}}"),
              DID_ERR_VC_ID, DID_CHECK_SUBJECT);
#undef ISS
#undef SUBJ
}

static void test_context(void **state)
{
    static const char *const extra[] = {"https://civid.example/ns/v1", NULL};
    did_vc_check_opts o = opts_now();
    char big[4096];
    size_t n = 0;
    (void)state;

    expect_vc(with(EX1, "@context", NULL), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* a plain string: VCDM says an ordered set, i.e. an array */
    expect_vc(with(EX1, "@context", V2), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[]"), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "{}"), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* wrong order */
    expect_vc(with(EX1, "@context", "[" EXV2 ", " V2 "]"), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* the VC 1.1 context first */
    expect_vc(with(EX1, "@context", "[\"https://www.w3.org/2018/credentials/v1\"]"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* unknown (never fetched), a repeat of v2, null */
    expect_vc(with(EX1, "@context", "[" V2 ", \"https://civid.example/ns/v1\"]"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[" V2 ", " V2 "]"), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[" V2 ", null]"), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    /* known to the caller */
    o.contexts = extra;
    expect_doc(with(EX1, "@context", "[" V2 ", \"https://civid.example/ns/v1\"]"), 0, &o, DID_OK,
               NULL);
    /* the Data Integrity context is known */
    expect_vc(with(EX1, "@context", "[" V2 ", \"https://w3id.org/security/data-integrity/v2\"]"),
              DID_OK, NULL);
    /* inline contexts */
    expect_vc(with(EX1, "@context",
                   "[" V2 ", {\"@version\": 1.1, \"@protected\": true, \"ex\": "
                   "\"https://example.org/ns#\", \"Alias\": \"@id\", \"deg\": {\"@id\": "
                   "\"ex:degree\", \"@type\": \"@id\", \"@container\": [\"@set\"], "
                   "\"@context\": {\"n\": \"ex:n\"}}}]"),
              DID_OK, NULL);
    expect_vc(with(EX1, "@context", "[" V2 ", {\"@import\": \"https://example.org/c\"}]"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[" V2 ", {\"@base\": \"https://example.org/\"}]"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[" V2 ", {\"issuer\": \"https://example.org/#issuer\"}]"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[" V2 ", {\"x\": {\"@id\": \"ex:x\", \"@foo\": 1}}]"),
              DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[" V2 ", {\"x\": 5}]"), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context", "[" V2 ", {\"x\": \"relative\"}]"), DID_ERR_VC_CONTEXT,
              DID_CHECK_CONTEXT);
    /* limits: entries, inline depth, inline members */
    n += (size_t)snprintf(big + n, sizeof big - n, "[" V2);
    for (int i = 1; i <= DID_VC_MAX_CONTEXTS; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, ", " EXV2);
    snprintf(big + n, sizeof big - n, "]");
    expect_vc(with(EX1, "@context", big), DID_ERR_LIMIT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context",
                   "[" V2 ", {\"a\": {\"@context\": {\"b\": {\"@context\": {\"c\": {\"@context\":"
                   " {\"d\": {\"@context\": {\"e\": {\"@context\": {\"f\": \"ex:f\"}}}}}}}}}}}]"),
              DID_ERR_LIMIT, DID_CHECK_CONTEXT);
    expect_vc(with(EX1, "@context",
                   "[" V2 ", {\"a\": {\"@context\": {\"b\": {\"@context\": {\"c\": {\"@context\":"
                   " {\"d\": {\"@context\": {\"f\": \"ex:f\"}}}}}}}}}]"),
              DID_OK, NULL);
    n = (size_t)snprintf(big, sizeof big, "[" V2 ", {");
    for (int i = 0; i <= DID_VC_MAX_INLINE_TERMS; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"t%d\": \"ex:t\"", i ? ", " : "", i);
    snprintf(big + n, sizeof big - n, "}]");
    expect_vc(with(EX1, "@context", big), DID_ERR_LIMIT, DID_CHECK_CONTEXT);
}

static void test_type_and_id(void **state)
{
    char big[1024];
    size_t n;
    (void)state;

    expect_vc(with(EX1, "type", NULL), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vc(with(EX1, "type", "5"), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vc(with(EX1, "type", "[]"), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vc(with(EX1, "type", "\"\""), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vc(with(EX1, "type", "[\"ExampleDegreeCredential\"]"), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vc(with(EX1, "type", "[\"VerifiableCredential\", 7]"), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vc(with(EX1, "type", "[\"VerifiablePresentation\"]"), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vc(with(EX1, "type", "\"VerifiableCredential\""), DID_OK, NULL);
    /* case matters */
    expect_vc(with(EX1, "type", "\"verifiableCredential\""), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    n = (size_t)snprintf(big, sizeof big, "[\"VerifiableCredential\"");
    for (int i = 1; i < DID_VC_MAX_TYPES; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, ", \"T%d\"", i);
    snprintf(big + n, sizeof big - n, "]");
    expect_vc(with(EX1, "type", big), DID_OK, NULL);
    snprintf(big + n, sizeof big - n, ", \"Tn\"]");
    expect_vc(with(EX1, "type", big), DID_ERR_LIMIT, DID_CHECK_TYPE);

    /* credential id: one URL */
    expect_vc(with(EX1, "id", "\"not a url\""), DID_ERR_VC_ID, DID_CHECK_FORMAT);
    expect_vc(with(EX1, "id", "\"credentials/3732\""), DID_ERR_VC_ID, DID_CHECK_FORMAT);
    expect_vc(with(EX1, "id", "[\"urn:uuid:1\", \"urn:uuid:2\"]"), DID_ERR_VC_ID, DID_CHECK_FORMAT);
    expect_vc(with(EX1, "id", "\"urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5\""), DID_OK, NULL);
    expect_vc(with(EX1, "id", NULL), DID_OK, NULL);
}

static void test_issuer(void **state)
{
    (void)state;
    expect_vc(with(EX1, "issuer", NULL), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "null"), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "\"Example University\""), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "\"\""), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "42"), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "[\"did:example:a\"]"), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "{\"name\": \"Example University\"}"), DID_ERR_VC_ISSUER,
              DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "{\"id\": null}"), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "{\"id\": \"not-a-url\"}"), DID_ERR_VC_ISSUER, DID_CHECK_ISSUER);
    expect_vc(with(EX1, "issuer", "\"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp\""),
              DID_OK, NULL);
    expect_vc(with(EX1, "issuer", "{\"id\": \"urn:uuid:8e9ac5e4-24e3-43a3-a40b-7f2f6e1f7c11\"}"),
              DID_OK, NULL);
}

static void test_dates(void **state)
{
    did_vc_check_opts o = opts_now();
    char buf[128];
    (void)state;

    expect_vc(with(EX1, "validFrom", "\"2010-01-01\""), DID_ERR_VC_DATE, DID_CHECK_VALID_FROM);
    expect_vc(with(EX1, "validFrom", "\"2010-01-01T19:23:24\""), DID_ERR_VC_DATE,
              DID_CHECK_VALID_FROM); /* no time zone: dateTime, not dateTimeStamp */
    expect_vc(with(EX1, "validFrom", "1262373804"), DID_ERR_VC_DATE, DID_CHECK_VALID_FROM);
    expect_vc(with(EX1, "validUntil", "\"2030-02-30T00:00:00Z\""), DID_ERR_VC_DATE,
              DID_CHECK_VALID_UNTIL);
    expect_vc(with(EX1, "validFrom", NULL), DID_OK, NULL);
    /* order: until before from is malformed; equal is allowed */
    {
        json_t *v = with(EX1, "validUntil", "\"2010-01-01T19:23:23Z\"");
        did_result r;
        did_err err;
        did_result_init(&r);
        o.ignore_time = 1;
        t_assert_code(did_vc_check(v, &o, &r, &err), DID_ERR_VC_DATE, &err);
        assert_true(has_error(&r, DID_ERR_VC_DATE, DID_CHECK_VALID_UNTIL));
        did_result_clear(&r);
        json_decref(v);
        o.ignore_time = 0;
    }
    {
        json_t *v = with(EX1, "validFrom", "\"2030-01-01T00:00:00+02:00\"");
        json_object_set_new(v, "validUntil", json_string("2029-12-31T22:00:00Z"));
        o.ignore_time = 1;
        expect_doc(v, 0, &o, DID_OK, NULL);
        o.ignore_time = 0;
    }
    /* expired: validUntil is the first instant the credential is no longer valid */
    expect_vc(with(EX1, "validUntil", "\"2023-11-14T22:13:19Z\""), DID_ERR_VC_EXPIRED,
              DID_CHECK_VALID_UNTIL);
    expect_vc(with(EX1, "validUntil", "\"" NOW_STR "\""), DID_ERR_VC_EXPIRED,
              DID_CHECK_VALID_UNTIL);
    expect_vc(with(EX1, "validUntil", "\"2023-11-14T22:13:21Z\""), DID_OK, NULL);
    /* not yet valid */
    expect_vc(with(EX1, "validFrom", "\"2023-11-14T22:13:21Z\""), DID_ERR_VC_NOT_YET_VALID,
              DID_CHECK_VALID_FROM);
    expect_vc(with(EX1, "validFrom", "\"" NOW_STR "\""), DID_OK, NULL);
    /* with a skew of 60 s: both boundaries move by exactly 60 s */
    o.skew = 60;
    expect_doc(with(EX1, "validFrom", "\"2023-11-14T22:14:20Z\""), 0, &o, DID_OK, NULL);
    expect_doc(with(EX1, "validFrom", "\"2023-11-14T22:14:21Z\""), 0, &o, DID_ERR_VC_NOT_YET_VALID,
               DID_CHECK_VALID_FROM);
    expect_doc(with(EX1, "validUntil", "\"2023-11-14T22:12:21Z\""), 0, &o, DID_OK, NULL);
    expect_doc(with(EX1, "validUntil", "\"2023-11-14T22:12:20Z\""), 0, &o, DID_ERR_VC_EXPIRED,
               DID_CHECK_VALID_UNTIL);
    /* a time zone offset counts */
    expect_doc(with(EX1, "validFrom", "\"2023-11-15T00:14:20+02:00\""), 0, &o, DID_OK, NULL);
    expect_doc(with(EX1, "validFrom", "\"2023-11-15T00:14:21+02:00\""), 0, &o,
               DID_ERR_VC_NOT_YET_VALID, DID_CHECK_VALID_FROM);
    /* ignore_time checks syntax and order only */
    o.skew = 0;
    o.ignore_time = 1;
    expect_doc(with(EX1, "validFrom", "\"2999-01-01T00:00:00Z\""), 0, &o, DID_OK, NULL);
    expect_doc(with(EX1, "validUntil", "\"2011-01-01T00:00:00Z\""), 0, &o, DID_OK, NULL);
    expect_doc(with(EX1, "validUntil", "\"soon\""), 0, &o, DID_ERR_VC_DATE, DID_CHECK_VALID_UNTIL);
    /* options */
    {
        json_t *v = J(EX1);
        did_err err;
        o.ignore_time = 0;
        o.skew = -1;
        t_assert_code(did_vc_check(v, &o, NULL, &err), DID_ERR_ARG, &err);
        o.skew = DID_VC_MAX_SKEW + 1;
        t_assert_code(did_vc_check(v, &o, NULL, &err), DID_ERR_ARG, &err);
        o.skew = DID_VC_MAX_SKEW;
        t_assert_ok(did_vc_check(v, &o, NULL, &err), &err);
        o.skew = 0;
        o.now = 300000000000LL; /* past year 9999 */
        t_assert_code(did_vc_check(v, &o, NULL, &err), DID_ERR_ARG, &err);
        /* opts NULL: the current time; EX1 is valid from 2010 on */
        t_assert_ok(did_vc_check(v, NULL, NULL, &err), &err);
        json_decref(v);
    }
    (void)buf;
}

static void test_subject(void **state)
{
    char *big;
    size_t n = 0, cap = 8192;
    (void)state;

    expect_vc(with(EX1, "credentialSubject", NULL), DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT);
    expect_vc(with(EX1, "credentialSubject", "{}"), DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT);
    expect_vc(with(EX1, "credentialSubject", "[]"), DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT);
    expect_vc(with(EX1, "credentialSubject", "\"did:example:123\""), DID_ERR_VC_SUBJECT,
              DID_CHECK_SUBJECT);
    expect_vc(with(EX1, "credentialSubject", "[{\"id\": \"did:example:1\"}, 5]"),
              DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT);
    expect_vc(with(EX1, "credentialSubject", "{\"id\": \"not a url\", \"name\": \"x\"}"),
              DID_ERR_VC_ID, DID_CHECK_SUBJECT);
    expect_vc(with(EX1, "credentialSubject", "{\"name\": \"Jane\"}"), DID_OK, NULL);
    /* limit */
    big = malloc(cap);
    assert_non_null(big);
    n += (size_t)snprintf(big + n, cap - n, "[");
    for (int i = 0; i < DID_VC_MAX_SUBJECTS; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s{\"n\": %d}", i ? ", " : "", i);
    snprintf(big + n, cap - n, "]");
    expect_vc(with(EX1, "credentialSubject", big), DID_OK, NULL);
    snprintf(big + n, cap - n, ", {\"n\": 0}]");
    expect_vc(with(EX1, "credentialSubject", big), DID_ERR_LIMIT, DID_CHECK_SUBJECT);
    free(big);
}

static void test_status_schema_other(void **state)
{
    char big[4096];
    size_t n = 0;
    (void)state;

    /* credentialStatus */
    expect_vc(with(EX1, "credentialStatus", "{\"id\": \"https://example.com/s#1\"}"),
              DID_ERR_VC_STATUS, DID_CHECK_STATUS);
    expect_vc(with(EX1, "credentialStatus", "{\"type\": []}"), DID_ERR_VC_STATUS, DID_CHECK_STATUS);
    expect_vc(with(EX1, "credentialStatus", "[]"), DID_ERR_VC_STATUS, DID_CHECK_STATUS);
    expect_vc(with(EX1, "credentialStatus", "\"https://example.com/s#1\""), DID_ERR_VC_STATUS,
              DID_CHECK_STATUS);
    expect_vc(with(EX1, "credentialStatus", "{\"id\": \"#1\", \"type\": \"T\"}"), DID_ERR_VC_ID,
              DID_CHECK_STATUS);
    expect_vc(with(EX1, "credentialStatus",
                   "[{\"type\": \"BitstringStatusListEntry\"}, {\"id\": \"urn:uuid:1\", "
                   "\"type\": [\"A\", \"B\"]}]"),
              DID_OK, NULL);
    n += (size_t)snprintf(big + n, sizeof big - n, "[");
    for (int i = 0; i <= DID_VC_MAX_ENTRIES; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s{\"type\": \"T\"}", i ? ", " : "");
    snprintf(big + n, sizeof big - n, "]");
    expect_vc(with(EX1, "credentialStatus", big), DID_ERR_LIMIT, DID_CHECK_STATUS);

    /* credentialSchema (VCDM test suite: schema-no-id-fail, schema-no-type-fail,
     * schema-non-url-id-fail) */
    expect_vc(with(EX1, "credentialSchema", "{\"type\": \"JsonSchema\"}"), DID_ERR_VC_SCHEMA,
              DID_CHECK_SCHEMA);
    expect_vc(with(EX1, "credentialSchema", "{\"id\": \"https://example.org/s.json\"}"),
              DID_ERR_VC_SCHEMA, DID_CHECK_SCHEMA);
    expect_vc(with(EX1, "credentialSchema", "{\"id\": \"schema\", \"type\": \"JsonSchema\"}"),
              DID_ERR_VC_SCHEMA, DID_CHECK_SCHEMA);
    expect_vc(with(EX1, "credentialSchema",
                   "[{\"id\": \"https://example.org/s.json\", "
                   "\"type\": \"JsonSchema\"}, 1]"),
              DID_ERR_VC_SCHEMA, DID_CHECK_SCHEMA);

    /* evidence, termsOfUse, refreshService need a type; relatedResource an id and a digest */
    expect_vc(with(EX1, "evidence", "{\"id\": \"https://example.edu/evidence/1\"}"),
              DID_ERR_VC_PROPERTY, DID_CHECK_FORMAT);
    expect_vc(with(EX1, "evidence", "[{\"type\": [\"Evidence\"]}]"), DID_OK, NULL);
    expect_vc(with(EX1, "termsOfUse", "{\"id\": \"https://example.com/tou\"}"), DID_ERR_VC_PROPERTY,
              DID_CHECK_FORMAT);
    expect_vc(with(EX1, "termsOfUse", "{\"type\": \"TrustFrameworkPolicy\"}"), DID_OK, NULL);
    expect_vc(with(EX1, "refreshService", "{\"url\": \"https://example.edu/refresh\"}"),
              DID_ERR_VC_PROPERTY, DID_CHECK_FORMAT);
    expect_vc(with(EX1, "refreshService", "{\"id\": \"refresh\", \"type\": \"R\"}"), DID_ERR_VC_ID,
              DID_CHECK_FORMAT);
    expect_vc(with(EX1, "relatedResource", "{\"id\": \"https://example.com/logo.png\"}"),
              DID_ERR_VC_PROPERTY, DID_CHECK_FORMAT);
    expect_vc(with(EX1, "relatedResource", "{\"digestSRI\": \"sha384-abc\"}"), DID_ERR_VC_PROPERTY,
              DID_CHECK_FORMAT);
    expect_vc(with(EX1, "relatedResource",
                   "[{\"id\": \"https://example.com/logo.png\", \"digestSRI\": \"sha384-abc\"},"
                   " {\"id\": \"https://example.com/c\", \"digestMultibase\": \"uEiA\"}]"),
              DID_OK, NULL);
}

/* One call reports every violation; the return code and err are the first. */
static void test_collects_all(void **state)
{
    json_t *v = J(EX1);
    did_vc_check_opts o = opts_now();
    did_result r;
    did_err err;
    (void)state;

    json_object_set_new(v, "@context", J("[" EXV2 "]"));
    json_object_del(v, "type");
    json_object_set_new(v, "issuer", json_string("Example University"));
    json_object_set_new(v, "validUntil", json_string("2020-01-01T00:00:00Z"));
    json_object_set_new(v, "credentialSubject", J("{}"));
    json_object_set_new(v, "credentialSchema", J("{\"type\": \"JsonSchema\"}"));
    did_result_init(&r);
    t_assert_code(did_vc_check(v, &o, &r, &err), DID_ERR_VC_CONTEXT, &err);
    assert_non_null(strstr(err.msg, "@context"));
    assert_int_equal(r.n_errors, 6);
    assert_true(has_error(&r, DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT));
    assert_true(has_error(&r, DID_ERR_VC_TYPE, DID_CHECK_TYPE));
    assert_true(has_error(&r, DID_ERR_VC_ISSUER, DID_CHECK_ISSUER));
    assert_true(has_error(&r, DID_ERR_VC_EXPIRED, DID_CHECK_VALID_UNTIL));
    assert_true(has_error(&r, DID_ERR_VC_SUBJECT, DID_CHECK_SUBJECT));
    assert_true(has_error(&r, DID_ERR_VC_SCHEMA, DID_CHECK_SCHEMA));
    did_result_clear(&r);

    /* not an object, NULL */
    json_decref(v);
    v = J("[1]");
    did_result_init(&r);
    t_assert_code(did_vc_check(v, &o, &r, &err), DID_ERR_VC_TYPE, &err);
    assert_true(has_error(&r, DID_ERR_VC_TYPE, DID_CHECK_FORMAT));
    did_result_clear(&r);
    t_assert_code(did_vp_check(v, &o, NULL, &err), DID_ERR_VC_TYPE, &err);
    json_decref(v);
    t_assert_code(did_vc_check(NULL, &o, NULL, &err), DID_ERR_ARG, &err);
    t_assert_code(did_vp_check(NULL, &o, NULL, &err), DID_ERR_ARG, &err);
}

static void test_url(void **state)
{
    static const char *const good[] = {
        "https://example.com",
        "https://example.com/",
        "http://university.example/credentials/3732",
        "did:example:123",
        ("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5"
         "GLVVQR3djdX3mDooWp"),
        "did:web:example.com%3A8443:user:alice",
        "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
        "http://[::1]:8080/x",
        "http://[v7.fe80::1]/",
        "http://user:pw@host:1/p/a;b=c?q=1&r=%2F#frag?/:@",
        "data:application/vc+jwt,eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
        "mailto:alice@example.com",
        "file:///etc/hosts",
        "ex:Foo",
        "about:",
        "HTTPS://EXAMPLE.COM/",
        "a+b-c.d:x",
        "https://example.com:/",
    };
    static const char *const bad[] = {
        "",
        "example.com",
        "/relative/path",
        "#frag",
        "1http://x",
        "https ://not-a-url/x",
        "https://exa mple.com",
        "http://x/%zz",
        "http://x/%4",
        "http://x/%",
        "http://x/#a#b",
        "http://[::1/x",
        "http://[]/x",
        "http://[::1]x/",
        "http://[gg::1]/",
        "http://x:80a/",
        "http://a@b@c/",
        "http://x/<y>",
        "http://x/\"y\"",
        "http://x/{y}",
        "http://x/a\\b",
        "http://x/\x7f",
        "http://x/\ty",
        "https://\xc3\xa9.example/",
        "_x:y",
        ":x",
    };
    char longu[DID_VC_MAX_URL_LEN + 2];
    (void)state;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!did_vc_is_url(good[i], strlen(good[i]), 0))
            fail_msg("should be a URL: %s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (did_vc_is_url(bad[i], strlen(bad[i]), 0))
            fail_msg("should not be a URL: %s", bad[i]);
    /* NUL inside is not part of a URL */
    assert_false(did_vc_is_url("http://x/\0y", 11, 0));
    assert_false(did_vc_is_url(NULL, 0, 0));
    /* length limit */
    memset(longu, 'a', sizeof longu);
    memcpy(longu, "https://x/", 10);
    assert_true(did_vc_is_url(longu, DID_VC_MAX_URL_LEN, 0));
    assert_false(did_vc_is_url(longu, DID_VC_MAX_URL_LEN + 1, 0));
    assert_true(did_vc_is_url(longu, DID_VC_MAX_URL_LEN + 1, DID_VC_MAX_URL_LEN + 1));
    assert_false(did_vc_is_url(longu, 20, 19));
}

static void test_helpers(void **state)
{
    json_t *v = J(EX_ISSUER_OBJ);
    const char *id = NULL;
    size_t len = 0;
    did_err err;
    (void)state;

    assert_true(did_vc_has_type(v, "VerifiableCredential"));
    assert_true(did_vc_has_type(v, "ExampleDegreeCredential"));
    assert_false(did_vc_has_type(v, "Verifiable"));
    assert_false(did_vc_has_type(v, NULL));
    assert_false(did_vc_has_type(NULL, "VerifiableCredential"));
    t_assert_ok(did_vc_issuer_id(v, &id, &len, &err), &err);
    assert_string_equal(id, "https://university.example/issuers/565049");
    assert_int_equal(len, strlen(id));
    json_decref(v);
    v = J(EX1);
    t_assert_ok(did_vc_issuer_id(v, &id, NULL, &err), &err);
    assert_string_equal(id, "https://university.example/issuers/14");
    json_object_set_new(v, "issuer", J("{\"name\": \"x\"}"));
    t_assert_code(did_vc_issuer_id(v, &id, &len, &err), DID_ERR_VC_ISSUER, &err);
    assert_null(id);
    t_assert_code(did_vc_issuer_id(v, NULL, &len, &err), DID_ERR_ARG, &err);
    json_decref(v);

    v = J(EX_VP);
    t_assert_ok(did_vp_holder_id(v, &id, &len, &err), &err);
    assert_null(id);
    json_object_set_new(v, "holder", json_string("did:example:holder"));
    t_assert_ok(did_vp_holder_id(v, &id, &len, &err), &err);
    assert_string_equal(id, "did:example:holder");
    json_object_set_new(v, "holder", J("{\"id\": \"did:example:h2\"}"));
    t_assert_ok(did_vp_holder_id(v, &id, &len, &err), &err);
    assert_string_equal(id, "did:example:h2");
    json_object_set_new(v, "holder", json_integer(3));
    t_assert_code(did_vp_holder_id(v, &id, &len, &err), DID_ERR_VP_HOLDER, &err);
    json_decref(v);
}

/* ------------------------------------------------------------------------------------------- */

#define ENV(ctx, type, id) "{\"@context\": " ctx ", \"type\": " type ", \"id\": \"" id "\"}"
#define ENV_OK ENV(V2, "\"EnvelopedVerifiableCredential\"", "data:application/vc+jwt,a.b.c")

static json_t *vp_with(const char *creds)
{
    return with(EX_VP, "verifiableCredential", creds);
}

static void test_presentation(void **state)
{
    char *big;
    size_t n = 0, cap = 16384;
    did_result r;
    did_err err;
    json_t *v;
    did_vc_check_opts o = opts_now();
    (void)state;

    expect_vp(with(EX_VP, "type", NULL), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vp(with(EX_VP, "type", "[\"VerifiableCredential\"]"), DID_ERR_VC_TYPE, DID_CHECK_TYPE);
    expect_vp(with(EX_VP, "@context", "[" EXV2 "]"), DID_ERR_VC_CONTEXT, DID_CHECK_CONTEXT);
    expect_vp(with(EX_VP, "id", "\"vp-1\""), DID_ERR_VC_ID, DID_CHECK_FORMAT);
    expect_vp(with(EX_VP, "holder", "\"the holder\""), DID_ERR_VP_HOLDER, DID_CHECK_HOLDER);
    expect_vp(with(EX_VP, "holder", "{\"name\": \"x\"}"), DID_ERR_VP_HOLDER, DID_CHECK_HOLDER);
    expect_vp(with(EX_VP, "holder", "{\"id\": \"did:example:holder\"}"), DID_OK, NULL);
    expect_vp(with(EX_VP, "verifiableCredential", NULL), DID_OK, NULL);
    /* a single object is one credential */
    expect_vp(vp_with(ENV_OK), DID_OK, NULL);
    expect_vp(vp_with("[]"), DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(vp_with("[\"data:application/vc+jwt,a.b.c\"]"), DID_ERR_VP_CREDENTIAL,
              DID_CHECK_CREDENTIALS);

    /* envelopes (VCDM 2.0 test suite, 4.13.2-envelopes.js negative fixtures) */
    expect_vp(vp_with("[" ENV("[]", "\"EnvelopedVerifiableCredential\"",
                              "data:application/vc+jwt,a.b.c") "]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(vp_with("[" ENV(EXV2, "\"EnvelopedVerifiableCredential\"",
                              "data:application/vc+jwt,a.b.c") "]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(vp_with("[" ENV("[" V2 "]", "\"EnvelopedVerifiableCredential\"", "a.b.c") "]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(vp_with("[" ENV("[" V2 "]",
                              "[\"EnvelopedVerifiableCredential\", "
                              "\"VerifiableCredential\"]",
                              "data:application/vc+jwt,a.b.c") "]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    /* a missing type makes it an embedded credential, which then fails its own checks */
    expect_vp(vp_with("[{\"@context\": " V2 ", \"id\": \"data:application/vc+jwt,a.b.c\"}]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    /* data: URLs: no media type, no data, parameters, a space */
    expect_vp(vp_with("[" ENV(V2, "\"EnvelopedVerifiableCredential\"", "data:,a.b.c") "]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(
        vp_with("[" ENV(V2, "\"EnvelopedVerifiableCredential\"", "data:application/vc+jwt,") "]"),
        DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(vp_with("[" ENV(V2, "\"EnvelopedVerifiableCredential\"",
                              "data:application/vc+jwt;charset=utf-8,a.b.c") "]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(vp_with("[" ENV(V2, "\"EnvelopedVerifiableCredential\"",
                              "data:application/vc+jwt,a b") "]"),
              DID_ERR_VP_CREDENTIAL, DID_CHECK_CREDENTIALS);
    expect_vp(vp_with("[" ENV("[" V2 "]", "[\"EnvelopedVerifiableCredential\"]",
                              "data:application/vc+cose;base64,0oRYVqQBJgNu") "]"),
              DID_OK, NULL);

    /* an embedded credential is checked in full; its problems keep their codes under
     * "verifiableCredential" and the call returns DID_ERR_VP_CREDENTIAL */
    {
        json_t *vc = with(EX1, "validUntil", "\"2020-01-01T00:00:00Z\"");
        v = J(EX_VP);
        json_array_append_new(json_object_get(v, "verifiableCredential"), vc);
        did_result_init(&r);
        t_assert_code(did_vp_check(v, &o, &r, &err), DID_ERR_VP_CREDENTIAL, &err);
        assert_true(has_error(&r, DID_ERR_VC_EXPIRED, DID_CHECK_CREDENTIALS));
        assert_int_equal(r.n_errors, 1);
        assert_non_null(strstr(r.errors[0].msg, "verifiableCredential[1]: "));
        assert_non_null(strstr(err.msg, "verifiableCredential[1]: "));
        /* the entry's checks are not claimed as the presentation's */
        assert_false(has_check(&r, DID_CHECK_ISSUER));
        assert_true(has_check(&r, DID_CHECK_CREDENTIALS));
        did_result_clear(&r);
        json_object_set_new(vc, "validUntil", json_string("2030-01-01T00:00:00Z"));
        did_result_init(&r);
        t_assert_ok(did_vp_check(v, &o, &r, &err), &err);
        did_result_clear(&r);

        /* iteration */
        {
            did_vp_entry e;
            assert_int_equal(did_vp_credential_count(v), 2);
            t_assert_ok(did_vp_credential_get(v, 0, &e, &err), &err);
            assert_int_equal(e.kind, DID_VP_ENTRY_ENVELOPED);
            assert_int_equal(e.media_type_len, strlen("application/vc+jwt"));
            assert_memory_equal(e.media_type, "application/vc+jwt", e.media_type_len);
            assert_int_equal(e.data_len, strlen(EX_JWT));
            assert_memory_equal(e.data, EX_JWT, e.data_len);
            assert_false(e.base64);
            t_assert_ok(did_vp_credential_get(v, 1, &e, &err), &err);
            assert_int_equal(e.kind, DID_VP_ENTRY_EMBEDDED);
            assert_ptr_equal(e.obj, vc);
            assert_null(e.data);
            t_assert_code(did_vp_credential_get(v, 2, &e, &err), DID_ERR_ARG, &err);
            t_assert_code(did_vp_credential_get(v, 0, NULL, &err), DID_ERR_ARG, &err);
        }
        json_decref(v);
    }

    /* limit */
    big = malloc(cap);
    assert_non_null(big);
    n += (size_t)snprintf(big + n, cap - n, "[");
    for (int i = 0; i < DID_VP_MAX_CREDENTIALS; i++)
        n += (size_t)snprintf(big + n, cap - n, "%s" ENV_OK, i ? ", " : "");
    snprintf(big + n, cap - n, "]");
    expect_vp(vp_with(big), DID_OK, NULL);
    snprintf(big + n, cap - n, ", " ENV_OK "]");
    expect_vp(vp_with(big), DID_ERR_LIMIT, DID_CHECK_CREDENTIALS);
    free(big);
    assert_int_equal(did_vp_credential_count(NULL), 0);

    /* an envelope's data: URL is bounded (a document built here: the parser's own 1 MiB
     * limit would stop it first) */
    {
        size_t len = DID_VP_MAX_ENVELOPE_LEN + 1;
        char *id = malloc(len + 1);
        did_vp_entry e;
        assert_non_null(id);
        memset(id, 'A', len);
        memcpy(id, "data:application/vc+jwt,", 24);
        id[len] = '\0';
        v = vp_with("[" ENV_OK "]");
        json_object_set_new(json_array_get(json_object_get(v, "verifiableCredential"), 0), "id",
                            json_string(id));
        t_assert_code(did_vp_credential_get(v, 0, &e, &err), DID_ERR_LIMIT, &err);
        did_result_init(&r);
        t_assert_code(did_vp_check(v, &o, &r, &err), DID_ERR_LIMIT, &err);
        did_result_clear(&r);
        id[len - 1] = '\0';
        json_object_set_new(json_array_get(json_object_get(v, "verifiableCredential"), 0), "id",
                            json_string(id));
        t_assert_ok(did_vp_check(v, &o, NULL, &err), &err);
        json_decref(v);
        free(id);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_examples), cmocka_unit_test(test_suite_inputs),
        cmocka_unit_test(test_context),       cmocka_unit_test(test_type_and_id),
        cmocka_unit_test(test_issuer),        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_subject),       cmocka_unit_test(test_status_schema_other),
        cmocka_unit_test(test_collects_all),  cmocka_unit_test(test_url),
        cmocka_unit_test(test_helpers),       cmocka_unit_test(test_presentation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
