/*
 * Rule catalogue writer (plausid rules doc). What a rule does is taken from the compiled
 * pack where the compiler has settled it (id, severity, the field a finding names, the
 * examples, whether only plausid load runs it) and from the pack's text where a person
 * wants to read it as written (condition, message). The sources and the choices live in
 * the comments above each rule, which the compiler never sees: they are copied from the
 * text as they stand. Nothing is written by hand, so the document says what the pack does.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <yaml.h>

#include "pack.h"
#include "ruledoc.h"
#include "yamldoc.h"

/* The pack's text cut into lines (no line ends), for the comments. */
struct lines {
        const char **start;
        size_t *len;
        size_t n;
};

static void lines_done(struct lines *l) {
        free(l->start);
        free(l->len);
}

static int lines_split(const char *data, size_t size, struct lines *ret) {
        size_t n = 1;
        for (size_t i = 0; i < size; i++)
                n += data[i] == '\n';
        ret->start = calloc(n, sizeof(*ret->start));
        ret->len = calloc(n, sizeof(*ret->len));
        if (!ret->start || !ret->len)
                return -ENOMEM;
        const char *p = data, *end = data + size;
        for (ret->n = 0; ret->n < n && p <= end; ret->n++) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                ret->start[ret->n] = p;
                ret->len[ret->n] = (size_t) ((nl ? nl : end) - p);
                if (ret->len[ret->n] && p[ret->len[ret->n] - 1] == '\r')
                        ret->len[ret->n]--;
                if (!nl)
                        break;
                p = nl + 1;
        }
        return 0;
}

/* A comment line's text after "#" and one blank; NULL for a line that is no comment. */
static const char *comment_text(const struct lines *l, size_t i, size_t *ret_len) {
        const char *s = l->start[i], *end = s + l->len[i];
        while (s < end && (*s == ' ' || *s == '\t'))
                s++;
        if (s == end || *s != '#')
                return NULL;
        s++;
        if (s < end && *s == ' ')
                s++;
        *ret_len = (size_t) (end - s);
        return s;
}

/* "----- S: structure -----" -> "S: structure"; NULL when the comment is no divider. */
static const char *divider_text(const char *s, size_t len, size_t *ret_len) {
        if (len < 3 || strncmp(s, "---", 3) != 0)
                return NULL;
        const char *b = s, *e = s + len;
        while (b < e && (*b == '-' || *b == ' '))
                b++;
        while (e > b && (e[-1] == '-' || e[-1] == ' '))
                e--;
        *ret_len = (size_t) (e - b);
        return b;
}

/* The comment lines right above 0-based line `at`, up to a blank line or a divider:
 * [*ret_from, at). */
static size_t comment_above(const struct lines *l, size_t at, size_t *ret_from) {
        size_t from = at, len, dlen;
        while (from > 0) {
                const char *t = comment_text(l, from - 1, &len);
                if (!t || divider_text(t, len, &dlen))
                        break;
                from--;
        }
        *ret_from = from;
        return at - from;
}

static void write_comments(FILE *out, const struct lines *l, size_t from, size_t to) {
        for (size_t i = from; i < to; i++) {
                size_t len;
                const char *t = comment_text(l, i, &len);
                if (t)
                        fprintf(out, "%.*s\n", (int) len, t);
        }
}

/* ---- the pack's YAML ---- */

static yaml_node_t *node(yaml_document_t *doc, int id) {
        return yaml_document_get_node(doc, id);
}

static const char *scalar(const yaml_node_t *n) {
        return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *doc, const yaml_node_t *map, const char *key) {
        if (!map || map->type != YAML_MAPPING_NODE)
                return NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                const char *k = scalar(node(doc, p->key));
                if (k && strcmp(k, key) == 0)
                        return node(doc, p->value);
        }
        return NULL;
}

