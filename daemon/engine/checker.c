/*
 * The checker applies a compiled pack to one file's records.
 *
 * Per record it decodes every declared field once (type, code index, month number, restored
 * zeros) into a preallocated array, then walks the rules in pack order: builtins inspect
 * the decoded array, record rules run their byte code on it. Nothing is allocated per
 * record on the clean path; a finding's message is formatted into reused buffers.
 *
 * Cross-record state: a hash set of 128-bit key fingerprints (XXH3) for unique rules, and a
 * list of intervals for overlap rules that is sorted and swept when the file is complete.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <xxhash.h>

#include "checker.h"
#include "pack.h"
#include "strbuf.h"

/* One key fingerprint in a unique rule's table: 96 bits of the 128-bit hash plus the line
 * of the first occurrence. A false match needs a 96-bit collision, about 10^-17 for a
 * million keys; line 0 marks a free slot since data records start on line 2 or later. */
struct key_slot {
        uint64_t hash_hi;
        uint32_t hash_lo;
        uint32_t line;
};

struct key_table {
        struct key_slot *slots;
        size_t cap, used;       /* cap is a power of two */
};

/* Slot arrays are mapped, not malloc'd: a million keys make a 32 MB table that is hit at
 * random, and on huge pages those hits stop missing the TLB as well as the cache. */
static struct key_slot *slots_alloc(size_t cap) {
        void *p = mmap(NULL, cap * sizeof(struct key_slot), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        if (cap * sizeof(struct key_slot) >= 2u * 1024 * 1024)
                (void) madvise(p, cap * sizeof(struct key_slot), MADV_HUGEPAGE);
        return p;
}

static void slots_free(struct key_slot *slots, size_t cap) {
        if (slots)
                munmap(slots, cap * sizeof(struct key_slot));
}

struct interval {
        uint64_t group_hi, group_lo;
        int32_t begin, end;
        uint32_t line;
        uint32_t seq;           /* order in the file */
        uint32_t text;          /* offset of "key\0group\0" in the overlap text buffer */
        bool had_error, had_warning;
};

struct overlap_state {
        struct interval *items;
        size_t n, cap;
        struct strbuf text;
};

struct checker {
        const struct ruleset *rs;
        checker_finding_fn fn;
        void *userdata;
        checker_record_fn record_fn;
        void *record_userdata;

        bool header_seen;
        bool stop;              /* file rejected: later records are only counted */
        size_t ncolumns;
        int *column;            /* per field: its column in the file, -1 when absent */
        char *unknown_columns;

        struct field_value *vals;       /* per field, for the current record */
        char (*restored)[24];           /* per field: a digits value with its zeros restored */
        const char **expected;          /* per field: what a valid value looks like (German) */
        const struct reader_record *rec;
        bool rec_error, rec_warning;
        bool rec_empty_required, rec_bad_code, rec_bad_format; /* set by decode() for the builtins */
        bool key_ready;
        struct strbuf key, message, value;
        char first_value[64];           /* same_as_first: the value of the first record */
        bool first_seen;

        unsigned long *share_count;     /* per rule */
        unsigned long share_total;
        struct key_table *tables;       /* per rule */
        XXH128_hash_t *unique_hash;     /* per rule: the current record's key hash */
        uint64_t *verdicts;             /* per rule: a record rule fired on the current record */
        bool has_unique;
        struct overlap_state *overlaps; /* per rule */
        uint32_t seq;

