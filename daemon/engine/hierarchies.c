/*
 * The hierarchies section: a code field's codes classified on up to 8 levels (hilfeart ->
 * paragraph, setting), each level's value given per code, or decided per record by another
 * code field (by/cases/default). Rules read a level as field.level; the store derives one
 * column per level in the data set's view. Level values are interned per level, so a
 * level's value is an index the byte code compares as an integer.
 */
#include <string.h>

#include "compiler.h"

static int intern_level_value(struct compiler *c, struct hierarchy *h, unsigned level, const char *value, unsigned cap) {
        for (unsigned i = 0; i < h->nvalues[level]; i++)
                if (strcmp(h->values[level][i], value) == 0)
                        return (int) i;
        if (h->nvalues[level] == cap)
                return -1;
        h->values[level][h->nvalues[level]] = compiler_strdup(c, value);
        return (int) h->nvalues[level]++;
}

static void compile_level_choice(struct compiler *c, struct hierarchy *h, unsigned level, yaml_node_t *vn,
                                 struct level_choice *ch, unsigned cap) {
        struct ruleset *rs = c->rs;
        ch->by_field = -1;
        ch->value = -1;
        if (vn->type == YAML_SCALAR_NODE) {
                const char *s = yamldoc_scalar(&c->yd, vn, "a level value");
                if (s && (ch->value = intern_level_value(c, h, level, s, cap)) < 0)
                        yamldoc_error(&c->yd, vn, "too many distinct values for level '%s'", h->levels[level]);
                return;
        }
        if (!yamldoc_is_mapping(&c->yd, vn, "a level value"))
                return;
        static const char *const keys[] = {"by", "cases", "default"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, vn, keys, ELEMENTSOF(keys), v, "a decided level");
        const char *by = yamldoc_scalar(&c->yd, v[0], "by");
        const char *def = yamldoc_scalar(&c->yd, v[2], "default");
        if (!v[0] || !v[1] || !v[2]) {
                yamldoc_error(&c->yd, vn, "a decided level needs 'by', 'cases' and 'default'");
                return;
        }
        if (!by || !def)
                return;
        int bf = ruleset_field_find(rs, by);
        if (bf < 0 || rs->fields[bf].type != FIELD_CODE || !rs->fields[bf].codes) {
                yamldoc_error(&c->yd, v[0], "'by: %s' must name a code field", by);
                return;
        }
        ch->by_field = bf;
        if ((ch->value = intern_level_value(c, h, level, def, cap)) < 0)
                yamldoc_error(&c->yd, v[2], "too many distinct values for level '%s'", h->levels[level]);
        const struct codelist *cl = rs->fields[bf].codes;
        int *cases = arena_array(rs->arena, cl->n, sizeof(int));
        if (!cases) {
                c->nomem = true;
                return;
        }
        for (unsigned i = 0; i < cl->n; i++)
                cases[i] = -1;
        ch->cases = cases;
        if (!yamldoc_is_mapping(&c->yd, v[1], "cases"))
                return;
        for (yaml_node_pair_t *p = v[1]->data.mapping.pairs.start; p < v[1]->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(&c->yd, p->key), *val = yamldoc_node(&c->yd, p->value);
                const char *code = yamldoc_scalar(&c->yd, k, "a code"), *value = yamldoc_scalar(&c->yd, val, "a level value");
                if (!code || !value)
                        continue;
                int idx = codelist_find(cl, code, strlen(code));
                if (idx < 0) {
                        yamldoc_error(&c->yd, k, "'%s' is not a code of list '%s' (field %s)", code, cl->name, by);
                        continue;
                }
                if (cases[idx] >= 0)
                        yamldoc_error(&c->yd, k, "code '%s' appears twice in cases", code);
                if ((cases[idx] = intern_level_value(c, h, level, value, cap)) < 0)
                        yamldoc_error(&c->yd, val, "too many distinct values for level '%s'", h->levels[level]);
        }
}

/* codes: {CODE: {LEVEL: value or {by, cases, default}}}. */
static void compile_hierarchy_codes(struct compiler *c, struct hierarchy *h, yaml_node_t *n, const char *fname,
                                    unsigned cap) {
        const struct codelist *cl = c->rs->fields[h->field].codes;
        if (!yamldoc_is_mapping(&c->yd, n, "codes"))
                return;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *ck = yamldoc_node(&c->yd, p->key), *cv = yamldoc_node(&c->yd, p->value);
                const char *code = yamldoc_scalar(&c->yd, ck, "a code");
                if (!code || !cv)
                        continue;
                int idx = codelist_find(cl, code, strlen(code));
                if (idx < 0 || strcmp(cl->codes[idx], code) != 0) {
                        yamldoc_error(&c->yd, ck, "'%s' is not a code of list '%s' (field %s)", code, cl->name, fname);
                        continue;
                }
                if (!yamldoc_is_mapping(&c->yd, cv, "a code's levels"))
                        continue;
                for (yaml_node_pair_t *q = cv->data.mapping.pairs.start; q < cv->data.mapping.pairs.top; q++) {
                        yaml_node_t *lk = yamldoc_node(&c->yd, q->key), *lv = yamldoc_node(&c->yd, q->value);
                        const char *level = yamldoc_scalar(&c->yd, lk, "a level name");
                        if (!level || !lv)
                                continue;
                        int l = -1;
                        for (unsigned j = 0; j < h->nlevels; j++)
                                if (strcmp(h->levels[j], level) == 0)
                                        l = (int) j;
                        if (l < 0) {
                                yamldoc_error(&c->yd, lk, "hierarchy '%s' has no level '%s'", h->name, level);
                                continue;
                        }
                        struct level_choice *ch = &h->choices[(size_t) idx * h->nlevels + (size_t) l];
                        if (ch->value >= 0) {
                                yamldoc_error(&c->yd, lk, "level '%s' of code '%s' is given twice", level, code);
                                continue;
                        }
                        compile_level_choice(c, h, (unsigned) l, lv, ch, cap);
                }
        }
}

