/*
 * The input section: the formats a pack reads. `input:` is one format's mapping or a list
 * of them; `format: csv` (the default) has a delimiter and an encoding, `format: fixed` a
 * single-byte encoding, the pattern that finds the Berichtsjahr in a file name, and its
 * layouts, each for a range of Berichtsjahre: the record length, the record type, and per
 * field its positions (1-based, inclusive, as record descriptions print them).
 *
 * Compiled after the fields, since a layout names them; checked against the rules at the
 * end, since a fixed-width file's own findings (S02, S06, S07) need rules to be reported.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "compiler.h"

#define RECORD_LENGTH_MAX 4096

/* ---- positions ---- */

/* P or [FROM, TO] (1-based, inclusive) into a 0-based offset and a width. */
static bool get_span(struct compiler *c, yaml_node_t *n, unsigned length, unsigned *ret_off, unsigned *ret_width,
                     const char *what) {
        int64_t a, b;
        if (n && n->type == YAML_SEQUENCE_NODE) {
                yaml_node_item_t *it = n->data.sequence.items.start;
                if (n->data.sequence.items.top - it != 2) {
                        yamldoc_error(&c->yd, n, "%s must be a position or [first, last]", what);
                        return false;
                }
                if (!yamldoc_get_int(&c->yd, yamldoc_node(&c->yd, it[0]), 1, length, &a, what) ||
                    !yamldoc_get_int(&c->yd, yamldoc_node(&c->yd, it[1]), 1, length, &b, what))
                        return false;
        } else if (yamldoc_get_int(&c->yd, n, 1, length, &a, what))
                b = a;
        else
                return false;
        if (a > b) {
                yamldoc_error(&c->yd, n, "%s: position %lld comes after %lld", what, (long long) a, (long long) b);
                return false;
        }
        *ret_off = (unsigned) a - 1;
        *ret_width = (unsigned) (b - a + 1);
        return true;
}

/* Marks the span taken; two fields on one position are a mistake in the layout. */
static bool take_span(struct compiler *c, yaml_node_t *n, unsigned char *taken, unsigned off, unsigned width,
                      const char *what) {
        for (unsigned i = off; i < off + width; i++)
                if (taken[i]) {
                        yamldoc_error(&c->yd, n, "%s: position %u is taken by another field of the layout", what, i + 1);
                        return false;
                }
        memset(taken + off, 1, width);
        return true;
}

/* One field's entry: a span, {month: SPAN, year: SPAN} for a month field, or `delivery`
 * for the year field, which the record does not hold. */
static bool compile_piece(struct compiler *c, const char *name, yaml_node_t *n, unsigned length, unsigned char *taken,
                          struct reader_fixed_field *ret) {
        struct ruleset *rs = c->rs;
        int f = ruleset_field_find(rs, name);
        if (f < 0) {
                yamldoc_error(&c->yd, n, "the layout names '%s', which is not a field of the pack", name);
                return false;
        }
        *ret = (struct reader_fixed_field) {.piece = READER_PIECE_TEXT};
        if (n->type == YAML_SCALAR_NODE && strcmp((const char *) n->data.scalar.value, "delivery") == 0) {
                if (f != rs->year_field) {
                        yamldoc_error(&c->yd, n, "only the year field (dataset.year_field) can come from the delivery, not '%s'", name);
                        return false;
                }
                ret->piece = READER_PIECE_DELIVERY_YEAR;
                return true;
        }
        if (n->type == YAML_MAPPING_NODE) {
                static const char *const keys[] = {"month", "year"};
                yaml_node_t *v[ELEMENTSOF(keys)];
                yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, name);
                if (rs->fields[f].type != FIELD_MONTH || !v[0] || !v[1]) {
                        yamldoc_error(&c->yd, n, "'%s': {month: …, year: …} is for a field of type month, and needs both", name);
                        return false;
                }
                ret->piece = READER_PIECE_MONTH_YEAR;
                return get_span(c, v[0], length, &ret->offset, &ret->width, name) &&
                       get_span(c, v[1], length, &ret->year_offset, &ret->year_width, name) &&
                       take_span(c, v[0], taken, ret->offset, ret->width, name) &&
                       take_span(c, v[1], taken, ret->year_offset, ret->year_width, name);
        }
        return get_span(c, n, length, &ret->offset, &ret->width, name) &&
               take_span(c, n, taken, ret->offset, ret->width, name);
}

