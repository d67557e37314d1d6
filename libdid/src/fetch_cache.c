/*
 * fetch_cache.c -- the response cache of a did_fetcher (did/fetch.h): entries keyed by
 * (URL, Accept), expiring on the monotonic clock, bounded in count and bytes, least recently
 * used out; and the Cache-Control parsing that sets their lifetime.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <did/fetch.h>

#include "fetch_internal.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0; /* cannot happen for CLOCK_MONOTONIC; 0 makes every entry look fresh-born */
    return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}

static void entry_free(cache_entry *e)
{
    free(e->key);
    free(e->body);
    memset(e, 0, sizeof *e);
}

/* Removes entry i (caller holds the lock); the last entry takes its slot. */
static void cache_remove(did_fetcher *f, size_t i)
{
    f->cache_bytes -= f->cache[i].len;
    entry_free(&f->cache[i]);
    f->n_cache--;
    if (i != f->n_cache) {
        f->cache[i] = f->cache[f->n_cache];
        memset(&f->cache[f->n_cache], 0, sizeof f->cache[f->n_cache]);
    }
}

void did_fetcher_cache_clear(did_fetcher *f)
{
    if (f == NULL)
        return;
    pthread_mutex_lock(&f->mu);
    while (f->n_cache > 0)
        cache_remove(f, f->n_cache - 1);
    pthread_mutex_unlock(&f->mu);
}

/* ------------------------------------------------------------------------------------------- *
 * The cache. Keys are "url\naccept"; a URL cannot contain a newline (curl's parser refuses
 * control characters), so the key is unambiguous.
 */
char *did_fetch_cache_key(const char *url, const char *accept, size_t *len)
{
    size_t ul = strlen(url), al = accept != NULL ? strlen(accept) : 0;
    char *k = malloc(ul + 1 + al + 1);
    if (k == NULL)
        return NULL;
    memcpy(k, url, ul);
    k[ul] = '\n';
    if (al > 0)
        memcpy(k + ul + 1, accept, al);
    k[ul + 1 + al] = '\0';
    *len = ul + 1 + al;
    return k;
}

int did_fetch_cache_get(did_fetcher *f, const char *key, size_t key_len, size_t cap,
                        did_fetch_resp *resp)
{
    int found = 0;
    int64_t now = now_ms();

    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->n_cache; i++) {
        cache_entry *e = &f->cache[i];
        if (e->key_len != key_len || memcmp(e->key, key, key_len) != 0)
            continue;
        if (e->expires_ms <= now) {
            cache_remove(f, i);
            break;
        }
        e->last_use = ++f->tick;
        if (e->len > cap) {
            found = 2;
            break;
        }
        if (did_buf_append(&resp->body, e->body, e->len) != DID_OK) {
            found = -1;
            break;
        }
        memcpy(resp->content_type, e->content_type, sizeof resp->content_type);
        found = 1;
        break;
    }
    pthread_mutex_unlock(&f->mu);
    return found;
}

void did_fetch_cache_put(did_fetcher *f, const char *key, size_t key_len,
                         const did_fetch_resp *resp, int64_t ttl_s)
{
    if (f->o.cache_entries == 0 || ttl_s <= 0 || resp->body.len > f->o.cache_max_bytes)
        return;
    char *k = malloc(key_len + 1);
    uint8_t *b = malloc(resp->body.len > 0 ? resp->body.len : 1);
    if (k == NULL || b == NULL) {
        free(k);
        free(b);
        return;
    }
    memcpy(k, key, key_len + 1);
    if (resp->body.len > 0)
        memcpy(b, resp->body.data, resp->body.len);

    int64_t now = now_ms();
    pthread_mutex_lock(&f->mu);
    /* Drop the old entry for this key and everything expired. */
    for (size_t i = f->n_cache; i-- > 0;) {
        cache_entry *e = &f->cache[i];
        if (e->expires_ms <= now || (e->key_len == key_len && memcmp(e->key, key, key_len) == 0))
            cache_remove(f, i);
    }
    /* Then the least recently used until the new one fits. */
    while (f->n_cache > 0 && (f->n_cache >= f->o.cache_entries ||
                              f->cache_bytes + resp->body.len > f->o.cache_max_bytes)) {
        size_t lru = 0;
        for (size_t i = 1; i < f->n_cache; i++)
            if (f->cache[i].last_use < f->cache[lru].last_use)
                lru = i;
        cache_remove(f, lru);
    }
    cache_entry *e = &f->cache[f->n_cache++];
    e->key = k;
    e->key_len = key_len;
    e->body = b;
    e->len = resp->body.len;
    memcpy(e->content_type, resp->content_type, sizeof e->content_type);
    e->expires_ms = now + ttl_s * 1000;
    e->last_use = ++f->tick;
    f->cache_bytes += e->len;
    pthread_mutex_unlock(&f->mu);
}

void did_fetch_parse_cache_control(const char *s, size_t len, int *has, int64_t *max_age)
{
    size_t i = 0;
    *has = 0;
    *max_age = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
            i++;
        size_t start = i;
        while (i < len && s[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
            end--;
        const char *d = s + start;
        size_t dl = end - start;
        int64_t v = -1;
        if (dl >= 8 && did_fetch_ascii_ieq(d, "no-store", 8) && (dl == 8 || d[8] == '=')) {
            v = 0;
        } else if (dl >= 8 && did_fetch_ascii_ieq(d, "no-cache", 8) && (dl == 8 || d[8] == '=')) {
            v = 0;
        } else if (dl > 8 && did_fetch_ascii_ieq(d, "max-age=", 8)) {
            size_t j = 8;
            int quoted = d[j] == '"';
            if (quoted)
                j++;
            int64_t n = 0;
            size_t digits = 0;
            while (j < dl && d[j] >= '0' && d[j] <= '9') {
                if (n <= DID_FETCH_MAX_TTL)
                    n = n * 10 + (d[j] - '0');
                j++;
                digits++;
            }
            if (quoted && j < dl && d[j] == '"')
                j++;
            if (digits > 0 && j == dl)
                v = n > DID_FETCH_MAX_TTL ? DID_FETCH_MAX_TTL : n;
            else
                v = 0; /* a malformed max-age is treated as stale (RFC 9111 4.2.1) */
        }
        if (v >= 0 && (!*has || v < *max_age)) {
            *has = 1;
            *max_age = v;
        }
    }
}
