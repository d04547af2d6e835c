/*
 * The delivery register's reads for the reports (see register.h): a delivery's header, its
 * findings and rejected records, and the deliveries, duplicates and findings per rule
 * since a day. Every query goes through one loop, each_row(), in single-row mode, and each
 * row is read into a typed value -- numbers with db_get_int64/db_get_ulong, a status or a
 * severity against the names the table uses -- so that a value that is not what its
 * column holds is -EBADMSG naming the column, never a 0. Ids and days go to the server as
 * text parameters, never into the statement.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "register.h"
#include "strbuf.h"

/* ---- values ---- */

/* The columns records, loaded, rejected and warned, from first on. */
static int get_counts(const PGresult *res, int row, int first, struct register_counts *ret, char **ret_error) {
        unsigned long *const to[] = {&ret->records, &ret->loaded, &ret->rejected, &ret->warned};
        for (size_t k = 0; k < ELEMENTSOF(to); k++) {
                int r = db_get_ulong(res, row, first + (int) k, to[k], ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A column that holds one of n names, name(0) to name(n - 1) spelt as the table spells
 * them: the index of the one it holds. */
static int get_named(const PGresult *res, int row, int col, const char *(*name)(int), int n, char **ret_error) {
        for (int k = 0; k < n; k++)
                if (strcmp(PQgetvalue(res, row, col), name(k)) == 0)
                        return k;
        return db_value_error(res, col, ret_error);
}

static const char *status_at(int k) {
        return register_status_name((enum register_status) k);
}

static const char *severity_at(int k) {
        return severity_name((enum severity) k);
}

/* ---- the one row loop ---- */

/* Where a query's rows go: the caller's callback, of the query's type, or a value of the
 * caller's to fill (userdata); rows counts the rows handed on. */
struct to {
        void *userdata;
        union {
                checker_finding_fn finding;
                register_text_fn text;
                register_entry_fn entry;
                register_count_fn count;
                register_rule_count_fn rule_count;
        } fn;
        size_t rows;
};

/* Reads row i of a query's result and hands it on. */
typedef int (*row_fn)(const PGresult *res, int i, const struct to *to, char **ret_error);

struct each {
        row_fn row;
        struct to *to;
        char **ret_error;
};

static int each_one(const PGresult *res, int i, void *userdata) {
        struct each *e = userdata;
        int r = e->row(res, i, e->to, e->ret_error);
        e->to->rows++;
        return r;
}

/* Every row of sql to row() (db_each_row()). */
static int each_row(PGconn *conn, const char *sql, int nparams, const char *const *params, row_fn row,
                    struct to *to, char **ret_error) {
        struct each e = {.row = row, .to = to, .ret_error = ret_error};
        return db_each_row(conn, sql, nparams, params, NULL, each_one, &e, ret_error);
}

/* ---- a delivery ---- */

void register_row_done(struct register_row *row) {
        arena_free(row->arena);
        *row = (struct register_row) {0};
}

/* The columns of the header, in the order of the statement. */
enum {
        D_SOURCE, D_DATASET, D_FILE_NAME, D_FILE_SIZE, D_SHA256, D_RECEIVED, D_RULES_NAME, D_RULES_VERSION,
        D_RULES_SHA256, D_DUPLICATE_OF, D_STATUS, D_REASON, D_ENCODING, D_LOADED_AT,
        D_RECORDS,      /* loaded, rejected, warned follow */
};

static const char delivery_sql[] =
        "SELECT source, dataset, file_name, file_size, sha256,"
        " extract(epoch FROM received_at)::bigint AS received_at, rules_name, rules_version, rules_sha256,"
        " coalesce(duplicate_of, 0) AS duplicate_of, status, reason, encoding,"
        " coalesce(extract(epoch FROM loaded_at)::bigint, 0) AS loaded_at, records, loaded, rejected, warned"
        " FROM deliveries WHERE id = $1::bigint";

/* The header's strings into the row's arena; a NULL stays NULL. */
static int delivery_texts(const PGresult *res, int i, struct register_row *d) {
        const struct {
                int col;
                const char **to;
        } texts[] = {
                {D_SOURCE, &d->delivery.source},         {D_DATASET, &d->delivery.dataset},
                {D_FILE_NAME, &d->delivery.file_name},   {D_SHA256, &d->delivery.sha256},
                {D_RULES_NAME, &d->delivery.rules_name}, {D_RULES_VERSION, &d->delivery.rules_version},
                {D_RULES_SHA256, &d->delivery.rules_sha256}, {D_REASON, &d->outcome.reason},
                {D_ENCODING, &d->outcome.encoding},
        };
        for (size_t k = 0; k < ELEMENTSOF(texts); k++) {
                if (PQgetisnull(res, i, texts[k].col))
                        continue;
                *texts[k].to = arena_strdup(d->arena, PQgetvalue(res, i, texts[k].col));
                if (!*texts[k].to)
                        return -ENOMEM;
        }
        return 0;
}

static int delivery_row(const PGresult *res, int i, const struct to *to, char **ret_error) {
        struct register_row *d = to->userdata;
        const struct {
                int col;
                int64_t *to;
        } numbers[] = {
                {D_FILE_SIZE, &d->delivery.file_size},
                {D_RECEIVED, &d->delivery.received},
                {D_DUPLICATE_OF, &d->delivery.duplicate_of},
                {D_LOADED_AT, &d->loaded_at},
        };
        for (size_t k = 0; k < ELEMENTSOF(numbers); k++) {
                int r = db_get_int64(res, i, numbers[k].col, numbers[k].to, ret_error);
                if (r < 0)
                        return r;
        }
        int r = get_counts(res, i, D_RECORDS, &d->outcome.counts, ret_error);
        if (r < 0)
                return r;
        r = get_named(res, i, D_STATUS, status_at, _REGISTER_STATUS_MAX, ret_error);
        if (r < 0)
                return r;
        d->outcome.status = (enum register_status) r;
        return delivery_texts(res, i, d);
}

int register_delivery_get(PGconn *conn, int64_t id, struct register_row *ret, char **ret_error) {
        _cleanup_(register_row_done) struct register_row d = {.id = id, .arena = arena_new()};
        if (!d.arena)
                return -ENOMEM;
        const char *params[] = {DB_INT64(id)};
        struct to to = {.userdata = &d};
        int r = each_row(conn, delivery_sql, 1, params, delivery_row, &to, ret_error);
        if (r < 0)
                return r;
        if (to.rows == 0)
                return -ENOENT;
        *ret = d;
        d = (struct register_row) {0};
        return 0;
}

/* ---- its findings and rejected records ---- */

static int finding_row(const PGresult *res, int i, const struct to *to, char **ret_error) {
        struct finding f = {
                .key = PQgetvalue(res, i, 1), .rule_id = PQgetvalue(res, i, 2), .field = PQgetvalue(res, i, 4),
                .value = PQgetvalue(res, i, 5), .message = PQgetvalue(res, i, 6),
        };
        int r = db_get_ulong(res, i, 0, &f.line, ret_error);
        if (r < 0)
                return r;
        r = get_named(res, i, 3, severity_at, SEVERITY_FILE + 1, ret_error);
        if (r < 0)
                return r;
        f.severity = (enum severity) r;
        return to->fn.finding(to->userdata, &f);
}

int register_each_finding(PGconn *conn, int64_t id, checker_finding_fn fn, void *userdata, char **ret_error) {
        const char *params[] = {DB_INT64(id)};
        return each_row(conn,
                        "SELECT line, key, rule, severity, field, value, message FROM findings"
                        " WHERE delivery_id = $1::bigint ORDER BY line, ctid",
                        1, params, finding_row, &(struct to) {.userdata = userdata, .fn.finding = fn}, ret_error);
}

static int text_row(const PGresult *res, int i, const struct to *to, char **ret_error) {
        unsigned long line;
        int r = db_get_ulong(res, i, 0, &line, ret_error);
        if (r < 0)
                return r;
        return to->fn.text(to->userdata, line, PQgetvalue(res, i, 1), (size_t) PQgetlength(res, i, 1));
}

int register_rejected_text(PGconn *conn, int64_t id, const unsigned long *lines, size_t n, register_text_fn fn,
                           void *userdata, char **ret_error) {
        /* The lines as one array parameter: {2,17,40}. */
        _cleanup_(strbuf_done) struct strbuf list = {0};
        int r = 0;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = db_array_add(&list, (int64_t) lines[i]);
        if (r >= 0)
                r = db_array_end(&list);
        if (r < 0)
                return r;
        const char *params[] = {DB_INT64(id), strbuf_str(&list)};
        return each_row(conn,
                        "SELECT line, raw FROM rejected_records WHERE delivery_id = $1::bigint"
                        " AND line = ANY($2::integer[])",
                        2, params, text_row, &(struct to) {.userdata = userdata, .fn.text = fn}, ret_error);
}

static int unit_row(const PGresult *res, int i, const struct to *to, char **ret_error) {
        (void) ret_error;
        char **unit = to->userdata;
        free(*unit);
        *unit = strdup(PQgetvalue(res, i, 0));
        return *unit ? 0 : -ENOMEM;
}

int register_unit_of_findings(PGconn *conn, int64_t id, unsigned nkey, char **ret_unit, char **ret_error) {
        const char *params[] = {DB_INT64(id), DB_ULONG(nkey)};
        _cleanup_(freep) char *unit = NULL;
        int r = each_row(conn,
                         "SELECT coalesce(mode() WITHIN GROUP (ORDER BY array_to_string("
                         "(string_to_array(key, '-'))[1:$2::integer], '-')), '') FROM findings"
                         " WHERE delivery_id = $1::bigint AND line > 0 AND key <> ''",
                         2, params, unit_row, &(struct to) {.userdata = &unit}, ret_error);
        if (r < 0)
                return r;
        if (!unit && !(unit = strdup("")))
                return -ENOMEM;
        *ret_unit = TAKE_PTR(unit);
        return 0;
}

/* ---- since a day ---- */

static int entry_row(const PGresult *res, int i, const struct to *to, char **ret_error) {
        struct register_entry e = {
                .source = PQgetvalue(res, i, 1), .file_name = PQgetvalue(res, i, 2), .units = PQgetvalue(res, i, 4),
        };
        int r = db_get_int64(res, i, 0, &e.id, ret_error);
        if (r < 0)
                return r;
        r = get_named(res, i, 3, status_at, _REGISTER_STATUS_MAX, ret_error);
        if (r < 0)
                return r;
        e.status = (enum register_status) r;
        r = db_get_int64(res, i, 5, &e.received, ret_error);
        if (r < 0)
                return r;
        r = get_counts(res, i, 6, &e.counts, ret_error);
        if (r < 0)
                return r;
        return to->fn.entry(to->userdata, &e);
}

int register_deliveries_since(PGconn *conn, const char *day, register_entry_fn fn, void *userdata,
                              char **ret_error) {
        /* A delivery's reporting units: those it covers, or for one that was replaced,
         * those of the deliveries that replaced it (which may have been replaced in turn). */
        const char *params[] = {day};
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
                        1, params, entry_row, &(struct to) {.userdata = userdata, .fn.entry = fn}, ret_error);
}

static int count_row(const PGresult *res, int i, const struct to *to, char **ret_error) {
        unsigned long n;
        int r = db_get_ulong(res, i, 1, &n, ret_error);
        if (r < 0)
                return r;
        return to->fn.count(to->userdata, PQgetvalue(res, i, 0), n);
}

int register_duplicates_since(PGconn *conn, const char *day, register_count_fn fn, void *userdata,
                              char **ret_error) {
        const char *params[] = {day};
        return each_row(conn,
                        "SELECT source, count(*) AS duplicates FROM deliveries WHERE received_at >= $1::date"
                        " AND status = 'duplicate' GROUP BY 1",
                        1, params, count_row, &(struct to) {.userdata = userdata, .fn.count = fn}, ret_error);
}

static int rule_count_row(const PGresult *res, int i, const struct to *to, char **ret_error) {
        struct register_rule_count c = {
                .source = PQgetvalue(res, i, 0), .rule = PQgetvalue(res, i, 1), .month = PQgetvalue(res, i, 3)};
        int r = get_named(res, i, 2, severity_at, SEVERITY_FILE + 1, ret_error);
        if (r < 0)
                return r;
        c.severity = (enum severity) r;
        r = db_get_ulong(res, i, 4, &c.findings, ret_error);
        if (r < 0)
                return r;
        return to->fn.rule_count(to->userdata, &c);
}

int register_rule_counts_since(PGconn *conn, const char *day, register_rule_count_fn fn, void *userdata,
                               char **ret_error) {
        const char *params[] = {day};
        return each_row(conn,
                        "SELECT d.source, f.rule, min(f.severity) AS severity,"
                        " to_char(d.received_at, 'YYYY-MM') AS month, count(*) AS findings"
                        " FROM findings f JOIN deliveries d ON d.id = f.delivery_id"
                        " WHERE d.received_at >= $1::date AND d.status <> 'duplicate'"
                        " GROUP BY 1, 2, 4 ORDER BY 1, 2, 4",
                        1, params, rule_count_row, &(struct to) {.userdata = userdata, .fn.rule_count = fn},
                        ret_error);
}
