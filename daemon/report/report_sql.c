/*
 * The reports' SQL (report_sql.h): one function per statement, each turning its rows into
 * typed values for the delivery report (delivery_db.c) and the overview (overview.c).
 * Numbers are read with db_get_int64/db_get_ulong only; a column that does not hold what
 * it should is reported by name. Ids go to the server as text parameters, never into the
 * statement; the only names put into a statement (the data set's table and the group
 * column, from the rule pack) are quoted with db_ident.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "report_sql.h"
#include "schema.h"
#include "strbuf.h"

/* An id as a text parameter: "-9223372036854775808" and the NUL fit. */
struct id_text {
        char s[sizeof("-9223372036854775808")];
};

static struct id_text id_text(long long id) {
        struct id_text t;
        snprintf(t.s, sizeof(t.s), "%lld", id);
        return t;
}

/* A value that is not what its column holds: -EBADMSG, said once. */
static int bad_value(const PGresult *res, int col, char **ret_error) {
        if (ret_error && !*ret_error &&
            asprintf(ret_error, "the database gave a value that is not valid in column '%s'", PQfname(res, col)) < 0)
                *ret_error = NULL;
        return -EBADMSG;
}

static int get_int64(const PGresult *res, int row, int col, int64_t *ret, char **ret_error) {
        return db_get_int64(res, row, col, ret) < 0 ? bad_value(res, col, ret_error) : 0;
}

static int get_ulong(const PGresult *res, int row, int col, unsigned long *ret, char **ret_error) {
        return db_get_ulong(res, row, col, ret) < 0 ? bad_value(res, col, ret_error) : 0;
}

/* n consecutive columns from first, as unsigned longs, into *ret[0] ... *ret[n - 1]. */
static int get_ulongs(const PGresult *res, int row, int first, unsigned long *const *ret, size_t n,
                      char **ret_error) {
        for (size_t i = 0; i < n; i++) {
                int e = get_ulong(res, row, first + (int) i, ret[i], ret_error);
                if (e < 0)
                        return e;
        }
        return 0;
}

static int get_severity(const PGresult *res, int row, int col, enum severity *ret, char **ret_error) {
        static const enum severity all[] = {SEVERITY_ERROR, SEVERITY_WARNING, SEVERITY_FILE};
        const char *s = PQgetvalue(res, row, col);
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (strcmp(s, severity_name(all[i])) == 0) {
                        *ret = all[i];
                        return 0;
                }
        return bad_value(res, col, ret_error);
}

/* Where the rows of a query go: the caller's callback, of the query's type. */
struct rows {
        void *userdata;
        union {
                checker_finding_fn finding;
                report_sql_text_fn text;
                report_sql_group_fn group;
                report_sql_delivery_fn delivery;
                report_sql_count_fn count;
                report_sql_rule_month_fn rule_month;
        } fn;
};

/* Reads row i of a query's result and hands it on. */
typedef int (*row_fn)(const PGresult *res, int i, const struct rows *to, char **ret_error);

/* Runs sql and hands every row to row(), until one fails. */
static int each_row(PGconn *conn, const char *sql, int nparams, const char *const *params, row_fn row,
                    const struct rows *to, char **ret_error) {
        _cleanup_(db_clearp) PGresult *res = NULL;
        int e = db_query(conn, sql, nparams, params, &res, ret_error);
        if (e < 0)
                return e;
        for (int i = 0; i < PQntuples(res); i++) {
                e = row(res, i, to, ret_error);
                if (e < 0)
                        return e;
        }
        return 0;
}

int report_sql_begin(PGconn *conn, const char *schema, char **ret_error) {
        return schema_begin_read(conn, schema, ret_error);
}

void report_sql_end(PGconn *conn) {
        PQclear(PQexec(conn, "ROLLBACK"));
}

/* ---- the delivery report ---- */

void report_delivery_row_done(struct report_delivery_row *d) {
        PQclear(d->res);
        d->res = NULL;
}

