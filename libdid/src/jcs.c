/* RFC 8785 JSON Canonicalization Scheme: serialises a jansson tree in canonical form. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <did/json.h>

/* ECMAScript Number::toString (ECMA-262 7.1.12.1, RFC 8785 section 3.2.2.3). The shortest
 * digit string that round-trips is found by trying each precision: snprintf rounds the exact
 * binary value correctly, so the first precision whose text reads back as d is the shortest. */
int did_jcs_number(double d, char out[DID_JCS_NUMBER_MAX], size_t *len, did_err *err)
{
    char sci[40];
    char digits[20];
    size_t k = 0;
    int e10 = 0;
    size_t o = 0;

    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_jcs_number: NULL output");
    out[0] = '\0';
    if (len != NULL)
        *len = 0;
    if (!isfinite(d))
        return did_err_set(err, DID_ERR_JSON_NUMBER, "%s cannot be represented in JSON",
                           isnan(d) ? "NaN" : "Infinity");
    if (d == 0.0) {
        /* Covers -0 too: ES prints it as "0". */
        out[0] = '0';
        out[1] = '\0';
        if (len != NULL)
            *len = 1;
        return DID_OK;
    }
    if (d < 0) {
        out[o++] = '-';
        d = -d;
    }

    /* Integers below 2^53: every one is a double of its own, so the shortest text that reads
     * back as d is its decimal digits, which is what ES prints for integers under 10^21. This
     * skips the precision search below for the common case (counts, amounts in minor units). */
    if (d < 9007199254740992.0 && d == floor(d)) {
        char tmp[20];
        size_t t = 0;
        unsigned long long v = (unsigned long long)d;
        do {
            tmp[t++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (t > 0)
            out[o++] = tmp[--t];
        out[o] = '\0';
        if (len != NULL)
            *len = o;
        return DID_OK;
    }

    int found = 0;
    for (int prec = 0; prec < 17 && !found; prec++) {
        int n = snprintf(sci, sizeof sci, "%.*e", prec, d);
        if (n < 0 || (size_t)n >= sizeof sci)
            return did_err_set(err, DID_ERR_INTERNAL, "snprintf of a double failed");
        if (strtod(sci, NULL) == d)
            found = 1;
    }
    if (!found)
        return did_err_set(err, DID_ERR_INTERNAL, "no round-trip representation found");

    /* sci is "D[.DDDD]e[+-]XX": collect the significant digits and the exponent. */
    const char *p = sci;
    for (; *p != '\0' && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9' && k < sizeof digits)
            digits[k++] = *p;
    }
    if (*p != 'e')
        return did_err_set(err, DID_ERR_INTERNAL, "unexpected snprintf output \"%s\"", sci);
    e10 = (int)strtol(p + 1, NULL, 10);
    while (k > 1 && digits[k - 1] == '0')
        k--;

    /* ES: value = digits x 10^(n-k) with n the position of the decimal point. */
    int n = e10 + 1;
    int ki = (int)k;
    if (ki <= n && n <= 21) {
        memcpy(out + o, digits, k);
        o += k;
        for (int i = 0; i < n - ki; i++)
            out[o++] = '0';
    } else if (0 < n && n <= 21) {
        memcpy(out + o, digits, (size_t)n);
        o += (size_t)n;
        out[o++] = '.';
        memcpy(out + o, digits + n, k - (size_t)n);
        o += k - (size_t)n;
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -n; i++)
            out[o++] = '0';
        memcpy(out + o, digits, k);
        o += k;
    } else {
        out[o++] = digits[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, k - 1);
            o += k - 1;
        }
        int w = snprintf(out + o, DID_JCS_NUMBER_MAX - o, "e%c%d", n - 1 < 0 ? '-' : '+',
                         abs(n - 1));
        if (w < 0 || (size_t)w >= DID_JCS_NUMBER_MAX - o)
            return did_err_set(err, DID_ERR_INTERNAL, "number text too long");
        o += (size_t)w;
    }
    out[o] = '\0';
    if (len != NULL)
        *len = o;
    return DID_OK;
}

