/*
 * did/error.h -- the libdid error model, growable buffers and the library context.
 *
 * Every fallible function returns 0 (DID_OK) or a stable DID_ERR_* code and fills the optional
 * `did_err *err` with the code and a message naming the field, offset or limit that failed.
 * Codes are documented in spec/errors.md and never renumbered; messages may change.
 *
 * Code ranges: 1-99 general, 100-199 crypto (the CK_ERR_* codes of ck.h, passed through as they
 * are), 200-299 JSON/JCS, 300-399 codecs, 400-499 DIDs and resolution, 500-599 JOSE/JWT,
 * 600-699 credentials and presentations, 700-799 Data Integrity, 800-899 SD-JWT, 900-999 status
 * lists, 1000-1099 the audit log, 1100-1149 fetching (did/fetch.h), 1300-1399 approvals and
 * delegation (did/approval.h, did/delegation.h, did/policy.h). Later modules take the
 * next free ranges (see spec/errors.md). Each code's meaning is in spec/errors.md.
 */
#ifndef DID_ERROR_H
#define DID_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include <ck/ck.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DID_OK = 0,
    /* general */
    DID_ERR_NOMEM = 1,    /* allocation failed */
    DID_ERR_ARG = 2,      /* invalid argument from the caller (NULL, bad enum) */
    DID_ERR_LIMIT = 3,    /* an explicit limit was exceeded (the message names it) */
    DID_ERR_INTERNAL = 4, /* a dependency failed unexpectedly */
    DID_ERR_IO = 5,       /* file or stream I/O failed */
    /* JSON and JCS */
    DID_ERR_JSON_SYNTAX = 200,        /* not valid JSON (message has line, column, offset) */
    DID_ERR_JSON_DUPLICATE_KEY = 201, /* an object has the same member name twice */
    DID_ERR_JSON_DEPTH = 202,         /* nesting deeper than the limit */
    DID_ERR_JSON_SIZE = 203,          /* document larger than the limit */
    DID_ERR_JSON_STRING = 204,        /* a string or member name longer than the limit */
    DID_ERR_JSON_UTF8 = 205,          /* invalid UTF-8, lone surrogate escape, or U+0000 */
    DID_ERR_JSON_NUMBER = 206,        /* number not representable as an IEEE 754 double */
    DID_ERR_JSON_TYPE = 207,          /* a member is missing or has the wrong JSON type */
    DID_ERR_JSON_COUNT = 208,         /* an object or array has more entries than the limit */
    /* codecs */
    DID_ERR_BASE58 = 300,     /* invalid base58btc character or input too long */
    DID_ERR_MULTIBASE = 301,  /* empty, or a multibase prefix we do not accept */
    DID_ERR_VARINT = 302,     /* truncated, overlong or non-minimal unsigned varint */
    DID_ERR_MULTICODEC = 303, /* unknown or unsupported multicodec, or wrong key length */
    /* DIDs */
    DID_ERR_DID_SYNTAX = 400,         /* not a DID per DID Core section 3.1 */
    DID_ERR_DID_URL_SYNTAX = 401,     /* not a DID URL per DID Core section 3.2 */
    DID_ERR_DID_METHOD = 402,         /* DID method not supported by this resolver */
    DID_ERR_DID_INVALID = 403,        /* method-specific identifier invalid for the method */
    DID_ERR_DID_NOT_FOUND = 404,      /* the DID could not be found */
    DID_ERR_DID_VM_NOT_FOUND = 405,   /* no verification method with that id in the document */
    DID_ERR_DID_VM_RELATIONSHIP = 406,/* method not authorised for the verification relationship */
    DID_ERR_DID_DOC_INVALID = 407,    /* DID document malformed or its id is not the DID */
    DID_ERR_DID_VM_INVALID = 408,     /* verification method malformed or its key unusable */
    /* JOSE and JWT */
    DID_ERR_JWS_FORMAT = 500,    /* not three base64url parts separated by '.' */
    DID_ERR_JWS_HEADER = 501,    /* protected header is not a JSON object or a member is bad */
    DID_ERR_JWS_ALG = 502,       /* alg missing, "none", HMAC, or not in the allow-list */
    DID_ERR_JWS_TYP = 503,       /* typ missing or not the expected one */
    DID_ERR_JWS_CRIT = 504,      /* crit malformed or names an extension we do not process */
    DID_ERR_JWS_KID = 505,       /* kid missing or not resolvable to a key */
    DID_ERR_JWS_SIGNATURE = 506, /* signature does not verify */
    DID_ERR_JWS_KEY_ALG = 507,   /* alg does not match the key's type */
    DID_ERR_JWT_EXPIRED = 510,   /* exp is in the past (beyond the allowed skew) */
    DID_ERR_JWT_NOT_YET = 511,   /* nbf is in the future (beyond the allowed skew) */
    DID_ERR_JWT_IAT = 512,       /* iat is in the future (beyond the allowed skew) */
    DID_ERR_JWT_CLAIM = 513,     /* a registered claim is missing or of the wrong type */
    DID_ERR_JWT_AUD = 514,       /* aud does not contain the expected audience */
    DID_ERR_JWT_ISS = 515,       /* iss is not the expected issuer */
    /* credentials and presentations (did/vc.h) */
    DID_ERR_VC_CONTEXT = 600,
    DID_ERR_VC_TYPE = 601,
    DID_ERR_VC_ISSUER = 602,
    DID_ERR_VC_DATE = 603,
    DID_ERR_VC_NOT_YET_VALID = 604,
    DID_ERR_VC_EXPIRED = 605,
    DID_ERR_VC_SUBJECT = 606,
    DID_ERR_VC_STATUS = 607,
    DID_ERR_VC_SCHEMA = 608,
    DID_ERR_VC_ID = 609,
    DID_ERR_VP_HOLDER = 610,
    DID_ERR_VP_CREDENTIAL = 611,
    DID_ERR_VC_FORMAT = 612,
    DID_ERR_VC_JWT = 613,
    DID_ERR_VC_ISSUER_KEY = 614,
    DID_ERR_VC_UNSECURED = 615,
    DID_ERR_VC_PROPERTY = 616,
    DID_ERR_VP_NONCE = 617,
    DID_ERR_VP_CHALLENGE_UNKNOWN = 618, /* challenge missing, or not one this verifier issued */
    DID_ERR_VP_CHALLENGE_EXPIRED = 619, /* challenge issued by this verifier, but expired */
    DID_ERR_VP_CHALLENGE_USED = 620,    /* challenge already used in a verification */
    DID_ERR_VC_ISSUER_UNTRUSTED = 621,  /* issuer not in the verifier's trusted issuers */
    /* Data Integrity (did/di.h) */
    DID_ERR_DI_PROOF = 700,
    DID_ERR_DI_CRYPTOSUITE = 701,
    DID_ERR_DI_PROOF_VALUE = 702,
    DID_ERR_DI_PURPOSE = 703,
    DID_ERR_DI_SIGNATURE = 704,
    DID_ERR_DI_CREATED = 705,
    DID_ERR_DI_CHALLENGE = 706,
    DID_ERR_DI_DOMAIN = 707,
    DID_ERR_DI_CONTEXT = 708,
    DID_ERR_DI_KEY = 709,
    /* SD-JWT (did/sdjwt.h) */
    DID_ERR_SDJWT_FORMAT = 800,
    DID_ERR_SDJWT_DISCLOSURE = 801,
    DID_ERR_SDJWT_DIGEST_DUP = 802,
    DID_ERR_SDJWT_UNREFERENCED = 803,
    DID_ERR_SDJWT_RESERVED = 804,
    DID_ERR_SDJWT_ALG = 805,
    DID_ERR_SDJWT_KB = 806,
    DID_ERR_SDJWT_KB_NONCE = 807,
    DID_ERR_SDJWT_KB_AUD = 808,
    DID_ERR_SDJWT_KB_HASH = 809,
    DID_ERR_SDJWT_KB_IAT = 810,
    DID_ERR_SDJWT_CNF = 811,
    DID_ERR_SDJWT_VCT = 812,
    DID_ERR_SDJWT_PATH = 813,
    /* status lists (did/status.h) */
    DID_ERR_STATUS_ENCODING = 900,
    DID_ERR_STATUS_INDEX = 901,
    DID_ERR_STATUS_PURPOSE = 902,
    DID_ERR_STATUS_REVOKED = 903,
    DID_ERR_STATUS_SUSPENDED = 904,
    DID_ERR_STATUS_LIST = 905,
    DID_ERR_STATUS_ENTRY = 906,
    DID_ERR_STATUS_TYPE = 907,
    DID_ERR_STATUS_REFRESH = 908,
    DID_ERR_STATUS_MESSAGE = 909,
    /* audit log (did/log.h) */
    DID_ERR_LOG_PROOF = 1000,        /* an inclusion or consistency proof does not verify */
    DID_ERR_LOG_NOTE = 1001,         /* signed note malformed (the message gives the offset) */
    DID_ERR_LOG_NOTE_SIG = 1002,     /* a signature by a known key does not verify */
    DID_ERR_LOG_CHECKPOINT = 1003,   /* checkpoint body malformed: origin, size, root, extensions */
    DID_ERR_LOG_SIZE = 1004,         /* index or tree size out of range */
    DID_ERR_LOG_KEY = 1005,          /* key string malformed, or no signature by a known key */
    DID_ERR_LOG_PROOF_FORMAT = 1006, /* tlog-proof text malformed */
    DID_ERR_LOG_ORIGIN = 1007,       /* checkpoint origin is not the expected log */
    DID_ERR_LOG_STORE = 1008,        /* LMDB or file-system failure (message has mdb_strerror) */
    DID_ERR_LOG_STATE = 1009,        /* stored state inconsistent, or behind/forked from a checkpoint */
    DID_ERR_LOG_ENTRY = 1010,        /* log entry malformed (did/log_entry.h) */
    DID_ERR_LOG_CLOSED = 1011,       /* the log store is closing */
    DID_ERR_LOG_LOCKED = 1012,       /* another process has the log open */
    /* fetching (did/fetch.h) */
    DID_ERR_FETCH = 1100,        /* network or TLS failure, timeout (message has libcurl's text) */
    DID_ERR_FETCH_STATUS = 1101, /* the HTTP status is not 200 (the message has it) */
    DID_ERR_FETCH_SCHEME = 1102, /* not an https URL (or allowed loopback http), or a redirect
                                    to another scheme */
    DID_ERR_FETCH_TYPE = 1103,   /* the response's media type is not one that was asked for */
    /* approvals and delegation (did/approval.h, did/delegation.h, did/policy.h): 1300-1399 */
    /* approval request (apreq+jwt) malformed: member missing, unknown, of the wrong type or over
       a limit */
    DID_ERR_APR_REQUEST = 1300,
    /* approval envelope (JWS JSON general serialisation) or a protected header malformed */
    DID_ERR_APR_ENVELOPE = 1301,
    DID_ERR_APR_STATEMENT = 1302, /* approval statement (the payload) malformed */
    DID_ERR_APR_REPLAY = 1303, /* request or statement already seen (replay) */
    /* addressed to another service: rq.iss or the statement's aud is not this verifier */
    DID_ERR_APR_AUDIENCE = 1304,
    DID_ERR_APR_EXPIRED = 1305, /* the request expired before it was approved or used */
    DID_ERR_APR_NONCE = 1306, /* the statement's nonce is not the request's */
    /* a time is implausible: iat in the future, before the request, window too long */
    DID_ERR_APR_TIME = 1307,
    /* the statement does not bind this request or this delegation chain (digest differs) */
    DID_ERR_APR_BINDING = 1308,
    DID_ERR_APR_DISPLAY = 1309, /* the display text, its digest or its rendering does not match */
    DID_ERR_APR_CONTENT = 1310, /* document digests or transaction_data do not match the request */
    /* a signature by a party with no role in this approval, or a role mismatch */
    DID_ERR_APR_SIGNER = 1311,
    DID_ERR_APR_COMMITMENT = 1312, /* srCm commitment type not the one the signer's role requires */
    DID_ERR_APR_TIER = 1313, /* the statement's tier is not the effective tier */
    /* tier 1 without k valid co-signatures from the allowed co-signers */
    DID_ERR_APR_COSIGN = 1314,
    DID_ERR_APR_VETO = 1315, /* tier 2: vetoed, or the veto window has not closed */
    /* tier 3 without a valid audit-log inclusion proof of this approval */
    DID_ERR_APR_AUDIT = 1316,
    /* delegation (dlg+jwt) malformed: member missing, unknown, of the wrong type or over a limit */
    DID_ERR_DLG_FORMAT = 1330,
    DID_ERR_DLG_DEPTH = 1331, /* chain longer than 4 links or than the root's max_depth allows */
    DID_ERR_DLG_LOOP = 1332, /* a link or a delegate repeats in the chain */
    /* a link's iss is not its parent's sub, its prf not its parent's digest, or prn differs */
    DID_ERR_DLG_ALIGNMENT = 1333,
    DID_ERR_DLG_ATTENUATION = 1334, /* a link widens its parent */
    DID_ERR_DLG_EXPIRED = 1335, /* a link expired before the signing time */
    DID_ERR_DLG_NOT_YET = 1336, /* a link is not yet valid at the signing time */
    DID_ERR_DLG_REVOKED = 1337, /* a link is revoked */
    /* wrong principal: the root, prn and the request's aud disagree, or the root is not trusted */
    DID_ERR_DLG_PRINCIPAL = 1338,
    DID_ERR_DLG_AGENT = 1339, /* the agent that signed is not the chain's delegate */
    DID_ERR_DLG_CMD = 1340, /* the request's command is outside a link's commands */
    DID_ERR_DLG_SERVICE = 1341, /* the requesting service is not in a link's aud */
    DID_ERR_DLG_RESOURCE = 1342, /* the request's resource matches no pattern of a link */
    DID_ERR_DLG_POLICY = 1343, /* the request's args fail a link's policy */
    /* amount above a per-transaction limit, other currency, or signature level above the allowed */
    DID_ERR_DLG_LIMIT = 1344,
    DID_ERR_DLG_BUDGET = 1345, /* budget per period or maximum uses exhausted */
    /* a policy is malformed: unknown operator, bad selector, bad like pattern, wrong arity */
    DID_ERR_POLICY_SYNTAX = 1350,
};

