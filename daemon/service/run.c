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
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "diag.h"
#include "digest.h"
#include "files.h"
#include "htmlreport.h"
#include "loader.h"
#include "log.h"
#include "report_db.h"
#include "run.h"
#include "ruleset.h"
#include "schema.h"
#include "table.h"
#include "watch.h"

#define RETRY_FIRST_SECONDS 1
#define RETRY_MAX_SECONDS 60
#define FILE_ATTEMPTS 3
#define MOVE_RETRY_SECONDS 60   /* after a file could not be archived or put in quarantine */         /* server errors on a live connection before a file is quarantined */

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
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* ---- the state a reload replaces: configuration and compiled rule packs ---- */

struct source_rules {
        struct ruleset *rs;
        struct table *table;
        char pack_sha[DIGEST_HEX_LEN + 1];
        bool prepared;          /* its table and views are ready on the current connection */
        bool broken;            /* preparing them failed: its files wait for a reload */
        int report_gid;         /* report_group, or -1 */
};

struct state {
        struct config *cfg;
        struct source_rules *src;       /* one per cfg->sources */
};

static void state_free(struct state *st) {
        if (!st)
                return;
        for (size_t i = 0; st->cfg && i < st->cfg->nsources; i++) {
                table_free(st->src[i].table);
                ruleset_free(st->src[i].rs);
        }
        free(st->src);
        config_free(st->cfg);
        free(st);
}
DEFINE_CLEANUP_FUNC(struct state, state_free)

