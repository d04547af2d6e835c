/*
 * plausid run: the drop-directory daemon. See run.h.
 *
 * One thread, one loop. Between files the loop handles signals (the handlers only set
 * flags and wake the loop through a pipe), reloads, reconnects to the database with
 * exponential back-off, scans the drop directories and pings the watchdog; then it takes
 * one file: claim (rename into .processing), load (one transaction), and only after the
 * COMMIT move it to the archive or the quarantine. A crash at any point leaves the file
 * in the drop or the processing directory, and the SHA-256 register of the loader makes
 * taking it again harmless.
 *
 * The sources come from source.c, opened at start and opened anew on every reload; the new
 * set replaces the running one only when all of it opened and nothing in it needs a
 * restart. What lives as long as the process -- directories, watches, the connection --
 * is kept here, beside each source at the same index.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "diag.h"
#include "files.h"
#include "loader.h"
#include "log.h"
#include "run.h"
#include "ruleset.h"
#include "source.h"
#include "watch.h"

#define RETRY_FIRST_SECONDS 1
#define RETRY_MAX_SECONDS 60
#define FILE_ATTEMPTS 3         /* refusals of a file's data before it is quarantined */
#define STANDBY_SECONDS 2       /* a standby instance asks this often whether it may take over */
#define SYSTEM_WAIT_MAX 300     /* seconds between attempts at most, while the system refuses a file */
#define MOVE_RETRY_SECONDS 60   /* after a file could not be archived or put in quarantine */
#define USEC_PER_SEC 1000000u

/* ---- signals: the handlers set flags and wake the loop ---- */

static volatile sig_atomic_t stop_requested, reload_requested;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig) {
        int saved = errno;
        if (sig == SIGHUP)
                reload_requested = 1;
        else if (stop_requested)
                _exit(0);       /* a second stop signal: at once; the server rolls back */
        else
                stop_requested = 1;
        if (wake_pipe[1] >= 0)
                (void) !write(wake_pipe[1], "", 1);
        errno = saved;
}

static int setup_signals(void) {
        if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
                return -errno;
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        int sigs[] = {SIGHUP, SIGTERM, SIGINT};
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                if (sigaction(sigs[i], &sa, NULL) < 0)
                        return -errno;
        signal(SIGPIPE, SIG_IGN);
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000u;
}

static void log_diags(const struct diaglist *diags) {
        for (size_t i = 0; i < diags->n; i++) {
                const struct diag *d = &diags->items[i];
                if (d->line)
                        log_event(LOG_ERR, EV_DIAGNOSTIC, NULL, "%s:%u:%u: %s", d->file, d->line, d->col, d->message);
                else
                        log_event(LOG_ERR, EV_DIAGNOSTIC, NULL, "%s: %s", d->file, d->message);
        }
        if (diags->dropped)
                log_event(LOG_ERR, EV_DIAGNOSTIC, NULL, "... and %zu more errors", diags->dropped);
}

/* ---- the daemon ---- */

/* What the daemon keeps beside source i: its directories and watch live as long as the
 * process (they change with a restart only); prepared and broken as long as the source. */
struct source_io {
        struct source_dirs dirs;
        struct watch *watch;
        uint64_t next_scan;
        bool processing_pending;        /* files in .processing wait to be taken again */
        uint64_t processing_after;      /* ... not before this time */
        unsigned attempts;              /* failed attempts at the file in .processing */
        bool prepared;                  /* its table and views are ready on the current connection */
        bool active;                    /* this instance works the source (a lock of the connection) */
        uint64_t standby_until;         /* standing by: ask for the lock again at this time */
        bool broken;                    /* preparing them failed: its files wait for a reload */
};

struct daemon {
        const char *config_path;
        struct source_set *set;         /* the configuration and its sources: what a reload replaces */
        struct source_io *io;           /* one per source, at the same index */
        size_t nsources;
        size_t next_source;             /* round robin between sources */
        PGconn *conn;
        bool db_ok;
        unsigned retry_seconds;
        uint64_t next_db_attempt;
        uint64_t watchdog_usec, next_watchdog;
        unsigned long loaded, rejected, duplicates, failed;
};

static const struct source *source_at(const struct daemon *d, size_t i) {
        return d->set->sources[i];
}

static const struct source_config *config_at(const struct daemon *d, size_t i) {
        return d->set->sources[i]->config;
}

