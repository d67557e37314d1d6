/* errors.c -- names of the wallet's error codes (spec/errors.md, "Wallet"). */
#include "wallet_internal.h"

const char *wallet_err_name(int code)
{
    switch (code) {
#define N(c) \
    case c:  \
        return #c
        N(WALLET_ERR_PASSPHRASE);
        N(WALLET_ERR_STORE);
        N(WALLET_ERR_FORMAT);
        N(WALLET_ERR_TAMPERED);
        N(WALLET_ERR_NO_WALLET);
        N(WALLET_ERR_EXISTS);
        N(WALLET_ERR_NOT_FOUND);
        N(WALLET_ERR_UNVERIFIED);
        N(WALLET_ERR_HOLDER_KEY);
        N(WALLET_ERR_PRESENT);
        N(WALLET_ERR_BACKUP);
        N(WALLET_ERR_BACKUP_AUTH);
        N(WALLET_ERR_NOT_EMPTY);
#undef N
    }
    return did_err_name(code);
}
