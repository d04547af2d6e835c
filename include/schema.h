/*
 * plausid's schema in PostgreSQL: the core tables from the versioned migrations in sql/
 * (embedded in the binary), and per data set its table, code lists, hierarchy and views,
 * derived from the rule pack. Everything is idempotent and runs under an advisory lock, so
 * several plausid processes may start at once.
 */
#ifndef PLAUSID_SCHEMA_H
#define PLAUSID_SCHEMA_H

#include <libpq-fe.h>

#include "ruleset.h"
#include "table.h"
#include "util.h"

/* The newest migration this binary knows. */
#define SCHEMA_VERSION 2

/* Creates the schema if needed and applies the missing migrations, each in its own
 * transaction. -EPROTO when the database is newer than this binary. */
_must_check_ int schema_migrate(PGconn *conn, const char *schema, char **ret_error);

/*
 * Makes the data set's table fit the pack (created, new columns added); when the pack with
 * this digest has not been seen before, rewrites its code list, hierarchy and linked-rule
 * rows (dbrules_store()). Applies its views, the file "<dataset>.views.sql" beside the
 * pack (if there is one), whenever the pack is new or the file's text differs from the
 * text applied last. A views file that starts with "-- plausid: requires a, b" is applied only once those tables exist
 * (*ret_views_skipped is set then); so are other data sets' views that waited for this
 * table, and those stay waiting (skipped) if they fail. A failure of this data set's own
 * views fails the call, with "file:line:col: message" in *ret_error.
 */
_must_check_ int schema_prepare_dataset(PGconn *conn, const char *schema, const struct ruleset *rs,
                                        const struct table *t, const char *pack_path, const char *pack_sha256,
                                        bool *ret_views_skipped, char **ret_error);

/* Begins a read-only transaction on one snapshot with the schema as the search path, for
 * readers such as the reports; end it with schema_end_read(). */
_must_check_ int schema_begin_read(PGconn *conn, const char *schema, char **ret_error);

/*
 * SQL expressions over the data set's table, as the loader and the previous-year rules
 * need them; alias qualifies the columns (NULL: unqualified). The unit is the delivery's
 * unit fields joined with '-' (as the loader registers scopes), '' without any; the part
 * is the part field's value, '' without one.
 */
struct strbuf;
_must_check_ int schema_unit_expression(const struct table *t, const char *alias, struct strbuf *out);
_must_check_ int schema_part_expression(const struct table *t, const char *alias, struct strbuf *out);
/* The column of a field (level -1), or the expression that derives one level of its
 * hierarchy (as the view v_<dataset> does); -ENOENT when there is none. */
_must_check_ int schema_column(const struct table *t, const char *alias, unsigned field, int level,
                               struct strbuf *out);

/* A data set whose views wait for tables that do not exist yet (a views file beginning
 * with "-- plausid: requires a, b"). */
struct schema_waiting_view {
        char *dataset;
        char *requires;         /* the tables it waits for, ", "-separated */
};
/* Every data set whose views wait, by name; *ret (NULL when none) is freed with
 * schema_waiting_views_free(). */
_must_check_ int schema_waiting_views(PGconn *conn, const char *schema, struct schema_waiting_view **ret,
                                      size_t *ret_n, char **ret_error);
void schema_waiting_views_free(struct schema_waiting_view *v, size_t n);

/* The end of schema_begin_read()'s transaction (a ROLLBACK: it wrote nothing). */
void schema_end_read(PGconn *conn);

/* Whether the table (in schema) has the column. */
_must_check_ int schema_has_column(PGconn *conn, const char *schema, const char *table, const char *column,
                                   bool *ret, char **ret_error);

#endif
