/*
 * The official fixed-width record: one record per line, each field at fixed positions, in a
 * single-byte encoding (Latin-1). The layout comes from the caller (the rule pack declares
 * it per range of Berichtsjahre); this part cuts each line into the layout's fields and
 * hands them on as the CSV part does, after a header made of the layout's names, so that
 * the checker cannot tell the formats apart.
 *
 * Senders and editors strip trailing blanks, so a shorter line is padded with blanks; a
 * longer one, or one of another record type, is a defect of that record (the checker
 * reports it, S02/S06), not of the file. Control characters (C0, and C1 where the encoding
 * has them) are never text in this format: they are replaced and mark the record (S04).
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reader_impl.h"

/* Each byte's character, once per file: iconv knows the encodings, the loop per record
 * then only copies. */
static int build_chars(struct reader *r) {
        if (r->encoding == READER_ENCODING_AUTO)
                r->encoding = READER_ENCODING_ISO_8859_1;
        if (r->encoding == READER_ENCODING_UTF8)
                return -EINVAL;         /* positions are bytes: the compiler refuses this */
        iconv_t cd = iconv_open("UTF-8", text_iconv_name(r->encoding));
        if (cd == (iconv_t) -1)
                return -errno;
        for (unsigned b = 0; b < 256; b++) {
                r->chars[b].len = 0;
                if (b < 0x20)
                        continue;
                char in = (char) b, *pin = &in, *pout = r->chars[b].utf8;
                size_t inleft = 1, outleft = sizeof(r->chars[b].utf8);
                if (iconv(cd, &pin, &inleft, &pout, &outleft) == (size_t) -1) {
                        iconv(cd, NULL, NULL, NULL, NULL);
                        continue;
                }
                size_t len = sizeof(r->chars[b].utf8) - outleft;
                const unsigned char *u = (const unsigned char *) r->chars[b].utf8;
                bool c1 = len == 2 && u[0] == 0xC2 && u[1] < 0xA0;     /* U+0080..U+009F */
                if (!c1)
                        r->chars[b].len = (unsigned char) len;
        }
        iconv_close(cd);
        return 0;
}

/* Reserves room for one line of n bytes: its text and every field, each character up to
 * four bytes in UTF-8 (U+FFFD is three), plus terminators and the joined dates' dots. */
static int reserve_record(struct reader *r, size_t n) {
        const struct reader_layout *l = r->opts.layout;
        struct batch *b = r->cur;
        if (b->cap_fields - b->nfields < l->nfields + 1) {
                int e = reader_grow_pair((void **) &b->field_off, sizeof(*b->field_off), (void **) &b->field_len,
                                         sizeof(*b->field_len), &b->cap_fields, b->nfields + l->nfields + 1);
                if (e < 0)
                        return e;
        }
        size_t year = r->year_len;
        size_t span = n > l->record_length ? n : l->record_length;
        return strbuf_reserve(&r->cur->bytes, 4 * (n + span) + l->nfields * (year + 3) + 16);
}

/*
 * Where a record's text and fields go while a line is cut: the batch's bytes and field
 * arrays, with the write position and field count in the cursor, not in the batch. Every
 * byte is stored through a char pointer, which may alias anything: kept in the batch,
 * the length and the arrays would be loaded again after each store (a third of the
 * parser's time on a 208-character record of 70 fields).
 */
struct cut {
        char *out;
        size_t at;                      /* bytes written */
        uint32_t *off, *len;            /* per field */
        size_t nfields;
};

/* Appends p[0..n) in UTF-8 (room reserved); returns whether a byte was not text. A line
 * of printable ASCII (r->line_ascii) needs no table. */
static bool put_text(const struct reader *r, struct cut *k, const unsigned char *p, size_t n) {
        if (r->line_ascii) {
                memcpy(k->out + k->at, p, n);
                k->at += n;
                return false;
        }
        bool bad = false;
        for (size_t i = 0; i < n; i++) {
                unsigned char len = r->chars[p[i]].len;
                const char *u = len ? r->chars[p[i]].utf8 : reader_replacement;
                if (!len) {
                        bad = true;
                        len = 3;
                }
                memcpy(k->out + k->at, u, len);
                k->at += len;
        }
        return bad;
}

