/*
 * Example runner. Examples go through the same path as a real export — text in the pack's
 * delimiter and encoding, read by the reader from a file descriptor (a memfd), checked by
 * the checker — so a passing example shows that the whole chain does what the rule says.
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checker.h"
#include "pack.h"
#include "reader.h"
#include "ruletest.h"
#include "strbuf.h"
#include "util.h"

struct collect {
        unsigned nrules;
        unsigned char *fired;   /* per rule: reported at least once */
        struct strbuf ids;      /* rule ids reported, for the failure message */
};

static int on_finding(void *userdata, const struct finding *f) {
        struct collect *col = userdata;
        if (!col->fired[f->rule]) {
                col->fired[f->rule] = 1;
                return strbuf_printf(&col->ids, "%s%s", col->ids.len ? ", " : "", f->rule_id);
        }
        return 0;
}

/* The value an example record gives a field: its own, else the base record's, else empty.
 * *ret_present is false when the column is to be left out. */
static const char *value_for(const struct ruleset *rs, const struct example_record *er, const char *name,
                             bool *ret_present) {
        *ret_present = true;
        for (unsigned i = 0; er && i < er->n; i++)
                if (strcmp(er->names[i], name) == 0) {
                        *ret_present = er->values[i] != NULL;
                        return er->values[i] ? er->values[i] : "";
                }
        for (unsigned i = 0; i < rs->base.n; i++)
                if (strcmp(rs->base.names[i], name) == 0) {
                        *ret_present = rs->base.values[i] != NULL;
                        return rs->base.values[i] ? rs->base.values[i] : "";
                }
        return "";
}

/* Examples are written in the pack's encoding, so that they go through the same
 * conversion as a real export. The text is collected as UTF-8 (YAML is UTF-8) and
 * converted at the end of every line and before raw bytes (_append_hex), which are
 * written as they are. */
struct example_writer {
        struct strbuf *out;
        struct strbuf utf8;
        iconv_t cd;             /* (iconv_t) -1: the pack reads UTF-8, copy as is */
};

/* -EILSEQ: the example has a character the pack's encoding cannot represent. */
static int writer_flush(struct example_writer *w) {
        if (w->cd == (iconv_t) -1) {
                int e = strbuf_append(w->out, w->utf8.data, w->utf8.len);
                strbuf_reset(&w->utf8);
                return e;
        }
        char *in = w->utf8.data;
        size_t inleft = w->utf8.len;
        while (inleft > 0) {
                /* Single-byte targets never need more bytes than the UTF-8 input. */
                int e = strbuf_reserve(w->out, inleft);
                if (e < 0)
                        return e;
                char *o = w->out->data + w->out->len;
                size_t oleft = inleft;
                size_t n = iconv(w->cd, &in, &inleft, &o, &oleft);
                w->out->len = (size_t) (o - w->out->data);
                if (n == (size_t) -1 && errno != E2BIG)
                        return -EILSEQ;
                if (n != (size_t) -1 && n > 0)
                        return -EILSEQ;    /* glibc counts irreversible conversions here */
        }
        strbuf_reset(&w->utf8);
        return 0;
}

static int put_field(struct strbuf *b, const char *s, char delim) {
        if (!strchr(s, delim) && !strchr(s, '"') && !strchr(s, '\n') && !strchr(s, '\r'))
                return strbuf_puts(b, s);
        int e = strbuf_putc(b, '"');
        for (; *s && e >= 0; s++)
                e = *s == '"' ? strbuf_puts(b, "\"\"") : strbuf_putc(b, *s);
        return e < 0 ? e : strbuf_putc(b, '"');
}

/* Which fields the example's file has as columns: all but those a record leaves out or
 * the example drops. */
static bool *example_columns(const struct ruleset *rs, const struct example *ex) {
        bool *present = calloc(rs->nfields ? rs->nfields : 1, sizeof(bool));
        if (!present)
                return NULL;
        for (unsigned f = 0; f < rs->nfields; f++) {
                bool p = true, any_absent = false;
                for (unsigned r = 0; r < ex->nrecords; r++) {
                        value_for(rs, &ex->records[r], rs->fields[f].name, &p);
                        any_absent |= !p;
                }
                if (ex->nrecords == 0) {
                        value_for(rs, NULL, rs->fields[f].name, &p);
                        any_absent = !p;
                }
                for (unsigned d = 0; d < ex->ndrop; d++)
                        any_absent |= strcmp(ex->drop[d], rs->fields[f].name) == 0;
                present[f] = !any_absent;
        }
        return present;
}

/* The example's columns of one line: the field names for the header (rec NULL; they are
 * identifiers, never quoted), else the record's values. */
static int write_columns(const struct ruleset *rs, const struct example_record *rec, const bool *present,
                         struct strbuf *out) {
        bool first = true;
        for (unsigned f = 0; f < rs->nfields; f++) {
                if (!present[f])
                        continue;
                bool p;
                const char *v = rec ? value_for(rs, rec, rs->fields[f].name, &p) : rs->fields[f].name;
                int r = first ? 0 : strbuf_putc(out, rs->input.csv_options.delimiter);
                if (r >= 0)
                        r = put_field(out, v, rs->input.csv_options.delimiter);
                if (r < 0)
                        return r;
                first = false;
        }
        return 0;
}

