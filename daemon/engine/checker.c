/*
 * The checker applies a compiled pack to one file's records (see checker.h); this file is
 * its API and the flow of one record.
 *
 * Per record it decodes every declared field once (decode.c) into a preallocated array,
 * then runs every record rule in one pass of the byte code and walks the rules in pack
 * order to report: builtins inspect the decoded array, unique and overlap rules keep their
 * cross-record state (crossrecord.c). Nothing is allocated per record on the clean path.
 * At the end of the file come the overlaps and shares, and, for a caller who asked, the
 * text of records rejected only then, read once more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"

/* Whether a rule has work on a record that no record rule, builtin flag or encoding
 * defect marked: the file-level rules that count or remember every record, and the
 * comparison with the first record. */
static bool acts_on_clean_record(const struct rule *r) {
        switch (r->kind) {
        case RULE_SHARE:
        case RULE_UNIQUE:
        case RULE_OVERLAP:
                return true;
        case RULE_BUILTIN:
                return r->builtin == BUILTIN_SAME_AS_FIRST;
        default:
                return false;
        }
}

int checker_new(const struct ruleset *rs, checker_finding_fn fn, void *userdata, struct checker **ret) {
        struct checker *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->rs = rs;
        c->fields = rs->fields;
        c->fn = fn;
        c->userdata = userdata;
        c->column = calloc(rs->nfields, sizeof(*c->column));
        c->vals = calloc(rs->nfields, sizeof(*c->vals));
        c->restored = calloc(rs->nfields, sizeof(*c->restored));
        c->expected = calloc(rs->nfields, sizeof(*c->expected));
        c->alias_count = calloc(rs->nfields, sizeof(*c->alias_count));
        c->share_count = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->share_count));
        c->tables = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->tables));
        c->unique_hash = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->unique_hash));
        c->verdicts = calloc(rs->nrules / 64 + 1, sizeof(*c->verdicts));
        c->unique_rules = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->unique_rules));
        c->quiet_rules = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->quiet_rules));
        for (unsigned i = 0; c->unique_rules && c->quiet_rules && i < rs->nrules; i++) {
                if (rs->rules[i].kind == RULE_UNIQUE)
                        c->unique_rules[c->nunique_rules++] = i;
                if (acts_on_clean_record(&rs->rules[i]))
                        c->quiet_rules[c->nquiet_rules++] = i;
        }
        c->overlaps = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->overlaps));
        c->stats.per_rule = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->stats.per_rule));
        if (!c->column || !c->vals || !c->restored || !c->expected || !c->alias_count || !c->share_count || !c->tables || !c->unique_hash || !c->verdicts || !c->unique_rules || !c->quiet_rules || !c->overlaps ||
            !c->stats.per_rule) {
                checker_free(c);
                return -ENOMEM;
        }
        for (unsigned i = 0; i < rs->nfields; i++) {
                c->column[i] = -1;
                if (!(c->expected[i] = expected_text(rs, i))) {
                        checker_free(c);
                        return -ENOMEM;
                }
        }
        *ret = c;
        return 0;
}

void checker_free(struct checker *c) {
        if (!c)
                return;
        if (c->expected)
                for (unsigned i = 0; i < c->rs->nfields; i++)
                        free((char *) c->expected[i]);
        free(c->expected);
        free(c->column);
        free(c->vals);
        free(c->restored);
        free(c->unknown_columns);
        free(c->alias_count);
        free(c->share_count);
        if (c->tables)
                for (unsigned i = 0; i < c->rs->nrules; i++)
                        key_table_free(&c->tables[i]);
        free(c->tables);
        free(c->unique_hash);
        free(c->verdicts);
        free(c->unique_rules);
        free(c->quiet_rules);
        if (c->overlaps)
                for (unsigned i = 0; i < c->rs->nrules; i++) {
                        free(c->overlaps[i].items);
                        strbuf_done(&c->overlaps[i].text);
                }
        free(c->overlaps);
        free(c->stats.per_rule);
        strbuf_done(&c->key);
        strbuf_done(&c->message);
        strbuf_done(&c->value);
        strbuf_done(&c->first_value);
        free(c->late);
        free(c);
}

const struct checker_stats *checker_stats(const struct checker *c) {
        return &c->stats;
}

bool checker_fixed_width(const struct checker *c) {
        return c->layout != NULL;
}

const char *checker_unknown_columns(const struct checker *c) {
        return c->unknown_columns;
}


