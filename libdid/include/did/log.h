/*
 * did/log.h -- the signed audit log: Merkle tree, C2SP signed notes, checkpoints and proofs.
 *
 * This header holds the storage-independent half of the log (spec/auditlog.md):
 *
 *  - Tree. The RFC 6962 / RFC 9162 Merkle tree over SHA-256: leaf hash H(0x00 || entry), node
 *    hash H(0x01 || left || right), MTH({}) = H(""). Proof generation reads hashes of *perfect*
 *    subtrees (2^h leaves starting at a multiple of 2^h) from a node source, so the LMDB store
 *    can serve them from its `nodes` database, where each perfect subtree is stored once under
 *    its post-order index (did_log_node_index). The peaks appender turns each new leaf into the
 *    list of new perfect-subtree hashes, in increasing post-order index, so every write to that
 *    database is an MDB_APPEND. Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2.
 *
 *  - Notes. C2SP signed-note (c2sp.org/signed-note) with Ed25519 signatures (type 0x01), the
 *    verifier-key strings "<name>+<hex key ID>+<base64(0x01 || public key)>" and the
 *    golang.org/x/mod signer-key strings "PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ||
 *    seed)>".
 *
 *  - Checkpoints. C2SP tlog-checkpoint bodies: origin, decimal tree size, base64 root hash,
 *    optional extension lines.
 *
 *  - Proofs. c2sp.org/tlog-proof@v1 and its offline verification: entry bytes + proof text +
 *    the log's verifier key -> verified (index, size, root), or a specific error.
 *
 * Every parser is strict and bounded by the DID_LOG_* limits below; parsed forms borrow
 * pointers into the caller's input (documented per field) and allocate nothing. Every fallible
 * function returns 0 or a DID_ERR_* code (the audit-log codes are 1000-1099, spec/errors.md)
 * and fills the optional did_err with a message naming the field, offset or limit.
 * No global state: every function is thread-safe on distinct arguments.
 */
#ifndef DID_LOG_H
#define DID_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* =============================================================================================
 * Tree
 */
#define DID_LOG_HASH_LEN 32
/* Largest tree size the tree functions accept (2^63 - 1): every post-order index then fits a
 * uint64_t below UINT64_MAX, inclusion proofs have at most 63 hashes (the tlog-proof limit) and
 * consistency proofs at most 64. */
#define DID_LOG_SIZE_MAX (((uint64_t)1 << 63) - 1)
/* Capacity of a proof array that any tree size up to DID_LOG_SIZE_MAX fits. */
#define DID_LOG_PROOF_MAX 64
/* Peaks of a tree (one per set bit of its size), and nodes written by one append. */
#define DID_LOG_PEAKS_MAX 64
#define DID_LOG_APPEND_NODES_MAX 64

/* Leaf hash SHA-256(0x00 || entry). entry may be NULL when len is 0. */
int did_log_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[DID_LOG_HASH_LEN],
                      did_err *err);
/* Interior node hash SHA-256(0x01 || left || right). out may alias left or right. */
int did_log_node_hash(const uint8_t left[DID_LOG_HASH_LEN], const uint8_t right[DID_LOG_HASH_LEN],
                      uint8_t out[DID_LOG_HASH_LEN], did_err *err);

/* Post-order index of the perfect subtree of height `level` covering leaves
 * [k * 2^level, (k + 1) * 2^level) (Go sumdb's StoredHashIndex): leaves and nodes numbered in
 * the order an append-only writer completes them, so a log of n leaves has stored exactly
 * indices 0 .. did_log_node_count(n) - 1. Defined for (k + 1) * 2^level <= DID_LOG_SIZE_MAX
 * (so level <= 62); returns UINT64_MAX outside that domain. */
uint64_t did_log_node_index(unsigned level, uint64_t k);
/* The same for the perfect subtree [start, start + size): size a power of two, start a multiple
 * of size. UINT64_MAX if the range is not a perfect subtree or is outside the domain. */
uint64_t did_log_subtree_index(uint64_t start, uint64_t size);
/* Number of perfect subtrees (leaves included) of a tree of n leaves: 2n - popcount(n).
 * Defined for n <= DID_LOG_SIZE_MAX; UINT64_MAX above. */
uint64_t did_log_node_count(uint64_t n);

/* A node source serves the hash of any perfect subtree [start, start + size) of the tree:
 * size is a power of two, start a multiple of size, and start + size never exceeds the tree
 * size passed to the function that asks. The LMDB store answers with a point read of
 * did_log_subtree_index(start, size). Returns 0, or a DID_ERR_* code (passed through to the
 * caller unchanged) with err filled. */
