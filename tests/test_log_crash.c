/* Crash test of the audit-log store (did/log_store.h): acknowledged means durable.
 *
 * Each round forks an appender: 8 threads append to one log as fast as they can (and a ninth
 * asks for checkpoints), writing every acknowledgement to a pipe the moment did_log_append (or
 * did_log_store_checkpoint) returns. The parent kills it with SIGKILL after a random 1-40 ms,
 * then forks a verifier that reopens the log (the open recomputes the root and checks it
 * against the stored state and the latest checkpoint), rehashes the whole log
 * (did_log_store_verify: every node, the root, every stored checkpoint), and checks that every
 * acknowledged index holds the acknowledged leaf hash, maps back from its request id, and that
 * every acknowledged checkpoint is stored, over a size that is durable, with the root the tree
 * has at that size. Each appender also resubmits some request ids of the previous round: an
 * acknowledged one must come back as a duplicate with the same index.
 *
 * The parent never opens the log nor starts a thread (fork() after threads or LMDB is unsafe):
 * it only forks, reads pipes and kills. Rounds: CIVID_CRASH_ROUNDS (default 30); the random
 * seed is printed and can be replayed with CIVID_CRASH_SEED. Odd rounds sign a checkpoint
 * after every batch (checkpoint_key), even rounds only on request; the map starts at 256 KiB,
 * so some kills land while it grows. */
#define _XOPEN_SOURCE 700 /* nftw, to remove the temporary directory */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <did/log.h>
#include <did/log_store.h>

#include "log_test_util.h"
#include "support.h"

#define H DID_LOG_HASH_LEN
#define THREADS 8
#define RESUBMIT 10

static const uint8_t seed[32] = "civid test_log_crash fixed seed!";

/* One acknowledgement, written to the pipe with one write() (atomic: < PIPE_BUF). */
typedef struct rec {
    uint8_t type; /* 1 append, 2 checkpoint */
    uint8_t duplicate;
    uint8_t pad[6];
    uint64_t index;  /* or checkpoint size */
    uint8_t hash[H]; /* leaf hash, or checkpoint root */
    char req[32];
} rec;

/* ---- the appender (child) ----------------------------------------------------------------- */

typedef struct app {
    did_log_store *s;
    int fd;
    int round;
    int t;
} app;

static void die(const char *what, const did_err *e)
{
    fprintf(stderr, "crash appender: %s: %s (%s)\n", what, e ? e->msg : "",
            e ? did_err_name(e->code) : "");
    _exit(3);
}

static void send_rec(int fd, const rec *r)
{
    if (write(fd, r, sizeof *r) != (ssize_t)sizeof *r)
        _exit(4);
}

static void append_req(app *a, const char *req, uint64_t n)
{
    did_buf b;
    did_err e;
    did_log_append_result res;
    rec r;
    did_buf_init(&b);
    if (t_make_entry(&b, req, n, 0, &e) != DID_OK)
        die("make entry", &e);
    if (did_log_append(a->s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE), (const uint8_t *)req,
                       strlen(req), b.data, b.len, &res, &e) != DID_OK)
        die("append", &e);
    memset(&r, 0, sizeof r);
    r.type = 1;
    r.duplicate = (uint8_t)res.duplicate;
    r.index = res.index;
    memcpy(r.hash, res.leaf_hash, H);
    snprintf(r.req, sizeof r.req, "%s", req);
    send_rec(a->fd, &r);
    did_buf_clear(&b);
}

static uint64_t entry_n(int round, int t, uint64_t k)
{
    return (uint64_t)round * 100000000ULL + (uint64_t)t * 10000000ULL + k;
}

static void *app_main(void *arg)
{
    app *a = arg;
    char req[32];
    if (a->t == 0 && a->round > 0)
        for (uint64_t k = 0; k < RESUBMIT; k++) {
            snprintf(req, sizeof req, "r%d-0-%llu", a->round - 1, (unsigned long long)k);
            append_req(a, req, entry_n(a->round - 1, 0, k));
        }
    for (uint64_t k = 0;; k++) {
        snprintf(req, sizeof req, "r%d-%d-%llu", a->round, a->t, (unsigned long long)k);
        append_req(a, req, entry_n(a->round, a->t, k));
    }
    return NULL;
}

