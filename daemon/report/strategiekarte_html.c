/*
 * The Strategiekarte as HTML (sk_render_html): one page per section on A4 landscape, a
 * style sheet and SVG charts inline, nothing fetched. It prints the model of
 * strategiekarte_model.h and nothing else: every figure is a view's value, rounded.
 *
 * For checking and for the tests, every figure also carries the view's value unrounded
 * (data-raw on a table cell, data-eckwert and data-sgb2 on a chart's point), and each
 * chart its scale (data-x-max, data-y-max and its plot area), so that a reader of the
 * rendered page can compare each cell and each point's position with the views.
 *
 * On screen, page.html#verlauf shows that page alone (CSS :target), the size of an A4
 * landscape page at 96 dpi (1123 x 794): a screenshot of one page needs no script.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "strategiekarte_model.h"

#ifndef PLAUSID_VERSION
#define PLAUSID_VERSION "0.1"
#endif

static const char footnote_suppressed[] =
        "<p class=\"fussnote\">· = weniger als 3 junge Menschen (Geheimhaltung); – = nicht verfügbar.</p>\n";

static void style(FILE *o) {
        fputs("<style>\n"
              "@page{size:A4 landscape;margin:10mm}\n"
              "*{box-sizing:border-box}\n"
              "body{font-family:\"DejaVu Sans\",\"Liberation Sans\",Arial,Helvetica,sans-serif;font-size:12px;"
              "line-height:1.35;color:#1b2631;margin:0;background:#fff}\n"
              "section.seite{width:1123px;min-height:794px;padding:28px 36px;border-bottom:1px dashed #d5d8dc}\n"
              "body:has(section.seite:target) section.seite:not(:target){display:none}\n"
              "body:has(section.seite:target) section.seite{border:0}\n"
              ".kopf{color:#566573;font-size:11px;border-bottom:2px solid #d5d8dc;padding-bottom:3px;margin-bottom:8px;"
              "display:flex;justify-content:space-between}\n"
              "h1{font-size:22px;margin:4px 0 6px}h2{font-size:18px;margin:4px 0 10px}\n"
              "table.sk{border-collapse:collapse;width:100%;margin:6px 0}\n"
              "table.sk th,table.sk td{border-bottom:1px solid #d5d8dc;padding:3px 7px;text-align:left;"
              "vertical-align:bottom}\n"
              "table.sk td.n,table.sk th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
              "table.sk thead th{background:#f4f6f7;font-weight:bold}table.sk thead th.n{white-space:normal}\n"
              "table.sk tbody th{max-width:260px;overflow-wrap:anywhere}\n"
              "table.sk tr.gesamt th,table.sk tr.gesamt td{font-weight:bold;border-top:2px solid #1b2631}\n"
              "table.sk tr.ohne th{font-style:italic}\n"
              ".fussnote,.hinweis{color:#566573;font-size:11px;margin:4px 0}\n"
              "ul.inhalt{margin:4px 0 12px;padding-left:18px}\n"
              "svg.streu{width:100%;height:auto;max-height:600px}\n"
              "svg text{font-size:12px;fill:#1b2631}\n"
              "svg .achse{stroke:#aab7b8;stroke-width:1}svg .bezug{stroke:#b03a2e;stroke-width:1;stroke-dasharray:6 4}\n"
              "svg .punkt circle{fill:#2e86c1;stroke:#fff;stroke-width:1}svg .linie{fill:none;stroke:#2e86c1;"
              "stroke-width:2}\n"
              ".klein-raster{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:8px 12px}\n"
              "figure.klein{margin:0;border:1px solid #d5d8dc;border-radius:4px;padding:4px 6px}\n"
              "figure.klein figcaption{font-weight:bold;font-size:12px;overflow:hidden;text-overflow:ellipsis;"
              "white-space:nowrap}\n"
              "figure.klein svg{width:100%;height:auto}figure.klein svg text{font-size:10px}"
              "figure.klein svg text.gesperrt{font-size:22px;font-weight:bold}\n"
              "footer{color:#566573;font-size:10px;margin-top:10px}\n"
              "@media print{section.seite{width:auto;min-height:0;padding:0;border:0;break-before:page}"
              "section.seite:first-of-type{break-before:auto}tr,figure.klein{break-inside:avoid}"
              "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n"
              "</style>\n",
              o);
}

static void text_de(FILE *o, double v) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%g", v);
        for (char *p = buf; *p; p++)
                if (*p == '.')
                        *p = ',';
        fputs(buf, o);
}

/* The head line of every page, and the page's section. */
static void page_begin(FILE *o, const struct strategiekarte *sk, const char *id, const char *title) {
        fprintf(o, "<section class=\"seite\" id=\"%s\">\n<div class=\"kopf\"><span>Strategiekarte Hilfen zur "
                   "Erziehung %d · Jugendamt %s</span><span>",
                id, sk->year, sk->unit);
        html_time(o, sk->now);
        fputs("</span></div>\n", o);
        if (title)
                fprintf(o, "<h2>%s</h2>\n", title);
}

