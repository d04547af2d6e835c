/*
 * Moving export files between a source's directories. See files.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "files.h"
#include "strbuf.h"

/* Makes one directory (and its parents) with mode, and opens it. */
static int open_dir(int at, const char *path, mode_t mode) {
        int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT)
                return fd >= 0 ? fd : -errno;
        /* Create the parents first, then this one. */
        _cleanup_(freep) char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *p = copy + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdirat(at, copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdirat(at, path, mode) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 ? fd : -errno;
}

void dirs_close(struct source_dirs *d) {
        int *fds[] = {&d->drop, &d->processing, &d->archive, &d->quarantine, &d->reports};
        for (size_t i = 0; i < ELEMENTSOF(fds); i++) {
                if (*fds[i] >= 0)
                        close(*fds[i]);
                *fds[i] = -1;
        }
}

int dirs_open(const struct source_config *s, struct source_dirs *ret, char **ret_error) {
        struct source_dirs d = {-1, -1, -1, -1, -1};
        /* The drop directory is written by the exporting software's group; the others hold
         * personal data that only plausid (and its group, for reading) needs. */
        const struct {
                const char *what, *path;
                int at_drop;
                mode_t mode;
                int *fd;
        } dirs[] = {
                {"drop", s->drop, 0, 0770, &d.drop},
                {"processing", FILES_PROCESSING, 1, 0750, &d.processing},
                {"archive", s->archive, 0, 0750, &d.archive},
                {"quarantine", s->quarantine, 0, 0750, &d.quarantine},
                {"reports", s->reports, 0, 0750, &d.reports},
        };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                int fd = open_dir(dirs[i].at_drop ? d.drop : AT_FDCWD, dirs[i].path, dirs[i].mode);
                if (fd < 0) {
                        if (asprintf(ret_error, "%s directory %s%s%s: %s", dirs[i].what, dirs[i].at_drop ? s->drop : "",
                                     dirs[i].at_drop ? "/" : "", dirs[i].path, strerror(-fd)) < 0)
                                *ret_error = NULL;
                        dirs_close(&d);
                        return fd;
                }
                *dirs[i].fd = fd;
        }
        *ret = d;
        return 0;
}

/* "x.csv" with n = 2 gives "x.2.csv"; n = 0 the name itself. */
static char *suffixed(const char *name, unsigned n) {
        char *out;
        const char *dot = strrchr(name, '.');
        if (n == 0)
                return strdup(name);
        if (!dot || dot == name)
                return asprintf(&out, "%s.%u", name, n) < 0 ? NULL : out;
        return asprintf(&out, "%.*s.%u%s", (int) (dot - name), name, n, dot) < 0 ? NULL : out;
}

/*
 * Gives something a name in to_dir without replacing anything: make() is tried with name,
 * then x.1.csv, x.2.csv, ... until it does not fail with EEXIST. make returns 0 or -1 with
 * errno, as the *at() calls it wraps.
 */