static int write_header(const struct ruleset *rs, const struct example *ex, const bool *present,
                        struct example_writer *w) {
        int r = write_columns(rs, NULL, present, &w->utf8);
        if (r >= 0 && ex->header_append)
                r = strbuf_puts(&w->utf8, ex->header_append);
        if (r < 0 || (r = strbuf_putc(&w->utf8, '\n')) < 0)
                return r;
        return writer_flush(w);
}

/* One record's line; bytes appended to it (_append) go past the encoding as they are. */
static int write_record(const struct ruleset *rs, const struct example_record *rec, const bool *present,
                        struct example_writer *w) {
        int r = write_columns(rs, rec, present, &w->utf8);
        if (r < 0 || (r = writer_flush(w)) < 0)
                return r;
        if (rec->append && (r = strbuf_append(w->out, rec->append, rec->append_len)) < 0)
                return r;
        if ((r = strbuf_putc(&w->utf8, '\n')) < 0)
                return r;
        return writer_flush(w);
}

/* Writes the example as CSV text: header, then one line per record. */
static int build_csv(const struct ruleset *rs, const struct example *ex, struct example_writer *w) {
        _cleanup_(freep) bool *present = example_columns(rs, ex);
        if (!present)
                return -ENOMEM;
        int r = write_header(rs, ex, present, w);
        for (unsigned k = 0; k < ex->nrecords && r >= 0; k++)
                r = write_record(rs, &ex->records[k], present, w);
        return r;
}

/* Checks CSV text as if it were a file; sets fired[] for every rule that reported. */
static int run_text(const struct ruleset *rs, const struct strbuf *text, struct collect *col) {
        _cleanup_(closep) int fd = memfd_create("example", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (size_t off = 0; off < text->len;) {
                ssize_t n = write(fd, text->data + off, text->len - off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                off += (size_t) n;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        _cleanup_(checker_freep) struct checker *checker = NULL;
        int e = checker_new(rs, on_finding, col, &checker);
        if (e < 0)
                return e;
        return checker_check_fd(checker, fd, &rs->input.csv_options, NULL);
}

int ruletest_run(const struct ruleset *rs, struct ruletest_result *results, struct diaglist *failures) {
        struct collect col = {.nrules = rs->nrules};
        struct strbuf text = {0};
        struct example_writer w = {.out = &text, .cd = (iconv_t) -1};
        int failed = 0, e = 0;
        enum reader_encoding enc = rs->input.csv_options.encoding;
        if (enc == READER_ENCODING_WINDOWS_1252 || enc == READER_ENCODING_ISO_8859_15) {
                w.cd = iconv_open(reader_encoding_name(enc), "UTF-8");
                if (w.cd == (iconv_t) -1)
                        return -errno;
        }
        col.fired = calloc(rs->nrules ? rs->nrules : 1, 1);
        if (!col.fired) {
                iconv_close(w.cd);
                return -ENOMEM;
        }

        /* The base record alone must be clean, or every pass example would prove nothing. */
        struct example_record empty = {0};
        struct example base = {.records = &empty, .nrecords = 1};
        e = build_csv(rs, &base, &w);
        if (e == -EILSEQ) {
                failed++;
                e = diaglist_add(failures, rs->path, 0, 0, "example_base has characters that %s cannot represent",
                                 reader_encoding_name(enc));
        } else if (e >= 0)
                e = run_text(rs, &text, &col);
        if (e >= 0 && col.ids.len) {
                failed++;
                e = diaglist_add(failures, rs->path, 0, 0, "example_base is not clean: it is reported by %s",
                                 strbuf_str(&col.ids));
        }

        for (unsigned ri = 0; ri < rs->nrules && e >= 0; ri++) {
                const struct rule *r = &rs->rules[ri];
                results[ri] = (struct ruletest_result) {0};
                for (unsigned k = 0; k < r->nexamples && e >= 0; k++) {
                        const struct example *ex = &r->examples[k];
                        memset(col.fired, 0, rs->nrules);
                        strbuf_reset(&col.ids);
                        strbuf_reset(&text);
                        strbuf_reset(&w.utf8);
                        e = build_csv(rs, ex, &w);
                        results[ri].examples++;
                        if (e == -EILSEQ) {
                                results[ri].failed++;
                                failed++;
                                e = diaglist_add(failures, rs->path, ex->line, 1,
                                                 "%s: example has characters that %s cannot represent", r->id,
                                                 reader_encoding_name(enc));
                                continue;
                        }
                        if (e >= 0)
                                e = run_text(rs, &text, &col);
                        if (e < 0)
                                break;
                        if ((bool) col.fired[ri] == ex->expect_fail)
                                continue;
                        results[ri].failed++;
                        failed++;
                        e = diaglist_add(failures, rs->path, ex->line, 1,
                                         "%s: example expected to %s, but %s (reported: %s)", r->id,
                                         ex->expect_fail ? "fail" : "pass",
                                         ex->expect_fail ? "the rule did not fire" : "the rule fired",
                                         col.ids.len ? strbuf_str(&col.ids) : "nothing");
                }
        }
        free(col.fired);
        strbuf_done(&col.ids);
        strbuf_done(&text);
        strbuf_done(&w.utf8);
        if (w.cd != (iconv_t) -1)
                iconv_close(w.cd);
        return e < 0 ? e : failed;
}
