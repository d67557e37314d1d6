/*
 * fetch.c -- bounded HTTPS GET on libcurl (the fetcher's response cache is in fetch_cache.c).
 *
 * Policy lives in did/fetch.h. The URL is checked with curl's own URL parser, so that what we
 * check is what curl connects to; everything else is enforced by curl options (protocols,
 * redirect protocols, size, time) and by our write / open-socket callbacks.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include <ck/ck.h>
#include <did/fetch.h>

#include "fetch_internal.h"

#define URL_SHOWN 96 /* bytes of a URL quoted in an error message */
#define CC_MAX 256   /* bytes of Cache-Control kept per response */

/* libcurl wants curl_global_init called once before any other use, and it is not thread-safe
 * in the libcurl this project builds with (7.88 on Debian 12). Written once, inside
 * pthread_once; read-only afterwards. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void did_fetch_opts_init(did_fetch_opts *o)
{
    if (o == NULL)
        return;
    memset(o, 0, sizeof *o);
    o->connect_timeout_ms = DID_FETCH_DEFAULT_CONNECT_TIMEOUT_MS;
    o->timeout_ms = DID_FETCH_DEFAULT_TIMEOUT_MS;
    o->max_bytes = DID_FETCH_DEFAULT_MAX_BYTES;
    o->max_redirects = DID_FETCH_DEFAULT_MAX_REDIRECTS;
    o->cache_entries = DID_FETCH_DEFAULT_CACHE_ENTRIES;
    o->cache_max_bytes = DID_FETCH_DEFAULT_CACHE_MAX_BYTES;
    o->cache_default_ttl = DID_FETCH_DEFAULT_TTL;
    o->cache_min_ttl = DID_FETCH_DEFAULT_MIN_TTL;
    o->cache_max_ttl = DID_FETCH_DEFAULT_MAX_TTL;
}

void did_fetch_resp_init(did_fetch_resp *r)
{
    if (r == NULL)
        return;
    did_buf_init(&r->body);
    r->content_type[0] = '\0';
    r->status = 0;
    r->from_cache = 0;
}

void did_fetch_resp_clear(did_fetch_resp *r)
{
    if (r == NULL)
        return;
    did_buf_clear(&r->body);
    did_fetch_resp_init(r);
}

static int shown(const char *url)
{
    size_t n = strnlen(url, URL_SHOWN);
    return (int)n;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* ------------------------------------------------------------------------------------------- */

static int opts_check(const did_fetch_opts *o, did_err *err)
{
    if (o->connect_timeout_ms < 1 || o->connect_timeout_ms > DID_FETCH_MAX_TIMEOUT_MS)
        return did_err_set(err, DID_ERR_ARG, "fetch: connect_timeout_ms must be 1..%ld",
                           DID_FETCH_MAX_TIMEOUT_MS);
    if (o->timeout_ms < 1 || o->timeout_ms > DID_FETCH_MAX_TIMEOUT_MS)
        return did_err_set(err, DID_ERR_ARG, "fetch: timeout_ms must be 1..%ld",
                           DID_FETCH_MAX_TIMEOUT_MS);
    if (o->max_bytes < 1 || o->max_bytes > DID_FETCH_MAX_BYTES_LIMIT)
        return did_err_set(err, DID_ERR_ARG, "fetch: max_bytes must be 1..%zu",
                           DID_FETCH_MAX_BYTES_LIMIT);
    if (o->max_redirects < 0 || o->max_redirects > 10)
        return did_err_set(err, DID_ERR_ARG, "fetch: max_redirects must be 0..10");
    if (o->cache_entries > DID_FETCH_MAX_CACHE_ENTRIES)
        return did_err_set(err, DID_ERR_ARG, "fetch: cache_entries must be at most %d",
                           DID_FETCH_MAX_CACHE_ENTRIES);
    if (o->cache_min_ttl < 0 || o->cache_min_ttl > o->cache_max_ttl ||
        o->cache_max_ttl > DID_FETCH_MAX_TTL || o->cache_default_ttl < 0)
        return did_err_set(err, DID_ERR_ARG,
                           "fetch: need 0 <= cache_min_ttl <= cache_max_ttl <= %lld and "
                           "cache_default_ttl >= 0",
                           (long long)DID_FETCH_MAX_TTL);
    if (o->ca_file != NULL && (o->ca_file[0] == '\0' || strnlen(o->ca_file, 4097) > 4096))
        return did_err_set(err, DID_ERR_ARG, "fetch: ca_file empty or longer than 4096 bytes");
    return DID_OK;
}

