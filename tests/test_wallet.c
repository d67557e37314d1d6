/* The wallet library (wallet/wallet.h): the encrypted store, keys, credentials, presentations
 * in every format checked with did_verify, the consent log, backups, and damaged stores and
 * backups. Every test works in a fresh directory under /tmp (mkdtemp), removed at the end;
 * Argon2id runs with ck_kdf_params_min so the suite stays fast. Credentials are issued here with
 * libdid (did_di_sign, did_vcjose_sign, did_sdjwt_issue) by a freshly generated issuer key.
 * LMDB is opened directly only to damage a record on purpose. */
#define _XOPEN_SOURCE 700 /* nftw, to remove the temporary directories */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include <did/di.h>
#include <did/fetch.h>
#include <did/json.h>
#include <did/sdjwt.h>
#include <did/status.h>
#include <did/time.h>
#include <did/vc.h>
#include <did/vcjose.h>
#include <did/verify.h>
#include <wallet/wallet.h>

#include "support.h"

#define PASS "correct horse battery staple"
#define PASS2 "another passphrase entirely"
#define CHALLENGE "n-0S6_WzA2Mj"
#define DOMAIN "https://verifier.example"

static const uint8_t *pass = (const uint8_t *)PASS;
static const size_t pass_len = sizeof PASS - 1;

typedef struct fx {
    char tmp[64];
    char dir[128];
    wallet *w;
    did_ctx *ctx;
    ck_key *issuer;      /* Ed25519: Data Integrity and SD-JWT */
    ck_key *issuer_p256; /* vc+jwt */
} fx;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    ck_err ce;
    did_err e;
    assert_non_null(f);
    snprintf(f->tmp, sizeof f->tmp, "/tmp/test_wallet.XXXXXX");
    assert_non_null(mkdtemp(f->tmp));
    snprintf(f->dir, sizeof f->dir, "%s/wallet", f->tmp);
    t_assert_ok(did_ctx_new(&f->ctx, &e), &e);
    t_assert_ok(ck_key_generate(CK_KEY_ED25519, &f->issuer, &ce), &ce);
    t_assert_ok(ck_key_generate(CK_KEY_P256, &f->issuer_p256, &ce), &ce);
    t_assert_ok(wallet_create(f->dir, pass, pass_len, ck_kdf_params_min(), &f->w, &e), &e);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    wallet_close(f->w);
    did_ctx_free(f->ctx);
    ck_key_free(f->issuer);
    ck_key_free(f->issuer_p256);
    (void)nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void reopen(fx *f, const uint8_t *p, size_t n)
{
    did_err e;
    wallet_close(f->w);
    f->w = NULL;
    t_assert_ok(wallet_open(f->dir, p, n, &f->w, &e), &e);
}

static wallet_info info(fx *f)
{
    wallet_info wi;
    did_err e;
    t_assert_ok(wallet_get_info(f->w, &wi, &e), &e);
    return wi;
}

/* ---- issuing test credentials ------------------------------------------------------------- */

/* "did:key:..." and its verification method for key. */
static void key_did(const ck_key *key, char *did, char *kid, size_t cap)
{
    did_buf b;
    did_err e;
    did_buf_init(&b);
    t_assert_ok(did_key_from_key(key, &b, &e), &e);
    snprintf(did, cap, "%s", (const char *)b.data);
    snprintf(kid, cap, "%s#%s", (const char *)b.data, (const char *)b.data + 8);
    did_buf_clear(&b);
}

static json_t *vc_doc(const char *issuer, const char *subject)
{
    json_t *vc = json_pack(
        "{s:[s,s], s:s, s:[s,s], s:s, s:s, s:{s:s, s:s}}", "@context",
        "https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2",
        "id", "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33", "type", "VerifiableCredential",
        "ExampleAlumniCredential", "issuer", issuer, "validFrom", "2023-01-01T00:00:00Z",
        "credentialSubject", "id", subject, "alumniOf", "The School of Examples");
    assert_non_null(vc);
    return vc;
}

/* A Data Integrity (eddsa-jcs-2022) credential as JSON text (malloc'd). */
static char *issue_di(fx *f, const char *subject)
{
    char did[256], kid[512];
    did_err e;
    json_t *secured = NULL;
    key_did(f->issuer, did, kid, sizeof did);
    json_t *vc = vc_doc(did, subject);
    did_di_sign_opts so = {.suite = DID_DI_EDDSA_JCS_2022, .verification_method = kid};
    t_assert_ok(did_di_sign(f->issuer, vc, &so, &secured, &e), &e);
    char *text = json_dumps(secured, JSON_INDENT(2));
    assert_non_null(text);
    json_decref(vc);
    json_decref(secured);
    return text;
}

/* A vc+jwt (ES256) credential (malloc'd). */
static char *issue_vcjwt(fx *f, const char *subject)
{
    char did[256], kid[512];
    did_err e;
    did_buf out;
    did_buf_init(&out);
    key_did(f->issuer_p256, did, kid, sizeof did);
    json_t *vc = vc_doc(did, subject);
    t_assert_ok(did_vcjose_sign(f->issuer_p256, kid, vc, &out, &e), &e);
    json_decref(vc);
    size_t n;
    return (char *)did_buf_steal(&out, &n);
}

/* The public key of the wallet key whose kid is given. */
static ck_key *resolve(fx *f, const char *kid)
{
    ck_key *key = NULL;
    did_err e;
    t_assert_ok(did_resolve_key(f->ctx, kid, strlen(kid), DID_REL_AUTHENTICATION, &key, NULL, &e),
                &e);
    return key;
}

/* An SD-JWT VC with given_name, family_name and address/street_address disclosable, bound to
 * holder (or to nobody when NULL). */
static char *issue_sdjwt(fx *f, const ck_key *holder)
{
    char did[256], kid[512];
    did_err e;
    did_buf out;
    did_buf_init(&out);
    key_did(f->issuer, did, kid, sizeof did);
    json_t *claims =
        json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:s, s:s}}", "vct",
                  "https://credentials.example.com/identity_credential", "iss", did, "iat",
                  (json_int_t)did_time_now(), "given_name", "Erika", "family_name", "Mustermann",
                  "address", "street_address", "Heidestrasse 17", "locality", "Koeln");
    assert_non_null(claims);
    static const char *const paths[] = {"/given_name", "/family_name", "/address/street_address",
                                        NULL};
    did_sdjwt_issue_opts so = {.kid = kid, .paths = paths, .holder_key = holder};
    t_assert_ok(did_sdjwt_issue(f->issuer, &so, claims, &out, &e), &e);
    json_decref(claims);
    size_t n;
    return (char *)did_buf_steal(&out, &n);
}

/* ---- listing helpers ---------------------------------------------------------------------- */

typedef struct key_list {
    size_t n;
    char id[8][WALLET_ID_MAX];
    char did[8][512];
    char kid[8][600];
    char relationship[8][128];
} key_list;

static int collect_key(void *user, const wallet_key_info *k)
{
    key_list *l = user;
    if (l->n == 8)
        return 0;
    snprintf(l->id[l->n], WALLET_ID_MAX, "%s", k->id);
    snprintf(l->did[l->n], 512, "%s", k->did);
    snprintf(l->kid[l->n], 600, "%s", k->kid);
    snprintf(l->relationship[l->n], 128, "%s", k->relationship);
    l->n++;
    return 0;
}

