/*
 * ck_core.c -- errors, one-time initialisation, randomness and secret memory.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "ck/ck.h"
#include "ck_internal.h"

/* Written once under pthread_once and read-only afterwards, so sharing them between threads
 * needs no lock. Fetching the digests once avoids the implicit fetch (a property-query and
 * a lock) that EVP_sha256() style lookups cost on every EVP_DigestInit_ex call. */
static pthread_once_t ck_once = PTHREAD_ONCE_INIT;
static int ck_init_rc = CK_ERR_INIT;
static EVP_MD *ck_md_sha256;
static EVP_MD *ck_md_sha384;

static void ck_init_once(void)
{
    if (sodium_init() < 0)
        return;
    ck_md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    ck_md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    if (ck_md_sha256 == NULL || ck_md_sha384 == NULL) {
        EVP_MD_free(ck_md_sha256);
        EVP_MD_free(ck_md_sha384);
        ck_md_sha256 = NULL;
        ck_md_sha384 = NULL;
        return;
    }
    ck_init_rc = CK_OK;
}

int ck_init(void)
{
    if (pthread_once(&ck_once, ck_init_once) != 0)
        return CK_ERR_INIT;
    return ck_init_rc;
}

const EVP_MD *ck_internal_md(ck_hash_alg alg)
{
    if (ck_init() != CK_OK)
        return NULL;
    switch (alg) {
    case CK_SHA256:
        return ck_md_sha256;
    case CK_SHA384:
        return ck_md_sha384;
    }
    return NULL;
}

size_t ck_internal_secret_len(ck_key_type type)
{
    switch (type) {
    case CK_KEY_ED25519:
    case CK_KEY_X25519:
    case CK_KEY_P256:
    case CK_KEY_SECP256K1:
        return 32;
    case CK_KEY_P384:
        return 48;
    }
    return 0;
}

void ck_err_clear(ck_err *err)
{
    if (err == NULL)
        return;
    err->code = CK_OK;
    err->msg[0] = '\0';
}

int ck_err_set(ck_err *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    err->msg[0] = '\0';
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        /* Truncation is acceptable for a human-readable message. */
        (void)vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *ck_err_name(int code)
{
    switch (code) {
    case CK_OK:
        return "CK_OK";
    case CK_ERR_INIT:
        return "CK_ERR_INIT";
    case CK_ERR_NOMEM:
        return "CK_ERR_NOMEM";
    case CK_ERR_ARG:
        return "CK_ERR_ARG";
    case CK_ERR_UNSUPPORTED:
        return "CK_ERR_UNSUPPORTED";
    case CK_ERR_KEY_INVALID:
        return "CK_ERR_KEY_INVALID";
    case CK_ERR_KEY_NO_PRIVATE:
        return "CK_ERR_KEY_NO_PRIVATE";
    case CK_ERR_BUFFER_SMALL:
        return "CK_ERR_BUFFER_SMALL";
    case CK_ERR_SIGNATURE:
        return "CK_ERR_SIGNATURE";
    case CK_ERR_BACKEND:
        return "CK_ERR_BACKEND";
    case CK_ERR_DECRYPT:
        return "CK_ERR_DECRYPT";
    case CK_ERR_BASE64:
        return "CK_ERR_BASE64";
    case CK_ERR_SEALED_FORMAT:
        return "CK_ERR_SEALED_FORMAT";
    case CK_ERR_PASSPHRASE:
        return "CK_ERR_PASSPHRASE";
    case CK_ERR_KDF:
        return "CK_ERR_KDF";
    case CK_ERR_JWK:
        return "CK_ERR_JWK";
    case CK_ERR_LIMIT:
        return "CK_ERR_LIMIT";
    case CK_ERR_TSA_FORMAT:
        return "CK_ERR_TSA_FORMAT";
    case CK_ERR_TSA_STATUS:
        return "CK_ERR_TSA_STATUS";
    case CK_ERR_TSA_VERIFY:
        return "CK_ERR_TSA_VERIFY";
    case CK_ERR_TSA_POLICY:
        return "CK_ERR_TSA_POLICY";
    case CK_ERR_TSA_CERT:
        return "CK_ERR_TSA_CERT";
    default:
        return "CK_ERR_UNKNOWN";
    }
}

void ck_random(void *buf, size_t len)
{
    /* randombytes_buf has no failure path; ck_init only makes sure the implementation is
     * selected and seeded before first use. If init failed, libsodium still initialises its
     * default generator lazily, so there is nothing better to do here. */
    (void)ck_init();
    if (buf == NULL || len == 0)
        return;
    randombytes_buf(buf, len);
}

int ck_equal(const void *a, const void *b, size_t len)
{
    if (len == 0)
        return 1;
    if (a == NULL || b == NULL)
        return 0;
    return sodium_memcmp(a, b, len) == 0 ? 1 : 0;
}

void ck_wipe(void *p, size_t len)
{
    if (p == NULL || len == 0)
        return;
    sodium_memzero(p, len);
}

void *ck_secret_alloc(size_t len)
{
    if (ck_init() != CK_OK)
        return NULL;
    return sodium_malloc(len);
}

void ck_secret_free(void *p)
{
    /* sodium_free wipes the region before releasing it and accepts NULL. */
    sodium_free(p);
}
