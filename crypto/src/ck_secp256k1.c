/*
 * ck_secp256k1.c -- secp256k1 ECDSA (JOSE ES256K, RFC 8812) on libsecp256k1.
 *
 * Signatures are SHA-256(msg) signed with RFC 6979 nonces, serialised as compact R||S.
 * libsecp256k1 only produces low-S signatures and only verifies low-S ones; ES256K does not
 * forbid high-S, so verification normalises S first unless the caller asks for the BIP 62
 * rule with CK_VERIFY_LOW_S.
 */
#include <pthread.h>
#include <string.h>

#include <secp256k1.h>

#include "ck/ck.h"
#include "ck_key_internal.h"

/* One context per process, created and randomised once, read-only afterwards (libsecp256k1
 * documents a context as safe to share between threads for everything but randomize and
 * destroy). It lives until the process exits. */
static pthread_once_t ck_k1_once = PTHREAD_ONCE_INIT;
static secp256k1_context *ck_k1_context;

static void ck_k1_init_once(void)
{
    uint8_t seed[32];
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (ctx == NULL)
        return;
    /* Blinding of the signing and key generation multiplications against side channels. */
    ck_random(seed, sizeof seed);
    if (secp256k1_context_randomize(ctx, seed) != 1) {
        secp256k1_context_destroy(ctx);
        ctx = NULL;
    }
    ck_wipe(seed, sizeof seed);
    ck_k1_context = ctx;
}

static const secp256k1_context *ck_k1_ctx(ck_err *err)
{
    if (pthread_once(&ck_k1_once, ck_k1_init_once) != 0 || ck_k1_context == NULL) {
        ck_err_set(err, CK_ERR_INIT, "secp256k1: cannot create the library context");
        return NULL;
    }
    return ck_k1_context;
}

/* Stores the uncompressed form of key->k1_pub in key->pub. */
static int ck_k1_store_pub(const secp256k1_context *ctx, ck_key *key, ck_err *err)
{
    size_t len = 65;
    if (secp256k1_ec_pubkey_serialize(ctx, key->pub, &len, &key->k1_pub,
                                      SECP256K1_EC_UNCOMPRESSED) != 1 ||
        len != 65)
        return ck_err_set(err, CK_ERR_BACKEND, "secp256k1: cannot serialise public key");
    key->pub_len = 65;
    return CK_OK;
}

int ck_k1_set_private(ck_key *key, ck_err *err)
{
    const secp256k1_context *ctx = ck_k1_ctx(err);
    if (ctx == NULL)
        return CK_ERR_INIT;
    if (secp256k1_ec_seckey_verify(ctx, key->secret) != 1)
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "secp256k1: scalar is not in the range [1, n-1]");
    if (secp256k1_ec_pubkey_create(ctx, &key->k1_pub, key->secret) != 1)
        return ck_err_set(err, CK_ERR_BACKEND, "secp256k1: public key derivation failed");
    return ck_k1_store_pub(ctx, key, err);
}

int ck_k1_set_public(ck_key *key, const uint8_t *pub, size_t len, ck_err *err)
{
    const secp256k1_context *ctx = ck_k1_ctx(err);
    if (ctx == NULL)
        return CK_ERR_INIT;
    /* libsecp256k1 also parses the hybrid encodings 0x06/0x07; only SEC 1 compressed and
     * uncompressed points are accepted here. */
    int prefix_ok = len == 33 ? (pub[0] == 0x02 || pub[0] == 0x03) : pub[0] == 0x04;
    if (!prefix_ok)
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "secp256k1: point prefix 0x%02x does not match its %zu-byte length",
                          (unsigned)pub[0], len);
    if (secp256k1_ec_pubkey_parse(ctx, &key->k1_pub, pub, len) != 1)
        return ck_err_set(err, CK_ERR_KEY_INVALID, "secp256k1: point is not on the curve");
    return ck_k1_store_pub(ctx, key, err);
}

int ck_k1_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig, ck_err *err)
{
    secp256k1_ecdsa_signature s;
    uint8_t digest[CK_SHA256_LEN];
    const secp256k1_context *ctx = ck_k1_ctx(err);
    if (ctx == NULL)
        return CK_ERR_INIT;
    int rc = ck_hash(CK_SHA256, msg, msg_len, digest, err);
    if (rc != CK_OK)
        return rc;
    if (secp256k1_ecdsa_sign(ctx, &s, digest, key->secret, NULL, NULL) != 1)
        return ck_err_set(err, CK_ERR_BACKEND, "secp256k1: signing failed");
    /* Already low-S by construction; normalising costs nothing and makes it a local fact. */
    (void)secp256k1_ecdsa_signature_normalize(ctx, &s, &s);
    if (secp256k1_ecdsa_signature_serialize_compact(ctx, sig, &s) != 1)
        return ck_err_set(err, CK_ERR_BACKEND, "secp256k1: cannot serialise signature");
    return CK_OK;
}

int ck_k1_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                 unsigned flags, ck_err *err)
{
    secp256k1_ecdsa_signature s;
    uint8_t digest[CK_SHA256_LEN];
    const secp256k1_context *ctx = ck_k1_ctx(err);
    if (ctx == NULL)
        return CK_ERR_INIT;
    /* Fails when r or s is >= n; r or s of 0 parse and then fail verification. */
    if (secp256k1_ecdsa_signature_parse_compact(ctx, &s, sig) != 1)
        return ck_err_set(err, CK_ERR_SIGNATURE, "secp256k1: signature r or s is not below n");
    /* normalize returns 1 when S was high (and rewrites it to n - S). */
    if (secp256k1_ecdsa_signature_normalize(ctx, &s, &s) == 1 && (flags & CK_VERIFY_LOW_S))
        return ck_err_set(err, CK_ERR_SIGNATURE,
                          "secp256k1: high-S signature rejected (CK_VERIFY_LOW_S)");
    int rc = ck_hash(CK_SHA256, msg, msg_len, digest, err);
    if (rc != CK_OK)
        return rc;
    if (secp256k1_ecdsa_verify(ctx, &s, digest, &key->k1_pub) != 1)
        return ck_err_set(err, CK_ERR_SIGNATURE, "secp256k1: signature does not verify");
    return CK_OK;
}
