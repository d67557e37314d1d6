/*
 * fuzz_approval.c -- approval requests and envelopes (did/approval.h).
 *
 * Input: a request (compact apreq+jwt), a newline, then an approval envelope (JWS JSON). The
 * request is verified (did:key kids resolve offline) and its claims re-checked as JSON; the
 * envelope is parsed and every signature verified; then the whole verification runs with the
 * request's iss as verifier. The whole input is also parsed as request claims and as an approval
 * statement. Invariants (abort on violation): on error the outputs are cleared; a verified
 * envelope has 1..8 signatures, each verified, and a statement.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <did/approval.h>
#include <did/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static did_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t rlen = nl != NULL ? (size_t)(nl - data) : size;
    const char *env = nl != NULL ? (const char *)nl + 1 : NULL;
    size_t elen = nl != NULL ? size - rlen - 1 : 0;
    did_apreq_verify_opts ro = {1767300060, 60, NULL, 0};
    did_apreq rq;
    did_approval a;
    json_t *j = NULL;
    did_err e;

    if (ctx == NULL && did_ctx_new(&ctx, &e) != DID_OK)
        abort();
    if (did_apreq_verify(ctx, (const char *)data, rlen, &ro, &rq, &e) != DID_OK) {
        if (rq.claims != NULL || rq.jws != NULL)
            abort();
    }
    if (env != NULL) {
        if (did_approval_parse(env, elen, &a, &e) == DID_OK) {
            if (a.n_sigs < 1 || a.n_sigs > DID_APPROVAL_MAX_SIGS)
                abort();
            if (did_approval_verify_sigs(ctx, &a, NULL, NULL, &e) == DID_OK) {
                if (a.statement == NULL)
                    abort();
                for (size_t i = 0; i < a.n_sigs; i++)
                    if (!a.sigs[i].verified)
                        abort();
            }
            did_approval_clear(&a);
        } else if (a.envelope != NULL) {
            abort();
        }
        if (rq.iss != NULL) {
            did_approval_verify_opts o;
            did_result res;
            memset(&o, 0, sizeof(o));
            o.verifier_id = rq.iss;
            o.at = 1767300060;
            o.skew = 60;
            o.skip_audit = 1;
            did_result_init(&res);
            (void)did_approval_verify(ctx, env, elen, (const char *)data, rlen, NULL, NULL, 0, &o,
                                      NULL, &res, &e);
            did_result_clear(&res);
        }
    }
    did_apreq_clear(&rq);
    if (did_json_parse(data, size, NULL, &j, &e) == DID_OK) {
        (void)did_apreq_check_claims(j, NULL, &e);
        (void)did_approval_check_statement(j, &e);
        json_decref(j);
    }
    return 0;
}
