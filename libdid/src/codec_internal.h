/*
 * codec_internal.h -- helpers shared by the codec source files (not installed).
 */
#ifndef DID_CODEC_INTERNAL_H
#define DID_CODEC_INTERNAL_H

#include <did/codec.h>

/* Decodes the base58btc text in[0..n) into out[0..cap) and sets *out_len. Offsets in error
 * messages are reported as off + index, so a caller that strips a prefix (multibase 'z') can
 * name the offset in its own input. DID_ERR_BASE58 for a bad character, DID_ERR_LIMIT when n
 * exceeds DID_BASE58_MAX_ENCODED or the result exceeds DID_BASE58_MAX_DECODED or cap bytes.
 * The result is never longer than n bytes. Writes nothing to out on error. Scratch memory is
 * wiped, so out may be secret memory and no copy of its bytes is left behind. */
int did_base58_decode_raw(const char *in, size_t n, size_t off, uint8_t *out, size_t cap,
                          size_t *out_len, did_err *err);

#endif /* DID_CODEC_INTERNAL_H */
