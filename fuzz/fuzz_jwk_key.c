/*
 * fuzz_jwk_key.c -- key import from JWK members (ck_key_import_jwk) and raw public bytes
 * (ck_key_import_public).
 *
 * Input: "kty|crv|x|y|d", split on '|'; an empty or missing field is an absent member (NULL).
 * Independently, the first byte picks a key type (byte % 5 + 1) and the remaining bytes are
 * given to ck_key_import_public as a raw point.
 *
 * Invariants (abort on violation):
 *  - on error, *out stays NULL and the code is one the API documents for that function;
 *  - an imported key re-exports its JWK members byte for byte (strict base64url has one
 *    spelling per value), and that JWK, the raw public forms (compressed and uncompressed)
 *    and the raw secret all re-import to the same public key with the same thumbprint;
 *  - a private key signs, and its public copy verifies the signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ck/ck.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 5

/* The value of "name":"..." in a JWK written by ck_key_export_jwk (no escapes occur there). */
static int jwk_member(const char *jwk, const char *name, const char **val, size_t *len)
{
    char pat[16];
    size_t plen = strlen(name);
    pat[0] = '"';
    memcpy(pat + 1, name, plen);
    memcpy(pat + 1 + plen, "\":\"", 4);
    const char *p = strstr(jwk, pat);
    if (p == NULL)
        return 0;
    p += plen + 4;
    const char *end = strchr(p, '"');
    if (end == NULL)
        abort();
    *val = p;
    *len = (size_t)(end - p);
    return 1;
}

static int same_text(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* Everything a valid key must satisfy; `given` holds the input members (NULL if absent). */
static void check_key(const ck_key *key, const char *const given[NFIELDS],
                      const size_t given_len[NFIELDS])
{
    static const uint8_t msg[] = "fuzz";
    ck_err err;
    ck_key *again = NULL, *pub = NULL;
    char jwk[CK_JWK_MAX_LEN], tp[44], tp2[44];
    uint8_t raw[CK_PUB_MAX_LEN], secret[CK_SECRET_MAX_LEN], sig[CK_SIG_MAX_LEN];
    size_t jwk_len = 0, raw_len = 0, secret_len = 0, sig_len = 0;
    ck_key_type type = ck_key_get_type(key);
    int priv = ck_key_has_private(key);

    if (ck_key_thumbprint_b64(key, tp, &err) != CK_OK)
        abort();

    /* JWK: with "d" if the key has one; members must equal the input's. */
    if (ck_key_export_jwk(key, priv, jwk, sizeof jwk, &jwk_len, &err) != CK_OK ||
        jwk_len != strlen(jwk))
        abort();
    const char *v[NFIELDS] = {NULL, NULL, NULL, NULL, NULL};
    size_t vl[NFIELDS] = {0, 0, 0, 0, 0};
    static const char *names[NFIELDS] = {"kty", "crv", "x", "y", "d"};
    for (int i = 0; i < NFIELDS; i++) {
        int present = jwk_member(jwk, names[i], &v[i], &vl[i]);
        if (given != NULL && present != (given[i] != NULL))
            abort();
        if (given != NULL && present && !same_text(v[i], vl[i], given[i], given_len[i]))
            abort();
    }
    if (ck_key_import_jwk(v[0], vl[0], v[1], vl[1], v[2], vl[2], v[3], vl[3], v[4], vl[4], &again,
                          &err) != CK_OK ||
        ck_key_public_equal(key, again) != 1 || ck_key_has_private(again) != priv ||
        ck_key_thumbprint_b64(again, tp2, &err) != CK_OK || strcmp(tp, tp2) != 0)
        abort();
    ck_key_free(again);
    again = NULL;

    /* Raw public forms. */
    for (int comp = 0; comp <= 1; comp++) {
        if (ck_key_export_public(key, comp, raw, sizeof raw, &raw_len, &err) != CK_OK ||
            ck_key_import_public(type, raw, raw_len, &again, &err) != CK_OK ||
            ck_key_public_equal(key, again) != 1 ||
            ck_key_thumbprint_b64(again, tp2, &err) != CK_OK || strcmp(tp, tp2) != 0)
            abort();
        ck_key_free(again);
        again = NULL;
    }

    if (ck_key_public_copy(key, &pub, &err) != CK_OK || ck_key_has_private(pub) != 0 ||
        ck_key_public_equal(key, pub) != 1)
        abort();
    if (priv) {
        if (ck_key_export_private(key, secret, sizeof secret, &secret_len, &err) != CK_OK ||
            ck_key_import_private(type, secret, secret_len, &again, &err) != CK_OK ||
            ck_key_public_equal(key, again) != 1)
            abort();
        ck_key_free(again);
        again = NULL;
        if (ck_key_jose_alg(type) != NULL) {
            if (ck_sign(key, msg, sizeof msg, sig, sizeof sig, &sig_len, &err) != CK_OK ||
                ck_verify(pub, msg, sizeof msg, sig, sig_len, CK_VERIFY_LOW_S, &err) != CK_OK)
                abort();
            sig[0] ^= 1;
            if (ck_verify(pub, msg, sizeof msg, sig, sig_len, 0, &err) != CK_ERR_SIGNATURE)
                abort();
        }
    }
    ck_wipe(secret, sizeof secret);
    ck_key_free(pub);
}

static void run_jwk(const uint8_t *data, size_t size)
{
    const char *f[NFIELDS] = {NULL, NULL, NULL, NULL, NULL};
    size_t fl[NFIELDS] = {0, 0, 0, 0, 0};
    const char *s = (const char *)data;
    size_t start = 0;
    int i = 0;
    for (size_t pos = 0; pos <= size && i < NFIELDS; pos++) {
        if (pos == size || s[pos] == '|') {
            if (pos > start) {
                f[i] = s + start;
                fl[i] = pos - start;
            }
            i++;
            start = pos + 1;
        }
    }
    ck_key *key = NULL;
    ck_err err;
    int rc = ck_key_import_jwk(f[0], fl[0], f[1], fl[1], f[2], fl[2], f[3], fl[3], f[4], fl[4],
                               &key, &err);
    if (rc != CK_OK) {
        if (key != NULL || err.code != rc)
            abort();
        if (rc != CK_ERR_JWK && rc != CK_ERR_UNSUPPORTED && rc != CK_ERR_BASE64 &&
            rc != CK_ERR_KEY_INVALID && rc != CK_ERR_NOMEM)
            abort();
        return;
    }
    if (key == NULL || ck_key_has_private(key) != (f[4] != NULL))
        abort();
    check_key(key, f, fl);
    ck_key_free(key);
}

static void run_raw(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    ck_key_type type = (ck_key_type)(data[0] % 5 + 1);
    ck_key *key = NULL;
    ck_err err;
    int rc = ck_key_import_public(type, data + 1, size - 1, &key, &err);
    if (rc != CK_OK) {
        if (key != NULL || (rc != CK_ERR_KEY_INVALID && rc != CK_ERR_NOMEM))
            abort();
        return;
    }
    if (key == NULL || ck_key_get_type(key) != type || ck_key_has_private(key))
        abort();
    check_key(key, NULL, NULL);
    ck_key_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_jwk(data, size);
    run_raw(data, size);
    return 0;
}