/* A scalar as it was quoted in the pack, so that an expression reads as written. */
static void write_scalar(FILE *out, const yaml_node_t *n) {
        const char *s = scalar(n);
        char quote = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ? '\'' :
                     n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ? '"' : 0;
        if (!quote) {
                fputs(s, out);
                return;
        }
        fputc(quote, out);
        for (; *s; s++) {
                if (*s == quote || (quote == '"' && *s == '\\'))
                        fputc(quote == '"' ? '\\' : '\'', out);      /* "\"" and '' */
                fputc(*s, out);
        }
        fputc(quote, out);
}

static bool all_scalars(yaml_document_t *doc, const yaml_node_t *seq) {
        for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++)
                if (node(doc, *i)->type != YAML_SCALAR_NODE)
                        return false;
        return true;
}

/* A value in YAML's block style, sequences of scalars in flow style: [a, b]. */
static void write_value(FILE *out, yaml_document_t *doc, const yaml_node_t *n, unsigned indent) {
        if (n->type == YAML_SCALAR_NODE) {
                fputc(' ', out);
                write_scalar(out, n);
                fputc('\n', out);
        } else if (n->type == YAML_SEQUENCE_NODE && all_scalars(doc, n)) {
                fputs(" [", out);
                for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
                        fputs(i > n->data.sequence.items.start ? ", " : "", out);
                        write_scalar(out, node(doc, *i));
                }
                fputs("]\n", out);
        } else if (n->type == YAML_SEQUENCE_NODE) {
                fputc('\n', out);
                for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
                        fprintf(out, "%*s-", (int) indent + 2, "");
                        write_value(out, doc, node(doc, *i), indent + 4);
                }
        } else {
                fputc('\n', out);
                for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                        fprintf(out, "%*s%s:", (int) indent + 2, "", scalar(node(doc, p->key)));
                        write_value(out, doc, node(doc, p->value), indent + 2);
                }
        }
}

/* ---- the catalogue ---- */

struct doc {
        FILE *out;
        const struct ruleset *rs;
        yaml_document_t *ydoc;
        const struct lines *lines;
};

static const char *severity_de(enum severity s) {
        switch (s) {
        case SEVERITY_ERROR: return "Fehler";
        case SEVERITY_WARNING: return "Warnung";
        case SEVERITY_FILE: return "Datei";
        }
        return "?";
}

/* What a builtin rule checks, in words: the pack says only its name. */
static const char *builtin_de(enum builtin b) {
        switch (b) {
        case BUILTIN_MISSING_COLUMN: return "eine Pflichtspalte fehlt in der Kopfzeile";
        case BUILTIN_FIELD_COUNT: return "der Datensatz hat mehr oder weniger Felder als die Kopfzeile (feste Satzlänge: ist länger als der Satzaufbau)";
        case BUILTIN_SAME_AS_FIRST: return "der Wert weicht vom Wert im ersten Datensatz der Datei ab";
        case BUILTIN_REQUIRED: return "ein Pflichtfeld ist leer";
        case BUILTIN_CODE: return "der Wert eines Schlüsselfeldes steht nicht in dessen Schlüsselliste";
        case BUILTIN_FORMAT: return "der Wert passt nicht zum Typ des Feldes (Ziffern, Monat, Zahl, Länge; siehe fields: im Paket)";
        case BUILTIN_ENCODING: return "der Datensatz enthält Bytes, die in der Zeichenkodierung der Datei ungültig sind";
        case BUILTIN_UNREADABLE: return "die Datei ist als Ganzes nicht lesbar";
        case BUILTIN_RECORD_TYPE: return "feste Satzlänge: der Datensatz hat eine andere Satzart als der Satzaufbau";
        case BUILTIN_DELIVERY_YEAR: return "feste Satzlänge: das Berichtsjahr der Datei ist nicht bestimmbar";
        case BUILTIN_EMPTY_ALIAS: return "ein Feld enthält den Wert, den das Paket als „leer“ liest (empty_alias); "
                                         "ein Befund je Feld und Datei mit Wert und Anzahl, kein Datensatz wird abgewiesen";
        case _BUILTIN_MAX: break;
        }
        return "?";
}

