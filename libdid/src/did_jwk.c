/*
 * did_jwk.c -- did:jwk (did:jwk method specification, quartzjer/did-jwk
 * spec.md): the DID is base64url(UTF-8 JSON of a public JWK); the document has
 * the one key as "<did>#0".
 */
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/json.h>

/* A public JWK is a few hundred bytes; these bounds keep a hostile DID cheap to
 * reject. */
#define JWK_MAX_BYTES 4096
#define JWK_MAX_DEPTH 4
#define JWK_MAX_STRING 1024
#define JWK_MAX_ENTRIES 32

int did_jwk_from_key(const ck_key *key, did_buf *out, did_err *err)
{
    char jwk[CK_JWK_MAX_LEN];
    char b64[(CK_JWK_MAX_LEN / 3 + 1) * 4 + 1];
    size_t jwk_len = 0, b64_len = 0, mark;
    ck_err ce;
    int rc;

    if (key == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_jwk_from_key: NULL argument");
    ck_err_clear(&ce);
    rc = ck_key_export_jwk(key, 0, jwk, sizeof(jwk), &jwk_len, &ce);
    if (rc == CK_OK)
        rc = ck_b64url_encode((const uint8_t *)jwk, jwk_len, b64, sizeof(b64), &b64_len, &ce);
    if (rc != CK_OK)
        return did_err_from_ck(err, &ce);
    mark = out->len;
    if (did_buf_append_str(out, "did:jwk:") != 0 || did_buf_append(out, b64, b64_len) != 0) {
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
        return did_err_set(err, DID_ERR_NOMEM, "did_jwk_from_key: out of memory");
    }
    return DID_OK;
}

/* Decodes and validates the JWK in the method-specific id; *jwk is a new
 * reference. */
static int decode_jwk(const char *id, size_t id_len, json_t **jwk, did_err *err)
{
    const did_json_limits lim = {JWK_MAX_BYTES, JWK_MAX_DEPTH, JWK_MAX_STRING, JWK_MAX_ENTRIES};
    uint8_t *raw = NULL;
    size_t raw_len = 0, cap;
    json_t *j = NULL;
    const char *m[4] = {NULL, NULL, NULL, NULL};
    size_t ml[4] = {0, 0, 0, 0};
    static const char *const names[4] = {"kty", "crv", "x", "y"};
    const json_t *use;
    ck_key *key = NULL;
    ck_err ce;
    did_err e;
    int rc;

    *jwk = NULL;
    did_err_clear(&e);
    if (id_len == 0)
        return did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: empty method-specific id");
    if (id_len > JWK_MAX_BYTES / 3 * 4 + 4)
        return did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: JWK longer than %d bytes",
                           JWK_MAX_BYTES);
    cap = id_len / 4 * 3 + 3;
    raw = malloc(cap);
    if (raw == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "did:jwk: out of memory");
    ck_err_clear(&ce);
    rc = ck_b64url_decode(id, id_len, raw, cap, &raw_len, &ce);
    if (rc != CK_OK) {
        rc = did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: method-specific id: %s", ce.msg);
        goto out;
    }
    rc = did_json_parse(raw, raw_len, &lim, &j, &e);
    if (rc != DID_OK) {
        rc = did_err_set(err, rc == DID_ERR_NOMEM ? rc : DID_ERR_DID_INVALID, "did:jwk: JWK: %s",
                         e.msg);
        goto out;
    }
    if (!json_is_object(j)) {
        rc = did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: JWK is not a JSON object");
        goto out;
    }
    /* The spec: a JWK for a private key must be rejected by all implementations.
     */
    if (json_object_get(j, "d") != NULL) {
        rc = did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: JWK contains private member \"d\"");
        goto out;
    }
    for (size_t i = 0; i < 4; i++) {
        const json_t *v = json_object_get(j, names[i]);
        if (v == NULL && i < 3) {
            rc = did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: JWK member \"%s\" missing",
                             names[i]);
            goto out;
        }
        if (v != NULL && !json_is_string(v)) {
            rc = did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: JWK member \"%s\" is not a string",
                             names[i]);
            goto out;
        }
        if (v != NULL) {
            m[i] = json_string_value(v);
            ml[i] = json_string_length(v);
        }
    }
    use = json_object_get(j, "use");
    if (use != NULL && !(json_is_string(use) &&
                         (strcmp(json_string_value(use), "sig") == 0 ||
                          strcmp(json_string_value(use), "enc") == 0) &&
                         json_string_length(use) == 3)) {
        rc = did_err_set(err, DID_ERR_DID_INVALID,
                         "did:jwk: JWK member \"use\" must be \"sig\" or \"enc\"");
        goto out;
    }
    rc = ck_key_import_jwk(m[0], ml[0], m[1], ml[1], m[2], ml[2], m[3], ml[3], NULL, 0, &key, &ce);
    if (rc != CK_OK) {
        if (rc == CK_ERR_NOMEM)
            rc = did_err_from_ck(err, &ce);
        else
            rc = did_err_set(err, DID_ERR_DID_INVALID, "did:jwk: JWK: %s", ce.msg);
        goto out;
    }
    *jwk = j;
    j = NULL;
    rc = DID_OK;
