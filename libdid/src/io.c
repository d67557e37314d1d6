/* Bounded file I/O and secret loading for the programs and the services. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <did/io.h>

static int read_fd(int fd, const char *path, size_t max, did_buf *out, did_err *err)
{
    size_t start = out->len;
    for (;;) {
        int rc = did_buf_reserve(out, 65536);
        if (rc != DID_OK)
            return did_err_set(err, rc, "%s: out of memory", path);
        ssize_t n = read(fd, out->data + out->len, 65536);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return did_err_set(err, DID_ERR_IO, "%s: read failed: %s", path, strerror(errno));
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->data[out->len] = 0;
        if (out->len - start > max)
            return did_err_set(err, DID_ERR_LIMIT, "%s: larger than the limit of %zu bytes",
                               path, max);
    }
    return DID_OK;
}

int did_file_read(const char *path, size_t max, did_buf *out, did_err *err)
{
    if (path == NULL || out == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_file_read: NULL argument");
    if (max == 0)
        max = DID_FILE_MAX_DEFAULT;
    if (strcmp(path, "-") == 0)
        return read_fd(STDIN_FILENO, "standard input", max, out, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return did_err_set(err, DID_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return did_err_set(err, DID_ERR_IO, "%s: is a directory", path);
    }
    int rc = read_fd(fd, path, max, out, err);
    close(fd);
    return rc;
}

static int fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int did_file_write(const char *path, const void *data, size_t len, mode_t mode, int exclusive,
                   did_err *err)
{
    if (path == NULL || (data == NULL && len > 0))
        return did_err_set(err, DID_ERR_ARG, "did_file_write: NULL argument");
    did_buf tmp;
    did_buf_init(&tmp);
    int fd = -1, rc = DID_OK;
    if (did_buf_printf(&tmp, "%s.tmp.XXXXXX", path) != DID_OK) {
        rc = did_err_set(err, DID_ERR_NOMEM, "out of memory");
        goto out;
    }
    fd = mkstemp((char *)tmp.data);
    if (fd < 0) {
        rc = did_err_set(err, DID_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        goto out;
    }
    if (fchmod(fd, mode) != 0) {
        rc = did_err_set(err, DID_ERR_IO, "%s: chmod failed: %s", path, strerror(errno));
        goto out;
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = did_err_set(err, DID_ERR_IO, "%s: write failed: %s", path, strerror(errno));
            goto out;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) != 0) {
        rc = did_err_set(err, DID_ERR_IO, "%s: fsync failed: %s", path, strerror(errno));
        goto out;
    }
    close(fd);
    fd = -1;
    if (exclusive) {
        /* link() fails if path exists, so an existing file is never replaced. */
        if (link((char *)tmp.data, path) != 0) {
            rc = did_err_set(err, DID_ERR_IO, "%s: %s", path,
                             errno == EEXIST ? "already exists (not overwritten)"
                                             : strerror(errno));
            goto out;
        }
        unlink((char *)tmp.data);
    } else if (rename((char *)tmp.data, path) != 0) {
        rc = did_err_set(err, DID_ERR_IO, "%s: rename failed: %s", path, strerror(errno));
        goto out;
    }
    tmp.len = 0; /* nothing left to unlink */
    if (fsync_dir_of(path) != 0)
        rc = did_err_set(err, DID_ERR_IO, "%s: fsync of directory failed: %s", path,
                         strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    if (tmp.len > 0)
        unlink((char *)tmp.data);
    did_buf_clear(&tmp);
    return rc;
}

int did_secret_load(const char *path, const char *env, uint8_t **out, size_t *len, did_err *err)
{
    if (out == NULL || len == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_secret_load: NULL argument");
    *out = NULL;
    *len = 0;
    uint8_t *s = ck_secret_alloc(DID_SECRET_MAX + 2);
    if (s == NULL)
        return did_err_set(err, DID_ERR_NOMEM, "out of secure memory");
    size_t n = 0;
    int rc = DID_OK;
    if (path != NULL) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = did_err_set(err, DID_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
            goto out;
        }
        /* Read into guarded memory directly: no stdio buffer holds a copy. */
        for (;;) {
            ssize_t r = read(fd, s + n, DID_SECRET_MAX + 1 - n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                rc = did_err_set(err, DID_ERR_IO, "%s: read failed: %s", path, strerror(errno));
                close(fd);
                goto out;
            }
            if (r == 0)
                break;
            n += (size_t)r;
            if (n > DID_SECRET_MAX)
                break;
        }
        close(fd);
        size_t line = 0;
        while (line < n && s[line] != '\n' && s[line] != '\r')
            line++;
        if (line > DID_SECRET_MAX) {
            rc = did_err_set(err, DID_ERR_LIMIT, "%s: secret longer than %d bytes", path,
                             DID_SECRET_MAX);
            goto out;
        }
        n = line;
        if (n == 0) {
            rc = did_err_set(err, DID_ERR_ARG, "%s: the secret is empty", path);
            goto out;
        }
    } else {
        const char *v = env != NULL ? getenv(env) : NULL;
        if (v == NULL || v[0] == '\0') {
            rc = did_err_set(err, DID_ERR_ARG, "no secret given: use a file option or set %s",
                             env != NULL ? env : "the environment variable");
            goto out;
        }
        n = strlen(v);
        if (n > DID_SECRET_MAX) {
            rc = did_err_set(err, DID_ERR_LIMIT, "%s: secret longer than %d bytes", env,
                             DID_SECRET_MAX);
            goto out;
        }
        memcpy(s, v, n);
    }
    *out = s;
    *len = n;
    return DID_OK;
out:
    ck_secret_free(s);
    return rc;
}

int did_key_save_sealed(const char *path, const ck_key *key, const uint8_t *pass,
                        size_t pass_len, ck_kdf_params params, int overwrite, did_err *err)
{
    uint8_t sealed[CK_SEALED_MAX_LEN];
    size_t n = 0;
    ck_err ce;
    if (ck_key_seal(key, pass, pass_len, params, sealed, sizeof sealed, &n, &ce) != CK_OK)
        return did_err_from_ck(err, &ce);
    return did_file_write(path, sealed, n, 0600, !overwrite, err);
}

int did_key_load_sealed(const char *path, const uint8_t *pass, size_t pass_len, ck_key **out,
                        did_err *err)
{
    did_buf b;
    did_buf_init(&b);
    int rc = did_file_read(path, 4096, &b, err);
    if (rc == DID_ERR_LIMIT)
        rc = did_err_set(err, CK_ERR_SEALED_FORMAT, "%s: too large to be a sealed key file",
                         path);
    if (rc == DID_OK) {
        ck_err ce;
        if (ck_key_unseal(b.data, b.len, pass, pass_len, out, &ce) != CK_OK) {
            rc = did_err_from_ck(err, &ce);
            did_err_prefix(err, path);
        }
    }
    did_buf_clear(&b);
    return rc;
}

int did_json_read_file(const char *path, const did_json_limits *lim, json_t **out, did_err *err)
{
    did_json_limits dl = lim != NULL ? *lim : did_json_limits_default();
    did_buf b;
    did_buf_init(&b);
    *out = NULL;
    int rc = did_file_read(path, dl.max_bytes, &b, err);
    if (rc == DID_OK) {
        rc = did_json_parse(b.data, b.len, &dl, out, err);
        if (rc != DID_OK)
            did_err_prefix(err, path);
    }
    did_buf_clear(&b);
    return rc;
}
