/*
 * A delivery's rows in its data set's table (see rows.h). Identifiers are quoted
 * (db_ident), values go as parameters; the row writer is the one hot path here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "copy.h"
#include "db.h"
#include "rows.h"
#include "schema.h"

int rows_copy_statement(const struct table *t, struct strbuf *sql) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        int r = tab ? strbuf_printf(sql, "COPY %s (delivery_id, line", tab) : -ENOMEM;
        for (unsigned k = 0; k < t->ncolumns && r >= 0; k++) {
                if (!t->columns[k].stored)
                        continue;
                _cleanup_(freep) char *col = db_ident(t->columns[k].name);
                r = col ? strbuf_printf(sql, ", %s", col) : -ENOMEM;
        }
        return r < 0 ? r : strbuf_puts(sql, ") FROM STDIN (NULL '')");
}

/* The most bytes a row of v takes: every text byte escaped, every number at full width
 * (a month, "YYYY-MM-01", and a date, "YYYY-MM-DD", are shorter than a number), a tab
 * before each column. */
static size_t row_max(const struct table *t, size_t id_len, const struct column_value *v) {
        size_t need = id_len + 1 + COPY_INT_MAX + 1;
        for (unsigned k = 0; k < t->ncolumns; k++)
                if (t->columns[k].stored)
                        need += 1 + COPY_INT_MAX +
                                (t->columns[k].type == COLUMN_TEXT && !v[k].null ? COPY_TEXT_MAX(v[k].len) : 0);
        return need;
}

/* A date as COPY's ISO text, YYYY-MM-DD: the server reads it whatever its DateStyle. Dates
 * are days of the years 1900-2100 (P03), so the year has four digits. */
static char *put_day(char *p, int64_t days) {
        int64_t y;
        unsigned m, d;
        calendar_civil_from_days(days, &y, &m, &d);
        p = copy_put_uint(p, (unsigned) y);
        *p++ = '-';
        *p++ = (char) ('0' + m / 10);
        *p++ = (char) ('0' + m % 10);
        *p++ = '-';
        *p++ = (char) ('0' + d / 10);
        *p++ = (char) ('0' + d % 10);
        return p;
}

int rows_append(struct strbuf *b, const struct table *t, const char *id, size_t id_len, unsigned long line,
                const struct column_value *v) {
        int r = strbuf_reserve(b, row_max(t, id_len, v));
        if (r < 0)
                return r;
        char *p = b->data + b->len;
        memcpy(p, id, id_len);
        p += id_len;
        *p++ = '\t';
        p = copy_put_uint(p, line);
        for (unsigned k = 0; k < t->ncolumns; k++) {
                if (!t->columns[k].stored)
                        continue;
                *p++ = '\t';
                if (v[k].null)
                        continue;       /* NULL '': an empty field costs the server no bytes */
                switch (t->columns[k].type) {
                case COLUMN_INTEGER:
                        p = copy_put_int(p, (long long) v[k].i);
                        break;
                case COLUMN_DATE: {
                        /* Months are year * 12 + month - 1 with years 1900-2100 (P03). */
                        int year = (int) (v[k].i / 12), month = (int) (v[k].i % 12) + 1;
                        p = copy_put_uint(p, (unsigned) year);
                        *p++ = '-';
                        *p++ = (char) ('0' + month / 10);
                        *p++ = (char) ('0' + month % 10);
                        memcpy(p, "-01", 3);
                        p += 3;
                        break;
                }
                case COLUMN_DAY:
                        p = put_day(p, v[k].i);
                        break;
                case COLUMN_NUMERIC:
                        /* The decoder's canonical text ("23.4"), at most 20 bytes. */
                        memcpy(p, v[k].s, v[k].len);
                        p += v[k].len;
                        break;
                case COLUMN_TEXT:
                        if (t->columns[k].plain) {
                                memcpy(p, v[k].s, v[k].len);
                                p += v[k].len;
                        } else
                                p = copy_put_text(p, v[k].s, v[k].len);
                        break;
                }
        }
        *p++ = '\n';
        b->len = (size_t) (p - b->data);
        b->data[b->len] = 0;
        return 0;
}

