/*
 * civid-issuer -- the agency side: keys, DIDs, signatures, offline issuance, and the HTTP
 * service that issues credentials and publishes status lists (serve.c).
 *
 * Thin by design: argument parsing here, everything else in the issuer library
 * (issuer/issuer.h), libdid and the crypto library.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/io.h>
#include <did/di.h>
#include <did/jose.h>
#include <did/json.h>
#include <did/sdjwt.h>
#include <did/status.h>
#include <did/time.h>
#include <did/vcjose.h>

#include <issuer/issuer.h>

#include "serve.h"

#define PROG "civid-issuer"
#define PASS_ENV "CIVID_PASSPHRASE"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_main[] =
    "usage: " PROG " <command> [options]\n"
    "\n"
    "Commands:\n"
    "  keygen   create a signing key, sealed at rest with a passphrase\n"
    "  did      print the DID (did:key or did:jwk) of a key file\n"
    "  sign     sign a payload as a compact JWS whose kid is the key's DID URL\n"
    "  issue    secure a credential: Data Integrity, VC-JOSE or SD-JWT VC\n"
    "  status-list  sign a Bitstring Status List credential with chosen entries set\n"
    "  serve    run the issuance service (VC-API over HTTP, state in LMDB)\n"
    "\n"
    "Run '" PROG " <command> --help' for a command's options.\n"
    "The passphrase of a key file comes from --passphrase-file FILE (first line) or the\n"
    "environment variable " PASS_ENV ".\n";

static const char usage_keygen[] =
    "usage: " PROG " keygen --type TYPE --out FILE [--passphrase-file FILE] [--kdf LEVEL]\n"
    "                    [--force]\n"
    "\n"
    "Generates a key and writes it to FILE (mode 0600) sealed with XChaCha20-Poly1305 under a\n"
    "key derived from the passphrase with Argon2id. Prints the key's did:key.\n"
    "\n"
    "  --type TYPE             ed25519 | p256 | p384 | secp256k1\n"
    "  --out FILE              where to write the sealed key (never overwritten without --force)\n"
    "  --passphrase-file FILE  passphrase (first line); default: $" PASS_ENV "\n"
    "  --kdf LEVEL             Argon2id cost: moderate (default: 256 MiB, 3 passes),\n"
    "                          interactive (64 MiB, 2 passes), or min (tests only: insecure)\n"
    "  --force                 replace FILE if it exists\n";

static const char usage_did[] =
    "usage: " PROG " did --key FILE [--method key|jwk] [--passphrase-file FILE]\n"
    "\n"
    "Prints the DID of the key in FILE: did:key (default) or did:jwk.\n";

static const char usage_sign[] =
    "usage: " PROG " sign --key FILE [--typ TYP] [--method key|jwk] [--passphrase-file FILE]\n"
    "                  [PAYLOAD|-]\n"
    "\n"
    "Signs the bytes of PAYLOAD (default: standard input) and prints the compact JWS\n"
    "(RFC 7515). The protected header has alg (EdDSA, ES256, ES384 or ES256K by key type),\n"
    "kid (the key's DID URL) and typ if given.\n";

static const char usage_issue[] =
    "usage: " PROG " issue --key FILE --format FORMAT [--sd PATH]... [--holder DID]\n"
    "                   [--method key|jwk] [--issuer DID --kid DIDURL] [--passphrase-file FILE]\n"
    "                   [CREDENTIAL|-]\n"
    "\n"
    "Secures the credential in CREDENTIAL (default: standard input, JSON) and prints it.\n"
    "The issuer is the key's did:key (or did:jwk with --method jwk); the credential's \"issuer\"\n"
    "is filled in when absent and must otherwise be that DID.\n"
    "\n"
    "  --format FORMAT   di-eddsa-jcs   Data Integrity eddsa-jcs-2022 (Ed25519 key)\n"
    "                    di-ecdsa-jcs   Data Integrity ecdsa-jcs-2019 (P-256 or P-384 key)\n"
    "                    vc-jwt         VC-JOSE: a vc+jwt compact JWS (any signing key)\n"
    "                    sd-jwt         SD-JWT VC (dc+sd-jwt): the input is the claims set and\n"
    "                                   needs \"vct\"; \"iss\" and \"iat\" are filled in\n"
    "  --sd PATH         sd-jwt: make the claim at this JSON Pointer selectively disclosable\n"
    "                    (e.g. /given_name, /address/street_address, /nationalities/0)\n"
    "  --holder DID      sd-jwt: bind to this holder's key (cnf); a did:key or did:jwk\n"
    "  --issuer DID      issue as another DID that this key belongs to (with --kid)\n"
    "  --kid DIDURL      the verification method of --issuer that the key is\n"
    "  --status-list URL  add a BitstringStatusListEntry for the list at URL (VC formats)\n"
    "  --status-index N   the credential's index in that list\n"
    "  --status-purpose P revocation (default) or suspension\n";

static const char usage_status_list[] =
    "usage: " PROG " status-list --key FILE --format FORMAT --url URL\n"
    "                         [--purpose revocation|suspension] [--set INDEX]...\n"
    "                         [--entries N] [--method key|jwk] [--passphrase-file FILE]\n"
    "\n"
    "Prints a signed BitstringStatusListCredential (W3C Bitstring Status List v1.0) whose id is\n"
    "URL, with the status bit of each --set INDEX set (revoked or suspended, by --purpose).\n"
    "FORMAT is di-eddsa-jcs, di-ecdsa-jcs or vc-jwt; the issuer is the key's DID.\n"
    "  --entries N       list size (default and minimum 131072: 16 KB uncompressed)\n";

static int fail(const char *cmd, const did_err *err)
{
    fprintf(stderr, PROG ": %s: %s (%s)\n", cmd, err->msg, did_err_name(err->code));
    return EXIT_FAIL;
}

static int usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n%s", usage);
    return EXIT_USAGE;
}

/* Options common to the commands that take a key file. */
struct key_opts {
    const char *key_path;
    const char *pass_path;
    const char *method;
};

