/*
 * Decoding: the header maps columns to fields once per file; then every record's fields are
 * decoded once into c->vals -- type checked, codes looked up, months and dates numbered,
 * leading zeros restored -- so that the rules and the builtins only read indices and numbers. The
 * hot path of the checker: nothing here allocates, and a clean record costs one pass over
 * its fields.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "check.h"

int column_field(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->nfields; i++) {
                if (strcasecmp(rs->fields[i].name, name) == 0)
                        return (int) i;
                for (unsigned j = 0; j < rs->fields[i].naliases; j++)
                        if (strcasecmp(rs->fields[i].aliases[j], name) == 0)
                                return (int) i;
        }
        return -1;
}

int checker_header(struct checker *c, const struct reader_record *rec) {
        const struct ruleset *rs = c->rs;
        _cleanup_(strbuf_done) struct strbuf unknown = {0};
        int e;
        c->ncolumns = rec->nfields;
        for (size_t col = 0; col < rec->nfields; col++) {
                const char *name = reader_field(rec, col);
                int f = column_field(rs, name);
                if (f < 0) {
                        e = strbuf_printf(&unknown, "%s%s", unknown.len ? ", " : "", *name ? name : "(leer)");
                        if (e < 0)
                                return e;
                        continue;
                }
                if (c->column[f] >= 0) {
                        /* Two columns for one field: which one holds the data is anyone's
                         * guess, so the file cannot be read reliably. */
                        int rule = rs->builtin_rule[BUILTIN_UNREADABLE];
                        c->stop = true;
                        if (rule < 0)
                                continue;
                        _cleanup_(freep) char *reason = NULL;
                        if (asprintf(&reason, "die Spalte „%s“ kommt in der Kopfzeile mehrfach vor (Spalten %d und %zu)",
                                     rs->fields[f].name, c->column[f] + 1, col + 1) < 0)
                                return -ENOMEM;
                        const char *ctx[_CTX_MAX] = {[CTX_REASON] = reason};
                        e = checker_report(c, (unsigned) rule, 0, f, "", ctx, "");
                        if (e < 0)
                                return e;
                        continue;
                }
                c->column[f] = (int) col;
        }
        for (unsigned i = 0; i < rs->nfields; i++)
                if (c->column[i] < 0 && rs->fields[i].column_required) {
                        int rule = rs->builtin_rule[BUILTIN_MISSING_COLUMN];
                        c->stop = true;
                        if (rule < 0)
                                continue;
                        const char *ctx[_CTX_MAX] = {[CTX_COLUMN] = rs->fields[i].name};
                        e = checker_report(c, (unsigned) rule, 0, (int) i, "", ctx, "");
                        if (e < 0)
                                return e;
                }
        if (unknown.len && !(c->unknown_columns = strdup(unknown.data)))
                return -ENOMEM;
        return 0;
}

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

/* Months: MM.YYYY, M.YYYY, MM/YYYY, YYYY-MM, DD.MM.YYYY (the day is dropped). Inlined like
 * decode_field(), whose copies would otherwise make it a call per month field. */
static inline _always_inline_ bool parse_month(const char *s, size_t len, int64_t *ret) {
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
        if (month < 1 || month > 12 || year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX)
                return false;
        *ret = (int64_t) year * 12 + month - 1;
        return true;
}

/* A decimal: an optional sign, 1 to 12 digits, and optionally a decimal comma or point
 * followed by 1 to 6 digits ("23,4", "23.4", "-0,5", "100"). No thousands separators, no
 * exponent, nothing before or after. The value is kept times RULESET_DECIMAL_SCALE. */
static bool parse_decimal(const char *s, size_t len, int64_t *ret) {
        size_t i = 0;
        bool neg = false;
        if (len > 0 && (s[0] == '-' || s[0] == '+')) {
                neg = s[0] == '-';
                i = 1;
        }
        size_t int_start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
                i++;
        size_t int_len = i - int_start;
        if (int_len == 0 || int_len > 12)
                return false;
        int64_t v = digits_value(s + int_start, int_len) * RULESET_DECIMAL_SCALE;
        if (i < len) {
                if (s[i] != ',' && s[i] != '.')
                        return false;
                size_t frac_start = ++i;
                while (i < len && s[i] >= '0' && s[i] <= '9')
                        i++;
                size_t frac_len = i - frac_start;
                if (i < len || frac_len == 0 || frac_len > 6)
                        return false;
                int64_t frac = digits_value(s + frac_start, frac_len);
                for (size_t k = frac_len; k < 6; k++)
                        frac *= 10;
                v += frac;
        }
        *ret = neg ? -v : v;
        return true;
}

/* The canonical text of a decimal: a point, no trailing zeros, no plus sign, no "-0"
 * ("23.4", "-0.5", "100"). At most 20 bytes (sign, 12 digits, point, 6 digits) and a NUL. */
