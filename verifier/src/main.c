/*
 * civid-verifier -- the relying-party side: DID resolution, offline verification, and the HTTP
 * verification service (serve.c; the service itself is in verifier/verifier.h).
 *
 * Thin by design: argument parsing here, everything else in libdid.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <did/did.h>
#include <did/io.h>
#include <did/jose.h>
#include <did/status.h>
#include <did/vc.h>
#include <did/verify.h>

#include "serve.h"

/* civid-verifier log ... (log_cmd.c): argv[0] is "log". Returns the exit status. */
int verifier_cmd_log(int argc, char **argv);

#define PROG "civid-verifier"

/* Exit codes: 0 success / verified, 1 not verified or failed, 2 unusable input or usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_main[] =
    "usage: " PROG " <command> [options]\n"
    "\n"
    "Commands:\n"
    "  resolve  resolve a DID (did:key, did:jwk) and print its DID document\n"
    "  check    verify a credential, presentation, or JWS offline and print the result\n"
    "  serve    run the verification service over HTTP (VC-API, challenges, DID resolution)\n"
    "  log      the audit log: verify an entry's proof offline; init, append, show, checkpoint,\n"
    "           proof, entry on a log directory\n"
    "\n"
    "Run '" PROG " <command> --help' for a command's options.\n";

static const char usage_resolve[] =
    "usage: " PROG " resolve [--result] DID\n"
    "\n"
    "Prints the DID document of DID as JSON (exit 0). With --result, prints the whole W3C DID\n"
    "Resolution result (didDocument, didResolutionMetadata, didDocumentMetadata).\n"
    "An invalid or unsupported DID prints a one-line error naming the problem (exit 2).\n"
    "Supported methods: did:key (Ed25519, X25519, secp256k1, P-256, P-384), did:jwk.\n";

static const char usage_check[] =
    "usage: " PROG " check [--challenge C] [--domain D] [--status-list FILE]... [--skew S]\n"
    "                      FILE|-\n"
    "       " PROG " check [--typ TYP] [--jwt [--aud AUD] [--iss ISS]] [--skew S] FILE|-\n"
    "\n"
    "Verifies a credential or presentation in FILE (or standard input), offline, whatever its\n"
    "securing format: Data Integrity (eddsa-jcs-2022, ecdsa-jcs-2019) JSON, VC-JOSE (vc+jwt,\n"
    "vp+jwt), SD-JWT VC (with key binding), or an EnvelopedVerifiableCredential. Keys come from\n"
    "the DIDs (did:key, did:jwk); the signer must be the issuer (or the holder). Prints the\n"
    "result as JSON: \"verified\", the checks that ran, errors and warnings with stable codes.\n"
    "\n"
    "  --challenge C       presentations: the expected challenge (DI challenge, vp+jwt and\n"
    "                      KB-JWT nonce); with an SD-JWT, key binding becomes required\n"
    "  --domain D          presentations: the expected domain (DI domain, JWT aud)\n"
    "  --status-list FILE  a status list credential (any format above) to check\n"
    "                      credentialStatus against; it must verify itself. Repeatable.\n"
    "  --skew SECONDS      allowed clock skew (default 60)\n"
    "\n"
    "A compact JWS whose typ is not vc+jwt / vp+jwt, or any use of --typ, --jwt, --aud or --iss,\n"
    "is checked as a plain JWS: the kid header must be a DID URL authorised for\n"
    "assertionMethod; algorithms EdDSA (Ed25519), ES256, ES384, ES256K; none and HMAC refused.\n"
    "  --typ TYP        require this typ header\n"
    "  --jwt            the payload is a JWT claims set: check exp, nbf, iat\n"
    "  --aud AUD        with --jwt: require this audience\n"
    "  --iss ISS        with --jwt: require this issuer\n"
    "\n"
    "Exit status: 0 verified, 1 not verified, 2 unusable input (unreadable, no known format).\n";

static int cmd_resolve(int argc, char **argv)
{
    static const struct option opts[] = {{"result", no_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int want_result = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': want_result = 1; break;
        case 'h': fputs(usage_resolve, stdout); return EXIT_OK;
        default: fputs(usage_resolve, stderr); return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, PROG ": resolve: exactly one DID expected\n\n%s", usage_resolve);
        return EXIT_USAGE;
    }
    const char *did = argv[optind];
    did_err err;
    did_err_clear(&err);
    did_ctx *ctx = NULL;
    json_t *out = NULL;
    int status = EXIT_FAIL;
    if (did_ctx_new(&ctx, &err) != DID_OK)
        goto out;
    int rc = want_result ? did_resolution_result(ctx, did, strlen(did), &out, &err)
                         : did_resolve(ctx, did, strlen(did), &out, &err);
    if (rc != DID_OK) {
        /* Problems with the DID itself are unusable input. */
        status = (rc == DID_ERR_NOMEM || rc == DID_ERR_INTERNAL) ? EXIT_FAIL : EXIT_USAGE;
        goto out;
    }
    char *text = json_dumps(out, JSON_INDENT(2));
    if (text == NULL) {
        did_err_set(&err, DID_ERR_NOMEM, "cannot serialise the document");
        goto out;
    }
    printf("%s\n", text);
    free(text);
    status = EXIT_OK;