typedef int (*did_log_subtree_fn)(void *user, uint64_t start, uint64_t size,
                                  uint8_t out[DID_LOG_HASH_LEN], did_err *err);
typedef struct did_log_source {
    did_log_subtree_fn get_subtree;
    void *user;
} did_log_source;

/* MTH of the first `size` leaves (any past size of the log): at most 63 subtree reads.
 * size 0 gives SHA-256(""). DID_ERR_LOG_SIZE above DID_LOG_SIZE_MAX. */
int did_log_root(const did_log_source *src, uint64_t size, uint8_t root[DID_LOG_HASH_LEN],
                 did_err *err);
/* RFC 9162 section 2.1.3.1 inclusion proof PATH(index, D[size]), leaf sibling first: at most
 * 63 hashes written to proof[0 .. *n), of which at most one (the right-edge range) is not a
 * stored perfect subtree. DID_ERR_LOG_SIZE unless index < size <= DID_LOG_SIZE_MAX;
 * DID_ERR_LIMIT if cap is too small (DID_LOG_PROOF_MAX always suffices). */
int did_log_inclusion_proof(const did_log_source *src, uint64_t index, uint64_t size,
                            uint8_t proof[][DID_LOG_HASH_LEN], size_t cap, size_t *n, did_err *err);
/* RFC 9162 section 2.1.4.1 consistency proof PROOF(size1, D[size2]). size1 == size2 gives an
 * empty proof. DID_ERR_LOG_SIZE unless 0 < size1 <= size2 <= DID_LOG_SIZE_MAX; DID_ERR_LIMIT if
 * cap is too small (DID_LOG_PROOF_MAX always suffices). */
int did_log_consistency_proof(const did_log_source *src, uint64_t size1, uint64_t size2,
                              uint8_t proof[][DID_LOG_HASH_LEN], size_t cap, size_t *n,
                              did_err *err);

/* RFC 9162 section 2.1.3.2: verifies that leaf_hash is the leaf at index of the tree of `size`
 * leaves whose root is `root`. DID_ERR_LOG_SIZE if index >= size; DID_ERR_LOG_PROOF if the
 * proof does not verify (wrong hashes, too short or too long, more than DID_LOG_PROOF_MAX). */
int did_log_verify_inclusion(uint64_t index, uint64_t size,
                             const uint8_t leaf_hash[DID_LOG_HASH_LEN],
                             const uint8_t proof[][DID_LOG_HASH_LEN], size_t n,
                             const uint8_t root[DID_LOG_HASH_LEN], did_err *err);
/* RFC 9162 section 2.1.4.2: verifies that the tree (size2, root2) extends (size1, root1).
 * size1 == size2 > 0 verifies iff the proof is empty and the roots are equal (the algorithm
 * itself requires 0 < size1 < size2). DID_ERR_LOG_SIZE if size1 == 0 (nothing to prove: an
 * empty tree is consistent with every tree, so a check against it is a caller error) or
 * size1 > size2; DID_ERR_LOG_PROOF if the proof does not verify. */
int did_log_verify_consistency(uint64_t size1, uint64_t size2,
                               const uint8_t root1[DID_LOG_HASH_LEN],
                               const uint8_t root2[DID_LOG_HASH_LEN],
                               const uint8_t proof[][DID_LOG_HASH_LEN], size_t n, did_err *err);

/* The peaks (compact range [0, size)) of an append-only tree: the perfect subtrees of the binary
 * decomposition of size, largest (leftmost) first. About 2 KiB, caller-allocated, no heap. This
 * is what the writer keeps in memory and persists with each batch (meta "state"). */
typedef struct did_log_peaks {
    uint64_t size;                                     /* leaves appended */
    size_t n;                                          /* popcount(size) */
    uint8_t hash[DID_LOG_PEAKS_MAX][DID_LOG_HASH_LEN]; /* hash[0] covers the leftmost leaves */
} did_log_peaks;

/* The empty tree. */
void did_log_peaks_init(did_log_peaks *p);
/* Appends one leaf hash. Writes the perfect subtrees this leaf completes to nodes[0 .. *n_nodes)
 * -- the leaf hash itself, then one parent per trailing 1-bit of the old size -- whose post-order
 * indices are *first_index, *first_index + 1, ... (first_index = did_log_node_count(old size)),
 * i.e. exactly the next keys of the `nodes` database. n_nodes <= DID_LOG_APPEND_NODES_MAX.
 * nodes, n_nodes and first_index may be NULL when the caller does not store nodes.
 * DID_ERR_LOG_SIZE when the tree already has DID_LOG_SIZE_MAX leaves; p is unchanged on error. */
