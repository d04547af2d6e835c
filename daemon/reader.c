/*
 * Delimited-text reader on top of libcsv.
 *
 * libcsv is push-based and does not count lines, so the reader splits the input into
 * physical lines itself and feeds libcsv one line at a time. Before each line it asks
 * libcsv whether a record is in progress; if none is, the record that completes next starts
 * on this line. That gives the physical start line also for quoted fields with line breaks,
 * and blank lines between records are skipped as libcsv skips them. The same line split
 * lets the reader keep each record's original text (for the error log) and decode the
 * encoding per line, so memory depends on the longest record, never on the file.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <csv.h>

#include "reader.h"
#include "strbuf.h"

#define READ_CHUNK (256u * 1024u)

/* libcsv's parser states (ROW_NOT_BEGUN and FIELD_BEGUN in libcsv.c). */
#define LIBCSV_ROW_NOT_BEGUN 0
#define LIBCSV_FIELD_BEGUN 2

struct reader {
        int fd;
        struct reader_options opts;
        struct csv_parser parser;
        bool parser_ready;

        char *buf;                      /* input bytes; [start, end) not yet split into lines */
        size_t cap, start, end;
        bool eof;

        enum reader_encoding encoding;  /* in use; AUTO until the first non-ASCII byte */
        iconv_t cd;                     /* for the single-byte encodings */
        struct strbuf decoded;          /* the current line in UTF-8 */

        unsigned long line;             /* physical number of the line being fed */
        unsigned long record_line;      /* line where the record in progress started */
        struct strbuf raw;              /* text of the record in progress, when it spans lines */
        const char *line_text;          /* the line being fed, in UTF-8 */
        size_t line_len;
        bool raw_in_line;               /* the record started in the line being fed */
        bool bad_encoding;              /* the record in progress had invalid bytes */

        struct strbuf fieldbuf;         /* fields of the record in progress, NUL-separated */
        size_t *offsets, *lengths;      /* per field: start in fieldbuf, length */
        const char **fields;
        size_t nfields, fields_cap;
        int field_error;                /* -ENOMEM from the field callback */

        reader_record_fn fn;
        void *userdata;
        int fn_error;                   /* first negative return of fn */

        unsigned long error_line;
        const char *error_reason;
        char error_text[160];
};

static const char *const encoding_names[] = {
        [READER_ENCODING_AUTO] = "auto",
        [READER_ENCODING_UTF8] = "utf-8",
        [READER_ENCODING_WINDOWS_1252] = "windows-1252",
        [READER_ENCODING_ISO_8859_15] = "iso-8859-15",
};

const char *reader_encoding_name(enum reader_encoding e) {
        return (size_t) e < ELEMENTSOF(encoding_names) ? encoding_names[e] : "?";
}

int reader_encoding_from_name(const char *name, enum reader_encoding *ret) {
        for (size_t i = 0; i < ELEMENTSOF(encoding_names); i++)
                if (strcasecmp(name, encoding_names[i]) == 0) {
                        *ret = (enum reader_encoding) i;
                        return 0;
                }
        if (strcasecmp(name, "utf8") == 0) {
                *ret = READER_ENCODING_UTF8;
                return 0;
        }
        if (strcasecmp(name, "cp1252") == 0) {
                *ret = READER_ENCODING_WINDOWS_1252;
                return 0;
        }
        return -EINVAL;
}

int reader_new(int fd, const struct reader_options *opts, struct reader **ret) {
        struct reader *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->fd = fd;
        r->opts = *opts;
        if (!r->opts.delimiter)
                r->opts.delimiter = ';';
        if (!r->opts.max_record_bytes)
                r->opts.max_record_bytes = READER_DEFAULT_MAX_RECORD;
        r->encoding = opts->encoding;
        r->cd = (iconv_t) -1;
        r->cap = READ_CHUNK;
        r->buf = malloc(r->cap);
        if (!r->buf || csv_init(&r->parser, CSV_STRICT_FINI) != 0) {
                reader_free(r);
                return -ENOMEM;
        }
        r->parser_ready = true;
        csv_set_delim(&r->parser, (unsigned char) r->opts.delimiter);
        *ret = r;
        return 0;
}

