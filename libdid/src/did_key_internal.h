/*
 * did_key_internal.h -- options of the did:key resolver that the public header does not expose.
 *
 * did_key_resolve's `user` argument may point at a did_key_opts. The default (user NULL, as
 * did_ctx_new registers it) follows did:key v0.9, where enableEncryptionKeyDerivation is an
 * option that is off unless asked for, and matches did.h ("keyAgreement only, for X25519").
 */
#ifndef DID_KEY_INTERNAL_H
#define DID_KEY_INTERNAL_H

typedef struct did_key_opts {
    /* Ed25519 DIDs also get the birational X25519 key as a second Multikey method, listed in
     * keyAgreement (did:key v0.9 "Encryption Method Creation Algorithm"). */
    int enable_encryption_key_derivation;
} did_key_opts;

#endif /* DID_KEY_INTERNAL_H */