static void *cp_main(void *arg)
{
    app *a = arg;
    ck_key *key = NULL;
    ck_err ce;
    if (ck_key_import_private(CK_KEY_ED25519, seed, sizeof seed, &key, &ce) != CK_OK)
        _exit(5);
    for (;;) {
        did_buf note;
        did_err e;
        did_log_note n;
        did_log_checkpoint cp;
        rec r;
        did_buf_init(&note);
        if (did_log_store_checkpoint(a->s, key, &note, &e) != DID_OK)
            die("checkpoint", &e);
        if (did_log_note_parse(note.data, note.len, &n, &e) != DID_OK ||
            did_log_checkpoint_parse(n.text, n.text_len, &cp, &e) != DID_OK)
            die("checkpoint parse", &e);
        memset(&r, 0, sizeof r);
        r.type = 2;
        r.index = cp.size;
        memcpy(r.hash, cp.root, H);
        send_rec(a->fd, &r);
        did_buf_clear(&note);
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void appender(const char *dir, int round, int fd)
{
    did_log_store_opts o;
    did_log_store *s = NULL;
    did_err e;
    ck_key *key = NULL;
    ck_err ce;
    app a[THREADS + 1];
    pthread_t th[THREADS + 1];

    if (round % 2 == 1 &&
        ck_key_import_private(CK_KEY_ED25519, seed, sizeof seed, &key, &ce) != CK_OK)
        _exit(5);
    did_log_store_opts_init(&o);
    o.create = 1;
    o.origin = T_ORIGIN;
    o.origin_len = strlen(T_ORIGIN);
    o.map_size = 256 * 1024;
    o.checkpoint_key = key;
    if (did_log_store_open(dir, &o, &s, &e) != DID_OK)
        die("open", &e);
    for (int t = 0; t <= THREADS; t++) {
        a[t].s = s;
        a[t].fd = fd;
        a[t].round = round;
        a[t].t = t;
        if (pthread_create(&th[t], NULL, t < THREADS ? app_main : cp_main, &a[t]) != 0)
            _exit(6);
    }
    for (;;)
        pause(); /* until SIGKILL */
}

/* ---- the verifier (child) ----------------------------------------------------------------- */

static int verifier(const char *dir, const rec *recs, size_t n)
{
    did_log_store_opts o;
    did_log_store *s = NULL;
    did_log_store_stats st;
    did_err e;
    uint64_t size, checked;
    uint8_t h[H];
    did_buf note;

#define CHECK(cond, ...)                                                 \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "crash verifier: " __VA_ARGS__);             \
            fprintf(stderr, " [%s: %s]\n", did_err_name(e.code), e.msg); \
            return 1;                                                    \
        }                                                                \
    } while (0)
    did_err_clear(&e);
    did_log_store_opts_init(&o);
    o.origin = T_ORIGIN;
    o.origin_len = strlen(T_ORIGIN);
    int rc = did_log_store_open(dir, &o, &s, &e);
    /* Killed while creating the log, before its first commit: there is no log yet, which is
     * fine as long as nothing was acknowledged. */
    if (rc == DID_ERR_LOG_STORE && n == 0)
        return 0;
    CHECK(rc == DID_OK, "reopen failed");
    CHECK(did_log_store_verify(s, &checked, &e) == DID_OK, "full verification failed");
    CHECK(did_log_store_head(s, &size, NULL, &e) == DID_OK && size == checked, "head");
    CHECK(did_log_store_stats_get(s, &st, &e) == DID_OK && !st.behind,
          "a stored checkpoint is above the durable size");
    did_buf_init(&note);
    for (size_t i = 0; i < n; i++) {
        const rec *r = &recs[i];
        if (r->type == 1) {
            CHECK(r->index < size, "acknowledged index %llu lost (size %llu)",
                  (unsigned long long)r->index, (unsigned long long)size);
            CHECK(did_log_store_leaf_hash(s, r->index, h, &e) == DID_OK &&
                      memcmp(h, r->hash, H) == 0,
                  "leaf %llu differs from the acknowledged one", (unsigned long long)r->index);
            int found = 0;
            uint64_t idx = 0;
            CHECK(did_log_store_lookup(s, (const uint8_t *)T_SERVICE, strlen(T_SERVICE),
                                       (const uint8_t *)r->req, strlen(r->req), &found, &idx,
                                       &e) == DID_OK &&
                      found && idx == r->index,
                  "request %s does not map to %llu", r->req, (unsigned long long)r->index);
        } else {
            uint8_t root[H];
            did_log_note nt;
            did_log_checkpoint cp;
            CHECK(r->index <= size, "acknowledged checkpoint %llu above the durable size %llu",
                  (unsigned long long)r->index, (unsigned long long)size);
            CHECK(did_log_store_root(s, r->index, root, &e) == DID_OK &&
                      memcmp(root, r->hash, H) == 0,
                  "root at %llu differs from the acknowledged checkpoint",
                  (unsigned long long)r->index);
            did_buf_reset(&note);
            CHECK(did_log_store_checkpoint_at(s, r->index, &note, &e) == DID_OK &&
                      did_log_note_parse(note.data, note.len, &nt, &e) == DID_OK &&
                      did_log_checkpoint_parse(nt.text, nt.text_len, &cp, &e) == DID_OK &&
                      memcmp(cp.root, r->hash, H) == 0,
                  "acknowledged checkpoint %llu not stored", (unsigned long long)r->index);
        }
    }
    did_buf_clear(&note);
    CHECK(did_log_store_close(s, &e) == DID_OK, "close");
#undef CHECK
    return 0;
}

