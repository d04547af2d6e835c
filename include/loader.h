/*
 * The loader: checks one export and stores it in PostgreSQL in ONE transaction — the
 * delivery register row, the clean records (COPY into the data set's table), every finding
 * and the text of every rejected record — or nothing of it. It decides duplicates (same
 * SHA-256 already loaded), the quality gate (share of rejected records) and redeliveries
 * (a newer delivery for the same unit, year and part replaces the older one).
 */
#ifndef PLAUSID_LOADER_H
#define PLAUSID_LOADER_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "checker.h"
#include "config.h"
#include "digest.h"
#include "ruleset.h"
#include "table.h"
#include "util.h"

struct loader_options {
        const char *schema;
        const char *source;             /* the configuration's source name */
        enum redelivery redelivery;
        double max_reject_share;        /* above this share of rejected records, reject the file */
        const char *pack_sha256;        /* digest of the rule pack file */
        struct checker_input input;     /* the source's format and Berichtsjahr (name: the file's) */
        /* When set (by a signal handler), the load stops at the next record and rolls
         * back with -ECANCELED. NULL: never. */
        const volatile sig_atomic_t *cancel;
};

enum load_status {
        LOAD_LOADED,
        LOAD_DUPLICATE,                 /* same content already loaded: recorded, skipped */
        LOAD_REJECTED,                  /* rejected as a whole: delivery and findings recorded */
};

struct load_result {
        enum load_status status;
        long long delivery_id;
        long long duplicate_of;         /* LOAD_DUPLICATE: the delivery that has this content */
        unsigned long records, loaded, rejected, warned, findings;
        unsigned long superseded;       /* earlier deliveries this one replaced completely */
        unsigned long replaced_rows;    /* rows of earlier deliveries it replaced */
        char *reason;                   /* LOAD_REJECTED / LOAD_DUPLICATE: why, in German; else NULL */
        /* The encoding the file turned out to have, as the reader names it ("utf-8",
         * "windows-1252", "iso-8859-15", "iso-8859-1"): a fixed set of names, the longest 12 bytes. The
         * loader fails rather than cut a longer one. */
        char encoding[16];
        unsigned long *per_rule;        /* findings per rule index */
        char *unknown_columns;          /* or NULL */
        /* Linked rules (dbrules.h) place findings on the records they are about, which may be
         * those of earlier deliveries: how many went there, and the deliveries whose findings
         * changed (taken back or placed), by id -- their reports are out of date now. */
        unsigned long relinked_findings;
        int64_t *relinked;
        size_t nrelinked;
        /* reason, per_rule, unknown_columns and relinked are malloc'd: free with
         * load_result_done() */
};

void load_result_done(struct load_result *r);

/*
 * Loads the export open on fd (read from offset 0). file_name is the name the delivery is
 * registered under. Returns 0 with *ret filled, or a negative errno, with *ret_error when
 * there is more to say than strerror() (the transaction was rolled back; nothing of the
 * file is in the database): -EIO for a database failure, -EDOM when the server refused
 * the data (db_error_errno()), -ECANCELED when o->cancel was
 * set, -EBADMSG when the server returned a number that is not one, other values for
 * reading.
 */
_must_check_ int loader_load(PGconn *conn, const struct ruleset *rs, const struct table *t,
                             const struct loader_options *o, int fd, const char *file_name, struct load_result *ret,
                             char **ret_error);

#endif