static void page_end(FILE *o) {
        fputs("</section>\n", o);
}

/* ---- tables ---- */

static void row_head(FILE *o, const PGresult *res, int i) {
        const char *name = sk_text(res, i, "sozialraum");
        bool total = sk_is_total(res, i);
        fprintf(o, "<tr class=\"%s\" data-ebene=\"%s\" data-sozialraum=\"", total ? "gesamt"
                : strcmp(name, "ohne Zuordnung") == 0 ? "ohne" : "raum", total ? "Jugendamt" : "Sozialraum");
        html_escape(o, name);
        fputs("\"><th scope=\"row\">", o);
        if (total)
                fputs("Jugendamt insgesamt", o);
        else
                html_escape(o, name);
        fputs("</th>", o);
}

static void cell(FILE *o, const struct sk_table *t, int i, const struct sk_col *col) {
        const char *raw;
        char buf[80];
        switch (sk_cell(t, i, col, &raw)) {
        case SK_VALUE:
                /* checked by check_numbers: it formats */
                if (sk_format_de(raw, col->fmt, buf) < 0)
                        strcpy(buf, "?");
                fprintf(o, "<td class=\"n\" data-col=\"%s\" data-raw=\"", col->name);
                html_escape(o, raw);
                fprintf(o, "\">%s</td>", buf);
                return;
        case SK_SUPPRESSED:
                fprintf(o, "<td class=\"n\" data-col=\"%s\" data-gesperrt=\"1\">·</td>", col->name);
                return;
        case SK_MISSING:
                fprintf(o, "<td class=\"n\" data-col=\"%s\">–</td>", col->name);
                return;
        }
}

static void table(FILE *o, const struct sk_table *t) {
        fprintf(o, "<table class=\"sk\" id=\"t-%s\">\n<thead><tr><th>Sozialraum</th>", t->id);
        for (size_t k = 0; k < t->ncols; k++) {
                fputs("<th class=\"n\">", o);
                html_escape(o, t->cols[k].header);
                fputs("</th>", o);
        }
        fputs("</tr></thead>\n<tbody>\n", o);
        for (int i = 0; i < PQntuples(t->res); i++) {
                row_head(o, t->res, i);
                for (size_t k = 0; k < t->ncols; k++)
                        cell(o, t, i, &t->cols[k]);
                fputs("</tr>\n", o);
        }
        fputs("</tbody>\n</table>\n", o);
}

/* Rows whose Eckwert used the population of another year. */
static void population_note(FILE *o, const struct strategiekarte *sk) {
        const PGresult *res = sk->hze.res;
        bool any = false;
        for (int i = 0; i < PQntuples(res); i++) {
                const char *y = sk_text(res, i, "bevoelkerung_jahr");
                if (!*y || atoi(y) == sk->year)
                        continue;
                fputs(any ? "; " : "<p class=\"hinweis\" id=\"bevoelkerung-anderes-jahr\">Für das Berichtsjahr fehlen "
                                   "Bevölkerungszahlen; der Eckwert verwendet die Bevölkerung eines anderen Jahres: ",
                      o);
                any = true;
                html_escape(o, sk_is_total(res, i) ? "Jugendamt insgesamt" : sk_text(res, i, "sozialraum"));
                fputs(" (", o);
                html_escape(o, y);
                fputs(")", o);
        }
        if (any)
                fputs(".</p>\n", o);
}

static void size_note(FILE *o, const struct strategiekarte *sk) {
        const PGresult *res = sk->hze.res;
        for (int i = 0; i < PQntuples(res); i++) {
                const char *cls = sk_text(res, i, "groessenklasse"), *all = sk_text(res, i, "einwohner_gesamt");
                char buf[80];
                if (!sk_is_total(res, i) || !*cls)
                        continue;
                fputs("<p class=\"hinweis\" id=\"groessenklasse\">Größenklasse des Jugendamts: ", o);
                html_escape(o, cls);
                if (*all && sk_format_de(all, SK_INT, buf) == 0)
                        fprintf(o, " (%s Einwohner)", buf);
                fputs(".</p>\n", o);
        }
}

