/*
 * The storage shape of a data set (see table.h). Derived from the compiled pack once per
 * pack; table_values() runs per record and allocates nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "table.h"

static enum column_type column_type_of(const struct ruleset *rs, unsigned f) {
        switch (rs->fields[f].type) {
        case FIELD_MONTH:
                return COLUMN_DATE;
        case FIELD_INTEGER:
                return COLUMN_INTEGER;
        case FIELD_DIGITS:
                return (int) f == rs->year_field ? COLUMN_INTEGER : COLUMN_TEXT;
        case FIELD_CODE:
        case FIELD_TEXT:
                break;
        }
        return COLUMN_TEXT;
}

static bool clean(const char *s) {
        return strpbrk(s, "\\\t\r\n") == NULL;
}

/* Whether every value a column can hold is free of the characters COPY escapes. */
static bool plain_values(const struct ruleset *rs, unsigned f, int level) {
        const struct field *fd = &rs->fields[f];
        if (level >= 0) {
                const struct hierarchy *h = fd->hierarchy;
                for (unsigned i = 0; i < h->nvalues[level]; i++)
                        if (!clean(h->values[level][i]))
                                return false;
                return true;
        }
        if (fd->type == FIELD_DIGITS)
                return true;
        if (fd->type != FIELD_CODE)
                return false;
        for (unsigned i = 0; i < fd->codes->n; i++)
                if (!clean(fd->codes->codes[i]))
                        return false;
        return true;
}

int table_new(const struct ruleset *rs, struct table **ret) {
        unsigned n = rs->nfields;
        size_t names = 0;
        for (unsigned h = 0; h < rs->nhierarchies; h++) {
                const struct hierarchy *hy = &rs->hierarchies[h];
                n += hy->nlevels;
                for (unsigned l = 0; l < hy->nlevels; l++)
                        names += strlen(rs->fields[hy->field].name) + 1 + strlen(hy->levels[l]) + 1;
        }
        /* One block: the struct, the columns, then the level columns' names. */
        struct table *t = calloc(1, sizeof(*t) + n * sizeof(struct column) + names);
        if (!t)
                return -ENOMEM;
        t->name = rs->name;
        t->rs = rs;
        /* Field k is column k, so field indices serve as column indices. */
        t->unit = rs->unit;
        t->nunit = rs->has_delivery ? rs->nunit : 0;
        t->year = rs->year_field;
        t->part = rs->has_delivery ? rs->part_field : -1;
        t->columns = (struct column *) (t + 1);
        char *p = (char *) (t->columns + n);
        for (unsigned f = 0; f < rs->nfields; f++)
                t->columns[t->ncolumns++] = (struct column) {
                        .name = rs->fields[f].name, .type = column_type_of(rs, f), .field = f, .level = -1,
                        .stored = true, .plain = plain_values(rs, f, -1)};
        for (unsigned h = 0; h < rs->nhierarchies; h++) {
                const struct hierarchy *hy = &rs->hierarchies[h];
                for (unsigned l = 0; l < hy->nlevels; l++) {
                        int len = sprintf(p, "%s_%s", rs->fields[hy->field].name, hy->levels[l]);
                        t->columns[t->ncolumns++] = (struct column) {
                                .name = p, .type = COLUMN_TEXT, .field = hy->field, .level = (int) l,
                                .plain = plain_values(rs, hy->field, (int) l)};
                        p += len + 1;
                }
        }
        *ret = t;
        return 0;
}

void table_free(struct table *t) {
        free(t);
}

void table_values(const struct table *t, const struct ruleset *rs, const struct field_value *values,
                  struct column_value *out) {
        for (unsigned k = 0; k < t->ncolumns; k++) {
                const struct column *col = &t->columns[k];
                const struct field *fd = &rs->fields[col->field];
                const struct field_value *v = &values[col->field];
                struct column_value *o = &out[k];
                if (!col->stored)
                        continue;
                /* An invalid value never reaches a loaded record with the usual builtins
                 * (P02/P03 reject it); a pack without them stores it as NULL, not as a guess. */
                if (v->state != FV_OK) {
                        *o = (struct column_value) {.null = true};
                        continue;
                }
                switch (col->type) {
                case COLUMN_INTEGER:
                case COLUMN_DATE:
                        *o = (struct column_value) {.i = v->i};
                        break;
                case COLUMN_TEXT:
                        if (fd->type == FIELD_CODE) {
                                o->null = false;
                                o->s = fd->codes->codes[v->i];
                                o->len = fd->codes->lens[v->i];
                        } else
                                *o = (struct column_value) {.s = v->s, .len = v->len};
                        break;
                }
        }
}

int table_each_code(const struct ruleset *rs, int (*fn)(void *userdata, const struct code_entry *e), void *userdata) {
        for (unsigned l = 0; l < rs->ncodelists; l++) {
                const struct codelist *cl = &rs->codelists[l];
                for (unsigned k = 0; k < cl->n; k++) {
                        struct code_entry e = {.list = cl->name, .code = cl->codes[k], .label = cl->labels[k]};
                        int r = fn(userdata, &e);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int table_each_hierarchy_entry(const struct ruleset *rs, int (*fn)(void *userdata, const struct hierarchy_entry *e),
                               void *userdata) {
        for (unsigned h = 0; h < rs->nhierarchies; h++) {
                const struct hierarchy *hy = &rs->hierarchies[h];
                const struct codelist *cl = rs->fields[hy->field].codes;
                for (unsigned k = 0; k < cl->n; k++)
                        for (unsigned l = 0; l < hy->nlevels; l++) {
                                const struct level_choice *ch = &hy->choices[k * hy->nlevels + l];
                                struct hierarchy_entry e = {
                                        .hierarchy = hy->name, .field = rs->fields[hy->field].name,
                                        .code = cl->codes[k], .level = hy->levels[l],
                                        .value = ch->value >= 0 ? hy->values[l][ch->value] : NULL};
                                const char **codes = NULL, **vals = NULL;
                                if (ch->by_field >= 0) {
                                        const struct codelist *by = rs->fields[ch->by_field].codes;
                                        e.by_field = rs->fields[ch->by_field].name;
                                        codes = calloc(by->n + 1, sizeof(*codes));
                                        vals = calloc(by->n + 1, sizeof(*vals));
                                        if (!codes || !vals) {
                                                free(codes);
                                                free(vals);
                                                return -ENOMEM;
                                        }
                                        for (unsigned c = 0; c < by->n; c++)
                                                if (ch->cases[c] >= 0) {
                                                        codes[e.ncases] = by->codes[c];
                                                        vals[e.ncases++] = hy->values[l][ch->cases[c]];
                                                }
                                        e.case_codes = codes;
                                        e.case_values = vals;
                                }
                                int r = fn(userdata, &e);
                                free(codes);
                                free(vals);
                                if (r < 0)
                                        return r;
                        }
        }
        return 0;
}
