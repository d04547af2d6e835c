/*
 * inotify and directory scans of a drop directory. See watch.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "watch.h"

struct entry {
        char *name;
        bool symlink;
        bool event;             /* inotify reported it complete: ready now */
        bool writing;           /* inotify saw it written and not yet closed */
        bool seen;              /* found by the current scan */
        off_t size;
        struct timespec mtime;
        uint64_t unchanged_since;
};

struct watch {
        int dir;
        int inotify;
        struct watch_options o;
        struct entry *entries;
        size_t n, cap;
        char last[NAME_MAX + 1];        /* the name watch_next() handed out (a directory entry's: it fits) */
};

bool watch_name_ignored(const char *name) {
        static const char *const endings[] = {".tmp", ".part", ".partial", ".done"};
        if (name[0] == '.' || name[0] == '~' || name[0] == '\0')
                return true;
        size_t len = strlen(name);
        for (size_t i = 0; i < ELEMENTSOF(endings); i++) {
                size_t el = strlen(endings[i]);
                if (len >= el && strcasecmp(name + len - el, endings[i]) == 0)
                        return true;
        }
        return false;
}

int watch_new(int drop_fd, const struct watch_options *o, struct watch **ret) {
        struct watch *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->dir = drop_fd;
        w->inotify = -1;
        w->o = *o;
        if (o->mode == WATCH_INOTIFY) {
                w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                char path[64];          /* "/proc/self/fd/" and an int: 25 bytes at most */
                snprintf(path, sizeof(path), "/proc/self/fd/%d", drop_fd);
                if (w->inotify < 0 ||
                    inotify_add_watch(w->inotify, path, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_ONLYDIR | IN_EXCL_UNLINK) < 0) {
                        int e = -errno;
                        watch_free(w);
                        return e;
                }
        }
        *ret = w;
        return 0;
}

void watch_free(struct watch *w) {
        if (!w)
                return;
        if (w->inotify >= 0)
                close(w->inotify);
        for (size_t i = 0; i < w->n; i++)
                free(w->entries[i].name);
        free(w->entries);
        free(w);
}

void watch_set_options(struct watch *w, const struct watch_options *o) {
        enum watch_mode mode = w->o.mode;       /* the mode needs a restart */
        w->o = *o;
        w->o.mode = mode;
}

int watch_fd(const struct watch *w) {
        return w->inotify;
}

static struct entry *find(struct watch *w, const char *name) {
        for (size_t i = 0; i < w->n; i++)
                if (strcmp(w->entries[i].name, name) == 0)
                        return &w->entries[i];
        return NULL;
}

static struct entry *add(struct watch *w, const char *name) {
        if (ARRAY_GROW(w->entries, w->n, w->cap) < 0)
                return NULL;
        struct entry *e = &w->entries[w->n];
        *e = (struct entry) {.name = strdup(name)};
        if (!e->name)
                return NULL;
        w->n++;
        return e;
}

static void forget(struct watch *w, struct entry *e) {
        free(e->name);
        *e = w->entries[--w->n];
}

/* How a name came to the watch's notice. */
enum notice {
        NOTICE_SCAN,            /* a scan found it */
        NOTICE_MOVED,           /* renamed into the directory: complete, taken at once */
        NOTICE_WRITTEN,         /* written to, and so open for writing */
        NOTICE_CLOSED,          /* closed after writing: complete only if nobody opens it again */
};

/*
 * A reported or scanned name: looks at what it is now. A file written in place is not
 * complete when it is closed -- a sender may append, close and open it again for each
 * chunk -- so after the close it must stay unchanged for stable_seconds (the settle time,
 * as Camel's readLock=changed or NiFi's minimum file age) before it is taken. A file
 * renamed into the directory is complete and taken at once.
 */
