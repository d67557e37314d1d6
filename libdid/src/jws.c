/*
 * jws.c -- JWS compact serialisation (RFC 7515) for EdDSA/Ed25519 (RFC 8037, RFC 9864),
 * ES256, ES384 (RFC 7518) and ES256K (RFC 8812). spec/jose.md gives the order of the checks
 * and the code each one fails with; this file follows it step by step.
 */
#include <stdlib.h>
#include <string.h>

#include <did/jose.h>
#include <did/json.h>

/* The protected header is parsed with limits far below the library defaults: a header is a
 * handful of short members, and DID_JWS_MAX_HEADER bounds its size. */
#define JWS_HDR_MAX_DEPTH 16
#define JWS_HDR_MAX_ENTRIES 100

/* The longest untrusted name (alg, crit entry) echoed into an error message. */
#define JWS_SHOWN_MAX 32

typedef struct jws_alg {
    const char *name;
    unsigned bit;
    ck_key_type type;
} jws_alg;

static const jws_alg jws_algs[] = {
    {"EdDSA", DID_JWS_ALG_EDDSA, CK_KEY_ED25519},
    {"Ed25519", DID_JWS_ALG_EDDSA, CK_KEY_ED25519},
    {"ES256", DID_JWS_ALG_ES256, CK_KEY_P256},
    {"ES384", DID_JWS_ALG_ES384, CK_KEY_P384},
    {"ES256K", DID_JWS_ALG_ES256K, CK_KEY_SECP256K1},
};

/* Header parameters defined by RFC 7515 and RFC 7518 (with RFC 7516, which JWA's names come
 * from): RFC 7515 section 4.1.11 forbids naming them in "crit". */
static const char *const registered_params[] = {
    "alg",  "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
    "crit", "enc", "zip", "epk", "apu", "apv", "iv",  "tag",      "p2s", "p2c",
};

static const char *const part_names[3] = {"header", "payload", "signature"};

static int str_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* Copies an untrusted name into out for an error message when it is short printable ASCII,
 * so that a hostile header cannot put control characters or bulk into a log line. */
static const char *shown(const char *s, size_t n, char out[JWS_SHOWN_MAX + 1])
{
    if (n > JWS_SHOWN_MAX)
        return "(too long to show)";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return "(not printable)";
        out[i] = (char)c;
    }
    out[n] = '\0';
    return out;
}

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Checks that part `which` is non-empty strict base64url (the same language ck_b64url_decode
 * accepts) and gives its decoded length, without decoding it: step 2 covers all three parts,
 * but the payload may not be decoded before its signature is verified. */
static int check_part(int which, const char *s, size_t n, size_t *dec_len, did_err *err)
{
    const char *name = part_names[which];
    size_t rem = n % 4;

    if (n == 0)
        return did_err_set(err, DID_ERR_JWS_FORMAT, "JWS %s part is empty", name);
    for (size_t i = 0; i < n; i++) {
        if (b64url_value(s[i]) >= 0)
            continue;
        if (s[i] == '=')
            return did_err_set(err, DID_ERR_JWS_FORMAT,
                               "JWS %s part: padding '=' at offset %zu (base64url has none)", name,
                               i);
        return did_err_set(err, DID_ERR_JWS_FORMAT,
                           "JWS %s part: byte 0x%02x at offset %zu is not base64url", name,
                           (unsigned)(unsigned char)s[i], i);
    }
    if (rem == 1)
        return did_err_set(err, DID_ERR_JWS_FORMAT,
                           "JWS %s part: length %zu is not a base64url length", name, n);
    /* The last character carries 4 (rem 2) or 2 (rem 3) bits past the final byte; only the
     * encoding with them zero is accepted, so each byte string has one spelling. */
    if (rem != 0 && (b64url_value(s[n - 1]) & (rem == 2 ? 0x0f : 0x03)) != 0)
        return did_err_set(err, DID_ERR_JWS_FORMAT,
                           "JWS %s part: non-zero trailing bits in its last character", name);
    *dec_len = n / 4 * 3 + (rem == 0 ? 0 : rem - 1);
    return DID_OK;
}

