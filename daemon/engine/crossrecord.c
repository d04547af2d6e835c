/*
 * Rules across records. Unique rules keep a hash set of 128-bit key fingerprints (XXH3)
 * per rule, prefetched while the other rules run, since a million keys are far bigger than
 * the caches. Overlap rules keep one interval per record that takes part and decide at the
 * end of the file with a sort and a sweep; a record they reject there after it was handed
 * on as clean is remembered for checker_on_late_record().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "array.h"
#include "calendar.h"
#include "check.h"

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

void key_table_free(struct key_table *t) {
        slots_free(t->slots, t->cap);
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
 * differ. The normalised value is used when valid, so "5" and "05" are one key, and a
 * month or a day is its number, so "3.2024" and "03.2024" are one too. */
static int hash_fields(struct checker *c, const unsigned *fields, unsigned n, XXH128_hash_t *ret) {
        char local[512];        /* most keys fit; longer ones continue in c->value below */
        size_t used = 0;
        struct strbuf *b = &c->value;
        strbuf_reset(b);
        for (unsigned i = 0; i < n; i++) {
                const struct field_value *v = &c->vals[fields[i]];
                const char *s = v->state == FV_OK ? v->s : (v->raw ? v->raw : "");
                uint32_t len = v->state == FV_OK ? v->len : (uint32_t) strlen(s);
                if (v->state == FV_OK && field_is_calendar(&c->fields[fields[i]])) {
                        s = (const char *) &v->i;
                        len = sizeof(v->i);
                }
                if (b->len == 0 && used + sizeof(len) + len <= sizeof(local)) {
                        memcpy(local + used, &len, sizeof(len));
                        memcpy(local + used + sizeof(len), s, len);
                        used += sizeof(len) + len;
                        continue;
                }
                /* Long keys: continue in the heap buffer. */
                int e;
                if (b->len == 0 && (e = strbuf_append(b, local, used)) < 0)
                        return e;
                if ((e = strbuf_append(b, &len, sizeof(len))) < 0 || (e = strbuf_append(b, s, len)) < 0)
                        return e;
        }
        *ret = b->len ? XXH3_128bits(b->data, b->len) : XXH3_128bits(local, used);
        return 0;
}

/* Hashes the record's key for a unique rule and prefetches its slot: the table is far
 * bigger than the caches, and the other rules run while the slot is on its way. */
int prepare_unique(struct checker *c, unsigned ri) {
        const struct rule *r = &c->rs->rules[ri];
        int e = hash_fields(c, r->unique, r->nunique, &c->unique_hash[ri]);
        struct key_table *t = &c->tables[ri];
        if (e >= 0 && t->cap)
                __builtin_prefetch(&t->slots[c->unique_hash[ri].high64 & (t->cap - 1)]);
        return e;
}

int check_unique(struct checker *c, unsigned ri) {
        const struct rule *r = &c->rs->rules[ri];
        uint32_t first = 0;
        int e = key_table_insert(&c->tables[ri], c->unique_hash[ri], (uint32_t) c->rec->line, &first);
        if (e < 0 || !first)
                return e;
        char line[24];          /* any uint32_t */
        snprintf(line, sizeof(line), "%u", first);
        const char *ctx[_CTX_MAX] = {[CTX_FIRST] = line};
        return checker_report(c, ri, c->rec->line, r->field, NULL, ctx, NULL);
}

