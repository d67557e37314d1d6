/*
 * ck_tsa_verify.c -- RFC 3161 client side: TimeStampResp framing and status, and the
 * verification of a TimeStampToken against a request or stored data (OpenSSL TS_VERIFY_CTX),
 * with the TSTInfo fields read out for evidence.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ck/tsa.h"
#include "ck_tsa_internal.h"

struct ck_tsa_token {
    ck_tsa_info info;
    uint8_t *der;
    size_t der_len;
};

/* ---- DER framing ------------------------------------------------------------------------ */

/* Reads one definite-length TLV with a low tag number at *p (< end): its tag and the span of
 * the whole element; *p moves past it. 0 on success, -1 if malformed, indefinite, truncated or
 * not minimally encoded. */
static int der_next(const uint8_t **p, const uint8_t *end, uint8_t *tag, const uint8_t **start,
                    size_t *total, size_t *hdr)
{
    const uint8_t *q = *p;
    if (end - q < 2 || (q[0] & 0x1f) == 0x1f)
        return -1;
    *tag = q[0];
    size_t n = q[1];
    q += 2;
    if (n & 0x80) {
        size_t k = n & 0x7f;
        if (k == 0 || k > 3 || (size_t)(end - q) < k || q[0] == 0)
            return -1; /* indefinite, > 16 MiB, truncated, or non-minimal */
        n = 0;
        for (size_t i = 0; i < k; i++)
            n = (n << 8) | q[i];
        q += k;
        if (n < 0x80)
            return -1;
    }
    if ((size_t)(end - q) < n)
        return -1;
    *start = *p;
    *hdr = (size_t)(q - *p);
    *total = *hdr + n;
    *p = q + n;
    return 0;
}

/* Splits TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL } into
 * the two elements' spans, so the token is kept byte for byte as the TSA sent it. */
static int resp_split(const uint8_t *resp, size_t len, const uint8_t **status, size_t *status_len,
                      const uint8_t **token, size_t *token_len, ck_err *err)
{
    const uint8_t *p = resp, *end = resp + len, *outer = NULL;
    uint8_t tag = 0;
    size_t outer_len = 0, hdr = 0;
    if (len == 0)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa response: empty");
    if (der_next(&p, end, &tag, &outer, &outer_len, &hdr) != 0 || tag != 0x30)
        return ck_err_set(err, CK_ERR_TSA_FORMAT,
                          "tsa response: not a definite-length DER SEQUENCE");
    if (p != end)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa response: %zu trailing bytes",
                          (size_t)(end - p));
    p = outer + hdr;
    if (der_next(&p, end, &tag, status, status_len, &hdr) != 0 || tag != 0x30)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa response: malformed PKIStatusInfo");
    *token = NULL;
    *token_len = 0;
    if (p == end)
        return CK_OK;
    if (der_next(&p, end, &tag, token, token_len, &hdr) != 0 || tag != 0x30)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa response: malformed timeStampToken");
    if (p != end)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa response: data after the token");
    return CK_OK;
}

static const char *const status_names[] = {"granted",           "grantedWithMods",
                                           "rejection",         "waiting",
                                           "revocationWarning", "revocationNotification"};

