/*
 * The Strategiekarte (strategiekarte.h): which Jugendamt, its rows of the views for the
 * year (strategiekarte_model.h), the HTML page (strategiekarte_html.c) and the tables as
 * CSV for Excel (table_csv.h), all read in one snapshot.
 *
 * Every figure is the view's. The queries only select, filter to the year and the
 * Jugendamt, and order; the two data-quality views are per Einrichtung, and their counts
 * are summed per Sozialraum -- a plain SUM of additive counts, the shares then the summed
 * numerator over the summed denominator, as the views' own comments allow ("every count
 * is additive, and every share comes with its numerator and denominator").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "html.h"
#include "schema.h"
#include "strategiekarte.h"
#include "strategiekarte_model.h"
#include "strbuf.h"
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

static const struct sk_col dq_cols[] = {
        {"datensaetze", NULL, SK_INT, "Datensätze"},
        {"abgelehnt", NULL, SK_INT, "abgewiesen"},
        {"anteil_abgelehnt", NULL, SK_SHARE, "Anteil abgewiesen"},
        {"gewarnt", NULL, SK_INT, "mit Warnungen"},
        {"anteil_gewarnt", NULL, SK_SHARE, "Anteil mit Warnungen"},
};

static const struct sk_col unbekannt_cols[] = {
        {"datensaetze", NULL, SK_INT, "geladene Datensätze"},
        {"anteil_familiensituation_unbekannt", NULL, SK_SHARE, "Familiensituation unbekannt"},
        {"anteil_herkunft_ausland_unbekannt", NULL, SK_SHARE, "ausländische Herkunft unbekannt"},
        {"anteil_deutsch_zuhause_unbekannt", NULL, SK_SHARE, "Deutsch zu Hause unbekannt"},
        {"anteil_transferleistungen_unbekannt", NULL, SK_SHARE, "Transferleistungen unbekannt"},
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
        if (c >= 0 && !PQgetisnull(t->res, row, c)) {
                *ret_raw = PQgetvalue(t->res, row, c);
                return SK_VALUE;
        }
        return col->gesperrt && strcmp(sk_text(t->res, row, col->gesperrt), "t") == 0 ? SK_SUPPRESSED : SK_MISSING;
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

/* ---- the Jugendamt ---- */

/* The four parts of a unit; *p points into the caller's copy. */
struct unit {
        char buf[96];
        const char *part[4];    /* land, regbez, kreis, gemeinde */
};

static int parse_unit(const char *s, struct unit *u, char **ret_error) {
        if (strlen(s) >= sizeof(u->buf))
                return failf(ret_error, -EINVAL, "--unit '%s': zu lang", s);
        strcpy(u->buf, s);
        char *p = u->buf;
        for (int i = 0; i < 4; i++) {
                u->part[i] = p;
                p = strchr(p, '-');
                if ((p == NULL) != (i == 3) || !*u->part[i])
                        return failf(ret_error, -EINVAL,
                                     "--unit '%s': ein Jugendamt wird als Land-Regierungsbezirk-Kreis-Gemeinde "
                                     "geschrieben, etwa 05-9-13-000", s);
                if (p)
                        *p++ = '\0';
        }
        return 0;
}

static bool exists(PGconn *conn, const char *view, int *ret, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        const char *params[] = {view};
        *ret = db_query(conn, "SELECT to_regclass($1) IS NOT NULL", 1, params, &res, ret_error);
        return *ret == 0 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
}

/* The units with figures in the year, "A, B"; *ret_n how many, *ret_first the first. */
static int units_of_year(PGconn *conn, int year, char **ret_list, int *ret_n, char **ret_first,
                         char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        const char *params[] = {DB_INT64(year)};
        int r = db_query(conn,
                         "SELECT concat_ws('-', land, regbez, kreis, gemeinde) FROM v_strategiekarte_hze "
                         "WHERE berichtsjahr = $1 GROUP BY land, regbez, kreis, gemeinde "
                         "ORDER BY land, regbez, kreis, gemeinde",
                         1, params, &res, ret_error);
        if (r < 0)
                return r;
        _cleanup_(strbuf_done) struct strbuf b = {0};
        for (int i = 0; i < PQntuples(res); i++)
                if ((r = strbuf_printf(&b, "%s%s", i ? ", " : "", PQgetvalue(res, i, 0))) < 0)
                        return r;
        *ret_n = PQntuples(res);
        *ret_list = strdup(strbuf_str(&b));
        *ret_first = strdup(*ret_n ? PQgetvalue(res, 0, 0) : "");
        return *ret_list && *ret_first ? 0 : -ENOMEM;
}