        struct checker_stats stats;
};

static const char *expected_text(struct checker *c, const struct ruleset *rs, unsigned f) {
        const struct field *fd = &rs->fields[f];
        char buf[160];
        switch (fd->type) {
        case FIELD_DIGITS:
                if ((int) f == rs->year_field)
                        snprintf(buf, sizeof(buf), "ein Berichtsjahr von %d bis %d", rs->year_first, rs->year_last);
                else
                        snprintf(buf, sizeof(buf), "%u Ziffer%s", fd->length, fd->length == 1 ? "" : "n");
                break;
        case FIELD_MONTH:
                snprintf(buf, sizeof(buf), "Monat und Jahr als MM.JJJJ, Jahr 1900 bis 2100");
                break;
        case FIELD_INTEGER:
                if ((int) f == rs->year_field)
                        snprintf(buf, sizeof(buf), "ein Berichtsjahr von %d bis %d", rs->year_first, rs->year_last);
                else if (fd->min != INT64_MIN && fd->max != INT64_MAX)
                        snprintf(buf, sizeof(buf), "eine ganze Zahl von %lld bis %lld", (long long) fd->min,
                                 (long long) fd->max);
                else if (fd->min != INT64_MIN)
                        snprintf(buf, sizeof(buf), "eine ganze Zahl ab %lld", (long long) fd->min);
                else
                        snprintf(buf, sizeof(buf), "eine ganze Zahl");
                break;
        case FIELD_TEXT:
                snprintf(buf, sizeof(buf), "höchstens %u Zeichen", fd->max_length);
                break;
        case FIELD_CODE:
                snprintf(buf, sizeof(buf), "ein Code der Liste %s", fd->codes->name);
                break;
        }
        (void) c;
        return strdup(buf);
}

int checker_new(const struct ruleset *rs, checker_finding_fn fn, void *userdata, struct checker **ret) {
        struct checker *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->rs = rs;
        c->fn = fn;
        c->userdata = userdata;
        c->column = calloc(rs->nfields, sizeof(*c->column));
        c->vals = calloc(rs->nfields, sizeof(*c->vals));
        c->restored = calloc(rs->nfields, sizeof(*c->restored));
        c->expected = calloc(rs->nfields, sizeof(*c->expected));
        c->share_count = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->share_count));
        c->tables = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->tables));
        c->unique_hash = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->unique_hash));
        c->verdicts = calloc(rs->nrules / 64 + 1, sizeof(*c->verdicts));
        for (unsigned i = 0; i < rs->nrules; i++)
                c->has_unique |= rs->rules[i].kind == RULE_UNIQUE;
        c->overlaps = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->overlaps));
        c->stats.per_rule = calloc(rs->nrules ? rs->nrules : 1, sizeof(*c->stats.per_rule));
        if (!c->column || !c->vals || !c->restored || !c->expected || !c->share_count || !c->tables || !c->unique_hash || !c->verdicts || !c->overlaps ||
            !c->stats.per_rule) {
                checker_free(c);
                return -ENOMEM;
        }
        for (unsigned i = 0; i < rs->nfields; i++) {
                c->column[i] = -1;
                if (!(c->expected[i] = expected_text(c, rs, i))) {
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
        free(c->share_count);
        if (c->tables)
                for (unsigned i = 0; i < c->rs->nrules; i++)
                        slots_free(c->tables[i].slots, c->tables[i].cap);
        free(c->tables);
        free(c->unique_hash);
        free(c->verdicts);
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
        free(c);
}

const struct checker_stats *checker_stats(const struct checker *c) {
        return &c->stats;
}

const char *checker_unknown_columns(const struct checker *c) {
        return c->unknown_columns;
}

/* ---- formatting ---- */

static int put_month(struct strbuf *b, int64_t m) {
        int64_t y = m >= 0 ? m / 12 : (m - 11) / 12;
        return strbuf_printf(b, "%02d.%04d", (int) (m - y * 12 + 1), (int) y);
}

/* Formats the result of a message expression. An expression that is just a field shows
 * that field as read when it is empty or invalid, so that the message names the bad value. */
static int put_value(struct checker *c, struct strbuf *b, const struct program *p, struct vm_value v) {
        const struct ruleset *rs = c->rs;
        if (v.unknown) {
                if (p->n == 1 && (p->code[0].op == OP_FIELD || p->code[0].op == OP_TOSTR || p->code[0].op == OP_LABEL))
                        return strbuf_puts(b, c->vals[p->code[0].a].raw ? c->vals[p->code[0].a].raw : "");
                return strbuf_puts(b, "–");
        }
        switch (p->type) {
        case VT_BOOL: return strbuf_puts(b, v.i ? "ja" : "nein");
        case VT_INT: return strbuf_printf(b, "%lld", (long long) v.i);
        case VT_MONTH: return put_month(b, v.i);
        case VT_CODE: return strbuf_puts(b, rs->fields[p->type_ref].codes->codes[v.i]);
        case VT_DIGITS:
        case VT_TEXT:
        case VT_STRING:
        case VT_LEVEL: return strbuf_append(b, v.s ? v.s : "", v.len);
        }
        return 0;
}

static int format_message(struct checker *c, const struct rule *r, const char *const *ctx) {
        strbuf_reset(&c->message);
        for (unsigned i = 0; i < r->message.n; i++) {
                const struct segment *s = &r->message.segs[i];
                int e;
                if (s->text)
                        e = strbuf_append(&c->message, s->text, s->len);
                else if (s->ctx >= 0)
                        e = strbuf_puts(&c->message, ctx && ctx[s->ctx] ? ctx[s->ctx] : "");
                else
                        e = put_value(c, &c->message, &s->prog, vm_eval(c->rs, &s->prog, c->vals, NULL));
                if (e < 0)
                        return e;
        }
        return 0;
}

static int build_key(struct checker *c) {
        if (c->key_ready)
                return 0;
        strbuf_reset(&c->key);
        for (unsigned i = 0; i < c->rs->nkey; i++) {
                const struct field_value *v = &c->vals[c->rs->key[i]];
                int e = strbuf_append(&c->key, "-", i > 0);
                if (e >= 0)
                        e = v->state == FV_OK ? strbuf_append(&c->key, v->s, v->len) : strbuf_puts(&c->key, v->raw ? v->raw : "");
                if (e < 0)
                        return e;
        }
        c->key_ready = true;
        return 0;
}

/* Reports one finding. line 0 = about the file; field -1 = no field. */
static int emit(struct checker *c, unsigned rule, unsigned long line, int field, const char *value,
                const char *const *ctx, const char *key) {
        const struct rule *r = &c->rs->rules[rule];
        int e = format_message(c, r, ctx);
        if (e < 0)
                return e;
        if (!key) {
                if (line && c->rec) {
                        e = build_key(c);
                        if (e < 0)
                                return e;
                        key = strbuf_str(&c->key);
                } else
                        key = "";
        }
        if (!value)
                value = field >= 0 && line && c->rec && c->vals[field].raw ? c->vals[field].raw : "";
        c->stats.per_rule[rule]++;
        if (r->severity == SEVERITY_FILE)
                c->stats.file_rejected = true;
        else if (r->severity == SEVERITY_ERROR)
                c->rec_error = true;
        else
                c->rec_warning = true;
        struct finding f = {
                .line = line,
                .key = key,
                .rule = rule,
                .rule_id = r->id,
                .severity = r->severity,
                .field = field >= 0 ? c->rs->fields[field].name : "",
                .value = value,
                .message = strbuf_str(&c->message),
        };
        return c->fn(c->userdata, &f);
}

int checker_emit(struct checker *c, unsigned rule, const char *key, const char *value, const char *const *ctx) {
        c->rec = NULL;
        return emit(c, rule, 0, c->rs->rules[rule].field, value, ctx, key);
}

/* ---- header ---- */

static int header(struct checker *c, const struct reader_record *rec) {
        const struct ruleset *rs = c->rs;
        struct strbuf unknown = {0};
        int e = 0;
        c->ncolumns = rec->nfields;
        for (size_t col = 0; col < rec->nfields && e >= 0; col++) {
                const char *name = rec->fields[col];
                int f = -1;
                for (unsigned i = 0; i < rs->nfields && f < 0; i++) {
                        if (strcasecmp(rs->fields[i].name, name) == 0)
                                f = (int) i;
                        for (unsigned j = 0; j < rs->fields[i].naliases && f < 0; j++)
                                if (strcasecmp(rs->fields[i].aliases[j], name) == 0)
                                        f = (int) i;
                }
                if (f < 0) {
                        e = strbuf_printf(&unknown, "%s%s", unknown.len ? ", " : "", *name ? name : "(leer)");
                        continue;
                }
                if (c->column[f] >= 0) {
                        /* Two columns for one field: which one holds the data is anyone's
                         * guess, so the file cannot be read reliably. */
                        int rule = rs->builtin_rule[BUILTIN_UNREADABLE];
                        char reason[200];
                        snprintf(reason, sizeof(reason), "die Spalte „%s“ kommt in der Kopfzeile mehrfach vor (Spalten %d und %zu)",
                                 rs->fields[f].name, c->column[f] + 1, col + 1);
                        if (rule >= 0) {
                                const char *ctx[_CTX_MAX] = {[CTX_REASON] = reason};
                                e = emit(c, (unsigned) rule, 0, f, "", ctx, "");
                        }
                        c->stop = true;
                        continue;
                }
                c->column[f] = (int) col;
        }
        for (unsigned i = 0; i < rs->nfields && e >= 0; i++)
                if (c->column[i] < 0 && rs->fields[i].column_required) {
                        int rule = rs->builtin_rule[BUILTIN_MISSING_COLUMN];
                        if (rule >= 0) {
                                const char *ctx[_CTX_MAX] = {[CTX_COLUMN] = rs->fields[i].name};
                                e = emit(c, (unsigned) rule, 0, (int) i, "", ctx, "");
                        }
                        c->stop = true;
                }
        if (unknown.len && e >= 0)
                c->unknown_columns = strdup(unknown.data);
        strbuf_done(&unknown);
        return e;
}

/* ---- decoding ---- */

static bool all_digits(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return len > 0;
}

static int64_t digits_value(const char *s, size_t len) {
        int64_t v = 0;
        for (size_t i = 0; i < len; i++)
                v = v * 10 + (s[i] - '0');
        return v;
}

/* Reads a run of 1..max digits; returns its length or 0. */
static size_t digit_run(const char *s, size_t len, size_t max, int *ret) {
        size_t i = 0;
        int v = 0;
        while (i < len && i < max + 1 && s[i] >= '0' && s[i] <= '9')
                v = v * 10 + (s[i++] - '0');
        if (i == 0 || i > max)
                return 0;
        *ret = v;
        return i;
}

/* Months: MM.YYYY, M.YYYY, MM/YYYY, YYYY-MM, DD.MM.YYYY (the day is dropped). */
static bool parse_month(const char *s, size_t len, int64_t *ret) {
        int a, b, cval, year, month;
        size_t n1 = digit_run(s, len, 4, &a);
        if (!n1 || n1 == len)
                return false;
        char sep = s[n1];
        size_t n2 = digit_run(s + n1 + 1, len - n1 - 1, 4, &b);
        if (!n2)
                return false;
        size_t used = n1 + 1 + n2;
        if (n1 == 4 && sep == '-' && n2 <= 2 && used == len) {
                year = a;
                month = b;
        } else if (n1 <= 2 && (sep == '.' || sep == '/') && n2 == 4 && used == len) {
                month = a;
                year = b;
        } else if (n1 <= 2 && sep == '.' && n2 <= 2 && used < len && s[used] == '.') {
                size_t n3 = digit_run(s + used + 1, len - used - 1, 4, &cval);
                if (n3 != 4 || used + 1 + n3 != len || a < 1 || a > 31)
                        return false;
                month = b;
                year = cval;
        } else
                return false;
        if (month < 1 || month > 12 || year < 1900 || year > 2100)
                return false;
        *ret = (int64_t) year * 12 + month - 1;
        return true;
}

static size_t utf8_chars(const char *s, size_t len) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                n += ((unsigned char) s[i] & 0xC0) != 0x80;
        return n;
}

