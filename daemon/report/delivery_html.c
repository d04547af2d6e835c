/*
 * The delivery report as HTML (htmlreport_render, htmlreport_write): one German page from
 * what the collector gathered (collector.h) -- the header, the summary with its cards and
 * bar, the findings per rule with a bar chart, the findings about the whole file, per
 * field, per group, and the rejected records with their findings and original text.
 * Inline CSS and inline SVG only (html.h), so that the page works offline, from a mail
 * attachment or a file share, and prints on A4.
 *
 * Everything that comes from an export, the pack or the database goes through
 * html_escape; what is written literally here is markup.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "collector.h"
#include "html.h"

/* Rules shown in the bar chart; the table lists them all. */
#define CHART_MAX_RULES 30

static bool given(const char *s) {
        return s && *s;
}

static const char *severity_label(enum severity s) {
        switch (s) {
        case SEVERITY_ERROR: return "Fehler";
        case SEVERITY_WARNING: return "Warnung";
        case SEVERITY_FILE: return "Datei";
        }
        return "?";
}

static void severity_badge(FILE *o, enum severity s) {
        fprintf(o, "<span class=\"sev sev-%s\">%s</span>", severity_name(s), severity_label(s));
}

/* One entry of the header's list, when there is something to say. */
static void meta_text(FILE *o, const char *label, const char *s) {
        if (!given(s))
                return;
        fprintf(o, "<dt>%s</dt><dd>", label);
        html_escape(o, s);
        fputs("</dd>\n", o);
}

static void meta_time(FILE *o, const char *label, time_t t) {
        if (!t)
                return;
        fprintf(o, "<dt>%s</dt><dd>", label);
        html_time(o, t);
        fputs("</dd>\n", o);
}

/* " Text: <a href="x.csv">x.csv</a>." -- the findings CSV beside the report. */
static void csv_link(FILE *o, const struct htmlreport *r, const char *text) {
        if (!r->head.csv_name)
                return;
        fputs(text, o);
        fputs("<a href=\"", o);
        html_escape(o, r->head.csv_name);
        fputs("\">", o);
        html_escape(o, r->head.csv_name);
        fputs("</a>.", o);
}

static void header(FILE *o, const struct htmlreport *r, time_t now) {
        const struct htmlreport_header *h = &r->head;
        html_begin(o, "Prüfbericht ", h->file);
        fputs("<header>\n<h1>Prüfbericht: ", o);
        html_escape(o, h->file);
        fputs("</h1>\n<dl class=\"meta\">\n<dt>Datei</dt><dd>", o);
        html_escape(o, h->file);
        fputs("</dd>\n", o);
        meta_text(o, "Quelle", h->source);
        if (h->delivery_id > 0)
                fprintf(o, "<dt>Lieferung</dt><dd>Nr. %lld</dd>\n", h->delivery_id);
        meta_time(o, "Eingegangen", h->received);
        meta_time(o, "Verarbeitet", h->loaded_at);
        if (given(h->sha256)) {
                fputs("<dt>SHA-256</dt><dd class=\"mono\">", o);
                html_escape(o, h->sha256);
                fputs("</dd>\n", o);
        }
        fputs("<dt>Regelwerk</dt><dd>", o);
        html_escape(o, h->rules_name);
        fputs(" ", o);
        html_escape(o, h->rules_version);
        fputs("</dd>\n", o);
        meta_text(o, "Zeichenkodierung", h->encoding);
        meta_time(o, "Bericht erstellt", now);
        fputs("</dl>\n</header>\n", o);
}

