/*
 * bench_wallet: the citizen's wallet. Unlock time at each Argon2id level (a deliberate cost: the
 * parameters are printed with it), and presentations written to a file per second -- an SD-JWT
 * VC with one disclosure and a key binding JWT, and a Data Integrity VP -- beside raw Ed25519
 * sign and verify in the same run. Each presentation is verified by the wallet before it is
 * returned and its consent log entry is committed durably (one LMDB transaction), so a present
 * costs at least one sign, one or two verifies and one fsync'd commit.
 */
#define BENCH_PROG "bench_wallet"
#define BENCH_NAME_WIDTH 44
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <did/di.h>
#include <did/sdjwt.h>
#include <did/time.h>
#include <wallet/wallet.h>

static const uint8_t PASS[] = "correct horse battery staple";

typedef struct bctx {
    wallet *w;
    const char *dir;
    char sd_id[WALLET_ID_MAX];
    char di_id[WALLET_ID_MAX];
    did_buf out;
    uint8_t pk[32], sk[64], sig[64], msg[64];
} bctx;

static int op_unlock(void *p, did_err *err)
{
    bctx *b = p;
    wallet *w = NULL;
    int rc = wallet_open(b->dir, PASS, sizeof PASS - 1, &w, err);
    wallet_close(w);
    return rc;
}

static int present(bctx *b, const char *id, const char *const *disclose, wallet_vp_format f,
                   did_err *err)
{
    wallet_present_opts o = {.challenge = "c-bench", .domain = "https://verifier.example",
                             .disclose = disclose, .format = f};
    did_buf_reset(&b->out);
    return wallet_present(b->w, id, &o, &b->out, err);
}

static int op_present_sd(void *p, did_err *err)
{
    static const char *const disclose[] = {"/given_name", NULL};
    return present(p, ((bctx *)p)->sd_id, disclose, WALLET_VP_AUTO, err);
}

static int op_present_di(void *p, did_err *err)
{
    return present(p, ((bctx *)p)->di_id, NULL, WALLET_VP_DI, err);
}

static int op_sign(void *p, did_err *err)
{
    bctx *b = p;
    (void)err;
    crypto_sign_detached(b->sig, NULL, b->msg, sizeof b->msg, b->sk);
    return DID_OK;
}

static int op_verify(void *p, did_err *err)
{
    bctx *b = p;
    if (crypto_sign_verify_detached(b->sig, b->msg, sizeof b->msg, b->pk) != 0)
        return did_err_set(err, DID_ERR_INTERNAL, "raw verify failed");
    return DID_OK;
}

