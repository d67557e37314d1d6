/* Fuzzes the sealed-key parser (ck_key_unseal) with the passphrase "pass". Inputs whose header
 * asks for more than the minimum Argon2id cost are skipped so each run stays in the
 * microsecond-to-millisecond range; the range checks themselves are covered by the unit tests.
 * A file that opens must re-seal and re-open to the same key. */
#include <stdint.h>
#include <stdlib.h>

#include <ck/ck.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t get_u64be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t pass[] = {'p', 'a', 's', 's'};
    ck_key *key = NULL;
    ck_key *again = NULL;
    ck_err err;
    uint8_t sealed[CK_SEALED_MAX_LEN];
    size_t sealed_len = 0;

    /* opslimit is bytes 10..17, memlimit 18..25 (ck.h, CIVIDKEY v1). */
    if (size >= 26) {
        ck_kdf_params min = ck_kdf_params_min();
        if (get_u64be(data + 10) > min.opslimit || get_u64be(data + 18) > min.memlimit)
            return 0;
    }
    int rc = ck_key_unseal(data, size, pass, sizeof pass, &key, &err);
    if (rc != CK_OK) {
        if (key != NULL)
            abort(); /* *out must stay NULL on error */
        if (rc != CK_ERR_SEALED_FORMAT && rc != CK_ERR_KDF && rc != CK_ERR_PASSPHRASE &&
            rc != CK_ERR_NOMEM)
            abort();
        goto out;
    }
    if (key == NULL || !ck_key_has_private(key) || (size > 9 && ck_key_get_type(key) != data[9]))
        abort();
    rc = ck_key_seal(key, pass, sizeof pass, ck_kdf_params_min(), sealed, sizeof sealed,
                     &sealed_len, &err);
    if (rc == CK_ERR_NOMEM || rc == CK_ERR_KDF)
        goto out; /* Argon2 may fail to get its memory under a tight RSS limit */
    if (rc != CK_OK || sealed_len != size)
        abort();
    rc = ck_key_unseal(sealed, sealed_len, pass, sizeof pass, &again, &err);
    if (rc == CK_ERR_NOMEM || rc == CK_ERR_KDF)
        goto out;
    if (rc != CK_OK || ck_key_public_equal(key, again) != 1)
        abort();
out:
    ck_key_free(again);
    ck_key_free(key);
    return 0;
}
