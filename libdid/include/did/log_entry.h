/*
 * did/log_entry.h -- the binary format of audit-log entries (the leaves of the log's tree).
 *
 * An entry is what the Merkle tree commits to: its leaf hash is SHA-256(0x00 || entry bytes).
 * Leaves are immutable and every proof depends on them, so an entry holds no personal data in
 * clear: digests, pseudonymous identifiers (pairwise DIDs, HMAC pseudonyms), key thumbprints,
 * enumerated intent and references to other entries. Documents, identities and validation data
 * go in erasable evidence blobs bound by digest (spec/auditlog.md, "Entries").
 *
 *   entry = version (1 byte, DID_LOG_ENTRY_VERSION) || type (1 byte) || field*
 *   field = tag (1 byte) || length (2 bytes, big-endian) || value (length bytes)
 *
 * Tags have one meaning and one value syntax across all entry types (the DID_LOG_F_* list);
 * each type allows a fixed set of them, some required. Fields appear in strictly increasing tag
 * order; only DID_LOG_F_DOC may repeat, consecutively. Every value has exactly one encoding
 * (fixed layouts, big-endian integers, enumerations checked, text restricted to printable
 * ASCII), so an entry that decodes is canonical: decoding and re-encoding gives the same bytes.
 * The decoder is strict ("reject, don't repair"): unknown versions, types or tags, fields out of
 * order, wrong lengths, out-of-range values, missing required fields and trailing bytes are all
 * DID_ERR_LOG_ENTRY, with the byte offset in the message; inputs longer than
 * DID_LOG_ENTRY_MAX_LEN or with more than DID_LOG_ENTRY_MAX_FIELDS fields are DID_ERR_LIMIT.
 * Decoded forms borrow pointers into the input and allocate nothing.
 */
#ifndef DID_LOG_ENTRY_H
#define DID_LOG_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_LOG_ENTRY_VERSION 1
#define DID_LOG_ENTRY_MAX_LEN 16384 /* bytes of one entry (well under tlog-tiles' 64 KiB) */
#define DID_LOG_ENTRY_MAX_FIELDS 96 /* fields of one entry, the common ones included */
#define DID_LOG_ENTRY_MAX_DOCS 64   /* DID_LOG_F_DOC fields of one entry */
#define DID_LOG_SERVICE_ID_MAX 255  /* bytes of a service id (printable ASCII, no space) */
#define DID_LOG_REQUEST_ID_MAX 64   /* bytes of a request id (opaque) */
#define DID_LOG_ENTRY_ID_LEN 16     /* a UUIDv7 assigned at intake */
#define DID_LOG_DIGEST_LEN 32       /* SHA-256 digests and key thumbprints */

/* Entry types. */
enum {
    DID_LOG_ENTRY_APPROVAL = 1,          /* an approval: who signed what, on whose behalf, how */
    DID_LOG_ENTRY_REFUSAL = 2,           /* a refusal, or the withdrawal of an approval */
    DID_LOG_ENTRY_DELEGATION_GRANT = 3,  /* a principal delegates to an agent, within a scope */
    DID_LOG_ENTRY_DELEGATION_REVOKE = 4, /* a grant is revoked */
    DID_LOG_ENTRY_KEY_EVENT = 5,         /* a key was added, rotated or revoked */
    DID_LOG_ENTRY_ANCHOR = 6,            /* a digest anchored in the log (another log's head...) */
    DID_LOG_ENTRY_ISSUANCE = 7,          /* a credential was issued */
};

/* Field tags and the syntax of their values (see spec/auditlog.md for which type allows which).
 *   ID16       16 bytes                   DIGEST   32 bytes
 *   U64        8 bytes, big-endian        U8       1 byte, in the range given
 *   IDTEXT     printable ASCII without space (0x21-0x7E), length range given
 *   TEXT       printable ASCII (0x20-0x7E), length range given
 *   BYTES      opaque, length range given
 *   PARTY      did_log_party_write        DOCREF   did_log_docref_write
 *   REF        u64 index || 32-byte leaf hash of an earlier entry of this log (40 bytes)
 */
