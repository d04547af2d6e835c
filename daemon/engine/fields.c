/*
 * The fields section and the sections that name fields: the key, the delivery (what one
 * delivery covers), the data set's year field and the report's grouping field. A field is
 * a column of the export with a type that decides how the checker decodes it (digits,
 * code, month, date, integer, decimal, text) and how the store keeps it.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "compiler.h"

enum {
        K_NAME, K_LABEL, K_ALIASES, K_TYPE, K_LENGTH, K_MAXLEN, K_MIN, K_MAX, K_CODES, K_ZEROS, K_COLUMN,
        K_REQUIRED, K_EMPTY_ALIAS, _K_FIELD_MAX,
};
static const char *const field_keys[_K_FIELD_MAX] = {
        "name", "label", "aliases", "type", "length", "max_length",
        "min", "max", "codes", "leading_zeros", "column", "required", "empty_alias",
};

/* True when a header name (field name or alias) is already taken by another field. */
static bool name_taken(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->nfields; i++) {
                if (strcasecmp(rs->fields[i].name, name) == 0)
                        return true;
                for (unsigned j = 0; j < rs->fields[i].naliases; j++)
                        if (strcasecmp(rs->fields[i].aliases[j], name) == 0)
                                return true;
        }
        return false;
}

/* Whether name can name a new field; reports why not. */
static bool field_name_ok(struct compiler *c, yaml_node_t *const *v, const char *name) {
        if (!yamldoc_is_identifier(name) || strlen(name) > 63) {
                yamldoc_error(&c->yd, v[K_NAME], "field name '%s' must be a lower-case identifier of at most 63 characters", name);
                return false;
        }
        /* The expression language's words: a field of that name could not be read. */
        if (strcmp(name, "report_end") == 0 || strcmp(name, "and") == 0 || strcmp(name, "or") == 0 ||
            strcmp(name, "not") == 0 || strcmp(name, "in") == 0) {
                yamldoc_error(&c->yd, v[K_NAME], "'%s' is a reserved word and cannot name a field", name);
                return false;
        }
        /* The columns plausid adds to every data set's table (store/table.c). */
        if (strcmp(name, "delivery_id") == 0 || strcmp(name, "line") == 0) {
                yamldoc_error(&c->yd, v[K_NAME], "'%s' is a column plausid adds to every table and cannot name a field",
                              name);
                return false;
        }
        if (name_taken(c->rs, name)) {
                yamldoc_error(&c->yd, v[K_NAME], "field or alias '%s' is defined twice", name);
                return false;
        }
        return true;
}

static void compile_aliases(struct compiler *c, struct field *f, yaml_node_t *n) {
        if (!n || !yamldoc_is_sequence(&c->yd, n, "aliases"))
                return;
        yaml_node_item_t *it = n->data.sequence.items.start;
        size_t na = (size_t) (n->data.sequence.items.top - it);
        f->aliases = arena_array(c->rs->arena, na ? na : 1, sizeof(char *));
        if (!f->aliases) {
                c->nomem = true;
                return;
        }
        for (size_t i = 0; i < na; i++) {
                yaml_node_t *an = yamldoc_node(&c->yd, it[i]);
                const char *a = yamldoc_scalar(&c->yd, an, "an alias");
                if (!a)
                        continue;
                if (!*a || name_taken(c->rs, a) || strcasecmp(a, f->name) == 0) {
                        yamldoc_error(&c->yd, an, "alias '%s' is empty or already names a field", a);
                        continue;
                }
                f->aliases[f->naliases++] = compiler_strdup(c, a);
        }
}

/* The type, and the limits that go with it. Returns whether the type was given and known
 * (t >= 0 in the messages below: an unknown type is reported once, not per limit). */