static void notify_status(struct daemon *d, const char *fmt, ...) _printf_(2, 3);
static void notify_status(struct daemon *d, const char *fmt, ...) {
        _cleanup_(freep) char *doing = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&doing, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;         /* out of memory: the status stays as it was */
        sd_notifyf(0, "STATUS=%s; %lu loaded, %lu rejected, %lu duplicates, %lu failed", doing, d->loaded,
                   d->rejected, d->duplicates, d->failed);
}

static void watchdog(struct daemon *d, uint64_t now) {
        if (d->watchdog_usec && now >= d->next_watchdog) {
                sd_notify(0, "WATCHDOG=1");
                d->next_watchdog = now + d->watchdog_usec / 2;
        }
}

static void db_down(struct daemon *d, const char *why) {
        bool was_ok = d->db_ok;
        db_close(d->conn);
        d->conn = NULL;
        d->db_ok = false;
        for (size_t i = 0; i < d->nsources; i++)
                d->io[i].prepared = d->io[i].active = false;
        d->next_db_attempt = now_usec() + (uint64_t) d->retry_seconds * USEC_PER_SEC;
        if (was_ok || d->retry_seconds == RETRY_FIRST_SECONDS)
                log_event(LOG_WARNING, EV_DATABASE_DOWN, NULL,
                          "database unavailable (%s); files wait, next attempt in %u s", why, d->retry_seconds);
        notify_status(d, "database unavailable, next attempt in %u s", d->retry_seconds);
        d->retry_seconds = d->retry_seconds * 2 > RETRY_MAX_SECONDS ? RETRY_MAX_SECONDS : d->retry_seconds * 2;
}

/*
 * Makes each source's table and views fit its (perhaps new) pack. A failure on a live
 * connection (a views file with an error, say) concerns that source alone: its files wait
 * until a reload brings a fix, and the other sources go on. Returns -EIO when the
 * connection itself failed.
 */
static int prepare_sources(struct daemon *d) {
        for (size_t i = 0; i < d->nsources; i++) {
                struct source_io *io = &d->io[i];
                if (io->prepared || io->broken)
                        continue;
                _cleanup_(freep) char *error = NULL;
                bool views_waiting = false;
                int e = source_prepare(d->conn, source_at(d, i), &views_waiting, &error);
                if (e < 0 && PQstatus(d->conn) != CONNECTION_OK) {
                        db_down(d, error ? error : strerror(-e));
                        return -EIO;
                }
                if (e < 0) {
                        const char *name = config_at(d, i)->name;
                        struct log_fields f = LOG_FIELDS_INIT;
                        f.source = name;
                        log_event(LOG_ERR, EV_PROBLEM, &f,
                                  "%s: cannot prepare the table of %s: %s; its files wait until a reload (SIGHUP) "
                                  "brings a fix",
                                  name, ruleset_name(source_at(d, i)->rs), error ? error : strerror(-e));
                        io->broken = true;
                        continue;
                }
                io->prepared = true;
        }
        return 0;
}

static void db_connect_now(struct daemon *d) {
        _cleanup_(freep) char *error = NULL;
        int e = source_db_connect(d->set->cfg, &d->conn, &error);
        if (e < 0) {
                db_down(d, error ? error : strerror(-e));
                return;
        }
        d->db_ok = true;
        if (prepare_sources(d) < 0)
                return;
        d->retry_seconds = RETRY_FIRST_SECONDS;
        log_event(LOG_INFO, EV_DATABASE_UP, NULL, "database connected, schema %s ready", d->set->cfg->schema);
        for (size_t i = 0; i < d->nsources; i++)
                d->io[i].processing_after = 0;
}

/* The first file left in .processing, or NULL. */
static char *first_in_processing(int dir) {
        int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
        if (!dh) {
                if (fd >= 0)
                        close(fd);
                return NULL;
        }
        char *best = NULL;
        struct dirent *de;
        while ((de = readdir(dh)))
                if (!watch_name_ignored(de->d_name) && (!best || strcmp(de->d_name, best) < 0)) {
                        free(best);
                        best = strdup(de->d_name);
                }
        closedir(dh);
        return best;
}

/* A file that could not be moved out of processing is taken again, but not at once: a
 * full or read-only target would otherwise make a new delivery row every turn. */
static void move_failed(struct source_io *io) {
        io->processing_pending = true;
        io->processing_after = now_usec() + (uint64_t) MOVE_RETRY_SECONDS * USEC_PER_SEC;
}

