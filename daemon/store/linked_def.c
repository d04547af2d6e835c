/*
 * Linked rules' definitions (dbrules_impl.h): from the loaded pack, from the other packs'
 * rows in linked_rules (written by dbrules_store() when a pack is prepared), and whether
 * the tables and columns a rule names are there to run it now. The statements that run a
 * rule are in linked.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "array.h"
#include "db.h"
#include "dbrules_impl.h"

void linked_defs_done(struct linked_defs *l) {
        arena_free(l->arena);
        free(l->def);
        *l = (struct linked_defs) {0};
}

static int defs_add(struct linked_defs *l, const struct linked_def *d) {
        int r = ARRAY_GROW(l->def, l->n, l->cap);
        if (r < 0)
                return r;
        l->def[l->n++] = *d;
        return 0;
}

static int defs_arena(struct linked_defs *l) {
        if (!l->arena)
                l->arena = arena_new();
        return l->arena ? 0 : -ENOMEM;
}

/* ---- definitions ---- */

/* The names of fields[0..n) (they live in the pack). */
static const char **field_names(struct arena *a, const struct ruleset *rs, const unsigned *fields, size_t n) {
        const char **names = arena_array(a, n ? n : 1, sizeof(*names));
        for (size_t i = 0; names && i < n; i++)
                names[i] = ruleset_field_name(rs, fields[i]);
        return names;
}

static int def_of_rule(const struct ruleset *rs, unsigned ri, struct arena *a, struct linked_def *ret) {
        const struct linked_rule *lr = ruleset_rule_linked(rs, ri);
        unsigned nunit, nkey;
        const unsigned *unit = ruleset_delivery_unit(rs, &nunit), *key = ruleset_key(rs, &nkey);
        *ret = (struct linked_def) {
                .dataset = ruleset_name(rs), .rule = ruleset_rule_id(rs, ri),
                .field = ruleset_field_name(rs, (unsigned) ruleset_rule_field(rs, ri)),
                .other_dataset = lr->dataset, .other_field = lr->other_field,
                .where_field = lr->where_field >= 0 ? ruleset_field_name(rs, (unsigned) lr->where_field) : NULL,
                .where_code = lr->where_code,
                .match = field_names(a, rs, lr->match, lr->nmatch), .nmatch = lr->nmatch,
                .window_field = ruleset_field_name(rs, lr->window_field),
                .months_from = lr->months_from, .months_to = lr->months_to,
                .unit = field_names(a, rs, unit, nunit), .nunit = nunit,
                .key = field_names(a, rs, key, nkey), .nkey = nkey,
                .year_field = ruleset_field_name(rs, (unsigned) ruleset_year_field(rs)),
                .message = ruleset_rule_message_text(rs, ri), .rule_index = (int) ri,
        };
        return ret->match && ret->unit && ret->key ? 0 : -ENOMEM;
}

int linked_defs_of_pack(const struct ruleset *rs, struct linked_defs *l) {
        int r = defs_arena(l);
        for (unsigned ri = 0; r >= 0 && ri < ruleset_rule_count(rs); ri++) {
                if (!ruleset_rule_linked(rs, ri))
                        continue;
                struct linked_def d;
                r = def_of_rule(rs, ri, l->arena, &d);
                if (r >= 0)
                        r = defs_add(l, &d);
        }
        return r;
}

/* "a b c" (array_to_string of a text[] of field names, which hold no blank) as a list. */
static const char **split_names(struct arena *a, const char *text, size_t *ret_n) {
        size_t n = 0;
        for (const char *p = text; *p; p++)
                n += (p == text || p[-1] == ' ') && *p != ' ';
        const char **names = arena_array(a, n ? n : 1, sizeof(*names));
        char *copy = arena_strdup(a, text);
        if (!names || !copy)
                return NULL;
        size_t k = 0;
        for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                names[k++] = t;
        *ret_n = k;
        return names;
}

/* The columns of a stored definition, in the order of the statement below. */
enum {
        S_DATASET, S_RULE, S_FIELD, S_OTHER_DATASET, S_OTHER_FIELD, S_WHERE_FIELD, S_WHERE_CODE, S_MATCH,
        S_WINDOW_FIELD, S_MONTHS_FROM, S_MONTHS_TO, S_UNIT, S_KEY, S_YEAR_FIELD, S_MESSAGE,
};

static const char *text_at(struct arena *a, const PGresult *res, int i, int col) {
        return PQgetisnull(res, i, col) ? NULL : arena_strdup(a, PQgetvalue(res, i, col));
}

