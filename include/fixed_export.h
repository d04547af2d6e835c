/*
 * Loaded records back in the fixed-width layout of their year -- `plausid export --format
 * fixed`, for a Jugendamt that corrects in plausid and delivers to the statistical office.
 *
 * A record that came as a fixed-width line and is unchanged in every field goes out as it
 * came, byte for byte (its text is kept with the row, table.h: TABLE_RECORD_TEXT). Any other
 * record is written from its columns at the layout's positions: a field that still means
 * what its text in the kept record said keeps those bytes, a changed one is written anew
 * (left-aligned, blank-padded; a month as MM and YYYY, a date as DD.MM.YYYY), positions no
 * field names come from the kept record (reserved ones) or are blank. "Means the same": the
 * same text after trimming blanks, for digits the same number (a restored leading zero is
 * no change), for a date the same day (1.2.2024 is 01.02.2024).
 * Every line ends in CRLF, as the record description asks; text is written in the layout's
 * encoding (a character it lacks is an error, not a guess).
 */
#ifndef PLAUSID_FIXED_EXPORT_H
#define PLAUSID_FIXED_EXPORT_H

#include <libpq-fe.h>
#include <stdio.h>

#include "ruleset.h"
#include "util.h"

/*
 * The rows of the data set's view v_DATASET of Berichtsjahr year (text, 4 digits), in the
 * order they were loaded, into out. -ENOENT: the pack has no layout for that year;
 * -EILSEQ: a value the layout's encoding cannot hold, -ERANGE: one wider than its
 * positions (*ret_error names the line and field); -EIO: the database (*ret_error) or out.
 */
_must_check_ int fixed_export(PGconn *conn, const char *schema, const struct ruleset *rs, const char *year, FILE *out,
                              unsigned long *ret_rows, char **ret_error);

#endif
