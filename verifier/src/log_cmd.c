/*
 * civid-verifier log ...: the audit log from the command line (spec/cli.md, spec/auditlog.md).
 *
 * Offline verification of an entry's tlog-proof (`log verify`) and the operator commands on a
 * log store directory (init, append, show, checkpoint, proof, entry). Thin: argument parsing and
 * printing here; the tree, notes, proofs and the LMDB store are libdid (did/log.h,
 * did/log_store.h, did/log_entry.h).
 *
 * A log directory holds the LMDB environment of did_log_store and the checkpoint signing key,
 * sealed with the passphrase (ck_key_seal format, spec/keyfile.md) in LOG_KEY_FILE, mode 0600.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <did/io.h>
#include <did/json.h>
#include <did/log.h>
#include <did/log_entry.h>
#include <did/log_store.h>

#define PROG "civid-verifier"
#define LOG_KEY_FILE "checkpoint.key"
#define PASS_ENV "CIVID_PASSPHRASE"
#define VKEY_FILE_MAX 4096

/* civid-verifier log ...: argv[0] is "log". Returns the exit status. Called from main.c. */
int verifier_cmd_log(int argc, char **argv);

/* Exit codes: 0 success / verified, 1 not verified or failed, 2 unusable input or usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_log[] =
    "usage: " PROG " log <command> [options]\n"
    "\n"
    "Commands:\n"
    "  verify      verify an entry's inclusion offline (tlog-proof + the log's verifier key)\n"
    "  init        create a log and its checkpoint signing key; prints the verifier key\n"
    "  append      append one entry (binary log entry) and print its index and leaf hash\n"
    "  entry-issuance  write an issuance entry (to append) from its fields\n"
    "  show        print the log's size, root, origin, verifier key and latest checkpoint\n"
    "  checkpoint  print the latest signed checkpoint, signing one if the log has grown\n"
    "  proof       print the tlog-proof of an entry\n"
    "  entry       write the bytes of an entry\n"
    "\n"
    "Run '" PROG " log <command> --help' for a command's options.\n";

static const char usage_verify[] =
    "usage: " PROG " log verify (--key VKEY | --key-file FILE) --proof FILE --entry FILE\n"
    "                           [--checkpoint FILE] [--origin ORIGIN]\n"
    "\n"
    "Verifies offline that the entry (its exact bytes) is in the log: the proof is a\n"
    "c2sp.org/tlog-proof@v1 whose checkpoint must be signed by VKEY (the log's verifier key\n"
    "\"<name>+<key id>+<base64 key>\"), with origin ORIGIN (default: the key's name), and whose\n"
    "RFC 9162 inclusion proof must lead from the entry's leaf hash to the checkpoint's root.\n"
    "With --checkpoint, that signed checkpoint must verify too and be the one the proof carries,\n"
    "byte for byte. Prints {verified, index, size, root, leafHash, errors} as JSON.\n"
    "\n"
    "Exit status: 0 verified, 1 not verified, 2 unusable input (unreadable, malformed).\n";

static const char usage_init[] =
    "usage: " PROG " log init --data DIR --origin NAME [--passphrase-file FILE]\n"
    "                         [--kdf moderate|interactive|min]\n"
    "\n"
    "Creates a log in DIR (mode 0700) with origin NAME (a key name: no spaces, no '+') and a new\n"
    "Ed25519 checkpoint key, sealed with the passphrase in DIR/" LOG_KEY_FILE " (mode 0600),\n"
    "signs the checkpoint of the empty tree and prints the log's verifier key. The passphrase\n"
    "comes from --passphrase-file or " PASS_ENV ".\n";

static const char usage_append[] =
    "usage: " PROG " log append --data DIR --service ID --request ID FILE|-\n"
    "\n"
    "Appends the entry in FILE (a binary log entry, spec/auditlog.md; its service and request id\n"
    "fields must be ID and ID) durably and prints {index, leafHash, duplicate, size}. The same\n"
    "(service, request) pair appended again returns the earlier index (duplicate: true).\n"
    "Exit 2 for an entry that does not decode.\n";

static const char usage_entry_issuance[] =
    "usage: " PROG " log entry-issuance --service ID --request ID --credential-id ID\n"
    "                                   --credential-type TYPE --issuer-key-thumbprint B64URL\n"
    "                                   [--status-list URL --status-index N] --out FILE|-\n"
    "\n"
    "Writes an issuance entry (type 7): a new UUIDv7 entry id, the current time, SHA-256 of the\n"
    "credential id, the credential type, the issuer key's RFC 7638 thumbprint (base64url) and\n"
    "optionally the status list entry.\n";

static const char usage_show[] =
    "usage: " PROG " log show --data DIR\n"
    "\n"
    "Prints {origin, size, root, verifierKey, checkpoint: {size, note}} as JSON.\n";

static const char usage_checkpoint[] =
    "usage: " PROG " log checkpoint --data DIR [--passphrase-file FILE]\n"
    "\n"
    "Prints the latest signed checkpoint (a C2SP signed note). If the log has grown since, signs\n"
    "a new one first, with the key in DIR/" LOG_KEY_FILE
    " (passphrase from --passphrase-file or\n" PASS_ENV ").\n";

static const char usage_proof[] =
    "usage: " PROG " log proof --data DIR INDEX\n"
    "\n"
    "Prints the c2sp.org/tlog-proof@v1 of entry INDEX against the latest checkpoint (run\n"
    "'log checkpoint' first if no checkpoint covers it yet: DID_ERR_LOG_SIZE).\n";

static const char usage_entry[] =
    "usage: " PROG " log entry --data DIR --out FILE|- INDEX\n"
    "\n"
    "Writes the exact bytes of entry INDEX to FILE (or standard output).\n";

/* ---------------------------------------------------------------------------------------------
 * Helpers.
 */
