/*
 * ck_jwk.c -- JWK import/export (RFC 7517, 7518, 8037, 8812) and thumbprints (RFC 7638).
 *
 * There is no JSON here: import takes the member values a JSON parser has already extracted,
 * export writes the few fixed shapes with snprintf. The public export is, byte for byte, the
 * RFC 7638 thumbprint input (required members only, lexicographic order, no whitespace), so
 * the thumbprint hashes exactly what export writes.
 */
#include <stdio.h>
#include <string.h>

#include "ck/ck.h"
#include "ck_internal.h"
#include "ck_key_internal.h"

/* Base64url text of the largest member value (48 bytes) plus NUL. */
#define CK_JWK_B64_MAX 65

static const struct {
    ck_key_type type;
    const char *kty;
    const char *crv;
} ck_jwk_curves[] = {
    {CK_KEY_ED25519, "OKP", "Ed25519"},    {CK_KEY_X25519, "OKP", "X25519"},
    {CK_KEY_P256, "EC", "P-256"},          {CK_KEY_P384, "EC", "P-384"},
    {CK_KEY_SECP256K1, "EC", "secp256k1"},
};

#define CK_JWK_NCURVES (sizeof ck_jwk_curves / sizeof ck_jwk_curves[0])

static int ck_jwk_eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

/* Index of type in ck_jwk_curves, or CK_JWK_NCURVES. */
static size_t ck_jwk_curve_of(ck_key_type type)
{
    size_t i = 0;
    while (i < CK_JWK_NCURVES && ck_jwk_curves[i].type != type)
        i++;
    return i;
}

/* Decodes a member that must be exactly `want` bytes. The length is checked on the text first
 * so an oversized value is rejected before any decoding. */
static int ck_jwk_member(const char *name, const char *crv, const char *s, size_t len, uint8_t *out,
                         size_t want, ck_err *err)
{
    if (len != ck_b64url_encoded_len(want))
        return ck_err_set(err, CK_ERR_JWK,
                          "jwk: \"%s\" of a %s key must encode %zu bytes (%zu chars), got %zu "
                          "chars",
                          name, crv, want, ck_b64url_encoded_len(want), len);
    size_t got = 0;
    int rc = ck_b64url_decode(s, len, out, want, &got, err);
    if (rc != CK_OK) {
        /* Keep the code (CK_ERR_BASE64), name the member. */
        return ck_err_set(err, rc, "jwk: \"%s\" is not strict base64url", name);
    }
    if (got != want)
        return ck_err_set(err, CK_ERR_JWK, "jwk: \"%s\" decodes to %zu bytes, expected %zu", name,
                          got, want);
    return CK_OK;
}

int ck_key_import_jwk(const char *kty, size_t kty_len, const char *crv, size_t crv_len,
                      const char *x, size_t x_len, const char *y, size_t y_len, const char *d,
                      size_t d_len, ck_key **out, ck_err *err)
{
    uint8_t pub[CK_PUB_MAX_LEN];
    size_t pub_len = 0;
    uint8_t *secret = NULL;
    ck_key *key = NULL;
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "jwk: NULL out");
    *out = NULL;
    if ((kty == NULL && kty_len != 0) || (crv == NULL && crv_len != 0) ||
        (x == NULL && x_len != 0) || (y == NULL && y_len != 0) || (d == NULL && d_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "jwk: NULL member with non-zero length");
    if (kty == NULL)
        return ck_err_set(err, CK_ERR_JWK, "jwk: missing \"kty\"");
    if (crv == NULL)
        return ck_err_set(err, CK_ERR_JWK, "jwk: missing \"crv\"");
    if (x == NULL)
        return ck_err_set(err, CK_ERR_JWK, "jwk: missing \"x\"");

    int is_okp = ck_jwk_eq(kty, kty_len, "OKP");
    if (!is_okp && !ck_jwk_eq(kty, kty_len, "EC"))
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "jwk: unsupported \"kty\" (%zu chars)", kty_len);
    size_t i = 0;
    while (i < CK_JWK_NCURVES && !ck_jwk_eq(crv, crv_len, ck_jwk_curves[i].crv))
        i++;
    if (i == CK_JWK_NCURVES)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "jwk: unsupported \"crv\" (%zu chars)", crv_len);
    ck_key_type type = ck_jwk_curves[i].type;
    const char *crv_name = ck_jwk_curves[i].crv;
    if (!ck_jwk_eq(kty, kty_len, ck_jwk_curves[i].kty))
        return ck_err_set(err, CK_ERR_JWK, "jwk: \"crv\" %s needs \"kty\" %s", crv_name,
                          ck_jwk_curves[i].kty);

    size_t c = ck_key_coord_len(type);
    if (is_okp) {
        if (y != NULL)
            return ck_err_set(err, CK_ERR_JWK, "jwk: \"y\" is not allowed for %s", crv_name);
        rc = ck_jwk_member("x", crv_name, x, x_len, pub, 32, err);
        if (rc != CK_OK)
            return rc;
        pub_len = 32;
    } else {
        if (y == NULL)
            return ck_err_set(err, CK_ERR_JWK, "jwk: missing \"y\" for %s", crv_name);
        pub[0] = 0x04;
        rc = ck_jwk_member("x", crv_name, x, x_len, pub + 1, c, err);
        if (rc != CK_OK)
            return rc;
        rc = ck_jwk_member("y", crv_name, y, y_len, pub + 1 + c, c, err);
        if (rc != CK_OK)
            return rc;
        pub_len = 1 + 2 * c;
    }

    if (d == NULL)
        return ck_key_import_public(type, pub, pub_len, out, err);

    size_t slen = ck_internal_secret_len(type);
    secret = ck_secret_alloc(slen);
    if (secret == NULL)
        return ck_err_set(err, CK_ERR_NOMEM, "jwk: cannot allocate secret memory");
    rc = ck_jwk_member("d", crv_name, d, d_len, secret, slen, err);
    if (rc != CK_OK)
        goto out;
    rc = ck_key_import_private(type, secret, slen, &key, err);
    if (rc != CK_OK)
        goto out;
    /* pub was given in canonical form (32 bytes or uncompressed), as the handle stores it. */
    if (key->pub_len != pub_len || memcmp(key->pub, pub, pub_len) != 0) {
        rc = ck_err_set(err, CK_ERR_JWK, "jwk: \"d\" does not match the public key of the %s",
                        is_okp ? "\"x\" member" : "\"x\" and \"y\" members");
        goto out;
    }
    *out = key;
    key = NULL;
    ck_err_clear(err);