/* Parses the status element: status value, failure bits, the first text (sanitised). */
static int status_parse(const uint8_t *der, size_t len, long *status, uint32_t *fail_bits,
                        char *text, size_t text_cap, ck_err *err)
{
    const unsigned char *p = der;
    TS_STATUS_INFO *si = d2i_TS_STATUS_INFO(NULL, &p, (long)len);
    if (si == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_TSA_FORMAT, "tsa response: malformed PKIStatusInfo");
    int rc = CK_OK;
    if (p != der + len) {
        rc = ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa response: malformed PKIStatusInfo");
        goto out;
    }
    *status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
    if (*status < 0 || *status > 5) {
        ERR_clear_error();
        rc = ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa response: unknown PKIStatus");
        goto out;
    }
    *fail_bits = 0;
    const ASN1_BIT_STRING *fi = TS_STATUS_INFO_get0_failure_info(si);
    for (int bit = 0; fi != NULL && bit < 32; bit++)
        if (ASN1_BIT_STRING_get_bit(fi, bit))
            *fail_bits |= UINT32_C(1) << bit;
    if (text_cap > 0) {
        text[0] = '\0';
        const STACK_OF(ASN1_UTF8STRING) *txt = TS_STATUS_INFO_get0_text(si);
        if (txt != NULL && sk_ASN1_UTF8STRING_num(txt) > 0) {
            const ASN1_UTF8STRING *s = sk_ASN1_UTF8STRING_value(txt, 0);
            const unsigned char *d = ASN1_STRING_get0_data(s);
            size_t n = (size_t)ASN1_STRING_length(s), j = 0;
            /* Outside text goes into a message: printable ASCII only. */
            for (size_t i = 0; i < n && j + 1 < text_cap; i++)
                text[j++] = (d[i] >= 0x20 && d[i] < 0x7f) ? (char)d[i] : '?';
            text[j] = '\0';
        }
    }
out:
    TS_STATUS_INFO_free(si);
    return rc;
}

int ck_tsa_resp_status(const uint8_t *resp, size_t resp_len, int *status, uint32_t *failure_info,
                       ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (resp == NULL || status == NULL || failure_info == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa response: NULL argument");
    if (resp_len > CK_TSA_MAX_DER)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa response: %zu bytes, limit %d", resp_len,
                          CK_TSA_MAX_DER);
    ERR_clear_error();
    const uint8_t *st = NULL, *tok = NULL;
    size_t st_len = 0, tok_len = 0;
    rc = resp_split(resp, resp_len, &st, &st_len, &tok, &tok_len, err);
    if (rc != CK_OK)
        return rc;
    long s = 0;
    uint32_t bits = 0;
    rc = status_parse(st, st_len, &s, &bits, NULL, 0, err);
    if (rc != CK_OK)
        return rc;
    *status = (int)s;
    *failure_info = bits;
    ck_err_clear(err);
    return CK_OK;
}

/* ---- TSTInfo fields ---------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const unsigned char *s, size_t n, int64_t *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

/* genTime per RFC 3161 section 2.4.2 / X.690 DER: YYYYMMDDhhmmss[.f*]Z, the fraction without
 * trailing zeros (and absent when zero). */
static int gen_time_parse(const ASN1_GENERALIZEDTIME *t, ck_tsa_info *info, ck_err *err)
{
    const unsigned char *s = ASN1_STRING_get0_data(t);
    size_t n = (size_t)ASN1_STRING_length(t);
    int64_t Y, M, D, h, m, sec;
    if (n < 15 || n >= CK_TSA_TIME_TEXT_MAX || s[n - 1] != 'Z' || digits(s, 4, &Y) != 0 ||
        digits(s + 4, 2, &M) != 0 || digits(s + 6, 2, &D) != 0 || digits(s + 8, 2, &h) != 0 ||
        digits(s + 10, 2, &m) != 0 || digits(s + 12, 2, &sec) != 0)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: genTime is not YYYYMMDDhhmmss[.f]Z");
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || (M == 2 && D == 29 && !leap) || h > 23 ||
        m > 59 || sec > 59)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: genTime out of range");
    uint32_t nanos = 0;
    if (n > 15) {
        /* '.', at least one digit, the last one not zero */
        if (s[14] != '.' || n < 17 || s[n - 2] == '0')
            return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: malformed genTime fraction");
        uint32_t scale = 100000000;
        for (size_t i = 15; i < n - 1; i++) {
            if (s[i] < '0' || s[i] > '9')
                return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: malformed genTime fraction");
            nanos += (uint32_t)(s[i] - '0') * scale;
            scale /= 10;
        }
    }
    info->gen_time = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec;
    info->gen_time_nanos = nanos;
    memcpy(info->gen_time_text, s, n);
    info->gen_time_text[n] = '\0';
    return CK_OK;
}

/* Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
 * micros [1] INTEGER (1..999) OPTIONAL } */