static bool compile_field_type(struct compiler *c, struct field *f, const yaml_node_t *n, yaml_node_t *const *v) {
        const char *name = f->name;
        const char *type = yamldoc_scalar(&c->yd, v[K_TYPE], "field type");
        static const char *const types[] = {[FIELD_DIGITS] = "digits", [FIELD_CODE] = "code", [FIELD_MONTH] = "month",
                                            [FIELD_DATE] = "date", [FIELD_INTEGER] = "integer", [FIELD_TEXT] = "text",
                                            [FIELD_DECIMAL] = "decimal"};
        int t = -1;
        for (unsigned i = 0; type && i < ELEMENTSOF(types); i++)
                if (strcmp(types[i], type) == 0)
                        t = (int) i;
        if (!v[K_TYPE])
                yamldoc_error(&c->yd, n, "field '%s' has no 'type'", name);
        else if (type && t < 0)
                yamldoc_error(&c->yd, v[K_TYPE], "field '%s': type must be digits, code, month, date, integer, decimal or text, not '%s'", name, type);
        f->type = t < 0 ? FIELD_TEXT : (enum field_type) t;

        int64_t num;
        if (v[K_LENGTH]) {
                if (f->type != FIELD_DIGITS)
                        yamldoc_error(&c->yd, v[K_LENGTH], "field '%s': 'length' is only for digits fields", name);
                else if (yamldoc_get_int(&c->yd, v[K_LENGTH], 1, 18, &num, "length"))
                        f->length = (unsigned) num;
        } else if (f->type == FIELD_DIGITS && t >= 0)
                yamldoc_error(&c->yd, n, "digits field '%s' needs a 'length'", name);
        if (v[K_MAXLEN]) {
                if (f->type != FIELD_TEXT)
                        yamldoc_error(&c->yd, v[K_MAXLEN], "field '%s': 'max_length' is only for text fields", name);
                else if (yamldoc_get_int(&c->yd, v[K_MAXLEN], 1, 65536, &num, "max_length"))
                        f->max_length = (unsigned) num;
        }
        for (int which = 0; which < 2; which++) {
                yaml_node_t *vn = v[which ? K_MAX : K_MIN];
                if (!vn)
                        continue;
                if (f->type != FIELD_INTEGER && f->type != FIELD_DECIMAL)
                        yamldoc_error(&c->yd, vn, "field '%s': '%s' is only for integer and decimal fields", name,
                                      which ? "max" : "min");
                else if (yamldoc_get_int(&c->yd, vn, -1000000000000LL, 1000000000000LL, &num, which ? "max" : "min")) {
                        /* A decimal's limits are whole numbers, kept in its fixed point. */
                        if (f->type == FIELD_DECIMAL)
                                num *= RULESET_DECIMAL_SCALE;
                        if (which)
                                f->max = num;
                        else
                                f->min = num;
                }
        }
        if (f->min > f->max)
                yamldoc_error(&c->yd, n, "field '%s': min is greater than max", name);
        return t >= 0;
}

/* codes and leading_zeros. */
static void compile_field_codes(struct compiler *c, struct field *f, const yaml_node_t *n, yaml_node_t *const *v,
                                bool typed) {
        const char *name = f->name;
        const char *codes = yamldoc_scalar(&c->yd, v[K_CODES], "codes");
        if (f->type == FIELD_CODE && typed) {
                if (!v[K_CODES])
                        yamldoc_error(&c->yd, n, "code field '%s' needs 'codes' (the name of a code list)", name);
                else if (codes && !(f->codes = codelist_by_name(c->rs, codes)))
                        yamldoc_error(&c->yd, v[K_CODES], "field '%s': unknown code list '%s'", name, codes);
        } else if (v[K_CODES])
                yamldoc_error(&c->yd, v[K_CODES], "field '%s': 'codes' is only for code fields", name);
        const char *zeros = yamldoc_scalar(&c->yd, v[K_ZEROS], "leading_zeros");
        if (!zeros)
                return;
        if (strcmp(zeros, "restore") != 0 && strcmp(zeros, "keep") != 0)
                yamldoc_error(&c->yd, v[K_ZEROS], "leading_zeros must be 'restore' or 'keep', not '%s'", zeros);
        else if (strcmp(zeros, "restore") == 0) {
                if (f->type == FIELD_CODE && f->codes && (!f->codes->common_len || !f->codes->all_digits))
                        yamldoc_error(&c->yd, v[K_ZEROS],
                                      "field '%s': leading zeros can only be restored when all codes of list '%s' are digits of one length",
                                      name, f->codes->name);
                else if (f->type != FIELD_CODE && f->type != FIELD_DIGITS)
                        yamldoc_error(&c->yd, v[K_ZEROS], "field '%s': leading_zeros is only for digits and code fields", name);
                f->restore_zeros = true;
        }
}

/* required: true, false, or the Berichtsjahre [from, to] in which an empty value is P01. */
static void compile_required(struct compiler *c, struct field *f, yaml_node_t *n) {
        const struct ruleset *rs = c->rs;
        struct year_range all = {.from = rs->year_first, .to = rs->year_last};
        f->required_years = (struct year_range) {.from = 1, .to = 0};
        if (!n)
                return;
        if (n->type == YAML_SEQUENCE_NODE) {
                if (compile_year_range(c, n, "required", &f->required_years))
                        f->required = f->required_years.from == all.from && f->required_years.to == all.to;
                return;
        }
        if (yamldoc_get_bool(&c->yd, n, &f->required, "required") && f->required)
                f->required_years = all;
}

