/*
 * Unit tests of day dates (include/calendar.h): the parser of a date field's text and the
 * conversion between a civil date and days since 1970-01-01, at the boundaries the rules
 * rely on -- the first and last accepted day (01.01.1900, 31.12.2100), the epoch, leap days
 * (2000 is a leap year, 1900 and 2100 are not), month and year ends. The conversions are
 * compared with libc's timegm()/gmtime_r() for every accepted day: an oracle that shares
 * no code with them. What the expression language makes of dates (days(), d + n, year(),
 * month_of(), age(), overlaps) is tested through packs in test_rules.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar.h"

/* The parser on a C string; -1000000 when it refuses (no accepted day is that far off). */
static int64_t parse(const char *s) {
        int64_t d = -1000000;
        if (!calendar_parse_date(s, strlen(s), &d))
                return -1000000;
        return d;
}

#define REFUSED (-1000000)

static void test_boundaries(void **state) {
        (void) state;
        assert_int_equal(parse("01.01.1970"), 0);
        assert_int_equal(parse("1970-01-01"), 0);
        assert_int_equal(parse("02.01.1970"), 1);
        assert_int_equal(parse("31.12.1969"), -1);
        assert_int_equal(parse("01.01.1900"), -25567);
        assert_int_equal(parse("31.12.2100"), 47846);
        assert_int_equal(parse("31.12.1899"), REFUSED);
        assert_int_equal(parse("01.01.2101"), REFUSED);
        assert_int_equal(parse("01.01.0000"), REFUSED);
        assert_int_equal(calendar_days_from_civil(1900, 1, 1), -25567);
        assert_int_equal(calendar_days_from_civil(2100, 12, 31), 47846);
}

static void test_leap_days(void **state) {
        (void) state;
        /* 2000: divisible by 400, a leap year; 1900 and 2100: by 100 only, common years */
        assert_true(calendar_leap_year(2000));
        assert_true(calendar_leap_year(2024));
        assert_false(calendar_leap_year(1900));
        assert_false(calendar_leap_year(2100));
        assert_false(calendar_leap_year(2023));
        assert_int_equal(parse("29.02.2000"), parse("28.02.2000") + 1);
        assert_int_equal(parse("01.03.2000"), parse("29.02.2000") + 1);
        assert_int_equal(parse("29.02.2024"), parse("28.02.2024") + 1);
        assert_int_equal(parse("29.02.1900"), REFUSED);
        assert_int_equal(parse("29.02.2100"), REFUSED);
        assert_int_equal(parse("29.02.2023"), REFUSED);
        assert_int_equal(parse("01.03.2100"), parse("28.02.2100") + 1);
        assert_int_equal(parse("01.03.2023"), parse("28.02.2023") + 1);
        /* years of 366 and 365 days, and across a year end */
        assert_int_equal(parse("01.01.2025") - parse("01.01.2024"), 366);
        assert_int_equal(parse("01.01.2024") - parse("01.01.2023"), 365);
        assert_int_equal(parse("31.12.2100") - parse("01.01.2100"), 364);
        assert_int_equal(parse("01.01.2001") - parse("01.01.2000"), 366);
        assert_int_equal(parse("01.01.2024") - parse("31.12.2023"), 1);
        assert_int_equal(parse("10.01.2024") - parse("20.12.2023"), 21);
}

static void test_forms(void **state) {
        (void) state;
        int64_t want = calendar_days_from_civil(2024, 1, 31);
        static const char *const same[] = {"31.01.2024", "31.1.2024", "2024-01-31"};
        for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
                assert_int_equal(parse(same[i]), want);
        assert_int_equal(parse("1.1.2024"), parse("01.01.2024"));
        assert_int_equal(parse("01.1.2024"), parse("01.01.2024"));
        assert_int_equal(parse("1.01.2024"), parse("01.01.2024"));
        /* not a day of the calendar, or not one of the three forms */
        static const char *const refused[] = {
                "31.04.2024", "31.06.2024", "31.09.2024", "31.11.2024", "32.01.2024", "00.01.2024",
                "01.00.2024", "01.13.2024", "2024-00-10", "2024-13-01", "2024-02-30", "2024-1-31",
                "2024-01-1", "24-01-31", "15.03.24", "15.03.024", "15.03.02024", "015.03.2024",
                "15.003.2024", "15/03/2024", "15-03-2024", "2024.01.31", "15.03-2024", "2024-01.31",
                "03.2024", "2024-03", "15.03.2024.", ".15.03.2024", "15..2024", "15. 03.2024",
                " 15.03.2024", "15.03.2024 ", "15.03.2024 12:00", "2024-01-31T00:00", "+1.1.2024",
                "-1.1.2024", "", ".", "..", "1.1.", "x", "99999.1.2024", "1.1.99999999",
        };
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
                if (parse(refused[i]) != REFUSED)
                        fail_msg("'%s' accepted", refused[i]);
        /* the length counts, not a NUL: a prefix of a longer text is read alone */
        int64_t d;
        assert_true(calendar_parse_date("15.03.2024;x", 10, &d));
        assert_int_equal(d, calendar_days_from_civil(2024, 3, 15));
        assert_false(calendar_parse_date("15.03.2024", 9, &d));
}