static int run_builtin(struct checker *c, unsigned ri) {
        const struct ruleset *rs = c->rs;
        const struct rule *r = &rs->rules[ri];
        int e = 0;
        switch (r->builtin) {
        case BUILTIN_REQUIRED:
                for (unsigned f = 0; c->rec_empty_required && f < rs->nfields && e >= 0; f++)
                        if (c->fields[f].required && c->vals[f].state == FV_EMPTY) {
                                const char *ctx[_CTX_MAX] = {[CTX_FIELD] = rs->fields[f].label};
                                e = checker_report(c, ri, c->rec->line, (int) f, NULL, ctx, NULL);
                        }
                break;
        case BUILTIN_CODE:
        case BUILTIN_FORMAT:
                if (!(r->builtin == BUILTIN_CODE ? c->rec_bad_code : c->rec_bad_format))
                        break;
                for (unsigned f = 0; f < rs->nfields && e >= 0; f++)
                        if (c->vals[f].state == FV_INVALID &&
                            (rs->fields[f].type == FIELD_CODE) == (r->builtin == BUILTIN_CODE)) {
                                const char *ctx[_CTX_MAX] = {[CTX_FIELD] = rs->fields[f].label,
                                                             [CTX_VALUE] = c->vals[f].raw,
                                                             [CTX_EXPECTED] = c->expected[f]};
                                e = checker_report(c, ri, c->rec->line, (int) f, NULL, ctx, NULL);
                        }
                break;
        case BUILTIN_SAME_AS_FIRST: {
                const struct field_value *v = &c->vals[r->field];
                if (v->state != FV_OK)
                        break;
                if (!c->first_seen) {
                        /* The first record that has a valid value sets what the file is about;
                         * an empty or invalid one is already P01/P03's finding. */
                        e = strbuf_append(&c->first_value, v->s, v->len);
                        c->first_i = v->i;
                        c->first_seen = true;
                        break;
                }
                bool same = field_is_calendar(&c->fields[r->field]) ? v->i == c->first_i
                            : c->first_value.len == v->len && memcmp(strbuf_str(&c->first_value), v->s, v->len) == 0;
                if (!same) {
                        const char *ctx[_CTX_MAX] = {[CTX_VALUE] = v->raw, [CTX_EXPECTED] = strbuf_str(&c->first_value)};
                        e = checker_report(c, ri, c->rec->line, r->field, NULL, ctx, NULL);
                }
                break;
        }
        case BUILTIN_ENCODING:
                if (c->rec->bad_encoding)
                        e = checker_report(c, ri, c->rec->line, -1, "", NULL, NULL);
                break;
        default:
                break;
        }
        return e;
}

/* Counts the record and hands it to the record consumer, if any. */
static int record_done(struct checker *c, const struct reader_record *rec) {
        if (c->rec_error)
                c->stats.rejected++;
        else if (c->rec_warning)
                c->stats.warned++;
        c->rec = NULL;
        if (!c->record_fn)
                return 0;
        struct checked_record cr = {
                .line = rec->line, .rejected = c->rec_error, .warned = c->rec_warning && !c->rec_error,
                .raw = rec->raw, .raw_len = rec->raw_len, .values = c->vals};
        return c->record_fn(c->record_userdata, &cr);
}

const char *checker_record_value(const struct checked_record *r, unsigned field, size_t *ret_len) {
        const struct field_value *v = &r->values[field];
        const char *s = v->state == FV_OK ? v->s : v->state == FV_INVALID ? v->raw : NULL;
        if (!s || (v->state == FV_OK ? v->len == 0 : !*s))
                return NULL;
        *ret_len = v->state == FV_OK ? v->len : strlen(s);
        return s;
}

void checker_on_record(struct checker *c, checker_record_fn fn, void *userdata) {
        c->record_fn = fn;
        c->record_userdata = userdata;
}

void checker_on_late_record(struct checker *c, checker_record_fn fn, void *userdata) {
        c->late_fn = fn;
        c->late_userdata = userdata;
}

/* A record whose fields do not line up with the header (CSV), or that is too long or of
 * another type (fixed-width): every other rule would read the wrong columns, so only this
 * is reported. */
static int misfit(struct checker *c, const struct reader_record *rec) {
        const struct ruleset *rs = c->rs;
        for (unsigned f = 0; f < rs->nfields; f++)
                c->vals[f] = (struct field_value) {.state = FV_INVALID, .raw = ""};
        bool type = rec->defect == READER_RECORD_WRONG_TYPE;
        int rule = rs->builtin_rule[type ? BUILTIN_RECORD_TYPE : BUILTIN_FIELD_COUNT];
        int e = 0;
        if (rule < 0)
                c->rec_error = true;
        else if (type) {
                const char *ctx[_CTX_MAX] = {[CTX_VALUE] = rec->record_type, [CTX_EXPECTED] = c->layout->type_value};
                e = checker_report(c, (unsigned) rule, rec->line, -1, "", ctx, "");
        } else {
                bool length = rec->defect == READER_RECORD_TOO_LONG;
                char count[24], expected[24];   /* any size_t in decimal */
                snprintf(count, sizeof(count), "%zu", length ? rec->length : rec->nfields);
                snprintf(expected, sizeof(expected), "%zu", length ? (size_t) c->layout->record_length : c->ncolumns);
                const char *ctx[_CTX_MAX] = {[CTX_COUNT] = count, [CTX_EXPECTED] = expected};
                e = checker_report(c, (unsigned) rule, rec->line, -1, "", ctx, "");
        }
        return e < 0 ? e : record_done(c, rec);
}