/* ---- layouts ---- */

/* record_type: {position: SPAN, value: TEXT} */
static void compile_record_type(struct compiler *c, yaml_node_t *layout, yaml_node_t *n, unsigned char *taken,
                                struct reader_layout *l) {
        if (!n) {
                yamldoc_error(&c->yd, layout, "a layout needs a record_type: {position: …, value: …}");
                return;
        }
        if (!yamldoc_is_mapping(&c->yd, n, "record_type"))
                return;
        static const char *const keys[] = {"position", "value"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "record_type");
        const char *value = yamldoc_scalar(&c->yd, v[1], "record_type.value");
        if (!v[0] || !value || !*value) {
                yamldoc_error(&c->yd, n, "record_type needs a position and a value");
                return;
        }
        if (get_span(c, v[0], l->record_length, &l->type_offset, &l->type_width, "record_type.position") &&
            take_span(c, v[0], taken, l->type_offset, l->type_width, "record_type.position") &&
            strlen(value) > l->type_width)
                yamldoc_error(&c->yd, v[1], "record_type.value '%s' is longer than its positions", value);
        l->type_value = compiler_strdup(c, value);
}

/* fields: {NAME: PIECE, ...} in the order of the mapping, which is the made header's. */
static void compile_layout_fields(struct compiler *c, yaml_node_t *layout, yaml_node_t *n, unsigned char *taken,
                                  struct reader_layout *l) {
        struct ruleset *rs = c->rs;
        if (!n || !yamldoc_is_mapping(&c->yd, n, "fields")) {
                if (!n)
                        yamldoc_error(&c->yd, layout, "a layout needs its fields");
                return;
        }
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        const char **names = arena_array(rs->arena, count ? count : 1, sizeof(*names));
        struct reader_fixed_field *fields = arena_array(rs->arena, count ? count : 1, sizeof(*fields));
        if (!names || !fields) {
                c->nomem = true;
                return;
        }
        size_t k = 0;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *key = yamldoc_node(&c->yd, p->key), *value = yamldoc_node(&c->yd, p->value);
                const char *name = yamldoc_scalar(&c->yd, key, "a layout's field");
                if (!name || !value)
                        continue;
                bool twice = false;
                for (size_t i = 0; i < k; i++)
                        twice |= strcmp(names[i], name) == 0;
                if (twice) {
                        yamldoc_error(&c->yd, key, "the layout names '%s' twice", name);
                        continue;
                }
                /* Named even when its positions are wrong: no second error for the name. */
                compile_piece(c, name, value, l->record_length, taken, &fields[k]);
                if ((names[k] = compiler_strdup(c, name)))
                        k++;
        }
        l->names = names;
        l->fields = fields;
        l->nfields = k;
}

/* A layout must hold every column a CSV export must have: S01 cannot occur in this format. */
static void check_required_columns(struct compiler *c, yaml_node_t *n, const struct reader_layout *l) {
        const struct ruleset *rs = c->rs;
        for (unsigned f = 0; f < rs->nfields; f++) {
                bool found = false;
                for (size_t i = 0; i < l->nfields && !found; i++)
                        found = strcmp(l->names[i], rs->fields[f].name) == 0;
                if (!found && rs->fields[f].column_required)
                        yamldoc_error(&c->yd, n, "the layout lacks the required column '%s'", rs->fields[f].name);
        }
}

