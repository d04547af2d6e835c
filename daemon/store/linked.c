/*
 * Linked rules, one kind of the database rules (dbrules.h): a record of one data set (the
 * owner) needs a record of another in the database (rules/README.md, "Linked rules").
 * Here: which of the owner's unit-years a load of the other data set reaches, and the
 * statements that take back and find a rule's findings; the definitions, and whether a
 * rule can run now, are in linked_def.c. Fields are named (db_ident()); values go as
 * parameters.
 *
 * The SQL, per rule and load, whatever the number of unit-years (they go as two arrays):
 * one statement that finds the unit-years a load of the other data set reaches (only
 * then), one that deletes the rule's findings on the unit-years' records, one that finds
 * the records that fire. The last reads the other table twice -- its loaded months per
 * unit and year (coverage), and the records that would satisfy the rule, a hash anti-join
 * on unit and match fields with the window as its filter -- so a load costs a scan of each
 * table per rule, not one per record or unit-year, and needs no index (the data set
 * tables have only their delivery_id BRIN; the deletion finds the findings by findings'
 * own index on delivery and line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbrules_impl.h"

/* ---- SQL pieces ---- */

static bool is_date(const struct linked_def *d, const char *name) {
        for (size_t i = 0; i < d->ndates; i++)
                if (strcmp(d->dates[i], name) == 0)
                        return true;
        return false;
}

/* alias."name" */
static int put_col(struct strbuf *b, const char *alias, const char *name) {
        _cleanup_(freep) char *id = db_ident(name);
        return id ? strbuf_printf(b, "%s.%s", alias, id) : -ENOMEM;
}

/* alias."name" as text, '' when empty; a month as MM.YYYY, as messages show months. */
static int put_text(struct strbuf *b, const char *alias, const char *name, bool month) {
        int r = strbuf_puts(b, month ? "coalesce(to_char(" : "coalesce(");
        if (r >= 0)
                r = put_col(b, alias, name);
        return r < 0 ? r : strbuf_puts(b, month ? ", 'MM.YYYY'), '')" : "::text, '')");
}

/* The fields joined with '-', as the loader names a scope's unit and the checker a key. */
static int put_joined(struct strbuf *b, const char *alias, const char *const *names, size_t n,
                      const struct linked_def *d) {
        int r = strbuf_puts(b, "concat_ws('-'");
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = strbuf_puts(b, ", ");
                if (r >= 0)
                        r = put_text(b, alias, names[i], d && is_date(d, names[i]));
        }
        return r < 0 ? r : strbuf_putc(b, ')');
}

/* The month of alias."name" moved by the months in parameter $param. */
static int put_month(struct strbuf *b, const char *alias, const char *name, int param) {
        int r = strbuf_puts(b, "(date_trunc('month', ");
        if (r >= 0)
                r = put_col(b, alias, name);
        if (r < 0)
                return r;
        return param ? strbuf_printf(b, "::timestamp) + make_interval(months => $%d::integer))::date", param)
                     : strbuf_puts(b, "::timestamp))::date");
}

/* The SQL of one rule's statements: its tables, and each piece of text that is needed
 * twice or more. */
struct linked_sql {
        char *owner, *other;            /* quoted table names */
        struct strbuf unit_c, unit_o;   /* the unit of an owner's record c and an other's o */
        struct strbuf year_c, year_o;
};

static void linked_sql_done(struct linked_sql *q) {
        free(q->owner);
        free(q->other);
        strbuf_done(&q->unit_c);
        strbuf_done(&q->unit_o);
        strbuf_done(&q->year_c);
        strbuf_done(&q->year_o);
}

static int linked_sql_init(const struct linked_def *d, struct linked_sql *q) {
        q->owner = db_ident(d->dataset);
        q->other = db_ident(d->other_dataset);
        if (!q->owner || !q->other)
                return -ENOMEM;
        int r = put_joined(&q->unit_c, "c", d->unit, d->nunit, NULL);
        if (r >= 0)
                r = put_joined(&q->unit_o, "o", d->unit, d->nunit, NULL);
        if (r >= 0)
                r = put_col(&q->year_c, "c", d->year_field);
        if (r >= 0)
                r = put_col(&q->year_o, "o", d->year_field);
        return r;
}

/*
 * The statements that read whole unit-years of both tables run without nested loops:
 * hash joins are right for every join in them, and the planner, without statistics for
 * rows loaded in this very transaction, may take a side for one row and read the other
 * table once per record (10,000 schutz against 10,000 gefaehrdung records: 60 s instead
 * of 0.1 s, measured). The setting is the transaction's and is put back afterwards.
 */
