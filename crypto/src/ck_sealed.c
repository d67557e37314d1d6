/*
 * ck_sealed.c -- private keys sealed at rest with a passphrase ("CIVIDKEY" v1, see ck.h).
 *
 * Layout: magic(8) version(1) type(1) opslimit(8, BE) memlimit(8, BE) salt(16) nonce(24) | ct+tag.
 * Everything before the ciphertext is the AEAD's associated data, so a changed type or KDF
 * parameter fails authentication like a changed ciphertext does.
 */
#include <string.h>

#include "ck/ck.h"
#include "ck_internal.h"

#define CK_SEALED_MAGIC "CIVIDKEY"
#define CK_SEALED_MAGIC_LEN 8
#define CK_SEALED_VERSION 1
#define CK_SEALED_OFF_VERSION 8
#define CK_SEALED_OFF_TYPE 9
#define CK_SEALED_OFF_OPS 10
#define CK_SEALED_OFF_MEM 18
#define CK_SEALED_OFF_SALT 26
#define CK_SEALED_OFF_NONCE (CK_SEALED_OFF_SALT + CK_KDF_SALT_LEN)
#define CK_SEALED_HEADER_LEN (CK_SEALED_OFF_NONCE + CK_AEAD_NONCE_LEN)

static void ck_put_u64be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t ck_get_u64be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

int ck_key_seal(const ck_key *key, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                uint8_t *out, size_t cap, size_t *out_len, ck_err *err)
{
    uint8_t *secret = NULL;
    uint8_t *aead_key = NULL;
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (key == NULL || out == NULL || (pass == NULL && pass_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "seal: NULL %s",
                          key == NULL ? "key" : out == NULL ? "out" : "passphrase");
    ck_key_type type = ck_key_get_type(key);
    size_t slen = ck_internal_secret_len(type);
    if (slen == 0)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "seal: unknown key type %d", (int)type);
    size_t total = CK_SEALED_HEADER_LEN + slen + CK_AEAD_TAG_LEN;
    if (cap < total)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL, "seal: output needs %zu bytes, have %zu",
                          total, cap);

    secret = ck_secret_alloc(CK_SECRET_MAX_LEN);
    aead_key = ck_secret_alloc(CK_AEAD_KEY_LEN);
    if (secret == NULL || aead_key == NULL) {
        rc = ck_err_set(err, CK_ERR_NOMEM, "seal: cannot allocate secret memory");
        goto out;
    }
    size_t got = 0;
    rc = ck_key_export_private(key, secret, CK_SECRET_MAX_LEN, &got, err);
    if (rc != CK_OK)
        goto out;
    if (got != slen) {
        rc = ck_err_set(err, CK_ERR_BACKEND, "seal: %s secret is %zu bytes, expected %zu",
                        ck_key_type_name(type), got, slen);
        goto out;
    }

    memcpy(out, CK_SEALED_MAGIC, CK_SEALED_MAGIC_LEN);
    out[CK_SEALED_OFF_VERSION] = CK_SEALED_VERSION;
    out[CK_SEALED_OFF_TYPE] = (uint8_t)type;
    ck_put_u64be(out + CK_SEALED_OFF_OPS, params.opslimit);
    ck_put_u64be(out + CK_SEALED_OFF_MEM, params.memlimit);
    ck_random(out + CK_SEALED_OFF_SALT, CK_KDF_SALT_LEN);
    ck_random(out + CK_SEALED_OFF_NONCE, CK_AEAD_NONCE_LEN);

    rc = ck_argon2id(aead_key, CK_AEAD_KEY_LEN, pass, pass_len, out + CK_SEALED_OFF_SALT, params,
                     err);
    if (rc != CK_OK)
        goto out;
    rc = ck_aead_seal(aead_key, out + CK_SEALED_OFF_NONCE, out, CK_SEALED_HEADER_LEN, secret, slen,
                      out + CK_SEALED_HEADER_LEN, err);
    if (rc != CK_OK)
        goto out;
    if (out_len != NULL)
        *out_len = total;
    ck_err_clear(err);
    rc = CK_OK;
out:
    if (rc != CK_OK)
        ck_wipe(out, cap < total ? cap : total);
    ck_secret_free(secret);
    ck_secret_free(aead_key);
    return rc;
}

