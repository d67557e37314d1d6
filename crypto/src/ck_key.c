/*
 * ck_key.c -- the ck_key handle: type names, generate/import/export, sign/verify dispatch.
 *
 * The backends (ck_okp.c, ck_ec.c, ck_secp256k1.c) only see arguments already checked here,
 * so every length and NULL check of the public API lives in this one file.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ck/ck.h"
#include "ck_internal.h"
#include "ck_key_internal.h"

/* Group orders n (SEC 2 / FIPS 186-4), big-endian. */
static const uint8_t ck_order_p256[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
static const uint8_t ck_order_p384[48] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};
static const uint8_t ck_order_k1[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

/* Random EC scalars are drawn by rejection; for these curves one draw fails with probability
 * below 2^-32, so running out of attempts means the generator is broken. */
#define CK_KEYGEN_ATTEMPTS 64

static int ck_type_known(ck_key_type t)
{
    return ck_internal_secret_len(t) != 0;
}

static int ck_type_is_ec(ck_key_type t)
{
    return t == CK_KEY_P256 || t == CK_KEY_P384 || t == CK_KEY_SECP256K1;
}

const char *ck_key_type_name(ck_key_type t)
{
    switch (t) {
    case CK_KEY_ED25519:
        return "ed25519";
    case CK_KEY_P256:
        return "p256";
    case CK_KEY_P384:
        return "p384";
    case CK_KEY_SECP256K1:
        return "secp256k1";
    case CK_KEY_X25519:
        return "x25519";
    }
    return NULL;
}

int ck_key_type_from_name(const char *name, size_t len, ck_key_type *out, ck_err *err)
{
    static const ck_key_type types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384, CK_KEY_SECP256K1,
                                        CK_KEY_X25519};
    if (out == NULL || (name == NULL && len != 0))
        return ck_err_set(err, CK_ERR_ARG, "key type name: NULL %s", out == NULL ? "out" : "name");
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const char *n = ck_key_type_name(types[i]);
        if (strlen(n) == len && memcmp(n, name, len) == 0) {
            *out = types[i];
            ck_err_clear(err);
            return CK_OK;
        }
    }
    /* The name is outside input of any content, so only its length goes into the message. */
    return ck_err_set(err, CK_ERR_UNSUPPORTED, "unsupported key type name (%zu bytes)", len);
}

const char *ck_key_jose_alg(ck_key_type t)
{
    switch (t) {
    case CK_KEY_ED25519:
        return "EdDSA";
    case CK_KEY_P256:
        return "ES256";
    case CK_KEY_P384:
        return "ES384";
    case CK_KEY_SECP256K1:
        return "ES256K";
    case CK_KEY_X25519:
        return NULL;
    }
    return NULL;
}

size_t ck_key_coord_len(ck_key_type type)
{
    switch (type) {
    case CK_KEY_P256:
    case CK_KEY_SECP256K1:
        return 32;
    case CK_KEY_P384:
        return 48;
    case CK_KEY_ED25519:
    case CK_KEY_X25519:
        return 0;
    }
    return 0;
}

size_t ck_key_sig_len(ck_key_type type)
{
    switch (type) {
    case CK_KEY_ED25519:
    case CK_KEY_P256:
    case CK_KEY_SECP256K1:
        return 64;
    case CK_KEY_P384:
        return 96;
    case CK_KEY_X25519:
        return 0;
    }
    return 0;
}

const uint8_t *ck_key_order(ck_key_type type)
{
    switch (type) {
    case CK_KEY_P256:
        return ck_order_p256;
    case CK_KEY_P384:
        return ck_order_p384;
    case CK_KEY_SECP256K1:
        return ck_order_k1;
    case CK_KEY_ED25519:
    case CK_KEY_X25519:
        return NULL;
    }
    return NULL;
}

int ck_key_ct_lt_be(const uint8_t *a, const uint8_t *b, size_t len)
{
    /* Scan from the least significant byte; the most significant differing byte decides.
     * lt/gt are 0 or 1 and no branch depends on the data. */
    unsigned lt = 0;
    for (size_t i = len; i-- > 0;) {
        unsigned x = a[i], y = b[i];
        unsigned is_lt = ((x - y) >> 8) & 1u; /* x < y: the subtraction borrows */
        unsigned is_gt = ((y - x) >> 8) & 1u;
        unsigned differ = is_lt | is_gt;
        lt = (lt & (differ ^ 1u)) | is_lt;
    }
    return (int)lt;
}

