/*
 * bench_http.c -- the verify endpoint over HTTP keep-alive, against the raw crypto in one run:
 *
 *   (a) libsodium crypto_sign_verify_detached over the hashData and signature of an
 *       eddsa-jcs-2022 credential, one thread (the reference);
 *   (b) POST /credentials/verify of that credential to a real `civid-verifier serve` started
 *       as a child process on 127.0.0.1 (port 0, a temporary data directory, --threads equal to
 *       the server cores, access log off), driven by a libcurl multi load generator with N
 *       concurrent keep-alive connections for a fixed time; every response must be 200 with
 *       "verified": true, anything else fails the run;
 *   (c) requests/s, requests/s per server core and its ratio to (a) against the target
 *       (docs DESIGN.md section 8: >= 40% of raw verify per server core), latency p50/p99, and
 *       the daemon's VmRSS/VmHWM (/proc/PID/status) sampled before the load and at each tenth
 *       of it, so a growing footprint shows;
 *   (d) SIGTERM to the daemon, which must exit 0.
 *
 * Usage: bench_http [--seconds S] [--connections N] [--threads N] [--verifier PATH]
 *   --seconds S       load duration (default 10; the RSS report wants 60), (0, 600]
 *   --connections N   concurrent keep-alive connections (default 16, 1..32: the verifier's
 *                     default per-client connection limit is 32)
 *   --threads N       the daemon's worker threads = the server cores counted (default 2)
 *   --verifier PATH   the civid-verifier program (else CIVID_VERIFIER, else
 *                     ../verifier/civid-verifier next to this program's directory)
 *
 * The load generator and the daemon run on the same machine: the client's CPU time competes
 * with the server's, which the output says, with both processes' CPU use. Loopback only;
 * bounded in time (the load stops by itself, each request has a timeout) and in count
 * (BENCH_HTTP_MAX_REQUESTS). The target is informative: the exit status is 0 whether it is
 * met or not, and 1 when anything fails (a request, the daemon, its shutdown).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include <ck/ck.h>
#include <did/codec.h>
#include <did/di.h>
#include <did/did.h>
#include <did/json.h>

#define BENCH_PROG "bench_http"
#define BENCH_NAME_WIDTH 40
#include "bench.h"

#define TARGET_PERCENT 40.0 /* per server core, of raw verify on one core */
#define RAW_SECONDS 2.0     /* the raw-verify measurement (after a warm-up of a fifth) */
#define DEFAULT_SECONDS 10.0
#define DEFAULT_CONNECTIONS 16
#define MAX_CONNECTIONS 32
#define DEFAULT_THREADS 2
#define MAX_THREADS 64
#define WARMUP_SECONDS 1.0                  /* of load, before counting */
#define REQUEST_TIMEOUT_MS 10000L           /* one request */
#define STARTUP_TIMEOUT_MS 10000            /* the daemon's first line */
#define SHUTDOWN_TIMEOUT_S 15.0             /* SIGTERM to exit */
#define RESPONSE_MAX 65536                  /* bytes of one response body */
#define BENCH_HTTP_MAX_REQUESTS 20000000ULL /* counted requests, whatever the time */
#define RSS_SAMPLES 10                      /* one per tenth of the load */
#define RSS_FLAT_KIB 4096                   /* growth from first to last sample called flat */

