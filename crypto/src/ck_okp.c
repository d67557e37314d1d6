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

/* An Ed25519 public key is accepted when it is the canonical encoding of a curve point that
 * does not have small order: exactly the keys libsodium's verification can ever accept, and a
 * superset of what RFC 8032 key generation produces. Points with a torsion component but not
 * of small order decode under RFC 8032 section 5.1.3, so they are not rejected here. */
static int ck_ed25519_pub_ok(const uint8_t pub[32])
{
    static const uint8_t identity[32] = {1};
    uint8_t t[32];
    /* Adding the identity decodes pub (failing off the curve) and re-encodes it canonically. */
    if (crypto_core_ed25519_add(t, pub, identity) != 0)
        return 0;
    if (memcmp(t, pub, sizeof t) != 0)
        return 0;
    /* Small order means 8*P is the identity; three doublings give 8*P. */
    for (int i = 0; i < 3; i++) {
        if (crypto_core_ed25519_add(t, t, t) != 0)
            return 0;
    }
    return memcmp(t, identity, sizeof t) != 0;
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