/* ---- the scatter chart ---- */

/* The smallest of 1, 2, 2.5, 5 times a power of ten that is at least v (v > 0). */
static double max2(double a, double b) {
        return a > b ? a : b;
}

static double nice_ceiling(double v) {
        if (!(v > 0) || v > 1e15)
                return 1.0;
        double m = 1.0;         /* the power of ten at or below v (without libm) */
        while (m * 10.0 <= v)
                m *= 10.0;
        while (m > v)
                m /= 10.0;
        static const double f[] = {1.0, 2.0, 2.5, 5.0, 10.0};
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                if (f[i] * m >= v * (1.0 + 1e-9))
                        return f[i] * m;
        return 10.0 * m;
}

struct plot {
        double left, top, width, height, xmax, ymax;
};

static double px(const struct plot *p, double x) {
        return p->left + x / p->xmax * p->width;
}

static double py(const struct plot *p, double y) {
        return p->top + p->height - y / p->ymax * p->height;
}

static void scatter_axes(FILE *o, const struct plot *p) {
        for (int k = 0; k <= 5; k++) {
                double y = p->ymax * k / 5.0, x = p->xmax * k / 5.0;
                fprintf(o, "<line class=\"achse\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                        p->left, py(p, y), p->left + p->width, py(p, y), p->left - 6, py(p, y) + 4);
                text_de(o, y);
                fprintf(o, "</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", px(p, x),
                        p->top + p->height + 18);
                text_de(o, x);
                fputs("&#160;%</text>\n", o);
        }
        fprintf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">SGB-II-Quote der unter 15-Jährigen</text>\n"
                   "<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">Eckwert je 10.000 "
                   "unter 21</text>\n",
                p->left + p->width / 2, p->top + p->height + 40, p->top + p->height / 2);
}

/* Whether row i has both figures to be placed; *x and *y are the view's values. */
static bool point_of(const PGresult *res, int i, const char **x, const char **y) {
        *x = sk_text(res, i, "sgb2_quote_unter15");
        *y = sk_text(res, i, "eckwert");
        return **x && **y;
}

static void scatter(FILE *o, const struct strategiekarte *sk) {
        const PGresult *res = sk->hze.res;
        struct plot p = {.left = 70, .top = 16, .width = 880, .height = 440};
        double xmax = 0, ymax = 0;
        for (int i = 0; i < PQntuples(res); i++) {
                const char *x, *y;
                if (point_of(res, i, &x, &y)) {
                        xmax = max2(xmax, strtod(x, NULL));
                        ymax = max2(ymax, strtod(y, NULL));
                }
        }
        p.xmax = nice_ceiling(xmax);
        p.ymax = nice_ceiling(ymax);
        fprintf(o, "<svg class=\"streu\" id=\"streuung-bild\" viewBox=\"0 0 1000 520\" role=\"img\" "
                   "aria-label=\"Eckwert und SGB-II-Quote je Sozialraum\" data-left=\"%g\" data-top=\"%g\" "
                   "data-width=\"%g\" data-height=\"%g\" data-x-max=\"%g\" data-y-max=\"%g\">\n",
                p.left, p.top, p.width, p.height, p.xmax, p.ymax);
        scatter_axes(o, &p);
        for (int i = 0; i < PQntuples(res); i++) {
                const char *x, *y;
                if (!point_of(res, i, &x, &y))
                        continue;
                double cx = px(&p, strtod(x, NULL)), cy = py(&p, strtod(y, NULL));
                if (sk_is_total(res, i)) {      /* the Jugendamt: reference lines, the quadrants */
                        fprintf(o, "<g class=\"jugendamt\" data-eckwert=\"%s\" data-sgb2=\"%s\">"
                                   "<line class=\"bezug\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                                   "<line class=\"bezug\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">Jugendamt</text></g>\n",
                                y, x, p.left, cy, p.left + p.width, cy, cx, p.top, cx, p.top + p.height,
                                p.left + p.width - 4, cy - 4);
                        continue;
                }
                fputs("<g class=\"punkt\" data-sozialraum=\"", o);
                html_escape(o, sk_text(res, i, "sozialraum"));
                fprintf(o, "\" data-eckwert=\"%s\" data-sgb2=\"%s\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\">",
                        y, x, cx, cy, cx + 9, cy + 4);
                html_escape(o, sk_text(res, i, "sozialraum"));
                fputs("</text></g>\n", o);
        }
        fputs("</svg>\n", o);
}