/* Remembers the record's interval for an overlap rule; returns the entry index or -1. */
int collect_interval(struct checker *c, unsigned ri, ssize_t *ret_index) {
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
        bool running = false;
        if (r->running.n) {
                struct vm_value v = vm_eval(c->rs, &r->running, c->vals, NULL);
                running = !v.unknown && v.i;
        }
        struct overlap_state *o = &c->overlaps[ri];
        int e = ARRAY_GROW(o->items, o->n, o->cap);
        if (e < 0)
                return e;
        e = build_key(c);
        if (e < 0)
                return e;
        uint32_t text = (uint32_t) o->text.len;
        if ((e = strbuf_append(&o->text, c->key.data ? c->key.data : "", c->key.len + 1)) < 0 ||
            (e = strbuf_append(&o->text, g->s, g->len)) < 0 || (e = strbuf_append(&o->text, "", 1)) < 0)
                return e;
        XXH128_hash_t h = XXH3_128bits(g->s, g->len);
        o->items[o->n] = (struct interval) {
                .group_hi = h.high64, .group_lo = h.low64, .begin = (int32_t) b.i, .end = (int32_t) en.i,
                .line = (uint32_t) c->rec->line, .seq = c->seq, .text = text, .running = running,
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

/* Months of an overlap finding as MM.YYYY, like put_month(), dates as DD.MM.YYYY, like
 * put_date(). TIME_TEXT bytes are enough for any int32_t: a month's year takes at most 10
 * characters with its sign, a date's (2^31 days) at most 8, and the compiler, which cannot
 * know that a day has at most two digits, sees room for ten. */
#define TIME_TEXT 32
static const char *time_text(char buf[TIME_TEXT], enum value_type type, int32_t t) {
        if (type == VT_DATE) {
                int64_t y;
                unsigned m, d;
                calendar_civil_from_days(t, &y, &m, &d);
                snprintf(buf, TIME_TEXT, "%02u.%02u.%04lld", d, m, (long long) y);
                return buf;
        }
        int64_t y = t >= 0 ? t / 12 : ((int64_t) t - 11) / 12;
        snprintf(buf, TIME_TEXT, "%02d.%04d", (int) (t - y * 12 + 1), (int) y);
        return buf;
}

/*
 * Within each group, sorted by begin (then file order), a record B overlaps an earlier one
 * A when B.begin < A.end and A.begin < B.end. For an interval of positive length the second
 * half holds for every earlier A (A.begin <= B.begin < B.end), so it is enough to compare
 * with the latest end seen so far in the group: one pass. An interval of no length (begin
 * = end, an aid within one month or on one day; or end before begin, already a D02 error)
 * needs the second half checked too, so it is compared with each earlier record of its
 * group; groups are one person's aids, so that stays short. Reported records stay in the sweep: the rule
 * is about pairs, and the later one of each overlapping pair is the one reported.
 *
 * The sweep below finds, for every interval that overlaps an earlier one of its group, hits
 * gets it and other[its index] the index of that earlier one; returns the number of hits.
 */
static size_t overlap_sweep(struct overlap_state *o, struct interval **hits, uint32_t *other) {
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
                        /* The stale record is the one rejected: a running aid that began
                         * earlier than an ended one was, as a rule, never closed. */
                        struct interval *bad = it;
                        const struct interval *good = with;
                        if (with->running && !it->running && with->begin < it->begin) {
                                bad = (struct interval *) with;
                                good = it;
                        }
                        if (!bad->hit) {
                                bad->hit = true;
                                other[bad - o->items] = (uint32_t) (good - o->items);
                                hits[nhits++] = bad;
                        }
                }
                if (it->end > latest->end)
                        latest = it;
        }
        return nhits;
}

static void span_text(char buf[3 * TIME_TEXT], bool running, const char *begin, const char *end) {
        if (running)
                snprintf(buf, 3 * TIME_TEXT, "seit %s, andauernd", begin);
        else
                snprintf(buf, 3 * TIME_TEXT, "%s bis %s", begin, end);
}

/* A record that an error here rejects after the record callback passed it as clean: counted
 * as rejected now, and remembered for checker_on_late_record(). */
static int reject_late(struct checker *c, const struct interval *it) {
        c->stats.rejected++;
        if (it->had_warning)
                c->stats.warned--;
        if (!c->late_fn)
                return 0;
        int e = ARRAY_GROW(c->late, c->nlate, c->late_cap);
        if (e < 0)
                return e;
        c->late[c->nlate++] = it->line;
        return 0;
}

