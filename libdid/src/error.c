/* The error model and growable buffers shared by every libdid module. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/error.h>

void did_err_clear(did_err *err)
{
    if (err != NULL) {
        err->code = DID_OK;
        err->msg[0] = '\0';
    }
}

int did_err_set(did_err *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int did_err_from_ck(did_err *err, const ck_err *ce)
{
    if (err != NULL) {
        err->code = ce->code;
        snprintf(err->msg, sizeof err->msg, "%s", ce->msg);
    }
    return ce->code;
}

void did_err_prefix(did_err *err, const char *prefix)
{
    if (err == NULL || prefix == NULL)
        return;
    /* Built by hand rather than with snprintf("%s: %s") so that truncating a long message,
     * which is acceptable here, does not trip -Wformat-truncation. */
    char tmp[DID_ERR_MSG_MAX];
    size_t plen = strnlen(prefix, sizeof tmp - 1);
    memcpy(tmp, prefix, plen);
    size_t n = plen;
    if (n + 2 < sizeof tmp) {
        tmp[n++] = ':';
        tmp[n++] = ' ';
    }
    size_t mlen = strnlen(err->msg, sizeof err->msg);
    if (mlen > sizeof tmp - 1 - n)
        mlen = sizeof tmp - 1 - n;
    memcpy(tmp + n, err->msg, mlen);
    tmp[n + mlen] = '\0';
    memcpy(err->msg, tmp, sizeof tmp);
}