static int nestloop_off(PGconn *conn, char **ret_previous, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn, "SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)",
                         0, NULL, &res, ret_error);
        if (r < 0)
                return r;
        *ret_previous = strdup(PQgetvalue(res, 0, 0));
        return *ret_previous ? 0 : -ENOMEM;
}

static int nestloop_restore(PGconn *conn, const char *previous, char **ret_error) {
        const char *params[] = {previous};
        return db_command(conn, "SELECT set_config('enable_nestloop', $1, true)", 1, params, ret_error);
}

/* ---- which unit-years a load of the other data set reaches ---- */

static int reaching_statement(const struct linked_def *d, struct strbuf *sql) {
        _cleanup_(linked_sql_done) struct linked_sql q = {0};
        _cleanup_(strbuf_done) struct strbuf m = {0}, from = {0}, to = {0};
        int r = linked_sql_init(d, &q);
        if (r >= 0)
                r = put_month(&m, "o", d->other_field, 0);
        if (r >= 0)
                r = put_month(&from, "c", d->window_field, 3);
        if (r >= 0)
                r = put_month(&to, "c", d->window_field, 4);
        if (r < 0)
                return r;
        /* Per loaded unit-year: its Berichtsjahr, widened to the other field's months of
         * its rows (an Inobhutnahme of 2024 may have begun in 2023). */
        return strbuf_printf(sql,
                "WITH s (unit, year) AS (SELECT DISTINCT * FROM unnest($1::text[], $2::bigint[])),"
                " o AS (SELECT %s AS unit, %s AS year, %s AS m FROM %s o WHERE %s IN (SELECT unit FROM s)),"
                " span AS (SELECT s.unit, least(make_date(s.year::integer, 1, 1), min(o.m)) AS lo,"
                "  greatest(make_date(s.year::integer, 12, 1), max(o.m)) AS hi"
                "  FROM s LEFT JOIN o ON o.unit = s.unit AND o.year = s.year GROUP BY s.unit, s.year)"
                " SELECT DISTINCT %s, %s FROM %s c JOIN span ON span.unit = %s"
                " WHERE %s IS NOT NULL AND %s <= span.hi AND %s >= span.lo ORDER BY 1, 2",
                strbuf_str(&q.unit_o), strbuf_str(&q.year_o), strbuf_str(&m), q.other, strbuf_str(&q.unit_o),
                strbuf_str(&q.unit_c), strbuf_str(&q.year_c), q.owner, strbuf_str(&q.unit_c), strbuf_str(&q.year_c),
                strbuf_str(&from), strbuf_str(&to));
}

int linked_reaching(PGconn *conn, const struct linked_def *d, const struct unit_year_set *loaded,
                    struct unit_year_set *ret, char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf sql = {0}, units = {0}, years = {0};
        int r = reaching_statement(d, &sql);
        if (r >= 0)
                r = unit_year_set_params(loaded, &units, &years);
        if (r < 0)
                return r;
        const char *params[] = {strbuf_str(&units), strbuf_str(&years), DB_INT64(d->months_from),
                                DB_INT64(d->months_to)};
        _cleanup_(freep) char *previous = NULL;
        r = nestloop_off(conn, &previous, ret_error);
        if (r < 0)
                return r;
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, strbuf_str(&sql), (int) ELEMENTSOF(params), params, &res, ret_error);
        if (r >= 0)
                r = nestloop_restore(conn, previous, ret_error);
        for (int i = 0; r >= 0 && i < PQntuples(res); i++) {
                int64_t year;
                r = db_get_int64(res, i, 1, &year, ret_error);
                if (r >= 0)
                        r = unit_year_set_add(ret, PQgetvalue(res, i, 0), year);
        }
        return r;
}

/* ---- taking findings back ---- */

int linked_take_back(PGconn *conn, const struct linked_def *d, const struct unit_year_set *uys,
                     register_delivery_count_fn fn, void *userdata, char **ret_error) {
        _cleanup_(linked_sql_done) struct linked_sql q = {0};
        _cleanup_(strbuf_done) struct strbuf rows = {0}, units = {0}, years = {0};
        int r = linked_sql_init(d, &q);
        if (r >= 0)
                r = strbuf_printf(&rows,
                                  "SELECT c.delivery_id, c.line FROM %s c"
                                  " WHERE (%s, %s) IN (SELECT * FROM unnest($2::text[], $3::bigint[]))",
                                  q.owner, strbuf_str(&q.unit_c), strbuf_str(&q.year_c));
        if (r >= 0)
                r = unit_year_set_params(uys, &units, &years);
        if (r < 0)
                return r;
        const char *params[] = {d->rule, strbuf_str(&units), strbuf_str(&years)};
        return register_take_back_findings(conn, strbuf_str(&rows), (int) ELEMENTSOF(params), params, fn, userdata,
                                           ret_error);
}

