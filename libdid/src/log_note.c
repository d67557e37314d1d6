/*
 * log_note.c -- C2SP signed notes (c2sp.org/signed-note) with Ed25519, verifier keys and
 * golang.org/x/mod signer keys, and the text helpers the other log formats share.
 *
 * The parser accepts exactly what the spec describes and nothing looser: one spelling of each
 * signature (canonical padded base64), single spaces, the em dash, a final newline. What it
 * accepts is parsed once into borrowed pointers; verification works on that parsed form.
 */
#include <stdio.h>
#include <string.h>

#include <did/log.h>

#include "log_internal.h"

#define EM_DASH_SP "\xe2\x80\x94 " /* U+2014 EM DASH, then a space */
#define EM_DASH_SP_LEN 4
#define ED25519_SIG_LEN 64
#define VKEY_KEY_LEN 33 /* type byte + 32-byte Ed25519 key (or seed) */

/* ---- shared text helpers ------------------------------------------------------------------ */

/* Length (1..4) of the valid UTF-8 sequence at p[0..n) and its code point, or 0 if the bytes
 * there are not one (truncated, overlong, surrogate, above U+10FFFF, stray continuation). */
static size_t log_utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t b = p[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if (b >= 0xc2 && b <= 0xdf) {
        len = 2;
        c = b & 0x1fu;
        min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        c = b & 0x0fu;
        min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        c = b & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Go's unicode.IsSpace: the Latin-1 spaces and the Unicode White_Space property. */
static int log_is_space(uint32_t c)
{
    switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
        return 1;
    default:
        return c >= 0x2000 && c <= 0x200a;
    }
}

int did_log_i_text_check(const uint8_t *p, size_t len, size_t base, int code, const char *what,
                         did_err *err)
{
    size_t i = 0;
    while (i < len) {
        uint32_t c;
        size_t n = log_utf8_next(p + i, len - i, &c);
        if (n == 0)
            return did_err_set(err, code, "%s: invalid UTF-8 at offset %zu", what, base + i);
        if (c < 0x20 && c != '\n')
            return did_err_set(err, code, "%s: control character 0x%02x at offset %zu", what,
                               (unsigned)c, base + i);
        i += n;
    }
    return DID_OK;
}

int did_log_i_name_check(const char *p, size_t len, int code, const char *what, did_err *err)
{
    if (len == 0)
        return did_err_set(err, code, "%s: empty key name", what);
    if (len > DID_LOG_NAME_MAX)
        return did_err_set(err, code, "%s: key name of %zu bytes, more than %d", what, len,
                           DID_LOG_NAME_MAX);
    const uint8_t *u = (const uint8_t *)p;
    size_t i = 0;
    while (i < len) {
        uint32_t c;
        size_t n = log_utf8_next(u + i, len - i, &c);
        if (n == 0)
            return did_err_set(err, code, "%s: key name has invalid UTF-8 at byte %zu", what, i);
        if (c < 0x20 || c == 0x7f)
            return did_err_set(err, code, "%s: key name has a control character at byte %zu", what,
                               i);
        if (log_is_space(c))
            return did_err_set(err, code, "%s: key name has a space (U+%04X) at byte %zu", what,
                               (unsigned)c, i);
        if (c == '+')
            return did_err_set(err, code, "%s: key name has a '+' at byte %zu", what, i);
        i += n;
    }
    return DID_OK;
}

const char *did_log_i_parse_u64(const char *p, size_t len, uint64_t *v)
{
    if (len == 0)
        return "empty number";
    if (p[0] == '0' && len > 1)
        return "leading zero";
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return "not an ASCII decimal number";
        unsigned d = (unsigned)(p[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return "does not fit 64 bits";
        x = x * 10 + d;
    }
    *v = x;
    return NULL;
}

int did_log_i_b64_decode(const char *p, size_t len, uint8_t *out, size_t cap, size_t *out_len,
                         int code, const char *what, size_t base, did_err *err)
{
    ck_err ce;
    int rc = ck_b64std_decode(p, len, out, cap, out_len, &ce);
    if (rc == CK_OK)
        return DID_OK;
    if (rc == CK_ERR_BUFFER_SMALL)
        return did_err_set(err, code, "%s at offset %zu: decodes to more bytes than allowed", what,
                           base);
    if (rc != CK_ERR_BASE64)
        return did_err_from_ck(err, &ce);
    return did_err_set(err, code, "%s at offset %zu: %s", what, base, ce.msg);
}

int did_log_i_b64_append(did_buf *out, const uint8_t *in, size_t n, did_err *err)
{
    size_t need = ck_b64std_encoded_len(n);
    int rc = did_buf_reserve(out, need);
    if (rc != DID_OK)
        return did_err_set(err, rc, "base64: cannot grow the output buffer");
    ck_err ce;
    size_t got = 0;
    rc = ck_b64std_encode(in, n, (char *)out->data + out->len, out->cap - out->len, &got, &ce);
    if (rc != CK_OK)
        return did_err_from_ck(err, &ce);
    out->len += got;
    return DID_OK;
}

/* Appends p[0..n) and reports allocation failure in err. */
static int log_put(did_buf *out, const void *p, size_t n, did_err *err)
{
    int rc = did_buf_append(out, p, n);
    if (rc != DID_OK)
        return did_err_set(err, rc, "note: cannot grow the output buffer");
    return DID_OK;
}

/* Restores out to len bytes after a failed append, so callers never see half a result. */
static void log_truncate(did_buf *out, size_t len)
{
    out->len = len;
    if (out->data != NULL)
        out->data[len] = 0;
}

/* ---- keys --------------------------------------------------------------------------------- */

int did_log_key_id(const char *name, size_t name_len, uint8_t type, const uint8_t *pub,
                   size_t pub_len, uint32_t *key_id, did_err *err)
{
    if ((name == NULL && name_len != 0) || (pub == NULL && pub_len != 0) || key_id == NULL)
        return did_err_set(err, DID_ERR_ARG, "key ID: NULL argument");
    if (name_len > DID_LOG_NAME_MAX || pub_len > 64)
        return did_err_set(err, DID_ERR_LOG_KEY, "key ID: name or key too long");
    uint8_t buf[DID_LOG_NAME_MAX + 2 + 64];
    if (name_len != 0)
        memcpy(buf, name, name_len);
    buf[name_len] = 0x0a;
    buf[name_len + 1] = type;
    if (pub_len != 0)
        memcpy(buf + name_len + 2, pub, pub_len);
    uint8_t h[CK_SHA256_LEN];
    int rc = ck_sha256(buf, name_len + 2 + pub_len, h);
    if (rc != CK_OK)
        return did_err_set(err, rc, "key ID: SHA-256 failed");
    *key_id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    return DID_OK;
}

static int log_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Splits "<name>+<8 lowercase hex>+<base64>" and decodes the base64 into key[0..33): the
 * part shared by verifier and signer keys. `what` names the format in messages; no message
 * quotes the key material. */
static int log_key_fields(const char *s, size_t len, const char *what, const char **name,
                          size_t *name_len, uint32_t *key_id, uint8_t *key, did_err *err)
{
    const char *plus = memchr(s, '+', len);
    if (plus == NULL)
        return did_err_set(err, DID_ERR_LOG_KEY, "%s: no '+' after the key name", what);
    *name = s;
    *name_len = (size_t)(plus - s);
    int rc = did_log_i_name_check(s, *name_len, DID_ERR_LOG_KEY, what, err);
    if (rc != DID_OK)
        return rc;
    size_t off = *name_len + 1;
    if (len - off < 9 || s[off + 8] != '+')
        return did_err_set(err, DID_ERR_LOG_KEY,
                           "%s: the key ID after the name must be 8 hex digits and a '+'", what);
    uint32_t id = 0;
    for (size_t i = 0; i < 8; i++) {
        int v = log_hexval(s[off + i]);
        if (v < 0)
            return did_err_set(err, DID_ERR_LOG_KEY,
                               "%s: key ID has a character other than 0-9 a-f at offset %zu", what,
                               off + i);
        id = id << 4 | (uint32_t)v;
    }
    *key_id = id;
    off += 9;
    size_t got = 0;
    ck_err ce;
    rc = ck_b64std_decode(s + off, len - off, key, VKEY_KEY_LEN, &got, &ce);
    if (rc == CK_ERR_BUFFER_SMALL || (rc == CK_OK && got != VKEY_KEY_LEN))
        return did_err_set(err, DID_ERR_LOG_KEY,
                           "%s: key is not 33 bytes (type 0x01 and an Ed25519 key)", what);
    if (rc != CK_OK)
        return did_err_set(err, DID_ERR_LOG_KEY, "%s: key at offset %zu is not canonical base64",
                           what, off);
    if (key[0] != DID_LOG_SIG_ED25519)
        return did_err_set(err, DID_ERR_LOG_KEY,
                           "%s: unsupported signature type 0x%02x (only 0x01 Ed25519)", what,
                           key[0]);
    return DID_OK;
}

static void log_vkey_set(did_log_vkey *out, const char *name, size_t name_len, uint32_t id,
                         const uint8_t pub[32])
{
    memset(out, 0, sizeof *out);
    memcpy(out->name, name, name_len);
    out->name[name_len] = '\0';
    out->name_len = name_len;
    out->key_id = id;
    out->type = DID_LOG_SIG_ED25519;
    memcpy(out->pub, pub, 32);
}

int did_log_vkey_parse(const char *s, size_t len, did_log_vkey *out, did_err *err)
{
    if ((s == NULL && len != 0) || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "verifier key: NULL argument");
    if (len > DID_LOG_NAME_MAX + 1 + 9 + 44)
        return did_err_set(err, DID_ERR_LOG_KEY, "verifier key: %zu bytes, longer than any", len);
    const char *name = NULL;
    size_t name_len = 0;
    uint32_t id, want;
    uint8_t key[VKEY_KEY_LEN];
    int rc = log_key_fields(s, len, "verifier key", &name, &name_len, &id, key, err);
    if (rc != DID_OK)
        return rc;
    rc = did_log_key_id(name, name_len, key[0], key + 1, 32, &want, err);
    if (rc != DID_OK)
        return rc;
    if (id != want)
        return did_err_set(err, DID_ERR_LOG_KEY,
                           "verifier key: key ID %08x does not match the name and key (%08x)",
                           (unsigned)id, (unsigned)want);
    ck_key *k = NULL;
    ck_err ce;
    rc = ck_key_import_public(CK_KEY_ED25519, key + 1, 32, &k, &ce);
    ck_key_free(k);
    if (rc != CK_OK)
        return did_err_set(err, DID_ERR_LOG_KEY, "verifier key: unusable Ed25519 key: %s", ce.msg);
    log_vkey_set(out, name, name_len, id, key + 1);
    return DID_OK;
}

int did_log_vkey_from_key(const ck_key *key, const char *name, size_t name_len, did_log_vkey *out,
                          did_err *err)
{
    if (key == NULL || (name == NULL && name_len != 0) || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "verifier key: NULL argument");
    if (ck_key_get_type(key) != CK_KEY_ED25519)
        return did_err_set(err, DID_ERR_LOG_KEY, "verifier key: %s keys cannot sign notes",
                           ck_key_type_name(ck_key_get_type(key)));
    int rc = did_log_i_name_check(name, name_len, DID_ERR_LOG_KEY, "verifier key", err);
    if (rc != DID_OK)
        return rc;
    uint8_t pub[32];
    size_t pub_len = 0;
    ck_err ce;
    rc = ck_key_export_public(key, 0, pub, sizeof pub, &pub_len, &ce);
    if (rc != CK_OK)
        return did_err_from_ck(err, &ce);
    uint32_t id;
    rc = did_log_key_id(name, name_len, DID_LOG_SIG_ED25519, pub, sizeof pub, &id, err);
    if (rc != DID_OK)
        return rc;
    log_vkey_set(out, name, name_len, id, pub);
    return DID_OK;
}

int did_log_vkey_format(const did_log_vkey *k, did_buf *out, did_err *err)
{
    if (k == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "verifier key: NULL argument");
    int rc = did_log_i_name_check(k->name, k->name_len, DID_ERR_LOG_KEY, "verifier key", err);
    if (rc != DID_OK)
        return rc;
    if (k->type != DID_LOG_SIG_ED25519)
        return did_err_set(err, DID_ERR_LOG_KEY, "verifier key: unsupported type 0x%02x", k->type);
    size_t mark = out->len;
    uint8_t key[VKEY_KEY_LEN];
    key[0] = k->type;
    memcpy(key + 1, k->pub, 32);
    rc = log_put(out, k->name, k->name_len, err);
    if (rc == DID_OK) {
        rc = did_buf_printf(out, "+%08x+", (unsigned)k->key_id);
        if (rc != DID_OK)
            did_err_set(err, rc, "verifier key: cannot grow the output buffer");
    }
    if (rc == DID_OK)
        rc = did_log_i_b64_append(out, key, sizeof key, err);
    if (rc != DID_OK)
        log_truncate(out, mark);
    return rc;
}

int did_log_skey_parse(const char *s, size_t len, ck_key **key, did_log_vkey *vkey, did_err *err)
{
    static const char prefix[] = "PRIVATE+KEY+";
    const size_t plen = sizeof prefix - 1;
    if ((s == NULL && len != 0) || key == NULL)
        return did_err_set(err, DID_ERR_ARG, "signer key: NULL argument");
    *key = NULL;
    if (len < plen || memcmp(s, prefix, plen) != 0)
        return did_err_set(err, DID_ERR_LOG_KEY, "signer key: does not start with PRIVATE+KEY+");
    if (len > plen + DID_LOG_NAME_MAX + 1 + 9 + 44)
        return did_err_set(err, DID_ERR_LOG_KEY, "signer key: %zu bytes, longer than any", len);

    /* The decoded seed is secret: it goes to guarded memory and is wiped on every path. */
    uint8_t *raw = ck_secret_alloc(VKEY_KEY_LEN);
    if (raw == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "signer key: cannot allocate secret memory");
    ck_key *k = NULL;
    const char *name = NULL;
    size_t name_len = 0;
    uint32_t id, want;
    uint8_t pub[32];
    size_t pub_len = 0;
    ck_err ce;
    int rc = log_key_fields(s + plen, len - plen, "signer key", &name, &name_len, &id, raw, err);
    if (rc != DID_OK)
        goto out;
    rc = ck_key_import_private(CK_KEY_ED25519, raw + 1, 32, &k, &ce);
    if (rc != CK_OK) {
        rc = did_err_set(err, DID_ERR_LOG_KEY, "signer key: unusable Ed25519 seed");
        goto out;
    }
    rc = ck_key_export_public(k, 0, pub, sizeof pub, &pub_len, &ce);
    if (rc != CK_OK) {
        rc = did_err_from_ck(err, &ce);
        goto out;
    }
    rc = did_log_key_id(name, name_len, DID_LOG_SIG_ED25519, pub, sizeof pub, &want, err);
    if (rc != DID_OK)
        goto out;
    if (id != want) {
        rc = did_err_set(err, DID_ERR_LOG_KEY,
                         "signer key: key ID %08x does not match the name and derived public key",
                         (unsigned)id);
        goto out;
    }
    if (vkey != NULL)
        log_vkey_set(vkey, name, name_len, id, pub);
    *key = k;
    k = NULL;
    rc = DID_OK;
out:
    ck_secret_free(raw);
    ck_key_free(k);
    return rc;
}

/* ---- notes -------------------------------------------------------------------------------- */

int did_log_note_parse(const uint8_t *in, size_t len, did_log_note *out, did_err *err)
{
    if ((in == NULL && len != 0) || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "note: NULL argument");
    out->text = NULL;
    out->text_len = 0;
    out->nsigs = 0;
    if (len > DID_LOG_NOTE_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT, "note: %zu bytes, more than %d", len,
                           DID_LOG_NOTE_MAX_LEN);
    int rc = did_log_i_text_check(in, len, 0, DID_ERR_LOG_NOTE, "note", err);
    if (rc != DID_OK)
        return rc;
    if (len == 0 || in[len - 1] != '\n')
        return did_err_set(err, DID_ERR_LOG_NOTE, "note: missing final newline");

    /* The text ends at the last blank line ("\n\n"): text keeps its newline, the blank line
     * separates, signatures follow. */
    size_t split = len;
    for (size_t i = len - 1; i-- > 0;) {
        if (in[i] == '\n' && in[i + 1] == '\n') {
            split = i;
            break;
        }
    }
    if (split == len)
        return did_err_set(err, DID_ERR_LOG_NOTE,
                           "note: no blank line separating the text from the signatures");
    size_t pos = split + 2;
    if (pos == len)
        return did_err_set(err, DID_ERR_LOG_NOTE, "note: no signature line after the blank line");

    did_log_note tmp;
    tmp.text = in;
    tmp.text_len = split + 1;
    tmp.nsigs = 0;
    uint8_t sig[4 + DID_LOG_SIG_MAX];
    while (pos < len) {
        const uint8_t *nl = memchr(in + pos, '\n', len - pos); /* found: in[len-1] is '\n' */
        size_t end = (size_t)(nl - in);
        const char *line = (const char *)in + pos;
        size_t line_len = end - pos;
        if (tmp.nsigs == DID_LOG_NOTE_MAX_SIGS)
            return did_err_set(err, DID_ERR_LIMIT, "note: more than %d signature lines",
                               DID_LOG_NOTE_MAX_SIGS);
        if (line_len < EM_DASH_SP_LEN || memcmp(line, EM_DASH_SP, EM_DASH_SP_LEN) != 0)
            return did_err_set(err, DID_ERR_LOG_NOTE,
                               "note: signature line at offset %zu does not start with an em "
                               "dash (U+2014) and a space",
                               pos);
        const char *name = line + EM_DASH_SP_LEN;
        size_t rest = line_len - EM_DASH_SP_LEN;
        const char *sp = memchr(name, ' ', rest);
        if (sp == NULL)
            return did_err_set(err, DID_ERR_LOG_NOTE,
                               "note: signature line at offset %zu has no space after the key "
                               "name",
                               pos);
        size_t name_len = (size_t)(sp - name);
        rc = did_log_i_name_check(name, name_len, DID_ERR_LOG_NOTE, "note: signature line", err);
        if (rc != DID_OK) {
            char at[48];
            snprintf(at, sizeof at, "at offset %zu", pos);
            did_err_prefix(err, at);
            return rc;
        }
        const char *b64 = sp + 1;
        size_t b64_len = rest - name_len - 1;
        size_t b64_off = (size_t)((const uint8_t *)b64 - in);
        if (b64_len == 0)
            return did_err_set(err, DID_ERR_LOG_NOTE, "note: empty signature at offset %zu",
                               b64_off);
        if (b64_len > ck_b64std_encoded_len(sizeof sig))
            return did_err_set(err, DID_ERR_LIMIT,
                               "note: signature at offset %zu longer than %d bytes", b64_off,
                               4 + DID_LOG_SIG_MAX);
        size_t got = 0;
        rc = did_log_i_b64_decode(b64, b64_len, sig, sizeof sig, &got, DID_ERR_LOG_NOTE,
                                  "note: signature", b64_off, err);
        if (rc != DID_OK)
            return rc;
        if (got < 5)
            return did_err_set(err, DID_ERR_LOG_NOTE,
                               "note: signature at offset %zu has %zu bytes (a 4-byte key ID "
                               "and a signature needed)",
                               b64_off, got);
        did_log_note_sig *s = &tmp.sigs[tmp.nsigs++];
        s->name = name;
        s->name_len = name_len;
        s->key_id =
            (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
        s->b64 = b64;
        s->b64_len = b64_len;
        pos = end + 1;
    }
    *out = tmp;
    return DID_OK;
}

/* Index of the key matching (name, key ID), or nkeys. */
static size_t log_find_key(const did_log_vkey *keys, size_t nkeys, const char *name,
                           size_t name_len, uint32_t id)
{
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].key_id == id && keys[i].name_len == name_len &&
            memcmp(keys[i].name, name, name_len) == 0)
            return i;
    }
    return nkeys;
}