void reader_fixed_slice(const char *line, size_t n, unsigned off, unsigned width, const char **ret,
                        size_t *ret_len) {
        size_t from = off < n ? off : n, to = off + width < n ? off + width : n;
        while (from < to && line[from] == ' ')
                from++;
        while (to > from && line[to - 1] == ' ')
                to--;
        *ret = line + from;
        *ret_len = to - from;
}

/* The same on the unsigned bytes this file reads. */
static void slice(const unsigned char *p, size_t n, unsigned off, unsigned width, const unsigned char **ret,
                  size_t *ret_len) {
        reader_fixed_slice((const char *) p, n, off, width, (const char **) ret, ret_len);
}

/* The delivery's Berichtsjahr, the value of a field the record does not hold. */
static inline void put_delivery_year(const struct reader *r, struct cut *k) {
        memcpy(k->out + k->at, r->opts.delivery_year ? r->opts.delivery_year : "", r->year_len);
        k->at += r->year_len;
}

/* Ends the field begun at first: its offset and length, and its terminator. */
static inline void field_done(struct cut *k, size_t first) {
        k->off[k->nfields] = (uint32_t) first;
        k->len[k->nfields++] = (uint32_t) (k->at - first);
        k->out[k->at++] = 0;
}

static void put_field(const struct reader *r, struct cut *k, const struct reader_fixed_field *f,
                      const unsigned char *p, size_t n) {
        const unsigned char *s, *y;
        size_t slen, ylen, first = k->at;
        switch (f->piece) {
        case READER_PIECE_TEXT:
                slice(p, n, f->offset, f->width, &s, &slen);
                put_text(r, k, s, slen);
                break;
        case READER_PIECE_MONTH_YEAR:
                slice(p, n, f->offset, f->width, &s, &slen);
                slice(p, n, f->year_offset, f->year_width, &y, &ylen);
                if (slen || ylen) {
                        put_text(r, k, s, slen);
                        k->out[k->at++] = '.';
                        put_text(r, k, y, ylen);
                }
                break;
        case READER_PIECE_DELIVERY_YEAR:
                put_delivery_year(r, k);
                break;
        }
        field_done(k, first);
}

/* Copies n bytes that are at most 16 through a register: one load and one store instead of
 * a call. Reads and writes up to 16 bytes (the batch reserves far more than that beyond
 * every record), so src may run into the area being written. */
static inline void copy_short(char *dst, const char *src, size_t n) {
        if (n > 16) {
                memmove(dst, src, n);
                return;
        }
        char tmp[16];
        memcpy(tmp, src, sizeof(tmp));
        memcpy(dst, tmp, sizeof(tmp));
}

/* reader_fixed_slice() on a line of printable ASCII, eight blanks at a time: most of a
 * record's positions are blank. */
static inline void slice_ascii(const char *line, size_t n, unsigned off, unsigned width, size_t *ret_from,
                               size_t *ret_len) {
        static const char blanks[8] = "        ";
        size_t from = off < n ? off : n, to = off + width < n ? off + width : n;
        while (to - from >= 8 && memcmp(line + from, blanks, 8) == 0)
                from += 8;
        while (from < to && line[from] == ' ')
                from++;
        while (to > from && line[to - 1] == ' ')
                to--;
        *ret_from = from;
        *ret_len = to - from;
}

/* The fields of a line of printable ASCII, cut from its copy in the batch (text = the
 * line, n bytes): positions are bytes and characters alike, nothing to decode. */
static void put_fields_ascii(const struct reader *r, struct cut *k, const char *text, size_t n) {
        const struct reader_layout *l = r->opts.layout;
        for (size_t i = 0; i < l->nfields; i++) {
                const struct reader_fixed_field *f = &l->fields[i];
                size_t first = k->at, from, len, yfrom, ylen;
                switch (f->piece) {
                case READER_PIECE_TEXT:
                        slice_ascii(text, n, f->offset, f->width, &from, &len);
                        copy_short(k->out + k->at, text + from, len);
                        k->at += len;
                        break;
                case READER_PIECE_MONTH_YEAR:
                        slice_ascii(text, n, f->offset, f->width, &from, &len);
                        slice_ascii(text, n, f->year_offset, f->year_width, &yfrom, &ylen);
                        if (len || ylen) {
                                copy_short(k->out + k->at, text + from, len);
                                k->at += len;
                                k->out[k->at++] = '.';
                                copy_short(k->out + k->at, text + yfrom, ylen);
                                k->at += ylen;
                        }
                        break;
                case READER_PIECE_DELIVERY_YEAR:
                        put_delivery_year(r, k);
                        break;
                }
                field_done(k, first);
        }
}

