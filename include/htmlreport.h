/*
 * Reports for controllers: one self-contained German HTML file per delivery (summary,
 * findings per rule with a bar chart, per field, per Sozialraum, the file-level findings
 * and the rejected records with their original text), the findings CSV beside it, and an
 * overview over time. Everything a report shows is in one struct htmlreport, filled either
 * while `plausid check` reads a file or from the database after `plausid load`; rendering
 * does not care which.
 *
 * The files hold personal data: they are created with mode 0640 (and a chosen group),
 * under a temporary name in the same directory, and renamed when complete, so that nobody
 * ever sees half a report. Nothing here logs; failures come back as a negative errno and,
 * where a database is involved, a message.
 */
#ifndef PLAUSID_HTMLREPORT_H
#define PLAUSID_HTMLREPORT_H

#include <fcntl.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "atomicfile.h"
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

/* Findings of one rule. */
struct htmlreport_rule {
        const char *id;
        const char *title;              /* German; "" when the pack is not at hand */
        enum severity severity;
        unsigned long findings;
        unsigned long records;          /* records concerned (0 for findings about the file) */
        unsigned long last_line;        /* internal: the last record counted */
};

/* Findings of one field. */
struct htmlreport_field {
        const char *name;
        const char *label;              /* German; "" when unknown */
        unsigned long errors, warnings, file;
};

/* Records of one Sozialraum. */
struct htmlreport_group {
        const char *name;               /* "" = no Sozialraum given */
        unsigned long records, rejected, warned, findings;
};

/* One finding, as the report keeps it (copied into the report's arena). */
struct htmlreport_finding {
        struct finding f;
        struct htmlreport_finding *next;
};

/* One rejected record with every finding about it. */
struct htmlreport_record {
        unsigned long line;
        const char *key;
        const char *raw;                /* original text; NULL when not (yet) known */
        bool rejected;                  /* internal: an error finding was seen */
        struct htmlreport_finding *findings, *last;
};

struct htmlreport_recgroup;
struct arena;

struct htmlreport {
        struct arena *arena;            /* the report's strings and findings live here */
        /* Header. Set the strings with htmlreport_set() so that they are copied. */
        const char *file;               /* the export's base name */
        const char *source;             /* the configuration's source; "" for plausid check */
        long long delivery_id;          /* 0: not from the database */
        time_t received;                /* when the file arrived (its modification time) */
        time_t loaded_at;               /* 0: not loaded */
        const char *sha256;
        const char *rules_name, *rules_version;
        const char *encoding;           /* "" when unknown */
        const char *csv_name;           /* the findings CSV beside the report, for a link; NULL: none */
        /* Summary. */
        unsigned long records, loaded, rejected, warned;
        enum htmlreport_verdict verdict;
        const char *reason;             /* German, NULL for none */
        const char *note;               /* a remark on what the report can show, or NULL */
        /* Per rule, per field, per Sozialraum (the last only when has_groups). */
        struct htmlreport_rule *rules;
        size_t nrules, rules_cap;
        struct htmlreport_field *fields;
        size_t nfields, fields_cap;
        bool has_groups;
        struct htmlreport_group *groups;
        size_t ngroups, groups_cap;
        /* The rejected records: the first max_records of them. */
        unsigned max_records;
        struct htmlreport_record *recs;
        size_t nrecs, recs_cap;
        /* Findings about the file as a whole (line 0). */
        struct htmlreport_finding *file_findings, *file_last;
        size_t nfile_findings;
        unsigned long nfindings;        /* all findings */
        /* internal: per-record Sozialraum while a file is checked */
        struct htmlreport_recgroup *recgroups;
        size_t nrecgroups, recgroups_cap;
        struct finding *pending;        /* internal: findings of the record being checked */
        size_t npending, pending_cap;
        unsigned long pending_line;
        unsigned pending_flags;
        unsigned long last_finished;    /* internal: the last record known complete */
};