/* Decodes a part already accepted by check_part into out (cap >= its decoded length). */
static int decode_part(int which, const char *s, size_t n, uint8_t *out, size_t cap,
                       size_t *out_len, did_err *err)
{
    ck_err ce;

    ck_err_clear(&ce);
    if (ck_b64url_decode(s, n, out, cap, out_len, &ce) != CK_OK) {
        if (ce.code == CK_ERR_INIT || ce.code == CK_ERR_NOMEM)
            return did_err_from_ck(err, &ce);
        return did_err_set(err, DID_ERR_JWS_FORMAT, "JWS %s part: %s", part_names[which], ce.msg);
    }
    return DID_OK;
}

/* ASCII case-insensitive equality of (pa + a) and (pb + b), where pa/pb are prefixes. */
static int typ_chars_equal(const char *pa, const char *a, size_t alen, const char *pb,
                           const char *b, size_t blen)
{
    size_t pal = strlen(pa), pbl = strlen(pb);

    if (pal + alen != pbl + blen)
        return 0;
    for (size_t i = 0; i < pal + alen; i++) {
        unsigned char ca = (unsigned char)(i < pal ? pa[i] : a[i - pal]);
        unsigned char cb = (unsigned char)(i < pbl ? pb[i] : b[i - pbl]);
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb - 'A' + 'a');
        if (ca != cb)
            return 0;
    }
    return 1;
}

/* RFC 7515 section 4.1.9: a typ without '/' means "application/" + typ; media types compare
 * case-insensitively. So "JWT", "jwt" and "application/jwt" are one value. */
static int typ_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    const char *pa = memchr(a, '/', alen) != NULL ? "" : "application/";
    const char *pb = memchr(b, '/', blen) != NULL ? "" : "application/";

    return typ_chars_equal(pa, a, alen, pb, b, blen);
}

static int is_registered_param(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(registered_params) / sizeof(registered_params[0]); i++)
        if (str_eq(s, n, registered_params[i]))
            return 1;
    return 0;
}

static int caller_processes(const char *const *list, const char *s, size_t n)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        if (str_eq(s, n, list[i]))
            return 1;
    return 0;
}

/* Step 6: "b64" (RFC 7797) and "crit" (RFC 7515 section 4.1.11). */
static int check_crit(const json_t *header, const char *const *processed, did_err *err)
{
    const json_t *b64 = json_object_get(header, "b64");
    const json_t *crit = json_object_get(header, "crit");
    char buf[JWS_SHOWN_MAX + 1];
    size_t n;

    /* An unencoded payload changes the signing input; we never verify one, whatever crit
     * says. */
    if (json_is_false(b64))
        return did_err_set(err, DID_ERR_JWS_CRIT,
                           "\"b64\": false (RFC 7797 unencoded payload) is not supported");
    if (crit == NULL)
        return DID_OK;
    if (!json_is_array(crit) || json_array_size(crit) == 0)
        return did_err_set(err, DID_ERR_JWS_CRIT, "\"crit\" must be a non-empty array of names");
    n = json_array_size(crit);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(crit, i);
        const char *s;
        size_t len;

        if (!json_is_string(v))
            return did_err_set(err, DID_ERR_JWS_CRIT, "\"crit\" entry %zu is not a string", i);
        s = json_string_value(v);
        len = json_string_length(v);
        if (is_registered_param(s, len))
            return did_err_set(err, DID_ERR_JWS_CRIT,
                               "\"crit\" names \"%s\", a header parameter of RFC 7515/7518", s);
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(crit, j), v))
                return did_err_set(err, DID_ERR_JWS_CRIT, "\"crit\" names \"%s\" twice",
                                   shown(s, len, buf));
        if (json_object_getn(header, s, len) == NULL)
            return did_err_set(err, DID_ERR_JWS_CRIT,
                               "\"crit\" names \"%s\", which is not in the header",
                               shown(s, len, buf));
        if (!caller_processes(processed, s, len))
            return did_err_set(err, DID_ERR_JWS_CRIT,
                               "\"crit\" names extension \"%s\", which is not processed here",
                               shown(s, len, buf));
    }
    return DID_OK;
}