static int def_of_row(const PGresult *res, int i, struct arena *a, struct linked_def *d, char **ret_error) {
        int64_t from, to;
        int r = db_get_int64(res, i, S_MONTHS_FROM, &from, ret_error);
        if (r >= 0)
                r = db_get_int64(res, i, S_MONTHS_TO, &to, ret_error);
        if (r < 0)
                return r;
        if (from < -1200 || to > 1200 || from > to)
                return db_value_error(res, S_MONTHS_FROM, ret_error);
        size_t nmatch = 0, nunit = 0, nkey = 0;
        const char **match = split_names(a, PQgetvalue(res, i, S_MATCH), &nmatch);
        const char **unit = split_names(a, PQgetvalue(res, i, S_UNIT), &nunit);
        const char **key = split_names(a, PQgetvalue(res, i, S_KEY), &nkey);
        *d = (struct linked_def) {
                .dataset = text_at(a, res, i, S_DATASET), .rule = text_at(a, res, i, S_RULE),
                .field = text_at(a, res, i, S_FIELD), .other_dataset = text_at(a, res, i, S_OTHER_DATASET),
                .other_field = text_at(a, res, i, S_OTHER_FIELD), .where_field = text_at(a, res, i, S_WHERE_FIELD),
                .where_code = text_at(a, res, i, S_WHERE_CODE), .window_field = text_at(a, res, i, S_WINDOW_FIELD),
                .months_from = (int) from, .months_to = (int) to, .year_field = text_at(a, res, i, S_YEAR_FIELD),
                .message = text_at(a, res, i, S_MESSAGE), .rule_index = -1,
                .match = match, .nmatch = nmatch, .unit = unit, .nunit = nunit, .key = key, .nkey = nkey,
        };
        bool complete = d->dataset && d->rule && d->field && d->other_dataset && d->other_field && d->window_field &&
                        d->year_field && d->message && d->match && d->unit && d->key;
        return complete ? 0 : -ENOMEM;
}

int linked_defs_pointing_at(PGconn *conn, const char *dataset, struct linked_defs *l, char **ret_error) {
        int r = defs_arena(l);
        if (r < 0)
                return r;
        const char *params[] = {dataset};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn,
                     "SELECT dataset, rule, field, other_dataset, other_field, where_field, where_code,"
                     " array_to_string(match, ' '), window_field, months_from, months_to,"
                     " array_to_string(unit, ' '), array_to_string(key, ' '), year_field, message"
                     " FROM linked_rules WHERE other_dataset = $1 AND dataset <> $1 ORDER BY dataset, rule",
                     1, params, &res, ret_error);
        for (int i = 0; r >= 0 && i < PQntuples(res); i++) {
                struct linked_def d;
                r = def_of_row(res, i, l->arena, &d, ret_error);
                if (r >= 0)
                        r = defs_add(l, &d);
        }
        return r;
}

/* names[0..n) as a text[] parameter. */
static int put_names(struct strbuf *b, const char *const *names, size_t n) {
        int r = 0;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = db_array_add_text(b, names[i]);
        return r < 0 ? r : db_array_end(b);
}

static int store_def(PGconn *conn, const struct ruleset *rs, const struct linked_def *d, char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf match = {0}, unit = {0}, key = {0};
        int r = put_names(&match, d->match, d->nmatch);
        if (r >= 0)
                r = put_names(&unit, d->unit, d->nunit);
        if (r >= 0)
                r = put_names(&key, d->key, d->nkey);
        if (r < 0)
                return r;
        const char *params[] = {
                d->dataset, d->rule, ruleset_rule_title(rs, (unsigned) d->rule_index), d->field, d->other_dataset,
                d->where_field, d->where_code, strbuf_str(&match), d->window_field, d->other_field,
                DB_INT64(d->months_from), DB_INT64(d->months_to), strbuf_str(&unit), strbuf_str(&key),
                d->year_field, d->message,
        };
        return db_command(conn,
                          "INSERT INTO linked_rules (dataset, rule, severity, title, field, other_dataset,"
                          " where_field, where_code, match, window_field, other_field, months_from, months_to,"
                          " unit, key, year_field, message)"
                          " VALUES ($1, $2, 'warning', $3, $4, $5, $6, $7, $8::text[], $9, $10, $11::integer,"
                          " $12::integer, $13::text[], $14::text[], $15, $16)",
                          (int) ELEMENTSOF(params), params, ret_error);
}

int linked_defs_store(PGconn *conn, const struct ruleset *rs, char **ret_error) {
        const char *params[] = {ruleset_name(rs)};
        int r = db_command(conn, "DELETE FROM linked_rules WHERE dataset = $1", 1, params, ret_error);
        if (r < 0)
                return r;
        _cleanup_(linked_defs_done) struct linked_defs l = {0};
        r = linked_defs_of_pack(rs, &l);
        for (size_t i = 0; r >= 0 && i < l.n; i++)
                r = store_def(conn, rs, &l.def[i], ret_error);
        return r;
}

