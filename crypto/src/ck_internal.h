/*
 * ck_internal.h -- helpers shared between the crypto-core source files (not installed).
 */
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H

#include <openssl/evp.h>

#include "ck/ck.h"

/* The process-wide EVP_MD fetched once by ck_init for alg, or NULL if alg is unknown or
 * ck_init has not succeeded. The returned object is read-only and never freed. */
const EVP_MD *ck_internal_md(ck_hash_alg alg);

/* Raw secret length of a key type (32 or 48), or 0 for an unknown type. */
size_t ck_internal_secret_len(ck_key_type type);

#endif /* CK_INTERNAL_H */
