/*
 * The codelists section: named lists of codes with German labels, compiled into sorted
 * lookup tables. A code is packed big-endian into 8 bytes, so a look-up is a binary search
 * over integers (codelist_find(), pack.c); all-digit codes of one length up to 4 get a
 * direct table as well, which is the common case in the Federal Statistical Office's
 * lists and turns the look-up into one index. A code that holds only in some Berichtsjahre
 * carries them; epochs.c turns that into per-epoch copies of the list.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

struct code_item {
        uint64_t key;
        const char *code, *label;
        struct year_range years;
        bool limited;           /* years is not every Berichtsjahr of the pack */
        const yaml_node_t *node;
};

static int cmp_code(const void *a, const void *b) {
        const struct code_item *x = a, *y = b;
        return x->key < y->key ? -1 : x->key > y->key;
}

static uint64_t pack8(const char *s) {
        uint64_t k = 0;
        size_t len = strlen(s);
        for (size_t i = 0; i < 8; i++)
                k = (k << 8) | (i < len ? (unsigned char) s[i] : 0);
        return k;
}

/* The direct table of an all-digit list of one length up to 4: value -> index, -1. */
static void build_direct(struct compiler *c, struct codelist *cl) {
        unsigned size = 1;
        for (unsigned i = 0; i < cl->common_len; i++)
                size *= 10;
        if (!(cl->direct = arena_array(c->rs->arena, size, sizeof(*cl->direct)))) {
                c->nomem = true;
                return;
        }
        for (unsigned i = 0; i < size; i++)
                cl->direct[i] = -1;
        for (unsigned i = 0; i < cl->n; i++) {
                /* All digits, at most 4 of them (checked by the caller): no overflow. */
                unsigned v = 0;
                for (const char *s = cl->codes[i]; *s; s++)
                        v = v * 10 + (unsigned) (*s - '0');
                cl->direct[v] = (int16_t) i;
        }
}

/* The years of each code, when some code holds only for some of the pack's years. */
static void fill_years(struct compiler *c, struct codelist *cl, const struct code_item *e, size_t m) {
        bool limited = false;
        for (size_t i = 0; i < m; i++)
                limited |= e[i].limited;
        if (!limited)
                return;
        if (!(cl->years = arena_array(c->rs->arena, m, sizeof(*cl->years)))) {
                c->nomem = true;
                return;
        }
        /* Duplicates were left out of the list: walk it in step with the items. */
        for (size_t i = 0, k = 0; i < m && k < cl->n; i++)
                if (e[i].key == cl->keys[k])
                        cl->years[k++] = e[i].years;
}

/* Fills cl from the m sorted items; a code given twice is an error. */
static void fill_codelist(struct compiler *c, struct codelist *cl, const struct code_item *e, size_t m) {
        struct ruleset *rs = c->rs;
        cl->keys = arena_array(rs->arena, m ? m : 1, sizeof(*cl->keys));
        cl->codes = arena_array(rs->arena, m ? m : 1, sizeof(*cl->codes));
        cl->labels = arena_array(rs->arena, m ? m : 1, sizeof(*cl->labels));
        cl->lens = arena_array(rs->arena, m ? m : 1, sizeof(*cl->lens));
        if (!cl->keys || !cl->codes || !cl->labels || !cl->lens) {
                c->nomem = true;
                return;
        }
        cl->common_len = m ? (unsigned) strlen(e[0].code) : 0;
        cl->all_digits = true;
        for (size_t i = 0; i < m; i++) {
                if (i > 0 && e[i].key == e[i - 1].key) {
                        yamldoc_error(&c->yd, e[i].node, "code '%s' appears twice in code list '%s'", e[i].code, cl->name);
                        continue;
                }
                if (strlen(e[i].code) != cl->common_len)
                        cl->common_len = 0;
                for (const char *s = e[i].code; *s; s++)
                        if (*s < '0' || *s > '9')
                                cl->all_digits = false;
                cl->keys[cl->n] = e[i].key;
                cl->codes[cl->n] = compiler_strdup(c, e[i].code);
                cl->labels[cl->n] = compiler_strdup(c, e[i].label);
                cl->lens[cl->n] = (uint8_t) strlen(e[i].code);
                cl->n++;
        }
        if (cl->all_digits && cl->common_len && cl->common_len <= 4)
                build_direct(c, cl);
        fill_years(c, cl, e, m);
}