static key_list keys(fx *f)
{
    key_list l;
    did_err e;
    memset(&l, 0, sizeof l);
    t_assert_ok(wallet_keys_list(f->w, collect_key, &l, &e), &e);
    return l;
}

/* A new key; its kid is copied to kid. */
static void new_key(fx *f, ck_key_type type, char id[WALLET_ID_MAX], char kid[600])
{
    did_err e;
    t_assert_ok(wallet_key_new(f->w, type, WALLET_DID_KEY, "test", id, NULL, NULL, &e), &e);
    key_list l = keys(f);
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.id[i], id) == 0)
            snprintf(kid, 600, "%s", l.kid[i]);
}

static void import(fx *f, const char *text, char id[WALLET_ID_MAX])
{
    did_err e;
    t_assert_ok(wallet_cred_import(f->w, (const uint8_t *)text, strlen(text), NULL, id, NULL, &e),
                &e);
}

/* Verifies a presentation for CHALLENGE / DOMAIN; returns the verified document (new ref). */
static json_t *verify_pres(fx *f, const did_buf *pres, const char *challenge, int expect)
{
    did_result r;
    did_err e;
    did_result_init(&r);
    did_verify_opts vo = {.challenge = challenge, .domain = DOMAIN};
    int rc = did_verify(f->ctx, pres->data, pres->len, &vo, &r, &e);
    if (expect == DID_OK)
        t_assert_ok(rc, &e);
    else
        assert_int_not_equal(rc, DID_OK);
    json_t *doc = r.document != NULL ? json_incref(r.document) : NULL;
    did_result_clear(&r);
    return doc;
}

static int count_cb(void *user, const void *item)
{
    (void)item;
    (*(size_t *)user)++;
    return 0;
}

static int count_cred(void *user, const wallet_cred_info *c)
{
    return count_cb(user, c);
}

static size_t n_creds(fx *f, int expect)
{
    size_t n = 0;
    did_err e;
    t_assert_code(wallet_creds_list(f->w, count_cred, &n, &e), expect, &e);
    return n;
}

/* ---- store -------------------------------------------------------------------------------- */

static void test_create_unlock(void **state)
{
    fx *f = *state;
    did_err e;
    wallet *w2 = NULL;
    struct stat st;
    assert_int_equal(stat(f->dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char path[256];
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
    wallet_info wi = info(f);
    assert_int_equal(wi.keys + wi.credentials + wi.history, 0);
    assert_int_equal(wi.kdf.opslimit, ck_kdf_params_min().opslimit);
    reopen(f, pass, pass_len);
    /* A second wallet in the same place, none where there is none, no empty passphrase. */
    t_assert_code(wallet_create(f->dir, pass, pass_len, ck_kdf_params_min(), &w2, &e),
                  WALLET_ERR_EXISTS, &e);
    assert_null(w2);
    snprintf(path, sizeof path, "%s/nowhere", f->tmp);
    t_assert_code(wallet_open(path, pass, pass_len, &w2, &e), WALLET_ERR_NO_WALLET, &e);
    assert_int_not_equal(stat(path, &st), 0); /* opening never creates anything */
    t_assert_code(wallet_create(path, pass, 0, ck_kdf_params_min(), &w2, &e), DID_ERR_ARG, &e);
    /* Parameters out of range fail before any file exists. */
    ck_kdf_params bad = {0, 0};
    t_assert_code(wallet_create(path, pass, pass_len, bad, &w2, &e), CK_ERR_KDF, &e);
    snprintf(path, sizeof path, "%s/nowhere/data.mdb", f->tmp);
    assert_int_not_equal(stat(path, &st), 0);
    /* Nested directories are created too. */
    snprintf(path, sizeof path, "%s/a/b/c", f->tmp);
    t_assert_ok(wallet_create(path, pass, pass_len, ck_kdf_params_min(), &w2, &e), &e);
    wallet_close(w2);
}

static void test_wrong_passphrase(void **state)
{
    fx *f = *state;
    did_err e;
    char id[WALLET_ID_MAX], path[256];
    wallet *w2 = (wallet *)&e; /* must come back NULL */
    t_assert_ok(wallet_key_new(f->w, CK_KEY_ED25519, WALLET_DID_KEY, NULL, id, NULL, NULL, &e), &e);
    wallet_close(f->w);
    f->w = NULL;
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    size_t n1, n2;
    uint8_t *before = t_read_file(path, &n1);
    t_assert_code(wallet_open(f->dir, (const uint8_t *)PASS2, sizeof PASS2 - 1, &w2, &e),
                  WALLET_ERR_PASSPHRASE, &e);
    assert_null(w2);
    assert_non_null(strstr(e.msg, "wrong passphrase"));
    assert_null(strstr(e.msg, PASS2));
    uint8_t *after = t_read_file(path, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1); /* nothing changed */
    free(before);
    free(after);
    reopen(f, pass, pass_len);
    assert_int_equal(keys(f).n, 1);
}

static void test_passphrase_change(void **state)
{
    fx *f = *state;
    did_err e;
    char id[WALLET_ID_MAX];
    wallet *w2 = NULL;
    t_assert_ok(wallet_key_new(f->w, CK_KEY_P256, WALLET_DID_JWK, "mine", id, NULL, NULL, &e), &e);
    key_list before = keys(f);
    /* Upgrade the parameters at the same time. */
    ck_kdf_params up = ck_kdf_params_min();
    up.opslimit = 2;
    t_assert_code(wallet_change_passphrase(f->w, pass, 0, up, &e), DID_ERR_ARG, &e);
    t_assert_ok(wallet_change_passphrase(f->w, (const uint8_t *)PASS2, sizeof PASS2 - 1, up, &e),
                &e);
    wallet_close(f->w);
    f->w = NULL;
    t_assert_code(wallet_open(f->dir, pass, pass_len, &w2, &e), WALLET_ERR_PASSPHRASE, &e);
    reopen(f, (const uint8_t *)PASS2, sizeof PASS2 - 1);
    assert_int_equal(info(f).kdf.opslimit, 2);
    key_list after = keys(f);
    assert_int_equal(after.n, 1);
    assert_string_equal(after.did[0], before.did[0]); /* records were not re-encrypted */
}

static void test_keys(void **state)
{
    fx *f = *state;
    did_err e;
    char id[WALLET_ID_MAX];
    static const ck_key_type types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384, CK_KEY_SECP256K1};
    for (size_t i = 0; i < 4; i++)
        t_assert_ok(wallet_key_new(f->w, types[i], i % 2 ? WALLET_DID_JWK : WALLET_DID_KEY, NULL,
                                   id, NULL, NULL, &e),
                    &e);
    key_list l = keys(f);
    assert_int_equal(l.n, 4);
    for (size_t i = 0; i < l.n; i++) {
        assert_int_equal(strncmp(l.id[i], "key-", 4), 0);
        assert_true(strncmp(l.did[i], "did:key:", 8) == 0 || strncmp(l.did[i], "did:jwk:", 8) == 0);
        ck_key *k = resolve(f, l.kid[i]); /* the DID resolves to the key */
        assert_false(ck_key_has_private(k));
        ck_key_free(k);
    }
    t_assert_code(wallet_key_new(f->w, CK_KEY_X25519, WALLET_DID_KEY, NULL, id, NULL, NULL, &e),
                  DID_ERR_ARG, &e);
    char label[WALLET_LABEL_MAX + 1];
    memset(label, 'a', sizeof label - 1);
    label[sizeof label - 1] = '\0';
    t_assert_code(wallet_key_new(f->w, CK_KEY_ED25519, WALLET_DID_KEY, label, id, NULL, NULL, &e),
                  DID_ERR_LIMIT, &e);
    t_assert_code(wallet_key_new(f->w, CK_KEY_ED25519, WALLET_DID_KEY, "\xff", id, NULL, NULL, &e),
                  DID_ERR_ARG, &e);
    assert_int_equal(keys(f).n, 4);
}

/* ---- credentials -------------------------------------------------------------------------- */

static void test_import_refuses(void **state)
{
    fx *f = *state;
    did_err e;
    char id[WALLET_ID_MAX], hid[WALLET_ID_MAX], hkid[600];
    did_result r;
    /* A Data Integrity credential with a changed claim does not verify: refused, not stored. */
    char *di = issue_di(f, "did:example:abcdefgh");
    char *bad = strdup(di);
    char *at = strstr(bad, "The School of Examples");
    assert_non_null(at);
    at[4] = 'X';
    did_result_init(&r);
    t_assert_code(wallet_cred_import(f->w, (const uint8_t *)bad, strlen(bad), NULL, id, &r, &e),
                  WALLET_ERR_UNVERIFIED, &e);
    assert_non_null(strstr(e.msg, "DID_ERR_DI_SIGNATURE"));
    assert_false(did_result_verified(&r));
    did_result_clear(&r);
    assert_string_equal(id, "");
    assert_int_equal(n_creds(f, DID_OK), 0);
    /* Not a credential at all; an unsecured credential. */
    t_assert_code(wallet_cred_import(f->w, (const uint8_t *)"hello", 5, NULL, id, NULL, &e),
                  DID_ERR_VC_FORMAT, &e);
    const char *unsecured = "{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"]}";
    t_assert_code(
        wallet_cred_import(f->w, (const uint8_t *)unsecured, strlen(unsecured), NULL, id, NULL, &e),
        WALLET_ERR_UNVERIFIED, &e);
    /* The real one is stored once. */
    import(f, di, id);
    t_assert_code(wallet_cred_import(f->w, (const uint8_t *)di, strlen(di), NULL, hid, NULL, &e),
                  WALLET_ERR_EXISTS, &e);
    assert_non_null(strstr(e.msg, id));
    assert_int_equal(n_creds(f, DID_OK), 1);
    /* An SD-JWT VC bound to a key this wallet does not hold. */
    ck_key *stranger;
    ck_err ce;
    t_assert_ok(ck_key_generate(CK_KEY_ED25519, &stranger, &ce), &ce);
    char *sd = issue_sdjwt(f, stranger);
    t_assert_code(wallet_cred_import(f->w, (const uint8_t *)sd, strlen(sd), NULL, id, NULL, &e),
                  WALLET_ERR_HOLDER_KEY, &e);
    /* A presentation is not a credential (an SD-JWT with a KB-JWT). */
    new_key(f, CK_KEY_ED25519, hid, hkid);
    ck_key *hpub = resolve(f, hkid);
    free(sd);
    sd = issue_sdjwt(f, hpub);
    did_buf pres;
    did_buf_init(&pres);
    import(f, sd, id);
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN};
    t_assert_ok(wallet_present(f->w, id, &po, &pres, &e), &e);
    t_assert_code(wallet_cred_import(f->w, pres.data, pres.len, NULL, hid, NULL, &e),
                  DID_ERR_SDJWT_FORMAT, &e);
    assert_int_equal(n_creds(f, DID_OK), 2);
    did_buf_clear(&pres);
    ck_key_free(hpub);
    ck_key_free(stranger);
    free(sd);
    free(bad);
    free(di);
}

