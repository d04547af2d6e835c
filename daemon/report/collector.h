/*
 * Private to daemon/report/: the body of the collector (struct htmlreport, htmlreport.h)
 * as the renderer reads it, and what only the database side calls. Outside this folder a
 * report is filled through htmlreport.h alone.
 */
#ifndef PLAUSID_REPORT_COLLECTOR_H
#define PLAUSID_REPORT_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "htmlreport.h"

/* Findings of one rule. */
struct htmlreport_rule {
        const char *id;
        const char *title;              /* German; "" when the pack is not at hand */
        enum severity severity;
        unsigned long findings;
        unsigned long records;          /* records concerned (0 for findings about the file) */
        unsigned long last_line;        /* the last record counted, so that a record counts once */
};

/* Findings of one field. */
struct htmlreport_field {
        const char *name;               /* "" for findings without a field */
        const char *label;              /* German; "" when unknown */
        unsigned long errors, warnings, file;
};

/* Records of one value of the grouping field. */
struct htmlreport_group {
        const char *name;               /* "" = no value given */
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
        struct htmlreport_finding *findings, *last;
};

struct htmlreport_recgroup;
struct arena;

struct htmlreport {
        struct arena *arena;            /* the report's strings and findings live here */
        const struct ruleset *rs;       /* titles and labels; NULL: none */
        struct htmlreport_header head;  /* strings copied; "" for none but csv_name (NULL: no link) */
        struct htmlreport_summary sum;  /* reason copied; NULL for none */
        /* Per rule and per field, in the order first seen until htmlreport_finish sorts them. */
        struct htmlreport_rule *rules;
        size_t nrules, rules_cap;
        struct htmlreport_field *fields;
        size_t nfields, fields_cap;
        /* Per value of the grouping field: only when group_label is set. */
        const char *group_label;        /* the field's German label, for headings; NULL: no groups */
        const char *group_note;         /* a remark on what the counts cover, or NULL */
        struct htmlreport_group *groups;
        size_t ngroups, groups_cap;
        /* The rejected records: the first max_records of them. */
        unsigned max_records;
        struct htmlreport_record *recs;
        size_t nrecs, recs_cap;
        /* Findings about the file as a whole (line 0). */
        struct htmlreport_finding *file_findings, *file_last;
        unsigned long nfindings;        /* all findings */
        /* While a file is checked: each record's group, and the findings of the record
         * being checked (they come before the record itself). */
        struct htmlreport_recgroup *recgroups;
        size_t nrecgroups, recgroups_cap;
        struct finding *pending;
        size_t npending, pending_cap;
        unsigned long pending_line;
        unsigned pending_flags;
        unsigned long last_finished;    /* the last record known complete */
};

/* Counts of one group given directly (from the database: rejected is 0 there, as the
 * database does not keep a rejected record's fields). Needs htmlreport_group_by first. */
_must_check_ int htmlreport_add_group(struct htmlreport *r, const char *name, unsigned long records,
                                      unsigned long rejected, unsigned long warned, unsigned long findings);
/* A remark shown above the group table (copied). */
_must_check_ int htmlreport_set_group_note(struct htmlreport *r, const char *note);

/* A rule's German title from the pack, by its id; "" without a pack or such a rule. The
 * overview names its rules with it too. */
const char *htmlreport_rule_title(const struct ruleset *rs, const char *id);

/* Ends the collecting: the record being checked is complete, rules, fields, groups and
 * records are sorted as the report shows them, and a group table that would say nothing
 * (one row, no value) is dropped. Nothing may be added afterwards. */
_must_check_ int htmlreport_finish(struct htmlreport *r);

#endif
