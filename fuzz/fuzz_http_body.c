/* Fuzzes the decoders of the verifier service's request bodies (verifier/verifier.h): a POST
 * body to /credentials/verify and /presentations/verify becomes a verifier_request, and then
 * the bytes did_verify takes; the same bytes as a configuration file. Invariants: a decoded
 * request holds exactly one document form, borrowed options are bounded strings, and a failed
 * decode leaves nothing allocated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <verifier/verifier.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const verifier_kind kinds[] = {VERIFIER_CREDENTIAL, VERIFIER_PRESENTATION};
    for (size_t k = 0; k < 2; k++) {
        verifier_request rq;
        json_t *root = NULL;
        did_err err;
        int rc = verifier_request_parse(data, size, kinds[k], &root, &rq, &err);
        if (rc != DID_OK) {
            if (root != NULL || err.code != rc)
                abort();
            continue;
        }
        if ((rq.object == NULL) == (rq.text == NULL) || rq.kind != kinds[k])
            abort();
        if (rq.text != NULL && (rq.text_len == 0 || strlen(rq.text) != rq.text_len))
            abort();
        if (kinds[k] == VERIFIER_CREDENTIAL && (rq.challenge != NULL || rq.domain != NULL))
            abort();
        if (rq.challenge != NULL && strlen(rq.challenge) > VERIFIER_OPTION_MAX)
            abort();
        json_decref(root);
    }
    verifier_config c;
    did_err err;
    verifier_config_init(&c);
    (void)verifier_config_apply(&c, data, size, &err);
    if (c.n_trusted > VERIFIER_MAX_TRUSTED || c.n_contexts > VERIFIER_MAX_CONTEXTS ||
        c.contexts[c.n_contexts] != NULL)
        abort();
    verifier_config_clear(&c);
    return 0;
}
