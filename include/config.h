/*
 * The configuration: where the database is and, per source (a kind of export, such as the
 * hze statistics), its rule pack, its directories and how its deliveries are taken and
 * loaded. Read from one YAML file (config.example.yaml describes every key) into a fresh,
 * immutable struct config; a file with errors yields every error as a diagnostic
 * ("file:line:col: message") and no config, so a reload can build a new one and swap it in
 * only when it is complete. Nothing here opens a directory or a database: the daemon checks
 * what it needs (config_source_require_dirs) when it starts.
 *
 * The value of database.conninfo may hold a password: no diagnostic ever shows it.
 */
#ifndef PLAUSID_CONFIG_H
#define PLAUSID_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "checker.h"
#include "diag.h"
#include "util.h"

/* Limits a configuration must stay within; exceeding one is an error that names it. */
#define CONFIG_MAX_SOURCES 64
#define CONFIG_MAX_FILE_BYTES (1024u * 1024u)
#define CONFIG_MAX_PATH 4095            /* bytes of a path after resolving it */
#define CONFIG_MAX_CONNINFO 4096
#define CONFIG_MAX_NAME 63              /* source and schema names (PostgreSQL's limit) */

/* What to do with a delivery for a reporting unit, year and part that was loaded before. */
enum redelivery {
        REDELIVERY_REPLACE,     /* a new delivery replaces the same unit-year-part */
        REDELIVERY_APPEND,      /* both stay */
        REDELIVERY_REJECT,      /* the new delivery is rejected as a whole */
};

/* How new exports in a drop directory are noticed. */
enum watch_mode {
        WATCH_INOTIFY,          /* inotify events, plus a full scan every scan_interval */
        WATCH_POLL,             /* a full scan every scan_interval (CIFS/NFS shares send no events) */
};

struct source_config {
        char *name;             /* [a-z][a-z0-9_]*, unique in the file */
        char *rules;            /* the rule pack; paths are absolute when the config file's is */
        char *drop;             /* where exports arrive; NULL when not given */
        char *archive;          /* where loaded exports go; NULL when not given */
        char *quarantine;       /* where rejected exports go; NULL when not given */
        char *reports;          /* where findings CSVs go; NULL when not given */
        enum redelivery redelivery;
        double max_reject_share;        /* 0..1; a larger share of rejected records rejects the file */
        enum watch_mode watch;
        unsigned scan_interval;         /* seconds between full scans (the poll period in poll mode) */
        unsigned stable_seconds;        /* unchanged this long before a file is taken (poll mode; in
                                         * inotify mode after a file written in place is closed) */
        bool done_marker;               /* take an export only when "<name>.done" exists beside it */
        char *report_group;             /* the group of the report files (mode 0640); NULL: plausid's own */
        unsigned report_records;        /* rejected records listed in a report, at most */
        enum checker_format format;     /* auto: each file's own, from its first line */
        unsigned berichtsjahr;          /* fixed-width files' Berichtsjahr; 0: from the name */
        char *berichtsjahr_from_name;   /* the pattern finding it there; NULL: the pack's */
        unsigned line, col;             /* where the source begins in the file */
};

struct arena;

struct config {
        char *path;             /* the file, as given to config_load_file (or the buffer's name) */
        char *conninfo;         /* libpq connection string; "" = PG* environment, ~/.pgpass, service file */
        char *schema;           /* [a-z][a-z0-9_]*, default "plausid" */
        struct source_config *sources;  /* in the order of the file */
        size_t nsources;        /* at least 1 */
        struct arena *arena;    /* everything above lives in it, the struct itself included */
};

/*
 * Reads a configuration file; relative paths in it are taken relative to the file's own
 * directory. Returns 0 with *ret set, -EINVAL when the file has errors (every one is in
 * diags), -ENOENT, -EACCES, ... when it cannot be read (also reported in diags, naming the
 * file), or -ENOMEM. *ret is untouched on failure.
 */
_must_check_ int config_load_file(const char *path, struct config **ret, struct diaglist *diags);
/* The same from memory: name is used in diagnostics, base_dir resolves relative paths (NULL:
 * they stay relative, cleaned up). */
_must_check_ int config_load_buffer(const char *name, const char *data, size_t len, const char *base_dir,
                                    struct config **ret, struct diaglist *diags);
void config_free(struct config *c);
DEFINE_CLEANUP_FUNC(struct config, config_free)

/* The source with that name, or NULL. */
const struct source_config *config_find_source(const struct config *c, const char *name);

/*
 * The directories are optional in the file (`plausid load` needs none of them); the daemon
 * needs all four. Reports each missing one at the source's place in config_path. Returns 0,
 * -EINVAL (reported) or -ENOMEM.
 */
_must_check_ int config_source_require_dirs(const struct source_config *s, struct diaglist *diags,
                                            const char *config_path);

/*
 * Compares a newly read configuration with the running one. Keys that are not reloadable
 * (the database, a source's directories and watch mode, the set of sources) take effect
 * only after a restart; each one that changed is reported at its source's place in the new
 * file, never with its value. Returns 0 when the new configuration can be swapped in as a
 * whole, -EINVAL when something in it needs a restart (reported), or -ENOMEM.
 */
_must_check_ int config_reload_check(const struct config *old, const struct config *new_config,
                                     struct diaglist *diags);

/* "replace", "append", "reject"; "inotify", "poll". */
const char *redelivery_name(enum redelivery r);
const char *watch_mode_name(enum watch_mode w);

#endif
