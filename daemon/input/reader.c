/*
 * The reader's interface and its common machinery: the input is read in chunks and split
 * into physical lines here; csv.c or fixed.c turn the lines into records, which travel in
 * batches to the caller's callback -- in the same thread, or with threads on, from a parse
 * thread while the caller works through the previous batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "array.h"
#include "reader_impl.h"

static const char *const encoding_names[] = {
        [READER_ENCODING_AUTO] = "auto",
        [READER_ENCODING_UTF8] = "utf-8",
        [READER_ENCODING_WINDOWS_1252] = "windows-1252",
        [READER_ENCODING_ISO_8859_15] = "iso-8859-15",
        [READER_ENCODING_ISO_8859_1] = "iso-8859-1",
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
        if (strcasecmp(name, "latin1") == 0 || strcasecmp(name, "latin-1") == 0) {
                *ret = READER_ENCODING_ISO_8859_1;
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

int reader_fail(struct reader *r, unsigned long line, const char *reason) {
        r->error_line = line;
        r->error_reason = reason;
        return -EBADMSG;
}

/* Two arrays indexed alike grow together: both, or neither's capacity changes. */
int reader_grow_pair(void **a, size_t asize, void **b, size_t bsize, size_t *cap, size_t need) {
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
                struct reader_record rec = {
                        .line = br->line,
                        .nfields = br->nfields,
                        .text = b->bytes.data,
                        .field_off = b->field_off + br->first_field,
                        .field_len = b->field_len + br->first_field,
                        .raw = b->bytes.data + br->raw_off,
                        .raw_len = br->raw_len,
                        .bad_encoding = br->bad_encoding,
                        .defect = br->defect,
                        .length = br->length,
                        .record_type = br->defect == READER_RECORD_WRONG_TYPE ? b->bytes.data + br->type_off : NULL,
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
int reader_publish(struct reader *r) {
        struct batch *b = r->cur;
        if (!r->threaded) {
                int e = consume(r, b);
                /* Fields of a record in progress stay; only completed records leave. */
                batch_reset(b);
                return e;
        }
        pthread_mutex_lock(&r->lock);
        r->queue[(r->queue_head + r->queue_len++) % NBATCHES] = b;
        /* The consumer waits only on an empty queue, and the queue reaches this before
         * the parser runs out of free batches. */
        bool wake = r->queue_len == BATCHES_TO_WAKE;
        while (r->nfree == 0)
                pthread_cond_wait(&r->changed, &r->lock);
        r->cur = r->free_list[--r->nfree];
        pthread_mutex_unlock(&r->lock);
        if (wake)
                pthread_cond_broadcast(&r->changed);
        batch_reset(r->cur);
        return 0;
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
                        unsigned long line = csv_record_open(r) ? r->record_line : r->line + 1;
                        snprintf(r->error_text, sizeof(r->error_text),
                                 "der Datensatz ab Zeile %lu ist länger als %zu Bytes", line, r->opts.max_record_bytes);
                        return reader_fail(r, line, r->error_text);
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
        int (*feed_line)(struct reader *, const unsigned char *, size_t) = csv_feed_line;
        if (r->opts.format == READER_FORMAT_FIXED) {
                int e = fixed_begin(r);
                if (e < 0)
                        return e;
                feed_line = fixed_feed_line;
        }
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
        if (r->opts.format == READER_FORMAT_FIXED)
                return r->fn_error;
        return csv_end(r);
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
                /* The parser waits only when no batch is free, and an empty queue leaves
                 * more than this free. */
                bool wake = r->nfree == BATCHES_TO_WAKE;
                pthread_mutex_unlock(&r->lock);
                if (wake)
                        pthread_cond_broadcast(&r->changed);
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