typedef struct cred_seen {
    char format[32], holder_key[WALLET_ID_MAX], types[128], subject[256];
} cred_seen;

static int seen_cred(void *user, const wallet_cred_info *c)
{
    cred_seen *s = user;
    snprintf(s->format, sizeof s->format, "%s", c->format);
    snprintf(s->holder_key, sizeof s->holder_key, "%s", c->holder_key);
    snprintf(s->types, sizeof s->types, "%s", c->types);
    snprintf(s->subject, sizeof s->subject, "%s", c->subject);
    assert_string_equal(c->status, "not checked");
    return 0;
}

static void test_present_sdjwt(void **state)
{
    fx *f = *state;
    did_err e;
    char kid_id[WALLET_ID_MAX], kid[600], id[WALLET_ID_MAX];
    new_key(f, CK_KEY_P256, kid_id, kid);
    ck_key *holder = resolve(f, kid);
    char *sd = issue_sdjwt(f, holder);
    import(f, sd, id);
    cred_seen s;
    t_assert_ok(wallet_creds_list(f->w, seen_cred, &s, &e), &e);
    assert_string_equal(s.format, "sd-jwt");
    assert_string_equal(s.holder_key, kid_id); /* import noted the cnf key */
    assert_string_equal(s.types, "https://credentials.example.com/identity_credential");
    /* show: every disclosure applied. */
    json_t *shown = NULL;
    t_assert_ok(wallet_cred_show(f->w, id, &shown, &e), &e);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(shown, "claims"), "family_name")),
        "Mustermann");
    assert_int_equal(json_array_size(json_object_get(shown, "disclosures")), 3);
    json_decref(shown);

    /* Disclose the given name only. */
    static const char *const only_given[] = {"/given_name", NULL};
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN, .disclose = only_given};
    did_buf pres;
    did_buf_init(&pres);
    t_assert_ok(wallet_present(f->w, id, &po, &pres, &e), &e);
    json_t *doc = verify_pres(f, &pres, CHALLENGE, DID_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "given_name")), "Erika");
    assert_null(json_object_get(doc, "family_name"));
    assert_null(json_object_get(json_object_get(doc, "address"), "street_address"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "address"), "locality")), "Koeln");
    json_decref(doc);
    /* Bound to this challenge: another does not verify. */
    doc = verify_pres(f, &pres, "another-challenge", DID_ERR_SDJWT_KB_NONCE);
    json_decref(doc);
    /* Nothing selectively disclosed: the given name is hidden too. */
    did_buf_reset(&pres);
    po.disclose = NULL;
    t_assert_ok(wallet_present(f->w, id, &po, &pres, &e), &e);
    doc = verify_pres(f, &pres, CHALLENGE, DID_OK);
    assert_null(json_object_get(doc, "given_name"));
    assert_null(json_object_get(doc, "family_name"));
    json_decref(doc);
    /* A path that names nothing, a format that does not apply, another key: refused. */
    static const char *const nothing[] = {"/no_such_claim", NULL};
    po.disclose = nothing;
    t_assert_code(wallet_present(f->w, id, &po, &pres, &e), DID_ERR_SDJWT_PATH, &e);
    po.disclose = NULL;
    po.format = WALLET_VP_DI;
    t_assert_code(wallet_present(f->w, id, &po, &pres, &e), WALLET_ERR_PRESENT, &e);
    po.format = WALLET_VP_AUTO;
    char other[WALLET_ID_MAX], other_kid[600];
    new_key(f, CK_KEY_ED25519, other, other_kid);
    po.key_id = other;
    t_assert_code(wallet_present(f->w, id, &po, &pres, &e), WALLET_ERR_HOLDER_KEY, &e);
    po.key_id = NULL;
    po.challenge = NULL;
    t_assert_code(wallet_present(f->w, id, &po, &pres, &e), DID_ERR_ARG, &e);
    t_assert_code(wallet_present(f->w, "cred-0000000000000000", &po, &pres, &e), DID_ERR_ARG, &e);
    po.challenge = CHALLENGE;
    t_assert_code(wallet_present(f->w, "cred-0000000000000000", &po, &pres, &e),
                  WALLET_ERR_NOT_FOUND, &e);
    /* An SD-JWT VC without holder binding cannot be presented with key binding. */
    char *unbound = issue_sdjwt(f, NULL);
    char uid[WALLET_ID_MAX];
    import(f, unbound, uid);
    t_assert_code(wallet_present(f->w, uid, &po, &pres, &e), WALLET_ERR_HOLDER_KEY, &e);
    assert_int_equal(info(f).history, 2); /* only the two that succeeded were logged */
    free(unbound);
    did_buf_clear(&pres);
    ck_key_free(holder);
    free(sd);
}

