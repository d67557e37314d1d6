/* Fuzzes the strict JSON parser and JCS: anything the parser accepts must canonicalise, and
 * the canonical form must parse again and canonicalise to the same bytes (idempotence). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v1 = NULL;
    json_t *v2 = NULL;
    did_buf c1;
    did_buf c2;
    did_err err;

    did_buf_init(&c1);
    did_buf_init(&c2);
    if (did_json_parse(data, size, NULL, &v1, &err) != DID_OK) {
        if (v1 != NULL)
            abort(); /* *out must stay NULL on error */
        goto out;
    }
    /* Depth is at most 64 here, so NUMBER (impossible after the parser's checks) and DEPTH
     * cannot happen; only allocation can fail. */
    int rc = did_jcs_write(v1, &c1, &err);
    if (rc == DID_ERR_NOMEM)
        goto out;
    if (rc != DID_OK)
        abort();
    /* The canonical form is within the default limits whenever the input was: it is never
     * deeper, and strings and containers are the same. Only its size can grow (escapes,
     * long number forms), so parse it with max_bytes lifted. */
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = c1.len;
    rc = did_json_parse(c1.data, c1.len, &lim, &v2, &err);
    if (rc == DID_ERR_NOMEM)
        goto out;
    if (rc != DID_OK)
        abort();
    rc = did_jcs_write(v2, &c2, &err);
    if (rc == DID_ERR_NOMEM)
        goto out;
    if (rc != DID_OK || c1.len != c2.len || memcmp(c1.data, c2.data, c1.len) != 0)
        abort();
out:
    json_decref(v1);
    json_decref(v2);
    did_buf_clear(&c1);
    did_buf_clear(&c2);
    return 0;
}