/* A VC 2.0 credential (bench_di's, without credentialStatus: the verifier would fetch it). */
static const char CREDENTIAL[] =
    "{\n"
    "  \"@context\": [\n"
    "    \"https://www.w3.org/ns/credentials/v2\",\n"
    "    \"https://www.w3.org/ns/credentials/examples/v2\"\n"
    "  ],\n"
    "  \"id\": \"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33\",\n"
    "  \"type\": [\"VerifiableCredential\", \"UniversityDegreeCredential\"],\n"
    "  \"name\": \"Master of Science in Applied Cryptography\",\n"
    "  \"issuer\": {\n"
    "    \"id\": \"ISSUER\",\n"
    "    \"name\": \"Universit\\u00e9 de Gen\\u00e8ve\"\n"
    "  },\n"
    "  \"validFrom\": \"2024-09-01T00:00:00Z\",\n"
    "  \"validUntil\": \"2034-08-31T23:59:59Z\",\n"
    "  \"credentialSubject\": {\n"
    "    \"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\",\n"
    "    \"name\": \"Zo\\u00eb \\u0141ukasiewicz-\\u00d1\\u00fa\\u00f1ez\",\n"
    "    \"degree\": {\n"
    "      \"type\": \"MasterDegree\",\n"
    "      \"name\": \"MSc Applied Cryptography\",\n"
    "      \"ects\": 120,\n"
    "      \"gpa\": 5.75,\n"
    "      \"scale\": {\"min\": 1, \"max\": 6, \"pass\": 4},\n"
    "      \"honours\": true,\n"
    "      \"thesis\": {\n"
    "        \"title\": \"Zero-knowledge proofs for selective disclosure \\u2013 a survey\",\n"
    "        \"grade\": 6,\n"
    "        \"supervisor\": \"Prof. Dr. J\\u00fcrg M\\u00fcller\"\n"
    "      }\n"
    "    },\n"
    "    \"courses\": [\n"
    "      {\"code\": \"CRY-501\", \"title\": \"Elliptic curves\", \"ects\": 6, \"grade\": 5.5},\n"
    "      {\"code\": \"CRY-502\", \"title\": \"Lattices\", \"ects\": 6, \"grade\": 6},\n"
    "      {\"code\": \"CRY-510\", \"title\": \"Protocols\", \"ects\": 4.5, \"grade\": 5.25}\n"
    "    ],\n"
    "    \"address\": {\n"
    "      \"streetAddress\": \"Rue du G\\u00e9n\\u00e9ral-Dufour 24\",\n"
    "      \"postalCode\": \"1204\",\n"
    "      \"addressLocality\": \"Gen\\u00e8ve\",\n"
    "      \"addressCountry\": \"CH\"\n"
    "    },\n"
    "    \"languages\": [\"fr\", \"de\", \"en\"],\n"
    "    \"alumni\": false,\n"
    "    \"rank\": 3,\n"
    "    \"cohortSize\": 41,\n"
    "    \"percentile\": 0.0731707317073\n"
    "  }\n"
    "}\n";

/* ---- the reference: raw Ed25519 verify ------------------------------------------------- */

typedef struct raw_ref {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t hash[DID_DI_HASH_DATA_MAX];
    size_t hash_len;
    uint8_t sig[crypto_sign_BYTES];
} raw_ref;

static int op_raw(void *p, did_err *err)
{
    raw_ref *r = p;
    if (crypto_sign_verify_detached(r->sig, r->hash, r->hash_len, r->pk) != 0)
        return did_err_set(err, DID_ERR_DI_SIGNATURE, "crypto_sign_verify_detached failed");
    return DID_OK;
}

/* Signs CREDENTIAL with a new Ed25519 key (did:key verification method), returns the verify
 * request body (malloc'd text) and fills *ref with the same hashData and signature. */
static char *make_request(raw_ref *ref, size_t *body_len, size_t *cred_len)
{
    did_buf vm, mk, pc, doc, dec;
    did_err err;
    ck_err ce;
    ck_key *key = NULL;
    json_t *unsecured = NULL, *secured = NULL, *req = NULL;
    size_t pk_len = 0;
    char *body, *cred;
    const char *pv;
    did_di_sign_opts sign;

    did_buf_init(&vm);
    did_buf_init(&mk);
    did_buf_init(&pc);
    did_buf_init(&doc);
    did_buf_init(&dec);
    memset(&sign, 0, sizeof sign);
    if (ck_key_generate(CK_KEY_ED25519, &key, &ce) != CK_OK ||
        ck_key_export_public(key, 1, ref->pk, sizeof ref->pk, &pk_len, &ce) != CK_OK)
        bench_die_ck("key", &ce);
    if (pk_len != sizeof ref->pk)
        bench_die_msg("public key of unexpected length");
    if (did_key_from_key(key, &vm, &err) != DID_OK)
        bench_die("did:key", &err);
    if (did_json_parse(CREDENTIAL, sizeof CREDENTIAL - 1, NULL, &unsecured, &err) != DID_OK)
        bench_die("credential", &err);
    if (json_object_set_new(json_object_get(unsecured, "issuer"), "id",
                            json_string((const char *)vm.data)) != 0)
        bench_die_msg("out of memory");
    if (did_multikey_encode(key, &mk, &err) != DID_OK ||
        did_buf_printf(&vm, "#%s", (const char *)mk.data) != DID_OK)
        bench_die("verification method", &err);
    sign.suite = DID_DI_EDDSA_JCS_2022;
    sign.verification_method = (const char *)vm.data;
    sign.created = (int64_t)time(NULL) - 3600;
    if (did_di_sign(key, unsecured, &sign, &secured, &err) != DID_OK)
        bench_die("sign", &err);
    pv = json_string_value(json_object_get(json_object_get(secured, "proof"), "proofValue"));
    if (pv == NULL)
        bench_die_msg("signed credential without proofValue");
    if (did_di_canonicalize(secured, 0, &pc, &doc, &err) != DID_OK ||
        did_di_hash_data(CK_SHA256, pc.data, pc.len, doc.data, doc.len, ref->hash, &ref->hash_len,
                         &err) != DID_OK ||
        did_multibase_decode(pv, strlen(pv), &dec, NULL, &err) != DID_OK)
        bench_die("hash data", &err);
    if (dec.len != sizeof ref->sig)
        bench_die_msg("signature of unexpected length");
    memcpy(ref->sig, dec.data, sizeof ref->sig);
    req = json_pack("{s:O}", "verifiableCredential", secured);
    body = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
    cred = json_dumps(secured, JSON_COMPACT);
    if (body == NULL || cred == NULL)
        bench_die_msg("out of memory");
    *body_len = strlen(body);
    *cred_len = strlen(cred);
    free(cred);
    json_decref(req);
    json_decref(secured);
    json_decref(unsecured);
    ck_key_free(key);
    did_buf_clear(&vm);
    did_buf_clear(&mk);
    did_buf_clear(&pc);
    did_buf_clear(&doc);
    did_buf_clear(&dec);
    return body;
}