static void verdict(FILE *o, const struct htmlreport_summary *s) {
        const char *cls, *what;
        switch (s->verdict) {
        case HTMLREPORT_LOADED:
                cls = "v-ok";
                what = "Geladen";
                break;
        case HTMLREPORT_REJECTED:
                cls = "v-bad";
                what = "Als Ganzes abgewiesen";
                break;
        case HTMLREPORT_DUPLICATE:
                cls = "v-info";
                what = "Doppelte Lieferung, nicht erneut geladen";
                break;
        case HTMLREPORT_SUPERSEDED:
                cls = "v-info";
                what = "Geladen, inzwischen durch eine neuere Lieferung ersetzt";
                break;
        case HTMLREPORT_CHECKED:
        default:
                cls = s->rejected ? "v-bad" : "v-ok";
                what = "Geprüft, nicht geladen (plausid check)";
                break;
        }
        fprintf(o, "<p class=\"verdict %s\" id=\"ergebnis\">%s", cls, what);
        if (given(s->reason)) {
                fputs(": ", o);
                html_escape(o, s->reason);
        } else if (s->verdict == HTMLREPORT_CHECKED) {
                fputs(": ", o);
                html_num(o, s->rejected);
                fputs(" von ", o);
                html_num(o, s->records);
                fputs(s->rejected == 1 ? " Datensatz hat Fehler und würde abgewiesen." :
                                         " Datensätzen haben Fehler und würden abgewiesen.", o);
        } else
                fputs(".", o);
        fputs("</p>\n", o);
}

static void card(FILE *o, const char *id, const char *label, bool known, unsigned long n, unsigned long of) {
        fprintf(o, "<div class=\"card\" id=\"%s\"><span class=\"num\">", id);
        if (known)
                html_num(o, n);
        else
                fputs("–", o);
        fputs("</span><span class=\"lbl\">", o);
        fputs(label, o);
        if (known && of) {
                fputs(" (", o);
                html_pct(o, n, of);
                fputs(")", o);
        }
        fputs("</span></div>\n", o);
}

/* A bar split into clean, warned and rejected records. */
static void summary_bar(FILE *o, const struct htmlreport_summary *s) {
        if (s->records == 0)
                return;
        unsigned long rejected = s->rejected > s->records ? s->records : s->rejected;
        unsigned long warned = s->warned > s->records - rejected ? s->records - rejected : s->warned;
        unsigned long clean = s->records - rejected - warned;
        const int width = 760;
        double scale = (double) width / (double) s->records;
        int wc = (int) (clean * scale), ww = (int) (warned * scale);
        int wr = width - wc - ww;
        fprintf(o,
                "<svg class=\"chart\" viewBox=\"0 0 %d 22\" width=\"%d\" height=\"22\" role=\"img\" "
                "aria-label=\"Anteile der Datensätze\">"
                "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"22\" class=\"bar-ok\"><title>ohne Befund: ",
                width, width, wc);
        html_num(o, clean);
        fprintf(o, "</title></rect><rect x=\"%d\" y=\"0\" width=\"%d\" height=\"22\" class=\"bar-warning\"><title>"
                   "mit Warnungen: ",
                wc, ww);
        html_num(o, warned);
        fprintf(o, "</title></rect><rect x=\"%d\" y=\"0\" width=\"%d\" height=\"22\" class=\"bar-error\"><title>"
                   "abgewiesen: ",
                wc + ww, wr);
        html_num(o, rejected);
        fputs("</title></rect></svg>\n<p class=\"legend\"><span class=\"key bar-ok\"></span> ohne Befund "
              "<span class=\"key bar-warning\"></span> mit Warnungen "
              "<span class=\"key bar-error\"></span> abgewiesen</p>\n",
              o);
}

static void summary(FILE *o, const struct htmlreport *r) {
        const struct htmlreport_summary *s = &r->sum;
        fputs("<section id=\"zusammenfassung\">\n<h2>Zusammenfassung</h2>\n", o);
        verdict(o, s);
        fputs("<div class=\"cards\">\n", o);
        bool loaded_known = s->verdict != HTMLREPORT_CHECKED;
        card(o, "anzahl-gelesen", "Datensätze gelesen", true, s->records, 0);
        card(o, "anzahl-geladen", loaded_known ? "geladen" : "geladen (nur geprüft)", loaded_known, s->loaded,
             s->records);
        card(o, "anzahl-abgewiesen", "abgewiesen", true, s->rejected, s->records);
        card(o, "anzahl-warnungen", "mit Warnungen", true, s->warned, s->records);
        fputs("</div>\n", o);
        summary_bar(o, s);
        unsigned long errors = 0, warnings = 0, file = 0;
        for (size_t i = 0; i < r->nrules; i++) {
                if (r->rules[i].severity == SEVERITY_ERROR)
                        errors += r->rules[i].findings;
                else if (r->rules[i].severity == SEVERITY_WARNING)
                        warnings += r->rules[i].findings;
                else
                        file += r->rules[i].findings;
        }
        fputs("<p id=\"befunde-insgesamt\">Befunde insgesamt: <b>", o);
        html_num(o, r->nfindings);
        fputs("</b> (Fehler: ", o);
        html_num(o, errors);
        fputs(", Warnungen: ", o);
        html_num(o, warnings);
        fputs(", Datei: ", o);
        html_num(o, file);
        fputs(").", o);
        csv_link(o, r, " Alle Befunde als Tabelle für Excel: ");
        fputs("</p>\n</section>\n", o);
}