/* The fields a builtin rule looks at, where the pack's fields: decide them. */
static void write_builtin_fields(const struct doc *d, enum builtin b) {
        const struct ruleset *rs = d->rs;
        const char *what = b == BUILTIN_MISSING_COLUMN ? "Pflichtspalten" :
                           b == BUILTIN_REQUIRED        ? "Pflichtfelder" :
                           b == BUILTIN_CODE            ? "Schlüsselfelder" :
                           b == BUILTIN_EMPTY_ALIAS     ? "Felder mit Leer-Wert" : NULL;
        if (!what)
                return;
        fprintf(d->out, "- %s:", what);
        unsigned n = 0;
        for (unsigned f = 0; f < rs->nfields; f++) {
                const struct field *fl = &rs->fields[f];
                bool in = b == BUILTIN_MISSING_COLUMN ? fl->column_required :
                          b == BUILTIN_REQUIRED        ? fl->required || fl->required_years.from <= fl->required_years.to :
                          b == BUILTIN_EMPTY_ALIAS     ? fl->empty_alias != NULL :
                                                         fl->codes != NULL;
                if (!in)
                        continue;
                fprintf(d->out, "%s `%s`", n++ ? "," : "", fl->name);
                if (b == BUILTIN_REQUIRED && !fl->required)
                        fprintf(d->out, " (%d–%d)", fl->required_years.from, fl->required_years.to);
                if (b == BUILTIN_EMPTY_ALIAS)
                        fprintf(d->out, " („%s“)", fl->empty_alias);
        }
        fputs(n ? "\n" : " keine\n", d->out);
}

/* The family of a rule: the letters its id starts with ("X" of "X02"). */
static size_t family_len(const char *id) {
        size_t n = 0;
        while ((id[n] >= 'A' && id[n] <= 'Z') || (id[n] >= 'a' && id[n] <= 'z'))
                n++;
        return n;
}

/* Keys shown in a rule's own lines; every other key is the condition, shown as written. */
static bool is_head_key(const char *k) {
        static const char *const head[] = {"id", "title", "severity", "field", "berichtsjahre", "message", "examples"};
        for (size_t i = 0; i < ELEMENTSOF(head); i++)
                if (strcmp(k, head[i]) == 0)
                        return true;
        return false;
}

static void write_message(const struct doc *d, const yaml_node_t *m) {
        if (!m)
                return;
        if (m->type == YAML_SCALAR_NODE) {
                fprintf(d->out, "- Meldung: `%s`\n", scalar(m));
                return;
        }
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
                fprintf(d->out, "- Meldung (%s): `%s`\n", scalar(node(d->ydoc, p->key)),
                        scalar(node(d->ydoc, p->value)) ?: "");
}

static void write_examples(const struct doc *d, const struct rule *r, unsigned i) {
        unsigned pass = 0, fail = 0;
        for (unsigned e = 0; e < r->nexamples; e++)
                r->examples[e].expect_fail ? fail++ : pass++;
        fprintf(d->out, "- Beispiele: %u (%u ohne Befund, %u mit Befund)", pass + fail, pass, fail);
        if (ruleset_rule_linked(d->rs, i))
                fprintf(d->out, "; gegen den Datenbestand %s geprüft von `plausid load`", ruleset_rule_linked(d->rs, i)->dataset);
        else if (ruleset_rule_needs_database(d->rs, i))
                fputs("; mit früheren Lieferungen verglichen von `plausid load`", d->out);
        else if (ruleset_rule_fixed_only(d->rs, i))
                fputs("; tritt nur bei Dateien fester Satzlänge auf (Testdateien in tests/golden)", d->out);
        fputc('\n', d->out);
}