int report_sql_delivery(PGconn *conn, long long id, struct report_delivery_row *ret, char **ret_error) {
        struct id_text t = id_text(id);
        const char *params[] = {t.s};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int e = db_query(conn,
                         "SELECT source, dataset, file_name, sha256, rules_name, rules_version,"
                         " coalesce(encoding, ''), status, coalesce(reason, ''),"
                         " extract(epoch FROM received_at)::bigint AS received_at,"
                         " coalesce(extract(epoch FROM loaded_at)::bigint, 0) AS loaded_at,"
                         " records, loaded, rejected, warned"
                         " FROM deliveries WHERE id = $1::bigint",
                         1, params, &res, ret_error);
        if (e < 0)
                return e;
        if (PQntuples(res) == 0)
                return -ENOENT;
        struct report_delivery_row d = {
                .source = PQgetvalue(res, 0, 0), .dataset = PQgetvalue(res, 0, 1),
                .file_name = PQgetvalue(res, 0, 2), .sha256 = PQgetvalue(res, 0, 3),
                .rules_name = PQgetvalue(res, 0, 4), .rules_version = PQgetvalue(res, 0, 5),
                .encoding = PQgetvalue(res, 0, 6), .status = PQgetvalue(res, 0, 7), .reason = PQgetvalue(res, 0, 8),
        };
        e = get_int64(res, 0, 9, &d.received, ret_error);
        if (e < 0)
                return e;
        e = get_int64(res, 0, 10, &d.loaded_at, ret_error);
        if (e < 0)
                return e;
        e = get_ulongs(res, 0, 11, (unsigned long *const[]) {&d.records, &d.loaded, &d.rejected, &d.warned}, 4,
                       ret_error);
        if (e < 0)
                return e;
        d.res = TAKE_PTR(res);
        *ret = d;
        return 0;
}

static int finding_row(const PGresult *res, int i, const struct rows *to, char **ret_error) {
        struct finding f = {
                .key = PQgetvalue(res, i, 1), .rule_id = PQgetvalue(res, i, 2), .field = PQgetvalue(res, i, 4),
                .value = PQgetvalue(res, i, 5), .message = PQgetvalue(res, i, 6),
        };
        int e = get_ulong(res, i, 0, &f.line, ret_error);
        if (e < 0)
                return e;
        e = get_severity(res, i, 3, &f.severity, ret_error);
        if (e < 0)
                return e;
        return to->fn.finding(to->userdata, &f);
}

int report_sql_findings(PGconn *conn, long long id, checker_finding_fn fn, void *userdata, char **ret_error) {
        struct id_text t = id_text(id);
        const char *params[] = {t.s};
        if (!PQsendQueryParams(conn,
                               "SELECT line, key, rule, severity, field, value, message FROM findings"
                               " WHERE delivery_id = $1::bigint ORDER BY line, ctid",
                               1, NULL, params, NULL, NULL, 0)) {
                *ret_error = db_error_text(conn, NULL);
                return -EIO;
        }
        const struct rows to = {.userdata = userdata, .fn.finding = fn};
        int e = 0;
        if (!PQsetSingleRowMode(conn)) {
                *ret_error = db_error_text(conn, NULL);
                e = -EIO;
        }
        /* Every result is taken, after a failure too: the connection must be idle again
         * for the next statement. */
        for (PGresult *res; (res = PQgetResult(conn)); PQclear(res)) {
                if (e < 0)
                        continue;
                ExecStatusType st = PQresultStatus(res);
                if (st == PGRES_SINGLE_TUPLE)
                        e = finding_row(res, 0, &to, ret_error);
                else if (st != PGRES_TUPLES_OK) {
                        *ret_error = db_error_text(conn, res);
                        e = -EIO;
                }
        }
        return e;
}

static int text_row(const PGresult *res, int i, const struct rows *to, char **ret_error) {
        unsigned long line;
        int e = get_ulong(res, i, 0, &line, ret_error);
        if (e < 0)
                return e;
        return to->fn.text(to->userdata, line, PQgetvalue(res, i, 1), (size_t) PQgetlength(res, i, 1));
}