static void compile_hierarchy(struct compiler *c, const char *name, yaml_node_t *k, yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        if (!yamldoc_is_mapping(&c->yd, n, "a hierarchy"))
                return;
        static const char *const keys[] = {"field", "levels", "codes"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "a hierarchy");
        if (!v[0] || !v[1] || !v[2]) {
                yamldoc_error(&c->yd, n, "hierarchy '%s' needs 'field', 'levels' and 'codes'", name);
                return;
        }
        const char *fname = yamldoc_scalar(&c->yd, v[0], "field");
        if (!fname)
                return;
        int f = ruleset_field_find(rs, fname);
        if (f < 0 || rs->fields[f].type != FIELD_CODE || !rs->fields[f].codes) {
                yamldoc_error(&c->yd, v[0], "hierarchy '%s': '%s' is not a code field", name, fname);
                return;
        }
        if (rs->fields[f].hierarchy) {
                yamldoc_error(&c->yd, v[0], "field '%s' has a hierarchy already", fname);
                return;
        }
        if (!yamldoc_is_sequence(&c->yd, v[1], "levels"))
                return;
        struct hierarchy *h = &rs->hierarchies[rs->nhierarchies];
        h->name = compiler_strdup(c, name);
        h->field = (unsigned) f;
        yaml_node_item_t *it = v[1]->data.sequence.items.start;
        size_t nlevels = (size_t) (v[1]->data.sequence.items.top - it);
        if (nlevels == 0 || nlevels > 8) {
                yamldoc_error(&c->yd, v[1], "a hierarchy has 1 to 8 levels");
                return;
        }
        const struct codelist *cl = rs->fields[f].codes;
        unsigned cap = cl->n + 64;   /* a level has at most one value per code plus decided ones */
        h->levels = arena_array(rs->arena, nlevels, sizeof(char *));
        h->values = arena_array(rs->arena, nlevels, sizeof(char **));
        h->nvalues = arena_array(rs->arena, nlevels, sizeof(unsigned));
        h->choices = arena_array(rs->arena, (size_t) cl->n * nlevels, sizeof(*h->choices));
        if (!h->levels || !h->values || !h->nvalues || !h->choices) {
                c->nomem = true;
                return;
        }
        for (size_t i = 0; i < nlevels; i++) {
                yaml_node_t *ln = yamldoc_node(&c->yd, it[i]);
                const char *level = yamldoc_scalar(&c->yd, ln, "a level name");
                if (level && !yamldoc_is_identifier(level))
                        yamldoc_error(&c->yd, ln, "level name '%s' must be a lower-case identifier", level);
                for (size_t j = 0; level && j < i; j++)
                        if (h->levels[j] && strcmp(h->levels[j], level) == 0)
                                yamldoc_error(&c->yd, ln, "level '%s' appears twice", level);
                h->levels[i] = level ? compiler_strdup(c, level) : "?";
                if (!(h->values[i] = arena_array(rs->arena, cap, sizeof(char *)))) {
                        c->nomem = true;
                        return;
                }
                h->nlevels++;
        }
        for (size_t i = 0; i < (size_t) cl->n * nlevels; i++)
                h->choices[i] = (struct level_choice) {.by_field = -1, .value = -1};
        compile_hierarchy_codes(c, h, v[2], fname, cap);
        for (unsigned i = 0; i < cl->n; i++)
                for (unsigned l = 0; l < h->nlevels; l++)
                        if (h->choices[i * h->nlevels + l].value < 0) {
                                yamldoc_error(&c->yd, k, "hierarchy '%s': code '%s' has no value for level '%s'", name, cl->codes[i],
                                     h->levels[l]);
                                h->choices[i * h->nlevels + l].value = 0;
                                if (h->nvalues[l] == 0)
                                        h->values[l][h->nvalues[l]++] = "?";
                        }
        rs->fields[f].hierarchy = h;
        rs->nhierarchies++;
}

void compile_hierarchies(struct compiler *c, const yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        if (!n || !yamldoc_is_mapping(&c->yd, n, "hierarchies"))
                return;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        rs->hierarchies = arena_array(rs->arena, count ? count : 1, sizeof(*rs->hierarchies));
        if (!rs->hierarchies) {
                c->nomem = true;
                return;
        }
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yamldoc_node(&c->yd, p->key), *v = yamldoc_node(&c->yd, p->value);
                const char *name = yamldoc_scalar(&c->yd, k, "a hierarchy name");
                if (!name || !v)
                        continue;
                if (!yamldoc_is_identifier(name)) {
                        yamldoc_error(&c->yd, k, "hierarchy name '%s' must be a lower-case identifier", name);
                        continue;
                }
                bool twice = false;
                for (unsigned i = 0; i < rs->nhierarchies; i++)
                        twice |= strcmp(rs->hierarchies[i].name, name) == 0;
                if (twice) {
                        yamldoc_error(&c->yd, k, "hierarchy '%s' is defined twice", name);
                        continue;
                }
                compile_hierarchy(c, name, k, v);
        }
}