static void decode(struct checker *c, const struct reader_record *rec) {
        const struct ruleset *rs = c->rs;
        bool empty_required = false, bad_code = false, bad_format = false;
        for (unsigned f = 0; f < rs->nfields; f++) {
                const struct field *fd = &rs->fields[f];
                struct field_value *v = &c->vals[f];
                int col = c->column[f];
                const char *s = col >= 0 ? rec->fields[col] : "";
                size_t len = col >= 0 ? rec->lengths[col] : 0;
                v->raw = s;
                /* libcsv trims unquoted fields; a quoted field of blanks is empty too. */
                while (len > 0 && (*s == ' ' || *s == '\t'))
                        s++, len--;
                while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                        len--;
                v->s = s;
                v->len = (uint32_t) len;
                v->i = 0;
                if (len == 0) {
                        v->state = FV_EMPTY;
                        empty_required |= fd->required;
                        continue;
                }
                v->state = FV_INVALID;
                switch (fd->type) {
                case FIELD_DIGITS:
                        if (!all_digits(s, len) || len > fd->length)
                                break;
                        if (len < fd->length) {
                                if (!fd->restore_zeros)
                                        break;
                                size_t pad = fd->length - len;
                                char *restored = c->restored[f];
                                memset(restored, '0', pad);
                                memcpy(restored + pad, s, len);
                                restored[fd->length] = 0;
                                v->s = restored;
                                v->len = fd->length;
                        }
                        v->i = digits_value(v->s, v->len);
                        if ((int) f == rs->year_field && (v->i < rs->year_first || v->i > rs->year_last))
                                break;
                        v->state = FV_OK;
                        break;
                case FIELD_CODE: {
                        const struct codelist *cl = fd->codes;
                        if (!fd->restore_zeros && cl->common_len && len < cl->common_len)
                                break;
                        int idx = codelist_find(cl, s, len);
                        if (idx < 0)
                                break;
                        v->i = idx;
                        v->s = cl->codes[idx];
                        v->len = cl->lens[idx];
                        v->state = FV_OK;
                        break;
                }
                case FIELD_MONTH:
                        if (parse_month(s, len, &v->i))
                                v->state = FV_OK;
                        break;
                case FIELD_INTEGER: {
                        size_t i = 0;
                        bool neg = false;
                        if (s[0] == '-' || s[0] == '+') {
                                neg = s[0] == '-';
                                i = 1;
                        }
                        if (len - i > 15 || !all_digits(s + i, len - i))
                                break;
                        v->i = digits_value(s + i, len - i) * (neg ? -1 : 1);
                        if (v->i < fd->min || v->i > fd->max)
                                break;
                        if ((int) f == rs->year_field && (v->i < rs->year_first || v->i > rs->year_last))
                                break;
                        v->state = FV_OK;
                        break;
                }
                case FIELD_TEXT:
                        if (!fd->max_length || utf8_chars(s, len) <= fd->max_length)
                                v->state = FV_OK;
                        break;
                }
                if (v->state == FV_INVALID) {
                        if (fd->type == FIELD_CODE)
                                bad_code = true;
                        else
                                bad_format = true;
                }
        }
        /* Most records are clean: the builtins look at the fields only when told to. */
        c->rec_empty_required = empty_required;
        c->rec_bad_code = bad_code;
        c->rec_bad_format = bad_format;
}

