/*
 * A rule's message: German text with placeholders in braces. A placeholder is either one
 * the rule's kind provides ({share}, {other}, ... -- struct rule's placeholders, from the
 * rule-kind table) or, for rules decided while the record is at hand, an expression over
 * the record ({beginn}, {label(hilfeart)}), compiled like a rule's condition. The message
 * becomes a list of segments that the checker fills without parsing anything per finding.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "compiler.h"
#include "strbuf.h"

/* A pack limit, reported as such: a message of more parts is a mistake, not a need. */
#define MESSAGE_MAX_PARTS 64

static const char *const ctx_names[_CTX_MAX] = {
        [CTX_FIELD] = "field", [CTX_VALUE] = "value", [CTX_EXPECTED] = "expected", [CTX_COUNT] = "count",
        [CTX_COLUMN] = "column", [CTX_REASON] = "reason", [CTX_FIRST] = "first", [CTX_OTHER] = "other",
        [CTX_SHARE] = "share", [CTX_TOTAL] = "total", [CTX_GROUP] = "group", [CTX_BEGIN] = "begin",
        [CTX_END] = "end", [CTX_OTHER_BEGIN] = "other_begin", [CTX_OTHER_END] = "other_end",
        [CTX_YEAR] = "year", [CTX_PREVIOUS_YEAR] = "previous_year", [CTX_KEY] = "key", [CTX_LINE] = "line",
        [CTX_DELIVERY] = "delivery", [CTX_UNIT] = "unit", [CTX_PREVIOUS] = "previous", [CTX_CHANGE] = "change",
        [CTX_FILE] = "file", [CTX_WINDOW_FROM] = "window_from", [CTX_WINDOW_TO] = "window_to",
        [CTX_OTHER_DATASET] = "other_dataset", [CTX_SPAN] = "span", [CTX_OTHER_SPAN] = "other_span",
};

/* Reports a placeholder that is neither the kind's nor (where allowed) an expression,
 * naming the ones the kind has. */
static void unknown_placeholder(struct compiler *c, const struct rule *r, const char *inner, unsigned line,
                                unsigned col) {
        const struct ruleset *rs = c->rs;
        _cleanup_(strbuf_done) struct strbuf list = {0};
        for (int i = 0; i < _CTX_MAX; i++)
                if ((r->placeholders & CTX_BIT(i)) &&
                    strbuf_printf(&list, "%s{%s}", list.len ? ", " : "", ctx_names[i]) < 0) {
                        c->nomem = true;
                        return;
                }
        const char *l = strbuf_str(&list);
        if (r->record_context)
                compiler_error(c, line, col,
                               "placeholder {%s} is not available in this kind of rule%s%s%s; fields are shown with their name, e.g. {%s}",
                               inner, *l ? " (it has " : "", l, *l ? ")" : "", rs->nfields ? rs->fields[0].name : "feld");
        else
                compiler_error(c, line, col, "unknown placeholder {%s} for this kind of rule (%s%s)", inner,
                               *l ? "it has " : "it has none", l);
}

/* The placeholder between the braces at brace..close into *s. Returns 0, or -EINVAL
 * (reported) or -ENOMEM. */
static int compile_placeholder(struct compiler *c, const struct rule *r, yaml_node_t *n, const char *text,
                               const char *brace, const char *close, struct segment *s) {
        struct srcmap map = srcmap_of(c, n, text, (size_t) (brace + 1 - text));
        unsigned line, col;
        srcmap_position(&map, 0, &line, &col);
        char *inner = arena_strndup(c->rs->arena, brace + 1, (size_t) (close - brace - 1));
        if (!inner) {
                c->nomem = true;
                return -ENOMEM;
        }
        *s = (struct segment) {.ctx = -1};
        /* {if EXPR} ... {/if}: the text between shows only when EXPR is true, so that a
         * message names only the fields that are wrong (records' rules only). */
        bool cond = strncmp(inner, "if ", 3) == 0;
        if (cond || strcmp(inner, "/if") == 0) {
                if (!r->record_context) {
                        compiler_error(c, line, col, "{if ...} needs a rule decided on one record");
                        return -EINVAL;
                }
                if (!cond) {
                        s->cond = SEG_ENDIF;
                        return 0;
                }
                s->cond = SEG_IF;
                struct srcmap at = srcmap_of(c, n, text, (size_t) (brace + 4 - text));
                int e = expr_compile(c, inner + 3, &at, &s->prog);
                if (e == 0 && s->prog.type != VT_BOOL) {
                        compiler_error(c, line, col, "{if ...} needs a condition (true or false), not a value");
                        return -EINVAL;
                }
                return e;
        }
        bool known_elsewhere = false;
        for (int i = 0; i < _CTX_MAX; i++)
                if (strcmp(inner, ctx_names[i]) == 0) {
                        if (r->placeholders & CTX_BIT(i))
                                s->ctx = i;
                        else
                                known_elsewhere = true;
                }
        if (s->ctx >= 0)
                return 0;
        if (!r->record_context || (known_elsewhere && ruleset_field_find(c->rs, inner) < 0)) {
                unknown_placeholder(c, r, inner, line, col);
                return -EINVAL;
        }
        c->allow_label = true;
        int e = expr_compile(c, inner, &map, &s->prog);
        c->allow_label = false;
        return e;
}

/* Appends a segment; the caller checked the limit. */
static int add_segment(struct compiler *c, struct segment **segs, size_t *n, size_t *cap, struct segment s) {
        int r = ARRAY_GROW(*segs, *n, *cap);
        if (r < 0) {
                c->nomem = true;
                return r;
        }
        (*segs)[(*n)++] = s;
        return 0;
}