static void write_rule(const struct doc *d, unsigned i, const yaml_node_t *n) {
        const struct rule *r = &d->rs->rules[i];
        FILE *out = d->out;
        fprintf(out, "<a id=\"%s\"></a>\n\n### %s – %s\n\n", r->id, r->id, r->title ? r->title : "");
        fprintf(out, "- Schweregrad: %s\n", severity_de(r->severity));
        if (r->field >= 0)
                fprintf(out, "- Feld: `%s` (%s)\n", ruleset_field_name(d->rs, (unsigned) r->field),
                        ruleset_field_label(d->rs, (unsigned) r->field));
        if (r->years.from != d->rs->year_first || r->years.to != d->rs->year_last)
                fprintf(out, "- Berichtsjahre: %d–%d\n", r->years.from, r->years.to);
        if (r->kind == RULE_BUILTIN) {
                fprintf(out, "- Prüfung: %s (`builtin: %s`)\n", builtin_de(r->builtin),
                        scalar(map_get(d->ydoc, n, "builtin")) ?: "");
                write_builtin_fields(d, r->builtin);
        }
        bool cond = false;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                const char *k = scalar(node(d->ydoc, p->key));
                if (!k || is_head_key(k) || (r->kind == RULE_BUILTIN && strcmp(k, "builtin") == 0))
                        continue;
                if (!cond)
                        fputs("- Bedingung, wie im Paket geschrieben:\n\n  ```yaml\n", out);
                cond = true;
                fprintf(out, "  %s:", k);
                write_value(out, d->ydoc, node(d->ydoc, p->value), 2);
        }
        if (cond)
                fputs("  ```\n\n", out);
        write_message(d, map_get(d->ydoc, n, "message"));
        write_examples(d, r, i);
        size_t from, count = comment_above(d->lines, r->line - 1, &from);
        if (count) {
                fputs("\nQuelle und Entscheidungen (Kommentar im Paket):\n\n", out);
                write_comments(out, d->lines, from, r->line - 1);
        }
        fputc('\n', out);
}

/* The text of the last divider between line `from` and line `to` (0-based, exclusive). */
static const char *last_divider(const struct lines *l, size_t from, size_t to, size_t *ret_len) {
        const char *found = NULL;
        for (size_t i = from; i < to; i++) {
                size_t len, dlen;
                const char *t = comment_text(l, i, &len), *dt = t ? divider_text(t, len, &dlen) : NULL;
                if (dt && dlen) {
                        found = dt;
                        *ret_len = dlen;
                }
        }
        return found;
}

static void write_index(const struct doc *d) {
        fputs("| Regel | Schweregrad | Titel | Feld |\n|---|---|---|---|\n", d->out);
        for (unsigned i = 0; i < d->rs->nrules; i++) {
                const struct rule *r = &d->rs->rules[i];
                fprintf(d->out, "| [%s](#%s) | %s | %s | %s |\n", r->id, r->id, severity_de(r->severity),
                        r->title ? r->title : "", r->field >= 0 ? ruleset_field_name(d->rs, (unsigned) r->field) : "");
        }
        fputc('\n', d->out);
}

static void write_intro(const struct doc *d, const char *path) {
        /* The pack as the command named it (rules/hze.yaml); an absolute path would put a
         * machine's directories into the project's document, so it is cut to the name. */
        const char *shown = path;
        if (path[0] == '/') {
                const char *slash = strrchr(path, '/');
                shown = slash + 1;
        }
        fprintf(d->out, "# Regelkatalog %s (Version %s)\n\n", d->rs->name, d->rs->version ? d->rs->version : "");
        fprintf(d->out,
                "<!-- Erzeugt aus %s mit `plausid rules doc %s`. Nicht von Hand ändern:\n"
                "     scripts/katalog.sh schreibt alle Kataloge neu; tests/run.sh (make check) schlägt fehl,\n"
                "     wenn dieses Dokument vom Paket abweicht. -->\n\n",
                shown, shown);
        fprintf(d->out, "Berichtsjahre %d–%d, %u Regeln. Schweregrade: **Fehler** – der Datensatz wird abgewiesen; "
                        "**Warnung** – der Datensatz wird geladen, der Befund gelistet; **Datei** – die ganze "
                        "Lieferung wird abgewiesen. Bedingungen stehen so da, wie das Paket sie schreibt "
                        "(Sprache: rules/README.md); eine `check`-Regel meldet, wenn `when` zutrifft und `check` "
                        "sicher nicht.\n\n",
                d->rs->year_first, d->rs->year_last, d->rs->nrules);
        size_t end = 0, len;
        while (end < d->lines->n && comment_text(d->lines, end, &len))
                end++;
        if (end) {
                fputs("## Zum Paket (Kopfkommentar)\n\n", d->out);
                write_comments(d->out, d->lines, 0, end);
                fputc('\n', d->out);
        }
}

