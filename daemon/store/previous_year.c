/*
 * previous_year rules, one kind of the database rules (dbrules.h): the SQL that finds last
 * year's records missing this year and the groups whose record counts changed too much.
 *
 * A unit-year is compared once it is complete: when the pack splits deliveries into parts
 * (ongoing and ended records), once every part is loaded; the delivery that completes it
 * gets the findings, with line 0, through the checker that checked it (they count in its
 * statistics). A previous year without any loaded records is nothing to compare with.
 * Which unit-years to compare comes from the register (register.h); the statements here
 * read the data set's table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbrules_impl.h"
#include "register.h"
#include "schema.h"
#include "strbuf.h"

/* The unit-year compared, with the placeholders every message of it shares. */
struct unit_year {
        const char *unit;
        const char *year;               /* as text, a parameter of the statements */
        const char *const *ctx_base;    /* CTX_YEAR, CTX_PREVIOUS_YEAR, CTX_UNIT filled in */
};

/* ", p.<key field>" for each field of the pack's key. */
static int put_key_list(const struct ruleset *rs, const struct table *t, struct strbuf *out) {
        unsigned nkey;
        const unsigned *key = ruleset_key(rs, &nkey);
        for (unsigned i = 0; i < nkey; i++) {
                int r = strbuf_puts(out, ", ");
                if (r < 0)
                        return r;
                r = schema_column(t, "p", key[i], -1, out);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* " AND c.f IS NOT DISTINCT FROM p.f" for the key fields except the year and the rule's
 * match fields: last year's row p and this year's c are the same case. */
static int put_key_match(const struct ruleset *rs, const struct table *t, const struct previous_year_rule *pr,
                         struct strbuf *out) {
        unsigned nkey;
        const unsigned *key = ruleset_key(rs, &nkey);
        for (unsigned i = 0; i < nkey + pr->nmatch; i++) {
                unsigned f = i < nkey ? key[i] : pr->match[i - nkey];
                if ((int) f == ruleset_year_field(rs))
                        continue;
                int r = strbuf_puts(out, " AND ");
                if (r < 0)
                        return r;
                r = schema_column(t, "c", f, -1, out);
                if (r < 0)
                        return r;
                r = strbuf_puts(out, " IS NOT DISTINCT FROM ");
                if (r < 0)
                        return r;
                r = schema_column(t, "p", f, -1, out);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The pieces of the missing-records statement, each an SQL expression. */
struct missing_sql {
        struct strbuf keys;             /* ", p.k1, p.k2, ..." */
        struct strbuf value;            /* the rule's field of p as text, or '' */
        struct strbuf unit_p, unit_c;   /* the unit of p and of c */
        struct strbuf year_p, year_c;
        struct strbuf filter;           /* the rule's filter on p, ending in "AND " */
        struct strbuf match;            /* c matches p */
};

static void missing_sql_done(struct missing_sql *m) {
        struct strbuf *all[] = {&m->keys, &m->value, &m->unit_p, &m->unit_c, &m->year_p, &m->year_c, &m->filter,
                                &m->match};
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                strbuf_done(all[i]);
}

static int missing_pieces(const struct ruleset *rs, const struct table *t, unsigned ri, struct missing_sql *m) {
        const struct previous_year_rule *pr = ruleset_rule_previous_year(rs, ri);
        int field = ruleset_rule_field(rs, ri);
        unsigned year = (unsigned) ruleset_year_field(rs);
        int r = put_key_list(rs, t, &m->keys);
        if (r < 0)
                return r;
        r = field >= 0 ? schema_column(t, "p", (unsigned) field, -1, &m->value) : strbuf_puts(&m->value, "NULL");
        if (r < 0)
                return r;
        r = schema_unit_expression(t, "p", &m->unit_p);
        if (r < 0)
                return r;
        r = schema_unit_expression(t, "c", &m->unit_c);
        if (r < 0)
                return r;
        r = schema_column(t, "p", year, -1, &m->year_p);
        if (r < 0)
                return r;
        r = schema_column(t, "c", year, -1, &m->year_c);
        if (r < 0)
                return r;
        if (pr->where_field >= 0) {
                r = schema_column(t, "p", (unsigned) pr->where_field, -1, &m->filter);
                if (r < 0)
                        return r;
                r = strbuf_puts(&m->filter, " = $3 AND ");
        } else
                r = strbuf_puts(&m->filter, "$3::text IS NULL AND ");
        if (r < 0)
                return r;
        return put_key_match(rs, t, pr, &m->match);
}

/* The table's rows that count: those a later delivery rejected (late_rejections, parts.c)
 * are left out, as every view leaves them out. */
static char *current_rows(const struct table *t) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        char *q;
        if (!tab || asprintf(&q, "(SELECT * FROM %s t0 WHERE NOT EXISTS (SELECT 1 FROM late_rejections l"
                                 " WHERE l.delivery_id = t0.delivery_id AND l.line = t0.line))", tab) < 0)
                return NULL;
        return q;
}

/* Last year's records of the unit (of the rule's filter) that have no counterpart this
 * year: their line, delivery, key and the rule's field. */
static int missing_statement(const struct ruleset *rs, const struct table *t, unsigned ri, struct strbuf *sql) {
        _cleanup_(freep) char *tab = current_rows(t);
        _cleanup_(missing_sql_done) struct missing_sql m = {0};
        if (!tab)
                return -ENOMEM;
        int r = missing_pieces(rs, t, ri, &m);
        if (r < 0)
                return r;
        return strbuf_printf(sql,
                             "SELECT p.line, p.delivery_id, concat_ws('-'%s), coalesce(%s::text, '')"
                             " FROM %s p WHERE %s = $1 AND %s = $2::bigint - 1 AND %s"
                             "NOT EXISTS (SELECT 1 FROM %s c WHERE %s = $1 AND %s = $2::bigint%s)"
                             " ORDER BY p.delivery_id, p.line",
                             strbuf_str(&m.keys), strbuf_str(&m.value), tab, strbuf_str(&m.unit_p),
                             strbuf_str(&m.year_p), strbuf_str(&m.filter), tab, strbuf_str(&m.unit_c),
                             strbuf_str(&m.year_c), strbuf_str(&m.match));
}

/* One missing record as a finding: "(Lieferung D, Zeile L)" in the message. */
static int emit_missing(const PGresult *res, int row, unsigned ri, const struct unit_year *uy, struct checker *checker,
                        char **ret_error) {
        int64_t line, delivery;
        int r = db_get_int64(res, row, 0, &line, ret_error);
        if (r >= 0)
                r = db_get_int64(res, row, 1, &delivery, ret_error);
        if (r < 0)
                return r;
        const char *ctx[_CTX_MAX];
        memcpy(ctx, uy->ctx_base, sizeof(ctx));
        ctx[CTX_LINE] = DB_INT64(line);
        ctx[CTX_DELIVERY] = DB_INT64(delivery);
        ctx[CTX_KEY] = PQgetvalue(res, row, 2);
        ctx[CTX_VALUE] = PQgetvalue(res, row, 3);
        return checker_emit(checker, ri, ctx[CTX_KEY], ctx[CTX_VALUE], ctx);
}

static int check_missing(PGconn *conn, const struct ruleset *rs, const struct table *t, unsigned ri,
                         const struct unit_year *uy, struct checker *checker, char **ret_error) {
        const struct previous_year_rule *pr = ruleset_rule_previous_year(rs, ri);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = missing_statement(rs, t, ri, &sql);
        if (r < 0)
                return r;
        const char *params[] = {uy->unit, uy->year, pr->where_field >= 0 ? pr->where_code : NULL};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, strbuf_str(&sql), 3, params, &res, ret_error);
        if (r < 0)
                return r;
        for (int i = 0; i < PQntuples(res); i++) {
                r = emit_missing(res, i, ri, uy, checker, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Records of the unit per group (the rule's field or level): this year, last year. */
static int count_statement(const struct ruleset *rs, const struct table *t, const struct previous_year_rule *pr,
                           struct strbuf *sql) {
        _cleanup_(freep) char *tab = current_rows(t);
        _cleanup_(strbuf_done) struct strbuf group = {0}, year = {0}, unit = {0};
        if (!tab)
                return -ENOMEM;
        int r = schema_column(t, NULL, (unsigned) pr->by_field, pr->by_level, &group);
        if (r < 0)
                return r;
        r = schema_column(t, NULL, (unsigned) ruleset_year_field(rs), -1, &year);
        if (r < 0)
                return r;
        r = schema_unit_expression(t, NULL, &unit);
        if (r < 0)
                return r;
        const char *y = strbuf_str(&year);
        return strbuf_printf(sql,
                             "SELECT %s::text, count(*) FILTER (WHERE %s = $2::bigint),"
                             " count(*) FILTER (WHERE %s = $2::bigint - 1) FROM %s x WHERE %s = $1"
                             " AND %s IN ($2::bigint, $2::bigint - 1) GROUP BY 1 ORDER BY 1",
                             strbuf_str(&group), y, y, tab, strbuf_str(&unit), y);
}

/* One group's counts: a finding when they changed by more than the rule allows. */
static int emit_count_change(const struct previous_year_rule *pr, unsigned ri, const struct unit_year *uy,
                             const char *group, unsigned long now, unsigned long before, struct checker *checker) {
        unsigned long most = now > before ? now : before;
        if (pr->min_count > 0 && most < (uint64_t) pr->min_count)
                return 0;
        char change[40];        /* "neu", or a decimal_de() (at most 31 bytes) and " %" */
        if (before == 0)
                snprintf(change, sizeof(change), "neu");
        else {
                double ratio = ((double) now - (double) before) / (double) before;
                if (ratio <= pr->max_change && -ratio <= pr->max_change)
                        return 0;
                char num[32];
                snprintf(change, sizeof(change), "%s %%", decimal_de(num, ratio * 100.0, true));
        }
        const char *ctx[_CTX_MAX];
        memcpy(ctx, uy->ctx_base, sizeof(ctx));
        ctx[CTX_GROUP] = group;
        ctx[CTX_COUNT] = DB_ULONG(now);
        ctx[CTX_PREVIOUS] = DB_ULONG(before);
        ctx[CTX_CHANGE] = change;
        return checker_emit(checker, ri, uy->unit, group, ctx);
}

/* Records per group this year and last year; a change beyond max_change is a finding. */
static int check_count_change(PGconn *conn, const struct ruleset *rs, const struct table *t, unsigned ri,
                              const struct unit_year *uy, struct checker *checker, char **ret_error) {
        const struct previous_year_rule *pr = ruleset_rule_previous_year(rs, ri);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = count_statement(rs, t, pr, &sql);
        if (r < 0)
                return r;
        const char *params[] = {uy->unit, uy->year};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, strbuf_str(&sql), 2, params, &res, ret_error);
        if (r < 0)
                return r;
        int n = PQntuples(res);
        _cleanup_(freep) unsigned long *counts = calloc(2 * (size_t) n + 1, sizeof(*counts));
        if (!counts)
                return -ENOMEM;
        unsigned long previous_total = 0;
        for (int i = 0; i < n; i++) {
                r = db_get_ulong(res, i, 1, &counts[2 * i], ret_error);
                if (r >= 0)
                        r = db_get_ulong(res, i, 2, &counts[2 * i + 1], ret_error);
                if (r < 0)
                        return r;
                previous_total += counts[2 * i + 1];
        }
        if (previous_total == 0)
                return 0;       /* no previous year loaded: nothing to compare */
        for (int i = 0; i < n; i++) {
                if (PQgetisnull(res, i, 0))
                        continue;       /* records whose group is undecided (rejected anyway) */
                r = emit_count_change(pr, ri, uy, PQgetvalue(res, i, 0), counts[2 * i], counts[2 * i + 1], checker);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * Whether the unit-year is to be compared: every part of it is loaded now, and the
 * previous year has loaded records. Both come from the register's small scopes table, so
 * that a first delivery (the usual case) costs no scan of the data set's table.
 */
static int unit_year_comparable(PGconn *conn, const struct ruleset *rs, const char *source,
                                const struct register_unit_year *uy, bool *ret, char **ret_error) {
        unsigned long parts, previous;
        int r = register_unit_year_parts(conn, source, uy->unit, uy->year, &parts, &previous, ret_error);
        if (r < 0)
                return r;
        /* Complete when every code of the part field was delivered. */
        unsigned nparts = 0;
        int part = ruleset_delivery_part(rs);
        if (part >= 0)
                (void) ruleset_codelist_codes(rs, (unsigned) ruleset_field_codelist(rs, (unsigned) part), &nparts);
        *ret = previous > 0 && (part < 0 || parts >= nparts);
        return 0;
}

/* Runs every previous_year rule on one unit-year of the delivery, if it is comparable. */
static int check_unit_year(PGconn *conn, const struct ruleset *rs, const struct table *t, const char *source,
                           const struct register_unit_year *ry, struct checker *checker, char **ret_error) {
        bool comparable;
        int r = unit_year_comparable(conn, rs, source, ry, &comparable, ret_error);
        if (r < 0 || !comparable)
                return r;
        const char *ctx[_CTX_MAX] = {[CTX_UNIT] = ry->unit, [CTX_YEAR] = DB_INT64(ry->year),
                                     [CTX_PREVIOUS_YEAR] = DB_INT64(ry->year - 1)};
        struct unit_year uy = {.unit = ry->unit, .year = ctx[CTX_YEAR], .ctx_base = ctx};
        for (unsigned ri = 0; ri < ruleset_rule_count(rs); ri++) {
                const struct previous_year_rule *pr = ruleset_rule_previous_year(rs, ri);
                if (!pr)
                        continue;
                r = pr->kind == PREVIOUS_MISSING ? check_missing(conn, rs, t, ri, &uy, checker, ret_error)
                                                 : check_count_change(conn, rs, t, ri, &uy, checker, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int previous_year_check(PGconn *conn, const struct ruleset *rs, const struct table *t, const char *source,
                        int64_t delivery, struct checker *checker, char **ret_error) {
        bool any = false;
        for (unsigned ri = 0; ri < ruleset_rule_count(rs); ri++)
                any = any || ruleset_rule_previous_year(rs, ri);
        if (!any)
                return 0;
        _cleanup_(register_unit_years_done) struct register_unit_years years = {0};
        int r = register_unit_years(conn, delivery, &years, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < years.n; i++) {
                r = check_unit_year(conn, rs, t, source, &years.unit_year[i], checker, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}
