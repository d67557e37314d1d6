/*
 * civid-wallet -- the citizen's side: an encrypted wallet of holder keys and credentials,
 * presentations with selective disclosure for a verifier's challenge and domain, a consent
 * log, and encrypted backups.
 *
 * Thin by design: argument parsing and printing here, everything else in the wallet library
 * (wallet/wallet.h).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/fetch.h>
#include <did/io.h>
#include <did/json.h>
#include <did/time.h>
#include <wallet/wallet.h>

#define PROG "civid-wallet"
#define PASS_ENV "CIVID_WALLET_PASSPHRASE"
#define NEW_PASS_ENV "CIVID_WALLET_NEW_PASSPHRASE"
#define BACKUP_PASS_ENV "CIVID_BACKUP_PASSPHRASE"
#define TOKEN_ENV "CIVID_ISSUER_TOKEN"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* clang-format off */
static const char usage_main[] =
    "usage: " PROG " <command> [options]\n"
    "\n"
    "Commands:\n"
    "  create         create a wallet (an encrypted LMDB store in a directory)\n"
    "  info           the wallet's Argon2id parameters and what it holds\n"
    "  passphrase     change the passphrase (and the Argon2id parameters)\n"
    "  keys new       create a holder key (did:key or did:jwk)\n"
    "  keys list      list the holder keys: ids, DIDs, labels (never secrets)\n"
    "  import         verify a credential and store it (refused if it does not verify)\n"
    "  receive        get a credential from civid-issuer over HTTP, verify it, store it\n"
    "  list           list the stored credentials\n"
    "  show           print one credential, its claims and disclosures\n"
    "  delete         delete a credential\n"
    "  present        build a presentation for a verifier's challenge and domain (and send\n"
    "                 it to civid-verifier with --to)\n"
    "  challenge      get a challenge from civid-verifier\n"
    "  history        print the consent log (what was disclosed to whom, when)\n"
    "  export         write an encrypted backup of the wallet\n"
    "  import-backup  restore a backup into an empty wallet\n"
    "\n"
    "Every command takes --wallet DIR (default: $CIVID_WALLET_DIR, else\n"
    "$XDG_DATA_HOME/civid/wallet, else ~/.local/share/civid/wallet) and reads the wallet's\n"
    "passphrase from --passphrase-file FILE (first line) or $" PASS_ENV ".\n"
    "Run '" PROG " <command> --help' for a command's options.\n";

#define COMMON_HELP                                                                              \
    "  --wallet DIR            the wallet directory\n"                                          \
    "  --passphrase-file FILE  the wallet's passphrase (first line); default: $" PASS_ENV "\n"

static const char usage_create[] =
    "usage: " PROG " create [--kdf LEVEL] [--wallet DIR] [--passphrase-file FILE]\n"
    "\n"
    "Creates a wallet in DIR (mode 0700): a random master key wrapped under a key derived from\n"
    "the passphrase with Argon2id. Every record is sealed with XChaCha20-Poly1305.\n"
    "\n"
    "  --kdf LEVEL             Argon2id cost: interactive (default: 64 MiB, 2 passes),\n"
    "                          moderate (256 MiB, 3 passes), or min (tests only: insecure)\n"
    COMMON_HELP;

static const char usage_info[] =
    "usage: " PROG " info [--wallet DIR] [--passphrase-file FILE]\n"
    "\n"
    "Prints the wallet directory, the Argon2id parameters its key is wrapped with, and the\n"
    "number of keys, credentials and consent log entries.\n"
    COMMON_HELP;

static const char usage_passphrase[] =
    "usage: " PROG " passphrase [--new-passphrase-file FILE] [--kdf LEVEL] [--wallet DIR]\n"
    "                         [--passphrase-file FILE]\n"
    "\n"
    "Re-wraps the master key under a new passphrase (from --new-passphrase-file, or\n"
    "$" NEW_PASS_ENV ") with a fresh salt and the given Argon2id cost (default\n"
    "interactive): this is also how the parameters are upgraded. No record is re-encrypted.\n"
    COMMON_HELP;

static const char usage_keys[] =
    "usage: " PROG " keys new --type TYPE [--label LABEL] [--method key|jwk]\n"
    "       " PROG " keys list [--json]\n"
    "\n"
    "keys new creates a holder key in the wallet and prints its id and DID (tab-separated).\n"
    "keys list prints, for each key: id, type, DID, label, and the verifier domain it was made\n"
    "for (present makes one key per relationship). Private keys never leave the wallet.\n"
    "\n"
    "  --type TYPE             ed25519 | p256 | p384 | secp256k1\n"
    "  --label LABEL           a name for the key\n"
    "  --method key|jwk        its DID: did:key (default) or did:jwk\n"
    "  --json                  keys list: print a JSON array\n"
    COMMON_HELP;

static const char usage_import[] =
    "usage: " PROG " import [--skew SECONDS] [--wallet DIR] [--passphrase-file FILE] FILE|-\n"
    "\n"
    "Verifies the credential in FILE (or standard input) and stores it, printing its id.\n"
    "Any format civid verifies: Data Integrity JSON, a vc+jwt, an SD-JWT VC (stored with all\n"
    "its disclosures), or an EnvelopedVerifiableCredential. A credential that does not verify\n"
    "is refused (WALLET_ERR_UNVERIFIED). An SD-JWT VC bound to a holder key (cnf) is stored only\n"
    "if the wallet holds that key.\n"
    "\n"
    "  --skew SECONDS          allowed clock skew (default 60)\n"
    COMMON_HELP;

#define STATUS_HELP                                                                              \
    "  --offline               do not fetch status lists (status \"not checked\")\n"           \
    "  --allow-http-loopback   allow plain http to 127.0.0.1 / localhost (tests only)\n"

static const char usage_list[] =
    "usage: " PROG " list [--json] [--offline] [--allow-http-loopback] [--wallet DIR]\n"
    "                   [--passphrase-file FILE]\n"
    "\n"
    "Lists the stored credentials: id, format, issuer, type, validFrom / validUntil, subject,\n"
    "the holder key it is bound to, and status: each credentialStatus entry is checked against\n"
    "its status list, fetched over https (bounded, cached per run): valid, revoked, suspended,\n"
    "none (no credentialStatus) or unknown (with the reason, e.g. the list could not be\n"
    "fetched).\n"
    "\n"
    "  --json                  print a JSON array\n"
    STATUS_HELP
    COMMON_HELP;