static void report(const char *cmd, const did_err *err)
{
    fprintf(stderr, PROG ": log %s: %s (%s)\n", cmd, err->msg, did_err_name(err->code));
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

static int write_out(const uint8_t *p, size_t n)
{
    if (fwrite(p, 1, n, stdout) != n || fflush(stdout) != 0) {
        fprintf(stderr, PROG ": cannot write standard output\n");
        return -1;
    }
    return 0;
}

/* Strict decimal: no sign, no leading zeros, fits uint64. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Standard base64 of a hash into out (NUL-terminated). */
static int b64_hash(const uint8_t h[DID_LOG_HASH_LEN], char out[48], did_err *err)
{
    ck_err ce;
    size_t n;
    if (ck_b64std_encode(h, DID_LOG_HASH_LEN, out, 48, &n, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return DID_OK;
}

static int key_path(const char *dir, did_buf *path, did_err *err)
{
    if (did_buf_printf(path, "%s/%s", dir, LOG_KEY_FILE) != DID_OK)
        return did_err_set(err, DID_ERR_NOMEM, "out of memory");
    return DID_OK;
}

/* Loads the sealed checkpoint key of the log in dir. The passphrase lives in guarded memory and
 * is wiped before returning. */
static int load_key(const char *dir, const char *pass_path, ck_key **key, did_err *err)
{
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    did_buf path;
    did_buf_init(&path);
    int rc = key_path(dir, &path, err);
    if (rc == DID_OK)
        rc = did_secret_load(pass_path, PASS_ENV, &pass, &pass_len, err);
    if (rc == DID_OK)
        rc = did_key_load_sealed((const char *)path.data, pass, pass_len, key, err);
    ck_secret_free(pass);
    did_buf_clear(&path);
    return rc;
}

static int open_store(const char *dir, int create, const char *origin, did_log_store **s,
                      did_err *err)
{
    did_log_store_opts o;
    did_log_store_opts_init(&o);
    o.create = create;
    if (origin != NULL) {
        o.origin = origin;
        o.origin_len = strlen(origin);
    }
    return did_log_store_open(dir, &o, s, err);
}

/* Closes the store; a failure to close is reported unless an earlier error is in err. */
static int close_store(did_log_store *s, int rc, did_err *err)
{
    did_err ce;
    did_err_clear(&ce);
    int crc = did_log_store_close(s, &ce);
    if (rc == DID_OK && crc != DID_OK) {
        *err = ce;
        return crc;
    }
    return rc;
}

/* Common option parsing for the store commands: --data DIR plus up to one positional. */
static const char *need_data(const char *cmd, const char *data, const char *usage)
{
    if (data == NULL)
        fprintf(stderr, PROG ": log %s: --data DIR is required\n\n%s", cmd, usage);
    return data;
}

/* ---------------------------------------------------------------------------------------------
 * log verify
 */
/* Input that could not be read or parsed at all is unusable (exit 2); everything else that
 * fails is "not verified" (exit 1). */
static int verify_unusable(int code)
{
    return code == DID_ERR_LOG_PROOF_FORMAT || code == DID_ERR_LOG_NOTE ||
           code == DID_ERR_LOG_CHECKPOINT || code == DID_ERR_LIMIT || code == DID_ERR_IO;
}

static int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"key-file", required_argument, NULL, 'K'},
                                         {"proof", required_argument, NULL, 'p'},
                                         {"entry", required_argument, NULL, 'e'},
                                         {"checkpoint", required_argument, NULL, 'c'},
                                         {"origin", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *key_file = NULL, *proof_path = NULL, *entry_path = NULL;
    const char *cp_path = NULL, *origin = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            key = optarg;
            break;
        case 'K':
            key_file = optarg;
            break;
        case 'p':
            proof_path = optarg;
            break;
        case 'e':
            entry_path = optarg;
            break;
        case 'c':
            cp_path = optarg;
            break;
        case 'o':
            origin = optarg;
            break;
        case 'h':
            fputs(usage_verify, stdout);
            return EXIT_OK;
        default:
            fputs(usage_verify, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc || (key == NULL) == (key_file == NULL) || proof_path == NULL ||
        entry_path == NULL) {
        fprintf(stderr,
                PROG ": log verify: one of --key/--key-file, --proof and --entry are "
                     "required\n\n%s",
                usage_verify);
        return EXIT_USAGE;
    }

    did_err err;
    did_err_clear(&err);
    did_buf kbuf, entry, proof, cp;
    did_buf_init(&kbuf);
    did_buf_init(&entry);
    did_buf_init(&proof);
    did_buf_init(&cp);
    did_log_vkey vkey;
    did_log_proof parsed;
    did_log_verified v;
    json_t *result = NULL;
    int status = EXIT_USAGE, rc;

    /* Reading the inputs and the key: failures here are unusable input, one line on stderr. */
    const char *kstr = key;
    size_t klen = key != NULL ? strlen(key) : 0;
    if (key_file != NULL) {
        if ((rc = did_file_read(key_file, VKEY_FILE_MAX, &kbuf, &err)) != DID_OK)
            goto fatal;
        klen = kbuf.len;
        while (klen > 0 && (kbuf.data[klen - 1] == '\n' || kbuf.data[klen - 1] == '\r'))
            klen--;
        kstr = (const char *)kbuf.data;
    }
    if ((rc = did_log_vkey_parse(kstr != NULL ? kstr : "", klen, &vkey, &err)) != DID_OK) {
        did_err_prefix(&err, "verifier key");
        goto fatal;
    }
    if ((rc = did_file_read(entry_path, DID_LOG_ENTRY_MAX_LEN, &entry, &err)) != DID_OK ||
        (rc = did_file_read(proof_path, DID_LOG_TLOG_PROOF_MAX_LEN, &proof, &err)) != DID_OK ||
        (cp_path != NULL &&
         (rc = did_file_read(cp_path, DID_LOG_NOTE_MAX_LEN, &cp, &err)) != DID_OK))
        goto fatal;

    /* From here on the outcome is a JSON result. */
    size_t origin_len = origin != NULL ? strlen(origin) : 0;
    int mismatch = 0;
    rc = DID_OK;
    if (cp_path != NULL) {
        did_log_checkpoint body;
        rc = did_log_checkpoint_open(cp.data, cp.len, &vkey, 1, origin, origin_len, NULL, &body,
                                     &err);
        if (rc != DID_OK)
            did_err_prefix(&err, "--checkpoint");
        if (rc == DID_OK)
            rc = did_log_proof_parse(proof.data, proof.len, &parsed, &err);
        if (rc == DID_OK &&
            (parsed.checkpoint_len != cp.len || memcmp(parsed.checkpoint, cp.data, cp.len) != 0)) {
            mismatch = 1;
            rc = did_err_set(&err, DID_ERR_LOG_CHECKPOINT,
                             "--checkpoint is not the checkpoint the proof carries (size %llu)",
                             (unsigned long long)parsed.body.size);
        }
    }
    if (rc == DID_OK)
        rc = did_log_proof_verify(entry.data, entry.len, proof.data, proof.len, &vkey, origin,
                                  origin_len, &v, &err);
    json_t *errors = json_array();
    if (rc == DID_OK) {
        char root[48], leaf[48];
        if ((rc = b64_hash(v.root, root, &err)) != DID_OK ||
            (rc = b64_hash(v.leaf_hash, leaf, &err)) != DID_OK) {
            json_decref(errors);
            goto fatal;
        }
        result =
            json_pack("{s:b, s:I, s:I, s:s, s:s, s:o}", "verified", 1, "index", (json_int_t)v.index,
                      "size", (json_int_t)v.size, "root", root, "leafHash", leaf, "errors", errors);
        status = EXIT_OK;
    } else {
        json_array_append_new(errors, json_pack("{s:i, s:s, s:s}", "code", err.code, "name",
                                                did_err_name(err.code), "message", err.msg));
        result = json_pack("{s:b, s:n, s:n, s:n, s:n, s:o}", "verified", 0, "index", "size", "root",
                           "leafHash", "errors", errors);
        status = (!mismatch && verify_unusable(rc)) ? EXIT_USAGE : EXIT_FAIL;
    }
    if (print_json(result) != 0)
        status = EXIT_FAIL;
    goto out;
fatal:
    report("verify", &err);
    status = (rc == DID_ERR_NOMEM || rc == DID_ERR_INTERNAL) ? EXIT_FAIL : EXIT_USAGE;
out:
    json_decref(result);
    did_buf_clear(&kbuf);
    did_buf_clear(&entry);
    did_buf_clear(&proof);
    did_buf_clear(&cp);
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * log init
 */
static int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"origin", required_argument, NULL, 'o'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"kdf", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *data = NULL, *origin = NULL, *pass_path = NULL;
    ck_kdf_params params = ck_kdf_params_moderate();
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'o':
            origin = optarg;
            break;
        case 'p':
            pass_path = optarg;
            break;
        case 'k':
            if (strcmp(optarg, "moderate") == 0)
                params = ck_kdf_params_moderate();
            else if (strcmp(optarg, "interactive") == 0)
                params = ck_kdf_params_interactive();
            else if (strcmp(optarg, "min") == 0)
                params = ck_kdf_params_min();
            else {
                fprintf(stderr, PROG ": log init: --kdf must be moderate, interactive or min\n");
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage_init, stdout);
            return EXIT_OK;
        default:
            fputs(usage_init, stderr);
            return EXIT_USAGE;
        }
    }
    if (need_data("init", data, usage_init) == NULL)
        return EXIT_USAGE;
    if (origin == NULL || optind != argc) {
        fprintf(stderr, PROG ": log init: --origin NAME is required\n\n%s", usage_init);
        return EXIT_USAGE;
    }

    did_err err;
    did_err_clear(&err);
    did_log_store *s = NULL;
    ck_key *key = NULL;
    uint8_t *pass = NULL;
    size_t pass_len = 0;
    did_buf path, note, vk;
    did_buf_init(&path);
    did_buf_init(&note);
    did_buf_init(&vk);
    did_log_vkey vkey;
    int has_vkey = 0, status = EXIT_FAIL;
    ck_err ce;

    /* The passphrase first: a missing one is a usage error and must not leave a half log. */
    int rc = did_secret_load(pass_path, PASS_ENV, &pass, &pass_len, &err);
    if (rc != DID_OK) {
        status = rc == DID_ERR_IO ? EXIT_FAIL : EXIT_USAGE;
        goto out;
    }
    if ((rc = open_store(data, 1, origin, &s, &err)) != DID_OK)
        goto out;
    if ((rc = did_log_store_vkey(s, &vkey, &has_vkey, &err)) != DID_OK)
        goto out;
    if (has_vkey) {
        rc = did_err_set(&err, DID_ERR_LOG_KEY, "%s already holds a log with a checkpoint key",
                         data);
        goto out;
    }
    if ((rc = key_path(data, &path, &err)) != DID_OK)
        goto out;
    if (ck_key_generate(CK_KEY_ED25519, &key, &ce) != CK_OK) {
        rc = did_err_from_ck(&err, &ce);
        goto out;
    }
    if ((rc = did_key_save_sealed((const char *)path.data, key, pass, pass_len, params, 0, &err)) !=
        DID_OK)
        goto out;
    /* Binds the key to the log (its verifier key is stored) and signs the empty tree. */
    if ((rc = did_log_store_checkpoint(s, key, &note, &err)) != DID_OK ||
        (rc = did_log_store_vkey(s, &vkey, &has_vkey, &err)) != DID_OK ||
        (rc = did_log_vkey_format(&vkey, &vk, &err)) != DID_OK)
        goto out;
    rc = close_store(s, rc, &err);
    s = NULL;
    if (rc != DID_OK)
        goto out;
    printf("%s\n", (const char *)vk.data);
    status = EXIT_OK;
out:
    if (s != NULL)
        rc = close_store(s, rc, &err);
    if (status != EXIT_OK)
        report("init", &err);
    ck_secret_free(pass);
    ck_key_free(key);
    did_buf_clear(&path);
    did_buf_clear(&note);
    did_buf_clear(&vk);
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * log append
 */
static int cmd_append(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"service", required_argument, NULL, 's'},
                                         {"request", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *data = NULL, *service = NULL, *request = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 's':
            service = optarg;
            break;
        case 'r':
            request = optarg;
            break;
        case 'h':
            fputs(usage_append, stdout);
            return EXIT_OK;
        default:
            fputs(usage_append, stderr);
            return EXIT_USAGE;
        }
    }
    if (need_data("append", data, usage_append) == NULL)
        return EXIT_USAGE;
    if (service == NULL || request == NULL || argc - optind != 1) {
        fprintf(stderr,
                PROG ": log append: --service, --request and one FILE (or -) are "
                     "required\n\n%s",
                usage_append);
        return EXIT_USAGE;
    }

    did_err err;
    did_err_clear(&err);
    did_buf in;
    did_buf_init(&in);
    did_log_store *s = NULL;
    did_log_append_result res;
    did_log_entry *e = malloc(sizeof *e);
    json_t *j = NULL;
    int status = EXIT_USAGE, rc;
    if (e == NULL) {
        rc = did_err_set(&err, DID_ERR_NOMEM, "out of memory");
        status = EXIT_FAIL;
        goto out;
    }
    /* Unusable input (exit 2): unreadable, too long, or not a log entry. */
    if ((rc = did_file_read(argv[optind], DID_LOG_ENTRY_MAX_LEN, &in, &err)) != DID_OK ||
        (rc = did_log_entry_decode(in.data, in.len, e, &err)) != DID_OK)
        goto out;
    status = EXIT_FAIL;
    if ((rc = open_store(data, 0, NULL, &s, &err)) != DID_OK)
        goto out;
    rc = did_log_append(s, (const uint8_t *)service, strlen(service), (const uint8_t *)request,
                        strlen(request), in.data, in.len, &res, &err);
    rc = close_store(s, rc, &err);
    s = NULL;
    if (rc != DID_OK) {
        if (rc == DID_ERR_LOG_ENTRY || rc == DID_ERR_ARG)
            status = EXIT_USAGE; /* the ids do not match the entry's */
        goto out;
    }
    char leaf[48];
    if ((rc = b64_hash(res.leaf_hash, leaf, &err)) != DID_OK)
        goto out;
    j = json_pack("{s:I, s:s, s:b, s:I}", "index", (json_int_t)res.index, "leafHash", leaf,
                  "duplicate", res.duplicate, "size", (json_int_t)res.size);
    if (print_json(j) == 0)
        status = EXIT_OK;
