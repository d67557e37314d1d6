/* The resolver: did_ctx method table, did_resolve, W3C DID Resolution results, did_doc_check,
 * did_doc_find_vm and did_vm_key. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>

#include "support.h"

#define ED_DID "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
#define ED_MK "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
#define K1_MK "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"

/* A test method: user is the document text to return, with "%s" replaced by the DID; NULL
 * answers DID_ERR_DID_NOT_FOUND. */
static int text_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc,
                        did_err *err)
{
    const char *tmpl = user, *hole;
    char buf[4096];
    size_t pre;
    json_error_t jerr;

    (void)ctx;
    if (tmpl == NULL)
        return did_err_set(err, DID_ERR_DID_NOT_FOUND, "not found");
    hole = strstr(tmpl, "%.*s");
    pre = hole != NULL ? (size_t)(hole - tmpl) : strlen(tmpl);
    assert_true(pre + did->did_len + strlen(tmpl) < sizeof(buf));
    memcpy(buf, tmpl, pre);
    buf[pre] = '\0';
    if (hole != NULL) {
        memcpy(buf + pre, did->str, did->did_len);
        strcpy(buf + pre + did->did_len, hole + 4);
    }
    *doc = json_loads(buf, 0, &jerr);
    if (*doc == NULL)
        fail_msg("test document: %s", jerr.text);
    return DID_OK;
}

#define GOOD_DOC "{\"id\": \"%.*s\"}"

static void expect_resolve(const did_ctx *ctx, const char *did, int code)
{
    json_t *doc = NULL;
    did_err err_s, *err = &err_s;

    t_assert_code(did_resolve(ctx, did, strlen(did), &doc, err), code, err);
    if (code == DID_OK) {
        assert_true(json_is_object(doc));
        assert_string_equal(json_string_value(json_object_get(doc, "id")), did);
    } else {
        assert_null(doc);
    }
    json_decref(doc);
}

