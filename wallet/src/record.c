/*
 * record.c -- the record codec: a body (version, secret, JSON, payload) sealed with
 * XChaCha20-Poly1305 under the master key, the record's kind and id in the associated data.
 *
 *   body   = version (1) | secret_len u16be | secret | json_len u32be | json | payload
 *   sealed = version (1) | nonce (24) | ciphertext of body | tag (16)
 *   ad     = "civid-wallet-record" | version | kind | id_len u8 | id
 *
 * The secret part exists so that a private key never passes through jansson (whose memory is
 * not guarded): it is decrypted into guarded memory and imported from there.
 */
#include <string.h>

#include <did/json.h>

#include "wallet_internal.h"

#define BODY_VERSION 1
#define SEAL_VERSION 1
#define SEAL_HEADER (1 + CK_AEAD_NONCE_LEN)
#define AD_LABEL "civid-wallet-record"
#define AD_MAX (sizeof AD_LABEL - 1 + 3 + WALLET_ID_MAX)

void wl_rec_init(wl_rec *r)
{
    memset(r, 0, sizeof *r);
}

void wl_rec_clear(wl_rec *r)
{
    if (r == NULL)
        return;
    json_decref(r->meta);
    ck_secret_free(r->body);
    wl_rec_init(r);
}

int wl_nomem(did_err *err)
{
    return did_err_set(err, DID_ERR_NOMEM, "out of memory");
}

