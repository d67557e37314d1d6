/* The issuer library's store and request decoders (issuer/issuer.h): keys sealed and unsealed,
 * an issuance that fails writes nothing, status changes land in the list's bitstring, tokens
 * replace each other, and the decoders refuse what they must. The HTTP service itself is
 * exercised by tests/cli_issuer_serve.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <did/json.h>
#include <did/status.h>

#include <issuer/issuer.h>

static char dir[] = "/tmp/civid-issuer-test-XXXXXX";
static const uint8_t pass[] = "test passphrase";

static issuer_store *open_store(void)
{
    issuer_store *st = NULL;
    did_err e;
    assert_int_equal(issuer_store_open(dir, (size_t)16 << 20, &st, &e), DID_OK);
    return st;
}

static void test_keys(void **state)
{
    (void)state;
    issuer_store *st = open_store();
    ck_key *k = NULL;
    ck_err ce;
    did_err e;
    uint32_t id = 0;
    issuer_keyring kr;
    assert_int_equal(issuer_store_key_count(st), 0);
    assert_int_equal(ck_key_generate(CK_KEY_ED25519, &k, &ce), CK_OK);
    assert_int_equal(
        issuer_store_add_key(st, k, pass, sizeof pass - 1, ck_kdf_params_min(), &id, &e), DID_OK);
    assert_int_equal(id, 1);
    assert_int_equal(issuer_store_load_keys(st, (const uint8_t *)"wrong", 5, &kr, &e),
                     CK_ERR_PASSPHRASE);
    assert_int_equal(issuer_store_load_keys(st, pass, sizeof pass - 1, &kr, &e), DID_OK);
    assert_int_equal(kr.n, 1);
    assert_true(ck_key_public_equal(kr.signing, k));
    issuer_keyring_clear(&kr);
    ck_key_free(k);
    /* Rotation: the new key signs, the old one stays listed. */
    assert_int_equal(ck_key_generate(CK_KEY_P256, &k, &ce), CK_OK);
    assert_int_equal(
        issuer_store_add_key(st, k, pass, sizeof pass - 1, ck_kdf_params_min(), &id, &e), DID_OK);
    assert_int_equal(id, 2);
    assert_int_equal(issuer_store_load_keys(st, pass, sizeof pass - 1, &kr, &e), DID_OK);
    assert_int_equal(kr.n, 2);
    assert_int_equal(kr.ids[kr.current], 2);
    assert_true(ck_key_public_equal(kr.signing, k));
    issuer_keyring_clear(&kr);
    ck_key_free(k);
    issuer_store_close(st);
}

static int sign_ok(void *user, const issuer_status_ref refs[2], did_err *err)
{
    (void)err;
    memcpy(user, refs, 2 * sizeof refs[0]);
    return DID_OK;
}

static int sign_fails(void *user, const issuer_status_ref refs[2], did_err *err)
{
    (void)user;
    (void)refs;
    return did_err_set(err, DID_ERR_DI_KEY, "no");
}

