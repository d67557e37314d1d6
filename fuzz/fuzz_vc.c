/*
 * fuzz_vc.c -- the VC Data Model 2.0 checks (did/vc.h) and VC-JOSE verification
 * (did/vcjose.h).
 *
 * Every input goes through:
 *   1. did_json_parse, then did_vc_check and did_vp_check (a fixed clock, with and without a
 *      result, with and without ignore_time) and the presentation entry iterator;
 *   2. did_vcjose_verify as a token, with kid resolution through a did_ctx and with a
 *      caller-supplied key. fuzz/corpus/vc/ holds a vc+jwt signed with the issuer key below and
 *      a vp+jwt (nonce and audience as below) signed with a P-256 key made from the holder
 *      seed, both as did:key, so inputs get past the signatures.
 * Invariants (abort on violation): every code has a name; a failing check returns the code of
 * a recorded error, err carries it, and "verified" is false; a passing one recorded no error;
 * did_vcjose_verify sets the document exactly when it succeeds; the iterator's pointers lie
 * inside the entry's "id".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/json.h>
#include <did/vc.h>
#include <did/vcjose.h>

/* 32 bytes: the Ed25519 seed of the issuer key. */
static const uint8_t issuer_seed[32] = "civid fuzz_vc issuer seed 000001";
/* (the holder seed of the corpus tokens: "civid fuzz_vc holder seed 000002") */

static ck_key *issuer_key;
static did_ctx *ctx;

static void setup(void)
{
    ck_err ce;
    did_err e;

    if (ctx != NULL)
        return;
    if (ck_key_import_private(CK_KEY_ED25519, issuer_seed, sizeof(issuer_seed), &issuer_key, &ce) !=
            CK_OK ||
        did_ctx_new(&ctx, &e) != DID_OK)
        abort();
}

static int has_code(const did_result *r, int code)
{
    for (size_t i = 0; i < r->n_errors; i++)
        if (r->errors[i].code == code)
            return 1;
    return r->dropped_error;
}

static void check_outcome(int rc, const did_err *e, const did_result *r, int entry_code)
{
    if (strcmp(did_err_name(rc), "DID_ERR_UNKNOWN") == 0)
        abort();
    if (rc == DID_OK) {
        if (r->n_errors != 0 || r->dropped_error || e->code != DID_OK)
            abort();
        return;
    }
    if (e->code != rc || did_result_verified(r))
        abort();
    /* The returned code is a recorded one, or the presentation's wrapper for an entry's. */
    if (!has_code(r, rc) && !(rc == entry_code && r->n_errors > 0))
        abort();
}

static void run_checks(const uint8_t *data, size_t size)
{
    did_json_limits lim = did_json_limits_default();
    did_vc_check_opts o;
    json_t *v = NULL;
    did_result r;
    did_err e;
    int rc, rc2;

    lim.max_bytes = 65536;
    lim.max_depth = 32;
    if (did_json_parse(data, size, &lim, &v, &e) != DID_OK)
        return;
    memset(&o, 0, sizeof o);
    o.now = 1700000000;
    o.skew = 60;

    did_result_init(&r);
    rc = did_vc_check(v, &o, &r, &e);
    check_outcome(rc, &e, &r, DID_OK);
    rc2 = did_vc_check(v, &o, NULL, &e); /* no result: the same answer */
    if (rc2 != rc)
        abort();
    did_result_clear(&r);

    did_result_init(&r);
    rc = did_vp_check(v, &o, &r, &e);
    check_outcome(rc, &e, &r, DID_ERR_VP_CREDENTIAL);
    if (did_vp_check(v, &o, NULL, &e) != rc)
        abort();
    did_result_clear(&r);

    o.ignore_time = 1;
    if (did_vc_check(v, &o, NULL, &e) == DID_ERR_VC_EXPIRED)
        abort();

    for (size_t i = 0, n = did_vp_credential_count(v); i < n && i < 80; i++) {
        did_vp_entry ent;
        rc = did_vp_credential_get(v, i, &ent, &e);
        if (rc != DID_OK) {
            if (ent.obj != NULL || ent.data != NULL)
                abort();
            continue;
        }
        if (ent.kind == DID_VP_ENTRY_ENVELOPED) {
            const json_t *id = json_object_get(ent.obj, "id");
            const char *s = json_string_value(id);
            size_t sl = json_string_length(id);
            if (s == NULL || ent.media_type < s || ent.data + ent.data_len != s + sl ||
                ent.data_len == 0 || ent.media_type_len == 0)
                abort();
        } else if (ent.kind != DID_VP_ENTRY_EMBEDDED || ent.data != NULL) {
            abort();
        }
    }
    json_decref(v);
}

static void run_token(const uint8_t *data, size_t size)
{
    did_vcjose_verify_opts o;
    did_result r;
    did_err e;
    json_t *creds = json_array();
    int rc;

    memset(&o, 0, sizeof o);
    o.now = 1700000000;
    o.skew = 60;
    o.max_len = 65536;
    o.credentials = creds;
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: a verifier of presentations; pass 1: of credentials, with a known key */
        o.key = pass == 0 ? NULL : issuer_key;
        o.nonce = pass == 0 ? "fuzz-nonce" : NULL;
        o.aud = pass == 0 ? "https://verifier.example" : NULL;
        did_result_init(&r);
        rc = did_vcjose_verify(ctx, (const char *)data, size, &o, &r, &e);
        check_outcome(rc, &e, &r, DID_ERR_VP_CREDENTIAL);
        if ((rc == DID_OK) != (r.document != NULL))
            abort();
        if (rc == DID_OK && !json_is_object(r.document))
            abort();
        did_result_clear(&r);
    }
    for (size_t i = 0; i < json_array_size(creds); i++)
        if (!json_is_object(json_array_get(creds, i)))
            abort();
    json_decref(creds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    run_checks(data, size);
    run_token(data, size);
    return 0;
}
