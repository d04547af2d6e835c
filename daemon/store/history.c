/*
 * previous_year rules: the SQL that finds last year's records missing this year and the
 * groups whose record counts changed too much. See history.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "history.h"
#include "schema.h"
#include "strbuf.h"

struct unit_year {
        const char *unit;
        const char *year, *previous_year;
        const char *const *ctx_base;    /* CTX_YEAR, CTX_PREVIOUS_YEAR, CTX_UNIT filled in */
};

/* The key fields except the year, compared between last year's row p and this year's c. */
static int put_key_match(const struct ruleset *rs, const struct table *t, const struct previous_year_rule *r,
                         struct strbuf *sql) {
        unsigned nkey;
        const unsigned *key = ruleset_key(rs, &nkey);
        int e = 0;
        for (unsigned i = 0; i < nkey + r->nmatch && e >= 0; i++) {
                unsigned f = i < nkey ? key[i] : r->match[i - nkey];
                if ((int) f == ruleset_year_field(rs))
                        continue;
                e = strbuf_puts(sql, " AND ");
                if (e >= 0)
                        e = schema_column(t, "c", f, -1, sql);
                if (e >= 0)
                        e = strbuf_puts(sql, " IS NOT DISTINCT FROM ");
                if (e >= 0)
                        e = schema_column(t, "p", f, -1, sql);
        }
        return e;
}

/* Last year's records (of the rule's filter) that have no counterpart this year. */
static int check_missing(PGconn *conn, const struct ruleset *rs, const struct table *t, unsigned ri,
                         const struct unit_year *uy, struct checker *checker, char **ret_error) {
        const struct previous_year_rule *r = ruleset_rule_previous_year(rs, ri);
        int field = ruleset_rule_field(rs, ri), year_field = ruleset_year_field(rs);
        unsigned nkey;
        const unsigned *key = ruleset_key(rs, &nkey);
        _cleanup_(freep) char *tab = db_ident(t->name);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int e = tab ? strbuf_puts(&sql, "SELECT p.line, p.delivery_id, concat_ws('-'") : -ENOMEM;
        for (unsigned i = 0; i < nkey && e >= 0; i++) {
                e = strbuf_puts(&sql, ", ");
                if (e >= 0)
                        e = schema_column(t, "p", key[i], -1, &sql);
        }
        e = e >= 0 ? strbuf_puts(&sql, "), ") : e;
        if (e >= 0 && field >= 0) {
                e = strbuf_puts(&sql, "coalesce(");
                e = e >= 0 ? schema_column(t, "p", (unsigned) field, -1, &sql) : e;
                e = e >= 0 ? strbuf_puts(&sql, "::text, '')") : e;
        } else if (e >= 0)
                e = strbuf_puts(&sql, "''");
        e = e >= 0 ? strbuf_printf(&sql, " FROM %s p WHERE ", tab) : e;
        e = e >= 0 ? schema_unit_expression(t, "p", &sql) : e;
        e = e >= 0 ? strbuf_puts(&sql, " = $1 AND ") : e;
        e = e >= 0 ? schema_column(t, "p", (unsigned) year_field, -1, &sql) : e;
        e = e >= 0 ? strbuf_puts(&sql, " = $2::bigint - 1 AND ") : e;
        if (r->where_field >= 0) {
                e = e >= 0 ? schema_column(t, "p", (unsigned) r->where_field, -1, &sql) : e;
                e = e >= 0 ? strbuf_puts(&sql, " = $3 AND ") : e;
        } else
                e = e >= 0 ? strbuf_puts(&sql, "$3::text IS NULL AND ") : e;
        e = e >= 0 ? strbuf_printf(&sql, "NOT EXISTS (SELECT 1 FROM %s c WHERE ", tab) : e;
        e = e >= 0 ? schema_unit_expression(t, "c", &sql) : e;
        e = e >= 0 ? strbuf_puts(&sql, " = $1 AND ") : e;
        e = e >= 0 ? schema_column(t, "c", (unsigned) year_field, -1, &sql) : e;
        e = e >= 0 ? strbuf_puts(&sql, " = $2::bigint") : e;
        e = e >= 0 ? put_key_match(rs, t, r, &sql) : e;
        e = e >= 0 ? strbuf_puts(&sql, ") ORDER BY p.delivery_id, p.line") : e;
        if (e < 0)
                return e;
        const char *params[] = {uy->unit, uy->year, r->where_field >= 0 ? r->where_code : NULL};
        _cleanup_(db_clearp) PGresult *res = NULL;
        e = db_query(conn, strbuf_str(&sql), 3, params, &res, ret_error);
        for (int i = 0; e >= 0 && i < PQntuples(res); i++) {
                const char *ctx[_CTX_MAX];
                memcpy(ctx, uy->ctx_base, sizeof(ctx));
                ctx[CTX_LINE] = PQgetvalue(res, i, 0);
                ctx[CTX_DELIVERY] = PQgetvalue(res, i, 1);
                ctx[CTX_KEY] = PQgetvalue(res, i, 2);
                ctx[CTX_VALUE] = PQgetvalue(res, i, 3);
                e = checker_emit(checker, ri, ctx[CTX_KEY], ctx[CTX_VALUE], ctx);
        }
        return e;
}

