/*
 * `plausid export`: one of plausid's views out of the database into a file for people --
 * the master file a controller opens in Excel without writing SQL. The view must be one of
 * the views of the configured sources' data sets (view_rows.h); anything else is refused
 * before it comes near a statement. The rows are streamed from the database into the file
 * (table_csv.h), which appears whole when every row is in it, or not at all (atomicfile.h:
 * a temporary name beside it, mode 0640, renamed at the end). "-" writes to stdout
 * instead, as it comes.
 *
 * The database is read as it is (no migration), in one snapshot. Nothing here prints: a
 * failure comes back as the step that failed, for the command line to say.
 */
#ifndef PLAUSID_EXPORT_H
#define PLAUSID_EXPORT_H

#include "source.h"
#include "util.h"

/* What the file is: a table for Excel, or the loaded records of a data set in the
 * fixed-width layout of their Berichtsjahr (fixed_export.h), for the statistical office. */
enum export_format {
        EXPORT_CSV,
        EXPORT_FIXED,                   /* the view must be v_DATASET of a pack that reads the
                                         * format, and --year is required */
};

struct export_options {
        const char *view;               /* --view NAME */
        const char *year;               /* --year: only rows with this berichtsjahr; NULL: all */
        const char *out;                /* --out FILE, "-" for stdout */
        enum export_format format;
};

enum export_step {
        EXPORT_STEP_CONNECT,            /* no connection to the database */
        EXPORT_STEP_DATABASE,           /* the database failed (went away mid-way included) */
        EXPORT_STEP_UNKNOWN_VIEW,       /* not a view of the configured data sets (views: the ones there are) */
        EXPORT_STEP_NO_YEAR,            /* --year, and the view has no column berichtsjahr */
        EXPORT_STEP_NOT_FIXED,          /* --format fixed: not v_DATASET of a pack with a fixed-width
                                         * layout for --year (or no --year) */
        EXPORT_STEP_VALUE,              /* --format fixed: a value the layout cannot hold (message) */
        EXPORT_STEP_CREATE,             /* the file cannot be created */
        EXPORT_STEP_WRITE,              /* the file cannot be written or completed */
};

struct export_failure {
        enum export_step step;
        int error;                      /* a negative errno */
        char *message;                  /* CONNECT, DATABASE: the database's error, safe to print; or NULL */
        char *views;                    /* UNKNOWN_VIEW: the views there are, ", "-separated ("" for none) */
};
void export_failure_done(struct export_failure *f);

/* Writes the view o->view of the data sets of set's sources to o->out; *ret_rows: the
 * rows written. On failure *ret_failure says where, and no file o->out was written. */
_must_check_ int export_view(const struct source_set *set, const struct export_options *o, unsigned long *ret_rows,
                             struct export_failure *ret_failure);

#endif
