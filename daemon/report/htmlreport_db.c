/*
 * Reports from the database (see htmlreport.h): a delivery's report filled from the
 * tables that `plausid load` wrote (deliveries, findings, rejected_records, the data set's
 * table for the Sozialraum), and the overview of every delivery since a day.
 *
 * The database holds neither the rules' titles nor the fields' labels: they come from the
 * source's rule pack when the caller has it. Findings are read in single-row mode, so a
 * delivery with a million findings does not need a million rows in memory; the CSV gets
 * every one, the HTML counts them and keeps the first rejected records.
 *
 * What the database cannot tell: the Sozialraum of a rejected record (only its text is
 * stored, not the file's header), so a report from the database counts Sozialräume over
 * the loaded records and says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>

#include "arena.h"
#include "atomicfile.h"
#include "db.h"
#include "collector.h"
#include "html.h"
#include "report_db.h"
#include "report.h"
#include "schema.h"
#include "strbuf.h"

#ifndef PLAUSID_VERSION
#define PLAUSID_VERSION "0.1"
#endif

/* Rules listed per source in the overview. */
#define OVERVIEW_TOP_RULES 10
/* Dates written under the trend chart at most. */
#define TREND_MAX_LABELS 12

static int parse_severity(const char *s, enum severity *ret) {
        if (strcmp(s, "error") == 0)
                *ret = SEVERITY_ERROR;
        else if (strcmp(s, "warning") == 0)
                *ret = SEVERITY_WARNING;
        else if (strcmp(s, "file") == 0)
                *ret = SEVERITY_FILE;
        else
                return -EINVAL;
        return 0;
}

/* A message for a failure that is not the database's. */
static int failed(int e, char **ret_error, const char *fmt, const char *what) {
        if (ret_error && !*ret_error && asprintf(ret_error, fmt, what, strerror(-e)) < 0)
                *ret_error = NULL;
        return e;
}

struct fill {
        struct htmlreport *html;
        FILE *csv;
        const char *file_name;
};

/* Every finding of the delivery, in the order they were found: into the CSV and the
 * report. */
static int read_findings(PGconn *conn, const char *id, struct fill *x, char **ret_error) {
        const char *sql = "SELECT line, key, rule, severity, field, value, message FROM findings"
                          " WHERE delivery_id = $1::bigint ORDER BY line, ctid";
        const char *params[] = {id};
        if (!PQsendQueryParams(conn, sql, 1, NULL, params, NULL, NULL, 0)) {
                *ret_error = db_error_text(conn, NULL);
                return -EIO;
        }
        int e = PQsetSingleRowMode(conn) ? 0 : -EIO;
        if (e < 0)
                *ret_error = db_error_text(conn, NULL);
        PGresult *res;
        while ((res = PQgetResult(conn))) {
                ExecStatusType st = PQresultStatus(res);
                if (st == PGRES_SINGLE_TUPLE && e >= 0) {
                        struct finding f = {
                                .line = strtoul(PQgetvalue(res, 0, 0), NULL, 10),
                                .key = PQgetvalue(res, 0, 1),
                                .rule_id = PQgetvalue(res, 0, 2),
                                .field = PQgetvalue(res, 0, 4),
                                .value = PQgetvalue(res, 0, 5),
                                .message = PQgetvalue(res, 0, 6),
                        };
                        e = parse_severity(PQgetvalue(res, 0, 3), &f.severity);
                        if (e >= 0)
                                e = report_csv_finding(x->csv, x->file_name, &f);
                        if (e >= 0)
                                e = htmlreport_add_finding(x->html, &f);
                        if (e < 0)
                                failed(e, ret_error, "writing the report of delivery %s: %s", id);
                } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && e >= 0) {
                        *ret_error = db_error_text(conn, res);
                        e = -EIO;
                }
                PQclear(res);
        }
        return e;
}

