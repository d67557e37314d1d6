/*
 * ck_x25519.c -- X25519 key agreement (RFC 7748) on libsodium.
 */
#include <sodium.h>

#include "ck/ck.h"

int ck_x25519(uint8_t shared[32], const uint8_t scalar[32], const uint8_t point[32], ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (shared == NULL || scalar == NULL || point == NULL)
        return ck_err_set(err, CK_ERR_ARG, "x25519: NULL %s",
                          shared == NULL ? "shared" : scalar == NULL ? "scalar" : "point");
    /* libsodium fails exactly when the result is all zero, i.e. the point has small order;
     * such a "shared secret" is known to an attacker (RFC 7748 section 6.1). */
    if (crypto_scalarmult(shared, scalar, point) != 0) {
        ck_wipe(shared, 32);
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "x25519: point has small order (all-zero shared secret)");
    }
    ck_err_clear(err);
    return CK_OK;
}
