/*
 * The collector of a delivery report (htmlreport.h; its body in collector.h): counts the
 * findings per rule, field and group and keeps the first rejected records with their
 * findings and text, whether the findings come from a check in progress or from the
 * database. Rendering (delivery_html.c) only reads what is collected here.
 *
 * While a file is checked, the findings of a record arrive before the record itself, and
 * findings decided at the end of the file (overlaps) after every record: the findings of
 * the record being checked wait in `pending` until the record is complete; a late one is
 * attributed to the record it names.
 *
 * Memory: counters per rule, field and group, the kept records (max_records) and, when the
 * report groups, 16 bytes per record so that late findings reach the right group.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "array.h"
#include "collector.h"

enum {
        FL_ERROR = 1,
        FL_WARNING = 2,
};

/* Where each checked record's group went, in the order of the file (lines ascending). */
struct htmlreport_recgroup {
        unsigned long line;
        uint32_t group;                 /* index into groups */
        uint8_t flags;                  /* FL_ERROR, FL_WARNING: what the record counts as */
};

/* The strings of a finding, to copy or free them alike. */
#define FINDING_STRINGS(f) {&(f)->key, &(f)->rule_id, &(f)->field, &(f)->value, &(f)->message}

static void pending_clear(struct htmlreport *r) {
        for (size_t i = 0; i < r->npending; i++) {
                const char **s[] = FINDING_STRINGS(&r->pending[i]);
                for (size_t k = 0; k < ELEMENTSOF(s); k++)
                        free((char *) *s[k]);
        }
        r->npending = 0;
        r->pending_line = 0;
        r->pending_flags = 0;
}

int htmlreport_new(const struct ruleset *rs, unsigned max_records, struct htmlreport **ret) {
        _cleanup_(htmlreport_freep) struct htmlreport *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->arena = arena_new();
        if (!r->arena)
                return -ENOMEM;
        r->rs = rs;
        r->max_records = max_records ? max_records : HTMLREPORT_DEFAULT_MAX_RECORDS;
        *ret = TAKE_PTR(r);
        return 0;
}

void htmlreport_free(struct htmlreport *r) {
        if (!r)
                return;
        pending_clear(r);
        free(r->pending);
        free(r->rules);
        free(r->fields);
        free(r->groups);
        free(r->recs);
        free(r->recgroups);
        arena_free(r->arena);
        free(r);
}

int htmlreport_set_header(struct htmlreport *r, const struct htmlreport_header *h) {
        struct htmlreport_header c = *h;
        const char **s[] = {&c.file, &c.source, &c.sha256, &c.rules_name, &c.rules_version, &c.encoding,
                            &c.csv_name};
        for (size_t i = 0; i < ELEMENTSOF(s); i++)
                if (*s[i] && !(*s[i] = arena_strdup(r->arena, *s[i])))
                        return -ENOMEM;
        r->head = c;
        return 0;
}

int htmlreport_set_summary(struct htmlreport *r, const struct htmlreport_summary *s) {
        struct htmlreport_summary c = *s;
        if (c.reason && !(c.reason = arena_strdup(r->arena, c.reason)))
                return -ENOMEM;
        r->sum = c;
        return 0;
}

int htmlreport_group_by(struct htmlreport *r, unsigned field) {
        if (!r->rs || field >= ruleset_field_count(r->rs))
                return -EINVAL;
        r->group_label = ruleset_field_label(r->rs, field);     /* the pack outlives the report */
        return 0;
}

int htmlreport_set_group_note(struct htmlreport *r, const char *note) {
        if (note && !(note = arena_strdup(r->arena, note)))
                return -ENOMEM;
        r->group_note = note;
        return 0;
}

const char *htmlreport_rule_title(const struct ruleset *rs, const char *id) {
        for (unsigned i = 0; rs && i < ruleset_rule_count(rs); i++)
                if (strcmp(ruleset_rule_id(rs, i), id) == 0)
                        return ruleset_rule_title(rs, i);
        return "";
}

static const char *field_label(const struct ruleset *rs, const char *name) {
        int f = rs && *name ? ruleset_field_find(rs, name) : -1;
        return f >= 0 ? ruleset_field_label(rs, (unsigned) f) : "";
}

/* ---- counting ---- */

static int rule_for(struct htmlreport *r, const struct finding *f, struct htmlreport_rule **ret) {
        for (size_t i = r->nrules; i-- > 0;)
                if (strcmp(r->rules[i].id, f->rule_id) == 0) {
                        *ret = &r->rules[i];
                        return 0;
                }
        int e = ARRAY_GROW(r->rules, r->nrules, r->rules_cap);
        if (e < 0)
                return e;
        const char *id = arena_strdup(r->arena, f->rule_id);
        if (!id)
                return -ENOMEM;
        /* The title is looked up once per rule, not per finding; it lives in the pack. */
        r->rules[r->nrules] = (struct htmlreport_rule) {
                .id = id, .title = htmlreport_rule_title(r->rs, id), .severity = f->severity};
        *ret = &r->rules[r->nrules++];
        return 0;
}

