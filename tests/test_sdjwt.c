/* SD-JWT (RFC 9901), SD-JWT VC and key binding (did/sdjwt.h).
 *
 * Published vectors, taken from the text of RFC 9901 (November 2025; the examples are those of
 * draft-ietf-oauth-selective-disclosure-jwt-22):
 *  - section 4.2.1 / 4.2.3: the disclosure ["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"],
 *    its digest, and its "no white space" variant (the compact form we produce);
 *  - section 4.2.2 / 4.2.4.2: the array element disclosure ["lklxF5jMYlGTPUovMNIvCA", "FR"] and
 *    its digest;
 *  - section 5.1: the issued SD-JWT (issuer-signed JWT and its ten disclosures, each with its
 *    digest), section 5.2: the SD-JWT+KB presentation and its processed payload;
 *  - appendix A.5: the issuer's P-256 key (x, y, d).
 * The holder's private key of the examples is not in the RFC; "cnf" gives its public half. The
 * private scalar below (RFC_HOLDER_D) is the one in the examples' generator settings of the
 * oauth-wg/oauth-selective-disclosure-jwt repository; the test checks that it belongs to the
 * RFC's cnf key before using it. Everything else is signed here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/did.h>
#include <did/jose.h>
#include <did/json.h>
#include <did/result.h>
#include <did/sdjwt.h>

#include "../libdid/src/sdjwt_internal.h"
#include "support.h"

/* RFC 9901 appendix A.5: the issuer key. */
#define RFC_ISSUER_X "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ"
#define RFC_ISSUER_Y "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"
#define RFC_ISSUER_D "Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g"
/* The holder key of the examples (cnf.jwk in section 5.1) and its private scalar. */
#define RFC_HOLDER_X "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc"
#define RFC_HOLDER_Y "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"
#define RFC_HOLDER_D "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I"

/* RFC 9901 section 4.2. */
#define RFC_MOEBIUS "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
#define RFC_MOEBIUS_DIGEST "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
#define RFC_MOEBIUS_COMPACT "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsImZhbWlseV9uYW1lIiwiTcO2Yml1cyJd"
#define RFC_FR "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0"
#define RFC_FR_DIGEST "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"

/* RFC 9901 section 5.1: the issuer-signed JWT (header {"alg": "ES256", "typ":
 * "example+sd-jwt"}). */
#define RFC_JWT                                                            \
    "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImV4YW1wbGUrc2Qtand0In0.eyJfc2QiOiBb" \
    "IkNyUWU3UzVrcUJBSHQtbk1ZWGdjNmJkdDJTSDVhVFkxc1VfTS1QZ2tqUEkiLCAiSnpZ" \
    "akg0c3ZsaUgwUjNQeUVNZmVadTZKdDY5dTVxZWhabzdGN0VQWWxTRSIsICJQb3JGYnBL" \
    "dVZ1Nnh5bUphZ3ZrRnNGWEFiUm9jMkpHbEFVQTJCQTRvN2NJIiwgIlRHZjRvTGJnd2Q1" \
    "SlFhSHlLVlFaVTlVZEdFMHc1cnREc3JaemZVYW9tTG8iLCAiWFFfM2tQS3QxWHlYN0tB" \
    "TmtxVlI2eVoyVmE1TnJQSXZQWWJ5TXZSS0JNTSIsICJYekZyendzY002R242Q0pEYzZ2" \
    "Vks4QmtNbmZHOHZPU0tmcFBJWmRBZmRFIiwgImdiT3NJNEVkcTJ4Mkt3LXc1d1BFemFr" \
    "b2I5aFYxY1JEMEFUTjNvUUw5Sk0iLCAianN1OXlWdWx3UVFsaEZsTV8zSmx6TWFTRnpn" \
    "bGhRRzBEcGZheVF3TFVLNCJdLCAiaXNzIjogImh0dHBzOi8vaXNzdWVyLmV4YW1wbGUu" \
    "Y29tIiwgImlhdCI6IDE2ODMwMDAwMDAsICJleHAiOiAxODgzMDAwMDAwLCAic3ViIjog" \
    "InVzZXJfNDIiLCAibmF0aW9uYWxpdGllcyI6IFt7Ii4uLiI6ICJwRm5kamtaX1ZDem15" \
    "VGE2VWpsWm8zZGgta284YUlLUWM5RGxHemhhVllvIn0sIHsiLi4uIjogIjdDZjZKa1B1" \
    "ZHJ5M2xjYndIZ2VaOGtoQXYxVTFPU2xlclAwVmtCSnJXWjAifV0sICJfc2RfYWxnIjog" \
    "InNoYS0yNTYiLCAiY25mIjogeyJqd2siOiB7Imt0eSI6ICJFQyIsICJjcnYiOiAiUC0y" \
    "NTYiLCAieCI6ICJUQ0FFUjE5WnZ1M09IRjRqNFc0dmZTVm9ISVAxSUxpbERsczd2Q2VH" \
    "ZW1jIiwgInkiOiAiWnhqaVdXYlpNUUdIVldLVlE0aGJTSWlyc1ZmdWVjQ0U2dDRqVDlG" \
    "MkhaUSJ9fX0.MczwjBFGtzf-6WMT-hIvYbkb11NrV1WMO-jTijpMPNbswNzZ87wY2uHz" \
    "-CXo6R04b7jYrpj9mNRAvVssXou1iw"

/* The ten disclosures of section 5.1, in the order of the issued SD-JWT, with their digests. */
static const char *const rfc_disc[10][2] = {
    {"WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd",
     "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4"},
    {"WyJlbHVWNU9nM2dTTklJOEVZbnN4QV9BIiwgImZhbWlseV9uYW1lIiwgIkRvZSJd",
     "TGf4oLbgwd5JQaHyKVQZU9UdGE0w5rtDsrZzfUaomLo"},
    {"WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwgImVtYWlsIiwgImpvaG5kb2VAZXhhbXBsZS5jb20iXQ",
     "JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE"},
    {"WyJlSThaV205UW5LUHBOUGVOZW5IZGhRIiwgInBob25lX251bWJlciIsICIrMS0yMDItNTU1LTAxMDEiXQ",
     "PorFbpKuVu6xymJagvkFsFXAbRoc2JGlAUA2BA4o7cI"},
    {"WyJRZ19PNjR6cUF4ZTQxMmExMDhpcm9BIiwgInBob25lX251bWJlcl92ZXJpZmllZCIsIHRydWVd",
     "XQ_3kPKt1XyX7KANkqVR6yZ2Va5NrPIvPYbyMvRKBMM"},
    {"WyJBSngtMDk1VlBycFR0TjRRTU9xUk9BIiwgImFkZHJlc3MiLCB7InN0cmVldF9hZGRyZXNzIjogIjEyMyBNYWlu"
     "IFN0IiwgImxvY2FsaXR5IjogIkFueXRvd24iLCAicmVnaW9uIjogIkFueXN0YXRlIiwgImNvdW50cnkiOiAiVVMi"
     "fV0",
     "XzFrzwscM6Gn6CJDc6vVK8BkMnfG8vOSKfpPIZdAfdE"},
    {"WyJQYzMzSk0yTGNoY1VfbEhnZ3ZfdWZRIiwgImJpcnRoZGF0ZSIsICIxOTQwLTAxLTAxIl0",
     "gbOsI4Edq2x2Kw-w5wPEzakob9hV1cRD0ATN3oQL9JM"},
    {"WyJHMDJOU3JRZmpGWFE3SW8wOXN5YWpBIiwgInVwZGF0ZWRfYXQiLCAxNTcwMDAwMDAwXQ",
     "CrQe7S5kqBAHt-nMYXgc6bdt2SH5aTY1sU_M-PgkjPI"},
    {"WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0", "pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo"},
    {"WyJuUHVvUW5rUkZxM0JJZUFtN0FuWEZBIiwgIkRFIl0", "7Cf6JkPudry3lcbwHgeZ8khAv1U1OSlerP0VkBJrWZ0"},
};
enum { D_GIVEN, D_FAMILY, D_EMAIL, D_PHONE, D_PHONE_V, D_ADDRESS, D_BIRTH, D_UPDATED, D_US, D_DE };

/* Section 5.2: the KB-JWT of the presentation
 * <JWT>~<family_name>~<address>~<given_name>~<US>~<KB-JWT>. */
#define RFC_KB                                                                          \
    "eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImtiK2p3dCJ9"                                      \
    ".eyJub25jZSI6ICIxMjM0NTY3ODkwIiwgImF1ZCI6ICJodHRwczovL3ZlcmlmaWVyLmV4YW1wbGUub3Jn" \
    "IiwgImlhdCI6IDE3NDg1MzcyNDQsICJzZF9oYXNoIjogIjBfQWYtMkItRWhMV1g1eWRoX3cyeHp3bU82"  \
    "aU02NkJfMlFDRWFuSTRmVVkifQ"                                                        \
    ".T3SIus2OidNl41nmVkTZVCKKhOAX97aOldMyHFiYjHm261eLiJ1YiuONFiMN8QlCmYzDlBLAdPvrXh52KaLgUQ"
#define RFC_NONCE "1234567890"
#define RFC_AUD "https://verifier.example.org"
#define RFC_KB_IAT 1748537244

/* Section 5.2: the processed payload of that presentation. */
static const char rfc_processed[] =
    "{\"iss\": \"https://issuer.example.com\", \"iat\": 1683000000, \"exp\": 1883000000,"
    " \"sub\": \"user_42\", \"nationalities\": [\"US\"],"
    " \"cnf\": {\"jwk\": {\"kty\": \"EC\", \"crv\": \"P-256\","
    " \"x\": \"TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc\","
    " \"y\": \"ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ\"}},"
    " \"family_name\": \"Doe\","
    " \"address\": {\"street_address\": \"123 Main St\", \"locality\": \"Anytown\","
    " \"region\": \"Anystate\", \"country\": \"US\"},"
    " \"given_name\": \"John\"}";

/* Section 5.1: the input claims (with the issuer's iss, iat, exp and the cnf), which the
 * issued SD-JWT with all its disclosures reassembles to. */
static const char rfc_all_claims[] =
    "{\"iss\": \"https://issuer.example.com\", \"iat\": 1683000000, \"exp\": 1883000000,"
    " \"sub\": \"user_42\", \"given_name\": \"John\", \"family_name\": \"Doe\","
    " \"email\": \"johndoe@example.com\", \"phone_number\": \"+1-202-555-0101\","
    " \"phone_number_verified\": true,"
    " \"address\": {\"street_address\": \"123 Main St\", \"locality\": \"Anytown\","
    " \"region\": \"Anystate\", \"country\": \"US\"},"
    " \"birthdate\": \"1940-01-01\", \"updated_at\": 1570000000,"
    " \"nationalities\": [\"US\", \"DE\"],"
    " \"cnf\": {\"jwk\": {\"kty\": \"EC\", \"crv\": \"P-256\","
    " \"x\": \"TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc\","
    " \"y\": \"ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ\"}}}";

static const ck_key_type sign_types[] = {CK_KEY_ED25519, CK_KEY_P256, CK_KEY_P384,
                                         CK_KEY_SECP256K1};
#define N_SIGN_TYPES (sizeof(sign_types) / sizeof(sign_types[0]))

/* A time inside the section 5.1 credential's validity and right after the KB-JWT. */
#define RFC_NOW (RFC_KB_IAT + 10)

/* ------------------------------------------------------------------------------------------- */
/* Helpers. */

static char *cat(const char *const *parts, size_t n)
{
    did_buf b;
    did_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(did_buf_append_str(&b, parts[i]), DID_OK);
    return (char *)did_buf_steal(&b, NULL);
}

static char *dupstr(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static json_t *parse(const char *s)
{
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    if (j == NULL)
        fail_msg("test JSON: %s: %s", je.text, s);
    return j;
}

static void assert_json_equal(const json_t *got, const char *want)
{
    json_t *w = parse(want);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_SORT_KEYS);
        fail_msg("JSON differs:\n got  %s\n want %s", g != NULL ? g : "(null)", want);
    }
    json_decref(w);
}

static ck_key *jwk_key(const char *x, const char *y, const char *d)
{
    ck_key *k = NULL;
    ck_err ce;
    if (ck_key_import_jwk("EC", 2, "P-256", 5, x, strlen(x), y, strlen(y), d,
                          d != NULL ? strlen(d) : 0, &k, &ce) != CK_OK)
        fail_msg("JWK import: %s", ce.msg);
    return k;
}