out:
    ck_key_free(key);
    ck_secret_free(secret);
    return rc;
}

int ck_key_export_jwk(const ck_key *key, int include_private, char *out, size_t cap,
                      size_t *out_len, ck_err *err)
{
    char x[CK_JWK_B64_MAX], y[CK_JWK_B64_MAX], d[CK_JWK_B64_MAX];
    uint8_t secret[CK_SECRET_MAX_LEN];
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (key == NULL || out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "export jwk: NULL %s", key == NULL ? "key" : "out");
    size_t ci = ck_jwk_curve_of(key->type);
    if (ci == CK_JWK_NCURVES)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "export jwk: unknown key type %d",
                          (int)key->type);
    if (include_private && key->secret == NULL)
        return ck_err_set(err, CK_ERR_KEY_NO_PRIVATE, "export jwk: %s key has no private part",
                          ck_key_type_name(key->type));
    const char *crv = ck_jwk_curves[ci].crv;
    size_t c = ck_key_coord_len(key->type);
    d[0] = '\0';

    if (c == 0) {
        rc = ck_b64url_encode(key->pub, 32, x, sizeof x, NULL, err);
    } else {
        rc = ck_b64url_encode(key->pub + 1, c, x, sizeof x, NULL, err);
        if (rc == CK_OK)
            rc = ck_b64url_encode(key->pub + 1 + c, c, y, sizeof y, NULL, err);
    }
    if (rc != CK_OK)
        goto out;
    if (include_private) {
        size_t slen = 0;
        rc = ck_key_export_private(key, secret, sizeof secret, &slen, err);
        if (rc == CK_OK)
            rc = ck_b64url_encode(secret, slen, d, sizeof d, NULL, err);
        if (rc != CK_OK)
            goto out;
    }

    /* Sized first, written second: a truncated write could leave part of "d" in out. */
    int n = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *dst = pass == 0 ? NULL : out;
        size_t dcap = pass == 0 ? 0 : cap;
        if (c == 0 && include_private)
            n = snprintf(dst, dcap, "{\"crv\":\"%s\",\"d\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}",
                         crv, d, x);
        else if (c == 0)
            n = snprintf(dst, dcap, "{\"crv\":\"%s\",\"kty\":\"OKP\",\"x\":\"%s\"}", crv, x);
        else if (include_private)
            n = snprintf(dst, dcap,
                         "{\"crv\":\"%s\",\"d\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
                         crv, d, x, y);
        else
            n = snprintf(dst, dcap, "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
                         crv, x, y);
        if (n < 0) {
            rc = ck_err_set(err, CK_ERR_BACKEND, "export jwk: formatting failed");
            goto out;
        }
        if (pass == 0 && (size_t)n + 1 > cap) {
            rc = ck_err_set(err, CK_ERR_BUFFER_SMALL,
                            "export jwk: needs %zu bytes (with NUL), have %zu", (size_t)n + 1, cap);
            goto out;
        }
    }
    if (out_len != NULL)
        *out_len = (size_t)n;
    ck_err_clear(err);
    rc = CK_OK;
out:
    ck_wipe(secret, sizeof secret);
    ck_wipe(d, sizeof d);
    return rc;
}

int ck_key_thumbprint(const ck_key *key, uint8_t out[CK_THUMBPRINT_LEN], ck_err *err)
{
    char jwk[CK_JWK_MAX_LEN];
    size_t len = 0;
    if (key == NULL || out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "thumbprint: NULL %s", key == NULL ? "key" : "out");
    int rc = ck_key_export_jwk(key, 0, jwk, sizeof jwk, &len, err);
    if (rc != CK_OK)
        return rc;
    return ck_hash(CK_SHA256, jwk, len, out, err);
}

int ck_key_thumbprint_b64(const ck_key *key, char out[44], ck_err *err)
{
    uint8_t tp[CK_THUMBPRINT_LEN];
    if (out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "thumbprint: NULL out");
    int rc = ck_key_thumbprint(key, tp, err);
    if (rc != CK_OK)
        return rc;
    return ck_b64url_encode(tp, sizeof tp, out, 44, NULL, err);
}
