/*
 * Unit tests of the reader's fixed-width format (include/reader.h, READER_FORMAT_FIXED):
 * a small layout of 20 characters, and a table of inputs with what the reader must deliver,
 * each record written as one line "LINE DEFECT[!] | field | field ..." ('!' marks
 * bad_encoding; the defect is the record type found or the length for a defect record).
 * Every case runs with and without the parse thread; both must give the table's text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "reader.h"
#include "strbuf.h"

/* type 1, code 2-3, month 4-5 + year 6-9, name 10-20, the delivery's year */
static const struct reader_fixed_field fields[] = {
        {.piece = READER_PIECE_TEXT, .offset = 1, .width = 2},
        {.piece = READER_PIECE_MONTH_YEAR, .offset = 3, .width = 2, .year_offset = 5, .year_width = 4},
        {.piece = READER_PIECE_TEXT, .offset = 9, .width = 11},
        {.piece = READER_PIECE_DELIVERY_YEAR},
};
static const char *const names[] = {"code", "beginn", "name", "berichtsjahr"};
static const struct reader_layout layout = {
        .record_length = 20, .type_offset = 0, .type_width = 1, .type_value = "A",
        .nfields = 4, .names = names, .fields = fields};

static int dump(void *userdata, const struct reader_record *rec) {
        struct strbuf *out = userdata;
        int e = strbuf_printf(out, "%lu", rec->line);
        if (rec->defect == READER_RECORD_TOO_LONG)
                e = e < 0 ? e : strbuf_printf(out, " long=%zu", rec->length);
        if (rec->defect == READER_RECORD_WRONG_TYPE)
                e = e < 0 ? e : strbuf_printf(out, " type=%s", rec->record_type);
        if (rec->bad_encoding)
                e = e < 0 ? e : strbuf_puts(out, "!");
        for (size_t i = 0; i < rec->nfields && e >= 0; i++) {
                assert_int_equal(strlen(reader_field(rec, i)), reader_field_len(rec, i));
                e = strbuf_printf(out, "|%s", reader_field(rec, i));
        }
        e = e < 0 ? e : strbuf_printf(out, " <%s>\n", rec->raw);
        assert_int_equal(strlen(rec->raw), rec->raw_len);
        return e;
}

