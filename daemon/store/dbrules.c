/*
 * The database rules' stage of a load (see dbrules.h): which unit-years each rule runs
 * for, and where its findings go. The kinds' SQL is in previous_year.c and linked.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "array.h"
#include "copy.h"
#include "db.h"
#include "dbrules.h"
#include "dbrules_impl.h"
#include "strbuf.h"

/* ---- sets of unit-years ---- */

int unit_year_set_add(struct unit_year_set *s, const char *unit, int64_t year) {
        for (size_t i = 0; i < s->n; i++)
                if (s->item[i].year == year && strcmp(s->item[i].unit, unit) == 0)
                        return 0;
        int r = ARRAY_GROW(s->item, s->n, s->cap);
        if (r < 0)
                return r;
        char *copy = strdup(unit);
        if (!copy)
                return -ENOMEM;
        s->item[s->n++] = (struct unit_year_item) {.unit = copy, .year = year};
        return 0;
}

void unit_year_set_done(struct unit_year_set *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->item[i].unit);
        free(s->item);
        *s = (struct unit_year_set) {0};
}

int unit_year_set_params(const struct unit_year_set *s, struct strbuf *units, struct strbuf *years) {
        int r = 0;
        for (size_t i = 0; i < s->n && r >= 0; i++) {
                r = db_array_add_text(units, s->item[i].unit);
                if (r >= 0)
                        r = db_array_add(years, s->item[i].year);
        }
        if (r >= 0)
                r = db_array_end(units);
        return r < 0 ? r : db_array_end(years);
}

/* ---- the stage ---- */

struct dbrules {
        PGconn *conn;
        const struct ruleset *rs;
        const struct table *t;
        const char *source;
        int64_t delivery;
        struct linked_defs linked;      /* the pack's linked rules, then other packs' that point here */
        struct unit_year_set *scope;    /* per linked rule: the owner's unit-years to evaluate */
        bool parts;                     /* the pack's rules across the parts run (parts.c) */
        int64_t *changed;               /* deliveries whose findings changed, each once */
        size_t nchanged, changed_cap;   /* grown with ARRAY_GROW */
};

int dbrules_new(PGconn *conn, const struct ruleset *rs, const struct table *t, const char *source, int64_t delivery,
                struct dbrules **ret) {
        struct dbrules *d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        *d = (struct dbrules) {.conn = conn, .rs = rs, .t = t, .source = source, .delivery = delivery};
        *ret = d;
        return 0;
}

void dbrules_free(struct dbrules *d) {
        if (!d)
                return;
        for (size_t i = 0; d->scope && i < d->linked.n; i++)
                unit_year_set_done(&d->scope[i]);
        free(d->scope);
        linked_defs_done(&d->linked);
        free(d->changed);
        free(d);
}

/* Notes a delivery whose findings changed (count: how many; 0 too). */
static int note_changed(void *userdata, int64_t delivery, unsigned long count) {
        struct dbrules *d = userdata;
        (void) count;
        for (size_t i = 0; i < d->nchanged; i++)
                if (d->changed[i] == delivery)
                        return 0;
        int r = ARRAY_GROW(d->changed, d->nchanged, d->changed_cap);
        if (r < 0)
                return r;
        d->changed[d->nchanged++] = delivery;
        return 0;
}

/*
 * Loads of the data sets that linked rules join take turns from here to their commit:
 * each must see the other's rows and findings as committed, or a finding could be taken
 * back by one and placed again by both. The locks are taken in the order of the names,
 * so that two loads cannot wait for each other.
 */
static int lock_linked(struct dbrules *d, char **ret_error) {
        const char *me = ruleset_name(d->rs);
        _cleanup_(strbuf_done) struct strbuf names = {0};
        int r = db_array_add_text(&names, me);
        for (size_t i = 0; i < d->linked.n && r >= 0; i++) {
                r = db_array_add_text(&names, d->linked.def[i].dataset);
                if (r >= 0)
                        r = db_array_add_text(&names, d->linked.def[i].other_dataset);
        }
        if (r >= 0)
                r = db_array_end(&names);
        if (r < 0)
                return r;
        const char *params[] = {strbuf_str(&names)};
        return db_command(d->conn,
                          "SELECT pg_advisory_xact_lock(hashtext('plausid.linked.' || n))"
                          " FROM (SELECT DISTINCT unnest($1::text[]) AS n ORDER BY 1) x",
                          1, params, ret_error);
}

