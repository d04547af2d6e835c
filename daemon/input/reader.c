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
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <csv.h>

#include "array.h"
#include "reader.h"
#include "strbuf.h"

#define READ_CHUNK (256u * 1024u)

/* libcsv's parser states (ROW_NOT_BEGUN and FIELD_BEGUN in libcsv.c). */
#define LIBCSV_ROW_NOT_BEGUN 0
#define LIBCSV_FIELD_BEGUN 2

/*
 * Parsed records travel in batches: the fields and original text of up to BATCH_RECORDS
 * records in one byte buffer. The parser fills one batch while the caller's callback works
 * through another; with threads on, parsing runs in its own thread, so reading and checking
 * use both cores. Without threads a full batch is handed to the callback at once. Either
 * way the callback sees the records in file order, in the calling thread.
 */
#define BATCH_RECORDS 512
#define NBATCHES 4

struct batch_record {
        unsigned long line;
        size_t first_field;     /* index into the batch's field arrays */
        size_t nfields;
        size_t raw_off, raw_len;
        bool bad_encoding;
};

struct batch {
        struct strbuf bytes;    /* fields, each NUL-terminated, and raw texts */
        size_t *field_off, *field_len;
        size_t nfields, cap_fields;
        struct batch_record recs[BATCH_RECORDS];
        size_t nrecs;
};

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
        size_t record_first_field;      /* where the record in progress starts in cur */
        int parse_error;                /* -ENOMEM from a libcsv callback */

        /* batches: the parser owns cur; full ones wait in the queue for the consumer */
        struct batch batches[NBATCHES];
        struct batch *cur;
        struct batch *queue[NBATCHES], *free_list[NBATCHES];
        size_t queue_head, queue_len, nfree;
        bool threaded, producer_done;
        int producer_status;
        atomic_bool cancel;
        pthread_mutex_t lock;
        pthread_cond_t changed;

        /* consumer side */
        const char **fields;
        size_t *lengths;
        size_t fields_cap;
        reader_record_fn fn;
        void *userdata;
        int fn_error;                   /* first negative return of fn */

        unsigned long error_line;
        const char *error_reason;
        char error_text[160];           /* the longest text is 88 bytes and two numbers of at
                                         * most 20 digits: it never truncates */
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
                free(r->buf);
                free(r);
                return -ENOMEM;
        }
        r->parser_ready = true;
        csv_set_delim(&r->parser, (unsigned char) r->opts.delimiter);
        pthread_mutex_init(&r->lock, NULL);
        pthread_cond_init(&r->changed, NULL);
        r->cur = &r->batches[0];
        for (size_t i = 1; i < NBATCHES; i++)
                r->free_list[r->nfree++] = &r->batches[i];
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
        for (size_t i = 0; i < NBATCHES; i++) {
                strbuf_done(&r->batches[i].bytes);
                free(r->batches[i].field_off);
                free(r->batches[i].field_len);
        }
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->changed);
        free(r->fields);
        free(r->lengths);
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

/* Two arrays indexed alike grow together: both, or neither's capacity changes. */
static int grow_pair(void **a, size_t asize, void **b, size_t bsize, size_t *cap, size_t need) {
        size_t acap = *cap, bcap = *cap;
        int e = array_grow(a, &acap, need, asize);
        if (e < 0)
                return e;
        e = array_grow(b, &bcap, need, bsize);
        if (e < 0)
                return e;
        *cap = acap < bcap ? acap : bcap;
        return 0;
}

/* Hands the records of a batch to the callback, in the calling thread. */
static int consume(struct reader *r, struct batch *b) {
        for (size_t k = 0; k < b->nrecs; k++) {
                const struct batch_record *br = &b->recs[k];
                if (br->nfields > r->fields_cap) {
                        int e = grow_pair((void **) &r->fields, sizeof(*r->fields), (void **) &r->lengths,
                                          sizeof(*r->lengths), &r->fields_cap, br->nfields);
                        if (e < 0)
                                return e;
                }
                for (size_t i = 0; i < br->nfields; i++) {
                        r->fields[i] = b->bytes.data + b->field_off[br->first_field + i];
                        r->lengths[i] = b->field_len[br->first_field + i];
                }
                struct reader_record rec = {
                        .line = br->line,
                        .nfields = br->nfields,
                        .fields = r->fields,
                        .lengths = r->lengths,
                        .raw = b->bytes.data + br->raw_off,
                        .raw_len = br->raw_len,
                        .bad_encoding = br->bad_encoding,
                };
                int e = r->fn(r->userdata, &rec);
                if (e < 0)
                        return e;
        }
        return 0;
}