static int load_key(const struct key_opts *o, ck_key **key, did_err *err)
{
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    int rc = did_secret_load(o->pass_path, PASS_ENV, &pass, &pass_len, err);
    if (rc != DID_OK)
        return rc;
    rc = did_key_load_sealed(o->key_path, pass, pass_len, key, err);
    ck_secret_free(pass);
    return rc;
}

static int is_jwk(const char *method)
{
    return method != NULL && strcmp(method, "jwk") == 0;
}

/* Appends the DID of key by method ("key" or "jwk") to out. */
static int key_did(const ck_key *key, const char *method, did_buf *out, did_err *err)
{
    return issuer_key_did(key, is_jwk(method), out, err);
}

/* The verification method DID URL for key under method. */
static int key_kid(const ck_key *key, const char *method, did_buf *out, did_err *err)
{
    return issuer_key_kid(key, is_jwk(method), out, err);
}

static int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {{"type", required_argument, NULL, 't'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"kdf", required_argument, NULL, 'k'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *type = NULL, *out = NULL, *pass_path = NULL, *kdf = "moderate";
    int force = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': type = optarg; break;
        case 'o': out = optarg; break;
        case 'p': pass_path = optarg; break;
        case 'k': kdf = optarg; break;
        case 'f': force = 1; break;
        case 'h': fputs(usage_keygen, stdout); return EXIT_OK;
        default: fputs(usage_keygen, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc)
        return usage_error(usage_keygen, "keygen: unexpected argument '%s'", argv[optind]);
    if (type == NULL || out == NULL)
        return usage_error(usage_keygen, "keygen: %s", "--type and --out are required");

    ck_kdf_params params;
    if (strcmp(kdf, "moderate") == 0)
        params = ck_kdf_params_moderate();
    else if (strcmp(kdf, "interactive") == 0)
        params = ck_kdf_params_interactive();
    else if (strcmp(kdf, "min") == 0)
        params = ck_kdf_params_min();
    else
        return usage_error(usage_keygen, "keygen: unknown --kdf level '%s'", kdf);

    did_err err;
    did_err_clear(&err);
    ck_err ce;
    ck_key_type kt;
    if (ck_key_type_from_name(type, strlen(type), &kt, &ce) != CK_OK || kt == CK_KEY_X25519)
        return usage_error(usage_keygen, "keygen: unknown --type '%s'", type);

    ck_key *key = NULL;
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    did_buf did;
    did_buf_init(&did);
    int status = EXIT_FAIL;
    if (did_secret_load(pass_path, PASS_ENV, &pass, &pass_len, &err) != DID_OK)
        goto out;
    if (ck_key_generate(kt, &key, &ce) != CK_OK) {
        did_err_from_ck(&err, &ce);
        goto out;
    }
    if (did_key_save_sealed(out, key, pass, pass_len, params, force, &err) != DID_OK)
        goto out;
    if (did_key_from_key(key, &did, &err) != DID_OK)
        goto out;
    printf("%s\n", (const char *)did.data);
    status = EXIT_OK;
out:
    if (status != EXIT_OK)
        fail("keygen", &err);
    ck_secret_free(pass);
    ck_key_free(key);
    did_buf_clear(&did);
    return status;
}

static int parse_key_opts(int argc, char **argv, const char *usage, struct key_opts *ko,
                          const char **typ)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"method", required_argument, NULL, 'm'},
                                         {"typ", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': ko->key_path = optarg; break;
        case 'p': ko->pass_path = optarg; break;
        case 'm': ko->method = optarg; break;
        case 't':
            if (typ == NULL)
                return usage_error(usage, "%s", "--typ is not an option of this command");
            *typ = optarg;
            break;
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return EXIT_USAGE;
        }
    }
    if (ko->key_path == NULL)
        return usage_error(usage, "%s", "--key is required");
    if (ko->method != NULL && strcmp(ko->method, "key") != 0 && strcmp(ko->method, "jwk") != 0)
        return usage_error(usage, "--method must be key or jwk, not '%s'", ko->method);
    return EXIT_OK;
}