/* ---- cross-record state ---- */

static int key_table_insert(struct key_table *t, XXH128_hash_t h, uint32_t line, uint32_t *ret_first) {
        if (t->used * 4 >= t->cap * 3) {
                size_t cap = t->cap ? t->cap * 2 : 4096;
                struct key_slot *slots = slots_alloc(cap);
                if (!slots)
                        return -ENOMEM;
                for (size_t i = 0; i < t->cap; i++) {
                        struct key_slot *s = &t->slots[i];
                        if (!s->line)
                                continue;
                        size_t j = s->hash_hi & (cap - 1);
                        while (slots[j].line)
                                j = (j + 1) & (cap - 1);
                        slots[j] = *s;
                }
                slots_free(t->slots, t->cap);
                t->slots = slots;
                t->cap = cap;
        }
        uint32_t lo = (uint32_t) h.low64;
        for (size_t j = h.high64 & (t->cap - 1);; j = (j + 1) & (t->cap - 1)) {
                struct key_slot *s = &t->slots[j];
                if (!s->line) {
                        *s = (struct key_slot) {.hash_hi = h.high64, .hash_lo = lo, .line = line};
                        t->used++;
                        *ret_first = 0;
                        return 0;
                }
                if (s->hash_hi == h.high64 && s->hash_lo == lo) {
                        *ret_first = s->line;
                        return 0;
                }
        }
}