static int consider(struct watch *w, const char *name, enum notice how, uint64_t now) {
        if (watch_name_ignored(name))
                return 0;
        struct stat st;
        if (fstatat(w->dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        bool link = S_ISLNK(st.st_mode);
        if (!link && !S_ISREG(st.st_mode))
                return 0;
        struct entry *e = find(w, name);
        if (!e) {
                e = add(w, name);
                if (!e)
                        return -ENOMEM;
                e->unchanged_since = now;
        } else if (e->size != st.st_size || e->mtime.tv_sec != st.st_mtim.tv_sec ||
                   e->mtime.tv_nsec != st.st_mtim.tv_nsec) {
                e->unchanged_since = now;
                e->event = false;       /* written again since the event */
        }
        e->symlink = link;
        e->size = st.st_size;
        e->mtime = st.st_mtim;
        e->seen = true;
        if (how == NOTICE_MOVED)
                e->event = true;
        if (how == NOTICE_CLOSED)
                e->unchanged_since = now;       /* the settle time starts at the close */
        if (how != NOTICE_SCAN)
                e->writing = how == NOTICE_WRITTEN;
        return 0;
}

int watch_read_events(struct watch *w, uint64_t now) {
        if (w->inotify < 0)
                return 0;
        char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
        int overflow = 0;
        for (;;) {
                ssize_t n = read(w->inotify, buf, sizeof(buf));
                if (n < 0)
                        return errno == EAGAIN ? overflow : -errno;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        p += sizeof(*ev) + ev->len;
                        if (ev->mask & IN_Q_OVERFLOW)
                                overflow = 1;
                        if (ev->len == 0)
                                continue;
                        /* A marker completes its export. */
                        size_t len = strlen(ev->name);
                        if (len > 5 && strcmp(ev->name + len - 5, ".done") == 0) {
                                char export[NAME_MAX + 1];      /* shorter than the marker's name */
                                snprintf(export, sizeof(export), "%.*s", (int) (len - 5), ev->name);
                                struct entry *e = find(w, export);
                                if (e)
                                        e->event = e->event || e->seen;
                                continue;
                        }
                        enum notice how = ev->mask & IN_MOVED_TO      ? NOTICE_MOVED :
                                          ev->mask & IN_CLOSE_WRITE   ? NOTICE_CLOSED :
                                                                        NOTICE_WRITTEN;
                        int r = consider(w, ev->name, how, now);
                        if (r < 0)
                                return r;
                }
        }
}

int watch_scan(struct watch *w, uint64_t now) {
        int fd = openat(w->dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        for (size_t i = 0; i < w->n; i++)
                w->entries[i].seen = false;
        int r = 0;
        struct dirent *de;
        errno = 0;
        while (r >= 0 && (de = readdir(d)))
                r = consider(w, de->d_name, NOTICE_SCAN, now);
        if (r >= 0 && errno)
                r = -errno;
        closedir(d);
        /* Entries that are gone (taken by someone else, deleted) are forgotten. */
        for (size_t i = 0; r >= 0 && i < w->n;)
                if (!w->entries[i].seen)
                        forget(w, &w->entries[i]);
                else
                        i++;
        return r;
}

/* Whether an entry may be taken now. One found by a scan must have stayed the same for
 * stable_seconds: it is looked at again when that time is up. */
static bool ready(struct watch *w, struct entry *e, uint64_t now) {
        if (e->symlink)
                return true;
        if (w->o.done_marker) {
                char marker[NAME_MAX + sizeof(".done")];        /* e->name is a directory entry's */
                struct stat st;
                snprintf(marker, sizeof(marker), "%s.done", e->name);
                if (fstatat(w->dir, marker, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return false;
        }
        if (e->event)
                return true;
        /* Someone wrote to it and has not closed it: a pause in writing is not the end. */
        if (e->writing)
                return false;
        if (now - e->unchanged_since < (uint64_t) w->o.stable_seconds * 1000000u)
                return false;
        struct stat st;
        if (fstatat(w->dir, e->name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                return false;   /* gone or replaced: the next scan sorts it out */
        if (st.st_size != e->size || st.st_mtim.tv_sec != e->mtime.tv_sec || st.st_mtim.tv_nsec != e->mtime.tv_nsec) {
                e->size = st.st_size;
                e->mtime = st.st_mtim;
                e->unchanged_since = now;
                return false;
        }
        return true;
}

int watch_next(struct watch *w, uint64_t now, const char **ret_name, enum watch_kind *ret_kind) {
        struct entry *best = NULL;
        for (size_t i = 0; i < w->n; i++) {
                struct entry *e = &w->entries[i];
                if (!ready(w, e, now))
                        continue;
                if (!best || e->mtime.tv_sec < best->mtime.tv_sec ||
                    (e->mtime.tv_sec == best->mtime.tv_sec && strcmp(e->name, best->name) < 0))
                        best = e;
        }
        if (!best)
                return 0;
        snprintf(w->last, sizeof(w->last), "%s", best->name);
        *ret_kind = best->symlink ? WATCH_SYMLINK : WATCH_FILE;
        *ret_name = w->last;
        forget(w, best);
        return 1;
}

unsigned watch_waiting(const struct watch *w) {
        return (unsigned) w->n;
}
