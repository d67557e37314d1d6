/*
 * did/status.h -- W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025): the bitstring,
 * its encodedList form, the status list credential and credentialStatus entries we issue, and
 * the status check a verifier runs. Details and limits in spec/status-list.md.
 *
 * The bitstring. A list holds `entries` statuses of `status_size` bits each (1 for revocation and
 * suspension). Entry i occupies bits [i * status_size, (i + 1) * status_size) where bit 0 is the
 * most significant (left-most) bit of byte 0; a multi-bit status reads those bits left to right
 * as a big-endian number. The uncompressed bitstring is at least 16 KB and holds at least
 * DID_STATUS_MIN_ENTRIES entries (so a 2-bit list is at least 32 KB).
 *
 * encodedList = "u" + base64url-no-pad(GZIP(bitstring)): one RFC 1952 gzip member, nothing
 * after it. Decoding refuses every other multibase prefix, zlib or raw deflate streams,
 * trailing bytes, bad CRC-32 / ISIZE, and bounds both the compressed and the decompressed
 * size: a GZIP bomb stops with DID_ERR_LIMIT after producing at most the cap.
 *
 * Checking. did_status_check never touches the network and never verifies signatures: it asks
 * the caller's fetch callback for each status list credential, and the callback answers with a
 * list it has ALREADY dereferenced and VERIFIED (proof, and whatever issuer trust policy
 * applies) with the Data Integrity or VC-JOSE module. Everything about the list past that point
 * -- type, validity period, purpose, encodedList, index -- is checked here.
 */
#ifndef DID_STATUS_H
#define DID_STATUS_H

#include <stdint.h>

#include <jansson.h>

#include <did/error.h>
#include <did/result.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_STATUS_MIN_ENTRIES ((size_t)131072)  /* minimumNumberOfEntries (spec 3.2) */
#define DID_STATUS_MIN_BYTES ((size_t)16384)     /* "at least 16KB" uncompressed (spec 2.2) */
#define DID_STATUS_MAX_ENTRIES ((size_t)1 << 26) /* 67,108,864: any list, built or decoded */
#define DID_STATUS_MAX_SIZE 8u                   /* bits per entry (statusSize), 1..8 */
#define DID_STATUS_MAX_URL 2048                  /* bytes in a statusListCredential URL */

/* The purposes the specification defines. Others are refused (DID_ERR_STATUS_PURPOSE): we
 * cannot tell what a set bit of an unknown purpose means, so we do not guess. */
#define DID_STATUS_REVOCATION "revocation" /* set: revoked (DID_ERR_STATUS_REVOKED) */
#define DID_STATUS_SUSPENSION "suspension" /* set: suspended (DID_ERR_STATUS_SUSPENDED) */
#define DID_STATUS_REFRESH "refresh"       /* set: a newer credential exists (a warning) */
#define DID_STATUS_MESSAGE "message"       /* non-zero: the entry's statusMessage (a warning) */

/* ---------------------------------------------------------------------------------------------
 * The bitstring.
 */
typedef struct did_status_list did_status_list;

/* A new all-zero list for at least `entries` statuses of status_size bits. entries below
 * DID_STATUS_MIN_ENTRIES is raised to it; the bitstring is rounded up to whole bytes, so
 * did_status_list_entries() may report a few more than asked for. Free with
 * did_status_list_free. Errors: DID_ERR_ARG (status_size 0, out NULL), DID_ERR_LIMIT (entries
 * above DID_STATUS_MAX_ENTRIES or status_size above DID_STATUS_MAX_SIZE), DID_ERR_NOMEM. */
int did_status_list_new(size_t entries, unsigned status_size, did_status_list **out, did_err *err);
void did_status_list_free(did_status_list *list);

/* Capacity in entries (floor(bits / status_size)), bits per entry, and the raw bitstring
 * (borrowed, valid while the list lives and is not modified; *len receives its byte count). */
size_t did_status_list_entries(const did_status_list *list);
unsigned did_status_list_status_size(const did_status_list *list);
const uint8_t *did_status_list_bytes(const did_status_list *list, size_t *len);

