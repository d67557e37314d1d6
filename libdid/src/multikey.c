/*
 * multikey.c -- Multikey (W3C Controlled Identifiers 1.0, section 2.2.2): a key as multibase
 * base58btc of varint(multicodec) || raw key bytes, as publicKeyMultibase, secretKeyMultibase
 * and the did:key method-specific identifier use it.
 *
 * EC public keys are compressed points only: the Multikey definitions for P-256, P-384 and
 * secp256k1 (and did:key v0.9) require the 33/49-byte compressed form and say any other
 * encoding MUST NOT be allowed, so a 65/97-byte uncompressed point is refused even though the
 * crypto library could import it. Together with strict base58 and minimal varints this gives
 * every key exactly one Multikey string.
 */
#include <did/codec.h>

#include "codec_internal.h"

/* p521-priv in the multicodec table; like p521-pub, recognised so the error can say so. */
#define MK_MC_P521_PRIV 0x1308u

typedef struct mk_codec {
    uint64_t code;
    ck_key_type type;
    size_t len; /* raw key bytes after the varint */
} mk_codec;

static const mk_codec mk_public[] = {
    {DID_MC_ED25519_PUB, CK_KEY_ED25519, 32},     {DID_MC_X25519_PUB, CK_KEY_X25519, 32},
    {DID_MC_SECP256K1_PUB, CK_KEY_SECP256K1, 33}, {DID_MC_P256_PUB, CK_KEY_P256, 33},
    {DID_MC_P384_PUB, CK_KEY_P384, 49},
};

static const mk_codec mk_secret[] = {
    {DID_MC_ED25519_PRIV, CK_KEY_ED25519, 32},     {DID_MC_X25519_PRIV, CK_KEY_X25519, 32},
    {DID_MC_SECP256K1_PRIV, CK_KEY_SECP256K1, 32}, {DID_MC_P256_PRIV, CK_KEY_P256, 32},
    {DID_MC_P384_PRIV, CK_KEY_P384, 48},
};

#define MK_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Decoded Multikey bytes are at most this long: anything longer is refused by the base58
 * decoder itself. */
#define MK_RAW_MAX DID_BASE58_MAX_DECODED
/* The longest encoded form: varint plus the largest public or secret key. */
#define MK_ENC_MAX (DID_VARINT_MAX_LEN + CK_PUB_MAX_LEN)

static const mk_codec *mk_by_code(const mk_codec *tab, size_t count, uint64_t code)
{
    for (size_t i = 0; i < count; i++)
        if (tab[i].code == code)
            return &tab[i];
    return NULL;
}

static const mk_codec *mk_by_type(const mk_codec *tab, size_t count, ck_key_type type)
{
    for (size_t i = 0; i < count; i++)
        if (tab[i].type == type)
            return &tab[i];
    return NULL;
}

static int mk_is_ec(ck_key_type type)
{
    return type == CK_KEY_P256 || type == CK_KEY_P384 || type == CK_KEY_SECP256K1;
}

static const char *mk_what(int secret)
{
    return secret ? "secretKeyMultibase" : "publicKeyMultibase";
}

static int mk_encode(const ck_key *key, int secret, did_buf *out, did_err *err)
{
    uint8_t pub[MK_ENC_MAX];
    uint8_t *buf = pub;
    size_t cap = sizeof pub, head, klen = 0;
    const mk_codec *c;
    ck_key_type type;
    ck_err ce;
    int rc;

    if (key == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "multikey encode: NULL argument");
    type = ck_key_get_type(key);
    c = secret ? mk_by_type(mk_secret, MK_COUNT(mk_secret), type)
               : mk_by_type(mk_public, MK_COUNT(mk_public), type);
    if (c == NULL)
        return did_err_set(err, DID_ERR_MULTICODEC,
                           "multikey encode: no multicodec for key type %d", (int)type);
    if (secret) {
        if (!ck_key_has_private(key))
            return did_err_set(err, CK_ERR_KEY_NO_PRIVATE,
                               "multikey encode: the %s key has no secret part",
                               ck_key_type_name(type));
        cap = DID_VARINT_MAX_LEN + CK_SECRET_MAX_LEN;
        buf = ck_secret_alloc(cap);
        if (buf == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "multikey encode: out of secret memory");
    }
    head = did_varint_encode(c->code, buf);
    ck_err_clear(&ce);
    if (secret)
        rc = ck_key_export_private(key, buf + head, cap - head, &klen, &ce);
    else
        rc = ck_key_export_public(key, 1, buf + head, cap - head, &klen, &ce);
    if (rc != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        did_err_prefix(err, "multikey encode");
        goto out;
    }
    if (klen != c->len) {
        rc = did_err_set(err, DID_ERR_INTERNAL,
                         "multikey encode: %s key exported as %zu bytes, expected %zu",
                         ck_key_type_name(type), klen, c->len);
        goto out;
    }
    /* did_multibase_encode leaves out as it was on failure. */
    rc = did_multibase_encode(DID_MULTIBASE_BASE58BTC, buf, head + klen, out, err);
out:
    if (secret)
        ck_secret_free(buf);
    return rc;
}

