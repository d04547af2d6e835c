/*
 * Day dates of the civil (proleptic Gregorian) calendar as one number: days since
 * 1970-01-01. A number, because the rule engine compares, adds and subtracts dates per
 * record without a struct or a call into libc (mktime() would also drag in the time zone
 * and its daylight-saving days); 1970, because that is what every other tool counts from.
 *
 * The conversions are Howard Hinnant's days_from_civil and civil_from_days
 * (https://howardhinnant.github.io/date_algorithms.html): years counted from March, so that
 * the leap day is the last day of its year, in 400-year eras of exactly 146097 days, which
 * makes the leap-year rule plain integer arithmetic, with no table and no loop. Header-only
 * like util.h: decoding inlines the parser into its loop over a record's fields, as it
 * does for months, and the VM, the store and the exporter share the same code.
 */
#ifndef PLAUSID_CALENDAR_H
#define PLAUSID_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The years a date (and a month) field accepts: anything else is a typing error in a
 * statistics export, not a date. */
#define CALENDAR_YEAR_MIN 1900
#define CALENDAR_YEAR_MAX 2100

static inline int64_t calendar_floordiv(int64_t a, int64_t b) {
        int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static inline bool calendar_leap_year(int64_t y) {
        return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static inline unsigned calendar_month_days(int64_t y, unsigned m) {
        static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        return m == 2 && calendar_leap_year(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; any year an int holds). */
static inline int64_t calendar_days_from_civil(int64_t y, unsigned m, unsigned d) {
        y -= m <= 2;
        int64_t era = calendar_floordiv(y, 400);
        unsigned yoe = (unsigned) (y - era * 400);                              /* [0, 399] */
        unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;         /* [0, 365] */
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                   /* [0, 146096] */
        return era * 146097 + (int64_t) doe - 719468;
}

/* The year, month (1..12) and day (1..31) of days since 1970-01-01, for every int64_t: the
 * VM converts whatever arithmetic made (a date plus a large number), so Hinnant's shift to
 * his epoch, 0000-03-01 (z + 719468), is done on the remainder of the era, where it
 * cannot overflow. 719468 = 4 * 146097 + 135080. */
static inline void calendar_civil_from_days(int64_t z, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d) {
        int64_t era = z / 146097, r = z % 146097 + 135080;                      /* r in (-11017, 281177) */
        if (r < 0) {
                r += 146097;
                era--;
        }
        era += 4 + r / 146097;
        unsigned doe = (unsigned) (r % 146097);                                 /* [0, 146096] */
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* [0, 399] */
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* [0, 365] */
        unsigned mp = (5 * doy + 2) / 153;                                      /* [0, 11], March = 0 */
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        *ret_d = doy - (153 * mp + 2) / 5 + 1;
        *ret_m = m;
        *ret_y = (int64_t) yoe + era * 400 + (m <= 2);
}

/* The month of a date as the engine numbers months: year * 12 + month - 1. */
static inline int64_t calendar_month_of_days(int64_t z) {
        int64_t y;
        unsigned m, d;
        calendar_civil_from_days(z, &y, &m, &d);
        return y * 12 + m - 1;
}

/* A run of digits at s[*pos]; at most 5 are read, so that a longer run is too long for
 * every part of a date (the caller then finds a digit where a separator or the end must
 * be). Returns how many were read. */
static inline unsigned calendar_digits(const char *s, size_t len, size_t *pos, int *ret) {
        unsigned n = 0;
        int v = 0;
        while (*pos < len && n < 5 && s[*pos] >= '0' && s[*pos] <= '9') {
                v = v * 10 + (s[(*pos)++] - '0');
                n++;
        }
        *ret = v;
        return n;
}

/* A date of a statistics export: DD.MM.YYYY, also with one-digit day and month (D.M.YYYY),
 * or ISO YYYY-MM-DD; a real day of the years CALENDAR_YEAR_MIN..MAX (31.04. and 29.02. of
 * a common year are not). Nothing else: no blanks inside, no two-digit years, no time. */
static inline bool calendar_parse_date(const char *s, size_t len, int64_t *ret) {
        size_t p = 0;
        int a, b, c;
        unsigned n1 = calendar_digits(s, len, &p, &a);
        if (p >= len)
                return false;
        char sep = s[p++];
        unsigned n2 = calendar_digits(s, len, &p, &b);
        if (p >= len || s[p++] != sep)
                return false;
        unsigned n3 = calendar_digits(s, len, &p, &c);
        if (p != len)
                return false;
        int year, month, day;
        if (sep == '.' && n1 >= 1 && n1 <= 2 && n2 >= 1 && n2 <= 2 && n3 == 4)
                day = a, month = b, year = c;
        else if (sep == '-' && n1 == 4 && n2 == 2 && n3 == 2)
                year = a, month = b, day = c;
        else
                return false;
        if (year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX || month < 1 || month > 12 || day < 1 ||
            (unsigned) day > calendar_month_days(year, (unsigned) month))
                return false;
        *ret = calendar_days_from_civil(year, (unsigned) month, (unsigned) day);
        return true;
}

#endif