static int place_noreplace(int to_dir, const char *name, int (*make)(const void *what, int dir, const char *target),
                           const void *what, char **ret_name) {
        for (unsigned n = 0; n < 10000; n++) {
                _cleanup_(freep) char *target = suffixed(name, n);
                if (!target)
                        return -ENOMEM;
                if (make(what, to_dir, target) == 0) {
                        *ret_name = TAKE_PTR(target);
                        return 0;
                }
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

struct at_path {
        int dir;
        const char *name;
};

static int make_by_rename(const void *what, int dir, const char *target) {
        const struct at_path *from = what;
        return renameat2(from->dir, from->name, dir, target, RENAME_NOREPLACE);
}

static int make_by_link(const void *what, int dir, const char *target) {
        return linkat(AT_FDCWD, what, dir, target, AT_SYMLINK_FOLLOW);
}

static int make_symlink(const void *what, int dir, const char *target) {
        return symlinkat(what, dir, target);
}

/* Renames without replacing anything; the first free suffix wins. */
static int move_noreplace(int from_dir, const char *from, int to_dir, const char *name, char **ret_name) {
        struct at_path src = {from_dir, from};
        return place_noreplace(to_dir, name, make_by_rename, &src, ret_name);
}

/* Copies from_dir/from into to_dir under a free name (for a move across file systems),
 * the copy synced before it gets its name. */
static int copy_noreplace(int from_dir, const char *from, int to_dir, const char *name, char **ret_name) {
        _cleanup_(closep) int in = openat(from_dir, from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (in < 0)
                return -errno;
        _cleanup_(closep) int out = openat(to_dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
        if (out < 0)
                return -errno;
        char buf[1 << 16];
        ssize_t n;
        while ((n = read(in, buf, sizeof(buf))) > 0)
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(out, buf + off, (size_t) (n - off));
                        if (w < 0)
                                return -errno;
                        off += w;
                }
        if (n < 0 || fsync(out) < 0)
                return -errno;
        char fdpath[64];        /* "/proc/self/fd/" and an int: 25 bytes at most */
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", out);
        return place_noreplace(to_dir, name, make_by_link, fdpath, ret_name);
}

/* A move across file systems: the source is removed only once the copy is synced. */
static int move_by_copy(int from_dir, const char *from, int to_dir, const char *name, char **ret_name) {
        _cleanup_(freep) char *placed = NULL;
        int e = copy_noreplace(from_dir, from, to_dir, name, &placed);
        if (e < 0)
                return e;
        if (fsync(to_dir) < 0 || unlinkat(from_dir, from, 0) < 0)
                return -errno;
        *ret_name = TAKE_PTR(placed);
        return 0;
}

/* Moves, across file systems too; both directories synced. */
static int move_file(int from_dir, const char *from, int to_dir, const char *name, char **ret_name) {
        _cleanup_(freep) char *placed = NULL;
        int e = move_noreplace(from_dir, from, to_dir, name, &placed);
        if (e == -EXDEV)
                e = move_by_copy(from_dir, from, to_dir, name, &placed);
        if (e < 0)
                return e;
        if (fsync(to_dir) < 0 || fsync(from_dir) < 0)
                return -errno;
        *ret_name = TAKE_PTR(placed);
        return 0;
}

int file_claim(const struct source_dirs *d, const char *name, char **ret_name) {
        _cleanup_(freep) char *claimed = NULL;
        int e = move_noreplace(d->drop, name, d->processing, name, &claimed);
        if (e < 0)
                return e;
        if (fsync(d->processing) < 0 || fsync(d->drop) < 0)
                return -errno;
        *ret_name = TAKE_PTR(claimed);
        return 0;
}

int file_open_claimed(const struct source_dirs *d, const char *name) {
        int fd = openat(d->processing, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -EINVAL;
        }
        /* O_NONBLOCK only kept a FIFO from blocking the open. */
        (void) fcntl(fd, F_SETFL, 0);
        return fd;
}

int file_archive(const struct source_dirs *d, const char *name, const char *delivered_name, time_t when,
                 char **ret_path) {
        struct tm tm;
        char month[32];
        localtime_r(&when, &tm);
        snprintf(month, sizeof(month), "%04d/%02d", tm.tm_year + 1900, tm.tm_mon + 1);
        _cleanup_(closep) int dir = open_dir(d->archive, month, 0750);
        if (dir < 0)
                return dir;
        _cleanup_(freep) char *final = NULL;
        int e = move_file(d->processing, name, dir, delivered_name, &final);
        if (e < 0)
                return e;
        return asprintf(ret_path, "%s/%s", month, final) < 0 ? -ENOMEM : 0;
}

/* A symlink cannot be copied across file systems as a file: it is made anew. */
static int move_symlink(int from_dir, const char *from, int to_dir, const char *name, char **ret_name) {
        int e = move_noreplace(from_dir, from, to_dir, name, ret_name);
        if (e != -EXDEV)
                return e;
        char target[PATH_MAX];  /* Linux refuses longer targets (ENAMETOOLONG): it fits */
        ssize_t n = readlinkat(from_dir, from, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        e = place_noreplace(to_dir, name, make_symlink, target, ret_name);
        if (e >= 0 && unlinkat(from_dir, from, 0) < 0)
                e = -errno;
        return e;
}

int file_quarantine(const struct source_dirs *d, int dir, const char *name, const char *delivered_name,
                    const char *reason, char **ret_path) {
        struct stat st;
        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        _cleanup_(freep) char *final = NULL;
        int e = S_ISLNK(st.st_mode) ? move_symlink(dir, name, d->quarantine, delivered_name, &final)
                                    : move_file(dir, name, d->quarantine, delivered_name, &final);
        if (e < 0)
                return e;
        _cleanup_(freep) char *reason_name = NULL;
        if (asprintf(&reason_name, "%s.reason.txt", final) < 0)
                return -ENOMEM;
        /* A reason file of an earlier quarantine of the same name is replaced. */
        _cleanup_(freep) char *text = NULL;
        if (asprintf(&text, "%s\n", reason) < 0)
                return -ENOMEM;
        e = atomic_file_write(d->quarantine, reason_name, 0640, -1, text, strlen(text));
        if (e < 0)
                return e;
        *ret_path = TAKE_PTR(final);
        return 0;
}

/* The process id in an atomic file's temporary name ".NAME.PID.N.tmp" (atomicfile.c), or 0
 * when name is none. */
static long temporary_owner(const char *name) {
        size_t len = strlen(name);
        if (name[0] != '.' || len < 8 || strcmp(name + len - 4, ".tmp") != 0)
                return 0;
        const char *end = name + len - 4, *p = end;
        while (p > name && p[-1] != '.')        /* N */
                p--;
        if (p == end || p - 1 <= name)
                return 0;
        const char *pid_end = p - 1;
        const char *q = pid_end;
        while (q > name && q[-1] != '.')        /* PID */
                q--;
        if (q == pid_end || q - 1 <= name)
                return 0;
        char *stop;
        long pid = strtol(q, &stop, 10);
        return stop == pid_end && pid > 0 ? pid : 0;
}

int file_remove_stale_temporaries(int dir) {
        int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
        if (!dh) {
                int e = -errno;
                if (fd >= 0)
                        close(fd);
                return e;
        }
        int n = 0;
        struct dirent *de;
        while ((de = readdir(dh))) {
                long pid = temporary_owner(de->d_name);
                /* Its writer is gone (a kill -9 mid-write): nobody will finish or remove it. */
                if (pid > 0 && kill((pid_t) pid, 0) < 0 && errno == ESRCH && unlinkat(dir, de->d_name, 0) == 0)
                        n++;
        }
        closedir(dh);
        return n;
}
