/* Replies: JSON bodies, RFC 9457 problem details, headers, and handing them to libmicrohttpd. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

const char *ch_err_name(int code)
{
    switch (code) {
#define N(c) \
    case c:  \
        return #c
        N(CH_ERR_HTTP_NOT_FOUND);
        N(CH_ERR_HTTP_METHOD);
        N(CH_ERR_HTTP_MEDIA_TYPE);
        N(CH_ERR_HTTP_TOO_LARGE);
        N(CH_ERR_HTTP_UNAUTHORIZED);
        N(CH_ERR_HTTP_REQUEST);
        N(CH_ERR_HTTP_LISTEN);
        N(CH_ERR_HTTP_SERVER);
        N(CH_ERR_HTTP_UNAVAILABLE);
        N(CH_ERR_HTTP_URI_TOO_LONG);
#undef N
    default:
        return did_err_name(code);
    }
}

const char *ch_err_title(int code)
{
    switch (code) {
    case CH_ERR_HTTP_NOT_FOUND:
        return "Not Found";
    case CH_ERR_HTTP_METHOD:
        return "Method Not Allowed";
    case CH_ERR_HTTP_MEDIA_TYPE:
        return "Unsupported Media Type";
    case CH_ERR_HTTP_TOO_LARGE:
        return "Content Too Large";
    case CH_ERR_HTTP_UNAUTHORIZED:
        return "Unauthorized";
    case CH_ERR_HTTP_REQUEST:
        return "Bad Request";
    case CH_ERR_HTTP_LISTEN:
        return "Cannot listen";
    case CH_ERR_HTTP_SERVER:
        return "Server error";
    case CH_ERR_HTTP_UNAVAILABLE:
        return "Service Unavailable";
    case CH_ERR_HTTP_URI_TOO_LONG:
        return "URI Too Long";
    case DID_ERR_NOMEM:
    case DID_ERR_INTERNAL:
    case DID_ERR_IO:
        return "Internal error";
    case DID_ERR_ARG:
        return "Invalid argument";
    case DID_ERR_LIMIT:
        return "Limit exceeded";
    default:
        break;
    }
    /* By range (spec/errors.md): one title per module keeps titles stable per problem type. */
    if (code >= 100 && code < 200)
        return "Cryptographic check failed";
    if (code >= 200 && code < 300)
        return "Malformed JSON";
    if (code >= 300 && code < 400)
        return "Malformed encoding";
    if (code >= 400 && code < 500)
        return "DID error";
    if (code >= 500 && code < 600)
        return "JOSE check failed";
    if (code >= 600 && code < 700)
        return "Credential or presentation check failed";
    if (code >= 700 && code < 800)
        return "Data Integrity proof check failed";
    if (code >= 800 && code < 900)
        return "SD-JWT check failed";
    if (code >= 900 && code < 1000)
        return "Status check failed";
    if (code >= 1000 && code < 1100)
        return "Audit log error";
    if (code >= 1100 && code < 1150)
        return "Fetch failed";
    return "Error";
}

json_t *ch_problem_json(const ch_server *s, unsigned status, int code, const char *detail)
{
    const char *name = ch_err_name(code);
    size_t blen = strlen(s->problem_base), nlen = strlen(name);
    char *type = malloc(blen + nlen + 1);
    if (type == NULL)
        return NULL;
    memcpy(type, s->problem_base, blen);
    memcpy(type + blen, name, nlen + 1);
    /* Members in RFC 9457's order, then ours. */
    json_t *p = status != 0 ? json_pack("{s:s, s:s, s:i, s:s, s:i, s:s}", "type", type, "title",
                                        ch_err_title(code), "status", (int)status, "detail",
                                        detail != NULL ? detail : "", "code", code, "name", name)
                            : json_pack("{s:s, s:s, s:s, s:i, s:s}", "type", type, "title",
                                        ch_err_title(code), "detail", detail != NULL ? detail : "",
                                        "code", code, "name", name);
    free(type);
    /* A detail that is not valid UTF-8 (it may quote input) makes json_pack fail: retry with
     * a neutral detail rather than lose the problem. */
    if (p == NULL && detail != NULL)
        return ch_problem_json(s, status, code, NULL);
    return p;
}

