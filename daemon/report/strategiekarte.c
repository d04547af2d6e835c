/*
 * The Strategiekarte (strategiekarte.h): the Jugendamt and its rows of the views for the
 * year, read by the store (strategiekarte_read.h) in one snapshot into the model
 * (strategiekarte_model.h); the HTML page (strategiekarte_html.c) and the tables as CSV
 * for Excel (table_csv.h) written from it. Every figure is the view's: nothing here
 * computes one, it rounds and formats.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "html.h"
#include "schema.h"
#include "strategiekarte.h"
#include "strategiekarte_model.h"
#include "strategiekarte_read.h"
#include "table_csv.h"

/* ---- the tables' columns ---- */

static const struct sk_col hze_cols[] = {
        {"fallzahl", "fallzahl_gesperrt", SK_INT, "Fallzahl"},
        {"einwohner_unter21", NULL, SK_INT, "Einwohner unter 21"},
        {"eckwert", "eckwert_gesperrt", SK_DEC1, "Eckwert je 10.000 unter 21"},
        {"anteil_ambulant", "anteil_ambulant_gesperrt", SK_SHARE, "Anteil ambulant"},
        {"anteil_vollzeitpflege", "anteil_vollzeitpflege_gesperrt", SK_SHARE, "Anteil Vollzeitpflege"},
        {"dauer_median", "dauer_median_gesperrt", SK_DEC1, "Dauer (Median, Monate)"},
        {"anteil_planmaessig", "anteil_planmaessig_gesperrt", SK_SHARE, "Planmäßig beendet"},
        {"sgb2_quote_unter15", NULL, SK_PERCENT, "SGB-II-Quote unter 15"},
};

static const struct sk_col w8a_cols[] = {
        {"einschaetzungen", "einschaetzungen_gesperrt", SK_INT, "Gefährdungseinschätzungen"},
        {"eckwert_8a", "eckwert_8a_gesperrt", SK_DEC1, "Eckwert je 10.000 unter 18"},
        {"anteil_gefaehrdung", "anteil_gefaehrdung_gesperrt", SK_SHARE, "Anteil akute oder latente Gefährdung"},
};

static const struct sk_col w42_cols[] = {
        {"inobhutnahmen", "inobhutnahmen_gesperrt", SK_INT, "Inobhutnahmen"},
        {"eckwert_42", "eckwert_42_gesperrt", SK_DEC1, "Eckwert je 10.000 unter 18"},
        {"dauer_median_tage", "dauer_median_tage_gesperrt", SK_DEC1, "Dauer (Median, Tage)"},
        {"anteil_rueckkehr", "anteil_rueckkehr_gesperrt", SK_SHARE, "Anteil Rückkehr zu den Sorgeberechtigten"},
};

/* The data-quality figures count records, not young people, and the views do not suppress
 * them; but the records of a Sozialraum are its aids, so a row whose Fallzahl page 1
 * suppresses (v_strategiekarte_hze.fallzahl_gesperrt, with that view's secondary
 * suppression) is suppressed here as a whole (zeile_gesperrt): the committee must not
 * read there what page 1 hides. */
static const struct sk_col dq_cols[] = {
        {"datensaetze", "zeile_gesperrt", SK_INT, "Datensätze"},
        {"abgelehnt", "zeile_gesperrt", SK_INT, "abgewiesen"},
        {"anteil_abgelehnt", "zeile_gesperrt", SK_SHARE, "Anteil abgewiesen"},
        {"gewarnt", "zeile_gesperrt", SK_INT, "mit Warnungen"},
        {"anteil_gewarnt", "zeile_gesperrt", SK_SHARE, "Anteil mit Warnungen"},
};

static const struct sk_col unbekannt_cols[] = {
        {"datensaetze", "zeile_gesperrt", SK_INT, "geladene Datensätze"},
        {"anteil_familiensituation_unbekannt", "zeile_gesperrt", SK_SHARE, "Familiensituation unbekannt"},
        {"anteil_herkunft_ausland_unbekannt", "zeile_gesperrt", SK_SHARE, "ausländische Herkunft unbekannt"},
        {"anteil_deutsch_zuhause_unbekannt", "zeile_gesperrt", SK_SHARE, "Deutsch zu Hause unbekannt"},
        {"anteil_transferleistungen_unbekannt", "zeile_gesperrt", SK_SHARE, "Transferleistungen unbekannt"},
};

/* ---- cells ---- */

const char *sk_text(const PGresult *res, int row, const char *column) {
        int c = PQfnumber(res, column);
        return c < 0 || PQgetisnull(res, row, c) ? "" : PQgetvalue(res, row, c);
}

