/*
 * libFuzzer target for the reader's fixed-width format (daemon/input/fixed.c).
 *
 * Input: one option byte, then the bytes of a fixed-width file, read with a small layout
 * (record length 24: type "A" at 1, a code at 2-3, a split month/year at 4-5/6-9, text at
 * 10-24, the delivery's year).
 *
 *   option byte   bits 0-1  encoding: 0 auto  1 iso-8859-1  2 iso-8859-15  3 windows-1252
 *                 bits 2-3  max_record_bytes: 0 default  1 16  2 24  3 200
 *                 bit  4    the callback stops reading (-ECANCELED) at the 3rd record
 *                 bit  5    no delivery year
 *
 * Read single-threaded from a memfd. The callback checks what reader.h promises of every
 * record: the header first on line 0 with the layout's names; then lines rising, within the
 * input's lines; a defect record without fields, any other with the layout's fields, each
 * NUL-terminated valid UTF-8 of its stated length; a record longer than the record length
 * always a defect; bad_encoding only when the input holds a control character or a byte the
 * encoding does not define. reader_read() must end in 0, -EBADMSG (with a line and a
 * reason, only with a line over the limit) or the callback's -ECANCELED.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reader.h"
#include "fuzz.h"

static const struct reader_fixed_field fields[] = {
        {.piece = READER_PIECE_TEXT, .offset = 1, .width = 2},
        {.piece = READER_PIECE_MONTH_YEAR, .offset = 3, .width = 2, .year_offset = 5, .year_width = 4},
        {.piece = READER_PIECE_TEXT, .offset = 9, .width = 15},
        {.piece = READER_PIECE_DELIVERY_YEAR},
};
static const char *const names[] = {"code", "beginn", "text", "berichtsjahr"};
static const struct reader_layout layout = {
        .record_length = 24, .type_offset = 0, .type_width = 1, .type_value = "A",
        .nfields = 4, .names = names, .fields = fields};

struct state {
        unsigned long max_line;
        bool stop_at_third, cancelled, clean_input, header_seen;
        unsigned long records, last_line;
};

static int on_record(void *userdata, const struct reader_record *rec) {
        struct state *st = userdata;
        CHECK(!st->cancelled);
        st->records++;
        if (!st->header_seen) {
                st->header_seen = true;
                CHECK(rec->line == 0);
                CHECK(rec->nfields == layout.nfields);
                for (size_t i = 0; i < rec->nfields; i++)
                        CHECK(strcmp(reader_field(rec, i), names[i]) == 0);
                return 0;
        }
        CHECK(rec->line > st->last_line);
        CHECK(rec->line <= st->max_line);
        st->last_line = rec->line;
        CHECK(rec->raw != NULL && rec->raw[rec->raw_len] == '\0');
        CHECK(rec->raw_len > 0);
        CHECK(utf8_valid((const unsigned char *) rec->raw, rec->raw_len));
        CHECK(rec->raw[rec->raw_len - 1] != '\n' && rec->raw[rec->raw_len - 1] != '\r');
        CHECK(rec->length > 0 && rec->length <= rec->raw_len);
        if (rec->length > layout.record_length)
                CHECK(rec->defect == READER_RECORD_TOO_LONG);
        if (rec->defect != READER_RECORD_OK)
                CHECK(rec->nfields == 0);
        else
                CHECK(rec->nfields == layout.nfields);
        if (rec->defect == READER_RECORD_WRONG_TYPE)
                CHECK(rec->record_type && strcmp(rec->record_type, "A") != 0);
        for (size_t i = 0; i < rec->nfields; i++) {
                CHECK(reader_field(rec, i)[reader_field_len(rec, i)] == '\0');
                CHECK(utf8_valid((const unsigned char *) reader_field(rec, i), reader_field_len(rec, i)));
                CHECK(reader_field_len(rec, i) == 0 || (reader_field(rec, i)[0] != ' ' && reader_field(rec, i)[reader_field_len(rec, i) - 1] != ' '));
        }
        if (st->clean_input)
                CHECK(!rec->bad_encoding);
        if (st->stop_at_third && st->records == 3) {
                st->cancelled = true;
                return -ECANCELED;
        }
        return 0;
}

/* A byte that is never text in the encoding: a C0 control other than the line ends, a C1
 * control in the ISO encodings, an undefined byte in Windows-1252. */
static bool not_text(unsigned char b, enum reader_encoding enc) {
        if (b < 0x20)
                return b != '\n' && b != '\r';
        if (enc == READER_ENCODING_WINDOWS_1252)
                return b == 0x81 || b == 0x8d || b == 0x8f || b == 0x90 || b == 0x9d;
        return b >= 0x80 && b < 0xa0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        static const enum reader_encoding encodings[4] = {READER_ENCODING_AUTO, READER_ENCODING_ISO_8859_1,
                                                          READER_ENCODING_ISO_8859_15, READER_ENCODING_WINDOWS_1252};
        static const size_t limits[4] = {0, 16, 24, 200};
        uint8_t opt = data[0];
        data++;
        size--;
        struct reader_options opts = {
                .format = READER_FORMAT_FIXED,
                .encoding = encodings[opt & 3],
                .max_record_bytes = limits[(opt >> 2) & 3],
                .layout = &layout,
                .delivery_year = opt & 0x20 ? NULL : "2024",
        };
        struct state st = {.stop_at_third = opt & 0x10, .clean_input = true, .max_line = 1};
        for (size_t i = 0; i < size; i++) {
                if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
                        st.max_line++;
                if (not_text(data[i], opts.encoding))
                        st.clean_input = false;
        }
        int fd = fuzz_memfd("fuzz_fixed", data, size);
        struct reader *r = NULL;
        CHECK(reader_new(fd, &opts, &r) == 0);
        int e = reader_read(r, on_record, &st);
        CHECK(e == 0 || e == -EBADMSG || (e == -ECANCELED && st.cancelled));
        CHECK(st.header_seen || e == -ECANCELED);
        if (e == -EBADMSG) {
                unsigned long line;
                const char *reason;
                reader_error(r, &line, &reason);
                CHECK(line >= 1 && line <= st.max_line);
                CHECK(reason && *reason && utf8_valid((const unsigned char *) reason, strlen(reason)));
        }
        reader_free(r);
        close(fd);
        return 0;
}