out:
    if (status != EXIT_OK)
        fprintf(stderr, PROG ": resolve: %s (%s)\n", err.msg, did_err_name(err.code));
    json_decref(out);
    did_ctx_free(ctx);
    return status;
}

/* Builds {"code", "name", "message"} for an error. */
static json_t *error_json(const did_err *err)
{
    return json_pack("{s:i, s:s, s:s}", "code", err->code, "name", did_err_name(err->code),
                     "message", err->msg);
}

static int print_json(json_t *j)
{
    char *text = j != NULL ? json_dumps(j, JSON_INDENT(2)) : NULL;
    if (text == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return -1;
    }
    printf("%s\n", text);
    free(text);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * check: plain JWS / JWT.
 */
struct jws_check {
    const char *typ, *aud, *iss;
    int jwt;
};

static int check_jws(did_ctx *ctx, const char *data, size_t len, const struct jws_check *jc,
                     long skew)
{
    did_err err;
    did_jws jws;
    json_t *claims = NULL, *result = NULL;
    int status;

    did_err_clear(&err);
    did_jws_init(&jws);
    did_jws_verify_opts vo = {.typ = jc->typ, .rel = DID_REL_ASSERTION_METHOD};
    json_t *checks = json_array();
    int rc;
    if (jc->jwt) {
        did_jwt_check_opts co = {.skew = skew, .aud = jc->aud, .iss = jc->iss};
        rc = did_jwt_verify(ctx, data, len, &vo, &co, &jws, &claims, &err);
    } else {
        rc = did_jws_verify(ctx, data, len, &vo, &jws, &err);
    }
    if (rc == DID_OK) {
        json_array_append_new(checks, json_string("format"));
        json_array_append_new(checks, json_string("kid"));
        json_array_append_new(checks, json_string("signature"));
        if (jc->jwt)
            json_array_append_new(checks, json_string("jwt-claims"));
        json_t *payload = claims != NULL ? json_incref(claims) : NULL;
        if (payload == NULL)
            payload = json_stringn((const char *)jws.payload, jws.payload_len);
        if (payload == NULL) /* not UTF-8 text: report its length only */
            payload = json_pack("{s:I}", "bytes", (json_int_t)jws.payload_len);
        result = json_pack("{s:b, s:s, s:s, s:s?, s:O, s:o, s:o}", "verified", 1, "format",
                           jc->jwt ? "jwt" : "jws", "alg", jws.alg, "kid", jws.kid, "header",
                           jws.header, "payload", payload, "checks", checks);
        status = EXIT_OK;
    } else {
        json_t *errors = json_array();
        json_array_append_new(errors, error_json(&err));
        result = json_pack("{s:b, s:s, s:o, s:o}", "verified", 0, "format",
                           jc->jwt ? "jwt" : "jws", "checks", checks, "errors", errors);
        /* Input that is not a JWS at all is unusable; anything else simply did not verify. */
        status = (rc == DID_ERR_JWS_FORMAT || rc == DID_ERR_LIMIT) ? EXIT_USAGE : EXIT_FAIL;
    }
    if (print_json(result) != 0)
        status = EXIT_FAIL;
    json_decref(result);
    json_decref(claims);
    did_jws_clear(&jws);
    return status;
}

/* 1 when data is a compact JWS whose typ names a VC-JOSE credential or presentation, or that
 * has no typ and carries a credential or presentation. */
static int is_vcjose(const char *data, size_t len)
{
    const char *dot = memchr(data, '.', len);
    uint8_t hdr[DID_JWS_MAX_HEADER];
    size_t n = 0;
    json_t *h = NULL;
    int yes = 0;
    if (dot == NULL ||
        ck_b64url_decode(data, (size_t)(dot - data), hdr, sizeof hdr, &n, NULL) != CK_OK ||
        did_json_parse(hdr, n, NULL, &h, NULL) != DID_OK)
        return 0;
    const char *typ = json_string_value(json_object_get(h, "typ"));
    if (json_object_get(h, "typ") == NULL) {
        /* VC-JOSE lets typ out: then the payload's "type" decides (it is verified after). */
        const char *d2 = memchr(dot + 1, '.', len - (size_t)(dot + 1 - data));
        size_t plen = d2 != NULL ? (size_t)(d2 - dot - 1) : 0, m = 0;
        uint8_t *p = d2 != NULL ? malloc(plen + 1) : NULL;
        json_t *payload = NULL;
        if (p != NULL && ck_b64url_decode(dot + 1, plen, p, plen + 1, &m, NULL) == CK_OK &&
            did_json_parse(p, m, NULL, &payload, NULL) == DID_OK)
            yes = did_vc_has_type(payload, "VerifiableCredential") ||
                  did_vc_has_type(payload, "VerifiablePresentation");
        json_decref(payload);
        free(p);
    } else if (typ != NULL) {
        static const char *const kinds[] = {"vc+jwt", "vp+jwt", "vc-ld+jwt", "vp-ld+jwt"};
        if (strncasecmp(typ, "application/", 12) == 0)
            typ += 12;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (strcasecmp(typ, kinds[i]) == 0)
                yes = 1;
    }
    json_decref(h);
    return yes;
}

/* ---------------------------------------------------------------------------------------------
 * check: credentials and presentations.
 */
#define MAX_STATUS_LISTS 16

/* Status list credentials given with --status-list, verified when loaded, found by id. */
struct status_lists {
    size_t n;
    json_t *vc[MAX_STATUS_LISTS];
};

static int status_fetch(void *user, const char *url, json_t **out, did_err *err)
{
    const struct status_lists *sl = user;
    for (size_t i = 0; i < sl->n; i++) {
        const char *id = json_string_value(json_object_get(sl->vc[i], "id"));
        if (id != NULL && strcmp(id, url) == 0) {
            *out = json_incref(sl->vc[i]);
            return DID_OK;
        }
    }
    return did_err_set(err, DID_ERR_STATUS_LIST, "no --status-list credential has id %s", url);
}

/* Reads and verifies a status list credential file. */
static int load_status_list(did_ctx *ctx, const char *path, long skew, json_t **vc, did_err *err)
{
    did_buf in;
    did_result r;
    did_buf_init(&in);
    did_result_init(&r);
    did_verify_opts vo = {.skew = skew};
    int rc = did_file_read(path, DID_VERIFY_MAX_LEN, &in, err);
    if (rc == DID_OK)
        rc = did_verify(ctx, in.data, in.len, &vo, &r, err);
    if (rc == DID_OK && !did_vc_has_type(r.document, "BitstringStatusListCredential"))
        rc = did_err_set(err, DID_ERR_STATUS_LIST, "not a BitstringStatusListCredential");
    if (rc == DID_OK)
        *vc = json_incref(r.document);
    else
        did_err_prefix(err, path);
    did_result_clear(&r);
    did_buf_clear(&in);
    return rc;
}

static int unusable(int code)
{
    return code == DID_ERR_VC_FORMAT || code == DID_ERR_LIMIT || code == DID_ERR_JWS_FORMAT ||
           code == DID_ERR_SDJWT_FORMAT || (code >= DID_ERR_JSON_SYNTAX && code <= DID_ERR_JSON_COUNT);
}

static int check_credential(did_ctx *ctx, const uint8_t *data, size_t len,
                            const did_verify_opts *vo)
{
    did_result r;
    did_err err;
    did_result_init(&r);
    did_err_clear(&err);
    int rc = did_verify(ctx, data, len, vo, &r, &err);
    json_t *j = did_result_to_json(&r);
    int status = rc == DID_OK ? EXIT_OK : unusable(rc) ? EXIT_USAGE : EXIT_FAIL;
    if (print_json(j) != 0)
        status = EXIT_FAIL;
    json_decref(j);
    did_result_clear(&r);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {{"typ", required_argument, NULL, 't'},
                                         {"jwt", no_argument, NULL, 'j'},
                                         {"aud", required_argument, NULL, 'a'},
                                         {"iss", required_argument, NULL, 'i'},
                                         {"skew", required_argument, NULL, 's'},
                                         {"challenge", required_argument, NULL, 'c'},
                                         {"domain", required_argument, NULL, 'd'},
                                         {"status-list", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct jws_check jc = {0};
    const char *challenge = NULL, *domain = NULL;
    const char *lists[MAX_STATUS_LISTS];
    size_t n_lists = 0;
    long skew = 60;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': jc.typ = optarg; break;
        case 'j': jc.jwt = 1; break;
        case 'a': jc.aud = optarg; break;
        case 'i': jc.iss = optarg; break;
        case 'c': challenge = optarg; break;
        case 'd': domain = optarg; break;
        case 'l':
            if (n_lists == MAX_STATUS_LISTS) {
                fprintf(stderr, PROG ": check: at most %d --status-list files\n",
                        MAX_STATUS_LISTS);
                return EXIT_USAGE;
            }
            lists[n_lists++] = optarg;
            break;
        case 's':
            skew = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || skew < 0 || skew > 86400) {
                fprintf(stderr, PROG ": check: --skew must be 0..86400 seconds\n");
                return EXIT_USAGE;
            }
            break;
        case 'h': fputs(usage_check, stdout); return EXIT_OK;
        default: fputs(usage_check, stderr); return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, PROG ": check: exactly one FILE (or -) expected\n\n%s", usage_check);
        return EXIT_USAGE;
    }
    if ((jc.aud != NULL || jc.iss != NULL) && !jc.jwt) {
        fprintf(stderr, PROG ": check: --aud and --iss need --jwt\n");
        return EXIT_USAGE;
    }
    int jws_mode = jc.typ != NULL || jc.jwt;
    if (jws_mode && (challenge != NULL || domain != NULL || n_lists > 0)) {
        fprintf(stderr, PROG ": check: --typ/--jwt do not combine with --challenge, --domain or "
                             "--status-list\n");
        return EXIT_USAGE;
    }

    did_err err;
    did_err_clear(&err);
    did_ctx *ctx = NULL;
    did_buf in;
    did_buf_init(&in);
    struct status_lists sl = {0};
    int status = EXIT_USAGE;

    int rc = did_file_read(argv[optind], DID_VERIFY_MAX_LEN, &in, &err);
    if (rc == DID_OK)
        rc = did_ctx_new(&ctx, &err);
    for (size_t i = 0; rc == DID_OK && i < n_lists; i++) {
        rc = load_status_list(ctx, lists[i], skew, &sl.vc[sl.n], &err);
        if (rc == DID_OK)
            sl.n++;
    }
    if (rc != DID_OK) {
        fprintf(stderr, PROG ": check: %s (%s)\n", err.msg, did_err_name(err.code));
        goto out;
    }
    /* A file usually ends with a newline; the token is the text before it. */
    size_t len = in.len;
    while (len > 0 && (in.data[len - 1] == '\n' || in.data[len - 1] == '\r'))
        len--;
    const char *kind = did_verify_detect(in.data, len);
    if (jws_mode || (kind != NULL && strcmp(kind, "jose") == 0 &&
                     !is_vcjose((const char *)in.data, len))) {
        status = check_jws(ctx, (const char *)in.data, len, &jc, skew);
    } else {
        did_verify_opts vo = {.skew = skew, .challenge = challenge, .domain = domain};
        if (sl.n > 0) {
            vo.status_fetch = status_fetch;
            vo.status_user = &sl;
        }
        status = check_credential(ctx, in.data, len, &vo);
    }
out:
    for (size_t i = 0; i < sl.n; i++)
        json_decref(sl.vc[i]);
    did_buf_clear(&in);
    did_ctx_free(ctx);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (ck_init() != CK_OK) {
        fprintf(stderr, PROG ": cannot initialise the crypto library\n");
        return EXIT_FAIL;
    }
    argc--;
    argv++;
    if (strcmp(cmd, "resolve") == 0)
        return cmd_resolve(argc, argv);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc, argv);
    if (strcmp(cmd, "serve") == 0)
        return verifier_cmd_serve(argc, argv);
    if (strcmp(cmd, "log") == 0)
        return verifier_cmd_log(argc, argv);
    fprintf(stderr, PROG ": unknown command '%s'\n\n%s", cmd, usage_main);
    return EXIT_USAGE;
}
