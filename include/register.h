/*
 * The delivery register: the tables deliveries, delivery_scopes, findings and
 * rejected_records (sql/001_core.sql, sql/003_rejected_fields.sql). Every statement the store issues on them is here
 * -- register.c for the loader and the database rules, register_read.c for the
 * reports -- so that what a delivery's status, scopes and counts mean is decided in one
 * module. (Two reads join them from elsewhere: rows_count_groups() counts a delivery's
 * findings per row of the data set's table, and a linked rule's evaluation (linked.c)
 * reads the file names of the deliveries whose records it reports.) Callers
 * get typed, checked values -- ids as int64_t, counts as unsigned long, each read with
 * db_get_int64()/db_get_ulong()/db_affected() -- never a PGresult.
 *
 * Unless said otherwise a function runs in the caller's transaction, with the schema as
 * the search path (the loader's), and returns 0 (or a count) or a negative errno: -EIO
 * with the server's error in *ret_error, -EBADMSG when the server returned something that
 * is not the number it should be, -ENOMEM. ret_ parameters are untouched on failure.
 *
 * The reports read the register too, in a snapshot of their own (schema_begin_read()):
 * a delivery's header, its findings and rejected records, the deliveries since a day with
 * their units, the duplicates and the findings per rule and month -- the reads at the end
 * of this file (register_read.c), typed like the rest.
 */
#ifndef PLAUSID_REGISTER_H
#define PLAUSID_REGISTER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"
#include "strbuf.h"
#include "util.h"

struct arena;

/* deliveries.status */
enum register_status {
        REGISTER_LOADED,
        REGISTER_REJECTED,      /* rejected as a whole: its findings and rejected records kept */
        REGISTER_DUPLICATE,     /* same content as a delivery loaded before: only recorded */
        REGISTER_SUPERSEDED,    /* every scope it had was replaced by a newer delivery */
        _REGISTER_STATUS_MAX,
};

/* The status as the table spells it ("loaded", ...). */
const char *register_status_name(enum register_status status);

/* What a delivery is, as registered when it arrives. */
struct register_delivery {
        const char *source;             /* the configuration's source name */
        const char *dataset;            /* the rule pack's data set (the table loaded) */
        const char *file_name;          /* base name as delivered */
        int64_t file_size;
        const char *sha256;             /* hex digest of the file's bytes */
        int64_t received;               /* the file's modification time, seconds since the epoch */
        const char *rules_name, *rules_version;
        const char *rules_sha256;       /* digest of the rule pack file */
        int64_t duplicate_of;           /* 0, or the delivery with the same content: registered
                                         * as a duplicate of it */
};

struct register_counts {
        unsigned long records;          /* data records read */
        unsigned long loaded;           /* records stored in the data set's table */
        unsigned long rejected;         /* records with an error finding */
        unsigned long warned;           /* records with warnings only */
};

/* How a delivery's load ended. */
struct register_outcome {
        enum register_status status;    /* loaded, rejected or duplicate */
        const char *reason;             /* why rejected or a duplicate (German), or NULL */
        struct register_counts counts;
        const char *encoding;           /* the encoding the file turned out to have, or NULL */
};

/* Loads of one source take turns until the transaction ends: the duplicate test and the
 * redelivery see every committed delivery of the source. */
_must_check_ int register_lock_source(PGconn *conn, const char *source, char **ret_error);

/* The first delivery of source with this content that was loaded (and perhaps superseded
 * since): 1 with its id in *ret_id, 0 when there is none. */
/* Makes this connection the one that works source, when no other holds it: a session lock
 * in PostgreSQL, so it is released when an instance dies or loses its connection, and a
 * standby instance takes over. *ret_active: whether this connection has it now. */
_must_check_ int register_try_active(PGconn *conn, const char *source, bool *ret_active, char **ret_error);

_must_check_ int register_find_duplicate(PGconn *conn, const char *source, const char *sha256, int64_t *ret_id,
                                         char **ret_error);

