/*
 * status_fetch.c -- did_fetch_status_list: a did_status_fetch_fn that fetches a status list
 * credential over HTTPS (did_fetch, with its cache) and verifies it before did_status_check
 * sees it. did_status_check trusts what the callback returns, so nothing unverified leaves
 * this file.
 */
#include <string.h>

#include <did/fetch.h>
#include <did/verify.h>

#define MAX_ISSUERS 256 /* entries of did_status_fetcher.issuers looked at */

static const char *vc_issuer(const json_t *vc)
{
    const json_t *iss = json_object_get(vc, "issuer");
    if (json_is_object(iss))
        iss = json_object_get(iss, "id");
    return json_is_string(iss) ? json_string_value(iss) : NULL;
}

static int default_verify(const did_status_fetcher *sf, const did_fetch_resp *resp,
                          json_t **verified, did_err *err)
{
    did_verify_opts o;
    did_result r;
    int rc;

    if (sf->ctx == NULL)
        return did_err_set(err, DID_ERR_ARG, "status list: no did_ctx to verify with");
    memset(&o, 0, sizeof o);
    o.now = sf->now;
    o.skew = sf->skew;
    did_result_init(&r);
    rc = did_verify(sf->ctx, resp->body.data != NULL ? resp->body.data : (const uint8_t *)"",
                    resp->body.len, &o, &r, err);
    if (rc != DID_OK)
        goto out;
    if (!json_is_object(r.document)) {
        rc = did_err_set(err, DID_ERR_INTERNAL, "status list: verifier returned no document");
        goto out;
    }
    if (sf->issuers != NULL) {
        const char *iss = vc_issuer(r.document);
        int found = 0;
        for (size_t i = 0; iss != NULL && i < MAX_ISSUERS && sf->issuers[i] != NULL; i++)
            if (strcmp(sf->issuers[i], iss) == 0)
                found = 1;
        if (!found) {
            rc = did_err_set(err, DID_ERR_VC_ISSUER,
                             "status list: issuer is not one of the accepted status list "
                             "issuers");
            goto out;
        }
    }
    *verified = json_incref(r.document);
out:
    did_result_clear(&r);
    return rc;
}

int did_fetch_status_list(void *user, const char *url, json_t **verified, did_err *err)
{
    did_status_fetcher *sf = user;
    did_fetch_resp resp;
    int rc;

    if (verified != NULL)
        *verified = NULL;
    if (sf == NULL || sf->fetcher == NULL || url == NULL || verified == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_fetch_status_list: NULL argument");
    did_fetch_resp_init(&resp);
    did_fetch_req req = {
        .url = url,
        .accept = "application/vc+jwt, application/vc, application/vc+ld+json, application/json",
    };
    rc = did_fetch(sf->fetcher, &req, &resp, err);
    if (rc != DID_OK)
        goto out;
    if (sf->verify != NULL) {
        rc = sf->verify(sf->verify_user,
                        resp.body.data != NULL ? resp.body.data : (const uint8_t *)"",
                        resp.body.len, resp.content_type, verified, err);
        if (rc == DID_OK && *verified == NULL)
            rc = did_err_set(err, DID_ERR_INTERNAL, "status list: verifier returned no document");
        if (rc != DID_OK && *verified != NULL) {
            json_decref(*verified);
            *verified = NULL;
        }
    } else {
        rc = default_verify(sf, &resp, verified, err);
    }
out:
    did_fetch_resp_clear(&resp);
    return rc;
}
