/*
 * Private to daemon/report/: every SQL statement the reports run, one function per query.
 * Rows come back typed -- every number checked by db_get_int64/db_get_ulong (db.h), a
 * severity as enum severity -- so that no report reads a PGresult, and a value that is not
 * what its column should hold is -EBADMSG with a message naming the column, never a 0.
 *
 * The statements on the register's tables (deliveries, delivery_scopes, findings,
 * rejected_records) are meant to move into the store's register module as they are: they
 * take the connection, ids and days, and hand rows to a callback or a struct. Each runs
 * inside the report's snapshot (report_sql_begin), whose search path is the schema.
 * Failures: -EIO with *ret_error from the server, -EBADMSG as above, -ENOMEM; a callback's
 * negative return stops the query and is returned as it is, without a message.
 */
#ifndef PLAUSID_REPORT_SQL_H
#define PLAUSID_REPORT_SQL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"
#include "util.h"

/* One read-only snapshot (REPEATABLE READ) with the schema as search path, and its end. */
_must_check_ int report_sql_begin(PGconn *conn, const char *schema, char **ret_error);
void report_sql_end(PGconn *conn);

/* A delivery as the register has it. The strings live as long as the row. */
struct report_delivery_row {
        const char *source, *dataset, *file_name, *sha256;
        const char *rules_name, *rules_version;
        const char *encoding;           /* "" when unknown */
        const char *status;             /* loaded, rejected, duplicate or superseded */
        const char *reason;             /* German; "" for none */
        int64_t received;               /* seconds since the epoch */
        int64_t loaded_at;              /* likewise; 0: not loaded */
        unsigned long records, loaded, rejected, warned;
        PGresult *res;                  /* holds the strings */
};
void report_delivery_row_done(struct report_delivery_row *d);

/* The delivery id; -ENOENT (no message) when there is none. */
_must_check_ int report_sql_delivery(PGconn *conn, long long id, struct report_delivery_row *ret, char **ret_error);

/* Every finding of the delivery, by line (the file's first) and in the order they were
 * stored, one row at a time (single-row mode: a million findings are never in memory at
 * once). The finding is valid during the call; its rule index is 0. */
_must_check_ int report_sql_findings(PGconn *conn, long long id, checker_finding_fn fn, void *userdata,
                                     char **ret_error);

/* The stored text of the delivery's rejected records on the given lines. */
typedef int (*report_sql_text_fn)(void *userdata, unsigned long line, const char *raw, size_t len);
_must_check_ int report_sql_rejected_texts(PGconn *conn, long long id, const unsigned long *lines, size_t n,
                                           report_sql_text_fn fn, void *userdata, char **ret_error);

/* Whether table (in schema) has the column. */
_must_check_ int report_sql_has_column(PGconn *conn, const char *schema, const char *table, const char *column,
                                       bool *ret, char **ret_error);

/* Per value of column in the data set's table ("" for none), sorted: the delivery's loaded
 * records, those of them with findings (warnings: the errors are not loaded) and the
 * findings. */
typedef int (*report_sql_group_fn)(void *userdata, const char *value, unsigned long records, unsigned long warned,
                                   unsigned long findings);
_must_check_ int report_sql_group_counts(PGconn *conn, const char *table, const char *column, long long id,
                                         report_sql_group_fn fn, void *userdata, char **ret_error);

/* A delivery of the overview. The strings are valid during the call. */
struct report_overview_row {
        long long id;
        const char *source, *file_name, *status;
        const char *units;              /* the reporting units it (or what replaced it) covers, ", "-joined; "" */
        int64_t received;
        unsigned long records, loaded, rejected, warned;
};
typedef int (*report_sql_delivery_fn)(void *userdata, const struct report_overview_row *row);
/* Every delivery received since the day (YYYY-MM-DD) but the duplicates, by id. */
_must_check_ int report_sql_deliveries_since(PGconn *conn, const char *since, report_sql_delivery_fn fn,
                                             void *userdata, char **ret_error);

/* The reporting unit of a delivery read off its findings' keys: the most frequent first
 * nkey '-'-separated parts of a record's key; "" when no finding has a key. *ret is
 * malloc'd. */
_must_check_ int report_sql_unit_of_findings(PGconn *conn, long long id, unsigned nkey, char **ret,
                                             char **ret_error);

/* Per source, the duplicates received since the day. */
typedef int (*report_sql_count_fn)(void *userdata, const char *source, unsigned long count);
_must_check_ int report_sql_duplicates_since(PGconn *conn, const char *since, report_sql_count_fn fn,
                                             void *userdata, char **ret_error);

/* Findings per source, rule and month of arrival ("YYYY-MM") since the day, sorted by
 * source, rule and month; duplicates not counted. The strings are valid during the call. */
struct report_rule_month_row {
        const char *source, *rule, *month;
        enum severity severity;         /* the rule's (the lowest, should it have changed) */
        unsigned long findings;
};
typedef int (*report_sql_rule_month_fn)(void *userdata, const struct report_rule_month_row *row);
_must_check_ int report_sql_rule_months_since(PGconn *conn, const char *since, report_sql_rule_month_fn fn,
                                              void *userdata, char **ret_error);

#endif