const char *did_err_name(int code)
{
    switch (code) {
#define N(c)                                                                                     \
    case c:                                                                                      \
        return #c
        N(DID_OK);
        N(DID_ERR_NOMEM);
        N(DID_ERR_ARG);
        N(DID_ERR_LIMIT);
        N(DID_ERR_INTERNAL);
        N(DID_ERR_IO);
        N(DID_ERR_JSON_SYNTAX);
        N(DID_ERR_JSON_DUPLICATE_KEY);
        N(DID_ERR_JSON_DEPTH);
        N(DID_ERR_JSON_SIZE);
        N(DID_ERR_JSON_STRING);
        N(DID_ERR_JSON_UTF8);
        N(DID_ERR_JSON_NUMBER);
        N(DID_ERR_JSON_TYPE);
        N(DID_ERR_JSON_COUNT);
        N(DID_ERR_BASE58);
        N(DID_ERR_MULTIBASE);
        N(DID_ERR_VARINT);
        N(DID_ERR_MULTICODEC);
        N(DID_ERR_DID_SYNTAX);
        N(DID_ERR_DID_URL_SYNTAX);
        N(DID_ERR_DID_METHOD);
        N(DID_ERR_DID_INVALID);
        N(DID_ERR_DID_NOT_FOUND);
        N(DID_ERR_DID_VM_NOT_FOUND);
        N(DID_ERR_DID_VM_RELATIONSHIP);
        N(DID_ERR_DID_DOC_INVALID);
        N(DID_ERR_DID_VM_INVALID);
        N(DID_ERR_JWS_FORMAT);
        N(DID_ERR_JWS_HEADER);
        N(DID_ERR_JWS_ALG);
        N(DID_ERR_JWS_TYP);
        N(DID_ERR_JWS_CRIT);
        N(DID_ERR_JWS_KID);
        N(DID_ERR_JWS_SIGNATURE);
        N(DID_ERR_JWS_KEY_ALG);
        N(DID_ERR_JWT_EXPIRED);
        N(DID_ERR_JWT_NOT_YET);
        N(DID_ERR_JWT_IAT);
        N(DID_ERR_JWT_CLAIM);
        N(DID_ERR_JWT_AUD);
        N(DID_ERR_JWT_ISS);
        N(DID_ERR_VC_CONTEXT);
        N(DID_ERR_VC_TYPE);
        N(DID_ERR_VC_ISSUER);
        N(DID_ERR_VC_DATE);
        N(DID_ERR_VC_NOT_YET_VALID);
        N(DID_ERR_VC_EXPIRED);
        N(DID_ERR_VC_SUBJECT);
        N(DID_ERR_VC_STATUS);
        N(DID_ERR_VC_SCHEMA);
        N(DID_ERR_VC_ID);
        N(DID_ERR_VP_HOLDER);
        N(DID_ERR_VP_CREDENTIAL);
        N(DID_ERR_VC_FORMAT);
        N(DID_ERR_VC_JWT);
        N(DID_ERR_VC_ISSUER_KEY);
        N(DID_ERR_VC_UNSECURED);
        N(DID_ERR_VC_PROPERTY);
        N(DID_ERR_VP_NONCE);
        N(DID_ERR_VP_CHALLENGE_UNKNOWN);
        N(DID_ERR_VP_CHALLENGE_EXPIRED);
        N(DID_ERR_VP_CHALLENGE_USED);
        N(DID_ERR_VC_ISSUER_UNTRUSTED);
        N(DID_ERR_DI_PROOF);
        N(DID_ERR_DI_CRYPTOSUITE);
        N(DID_ERR_DI_PROOF_VALUE);
        N(DID_ERR_DI_PURPOSE);
        N(DID_ERR_DI_SIGNATURE);
        N(DID_ERR_DI_CREATED);
        N(DID_ERR_DI_CHALLENGE);
        N(DID_ERR_DI_DOMAIN);
        N(DID_ERR_DI_CONTEXT);
        N(DID_ERR_DI_KEY);
        N(DID_ERR_SDJWT_FORMAT);
        N(DID_ERR_SDJWT_DISCLOSURE);
        N(DID_ERR_SDJWT_DIGEST_DUP);
        N(DID_ERR_SDJWT_UNREFERENCED);
        N(DID_ERR_SDJWT_RESERVED);
        N(DID_ERR_SDJWT_ALG);
        N(DID_ERR_SDJWT_KB);
        N(DID_ERR_SDJWT_KB_NONCE);
        N(DID_ERR_SDJWT_KB_AUD);
        N(DID_ERR_SDJWT_KB_HASH);
        N(DID_ERR_SDJWT_KB_IAT);
        N(DID_ERR_SDJWT_CNF);
        N(DID_ERR_SDJWT_VCT);
        N(DID_ERR_SDJWT_PATH);
        N(DID_ERR_STATUS_ENCODING);
        N(DID_ERR_STATUS_INDEX);
        N(DID_ERR_STATUS_PURPOSE);
        N(DID_ERR_STATUS_REVOKED);
        N(DID_ERR_STATUS_SUSPENDED);
        N(DID_ERR_STATUS_LIST);
        N(DID_ERR_STATUS_ENTRY);
        N(DID_ERR_STATUS_TYPE);
        N(DID_ERR_STATUS_REFRESH);
        N(DID_ERR_STATUS_MESSAGE);
        N(DID_ERR_LOG_PROOF);
        N(DID_ERR_LOG_NOTE);
        N(DID_ERR_LOG_NOTE_SIG);
        N(DID_ERR_LOG_CHECKPOINT);
        N(DID_ERR_LOG_SIZE);
        N(DID_ERR_LOG_KEY);
        N(DID_ERR_LOG_PROOF_FORMAT);
        N(DID_ERR_LOG_ORIGIN);
        N(DID_ERR_LOG_STORE);
        N(DID_ERR_LOG_STATE);
        N(DID_ERR_LOG_ENTRY);
        N(DID_ERR_LOG_CLOSED);
        N(DID_ERR_LOG_LOCKED);
        N(DID_ERR_FETCH);
        N(DID_ERR_FETCH_STATUS);
        N(DID_ERR_FETCH_SCHEME);
        N(DID_ERR_FETCH_TYPE);
        N(DID_ERR_APR_REQUEST);
        N(DID_ERR_APR_ENVELOPE);
        N(DID_ERR_APR_STATEMENT);
        N(DID_ERR_APR_REPLAY);
        N(DID_ERR_APR_AUDIENCE);
        N(DID_ERR_APR_EXPIRED);
        N(DID_ERR_APR_NONCE);
        N(DID_ERR_APR_TIME);
        N(DID_ERR_APR_BINDING);
        N(DID_ERR_APR_DISPLAY);
        N(DID_ERR_APR_CONTENT);
        N(DID_ERR_APR_SIGNER);
        N(DID_ERR_APR_COMMITMENT);
        N(DID_ERR_APR_TIER);
        N(DID_ERR_APR_COSIGN);
        N(DID_ERR_APR_VETO);
        N(DID_ERR_APR_AUDIT);
        N(DID_ERR_DLG_FORMAT);
        N(DID_ERR_DLG_DEPTH);
        N(DID_ERR_DLG_LOOP);
        N(DID_ERR_DLG_ALIGNMENT);
        N(DID_ERR_DLG_ATTENUATION);
        N(DID_ERR_DLG_EXPIRED);
        N(DID_ERR_DLG_NOT_YET);
        N(DID_ERR_DLG_REVOKED);
        N(DID_ERR_DLG_PRINCIPAL);
        N(DID_ERR_DLG_AGENT);
        N(DID_ERR_DLG_CMD);
        N(DID_ERR_DLG_SERVICE);
        N(DID_ERR_DLG_RESOURCE);
        N(DID_ERR_DLG_POLICY);
        N(DID_ERR_DLG_LIMIT);
        N(DID_ERR_DLG_BUDGET);
        N(DID_ERR_POLICY_SYNTAX);
#undef N
    default:
        if (code >= 100 && code < 200)
            return ck_err_name(code);
        return "DID_ERR_UNKNOWN";
    }
}

