/*
 * The HTML report of a delivery (see htmlreport.h): a collector that counts findings per
 * rule, field and Sozialraum and keeps the first rejected records with their findings and
 * text; a renderer that turns that into one German HTML page with inline CSS and inline
 * SVG, so that it works offline, from a mail attachment or a file share, and prints on
 * A4; and the safe creation of report files. The database side (a delivery's report and
 * the overview over time, filled from PostgreSQL) is in htmlreport_db.c.
 *
 * Everything that comes from an export or the database is escaped on the way out: a
 * caseworker's text is never markup. Memory: counters per rule, field and Sozialraum, the
 * kept records (max_records) and, when the data have a Sozialraum, 16 bytes per record so
 * that findings decided at the end of the file (overlaps) reach the right Sozialraum.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "htmlreport.h"
#include "htmlreport_html.h"

#ifndef PLAUSID_VERSION
#define PLAUSID_VERSION "0.1"
#endif

enum {
        FL_ERROR = 1,
        FL_WARNING = 2,
};

/* Where each checked record's Sozialraum went, in the order of the file (lines ascending). */
struct htmlreport_recgroup {
        unsigned long line;
        uint32_t group;
        uint8_t flags;
};

/* Rules shown in the bar chart; the table lists them all. */
#define CHART_MAX_RULES 30

/* Appends to a malloc'd array, doubling its capacity: 0 or -ENOMEM. */
#define GROW(arr, n, cap)                                                                  \
        ({                                                                                 \
                int _e = 0;                                                                \
                if ((n) >= (cap)) {                                                        \
                        size_t _c = (cap) ? (cap) * 2 : 16;                                \
                        __typeof__(arr) _p = reallocarray((arr), _c, sizeof(*(arr)));      \
                        if (_p) {                                                          \
                                (arr) = _p;                                                \
                                (cap) = _c;                                                \
                        } else                                                             \
                                _e = -ENOMEM;                                              \
                }                                                                          \
                _e;                                                                        \
        })

int htmlreport_new(unsigned max_records, struct htmlreport **ret) {
        struct htmlreport *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->arena = arena_new();
        if (!r->arena) {
                free(r);
                return -ENOMEM;
        }
        r->max_records = max_records ? max_records : HTMLREPORT_DEFAULT_MAX_RECORDS;
        r->file = r->source = r->sha256 = r->rules_name = r->rules_version = r->encoding = "";
        *ret = r;
        return 0;
}

static void pending_clear(struct htmlreport *r) {
        for (size_t i = 0; i < r->npending; i++) {
                struct finding *f = &r->pending[i];
                free((char *) f->key);
                free((char *) f->rule_id);
                free((char *) f->field);
                free((char *) f->value);
                free((char *) f->message);
        }
        r->npending = 0;
        r->pending_line = 0;
        r->pending_flags = 0;
}

void htmlreport_free(struct htmlreport *r) {
        if (!r)
                return;
        pending_clear(r);
        free(r->pending);
        free(r->rules);
        free(r->fields);
        free(r->groups);
        free(r->recs);
        free(r->recgroups);
        arena_free(r->arena);
        free(r);
}

int htmlreport_set(struct htmlreport *r, const char **field, const char *s) {
        if (!s) {
                *field = NULL;
                return 0;
        }
        char *c = arena_strdup(r->arena, s);
        if (!c)
                return -ENOMEM;
        *field = c;
        return 0;
}

/* ---- collecting ---- */

static struct htmlreport_rule *rule_for(struct htmlreport *r, const struct finding *f, const char *title) {
        for (size_t i = r->nrules; i-- > 0;)
                if (strcmp(r->rules[i].id, f->rule_id) == 0)
                        return &r->rules[i];
        if (GROW(r->rules, r->nrules, r->rules_cap) < 0)
                return NULL;
        struct htmlreport_rule *ru = &r->rules[r->nrules];
        *ru = (struct htmlreport_rule) {
                .id = arena_strdup(r->arena, f->rule_id),
                .title = arena_strdup(r->arena, title ? title : ""),
                .severity = f->severity,
        };
        if (!ru->id || !ru->title)
                return NULL;
        r->nrules++;
        return ru;
}