/* ---- the daemon ---------------------------------------------------------------------- */

typedef struct daemon_proc {
    pid_t pid;
    int out; /* read end of its standard output */
    char addr[128];
    char data_dir[64];
} daemon_proc;

/* Removes dir and everything under it (the daemon's LMDB files). Best effort. */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PATH_MAX];
    struct stat st;

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
                continue;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(path);
            else
                (void)unlink(path);
        }
        closedir(d);
    }
    (void)rmdir(dir);
}

static void daemon_start(daemon_proc *dp, const char *prog, unsigned threads)
{
    int fds[2];
    char threads_s[16];
    size_t n = 0;
    double deadline;

    snprintf(dp->data_dir, sizeof dp->data_dir, "/tmp/bench_http.XXXXXX");
    if (mkdtemp(dp->data_dir) == NULL) {
        perror(BENCH_PROG ": mkdtemp");
        exit(1);
    }
    snprintf(threads_s, sizeof threads_s, "%u", threads);
    if (pipe(fds) != 0) {
        perror(BENCH_PROG ": pipe");
        exit(1);
    }
    fflush(NULL);
    dp->pid = fork();
    if (dp->pid < 0) {
        perror(BENCH_PROG ": fork");
        exit(1);
    }
    if (dp->pid == 0) {
        /* The daemon must not outlive the bench, whatever happens to the bench. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() == 1)
            _exit(127);
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        close(fds[0]);
        close(fds[1]);
        execl(prog, prog, "serve", "--listen", "127.0.0.1:0", "--data", dp->data_dir, "--threads",
              threads_s, "--access-log", "off", (char *)NULL);
        fprintf(stderr, BENCH_PROG ": exec %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    dp->out = fds[0];

    /* Its first line of output is the address it listens on. */
    deadline = bench_now() + STARTUP_TIMEOUT_MS / 1000.0;
    for (;;) {
        struct pollfd pfd = {.fd = dp->out, .events = POLLIN, .revents = 0};
        ssize_t r;
        char c;
        int left = (int)((deadline - bench_now()) * 1000);
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            bench_die_msg("the verifier printed no address in time");
        r = read(dp->out, &c, 1);
        if (r <= 0)
            bench_die_msg("the verifier exited before printing its address");
        if (c == '\n')
            break;
        if (n + 1 >= sizeof dp->addr || !(isalnum((unsigned char)c) || strchr(".:[]", c)))
            bench_die_msg("the verifier's first line is not an address");
        dp->addr[n++] = c;
    }
    dp->addr[n] = '\0';
    if (strncmp(dp->addr, "127.0.0.1:", 10) != 0)
        bench_die_msg("the verifier is not listening on 127.0.0.1");
}

/* VmRSS and VmHWM of pid in KiB; exits 1 when they cannot be read (the daemon is gone). */
static void daemon_rss(pid_t pid, long *rss, long *hwm)
{
    char path[64], line[256];
    FILE *f;

    *rss = *hwm = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    f = fopen(path, "r");
    if (f == NULL)
        bench_die_msg("cannot read the verifier's /proc status (has it exited?)");
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            *rss = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *hwm = strtol(line + 6, NULL, 10);
    }
    fclose(f);
    if (*rss < 0 || *hwm < 0)
        bench_die_msg("no VmRSS/VmHWM in the verifier's /proc status");
}