int ck_key_unseal(const uint8_t *in, size_t len, const uint8_t *pass, size_t pass_len,
                  ck_key **out, ck_err *err)
{
    uint8_t *secret = NULL;
    uint8_t *aead_key = NULL;
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || (in == NULL && len != 0) || (pass == NULL && pass_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "unseal: NULL %s",
                          out == NULL ? "out" : pass == NULL ? "passphrase" : "in");
    *out = NULL;

    /* Every field is checked against the bytes actually present before it is read. */
    if (len < CK_SEALED_HEADER_LEN)
        return ck_err_set(err, CK_ERR_SEALED_FORMAT,
                          "unseal: %zu bytes is shorter than the %d-byte header", len,
                          CK_SEALED_HEADER_LEN);
    if (memcmp(in, CK_SEALED_MAGIC, CK_SEALED_MAGIC_LEN) != 0)
        return ck_err_set(err, CK_ERR_SEALED_FORMAT, "unseal: bad magic at offset 0");
    if (in[CK_SEALED_OFF_VERSION] != CK_SEALED_VERSION)
        return ck_err_set(err, CK_ERR_SEALED_FORMAT, "unseal: unsupported version %u at offset %d",
                          (unsigned)in[CK_SEALED_OFF_VERSION], CK_SEALED_OFF_VERSION);
    ck_key_type type = (ck_key_type)in[CK_SEALED_OFF_TYPE];
    size_t slen = ck_internal_secret_len(type);
    if (slen == 0)
        return ck_err_set(err, CK_ERR_SEALED_FORMAT, "unseal: unknown key type %u at offset %d",
                          (unsigned)in[CK_SEALED_OFF_TYPE], CK_SEALED_OFF_TYPE);
    size_t total = CK_SEALED_HEADER_LEN + slen + CK_AEAD_TAG_LEN;
    if (len != total)
        return ck_err_set(err, CK_ERR_SEALED_FORMAT,
                          "unseal: length %zu, a sealed %s key is exactly %zu bytes", len,
                          ck_key_type_name(type), total);

    /* Range-check before Argon2 runs: the file decides how much memory it would take. */
    ck_kdf_params params = {ck_get_u64be(in + CK_SEALED_OFF_OPS),
                            ck_get_u64be(in + CK_SEALED_OFF_MEM)};
    ck_kdf_params min = ck_kdf_params_min();
    if (params.opslimit < min.opslimit || params.opslimit > CK_KDF_OPSLIMIT_MAX)
        return ck_err_set(err, CK_ERR_KDF,
                          "unseal: opslimit %llu at offset %d outside [%llu, %llu]",
                          (unsigned long long)params.opslimit, CK_SEALED_OFF_OPS,
                          (unsigned long long)min.opslimit, CK_KDF_OPSLIMIT_MAX);
    if (params.memlimit < min.memlimit || params.memlimit > CK_KDF_MEMLIMIT_MAX)
        return ck_err_set(err, CK_ERR_KDF,
                          "unseal: memlimit %llu at offset %d outside [%llu, %llu]",
                          (unsigned long long)params.memlimit, CK_SEALED_OFF_MEM,
                          (unsigned long long)min.memlimit, CK_KDF_MEMLIMIT_MAX);

    secret = ck_secret_alloc(CK_SECRET_MAX_LEN);
    aead_key = ck_secret_alloc(CK_AEAD_KEY_LEN);
    if (secret == NULL || aead_key == NULL) {
        rc = ck_err_set(err, CK_ERR_NOMEM, "unseal: cannot allocate secret memory");
        goto out;
    }
    rc = ck_argon2id(aead_key, CK_AEAD_KEY_LEN, pass, pass_len, in + CK_SEALED_OFF_SALT, params,
                     err);
    if (rc != CK_OK)
        goto out;
    rc = ck_aead_open(aead_key, in + CK_SEALED_OFF_NONCE, in, CK_SEALED_HEADER_LEN,
                      in + CK_SEALED_HEADER_LEN, slen + CK_AEAD_TAG_LEN, secret, err);
    if (rc != CK_OK) {
        rc = ck_err_set(err, CK_ERR_PASSPHRASE,
                        "unseal: wrong passphrase, or the file was modified");
        goto out;
    }
    rc = ck_key_import_private(type, secret, slen, out, err);
out:
    ck_secret_free(secret);
    ck_secret_free(aead_key);
    return rc;
}