enum {
    /* every type: 1-4 required, 255 optional */
    DID_LOG_F_ENTRY_ID = 1,    /* ID16: UUIDv7 assigned at intake */
    DID_LOG_F_RECEIVED_MS = 2, /* U64: the log's clock at intake, ms since the epoch (CLAIMED) */
    DID_LOG_F_SERVICE_ID = 3,  /* IDTEXT 1..255: the requesting service (a DID or URI) */
    DID_LOG_F_REQUEST_ID = 4,  /* BYTES 1..64: the service's idempotency key */
    /* approvals and refusals */
    DID_LOG_F_SIGNER = 16,          /* PARTY: who produced the signature or seal */
    DID_LOG_F_PRINCIPAL = 17,       /* PARTY: on whose behalf (absent: the signer) */
    DID_LOG_F_DELEGATION_REF = 18,  /* REF: the delegation grant relied upon */
    DID_LOG_F_DOC = 19,             /* DOCREF, repeatable: what was signed */
    DID_LOG_F_COMMITMENT_OID = 20,  /* BYTES 1..32: DER contents of the commitment-type OID */
    DID_LOG_F_ACTION = 21,          /* TEXT 1..255: the action code ("approve-payment") */
    DID_LOG_F_CONSENT_DIGEST = 22,  /* DIGEST: of the consent text shown */
    DID_LOG_F_POLICY_ID = 23,       /* TEXT 1..255: signature or approval policy */
    DID_LOG_F_SIG_FORMAT = 24,      /* U8 1..6: DID_LOG_SIG_FORMAT_* */
    DID_LOG_F_SIG_LEVEL = 25,       /* U8 1..4: DID_LOG_SIG_LEVEL_* */
    DID_LOG_F_SIG_DIGEST = 26,      /* DIGEST: of the complete signature object */
    DID_LOG_F_SIGNING_TIME_MS = 27, /* U64: signing time claimed by the signer */
    DID_LOG_F_SIG_TST_DIGEST = 28,  /* DIGEST: of the RFC 3161 token over the signature */
    DID_LOG_F_EVIDENCE_DIGEST = 29, /* DIGEST: of the evidence blob */
    DID_LOG_F_TARGET_REF = 30,      /* REF: the entry withdrawn or revoked */
    /* delegation */
    DID_LOG_F_DELEGATOR = 32,         /* PARTY: the principal who delegates */
    DID_LOG_F_DELEGATE = 33,          /* PARTY: the agent (person, organisation, AI agent) */
    DID_LOG_F_SCOPE_DIGEST = 34,      /* DIGEST: of the mandate (actions, amounts, limits) */
    DID_LOG_F_NOT_BEFORE_MS = 35,     /* U64 */
    DID_LOG_F_NOT_AFTER_MS = 36,      /* U64, greater than NOT_BEFORE_MS */
    DID_LOG_F_CREDENTIAL_DIGEST = 37, /* DIGEST: of the credential (mandate or issued) */
    DID_LOG_F_REVOKE_REASON = 38,     /* U8 1..4: DID_LOG_REVOKE_* */
    /* key events */
    DID_LOG_F_SUBJECT_ID = 40,         /* IDTEXT 1..255: the DID (or pseudonym) of the key owner */
    DID_LOG_F_KEY_EVENT = 41,          /* U8 1..3: DID_LOG_KEY_EVENT_* */
    DID_LOG_F_KEY_THUMBPRINT = 42,     /* DIGEST: the key concerned */
    DID_LOG_F_NEW_KEY_THUMBPRINT = 43, /* DIGEST: the new key (rotations only, required there) */
    DID_LOG_F_EFFECTIVE_MS = 44,       /* U64 */
    /* anchors */
    DID_LOG_F_ANCHORED_DIGEST = 48, /* DIGEST */
    DID_LOG_F_ANCHORED_ORIGIN = 49, /* TEXT 1..255: e.g. another log's origin */
    DID_LOG_F_ANCHORED_SIZE = 50,   /* U64: e.g. that log's tree size */
    /* issuance */
    DID_LOG_F_CREDENTIAL_ID_DIGEST = 56,  /* DIGEST: of the credential id */
    DID_LOG_F_CREDENTIAL_TYPE = 57,       /* TEXT 1..255: VC type or SD-JWT vct */
    DID_LOG_F_ISSUER_KEY_THUMBPRINT = 58, /* DIGEST */
    DID_LOG_F_STATUS_LIST = 59,           /* TEXT 1..255: status list credential URL */
    DID_LOG_F_STATUS_INDEX = 60,          /* U64: index in that list (only with STATUS_LIST) */
    DID_LOG_F_HOLDER_KEY_THUMBPRINT = 61, /* DIGEST: the holder binding key (cnf) */
    DID_LOG_F_VALID_UNTIL_MS = 62,        /* U64 */
    /* every type */
    DID_LOG_F_EXTENSIONS = 255, /* BYTES 1..4096: opaque, carried, never interpreted */
};