/* ---- finding the records that fire ---- */

/* The pieces of the evaluation that depend on the rule's fields. */
struct eval_sql {
        struct strbuf key, value;       /* the record's key and the rule field's value, as text */
        struct strbuf filter;           /* the owner's records checked: " AND ..." */
        struct strbuf match_cols;       /* ", c.m AS x0, ..." */
        struct strbuf match;            /* " AND o.m::text = c.x0 ..." */
};

static void eval_sql_done(struct eval_sql *e) {
        struct strbuf *all[] = {&e->key, &e->value, &e->filter, &e->match_cols, &e->match};
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                strbuf_done(all[i]);
}

/* Records with an empty match field take no part; where: one code, parameter $3. */
static int eval_filter(const struct linked_def *d, struct eval_sql *e) {
        int r = strbuf_puts(&e->filter, " AND ");
        if (r >= 0)
                r = put_col(&e->filter, "c", d->window_field);
        if (r >= 0)
                r = strbuf_puts(&e->filter, " IS NOT NULL AND ");
        if (r >= 0 && d->where_field) {
                r = put_col(&e->filter, "c", d->where_field);
                if (r >= 0)
                        r = strbuf_puts(&e->filter, "::text = $3");
        } else if (r >= 0)
                r = strbuf_puts(&e->filter, "$3::text IS NULL");
        for (size_t i = 0; i < d->nmatch && r >= 0; i++) {
                r = strbuf_puts(&e->filter, " AND ");
                if (r >= 0)
                        r = put_text(&e->filter, "c", d->match[i], false);
                if (r >= 0)
                        r = strbuf_puts(&e->filter, " <> ''");
        }
        return r;
}

static int eval_pieces(const struct linked_def *d, struct eval_sql *e) {
        int r = put_joined(&e->key, "c", d->key, d->nkey, d);
        if (r >= 0)
                r = put_text(&e->value, "c", d->field, is_date(d, d->field));
        if (r >= 0)
                r = eval_filter(d, e);
        for (size_t i = 0; i < d->nmatch && r >= 0; i++) {
                r = strbuf_puts(&e->match_cols, ", ");
                if (r >= 0)
                        r = put_col(&e->match_cols, "c", d->match[i]);
                if (r >= 0)
                        r = strbuf_printf(&e->match_cols, "::text AS x%zu", i);
                if (r >= 0)
                        r = strbuf_puts(&e->match, " AND ");
                if (r >= 0)
                        r = put_col(&e->match, "o", d->match[i]);
                if (r >= 0)
                        r = strbuf_printf(&e->match, "::text = c.x%zu", i);
        }
        return r;
}

/*
 * The owner's records of the unit-years ($1, $2) that the rule checks and that fire:
 * their window [$4, $5 months from the window field's month] is covered by the other
 * data set's loaded months -- for every year the window touches, that unit-year of the
 * other data set has rows, the latest of their months at the window's end or that year's
 * December -- and no record of the other data set of the unit with equal match fields has
 * its month in the window. The records and the coverage are computed once each
 * (MATERIALIZED: inlined, the coverage would be read again per record).
 */
static int evaluate_statement(const struct linked_def *d, struct strbuf *sql) {
        _cleanup_(linked_sql_done) struct linked_sql q = {0};
        _cleanup_(eval_sql_done) struct eval_sql e = {0};
        _cleanup_(strbuf_done) struct strbuf m = {0}, from = {0}, to = {0};
        int r = linked_sql_init(d, &q);
        if (r >= 0)
                r = eval_pieces(d, &e);
        if (r >= 0)
                r = put_month(&m, "o", d->other_field, 0);
        if (r >= 0)
                r = put_month(&from, "c", d->window_field, 4);
        if (r >= 0)
                r = put_month(&to, "c", d->window_field, 5);
        if (r < 0)
                return r;
        return strbuf_printf(sql,
                "WITH s (unit, year) AS (SELECT DISTINCT * FROM unnest($1::text[], $2::bigint[])),"
                " c AS MATERIALIZED (SELECT c.delivery_id, c.line, %s AS key, %s AS value, %s AS unit,"
                "  %s AS year, %s AS wfrom, %s AS wto%s"
                "  FROM %s c WHERE (%s, %s) IN (SELECT unit, year FROM s)%s),"
                " cov AS MATERIALIZED (SELECT %s AS unit, %s AS year, max(%s) AS last FROM %s o"
                "  WHERE %s IN (SELECT unit FROM s) GROUP BY 1, 2),"
                " covered AS MATERIALIZED (SELECT c.delivery_id, c.line FROM c JOIN cov ON cov.unit = c.unit"
                "  AND cov.year BETWEEN extract(year FROM c.wfrom) AND extract(year FROM c.wto)"
                "  WHERE cov.last >= least(c.wto, make_date(cov.year::integer, 12, 1))"
                "  GROUP BY c.delivery_id, c.line, c.wfrom, c.wto"
                "  HAVING count(*) = extract(year FROM c.wto) - extract(year FROM c.wfrom) + 1)"
                " SELECT c.delivery_id, c.line, c.key, c.value, to_char(c.wfrom, 'MM.YYYY'),"
                " to_char(c.wto, 'MM.YYYY'), c.unit, c.year, d.file_name"
                " FROM c JOIN covered USING (delivery_id, line) JOIN deliveries d ON d.id = c.delivery_id"
                " WHERE NOT EXISTS (SELECT 1 FROM %s o WHERE %s = c.unit%s AND %s BETWEEN c.wfrom AND c.wto)"
                " ORDER BY c.delivery_id, c.line",
                strbuf_str(&e.key), strbuf_str(&e.value), strbuf_str(&q.unit_c), strbuf_str(&q.year_c),
                strbuf_str(&from), strbuf_str(&to), strbuf_str(&e.match_cols), q.owner, strbuf_str(&q.unit_c),
                strbuf_str(&q.year_c), strbuf_str(&e.filter), strbuf_str(&q.unit_o), strbuf_str(&q.year_o),
                strbuf_str(&m), q.other, strbuf_str(&q.unit_o), q.other, strbuf_str(&q.unit_o), strbuf_str(&e.match),
                strbuf_str(&m));
}

