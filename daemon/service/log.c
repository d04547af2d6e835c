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

/* The length of the valid UTF-8 sequence at p that is no C1 control, 0 when there is
 * none (a stray continuation byte, a short or overlong sequence, a surrogate). */
static size_t utf8_printable(const unsigned char *p) {
        size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
        if (p[0] >= 0xf5)
                n = 0;
        uint32_t c = n == 2 ? p[0] & 0x1f : n == 3 ? p[0] & 0x0f : p[0] & 0x07;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (p[i] & 0x3f);
        }
        bool overlong = (n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff));
        bool bad = overlong || (c >= 0xd800 && c <= 0xdfff) || (n == 2 && c < 0xa0);
        return bad ? 0 : n;
}

char *log_escape(const char *s) {
        char *out = malloc(4 * strlen(s) + 1), *o = out;
        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = *p >= 0x80 ? utf8_printable(p) : 1;
                if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ') {
                        if (o > out && o[-1] != ' ')
                                *o++ = ' ';
                        p++;
                } else if (*p == '\\') {
                        o = stpcpy(o, "\\\\");
                        p++;
                } else if (n == 0 || *p < 0x20 || *p == 0x7f) {
                        o += sprintf(o, "\\x%02x", *p++);
                } else {
                        memcpy(o, p, n);
                        o += n;
                        p += n;
                }
        }
        while (o > out && o[-1] == ' ')
                o--;
        *o = '\0';
        return out;
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