static void bar_chart(FILE *o, const struct htmlreport_rule *rules, size_t n) {
        size_t shown = n < CHART_MAX_RULES ? n : CHART_MAX_RULES;
        unsigned long max = 1;
        for (size_t i = 0; i < shown; i++)
                if (rules[i].findings > max)
                        max = rules[i].findings;
        const int row = 24, top = 6, left = 70, width = 760, bar_max = width - left - 80;
        int height = top * 2 + row * (int) shown;
        fprintf(o,
                "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                "aria-labelledby=\"chart-regeln-titel\"><title id=\"chart-regeln-titel\">Befunde nach Regel</title>\n",
                width, height, width, height);
        for (size_t i = 0; i < shown; i++) {
                const struct htmlreport_rule *ru = &rules[i];
                int y = top + row * (int) i;
                int w = (int) ((double) ru->findings / (double) max * bar_max);
                if (w < 2)
                        w = 2;
                fprintf(o, "<g><text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lab\">", left - 8, y + 16);
                html_escape(o, ru->id);
                fprintf(o, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" rx=\"2\" class=\"bar-%s\">"
                           "<title>",
                        left, y + 4, w, severity_name(ru->severity));
                html_escape(o, ru->id);
                fputs(": ", o);
                html_num(o, ru->findings);
                fputs(" Befunde</title></rect>", o);
                fprintf(o, "<text x=\"%d\" y=\"%d\" class=\"val\">", left + w + 6, y + 16);
                html_num(o, ru->findings);
                fputs("</text></g>\n", o);
        }
        fputs("</svg>\n", o);
        if (shown < n)
                fprintf(o, "<p class=\"muted\">Das Diagramm zeigt die %zu häufigsten von %zu Regeln.</p>\n", shown, n);
}

static void rules_section(FILE *o, const struct htmlreport *r) {
        fputs("<section id=\"regeln\">\n<h2>Befunde nach Regel</h2>\n", o);
        if (r->nrules == 0) {
                fputs("<p>Keine Befunde.</p>\n</section>\n", o);
                return;
        }
        bar_chart(o, r->rules, r->nrules);
        html_table_begin(o, "<th>Regel</th><th>Schwere</th><th>Beschreibung</th><th class=\"n\">Befunde</th>"
                            "<th class=\"n\">Datensätze</th><th class=\"n\">Anteil</th>");
        for (size_t i = 0; i < r->nrules; i++) {
                const struct htmlreport_rule *ru = &r->rules[i];
                fputs("<tr>", o);
                html_td_text(o, "id", ru->id);
                fputs("<td>", o);
                severity_badge(o, ru->severity);
                fputs("</td>", o);
                html_td_text(o, NULL, ru->title);
                html_td_num(o, ru->findings);
                if (ru->records) {
                        html_td_num(o, ru->records);
                        html_td_pct(o, ru->records, r->sum.records);
                } else
                        fputs("<td class=\"n\">Datei</td><td class=\"n\">–</td>", o);
                fputs("</tr>\n", o);
        }
        html_table_end(o);
        fputs("<p class=\"muted\">Anteil: betroffene Datensätze an allen gelesenen Datensätzen.</p>\n</section>\n", o);
}

