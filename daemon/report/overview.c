/*
 * The overview over time (report_db.h): its model (overview.h) built from the database --
 * every delivery since a day with its reporting unit, the duplicates per source, the
 * findings per source, rule and month of arrival -- the report of every delivery it lists
 * written beside it (delivery_db.c), and the page itself (overview_html.c). All of it is
 * read in one snapshot, so that the page and the reports it links to tell the same story.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "array.h"
#include "collector.h"
#include "delivery_db.h"
#include "html.h"
#include "overview.h"
#include "register.h"
#include "report_db.h"
#include "schema.h"

static void overview_done(struct overview *ov) {
        for (size_t i = 0; i < ov->nrules; i++)
                free(ov->rules[i].per_month);
        free(ov->rules);
        free(ov->d);
        free(ov->months);
        free(ov->dup);
        arena_free(ov->arena);
}

static const struct ruleset *source_rules(const struct report_source *sources, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(sources[i].name, name) == 0)
                        return sources[i].rs;
        return NULL;
}

/* How many leading fields of the pack's key name the reporting unit; 0 when the unit is
 * not a prefix of the key (then a rejected delivery's unit cannot be read off its
 * findings). */
static unsigned unit_prefix(const struct ruleset *rs) {
        if (!rs)
                return 0;
        unsigned nkey, nunit;
        const unsigned *key = ruleset_key(rs, &nkey), *unit = ruleset_delivery_unit(rs, &nunit);
        if (nunit == 0 || nunit > nkey)
                return 0;
        for (unsigned i = 0; i < nunit; i++)
                if (key[i] != unit[i])
                        return 0;
        return nunit;
}

/* ---- the deliveries ---- */

static int on_delivery(void *userdata, const struct register_entry *row) {
        struct overview *ov = userdata;
        int e = ARRAY_GROW(ov->d, ov->nd, ov->d_cap);
        if (e < 0)
                return e;
        struct ov_delivery *d = &ov->d[ov->nd];
        *d = (struct ov_delivery) {
                .id = row->id,
                .source = arena_strdup(ov->arena, row->source),
                .file = arena_strdup(ov->arena, row->file_name),
                .status = row->status,
                .unit = arena_strdup(ov->arena, row->units),
                .received = (time_t) row->received,
                .records = row->counts.records,
                .loaded = row->counts.loaded,
                .rejected = row->counts.rejected,
                .warned = row->counts.warned,
        };
        if (!d->source || !d->file || !d->unit)
                return -ENOMEM;
        ov->nd++;
        return 0;
}

/* A delivery rejected as a whole stored no records, so it covers no unit: its unit is read
 * off the keys of its findings, where the pack's key begins with the unit's fields. */
static int find_units(PGconn *conn, struct overview *ov, const struct report_source *sources, size_t nsources,
                      char **ret_error) {
        for (size_t i = 0; i < ov->nd; i++) {
                struct ov_delivery *d = &ov->d[i];
                unsigned k = unit_prefix(source_rules(sources, nsources, d->source));
                if (*d->unit || k == 0)
                        continue;
                _cleanup_(freep) char *unit = NULL;
                int e = register_unit_of_findings(conn, d->id, k, &unit, ret_error);
                if (e < 0)
                        return e;
                d->unit = arena_strdup(ov->arena, unit);
                if (!d->unit)
                        return -ENOMEM;
        }
        return 0;
}

static int cmp_delivery(const void *a, const void *b) {
        const struct ov_delivery *x = a, *y = b;
        int c = strcmp(x->source, y->source);
        if (c == 0)
                c = (!*x->unit != !*y->unit) ? (*x->unit ? -1 : 1) : strcmp(x->unit, y->unit);
        if (c == 0)
                c = x->received < y->received ? -1 : x->received > y->received;
        if (c == 0)
                c = x->id < y->id ? -1 : x->id > y->id;
        return c;
}