static void test_present_di_and_jose(void **state)
{
    fx *f = *state;
    did_err e;
    char di_id[WALLET_ID_MAX], jwt_id[WALLET_ID_MAX];
    char *di = issue_di(f, "did:example:abcdefgh");
    char *jwt = issue_vcjwt(f, "did:example:abcdefgh");
    import(f, di, di_id);
    import(f, jwt, jwt_id);
    did_buf pres;
    did_buf_init(&pres);
    static const struct {
        int which;
        wallet_vp_format fmt;
        const char *format;
    } cases[] = {{0, WALLET_VP_AUTO, "di-eddsa-jcs-2022"},
                 {0, WALLET_VP_DI, "di-eddsa-jcs-2022"},
                 {1, WALLET_VP_AUTO, "vp-jwt"},
                 {1, WALLET_VP_DI, "di-eddsa-jcs-2022"},
                 {1, WALLET_VP_JOSE, "vp-jwt"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN, .format = cases[i].fmt};
        did_buf_reset(&pres);
        t_assert_ok(wallet_present(f->w, cases[i].which ? jwt_id : di_id, &po, &pres, &e), &e);
        did_result r;
        did_result_init(&r);
        did_verify_opts vo = {.challenge = CHALLENGE, .domain = DOMAIN};
        t_assert_ok(did_verify(f->ctx, pres.data, pres.len, &vo, &r, &e), &e);
        assert_string_equal(r.format, cases[i].format);
        assert_true(did_vc_has_type(r.document, "VerifiablePresentation"));
        did_result_clear(&r);
        /* The wrong domain or challenge does not verify. */
        did_verify_opts wrong = {.challenge = CHALLENGE, .domain = "https://elsewhere.example"};
        did_result_init(&r);
        assert_int_not_equal(did_verify(f->ctx, pres.data, pres.len, &wrong, &r, &e), DID_OK);
        did_result_clear(&r);
        wrong.domain = DOMAIN;
        wrong.challenge = "other";
        did_result_init(&r);
        assert_int_not_equal(did_verify(f->ctx, pres.data, pres.len, &wrong, &r, &e), DID_OK);
        did_result_clear(&r);
    }
    /* One relationship key for this domain, reused; another domain gets another key. */
    key_list l = keys(f);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.relationship[0], DOMAIN);
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = "https://other.example"};
    did_buf_reset(&pres);
    t_assert_ok(wallet_present(f->w, di_id, &po, &pres, &e), &e);
    assert_int_equal(keys(f).n, 2);
    /* A Data Integrity credential cannot go into a vp+jwt; nothing is disclosed selectively. */
    po.format = WALLET_VP_JOSE;
    t_assert_code(wallet_present(f->w, di_id, &po, &pres, &e), WALLET_ERR_PRESENT, &e);
    static const char *const paths[] = {"/credentialSubject/alumniOf", NULL};
    po.format = WALLET_VP_AUTO;
    po.disclose = paths;
    t_assert_code(wallet_present(f->w, jwt_id, &po, &pres, &e), WALLET_ERR_PRESENT, &e);
    /* A secp256k1 key has no Data Integrity suite; it presents as a vp+jwt. */
    char kid_id[WALLET_ID_MAX], kid[600];
    new_key(f, CK_KEY_SECP256K1, kid_id, kid);
    po.disclose = NULL;
    po.domain = DOMAIN;
    po.key_id = kid_id;
    po.format = WALLET_VP_DI;
    t_assert_code(wallet_present(f->w, jwt_id, &po, &pres, &e), WALLET_ERR_PRESENT, &e);
    po.format = WALLET_VP_JOSE;
    did_buf_reset(&pres);
    t_assert_ok(wallet_present(f->w, jwt_id, &po, &pres, &e), &e);
    json_decref(verify_pres(f, &pres, CHALLENGE, DID_OK));
    po.key_id = "key-0000000000000000";
    t_assert_code(wallet_present(f->w, jwt_id, &po, &pres, &e), WALLET_ERR_NOT_FOUND, &e);
    did_buf_clear(&pres);
    free(di);
    free(jwt);
}

static void test_subject_bound(void **state)
{
    fx *f = *state;
    did_err e;
    char kid_id[WALLET_ID_MAX], kid[600], id[WALLET_ID_MAX];
    new_key(f, CK_KEY_P384, kid_id, kid);
    key_list l = keys(f);
    /* A credential about one of the wallet's DIDs is presented with that DID's key. */
    char *di = issue_di(f, l.did[0]);
    import(f, di, id);
    cred_seen s;
    t_assert_ok(wallet_creds_list(f->w, seen_cred, &s, &e), &e);
    assert_string_equal(s.holder_key, kid_id);
    assert_string_equal(s.subject, l.did[0]);
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN};
    did_buf pres;
    did_buf_init(&pres);
    t_assert_ok(wallet_present(f->w, id, &po, &pres, &e), &e);
    json_t *doc = verify_pres(f, &pres, CHALLENGE, DID_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "holder")), l.did[0]);
    json_decref(doc);
    assert_int_equal(keys(f).n, 1); /* no relationship key was needed */
    did_buf_clear(&pres);
    free(di);
}

/* A credential that expired after import: the wallet's own check refuses to present it, and
 * nothing is logged. */