void reader_free(struct reader *r) {
        if (!r)
                return;
        if (r->parser_ready)
                csv_free(&r->parser);
        if (r->cd != (iconv_t) -1)
                iconv_close(r->cd);
        free(r->buf);
        strbuf_done(&r->decoded);
        strbuf_done(&r->raw);
        strbuf_done(&r->fieldbuf);
        free(r->offsets);
        free(r->lengths);
        free(r->fields);
        free(r);
}

void reader_error(const struct reader *r, unsigned long *ret_line, const char **ret_reason) {
        if (ret_line)
                *ret_line = r->error_line;
        if (ret_reason)
                *ret_reason = r->error_reason ? r->error_reason : "";
}

enum reader_encoding reader_encoding_used(const struct reader *r) {
        /* Input that never left ASCII is valid UTF-8. */
        return r->encoding == READER_ENCODING_AUTO ? READER_ENCODING_UTF8 : r->encoding;
}

static int fail(struct reader *r, unsigned long line, const char *reason) {
        r->error_line = line;
        r->error_reason = reason;
        return -EBADMSG;
}

/* libcsv field callback: copy the field, since libcsv reuses its buffer. */
static void on_field(void *s, size_t len, void *data) {
        struct reader *r = data;
        if (r->field_error)
                return;
        if (r->nfields == r->fields_cap) {
                size_t cap = r->fields_cap ? r->fields_cap * 2 : 64;
                size_t *o = realloc(r->offsets, cap * sizeof(*o));
                if (o)
                        r->offsets = o;
                size_t *l = realloc(r->lengths, cap * sizeof(*l));
                if (l)
                        r->lengths = l;
                const char **f = realloc(r->fields, cap * sizeof(*f));
                if (f)
                        r->fields = f;
                if (!o || !l || !f) {
                        r->field_error = -ENOMEM;
                        return;
                }
                r->fields_cap = cap;
        }
        r->offsets[r->nfields] = r->fieldbuf.len;
        r->lengths[r->nfields] = len;
        r->nfields++;
        /* The field and its NUL; strbuf_append terminates the buffer, so counting that NUL
         * into the length keeps it. */
        int e = strbuf_append(&r->fieldbuf, s ? s : "", len);
        if (e < 0)
                r->field_error = e;
        else
                r->fieldbuf.len++;
}

/* libcsv record callback: hand the finished record to the caller. */
static void on_record(int c, void *data) {
        (void) c;
        struct reader *r = data;
        if (r->field_error || r->fn_error)
                goto reset;
        for (size_t i = 0; i < r->nfields; i++)
                r->fields[i] = r->fieldbuf.data + r->offsets[i];
        /* A record on one line is that line; only records with line breaks in quoted
         * fields were collected in r->raw. */
        const char *raw = r->raw_in_line ? r->line_text : strbuf_str(&r->raw);
        size_t raw_len = r->raw_in_line ? r->line_len : r->raw.len;
        while (raw_len > 0 && (raw[raw_len - 1] == '\n' || raw[raw_len - 1] == '\r'))
                raw_len--;
        struct reader_record rec = {
                .line = r->record_line,
                .nfields = r->nfields,
                .fields = r->fields,
                .lengths = r->lengths,
                .raw = raw,
                .raw_len = raw_len,
                .bad_encoding = r->bad_encoding,
        };
        int e = r->fn(r->userdata, &rec);
        if (e < 0)
                r->fn_error = e;
reset:
        r->nfields = 0;
        strbuf_reset(&r->fieldbuf);
        strbuf_reset(&r->raw);
        r->bad_encoding = false;
}

/* True when every byte is printable-range ASCII or a control other than NUL: the common
 * case that needs no decoding. Eight bytes at a time. */
static bool plain_ascii(const unsigned char *p, size_t n) {
        size_t i = 0;
        uint64_t acc = 0;
        for (; i + 8 <= n; i += 8) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                acc |= w;
                /* A zero byte: the classic haszero() test. */
                if ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)
                        return false;
        }
        for (; i < n; i++) {
                if (p[i] == 0)
                        return false;
                acc |= p[i];
        }
        return (acc & 0x8080808080808080ull) == 0;
}

