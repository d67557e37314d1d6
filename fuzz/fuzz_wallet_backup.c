/* Fuzzes the parsing of a wallet backup (wallet/wallet.h), what `civid-wallet import-backup`
 * does before it writes anything: wallet_backup_open with the passphrase "fuzz" and the
 * Argon2id cost capped at the minimum (so a header asking for more is refused at once and each
 * run stays fast), then wallet_backup_check of the decrypted records. The input is also
 * checked as plaintext records directly, and plaintext that checks must seal and open again
 * to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wallet/wallet.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t pass[] = {'f', 'u', 'z', 'z'};

static void check_plain(const uint8_t *plain, size_t len)
{
    did_err err;
    int rc = wallet_backup_check(plain, len, &err);
    if (rc != DID_OK) {
        if (rc != WALLET_ERR_BACKUP && rc != DID_ERR_NOMEM)
            abort();
        return;
    }
    did_buf sealed;
    uint8_t *again = NULL;
    size_t again_len = 0;
    did_buf_init(&sealed);
    rc = wallet_backup_seal(plain, len, pass, sizeof pass, ck_kdf_params_min(), &sealed, &err);
    if (rc == DID_OK)
        rc = wallet_backup_open(sealed.data, sealed.len, pass, sizeof pass, ck_kdf_params_min(),
                                &again, &again_len, &err);
    if (rc == DID_OK && (again_len != len || memcmp(again, plain, len) != 0))
        abort();
    if (rc != DID_OK && rc != DID_ERR_NOMEM && rc != CK_ERR_KDF)
        abort();
    ck_secret_free(again);
    did_buf_clear(&sealed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_err err;
    uint8_t *plain = NULL;
    size_t len = 0;
    int rc =
        wallet_backup_open(data, size, pass, sizeof pass, ck_kdf_params_min(), &plain, &len, &err);
    if (rc == DID_OK) {
        check_plain(plain, len);
        ck_secret_free(plain);
    } else if (plain != NULL || (rc != WALLET_ERR_BACKUP && rc != WALLET_ERR_BACKUP_AUTH &&
                                 rc != CK_ERR_KDF && rc != DID_ERR_NOMEM)) {
        abort();
    }
    check_plain(data, size);
    return 0;
}