/* Hashes the fields' values, each preceded by its length so that ("1","23") and ("12","3")
 * differ. The normalised value is used when valid, so "5" and "05" are one key. */
static int hash_fields(struct checker *c, const unsigned *fields, unsigned n, XXH128_hash_t *ret) {
        char local[512];
        size_t used = 0;
        struct strbuf *b = &c->value;
        strbuf_reset(b);
        for (unsigned i = 0; i < n; i++) {
                const struct field_value *v = &c->vals[fields[i]];
                const char *s = v->state == FV_OK ? v->s : (v->raw ? v->raw : "");
                uint32_t len = v->state == FV_OK ? v->len : (uint32_t) strlen(s);
                if (b->len == 0 && used + sizeof(len) + len <= sizeof(local)) {
                        memcpy(local + used, &len, sizeof(len));
                        memcpy(local + used + sizeof(len), s, len);
                        used += sizeof(len) + len;
                        continue;
                }
                /* Long keys: continue in the heap buffer. */
                int e = b->len == 0 ? strbuf_append(b, local, used) : 0;
                if (e >= 0)
                        e = strbuf_append(b, &len, sizeof(len));
                if (e >= 0)
                        e = strbuf_append(b, s, len);
                if (e < 0)
                        return e;
        }
        *ret = b->len ? XXH3_128bits(b->data, b->len) : XXH3_128bits(local, used);
        return 0;
}

/* Hashes the record's key for a unique rule and prefetches its slot: the table is far
 * bigger than the caches, and the other rules run while the slot is on its way. */
static int prepare_unique(struct checker *c, unsigned ri) {
        const struct rule *r = &c->rs->rules[ri];
        int e = hash_fields(c, r->unique, r->nunique, &c->unique_hash[ri]);
        struct key_table *t = &c->tables[ri];
        if (e >= 0 && t->cap)
                __builtin_prefetch(&t->slots[c->unique_hash[ri].high64 & (t->cap - 1)]);
        return e;
}

static int check_unique(struct checker *c, unsigned ri) {
        const struct rule *r = &c->rs->rules[ri];
        uint32_t first = 0;
        int e = key_table_insert(&c->tables[ri], c->unique_hash[ri], (uint32_t) c->rec->line, &first);
        if (e < 0 || !first)
                return e;
        char line[24];
        snprintf(line, sizeof(line), "%u", first);
        const char *ctx[_CTX_MAX] = {[CTX_FIRST] = line};
        return emit(c, ri, c->rec->line, r->field, NULL, ctx, NULL);
}