int did_fetcher_new(const did_fetch_opts *o, did_fetcher **out, did_err *err)
{
    did_fetch_opts defaults;
    did_fetcher *f = NULL;
    int rc;

    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_fetcher_new: out is NULL");
    *out = NULL;
    if (o == NULL) {
        did_fetch_opts_init(&defaults);
        o = &defaults;
    }
    rc = opts_check(o, err);
    if (rc != DID_OK)
        return rc;
    if (pthread_once(&curl_once, curl_init_once) != 0 || curl_init_rc != CURLE_OK)
        return did_err_set(err, DID_ERR_FETCH, "fetch: curl_global_init failed: %s",
                           curl_easy_strerror(curl_init_rc));
    const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
    if (vi == NULL || (vi->features & CURL_VERSION_SSL) == 0)
        return did_err_set(err, DID_ERR_FETCH, "fetch: libcurl has no TLS support");

    f = calloc(1, sizeof *f);
    if (f == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "did_fetcher_new: out of memory");
    f->o = *o;
    f->o.ca_file = NULL;
    if (o->ca_file != NULL) {
        f->ca_file = strdup(o->ca_file);
        if (f->ca_file == NULL) {
            free(f);
            return did_err_set(err, DID_ERR_NOMEM, "did_fetcher_new: out of memory");
        }
        f->o.ca_file = f->ca_file;
    }
    if (o->cache_entries > 0) {
        f->cache = calloc(o->cache_entries, sizeof *f->cache);
        if (f->cache == NULL) {
            free(f->ca_file);
            free(f);
            return did_err_set(err, DID_ERR_NOMEM, "did_fetcher_new: out of memory");
        }
    }
    if (pthread_mutex_init(&f->mu, NULL) != 0) {
        free(f->cache);
        free(f->ca_file);
        free(f);
        return did_err_set(err, DID_ERR_INTERNAL, "did_fetcher_new: pthread_mutex_init failed");
    }
    *out = f;
    return DID_OK;
}

void did_fetcher_free(did_fetcher *f)
{
    if (f == NULL)
        return;
    did_fetcher_cache_clear(f);
    pthread_mutex_destroy(&f->mu);
    free(f->cache);
    free(f->ca_file);
    free(f);
}

int did_fetcher_allows_http_loopback(const did_fetcher *f)
{
    return f != NULL && f->o.allow_http_loopback != 0;
}

/* ------------------------------------------------------------------------------------------- *
 * URL policy.
 */
/* A strict dotted quad in 127.0.0.0/8: four decimal octets 0-255, no leading zeros. */
static int is_loopback_v4_text(const char *h)
{
    int parts = 0;
    const char *p = h;
    unsigned first = 0;
    for (;;) {
        unsigned v = 0;
        size_t n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n > 0 && v == 0)
                return 0; /* leading zero */
            v = v * 10 + (unsigned)(*p - '0');
            if (v > 255)
                return 0;
            p++;
            n++;
        }
        if (n == 0)
            return 0;
        if (parts == 0)
            first = v;
        parts++;
        if (*p == '\0')
            break;
        if (*p != '.' || parts == 4)
            return 0;
        p++;
    }
    return parts == 4 && first == 127;
}

static int is_loopback_host(const char *h)
{
    size_t n = strnlen(h, 64);
    if (n == 9 && did_fetch_ascii_ieq(h, "localhost", 9))
        return 1;
    if (strcmp(h, "[::1]") == 0)
        return 1;
    return is_loopback_v4_text(h);
}

static int is_loopback_addr(const struct sockaddr *sa, size_t len)
{
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        const uint8_t *a = in6->sin6_addr.s6_addr;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return 1;
        return memcmp(a, v4mapped, 12) == 0 && a[12] == 127;
    }
    return 0;
}

typedef struct url_info {
    char *url; /* curl's normalised form (curl_free) */
    int http;  /* plain http to a loopback host */
} url_info;

