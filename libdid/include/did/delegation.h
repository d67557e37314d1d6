/*
 * did/delegation.h -- delegation credentials (`dlg+jwt`) from a principal DID to an agent DID,
 * hash-linked chains of them, attenuation, scope checks (spec/approvals.md, "Delegation").
 *
 * A link is a compact JWS (typ "dlg+jwt") signed with a key in the issuer's DID
 * capabilityDelegation relationship, over a JWT claims set:
 *   iss, sub (delegate), jti, iat, nbf?, exp, prn (root principal), prf (null at the root, else
 *   "sha-256:" + base64url(SHA-256(parent compact JWS))), cnf? {kid}, dlg {cmd[], aud[], res[],
 *   pol[], lim? {per_txn?, budget? {value, currency, period}, max_uses?}, tier, veto_s?,
 *   cosign? {k, of[], min_loa?}, max_depth, sig_level?, log?}
 * Every member is typed exactly and bounded; unknown members are refused (DID_ERR_DLG_FORMAT).
 * Money is integer minor units with an ISO 4217 code. Chains are root first, at most
 * DID_DLG_MAX_CHAIN links, and each link may only narrow its parent (did_dlg_attenuates).
 * The chain digest is the leaf's reference: every link names its parent by digest, so the
 * leaf's digest commits to the whole chain.
 */
#ifndef DID_DELEGATION_H
#define DID_DELEGATION_H

#include <jansson.h>

#include <did/did.h>
#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_DLG_TYP "dlg+jwt"
#define DID_DLG_MAX_CHAIN 4                 /* links in a chain, root and leaf included */
#define DID_DLG_MAX_LEN 16384               /* bytes of one compact dlg+jwt */
#define DID_DLG_MAX_LIST 32                 /* entries of cmd, aud, res, cosign.of */
#define DID_APR_MAX_DID 512                 /* bytes of a DID or DID URL */
#define DID_APR_MAX_STR 512                 /* bytes of a command, resource pattern, jti, URI */
#define DID_DLG_MAX_VETO_S (30 * 86400)     /* longest veto window */
#define DID_DLG_MAX_PERIOD_S (366 * 86400)  /* longest budget period */
#define DID_APR_REF_LEN 52                  /* "sha-256:" + 43 base64url chars + NUL */
#define DID_APR_MAX_TIME ((int64_t)1 << 53) /* NumericDates are integers in [0, 2^53] */

/* Money: integer minor units (ISO 4217), never floating point. */
typedef struct did_money {
    int64_t value;    /* >= 0 */
    char currency[4]; /* three upper-case ASCII letters and a NUL */
} did_money;

/* Signature levels, ordered: SES < AdES < AdES-QC < QES ("SES", "AdES", "AdES-QC", "QES"). */
enum {
    DID_SIG_LEVEL_NONE = 0,
    DID_SIG_LEVEL_SES,
    DID_SIG_LEVEL_ADES,
    DID_SIG_LEVEL_ADES_QC,
    DID_SIG_LEVEL_QES
};
/* eIDAS levels of assurance, ordered (http://eidas.europa.eu/LoA/low|substantial|high). */
enum { DID_LOA_NONE = 0, DID_LOA_LOW, DID_LOA_SUBSTANTIAL, DID_LOA_HIGH };
/* Autonomy tiers. */
enum { DID_TIER_SUPERVISED = 1, DID_TIER_ON_THE_LOOP = 2, DID_TIER_AUTONOMOUS = 3 };

