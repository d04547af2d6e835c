/*
 * The life of an export file in a source's directories: claimed from the drop directory
 * into <drop>/.processing (a rename on the same file system, so a file is either still in
 * the drop directory or claimed, never both), then, after its transaction committed, moved
 * to <archive>/YYYY/MM/ or to <quarantine>/ with a "<name>.reason.txt" beside it. Nothing
 * is ever overwritten (a name that exists gets a suffix: x.csv, x.1.csv, x.2.csv) and
 * nothing is deleted before its copy is safely on disk. Every directory is held open and
 * every file reached relative to it, with O_NOFOLLOW: a symlink is never followed.
 */
#ifndef PLAUSID_FILES_H
#define PLAUSID_FILES_H

#include <time.h>

#include "config.h"
#include "util.h"

#define FILES_PROCESSING ".processing"

struct source_dirs {
        int drop, processing, archive, quarantine, reports;
};

/* Opens (creating what is missing, with safe modes) the source's directories. On failure
 * *ret_error names the directory and the reason. */
_must_check_ int dirs_open(const struct source_config *s, struct source_dirs *ret, char **ret_error);
void dirs_close(struct source_dirs *d);

/* Claims drop/name: moves it into processing under a free name (*ret_name). -ENOENT when
 * it is gone. */
_must_check_ int file_claim(const struct source_dirs *d, const char *name, char **ret_name);
/* Opens a claimed file for reading; -ELOOP for a symlink, -EINVAL when it is not a
 * regular file. */
_must_check_ int file_open_claimed(const struct source_dirs *d, const char *name);
/* Removes the temporaries of atomic files (reports, quarantine reasons) in dir whose
 * writing process is gone: a kill -9 mid-write leaves them, and nobody else would.
 * Returns how many, or a negative errno when dir cannot be read. */
int file_remove_stale_temporaries(int dir);

/* Moves processing/name to archive/YYYY/MM/ (the month of when) as the delivered name
 * (with a suffix when taken); *ret_path is where it went, relative to the archive. */
_must_check_ int file_archive(const struct source_dirs *d, const char *name, const char *delivered_name, time_t when,
                              char **ret_path);
/* Moves a file of dir (the drop or processing directory) to the quarantine, with
 * "<final name>.reason.txt" holding reason (one paragraph, UTF-8). */
_must_check_ int file_quarantine(const struct source_dirs *d, int dir, const char *name, const char *delivered_name,
                                 const char *reason, char **ret_path);

#endif