/* The text of the rejected records the report keeps. */
static int read_raw(PGconn *conn, const char *id, struct htmlreport *h, char **ret_error) {
        _cleanup_(freep) unsigned long *lines = NULL;
        size_t n = 0;
        int e = htmlreport_missing_raw(h, &lines, &n);
        if (e < 0 || n == 0)
                return e;
        _cleanup_(strbuf_done) struct strbuf arr = {0};
        e = strbuf_putc(&arr, '{');
        for (size_t i = 0; i < n && e >= 0; i++)
                e = strbuf_printf(&arr, "%s%lu", i ? "," : "", lines[i]);
        if (e >= 0)
                e = strbuf_putc(&arr, '}');
        if (e < 0)
                return e;
        const char *params[] = {id, strbuf_str(&arr)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        e = db_query(conn,
                     "SELECT line, raw FROM rejected_records WHERE delivery_id = $1::bigint"
                     " AND line = ANY($2::integer[])",
                     2, params, &res, ret_error);
        for (int i = 0; e >= 0 && i < PQntuples(res); i++)
                e = htmlreport_set_raw(h, strtoul(PQgetvalue(res, i, 0), NULL, 10), PQgetvalue(res, i, 1),
                                       (size_t) PQgetlength(res, i, 1));
        return e;
}

/* Loaded records per value of the pack's group field, when the data set's table has it. */
static int read_groups(PGconn *conn, const char *schema, const char *dataset, const char *id,
                       struct htmlreport *h, const struct ruleset *rs, char **ret_error) {
        int g = rs ? ruleset_report_group(rs) : -1;
        if (g < 0)
                return 0;
        const char *column = ruleset_field_name(rs, (unsigned) g);
        const char *params[] = {schema, dataset, column};
        _cleanup_(db_clearp) PGresult *has = NULL;
        int e = db_query(conn,
                         "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2"
                         " AND column_name = $3",
                         3, params, &has, ret_error);
        if (e < 0 || PQntuples(has) == 0)
                return e;
        _cleanup_(freep) char *tab = db_ident(dataset), *col = db_ident(column);
        _cleanup_(freep) char *sql = NULL;
        if (!tab || !col || asprintf(&sql,
                             "SELECT coalesce(h.%s, ''), count(*), count(w.line), coalesce(sum(w.n), 0)"
                             " FROM %s h LEFT JOIN (SELECT line, count(*) AS n FROM findings"
                             " WHERE delivery_id = $1::bigint GROUP BY line) w ON w.line = h.line"
                             " WHERE h.delivery_id = $1::bigint GROUP BY 1 ORDER BY 1",
                             col, tab) < 0) {
                sql = NULL;
                return -ENOMEM;
        }
        const char *p[] = {id};
        _cleanup_(db_clearp) PGresult *res = NULL;
        e = db_query(conn, sql, 1, p, &res, ret_error);
        if (e < 0)
                return e;
        if (PQntuples(res) == 0)
                return 0;
        e = htmlreport_group_by(h, (unsigned) g);
        for (int i = 0; e >= 0 && i < PQntuples(res); i++)
                e = htmlreport_add_group(h, PQgetvalue(res, i, 0), strtoul(PQgetvalue(res, i, 1), NULL, 10), 0,
                                         strtoul(PQgetvalue(res, i, 2), NULL, 10),
                                         strtoul(PQgetvalue(res, i, 3), NULL, 10));
        return e;
}

static enum htmlreport_verdict verdict_of(const char *status) {
        if (strcmp(status, "rejected") == 0)
                return HTMLREPORT_REJECTED;
        if (strcmp(status, "duplicate") == 0)
                return HTMLREPORT_DUPLICATE;
        if (strcmp(status, "superseded") == 0)
                return HTMLREPORT_SUPERSEDED;
        return HTMLREPORT_LOADED;
}

static int delivery_report(PGconn *conn, const char *schema, const struct ruleset *rs, long long delivery_id,
                           const char *out_dir, int gid, unsigned max_records, char **ret_path, char **ret_error) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", delivery_id);
        const char *params[] = {id};
        _cleanup_(db_clearp) PGresult *d = NULL;
        int e = db_query(conn,
                         "SELECT source, dataset, file_name, sha256, extract(epoch FROM received_at)::bigint,"
                         " coalesce(extract(epoch FROM loaded_at)::bigint, 0), rules_name, rules_version,"
                         " coalesce(encoding, ''), records, loaded, rejected, warned, status, coalesce(reason, '')"
                         " FROM deliveries WHERE id = $1::bigint",
                         1, params, &d, ret_error);
        if (e < 0)
                return e;
        if (PQntuples(d) == 0) {
                if (asprintf(ret_error, "there is no delivery %lld in schema %s", delivery_id, schema) < 0)
                        *ret_error = NULL;
                return -ENOENT;
        }
        const char *dataset = PQgetvalue(d, 0, 1), *file_name = PQgetvalue(d, 0, 2), *status = PQgetvalue(d, 0, 13);
        if (rs && strcmp(ruleset_name(rs), PQgetvalue(d, 0, 6)) != 0)
                rs = NULL;      /* another data set's pack names nothing here */

        _cleanup_(htmlreport_freep) struct htmlreport *h = NULL;
        _cleanup_(freep) char *html_path = NULL, *csv_path = NULL, *csv_name = NULL;
        e = htmlreport_new(rs, max_records, &h);
        if (e < 0)
                return e;
        if (asprintf(&html_path, "%s/delivery-%lld.html", out_dir, delivery_id) < 0 ||
            asprintf(&csv_path, "%s/delivery-%lld.csv", out_dir, delivery_id) < 0 ||
            asprintf(&csv_name, "delivery-%lld.csv", delivery_id) < 0)
                return -ENOMEM;
        const char *reason = PQgetvalue(d, 0, 14);
        e = htmlreport_set_header(h, &(struct htmlreport_header) {
                .file = file_name,
                .source = PQgetvalue(d, 0, 0),
                .delivery_id = delivery_id,
                .received = (time_t) strtoll(PQgetvalue(d, 0, 4), NULL, 10),
                .loaded_at = (time_t) strtoll(PQgetvalue(d, 0, 5), NULL, 10),
                .sha256 = PQgetvalue(d, 0, 3),
                .rules_name = PQgetvalue(d, 0, 6),
                .rules_version = PQgetvalue(d, 0, 7),
                .encoding = PQgetvalue(d, 0, 8),
                .csv_name = csv_name,
        });
        if (e < 0)
                return e;
        enum htmlreport_verdict verdict = verdict_of(status);
        e = htmlreport_set_summary(h, &(struct htmlreport_summary) {
                .records = strtoul(PQgetvalue(d, 0, 9), NULL, 10),
                .loaded = strtoul(PQgetvalue(d, 0, 10), NULL, 10),
                .rejected = strtoul(PQgetvalue(d, 0, 11), NULL, 10),
                .warned = strtoul(PQgetvalue(d, 0, 12), NULL, 10),
                .verdict = verdict,
                .reason = *reason ? reason : NULL,
        });
        if (e < 0)
                return e;

        struct atomic_file csv;
        e = atomic_file_open(&csv, AT_FDCWD, csv_path, 0640, gid);
        if (e < 0)
                return failed(e, ret_error, "cannot create a report file in %s: %s", out_dir);
        e = report_csv_begin(csv.f);
        struct fill x = {.html = h, .csv = csv.f, .file_name = file_name};
        if (e >= 0)
                e = read_findings(conn, id, &x, ret_error);
        if (e >= 0)
                e = read_raw(conn, id, h, ret_error);
        if (e >= 0 && (verdict == HTMLREPORT_LOADED || verdict == HTMLREPORT_SUPERSEDED)) {
                e = read_groups(conn, schema, dataset, id, h, rs, ret_error);
                if (e >= 0)
                        e = htmlreport_set_group_note(h,
                                           verdict == HTMLREPORT_SUPERSEDED
                                                   ? "Gezählt werden die geladenen Datensätze, soweit sie nicht durch "
                                                     "eine neuere Lieferung ersetzt wurden. Den Sozialraum "
                                                     "abgewiesener Datensätze speichert die Datenbank nicht."
                                                   : "Gezählt werden die geladenen Datensätze (mit ihren Warnungen). "
                                                     "Den Sozialraum abgewiesener Datensätze speichert die "
                                                     "Datenbank nicht.");
        }
        if (e < 0) {
                atomic_file_abort(&csv);
                return failed(e, ret_error, "cannot write the report of delivery %s: %s", id);
        }
        e = atomic_file_commit(&csv);
        if (e < 0)
                return failed(e, ret_error, "cannot write %s: %s", csv_path);
        e = htmlreport_write(h, html_path, gid);
        if (e < 0)
                return failed(e, ret_error, "cannot write %s: %s", html_path);
        if (ret_path)
                *ret_path = TAKE_PTR(html_path);
        return 0;
}

