/*
 * The Strategiekarte for the Jugendhilfeausschuss (`plausid report --strategiekarte`): one
 * Jugendamt's Berichtsjahr as a self-contained German HTML file, printable on A4 landscape
 * -- the Hilfen zur Erziehung per Sozialraum, a scatter chart of the Eckwert against the
 * SGB II rate, the Eckwert of the last five years per Sozialraum, the Wächteramt (§ 8a,
 * § 42) and the data quality -- and beside it the same tables as CSV for Excel.
 *
 * Every figure comes from a view (the views files in rules/: v_strategiekarte_hze,
 * v_strategiekarte_8a, v_strategiekarte_42, v_hze_datenqualitaet_sozialraum,
 * v_hze_unbekannt); the report rounds and formats, it computes nothing, so that the report
 * and a dashboard on the same views never disagree. A suppressed cell (the view's figure
 * NULL, its _gesperrt column true) is printed "·", a figure that is not available "–".
 * A view that does not exist (its data set was never loaded) leaves its page out, and the
 * report says why.
 *
 * A Jugendamt is land, regbez, kreis and gemeinde, written joined with '-' ("05-9-13-000"),
 * as the other reports write a reporting unit. Read in one read-only snapshot.
 */
#ifndef PLAUSID_STRATEGIEKARTE_H
#define PLAUSID_STRATEGIEKARTE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "util.h"

struct strategiekarte_options {
        int year;                       /* the Berichtsjahr */
        const char *unit;               /* "05-9-13-000"; NULL: the only Jugendamt with data in the year */
        const char *out_dir;            /* the files go here */
        int gid;                        /* their group; -1: the process's */
};

/* What was written: the HTML file and the CSV files beside it (malloc'd paths). */
struct strategiekarte_files {
        char *unit;                     /* the Jugendamt, "05-9-13-000" */
        char *html;
        char **csv;
        size_t ncsv;
};
void strategiekarte_files_done(struct strategiekarte_files *f);

/*
 * Writes strategiekarte_<year>_<unit>.html and strategiekarte_<year>_<unit>_<table>.csv
 * into out_dir, mode 0640. Failures come back as a negative errno with a German sentence
 * in *ret_error:
 *   -ENOENT     no view v_strategiekarte_hze (hze and population never loaded)
 *   -ENODATA    no figures for the year (the sentence names the years that have some)
 *   -ENOTUNIQ   several Jugendämter and no unit given (the sentence lists them)
 *   -ESRCH      the given unit has no figures in the year (the sentence lists those that do)
 *   -EINVAL     the unit is not written as land-regbez-kreis-gemeinde
 *   -EIO        the database; -EBADMSG a value that is not a number where one belongs;
 *               other values: writing the files
 */
_must_check_ int report_strategiekarte_from_db(PGconn *conn, const char *schema,
                                               const struct strategiekarte_options *o,
                                               struct strategiekarte_files *ret, char **ret_error);

#endif