static int cmd_did(int argc, char **argv)
{
    struct key_opts ko = {0};
    int rc = parse_key_opts(argc, argv, usage_did, &ko, NULL);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_did, "did: unexpected argument '%s'", argv[optind]);
    did_err err;
    did_err_clear(&err);
    ck_key *key = NULL;
    did_buf did;
    did_buf_init(&did);
    int status = EXIT_FAIL;
    if (load_key(&ko, &key, &err) == DID_OK && key_did(key, ko.method, &did, &err) == DID_OK) {
        printf("%s\n", (const char *)did.data);
        status = EXIT_OK;
    } else {
        fail("did", &err);
    }
    ck_key_free(key);
    did_buf_clear(&did);
    return status;
}

static int cmd_sign(int argc, char **argv)
{
    struct key_opts ko = {0};
    const char *typ = NULL;
    int rc = parse_key_opts(argc, argv, usage_sign, &ko, &typ);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (argc - optind > 1)
        return usage_error(usage_sign, "sign: unexpected argument '%s'", argv[optind + 1]);
    const char *payload_path = optind < argc ? argv[optind] : "-";

    did_err err;
    did_err_clear(&err);
    ck_key *key = NULL;
    did_buf kid, payload, jws;
    did_buf_init(&kid);
    did_buf_init(&payload);
    did_buf_init(&jws);
    int status = EXIT_FAIL;
    if (did_file_read(payload_path, 0, &payload, &err) != DID_OK)
        goto out;
    if (load_key(&ko, &key, &err) != DID_OK)
        goto out;
    if (key_kid(key, ko.method, &kid, &err) != DID_OK)
        goto out;
    did_jws_sign_opts so = {.typ = typ, .kid = (const char *)kid.data};
    if (did_jws_sign(key, &so, payload.data, payload.len, &jws, &err) != DID_OK)
        goto out;
    printf("%s\n", (const char *)jws.data);
    status = EXIT_OK;
out:
    if (status != EXIT_OK)
        fail("sign", &err);
    ck_key_free(key);
    did_buf_clear(&kid);
    did_buf_clear(&payload);
    did_buf_clear(&jws);
    return status;
}

/* Secures a credential with a Data Integrity proof (suite != 0) or as a vc+jwt, appending
 * the printable result to out. */
