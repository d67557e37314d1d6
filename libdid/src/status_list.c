/*
 * status_list.c -- the Bitstring Status List v1.0 bitstring (did/status.h): bit access, the
 * encodedList codec (GZIP through zlib, multibase base64url), and the unsigned status list
 * credential and credentialStatus entry an issuer publishes.
 */
#define ZLIB_CONST
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <did/codec.h>
#include <did/status.h>
#include <did/time.h>

#include "status_internal.h"

struct did_status_list {
    size_t entries; /* floor(len * 8 / size) */
    size_t len;     /* bytes of bitstring */
    unsigned size;  /* bits per entry */
    uint8_t *bits;
};

/* deflate never expands by more than ~1032:1, so the decompressed size of n GZIP bytes is
 * below n * DEFLATE_MAX_RATIO; used only to keep an untrusted ISIZE hint honest. */
#define DEFLATE_MAX_RATIO 1032u
#define GZIP_MIN_MEMBER 18u /* 10-byte header, empty deflate body is at least 2, 8-byte trailer */

int did_status_purpose_known(const char *s, size_t len)
{
    static const char *const known[] = {DID_STATUS_REVOCATION, DID_STATUS_SUSPENSION,
                                        DID_STATUS_REFRESH, DID_STATUS_MESSAGE};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i]) == len && memcmp(known[i], s, len) == 0)
            return 1;
    return 0;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int did_status_url_ok(const char *s, size_t len)
{
    size_t i = 0;

    if (s == NULL || len == 0 || len > DID_STATUS_MAX_URL || !is_alpha(s[0]))
        return 0;
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    for (i = 1; i < len && s[i] != ':'; i++)
        if (!is_alpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '+' && s[i] != '-' &&
            s[i] != '.')
            return 0;
    if (i + 1 >= len) /* no ':' or nothing after it */
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f)
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------------------------------- */

static int list_alloc(size_t len, unsigned size, did_status_list **out, did_err *err)
{
    did_status_list *l = calloc(1, sizeof *l);
    if (l == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "status list: out of memory");
    l->bits = calloc(len, 1);
    if (l->bits == NULL) {
        free(l);
        return did_err_set(err, DID_ERR_NOMEM, "status list: out of memory for %zu bytes", len);
    }
    l->len = len;
    l->size = size;
    l->entries = len * 8 / size;
    *out = l;
    return DID_OK;
}

static int check_size(unsigned status_size, did_err *err)
{
    if (status_size == 0)
        return did_err_set(err, DID_ERR_ARG, "status list: statusSize must be at least 1");
    if (status_size > DID_STATUS_MAX_SIZE)
        return did_err_set(err, DID_ERR_LIMIT,
                           "status list: statusSize %u exceeds the supported maximum of %u bits",
                           status_size, DID_STATUS_MAX_SIZE);
    return DID_OK;
}

int did_status_list_new(size_t entries, unsigned status_size, did_status_list **out, did_err *err)
{
    int rc;

    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_list_new: NULL output");
    *out = NULL;
    if ((rc = check_size(status_size, err)) != DID_OK)
        return rc;
    if (entries > DID_STATUS_MAX_ENTRIES)
        return did_err_set(err, DID_ERR_LIMIT, "status list: %zu entries exceed the limit of %zu",
                           entries, DID_STATUS_MAX_ENTRIES);
    if (entries < DID_STATUS_MIN_ENTRIES)
        entries = DID_STATUS_MIN_ENTRIES;
    /* At most 2^26 * 8 bits: no overflow. */
    size_t len = (entries * status_size + 7) / 8;
    if (len < DID_STATUS_MIN_BYTES)
        len = DID_STATUS_MIN_BYTES;
    return list_alloc(len, status_size, out, err);
}

void did_status_list_free(did_status_list *list)
{
    if (list == NULL)
        return;
    free(list->bits);
    free(list);
}

size_t did_status_list_entries(const did_status_list *list)
{
    return list != NULL ? list->entries : 0;
}

unsigned did_status_list_status_size(const did_status_list *list)
{
    return list != NULL ? list->size : 0;
}