/* The reports read in one read-only transaction: one snapshot of the delivery, its findings
 * and its records, however the daemon goes on meanwhile; the schema is the search path. */
int report_delivery_from_db(PGconn *conn, const char *schema, const struct ruleset *rs, long long delivery_id,
                            const char *out_dir, int gid, unsigned max_records, char **ret_path, char **ret_error) {
        int e = schema_begin_read(conn, schema, ret_error);
        if (e < 0)
                return e;
        e = delivery_report(conn, schema, rs, delivery_id, out_dir, gid, max_records, ret_path, ret_error);
        PQclear(PQexec(conn, "ROLLBACK"));
        return e;
}

/* ---- the overview ---- */

struct ov_delivery {
        long long id;
        const char *source, *file, *status, *unit;
        time_t received;
        unsigned long records, loaded, rejected, warned;
};

struct ov_rule {
        const char *source, *rule;
        enum severity severity;
        unsigned long total;
        unsigned long *per_month;       /* per month of the source */
};

static int cmp_delivery(const void *a, const void *b) {
        const struct ov_delivery *x = a, *y = b;
        int c = strcmp(x->source, y->source);
        if (c == 0)
                c = (!*x->unit != !*y->unit) ? (*x->unit ? -1 : 1) : strcmp(x->unit, y->unit);
        if (c == 0)
                c = x->received < y->received ? -1 : x->received > y->received;
        if (c == 0)
                c = x->id < y->id ? -1 : x->id > y->id;
        return c;
}