out:
    if (rc != DID_OK)
        report("append", &err);
    json_decref(j);
    free(e);
    did_buf_clear(&in);
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * log entry-issuance
 */
/* A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, variant 10, random bits. */
static void uuid7(uint64_t ms, uint8_t out[DID_LOG_ENTRY_ID_LEN])
{
    ck_random(out, DID_LOG_ENTRY_ID_LEN);
    for (int i = 0; i < 6; i++)
        out[i] = (uint8_t)(ms >> (8 * (5 - i)));
    out[6] = (uint8_t)(0x70 | (out[6] & 0x0F));
    out[8] = (uint8_t)(0x80 | (out[8] & 0x3F));
}

static int cmd_entry_issuance(int argc, char **argv)
{
    static const struct option opts[] = {{"service", required_argument, NULL, 's'},
                                         {"request", required_argument, NULL, 'r'},
                                         {"credential-id", required_argument, NULL, 'i'},
                                         {"credential-type", required_argument, NULL, 't'},
                                         {"issuer-key-thumbprint", required_argument, NULL, 'k'},
                                         {"status-list", required_argument, NULL, 'l'},
                                         {"status-index", required_argument, NULL, 'n'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *service = NULL, *request = NULL, *cred_id = NULL, *cred_type = NULL;
    const char *thumb = NULL, *list = NULL, *index = NULL, *out_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            service = optarg;
            break;
        case 'r':
            request = optarg;
            break;
        case 'i':
            cred_id = optarg;
            break;
        case 't':
            cred_type = optarg;
            break;
        case 'k':
            thumb = optarg;
            break;
        case 'l':
            list = optarg;
            break;
        case 'n':
            index = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'h':
            fputs(usage_entry_issuance, stdout);
            return EXIT_OK;
        default:
            fputs(usage_entry_issuance, stderr);
            return EXIT_USAGE;
        }
    }
    if (service == NULL || request == NULL || cred_id == NULL || cred_type == NULL ||
        thumb == NULL || out_path == NULL || optind != argc || (list == NULL) != (index == NULL)) {
        fprintf(stderr, PROG ": log entry-issuance: missing or extra arguments\n\n%s",
                usage_entry_issuance);
        return EXIT_USAGE;
    }

    did_err err;
    did_err_clear(&err);
    did_log_issuance iss;
    memset(&iss, 0, sizeof iss);
    did_buf out;
    did_buf_init(&out);
    ck_err ce;
    size_t n = 0;
    int status = EXIT_USAGE, rc;
    struct timespec ts;

    if (ck_b64url_decode(thumb, strlen(thumb), iss.issuer_key_thumbprint,
                         sizeof iss.issuer_key_thumbprint, &n, &ce) != CK_OK ||
        n != DID_LOG_DIGEST_LEN) {
        rc = did_err_set(&err, DID_ERR_ARG,
                         "--issuer-key-thumbprint must be 43 characters of base64url (32 bytes)");
        goto out;
    }
    if (list != NULL && parse_u64(index, &iss.status_index) != 0) {
        rc = did_err_set(&err, DID_ERR_ARG, "--status-index must be a decimal number");
        goto out;
    }
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) {
        rc = did_err_set(&err, DID_ERR_INTERNAL, "cannot read the clock");
        status = EXIT_FAIL;
        goto out;
    }
    iss.received_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    uuid7(iss.received_ms, iss.entry_id);
    iss.service_id = service;
    iss.service_id_len = strlen(service);
    iss.request_id = (const uint8_t *)request;
    iss.request_id_len = strlen(request);
    if (ck_sha256(cred_id, strlen(cred_id), iss.credential_id_digest) != CK_OK) {
        rc = did_err_set(&err, DID_ERR_INTERNAL, "SHA-256 failed");
        status = EXIT_FAIL;
        goto out;
    }
    iss.credential_type = cred_type;
    iss.credential_type_len = strlen(cred_type);
    if (list != NULL) {
        iss.status_list = list;
        iss.status_list_len = strlen(list);
    }
    if ((rc = did_log_issuance_encode(&iss, &out, &err)) != DID_OK)
        goto out;
    status = EXIT_FAIL;
    if (strcmp(out_path, "-") == 0)
        rc = write_out(out.data, out.len) == 0
                 ? DID_OK
                 : did_err_set(&err, DID_ERR_IO, "cannot write standard output");
    else
        rc = did_file_write(out_path, out.data, out.len, 0644, 0, &err);
    if (rc == DID_OK)
        status = EXIT_OK;