static int url_check(const did_fetcher *f, const char *url, url_info *ui, did_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
    CURLUcode uc;
    int rc = DID_OK;

    ui->url = NULL;
    ui->http = 0;
    if (u == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "fetch: out of memory");
    /* No CURLU_GUESS_SCHEME, no CURLU_NON_SUPPORT_SCHEME: an absolute URL of a scheme curl
     * knows, or nothing. */
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        rc = did_err_set(err, DID_ERR_FETCH_SCHEME, "fetch: \"%.*s\" is not an absolute URL (%s)",
                         shown(url), url, curl_url_strerror(uc));
        goto out;
    }
    uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (uc != CURLUE_OK) {
        rc = did_err_set(err, DID_ERR_FETCH_SCHEME, "fetch: \"%.*s\" has no scheme", shown(url),
                         url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
        rc = did_err_set(err, DID_ERR_FETCH_SCHEME, "fetch: URL with user info refused");
        goto out;
    }
    uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    if (uc != CURLUE_OK || host[0] == '\0') {
        rc = did_err_set(err, DID_ERR_FETCH_SCHEME, "fetch: \"%.*s\" has no host", shown(url), url);
        goto out;
    }
    if (strcmp(scheme, "https") == 0) {
        ui->http = 0;
    } else if (strcmp(scheme, "http") == 0 && f->o.allow_http_loopback && is_loopback_host(host)) {
        ui->http = 1;
    } else {
        rc = did_err_set(err, DID_ERR_FETCH_SCHEME, "fetch: \"%.*s\": only https%s is allowed",
                         shown(url), url,
                         f->o.allow_http_loopback ? " (or http to a loopback host)" : "");
        goto out;
    }
    uc = curl_url_get(u, CURLUPART_URL, &ui->url, 0);
    if (uc != CURLUE_OK) {
        rc = did_err_set(err, uc == CURLUE_OUT_OF_MEMORY ? DID_ERR_NOMEM : DID_ERR_FETCH_SCHEME,
                         "fetch: \"%.*s\": %s", shown(url), url, curl_url_strerror(uc));
        goto out;
    }
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    return rc;
}

/* ------------------------------------------------------------------------------------------- *
 * One transfer.
 */
typedef struct xfer {
    did_buf *body;
    size_t cap;
    int over; /* the body passed cap */
    int nomem;
    int loopback_only; /* refuse sockets to non-loopback addresses */
    int refused;       /* ... and one was refused */
    char cc[CC_MAX];   /* Cache-Control of the last response, joined with ',' */
    size_t cc_len;
    int cc_overflow;
} xfer;

