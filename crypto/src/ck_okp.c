/*
 * ck_okp.c -- Ed25519 (RFC 8032) and X25519 (RFC 7748) keys on libsodium.
 */
#include <string.h>

#include <sodium.h>

#include "ck/ck.h"
#include "ck_key_internal.h"

int ck_okp_set_private(ck_key *key, ck_err *err)
{
    if (key->type == CK_KEY_ED25519) {
        /* The seed stays first in secret memory (for export); libsodium's expanded secret key
         * follows it in the same guarded allocation. */
        if (crypto_sign_seed_keypair(key->pub, key->secret + CK_ED25519_SK_OFF, key->secret) != 0)
            return ck_err_set(err, CK_ERR_BACKEND, "ed25519: key derivation from seed failed");
    } else {
        /* Fails only for an all-zero result, impossible for a clamped scalar; checked anyway. */
        if (crypto_scalarmult_base(key->pub, key->secret) != 0)
            return ck_err_set(err, CK_ERR_KEY_INVALID, "x25519: scalar gives no public key");
    }
    key->pub_len = 32;
    return CK_OK;
}

/* The y coordinates (little-endian, sign bit clear) of the eight points of order dividing 8:
 * y = 1 (the identity), y = p - 1 (order 2), y = 0 (the two points of order 4), and the two y
 * values of the four points of order 8. tests/test_crypto_keys.c checks that each is a point
 * whose 8th multiple is the identity. */
static const uint8_t ck_ed25519_small_order_y[5][32] = {
    {0x01},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0x00},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
};

int ck_internal_ed25519_small_order_y(size_t i, const uint8_t **y)
{
    if (i >= sizeof ck_ed25519_small_order_y / sizeof ck_ed25519_small_order_y[0])
        return 0;
    *y = ck_ed25519_small_order_y[i];
    return 1;
}

/* An Ed25519 public key is accepted when it is the canonical encoding of a curve point that
 * does not have small order: exactly the keys libsodium's verification can ever accept, and a
 * superset of what RFC 8032 key generation produces. Points with a torsion component but not
 * of small order decode under RFC 8032 section 5.1.3, so they are not rejected here.
 * Cost matters: every did:key resolution and SD-JWT holder key imports one. One point addition
 * (two decodings) proves the encoding canonical and on the curve; small order is then a
 * comparison with the five y coordinates such points can have. */
static int ck_ed25519_pub_ok(const uint8_t pub[32])
{
    static const uint8_t identity[32] = {1};
    uint8_t t[32], y[32];
    /* Adding the identity decodes pub (failing off the curve) and re-encodes it canonically. */
    if (crypto_core_ed25519_add(t, pub, identity) != 0)
        return 0;
    if (memcmp(t, pub, sizeof t) != 0)
        return 0;
    memcpy(y, pub, sizeof y);
    y[31] &= 0x7f;
    for (size_t i = 0; i < sizeof ck_ed25519_small_order_y / sizeof ck_ed25519_small_order_y[0];
         i++)
        if (memcmp(y, ck_ed25519_small_order_y[i], sizeof y) == 0)
            return 0;
    return 1;
}

int ck_okp_set_public(ck_key *key, const uint8_t *pub, ck_err *err)
{
    /* Every 32-byte string is an X25519 public value (RFC 7748 section 5); low-order points
     * are caught by ck_x25519, where the all-zero shared secret would appear. */
    if (key->type == CK_KEY_ED25519 && !ck_ed25519_pub_ok(pub))
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "ed25519: public key is not a canonical point of large order");
    memcpy(key->pub, pub, 32);
    key->pub_len = 32;
    return CK_OK;
}

int ck_ed25519_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig,
                    ck_err *err)
{
    if (crypto_sign_detached(sig, NULL, msg, msg_len, key->secret + CK_ED25519_SK_OFF) != 0)
        return ck_err_set(err, CK_ERR_BACKEND, "ed25519: signing failed");
    return CK_OK;
}

int ck_ed25519_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                      ck_err *err)
{
    /* Straight to libsodium: no allocation on the verification path. */
    if (crypto_sign_verify_detached(sig, msg, msg_len, key->pub) != 0)
        return ck_err_set(err, CK_ERR_SIGNATURE, "ed25519: signature does not verify");
    return CK_OK;
}

int ck_key_to_x25519(const ck_key *key, ck_key **out, ck_err *err)
{
    uint8_t xpub[32];
    if (key == NULL || out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "ck_key_to_x25519: NULL argument");
    *out = NULL;
    if (key->type != CK_KEY_ED25519)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "ck_key_to_x25519: %s key is not Ed25519",
                          ck_key_type_name(key->type));
    /* libsodium refuses small-order and non-canonical points. */
    if (crypto_sign_ed25519_pk_to_curve25519(xpub, key->pub) != 0)
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "ck_key_to_x25519: Ed25519 key has no X25519 equivalent");
    return ck_key_import_public(CK_KEY_X25519, xpub, sizeof xpub, out, err);
}