static const struct ruleset *source_rules(const struct report_source *sources, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(sources[i].name, name) == 0)
                        return sources[i].rs;
        return NULL;
}

/* How many leading fields of the pack's key name the reporting unit; 0 when the unit is
 * not a prefix of the key (then a rejected delivery's unit cannot be read off its
 * findings). */
static unsigned unit_prefix(const struct ruleset *rs) {
        if (!rs)
                return 0;
        unsigned nkey, nunit;
        const unsigned *key = ruleset_key(rs, &nkey), *unit = ruleset_delivery_unit(rs, &nunit);
        if (nunit == 0 || nunit > nkey)
                return 0;
        for (unsigned i = 0; i < nunit; i++)
                if (key[i] != unit[i])
                        return 0;
        return nunit;
}

static const char *status_label(const char *status) {
        if (strcmp(status, "loaded") == 0)
                return "geladen";
        if (strcmp(status, "rejected") == 0)
                return "abgewiesen";
        if (strcmp(status, "superseded") == 0)
                return "ersetzt";
        return status;
}

/* Share of rejected records per delivery, in the order they arrived. */
static void trend_chart(FILE *o, const struct ov_delivery *d, size_t n) {
        const int width = 760, height = 220, left = 56, right = 24, top = 12, bottom = 44;
        const int pw = width - left - right, ph = height - top - bottom;
        double max = 0.10;
        for (size_t i = 0; i < n; i++) {
                double r = d[i].records ? (double) d[i].rejected / (double) d[i].records : 0.0;
                if (r > max)
                        max = r;
        }
        max = (double) (int) (max * 10.0 + 0.999) / 10.0;      /* up to the next 10 % */
        if (max > 1.0)
                max = 1.0;
        fprintf(o,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                "aria-label=\"Anteil abgewiesener Datensätze je Lieferung\">"
                "<title>Anteil abgewiesener Datensätze je Lieferung</title>\n",
                width, height, width, height);
        for (int k = 0; k <= 2; k++) {
                double v = max * k / 2.0;
                int y = top + ph - (int) (v / max * ph);
                char lab[16];
                snprintf(lab, sizeof(lab), "%.0f", v * 100.0);
                fprintf(o,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>"
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s&#160;%%</text>\n",
                        left, y, left + pw, y, left - 6, y + 4, lab);
        }
        size_t step = n > TREND_MAX_LABELS ? (n + TREND_MAX_LABELS - 1) / TREND_MAX_LABELS : 1;
        _cleanup_(strbuf_done) struct strbuf pts = {0};
        for (size_t i = 0; i < n; i++) {
                int x = n == 1 ? left + pw / 2 : left + (int) ((double) pw * (double) i / (double) (n - 1));
                double r = d[i].records ? (double) d[i].rejected / (double) d[i].records : 0.0;
                int y = top + ph - (int) (r / max * ph);
                if (strbuf_printf(&pts, "%s%d,%d", i ? " " : "", x, y) < 0)
                        return;
                if (i % step == 0 || i == n - 1) {
                        fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, top + ph + 18);
                        html_strftime(o, d[i].received, "%d.%m.%y");
                        fputs("</text>\n", o);
                }
        }
        if (n > 1)
                fprintf(o, "<polyline points=\"%s\" class=\"trend\"/>\n", strbuf_str(&pts));
        for (size_t i = 0; i < n; i++) {
                int x = n == 1 ? left + pw / 2 : left + (int) ((double) pw * (double) i / (double) (n - 1));
                double r = d[i].records ? (double) d[i].rejected / (double) d[i].records : 0.0;
                int y = top + ph - (int) (r / max * ph);
                bool whole = strcmp(d[i].status, "rejected") == 0;
                fprintf(o, "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" class=\"%s\"><title>Lieferung %lld, ", x, y,
                        whole ? 6 : 4, whole ? "bar-error" : "bar-file", d[i].id);
                html_strftime(o, d[i].received, "%d.%m.%Y");
                fputs(": ", o);
                html_pct(o, d[i].rejected, d[i].records);
                fprintf(o, " abgewiesen%s</title></circle>\n", whole ? ", Lieferung als Ganzes abgewiesen" : "");
        }
        fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"muted\">Lieferungen nach Eingang "
                   "(großer Punkt: als Ganzes abgewiesen)</text>\n</svg>\n",
                left + pw / 2, height - 6);
}

