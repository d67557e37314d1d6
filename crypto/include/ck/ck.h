/*
 * ck.h -- civid's one key and signature API.
 *
 * Backends: libsodium (Ed25519, X25519, XChaCha20-Poly1305, Argon2id, randomness, base64),
 * OpenSSL 3 (P-256, P-384, SHA-2), libsecp256k1 (secp256k1 ECDSA as JOSE ES256K).
 *
 * Conventions
 *  - Every fallible function returns 0 on success or a CK_ERR_* code, and fills the optional
 *    `ck_err *err` with the same code and a message naming what was wrong. `err` may be NULL.
 *  - Buffers are pointer + length. Nothing here relies on NUL termination of input.
 *  - `*_new`/`*_generate`/`*_import_*` return handles the caller frees with the matching `*_free`.
 *  - Secret bytes live in sodium_malloc'd memory and are wiped when freed. They never appear in
 *    an error message.
 *  - No global mutable state beyond one-time library initialisation (ck_init), which every entry
 *    point performs itself; the library is thread-safe.
 */
#ifndef CK_CK_H
#define CK_CK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Errors. Codes are stable (documented in spec/errors.md); messages are for humans.
 * The crypto library owns the range 100-199.
 */
enum {
    CK_OK = 0,
    CK_ERR_INIT = 100,           /* a backend failed to initialise */
    CK_ERR_NOMEM = 101,          /* allocation failed */
    CK_ERR_ARG = 102,            /* invalid argument (NULL, bad length, bad enum) */
    CK_ERR_UNSUPPORTED = 103,    /* key type / curve / algorithm not supported */
    CK_ERR_KEY_INVALID = 104,    /* key bytes are not a valid key for the type (off-curve...) */
    CK_ERR_KEY_NO_PRIVATE = 105, /* operation needs a private key, handle holds a public key */
    CK_ERR_BUFFER_SMALL = 106,   /* output buffer too small (needed size reported in message) */
    CK_ERR_SIGNATURE = 107,      /* signature does not verify (or is malformed) */
    CK_ERR_BACKEND = 108,        /* a backend call failed unexpectedly */
    CK_ERR_DECRYPT = 109,        /* AEAD authentication failed: wrong key, or data tampered */
    CK_ERR_BASE64 = 110,         /* base64/base64url malformed (padding, stray char, bits) */
    CK_ERR_SEALED_FORMAT = 111,  /* sealed key file malformed, truncated or of unknown version */
    CK_ERR_PASSPHRASE = 112,     /* sealed key cannot be opened: wrong passphrase or tampered */
    CK_ERR_KDF = 113,            /* Argon2id failed (parameters out of range, out of memory) */
    CK_ERR_JWK = 114,            /* JWK members inconsistent with each other or the key type */
    CK_ERR_LIMIT = 115,          /* an explicit size limit was exceeded */
    CK_ERR_TSA_FORMAT = 116,     /* RFC 3161 request/response/token malformed (ck/tsa.h) */
    CK_ERR_TSA_STATUS = 117,     /* the TSA did not grant the time-stamp request */
    CK_ERR_TSA_VERIFY = 118,     /* time-stamp token does not verify (message says which check) */
    CK_ERR_TSA_POLICY = 119,     /* time-stamp policy is not the one required */
    CK_ERR_TSA_CERT = 120,       /* certificate/PEM unusable, or not fit for time-stamping */
};

#define CK_ERR_MSG_MAX 256

typedef struct ck_err {
    int code;
    char msg[CK_ERR_MSG_MAX];
} ck_err;