static const char usage_show[] =
    "usage: " PROG " show [--offline] [--allow-http-loopback] [--wallet DIR]\n"
    "                   [--passphrase-file FILE] ID\n"
    "\n"
    "Prints credential ID as JSON: its summary with its status (as in 'list'), the credential\n"
    "as stored, its claims (for an SD-JWT VC with every disclosure applied) and, for an SD-JWT\n"
    "VC, its disclosures.\n"
    STATUS_HELP
    COMMON_HELP;

static const char usage_delete[] =
    "usage: " PROG " delete [--wallet DIR] [--passphrase-file FILE] ID\n"
    "\n"
    "Deletes credential ID. Its consent log entries stay until 'history --clear'.\n"
    COMMON_HELP;

static const char usage_present[] =
    "usage: " PROG " present ID --challenge C --domain D [--disclose PATH]...\n"
    "                      [--format di|jose] [--key KEYID] --out FILE|-\n"
    "                      [--wallet DIR] [--passphrase-file FILE]\n"
    "       " PROG " present ID --to URL [--challenge C] [--domain D] [--out FILE|-] ...\n"
    "\n"
    "Builds a presentation of credential ID for the verifier at domain D with its challenge C,\n"
    "checks that it verifies, records it in the consent log, and writes it to FILE (- for\n"
    "standard output). With --to URL it is sent to civid-verifier (POST URL/presentations/verify)\n"
    "and the verifier's answer is printed; the exit status is 0 when it verified, 1 when not.\n"
    "Without --challenge, --to gets one from the verifier (POST URL/challenges); without\n"
    "--domain, the domain is URL.\n"
    "A credential whose status is revoked or suspended is not presented (DID_ERR_STATUS_REVOKED\n"
    "/ DID_ERR_STATUS_SUSPENDED) unless --force; an unknown status is a warning.\n"
    "  SD-JWT VC: only the disclosures --disclose asks for, and a key binding JWT (nonce C,\n"
    "             aud D) signed with the holder key the credential is bound to.\n"
    "  Data Integrity / vc+jwt: a VerifiablePresentation with the whole credential, holder the\n"
    "             key's DID, secured with a Data Integrity proof (authentication, challenge C,\n"
    "             domain D; the default for Data Integrity credentials) or as a vp+jwt (nonce C,\n"
    "             aud D; the default for vc+jwt credentials).\n"
    "\n"
    "  --challenge C           the verifier's challenge (required)\n"
    "  --domain D              the verifier's domain (required)\n"
    "  --disclose PATH         SD-JWT VC: disclose the claim at this JSON Pointer (repeatable;\n"
    "                          e.g. /given_name, /address/street_address)\n"
    "  --format di|jose        Data Integrity or vc+jwt credentials: how to secure the VP\n"
    "  --key KEYID             the holder key; default: the key the credential is bound to, else\n"
    "                          the key made for domain D, else a new Ed25519 key for it\n"
    "  --out FILE|-            where to write the presentation (required without --to)\n"
    "  --to URL                send it to the civid-verifier at URL\n"
    "  --force                 present it even if its status is revoked or suspended\n"
    STATUS_HELP
    COMMON_HELP;

static const char usage_challenge[] =
    "usage: " PROG " challenge --from URL [--allow-http-loopback]\n"
    "\n"
    "Gets a challenge from the civid-verifier at URL (POST URL/challenges) and prints it.\n"
    "\n"
    "  --from URL              the verifier's base URL (https)\n"
    "  --allow-http-loopback   allow plain http to 127.0.0.1 / localhost (tests only)\n";

static const char usage_receive[] =
    "usage: " PROG " receive --from URL --request FILE [--token FILE] [--key KEYID]\n"
    "                      [--skew SECONDS] [--allow-http-loopback] [--wallet DIR]\n"
    "                      [--passphrase-file FILE]\n"
    "\n"
    "Asks the civid-issuer at URL for a credential (POST URL/credentials/issue with its admin\n"
    "bearer token) and stores the answer once it verifies. FILE is the issuance request\n"
    "({\"credential\": template, \"options\": {...}}, spec/openapi-issuer.yaml); the holder DID\n"
    "of key KEYID (default: a new Ed25519 did:key for this issuer) is filled in as\n"
    "credentialSubject.id, or as options.holder for sd-jwt. Prints the new credential's id.\n"
    "This is a demo flow: real issuance to citizens goes through OpenID4VCI.\n"
    "\n"
    "  --from URL              the issuer's base URL (https)\n"
    "  --request FILE          the issuance request (JSON; - for standard input)\n"
    "  --token FILE            the bearer token (first line); default: $" TOKEN_ENV "\n"
    "  --key KEYID             the holder key\n"
    "  --skew SECONDS          allowed clock skew (default 60)\n"
    "  --allow-http-loopback   allow plain http to 127.0.0.1 / localhost (tests only)\n"
    COMMON_HELP;

static const char usage_history[] =
    "usage: " PROG " history [--clear] [--json] [--wallet DIR] [--passphrase-file FILE]\n"
    "\n"
    "Prints the consent log, oldest first: when, to which domain, for which challenge, which\n"
    "credential, what was disclosed (the chosen paths, or the whole credential) and the claims\n"
    "the verifier could read, and the holder DID. --clear deletes every entry.\n"
    "\n"
    "  --json                  print a JSON array\n"
    COMMON_HELP;

