/*
 * fuzz_delegation.c -- dlg+jwt links and chains (did/delegation.h).
 *
 * Input: up to 5 compact JWS separated by newlines, verified as a chain (did:key kids resolve
 * offline); the whole input is also parsed as JSON and checked as delegation claims. fuzz/corpus
 * holds chains signed with keys generated once (their did:key DIDs are in the links), so inputs
 * reach the claims and attenuation checks. Invariants (abort on violation): on error the chain is
 * cleared; on success it has 1..4 links, root first, hash-linked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/delegation.h>
#include <did/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static did_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *links[5];
    size_t lens[5], n = 0, start = 0;
    did_dlg_chain_opts o = {1767300060, 60, NULL, NULL, NULL};
    did_dlg_chain c;
    json_t *j = NULL;
    did_err e;
    int rc;

    if (ctx == NULL && did_ctx_new(&ctx, &e) != DID_OK)
        abort();
    for (size_t i = 0; i <= size && n < 5; i++) {
        if (i == size || data[i] == '\n') {
            links[n] = (const char *)data + start;
            lens[n] = i - start;
            n++;
            start = i + 1;
        }
    }
    rc = did_dlg_chain_verify(ctx, links, lens, n, &o, &c, &e);
    if (rc == DID_OK) {
        if (c.n < 1 || c.n > DID_DLG_MAX_CHAIN || c.links[0].prf != NULL)
            abort();
        for (size_t i = 1; i < c.n; i++)
            if (strcmp(c.links[i].prf, c.links[i - 1].ref) != 0)
                abort();
    } else if (c.n != 0) {
        abort();
    }
    did_dlg_chain_clear(&c);
    if (did_json_parse(data, size, NULL, &j, &e) == DID_OK) {
        did_dlg d;
        did_dlg_init(&d);
        (void)did_dlg_check_claims(j, &d, &e);
        json_decref(j);
    }
    return 0;
}
