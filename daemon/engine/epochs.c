/*
 * Berichtsjahre: the year ranges that codes, a field's required and rules may carry
 * (berichtsjahre: [from, to]), and the epochs they are resolved into.
 *
 * Laws change code lists and duties from one Berichtsjahr on, so a pack that serves
 * 2015-2030 must check a 2016 record with the codes of 2016. Resolving that per record
 * would put a year comparison into every code look-up and every rule. Instead the
 * compiler cuts the pack's years into epochs at every year where some range starts or
 * ends; inside an epoch every range either holds or does not. Each epoch gets its own
 * copy of the fields (required decided, code fields pointing at a copy of their list whose
 * direct table lacks the codes that do not hold) and a bit set of the rules that hold.
 * The checker finds a record's epoch with one look-up by its year; nothing else per record
 * changes. A pack without ranges has one epoch, which is the pack itself.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

static bool in_range(struct year_range r, int year) {
        return r.from <= year && year <= r.to;
}

bool compile_year_range(struct compiler *c, yaml_node_t *n, const char *what, struct year_range *ret) {
        const struct ruleset *rs = c->rs;
        if (!yamldoc_is_sequence(&c->yd, n, what))
                return false;
        yaml_node_item_t *it = n->data.sequence.items.start;
        int64_t a, b;
        if (n->data.sequence.items.top - it != 2) {
                yamldoc_error(&c->yd, n, "%s must be [first, last]", what);
                return false;
        }
        if (!yamldoc_get_int(&c->yd, yamldoc_node(&c->yd, it[0]), 1900, 2100, &a, "the first Berichtsjahr") ||
            !yamldoc_get_int(&c->yd, yamldoc_node(&c->yd, it[1]), 1900, 2100, &b, "the last Berichtsjahr"))
                return false;
        if (a > b) {
                yamldoc_error(&c->yd, n, "%s: %lld comes after %lld", what, (long long) a, (long long) b);
                return false;
        }
        if (a < rs->year_first || b > rs->year_last) {
                yamldoc_error(&c->yd, n, "%s [%lld, %lld] must lie within dataset.berichtsjahre [%d, %d]", what,
                              (long long) a, (long long) b, rs->year_first, rs->year_last);
                return false;
        }
        /* Resolving needs each record's year: compile_epochs() checks for the year field. */
        if (!c->first_range)
                c->first_range = n;
        *ret = (struct year_range) {.from = (int) a, .to = (int) b};
        return true;
}

/* Marks where r starts and where it ends in starts[year - year_first]. */
static void mark(const struct ruleset *rs, bool *starts, struct year_range r) {
        if (r.from > r.to)
                return;
        starts[r.from - rs->year_first] = true;
        if (r.to < rs->year_last)
                starts[r.to + 1 - rs->year_first] = true;
}

/* Every year where something starts or stops holding begins an epoch. */
static void mark_boundaries(const struct ruleset *rs, bool *starts) {
        starts[0] = true;
        for (unsigned i = 0; i < rs->ncodelists; i++)
                for (unsigned k = 0; rs->codelists[i].years && k < rs->codelists[i].n; k++)
                        mark(rs, starts, rs->codelists[i].years[k]);
        for (unsigned f = 0; f < rs->nfields; f++)
                mark(rs, starts, rs->fields[f].required_years);
        for (unsigned i = 0; i < rs->nrules; i++)
                mark(rs, starts, rs->rules[i].years);
}

/* The epoch's copy of a list with years: the same codes and indices, but a code that does
 * not hold in the epoch is not found. */
static const struct codelist *epoch_list(struct compiler *c, const struct codelist *cl, int year) {
        struct arena *a = c->rs->arena;
        struct codelist *copy = arena_array(a, 1, sizeof(*copy));
        bool *valid = arena_array(a, cl->n, sizeof(*valid));
        if (!copy || !valid) {
                c->nomem = true;
                return cl;
        }
        *copy = *cl;
        for (unsigned k = 0; k < cl->n; k++)
                valid[k] = in_range(cl->years[k], year);
        copy->valid = valid;
        if (cl->direct) {
                unsigned size = 1;
                for (unsigned i = 0; i < cl->common_len; i++)
                        size *= 10;
                int16_t *direct = arena_array(a, size, sizeof(*direct));
                if (!direct) {
                        c->nomem = true;
                        return cl;
                }
                for (unsigned v = 0; v < size; v++)
                        direct[v] = cl->direct[v] >= 0 && valid[cl->direct[v]] ? cl->direct[v] : -1;
                copy->direct = direct;
        }
        return copy;
}