/* A private key from a fixed secret: bytes seed, seed+1, ... */
static ck_key *fixed_key(ck_key_type type, uint8_t seed)
{
    uint8_t secret[48];
    size_t len = type == CK_KEY_P384 ? 48 : 32;
    ck_key *k = NULL;
    ck_err ce;

    for (size_t i = 0; i < len; i++)
        secret[i] = (uint8_t)(seed + i);
    if (ck_key_import_private(type, secret, len, &k, &ce) != CK_OK)
        fail_msg("import %s: %s", ck_key_type_name(type), ce.msg);
    return k;
}

/* "did:key:<mb>#<mb>" */
static char *kid_for(const ck_key *k)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    char *frag;

    did_buf_init(&b);
    t_assert_ok(did_key_from_key(k, &b, err), err);
    frag = dupstr((const char *)b.data + strlen("did:key:"));
    assert_int_equal(did_buf_printf(&b, "#%s", frag), DID_OK);
    free(frag);
    return (char *)did_buf_steal(&b, NULL);
}

static char *did_of(const ck_key *k)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    did_buf_init(&b);
    t_assert_ok(did_key_from_key(k, &b, err), err);
    return (char *)did_buf_steal(&b, NULL);
}

/* Deterministic salts: "salt-0", "salt-1", ... */
typedef struct salts {
    unsigned next;
} salts;

static int counter_salt(void *user, char *salt, size_t cap, size_t *len, did_err *err)
{
    salts *s = user;
    int n = snprintf(salt, cap, "salt-%u", s->next++);
    (void)err;
    *len = (size_t)n;
    return DID_OK;
}

/* A verify_opts with the given issuer key and time. */
static did_sdjwt_verify_opts vopts(const ck_key *issuer, int64_t now)
{
    did_sdjwt_verify_opts o;
    memset(&o, 0, sizeof(o));
    o.issuer_key = issuer;
    o.now = now;
    return o;
}

/* Verifies and checks the code; on success returns the processed claims (else NULL). */
static json_t *verify_code(const did_ctx *ctx, const char *s, const did_sdjwt_verify_opts *o,
                           int code)
{
    did_result r;
    json_t *p = NULL;
    did_err err_s, *err = &err_s;
    int rc;

    did_result_init(&r);
    rc = did_sdjwt_verify(ctx, s, strlen(s), o, &r, &p, err);
    t_assert_code(rc, code, err);
    assert_string_equal(r.format, "sd-jwt");
    if (code == DID_OK) {
        assert_true(did_result_verified(&r));
        assert_non_null(p);
        assert_true(json_equal(p, r.document));
    } else {
        assert_false(did_result_verified(&r));
        assert_null(p);
        assert_null(r.document);
        assert_true(r.n_errors > 0);
        assert_int_equal(r.errors[0].code, code);
    }
    did_result_clear(&r);
    return p;
}

static void expect_verify(const did_ctx *ctx, const char *s, const did_sdjwt_verify_opts *o,
                          int code)
{
    json_decref(verify_code(ctx, s, o, code));
}

/* The check under which the first error was recorded. */
static void expect_fail_at(const char *s, const did_sdjwt_verify_opts *o, int code,
                           const char *check)
{
    did_result r;
    did_err err;

    did_result_init(&r);
    t_assert_code(did_sdjwt_verify(NULL, s, strlen(s), o, &r, NULL, &err), code, &err);
    assert_true(r.n_errors > 0);
    assert_string_equal(r.errors[0].check, check);
    did_result_clear(&r);
}

static int has_check(const did_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_checks; i++)
        if (strcmp(r->checks[i], name) == 0)
            return 1;
    return 0;
}

static char *issue(const ck_key *k, const did_sdjwt_issue_opts *o, const char *claims)
{
    did_buf b;
    json_t *c = parse(claims);
    did_err err_s, *err = &err_s;

    did_buf_init(&b);
    t_assert_ok(did_sdjwt_issue(k, o, c, &b, err), err);
    json_decref(c);
    return (char *)did_buf_steal(&b, NULL);
}

static void expect_issue(const ck_key *k, const did_sdjwt_issue_opts *o, const char *claims,
                         int code)
{
    did_buf b;
    json_t *c = parse(claims);
    did_err err_s, *err = &err_s;

    did_buf_init(&b);
    assert_int_equal(did_buf_append_str(&b, "keep"), DID_OK);
    t_assert_code(did_sdjwt_issue(k, o, c, &b, err), code, err);
    if (code != DID_OK) {
        assert_int_equal(b.len, 4); /* left as it was */
        assert_string_equal((const char *)b.data, "keep");
    }
    json_decref(c);
    did_buf_clear(&b);
}

static char *present(const char *sdjwt, const char *const *paths, const ck_key *holder,
                     const char *nonce, const char *aud, int64_t iat)
{
    did_buf b;
    did_err err_s, *err = &err_s;

    did_buf_init(&b);
    t_assert_ok(did_sdjwt_present(sdjwt, strlen(sdjwt), paths, holder, nonce, aud, iat, &b, err),
                err);
    return (char *)did_buf_steal(&b, NULL);
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += *s == c;
    return n;
}

/* The decoded payload of the issuer-signed JWT (unverified: for inspecting our own output). */
static json_t *payload_of(const char *sdjwt)
{
    json_t *p = NULL;
    did_err err_s, *err = &err_s;
    const char *tilde = strchr(sdjwt, '~');
    assert_non_null(tilde);
    t_assert_ok(did_sdjwt_unverified_payload(sdjwt, (size_t)(tilde - sdjwt), NULL, &p, err), err);
    return p;
}

static char *b64_of(const char *text)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    did_buf_init(&b);
    t_assert_ok(did_sdjwt_b64_append(&b, (const uint8_t *)text, strlen(text), err), err);
    return (char *)did_buf_steal(&b, NULL);
}

static char *digest_of(const char *disclosure, const char *alg)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    did_buf_init(&b);
    t_assert_ok(did_sdjwt_digest(alg, disclosure, strlen(disclosure), &b, err), err);
    return (char *)did_buf_steal(&b, NULL);
}

/* Signs payload (JSON text) as an issuer JWT with typ and appends "~" and the given
 * disclosures, each followed by '~'. */
static char *craft(const ck_key *k, const char *typ, const char *payload, const char *const *discs,
                   size_t n)
{
    did_jws_sign_opts so = {0};
    did_buf b;
    did_err err_s, *err = &err_s;

    so.typ = typ;
    did_buf_init(&b);
    t_assert_ok(did_jws_sign(k, &so, (const uint8_t *)payload, strlen(payload), &b, err), err);
    assert_int_equal(did_buf_putc(&b, '~'), DID_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(did_buf_append_str(&b, discs[i]), DID_OK);
        assert_int_equal(did_buf_putc(&b, '~'), DID_OK);
    }
    return (char *)did_buf_steal(&b, NULL);
}

/* A disclosure of raw JSON text (any spelling, even invalid ones). */
static char *raw_disc(const char *json_text)
{
    return b64_of(json_text);
}

/* Appends a KB-JWT over presented (which ends in '~') signed by holder with the given claims
 * (sd_hash NULL: the right one) and typ. */
static char *add_kb(const char *presented, const ck_key *holder, const char *typ, const char *nonce,
                    const char *aud, int64_t iat, const char *sd_hash)
{
    did_jws_sign_opts so = {0};
    char *h = NULL;
    json_t *c;
    did_buf b;
    did_err err_s, *err = &err_s;

    if (sd_hash == NULL) {
        did_buf hb;
        did_buf_init(&hb);
        t_assert_ok(did_sdjwt_hash_b64(CK_SHA256, presented, strlen(presented), &hb, err), err);
        h = (char *)did_buf_steal(&hb, NULL);
        sd_hash = h;
    }
    c = json_pack("{s:I,s:s,s:s,s:s}", "iat", (json_int_t)iat, "aud", aud, "nonce", nonce,
                  "sd_hash", sd_hash);
    assert_non_null(c);
    so.typ = typ;
    did_buf_init(&b);
    assert_int_equal(did_buf_append_str(&b, presented), DID_OK);
    t_assert_ok(did_jwt_sign(holder, &so, c, &b, err), err);
    json_decref(c);
    free(h);
    return (char *)did_buf_steal(&b, NULL);
}

/* ------------------------------------------------------------------------------------------- */
/* RFC 9901 vectors. */

static void test_rfc_disclosures(void **state)
{
    did_buf b;
    did_err err_s, *err = &err_s;
    json_t *v;
    char *d, *expect;
    (void)state;

    /* 4.2.3 / 4.2.4.2: digests of the given disclosure strings. */
    d = digest_of(RFC_MOEBIUS, NULL);
    assert_string_equal(d, RFC_MOEBIUS_DIGEST);
    free(d);
    d = digest_of(RFC_MOEBIUS, "sha-256");
    assert_string_equal(d, RFC_MOEBIUS_DIGEST);
    free(d);
    d = digest_of(RFC_FR, NULL);
    assert_string_equal(d, RFC_FR_DIGEST);
    free(d);
    /* 5.1: every disclosure of the example hashes to the digest the RFC lists. */
    for (size_t i = 0; i < 10; i++) {
        d = digest_of(rfc_disc[i][0], "sha-256");
        assert_string_equal(d, rfc_disc[i][1]);
        free(d);
    }

    /* 4.2.1: the RFC's disclosure is the array with ", " separators; ours is the compact
     * spelling the RFC lists as an equally valid variant ("No white space"). */
    expect = b64_of("[\"_26bc4LT-ac6q2KI6cBW5es\", \"family_name\", \"M\xc3\xb6"
                    "bius\"]");
    assert_string_equal(expect, RFC_MOEBIUS);
    free(expect);
    did_buf_init(&b);
    v = json_string("M\xc3\xb6"
                    "bius");
    t_assert_ok(did_sdjwt_disclosure("_26bc4LT-ac6q2KI6cBW5es", "family_name", v, &b, err), err);
    assert_string_equal((const char *)b.data, RFC_MOEBIUS_COMPACT);
    json_decref(v);
    /* 4.2.2: an array element, compact: ["lklxF5jMYlGTPUovMNIvCA","FR"]. */
    did_buf_reset(&b);
    v = json_string("FR");
    t_assert_ok(did_sdjwt_disclosure("lklxF5jMYlGTPUovMNIvCA", NULL, v, &b, err), err);
    expect = b64_of("[\"lklxF5jMYlGTPUovMNIvCA\",\"FR\"]");
    assert_string_equal((const char *)b.data, expect);
    assert_string_equal(RFC_FR, "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0");
    free(expect);
    json_decref(v);
    /* Values of every JSON type serialise in JCS form. */
    did_buf_reset(&b);
    v = parse("{\"b\": [1, 2.5, true, null], \"a\": \"x\"}");
    t_assert_ok(did_sdjwt_disclosure("s", "n", v, &b, err), err);
    expect = b64_of("[\"s\",\"n\",{\"a\":\"x\",\"b\":[1,2.5,true,null]}]");
    assert_string_equal((const char *)b.data, expect);
    free(expect);
    json_decref(v);
    did_buf_clear(&b);

    /* Bad arguments. */
    did_buf_init(&b);
    v = json_string("x");
    t_assert_code(did_sdjwt_disclosure(NULL, "n", v, &b, err), DID_ERR_ARG, err);
    t_assert_code(did_sdjwt_disclosure("\xff", "n", v, &b, err), DID_ERR_ARG, err);
    t_assert_code(did_sdjwt_disclosure("s", "\xc3", v, &b, err), DID_ERR_ARG, err);
    t_assert_code(did_sdjwt_digest("sha-512", "x", 1, &b, err), DID_ERR_SDJWT_ALG, err);
    t_assert_code(did_sdjwt_digest("SHA-256", "x", 1, &b, err), DID_ERR_SDJWT_ALG, err);
    json_decref(v);
    did_buf_clear(&b);
    /* sha-384 digests are 64 characters. */
    d = digest_of(RFC_FR, "sha-384");
    assert_int_equal(strlen(d), 64);
    free(d);
}

/* The issued SD-JWT of section 5.1 (all disclosures), verified with the A.5 key. */
static char *rfc_issued(void)
{
    const char *parts[22];
    size_t n = 0;
    parts[n++] = RFC_JWT;
    parts[n++] = "~";
    for (size_t i = 0; i < 10; i++) {
        parts[n++] = rfc_disc[i][0];
        parts[n++] = "~";
    }
    return cat(parts, n);
}

static char *rfc_presentation(void)
{
    const char *parts[] = {RFC_JWT,
                           "~",
                           rfc_disc[D_FAMILY][0],
                           "~",
                           rfc_disc[D_ADDRESS][0],
                           "~",
                           rfc_disc[D_GIVEN][0],
                           "~",
                           rfc_disc[D_US][0],
                           "~",
                           RFC_KB};
    return cat(parts, sizeof(parts) / sizeof(parts[0]));
}