static int accuracy_read(TS_TST_INFO *tst, ck_tsa_info *info, ck_err *err)
{
    const TS_ACCURACY *acc = TS_TST_INFO_get_accuracy(tst);
    if (acc == NULL)
        return CK_OK;
    const ASN1_INTEGER *v[3] = {TS_ACCURACY_get_seconds(acc), TS_ACCURACY_get_millis(acc),
                                TS_ACCURACY_get_micros(acc)};
    uint32_t *dst[3] = {&info->accuracy_secs, &info->accuracy_millis, &info->accuracy_micros};
    for (int i = 0; i < 3; i++) {
        uint64_t u = 0;
        if (v[i] == NULL)
            continue;
        if (ASN1_INTEGER_get_uint64(&u, v[i]) != 1 || u > UINT32_MAX ||
            (i > 0 && (u < 1 || u > 999))) {
            ERR_clear_error();
            return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: accuracy out of range");
        }
        *dst[i] = (uint32_t)u;
    }
    info->has_accuracy = 1;
    return CK_OK;
}

/* Prints name into out (RFC 2253); CK_ERR_LIMIT if it does not fit. */
static int name_print(const X509_NAME *name, const GENERAL_NAME *gn, char *out, size_t cap,
                      const char *what, ck_err *err)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa: out of memory");
    int ok = name != NULL ? X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0
                          : GENERAL_NAME_print(b, (GENERAL_NAME *)gn) == 1;
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    int rc = CK_OK;
    if (!ok || n < 0)
        rc = ck_tsa_ossl_fail(err, CK_ERR_BACKEND, "tsa: cannot print a name");
    else if ((size_t)n >= cap)
        rc = ck_err_set(err, CK_ERR_LIMIT, "tsa token: %s longer than %zu characters", what,
                        cap - 1);
    else {
        if (n > 0)
            memcpy(out, data, (size_t)n);
        out[n] = '\0';
    }
    BIO_free(b);
    return rc;
}

/* Reads the TSTInfo fields (before verification, so genTime can set the chain time; the
 * caller returns them only once the signature has verified). */
static int info_read(TS_TST_INFO *tst, ck_tsa_info *info, ck_err *err)
{
    memset(info, 0, sizeof *info);
    int rc = gen_time_parse(TS_TST_INFO_get_time(tst), info, err);
    if (rc != CK_OK)
        return rc;

    BIGNUM *bn = ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(tst), NULL);
    if (bn == NULL)
        return ck_tsa_ossl_fail(err, CK_ERR_TSA_FORMAT, "tsa token: bad serialNumber");
    char *dec = NULL, *hex = NULL;
    if (BN_is_negative(bn))
        rc = ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: negative serialNumber");
    else if (BN_num_bits(bn) > CK_TSA_MAX_SERIAL_BITS)
        rc = ck_err_set(err, CK_ERR_LIMIT, "tsa token: serialNumber over %d bits",
                        CK_TSA_MAX_SERIAL_BITS);
    else if ((dec = BN_bn2dec(bn)) == NULL || (hex = BN_bn2hex(bn)) == NULL)
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa: out of memory");
    else {
        /* BN_bn2hex pads to whole bytes ("0A"); keep the number's own digits. */
        const char *h = hex;
        while (h[0] == '0' && h[1] != '\0')
            h++;
        /* Bounded by the 160-bit check above. */
        snprintf(info->serial_dec, sizeof info->serial_dec, "%s", dec);
        snprintf(info->serial_hex, sizeof info->serial_hex, "%s", h);
    }
    OPENSSL_free(dec);
    OPENSSL_free(hex);
    BN_free(bn);
    if (rc != CK_OK)
        return rc;

    int n = OBJ_obj2txt(info->policy, sizeof info->policy, TS_TST_INFO_get_policy_id(tst), 1);
    if (n <= 0 || (size_t)n >= sizeof info->policy)
        return ck_err_set(err, n <= 0 ? CK_ERR_TSA_FORMAT : CK_ERR_LIMIT,
                          "tsa token: unreadable or over-long policy OID");

    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
    info->hash_alg = ck_tsa_imprint_alg(TS_MSG_IMPRINT_get_algo(mi));
    const ASN1_OCTET_STRING *msg = TS_MSG_IMPRINT_get_msg(mi);
    size_t mlen = (size_t)ASN1_STRING_length(msg);
    if (mlen <= sizeof info->imprint) {
        memcpy(info->imprint, ASN1_STRING_get0_data(msg), mlen);
        info->imprint_len = mlen;
    }

    rc = accuracy_read(tst, info, err);
    if (rc != CK_OK)
        return rc;
    info->ordering = TS_TST_INFO_get_ordering(tst) ? 1 : 0;
    info->has_nonce = TS_TST_INFO_get_nonce(tst) != NULL;
    const GENERAL_NAME *gn = TS_TST_INFO_get_tsa(tst);
    if (gn != NULL) {
        int type = 0;
        void *v = GENERAL_NAME_get0_value(gn, &type);
        rc = name_print(type == GEN_DIRNAME ? v : NULL, gn, info->tsa_name, sizeof info->tsa_name,
                        "TSA name", err);
    }
    return rc;
}