/* DID_LOG_F_SIG_FORMAT values */
enum {
    DID_LOG_SIG_FORMAT_JADES = 1,
    DID_LOG_SIG_FORMAT_CADES = 2,
    DID_LOG_SIG_FORMAT_XADES = 3,
    DID_LOG_SIG_FORMAT_PADES = 4,
    DID_LOG_SIG_FORMAT_RAW_ED25519 = 5,
    DID_LOG_SIG_FORMAT_RAW_ECDSA = 6,
};
/* DID_LOG_F_SIG_LEVEL values (ETSI baseline levels) */
enum {
    DID_LOG_SIG_LEVEL_B_B = 1,
    DID_LOG_SIG_LEVEL_B_T = 2,
    DID_LOG_SIG_LEVEL_B_LT = 3,
    DID_LOG_SIG_LEVEL_B_LTA = 4
};
/* DID_LOG_F_REVOKE_REASON values */
enum {
    DID_LOG_REVOKE_UNSPECIFIED = 1,
    DID_LOG_REVOKE_SUPERSEDED = 2,
    DID_LOG_REVOKE_KEY_COMPROMISE = 3,
    DID_LOG_REVOKE_MANDATE_ENDED = 4
};
/* DID_LOG_F_KEY_EVENT values */
enum { DID_LOG_KEY_EVENT_ADDED = 1, DID_LOG_KEY_EVENT_ROTATED = 2, DID_LOG_KEY_EVENT_REVOKED = 3 };

/* One field. value borrows from the decoded input (or from the caller, to encode). */
typedef struct did_log_field {
    uint8_t tag;
    const uint8_t *value;
    size_t len;
} did_log_field;

/* A decoded entry: all fields in order (the common ones included), plus the common fields
 * decoded for convenience. Pointers borrow from the input. */
typedef struct did_log_entry {
    uint8_t version;
    uint8_t type;
    uint8_t entry_id[DID_LOG_ENTRY_ID_LEN];
    uint64_t received_ms;
    const uint8_t *service_id;
    size_t service_id_len;
    const uint8_t *request_id;
    size_t request_id_len;
    size_t n_fields;
    did_log_field fields[DID_LOG_ENTRY_MAX_FIELDS];
} did_log_entry;

/* Decodes and checks an entry (rules above and in spec/auditlog.md). DID_ERR_LOG_ENTRY for any
 * malformation, DID_ERR_LIMIT past DID_LOG_ENTRY_MAX_LEN bytes or DID_LOG_ENTRY_MAX_FIELDS
 * fields. On error *out is cleared (n_fields 0). */
int did_log_entry_decode(const uint8_t *in, size_t len, did_log_entry *out, did_err *err);

/* Appends the entry of `type` made of fields[0 .. n) (the common fields 1-4 included, in tag
 * order) to out, then decodes the result: whatever does not decode is refused with the
 * decoder's error, and out is unchanged on error. */
int did_log_entry_encode(uint8_t type, const did_log_field *fields, size_t n, did_buf *out,
                         did_err *err);

/* The nth (0-based) field with this tag, or NULL. */
const did_log_field *did_log_entry_find(const did_log_entry *e, uint8_t tag, size_t nth);

/* Big-endian integer fields. */
void did_log_u64_write(uint64_t v, uint8_t out[8]);
uint64_t did_log_u64_read(const uint8_t in[8]);

/* ---------------------------------------------------------------------------------------------
 * Structured values.
 */
/* A party: kind || assurance || key thumbprint[32] || id (the rest). */
enum {
    DID_LOG_PARTY_CITIZEN = 1,
    DID_LOG_PARTY_ORGANIZATION = 2,
    DID_LOG_PARTY_AI_AGENT = 3,
    DID_LOG_PARTY_SERVICE = 4
};
/* assurance: 0 not stated, then the signature or seal level */
enum {
    DID_LOG_ASSURANCE_NONE = 0,
    DID_LOG_ASSURANCE_SES = 1,
    DID_LOG_ASSURANCE_ADES = 2,
    DID_LOG_ASSURANCE_ADES_QC = 3,
    DID_LOG_ASSURANCE_QES = 4,
    DID_LOG_ASSURANCE_QSEAL = 5
};
#define DID_LOG_PARTY_ID_MAX 255
#define DID_LOG_PARTY_MAX_LEN (2 + DID_LOG_DIGEST_LEN + DID_LOG_PARTY_ID_MAX)