/* The overlap entries a record added, to learn its verdict afterwards: rule << 32 | index. */
struct intervals {
        ssize_t at[8];
        unsigned n;
};

/* Rule ri on the current record (decoded, its record rules' verdicts in c->verdicts). */
static inline int run_rule(struct checker *c, unsigned ri, struct intervals *iv) {
        const struct ruleset *rs = c->rs;
        const struct rule *r = &rs->rules[ri];
        switch (r->kind) {
        case RULE_CHECK:
                if (c->verdicts[ri / 64] & (1ull << (ri % 64)))
                        return checker_report(c, ri, c->rec->line, r->field, NULL, NULL, NULL);
                return 0;
        case RULE_BUILTIN:
                return run_builtin(c, ri);
        case RULE_SHARE: {
                struct vm_value v = vm_eval(rs, &r->prog, c->vals, NULL);
                if (!v.unknown && v.i)
                        c->share_count[ri]++;
                return 0;
        }
        case RULE_UNIQUE:
                return check_unique(c, ri);
        case RULE_PREVIOUS_YEAR:
        case RULE_LINKED:
                /* Need the database: the loader runs them (store/dbrules.c). */
                return 0;
        case RULE_OVERLAP: {
                ssize_t idx;
                int e = collect_interval(c, ri, &idx);
                if (idx >= 0 && iv->n < ELEMENTSOF(iv->at))
                        iv->at[iv->n++] = (ssize_t) ri << 32 | idx;
                return e;
        }
        }
        return 0;
}

int checker_record(void *checker, const struct reader_record *rec) {
        struct checker *c = checker;
        const struct ruleset *rs = c->rs;
        if (!c->header_seen) {
                c->header_seen = true;
                return checker_header(c, rec);
        }
        c->stats.records++;
        c->seq++;
        if (c->stop)
                return 0;
        c->rec = rec;
        c->rec_error = c->rec_warning = false;
        c->key_ready = false;
        int e = 0;
        if (rec->defect || rec->nfields != c->ncolumns)
                return misfit(c, rec);
        checker_decode(c, rec);
        c->share_total++;
        for (unsigned k = 0; k < c->nunique_rules && e >= 0; k++)
                e = prepare_unique(c, c->unique_rules[k]);
        /* All record rules in one run of the byte code; the loop below reports them in
         * pack order. */
        size_t words = rs->nrules / 64 + 1;
        memset(c->verdicts, 0, words * sizeof(uint64_t));
        vm_eval(rs, &rs->checks, c->vals, c->verdicts);
        /* Rules that do not hold in the record's Berichtsjahr ran all the same: masking
         * their verdicts costs less than a test per rule in the byte code. */
        const uint64_t *holds = rs->epochs[c->epoch].rules;
        uint64_t fired = 0;
        for (size_t w = 0; w < words; w++)
                fired |= holds ? (c->verdicts[w] &= holds[w]) : c->verdicts[w];
        struct intervals iv = {.n = 0};
        /* Most records are clean: then only the rules that act on every record need a
         * turn, and the walk over the others is skipped. */
        if (fired || c->rec_empty_required || c->rec_bad_code || c->rec_bad_format || rec->bad_encoding)
                for (unsigned ri = 0; ri < rs->nrules && e >= 0; ri++)
                        e = run_rule(c, ri, &iv);
        else
                for (unsigned k = 0; k < c->nquiet_rules && e >= 0; k++)
                        e = run_rule(c, c->quiet_rules[k], &iv);
        /* The overlap entries learn the record's verdict so that a late overlap finding
         * does not count a record as rejected twice. */
        for (unsigned k = 0; k < iv.n; k++) {
                struct interval *it = &c->overlaps[iv.at[k] >> 32].items[iv.at[k] & 0xffffffff];
                it->had_error = c->rec_error;
                it->had_warning = c->rec_warning;
        }
        return e < 0 ? e : record_done(c, rec);
}

int checker_reject_file(struct checker *c, enum builtin b, unsigned long line, const char *reason) {
        int rule = c->rs->builtin_rule[b];
        c->stats.file_rejected = true;
        c->stop = true;
        if (rule < 0)
                return 0;
        const char *ctx[_CTX_MAX] = {[CTX_REASON] = reason};
        c->rec = NULL;
        return checker_report(c, (unsigned) rule, line, -1, "", ctx, "");
}