static void test_ctx_methods(void **state)
{
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;
    json_t *doc = NULL;
    char name[16];

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    expect_resolve(ctx, ED_DID, DID_OK);
    expect_resolve(ctx, "did:example:123", DID_ERR_DID_METHOD);
    t_assert_code(did_resolve(ctx, "did:example:123", 15, &doc, err), DID_ERR_DID_METHOD, err);
    assert_non_null(strstr(err->msg, "\"example\""));
    t_assert_ok(did_ctx_register_method(ctx, "example", text_resolve, NULL, err), err);
    expect_resolve(ctx, "did:example:123", DID_ERR_DID_NOT_FOUND);
    /* Replacing keeps one entry and uses the new resolver. */
    t_assert_ok(did_ctx_register_method(ctx, "example", text_resolve, GOOD_DOC, err), err);
    expect_resolve(ctx, "did:example:123", DID_OK);
    /* Replacing a built-in method. */
    t_assert_ok(did_ctx_register_method(ctx, "key", text_resolve, NULL, err), err);
    expect_resolve(ctx, ED_DID, DID_ERR_DID_NOT_FOUND);

    /* Bad method names (DID Core 3.1: 1*(%x61-7A / DIGIT)). */
    t_assert_code(did_ctx_register_method(ctx, "Web", text_resolve, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_ctx_register_method(ctx, "", text_resolve, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_ctx_register_method(ctx, "a:b", text_resolve, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_ctx_register_method(ctx, "a-b", text_resolve, NULL, err), DID_ERR_ARG, err);
    t_assert_code(did_ctx_register_method(ctx, "web", NULL, NULL, err), DID_ERR_ARG, err);

    /* key, jwk, example: 13 more fill the table. */
    for (int i = 0; i < DID_CTX_MAX_METHODS - 3; i++) {
        snprintf(name, sizeof(name), "m%d", i);
        t_assert_ok(did_ctx_register_method(ctx, name, text_resolve, GOOD_DOC, err), err);
    }
    t_assert_code(did_ctx_register_method(ctx, "web", text_resolve, NULL, err), DID_ERR_LIMIT, err);
    assert_non_null(strstr(err->msg, "16"));
    /* Replacing still works on a full table. */
    t_assert_ok(did_ctx_register_method(ctx, "m0", text_resolve, NULL, err), err);
    expect_resolve(ctx, "did:m0:x", DID_ERR_DID_NOT_FOUND);
    expect_resolve(ctx, "did:m12:x", DID_OK);
    did_ctx_free(ctx);
}

static void test_ctx_limits(void **state)
{
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;
    did_json_limits lim = {100, 3, 10, 5};
    const did_json_limits *got;

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    got = did_ctx_json_limits(ctx);
    assert_int_equal(got->max_bytes, DID_JSON_DEFAULT_MAX_BYTES);
    assert_int_equal(got->max_depth, DID_JSON_DEFAULT_MAX_DEPTH);
    did_ctx_set_json_limits(ctx, &lim);
    got = did_ctx_json_limits(ctx);
    assert_int_equal(got->max_bytes, 100);
    assert_int_equal(got->max_entries, 5);
    did_ctx_free(ctx);
    did_ctx_free(NULL);
}

static void test_resolve_errors(void **state)
{
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    expect_resolve(ctx, "notadid", DID_ERR_DID_SYNTAX);
    expect_resolve(ctx, "did:key", DID_ERR_DID_SYNTAX);
    expect_resolve(ctx, "did:KEY:" ED_MK, DID_ERR_DID_SYNTAX);
    expect_resolve(ctx, ED_DID "#" ED_MK, DID_ERR_DID_SYNTAX);
    expect_resolve(ctx, "did:key:abc", DID_ERR_DID_INVALID);

    /* A method must not answer with another DID's document. */
    t_assert_ok(did_ctx_register_method(ctx, "evil", text_resolve, "{\"id\": \"" ED_DID "\"}", err),
                err);
    expect_resolve(ctx, "did:evil:1", DID_ERR_DID_DOC_INVALID);
    /* ... nor with a prefix of it, nor a malformed document. */
    t_assert_ok(did_ctx_register_method(ctx, "evil", text_resolve, "{\"id\": \"did:evil:\"}", err),
                err);
    expect_resolve(ctx, "did:evil:1", DID_ERR_DID_DOC_INVALID);
    t_assert_ok(did_ctx_register_method(
                    ctx, "evil", text_resolve,
                    "{\"id\": \"%.*s\", \"verificationMethod\": [{\"id\": \"#a\"}]}", err),
                err);
    expect_resolve(ctx, "did:evil:1", DID_ERR_DID_DOC_INVALID);
    did_ctx_free(ctx);
}

static json_t *result_for(const did_ctx *ctx, const char *did, int code)
{
    json_t *res = NULL;
    did_err err_s, *err = &err_s;

    t_assert_code(did_resolution_result(ctx, did, strlen(did), &res, err), code, err);
    assert_true(json_is_object(res));
    assert_string_equal(json_string_value(json_object_get(res, "@context")),
                        "https://w3id.org/did-resolution/v1");
    assert_true(json_is_object(json_object_get(res, "didDocumentMetadata")));
    assert_int_equal(json_object_size(json_object_get(res, "didDocumentMetadata")), 0);
    assert_true(json_is_object(json_object_get(res, "didResolutionMetadata")));
    return res;
}

static void expect_result_error(const did_ctx *ctx, const char *did, int code, const char *name)
{
    json_t *res = result_for(ctx, did, code);
    const json_t *meta = json_object_get(res, "didResolutionMetadata");

    assert_string_equal(json_string_value(json_object_get(meta, "error")), name);
    assert_null(json_object_get(meta, "contentType"));
    assert_true(json_is_null(json_object_get(res, "didDocument")));
    json_decref(res);
}

static void test_resolution_result(void **state)
{
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;
    json_t *res;
    const json_t *meta;

    (void)state;
    t_assert_ok(did_ctx_new(&ctx, err), err);
    res = result_for(ctx, ED_DID, DID_OK);
    meta = json_object_get(res, "didResolutionMetadata");
    assert_string_equal(json_string_value(json_object_get(meta, "contentType")),
                        "application/did+ld+json");
    assert_null(json_object_get(meta, "error"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res, "didDocument"), "id")), ED_DID);
    json_decref(res);

    expect_result_error(ctx, "did:key:", DID_ERR_DID_SYNTAX, "invalidDid");
    expect_result_error(ctx, "did:key:abc", DID_ERR_DID_INVALID, "invalidDid");
    expect_result_error(ctx, "did:jwk:e30", DID_ERR_DID_INVALID, "invalidDid");
    expect_result_error(ctx, "did:example:123", DID_ERR_DID_METHOD, "methodNotSupported");
    t_assert_ok(did_ctx_register_method(ctx, "example", text_resolve, NULL, err), err);
    expect_result_error(ctx, "did:example:123", DID_ERR_DID_NOT_FOUND, "notFound");
    did_ctx_free(ctx);
}

static void test_relationship_names(void **state)
{
    static const struct {
        did_relationship rel;
        const char *name;
    } t[] = {
        {DID_REL_AUTHENTICATION, "authentication"},
        {DID_REL_ASSERTION_METHOD, "assertionMethod"},
        {DID_REL_KEY_AGREEMENT, "keyAgreement"},
        {DID_REL_CAPABILITY_INVOCATION, "capabilityInvocation"},
        {DID_REL_CAPABILITY_DELEGATION, "capabilityDelegation"},
    };
    did_relationship rel;
    did_err err_s, *err = &err_s;

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_string_equal(did_relationship_name(t[i].rel), t[i].name);
        t_assert_ok(did_relationship_from_name(t[i].name, strlen(t[i].name), &rel, err), err);
        assert_int_equal(rel, t[i].rel);
    }
    assert_null(did_relationship_name(DID_REL_ANY));
    assert_null(did_relationship_name((did_relationship)42));
    t_assert_code(did_relationship_from_name("authenticatio", 13, &rel, err), DID_ERR_ARG, err);
    t_assert_code(did_relationship_from_name("authentication", 13, &rel, err), DID_ERR_ARG, err);
    t_assert_code(did_relationship_from_name("verificationMethod", 18, &rel, err), DID_ERR_ARG,
                  err);
}