/* One message text into *m. */
static void compile_text(struct compiler *c, struct rule *r, yaml_node_t *n, struct message *m) {
        const char *yaml_text = yamldoc_scalar(&c->yd, n, "message");
        if (!yaml_text)
                return;
        /* Segments point into the text, which must outlive the YAML document. */
        const char *text = compiler_strdup(c, yaml_text);
        if (!text)
                return;
        if (m == &r->message)
                r->message_text = text;
        _cleanup_(freep) struct segment *segs = NULL;
        size_t nseg = 0, cap = 0;
        bool open_if = false;
        const char *p = text;
        while (*p) {
                /* One pass adds at most two segments: the text before a brace and the
                 * placeholder (or literal brace) itself. */
                if (nseg + 2 > MESSAGE_MAX_PARTS) {
                        yamldoc_error(&c->yd, n, "message has too many parts (limit is %d)", MESSAGE_MAX_PARTS);
                        return;
                }
                const char *brace = strchr(p, '{');
                if (!brace) {
                        if (add_segment(c, &segs, &nseg, &cap, (struct segment) {.text = p, .len = strlen(p), .ctx = -1}) < 0)
                                return;
                        break;
                }
                if (brace > p &&
                    add_segment(c, &segs, &nseg, &cap, (struct segment) {.text = p, .len = (size_t) (brace - p), .ctx = -1}) < 0)
                        return;
                if (brace[1] == '{') {
                        if (add_segment(c, &segs, &nseg, &cap, (struct segment) {.text = "{", .len = 1, .ctx = -1}) < 0)
                                return;
                        p = brace + 2;
                        continue;
                }
                const char *close = strchr(brace, '}');
                if (!close) {
                        struct srcmap at_brace = srcmap_of(c, n, text, (size_t) (brace - text));
                        unsigned line, col;
                        srcmap_position(&at_brace, 0, &line, &col);
                        compiler_error(c, line, col, "'{' in the message is not closed by '}'");
                        return;
                }
                struct segment s;
                if (compile_placeholder(c, r, n, text, brace, close, &s) < 0 ||
                    add_segment(c, &segs, &nseg, &cap, s) < 0)
                        return;
                if ((s.cond == SEG_IF && open_if) || (s.cond == SEG_ENDIF && !open_if)) {
                        struct srcmap at_brace = srcmap_of(c, n, text, (size_t) (brace - text));
                        unsigned line, col;
                        srcmap_position(&at_brace, 0, &line, &col);
                        compiler_error(c, line, col, s.cond == SEG_IF ? "{if ...} inside {if ...}: close the first with {/if}"
                                                                      : "{/if} without {if ...}");
                        return;
                }
                if (s.cond != SEG_PLAIN)
                        open_if = s.cond == SEG_IF;
                p = close + 1;
        }
        if (open_if) {
                yamldoc_error(&c->yd, n, "message: {if ...} is not closed by {/if}");
                return;
        }
        m->segs = arena_array(c->rs->arena, nseg ? nseg : 1, sizeof(*segs));
        if (!m->segs) {
                c->nomem = true;
                return;
        }
        if (nseg)
                memcpy(m->segs, segs, nseg * sizeof(*segs));
        m->n = (unsigned) nseg;
}

/* message: TEXT, or {csv: TEXT, fixed: TEXT} where the formats need different words (a
 * record's wrong field count is a wrong length in the fixed-width record). */
void compile_message(struct compiler *c, struct rule *r, yaml_node_t *n) {
        if (n->type != YAML_MAPPING_NODE) {
                compile_text(c, r, n, &r->message);
                return;
        }
        static const char *const keys[] = {"csv", "fixed"};
        yaml_node_t *v[ELEMENTSOF(keys)];
        yamldoc_take_keys(&c->yd, n, keys, ELEMENTSOF(keys), v, "message");
        if (!v[0])
                yamldoc_error(&c->yd, n, "rule %s: a message per format needs the 'csv' one", r->id);
        else
                compile_text(c, r, v[0], &r->message);
        if (v[1])
                compile_text(c, r, v[1], &r->message_fixed);
}

/* The kind's placeholder named name[0..len), or -1. */
static int ctx_find(const char *name, size_t len) {
        for (int i = 0; i < _CTX_MAX; i++)
                if (strlen(ctx_names[i]) == len && memcmp(ctx_names[i], name, len) == 0)
                        return i;
        return -1;
}

int ruleset_message_render(const char *text, const char *const *ctx, struct strbuf *out) {
        const char *p = text;
        for (;;) {
                const char *brace = strchr(p, '{');
                int r = strbuf_append(out, p, brace ? (size_t) (brace - p) : strlen(p));
                if (r < 0 || !brace)
                        return r;
                const char *close = strchr(brace + 1, '}');
                int i = brace[1] == '{' || !close ? -1 : ctx_find(brace + 1, (size_t) (close - brace - 1));
                if (brace[1] == '{') {
                        r = strbuf_putc(out, '{');
                        p = brace + 2;
                } else if (i >= 0) {
                        r = strbuf_puts(out, ctx[i] ? ctx[i] : "");
                        p = close + 1;
                } else {
                        /* Not ours: as written (the compiler that stored it knew it). */
                        r = strbuf_putc(out, '{');
                        p = brace + 1;
                }
                if (r < 0)
                        return r;
        }
}