static void remove_marker(const struct source_config *s, const struct source_io *io, const char *name) {
        if (!s->done_marker)
                return;
        /* name is a directory entry's, at most NAME_MAX bytes: with ".done" it fits. */
        char marker[NAME_MAX + sizeof(".done")];
        snprintf(marker, sizeof(marker), "%s.done", name);
        (void) unlinkat(io->dirs.drop, marker, 0);
}

/* The German text of the reason file beside a file in quarantine; NULL when out of memory. */
static char *quarantine_text(const struct daemon *d, const struct source_config *s, const char *delivered,
                             long long delivery, const char *reason) {
        time_t t = time(NULL);
        struct tm tm;
        char when[32];          /* "31.12.2024 23:59": 16 bytes, and a year of five digits fits too */
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%d.%m.%Y %H:%M", &tm);
        char *text;
        int r = delivery > 0
                        ? asprintf(&text,
                                   "Die Datei %s (Quelle %s) wurde am %s als Lieferung %lld registriert und als "
                                   "Ganzes abgewiesen; nichts von ihr wurde geladen.\nGrund: %s\nDie Befunde stehen "
                                   "in der Tabelle %s.findings (delivery_id = %lld).",
                                   delivered, s->name, when, delivery, reason, d->set->cfg->schema, delivery)
                        : asprintf(&text, "Die Datei %s (Quelle %s) wurde am %s nicht geladen.\nGrund: %s", delivered,
                                   s->name, when, reason);
        return r < 0 ? NULL : text;
}

static void quarantine(struct daemon *d, size_t i, int dir, const char *name, const char *delivered,
                       long long delivery, enum log_event ev, const char *reason) {
        const struct source_config *s = config_at(d, i);
        struct source_io *io = &d->io[i];
        struct log_fields f = LOG_FIELDS_INIT;
        f.source = s->name;
        f.file = delivered;
        f.delivery = delivery;
        /* reason NULL: there was no memory to say it; the file stays and is taken again. */
        _cleanup_(freep) char *text = reason ? quarantine_text(d, s, delivered, delivery, reason) : NULL;
        _cleanup_(freep) char *where = NULL;
        int e = text ? file_quarantine(&io->dirs, dir, name, delivered, text, &where) : -ENOMEM;
        if (e < 0) {
                log_event(LOG_ERR, EV_PROBLEM, &f, "%s/%s: cannot move to the quarantine %s: %s; tried again in %d s",
                          s->name, delivered, s->quarantine, strerror(-e), MOVE_RETRY_SECONDS);
                move_failed(io);
                return;
        }
        remove_marker(s, io, delivered);
        log_event(ev == EV_REJECTED ? LOG_WARNING : LOG_ERR, ev, &f, "%s/%s: to quarantine as %s: %s", s->name,
                  delivered, where, reason);
}

/* quarantine() with a reason made of a format (a file that never became a delivery). */
static void quarantine_failed(struct daemon *d, size_t i, int dir, const char *name, const char *delivered,
                              const char *fmt, ...) _printf_(6, 7);
static void quarantine_failed(struct daemon *d, size_t i, int dir, const char *name, const char *delivered,
                              const char *fmt, ...) {
        _cleanup_(freep) char *reason = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&reason, fmt, ap);
        va_end(ap);
        quarantine(d, i, dir, name, delivered, 0, EV_QUARANTINED, r < 0 ? NULL : reason);
        d->failed++;
}

/* The controller's report of a committed delivery, in the source's reports directory. A
 * failure costs only the report: the delivery stands, and `plausid report --delivery`
 * can write it later. */
static void write_report(struct daemon *d, size_t i, long long delivery, const struct log_fields *f) {
        _cleanup_(freep) char *path = NULL;
        _cleanup_(freep) char *error = NULL;
        int e = source_report(d->conn, source_at(d, i), delivery, &path, &error);
        if (e < 0)
                log_event(LOG_WARNING, EV_PROBLEM, f, "%s/%s: delivery %lld: no report written: %s",
                          config_at(d, i)->name, f->file, delivery, error ? error : strerror(-e));
}

/* Linked rules placed findings on the records of earlier deliveries, or took some back
 * (res->relinked): their reports, written when they were loaded, are written again, each
 * by its own source. A delivery of a source no longer configured, or of one without
 * reports, keeps what it has. */