void ch_reply_state_clear(ch_reply_state *r)
{
    free(r->body);
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i][0]);
        free(r->headers[i][1]);
    }
    memset(r, 0, sizeof *r);
}

static int set_reply(ch_request *req, unsigned status, const char *content_type, uint8_t *body,
                     size_t len)
{
    ch_reply_state *r = &req->reply;
    if (r->set || req->queued) {
        free(body);
        return DID_ERR_ARG;
    }
    if (content_type == NULL || strlen(content_type) >= sizeof r->content_type || status < 100 ||
        status > 599) {
        free(body);
        return DID_ERR_ARG;
    }
    snprintf(r->content_type, sizeof r->content_type, "%s", content_type);
    r->status = status;
    r->body = body;
    r->len = len;
    r->set = 1;
    return DID_OK;
}

int ch_reply(ch_request *req, unsigned status, const char *content_type, const void *body,
             size_t len)
{
    if (req == NULL || (body == NULL && len > 0))
        return DID_ERR_ARG;
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        return DID_ERR_NOMEM;
    if (len > 0)
        memcpy(copy, body, len);
    return set_reply(req, status, content_type, copy, len);
}

int ch_reply_json(ch_request *req, unsigned status, const char *content_type, json_t *body)
{
    if (req == NULL || body == NULL) {
        json_decref(body);
        return DID_ERR_ARG;
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    if (text == NULL)
        return DID_ERR_NOMEM;
    return set_reply(req, status, content_type != NULL ? content_type : "application/json",
                     (uint8_t *)text, strlen(text));
}

int ch_reply_problem(ch_request *req, unsigned status, int code, const char *fmt, ...)
{
    char detail[DID_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    json_t *p = ch_problem_json(req->server, status, code, detail);
    if (p == NULL)
        return DID_ERR_NOMEM;
    return ch_reply_json(req, status, "application/problem+json", p);
}

static int header_text_ok(const char *s, int is_name)
{
    if (s == NULL || (is_name && *s == '\0'))
        return 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || (is_name && (c == ':' || c == ' ')))
            return 0;
    }
    return 1;
}

int ch_reply_header(ch_request *req, const char *name, const char *value)
{
    if (req == NULL || !header_text_ok(name, 1) || !header_text_ok(value, 0))
        return DID_ERR_ARG;
    ch_reply_state *r = &req->reply;
    if (r->n_headers == CH_MAX_REPLY_HEADERS)
        return DID_ERR_LIMIT;
    char *n = strdup(name), *v = strdup(value);
    if (n == NULL || v == NULL) {
        free(n);
        free(v);
        return DID_ERR_NOMEM;
    }
    r->headers[r->n_headers][0] = n;
    r->headers[r->n_headers][1] = v;
    r->n_headers++;
    return DID_OK;
}

static void free_body(void *p)
{
    free(p);
}

enum MHD_Result ch_reply_queue(ch_request *req)
{
    ch_reply_state *r = &req->reply;
    ch_server *s = req->server;
    if (!r->set) /* a handler that gave nothing: a problem rather than a hung client */
        if (ch_reply_problem(req, 500, DID_ERR_INTERNAL, "%s", "the handler gave no response") !=
            DID_OK)
            return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(r->len, r->body, free_body);
    if (resp == NULL)
        return MHD_NO;
    r->body = NULL; /* libmicrohttpd frees it with the response */
    int cache_set = 0, ok = 1;
    for (size_t i = 0; i < r->n_headers; i++) {
        if (strcasecmp(r->headers[i][0], "Cache-Control") == 0)
            cache_set = 1;
        ok &= MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]) == MHD_YES;
    }
    ok &= MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type) == MHD_YES;
    ok &= MHD_add_response_header(resp, "X-Request-Id", req->id) == MHD_YES;
    ok &= MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES;
    if (!cache_set)
        ok &= MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") == MHD_YES;
    /* While draining, and after refusing a body we did not read, the connection is not reused. */
    if (atomic_load(&s->stopping) || req->close_connection)
        ok &= MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
    enum MHD_Result qr = MHD_NO;
    if (ok)
        qr = MHD_queue_response(req->conn, r->status, resp);
    if (qr == MHD_YES) {
        req->queued = 1;
        req->status = r->status;
        req->bytes = r->len;
    }
    MHD_destroy_response(resp);
    return qr;
}