/* A document for did:example:123 with relative and absolute ids and an embedded method. */
#define DOC_OK                                                                                  \
    "{\"id\": \"did:example:123\", \"controller\": [\"did:example:123\", \"did:example:456\"]," \
    " \"verificationMethod\": ["                                                                \
    "  {\"id\": \"#key-1\", \"type\": \"Multikey\", \"controller\": \"did:example:123\","       \
    "   \"publicKeyMultibase\": \"" ED_MK "\"},"                                                \
    "  {\"id\": \"did:example:123#key-2\", \"type\": \"JsonWebKey\","                           \
    "   \"controller\": \"did:example:123\", \"publicKeyJwk\": {\"kty\": \"OKP\","              \
    "   \"crv\": \"Ed25519\", \"x\": \"_eT7oDCtAC98L31MMx9J0T-w7HR-zuvsY08f9MvKne8\"}}],"       \
    " \"authentication\": [\"#key-1\", {\"id\": \"#key-3\", \"type\": \"Multikey\","            \
    "   \"controller\": \"did:example:123\", \"publicKeyMultibase\": \"" K1_MK "\"}],"          \
    " \"assertionMethod\": [\"did:example:123#key-2\", \"did:example:123#elsewhere\"]}"

static json_t *load(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (j == NULL)
        fail_msg("test JSON: %s: %s", jerr.text, text);
    return j;
}