/* Remembers the record's interval for an overlap rule; returns the entry index or -1. */
static int collect_interval(struct checker *c, unsigned ri, ssize_t *ret_index) {
        const struct rule *r = &c->rs->rules[ri];
        *ret_index = -1;
        const struct field_value *g = &c->vals[r->group];
        if (g->state != FV_OK)
                return 0;
        if (r->prog.n) {
                struct vm_value w = vm_eval(c->rs, &r->prog, c->vals, NULL);
                if (w.unknown || !w.i)
                        return 0;
        }
        struct vm_value b = vm_eval(c->rs, &r->begin, c->vals, NULL), en = vm_eval(c->rs, &r->end, c->vals, NULL);
        if (b.unknown || en.unknown)
                return 0;
        struct overlap_state *o = &c->overlaps[ri];
        if (o->n == o->cap) {
                size_t cap = o->cap ? o->cap * 2 : 1024;
                struct interval *p = realloc(o->items, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                o->items = p;
                o->cap = cap;
        }
        int e = build_key(c);
        if (e < 0)
                return e;
        uint32_t text = (uint32_t) o->text.len;
        e = strbuf_append(&o->text, c->key.data ? c->key.data : "", c->key.len + 1);
        if (e >= 0)
                e = strbuf_append(&o->text, g->s, g->len);
        if (e >= 0)
                e = strbuf_append(&o->text, "", 1);
        if (e < 0)
                return e;
        XXH128_hash_t h = XXH3_128bits(g->s, g->len);
        o->items[o->n] = (struct interval) {
                .group_hi = h.high64, .group_lo = h.low64, .begin = (int32_t) b.i, .end = (int32_t) en.i,
                .line = (uint32_t) c->rec->line, .seq = c->seq, .text = text,
        };
        *ret_index = (ssize_t) o->n++;
        return 0;
}

static int cmp_interval(const void *a, const void *b) {
        const struct interval *x = a, *y = b;
        if (x->group_hi != y->group_hi)
                return x->group_hi < y->group_hi ? -1 : 1;
        if (x->group_lo != y->group_lo)
                return x->group_lo < y->group_lo ? -1 : 1;
        if (x->begin != y->begin)
                return x->begin < y->begin ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_line(const void *a, const void *b) {
        const struct interval *const *x = a, *const *y = b;
        return (*x)->seq < (*y)->seq ? -1 : (*x)->seq > (*y)->seq;
}

/*
 * Within each group, sorted by begin (then file order), a record B overlaps an earlier one
 * A when B.begin < A.end and A.begin < B.end. For an interval of positive length the second
 * half holds for every earlier A (A.begin <= B.begin < B.end), so it is enough to compare
 * with the latest end seen so far in the group: one pass. An interval of no length (begin
 * = end, an aid within one month; or end before begin, already a D02 error) needs the
 * second half checked too, so it is compared with each earlier record of its group; groups
 * are one person's aids, so that stays short. Reported records stay in the sweep: the rule
 * is about pairs, and the later one of each overlapping pair is the one reported.
 */
static int finish_overlap(struct checker *c, unsigned ri) {
        struct overlap_state *o = &c->overlaps[ri];
        if (!o->n)
                return 0;
        qsort(o->items, o->n, sizeof(*o->items), cmp_interval);
        struct interval **hits = malloc(o->n * sizeof(*hits));
        uint32_t *other = malloc(o->n * sizeof(*other));
        if (!hits || !other) {
                free(hits);
                free(other);
                return -ENOMEM;
        }
        size_t nhits = 0, group_start = 0;
        const struct interval *latest = NULL;
        for (size_t i = 0; i < o->n; i++) {
                struct interval *it = &o->items[i];
                if (!latest || latest->group_hi != it->group_hi || latest->group_lo != it->group_lo) {
                        latest = it;
                        group_start = i;
                        continue;
                }
                const struct interval *with = NULL;
                if (it->end > it->begin) {
                        if (it->begin < latest->end)
                                with = latest;
                } else
                        for (size_t j = group_start; j < i && !with; j++)
                                if (o->items[j].begin < it->end && it->begin < o->items[j].end)
                                        with = &o->items[j];
                if (with) {
                        other[i] = (uint32_t) (with - o->items);
                        hits[nhits++] = it;
                }
                if (it->end > latest->end)
                        latest = it;
        }
        /* Report in file order, as a reader of the findings expects. */
        qsort(hits, nhits, sizeof(*hits), cmp_line);
        int e = 0;
        const struct rule *r = &c->rs->rules[ri];
        for (size_t k = 0; k < nhits && e >= 0; k++) {
                const struct interval *it = hits[k], *ot = &o->items[other[it - o->items]];
                char line[24], b1[16], e1[16], b2[16], e2[16];
                struct strbuf tmp = {0};
                snprintf(line, sizeof(line), "%u", ot->line);
                const int64_t months[4] = {it->begin, it->end, ot->begin, ot->end};
                char *out[4] = {b1, e1, b2, e2};
                for (int m = 0; m < 4; m++) {
                        strbuf_reset(&tmp);
                        if (put_month(&tmp, months[m]) < 0)
                                e = -ENOMEM;
                        snprintf(out[m], 16, "%s", strbuf_str(&tmp));
                }
                strbuf_done(&tmp);
                const char *key = o->text.data + it->text;
                const char *group = key + strlen(key) + 1;
                const char *ctx[_CTX_MAX] = {[CTX_OTHER] = line, [CTX_GROUP] = group, [CTX_BEGIN] = b1,
                                             [CTX_END] = e1, [CTX_OTHER_BEGIN] = b2, [CTX_OTHER_END] = e2};
                if (e < 0)
                        break;
                c->rec = NULL;
                e = emit(c, ri, it->line, r->field, b1, ctx, key);
                if (r->severity == SEVERITY_ERROR && !it->had_error) {
                        c->stats.rejected++;
                        if (it->had_warning)
                                c->stats.warned--;
                } else if (r->severity == SEVERITY_WARNING && !it->had_error && !it->had_warning)
                        c->stats.warned++;
        }
        free(hits);
        free(other);
        return e;
}

/* ---- records ---- */

static int run_builtin(struct checker *c, unsigned ri) {
        const struct ruleset *rs = c->rs;
        const struct rule *r = &rs->rules[ri];
        int e = 0;
        switch (r->builtin) {
        case BUILTIN_REQUIRED:
                for (unsigned f = 0; c->rec_empty_required && f < rs->nfields && e >= 0; f++)
                        if (rs->fields[f].required && c->vals[f].state == FV_EMPTY) {
                                const char *ctx[_CTX_MAX] = {[CTX_FIELD] = rs->fields[f].label};
                                e = emit(c, ri, c->rec->line, (int) f, NULL, ctx, NULL);
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
                                e = emit(c, ri, c->rec->line, (int) f, NULL, ctx, NULL);
                        }
                break;
        case BUILTIN_SAME_AS_FIRST: {
                const struct field_value *v = &c->vals[r->field];
                if (v->state != FV_OK)
                        break;
                if (!c->first_seen) {
                        /* The first record that has a valid value sets what the file is about;
                         * an empty or invalid one is already P01/P03's finding. */
                        snprintf(c->first_value, sizeof(c->first_value), "%.*s", (int) v->len, v->s);
                        c->first_seen = true;
                        break;
                }
                if (strlen(c->first_value) != v->len || memcmp(c->first_value, v->s, v->len) != 0) {
                        const char *ctx[_CTX_MAX] = {[CTX_VALUE] = v->raw, [CTX_EXPECTED] = c->first_value};
                        e = emit(c, ri, c->rec->line, r->field, NULL, ctx, NULL);
                }
                break;
        }
        case BUILTIN_ENCODING:
                if (c->rec->bad_encoding)
                        e = emit(c, ri, c->rec->line, -1, "", NULL, NULL);
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

int checker_record(void *checker, const struct reader_record *rec) {
        struct checker *c = checker;
        const struct ruleset *rs = c->rs;
        if (!c->header_seen) {
                c->header_seen = true;
                return header(c, rec);
        }
        c->stats.records++;
        c->seq++;
        if (c->stop)
                return 0;
        c->rec = rec;
        c->rec_error = c->rec_warning = false;
        c->key_ready = false;
        int e = 0;
        if (rec->nfields != c->ncolumns) {
                /* The fields no longer line up with the header, so every other rule would
                 * read the wrong columns: report only this. */
                int rule = rs->builtin_rule[BUILTIN_FIELD_COUNT];
                for (unsigned f = 0; f < rs->nfields; f++)
                        c->vals[f] = (struct field_value) {.state = FV_INVALID, .raw = ""};
                if (rule >= 0) {
                        char count[24], expected[24];
                        snprintf(count, sizeof(count), "%zu", rec->nfields);
                        snprintf(expected, sizeof(expected), "%zu", c->ncolumns);
                        const char *ctx[_CTX_MAX] = {[CTX_COUNT] = count, [CTX_EXPECTED] = expected};
                        e = emit(c, (unsigned) rule, rec->line, -1, "", ctx, "");
                } else
                        c->rec_error = true;
                return e < 0 ? e : record_done(c, rec);
        }
        decode(c, rec);
        c->share_total++;
        for (unsigned ri = 0; c->has_unique && ri < rs->nrules && e >= 0; ri++)
                if (rs->rules[ri].kind == RULE_UNIQUE)
                        e = prepare_unique(c, ri);
        /* All record rules in one run of the byte code; the loop below reports them in
         * pack order. */
        memset(c->verdicts, 0, (rs->nrules / 64 + 1) * sizeof(uint64_t));
        vm_eval(rs, &rs->checks, c->vals, c->verdicts);
        ssize_t intervals[8];
        unsigned nintervals = 0;
        for (unsigned ri = 0; ri < rs->nrules && e >= 0; ri++) {
                const struct rule *r = &rs->rules[ri];
                switch (r->kind) {
                case RULE_CHECK:
                        if (c->verdicts[ri / 64] & (1ull << (ri % 64)))
                                e = emit(c, ri, rec->line, r->field, NULL, NULL, NULL);
                        break;
                case RULE_BUILTIN:
                        e = run_builtin(c, ri);
                        break;
                case RULE_SHARE: {
                        struct vm_value v = vm_eval(rs, &r->prog, c->vals, NULL);
                        if (!v.unknown && v.i)
                                c->share_count[ri]++;
                        break;
                }
                case RULE_UNIQUE:
                        e = check_unique(c, ri);
                        break;
                case RULE_PREVIOUS_YEAR:
                        /* Needs earlier deliveries: the loader runs it (history.c). */
                        break;
                case RULE_OVERLAP: {
                        ssize_t idx;
                        e = collect_interval(c, ri, &idx);
                        if (idx >= 0 && nintervals < ELEMENTSOF(intervals))
                                intervals[nintervals++] = (ssize_t) ri << 32 | idx;
                        break;
                }
                }
        }
        /* The overlap entries learn the record's verdict so that a late overlap finding
         * does not count a record as rejected twice. */
        for (unsigned k = 0; k < nintervals; k++) {
                struct interval *it = &c->overlaps[intervals[k] >> 32].items[intervals[k] & 0xffffffff];
                it->had_error = c->rec_error;
                it->had_warning = c->rec_warning;
        }
        return e < 0 ? e : record_done(c, rec);
}

int checker_unreadable(struct checker *c, unsigned long line, const char *reason) {
        int rule = c->rs->builtin_rule[BUILTIN_UNREADABLE];
        c->stats.file_rejected = true;
        c->stop = true;
        if (rule < 0)
                return 0;
        const char *ctx[_CTX_MAX] = {[CTX_REASON] = reason};
        c->rec = NULL;
        return emit(c, (unsigned) rule, line, -1, "", ctx, "");
}

int checker_finish(struct checker *c) {
        const struct ruleset *rs = c->rs;
        int e = 0;
        if (!c->header_seen) {
                e = checker_unreadable(c, 0, "die Datei enthält keine Kopfzeile (sie ist leer)");
                return e;
        }
        if (c->stop)
                return 0;
        for (unsigned ri = 0; ri < rs->nrules && e >= 0; ri++) {
                const struct rule *r = &rs->rules[ri];
                if (r->kind == RULE_OVERLAP)
                        e = finish_overlap(c, ri);
        }
        for (unsigned ri = 0; ri < rs->nrules && e >= 0; ri++) {
                const struct rule *r = &rs->rules[ri];
                if (r->kind != RULE_SHARE || c->share_total == 0)
                        continue;
                double share = (double) c->share_count[ri] / (double) c->share_total;
                if (share <= r->max_share)
                        continue;
                char num[32], pct[40], count[24], total[24];
                snprintf(pct, sizeof(pct), "%s %%", decimal_de(num, share * 100.0, false));
                snprintf(count, sizeof(count), "%lu", c->share_count[ri]);
                snprintf(total, sizeof(total), "%lu", c->share_total);
                const char *ctx[_CTX_MAX] = {[CTX_SHARE] = pct, [CTX_COUNT] = count, [CTX_TOTAL] = total};
                c->rec = NULL;
                e = emit(c, ri, 0, r->field, "", ctx, "");
        }
        return e;
}

/* Sizes the key tables for the records a file of this size probably holds, so that they
 * are not rebuilt (and their pages cleared) at every doubling on the way. An export record
 * is rarely under 100 bytes; a guess too low only means the usual growth. */
static void presize_key_tables(struct checker *c, off_t bytes) {
        size_t records = (size_t) (bytes / 128);
        size_t cap = 4096;
        while (cap * 3 / 4 < records && cap < ((size_t) 1 << 30))
                cap *= 2;
        for (unsigned i = 0; i < c->rs->nrules; i++) {
                struct key_table *t = &c->tables[i];
                if (c->rs->rules[i].kind != RULE_UNIQUE || t->cap)
                        continue;
                t->slots = slots_alloc(cap);
                if (t->slots)
                        t->cap = cap;
        }
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
        if (e == -EBADMSG) {
                unsigned long line;
                const char *reason;
                reader_error(reader, &line, &reason);
                e = checker_unreadable(c, line, reason);
        }
        if (e >= 0)
                e = checker_finish(c);
        if (ret_encoding)
                *ret_encoding = reader_encoding_used(reader);
        return e;
}