static void build_epoch(struct compiler *c, struct epoch *ep, const struct codelist **lists, bool any_rule_years) {
        struct ruleset *rs = c->rs;
        struct field *fields = arena_array(rs->arena, rs->nfields, sizeof(*fields));
        if (!fields) {
                c->nomem = true;
                return;
        }
        for (unsigned i = 0; i < rs->ncodelists; i++)
                lists[i] = rs->codelists[i].years ? epoch_list(c, &rs->codelists[i], ep->first) : &rs->codelists[i];
        for (unsigned f = 0; f < rs->nfields; f++) {
                fields[f] = rs->fields[f];
                fields[f].required = in_range(fields[f].required_years, ep->first);
                if (fields[f].codes)
                        fields[f].codes = lists[fields[f].codes - rs->codelists];
        }
        ep->fields = fields;
        if (!any_rule_years)
                return;
        uint64_t *bits = arena_array(rs->arena, rs->nrules / 64 + 1, sizeof(*bits));
        if (!bits) {
                c->nomem = true;
                return;
        }
        for (unsigned i = 0; i < rs->nrules; i++)
                if (in_range(rs->rules[i].years, ep->first))
                        bits[i / 64] |= 1ull << (i % 64);
        ep->rules = bits;
}

/* Counts the epochs, numbers every year with its own and sets their years. */
static bool cut_epochs(struct compiler *c, const bool *starts, unsigned span) {
        struct ruleset *rs = c->rs;
        unsigned n = 0;
        for (unsigned y = 0; y < span; y++)
                n += starts[y];
        rs->epochs = arena_array(rs->arena, n, sizeof(*rs->epochs));
        rs->epoch_of_year = arena_array(rs->arena, span, sizeof(*rs->epoch_of_year));
        if (!rs->epochs || !rs->epoch_of_year) {
                c->nomem = true;
                return false;
        }
        rs->nepochs = n;
        unsigned e = 0;
        for (unsigned y = 0; y < span; y++) {
                if (y > 0 && starts[y])
                        e++;
                rs->epoch_of_year[y] = (uint8_t) e;
                if (y == 0 || starts[y])
                        rs->epochs[e].first = rs->year_first + (int) y;
                rs->epochs[e].last = rs->year_first + (int) y;
        }
        return true;
}

void compile_epochs(struct compiler *c) {
        struct ruleset *rs = c->rs;
        if (c->first_range && rs->year_field < 0) {
                yamldoc_error(&c->yd, c->first_range, "berichtsjahre here needs the data set's year field (dataset: year_field)");
                return;
        }
        /* A dataset.berichtsjahre whose first comes after its last is reported already. */
        if (rs->year_last < rs->year_first)
                return;
        /* dataset.berichtsjahre lies within 1900-2100, so there are at most 201 years:
         * an epoch number fits a byte. */
        unsigned span = (unsigned) (rs->year_last - rs->year_first + 1);
        _cleanup_(freep) bool *starts = calloc(span, sizeof(*starts));
        _cleanup_(freep) const struct codelist **lists = calloc(rs->ncodelists ? rs->ncodelists : 1, sizeof(*lists));
        if (!starts || !lists) {
                c->nomem = true;
                return;
        }
        mark_boundaries(rs, starts);
        if (!cut_epochs(c, starts, span))
                return;
        if (rs->nepochs == 1) {
                rs->epochs[0].fields = rs->fields;
                return;
        }
        bool any_rule_years = false;
        for (unsigned i = 0; i < rs->nrules; i++)
                any_rule_years |= rs->rules[i].years.from != rs->year_first || rs->rules[i].years.to != rs->year_last;
        for (unsigned e = 0; e < rs->nepochs && !c->nomem; e++)
                build_epoch(c, &rs->epochs[e], lists, any_rule_years);
}