static void compile_layout(struct compiler *c, yaml_node_t *n, struct fixed_layout *ret) {
        struct ruleset *rs = c->rs;
        *ret = (struct fixed_layout) {.years = {rs->year_first, rs->year_last}, .line = yamldoc_line(n)};
        if (!yamldoc_is_mapping(&c->yd, n, "a layout"))
                return;
        static const char *const keys[] = {"berichtsjahre", "record_length", "record_type", "fields"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "a layout");
        int64_t len;
        if (v[0])
                compile_year_range(c, v[0], "a layout's berichtsjahre", &ret->years);
        if (!v[1] || !yamldoc_get_int(&c->yd, v[1], 1, RECORD_LENGTH_MAX, &len, "record_length")) {
                if (!v[1])
                        yamldoc_error(&c->yd, n, "a layout needs its record_length");
                return;
        }
        ret->reader.record_length = (unsigned) len;
        _cleanup_(freep) unsigned char *taken = calloc((size_t) len, 1);
        if (!taken) {
                c->nomem = true;
                return;
        }
        compile_record_type(c, n, v[2], taken, &ret->reader);
        compile_layout_fields(c, n, v[3], taken, &ret->reader);
        check_required_columns(c, n, &ret->reader);
}

static void compile_layouts(struct compiler *c, yaml_node_t *format, yaml_node_t *n) {
        struct pack_input *in = &c->rs->input;
        if (!n) {
                yamldoc_error(&c->yd, format, "input format fixed needs its layouts");
                return;
        }
        if (!yamldoc_is_sequence(&c->yd, n, "layouts"))
                return;
        size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
        in->layouts = arena_array(c->rs->arena, count ? count : 1, sizeof(*in->layouts));
        if (!in->layouts) {
                c->nomem = true;
                return;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *ln = yamldoc_node(&c->yd, *it);
                if (!ln)
                        continue;
                struct fixed_layout *l = &in->layouts[in->nlayouts];
                compile_layout(c, ln, l);
                for (unsigned k = 0; k < in->nlayouts; k++)
                        if (l->years.from <= in->layouts[k].years.to && in->layouts[k].years.from <= l->years.to)
                                yamldoc_error(&c->yd, ln, "the layout's Berichtsjahre overlap those of the layout in line %u",
                                              in->layouts[k].line);
                in->nlayouts++;
        }
}

/* ---- formats ---- */

static void compile_delimiter(struct compiler *c, yaml_node_t *n) {
        const char *d = yamldoc_scalar(&c->yd, n, "input.delimiter");
        if (!d)
                return;
        if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0)
                d = "\t";
        if (strlen(d) != 1 || *d == '"' || *d == '\n' || *d == '\r' || (unsigned char) *d >= 0x80)
                yamldoc_error(&c->yd, n, "input.delimiter must be one ASCII character other than a quote or line break");
        else
                c->rs->input.csv_options.delimiter = *d;
}

/* The Berichtsjahr's pattern is tried once here, so that a broken one is the pack's error,
 * not every file's. */
static void compile_year_pattern(struct compiler *c, yaml_node_t *n) {
        const char *p = yamldoc_scalar(&c->yd, n, "berichtsjahr_from_name");
        if (!p)
                return;
        char why[128];
        int e = checker_year_pattern_check(p, why, sizeof(why));
        if (e == -ENOMEM)
                c->nomem = true;
        else if (e < 0)
                yamldoc_error(&c->yd, n, "berichtsjahr_from_name: %s", why);
        else
                c->rs->input.year_pattern = compiler_strdup(c, p);
}

enum { K_FORMAT, K_DELIMITER, K_ENCODING, K_YEAR_PATTERN, K_LAYOUTS, _K_FORMAT_MAX };

static void compile_csv(struct compiler *c, yaml_node_t *n, yaml_node_t **v) {
        struct pack_input *in = &c->rs->input;
        if (v[K_YEAR_PATTERN] || v[K_LAYOUTS])
                yamldoc_error(&c->yd, n, "berichtsjahr_from_name and layouts are keys of format fixed, not csv");
        compile_delimiter(c, v[K_DELIMITER]);
        const char *e = yamldoc_scalar(&c->yd, v[K_ENCODING], "input.encoding");
        if (e && reader_encoding_from_name(e, &in->csv_options.encoding) < 0)
                yamldoc_error(&c->yd, v[K_ENCODING], "input.encoding must be auto, utf-8, windows-1252, iso-8859-15 or iso-8859-1, not '%s'", e);
        in->csv = true;
}