int did_log_peaks_append(did_log_peaks *p, const uint8_t leaf_hash[DID_LOG_HASH_LEN],
                         uint8_t nodes[][DID_LOG_HASH_LEN], size_t *n_nodes, uint64_t *first_index,
                         did_err *err);
/* The root of the tree the peaks describe (MTH; SHA-256("") for the empty tree). */
int did_log_peaks_root(const did_log_peaks *p, uint8_t root[DID_LOG_HASH_LEN], did_err *err);
/* Rebuilds the peaks of the first `size` leaves from a node source (popcount(size) reads), as
 * the writer does at start-up. DID_ERR_LOG_SIZE above DID_LOG_SIZE_MAX. */
int did_log_peaks_load(did_log_peaks *p, const did_log_source *src, uint64_t size, did_err *err);

/* =============================================================================================
 * Signed notes (c2sp.org/signed-note) and keys
 */
#define DID_LOG_NOTE_MAX_LEN (128 * 1024) /* bytes of a whole signed note */
#define DID_LOG_NOTE_MAX_SIGS 32          /* signature lines (the spec asks for >= 16) */
#define DID_LOG_NAME_MAX 255              /* bytes of a key name */
#define DID_LOG_SIG_MAX 4096              /* decoded signature bytes after the key ID */
#define DID_LOG_SIG_ED25519 0x01          /* signature type byte of Ed25519 note signatures */

/* A verifier key: the tuple that identifies a signer in a note, plus its public key. */
typedef struct did_log_vkey {
    char name[DID_LOG_NAME_MAX + 1]; /* NUL-terminated copy */
    size_t name_len;
    uint32_t key_id; /* SHA-256(name || 0x0A || type || public key)[:4], big-endian */
    uint8_t type;    /* DID_LOG_SIG_ED25519, the only type supported */
    uint8_t pub[32];
} did_log_vkey;

/* key ID = first 4 bytes (big-endian) of SHA-256(name || 0x0A || type || pub). */
int did_log_key_id(const char *name, size_t name_len, uint8_t type, const uint8_t *pub,
                   size_t pub_len, uint32_t *key_id, did_err *err);
/* Parses "<name>+<8 lowercase hex key ID>+<base64(0x01 || 32-byte Ed25519 key)>". The name
 * must be a valid key name (non-empty, at most DID_LOG_NAME_MAX bytes of UTF-8, no control
 * characters, no Unicode space, no '+'), the key ID must match the name and key, and the key
 * must be a valid Ed25519 point. DID_ERR_LOG_KEY otherwise (the message says which). */
int did_log_vkey_parse(const char *s, size_t len, did_log_vkey *out, did_err *err);
/* The verifier key of an Ed25519 key (public or private) under name. DID_ERR_LOG_KEY for an
 * invalid name or a key that is not Ed25519. */
int did_log_vkey_from_key(const ck_key *key, const char *name, size_t name_len, did_log_vkey *out,
                          did_err *err);
/* Appends the verifier-key string of k to out (NUL-terminated); out is unchanged on error. */
int did_log_vkey_format(const did_log_vkey *k, did_buf *out, did_err *err);
/* Parses a golang.org/x/mod/sumdb/note signer key "PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01
 * || 32-byte seed)>" into a new private key handle (free with ck_key_free) and, if vkey is
 * non-NULL, its verifier key. The seed is decoded into guarded memory and wiped. DID_ERR_LOG_KEY
 * for any malformation or a key ID that does not match the derived public key; the message
 * never contains key material. */
int did_log_skey_parse(const char *s, size_t len, ck_key **key, did_log_vkey *vkey, did_err *err);

/* One signature line of a parsed note. Pointers borrow from the parsed input. */
typedef struct did_log_note_sig {
    const char *name; /* key name, not NUL-terminated */
    size_t name_len;
    uint32_t key_id;
    const char *b64; /* base64(key ID || signature), validated canonical, >= 5 bytes decoded */
    size_t b64_len;
} did_log_note_sig;

/* A parsed signed note. text borrows from the input: the note text including its final newline
 * but not the blank separator line (what the signatures cover). */
typedef struct did_log_note {
    const uint8_t *text;
    size_t text_len;
    size_t nsigs; /* 1 .. DID_LOG_NOTE_MAX_SIGS */
    did_log_note_sig sigs[DID_LOG_NOTE_MAX_SIGS];
} did_log_note;

