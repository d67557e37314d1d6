/*
 * did/web.h -- did:web (W3C CCG did:web Method Specification): a DID names a host, an
 * optional port and an optional path, and its document is fetched from the derived https URL.
 *
 *   did:web:w3c-ccg.github.io            -> https://w3c-ccg.github.io/.well-known/did.json
 *   did:web:w3c-ccg.github.io:user:alice -> https://w3c-ccg.github.io/user/alice/did.json
 *   did:web:example.com%3A3000           -> https://example.com:3000/.well-known/did.json
 *
 * did:web is not registered by did_ctx_new: it needs the network, so a program that wants it
 * makes a did_fetcher (did/fetch.h) and calls did_web_register.
 */
#ifndef DID_WEB_H
#define DID_WEB_H

#include <jansson.h>

#include <did/did.h>
#include <did/error.h>
#include <did/fetch.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_WEB_HOST_MAX 253 /* bytes of the host name (RFC 1035) */
#define DID_WEB_LABEL_MAX 63 /* bytes of one host name label */

/* did_web_url flags. */
#define DID_WEB_URL_HTTP_LOCALHOST                                \
    0x1u /* did:web:localhost[%3APORT]... maps to http:// (tests; \
            did_web_resolve sets it when the fetcher allows       \
            plain http to loopback hosts) */

/* Appends to url (NUL-terminated) the document URL of the did:web DID did[0..len) (a plain
 * DID: no path, query or fragment). What is accepted, beyond DID syntax:
 *   - the host is a DNS name: dot-separated labels of 1-63 letters, digits and '-' (not first
 *     or last), at most 253 bytes, no empty label (so no trailing dot), and a last label
 *     that starts with a letter -- which refuses IP address literals in every spelling
 *     ("127.0.0.1", "2130706433", "0x7f.1"), as the method specification requires;
 *   - an optional port, written "%3A" (or "%3a") and 1-65535 in decimal without leading zeros,
 *     directly after the host; no other percent-escape in the host (so no user info, no
 *     IPv6 literal);
 *   - optional path segments, each non-empty, not "." or ".." (also when percent-encoded);
 *     a percent-escape in a segment must decode to printable ASCII other than '/', '\\', '?'
 *     and '#'; a path that is only ".well-known" is refused (it would be the URL of the
 *     bare host's DID). Segments are copied into the URL as they are written in the DID, so
 *     the mapping is one-to-one (up to the case of "%3A").
 * Errors: DID_ERR_DID_SYNTAX (not a DID), DID_ERR_DID_METHOD (not did:web), DID_ERR_DID_INVALID
 * (the rules above; the message gives the offset), DID_ERR_LIMIT (URL longer than
 * DID_FETCH_URL_MAX), DID_ERR_ARG, DID_ERR_NOMEM. On error url is left as it was. */
int did_web_url(const char *did, size_t len, unsigned flags, did_buf *url, did_err *err);

/* did_method_resolve_fn for "web"; user is the did_fetcher. Fetches the document URL with
 * Accept "application/did+json, application/json", requires the response media type to be
 * application/did+json, application/did+ld+json, application/json or application/ld+json,
 * caps the body at the ctx's JSON max_bytes (or the fetcher's cap, if smaller) and parses it
 * with did_json_parse under the ctx's limits. did_resolve then checks the document
 * (did_doc_check: its id must be the DID). Errors: those of did_web_url, did_fetch (the
 * message prefixed "did:web") and did_json_parse. */
int did_web_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc, did_err *err);

/* Registers did_web_resolve as method "web" in ctx with fetcher f (borrowed: it must outlive
 * every resolution through ctx). Errors: DID_ERR_ARG, those of did_ctx_register_method. */
int did_web_register(did_ctx *ctx, did_fetcher *f, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_WEB_H */
