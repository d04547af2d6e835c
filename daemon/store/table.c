/*
 * The storage shape of a data set (see table.h). Derived from the compiled pack once per
 * pack; table_values() runs per record and allocates nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "table.h"

static enum column_type column_type_of(const struct ruleset *rs, unsigned f) {
        switch (ruleset_field_type(rs, f)) {
        case FIELD_MONTH:
                return COLUMN_DATE;
        case FIELD_DATE:
                return COLUMN_DAY;
        case FIELD_INTEGER:
                return COLUMN_INTEGER;
        case FIELD_DECIMAL:
                return COLUMN_NUMERIC;
        case FIELD_DIGITS:
                return (int) f == ruleset_year_field(rs) ? COLUMN_INTEGER : COLUMN_TEXT;
        case FIELD_CODE:
        case FIELD_TEXT:
                break;
        }
        return COLUMN_TEXT;
}

static bool clean(const char *s) {
        return strpbrk(s, "\\\t\r\n") == NULL;
}

static bool all_clean(const char *const *values, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                if (!clean(values[i]))
                        return false;
        return true;
}

/* Whether every value a column can hold is free of the characters COPY escapes: the
 * field's own column (h < 0), or level `level` of hierarchy h. */
static bool plain_values(const struct ruleset *rs, unsigned f, int h, unsigned level) {
        unsigned n;
        if (h >= 0) {
                const char *const *values = ruleset_level_values(rs, (unsigned) h, level, &n);
                return all_clean(values, n);
        }
        if (ruleset_field_type(rs, f) == FIELD_DIGITS)
                return true;
        if (ruleset_field_type(rs, f) != FIELD_CODE)
                return false;
        const char *const *codes = ruleset_codelist_codes(rs, (unsigned) ruleset_field_codelist(rs, f), &n);
        return all_clean(codes, n);
}

int table_new(const struct ruleset *rs, struct table **ret) {
        unsigned nfields = ruleset_field_count(rs), nhier = ruleset_hierarchy_count(rs);
        bool fixed = checker_reads(rs, CHECKER_FORMAT_FIXED);
        unsigned n = nfields + fixed;
        size_t names = 0;
        for (unsigned h = 0; h < nhier; h++) {
                unsigned nlevels;
                const char *const *levels = ruleset_hierarchy_levels(rs, h, &nlevels);
                const char *field = ruleset_field_name(rs, ruleset_hierarchy_field(rs, h));
                n += nlevels;
                for (unsigned l = 0; l < nlevels; l++)
                        names += strlen(field) + 1 + strlen(levels[l]) + 1;
        }
        /* One block: the struct, the columns, then the level columns' names. */
        struct table *t = calloc(1, sizeof(*t) + n * sizeof(struct column) + names);
        if (!t)
                return -ENOMEM;
        t->name = ruleset_name(rs);
        t->rs = rs;
        /* Field k is column k, so field indices serve as column indices. */
        t->unit = ruleset_delivery_unit(rs, &t->nunit);
        t->year = ruleset_year_field(rs);
        t->part = ruleset_delivery_part(rs);
        t->columns = (struct column *) (t + 1);
        char *p = (char *) (t->columns + n);
        for (unsigned f = 0; f < nfields; f++)
                t->columns[t->ncolumns++] = (struct column) {
                        .name = ruleset_field_name(rs, f), .type = column_type_of(rs, f), .field = f, .level = -1,
                        .stored = true, .plain = plain_values(rs, f, -1, 0)};
        for (unsigned h = 0; h < nhier; h++) {
                unsigned nlevels, field = ruleset_hierarchy_field(rs, h);
                const char *const *levels = ruleset_hierarchy_levels(rs, h, &nlevels);
                for (unsigned l = 0; l < nlevels; l++) {
                        int len = sprintf(p, "%s_%s", ruleset_field_name(rs, field), levels[l]);
                        t->columns[t->ncolumns++] = (struct column) {
                                .name = p, .type = COLUMN_TEXT, .field = field, .level = (int) l,
                                .plain = plain_values(rs, field, (int) h, l)};
                        p += len + 1;
                }
        }
        t->record_text = -1;
        if (fixed) {
                t->record_text = (int) t->ncolumns;
                t->columns[t->ncolumns++] = (struct column) {
                        .name = TABLE_RECORD_TEXT, .type = COLUMN_TEXT, .field = 0, .level = -1, .stored = true,
                        .record_text = true};
        }
        *ret = t;
        return 0;
}

void table_free(struct table *t) {
        free(t);
}

