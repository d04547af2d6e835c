/*
 * libFuzzer target for the reader (daemon/reader.c).
 *
 * Input: one option byte, then the bytes of an export file.
 *
 *   option byte   bits 0-1  delimiter: 0 ';'  1 ','  2 tab  3 ';'
 *                 bits 2-3  encoding:  0 auto 1 utf-8 2 windows-1252 3 iso-8859-15
 *                 bits 4-5  max_record_bytes: 0 default (0)  1 READER_DEFAULT_MAX_RECORD
 *                           2 16 bytes  3 200 bytes
 *                 bit  6    the callback stops reading (-ECANCELED) at the 3rd record
 *                 bit  7    unused
 *
 * The file is written to a memfd and read single-threaded (threads = false), so a run is
 * deterministic. The callback checks every invariant reader.h promises and aborts when one
 * does not hold; reader_read() must end in 0, -EBADMSG (with a line and a reason) or the
 * callback's own -ECANCELED. Anything else is a bug.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reader.h"
#include "fuzz.h"

struct state {
        unsigned long max_line;         /* physical lines in the input */
        size_t max_record;              /* effective record limit */
        size_t input_len;
        bool stop_at_third;
        bool cancelled;                 /* the callback returned -ECANCELED */
        bool clean_input;               /* no record may have bad_encoding */
        unsigned long records;
        unsigned long last_line;
};

static int on_record(void *userdata, const struct reader_record *rec) {
        struct state *st = userdata;
        /* After a negative return the reader must not call again. */
        CHECK(!st->cancelled);
        st->records++;

        CHECK(rec->line >= 1);
        CHECK(rec->line <= st->max_line);
        CHECK(rec->line >= st->last_line);
        st->last_line = rec->line;

        CHECK(rec->nfields > 0);
        CHECK(rec->text != NULL);
        CHECK(rec->field_off != NULL && rec->field_len != NULL);
        size_t sum = 0;
        for (size_t i = 0; i < rec->nfields; i++) {
                const char *f = reader_field(rec, i);
                size_t len = reader_field_len(rec, i);
                CHECK(f != NULL);
                CHECK(f[len] == '\0');
                CHECK(memchr(f, 0, len) == NULL);
                CHECK(utf8_valid((const unsigned char *) f, len));
                sum += len;
        }

        CHECK(rec->raw != NULL);
        CHECK(rec->raw[rec->raw_len] == '\0');
        CHECK(memchr(rec->raw, 0, rec->raw_len) == NULL);
        CHECK(utf8_valid((const unsigned char *) rec->raw, rec->raw_len));
        CHECK(rec->raw_len == 0 || (rec->raw[rec->raw_len - 1] != '\n' && rec->raw[rec->raw_len - 1] != '\r'));
        /* Decoding turns one byte into at most three (U+FFFD or a Windows-1252 letter). */
        CHECK(rec->raw_len <= 3 * st->input_len);
        CHECK(rec->raw_len <= st->max_record);
        /* The fields are taken from the record's text: their bytes and the delimiters
         * between them are all in raw. */
        CHECK(sum + (rec->nfields - 1) <= rec->raw_len);

        if (st->clean_input)
                CHECK(!rec->bad_encoding);

        if (st->stop_at_third && st->records == 3) {
                st->cancelled = true;
                return -ECANCELED;
        }
        return 0;
}

static bool has_byte(const uint8_t *p, size_t n, const char *set, size_t nset) {
        for (size_t i = 0; i < n; i++)
                if (memchr(set, p[i], nset))
                        return true;
        return false;
}

/* Line ends as the reader counts them: LF, CRLF, and a CR not followed by LF (old Mac). */
static unsigned long count_line_ends(const uint8_t *p, size_t n) {
        unsigned long lines = 0;
        for (size_t i = 0; i < n; i++)
                lines += p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'));
        return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        static const char delimiters[4] = {';', ',', '\t', ';'};
        static const enum reader_encoding encodings[4] = {READER_ENCODING_AUTO, READER_ENCODING_UTF8,
                                                          READER_ENCODING_WINDOWS_1252,
                                                          READER_ENCODING_ISO_8859_15};
        static const size_t limits[4] = {0, READER_DEFAULT_MAX_RECORD, 16, 200};
        uint8_t opt = data[0];
        data++;
        size--;
        struct reader_options opts = {
                .delimiter = delimiters[opt & 3],
                .encoding = encodings[(opt >> 2) & 3],
                .max_record_bytes = limits[(opt >> 4) & 3],
                .threads = false,
        };

        struct state st = {
                .max_record = opts.max_record_bytes ? opts.max_record_bytes : READER_DEFAULT_MAX_RECORD,
                .input_len = size,
                .stop_at_third = opt & 0x40,
                .max_line = 1,
        };
        st.max_line += count_line_ends(data, size);
        /* Inputs whose every byte is defined in the chosen encoding must not be flagged. */
        bool has_nul = memchr(data, 0, size) != NULL;
        switch (opts.encoding) {
        case READER_ENCODING_AUTO:
        case READER_ENCODING_UTF8:
                st.clean_input = !has_nul && utf8_valid(data, size);
                break;
        case READER_ENCODING_WINDOWS_1252:
                st.clean_input = !has_nul && !has_byte(data, size, "\x81\x8d\x8f\x90\x9d", 5);
                break;
        case READER_ENCODING_ISO_8859_15:
        case READER_ENCODING_ISO_8859_1:
                st.clean_input = !has_nul;
                break;
        }

        int fd = fuzz_memfd("fuzz_reader", data, size);

        struct reader *r = NULL;
        int e = reader_new(fd, &opts, &r);
        CHECK(e == 0 && r != NULL);
        e = reader_read(r, on_record, &st);
        if (st.cancelled)
                CHECK(e == -ECANCELED);
        else
                CHECK(e == 0 || e == -EBADMSG);
        if (e == -EBADMSG) {
                unsigned long line = 0;
                const char *reason = NULL;
                reader_error(r, &line, &reason);
                CHECK(reason != NULL);
                CHECK(*reason != '\0');
                CHECK(utf8_valid((const unsigned char *) reason, strlen(reason)));
                CHECK(line >= 1);
                CHECK(line <= st.max_line + 1);
                CHECK(st.last_line <= line);
        }
        enum reader_encoding used = reader_encoding_used(r);
        CHECK(used != READER_ENCODING_AUTO);
        CHECK(strcmp(reader_encoding_name(used), "?") != 0);
        if (opts.encoding != READER_ENCODING_AUTO)
                CHECK(used == opts.encoding);
        else if (utf8_check(data, size, true))
                /* NUL says nothing about the encoding: valid UTF-8 around it is UTF-8. */
                CHECK(used == READER_ENCODING_UTF8);
        reader_free(r);
        close(fd);
        return 0;
}