/* Length of the valid UTF-8 sequence at p (1–4), or 0 when it is invalid (overlong forms,
 * surrogates, beyond U+10FFFF, truncated) or NUL. */
static size_t utf8_sequence(const unsigned char *p, size_t n) {
        unsigned char c = p[0];
        if (c == 0)
                return 0;
        if (c < 0x80)
                return 1;
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
                len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0)
                        lo = 0xA0;
                else if (c == 0xED)
                        hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0)
                        lo = 0x90;
                else if (c == 0xF4)
                        hi = 0x8F;
        } else
                return 0;
        if (n < len || p[1] < lo || p[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if (p[i] < 0x80 || p[i] > 0xBF)
                        return 0;
        return len;
}

static bool utf8_valid(const unsigned char *p, size_t n) {
        for (size_t i = 0; i < n;) {
                size_t l = utf8_sequence(p + i, n - i);
                if (!l)
                        return false;
                i += l;
        }
        return true;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Copies UTF-8 input into r->decoded, replacing every invalid byte by U+FFFD. */
static int decode_utf8(struct reader *r, const unsigned char *p, size_t n) {
        for (size_t i = 0; i < n;) {
                size_t l = utf8_sequence(p + i, n - i);
                int e;
                if (l) {
                        e = strbuf_append(&r->decoded, p + i, l);
                        i += l;
                } else {
                        r->bad_encoding = true;
                        e = strbuf_append(&r->decoded, replacement, 3);
                        i++;
                }
                if (e < 0)
                        return e;
        }
        return 0;
}

/* Converts a single-byte encoding with iconv; bytes that the encoding leaves undefined
 * become U+FFFD and mark the record. */
static int decode_single_byte(struct reader *r, const unsigned char *p, size_t n) {
        if (r->cd == (iconv_t) -1) {
                const char *from = r->encoding == READER_ENCODING_ISO_8859_15 ? "ISO-8859-15" : "WINDOWS-1252";
                r->cd = iconv_open("UTF-8", from);
                if (r->cd == (iconv_t) -1)
                        return -errno;
        }
        int e = strbuf_reserve(&r->decoded, n * 3 + 3);
        if (e < 0)
                return e;
        char *in = (char *) p;
        size_t inleft = n;
        while (inleft > 0) {
                char *out = r->decoded.data + r->decoded.len;
                size_t outleft = r->decoded.cap - r->decoded.len - 1;
                size_t rc = iconv(r->cd, &in, &inleft, &out, &outleft);
                r->decoded.len = (size_t) (out - r->decoded.data);
                if (rc != (size_t) -1)
                        break;
                if (errno == E2BIG) {
                        e = strbuf_reserve(&r->decoded, inleft * 3 + 3);
                } else {
                        /* EILSEQ or EINVAL: an undefined byte. */
                        r->bad_encoding = true;
                        in++;
                        inleft--;
                        e = strbuf_reserve(&r->decoded, inleft * 3 + 3);
                        if (e >= 0) {
                                memcpy(r->decoded.data + r->decoded.len, replacement, 3);
                                r->decoded.len += 3;
                        }
                }
                if (e < 0)
                        return e;
        }
        r->decoded.data[r->decoded.len] = 0;
        /* Windows-1252 and ISO-8859-15 map 0x00 to NUL, which would cut a C string. */
        if (memchr(r->decoded.data, 0, r->decoded.len)) {
                r->bad_encoding = true;
                for (size_t i = 0; i < r->decoded.len; i++)
                        if (r->decoded.data[i] == 0)
                                r->decoded.data[i] = '?';
        }
        return 0;
}

/* Decodes one physical line (with its line end) to UTF-8 and feeds it to libcsv. */
static int feed_line(struct reader *r, const unsigned char *p, size_t n) {
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
        if (!plain_ascii(p, n)) {
                strbuf_reset(&r->decoded);
                if (r->encoding == READER_ENCODING_AUTO)
                        r->encoding = utf8_valid(p, n) ? READER_ENCODING_UTF8 : READER_ENCODING_WINDOWS_1252;
                int e = r->encoding == READER_ENCODING_UTF8 ? decode_utf8(r, p, n) : decode_single_byte(r, p, n);
                if (e < 0)
                        return e;
                text = strbuf_str(&r->decoded);
                len = r->decoded.len;
        }

        int e;
        r->line_text = text;
        r->line_len = len;
        r->raw_in_line = starts;
        if (!starts) {
                /* The record continues over a line break: collect its text. */
                e = strbuf_append(&r->raw, text, len);
                if (e < 0)
                        return e;
        }
        if (r->raw.len > r->opts.max_record_bytes || len > r->opts.max_record_bytes) {
                snprintf(r->error_text, sizeof(r->error_text),
                         "Der Datensatz ab Zeile %lu ist länger als %zu Bytes (nicht geschlossenes Anführungszeichen?).",
                         r->record_line, r->opts.max_record_bytes);
                return fail(r, r->record_line, r->error_text);
        }
        if (csv_parse(&r->parser, text, len, on_field, on_record, r) != len)
                return csv_error(&r->parser) == CSV_ENOMEM ? -ENOMEM : -EIO;
        if (starts && r->parser.pstate != LIBCSV_ROW_NOT_BEGUN) {
                /* The record began here and goes on: keep this line before it is gone. */
                e = strbuf_append(&r->raw, text, len);
                if (e < 0)
                        return e;
        }
        if (r->field_error)
                return r->field_error;
        return r->fn_error;
}

static int fill(struct reader *r) {
        if (r->start > 0) {
                memmove(r->buf, r->buf + r->start, r->end - r->start);
                r->end -= r->start;
                r->start = 0;
        }
        if (r->end == r->cap) {
                /* One line does not fit: grow, within the record limit. */
                if (r->cap > r->opts.max_record_bytes) {
                        snprintf(r->error_text, sizeof(r->error_text),
                                 "Zeile %lu ist länger als %zu Bytes.", r->line + 1, r->opts.max_record_bytes);
                        return fail(r, r->line + 1, r->error_text);
                }
                char *p = realloc(r->buf, r->cap * 2);
                if (!p)
                        return -ENOMEM;
                r->buf = p;
                r->cap *= 2;
        }
        for (;;) {
                ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        r->eof = true;
                r->end += (size_t) n;
                return 0;
        }
}

int reader_read(struct reader *r, reader_record_fn fn, void *userdata) {
        r->fn = fn;
        r->userdata = userdata;
        size_t scanned = 0;     /* bytes after start already known to hold no newline */
        for (;;) {
                unsigned char *base = (unsigned char *) r->buf;
                unsigned char *nl = memchr(base + r->start + scanned, '\n', r->end - r->start - scanned);
                if (nl) {
                        size_t n = (size_t) (nl - (base + r->start)) + 1;
                        int e = feed_line(r, base + r->start, n);
                        if (e < 0)
                                return e;
                        r->start += n;
                        scanned = 0;
                        continue;
                }
                if (r->eof) {
                        if (r->end > r->start) {
                                int e = feed_line(r, base + r->start, r->end - r->start);
                                if (e < 0)
                                        return e;
                                r->start = r->end;
                        }
                        break;
                }
                scanned = r->end - r->start;
                int e = fill(r);
                if (e < 0)
                        return e;
        }
        /* A quoted field still open at the end of the input: libcsv would only notice in
         * strict mode, which also refuses the stray quotes that real exports contain. */
        if ((r->parser.pstate == LIBCSV_FIELD_BEGUN && r->parser.quoted) ||
            csv_fini(&r->parser, on_field, on_record, r) != 0) {
                snprintf(r->error_text, sizeof(r->error_text),
                         "Das Anführungszeichen im Datensatz ab Zeile %lu wird bis zum Dateiende nicht geschlossen.",
                         r->record_line);
                return fail(r, r->record_line, r->error_text);
        }
        if (r->field_error)
                return r->field_error;
        return r->fn_error;
}