out:
    ck_key_free(key);
    json_decref(j);
    free(raw);
    return rc;
}

int did_jwk_resolve(void *user, const did_ctx *ctx, const did_url *did, json_t **doc, did_err *err)
{
    static const char *const sig_rels[] = {"assertionMethod", "authentication",
                                           "capabilityInvocation", "capabilityDelegation"};
    const char *d;
    size_t d_len;
    json_t *jwk = NULL, *out = NULL, *ctxs = NULL, *vm = NULL, *vm_id = NULL, *vms = NULL;
    json_t *x25519 = NULL;
    const json_t *use;
    char *s = NULL;
    int rc, jrc = 0, sig = 1, enc = 1;

    (void)user;
    (void)ctx;
    if (did == NULL || doc == NULL || did->str == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_jwk_resolve: NULL argument");
    x25519 = json_string("X25519");
    if (x25519 == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "did_jwk_resolve: out of memory");
    *doc = NULL;
    d = did->str;
    d_len = did->did_len;
    rc = decode_jwk(did->str + did->id_off, did->id_len, &jwk, err);
    if (rc != DID_OK)
        goto out;
    use = json_object_get(jwk, "use");
    if (use != NULL) {
        sig = strcmp(json_string_value(use), "sig") == 0;
        enc = !sig;
    } else if (json_equal(json_object_get(jwk, "crv"), x25519)) {
        /* An X25519 key cannot sign (RFC 8037); without "use" it still only does key
         * agreement (spec/did.md). */
        sig = 0;
    }

    s = malloc(d_len + 2);
    out = json_object();
    ctxs = json_array();
    vms = json_array();
    vm = json_object();
    if (s == NULL || out == NULL || ctxs == NULL || vms == NULL || vm == NULL)
        goto nomem;
    memcpy(s, d, d_len);
    memcpy(s + d_len, "#0", 2);
    vm_id = json_stringn(s, d_len + 2);
    if (vm_id == NULL)
        goto nomem;
    jrc |= json_array_append_new(ctxs, json_string("https://www.w3.org/ns/did/v1"));
    jrc |= json_array_append_new(ctxs, json_string("https://w3id.org/security/suites/jws-2020/v1"));
    jrc |= json_object_set(out, "@context", ctxs);
    jrc |= json_object_set_new(out, "id", json_stringn(d, d_len));
    jrc |= json_object_set(vm, "id", vm_id);
    jrc |= json_object_set_new(vm, "type", json_string("JsonWebKey2020"));
    jrc |= json_object_set_new(vm, "controller", json_stringn(d, d_len));
    /* The JWK as given, custom members included (the spec keeps them in the
     * method). */
    jrc |= json_object_set(vm, "publicKeyJwk", jwk);
    jrc |= json_array_append(vms, vm);
    jrc |= json_object_set(out, "verificationMethod", vms);
    for (size_t i = 0; sig && i < sizeof(sig_rels) / sizeof(sig_rels[0]); i++) {
        json_t *arr = json_array();
        jrc |= json_array_append(arr, vm_id);
        jrc |= json_object_set_new(out, sig_rels[i], arr);
    }
    if (enc) {
        json_t *arr = json_array();
        jrc |= json_array_append(arr, vm_id);
        jrc |= json_object_set_new(out, "keyAgreement", arr);
    }
    if (jrc != 0)
        goto nomem;
    *doc = out;
    out = NULL;
    rc = DID_OK;
    goto out;
nomem:
    rc = did_err_set(err, DID_ERR_NOMEM, "did_jwk_resolve: out of memory");
out:
    free(s);
    json_decref(x25519);
    json_decref(jwk);
    json_decref(out);
    json_decref(ctxs);
    json_decref(vms);
    json_decref(vm);
    json_decref(vm_id);
    return rc;
}