/* ------------------------------------------------------------------------------------------- */

void did_buf_init(did_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void did_buf_clear(did_buf *b)
{
    free(b->data);
    did_buf_init(b);
}

void did_buf_clear_secret(did_buf *b)
{
    if (b->data != NULL)
        ck_wipe(b->data, b->cap);
    did_buf_clear(b);
}

void did_buf_reset(did_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = 0;
}

int did_buf_reserve(did_buf *b, size_t extra)
{
    /* Room for extra bytes plus the terminating NUL. */
    if (extra > DID_BUF_MAX || b->len > DID_BUF_MAX - extra - 1)
        return DID_ERR_LIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return DID_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > DID_BUF_MAX / 2 ? DID_BUF_MAX + 1 : cap * 2;
    /* Grow by copy rather than realloc so that a buffer holding secrets never leaves an
     * unwiped copy behind. */
    uint8_t *nd = malloc(cap);
    if (nd == NULL)
        return DID_ERR_NOMEM;
    if (b->data != NULL) {
        memcpy(nd, b->data, b->len + 1);
        ck_wipe(b->data, b->cap);
        free(b->data);
    } else {
        nd[0] = 0;
    }
    b->data = nd;
    b->cap = cap;
    return DID_OK;
}

int did_buf_append(did_buf *b, const void *p, size_t n)
{
    int rc = did_buf_reserve(b, n);
    if (rc != DID_OK)
        return rc;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return DID_OK;
}

int did_buf_append_str(did_buf *b, const char *s)
{
    return did_buf_append(b, s, strlen(s));
}

int did_buf_putc(did_buf *b, char c)
{
    return did_buf_append(b, &c, 1);
}

int did_buf_printf(did_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return DID_ERR_INTERNAL;
    int rc = did_buf_reserve(b, (size_t)n);
    if (rc != DID_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return DID_OK;
}

uint8_t *did_buf_steal(did_buf *b, size_t *len)
{
    uint8_t *d = b->data;
    if (len != NULL)
        *len = b->len;
    did_buf_init(b);
    return d;
}

char *did_strdup_n(const void *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *s = malloc(n + 1);
    if (s == NULL)
        return NULL;
    if (n > 0)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}