static const char usage_export[] =
    "usage: " PROG " export --out FILE [--kdf LEVEL] [--backup-passphrase-file FILE] [--force]\n"
    "                     [--wallet DIR] [--passphrase-file FILE]\n"
    "\n"
    "Writes an encrypted backup of every key, credential and consent log entry to FILE (mode\n"
    "0600): Argon2id with its own salt, XChaCha20-Poly1305 over the records (spec/wallet.md).\n"
    "\n"
    "  --out FILE              the backup file (never replaced without --force)\n"
    "  --backup-passphrase-file FILE  the backup's passphrase (first line); default:\n"
    "                          $" BACKUP_PASS_ENV ", else the wallet's passphrase\n"
    "  --kdf LEVEL             Argon2id cost: moderate (default), interactive, or min\n"
    "  --force                 replace FILE if it exists\n"
    COMMON_HELP;

static const char usage_import_backup[] =
    "usage: " PROG " import-backup [--backup-passphrase-file FILE] [--wallet DIR]\n"
    "                            [--passphrase-file FILE] FILE\n"
    "\n"
    "Restores the backup in FILE into the wallet, which must exist and be empty (create it\n"
    "first). The whole backup is decrypted and checked before anything is written: a truncated\n"
    "or tampered backup writes nothing.\n"
    "\n"
    "  --backup-passphrase-file FILE  the backup's passphrase (first line); default:\n"
    "                          $" BACKUP_PASS_ENV ", else the wallet's passphrase\n"
    COMMON_HELP;
/* clang-format on */

/* ---- options ------------------------------------------------------------------------------ */

enum {
    O_WALLET = 1u << 0,
    O_PASS = 1u << 1,
    O_KDF = 1u << 2,
    O_NEWPASS = 1u << 3,
    O_TYPE = 1u << 4,
    O_LABEL = 1u << 5,
    O_METHOD = 1u << 6,
    O_CHALLENGE = 1u << 7,
    O_DOMAIN = 1u << 8,
    O_DISCLOSE = 1u << 9,
    O_FORMAT = 1u << 10,
    O_KEY = 1u << 11,
    O_OUT = 1u << 12,
    O_CLEAR = 1u << 13,
    O_JSON = 1u << 14,
    O_FORCE = 1u << 15,
    O_BACKUP_PASS = 1u << 16,
    O_SKEW = 1u << 17,
    O_OFFLINE = 1u << 18,
    O_LOOPBACK = 1u << 19,
    O_TO = 1u << 20,
    O_FROM = 1u << 21,
    O_TOKEN = 1u << 22,
    O_REQUEST = 1u << 23,
};
#define O_COMMON (O_WALLET | O_PASS)

#define MAX_DISCLOSE WALLET_MAX_DISCLOSE

typedef struct opts {
    const char *wallet, *pass, *kdf, *new_pass, *type, *label, *method, *challenge, *domain,
        *format, *key, *out, *backup_pass, *skew, *to, *from, *token, *request;
    const char *disclose[MAX_DISCLOSE + 1];
    size_t n_disclose;
    int clear, json, force, offline, loopback;
} opts;

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

/* Parses the options of a command; those outside `allowed` are refused. Returns EXIT_OK,
 * EXIT_USAGE, or -1 after printing --help. */