/* ---- verification ------------------------------------------------------------------------ */

/* Maps OpenSSL's verification failure to our code and names the check that failed; the first
 * queued error (the root cause) and its data go into the message. */
static int verify_fail(ck_err *err)
{
    int code = CK_ERR_TSA_VERIFY, classified = 0;
    const char *what = "tsa token: verification failed";
    char first[160] = "", detail[96] = "";
    const char *data = NULL;
    int flags = 0;
    unsigned long e;
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        if (first[0] == '\0') {
            ERR_error_string_n(e, first, sizeof first);
            if (data != NULL && (flags & ERR_TXT_STRING) != 0)
                snprintf(detail, sizeof detail, "%s", data);
        }
        if (classified)
            continue;
        classified = 1;
        if (ERR_GET_LIB(e) == ERR_LIB_ESS) {
            what = "tsa token: ESS signing-certificate attribute does not bind the signer";
            continue;
        }
        if (ERR_GET_LIB(e) != ERR_LIB_TS) {
            classified = 0;
            continue;
        }
        switch (ERR_GET_REASON(e)) {
        case TS_R_MESSAGE_IMPRINT_MISMATCH:
            what = "tsa token: message imprint does not match the data";
            break;
        case TS_R_NONCE_MISMATCH:
            what = "tsa token: nonce does not match the request";
            break;
        case TS_R_NONCE_NOT_RETURNED:
            what = "tsa token: nonce missing";
            break;
        case TS_R_POLICY_MISMATCH:
            what = "tsa token: policy differs from the one requested";
            code = CK_ERR_TSA_POLICY;
            break;
        case TS_R_UNSUPPORTED_VERSION:
            what = "tsa token: TSTInfo version is not 1";
            break;
        case TS_R_TSA_NAME_MISMATCH:
            what = "tsa token: tsa name does not name the signer";
            break;
        case TS_R_CERTIFICATE_VERIFY_ERROR:
            what = "tsa token: signer certificate does not chain to a trust anchor as a "
                   "time-stamping certificate (critical timeStamping EKU)";
            break;
        case TS_R_ESS_SIGNING_CERTIFICATE_ERROR:
        case TS_R_ESS_ADD_SIGNING_CERT_ERROR:
            what = "tsa token: ESS signing-certificate attribute does not bind the signer";
            break;
        case TS_R_SIGNATURE_FAILURE:
            what = "tsa token: signature does not verify";
            break;
        default:
            classified = 0;
            break;
        }
    }
    ERR_clear_error();
    return ck_err_set(err, code, "%s: %s%s%s%s", what, first, detail[0] ? " (" : "", detail,
                      detail[0] ? ")" : "");
}

/* The one signer's digest algorithm must be SHA-2, and its signed attributes tell which ESS
 * signing-certificate form binds the certificate. */
static int signer_check(PKCS7 *p7, ck_tsa_info *info, ck_err *err)
{
    STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(p7);
    if (sis == NULL || sk_PKCS7_SIGNER_INFO_num(sis) != 1)
        return ck_err_set(err, CK_ERR_TSA_VERIFY, "tsa token: must have exactly one signer");
    PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
    X509_ALGOR *dig = NULL;
    PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig, NULL);
    if (dig == NULL || ck_tsa_imprint_alg(dig) == 0)
        return ck_err_set(err, CK_ERR_TSA_VERIFY,
                          "tsa token: signer digest is not SHA-256/384/512");
    info->ess_cert_id_v2 =
        PKCS7_get_signed_attribute(si, NID_id_smime_aa_signingCertificateV2) != NULL;
    return CK_OK;
}

