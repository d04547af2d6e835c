/*
 * The overview as HTML (overview_render): per source and reporting unit a trend chart of
 * the rejected share per delivery and a table of the deliveries with links to their
 * reports, then the source's most frequent rules per month of arrival with a small bar per
 * month. It renders the model of overview.h and nothing else; the markup both reports
 * share is in html.c. Everything that came from the database goes through html_escape.
 */
#include <errno.h>
#include <string.h>

#include "html.h"
#include "overview.h"

/* Rules listed per source. */
#define OVERVIEW_TOP_RULES 10
/* Dates written under the trend chart at most. */
#define TREND_MAX_LABELS 12

static const char *status_label(enum register_status status) {
        switch (status) {
        case REGISTER_LOADED:
                return "geladen";
        case REGISTER_REJECTED:
                return "abgewiesen";
        case REGISTER_SUPERSEDED:
                return "ersetzt";
        case REGISTER_DUPLICATE:
        case _REGISTER_STATUS_MAX:
                break;
        }
        return register_status_name(status);
}

static double rejected_share(const struct ov_delivery *d) {
        return d->records ? (double) d->rejected / (double) d->records : 0.0;
}

/* The trend chart's plot area and scale. */
struct plot {
        int left, top, width, height;   /* of the plot area inside the chart */
        double max;                     /* the share at the top */
};

/* Where delivery i of n goes. */
static void plot_point(const struct plot *p, const struct ov_delivery *d, size_t i, size_t n, int *x, int *y) {
        *x = n == 1 ? p->left + p->width / 2 : p->left + (int) ((double) p->width * (double) i / (double) (n - 1));
        *y = p->top + p->height - (int) (rejected_share(&d[i]) / p->max * p->height);
}

/* The axis at 0, half and full scale, and the dates below (a dozen at most). */
static void trend_axes(FILE *o, const struct plot *p, const struct ov_delivery *d, size_t n) {
        for (int k = 0; k <= 2; k++) {
                double v = p->max * k / 2.0;
                int y = p->top + p->height - (int) (v / p->max * p->height);
                fprintf(o,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>"
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f&#160;%%</text>\n",
                        p->left, y, p->left + p->width, y, p->left - 6, y + 4, v * 100.0);
        }
        size_t step = n > TREND_MAX_LABELS ? (n + TREND_MAX_LABELS - 1) / TREND_MAX_LABELS : 1;
        for (size_t i = 0; i < n; i++) {
                if (i % step != 0 && i != n - 1)
                        continue;
                int x, y;
                plot_point(p, d, i, n, &x, &y);
                fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x, p->top + p->height + 18);
                html_strftime(o, d[i].received, "%d.%m.%y");
                fputs("</text>\n", o);
        }
}

/* Share of rejected records per delivery, in the order they arrived. */
static void trend_chart(FILE *o, const struct ov_delivery *d, size_t n) {
        const int width = 760, height = 220, left = 56, right = 24, top = 12, bottom = 44;
        struct plot p = {.left = left, .top = top, .width = width - left - right, .height = height - top - bottom,
                         .max = 0.10};
        for (size_t i = 0; i < n; i++)
                if (rejected_share(&d[i]) > p.max)
                        p.max = rejected_share(&d[i]);
        p.max = (double) (int) (p.max * 10.0 + 0.999) / 10.0;  /* up to the next 10 % */
        if (p.max > 1.0)
                p.max = 1.0;
        fprintf(o,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                "aria-label=\"Anteil abgewiesener Datensätze je Lieferung\">"
                "<title>Anteil abgewiesener Datensätze je Lieferung</title>\n",
                width, height, width, height);
        trend_axes(o, &p, d, n);
        if (n > 1) {
                fputs("<polyline points=\"", o);
                for (size_t i = 0; i < n; i++) {
                        int x, y;
                        plot_point(&p, d, i, n, &x, &y);
                        fprintf(o, "%s%d,%d", i ? " " : "", x, y);
                }
                fputs("\" class=\"trend\"/>\n", o);
        }
        for (size_t i = 0; i < n; i++) {
                int x, y;
                plot_point(&p, d, i, n, &x, &y);
                bool whole = d[i].status == REGISTER_REJECTED;
                fprintf(o, "<circle cx=\"%d\" cy=\"%d\" r=\"%d\" class=\"%s\"><title>Lieferung %lld, ", x, y,
                        whole ? 6 : 4, whole ? "bar-error" : "bar-file", d[i].id);
                html_strftime(o, d[i].received, "%d.%m.%Y");
                fputs(": ", o);
                html_pct(o, d[i].rejected, d[i].records);
                fprintf(o, " abgewiesen%s</title></circle>\n", whole ? ", Lieferung als Ganzes abgewiesen" : "");
        }
        fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"muted\">Lieferungen nach Eingang "
                   "(großer Punkt: als Ganzes abgewiesen)</text>\n</svg>\n",
                left + p.width / 2, height - 6);
}