static void rewrite_reports(struct daemon *d, const struct load_result *res, const struct log_fields *f) {
        for (size_t k = 0; k < res->nrelinked; k++) {
                _cleanup_(freep) char *path = NULL, *error = NULL;
                int e = source_set_report(d->conn, d->set, res->relinked[k], &path, &error);
                if (e < 0 && e != -ENOENT)
                        log_event(LOG_WARNING, EV_PROBLEM, f, "delivery %" PRId64 ": its findings changed, "
                                  "its report was not written again: %s", res->relinked[k],
                                  error ? error : strerror(-e));
        }
}

/* A load that failed (rolled back): the file waits in processing to be taken again, or
 * goes to quarantine when trying again would not help. */
static void load_failed(struct daemon *d, size_t i, const char *name, const char *delivered, int e,
                        const char *why, const struct log_fields *f) {
        const struct source_config *s = config_at(d, i);
        struct source_io *io = &d->io[i];
        io->processing_pending = true;
        if (e == -ECANCELED) {
                log_event(LOG_NOTICE, EV_FAILED, f, "%s/%s: stopped in the middle, rolled back; taken again at the next start",
                          s->name, delivered);
        } else if (PQstatus(d->conn) != CONNECTION_OK) {
                log_event(LOG_WARNING, EV_FAILED, f, "%s/%s: not loaded, the database went away (%s); taken again",
                          s->name, delivered, why);
                db_down(d, why);
        } else if (e == -EIO) {
                /* A fault of the system on a live connection -- a privilege taken away, a
                 * statement_timeout, a full disk, a lock: only a file's own content may send
                 * it to quarantine, so it waits, 2 s, 4 s, ... up to SYSTEM_WAIT_MAX, and
                 * STATUS= says why. */
                unsigned wait = io->attempts >= 8 ? SYSTEM_WAIT_MAX : 2u << io->attempts;
                wait = wait > SYSTEM_WAIT_MAX ? SYSTEM_WAIT_MAX : wait;
                io->attempts++;
                log_event(LOG_WARNING, EV_FAILED, f, "%s/%s: not loaded, the database refused it (attempt %u): %s; "
                          "a fault of the system, not of the file: it waits, next attempt in %u s",
                          s->name, delivered, io->attempts, why, wait);
                notify_status(d, "%s/%s waits: the database refused it (%s)", s->name, delivered, why);
                io->processing_after = now_usec() + (uint64_t) wait * USEC_PER_SEC;
        } else if (e == -EDOM && ++io->attempts < FILE_ATTEMPTS) {
                /* The server refused the file's data: tried again a few times (a check of
                 * the pack may have changed), then quarantined. */
                log_event(LOG_WARNING, EV_FAILED, f, "%s/%s: not loaded (attempt %u of %u): %s", s->name, delivered,
                          io->attempts, FILE_ATTEMPTS, why);
                io->processing_after = now_usec() + (uint64_t) io->attempts * 5 * USEC_PER_SEC;
        } else {
                quarantine_failed(d, i, io->dirs.processing, name, delivered,
                                  "Die Datei konnte nicht geladen werden: %s", why);
                io->attempts = 0;
        }
}

/* A committed delivery: its report, then the file to the archive, or to quarantine when it
 * was rejected as a whole. */
static void load_committed(struct daemon *d, size_t i, const char *name, const char *delivered,
                           const struct load_result *res, struct log_fields *f) {
        const struct source_config *s = config_at(d, i);
        struct source_io *io = &d->io[i];
        io->attempts = 0;
        f->delivery = res->delivery_id;
        f->records = (long long) res->records;
        f->loaded = (long long) res->loaded;
        f->rejected = (long long) res->rejected;
        f->warned = (long long) res->warned;
        write_report(d, i, res->delivery_id, f);
        rewrite_reports(d, res, f);
        if (res->status == LOAD_REJECTED) {
                d->rejected++;
                quarantine(d, i, io->dirs.processing, name, delivered, res->delivery_id, EV_REJECTED, res->reason);
                return;
        }
        _cleanup_(freep) char *where = NULL;
        int ae = file_archive(&io->dirs, name, delivered, time(NULL), &where);
        if (res->status == LOAD_DUPLICATE) {
                d->duplicates++;
                log_event(LOG_INFO, EV_DUPLICATE, f, "%s/%s: duplicate of delivery %lld, recorded as delivery %lld, skipped",
                          s->name, delivered, res->duplicate_of, res->delivery_id);
        } else {
                d->loaded++;
                log_event(LOG_INFO, EV_LOADED, f,
                          "%s/%s: loaded as delivery %lld: %lu records, %lu loaded, %lu rejected, %lu with warnings, "
                          "%lu findings%s%s; report delivery-%lld.html",
                          s->name, delivered, res->delivery_id, res->records, res->loaded, res->rejected, res->warned,
                          res->findings, res->superseded ? "; replaced earlier deliveries" : "",
                          res->nrelinked ? "; linked rules changed the findings of earlier deliveries" : "",
                          res->delivery_id);
        }
        if (ae < 0) {
                /* Committed but not moved: it stays in processing and, taken again, is a
                 * recorded duplicate. */
                log_event(LOG_ERR, EV_PROBLEM, f, "%s/%s: loaded, but cannot move it to the archive %s: %s; tried again in %d s",
                          s->name, delivered, s->archive, strerror(-ae), MOVE_RETRY_SECONDS);
                move_failed(io);
        } else
                remove_marker(s, io, delivered);
}