out:
    if (rc != DID_OK)
        report("entry-issuance", &err);
    did_buf_clear(&out);
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * log show
 */
static int cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *data = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'h':
            fputs(usage_show, stdout);
            return EXIT_OK;
        default:
            fputs(usage_show, stderr);
            return EXIT_USAGE;
        }
    }
    if (need_data("show", data, usage_show) == NULL)
        return EXIT_USAGE;
    if (optind != argc) {
        fprintf(stderr, PROG ": log show: no arguments expected\n\n%s", usage_show);
        return EXIT_USAGE;
    }
    did_err err;
    did_err_clear(&err);
    did_log_store *s = NULL;
    did_buf note, vk;
    did_buf_init(&note);
    did_buf_init(&vk);
    did_log_vkey vkey;
    uint64_t size = 0, cp_size = 0;
    uint8_t root[DID_LOG_HASH_LEN];
    char root64[48];
    int has_vkey = 0, has_cp = 1, status = EXIT_FAIL;
    json_t *j = NULL;

    int rc = open_store(data, 0, NULL, &s, &err);
    if (rc == DID_OK)
        rc = did_log_store_head(s, &size, root, &err);
    if (rc == DID_OK)
        rc = did_log_store_vkey(s, &vkey, &has_vkey, &err);
    if (rc == DID_OK && has_vkey)
        rc = did_log_vkey_format(&vkey, &vk, &err);
    if (rc == DID_OK) {
        rc = did_log_store_latest_checkpoint(s, &note, &cp_size, &err);
        if (rc == DID_ERR_LOG_SIZE) { /* none signed yet */
            has_cp = 0;
            rc = DID_OK;
        }
    }
    if (rc == DID_OK)
        rc = b64_hash(root, root64, &err);
    if (rc == DID_OK) {
        json_t *cp = has_cp ? json_pack("{s:I, s:s}", "size", (json_int_t)cp_size, "note",
                                        (const char *)note.data)
                            : json_null();
        j = json_pack("{s:s, s:I, s:s, s:s?, s:o}", "origin", did_log_store_origin(s), "size",
                      (json_int_t)size, "root", root64, "verifierKey",
                      has_vkey ? (const char *)vk.data : NULL, "checkpoint", cp);
    }
    if (s != NULL)
        rc = close_store(s, rc, &err);
    if (rc == DID_OK && print_json(j) == 0)
        status = EXIT_OK;
    else if (rc != DID_OK)
        report("show", &err);
    json_decref(j);
    did_buf_clear(&note);
    did_buf_clear(&vk);
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * log checkpoint
 */
