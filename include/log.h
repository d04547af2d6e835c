/*
 * The daemon's log: under systemd, journald entries with structured fields (MESSAGE_ID per
 * kind of event, PLAUSID_SOURCE, PLAUSID_FILE, PLAUSID_DELIVERY and counts), so that an
 * IT department can filter and alert on them; otherwise one line per event on stderr.
 * Only the main loop logs, and never a field value of a record: file names, line numbers,
 * rule ids and counts only (records are personal data).
 */
#ifndef PLAUSID_LOG_H
#define PLAUSID_LOG_H

#include <syslog.h>

#include "util.h"

enum log_event {
        EV_STARTED,
        EV_READY,
        EV_STOPPING,
        EV_RELOADED,
        EV_RELOAD_FAILED,
        EV_DATABASE_DOWN,
        EV_DATABASE_UP,
        EV_LOADED,
        EV_DUPLICATE,
        EV_REJECTED,            /* a delivery rejected as a whole: to quarantine */
        EV_QUARANTINED,         /* a file that could not be read or was refused */
        EV_FAILED,              /* a load failed; the file waits for the next attempt */
        EV_DIAGNOSTIC,          /* a configuration or rule pack error, file:line */
        EV_PROBLEM,             /* anything else worth an operator's eye */
        _EV_MAX,
};

struct log_fields {
        const char *source;
        const char *file;
        long long delivery;     /* 0: none */
        long long records, loaded, rejected, warned;    /* -1: not given */
};
#define LOG_FIELDS_INIT {.records = -1, .loaded = -1, .rejected = -1, .warned = -1}

/* A text for a log field, on one line and harmless to a terminal: line breaks and tabs
 * become one blank (runs of blanks one, none at the ends), every other control character
 * (C0, DEL, C1) and every byte that is not valid UTF-8 becomes \xNN, a backslash \\.
 * File names come from whoever writes into a drop directory (ESC sequences, BEL).
 * Returns a new string, NULL when out of memory. */
char *log_escape(const char *s);

/* Chooses journald when stderr is connected to it (JOURNAL_STREAM). */
void log_open(void);
void log_event(int priority, enum log_event ev, const struct log_fields *f, const char *fmt, ...) _printf_(4, 5);

#endif
