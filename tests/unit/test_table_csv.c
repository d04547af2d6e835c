/*
 * Unit tests of the table for Excel (daemon/report/table_csv.c): each kind of cell as a
 * German Excel must read it, formulas guarded in text only, and the frame of the file
 * (byte-order mark, header, ';', CRLF).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table_csv.h"

/* The cell as table_csv_cell() writes it; the caller frees it. */
static char *cell(enum view_kind kind, const char *value) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        assert_int_equal(table_csv_cell(f, kind, value), 0);
        assert_int_equal(fclose(f), 0);
        return buf;
}

#define assert_cell(kind, value, want)                  \
        do {                                            \
                char *got_ = cell(kind, value);         \
                assert_string_equal(got_, want);        \
                free(got_);                             \
        } while (0)

static void test_text_formulas_guarded(void **state) {
        (void) state;
        assert_cell(VIEW_TEXT, "=SUMME(A1)", "'=SUMME(A1)");
        assert_cell(VIEW_TEXT, "-Nord", "'-Nord");
        assert_cell(VIEW_TEXT, "+Süd", "'+Süd");
        assert_cell(VIEW_TEXT, "@HYPERLINK", "'@HYPERLINK");
        assert_cell(VIEW_TEXT, "\tx", "'\tx");
        assert_cell(VIEW_TEXT, "-", "'-");
        /* A number the German way is not a formula: it stays a number. */
        assert_cell(VIEW_TEXT, "-3", "-3");
        assert_cell(VIEW_TEXT, "-3,5", "-3,5");
        assert_cell(VIEW_TEXT, "+49", "+49");
        /* Not a German number: Excel would compute it. */
        assert_cell(VIEW_TEXT, "-3.5", "'-3.5");
        assert_cell(VIEW_TEXT, "-3,", "'-3,");
        assert_cell(VIEW_TEXT, "Nord-Ost", "Nord-Ost");
        assert_cell(VIEW_TEXT, "a=b", "a=b");
        assert_cell(VIEW_TEXT, "", "");
}

static void test_text_quoted(void **state) {
        (void) state;
        assert_cell(VIEW_TEXT, "a;b", "\"a;b\"");
        assert_cell(VIEW_TEXT, "sagt \"ja\"", "\"sagt \"\"ja\"\"\"");
        assert_cell(VIEW_TEXT, "zwei\nZeilen", "\"zwei\nZeilen\"");
        /* Both: the apostrophe inside the quotes. */
        assert_cell(VIEW_TEXT, "\r=1", "\"'\r=1\"");
        assert_cell(VIEW_TEXT, "=1;2", "\"'=1;2\"");
}

static void test_numbers_stay_numbers(void **state) {
        (void) state;
        assert_cell(VIEW_INTEGER, "-3", "-3");
        assert_cell(VIEW_INTEGER, "1234567", "1234567");
        assert_cell(VIEW_DECIMAL, "-3.5", "-3,5");
        assert_cell(VIEW_DECIMAL, "0.33333333333333333333", "0,33333333333333333333");
        assert_cell(VIEW_DECIMAL, "17", "17");
        assert_cell(VIEW_DECIMAL, "1.5e-07", "1,5e-07");
        assert_cell(VIEW_DECIMAL, "-1e+20", "-1e+20");
        /* Not numbers Excel knows: text, guarded where it begins with '-'. */
        assert_cell(VIEW_DECIMAL, "NaN", "NaN");
        assert_cell(VIEW_DECIMAL, "-Infinity", "'-Infinity");
}

static void test_dates(void **state) {
        (void) state;
        assert_cell(VIEW_DATE, "2024-03-01", "01.03.2024");
        assert_cell(VIEW_DATE, "infinity", "infinity");
        assert_cell(VIEW_DATE, "-infinity", "'-infinity");
        assert_cell(VIEW_DATE, "0044-03-15 BC", "0044-03-15 BC");
        assert_cell(VIEW_DATE, "12345-01-01", "12345-01-01");
        assert_cell(VIEW_TIMESTAMP, "2024-03-01 14:05:06", "01.03.2024 14:05:06");
        assert_cell(VIEW_TIMESTAMP, "2024-03-01 14:05:06.789123", "01.03.2024 14:05:06");
        assert_cell(VIEW_TIMESTAMP, "2024-12-31 23:59:59.5+01", "31.12.2024 23:59:59");
        assert_cell(VIEW_TIMESTAMP, "2024-12-31 23:59:59-05:30", "31.12.2024 23:59:59");
        assert_cell(VIEW_TIMESTAMP, "0044-03-15 12:00:00+00:53:28 BC", "0044-03-15 12:00:00+00:53:28 BC");
        assert_cell(VIEW_TIMESTAMP, "infinity", "infinity");
}

static void test_boolean_and_null(void **state) {
        (void) state;
        assert_cell(VIEW_BOOLEAN, "t", "1");
        assert_cell(VIEW_BOOLEAN, "f", "0");
        assert_cell(VIEW_TEXT, NULL, "");
        assert_cell(VIEW_DECIMAL, NULL, "");
}

static void test_frame(void **state) {
        (void) state;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        const struct view_column cols[] = {{"sozialraum", VIEW_TEXT}, {"eckwert", VIEW_DECIMAL}, {"=x", VIEW_INTEGER}};
        struct table_csv t;
        assert_int_equal(table_csv_begin(&t, f, cols, 3), 0);
        const char *row1[] = {"-Nord", "-0.5", "-3"};
        const char *row2[] = {NULL, "12.25", NULL};
        assert_int_equal(table_csv_row(&t, row1, 3), 0);
        assert_int_equal(table_csv_row(&t, row2, 3), 0);
        assert_int_equal(table_csv_row(&t, row2, 2), -EINVAL);
        assert_int_equal(t.rows, 2);
        table_csv_done(&t);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(buf, "\xEF\xBB\xBFsozialraum;eckwert;'=x\r\n'-Nord;-0,5;-3\r\n;12,25;\r\n");
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_formulas_guarded),
                cmocka_unit_test(test_text_quoted),
                cmocka_unit_test(test_numbers_stay_numbers),
                cmocka_unit_test(test_dates),
                cmocka_unit_test(test_boolean_and_null),
                cmocka_unit_test(test_frame),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