/* Verifies token DER. With req: the request's imprint, nonce and policy (TS_REQ_to_TS_VERIFY_CTX);
 * otherwise alg/digest (alg 0: the token's own algorithm, digest computed over data). */
static int token_verify(const uint8_t *der, size_t len, const ck_tsa_req *req, ck_tsa_hash_alg alg,
                        const uint8_t *digest, size_t digest_len, const uint8_t *data,
                        size_t data_len, const ck_tsa_trust *trust, const ck_tsa_verify_opts *opts,
                        ck_tsa_token **out, ck_err *err)
{
    PKCS7 *p7 = NULL;
    TS_TST_INFO *tst = NULL;
    TS_VERIFY_CTX *vctx = NULL;
    X509_STORE *store = NULL;
    ck_tsa_token *tok = NULL;
    ASN1_OBJECT *want_policy = NULL;
    unsigned char *imprint = NULL;
    uint8_t md[CK_TSA_HASH_MAX_LEN];
    int rc = CK_OK;

    if (len > CK_TSA_MAX_DER)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa token: %zu bytes, limit %d", len, CK_TSA_MAX_DER);
    if (len == 0)
        return ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: empty");
    if (opts != NULL && opts->chain_time != CK_TSA_AT_NOW &&
        opts->chain_time != CK_TSA_AT_GEN_TIME && opts->chain_time != CK_TSA_AT_TIME)
        return ck_err_set(err, CK_ERR_ARG, "tsa verify: unknown chain_time %d", opts->chain_time);
    if (opts != NULL && opts->policy != NULL &&
        (want_policy = ck_tsa_oid_parse(opts->policy, opts->policy_len)) == NULL) {
        ERR_clear_error();
        return ck_err_set(err, CK_ERR_ARG, "tsa verify: required policy is not a dotted OID");
    }

    const unsigned char *p = der;
    p7 = d2i_PKCS7(NULL, &p, (long)len);
    if (p7 == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_TSA_FORMAT, "tsa token: not a CMS ContentInfo");
        goto out;
    }
    if (p != der + len) {
        rc = ck_err_set(err, CK_ERR_TSA_FORMAT, "tsa token: %zu trailing bytes",
                        (size_t)(der + len - p));
        goto out;
    }
    tst = PKCS7_to_TS_TST_INFO(p7);
    if (tst == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_TSA_FORMAT,
                              "tsa token: not a SignedData holding a TSTInfo");
        goto out;
    }
    tok = calloc(1, sizeof *tok);
    if (tok == NULL) {
        rc = ck_err_set(err, CK_ERR_NOMEM, "tsa: out of memory");
        goto out;
    }
    rc = info_read(tst, &tok->info, err);
    if (rc != CK_OK)
        goto out;
    rc = signer_check(p7, &tok->info, err);
    if (rc != CK_OK)
        goto out;

    /* The imprint algorithm is ours to check: TS_VFY_IMPRINT compares it only when the context
     * comes from a request, and TS_VFY_DATA would hash with whatever the token names. */
    ck_tsa_hash_alg token_alg = tok->info.hash_alg;
    if (token_alg == 0) {
        rc = ck_err_set(err, CK_ERR_TSA_VERIFY,
                        "tsa token: imprint hash is not SHA-256/384/512 without parameters");
        goto out;
    }
    if (req != NULL) {
        const X509_ALGOR *ra = TS_MSG_IMPRINT_get_algo(TS_REQ_get_msg_imprint(req->req));
        alg = ck_tsa_imprint_alg(ra);
    } else if (alg == 0) {
        alg = token_alg;
        rc = ck_tsa_digest(alg, data, data_len, md, err);
        if (rc != CK_OK)
            goto out;
        digest = md;
        digest_len = ck_tsa_hash_len(alg);
    }
    if (token_alg != alg) {
        rc = ck_err_set(err, CK_ERR_TSA_VERIFY, "tsa token: imprint algorithm %s, expected %s",
                        ck_tsa_hash_name(token_alg), ck_tsa_hash_name(alg));
        goto out;
    }

    int chain_time = opts != NULL ? opts->chain_time : CK_TSA_AT_NOW;
    int64_t t = chain_time == CK_TSA_AT_GEN_TIME ? tok->info.gen_time
                : chain_time == CK_TSA_AT_TIME   ? opts->at_time
                                                 : 0;
    store = ck_tsa_trust_store(trust, chain_time != CK_TSA_AT_NOW, t);
    if (store == NULL) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa verify: cannot build the X509_STORE");
        goto out;
    }
    if (req != NULL) {
        /* Copies imprint, hash algorithm, nonce and policy; it clears TS_VFY_SIGNATURE (and
         * TS_VFY_TSA_NAME), so add it back. OpenSSL only reads the request. */
        vctx = TS_REQ_to_TS_VERIFY_CTX(req->req, NULL);
        if (vctx == NULL) {
            rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa verify: out of memory");
            goto out;
        }
        TS_VERIFY_CTX_add_flags(vctx, TS_VFY_SIGNATURE | TS_VFY_SIGNER);
    } else {
        vctx = TS_VERIFY_CTX_new();
        imprint = OPENSSL_memdup(digest, digest_len);
        if (vctx == NULL || imprint == NULL) {
            rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa verify: out of memory");
            goto out;
        }
        TS_VERIFY_CTX_set_flags(vctx,
                                TS_VFY_SIGNATURE | TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_SIGNER);
        /* The context owns what it is given and frees it. OpenSSL 3.4 renamed the setters
         * set0_* (same ownership) and deprecated the old names (openssl#24701). */
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
        if (TS_VERIFY_CTX_set0_imprint(vctx, imprint, (long)digest_len) != 1) {
            rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa verify: out of memory");
            goto out;
        }
#else
        TS_VERIFY_CTX_set_imprint(vctx, imprint, (long)digest_len);
#endif
        imprint = NULL;
    }
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
    if (TS_VERIFY_CTX_set0_store(vctx, store) != 1) {
        rc = ck_tsa_ossl_fail(err, CK_ERR_NOMEM, "tsa verify: out of memory");
        goto out;
    }
