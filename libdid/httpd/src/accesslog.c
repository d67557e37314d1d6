/* Request ids and the structured access log: one JSON object per line, per request. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ck/ck.h>

#include "internal.h"

#define LOG_PATH_MAX 512 /* bytes of the path written (escaped) before it is cut */

static int is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

void ch_request_id_init(ch_request *req, const char *incoming)
{
    /* A client's (or a proxy's) id is kept when it is short and plain, so that one id can
     * follow a request through several services; anything else is replaced, never escaped. */
    if (incoming != NULL) {
        size_t n = strnlen(incoming, CH_REQUEST_ID_MAX + 1);
        int ok = n > 0 && n <= CH_REQUEST_ID_MAX;
        for (size_t i = 0; ok && i < n; i++)
            ok = is_id_char(incoming[i]);
        if (ok) {
            memcpy(req->id, incoming, n);
            req->id[n] = '\0';
            return;
        }
    }
    uint8_t rnd[16];
    size_t len = 0;
    ck_random(rnd, sizeof rnd);
    if (ck_b64url_encode(rnd, sizeof rnd, req->id, sizeof req->id, &len, NULL) != CK_OK)
        snprintf(req->id, sizeof req->id, "-");
}

/* Copies s as JSON string content: printable ASCII as is (with '"' and '\' escaped), every
 * other byte as %XX, so the log stays one line of ASCII whatever the client sent. */
static void escape(char *out, size_t cap, const char *s, size_t max_in)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0, i = 0;
    /* s has at least max_in + 1 bytes of storage, so s[i] below stays inside it. */
    for (; i < max_in && s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o + 4 >= cap)
            break;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (s[i] != '\0' && o + 4 < cap) { /* cut: say so */
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

void ch_access_log_write(const ch_server *s, const ch_request *req, uint64_t duration_us,
                         int aborted)
{
    if (s->access_log == NULL)
        return;
    char when[40] = "-";
    struct timespec ts;
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0 && gmtime_r(&ts.tv_sec, &tm) != NULL) {
        char base[24];
        if (strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) > 0)
            snprintf(when, sizeof when, "%s.%03ldZ", base, ts.tv_nsec / 1000000L);
    }
    char method[CH_METHOD_MAX * 4], path[LOG_PATH_MAX * 3 + 8];
    escape(method, sizeof method, req->method, CH_METHOD_MAX - 1);
    escape(path, sizeof path, req->path, LOG_PATH_MAX);
    char line[sizeof path + sizeof method + 320];
    int n =
        snprintf(line, sizeof line,
                 "{\"time\":\"%s\",\"id\":\"%s\",\"method\":\"%s\",\"path\":\"%s\","
                 "\"status\":%u,\"bytes\":%zu,\"duration_us\":%llu,\"client\":\"%s\"%s}\n",
                 when, req->id, method, path, req->queued ? req->status : 0u, req->bytes,
                 (unsigned long long)duration_us, req->client, aborted ? ",\"aborted\":true" : "");
    if (n <= 0 || (size_t)n >= sizeof line)
        return;
    /* One fwrite per line: stdio locks the stream per call, so lines from concurrent requests
     * never interleave. */
    if (fwrite(line, 1, (size_t)n, s->access_log) == (size_t)n)
        (void)fflush(s->access_log);
}