int did_log_note_verify(const did_log_note *note, const did_log_vkey *keys, size_t nkeys,
                        uint8_t *key_ok, size_t *n_ok, did_err *err)
{
    if (note == NULL || (keys == NULL && nkeys != 0) || note->nsigs > DID_LOG_NOTE_MAX_SIGS)
        return did_err_set(err, DID_ERR_ARG, "note verify: NULL or inconsistent argument");
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].type != DID_LOG_SIG_ED25519)
            return did_err_set(err, DID_ERR_ARG, "note verify: key %zu has unsupported type", i);
        if (log_find_key(keys, i, keys[i].name, keys[i].name_len, keys[i].key_id) != i)
            return did_err_set(
                err, DID_ERR_ARG, "note verify: keys %zu and %zu have the same name and key ID",
                log_find_key(keys, i, keys[i].name, keys[i].name_len, keys[i].key_id), i);
    }
    if (key_ok != NULL && nkeys != 0)
        memset(key_ok, 0, nkeys);
    if (n_ok != NULL)
        *n_ok = 0;

    uint8_t sig[4 + DID_LOG_SIG_MAX];
    size_t verified = 0;
    int rc = DID_OK;
    for (size_t i = 0; i < note->nsigs; i++) {
        const did_log_note_sig *s = &note->sigs[i];
        size_t k = log_find_key(keys, nkeys, s->name, s->name_len, s->key_id);
        if (k == nkeys)
            continue; /* unknown (name, key ID): ignored, as the spec requires */
        size_t got = 0;
        rc = did_log_i_b64_decode(s->b64, s->b64_len, sig, sizeof sig, &got, DID_ERR_LOG_NOTE,
                                  "note: signature", 0, err);
        if (rc != DID_OK)
            return rc;
        if (got != 4 + ED25519_SIG_LEN)
            return did_err_set(err, DID_ERR_LOG_NOTE_SIG,
                               "note: signature by %s+%08x is %zu bytes, not 4 + 64", keys[k].name,
                               (unsigned)keys[k].key_id, got);
        ck_key *pk = NULL;
        ck_err ce;
        rc = ck_key_import_public(CK_KEY_ED25519, keys[k].pub, 32, &pk, &ce);
        if (rc == CK_OK)
            rc = ck_verify(pk, note->text, note->text_len, sig + 4, ED25519_SIG_LEN, 0, &ce);
        ck_key_free(pk);
        if (rc == CK_ERR_SIGNATURE)
            return did_err_set(err, DID_ERR_LOG_NOTE_SIG,
                               "note: signature by %s+%08x does not verify", keys[k].name,
                               (unsigned)keys[k].key_id);
        if (rc != CK_OK)
            return did_err_from_ck(err, &ce);
        if (key_ok != NULL)
            key_ok[k] = 1;
        verified++;
    }
    if (verified == 0)
        return did_err_set(err, DID_ERR_LOG_KEY,
                           "note: no signature by any of the %zu known keys (name and key ID)",
                           nkeys);
    if (n_ok != NULL) {
        /* Distinct keys: a key may have signed twice (both lines verified above). */
        size_t distinct = 0;
        for (size_t k = 0; k < nkeys; k++) {
            for (size_t i = 0; i < note->nsigs; i++) {
                if (log_find_key(keys, nkeys, note->sigs[i].name, note->sigs[i].name_len,
                                 note->sigs[i].key_id) == k) {
                    distinct++;
                    break;
                }
            }
        }
        *n_ok = distinct;
    }
    return DID_OK;
}