static void deliveries_table(FILE *o, const struct ov_delivery *d, size_t n) {
        fputs("<table>\n<thead><tr><th>Lieferung</th><th>Datei</th><th>Eingang</th><th>Status</th>"
              "<th class=\"n\">Datensätze</th><th class=\"n\">geladen</th><th class=\"n\">abgewiesen</th>"
              "<th class=\"n\">Anteil</th><th class=\"n\">mit Warnungen</th><th>Befunde</th></tr></thead>\n<tbody>\n",
              o);
        for (size_t i = 0; i < n; i++) {
                fprintf(o, "<tr><td><a href=\"delivery-%lld.html\">Nr. %lld</a></td><td>", d[i].id, d[i].id);
                html_escape(o, d[i].file);
                fputs("</td><td>", o);
                html_time(o, d[i].received);
                fputs("</td><td>", o);
                html_escape(o, status_label(d[i].status));
                fputs("</td><td class=\"n\">", o);
                html_num(o, d[i].records);
                fputs("</td><td class=\"n\">", o);
                html_num(o, d[i].loaded);
                fputs("</td><td class=\"n\">", o);
                html_num(o, d[i].rejected);
                fputs("</td><td class=\"n\">", o);
                html_pct(o, d[i].rejected, d[i].records);
                fputs("</td><td class=\"n\">", o);
                html_num(o, d[i].warned);
                fprintf(o, "</td><td><a href=\"delivery-%lld.html\">Bericht</a> · <a href=\"delivery-%lld.csv\">CSV</a>"
                           "</td></tr>\n",
                        d[i].id, d[i].id);
        }
        fputs("</tbody>\n</table>\n", o);
}

static int cmp_rule_total(const void *a, const void *b) {
        const struct ov_rule *x = a, *y = b;
        int c = strcmp(x->source, y->source);
        if (c == 0 && x->total != y->total)
                c = x->total > y->total ? -1 : 1;
        return c ? c : strcmp(x->rule, y->rule);
}

/* The most frequent rules of one source, per month, with a small bar per month. */
static void rules_table(FILE *o, const struct ov_rule *rules, size_t n, const char *const *months, size_t nmonths,
                        const struct ruleset *rs) {
        if (n == 0) {
                fputs("<p>Keine Befunde.</p>\n", o);
                return;
        }
        size_t shown = n < OVERVIEW_TOP_RULES ? n : OVERVIEW_TOP_RULES;
        unsigned long max = 1;
        for (size_t i = 0; i < shown; i++)
                for (size_t m = 0; m < nmonths; m++)
                        if (rules[i].per_month[m] > max)
                                max = rules[i].per_month[m];
        fputs("<table>\n<thead><tr><th>Regel</th><th>Beschreibung</th>", o);
        for (size_t m = 0; m < nmonths; m++) {
                /* "2025-03" as "03/2025" */
                fprintf(o, "<th class=\"n\">%.2s/%.4s</th>", months[m] + 5, months[m]);
        }
        fputs("<th class=\"n\">zusammen</th><th>Verlauf</th></tr></thead>\n<tbody>\n", o);
        for (size_t i = 0; i < shown; i++) {
                const struct ov_rule *ru = &rules[i];
                fputs("<tr><td class=\"id\">", o);
                html_escape(o, ru->rule);
                fputs("</td><td>", o);
                html_escape(o, htmlreport_rule_title(rs, ru->rule));
                fputs("</td>", o);
                for (size_t m = 0; m < nmonths; m++) {
                        fputs("<td class=\"n\">", o);
                        html_num(o, ru->per_month[m]);
                        fputs("</td>", o);
                }
                fputs("<td class=\"n\">", o);
                html_num(o, ru->total);
                int bw = 10, w = (int) nmonths * (bw + 2) + 2;
                fprintf(o, "</td><td><svg viewBox=\"0 0 %d 24\" width=\"%d\" height=\"24\" role=\"img\" "
                           "aria-label=\"Befunde je Monat\">",
                        w, w);
                for (size_t m = 0; m < nmonths; m++) {
                        int hgt = (int) ((double) ru->per_month[m] / (double) max * 22.0);
                        if (ru->per_month[m] && hgt < 1)
                                hgt = 1;
                        fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"bar-%s\"/>",
                                2 + (int) m * (bw + 2), 23 - hgt, bw, hgt, severity_name(ru->severity));
                }
                fputs("</svg></td></tr>\n", o);
        }
        fputs("</tbody>\n</table>\n", o);
        if (shown < n)
                fprintf(o, "<p class=\"muted\">Die %zu häufigsten von %zu Regeln mit Befunden.</p>\n", shown, n);
}

struct overview {
        struct arena *arena;
        struct ov_delivery *d;
        size_t nd;
        struct ov_rule *rules;
        size_t nrules;
        const char **months;            /* "YYYY-MM", sorted, over all sources */
        size_t nmonths;
        PGresult *dup;                  /* source, duplicates */
        PGresult *span;                 /* first and last received */
};