/* Resets *err to CK_OK with an empty message. */
void ck_err_clear(ck_err *err);
/* Sets code and a printf-style message (if err is non-NULL) and returns code. */
int ck_err_set(ck_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Stable symbolic name of a code ("CK_ERR_SIGNATURE"), or "CK_ERR_UNKNOWN". */
const char *ck_err_name(int code);

/* Initialises libsodium, OpenSSL digests and the secp256k1 context once per process.
 * Idempotent and thread-safe; every other function calls it. Returns CK_OK or CK_ERR_INIT. */
int ck_init(void);

/* ---------------------------------------------------------------------------------------------
 * Randomness and constant-time helpers.
 */
/* Fills buf with len cryptographically secure random bytes (libsodium randombytes_buf). */
void ck_random(void *buf, size_t len);
/* Constant-time equality of two equal-length buffers: 1 if equal, 0 otherwise. */
int ck_equal(const void *a, const void *b, size_t len);
/* Wipes len bytes at p (sodium_memzero). */
void ck_wipe(void *p, size_t len);
/* Guarded secret memory (sodium_malloc: guard pages, mlock). NULL on failure.
 * ck_secret_free wipes and frees; NULL is a no-op. */
void *ck_secret_alloc(size_t len);
void ck_secret_free(void *p);

/* ---------------------------------------------------------------------------------------------
 * Hashes. SHA-256/384 through OpenSSL with fetched EVP_MDs and a reused per-thread context.
 */
typedef enum ck_hash_alg { CK_SHA256 = 1, CK_SHA384 = 2 } ck_hash_alg;

#define CK_SHA256_LEN 32
#define CK_SHA384_LEN 48
#define CK_HASH_MAX_LEN 48

/* Digest length in bytes for alg, 0 if unknown. */
size_t ck_hash_len(ck_hash_alg alg);
/* One-shot digest of data into out (ck_hash_len(alg) bytes). */
int ck_hash(ck_hash_alg alg, const void *data, size_t len, uint8_t *out, ck_err *err);
int ck_sha256(const void *data, size_t len, uint8_t out[CK_SHA256_LEN]);
int ck_sha384(const void *data, size_t len, uint8_t out[CK_SHA384_LEN]);

/* Incremental hashing (for a Merkle node, a document split over buffers...). */
typedef struct ck_hasher ck_hasher;
int ck_hasher_new(ck_hash_alg alg, ck_hasher **out, ck_err *err);
int ck_hasher_update(ck_hasher *h, const void *data, size_t len, ck_err *err);
/* Writes the digest and resets the hasher for reuse. */
int ck_hasher_final(ck_hasher *h, uint8_t *out, ck_err *err);
void ck_hasher_free(ck_hasher *h);

/* ---------------------------------------------------------------------------------------------
 * base64url (RFC 4648 section 5), no padding, strict: rejects '=', whitespace, characters outside
 * the URL-safe alphabet, and non-zero trailing bits. Used by JWK, JWS and multibase 'u'.
 */
/* Encoded length (without NUL) for n input bytes. */
size_t ck_b64url_encoded_len(size_t n);
/* Writes the encoding and a terminating NUL into out (cap >= encoded_len + 1). */
int ck_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
                     ck_err *err);
/* Decodes into out (cap >= n*3/4 suffices). */
int ck_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
                     ck_err *err);

/* ---------------------------------------------------------------------------------------------
 * Standard base64 (RFC 4648 section 4) with '=' padding, strict: padding is required and must be
 * canonical, no whitespace, no base64url characters, non-zero trailing bits rejected
 * (CK_ERR_BASE64). Used by the C2SP signed-note, tlog-checkpoint and tlog-proof formats.
 */
/* Encoded length (without NUL) for n input bytes: 4 * ceil(n / 3). */
size_t ck_b64std_encoded_len(size_t n);
/* Writes the encoding and a terminating NUL into out (cap >= encoded_len + 1). */
int ck_b64std_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len,
                     ck_err *err);
/* Decodes into out (cap >= n / 4 * 3 suffices). */
int ck_b64std_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len,
                     ck_err *err);

/* ---------------------------------------------------------------------------------------------
 * AEAD: XChaCha20-Poly1305 (IETF). Key 32 bytes, nonce 24 bytes, tag 16 bytes appended.
 */
#define CK_AEAD_KEY_LEN 32
#define CK_AEAD_NONCE_LEN 24
#define CK_AEAD_TAG_LEN 16

/* ct must hold pt_len + CK_AEAD_TAG_LEN bytes. ct and pt may not overlap. */
int ck_aead_seal(const uint8_t key[CK_AEAD_KEY_LEN], const uint8_t nonce[CK_AEAD_NONCE_LEN],
                 const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t pt_len, uint8_t *ct,
                 ck_err *err);
/* pt must hold ct_len - CK_AEAD_TAG_LEN bytes. CK_ERR_DECRYPT if the tag does not verify;
 * pt is then wiped. */
int ck_aead_open(const uint8_t key[CK_AEAD_KEY_LEN], const uint8_t nonce[CK_AEAD_NONCE_LEN],
                 const uint8_t *ad, size_t ad_len, const uint8_t *ct, size_t ct_len, uint8_t *pt,
                 ck_err *err);

