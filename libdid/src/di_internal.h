/*
 * di_internal.h -- the parts of Data Integrity that signing and verification share (not
 * installed): the proof list, the document a proof is computed over, and hashData.
 */
#ifndef DID_DI_INTERNAL_H
#define DID_DI_INTERNAL_H

#include <did/di.h>

/* The proofs of a secured document: "proof" as one object (n = 1) or a non-empty list of
 * objects (n <= DID_DI_MAX_PROOFS). list[] entries are borrowed from secured.
 * DID_ERR_DI_PROOF when "proof" is missing or malformed, DID_ERR_LIMIT past the bound. */
int di_proof_list(const json_t *secured, const json_t *list[DID_DI_MAX_PROOFS], size_t *n,
                  did_err *err);

/* Checks proof.previousProof (absent, a string, or a non-empty list of at most
 * DID_DI_MAX_PROOFS strings). DID_ERR_DI_PROOF otherwise. */
int di_check_previous(const json_t *proof, did_err *err);

/* The document `proof` is computed over (the transformation input): a shallow copy of
 * document without "proof"; with "proof" = the list of proofs among all[0..n_all) whose id a
 * previousProof of `proof` names, in their order in all[]; and, when `proof` has "@context",
 * with "@context" = proof's, after checking that the document's "@context" starts with it.
 * *out is a new reference. DID_ERR_DI_PROOF for a previousProof id that no proof has,
 * DID_ERR_DI_CONTEXT, DID_ERR_NOMEM. */
int di_unsecured(const json_t *document, const json_t *proof, const json_t *const *all,
                 size_t n_all, json_t **out, did_err *err);

/* JCS of proof_config (proofValue skipped, if present) and of the unsecured document,
 * appended to the two buffers. */
int di_canonical_pair(const json_t *proof_config, const json_t *unsecured, did_buf *pc,
                      did_buf *doc, did_err *err);

#endif /* DID_DI_INTERNAL_H */
