/*
 * approval_fixture.h -- a small world for the approval and delegation tests: did:key parties
 * generated per test, a valid request, chain and approval, and helpers to mutate them.
 * Header-only (static functions) so test_approval.c and test_delegation.c stay independent.
 */
#ifndef CIVID_APPROVAL_FIXTURE_H
#define CIVID_APPROVAL_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <did/approval.h>
#include <did/delegation.h>
#include <did/jose.h>

#include "support.h"

#define FX_FN static __attribute__((unused)) /* each test uses a subset */

#define FX_T0 1767300000 /* request iat */

typedef struct fx_party {
    ck_key *key;
    char did[128];
    char kid[256];
} fx_party;

typedef struct fx {
    did_ctx *ctx;
    fx_party service, other_service, principal, other_principal, agent, human, human2, mallory,
        sub_agent;
} fx;

FX_FN void fx_party_new(fx_party *p, ck_key_type t)
{
    did_buf b;
    did_err e;
    ck_err ce;

    ck_err_clear(&ce);
    assert_int_equal(ck_key_generate(t, &p->key, &ce), 0);
    did_buf_init(&b);
    t_assert_ok(did_key_from_key(p->key, &b, &e), &e);
    snprintf(p->did, sizeof(p->did), "%s", (const char *)b.data);
    snprintf(p->kid, sizeof(p->kid), "%s#%s", p->did, p->did + 8);
    did_buf_clear(&b);
}

FX_FN fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    did_err e;

    assert_non_null(f);
    t_assert_ok(did_ctx_new(&f->ctx, &e), &e);
    fx_party_new(&f->service, CK_KEY_P256);
    fx_party_new(&f->other_service, CK_KEY_ED25519);
    fx_party_new(&f->principal, CK_KEY_ED25519);
    fx_party_new(&f->other_principal, CK_KEY_ED25519);
    fx_party_new(&f->agent, CK_KEY_ED25519);
    fx_party_new(&f->human, CK_KEY_ED25519);
    fx_party_new(&f->human2, CK_KEY_P256);
    fx_party_new(&f->mallory, CK_KEY_ED25519);
    fx_party_new(&f->sub_agent, CK_KEY_ED25519);
    return f;
}

FX_FN void fx_free(fx *f)
{
    fx_party *ps[] = {&f->service, &f->other_service, &f->principal, &f->other_principal, &f->agent,
                      &f->human,   &f->human2,        &f->mallory,   &f->sub_agent};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
        ck_key_free(ps[i]->key);
    did_ctx_free(f->ctx);
    free(f);
}

FX_FN char *fx_b64_sha256(const char *s)
{
    uint8_t d[32];
    char *out = malloc(44);
    size_t w;
    ck_err ce;

    assert_non_null(out);
    assert_int_equal(ck_sha256(s, strlen(s), d), 0);
    assert_int_equal(ck_b64url_encode(d, 32, out, 44, &w, &ce), 0);
    return out;
}

FX_FN char *fx_b64(const char *s)
{
    size_t n = ck_b64url_encoded_len(strlen(s)), w;
    char *out = malloc(n + 1);
    ck_err ce;

    assert_non_null(out);
    assert_int_equal(ck_b64url_encode((const uint8_t *)s, strlen(s), out, n + 1, &w, &ce), 0);
    return out;
}

#define FX_TEXT "Hyvaksy ostotilaus 2026-000123: 1 250,00 EUR, Acme Oy"
#define FX_DOC "%PDF-1.7 purchase order 2026-000123"

/* A valid request from f->service to f->principal (new reference). */
FX_FN json_t *fx_request_claims(fx *f)
{
    char *dig = fx_b64_sha256(FX_TEXT), *doc = fx_b64_sha256(FX_DOC);
    char *txd = fx_b64("{\"type\":\"urn:civid:approval:1\",\"credential_ids\":[\"org\"],"
                       "\"payload\":{\"po\":\"2026-000123\"}}");
    json_t *c = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s,"
        " s:{s:s, s:{s:I, s:s}, s:{s:s, s:s}},"
        " s:[{s:s, s:s, s:s, s:s}],"
        " s:{s:s, s:s, s:s, s:s, s:s}, s:[s], s:{s:i, s:s}}",
        "iss", f->service.did, "aud", f->principal.did, "jti", "req-0001", "nonce",
        "AAECAwQFBgcICQoLDA0ODw", "iat", (json_int_t)FX_T0, "exp", (json_int_t)(FX_T0 + 600), "cmd",
        "/approve/procurement/po", "res", "https://erp.example/po/2026-000123", "args", "po",
        "2026-000123", "amount", "value", (json_int_t)125000, "currency", "EUR", "payee", "id",
        "VAT:FI12345678", "name", "Acme Oy", "docs", "label", "Purchase order", "mt",
        "application/pdf", "alg", "sha-256", "dig", doc, "disp", "tpl", "urn:city:tpl:po-approval",
        "ver", "3", "lang", "fi-FI", "text", FX_TEXT, "dig", dig, "transaction_data", txd, "want",
        "max_tier", 3, "sig_level", "AdES");
    free(dig);
    free(doc);
    free(txd);
    assert_non_null(c);
    return c;
}

FX_FN char *fx_sign_request(fx *f, const json_t *claims, const fx_party *signer)
{
    did_buf b;
    did_err e;

    (void)f;

    did_buf_init(&b);
    t_assert_ok(did_apreq_sign(signer->key, signer->kid, claims, &b, &e), &e);
    return (char *)did_buf_steal(&b, NULL);
}