/* The header: the layout's names, on line 0 (there is no header line in the file). */
int fixed_begin(struct reader *r) {
        const struct reader_layout *l = r->opts.layout;
        if (!l)
                return -EINVAL;
        int e = build_chars(r);
        if (e < 0)
                return e;
        /* Asked of every record: measured once. */
        r->type_len = strlen(l->type_value);
        r->year_len = r->opts.delivery_year ? strlen(r->opts.delivery_year) : 0;
        e = reserve_record(r, 0);
        if (e < 0)
                return e;
        struct batch *b = r->cur;
        size_t names = 0;
        for (size_t i = 0; i < l->nfields; i++)
                names += strlen(l->names[i]) + 1;
        e = strbuf_reserve(&b->bytes, names + 1);
        if (e < 0)
                return e;
        size_t first = b->nfields;
        for (size_t i = 0; i < l->nfields; i++) {
                size_t len = strlen(l->names[i]);
                b->field_off[b->nfields] = (uint32_t) b->bytes.len;
                b->field_len[b->nfields++] = (uint32_t) len;
                memcpy(b->bytes.data + b->bytes.len, l->names[i], len + 1);
                b->bytes.len += len + 1;
        }
        size_t raw_off = b->bytes.len;
        b->bytes.data[b->bytes.len++] = 0;
        b->recs[b->nrecs++] = (struct batch_record) {
                .line = 0, .first_field = first, .nfields = l->nfields, .raw_off = raw_off};
        return 0;
}

/* One physical line (with its line end) into one record. */
int fixed_feed_line(struct reader *r, const unsigned char *p, size_t n) {
        const struct reader_layout *l = r->opts.layout;
        r->line++;
        while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
                n--;
        if (n == 0)
                return 0;       /* an empty line holds no record (nor does one in CSV) */
        if (n > r->opts.max_record_bytes) {
                snprintf(r->error_text, sizeof(r->error_text), "der Datensatz in Zeile %lu ist länger als %zu Bytes",
                         r->line, r->opts.max_record_bytes);
                return reader_fail(r, r->line, r->error_text);
        }
        int e = reserve_record(r, n);
        if (e < 0)
                return e;
        struct batch *b = r->cur;
        struct cut k = {.out = b->bytes.data, .at = b->bytes.len, .off = b->field_off, .len = b->field_len,
                        .nfields = b->nfields};
        struct batch_record rec = {.line = r->line, .first_field = k.nfields, .raw_off = k.at, .length = n};
        r->line_ascii = text_ascii(p, n, 0x20);
        rec.bad_encoding = put_text(r, &k, p, n);
        rec.raw_len = k.at - rec.raw_off;
        k.out[k.at++] = 0;
        const unsigned char *type;
        size_t type_len;
        slice(p, n, l->type_offset, l->type_width, &type, &type_len);
        if (n > l->record_length)
                rec.defect = READER_RECORD_TOO_LONG;
        else if (type_len != r->type_len || memcmp(type, l->type_value, type_len) != 0) {
                rec.defect = READER_RECORD_WRONG_TYPE;
                rec.type_off = k.at;
                put_text(r, &k, type, type_len);
                k.out[k.at++] = 0;
        } else if (r->line_ascii)
                put_fields_ascii(r, &k, k.out + rec.raw_off, n);
        else
                for (size_t i = 0; i < l->nfields; i++)
                        put_field(r, &k, &l->fields[i], p, n);
        b->bytes.len = k.at;
        b->nfields = k.nfields;
        rec.nfields = b->nfields - rec.first_field;
        b->recs[b->nrecs++] = rec;
        if (batch_full(b))
                return reader_publish(r);
        return 0;
}
