/*
 * ck_aead.c -- XChaCha20-Poly1305 (IETF) on libsodium.
 */
#include <sodium.h>

#include "ck/ck.h"

int ck_aead_seal(const uint8_t key[CK_AEAD_KEY_LEN], const uint8_t nonce[CK_AEAD_NONCE_LEN],
                 const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct,
                 ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (key == NULL || nonce == NULL || ct == NULL)
        return ck_err_set(err, CK_ERR_ARG, "aead seal: NULL %s",
                          key == NULL ? "key" : nonce == NULL ? "nonce" : "ct");
    if ((ad == NULL && ad_len != 0) || (pt == NULL && pt_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "aead seal: NULL %s with non-zero length",
                          pt == NULL ? "pt" : "ad");
    if (pt_len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX)
        return ck_err_set(err, CK_ERR_LIMIT, "aead seal: plaintext of %zu bytes exceeds %zu",
                          pt_len, (size_t)crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX);
    unsigned long long ct_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ct_len, pt, pt_len, ad, ad_len, NULL,
                                                   nonce, key) != 0 ||
        ct_len != (unsigned long long)pt_len + CK_AEAD_TAG_LEN)
        return ck_err_set(err, CK_ERR_BACKEND, "aead seal: libsodium encryption failed");
    ck_err_clear(err);
    return CK_OK;
}

int ck_aead_open(const uint8_t key[CK_AEAD_KEY_LEN], const uint8_t nonce[CK_AEAD_NONCE_LEN],
                 const uint8_t *ad, size_t ad_len, const uint8_t *ct, size_t ct_len, uint8_t *pt,
                 ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (key == NULL || nonce == NULL || ct == NULL)
        return ck_err_set(err, CK_ERR_ARG, "aead open: NULL %s",
                          key == NULL ? "key" : nonce == NULL ? "nonce" : "ct");
    if (ad == NULL && ad_len != 0)
        return ck_err_set(err, CK_ERR_ARG, "aead open: NULL ad with non-zero length");
    if (ct_len < CK_AEAD_TAG_LEN)
        return ck_err_set(err, CK_ERR_DECRYPT,
                          "aead open: ciphertext of %zu bytes is shorter than the %d-byte tag",
                          ct_len, CK_AEAD_TAG_LEN);
    size_t pt_len = ct_len - CK_AEAD_TAG_LEN;
    if (pt == NULL && pt_len != 0)
        return ck_err_set(err, CK_ERR_ARG, "aead open: NULL pt");
    unsigned long long got = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &got, NULL, ct, ct_len, ad, ad_len,
                                                   nonce, key) != 0) {
        /* libsodium leaves pt untouched on failure, but callers must never see unauthenticated
         * bytes, whatever the backend does. */
        ck_wipe(pt, pt_len);
        return ck_err_set(err, CK_ERR_DECRYPT,
                          "aead open: authentication tag does not verify (wrong key or tampered)");
    }
    ck_err_clear(err);
    return CK_OK;
}
