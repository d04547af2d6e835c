/*
 * The reader's inside, shared by its parts: reader.c (the interface, the line split, the
 * batches and the parse thread), text.c (decoding to UTF-8), csv.c (delimited text through
 * libcsv) and fixed.c (the official fixed-width record). Nothing outside daemon/input/
 * includes it.
 */
#ifndef PLAUSID_READER_IMPL_H
#define PLAUSID_READER_IMPL_H

#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <csv.h>

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
#define BATCH_RECORDS 256
#define NBATCHES 8
/* A waiting side is woken only when half the batches are ready for it, not for each one:
 * a wake-up costs as much as checking a few hundred records, and a thread woken per batch
 * spends its time going to sleep again (measured: 1.2 instead of 1.7 cores busy). */
#define BATCHES_TO_WAKE (NBATCHES / 2)
/* A batch is passed on once its bytes pass this, so that offsets into it fit 32 bits (one
 * record adds at most a few times max_record_bytes): the offsets of every field are most of
 * the memory a batch moves between the cores. */
#define BATCH_BYTES_MAX (1u << 30)

struct batch_record {
        unsigned long line;
        size_t first_field;     /* index into the batch's field arrays */
        size_t nfields;
        size_t raw_off, raw_len;
        bool bad_encoding;
        enum reader_defect defect;
        size_t length;          /* fixed-width: characters of the line */
        size_t type_off;        /* fixed-width: the record type found, in the batch's bytes */
};

struct batch {
        struct strbuf bytes;    /* fields, each NUL-terminated, and raw texts */
        uint32_t *field_off, *field_len;        /* per field: in bytes (see BATCH_BYTES_MAX) */
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

        /* fixed-width: each byte's character in UTF-8 (len 0: a control character or a
         * byte the encoding leaves undefined) */
        struct { char utf8[4]; unsigned char len; } chars[256];
        bool line_ascii;                /* the line being cut is printable ASCII */
        size_t type_len, year_len;      /* of the layout's record type and the delivery's year */

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
        reader_record_fn fn;
        void *userdata;
        int fn_error;                   /* first negative return of fn */

        unsigned long error_line;
        const char *error_reason;
        char error_text[160];           /* the longest text is 88 bytes and two numbers of at
                                         * most 20 digits: it never truncates */
};

/* reader.c */
int reader_fail(struct reader *r, unsigned long line, const char *reason);
int reader_grow_pair(void **a, size_t asize, void **b, size_t bsize, size_t *cap, size_t need);
int reader_publish(struct reader *r);

static inline bool batch_full(const struct batch *b) {
        return b->nrecs == BATCH_RECORDS || b->bytes.len > BATCH_BYTES_MAX;
}

/* text.c: decoding into r->decoded; invalid bytes become U+FFFD and set r->bad_encoding */
extern const char reader_replacement[4];
/* True when every byte is ASCII from lowest on: for CSV 1 (no NUL: plain text that needs
 * no decoding), for the fixed-width record 0x20 (no control character either). The common
 * case; sixteen bytes at a time with GCC vector extensions (SSE2 on x86-64, plain code
 * elsewhere). Inline, so that each caller's lowest is a constant. */
typedef unsigned char v16u8 __attribute__((vector_size(16)));

static inline bool text_ascii(const unsigned char *p, size_t n, unsigned char lowest) {
        size_t i = 0;
        v16u8 bad = {0};
        for (; i + 16 <= n; i += 16) {
                v16u8 w;
                memcpy(&w, p + i, 16);
                bad |= (w >= 0x80) | (w < lowest);
        }
        uint64_t lanes[2];
        memcpy(lanes, &bad, 16);
        if (lanes[0] | lanes[1])
                return false;
        for (; i < n; i++)
                if (p[i] < lowest || p[i] >= 0x80)
                        return false;
        return true;
}
bool text_utf8_valid(const unsigned char *p, size_t n);
int text_decode_utf8(struct reader *r, const unsigned char *p, size_t n);
int text_decode_single_byte(struct reader *r, const unsigned char *p, size_t n);
const char *text_iconv_name(enum reader_encoding e);

/* csv.c */
int csv_feed_line(struct reader *r, const unsigned char *p, size_t n);
int csv_end(struct reader *r);
bool csv_record_open(const struct reader *r);

/* fixed.c */
int fixed_begin(struct reader *r);
int fixed_feed_line(struct reader *r, const unsigned char *p, size_t n);

#endif
