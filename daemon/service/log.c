/*
 * journald or stderr. See log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "escape.h"
#include "log.h"

/* One MESSAGE_ID per kind of event (made with systemd-id128 new), for journalctl
 * MESSAGE_ID=... and for alerts. */
static const char *const message_ids[_EV_MAX] = {
        [EV_STARTED] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f01",
        [EV_READY] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f02",
        [EV_STOPPING] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f03",
        [EV_RELOADED] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f04",
        [EV_RELOAD_FAILED] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f05",
        [EV_DATABASE_DOWN] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f06",
        [EV_DATABASE_UP] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f07",
        [EV_LOADED] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f08",
        [EV_DUPLICATE] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f09",
        [EV_REJECTED] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f0a",
        [EV_QUARANTINED] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f0b",
        [EV_FAILED] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f0c",
        [EV_DIAGNOSTIC] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f0d",
        [EV_PROBLEM] = "3b3e5b8b0c5c4f7f9a3e0d1c2b4a6f0e",
};

static bool to_journal;

void log_open(void) {
        const char *stream = getenv("JOURNAL_STREAM");
        struct stat st;
        unsigned long long dev, ino;
        to_journal = stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                     (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

char *log_escape(const char *s) {
        return text_escape(s, true);
}

/* The journal's fields of an event, each "NAME=value": message, priority, id, source,
 * file, delivery and four counts make ten at most. */
#define JOURNAL_FIELDS 10
struct journal_fields {
        char *items[JOURNAL_FIELDS];
        int n;
        bool nomem;
};

static void add_field(struct journal_fields *j, const char *fmt, ...) _printf_(2, 3);
static void add_field(struct journal_fields *j, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&j->items[j->n], fmt, ap) < 0) {
                j->items[j->n] = NULL;
                j->nomem = true;
        } else
                j->n++;
        va_end(ap);
}

static int journal_send(int priority, enum log_event ev, const struct log_fields *f, const char *message) {
        struct journal_fields j = {0};
        add_field(&j, "MESSAGE=%s", message);
        add_field(&j, "PRIORITY=%d", priority);
        add_field(&j, "MESSAGE_ID=%s", message_ids[ev]);
        if (f && f->source)
                add_field(&j, "PLAUSID_SOURCE=%s", f->source);
        if (f && f->file)
                add_field(&j, "PLAUSID_FILE=%s", f->file);
        if (f && f->delivery > 0)
                add_field(&j, "PLAUSID_DELIVERY=%lld", f->delivery);
        const struct {
                const char *name;
                long long v;
        } counts[] = {{"PLAUSID_RECORDS", f ? f->records : -1}, {"PLAUSID_LOADED", f ? f->loaded : -1},
                      {"PLAUSID_REJECTED", f ? f->rejected : -1}, {"PLAUSID_WARNED", f ? f->warned : -1}};
        for (size_t i = 0; i < ELEMENTSOF(counts); i++)
                if (counts[i].v >= 0)
                        add_field(&j, "%s=%lld", counts[i].name, counts[i].v);
        int r = -ENOMEM;
        if (!j.nomem) {
                struct iovec iov[JOURNAL_FIELDS];
                for (int i = 0; i < j.n; i++)
                        iov[i] = (struct iovec) {.iov_base = j.items[i], .iov_len = strlen(j.items[i])};
                r = sd_journal_sendv(iov, j.n);
        }
        for (int i = 0; i < j.n; i++)
                free(j.items[i]);
        return r;
}

void log_event(int priority, enum log_event ev, const struct log_fields *f, const char *fmt, ...) {
        _cleanup_(freep) char *message = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&message, fmt, ap) < 0)
                message = NULL;
        va_end(ap);
        /* Out of memory: the format alone, which holds no value, still says what happened. */
        _cleanup_(freep) char *escaped = message ? log_escape(message) : NULL;
        const char *text = escaped ? escaped : fmt;
        struct log_fields clean = f ? *f : (struct log_fields) LOG_FIELDS_INIT;
        _cleanup_(freep) char *source = f && f->source ? log_escape(f->source) : NULL;
        _cleanup_(freep) char *file = f && f->file ? log_escape(f->file) : NULL;
        clean.source = source ? source : f && f->source ? "?" : NULL;
        clean.file = file ? file : f && f->file ? "?" : NULL;
        if (!to_journal || journal_send(priority, ev, f ? &clean : NULL, text) < 0)
                fprintf(stderr, "plausid: %s\n", text);
}