int report_sql_rejected_texts(PGconn *conn, long long id, const unsigned long *lines, size_t n,
                              report_sql_text_fn fn, void *userdata, char **ret_error) {
        /* The lines as one array parameter: {2,17,40}. */
        _cleanup_(strbuf_done) struct strbuf arr = {0};
        int e = strbuf_putc(&arr, '{');
        if (e < 0)
                return e;
        for (size_t i = 0; i < n; i++) {
                e = strbuf_printf(&arr, "%s%lu", i ? "," : "", lines[i]);
                if (e < 0)
                        return e;
        }
        e = strbuf_putc(&arr, '}');
        if (e < 0)
                return e;
        struct id_text t = id_text(id);
        const char *params[] = {t.s, strbuf_str(&arr)};
        return each_row(conn,
                        "SELECT line, raw FROM rejected_records WHERE delivery_id = $1::bigint"
                        " AND line = ANY($2::integer[])",
                        2, params, text_row, &(struct rows) {.userdata = userdata, .fn.text = fn}, ret_error);
}

int report_sql_has_column(PGconn *conn, const char *schema, const char *table, const char *column, bool *ret,
                          char **ret_error) {
        const char *params[] = {schema, table, column};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int e = db_query(conn,
                         "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2"
                         " AND column_name = $3",
                         3, params, &res, ret_error);
        if (e < 0)
                return e;
        *ret = PQntuples(res) > 0;
        return 0;
}

static int group_row(const PGresult *res, int i, const struct rows *to, char **ret_error) {
        unsigned long records, warned, findings;
        int e = get_ulongs(res, i, 1, (unsigned long *const[]) {&records, &warned, &findings}, 3, ret_error);
        if (e < 0)
                return e;
        return to->fn.group(to->userdata, PQgetvalue(res, i, 0), records, warned, findings);
}

int report_sql_group_counts(PGconn *conn, const char *table, const char *column, long long id,
                            report_sql_group_fn fn, void *userdata, char **ret_error) {
        _cleanup_(freep) char *tab = db_ident(table), *col = db_ident(column);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        if (!tab || !col)
                return -ENOMEM;
        int e = strbuf_printf(&sql,
                              "SELECT coalesce(h.%s, ''), count(*), count(w.line), coalesce(sum(w.n), 0)"
                              " FROM %s h LEFT JOIN (SELECT line, count(*) AS n FROM findings"
                              " WHERE delivery_id = $1::bigint GROUP BY line) w ON w.line = h.line"
                              " WHERE h.delivery_id = $1::bigint GROUP BY 1 ORDER BY 1",
                              col, tab);
        if (e < 0)
                return e;
        struct id_text t = id_text(id);
        const char *params[] = {t.s};
        return each_row(conn, strbuf_str(&sql), 1, params, group_row,
                        &(struct rows) {.userdata = userdata, .fn.group = fn}, ret_error);
}

/* ---- the overview ---- */

static int delivery_row(const PGresult *res, int i, const struct rows *to, char **ret_error) {
        struct report_overview_row d = {
                .source = PQgetvalue(res, i, 1), .file_name = PQgetvalue(res, i, 2), .status = PQgetvalue(res, i, 3),
                .units = PQgetvalue(res, i, 4),
        };
        int64_t id;
        int e = get_int64(res, i, 0, &id, ret_error);
        if (e < 0)
                return e;
        d.id = (long long) id;
        e = get_int64(res, i, 5, &d.received, ret_error);
        if (e < 0)
                return e;
        e = get_ulongs(res, i, 6, (unsigned long *const[]) {&d.records, &d.loaded, &d.rejected, &d.warned}, 4,
                       ret_error);
        if (e < 0)
                return e;
        return to->fn.delivery(to->userdata, &d);
}

