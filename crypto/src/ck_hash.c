/*
 * ck_hash.c -- SHA-256/384 through OpenSSL with the digests fetched once by ck_init.
 */
#include <pthread.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "ck/ck.h"
#include "ck_internal.h"

struct ck_hasher {
    ck_hash_alg alg;
    EVP_MD_CTX *ctx;
};

/* One EVP_MD_CTX per thread, reused by every one-shot digest on that thread: allocating a
 * context per call costs more than hashing a short message. The pthread key's destructor
 * frees it when the thread exits. */
static pthread_once_t ck_hash_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t ck_hash_key;
static int ck_hash_key_ok;

static void ck_hash_ctx_destroy(void *p)
{
    EVP_MD_CTX_free(p);
}

static void ck_hash_key_init(void)
{
    if (pthread_key_create(&ck_hash_key, ck_hash_ctx_destroy) == 0)
        ck_hash_key_ok = 1;
}

/* The calling thread's context, created on first use; NULL if that fails. */
static EVP_MD_CTX *ck_hash_thread_ctx(void)
{
    if (pthread_once(&ck_hash_key_once, ck_hash_key_init) != 0 || !ck_hash_key_ok)
        return NULL;
    EVP_MD_CTX *ctx = pthread_getspecific(ck_hash_key);
    if (ctx != NULL)
        return ctx;
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return NULL;
    if (pthread_setspecific(ck_hash_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

size_t ck_hash_len(ck_hash_alg alg)
{
    switch (alg) {
    case CK_SHA256:
        return CK_SHA256_LEN;
    case CK_SHA384:
        return CK_SHA384_LEN;
    }
    return 0;
}

int ck_hash(ck_hash_alg alg, const void *data, size_t len, uint8_t *out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (ck_hash_len(alg) == 0)
        return ck_err_set(err, CK_ERR_ARG, "hash: unknown algorithm %d", (int)alg);
    if (out == NULL || (data == NULL && len != 0))
        return ck_err_set(err, CK_ERR_ARG, "hash: NULL %s", out == NULL ? "out" : "data");
    const EVP_MD *md = ck_internal_md(alg);
    EVP_MD_CTX *ctx = ck_hash_thread_ctx();
    if (md == NULL || ctx == NULL)
        return ck_err_set(err, CK_ERR_NOMEM, "hash: cannot allocate digest context");
    unsigned int n = 0;
    if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
        EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != ck_hash_len(alg))
        return ck_err_set(err, CK_ERR_BACKEND, "hash: OpenSSL digest failed");
    ck_err_clear(err);
    return CK_OK;
}

int ck_sha256(const void *data, size_t len, uint8_t out[CK_SHA256_LEN])
{
    return ck_hash(CK_SHA256, data, len, out, NULL);
}

int ck_sha384(const void *data, size_t len, uint8_t out[CK_SHA384_LEN])
{
    return ck_hash(CK_SHA384, data, len, out, NULL);
}

int ck_hasher_new(ck_hash_alg alg, ck_hasher **out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "hasher: NULL out");
    *out = NULL;
    const EVP_MD *md = ck_internal_md(alg);
    if (md == NULL)
        return ck_err_set(err, CK_ERR_ARG, "hasher: unknown algorithm %d", (int)alg);

    ck_hasher *h = calloc(1, sizeof *h);
    if (h == NULL)
        return ck_err_set(err, CK_ERR_NOMEM, "hasher: out of memory");
    h->alg = alg;
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL) {
        rc = ck_err_set(err, CK_ERR_NOMEM, "hasher: cannot allocate digest context");
        goto out;
    }
    if (EVP_DigestInit_ex2(h->ctx, md, NULL) != 1) {
        rc = ck_err_set(err, CK_ERR_BACKEND, "hasher: OpenSSL digest init failed");
        goto out;
    }
    *out = h;
    h = NULL;
    ck_err_clear(err);
    rc = CK_OK;
out:
    ck_hasher_free(h);
    return rc;
}

int ck_hasher_update(ck_hasher *h, const void *data, size_t len, ck_err *err)
{
    if (h == NULL || (data == NULL && len != 0))
        return ck_err_set(err, CK_ERR_ARG, "hasher: NULL %s", h == NULL ? "hasher" : "data");
    if (len != 0 && EVP_DigestUpdate(h->ctx, data, len) != 1)
        return ck_err_set(err, CK_ERR_BACKEND, "hasher: OpenSSL digest update failed");
    ck_err_clear(err);
    return CK_OK;
}

int ck_hasher_final(ck_hasher *h, uint8_t *out, ck_err *err)
{
    if (h == NULL || out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "hasher: NULL %s", h == NULL ? "hasher" : "out");
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != ck_hash_len(h->alg))
        return ck_err_set(err, CK_ERR_BACKEND, "hasher: OpenSSL digest final failed");
    /* Re-initialise so the same hasher can start a new message. */
    if (EVP_DigestInit_ex2(h->ctx, ck_internal_md(h->alg), NULL) != 1)
        return ck_err_set(err, CK_ERR_BACKEND, "hasher: OpenSSL digest reset failed");
    ck_err_clear(err);
    return CK_OK;
}

void ck_hasher_free(ck_hasher *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}