static void test_status(void **state)
{
    (void)state;
    issuer_store *st = open_store();
    did_err e;
    issuer_status_ref refs[2], got[2];
    const char *a = "urn:a", *b = "urn:b";
    int changed;
    assert_int_equal(issuer_store_issue(st, a, strlen(a), ISSUER_STATUS_REVOCATION, 131072, 1,
                                        sign_fails, NULL, &e),
                     DID_ERR_DI_KEY);
    assert_int_equal(issuer_store_record_count(st), 0);
    assert_int_equal(issuer_store_issue(st, a, strlen(a),
                                        ISSUER_STATUS_REVOCATION | ISSUER_STATUS_SUSPENSION, 131072,
                                        1, sign_ok, refs, &e),
                     DID_OK);
    /* The failed attempt consumed nothing: the first list, index 0. */
    assert_int_equal(refs[0].list, 1);
    assert_int_equal(refs[0].index, 0);
    assert_int_equal(refs[1].list, 2);
    assert_int_equal(issuer_store_issue(st, b, strlen(b), ISSUER_STATUS_REVOCATION, 131072, 1,
                                        sign_ok, refs, &e),
                     DID_OK);
    assert_int_equal(refs[0].list, 1);
    assert_int_equal(refs[0].index, 1);
    assert_int_equal(refs[1].list, 0);
    assert_int_equal(issuer_store_issue(st, b, strlen(b), 0, 131072, 1, sign_ok, refs, &e),
                     ISSUER_ERR_CREDENTIAL_EXISTS);
    assert_int_equal(issuer_store_get_record(st, b, strlen(b), got, &e), DID_OK);
    assert_int_equal(got[0].index, 1);
    assert_int_equal(issuer_store_set_status(st, b, strlen(b), ISSUER_REVOKE, 2, &changed, &e),
                     DID_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(issuer_store_set_status(st, b, strlen(b), ISSUER_REVOKE, 2, &changed, &e),
                     DID_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(issuer_store_set_status(st, b, strlen(b), ISSUER_SUSPEND, 2, &changed, &e),
                     ISSUER_ERR_NO_STATUS);
    assert_int_equal(issuer_store_set_status(st, "urn:c", 5, ISSUER_REVOKE, 2, &changed, &e),
                     ISSUER_ERR_CREDENTIAL_UNKNOWN);
    did_status_list *l = NULL;
    const char *purpose;
    unsigned v;
    assert_int_equal(issuer_store_get_list(st, 1, &purpose, &l, &e), DID_OK);
    assert_string_equal(purpose, DID_STATUS_REVOCATION);
    assert_int_equal(did_status_list_get(l, 0, &v, &e), DID_OK);
    assert_int_equal(v, 0);
    assert_int_equal(did_status_list_get(l, 1, &v, &e), DID_OK);
    assert_int_equal(v, 1);
    did_status_list_free(l);
    assert_int_equal(issuer_store_get_list(st, 7, &purpose, &l, &e), ISSUER_ERR_LIST_UNKNOWN);
    /* Tokens replace each other. */
    uint8_t d[2][32], out[ISSUER_MAX_TOKENS][32];
    size_t n;
    memset(d, 0xab, sizeof d);
    d[1][0] = 1;
    assert_int_equal(issuer_store_set_tokens(st, (const uint8_t(*)[32])d, 2, &e), DID_OK);
    assert_int_equal(issuer_store_set_tokens(st, (const uint8_t(*)[32])d + 1, 1, &e), DID_OK);
    assert_int_equal(issuer_store_get_tokens(st, out, ISSUER_MAX_TOKENS, &n, &e), DID_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(out[0], d[1], 32);
    issuer_store_close(st);
}

static int decode_issue(const char *text, issuer_issue_request *r)
{
    json_t *j = NULL;
    did_err e;
    assert_int_equal(did_json_parse((const uint8_t *)text, strlen(text), NULL, &j, &e), DID_OK);
    int rc = issuer_issue_request_decode(j, ISSUER_FORMAT_DI_EDDSA_JCS, r, &e);
    json_decref(j); /* r borrows: only its scalar members are looked at after this */
    return rc;
}

static void test_decode(void **state)
{
    (void)state;
    issuer_issue_request r;
    assert_int_equal(decode_issue("{\"credential\": {}}", &r), DID_OK);
    assert_int_equal(r.format, ISSUER_FORMAT_DI_EDDSA_JCS);
    assert_int_equal(r.status, 0);
    assert_int_equal(decode_issue("{\"credential\": {}, \"options\": {\"status\": {\"purpose\": "
                                  "[\"suspension\", \"revocation\"]}}}",
                                  &r),
                     DID_OK);
    assert_int_equal(r.status, ISSUER_STATUS_REVOCATION | ISSUER_STATUS_SUSPENSION);
    assert_int_equal(decode_issue("{\"credential\": {}, \"options\": {\"format\": \"x\"}}", &r),
                     ISSUER_ERR_FORMAT);
    assert_int_equal(decode_issue("{\"credential\": {}, \"options\": {\"sd\": [\"/a\"]}}", &r),
                     ISSUER_ERR_FORMAT);
    assert_int_equal(
        decode_issue("{\"credential\": {}, \"options\": {\"format\": \"sd-jwt\", \"status\": "
                     "true}}",
                     &r),
        ISSUER_ERR_FORMAT);
    assert_int_equal(decode_issue("{\"credential\": []}", &r), DID_ERR_JSON_TYPE);
    assert_int_equal(decode_issue("{\"credential\": {}, \"extra\": 1}", &r), DID_ERR_JSON_TYPE);
    assert_int_equal(
        decode_issue("{\"credential\": {}, \"options\": {\"status\": {\"purpose\": \"x\"}}}", &r),
        DID_ERR_JSON_TYPE);

    const char *ok = "{\"credentialId\": \"urn:x\", \"credentialStatus\": [{\"type\": "
                     "\"BitstringStatusListEntry\", \"status\": \"suspended\"}]}";
    const char *both = "{\"credentialId\": \"urn:x\", \"action\": \"revoke\", "
                       "\"credentialStatus\": []}";
    json_t *j = NULL;
    did_err e;
    issuer_status_request s;
    assert_int_equal(did_json_parse((const uint8_t *)ok, strlen(ok), NULL, &j, &e), DID_OK);
    assert_int_equal(issuer_status_request_decode(j, &s, &e), DID_OK);
    assert_int_equal(s.action, ISSUER_SUSPEND);
    assert_int_equal(s.id_len, 5);
    json_decref(j);
    assert_int_equal(did_json_parse((const uint8_t *)both, strlen(both), NULL, &j, &e), DID_OK);
    assert_int_equal(issuer_status_request_decode(j, &s, &e), DID_ERR_JSON_TYPE);
    json_decref(j);
}

static void test_config(void **state)
{
    (void)state;
    issuer_config c;
    did_err e;
    issuer_config_init(&c);
    const char *good = "{\"did\": \"did:web:issuer.example\", \"keyType\": \"p256\", "
                       "\"statusFormat\": \"di-ecdsa-jcs\", \"baseUrl\": \"https://i.example\"}";
    assert_int_equal(issuer_config_apply(&c, (const uint8_t *)good, strlen(good), &e), DID_OK);
    assert_int_equal(c.key_type, CK_KEY_P256);
    assert_int_equal(c.status_format, ISSUER_FORMAT_DI_ECDSA_JCS);
    const char *bad[] = {"{\"statusFormat\": \"sd-jwt\"}", "{\"baseUrl\": \"https://x/\"}",
                         "{\"kdf\": \"none\"}", "{\"threads\": 0}", "{\"unknown\": 1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(issuer_config_apply(&c, (const uint8_t *)bad[i], strlen(bad[i]), &e),
                         DID_ERR_JSON_TYPE);
}

int main(void)
{
    if (ck_init() != CK_OK || mkdtemp(dir) == NULL)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_config),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc != 0 ? rc : 1;
    return rc;
}