int report_sql_deliveries_since(PGconn *conn, const char *since, report_sql_delivery_fn fn, void *userdata,
                                char **ret_error) {
        /* A delivery's reporting units: those it covers, or for one that was replaced,
         * those of the deliveries that replaced it (which may have been replaced in turn). */
        const char *params[] = {since};
        return each_row(conn,
                        "SELECT d.id, d.source, d.file_name, d.status, coalesce("
                        "(SELECT string_agg(DISTINCT x.unit, ', ') FROM delivery_scopes x WHERE x.delivery_id = d.id),"
                        "(WITH RECURSIVE chain(id) AS (SELECT d.superseded_by UNION"
                        " SELECT e.superseded_by FROM deliveries e JOIN chain c ON e.id = c.id"
                        " WHERE e.superseded_by IS NOT NULL)"
                        " SELECT string_agg(DISTINCT x.unit, ', ') FROM delivery_scopes x"
                        " WHERE x.delivery_id IN (SELECT id FROM chain)), ''),"
                        " extract(epoch FROM d.received_at)::bigint AS received_at,"
                        " d.records, d.loaded, d.rejected, d.warned"
                        " FROM deliveries d WHERE d.received_at >= $1::date AND d.status <> 'duplicate'"
                        " ORDER BY d.id",
                        1, params, delivery_row, &(struct rows) {.userdata = userdata, .fn.delivery = fn}, ret_error);
}

int report_sql_unit_of_findings(PGconn *conn, long long id, unsigned nkey, char **ret, char **ret_error) {
        struct id_text t = id_text(id);
        char k[sizeof("4294967295")];   /* an unsigned of 32 bits and the NUL */
        snprintf(k, sizeof(k), "%u", nkey);
        const char *params[] = {t.s, k};
        _cleanup_(db_clearp) PGresult *res = NULL;
        int e = db_query(conn,
                         "SELECT coalesce(mode() WITHIN GROUP (ORDER BY array_to_string("
                         "(string_to_array(key, '-'))[1:$2::integer], '-')), '') FROM findings"
                         " WHERE delivery_id = $1::bigint AND line > 0 AND key <> ''",
                         2, params, &res, ret_error);
        if (e < 0)
                return e;
        char *unit = strdup(PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
        if (!unit)
                return -ENOMEM;
        *ret = unit;
        return 0;
}

static int count_row(const PGresult *res, int i, const struct rows *to, char **ret_error) {
        unsigned long n;
        int e = get_ulong(res, i, 1, &n, ret_error);
        if (e < 0)
                return e;
        return to->fn.count(to->userdata, PQgetvalue(res, i, 0), n);
}

int report_sql_duplicates_since(PGconn *conn, const char *since, report_sql_count_fn fn, void *userdata,
                                char **ret_error) {
        const char *params[] = {since};
        return each_row(conn,
                        "SELECT source, count(*) FROM deliveries WHERE received_at >= $1::date"
                        " AND status = 'duplicate' GROUP BY 1",
                        1, params, count_row, &(struct rows) {.userdata = userdata, .fn.count = fn}, ret_error);
}

static int rule_month_row(const PGresult *res, int i, const struct rows *to, char **ret_error) {
        struct report_rule_month_row row = {
                .source = PQgetvalue(res, i, 0), .rule = PQgetvalue(res, i, 1), .month = PQgetvalue(res, i, 3)};
        int e = get_severity(res, i, 2, &row.severity, ret_error);
        if (e < 0)
                return e;
        e = get_ulong(res, i, 4, &row.findings, ret_error);
        if (e < 0)
                return e;
        return to->fn.rule_month(to->userdata, &row);
}

int report_sql_rule_months_since(PGconn *conn, const char *since, report_sql_rule_month_fn fn, void *userdata,
                                 char **ret_error) {
        const char *params[] = {since};
        return each_row(conn,
                        "SELECT d.source, f.rule, min(f.severity), to_char(d.received_at, 'YYYY-MM'), count(*)"
                        " FROM findings f JOIN deliveries d ON d.id = f.delivery_id"
                        " WHERE d.received_at >= $1::date AND d.status <> 'duplicate'"
                        " GROUP BY 1, 2, 4 ORDER BY 1, 2, 4",
                        1, params, rule_month_row, &(struct rows) {.userdata = userdata, .fn.rule_month = fn},
                        ret_error);
}