static struct htmlreport_field *field_for(struct htmlreport *r, const char *name, const char *label) {
        for (size_t i = r->nfields; i-- > 0;)
                if (strcmp(r->fields[i].name, name) == 0)
                        return &r->fields[i];
        if (GROW(r->fields, r->nfields, r->fields_cap) < 0)
                return NULL;
        struct htmlreport_field *fd = &r->fields[r->nfields];
        *fd = (struct htmlreport_field) {
                .name = arena_strdup(r->arena, name),
                .label = arena_strdup(r->arena, label ? label : ""),
        };
        if (!fd->name || !fd->label)
                return NULL;
        r->nfields++;
        return fd;
}

static int group_index(struct htmlreport *r, const char *name, size_t len, uint32_t *ret) {
        /* Exports come grouped more often than not: the last hit first. */
        static const size_t none = SIZE_MAX;
        size_t hit = none;
        if (r->nrecgroups > 0) {
                size_t g = r->recgroups[r->nrecgroups - 1].group;
                if (strlen(r->groups[g].name) == len && memcmp(r->groups[g].name, name, len) == 0)
                        hit = g;
        }
        for (size_t i = 0; hit == none && i < r->ngroups; i++)
                if (strlen(r->groups[i].name) == len && memcmp(r->groups[i].name, name, len) == 0)
                        hit = i;
        if (hit == none) {
                if (GROW(r->groups, r->ngroups, r->groups_cap) < 0)
                        return -ENOMEM;
                const char *n = arena_strndup(r->arena, name, len);
                if (!n)
                        return -ENOMEM;
                r->groups[r->ngroups] = (struct htmlreport_group) {.name = n};
                hit = r->ngroups++;
        }
        *ret = (uint32_t) hit;
        return 0;
}

static int copy_finding(struct htmlreport *r, const struct finding *f, struct htmlreport_finding **ret) {
        struct htmlreport_finding *hf = arena_alloc(r->arena, sizeof(*hf));
        if (!hf)
                return -ENOMEM;
        hf->f = *f;
        hf->f.key = arena_strdup(r->arena, f->key ? f->key : "");
        hf->f.rule_id = arena_strdup(r->arena, f->rule_id ? f->rule_id : "");
        hf->f.field = arena_strdup(r->arena, f->field ? f->field : "");
        hf->f.value = arena_strdup(r->arena, f->value ? f->value : "");
        hf->f.message = arena_strdup(r->arena, f->message ? f->message : "");
        if (!hf->f.key || !hf->f.rule_id || !hf->f.field || !hf->f.value || !hf->f.message)
                return -ENOMEM;
        *ret = hf;
        return 0;
}

static int record_append(struct htmlreport *r, struct htmlreport_record *rec, const struct finding *f) {
        struct htmlreport_finding *hf;
        int e = copy_finding(r, f, &hf);
        if (e < 0)
                return e;
        if (rec->last)
                rec->last->next = hf;
        else
                rec->findings = hf;
        rec->last = hf;
        if (f->severity == SEVERITY_ERROR)
                rec->rejected = true;
        return 0;
}

/* The record being checked is complete: kept when rejected and there is room. */
static int finish_pending(struct htmlreport *r, const char *raw, size_t raw_len) {
        int e = 0;
        if (r->npending > 0 && (r->pending_flags & FL_ERROR) && r->nrecs < r->max_records) {
                e = GROW(r->recs, r->nrecs, r->recs_cap);
                struct htmlreport_record *rec = e >= 0 ? &r->recs[r->nrecs] : NULL;
                if (rec) {
                        *rec = (struct htmlreport_record) {.line = r->pending_line};
                        rec->key = arena_strdup(r->arena, r->pending[0].key);
                        if (!rec->key)
                                e = -ENOMEM;
                        for (size_t i = 0; i < r->npending && e >= 0; i++)
                                e = record_append(r, rec, &r->pending[i]);
                        if (e >= 0 && raw && !(rec->raw = arena_strndup(r->arena, raw, raw_len)))
                                e = -ENOMEM;
                        if (e >= 0)
                                r->nrecs++;
                }
        }
        pending_clear(r);
        return e;
}

static struct htmlreport_record *find_record(struct htmlreport *r, unsigned long line) {
        for (size_t i = r->nrecs; i-- > 0;)
                if (r->recs[i].line == line)
                        return &r->recs[i];
        return NULL;
}