/* A finding's field and value, after its message. */
static void finding_detail(FILE *o, const struct finding *f) {
        if (!*f->field)
                return;
        fputs(" <span class=\"muted\">(Feld ", o);
        html_escape(o, f->field);
        if (*f->value) {
                fputs(": „", o);
                html_escape(o, f->value);
                fputs("“", o);
        }
        fputs(")</span>", o);
}

static void file_section(FILE *o, const struct htmlreport *r) {
        fputs("<section id=\"dateibefunde\">\n<h2>Befunde zur ganzen Datei</h2>\n", o);
        if (!r->file_findings) {
                fputs("<p>Keine.</p>\n</section>\n", o);
                return;
        }
        html_table_begin(o, "<th>Regel</th><th>Schwere</th><th>Meldung</th>");
        for (const struct htmlreport_finding *hf = r->file_findings; hf; hf = hf->next) {
                fputs("<tr>", o);
                html_td_text(o, "id", hf->f.rule_id);
                fputs("<td>", o);
                severity_badge(o, hf->f.severity);
                fputs("</td><td>", o);
                html_escape(o, hf->f.message);
                finding_detail(o, &hf->f);
                fputs("</td></tr>\n", o);
        }
        html_table_end(o);
        fputs("</section>\n", o);
}

/* A name in the first cell of a row, or a muted remark when there is none. */
static void first_cell(FILE *o, const char *cls, const char *name, const char *none) {
        if (cls)
                fprintf(o, "<tr><td class=\"%s\">", cls);
        else
                fputs("<tr><td>", o);
        if (*name)
                html_escape(o, name);
        else
                fprintf(o, "<span class=\"muted\">%s</span>", none);
        fputs("</td>", o);
}

static void fields_section(FILE *o, const struct htmlreport *r) {
        if (r->nfields == 0)
                return;
        fputs("<section id=\"felder\">\n<h2>Befunde nach Feld</h2>\n", o);
        html_table_begin(o, "<th>Feld</th><th>Bezeichnung</th><th class=\"n\">Fehler</th><th class=\"n\">Warnungen</th>"
                            "<th class=\"n\">Datei</th><th class=\"n\">zusammen</th>");
        for (size_t i = 0; i < r->nfields; i++) {
                const struct htmlreport_field *fd = &r->fields[i];
                first_cell(o, "id", fd->name, "(kein Feld)");
                html_td_text(o, NULL, fd->label);
                html_td_num(o, fd->errors);
                html_td_num(o, fd->warnings);
                html_td_num(o, fd->file);
                html_td_num(o, fd->errors + fd->warnings + fd->file);
                fputs("</tr>\n", o);
        }
        html_table_end(o);
        fputs("</section>\n", o);
}

/* Per value of the pack's group field, named by the field's label. Records without a
 * value (an empty field; the store reads NULL as empty) form the group "ohne Zuordnung",
 * the name the views give the records that neither have a Sozialraum of their own nor one
 * through the mapping (rules/hze.views.sql). The report does not use the mapping: it is
 * about the delivered file, and a mapping may arrive later or be corrected. */
static void groups_section(FILE *o, const struct htmlreport *r) {
        if (!r->group_label)
                return;
        fputs("<section id=\"gruppen\">\n<h2>Nach ", o);
        html_escape(o, r->group_label);
        fputs("</h2>\n", o);
        if (r->group_note) {
                fputs("<p class=\"muted\">", o);
                html_escape(o, r->group_note);
                fputs("</p>\n", o);
        }
        if (r->ngroups == 0) {
                fputs("<p>Keine Datensätze mit Angabe zu „", o);
                html_escape(o, r->group_label);
                fputs("“.</p>\n</section>\n", o);
                return;
        }
        fputs("<table>\n<thead><tr><th>", o);
        html_escape(o, r->group_label);
        fputs("</th><th class=\"n\">Datensätze</th><th class=\"n\">abgewiesen</th><th class=\"n\">Anteil</th>"
              "<th class=\"n\">mit Warnungen</th><th class=\"n\">Befunde</th></tr></thead>\n<tbody>\n",
              o);
        for (size_t i = 0; i < r->ngroups; i++) {
                const struct htmlreport_group *g = &r->groups[i];
                first_cell(o, NULL, g->name, "ohne Zuordnung");
                html_td_num(o, g->records);
                html_td_num(o, g->rejected);
                html_td_pct(o, g->rejected, g->records);
                html_td_num(o, g->warned);
                html_td_num(o, g->findings);
                fputs("</tr>\n", o);
        }
        html_table_end(o);
        fputs("</section>\n", o);
}