bool sk_is_total(const PGresult *res, int row) {
        return strcmp(sk_text(res, row, "ebene"), "Jugendamt") == 0;
}

enum sk_state sk_cell(const struct sk_table *t, int row, const struct sk_col *col, const char **ret_raw) {
        int c = PQfnumber(t->res, col->name);
        *ret_raw = NULL;
        /* Suppressed first: a row of the data-quality page is suppressed with its value kept */
        if (col->gesperrt && strcmp(sk_text(t->res, row, col->gesperrt), "t") == 0)
                return SK_SUPPRESSED;
        if (c < 0 || PQgetisnull(t->res, row, c))
                return SK_MISSING;
        *ret_raw = PQgetvalue(t->res, row, c);
        return SK_VALUE;
}

/* ---- errors ---- */

static int failf(char **ret_error, int e, const char *fmt, ...) _printf_(3, 4);
static int failf(char **ret_error, int e, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return e;
}

/* ---- reading the tables ---- */

/* The rows of t's view (strategiekarte_read.h): every column and its _gesperrt column,
 * then the extra columns. A view that does not exist leaves t without rows. */
static int read_table(PGconn *conn, struct sk_table *t, const char *const *extra, size_t nextra,
                      const struct sk_unit *u, int year, char **ret_error) {
        int r = sk_read_exists(conn, t->view, &t->exists, ret_error);
        if (r < 0 || !t->exists)
                return r;
        const char *columns[32];
        size_t n = 0;
        for (size_t k = 0; k < t->ncols && n + 2 <= ELEMENTSOF(columns); k++) {
                columns[n++] = t->cols[k].name;
                if (t->cols[k].gesperrt)
                        columns[n++] = t->cols[k].gesperrt;
        }
        for (size_t k = 0; k < nextra && n < ELEMENTSOF(columns); k++)
                columns[n++] = extra[k];
        return sk_read_rows(conn, t->view, columns, n, year, u, &t->res, ret_error);
}

static int read_summed(PGconn *conn, struct sk_table *t, enum sk_summed which, const struct sk_unit *u, int year,
                       char **ret_error) {
        int r = sk_read_exists(conn, t->view, &t->exists, ret_error);
        if (r < 0 || !t->exists)
                return r;
        return sk_read_summed(conn, which, year, u, &t->res, ret_error);
}

static void model_done(struct strategiekarte *sk) {
        struct sk_table *t[] = {&sk->hze, &sk->w8a, &sk->w42, &sk->dq, &sk->unbekannt};
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                PQclear(t[i]->res);
        PQclear(sk->verlauf);
}

static int read_model(PGconn *conn, struct strategiekarte *sk, const struct sk_unit *u, char **ret_error) {
        static const char *const hze_extra[] = {"bevoelkerung_jahr", "groessenklasse", "einwohner_gesamt"};
        int r = read_table(conn, &sk->hze, hze_extra, ELEMENTSOF(hze_extra), u, sk->year, ret_error);
        if (r < 0)
                return r;
        if ((r = sk_read_verlauf(conn, sk->year, u, &sk->verlauf, ret_error)) < 0)
                return r;
        if ((r = read_table(conn, &sk->w8a, NULL, 0, u, sk->year, ret_error)) < 0)
                return r;
        if ((r = read_table(conn, &sk->w42, NULL, 0, u, sk->year, ret_error)) < 0)
                return r;
        if ((r = read_summed(conn, &sk->dq, SK_SUMMED_DATENQUALITAET, u, sk->year, ret_error)) < 0)
                return r;
        return read_summed(conn, &sk->unbekannt, SK_SUMMED_UNBEKANNT, u, sk->year, ret_error);
}

/* Every number of the tables must be one: a view that gives text where a figure belongs
 * is an error, never a cell printed wrong. */
static int check_numbers(const struct sk_table *t, char **ret_error) {
        for (int i = 0; t->res && i < PQntuples(t->res); i++)
                for (size_t k = 0; k < t->ncols; k++) {
                        const char *raw;
                        char buf[64];
                        if (sk_cell(t, i, &t->cols[k], &raw) == SK_VALUE && sk_round(raw, t->cols[k].fmt, buf) < 0)
                                return failf(ret_error, -EBADMSG, "die Sicht %s gab in der Spalte %s keine Zahl",
                                             t->view, t->cols[k].name);
                }
        return 0;
}

/* ---- CSV ---- */

struct csv_job {
        const struct strategiekarte *sk;
        const struct sk_table *t;       /* NULL: the Eckwert over the years */
};