static int secure_vc(const ck_key *key, did_di_suite suite, const char *kid, const json_t *doc,
                     did_buf *out, did_err *err)
{
    issuer_secure_opts so = {.format = suite == DID_DI_EDDSA_JCS_2022   ? ISSUER_FORMAT_DI_EDDSA_JCS
                                       : suite == DID_DI_ECDSA_JCS_2019 ? ISSUER_FORMAT_DI_ECDSA_JCS
                                                                        : ISSUER_FORMAT_VC_JWT,
                             .kid = kid};
    json_t *secured = NULL;
    int rc = issuer_secure(key, &so, doc, &secured, out, err);
    if (rc != DID_OK || secured == NULL)
        return rc;
    char *text = json_dumps(secured, JSON_INDENT(2));
    json_decref(secured);
    if (text == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    rc = did_buf_append_str(out, text);
    free(text);
    return rc;
}

/* --format for credentials: a Data Integrity suite, or 0 for vc-jwt; -1 if unknown. */
static int vc_format(const char *format, did_di_suite *suite)
{
    issuer_format f;
    *suite = 0;
    if (issuer_format_from_name(format, strlen(format), &f, NULL) != DID_OK ||
        f == ISSUER_FORMAT_SD_JWT)
        return -1;
    if (f == ISSUER_FORMAT_DI_EDDSA_JCS)
        *suite = DID_DI_EDDSA_JCS_2022;
    else if (f == ISSUER_FORMAT_DI_ECDSA_JCS)
        *suite = DID_DI_ECDSA_JCS_2019;
    return 0;
}

#define MAX_SD_PATHS ISSUER_MAX_SD_PATHS

static int cmd_issue(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"method", required_argument, NULL, 'm'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"sd", required_argument, NULL, 's'},
                                         {"holder", required_argument, NULL, 'H'},
                                         {"issuer", required_argument, NULL, 'i'},
                                         {"kid", required_argument, NULL, 'K'},
                                         {"status-list", required_argument, NULL, 'L'},
                                         {"status-index", required_argument, NULL, 'I'},
                                         {"status-purpose", required_argument, NULL, 'P'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct key_opts ko = {0};
    const char *format = NULL, *holder = NULL, *issuer = NULL, *kid_opt = NULL;
    const char *status_url = NULL, *status_index_s = NULL, *status_purpose = "revocation";
    const char *paths[MAX_SD_PATHS + 1];
    size_t n_paths = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': ko.key_path = optarg; break;
        case 'p': ko.pass_path = optarg; break;
        case 'm': ko.method = optarg; break;
        case 'f': format = optarg; break;
        case 'H': holder = optarg; break;
        case 'i': issuer = optarg; break;
        case 'K': kid_opt = optarg; break;
        case 'L': status_url = optarg; break;
        case 'I': status_index_s = optarg; break;
        case 'P': status_purpose = optarg; break;
        case 's':
            if (n_paths == MAX_SD_PATHS)
                return usage_error(usage_issue, "issue: at most %d --sd paths", MAX_SD_PATHS);
            paths[n_paths++] = optarg;
            break;
        case 'h': fputs(usage_issue, stdout); return EXIT_OK;
        default: fputs(usage_issue, stderr); return EXIT_USAGE;
        }
    }
    paths[n_paths] = NULL;
    if (ko.key_path == NULL || format == NULL)
        return usage_error(usage_issue, "%s", "issue: --key and --format are required");
    if (argc - optind > 1)
        return usage_error(usage_issue, "issue: unexpected argument '%s'", argv[optind + 1]);
    int is_sd = strcmp(format, "sd-jwt") == 0;
    did_di_suite suite = 0;
    if (!is_sd && vc_format(format, &suite) != 0)
        return usage_error(usage_issue, "issue: unknown --format '%s'", format);
    if (status_url == NULL && status_index_s != NULL)
        return usage_error(usage_issue, "%s", "issue: --status-index needs --status-list");
    uint64_t status_index = 0;
    if (status_url != NULL) {
        char *end;
        if (is_sd)
            return usage_error(usage_issue, "%s", "issue: --status-list is for VC formats");
        if (status_index_s == NULL || *status_index_s == '\0' ||
            (status_index = strtoull(status_index_s, &end, 10), *end != '\0') ||
            status_index_s[0] == '-')
            return usage_error(usage_issue, "%s",
                               "issue: --status-list needs --status-index N (a decimal number)");
    }
    if (!is_sd && (n_paths > 0 || holder != NULL))
        return usage_error(usage_issue, "%s", "issue: --sd and --holder are for --format sd-jwt");
    if ((issuer == NULL) != (kid_opt == NULL))
        return usage_error(usage_issue, "%s", "issue: --issuer and --kid go together");
    if (ko.method != NULL && strcmp(ko.method, "key") != 0 && strcmp(ko.method, "jwk") != 0)
        return usage_error(usage_issue, "--method must be key or jwk, not '%s'", ko.method);

    did_err err;
    did_err_clear(&err);
    ck_key *key = NULL, *holder_key = NULL;
    did_ctx *ctx = NULL;
    json_t *doc = NULL;
    did_buf in, did, kid, out, hvm;
    did_buf_init(&in);
    did_buf_init(&did);
    did_buf_init(&kid);
    did_buf_init(&out);
    did_buf_init(&hvm);
    int status = EXIT_FAIL;

    if (did_file_read(optind < argc ? argv[optind] : "-", 0, &in, &err) != DID_OK ||
        did_json_parse(in.data, in.len, NULL, &doc, &err) != DID_OK)
        goto out;
    if (!json_is_object(doc)) {
        did_err_set(&err, DID_ERR_JSON_TYPE, "the credential must be a JSON object");
        goto out;
    }
    if (load_key(&ko, &key, &err) != DID_OK)
        goto out;
    if (issuer != NULL) {
        size_t n = strlen(issuer);
        if (strncmp(kid_opt, issuer, n) != 0 || kid_opt[n] != '#') {
            did_err_set(&err, DID_ERR_ARG, "--kid %s is not a verification method of %s", kid_opt,
                        issuer);
            goto out;
        }
        if (did_buf_append_str(&did, issuer) != DID_OK ||
            did_buf_append_str(&kid, kid_opt) != DID_OK)
            goto nomem;
    } else if (key_did(key, ko.method, &did, &err) != DID_OK ||
               key_kid(key, ko.method, &kid, &err) != DID_OK) {
        goto out;
    }
    const char *did_s = (const char *)did.data, *kid_s = (const char *)kid.data;

    if (is_sd) {
        if (issuer_set_issuer(doc, "iss", did_s, &err) != DID_OK)
            goto out;
        if (json_object_get(doc, "iat") == NULL &&
            json_object_set_new(doc, "iat", json_integer((json_int_t)did_time_now())) != 0)
            goto nomem;
        if (holder != NULL) {
            if (did_ctx_new(&ctx, &err) != DID_OK ||
                issuer_holder_vm(holder, &hvm, &err) != DID_OK ||
                did_resolve_key(ctx, (const char *)hvm.data, hvm.len, DID_REL_AUTHENTICATION,
                                &holder_key, NULL, &err) != DID_OK)
                goto out;
        }
        issuer_secure_opts so = {.format = ISSUER_FORMAT_SD_JWT,
                                 .kid = kid_s,
                                 .sd_paths = paths,
                                 .holder_key = holder_key};
        if (issuer_secure(key, &so, doc, NULL, &out, &err) != DID_OK)
            goto out;
        printf("%s\n", (const char *)out.data);
    } else {
        if (issuer_set_issuer(doc, "issuer", did_s, &err) != DID_OK)
            goto out;
        if (status_url != NULL) {
            json_t *entry = NULL;
            if (did_status_entry(status_url, status_purpose, status_index, &entry, &err) != DID_OK)
                goto out;
            if (json_object_set_new(doc, "credentialStatus", entry) != 0)
                goto nomem;
        }
        if (secure_vc(key, suite, kid_s, doc, &out, &err) != DID_OK)
            goto out;
        printf("%s\n", (const char *)out.data);
    }
    status = EXIT_OK;
    goto out;