static int parse(int argc, char **argv, unsigned allowed, const char *usage, opts *o)
{
    static const struct option table[] = {
        {"wallet", required_argument, NULL, 'W'},
        {"passphrase-file", required_argument, NULL, 'P'},
        {"kdf", required_argument, NULL, 'K'},
        {"new-passphrase-file", required_argument, NULL, 'N'},
        {"type", required_argument, NULL, 't'},
        {"label", required_argument, NULL, 'l'},
        {"method", required_argument, NULL, 'm'},
        {"challenge", required_argument, NULL, 'c'},
        {"domain", required_argument, NULL, 'd'},
        {"disclose", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"key", required_argument, NULL, 'k'},
        {"out", required_argument, NULL, 'o'},
        {"clear", no_argument, NULL, 'C'},
        {"json", no_argument, NULL, 'j'},
        {"force", no_argument, NULL, 'F'},
        {"backup-passphrase-file", required_argument, NULL, 'B'},
        {"skew", required_argument, NULL, 'S'},
        {"offline", no_argument, NULL, 'O'},
        {"allow-http-loopback", no_argument, NULL, 'L'},
        {"to", required_argument, NULL, 'T'},
        {"from", required_argument, NULL, 'R'},
        {"token", required_argument, NULL, 'A'},
        {"request", required_argument, NULL, 'Q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const struct {
        int c;
        unsigned bit;
    } bits[] = {{'W', O_WALLET},      {'P', O_PASS},     {'K', O_KDF},     {'N', O_NEWPASS},
                {'t', O_TYPE},        {'l', O_LABEL},    {'m', O_METHOD},  {'c', O_CHALLENGE},
                {'d', O_DOMAIN},      {'s', O_DISCLOSE}, {'f', O_FORMAT},  {'k', O_KEY},
                {'o', O_OUT},         {'C', O_CLEAR},    {'j', O_JSON},    {'F', O_FORCE},
                {'B', O_BACKUP_PASS}, {'S', O_SKEW},     {'O', O_OFFLINE}, {'L', O_LOOPBACK},
                {'T', O_TO},          {'R', O_FROM},     {'A', O_TOKEN},   {'Q', O_REQUEST}};
    int c, idx;
    memset(o, 0, sizeof *o);
    while ((c = getopt_long(argc, argv, "", table, &idx)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return -1;
        }
        if (c == '?') {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
            if (bits[i].c == c)
                bit = bits[i].bit;
        if ((allowed & bit) == 0)
            return usage_error(usage, "--%s is not an option of this command", table[idx].name);
        switch (c) {
        case 'W':
            o->wallet = optarg;
            break;
        case 'P':
            o->pass = optarg;
            break;
        case 'K':
            o->kdf = optarg;
            break;
        case 'N':
            o->new_pass = optarg;
            break;
        case 't':
            o->type = optarg;
            break;
        case 'l':
            o->label = optarg;
            break;
        case 'm':
            o->method = optarg;
            break;
        case 'c':
            o->challenge = optarg;
            break;
        case 'd':
            o->domain = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 'k':
            o->key = optarg;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'C':
            o->clear = 1;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'F':
            o->force = 1;
            break;
        case 'B':
            o->backup_pass = optarg;
            break;
        case 'S':
            o->skew = optarg;
            break;
        case 'O':
            o->offline = 1;
            break;
        case 'L':
            o->loopback = 1;
            break;
        case 'T':
            o->to = optarg;
            break;
        case 'R':
            o->from = optarg;
            break;
        case 'A':
            o->token = optarg;
            break;
        case 'Q':
            o->request = optarg;
            break;
        case 's':
            if (o->n_disclose == MAX_DISCLOSE)
                return usage_error(usage, "at most %d --disclose paths", MAX_DISCLOSE);
            o->disclose[o->n_disclose++] = optarg;
            break;
        }
    }
    o->disclose[o->n_disclose] = NULL;
    return EXIT_OK;
}

static int fail(const char *cmd, const did_err *err)
{
    fprintf(stderr, PROG ": %s: %s (%s)\n", cmd, err->msg, wallet_err_name(err->code));
    return EXIT_FAIL;
}

static int kdf_level(const char *name, const char *dflt, ck_kdf_params *p)
{
    if (name == NULL)
        name = dflt;
    if (strcmp(name, "interactive") == 0)
        *p = ck_kdf_params_interactive();
    else if (strcmp(name, "moderate") == 0)
        *p = ck_kdf_params_moderate();
    else if (strcmp(name, "min") == 0)
        *p = ck_kdf_params_min();
    else
        return -1;
    return 0;
}

/* The wallet directory: --wallet, else the default. */
static int wallet_dir(const opts *o, did_buf *dir, did_err *err)
{
    if (o->wallet != NULL)
        return did_buf_append_str(dir, o->wallet) == DID_OK
                   ? DID_OK
                   : did_err_set(err, DID_ERR_NOMEM, "out of memory");
    return wallet_default_dir(dir, err);
}

/* Opens (or, with create, creates) the wallet of o. */
static int open_wallet(const opts *o, int create, ck_kdf_params params, wallet **w, did_err *err)
{
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    did_buf dir;
    did_buf_init(&dir);
    int rc = wallet_dir(o, &dir, err);
    if (rc == DID_OK)
        rc = did_secret_load(o->pass, PASS_ENV, &pass, &pass_len, err);
    if (rc == DID_OK)
        rc = create ? wallet_create((const char *)dir.data, pass, pass_len, params, w, err)
                    : wallet_open((const char *)dir.data, pass, pass_len, w, err);
    ck_secret_free(pass);
    did_buf_clear(&dir);
    return rc;
}

/* The backup passphrase: its own file or variable, else the wallet's. */
static int backup_pass(const opts *o, uint8_t **pass, size_t *len, did_err *err)
{
    const char *env = getenv(BACKUP_PASS_ENV);
    if (o->backup_pass != NULL || (env != NULL && env[0] != '\0'))
        return did_secret_load(o->backup_pass, BACKUP_PASS_ENV, pass, len, err);
    return did_secret_load(o->pass, PASS_ENV, pass, len, err);
}

static void print_time(int64_t t, char out[DID_DATETIME_BUF])
{
    if (did_datetime_format(t, out, NULL) != DID_OK)
        snprintf(out, DID_DATETIME_BUF, "%lld", (long long)t);
}

static int print_json(json_t *j)
{
    char *text = j != NULL ? json_dumps(j, JSON_INDENT(2)) : NULL;
    json_decref(j);
    if (text == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return EXIT_FAIL;
    }
    printf("%s\n", text);
    free(text);
    return EXIT_OK;
}

static const char *dash(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "-";
}

/* ---- HTTP: the fetcher and status checks ---------------------------------------------------- */

typedef struct net {
    did_fetcher *fetcher;
    did_ctx *ctx;
    did_status_fetcher sf;
} net;

static int net_open(const opts *o, net *n, did_err *err)
{
    did_fetch_opts fo;
    memset(n, 0, sizeof *n);
    did_fetch_opts_init(&fo);
    fo.allow_http_loopback = o->loopback;
    fo.max_bytes = WALLET_HTTP_MAX;
    int rc = did_fetcher_new(&fo, &n->fetcher, err);
    if (rc == DID_OK)
        rc = did_ctx_new(&n->ctx, err);
    n->sf.fetcher = n->fetcher;
    n->sf.ctx = n->ctx;
    n->sf.skew = 60;
    return rc;
}

static void net_close(net *n)
{
    did_ctx_free(n->ctx);
    did_fetcher_free(n->fetcher);
    memset(n, 0, sizeof *n);
}

/* Checks credential id's status and sets "status" (and "statusReason") in j. */
static int status_into(wallet *w, net *n, const char *id, json_t *j, wallet_status *st,
                       did_err *err)
{
    wallet_status_opts so = {.fetch = did_fetch_status_list, .user = &n->sf, .skew = 60};
    int rc = wallet_cred_status(w, id, &so, st, err);
    if (rc != DID_OK)
        return rc;
    if (json_object_set_new(j, "status", json_string(st->name)) != 0 ||
        (st->reason[0] != '\0' &&
         json_object_set_new(j, "statusReason", json_string(st->reason)) != 0))
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    return DID_OK;
}

/* ---- commands ----------------------------------------------------------------------------- */

static int cmd_create(int argc, char **argv)
{
    opts o;
    ck_kdf_params params;
    int rc = parse(argc, argv, O_COMMON | O_KDF, usage_create, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_create, "create: unexpected argument '%s'", argv[optind]);
    if (kdf_level(o.kdf, "interactive", &params) != 0)
        return usage_error(usage_create, "create: unknown --kdf level '%s'", o.kdf);
    did_err err;
    wallet *w = NULL;
    did_err_clear(&err);
    if (open_wallet(&o, 1, params, &w, &err) != DID_OK)
        return fail("create", &err);
    wallet_close(w);
    did_buf dir;
    did_buf_init(&dir);
    if (wallet_dir(&o, &dir, &err) == DID_OK)
        printf("created a wallet in %s\n", (const char *)dir.data);
    did_buf_clear(&dir);
    return EXIT_OK;
}

static int cmd_info(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, O_COMMON, usage_info, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_info, "info: unexpected argument '%s'", argv[optind]);
    did_err err;
    wallet *w = NULL;
    wallet_info wi;
    did_buf dir;
    did_err_clear(&err);
    did_buf_init(&dir);
    int status = EXIT_FAIL;
    if (wallet_dir(&o, &dir, &err) == DID_OK &&
        open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) == DID_OK &&
        wallet_get_info(w, &wi, &err) == DID_OK) {
        printf("wallet:      %s\n"
               "argon2id:    opslimit %llu, memlimit %llu bytes\n"
               "keys:        %zu\n"
               "credentials: %zu\n"
               "history:     %zu\n",
               (const char *)dir.data, (unsigned long long)wi.kdf.opslimit,
               (unsigned long long)wi.kdf.memlimit, wi.keys, wi.credentials, wi.history);
        status = EXIT_OK;
    } else {
        fail("info", &err);
    }
    wallet_close(w);
    did_buf_clear(&dir);
    return status;
}