static void test_rfc_issuance(void **state)
{
    ck_key *iss = jwk_key(RFC_ISSUER_X, RFC_ISSUER_Y, NULL);
    char *s = rfc_issued();
    did_sdjwt_verify_opts o = vopts(iss, RFC_NOW);
    did_result r;
    did_err err;
    json_t *p;
    (void)state;

    /* The exact serialisation of section 5.1, with "~" where the RFC breaks lines. */
    assert_int_equal(count_char(s, '~'), 11);
    p = verify_code(NULL, s, &o, DID_OK);
    assert_json_equal(p, rfc_all_claims);
    json_decref(p);
    /* Its typ is "example+sd-jwt": a plain SD-JWT, which may be required by name ... */
    o.typ = "example+sd-jwt";
    expect_verify(NULL, s, &o, DID_OK);
    o.typ = "application/EXAMPLE+SD-JWT";
    expect_verify(NULL, s, &o, DID_OK);
    o.typ = "dc+sd-jwt";
    expect_fail_at(s, &o, DID_ERR_JWS_TYP, DID_CHECK_FORMAT);
    o.typ = NULL;
    /* ... and is not an SD-JWT VC. */
    o.mode = DID_SDJWT_MODE_VC;
    expect_fail_at(s, &o, DID_ERR_SDJWT_VCT, DID_CHECK_FORMAT);
    o.mode = DID_SDJWT_MODE_PLAIN;
    expect_verify(NULL, s, &o, DID_OK);
    o.mode = DID_SDJWT_MODE_AUTO;
    /* The issuer is checked when asked for. */
    o.iss = "https://issuer.example.com";
    expect_verify(NULL, s, &o, DID_OK);
    o.iss = "https://issuer.example.org";
    expect_fail_at(s, &o, DID_ERR_JWT_ISS, DID_CHECK_ISSUER);
    o.iss = NULL;
    /* Without key binding: an issued SD-JWT has no KB-JWT. */
    o.require_kb = 1;
    expect_fail_at(s, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
    o.require_kb = 0;
    /* Validity: exp 1883000000. */
    o.now = 1883000000;
    expect_fail_at(s, &o, DID_ERR_JWT_EXPIRED, DID_CHECK_VALID_UNTIL);
    o.skew = 5;
    expect_verify(NULL, s, &o, DID_OK);
    o.skew = 0;
    o.now = 1683000000 - 10; /* iat */
    expect_fail_at(s, &o, DID_ERR_JWT_IAT, DID_CHECK_VALID_FROM);
    o.now = RFC_NOW;
    /* Another issuer key: the signature fails first. */
    {
        ck_key *other = fixed_key(CK_KEY_P256, 7);
        did_sdjwt_verify_opts o2 = vopts(other, RFC_NOW);
        expect_fail_at(s, &o2, DID_ERR_JWS_SIGNATURE, DID_CHECK_SIGNATURE);
        ck_key_free(other);
    }
    /* Every check that ran is named. */
    did_result_init(&r);
    t_assert_ok(did_sdjwt_verify(NULL, s, strlen(s), &o, &r, NULL, &err), &err);
    assert_true(has_check(&r, DID_CHECK_FORMAT));
    assert_true(has_check(&r, DID_CHECK_SIGNATURE));
    assert_true(has_check(&r, DID_CHECK_ISSUER));
    assert_true(has_check(&r, DID_CHECK_DISCLOSURES));
    assert_true(has_check(&r, DID_CHECK_VALID_FROM));
    assert_true(has_check(&r, DID_CHECK_VALID_UNTIL));
    assert_false(has_check(&r, DID_CHECK_KEY_BINDING));
    assert_non_null(r.document);
    assert_json_equal(r.document, rfc_all_claims);
    did_result_clear(&r);
    /* No result struct is needed. */
    t_assert_ok(did_sdjwt_verify(NULL, s, strlen(s), &o, NULL, NULL, &err), &err);

    /* The A.5 private key belongs to the public key; an SD-JWT we issue with it verifies. */
    {
        ck_key *d = jwk_key(RFC_ISSUER_X, RFC_ISSUER_Y, RFC_ISSUER_D);
        const char *paths[] = {"/given_name", "/nationalities/1", NULL};
        did_sdjwt_issue_opts io = {0};
        char *mine;
        io.typ = "example+sd-jwt";
        io.paths = paths;
        mine = issue(d, &io,
                     "{\"iss\": \"https://issuer.example.com\", \"given_name\": \"John\","
                     " \"nationalities\": [\"US\", \"DE\"]}");
        p = verify_code(NULL, mine, &o, DID_OK);
        assert_json_equal(p, "{\"iss\": \"https://issuer.example.com\", \"given_name\": \"John\","
                             " \"nationalities\": [\"US\", \"DE\"]}");
        json_decref(p);
        free(mine);
        ck_key_free(d);
    }
    free(s);
    ck_key_free(iss);
}

static void test_rfc_presentation(void **state)
{
    ck_key *iss = jwk_key(RFC_ISSUER_X, RFC_ISSUER_Y, NULL);
    char *s = rfc_presentation(), *t;
    did_sdjwt_verify_opts o = vopts(iss, RFC_NOW);
    did_result r;
    did_err err;
    json_t *p;
    (void)state;

    o.require_kb = 1;
    o.nonce = RFC_NONCE;
    o.aud = RFC_AUD;
    p = verify_code(NULL, s, &o, DID_OK);
    assert_json_equal(p, rfc_processed);
    json_decref(p);
    did_result_init(&r);
    t_assert_ok(did_sdjwt_verify(NULL, s, strlen(s), &o, &r, NULL, &err), &err);
    assert_true(has_check(&r, DID_CHECK_KEY_BINDING));
    assert_true(has_check(&r, DID_CHECK_CHALLENGE));
    assert_true(has_check(&r, DID_CHECK_DOMAIN));
    did_result_clear(&r);
    /* A present KB-JWT is verified even when not required. */
    o.require_kb = 0;
    expect_verify(NULL, s, &o, DID_OK);

    /* Another transaction. */
    o.nonce = "1234567891";
    expect_fail_at(s, &o, DID_ERR_SDJWT_KB_NONCE, DID_CHECK_CHALLENGE);
    o.nonce = RFC_NONCE;
    o.aud = "https://verifier.example.com";
    expect_fail_at(s, &o, DID_ERR_SDJWT_KB_AUD, DID_CHECK_DOMAIN);
    o.aud = RFC_AUD;
    /* A KB-JWT and no nonce or audience to check it against. */
    o.nonce = NULL;
    expect_fail_at(s, &o, DID_ERR_SDJWT_KB_NONCE, DID_CHECK_CHALLENGE);
    o.nonce = RFC_NONCE;
    o.aud = NULL;
    expect_fail_at(s, &o, DID_ERR_SDJWT_KB_AUD, DID_CHECK_DOMAIN);
    o.aud = RFC_AUD;
    /* iat window: at most kb_max_age (300 s by default) old, not in the future. */
    o.now = RFC_KB_IAT + 300;
    expect_verify(NULL, s, &o, DID_OK);
    o.now = RFC_KB_IAT + 301;
    expect_fail_at(s, &o, DID_ERR_SDJWT_KB_IAT, DID_CHECK_KEY_BINDING);
    o.skew = 1;
    expect_verify(NULL, s, &o, DID_OK);
    o.skew = 0;
    o.kb_max_age = 3600;
    o.now = RFC_KB_IAT + 3600;
    expect_verify(NULL, s, &o, DID_OK);
    o.kb_max_age = 0;
    o.now = RFC_KB_IAT - 1;
    expect_fail_at(s, &o, DID_ERR_SDJWT_KB_IAT, DID_CHECK_KEY_BINDING);
    o.now = RFC_NOW;

    /* Dropping a disclosure after the holder signed: sd_hash no longer matches. */
    {
        const char *parts[] = {RFC_JWT,
                               "~",
                               rfc_disc[D_FAMILY][0],
                               "~",
                               rfc_disc[D_ADDRESS][0],
                               "~",
                               rfc_disc[D_US][0],
                               "~",
                               RFC_KB};
        t = cat(parts, sizeof(parts) / sizeof(parts[0]));
        expect_fail_at(t, &o, DID_ERR_SDJWT_KB_HASH, DID_CHECK_KEY_BINDING);
        free(t);
    }
    /* The same disclosures in another order are another presentation. */
    {
        const char *parts[] = {RFC_JWT,
                               "~",
                               rfc_disc[D_GIVEN][0],
                               "~",
                               rfc_disc[D_FAMILY][0],
                               "~",
                               rfc_disc[D_ADDRESS][0],
                               "~",
                               rfc_disc[D_US][0],
                               "~",
                               RFC_KB};
        t = cat(parts, sizeof(parts) / sizeof(parts[0]));
        expect_fail_at(t, &o, DID_ERR_SDJWT_KB_HASH, DID_CHECK_KEY_BINDING);
        free(t);
    }
    /* The KB-JWT with a flipped signature bit. */
    t = dupstr(s);
    t[strlen(t) - 3] = t[strlen(t) - 3] == 'A' ? 'B' : 'A';
    expect_fail_at(t, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
    free(t);
    /* Without the KB-JWT, where it is required. */
    t = dupstr(s);
    *(strrchr(t, '~') + 1) = '\0';
    o.require_kb = 1;
    expect_fail_at(t, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
    o.require_kb = 0;
    o.nonce = NULL; /* a nonce implies key binding */
    o.aud = NULL;
    p = verify_code(NULL, t, &o, DID_OK);
    assert_json_equal(p, rfc_processed);
    json_decref(p);
    free(t);

    /* The holder's own presentation of the section 5.1 credential with the examples' holder
     * key: the same claims, our KB-JWT. */
    {
        ck_key *holder = jwk_key(RFC_HOLDER_X, RFC_HOLDER_Y, RFC_HOLDER_D);
        const char *paths[] = {"/family_name", "/address", "/given_name", "/nationalities/0", NULL};
        char *issued = rfc_issued(), *mine;
        mine = present(issued, paths, holder, RFC_NONCE, RFC_AUD, RFC_KB_IAT);
        o.nonce = RFC_NONCE;
        o.aud = RFC_AUD;
        o.require_kb = 1;
        p = verify_code(NULL, mine, &o, DID_OK);
        assert_json_equal(p, rfc_processed);
        json_decref(p);
        /* Four disclosures, in the order issued, then the KB-JWT. */
        {
            const char *parts[] = {RFC_JWT,
                                   "~",
                                   rfc_disc[D_GIVEN][0],
                                   "~",
                                   rfc_disc[D_FAMILY][0],
                                   "~",
                                   rfc_disc[D_ADDRESS][0],
                                   "~",
                                   rfc_disc[D_US][0],
                                   "~"};
            char *prefix = cat(parts, sizeof(parts) / sizeof(parts[0]));
            assert_int_equal(strncmp(mine, prefix, strlen(prefix)), 0);
            assert_int_equal(count_char(mine + strlen(prefix), '~'), 0);
            free(prefix);
        }
        free(mine);
        free(issued);
        ck_key_free(holder);
    }
    free(s);
    ck_key_free(iss);
}

/* ------------------------------------------------------------------------------------------- */
/* Round trips. */

static const char person[] =
    "{\"iss\": \"%s\", \"vct\": \"https://credentials.example.com/identity_credential\","
    " \"iat\": 1700000000, \"exp\": 1900000000, \"sub\": \"user_42\","
    " \"given_name\": \"Erika\", \"family_name\": \"M\xc3\xbcller\","
    " \"address\": {\"street_address\": \"Hauptstr. 1\", \"locality\": \"Berlin\","
    " \"country\": \"DE\"},"
    " \"nationalities\": [\"DE\", \"FR\"],"
    " \"degrees\": [{\"type\": \"BSc\", \"year\": 2001}, {\"type\": \"MSc\", \"year\": 2003}]}";

static const char *const person_paths[] = {"/given_name",
                                           "/family_name",
                                           "/address",
                                           "/address/street_address",
                                           "/address/locality",
                                           "/nationalities/0",
                                           "/nationalities/1",
                                           "/degrees/1",
                                           "/degrees/1/year",
                                           "/degrees/0/type",
                                           NULL};

static void test_roundtrip_key_types(void **state)
{
    did_ctx *ctx = NULL;
    did_err err_s, *err = &err_s;
    (void)state;

    t_assert_ok(did_ctx_new(&ctx, err), err);
    for (size_t i = 0; i < N_SIGN_TYPES; i++) {
        for (size_t j = 0; j < N_SIGN_TYPES; j++) {
            ck_key *ik = fixed_key(sign_types[i], (uint8_t)(1 + i));
            ck_key *hk = fixed_key(sign_types[j], (uint8_t)(40 + j));
            char *kid = kid_for(ik), *did = did_of(ik), *claims, *s, *pres, *tmp, *cnf;
            const char *disclose[] = {"/address/street_address", "/nationalities/1", NULL};
            did_sdjwt_issue_opts io = {0};
            did_sdjwt_verify_opts o;
            size_t n = strlen(person) + strlen(did) + 1;
            json_t *p, *want;

            claims = malloc(n);
            assert_non_null(claims);
            snprintf(claims, n, person, did);
            io.kid = kid;
            io.paths = person_paths;
            io.holder_key = hk;
            io.decoys_min = 1;
            io.decoys_max = 3;
            s = issue(ik, &io, claims);
            /* kid resolved through did:key (assertionMethod), SD-JWT VC by its typ. */
            memset(&o, 0, sizeof(o));
            o.now = 1800000000;
            o.mode = DID_SDJWT_MODE_VC;
            o.iss = did;
            p = verify_code(ctx, s, &o, DID_OK);
            want = parse(claims);
            assert_int_equal(
                json_object_set_new(want, "cnf", json_incref(json_object_get(p, "cnf"))), 0);
            assert_true(json_equal(p, want));
            json_decref(want);
            json_decref(p);

            /* Presented with key binding. */
            pres = present(s, disclose, hk, "n-0S6_WzA2Mj", "https://rp.example", 1800000000);
            o.nonce = "n-0S6_WzA2Mj";
            o.aud = "https://rp.example";
            p = verify_code(ctx, pres, &o, DID_OK);
            cnf = json_dumps(json_object_get(p, "cnf"), 0);
            assert_non_null(cnf);
            tmp = malloc(n + strlen(cnf) + 400);
            assert_non_null(tmp);
            snprintf(tmp, n + strlen(cnf) + 400,
                     "{\"iss\": \"%s\","
                     " \"vct\": \"https://credentials.example.com/identity_credential\","
                     " \"iat\": 1700000000, \"exp\": 1900000000, \"sub\": \"user_42\","
                     " \"address\": {\"street_address\": \"Hauptstr. 1\", \"country\": \"DE\"},"
                     " \"nationalities\": [\"FR\"],"
                     " \"degrees\": [{\"year\": 2001}], \"cnf\": %s}",
                     did, cnf);
            assert_json_equal(p, tmp);
            json_decref(p);
            free(tmp);
            free(cnf);
            /* Signed by the holder key: another key, or another transaction, fails. */
            {
                ck_key *other = fixed_key(sign_types[j], 99);
                char *bad = present(s, disclose, NULL, NULL, NULL, 0), *kb;
                kb = add_kb(bad, other, "kb+jwt", "n-0S6_WzA2Mj", "https://rp.example", 1800000000,
                            NULL);
                expect_verify(ctx, kb, &o, DID_ERR_SDJWT_KB);
                free(kb);
                kb = add_kb(bad, hk, "kb+jwt", "n-0S6_WzA2Mj", "https://rp.example", 1800000000,
                            NULL);
                expect_verify(ctx, kb, &o, DID_OK);
                free(kb);
                free(bad);
                ck_key_free(other);
            }
            o.nonce = "another";
            expect_verify(ctx, pres, &o, DID_ERR_SDJWT_KB_NONCE);
            free(pres);
            free(s);
            free(claims);
            free(kid);
            free(did);
            ck_key_free(ik);
            ck_key_free(hk);
        }
    }
    did_ctx_free(ctx);
}

/* The kid's DID must be the issuer, and the kid must be an assertion method. */
static void test_issuer_binding(void **state)
{
    did_ctx *ctx = NULL;
    ck_key *ik = fixed_key(CK_KEY_ED25519, 3), *other = fixed_key(CK_KEY_ED25519, 4);
    char *kid = kid_for(ik), *did = did_of(ik), *odid = did_of(other), claims[512], *s;
    did_sdjwt_issue_opts io = {0};
    did_sdjwt_verify_opts o;
    did_err err_s, *err = &err_s;
    (void)state;

    t_assert_ok(did_ctx_new(&ctx, err), err);
    memset(&o, 0, sizeof(o));
    io.kid = kid;
    io.typ = "example+sd-jwt";
    snprintf(claims, sizeof(claims), "{\"iss\": \"%s\", \"x\": 1}", did);
    s = issue(ik, &io, claims);
    expect_verify(ctx, s, &o, DID_OK);
    free(s);
    /* Signed by ik (kid names ik) for another DID's claims. */
    snprintf(claims, sizeof(claims), "{\"iss\": \"%s\", \"x\": 1}", odid);
    s = issue(ik, &io, claims);
    expect_fail_at(s, &o, DID_ERR_ARG, DID_CHECK_FORMAT); /* no ctx, no key */
    {
        did_result r;
        did_result_init(&r);
        t_assert_code(did_sdjwt_verify(ctx, s, strlen(s), &o, &r, NULL, err), DID_ERR_JWT_ISS, err);
        assert_string_equal(r.errors[0].check, DID_CHECK_ISSUER);
        did_result_clear(&r);
    }
    /* With an explicit key the kid is not consulted. */
    o.issuer_key = ik;
    expect_verify(NULL, s, &o, DID_OK);
    free(s);
    /* No kid and no key. */
    o.issuer_key = NULL;
    io.kid = NULL;
    s = issue(ik, &io, "{\"x\": 1}");
    expect_verify(ctx, s, &o, DID_ERR_JWS_KID);
    free(s);
    free(kid);
    free(did);
    free(odid);
    ck_key_free(ik);
    ck_key_free(other);
    did_ctx_free(ctx);
}

static void test_nested_and_arrays(void **state)
{
    ck_key *ik = fixed_key(CK_KEY_ED25519, 5);
    did_sdjwt_issue_opts io = {0};
    did_sdjwt_verify_opts o = vopts(ik, 1800000000);
    salts sa = {0};
    char *s, *s2, *pres, claims[1024];
    json_t *p, *payload;
    (void)state;

    snprintf(claims, sizeof(claims), person, "https://issuer.example");
    io.paths = person_paths;
    io.salt_fn = counter_salt;
    io.salt_user = &sa;
    s = issue(ik, &io, claims);
    /* 10 disclosures, each salt used once. */
    assert_int_equal(count_char(s, '~'), 11);
    assert_int_equal(sa.next, 10);
    /* Deterministic with fixed salts and Ed25519. */
    sa.next = 0;
    s2 = issue(ik, &io, claims);
    assert_string_equal(s, s2);
    free(s2);

    /* The payload: sorted _sd arrays, placeholders in arrays, _sd_alg. */
    payload = payload_of(s);
    assert_string_equal(json_string_value(json_object_get(payload, "_sd_alg")), "sha-256");
    {
        json_t *sd = json_object_get(payload, "_sd");
        assert_int_equal(json_array_size(sd), 3); /* given_name, family_name, address */
        for (size_t i = 1; i < json_array_size(sd); i++)
            assert_true(strcmp(json_string_value(json_array_get(sd, i - 1)),
                               json_string_value(json_array_get(sd, i))) < 0);
        assert_null(json_object_get(payload, "address"));
        assert_non_null(
            json_object_get(json_array_get(json_object_get(payload, "nationalities"), 0), "..."));
        /* degrees[0] stays an object with its type behind a digest. */
        assert_non_null(
            json_object_get(json_array_get(json_object_get(payload, "degrees"), 0), "_sd"));
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(json_object_get(payload, "degrees"), 0), "year")),
                         2001);
    }
    json_decref(payload);

    /* Everything disclosed: the claims as given. */
    p = verify_code(NULL, s, &o, DID_OK);
    assert_json_equal(p, claims);
    json_decref(p);

    /* A nested claim brings its parent's disclosure, not its siblings'. */
    {
        const char *d[] = {"/address/street_address", NULL};
        pres = present(s, d, NULL, NULL, NULL, 0);
        assert_int_equal(count_char(pres, '~'), 3);
        p = verify_code(NULL, pres, &o, DID_OK);
        assert_json_equal(p, "{\"iss\": \"https://issuer.example\","
                             " \"vct\": \"https://credentials.example.com/identity_credential\","
                             " \"iat\": 1700000000, \"exp\": 1900000000, \"sub\": \"user_42\","
                             " \"address\": {\"street_address\": \"Hauptstr. 1\","
                             " \"country\": \"DE\"}, \"nationalities\": [],"
                             " \"degrees\": [{\"year\": 2001}]}");
        json_decref(p);
        free(pres);
    }
    /* A claim brings everything inside it. */
    {
        const char *d[] = {"/address", "/degrees/1", "/nationalities/1", NULL};
        pres = present(s, d, NULL, NULL, NULL, 0);
        assert_int_equal(count_char(pres, '~'), 7);
        p = verify_code(NULL, pres, &o, DID_OK);
        assert_json_equal(p,
                          "{\"iss\": \"https://issuer.example\","
                          " \"vct\": \"https://credentials.example.com/identity_credential\","
                          " \"iat\": 1700000000, \"exp\": 1900000000, \"sub\": \"user_42\","
                          " \"address\": {\"street_address\": \"Hauptstr. 1\","
                          " \"locality\": \"Berlin\", \"country\": \"DE\"},"
                          " \"nationalities\": [\"FR\"],"
                          " \"degrees\": [{\"year\": 2001}, {\"type\": \"MSc\", \"year\": 2003}]}");
        json_decref(p);
        free(pres);
    }
    /* Nothing selected, an always-visible claim, or a path with escapes. */
    {
        const char *d[] = {"/sub", "/degrees/0/year", NULL};
        pres = present(s, NULL, NULL, NULL, NULL, 0);
        assert_int_equal(count_char(pres, '~'), 1);
        free(pres);
        pres = present(s, d, NULL, NULL, NULL, 0);
        assert_int_equal(count_char(pres, '~'), 1);
        free(pres);
    }
    free(s);

    /* Names with '/' and '~', arrays of arrays, values of every type. */
    {
        const char *paths[] = {"/a~1b", "/c~0d", "/m/0/1", "/m/1", "/n", "/t", "/z", NULL};
        const char *d[] = {"/a~1b", "/m/0/1", NULL};
        const char *c = "{\"a/b\": 1, \"c~d\": null, \"m\": [[1, [2, 3]], [4]], \"n\": 2.5,"
                        " \"t\": true, \"z\": {}}";
        io.paths = paths;
        io.typ = "example+sd-jwt";
        s = issue(ik, &io, c);
        io.paths = person_paths;
        io.typ = NULL;
        p = verify_code(NULL, s, &o, DID_OK);
        assert_json_equal(p, c);
        json_decref(p);
        pres = present(s, d, NULL, NULL, NULL, 0);
        p = verify_code(NULL, pres, &o, DID_OK);
        assert_json_equal(p, "{\"a/b\": 1, \"m\": [[1, [2, 3]]]}");
        json_decref(p);
        free(pres);
        free(s);
    }
    /* sha-384. */
    io.sd_alg = "sha-384";
    s = issue(ik, &io, claims);
    payload = payload_of(s);
    assert_string_equal(json_string_value(json_object_get(payload, "_sd_alg")), "sha-384");
    assert_int_equal(json_string_length(json_array_get(json_object_get(payload, "_sd"), 0)), 64);
    json_decref(payload);
    p = verify_code(NULL, s, &o, DID_OK);
    assert_json_equal(p, claims);
    json_decref(p);
    {
        ck_key *hk = fixed_key(CK_KEY_P256, 8);
        const char *d[] = {"/given_name", NULL};
        json_t *cj = parse(claims);
        did_buf b;
        did_err err_s, *err = &err_s;
        io.holder_key = hk;
        did_buf_init(&b);
        t_assert_ok(did_sdjwt_issue(ik, &io, cj, &b, err), err);
        pres = present((const char *)b.data, d, hk, "n", "a", 1800000000);
        o.nonce = "n";
        o.aud = "a";
        expect_verify(NULL, pres, &o, DID_OK);
        /* sd_hash is over SHA-384 here: a SHA-256 one fails. */
        {
            char *cut = dupstr(pres), *kb;
            *(strrchr(cut, '~') + 1) = '\0';
            kb = add_kb(cut, hk, "kb+jwt", "n", "a", 1800000000, NULL);
            expect_verify(NULL, kb, &o, DID_ERR_SDJWT_KB_HASH);
            free(kb);
            free(cut);
        }
        o.nonce = NULL;
        o.aud = NULL;
        free(pres);
        did_buf_clear(&b);
        json_decref(cj);
        ck_key_free(hk);
        io.holder_key = NULL;
    }
    free(s);
    ck_key_free(ik);
}

