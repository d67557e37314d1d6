/* Listen addresses: "A.B.C.D:PORT" and "[v6]:PORT", IP literals only (no name lookups). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

int ch_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len, did_err *err)
{
    char host[INET6_ADDRSTRLEN + 1];
    if (text == NULL)
        return did_err_set(err, CH_ERR_HTTP_LISTEN, "no listen address");
    size_t n = strnlen(text, CH_ADDRESS_MAX);
    if (n == CH_ADDRESS_MAX)
        return did_err_set(err, CH_ERR_HTTP_LISTEN, "listen address too long");
    const char *colon = strrchr(text, ':');
    if (colon == NULL)
        return did_err_set(err, CH_ERR_HTTP_LISTEN,
                           "listen address '%s' is not HOST:PORT (for example 127.0.0.1:8080)",
                           text);
    /* Port: 1-5 decimal digits, at most 65535 (0: any free port). */
    const char *p = colon + 1;
    size_t plen = strlen(p);
    unsigned long port = 0;
    if (plen == 0 || plen > 5)
        return did_err_set(err, CH_ERR_HTTP_LISTEN, "listen address '%s': bad port", text);
    for (size_t i = 0; i < plen; i++) {
        if (p[i] < '0' || p[i] > '9')
            return did_err_set(err, CH_ERR_HTTP_LISTEN, "listen address '%s': bad port", text);
        port = port * 10 + (unsigned long)(p[i] - '0');
    }
    if (port > 65535)
        return did_err_set(err, CH_ERR_HTTP_LISTEN, "listen address '%s': port over 65535", text);
    size_t hlen = (size_t)(colon - text);
    const char *h = text;
    int v6 = 0;
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
        v6 = 1;
    }
    if (hlen == 0 || hlen >= sizeof host)
        return did_err_set(err, CH_ERR_HTTP_LISTEN, "listen address '%s': bad host", text);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memset(ss, 0, sizeof *ss);
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return did_err_set(err, CH_ERR_HTTP_LISTEN, "listen address '%s': not an IPv6 literal",
                               text);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return did_err_set(err, CH_ERR_HTTP_LISTEN,
                               "listen address '%s': not an IPv4 literal (IPv6 goes in [])", text);
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        *len = sizeof *a;
    }
    return DID_OK;
}

void ch_addr_format(const struct sockaddr *sa, char *out, size_t cap, int with_port)
{
    char host[INET6_ADDRSTRLEN];
    unsigned port = 0;
    int v6 = 0;
    if (sa == NULL) {
        snprintf(out, cap, "-");
        return;
    }
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)sa;
        if (inet_ntop(AF_INET, &a->sin_addr, host, sizeof host) == NULL)
            snprintf(host, sizeof host, "?");
        port = ntohs(a->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)sa;
        if (inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host) == NULL)
            snprintf(host, sizeof host, "?");
        port = ntohs(a->sin6_port);
        v6 = 1;
    } else {
        snprintf(out, cap, "-");
        return;
    }
    if (!with_port)
        snprintf(out, cap, "%s", host);
    else if (v6)
        snprintf(out, cap, "[%s]:%u", host, port);
    else
        snprintf(out, cap, "%s:%u", host, port);
}

uint64_t ch_now_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