static int cmd_passphrase(int argc, char **argv)
{
    opts o;
    ck_kdf_params params;
    int rc = parse(argc, argv, O_COMMON | O_NEWPASS | O_KDF, usage_passphrase, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_passphrase, "passphrase: unexpected argument '%s'", argv[optind]);
    if (kdf_level(o.kdf, "interactive", &params) != 0)
        return usage_error(usage_passphrase, "passphrase: unknown --kdf level '%s'", o.kdf);
    did_err err;
    wallet *w = NULL;
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    did_err_clear(&err);
    int status = EXIT_FAIL;
    if (open_wallet(&o, 0, params, &w, &err) == DID_OK &&
        did_secret_load(o.new_pass, NEW_PASS_ENV, &pass, &pass_len, &err) == DID_OK &&
        wallet_change_passphrase(w, pass, pass_len, params, &err) == DID_OK) {
        printf("passphrase changed\n");
        status = EXIT_OK;
    } else {
        fail("passphrase", &err);
    }
    ck_secret_free(pass);
    wallet_close(w);
    return status;
}

static json_t *key_json(const wallet_key_info *k)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", k->id, "type",
                     ck_key_type_name(k->type), "did", k->did, "kid", k->kid, "label", k->label,
                     "relationship", k->relationship, "created", (json_int_t)k->created);
}

static int print_key(void *user, const wallet_key_info *k)
{
    json_t *arr = user;
    if (arr != NULL)
        return json_array_append_new(arr, key_json(k)) == 0 ? 0 : DID_ERR_NOMEM;
    printf("%s\t%s\t%s\t%s\t%s\n", k->id, ck_key_type_name(k->type), k->did, dash(k->label),
           k->relationship[0] != '\0' ? k->relationship : "-");
    return 0;
}

static int print_new_key(void *user, const wallet_key_info *k)
{
    (void)user;
    printf("%s\t%s\n", k->id, k->did);
    return 0;
}

static int cmd_keys(int argc, char **argv)
{
    opts o;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_keys, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1];
    int is_new = strcmp(sub, "new") == 0;
    if (!is_new && strcmp(sub, "list") != 0)
        return usage_error(usage_keys, "keys: unknown subcommand '%s'", sub);
    argc--;
    argv++;
    int rc = parse(argc, argv, O_COMMON | (is_new ? O_TYPE | O_LABEL | O_METHOD : O_JSON),
                   usage_keys, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_keys, "keys: unexpected argument '%s'", argv[optind]);
    ck_key_type kt = 0;
    wallet_did_method method = WALLET_DID_KEY;
    if (is_new) {
        if (o.type == NULL)
            return usage_error(usage_keys, "%s", "keys new: --type is required");
        if (ck_key_type_from_name(o.type, strlen(o.type), &kt, NULL) != CK_OK ||
            kt == CK_KEY_X25519)
            return usage_error(usage_keys, "keys new: unknown --type '%s'", o.type);
        if (o.method != NULL && strcmp(o.method, "jwk") == 0)
            method = WALLET_DID_JWK;
        else if (o.method != NULL && strcmp(o.method, "key") != 0)
            return usage_error(usage_keys, "--method must be key or jwk, not '%s'", o.method);
    }
    did_err err;
    wallet *w = NULL;
    char id[WALLET_ID_MAX];
    json_t *arr = NULL;
    did_err_clear(&err);
    int status = EXIT_FAIL;
    if (open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) != DID_OK)
        goto out;
    if (is_new) {
        if (wallet_key_new(w, kt, method, o.label, id, print_new_key, NULL, &err) != DID_OK)
            goto out;
        status = EXIT_OK;
    } else {
        if (o.json && (arr = json_array()) == NULL) {
            did_err_set(&err, DID_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (wallet_keys_list(w, print_key, arr, &err) != DID_OK)
            goto out;
        status = arr != NULL ? print_json(json_incref(arr)) : EXIT_OK;
    }
out:
    if (status != EXIT_OK && err.code != DID_OK)
        fail(is_new ? "keys new" : "keys list", &err);
    json_decref(arr);
    wallet_close(w);
    return status;
}

static int cmd_import(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, O_COMMON | O_SKEW, usage_import, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (argc - optind != 1)
        return usage_error(usage_import, "%s", "import: exactly one FILE (or -) expected");
    long skew = 60;
    if (o.skew != NULL) {
        char *end;
        skew = strtol(o.skew, &end, 10);
        if (*o.skew == '\0' || *end != '\0' || skew < 0 || skew > 86400)
            return usage_error(usage_import, "%s", "import: --skew must be 0..86400 seconds");
    }
    did_err err;
    wallet *w = NULL;
    did_buf in;
    char id[WALLET_ID_MAX];
    did_err_clear(&err);
    did_buf_init(&in);
    int status = EXIT_FAIL;
    wallet_import_opts io = {.skew = skew};
    if (did_file_read(argv[optind], WALLET_PAYLOAD_MAX + 4096, &in, &err) == DID_OK &&
        open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) == DID_OK &&
        wallet_cred_import(w, in.data, in.len, &io, id, NULL, &err) == DID_OK) {
        printf("%s\n", id);
        status = EXIT_OK;
    } else {
        fail("import", &err);
    }
    did_buf_clear(&in);
    wallet_close(w);
    return status;
}