/* ---- whether a rule can run ---- */

/* A column the rule names: in the owner's table or the other's, and the type it must
 * have (NULL: any). */
struct need {
        bool other;
        const char *column, *type;
};

/* The table's columns (relname, attname, type) as pg_attribute has them now. */
static int table_columns(PGconn *conn, const struct linked_def *d, PGresult **ret, char **ret_error) {
        const char *params[] = {d->dataset, d->other_dataset};
        return db_query(conn,
                        "SELECT c.relname, a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a"
                        " JOIN pg_class c ON c.oid = a.attrelid"
                        " WHERE c.oid IN (to_regclass(format('%I.%I', current_schema(), $1::text)),"
                        "  to_regclass(format('%I.%I', current_schema(), $2::text)))"
                        " AND a.attnum > 0 AND NOT a.attisdropped",
                        2, params, ret, ret_error);
}

/* The type of table.column in res, or NULL when there is no such column. */
static const char *column_type(const PGresult *res, const char *table, const char *column) {
        for (int i = 0; i < PQntuples(res); i++)
                if (strcmp(PQgetvalue(res, i, 0), table) == 0 && strcmp(PQgetvalue(res, i, 1), column) == 0)
                        return PQgetvalue(res, i, 2);
        return NULL;
}

struct needs {
        struct need *v;
        size_t n, cap;                  /* grown with ARRAY_GROW */
};

static int need(struct needs *l, bool other, const char *column, const char *type) {
        int r = ARRAY_GROW(l->v, l->n, l->cap);
        if (r >= 0)
                l->v[l->n++] = (struct need) {other, column, type};
        return r;
}

/* Every column the rule names, with the types its statements need: the months are
 * compared as dates, the years as numbers; the rest is compared as text. */
static int rule_needs(const struct linked_def *d, struct needs *l) {
        int r = need(l, false, d->year_field, "bigint");
        if (r >= 0)
                r = need(l, true, d->year_field, "bigint");
        if (r >= 0)
                r = need(l, false, d->window_field, "date");
        if (r >= 0)
                r = need(l, true, d->other_field, "date");
        if (r >= 0)
                r = need(l, false, d->field, NULL);
        if (r >= 0 && d->where_field)
                r = need(l, false, d->where_field, NULL);
        for (size_t i = 0; i < d->nunit && r >= 0; i++) {
                r = need(l, false, d->unit[i], NULL);
                if (r >= 0)
                        r = need(l, true, d->unit[i], NULL);
        }
        for (size_t i = 0; i < d->nmatch && r >= 0; i++) {
                r = need(l, false, d->match[i], NULL);
                if (r >= 0)
                        r = need(l, true, d->match[i], NULL);
        }
        for (size_t i = 0; i < d->nkey && r >= 0; i++)
                r = need(l, false, d->key[i], NULL);
        return r;
}

/* Which of the owner's key fields and field are months (dates): shown as MM.YYYY. */
static int note_dates(const PGresult *res, struct linked_def *d, struct arena *arena) {
        d->dates = arena_array(arena, d->nkey + 1, sizeof(*d->dates));
        if (!d->dates)
                return -ENOMEM;
        d->ndates = 0;
        for (size_t i = 0; i <= d->nkey; i++) {
                const char *name = i < d->nkey ? d->key[i] : d->field;
                const char *type = column_type(res, d->dataset, name);
                if (type && strcmp(type, "date") == 0)
                        d->dates[d->ndates++] = name;
        }
        return 0;
}

int linked_ready(PGconn *conn, struct linked_def *d, struct arena *arena, bool *ret, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = table_columns(conn, d, &res, ret_error);
        if (r < 0)
                return r;
        _cleanup_(freep) struct need *v = NULL;
        struct needs l = {0};
        r = rule_needs(d, &l);
        v = l.v;
        if (r < 0)
                return r;
        bool ready = true;
        for (size_t i = 0; i < l.n; i++) {
                const char *table = v[i].other ? d->other_dataset : d->dataset;
                const char *type = column_type(res, table, v[i].column);
                if (!type)
                        ready = false;
                else if (v[i].type && strcmp(type, v[i].type) != 0) {
                        if (asprintf(ret_error, "rule %s of %s: column %s of %s is %s, not %s (%s)", d->rule, d->dataset,
                                     v[i].column, table, type, v[i].type,
                                     strcmp(v[i].type, "date") == 0 ? "a month" : "a Berichtsjahr") < 0)
                                *ret_error = NULL;
                        return -EMEDIUMTYPE;
                }
        }
        if (ready) {
                r = note_dates(res, d, arena);
                if (r < 0)
                        return r;
        }
        *ret = ready;
        return 0;
}