/* One verified (or merely checked) link. Strings borrow from claims. */
typedef struct did_dlg {
    json_t *claims; /* owned */
    char *jws;      /* owned copy of the compact JWS, NUL-terminated */
    size_t jws_len;
    uint8_t digest[32];        /* SHA-256 of the compact JWS bytes */
    char ref[DID_APR_REF_LEN]; /* "sha-256:" + base64url(digest) */
    ck_key *key;               /* the issuer key that verified it (owned), or NULL */
    const char *iss, *sub, *prn, *jti;
    const char *prf;                     /* NULL at the root */
    const char *cnf_kid;                 /* NULL: the agent signs with its sub DID's keys */
    int64_t iat, nbf, exp;               /* nbf = iat when absent */
    const json_t *cmd, *aud, *res, *pol; /* arrays, borrowed */
    int has_per_txn;
    did_money per_txn;
    int has_budget;
    did_money budget;
    int64_t budget_period_s;
    int has_max_uses;
    int64_t max_uses;
    int tier;       /* DID_TIER_* */
    int64_t veto_s; /* 0 when absent */
    int has_cosign;
    int64_t cosign_k;
    const json_t *cosign_of;
    int cosign_min_loa; /* DID_LOA_* */
    int64_t max_depth;
    int sig_level; /* DID_SIG_LEVEL_*; NONE when absent (no limit stated: treated as SES) */
    const char *log;
} did_dlg;

void did_dlg_init(did_dlg *d);
void did_dlg_clear(did_dlg *d);

/* Checks a claims set against the format above (types, members, limits, ordering: iat <= nbf <
 * exp, prf null iff iss == prn...). When out is non-NULL its borrowed fields point into claims
 * (out->claims is not set: the caller keeps claims alive). DID_ERR_DLG_FORMAT names the member;
 * DID_ERR_POLICY_SYNTAX / DID_ERR_LIMIT for a bad "pol". */
int did_dlg_check_claims(const json_t *claims, did_dlg *out, did_err *err);

/* Checks claims, then signs them as a dlg+jwt with key under kid (a DID URL whose DID is the
 * claims' iss). Appends the compact JWS to out. */
int did_dlg_sign(const ck_key *key, const char *kid, const json_t *claims, did_buf *out,
                 did_err *err);

/* The reference of a compact JWS: "sha-256:" + base64url(SHA-256(bytes)) (for "prf"). */
int did_dlg_ref(const char *jws, size_t len, char out[DID_APR_REF_LEN], did_err *err);

/* Verifies one link: compact JWS (typ dlg+jwt, EdDSA/ES256/ES384/ES256K), kid's DID = iss,
 * key in iss's capabilityDelegation; then the claims (did_dlg_check_claims). No time checks.
 * *out owns everything (did_dlg_clear). JOSE errors pass through (DID_ERR_JWS_*),
 * DID_ERR_LIMIT past DID_DLG_MAX_LEN. */
int did_dlg_verify(const did_ctx *ctx, const char *jws, size_t len, did_dlg *out, did_err *err);

/* Whether child only narrows parent: commands under parent commands (UCAN segment rule), aud and
 * cosign.of subsets, resource patterns matched by a parent pattern, each limit present where the
 * parent has it and not larger (same currency; budget period not shorter), tier and sig_level not
 * higher, veto_s, cosign.k and min_loa not lower, max_depth below the parent's, validity within
 * the parent's (nbf >=, exp <=, iat >=), same prn and log. pol needs no check: every link's
 * policy applies. DID_ERR_DLG_ATTENUATION naming the member; DID_ERR_DLG_DEPTH when the parent's
 * max_depth is 0. */
int did_dlg_attenuates(const did_dlg *parent, const did_dlg *child, did_err *err);

/* 1 if command `cmd` is `scope` or under it ("/a" covers "/a" and "/a/b", not "/ab"; "/" covers
 * everything). */
int did_dlg_cmd_covers(const char *scope, size_t scope_len, const char *cmd, size_t cmd_len);
/* 1 if the resource pattern (only '*' is special: any run of bytes) matches s. */
int did_dlg_res_matches(const char *pattern, size_t plen, const char *s, size_t slen);

/* Revocation, supplied by the caller (status list, log index): *revoked = 1 if the link was
 * revoked at or before `at`. A non-zero return aborts the verification with that code. */
typedef int (*did_dlg_revoked_fn)(void *user, const did_dlg *link, int64_t at, int *revoked,
                                  did_err *err);