/* Step 4. */
static int find_alg(const json_t *header, unsigned allowed, const jws_alg **alg, did_err *err)
{
    const json_t *v = json_object_get(header, "alg");
    char buf[JWS_SHOWN_MAX + 1];
    const char *s;
    size_t n;

    if (v == NULL)
        return did_err_set(err, DID_ERR_JWS_ALG, "header has no \"alg\"");
    if (!json_is_string(v))
        return did_err_set(err, DID_ERR_JWS_ALG, "header member \"alg\" must be a string");
    s = json_string_value(v);
    n = json_string_length(v);
    if (str_eq(s, n, "none"))
        return did_err_set(err, DID_ERR_JWS_ALG, "alg \"none\" (unsecured JWS) is refused");
    if (n >= 2 && memcmp(s, "HS", 2) == 0)
        return did_err_set(err, DID_ERR_JWS_ALG, "alg \"%s\" (HMAC) is refused", shown(s, n, buf));
    for (size_t i = 0; i < sizeof(jws_algs) / sizeof(jws_algs[0]); i++) {
        if (!str_eq(s, n, jws_algs[i].name))
            continue;
        if ((jws_algs[i].bit & allowed) == 0)
            return did_err_set(err, DID_ERR_JWS_ALG, "alg \"%s\" is not in the allow-list",
                               jws_algs[i].name);
        *alg = &jws_algs[i];
        return DID_OK;
    }
    return did_err_set(err, DID_ERR_JWS_ALG, "alg \"%s\" is not supported", shown(s, n, buf));
}

/* Members whose type RFC 7515 fixes and that we read: a wrong type is a malformed header. */
static int check_string_member(const json_t *header, const char *name, did_err *err)
{
    const json_t *v = json_object_get(header, name);

    if (v != NULL && !json_is_string(v))
        return did_err_set(err, DID_ERR_JWS_HEADER, "header member \"%s\" must be a string", name);
    return DID_OK;
}

/* Step 7: the caller's key, or the kid DID URL through the resolver. Resolution failures of
 * any kind become DID_ERR_JWS_KID (the DID error's name and message are kept in the message);
 * only DID_ERR_NOMEM passes through. */
static int find_key(const did_ctx *ctx, const json_t *header, const did_jws_verify_opts *opts,
                    ck_key **key, did_err *err)
{
    const json_t *kid = json_object_get(header, "kid");
    ck_err ce;
    did_err e;
    int rc;

    if (opts->key != NULL) {
        ck_err_clear(&ce);
        if (ck_key_public_copy(opts->key, key, &ce) != CK_OK)
            return did_err_from_ck(err, &ce);
        return DID_OK;
    }
    if (ctx == NULL)
        return did_err_set(err, DID_ERR_ARG,
                           "did_jws_verify: no key and no context to resolve kid");
    if (kid == NULL)
        return did_err_set(err, DID_ERR_JWS_KID, "header has no \"kid\" and no key was given");
    did_err_clear(&e);
    rc = did_resolve_key(ctx, json_string_value(kid), json_string_length(kid), opts->rel, key, NULL,
                         &e);
    if (rc == DID_OK)
        return DID_OK;
    if (rc == DID_ERR_NOMEM)
        return did_err_set(err, rc, "resolving kid: %s", e.msg);
    return did_err_set(err, DID_ERR_JWS_KID, "kid does not give a usable key: %s: %s",
                       did_err_name(rc), e.msg);
}

void did_jws_init(did_jws *jws)
{
    if (jws == NULL)
        return;
    jws->header = NULL;
    jws->payload = NULL;
    jws->payload_len = 0;
    jws->key = NULL;
    jws->kid = NULL;
    jws->alg = NULL;
}

void did_jws_clear(did_jws *jws)
{
    if (jws == NULL)
        return;
    json_decref(jws->header);
    free(jws->payload);
    ck_key_free(jws->key);
    free(jws->kid);
    did_jws_init(jws);
}

