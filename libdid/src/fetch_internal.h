/*
 * fetch_internal.h -- what fetch.c (transfers) and fetch_cache.c (the cache) share.
 */
#ifndef DID_FETCH_INTERNAL_H
#define DID_FETCH_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <did/fetch.h>

typedef struct cache_entry {
    char *key; /* url "\n" accept, NUL-terminated */
    size_t key_len;
    uint8_t *body;
    size_t len;
    char content_type[DID_FETCH_TYPE_MAX];
    int64_t expires_ms; /* monotonic */
    uint64_t last_use;
} cache_entry;

struct did_fetcher {
    did_fetch_opts o;
    char *ca_file;
    pthread_mutex_t mu; /* guards everything below */
    cache_entry *cache; /* o.cache_entries slots, the first n_cache in use */
    size_t n_cache;
    size_t cache_bytes;
    uint64_t tick;
};

/* ASCII case-insensitive comparison of n bytes (locale-independent). */
static inline int did_fetch_ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return 0;
    }
    return 1;
}

/* The cache key "url\naccept" (malloc'd, NUL-terminated, *len without the NUL); NULL when out
 * of memory. A URL cannot contain a newline (curl's parser refuses control characters), so the
 * key is unambiguous. */
char *did_fetch_cache_key(const char *url, const char *accept, size_t *len);

/* Looks key up. 1: a live entry, appended to resp->body with its content type; 2: a live
 * entry larger than cap (nothing copied); 0: none (an expired one is dropped); -1: out of
 * memory. */
int did_fetch_cache_get(did_fetcher *f, const char *key, size_t key_len, size_t cap,
                        did_fetch_resp *resp);

/* Stores a copy of resp for ttl_s seconds, replacing any entry for key and evicting expired,
 * then least recently used, entries until it fits. Does nothing when the cache is off, ttl_s
 * is 0, the body is larger than the whole cache, or memory is short: the cache is an
 * optimisation, never a reason to fail a fetch. */
void did_fetch_cache_put(did_fetcher *f, const char *key, size_t key_len,
                         const did_fetch_resp *resp, int64_t ttl_s);

/* Cache-Control (RFC 9111 section 5.2) s[0..len): max-age=N (token or quoted string; malformed
 * counts as 0), no-store and no-cache as 0; the smallest value wins when there are several.
 * *has is 0 when no directive applies. */
void did_fetch_parse_cache_control(const char *s, size_t len, int *has, int64_t *max_age);

#endif