const char *wl_kind_name(wallet_kind kind)
{
    switch (kind) {
    case WALLET_KIND_KEY:
        return "key";
    case WALLET_KIND_CREDENTIAL:
        return "credential";
    case WALLET_KIND_HISTORY:
        return "history entry";
    }
    return "record";
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int wl_id_valid(wallet_kind kind, const char *id, size_t len)
{
    const char *prefix = kind == WALLET_KIND_KEY          ? WL_KEY_PREFIX
                         : kind == WALLET_KIND_CREDENTIAL ? WL_CRED_PREFIX
                         : kind == WALLET_KIND_HISTORY    ? ""
                                                          : NULL;
    if (id == NULL || prefix == NULL)
        return 0;
    size_t plen = strlen(prefix);
    if (len != plen + 16 || memcmp(id, prefix, plen) != 0)
        return 0;
    for (size_t i = plen; i < len; i++)
        if (!is_hex(id[i]))
            return 0;
    return 1;
}

const char *wl_str(const json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s != NULL ? s : "";
}

int64_t wl_int(const json_t *obj, const char *name)
{
    return (int64_t)json_integer_value(json_object_get(obj, name));
}

int wl_set_str(json_t *obj, const char *name, const char *s, did_err *err)
{
    json_t *v = json_string(s);
    if (v == NULL)
        return did_err_set(err, DID_ERR_ARG, "%s is not UTF-8 text", name);
    if (json_object_set_new(obj, name, v) != 0)
        return wl_nomem(err);
    return DID_OK;
}

static void put_u16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, size_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static size_t get_u16(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

static size_t get_u32(const uint8_t *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

int wl_body_encode(const uint8_t *secret, size_t secret_len, const json_t *meta,
                   const uint8_t *payload, size_t payload_len, uint8_t **body, size_t *len,
                   did_err *err)
{
    *body = NULL;
    *len = 0;
    if (secret_len > WALLET_SECRET_MAX || (secret_len > 0 && secret == NULL))
        return did_err_set(err, DID_ERR_ARG, "record secret of %zu bytes", secret_len);
    if (payload_len > WALLET_PAYLOAD_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "a stored credential is at most %zu bytes",
                           WALLET_PAYLOAD_MAX);
    did_buf js;
    did_buf_init(&js);
    int rc = did_jcs_write(meta, &js, err);
    if (rc != DID_OK)
        goto out;
    if (js.len > WALLET_META_MAX) {
        rc = did_err_set(err, DID_ERR_LIMIT, "record data of %zu bytes exceeds %zu", js.len,
                         WALLET_META_MAX);
        goto out;
    }
    size_t n = 1 + 2 + secret_len + 4 + js.len + payload_len;
    uint8_t *b = ck_secret_alloc(n);
    if (b == NULL) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
        goto out;
    }
    size_t o = 0;
    b[o++] = BODY_VERSION;
    put_u16(b + o, secret_len);
    o += 2;
    if (secret_len > 0)
        memcpy(b + o, secret, secret_len);
    o += secret_len;
    put_u32(b + o, js.len);
    o += 4;
    memcpy(b + o, js.data, js.len);
    o += js.len;
    if (payload_len > 0)
        memcpy(b + o, payload, payload_len);
    *body = b;
    *len = n;
out:
    did_buf_clear(&js);
    return rc;
}

/* ---- per-kind checks of the JSON part ---------------------------------------------------- */

enum { F_STR = 1, F_INT, F_BOOL, F_STRS, F_OBJ };

typedef struct field {
    const char *name;
    int type;
    int required;
} field;

static int bad(did_err *err, wallet_kind kind, const char *what)
{
    return did_err_set(err, WALLET_ERR_FORMAT, "%s record: %s", wl_kind_name(kind), what);
}

static int check_fields(wallet_kind kind, const json_t *meta, const field *fields, size_t n,
                        did_err *err)
{
    char msg[96];
    if (json_object_size(meta) > n) /* every member is known: nothing else may be there */
        return bad(err, kind, "unknown members");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)meta, name, v)
    {
        size_t i;
        for (i = 0; i < n && strcmp(fields[i].name, name) != 0; i++)
            ;
        if (i == n) {
            snprintf(msg, sizeof msg, "unknown member \"%.40s\"", name);
            return bad(err, kind, msg);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_object_get(meta, fields[i].name);
        int ok = 1;
        if (m == NULL) {
            ok = !fields[i].required;
        } else {
            switch (fields[i].type) {
            case F_STR:
                ok = json_is_string(m);
                break;
            case F_INT:
                ok = json_is_integer(m);
                break;
            case F_BOOL:
                ok = json_is_boolean(m);
                break;
            case F_OBJ:
                ok = json_is_object(m);
                break;
            case F_STRS: {
                size_t j;
                json_t *e;
                ok = json_is_array(m);
                json_array_foreach(m, j, e) if (!json_is_string(e)) ok = 0;
                break;
            }
            }
        }
        if (!ok) {
            snprintf(msg, sizeof msg, "member \"%s\" missing or of the wrong type", fields[i].name);
            return bad(err, kind, msg);
        }
    }
    return DID_OK;
}

static int check_key(const wl_rec *r, did_err *err)
{
    static const field f[] = {
        {"type", F_STR, 1},    {"method", F_STR, 1},       {"did", F_STR, 1},
        {"kid", F_STR, 1},     {"thumbprint", F_STR, 1},   {"label", F_STR, 0},
        {"created", F_INT, 1}, {"relationship", F_STR, 0},
    };
    int rc = check_fields(WALLET_KIND_KEY, r->meta, f, sizeof f / sizeof f[0], err);
    if (rc != DID_OK)
        return rc;
    const char *type = wl_str(r->meta, "type"), *method = wl_str(r->meta, "method");
    ck_key_type kt;
    if (ck_key_type_from_name(type, strlen(type), &kt, NULL) != CK_OK || kt == CK_KEY_X25519)
        return bad(err, WALLET_KIND_KEY, "unknown key type");
    if (strcmp(method, "key") != 0 && strcmp(method, "jwk") != 0)
        return bad(err, WALLET_KIND_KEY, "method must be key or jwk");
    if (r->payload_len != 0)
        return bad(err, WALLET_KIND_KEY, "unexpected payload");
    ck_key *key = NULL;
    if (ck_key_import_private(kt, r->secret, r->secret_len, &key, NULL) != CK_OK)
        return bad(err, WALLET_KIND_KEY, "the private key is not valid for its type");
    ck_key_free(key);
    return DID_OK;
}

static int check_cred(const wl_rec *r, did_err *err)
{
    static const field f[] = {
        {"format", F_STR, 1},    {"issuer", F_STR, 1},     {"types", F_STRS, 1},
        {"validFrom", F_STR, 0}, {"validUntil", F_STR, 0}, {"subject", F_STR, 0},
        {"holderKey", F_STR, 0}, {"sha256", F_STR, 1},     {"imported", F_INT, 1},
        {"document", F_OBJ, 1},
    };
    static const char *const formats[] = {"di-eddsa-jcs-2022", "di-ecdsa-jcs-2019", "vc-jwt",
                                          "sd-jwt"};
    int rc = check_fields(WALLET_KIND_CREDENTIAL, r->meta, f, sizeof f / sizeof f[0], err);
    if (rc != DID_OK)
        return rc;
    const char *fmt = wl_str(r->meta, "format");
    size_t i;
    for (i = 0; i < sizeof formats / sizeof formats[0] && strcmp(fmt, formats[i]) != 0; i++)
        ;
    if (i == sizeof formats / sizeof formats[0])
        return bad(err, WALLET_KIND_CREDENTIAL, "unknown format");
    const json_t *hk = json_object_get(r->meta, "holderKey");
    if (hk != NULL && !wl_id_valid(WALLET_KIND_KEY, json_string_value(hk), json_string_length(hk)))
        return bad(err, WALLET_KIND_CREDENTIAL, "holderKey is not a key id");
    if (r->secret_len != 0 || r->payload_len == 0)
        return bad(err, WALLET_KIND_CREDENTIAL, "a credential record holds the credential only");
    return DID_OK;
}

static int check_history(const wl_rec *r, did_err *err)
{
    static const field f[] = {
        {"time", F_INT, 1},      {"credential", F_STR, 1}, {"issuer", F_STR, 1},
        {"types", F_STRS, 1},    {"format", F_STR, 1},     {"domain", F_STR, 1},
        {"challenge", F_STR, 1}, {"holder", F_STR, 1},     {"key", F_STR, 1},
        {"whole", F_BOOL, 1},    {"disclosed", F_STRS, 1}, {"claims", F_STRS, 1},
    };
    int rc = check_fields(WALLET_KIND_HISTORY, r->meta, f, sizeof f / sizeof f[0], err);
    if (rc != DID_OK)
        return rc;
    if (r->secret_len != 0 || r->payload_len != 0)
        return bad(err, WALLET_KIND_HISTORY, "unexpected secret or payload");
    const json_t *c = json_object_get(r->meta, "credential");
    if (!wl_id_valid(WALLET_KIND_CREDENTIAL, json_string_value(c), json_string_length(c)))
        return bad(err, WALLET_KIND_HISTORY, "credential is not a credential id");
    return DID_OK;
}

int wl_body_decode(wallet_kind kind, uint8_t *body, size_t len, wl_rec *out, did_err *err)
{
    wl_rec_init(out);
    out->body = body;
    out->body_len = len;
    int rc;
    if (body == NULL) {
        rc = did_err_set(err, DID_ERR_ARG, "NULL record body");
        goto fail;
    }
    if (kind != WALLET_KIND_KEY && kind != WALLET_KIND_CREDENTIAL && kind != WALLET_KIND_HISTORY) {
        rc = did_err_set(err, DID_ERR_ARG, "unknown record kind %d", (int)kind);
        goto fail;
    }
    if (len > WALLET_BODY_MAX) {
        rc = bad(err, kind, "longer than the limit");
        goto fail;
    }
    if (len < 1 + 2 + 4) {
        rc = bad(err, kind, "truncated");
        goto fail;
    }
    if (body[0] != BODY_VERSION) {
        rc = bad(err, kind, "unknown body version");
        goto fail;
    }
    size_t o = 1, slen = get_u16(body + o);
    o += 2;
    if (slen > WALLET_SECRET_MAX || slen > len - o - 4) {
        rc = bad(err, kind, "secret length out of range");
        goto fail;
    }
    out->secret = slen > 0 ? body + o : NULL;
    out->secret_len = slen;
    o += slen;
    size_t jlen = get_u32(body + o);
    o += 4;
    if (jlen == 0 || jlen > WALLET_META_MAX || jlen > len - o) {
        rc = bad(err, kind, "data length out of range");
        goto fail;
    }
    did_json_limits lim = did_json_limits_default();
    lim.max_bytes = WALLET_META_MAX;
    lim.max_depth = DID_JSON_DEFAULT_MAX_DEPTH + 2; /* a credential's document sits inside */
    did_err je;
    if (did_json_parse(body + o, jlen, &lim, &out->meta, &je) != DID_OK) {
        rc = did_err_set(err, WALLET_ERR_FORMAT, "%s record: data: %s", wl_kind_name(kind), je.msg);
        goto fail;
    }
    if (!json_is_object(out->meta)) {
        rc = bad(err, kind, "data is not a JSON object");
        goto fail;
    }
    o += jlen;
    out->payload = len > o ? body + o : NULL;
    out->payload_len = len - o;
    if (out->payload_len > WALLET_PAYLOAD_MAX) {
        rc = bad(err, kind, "payload longer than the limit");
        goto fail;
    }
    rc = kind == WALLET_KIND_KEY          ? check_key(out, err)
         : kind == WALLET_KIND_CREDENTIAL ? check_cred(out, err)
                                          : check_history(out, err);
    if (rc != DID_OK)
        goto fail;
    return DID_OK;
fail:
    wl_rec_clear(out);
    return rc;
}

int wallet_record_check(wallet_kind kind, const uint8_t *body, size_t len, did_err *err)
{
    if (body == NULL && len != 0)
        return did_err_set(err, DID_ERR_ARG, "NULL body");
    if (len > WALLET_BODY_MAX)
        return did_err_set(err, WALLET_ERR_FORMAT, "record body longer than the limit");
    uint8_t *copy = ck_secret_alloc(len > 0 ? len : 1);
    if (copy == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    if (len > 0)
        memcpy(copy, body, len);
    wl_rec r;
    int rc = wl_body_decode(kind, copy, len, &r, err);
    wl_rec_clear(&r);
    return rc;
}

/* ---- sealing ------------------------------------------------------------------------------ */

static int make_ad(wallet_kind kind, const char *id, uint8_t ad[AD_MAX], size_t *ad_len,
                   did_err *err)
{
    size_t idlen = id != NULL ? strnlen(id, WALLET_ID_MAX) : 0;
    if (id == NULL || idlen == 0 || idlen >= WALLET_ID_MAX)
        return did_err_set(err, DID_ERR_ARG, "record id missing or longer than %d bytes",
                           WALLET_ID_MAX - 1);
    size_t o = sizeof AD_LABEL - 1;
    memcpy(ad, AD_LABEL, o);
    ad[o++] = SEAL_VERSION;
    ad[o++] = (uint8_t)kind;
    ad[o++] = (uint8_t)idlen;
    memcpy(ad + o, id, idlen);
    *ad_len = o + idlen;
    return DID_OK;
}

int wallet_record_seal(const uint8_t key[WALLET_MASTER_KEY_LEN], wallet_kind kind, const char *id,
                       const uint8_t *body, size_t len, did_buf *out, did_err *err)
{
    uint8_t ad[AD_MAX];
    size_t ad_len = 0;
    ck_err ce;
    if (key == NULL || out == NULL || (body == NULL && len != 0))
        return did_err_set(err, DID_ERR_ARG, "wallet_record_seal: NULL argument");
    if (len > WALLET_BODY_MAX)
        return did_err_set(err, DID_ERR_LIMIT, "record body of %zu bytes exceeds %zu", len,
                           WALLET_BODY_MAX);
    int rc = make_ad(kind, id, ad, &ad_len, err);
    if (rc != DID_OK)
        return rc;
    size_t start = out->len;
    rc = did_buf_reserve(out, SEAL_HEADER + len + CK_AEAD_TAG_LEN);
    if (rc != DID_OK)
        return wl_nomem(err);
    uint8_t *p = out->data + start;
    p[0] = SEAL_VERSION;
    ck_random(p + 1, CK_AEAD_NONCE_LEN);
    if (ck_aead_seal(key, p + 1, ad, ad_len, body, len, p + SEAL_HEADER, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    out->len = start + SEAL_HEADER + len + CK_AEAD_TAG_LEN;
    out->data[out->len] = '\0';
    return DID_OK;
}

int wallet_record_open(const uint8_t key[WALLET_MASTER_KEY_LEN], wallet_kind kind, const char *id,
                       const uint8_t *val, size_t len, uint8_t **body, size_t *body_len,
                       did_err *err)
{
    uint8_t ad[AD_MAX];
    size_t ad_len = 0;
    ck_err ce;
    if (body == NULL || body_len == NULL || key == NULL || (val == NULL && len != 0))
        return did_err_set(err, DID_ERR_ARG, "wallet_record_open: NULL argument");
    *body = NULL;
    *body_len = 0;
    int rc = make_ad(kind, id, ad, &ad_len, err);
    if (rc != DID_OK)
        return rc;
    if (len < SEAL_HEADER + CK_AEAD_TAG_LEN || len > WALLET_RECORD_MAX)
        return did_err_set(err, WALLET_ERR_FORMAT, "%s %s: stored value of %zu bytes is %s",
                           wl_kind_name(kind), id, len,
                           len > WALLET_RECORD_MAX ? "too long" : "truncated");
    if (val[0] != SEAL_VERSION)
        return did_err_set(err, WALLET_ERR_FORMAT, "%s %s: unknown record version %u",
                           wl_kind_name(kind), id, val[0]);
    size_t n = len - SEAL_HEADER - CK_AEAD_TAG_LEN;
    uint8_t *b = ck_secret_alloc(n > 0 ? n : 1);
    if (b == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    if (ck_aead_open(key, val + 1, ad, ad_len, val + SEAL_HEADER, len - SEAL_HEADER, b, &ce) !=
        CK_OK) {
        ck_secret_free(b);
        if (ce.code != CK_ERR_DECRYPT)
            return did_err_from_ck(err, &ce);
        return did_err_set(err, WALLET_ERR_TAMPERED,
                           "%s %s fails authentication: it was changed on disk, or is another "
                           "record's value",
                           wl_kind_name(kind), id);
    }
    *body = b;
    *body_len = n;
    return DID_OK;
}