/* ---------------------------------------------------------------------------------------------
 * Argon2id (libsodium crypto_pwhash, ALG_ARGON2ID13).
 */
#define CK_KDF_SALT_LEN 16

typedef struct ck_kdf_params {
    uint64_t opslimit; /* passes (t) */
    uint64_t memlimit; /* bytes (m) */
} ck_kdf_params;

/* Parameters for interactive use (wallet unlock) and for keys at rest on servers. */
ck_kdf_params ck_kdf_params_interactive(void);
ck_kdf_params ck_kdf_params_moderate(void);
/* Smallest parameters libsodium accepts; for tests only. */
ck_kdf_params ck_kdf_params_min(void);

int ck_argon2id(uint8_t *out, size_t out_len, const uint8_t *pass, size_t pass_len,
                const uint8_t salt[CK_KDF_SALT_LEN], ck_kdf_params params, ck_err *err);

/* ---------------------------------------------------------------------------------------------
 * X25519 (key agreement only).
 */
/* shared = X25519(scalar, point). CK_ERR_KEY_INVALID for a low-order point (all-zero result). */
int ck_x25519(uint8_t shared[32], const uint8_t scalar[32], const uint8_t point[32], ck_err *err);

/* ---------------------------------------------------------------------------------------------
 * Keys. One opaque type for every supported key.
 */
typedef enum ck_key_type {
    CK_KEY_ED25519 = 1,   /* JOSE alg EdDSA (RFC 8037) / Ed25519 (RFC 9864) */
    CK_KEY_P256 = 2,      /* ES256 */
    CK_KEY_P384 = 3,      /* ES384 */
    CK_KEY_SECP256K1 = 4, /* ES256K (RFC 8812) */
    CK_KEY_X25519 = 5,    /* key agreement only: cannot sign */
} ck_key_type;

typedef struct ck_key ck_key;

/* Maximum sizes of the public/secret raw forms and of a JOSE signature. */
#define CK_PUB_MAX_LEN 97 /* uncompressed P-384 point */
#define CK_SECRET_MAX_LEN 48
#define CK_SIG_MAX_LEN 96     /* P-384 R||S */
#define CK_JWK_MAX_LEN 512    /* longest JWK (P-384 with d) including NUL */
#define CK_THUMBPRINT_LEN 32  /* SHA-256 */

/* "ed25519", "p256", "p384", "secp256k1", "x25519". */
const char *ck_key_type_name(ck_key_type t);
/* Parses one of the names above (exact match). CK_ERR_UNSUPPORTED otherwise. */
int ck_key_type_from_name(const char *name, size_t len, ck_key_type *out, ck_err *err);
/* The JOSE algorithm a key signs with: "EdDSA", "ES256", "ES384", "ES256K"; NULL for X25519. */
const char *ck_key_jose_alg(ck_key_type t);

int ck_key_generate(ck_key_type type, ck_key **out, ck_err *err);
/* Private key from raw secret bytes: Ed25519 32-byte seed (RFC 8032), X25519 32-byte scalar,
 * EC big-endian scalar of the curve's size (32/48), validated 0 < d < n. */
int ck_key_import_private(ck_key_type type, const uint8_t *secret, size_t len, ck_key **out,
                          ck_err *err);
/* Public key from raw bytes: Ed25519/X25519 32 bytes; EC points compressed (33/49 bytes) or
 * uncompressed (65/97 bytes), validated on the curve. */
int ck_key_import_public(ck_key_type type, const uint8_t *pub, size_t len, ck_key **out,
                         ck_err *err);
/* Public (and, if d is non-NULL, private) key from JWK member values (the base64url strings,
 * pointer + length, as they appear in the JWK). kty/crv per RFC 7518/8037/8812:
 * OKP+Ed25519, OKP+X25519, EC+P-256, EC+P-384, EC+secp256k1. y is required for EC and must be
 * NULL for OKP. If d is given, it must match x (and y). */
int ck_key_import_jwk(const char *kty, size_t kty_len, const char *crv, size_t crv_len,
                      const char *x, size_t x_len, const char *y, size_t y_len, const char *d,
                      size_t d_len, ck_key **out, ck_err *err);