/* empty_alias: VALUE -- an exporter's way of writing "not given" that the field reads as
 * empty (uebernahme = 2 for "nein" where the statistic knows only 1 = ja and empty). A
 * value the field could hold would be silently erased, so only an invalid one may be an
 * alias; the file then gets one S08-like finding (builtin empty_alias) per field. */
static void compile_empty_alias(struct compiler *c, struct field *f, yaml_node_t *n) {
        const char *alias = yamldoc_scalar(&c->yd, n, "empty_alias");
        if (!alias)
                return;
        size_t len = strlen(alias);
        if (len == 0 || strspn(alias, " \t") == len) {
                yamldoc_error(&c->yd, n, "field '%s': empty_alias must be a value, not empty", f->name);
                return;
        }
        if (f->required_years.from <= f->required_years.to) {
                yamldoc_error(&c->yd, n, "field '%s': a required field cannot have an empty_alias (it would turn a value into a P01 finding)", f->name);
                return;
        }
        /* With leading zeros restored, "2" would be read as the code "02". */
        char padded[16];
        size_t common = f->codes ? f->codes->common_len : 0;
        bool pad = f->restore_zeros && common > len && common < sizeof(padded) && strspn(alias, "0123456789") == len;
        if (pad) {
                memset(padded, '0', common - len);
                memcpy(padded + common - len, alias, len + 1);
        }
        if (f->type == FIELD_CODE && f->codes &&
            (codelist_find(f->codes, alias, len) >= 0 || (pad && codelist_find(f->codes, padded, common) >= 0))) {
                yamldoc_error(&c->yd, n, "field '%s': empty_alias '%s' is a code of list '%s': a valid value cannot mean empty",
                              f->name, alias, f->codes->name);
                return;
        }
        if (f->type != FIELD_CODE) {
                yamldoc_error(&c->yd, n, "field '%s': empty_alias is only for code fields", f->name);
                return;
        }
        f->empty_alias = compiler_strdup(c, alias);
        f->empty_alias_len = len;
}

static void compile_field(struct compiler *c, const yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        yaml_node_t *v[_K_FIELD_MAX];
        if (!yamldoc_is_mapping(&c->yd, n, "a field"))
                return;
        yamldoc_take_keys(&c->yd, n, field_keys, ELEMENTSOF(field_keys), v, "a field");
        const char *name = yamldoc_scalar(&c->yd, v[K_NAME], "field name");
        if (!v[K_NAME]) {
                yamldoc_error(&c->yd, n, "field has no 'name'");
                return;
        }
        if (!name || !field_name_ok(c, v, name))
                return;
        struct field *f = &rs->fields[rs->nfields];
        *f = (struct field) {.line = yamldoc_line(n), .col = yamldoc_col(n), .column_required = true, .min = INT64_MIN, .max = INT64_MAX};
        f->name = compiler_strdup(c, name);
        if (!f->name)
                return;
        const char *label = yamldoc_scalar(&c->yd, v[K_LABEL], "field label");
        f->label = label ? compiler_strdup(c, label) : f->name;
        compile_aliases(c, f, v[K_ALIASES]);
        if (c->nomem)
                return;
        bool typed = compile_field_type(c, f, n, v);
        compile_field_codes(c, f, n, v, typed);
        const char *column = yamldoc_scalar(&c->yd, v[K_COLUMN], "column");
        if (column) {
                if (strcmp(column, "required") == 0)
                        f->column_required = true;
                else if (strcmp(column, "optional") == 0)
                        f->column_required = false;
                else
                        yamldoc_error(&c->yd, v[K_COLUMN], "column must be 'required' or 'optional', not '%s'", column);
        }
        compile_required(c, f, v[K_REQUIRED]);
        if (typed)
                compile_empty_alias(c, f, v[K_EMPTY_ALIAS]);
        rs->nfields++;
}

void compile_alias_rule(struct compiler *c) {
        const struct ruleset *rs = c->rs;
        for (unsigned f = 0; f < rs->nfields; f++)
                if (rs->fields[f].empty_alias && rs->builtin_rule[BUILTIN_EMPTY_ALIAS] < 0) {
                        compiler_error(c, rs->fields[f].line, rs->fields[f].col,
                                       "field '%s' has an empty_alias: the pack needs a rule with builtin empty_alias to report it",
                                       rs->fields[f].name);
                        return;
                }
}

void compile_fields(struct compiler *c, const yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        if (!n) {
                yamldoc_error(&c->yd, NULL, "the pack has no 'fields' section");
                return;
        }
        if (!yamldoc_is_sequence(&c->yd, n, "fields"))
                return;
        size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
        if (count > RULESET_MAX_FIELDS) {
                yamldoc_error(&c->yd, n, "too many fields (limit is %d)", RULESET_MAX_FIELDS);
                return;
        }
        if (count == 0) {
                yamldoc_error(&c->yd, n, "the pack declares no fields");
                return;
        }
        rs->fields = arena_array(rs->arena, count, sizeof(*rs->fields));
        if (!rs->fields) {
                c->nomem = true;
                return;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *f = yamldoc_node(&c->yd, *it);
                if (f)
                        compile_field(c, f);
        }
}