/* Decodes the next UTF-16 code unit of a UTF-8 string; *pending holds the low surrogate of a
 * supplementary-plane character between calls. The input was validated by the parser; a
 * stray byte is taken as its own unit so the order stays total for any json_t. */
typedef struct u16_iter {
    const unsigned char *p;
    size_t n;
    size_t i;
    unsigned pending;
} u16_iter;

static int u16_next(u16_iter *it, unsigned *unit)
{
    if (it->pending != 0) {
        *unit = it->pending;
        it->pending = 0;
        return 1;
    }
    if (it->i >= it->n)
        return 0;
    const unsigned char *p = it->p + it->i;
    size_t left = it->n - it->i;
    unsigned cp;
    size_t used;
    if (p[0] < 0x80) {
        cp = p[0];
        used = 1;
    } else if ((p[0] & 0xE0) == 0xC0 && left >= 2) {
        cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3Fu);
        used = 2;
    } else if ((p[0] & 0xF0) == 0xE0 && left >= 3) {
        cp = ((unsigned)(p[0] & 0x0F) << 12) | ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3Fu);
        used = 3;
    } else if ((p[0] & 0xF8) == 0xF0 && left >= 4) {
        cp = ((unsigned)(p[0] & 0x07) << 18) | ((unsigned)(p[1] & 0x3F) << 12) |
             ((unsigned)(p[2] & 0x3F) << 6) | (p[3] & 0x3Fu);
        used = 4;
    } else {
        cp = p[0];
        used = 1;
    }
    it->i += used;
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
        cp -= 0x10000;
        *unit = 0xD800 + (cp >> 10);
        it->pending = 0xDC00 + (cp & 0x3FF);
    } else {
        *unit = cp;
    }
    return 1;
}

typedef struct jcs_member {
    const char *key;
    size_t key_len;
    json_t *value;
} jcs_member;

/* RFC 8785 section 3.2.3: member names compare as arrays of UTF-16 code units. */
static int member_cmp(const void *a, const void *b)
{
    const jcs_member *ma = a;
    const jcs_member *mb = b;
    u16_iter ia = {(const unsigned char *)ma->key, ma->key_len, 0, 0};
    u16_iter ib = {(const unsigned char *)mb->key, mb->key_len, 0, 0};
    for (;;) {
        unsigned ua = 0, ub = 0;
        int ha = u16_next(&ia, &ua);
        int hb = u16_next(&ib, &ub);
        if (!ha || !hb)
            return ha - hb;
        if (ua != ub)
            return ua < ub ? -1 : 1;
    }
}

/* RFC 8785 section 3.2.2.2: only " \ and control characters are escaped, the common ones
 * with their short forms and the rest as lowercase \u00xx; everything else is literal. */
static int write_string(did_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = did_buf_putc(out, '"');
    size_t run = 0;

    for (size_t i = 0; i < n && rc == DID_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        size_t esc_len = 2;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        /* flush the literal run before this byte */
        if ((rc = did_buf_append(out, s + run, i - run)) != DID_OK)
            break;
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0xF];
            esc_len = 6;
            break;
        }
        rc = did_buf_append(out, esc, esc_len);
    }
    if (rc == DID_OK)
        rc = did_buf_append(out, s + run, n - run);
    if (rc == DID_OK)
        rc = did_buf_putc(out, '"');
    return rc;
}

static int buf_rc(int rc, did_err *err)
{
    if (rc == DID_ERR_NOMEM)
        return did_err_set(err, rc, "out of memory writing canonical JSON");
    return did_err_set(err, rc, "canonical JSON output exceeds the buffer limit");
}

static int write_value(const json_t *v, size_t depth, did_buf *out, did_err *err);

