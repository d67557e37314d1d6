/*
 * vc_internal.h -- the violation collector shared by the credential check files (not
 * installed): vc.c (credentials, presentations) and vc_context.c (@context).
 */
#ifndef DID_VC_INTERNAL_H
#define DID_VC_INTERNAL_H

#include <stdint.h>

#include <did/vc.h>

#define DID_VC_SHOWN_MAX 64 /* longest untrusted string echoed into a message */

/* Every violation goes through one collector that records it in the caller's result and
 * remembers the first one for the return code and err. In "entry" mode (an embedded credential
 * of a presentation) every problem is recorded under `force` with `prefix` before its message,
 * and the code the call returns is `wrap`. */
typedef struct did_vc_chk {
    did_result *r;
    did_err *err;
    int first;          /* code of the first violation, DID_OK until then */
    const char *prefix; /* "verifiableCredential[2]: " in entry mode, else "" */
    const char *force;  /* entry mode: every check is recorded under this name */
    int wrap;           /* entry mode: the code the call returns for any violation */
    int64_t now, skew;
    int ignore_time;
    const char *const *contexts; /* the caller's further known contexts */
} did_vc_chk;

/* Records that check ran. */
void did_vc_ran(did_vc_chk *c, const char *check);
/* Records a violation. */
void did_vc_fail(did_vc_chk *c, const char *check, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Untrusted text for a message when it is short printable ASCII, else a placeholder. */
const char *did_vc_shown(const char *s, size_t n, char out[DID_VC_SHOWN_MAX + 1]);
/* v is the JSON string s. */
int did_vc_str_is(const json_t *v, const char *s);
/* v is a string and a URL (did_vc_is_url). */
int did_vc_json_is_url(const json_t *v);

/* The "@context" of doc (spec/credentials.md 1.1-1.3), failures recorded under check with
 * code. envelope: the VC 2.0 context may also be a plain string. */
void did_vc_check_context(did_vc_chk *c, const json_t *doc, int envelope, const char *check,
                          int code);

#endif /* DID_VC_INTERNAL_H */
