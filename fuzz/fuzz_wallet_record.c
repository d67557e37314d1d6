/* Fuzzes the wallet's record decoder (wallet/wallet.h): the input as a stored (sealed) value of
 * each record kind under a fixed master key, and as a plaintext record body of each kind. A
 * value that opens must decode or be refused with WALLET_ERR_FORMAT; a body that checks must
 * seal and open again to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wallet/wallet.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The master key and ids the seed corpus was sealed with (fuzz/corpus/wallet_record). */
static const uint8_t master[WALLET_MASTER_KEY_LEN] = "civid fuzz_wallet_record key 32";
static const struct {
    wallet_kind kind;
    const char *id;
} recs[] = {{WALLET_KIND_KEY, "key-0000000000000001"},
            {WALLET_KIND_CREDENTIAL, "cred-0000000000000001"},
            {WALLET_KIND_HISTORY, "0000000000000001"}};

static void check_body(wallet_kind kind, const char *id, const uint8_t *body, size_t len)
{
    did_err err;
    int rc = wallet_record_check(kind, body, len, &err);
    if (rc == DID_ERR_NOMEM)
        return;
    if (rc != DID_OK) {
        if (rc != WALLET_ERR_FORMAT)
            abort();
        return;
    }
    did_buf sealed;
    uint8_t *again = NULL;
    size_t again_len = 0;
    did_buf_init(&sealed);
    rc = wallet_record_seal(master, kind, id, body, len, &sealed, &err);
    if (rc == DID_OK)
        rc =
            wallet_record_open(master, kind, id, sealed.data, sealed.len, &again, &again_len, &err);
    if (rc == DID_OK && (again_len != len || memcmp(again, body, len) != 0))
        abort();
    if (rc != DID_OK && rc != DID_ERR_NOMEM && rc != DID_ERR_LIMIT)
        abort();
    ck_secret_free(again);
    did_buf_clear(&sealed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    did_err err;
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        uint8_t *body = NULL;
        size_t len = 0;
        int rc =
            wallet_record_open(master, recs[i].kind, recs[i].id, data, size, &body, &len, &err);
        if (rc == DID_OK) {
            check_body(recs[i].kind, recs[i].id, body, len);
            ck_secret_free(body);
        } else if (body != NULL ||
                   (rc != WALLET_ERR_FORMAT && rc != WALLET_ERR_TAMPERED && rc != DID_ERR_NOMEM)) {
            abort();
        }
        check_body(recs[i].kind, recs[i].id, data, size);
    }
    return 0;
}