static int on_duplicates(void *userdata, const char *source, unsigned long count) {
        struct overview *ov = userdata;
        int e = ARRAY_GROW(ov->dup, ov->ndup, ov->dup_cap);
        if (e < 0)
                return e;
        const char *s = arena_strdup(ov->arena, source);
        if (!s)
                return -ENOMEM;
        ov->dup[ov->ndup++] = (struct ov_duplicates) {.source = s, .count = count};
        return 0;
}

/* ---- the rules per month ---- */

/* The rows of the query, kept: the months must all be known before a rule's are counted. */
struct rule_rows {
        struct arena *arena;
        struct register_rule_count *rows;
        size_t n, cap;
};

static void rule_rows_done(struct rule_rows *x) {
        free(x->rows);
}

static int on_rule_month(void *userdata, const struct register_rule_count *row) {
        struct rule_rows *x = userdata;
        int e = ARRAY_GROW(x->rows, x->n, x->cap);
        if (e < 0)
                return e;
        struct register_rule_count *c = &x->rows[x->n];
        *c = (struct register_rule_count) {
                .source = arena_strdup(x->arena, row->source),
                .rule = arena_strdup(x->arena, row->rule),
                .month = arena_strdup(x->arena, row->month),
                .severity = row->severity,
                .findings = row->findings,
        };
        if (!c->source || !c->rule || !c->month)
                return -ENOMEM;
        x->n++;
        return 0;
}

static size_t month_index(const struct overview *ov, const char *month) {
        size_t m = 0;
        while (m < ov->nmonths && strcmp(ov->months[m], month) != 0)
                m++;
        return m;
}

/* Adds a month (an arena string) to the sorted months, once. */
static int add_month(struct overview *ov, const char *month) {
        if (month_index(ov, month) < ov->nmonths)
                return 0;
        int e = ARRAY_GROW(ov->months, ov->nmonths, ov->months_cap);
        if (e < 0)
                return e;
        size_t at = ov->nmonths;
        while (at > 0 && strcmp(ov->months[at - 1], month) > 0)
                at--;
        memmove(ov->months + at + 1, ov->months + at, (ov->nmonths - at) * sizeof(*ov->months));
        ov->months[at] = month;
        ov->nmonths++;
        return 0;
}

static int new_rule(struct overview *ov, const struct register_rule_count *row, const struct ruleset *rs,
                    struct ov_rule **ret) {
        int e = ARRAY_GROW(ov->rules, ov->nrules, ov->rules_cap);
        if (e < 0)
                return e;
        unsigned long *per_month = calloc(ov->nmonths ? ov->nmonths : 1, sizeof(*per_month));
        if (!per_month)
                return -ENOMEM;
        ov->rules[ov->nrules] = (struct ov_rule) {
                .source = row->source,
                .rule = row->rule,
                .title = htmlreport_rule_title(rs, row->rule),
                .severity = row->severity,
                .per_month = per_month,
        };
        *ret = &ov->rules[ov->nrules++];
        return 0;
}

static int cmp_rule_total(const void *a, const void *b) {
        const struct ov_rule *x = a, *y = b;
        int c = strcmp(x->source, y->source);
        if (c == 0 && x->total != y->total)
                c = x->total > y->total ? -1 : 1;
        return c ? c : strcmp(x->rule, y->rule);
}

static int read_rules(PGconn *conn, struct overview *ov, const struct report_source *sources, size_t nsources,
                      const char *since, char **ret_error) {
        _cleanup_(rule_rows_done) struct rule_rows x = {.arena = ov->arena};
        int e = register_rule_counts_since(conn, since, on_rule_month, &x, ret_error);
        if (e < 0)
                return e;
        for (size_t k = 0; k < x.n; k++) {
                e = add_month(ov, x.rows[k].month);
                if (e < 0)
                        return e;
        }
        /* The rows come by source and rule: one entry per run of them. */
        for (size_t k = 0; k < x.n; k++) {
                const struct register_rule_count *row = &x.rows[k];
                struct ov_rule *ru = ov->nrules ? &ov->rules[ov->nrules - 1] : NULL;
                if (!ru || strcmp(ru->source, row->source) != 0 || strcmp(ru->rule, row->rule) != 0) {
                        e = new_rule(ov, row, source_rules(sources, nsources, row->source), &ru);
                        if (e < 0)
                                return e;
                }
                ru->per_month[month_index(ov, row->month)] += row->findings;
                ru->total += row->findings;
        }
        if (ov->nrules)
                qsort(ov->rules, ov->nrules, sizeof(*ov->rules), cmp_rule_total);
        return 0;
}

