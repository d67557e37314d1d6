#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    if (fseek(f, 0, SEEK_END) != 0)
        fail_msg("cannot seek %s", path);
    long n = ftell(f);
    if (n < 0)
        fail_msg("cannot size %s", path);
    rewind(f);
    uint8_t *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        fail_msg("short read on %s", path);
    fclose(f);
    buf[n] = 0;
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

const char *t_vector_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", CIVID_VECTORS_DIR, rel);
    return path;
}

json_t *t_vector_json(const char *rel)
{
    json_error_t jerr;
    json_t *j = json_load_file(t_vector_path(rel), 0, &jerr);
    if (j == NULL)
        fail_msg("cannot load %s: %s (line %d)", rel, jerr.text, jerr.line);
    return j;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *t_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 != 0)
        fail_msg("odd-length hex: %s", hex);
    uint8_t *out = malloc(n / 2 + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            fail_msg("bad hex: %s", hex);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

const char *t_did_err_msg(const did_err *err)
{
    return err != NULL ? err->msg : "";
}

const char *t_ck_err_msg(const ck_err *err)
{
    return err != NULL ? err->msg : "";
}