/*
 * A file left in processing whose content already is a delivery of this source -- the
 * daemon was killed between COMMIT and archiving, or the archive could not take it -- is
 * finished as that delivery: its report written when it is missing, the file archived (or
 * put in quarantine when the delivery was rejected as a whole), and no new delivery row
 * (each restart used to add a 'duplicate'). Returns whether it was; otherwise the file is
 * loaded as usual (which also reports any error of reading it).
 */
static bool finish_left_over(struct daemon *d, size_t i, const char *name) {
        const struct source_config *s = config_at(d, i);
        struct source_io *io = &d->io[i];
        _cleanup_(closep) int fd = file_open_claimed(&io->dirs, name);
        int64_t id;
        bool rejected;
        _cleanup_(freep) char *error = NULL;
        if (fd < 0 || source_finished_delivery(d->conn, source_at(d, i), fd, &id, &rejected, &error) <= 0)
                return false;
        struct log_fields f = LOG_FIELDS_INIT;
        f.source = s->name;
        f.file = name;
        f.delivery = id;
        char report[sizeof("delivery-.html") + 20];
        snprintf(report, sizeof(report), "delivery-%lld.html", (long long) id);
        if (faccessat(io->dirs.reports, report, F_OK, 0) < 0 && errno == ENOENT)
                write_report(d, i, id, &f);
        io->attempts = 0;
        if (rejected) {
                quarantine(d, i, io->dirs.processing, name, name, id, EV_REJECTED,
                           "Die Datei wurde als Lieferung abgewiesen (vor einem Neustart); siehe den Bericht der Lieferung.");
                return true;
        }
        _cleanup_(freep) char *where = NULL;
        int ae = file_archive(&io->dirs, name, name, time(NULL), &where);
        if (ae < 0) {
                log_event(LOG_ERR, EV_PROBLEM, &f, "%s/%s: loaded as delivery %lld, but cannot move it to the archive %s: %s; "
                          "tried again in %d s", s->name, name, (long long) id, s->archive, strerror(-ae), MOVE_RETRY_SECONDS);
                move_failed(io);
                return true;
        }
        log_event(LOG_INFO, EV_LOADED, &f, "%s/%s: already loaded as delivery %lld before a restart or a failed move: "
                  "archived, no new delivery", s->name, name, (long long) id);
        remove_marker(s, io, name);
        return true;
}

/* Loads processing/name (delivered as delivered); afterwards the file is archived, in
 * quarantine, or still in processing to be taken again. */
static void process(struct daemon *d, size_t i, const char *name, const char *delivered) {
        const struct source_config *s = config_at(d, i);
        struct source_io *io = &d->io[i];
        struct log_fields f = LOG_FIELDS_INIT;
        f.source = s->name;
        f.file = delivered;
        notify_status(d, "loading %s/%s", s->name, delivered);

        _cleanup_(closep) int fd = file_open_claimed(&io->dirs, name);
        if (fd < 0) {
                quarantine_failed(d, i, io->dirs.processing, name, delivered, "Die Datei kann nicht gelesen werden (%s).",
                                  fd == -EINVAL ? "keine reguläre Datei" : strerror(-fd));
                return;
        }
        struct load_result res = {0};
        _cleanup_(freep) char *error = NULL;
        int e = source_load(d->conn, source_at(d, i), &stop_requested, fd, delivered, &res, &error);
        if (e < 0) {
                load_failed(d, i, name, delivered, e, error ? error : strerror(-e), &f);
                return;
        }
        load_committed(d, i, name, delivered, &res, &f);
        load_result_done(&res);
}