static void test_decoys(void **state)
{
    ck_key *ik = fixed_key(CK_KEY_ED25519, 6);
    did_sdjwt_issue_opts io = {0};
    did_sdjwt_verify_opts o = vopts(ik, 1800000000);
    const char *paths[] = {"/a", "/o/x", NULL};
    const char *c = "{\"vct\": \"t\", \"a\": 1, \"b\": 2, \"o\": {\"x\": 1}, \"p\": {\"y\": 2}}";
    salts sa = {0};
    json_t *payload, *p;
    char *s;
    (void)state;

    io.paths = paths;
    io.decoys_min = io.decoys_max = 3;
    io.salt_fn = counter_salt;
    io.salt_user = &sa;
    s = issue(ik, &io, c);
    /* Two _sd arrays (top, o), each one digest and three decoys; no _sd in p. */
    assert_int_equal(sa.next, 2 + 2 * 3);
    payload = payload_of(s);
    assert_int_equal(json_array_size(json_object_get(payload, "_sd")), 4);
    assert_int_equal(json_array_size(json_object_get(json_object_get(payload, "o"), "_sd")), 4);
    assert_null(json_object_get(json_object_get(payload, "p"), "_sd"));
    json_decref(payload);
    p = verify_code(NULL, s, &o, DID_OK);
    assert_json_equal(p, c);
    json_decref(p);
    free(s);
    /* A random number in [min, max] per array. */
    io.salt_fn = NULL;
    io.decoys_min = 0;
    io.decoys_max = DID_SDJWT_MAX_DECOYS;
    for (int i = 0; i < 8; i++) {
        size_t n;
        s = issue(ik, &io, c);
        payload = payload_of(s);
        n = json_array_size(json_object_get(payload, "_sd"));
        assert_true(n >= 1 && n <= 1 + DID_SDJWT_MAX_DECOYS);
        json_decref(payload);
        expect_verify(NULL, s, &o, DID_OK);
        free(s);
    }
    /* Limits and arguments. */
    io.decoys_max = DID_SDJWT_MAX_DECOYS + 1;
    expect_issue(ik, &io, c, DID_ERR_LIMIT);
    io.decoys_min = 3;
    io.decoys_max = 2;
    expect_issue(ik, &io, c, DID_ERR_ARG);
    ck_key_free(ik);
}