static int field_for(struct htmlreport *r, const char *name, struct htmlreport_field **ret) {
        for (size_t i = r->nfields; i-- > 0;)
                if (strcmp(r->fields[i].name, name) == 0) {
                        *ret = &r->fields[i];
                        return 0;
                }
        int e = ARRAY_GROW(r->fields, r->nfields, r->fields_cap);
        if (e < 0)
                return e;
        const char *n = arena_strdup(r->arena, name);
        if (!n)
                return -ENOMEM;
        r->fields[r->nfields] = (struct htmlreport_field) {.name = n, .label = field_label(r->rs, n)};
        *ret = &r->fields[r->nfields++];
        return 0;
}

/* A finding counts for its rule (and the record it names, once) and for its field. */
static int count_finding(struct htmlreport *r, const struct finding *f) {
        r->nfindings++;
        struct htmlreport_rule *ru;
        int e = rule_for(r, f, &ru);
        if (e < 0)
                return e;
        ru->findings++;
        if (f->line > 0 && ru->last_line != f->line) {
                ru->records++;
                ru->last_line = f->line;
        }
        struct htmlreport_field *fd;
        e = field_for(r, f->field ? f->field : "", &fd);
        if (e < 0)
                return e;
        if (f->severity == SEVERITY_ERROR)
                fd->errors++;
        else if (f->severity == SEVERITY_WARNING)
                fd->warnings++;
        else
                fd->file++;
        return 0;
}

static int group_index(struct htmlreport *r, const char *name, size_t len, uint32_t *ret) {
        /* Exports come grouped more often than not: the last hit first. */
        if (r->nrecgroups > 0) {
                uint32_t g = r->recgroups[r->nrecgroups - 1].group;
                if (strlen(r->groups[g].name) == len && memcmp(r->groups[g].name, name, len) == 0) {
                        *ret = g;
                        return 0;
                }
        }
        for (size_t i = 0; i < r->ngroups; i++)
                if (strlen(r->groups[i].name) == len && memcmp(r->groups[i].name, name, len) == 0) {
                        *ret = (uint32_t) i;
                        return 0;
                }
        if (r->ngroups >= UINT32_MAX)
                return -ENOMEM;
        int e = ARRAY_GROW(r->groups, r->ngroups, r->groups_cap);
        if (e < 0)
                return e;
        const char *n = arena_strndup(r->arena, name, len);
        if (!n)
                return -ENOMEM;
        r->groups[r->ngroups] = (struct htmlreport_group) {.name = n};
        *ret = (uint32_t) r->ngroups++;
        return 0;
}

/* A checked record counts for its group, with the findings it had (flags, nfindings). */
static int count_record_group(struct htmlreport *r, unsigned long line, const char *group, size_t group_len,
                              unsigned flags, size_t nfindings) {
        uint32_t g;
        int e = group_index(r, group ? group : "", group ? group_len : 0, &g);
        if (e < 0)
                return e;
        struct htmlreport_group *gr = &r->groups[g];
        gr->records++;
        if (flags & FL_ERROR)
                gr->rejected++;
        else if (flags & FL_WARNING)
                gr->warned++;
        gr->findings += nfindings;
        e = ARRAY_GROW(r->recgroups, r->nrecgroups, r->recgroups_cap);
        if (e < 0)
                return e;
        r->recgroups[r->nrecgroups++] = (struct htmlreport_recgroup) {.line = line, .group = g,
                                                                       .flags = (uint8_t) flags};
        return 0;
}

/* A late finding about a complete record reaches the record's group: a record that
 * had warnings only and now has an error moves from warned to rejected. */
static void count_late_group(struct htmlreport *r, const struct finding *f) {
        size_t lo = 0, hi = r->nrecgroups;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (r->recgroups[mid].line < f->line)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo >= r->nrecgroups || r->recgroups[lo].line != f->line)
                return;
        struct htmlreport_recgroup *rg = &r->recgroups[lo];
        struct htmlreport_group *g = &r->groups[rg->group];
        g->findings++;
        if (f->severity == SEVERITY_ERROR && !(rg->flags & FL_ERROR)) {
                g->rejected++;
                if (rg->flags & FL_WARNING)
                        g->warned--;
                rg->flags |= FL_ERROR;
        } else if (f->severity == SEVERITY_WARNING && !rg->flags) {
                g->warned++;
                rg->flags |= FL_WARNING;
        }
}

