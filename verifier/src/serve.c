/* civid-verifier serve: configuration from a file and the command line, then the service until
 * SIGTERM or SIGINT. Everything else is in the service library (verifier/verifier.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

#include <verifier/verifier.h>

#define PROG "civid-verifier"

const char verifier_usage_serve[] =
    "usage: " PROG " serve --data DIR [--listen HOST:PORT] [--config FILE] [options]\n"
    "\n"
    "Runs the verification service (W3C CCG VC-API) over HTTP until SIGTERM or SIGINT, then\n"
    "lets the requests in flight finish, closes the data store and exits 0. The first line of\n"
    "standard output is the address it listens on (HOST:PORT); one JSON access-log line per\n"
    "request follows (unless --access-log says otherwise). Endpoints:\n"
    "  POST /credentials/verify     {verifiableCredential, options} -> {verified, checks, ...}\n"
    "  POST /presentations/verify   {verifiablePresentation, options: {challenge, domain}}\n"
    "  POST /challenges             -> 201 {challenge, expires}: single use\n"
    "  GET  /1.0/identifiers/{did}  DID resolution result (Universal Resolver driver)\n"
    "  GET  /health, GET /metrics   liveness; Prometheus text format\n"
    "  GET  /log/checkpoint, GET /log/proof/{index}  with --log: the audit log (text/plain)\n"
    "See spec/openapi-verifier.yaml and spec/verifier-config.md.\n"
    "\n"
    "  --listen HOST:PORT       IP literal and port (default 127.0.0.1:8082; port 0: any free\n"
    "                           port)\n"
    "  --data DIR               data directory (LMDB), created with mode 0700 if missing\n"
    "  --config FILE            JSON configuration; the options below override it\n"
    "  --log DIR                serve this audit log read-only under /log/ (a directory made\n"
    "                           by 'civid-verifier log init'; nothing is signed)\n"
    "  --threads N              worker threads (default 2)\n"
    "  --max-body BYTES         request body limit (default 1048576)\n"
    "  --access-log FILE|-|off  where access-log lines go (default -: standard output)\n"
    "  --trusted-issuer ID      a trusted issuer DID or URL; repeatable, replaces the\n"
    "                           configuration's list\n"
    "  --unknown-issuer warn|error  what an issuer outside the list gives (default warn)\n"
    "  --challenge-ttl SECONDS  how long a challenge stays valid (default 300)\n"
    "  --no-challenge-required  accept presentations without a challenge (with a warning)\n"
    "  --allow-http-loopback    fetch did:web documents and status lists over plain http\n"
    "                           from loopback hosts (tests only)\n"
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
    OPT_THREADS,
    OPT_MAX_BODY,
    OPT_ACCESS_LOG,
    OPT_TRUSTED,
    OPT_UNKNOWN,
    OPT_TTL,
    OPT_NO_CHALLENGE,
    OPT_HTTP_LOOPBACK,
    OPT_LOG,
    OPT_HELP,
};

int verifier_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"data", required_argument, NULL, OPT_DATA},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"access-log", required_argument, NULL, OPT_ACCESS_LOG},
        {"trusted-issuer", required_argument, NULL, OPT_TRUSTED},
        {"unknown-issuer", required_argument, NULL, OPT_UNKNOWN},
        {"challenge-ttl", required_argument, NULL, OPT_TTL},
        {"no-challenge-required", no_argument, NULL, OPT_NO_CHALLENGE},
        {"allow-http-loopback", no_argument, NULL, OPT_HTTP_LOOPBACK},
        {"log", required_argument, NULL, OPT_LOG},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0}};
    const char *listen = NULL, *data = NULL, *config = NULL, *access_log = NULL, *unknown = NULL;
    const char *log_dir = NULL;
    const char *trusted[VERIFIER_MAX_TRUSTED];
    size_t n_trusted = 0;
    long long threads = 0, max_body = 0, ttl = 0;
    int no_challenge = 0, http_loopback = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN:
            listen = optarg;
            break;
        case OPT_DATA:
            data = optarg;
            break;
        case OPT_CONFIG:
            config = optarg;
            break;
        case OPT_LOG:
            log_dir = optarg;
            break;
        case OPT_ACCESS_LOG:
            access_log = optarg;
            break;
        case OPT_UNKNOWN:
            unknown = optarg;
            break;
        case OPT_NO_CHALLENGE:
            no_challenge = 1;
            break;
        case OPT_HTTP_LOOPBACK:
            http_loopback = 1;
            break;
        case OPT_TRUSTED:
            if (n_trusted == VERIFIER_MAX_TRUSTED) {
                fprintf(stderr, PROG ": serve: at most %d --trusted-issuer\n",
                        VERIFIER_MAX_TRUSTED);
                return 2;
            }
            trusted[n_trusted++] = optarg;
            break;
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
        case OPT_TTL:
            if (parse_num(optarg, 1, 86400, &ttl) != 0) {
                fprintf(stderr, PROG ": serve: --challenge-ttl must be 1..86400 seconds\n");
                return 2;
            }
            break;
        case OPT_HELP:
            fputs(verifier_usage_serve, stdout);
            return 0;
        default:
            fputs(verifier_usage_serve, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, PROG ": serve: unexpected argument '%s'\n\n%s", argv[optind],
                verifier_usage_serve);
        return 2;
    }

    verifier_config cfg;
    did_err err;
    verifier_config_init(&cfg);
    did_err_clear(&err);
    int status = 2, rc = DID_OK;
    if (config != NULL)
        rc = verifier_config_load(&cfg, config, &err);
    /* Command-line overrides. */
    if (rc == DID_OK && listen != NULL &&
        snprintf(cfg.listen, sizeof cfg.listen, "%s", listen) >= (int)sizeof cfg.listen)
        rc = did_err_set(&err, CH_ERR_HTTP_LISTEN, "--listen value too long");
    if (rc == DID_OK && data != NULL &&
        snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", data) >= (int)sizeof cfg.data_dir)
        rc = did_err_set(&err, DID_ERR_ARG, "--data path too long");
    if (rc == DID_OK && log_dir != NULL &&
        snprintf(cfg.log_dir, sizeof cfg.log_dir, "%s", log_dir) >= (int)sizeof cfg.log_dir)
        rc = did_err_set(&err, DID_ERR_ARG, "--log path too long");
    if (rc == DID_OK && access_log != NULL)
        snprintf(cfg.access_log, sizeof cfg.access_log, "%s",
                 strcmp(access_log, "off") == 0 ? "" : access_log);
    if (threads > 0)
        cfg.threads = (unsigned)threads;
    if (max_body > 0)
        cfg.max_body = (size_t)max_body;
    if (ttl > 0)
        cfg.challenge_ttl = ttl;
    if (no_challenge)
        cfg.require_challenge = 0;
    if (http_loopback)
        cfg.allow_http_loopback = 1;
    if (rc == DID_OK && unknown != NULL) {
        if (strcmp(unknown, "warn") == 0)
            cfg.unknown_issuer = VERIFIER_UNKNOWN_ISSUER_WARN;
        else if (strcmp(unknown, "error") == 0)
            cfg.unknown_issuer = VERIFIER_UNKNOWN_ISSUER_ERROR;
        else
            rc = did_err_set(&err, DID_ERR_ARG, "--unknown-issuer must be warn or error");
    }
    if (rc == DID_OK && n_trusted > 0) {
        for (size_t i = 0; i < cfg.n_trusted; i++)
            free(cfg.trusted[i]);
        cfg.n_trusted = 0;
        for (size_t i = 0; rc == DID_OK && i < n_trusted; i++)
            rc = verifier_config_add_trusted(&cfg, trusted[i], &err);
    }
    if (rc == DID_OK && cfg.data_dir[0] == '\0')
        rc = did_err_set(&err, DID_ERR_ARG, "a data directory is required (--data DIR)");
    if (rc != DID_OK) {
        fprintf(stderr, PROG ": serve: %s (%s)\n", err.msg, ch_err_name(err.code));
        verifier_config_clear(&cfg);
        return 2;
    }

    ch_signals sig;
    verifier_service *v = NULL;
    status = 1;
    /* Signals first: the server's threads inherit the blocked mask, so SIGTERM reaches the
     * main thread, which then shuts the server down. */
    rc = ch_signals_block(&sig, &err);
    if (rc == DID_OK)
        rc = verifier_service_new(&cfg, &v, &err);
    if (rc == DID_OK)
        rc = verifier_service_start(v, &err);
    if (rc != DID_OK) {
        fprintf(stderr, PROG ": serve: %s (%s)\n", err.msg, ch_err_name(err.code));
    } else {
        printf("%s\n", verifier_service_address(v));
        fflush(stdout);
        int signo = ch_signals_wait(&sig);
        fprintf(stderr, PROG ": serve: %s: finishing the requests in flight\n",
                signo == SIGINT ? "SIGINT" : "SIGTERM");
        verifier_service_shutdown(v);
        status = 0;
    }
    verifier_service_free(v);
    ch_signals_restore(&sig);
    verifier_config_clear(&cfg);
    if (status == 0)
        fprintf(stderr, PROG ": serve: stopped\n");
    return status;
}