/* The unit-years the delivery's rows are in. */
static int loaded_unit_years(const struct register_scopes *scopes, struct unit_year_set *ret) {
        for (size_t i = 0; i < scopes->n; i++) {
                if (scopes->scope[i].records == 0)
                        continue;
                int r = unit_year_set_add(ret, scopes->scope[i].unit, scopes->scope[i].year);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * One linked rule's unit-years: of its own records, the unit-years this delivery brings;
 * as a rule of another data set pointing here, those the months of this delivery's
 * unit-years reach. A rule whose tables or columns are not there yet runs for none; one
 * of another pack with a column of the wrong type neither (its own loads fail on it).
 */
static int linked_scope(struct dbrules *d, struct linked_def *def, const struct unit_year_set *loaded,
                        struct unit_year_set *scope, char **ret_error) {
        const char *me = ruleset_name(d->rs);
        bool ready;
        int r = linked_ready(d->conn, def, d->linked.arena, &ready, ret_error);
        if (r == -EMEDIUMTYPE && def->rule_index < 0) {
                free(*ret_error);
                *ret_error = NULL;
                return 0;
        }
        if (r < 0 || !ready)
                return r;
        for (size_t i = 0; strcmp(def->dataset, me) == 0 && i < loaded->n && r >= 0; i++)
                r = unit_year_set_add(scope, loaded->item[i].unit, loaded->item[i].year);
        if (r >= 0 && strcmp(def->other_dataset, me) == 0)
                r = linked_reaching(d->conn, def, loaded, scope, ret_error);
        if (r < 0 || scope->n == 0)
                return r;
        return linked_take_back(d->conn, def, scope, note_changed, d, ret_error);
}

/* The parts kind's marks on the unit-years this delivery brings, taken back: it decides
 * them anew in dbrules_place(). */
static int parts_scope(struct dbrules *d, const struct unit_year_set *loaded, char **ret_error) {
        d->parts = parts_any(d->rs, RULESET_PARTS_OVERLAP);
        if (!d->parts)
                return 0;
        return parts_take_back(d->conn, d->t, loaded, note_changed, d, ret_error);
}

int dbrules_scope(struct dbrules *d, const struct register_scopes *scopes, char **ret_error) {
        _cleanup_(unit_year_set_done) struct unit_year_set loaded = {0};
        int r = loaded_unit_years(scopes, &loaded);
        if (r >= 0)
                r = parts_scope(d, &loaded, ret_error);
        if (r >= 0)
                r = linked_defs_of_pack(d->rs, &d->linked);
        if (r >= 0)
                r = linked_defs_pointing_at(d->conn, ruleset_name(d->rs), &d->linked, ret_error);
        if (r < 0 || d->linked.n == 0)
                return r;
        r = lock_linked(d, ret_error);
        if (r < 0)
                return r;
        d->scope = calloc(d->linked.n, sizeof(*d->scope));
        if (!d->scope)
                return -ENOMEM;
        for (size_t i = 0; i < d->linked.n && r >= 0; i++)
                r = linked_scope(d, &d->linked.def[i], &loaded, &d->scope[i], ret_error);
        return r;
}

int dbrules_check(struct dbrules *d, struct checker *checker, char **ret_error) {
        return previous_year_check(d->conn, d->rs, d->t, d->source, d->delivery, checker, ret_error);
}

/* ---- placing the linked rules' findings ---- */

void dbrules_placed_done(struct dbrules_placed *p) {
        free(p->per_rule);
        free(p->others);
        *p = (struct dbrules_placed) {0};
}

struct placing {
        struct dbrules *d;
        struct spool spool;             /* the findings, COPY rows, until every rule ran */
        struct dbrules_placed *placed;
};

static int place_finding(void *userdata, int64_t delivery, const struct finding *f) {
        struct placing *p = userdata;
        int r = register_finding_row(&p->spool.row, delivery, f);
        if (r >= 0)
                r = spool_add_row(&p->spool);
        if (r >= 0)
                r = note_changed(p->d, delivery, 1);
        if (r < 0)
                return r;
        if (delivery != p->d->delivery) {
                p->placed->elsewhere++;
                return 0;
        }
        p->placed->here++;
        if (p->placed->per_rule && strcmp(f->rule_id, ruleset_rule_id(p->d->rs, f->rule)) == 0)
                p->placed->per_rule[f->rule]++;
        return 0;
}

/* Each changed delivery's warned count: this one's for the caller, the others listed. */
static int on_recounted(void *userdata, int64_t delivery, unsigned long warned) {
        struct placing *p = userdata;
        if (delivery == p->d->delivery) {
                p->placed->warned_changed = true;
                p->placed->warned = warned;
                return 0;
        }
        p->placed->others[p->placed->nothers++] = delivery;
        return 0;
}

static int compare_ids(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

/* The findings in, then the warned counts of every delivery whose findings changed. */
static int place_all(struct placing *p, char **ret_error) {
        struct dbrules *d = p->d;
        int r = spool_open(&p->spool);
        for (size_t i = 0; d->scope && i < d->linked.n && r >= 0; i++)
                if (d->scope[i].n > 0)
                        r = linked_evaluate(d->conn, &d->linked.def[i], &d->scope[i], place_finding, p, ret_error);
        if (r >= 0 && d->parts)
                r = parts_mark(d->conn, d->t, d->delivery, place_finding, p, ret_error);
        if (r >= 0 && p->spool.rows > 0)
                r = spool_send(&p->spool, d->conn, register_copy_findings, ret_error);
        if (r < 0 || d->nchanged == 0)
                return r;
        p->placed->others = calloc(d->nchanged, sizeof(*p->placed->others));
        if (!p->placed->others)
                return -ENOMEM;
        r = register_recount_warned(d->conn, d->changed, d->nchanged, on_recounted, p, ret_error);
        if (r >= 0)
                qsort(p->placed->others, p->placed->nothers, sizeof(*p->placed->others), compare_ids);
        return r;
}

int dbrules_place(struct dbrules *d, struct dbrules_placed *ret, char **ret_error) {
        _cleanup_(dbrules_placed_done) struct dbrules_placed placed = {0};
        if (!d->scope && !d->parts && d->nchanged == 0) {
                *ret = placed;
                return 0;
        }
        placed.per_rule = calloc(ruleset_rule_count(d->rs) + 1, sizeof(*placed.per_rule));
        if (!placed.per_rule)
                return -ENOMEM;
        struct placing p = {.d = d, .placed = &placed};
        int r = place_all(&p, ret_error);
        spool_close(&p.spool);
        if (r < 0)
                return r;
        *ret = placed;
        placed = (struct dbrules_placed) {0};
        return 0;
}

int dbrules_store(PGconn *conn, const struct ruleset *rs, char **ret_error) {
        return linked_defs_store(conn, rs, ret_error);
}