nomem:
    did_err_set(&err, DID_ERR_NOMEM, "out of memory");
out:
    if (status != EXIT_OK)
        fail("issue", &err);
    json_decref(doc);
    ck_key_free(key);
    ck_key_free(holder_key);
    did_ctx_free(ctx);
    did_buf_clear(&in);
    did_buf_clear(&did);
    did_buf_clear(&kid);
    did_buf_clear(&out);
    did_buf_clear(&hvm);
    return status;
}

#define MAX_SET 1024

static int cmd_status_list(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"method", required_argument, NULL, 'm'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"url", required_argument, NULL, 'u'},
                                         {"purpose", required_argument, NULL, 'P'},
                                         {"set", required_argument, NULL, 's'},
                                         {"entries", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct key_opts ko = {0};
    const char *format = NULL, *url = NULL, *purpose = "revocation";
    size_t set[MAX_SET], n_set = 0;
    unsigned long long entries = 131072;
    char *end;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': ko.key_path = optarg; break;
        case 'p': ko.pass_path = optarg; break;
        case 'm': ko.method = optarg; break;
        case 'f': format = optarg; break;
        case 'u': url = optarg; break;
        case 'P': purpose = optarg; break;
        case 's':
            if (n_set == MAX_SET)
                return usage_error(usage_status_list, "status-list: at most %d --set", MAX_SET);
            if (*optarg < '0' || *optarg > '9' ||
                (set[n_set] = (size_t)strtoull(optarg, &end, 10), *end != '\0'))
                return usage_error(usage_status_list, "status-list: --set '%s' is not an index",
                                   optarg);
            n_set++;
            break;
        case 'n':
            if (*optarg < '0' || *optarg > '9' ||
                (entries = strtoull(optarg, &end, 10), *end != '\0'))
                return usage_error(usage_status_list, "status-list: --entries '%s'", optarg);
            break;
        case 'h': fputs(usage_status_list, stdout); return EXIT_OK;
        default: fputs(usage_status_list, stderr); return EXIT_USAGE;
        }
    }
    did_di_suite suite;
    if (ko.key_path == NULL || format == NULL || url == NULL)
        return usage_error(usage_status_list, "%s",
                           "status-list: --key, --format and --url are required");
    if (optind != argc)
        return usage_error(usage_status_list, "status-list: unexpected argument '%s'",
                           argv[optind]);
    if (vc_format(format, &suite) != 0)
        return usage_error(usage_status_list, "status-list: unknown --format '%s'", format);

    did_err err;
    did_err_clear(&err);
    ck_key *key = NULL;
    did_status_list *list = NULL;
    json_t *vc = NULL;
    did_buf did, kid, out;
    did_buf_init(&did);
    did_buf_init(&kid);
    did_buf_init(&out);
    int status = EXIT_FAIL;
    if (did_status_list_new((size_t)entries, 1, &list, &err) != DID_OK)
        goto out;
    for (size_t i = 0; i < n_set; i++)
        if (did_status_list_set(list, set[i], 1, &err) != DID_OK)
            goto out;
    if (load_key(&ko, &key, &err) != DID_OK || key_did(key, ko.method, &did, &err) != DID_OK ||
        key_kid(key, ko.method, &kid, &err) != DID_OK)
        goto out;
    if (did_status_list_credential(list, url, (const char *)did.data, purpose, did_time_now(), &vc,
                                   &err) != DID_OK ||
        secure_vc(key, suite, (const char *)kid.data, vc, &out, &err) != DID_OK)
        goto out;
    printf("%s\n", (const char *)out.data);
    status = EXIT_OK;
out:
    if (status != EXIT_OK)
        fail("status-list", &err);
    did_status_list_free(list);
    json_decref(vc);
    ck_key_free(key);
    did_buf_clear(&did);
    did_buf_clear(&kid);
    did_buf_clear(&out);
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
    /* Subcommands parse their own options: argv[1] becomes their argv[0]. */
    argc--;
    argv++;
    if (strcmp(cmd, "keygen") == 0)
        return cmd_keygen(argc, argv);
    if (strcmp(cmd, "did") == 0)
        return cmd_did(argc, argv);
    if (strcmp(cmd, "sign") == 0)
        return cmd_sign(argc, argv);
    if (strcmp(cmd, "issue") == 0)
        return cmd_issue(argc, argv);
    if (strcmp(cmd, "status-list") == 0)
        return cmd_status_list(argc, argv);
    if (strcmp(cmd, "serve") == 0)
        return issuer_cmd_serve(argc, argv);
    fprintf(stderr, PROG ": unknown command '%s'\n\n%s", cmd, usage_main);
    return EXIT_USAGE;
}