static void expect_doc_check(const char *text, int code, const char *msg_part)
{
    json_t *doc = load(text);
    did_err err_s, *err = &err_s;

    t_assert_code(did_doc_check(doc, "did:example:123", 15, err), code, err);
    if (msg_part != NULL && strstr(err->msg, msg_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, msg_part);
    json_decref(doc);
}

#define VM(id, extra) \
    "{\"id\": \"" id "\", \"type\": \"Multikey\", \"controller\": \"did:example:123\"" extra "}"
#define PKM ", \"publicKeyMultibase\": \"" ED_MK "\""

static void test_doc_check(void **state)
{
    did_buf big;

    (void)state;
    expect_doc_check(DOC_OK, DID_OK, NULL);
    expect_doc_check("{\"id\": \"did:example:123\"}", DID_OK, NULL);
    expect_doc_check("[]", DID_ERR_DID_DOC_INVALID, "object");
    expect_doc_check("{}", DID_ERR_DID_DOC_INVALID, "id");
    expect_doc_check("{\"id\": 5}", DID_ERR_DID_DOC_INVALID, "id");
    expect_doc_check("{\"id\": \"did:example:1234\"}", DID_ERR_DID_DOC_INVALID, "id");
    expect_doc_check("{\"id\": \"did:example:123\", \"controller\": \"notadid\"}",
                     DID_ERR_DID_DOC_INVALID, "controller");
    expect_doc_check("{\"id\": \"did:example:123\", \"controller\": []}", DID_ERR_DID_DOC_INVALID,
                     "controller");
    expect_doc_check("{\"id\": \"did:example:123\", \"controller\": [\"did:example:1\", 7]}",
                     DID_ERR_DID_DOC_INVALID, "controller");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": {}}",
                     DID_ERR_DID_DOC_INVALID, "verificationMethod");
    /* Duplicate ids, also when one is relative and one absolute, or one is embedded. */
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [" VM("#a", PKM) "," VM(
                         "#a", PKM) "]}",
                     DID_ERR_DID_DOC_INVALID, "duplicate");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [" VM("#a", PKM) "," VM(
                         "did:example:123#a", PKM) "]}",
                     DID_ERR_DID_DOC_INVALID, "duplicate");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [" VM(
                         "#a", PKM) "], \"authentication\": [" VM("#a", PKM) "]}",
                     DID_ERR_DID_DOC_INVALID, "duplicate");
    /* Both key forms, neither, and a bad method controller / id / type. */
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [" VM(
                         "#a", PKM ", \"publicKeyJwk\": {\"kty\": \"OKP\"}") "]}",
                     DID_ERR_DID_DOC_INVALID, "exactly one");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [" VM("#a", "") "]}",
                     DID_ERR_DID_DOC_INVALID, "exactly one");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [{\"id\": \"#a\", "
                     "\"type\": \"Multikey\", \"controller\": \"example\"" PKM "}]}",
                     DID_ERR_DID_DOC_INVALID, "controller");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [{\"id\": \"#a\", "
                     "\"type\": \"Multikey\"" PKM "}]}",
                     DID_ERR_DID_DOC_INVALID, "controller");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [" VM("a b", PKM) "]}",
                     DID_ERR_DID_DOC_INVALID, "id");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [{\"id\": \"#a\", "
                     "\"controller\": \"did:example:123\"" PKM "}]}",
                     DID_ERR_DID_DOC_INVALID, "type");
    expect_doc_check("{\"id\": \"did:example:123\", \"verificationMethod\": [" VM(
                         "#a", ", \"publicKeyMultibase\": 5") "]}",
                     DID_ERR_DID_DOC_INVALID, "publicKeyMultibase");
    /* Relationships: lists of DID URLs or embedded methods. */
    expect_doc_check("{\"id\": \"did:example:123\", \"authentication\": \"#a\"}",
                     DID_ERR_DID_DOC_INVALID, "authentication");
    expect_doc_check("{\"id\": \"did:example:123\", \"keyAgreement\": [5]}",
                     DID_ERR_DID_DOC_INVALID, "keyAgreement[0]");
    expect_doc_check("{\"id\": \"did:example:123\", \"capabilityDelegation\": [\"not a url\"]}",
                     DID_ERR_DID_DOC_INVALID, "capabilityDelegation[0]");
    expect_doc_check("{\"id\": \"did:example:123\", \"assertionMethod\": [" VM("#a", "") "]}",
                     DID_ERR_DID_DOC_INVALID, "assertionMethod[0]");

    /* DID_DOC_MAX_METHODS, counting embedded methods too. */
    did_buf_init(&big);
    assert_int_equal(did_buf_append_str(&big, "{\"id\": \"did:example:123\", "
                                              "\"verificationMethod\": ["),
                     0);
    for (int i = 0; i < DID_DOC_MAX_METHODS; i++)
        assert_int_equal(did_buf_printf(&big,
                                        "%s{\"id\": \"#k%d\", \"type\": \"Multikey\", "
                                        "\"controller\": \"did:example:123\"" PKM "}",
                                        i ? "," : "", i),
                         0);
    assert_int_equal(did_buf_append_str(&big, "]}"), 0);
    expect_doc_check((const char *)big.data, DID_OK, NULL);
    big.len -= 2;
    assert_int_equal(did_buf_append_str(&big, "], \"authentication\": [" VM("#extra", PKM) "]}"),
                     0);
    expect_doc_check((const char *)big.data, DID_ERR_DID_DOC_INVALID, "64");
    did_buf_clear(&big);
}