/* ------------------------------------------------------------------------------------------- */
/* Reassembly failures (RFC 9901 section 7.1), on SD-JWTs signed here with chosen payloads. */

/* The disclosure [salt, name, value] (name NULL: [salt, value]) of a JSON value text. */
static char *disc_of(const char *salt, const char *name, const char *value)
{
    did_buf b;
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    did_err err_s, *err = &err_s;

    assert_non_null(v);
    did_buf_init(&b);
    t_assert_ok(did_sdjwt_disclosure(salt, name, v, &b, err), err);
    json_decref(v);
    return (char *)did_buf_steal(&b, NULL);
}

/* payload_fmt has %s for each digest of discs (in order); the result carries those discs. */
static char *craft_fmt(const ck_key *k, const char *payload_fmt, const char *const *digests,
                       size_t nd, const char *const *discs, size_t n)
{
    did_buf b;
    size_t used = 0;
    char *s;

    /* Each "%s" in payload_fmt takes the next digest. */
    did_buf_init(&b);
    for (const char *f = payload_fmt; *f != '\0'; f++) {
        if (f[0] == '%' && f[1] == 's') {
            assert_true(used < nd);
            assert_int_equal(did_buf_append_str(&b, digests[used++]), DID_OK);
            f++;
            continue;
        }
        assert_int_equal(did_buf_putc(&b, *f), DID_OK);
    }
    s = craft(k, "example+sd-jwt", (const char *)b.data, discs, n);
    did_buf_clear(&b);
    return s;
}

static void test_reassembly_errors(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 9);
    did_sdjwt_verify_opts o = vopts(k, 1800000000);
    char *d1 = disc_of("s1", "given_name", "\"John\""), *h1 = digest_of(d1, NULL);
    char *d2 = disc_of("s2", "family_name", "\"Doe\""), *h2 = digest_of(d2, NULL);
    char *de = disc_of("s3", NULL, "\"DE\""), *he = digest_of(de, NULL);
    char *dsd = disc_of("s4", "_sd", "[]"), *hsd = digest_of(dsd, NULL);
    char *ddot = disc_of("s5", "...", "1"), *hdot = digest_of(ddot, NULL);
    char *dex = disc_of("s6", "x", "2"), *hex = digest_of(dex, NULL);
    char *dalg = disc_of("s7", "_sd_alg", "\"sha-256\""), *halg = digest_of(dalg, NULL);
    char *s;
    json_t *p;
    (void)state;

    /* The baseline: object property and array element. */
    {
        const char *dg[] = {h1, he}, *ds[] = {d1, de};
        s = craft_fmt(k, "{\"_sd\": [\"%s\"], \"n\": [{\"...\": \"%s\"}, \"FR\"]}", dg, 2, ds, 2);
        p = verify_code(NULL, s, &o, DID_OK);
        assert_json_equal(p, "{\"given_name\": \"John\", \"n\": [\"DE\", \"FR\"]}");
        json_decref(p);
        /* Undisclosed: the array element goes, the _sd goes. */
        *(strchr(s, '~') + 1) = '\0';
        p = verify_code(NULL, s, &o, DID_OK);
        assert_json_equal(p, "{\"n\": [\"FR\"]}");
        json_decref(p);
        free(s);
    }
    /* A tampered disclosure (the value changed by the holder) no longer matches its digest: it
     * is unreferenced. */
    {
        char *forged = disc_of("s1", "given_name", "\"Jane\"");
        const char *dg[] = {h1}, *ds[] = {forged};
        s = craft_fmt(k, "{\"_sd\": [\"%s\"]}", dg, 1, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_UNREFERENCED, DID_CHECK_DISCLOSURES);
        free(s);
        free(forged);
    }
    /* A disclosure nothing refers to. */
    {
        const char *dg[] = {h1}, *ds[] = {d1, d2};
        s = craft_fmt(k, "{\"_sd\": [\"%s\"]}", dg, 1, ds, 2);
        expect_fail_at(s, &o, DID_ERR_SDJWT_UNREFERENCED, DID_CHECK_DISCLOSURES);
        free(s);
    }
    /* Duplicate digests: in one _sd, in two objects, in _sd and in an array, decoys, and the
     * same disclosure presented twice. */
    {
        const char *dg[] = {h1, h1}, *ds[] = {d1};
        s = craft_fmt(k, "{\"_sd\": [\"%s\", \"%s\"]}", dg, 2, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_DIGEST_DUP, DID_CHECK_DISCLOSURES);
        free(s);
        s = craft_fmt(k, "{\"_sd\": [\"%s\"], \"o\": {\"_sd\": [\"%s\"]}}", dg, 2, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_DIGEST_DUP, DID_CHECK_DISCLOSURES);
        free(s);
        {
            const char *dge[] = {he, he}, *dse[] = {de};
            s = craft_fmt(k, "{\"a\": [{\"...\": \"%s\"}], \"b\": [0, {\"...\": \"%s\"}]}", dge, 2,
                          dse, 1);
            expect_fail_at(s, &o, DID_ERR_SDJWT_DIGEST_DUP, DID_CHECK_DISCLOSURES);
            free(s);
        }
        /* Undisclosed (or decoy) digests, too. */
        s = craft_fmt(k, "{\"_sd\": [\"%s\"], \"a\": [{\"...\": \"%s\"}]}", dg, 2, ds, 0);
        expect_fail_at(s, &o, DID_ERR_SDJWT_DIGEST_DUP, DID_CHECK_DISCLOSURES);
        free(s);
        s = craft(k, NULL, "{\"_sd\": [\"decoy\", \"decoy\"]}", NULL, 0);
        expect_verify(NULL, s, &o, DID_ERR_SDJWT_DIGEST_DUP);
        free(s);
        /* Inside a disclosure. */
        {
            char *inner = disc_of("s9", "o", "{\"_sd\": [\"dup\"]}"), *hi = digest_of(inner, NULL);
            const char *dg2[] = {hi}, *ds2[] = {inner};
            s = craft_fmt(k, "{\"_sd\": [\"%s\", \"dup\"]}", dg2, 1, ds2, 1);
            expect_verify(NULL, s, &o, DID_ERR_SDJWT_DIGEST_DUP);
            free(s);
            free(inner);
            free(hi);
        }
        {
            const char *ds2[] = {d1, d1};
            s = craft_fmt(k, "{\"_sd\": [\"%s\"]}", dg, 1, ds2, 2);
            expect_fail_at(s, &o, DID_ERR_SDJWT_DIGEST_DUP, DID_CHECK_DISCLOSURES);
            free(s);
        }
    }
    /* Reserved names disclosed, and a claim overwritten. */
    {
        const char *dg[] = {hsd}, *ds[] = {dsd};
        s = craft_fmt(k, "{\"_sd\": [\"%s\"]}", dg, 1, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_RESERVED, DID_CHECK_DISCLOSURES);
        free(s);
    }
    {
        const char *dg[] = {hdot}, *ds[] = {ddot};
        s = craft_fmt(k, "{\"o\": {\"_sd\": [\"%s\"]}}", dg, 1, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_RESERVED, DID_CHECK_DISCLOSURES);
        free(s);
    }
    {
        const char *dg[] = {halg}, *ds[] = {dalg};
        s = craft_fmt(k, "{\"_sd\": [\"%s\"]}", dg, 1, ds, 1);
        expect_verify(NULL, s, &o, DID_ERR_SDJWT_RESERVED);
        free(s);
        /* Below the top level "_sd_alg" is an ordinary name. */
        s = craft_fmt(k, "{\"o\": {\"_sd\": [\"%s\"]}}", dg, 1, ds, 1);
        p = verify_code(NULL, s, &o, DID_OK);
        assert_json_equal(p, "{\"o\": {\"_sd_alg\": \"sha-256\"}}");
        json_decref(p);
        free(s);
    }
    {
        const char *dg[] = {hex}, *ds[] = {dex};
        s = craft_fmt(k, "{\"x\": 1, \"_sd\": [\"%s\"]}", dg, 1, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_RESERVED, DID_CHECK_DISCLOSURES);
        free(s);
        /* Two disclosures of the same name at one level. */
        {
            char *dx2 = disc_of("s8", "x", "3"), *hx2 = digest_of(dx2, NULL);
            const char *dg2[] = {hex, hx2}, *ds2[] = {dex, dx2};
            s = craft_fmt(k, "{\"_sd\": [\"%s\", \"%s\"]}", dg2, 2, ds2, 2);
            expect_verify(NULL, s, &o, DID_ERR_SDJWT_RESERVED);
            free(s);
            free(dx2);
            free(hx2);
        }
        /* The same name at another level is fine. */
        s = craft_fmt(k, "{\"x\": 1, \"o\": {\"_sd\": [\"%s\"]}}", dg, 1, ds, 1);
        expect_verify(NULL, s, &o, DID_OK);
        free(s);
    }
    /* Malformed digests and placeholders. */
    s = craft(k, NULL, "{\"_sd\": \"abc\"}", NULL, 0);
    expect_verify(NULL, s, &o, DID_ERR_SDJWT_RESERVED);
    free(s);
    s = craft(k, NULL, "{\"_sd\": [1]}", NULL, 0);
    expect_verify(NULL, s, &o, DID_ERR_SDJWT_RESERVED);
    free(s);
    s = craft(k, NULL, "{\"o\": {\"...\": \"abc\"}}", NULL, 0);
    expect_verify(NULL, s, &o, DID_ERR_SDJWT_RESERVED);
    free(s);
    s = craft(k, NULL, "{\"a\": [{\"...\": \"abc\", \"x\": 1}]}", NULL, 0);
    expect_verify(NULL, s, &o, DID_ERR_SDJWT_RESERVED);
    free(s);
    s = craft(k, NULL, "{\"a\": [{\"...\": 5}]}", NULL, 0);
    expect_verify(NULL, s, &o, DID_ERR_SDJWT_RESERVED);
    free(s);
    /* Disclosures of the wrong kind for where their digest is. */
    {
        const char *dg[] = {he}, *ds[] = {de};
        s = craft_fmt(k, "{\"_sd\": [\"%s\"]}", dg, 1, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_DISCLOSURE, DID_CHECK_DISCLOSURES);
        free(s);
    }
    {
        const char *dg[] = {h1}, *ds[] = {d1};
        s = craft_fmt(k, "{\"a\": [{\"...\": \"%s\"}]}", dg, 1, ds, 1);
        expect_fail_at(s, &o, DID_ERR_SDJWT_DISCLOSURE, DID_CHECK_DISCLOSURES);
        free(s);
    }
    /* Malformed disclosures (whether referenced or not). */
    {
        const char *bad[] = {
            "[\"s\"]",       "[\"s\", \"n\", 1, 2]", "{\"s\": 1}",
            "[1, \"n\", 2]", "[\"s\", 1, 2]",        "[\"s\", \"n\", 1",
            "\"s\"",         "[\"s\",\"a\",1,]",     "[\"s\", \"n\", {\"a\": 1, \"a\": 2}]"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            char *d = raw_disc(bad[i]);
            const char *ds[] = {d};
            s = craft(k, NULL, "{\"x\": 1}", ds, 1);
            expect_fail_at(s, &o, DID_ERR_SDJWT_DISCLOSURE, DID_CHECK_DISCLOSURES);
            free(s);
            free(d);
        }
        {
            const char *ds[] = {"not base64!"};
            s = craft(k, NULL, "{\"x\": 1}", ds, 1);
            expect_verify(NULL, s, &o, DID_ERR_SDJWT_DISCLOSURE);
            free(s);
        }
        {
            const char *ds[] = {"WyJzIiwgMV0="}; /* padding */
            s = craft(k, NULL, "{\"x\": 1}", ds, 1);
            expect_verify(NULL, s, &o, DID_ERR_SDJWT_DISCLOSURE);
            free(s);
        }
    }
    /* _sd_alg. */
    {
        const char *algs[] = {"\"sha-512\"", "\"SHA-256\"", "\"sha256\"", "1", "null", "\"\""};
        for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
            char payload[128];
            snprintf(payload, sizeof(payload), "{\"_sd_alg\": %s, \"x\": 1}", algs[i]);
            s = craft(k, NULL, payload, NULL, 0);
            expect_fail_at(s, &o, DID_ERR_SDJWT_ALG, DID_CHECK_DISCLOSURES);
            free(s);
        }
        /* A digest computed with another algorithm than _sd_alg names matches nothing. */
        {
            char *h384 = digest_of(d1, "sha-384");
            const char *dg[] = {h384}, *ds[] = {d1};
            s = craft_fmt(k, "{\"_sd\": [\"%s\"]}", dg, 1, ds, 1);
            expect_verify(NULL, s, &o, DID_ERR_SDJWT_UNREFERENCED);
            free(s);
            s = craft_fmt(k, "{\"_sd_alg\": \"sha-384\", \"_sd\": [\"%s\"]}", dg, 1, ds, 1);
            expect_verify(NULL, s, &o, DID_OK);
            free(s);
            free(h384);
        }
    }
    /* The payload must be an object. */
    s = craft(k, NULL, "[1]", NULL, 0);
    expect_fail_at(s, &o, DID_ERR_JWT_CLAIM, DID_CHECK_FORMAT);
    free(s);
    s = craft(k, NULL, "{\"a\": 1, \"a\": 2}", NULL, 0);
    expect_fail_at(s, &o, DID_ERR_JSON_DUPLICATE_KEY, DID_CHECK_FORMAT);
    free(s);

    free(d1), free(h1), free(d2), free(h2), free(de), free(he), free(dsd), free(hsd);
    free(ddot), free(hdot), free(dex), free(hex), free(dalg), free(halg);
    ck_key_free(k);
}

