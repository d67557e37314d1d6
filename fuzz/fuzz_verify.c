/* Fuzzes the one verification entry point: format detection, JSON / SD-JWT / JWS dispatch,
 * presentations with embedded and enveloped credentials. Keys come from did:key, so only the
 * seed corpus's own signatures verify; everything else must fail cleanly with a result that
 * names an error. Invariants: verified <=> DID_OK, a verified result has a document, a failed
 * one has at least one error and no document. */
#include <stdint.h>
#include <stdlib.h>

#include <did/verify.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static did_ctx *ctx;
    did_err err;
    did_result r;
    if (ctx == NULL && did_ctx_new(&ctx, &err) != DID_OK)
        abort();
    did_result_init(&r);
    /* A fixed time inside the seed credentials' validity keeps runs reproducible. */
    did_verify_opts o = {.now = 1795700000, .skew = 60, .challenge = "c-1", .domain = "d"};
    int rc = did_verify(ctx, data, size, &o, &r, &err);
    if ((rc == DID_OK) != did_result_verified(&r))
        abort();
    if (rc == DID_OK && r.document == NULL)
        abort();
    if (rc != DID_OK && (r.n_errors == 0 || r.document != NULL || err.code != rc))
        abort();
    json_t *j = did_result_to_json(&r);
    json_decref(j);
    did_result_clear(&r);
    return 0;
}