/* Every accepted day against libc, both ways, and the parser on each in all three forms. */
static void test_every_day_against_libc(void **state) {
        (void) state;
        int64_t prev = 0;
        unsigned count = 0;
        for (int y = CALENDAR_YEAR_MIN; y <= CALENDAR_YEAR_MAX; y++)
                for (unsigned m = 1; m <= 12; m++)
                        for (unsigned d = 1; d <= calendar_month_days(y, m); d++) {
                                struct tm tm = {.tm_year = y - 1900, .tm_mon = (int) m - 1, .tm_mday = (int) d};
                                time_t t = timegm(&tm);
                                int64_t z = calendar_days_from_civil(y, m, d);
                                if ((int64_t) t != z * 86400 || tm.tm_mday != (int) d)
                                        fail_msg("%04d-%02u-%02u: %lld days, libc %lld", y, m, d, (long long) z,
                                                 (long long) t / 86400);
                                if (count && z != prev + 1)
                                        fail_msg("%04d-%02u-%02u does not follow the day before", y, m, d);
                                int64_t yy;
                                unsigned mm, dd;
                                calendar_civil_from_days(z, &yy, &mm, &dd);
                                struct tm back;
                                assert_non_null(gmtime_r(&t, &back));
                                if (yy != y || mm != m || dd != d || back.tm_year + 1900 != y)
                                        fail_msg("%lld: %lld-%u-%u, expected %d-%u-%u", (long long) z, (long long) yy,
                                                 mm, dd, y, m, d);
                                assert_int_equal(calendar_month_of_days(z), (int64_t) y * 12 + m - 1);
                                char text[3][32];     /* 32: what -O1's range analysis cannot rule out */
                                snprintf(text[0], sizeof(text[0]), "%02u.%02u.%04d", d, m, y);
                                snprintf(text[1], sizeof(text[1]), "%u.%u.%04d", d, m, y);
                                snprintf(text[2], sizeof(text[2]), "%04d-%02u-%02u", y, m, d);
                                for (int k = 0; k < 3; k++)
                                        if (parse(text[k]) != z)
                                                fail_msg("'%s' is not day %lld", text[k], (long long) z);
                                prev = z;
                                count++;
                        }
        /* 201 years, 49 of them leap years (1904 ... 2096; not 1900, 2100) */
        assert_int_equal(count, 201 * 365 + 49);
        /* and the months' lengths are what they must be, so no day was skipped or added */
        assert_int_equal(calendar_month_days(2023, 4), 30);
        assert_int_equal(calendar_month_days(2023, 12), 31);
        assert_int_equal(calendar_month_days(2024, 2), 29);
}

/* The VM converts what arithmetic made of a date, however far off: no overflow anywhere
 * (the ASan/UBSan build runs this), a plausible day, and the era arithmetic agrees with
 * the plain formula before 0000-03-01 and around it. */
static void test_far_days(void **state) {
        (void) state;
        static const int64_t far[] = {INT64_MIN, INT64_MIN + 1, -719469, -719468, -146097 * 5 - 1, -1,
                                      INT64_MAX - 1, INT64_MAX};
        for (size_t i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
                int64_t y;
                unsigned m, d;
                calendar_civil_from_days(far[i], &y, &m, &d);
                assert_in_range(m, 1, 12);
                assert_in_range(d, 1, 31);
                (void) calendar_month_of_days(far[i]);
        }
        int64_t y;
        unsigned m, d;
        calendar_civil_from_days(-719468, &y, &m, &d);      /* Hinnant's epoch */
        assert_true(y == 0 && m == 3 && d == 1);
        calendar_civil_from_days(-719469, &y, &m, &d);      /* year 0 is a leap year */
        assert_true(y == 0 && m == 2 && d == 29);
        calendar_civil_from_days(-1, &y, &m, &d);
        assert_true(y == 1969 && m == 12 && d == 31);
        for (int64_t z = -800000; z < -600000; z += 997) {
                calendar_civil_from_days(z, &y, &m, &d);
                assert_int_equal(calendar_days_from_civil(y, m, d), z);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_boundaries),
                cmocka_unit_test(test_leap_days),
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_every_day_against_libc),
                cmocka_unit_test(test_far_days),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