/* A new handle holding only the public half. */
int ck_key_public_copy(const ck_key *key, ck_key **out, ck_err *err);
void ck_key_free(ck_key *key);

ck_key_type ck_key_get_type(const ck_key *key);
int ck_key_has_private(const ck_key *key);

/* Raw public key: Ed25519/X25519 32 bytes; EC compressed (33/49) when compressed != 0,
 * otherwise uncompressed 0x04||X||Y. */
int ck_key_export_public(const ck_key *key, int compressed, uint8_t *out, size_t cap,
                         size_t *out_len, ck_err *err);
/* Raw secret (seed or scalar). Write into ck_secret_alloc'd memory and wipe after use. */
int ck_key_export_private(const ck_key *key, uint8_t *out, size_t cap, size_t *out_len,
                          ck_err *err);
/* JWK (RFC 7517/7518/8037) as compact JSON with members in lexicographic order and a NUL.
 * With include_private, adds "d". */
int ck_key_export_jwk(const ck_key *key, int include_private, char *out, size_t cap,
                      size_t *out_len, ck_err *err);
/* RFC 7638 JWK thumbprint (SHA-256 over the required members in lexicographic order). */
int ck_key_thumbprint(const ck_key *key, uint8_t out[CK_THUMBPRINT_LEN], ck_err *err);
/* Same, base64url-encoded (43 chars + NUL). */
int ck_key_thumbprint_b64(const ck_key *key, char out[44], ck_err *err);
/* The X25519 public key birationally equivalent to an Ed25519 public key (RFC 7748 section
 * 4.1 map, libsodium crypto_sign_ed25519_pk_to_curve25519), as a new public-only handle.
 * CK_ERR_UNSUPPORTED if key is not Ed25519; CK_ERR_KEY_INVALID for a small-order or
 * non-canonical point that has no usable equivalent. */
int ck_key_to_x25519(const ck_key *key, ck_key **out, ck_err *err);
/* 1 if both handles hold the same public key, 0 otherwise. */
int ck_key_public_equal(const ck_key *a, const ck_key *b);

/* Signs msg in JOSE form: Ed25519 64 bytes (RFC 8032); ECDSA fixed-size R||S (64/96 bytes) with
 * the curve's hash (SHA-256 / SHA-384); secp256k1 always low-S. DER never appears. */
int ck_sign(const ck_key *key, const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t cap,
            size_t *sig_len, ck_err *err);

/* Verification flags. */
#define CK_VERIFY_LOW_S 0x1 /* secp256k1: reject high-S signatures (BIP 62 / "bitcoin" rule) */

/* Verifies a JOSE-form signature. Returns CK_OK when valid, CK_ERR_SIGNATURE when the signature
 * is wrong, malformed, of the wrong length, or has r/s out of range. */
int ck_verify(const ck_key *key, const uint8_t *msg, size_t msg_len, const uint8_t *sig,
              size_t sig_len, unsigned flags, ck_err *err);

/* ---------------------------------------------------------------------------------------------
 * Keys sealed at rest. File format "CIVIDKEY" v1 (spec/keyfile.md):
 *   magic "CIVIDKEY" (8) | version u8 = 1 | key type u8 | opslimit u64be | memlimit u64be |
 *   salt (16) | nonce (24) | ciphertext of the raw secret + tag (16)
 * The AEAD key is Argon2id(passphrase, salt, params); the header bytes are the associated data,
 * so no field can be changed without detection.
 */
#define CK_SEALED_MAX_LEN 256

int ck_key_seal(const ck_key *key, const uint8_t *pass, size_t pass_len, ck_kdf_params params,
                uint8_t *out, size_t cap, size_t *out_len, ck_err *err);
/* CK_ERR_SEALED_FORMAT for malformed input, CK_ERR_PASSPHRASE for a wrong passphrase or any
 * tampering, CK_ERR_KDF if the stored parameters are out of the accepted range (a sealed file
 * cannot make us allocate more than CK_KDF_MEMLIMIT_MAX bytes). */
#define CK_KDF_MEMLIMIT_MAX (1024ULL * 1024 * 1024)
#define CK_KDF_OPSLIMIT_MAX 64ULL
int ck_key_unseal(const uint8_t *in, size_t len, const uint8_t *pass, size_t pass_len,
                  ck_key **out, ck_err *err);

#ifdef __cplusplus
}
#endif
#endif /* CK_CK_H */
