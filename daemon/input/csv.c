/*
 * Delimited text on top of libcsv.
 *
 * libcsv is push-based and does not count lines, so the reader splits the input into
 * physical lines itself (reader.c) and this part feeds libcsv one line at a time. Before
 * each line it asks libcsv whether a record is in progress; if none is, the record that
 * completes next starts on this line. That gives the physical start line also for quoted
 * fields with line breaks, and blank lines between records are skipped as libcsv skips
 * them. The same line split lets the reader keep each record's original text (for the
 * error log) and decode the encoding per line, so memory depends on the longest record,
 * never on the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reader_impl.h"

bool csv_record_open(const struct reader *r) {
        return r->opts.format == READER_FORMAT_CSV && r->parser.pstate != LIBCSV_ROW_NOT_BEGUN;
}

/* libcsv field callback: copy the field into the batch, since libcsv reuses its buffer.
 * feed_line() reserved room for everything one line can produce, so this does no checks:
 * it runs for every field of every record. libcsv trims blanks around an unquoted field;
 * a quoted one is trimmed here, so that every field comes trimmed (reader.h) and the
 * checker, one thread further, need not look. */
static void on_field(void *s, size_t len, void *data) {
        struct reader *r = data;
        struct batch *b = r->cur;
        const char *src = s ? s : "";
        while (len > 0 && (*src == ' ' || *src == '\t'))
                src++, len--;
        while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\t'))
                len--;
        b->field_off[b->nfields] = (uint32_t) b->bytes.len;
        b->field_len[b->nfields] = (uint32_t) len;
        b->nfields++;
        char *dst = b->bytes.data + b->bytes.len;
        if (len <= 16)
                for (size_t i = 0; i < len; i++)
                        dst[i] = src[i];
        else
                memcpy(dst, src, len);
        dst[len] = 0;
        b->bytes.len += len + 1;
}

/* Room for what feeding a line of len bytes can add to the batch: the fields that end on
 * it (a quoted field may have begun lines earlier, so up to the whole record's text, plus
 * one terminator per field), the raw text of the record, and as many field entries as the
 * line can end fields. */
static int reserve_line(struct reader *r, size_t len) {
        struct batch *b = r->cur;
        size_t fields = len + 2;
        size_t record = r->raw.len + len;
        if (b->cap_fields - b->nfields < fields) {
                int e = reader_grow_pair((void **) &b->field_off, sizeof(*b->field_off), (void **) &b->field_len,
                                  sizeof(*b->field_len), &b->cap_fields, b->nfields + fields);
                if (e < 0)
                        return e;
        }
        return strbuf_reserve(&b->bytes, 3 * record + 16);
}

/* libcsv record callback: the record is complete; add it to the batch. */
static void on_record(int c, void *data) {
        (void) c;
        struct reader *r = data;
        struct batch *b = r->cur;
        if (r->parse_error || r->fn_error)
                return;
        /* A record on one line is that line; only records with line breaks in quoted
         * fields were collected in r->raw. */
        const char *raw = r->raw_in_line ? r->line_text : strbuf_str(&r->raw);
        size_t raw_len = r->raw_in_line ? r->line_len : r->raw.len;
        while (raw_len > 0 && (raw[raw_len - 1] == '\n' || raw[raw_len - 1] == '\r'))
                raw_len--;
        size_t raw_off = b->bytes.len;
        memcpy(b->bytes.data + raw_off, raw, raw_len);
        b->bytes.data[raw_off + raw_len] = 0;
        b->bytes.len += raw_len + 1;
        int e;
        b->recs[b->nrecs++] = (struct batch_record) {
                .line = r->record_line,
                .first_field = r->record_first_field,
                .nfields = b->nfields - r->record_first_field,
                .raw_off = raw_off,
                .raw_len = raw_len,
                .bad_encoding = r->bad_encoding,
        };
        strbuf_reset(&r->raw);
        r->bad_encoding = false;
        if (batch_full(b)) {
                e = reader_publish(r);
                if (e < 0)
                        r->fn_error = e;
                /* A line can hold more records (bare CR line ends inside one read line are
                 * not split); the fresh batch needs the same room. */
                else if ((e = reserve_line(r, r->line_len)) < 0)
                        r->parse_error = e;
        }
        r->record_first_field = r->cur->nfields;
}