static void overview_done(struct overview *ov) {
        for (size_t i = 0; i < ov->nrules; i++)
                free(ov->rules[i].per_month);
        free(ov->rules);
        free(ov->d);
        free(ov->months);
        PQclear(ov->dup);
        PQclear(ov->span);
        arena_free(ov->arena);
}

static int render_overview(FILE *o, const struct overview *ov, const struct report_source *sources, size_t nsources,
                           const char *since) {
        time_t now = time(NULL);
        char day[sizeof("DD.MM.YYYY")];        /* since is YYYY-MM-DD (checked): it fits */
        snprintf(day, sizeof(day), "%.2s.%.2s.%.4s", since + 8, since + 5, since);
        html_begin(o, "Übersicht der Lieferungen seit ", day);
        fprintf(o, "<header>\n<h1>Übersicht der Lieferungen seit %s</h1>\n", day);
        size_t nsrc = 0;
        for (size_t i = 0; i < ov->nd; i++)
                nsrc += i == 0 || strcmp(ov->d[i].source, ov->d[i - 1].source) != 0;
        unsigned long records = 0, rejected = 0;
        for (size_t i = 0; i < ov->nd; i++) {
                records += ov->d[i].records;
                rejected += ov->d[i].rejected;
        }
        fputs("<p id=\"uebersicht-anzahl\">", o);
        html_num(o, ov->nd);
        fprintf(o, " Lieferung%s aus ", ov->nd == 1 ? "" : "en");
        html_num(o, nsrc);
        fprintf(o, " Quelle%s: ", nsrc == 1 ? "" : "n");
        html_num(o, records);
        fputs(" Datensätze gelesen, ", o);
        html_num(o, rejected);
        fputs(" abgewiesen (", o);
        html_pct(o, rejected, records);
        fputs("). Erstellt am ", o);
        html_time(o, now);
        fputs(".</p>\n</header>\n<main>\n", o);
        if (ov->nd == 0)
                fputs("<p>Seit diesem Tag ist keine Lieferung eingegangen.</p>\n", o);
        for (size_t i = 0; i < ov->nd;) {
                const char *source = ov->d[i].source;
                const struct ruleset *rs = source_rules(sources, nsources, source);
                fputs("<section class=\"source\">\n<h2>Quelle ", o);
                html_escape(o, source);
                fputs("</h2>\n", o);
                for (int k = 0; ov->dup && k < PQntuples(ov->dup); k++)
                        if (strcmp(PQgetvalue(ov->dup, k, 0), source) == 0) {
                                fputs("<p class=\"muted\">Nicht aufgeführt: ", o);
                                html_escape(o, PQgetvalue(ov->dup, k, 1));
                                fputs(" doppelte Lieferung(en) mit bereits geladenem Inhalt.</p>\n", o);
                        }
                size_t end = i;
                while (end < ov->nd && strcmp(ov->d[end].source, source) == 0)
                        end++;
                for (size_t u = i; u < end;) {
                        size_t uend = u;
                        while (uend < end && strcmp(ov->d[uend].unit, ov->d[u].unit) == 0)
                                uend++;
                        fputs("<h3>Meldende Einheit ", o);
                        if (*ov->d[u].unit)
                                html_escape(o, ov->d[u].unit);
                        else
                                fputs("unbekannt <span class=\"muted\">(keine Datensätze und keine Befunde "
                                      "mit Schlüssel)</span>",
                                      o);
                        fputs("</h3>\n", o);
                        trend_chart(o, ov->d + u, uend - u);
                        deliveries_table(o, ov->d + u, uend - u);
                        u = uend;
                }
                /* The source's rules, with the months in which it had deliveries. */
                size_t r0 = 0;
                while (r0 < ov->nrules && strcmp(ov->rules[r0].source, source) != 0)
                        r0++;
                size_t r1 = r0;
                while (r1 < ov->nrules && strcmp(ov->rules[r1].source, source) == 0)
                        r1++;
                fputs("<h3>Häufigste Regeln nach Monat des Eingangs</h3>\n", o);
                rules_table(o, ov->rules + r0, r1 - r0, ov->months, ov->nmonths, rs);
                fputs("</section>\n", o);
                i = end;
        }
        html_end(o, now);
        return ferror(o) ? -EIO : 0;
}

static int month_index(const struct overview *ov, const char *month) {
        for (size_t m = 0; m < ov->nmonths; m++)
                if (strcmp(ov->months[m], month) == 0)
                        return (int) m;
        return -1;
}