/* ------------------------------------------------------------------------------------------- */
/* Key binding. */

static void test_key_binding(void **state)
{
    ck_key *ik = fixed_key(CK_KEY_P256, 10), *hk = fixed_key(CK_KEY_ED25519, 11);
    ck_key *other = fixed_key(CK_KEY_ED25519, 12);
    did_sdjwt_issue_opts io = {0};
    did_sdjwt_verify_opts o = vopts(ik, 1800000000);
    const char *paths[] = {"/a", NULL};
    char *s, *bare, *kb;
    (void)state;

    io.paths = paths;
    io.holder_key = hk;
    io.typ = "example+sd-jwt";
    s = issue(ik, &io, "{\"a\": 1, \"b\": 2}");
    bare = present(s, paths, NULL, NULL, NULL, 0);
    o.nonce = "nonce-1";
    o.aud = "https://v.example";

    /* The right KB-JWT, then one thing wrong at a time. */
    kb = add_kb(bare, hk, "kb+jwt", "nonce-1", "https://v.example", 1800000000, NULL);
    expect_verify(NULL, kb, &o, DID_OK);
    free(kb);
    kb = add_kb(bare, hk, "application/KB+JWT", "nonce-1", "https://v.example", 1800000000, NULL);
    expect_verify(NULL, kb, &o, DID_OK);
    free(kb);
    kb = add_kb(bare, hk, "JWT", "nonce-1", "https://v.example", 1800000000, NULL);
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
    free(kb);
    kb = add_kb(bare, hk, NULL, "nonce-1", "https://v.example", 1800000000, NULL);
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
    free(kb);
    kb = add_kb(bare, other, "kb+jwt", "nonce-1", "https://v.example", 1800000000, NULL);
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
    free(kb);
    kb = add_kb(bare, hk, "kb+jwt", "nonce-2", "https://v.example", 1800000000, NULL);
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB_NONCE, DID_CHECK_CHALLENGE);
    free(kb);
    kb = add_kb(bare, hk, "kb+jwt", "nonce-1", "https://w.example", 1800000000, NULL);
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB_AUD, DID_CHECK_DOMAIN);
    free(kb);
    kb = add_kb(bare, hk, "kb+jwt", "nonce-1", "https://v.example", 1800000000 - 301, NULL);
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB_IAT, DID_CHECK_KEY_BINDING);
    free(kb);
    kb = add_kb(bare, hk, "kb+jwt", "nonce-1", "https://v.example", 1800000001, NULL);
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB_IAT, DID_CHECK_KEY_BINDING);
    free(kb);
    kb = add_kb(bare, hk, "kb+jwt", "nonce-1", "https://v.example", 1800000000,
                "0_Af-2B-EhLWX5ydh_w2xzwmO6iM66B_2QCEanI4fUY");
    expect_fail_at(kb, &o, DID_ERR_SDJWT_KB_HASH, DID_CHECK_KEY_BINDING);
    free(kb);
    /* sd_hash over the SD-JWT without its disclosure. */
    {
        char *cut = dupstr(bare), *h;
        did_buf hb;
        did_err err_s, *err = &err_s;
        *(strchr(cut, '~') + 1) = '\0';
        did_buf_init(&hb);
        t_assert_ok(did_sdjwt_hash_b64(CK_SHA256, cut, strlen(cut), &hb, err), err);
        h = (char *)did_buf_steal(&hb, NULL);
        kb = add_kb(bare, hk, "kb+jwt", "nonce-1", "https://v.example", 1800000000, h);
        expect_verify(NULL, kb, &o, DID_ERR_SDJWT_KB_HASH);
        free(kb);
        free(h);
        free(cut);
    }
    /* Several failures are all recorded; the first is returned. */
    {
        did_result r;
        did_err err;
        kb = add_kb(bare, hk, "kb+jwt", "nonce-2", "https://w.example", 1700000000, "x");
        did_result_init(&r);
        t_assert_code(did_sdjwt_verify(NULL, kb, strlen(kb), &o, &r, NULL, &err),
                      DID_ERR_SDJWT_KB_NONCE, &err);
        assert_int_equal(r.n_errors, 4);
        assert_int_equal(r.errors[1].code, DID_ERR_SDJWT_KB_AUD);
        assert_int_equal(r.errors[2].code, DID_ERR_SDJWT_KB_IAT);
        assert_int_equal(r.errors[3].code, DID_ERR_SDJWT_KB_HASH);
        did_result_clear(&r);
        free(kb);
    }
    /* The KB-JWT's own exp. */
    {
        json_t *c = json_pack("{s:I,s:s,s:s,s:s,s:I}", "iat", (json_int_t)1800000000, "aud",
                              "https://v.example", "nonce", "nonce-1", "sd_hash", "x", "exp",
                              (json_int_t)1799999999);
        did_jws_sign_opts so = {0};
        did_buf b;
        did_err err_s, *err = &err_s;
        so.typ = "kb+jwt";
        did_buf_init(&b);
        assert_int_equal(did_buf_append_str(&b, bare), DID_OK);
        t_assert_ok(did_jwt_sign(hk, &so, c, &b, err), err);
        expect_fail_at((const char *)b.data, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
        did_buf_clear(&b);
        json_decref(c);
    }
    /* A KB-JWT that is not a JWT. */
    {
        char *t = malloc(strlen(bare) + 16);
        assert_non_null(t);
        sprintf(t, "%sa.b.c", bare);
        expect_fail_at(t, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
        free(t);
    }
    /* Key binding required: a nonce alone requires it. */
    expect_fail_at(bare, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
    o.nonce = NULL;
    o.aud = NULL;
    expect_verify(NULL, bare, &o, DID_OK);
    o.require_kb = 1;
    expect_verify(NULL, bare, &o, DID_ERR_SDJWT_KB);
    free(bare);
    free(s);

    /* cnf missing, or not usable. */
    o.nonce = "nonce-1";
    o.aud = "https://v.example";
    {
        const char *bad_cnf[] = {
            "{\"a\": 1}",
            "{\"cnf\": 1}",
            "{\"cnf\": {\"kid\": \"k\"}}",
            ("{\"cnf\": {\"jwk\": {\"kty\": \"EC\", \"crv\": \"P-256\", \"x\": \"AAAA\","
             " \"y\": \"AAAA\"}}}"),
            "{\"cnf\": {\"jwk\": {\"kty\": \"oct\", \"k\": \"AAAA\"}}}",
            "{\"cnf\": {\"jwk\": {\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"x\": 5}}}",
        };
        for (size_t i = 0; i < sizeof(bad_cnf) / sizeof(bad_cnf[0]); i++) {
            char *t = craft(ik, NULL, bad_cnf[i], NULL, 0);
            kb = add_kb(t, hk, "kb+jwt", "nonce-1", "https://v.example", 1800000000, NULL);
            expect_fail_at(kb, &o, DID_ERR_SDJWT_CNF, DID_CHECK_KEY_BINDING);
            free(kb);
            free(t);
        }
        /* A cnf with the private key is refused. */
        {
            char jwk[CK_JWK_MAX_LEN], payload[1024];
            size_t n;
            ck_err ce;
            assert_int_equal(ck_key_export_jwk(hk, 1, jwk, sizeof(jwk), &n, &ce), CK_OK);
            snprintf(payload, sizeof(payload), "{\"cnf\": {\"jwk\": %s}}", jwk);
            s = craft(ik, NULL, payload, NULL, 0);
            kb = add_kb(s, hk, "kb+jwt", "nonce-1", "https://v.example", 1800000000, NULL);
            expect_fail_at(kb, &o, DID_ERR_SDJWT_CNF, DID_CHECK_KEY_BINDING);
            free(kb);
            free(s);
        }
    }
    ck_key_free(ik);
    ck_key_free(hk);
    ck_key_free(other);
}

/* ------------------------------------------------------------------------------------------- */
/* SD-JWT VC. */

static void test_vc_rules(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 13);
    did_sdjwt_verify_opts o = vopts(k, 1800000000);
    char *s, *d, *h;
    json_t *p;
    (void)state;

    /* vc+sd-jwt is still accepted; dc+sd-jwt is what we emit. */
    s = craft(k, "vc+sd-jwt", "{\"vct\": \"urn:t\", \"iss\": \"https://i.example\"}", NULL, 0);
    o.mode = DID_SDJWT_MODE_VC;
    expect_verify(NULL, s, &o, DID_OK);
    free(s);
    s = issue(k, NULL, "{\"vct\": \"urn:t\"}");
    {
        json_t *hdr;
        did_jws j;
        did_jws_verify_opts jo = {0};
        did_err err_s, *err = &err_s;
        jo.key = k;
        t_assert_ok(did_jws_verify(NULL, s, (size_t)(strchr(s, '~') - s), &jo, &j, err), err);
        hdr = j.header;
        assert_string_equal(json_string_value(json_object_get(hdr, "typ")), "dc+sd-jwt");
        did_jws_clear(&j);
    }
    expect_verify(NULL, s, &o, DID_OK);
    free(s);
    /* vct: required, a string. */
    s = craft(k, "dc+sd-jwt", "{\"iss\": \"https://i.example\"}", NULL, 0);
    expect_fail_at(s, &o, DID_ERR_SDJWT_VCT, DID_CHECK_TYPE);
    o.mode = DID_SDJWT_MODE_AUTO; /* the typ makes it an SD-JWT VC */
    expect_fail_at(s, &o, DID_ERR_SDJWT_VCT, DID_CHECK_TYPE);
    o.mode = DID_SDJWT_MODE_PLAIN; /* unless the caller says otherwise */
    expect_verify(NULL, s, &o, DID_OK);
    o.mode = DID_SDJWT_MODE_VC;
    free(s);
    s = craft(k, "dc+sd-jwt", "{\"vct\": 5}", NULL, 0);
    expect_fail_at(s, &o, DID_ERR_SDJWT_VCT, DID_CHECK_TYPE);
    free(s);
    /* Wrong typ for an SD-JWT VC. */
    s = craft(k, "JWT", "{\"vct\": \"urn:t\"}", NULL, 0);
    expect_fail_at(s, &o, DID_ERR_SDJWT_VCT, DID_CHECK_FORMAT);
    free(s);
    s = craft(k, NULL, "{\"vct\": \"urn:t\"}", NULL, 0);
    expect_fail_at(s, &o, DID_ERR_SDJWT_VCT, DID_CHECK_FORMAT);
    free(s);
    s = craft(k, "kb+jwt", "{\"vct\": \"urn:t\"}", NULL, 0);
    o.mode = DID_SDJWT_MODE_AUTO;
    expect_fail_at(s, &o, DID_ERR_JWS_TYP, DID_CHECK_FORMAT);
    o.mode = DID_SDJWT_MODE_VC;
    free(s);
    /* Claims that may not come from a disclosure; vct among them. */
    {
        const char *fixed[][2] = {{"iss", "\"https://i.example\""},
                                  {"nbf", "1"},
                                  {"exp", "1900000000"},
                                  {"vct", "\"urn:t\""},
                                  {"status", "{}"},
                                  {"vct#integrity", "\"x\""},
                                  {"cnf", "{\"jwk\": {}}"}};
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
            char payload[512];
            const char *ds[1];
            d = disc_of("salt", fixed[i][0], fixed[i][1]);
            h = digest_of(d, NULL);
            ds[0] = d;
            snprintf(payload, sizeof(payload), "{%s\"_sd\": [\"%s\"]}",
                     strcmp(fixed[i][0], "vct") == 0 ? "" : "\"vct\": \"urn:t\", ", h);
            s = craft(k, "dc+sd-jwt", payload, ds, 1);
            expect_fail_at(s, &o, DID_ERR_SDJWT_VCT, DID_CHECK_TYPE);
            /* A plain SD-JWT may disclose them. */
            o.mode = DID_SDJWT_MODE_PLAIN;
            p = verify_code(NULL, s, &o, DID_OK);
            json_decref(p);
            o.mode = DID_SDJWT_MODE_VC;
            free(s);
            free(d);
            free(h);
        }
        /* sub and iat may be. */
        d = disc_of("salt", "sub", "\"user\"");
        h = digest_of(d, NULL);
        {
            char payload[256];
            const char *ds[] = {d};
            snprintf(payload, sizeof(payload), "{\"vct\": \"urn:t\", \"_sd\": [\"%s\"]}", h);
            s = craft(k, "dc+sd-jwt", payload, ds, 1);
            expect_verify(NULL, s, &o, DID_OK);
            free(s);
        }
        free(d);
        free(h);
    }
    ck_key_free(k);
}

