/*
 * Positions inside a YAML scalar. An expression or a message is compiled from a scalar's
 * text, but a diagnostic must point at the line and column a person sees in the file, where
 * the text is quoted, escaped or folded over lines. A srcmap ties the text to its node.
 */
#include <stdbool.h>
#include <string.h>

#include "compiler.h"

/*
 * Maps an offset into a scalar's text back to the YAML source. The text differs from the
 * source only in whitespace (indentation, folded line breaks) and in quoting (the quotes,
 * '' and backslash escapes), so walking both side by side, skipping whitespace and matching
 * the other characters one by one, finds the place. Where they stop matching (an escape
 * the walk does not know) the last matched place is as close as it gets.
 */
void srcmap_position(const struct srcmap *m, size_t offset, unsigned *ret_line, unsigned *ret_col) {
        const char *raw = m->source, *end = m->source + m->source_len;
        const char *r = raw + (m->index < m->source_len ? m->index : m->source_len);
        unsigned line = m->line, col = m->col;
        bool block = m->style == YAML_LITERAL_SCALAR_STYLE || m->style == YAML_FOLDED_SCALAR_STYLE;
        if (m->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || m->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
                r++;
                col++;
        } else if (block) {
                /* The text starts on the line after the indicator. */
                while (r < end && *r != '\n')
                        r++;
        }
#define ADVANCE()                                                              \
        do {                                                                   \
                if (*r == '\n') {                                              \
                        line++;                                                \
                        col = 1;                                               \
                } else if (((unsigned char) *r & 0xC0) != 0x80)                \
                        col++;                                                 \
                r++;                                                           \
        } while (0)
#define SKIP_SPACE()                                                           \
        while (r < end && (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')) \
                ADVANCE()
        size_t target = m->base + offset;
        for (size_t i = 0; i < target && m->value[i]; i++) {
                char ch = m->value[i];
                if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
                        continue;
                SKIP_SPACE();
                if (r >= end)
                        break;
                if (m->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && *r == '\\' && r + 1 < end) {
                        ADVANCE();
                        ADVANCE();
                        continue;
                }
                if (m->style == YAML_SINGLE_QUOTED_SCALAR_STYLE && *r == '\'' && r + 1 < end && r[1] == '\'') {
                        ADVANCE();
                        ADVANCE();
                        continue;
                }
                if (*r != ch)
                        break;
                ADVANCE();
        }
        /* The offset itself: on the next character that is not whitespace. */
        if (m->value[target] && m->value[target] != ' ' && m->value[target] != '\n')
                SKIP_SPACE();
#undef SKIP_SPACE
#undef ADVANCE
        *ret_line = line;
        *ret_col = col;
}

struct srcmap srcmap_of(const struct compiler *c, const yaml_node_t *n, const char *value, size_t base) {
        return (struct srcmap) {
                .source = c->yd.source,
                .source_len = c->yd.source_len,
                .index = yamldoc_offset(&c->yd, n),
                .line = yamldoc_line(n),
                .col = yamldoc_col(n),
                .style = n->data.scalar.style,
                .value = value,
                .base = base,
        };
}

