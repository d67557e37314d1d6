/*
 * ctx.c -- the libdid context (method table, JSON limits) and DID resolution on
 * top of it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>

/* DID Core 3.1 puts no bound on method-name; ours keeps the table small and
 * messages short. */
#define DID_METHOD_NAME_MAX 32

typedef struct did_method_entry {
    char name[DID_METHOD_NAME_MAX + 1];
    size_t name_len;
    did_method_resolve_fn fn;
    void *user;
    /* The document is a pure function of the DID (did:key, did:jwk), so what was resolved
     * once stays true: its keys may be cached without expiry. */
    int deterministic;
} did_method_entry;

/* Keys of verification methods of deterministic methods, by DID URL: resolving a did:key
 * means decoding and validating a curve point and building a document, which costs more than
 * the signature check it serves. Set-associative, least recently used out. */
#define KEY_CACHE_SETS 64
#define KEY_CACHE_WAYS 4
#define KEY_CACHE_URL_MAX 512 /* longer DID URLs are not cached */

typedef struct key_cache_entry {
    char url[KEY_CACHE_URL_MAX];
    size_t url_len;    /* 0: empty slot */
    unsigned rel_ok;   /* bit (1 << rel) set once the method was found authorised for rel */
    ck_key *key;       /* public key */
    uint64_t last_use;
} key_cache_entry;

typedef struct key_cache {
    pthread_mutex_t lock;
    uint64_t tick;
    key_cache_entry e[KEY_CACHE_SETS][KEY_CACHE_WAYS];
} key_cache;

struct did_ctx {
    did_method_entry methods[DID_CTX_MAX_METHODS];
    size_t n_methods;
    did_json_limits json_limits;
    key_cache *cache; /* the context is otherwise read-only once set up */
};

/* method-name = 1*method-char; method-char = %x61-7A / DIGIT (DID Core 3.1). */
static int method_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > DID_METHOD_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

int did_ctx_new(did_ctx **out, did_err *err)
{
    did_ctx *ctx = NULL;
    int rc;

    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_ctx_new: out is NULL");
    *out = NULL;
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "did_ctx_new: out of memory");
    ctx->json_limits = did_json_limits_default();
    ctx->cache = calloc(1, sizeof *ctx->cache);
    if (ctx->cache == NULL) {
        free(ctx);
        return did_err_set(err, DID_ERR_NOMEM, "did_ctx_new: out of memory");
    }
    if (pthread_mutex_init(&ctx->cache->lock, NULL) != 0) {
        free(ctx->cache);
        free(ctx);
        return did_err_set(err, DID_ERR_INTERNAL, "did_ctx_new: pthread_mutex_init failed");
    }
    rc = did_ctx_register_method(ctx, "key", did_key_resolve, NULL, err);
    if (rc == DID_OK)
        rc = did_ctx_register_method(ctx, "jwk", did_jwk_resolve, NULL, err);
    if (rc != DID_OK) {
        did_ctx_free(ctx);
        return rc;
    }
    ctx->methods[0].deterministic = 1;
    ctx->methods[1].deterministic = 1;
    *out = ctx;
    return DID_OK;
}

void did_ctx_free(did_ctx *ctx)
{
    if (ctx == NULL)
        return;
    if (ctx->cache != NULL) {
        for (size_t i = 0; i < KEY_CACHE_SETS; i++)
            for (size_t j = 0; j < KEY_CACHE_WAYS; j++)
                ck_key_free(ctx->cache->e[i][j].key);
        pthread_mutex_destroy(&ctx->cache->lock);
        free(ctx->cache);
    }
    free(ctx);
}

