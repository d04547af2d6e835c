/*
 * A delivery's rows in its data set's table (table.h): the COPY that sends them and the
 * format of one row, a record's scope, and the statements that take rows out again
 * (records an end-of-file rule rejected after they were sent, a scope that a newer
 * delivery replaces) or count them per scope. What a delivery is and covers is the
 * register's (register.h); this is the loader's side of the data set's table.
 *
 * Statements run in the caller's transaction with the schema as the search path, and
 * return 0 or a negative errno (-EIO with *ret_error, -EBADMSG for a count that is not a
 * number, -ENOMEM); ret_ parameters are untouched on failure.
 */
#ifndef PLAUSID_ROWS_H
#define PLAUSID_ROWS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "register.h"
#include "strbuf.h"
#include "table.h"
#include "util.h"

/* Appends "COPY <table> (delivery_id, line, <stored columns>) FROM STDIN (NULL '')". */
_must_check_ int rows_copy_statement(const struct table *t, struct strbuf *sql);

/*
 * Appends one record as a row for that COPY: the delivery id (as text, id_len bytes), the
 * line, the stored columns of v (table_values()). The hot path of a load: the room for the
 * longest row the values can give is reserved once, then written without further checks.
 */
_must_check_ int rows_append(struct strbuf *b, const struct table *t, const char *id, size_t id_len,
                             unsigned long line, const struct column_value *v);

/* The scope of a record with the values v: its unit (the unit columns joined with '-')
 * into unit, its year (0 without one) and its part ("" without one, not NUL-terminated). */
_must_check_ int rows_scope_of(const struct table *t, const struct column_value *v, struct strbuf *unit,
                               int64_t *ret_year, const char **ret_part, size_t *ret_part_len);

/* The pack's field (index) in each role of a rejected record's fields (register.h), -1
 * where the pack has none. */
void rows_rejected_fields(const struct table *t, int field[REGISTER_REJECTED_FIELDS]);

/* Deletes delivery's rows of the lines[0..n), handing fn each row's line and its values in
 * the roles of a rejected record's fields, as text (NULL: none); how many in *ret_deleted.
 * A negative return of fn stops and is returned. */
typedef int (*rows_taken_fn)(void *userdata, unsigned long line, const char *const *values);
_must_check_ int rows_take_lines(PGconn *conn, const struct table *t, int64_t delivery, const unsigned long *lines,
                                 size_t n, rows_taken_fn fn, void *userdata, unsigned long *ret_deleted,
                                 char **ret_error);
/* Deletes delivery's rows in sc's scope; how many in *ret_deleted. */
_must_check_ int rows_delete_scope(PGconn *conn, const struct table *t, int64_t delivery,
                                   const struct register_scope *sc, unsigned long *ret_deleted, char **ret_error);
/* Counts delivery's rows per scope anew into scopes (emptied first). */
_must_check_ int rows_count_scopes(PGconn *conn, const struct table *t, int64_t delivery,
                                   struct register_scopes *scopes, char **ret_error);

/*
 * For the reports: per value of column in the data set's table ("" for none), sorted, the
 * delivery's rows, those of them with findings (warnings: the errors are not loaded) and
 * those findings (counted from the register's findings). A callback's negative return
 * stops and is returned as it is; a count that is not a number is -EBADMSG naming its
 * column.
 */
typedef int (*rows_group_fn)(void *userdata, const char *value, unsigned long records, unsigned long warned,
                             unsigned long findings);
_must_check_ int rows_count_groups(PGconn *conn, const char *table, const char *column, int64_t delivery,
                                   rows_group_fn fn, void *userdata, char **ret_error);

#endif