static void test_present_expired(void **state)
{
    fx *f = *state;
    did_err e;
    char did[256], kid[512], id[WALLET_ID_MAX];
    json_t *secured = NULL;
    key_did(f->issuer, did, kid, sizeof did);
    json_t *vc = vc_doc(did, "did:example:abcdefgh");
    json_object_set_new(vc, "validUntil", json_string("9000-01-01T00:00:00Z"));
    did_di_sign_opts so = {.suite = DID_DI_EDDSA_JCS_2022, .verification_method = kid};
    t_assert_ok(did_di_sign(f->issuer, vc, &so, &secured, &e), &e);
    char *text = json_dumps(secured, 0);
    import(f, text, id);
    int64_t later;
    t_assert_ok(did_datetime_parse("9001-01-01T00:00:00Z", 20, &later, &e), &e);
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN, .now = later};
    did_buf pres;
    did_buf_init(&pres);
    t_assert_code(wallet_present(f->w, id, &po, &pres, &e), WALLET_ERR_UNVERIFIED, &e);
    assert_non_null(strstr(e.msg, "DID_ERR_VC_EXPIRED"));
    assert_int_equal(pres.len, 0);
    wallet_info wi = info(f);
    assert_int_equal(wi.history, 0);
    assert_int_equal(wi.keys, 0); /* the relationship key went with the failed transaction */
    did_buf_clear(&pres);
    free(text);
    json_decref(vc);
    json_decref(secured);
}

/* ---- consent log, delete -------------------------------------------------------------------- */

typedef struct hist {
    size_t n;
    char domain[4][64], challenge[4][64], credential[4][WALLET_ID_MAX], format[4][16];
    int whole[4];
    size_t n_disclosed[4], n_claims[4];
    char disclosed0[4][64];
    int claims_have_family[4];
} hist;

static int collect_hist(void *user, const wallet_history_info *h)
{
    hist *x = user;
    if (x->n == 4)
        return 0;
    size_t i = x->n++;
    snprintf(x->domain[i], 64, "%s", h->domain);
    snprintf(x->challenge[i], 64, "%s", h->challenge);
    snprintf(x->credential[i], WALLET_ID_MAX, "%s", h->credential);
    snprintf(x->format[i], 16, "%s", h->format);
    x->whole[i] = h->whole;
    x->n_disclosed[i] = h->n_disclosed;
    x->n_claims[i] = h->n_claims;
    snprintf(x->disclosed0[i], 64, "%s", h->n_disclosed > 0 ? h->disclosed[0] : "");
    for (size_t j = 0; j < h->n_claims; j++)
        if (strcmp(h->claims[j], "family_name") == 0)
            x->claims_have_family[i] = 1;
    assert_true(h->time > 0);
    assert_int_equal(strncmp(h->holder, "did:key:", 8), 0);
    return 0;
}

static hist history(fx *f)
{
    hist h;
    did_err e;
    memset(&h, 0, sizeof h);
    t_assert_ok(wallet_history_list(f->w, collect_hist, &h, &e), &e);
    return h;
}

static void test_consent_log_and_delete(void **state)
{
    fx *f = *state;
    did_err e;
    char kid_id[WALLET_ID_MAX], kid[600], sd_id[WALLET_ID_MAX], di_id[WALLET_ID_MAX];
    new_key(f, CK_KEY_ED25519, kid_id, kid);
    ck_key *holder = resolve(f, kid);
    char *sd = issue_sdjwt(f, holder);
    char *di = issue_di(f, "did:example:abcdefgh");
    import(f, sd, sd_id);
    import(f, di, di_id);
    did_buf pres;
    did_buf_init(&pres);
    static const char *const given[] = {"/given_name", NULL};
    wallet_present_opts po = {.challenge = "c-one", .domain = DOMAIN, .disclose = given};
    t_assert_ok(wallet_present(f->w, sd_id, &po, &pres, &e), &e);
    wallet_present_opts po2 = {.challenge = "c-two", .domain = "https://two.example"};
    t_assert_ok(wallet_present(f->w, di_id, &po2, &pres, &e), &e);
    hist h = history(f);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.domain[0], DOMAIN);
    assert_string_equal(h.challenge[0], "c-one");
    assert_string_equal(h.credential[0], sd_id);
    assert_string_equal(h.format[0], "sd-jwt");
    assert_false(h.whole[0]);
    assert_int_equal(h.n_disclosed[0], 1);
    assert_string_equal(h.disclosed0[0], "/given_name");
    assert_true(h.n_claims[0] > 0);
    assert_false(h.claims_have_family[0]); /* it records what the verifier could read */
    assert_string_equal(h.domain[1], "https://two.example");
    assert_string_equal(h.challenge[1], "c-two");
    assert_string_equal(h.format[1], "di");
    assert_true(h.whole[1]);
    /* Delete a credential: gone from the list, not presentable, its history stays. */
    t_assert_ok(wallet_cred_delete(f->w, sd_id, &e), &e);
    t_assert_code(wallet_cred_delete(f->w, sd_id, &e), WALLET_ERR_NOT_FOUND, &e);
    t_assert_code(wallet_cred_delete(f->w, "../../etc", &e), WALLET_ERR_NOT_FOUND, &e);
    assert_int_equal(n_creds(f, DID_OK), 1);
    json_t *shown = NULL;
    t_assert_code(wallet_cred_show(f->w, sd_id, &shown, &e), WALLET_ERR_NOT_FOUND, &e);
    assert_null(shown);
    t_assert_code(wallet_present(f->w, sd_id, &po, &pres, &e), WALLET_ERR_NOT_FOUND, &e);
    assert_int_equal(history(f).n, 2);
    /* Clear the history; the next entry starts again. */
    t_assert_ok(wallet_history_clear(f->w, &e), &e);
    assert_int_equal(history(f).n, 0);
    t_assert_ok(wallet_present(f->w, di_id, &po2, &pres, &e), &e);
    assert_int_equal(history(f).n, 1);
    did_buf_clear(&pres);
    ck_key_free(holder);
    free(sd);
    free(di);
}

/* ---- backup ------------------------------------------------------------------------------- */

/* A wallet with a key, an SD-JWT VC bound to it, a DI credential and one history entry. */
static void fill(fx *f, char sd_id[WALLET_ID_MAX])
{
    did_err e;
    char kid_id[WALLET_ID_MAX], kid[600], di_id[WALLET_ID_MAX];
    new_key(f, CK_KEY_P256, kid_id, kid);
    ck_key *holder = resolve(f, kid);
    char *sd = issue_sdjwt(f, holder);
    char *di = issue_di(f, "did:example:abcdefgh");
    import(f, sd, sd_id);
    import(f, di, di_id);
    did_buf pres;
    did_buf_init(&pres);
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN};
    t_assert_ok(wallet_present(f->w, sd_id, &po, &pres, &e), &e);
    did_buf_clear(&pres);
    ck_key_free(holder);
    free(sd);
    free(di);
}

static wallet *second_wallet(fx *f, const char *name)
{
    char path[256];
    did_err e;
    wallet *w2 = NULL;
    snprintf(path, sizeof path, "%s/%s", f->tmp, name);
    t_assert_ok(
        wallet_create(path, (const uint8_t *)PASS2, sizeof PASS2 - 1, ck_kdf_params_min(), &w2, &e),
        &e);
    return w2;
}

