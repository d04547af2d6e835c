/*
 * Findings: a rule's message filled in for the record at hand (or the file), the record's
 * key, and the hand-over to the caller's callback with the statistics counted. Messages
 * are formatted into buffers the checker reuses, so a file with many findings does not
 * allocate per finding once the buffers have grown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "check.h"

char *expected_text(const struct ruleset *rs, unsigned f) {
        const struct field *fd = &rs->fields[f];
        char *s = NULL;
        int n = -1;
        switch (fd->type) {
        case FIELD_DIGITS:
                if ((int) f == rs->year_field)
                        n = asprintf(&s, "ein Berichtsjahr von %d bis %d", rs->year_first, rs->year_last);
                else
                        n = asprintf(&s, "%u Ziffer%s", fd->length, fd->length == 1 ? "" : "n");
                break;
        case FIELD_MONTH:
                n = asprintf(&s, "Monat und Jahr als MM.JJJJ, Jahr %d bis %d", CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX);
                break;
        case FIELD_DATE:
                /* "gültig": 31.04.2024 has the shape and is still no day of the calendar. */
                n = asprintf(&s, "ein gültiges Datum als TT.MM.JJJJ, Jahr %d bis %d", CALENDAR_YEAR_MIN,
                             CALENDAR_YEAR_MAX);
                break;
        case FIELD_INTEGER:
                if ((int) f == rs->year_field)
                        n = asprintf(&s, "ein Berichtsjahr von %d bis %d", rs->year_first, rs->year_last);
                else if (fd->min != INT64_MIN && fd->max != INT64_MAX)
                        n = asprintf(&s, "eine ganze Zahl von %lld bis %lld", (long long) fd->min, (long long) fd->max);
                else if (fd->min != INT64_MIN)
                        n = asprintf(&s, "eine ganze Zahl ab %lld", (long long) fd->min);
                else
                        n = asprintf(&s, "eine ganze Zahl");
                break;
        case FIELD_DECIMAL: {
                /* The limits are whole numbers (fields.c). */
                long long lo = fd->min / RULESET_DECIMAL_SCALE, hi = fd->max / RULESET_DECIMAL_SCALE;
                if (fd->min != INT64_MIN && fd->max != INT64_MAX)
                        n = asprintf(&s, "eine Zahl mit höchstens 6 Nachkommastellen von %lld bis %lld", lo, hi);
                else if (fd->min != INT64_MIN)
                        n = asprintf(&s, "eine Zahl mit höchstens 6 Nachkommastellen ab %lld", lo);
                else if (fd->max != INT64_MAX)
                        n = asprintf(&s, "eine Zahl mit höchstens 6 Nachkommastellen bis %lld", hi);
                else
                        n = asprintf(&s, "eine Zahl mit höchstens 6 Nachkommastellen");
                break;
        }
        case FIELD_TEXT:
                n = asprintf(&s, "höchstens %u Zeichen", fd->max_length);
                break;
        case FIELD_CODE:
                n = asprintf(&s, "ein Code der Liste %s", fd->codes->name);
                break;
        }
        return n < 0 ? NULL : s;
}

int put_decimal(struct strbuf *b, int64_t v, char point) {
        char frac[8];
        uint64_t a = v < 0 ? (uint64_t) -(v + 1) + 1 : (uint64_t) v;
        unsigned n = (unsigned) snprintf(frac, sizeof frac, "%06llu",
                                         (unsigned long long) (a % (uint64_t) RULESET_DECIMAL_SCALE));
        while (n > 0 && frac[n - 1] == '0')
                frac[--n] = 0;
        int r = strbuf_printf(b, "%s%llu", v < 0 ? "-" : "", (unsigned long long) (a / (uint64_t) RULESET_DECIMAL_SCALE));
        if (r >= 0 && n > 0)
                r = strbuf_printf(b, "%c%s", point, frac);
        return r;
}

int put_month(struct strbuf *b, int64_t m) {
        int64_t y = m >= 0 ? m / 12 : (m - 11) / 12;
        return strbuf_printf(b, "%02d.%04d", (int) (m - y * 12 + 1), (int) y);
}

int put_date(struct strbuf *b, int64_t days) {
        int64_t y;
        unsigned m, d;
        calendar_civil_from_days(days, &y, &m, &d);
        return strbuf_printf(b, "%02u.%02u.%04lld", d, m, (long long) y);
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
        case VT_DEC: return put_decimal(b, v.i, ',');
        case VT_MONTH: return put_month(b, v.i);
        case VT_DATE: return put_date(b, v.i);
        case VT_CODE: return strbuf_puts(b, rs->fields[p->type_ref].codes->codes[v.i]);
        case VT_DIGITS:
        case VT_TEXT:
        case VT_STRING:
        case VT_LEVEL: return strbuf_append(b, v.s ? v.s : "", v.len);
        }
        return 0;
}

static int format_message(struct checker *c, const struct rule *r, const char *const *ctx) {
        const struct message *m = c->layout && r->message_fixed.n ? &r->message_fixed : &r->message;
        strbuf_reset(&c->message);
        bool skip = false;
        for (unsigned i = 0; i < m->n; i++) {
                const struct segment *s = &m->segs[i];
                int e;
                if (s->cond != SEG_PLAIN) {
                        /* An unknown condition hides the text, like a false one. */
                        struct vm_value v = s->cond == SEG_IF ? vm_eval(c->rs, &s->prog, c->vals, NULL) : (struct vm_value) {0};
                        skip = s->cond == SEG_IF && (v.unknown || !v.i);
                        continue;
                }
                if (skip)
                        continue;
                /* One of three, each fallible: the result is checked once below. */
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

int build_key(struct checker *c) {
        if (c->key_ready)
                return 0;
        strbuf_reset(&c->key);
        for (unsigned i = 0; i < c->rs->nkey; i++) {
                const struct field_value *v = &c->vals[c->rs->key[i]];
                int e = strbuf_append(&c->key, "-", i > 0);
                if (e < 0)
                        return e;
                e = v->state == FV_OK ? strbuf_append(&c->key, v->s, v->len) : strbuf_puts(&c->key, v->raw ? v->raw : "");
                if (e < 0)
                        return e;
        }
        c->key_ready = true;
        return 0;
}

int checker_report(struct checker *c, unsigned rule, unsigned long line, int field, const char *value,
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
        return checker_report(c, rule, 0, c->rs->rules[rule].field, value, ctx, key);
}

/* ---- header ---- */