/* ---- keeping findings and rejected records ---- */

static int copy_finding(struct htmlreport *r, const struct finding *f, struct htmlreport_finding **ret) {
        struct htmlreport_finding *hf = arena_alloc(r->arena, sizeof(*hf));
        if (!hf)
                return -ENOMEM;
        hf->f = *f;
        const char **s[] = FINDING_STRINGS(&hf->f);
        for (size_t i = 0; i < ELEMENTSOF(s); i++)
                if (!(*s[i] = arena_strdup(r->arena, *s[i] ? *s[i] : "")))
                        return -ENOMEM;
        *ret = hf;
        return 0;
}

/* A copy of f at the end of the list from *first to *last. */
static int append_finding(struct htmlreport *r, struct htmlreport_finding **first, struct htmlreport_finding **last,
                          const struct finding *f) {
        struct htmlreport_finding *hf;
        int e = copy_finding(r, f, &hf);
        if (e < 0)
                return e;
        if (*last)
                (*last)->next = hf;
        else
                *first = hf;
        *last = hf;
        return 0;
}

static int record_append(struct htmlreport *r, struct htmlreport_record *rec, const struct finding *f) {
        return append_finding(r, &rec->findings, &rec->last, f);
}

static struct htmlreport_record *find_record(struct htmlreport *r, unsigned long line) {
        for (size_t i = r->nrecs; i-- > 0;)
                if (r->recs[i].line == line)
                        return &r->recs[i];
        return NULL;
}

/* Keeps a rejected record with its n findings (n >= 1) and its text, when known. */
static int keep_record(struct htmlreport *r, unsigned long line, const struct finding *fs, size_t n, const char *raw,
                       size_t raw_len) {
        int e = ARRAY_GROW(r->recs, r->nrecs, r->recs_cap);
        if (e < 0)
                return e;
        struct htmlreport_record *rec = &r->recs[r->nrecs];
        *rec = (struct htmlreport_record) {.line = line, .key = arena_strdup(r->arena, fs[0].key ? fs[0].key : "")};
        if (!rec->key)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                e = record_append(r, rec, &fs[i]);
                if (e < 0)
                        return e;
        }
        if (raw && !(rec->raw = arena_strndup(r->arena, raw, raw_len)))
                return -ENOMEM;
        r->nrecs++;
        return 0;
}

/* The record being checked is complete: kept when rejected and there is room. */
static int finish_pending(struct htmlreport *r, const char *raw, size_t raw_len) {
        int e = 0;
        if (r->npending > 0 && (r->pending_flags & FL_ERROR) && r->nrecs < r->max_records)
                e = keep_record(r, r->pending_line, r->pending, r->npending, raw, raw_len);
        pending_clear(r);
        return e;
}

static int add_pending(struct htmlreport *r, const struct finding *f) {
        int e = ARRAY_GROW(r->pending, r->npending, r->pending_cap);
        if (e < 0)
                return e;
        struct finding *p = &r->pending[r->npending];
        *p = *f;
        /* Every string copied (or NULL) before the entry counts, so that pending_clear
         * frees only copies. */
        const char **s[] = FINDING_STRINGS(p);
        bool copied = true;
        for (size_t i = 0; i < ELEMENTSOF(s); i++) {
                *s[i] = strdup(*s[i] ? *s[i] : "");
                copied = copied && *s[i];
        }
        r->npending++;
        if (!copied)
                return -ENOMEM;
        r->pending_flags |= f->severity == SEVERITY_ERROR ? FL_ERROR : FL_WARNING;
        return 0;
}

/* A finding about a record that was already complete (an overlap, decided at the end). */
static int late_finding(struct htmlreport *r, const struct finding *f) {
        if (r->group_label)
                count_late_group(r, f);
        struct htmlreport_record *rec = find_record(r, f->line);
        if (rec)
                return record_append(r, rec, f);
        if (f->severity != SEVERITY_ERROR || r->nrecs >= r->max_records)
                return 0;
        return keep_record(r, f->line, f, 1, NULL, 0);
}

int htmlreport_add_finding(struct htmlreport *r, const struct finding *f) {
        int e = count_finding(r, f);
        if (e < 0)
                return e;
        if (f->line == 0)
                return append_finding(r, &r->file_findings, &r->file_last, f);
        if (f->line != r->pending_line) {
                if (f->line < r->pending_line || f->line <= r->last_finished)
                        return late_finding(r, f);
                if (r->pending_line > r->last_finished)
                        r->last_finished = r->pending_line;
                e = finish_pending(r, NULL, 0);
                if (e < 0)
                        return e;
                r->pending_line = f->line;
        }
        return add_pending(r, f);
}