int ck_key_ct_is_zero(const uint8_t *p, size_t len)
{
    unsigned acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= p[i];
    return (int)(((acc - 1u) >> 8) & 1u);
}

int ck_key_scalar_in_range(ck_key_type type, const uint8_t *d)
{
    const uint8_t *n = ck_key_order(type);
    size_t len = ck_key_coord_len(type);
    if (n == NULL || len == 0)
        return 0;
    return (ck_key_ct_is_zero(d, len) ^ 1) & ck_key_ct_lt_be(d, n, len);
}

void ck_key_free(ck_key *key)
{
    if (key == NULL)
        return;
    ck_secret_free(key->secret);
    EVP_PKEY_free(key->ec_pub);
    free(key);
}

ck_key_type ck_key_get_type(const ck_key *key)
{
    return key == NULL ? (ck_key_type)0 : key->type;
}

int ck_key_has_private(const ck_key *key)
{
    return key != NULL && key->secret != NULL;
}

static int ck_key_alloc(ck_key_type type, int with_secret, ck_key **out, ck_err *err)
{
    ck_key *key = calloc(1, sizeof *key);
    if (key == NULL)
        return ck_err_set(err, CK_ERR_NOMEM, "key: out of memory");
    key->type = type;
    if (with_secret) {
        key->secret_len = ck_internal_secret_len(type);
        size_t alloc = type == CK_KEY_ED25519 ? CK_ED25519_SECRET_ALLOC : key->secret_len;
        key->secret = ck_secret_alloc(alloc);
        if (key->secret == NULL) {
            free(key);
            return ck_err_set(err, CK_ERR_NOMEM, "key: cannot allocate secret memory");
        }
    }
    *out = key;
    return CK_OK;
}

/* Runs the backend on a handle whose secret is filled in. */
static int ck_key_set_private(ck_key *key, ck_err *err)
{
    switch (key->type) {
    case CK_KEY_ED25519:
    case CK_KEY_X25519:
        return ck_okp_set_private(key, err);
    case CK_KEY_P256:
    case CK_KEY_P384:
        return ck_ec_set_private(key, err);
    case CK_KEY_SECP256K1:
        return ck_k1_set_private(key, err);
    }
    return ck_err_set(err, CK_ERR_UNSUPPORTED, "key: unsupported key type %d", (int)key->type);
}

int ck_key_generate(ck_key_type type, ck_key **out, ck_err *err)
{
    ck_key *key = NULL;
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "generate: NULL out");
    *out = NULL;
    if (!ck_type_known(type))
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "generate: unsupported key type %d", (int)type);
    rc = ck_key_alloc(type, 1, &key, err);
    if (rc != CK_OK)
        return rc;
    if (ck_type_is_ec(type)) {
        int found = 0;
        for (int i = 0; i < CK_KEYGEN_ATTEMPTS && !found; i++) {
            ck_random(key->secret, key->secret_len);
            found = ck_key_scalar_in_range(type, key->secret);
        }
        if (!found) {
            rc = ck_err_set(err, CK_ERR_BACKEND, "generate: random generator gave no %s scalar",
                            ck_key_type_name(type));
            goto out;
        }
    } else {
        ck_random(key->secret, key->secret_len);
    }
    rc = ck_key_set_private(key, err);
    if (rc != CK_OK)
        goto out;
    *out = key;
    key = NULL;
    ck_err_clear(err);
out:
    ck_key_free(key);
    return rc;
}

int ck_key_import_private(ck_key_type type, const uint8_t *secret, size_t len, ck_key **out,
                          ck_err *err)
{
    ck_key *key = NULL;
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || (secret == NULL && len != 0))
        return ck_err_set(err, CK_ERR_ARG, "import private: NULL %s",
                          out == NULL ? "out" : "secret");
    *out = NULL;
    if (!ck_type_known(type))
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "import private: unsupported key type %d",
                          (int)type);
    size_t need = ck_internal_secret_len(type);
    if (len != need)
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "import private: %s secret is %zu bytes, got %zu", ck_key_type_name(type),
                          need, len);
    if (ck_type_is_ec(type) && !ck_key_scalar_in_range(type, secret))
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "import private: %s scalar is not in the range [1, n-1]",
                          ck_key_type_name(type));
    rc = ck_key_alloc(type, 1, &key, err);
    if (rc != CK_OK)
        return rc;
    memcpy(key->secret, secret, len);
    rc = ck_key_set_private(key, err);
    if (rc != CK_OK)
        goto out;
    *out = key;
    key = NULL;
    ck_err_clear(err);