/*
 * Whether this instance works source i: the one holding its lock in PostgreSQL does, the
 * others stand by -- they claim no file, say so in STATUS=, and ask again every
 * STANDBY_SECONDS, so that they take over within seconds when the active one dies (its
 * session, and with it the lock, ends) or loses its connection.
 */
static bool source_active(struct daemon *d, size_t i, uint64_t now) {
        struct source_io *io = &d->io[i];
        if (io->active || now < io->standby_until)
                return io->active;
        const char *name = config_at(d, i)->name;
        _cleanup_(freep) char *error = NULL;
        bool got = false;
        if (source_try_active(d->conn, source_at(d, i), &got, &error) < 0) {
                if (PQstatus(d->conn) != CONNECTION_OK)
                        db_down(d, error ? error : "?");
                return false;
        }
        io->standby_until = now + (uint64_t) STANDBY_SECONDS * USEC_PER_SEC;
        if (got) {
                io->active = true;
                io->processing_pending = true;  /* what the instance before left behind */
                log_event(LOG_INFO, EV_PROBLEM, NULL, "source %s: this instance works it", name);
                notify_status(d, "waiting for files");
        } else
                notify_status(d, "standby: source %s is worked by another instance", name);
        return got;
}

/* Takes at most one file of source i; returns whether it did. */
static bool take_one(struct daemon *d, size_t i, uint64_t now) {
        struct source_io *io = &d->io[i];
        const struct source_config *s = config_at(d, i);
        if (!io->prepared || !source_active(d, i, now))
                return false;
        if (io->processing_pending && now >= io->processing_after) {
                _cleanup_(freep) char *left = first_in_processing(io->dirs.processing);
                if (left) {
                        if (!finish_left_over(d, i, left))
                                process(d, i, left, left);
                        return true;
                }
                io->processing_pending = false;
        }
        const char *name;
        enum watch_kind kind;
        if (watch_next(io->watch, now, &name, &kind) <= 0)
                return false;
        _cleanup_(freep) char *delivered = strdup(name);
        if (!delivered)
                return false;
        if (kind == WATCH_SYMLINK) {
                quarantine(d, i, io->dirs.drop, delivered, delivered, 0, EV_QUARANTINED,
                           "Ein symbolischer Link im Ablageverzeichnis wird nicht gelesen; bitte die Datei selbst ablegen.");
                return true;
        }
        _cleanup_(freep) char *claimed = NULL;
        int e = file_claim(&io->dirs, delivered, &claimed);
        if (e == -ENOENT)
                return true;
        if (e < 0) {
                struct log_fields f = LOG_FIELDS_INIT;
                f.source = s->name;
                f.file = delivered;
                log_event(LOG_ERR, EV_PROBLEM, &f, "%s/%s: cannot claim it: %s", s->name, delivered, strerror(-e));
                return true;
        }
        process(d, i, claimed, delivered);
        return true;
}

static void scan(struct daemon *d, size_t i, uint64_t now) {
        struct source_io *io = &d->io[i];
        const struct source_config *s = config_at(d, i);
        int e = watch_scan(io->watch, now);
        if (e < 0)
                log_event(LOG_ERR, EV_PROBLEM, NULL, "%s: cannot scan %s: %s", s->name, s->drop, strerror(-e));
        io->next_scan = now + (uint64_t) s->scan_interval * USEC_PER_SEC;
}

/* ---- reload: a new set of sources, swapped in whole or not at all ---- */

static int reload_build(struct daemon *d, struct source_set **ret, struct diaglist *diags) {
        _cleanup_(source_set_freep) struct source_set *fresh = NULL;
        int r = source_set_open(d->config_path, SOURCE_DAEMON, &fresh, diags);
        if (r < 0)
                return r;
        r = config_reload_check(d->set->cfg, fresh->cfg, diags);
        if (r < 0)
                return r;
        /* The file may list the sources in another order; each stays beside its directories. */
        source_set_order_like(fresh, d->set);
        *ret = TAKE_PTR(fresh);
        return 0;
}