/* See compiler.h. 32 fields: more than any key or unit needs, and a list that long is
 * more likely a mistake. */
int compile_field_list(struct compiler *c, yaml_node_t *n, unsigned **ret, const char *what) {
        struct ruleset *rs = c->rs;
        if (!yamldoc_is_sequence(&c->yd, n, what))
                return -1;
        yaml_node_item_t *it = n->data.sequence.items.start;
        size_t count = (size_t) (n->data.sequence.items.top - it);
        if (count == 0 || count > 32) {
                yamldoc_error(&c->yd, n, "%s must list 1 to 32 fields", what);
                return -1;
        }
        unsigned *out = arena_array(rs->arena, count, sizeof(unsigned));
        if (!out) {
                c->nomem = true;
                return -1;
        }
        bool ok = true;
        for (size_t i = 0; i < count; i++) {
                yaml_node_t *fn = yamldoc_node(&c->yd, it[i]);
                const char *name = yamldoc_scalar(&c->yd, fn, "a field name");
                int f = name ? ruleset_field_find(rs, name) : -1;
                if (name && f < 0)
                        yamldoc_error(&c->yd, fn, "%s: unknown field '%s'", what, name);
                if (f < 0)
                        ok = false;
                else
                        out[i] = (unsigned) f;
        }
        if (!ok)
                return -1;
        *ret = out;
        return (int) count;
}

/* dataset.year_field names a field, so it is resolved after the fields section. */
void compile_year_field(struct compiler *c) {
        struct ruleset *rs = c->rs;
        yaml_node_t *n = c->year_field_node;
        if (!n)
                return;
        const char *name = yamldoc_scalar(&c->yd, n, "year_field");
        if (!name)
                return;
        int f = ruleset_field_find(rs, name);
        if (f < 0 || (rs->fields[f].type != FIELD_DIGITS && rs->fields[f].type != FIELD_INTEGER))
                yamldoc_error(&c->yd, n, "year_field '%s' must name a digits or integer field", name);
        else
                rs->year_field = f;
}

/* delivery: {unit: [fields], part: field} -- what one delivery covers (rules/README.md). */
void compile_delivery(struct compiler *c, yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        rs->part_field = -1;
        if (!n || !yamldoc_is_mapping(&c->yd, n, "delivery"))
                return;
        static const char *const keys[] = {"unit", "part"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "delivery");
        rs->has_delivery = true;
        if (!v[0])
                yamldoc_error(&c->yd, n, "delivery needs 'unit': the fields that name the reporting unit");
        else {
                int cnt = compile_field_list(c, v[0], &rs->unit, "delivery unit");
                if (cnt > 0)
                        rs->nunit = (unsigned) cnt;
        }
        if (v[1]) {
                const char *name = yamldoc_scalar(&c->yd, v[1], "delivery part");
                int f = name ? ruleset_field_find(rs, name) : -1;
                if (name && f < 0)
                        yamldoc_error(&c->yd, v[1], "delivery part: unknown field '%s'", name);
                else if (f >= 0 && rs->fields[f].type != FIELD_CODE)
                        yamldoc_error(&c->yd, v[1], "delivery part must be a code field ('%s' is not)", name);
                else
                        rs->part_field = f;
        }
        if (rs->year_field < 0)
                yamldoc_error(&c->yd, n, "delivery needs the data set's year field (dataset: year_field)");
}

/* report: {group: FIELD} -- the field a delivery report counts records and findings by
 * (the Sozialraum in hze); without it a report has no such section. */
void compile_report(struct compiler *c, yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        rs->report_group = -1;
        if (!n || !yamldoc_is_mapping(&c->yd, n, "report"))
                return;
        static const char *const keys[] = {"group"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "report");
        const char *name = yamldoc_scalar(&c->yd, v[0], "report group");
        if (!v[0])
                yamldoc_error(&c->yd, n, "report needs 'group': the field a delivery report counts records by");
        else if (name && (rs->report_group = ruleset_field_find(rs, name)) < 0)
                yamldoc_error(&c->yd, v[0], "report group: unknown field '%s'", name);
}

/* key: [fields] -- the record's key, joined with '-' in findings. */
void compile_key(struct compiler *c, yaml_node_t *n) {
        if (!n)
                return;
        int cnt = compile_field_list(c, n, &c->rs->key, "key");
        if (cnt > 0)
                c->rs->nkey = (unsigned) cnt;
}
