/*
 * The delivery register: the tables deliveries, delivery_scopes, findings and
 * rejected_records (sql/001_core.sql). Every statement the store issues on them is here,
 * so that what a delivery's status, scopes and counts mean is decided in one file. Callers
 * get typed, checked values -- ids as int64_t, counts as unsigned long, each read with
 * db_get_int64()/db_get_ulong()/db_affected() -- never a PGresult.
 *
 * Unless said otherwise a function runs in the caller's transaction, with the schema as
 * the search path (the loader's), and returns 0 (or a count) or a negative errno: -EIO
 * with the server's error in *ret_error, -EBADMSG when the server returned something that
 * is not the number it should be, -ENOMEM. ret_ parameters are untouched on failure.
 *
 * The reports read the register too (report/htmlreport_db.c; their reads move here next).
 * They fit the same shape, with the types below:
 *
 *   register_delivery_get(conn, id, &row)      a delivery's header: struct register_row
 *                                              { int64_t id; struct register_delivery
 *                                              delivery; struct register_outcome outcome;
 *                                              int64_t loaded_at; } with the strings owned
 *                                              by the row, -ENOENT when there is none
 *   register_each_finding(conn, id, fn, ud)    its findings in line order, a struct finding
 *                                              per call in single-row mode (a million
 *                                              findings need no million rows in memory)
 *   register_rejected_text(conn, id, lines, n, fn, ud)
 *                                              the text of some of its rejected records
 *   register_deliveries_since(conn, day, &list) the overview's deliveries (not duplicates)
 *                                              with their units, counts and status, and the
 *                                              duplicates counted per source
 *   register_rule_counts_since(conn, day, fn, ud)
 *                                              findings per source, rule and month
 *
 * each number read as here, through the checked readers.
 */
#ifndef PLAUSID_REGISTER_H
#define PLAUSID_REGISTER_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"
#include "strbuf.h"
#include "util.h"

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
_must_check_ int register_find_duplicate(PGconn *conn, const char *source, const char *sha256, int64_t *ret_id,
                                         char **ret_error);

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

/* ---- scopes for the previous-year rules (history.c) ---- */

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

/* ---- findings and rejected records, sent by COPY ---- */

/* The statements that take the rows below (copy.h's COPY FROM STDIN). */
extern const char register_copy_findings[];
extern const char register_copy_rejected[];

/* Appends f as a row for register_copy_findings, without the newline. */
_must_check_ int register_finding_row(struct strbuf *b, int64_t delivery, const struct finding *f);
/* Appends a rejected record's text as a row for register_copy_rejected, without the newline. */
_must_check_ int register_rejected_row(struct strbuf *b, int64_t delivery, unsigned long line, const char *raw,
                                       size_t len);

#endif
