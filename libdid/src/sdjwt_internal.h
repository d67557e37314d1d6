/*
 * sdjwt_internal.h -- the pieces of SD-JWT processing shared by sdjwt_issue.c and
 * sdjwt_verify.c, and exposed to the fuzzer (fuzz/fuzz_sdjwt.c), which cannot forge signatures
 * and so drives the parsing and reassembly steps directly. Not installed; not API.
 */
#ifndef DID_SDJWT_INTERNAL_H
#define DID_SDJWT_INTERNAL_H

#include <did/sdjwt.h>

/* The '~'-separated parts of an SD-JWT or SD-JWT+KB, pointing into the caller's input. */
typedef struct did_sdjwt_parts {
    const char *jwt; /* issuer-signed JWT */
    size_t jwt_len;
    size_t n_disc;
    const char *disc[DID_SDJWT_MAX_DISCLOSURES];
    size_t disc_len[DID_SDJWT_MAX_DISCLOSURES];
    const char *kb; /* KB-JWT, or NULL when the input ends with '~' */
    size_t kb_len;
    size_t hashed_len; /* bytes up to and including the last '~': the sd_hash input */
} did_sdjwt_parts;

/* Splits in[0..len) (len <= max_len, else DID_ERR_LIMIT). DID_ERR_SDJWT_FORMAT for: no '~',
 * an empty issuer JWT, an empty disclosure ("~~"), a last part that is not a JWT (a missing
 * trailing '~'); DID_ERR_LIMIT past DID_SDJWT_MAX_DISCLOSURES. */
int did_sdjwt_split(const char *in, size_t len, size_t max_len, did_sdjwt_parts *out, did_err *err);

/* "sha-256" / "sha-384" (exact, case-sensitive: IANA hash names) to a ck_hash_alg;
 * DID_ERR_SDJWT_ALG otherwise. */
int did_sdjwt_alg_from_name(const char *name, size_t len, ck_hash_alg *alg, did_err *err);
const char *did_sdjwt_alg_name(ck_hash_alg alg);

/* Appends base64url(in[0..n)) to b. */
int did_sdjwt_b64_append(did_buf *b, const uint8_t *in, size_t n, did_err *err);
/* Appends base64url(H(data[0..len))) to b. */
int did_sdjwt_hash_b64(ck_hash_alg alg, const void *data, size_t len, did_buf *b, did_err *err);

/* RFC 7515 section 4.1.9 typ comparison: case-insensitive, "application/" optional. */
int did_sdjwt_typ_equal(const char *a, size_t alen, const char *b);
/* 1 when typ is "dc+sd-jwt" or "vc+sd-jwt" in that sense. */
int did_sdjwt_typ_is_vc(const char *typ, size_t len);

/* The result of reassembly (RFC 9901 section 7.1, step 3 to 5). */
typedef struct did_sdjwt_reassembly {
    json_t *claims; /* the processed payload (owned) */
    ck_hash_alg alg;
    size_t n;     /* disclosures */
    char **paths; /* with track_paths: the JSON Pointer of disclosure i in claims (owned) */
} did_sdjwt_reassembly;

/* Reassembles payload (an object, not modified) with the n disclosures disc[i][0..disc_len[i]).
 * _sd_alg comes from the payload. lim bounds the JSON of each disclosure (NULL: defaults; depth
 * is always capped by DID_SDJWT_MAX_DEPTH). Errors: DID_ERR_ARG (payload not an object),
 * DID_ERR_SDJWT_ALG, _DISCLOSURE, _DIGEST_DUP, _UNREFERENCED, _RESERVED, DID_ERR_LIMIT,
 * DID_ERR_NOMEM. On error *out is cleared. */
int did_sdjwt_reassemble(const json_t *payload, const char *const *disc, const size_t *disc_len,
                         size_t n, const did_json_limits *lim, int track_paths,
                         did_sdjwt_reassembly *out, did_err *err);
void did_sdjwt_reassembly_clear(did_sdjwt_reassembly *r);

/* A path parsed into unescaped segments. */
typedef struct did_sdjwt_path {
    size_t n;
    char **seg; /* NUL-terminated copies */
    size_t *seg_len;
} did_sdjwt_path;

/* Parses an RFC 6901 JSON Pointer of at least one segment ("/a/b~1c/0"), at most
 * DID_SDJWT_MAX_PATH bytes and DID_SDJWT_MAX_DEPTH segments. DID_ERR_SDJWT_PATH otherwise. */
int did_sdjwt_path_parse(const char *p, size_t len, did_sdjwt_path *out, did_err *err);
void did_sdjwt_path_clear(did_sdjwt_path *p);
/* Appends "/" and segment s[0..n) escaped per RFC 6901 to b. */
int did_sdjwt_path_push(did_buf *b, const char *s, size_t n);
/* A segment as an array index: decimal without leading zeros, < limit. 1 if it is one. */
int did_sdjwt_path_index(const char *s, size_t n, size_t limit, size_t *index);

/* Decodes the payload of a compact JWS without checking its signature (the holder's own
 * credential) into a JSON object. DID_ERR_SDJWT_FORMAT or JSON errors. */
int did_sdjwt_unverified_payload(const char *jwt, size_t len, const did_json_limits *lim,
                                 json_t **out, did_err *err);

/* The public key of a "cnf": {"jwk": {...}} member of claims; DID_ERR_SDJWT_CNF if absent,
 * malformed, carrying private members, or not a supported signing key. */
int did_sdjwt_cnf_key(const json_t *claims, ck_key **key, did_err *err);

#endif /* DID_SDJWT_INTERNAL_H */