/* ---- the whole ---- */

static int read_model(PGconn *conn, struct overview *ov, const struct report_source *sources, size_t nsources,
                      const char *since, char **ret_error) {
        int e = register_deliveries_since(conn, since, on_delivery, ov, ret_error);
        if (e < 0)
                return e;
        e = find_units(conn, ov, sources, nsources, ret_error);
        if (e < 0)
                return e;
        if (ov->nd)
                qsort(ov->d, ov->nd, sizeof(*ov->d), cmp_delivery);
        e = register_duplicates_since(conn, since, on_duplicates, ov, ret_error);
        if (e < 0)
                return e;
        return read_rules(conn, ov, sources, nsources, since, ret_error);
}

static int render(FILE *o, void *userdata) {
        return overview_render(o, userdata);
}

/* The model, each delivery's report beside the overview (so that its links lead
 * somewhere), and the overview as path. */
static int write_overview(PGconn *conn, const char *schema, const struct report_source *sources, size_t nsources,
                          const char *since, const char *out_dir, int gid, unsigned max_records, const char *path,
                          size_t *ret_count, char **ret_error) {
        _cleanup_(overview_done) struct overview ov = {.arena = arena_new()};
        if (!ov.arena)
                return -ENOMEM;
        /* "2025-03-01" as "01.03.2025"; since is checked: it fits. */
        snprintf(ov.day, sizeof(ov.day), "%.2s.%.2s.%.4s", since + 8, since + 5, since);
        int e = read_model(conn, &ov, sources, nsources, since, ret_error);
        if (e < 0)
                return e;
        for (size_t i = 0; i < ov.nd; i++) {
                e = delivery_db_write(conn, schema, source_rules(sources, nsources, ov.d[i].source), ov.d[i].id,
                                      out_dir, gid, max_records, NULL, ret_error);
                if (e < 0)
                        return e;
        }
        e = html_write_file(path, gid, render, &ov);
        if (e < 0) {
                if (!*ret_error && asprintf(ret_error, "cannot write %s: %s", path, strerror(-e)) < 0)
                        *ret_error = NULL;
                return e;
        }
        *ret_count = ov.nd;
        return 0;
}

/* The day goes into the file name: exactly YYYY-MM-DD, which the server checks further. */
static int check_day(const char *since, char **ret_error) {
        bool day = strlen(since) == 10;
        for (size_t i = 0; day && i < 10; i++)
                day = i == 4 || i == 7 ? since[i] == '-' : since[i] >= '0' && since[i] <= '9';
        if (day)
                return 0;
        if (asprintf(ret_error, "'%s' is not a day as YYYY-MM-DD", since) < 0)
                *ret_error = NULL;
        return -EINVAL;
}

int report_overview_from_db(PGconn *conn, const char *schema, const struct report_source *sources, size_t nsources,
                            const char *since, const char *out_dir, int gid, unsigned max_records, char **ret_path,
                            size_t *ret_count, char **ret_error) {
        int e = check_day(since, ret_error);
        if (e < 0)
                return e;
        _cleanup_(freep) char *path = NULL;
        if (asprintf(&path, "%s/uebersicht-%s.html", out_dir, since) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        e = schema_begin_read(conn, schema, ret_error);
        if (e < 0)
                return e;
        e = write_overview(conn, schema, sources, nsources, since, out_dir, gid, max_records, path, ret_count,
                           ret_error);
        schema_end_read(conn);
        if (e < 0)
                return e;
        if (ret_path)
                *ret_path = TAKE_PTR(path);
        return 0;
}