/* ------------------------------------------------------------------------------------------- */
/* Structure, arguments and limits. */

static void test_format(void **state)
{
    ck_key *iss = jwk_key(RFC_ISSUER_X, RFC_ISSUER_Y, NULL);
    did_sdjwt_verify_opts o = vopts(iss, RFC_NOW);
    did_err err;
    char *s;
    (void)state;

    expect_fail_at("", &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
    expect_fail_at(RFC_JWT, &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
    expect_fail_at("~", &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
    expect_fail_at("~" RFC_JWT "~", &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
    expect_fail_at("{\"payload\": \"x\"}~", &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
    {
        const char *parts[] = {RFC_JWT, "~", rfc_disc[0][0], "~~"};
        s = cat(parts, 4);
        expect_fail_at(s, &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
        free(s);
    }
    {
        const char *parts[] = {RFC_JWT, "~~", rfc_disc[0][0], "~"};
        s = cat(parts, 4);
        expect_fail_at(s, &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
        free(s);
    }
    {
        /* The trailing '~' forgotten. */
        const char *parts[] = {RFC_JWT, "~", rfc_disc[0][0]};
        s = cat(parts, 3);
        expect_fail_at(s, &o, DID_ERR_SDJWT_FORMAT, DID_CHECK_FORMAT);
        free(s);
    }
    {
        /* A KB-JWT slot holding something with a dot is taken as a KB-JWT. */
        const char *parts[] = {RFC_JWT, "~", rfc_disc[0][0], "~x.y"};
        s = cat(parts, 4);
        expect_fail_at(s, &o, DID_ERR_SDJWT_KB, DID_CHECK_KEY_BINDING);
        free(s);
    }
    /* The issuer JWT must be a JWS. */
    expect_fail_at("abc~", &o, DID_ERR_JWS_FORMAT, DID_CHECK_SIGNATURE);
    expect_fail_at("a.b~", &o, DID_ERR_JWS_FORMAT, DID_CHECK_SIGNATURE);
    {
        char *t = dupstr(RFC_JWT "~");
        t[100] = t[100] == 'A' ? 'B' : 'A';
        expect_fail_at(t, &o, DID_ERR_JWS_SIGNATURE, DID_CHECK_SIGNATURE);
        free(t);
    }
    /* Arguments. */
    t_assert_code(did_sdjwt_verify(NULL, NULL, 0, &o, NULL, NULL, &err), DID_ERR_ARG, &err);
    t_assert_code(did_sdjwt_verify(NULL, "x~", 2, NULL, NULL, NULL, &err), DID_ERR_ARG, &err);
    o.skew = -1;
    t_assert_code(did_sdjwt_verify(NULL, "x~", 2, &o, NULL, NULL, &err), DID_ERR_ARG, &err);
    o.skew = 0;
    o.kb_max_age = -1;
    t_assert_code(did_sdjwt_verify(NULL, "x~", 2, &o, NULL, NULL, &err), DID_ERR_ARG, &err);
    o.kb_max_age = 0;
    o.issuer_key = NULL;
    t_assert_code(did_sdjwt_verify(NULL, "x~", 2, &o, NULL, NULL, &err), DID_ERR_ARG, &err);
    /* The length is what counts, not a NUL. */
    o.issuer_key = iss;
    s = rfc_issued();
    t_assert_code(did_sdjwt_verify(NULL, s, strlen(s) - 1, &o, NULL, NULL, &err),
                  DID_ERR_SDJWT_FORMAT, &err);
    t_assert_code(did_sdjwt_verify(NULL, s, strlen(RFC_JWT) + 1, &o, NULL, NULL, &err), DID_OK,
                  &err);
    free(s);
    ck_key_free(iss);
}

/* A chain of n disclosures, each inside the previous one: [s, "a", {"_sd": [next]}]. */
static char *chain(const ck_key *k, size_t n)
{
    char **d = calloc(n, sizeof(char *));
    char *h = NULL, payload[256], *s, salt[16];
    assert_non_null(d);
    for (size_t i = n; i-- > 0;) {
        char value[128];
        if (h == NULL)
            snprintf(value, sizeof(value), "1");
        else
            snprintf(value, sizeof(value), "{\"_sd\": [\"%s\"]}", h);
        snprintf(salt, sizeof(salt), "s%zu", i);
        d[i] = disc_of(salt, "a", value);
        free(h);
        h = digest_of(d[i], NULL);
    }
    snprintf(payload, sizeof(payload), "{\"_sd\": [\"%s\"]}", h);
    s = craft(k, NULL, payload, (const char *const *)d, n);
    for (size_t i = 0; i < n; i++)
        free(d[i]);
    free(d);
    free(h);
    return s;
}

static void test_limits(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 14);
    did_sdjwt_verify_opts o = vopts(k, 1800000000);
    did_sdjwt_issue_opts io = {0};
    did_buf b;
    char *s;
    (void)state;

    /* Input length. */
    s = craft(k, NULL, "{\"x\": 1}", NULL, 0);
    o.max_len = strlen(s);
    expect_verify(NULL, s, &o, DID_OK);
    o.max_len = strlen(s) - 1;
    expect_fail_at(s, &o, DID_ERR_LIMIT, DID_CHECK_FORMAT);
    o.max_len = 0;
    free(s);
    {
        size_t n = DID_SDJWT_MAX_LEN + 1;
        char *big = malloc(n + 1);
        assert_non_null(big);
        memset(big, 'A', n);
        big[10] = '~';
        big[n] = '\0';
        expect_fail_at(big, &o, DID_ERR_LIMIT, DID_CHECK_FORMAT);
        free(big);
    }

    /* Reassembly depth: 32 levels of objects reassemble, 33 do not. */
    s = chain(k, DID_SDJWT_MAX_DEPTH);
    expect_verify(NULL, s, &o, DID_OK);
    free(s);
    s = chain(k, DID_SDJWT_MAX_DEPTH + 1);
    expect_fail_at(s, &o, DID_ERR_LIMIT, DID_CHECK_DISCLOSURES);
    free(s);

    /* Disclosures: 256 made and verified; 257 refused when issuing and verifying. */
    {
        json_t *c = json_object();
        char **paths = calloc(DID_SDJWT_MAX_DISCLOSURES + 2, sizeof(char *));
        did_err err_s, *err = &err_s;
        assert_non_null(paths);
        for (size_t i = 0; i < DID_SDJWT_MAX_DISCLOSURES + 1; i++) {
            char name[16];
            snprintf(name, sizeof(name), "c%zu", i);
            assert_int_equal(json_object_set_new(c, name, json_integer((json_int_t)i)), 0);
            paths[i] = malloc(24);
            assert_non_null(paths[i]);
            snprintf(paths[i], 24, "/%s", name);
        }
        io.typ = "example+sd-jwt";
        io.paths = (const char *const *)paths + 1;
        did_buf_init(&b);
        t_assert_ok(did_sdjwt_issue(k, &io, c, &b, err), err);
        assert_int_equal(count_char((const char *)b.data, '~'), DID_SDJWT_MAX_DISCLOSURES + 1);
        expect_verify(NULL, (const char *)b.data, &o, DID_OK);
        /* One disclosure more (whatever it is) is past the limit. */
        assert_int_equal(did_buf_append_str(&b, rfc_disc[0][0]), DID_OK);
        assert_int_equal(did_buf_putc(&b, '~'), DID_OK);
        expect_fail_at((const char *)b.data, &o, DID_ERR_LIMIT, DID_CHECK_FORMAT);
        did_buf_reset(&b);
        io.paths = (const char *const *)paths;
        t_assert_code(did_sdjwt_issue(k, &io, c, &b, err), DID_ERR_LIMIT, err);
        did_buf_clear(&b);
        for (size_t i = 0; i < DID_SDJWT_MAX_DISCLOSURES + 1; i++)
            free(paths[i]);
        free(paths);
        json_decref(c);
        memset(&io, 0, sizeof(io));
    }

    /* Digests, real and decoy. */
    {
        did_buf p;
        did_buf_init(&p);
        assert_int_equal(did_buf_append_str(&p, "{\"_sd\": ["), DID_OK);
        for (size_t i = 0; i <= DID_SDJWT_MAX_DIGESTS; i++)
            assert_int_equal(did_buf_printf(&p, "%s\"d%zu\"", i ? ", " : "", i), DID_OK);
        assert_int_equal(did_buf_append_str(&p, "]}"), DID_OK);
        s = craft(k, NULL, (const char *)p.data, NULL, 0);
        expect_fail_at(s, &o, DID_ERR_LIMIT, DID_CHECK_DISCLOSURES);
        free(s);
        did_buf_clear(&p);
    }
    {
        json_t *c = json_object();
        char *paths[65];
        for (size_t i = 0; i < 64; i++) {
            char name[16];
            snprintf(name, sizeof(name), "o%zu", i);
            assert_int_equal(json_object_set_new(c, name, json_pack("{s:i}", "x", 1)), 0);
            paths[i] = malloc(24);
            assert_non_null(paths[i]);
            snprintf(paths[i], 24, "/%s/x", name);
        }
        paths[64] = NULL;
        io.typ = "example+sd-jwt";
        io.paths = (const char *const *)paths;
        io.decoys_min = io.decoys_max = DID_SDJWT_MAX_DECOYS; /* 64 * 65 digests > 4096 */
        {
            did_err err_s, *err = &err_s;
            did_buf_init(&b);
            t_assert_code(did_sdjwt_issue(k, &io, c, &b, err), DID_ERR_LIMIT, err);
            io.decoys_min = io.decoys_max = 62; /* 64 * 63 = 4032 */
            t_assert_ok(did_sdjwt_issue(k, &io, c, &b, err), err);
            expect_verify(NULL, (const char *)b.data, &o, DID_OK);
            did_buf_clear(&b);
        }
        for (size_t i = 0; i < 64; i++)
            free(paths[i]);
        json_decref(c);
        memset(&io, 0, sizeof(io));
    }

    /* Claims nesting when issuing. */
    {
        json_t *c = json_object(), *cur = c;
        for (int i = 0; i < DID_SDJWT_MAX_DEPTH; i++) {
            json_t *n = json_object();
            assert_int_equal(json_object_set_new(cur, "a", n), 0);
            cur = n;
        }
        io.typ = "example+sd-jwt";
        {
            did_err err_s, *err = &err_s;
            did_buf_init(&b);
            t_assert_code(did_sdjwt_issue(k, &io, c, &b, err), DID_ERR_LIMIT, err);
            did_buf_clear(&b);
        }
        json_decref(c);
    }
    ck_key_free(k);
}

static int bad_salt(void *user, char *salt, size_t cap, size_t *len, did_err *err)
{
    int kind = *(int *)user;
    (void)cap;
    if (kind == 0) {
        *len = 0;
        return DID_OK;
    }
    if (kind == 1)
        return did_err_set(err, DID_ERR_IO, "no entropy today");
    memcpy(salt, "a\0b", 4);
    *len = 3;
    return DID_OK;
}

static void test_issue_errors(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 15), *pub = NULL, *x = NULL;
    did_sdjwt_issue_opts io = {0};
    const char *c = "{\"vct\": \"urn:t\", \"iss\": \"https://i\", \"a\": 1, \"n\": [1, 2],"
                    " \"o\": {\"x\": 1}}";
    ck_err ce;
    did_buf b;
    did_err err;
    (void)state;

    /* Paths. */
    {
        const char *bad[] = {"/nope", "/a/b",   "/n/2", "/n/01", "/n/-", "",     "a",      "/a~2",
                             "/a~",   "/o/x/y", "/iss", "/vct",  "/cnf", "/exp", "/status"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            const char *paths[] = {bad[i], NULL};
            io.paths = paths;
            expect_issue(k, &io, c, DID_ERR_SDJWT_PATH);
        }
        {
            const char *paths[] = {"/a", "/a", NULL};
            io.paths = paths;
            expect_issue(k, &io, c, DID_ERR_SDJWT_PATH);
        }
        {
            const char *paths[] = {"/o/x", "/o/_sd", NULL};
            io.paths = paths;
            expect_issue(k, &io, c, DID_ERR_SDJWT_PATH);
        }
        {
            const char *paths[] = {"/n/0", "/n/0/...", NULL};
            io.paths = paths;
            expect_issue(k, &io, c, DID_ERR_SDJWT_PATH);
        }
        /* A plain SD-JWT may make iss disclosable. */
        {
            const char *paths[] = {"/iss", "/n/1", NULL};
            io.paths = paths;
            io.typ = "example+sd-jwt";
            expect_issue(k, &io, c, DID_OK);
            io.typ = NULL;
        }
        io.paths = NULL;
    }
    /* Claims using reserved names; vct; cnf. */
    expect_issue(k, &io, "{\"vct\": \"t\", \"_sd\": []}", DID_ERR_SDJWT_RESERVED);
    expect_issue(k, &io, "{\"vct\": \"t\", \"o\": [{\"...\": 1}]}", DID_ERR_SDJWT_RESERVED);
    expect_issue(k, &io, "{\"vct\": \"t\", \"_sd_alg\": \"sha-256\"}", DID_ERR_SDJWT_RESERVED);
    expect_issue(k, &io, "{\"vct\": \"t\", \"o\": {\"_sd_alg\": 1}}", DID_OK);
    expect_issue(k, &io, "{\"a\": 1}", DID_ERR_SDJWT_VCT);
    expect_issue(k, &io, "{\"vct\": 1}", DID_ERR_SDJWT_VCT);
    io.typ = "vc+sd-jwt";
    expect_issue(k, &io, "{\"a\": 1}", DID_ERR_SDJWT_VCT);
    io.typ = NULL;
    io.holder_key = k;
    expect_issue(k, &io, "{\"vct\": \"t\", \"cnf\": {}}", DID_ERR_ARG);
    assert_int_equal(ck_key_generate(CK_KEY_X25519, &x, &ce), CK_OK);
    io.holder_key = x;
    expect_issue(k, &io, "{\"vct\": \"t\"}", DID_ERR_ARG);
    io.holder_key = NULL;
    io.sd_alg = "md5";
    expect_issue(k, &io, c, DID_ERR_SDJWT_ALG);
    io.sd_alg = NULL;
    /* Salt sources. */
    {
        const char *paths[] = {"/a", NULL};
        int kind;
        io.paths = paths;
        io.salt_fn = bad_salt;
        io.salt_user = &kind;
        kind = 0;
        expect_issue(k, &io, c, DID_ERR_ARG);
        kind = 1;
        expect_issue(k, &io, c, DID_ERR_IO);
        kind = 2;
        expect_issue(k, &io, c, DID_ERR_ARG);
        io.salt_fn = NULL;
        io.paths = NULL;
    }
    /* Arguments. */
    assert_int_equal(ck_key_public_copy(k, &pub, &ce), CK_OK);
    expect_issue(pub, &io, c, DID_ERR_ARG);
    expect_issue(k, &io, "[1]", DID_ERR_ARG);
    did_buf_init(&b);
    {
        json_t *empty = json_object();
        t_assert_code(did_sdjwt_issue(NULL, &io, empty, &b, &err), DID_ERR_ARG, &err);
        json_decref(empty);
    }
    t_assert_code(did_sdjwt_issue(k, &io, NULL, &b, &err), DID_ERR_ARG, &err);
    did_buf_clear(&b);
    ck_key_free(pub);
    ck_key_free(x);
    ck_key_free(k);
}

static void test_present_errors(void **state)
{
    ck_key *k = fixed_key(CK_KEY_ED25519, 16), *hk = fixed_key(CK_KEY_P384, 17);
    ck_key *other = fixed_key(CK_KEY_P384, 18);
    did_sdjwt_issue_opts io = {0};
    const char *paths[] = {"/a", NULL};
    char *s, *nocnf, *pres;
    did_buf b;
    did_err err;
    (void)state;

    io.paths = paths;
    io.holder_key = hk;
    s = issue(k, &io, "{\"vct\": \"t\", \"a\": 1}");
    io.holder_key = NULL;
    nocnf = issue(k, &io, "{\"vct\": \"t\", \"a\": 1}");
    did_buf_init(&b);
    assert_int_equal(did_buf_append_str(&b, "keep"), DID_OK);
    {
        const char *bad[] = {"/b", "/a/x", "a", "/a~9", NULL};
        for (size_t i = 0; bad[i] != NULL; i++) {
            const char *p[] = {bad[i], NULL};
            t_assert_code(did_sdjwt_present(s, strlen(s), p, NULL, NULL, NULL, 0, &b, &err),
                          DID_ERR_SDJWT_PATH, &err);
        }
    }
    t_assert_code(did_sdjwt_present(s, strlen(s), paths, other, "n", "a", 0, &b, &err),
                  DID_ERR_SDJWT_CNF, &err);
    t_assert_code(did_sdjwt_present(nocnf, strlen(nocnf), paths, hk, "n", "a", 0, &b, &err),
                  DID_ERR_SDJWT_CNF, &err);
    t_assert_code(did_sdjwt_present(s, strlen(s), paths, hk, NULL, "a", 0, &b, &err), DID_ERR_ARG,
                  &err);
    t_assert_code(did_sdjwt_present(s, strlen(s), paths, hk, "n", NULL, 0, &b, &err), DID_ERR_ARG,
                  &err);
    t_assert_code(did_sdjwt_present(s, strlen(s) - 1, paths, NULL, NULL, NULL, 0, &b, &err),
                  DID_ERR_SDJWT_FORMAT, &err);
    t_assert_code(did_sdjwt_present("abc~", 4, paths, NULL, NULL, NULL, 0, &b, &err),
                  DID_ERR_SDJWT_FORMAT, &err);
    t_assert_code(did_sdjwt_present(s, strlen(s), paths, hk, "n", "\xff", 0, &b, &err), DID_ERR_ARG,
                  &err);
    /* An SD-JWT+KB is not presented again. */
    pres = present(s, paths, hk, "n", "a", 0);
    t_assert_code(did_sdjwt_present(pres, strlen(pres), paths, hk, "n", "a", 0, &b, &err),
                  DID_ERR_SDJWT_FORMAT, &err);
    /* Nothing was written on error. */
    assert_string_equal((const char *)b.data, "keep");
    /* iat 0 means now: the KB-JWT is fresh. */
    {
        did_sdjwt_verify_opts o = vopts(k, 0);
        o.nonce = "n";
        o.aud = "a";
        expect_verify(NULL, pres, &o, DID_OK);
    }
    free(pres);
    did_buf_clear(&b);
    free(s);
    free(nocnf);
    ck_key_free(k);
    ck_key_free(hk);
    ck_key_free(other);
}

/* The internal pieces the fuzzer drives. */
static void test_internal(void **state)
{
    did_sdjwt_parts parts;
    did_sdjwt_reassembly ra;
    did_sdjwt_path p;
    json_t *payload;
    did_err err;
    char *s;
    size_t idx;
    (void)state;

    s = rfc_issued();
    t_assert_ok(did_sdjwt_split(s, strlen(s), DID_SDJWT_MAX_LEN, &parts, &err), &err);
    assert_int_equal(parts.n_disc, 10);
    assert_null(parts.kb);
    assert_int_equal(parts.hashed_len, strlen(s));
    t_assert_ok(did_sdjwt_unverified_payload(parts.jwt, parts.jwt_len, NULL, &payload, &err), &err);
    t_assert_ok(
        did_sdjwt_reassemble(payload, parts.disc, parts.disc_len, parts.n_disc, NULL, 1, &ra, &err),
        &err);
    assert_json_equal(ra.claims, rfc_all_claims);
    assert_string_equal(ra.paths[D_GIVEN], "/given_name");
    assert_string_equal(ra.paths[D_ADDRESS], "/address");
    assert_string_equal(ra.paths[D_US], "/nationalities/0");
    assert_string_equal(ra.paths[D_DE], "/nationalities/1");
    did_sdjwt_reassembly_clear(&ra);
    json_decref(payload);
    free(s);
    s = rfc_presentation();
    t_assert_ok(did_sdjwt_split(s, strlen(s), DID_SDJWT_MAX_LEN, &parts, &err), &err);
    assert_int_equal(parts.n_disc, 4);
    assert_string_equal(parts.kb, RFC_KB);
    assert_int_equal(parts.hashed_len, strlen(s) - strlen(RFC_KB));
    free(s);

    t_assert_ok(did_sdjwt_path_parse("/a~1b/~0/0", 10, &p, &err), &err);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.seg[0], "a/b");
    assert_string_equal(p.seg[1], "~");
    assert_string_equal(p.seg[2], "0");
    did_sdjwt_path_clear(&p);
    t_assert_ok(did_sdjwt_path_parse("/", 1, &p, &err), &err);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.seg_len[0], 0);
    did_sdjwt_path_clear(&p);
    assert_true(did_sdjwt_path_index("10", 2, 11, &idx) && idx == 10);
    assert_false(did_sdjwt_path_index("10", 2, 10, &idx));
    assert_false(did_sdjwt_path_index("01", 2, 10, &idx));
    assert_false(did_sdjwt_path_index("", 0, 10, &idx));
    assert_false(did_sdjwt_path_index("1a", 2, 100, &idx));
    assert_true(did_sdjwt_typ_is_vc("application/DC+SD-JWT", 21));
    assert_true(did_sdjwt_typ_is_vc("vc+sd-jwt", 9));
    assert_false(did_sdjwt_typ_is_vc("text/dc+sd-jwt", 14));
    assert_false(did_sdjwt_typ_is_vc("dc+sd-jwt2", 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_disclosures),  cmocka_unit_test(test_rfc_issuance),
        cmocka_unit_test(test_rfc_presentation), cmocka_unit_test(test_roundtrip_key_types),
        cmocka_unit_test(test_issuer_binding),   cmocka_unit_test(test_nested_and_arrays),
        cmocka_unit_test(test_decoys),           cmocka_unit_test(test_reassembly_errors),
        cmocka_unit_test(test_key_binding),      cmocka_unit_test(test_vc_rules),
        cmocka_unit_test(test_format),           cmocka_unit_test(test_limits),
        cmocka_unit_test(test_issue_errors),     cmocka_unit_test(test_present_errors),
        cmocka_unit_test(test_internal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