/* Records per group this year and last year; a change beyond max_change is a finding. */
static int check_count_change(PGconn *conn, const struct ruleset *rs, const struct table *t, unsigned ri,
                              const struct unit_year *uy, struct checker *checker, char **ret_error) {
        const struct previous_year_rule *r = ruleset_rule_previous_year(rs, ri);
        _cleanup_(freep) char *tab = db_ident(t->name);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        _cleanup_(strbuf_done) struct strbuf year = {0};
        int e = tab ? schema_column(t, NULL, (unsigned) ruleset_year_field(rs), -1, &year) : -ENOMEM;
        e = e >= 0 ? strbuf_puts(&sql, "SELECT ") : e;
        e = e >= 0 ? schema_column(t, NULL, (unsigned) r->by_field, r->by_level, &sql) : e;
        e = e >= 0 ? strbuf_printf(&sql, "::text, count(*) FILTER (WHERE %s = $2::bigint),"
                                         " count(*) FILTER (WHERE %s = $2::bigint - 1) FROM %s WHERE ",
                                   strbuf_str(&year), strbuf_str(&year), tab)
                   : e;
        e = e >= 0 ? schema_unit_expression(t, NULL, &sql) : e;
        e = e >= 0 ? strbuf_printf(&sql, " = $1 AND %s IN ($2::bigint, $2::bigint - 1) GROUP BY 1 ORDER BY 1",
                                   strbuf_str(&year))
                   : e;
        if (e < 0)
                return e;
        const char *params[] = {uy->unit, uy->year};
        _cleanup_(db_clearp) PGresult *res = NULL;
        e = db_query(conn, strbuf_str(&sql), 2, params, &res, ret_error);
        if (e < 0)
                return e;
        long long previous_total = 0;
        for (int i = 0; i < PQntuples(res); i++)
                previous_total += strtoll(PQgetvalue(res, i, 2), NULL, 10);
        if (previous_total == 0)
                return 0;       /* no previous year loaded: nothing to compare */
        for (int i = 0; e >= 0 && i < PQntuples(res); i++) {
                if (PQgetisnull(res, i, 0))
                        continue;       /* records whose group is undecided (rejected anyway) */
                long long now = strtoll(PQgetvalue(res, i, 1), NULL, 10);
                long long before = strtoll(PQgetvalue(res, i, 2), NULL, 10);
                if ((now > before ? now : before) < r->min_count)
                        continue;
                char change[40];
                if (before == 0)
                        snprintf(change, sizeof(change), "neu");
                else {
                        double ratio = (double) (now - before) / (double) before;
                        if (ratio <= r->max_change && -ratio <= r->max_change)
                                continue;
                        char num[32];
                        snprintf(change, sizeof(change), "%s %%", decimal_de(num, ratio * 100.0, true));
                }
                char count[24], previous[24];
                snprintf(count, sizeof(count), "%lld", now);
                snprintf(previous, sizeof(previous), "%lld", before);
                const char *ctx[_CTX_MAX];
                memcpy(ctx, uy->ctx_base, sizeof(ctx));
                ctx[CTX_GROUP] = PQgetvalue(res, i, 0);
                ctx[CTX_COUNT] = count;
                ctx[CTX_PREVIOUS] = previous;
                ctx[CTX_CHANGE] = change;
                e = checker_emit(checker, ri, uy->unit, ctx[CTX_GROUP], ctx);
        }
        return e;
}