static int memfd_with(const char *data, size_t len) {
        int fd = memfd_create("fixed", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

/* Reads data with the layout; returns reader_read's result, the dump in out. */
static int read_fixed(const char *data, size_t len, enum reader_encoding enc, bool threads, struct strbuf *out) {
        struct reader_options o = {.format = READER_FORMAT_FIXED, .encoding = enc, .layout = &layout,
                                   .delivery_year = "2024", .threads = threads};
        int fd = memfd_with(data, len);
        struct reader *r = NULL;
        assert_int_equal(reader_new(fd, &o, &r), 0);
        int e = reader_read(r, dump, out);
        reader_free(r);
        close(fd);
        return e;
}

static const struct {
        const char *name;
        const char *input;
        size_t len;     /* 0: strlen */
        enum reader_encoding enc;
        const char *want;
} cases[] = {
        {"empty file: only the header", "", 0, 0, "0|code|beginn|name|berichtsjahr <>\n"},
        {"CRLF, full length, fields trimmed and the date joined",
         "A070320241234567890A\r\nA1 112015  M\xfcller   \r\n", 0, READER_ENCODING_WINDOWS_1252,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1|07|03.2024|1234567890A|2024 <A070320241234567890A>\n"
         "2|1|11.2015|Müller|2024 <A1 112015  Müller   >\n"},
        {"LF, trailing blanks stripped by the sender are padding, no final line end",
         "A07\nA08      x\n\n\nA09", 0, 0,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1|07|||2024 <A07>\n"
         "2|08||x|2024 <A08      x>\n"
         "5|09|||2024 <A09>\n"},
        {"a longer line is a defect of its record only",
         "A07032024abcdefghijkX\nA08\n", 0, 0,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1 long=21 <A07032024abcdefghijkX>\n"
         "2|08|||2024 <A08>\n"},
        {"another record type, or none, is a defect", "B07\n 07\r\nA07\n", 0, 0,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1 type=B <B07>\n"
         "2 type= < 07>\n"
         "3|07|||2024 <A07>\n"},
        {"Latin-1 text, and control characters (C0 and C1) are replaced",
         "A07      \xe9t\xe9\nA08\x09\nA09      \x85\n", 0, READER_ENCODING_ISO_8859_1,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1|07||été|2024 <A07      été>\n"
         "2!|08|\xef\xbf\xbd.||2024 <A08\xef\xbf\xbd>\n"
         "3!|09||\xef\xbf\xbd|2024 <A09      \xef\xbf\xbd>\n"},
        {"AUTO is Latin-1; NUL is a control character", "A07      a\0b\n", 13, READER_ENCODING_AUTO,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1!|07||a\xef\xbf\xbd" "b|2024 <A07      a\xef\xbf\xbd" "b>\n"},
        {"Windows-1252: 0x80 is the euro sign, 0x81 undefined", "A07      \x80\x81\n", 0,
         READER_ENCODING_WINDOWS_1252,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1!|07||\xe2\x82\xac\xef\xbf\xbd|2024 <A07      \xe2\x82\xac\xef\xbf\xbd>\n"},
        {"a month without year and a year without month are kept for the rules", "A07 3    \nA07  2024\n", 0, 0,
         "0|code|beginn|name|berichtsjahr <>\n"
         "1|07|3.||2024 <A07 3    >\n"
         "2|07|.2024||2024 <A07  2024>\n"},
};

static void test_cases(void **state) {
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                for (int t = 0; t < 2; t++) {
                        struct strbuf out = {0};
                        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].input);
                        int e = read_fixed(cases[i].input, len, cases[i].enc, t, &out);
                        if (e != 0 || strcmp(strbuf_str(&out), cases[i].want) != 0)
                                fail_msg("%s (threads %d): rc %d, got:\n%swant:\n%s", cases[i].name, t, e,
                                         strbuf_str(&out), cases[i].want);
                        strbuf_done(&out);
                }
}

/* Many records (several batches, both thread modes) arrive in order with their lines. */
struct count {
        unsigned long next;
};

static int count_lines(void *userdata, const struct reader_record *rec) {
        struct count *c = userdata;
        assert_int_equal(rec->line, c->next);
        if (rec->line > 0) {
                char want[8];
                snprintf(want, sizeof(want), "%02lu", rec->line % 100);
                assert_string_equal(reader_field(rec, 0), want);
        }
        c->next++;
        return 0;
}

static void test_many(void **state) {
        (void) state;
        struct strbuf in = {0};
        for (unsigned long l = 1; l <= 5000; l++)
                assert_true(strbuf_printf(&in, "A%02lu%02lu%04lu%-11lu\r\n", l % 100, l % 12 + 1, 2000 + l % 30, l) >= 0);
        for (int t = 0; t < 2; t++) {
                struct reader_options o = {.format = READER_FORMAT_FIXED, .layout = &layout, .threads = t};
                int fd = memfd_with(in.data, in.len);
                struct reader *r = NULL;
                assert_int_equal(reader_new(fd, &o, &r), 0);
                struct count c = {0};
                assert_int_equal(reader_read(r, count_lines, &c), 0);
                assert_int_equal(c.next, 5001);
                reader_free(r);
                close(fd);
        }
        strbuf_done(&in);
}

/* A line over the record limit makes the file unreadable, with its line. */
static void test_over_limit(void **state) {
        (void) state;
        char big[600];
        memset(big, 'x', sizeof(big));
        big[0] = 'A';
        big[sizeof(big) - 1] = '\n';
        struct strbuf in = {0};
        assert_true(strbuf_puts(&in, "A07\n") >= 0);
        assert_true(strbuf_append(&in, big, sizeof(big)) >= 0);
        struct reader_options o = {.format = READER_FORMAT_FIXED, .layout = &layout, .max_record_bytes = 100};
        int fd = memfd_with(in.data, in.len);
        struct reader *r = NULL;
        assert_int_equal(reader_new(fd, &o, &r), 0);
        struct strbuf out = {0};
        assert_int_equal(reader_read(r, dump, &out), -EBADMSG);
        unsigned long line;
        const char *reason;
        reader_error(r, &line, &reason);
        assert_int_equal(line, 2);
        assert_non_null(strstr(reason, "länger als 100 Bytes"));
        reader_free(r);
        close(fd);
        strbuf_done(&in);
        strbuf_done(&out);
}

/* The second pass picks records by their physical lines, empty lines counted. */
static void test_read_lines(void **state) {
        (void) state;
        const char *in = "A01\n\nA02\nB03\nA04\n";
        int fd = memfd_with(in, strlen(in));
        struct reader_options o = {.format = READER_FORMAT_FIXED, .layout = &layout, .delivery_year = "2016"};
        unsigned long lines[] = {3, 4};
        struct strbuf out = {0};
        assert_int_equal(reader_read_lines(fd, &o, lines, 2, dump, &out), 0);
        assert_string_equal(strbuf_str(&out), "3|02|||2016 <A02>\n4 type=B <B03>\n");
        close(fd);
        strbuf_done(&out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_many),
                cmocka_unit_test(test_over_limit),
                cmocka_unit_test(test_read_lines),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