static size_t on_body(char *p, size_t size, size_t nmemb, void *user)
{
    xfer *x = user;
    size_t n = size * nmemb; /* size is always 1 */
    if (n > x->cap - x->body->len) {
        x->over = 1;
        return 0; /* not n: curl aborts with CURLE_WRITE_ERROR */
    }
    if (did_buf_append(x->body, p, n) != DID_OK) {
        x->nomem = 1;
        return 0;
    }
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *user)
{
    xfer *x = user;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        /* A new response (after a redirect or a 1xx): its own headers only. */
        x->cc_len = 0;
        x->cc_overflow = 0;
        return n;
    }
    if (n > 14 && did_fetch_ascii_ieq(p, "cache-control:", 14)) {
        size_t s = 14, e = n;
        while (e > s &&
               (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
        while (s < e && (p[s] == ' ' || p[s] == '\t'))
            s++;
        size_t vl = e - s;
        if (x->cc_len + vl + 1 >= sizeof x->cc) {
            x->cc_overflow = 1;
        } else {
            if (x->cc_len > 0)
                x->cc[x->cc_len++] = ',';
            memcpy(x->cc + x->cc_len, p + s, vl);
            x->cc_len += vl;
        }
    }
    return n;
}

static curl_socket_t on_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *a)
{
    xfer *x = user;
    (void)purpose;
    if (x->loopback_only && !is_loopback_addr(&a->addr, a->addrlen)) {
        x->refused = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* "Type/Sub; charset=x" -> "type/sub"; "" when absent, overlong or not printable ASCII. */
static void media_type(const char *ct, char out[DID_FETCH_TYPE_MAX])
{
    size_t n = 0;
    out[0] = '\0';
    if (ct == NULL)
        return;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    for (; ct[n] != '\0' && ct[n] != ';'; n++) {
        unsigned char c = (unsigned char)ct[n];
        if (c < 0x20 || c > 0x7e || n + 1 >= DID_FETCH_TYPE_MAX) {
            out[0] = '\0';
            return;
        }
        out[n] = (char)ascii_lower(c);
    }
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    out[n] = '\0';
}

#define SETOPT(opt, val)                                                                  \
    do {                                                                                  \
        CURLcode c_ = curl_easy_setopt(h, opt, val);                                      \
        if (c_ != CURLE_OK) {                                                             \
            rc = did_err_set(err, DID_ERR_FETCH, "fetch: curl_easy_setopt(%s): %s", #opt, \
                             curl_easy_strerror(c_));                                     \
            goto out;                                                                     \
        }                                                                                 \
    } while (0)

/* A header line "name: value" appended to *hdrs; the value must be printable ASCII. */
static int add_header(struct curl_slist **hdrs, const char *name, const char *value, size_t max,
                      did_err *err)
{
    char line[1100];
    size_t vl = strnlen(value, max + 1);
    if (vl > max || strlen(name) + 2 + vl >= sizeof line)
        return did_err_set(err, DID_ERR_ARG, "fetch: %s header value too long", name);
    for (size_t i = 0; i < vl; i++)
        if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e)
            return did_err_set(err, DID_ERR_ARG, "fetch: %s header value has a control byte", name);
    int n = snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *l = n > 0 ? curl_slist_append(*hdrs, line) : NULL;
    /* The line may hold a bearer token: curl_slist_append copied it. */
    ck_wipe(line, sizeof line);
    if (l == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "fetch: out of memory");
    *hdrs = l;
    return DID_OK;
}

/* A GET (post NULL) or a POST of post->body. */
static int transfer(did_fetcher *f, const char *shown_url, const url_info *ui,
                    const did_fetch_req *req, const did_fetch_post_req *post, size_t cap,
                    did_fetch_resp *resp, int64_t *ttl_s, did_err *err)
{
    CURL *h = NULL;
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE];
    char accept_hdr[512];
    xfer x;
    CURLcode c;
    int rc = DID_OK;
    int sl = shown(shown_url);

    memset(&x, 0, sizeof x);
    x.body = &resp->body;
    x.cap = cap;
    x.loopback_only = ui->http;
    errbuf[0] = '\0';

    h = curl_easy_init();
    if (h == NULL)
        return did_err_set(err, DID_ERR_FETCH, "fetch: curl_easy_init failed");
    if (req->accept != NULL) {
        int n = snprintf(accept_hdr, sizeof accept_hdr, "Accept: %s", req->accept);
        if (n < 0 || (size_t)n >= sizeof accept_hdr || strpbrk(req->accept, "\r\n") != NULL) {
            rc = did_err_set(err, DID_ERR_ARG, "fetch: Accept value too long or has a newline");
            goto out;
        }
        hdrs = curl_slist_append(NULL, accept_hdr);
        if (hdrs == NULL) {
            rc = did_err_set(err, DID_ERR_NOMEM, "fetch: out of memory");
            goto out;
        }
    }

    SETOPT(CURLOPT_URL, ui->url);
    SETOPT(CURLOPT_ERRORBUFFER, errbuf);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    if (post == NULL) {
        SETOPT(CURLOPT_HTTPGET, 1L);
    } else {
        rc = add_header(&hdrs, "Content-Type",
                        post->content_type != NULL ? post->content_type : "application/json",
                        DID_FETCH_TYPE_MAX, err);
        if (rc == DID_OK && post->bearer != NULL) {
            char tok[1040];
            int n = snprintf(tok, sizeof tok, "Bearer %s", post->bearer);
            if (n < 0 || (size_t)n >= sizeof tok)
                rc = did_err_set(err, DID_ERR_ARG, "fetch: bearer token too long");
            else
                rc = add_header(&hdrs, "Authorization", tok, sizeof tok, err);
            ck_wipe(tok, sizeof tok);
        }
        if (rc == DID_OK && (hdrs = curl_slist_append(hdrs, "Expect:")) == NULL)
            rc = did_err_set(err, DID_ERR_NOMEM, "fetch: out of memory");
        if (rc != DID_OK)
            goto out;
        SETOPT(CURLOPT_POST, 1L);
        SETOPT(CURLOPT_POSTFIELDS, post->body_len > 0 ? (const char *)post->body : "");
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post->body_len);
    }
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0: the _STR forms */
    SETOPT(CURLOPT_PROTOCOLS_STR, ui->http ? "http,https" : "https");
    SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
    SETOPT(CURLOPT_PROTOCOLS,
           ui->http ? (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS) : (long)CURLPROTO_HTTPS);
    SETOPT(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
    SETOPT(CURLOPT_FOLLOWLOCATION, post == NULL ? 1L : 0L);
    SETOPT(CURLOPT_MAXREDIRS, f->o.max_redirects);
    SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (f->ca_file != NULL)
        SETOPT(CURLOPT_CAINFO, f->ca_file);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, f->o.connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, f->o.timeout_ms);
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, &x);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, &x);
    SETOPT(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    SETOPT(CURLOPT_OPENSOCKETDATA, &x);
    SETOPT(CURLOPT_USERAGENT, "civid/0.1");
    if (hdrs != NULL)
        SETOPT(CURLOPT_HTTPHEADER, hdrs);
    if (ui->http)
        SETOPT(CURLOPT_NOPROXY, "*"); /* loopback stays loopback */

    c = curl_easy_perform(h);
    {
        long status = 0;
        if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
            resp->status = status;
    }
    if (x.refused) {
        rc = did_err_set(err, DID_ERR_FETCH_SCHEME,
                         "fetch: \"%.*s\": plain http may connect only to loopback addresses", sl,
                         shown_url);
        goto out;
    }
    if (x.nomem) {
        rc = did_err_set(err, DID_ERR_NOMEM, "fetch: out of memory");
        goto out;
    }
    if (x.over || c == CURLE_FILESIZE_EXCEEDED) {
        rc = did_err_set(err, DID_ERR_LIMIT, "fetch: \"%.*s\": response larger than %zu bytes", sl,
                         shown_url, cap);
        goto out;
    }
    switch (c) {
    case CURLE_OK:
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        /* The first URL's scheme was checked, so this is a redirect elsewhere. */
        rc = did_err_set(err, DID_ERR_FETCH_SCHEME,
                         "fetch: \"%.*s\": redirect to a non-https URL refused", sl, shown_url);
        goto out;
    case CURLE_TOO_MANY_REDIRECTS:
        rc = did_err_set(err, DID_ERR_LIMIT, "fetch: \"%.*s\": more than %ld redirects", sl,
                         shown_url, f->o.max_redirects);
        goto out;
    case CURLE_OPERATION_TIMEDOUT:
        rc = did_err_set(err, DID_ERR_FETCH, "fetch: \"%.*s\": timed out (%s)", sl, shown_url,
                         errbuf[0] != '\0' ? errbuf : curl_easy_strerror(c));
        goto out;
    case CURLE_OUT_OF_MEMORY:
        rc = did_err_set(err, DID_ERR_NOMEM, "fetch: out of memory");
        goto out;
    default:
        rc = did_err_set(err, DID_ERR_FETCH, "fetch: \"%.*s\": %s", sl, shown_url,
                         errbuf[0] != '\0' ? errbuf : curl_easy_strerror(c));
        goto out;
    }
    if (post != NULL ? (resp->status < 200 || resp->status > 299) : resp->status != 200) {
        rc = did_err_set(err, DID_ERR_FETCH_STATUS, "fetch: \"%.*s\": HTTP status %ld", sl,
                         shown_url, resp->status);
        goto out;
    }
    {
        char *ct = NULL;
        c = curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
        if (c != CURLE_OK) {
            rc = did_err_set(err, DID_ERR_FETCH, "fetch: curl_easy_getinfo: %s",
                             curl_easy_strerror(c));
            goto out;
        }
        media_type(ct, resp->content_type);
    }
    {
        int has = 0;
        int64_t age = 0;
        if (x.cc_overflow)
            has = 1; /* cannot tell what it says: as short as allowed */
        else
            did_fetch_parse_cache_control(x.cc, x.cc_len, &has, &age);
        int64_t ttl = has ? age : f->o.cache_default_ttl;
        if (ttl < f->o.cache_min_ttl)
            ttl = f->o.cache_min_ttl;
        if (ttl > f->o.cache_max_ttl)
            ttl = f->o.cache_max_ttl;
        *ttl_s = ttl;
    }
out:
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rc;
}