/* The Sozialräume the chart cannot place, and why. */
static void scatter_missing(FILE *o, const struct strategiekarte *sk) {
        const PGresult *res = sk->hze.res;
        bool any = false;
        for (int i = 0; i < PQntuples(res); i++) {
                const char *x, *y;
                if (sk_is_total(res, i) || point_of(res, i, &x, &y))
                        continue;
                fputs(any ? "; " : "<p class=\"hinweis\" id=\"nicht-dargestellt\">Nicht dargestellt: ", o);
                any = true;
                html_escape(o, sk_text(res, i, "sozialraum"));
                fprintf(o, " (%s)", !*y && strcmp(sk_text(res, i, "eckwert_gesperrt"), "t") == 0 ? "Eckwert gesperrt"
                                    : !*y                                                     ? "kein Eckwert"
                                                                                              : "keine SGB-II-Quote");
        }
        if (any)
                fputs(".</p>\n", o);
}

/* ---- the small multiples ---- */

static double verlauf_max(const struct strategiekarte *sk) {
        double m = 0;
        for (int j = 0; j < PQntuples(sk->verlauf); j++) {
                const char *v = sk_text(sk->verlauf, j, "eckwert");
                if (*v)
                        m = max2(m, strtod(v, NULL));
        }
        return nice_ceiling(m);
}

/* One Sozialraum's (row i of the year's table) Eckwert over the five years. */
static void multiple(FILE *o, const struct strategiekarte *sk, int i, const struct plot *p) {
        const PGresult *h = sk->hze.res;
        const char *values[5] = {0};
        bool suppressed[5] = {0};
        for (int j = 0; j < PQntuples(sk->verlauf); j++) {
                int k = atoi(sk_text(sk->verlauf, j, "berichtsjahr")) - (sk->year - 4);
                if (k < 0 || k > 4 || sk_is_total(sk->verlauf, j) != sk_is_total(h, i) ||
                    strcmp(sk_text(sk->verlauf, j, "sozialraum"), sk_text(h, i, "sozialraum")) != 0)
                        continue;
                const char *v = sk_text(sk->verlauf, j, "eckwert");
                values[k] = *v ? v : NULL;
                suppressed[k] = strcmp(sk_text(sk->verlauf, j, "eckwert_gesperrt"), "t") == 0;
        }
        fprintf(o, "<figure class=\"klein\" data-ebene=\"%s\" data-sozialraum=\"", sk_is_total(h, i) ? "Jugendamt"
                                                                                                  : "Sozialraum");
        html_escape(o, sk_text(h, i, "sozialraum"));
        fputs("\"><figcaption>", o);
        html_escape(o, sk_is_total(h, i) ? "Jugendamt insgesamt" : sk_text(h, i, "sozialraum"));
        fprintf(o, "</figcaption>\n<svg viewBox=\"0 0 200 120\" role=\"img\" data-y-max=\"%g\">", p->ymax);
        fprintf(o, "<line class=\"achse\" x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\"/>", p->left, py(p, 0),
                p->left + p->width, py(p, 0));
        fprintf(o, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">", p->left - 3, py(p, p->ymax) + 4);
        text_de(o, p->ymax);
        fprintf(o, "</text><text x=\"%g\" y=\"%g\" text-anchor=\"end\">0</text>", p->left - 3, py(p, 0) + 3);
        /* a line between two neighbouring years that both have a figure: a missing year is a gap */
        for (int k = 0; k + 1 < 5; k++)
                if (values[k] && values[k + 1])
                        fprintf(o, "<line class=\"linie\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                                p->left + p->width * k / 4.0, py(p, strtod(values[k], NULL)),
                                p->left + p->width * (k + 1) / 4.0, py(p, strtod(values[k + 1], NULL)));
        for (int k = 0; k < 5; k++) {
                double x = p->left + p->width * k / 4.0;
                fprintf(o, "<text x=\"%.1f\" y=\"116\" text-anchor=\"middle\">%d</text>", x, sk->year - 4 + k);
                char buf[80];
                if (values[k] && sk_format_de(values[k], SK_DEC1, buf) == 0)
                        fprintf(o, "<g class=\"punkt\" data-jahr=\"%d\" data-eckwert=\"%s\"><circle cx=\"%.1f\" "
                                   "cy=\"%.1f\" r=\"3\"/><title>%d: %s</title></g>",
                                sk->year - 4 + k, values[k], x, py(p, strtod(values[k], NULL)), sk->year - 4 + k, buf);
                else if (suppressed[k])
                        fprintf(o, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\" class=\"gesperrt\" data-jahr=\"%d\" "
                                   "data-gesperrt=\"1\">·</text>", x, py(p, 0) - 4, sk->year - 4 + k);
        }
        char buf[80];
        if (values[4] && sk_format_de(values[4], SK_DEC1, buf) == 0)
                fprintf(o, "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\" class=\"wert\">%s</text>",
                        p->left + p->width, py(p, strtod(values[4], NULL)) - 6, buf);
        fputs("</svg></figure>\n", o);
}