/* How many rejected records follow, of how many. */
static void records_intro(FILE *o, const struct htmlreport *r, unsigned long total) {
        fputs("<p id=\"abgewiesen-anzahl\">", o);
        if (r->nrecs < total) {
                if (r->nrecs == 1)
                        fputs("Gezeigt wird der erste", o);
                else {
                        fputs("Gezeigt werden die ersten ", o);
                        html_num(o, r->nrecs);
                }
                fputs(" von ", o);
                html_num(o, total);
                fputs(" abgewiesenen Datensätzen", o);
        } else {
                fputs("Alle ", o);
                html_num(o, total);
                fputs(" abgewiesenen Datensätze", o);
        }
        fputs(", jeweils mit allen Befunden und dem Originaltext zur Korrektur im Fachverfahren.", o);
        csv_link(o, r, " Sämtliche Befunde: ");
        fputs("</p>\n", o);
}

static void record_article(FILE *o, const struct htmlreport_record *rec) {
        fprintf(o, "<article class=\"rec\" id=\"zeile-%lu\">\n<h3>Zeile %lu", rec->line, rec->line);
        if (given(rec->key)) {
                fputs(" · Schlüssel <span class=\"mono\">", o);
                html_escape(o, rec->key);
                fputs("</span>", o);
        }
        fputs("</h3>\n<ul>\n", o);
        for (const struct htmlreport_finding *hf = rec->findings; hf; hf = hf->next) {
                fputs("<li>", o);
                severity_badge(o, hf->f.severity);
                fputs(" <b>", o);
                html_escape(o, hf->f.rule_id);
                fputs("</b> ", o);
                html_escape(o, hf->f.message);
                finding_detail(o, &hf->f);
                fputs("</li>\n", o);
        }
        fputs("</ul>\n", o);
        if (rec->raw) {
                fputs("<pre class=\"raw\">", o);
                html_escape(o, rec->raw);
                fputs("</pre>\n", o);
        } else
                fputs("<p class=\"muted\">Originaltext nicht verfügbar.</p>\n", o);
        fputs("</article>\n", o);
}

static void records_section(FILE *o, const struct htmlreport *r) {
        fputs("<section id=\"abgewiesen\">\n<h2>Abgewiesene Datensätze</h2>\n", o);
        if (r->sum.rejected == 0 && r->nrecs == 0) {
                fputs("<p>Keine abgewiesenen Datensätze.</p>\n</section>\n", o);
                return;
        }
        records_intro(o, r, r->sum.rejected > r->nrecs ? r->sum.rejected : r->nrecs);
        for (size_t i = 0; i < r->nrecs; i++)
                record_article(o, &r->recs[i]);
        fputs("</section>\n", o);
}

int htmlreport_render(struct htmlreport *r, FILE *o) {
        int e = htmlreport_finish(r);
        if (e < 0)
                return e;
        time_t now = time(NULL);
        header(o, r, now);
        fputs("<main>\n", o);
        summary(o, r);
        rules_section(o, r);
        file_section(o, r);
        fields_section(o, r);
        groups_section(o, r);
        records_section(o, r);
        html_end(o, now);
        return ferror(o) ? -EIO : 0;
}

static int render(FILE *o, void *userdata) {
        return htmlreport_render(userdata, o);
}

int htmlreport_write(struct htmlreport *r, const char *path, int gid) {
        return html_write_file(path, gid, render, r);
}

char *htmlreport_csv_path(const char *html_path) {
        size_t n = strlen(html_path);
        if (n > 5 && strcasecmp(html_path + n - 5, ".html") == 0)
                n -= 5;
        else if (n > 4 && strcasecmp(html_path + n - 4, ".htm") == 0)
                n -= 4;
        char *p;
        if (asprintf(&p, "%.*s.csv", (int) n, html_path) < 0)
                return NULL;
        return p;
}