static json_t *cred_json(const wallet_cred_info *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", c->id, "format",
                     c->format, "issuer", c->issuer, "types", c->types, "validFrom", c->valid_from,
                     "validUntil", c->valid_until, "subject", c->subject, "holderKey",
                     c->holder_key, "status", c->status, "imported", (json_int_t)c->imported);
}

static int collect_cred(void *user, const wallet_cred_info *c)
{
    json_t *arr = user;
    return json_array_append_new(arr, cred_json(c)) == 0 ? 0 : DID_ERR_NOMEM;
}

static const char *jstr(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s != NULL ? s : "";
}

static void print_cred(const json_t *c)
{
    const char *reason = jstr(c, "statusReason");
    printf("%s\n"
           "  format:     %s\n"
           "  issuer:     %s\n"
           "  type:       %s\n"
           "  validFrom:  %s\n"
           "  validUntil: %s\n"
           "  subject:    %s\n"
           "  holder key: %s\n"
           "  status:     %s%s%s%s\n",
           jstr(c, "id"), jstr(c, "format"), jstr(c, "issuer"), dash(jstr(c, "types")),
           dash(jstr(c, "validFrom")), dash(jstr(c, "validUntil")), dash(jstr(c, "subject")),
           dash(jstr(c, "holderKey")), jstr(c, "status"), reason[0] != '\0' ? " (" : "", reason,
           reason[0] != '\0' ? ")" : "");
}

static int cmd_list(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, O_COMMON | O_JSON | O_OFFLINE | O_LOOPBACK, usage_list, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_list, "list: unexpected argument '%s'", argv[optind]);
    did_err err;
    wallet *w = NULL;
    net n;
    json_t *arr = json_array();
    memset(&n, 0, sizeof n);
    did_err_clear(&err);
    int status = EXIT_FAIL;
    if (arr == NULL) {
        did_err_set(&err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Listing first, fetching after: no LMDB transaction stays open across the network. */
    if (open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) != DID_OK ||
        wallet_creds_list(w, collect_cred, arr, &err) != DID_OK)
        goto out;
    if (!o.offline) {
        if (net_open(&o, &n, &err) != DID_OK)
            goto out;
        for (size_t i = 0; i < json_array_size(arr); i++) {
            wallet_status st;
            json_t *c = json_array_get(arr, i);
            if (status_into(w, &n, jstr(c, "id"), c, &st, &err) != DID_OK)
                goto out;
        }
    }
    if (o.json) {
        status = print_json(json_incref(arr));
    } else {
        for (size_t i = 0; i < json_array_size(arr); i++)
            print_cred(json_array_get(arr, i));
        status = EXIT_OK;
    }
out:
    if (status != EXIT_OK && err.code != DID_OK)
        fail("list", &err);
    json_decref(arr);
    net_close(&n);
    wallet_close(w);
    return status;
}

/* show and delete: one credential id. */
static int cmd_one(int argc, char **argv, int show)
{
    const char *name = show ? "show" : "delete", *usage = show ? usage_show : usage_delete;
    opts o;
    int rc = parse(argc, argv, O_COMMON | (show ? O_OFFLINE | O_LOOPBACK : 0u), usage, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (argc - optind != 1)
        return usage_error(usage, "%s: exactly one credential id expected", name);
    net n;
    memset(&n, 0, sizeof n);
    const char *id = argv[optind];
    did_err err;
    wallet *w = NULL;
    json_t *j = NULL;
    did_err_clear(&err);
    int status = EXIT_FAIL;
    if (open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) == DID_OK) {
        if (show && wallet_cred_show(w, id, &j, &err) == DID_OK) {
            wallet_status st;
            if (o.offline || (net_open(&o, &n, &err) == DID_OK &&
                              status_into(w, &n, id, j, &st, &err) == DID_OK))
                status = print_json(json_incref(j));
            json_decref(j);
        } else if (!show && wallet_cred_delete(w, id, &err) == DID_OK) {
            printf("deleted %s\n", id);
            status = EXIT_OK;
        }
    }
    if (status != EXIT_OK && err.code != DID_OK)
        fail(name, &err);
    net_close(&n);
    wallet_close(w);
    return status;
}

/* Prints the verifier's answer: verified or not, and each error and warning. */
static void print_verify_result(const json_t *r)
{
    int ok = json_is_true(json_object_get(r, "verified"));
    printf("verified: %s\n", ok ? "true" : "false");
    static const char *const lists[] = {"errors", "warnings"};
    for (size_t l = 0; l < 2; l++) {
        const json_t *arr = json_object_get(r, lists[l]);
        for (size_t i = 0; i < json_array_size(arr) && i < 64; i++) {
            const json_t *e = json_array_get(arr, i);
            printf("  %s: %s - %s\n", l == 0 ? "error" : "warning", jstr(e, "name"),
                   jstr(e, "detail"));
        }
    }
}

