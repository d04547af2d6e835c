/*
 * csv2fixed - writes a CSV export of a data set as the official fixed-width record, with
 * the layout its rule pack declares for the Berichtsjahr: the test data of "the same
 * records in both formats" and the fixed-width file of `make bench`.
 *
 * Usage: csv2fixed RULES.yaml BERICHTSJAHR [--map FILE] [--strip] < in.csv > out.txt
 *
 * Each CSV record becomes one line, in Latin-1 (or the layout's encoding), CRLF-ended;
 * --strip cuts trailing blanks as senders and editors do. --map FILE gets one line
 * "csv_line;fixed_line;exact" per record: exact is 0 when the record cannot be written as
 * it is -- a value wider than its positions, a month not of the form MM.YYYY, a character
 * the encoding lacks, fields that do not match the header, a Berichtsjahr other than
 * BERICHTSJAHR -- so a comparison of findings can leave exactly those records out.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "reader.h"
#include "ruleset.h"

struct conv {
        const struct ruleset *rs;
        const struct reader_layout *layout;
        const char *year;
        iconv_t cd;
        bool strip;
        FILE *map;
        int *column;            /* per layout field: its CSV column, -1 */
        int year_column;
        size_t ncolumns;        /* of the header */
        bool header_seen;
        unsigned long fixed_line;
        char *line;
};

/* Converts s to the layout's encoding into out (at most width bytes); false when it does
 * not fit or has a character the encoding lacks. */
static bool put(struct conv *c, const char *s, size_t len, char *out, unsigned width) {
        char buf[1024];
        char *in = (char *) s, *o = buf;
        size_t inleft = len, outleft = sizeof(buf);
        iconv(c->cd, NULL, NULL, NULL, NULL);
        bool ok = iconv(c->cd, &in, &inleft, &o, &outleft) != (size_t) -1;
        size_t n = (size_t) (o - buf);
        if (n > width) {
                n = width;
                ok = false;
        }
        memcpy(out, buf, n);
        return ok;
}

static bool put_field(struct conv *c, const struct reader_fixed_field *f, const char *v, size_t len) {
        char *line = c->line;
        if (f->piece == READER_PIECE_TEXT)
                return put(c, v, len, line + f->offset, f->width);
        if (f->piece != READER_PIECE_MONTH_YEAR || len == 0)
                return true;
        const char *dot = memchr(v, '.', len);
        if (!dot || dot - v != 2 || len - (size_t) (dot - v) - 1 != 4) {
                put(c, v, len, line + f->offset, f->width + f->year_width);
                return false;
        }
        return put(c, v, 2, line + f->offset, f->width) && put(c, dot + 1, 4, line + f->year_offset, f->year_width);
}

static int on_record(void *userdata, const struct reader_record *rec) {
        struct conv *c = userdata;
        const struct reader_layout *l = c->layout;
        if (!c->header_seen) {
                c->header_seen = true;
                c->ncolumns = rec->nfields;
                c->year_column = -1;
                for (size_t i = 0; i < l->nfields; i++) {
                        c->column[i] = -1;
                        for (size_t k = 0; k < rec->nfields; k++)
                                if (strcmp(reader_field(rec, k), l->names[i]) == 0)
                                        c->column[i] = (int) k;
                        if (l->fields[i].piece == READER_PIECE_DELIVERY_YEAR)
                                c->year_column = c->column[i];
                }
                return 0;
        }
        memset(c->line, ' ', l->record_length);
        memcpy(c->line + l->type_offset, l->type_value, strlen(l->type_value));
        bool exact = !rec->bad_encoding && rec->nfields == c->ncolumns;
        for (size_t i = 0; i < l->nfields; i++) {
                int k = c->column[i];
                if (k < 0)
                        continue;
                if ((size_t) k >= rec->nfields) {
                        exact = false;
                        continue;
                }
                exact &= put_field(c, &l->fields[i], reader_field(rec, k), reader_field_len(rec, k));
        }
        if (c->year_column < 0 || (size_t) c->year_column >= rec->nfields ||
            strcmp(reader_field(rec, c->year_column), c->year) != 0)
                exact = false;
        size_t n = l->record_length;
        while (c->strip && n > 0 && c->line[n - 1] == ' ')
                n--;
        fwrite(c->line, 1, n, stdout);
        fputs("\r\n", stdout);
        c->fixed_line++;
        if (c->map)
                fprintf(c->map, "%lu;%lu;%d\n", rec->line, c->fixed_line, exact);
        return 0;
}

int main(int argc, char **argv) {
        if (argc < 3) {
                fprintf(stderr, "usage: csv2fixed RULES.yaml BERICHTSJAHR [--map FILE] [--strip] < in.csv > out.txt\n");
                return 2;
        }
        struct conv c = {.year = argv[2]};
        for (int i = 3; i < argc; i++)
                if (strcmp(argv[i], "--strip") == 0)
                        c.strip = true;
                else if (strcmp(argv[i], "--map") == 0 && i + 1 < argc) {
                        if (!(c.map = fopen(argv[++i], "w"))) {
                                perror(argv[i]);
                                return 2;
                        }
                } else {
                        fprintf(stderr, "csv2fixed: unknown argument '%s'\n", argv[i]);
                        return 2;
                }
        struct diaglist diags = {0};
        struct ruleset *rs = NULL;
        if (ruleset_compile_file(argv[1], &rs, &diags) < 0) {
                diaglist_print(&diags, stderr);
                return 2;
        }
        c.rs = rs;
        c.layout = ruleset_fixed_layout(rs, atoi(argv[2]));
        if (!c.layout) {
                fprintf(stderr, "csv2fixed: %s has no fixed-width layout for %s\n", argv[1], argv[2]);
                return 2;
        }
        c.cd = iconv_open(reader_encoding_name(ruleset_fixed_encoding(rs)), "UTF-8");
        c.column = calloc(c.layout->nfields, sizeof(*c.column));
        c.line = malloc(c.layout->record_length);
        if (c.cd == (iconv_t) -1 || !c.column || !c.line)
                return 2;
        struct reader *r = NULL;
        if (reader_new(STDIN_FILENO, ruleset_input(rs), &r) < 0)
                return 2;
        int e = reader_read(r, on_record, &c);
        reader_free(r);
        if (e < 0) {
                fprintf(stderr, "csv2fixed: reading the CSV: %s\n", strerror(-e));
                return 2;
        }
        if (c.map && fclose(c.map) != 0)
                return 2;
        iconv_close(c.cd);
        free(c.column);
        free(c.line);
        ruleset_free(rs);
        diaglist_done(&diags);
        return fflush(stdout) == 0 ? 0 : 2;
}
