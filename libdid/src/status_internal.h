/* Helpers shared by status_list.c (the bitstring, issuing) and status_check.c (verifying). */
#ifndef DID_STATUS_INTERNAL_H
#define DID_STATUS_INTERNAL_H

#include <stddef.h>

/* 1 when s[0..len) is one of the four purposes the specification defines. */
int did_status_purpose_known(const char *s, size_t len);

/* 1 when s[0..len) is an absolute URL as far as we check one: at most DID_STATUS_MAX_URL bytes,
 * an RFC 3986 scheme, ':', something after it, and only printable ASCII (no spaces, controls
 * or NULs). */
int did_status_url_ok(const char *s, size_t len);

#endif