static void test_backup_round_trip(void **state)
{
    fx *f = *state;
    did_err e;
    char sd_id[WALLET_ID_MAX];
    fill(f, sd_id);
    did_buf bk;
    did_buf_init(&bk);
    const uint8_t *bpass = (const uint8_t *)"backup pass";
    t_assert_code(wallet_export(f->w, bpass, 0, ck_kdf_params_min(), &bk, &e), DID_ERR_ARG, &e);
    t_assert_ok(wallet_export(f->w, bpass, 11, ck_kdf_params_min(), &bk, &e), &e);
    assert_memory_equal(bk.data, "CIVIDWBK", 8);
    for (size_t i = 0; i + 5 <= bk.len; i++) /* encrypted: no claim in the clear */
        assert_int_not_equal(memcmp(bk.data + i, "Erika", 5), 0);
    wallet *w2 = second_wallet(f, "restored");
    ck_kdf_params nocap = {0, 0};
    t_assert_ok(wallet_import_backup(w2, bk.data, bk.len, bpass, 11, nocap, &e), &e);
    wallet_info a = info(f), b;
    t_assert_ok(wallet_get_info(w2, &b, &e), &e);
    assert_int_equal(a.keys, b.keys);
    assert_int_equal(a.credentials, b.credentials);
    assert_int_equal(a.history, b.history);
    assert_int_equal(b.keys, 1);
    assert_int_equal(b.credentials, 2);
    assert_int_equal(b.history, 1);
    /* The restored wallet has the keys: it presents. */
    did_buf pres;
    did_buf_init(&pres);
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN};
    t_assert_ok(wallet_present(w2, sd_id, &po, &pres, &e), &e);
    json_decref(verify_pres(f, &pres, CHALLENGE, DID_OK));
    /* Only into an empty wallet. */
    t_assert_code(wallet_import_backup(w2, bk.data, bk.len, bpass, 11, nocap, &e),
                  WALLET_ERR_NOT_EMPTY, &e);
    /* A backup may not ask for more Argon2id work than the caller allows. */
    wallet *w3 = second_wallet(f, "capped");
    ck_kdf_params cap = {1, 1024};
    t_assert_code(wallet_import_backup(w3, bk.data, bk.len, bpass, 11, cap, &e), CK_ERR_KDF, &e);
    wallet_close(w3);
    wallet_close(w2);
    did_buf_clear(&pres);
    did_buf_clear(&bk);
}

static void test_backup_damaged(void **state)
{
    fx *f = *state;
    did_err e;
    char sd_id[WALLET_ID_MAX];
    fill(f, sd_id);
    did_buf bk;
    did_buf_init(&bk);
    const uint8_t *bpass = (const uint8_t *)"backup pass";
    t_assert_ok(wallet_export(f->w, bpass, 11, ck_kdf_params_min(), &bk, &e), &e);
    wallet *w2 = second_wallet(f, "target");
    ck_kdf_params nocap = {0, 0};
    wallet_info wi;
    /* Truncated anywhere: header, body, tag. */
    size_t cuts[] = {0, 7, 40, 73, 74, 100, bk.len / 2, bk.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        t_assert_code(wallet_import_backup(w2, bk.data, cuts[i], bpass, 11, nocap, &e),
                      WALLET_ERR_BACKUP, &e);
    }
    /* Trailing data. */
    uint8_t *longer = malloc(bk.len + 1);
    memcpy(longer, bk.data, bk.len);
    longer[bk.len] = 0;
    t_assert_code(wallet_import_backup(w2, longer, bk.len + 1, bpass, 11, nocap, &e),
                  WALLET_ERR_BACKUP, &e);
    free(longer);
    /* A flipped bit in the salt, the nonce, the ciphertext or the tag; a wrong passphrase. */
    size_t flips[] = {30, 50, 80, bk.len / 2, bk.len - 1};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        bk.data[flips[i]] ^= 0x10;
        t_assert_code(wallet_import_backup(w2, bk.data, bk.len, bpass, 11, nocap, &e),
                      WALLET_ERR_BACKUP_AUTH, &e);
        bk.data[flips[i]] ^= 0x10;
    }
    t_assert_code(
        wallet_import_backup(w2, bk.data, bk.len, (const uint8_t *)"backup pasS", 11, nocap, &e),
        WALLET_ERR_BACKUP_AUTH, &e);
    /* An unknown version; not a backup. */
    bk.data[8] = 2;
    t_assert_code(wallet_import_backup(w2, bk.data, bk.len, bpass, 11, nocap, &e),
                  WALLET_ERR_BACKUP, &e);
    bk.data[8] = 1;
    t_assert_code(wallet_import_backup(w2, (const uint8_t *)"hello", 5, bpass, 11, nocap, &e),
                  WALLET_ERR_BACKUP, &e);
    /* Well-sealed but malformed records are refused too (checked before anything is written). */
    static const uint8_t junk[] = {0, 0, 0, 1, 'k', 3, 'k', 'e', 'y', 0, 0, 0, 0};
    did_buf sealed;
    did_buf_init(&sealed);
    t_assert_ok(wallet_backup_seal(junk, sizeof junk, bpass, 11, ck_kdf_params_min(), &sealed, &e),
                &e);
    t_assert_code(wallet_import_backup(w2, sealed.data, sealed.len, bpass, 11, nocap, &e),
                  WALLET_ERR_BACKUP, &e);
    did_buf_clear(&sealed);
    /* Nothing was written by any of these. */
    t_assert_ok(wallet_get_info(w2, &wi, &e), &e);
    assert_int_equal(wi.keys + wi.credentials + wi.history, 0);
    /* And the intact backup still restores. */
    t_assert_ok(wallet_import_backup(w2, bk.data, bk.len, bpass, 11, nocap, &e), &e);
    wallet_close(w2);
    did_buf_clear(&bk);
}

/* ---- damaged store ------------------------------------------------------------------------ */

/* Closes the wallet, opens its LMDB directly and applies fn to the first record of database db
 * (the caller reopens the wallet). */
typedef void (*damage_fn)(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v);

static void damage(fx *f, const char *db, damage_fn fn)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v;
    wallet_close(f->w);
    f->w = NULL;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
    assert_int_equal(mdb_env_set_mapsize(env, WALLET_MAP_SIZE), 0);
    assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
    assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_FIRST), 0);
    mdb_cursor_close(cur);
    fn(txn, dbi, &k, &v);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

static void flip_byte(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
    uint8_t *copy = malloc(v->mv_size);
    char key[64];
    assert_true(k->mv_size < sizeof key);
    memcpy(key, k->mv_data, k->mv_size);
    memcpy(copy, v->mv_data, v->mv_size);
    copy[v->mv_size / 2] ^= 0x01;
    MDB_val k2 = {k->mv_size, key}, v2 = {v->mv_size, copy};
    assert_int_equal(mdb_put(txn, dbi, &k2, &v2, 0), 0);
    free(copy);
}

static void truncate_value(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
    char key[64];
    (void)v;
    memcpy(key, k->mv_data, k->mv_size);
    MDB_val k2 = {k->mv_size, key}, v2 = {10, (void *)"\x01truncate"};
    assert_int_equal(mdb_put(txn, dbi, &k2, &v2, 0), 0);
}

/* Copies the first record's value under another, valid id: the AD binding refuses it. */
static void move_record(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
    (void)k;
    uint8_t *copy = malloc(v->mv_size);
    memcpy(copy, v->mv_data, v->mv_size);
    MDB_val k2 = {21, (void *)"cred-0000000000000000"}, v2 = {v->mv_size, copy};
    assert_int_equal(mdb_put(txn, dbi, &k2, &v2, 0), 0);
    free(copy);
}