/* The years that have figures, "2022, 2023" (or "keine"). */
static int years_with_data(PGconn *conn, char **ret, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn,
                         "SELECT coalesce(string_agg(DISTINCT berichtsjahr::text, ', '), 'keine') "
                         "FROM v_strategiekarte_hze",
                         0, NULL, &res, ret_error);
        if (r < 0)
                return r;
        *ret = strdup(PQgetvalue(res, 0, 0));
        return *ret ? 0 : -ENOMEM;
}

/* Decides the Jugendamt: the one asked for, or the only one with figures in the year. */
static int choose_unit(PGconn *conn, const struct strategiekarte_options *o, struct unit *u, char **ret_error) {
        int r;
        if (!exists(conn, "v_strategiekarte_hze", &r, ret_error))
                return r < 0 ? r
                             : failf(ret_error, -ENOENT,
                                     "die Sicht v_strategiekarte_hze fehlt: Hilfen zur Erziehung und Bevölkerung "
                                     "sind noch nicht geladen (plausid load)");
        _cleanup_(freep) char *list = NULL, *first = NULL;
        int n = 0;
        if ((r = units_of_year(conn, o->year, &list, &n, &first, ret_error)) < 0)
                return r;
        if (n == 0) {
                _cleanup_(freep) char *years = NULL;
                if ((r = years_with_data(conn, &years, ret_error)) < 0)
                        return r;
                return failf(ret_error, -ENODATA, "für das Berichtsjahr %d gibt es keine Daten; Berichtsjahre mit "
                             "Daten: %s", o->year, years);
        }
        if (!o->unit && n > 1)
                return failf(ret_error, -ENOTUNIQ, "die Datenbank enthält für %d mehrere Jugendämter: %s; "
                             "bitte eines mit --unit wählen", o->year, list);
        const char *want = o->unit ? o->unit : first;
        if ((r = parse_unit(want, u, ret_error)) < 0)
                return r;
        /* The list is "A, B": the unit must be one of its items. */
        size_t len = strlen(want);
        for (const char *p = list; (p = strstr(p, want)); p += len)
                if ((p == list || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
                        return 0;
        return failf(ret_error, -ESRCH, "das Jugendamt %s hat im Berichtsjahr %d keine Daten; Jugendämter mit "
                     "Daten: %s", want, o->year, list);
}

/* ---- reading the tables ---- */

/* The rows of t's view for the year and the unit: sozialraum, ebene, then every column
 * and its _gesperrt column, then extra; the Sozialräume by name, 'ohne Zuordnung' after
 * them, the Jugendamt last. */
static int read_table(PGconn *conn, struct sk_table *t, const char *extra, const struct unit *u, int year,
                      char **ret_error) {
        int r;
        if (!exists(conn, t->view, &r, ret_error))
                return r;
        t->exists = true;
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        if ((r = strbuf_puts(&sql, "SELECT sozialraum, ebene")) < 0)
                return r;
        for (size_t k = 0; k < t->ncols; k++) {
                if ((r = strbuf_printf(&sql, ", %s", t->cols[k].name)) < 0)
                        return r;
                if (t->cols[k].gesperrt && (r = strbuf_printf(&sql, ", %s", t->cols[k].gesperrt)) < 0)
                        return r;
        }
        if ((r = strbuf_printf(&sql, "%s FROM %s WHERE berichtsjahr = $1 AND land = $2 AND regbez = $3 "
                               "AND kreis = $4 AND gemeinde = $5 "
                               "ORDER BY ebene = 'Jugendamt', sozialraum = 'ohne Zuordnung', sozialraum",
                               extra, t->view)) < 0)
                return r;
        const char *params[] = {DB_INT64(year), u->part[0], u->part[1], u->part[2], u->part[3]};
        return db_query(conn, strbuf_str(&sql), 5, params, &t->res, ret_error);
}

/* The per-Einrichtung data-quality views summed per Sozialraum, and over all for the
 * Jugendamt: sums of counts, shares from the sums (see the top of this file). */
static const char dq_sql[] =
        "SELECT coalesce(sozialraum, 'insgesamt') AS sozialraum,"
        " CASE WHEN grouping(sozialraum) = 1 THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene,"
        " sum(datensaetze) AS datensaetze, sum(abgelehnt) AS abgelehnt,"
        " sum(abgelehnt)::numeric / nullif(sum(datensaetze), 0) AS anteil_abgelehnt,"
        " sum(gewarnt) AS gewarnt, sum(gewarnt)::numeric / nullif(sum(datensaetze), 0) AS anteil_gewarnt "
        "FROM v_hze_datenqualitaet_sozialraum "
        "WHERE berichtsjahr = $1 AND land = $2 AND regbez = $3 AND kreis = $4 AND gemeinde = $5 "
        "GROUP BY GROUPING SETS ((sozialraum), ()) "
        "ORDER BY grouping(sozialraum), sozialraum = 'ohne Zuordnung', sozialraum";

static const char unbekannt_sql[] =
        "SELECT coalesce(sozialraum, 'insgesamt') AS sozialraum,"
        " CASE WHEN grouping(sozialraum) = 1 THEN 'Jugendamt' ELSE 'Sozialraum' END AS ebene,"
        " sum(datensaetze) AS datensaetze,"
        " sum(familiensituation_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_familiensituation_unbekannt,"
        " sum(herkunft_ausland_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_herkunft_ausland_unbekannt,"
        " sum(deutsch_zuhause_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_deutsch_zuhause_unbekannt,"
        " sum(transferleistungen_unbekannt)::numeric / nullif(sum(datensaetze), 0)"
        "   AS anteil_transferleistungen_unbekannt "
        "FROM v_hze_unbekannt "
        "WHERE berichtsjahr = $1 AND land = $2 AND regbez = $3 AND kreis = $4 AND gemeinde = $5 "
        "GROUP BY GROUPING SETS ((sozialraum), ()) "
        "ORDER BY grouping(sozialraum), sozialraum = 'ohne Zuordnung', sozialraum";

static int read_summed(PGconn *conn, struct sk_table *t, const char *sql, const struct unit *u, int year,
                       char **ret_error) {
        int r;
        if (!exists(conn, t->view, &r, ret_error))
                return r;
        t->exists = true;
        const char *params[] = {DB_INT64(year), u->part[0], u->part[1], u->part[2], u->part[3]};
        r = db_query(conn, sql, 5, params, &t->res, ret_error);
        if (r == 0 && PQntuples(t->res) == 1)   /* only the empty total: no rows at all */
                PQclear(TAKE_PTR(t->res));
        return r;
}

static int read_verlauf(PGconn *conn, struct strategiekarte *sk, const struct unit *u, char **ret_error) {
        const char *params[] = {DB_INT64(sk->year), u->part[0], u->part[1], u->part[2], u->part[3]};
        return db_query(conn,
                        "SELECT sozialraum, ebene, berichtsjahr, eckwert, eckwert_gesperrt FROM v_strategiekarte_hze "
                        "WHERE berichtsjahr BETWEEN $1::int - 4 AND $1::int AND land = $2 AND regbez = $3 "
                        "AND kreis = $4 AND gemeinde = $5 ORDER BY sozialraum, berichtsjahr",
                        5, params, &sk->verlauf, ret_error);
}

static void model_done(struct strategiekarte *sk) {
        struct sk_table *t[] = {&sk->hze, &sk->w8a, &sk->w42, &sk->dq, &sk->unbekannt};
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                PQclear(t[i]->res);
        PQclear(sk->verlauf);
}

static int read_model(PGconn *conn, struct strategiekarte *sk, const struct unit *u, char **ret_error) {
        int r = read_table(conn, &sk->hze, ", bevoelkerung_jahr, groessenklasse, einwohner_gesamt", u, sk->year,
                           ret_error);
        if (r < 0)
                return r;
        if ((r = read_verlauf(conn, sk, u, ret_error)) < 0)
                return r;
        if ((r = read_table(conn, &sk->w8a, "", u, sk->year, ret_error)) < 0)
                return r;
        if ((r = read_table(conn, &sk->w42, "", u, sk->year, ret_error)) < 0)
                return r;
        if ((r = read_summed(conn, &sk->dq, dq_sql, u, sk->year, ret_error)) < 0)
                return r;
        return read_summed(conn, &sk->unbekannt, unbekannt_sql, u, sk->year, ret_error);
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
                if (t && (!t->res || PQntuples(t->res) == 0))
                        continue;
                struct csv_job job = {sk, t};
                if ((r = write_csv(o, base, tables[i].suffix, &job, f, ret_error)) < 0)
                        return r;
        }
        return 0;
}

static int run(PGconn *conn, const struct strategiekarte_options *o, struct strategiekarte_files *f,
               char **ret_error) {
        struct unit u;
        int r = choose_unit(conn, o, &u, ret_error);
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
        snprintf(sk.unit, sizeof(sk.unit), "%s-%s-%s-%s", u.part[0], u.part[1], u.part[2], u.part[3]);
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