static void expect_find(const json_t *doc, const char *id, did_relationship rel, int code,
                        const char *want_id)
{
    const json_t *vm = NULL;
    did_err err_s, *err = &err_s;

    t_assert_code(did_doc_find_vm(doc, id, strlen(id), rel, &vm, err), code, err);
    if (code == DID_OK)
        assert_string_equal(json_string_value(json_object_get(vm, "id")), want_id);
    else
        assert_null(vm);
}

static void test_find_vm(void **state)
{
    json_t *doc = load(DOC_OK);

    (void)state;
    expect_find(doc, "#key-1", DID_REL_ANY, DID_OK, "#key-1");
    expect_find(doc, "did:example:123#key-1", DID_REL_ANY, DID_OK, "#key-1");
    expect_find(doc, "did:example:123#key-1", DID_REL_AUTHENTICATION, DID_OK, "#key-1");
    expect_find(doc, "#key-2", DID_REL_ASSERTION_METHOD, DID_OK, "did:example:123#key-2");
    /* Embedded methods are found for their relationship and for ANY. */
    expect_find(doc, "did:example:123#key-3", DID_REL_AUTHENTICATION, DID_OK, "#key-3");
    expect_find(doc, "#key-3", DID_REL_ANY, DID_OK, "#key-3");
    expect_find(doc, "#key-3", DID_REL_ASSERTION_METHOD, DID_ERR_DID_VM_RELATIONSHIP, NULL);
    expect_find(doc, "#key-1", DID_REL_KEY_AGREEMENT, DID_ERR_DID_VM_RELATIONSHIP, NULL);
    expect_find(doc, "#key-2", DID_REL_CAPABILITY_INVOCATION, DID_ERR_DID_VM_RELATIONSHIP, NULL);
    /* Referenced but defined nowhere; not there at all; another DID's fragment. */
    expect_find(doc, "#elsewhere", DID_REL_ASSERTION_METHOD, DID_ERR_DID_VM_NOT_FOUND, NULL);
    expect_find(doc, "#elsewhere", DID_REL_ANY, DID_ERR_DID_VM_NOT_FOUND, NULL);
    expect_find(doc, "#key-9", DID_REL_ANY, DID_ERR_DID_VM_NOT_FOUND, NULL);
    expect_find(doc, "did:example:999#key-1", DID_REL_ANY, DID_ERR_DID_VM_NOT_FOUND, NULL);
    expect_find(doc, "key-1", DID_REL_ANY, DID_ERR_DID_VM_NOT_FOUND, NULL);
    json_decref(doc);
}

static void expect_vm_key(const char *text, int code, ck_key_type type)
{
    json_t *vm = load(text);
    ck_key *k = NULL;
    did_err err_s, *err = &err_s;

    t_assert_code(did_vm_key(vm, &k, err), code, err);
    if (code == DID_OK)
        assert_int_equal(ck_key_get_type(k), type);
    else
        assert_null(k);
    ck_key_free(k);
    json_decref(vm);
}

#define X_ED "\"x\": \"_eT7oDCtAC98L31MMx9J0T-w7HR-zuvsY08f9MvKne8\""