static void deliveries_table(FILE *o, const struct ov_delivery *d, size_t n) {
        html_table_begin(o, "<th>Lieferung</th><th>Datei</th><th>Eingang</th><th>Status</th>"
                            "<th class=\"n\">Datensätze</th><th class=\"n\">geladen</th><th class=\"n\">abgewiesen</th>"
                            "<th class=\"n\">Anteil</th><th class=\"n\">mit Warnungen</th><th>Befunde</th>");
        for (size_t i = 0; i < n; i++) {
                fprintf(o, "<tr><td><a href=\"delivery-%lld.html\">Nr. %lld</a></td>", d[i].id, d[i].id);
                html_td_text(o, NULL, d[i].file);
                fputs("<td>", o);
                html_time(o, d[i].received);
                fputs("</td>", o);
                html_td_text(o, NULL, status_label(d[i].status));
                html_td_num(o, d[i].records);
                html_td_num(o, d[i].loaded);
                html_td_num(o, d[i].rejected);
                html_td_pct(o, d[i].rejected, d[i].records);
                html_td_num(o, d[i].warned);
                fprintf(o, "<td><a href=\"delivery-%lld.html\">Bericht</a> · <a href=\"delivery-%lld.csv\">CSV</a>"
                           "</td></tr>\n",
                        d[i].id, d[i].id);
        }
        html_table_end(o);
}

/* A rule's findings per month as small bars, scaled to max. */
static void month_bars(FILE *o, const struct ov_rule *ru, size_t nmonths, unsigned long max) {
        int bw = 10, w = (int) nmonths * (bw + 2) + 2;
        fprintf(o, "<td><svg viewBox=\"0 0 %d 24\" width=\"%d\" height=\"24\" role=\"img\" "
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

/* The most frequent rules of one source, per month. */
static void rules_table(FILE *o, const struct ov_rule *rules, size_t n, const char *const *months, size_t nmonths) {
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
        for (size_t m = 0; m < nmonths; m++)
                fprintf(o, "<th class=\"n\">%.2s/%.4s</th>", months[m] + 5, months[m]);      /* "03/2025" */
        fputs("<th class=\"n\">zusammen</th><th>Verlauf</th></tr></thead>\n<tbody>\n", o);
        for (size_t i = 0; i < shown; i++) {
                const struct ov_rule *ru = &rules[i];
                fputs("<tr>", o);
                html_td_text(o, "id", ru->rule);
                html_td_text(o, NULL, ru->title);
                for (size_t m = 0; m < nmonths; m++)
                        html_td_num(o, ru->per_month[m]);
                html_td_num(o, ru->total);
                month_bars(o, ru, nmonths, max);
        }
        html_table_end(o);
        if (shown < n)
                fprintf(o, "<p class=\"muted\">Die %zu häufigsten von %zu Regeln mit Befunden.</p>\n", shown, n);
}

/* The title, and how many deliveries, sources, records and rejected records in all. */
static void overview_header(FILE *o, const struct overview *ov, time_t now) {
        html_begin(o, "Übersicht der Lieferungen seit ", ov->day);
        fprintf(o, "<header>\n<h1>Übersicht der Lieferungen seit %s</h1>\n", ov->day);
        size_t nsrc = 0;
        unsigned long records = 0, rejected = 0;
        for (size_t i = 0; i < ov->nd; i++) {
                nsrc += i == 0 || strcmp(ov->d[i].source, ov->d[i - 1].source) != 0;
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
}

/* One source: its deliveries d[0..n) per reporting unit, then its rules. */
static void source_section(FILE *o, const struct overview *ov, const struct ov_delivery *d, size_t n) {
        const char *source = d[0].source;
        fputs("<section class=\"source\">\n<h2>Quelle ", o);
        html_escape(o, source);
        fputs("</h2>\n", o);
        for (size_t k = 0; k < ov->ndup; k++)
                if (strcmp(ov->dup[k].source, source) == 0)
                        fprintf(o, "<p class=\"muted\">Nicht aufgeführt: %lu doppelte Lieferung(en) mit bereits "
                                   "geladenem Inhalt.</p>\n",
                                ov->dup[k].count);
        for (size_t u = 0; u < n;) {
                size_t uend = u;
                while (uend < n && strcmp(d[uend].unit, d[u].unit) == 0)
                        uend++;
                fputs("<h3>Meldende Einheit ", o);
                if (*d[u].unit)
                        html_escape(o, d[u].unit);
                else
                        fputs("unbekannt <span class=\"muted\">(keine Datensätze und keine Befunde mit "
                              "Schlüssel)</span>",
                              o);
                fputs("</h3>\n", o);
                trend_chart(o, d + u, uend - u);
                deliveries_table(o, d + u, uend - u);
                u = uend;
        }
        /* The source's rules, over the months of every source. */
        size_t r0 = 0;
        while (r0 < ov->nrules && strcmp(ov->rules[r0].source, source) != 0)
                r0++;
        size_t r1 = r0;
        while (r1 < ov->nrules && strcmp(ov->rules[r1].source, source) == 0)
                r1++;
        fputs("<h3>Häufigste Regeln nach Monat des Eingangs</h3>\n", o);
        rules_table(o, ov->rules + r0, r1 - r0, ov->months, ov->nmonths);
        fputs("</section>\n", o);
}

int overview_render(FILE *o, const struct overview *ov) {
        time_t now = time(NULL);
        overview_header(o, ov, now);
        if (ov->nd == 0)
                fputs("<p>Seit diesem Tag ist keine Lieferung eingegangen.</p>\n", o);
        for (size_t i = 0; i < ov->nd;) {
                size_t end = i;
                while (end < ov->nd && strcmp(ov->d[end].source, ov->d[i].source) == 0)
                        end++;
                source_section(o, ov, ov->d + i, end - i);
                i = end;
        }
        html_end(o, now);
        return ferror(o) ? -EIO : 0;
}