static size_t decimal_text(char *out, int64_t v) {
        uint64_t a = v < 0 ? (uint64_t) -(v + 1) + 1 : (uint64_t) v;
        uint64_t ip = a / (uint64_t) RULESET_DECIMAL_SCALE, fp = a % (uint64_t) RULESET_DECIMAL_SCALE;
        char digits[20];
        size_t n = 0, k = 0;
        if (v < 0)
                out[n++] = '-';
        do
                digits[k++] = (char) ('0' + ip % 10);
        while ((ip /= 10) > 0);
        while (k > 0)
                out[n++] = digits[--k];
        if (fp) {
                out[n++] = '.';
                for (uint64_t d = (uint64_t) RULESET_DECIMAL_SCALE / 10; fp; d /= 10) {
                        out[n++] = (char) ('0' + fp / d);
                        fp %= d;
                }
        }
        out[n] = 0;
        return n;
}

static size_t utf8_chars(const char *s, size_t len) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++)
                n += ((unsigned char) s[i] & 0xC0) != 0x80;
        return n;
}

/* Decodes field f, whose text in the record is s (len bytes, or "" when its column is
 * absent), into v by fd (the field as the record's epoch has it); restored is the field's
 * buffer for a value with its leading zeros restored. Returns v->state. Always inlined:
 * it is the body of the decoding loop, which must not pay a call per field, and it decodes
 * the year field once more before the loop (record_epoch()). */
static inline _always_inline_ enum field_state decode_field(const struct ruleset *rs, const struct field *fd, unsigned f,
                                                            struct field_value *v, const char *s, size_t len,
                                                            char *restored) {
        /* The reader delivers every field trimmed (a quoted field of blanks is empty). */
        v->raw = s;
        v->s = s;
        v->len = (uint32_t) len;
        v->i = 0;
        if (len == 0)
                return v->state = FV_EMPTY;
        v->state = FV_INVALID;
        switch (fd->type) {
        case FIELD_DIGITS:
                if (!all_digits(s, len) || len > fd->length)
                        break;
                if (len < fd->length) {
                        if (!fd->restore_zeros)
                                break;
                        size_t pad = fd->length - len;
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
        case FIELD_DATE:
                if (calendar_parse_date(s, len, &v->i))
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
        case FIELD_DECIMAL:
                if (!parse_decimal(s, len, &v->i) || v->i < fd->min || v->i > fd->max)
                        break;
                /* The text is the number's one form, so that "23,4" and "23.40" are one key
                 * (unique, same_as_first) and the loader writes it as it stands. */
                v->len = (uint32_t) decimal_text(restored, v->i);
                v->s = restored;
                v->state = FV_OK;
                break;
        case FIELD_TEXT:
                if (!fd->max_length || utf8_chars(s, len) <= fd->max_length)
                        v->state = FV_OK;
                break;
        }
        return v->state;
}

/* The text of field f in rec, or "" when its column is absent. */
static inline const char *field_text(const struct checker *c, const struct reader_record *rec, unsigned f,
                                     size_t *ret_len) {
        int col = c->column[f];
        *ret_len = col >= 0 ? reader_field_len(rec, col) : 0;
        return col >= 0 ? reader_field(rec, col) : "";
}

/* The epoch of the record's Berichtsjahr. CHOICE: a record whose year is empty or not one
 * of the pack's is checked by the latest epoch, the law in force: it is rejected for its
 * year anyway (P01/P03), and today's codes are what its sender is asked to use. */
static unsigned record_epoch(struct checker *c, const struct reader_record *rec) {
        const struct ruleset *rs = c->rs;
        unsigned f = (unsigned) rs->year_field;
        size_t len;
        const char *s = field_text(c, rec, f, &len);
        if (decode_field(rs, &rs->fields[f], f, &c->vals[f], s, len, c->restored[f]) != FV_OK)
                return rs->nepochs - 1;
        return rs->epoch_of_year[c->vals[f].i - rs->year_first];
}

void checker_decode(struct checker *c, const struct reader_record *rec) {
        const struct ruleset *rs = c->rs;
        bool empty_required = false, bad_code = false, bad_format = false;
        /* Packs whose codes, fields and rules hold alike in every year have one epoch. */
        c->epoch = rs->nepochs > 1 ? record_epoch(c, rec) : 0;
        const struct field *fd = c->fields = rs->epochs[c->epoch].fields;
        struct field_value *vals = c->vals;
        for (unsigned f = 0; f < rs->nfields; f++, fd++) {
                size_t len;
                const char *s = field_text(c, rec, f, &len);
                if (fd->empty_alias && len == fd->empty_alias_len && memcmp(s, fd->empty_alias, len) == 0) {
                        c->alias_count[f]++;
                        s = "";
                        len = 0;
                }
                switch (decode_field(rs, fd, f, &vals[f], s, len, c->restored[f])) {
                case FV_EMPTY:
                        empty_required |= fd->required;
                        break;
                case FV_INVALID:
                        if (fd->type == FIELD_CODE)
                                bad_code = true;
                        else
                                bad_format = true;
                        break;
                case FV_OK:
                        break;
                }
        }
        /* Most records are clean: the builtins look at the fields only when told to. */
        c->rec_empty_required = empty_required;
        c->rec_bad_code = bad_code;
        c->rec_bad_format = bad_format;
}