/* Writes / reads the status of entry `index`. DID_ERR_STATUS_INDEX when index >= entries;
 * set: DID_ERR_ARG when value does not fit in status_size bits. */
int did_status_list_set(did_status_list *list, size_t index, unsigned value, did_err *err);
int did_status_list_get(const did_status_list *list, size_t index, unsigned *value, did_err *err);

/* Appends the encodedList string ("uH4sI...") to out, NUL-terminated. GZIP with zlib's default
 * level, MTIME 0 and OS 3 (Unix): an all-zero 131,072-entry list encodes to exactly the
 * specification's example value. Errors: DID_ERR_NOMEM, DID_ERR_LIMIT, DID_ERR_INTERNAL. */
int did_status_list_encode(const did_status_list *list, did_buf *out, did_err *err);

typedef struct did_status_limits {
    size_t max_compressed; /* GZIP bytes after base64url decoding */
    size_t max_decoded;    /* uncompressed bitstring bytes; inflation stops here */
    size_t min_entries;    /* minimumNumberOfEntries; an ecosystem may set another bound, but
                              the 16 KB minimum always applies */
} did_status_limits;

#define DID_STATUS_DEFAULT_MAX_DECODED ((size_t)16 << 20)                          /* 16 MiB */
#define DID_STATUS_DEFAULT_MAX_COMPRESSED (DID_STATUS_DEFAULT_MAX_DECODED + 65536) /* stored */

/* max_compressed DID_STATUS_DEFAULT_MAX_COMPRESSED, max_decoded DID_STATUS_DEFAULT_MAX_DECODED,
 * min_entries DID_STATUS_MIN_ENTRIES. */
did_status_limits did_status_limits_default(void);

/* Decodes encoded[0..len) (no NUL needed) as an encodedList of status_size-bit entries into a
 * new list (*out, free with did_status_list_free; NULL on error). lim NULL means the defaults.
 * Errors: DID_ERR_STATUS_ENCODING (not 'u' multibase, bad base64url, not exactly one valid gzip
 * member, fewer than 16 KB or fewer than lim->min_entries entries), DID_ERR_LIMIT (compressed or
 * decompressed size above the limits, more than DID_STATUS_MAX_ENTRIES entries, status_size
 * above DID_STATUS_MAX_SIZE), DID_ERR_ARG, DID_ERR_NOMEM. */