static void multiples(FILE *o, const struct strategiekarte *sk) {
        struct plot p = {.left = 34, .top = 14, .width = 150, .height = 84, .xmax = 1, .ymax = verlauf_max(sk)};
        fputs("<div class=\"klein-raster\">\n", o);
        for (int i = 0; i < PQntuples(sk->hze.res); i++)
                multiple(o, sk, i, &p);
        fputs("</div>\n", o);
}

/* ---- pages ---- */

static bool has_rows(const struct sk_table *t) {
        return t->res && PQntuples(t->res) > 0;
}

static void contents(FILE *o, const struct strategiekarte *sk) {
        fputs("<ul class=\"inhalt\" id=\"inhalt\">\n"
              "<li><a href=\"#streuung\">Eckwert und SGB-II-Quote</a></li>\n"
              "<li><a href=\"#verlauf\">Eckwert der letzten fünf Jahre je Sozialraum</a></li>\n",
              o);
        if (has_rows(&sk->w8a) || has_rows(&sk->w42))
                fputs("<li><a href=\"#waechteramt\">Wächteramt (§ 8a, § 42 SGB VIII)</a></li>\n", o);
        else if (!sk->w8a.exists && !sk->w42.exists)
                fputs("<li id=\"ohne-waechteramt\">Keine Seite Wächteramt: Daten zu § 8a und § 42 SGB VIII sind nicht "
                      "geladen.</li>\n", o);
        else
                fprintf(o, "<li id=\"ohne-waechteramt\">Keine Seite Wächteramt: für %d gibt es keine Daten zu § 8a und "
                           "§ 42 SGB VIII für dieses Jugendamt.</li>\n", sk->year);
        fputs("<li><a href=\"#datenqualitaet\">Datenqualität</a></li>\n</ul>\n", o);
}

static void page_hze(FILE *o, const struct strategiekarte *sk) {
        page_begin(o, sk, "hze", NULL);
        fprintf(o, "<h1>Strategiekarte Hilfen zur Erziehung %d</h1>\n<p>Jugendamt %s. Für den "
                   "Jugendhilfeausschuss: Inanspruchnahme, Hilfeformen und Sozialstruktur je Sozialraum.</p>\n",
                sk->year, sk->unit);
        contents(o, sk);
        fputs("<h2>Hilfen zur Erziehung je Sozialraum</h2>\n", o);
        table(o, &sk->hze);
        fputs(footnote_suppressed, o);
        fputs("<p class=\"hinweis\">Fallzahl: am 31.12. andauernde und im Jahr beendete Hilfen. Eckwert: Fallzahl "
              "je 10.000 Einwohner unter 21 Jahren. Anteile ambulant und Vollzeitpflege: an der Fallzahl; "
              "planmäßig beendet: an den beendeten Hilfen. Definitionen: rules/README.md.</p>\n",
              o);
        population_note(o, sk);
        size_note(o, sk);
        page_end(o);
}

static void page_scatter(FILE *o, const struct strategiekarte *sk) {
        page_begin(o, sk, "streuung", "Eckwert und SGB-II-Quote je Sozialraum");
        fputs("<p class=\"hinweis\">Je Punkt ein Sozialraum; die gestrichelten Linien zeigen das Jugendamt "
              "insgesamt. Sozialräume rechts oben: hohe Inanspruchnahme bei hoher Armutsquote; links oben: hohe "
              "Inanspruchnahme bei niedriger Armutsquote.</p>\n",
              o);
        scatter(o, sk);
        scatter_missing(o, sk);
        page_end(o);
}

