/*
 * did/did.h -- DID and DID URL syntax (W3C DID Core 1.0 section 3), DID documents,
 * did:key and did:jwk, and the resolver that later methods (did:web) plug into.
 *
 * A did_ctx carries configuration and the method table, so two contexts in one process never
 * interfere. A context is read-only once set up and may then be shared between threads. It
 * caches the keys of did:key and did:jwk verification methods (their documents are a pure
 * function of the DID) behind an internal lock; a resolver registered for another method, or
 * one that replaces "key" or "jwk", is never cached here.
 */
#ifndef DID_DID_H
#define DID_DID_H

#include <jansson.h>

#include <did/error.h>
#include <did/json.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Syntax. A parsed DID URL points into the caller's string (offsets + lengths); nothing is
 * copied or decoded.
 *   did        = "did:" method-name ":" method-specific-id
 *   did-url    = did path-abempty [ "?" query ] [ "#" fragment ]
 */
#define DID_URL_MAX_LEN 4096 /* longest DID URL we accept, in bytes */

typedef struct did_url {
    const char *str;    /* the input */
    size_t len;         /* whole DID URL */
    size_t did_len;     /* "did:method:id" prefix length */
    size_t method_off, method_len;
    size_t id_off, id_len; /* method-specific-id */
    int has_path, has_query, has_fragment;
    size_t path_off, path_len;         /* path-abempty, including its leading '/' */
    size_t query_off, query_len;       /* after '?' */
    size_t fragment_off, fragment_len; /* after '#' */
} did_url;

/* Parses a plain DID (no path, query or fragment). DID_ERR_DID_SYNTAX names the offset. */
int did_parse(const char *s, size_t len, did_url *out, did_err *err);
/* Parses a DID URL. DID_ERR_DID_URL_SYNTAX names the offset. */
int did_url_parse(const char *s, size_t len, did_url *out, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Context and resolver.
 */
typedef struct did_ctx did_ctx;

/* A DID method's resolver: given a syntactically valid DID whose method is this method, returns
 * a new DID document (json_decref by the caller) whose "id" is the DID. */
typedef int (*did_method_resolve_fn)(void *user, const did_ctx *ctx, const did_url *did,
                                     json_t **doc, did_err *err);

/* A new context with did:key and did:jwk registered and default JSON limits. */
int did_ctx_new(did_ctx **out, did_err *err);
void did_ctx_free(did_ctx *ctx);
/* Adds or replaces the resolver for method (e.g. "web"); at most DID_CTX_MAX_METHODS. */
#define DID_CTX_MAX_METHODS 16
int did_ctx_register_method(did_ctx *ctx, const char *method, did_method_resolve_fn fn,
                            void *user, did_err *err);
const did_json_limits *did_ctx_json_limits(const did_ctx *ctx);
void did_ctx_set_json_limits(did_ctx *ctx, const did_json_limits *lim);

/* Resolves a DID to its document (new reference). Errors: DID_ERR_DID_SYNTAX,
 * DID_ERR_DID_METHOD (unsupported method), the method's own errors, and
 * DID_ERR_DID_DOC_INVALID if the document does not pass did_doc_check for this DID. */
int did_resolve(const did_ctx *ctx, const char *did, size_t len, json_t **doc, did_err *err);

/* The W3C DID Resolution result for did: {"@context", "didDocument", "didResolutionMetadata",
 * "didDocumentMetadata"}; on failure a result whose didResolutionMetadata.error is
 * "invalidDid", "methodNotSupported" or "notFound" is still produced and the error returned. */
int did_resolution_result(const did_ctx *ctx, const char *did, size_t len, json_t **result,
                          did_err *err);

/* Verification relationships (DID Core section 5.3). */
typedef enum did_relationship {
    DID_REL_ANY = 0, /* any relationship, or merely listed in verificationMethod */
    DID_REL_AUTHENTICATION,
    DID_REL_ASSERTION_METHOD,
    DID_REL_KEY_AGREEMENT,
    DID_REL_CAPABILITY_INVOCATION,
    DID_REL_CAPABILITY_DELEGATION,
} did_relationship;

/* "authentication", "assertionMethod", ... ; NULL for DID_REL_ANY. */
const char *did_relationship_name(did_relationship rel);
int did_relationship_from_name(const char *name, size_t len, did_relationship *out, did_err *err);

/* Dereferences a verification method DID URL ("did:key:z6Mk...#z6Mk...") to its public key:
 * resolves the DID, finds the method by id (absolute or "#fragment" relative ids in the
 * document), checks that it is authorised for rel, and decodes its key (Multikey
 * publicKeyMultibase, or publicKeyJwk). *vm (optional) receives a new reference to the method.
 * Errors: as did_resolve, DID_ERR_DID_URL_SYNTAX, DID_ERR_DID_VM_NOT_FOUND,
 * DID_ERR_DID_VM_RELATIONSHIP, DID_ERR_DID_VM_INVALID. */
int did_resolve_key(const did_ctx *ctx, const char *vm_url, size_t len, did_relationship rel,
                    ck_key **key, json_t **vm, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * DID documents (JSON, DID Core section 5).
 */
#define DID_DOC_MAX_METHODS 64 /* verification methods in one document */

/* Checks the document's shape for did: "id" equals did; "controller" a DID or list of DIDs;
 * each verification method has id (a DID URL), type, controller (a DID), and exactly one of
 * publicKeyMultibase / publicKeyJwk; relationships are lists of DID URL strings or embedded
 * methods; ids unique. DID_ERR_DID_DOC_INVALID names the member. */
int did_doc_check(const json_t *doc, const char *did, size_t did_len, did_err *err);
/* Finds the verification method with the given id (absolute DID URL or "#fragment") authorised
 * for rel; *vm is borrowed from doc. */
int did_doc_find_vm(const json_t *doc, const char *vm_id, size_t len, did_relationship rel,
                    const json_t **vm, did_err *err);
/* Decodes the public key of a verification method (Multikey, JsonWebKey/JsonWebKey2020,
 * Ed25519VerificationKey2020 publicKeyMultibase). A publicKeyJwk with private members ("d")
 * is rejected with DID_ERR_DID_VM_INVALID. */
int did_vm_key(const json_t *vm, ck_key **key, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * did:key (W3C CCG did:key v0.9) -- Ed25519, X25519, secp256k1, P-256, P-384 as Multikey.
 */
/* Appends "did:key:<multikey>" for key's public half. */
int did_key_from_key(const ck_key *key, did_buf *out, did_err *err);
/* The did:key document: one Multikey verification method "<did>#<multikey>" listed in
 * authentication, assertionMethod, capabilityInvocation and capabilityDelegation (keyAgreement
 * only, for X25519). Registered in every did_ctx as method "key". */
int did_key_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc,
                    did_err *err);

/* ---------------------------------------------------------------------------------------------
 * did:jwk (did:jwk method specification) -- base64url of the public JWK's UTF-8 JSON.
 */
/* Appends "did:jwk:<base64url(public JWK)>". */
int did_jwk_from_key(const ck_key *key, did_buf *out, did_err *err);
/* The did:jwk document: verification method "<did>#0" of type JsonWebKey2020; relationships
 * by the JWK's "use" ("sig": no keyAgreement, "enc": keyAgreement only). Registered as "jwk". */
int did_jwk_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc,
                    did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_DID_H */