/* The latest delivery of source whose content was sha256 and that was loaded (or since
 * superseded) or rejected as a whole: the one a file left in processing by a crash already
 * made. Returns 1 with *ret_id, *ret_rejected; 0 when there is none. In schema, outside
 * any transaction of the caller's. */
_must_check_ int register_find_finished(PGconn *conn, const char *schema, const char *source, const char *sha256,
                                        int64_t *ret_id, bool *ret_rejected, char **ret_error);

/* Registers a delivery, as a duplicate when d->duplicate_of is set, else as loaded (until
 * register_finish() says otherwise); its id in *ret_id. */
_must_check_ int register_insert(PGconn *conn, const struct register_delivery *d, int64_t *ret_id, char **ret_error);

/* Records how the delivery's load ended, with the time it did. */
_must_check_ int register_finish(PGconn *conn, int64_t id, const struct register_outcome *o, char **ret_error);

/*
 * The source of delivery id, for the command line; runs on its own (the schema named,
 * no transaction needed). *ret_source is malloc'd. -ENOENT, without *ret_error, when there
 * is no such delivery.
 */
_must_check_ int register_delivery_source(PGconn *conn, const char *schema, int64_t id, char **ret_source,
                                          char **ret_error);

/* ---- scopes: what a delivery covers (delivery_scopes) ---- */

/* One scope: a reporting unit, year and part, and the delivery's records in it. */
struct register_scope {
        char *unit;                     /* the pack's unit fields joined with '-', "" without */
        int64_t year;                   /* 0 without a year field */
        char *part;                     /* the part field's value, "" without one */
        unsigned long records;
};

/* A delivery's scopes as the loader counts them. */
struct register_scopes {
        struct register_scope *scope;
        size_t n, cap;                  /* grown with ARRAY_GROW */
        size_t last;                    /* the scope counted last, tried first */
};

/* Counts one record in its scope, adding the scope when it is new. Exports come sorted by
 * unit, so the scope counted last is tried first. */
_must_check_ int register_scopes_count(struct register_scopes *l, const char *unit, int64_t year, const char *part,
                                       size_t part_len);
/* Adds a scope with its records counted elsewhere. */
_must_check_ int register_scopes_add(struct register_scopes *l, const char *unit, int64_t year, const char *part,
                                     size_t part_len, unsigned long records);
/* Forgets every scope (register_scopes_done() frees them too). */
void register_scopes_clear(struct register_scopes *l);
void register_scopes_done(struct register_scopes *l);

_must_check_ int register_scope_insert(PGconn *conn, int64_t delivery, const struct register_scope *sc,
                                       char **ret_error);
/* Takes sc's scope from delivery, whose rows in it a newer delivery replaced. */
_must_check_ int register_scope_delete(PGconn *conn, int64_t delivery, const struct register_scope *sc,
                                       char **ret_error);
/*
 * The loaded deliveries of source other than delivery that cover sc's scope, oldest first:
 * *ret_ids (malloc'd, NULL when none) and their number. None when sc has no records.
 */
_must_check_ int register_scope_earlier(PGconn *conn, const char *source, int64_t delivery,
                                        const struct register_scope *sc, int64_t **ret_ids, size_t *ret_n,
                                        char **ret_error);
/* Marks those of ids[0..n) that have no scope left superseded by delivery by; how many in
 * *ret_superseded. One that keeps a scope (its other part, say) stays loaded. */
_must_check_ int register_supersede(PGconn *conn, int64_t by, const int64_t *ids, size_t n,
                                    unsigned long *ret_superseded, char **ret_error);

/* ---- scopes for the previous-year rules (previous_year.c) ---- */

struct register_unit_year {
        char *unit;
        int64_t year;
};

struct register_unit_years {
        struct register_unit_year *unit_year;
        size_t n;
};

/* The units and years delivery has records in, ordered by unit and year. */
_must_check_ int register_unit_years(PGconn *conn, int64_t delivery, struct register_unit_years *ret,
                                     char **ret_error);
void register_unit_years_done(struct register_unit_years *l);

