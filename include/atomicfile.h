/*
 * Files that appear whole or not at all: written under a hidden temporary name beside the
 * final one and renamed into place only when complete and synced. Reports, the --rejects
 * CSV and the quarantine's reason files hold personal data and are read by people and
 * scripts while plausid writes: nobody may see half of one.
 */
#ifndef PLAUSID_ATOMICFILE_H
#define PLAUSID_ATOMICFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "util.h"

/* A file being written. After commit or abort the struct is empty. */
struct atomic_file {
        FILE *f;                /* write the content here */
        int dir;                /* the directory path is relative to (AT_FDCWD or a descriptor, not owned) */
        char *path;             /* the final name */
        char *tmp;              /* the temporary name beside it */
};

/* Creates the temporary file for path (relative to dir): O_EXCL, never following a
 * symlink, mode exactly mode (fchmod, not the umask), group gid unless gid is -1. */
_must_check_ int atomic_file_open(struct atomic_file *af, int dir, const char *path, mode_t mode, int gid);
/* Flushes and syncs the content, renames it over path (replacing a file of that name) and
 * syncs the directory. On failure the temporary file is removed. */
_must_check_ int atomic_file_commit(struct atomic_file *af);
/* Removes the temporary file; a no-op on an empty struct, so that it serves as the
 * cleanup of a struct atomic_file on the stack: _cleanup_(atomic_file_abort). */
void atomic_file_abort(struct atomic_file *af);

/* The whole of a small file at once: open, write data, commit. */
_must_check_ int atomic_file_write(int dir, const char *path, mode_t mode, int gid, const void *data, size_t len);

#endif