const uint8_t *did_status_list_bytes(const did_status_list *list, size_t *len)
{
    if (len != NULL)
        *len = list != NULL ? list->len : 0;
    return list != NULL ? list->bits : NULL;
}

static int index_ok(const did_status_list *list, size_t index, did_err *err)
{
    if (index >= list->entries)
        return did_err_set(err, DID_ERR_STATUS_INDEX,
                           "status list: index %zu is beyond the list of %zu entries", index,
                           list->entries);
    return DID_OK;
}

int did_status_list_set(did_status_list *list, size_t index, unsigned value, did_err *err)
{
    int rc;

    if (list == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_list_set: NULL list");
    if ((rc = index_ok(list, index, err)) != DID_OK)
        return rc;
    if (value >> list->size != 0) /* size <= DID_STATUS_MAX_SIZE < 32 */
        return did_err_set(err, DID_ERR_ARG, "status list: value %u does not fit in %u bits", value,
                           list->size);
    size_t pos = index * list->size;
    /* Bit k of the status (k = 0 its most significant) goes to bit position pos + k, position
     * 0 being the most significant bit of byte 0. */
    for (unsigned k = 0; k < list->size; k++, pos++) {
        uint8_t mask = (uint8_t)(0x80u >> (pos & 7));
        if ((value >> (list->size - 1 - k)) & 1u)
            list->bits[pos >> 3] |= mask;
        else
            list->bits[pos >> 3] &= (uint8_t)~mask;
    }
    return DID_OK;
}

int did_status_list_get(const did_status_list *list, size_t index, unsigned *value, did_err *err)
{
    int rc;

    if (list == NULL || value == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_list_get: NULL argument");
    *value = 0;
    if ((rc = index_ok(list, index, err)) != DID_OK)
        return rc;
    size_t pos = index * list->size;
    unsigned v = 0;
    for (unsigned k = 0; k < list->size; k++, pos++)
        v = (v << 1) | ((list->bits[pos >> 3] >> (7 - (pos & 7))) & 1u);
    *value = v;
    return DID_OK;
}

/* ------------------------------------------------------------------------------------------- */

int did_status_list_encode(const did_status_list *list, did_buf *out, did_err *err)
{
    z_stream zs;
    uint8_t *gz = NULL;
    int rc, zrc;

    if (list == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_list_encode: NULL argument");
    /* Lists are at most 2^26 bytes, so every length fits zlib's 32-bit counters. */
    memset(&zs, 0, sizeof zs);
    /* windowBits 15 + 16: a gzip wrapper (RFC 1952) with MTIME 0 and no name. The default level
     * reproduces the specification's example encodedList byte for byte. */
    zrc = deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK)
        return did_err_set(err, zrc == Z_MEM_ERROR ? DID_ERR_NOMEM : DID_ERR_INTERNAL,
                           "status list: deflateInit2 failed (%d)", zrc);
    uLong bound = deflateBound(&zs, (uLong)list->len);
    gz = malloc((size_t)bound);
    if (gz == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "status list: out of memory for %lu bytes", bound);
        goto out;
    }
    zs.next_in = list->bits;
    zs.avail_in = (uInt)list->len;
    zs.next_out = gz;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    if (zrc != Z_STREAM_END) {
        rc = did_err_set(err, DID_ERR_INTERNAL, "status list: deflate failed (%d)", zrc);
        goto out;
    }
    rc = did_multibase_encode(DID_MULTIBASE_BASE64URL, gz, (size_t)zs.total_out, out, err);
out:
    deflateEnd(&zs);
    free(gz);
    return rc;
}

did_status_limits did_status_limits_default(void)
{
    did_status_limits lim;
    lim.max_compressed = DID_STATUS_DEFAULT_MAX_COMPRESSED;
    lim.max_decoded = DID_STATUS_DEFAULT_MAX_DECODED;
    lim.min_entries = DID_STATUS_MIN_ENTRIES;
    return lim;
}

static int enc_err(did_err *err, const char *what)
{
    return did_err_set(err, DID_ERR_STATUS_ENCODING, "encodedList: %s", what);
}

/* Inflates exactly one gzip member gz[0..n) into a new buffer of at most max bytes.
 * The output grows by doubling and never beyond max; once max bytes are out, a one-byte probe
 * tells a stream that ends there from one that would go on (DID_ERR_LIMIT). */
static int gunzip_bounded(const uint8_t *gz, size_t n, size_t max, uint8_t **out, size_t *out_len,
                          did_err *err)
{
    z_stream zs;
    uint8_t *buf = NULL, probe;
    size_t cap, produced = 0;
    int rc = DID_OK, zrc;

    *out = NULL;
    *out_len = 0;
    if (n < GZIP_MIN_MEMBER)
        return enc_err(err, "shorter than a gzip member (truncated or empty)");
    if (n > UINT_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "encodedList: %zu compressed bytes", n);
    /* ISIZE (the last four bytes, size mod 2^32) is untrusted: only a first allocation size,
     * bounded by the cap and by what n bytes of deflate can expand to. */
    cap = (size_t)gz[n - 4] | (size_t)gz[n - 3] << 8 | (size_t)gz[n - 2] << 16 |
          (size_t)gz[n - 1] << 24;
    if (n <= SIZE_MAX / DEFLATE_MAX_RATIO && cap > n * DEFLATE_MAX_RATIO)
        cap = n * DEFLATE_MAX_RATIO;
    if (cap < DID_STATUS_MIN_BYTES)
        cap = DID_STATUS_MIN_BYTES;
    if (cap > max)
        cap = max;
    buf = malloc(cap);
    if (buf == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "encodedList: out of memory for %zu bytes", cap);

    memset(&zs, 0, sizeof zs);
    /* 15 + 16: gzip only. zlib (RFC 1950) and raw deflate streams fail the header check. */
    zrc = inflateInit2(&zs, 15 + 16);
    if (zrc != Z_OK) {
        free(buf);
        return did_err_set(err, zrc == Z_MEM_ERROR ? DID_ERR_NOMEM : DID_ERR_INTERNAL,
                           "encodedList: inflateInit2 failed (%d)", zrc);
    }
    zs.next_in = gz;
    zs.avail_in = (uInt)n;
    for (;;) {
        size_t room;
        int probing = 0;
        if (produced == cap && cap < max) {
            size_t ncap = cap > max / 2 ? max : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = did_err_set(err, DID_ERR_NOMEM, "encodedList: out of memory for %zu bytes",
                                 ncap);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        if (produced == cap) {
            probing = 1;
            zs.next_out = &probe;
            zs.avail_out = 1;
            room = 1;
        } else {
            room = cap - produced;
            if (room > UINT_MAX)
                room = UINT_MAX;
            zs.next_out = buf + produced;
            zs.avail_out = (uInt)room;
        }
        zrc = inflate(&zs, Z_NO_FLUSH);
        size_t got = room - zs.avail_out;
        if (probing && got > 0) {
            rc = did_err_set(err, DID_ERR_LIMIT,
                             "encodedList: decompresses to more than the limit of %zu bytes", max);
            goto out;
        }
        produced += got;
        if (zrc == Z_STREAM_END)
            break;
        if (zrc == Z_OK)
            continue;
        if (zrc == Z_BUF_ERROR && zs.avail_in == 0) {
            rc = enc_err(err, "gzip data is truncated");
            goto out;
        }
        if (zrc == Z_BUF_ERROR && zs.avail_out == 0)
            continue; /* output full: grow or probe */
        if (zrc == Z_MEM_ERROR) {
            rc = did_err_set(err, DID_ERR_NOMEM, "encodedList: inflate out of memory");
            goto out;
        }
        rc = did_err_set(err, DID_ERR_STATUS_ENCODING, "encodedList: not valid gzip data (%s)",
                         zs.msg != NULL ? zs.msg : "inflate error");
        goto out;
    }
    if (zs.avail_in != 0) {
        rc = did_err_set(err, DID_ERR_STATUS_ENCODING,
                         "encodedList: %u bytes after the gzip member (one member only)",
                         zs.avail_in);
        goto out;
    }
    *out = buf;
    *out_len = produced;
    buf = NULL;
out:
    inflateEnd(&zs);
    free(buf);
    return rc;
}

int did_status_list_decode(const char *encoded, size_t len, unsigned status_size,
                           const did_status_limits *lim, did_status_list **out, did_err *err)
{
    did_status_limits dl = did_status_limits_default();
    uint8_t *gz = NULL, *bits = NULL;
    size_t gz_len = 0, bits_len = 0;
    ck_err ce;
    int rc;

    if (out == NULL || (encoded == NULL && len != 0))
        return did_err_set(err, DID_ERR_ARG, "did_status_list_decode: NULL argument");
    *out = NULL;
    if (lim == NULL)
        lim = &dl;
    if (lim->max_compressed == 0 || lim->max_decoded < DID_STATUS_MIN_BYTES)
        return did_err_set(err, DID_ERR_ARG,
                           "status limits: max_compressed must be positive and max_decoded at "
                           "least %zu bytes",
                           DID_STATUS_MIN_BYTES);
    if ((rc = check_size(status_size, err)) != DID_OK)
        return rc;
    if (len == 0)
        return enc_err(err, "empty value (no multibase prefix)");
    if (encoded[0] != DID_MULTIBASE_BASE64URL) {
        unsigned char c = (unsigned char)encoded[0];
        if (c > 0x20 && c < 0x7f)
            return did_err_set(err, DID_ERR_STATUS_ENCODING,
                               "encodedList: multibase prefix '%c' is not 'u' (base64url)",
                               encoded[0]);
        return did_err_set(err, DID_ERR_STATUS_ENCODING,
                           "encodedList: multibase prefix byte 0x%02x is not 'u' (base64url)",
                           (unsigned)c);
    }
    /* Refuse oversized input before decoding any of it. */
    size_t max_chars =
        lim->max_compressed > SIZE_MAX / 2 ? SIZE_MAX : ck_b64url_encoded_len(lim->max_compressed);
    if (len - 1 > max_chars)
        return did_err_set(err, DID_ERR_LIMIT,
                           "encodedList: %zu characters exceed the limit of %zu compressed bytes",
                           len, lim->max_compressed);
    size_t gz_cap = (len - 1) / 4 * 3 + 2;
    gz = malloc(gz_cap);
    if (gz == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "encodedList: out of memory");
    ck_err_clear(&ce);
    if (ck_b64url_decode(encoded + 1, len - 1, gz, gz_cap, &gz_len, &ce) != CK_OK) {
        rc = did_err_set(err, DID_ERR_STATUS_ENCODING, "encodedList: not base64url: %s", ce.msg);
        goto out;
    }
    if (gz_len > lim->max_compressed) {
        rc = did_err_set(err, DID_ERR_LIMIT,
                         "encodedList: %zu compressed bytes exceed the limit of %zu", gz_len,
                         lim->max_compressed);
        goto out;
    }
    if ((rc = gunzip_bounded(gz, gz_len, lim->max_decoded, &bits, &bits_len, err)) != DID_OK)
        goto out;
    if (bits_len < DID_STATUS_MIN_BYTES) {
        rc =
            did_err_set(err, DID_ERR_STATUS_ENCODING,
                        "encodedList: bitstring of %zu bytes is below the 16 KB minimum", bits_len);
        goto out;
    }
    if (bits_len > SIZE_MAX / 8 || bits_len * 8 / status_size > DID_STATUS_MAX_ENTRIES) {
        rc = did_err_set(err, DID_ERR_LIMIT, "encodedList: more than %zu entries of %u bits",
                         DID_STATUS_MAX_ENTRIES, status_size);
        goto out;
    }
    if (bits_len * 8 / status_size < lim->min_entries) {
        rc = did_err_set(err, DID_ERR_STATUS_ENCODING,
                         "encodedList: %zu entries of %u bits, fewer than the minimum of %zu",
                         bits_len * 8 / status_size, status_size, lim->min_entries);
        goto out;
    }
    did_status_list *l = calloc(1, sizeof *l);
    if (l == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "status list: out of memory");
        goto out;
    }
    l->bits = bits;
    l->len = bits_len;
    l->size = status_size;
    l->entries = bits_len * 8 / status_size;
    bits = NULL;
    *out = l;
out:
    free(gz);
    free(bits);
    return rc;
}

/* ------------------------------------------------------------------------------------------- */

static int check_issue_args(const char *list_url, const char *purpose, did_err *err)
{
    if (list_url == NULL || purpose == NULL)
        return did_err_set(err, DID_ERR_ARG, "status: NULL argument");
    if (!did_status_url_ok(list_url, strlen(list_url)) || strchr(list_url, '#') != NULL)
        return did_err_set(err, DID_ERR_ARG,
                           "status: list URL must be an absolute URL without a fragment");
    if (!did_status_purpose_known(purpose, strlen(purpose)))
        return did_err_set(err, DID_ERR_STATUS_PURPOSE,
                           "status: statusPurpose \"%.64s\" is not revocation, suspension, "
                           "refresh or message",
                           purpose);
    return DID_OK;
}

int did_status_list_credential(const did_status_list *list, const char *list_url,
                               const char *issuer, const char *purpose, int64_t valid_from,
                               json_t **vc, did_err *err)
{
    char date[DID_DATETIME_BUF];
    did_buf enc, sid;
    json_t *v = NULL;
    int rc;

    if (vc == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_list_credential: NULL output");
    *vc = NULL;
    if (list == NULL || issuer == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_list_credential: NULL argument");
    if ((rc = check_issue_args(list_url, purpose, err)) != DID_OK)
        return rc;
    if (!did_status_url_ok(issuer, strlen(issuer)))
        return did_err_set(err, DID_ERR_ARG, "status list credential: issuer must be a URL");
    if ((rc = did_datetime_format(valid_from, date, err)) != DID_OK)
        return rc;
    did_buf_init(&enc);
    did_buf_init(&sid);
    if ((rc = did_status_list_encode(list, &enc, err)) != DID_OK)
        goto out;
    if (did_buf_printf(&sid, "%s#list", list_url) != DID_OK) {
        rc = did_err_set(err, DID_ERR_NOMEM, "status list credential: out of memory");
        goto out;
    }
    v = json_pack("{s:[s], s:s, s:[s,s], s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "@context",
                  "https://www.w3.org/ns/credentials/v2", "id", list_url, "type",
                  "VerifiableCredential", "BitstringStatusListCredential", "issuer", issuer,
                  "validFrom", date, "credentialSubject", "id", (const char *)sid.data, "type",
                  "BitstringStatusList", "statusPurpose", purpose, "encodedList",
                  (const char *)enc.data);
    if (v == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "status list credential: out of memory");
        goto out;
    }
    if (list->size > 1 || strcmp(purpose, DID_STATUS_MESSAGE) == 0) {
        json_t *subject = json_object_get(v, "credentialSubject");
        if (json_object_set_new(subject, "statusSize", json_integer((json_int_t)list->size)) != 0) {
            rc = did_err_set(err, DID_ERR_NOMEM, "status list credential: out of memory");
            goto out;
        }
    }
    *vc = v;
    v = NULL;
out:
    json_decref(v);
    did_buf_clear(&enc);
    did_buf_clear(&sid);
    return rc;
}

int did_status_entry(const char *list_url, const char *purpose, uint64_t index, json_t **entry,
                     did_err *err)
{
    char idx[24];
    did_buf id;
    int rc;

    if (entry == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_status_entry: NULL output");
    *entry = NULL;
    if ((rc = check_issue_args(list_url, purpose, err)) != DID_OK)
        return rc;
    if (index >= DID_STATUS_MAX_ENTRIES)
        return did_err_set(err, DID_ERR_STATUS_INDEX,
                           "status entry: index %" PRIu64 " is beyond any list (%zu entries)",
                           index, DID_STATUS_MAX_ENTRIES);
    snprintf(idx, sizeof idx, "%" PRIu64, index);
    did_buf_init(&id);
    if (did_buf_printf(&id, "%s#%s", list_url, idx) != DID_OK) {
        did_buf_clear(&id);
        return did_err_set(err, DID_ERR_NOMEM, "status entry: out of memory");
    }
    *entry = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", (const char *)id.data, "type",
                       "BitstringStatusListEntry", "statusPurpose", purpose, "statusListIndex", idx,
                       "statusListCredential", list_url);
    did_buf_clear(&id);
    if (*entry == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "status entry: out of memory");
    return DID_OK;
}
