/*
 * did/codec.h -- base58btc, multibase, multicodec unsigned varints and Multikey.
 *
 * base64url itself lives in the crypto library (ck_b64url_*), which multibase 'u' uses.
 * All decoders are strict and bounded: no leading/trailing whitespace, no other alphabets,
 * no non-minimal varints.
 */
#ifndef DID_CODEC_H
#define DID_CODEC_H

#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* base58btc (Bitcoin alphabet) -- quadratic in length, so input is bounded. */
#define DID_BASE58_MAX_DECODED 1024 /* bytes */
#define DID_BASE58_MAX_ENCODED 1400 /* characters (> 1024 * log(256)/log(58)) */

/* Appends the base58btc text of in[0..n) to out (NUL-terminated). DID_ERR_LIMIT past
 * DID_BASE58_MAX_DECODED bytes. Leading zero bytes become leading '1's. */
int did_base58_encode(const uint8_t *in, size_t n, did_buf *out, did_err *err);
/* Appends the decoded bytes to out. DID_ERR_BASE58 names the offset of a bad character;
 * DID_ERR_LIMIT past DID_BASE58_MAX_ENCODED characters. */
int did_base58_decode(const char *in, size_t n, did_buf *out, did_err *err);

/* Multibase: 'z' (base58btc) and 'u' (base64url, no padding) are the encodings we accept,
 * as the did:key, Multikey and Data Integrity specifications use. */
#define DID_MULTIBASE_BASE58BTC 'z'
#define DID_MULTIBASE_BASE64URL 'u'

int did_multibase_encode(char base, const uint8_t *in, size_t n, did_buf *out, did_err *err);
/* Appends the decoded bytes to out; *base (optional) receives the prefix character.
 * DID_ERR_MULTIBASE for an empty string or another prefix. */
int did_multibase_decode(const char *in, size_t n, did_buf *out, char *base, did_err *err);

/* Multiformats unsigned varint: at most 9 bytes (63-bit values), minimal encoding only. */
#define DID_VARINT_MAX_LEN 9
/* Writes v (< 2^63) into out, returns bytes written (1..9), 0 if v is too large. */
size_t did_varint_encode(uint64_t v, uint8_t out[DID_VARINT_MAX_LEN]);
/* Reads one varint from in[0..n); *used receives its length. */
int did_varint_decode(const uint8_t *in, size_t n, uint64_t *v, size_t *used, did_err *err);

/* Multicodec codes for keys (multiformats table). */
#define DID_MC_ED25519_PUB 0xedu
#define DID_MC_X25519_PUB 0xecu
#define DID_MC_SECP256K1_PUB 0xe7u
#define DID_MC_P256_PUB 0x1200u
#define DID_MC_P384_PUB 0x1201u
#define DID_MC_P521_PUB 0x1202u /* recognised, not supported */
#define DID_MC_ED25519_PRIV 0x1300u
#define DID_MC_SECP256K1_PRIV 0x1301u
#define DID_MC_X25519_PRIV 0x1302u
#define DID_MC_P256_PRIV 0x1306u
#define DID_MC_P384_PRIV 0x1307u

/* Multikey (W3C Controlled Identifiers, section 2.2.2): multibase base58btc of
 * varint(multicodec) || public key (EC keys compressed). Appends e.g. "z6Mk..." to out. */
int did_multikey_encode(const ck_key *key, did_buf *out, did_err *err);
/* Decodes a publicKeyMultibase value into a new public key handle.
 * DID_ERR_MULTICODEC for an unknown/unsupported codec or a key of the wrong length. */
int did_multikey_decode(const char *in, size_t n, ck_key **out, did_err *err);
/* secretKeyMultibase: varint(private multicodec) || raw secret. The output buffer holds secret
 * material: clear it with did_buf_clear_secret. */
int did_multikey_encode_secret(const ck_key *key, did_buf *out, did_err *err);
int did_multikey_decode_secret(const char *in, size_t n, ck_key **out, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_CODEC_H */