#else
    TS_VERIFY_CTX_set_store(vctx, store);
#endif
    store = NULL;

    ERR_clear_error();
    if (TS_RESP_verify_token(vctx, p7) != 1) {
        rc = verify_fail(err);
        goto out;
    }
    if (want_policy != NULL && OBJ_cmp(want_policy, TS_TST_INFO_get_policy_id(tst)) != 0) {
        rc = ck_err_set(err, CK_ERR_TSA_POLICY, "tsa token: policy %s, required %.*s",
                        tok->info.policy, (int)opts->policy_len, opts->policy);
        goto out;
    }
    PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
    X509 *signer = PKCS7_cert_from_signer_info(p7, si);
    if (signer != NULL) {
        rc = name_print(X509_get_subject_name(signer), NULL, tok->info.signer_subject,
                        sizeof tok->info.signer_subject, "signer subject", err);
        if (rc != CK_OK)
            goto out;
    }

    tok->der = malloc(len);
    if (tok->der == NULL) {
        rc = ck_err_set(err, CK_ERR_NOMEM, "tsa: out of memory");
        goto out;
    }
    memcpy(tok->der, der, len);
    tok->der_len = len;
    *out = tok;
    tok = NULL;
    ck_err_clear(err);
    rc = CK_OK;
out:
    ck_tsa_token_free(tok);
    OPENSSL_free(imprint);
    X509_STORE_free(store);
    TS_VERIFY_CTX_free(vctx);
    TS_TST_INFO_free(tst);
    PKCS7_free(p7);
    ASN1_OBJECT_free(want_policy);
    ERR_clear_error();
    return rc;
}