/* Parses a signed note without verifying it: valid UTF-8, no control characters but '\n',
 * text ending in '\n', the last blank line separating it from one or more lines
 * "\u2014 <name> <base64>\n" (em dash U+2014, single spaces, valid key name, canonical padded
 * base64 of at least 5 and at most 4 + DID_LOG_SIG_MAX bytes), nothing after the final newline.
 * DID_ERR_LOG_NOTE for any violation (the message gives the byte offset); DID_ERR_LIMIT past
 * DID_LOG_NOTE_MAX_LEN bytes, DID_LOG_NOTE_MAX_SIGS signatures or a signature longer than
 * 4 + DID_LOG_SIG_MAX bytes. On error *out is cleared (nsigs 0, text NULL). */
int did_log_note_parse(const uint8_t *in, size_t len, did_log_note *out, did_err *err);
/* Verifies a parsed note against the known keys. Signatures whose (name, key ID) matches no key
 * are ignored, as the spec requires; every signature that matches a key must verify, otherwise
 * DID_ERR_LOG_NOTE_SIG (we reject the whole note, which the spec allows). If no known
 * key signed: DID_ERR_LOG_KEY. key_ok (optional, nkeys entries) receives 1 for each key with a
 * verified signature, 0 otherwise; *n_ok (optional) their count. */
int did_log_note_verify(const did_log_note *note, const did_log_vkey *keys, size_t nkeys,
                        uint8_t *key_ok, size_t *n_ok, did_err *err);
/* Appends one signature line "\u2014 <name> <base64(key ID || Ed25519 signature over text)>\n"
 * to out. key must be a private Ed25519 key; name a valid key name. text is checked as note
 * text (UTF-8, no control characters but '\n', non-empty, ends in '\n'): DID_ERR_LOG_NOTE.
 * out is unchanged on error. */
int did_log_note_sign_line(const uint8_t *text, size_t text_len, const ck_key *key,
                           const char *name, size_t name_len, did_buf *out, did_err *err);
/* Appends a whole signed note: text, a blank line, one signature line (as above). Ed25519 is
 * deterministic: the same text and key always give the same bytes. text must not point into
 * out. */
int did_log_note_sign(const uint8_t *text, size_t text_len, const ck_key *key, const char *name,
                      size_t name_len, did_buf *out, did_err *err);

/* =============================================================================================
 * Checkpoints (c2sp.org/tlog-checkpoint)
 */
#define DID_LOG_ORIGIN_MAX 255       /* bytes of the origin line */
#define DID_LOG_CHECKPOINT_MAX_EXT 8 /* extension lines */
#define DID_LOG_EXT_LINE_MAX 1024    /* bytes of one extension line */

typedef struct did_log_line {
    const char *p; /* not NUL-terminated */
    size_t len;
} did_log_line;

/* A checkpoint body. Parsed: origin and ext borrow from the parsed text. To write: the caller
 * points them at its own strings. */
typedef struct did_log_checkpoint {
    const char *origin;
    size_t origin_len;
    uint64_t size;
    uint8_t root[DID_LOG_HASH_LEN];
    size_t n_ext;
    did_log_line ext[DID_LOG_CHECKPOINT_MAX_EXT];
} did_log_checkpoint;

/* Parses a checkpoint body (a note text): "<origin>\n<size>\n<base64 root>\n" then optional
 * non-empty extension lines each ending in '\n'. Origin: non-empty, at most DID_LOG_ORIGIN_MAX
 * bytes of UTF-8 without control characters (other logs' origins need not be key names, so
 * spaces and '+' are accepted here). Size: ASCII decimal, no sign, no leading zeros ("0" for
 * the empty tree), fits uint64. Root: canonical padded base64 of exactly 32 bytes.
 * DID_ERR_LOG_CHECKPOINT for any violation; DID_ERR_LIMIT past the extension limits. */
int did_log_checkpoint_parse(const uint8_t *text, size_t len, did_log_checkpoint *out,
                             did_err *err);
/* Appends the body of cp to out. What we write is stricter than what we read: the origin must
 * be a valid key name (it is also the signing key's name). out is unchanged on error. */
int did_log_checkpoint_write(const did_log_checkpoint *cp, did_buf *out, did_err *err);
/* Appends the signed checkpoint: the body of cp signed as a note by key under name (NULL: the
 * origin, as tlog-checkpoint recommends). Only ever call it over a durable (size, root): the
 * log must never sign two inconsistent checkpoints. */
