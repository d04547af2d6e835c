/*
 * Loaded records as fixed-width lines (fixed_export.h): one line per row of v_DATASET,
 * from the kept record where a field is unchanged, from the column where it changed.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "fixed_export.h"
#include "table.h"
#include "view_rows.h"

struct writer {
        const struct reader_layout *l;
        FILE *out;
        iconv_t cd;             /* UTF-8 -> the layout's encoding */
        int *column;            /* per layout field: its column of the view, -1: none */
        bool *date;             /* per layout field: a date field (YYYY-MM-DD in the view) */
        int raw_column, line_column;
        char *line;             /* the record being written, record_length bytes */
        char *raw;              /* the kept record in the layout's encoding */
        size_t raw_len;
        char value[1024];       /* a column's value in the layout's encoding */
        size_t value_len;
        unsigned long rows;
        char **ret_error;
};

/* s in the layout's encoding into buf (cap bytes): -EILSEQ for a character it lacks, -ERANGE
 * when it does not fit. */
static int encode(struct writer *w, const char *s, char *buf, size_t cap, size_t *ret_len) {
        char *in = (char *) s, *out = buf;
        size_t inleft = strlen(s), outleft = cap;
        iconv(w->cd, NULL, NULL, NULL, NULL);
        if (iconv(w->cd, &in, &inleft, &out, &outleft) == (size_t) -1)
                return errno == E2BIG ? -ERANGE : -EILSEQ;
        *ret_len = cap - outleft;
        return 0;
}

static int fail(struct writer *w, int e, const char *line, const char *field) {
        if (asprintf(w->ret_error, "Zeile %s, Feld %s: %s", line ? line : "?", field,
                     e == -ERANGE ? "der Wert ist breiter als seine Stellen im Satzaufbau"
                                  : "der Wert hat ein Zeichen, das die Zeichenkodierung des Satzaufbaus nicht kennt") < 0)
                *w->ret_error = NULL;
        return e;
}

static int on_columns(void *userdata, const struct view_column *columns, size_t n) {
        struct writer *w = userdata;
        w->raw_column = w->line_column = -1;
        for (size_t i = 0; i < w->l->nfields; i++) {
                w->column[i] = -1;
                for (size_t k = 0; k < n; k++)
                        if (strcmp(columns[k].name, w->l->names[i]) == 0)
                                w->column[i] = (int) k;
        }
        for (size_t k = 0; k < n; k++) {
                if (strcmp(columns[k].name, TABLE_RECORD_TEXT) == 0)
                        w->raw_column = (int) k;
                if (strcmp(columns[k].name, "line") == 0)
                        w->line_column = (int) k;
        }
        return 0;
}

/* The kept record's bytes at [off, off + width), cut as the reader cut them. */
static void slice(const struct writer *w, unsigned off, unsigned width, const char **ret, size_t *ret_len) {
        reader_fixed_slice(w->raw, w->raw_len, off, width, ret, ret_len);
}

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return n > 0;
}

/* Whether a and b mean the same: the same text, or digits of the same number. */
static bool same(const char *a, size_t alen, const char *b, size_t blen) {
        if (alen == blen && memcmp(a, b, alen) == 0)
                return true;
        if (!all_digits(a, alen) || !all_digits(b, blen))
                return false;
        while (alen > 1 && *a == '0')
                a++, alen--;
        while (blen > 1 && *b == '0')
                b++, blen--;
        return alen == blen && memcmp(a, b, alen) == 0;
}

/* Writes text into the line at [off, off + width), left-aligned, blank-padded. */
static int put(struct writer *w, unsigned off, unsigned width, const char *s, size_t len) {
        if (len > width)
                return -ERANGE;
        memset(w->line + off, ' ', width);
        memcpy(w->line + off, s, len);
        return 0;
}

/* A date field's day written as the statistics write a date, DD.MM.YYYY, unless the kept
 * record holds the same day in any form the reader accepts. */
static int put_date_field(struct writer *w, const struct reader_fixed_field *f, int64_t day, bool *changed) {
        const char *a;
        size_t alen;
        int64_t kept, y;
        unsigned m, d;
        slice(w, f->offset, f->width, &a, &alen);
        if (w->raw && calendar_parse_date(a, alen, &kept) && kept == day)
                return 0;
        *changed = true;
        calendar_civil_from_days(day, &y, &m, &d);
        char text[32];          /* DD.MM.YYYY; room for what the compiler cannot rule out */
        int len = snprintf(text, sizeof(text), "%02u.%02u.%04lld", d, m, (long long) y);
        return put(w, f->offset, f->width, text, (size_t) len);
}

