/*
 * A data set as a database table: which columns a rule pack's records are stored in, and
 * one checked record's values in those columns. The loader turns this into DDL and COPY
 * rows; this module knows nothing of SQL.
 *
 * Columns: one per field, in pack order (digits and codes as text, keeping leading zeros;
 * the data set's year field as an integer; months as a date on the first of the month;
 * dates as dates; integers as integers; text as text), then one text column per hierarchy level, named
 * <field>_<level> (hilfeart_paragraph, hilfeart_setting), so that dashboards group by the
 * hierarchy without repeating its rules in SQL. The level columns are derived, not
 * stored: the view v_<dataset> computes them from the pack's hierarchy (schema.c), so a
 * corrected hierarchy applies to every row at once and a load sends fewer bytes.
 */
#ifndef PLAUSID_TABLE_H
#define PLAUSID_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ruleset.h"
#include "util.h"

enum column_type {
        COLUMN_TEXT,
        COLUMN_INTEGER,
        COLUMN_DATE,            /* a month field: an SQL date on the first of the month */
        COLUMN_DAY,             /* a date field: an SQL date */
        COLUMN_NUMERIC,         /* a decimal field: an SQL numeric, from its canonical text ("23.4") */
};

struct column {
        const char *name;
        enum column_type type;
        unsigned field;         /* the field; for a level column, the hierarchy's code field */
        int level;              /* -1 for a field column, else the hierarchy level */
        bool stored;            /* a column of the table; false: derived in the view */
        bool plain;             /* text that can never hold a backslash, tab, CR or LF (digits,
                                 * codes and level values that have none): needs no escaping */
        bool record_text;       /* TABLE_RECORD_TEXT: the record as it came, no field's */
};

/* The column that keeps a fixed-width record's text, for a pack that reads the format:
 * positions no field names (reserved ones) and the exact bytes, so that `plausid export
 * --format fixed` writes an unchanged record back as it came. NULL for CSV rows. */
#define TABLE_RECORD_TEXT "rohsatz"

struct table {
        const char *name;       /* the data set's name */
        const struct ruleset *rs;       /* the pack it was made from (outlives the table) */
        struct column *columns;
        unsigned ncolumns;
        /* What a delivery covers (the pack's delivery section), as column indices: the
         * reporting unit, the year and the part. A record's scope is "unit-year-part". */
        const unsigned *unit;
        unsigned nunit;
        int year;               /* -1: the pack has no year field */
        int record_text;        /* the TABLE_RECORD_TEXT column; -1: the pack reads no fixed-width files */
        int part;               /* -1: no parts */
};

/* One value of a checked record in a column. */
struct column_value {
        bool null;              /* empty (a loaded record has no invalid values) */
        int64_t i;              /* COLUMN_INTEGER: the number; COLUMN_DATE: year * 12 + month - 1;
                                 * COLUMN_DAY: days since 1970-01-01 (calendar.h) */
        const char *s;          /* COLUMN_TEXT; COLUMN_NUMERIC: the canonical text */
        size_t len;
};

_must_check_ int table_new(const struct ruleset *rs, struct table **ret);
void table_free(struct table *t);
DEFINE_CLEANUP_FUNC(struct table, table_free)

struct field_value;
/* Fills the stored columns of out[0..ncolumns) from the field values the checker decoded
 * (struct checked_record's values); the record text column is NULL (the loader has the
 * text). */
void table_values(const struct table *t, const struct ruleset *rs, const struct field_value *values,
                  struct column_value *out);

/* The pack's code lists and hierarchies, one entry at a time, for the tables that give
 * dashboards labels and drill-downs. A negative return of fn stops and is passed back. */
struct code_entry {
        const char *list, *code, *label;
};
_must_check_ int table_each_code(const struct ruleset *rs, int (*fn)(void *userdata, const struct code_entry *e),
                                 void *userdata);

struct hierarchy_entry {
        const char *hierarchy, *field, *code, *level;
        const char *value;      /* the level's value, or the default when by_field is set */
        const char *by_field;   /* NULL, or the field whose code decides the level */
        unsigned ncases;
        const char *const *case_codes;  /* by_field's codes ... */
        const char *const *case_values; /* ... and the level value each one gives */
};
_must_check_ int table_each_hierarchy_entry(const struct ruleset *rs,
                                            int (*fn)(void *userdata, const struct hierarchy_entry *e),
                                            void *userdata);

#endif