static void test_tampered_record(void **state)
{
    fx *f = *state;
    did_err e;
    char sd_id[WALLET_ID_MAX];
    fill(f, sd_id);
    damage(f, "credentials", move_record);
    reopen(f, pass, pass_len);
    /* The moved copy fails authentication under its new id; the list names it. */
    json_t *shown = NULL;
    t_assert_code(wallet_cred_show(f->w, "cred-0000000000000000", &shown, &e), WALLET_ERR_TAMPERED,
                  &e);
    n_creds(f, WALLET_ERR_TAMPERED);
    assert_non_null(strstr(e.msg, "cred-0000000000000000"));
    /* Deleting the bad record needs no decryption and brings the wallet back. */
    t_assert_ok(wallet_cred_delete(f->w, "cred-0000000000000000", &e), &e);
    assert_int_equal(n_creds(f, DID_OK), 2);

    damage(f, "credentials", flip_byte);
    reopen(f, pass, pass_len);
    size_t n = 0;
    t_assert_code(wallet_creds_list(f->w, count_cred, &n, &e), WALLET_ERR_TAMPERED, &e);
    did_buf out;
    did_buf_init(&out);
    /* The export refuses to carry a tampered record. */
    t_assert_code(wallet_export(f->w, pass, pass_len, ck_kdf_params_min(), &out, &e),
                  WALLET_ERR_TAMPERED, &e);
    did_buf_clear(&out);

    damage(f, "keys", truncate_value);
    reopen(f, pass, pass_len);
    t_assert_code(wallet_keys_list(f->w, collect_key, &(key_list){0}, &e), WALLET_ERR_FORMAT, &e);
    wallet_present_opts po = {.challenge = CHALLENGE, .domain = DOMAIN};
    did_buf_init(&out);
    assert_int_not_equal(wallet_present(f->w, sd_id, &po, &out, &e), DID_OK);
    assert_int_equal(out.len, 0);
    did_buf_clear(&out);

    /* The wallet key record itself: a flipped byte reads as a wrong passphrase. */
    damage(f, "meta", flip_byte);
    t_assert_code(wallet_open(f->dir, pass, pass_len, &f->w, &e), WALLET_ERR_PASSPHRASE, &e);
}

/* ---- the record codec --------------------------------------------------------------------- */

static void test_record_codec(void **state)
{
    (void)state;
    did_err e;
    uint8_t key[WALLET_MASTER_KEY_LEN];
    memset(key, 7, sizeof key);
    const char *body_json = "{\"time\":1,\"credential\":\"cred-0123456789abcdef\",\"issuer\":"
                            "\"did:example:i\",\"types\":[\"T\"],\"format\":\"di\",\"domain\":"
                            "\"d\",\"challenge\":\"c\",\"holder\":\"did:key:z\",\"key\":"
                            "\"key-0123456789abcdef\",\"whole\":true,\"disclosed\":[],"
                            "\"claims\":[]}";
    size_t jl = strlen(body_json);
    uint8_t body[512];
    body[0] = 1;
    body[1] = 0;
    body[2] = 0;
    body[3] = 0;
    body[4] = 0;
    body[5] = (uint8_t)(jl >> 8);
    body[6] = (uint8_t)jl;
    memcpy(body + 7, body_json, jl);
    size_t blen = 7 + jl;
    t_assert_ok(wallet_record_check(WALLET_KIND_HISTORY, body, blen, &e), &e);
    /* The wrong kind; a truncated body; an unknown version; trailing payload. */
    t_assert_code(wallet_record_check(WALLET_KIND_CREDENTIAL, body, blen, &e), WALLET_ERR_FORMAT,
                  &e);
    t_assert_code(wallet_record_check(WALLET_KIND_HISTORY, body, blen - 1, &e), WALLET_ERR_FORMAT,
                  &e);
    body[0] = 2;
    t_assert_code(wallet_record_check(WALLET_KIND_HISTORY, body, blen, &e), WALLET_ERR_FORMAT, &e);
    body[0] = 1;
    body[blen] = 'x';
    t_assert_code(wallet_record_check(WALLET_KIND_HISTORY, body, blen + 1, &e), WALLET_ERR_FORMAT,
                  &e);
    t_assert_code(wallet_record_check(WALLET_KIND_HISTORY, body, 0, &e), WALLET_ERR_FORMAT, &e);

    did_buf sealed;
    did_buf_init(&sealed);
    t_assert_ok(
        wallet_record_seal(key, WALLET_KIND_HISTORY, "0000000000000001", body, blen, &sealed, &e),
        &e);
    uint8_t *out = NULL;
    size_t out_len = 0;
    t_assert_ok(wallet_record_open(key, WALLET_KIND_HISTORY, "0000000000000001", sealed.data,
                                   sealed.len, &out, &out_len, &e),
                &e);
    assert_int_equal(out_len, blen);
    assert_memory_equal(out, body, blen);
    ck_secret_free(out);
    /* Bound to kind and id. */
    t_assert_code(wallet_record_open(key, WALLET_KIND_HISTORY, "0000000000000002", sealed.data,
                                     sealed.len, &out, &out_len, &e),
                  WALLET_ERR_TAMPERED, &e);
    assert_null(out);
    t_assert_code(wallet_record_open(key, WALLET_KIND_CREDENTIAL, "0000000000000001", sealed.data,
                                     sealed.len, &out, &out_len, &e),
                  WALLET_ERR_TAMPERED, &e);
    t_assert_code(wallet_record_open(key, WALLET_KIND_HISTORY, "0000000000000001", sealed.data, 20,
                                     &out, &out_len, &e),
                  WALLET_ERR_FORMAT, &e);
    sealed.data[0] = 9;
    t_assert_code(wallet_record_open(key, WALLET_KIND_HISTORY, "0000000000000001", sealed.data,
                                     sealed.len, &out, &out_len, &e),
                  WALLET_ERR_FORMAT, &e);
    did_buf_clear(&sealed);
    assert_string_equal(wallet_err_name(WALLET_ERR_TAMPERED), "WALLET_ERR_TAMPERED");
    assert_string_equal(wallet_err_name(DID_ERR_ARG), "DID_ERR_ARG");
}

/* ---- status and the services over HTTP (remote.c) ----------------------------------------- */

#define LIST_URL "https://issuer.example/status/1"

typedef struct stub_lists {
    did_status_list *list;
    const char *issuer;
    int fail;
    int calls;
} stub_lists;

/* A did_status_fetch_fn without a network: the list credential built here (the callback is
 * trusted to have verified it, so it need not be signed). */
static int stub_fetch(void *user, const char *url, json_t **verified, did_err *err)
{
    stub_lists *s = user;
    s->calls++;
    *verified = NULL;
    if (s->fail)
        return did_err_set(err, DID_ERR_FETCH, "stub: %s unreachable", url);
    return did_status_list_credential(s->list, url, s->issuer, "revocation", 1672531200, verified,
                                      err);
}

