/*
 * A delivery's report for controllers: one self-contained German HTML file (summary,
 * findings per rule with a bar chart, per field, per value of the pack's grouping field,
 * the findings about the whole file and the rejected records with their original text).
 *
 * A report is collected in an opaque struct htmlreport, filled either while `plausid
 * check` reads a file (htmlreport_add_finding, htmlreport_add_record) or from the database
 * (report_db.h); rendering does not care which. The header and the summary are set whole,
 * with htmlreport_set_header and htmlreport_set_summary; every string is copied.
 *
 * The files hold personal data: they are created with mode 0640 (and a chosen group),
 * under a temporary name in the same directory, and renamed when complete, so that nobody
 * ever sees half a report. Nothing here logs; failures come back as a negative errno.
 */
#ifndef PLAUSID_HTMLREPORT_H
#define PLAUSID_HTMLREPORT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "checker.h"
#include "ruleset.h"
#include "util.h"

/* Rejected records shown with their text when nobody says otherwise. */
#define HTMLREPORT_DEFAULT_MAX_RECORDS 500u

/* What became of the delivery. */
enum htmlreport_verdict {
        HTMLREPORT_CHECKED,             /* plausid check: checked, not loaded */
        HTMLREPORT_LOADED,
        HTMLREPORT_REJECTED,            /* rejected as a whole (reason says why) */
        HTMLREPORT_DUPLICATE,           /* the same content was loaded before */
        HTMLREPORT_SUPERSEDED,          /* loaded, later replaced by a newer delivery */
};

/* The report's header: what was delivered. NULL strings are shown as nothing. */
struct htmlreport_header {
        const char *file;               /* the export's base name */
        const char *source;             /* the configuration's source; NULL for plausid check */
        long long delivery_id;          /* 0: not from the database */
        time_t received;                /* when the file arrived (its modification time); 0: unknown */
        time_t loaded_at;               /* 0: not loaded */
        const char *sha256;
        const char *rules_name, *rules_version;
        const char *encoding;           /* NULL when unknown */
        const char *csv_name;           /* the findings CSV beside the report, for a link; NULL: none */
};

/* The report's summary: what became of the records. */
struct htmlreport_summary {
        unsigned long records, loaded, rejected, warned;
        enum htmlreport_verdict verdict;
        const char *reason;             /* German; NULL for none */
};

struct htmlreport;

/* rs, if not NULL, names the rules and fields (titles, labels) and must outlive the
 * report. max_records 0: HTMLREPORT_DEFAULT_MAX_RECORDS. */
_must_check_ int htmlreport_new(const struct ruleset *rs, unsigned max_records, struct htmlreport **ret);
void htmlreport_free(struct htmlreport *r);
DEFINE_CLEANUP_FUNC(struct htmlreport, htmlreport_free)

/* Replace the header or the summary as a whole; the strings are copied. */
_must_check_ int htmlreport_set_header(struct htmlreport *r, const struct htmlreport_header *h);
_must_check_ int htmlreport_set_summary(struct htmlreport *r, const struct htmlreport_summary *s);

/*
 * The report counts records and findings per value of the pack's field `field` (the pack's
 * report group, ruleset_report_group) and names the section by the field's label. Needs
 * the pack (htmlreport_new); call it before the first record.
 */
_must_check_ int htmlreport_group_by(struct htmlreport *r, unsigned field);

/*
 * Counts one finding (per rule, per field, for the group of its record) and keeps it when
 * it concerns the file or one of the first max_records rejected records. Findings of a
 * record come before the record itself (htmlreport_add_record), as the checker reports
 * them; later ones (overlaps) are attributed to the record they name.
 */
_must_check_ int htmlreport_add_finding(struct htmlreport *r, const struct finding *f);
/*
 * One record has been checked: its value of the grouping field, counted when the report
 * groups (NULL: none given), and its original text when it was rejected (raw NULL
 * otherwise).
 */
_must_check_ int htmlreport_add_record(struct htmlreport *r, unsigned long line, const char *group, size_t group_len,
                                       const char *raw, size_t raw_len);
/* Sets the text of a kept rejected record; does nothing for a line not kept. */
_must_check_ int htmlreport_set_raw(struct htmlreport *r, unsigned long line, const char *raw, size_t len);
/* The kept rejected records whose text is missing (rejected at the end of the file), as a
 * sorted malloc'd array of lines; *ret NULL and *ret_n 0 when there are none. */
_must_check_ int htmlreport_missing_raw(struct htmlreport *r, unsigned long **ret, size_t *ret_n);

/* Writes the report as HTML to out. Ends the collecting: nothing may be added afterwards. */
_must_check_ int htmlreport_render(struct htmlreport *r, FILE *out);
/* Renders the report into the file path: mode 0640, group gid (-1: the process's). */
_must_check_ int htmlreport_write(struct htmlreport *r, const char *path, int gid);

/* The group id for a group name or number (--group, report_group); -ENOENT when the
 * system has no such group. */
_must_check_ int htmlreport_group_id(const char *name, int *ret_gid);

/* "OUT.csv" for "OUT.html" (or "OUT.htm"); for any other name the name plus ".csv".
 * NULL when out of memory. */
char *htmlreport_csv_path(const char *html_path);

#endif