out:
    ck_key_free(key);
    return rc;
}

int ck_key_import_public(ck_key_type type, const uint8_t *pub, size_t len, ck_key **out,
                         ck_err *err)
{
    ck_key *key = NULL;
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || (pub == NULL && len != 0))
        return ck_err_set(err, CK_ERR_ARG, "import public: NULL %s", out == NULL ? "out" : "pub");
    *out = NULL;
    if (!ck_type_known(type))
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "import public: unsupported key type %d",
                          (int)type);
    size_t c = ck_key_coord_len(type);
    if (c == 0 ? len != 32 : (len != 1 + c && len != 1 + 2 * c)) {
        if (c == 0)
            return ck_err_set(err, CK_ERR_KEY_INVALID,
                              "import public: %s public key is 32 bytes, got %zu",
                              ck_key_type_name(type), len);
        return ck_err_set(err, CK_ERR_KEY_INVALID,
                          "import public: %s point is %zu (compressed) or %zu bytes, got %zu",
                          ck_key_type_name(type), 1 + c, 1 + 2 * c, len);
    }
    rc = ck_key_alloc(type, 0, &key, err);
    if (rc != CK_OK)
        return rc;
    switch (type) {
    case CK_KEY_ED25519:
    case CK_KEY_X25519:
        rc = ck_okp_set_public(key, pub, err);
        break;
    case CK_KEY_P256:
    case CK_KEY_P384:
        rc = ck_ec_set_public(key, pub, len, err);
        break;
    case CK_KEY_SECP256K1:
        rc = ck_k1_set_public(key, pub, len, err);
        break;
    }
    if (rc != CK_OK)
        goto out;
    *out = key;
    key = NULL;
    ck_err_clear(err);
out:
    ck_key_free(key);
    return rc;
}

int ck_key_public_copy(const ck_key *key, ck_key **out, ck_err *err)
{
    ck_key *copy = NULL;
    if (out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "public copy: NULL out");
    *out = NULL;
    if (key == NULL)
        return ck_err_set(err, CK_ERR_ARG, "public copy: NULL key");
    int rc = ck_key_alloc(key->type, 0, &copy, err);
    if (rc != CK_OK)
        return rc;
    memcpy(copy->pub, key->pub, key->pub_len);
    copy->pub_len = key->pub_len;
    copy->k1_pub = key->k1_pub;
    /* The public EVP_PKEY is immutable after import, so the copy shares it. */
    if (key->ec_pub != NULL) {
        if (EVP_PKEY_up_ref(key->ec_pub) != 1) {
            ck_key_free(copy);
            return ck_err_set(err, CK_ERR_BACKEND, "public copy: EVP_PKEY_up_ref failed");
        }
        copy->ec_pub = key->ec_pub;
    }
    *out = copy;
    ck_err_clear(err);
    return CK_OK;
}

int ck_key_export_public(const ck_key *key, int compressed, uint8_t *out, size_t cap,
                         size_t *out_len, ck_err *err)
{
    if (key == NULL || out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "export public: NULL %s", key == NULL ? "key" : "out");
    size_t c = ck_key_coord_len(key->type);
    size_t need = c == 0 ? key->pub_len : compressed ? 1 + c : 1 + 2 * c;
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL, "export public: needs %zu bytes, have %zu",
                          need, cap);
    if (c != 0 && compressed) {
        /* pub is 0x04||X||Y; the compressed prefix carries the parity of Y. */
        out[0] = (uint8_t)(0x02 | (key->pub[2 * c] & 1));
        memcpy(out + 1, key->pub + 1, c);
    } else {
        memcpy(out, key->pub, need);
    }
    if (out_len != NULL)
        *out_len = need;
    ck_err_clear(err);
    return CK_OK;
}