/* A finding about a record that was already complete (an overlap, decided at the end). */
static int late_finding(struct htmlreport *r, const struct finding *f) {
        if (r->has_groups && r->nrecgroups > 0) {
                size_t lo = 0, hi = r->nrecgroups;
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        if (r->recgroups[mid].line < f->line)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                if (lo < r->nrecgroups && r->recgroups[lo].line == f->line) {
                        struct htmlreport_recgroup *rg = &r->recgroups[lo];
                        struct htmlreport_group *g = &r->groups[rg->group];
                        g->findings++;
                        if (f->severity == SEVERITY_ERROR && !(rg->flags & FL_ERROR)) {
                                g->rejected++;
                                if (rg->flags & FL_WARNING)
                                        g->warned--;
                                rg->flags |= FL_ERROR;
                        } else if (f->severity == SEVERITY_WARNING && !rg->flags) {
                                g->warned++;
                                rg->flags |= FL_WARNING;
                        }
                }
        }
        struct htmlreport_record *rec = find_record(r, f->line);
        if (rec)
                return record_append(r, rec, f);
        if (f->severity != SEVERITY_ERROR || r->nrecs >= r->max_records)
                return 0;
        int e = GROW(r->recs, r->nrecs, r->recs_cap);
        if (e < 0)
                return e;
        rec = &r->recs[r->nrecs];
        *rec = (struct htmlreport_record) {.line = f->line, .key = arena_strdup(r->arena, f->key)};
        if (!rec->key)
                return -ENOMEM;
        e = record_append(r, rec, f);
        if (e >= 0)
                r->nrecs++;
        return e;
}

int htmlreport_add_finding(struct htmlreport *r, const struct finding *f, const char *title, const char *field_label) {
        r->nfindings++;
        struct htmlreport_rule *ru = rule_for(r, f, title);
        if (!ru)
                return -ENOMEM;
        ru->findings++;
        if (f->line > 0 && ru->last_line != f->line) {
                ru->records++;
                ru->last_line = f->line;
        }
        struct htmlreport_field *fd = field_for(r, f->field ? f->field : "", field_label);
        if (!fd)
                return -ENOMEM;
        if (f->severity == SEVERITY_ERROR)
                fd->errors++;
        else if (f->severity == SEVERITY_WARNING)
                fd->warnings++;
        else
                fd->file++;

        if (f->line == 0) {
                struct htmlreport_finding *hf;
                int e = copy_finding(r, f, &hf);
                if (e < 0)
                        return e;
                if (r->file_last)
                        r->file_last->next = hf;
                else
                        r->file_findings = hf;
                r->file_last = hf;
                r->nfile_findings++;
                return 0;
        }
        if (f->line != r->pending_line) {
                if (f->line < r->pending_line || f->line <= r->last_finished)
                        return late_finding(r, f);
                if (r->pending_line > r->last_finished)
                        r->last_finished = r->pending_line;
                int e = finish_pending(r, NULL, 0);
                if (e < 0)
                        return e;
                r->pending_line = f->line;
        }
        int e = GROW(r->pending, r->npending, r->pending_cap);
        if (e < 0)
                return e;
        struct finding *p = &r->pending[r->npending];
        *p = *f;
        p->key = strdup(f->key ? f->key : "");
        p->rule_id = strdup(f->rule_id ? f->rule_id : "");
        p->field = strdup(f->field ? f->field : "");
        p->value = strdup(f->value ? f->value : "");
        p->message = strdup(f->message ? f->message : "");
        r->npending++;
        if (!p->key || !p->rule_id || !p->field || !p->value || !p->message)
                return -ENOMEM;
        r->pending_flags |= f->severity == SEVERITY_ERROR ? FL_ERROR : FL_WARNING;
        return 0;
}

int htmlreport_add_record(struct htmlreport *r, unsigned long line, const char *group, size_t group_len,
                          const char *raw, size_t raw_len) {
        bool mine = r->pending_line == line && r->npending > 0;
        unsigned flags = mine ? r->pending_flags : 0;
        if (r->has_groups) {
                uint32_t g;
                int e = group_index(r, group ? group : "", group ? group_len : 0, &g);
                if (e < 0)
                        return e;
                struct htmlreport_group *gr = &r->groups[g];
                gr->records++;
                if (flags & FL_ERROR)
                        gr->rejected++;
                else if (flags & FL_WARNING)
                        gr->warned++;
                gr->findings += mine ? r->npending : 0;
                e = GROW(r->recgroups, r->nrecgroups, r->recgroups_cap);
                if (e < 0)
                        return e;
                r->recgroups[r->nrecgroups++] = (struct htmlreport_recgroup) {.line = line, .group = g,
                                                                               .flags = (uint8_t) flags};
        }
        if (line > r->last_finished)
                r->last_finished = line;
        if (!mine)
                return 0;
        return finish_pending(r, raw, raw_len);
}