static void test_cred_status(void **state)
{
    fx *f = *state;
    char did[256], kid[512], id[WALLET_ID_MAX], plain_id[WALLET_ID_MAX];
    did_err e;
    json_t *secured = NULL, *entry = NULL;
    key_did(f->issuer, did, kid, sizeof did);
    json_t *vc = vc_doc(did, "did:example:holder");
    t_assert_ok(did_status_entry(LIST_URL, "revocation", 7, &entry, &e), &e);
    assert_int_equal(json_object_set_new(vc, "credentialStatus", entry), 0);
    did_di_sign_opts so = {.suite = DID_DI_EDDSA_JCS_2022, .verification_method = kid};
    t_assert_ok(did_di_sign(f->issuer, vc, &so, &secured, &e), &e);
    char *text = json_dumps(secured, JSON_COMPACT);
    assert_non_null(text);
    import(f, text, id);
    free(text);
    json_decref(vc);
    json_decref(secured);

    stub_lists sl = {NULL, did, 0, 0};
    t_assert_ok(did_status_list_new(1024, 1, &sl.list, &e), &e);
    wallet_status_opts o = {.fetch = stub_fetch, .user = &sl};
    wallet_status st;

    t_assert_ok(wallet_cred_status(f->w, id, &o, &st, &e), &e);
    assert_int_equal(st.state, WALLET_STATUS_VALID);
    assert_string_equal(st.name, "valid");
    assert_int_equal(st.code, DID_OK);
    assert_string_equal(st.reason, "");
    assert_int_equal(sl.calls, 1);

    t_assert_ok(did_status_list_set(sl.list, 7, 1, &e), &e);
    t_assert_ok(wallet_cred_status(f->w, id, &o, &st, &e), &e);
    assert_int_equal(st.state, WALLET_STATUS_REVOKED);
    assert_string_equal(st.name, "revoked");
    assert_int_equal(st.code, DID_ERR_STATUS_REVOKED);
    assert_true(st.reason[0] != '\0');

    sl.fail = 1;
    t_assert_ok(wallet_cred_status(f->w, id, &o, &st, &e), &e);
    assert_int_equal(st.state, WALLET_STATUS_UNKNOWN);
    assert_int_equal(st.code, DID_ERR_STATUS_LIST);
    assert_non_null(strstr(st.reason, "unreachable"));

    /* No credentialStatus: none, and nothing fetched. */
    text = issue_vcjwt(f, "did:example:other");
    import(f, text, plain_id);
    free(text);
    sl.calls = 0;
    t_assert_ok(wallet_cred_status(f->w, plain_id, &o, &st, &e), &e);
    assert_int_equal(st.state, WALLET_STATUS_NONE);
    assert_string_equal(st.name, "none");
    assert_int_equal(sl.calls, 0);

    /* Bad arguments and ids. */
    assert_int_equal(wallet_cred_status(f->w, id, NULL, &st, &e), DID_ERR_ARG);
    wallet_status_opts bad = {.fetch = NULL};
    assert_int_equal(wallet_cred_status(f->w, id, &bad, &st, &e), DID_ERR_ARG);
    wallet_status_opts skew = {.fetch = stub_fetch, .user = &sl, .skew = -1};
    assert_int_equal(wallet_cred_status(f->w, id, &skew, &st, &e), DID_ERR_ARG);
    assert_int_equal(wallet_cred_status(f->w, "cred-0000000000000000", &o, &st, &e),
                     WALLET_ERR_NOT_FOUND);
    assert_string_equal(wallet_status_name(WALLET_STATUS_SUSPENDED), "suspended");
    assert_string_equal(wallet_status_name(WALLET_STATUS_UNKNOWN), "unknown");
    did_status_list_free(sl.list);
}

/* The HTTP functions' failures that need no server: policy, arguments, shapes. */
static void test_http_errors(void **state)
{
    fx *f = *state;
    did_err e;
    did_fetcher *https_only = NULL, *loop = NULL;
    did_fetch_opts fo;
    char ch[WALLET_TEXT_MAX], id[WALLET_ID_MAX];
    json_t *res = NULL;
    t_assert_ok(did_fetcher_new(NULL, &https_only, &e), &e);
    did_fetch_opts_init(&fo);
    fo.allow_http_loopback = 1;
    fo.connect_timeout_ms = 2000;
    fo.timeout_ms = 4000;
    t_assert_ok(did_fetcher_new(&fo, &loop, &e), &e);

    /* Plain http without the option: refused before any connection. */
    assert_int_equal(wallet_http_challenge(https_only, "http://127.0.0.1:1", ch, &e),
                     DID_ERR_FETCH_SCHEME);
    assert_string_equal(ch, "");
    /* Nothing listening on port 1. */
    assert_int_equal(wallet_http_challenge(loop, "http://127.0.0.1:1/", ch, &e), DID_ERR_FETCH);
    /* A base URL too long for the path. */
    char longurl[DID_FETCH_URL_MAX + 16];
    memset(longurl, 'a', sizeof longurl - 1);
    memcpy(longurl, "https://", 8);
    longurl[sizeof longurl - 1] = '\0';
    assert_int_equal(wallet_http_challenge(loop, longurl, ch, &e), DID_ERR_LIMIT);
    assert_int_equal(wallet_http_challenge(NULL, "https://v.example", ch, &e), DID_ERR_ARG);

    const char *vp = "{\"type\": \"VerifiablePresentation\"}";
    assert_int_equal(wallet_http_verify(loop, "http://127.0.0.1:1", (const uint8_t *)vp, strlen(vp),
                                        CHALLENGE, DOMAIN, &res, &e),
                     DID_ERR_FETCH);
    assert_null(res);
    assert_int_equal(wallet_http_verify(loop, "http://127.0.0.1:1", (const uint8_t *)vp, strlen(vp),
                                        NULL, DOMAIN, &res, &e),
                     DID_ERR_ARG);

    /* receive: the request's shape, the key, then the network. */
    json_t *req = json_pack("{s:[]}", "credential");
    assert_non_null(req);
    assert_int_equal(
        wallet_receive(f->w, loop, "http://127.0.0.1:1", "tok", req, NULL, NULL, id, &e),
        DID_ERR_JSON_TYPE);
    json_decref(req);
    req = json_pack("{s:{s:s}, s:{s:s}}", "credential", "vct", "https://x.example", "options",
                    "format", "sd-jwt");
    assert_non_null(req);
    assert_int_equal(wallet_receive(f->w, loop, "http://127.0.0.1:1", "tok", req,
                                    "key-0000000000000000", NULL, id, &e),
                     WALLET_ERR_NOT_FOUND);
    size_t before = keys(f).n;
    assert_int_equal(
        wallet_receive(f->w, loop, "http://127.0.0.1:1", "tok", req, NULL, NULL, id, &e),
        DID_ERR_FETCH);
    assert_null(strstr(e.msg, "tok\""));
    assert_int_equal(keys(f).n, before + 1); /* the new holder key stays */
    assert_string_equal(id, "");
    json_decref(req);

    did_fetcher_free(loop);
    did_fetcher_free(https_only);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_unlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_passphrase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passphrase_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_present_sdjwt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_present_di_and_jose, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subject_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_present_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consent_log_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_record, setup, teardown),
        cmocka_unit_test(test_record_codec),
        cmocka_unit_test_setup_teardown(test_cred_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_errors, setup, teardown),
    };
    if (ck_init() != CK_OK)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