int rows_scope_of(const struct table *t, const struct column_value *v, struct strbuf *unit, int64_t *ret_year,
                  const char **ret_part, size_t *ret_part_len) {
        strbuf_reset(unit);
        int r = 0;
        for (unsigned k = 0; k < t->nunit && r >= 0; k++) {
                const struct column_value *u = &v[t->unit[k]];
                if (k)
                        r = strbuf_putc(unit, '-');
                if (r >= 0 && !u->null)
                        r = strbuf_append(unit, u->s, u->len);
        }
        if (r < 0)
                return r;
        *ret_year = t->year >= 0 && !v[t->year].null ? v[t->year].i : 0;
        bool part = t->part >= 0 && !v[t->part].null;
        *ret_part = part ? v[t->part].s : "";
        *ret_part_len = part ? v[t->part].len : 0;
        return 0;
}

/* Runs a DELETE and reads how many rows it took. */
static int delete_rows(PGconn *conn, const char *sql, int nparams, const char *const *params,
                       unsigned long *ret_deleted, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        int r = db_query(conn, sql, nparams, params, &res, ret_error);
        if (r < 0)
                return r;
        return db_affected(res, ret_deleted, ret_error);
}

void rows_rejected_fields(const struct table *t, int field[REGISTER_REJECTED_FIELDS]) {
        const struct ruleset *rs = t->rs;
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS; k++)
                field[k] = ruleset_field_find(rs, register_rejected_columns[k]);
        field[REGISTER_REJECTED_BERICHTSJAHR] = t->year >= 0 ? (int) t->columns[t->year].field : -1;
        field[REGISTER_REJECTED_GRUPPE] = ruleset_report_group(rs);
}

/* "DELETE ... RETURNING line, <the roles' columns as text>" of rows_take_lines(). */
static int take_statement(const struct table *t, struct strbuf *sql) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        int r = tab ? strbuf_printf(sql, "DELETE FROM %s WHERE delivery_id = $1 AND line = ANY($2::integer[])"
                                         " RETURNING line", tab)
                    : -ENOMEM;
        int field[REGISTER_REJECTED_FIELDS];
        rows_rejected_fields(t, field);
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS && r >= 0; k++) {
                r = strbuf_puts(sql, ", ");
                if (r >= 0)
                        r = field[k] >= 0 ? schema_column(t, NULL, (unsigned) field[k], -1, sql) : strbuf_puts(sql, "NULL");
                if (r >= 0)
                        r = strbuf_puts(sql, "::text");
        }
        return r;
}

int rows_take_lines(PGconn *conn, const struct table *t, int64_t delivery, const unsigned long *lines, size_t n,
                    rows_taken_fn fn, void *userdata, unsigned long *ret_deleted, char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf sql = {0}, list = {0};
        int r = take_statement(t, &sql);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = db_array_add(&list, (int64_t) lines[i]);
        if (r >= 0)
                r = db_array_end(&list);
        if (r < 0)
                return r;
        const char *params[] = {DB_INT64(delivery), strbuf_str(&list)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, strbuf_str(&sql), 2, params, &res, ret_error);
        if (r < 0)
                return r;
        for (int i = 0; i < PQntuples(res); i++) {
                int64_t line;
                const char *values[REGISTER_REJECTED_FIELDS];
                r = db_get_int64(res, i, 0, &line, ret_error);
                if (r < 0)
                        return r;
                for (int k = 0; k < REGISTER_REJECTED_FIELDS; k++)
                        values[k] = PQgetisnull(res, i, 1 + k) ? NULL : PQgetvalue(res, i, 1 + k);
                r = fn(userdata, (unsigned long) line, values);
                if (r < 0)
                        return r;
        }
        *ret_deleted = (unsigned long) PQntuples(res);
        return 0;
}

