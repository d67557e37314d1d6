/*
 * ck_kdf.c -- Argon2id (libsodium crypto_pwhash, ALG_ARGON2ID13).
 */
#include <sodium.h>

#include "ck/ck.h"

ck_kdf_params ck_kdf_params_interactive(void)
{
    ck_kdf_params p = {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                       crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
    return p;
}

ck_kdf_params ck_kdf_params_moderate(void)
{
    ck_kdf_params p = {crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                       crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    return p;
}

ck_kdf_params ck_kdf_params_min(void)
{
    ck_kdf_params p = {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
    return p;
}

int ck_argon2id(uint8_t *out, size_t out_len, const uint8_t *pass, size_t pass_len,
                const uint8_t salt[CK_KDF_SALT_LEN], ck_kdf_params params, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || salt == NULL || (pass == NULL && pass_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "argon2id: NULL %s",
                          out == NULL ? "out" : salt == NULL ? "salt" : "passphrase");
    if (out_len < crypto_pwhash_argon2id_BYTES_MIN || out_len > crypto_pwhash_argon2id_BYTES_MAX)
        return ck_err_set(err, CK_ERR_KDF, "argon2id: output length %zu outside [%zu, %zu]",
                          out_len, (size_t)crypto_pwhash_argon2id_BYTES_MIN,
                          (size_t)crypto_pwhash_argon2id_BYTES_MAX);
    if (pass_len > crypto_pwhash_argon2id_PASSWD_MAX)
        return ck_err_set(err, CK_ERR_KDF, "argon2id: passphrase longer than %zu bytes",
                          (size_t)crypto_pwhash_argon2id_PASSWD_MAX);
    /* Our caps are below libsodium's maxima; checking them first means parameters from a file
     * can never make us allocate more than CK_KDF_MEMLIMIT_MAX. */
    uint64_t ops_max = CK_KDF_OPSLIMIT_MAX;
    if ((uint64_t)crypto_pwhash_argon2id_OPSLIMIT_MAX < ops_max)
        ops_max = crypto_pwhash_argon2id_OPSLIMIT_MAX;
    uint64_t mem_max = CK_KDF_MEMLIMIT_MAX;
    if ((uint64_t)crypto_pwhash_argon2id_MEMLIMIT_MAX < mem_max)
        mem_max = crypto_pwhash_argon2id_MEMLIMIT_MAX;
    if (params.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || params.opslimit > ops_max)
        return ck_err_set(err, CK_ERR_KDF, "argon2id: opslimit %llu outside [%llu, %llu]",
                          (unsigned long long)params.opslimit,
                          (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_MIN,
                          (unsigned long long)ops_max);
    if (params.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN || params.memlimit > mem_max)
        return ck_err_set(err, CK_ERR_KDF, "argon2id: memlimit %llu outside [%llu, %llu]",
                          (unsigned long long)params.memlimit,
                          (unsigned long long)crypto_pwhash_argon2id_MEMLIMIT_MIN,
                          (unsigned long long)mem_max);
    /* An empty passphrase still needs a valid pointer for libsodium. */
    static const char empty[1] = {0};
    const char *pw = pass_len != 0 ? (const char *)pass : empty;
    if (crypto_pwhash(out, (unsigned long long)out_len, pw, (unsigned long long)pass_len, salt,
                      (unsigned long long)params.opslimit, (size_t)params.memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        ck_wipe(out, out_len);
        return ck_err_set(err, CK_ERR_KDF, "argon2id: derivation failed (out of memory?) with "
                                           "memlimit %llu",
                          (unsigned long long)params.memlimit);
    }
    ck_err_clear(err);
    return CK_OK;
}