static int write_object(const json_t *v, size_t depth, did_buf *out, did_err *err)
{
    size_t n = json_object_size(v);
    jcs_member *m = NULL;
    size_t i = 0;
    int rc = DID_OK;

    if (n > 0) {
        m = calloc(n, sizeof *m);
        if (m == NULL)
            return did_err_set(err, DID_ERR_NOMEM, "out of memory sorting %zu members", n);
    }
    for (void *it = json_object_iter((json_t *)v); it != NULL && i < n;
         it = json_object_iter_next((json_t *)v, it), i++) {
        m[i].key = json_object_iter_key(it);
        m[i].key_len = json_object_iter_key_len(it);
        m[i].value = json_object_iter_value(it);
    }
    if (n > 1)
        qsort(m, n, sizeof *m, member_cmp);

    if ((rc = did_buf_putc(out, '{')) != DID_OK) {
        rc = buf_rc(rc, err);
        goto out;
    }
    for (i = 0; i < n; i++) {
        if ((i > 0 && (rc = did_buf_putc(out, ',')) != DID_OK) ||
            (rc = write_string(out, m[i].key, m[i].key_len)) != DID_OK ||
            (rc = did_buf_putc(out, ':')) != DID_OK) {
            rc = buf_rc(rc, err);
            goto out;
        }
        if ((rc = write_value(m[i].value, depth, out, err)) != DID_OK)
            goto out;
    }
    if ((rc = did_buf_putc(out, '}')) != DID_OK)
        rc = buf_rc(rc, err);
out:
    free(m);
    return rc;
}

static int write_value(const json_t *v, size_t depth, did_buf *out, did_err *err)
{
    char num[DID_JCS_NUMBER_MAX];
    size_t num_len = 0;
    int rc = DID_OK;

    if (v == NULL)
        return did_err_set(err, DID_ERR_ARG, "NULL JSON value");
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (depth + 1 > DID_JCS_MAX_DEPTH)
            return did_err_set(err, DID_ERR_JSON_DEPTH, "nesting exceeds DID_JCS_MAX_DEPTH %d",
                               DID_JCS_MAX_DEPTH);
        if (json_is_object(v))
            return write_object(v, depth + 1, out, err);
        if ((rc = did_buf_putc(out, '[')) != DID_OK)
            return buf_rc(rc, err);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0 && (rc = did_buf_putc(out, ',')) != DID_OK)
                return buf_rc(rc, err);
            if ((rc = write_value(json_array_get(v, i), depth + 1, out, err)) != DID_OK)
                return rc;
        }
        if ((rc = did_buf_putc(out, ']')) != DID_OK)
            return buf_rc(rc, err);
        return DID_OK;
    case JSON_STRING:
        if ((rc = write_string(out, json_string_value(v), json_string_length(v))) != DID_OK)
            return buf_rc(rc, err);
        return DID_OK;
    case JSON_INTEGER:
        /* JCS numbers are IEEE 754 doubles: an int64 beyond 2^53 prints as its nearest
         * double, as ECMAScript would. */
        if ((rc = did_jcs_number((double)json_integer_value(v), num, &num_len, err)) != DID_OK)
            return rc;
        break;
    case JSON_REAL:
        if ((rc = did_jcs_number(json_real_value(v), num, &num_len, err)) != DID_OK)
            return rc;
        break;
    case JSON_TRUE:
        memcpy(num, "true", 5);
        num_len = 4;
        break;
    case JSON_FALSE:
        memcpy(num, "false", 6);
        num_len = 5;
        break;
    case JSON_NULL:
        memcpy(num, "null", 5);
        num_len = 4;
        break;
    default:
        return did_err_set(err, DID_ERR_ARG, "unknown JSON value type");
    }
    if ((rc = did_buf_append(out, num, num_len)) != DID_OK)
        return buf_rc(rc, err);
    return DID_OK;
}

int did_jcs_write(const json_t *v, did_buf *out, did_err *err)
{
    if (out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_jcs_write: NULL output buffer");
    size_t start = out->len;
    int rc = write_value(v, 0, out, err);
    if (rc != DID_OK && out->data != NULL) {
        /* Leave the caller's buffer as it was rather than half-written. */
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}