/* Reads the configuration and compiles every pack; every error goes to diags. */
static int state_build(const char *config_path, bool daemon, struct state **ret, struct diaglist *diags) {
        _cleanup_(state_freep) struct state *st = calloc(1, sizeof(*st));
        if (!st)
                return -ENOMEM;
        int e = config_load_file(config_path, &st->cfg, diags);
        if (e < 0)
                return e;
        st->src = calloc(st->cfg->nsources, sizeof(*st->src));
        if (!st->src)
                return -ENOMEM;
        int r = 0;
        for (size_t i = 0; i < st->cfg->nsources; i++) {
                const struct source_config *s = &st->cfg->sources[i];
                struct source_rules *sr = &st->src[i];
                if (daemon && (e = config_source_require_dirs(s, diags, st->cfg->path)) < 0)
                        r = e;
                e = ruleset_compile_file(s->rules, &sr->rs, diags);
                if (e >= 0)
                        e = digest_file(s->rules, sr->pack_sha);
                if (e >= 0)
                        e = table_new(sr->rs, &sr->table);
                sr->report_gid = -1;
                if (s->report_group && htmlreport_group_id(s->report_group, &sr->report_gid) < 0) {
                        if (diaglist_add(diags, st->cfg->path, s->line, s->col, "source '%s': report_group: no group named '%s'",
                                         s->name, s->report_group) < 0)
                                return -ENOMEM;
                        r = -EINVAL;
                }
                if (e == -ENOMEM)
                        return e;
                if (e < 0) {
                        if (e != -EINVAL && diaglist_add(diags, s->rules, 0, 0, "%s", strerror(-e)) < 0)
                                return -ENOMEM;
                        r = -EINVAL;
                }
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(st);
        return 0;
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

/* What lives as long as the process: directories and watches need a restart to change. */
struct source_io {
        struct source_dirs dirs;
        struct watch *watch;
        uint64_t next_scan;
        bool processing_pending;        /* files in .processing wait to be taken again */
        uint64_t processing_after;      /* ... not before this time */
        unsigned attempts;              /* failed attempts at the file in .processing */
};

struct daemon {
        const char *config_path;
        struct state *state;
        struct source_io *io;
        size_t nsources;
        size_t next_source;             /* round robin between sources */
        PGconn *conn;
        bool db_ok;
        unsigned retry_seconds;
        uint64_t next_db_attempt;
        char db_error[256];
        uint64_t watchdog_usec, next_watchdog;
        unsigned long loaded, rejected, duplicates, failed;
        char status[512];
};

static void notify_status(struct daemon *d, const char *fmt, ...) _printf_(2, 3);
static void notify_status(struct daemon *d, const char *fmt, ...) {
        char doing[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(doing, sizeof(doing), fmt, ap);
        va_end(ap);
        snprintf(d->status, sizeof(d->status), "%s; %lu loaded, %lu rejected, %lu duplicates, %lu failed", doing,
                 d->loaded, d->rejected, d->duplicates, d->failed);
        sd_notifyf(0, "STATUS=%s", d->status);
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
                d->state->src[i].prepared = false;
        snprintf(d->db_error, sizeof(d->db_error), "%s", why);
        d->next_db_attempt = now_usec() + (uint64_t) d->retry_seconds * 1000000u;
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
        const struct config *cfg = d->state->cfg;
        for (size_t i = 0; i < d->nsources; i++) {
                struct source_rules *sr = &d->state->src[i];
                if (sr->prepared || sr->broken)
                        continue;
                _cleanup_(freep) char *error = NULL;
                bool skipped = false;
                int e = schema_prepare_dataset(d->conn, cfg->schema, sr->rs, sr->table, cfg->sources[i].rules,
                                               sr->pack_sha, &skipped, &error);
                if (e < 0 && PQstatus(d->conn) != CONNECTION_OK) {
                        db_down(d, error ? error : strerror(-e));
                        return -EIO;
                }
                if (e < 0) {
                        struct log_fields f = LOG_FIELDS_INIT;
                        f.source = cfg->sources[i].name;
                        log_event(LOG_ERR, EV_PROBLEM, &f,
                                  "%s: cannot prepare the table of %s: %s; its files wait until a reload (SIGHUP) "
                                  "brings a fix",
                                  cfg->sources[i].name, ruleset_name(sr->rs), error ? error : strerror(-e));
                        sr->broken = true;
                        continue;
                }
                sr->prepared = true;
        }
        return 0;
}

static void db_connect_now(struct daemon *d) {
        _cleanup_(freep) char *error = NULL;
        int e = db_connect(d->state->cfg->conninfo, &d->conn, &error);
        if (e >= 0)
                e = schema_migrate(d->conn, d->state->cfg->schema, &error);
        if (e < 0) {
                db_down(d, error ? error : strerror(-e));
                return;
        }
        d->db_ok = true;
        if (prepare_sources(d) < 0)
                return;
        d->retry_seconds = RETRY_FIRST_SECONDS;
        log_event(LOG_INFO, EV_DATABASE_UP, NULL, "database connected, schema %s ready", d->state->cfg->schema);
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
        io->processing_after = now_usec() + (uint64_t) MOVE_RETRY_SECONDS * 1000000u;
}

static void remove_marker(const struct source_config *s, const struct source_io *io, const char *name) {
        if (!s->done_marker)
                return;
        char marker[NAME_MAX + 8];
        snprintf(marker, sizeof(marker), "%s.done", name);
        (void) unlinkat(io->dirs.drop, marker, 0);
}

static void quarantine(struct daemon *d, size_t i, int dir, const char *name, const char *delivered,
                       long long delivery, enum log_event ev, const char *reason) {
        const struct source_config *s = &d->state->cfg->sources[i];
        struct source_io *io = &d->io[i];
        char text[2048];
        time_t t = time(NULL);
        struct tm tm;
        char when[32];
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%d.%m.%Y %H:%M", &tm);
        if (delivery > 0)
                snprintf(text, sizeof(text),
                         "Die Datei %s (Quelle %s) wurde am %s als Lieferung %lld registriert und als Ganzes "
                         "abgewiesen; nichts von ihr wurde geladen.\nGrund: %s\nDie Befunde stehen in der Tabelle "
                         "%s.findings (delivery_id = %lld).",
                         delivered, s->name, when, delivery, reason, d->state->cfg->schema, delivery);
        else
                snprintf(text, sizeof(text), "Die Datei %s (Quelle %s) wurde am %s nicht geladen.\nGrund: %s",
                         delivered, s->name, when, reason);
        _cleanup_(freep) char *where = NULL;
        struct log_fields f = LOG_FIELDS_INIT;
        f.source = s->name;
        f.file = delivered;
        f.delivery = delivery;
        int e = file_quarantine(&io->dirs, dir, name, delivered, text, &where);
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

/* The controller's report of a committed delivery, in the source's reports directory. A
 * failure costs only the report: the delivery stands, and `plausid report --delivery`
 * can write it later. */
static void write_report(struct daemon *d, size_t i, long long delivery, const struct log_fields *f) {
        const struct source_config *s = &d->state->cfg->sources[i];
        _cleanup_(freep) char *path = NULL;
        _cleanup_(freep) char *error = NULL;
        int e = report_delivery_from_db(d->conn, d->state->cfg->schema, d->state->src[i].rs, delivery, s->reports,
                                        d->state->src[i].report_gid, s->report_records, &path, &error);
        if (e < 0)
                log_event(LOG_WARNING, EV_PROBLEM, f, "%s/%s: delivery %lld: no report written: %s", s->name, f->file,
                          delivery, error ? error : strerror(-e));
}

/* Loads processing/name (delivered as delivered); afterwards the file is archived, in
 * quarantine, or still in processing to be taken again. */
static void process(struct daemon *d, size_t i, const char *name, const char *delivered) {
        const struct source_config *s = &d->state->cfg->sources[i];
        struct source_rules *sr = &d->state->src[i];
        struct source_io *io = &d->io[i];
        struct log_fields f = LOG_FIELDS_INIT;
        f.source = s->name;
        f.file = delivered;
        notify_status(d, "loading %s/%s", s->name, delivered);

        _cleanup_(closep) int fd = file_open_claimed(&io->dirs, name);
        if (fd < 0) {
                char reason[256];
                snprintf(reason, sizeof(reason), "Die Datei kann nicht gelesen werden (%s).",
                         fd == -EINVAL ? "keine reguläre Datei" : strerror(-fd));
                quarantine(d, i, io->dirs.processing, name, delivered, 0, EV_QUARANTINED, reason);
                d->failed++;
                return;
        }
        struct loader_options o = {.schema = d->state->cfg->schema, .source = s->name, .redelivery = s->redelivery,
                                   .max_reject_share = s->max_reject_share, .pack_sha256 = sr->pack_sha,
                                   .cancel = &stop_requested};
        struct load_result res = {0};
        _cleanup_(freep) char *error = NULL;
        int e = loader_load(d->conn, sr->rs, sr->table, &o, fd, delivered, &res, &error);
        if (e < 0) {
                const char *why = error ? error : strerror(-e);
                io->processing_pending = true;
                if (e == -ECANCELED) {
                        log_event(LOG_NOTICE, EV_FAILED, &f,
                                  "%s/%s: stopped in the middle, rolled back; taken again at the next start", s->name,
                                  delivered);
                } else if (PQstatus(d->conn) != CONNECTION_OK) {
                        log_event(LOG_WARNING, EV_FAILED, &f, "%s/%s: not loaded, the database went away (%s); taken again",
                                  s->name, delivered, why);
                        db_down(d, why);
                } else if (e == -EIO && ++io->attempts < FILE_ATTEMPTS) {
                        /* The server refused something on a live connection: perhaps passing
                         * (a lock, a full disk), so the file is tried again a few times. */
                        log_event(LOG_WARNING, EV_FAILED, &f, "%s/%s: not loaded (attempt %u of %u): %s", s->name,
                                  delivered, io->attempts, FILE_ATTEMPTS, why);
                        io->processing_after = now_usec() + (uint64_t) io->attempts * 5000000u;
                } else {
                        char reason[768];
                        snprintf(reason, sizeof(reason), "Die Datei konnte nicht geladen werden: %s", why);
                        quarantine(d, i, io->dirs.processing, name, delivered, 0, EV_QUARANTINED, reason);
                        io->attempts = 0;
                        d->failed++;
                }
                return;
        }
        io->attempts = 0;
        f.delivery = res.delivery_id;
        f.records = (long long) res.records;
        f.loaded = (long long) res.loaded;
        f.rejected = (long long) res.rejected;
        f.warned = (long long) res.warned;
        write_report(d, i, res.delivery_id, &f);
        if (res.status == LOAD_REJECTED) {
                d->rejected++;
                quarantine(d, i, io->dirs.processing, name, delivered, res.delivery_id, EV_REJECTED, res.reason);
                load_result_done(&res);
                return;
        }
        _cleanup_(freep) char *where = NULL;
        int ae = file_archive(&io->dirs, name, delivered, time(NULL), &where);
        if (res.status == LOAD_DUPLICATE) {
                d->duplicates++;
                log_event(LOG_INFO, EV_DUPLICATE, &f, "%s/%s: duplicate of delivery %lld, recorded as delivery %lld, skipped",
                          s->name, delivered, res.duplicate_of, res.delivery_id);
        } else {
                d->loaded++;
                log_event(LOG_INFO, EV_LOADED, &f,
                          "%s/%s: loaded as delivery %lld: %lu records, %lu loaded, %lu rejected, %lu with warnings, "
                          "%lu findings%s; report delivery-%lld.html",
                          s->name, delivered, res.delivery_id, res.records, res.loaded, res.rejected, res.warned,
                          res.findings, res.superseded ? "; replaced earlier deliveries" : "", res.delivery_id);
        }
        if (ae < 0) {
                /* Committed but not moved: it stays in processing and, taken again, is a
                 * recorded duplicate. */
                log_event(LOG_ERR, EV_PROBLEM, &f, "%s/%s: loaded, but cannot move it to the archive %s: %s; tried again in %d s",
                          s->name, delivered, s->archive, strerror(-ae), MOVE_RETRY_SECONDS);
                move_failed(io);
        } else
                remove_marker(s, io, delivered);
        load_result_done(&res);
}

/* Takes at most one file of source i; returns whether it did. */
static bool take_one(struct daemon *d, size_t i, uint64_t now) {
        struct source_io *io = &d->io[i];
        const struct source_config *s = &d->state->cfg->sources[i];
        if (!d->state->src[i].prepared)
                return false;
        if (io->processing_pending && now >= io->processing_after) {
                _cleanup_(freep) char *left = first_in_processing(io->dirs.processing);
                if (left) {
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
        const struct source_config *s = &d->state->cfg->sources[i];
        int e = watch_scan(io->watch, now);
        if (e < 0)
                log_event(LOG_ERR, EV_PROBLEM, NULL, "%s: cannot scan %s: %s", s->name, s->drop, strerror(-e));
        io->next_scan = now + (uint64_t) s->scan_interval * 1000000u;
}

static void reload(struct daemon *d) {
        uint64_t now = now_usec();
        sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long) now);
        struct diaglist diags = {0};
        struct state *fresh = NULL;
        int e = state_build(d->config_path, true, &fresh, &diags);
        if (e >= 0)
                e = config_reload_check(d->state->cfg, fresh->cfg, &diags);
        if (e < 0) {
                log_diags(&diags);
                log_event(LOG_ERR, EV_RELOAD_FAILED, NULL, "%s: reload failed%s; the running configuration stays",
                          d->config_path, e == -ENOMEM ? " (out of memory)" : "");
                state_free(fresh);
        } else {
                state_free(d->state);
                d->state = fresh;
                for (size_t i = 0; i < d->nsources; i++) {
                        const struct source_config *s = &fresh->cfg->sources[i];
                        struct watch_options wo = {.mode = s->watch, .stable_seconds = s->stable_seconds,
                                                   .done_marker = s->done_marker};
                        watch_set_options(d->io[i].watch, &wo);
                }
                if (d->db_ok)
                        (void) prepare_sources(d);
                log_event(LOG_INFO, EV_RELOADED, NULL, "%s: reloaded, %zu sources", d->config_path, d->nsources);
        }
        diaglist_done(&diags);
        sd_notify(0, "READY=1");
        notify_status(d, "waiting for files");
}

static void daemon_done(struct daemon *d) {
        for (size_t i = 0; d->io && i < d->nsources; i++) {
                watch_free(d->io[i].watch);
                dirs_close(&d->io[i].dirs);
        }
        free(d->io);
        db_close(d->conn);
        state_free(d->state);
}

int run_daemon(const char *config_path) {
        log_open();
        struct daemon d = {.config_path = config_path, .retry_seconds = RETRY_FIRST_SECONDS};
        struct diaglist diags = {0};
        int e = state_build(config_path, true, &d.state, &diags);
        log_diags(&diags);
        diaglist_done(&diags);
        if (e < 0) {
                log_event(LOG_ERR, EV_PROBLEM, NULL, "%s: cannot start: %s", config_path,
                          e == -EINVAL ? "the configuration or a rule pack has errors" : strerror(-e));
                return 2;
        }
        d.nsources = d.state->cfg->nsources;
        d.io = calloc(d.nsources, sizeof(*d.io));
        if (!d.io || setup_signals() < 0) {
                log_event(LOG_ERR, EV_PROBLEM, NULL, "cannot start: %s", strerror(errno));
                daemon_done(&d);
                return 2;
        }
        for (size_t i = 0; i < d.nsources; i++) {
                const struct source_config *s = &d.state->cfg->sources[i];
                struct source_io *io = &d.io[i];
                io->dirs = (struct source_dirs) {-1, -1, -1, -1, -1};
                _cleanup_(freep) char *error = NULL;
                struct watch_options wo = {.mode = s->watch, .stable_seconds = s->stable_seconds,
                                           .done_marker = s->done_marker};
                e = dirs_open(s, &io->dirs, &error);
                if (e >= 0)
                        e = watch_new(io->dirs.drop, &wo, &io->watch);
                if (e < 0) {
                        log_event(LOG_ERR, EV_PROBLEM, NULL, "source %s: cannot start: %s", s->name,
                                  error ? error : strerror(-e));
                        daemon_done(&d);
                        return 2;
                }
                io->processing_pending = true;  /* left over from a crash? */
        }
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

        while (!stop_requested) {
                now = now_usec();
                watchdog(&d, now);
                if (reload_requested) {
                        reload_requested = 0;
                        reload(&d);
                        continue;
                }
                if (!d.db_ok && now >= d.next_db_attempt) {
                        db_connect_now(&d);
                        if (d.db_ok)
                                notify_status(&d, "waiting for files");
                }
                struct pollfd pfd[CONFIG_MAX_SOURCES + 1];
                nfds_t n = 0;
                pfd[n++] = (struct pollfd) {.fd = wake_pipe[0], .events = POLLIN};
                uint64_t wake = now + 60 * 1000000u;
                bool worked = false, waiting = false;
                for (size_t k = 0; k < d.nsources; k++) {
                        size_t i = (d.next_source + k) % d.nsources;
                        struct source_io *io = &d.io[i];
                        int r = watch_read_events(io->watch, now);
                        if (r > 0 || now >= io->next_scan)
                                scan(&d, i, now);
                        else if (r < 0)
                                log_event(LOG_ERR, EV_PROBLEM, NULL, "%s: inotify: %s",
                                          d.state->cfg->sources[i].name, strerror(-r));
                        if (!worked && d.db_ok && !stop_requested && !reload_requested && take_one(&d, i, now)) {
                                worked = true;
                                d.next_source = (i + 1) % d.nsources;
                        }
                        if (watch_fd(io->watch) >= 0)
                                pfd[n++] = (struct pollfd) {.fd = watch_fd(io->watch), .events = POLLIN};
                        if (io->next_scan < wake)
                                wake = io->next_scan;
                        waiting = waiting || watch_waiting(io->watch) > 0 || io->processing_pending;
                }
                if (worked) {
                        if (d.db_ok)
                                notify_status(&d, "waiting for files");
                        continue;
                }
                /* Files still being written are looked at again every second. */
                if (waiting && now + 1000000u < wake)
                        wake = now + 1000000u;
                if (!d.db_ok && d.next_db_attempt < wake)
                        wake = d.next_db_attempt;
                if (d.watchdog_usec && d.next_watchdog < wake)
                        wake = d.next_watchdog;
                int timeout = wake > now ? (int) ((wake - now + 999) / 1000) : 0;
                if (poll(pfd, n, timeout) > 0 && (pfd[0].revents & POLLIN)) {
                        char buf[64];
                        while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
                                ;
                }
        }
        sd_notify(0, "STOPPING=1\nSTATUS=stopping");
        log_event(LOG_INFO, EV_STOPPING, NULL, "stopping: %lu loaded, %lu rejected, %lu duplicates, %lu failed",
                  d.loaded, d.rejected, d.duplicates, d.failed);
        daemon_done(&d);
        return 0;
}

int run_config_check(const char *config_path) {
        struct diaglist diags = {.limit = 1000};
        struct state *st = NULL;
        int e = state_build(config_path, true, &st, &diags);
        diaglist_print(&diags, stderr);
        diaglist_done(&diags);
        if (e < 0) {
                fprintf(stderr, "%s: %s\n", config_path,
                        e == -EINVAL ? "the configuration or a rule pack has errors" : strerror(-e));
                return 1;
        }
        printf("%s: configuration ok, %zu source%s\n", config_path, st->cfg->nsources, st->cfg->nsources == 1 ? "" : "s");
        for (size_t i = 0; i < st->cfg->nsources; i++)
                printf("  %s: %s (%s %s, %u rules)\n", st->cfg->sources[i].name, st->cfg->sources[i].rules,
                       ruleset_name(st->src[i].rs), ruleset_version(st->src[i].rs), ruleset_rule_count(st->src[i].rs));
        state_free(st);
        return 0;
}