static int cmd_present(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv,
                   O_COMMON | O_CHALLENGE | O_DOMAIN | O_DISCLOSE | O_FORMAT | O_KEY | O_OUT |
                       O_TO | O_FORCE | O_OFFLINE | O_LOOPBACK,
                   usage_present, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (argc - optind != 1)
        return usage_error(usage_present, "%s", "present: exactly one credential id expected");
    if (o.to == NULL && (o.challenge == NULL || o.domain == NULL || o.out == NULL))
        return usage_error(usage_present, "%s",
                           "present: --challenge, --domain and --out are required (or --to)");
    const char *id = argv[optind];
    char challenge[WALLET_TEXT_MAX];
    wallet_present_opts po = {.challenge = o.challenge,
                              .domain = o.domain != NULL ? o.domain : o.to,
                              .disclose = o.disclose,
                              .key_id = o.key};
    if (o.format != NULL && strcmp(o.format, "di") == 0)
        po.format = WALLET_VP_DI;
    else if (o.format != NULL && strcmp(o.format, "jose") == 0)
        po.format = WALLET_VP_JOSE;
    else if (o.format != NULL)
        return usage_error(usage_present, "present: --format must be di or jose, not '%s'",
                           o.format);
    did_err err;
    wallet *w = NULL;
    net n;
    json_t *result = NULL;
    did_buf out;
    memset(&n, 0, sizeof n);
    did_err_clear(&err);
    did_buf_init(&out);
    int status = EXIT_FAIL;
    if (open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) != DID_OK)
        goto out;
    if (!o.offline || o.to != NULL) {
        if (net_open(&o, &n, &err) != DID_OK)
            goto out;
    }
    if (!o.offline) {
        wallet_status st;
        wallet_status_opts so = {.fetch = did_fetch_status_list, .user = &n.sf, .skew = 60};
        if (wallet_cred_status(w, id, &so, &st, &err) != DID_OK)
            goto out;
        if ((st.state == WALLET_STATUS_REVOKED || st.state == WALLET_STATUS_SUSPENDED) &&
            !o.force) {
            did_err_set(&err, st.code,
                        "credential %.40s is %s (%.120s): not presented; --force "
                        "presents it anyway",
                        id, st.name, st.reason);
            goto out;
        }
        if (st.state != WALLET_STATUS_VALID && st.state != WALLET_STATUS_NONE)
            fprintf(stderr, PROG ": present: warning: status of %s is %s%s%s%s\n", id, st.name,
                    st.reason[0] != '\0' ? " (" : "", st.reason, st.reason[0] != '\0' ? ")" : "");
    }
    if (po.challenge == NULL) {
        if (wallet_http_challenge(n.fetcher, o.to, challenge, &err) != DID_OK)
            goto out;
        po.challenge = challenge;
    }
    if (wallet_present(w, id, &po, &out, &err) != DID_OK)
        goto out;
    if (o.out != NULL) {
        if (did_buf_putc(&out, '\n') != DID_OK) {
            did_err_set(&err, DID_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (strcmp(o.out, "-") == 0) {
            if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
                did_err_set(&err, DID_ERR_IO, "cannot write to standard output");
                goto out;
            }
        } else if (did_file_write(o.out, out.data, out.len, 0600, 0, &err) != DID_OK) {
            goto out;
        }
    }
    if (o.to != NULL) {
        if (wallet_http_verify(n.fetcher, o.to, out.data, out.len, po.challenge, po.domain, &result,
                               &err) != DID_OK)
            goto out;
        print_verify_result(result);
        status = json_is_true(json_object_get(result, "verified")) ? EXIT_OK : EXIT_FAIL;
        goto done;
    }
    status = EXIT_OK;
out:
    if (status != EXIT_OK)
        fail("present", &err);
done:
    json_decref(result);
    did_buf_clear(&out);
    net_close(&n);
    wallet_close(w);
    return status;
}

static int cmd_challenge(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, O_FROM | O_LOOPBACK, usage_challenge, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_challenge, "challenge: unexpected argument '%s'", argv[optind]);
    if (o.from == NULL)
        return usage_error(usage_challenge, "%s", "challenge: --from URL is required");
    did_err err;
    net n;
    char challenge[WALLET_TEXT_MAX];
    did_err_clear(&err);
    int status = EXIT_FAIL;
    if (net_open(&o, &n, &err) == DID_OK &&
        wallet_http_challenge(n.fetcher, o.from, challenge, &err) == DID_OK) {
        printf("%s\n", challenge);
        status = EXIT_OK;
    } else {
        fail("challenge", &err);
    }
    net_close(&n);
    return status;
}

static int cmd_receive(int argc, char **argv)
{
    opts o;
    int rc =
        parse(argc, argv, O_COMMON | O_FROM | O_TOKEN | O_REQUEST | O_KEY | O_SKEW | O_LOOPBACK,
              usage_receive, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_receive, "receive: unexpected argument '%s'", argv[optind]);
    if (o.from == NULL || o.request == NULL)
        return usage_error(usage_receive, "%s", "receive: --from and --request are required");
    long skew = 60;
    if (o.skew != NULL) {
        char *end;
        skew = strtol(o.skew, &end, 10);
        if (*o.skew == '\0' || *end != '\0' || skew < 0 || skew > 86400)
            return usage_error(usage_receive, "%s", "receive: --skew must be 0..86400 seconds");
    }
    did_err err;
    wallet *w = NULL;
    net n;
    did_buf in;
    json_t *req = NULL;
    uint8_t *tok = NULL;
    size_t tok_len = 0;
    char *token = NULL;
    char id[WALLET_ID_MAX];
    memset(&n, 0, sizeof n);
    did_err_clear(&err);
    did_buf_init(&in);
    int status = EXIT_FAIL;
    wallet_import_opts io = {.skew = skew};
    if (did_file_read(o.request, WALLET_HTTP_MAX, &in, &err) != DID_OK ||
        did_json_parse(in.data, in.len, NULL, &req, &err) != DID_OK)
        goto out;
    /* The token: guarded memory, NUL-terminated for the header, wiped on free. */
    if (did_secret_load(o.token, TOKEN_ENV, &tok, &tok_len, &err) != DID_OK)
        goto out;
    if ((token = ck_secret_alloc(tok_len + 1)) == NULL) {
        did_err_set(&err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(token, tok, tok_len);
    token[tok_len] = '\0';
    if (open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) != DID_OK ||
        net_open(&o, &n, &err) != DID_OK ||
        wallet_receive(w, n.fetcher, o.from, token, req, o.key, &io, id, &err) != DID_OK)
        goto out;
    printf("%s\n", id);
    status = EXIT_OK;
out:
    if (status != EXIT_OK)
        fail("receive", &err);
    ck_secret_free(token);
    ck_secret_free(tok);
    json_decref(req);
    did_buf_clear(&in);
    net_close(&n);
    wallet_close(w);
    return status;
}

static json_t *strs_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int print_history(void *user, const wallet_history_info *h)
{
    json_t *arr = user;
    char when[DID_DATETIME_BUF];
    print_time(h->time, when);
    if (arr != NULL) {
        json_t *e = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "id", h->id,
            "time", when, "credential", h->credential, "issuer", h->issuer, "types", h->types,
            "format", h->format, "domain", h->domain, "challenge", h->challenge, "holder",
            h->holder, "key", h->key_id, "whole", h->whole, "disclosed",
            strs_json(h->disclosed, h->n_disclosed), "claims", strs_json(h->claims, h->n_claims));
        return json_array_append_new(arr, e) == 0 ? 0 : DID_ERR_NOMEM;
    }
    printf("%s  %s\n"
           "  to:         %s\n"
           "  challenge:  %s\n"
           "  credential: %s (%s, issuer %s)\n"
           "  as:         %s, holder %s (%s)\n"
           "  disclosed:  ",
           h->id, when, h->domain, h->challenge, h->credential, dash(h->types), h->issuer,
           h->format, h->holder, h->key_id);
    if (h->whole)
        printf("whole credential");
    for (size_t i = 0; i < h->n_disclosed; i++)
        printf("%s%s", i > 0 ? ", " : "", h->disclosed[i]);
    if (!h->whole && h->n_disclosed == 0)
        printf("no selectively disclosable claim");
    printf("\n");
    if (!h->whole) {
        printf("  readable:   ");
        for (size_t i = 0; i < h->n_claims; i++)
            printf("%s%s", i > 0 ? ", " : "", h->claims[i]);
        printf("\n");
    }
    return 0;
}