/* Checks text as something we are willing to sign as note text. */
static int log_sign_text_check(const uint8_t *text, size_t len, did_err *err)
{
    if (text == NULL || len == 0)
        return did_err_set(err, DID_ERR_LOG_NOTE, "note: empty text");
    if (len > DID_LOG_NOTE_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT, "note: text of %zu bytes, more than %d", len,
                           DID_LOG_NOTE_MAX_LEN);
    if (text[len - 1] != '\n')
        return did_err_set(err, DID_ERR_LOG_NOTE, "note: text does not end in a newline");
    return did_log_i_text_check(text, len, 0, DID_ERR_LOG_NOTE, "note: text", err);
}

int did_log_note_sign_line(const uint8_t *text, size_t text_len, const ck_key *key,
                           const char *name, size_t name_len, did_buf *out, did_err *err)
{
    if (key == NULL || out == NULL || (name == NULL && name_len != 0))
        return did_err_set(err, DID_ERR_ARG, "note sign: NULL argument");
    int rc = log_sign_text_check(text, text_len, err);
    if (rc != DID_OK)
        return rc;
    rc = did_log_i_name_check(name, name_len, DID_ERR_LOG_KEY, "note sign", err);
    if (rc != DID_OK)
        return rc;
    if (ck_key_get_type(key) != CK_KEY_ED25519 || !ck_key_has_private(key))
        return did_err_set(err, DID_ERR_LOG_KEY, "note sign: a private Ed25519 key is needed");

    did_log_vkey vk;
    rc = did_log_vkey_from_key(key, name, name_len, &vk, err);
    if (rc != DID_OK)
        return rc;
    uint8_t sig[4 + ED25519_SIG_LEN];
    sig[0] = (uint8_t)(vk.key_id >> 24);
    sig[1] = (uint8_t)(vk.key_id >> 16);
    sig[2] = (uint8_t)(vk.key_id >> 8);
    sig[3] = (uint8_t)vk.key_id;
    size_t sig_len = 0;
    ck_err ce;
    rc = ck_sign(key, text, text_len, sig + 4, ED25519_SIG_LEN, &sig_len, &ce);
    if (rc != CK_OK)
        return did_err_from_ck(err, &ce);
    if (sig_len != ED25519_SIG_LEN)
        return did_err_set(err, DID_ERR_INTERNAL, "note sign: signature of %zu bytes", sig_len);

    size_t mark = out->len;
    rc = log_put(out, EM_DASH_SP, EM_DASH_SP_LEN, err);
    if (rc == DID_OK)
        rc = log_put(out, name, name_len, err);
    if (rc == DID_OK)
        rc = log_put(out, " ", 1, err);
    if (rc == DID_OK)
        rc = did_log_i_b64_append(out, sig, sizeof sig, err);
    if (rc == DID_OK)
        rc = log_put(out, "\n", 1, err);
    if (rc != DID_OK)
        log_truncate(out, mark);
    return rc;
}

int did_log_note_sign(const uint8_t *text, size_t text_len, const ck_key *key, const char *name,
                      size_t name_len, did_buf *out, did_err *err)
{
    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "note sign: NULL output");
    int rc = log_sign_text_check(text, text_len, err);
    if (rc != DID_OK)
        return rc;
    /* The whole note must be one our parser accepts: text, blank line, one signature line
     * of at most EM_DASH_SP_LEN + name + 1 + 92 + 1 bytes. */
    if (text_len + 1 + EM_DASH_SP_LEN + DID_LOG_NAME_MAX + 94 > DID_LOG_NOTE_MAX_LEN)
        return did_err_set(err, DID_ERR_LIMIT,
                           "note sign: text of %zu bytes leaves no room for "
                           "a signature within %d bytes",
                           text_len, DID_LOG_NOTE_MAX_LEN);
    size_t mark = out->len;
    rc = log_put(out, text, text_len, err);
    if (rc == DID_OK)
        rc = log_put(out, "\n", 1, err);
    if (rc == DID_OK)
        rc = did_log_note_sign_line(text, text_len, key, name, name_len, out, err);
    if (rc != DID_OK)
        log_truncate(out, mark);
    return rc;
}