static const char *row_label(const PGresult *res, int i) {
        return sk_is_total(res, i) ? "Jugendamt insgesamt" : sk_text(res, i, "sozialraum");
}

static int write_table_csv(FILE *o, const struct sk_table *t) {
        struct view_column cols[16] = {{"Sozialraum", VIEW_TEXT}};
        char headers[16][96];
        for (size_t k = 0; k < t->ncols; k++) {
                bool pct = t->cols[k].fmt == SK_SHARE || t->cols[k].fmt == SK_PERCENT;
                snprintf(headers[k], sizeof(headers[k]), "%s%s", t->cols[k].header, pct ? " (%)" : "");
                cols[k + 1] = (struct view_column) {headers[k], t->cols[k].fmt == SK_INT ? VIEW_INTEGER : VIEW_DECIMAL};
        }
        _cleanup_(table_csv_done) struct table_csv csv = {0};
        int r = table_csv_begin(&csv, o, cols, t->ncols + 1);
        for (int i = 0; r == 0 && i < PQntuples(t->res); i++) {
                char buf[16][64];
                const char *values[16] = {row_label(t->res, i)};
                for (size_t k = 0; k < t->ncols; k++) {
                        const char *raw;
                        enum sk_state s = sk_cell(t, i, &t->cols[k], &raw);
                        values[k + 1] = s == SK_SUPPRESSED ? "·" : NULL;
                        if (s == SK_VALUE && (r = sk_round(raw, t->cols[k].fmt, buf[k])) == 0)
                                values[k + 1] = buf[k];
                }
                if (r == 0)
                        r = table_csv_row(&csv, values, t->ncols + 1);
        }
        return r;
}

/* The Eckwert per Sozialraum (rows of the year's table) and Berichtsjahr (columns). */
static int write_verlauf_csv(FILE *o, const struct strategiekarte *sk) {
        char years[5][8];
        struct view_column cols[6] = {{"Sozialraum", VIEW_TEXT}};
        for (int k = 0; k < 5; k++) {
                snprintf(years[k], sizeof(years[k]), "%d", sk->year - 4 + k);
                cols[k + 1] = (struct view_column) {years[k], VIEW_DECIMAL};
        }
        _cleanup_(table_csv_done) struct table_csv csv = {0};
        int r = table_csv_begin(&csv, o, cols, 6);
        const PGresult *h = sk->hze.res;
        for (int i = 0; r == 0 && i < PQntuples(h); i++) {
                char buf[5][64];
                const char *values[6] = {row_label(h, i)};
                for (int j = 0; j < PQntuples(sk->verlauf); j++) {
                        int y = atoi(sk_text(sk->verlauf, j, "berichtsjahr")) - (sk->year - 4);
                        if (y < 0 || y > 4 || strcmp(sk_text(sk->verlauf, j, "sozialraum"), sk_text(h, i, "sozialraum")) ||
                            sk_is_total(sk->verlauf, j) != sk_is_total(h, i))
                                continue;
                        const char *raw = sk_text(sk->verlauf, j, "eckwert");
                        if (*raw && (r = sk_round(raw, SK_DEC1, buf[y])) == 0)
                                values[y + 1] = buf[y];
                        else if (!*raw && strcmp(sk_text(sk->verlauf, j, "eckwert_gesperrt"), "t") == 0)
                                values[y + 1] = "·";
                }
                if (r == 0)
                        r = table_csv_row(&csv, values, 6);
        }
        return r;
}

static int render_csv(FILE *o, void *userdata) {
        const struct csv_job *job = userdata;
        return job->t ? write_table_csv(o, job->t) : write_verlauf_csv(o, job->sk);
}

static int render_html(FILE *o, void *userdata) {
        return sk_render_html(o, userdata);
}

/* ---- the files ---- */

void strategiekarte_files_done(struct strategiekarte_files *f) {
        for (size_t i = 0; i < f->ncsv; i++)
                free(f->csv[i]);
        free(f->csv);
        free(f->html);
        free(f->unit);
        *f = (struct strategiekarte_files) {0};
}

static int write_csv(const struct strategiekarte_options *o, const char *base, const char *suffix,
                     const struct csv_job *job, struct strategiekarte_files *f, char **ret_error) {
        char *path;
        if (asprintf(&path, "%s/%s_%s.csv", o->out_dir, base, suffix) < 0)
                return -ENOMEM;
        char **csv = realloc(f->csv, (f->ncsv + 1) * sizeof(*csv));
        if (!csv) {
                free(path);
                return -ENOMEM;
        }
        f->csv = csv;
        f->csv[f->ncsv++] = path;
        int r = html_write_file(path, o->gid, render_csv, (void *) job);
        return r < 0 ? failf(ret_error, r, "%s kann nicht geschrieben werden: %s", path, strerror(-r)) : 0;
}

