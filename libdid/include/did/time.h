/*
 * did/time.h -- XML Schema 1.1 dateTimeStamp values (the form VC Data Model 2.0 validFrom /
 * validUntil and Data Integrity created / expires must take) to and from seconds since the
 * epoch.
 *
 * Accepted: YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm), years 0001-9999 with exactly four
 * digits, a real calendar date, hours 00-23 or 24:00:00 (end of day), minutes and seconds
 * 00-59, offsets up to 14:00. A time zone is required (dateTimeStamp, not bare dateTime).
 * Leap seconds (ss = 60) are refused: no clock we compare with can represent them. The fraction
 * is accepted and truncated: times are compared in whole seconds.
 */
#ifndef DID_TIME_H
#define DID_TIME_H

#include <stdint.h>

#include <did/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DID_DATETIME_MAX_LEN 64 /* longest accepted input, in bytes */
#define DID_DATETIME_BUF 21     /* "YYYY-MM-DDThh:mm:ssZ" and its NUL */

/* Parses s[0..len) into seconds since 1970-01-01T00:00:00Z (negative before 1970).
 * DID_ERR_VC_DATE names the offset and what was expected. */
int did_datetime_parse(const char *s, size_t len, int64_t *epoch, did_err *err);

/* Writes epoch as "YYYY-MM-DDThh:mm:ssZ" (UTC, whole seconds) with a NUL.
 * DID_ERR_ARG when the year falls outside 0001-9999. */
int did_datetime_format(int64_t epoch, char out[DID_DATETIME_BUF], did_err *err);

/* The current time in seconds since the epoch (CLOCK_REALTIME). */
int64_t did_time_now(void);

#ifdef __cplusplus
}
#endif
#endif /* DID_TIME_H */