/* The YAML rule of compiled rule i: the rules: sequence holds them in the same order. */
static yaml_node_t *yaml_rule(yaml_document_t *doc, const yaml_node_t *rules, const char *id) {
        for (yaml_node_item_t *i = rules->data.sequence.items.start; i < rules->data.sequence.items.top; i++) {
                yaml_node_t *n = node(doc, *i);
                const char *nid = scalar(map_get(doc, n, "id"));
                if (nid && strcmp(nid, id) == 0)
                        return n;
        }
        return NULL;
}

static bool same_family(const char *a, const char *b) {
        size_t n = family_len(a);
        return n == family_len(b) && strncmp(a, b, n) == 0;
}

/* A family's heading: the divider comment above its first rule when it names the family
 * ("----- S: structure -----"), else its letters. */
static void write_family_heading(const struct doc *d, unsigned first) {
        const struct rule *r = &d->rs->rules[first];
        size_t fl = family_len(r->id), dlen = 0;
        size_t from = first ? d->rs->rules[first - 1].line : 0;
        const char *div = last_divider(d->lines, from, r->line - 1, &dlen);
        if (div && fl && dlen > fl && strncmp(div, r->id, fl) == 0 && div[fl] == ':')
                fprintf(d->out, "## %.*s\n\n", (int) dlen, div);
        else
                fprintf(d->out, "## %.*s\n\n", (int) (fl ? fl : strlen(r->id)), r->id);
}

/* Rules grouped by family, the families in the order the pack first names them. */
static int write_catalogue(const struct doc *d, const char *path) {
        yaml_node_t *rules = map_get(d->ydoc, yaml_document_get_root_node(d->ydoc), "rules");
        if (!rules || rules->type != YAML_SEQUENCE_NODE)
                return -EINVAL;
        write_intro(d, path);
        write_index(d);
        for (unsigned i = 0; i < d->rs->nrules; i++) {
                bool seen = false;
                for (unsigned j = 0; j < i && !seen; j++)
                        seen = same_family(d->rs->rules[j].id, d->rs->rules[i].id);
                if (seen)
                        continue;
                write_family_heading(d, i);
                for (unsigned j = i; j < d->rs->nrules; j++) {
                        if (!same_family(d->rs->rules[j].id, d->rs->rules[i].id))
                                continue;
                        yaml_node_t *n = yaml_rule(d->ydoc, rules, d->rs->rules[j].id);
                        if (!n)
                                return -EINVAL;
                        write_rule(d, j, n);
                }
        }
        return 0;
}

int ruledoc_write(const struct ruleset *rs, const char *path, FILE *out, struct diaglist *diags) {
        _cleanup_(freep) char *data = NULL;
        size_t size;
        int r = yamldoc_read_file(path, RULESET_MAX_FILE_BYTES, "rule pack", diags, &data, &size);
        if (r < 0)
                return r;
        unsigned errors = 0;
        bool nomem = false;
        _cleanup_(yamldoc_done) struct yamldoc yd = {.file = path, .diags = diags, .errors = &errors,
                                                     .nomem = &nomem, .what = "a rule pack",
                                                     .where = "in rule packs"};
        r = yamldoc_load(&yd, data, size);
        if (r < 0)
                return r;
        _cleanup_(lines_done) struct lines lines = {0};
        r = lines_split(data, size, &lines);
        if (r < 0)
                return r;
        struct doc d = {.out = out, .rs = rs, .ydoc = &yd.doc, .lines = &lines};
        r = write_catalogue(&d, path);
        if (r < 0)
                return r;
        return ferror(out) ? -EIO : 0;
}