typedef struct did_dlg_chain_opts {
    int64_t at;                 /* the (trusted) signing time; 0: now */
    int64_t skew;               /* allowed clock skew for nbf, seconds (0..300) */
    did_dlg_revoked_fn revoked; /* NULL: no revocation source (the caller decides) */
    void *revoked_user;
    const char *const *trusted_roots; /* NULL-terminated DIDs; NULL: any root */
} did_dlg_chain_opts;

typedef struct did_dlg_chain {
    size_t n;
    did_dlg links[DID_DLG_MAX_CHAIN]; /* root first */
    int tier;                         /* min over the links */
    int64_t veto_s;                   /* max over the links */
    int64_t cosign_k;                 /* max over the links (0: none asked) */
    int min_loa;                      /* max over the links' cosign.min_loa */
} did_dlg_chain;

void did_dlg_chain_init(did_dlg_chain *c);
void did_dlg_chain_clear(did_dlg_chain *c);

/* Verifies a chain root first: count (1..DID_DLG_MAX_CHAIN: DID_ERR_DLG_DEPTH), each link
 * (did_dlg_verify), no link or delegate twice (DID_ERR_DLG_LOOP), root prf null and iss = prn
 * (DID_ERR_DLG_ALIGNMENT), trusted root (DID_ERR_DLG_PRINCIPAL), each child's iss = parent's sub
 * and prf = parent's reference and prn constant (DID_ERR_DLG_ALIGNMENT), attenuation, length
 * within the root's max_depth + 1 (DID_ERR_DLG_DEPTH), each link valid at opts->at
 * (DID_ERR_DLG_EXPIRED / _NOT_YET), not revoked (DID_ERR_DLG_REVOKED). */
int did_dlg_chain_verify(const did_ctx *ctx, const char *const *jws, const size_t *lens, size_t n,
                         const did_dlg_chain_opts *opts, did_dlg_chain *out, did_err *err);

/* Checks that a request is inside every link of a verified chain: cmd covered by a cmd of each
 * link (DID_ERR_DLG_CMD), service in each aud (DID_ERR_DLG_SERVICE), res matched by a pattern of
 * each link (DID_ERR_DLG_RESOURCE), args pass each pol (DID_ERR_DLG_POLICY), the amount
 * (args.amount as money) within each per_txn, same currency (DID_ERR_DLG_LIMIT; an amount is
 * required when a per_txn is set), sig_level not above any link's (DID_ERR_DLG_LIMIT). */
int did_dlg_chain_allows(const did_dlg_chain *c, const char *cmd, const char *service,
                         const char *res, const json_t *args, int sig_level, did_err *err);

/* The amount of a request: args.amount as {"value", "currency"}. *present 0 when args has no
 * "amount"; DID_ERR_DLG_LIMIT when it is malformed. */
int did_dlg_amount(const json_t *args, did_money *out, int *present, did_err *err);

/* ---------------------------------------------------------------------------------------------
 * Budgets and use counts are checked by whoever sees all approvals: the log's single writer,
 * inside its write transaction, so parallel approvals cannot jointly overspend. The verifier
 * asks through this callback once per link that has a budget or max_uses.
 */
typedef struct did_dlg_budget_query {
    const did_dlg *link;  /* the link whose lim applies */
    size_t link_index;    /* 0 = root */
    const char *root_ref; /* the root link's reference: identifies the mandate */
    int has_amount;
    did_money amount; /* this approval's amount */
    int64_t at;       /* signing time */
} did_dlg_budget_query;

/* *within = 1 if the approval fits: prior approvals under link in [at - period, at] plus this
 * one stay within lim.budget, and their count plus one within lim.max_uses. */
typedef int (*did_dlg_budget_fn)(void *user, const did_dlg_budget_query *q, int *within,
                                 did_err *err);

/* The arithmetic the writer runs with its own totals: spent (same currency as the budget) and
 * uses are the sums of prior approvals under this link in the period. DID_ERR_DLG_BUDGET when
 * spent + amount exceeds the budget (overflow-checked) or uses + 1 exceeds max_uses;
 * DID_ERR_DLG_LIMIT for another currency. */
int did_dlg_budget_check(const did_dlg *link, int64_t spent, int64_t uses, const did_money *amount,
                         did_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DID_DELEGATION_H */
