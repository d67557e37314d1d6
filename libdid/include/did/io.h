/*
 * did/io.h -- bounded file reading, atomic file writing, and loading secrets (passphrases)
 * from a file or an environment variable into guarded memory.
 */
#ifndef DID_IO_H
#define DID_IO_H

#include <sys/types.h>

#include <did/error.h>
#include <did/json.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_FILE_MAX_DEFAULT ((size_t)16 << 20) /* 16 MiB */
#define DID_SECRET_MAX 1024                     /* longest passphrase, in bytes */

/* Appends the whole file (path "-" is standard input) to out. DID_ERR_IO names the path and
 * the system error; DID_ERR_LIMIT if it is longer than max bytes (0 means
 * DID_FILE_MAX_DEFAULT). */
int did_file_read(const char *path, size_t max, did_buf *out, did_err *err);

/* Writes data to path atomically: a temporary file in the same directory, fsync, rename, fsync
 * of the directory. With exclusive != 0 an existing path is never replaced (DID_ERR_IO).
 * mode is applied to the new file (e.g. 0600 for key files). */
int did_file_write(const char *path, const void *data, size_t len, mode_t mode, int exclusive,
                   did_err *err);

/* Reads the file at path (at most lim->max_bytes) and parses it with did_json_parse; errors
 * are those of did_file_read and did_json_parse, the message prefixed with the path. lim NULL
 * means the defaults. *out is a new reference. */
int did_json_read_file(const char *path, const did_json_limits *lim, json_t **out, did_err *err);

/* Loads a secret: from the file `path` if non-NULL (its first line, without the line ending),
 * else from the environment variable `env` if set and non-empty. The bytes are copied into
 * ck_secret_alloc memory (*out; free with ck_secret_free). DID_ERR_ARG when neither source
 * gives a secret, DID_ERR_LIMIT past DID_SECRET_MAX bytes, DID_ERR_IO for unreadable files.
 * The secret itself never appears in an error message. */
int did_secret_load(const char *path, const char *env, uint8_t **out, size_t *len,
                    did_err *err);

/* Sealed key files (ck_key_seal format, spec/keyfile.md). Save writes with mode 0600 and never
 * replaces an existing file unless overwrite != 0. Load returns CK_ERR_PASSPHRASE for a wrong
 * passphrase or a tampered file, CK_ERR_SEALED_FORMAT for anything that is not a key file. */
int did_key_save_sealed(const char *path, const ck_key *key, const uint8_t *pass,
                        size_t pass_len, ck_kdf_params params, int overwrite, did_err *err);
int did_key_load_sealed(const char *path, const uint8_t *pass, size_t pass_len, ck_key **out,
                        did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_IO_H */