/* The columns of a firing record, in the order of the statement above. */
enum { E_DELIVERY, E_LINE, E_KEY, E_VALUE, E_FROM, E_TO, E_UNIT, E_YEAR, E_FILE };

struct evaluation {
        const struct linked_def *d;
        linked_finding_fn fn;
        void *userdata;
        struct strbuf message;
        char **ret_error;
};

static int firing_row(const PGresult *res, int i, void *userdata) {
        struct evaluation *ev = userdata;
        int64_t delivery;
        unsigned long line;
        int r = db_get_int64(res, i, E_DELIVERY, &delivery, ev->ret_error);
        if (r >= 0)
                r = db_get_ulong(res, i, E_LINE, &line, ev->ret_error);
        if (r < 0)
                return r;
        const char *ctx[_CTX_MAX] = {
                [CTX_VALUE] = PQgetvalue(res, i, E_VALUE), [CTX_KEY] = PQgetvalue(res, i, E_KEY),
                [CTX_LINE] = PQgetvalue(res, i, E_LINE), [CTX_DELIVERY] = PQgetvalue(res, i, E_DELIVERY),
                [CTX_FILE] = PQgetvalue(res, i, E_FILE), [CTX_WINDOW_FROM] = PQgetvalue(res, i, E_FROM),
                [CTX_WINDOW_TO] = PQgetvalue(res, i, E_TO), [CTX_OTHER_DATASET] = ev->d->other_dataset,
                [CTX_UNIT] = PQgetvalue(res, i, E_UNIT), [CTX_YEAR] = PQgetvalue(res, i, E_YEAR),
        };
        strbuf_reset(&ev->message);
        r = ruleset_message_render(ev->d->message, ctx, &ev->message);
        if (r < 0)
                return r;
        const struct finding f = {
                .line = line, .key = ctx[CTX_KEY], .rule = ev->d->rule_index >= 0 ? (unsigned) ev->d->rule_index : 0,
                .rule_id = ev->d->rule, .severity = SEVERITY_WARNING, .field = ev->d->field,
                .value = ctx[CTX_VALUE], .message = strbuf_str(&ev->message),
        };
        return ev->fn(ev->userdata, delivery, &f);
}

int linked_evaluate(PGconn *conn, const struct linked_def *d, const struct unit_year_set *uys,
                    linked_finding_fn fn, void *userdata, char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf sql = {0}, units = {0}, years = {0};
        int r = evaluate_statement(d, &sql);
        if (r >= 0)
                r = unit_year_set_params(uys, &units, &years);
        if (r < 0)
                return r;
        const char *params[] = {strbuf_str(&units), strbuf_str(&years), d->where_code, DB_INT64(d->months_from),
                                DB_INT64(d->months_to)};
        _cleanup_(freep) char *previous = NULL;
        r = nestloop_off(conn, &previous, ret_error);
        if (r < 0)
                return r;
        struct evaluation ev = {.d = d, .fn = fn, .userdata = userdata, .ret_error = ret_error};
        r = db_each_row(conn, strbuf_str(&sql), (int) ELEMENTSOF(params), params, NULL, firing_row, &ev, ret_error);
        strbuf_done(&ev.message);
        return r < 0 ? r : nestloop_restore(conn, previous, ret_error);
}