int finish_overlap(struct checker *c, unsigned ri) {
        struct overlap_state *o = &c->overlaps[ri];
        if (!o->n)
                return 0;
        qsort(o->items, o->n, sizeof(*o->items), cmp_interval);
        _cleanup_(freep) struct interval **hits = malloc(o->n * sizeof(*hits));
        _cleanup_(freep) uint32_t *other = malloc(o->n * sizeof(*other));
        if (!hits || !other)
                return -ENOMEM;
        size_t nhits = overlap_sweep(o, hits, other);
        /* Report in file order, as a reader of the findings expects. */
        qsort(hits, nhits, sizeof(*hits), cmp_line);
        const struct rule *r = &c->rs->rules[ri];
        for (size_t k = 0; k < nhits; k++) {
                const struct interval *it = hits[k], *ot = &o->items[other[it - o->items]];
                char line[24], b1[TIME_TEXT], e1[TIME_TEXT], b2[TIME_TEXT], e2[TIME_TEXT];  /* 24: any uint32_t */
                snprintf(line, sizeof(line), "%u", ot->line);
                const char *key = o->text.data + it->text;
                const char *group = key + strlen(key) + 1;
                enum value_type t = r->begin.type;      /* the end's too (compile_overlap) */
                const char *ctx[_CTX_MAX] = {
                        [CTX_OTHER] = line, [CTX_GROUP] = group, [CTX_BEGIN] = time_text(b1, t, it->begin),
                        [CTX_END] = time_text(e1, t, it->end), [CTX_OTHER_BEGIN] = time_text(b2, t, ot->begin),
                        [CTX_OTHER_END] = time_text(e2, t, ot->end)};
                /* A running aid's end is the report-year end only as a stand-in: it has none. */
                char s1[3 * TIME_TEXT], s2[3 * TIME_TEXT];
                span_text(s1, it->running, b1, e1);
                span_text(s2, ot->running, b2, e2);
                ctx[CTX_SPAN] = s1;
                ctx[CTX_OTHER_SPAN] = s2;
                c->rec = NULL;
                int e = checker_report(c, ri, it->line, r->field, b1, ctx, key);
                if (e < 0)
                        return e;
                if (r->severity == SEVERITY_ERROR && !it->had_error) {
                        e = reject_late(c, it);
                        if (e < 0)
                                return e;
                } else if (r->severity == SEVERITY_WARNING && !it->had_error && !it->had_warning)
                        c->stats.warned++;
        }
        return 0;
}

int checker_each_interval(struct checker *c, checker_interval_fn fn, void *userdata) {
        for (unsigned ri = 0; ri < c->rs->nrules; ri++) {
                const struct rule *r = &c->rs->rules[ri];
                const struct overlap_state *o = &c->overlaps[ri];
                if (r->kind != RULE_OVERLAP || r->severity != SEVERITY_ERROR)
                        continue;
                for (size_t k = 0; k < o->n; k++) {
                        const struct interval *it = &o->items[k];
                        if (it->had_error || it->hit)
                                continue;
                        const char *key = o->text.data + it->text;
                        const struct checker_interval iv = {
                                .rule = ri, .line = it->line, .group = key + strlen(key) + 1, .begin = it->begin,
                                .end = it->end, .running = it->running, .date = r->begin.type == VT_DATE};
                        int e = fn(userdata, &iv);
                        if (e < 0)
                                return e;
                }
        }
        return 0;
}

/* Sizes the key tables for the records a file of this size probably holds, so that they
 * are not rebuilt (and their pages cleared) at every doubling on the way. An export record
 * is rarely under 100 bytes; a guess too low only means the usual growth. */
void presize_key_tables(struct checker *c, off_t bytes) {
        /* A CSV record of the statistics is about 128 bytes; a fixed-width one is its
         * record length and line end. A table twice too big costs memory and cache misses. */
        size_t per_record = c->layout ? c->layout->record_length + 1 : 128;
        size_t records = (size_t) bytes / per_record;
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