/* Among the loaded deliveries of source: the distinct parts of unit in year with records
 * (*ret_parts), and the scopes of unit in the year before with records (*ret_previous). */
_must_check_ int register_unit_year_parts(PGconn *conn, const char *source, const char *unit, int64_t year,
                                          unsigned long *ret_parts, unsigned long *ret_previous, char **ret_error);

/* ---- findings placed on records of earlier deliveries (dbrules.c, linked.c) ---- */

/* A delivery and a count of its (findings, records ...). */
typedef int (*register_delivery_count_fn)(void *userdata, int64_t delivery, unsigned long count);

/*
 * Deletes the findings of rule params[0] on the rows that rows_sql selects (delivery_id,
 * line: rows of a data set's table, chosen by the caller with its parameters $2 on,
 * params[1..nparams)); fn gets each delivery that lost findings and how many.
 */
_must_check_ int register_take_back_findings(PGconn *conn, const char *rows_sql, int nparams,
                                             const char *const *params, register_delivery_count_fn fn,
                                             void *userdata, char **ret_error);
/*
 * Recounts deliveries.warned of ids[0..n) from their findings now: the records (lines
 * other than 0) whose findings are all warnings, as the checker counts them while it
 * reads the file. fn gets each delivery's new count.
 */
_must_check_ int register_recount_warned(PGconn *conn, const int64_t *ids, size_t n, register_delivery_count_fn fn,
                                         void *userdata, char **ret_error);

/* ---- findings and rejected records, sent by COPY ---- */

/* The statements that take the rows below (copy.h's COPY FROM STDIN). */
extern const char register_copy_findings[];
extern const char register_copy_rejected[];

/* Appends f as a row for register_copy_findings, without the newline. */
_must_check_ int register_finding_row(struct strbuf *b, int64_t delivery, const struct finding *f);
/*
 * What rejected_records keeps of a rejected record beside its text (sql/003): the values of
 * the pack's fields in these roles, as text -- a valid value as a loaded record stores it
 * (leading zeros restored), an invalid one as it was read, an empty one or a field the
 * pack lacks as NULL. The unit columns take the pack's fields of the same names (land ...
 * einrichtung, lfd_nr); berichtsjahr the pack's year field; gruppe the field its delivery
 * report groups by (report: group; hze: sozialraum).
 */
enum register_rejected_field {
        REGISTER_REJECTED_LAND,
        REGISTER_REJECTED_REGBEZ,
        REGISTER_REJECTED_KREIS,
        REGISTER_REJECTED_GEMEINDE,
        REGISTER_REJECTED_EINRICHTUNG,
        REGISTER_REJECTED_BERICHTSJAHR,
        REGISTER_REJECTED_LFD_NR,
        REGISTER_REJECTED_GRUPPE,
        REGISTER_REJECTED_FIELDS
};
/* The columns of rejected_records in the order of the roles. */
extern const char *const register_rejected_columns[REGISTER_REJECTED_FIELDS];

/* One role's value: s[0..len), or NULL. */
struct register_text {
        const char *s;
        size_t len;
};

/* Appends a rejected record's text and its fields (REGISTER_REJECTED_FIELDS of them; NULL:
 * all NULL) as a row for register_copy_rejected, without the newline. */
_must_check_ int register_rejected_row(struct strbuf *b, int64_t delivery, unsigned long line, const char *raw,
                                       size_t len, const struct register_text *fields);

/*
 * The fields of rejected records whose rows went out with NULL fields (a record an
 * end-of-file rule rejected after it was sent: the checker no longer has its values, the
 * data set's table had them), collected with _add() and written by _update() into the
 * rows of delivery once they are stored. Holds one entry per record.
 */
struct register_rejected_batch {
        struct strbuf lines;                            /* an integer[] parameter being built */
        struct strbuf values[REGISTER_REJECTED_FIELDS]; /* a text[] parameter per role */
        size_t n;
};
void register_rejected_batch_done(struct register_rejected_batch *b);
/* values: one per role, NUL-terminated or NULL. */
_must_check_ int register_rejected_batch_add(struct register_rejected_batch *b, unsigned long line,
                                             const char *const *values);
