/* XML Schema dateTimeStamp <-> epoch seconds (did/time.h). Civil-date arithmetic after
 * Howard Hinnant's days_from_civil / civil_from_days, exact for the proleptic Gregorian
 * calendar. */
#include <string.h>
#include <time.h>

#include <did/time.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads n decimal digits at s[*pos]; 0 on success. */
static int digits(const char *s, size_t len, size_t *pos, size_t n, unsigned *v)
{
    unsigned acc = 0;
    if (*pos + n > len)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[*pos + i];
        if (c < '0' || c > '9')
            return -1;
        acc = acc * 10 + (unsigned)(c - '0');
    }
    *pos += n;
    *v = acc;
    return 0;
}

static int bad(did_err *err, size_t off, const char *what)
{
    return did_err_set(err, DID_ERR_VC_DATE, "invalid dateTimeStamp: at offset %zu: expected %s",
                       off, what);
}

int did_datetime_parse(const char *s, size_t len, int64_t *epoch, did_err *err)
{
    size_t pos = 0;
    unsigned year, mon, day, hh, mm, ss;
    if (s == NULL || epoch == NULL)
        return did_err_set(err, DID_ERR_ARG, "did_datetime_parse: NULL argument");
    if (len > DID_DATETIME_MAX_LEN)
        return did_err_set(err, DID_ERR_VC_DATE,
                           "invalid dateTimeStamp: longer than %d bytes", DID_DATETIME_MAX_LEN);
    if (digits(s, len, &pos, 4, &year) != 0)
        return bad(err, pos, "a four-digit year");
    if (year == 0)
        return bad(err, 0, "a year from 0001 to 9999");
    if (pos >= len || s[pos++] != '-')
        return bad(err, pos - 1, "'-' after the year");
    if (digits(s, len, &pos, 2, &mon) != 0 || mon < 1 || mon > 12)
        return bad(err, 5, "a month 01-12");
    if (pos >= len || s[pos++] != '-')
        return bad(err, pos - 1, "'-' after the month");
    if (digits(s, len, &pos, 2, &day) != 0 || day < 1 || day > days_in_month(year, mon))
        return bad(err, 8, "a day that exists in that month");
    if (pos >= len || s[pos++] != 'T')
        return bad(err, pos - 1, "'T' between date and time");
    if (digits(s, len, &pos, 2, &hh) != 0 || hh > 24)
        return bad(err, 11, "an hour 00-24");
    if (pos >= len || s[pos++] != ':')
        return bad(err, pos - 1, "':' after the hour");
    if (digits(s, len, &pos, 2, &mm) != 0 || mm > 59)
        return bad(err, 14, "minutes 00-59");
    if (pos >= len || s[pos++] != ':')
        return bad(err, pos - 1, "':' after the minutes");
    if (digits(s, len, &pos, 2, &ss) != 0 || ss > 59)
        return bad(err, 17, "seconds 00-59 (leap seconds are not accepted)");
    int frac_nonzero = 0;
    if (pos < len && s[pos] == '.') {
        size_t start = ++pos;
        while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
            if (s[pos] != '0')
                frac_nonzero = 1;
            pos++;
        }
        if (pos == start)
            return bad(err, pos, "digits after '.'");
    }
    if (hh == 24 && (mm != 0 || ss != 0 || frac_nonzero))
        return bad(err, 11, "24:00:00 as the only time with hour 24");
    int64_t offset = 0;
    if (pos >= len)
        return bad(err, pos, "a time zone ('Z' or +hh:mm / -hh:mm)");
    if (s[pos] == 'Z') {
        pos++;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1;
        unsigned oh, om;
        pos++;
        if (digits(s, len, &pos, 2, &oh) != 0 || pos >= len || s[pos++] != ':' ||
            digits(s, len, &pos, 2, &om) != 0 || om > 59 || oh > 14 || (oh == 14 && om != 0))
            return bad(err, pos, "a time zone offset from -14:00 to +14:00");
        offset = sign * (int64_t)(oh * 3600 + om * 60);
    } else {
        return bad(err, pos, "a time zone ('Z' or +hh:mm / -hh:mm)");
    }
    if (pos != len)
        return bad(err, pos, "the end of the value");
    int64_t days = days_from_civil((int64_t)year, mon, day);
    *epoch = days * 86400 + (int64_t)hh * 3600 + (int64_t)mm * 60 + (int64_t)ss - offset;
    return DID_OK;
}

int did_datetime_format(int64_t epoch, char out[DID_DATETIME_BUF], did_err *err)
{
    int64_t days = epoch >= 0 ? epoch / 86400 : -((-epoch + 86399) / 86400);
    int64_t secs = epoch - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return did_err_set(err, DID_ERR_ARG, "time %lld is outside the years 0001-9999",
                           (long long)epoch);
    /* Written digit by digit: every field's range is known, and snprintf's would not be. */
    unsigned v[6] = {(unsigned)y, m, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
                     (unsigned)(secs % 60)};
    static const char tmpl[] = "0000-00-00T00:00:00Z";
    static const size_t at[6] = {0, 5, 8, 11, 14, 17};
    memcpy(out, tmpl, sizeof tmpl);
    for (size_t i = 0; i < 6; i++) {
        size_t width = i == 0 ? 4 : 2;
        for (size_t k = width; k-- > 0;) {
            out[at[i] + k] = (char)('0' + v[i] % 10);
            v[i] /= 10;
        }
    }
    return DID_OK;
}

int64_t did_time_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (int64_t)time(NULL);
    return (int64_t)ts.tv_sec;
}
