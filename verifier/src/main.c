/*
 * civid-verifier -- the relying-party side: DID resolution and offline verification (and, in
 * later releases, the HTTP verification service and the audit log).
 *
 * Thin by design: argument parsing here, everything else in libdid.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/io.h>
#include <did/jose.h>

#define PROG "civid-verifier"

/* Exit codes: 0 success / verified, 1 not verified or failed, 2 unusable input or usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_main[] =
    "usage: " PROG " <command> [options]\n"
    "\n"
    "Commands:\n"
    "  resolve  resolve a DID (did:key, did:jwk) and print its DID document\n"
    "  check    verify a compact JWS or JWT offline, resolving its kid, and print the result\n"
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
    "usage: " PROG " check [--typ TYP] [--jwt] [--aud AUD] [--iss ISS] [--skew SECONDS]\n"
    "                      FILE|-\n"
    "\n"
    "Verifies the compact JWS in FILE (or standard input): the kid header must be a DID URL;\n"
    "its DID is resolved and the verification method must be authorised for assertionMethod.\n"
    "Allowed algorithms: EdDSA (Ed25519), ES256, ES384, ES256K; none and HMAC are refused.\n"
    "Prints a JSON result with \"verified\", the checks that ran, and errors with stable codes.\n"
    "\n"
    "  --typ TYP        require this typ header\n"
    "  --jwt            the payload is a JWT claims set: check exp, nbf, iat\n"
    "  --aud AUD        with --jwt: require this audience\n"
    "  --iss ISS        with --jwt: require this issuer\n"
    "  --skew SECONDS   with --jwt: allowed clock skew (default 60)\n"
    "\n"
    "Exit status: 0 verified, 1 not verified, 2 unusable input (unreadable, not a JWS).\n";

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

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {{"typ", required_argument, NULL, 't'},
                                         {"jwt", no_argument, NULL, 'j'},
                                         {"aud", required_argument, NULL, 'a'},
                                         {"iss", required_argument, NULL, 'i'},
                                         {"skew", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *typ = NULL, *aud = NULL, *iss = NULL;
    long skew = 60;
    int jwt = 0, c;
    char *end;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': typ = optarg; break;
        case 'j': jwt = 1; break;
        case 'a': aud = optarg; break;
        case 'i': iss = optarg; break;
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
    if ((aud != NULL || iss != NULL) && !jwt) {
        fprintf(stderr, PROG ": check: --aud and --iss need --jwt\n");
        return EXIT_USAGE;
    }

    did_err err;
    did_err_clear(&err);
    did_ctx *ctx = NULL;
    did_buf in;
    did_buf_init(&in);
    did_jws jws;
    did_jws_init(&jws);
    json_t *claims = NULL, *result = NULL;
    int status = EXIT_USAGE;

    int rc = did_file_read(argv[optind], DID_JWS_MAX_LEN, &in, &err);
    if (rc == DID_OK)
        rc = did_ctx_new(&ctx, &err);
    if (rc != DID_OK) {
        fprintf(stderr, PROG ": check: %s (%s)\n", err.msg, did_err_name(err.code));
        goto out;
    }
    /* A file usually ends with a newline; the JWS is the text before it. */
    size_t len = in.len;
    while (len > 0 && (in.data[len - 1] == '\n' || in.data[len - 1] == '\r'))
        len--;

    did_jws_verify_opts vo = {.typ = typ, .rel = DID_REL_ASSERTION_METHOD};
    json_t *checks = json_array();
    if (jwt) {
        did_jwt_check_opts co = {.skew = skew, .aud = aud, .iss = iss};
        rc = did_jwt_verify(ctx, (const char *)in.data, len, &vo, &co, &jws, &claims, &err);
    } else {
        rc = did_jws_verify(ctx, (const char *)in.data, len, &vo, &jws, &err);
    }
    if (rc == DID_OK) {
        json_array_append_new(checks, json_string("format"));
        json_array_append_new(checks, json_string("kid"));
        json_array_append_new(checks, json_string("signature"));
        if (jwt)
            json_array_append_new(checks, json_string("jwt-claims"));
        json_t *payload = claims != NULL ? json_incref(claims) : NULL;
        if (payload == NULL)
            payload = json_stringn((const char *)jws.payload, jws.payload_len);
        if (payload == NULL) /* not UTF-8 text: report its length only */
            payload = json_pack("{s:I}", "bytes", (json_int_t)jws.payload_len);
        result = json_pack("{s:b, s:s, s:s, s:s?, s:O, s:o, s:o}", "verified", 1, "format",
                           jwt ? "jwt" : "jws", "alg", jws.alg, "kid", jws.kid, "header",
                           jws.header, "payload", payload, "checks", checks);
        status = EXIT_OK;
    } else {
        json_t *errors = json_array();
        json_array_append_new(errors, error_json(&err));
        result = json_pack("{s:b, s:s, s:o, s:o}", "verified", 0, "format", jwt ? "jwt" : "jws",
                           "checks", checks, "errors", errors);
        /* Input that is not a JWS at all is unusable; anything else simply did not verify. */
        status = (rc == DID_ERR_JWS_FORMAT || rc == DID_ERR_LIMIT) ? EXIT_USAGE : EXIT_FAIL;
    }
    if (print_json(result) != 0)
        status = EXIT_FAIL;
out:
    json_decref(result);
    json_decref(claims);
    did_jws_clear(&jws);
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
    fprintf(stderr, PROG ": unknown command '%s'\n\n%s", cmd, usage_main);
    return EXIT_USAGE;
}