static int cmd_checkpoint(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"passphrase-file", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *data = NULL, *pass_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'p':
            pass_path = optarg;
            break;
        case 'h':
            fputs(usage_checkpoint, stdout);
            return EXIT_OK;
        default:
            fputs(usage_checkpoint, stderr);
            return EXIT_USAGE;
        }
    }
    if (need_data("checkpoint", data, usage_checkpoint) == NULL)
        return EXIT_USAGE;
    if (optind != argc) {
        fprintf(stderr, PROG ": log checkpoint: no arguments expected\n\n%s", usage_checkpoint);
        return EXIT_USAGE;
    }
    did_err err;
    did_err_clear(&err);
    did_log_store *s = NULL;
    ck_key *key = NULL;
    did_buf note;
    did_buf_init(&note);
    uint64_t size = 0, cp_size = 0;
    int status = EXIT_FAIL;

    int rc = open_store(data, 0, NULL, &s, &err);
    if (rc == DID_OK)
        rc = did_log_store_head(s, &size, NULL, &err);
    if (rc == DID_OK) {
        rc = did_log_store_latest_checkpoint(s, &note, &cp_size, &err);
        if (rc == DID_ERR_LOG_SIZE)
            rc = DID_OK;
    }
    /* Sign only when the log has grown past its latest checkpoint: reading needs no key. */
    if (rc == DID_OK && (note.len == 0 || cp_size != size)) {
        did_buf_reset(&note);
        rc = load_key(data, pass_path, &key, &err);
        if (rc == DID_OK)
            rc = did_log_store_checkpoint(s, key, &note, &err);
    }
    if (s != NULL)
        rc = close_store(s, rc, &err);
    if (rc == DID_OK && write_out(note.data, note.len) == 0)
        status = EXIT_OK;
    else if (rc != DID_OK)
        report("checkpoint", &err);
    ck_key_free(key);
    did_buf_clear(&note);
    return status;
}