/* User + system CPU seconds pid has used (/proc/PID/stat fields 14 and 15). */
static double proc_cpu(pid_t pid)
{
    char path[64], buf[1024];
    FILE *f;
    size_t n;
    char *p;
    unsigned long long ut = 0, st = 0;
    long hz = sysconf(_SC_CLK_TCK);

    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (p == NULL || hz <= 0 ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)hz;
}

/* Busy CPU seconds of the whole machine (/proc/stat "cpu" line: all but idle and iowait). */
static double machine_cpu(void)
{
    unsigned long long v[8] = {0};
    long hz = sysconf(_SC_CLK_TCK);
    FILE *f = fopen("/proc/stat", "r");
    int n;

    if (f == NULL)
        return -1;
    n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &v[6], &v[7]);
    fclose(f);
    if (n != 8 || hz <= 0)
        return -1;
    return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)hz;
}

static void print_loadavg(const char *when)
{
    char buf[128] = "";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fgets(buf, sizeof buf, f) == NULL)
            buf[0] = '\0';
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = '\0';
    printf("bench_http: load average %s: %s\n", when, buf);
}

/* Per-thread CPU of pid (/proc/PID/task/TID/stat): name and user+system seconds, at most max
 * threads. Returns the number filled in. */
typedef struct thread_cpu {
    long tid;
    char name[32];
    double cpu;
} thread_cpu;

static int proc_threads(pid_t pid, thread_cpu *out, int max)
{
    char path[96], buf[1024];
    DIR *d;
    struct dirent *e;
    int n = 0;
    long hz = sysconf(_SC_CLK_TCK);

    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    d = opendir(path);
    if (d == NULL || hz <= 0) {
        if (d != NULL)
            closedir(d);
        return 0;
    }
    while (n < max && (e = readdir(d)) != NULL) {
        FILE *f;
        size_t len;
        char *open_p, *close_p;
        unsigned long long ut = 0, st = 0;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%ld/task/%.20s/stat", (long)pid, e->d_name);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        open_p = strchr(buf, '(');
        close_p = strrchr(buf, ')');
        if (open_p == NULL || close_p == NULL || close_p < open_p ||
            sscanf(close_p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                   &st) != 2)
            continue;
        out[n].tid = strtol(e->d_name, NULL, 10);
        snprintf(out[n].name, sizeof out[n].name, "%.*s", (int)(close_p - open_p - 1), open_p + 1);
        out[n].cpu = (double)(ut + st) / (double)hz;
        n++;
    }
    closedir(d);
    return n;
}

static double self_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* SIGTERM, then the exit status within SHUTDOWN_TIMEOUT_S: 0 when it exited 0. */
static int daemon_stop(daemon_proc *dp, double *took)
{
    int status = 0;
    double t0 = bench_now();
    pid_t r;

    if (kill(dp->pid, SIGTERM) != 0) {
        perror(BENCH_PROG ": kill");
        return -1;
    }
    while ((r = waitpid(dp->pid, &status, WNOHANG)) == 0 && bench_now() - t0 < SHUTDOWN_TIMEOUT_S) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    *took = bench_now() - t0;
    if (r == 0) {
        fprintf(stderr, BENCH_PROG ": the verifier did not exit within %.0f s of SIGTERM\n",
                SHUTDOWN_TIMEOUT_S);
        (void)kill(dp->pid, SIGKILL);
        (void)waitpid(dp->pid, &status, 0);
        return -1;
    }
    if (r < 0) {
        perror(BENCH_PROG ": waitpid");
        return -1;
    }
    close(dp->out);
    remove_tree(dp->data_dir);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        fprintf(stderr, BENCH_PROG ": the verifier exited %d after SIGTERM\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, BENCH_PROG ": the verifier died of signal %d after SIGTERM\n",
                WTERMSIG(status));
    return -1;
}

/* ---- the load generator ---------------------------------------------------------------- */

typedef struct conn {
    CURL *easy;
    char *resp; /* RESPONSE_MAX + 1 bytes */
    size_t resp_len;
    int overflow;
    double started;
} conn;

typedef struct load {
    CURLM *multi;
    conn conns[MAX_CONNECTIONS];
    unsigned n_conns;
    struct curl_slist *headers;
    float *lat_us; /* latencies of the counted requests, microseconds */
    size_t n_lat, cap_lat;
    unsigned long long counted, warmup, connects;
    double warmup_end, end; /* bench_now() times */
    int counting, stopping;
    daemon_proc *daemon;
    const char *body;
    size_t body_len;
    char url[192];
} load;

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    conn *c = user;
    size_t n = size * nmemb;
    if (n > RESPONSE_MAX - c->resp_len) {
        c->overflow = 1;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    memcpy(c->resp + c->resp_len, data, n);
    c->resp_len += n;
    return n;
}

