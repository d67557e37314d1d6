/* civid-issuer serve: configuration from a file and the command line, secrets from files or the
 * environment, then the service until SIGTERM or SIGINT. Everything else is in the issuer
 * library (issuer/issuer.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck/ck.h>
#include <did/io.h>

#include <issuer/issuer.h>

#include "serve.h"

#define PROG "civid-issuer"

const char issuer_usage_serve[] =
    "usage: " PROG " serve --data DIR [--listen HOST:PORT] [--config FILE] [options]\n"
    "\n"
    "Runs the issuance service (W3C CCG VC-API) over HTTP until SIGTERM or SIGINT, then lets\n"
    "the requests in flight finish, closes the data store and exits 0. The first line of\n"
    "standard output is the address it listens on (HOST:PORT); one JSON access-log line per\n"
    "request follows (unless --access-log says otherwise). Endpoints:\n"
    "  POST /credentials/issue   {credential, options: {format, sd, holder, status}}\n"
    "                            -> 201 {verifiableCredential}     (bearer token)\n"
    "  POST /credentials/status  {credentialId, credentialStatus: [{type, status}]}\n"
    "                            or {credentialId, action: revoke|suspend|unsuspend}\n"
    "                                                              (bearer token)\n"
    "  GET  /status/{list}       the status list credential, signed\n"
    "  GET  /.well-known/did.json, /{path}/did.json   the did:web document (with \"did\")\n"
    "  GET  /health, GET /metrics   liveness; Prometheus text format\n"
    "See spec/openapi-issuer.yaml and spec/issuer-config.md.\n"
    "\n"
    "The issuer keys are kept in DIR sealed with the passphrase (Argon2id +\n"
    "XChaCha20-Poly1305); a new Ed25519 key is made at the first start unless --key is given.\n"
    "\n"
    "  --listen HOST:PORT       IP literal and port (default 127.0.0.1:8081; port 0: any free\n"
    "                           port)\n"
    "  --data DIR               data directory (LMDB), created with mode 0700 if missing\n"
    "  --config FILE            JSON configuration; the options below override it\n"
    "  --passphrase-file FILE   key passphrase (first line); default: $CIVID_PASSPHRASE\n"
    "  --token-file FILE        admin bearer token (first line), stored hashed and replacing\n"
    "                           the stored one; default: $CIVID_ISSUER_TOKEN, else the stored\n"
    "  --key FILE               first start: import this sealed key file (same passphrase)\n"
    "  --rotate-key             make a new current key; old keys stay published\n"
    "  --did DID                issue as this did:web DID (default: the key's did:key)\n"
    "  --base-url URL           prefix of status list URLs (default http://HOST:PORT)\n"
    "  --key-type TYPE          type of new keys: ed25519 (default), p256, p384, secp256k1\n"
    "  --kdf LEVEL              Argon2id cost of new sealed keys: moderate (default),\n"
    "                           interactive, min (tests only)\n"
    "  --threads N              worker threads (default 2)\n"
    "  --max-body BYTES         request body limit (default 1048576)\n"
    "  --access-log FILE|-|off  where access-log lines go (default -: standard output)\n"
    "\n"
    "Exit status: 0 after a signal-initiated shutdown, 1 when the service cannot start, 2 for\n"
    "usage errors and unusable configuration.\n";

static int parse_num(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    if (s[0] == '\0' || s[0] == '-' || s[0] == '+')
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

enum {
    OPT_LISTEN = 1000,
    OPT_DATA,
    OPT_CONFIG,
    OPT_PASS,
    OPT_TOKEN,
    OPT_KEY,
    OPT_ROTATE,
    OPT_DID,
    OPT_BASE,
    OPT_KEY_TYPE,
    OPT_KDF,
    OPT_THREADS,
    OPT_MAX_BODY,
    OPT_ACCESS_LOG,
    OPT_HELP,
};

static int copy_opt(char *dst, size_t cap, const char *src, const char *what, did_err *err)
{
    if (snprintf(dst, cap, "%s", src) >= (int)cap)
        return did_err_set(err, DID_ERR_ARG, "%s value too long", what);
    return DID_OK;
}

int issuer_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"listen", required_argument, NULL, OPT_LISTEN},
                                         {"data", required_argument, NULL, OPT_DATA},
                                         {"config", required_argument, NULL, OPT_CONFIG},
                                         {"passphrase-file", required_argument, NULL, OPT_PASS},
                                         {"token-file", required_argument, NULL, OPT_TOKEN},
                                         {"key", required_argument, NULL, OPT_KEY},
                                         {"rotate-key", no_argument, NULL, OPT_ROTATE},
                                         {"did", required_argument, NULL, OPT_DID},
                                         {"base-url", required_argument, NULL, OPT_BASE},
                                         {"key-type", required_argument, NULL, OPT_KEY_TYPE},
                                         {"kdf", required_argument, NULL, OPT_KDF},
                                         {"threads", required_argument, NULL, OPT_THREADS},
                                         {"max-body", required_argument, NULL, OPT_MAX_BODY},
                                         {"access-log", required_argument, NULL, OPT_ACCESS_LOG},
                                         {"help", no_argument, NULL, OPT_HELP},
                                         {NULL, 0, NULL, 0}};
    const char *listen = NULL, *data = NULL, *config = NULL, *access_log = NULL;
    const char *pass_path = NULL, *token_path = NULL, *key_path = NULL, *did = NULL;
    const char *base = NULL, *key_type = NULL, *kdf = NULL;
    long long threads = 0, max_body = 0;
    int rotate = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN: listen = optarg; break;
        case OPT_DATA: data = optarg; break;
        case OPT_CONFIG: config = optarg; break;
        case OPT_PASS: pass_path = optarg; break;
        case OPT_TOKEN: token_path = optarg; break;
        case OPT_KEY: key_path = optarg; break;
        case OPT_ROTATE: rotate = 1; break;
        case OPT_DID: did = optarg; break;
        case OPT_BASE: base = optarg; break;
        case OPT_KEY_TYPE: key_type = optarg; break;
        case OPT_KDF: kdf = optarg; break;
        case OPT_ACCESS_LOG: access_log = optarg; break;
        case OPT_THREADS:
            if (parse_num(optarg, 1, CH_MAX_THREADS, &threads) != 0) {
                fprintf(stderr, PROG ": serve: --threads must be 1..%d\n", CH_MAX_THREADS);
                return 2;
            }
            break;
        case OPT_MAX_BODY:
            if (parse_num(optarg, 1024, (long long)64 << 20, &max_body) != 0) {
                fprintf(stderr, PROG ": serve: --max-body must be 1024..67108864\n");
                return 2;
            }
            break;
        case OPT_HELP: fputs(issuer_usage_serve, stdout); return 0;
        default: fputs(issuer_usage_serve, stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, PROG ": serve: unexpected argument '%s'\n\n%s", argv[optind],
                issuer_usage_serve);
        return 2;
    }

    issuer_config cfg;
    did_err err;
    issuer_config_init(&cfg);
    did_err_clear(&err);
    int rc = DID_OK;
    if (config != NULL)
        rc = issuer_config_load(&cfg, config, &err);
    if (rc == DID_OK && listen != NULL)
        rc = copy_opt(cfg.listen, sizeof cfg.listen, listen, "--listen", &err);
    if (rc == DID_OK && data != NULL)
        rc = copy_opt(cfg.data_dir, sizeof cfg.data_dir, data, "--data", &err);
    if (rc == DID_OK && did != NULL)
        rc = copy_opt(cfg.did, sizeof cfg.did, did, "--did", &err);
    if (rc == DID_OK && base != NULL)
        rc = copy_opt(cfg.base_url, sizeof cfg.base_url, base, "--base-url", &err);
    if (rc == DID_OK && access_log != NULL)
        rc = copy_opt(cfg.access_log, sizeof cfg.access_log,
                      strcmp(access_log, "off") == 0 ? "" : access_log, "--access-log", &err);
    if (rc == DID_OK && kdf != NULL)
        rc = issuer_kdf_from_name(kdf, &cfg.kdf, &err);
    if (rc == DID_OK && key_type != NULL) {
        ck_err ce;
        if (ck_key_type_from_name(key_type, strlen(key_type), &cfg.key_type, &ce) != CK_OK ||
            cfg.key_type == CK_KEY_X25519)
            rc = did_err_set(&err, DID_ERR_ARG,
                             "--key-type must be ed25519, p256, p384 or secp256k1");
    }
    if (threads > 0)
        cfg.threads = (unsigned)threads;
    if (max_body > 0)
        cfg.max_body = (size_t)max_body;
    if (rc == DID_OK && cfg.data_dir[0] == '\0')
        rc = did_err_set(&err, DID_ERR_ARG, "a data directory is required (--data DIR)");
    if (rc != DID_OK) {
        fprintf(stderr, PROG ": serve: %s (%s)\n", err.msg, issuer_err_name(err.code));
        return 2;
    }

    uint8_t *pass = NULL, *token = NULL;
    size_t pass_len = 0, token_len = 0;
    ck_key *import = NULL;
    ch_signals sig;
    int sig_ok = 0;
    issuer_service *v = NULL;
    int status = 1;
    rc = did_secret_load(pass_path, "CIVID_PASSPHRASE", &pass, &pass_len, &err);
    if (rc == DID_OK && (token_path != NULL || getenv("CIVID_ISSUER_TOKEN") != NULL)) {
        rc = did_secret_load(token_path, "CIVID_ISSUER_TOKEN", &token, &token_len, &err);
        if (rc != DID_OK)
            did_err_prefix(&err, "admin token");
    }
    if (rc == DID_OK && key_path != NULL)
        rc = did_key_load_sealed(key_path, pass, pass_len, &import, &err);
    if (rc != DID_OK) {
        status = 2;
        fprintf(stderr, PROG ": serve: %s (%s)\n", err.msg, issuer_err_name(err.code));
        goto out;
    }
    issuer_secrets sec = {.passphrase = pass,
                          .passphrase_len = pass_len,
                          .token = (const char *)token,
                          .token_len = token_len,
                          .import_key = import,
                          .rotate = rotate};
    /* Signals first: the server's threads inherit the blocked mask, so SIGTERM reaches the
     * main thread, which then shuts the server down. */
    rc = ch_signals_block(&sig, &err);
    sig_ok = rc == DID_OK;
    if (rc == DID_OK)
        rc = issuer_service_new(&cfg, &sec, &v, &err);
    /* The service keeps only the unsealed signing key: the secrets go now. */
    ck_secret_free(pass);
    ck_secret_free(token);
    ck_key_free(import);
    pass = token = NULL;
    import = NULL;
    if (rc == DID_OK)
        rc = issuer_service_start(v, &err);
    if (rc != DID_OK) {
        fprintf(stderr, PROG ": serve: %s (%s)\n", err.msg, issuer_err_name(err.code));
    } else {
        printf("%s\n", issuer_service_address(v));
        fflush(stdout);
        fprintf(stderr, PROG ": serve: issuing as %s\n", issuer_service_did(v));
        int signo = ch_signals_wait(&sig);
        fprintf(stderr, PROG ": serve: %s: finishing the requests in flight\n",
                signo == SIGINT ? "SIGINT" : "SIGTERM");
        issuer_service_shutdown(v);
        status = 0;
    }
    issuer_service_free(v);
    if (sig_ok)
        ch_signals_restore(&sig);
    if (status == 0)
        fprintf(stderr, PROG ": serve: stopped\n");
out:
    ck_secret_free(pass);
    ck_secret_free(token);
    ck_key_free(import);
    return status;
}