static int remove_csv(const struct strategiekarte_options *o, const char *base, const char *suffix,
                      char **ret_error) {
        _cleanup_(freep) char *path = NULL;
        if (asprintf(&path, "%s/%s_%s.csv", o->out_dir, base, suffix) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        if (unlink(path) == 0 || errno == ENOENT)
                return 0;
        int e = errno;
        return failf(ret_error, -e, "%s kann nicht entfernt werden: %s", path, strerror(e));
}

static int write_files(const struct strategiekarte_options *o, const struct strategiekarte *sk,
                       struct strategiekarte_files *f, char **ret_error) {
        /* The unit goes into the file names: nothing but what a unit's codes are made of. */
        if (strspn(sk->unit, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(sk->unit))
                return failf(ret_error, -EINVAL, "das Jugendamt '%s' taugt nicht als Teil eines Dateinamens", sk->unit);
        char base[160];
        snprintf(base, sizeof(base), "strategiekarte_%d_%s", sk->year, sk->unit);
        if (asprintf(&f->html, "%s/%s.html", o->out_dir, base) < 0) {
                f->html = NULL;
                return -ENOMEM;
        }
        int r = html_write_file(f->html, o->gid, render_html, (void *) sk);
        if (r < 0)
                return failf(ret_error, r, "%s kann nicht geschrieben werden: %s", f->html, strerror(-r));
        const struct {
                const char *suffix;
                const struct sk_table *t;
        } tables[] = {
                {"hze", &sk->hze}, {"verlauf", NULL}, {"8a", &sk->w8a}, {"42", &sk->w42},
                {"datenqualitaet", &sk->dq}, {"unbekannt", &sk->unbekannt},
        };
        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                const struct sk_table *t = tables[i].t;
                if (t && (!t->res || PQntuples(t->res) == 0)) {
                        /* An earlier report's table of a page this one leaves out would
                         * contradict it: gone. */
                        if ((r = remove_csv(o, base, tables[i].suffix, ret_error)) < 0)
                                return r;
                        continue;
                }
                struct csv_job job = {sk, t};
                if ((r = write_csv(o, base, tables[i].suffix, &job, f, ret_error)) < 0)
                        return r;
        }
        return 0;
}

static int run(PGconn *conn, const struct strategiekarte_options *o, struct strategiekarte_files *f,
               char **ret_error) {
        struct sk_unit u;
        int r = sk_read_unit(conn, o->year, o->unit, &u, ret_error);
        if (r < 0)
                return r;
        _cleanup_(model_done) struct strategiekarte sk = {
                .year = o->year,
                .now = time(NULL),
                .hze = {"hze", "v_strategiekarte_hze", hze_cols, ELEMENTSOF(hze_cols)},
                .w8a = {"8a", "v_strategiekarte_8a", w8a_cols, ELEMENTSOF(w8a_cols)},
                .w42 = {"42", "v_strategiekarte_42", w42_cols, ELEMENTSOF(w42_cols)},
                .dq = {"datenqualitaet", "v_hze_datenqualitaet_sozialraum", dq_cols, ELEMENTSOF(dq_cols)},
                .unbekannt = {"unbekannt", "v_hze_unbekannt", unbekannt_cols, ELEMENTSOF(unbekannt_cols)},
        };
        snprintf(sk.unit, sizeof(sk.unit), "%s", u.text);
        if ((r = read_model(conn, &sk, &u, ret_error)) < 0)
                return r;
        const struct sk_table *t[] = {&sk.hze, &sk.w8a, &sk.w42, &sk.dq, &sk.unbekannt};
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if ((r = check_numbers(t[i], ret_error)) < 0)
                        return r;
        if (!(f->unit = strdup(sk.unit)))
                return -ENOMEM;
        return write_files(o, &sk, f, ret_error);
}

int report_strategiekarte_from_db(PGconn *conn, const char *schema, const struct strategiekarte_options *o,
                                  struct strategiekarte_files *ret, char **ret_error) {
        *ret = (struct strategiekarte_files) {0};
        int r = schema_begin_read(conn, schema, ret_error);
        if (r < 0)
                return r;
        r = run(conn, o, ret, ret_error);
        schema_end_read(conn);
        if (r < 0)
                strategiekarte_files_done(ret);
        return r;
}