void table_values(const struct table *t, const struct ruleset *rs, const struct field_value *values,
                  struct column_value *out) {
        (void) rs;
        for (unsigned k = 0; k < t->ncolumns; k++) {
                const struct column *col = &t->columns[k];
                const struct field_value *v = &values[col->field];
                struct column_value *o = &out[k];
                if (!col->stored)
                        continue;
                if (col->record_text) {
                        *o = (struct column_value) {.null = true};
                        continue;
                }
                /* An invalid value never reaches a loaded record with the usual builtins
                 * (P02/P03 reject it); a pack without them stores it as NULL, not as a guess. */
                if (v->state != FV_OK) {
                        *o = (struct column_value) {.null = true};
                        continue;
                }
                switch (col->type) {
                case COLUMN_INTEGER:
                case COLUMN_DATE:
                case COLUMN_DAY:
                        *o = (struct column_value) {.i = v->i};
                        break;
                case COLUMN_NUMERIC:
                        /* The decoder's canonical text of the number (decode.c). */
                        *o = (struct column_value) {.s = v->s, .len = v->len};
                        break;
                case COLUMN_TEXT:
                        /* A valid code's text is already the code as listed (restored zeros). */
                        *o = (struct column_value) {.s = v->s, .len = v->len};
                        break;
                }
        }
}

int table_each_code(const struct ruleset *rs, int (*fn)(void *userdata, const struct code_entry *e), void *userdata) {
        for (unsigned l = 0; l < ruleset_codelist_count(rs); l++) {
                unsigned n;
                const char *const *codes = ruleset_codelist_codes(rs, l, &n);
                const char *const *labels = ruleset_codelist_labels(rs, l, &n);
                for (unsigned k = 0; k < n; k++) {
                        struct code_entry e = {.list = ruleset_codelist_name(rs, l), .code = codes[k], .label = labels[k]};
                        int r = fn(userdata, &e);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* The cases of a decided level as two parallel lists: by_field's codes and their values. */
static int choice_cases(const struct ruleset *rs, const struct level_choice *ch, const char *const *values,
                        struct hierarchy_entry *e, const char ***ret_codes, const char ***ret_values) {
        unsigned n;
        const char *const *by = ruleset_codelist_codes(rs, (unsigned) ruleset_field_codelist(rs, (unsigned) ch->by_field), &n);
        _cleanup_(freep) const char **codes = calloc(n + 1, sizeof(*codes));
        _cleanup_(freep) const char **vals = calloc(n + 1, sizeof(*vals));
        if (!codes || !vals)
                return -ENOMEM;
        e->by_field = ruleset_field_name(rs, (unsigned) ch->by_field);
        for (unsigned c = 0; c < n; c++)
                if (ch->cases[c] >= 0) {
                        codes[e->ncases] = by[c];
                        vals[e->ncases++] = values[ch->cases[c]];
                }
        e->case_codes = codes;
        e->case_values = vals;
        *ret_codes = TAKE_PTR(codes);
        *ret_values = TAKE_PTR(vals);
        return 0;
}

int table_each_hierarchy_entry(const struct ruleset *rs, int (*fn)(void *userdata, const struct hierarchy_entry *e),
                               void *userdata) {
        for (unsigned h = 0; h < ruleset_hierarchy_count(rs); h++) {
                unsigned field = ruleset_hierarchy_field(rs, h), ncodes, nlevels;
                const char *const *codes =
                        ruleset_codelist_codes(rs, (unsigned) ruleset_field_codelist(rs, field), &ncodes);
                const char *const *levels = ruleset_hierarchy_levels(rs, h, &nlevels);
                for (unsigned k = 0; k < ncodes; k++)
                        for (unsigned l = 0; l < nlevels; l++) {
                                unsigned nvalues;
                                const char *const *values = ruleset_level_values(rs, h, l, &nvalues);
                                const struct level_choice *ch = ruleset_level_choice(rs, h, k, l);
                                struct hierarchy_entry e = {
                                        .hierarchy = ruleset_hierarchy_name(rs, h), .field = ruleset_field_name(rs, field),
                                        .code = codes[k], .level = levels[l],
                                        .value = ch->value >= 0 ? values[ch->value] : NULL};
                                _cleanup_(freep) const char **case_codes = NULL;
                                _cleanup_(freep) const char **case_values = NULL;
                                if (ch->by_field >= 0) {
                                        int r = choice_cases(rs, ch, values, &e, &case_codes, &case_values);
                                        if (r < 0)
                                                return r;
                                }
                                int r = fn(userdata, &e);
                                if (r < 0)
                                        return r;
                        }
        }
        return 0;
}