/* ---- the parent ----------------------------------------------------------------------------- */

typedef struct recs {
    rec *r;
    size_t n, cap;
} recs;

static void recs_add(recs *rs, const uint8_t *p, size_t len)
{
    for (size_t off = 0; off + sizeof(rec) <= len; off += sizeof(rec)) {
        if (rs->n == rs->cap) {
            rs->cap = rs->cap ? rs->cap * 2 : 1024;
            rs->r = realloc(rs->r, rs->cap * sizeof(rec));
            assert_non_null(rs->r);
        }
        memcpy(&rs->r[rs->n++], p + off, sizeof(rec));
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads the pipe until the deadline (0: until EOF) into buf. */
static void read_pipe(int fd, uint64_t deadline, uint8_t **buf, size_t *len, size_t *cap)
{
    for (;;) {
        int timeout = -1;
        if (deadline != 0) {
            uint64_t t = now_ms();
            if (t >= deadline)
                return;
            timeout = (int)(deadline - t);
        }
        struct pollfd p = {fd, POLLIN, 0};
        int pr = poll(&p, 1, timeout);
        if (pr < 0 && errno == EINTR)
            continue;
        assert_true(pr >= 0);
        if (pr == 0)
            continue;
        if (*len + 65536 > *cap) {
            *cap = (*cap + 65536) * 2;
            *buf = realloc(*buf, *cap);
            assert_non_null(*buf);
        }
        ssize_t got = read(fd, *buf + *len, *cap - *len);
        if (got < 0 && errno == EINTR)
            continue;
        assert_true(got >= 0);
        if (got == 0)
            return;
        *len += (size_t)got;
    }
}

static void test_crash_rounds(void **state)
{
    (void)state;
    const char *env = getenv("CIVID_CRASH_ROUNDS");
    int rounds = env ? atoi(env) : 30;
    env = getenv("CIVID_CRASH_SEED");
    unsigned rseed =
        env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
    char *tmp = t_tmpdir(), dir[512];
    recs rs = {NULL, 0, 0};
    uint8_t *buf = NULL;
    size_t cap = 0, dups = 0, killed_open = 0;

    assert_non_null(tmp);
    snprintf(dir, sizeof dir, "%s/log", tmp);
    srand(rseed);
    print_message("      %d rounds, CIVID_CRASH_SEED=%u\n", rounds, rseed);
    for (int round = 0; round < rounds; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            appender(dir, round, fds[1]);
            _exit(0);
        }
        close(fds[1]);
        size_t len = 0;
        uint64_t delay = 1 + (uint64_t)(rand() % 40);
        read_pipe(fds[0], now_ms() + delay, &buf, &len, &cap);
        kill(pid, SIGKILL);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        read_pipe(fds[0], 0, &buf, &len, &cap);
        close(fds[0]);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fail_msg("round %d: the appender ended by itself (status %d)", round, status);
        size_t before = rs.n;
        recs_add(&rs, buf, len);
        for (size_t i = before; i < rs.n; i++)
            dups += rs.r[i].duplicate;
        if (rs.n == before)
            killed_open++;

        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(verifier(dir, rs.r, rs.n));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
            fail_msg("round %d (seed %u): verification failed (status %d)", round, rseed, status);
    }
    size_t cps = 0;
    for (size_t i = 0; i < rs.n; i++)
        cps += rs.r[i].type == 2;
    print_message("      %zu acknowledgements checked (%zu checkpoints, %zu duplicates); "
                  "%zu rounds killed before the first acknowledgement\n",
                  rs.n, cps, dups, killed_open);
    assert_true(rs.n > 0);
    free(rs.r);
    free(buf);
    t_tmp_free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