typedef struct did_log_party {
    uint8_t kind;      /* DID_LOG_PARTY_* */
    uint8_t assurance; /* DID_LOG_ASSURANCE_* */
    uint8_t key_thumbprint[DID_LOG_DIGEST_LEN];
    const uint8_t *id; /* pairwise DID or pseudonym, never a name or national id: 1..255 bytes
                          of printable ASCII without space */
    size_t id_len;
} did_log_party;

/* Writes the value of a PARTY field into out (cap >= DID_LOG_PARTY_MAX_LEN suffices).
 * DID_ERR_LOG_ENTRY for an invalid kind, assurance or id; DID_ERR_LIMIT if cap is too small. */
int did_log_party_write(const did_log_party *p, uint8_t *out, size_t cap, size_t *len,
                        did_err *err);
/* Reads a PARTY value (id borrows from in). DID_ERR_LOG_ENTRY if malformed. */
int did_log_party_read(const uint8_t *in, size_t len, did_log_party *out, did_err *err);

/* A document reference: hash_alg || size (u64) || digest || has_presentation (0 or 1)
 * || [presentation digest] || media type (the rest). Digest lengths follow hash_alg. */
enum { DID_LOG_HASH_SHA256 = 1, DID_LOG_HASH_SHA384 = 2, DID_LOG_HASH_SHA512 = 3 };
#define DID_LOG_MEDIA_TYPE_MAX 127
#define DID_LOG_DOCREF_MAX_LEN (1 + 8 + 64 + 1 + 64 + DID_LOG_MEDIA_TYPE_MAX)

typedef struct did_log_docref {
    uint8_t hash_alg; /* DID_LOG_HASH_* */
    uint64_t size;    /* bytes of the document */
    uint8_t digest[64];
    int has_presentation; /* digest of the rendered view shown to the signer */
    uint8_t presentation[64];
    const uint8_t *media_type; /* 0..127 bytes of printable ASCII without space */
    size_t media_type_len;
} did_log_docref;

int did_log_docref_write(const did_log_docref *d, uint8_t *out, size_t cap, size_t *len,
                         did_err *err);
int did_log_docref_read(const uint8_t *in, size_t len, did_log_docref *out, did_err *err);

/* A reference to an earlier entry of the same log: index || leaf hash (40 bytes). */
#define DID_LOG_REF_LEN 40
void did_log_ref_write(uint64_t index, const uint8_t leaf_hash[32], uint8_t out[DID_LOG_REF_LEN]);
void did_log_ref_read(const uint8_t in[DID_LOG_REF_LEN], uint64_t *index, uint8_t leaf_hash[32]);

/* ---------------------------------------------------------------------------------------------
 * Issuance entries (what the issuer service logs for every credential it issues).
 */
typedef struct did_log_issuance {
    uint8_t entry_id[DID_LOG_ENTRY_ID_LEN];
    uint64_t received_ms;
    const char *service_id; /* the issuer service's id */
    size_t service_id_len;
    const uint8_t *request_id;
    size_t request_id_len;
    uint8_t credential_id_digest[DID_LOG_DIGEST_LEN];
    const char *credential_type; /* 1..255 bytes */
    size_t credential_type_len;
    uint8_t issuer_key_thumbprint[DID_LOG_DIGEST_LEN];
    const char *status_list; /* NULL: no status entry */
    size_t status_list_len;
    uint64_t status_index;
    int has_holder_key; /* holder binding */
    uint8_t holder_key_thumbprint[DID_LOG_DIGEST_LEN];
    int has_credential_digest;
    uint8_t credential_digest[DID_LOG_DIGEST_LEN];
    int has_valid_until;
    uint64_t valid_until_ms;
} did_log_issuance;

/* Appends the DID_LOG_ENTRY_ISSUANCE entry for iss to out (did_log_entry_encode). */
int did_log_issuance_encode(const did_log_issuance *iss, did_buf *out, did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_LOG_ENTRY_H */