#define DID_ERR_MSG_MAX 256

typedef struct did_err {
    int code;
    char msg[DID_ERR_MSG_MAX];
} did_err;

/* Resets *err to DID_OK with an empty message. */
void did_err_clear(did_err *err);
/* Sets code and a printf-style message (if err is non-NULL) and returns code. */
int did_err_set(did_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Copies a crypto error into err (code passes through unchanged) and returns its code. */
int did_err_from_ck(did_err *err, const ck_err *ce);
/* Prefixes the message already in err with "prefix: " (for context while unwinding). */
void did_err_prefix(did_err *err, const char *prefix);
/* Stable symbolic name of any libdid or crypto code ("DID_ERR_JSON_DUPLICATE_KEY"). */
const char *did_err_name(int code);

/* ---------------------------------------------------------------------------------------------
 * Growable byte buffer. `data` is always NUL-terminated after a successful append (the NUL is
 * not counted in `len`), so text built in a did_buf can be used as a C string.
 */
#define DID_BUF_MAX ((size_t)1 << 30) /* no buffer grows past 1 GiB: DID_ERR_LIMIT */

typedef struct did_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} did_buf;

void did_buf_init(did_buf *b);
/* Frees the memory and re-initialises; the _secret form wipes the bytes first. */
void did_buf_clear(did_buf *b);
void did_buf_clear_secret(did_buf *b);
/* Keeps the memory, sets len to 0. */
void did_buf_reset(did_buf *b);
int did_buf_reserve(did_buf *b, size_t extra);
int did_buf_append(did_buf *b, const void *p, size_t n);
int did_buf_append_str(did_buf *b, const char *s);
int did_buf_putc(did_buf *b, char c);
/* The arguments must not point into b itself: growing b frees its old memory first. */
int did_buf_printf(did_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A malloc'd, NUL-terminated copy of p[0..n) (free with free()), or NULL when out of memory.
 * Unlike strndup it never reads past n bytes, so p need not be a C string. */
char *did_strdup_n(const void *p, size_t n);
/* Hands the bytes to the caller (free with free()) and re-initialises b. */
uint8_t *did_buf_steal(did_buf *b, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* DID_ERROR_H */
