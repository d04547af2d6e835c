/*
 * The Strategiekarte's reads (strategiekarte.h): which Jugendamt, and the rows of the
 * views for a Berichtsjahr and that Jugendamt, as results for the report to print. Every
 * figure is a view's: the queries select, filter and order; only the two data-quality
 * views, which are per Einrichtung, are summed per Sozialraum (plain sums of counts, the
 * shares the summed numerator over the summed denominator).
 *
 * Run inside schema_begin_read()'s snapshot. A view's and a column's name reach SQL only
 * from the caller's constant tables, never from input; the year and the unit go as
 * parameters. Failures: a negative errno, with a German sentence or the server's error in
 * *ret_error.
 */
#ifndef PLAUSID_STRATEGIEKARTE_READ_H
#define PLAUSID_STRATEGIEKARTE_READ_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* A Jugendamt: land, regbez, kreis, gemeinde, and the four joined with '-'. */
struct sk_unit {
        char text[96];                  /* "05-9-13-000" */
        char buf[96];
        const char *part[4];            /* into buf */
};

/*
 * The Jugendamt of the report: asked (NULL: the only one with figures in the year in
 * v_strategiekarte_hze). -ENOENT no such view, -ENODATA no figures in the year, -ENOTUNIQ
 * several and none asked, -ESRCH the one asked has none, -EINVAL asked is not
 * land-regbez-kreis-gemeinde; each with its sentence.
 */
_must_check_ int sk_read_unit(PGconn *conn, int year, const char *asked, struct sk_unit *ret, char **ret_error);

/* Whether the view exists (in the search path). */
_must_check_ int sk_read_exists(PGconn *conn, const char *view, bool *ret, char **ret_error);

/* The rows of view for the year and the unit: sozialraum, ebene, then the columns; the
 * Sozialräume by name, 'ohne Zuordnung' after them, the Jugendamt ('Jugendamt') last. */
_must_check_ int sk_read_rows(PGconn *conn, const char *view, const char *const *columns, size_t ncolumns, int year,
                              const struct sk_unit *u, PGresult **ret, char **ret_error);

/* v_strategiekarte_hze's Eckwert of year-4 .. year: sozialraum, ebene, berichtsjahr,
 * eckwert, eckwert_gesperrt. */
_must_check_ int sk_read_verlauf(PGconn *conn, int year, const struct sk_unit *u, PGresult **ret, char **ret_error);

/* The data-quality views summed per Sozialraum and for the Jugendamt, in the order of
 * sk_read_rows, each row with zeile_gesperrt: its row of v_strategiekarte_hze has its
 * Fallzahl suppressed. *ret NULL when the view has no row for the year and the unit. */
enum sk_summed {
        SK_SUMMED_DATENQUALITAET,       /* v_hze_datenqualitaet_sozialraum: datensaetze, abgelehnt,
                                         * anteil_abgelehnt, gewarnt, anteil_gewarnt */
        SK_SUMMED_UNBEKANNT,            /* v_hze_unbekannt: datensaetze, anteil_<field>_unbekannt */
};
_must_check_ int sk_read_summed(PGconn *conn, enum sk_summed which, int year, const struct sk_unit *u,
                                PGresult **ret, char **ret_error);

#endif