static int cmd_history(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, O_COMMON | O_CLEAR | O_JSON, usage_history, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_history, "history: unexpected argument '%s'", argv[optind]);
    did_err err;
    wallet *w = NULL;
    json_t *arr = o.json && !o.clear ? json_array() : NULL;
    did_err_clear(&err);
    int status = EXIT_FAIL;
    if (open_wallet(&o, 0, ck_kdf_params_min(), &w, &err) != DID_OK)
        goto out;
    if (o.clear) {
        if (wallet_history_clear(w, &err) != DID_OK)
            goto out;
        printf("consent log cleared\n");
        status = EXIT_OK;
    } else if (o.json && arr == NULL) {
        did_err_set(&err, DID_ERR_NOMEM, "out of memory");
    } else if (wallet_history_list(w, print_history, arr, &err) == DID_OK) {
        status = arr != NULL ? print_json(json_incref(arr)) : EXIT_OK;
    }
out:
    if (status != EXIT_OK && err.code != DID_OK)
        fail("history", &err);
    json_decref(arr);
    wallet_close(w);
    return status;
}

static int cmd_export(int argc, char **argv)
{
    opts o;
    ck_kdf_params params;
    int rc =
        parse(argc, argv, O_COMMON | O_OUT | O_KDF | O_BACKUP_PASS | O_FORCE, usage_export, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (optind != argc)
        return usage_error(usage_export, "export: unexpected argument '%s'", argv[optind]);
    if (o.out == NULL)
        return usage_error(usage_export, "%s", "export: --out is required");
    if (kdf_level(o.kdf, "moderate", &params) != 0)
        return usage_error(usage_export, "export: unknown --kdf level '%s'", o.kdf);
    did_err err;
    wallet *w = NULL;
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    did_buf out;
    did_err_clear(&err);
    did_buf_init(&out);
    int status = EXIT_FAIL;
    if (open_wallet(&o, 0, params, &w, &err) == DID_OK &&
        backup_pass(&o, &pass, &pass_len, &err) == DID_OK &&
        wallet_export(w, pass, pass_len, params, &out, &err) == DID_OK &&
        did_file_write(o.out, out.data, out.len, 0600, !o.force, &err) == DID_OK) {
        printf("wrote an encrypted backup to %s\n", o.out);
        status = EXIT_OK;
    } else {
        fail("export", &err);
    }
    ck_secret_free(pass);
    did_buf_clear(&out);
    wallet_close(w);
    return status;
}

static int cmd_import_backup(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, O_COMMON | O_BACKUP_PASS, usage_import_backup, &o);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if (argc - optind != 1)
        return usage_error(usage_import_backup, "%s", "import-backup: exactly one FILE expected");
    did_err err;
    wallet *w = NULL;
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    did_buf in;
    wallet_info wi;
    did_err_clear(&err);
    did_buf_init(&in);
    int status = EXIT_FAIL;
    ck_kdf_params no_cap = {0, 0};
    if (did_file_read(argv[optind], WALLET_BACKUP_MAX, &in, &err) == DID_OK &&
        open_wallet(&o, 0, no_cap, &w, &err) == DID_OK &&
        backup_pass(&o, &pass, &pass_len, &err) == DID_OK &&
        wallet_import_backup(w, in.data, in.len, pass, pass_len, no_cap, &err) == DID_OK &&
        wallet_get_info(w, &wi, &err) == DID_OK) {
        printf("restored %zu keys, %zu credentials, %zu consent log entries\n", wi.keys,
               wi.credentials, wi.history);
        status = EXIT_OK;
    } else {
        fail("import-backup", &err);
    }
    ck_secret_free(pass);
    did_buf_clear(&in);
    wallet_close(w);
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
    if (strcmp(cmd, "create") == 0)
        return cmd_create(argc, argv);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argc, argv);
    if (strcmp(cmd, "passphrase") == 0)
        return cmd_passphrase(argc, argv);
    if (strcmp(cmd, "keys") == 0)
        return cmd_keys(argc, argv);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc, argv);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc, argv);
    if (strcmp(cmd, "show") == 0)
        return cmd_one(argc, argv, 1);
    if (strcmp(cmd, "delete") == 0)
        return cmd_one(argc, argv, 0);
    if (strcmp(cmd, "present") == 0)
        return cmd_present(argc, argv);
    if (strcmp(cmd, "challenge") == 0)
        return cmd_challenge(argc, argv);
    if (strcmp(cmd, "receive") == 0)
        return cmd_receive(argc, argv);
    if (strcmp(cmd, "history") == 0)
        return cmd_history(argc, argv);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argc, argv);
    if (strcmp(cmd, "import-backup") == 0)
        return cmd_import_backup(argc, argv);
    fprintf(stderr, PROG ": unknown command '%s'\n\n%s", cmd, usage_main);
    return EXIT_USAGE;
}