int htmlreport_add_record(struct htmlreport *r, unsigned long line, const char *group, size_t group_len,
                          const char *raw, size_t raw_len) {
        bool mine = r->pending_line == line && r->npending > 0;
        if (r->group_label) {
                int e = count_record_group(r, line, group, group_len, mine ? r->pending_flags : 0,
                                           mine ? r->npending : 0);
                if (e < 0)
                        return e;
        }
        if (line > r->last_finished)
                r->last_finished = line;
        if (!mine)
                return 0;
        return finish_pending(r, raw, raw_len);
}

int htmlreport_set_raw(struct htmlreport *r, unsigned long line, const char *raw, size_t len) {
        struct htmlreport_record *rec = find_record(r, line);
        if (!rec || rec->raw)
                return 0;
        rec->raw = arena_strndup(r->arena, raw, len);
        return rec->raw ? 0 : -ENOMEM;
}

static int cmp_ulong(const void *a, const void *b) {
        unsigned long x = *(const unsigned long *) a, y = *(const unsigned long *) b;
        return x < y ? -1 : x > y;
}

int htmlreport_missing_raw(struct htmlreport *r, unsigned long **ret, size_t *ret_n) {
        int e = finish_pending(r, NULL, 0);
        if (e < 0)
                return e;
        size_t n = 0;
        for (size_t i = 0; i < r->nrecs; i++)
                n += !r->recs[i].raw;
        unsigned long *lines = NULL;
        if (n > 0) {
                lines = calloc(n, sizeof(*lines));
                if (!lines)
                        return -ENOMEM;
                n = 0;
                for (size_t i = 0; i < r->nrecs; i++)
                        if (!r->recs[i].raw)
                                lines[n++] = r->recs[i].line;
                qsort(lines, n, sizeof(*lines), cmp_ulong);
        }
        *ret = lines;
        *ret_n = n;
        return 0;
}

int htmlreport_add_group(struct htmlreport *r, const char *name, unsigned long records, unsigned long rejected,
                         unsigned long warned, unsigned long findings) {
        if (!r->group_label)
                return -EINVAL;
        int e = ARRAY_GROW(r->groups, r->ngroups, r->groups_cap);
        if (e < 0)
                return e;
        const char *n = arena_strdup(r->arena, name ? name : "");
        if (!n)
                return -ENOMEM;
        r->groups[r->ngroups++] = (struct htmlreport_group) {
                .name = n, .records = records, .rejected = rejected, .warned = warned, .findings = findings};
        return 0;
}

/* ---- the end of collecting: the order the report shows ---- */

static int cmp_rule(const void *a, const void *b) {
        const struct htmlreport_rule *x = a, *y = b;
        if (x->findings != y->findings)
                return x->findings > y->findings ? -1 : 1;
        return strcmp(x->id, y->id);
}

static int cmp_field(const void *a, const void *b) {
        const struct htmlreport_field *x = a, *y = b;
        unsigned long nx = x->errors + x->warnings + x->file, ny = y->errors + y->warnings + y->file;
        if (nx != ny)
                return nx > ny ? -1 : 1;
        return strcmp(x->name, y->name);
}

static int cmp_group(const void *a, const void *b) {
        const struct htmlreport_group *x = a, *y = b;
        /* "no value given" last */
        if (!*x->name != !*y->name)
                return *x->name ? -1 : 1;
        return strcoll(x->name, y->name);
}

static int cmp_record(const void *a, const void *b) {
        const struct htmlreport_record *x = a, *y = b;
        return x->line < y->line ? -1 : x->line > y->line;
}

int htmlreport_finish(struct htmlreport *r) {
        int e = finish_pending(r, NULL, 0);
        if (e < 0)
                return e;
        /* The per-record group entries point into groups by index: sorting the groups ends
         * the collecting. */
        free(r->recgroups);
        r->recgroups = NULL;
        r->nrecgroups = r->recgroups_cap = 0;
        /* One group without a value: the data do not have the field (an optional column
         * the file lacks); a table of one empty row would say nothing. */
        if (r->group_label && r->ngroups == 1 && !*r->groups[0].name)
                r->group_label = NULL;
        /* qsort must not see the NULL of an empty array, even for no elements. */
        if (r->nrules)
                qsort(r->rules, r->nrules, sizeof(*r->rules), cmp_rule);
        if (r->nfields)
                qsort(r->fields, r->nfields, sizeof(*r->fields), cmp_field);
        if (r->ngroups)
                qsort(r->groups, r->ngroups, sizeof(*r->groups), cmp_group);
        if (r->nrecs)
                qsort(r->recs, r->nrecs, sizeof(*r->recs), cmp_record);
        return 0;
}
