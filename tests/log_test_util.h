/* Helpers shared by test_log_store.c and test_log_crash.c: temporary directories and log
 * entries. Header-only (static functions), so the tests' CMake glob needs no change. Include it
 * after defining _XOPEN_SOURCE 700 (for nftw). */
#ifndef CIVID_LOG_TEST_UTIL_H
#define CIVID_LOG_TEST_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <did/log_entry.h>
#include <did/log_store.h>

#define T_SERVICE "did:web:issuer.test.example"
#define T_ORIGIN "log.test.civid.example/audit"

static inline int t_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes a directory tree (the test's temporary directory). */
static inline void t_rmtree(const char *dir)
{
    (void)nftw(dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under /tmp; the log goes in <it>/log. Caller frees with t_tmp_free. */
static inline char *t_tmpdir(void)
{
    char *d = strdup("/tmp/civid-log-test-XXXXXX");
    if (d == NULL || mkdtemp(d) == NULL) {
        free(d);
        return NULL;
    }
    return d;
}

static inline void t_tmp_free(char *d)
{
    if (d != NULL)
        t_rmtree(d);
    free(d);
}

/* Request id of entry n of a run (tag distinguishes runs). */
static inline void t_request_id(char out[64], const char *tag, uint64_t n)
{
    snprintf(out, 64, "%s-%llu", tag, (unsigned long long)n);
}

/* An issuance entry for request id req, with content derived from n; pad > 0 lengthens the
 * credential type so that the entry has exactly pad bytes when that is possible. */
static inline int t_make_entry(did_buf *out, const char *req, uint64_t n, size_t pad, did_err *err)
{
    did_log_issuance iss;
    char type[256];
    memset(&iss, 0, sizeof iss);
    did_log_u64_write(n, iss.entry_id);
    did_log_u64_write(~n, iss.entry_id + 8);
    iss.received_ms = 1760000000000ULL + n;
    iss.service_id = T_SERVICE;
    iss.service_id_len = strlen(T_SERVICE);
    iss.request_id = (const uint8_t *)req;
    iss.request_id_len = strlen(req);
    uint8_t nb[8];
    did_log_u64_write(n, nb);
    ck_sha256(nb, 8, iss.credential_id_digest);
    memset(iss.issuer_key_thumbprint, 0x42, sizeof iss.issuer_key_thumbprint);
    iss.status_list = "https://issuer.test.example/status/1";
    iss.status_list_len = strlen(iss.status_list);
    iss.status_index = n;
    size_t tlen = 20;
    memcpy(type, "VerifiableCredential", tlen);
    if (pad > 0) {
        /* fixed part: everything but the type value */
        size_t fixed = 2 + (3 + 16) + (3 + 8) + (3 + iss.service_id_len) +
                       (3 + iss.request_id_len) + (3 + 32) + 3 + (3 + 32) +
                       (3 + iss.status_list_len) + (3 + 8);
        if (pad > fixed && pad - fixed <= 255 && pad - fixed >= 1)
            tlen = pad - fixed;
        for (size_t i = 20; i < tlen; i++)
            type[i] = (char)('a' + (i % 26));
        if (tlen < 20)
            memcpy(type, "VerifiableCredential", tlen);
    }
    iss.credential_type = type;
    iss.credential_type_len = tlen;
    return did_log_issuance_encode(&iss, out, err);
}

#endif