int did_jws_verify(const did_ctx *ctx, const char *jws, size_t len, const did_jws_verify_opts *opts,
                   did_jws *out, did_err *err)
{
    const did_json_limits hlim = {DID_JWS_MAX_HEADER, JWS_HDR_MAX_DEPTH, DID_JWS_MAX_HEADER,
                                  JWS_HDR_MAX_ENTRIES};
    uint8_t hdr[DID_JWS_MAX_HEADER];
    uint8_t sig[CK_SIG_MAX_LEN];
    const char *part[3];
    size_t part_len[3], dec_len[3], hdr_len = 0, sig_len = 0, pay_len = 0, max_len;
    const jws_alg *alg = NULL;
    const json_t *typ, *kid;
    json_t *header = NULL;
    ck_key *key = NULL;
    uint8_t *payload = NULL;
    char *kid_copy = NULL;
    size_t dots = 0;
    ck_err ce;
    did_err e;
    int rc;

    if (out != NULL)
        did_jws_init(out);
    if (jws == NULL || opts == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_jws_verify: NULL argument");
    if (opts->key == NULL && ctx == NULL)
        return did_err_set(err, DID_ERR_ARG,
                           "did_jws_verify: no key and no context to resolve kid");

    /* 1. Length. */
    max_len = opts->max_len != 0 ? opts->max_len : DID_JWS_MAX_LEN;
    if (len > max_len)
        return did_err_set(err, DID_ERR_LIMIT, "JWS of %zu bytes is longer than the limit of %zu",
                           len, max_len);

    /* 2. Three strict base64url parts. */
    for (size_t i = 0; i < len; i++)
        if (jws[i] == '.')
            dots++;
    if (dots != 2)
        return did_err_set(err, DID_ERR_JWS_FORMAT,
                           "JWS compact serialisation has 3 parts separated by '.', found %zu",
                           dots + 1);
    part[0] = jws;
    part_len[0] = (size_t)((const char *)memchr(jws, '.', len) - jws);
    part[1] = part[0] + part_len[0] + 1;
    part_len[1] = (size_t)((const char *)memchr(part[1], '.', len - part_len[0] - 1) - part[1]);
    part[2] = part[1] + part_len[1] + 1;
    part_len[2] = len - part_len[0] - part_len[1] - 2;
    for (int i = 0; i < 3; i++)
        if ((rc = check_part(i, part[i], part_len[i], &dec_len[i], err)) != DID_OK)
            return rc;

    /* 3. The protected header: a strict JSON object of bounded size. */
    if (dec_len[0] > DID_JWS_MAX_HEADER)
        return did_err_set(err, DID_ERR_JWS_HEADER, "protected header is %zu bytes, limit %d",
                           dec_len[0], DID_JWS_MAX_HEADER);
    if ((rc = decode_part(0, part[0], part_len[0], hdr, sizeof(hdr), &hdr_len, err)) != DID_OK)
        return rc;
    did_err_clear(&e);
    rc = did_json_parse(hdr, hdr_len, &hlim, &header, &e);
    if (rc == DID_ERR_NOMEM)
        return did_err_set(err, rc, "protected header: %s", e.msg);
    if (rc != DID_OK)
        return did_err_set(err, DID_ERR_JWS_HEADER, "protected header: %s: %s", did_err_name(rc),
                           e.msg);
    if (!json_is_object(header)) {
        rc = did_err_set(err, DID_ERR_JWS_HEADER, "protected header is not a JSON object");
        goto out;
    }

    /* 4. alg. */
    if ((rc = find_alg(header, opts->algs != 0 ? opts->algs : DID_JWS_ALG_ALL, &alg, err)) !=
        DID_OK)
        goto out;

    /* 5. Members of fixed type we read, then typ. */
    if ((rc = check_string_member(header, "typ", err)) != DID_OK ||
        (rc = check_string_member(header, "cty", err)) != DID_OK ||
        (rc = check_string_member(header, "kid", err)) != DID_OK)
        goto out;
    if (json_object_get(header, "b64") != NULL &&
        !json_is_boolean(json_object_get(header, "b64"))) {
        rc = did_err_set(err, DID_ERR_JWS_HEADER, "header member \"b64\" must be a boolean");
        goto out;
    }
    typ = json_object_get(header, "typ");
    if (opts->typ != NULL) {
        if (typ == NULL) {
            rc = did_err_set(err, DID_ERR_JWS_TYP, "header has no \"typ\"; \"%s\" is required",
                             opts->typ);
            goto out;
        }
        if (!typ_equal(json_string_value(typ), json_string_length(typ), opts->typ,
                       strlen(opts->typ))) {
            rc = did_err_set(err, DID_ERR_JWS_TYP, "header \"typ\" is not \"%s\"", opts->typ);
            goto out;
        }
    }

    /* 6. crit and b64. */
    if ((rc = check_crit(header, opts->crit, err)) != DID_OK)
        goto out;

    /* 7. The key. jwk, jku, x5u and x5c are never consulted. */
    if ((rc = find_key(ctx, header, opts, &key, err)) != DID_OK)
        goto out;

    /* 8. The algorithm must be the key's. */
    if (ck_key_get_type(key) != alg->type) {
        rc = did_err_set(err, DID_ERR_JWS_KEY_ALG, "alg \"%s\" needs a %s key, the key is %s",
                         alg->name, ck_key_type_name(alg->type),
                         ck_key_type_name(ck_key_get_type(key)));
        goto out;
    }

    /* 9. The signature over the signing input exactly as received. ES256K is verified without
     * CK_VERIFY_LOW_S: RFC 8812 specifies plain ECDSA, and a high-S signature from a
     * conforming signer is valid (spec/jose.md). */
    if (dec_len[2] > sizeof(sig)) {
        rc = did_err_set(err, DID_ERR_JWS_SIGNATURE, "signature of %zu bytes is too long for %s",
                         dec_len[2], alg->name);
        goto out;
    }
    if ((rc = decode_part(2, part[2], part_len[2], sig, sizeof(sig), &sig_len, err)) != DID_OK)
        goto out;
    ck_err_clear(&ce);
    rc = ck_verify(key, (const uint8_t *)jws, part_len[0] + 1 + part_len[1], sig, sig_len, 0, &ce);
    if (rc == CK_ERR_SIGNATURE) {
        rc = did_err_set(err, DID_ERR_JWS_SIGNATURE, "%s signature does not verify: %s", alg->name,
                         ce.msg);
        goto out;
    }
    if (rc != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        goto out;
    }

    /* 10. Only now the payload. */
    payload = malloc(dec_len[1] + 1);
    kid = json_object_get(header, "kid");
    if (kid != NULL)
        kid_copy = strndup(json_string_value(kid), json_string_length(kid));
    if (payload == NULL || (kid != NULL && kid_copy == NULL)) {
        rc = did_err_set(err, DID_ERR_NOMEM, "did_jws_verify: out of memory");
        goto out;
    }
    if ((rc = decode_part(1, part[1], part_len[1], payload, dec_len[1] + 1, &pay_len, err)) !=
        DID_OK)
        goto out;
    payload[pay_len] = '\0';

    out->header = header;
    out->payload = payload;
    out->payload_len = pay_len;
    out->key = key;
    out->kid = kid_copy;
    out->alg = alg->name;
    header = NULL;
    payload = NULL;
    key = NULL;
    kid_copy = NULL;
    did_err_clear(err);
    rc = DID_OK;
out:
    json_decref(header);
    free(payload);
    ck_key_free(key);
    free(kid_copy);
    return rc;
}

/* ------------------------------------------------------------------------------------------- */

/* Appends base64url(in[0..n)) to b. */
static int append_b64(did_buf *b, const uint8_t *in, size_t n, did_err *err)
{
    size_t enc = ck_b64url_encoded_len(n), w = 0;
    ck_err ce;
    int rc;

    if ((rc = did_buf_reserve(b, enc)) != DID_OK)
        return did_err_set(err, rc, "JWS of this size does not fit in a buffer");
    ck_err_clear(&ce);
    if (ck_b64url_encode(in, n, (char *)b->data + b->len, b->cap - b->len, &w, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    b->len += w;
    return DID_OK;
}

/* The protected header object: alg, then the caller's typ/cty/kid and extra members. */
static int build_header(const char *alg, const did_jws_sign_opts *opts, json_t **out, did_err *err)
{
    static const char *const names[3] = {"typ", "cty", "kid"};
    const char *vals[3] = {NULL, NULL, NULL};
    json_t *h = json_object();
    const char *k;
    json_t *v;
    int rc;

    *out = NULL;
    if (h == NULL || json_object_set_new(h, "alg", json_string(alg)) != 0)
        goto nomem;
    if (opts != NULL) {
        vals[0] = opts->typ;
        vals[1] = opts->cty;
        vals[2] = opts->kid;
    }
    for (int i = 0; i < 3; i++) {
        json_t *s;
        if (vals[i] == NULL)
            continue;
        /* json_string refuses invalid UTF-8. */
        s = json_string(vals[i]);
        if (s == NULL) {
            rc = did_err_set(err, DID_ERR_ARG, "JWS \"%s\" is not valid UTF-8", names[i]);
            goto fail;
        }
        if (json_object_set_new(h, names[i], s) != 0)
            goto nomem;
    }
    if (opts != NULL && opts->extra != NULL) {
        if (!json_is_object(opts->extra)) {
            rc = did_err_set(err, DID_ERR_ARG, "JWS extra header members must be an object");
            goto fail;
        }
        json_object_foreach((json_t *)opts->extra, k, v)
        {
            /* alg comes from the key; b64 would promise a signing input we do not produce. */
            if (strcmp(k, "alg") == 0 || strcmp(k, "b64") == 0) {
                rc =
                    did_err_set(err, DID_ERR_ARG, "JWS extra header members may not set \"%s\"", k);
                goto fail;
            }
            if (json_object_get(h, k) != NULL) {
                rc = did_err_set(err, DID_ERR_ARG,
                                 "JWS header member \"%s\" given both in opts and in extra", k);
                goto fail;
            }
            if (json_object_set(h, k, v) != 0)
                goto nomem;
        }
    }
    *out = h;
    return DID_OK;
nomem:
    rc = did_err_set(err, DID_ERR_NOMEM, "did_jws_sign: out of memory");
fail:
    json_decref(h);
    return rc;
}

int did_jws_sign(const ck_key *key, const did_jws_sign_opts *opts, const uint8_t *payload,
                 size_t len, did_buf *out, did_err *err)
{
    uint8_t sig[CK_SIG_MAX_LEN];
    size_t sig_len = 0, mark = 0;
    const char *alg;
    json_t *header = NULL;
    did_buf hbuf;
    ck_err ce;
    int rc;

    did_buf_init(&hbuf);
    if (key == NULL || out == NULL || (payload == NULL && len != 0))
        return did_err_set(err, DID_ERR_ARG, "did_jws_sign: NULL argument");
    /* An empty payload is how a detached-content JWS (RFC 7515 appendix F) travels; we
     * refuse to verify one, so we do not make one. */
    if (len == 0)
        return did_err_set(err, DID_ERR_ARG, "did_jws_sign: empty payload");
    alg = ck_key_jose_alg(ck_key_get_type(key));
    if (alg == NULL)
        return did_err_set(err, DID_ERR_ARG, "a %s key cannot sign",
                           ck_key_type_name(ck_key_get_type(key)));
    if (!ck_key_has_private(key))
        return did_err_set(err, DID_ERR_ARG, "did_jws_sign: the key has no private part");

    if ((rc = build_header(alg, opts, &header, err)) != DID_OK)
        return rc;
    if ((rc = did_jcs_write(header, &hbuf, err)) != DID_OK)
        goto out;

    mark = out->len;
    if ((rc = append_b64(out, hbuf.data, hbuf.len, err)) != DID_OK ||
        (rc = did_buf_putc(out, '.')) != DID_OK ||
        (rc = append_b64(out, payload, len, err)) != DID_OK)
        goto undo;
    ck_err_clear(&ce);
    if (ck_sign(key, out->data + mark, out->len - mark, sig, sizeof(sig), &sig_len, &ce) != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        goto undo;
    }
    if ((rc = did_buf_putc(out, '.')) != DID_OK ||
        (rc = append_b64(out, sig, sig_len, err)) != DID_OK)
        goto undo;
    did_err_clear(err);
    rc = DID_OK;
    goto out;
undo:
    if (rc == DID_ERR_NOMEM || rc == DID_ERR_LIMIT)
        did_err_set(err, rc, "did_jws_sign: the JWS does not fit in the output buffer");
    /* Nothing half-written stays behind. */
    out->len = mark;
    if (out->data != NULL)
        out->data[mark] = '\0';
out:
    json_decref(header);
    did_buf_clear(&hbuf);
    return rc;
}