int ck_key_export_private(const ck_key *key, uint8_t *out, size_t cap, size_t *out_len, ck_err *err)
{
    if (key == NULL || out == NULL)
        return ck_err_set(err, CK_ERR_ARG, "export private: NULL %s", key == NULL ? "key" : "out");
    if (key->secret == NULL)
        return ck_err_set(err, CK_ERR_KEY_NO_PRIVATE, "export private: %s key has no private part",
                          ck_key_type_name(key->type));
    if (cap < key->secret_len)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL, "export private: needs %zu bytes, have %zu",
                          key->secret_len, cap);
    memcpy(out, key->secret, key->secret_len);
    if (out_len != NULL)
        *out_len = key->secret_len;
    ck_err_clear(err);
    return CK_OK;
}

int ck_key_public_equal(const ck_key *a, const ck_key *b)
{
    if (a == NULL || b == NULL)
        return 0;
    return a->type == b->type && a->pub_len == b->pub_len &&
           memcmp(a->pub, b->pub, a->pub_len) == 0;
}

int ck_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t cap,
            size_t *sig_len, ck_err *err)
{
    static const uint8_t empty[1] = {0};
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (key == NULL || sig == NULL || (msg == NULL && msg_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "sign: NULL %s",
                          key == NULL   ? "key"
                          : sig == NULL ? "sig"
                                        : "msg");
    if (msg == NULL)
        msg = empty;
    size_t need = ck_key_sig_len(key->type);
    if (need == 0)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "sign: %s keys cannot sign",
                          ck_key_type_name(key->type));
    if (key->secret == NULL)
        return ck_err_set(err, CK_ERR_KEY_NO_PRIVATE, "sign: %s key has no private part",
                          ck_key_type_name(key->type));
    if (cap < need)
        return ck_err_set(err, CK_ERR_BUFFER_SMALL, "sign: signature needs %zu bytes, have %zu",
                          need, cap);
    switch (key->type) {
    case CK_KEY_ED25519:
        rc = ck_ed25519_sign(key, msg, msg_len, sig, err);
        break;
    case CK_KEY_P256:
    case CK_KEY_P384:
        rc = ck_ec_sign(key, msg, msg_len, sig, err);
        break;
    case CK_KEY_SECP256K1:
        rc = ck_k1_sign(key, msg, msg_len, sig, err);
        break;
    case CK_KEY_X25519:
        rc = CK_ERR_UNSUPPORTED; /* unreachable: sig_len is 0 */
        break;
    }
    if (rc != CK_OK) {
        ck_wipe(sig, need);
        return rc;
    }
    if (sig_len != NULL)
        *sig_len = need;
    ck_err_clear(err);
    return CK_OK;
}

int ck_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
              size_t sig_len, unsigned flags, ck_err *err)
{
    static const uint8_t empty[1] = {0};
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (key == NULL || (sig == NULL && sig_len != 0) || (msg == NULL && msg_len != 0))
        return ck_err_set(err, CK_ERR_ARG, "verify: NULL %s",
                          key == NULL   ? "key"
                          : sig == NULL ? "sig"
                                        : "msg");
    if (msg == NULL)
        msg = empty;
    size_t need = ck_key_sig_len(key->type);
    if (need == 0)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "verify: %s keys cannot sign",
                          ck_key_type_name(key->type));
    if (sig_len != need)
        return ck_err_set(err, CK_ERR_SIGNATURE, "verify: %s signature is %zu bytes, got %zu",
                          ck_key_type_name(key->type), need, sig_len);
    switch (key->type) {
    case CK_KEY_ED25519:
        rc = ck_ed25519_verify(key, msg, msg_len, sig, err);
        break;
    case CK_KEY_P256:
    case CK_KEY_P384:
        rc = ck_ec_verify(key, msg, msg_len, sig, err);
        break;
    case CK_KEY_SECP256K1:
        rc = ck_k1_verify(key, msg, msg_len, sig, flags, err);
        break;
    case CK_KEY_X25519:
        rc = CK_ERR_UNSUPPORTED; /* unreachable: sig_len is 0 */
        break;
    }
    if (rc != CK_OK)
        return rc;
    ck_err_clear(err);
    return CK_OK;
}