static void batch_reset(struct batch *b) {
        strbuf_reset(&b->bytes);
        b->nfields = 0;
        b->nrecs = 0;
}

/* The parser's batch is full (or the input ended): pass it on and get an empty one. */
static int publish(struct reader *r) {
        struct batch *b = r->cur;
        if (!r->threaded) {
                int e = consume(r, b);
                /* Fields of a record in progress stay; only completed records leave. */
                batch_reset(b);
                return e;
        }
        pthread_mutex_lock(&r->lock);
        r->queue[(r->queue_head + r->queue_len++) % NBATCHES] = b;
        pthread_cond_broadcast(&r->changed);
        while (r->nfree == 0)
                pthread_cond_wait(&r->changed, &r->lock);
        r->cur = r->free_list[--r->nfree];
        pthread_mutex_unlock(&r->lock);
        batch_reset(r->cur);
        return 0;
}

/* libcsv field callback: copy the field into the batch, since libcsv reuses its buffer.
 * feed_line() reserved room for everything one line can produce, so this does no checks:
 * it runs for every field of every record. */
static void on_field(void *s, size_t len, void *data) {
        struct reader *r = data;
        struct batch *b = r->cur;
        b->field_off[b->nfields] = b->bytes.len;
        b->field_len[b->nfields] = len;
        b->nfields++;
        char *dst = b->bytes.data + b->bytes.len;
        const char *src = s ? s : "";
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
                int e = grow_pair((void **) &b->field_off, sizeof(*b->field_off), (void **) &b->field_len,
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
        if (b->nrecs == BATCH_RECORDS) {
                e = publish(r);
                if (e < 0)
                        r->fn_error = e;
                /* A line can hold more records (bare CR line ends inside one read line are
                 * not split); the fresh batch needs the same room. */
                else if ((e = reserve_line(r, r->line_len)) < 0)
                        r->parse_error = e;
        }
        r->record_first_field = r->cur->nfields;
}

/* True when every byte is ASCII other than NUL: the common case that needs no decoding.
 * Sixteen bytes at a time with GCC vector extensions (SSE2 on x86-64, plain code elsewhere). */
typedef unsigned char v16u8 __attribute__((vector_size(16)));

static bool plain_ascii(const unsigned char *p, size_t n) {
        size_t i = 0;
        v16u8 bad = {0};
        const v16u8 zero = {0};
        for (; i + 16 <= n; i += 16) {
                v16u8 w;
                memcpy(&w, p + i, 16);
                /* high bit set, or a NUL byte */
                bad |= (w >= 0x80) | (w == zero);
        }
        uint64_t lanes[2];
        memcpy(lanes, &bad, 16);
        if (lanes[0] | lanes[1])
                return false;
        for (; i < n; i++)
                if (p[i] == 0 || p[i] >= 0x80)
                        return false;
        return true;
}

/* Length of the valid UTF-8 sequence at p (1–4), or 0 when it is invalid (overlong forms,
 * surrogates, beyond U+10FFFF, truncated). NUL is valid UTF-8 here: it says nothing about
 * the encoding, and the decoders replace it. */
static size_t utf8_sequence(const unsigned char *p, size_t n) {
        unsigned char c = p[0];
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

/* Copies UTF-8 input into r->decoded, replacing every invalid byte and every NUL (which
 * would cut a C string) by U+FFFD. */
static int decode_utf8(struct reader *r, const unsigned char *p, size_t n) {
        for (size_t i = 0; i < n;) {
                size_t l = p[i] ? utf8_sequence(p + i, n - i) : 0;
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
static int iconv_piece(struct reader *r, const unsigned char *p, size_t n) {
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
        return 0;
}

/* Converts a single-byte encoding with iconv; bytes that the encoding leaves undefined, and
 * NUL (which both encodings map to NUL, cutting a C string), become U+FFFD and mark the
 * record. */
static int decode_single_byte(struct reader *r, const unsigned char *p, size_t n) {
        if (r->cd == (iconv_t) -1) {
                const char *from = r->encoding == READER_ENCODING_ISO_8859_15 ? "ISO-8859-15" : "WINDOWS-1252";
                r->cd = iconv_open("UTF-8", from);
                if (r->cd == (iconv_t) -1)
                        return -errno;
        }
        for (;;) {
                const unsigned char *nul = memchr(p, 0, n);
                size_t piece = nul ? (size_t) (nul - p) : n;
                int e = iconv_piece(r, p, piece);
                if (e < 0 || !nul)
                        return e;
                r->bad_encoding = true;
                e = strbuf_append(&r->decoded, replacement, 3);
                if (e < 0)
                        return e;
                p += piece + 1;
                n -= piece + 1;
        }
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
        /* The limit is on the record's text: line breaks inside it count, the one that
         * ends it does not, so LF and CRLF files have the same limit. */
        size_t body = len;
        while (body > 0 && (text[body - 1] == '\n' || text[body - 1] == '\r'))
                body--;
        if ((starts ? 0 : r->raw.len) + body > r->opts.max_record_bytes) {
                snprintf(r->error_text, sizeof(r->error_text),
                         "der Datensatz ab Zeile %lu ist länger als %zu Bytes (nicht geschlossenes Anführungszeichen?)",
                         r->record_line, r->opts.max_record_bytes);
                return fail(r, r->record_line, r->error_text);
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

static int fill(struct reader *r) {
        if (r->start > 0) {
                memmove(r->buf, r->buf + r->start, r->end - r->start);
                r->end -= r->start;
                r->start = 0;
        }
        if (r->end == r->cap) {
                /* One line does not fit: grow, within the record limit. */
                if (r->cap > r->opts.max_record_bytes) {
                        /* Blame the record the line belongs to: it may have begun earlier. */
                        unsigned long line = r->parser.pstate == LIBCSV_ROW_NOT_BEGUN ? r->line + 1 : r->record_line;
                        snprintf(r->error_text, sizeof(r->error_text),
                                 "der Datensatz ab Zeile %lu ist länger als %zu Bytes", line, r->opts.max_record_bytes);
                        return fail(r, line, r->error_text);
                }
                int e = array_grow((void **) &r->buf, &r->cap, r->cap * 2, 1);
                if (e < 0)
                        return e;
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

/*
 * End of the line at p: its LF, or a CR not followed by LF (old Mac line ends count as line
 * ends, as libcsv counts them as record ends). NULL when the buffer holds no complete line
 * yet; a CR as the last byte waits for the next read, which may bring its LF.
 */
static const unsigned char *line_end(const unsigned char *p, size_t n, bool eof) {
        const unsigned char *nl = memchr(p, '\n', n);
        size_t before = nl ? (size_t) (nl - p) : n;
        const unsigned char *cr = memchr(p, '\r', before);
        if (!cr)
                return nl;
        if (cr + 1 < p + n)
                return cr[1] == '\n' ? cr + 1 : cr;
        return eof ? cr : NULL;
}

/* The parser: splits, decodes and parses the whole input into batches. */
static int produce(struct reader *r) {
        for (;;) {
                if (atomic_load_explicit(&r->cancel, memory_order_relaxed))
                        return -ECANCELED;
                unsigned char *base = (unsigned char *) r->buf + r->start;
                const unsigned char *end = line_end(base, r->end - r->start, r->eof);
                if (end) {
                        size_t n = (size_t) (end - base) + 1;
                        int e = feed_line(r, base, n);
                        if (e < 0)
                                return e;
                        r->start += n;
                        continue;
                }
                if (r->eof) {
                        if (r->end > r->start) {
                                int e = feed_line(r, base, r->end - r->start);
                                if (e < 0)
                                        return e;
                                r->start = r->end;
                        }
                        break;
                }
                int e = fill(r);
                if (e < 0)
                        return e;
        }
        /* A quoted field still open at the end of the input: libcsv would only notice in
         * strict mode, which also refuses the stray quotes that real exports contain. */
        /* csv_fini completes the last record when the input has no final line break. */
        int e = reserve_line(r, r->line_len + 1);
        if (e < 0)
                return e;
        if ((r->parser.pstate == LIBCSV_FIELD_BEGUN && r->parser.quoted) ||
            csv_fini(&r->parser, on_field, on_record, r) != 0) {
                snprintf(r->error_text, sizeof(r->error_text),
                         "das Anführungszeichen im Datensatz ab Zeile %lu wird bis zum Dateiende nicht geschlossen",
                         r->record_line);
                return fail(r, r->record_line, r->error_text);
        }
        if (r->parse_error)
                return r->parse_error;
        return r->fn_error;
}

static void *producer_thread(void *data) {
        struct reader *r = data;
        int status = produce(r);
        pthread_mutex_lock(&r->lock);
        /* The records completed before the end (or before an error) still count. */
        if (r->cur->nrecs)
                r->queue[(r->queue_head + r->queue_len++) % NBATCHES] = r->cur;
        r->producer_status = status;
        r->producer_done = true;
        pthread_cond_broadcast(&r->changed);
        pthread_mutex_unlock(&r->lock);
        return NULL;
}

static int read_threaded(struct reader *r) {
        pthread_t thread;
        r->threaded = true;
        int e = -pthread_create(&thread, NULL, producer_thread, r);
        if (e < 0) {
                r->threaded = false;
                return e;
        }
        e = 0;
        for (;;) {
                pthread_mutex_lock(&r->lock);
                while (r->queue_len == 0 && !r->producer_done)
                        pthread_cond_wait(&r->changed, &r->lock);
                if (r->queue_len == 0) {
                        pthread_mutex_unlock(&r->lock);
                        break;
                }
                struct batch *b = r->queue[r->queue_head];
                r->queue_head = (r->queue_head + 1) % NBATCHES;
                r->queue_len--;
                pthread_mutex_unlock(&r->lock);
                /* After a failure the remaining batches are only returned, so that the
                 * parser, which stops at the next line, is never left waiting. */
                if (e >= 0 && (e = consume(r, b)) < 0)
                        atomic_store(&r->cancel, true);
                pthread_mutex_lock(&r->lock);
                r->free_list[r->nfree++] = b;
                pthread_cond_broadcast(&r->changed);
                pthread_mutex_unlock(&r->lock);
        }
        pthread_join(thread, NULL);
        return e < 0 ? e : r->producer_status;
}

int reader_read(struct reader *r, reader_record_fn fn, void *userdata) {
        r->fn = fn;
        r->userdata = userdata;
        if (r->opts.threads)
                return read_threaded(r);
        int status = produce(r);
        /* Records completed before a reading error are delivered, as in threaded mode; not
         * after the callback itself failed. */
        if (!r->fn_error) {
                int e = consume(r, r->cur);
                batch_reset(r->cur);
                if (e < 0)
                        return e;
        }
        return status;
}

struct line_pick {
        const unsigned long *lines;
        size_t n, next;
        reader_record_fn fn;
        void *userdata;
};

static int pick_line(void *userdata, const struct reader_record *rec) {
        struct line_pick *p = userdata;
        while (p->next < p->n && p->lines[p->next] < rec->line)
                p->next++;
        if (p->next == p->n)
                return -ECANCELED;
        if (p->lines[p->next] != rec->line)
                return 0;
        p->next++;
        int e = p->fn(p->userdata, rec);
        return e < 0 ? e : p->next == p->n ? -ECANCELED : 0;
}

int reader_read_lines(int fd, const struct reader_options *opts, const unsigned long *lines, size_t n,
                      reader_record_fn fn, void *userdata) {
        if (n == 0)
                return 0;
        struct line_pick pick = {.lines = lines, .n = n, .fn = fn, .userdata = userdata};
        struct reader_options o = *opts;
        o.threads = false;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        _cleanup_(reader_freep) struct reader *r = NULL;
        int e = reader_new(fd, &o, &r);
        if (e < 0)
                return e;
        e = reader_read(r, pick_line, &pick);
        /* -ECANCELED: every line picked; -EBADMSG: the file broke after the last of them. */
        return e == -ECANCELED || e == -EBADMSG ? 0 : e;
}
