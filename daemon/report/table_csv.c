/*
 * A table for Excel (see table_csv.h). Each cell is written straight to the stream: a
 * view of a million rows passes through without being held.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table_csv.h"

static bool digits(const char **p) {
        const char *s = *p;
        while (isdigit((unsigned char) **p))
                (*p)++;
        return *p > s;
}

/* A number as a German Excel reads it: [+-]digits[,digits]. */
static bool is_number_de(const char *s) {
        if (*s == '+' || *s == '-')
                s++;
        if (!digits(&s))
                return false;
        if (*s == ',' && (s++, !digits(&s)))
                return false;
        return *s == '\0';
}

/* A number as the server writes numeric and float: [-]digits[.digits][e[+-]digits]. */
static bool is_number_pg(const char *s) {
        if (*s == '-')
                s++;
        if (!digits(&s))
                return false;
        if (*s == '.' && (s++, !digits(&s)))
                return false;
        if (*s == 'e' || *s == 'E') {
                s++;
                if (*s == '+' || *s == '-')
                        s++;
                if (!digits(&s))
                        return false;
        }
        return *s == '\0';
}

/* Whether Excel would take the text for a formula. */
static bool looks_like_formula(const char *s) {
        if (s[0] && strchr("=@\t\r", s[0]))
                return true;
        return (s[0] == '+' || s[0] == '-') && !is_number_de(s);
}

/* A text cell: guarded against formulas, quoted where needed. The findings CSV
 * (report.c) writes its cells with it too. */
int table_csv_text(FILE *out, const char *s) {
        bool quote = strpbrk(s, ";\"\r\n") != NULL;
        if (quote && fputc('"', out) == EOF)
                return -EIO;
        if (looks_like_formula(s) && fputc('\'', out) == EOF)
                return -EIO;
        for (; *s; s++)
                if ((*s == '"' && fputc('"', out) == EOF) || fputc(*s, out) == EOF)
                        return -EIO;
        if (quote && fputc('"', out) == EOF)
                return -EIO;
        return 0;
}

static int put_decimal(FILE *out, const char *s) {
        if (!is_number_pg(s))
                return table_csv_text(out, s);
        for (; *s; s++)
                if (fputc(*s == '.' ? ',' : *s, out) == EOF)
                        return -EIO;
        return 0;
}

/* Whether s begins with YYYY-MM-DD. */
static bool is_iso_date(const char *s) {
        static const char shape[] = "dddd-dd-dd";
        for (size_t i = 0; i < sizeof(shape) - 1; i++)
                if (shape[i] == 'd' ? !isdigit((unsigned char) s[i]) : s[i] != shape[i])
                        return false;
        return true;
}

/* Whether t is HH:MM:SS, then the end, a fraction or an offset. */
static bool is_iso_time(const char *t) {
        static const char shape[] = "dd:dd:dd";
        for (size_t i = 0; i < sizeof(shape) - 1; i++)
                if (shape[i] == 'd' ? !isdigit((unsigned char) t[i]) : t[i] != shape[i])
                        return false;
        return t[8] == '\0' || t[8] == '.' || t[8] == '+' || t[8] == '-';
}

static int put_date(FILE *out, const char *s) {
        if (strlen(s) != 10 || !is_iso_date(s))
                return table_csv_text(out, s);
        return fprintf(out, "%.2s.%.2s.%.4s", s + 8, s + 5, s) < 0 ? -EIO : 0;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]]": the date and the time to the second. A year
 * before Christ ends in " BC", which Excel cannot read: text. */
static int put_timestamp(FILE *out, const char *s) {
        if (strlen(s) < 19 || !is_iso_date(s) || s[10] != ' ' || !is_iso_time(s + 11) || strstr(s, " BC"))
                return table_csv_text(out, s);
        return fprintf(out, "%.2s.%.2s.%.4s %.8s", s + 8, s + 5, s, s + 11) < 0 ? -EIO : 0;
}

int table_csv_cell(FILE *out, enum view_kind kind, const char *value) {
        if (!value)
                return 0;
        switch (kind) {
        case VIEW_INTEGER: return fputs(value, out) == EOF ? -EIO : 0;
        case VIEW_DECIMAL: return put_decimal(out, value);
        case VIEW_DATE: return put_date(out, value);
        case VIEW_TIMESTAMP: return put_timestamp(out, value);
        case VIEW_BOOLEAN:
                if (strcmp(value, "t") == 0 || strcmp(value, "f") == 0)
                        return fputc(value[0] == 't' ? '1' : '0', out) == EOF ? -EIO : 0;
                return table_csv_text(out, value);
        case VIEW_TEXT: break;
        }
        return table_csv_text(out, value);
}

static int end_line(FILE *out) {
        return fputs("\r\n", out) == EOF ? -EIO : 0;
}

int table_csv_begin(struct table_csv *t, FILE *out, const struct view_column *columns, size_t n) {
        *t = (struct table_csv) {.out = out, .n = n, .kinds = calloc(n ? n : 1, sizeof(enum view_kind))};
        if (!t->kinds)
                return -ENOMEM;
        if (fputs("\xEF\xBB\xBF", out) == EOF)
                return -EIO;
        for (size_t k = 0; k < n; k++) {
                t->kinds[k] = columns[k].kind;
                if (k > 0 && fputc(';', out) == EOF)
                        return -EIO;
                int r = table_csv_text(out, columns[k].name);
                if (r < 0)
                        return r;
        }
        return end_line(out);
}

int table_csv_row(struct table_csv *t, const char *const *values, size_t n) {
        if (n != t->n)
                return -EINVAL;
        for (size_t k = 0; k < n; k++) {
                if (k > 0 && fputc(';', t->out) == EOF)
                        return -EIO;
                int r = table_csv_cell(t->out, t->kinds[k], values[k]);
                if (r < 0)
                        return r;
        }
        t->rows++;
        return end_line(t->out);
}

void table_csv_done(struct table_csv *t) {
        free(t->kinds);
        *t = (struct table_csv) {0};
}

/* ---- a view into a table ---- */

static int on_columns(void *userdata, const struct view_column *columns, size_t n) {
        struct table_csv *t = userdata;
        return table_csv_begin(t, t->out, columns, n);
}

static int on_row(void *userdata, const char *const *values, size_t n) {
        return table_csv_row(userdata, values, n);
}

int table_csv_from_view(PGconn *conn, const char *schema, const char *view, const char *year, FILE *out,
                        unsigned long *ret_rows, char **ret_error) {
        _cleanup_(table_csv_done) struct table_csv t = {.out = out};
        int r = view_rows_each(conn, schema, view, year, false, on_columns, on_row, &t, ret_error);
        if (r < 0)
                return r;
        if (fflush(out) != 0 || ferror(out))
                return -EIO;
        *ret_rows = t.rows;
        return 0;
}