int did_log_checkpoint_sign(const did_log_checkpoint *cp, const ck_key *key, const char *name,
                            size_t name_len, did_buf *out, did_err *err);
/* Opens a signed checkpoint: parses the note, verifies it against keys (did_log_note_verify),
 * and only then parses the body into cp and checks its origin equals `origin` (NULL: keys[0]'s
 * name): DID_ERR_LOG_ORIGIN otherwise. note (optional) receives the parsed note. cp and note
 * borrow from in. */
int did_log_checkpoint_open(const uint8_t *in, size_t len, const did_log_vkey *keys, size_t nkeys,
                            const char *origin, size_t origin_len, did_log_note *note,
                            did_log_checkpoint *cp, did_err *err);

/* =============================================================================================
 * Proofs (c2sp.org/tlog-proof@v1)
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64 of opaque, unauthenticated bytes>]
 *   index <decimal>
 *   <base64 hash, leaf sibling first>   (0 .. 63 lines)
 *   <empty line>
 *   <signed checkpoint, verbatim>
 */
#define DID_LOG_TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"
#define DID_LOG_TLOG_PROOF_MAX_HASHES 63
#define DID_LOG_EXTRA_MAX 1024 /* decoded bytes of the extra line */
#define DID_LOG_TLOG_PROOF_MAX_LEN (DID_LOG_NOTE_MAX_LEN + 8192)

typedef struct did_log_proof {
    int has_extra;
    uint8_t extra[DID_LOG_EXTRA_MAX]; /* unauthenticated: never trust it implicitly */
    size_t extra_len;
    uint64_t index;
    size_t n_hashes;
    uint8_t hashes[DID_LOG_TLOG_PROOF_MAX_HASHES][DID_LOG_HASH_LEN];
    const uint8_t *checkpoint; /* the signed checkpoint note, borrowed from the input */
    size_t checkpoint_len;
    did_log_note note;       /* parsed from checkpoint, not verified */
    did_log_checkpoint body; /* parsed from note.text, not verified */
} did_log_proof;

/* Parses a tlog-proof (syntax only: nothing is verified). The extra line, if present, must be
 * non-empty canonical base64 of at most DID_LOG_EXTRA_MAX bytes; the index ASCII decimal
 * without leading zeros; each hash line canonical base64 of exactly 32 bytes, at most 63 of
 * them. DID_ERR_LOG_PROOF_FORMAT for the proof lines, DID_ERR_LOG_NOTE / DID_ERR_LOG_CHECKPOINT
 * for the checkpoint, DID_ERR_LIMIT past DID_LOG_TLOG_PROOF_MAX_LEN or 63 hashes. */
int did_log_proof_parse(const uint8_t *in, size_t len, did_log_proof *out, did_err *err);
/* Appends a tlog-proof. extra may be NULL (no extra line); otherwise 1 .. DID_LOG_EXTRA_MAX
 * bytes. checkpoint must parse as a signed checkpoint. out is unchanged on error. */
int did_log_proof_write(uint64_t index, const uint8_t hashes[][DID_LOG_HASH_LEN], size_t n_hashes,
                        const uint8_t *extra, size_t extra_len, const uint8_t *checkpoint,
                        size_t checkpoint_len, did_buf *out, did_err *err);

/* What an offline verification established. */
typedef struct did_log_verified {
    uint64_t index;
    uint64_t size;
    uint8_t root[DID_LOG_HASH_LEN];
    uint8_t leaf_hash[DID_LOG_HASH_LEN];
} did_log_verified;

/* Offline verification of an entry against a tlog-proof and the log's verifier key:
 *  1. parse the proof (errors as did_log_proof_parse);
 *  2. verify the checkpoint note: a signature by log_key must be present (DID_ERR_LOG_KEY) and
 *     valid (DID_ERR_LOG_NOTE_SIG); other signatures (witnesses) are ignored here;
 *  3. the checkpoint origin must equal `origin` (NULL: log_key's name): DID_ERR_LOG_ORIGIN;
 *  4. index < size: DID_ERR_LOG_SIZE;
 *  5. the RFC 9162 inclusion proof of SHA-256(0x00 || entry) at index: DID_ERR_LOG_PROOF.
 * On success *out (optional) holds the index, size, root and leaf hash. Witness cosignature
 * policies (k of n) are left to the caller, on the parsed note. */
int did_log_proof_verify(const uint8_t *entry, size_t entry_len, const uint8_t *proof,
                         size_t proof_len, const did_log_vkey *log_key, const char *origin,
                         size_t origin_len, did_log_verified *out, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_LOG_H */