/* A code's value: its label, or {label: ..., berichtsjahre: [from, to]} for a code that
 * holds only in some Berichtsjahre. Returns false after reporting an error. */
static bool compile_code_value(struct compiler *c, yaml_node_t *cv, struct code_item *item) {
        const struct ruleset *rs = c->rs;
        item->years = (struct year_range) {.from = rs->year_first, .to = rs->year_last};
        if (!cv || cv->type != YAML_MAPPING_NODE) {
                item->label = yamldoc_scalar(&c->yd, cv, "a code's label");
                return item->label != NULL;
        }
        static const char *const keys[] = {"label", "berichtsjahre"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, cv, keys, ELEMENTSOF(keys), v, "a code");
        if (!v[0]) {
                yamldoc_error(&c->yd, cv, "code '%s' has no 'label'", item->code);
                return false;
        }
        if (!(item->label = yamldoc_scalar(&c->yd, v[0], "a code's label")))
                return false;
        /* A wrong range is reported and the code kept for all years, so that rules naming
         * it report nothing more. */
        if (v[1] && compile_year_range(c, v[1], "berichtsjahre", &item->years))
                item->limited = item->years.from != rs->year_first || item->years.to != rs->year_last;
        return true;
}

/* One list: name k, codes v. */
static void compile_codelist(struct compiler *c, const yaml_node_t *k, const yaml_node_t *v, const char *name) {
        struct ruleset *rs = c->rs;
        if (!yamldoc_is_mapping(&c->yd, v, "a code list"))
                return;
        size_t ncodes = (size_t) (v->data.mapping.pairs.top - v->data.mapping.pairs.start);
        if (ncodes == 0) {
                yamldoc_error(&c->yd, v, "code list '%s' is empty", name);
                return;
        }
        if (ncodes > RULESET_MAX_CODES) {
                yamldoc_error(&c->yd, v, "code list '%s' has too many codes (limit is %d)", name, RULESET_MAX_CODES);
                return;
        }
        _cleanup_(freep) struct code_item *e = calloc(ncodes, sizeof(*e));
        if (!e) {
                c->nomem = true;
                return;
        }
        size_t m = 0;
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                yaml_node_t *ck = yamldoc_node(&c->yd, q->key), *cv = yamldoc_node(&c->yd, q->value);
                const char *code = yamldoc_scalar(&c->yd, ck, "a code");
                if (!code)
                        continue;
                struct code_item item = {.key = pack8(code), .code = code, .node = ck};
                if (!compile_code_value(c, cv, &item))
                        continue;
                size_t len = strlen(code);
                if (len == 0 || len > 8) {
                        yamldoc_error(&c->yd, ck, "code '%s' must have 1 to 8 characters", code);
                        continue;
                }
                e[m++] = item;
        }
        qsort(e, m, sizeof(*e), cmp_code);
        struct codelist *cl = &rs->codelists[rs->ncodelists++];
        cl->name = compiler_strdup(c, name);
        cl->line = yamldoc_line(k);
        fill_codelist(c, cl, e, m);
}

void compile_codelists(struct compiler *c, const yaml_node_t *n) {
        struct ruleset *rs = c->rs;
        if (!n || !yamldoc_is_mapping(&c->yd, n, "codelists"))
                return;
        size_t count = (size_t) (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        rs->codelists = arena_array(rs->arena, count ? count : 1, sizeof(*rs->codelists));
        if (!rs->codelists) {
                c->nomem = true;
                return;
        }
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !c->nomem; p++) {
                yaml_node_t *k = yamldoc_node(&c->yd, p->key), *v = yamldoc_node(&c->yd, p->value);
                const char *name = yamldoc_scalar(&c->yd, k, "a code list name");
                if (!name || !v)
                        continue;
                if (!yamldoc_is_identifier(name)) {
                        yamldoc_error(&c->yd, k, "code list name '%s' must be a lower-case identifier", name);
                        continue;
                }
                if (codelist_by_name(rs, name)) {
                        yamldoc_error(&c->yd, k, "code list '%s' is defined twice", name);
                        continue;
                }
                compile_codelist(c, k, v, name);
        }
}

const struct codelist *codelist_by_name(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->ncodelists; i++)
                if (strcmp(rs->codelists[i].name, name) == 0)
                        return &rs->codelists[i];
        return NULL;
}