/* The codec entry for a decoded multicodec value, or NULL with err saying why there is none
 * (always DID_ERR_MULTICODEC). */
static const mk_codec *mk_lookup(uint64_t code, int secret, did_err *err)
{
    const char *what = mk_what(secret);
    const mk_codec *c = secret ? mk_by_code(mk_secret, MK_COUNT(mk_secret), code)
                               : mk_by_code(mk_public, MK_COUNT(mk_public), code);

    if (c != NULL)
        return c;
    if (code == DID_MC_P521_PUB || code == MK_MC_P521_PRIV)
        did_err_set(err, DID_ERR_MULTICODEC,
                    "%s: P-521 keys (multicodec 0x%llx) are recognised but not supported", what,
                    (unsigned long long)code);
    else if (!secret && mk_by_code(mk_secret, MK_COUNT(mk_secret), code) != NULL)
        did_err_set(err, DID_ERR_MULTICODEC,
                    "%s: multicodec 0x%llx is a secret key, not a public key", what,
                    (unsigned long long)code);
    else if (secret && mk_by_code(mk_public, MK_COUNT(mk_public), code) != NULL)
        did_err_set(err, DID_ERR_MULTICODEC,
                    "%s: multicodec 0x%llx is a public key, not a secret key", what,
                    (unsigned long long)code);
    else
        did_err_set(err, DID_ERR_MULTICODEC, "%s: unknown or unsupported multicodec 0x%llx", what,
                    (unsigned long long)code);
    return NULL;
}

static int mk_decode(const char *in, size_t n, int secret, ck_key **out, did_err *err)
{
    uint8_t pub[MK_RAW_MAX];
    uint8_t *raw = pub;
    const char *what = mk_what(secret);
    const mk_codec *c = NULL;
    ck_key *key = NULL;
    uint64_t code = 0;
    size_t len = 0, used = 0, klen;
    ck_err ce;
    int rc;

    if (out == NULL || (in == NULL && n != 0))
        return did_err_set(err, DID_ERR_ARG, "multikey decode: NULL argument");
    *out = NULL;
    if (n == 0)
        return did_err_set(err, DID_ERR_MULTIBASE, "%s: empty value", what);
    if (in[0] != DID_MULTIBASE_BASE58BTC)
        return did_err_set(err, DID_ERR_MULTIBASE,
                           "%s: must be multibase base58btc (prefix 'z'), found prefix byte 0x%02x",
                           what, (unsigned)(unsigned char)in[0]);
    if (secret) {
        raw = ck_secret_alloc(MK_RAW_MAX);
        if (raw == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "%s: out of secret memory", what);
    }
    rc = did_base58_decode_raw(in + 1, n - 1, 1, raw, MK_RAW_MAX, &len, err);
    if (rc != DID_OK) {
        did_err_prefix(err, what);
        goto out;
    }
    rc = did_varint_decode(raw, len, &code, &used, err);
    if (rc != DID_OK) {
        did_err_prefix(err, what);
        goto out;
    }
    c = mk_lookup(code, secret, err);
    if (c == NULL) {
        rc = DID_ERR_MULTICODEC;
        goto out;
    }
    klen = len - used;
    if (klen != c->len) {
        if (!secret && mk_is_ec(c->type) && klen == 2 * (c->len - 1) + 1)
            rc = did_err_set(err, DID_ERR_MULTICODEC,
                             "%s: %s key is an uncompressed point (%zu bytes); Multikey requires "
                             "the %zu-byte compressed form",
                             what, ck_key_type_name(c->type), klen, c->len);
        else
            rc = did_err_set(err, DID_ERR_MULTICODEC, "%s: %s key is %zu bytes, expected %zu", what,
                             ck_key_type_name(c->type), klen, c->len);
        goto out;
    }
    ck_err_clear(&ce);
    if (secret)
        rc = ck_key_import_private(c->type, raw + used, klen, &key, &ce);
    else
        rc = ck_key_import_public(c->type, raw + used, klen, &key, &ce);
    if (rc != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        did_err_prefix(err, what);
        goto out;
    }
    *out = key;
out:
    if (secret)
        ck_secret_free(raw); /* wipes */
    return rc;
}

int did_multikey_encode(const ck_key *key, did_buf *out, did_err *err)
{
    return mk_encode(key, 0, out, err);
}

int did_multikey_decode(const char *in, size_t n, ck_key **out, did_err *err)
{
    return mk_decode(in, n, 0, out, err);
}

int did_multikey_encode_secret(const ck_key *key, did_buf *out, did_err *err)
{
    return mk_encode(key, 1, out, err);
}

int did_multikey_decode_secret(const char *in, size_t n, ck_key **out, did_err *err)
{
    return mk_decode(in, n, 1, out, err);
}
