/*
 * journald or stderr. See log.h.
 */
#include <stdarg.h>
#include <stdbool.h>
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

void log_event(int priority, enum log_event ev, const struct log_fields *f, const char *fmt, ...) {
        char message[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
        /* One event, one line: libpq's messages bring their own line breaks. */
        char *out = message;
        for (const char *p = message; *p; p++) {
                char c = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
                if (c == ' ' && (out == message || out[-1] == ' '))
                        continue;
                *out++ = c;
        }
        while (out > message && out[-1] == ' ')
                out--;
        *out = '\0';
        if (!to_journal) {
                fprintf(stderr, "plausid: %s\n", message);
                return;
        }
        /* Every field as "NAME=value"; only those given. */
        char fields[10][2100];
        int n = 0;
        snprintf(fields[n++], sizeof(fields[0]), "MESSAGE=%s", message);
        snprintf(fields[n++], sizeof(fields[0]), "PRIORITY=%d", priority);
        snprintf(fields[n++], sizeof(fields[0]), "MESSAGE_ID=%s", message_ids[ev]);
        if (f && f->source)
                snprintf(fields[n++], sizeof(fields[0]), "PLAUSID_SOURCE=%s", f->source);
        if (f && f->file)
                snprintf(fields[n++], sizeof(fields[0]), "PLAUSID_FILE=%s", f->file);
        if (f && f->delivery > 0)
                snprintf(fields[n++], sizeof(fields[0]), "PLAUSID_DELIVERY=%lld", f->delivery);
        const struct {
                const char *name;
                long long v;
        } counts[] = {{"PLAUSID_RECORDS", f ? f->records : -1}, {"PLAUSID_LOADED", f ? f->loaded : -1},
                      {"PLAUSID_REJECTED", f ? f->rejected : -1}, {"PLAUSID_WARNED", f ? f->warned : -1}};
        for (size_t i = 0; i < ELEMENTSOF(counts); i++)
                if (counts[i].v >= 0)
                        snprintf(fields[n++], sizeof(fields[0]), "%s=%lld", counts[i].name, counts[i].v);
        struct iovec iov[10];
        for (int i = 0; i < n; i++)
                iov[i] = (struct iovec) {.iov_base = fields[i], .iov_len = strlen(fields[i])};
        if (sd_journal_sendv(iov, n) < 0)
                fprintf(stderr, "plausid: %s\n", message);
}