/* 1 when the body says "verified": true (whitespace allowed around the colon). */
static int body_verified(const char *s, size_t len)
{
    static const char key[] = "\"verified\"";
    const char *p = s, *end = s + len;
    for (; (size_t)(end - p) >= sizeof key - 1; p++) {
        const char *q = p + sizeof key - 1;
        if (memcmp(p, key, sizeof key - 1) != 0)
            continue;
        while (q < end && isspace((unsigned char)*q))
            q++;
        if (q < end && *q == ':') {
            q++;
            while (q < end && isspace((unsigned char)*q))
                q++;
            return (size_t)(end - q) >= 4 && memcmp(q, "true", 4) == 0;
        }
    }
    return 0;
}

static void conn_start(load *l, conn *c)
{
    c->resp_len = 0;
    c->overflow = 0;
    c->started = bench_now();
    if (curl_multi_add_handle(l->multi, c->easy) != CURLM_OK)
        bench_die_msg("curl_multi_add_handle failed");
}

static void conn_init(load *l, conn *c)
{
    c->easy = curl_easy_init();
    c->resp = malloc(RESPONSE_MAX + 1);
    if (c->easy == NULL || c->resp == NULL)
        bench_die_msg("out of memory");
    if (curl_easy_setopt(c->easy, CURLOPT_URL, l->url) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, l->headers) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, l->body) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)l->body_len) !=
            CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, REQUEST_TIMEOUT_MS) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_PROXY, "") != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_NOPROXY, "*") != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
        curl_easy_setopt(c->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK)
        bench_die_msg("curl_easy_setopt failed");
}

/* One finished transfer: checks it, counts it, and starts the next one on the same handle
 * unless the load is stopping. Exits 1 on any response but 200 {"verified": true}. */
static void on_done(load *l, CURL *easy, CURLcode result)
{
    conn *c = NULL;
    long code = 0, nconn = 0;
    double now = bench_now();

    for (unsigned i = 0; i < l->n_conns; i++)
        if (l->conns[i].easy == easy)
            c = &l->conns[i];
    if (c == NULL)
        bench_die_msg("a transfer on an unknown handle");
    if (curl_multi_remove_handle(l->multi, easy) != CURLM_OK)
        bench_die_msg("curl_multi_remove_handle failed");
    if (result != CURLE_OK) {
        fprintf(stderr, BENCH_PROG ": request failed: %s%s\n", curl_easy_strerror(result),
                c->overflow ? " (response too large)" : "");
        exit(1);
    }
    if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
        curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &nconn) != CURLE_OK)
        bench_die_msg("curl_easy_getinfo failed");
    c->resp[c->resp_len] = '\0';
    if (code != 200 || !body_verified(c->resp, c->resp_len)) {
        fprintf(stderr, BENCH_PROG ": unexpected response %ld: %.500s\n", code, c->resp);
        exit(1);
    }
    l->connects += (unsigned long long)nconn;
    if (l->counting && c->started >= l->warmup_end) {
        if (l->n_lat == l->cap_lat) {
            size_t cap = l->cap_lat ? 2 * l->cap_lat : 65536;
            float *p = realloc(l->lat_us, cap * sizeof *p);
            if (p == NULL)
                bench_die_msg("out of memory");
            l->lat_us = p;
            l->cap_lat = cap;
        }
        l->lat_us[l->n_lat++] = (float)((now - c->started) * 1e6);
        l->counted++;
        if (l->counted >= BENCH_HTTP_MAX_REQUESTS)
            l->stopping = 1;
    } else {
        l->warmup++;
    }
    if (!l->stopping)
        conn_start(l, c);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static float percentile(const float *sorted, size_t n, double p)
{
    size_t i;
    if (n == 0)
        return 0;
    i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(int status)
{
    fprintf(stderr,
            "usage: " BENCH_PROG " [--seconds S] [--connections N] [--threads N] "
            "[--verifier PATH]\n"
            "  --seconds S      load duration, (0, %.0f] (default %.0f)\n"
            "  --connections N  keep-alive connections, 1..%d (default %d)\n"
            "  --threads N      the verifier's worker threads = server cores, 1..%d (default %d)\n"
            "  --verifier PATH  civid-verifier (else CIVID_VERIFIER, else "
            "../verifier/civid-verifier beside this program's directory)\n",
            BENCH_MAX_SECONDS, DEFAULT_SECONDS, MAX_CONNECTIONS, DEFAULT_CONNECTIONS, MAX_THREADS,
            DEFAULT_THREADS);
    exit(status);
}

static long parse_long(const char *s, long lo, long hi, const char *what)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, BENCH_PROG ": %s must be an integer in %ld..%ld, not \"%s\"\n", what, lo,
                hi, s);
        exit(2);
    }
    return v;
}