int checker_unreadable(struct checker *c, unsigned long line, const char *reason) {
        return checker_reject_file(c, BUILTIN_UNREADABLE, line, reason);
}

/* One finding per field whose empty_alias occurred: the file is told once, the records
 * are not (they are loaded with the field empty). */
static int report_empty_aliases(struct checker *c) {
        const struct ruleset *rs = c->rs;
        int rule = rs->builtin_rule[BUILTIN_EMPTY_ALIAS];
        for (unsigned f = 0; rule >= 0 && f < rs->nfields; f++) {
                if (!c->alias_count[f])
                        continue;
                char count[24];
                snprintf(count, sizeof(count), "%lu", c->alias_count[f]);
                const char *ctx[_CTX_MAX] = {[CTX_FIELD] = rs->fields[f].label, [CTX_VALUE] = rs->fields[f].empty_alias,
                                             [CTX_COUNT] = count};
                c->rec = NULL;
                int e = checker_report(c, (unsigned) rule, 0, (int) f, rs->fields[f].empty_alias, ctx, "");
                if (e < 0)
                        return e;
        }
        return 0;
}

int checker_finish(struct checker *c) {
        const struct ruleset *rs = c->rs;
        int e = 0;
        /* No header: the file is empty -- unless it was already refused for what its
         * first line is (too long, undecodable), which must stay its only reason. */
        if (!c->header_seen)
                return c->stop ? 0 : checker_unreadable(c, 0, "die Datei enthält keine Kopfzeile (sie ist leer)");
        if (c->stop)
                return 0;
        for (unsigned ri = 0; ri < rs->nrules && e >= 0; ri++) {
                const struct rule *r = &rs->rules[ri];
                if (r->kind == RULE_OVERLAP)
                        e = finish_overlap(c, ri);
        }
        if (e >= 0)
                e = report_empty_aliases(c);
        for (unsigned ri = 0; ri < rs->nrules && e >= 0; ri++) {
                const struct rule *r = &rs->rules[ri];
                if (r->kind != RULE_SHARE || c->share_total == 0)
                        continue;
                double share = (double) c->share_count[ri] / (double) c->share_total;
                if (share <= r->max_share)
                        continue;
                /* decimal_de() wants 32; pct is that plus " %"; counts are unsigned longs */
                char num[32], pct[40], count[24], total[24];
                snprintf(pct, sizeof(pct), "%s %%", decimal_de(num, share * 100.0, false));
                snprintf(count, sizeof(count), "%lu", c->share_count[ri]);
                snprintf(total, sizeof(total), "%lu", c->share_total);
                const char *ctx[_CTX_MAX] = {[CTX_SHARE] = pct, [CTX_COUNT] = count, [CTX_TOTAL] = total};
                c->rec = NULL;
                e = checker_report(c, ri, 0, r->field, "", ctx, "");
        }
        return e;
}


static int cmp_line(const void *a, const void *b) {
        unsigned long x = *(const unsigned long *) a, y = *(const unsigned long *) b;
        return x < y ? -1 : x > y;
}

static int late_record(void *userdata, const struct reader_record *rec) {
        struct checker *c = userdata;
        struct checked_record cr = {
                .line = rec->line, .rejected = true, .late = true, .raw = rec->raw, .raw_len = rec->raw_len};
        return c->late_fn(c->late_userdata, &cr);
}

/* The records rejected at the end of the file, each once (two overlap rules may reject the
 * same one), read again from fd for their text: a second pass only when there are any. */
static int deliver_late(struct checker *c, int fd, const struct reader_options *opts) {
        if (!c->late_fn || c->nlate == 0)
                return 0;
        qsort(c->late, c->nlate, sizeof(*c->late), cmp_line);
        size_t n = 0;
        for (size_t i = 0; i < c->nlate; i++)
                if (n == 0 || c->late[n - 1] != c->late[i])
                        c->late[n++] = c->late[i];
        c->nlate = n;
        return reader_read_lines(fd, opts, c->late, n, late_record, c);
}

int checker_check_fd(struct checker *c, int fd, const struct reader_options *opts, enum reader_encoding *ret_encoding) {
        _cleanup_(reader_freep) struct reader *reader = NULL;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
                presize_key_tables(c, st.st_size);
        int e = reader_new(fd, opts, &reader);
        if (e < 0)
                return e;
        e = reader_read(reader, checker_record, c);
        if (ret_encoding)
                *ret_encoding = reader_encoding_used(reader);
        if (e == -EBADMSG) {
                unsigned long line;
                const char *reason;
                reader_error(reader, &line, &reason);
                e = checker_unreadable(c, line, reason);
        }
        if (e < 0)
                return e;
        e = checker_finish(c);
        if (e < 0)
                return e;
        return deliver_late(c, fd, opts);
}
