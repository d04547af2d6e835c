/*
 * A table for Excel: the rows of a view (view_rows.h) as a CSV that a German Excel opens
 * with a double-click and reads as the database means it -- UTF-8 with a byte-order mark,
 * ';' between cells, CRLF line ends, a header row with the column names. A cell is quoted
 * when it holds ';', '"', CR or LF.
 *
 * Per column kind:
 *   integer    as the server writes it ("-3")
 *   decimal    with a decimal comma ("0,3333", "-3,5"); NaN and infinities as text
 *   date       DD.MM.YYYY; what is not YYYY-MM-DD (infinity, BC, a year beyond 9999) as text
 *   timestamp  DD.MM.YYYY HH:MM:SS in the database session's time zone, without the
 *              fraction of a second and the offset (Excel reads neither); else as text
 *   boolean    1 or 0, which Excel can add up (WAHR/FALSCH would be text elsewhere)
 *   text       as stored; a text that Excel would run as a formula -- beginning with '=',
 *              '@', a tab or CR, or with '+' or '-' and not a number the German way ("-3",
 *              "-3,5") -- gets a leading apostrophe (OWASP, CSV injection). Numbers stay
 *              numbers (decisions.md, "Excel neutralisation"): a numeric column is never
 *              touched, and "-3" in a text column is left as it is.
 *   NULL       an empty cell
 */
#ifndef PLAUSID_TABLE_CSV_H
#define PLAUSID_TABLE_CSV_H

#include <stdio.h>

#include "util.h"
#include "view_rows.h"

struct table_csv {
        FILE *out;
        enum view_kind *kinds;          /* one per column */
        size_t n;
        unsigned long rows;             /* written after the header */
};

/* Writes the byte-order mark and the header row; the kinds are kept for the rows. */
_must_check_ int table_csv_begin(struct table_csv *t, FILE *out, const struct view_column *columns, size_t n);
/* Writes one row of n values (NULL: SQL NULL); n must be the header's. */
_must_check_ int table_csv_row(struct table_csv *t, const char *const *values, size_t n);
void table_csv_done(struct table_csv *t);

/* Every row of schema.view (view_rows_each(); berichtsjahr = year unless NULL) into out,
 * header first; *ret_rows: the rows written. -EIO also when out cannot be written. */
_must_check_ int table_csv_from_view(PGconn *conn, const char *schema, const char *view, const char *year, FILE *out,
                                     unsigned long *ret_rows, char **ret_error);

/* A text cell as the rows write it: a text Excel would run as a formula gets a leading
 * apostrophe ('-' and '+' only when it is not a number), quoted where needed. */
_must_check_ int table_csv_text(FILE *out, const char *s);

/* One cell of a column of that kind, as the rows write it (for tests). */
_must_check_ int table_csv_cell(FILE *out, enum view_kind kind, const char *value);

#endif