static void default_verifier(char *out, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;
    if (n <= 0)
        bench_die_msg("cannot find this program's path; give --verifier");
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash != NULL)
        *slash = '\0';
    if (snprintf(out, size, "%s/../verifier/civid-verifier", self) >= (int)size)
        bench_die_msg("program path too long; give --verifier");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seconds", required_argument, NULL, 's'}, {"connections", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 't'}, {"verifier", required_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    double seconds = DEFAULT_SECONDS;
    unsigned connections = DEFAULT_CONNECTIONS, threads = DEFAULT_THREADS;
    char verifier[PATH_MAX];
    const char *env;
    int opt;
    raw_ref ref;
    size_t body_len = 0, cred_len = 0;
    char *body;
    daemon_proc dp;
    load l;
    double raw, t_start, t_end, elapsed, cpu_srv0, cpu_srv1, cpu_cli0, cpu_cli1, took = 0;
    double cpu_all0 = -1, cpu_all1;
    thread_cpu th0[MAX_THREADS + 16], th1[MAX_THREADS + 16];
    int n_th0 = 0, n_th1 = 0;
    long rss_idle, hwm_idle, rss[RSS_SAMPLES + 1], hwm[RSS_SAMPLES + 1], rss_max;
    double rss_at[RSS_SAMPLES + 1];
    int n_rss = 0;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

    verifier[0] = '\0';
    env = getenv("CIVID_VERIFIER");
    if (env != NULL && *env != '\0' &&
        snprintf(verifier, sizeof verifier, "%s", env) >= (int)sizeof verifier)
        bench_die_msg("CIVID_VERIFIER too long");
    while ((opt = getopt_long(argc, argv, "s:c:t:v:h", opts, NULL)) != -1) {
        switch (opt) {
        case 's': {
            char *end;
            seconds = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(seconds > 0 && seconds <= BENCH_MAX_SECONDS)) {
                fprintf(stderr, BENCH_PROG ": --seconds must be a number in (0, %.0f]\n",
                        BENCH_MAX_SECONDS);
                return 2;
            }
            break;
        }
        case 'c':
            connections = (unsigned)parse_long(optarg, 1, MAX_CONNECTIONS, "--connections");
            break;
        case 't':
            threads = (unsigned)parse_long(optarg, 1, MAX_THREADS, "--threads");
            break;
        case 'v':
            if (snprintf(verifier, sizeof verifier, "%s", optarg) >= (int)sizeof verifier)
                bench_die_msg("--verifier too long");
            break;
        case 'h':
            usage(0);
            break;
        default:
            usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (verifier[0] == '\0')
        default_verifier(verifier, sizeof verifier);
    if (access(verifier, X_OK) != 0) {
        fprintf(stderr, BENCH_PROG ": %s: not an executable (give --verifier or CIVID_VERIFIER)\n",
                verifier);
        return 1;
    }

    if (ck_init() != CK_OK || sodium_init() < 0)
        bench_die_msg("crypto initialisation failed");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        bench_die_msg("curl_global_init failed");
    memset(&ref, 0, sizeof ref);
    body = make_request(&ref, &body_len, &cred_len);

    printf("bench_http: %ld CPU core(s) online, shared by this load generator and the verifier: "
           "the client's CPU use competes with the server's\n",
           ncpu);
    printf("bench_http: credential di-eddsa-jcs-2022 (did:key Ed25519), %zu bytes; request body "
           "%zu bytes\n",
           cred_len, body_len);
    print_loadavg("at start");
    fflush(stdout);

    /* (a) the reference, before the daemon runs, on an otherwise idle machine. */
    raw = bench_measure("raw crypto_sign_verify_detached (1 core)", op_raw, &ref, RAW_SECONDS);

    /* (b) the daemon and the load. */
    memset(&dp, 0, sizeof dp);
    daemon_start(&dp, verifier, threads);
    printf("bench_http: %s serve --listen 127.0.0.1:0 --threads %u --access-log off: pid %ld, "
           "listening on %s\n",
           verifier, threads, (long)dp.pid, dp.addr);
    daemon_rss(dp.pid, &rss_idle, &hwm_idle);

    memset(&l, 0, sizeof l);
    l.daemon = &dp;
    l.body = body;
    l.body_len = body_len;
    l.n_conns = connections;
    snprintf(l.url, sizeof l.url, "http://%s/credentials/verify", dp.addr);
    l.headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (l.headers != NULL)
        l.headers = curl_slist_append(l.headers, "Expect:"); /* no 100-continue round trip */
    l.multi = curl_multi_init();
    if (l.headers == NULL || l.multi == NULL)
        bench_die_msg("out of memory");
    /* Exactly `connections` connections, all kept open between requests. */
    if (curl_multi_setopt(l.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)connections) != CURLM_OK ||
        curl_multi_setopt(l.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)connections) != CURLM_OK ||
        curl_multi_setopt(l.multi, CURLMOPT_MAXCONNECTS, (long)connections) != CURLM_OK ||
        curl_multi_setopt(l.multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING) != CURLM_OK)
        bench_die_msg("curl_multi_setopt failed");
    for (unsigned i = 0; i < connections; i++)
        conn_init(&l, &l.conns[i]);

    printf("bench_http: %u keep-alive connections, %.1f s warm-up, then %.1f s of load; RSS "
           "idle: VmRSS %ld KiB, VmHWM %ld KiB\n",
           connections, WARMUP_SECONDS, seconds, rss_idle, hwm_idle);
    fflush(stdout);

    t_start = bench_now();
    l.warmup_end = t_start + WARMUP_SECONDS;
    l.end = l.warmup_end + seconds;
    l.counting = 1;
    for (unsigned i = 0; i < connections; i++)
        conn_start(&l, &l.conns[i]);

    cpu_srv0 = cpu_cli0 = -1;
    for (;;) {
        int running = 0, msgs = 0;
        CURLMsg *m;
        double now;

        if (curl_multi_perform(l.multi, &running) != CURLM_OK)
            bench_die_msg("curl_multi_perform failed");
        while ((m = curl_multi_info_read(l.multi, &msgs)) != NULL)
            if (m->msg == CURLMSG_DONE)
                on_done(&l, m->easy_handle, m->data.result);
        now = bench_now();
        if (cpu_srv0 < 0 && now >= l.warmup_end) {
            cpu_srv0 = proc_cpu(dp.pid);
            cpu_cli0 = self_cpu();
            cpu_all0 = machine_cpu();
            n_th0 = proc_threads(dp.pid, th0, MAX_THREADS + 16);
            daemon_rss(dp.pid, &rss[0], &hwm[0]);
            rss_at[0] = 0;
            n_rss = 1;
        }
        /* RSS at each tenth of the counted load. */
        if (n_rss > 0 && n_rss <= RSS_SAMPLES &&
            now >= l.warmup_end + seconds * n_rss / RSS_SAMPLES) {
            daemon_rss(dp.pid, &rss[n_rss], &hwm[n_rss]);
            rss_at[n_rss] = now - l.warmup_end;
            n_rss++;
        }
        if (now >= l.end)
            l.stopping = 1;
        if (l.stopping) {
            int active = 0;
            /* Let the requests in flight finish (each has its own timeout). */
            curl_multi_perform(l.multi, &active);
            if (running == 0 && active == 0)
                break;
            if (now >= l.end + REQUEST_TIMEOUT_MS / 1000.0 + 1)
                bench_die_msg("requests in flight did not finish");
        }
        if (curl_multi_poll(l.multi, NULL, 0, 100, NULL) != CURLM_OK)
            bench_die_msg("curl_multi_poll failed");
    }
    t_end = bench_now();
    cpu_srv1 = proc_cpu(dp.pid);
    cpu_cli1 = self_cpu();
    cpu_all1 = machine_cpu();
    n_th1 = proc_threads(dp.pid, th1, MAX_THREADS + 16);
    if (n_rss <= RSS_SAMPLES) { /* the last sample, if the loop ended before its time */
        daemon_rss(dp.pid, &rss[n_rss], &hwm[n_rss]);
        rss_at[n_rss] = t_end - l.warmup_end;
        n_rss++;
    }

    /* (c) the numbers. Counted: requests started after the warm-up, over the time from the
     * warm-up's end to the last response. */
    elapsed = t_end - l.warmup_end;
    if (l.counted == 0 || elapsed <= 0)
        bench_die_msg("no requests counted");
    qsort(l.lat_us, l.n_lat, sizeof *l.lat_us, cmp_float);
    {
        double rps = (double)l.counted / elapsed;
        double per_core = rps / threads;
        double pct = 100.0 * per_core / raw;
        double srv_cpu = cpu_srv1 - cpu_srv0, cli_cpu = cpu_cli1 - cpu_cli0;

        printf("%-*s %12.0f req/s %10.2f us/req\n", BENCH_NAME_WIDTH,
               "POST /credentials/verify (keep-alive)", rps, 1e6 / rps);
        printf("%-*s %12.0f req/s\n", BENCH_NAME_WIDTH, "  per server core", per_core);
        printf("  %llu requests in %.2f s (+%llu warm-up), all 200 verified:true; %llu TCP "
               "connections opened in all (%u kept alive)\n",
               l.counted, elapsed, l.warmup, l.connects, connections);
        printf("  latency p50 %.0f us, p99 %.0f us, max %.0f us\n",
               (double)percentile(l.lat_us, l.n_lat, 0.50),
               (double)percentile(l.lat_us, l.n_lat, 0.99),
               (double)percentile(l.lat_us, l.n_lat, 1.0));
        if (srv_cpu >= 0 && cli_cpu >= 0)
            printf("  CPU during the load: verifier %.2f s (%.2f cores, %.0f req per server "
                   "CPU-second), load generator %.2f s (%.2f cores)\n",
                   srv_cpu, srv_cpu / elapsed, (double)l.counted / srv_cpu, cli_cpu,
                   cli_cpu / elapsed);
        if (srv_cpu >= 0 && cli_cpu >= 0 && cpu_all0 >= 0 && cpu_all1 >= 0)
            printf("  machine: %.2f of %ld cores busy; other processes (not this run) %.2f "
                   "cores\n",
                   (cpu_all1 - cpu_all0) / elapsed, ncpu,
                   (cpu_all1 - cpu_all0 - srv_cpu - cli_cpu) / elapsed);
        if (n_th1 > 0) {
            printf("  verifier threads' CPU during the load (cores):");
            for (int i = 0; i < n_th1; i++) {
                double before = 0;
                for (int j = 0; j < n_th0; j++)
                    if (th0[j].tid == th1[i].tid)
                        before = th0[j].cpu;
                printf(" %s/%ld %.2f", th1[i].name, th1[i].tid, (th1[i].cpu - before) / elapsed);
            }
            printf("\n");
        }
        printf("ratio per server core / raw verify: %.1f%% (target >= %.0f%%): %s\n", pct,
               TARGET_PERCENT, pct >= TARGET_PERCENT ? "ok" : "below target");
        if (srv_cpu > 0)
            printf("ratio per server CPU-second / raw verify: %.1f%% (the server's own CPU "
                   "time, without the client's share of the %ld cores)\n",
                   100.0 * ((double)l.counted / srv_cpu) / raw, ncpu);
    }

    print_loadavg("at end");
    rss_max = 0;
    printf("verifier RSS (KiB) during the load:   t(s)    VmRSS    VmHWM\n");
    printf("  %-34s %6s %8ld %8ld\n", "idle, before any request", "-", rss_idle, hwm_idle);
    for (int i = 0; i < n_rss; i++) {
        const char *what = i == 0           ? "start (after warm-up)"
                           : i == n_rss - 1 ? "end"
                           : i == n_rss / 2 ? "mid-run"
                                            : "";
        printf("  %-34s %6.1f %8ld %8ld\n", what, rss_at[i], rss[i], hwm[i]);
        if (rss[i] > rss_max)
            rss_max = rss[i];
    }
    {
        long growth = rss[n_rss - 1] - rss[0];
        long peak = hwm[n_rss - 1];
        printf("verifier peak RSS (VmHWM) %ld KiB, largest VmRSS sample %ld KiB; VmRSS start %ld "
               "-> end %ld KiB (%+ld KiB over %llu requests): %s\n",
               peak, rss_max, rss[0], rss[n_rss - 1], growth, l.counted,
               growth <= RSS_FLAT_KIB && peak - hwm[0] <= RSS_FLAT_KIB ? "flat" : "GROWING");
    }
    fflush(stdout);

    /* (d) shutdown. */
    for (unsigned i = 0; i < connections; i++) {
        curl_easy_cleanup(l.conns[i].easy);
        free(l.conns[i].resp);
    }
    curl_multi_cleanup(l.multi);
    curl_slist_free_all(l.headers);
    if (daemon_stop(&dp, &took) != 0)
        return 1;
    printf("bench_http: SIGTERM -> the verifier exited 0 after %.3f s\n", took);
    free(l.lat_us);
    free(body);
    curl_global_cleanup();
    return 0;
}
