/*
 * bench.h -- the harness the bench programs share: a monotonic clock, a timed loop, the
 * seconds-per-measurement argument and the fatal-error exits. Header-only: each bench program
 * is one translation unit that includes it once.
 *
 * A program defines BENCH_PROG (its name, for messages) before including this header, and may
 * define BENCH_NAME_WIDTH (the column its measurement names are padded to; default 40).
 *
 * Measurements: a warm-up of a fifth of the time, then the operation in batches of BENCH_BATCH
 * for the given time on one thread, CLOCK_MONOTONIC. An operation that fails ends the program
 * with exit status 1 (a number for a failing path would mean nothing); targets are informative
 * and never change the exit status.
 */
#ifndef CIVID_BENCH_H
#define CIVID_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ck/ck.h>
#include <did/error.h>

#ifndef BENCH_PROG
#error "define BENCH_PROG (the program's name) before including bench.h"
#endif
#ifndef BENCH_NAME_WIDTH
#define BENCH_NAME_WIDTH 40
#endif

#define BENCH_DEFAULT_SECONDS 1.0
#define BENCH_MAX_SECONDS 600.0
/* Operations between two clock reads: a clock read (~20-50 ns) is then noise next to the
 * cheapest operation measured (a few microseconds). */
#define BENCH_BATCH 8

/* One operation on the program's own state: 0 (DID_OK) or an error code with err filled in. */
typedef int (*bench_op)(void *ctx, did_err *err);

static inline double bench_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror(BENCH_PROG ": clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs op(ctx) in batches of BENCH_BATCH until `seconds` have passed: *n operations in
 * *elapsed seconds. Returns DID_OK, or the first failure (err filled in). */
static inline int bench_loop(bench_op op, void *ctx, double seconds, did_err *err,
                             unsigned long long *n, double *elapsed)
{
    double t0 = bench_now(), t;
    *n = 0;
    do {
        for (int i = 0; i < BENCH_BATCH; i++) {
            int rc = op(ctx, err);
            if (rc != DID_OK)
                return rc;
        }
        *n += BENCH_BATCH;
        t = bench_now();
    } while (t - t0 < seconds);
    *elapsed = t - t0;
    return DID_OK;
}

/* Runs op(ctx) for about `seconds` after a warm-up of a fifth of that, prints one line
 * "name  ops/s  us/op" and returns the operations per second. Exits 1 when op fails. */
static inline double bench_measure(const char *name, bench_op op, void *ctx, double seconds)
{
    did_err err;
    unsigned long long n = 0;
    double elapsed = 0;

    did_err_clear(&err);
    if (bench_loop(op, ctx, seconds / 5, &err, &n, &elapsed) != DID_OK ||
        bench_loop(op, ctx, seconds, &err, &n, &elapsed) != DID_OK) {
        fprintf(stderr, BENCH_PROG ": %s: %s (%s)\n", name, err.msg, did_err_name(err.code));
        exit(1);
    }
    double ops = (double)n / elapsed;
    printf("%-*s %12.0f ops/s %10.2f us/op\n", BENCH_NAME_WIDTH, name, ops, 1e6 / ops);
    fflush(stdout);
    return ops;
}

/* The seconds per measurement: argv[1], else CIVID_BENCH_SECONDS, else BENCH_DEFAULT_SECONDS.
 * Exits 2 on -h/--help, extra arguments or a value outside (0, BENCH_MAX_SECONDS]. */
static inline double bench_seconds(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : getenv("CIVID_BENCH_SECONDS");
    char *end;
    double v;

    if (argc > 2 || (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        fprintf(stderr,
                "usage: " BENCH_PROG " [seconds-per-measurement]  (or CIVID_BENCH_SECONDS; "
                "default %.0f)\n",
                BENCH_DEFAULT_SECONDS);
        exit(2);
    }
    if (s == NULL || *s == '\0')
        return BENCH_DEFAULT_SECONDS;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v > 0 && v <= BENCH_MAX_SECONDS)) {
        fprintf(stderr, BENCH_PROG ": seconds must be a number in (0, %.0f], not \"%s\"\n",
                BENCH_MAX_SECONDS, s);
        exit(2);
    }
    return v;
}

/* Set-up failures: print what failed and exit 1. */
static inline void bench_die(const char *what, const did_err *err)
{
    fprintf(stderr, BENCH_PROG ": %s: %s (%s)\n", what, err->msg, did_err_name(err->code));
    exit(1);
}

static inline void bench_die_ck(const char *what, const ck_err *err)
{
    fprintf(stderr, BENCH_PROG ": %s: %s (%s)\n", what, err->msg, ck_err_name(err->code));
    exit(1);
}

static inline void bench_die_msg(const char *what)
{
    fprintf(stderr, BENCH_PROG ": %s\n", what);
    exit(1);
}

#endif /* CIVID_BENCH_H */
