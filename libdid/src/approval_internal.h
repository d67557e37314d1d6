/*
 * approval_internal.h -- helpers shared by the approval, delegation and policy modules:
 * strict member access with one error code per object kind, digests, DID comparisons.
 */
#ifndef DID_APPROVAL_INTERNAL_H
#define DID_APPROVAL_INTERNAL_H

#include <jansson.h>

#include <did/approval.h>
#include <did/delegation.h>

/* Refuses any member of obj not in allowed (NULL-terminated): code, naming the member. */
int apr_only_members(const json_t *obj, const char *const *allowed, const char *what, int code,
                     did_err *err);
/* String member: required or optional (*s NULL when absent); 1..max bytes, no control
 * characters (U+0000-U+001F, U+007F). */
int apr_str(const json_t *obj, const char *name, int required, size_t max, const char *what,
            int code, const char **s, did_err *err);
/* Integer member (a JSON integer, not a real) in [lo, hi]. *present 0 when absent (optional). */
int apr_int(const json_t *obj, const char *name, int required, int64_t lo, int64_t hi,
            const char *what, int code, int64_t *v, int *present, did_err *err);
/* Array of 1..max distinct strings each 1..max_str bytes (did_json strings). */
int apr_str_list(const json_t *obj, const char *name, int required, size_t max, size_t max_str,
                 const char *what, int code, const json_t **list, did_err *err);
/* A DID (did_parse) of at most DID_APR_MAX_DID bytes. */
int apr_is_did(const char *s, size_t len);
/* A money object {"value": int >= 0, "currency": "EUR"} (members exactly these). */
int apr_money(const json_t *v, const char *what, int code, did_money *out, did_err *err);
/* "sha-256:" + base64url(SHA-256(data)) into out (DID_APR_REF_LEN bytes with the NUL). */
int apr_ref(const void *data, size_t len, char out[DID_APR_REF_LEN], uint8_t digest[32],
            did_err *err);
/* base64url(SHA-256(data)) (43 chars + NUL). */
int apr_b64_digest(const void *data, size_t len, char out[44], did_err *err);
/* Length of the DID part of a DID URL (up to '#', '?' or '/' after the method-specific id). */
size_t apr_did_len(const char *url, size_t len);
/* 1 if the DID parts of two DIDs / DID URLs are equal (fragments ignored). */
int apr_same_did(const char *a, const char *b);
/* 1 if s is in the JSON string list. */
int apr_list_has(const json_t *list, const char *s, size_t len);
/* Exactly-typed lookup of a string value in a NULL-terminated table; index or -1. */
int apr_enum(const char *s, const char *const *table);

/* Signature levels and LoA names (the tables the enums index). */
extern const char *const apr_sig_level_names[];
extern const char *const apr_loa_names[];

#endif /* DID_APPROVAL_INTERNAL_H */