/*
 * Whether the unit-year is to be compared: every part of it is loaded now, and the
 * previous year has loaded records. The second test comes from the small scopes table, so
 * that a first delivery (the usual case) costs no scan of the data set's table.
 */
static int unit_year_comparable(PGconn *conn, const struct ruleset *rs, const char *source, const char *unit,
                                const char *year, bool *ret, char **ret_error) {
        const char *params[] = {source, unit, year};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int e = db_query(conn,
                         "SELECT count(DISTINCT x.part) FILTER (WHERE x.year = $3::integer),"
                         " count(*) FILTER (WHERE x.year = $3::integer - 1)"
                         " FROM delivery_scopes x JOIN deliveries d ON d.id = x.delivery_id"
                         " WHERE d.source = $1 AND d.status = 'loaded' AND x.unit = $2"
                         " AND x.year IN ($3::integer, $3::integer - 1) AND x.records > 0",
                         3, params, &res, ret_error);
        if (e < 0)
                return e;
        unsigned long parts = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
        unsigned long previous = strtoul(PQgetvalue(res, 0, 1), NULL, 10);
        /* Complete when every code of the part field was delivered. */
        unsigned nparts = 0;
        int part = ruleset_delivery_part(rs);
        if (part >= 0)
                (void) ruleset_codelist_codes(rs, (unsigned) ruleset_field_codelist(rs, (unsigned) part), &nparts);
        *ret = previous > 0 && (part < 0 || parts >= nparts);
        return 0;
}

int history_check(PGconn *conn, const struct ruleset *rs, const struct table *t, const char *source,
                  const char *delivery_id, struct checker *checker, char **ret_error) {
        bool any = false;
        for (unsigned ri = 0; ri < ruleset_rule_count(rs); ri++)
                any = any || ruleset_rule_previous_year(rs, ri);
        if (!any)
                return 0;
        const char *params[] = {delivery_id};
        _cleanup_(db_clearp) PGresult *scopes = NULL;
        int e = db_query(conn,
                         "SELECT DISTINCT unit, year, year - 1 FROM delivery_scopes"
                         " WHERE delivery_id = $1::bigint AND records > 0 ORDER BY 1, 2",
                         1, params, &scopes, ret_error);
        for (int i = 0; e >= 0 && i < PQntuples(scopes); i++) {
                bool comparable;
                e = unit_year_comparable(conn, rs, source, PQgetvalue(scopes, i, 0), PQgetvalue(scopes, i, 1),
                                         &comparable, ret_error);
                if (e < 0 || !comparable)
                        continue;
                const char *ctx[_CTX_MAX] = {[CTX_UNIT] = PQgetvalue(scopes, i, 0),
                                             [CTX_YEAR] = PQgetvalue(scopes, i, 1),
                                             [CTX_PREVIOUS_YEAR] = PQgetvalue(scopes, i, 2)};
                struct unit_year uy = {.unit = ctx[CTX_UNIT], .year = ctx[CTX_YEAR],
                                       .previous_year = ctx[CTX_PREVIOUS_YEAR], .ctx_base = ctx};
                for (unsigned ri = 0; e >= 0 && ri < ruleset_rule_count(rs); ri++) {
                        const struct previous_year_rule *r = ruleset_rule_previous_year(rs, ri);
                        if (!r)
                                continue;
                        e = r->kind == PREVIOUS_MISSING ? check_missing(conn, rs, t, ri, &uy, checker, ret_error)
                                                            : check_count_change(conn, rs, t, ri, &uy, checker, ret_error);
                }
        }
        return e;
}