int did_status_list_decode(const char *encoded, size_t len, unsigned status_size,
                           const did_status_limits *lim, did_status_list **out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Issuing. Both functions build unsigned JSON (a new reference in *out); securing the list
 * credential is the caller's job (Data Integrity or VC-JOSE), as is publishing it at list_url.
 */
/* The BitstringStatusListCredential for list:
 *   {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": list_url,
 *    "type": ["VerifiableCredential", "BitstringStatusListCredential"], "issuer": issuer,
 *    "validFrom": valid_from as YYYY-MM-DDThh:mm:ssZ,
 *    "credentialSubject": {"id": list_url + "#list", "type": "BitstringStatusList",
 *                          "statusPurpose": purpose, "encodedList": "u..."}}
 * credentialSubject.statusSize is added when the list has more than 1 bit per entry or purpose
 * is "message"; for "message" the caller adds credentialSubject.statusMessages itself. Callers
 * add validUntil or ttl to the returned object before securing it.
 * Errors: DID_ERR_ARG (list_url / issuer not an absolute URL, list_url with a fragment,
 * valid_from outside years 0001-9999), DID_ERR_STATUS_PURPOSE (purpose not one of the four
 * above), DID_ERR_NOMEM and those of did_status_list_encode. */
int did_status_list_credential(const did_status_list *list, const char *list_url,
                               const char *issuer, const char *purpose, int64_t valid_from,
                               json_t **vc, did_err *err);

/* A credentialStatus entry:
 *   {"id": list_url + "#" + index, "type": "BitstringStatusListEntry", "statusPurpose": purpose,
 *    "statusListIndex": "<index in base 10>", "statusListCredential": list_url}
 * For a multi-bit "message" entry the caller adds statusSize and statusMessage.
 * Errors: DID_ERR_ARG (list_url not an absolute URL or has a fragment), DID_ERR_STATUS_PURPOSE,
 * DID_ERR_STATUS_INDEX (index >= DID_STATUS_MAX_ENTRIES), DID_ERR_NOMEM. */
int did_status_entry(const char *list_url, const char *purpose, uint64_t index, json_t **entry,
                     did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Checking.
 */
/* Dereferences url (a statusListCredential value, NUL-terminated, borrowed for the call) and
 * returns in *verified_list_vc a new reference to the status list credential as VCDM JSON,
 * which did_status_check releases. The callback MUST have verified the credential's proof
 * (and applied the caller's issuer trust policy) before returning 0: this module trusts what it
 * is given. On failure it returns a non-zero DID_ERR_* code, fills err and leaves
 * *verified_list_vc NULL; the check records DID_ERR_STATUS_LIST naming that code. A cache of
 * lists (the specification asks verifiers to cache) belongs behind this callback. */
typedef int (*did_status_fetch_fn)(void *user, const char *url, json_t **verified_list_vc,
                                   did_err *err);

typedef struct did_status_check_opts {
    int64_t now;              /* seconds since the epoch; 0 means the current time */
    int64_t skew;             /* allowed clock skew in seconds on the list's validity, 0..86400 */
    size_t max_entries;       /* credentialStatus entries at most; 0 means 16 */
    did_status_limits limits; /* for each encodedList */
} did_status_check_opts;

/* now 0, skew 0, max_entries 16, did_status_limits_default(). */
void did_status_check_opts_init(did_status_check_opts *opts);

/* Checks a credential's credentialStatus value (one entry object, or an array of them) and
 * records the outcome under DID_CHECK_STATUS in r: the check always counts as run, each failing
 * entry adds an error, and non-failing notices add warnings. Entries of another type than
 * BitstringStatusListEntry are not checked: DID_ERR_STATUS_TYPE warning. Each distinct list URL
 * is fetched once per call. opts NULL means the defaults.
 *
 * Per BitstringStatusListEntry (errors, in the order they are looked for):
 *   DID_ERR_VC_STATUS        the entry is not an object with a type
 *   DID_ERR_STATUS_PURPOSE   statusPurpose missing, not a string, or not one of the four above
 *   DID_ERR_STATUS_INDEX     statusListIndex not a string of ASCII digits
 *   DID_ERR_STATUS_ENTRY     statusListCredential not an absolute URL, id equal to it, statusSize
 *                            not a positive integer, statusMessage malformed or missing where
 *                            statusSize > 1 (DID_ERR_LIMIT: statusSize above DID_STATUS_MAX_SIZE)
 *   DID_ERR_STATUS_LIST      the fetch failed; the list is not a BitstringStatusListCredential
 *                            with a BitstringStatusList subject; its id is not the URL; its
 *                            validFrom is in the future or its validUntil has passed (beyond
 *                            skew) or either is malformed; its statusSize differs from the
 *                            entry's or is missing for "message"
 *   DID_ERR_STATUS_PURPOSE   the entry's purpose is not among the list's statusPurpose values
 *   DID_ERR_STATUS_ENCODING  encodedList malformed or too short (see did_status_list_decode)
 *   DID_ERR_STATUS_INDEX     statusListIndex >= the number of entries in the list
 *   DID_ERR_STATUS_REVOKED   revocation status non-zero
 *   DID_ERR_STATUS_SUSPENDED suspension status non-zero
 * and warnings: DID_ERR_STATUS_REFRESH (refresh status set), DID_ERR_STATUS_MESSAGE (message
 * status non-zero; the warning carries "0x..: <message>").
 * Returns 0 when no error was recorded, else the first recorded code (also in err); DID_ERR_ARG
 * (nothing recorded) for NULL credential_status, fetch or r, or bad opts. */
int did_status_check(const json_t *credential_status, did_status_fetch_fn fetch, void *user,
                     const did_status_check_opts *opts, did_result *r, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_STATUS_H */
