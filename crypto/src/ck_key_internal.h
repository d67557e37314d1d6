/*
 * ck_key_internal.h -- the ck_key handle and the per-backend key operations (not installed).
 *
 * ck_key.c owns the handle (allocation, argument checks, dispatch). Each backend fills in the
 * fields of a zeroed handle whose `type` is already set:
 *   ck_okp.c        Ed25519 and X25519 (libsodium)
 *   ck_ec.c         P-256 and P-384 (OpenSSL 3 EVP)
 *   ck_secp256k1.c  secp256k1 (libsecp256k1)
 * Backends are called with valid arguments (lengths checked by ck_key.c) and report errors
 * through ck_err_set; on failure they may leave partially filled fields, which ck_key_free
 * releases.
 */
#ifndef CK_KEY_INTERNAL_H
#define CK_KEY_INTERNAL_H

#include <openssl/evp.h>
#include <secp256k1.h>

#include "ck/ck.h"

/* Ed25519 secret memory: the 32-byte seed followed by libsodium's 64-byte secret key. */
#define CK_ED25519_SEED_LEN 32
#define CK_ED25519_SK_OFF CK_ED25519_SEED_LEN
#define CK_ED25519_SECRET_ALLOC (CK_ED25519_SEED_LEN + 64)

struct ck_key {
    ck_key_type type;
    /* ck_secret_alloc'd: the raw secret (seed or scalar) first, then any derived secret form
     * (Ed25519 only). NULL for a public-only handle. */
    uint8_t *secret;
    size_t secret_len; /* length of the raw secret at the start of `secret` */
    /* Canonical public key: 32 bytes for Ed25519/X25519, 0x04||X||Y for the EC curves, so two
     * handles hold the same public key exactly when these bytes are equal. */
    uint8_t pub[CK_PUB_MAX_LEN];
    size_t pub_len;
    EVP_PKEY *ec_pub;        /* P-256/P-384: public key, built once at import */
    secp256k1_pubkey k1_pub; /* secp256k1: parsed public key */
};

/* Field element / scalar size of an EC curve (32 or 48), 0 if type is not an EC curve. */
size_t ck_key_coord_len(ck_key_type type);
/* JOSE signature length for a signing type, 0 otherwise. */
size_t ck_key_sig_len(ck_key_type type);
/* Constant-time big-endian comparison: 1 if a < b, else 0. */
int ck_key_ct_lt_be(const uint8_t *a, const uint8_t *b, size_t len);
/* 1 if the len bytes at p are all zero (constant time). */
int ck_key_ct_is_zero(const uint8_t *p, size_t len);

/* Orders of the EC groups as big-endian bytes of coord_len (NULL for other types). */
const uint8_t *ck_key_order(ck_key_type type);
/* 1 if the coord_len-byte big-endian scalar d satisfies 0 < d < n (constant time). */
int ck_key_scalar_in_range(ck_key_type type, const uint8_t *d);

/* set_private: key->secret already holds the raw secret (secret_len bytes); the backend
 * derives pub (and any other form it needs) from it and validates it. */

/* Ed25519 / X25519 (ck_okp.c). `pub` is 32 bytes. */
/* Entry i of the table of y coordinates of Ed25519's small-order points (for tests); 0 past
 * its end. */
int ck_internal_ed25519_small_order_y(size_t i, const uint8_t **y);
int ck_okp_set_private(ck_key *key, ck_err *err);
int ck_okp_set_public(ck_key *key, const uint8_t *pub, ck_err *err);
int ck_ed25519_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig,
                    ck_err *err);
int ck_ed25519_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                      ck_err *err);

/* P-256 / P-384 (ck_ec.c). `pub` is a compressed or uncompressed point (33/49 or 65/97
 * bytes). set_public and set_private fill pub and ec_pub. */
int ck_ec_set_private(ck_key *key, ck_err *err);
int ck_ec_set_public(ck_key *key, const uint8_t *pub, size_t len, ck_err *err);
int ck_ec_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig, ck_err *err);
int ck_ec_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                 ck_err *err);

/* secp256k1 (ck_secp256k1.c), same contract as the EC functions. */
int ck_k1_set_private(ck_key *key, ck_err *err);
int ck_k1_set_public(ck_key *key, const uint8_t *pub, size_t len, ck_err *err);
int ck_k1_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig, ck_err *err);
int ck_k1_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                 unsigned flags, ck_err *err);

#endif /* CK_KEY_INTERNAL_H */