int did_ctx_register_method(did_ctx *ctx, const char *method, did_method_resolve_fn fn, void *user,
                            did_err *err)
{
    size_t len;

    if (ctx == NULL || method == NULL || fn == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_ctx_register_method: NULL argument");
    len = strnlen(method, DID_METHOD_NAME_MAX + 1);
    if (!method_name_ok(method, len))
        return did_err_set(err, DID_ERR_ARG,
                           "did_ctx_register_method: method name must be 1-%d of [a-z0-9]",
                           DID_METHOD_NAME_MAX);
    for (size_t i = 0; i < ctx->n_methods; i++) {
        did_method_entry *m = &ctx->methods[i];
        if (m->name_len == len && memcmp(m->name, method, len) == 0) {
            m->fn = fn;
            m->user = user;
            m->deterministic = 0; /* a replacement resolver may change its answers */
            return DID_OK;
        }
    }
    if (ctx->n_methods >= DID_CTX_MAX_METHODS)
        return did_err_set(err, DID_ERR_LIMIT,
                           "did_ctx_register_method: at most %d methods (DID_CTX_MAX_METHODS)",
                           DID_CTX_MAX_METHODS);
    did_method_entry *m = &ctx->methods[ctx->n_methods++];
    memcpy(m->name, method, len);
    m->name[len] = '\0';
    m->name_len = len;
    m->fn = fn;
    m->user = user;
    return DID_OK;
}

const did_json_limits *did_ctx_json_limits(const did_ctx *ctx)
{
    return ctx != NULL ? &ctx->json_limits : NULL;
}

void did_ctx_set_json_limits(did_ctx *ctx, const did_json_limits *lim)
{
    if (ctx != NULL && lim != NULL)
        ctx->json_limits = *lim;
}

static const did_method_entry *find_method(const did_ctx *ctx, const char *name, size_t len)
{
    for (size_t i = 0; i < ctx->n_methods; i++) {
        const did_method_entry *m = &ctx->methods[i];
        if (m->name_len == len && memcmp(m->name, name, len) == 0)
            return m;
    }
    return NULL;
}

int did_resolve(const did_ctx *ctx, const char *did, size_t len, json_t **doc, did_err *err)
{
    did_url u;
    json_t *d = NULL;
    const did_method_entry *m;
    int rc;

    if (ctx == NULL || did == NULL || doc == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_resolve: NULL argument");
    *doc = NULL;
    rc = did_parse(did, len, &u, err);
    if (rc != DID_OK)
        return rc;
    m = find_method(ctx, did + u.method_off, u.method_len);
    if (m == NULL) {
        /* The name is syntax-checked, but bound what we echo into the message. */
        int shown = u.method_len > DID_METHOD_NAME_MAX ? DID_METHOD_NAME_MAX : (int)u.method_len;
        return did_err_set(err, DID_ERR_DID_METHOD, "did method \"%.*s\" is not supported", shown,
                           did + u.method_off);
    }
    rc = m->fn(m->user, ctx, &u, &d, err);
    if (rc != DID_OK)
        goto out;
    if (d == NULL) {
        rc = did_err_set(err, DID_ERR_INTERNAL, "did method \"%s\" returned no document", m->name);
        goto out;
    }
    /* A method (possibly a third-party plug-in) must not be able to answer for
     * another DID. */
    rc = did_doc_check(d, did, u.did_len, err);
    if (rc != DID_OK) {
        rc = DID_ERR_DID_DOC_INVALID;
        if (err != NULL)
            err->code = rc;
        goto out;
    }
    *doc = d;
    d = NULL;
out:
    json_decref(d);
    return rc;
}

static const char *resolution_error_name(int code)
{
    switch (code) {
    case DID_ERR_DID_SYNTAX:
    case DID_ERR_DID_INVALID:
        return "invalidDid";
    case DID_ERR_DID_METHOD:
        return "methodNotSupported";
    default:
        /* The header promises one of three values; anything else means we have no
         * document. */
        return "notFound";
    }
}

int did_resolution_result(const did_ctx *ctx, const char *did, size_t len, json_t **result,
                          did_err *err)
{
    json_t *doc = NULL, *res = NULL, *meta = NULL;
    int rc, jrc = 0;

    if (result == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_resolution_result: result is NULL");
    *result = NULL;
    rc = did_resolve(ctx, did, len, &doc, err);
    if (rc == DID_ERR_ARG || rc == DID_ERR_NOMEM)
        return rc;

    res = json_object();
    meta = json_object();
    if (res == NULL || meta == NULL)
        goto nomem;
    if (rc == DID_OK)
        jrc |= json_object_set_new(meta, "contentType", json_string("application/did+ld+json"));
    else
        jrc |= json_object_set_new(meta, "error", json_string(resolution_error_name(rc)));
    jrc |= json_object_set_new(res, "@context", json_string("https://w3id.org/did-resolution/v1"));
    jrc |= json_object_set_new(res, "didDocument", doc != NULL ? doc : json_null());
    doc = NULL;
    jrc |= json_object_set_new(res, "didResolutionMetadata", meta);
    meta = NULL;
    jrc |= json_object_set_new(res, "didDocumentMetadata", json_object());
    if (jrc != 0)
        goto nomem;
    *result = res;
    return rc;
nomem:
    json_decref(doc);
    json_decref(meta);
    json_decref(res);
    return did_err_set(err, DID_ERR_NOMEM, "did_resolution_result: out of memory");
}

static const char *const rel_names[] = {
    NULL,           "authentication",       "assertionMethod",
    "keyAgreement", "capabilityInvocation", "capabilityDelegation",
};

const char *did_relationship_name(did_relationship rel)
{
    if ((int)rel <= 0 || (size_t)rel >= sizeof(rel_names) / sizeof(rel_names[0]))
        return NULL;
    return rel_names[rel];
}

int did_relationship_from_name(const char *name, size_t len, did_relationship *out, did_err *err)
{
    if (name == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_relationship_from_name: NULL argument");
    for (size_t i = 1; i < sizeof(rel_names) / sizeof(rel_names[0]); i++) {
        if (strlen(rel_names[i]) == len && memcmp(rel_names[i], name, len) == 0) {
            *out = (did_relationship)i;
            return DID_OK;
        }
    }
    return did_err_set(err, DID_ERR_ARG, "unknown verification relationship (%zu bytes)", len);
}

static size_t cache_set(const char *url, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)url[i]) * 1099511628211ULL;
    return (size_t)(h % KEY_CACHE_SETS);
}

/* A copy of the cached key for url if it is known to be authorised for rel; NULL otherwise. */
static ck_key *cache_get(key_cache *c, const char *url, size_t len, did_relationship rel)
{
    ck_key *copy = NULL;
    if (len > KEY_CACHE_URL_MAX)
        return NULL;
    key_cache_entry *set = c->e[cache_set(url, len)];
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < KEY_CACHE_WAYS; i++) {
        key_cache_entry *e = &set[i];
        if (e->url_len == len && memcmp(e->url, url, len) == 0 &&
            (e->rel_ok & (1u << rel)) != 0) {
            e->last_use = ++c->tick;
            if (ck_key_public_copy(e->key, &copy, NULL) != CK_OK)
                copy = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return copy;
}

/* Remembers that url's key is key and that it is authorised for rel. Failures to cache are
 * silent: the cache only saves work. */
static void cache_put(key_cache *c, const char *url, size_t len, did_relationship rel,
                      const ck_key *key)
{
    if (len > KEY_CACHE_URL_MAX)
        return;
    key_cache_entry *set = c->e[cache_set(url, len)];
    pthread_mutex_lock(&c->lock);
    key_cache_entry *slot = &set[0];
    for (size_t i = 0; i < KEY_CACHE_WAYS; i++) {
        key_cache_entry *e = &set[i];
        if (e->url_len == len && memcmp(e->url, url, len) == 0) {
            slot = e;
            break;
        }
        if (e->last_use < slot->last_use)
            slot = e;
    }
    if (slot->url_len != len || memcmp(slot->url, url, len) != 0) {
        ck_key *copy = NULL;
        if (ck_key_public_copy(key, &copy, NULL) == CK_OK) {
            ck_key_free(slot->key);
            slot->key = copy;
            memcpy(slot->url, url, len);
            slot->url_len = len;
            slot->rel_ok = 0;
        } else {
            slot = NULL;
        }
    }
    if (slot != NULL) {
        slot->rel_ok |= 1u << rel;
        slot->last_use = ++c->tick;
    }
    pthread_mutex_unlock(&c->lock);
}

int did_resolve_key(const did_ctx *ctx, const char *vm_url, size_t len, did_relationship rel,
                    ck_key **key, json_t **vm, did_err *err)
{
    did_url u;
    json_t *doc = NULL;
    const json_t *found = NULL;
    ck_key *k = NULL;
    int rc;

    if (ctx == NULL || vm_url == NULL || key == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_resolve_key: NULL argument");
    *key = NULL;
    if (vm != NULL)
        *vm = NULL;
    if ((unsigned)rel > DID_REL_CAPABILITY_DELEGATION)
        return did_err_set(err, DID_ERR_ARG, "did_resolve_key: unknown relationship %d",
                           (int)rel);
    rc = did_url_parse(vm_url, len, &u, err);
    if (rc != DID_OK)
        return rc;
    if (!u.has_fragment || u.has_path || u.has_query)
        return did_err_set(err, DID_ERR_DID_URL_SYNTAX,
                           "verification method URL must be did#fragment with no path or query");
    const did_method_entry *m = find_method(ctx, vm_url + u.method_off, u.method_len);
    int cacheable = m != NULL && m->deterministic && vm == NULL;
    if (cacheable && (*key = cache_get(ctx->cache, vm_url, len, rel)) != NULL)
        return DID_OK;
    rc = did_resolve(ctx, vm_url, u.did_len, &doc, err);
    if (rc != DID_OK)
        goto out;
    rc = did_doc_find_vm(doc, vm_url, len, rel, &found, err);
    if (rc != DID_OK)
        goto out;
    rc = did_vm_key(found, &k, err);
    if (rc != DID_OK)
        goto out;
    if (cacheable)
        cache_put(ctx->cache, vm_url, len, rel, k);
    if (vm != NULL)
        *vm = json_incref((json_t *)found);
    *key = k;
    k = NULL;
out:
    ck_key_free(k);
    json_decref(doc);
    return rc;
}