static void reload(struct daemon *d) {
        uint64_t now = now_usec();
        sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long) now);
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        struct source_set *fresh = NULL;
        int e = reload_build(d, &fresh, &diags);
        if (e < 0) {
                log_diags(&diags);
                log_event(LOG_ERR, EV_RELOAD_FAILED, NULL, "%s: reload failed%s; the running configuration stays",
                          d->config_path, e == -ENOMEM ? " (out of memory)" : "");
        } else {
                source_set_free(d->set);
                d->set = fresh;
                for (size_t i = 0; i < d->nsources; i++) {
                        watch_set_options(d->io[i].watch, &source_at(d, i)->watch);
                        d->io[i].prepared = d->io[i].broken = false;
                }
                /* A new connection: a role's settings (statement_timeout, search_path) and a
                 * changed password take effect at connect only, and an operator who fixed
                 * one reloads. It prepares the sources of the new set as it connects. */
                if (d->db_ok) {
                        db_close(d->conn);
                        d->conn = NULL;
                        d->db_ok = false;
                        for (size_t i = 0; i < d->nsources; i++)
                                d->io[i].active = false;        /* the locks went with it */
                        db_connect_now(d);
                }
                log_event(LOG_INFO, EV_RELOADED, NULL, "%s: reloaded, %zu sources", d->config_path, d->nsources);
        }
        sd_notify(0, "READY=1");
        notify_status(d, "waiting for files");
}

/* ---- start, the loop, stop ---- */

static void daemon_done(struct daemon *d) {
        for (size_t i = 0; d->io && i < d->nsources; i++) {
                watch_free(d->io[i].watch);
                dirs_close(&d->io[i].dirs);
        }
        free(d->io);
        db_close(d->conn);
        source_set_free(d->set);
}

/* The directories of a source and the watch of its drop directory. */
static int source_io_open(const struct source *src, struct source_io *io, char **ret_error) {
        int e = dirs_open(src->config, &io->dirs, ret_error);
        if (e < 0)
                return e;
        return watch_new(io->dirs.drop, &src->watch, &io->watch);
}

/* Opens every source, the directories and watches; logs what failed. */
static int daemon_start(struct daemon *d) {
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        int e = source_set_open(d->config_path, SOURCE_DAEMON, &d->set, &diags);
        log_diags(&diags);
        if (e < 0) {
                log_event(LOG_ERR, EV_PROBLEM, NULL, "%s: cannot start: %s", d->config_path,
                          e == -EINVAL ? "the configuration or a rule pack has errors" : strerror(-e));
                return e;
        }
        d->nsources = d->set->n;
        d->io = calloc(d->nsources, sizeof(*d->io));
        e = d->io ? setup_signals() : -ENOMEM;
        if (e < 0) {
                log_event(LOG_ERR, EV_PROBLEM, NULL, "cannot start: %s", strerror(-e));
                return e;
        }
        for (size_t i = 0; i < d->nsources; i++)
                d->io[i].dirs = (struct source_dirs) {-1, -1, -1, -1, -1};
        for (size_t i = 0; i < d->nsources; i++) {
                const struct source *src = source_at(d, i);
                _cleanup_(freep) char *error = NULL;
                e = source_io_open(src, &d->io[i], &error);
                if (e < 0) {
                        log_event(LOG_ERR, EV_PROBLEM, NULL, "source %s: cannot start: %s", src->config->name,
                                  error ? error : strerror(-e));
                        return e;
                }
                d->io[i].processing_pending = true;     /* left over from a crash? */
                int reports = file_remove_stale_temporaries(d->io[i].dirs.reports);
                int reasons = file_remove_stale_temporaries(d->io[i].dirs.quarantine);
                if (reports > 0 || reasons > 0)
                        log_event(LOG_INFO, EV_PROBLEM, NULL,
                                  "source %s: removed %d temporary files a crash left (reports %d, quarantine %d)",
                                  src->config->name, (reports > 0 ? reports : 0) + (reasons > 0 ? reasons : 0),
                                  reports > 0 ? reports : 0, reasons > 0 ? reasons : 0);
        }
        return 0;
}

/* What a turn of the loop waits for: the wake pipe and every inotify descriptor, until
 * the earliest time something is due. At most one descriptor per source and the pipe:
 * the array is big enough for any configuration (CONFIG_MAX_SOURCES). */
struct wait {
        struct pollfd pfd[CONFIG_MAX_SOURCES + 1];
        nfds_t n;
        uint64_t wake;          /* CLOCK_MONOTONIC, µs */
        bool files_waiting;     /* files still being written, or in .processing */
};

/* Every source in turn, starting after the one that took the last file: events read,
 * scans when due, at most one file taken. Returns whether a file was taken. */