/* A delegation link: iss -> sub, root when parent is NULL (new reference). */
FX_FN json_t *fx_dlg_claims(const fx_party *iss, const fx_party *sub, const char *prn,
                            const char *parent_jws, int tier, int max_depth, const char *aud)
{
    char ref[DID_APR_REF_LEN];
    did_err e;
    json_t *c = json_pack(
        "{s:s, s:s, s:s, s:I, s:I, s:s,"
        " s:{s:[s], s:[s], s:[s], s:[[s,s,s],[s,s,s]],"
        "    s:{s:{s:I, s:s}, s:{s:I, s:s, s:s}, s:i},"
        "    s:i, s:i, s:{s:i, s:[s,s]}, s:i, s:s}}",
        "iss", iss->did, "sub", sub->did, "jti", "dlg-1", "iat", (json_int_t)(FX_T0 - 86400), "exp",
        (json_int_t)(FX_T0 + 30 * 86400), "prn", prn, "dlg", "cmd", "/approve/procurement/po",
        "aud", aud, "res", "https://erp.example/po/*", "pol", "==", ".amount.currency", "EUR",
        "like", ".payee.id", "VAT:FI*", "lim", "per_txn", "value", (json_int_t)500000, "currency",
        "EUR", "budget", "value", (json_int_t)2000000, "currency", "EUR", "period", "P30D",
        "max_uses", 100, "tier", tier, "veto_s", 3600, "cosign", "k", 1, "of",
        "did:key:placeholder1", "did:key:placeholder2", "max_depth", max_depth, "sig_level",
        "AdES");
    assert_non_null(c);
    if (parent_jws == NULL) {
        json_object_set_new(c, "prf", json_null());
    } else {
        t_assert_ok(did_dlg_ref(parent_jws, strlen(parent_jws), ref, &e), &e);
        json_object_set_new(c, "prf", json_string(ref));
    }
    return c;
}

FX_FN void fx_set_cosigners(json_t *dlg_claims, const char *a, const char *b)
{
    json_t *of =
        json_object_get(json_object_get(json_object_get(dlg_claims, "dlg"), "cosign"), "of");
    json_array_set_new(of, 0, json_string(a));
    json_array_set_new(of, 1, json_string(b));
}

FX_FN char *fx_sign_dlg(const json_t *claims, const fx_party *signer)
{
    did_buf b;
    did_err e;

    did_buf_init(&b);
    t_assert_ok(did_dlg_sign(signer->key, signer->kid, claims, &b, &e), &e);
    return (char *)did_buf_steal(&b, NULL);
}

/* An approval statement by the agent (or the principal when dlg_leaf is NULL). */
FX_FN json_t *fx_statement(fx *f, const char *request, const char *dlg_leaf, int tier,
                           const fx_party *signer)
{
    char rq_ref[DID_APR_REF_LEN], dlg_ref[DID_APR_REF_LEN];
    char *dig = fx_b64_sha256(FX_TEXT);
    json_t *c, *txd_hashes;
    did_err e;
    did_apreq r;
    did_apreq_verify_opts ro = {FX_T0 + 1, 60, NULL, 0};

    t_assert_ok(did_dlg_ref(request, strlen(request), rq_ref, &e), &e);
    did_apreq_init(&r);
    t_assert_ok(did_apreq_verify(f->ctx, request, strlen(request), &ro, &r, &e), &e);
    txd_hashes = json_array();
    for (size_t i = 0; r.txd != NULL && i < json_array_size(r.txd); i++) {
        char *h = fx_b64_sha256(json_string_value(json_array_get(r.txd, i)));
        json_array_append_new(txd_hashes, json_string(h));
        free(h);
    }
    c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "iss",
                  signer->did, "role", dlg_leaf != NULL ? "agent" : "principal", "prn",
                  f->principal.did, "aud", r.iss, "jti", "apr-0001", "iat",
                  (json_int_t)(FX_T0 + 30), "nonce", r.nonce, "decision", "approve", "rq", rq_ref,
                  "disp_dig", dig, "txd_hashes", txd_hashes, "txd_hashes_alg", "sha-256");
    assert_non_null(c);
    if (dlg_leaf != NULL) {
        t_assert_ok(did_dlg_ref(dlg_leaf, strlen(dlg_leaf), dlg_ref, &e), &e);
        json_object_set_new(c, "dlg", json_string(dlg_ref));
        json_object_set_new(c, "tier", json_integer(tier));
    }
    did_apreq_clear(&r);
    free(dig);
    return c;
}

FX_FN char *fx_envelope(const json_t *stmt)
{
    did_buf b;
    did_err e;

    did_buf_init(&b);
    t_assert_ok(did_approval_create(stmt, &b, &e), &e);
    return (char *)did_buf_steal(&b, NULL);
}

FX_FN char *fx_add_sig(char *env, const fx_party *p, int commitment, int role)
{
    did_buf b;
    did_err e;

    did_buf_init(&b);
    t_assert_ok(did_approval_add_signature(env, strlen(env), p->key, p->kid, NULL, FX_T0 + 30,
                                           commitment, role, &b, &e),
                &e);
    free(env);
    return (char *)did_buf_steal(&b, NULL);
}

#endif
