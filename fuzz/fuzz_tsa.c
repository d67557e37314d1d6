/* Fuzzes the RFC 3161 parsers and verifiers (ck/tsa.h). The first byte picks what the rest is:
 *   0: a TimeStampResp, checked against FUZZ_REQ_DER (ck_tsa_resp_verify, ck_tsa_resp_status)
 *   1: a stored TimeStampToken over "civid fuzz data" (ck_tsa_token_verify)
 *   2: a TimeStampReq, read back (ck_tsa_req_from_der) and answered by the built-in TSA, whose
 *      response must then parse and, when granted, verify
 *   3: a trust anchor certificate as DER and as PEM (ck_tsa_trust_add_*)
 * The anchor and the TSA credential below are fixed (made once by ck_tsa_cred_generate_ca /
 * ck_tsa_cred_issue_tsa, valid 2020-2120) so that the seed corpus in fuzz/corpus/tsa/, made by
 * the built-in TSA with a clock fixed at 2026-01-01, verifies and mutations reach the signature
 * and chain checks. The private key is a test key for this file only. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ck/ck.h>
#include <ck/tsa.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char FUZZ_CA_PEM[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBcTCCARigAwIBAgIQSTQ23H+cnkeIA8HSv+G3CzAKBggqhkjOPQQDAjAYMRYw\n"
    "FAYDVQQDDA1jaXZpZCBmdXp6IENBMCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAx\n"
    "MDAwMDAwWjAYMRYwFAYDVQQDDA1jaXZpZCBmdXp6IENBMFkwEwYHKoZIzj0CAQYI\n"
    "KoZIzj0DAQcDQgAEV0SmgGxCOWp1jFva4smZ5gQgEtBkmYFOxkKS/PluiAX+BGFH\n"
    "KB0e94dGUJ4Y3y/EAa1qncC79I2VBP2PJqhRx6NCMEAwDwYDVR0TAQH/BAUwAwEB\n"
    "/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFEmbnxNx48xkCHRhYVDC+CbGDljL\n"
    "MAoGCCqGSM49BAMCA0cAMEQCIDDefQEXMUYQsfAuhEJPy4XPE2E+bvnGyU+8Pv+P\n"
    "Xa3sAiA8mFeudj0NqokXrll8JaKhas722QtaUQPtTwhSC0r+1g==\n"
    "-----END CERTIFICATE-----\n";
static const char FUZZ_TSA_KEY_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSJA5W1jZwND0I2Xq\n"
    "Iz9BNuyq/rEhoVYnndzAqqcuosehRANCAATFvV1QpcipJeDD28kB/KmZlOkfXoLf\n"
    "TrdlnLcuxr463Tlx6DCnT0NJAdw1XNVWk0iuyxftc3hqBSg6998i0Mu9\n"
    "-----END PRIVATE KEY-----\n";
static const char FUZZ_TSA_CERT_PEM[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBqDCCAU+gAwIBAgIQdXx7y5g2eZ/njGb3xCjjVDAKBggqhkjOPQQDAjAYMRYw\n"
    "FAYDVQQDDA1jaXZpZCBmdXp6IENBMCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAx\n"
    "MDAwMDAwWjAZMRcwFQYDVQQDDA5jaXZpZCBmdXp6IFRTQTBZMBMGByqGSM49AgEG\n"
    "CCqGSM49AwEHA0IABMW9XVClyKkl4MPbyQH8qZmU6R9egt9Ot2Wcty7GvjrdOXHo\n"
    "MKdPQ0kB3DVc1VaTSK7LF+1zeGoFKDr33yLQy72jeDB2MAwGA1UdEwEB/wQCMAAw\n"
    "DgYDVR0PAQH/BAQDAgbAMB0GA1UdDgQWBBTYFwg5c4DLbt3zTQ+R3Bue0Ou/bjAf\n"
    "BgNVHSMEGDAWgBRJm58TcePMZAh0YWFQwvgmxg5YyzAWBgNVHSUBAf8EDDAKBggr\n"
    "BgEFBQcDCDAKBggqhkjOPQQDAgNHADBEAiAef94MfZMdM3O2Ls8ulmh6AZDIloD7\n"
    "h3uSENvcUf1UNgIgCAKGrMG9mM1mgthB0AkvdClQmrvAPP+79mojVAppEW4=\n"
    "-----END CERTIFICATE-----\n";
static const uint8_t FUZZ_REQ_DER[] = {
    0x30, 0x44, 0x02, 0x01, 0x01, 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
    0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20, 0x38, 0x81, 0x99, 0x3d,
    0xa5, 0x63, 0xa6, 0xa8, 0xcf, 0xd0, 0x22, 0x72, 0x10, 0x26, 0x74, 0x33, 0xbd, 0x02,
    0x49, 0x3d, 0xa1, 0xe7, 0x0d, 0x8d, 0x54, 0xd8, 0xb4, 0xd1, 0xe0, 0x2f, 0xcb, 0x19,
    0x02, 0x09, 0x00, 0xe1, 0x7e, 0x4c, 0xd9, 0xbc, 0x91, 0xf0, 0x7d, 0x01, 0x01, 0xff,
};

static const uint8_t FUZZ_DATA[] = "civid fuzz data";
#define FUZZ_POLICY "1.3.6.1.4.1.99999.1.1"

typedef struct fixture {
    ck_tsa_trust *trust;
    ck_tsa_req *req;
    ck_tsa *tsa;
    uint64_t serial;
} fixture;

static int fuzz_serial(void *user, uint64_t *out)
{
    fixture *f = user;
    *out = f->serial++;
    return 0;
}

static int fuzz_clock(void *user, int64_t *sec, uint32_t *usec)
{
    (void)user;
    *sec = 1767225600; /* 2026-01-01T00:00:00Z */
    *usec = 123000;
    return 0;
}