static bool sources_turn(struct daemon *d, uint64_t now, struct wait *w) {
        bool worked = false;
        for (size_t k = 0; k < d->nsources; k++) {
                size_t i = (d->next_source + k) % d->nsources;
                struct source_io *io = &d->io[i];
                int r = watch_read_events(io->watch, now);
                if (r > 0 || now >= io->next_scan)
                        scan(d, i, now);
                else if (r < 0)
                        log_event(LOG_ERR, EV_PROBLEM, NULL, "%s: inotify: %s", config_at(d, i)->name, strerror(-r));
                if (!worked && d->db_ok && !stop_requested && !reload_requested && take_one(d, i, now)) {
                        worked = true;
                        d->next_source = (i + 1) % d->nsources;
                }
                if (watch_fd(io->watch) >= 0)
                        w->pfd[w->n++] = (struct pollfd) {.fd = watch_fd(io->watch), .events = POLLIN};
                if (io->next_scan < w->wake)
                        w->wake = io->next_scan;
                w->files_waiting = w->files_waiting || watch_waiting(io->watch) > 0 || io->processing_pending;
        }
        return worked;
}

/* Sleeps in poll() until a descriptor or the wake pipe has something, or w->wake. */
static void sleep_until(struct daemon *d, uint64_t now, struct wait *w) {
        /* Files still being written are looked at again every second. */
        if (w->files_waiting && now + USEC_PER_SEC < w->wake)
                w->wake = now + USEC_PER_SEC;
        if (!d->db_ok && d->next_db_attempt < w->wake)
                w->wake = d->next_db_attempt;
        if (d->watchdog_usec && d->next_watchdog < w->wake)
                w->wake = d->next_watchdog;
        int timeout = w->wake > now ? (int) ((w->wake - now + 999) / 1000) : 0;
        if (poll(w->pfd, w->n, timeout) > 0 && (w->pfd[0].revents & POLLIN)) {
                char buf[64];
                while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
                        ;
        }
}

/* One turn of the loop: a reload, a reconnect, a file taken, or a wait. */
static void turn(struct daemon *d) {
        uint64_t now = now_usec();
        watchdog(d, now);
        if (reload_requested) {
                reload_requested = 0;
                reload(d);
                return;
        }
        if (!d->db_ok && now >= d->next_db_attempt) {
                db_connect_now(d);
                if (d->db_ok)
                        notify_status(d, "waiting for files");
        }
        struct wait w = {.wake = now + 60 * USEC_PER_SEC};
        w.pfd[w.n++] = (struct pollfd) {.fd = wake_pipe[0], .events = POLLIN};
        if (sources_turn(d, now, &w)) {
                if (d->db_ok)
                        notify_status(d, "waiting for files");
                return;
        }
        sleep_until(d, now, &w);
}

int run_daemon(const char *config_path) {
        log_open();
        _cleanup_(daemon_done) struct daemon d = {.config_path = config_path, .retry_seconds = RETRY_FIRST_SECONDS};
        if (daemon_start(&d) < 0)
                return 2;
        log_event(LOG_INFO, EV_STARTED, NULL, "plausid started with %s: %zu sources", config_path, d.nsources);
        /* Not refused: a test or a first try may well run as root. But the exports hold
         * personal data, and the service is meant to run as its own user. */
        if (geteuid() == 0)
                log_event(LOG_WARNING, EV_PROBLEM, NULL,
                          "running as root; the service runs as the unprivileged user plausid (plausid.service)");
        if (sd_watchdog_enabled(0, &d.watchdog_usec) <= 0)
                d.watchdog_usec = 0;

        db_connect_now(&d);
        uint64_t now = now_usec();
        for (size_t i = 0; i < d.nsources; i++)
                scan(&d, i, now);
        sd_notify(0, "READY=1");
        log_event(LOG_INFO, EV_READY, NULL, "ready%s", d.db_ok ? "" : " (the database is not reachable yet)");
        if (d.db_ok)
                notify_status(&d, "waiting for files");

        while (!stop_requested)
                turn(&d);
        sd_notify(0, "STOPPING=1\nSTATUS=stopping");
        log_event(LOG_INFO, EV_STOPPING, NULL, "stopping: %lu loaded, %lu rejected, %lu duplicates, %lu failed",
                  d.loaded, d.rejected, d.duplicates, d.failed);
        return 0;
}
