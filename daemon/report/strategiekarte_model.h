/*
 * Private to daemon/report/: the Strategiekarte's model (strategiekarte.h), as
 * strategiekarte.c reads it from the views and strategiekarte_html.c and the CSV files
 * write it. The model is the views' rows themselves (PGresult), with a description of
 * each table's columns that the HTML and the CSV share, so that both show the same cells.
 */
#ifndef PLAUSID_REPORT_STRATEGIEKARTE_MODEL_H
#define PLAUSID_REPORT_STRATEGIEKARTE_MODEL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

/* How a figure is printed. The views give shares as fractions 0..1 and the SGB II rate
 * as a percentage 0..100. */
enum sk_fmt {
        SK_INT,         /* a count: 1.234 */
        SK_DEC1,        /* one decimal: 312,5 */
        SK_SHARE,       /* a fraction shown as a percentage with one decimal: 0.4567 -> 45,7 % */
        SK_PERCENT,     /* already a percentage, one decimal: 21.66 -> 21,7 % */
};

/* A column of a table: the view's column, its _gesperrt column (NULL: the view has none,
 * the figure is never suppressed), the format and the German heading. */
struct sk_col {
        const char *name;
        const char *gesperrt;
        enum sk_fmt fmt;
        const char *header;
};

/* One table of the report: the rows of a view for the year and the Jugendamt, each with
 * the columns sozialraum and ebene ('Sozialraum' or 'Jugendamt') first. */
struct sk_table {
        const char *id;                 /* the HTML table's id and the CSV file's suffix */
        const char *view;
        const struct sk_col *cols;
        size_t ncols;
        bool exists;                    /* the view exists (its data sets were loaded) */
        PGresult *res;                  /* NULL when the view does not exist */
};

struct strategiekarte {
        int year;
        char unit[96];                  /* "05-9-13-000" */
        struct sk_table hze;            /* page 1, and the scatter chart */
        struct sk_table w8a, w42;       /* the Wächteramt */
        struct sk_table dq, unbekannt;  /* the data quality */
        PGresult *verlauf;              /* sozialraum, ebene, berichtsjahr, eckwert, eckwert_gesperrt: year-4..year */
        time_t now;
};

/* What a cell holds. */
enum sk_state {
        SK_VALUE,
        SK_SUPPRESSED,                  /* NULL and _gesperrt: "·" */
        SK_MISSING,                     /* NULL, not suppressed: "–" */
};

/* The state of column col's cell in row; *ret_raw is the view's value as the server
 * wrote it (NULL unless SK_VALUE). */
enum sk_state sk_cell(const struct sk_table *t, int row, const struct sk_col *col, const char **ret_raw);
/* A text column of a row ("" for NULL). */
const char *sk_text(const PGresult *res, int row, const char *column);
/* Whether the row is the Jugendamt's (ebene 'Jugendamt'). */
bool sk_is_total(const PGresult *res, int row);

/* The view's value rounded as fmt shows it, with a decimal point and no separators
 * ("1234.5", "45.7"), into buf (64 bytes). Decimal text is rounded exactly, half away
 * from zero, as PostgreSQL's round(numeric) does. -EBADMSG when raw is not a number. */
_must_check_ int sk_round(const char *raw, enum sk_fmt fmt, char buf[64]);
/* The same the German way for people: "1.234,5", "45,7 %" (with a no-break space). */
_must_check_ int sk_format_de(const char *raw, enum sk_fmt fmt, char buf[80]);

/* The HTML page. */
_must_check_ int sk_render_html(FILE *o, const struct strategiekarte *sk);

#endif
