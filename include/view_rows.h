/*
 * The rows of plausid's views, for `plausid export`: which views there are, and every row
 * of one, streamed (single-row mode: memory does not grow with the view). plausid's views
 * of a data set are the view v_DATASET that the store derives from the pack and the views
 * of its views file, which are named v_DATASET_* (rules/README.md, "Dashboard views").
 *
 * A view's name reaches SQL only after it was found among the schema's views, and then as
 * a quoted identifier. Run inside schema_begin_read()'s snapshot; errors as in register.h
 * (-EIO with the server's error in *ret_error, -ENOMEM).
 */
#ifndef PLAUSID_VIEW_ROWS_H
#define PLAUSID_VIEW_ROWS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* What a column holds, as far as a file for people has to know: numbers with a fraction
 * are written with a German decimal comma, dates in the German order, text guarded. */
enum view_kind {
        VIEW_TEXT,              /* text and every type not named below */
        VIEW_INTEGER,           /* smallint, integer, bigint, oid */
        VIEW_DECIMAL,           /* numeric, real, double precision: '.' as the server writes it */
        VIEW_DATE,              /* date, ISO (YYYY-MM-DD) */
        VIEW_TIMESTAMP,         /* timestamp with or without time zone, ISO, in the session's time zone */
        VIEW_BOOLEAN,           /* "t" or "f" */
};

struct view_column {
        const char *name;
        enum view_kind kind;
};

/* The columns, once before the first row (also for a view without rows). */
typedef int (*view_columns_fn)(void *userdata, const struct view_column *columns, size_t n);
/* One row: n values in the columns' order, NULL for SQL NULL. */
typedef int (*view_row_fn)(void *userdata, const char *const *values, size_t n);

/* The names of the views of the data sets datasets in schema, sorted; free with
 * view_names_free(). */
_must_check_ int view_rows_names(PGconn *conn, const char *schema, const char *const *datasets, size_t ndatasets,
                                 char ***ret, size_t *ret_n, char **ret_error);
void view_names_free(char **names, size_t n);

/*
 * Every row of schema.view (a name view_rows_names() gave), with berichtsjahr = year
 * unless year is NULL (the caller asked schema_has_column() first), with load_order in
 * the order the records were loaded (a data set's own view v_DATASET: delivery, line),
 * else as the view gives them: the columns to
 * columns(), then each row to row(), until one fails (its error is returned). Sets the
 * transaction's DateStyle to ISO, which VIEW_DATE and VIEW_TIMESTAMP promise. The rows
 * come in the view's own order: sorting every column of a million-row view cost the
 * server four times the export's time (19 s instead of 5 s); a view that should come out
 * sorted says ORDER BY itself.
 */
_must_check_ int view_rows_each(PGconn *conn, const char *schema, const char *view, const char *year,
                                bool load_order, view_columns_fn columns, view_row_fn row, void *userdata,
                                char **ret_error);

#endif
