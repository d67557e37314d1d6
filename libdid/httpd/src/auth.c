/* Bearer tokens (RFC 6750 section 2.1): kept as SHA-256 digests, compared in constant time. */
#include <string.h>
#include <strings.h>

#include <ck/ck.h>

#include "internal.h"

#define CH_TOKEN_MAX 4096

/* token68 (RFC 9110 section 11.2): ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then
 * "=" padding only at the end. */
static int is_token68(const char *t, size_t len)
{
    size_t i = 0;
    while (i < len) {
        char c = t[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/')
            i++;
        else
            break;
    }
    if (i == 0)
        return 0;
    while (i < len && t[i] == '=')
        i++;
    return i == len;
}

int ch_server_add_token_sha256(ch_server *s, const uint8_t digest[32], did_err *err)
{
    if (s == NULL || digest == NULL || s->daemon != NULL)
        return did_err_set(err, DID_ERR_ARG, "add_token: NULL argument, or server started");
    if (s->n_tokens == CH_MAX_TOKENS)
        return did_err_set(err, DID_ERR_LIMIT, "more than %d bearer tokens", CH_MAX_TOKENS);
    memcpy(s->tokens[s->n_tokens++], digest, 32);
    return DID_OK;
}

int ch_server_add_token(ch_server *s, const char *token, size_t len, did_err *err)
{
    uint8_t d[32];
    if (token == NULL || len == 0 || len > CH_TOKEN_MAX || !is_token68(token, len))
        return did_err_set(err, DID_ERR_ARG,
                           "a bearer token must be 1-%d characters of [A-Za-z0-9-._~+/] and "
                           "trailing '='",
                           CH_TOKEN_MAX);
    if (ck_sha256(token, len, d) != CK_OK)
        return did_err_set(err, DID_ERR_INTERNAL, "SHA-256 failed");
    int rc = ch_server_add_token_sha256(s, d, err);
    ck_wipe(d, sizeof d);
    return rc;
}

int ch_auth_check(const ch_server *s, const char *authorization)
{
    if (authorization == NULL || s->n_tokens == 0)
        return 0;
    /* "Bearer" (case-insensitive), one or more spaces, the token, nothing else. */
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return 0;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    size_t len = strnlen(t, CH_TOKEN_MAX + 1);
    if (len == 0 || len > CH_TOKEN_MAX || !is_token68(t, len))
        return 0;
    uint8_t d[32];
    if (ck_sha256(t, len, d) != CK_OK)
        return 0;
    /* Every stored digest is compared, so the time taken says nothing about which matched. */
    int ok = 0;
    for (size_t i = 0; i < s->n_tokens; i++)
        ok |= ck_equal(d, s->tokens[i], sizeof d);
    ck_wipe(d, sizeof d);
    return ok;
}