int htmlreport_set_raw(struct htmlreport *r, unsigned long line, const char *raw, size_t len) {
        struct htmlreport_record *rec = find_record(r, line);
        if (!rec || rec->raw)
                return 0;
        rec->raw = arena_strndup(r->arena, raw, len);
        return rec->raw ? 0 : -ENOMEM;
}

static int cmp_ulong(const void *a, const void *b) {
        unsigned long x = *(const unsigned long *) a, y = *(const unsigned long *) b;
        return x < y ? -1 : x > y;
}

int htmlreport_missing_raw(struct htmlreport *r, unsigned long **ret, size_t *ret_n) {
        int e = finish_pending(r, NULL, 0);
        if (e < 0)
                return e;
        size_t n = 0;
        for (size_t i = 0; i < r->nrecs; i++)
                n += !r->recs[i].raw;
        unsigned long *lines = NULL;
        if (n > 0) {
                lines = calloc(n, sizeof(*lines));
                if (!lines)
                        return -ENOMEM;
                n = 0;
                for (size_t i = 0; i < r->nrecs; i++)
                        if (!r->recs[i].raw)
                                lines[n++] = r->recs[i].line;
                qsort(lines, n, sizeof(*lines), cmp_ulong);
        }
        *ret = lines;
        *ret_n = n;
        return 0;
}

int htmlreport_add_group(struct htmlreport *r, const char *name, unsigned long records, unsigned long rejected,
                         unsigned long warned, unsigned long findings) {
        int e = GROW(r->groups, r->ngroups, r->groups_cap);
        if (e < 0)
                return e;
        const char *n = arena_strdup(r->arena, name ? name : "");
        if (!n)
                return -ENOMEM;
        r->groups[r->ngroups++] = (struct htmlreport_group) {
                .name = n, .records = records, .rejected = rejected, .warned = warned, .findings = findings};
        r->has_groups = true;
        return 0;
}

/* ---- rendering ---- */

static const char *severity_label(enum severity s) {
        switch (s) {
        case SEVERITY_ERROR: return "Fehler";
        case SEVERITY_WARNING: return "Warnung";
        case SEVERITY_FILE: return "Datei";
        }
        return "?";
}

static int cmp_rule(const void *a, const void *b) {
        const struct htmlreport_rule *x = a, *y = b;
        if (x->findings != y->findings)
                return x->findings > y->findings ? -1 : 1;
        return strcmp(x->id, y->id);
}

static int cmp_field(const void *a, const void *b) {
        const struct htmlreport_field *x = a, *y = b;
        unsigned long nx = x->errors + x->warnings + x->file, ny = y->errors + y->warnings + y->file;
        if (nx != ny)
                return nx > ny ? -1 : 1;
        return strcmp(x->name, y->name);
}

static int cmp_group(const void *a, const void *b) {
        const struct htmlreport_group *x = a, *y = b;
        /* "no Sozialraum given" last */
        if (!*x->name != !*y->name)
                return *x->name ? -1 : 1;
        return strcoll(x->name, y->name);
}

static int cmp_record(const void *a, const void *b) {
        const struct htmlreport_record *x = a, *y = b;
        return x->line < y->line ? -1 : x->line > y->line;
}