static void page_verlauf(FILE *o, const struct strategiekarte *sk) {
        page_begin(o, sk, "verlauf", "Eckwert der letzten fünf Berichtsjahre je Sozialraum");
        fprintf(o, "<p class=\"hinweis\">Eckwert je 10.000 Einwohner unter 21, %d bis %d, gleicher Maßstab in allen "
                   "Bildern. Fehlende Jahre bleiben Lücken; · = gesperrt (weniger als 3 junge Menschen).</p>\n",
                sk->year - 4, sk->year);
        multiples(o, sk);
        page_end(o);
}

static void page_waechteramt(FILE *o, const struct strategiekarte *sk) {
        if (!has_rows(&sk->w8a) && !has_rows(&sk->w42))
                return;
        page_begin(o, sk, "waechteramt", "Wächteramt: Gefährdungseinschätzungen und Inobhutnahmen");
        fputs("<h3>Gefährdungseinschätzungen nach § 8a SGB VIII</h3>\n", o);
        if (has_rows(&sk->w8a))
                table(o, &sk->w8a);
        else
                fprintf(o, "<p class=\"hinweis\">Keine Daten zu § 8a für %d.</p>\n", sk->year);
        fputs("<h3>Inobhutnahmen nach § 42 SGB VIII</h3>\n", o);
        if (has_rows(&sk->w42))
                table(o, &sk->w42);
        else
                fprintf(o, "<p class=\"hinweis\">Keine Daten zu § 42 für %d.</p>\n", sk->year);
        fputs(footnote_suppressed, o);
        page_end(o);
}

static void page_quality(FILE *o, const struct strategiekarte *sk) {
        page_begin(o, sk, "datenqualitaet", "Datenqualität der Hilfen zur Erziehung");
        fputs("<p class=\"hinweis\">Wie verlässlich die Zahlen dieser Karte sind: gelieferte Datensätze je "
              "Sozialraum, davon abgewiesen und mit Warnungen; „ohne Zuordnung“: Datensätze ohne Sozialraum.</p>\n"
              "<h3>Datensätze und Befunde</h3>\n",
              o);
        if (has_rows(&sk->dq))
                table(o, &sk->dq);
        else if (!sk->dq.exists)
                fputs("<p class=\"hinweis\" id=\"ohne-datenqualitaet\">Die Sicht v_hze_datenqualitaet_sozialraum fehlt "
                      "in der Datenbank: die abgewiesenen Datensätze je Sozialraum können nicht gezeigt werden.</p>\n",
                      o);
        else
                fprintf(o, "<p class=\"hinweis\">Keine Datensätze für %d.</p>\n", sk->year);
        fputs("<h3>Unbekannte Angaben zur Familie (Anteil der geladenen Datensätze)</h3>\n", o);
        if (has_rows(&sk->unbekannt))
                table(o, &sk->unbekannt);
        else
                fprintf(o, "<p class=\"hinweis\">Keine geladenen Datensätze für %d.</p>\n", sk->year);
        fputs("<p class=\"fussnote\">Die Zahlen dieser Seite zählen Datensätze, nicht junge Menschen. · = gesperrt, "
              "weil die Fallzahl des Sozialraums auf Seite 1 gesperrt ist (weniger als 3 junge Menschen, "
              "Geheimhaltung); – = nicht verfügbar.</p>\n",
              o);
        page_end(o);
}

int sk_render_html(FILE *o, const struct strategiekarte *sk) {
        fprintf(o, "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"generator\" content=\"plausid " PLAUSID_VERSION "\">\n"
                   "<title>Strategiekarte Hilfen zur Erziehung %d – Jugendamt %s</title>\n",
                sk->year, sk->unit);
        style(o);
        fputs("</head>\n<body>\n", o);
        page_hze(o, sk);
        page_scatter(o, sk);
        page_verlauf(o, sk);
        page_waechteramt(o, sk);
        page_quality(o, sk);
        fputs("<footer>Erstellt von plausid " PLAUSID_VERSION " am ", o);
        html_time(o, sk->now);
        fputs(". Alle Zahlen aus den Sichten der Datenbank (v_strategiekarte_hze, v_strategiekarte_8a, "
              "v_strategiekarte_42, v_hze_datenqualitaet_sozialraum, v_hze_unbekannt).</footer>\n</body>\n</html>\n",
              o);
        return ferror(o) ? -EIO : 0;
}