/* max_records 0: HTMLREPORT_DEFAULT_MAX_RECORDS. */
_must_check_ int htmlreport_new(unsigned max_records, struct htmlreport **ret);
void htmlreport_free(struct htmlreport *r);
DEFINE_CLEANUP_FUNC(struct htmlreport, htmlreport_free)

/* Copies s (NULL stays NULL) into the report and stores it in *field. */
_must_check_ int htmlreport_set(struct htmlreport *r, const char **field, const char *s);

/*
 * Counts one finding (per rule, per field, for the Sozialraum of its record) and keeps it
 * when it concerns the file or one of the first max_records rejected records. Findings of
 * a record come before the record itself (htmlreport_add_record), as the checker reports
 * them; later ones (overlaps) are attributed to the record they name. title and label may
 * be NULL.
 */
_must_check_ int htmlreport_add_finding(struct htmlreport *r, const struct finding *f, const char *title,
                                        const char *field_label);
/*
 * One record has been checked: its Sozialraum, counted when has_groups is set (NULL: none
 * given), and its original text when it was rejected (raw NULL otherwise).
 */
_must_check_ int htmlreport_add_record(struct htmlreport *r, unsigned long line, const char *group, size_t group_len,
                                       const char *raw, size_t raw_len);
/* Sets the text of a kept rejected record; does nothing for a line not kept. */
_must_check_ int htmlreport_set_raw(struct htmlreport *r, unsigned long line, const char *raw, size_t len);
/* The kept rejected records whose text is missing (rejected at the end of the file), as a
 * sorted malloc'd array of lines; *ret NULL and *ret_n 0 when there are none. */
_must_check_ int htmlreport_missing_raw(struct htmlreport *r, unsigned long **ret, size_t *ret_n);
/* Adds counts for a Sozialraum directly (from the database). */
_must_check_ int htmlreport_add_group(struct htmlreport *r, const char *name, unsigned long records,
                                      unsigned long rejected, unsigned long warned, unsigned long findings);

/* Writes the report as HTML to out. */
_must_check_ int htmlreport_render(struct htmlreport *r, FILE *out);

/* Renders the report into path through htmlreport_file_*. */
_must_check_ int htmlreport_write(struct htmlreport *r, const char *path, int gid);

/* The group id for a group name or number (--group, report_group); -ENOENT when the
 * system has no such group. */
_must_check_ int htmlreport_group_id(const char *name, int *ret_gid);

/* "OUT.csv" for "OUT.html" (or "OUT.htm"); for any other name the name plus ".csv". */
char *htmlreport_csv_path(const char *html_path);

/*
 * The report of one delivery from the database: writes delivery-<id>.html and
 * delivery-<id>.csv (every finding, the --rejects format) into out_dir. rs, if not NULL,
 * is the source's rule pack, for the rules' titles and the fields' labels (the database
 * holds neither). Call it after the load committed. On success *ret_path (if not NULL) is
 * the HTML file's path, malloc'd; on failure *ret_error says why (-ENOENT: no such
 * delivery, -EIO: the database, other values: writing the files).
 */
_must_check_ int report_delivery_from_db(PGconn *conn, const char *schema, const struct ruleset *rs,
                                         long long delivery_id, const char *out_dir, int gid, unsigned max_records,
                                         char **ret_path, char **ret_error);

/* One source of the overview: its name and rule pack (NULL when the configuration no
 * longer has it), to name the rules and to find a rejected delivery's reporting unit. */
struct report_source {
        const char *name;
        const struct ruleset *rs;
};

/*
 * The overview of every delivery received since the day `since` (YYYY-MM-DD): per source
 * and reporting unit the deliveries with their rejection rates and a trend chart, the most
 * frequent rules per month, and links to the delivery reports, which it (re)writes into
 * out_dir beside it. The overview is out_dir/uebersicht-<since>.html. *ret_count gets the
 * number of deliveries.
 */
_must_check_ int report_overview_from_db(PGconn *conn, const char *schema, const struct report_source *sources,
                                         size_t nsources, const char *since, const char *out_dir, int gid,
                                         unsigned max_records, char **ret_path, size_t *ret_count,
                                         char **ret_error);

#endif