static int overview_report(PGconn *conn, const char *schema, const struct report_source *sources, size_t nsources,
                           const char *since, const char *out_dir, int gid, unsigned max_records, char **ret_path,
                           size_t *ret_count, char **ret_error) {
        /* The day goes into the file name: exactly YYYY-MM-DD, which the server checks further. */
        bool day = strlen(since) == 10 && since[4] == '-' && since[7] == '-';
        for (size_t i = 0; day && i < 10; i++)
                day = i == 4 || i == 7 || (since[i] >= '0' && since[i] <= '9');
        if (!day) {
                if (asprintf(ret_error, "'%s' is not a day as YYYY-MM-DD", since) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        struct overview ov = {.arena = arena_new()};
        _cleanup_(freep) char *path = NULL;
        PGresult *res = NULL;
        int e = ov.arena ? 0 : -ENOMEM;
        const char *params[] = {since};

        /* Every delivery but duplicates, with its reporting units: those it covers, or for
         * one that was replaced, those of the deliveries that replaced it (which may have
         * been replaced in turn). */
        if (e >= 0)
                e = db_query(conn,
                             "SELECT d.id, d.source, d.file_name, extract(epoch FROM d.received_at)::bigint, d.status,"
                             " d.records, d.loaded, d.rejected, d.warned, coalesce("
                             "(SELECT string_agg(DISTINCT x.unit, ', ') FROM delivery_scopes x WHERE x.delivery_id = d.id),"
                             "(WITH RECURSIVE chain(id) AS (SELECT d.superseded_by UNION"
                             " SELECT e.superseded_by FROM deliveries e JOIN chain c ON e.id = c.id"
                             " WHERE e.superseded_by IS NOT NULL)"
                             " SELECT string_agg(DISTINCT x.unit, ', ') FROM delivery_scopes x"
                             " WHERE x.delivery_id IN (SELECT id FROM chain)), '')"
                             " FROM deliveries d WHERE d.received_at >= $1::date AND d.status <> 'duplicate'"
                             " ORDER BY d.id",
                             1, params, &res, ret_error);
        if (e >= 0) {
                ov.nd = (size_t) PQntuples(res);
                ov.d = calloc(ov.nd ? ov.nd : 1, sizeof(*ov.d));
                if (!ov.d)
                        e = -ENOMEM;
        }
        for (size_t i = 0; e >= 0 && i < ov.nd; i++) {
                int k = (int) i;
                struct ov_delivery *d = &ov.d[i];
                d->id = strtoll(PQgetvalue(res, k, 0), NULL, 10);
                d->source = arena_strdup(ov.arena, PQgetvalue(res, k, 1));
                d->file = arena_strdup(ov.arena, PQgetvalue(res, k, 2));
                d->received = (time_t) strtoll(PQgetvalue(res, k, 3), NULL, 10);
                d->status = arena_strdup(ov.arena, PQgetvalue(res, k, 4));
                d->records = strtoul(PQgetvalue(res, k, 5), NULL, 10);
                d->loaded = strtoul(PQgetvalue(res, k, 6), NULL, 10);
                d->rejected = strtoul(PQgetvalue(res, k, 7), NULL, 10);
                d->warned = strtoul(PQgetvalue(res, k, 8), NULL, 10);
                d->unit = arena_strdup(ov.arena, PQgetvalue(res, k, 9));
                if (!d->source || !d->file || !d->status || !d->unit)
                        e = -ENOMEM;
        }
        PQclear(res);
        res = NULL;

        /* A delivery rejected as a whole stored no records: its unit is read off the keys
         * of its findings, where the pack's key begins with the unit's fields; the most
         * frequent one, as a mistyped unit in one record is itself a finding. */
        const char *unit_sql = "SELECT coalesce(mode() WITHIN GROUP (ORDER BY array_to_string("
                               "(string_to_array(key, '-'))[1:$2::integer], '-')), '') FROM findings"
                               " WHERE delivery_id = $1::bigint AND line > 0 AND key <> ''";
        for (size_t i = 0; e >= 0 && i < ov.nd; i++) {
                struct ov_delivery *d = &ov.d[i];
                unsigned k = unit_prefix(source_rules(sources, nsources, d->source));
                if (*d->unit || k == 0)
                        continue;
                char id[24], nk[16];
                snprintf(id, sizeof(id), "%lld", d->id);
                snprintf(nk, sizeof(nk), "%u", k);
                const char *p[] = {id, nk};
                e = db_query(conn, unit_sql, 2, p, &res, ret_error);
                if (e >= 0 && PQntuples(res) == 1 && !(d->unit = arena_strdup(ov.arena, PQgetvalue(res, 0, 0))))
                        e = -ENOMEM;
                PQclear(res);
                res = NULL;
        }
        if (e >= 0 && ov.nd)
                qsort(ov.d, ov.nd, sizeof(*ov.d), cmp_delivery);

        /* Duplicates, only counted. */
        if (e >= 0)
                e = db_query(conn,
                             "SELECT source, count(*) FROM deliveries WHERE received_at >= $1::date"
                             " AND status = 'duplicate' GROUP BY 1",
                             1, params, &ov.dup, ret_error);

        /* Findings per source, rule and month of arrival. */
        if (e >= 0)
                e = db_query(conn,
                             "SELECT d.source, f.rule, min(f.severity), to_char(d.received_at, 'YYYY-MM'), count(*)"
                             " FROM findings f JOIN deliveries d ON d.id = f.delivery_id"
                             " WHERE d.received_at >= $1::date AND d.status <> 'duplicate'"
                             " GROUP BY 1, 2, 4 ORDER BY 1, 2, 4",
                             1, params, &res, ret_error);
        int nrows = e >= 0 ? PQntuples(res) : 0;
        /* The months of every row, sorted: the rows are sorted by month within a rule. */
        if (e >= 0 && nrows > 0 && !(ov.months = calloc((size_t) nrows, sizeof(*ov.months))))
                e = -ENOMEM;
        for (int k = 0; e >= 0 && k < nrows; k++) {
                const char *m = PQgetvalue(res, k, 3);
                if (month_index(&ov, m) >= 0)
                        continue;
                size_t at = ov.nmonths;
                while (at > 0 && strcmp(ov.months[at - 1], m) > 0)
                        at--;
                const char *c = arena_strdup(ov.arena, m);
                if (!c) {
                        e = -ENOMEM;
                        break;
                }
                memmove(ov.months + at + 1, ov.months + at, (ov.nmonths - at) * sizeof(*ov.months));
                ov.months[at] = c;
                ov.nmonths++;
        }
        if (e >= 0 && nrows > 0 && !(ov.rules = calloc((size_t) nrows, sizeof(*ov.rules))))
                e = -ENOMEM;
        for (int k = 0; e >= 0 && k < nrows; k++) {
                const char *source = PQgetvalue(res, k, 0), *rule = PQgetvalue(res, k, 1);
                struct ov_rule *ru = ov.nrules ? &ov.rules[ov.nrules - 1] : NULL;
                if (!ru || strcmp(ru->source, source) != 0 || strcmp(ru->rule, rule) != 0) {
                        ru = &ov.rules[ov.nrules++];
                        ru->source = arena_strdup(ov.arena, source);
                        ru->rule = arena_strdup(ov.arena, rule);
                        ru->per_month = calloc(ov.nmonths ? ov.nmonths : 1, sizeof(*ru->per_month));
                        if (!ru->source || !ru->rule || !ru->per_month ||
                            parse_severity(PQgetvalue(res, k, 2), &ru->severity) < 0) {
                                e = -ENOMEM;
                                break;
                        }
                }
                unsigned long n = strtoul(PQgetvalue(res, k, 4), NULL, 10);
                ru->per_month[month_index(&ov, PQgetvalue(res, k, 3))] += n;
                ru->total += n;
        }
        PQclear(res);
        res = NULL;
        if (e >= 0 && ov.nrules)
                qsort(ov.rules, ov.nrules, sizeof(*ov.rules), cmp_rule_total);

        /* Each delivery's own report beside the overview, so that its links lead somewhere. */
        for (size_t i = 0; e >= 0 && i < ov.nd; i++)
                e = report_delivery_from_db(conn, schema, source_rules(sources, nsources, ov.d[i].source), ov.d[i].id,
                                            out_dir, gid, max_records, NULL, ret_error);

        if (e >= 0 && asprintf(&path, "%s/uebersicht-%s.html", out_dir, since) < 0) {
                path = NULL;
                e = -ENOMEM;
        }
        if (e >= 0) {
                struct atomic_file rf;
                e = atomic_file_open(&rf, AT_FDCWD, path, 0640, gid);
                if (e >= 0) {
                        e = render_overview(rf.f, &ov, sources, nsources, since);
                        if (e >= 0)
                                e = atomic_file_commit(&rf);
                        else
                                atomic_file_abort(&rf);
                }
                if (e < 0)
                        failed(e, ret_error, "cannot write %s: %s", path);
        }
        if (e >= 0) {
                *ret_count = ov.nd;
                if (ret_path)
                        *ret_path = TAKE_PTR(path);
        }
        overview_done(&ov);
        return e;
}

int report_overview_from_db(PGconn *conn, const char *schema, const struct report_source *sources, size_t nsources,
                            const char *since, const char *out_dir, int gid, unsigned max_records, char **ret_path,
                            size_t *ret_count, char **ret_error) {
        int e = schema_begin_read(conn, schema, ret_error);
        if (e < 0)
                return e;
        e = overview_report(conn, schema, sources, nsources, since, out_dir, gid, max_records, ret_path, ret_count,
                            ret_error);
        PQclear(PQexec(conn, "ROLLBACK"));
        return e;
}
