/*
 * Noticing exports in a source's drop directory. In inotify mode the kernel reports files
 * closed after writing or moved in, and a full scan at start, after an event-queue
 * overflow and every scan_interval reconciles; in poll mode (CIFS/NFS shares, which report
 * nothing written from other machines) only the scans run. A file found by a scan is ready
 * once its size and modification time stayed unchanged for stable_seconds, so that a file
 * still being copied is never taken; one reported by inotify as moved in is ready at once;
 * one inotify saw written to is not ready before it is closed, however long the writer
 * pauses, and after the close it must stay unchanged for stable_seconds (a sender that
 * reopens the file for each chunk closes it many times).
 *
 * Never taken: names beginning with '.' or '~' or ending in .tmp, .part, .partial or .done,
 * anything that is not a regular file, and, with done_marker, an export without its
 * "<name>.done". A symlink is reported separately, so that it can be refused.
 */
#ifndef PLAUSID_WATCH_H
#define PLAUSID_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "util.h"

struct watch;

struct watch_options {
        enum watch_mode mode;
        unsigned stable_seconds;
        bool done_marker;
};

/* Watches the directory open on drop_fd (not taken over; keep it open). */
_must_check_ int watch_new(int drop_fd, const struct watch_options *o, struct watch **ret);
void watch_free(struct watch *w);
DEFINE_CLEANUP_FUNC(struct watch, watch_free)
/* Options that a reload may change. */
void watch_set_options(struct watch *w, const struct watch_options *o);

/* The inotify descriptor to poll for input, or -1 in poll mode. */
int watch_fd(const struct watch *w);
/* Reads the pending inotify events. Returns 1 when the kernel's queue overflowed (a scan
 * is due), 0, or a negative errno. */
_must_check_ int watch_read_events(struct watch *w, uint64_t now);
/* Lists the directory and updates what is ready; now is CLOCK_MONOTONIC in µs. */
_must_check_ int watch_scan(struct watch *w, uint64_t now);

enum watch_kind {
        WATCH_FILE,             /* an export, ready to be taken */
        WATCH_SYMLINK,          /* a symlink: to be refused, never followed */
};
/* The next ready entry (oldest modification first, then by name): 1 with *ret_name (owned
 * by the watch, valid until the next call) and *ret_kind, 0 when none. The entry is
 * forgotten: the caller claims or refuses it. */
int watch_next(struct watch *w, uint64_t now, const char **ret_name, enum watch_kind *ret_kind);
/* Entries known but not ready yet (files still being written or waiting for .done). */
unsigned watch_waiting(const struct watch *w);

/* Whether a name is never taken (exported for the tests and the processing directory). */
bool watch_name_ignored(const char *name);

#endif
