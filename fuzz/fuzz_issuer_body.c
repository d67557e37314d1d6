/* Fuzzes the decoders of the issuer service's request bodies (issuer/issuer.h): a POST body to
 * /credentials/issue and /credentials/status, parsed strictly and decoded; the same bytes as a
 * configuration file. Invariants: a decoded issue request has a credential object, a known
 * format, a NULL-terminated bounded list of sd paths that only sd-jwt carries, status bits only
 * for the VC formats; a status request has a bounded id and a known action. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>

#include <issuer/issuer.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = NULL;
    did_err err;
    if (did_json_parse(data, size, NULL, &root, &err) == DID_OK) {
        issuer_issue_request ir;
        int rc = issuer_issue_request_decode(root, ISSUER_FORMAT_DI_EDDSA_JCS, &ir, &err);
        if (rc != DID_OK && err.code != rc)
            abort();
        if (rc == DID_OK) {
            if (!json_is_object(ir.credential) || issuer_format_name(ir.format) == NULL ||
                ir.n_sd > ISSUER_MAX_SD_PATHS || ir.sd[ir.n_sd] != NULL)
                abort();
            if (ir.format != ISSUER_FORMAT_SD_JWT && (ir.n_sd > 0 || ir.holder != NULL))
                abort();
            if (ir.format == ISSUER_FORMAT_SD_JWT && ir.status != 0)
                abort();
            if ((ir.status & ~(ISSUER_STATUS_REVOCATION | ISSUER_STATUS_SUSPENSION)) != 0)
                abort();
        }
        issuer_status_request sr;
        rc = issuer_status_request_decode(root, &sr, &err);
        if (rc != DID_OK && err.code != rc)
            abort();
        if (rc == DID_OK &&
            (sr.id_len == 0 || sr.id_len > ISSUER_ID_MAX || strlen(sr.credential_id) != sr.id_len ||
             sr.action < ISSUER_REVOKE || sr.action > ISSUER_UNSUSPEND))
            abort();
        json_decref(root);
    }
    issuer_config c;
    issuer_config_init(&c);
    (void)issuer_config_apply(&c, data, size, &err);
    if (c.threads < 1 || c.threads > CH_MAX_THREADS || c.listen[sizeof c.listen - 1] != '\0' ||
        c.did[sizeof c.did - 1] != '\0' || c.base_url[sizeof c.base_url - 1] != '\0')
        abort();
    return 0;
}