/* The holder's DID and public key, from the key just made. */
static int holder_info(void *user, const wallet_key_info *k)
{
    snprintf(user, 512, "%s", k->kid);
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = bench_seconds(argc, argv);
    char tmpl[] = "/tmp/civid-bench-wallet-XXXXXX";
    char dir[600], kid[512], keyid[WALLET_ID_MAX];
    bctx b;
    did_err err;
    ck_err ce;
    memset(&b, 0, sizeof b);
    did_buf_init(&b.out);
    if (mkdtemp(tmpl) == NULL)
        bench_die_msg("mkdtemp");
    printf("bench_wallet: %.2f s per measurement, one thread; data in %s (fsync'd LMDB)\n",
           seconds, tmpl);

    /* Unlock cost per Argon2id level: the KDF dominates it by design. */
    static const struct {
        const char *name;
        ck_kdf_params (*params)(void);
    } levels[] = {{"interactive", ck_kdf_params_interactive},
                  {"moderate", ck_kdf_params_moderate}};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        ck_kdf_params kp = levels[i].params();
        snprintf(dir, sizeof dir, "%s/%s", tmpl, levels[i].name);
        wallet *w = NULL;
        if (wallet_create(dir, PASS, sizeof PASS - 1, kp, &w, &err) != DID_OK)
            bench_die("wallet_create", &err);
        wallet_close(w);
        b.dir = dir;
        char name[96];
        snprintf(name, sizeof name, "unlock, Argon2id %s (%llu passes, %llu MiB)",
                 levels[i].name, (unsigned long long)kp.opslimit,
                 (unsigned long long)(kp.memlimit >> 20));
        bench_measure(name, op_unlock, &b, seconds);
    }

    /* A wallet with a holder key, an SD-JWT VC bound to it and a Data Integrity credential. */
    snprintf(dir, sizeof dir, "%s/present", tmpl);
    if (wallet_create(dir, PASS, sizeof PASS - 1, ck_kdf_params_min(), &b.w, &err) != DID_OK)
        bench_die("wallet_create", &err);
    if (wallet_key_new(b.w, CK_KEY_ED25519, WALLET_DID_KEY, "bench", keyid, holder_info, kid,
                       &err) != DID_OK)
        bench_die("wallet_key_new", &err);
    did_ctx *ctx = NULL;
    ck_key *holder = NULL, *issuer = NULL;
    if (did_ctx_new(&ctx, &err) != DID_OK ||
        did_resolve_key(ctx, kid, strlen(kid), DID_REL_AUTHENTICATION, &holder, NULL, &err) !=
            DID_OK)
        bench_die("holder key", &err);
    if (ck_key_generate(CK_KEY_ED25519, &issuer, &ce) != CK_OK)
        bench_die_ck("issuer key", &ce);
    did_buf idid, ikid, cred;
    did_buf_init(&idid);
    did_buf_init(&ikid);
    did_buf_init(&cred);
    if (did_key_from_key(issuer, &idid, &err) != DID_OK)
        bench_die("issuer DID", &err);
    did_buf_printf(&ikid, "%s#%s", (const char *)idid.data,
                   (const char *)idid.data + strlen("did:key:"));
    json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "vct",
                               "https://credentials.example.com/identity_credential", "iss",
                               (const char *)idid.data, "given_name", "Erika", "family_name",
                               "Mustermann", "birthdate", "1963-08-12", "iat",
                               (json_int_t)did_time_now());
    const char *paths[] = {"/given_name", "/family_name", "/birthdate", NULL};
    did_sdjwt_issue_opts so = {.kid = (const char *)ikid.data, .paths = paths, .holder_key = holder};
    if (claims == NULL || did_sdjwt_issue(issuer, &so, claims, &cred, &err) != DID_OK)
        bench_die("did_sdjwt_issue", &err);
    if (wallet_cred_import(b.w, cred.data, cred.len, NULL, b.sd_id, NULL, &err) != DID_OK)
        bench_die("import SD-JWT VC", &err);
    char subject_did[512];
    snprintf(subject_did, sizeof subject_did, "%.*s", (int)(strchr(kid, '#') - kid), kid);
    json_t *vc = json_pack("{s:[s], s:[s,s], s:s, s:s, s:{s:s, s:s}}", "@context",
                           "https://www.w3.org/ns/credentials/v2", "type", "VerifiableCredential",
                           "ExampleAlumniCredential", "issuer", (const char *)idid.data,
                           "validFrom", "2024-01-01T00:00:00Z", "credentialSubject", "id",
                           subject_did, "alumniOf", "The School of Examples");
    json_t *secured = NULL;
    did_di_sign_opts dso = {.suite = DID_DI_EDDSA_JCS_2022,
                            .verification_method = (const char *)ikid.data};
    if (vc == NULL || did_di_sign(issuer, vc, &dso, &secured, &err) != DID_OK)
        bench_die("did_di_sign", &err);
    char *text = json_dumps(secured, JSON_COMPACT);
    if (text == NULL ||
        wallet_cred_import(b.w, (const uint8_t *)text, strlen(text), NULL, b.di_id, NULL, &err) !=
            DID_OK)
        bench_die("import DI credential", &err);
    free(text);

    /* The reference: raw Ed25519 in the same run. */
    crypto_sign_keypair(b.pk, b.sk);
    randombytes_buf(b.msg, sizeof b.msg);
    double raw_sign = bench_measure("raw Ed25519 sign (64 B)", op_sign, &b, seconds);
    double raw_verify = bench_measure("raw Ed25519 verify (64 B)", op_verify, &b, seconds);
    double sd = bench_measure("present SD-JWT VC + KB (1 disclosure)", op_present_sd, &b, seconds);
    double di = bench_measure("present Data Integrity VP", op_present_di, &b, seconds);
    printf("\nper presentation: SD-JWT+KB %.0f us (raw sign + 2 verifies = %.0f us), DI VP %.0f us"
           " (raw sign + 2 verifies = %.0f us); the rest is the durable consent log commit and "
           "JSON work\n",
           1e6 / sd, 1e6 / raw_sign + 2e6 / raw_verify, 1e6 / di, 1e6 / raw_sign + 2e6 / raw_verify);

    json_decref(claims);
    json_decref(vc);
    json_decref(secured);
    did_buf_clear(&idid);
    did_buf_clear(&ikid);
    did_buf_clear(&cred);
    did_buf_clear(&b.out);
    ck_key_free(holder);
    ck_key_free(issuer);
    did_ctx_free(ctx);
    wallet_close(b.w);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_wallet: could not remove %s\n", tmpl);
    return 0;
}
