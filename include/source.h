/*
 * A source opened once: one entry of the configuration (a kind of export, such as the hze
 * statistics) turned into everything its files need -- the compiled rule pack, the shape
 * of its table, the pack's digest, the group of its reports and the options of the loader
 * and of the watch. `plausid load`, `plausid run` (at start and on every reload),
 * `plausid report` and `plausid config check` open sources here and nowhere else, so that
 * they accept and refuse a source alike: every error is a diagnostic, at file:line:col
 * where the configuration gives a place.
 *
 * The database side of a source is here too, for `plausid load` and the daemon alike:
 * connecting and migrating the schema (source_db_connect), fitting the data set's table
 * and views to the pack (source_prepare), loading one export (source_load) and writing
 * the report of a delivery (source_report). Nothing here prints or logs.
 */
#ifndef PLAUSID_SOURCE_H
#define PLAUSID_SOURCE_H

#include <sys/stat.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"
#include "digest.h"
#include "loader.h"
#include "ruleset.h"
#include "table.h"
#include "util.h"
#include "watch.h"

struct source {
        const struct source_config *config;     /* the entry; its configuration outlives the source */
        struct ruleset *rs;                     /* the compiled rule pack */
        struct table *table;                    /* the data set's table, as the pack shapes it */
        char pack_sha256[DIGEST_HEX_LEN + 1];   /* the pack file's digest, recorded with each delivery */
        int report_gid;                         /* report_group's id; -1: the process's group */
        struct loader_options load;             /* for loader_load(); points into config and this struct */
        struct watch_options watch;             /* what a reload may change of the drop directory's watch */
};

enum {
        SOURCE_DAEMON = 1 << 0,                 /* the daemon's needs too: the four directories */
};

/*
 * Opens the source sc of cfg (both must outlive it): compiles its pack, digests it, shapes
 * its table, finds its report group; with SOURCE_DAEMON also requires its directories.
 * Every error is added to diags, all of them, not only the first. Returns 0 with *ret,
 * -ENOEXEC when the rule pack does not compile (whatever else is wrong), -EINVAL when
 * something else is, or -ENOMEM.
 */
_must_check_ int source_open(const struct config *cfg, const struct source_config *sc, unsigned flags,
                             struct source **ret, struct diaglist *diags);
void source_free(struct source *s);
DEFINE_CLEANUP_FUNC(struct source, source_free)

/* The first step of source_open() alone: the source's rule pack, compiled, for a reader of
 * what was loaded (the titles and labels of `plausid report`). Returns as
 * ruleset_compile_file(). */
_must_check_ int source_compile(const struct source_config *sc, struct ruleset **ret, struct diaglist *diags);

/* A configuration file with every source in it opened: what the daemon starts with and
 * what a reload builds anew, to swap it in only when all of it is ready. */
struct source_set {
        struct config *cfg;
        struct source **sources;                /* one per source of cfg */
        size_t n;
};

/*
 * Reads the configuration and opens each of its sources, in the file's order. Every error
 * of the file and of each source goes to diags. Returns 0 with *ret, -EINVAL when the
 * configuration or a source has errors, another negative errno when the file cannot be
 * read (also in diags), or -ENOMEM.
 */
_must_check_ int source_set_open(const char *config_path, unsigned flags, struct source_set **ret,
                                 struct diaglist *diags);
void source_set_free(struct source_set *set);
DEFINE_CLEANUP_FUNC(struct source_set, source_set_free)

/* The source named name, or NULL. */
const struct source *source_set_find(const struct source_set *set, const char *name);

/* Puts the sources of set into the order of like's, source by source by name: a reload
 * keeps each source at its place beside its directories even when the file lists them in
 * another order. Both must have the same names (config_reload_check() says so). */
void source_set_order_like(struct source_set *set, const struct source_set *like);

/*
 * Connects to cfg's database and brings its schema up to date (the migrations). Returns 0
 * with *ret, -ECONNREFUSED when no connection was made, any other negative errno when the
 * schema could not be migrated; *ret_error says why, where a server or libpq did.
 */
_must_check_ int source_db_connect(const struct config *cfg, PGconn **ret, char **ret_error);

/* Fits the data set's table and views to the source's pack (schema_prepare_dataset()).
 * *ret_views_waiting: the views of some data set wait for tables that do not exist yet
 * (schema_waiting_views() names them). */
_must_check_ int source_prepare(PGconn *conn, const struct source *s, bool *ret_views_waiting, char **ret_error);

/* Loads the export open on fd as a delivery of the source named file_name (loader_load()
 * with the source's pack and options); cancel as in struct loader_options. */
_must_check_ int source_load(PGconn *conn, const struct source *s, const volatile sig_atomic_t *cancel, int fd,
                             const char *file_name, struct load_result *ret, char **ret_error);

/* Writes the report of a committed delivery into the source's reports directory, with
 * its group and its limit of records (report_delivery_from_db()). -EINVAL when the source
 * has no reports directory (the daemon's always have one; `plausid load` asks only when
 * its source has one). */
/* Whether this instance works source s (and no other instance on the same database does):
 * register_try_active(). Instances of one configuration share the drop directories; the
 * one without it stands by. */
_must_check_ int source_try_active(PGconn *conn, const struct source *s, bool *ret_active, char **ret_error);

/* A file left in processing (fd, read with pread): the delivery its
 * content already made in this source -- loaded (or since superseded) or rejected --
 * before a crash or a failed move (register_find_finished()). 1 with *ret_id and
 * *ret_rejected, 0 when it made none (load it). */
_must_check_ int source_finished_delivery(PGconn *conn, const struct source *s, int fd, int64_t *ret_id,
                                         bool *ret_rejected, char **ret_error);

_must_check_ int source_report(PGconn *conn, const struct source *s, long long delivery_id, char **ret_path,
                               char **ret_error);

/* Writes the report of a delivery whose findings changed after its report was written
 * (linked rules placed findings on its records or took them back, load_result's
 * relinked): into the reports directory of the source the register says it came from,
 * with that source's pack. -ENOENT, without *ret_error, when set has no such source or
 * the source no reports directory. */
_must_check_ int source_set_report(PGconn *conn, const struct source_set *set, long long delivery_id,
                                   char **ret_path, char **ret_error);

/* For `plausid load` and `check`, which take their inputs from the command line: opens one
 * for reading, without blocking on a FIFO or a device. -EISDIR for a directory, -EINVAL
 * for anything else that is not a regular file. ret_st (may be NULL): its fstat(). */
_must_check_ int source_input_open(const char *path, int *ret_fd, struct stat *ret_st);

/* For `plausid load`, which keeps one connection for all its inputs: a connection lost
 * with one input is opened again for the next. (The daemon closes it instead and
 * reconnects after a back-off.) */
void source_db_revive(PGconn *conn);

#endif
