/* Fuzzes the encodedList decoder (did/status.h) and the credentialStatus checker.
 *
 * The first byte selects what the rest is; its bits 2..4 give the status size (1..8):
 *   mode 0: the encodedList string itself;
 *   mode 1: bytes to GZIP-decode: base64url-encoded with the 'u' prefix first, so that the
 *           fuzzer reaches the inflater without having to learn base64;
 *   mode 2: a deflate body and trailer: a fixed gzip header is put in front too;
 *   mode 3: JSON for did_status_check's credentialStatus, against a fixed list credential.
 * The decompressed cap is lowered to 256 KiB so runs stay fast; a bomb must stop there with
 * DID_ERR_LIMIT. Anything the decoder accepts must re-encode and decode to the same bits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/codec.h>
#include <did/json.h>
#include <did/status.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_DECODED ((size_t)256 << 10)

static void check_round_trip(const did_status_list *l, unsigned status_size,
                             const did_status_limits *lim)
{
    did_status_list *again = NULL;
    did_buf enc;
    did_err err;
    size_t n1, n2;

    did_buf_init(&enc);
    const uint8_t *b1 = did_status_list_bytes(l, &n1);
    if (n1 > lim->max_decoded || n1 < DID_STATUS_MIN_BYTES ||
        did_status_list_entries(l) != n1 * 8 / status_size ||
        did_status_list_status_size(l) != status_size)
        abort();
    int rc = did_status_list_encode(l, &enc, &err);
    if (rc == DID_ERR_NOMEM)
        goto out;
    if (rc != DID_OK)
        abort();
    /* Our own output may compress worse than the input did, but never beyond the limit of the
     * stored form; lift the compressed cap for the second decode. */
    did_status_limits lim2 = *lim;
    lim2.max_compressed = DID_STATUS_DEFAULT_MAX_COMPRESSED;
    rc = did_status_list_decode((const char *)enc.data, enc.len, status_size, &lim2, &again, &err);
    if (rc == DID_ERR_NOMEM)
        goto out;
    if (rc != DID_OK)
        abort();
    const uint8_t *b2 = did_status_list_bytes(again, &n2);
    if (n1 != n2 || memcmp(b1, b2, n1) != 0 ||
        did_status_list_entries(l) != did_status_list_entries(again))
        abort();
    /* Every entry reads back the same through get as well (sampled). */
    for (size_t i = 0; i < did_status_list_entries(l); i += 4099) {
        unsigned v1 = 0, v2 = 0;
        if (did_status_list_get(l, i, &v1, &err) != DID_OK ||
            did_status_list_get(again, i, &v2, &err) != DID_OK || v1 != v2 ||
            v1 >> status_size != 0)
            abort();
    }
out:
    did_status_list_free(again);
    did_buf_clear(&enc);
}

static void decode_one(const char *s, size_t n, unsigned status_size)
{
    did_status_limits lim = did_status_limits_default();
    did_status_list *l = (did_status_list *)1;
    did_err err;

    lim.max_decoded = FUZZ_MAX_DECODED;
    lim.max_compressed = (size_t)64 << 10;
    did_err_clear(&err);
    int rc = did_status_list_decode(s, n, status_size, &lim, &l, &err);
    if (rc != DID_OK) {
        if (l != NULL || err.code != rc)
            abort(); /* *out must be NULL on error, and err filled */
        if (rc != DID_ERR_STATUS_ENCODING && rc != DID_ERR_LIMIT && rc != DID_ERR_NOMEM)
            abort();
        return;
    }
    check_round_trip(l, status_size, &lim);
    did_status_list_free(l);
}

/* The list credential for mode 3, chosen by the URL's ending: ".../8" a 2-bit "message" list,
 * ".../4" a suspension list, ".../0" a failed fetch, anything else a revocation list; index 1
 * is set in each. */
static int fetch_fixed(void *user, const char *url, json_t **vc, did_err *err)
{
    did_status_list *l = NULL;
    size_t n = strlen(url);
    char last = n > 0 ? url[n - 1] : '\0';
    const char *purpose = last == '8' ? "message" : last == '4' ? "suspension" : "revocation";
    unsigned size = last == '8' ? 2 : 1;
    int rc;

    (void)user;
    if (last == '0')
        return did_err_set(err, DID_ERR_IO, "no list at %s", url);
    if ((rc = did_status_list_new(0, size, &l, err)) != DID_OK)
        return rc;
    if ((rc = did_status_list_set(l, 1, size == 2 ? 2 : 1, err)) == DID_OK)
        rc = did_status_list_credential(l, url, "did:example:issuer", purpose, 1617632860, vc, err);
    did_status_list_free(l);
    return rc;
}

static void check_json(const uint8_t *p, size_t n)
{
    json_t *status = NULL;
    did_status_check_opts opts;
    did_result r;
    did_err err;

    if (did_json_parse(p, n, NULL, &status, &err) != DID_OK)
        return;
    did_status_check_opts_init(&opts);
    opts.now = 1700000000;
    opts.limits.max_decoded = FUZZ_MAX_DECODED;
    did_result_init(&r);
    int rc = did_status_check(status, fetch_fixed, NULL, &opts, &r, &err);
    /* The return value is the first recorded error; the check always counts as run. */
    if (r.n_checks != 1 || (rc == DID_OK) != (r.n_errors == 0 && !r.dropped_error) ||
        (rc != DID_OK && r.n_errors > 0 && r.errors[0].code != rc))
        abort();
    did_result_clear(&r);
    json_decref(status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t gz_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    did_buf b, e;
    did_err err;

    if (size < 1)
        return 0;
    unsigned mode = data[0] & 3u;
    unsigned status_size = 1 + ((data[0] >> 2) & 7u);
    const uint8_t *p = data + 1;
    size_t n = size - 1;

    did_buf_init(&b);
    did_buf_init(&e);
    switch (mode) {
    case 0:
        decode_one((const char *)p, n, status_size);
        break;
    case 1:
    case 2:
        if (mode == 2 && did_buf_append(&b, gz_header, sizeof gz_header) != DID_OK)
            break;
        if (did_buf_append(&b, p, n) != DID_OK ||
            did_multibase_encode('u', b.data, b.len, &e, &err) != DID_OK)
            break;
        decode_one((const char *)e.data, e.len, status_size);
        break;
    default:
        check_json(p, n);
        break;
    }
    did_buf_clear(&b);
    did_buf_clear(&e);
    return 0;
}