/* Made once per process (the harness's state, not the library's). */
static fixture *fixture_get(void)
{
    static fixture f;
    static int ready;
    if (ready)
        return &f;
    ck_tsa_cred *cred = NULL;
    if (ck_tsa_trust_new(&f.trust, NULL) != CK_OK ||
        ck_tsa_trust_add_pem(f.trust, FUZZ_CA_PEM, sizeof FUZZ_CA_PEM - 1, NULL) != CK_OK ||
        ck_tsa_req_from_der(FUZZ_REQ_DER, sizeof FUZZ_REQ_DER, &f.req, NULL) != CK_OK ||
        ck_tsa_cred_import_pem(FUZZ_TSA_KEY_PEM, sizeof FUZZ_TSA_KEY_PEM - 1, FUZZ_TSA_CERT_PEM,
                               sizeof FUZZ_TSA_CERT_PEM - 1, &cred, NULL) != CK_OK)
        abort();
    ck_tsa_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.policy = FUZZ_POLICY;
    cfg.policy_len = sizeof FUZZ_POLICY - 1;
    cfg.precision_digits = 3;
    cfg.accuracy_secs = 1;
    cfg.include_tsa_name = 1;
    cfg.serial = fuzz_serial;
    cfg.serial_user = &f;
    cfg.clock = fuzz_clock;
    f.serial = 1;
    if (ck_tsa_new(cred, &cfg, &f.tsa, NULL) != CK_OK)
        abort();
    ck_tsa_cred_free(cred);
    ready = 1;
    return &f;
}

/* A verification result must be one of the documented codes, and *out set only on success. */
static void check(int rc, ck_tsa_token *tok)
{
    switch (rc) {
    case CK_OK:
        if (tok == NULL)
            abort();
        {
            const ck_tsa_info *info = ck_tsa_token_info(tok);
            size_t len = 0;
            if (ck_tsa_token_der(tok, &len) == NULL || len == 0 || len > CK_TSA_MAX_DER ||
                info->gen_time_nanos >= 1000000000u || info->imprint_len == 0 ||
                info->imprint_len > CK_TSA_HASH_MAX_LEN ||
                strlen(info->serial_dec) >= sizeof info->serial_dec)
                abort();
        }
        return;
    case CK_ERR_TSA_FORMAT:
    case CK_ERR_TSA_STATUS:
    case CK_ERR_TSA_VERIFY:
    case CK_ERR_TSA_POLICY:
    case CK_ERR_LIMIT:
    case CK_ERR_UNSUPPORTED:
    case CK_ERR_NOMEM:
        if (tok != NULL)
            abort();
        return;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fixture *f = fixture_get();
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    ck_tsa_verify_opts opts = {.chain_time = CK_TSA_AT_GEN_TIME};
    ck_tsa_token *tok = NULL;
    ck_err err;
    int rc;

    switch (data[0] & 3) {
    case 0: {
        int status = -1;
        uint32_t bits = 0;
        rc = ck_tsa_resp_status(in, n, &status, &bits, &err);
        if (rc == CK_OK && (status < 0 || status > 5))
            abort();
        rc = ck_tsa_resp_verify(f->req, in, n, f->trust, &opts, &tok, &err);
        check(rc, tok);
        break;
    }
    case 1:
        rc = ck_tsa_token_verify(in, n, FUZZ_DATA, sizeof FUZZ_DATA - 1, f->trust, &opts, &tok,
                                 &err);
        check(rc, tok);
        break;
    case 2: {
        ck_tsa_req *req = NULL;
        rc = ck_tsa_req_from_der(in, n, &req, &err);
        if ((rc == CK_OK) != (req != NULL))
            abort();
        uint8_t *out = malloc(CK_TSA_MAX_DER);
        size_t out_len = 0;
        if (out == NULL) {
            ck_tsa_req_free(req);
            return 0;
        }
        rc = ck_tsa_respond(f->tsa, in, n, out, CK_TSA_MAX_DER, &out_len, &err);
        if (rc == CK_OK) {
            int status = -1;
            uint32_t bits = 0;
            if (ck_tsa_resp_status(out, out_len, &status, &bits, &err) != CK_OK)
                abort();
            /* What we grant, we verify (when the request is one we can read back). */
            if (status == 0 && req != NULL) {
                rc = ck_tsa_resp_verify(req, out, out_len, f->trust, &opts, &tok, &err);
                if (rc != CK_OK && rc != CK_ERR_NOMEM)
                    abort();
            }
        } else if (rc != CK_ERR_LIMIT && rc != CK_ERR_NOMEM && rc != CK_ERR_BACKEND) {
            abort();
        }
        free(out);
        ck_tsa_req_free(req);
        break;
    }
    default: {
        ck_tsa_trust *t = NULL;
        if (ck_tsa_trust_new(&t, &err) != CK_OK)
            return 0;
        rc = ck_tsa_trust_add_der(t, in, n, &err);
        if (rc != CK_OK && rc != CK_ERR_TSA_CERT && rc != CK_ERR_LIMIT && rc != CK_ERR_NOMEM)
            abort();
        rc = ck_tsa_trust_add_pem(t, (const char *)in, n, &err);
        if (rc != CK_OK && rc != CK_ERR_TSA_CERT && rc != CK_ERR_LIMIT && rc != CK_ERR_NOMEM)
            abort();
        ck_tsa_trust_free(t);
        break;
    }
    }
    ck_tsa_token_free(tok);
    return 0;
}