static int type_ok(const char *const *types, const char *ct)
{
    if (types == NULL)
        return 1;
    if (ct[0] == '\0')
        return 0;
    for (size_t i = 0; types[i] != NULL && i < 64; i++)
        if (strcmp(types[i], ct) == 0)
            return 1;
    return 0;
}

int did_fetch(did_fetcher *f, const did_fetch_req *req, did_fetch_resp *resp, did_err *err)
{
    url_info ui = {NULL, 0};
    char *key = NULL;
    size_t key_len = 0, cap;
    int64_t ttl = 0;
    int rc, use_cache;

    if (f == NULL || req == NULL || req->url == NULL || resp == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_fetch: NULL argument");
    did_buf_reset(&resp->body);
    resp->content_type[0] = '\0';
    resp->status = 0;
    resp->from_cache = 0;
    size_t ul = strnlen(req->url, DID_FETCH_URL_MAX + 1);
    if (ul == 0 || ul > DID_FETCH_URL_MAX)
        return did_err_set(err, DID_ERR_ARG, "did_fetch: URL empty or longer than %d bytes",
                           DID_FETCH_URL_MAX);
    cap = f->o.max_bytes;
    if (req->max_bytes > 0 && req->max_bytes < cap)
        cap = req->max_bytes;

    rc = url_check(f, req->url, &ui, err);
    if (rc != DID_OK)
        return rc;

    use_cache = f->o.cache_entries > 0 && !req->no_cache;
    if (use_cache) {
        key = did_fetch_cache_key(ui.url, req->accept, &key_len);
        if (key == NULL) {
            rc = did_err_set(err, DID_ERR_NOMEM, "did_fetch: out of memory");
            goto out;
        }
        int hit = did_fetch_cache_get(f, key, key_len, cap, resp);
        if (hit < 0) {
            rc = did_err_set(err, DID_ERR_NOMEM, "did_fetch: out of memory");
            goto out;
        }
        if (hit == 2) {
            rc = did_err_set(err, DID_ERR_LIMIT,
                             "fetch: \"%.*s\": response larger than %zu bytes (cached)",
                             shown(req->url), req->url, cap);
            goto out;
        }
        if (hit == 1) {
            resp->status = 200;
            resp->from_cache = 1;
            goto check_type;
        }
    }

    rc = transfer(f, req->url, &ui, req, NULL, cap, resp, &ttl, err);
    if (rc != DID_OK)
        goto out;
    if (use_cache)
        did_fetch_cache_put(f, key, key_len, resp, ttl);

check_type:
    if (!type_ok(req->types, resp->content_type)) {
        rc = did_err_set(err, DID_ERR_FETCH_TYPE, "fetch: \"%.*s\": unexpected content type \"%s\"",
                         shown(req->url), req->url, resp->content_type);
        goto out;
    }
out:
    if (rc != DID_OK)
        did_buf_reset(&resp->body);
    free(key);
    curl_free(ui.url);
    return rc;
}

int did_fetch_post(did_fetcher *f, const did_fetch_post_req *req, did_fetch_resp *resp,
                   did_err *err)
{
    url_info ui = {NULL, 0};
    int64_t ttl = 0;
    size_t cap;
    int rc;

    if (f == NULL || req == NULL || req->url == NULL || resp == NULL ||
        (req->body == NULL && req->body_len > 0))
        return did_err_set(err, DID_ERR_ARG, "did_fetch_post: NULL argument");
    did_buf_reset(&resp->body);
    resp->content_type[0] = '\0';
    resp->status = 0;
    resp->from_cache = 0;
    size_t ul = strnlen(req->url, DID_FETCH_URL_MAX + 1);
    if (ul == 0 || ul > DID_FETCH_URL_MAX)
        return did_err_set(err, DID_ERR_ARG, "did_fetch_post: URL empty or longer than %d bytes",
                           DID_FETCH_URL_MAX);
    if (req->body_len > DID_FETCH_MAX_BYTES_LIMIT)
        return did_err_set(err, DID_ERR_ARG, "did_fetch_post: body longer than %zu bytes",
                           DID_FETCH_MAX_BYTES_LIMIT);
    cap = f->o.max_bytes;
    if (req->max_bytes > 0 && req->max_bytes < cap)
        cap = req->max_bytes;
    rc = url_check(f, req->url, &ui, err);
    if (rc != DID_OK)
        return rc;
    did_fetch_req get = {.url = req->url, .accept = req->accept};
    rc = transfer(f, req->url, &ui, &get, req, cap, resp, &ttl, err);
    if (rc != DID_OK && rc != DID_ERR_FETCH_STATUS)
        did_buf_reset(&resp->body);
    curl_free(ui.url);
    return rc;
}