/* Decodes one physical line (with its line end) to UTF-8 and feeds it to libcsv. */
int csv_feed_line(struct reader *r, const unsigned char *p, size_t n) {
        r->line++;
        if (r->line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 &&
            (r->encoding == READER_ENCODING_AUTO || r->encoding == READER_ENCODING_UTF8)) {
                p += 3;
                n -= 3;
                if (r->encoding == READER_ENCODING_AUTO)
                        r->encoding = READER_ENCODING_UTF8;
        }
        bool starts = r->parser.pstate == LIBCSV_ROW_NOT_BEGUN;
        if (starts) {
                r->record_line = r->line;
                strbuf_reset(&r->raw);
                r->bad_encoding = false;
        }

        const char *text = (const char *) p;
        size_t len = n;
        if (!text_ascii(p, n, 1)) {
                strbuf_reset(&r->decoded);
                if (r->encoding == READER_ENCODING_AUTO)
                        r->encoding = text_utf8_valid(p, n) ? READER_ENCODING_UTF8 : READER_ENCODING_WINDOWS_1252;
                int e = r->encoding == READER_ENCODING_UTF8 ? text_decode_utf8(r, p, n) : text_decode_single_byte(r, p, n);
                if (e < 0)
                        return e;
                text = strbuf_str(&r->decoded);
                len = r->decoded.len;
        }

        int e;
        r->line_text = text;
        r->line_len = len;
        r->raw_in_line = starts;
        /* The limit is on the record's text: line breaks inside it count, the one that
         * ends it does not, so LF and CRLF files have the same limit. */
        size_t body = len;
        while (body > 0 && (text[body - 1] == '\n' || text[body - 1] == '\r'))
                body--;
        if ((starts ? 0 : r->raw.len) + body > r->opts.max_record_bytes) {
                snprintf(r->error_text, sizeof(r->error_text),
                         "der Datensatz ab Zeile %lu ist länger als %zu Bytes (nicht geschlossenes Anführungszeichen?)",
                         r->record_line, r->opts.max_record_bytes);
                return reader_fail(r, r->record_line, r->error_text);
        }
        if (!starts) {
                /* The record continues over a line break: collect its text. */
                e = strbuf_append(&r->raw, text, len);
                if (e < 0)
                        return e;
        }
        e = reserve_line(r, len);
        if (e < 0)
                return e;
        if (csv_parse(&r->parser, text, len, on_field, on_record, r) != len)
                return csv_error(&r->parser) == CSV_ENOMEM ? -ENOMEM : -EIO;
        if (starts && r->parser.pstate != LIBCSV_ROW_NOT_BEGUN) {
                /* The record began here and goes on: keep this line before it is gone. */
                e = strbuf_append(&r->raw, text, len);
                if (e < 0)
                        return e;
        }
        if (r->parse_error)
                return r->parse_error;
        return r->fn_error;
}

/* The end of the input: csv_fini completes the last record when the input has no final
 * line break. A quoted field still open at the end: libcsv would only notice in strict
 * mode, which also refuses the stray quotes that real exports contain. */
int csv_end(struct reader *r) {
        int e = reserve_line(r, r->line_len + 1);
        if (e < 0)
                return e;
        if ((r->parser.pstate == LIBCSV_FIELD_BEGUN && r->parser.quoted) ||
            csv_fini(&r->parser, on_field, on_record, r) != 0) {
                snprintf(r->error_text, sizeof(r->error_text),
                         "das Anführungszeichen im Datensatz ab Zeile %lu wird bis zum Dateiende nicht geschlossen",
                         r->record_line);
                return reader_fail(r, r->record_line, r->error_text);
        }
        if (r->parse_error)
                return r->parse_error;
        return r->fn_error;
}