static int verify_args(const void *a, const ck_tsa_trust *trust, ck_tsa_token **out, ck_err *err)
{
    int rc = ck_init();
    if (rc != CK_OK)
        return ck_err_set(err, rc, "crypto library initialisation failed");
    if (out == NULL || a == NULL || trust == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa verify: NULL argument");
    *out = NULL;
    ERR_clear_error();
    return CK_OK;
}

int ck_tsa_resp_verify(const ck_tsa_req *req, const uint8_t *resp, size_t resp_len,
                       const ck_tsa_trust *trust, const ck_tsa_verify_opts *opts,
                       ck_tsa_token **out, ck_err *err)
{
    int rc = verify_args(resp, trust, out, err);
    if (rc != CK_OK)
        return rc;
    if (req == NULL)
        return ck_err_set(err, CK_ERR_ARG, "tsa verify: NULL req");
    if (resp_len > CK_TSA_MAX_DER)
        return ck_err_set(err, CK_ERR_LIMIT, "tsa response: %zu bytes, limit %d", resp_len,
                          CK_TSA_MAX_DER);
    const uint8_t *st = NULL, *tk = NULL;
    size_t st_len = 0, tk_len = 0;
    rc = resp_split(resp, resp_len, &st, &st_len, &tk, &tk_len, err);
    if (rc != CK_OK)
        return rc;
    long status = 0;
    uint32_t bits = 0;
    char text[96];
    rc = status_parse(st, st_len, &status, &bits, text, sizeof text, err);
    if (rc != CK_OK)
        return rc;
    if (status != 0 && status != 1)
        return ck_err_set(err, CK_ERR_TSA_STATUS,
                          "tsa response: status %ld (%s), failureInfo 0x%08x%s%s%s", status,
                          status_names[status], (unsigned)bits, text[0] ? ", \"" : "", text,
                          text[0] ? "\"" : "");
    if (tk == NULL)
        return ck_err_set(err, CK_ERR_TSA_STATUS, "tsa response: status %s but no token",
                          status_names[status]);
    return token_verify(tk, tk_len, req, (ck_tsa_hash_alg)0, NULL, 0, NULL, 0, trust, opts, out,
                        err);
}

int ck_tsa_token_verify(const uint8_t *token, size_t token_len, const uint8_t *data,
                        size_t data_len, const ck_tsa_trust *trust, const ck_tsa_verify_opts *opts,
                        ck_tsa_token **out, ck_err *err)
{
    int rc = verify_args(token, trust, out, err);
    if (rc != CK_OK)
        return rc;
    if (data == NULL && data_len != 0)
        return ck_err_set(err, CK_ERR_ARG, "tsa verify: NULL data");
    return token_verify(token, token_len, NULL, (ck_tsa_hash_alg)0, NULL, 0, data, data_len, trust,
                        opts, out, err);
}

int ck_tsa_token_verify_digest(const uint8_t *token, size_t token_len, ck_tsa_hash_alg alg,
                               const uint8_t *digest, size_t digest_len, const ck_tsa_trust *trust,
                               const ck_tsa_verify_opts *opts, ck_tsa_token **out, ck_err *err)
{
    int rc = verify_args(token, trust, out, err);
    if (rc != CK_OK)
        return rc;
    if (ck_tsa_hash_len(alg) == 0)
        return ck_err_set(err, CK_ERR_UNSUPPORTED, "tsa verify: unknown hash algorithm %d",
                          (int)alg);
    if (digest == NULL || digest_len != ck_tsa_hash_len(alg))
        return ck_err_set(err, CK_ERR_ARG, "tsa verify: %s digest must be %zu bytes",
                          ck_tsa_hash_name(alg), ck_tsa_hash_len(alg));
    return token_verify(token, token_len, NULL, alg, digest, digest_len, NULL, 0, trust, opts, out,
                        err);
}

const ck_tsa_info *ck_tsa_token_info(const ck_tsa_token *tok)
{
    return tok != NULL ? &tok->info : NULL;
}

const uint8_t *ck_tsa_token_der(const ck_tsa_token *tok, size_t *len)
{
    if (len != NULL)
        *len = tok != NULL ? tok->der_len : 0;
    return tok != NULL ? tok->der : NULL;
}

void ck_tsa_token_free(ck_tsa_token *tok)
{
    if (tok == NULL)
        return;
    free(tok->der);
    free(tok);
}