static void test_vm_key(void **state)
{
    (void)state;
    expect_vm_key("{\"type\": \"Multikey\", \"publicKeyMultibase\": \"" ED_MK "\"}", DID_OK,
                  CK_KEY_ED25519);
    expect_vm_key("{\"type\": \"Multikey\", \"publicKeyMultibase\": \"" K1_MK "\"}", DID_OK,
                  CK_KEY_SECP256K1);
    expect_vm_key("{\"type\": \"Ed25519VerificationKey2020\", \"publicKeyMultibase\": \"" ED_MK
                  "\"}",
                  DID_OK, CK_KEY_ED25519);
    expect_vm_key("{\"type\": \"JsonWebKey2020\", \"publicKeyJwk\": {\"kty\": \"OKP\", "
                  "\"crv\": \"Ed25519\", " X_ED "}}",
                  DID_OK, CK_KEY_ED25519);
    expect_vm_key("{\"type\": \"JsonWebKey\", \"publicKeyJwk\": {\"kty\": \"EC\", "
                  "\"crv\": \"P-256\", \"x\": \"igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns\", "
                  "\"y\": \"efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM\"}}",
                  DID_OK, CK_KEY_P256);
    /* A private key in a document. */
    expect_vm_key("{\"type\": \"JsonWebKey2020\", \"publicKeyJwk\": {\"kty\": \"OKP\", "
                  "\"crv\": \"Ed25519\", " X_ED ", "
                  "\"d\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAU\"}}",
                  DID_ERR_DID_VM_INVALID, 0);
    /* Type and key form mismatches. */
    expect_vm_key("{\"type\": \"Multikey\", \"publicKeyJwk\": {\"kty\": \"OKP\", "
                  "\"crv\": \"Ed25519\", " X_ED "}}",
                  DID_ERR_DID_VM_INVALID, 0);
    expect_vm_key("{\"type\": \"JsonWebKey2020\", \"publicKeyMultibase\": \"" ED_MK "\"}",
                  DID_ERR_DID_VM_INVALID, 0);
    expect_vm_key("{\"type\": \"Ed25519VerificationKey2020\", \"publicKeyMultibase\": \"" K1_MK
                  "\"}",
                  DID_ERR_DID_VM_INVALID, 0);
    expect_vm_key(
        "{\"type\": \"EcdsaSecp256k1VerificationKey2019\", \"publicKeyMultibase\": \"" K1_MK "\"}",
        DID_ERR_DID_VM_INVALID, 0);
    expect_vm_key("{\"publicKeyMultibase\": \"" ED_MK "\"}", DID_ERR_DID_VM_INVALID, 0);
    /* Undecodable keys. */
    expect_vm_key("{\"type\": \"Multikey\", \"publicKeyMultibase\": \"z6MkiTBz1\"}",
                  DID_ERR_DID_VM_INVALID, 0);
    expect_vm_key("{\"type\": \"Multikey\", \"publicKeyMultibase\": \"\"}", DID_ERR_DID_VM_INVALID,
                  0);
    expect_vm_key("{\"type\": \"JsonWebKey2020\", \"publicKeyJwk\": {\"kty\": \"OKP\", "
                  "\"crv\": \"Ed25519\"}}",
                  DID_ERR_DID_VM_INVALID, 0);
    expect_vm_key("{\"type\": \"JsonWebKey2020\", \"publicKeyJwk\": {\"kty\": \"EC\", "
                  "\"crv\": \"P-256\", \"x\": \"igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns\"}}",
                  DID_ERR_DID_VM_INVALID, 0);
    expect_vm_key("[]", DID_ERR_DID_VM_INVALID, 0);
}

/* A resolver that counts its calls and serves did:key documents (by delegating). */
static int counting_calls;
static int counting_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc,
                            did_err *err)
{
    (void)user;
    counting_calls++;
    return did_key_resolve(NULL, ctx, did, doc, err);
}

struct resolver_thread {
    did_ctx *ctx;
    const char *url;
    int failures;
};

static void *resolve_many(void *arg)
{
    struct resolver_thread *t = arg;
    for (int i = 0; i < 2000; i++) {
        ck_key *k = NULL;
        did_err e;
        if (did_resolve_key(t->ctx, t->url, strlen(t->url), DID_REL_ASSERTION_METHOD, &k, NULL,
                            &e) != DID_OK)
            t->failures++;
        ck_key_free(k);
    }
    return NULL;
}

/* did:key and did:jwk keys are cached by DID URL; the relationship check still applies to each
 * relationship, a replaced resolver is never bypassed, and the cache is thread-safe. */