static void severity_badge(FILE *o, enum severity s) {
        fprintf(o, "<span class=\"sev sev-%s\">%s</span>", severity_name(s), severity_label(s));
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

/* A bar split into loaded-clean, warned and rejected records. */
static void summary_bar(FILE *o, const struct htmlreport *r) {
        if (r->records == 0)
                return;
        unsigned long rejected = r->rejected > r->records ? r->records : r->rejected;
        unsigned long warned = r->warned > r->records - rejected ? r->records - rejected : r->warned;
        unsigned long clean = r->records - rejected - warned;
        const int width = 760;
        double scale = (double) width / (double) r->records;
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

static void verdict(FILE *o, const struct htmlreport *r) {
        const char *cls, *what;
        switch (r->verdict) {
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
                cls = r->rejected ? "v-bad" : "v-ok";
                what = "Geprüft, nicht geladen (plausid check)";
                break;
        }
        fprintf(o, "<p class=\"verdict %s\" id=\"ergebnis\">%s", cls, what);
        if (r->reason && *r->reason) {
                fputs(": ", o);
                html_escape(o, r->reason);
        } else if (r->verdict == HTMLREPORT_CHECKED) {
                fputs(": ", o);
                html_num(o, r->rejected);
                fputs(" von ", o);
                html_num(o, r->records);
                fputs(r->rejected == 1 ? " Datensatz hat Fehler und würde abgewiesen." :
                                         " Datensätzen haben Fehler und würden abgewiesen.", o);
        } else
                fputs(".", o);
        fputs("</p>\n", o);
}

static void header(FILE *o, const struct htmlreport *r, time_t now) {
        fputs("<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta name=\"generator\" content=\"plausid " PLAUSID_VERSION "\">\n<title>Prüfbericht ",
              o);
        html_escape(o, r->file);
        fputs("</title>\n", o);
        html_style(o);
        fputs("</head>\n<body>\n<header>\n<h1>Prüfbericht: ", o);
        html_escape(o, r->file);
        fputs("</h1>\n<dl class=\"meta\">\n<dt>Datei</dt><dd>", o);
        html_escape(o, r->file);
        fputs("</dd>\n", o);
        if (*r->source) {
                fputs("<dt>Quelle</dt><dd>", o);
                html_escape(o, r->source);
                fputs("</dd>\n", o);
        }
        if (r->delivery_id > 0)
                fprintf(o, "<dt>Lieferung</dt><dd>Nr. %lld</dd>\n", r->delivery_id);
        if (r->received) {
                fputs("<dt>Eingegangen</dt><dd>", o);
                html_time(o, r->received);
                fputs("</dd>\n", o);
        }
        if (r->loaded_at) {
                fputs("<dt>Verarbeitet</dt><dd>", o);
                html_time(o, r->loaded_at);
                fputs("</dd>\n", o);
        }
        if (*r->sha256) {
                fputs("<dt>SHA-256</dt><dd class=\"mono\">", o);
                html_escape(o, r->sha256);
                fputs("</dd>\n", o);
        }
        fputs("<dt>Regelwerk</dt><dd>", o);
        html_escape(o, r->rules_name);
        fputs(" ", o);
        html_escape(o, r->rules_version);
        fputs("</dd>\n", o);
        if (*r->encoding) {
                fputs("<dt>Zeichenkodierung</dt><dd>", o);
                html_escape(o, r->encoding);
                fputs("</dd>\n", o);
        }
        fputs("<dt>Bericht erstellt</dt><dd>", o);
        html_time(o, now);
        fputs("</dd>\n</dl>\n</header>\n", o);
}

static void summary(FILE *o, const struct htmlreport *r) {
        fputs("<section id=\"zusammenfassung\">\n<h2>Zusammenfassung</h2>\n", o);
        verdict(o, r);
        fputs("<div class=\"cards\">\n", o);
        bool loaded_known = r->verdict != HTMLREPORT_CHECKED;
        card(o, "anzahl-gelesen", "Datensätze gelesen", true, r->records, 0);
        card(o, "anzahl-geladen", loaded_known ? "geladen" : "geladen (nur geprüft)", loaded_known, r->loaded,
             r->records);
        card(o, "anzahl-abgewiesen", "abgewiesen", true, r->rejected, r->records);
        card(o, "anzahl-warnungen", "mit Warnungen", true, r->warned, r->records);
        fputs("</div>\n", o);
        summary_bar(o, r);
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
        if (r->csv_name) {
                fputs(" Alle Befunde als Tabelle für Excel: <a href=\"", o);
                html_escape(o, r->csv_name);
                fputs("\">", o);
                html_escape(o, r->csv_name);
                fputs("</a>.", o);
        }
        fputs("</p>\n</section>\n", o);
}

static void rules_section(FILE *o, const struct htmlreport *r) {
        fputs("<section id=\"regeln\">\n<h2>Befunde nach Regel</h2>\n", o);
        if (r->nrules == 0) {
                fputs("<p>Keine Befunde.</p>\n</section>\n", o);
                return;
        }
        bar_chart(o, r->rules, r->nrules);
        fputs("<table>\n<thead><tr><th>Regel</th><th>Schwere</th><th>Beschreibung</th><th class=\"n\">Befunde</th>"
              "<th class=\"n\">Datensätze</th><th class=\"n\">Anteil</th></tr></thead>\n<tbody>\n",
              o);
        for (size_t i = 0; i < r->nrules; i++) {
                const struct htmlreport_rule *ru = &r->rules[i];
                fputs("<tr><td class=\"id\">", o);
                html_escape(o, ru->id);
                fputs("</td><td>", o);
                severity_badge(o, ru->severity);
                fputs("</td><td>", o);
                html_escape(o, ru->title);
                fputs("</td><td class=\"n\">", o);
                html_num(o, ru->findings);
                fputs("</td><td class=\"n\">", o);
                if (ru->records)
                        html_num(o, ru->records);
                else
                        fputs("Datei", o);
                fputs("</td><td class=\"n\">", o);
                if (ru->records)
                        html_pct(o, ru->records, r->records);
                else
                        fputs("–", o);
                fputs("</td></tr>\n", o);
        }
        fputs("</tbody>\n</table>\n<p class=\"muted\">Anteil: betroffene Datensätze an allen gelesenen "
              "Datensätzen.</p>\n</section>\n",
              o);
}

static void fields_section(FILE *o, const struct htmlreport *r) {
        if (r->nfields == 0)
                return;
        fputs("<section id=\"felder\">\n<h2>Befunde nach Feld</h2>\n<table>\n<thead><tr><th>Feld</th><th>Bezeichnung</th>"
              "<th class=\"n\">Fehler</th><th class=\"n\">Warnungen</th><th class=\"n\">Datei</th>"
              "<th class=\"n\">zusammen</th></tr></thead>\n<tbody>\n",
              o);
        for (size_t i = 0; i < r->nfields; i++) {
                const struct htmlreport_field *fd = &r->fields[i];
                fputs("<tr><td class=\"id\">", o);
                if (*fd->name)
                        html_escape(o, fd->name);
                else
                        fputs("<span class=\"muted\">(kein Feld)</span>", o);
                fputs("</td><td>", o);
                html_escape(o, fd->label);
                fputs("</td><td class=\"n\">", o);
                html_num(o, fd->errors);
                fputs("</td><td class=\"n\">", o);
                html_num(o, fd->warnings);
                fputs("</td><td class=\"n\">", o);
                html_num(o, fd->file);
                fputs("</td><td class=\"n\">", o);
                html_num(o, fd->errors + fd->warnings + fd->file);
                fputs("</td></tr>\n", o);
        }
        fputs("</tbody>\n</table>\n</section>\n", o);
}

static void groups_section(FILE *o, const struct htmlreport *r) {
        if (!r->has_groups)
                return;
        fputs("<section id=\"sozialraeume\">\n<h2>Nach Sozialraum</h2>\n", o);
        if (r->note) {
                fputs("<p class=\"muted\">", o);
                html_escape(o, r->note);
                fputs("</p>\n", o);
        }
        if (r->ngroups == 0) {
                fputs("<p>Keine Datensätze mit Sozialraum.</p>\n</section>\n", o);
                return;
        }
        fputs("<table>\n<thead><tr><th>Sozialraum</th><th class=\"n\">Datensätze</th><th class=\"n\">abgewiesen</th>"
              "<th class=\"n\">Anteil</th><th class=\"n\">mit Warnungen</th><th class=\"n\">Befunde</th></tr></thead>\n"
              "<tbody>\n",
              o);
        for (size_t i = 0; i < r->ngroups; i++) {
                const struct htmlreport_group *g = &r->groups[i];
                fputs("<tr><td>", o);
                if (*g->name)
                        html_escape(o, g->name);
                else
                        fputs("<span class=\"muted\">(ohne Angabe)</span>", o);
                fputs("</td><td class=\"n\">", o);
                html_num(o, g->records);
                fputs("</td><td class=\"n\">", o);
                html_num(o, g->rejected);
                fputs("</td><td class=\"n\">", o);
                html_pct(o, g->rejected, g->records);
                fputs("</td><td class=\"n\">", o);
                html_num(o, g->warned);
                fputs("</td><td class=\"n\">", o);
                html_num(o, g->findings);
                fputs("</td></tr>\n", o);
        }
        fputs("</tbody>\n</table>\n</section>\n", o);
}

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
        fputs("<table>\n<thead><tr><th>Regel</th><th>Schwere</th><th>Meldung</th></tr></thead>\n<tbody>\n", o);
        for (const struct htmlreport_finding *hf = r->file_findings; hf; hf = hf->next) {
                fputs("<tr><td class=\"id\">", o);
                html_escape(o, hf->f.rule_id);
                fputs("</td><td>", o);
                severity_badge(o, hf->f.severity);
                fputs("</td><td>", o);
                html_escape(o, hf->f.message);
                finding_detail(o, &hf->f);
                fputs("</td></tr>\n", o);
        }
        fputs("</tbody>\n</table>\n</section>\n", o);
}

static void records_section(FILE *o, const struct htmlreport *r) {
        fputs("<section id=\"abgewiesen\">\n<h2>Abgewiesene Datensätze</h2>\n", o);
        if (r->rejected == 0 && r->nrecs == 0) {
                fputs("<p>Keine abgewiesenen Datensätze.</p>\n</section>\n", o);
                return;
        }
        unsigned long total = r->rejected > r->nrecs ? r->rejected : r->nrecs;
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
        if (r->csv_name) {
                fputs(" Sämtliche Befunde: <a href=\"", o);
                html_escape(o, r->csv_name);
                fputs("\">", o);
                html_escape(o, r->csv_name);
                fputs("</a>.", o);
        }
        fputs("</p>\n", o);
        for (size_t i = 0; i < r->nrecs; i++) {
                const struct htmlreport_record *rec = &r->recs[i];
                fprintf(o, "<article class=\"rec\" id=\"zeile-%lu\">\n<h3>Zeile %lu", rec->line, rec->line);
                if (rec->key && *rec->key) {
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
        fputs("</section>\n", o);
}

int htmlreport_render(struct htmlreport *r, FILE *o) {
        int e = finish_pending(r, NULL, 0);
        if (e < 0)
                return e;
        /* qsort must not see the NULL of an empty array, even for no elements. */
        if (r->nrules)
                qsort(r->rules, r->nrules, sizeof(*r->rules), cmp_rule);
        if (r->nfields)
                qsort(r->fields, r->nfields, sizeof(*r->fields), cmp_field);
        /* The per-record Sozialraum entries point into groups by index: sorting them ends
         * the collecting. */
        free(r->recgroups);
        r->recgroups = NULL;
        r->nrecgroups = r->recgroups_cap = 0;
        if (r->ngroups)
                qsort(r->groups, r->ngroups, sizeof(*r->groups), cmp_group);
        if (r->nrecs)
                qsort(r->recs, r->nrecs, sizeof(*r->recs), cmp_record);
        time_t now = time(NULL);
        header(o, r, now);
        fputs("<main>\n", o);
        summary(o, r);
        rules_section(o, r);
        file_section(o, r);
        fields_section(o, r);
        groups_section(o, r);
        records_section(o, r);
        fputs("</main>\n", o);
        html_footer(o, now);
        return ferror(o) ? -EIO : 0;
}

/* ---- files ---- */

int htmlreport_write(struct htmlreport *r, const char *path, int gid) {
        _cleanup_(atomic_file_abort) struct atomic_file rf = {0};
        int e = atomic_file_open(&rf, AT_FDCWD, path, 0640, gid);
        if (e < 0)
                return e;
        e = htmlreport_render(r, rf.f);
        if (e < 0)
                return e;
        return atomic_file_commit(&rf);
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

/* ---- markup shared with the overview (htmlreport_html.h) ---- */

void html_escape(FILE *o, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; p && *p; p++) {
                switch (*p) {
                case '&': fputs("&amp;", o); break;
                case '<': fputs("&lt;", o); break;
                case '>': fputs("&gt;", o); break;
                case '"': fputs("&quot;", o); break;
                case '\'': fputs("&#39;", o); break;
                case '\t':
                case '\n': fputc(*p, o); break;
                case '\r': break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                fputs("\xEF\xBF\xBD", o);
                        else
                                fputc(*p, o);
                }
        }
}

void html_num(FILE *o, unsigned long n) {
        char digits[32], out[48];
        int len = snprintf(digits, sizeof(digits), "%lu", n), k = 0;
        for (int i = 0; i < len; i++) {
                if (i > 0 && (len - i) % 3 == 0)
                        out[k++] = '.';
                out[k++] = digits[i];
        }
        out[k] = 0;
        fputs(out, o);
}

void html_pct(FILE *o, unsigned long part, unsigned long whole) {
        if (whole == 0) {
                fputs("–", o);
                return;
        }
        char buf[32];
        fprintf(o, "%s&#160;%%", decimal_de(buf, (double) part * 100.0 / (double) whole, false));
}

void html_time(FILE *o, time_t t) {
        struct tm tm;
        char buf[64];
        if (!localtime_r(&t, &tm) || strftime(buf, sizeof(buf), "%d.%m.%Y, %H:%M Uhr", &tm) == 0) {
                fputs("–", o);
                return;
        }
        fputs(buf, o);
}

void html_style(FILE *o) {
        /* System fonts only: nothing is fetched, and the page looks the same offline. */
        fputs("<style>\n"
              ":root{--err:#b03a2e;--warn:#b9770e;--file:#6c3483;--ok:#1e8449;--line:#d5d8dc;--muted:#566573}\n"
              "*{box-sizing:border-box}\n"
              "body{font-family:\"DejaVu Sans\",\"Liberation Sans\",Arial,Helvetica,sans-serif;font-size:14px;"
              "line-height:1.45;color:#1b2631;margin:0 auto;max-width:1100px;padding:24px}\n"
              "h1{font-size:22px;margin:0 0 12px}\n"
              "h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}\n"
              "h3{font-size:15px;margin:18px 0 6px}\n"
              "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}\n"
              "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
              ".mono,.id{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",Consolas,monospace}\n"
              ".verdict{padding:10px 14px;border-radius:6px;font-weight:bold;margin:12px 0;border-left:6px solid}\n"
              ".v-ok{background:#e9f7ef;border-color:var(--ok)}.v-bad{background:#fdedec;border-color:var(--err)}"
              ".v-info{background:#eaf2f8;border-color:#2e86c1}\n"
              ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}\n"
              ".card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:160px}\n"
              ".card .num{display:block;font-size:26px;font-weight:bold}.card .lbl{color:var(--muted)}\n"
              "table{border-collapse:collapse;width:100%;margin:8px 0}\n"
              "th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}\n"
              "th{background:#f4f6f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
              ".sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}\n"
              ".sev-error{background:var(--err)}.sev-warning{background:var(--warn)}.sev-file{background:var(--file)}\n"
              ".chart{display:block;width:100%;max-width:760px;height:auto;margin:8px 0}\n"
              ".chart text{font-size:12px;fill:#1b2631}.chart .axis{stroke:#aab7b8;stroke-width:1}\n"
              ".chart .trend{fill:none;stroke:var(--err);stroke-width:2}\n"
              ".bar-error{fill:var(--err);background:var(--err)}.bar-warning{fill:var(--warn);background:var(--warn)}"
              ".bar-file{fill:var(--file);background:var(--file)}.bar-ok{fill:var(--ok);background:var(--ok)}\n"
              ".legend .key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-1px}\n"
              ".rec{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:10px 0}\n"
              ".rec h3{margin:0 0 4px;font-size:14px}.rec ul{margin:4px 0;padding-left:20px}\n"
              "pre.raw{white-space:pre-wrap;word-break:break-all;background:#f8f9f9;border:1px solid var(--line);"
              "padding:6px;margin:6px 0 0;font-size:12px}\n"
              ".muted{color:var(--muted)}\n"
              "footer{margin-top:32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);"
              "padding-top:8px}\n"
              "@media print{body{max-width:none;padding:0;font-size:10pt}h2,h3{break-after:avoid}"
              "tr,.rec,.card,.chart{break-inside:avoid}a{color:inherit;text-decoration:none}"
              ".verdict,.sev,.bar-error,.bar-warning,.bar-file,.bar-ok{-webkit-print-color-adjust:exact;"
              "print-color-adjust:exact}}\n"
              "@page{size:A4;margin:15mm}\n"
              "</style>\n",
              o);
}

void html_footer(FILE *o, time_t now) {
        fputs("<footer>Erstellt von plausid " PLAUSID_VERSION " am ", o);
        html_time(o, now);
        fputs(". Dieser Bericht enthält personenbezogene Daten: nur für den Dienstgebrauch, nicht weitergeben."
              "</footer>\n</body>\n</html>\n",
              o);
}

int htmlreport_group_id(const char *name, int *ret_gid) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(name, &end, 10);
        if (*name && !*end && errno == 0 && n < (unsigned long) INT32_MAX) {
                *ret_gid = (int) n;
                return 0;
        }
        struct group *g = getgrnam(name);
        if (!g)
                return -ENOENT;
        *ret_gid = (int) g->gr_gid;
        return 0;
}