/* ---------------------------------------------------------------------------------------------
 * log proof, log entry
 */
static int cmd_read(const char *cmd, int want_entry, int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *usage = want_entry ? usage_entry : usage_proof;
    const char *data = NULL, *out_path = NULL;
    uint64_t index = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'o':
            if (!want_entry) {
                fputs(usage, stderr);
                return EXIT_USAGE;
            }
            out_path = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (need_data(cmd, data, usage) == NULL)
        return EXIT_USAGE;
    if (argc - optind != 1 || parse_u64(argv[optind], &index) != 0 ||
        (want_entry && out_path == NULL)) {
        fprintf(stderr, PROG ": log %s: one decimal INDEX%s expected\n\n%s", cmd,
                want_entry ? " and --out FILE" : "", usage);
        return EXIT_USAGE;
    }
    did_err err;
    did_err_clear(&err);
    did_log_store *s = NULL;
    did_buf out;
    did_buf_init(&out);
    int status = EXIT_FAIL;
    int rc = open_store(data, 0, NULL, &s, &err);
    if (rc == DID_OK)
        rc = want_entry ? did_log_store_entry(s, index, &out, &err)
                        : did_log_store_proof(s, index, &out, &err);
    if (s != NULL)
        rc = close_store(s, rc, &err);
    if (rc == DID_OK) {
        if (out_path == NULL || strcmp(out_path, "-") == 0)
            rc = write_out(out.data, out.len) == 0
                     ? DID_OK
                     : did_err_set(&err, DID_ERR_IO, "cannot write standard output");
        else
            rc = did_file_write(out_path, out.data, out.len, 0644, 0, &err);
    }
    if (rc == DID_OK)
        status = EXIT_OK;
    else
        report(cmd, &err);
    did_buf_clear(&out);
    return status;
}

static int cmd_proof(int argc, char **argv)
{
    return cmd_read("proof", 0, argc, argv);
}
static int cmd_entry(int argc, char **argv)
{
    return cmd_read("entry", 1, argc, argv);
}

/* ---------------------------------------------------------------------------------------------
 * Dispatch.
 */
int verifier_cmd_log(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {{"verify", cmd_verify}, {"init", cmd_init},
                {"append", cmd_append}, {"entry-issuance", cmd_entry_issuance},
                {"show", cmd_show},     {"checkpoint", cmd_checkpoint},
                {"proof", cmd_proof},   {"entry", cmd_entry}};
    if (argc < 2) {
        fputs(usage_log, stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage_log, stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(sub, cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, PROG ": log: unknown command '%s'\n\n%s", sub, usage_log);
    return EXIT_USAGE;
}