_must_check_ int register_rejected_batch_update(PGconn *conn, int64_t delivery, struct register_rejected_batch *b,
                                                char **ret_error);

/* ---- the reports' reads (register_read.c) ----
 *
 * Each runs in the caller's transaction -- for a report, one read-only snapshot
 * (schema_begin_read()) -- with the schema as the search path, and hands its rows on one
 * at a time (single-row mode: no query holds all its rows in memory). A callback's
 * negative return stops the query and is returned as it is, without a message. A value
 * that is not what its column holds (a count that is no number or negative, a status or
 * severity the table does not know) is -EBADMSG with *ret_error naming the column:
 * "the database gave a value that is not valid in column 'records'".
 */

/* A delivery as the register has it. */
struct register_row {
        int64_t id;
        struct register_delivery delivery;
        struct register_outcome outcome;        /* any status; reason and encoding NULL when none */
        int64_t loaded_at;                      /* when its load ended, seconds since the epoch; 0: not yet */
        struct arena *arena;                    /* holds the row's strings */
};
void register_row_done(struct register_row *row);

/* Delivery id's header; -ENOENT, without *ret_error, when there is none. */
_must_check_ int register_delivery_get(PGconn *conn, int64_t id, struct register_row *ret, char **ret_error);

/* Its findings by line (the file's first) and in the order they were stored; the finding
 * is valid during the call, its rule index is 0 (the register keeps the rule's id). */
_must_check_ int register_each_finding(PGconn *conn, int64_t id, checker_finding_fn fn, void *userdata,
                                       char **ret_error);

/* The stored text of its rejected records on the lines[0..n) (those it has, in no order). */
typedef int (*register_text_fn)(void *userdata, unsigned long line, const char *raw, size_t len);
_must_check_ int register_rejected_text(PGconn *conn, int64_t id, const unsigned long *lines, size_t n,
                                        register_text_fn fn, void *userdata, char **ret_error);

/* The reporting unit of delivery id read off its findings' keys: the most frequent first
 * nkey '-'-separated parts of a record's key; "" when no finding has a key. *ret_unit is
 * malloc'd. */
_must_check_ int register_unit_of_findings(PGconn *conn, int64_t id, unsigned nkey, char **ret_unit,
                                           char **ret_error);

/* A delivery of a list since a day; the strings are valid during the call. */
struct register_entry {
        int64_t id;
        const char *source, *file_name;
        enum register_status status;
        const char *units;              /* the reporting units it covers, or for one that was superseded
                                         * those of the deliveries that replaced it, ", "-joined; "" */
        int64_t received;               /* seconds since the epoch */
        struct register_counts counts;
};
typedef int (*register_entry_fn)(void *userdata, const struct register_entry *e);
/* Every delivery received since day (YYYY-MM-DD, the server checks it) but the
 * duplicates, by id. */
_must_check_ int register_deliveries_since(PGconn *conn, const char *day, register_entry_fn fn, void *userdata,
                                           char **ret_error);

/* Per source, the duplicates received since day. */
typedef int (*register_count_fn)(void *userdata, const char *source, unsigned long count);
_must_check_ int register_duplicates_since(PGconn *conn, const char *day, register_count_fn fn, void *userdata,
                                           char **ret_error);

/* The findings of one rule of one source in one month of arrival; the strings are valid
 * during the call. */
struct register_rule_count {
        const char *source, *rule;
        const char *month;              /* "YYYY-MM" */
        enum severity severity;         /* the rule's (the lowest, should it have changed) */
        unsigned long findings;
};
typedef int (*register_rule_count_fn)(void *userdata, const struct register_rule_count *c);
/* The findings of the deliveries received since day (duplicates have none), by source,
 * rule and month. */
_must_check_ int register_rule_counts_since(PGconn *conn, const char *day, register_rule_count_fn fn,
                                            void *userdata, char **ret_error);

#endif
