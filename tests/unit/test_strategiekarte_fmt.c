/*
 * Unit tests of the Strategiekarte's numbers (daemon/report/strategiekarte_fmt.c): a view's
 * value as the server writes it, rounded as PostgreSQL's round(numeric) rounds (half away
 * from zero, on the decimal text, never through a double), and written the German way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "report/strategiekarte_model.h"

#define assert_round(raw, fmt, want)                            \
        do {                                                    \
                char buf_[64];                                  \
                assert_int_equal(sk_round(raw, fmt, buf_), 0);  \
                assert_string_equal(buf_, want);                \
        } while (0)

#define assert_de(raw, fmt, want)                                       \
        do {                                                            \
                char buf_[80];                                          \
                assert_int_equal(sk_format_de(raw, fmt, buf_), 0);      \
                assert_string_equal(buf_, want);                        \
        } while (0)

static void test_round_half_away_from_zero(void **state) {
        (void) state;
        assert_round("0.0125", SK_SHARE, "1.3");        /* a double would say 1.2 */
        assert_round("0.0124999", SK_SHARE, "1.2");
        assert_round("312.45", SK_DEC1, "312.5");
        assert_round("-312.45", SK_DEC1, "-312.5");
        assert_round("-0.04", SK_DEC1, "0.0");          /* no "-0.0" */
        assert_round("99.96", SK_DEC1, "100.0");        /* the carry adds a digit */
        assert_round("0.99999", SK_SHARE, "100.0");
        assert_round("1", SK_SHARE, "100.0");
        assert_round("0", SK_SHARE, "0.0");
        assert_round("12", SK_DEC1, "12.0");
        assert_round("12.5", SK_INT, "13");
        assert_round("1234567", SK_INT, "1234567");
        assert_round("21.65", SK_PERCENT, "21.7");
        assert_round("0.45454545454545454545", SK_SHARE, "45.5");
}

static void test_double_and_garbage(void **state) {
        (void) state;
        assert_round("1.5e-05", SK_SHARE, "0.0");       /* a double with an exponent */
        assert_round("3.3333333333333335", SK_DEC1, "3.3");
        char buf[64];
        assert_int_equal(sk_round("NaN", SK_DEC1, buf), -EBADMSG);
        assert_int_equal(sk_round("", SK_DEC1, buf), -EBADMSG);
        assert_int_equal(sk_round("12,5", SK_DEC1, buf), -EBADMSG);
        assert_int_equal(sk_round(NULL, SK_DEC1, buf), -EBADMSG);
}

static void test_german(void **state) {
        (void) state;
        assert_de("1234", SK_INT, "1.234");
        assert_de("1234567.25", SK_DEC1, "1.234.567,3");
        assert_de("-1234.5", SK_DEC1, "-1.234,5");
        assert_de("0.4567", SK_SHARE, "45,7\xC2\xA0%");
        assert_de("21.66", SK_PERCENT, "21,7\xC2\xA0%");
        assert_de("999", SK_INT, "999");
        assert_de("0", SK_INT, "0");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_half_away_from_zero),
                cmocka_unit_test(test_double_and_garbage),
                cmocka_unit_test(test_german),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