int rows_delete_scope(PGconn *conn, const struct table *t, int64_t delivery, const struct register_scope *sc,
                      unsigned long *ret_deleted, char **ret_error) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        _cleanup_(freep) char *year = t->year >= 0 ? db_ident(t->columns[t->year].name) : NULL;
        if (!tab || (t->year >= 0 && !year))
                return -ENOMEM;
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = strbuf_printf(&sql, "DELETE FROM %s WHERE delivery_id = $1::bigint AND ", tab);
        if (r >= 0)
                r = schema_unit_expression(t, NULL, &sql);
        if (r >= 0)
                r = year ? strbuf_printf(&sql, " = $2 AND %s = $3::bigint AND ", year)
                         : strbuf_puts(&sql, " = $2 AND $3::bigint IS NOT NULL AND ");
        if (r >= 0)
                r = schema_part_expression(t, NULL, &sql);
        if (r >= 0)
                r = strbuf_puts(&sql, " = $4");
        if (r < 0)
                return r;
        const char *params[] = {DB_INT64(delivery), sc->unit, DB_INT64(sc->year), sc->part};
        return delete_rows(conn, strbuf_str(&sql), 4, params, ret_deleted, ret_error);
}

/* SELECT unit, year, part, count(*) of delivery's rows, per scope. */
static int count_statement(const struct table *t, struct strbuf *sql) {
        _cleanup_(freep) char *tab = db_ident(t->name);
        _cleanup_(freep) char *year = t->year >= 0 ? db_ident(t->columns[t->year].name) : NULL;
        if (!tab || (t->year >= 0 && !year))
                return -ENOMEM;
        int r = strbuf_puts(sql, "SELECT ");
        if (r >= 0)
                r = schema_unit_expression(t, NULL, sql);
        if (r >= 0)
                r = year ? strbuf_printf(sql, ", coalesce(%s, 0), ", year) : strbuf_puts(sql, ", 0, ");
        if (r >= 0)
                r = schema_part_expression(t, NULL, sql);
        if (r >= 0)
                r = strbuf_printf(sql, ", count(*) FROM %s WHERE delivery_id = $1::bigint GROUP BY 1, 2, 3", tab);
        return r;
}

int rows_count_scopes(PGconn *conn, const struct table *t, int64_t delivery, struct register_scopes *scopes,
                      char **ret_error) {
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = count_statement(t, &sql);
        if (r < 0)
                return r;
        const char *params[] = {DB_INT64(delivery)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, strbuf_str(&sql), 1, params, &res, ret_error);
        if (r < 0)
                return r;
        register_scopes_clear(scopes);
        for (int i = 0; i < PQntuples(res); i++) {
                int64_t year;
                unsigned long records;
                const char *part = PQgetvalue(res, i, 2);
                r = db_get_int64(res, i, 1, &year, ret_error);
                if (r >= 0)
                        r = db_get_ulong(res, i, 3, &records, ret_error);
                if (r >= 0)
                        r = register_scopes_add(scopes, PQgetvalue(res, i, 0), year, part, strlen(part), records);
                if (r < 0)
                        return r;
        }
        return 0;
}

int rows_count_groups(PGconn *conn, const char *table, const char *column, int64_t delivery, rows_group_fn fn,
                      void *userdata, char **ret_error) {
        _cleanup_(freep) char *tab = db_ident(table), *col = db_ident(column);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        int r = tab && col ? 0 : -ENOMEM;
        if (r >= 0)
                r = strbuf_printf(&sql,
                                  "SELECT coalesce(h.%s, ''), count(*) AS records, count(w.line) AS warned,"
                                  " coalesce(sum(w.n), 0) AS findings"
                                  " FROM %s h LEFT JOIN (SELECT line, count(*) AS n FROM findings"
                                  " WHERE delivery_id = $1::bigint GROUP BY line) w ON w.line = h.line"
                                  " WHERE h.delivery_id = $1::bigint GROUP BY 1 ORDER BY 1",
                                  col, tab);
        if (r < 0)
                return r;
        const char *params[] = {DB_INT64(delivery)};
        _cleanup_(db_clearp) PGresult *res = NULL;
        r = db_query(conn, strbuf_str(&sql), 1, params, &res, ret_error);
        if (r < 0)
                return r;
        for (int i = 0; i < PQntuples(res); i++) {
                unsigned long n[3];     /* records, warned, findings */
                for (int k = 0; k < 3; k++)
                        if ((r = db_get_ulong(res, i, 1 + k, &n[k], ret_error)) < 0)
                                return r;
                r = fn(userdata, PQgetvalue(res, i, 0), n[0], n[1], n[2]);
                if (r < 0)
                        return r;
        }
        return 0;
}