static void test_key_cache(void **state)
{
    (void)state;
    did_ctx *ctx = NULL;
    did_err e;
    ck_key *key = NULL, *k1 = NULL, *k2 = NULL;
    ck_err ce;
    did_buf did;
    char url[256];
    t_assert_ok(did_ctx_new(&ctx, &e), &e);
    assert_int_equal(ck_key_generate(CK_KEY_ED25519, &key, &ce), CK_OK);
    did_buf_init(&did);
    t_assert_ok(did_key_from_key(key, &did, &e), &e);
    snprintf(url, sizeof url, "%s#%s", (const char *)did.data,
             (const char *)did.data + strlen("did:key:"));

    t_assert_ok(did_resolve_key(ctx, url, strlen(url), DID_REL_ASSERTION_METHOD, &k1, NULL, &e),
                &e);
    t_assert_ok(did_resolve_key(ctx, url, strlen(url), DID_REL_ASSERTION_METHOD, &k2, NULL, &e),
                &e);
    assert_int_equal(ck_key_public_equal(k1, key), 1);
    assert_int_equal(ck_key_public_equal(k2, key), 1);
    assert_ptr_not_equal(k1, k2); /* each caller owns its own handle */
    ck_key_free(k1);
    ck_key_free(k2);
    k1 = k2 = NULL;
    /* The signing key is not a key agreement key, cached or not. */
    for (int i = 0; i < 2; i++)
        t_assert_code(did_resolve_key(ctx, url, strlen(url), DID_REL_KEY_AGREEMENT, &k1, NULL, &e),
                      DID_ERR_DID_VM_RELATIONSHIP, &e);
    assert_null(k1);
    /* Asking for the method JSON bypasses the cache and still works. */
    json_t *vm = NULL;
    t_assert_ok(did_resolve_key(ctx, url, strlen(url), DID_REL_ASSERTION_METHOD, &k1, &vm, &e),
                &e);
    assert_non_null(vm);
    json_decref(vm);
    ck_key_free(k1);
    k1 = NULL;

    /* A replaced resolver is consulted every time. */
    counting_calls = 0;
    t_assert_ok(did_ctx_register_method(ctx, "key", counting_resolve, NULL, &e), &e);
    for (int i = 0; i < 3; i++) {
        t_assert_ok(
            did_resolve_key(ctx, url, strlen(url), DID_REL_ASSERTION_METHOD, &k1, NULL, &e), &e);
        ck_key_free(k1);
        k1 = NULL;
    }
    assert_int_equal(counting_calls, 3);

    /* Many threads on one context (a fresh one, so the cache is in use). */
    did_ctx *shared = NULL;
    t_assert_ok(did_ctx_new(&shared, &e), &e);
    pthread_t th[4];
    struct resolver_thread arg[4];
    for (int i = 0; i < 4; i++) {
        arg[i] = (struct resolver_thread){shared, url, 0};
        assert_int_equal(pthread_create(&th[i], NULL, resolve_many, &arg[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(arg[i].failures, 0);
    }
    /* More distinct DIDs than the cache holds: every answer stays right. */
    for (int i = 0; i < 600; i++) {
        ck_key *g = NULL;
        did_buf d;
        char u[256];
        assert_int_equal(ck_key_generate(i % 2 ? CK_KEY_P256 : CK_KEY_ED25519, &g, &ce), CK_OK);
        did_buf_init(&d);
        t_assert_ok(did_key_from_key(g, &d, &e), &e);
        snprintf(u, sizeof u, "%s#%s", (const char *)d.data,
                 (const char *)d.data + strlen("did:key:"));
        t_assert_ok(did_resolve_key(shared, u, strlen(u), DID_REL_AUTHENTICATION, &k1, NULL, &e),
                    &e);
        assert_int_equal(ck_key_public_equal(k1, g), 1);
        ck_key_free(k1);
        k1 = NULL;
        ck_key_free(g);
        did_buf_clear(&d);
    }
    t_assert_ok(did_resolve_key(shared, url, strlen(url), DID_REL_AUTHENTICATION, &k1, NULL, &e),
                &e);
    assert_int_equal(ck_key_public_equal(k1, key), 1);
    ck_key_free(k1);
    did_ctx_free(shared);

    did_buf_clear(&did);
    ck_key_free(key);
    did_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctx_methods),
        cmocka_unit_test(test_ctx_limits),
        cmocka_unit_test(test_resolve_errors),
        cmocka_unit_test(test_resolution_result),
        cmocka_unit_test(test_relationship_names),
        cmocka_unit_test(test_doc_check),
        cmocka_unit_test(test_find_vm),
        cmocka_unit_test(test_vm_key),
        cmocka_unit_test(test_key_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