static void compile_fixed(struct compiler *c, yaml_node_t *n, yaml_node_t **v) {
        struct pack_input *in = &c->rs->input;
        if (v[K_DELIMITER])
                yamldoc_error(&c->yd, v[K_DELIMITER], "a fixed-width record has no delimiter");
        in->fixed_encoding = READER_ENCODING_ISO_8859_1;
        const char *e = yamldoc_scalar(&c->yd, v[K_ENCODING], "input.encoding");
        if (e && (reader_encoding_from_name(e, &in->fixed_encoding) < 0 || in->fixed_encoding == READER_ENCODING_AUTO ||
                  in->fixed_encoding == READER_ENCODING_UTF8))
                yamldoc_error(&c->yd, v[K_ENCODING], "positions count bytes: a fixed-width record's encoding must be iso-8859-1, iso-8859-15 or windows-1252, not '%s'", e);
        compile_year_pattern(c, v[K_YEAR_PATTERN]);
        compile_layouts(c, n, v[K_LAYOUTS]);
        in->fixed = true;
}

static void compile_format(struct compiler *c, yaml_node_t *n) {
        struct pack_input *in = &c->rs->input;
        if (!yamldoc_is_mapping(&c->yd, n, "input"))
                return;
        static const char *const keys[_K_FORMAT_MAX] = {"format", "delimiter", "encoding", "berichtsjahr_from_name", "layouts"};
        yaml_node_t *v[_K_FORMAT_MAX];
        yamldoc_take_keys(&c->yd, n, keys, _K_FORMAT_MAX, v, "input");
        const char *format = v[K_FORMAT] ? yamldoc_scalar(&c->yd, v[K_FORMAT], "input.format") : "csv";
        if (!format)
                return;
        bool csv = strcmp(format, "csv") == 0, fixed = strcmp(format, "fixed") == 0;
        if (!csv && !fixed)
                yamldoc_error(&c->yd, v[K_FORMAT], "input.format must be csv or fixed, not '%s'", format);
        else if ((csv && in->csv) || (fixed && in->fixed))
                yamldoc_error(&c->yd, n, "input: format %s is declared twice", format);
        else if (csv)
                compile_csv(c, n, v);
        else
                compile_fixed(c, n, v);
}

void compile_input(struct compiler *c, const yaml_node_t *n) {
        struct pack_input *in = &c->rs->input;
        in->csv_options = (struct reader_options) {.format = READER_FORMAT_CSV, .delimiter = ';', .encoding = READER_ENCODING_AUTO};
        if (!n) {
                in->csv = true;
                return;
        }
        if (n->type != YAML_SEQUENCE_NODE) {
                compile_format(c, (yaml_node_t *) n);
                return;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *f = yamldoc_node(&c->yd, *it);
                if (f)
                        compile_format(c, f);
        }
        if (!in->csv && !in->fixed)
                yamldoc_error(&c->yd, n, "input lists no format");
}

/* A fixed-width file's own findings need their rules, and the wrong length its own words. */
void compile_input_rules(struct compiler *c) {
        const struct ruleset *rs = c->rs;
        if (!rs->input.fixed)
                return;
        static const struct {
                enum builtin b;
                const char *name;
        } needed[] = {{BUILTIN_FIELD_COUNT, "field_count"}, {BUILTIN_RECORD_TYPE, "record_type"},
                      {BUILTIN_DELIVERY_YEAR, "delivery_year"}, {BUILTIN_ENCODING, "encoding"}};
        for (size_t i = 0; i < ELEMENTSOF(needed); i++) {
                int r = rs->builtin_rule[needed[i].b];
                if (r < 0)
                        yamldoc_error(&c->yd, NULL, "input format fixed needs a rule with builtin %s", needed[i].name);
                else if (needed[i].b == BUILTIN_FIELD_COUNT && rs->rules[r].message_fixed.n == 0)
                        compiler_error(c, rs->rules[r].line, 0,
                                       "rule %s: with input format fixed its message needs the words for a record too long: message: {csv: …, fixed: …}",
                                       rs->rules[r].id);
        }
}