/* One field of the row into the line; *changed when it differs from the kept record. */
static int put_field(struct writer *w, const struct reader_fixed_field *f, bool date, const char *v, bool *changed) {
        const char *a, *b;
        size_t alen, blen;
        int64_t day;
        w->value_len = 0;
        if (f->piece == READER_PIECE_TEXT && date && v && calendar_parse_date(v, strlen(v), &day))
                return put_date_field(w, f, day, changed);
        if (f->piece == READER_PIECE_TEXT) {
                int e = v ? encode(w, v, w->value, sizeof(w->value), &w->value_len) : 0;
                if (e < 0)
                        return e;
                slice(w, f->offset, f->width, &a, &alen);
                if (w->raw && same(a, alen, w->value, w->value_len))
                        return 0;
                *changed = true;
                return put(w, f->offset, f->width, w->value, w->value_len);
        }
        if (f->piece != READER_PIECE_MONTH_YEAR)
                return 0;
        /* v is a date, YYYY-MM-DD (DateStyle ISO): month and year apart. */
        const char *month = v ? v + 5 : "", *year = v ? v : "";
        size_t mlen = v ? 2 : 0, ylen = v ? 4 : 0;
        slice(w, f->offset, f->width, &a, &alen);
        slice(w, f->year_offset, f->year_width, &b, &blen);
        if (w->raw && same(a, alen, month, mlen) && same(b, blen, year, ylen))
                return 0;
        *changed = true;
        int e = put(w, f->offset, f->width, month, mlen);
        return e < 0 ? e : put(w, f->year_offset, f->year_width, year, ylen);
}

static int on_row(void *userdata, const char *const *values, size_t n) {
        struct writer *w = userdata;
        const struct reader_layout *l = w->l;
        (void) n;
        const char *line = w->line_column >= 0 ? values[w->line_column] : NULL;
        w->raw_len = 0;
        const char *raw = w->raw_column >= 0 ? values[w->raw_column] : NULL;
        if (raw && encode(w, raw, w->raw, l->record_length, &w->raw_len) < 0)
                raw = NULL;     /* not a record of this layout: written from the columns */
        memset(w->line, ' ', l->record_length);
        if (raw)
                memcpy(w->line, w->raw, w->raw_len);
        else
                memcpy(w->line + l->type_offset, l->type_value, strlen(l->type_value));
        bool changed = !raw;
        for (size_t i = 0; i < l->nfields; i++) {
                int e = put_field(w, &l->fields[i], w->date[i], w->column[i] >= 0 ? values[w->column[i]] : NULL,
                                  &changed);
                if (e < 0)
                        return fail(w, e, line, l->names[i]);
        }
        const char *text = changed ? w->line : w->raw;
        size_t len = changed ? l->record_length : w->raw_len;
        if (fwrite(text, 1, len, w->out) != len || fputs("\r\n", w->out) == EOF)
                return -EIO;
        w->rows++;
        return 0;
}

int fixed_export(PGconn *conn, const char *schema, const struct ruleset *rs, const char *year, FILE *out,
                 unsigned long *ret_rows, char **ret_error) {
        const struct reader_layout *l = ruleset_fixed_layout(rs, atoi(year));
        if (!l)
                return -ENOENT;
        struct writer w = {.l = l, .out = out, .ret_error = ret_error};
        w.cd = iconv_open(reader_encoding_name(ruleset_fixed_encoding(rs)), "UTF-8");
        if (w.cd == (iconv_t) -1)
                return -errno;
        w.column = calloc(l->nfields ? l->nfields : 1, sizeof(*w.column));
        w.date = calloc(l->nfields ? l->nfields : 1, sizeof(*w.date));
        w.line = malloc(l->record_length);
        w.raw = malloc(l->record_length);
        for (size_t i = 0; w.date && i < l->nfields; i++) {
                int f = ruleset_field_find(rs, l->names[i]);
                w.date[i] = f >= 0 && ruleset_field_type(rs, (unsigned) f) == FIELD_DATE;
        }
        char view[80];
        snprintf(view, sizeof(view), "v_%s", ruleset_name(rs));
        int r = !w.column || !w.date || !w.line || !w.raw
                        ? -ENOMEM
                        : view_rows_each(conn, schema, view, year, true, on_columns, on_row, &w, ret_error);
        iconv_close(w.cd);
        free(w.column);
        free(w.date);
        free(w.line);
        free(w.raw);
        *ret_rows = w.rows;
        return r;
}
