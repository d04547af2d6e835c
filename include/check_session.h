/*
 * A check session: what `plausid check` does with its inputs, without a database. Each
 * input is read once by the checker into the sinks the options ask for -- the counts of
 * the summary, the --rejects CSV (one file for all inputs, which appears whole when the
 * session ends, or not at all), the --report HTML of the input with its findings CSV
 * beside it -- and comes back as a typed result, a failure as the step that failed, for
 * the command line to print. Records that a rule decided at the end of the file (an
 * overlap) rejected get their text from the checker's second pass over the input
 * (checker_on_late_record()); there is no other.
 *
 * Named check_session, not check: the engine has a private check.h.
 */
#ifndef PLAUSID_CHECK_SESSION_H
#define PLAUSID_CHECK_SESSION_H

#include <stdbool.h>

#include "checker.h"
#include "ruleset.h"
#include "util.h"

struct check_options {
        const char *rejects_path;       /* --rejects: every finding of every input; NULL: none */
        const char *report_path;        /* --report: the HTML report of an input (the CSV beside it); NULL: none */
        int report_gid;                 /* --group: the group of the report's files; -1: the process's */
        unsigned report_records;        /* --max-records: rejected records shown with their text */
        enum checker_format format;     /* --format: every input's; AUTO: each one's own */
        int berichtsjahr;               /* --berichtsjahr: a fixed-width input's; 0: from its name */
};

/* The step that failed; each comes with its own message on the command line. */
enum check_step {
        CHECK_STEP_OPEN,                /* the input cannot be opened */
        CHECK_STEP_NOT_FILE,            /* the input is a directory, a FIFO, a device: not a regular file */
        CHECK_STEP_SETUP,               /* the session or the report cannot be set up */
        CHECK_STEP_CREATE,              /* a file to write (--rejects, the report's CSV) cannot be created */
        CHECK_STEP_FINDINGS,            /* a finding cannot be written */
        CHECK_STEP_READ,                /* the input cannot be read (or checked: out of memory) */
        CHECK_STEP_WRITE_REPORT,        /* the report cannot be written */
        CHECK_STEP_WRITE,               /* the --rejects file cannot be completed */
};

struct check_failure {
        enum check_step step;
        const char *path;               /* the file concerned; valid while the session is */
        int error;                      /* a negative errno */
};

/* What one input came to; valid until the next input or the end of the session. */
struct check_result {
        const char *name;                       /* the input's base name, as findings name it */
        const struct checker_stats *stats;      /* counts per record and per rule */
        const char *unknown_columns;            /* columns that no field claims, or NULL */
        const char *encoding;                   /* the encoding the input turned out to have */
};

struct check_session;

/*
 * Whether writing the report at report_path (or its CSV) would overwrite the input: 1 when
 * it would, 0 when not, -ENOMEM. Asked before anything else, so that nothing is compiled
 * or created for a command that cannot be carried out.
 */
_must_check_ int check_report_overwrites(const char *report_path, const char *input);

/* Begins a session with the pack rs (it must outlive the session); creates the --rejects
 * file (under a temporary name). */
_must_check_ int check_session_new(const struct ruleset *rs, const struct check_options *o,
                                   struct check_session **ret, struct check_failure *ret_failure);
/* Removes whatever the session did not complete: a failed session leaves no file behind. */
void check_session_free(struct check_session *s);
DEFINE_CLEANUP_FUNC(struct check_session, check_session_free)

/* Checks one input: its findings into the --rejects CSV and, with --report, into the
 * report (written by check_session_write_report()). */
_must_check_ int check_session_file(struct check_session *s, const char *path, struct check_result *ret,
                                    struct check_failure *ret_failure);
/* With --report: writes the report of the input just checked, the findings CSV beside it
 * first. Without, nothing. */
_must_check_ int check_session_write_report(struct check_session *s, struct check_failure *ret_failure);
/* Completes the --rejects file, with the findings of every input checked (also of those
 * that failed half-way). */
_must_check_ int check_session_finish(struct check_session *s, struct check_failure *ret_failure);

#endif
