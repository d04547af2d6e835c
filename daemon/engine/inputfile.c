/*
 * Which format and, for the fixed-width record, which Berichtsjahr and layout one file is
 * read with (checker.h: checker_check_file()). The fixed-width record holds no Berichtsjahr:
 * it comes from the source's configuration or the file's name, and it picks the layout,
 * since the law changes the record.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* Names and patterns are at most this long; a longer name holds no year we look for. */
#define NAME_BYTES 256

int checker_year_pattern_check(const char *pattern, char *why, size_t size) {
        const char *y = strstr(pattern, "YYYY");
        if (strlen(pattern) >= NAME_BYTES)
                snprintf(why, size, "it is longer than %d bytes", NAME_BYTES - 1);
        else if (!y || strstr(y + 4, "YYYY"))
                snprintf(why, size, "it must hold YYYY once, where the year stands (jgh_YYYY.txt)");
        else
                return 0;
        return -EINVAL;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* A shell pattern (fnmatch(3)) in which YYYY stands for a four-digit year: the first
 * four digits of the name, not part of a longer number, with the part before them
 * matching what comes before YYYY and the rest what comes after. No allocation, no regular
 * expression: a name is short and the pattern simple. */
int checker_year_from_name(const char *pattern, const char *name, int *ret_year) {
        char before[NAME_BYTES], head[NAME_BYTES];
        const char *y = strstr(pattern, "YYYY");
        size_t len = strlen(name);
        if (!y || strlen(pattern) >= NAME_BYTES)
                return -EINVAL;
        if (len >= NAME_BYTES)
                return -ENOENT;
        memcpy(before, pattern, (size_t) (y - pattern));
        before[y - pattern] = 0;
        for (size_t i = 0; i + 4 <= len; i++) {
                if (!is_digit(name[i]) || !is_digit(name[i + 1]) || !is_digit(name[i + 2]) || !is_digit(name[i + 3]) ||
                    (i > 0 && is_digit(name[i - 1])) || is_digit(name[i + 4]))
                        continue;
                memcpy(head, name, i);
                head[i] = 0;
                if (fnmatch(before, head, 0) == 0 && fnmatch(y + 4, name + i + 4, 0) == 0) {
                        *ret_year = (name[i] - '0') * 1000 + (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 +
                                    (name[i + 3] - '0');
                        return 0;
                }
        }
        return -ENOENT;
}

/* CSV when the file's first line, split at the delimiter, names one of the pack's columns,
 * or has three delimiters or more, or is empty: a fixed-width record starts with its record
 * type and holds no column names, and a place name with three semicolons is not to be
 * expected. An export with a wrong header is then told so (S01), not that every record
 * has the wrong type; an empty file that it has no header. */
static int sniff_format(const struct ruleset *rs, int fd, enum reader_format *ret) {
        char buf[4096];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        char *line = buf;
        if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
                line += 3;
        line[strcspn(line, "\r\n")] = 0;
        const char delim[2] = {rs->input.csv_options.delimiter, 0};
        size_t ndelim = 0;
        for (const char *p = line; (p = strchr(p, delim[0])); p++)
                ndelim++;
        *ret = !*line || ndelim >= 3 ? READER_FORMAT_CSV : READER_FORMAT_FIXED;
        char *save = NULL;
        for (char *tok = strtok_r(line, delim, &save); tok; tok = strtok_r(NULL, delim, &save)) {
                tok += strspn(tok, " \t\"");
                size_t len = strlen(tok);
                while (len > 0 && strchr(" \t\"", tok[len - 1]))
                        tok[--len] = 0;
                if (column_field(rs, tok) >= 0) {
                        *ret = READER_FORMAT_CSV;
                        break;
                }
        }
        return 0;
}

bool checker_reads(const struct ruleset *rs, enum checker_format f) {
        return f == CHECKER_FORMAT_AUTO || (f == CHECKER_FORMAT_FIXED ? rs->input.fixed : rs->input.csv);
}

static int pick_format(const struct ruleset *rs, int fd, enum checker_format want, enum reader_format *ret) {
        const struct pack_input *in = &rs->input;
        if (!checker_reads(rs, want))
                return -EINVAL;
        if (want != CHECKER_FORMAT_AUTO) {
                *ret = want == CHECKER_FORMAT_CSV ? READER_FORMAT_CSV : READER_FORMAT_FIXED;
                return 0;
        }
        if (!in->fixed || !in->csv) {
                *ret = in->fixed ? READER_FORMAT_FIXED : READER_FORMAT_CSV;
                return 0;
        }
        return sniff_format(rs, fd, ret);
}

/* The year of a fixed-width file, or 0 after rejecting the file (S07). */
static int file_year(struct checker *c, const struct checker_input *in, int *ret_year) {
        const char *pattern = in->year_pattern ? in->year_pattern : c->rs->input.year_pattern;
        *ret_year = in->berichtsjahr;
        if (*ret_year > 0)
                return 0;
        int e = pattern && in->name ? checker_year_from_name(pattern, in->name, ret_year) : -ENOENT;
        if (e != -ENOENT)
                return e;
        /* The pattern is the administrator's business; the controller reading this needs
         * to know what a name that works looks like. */
        const char *reason = "der Dateiname nennt keines (etwa jgh_2024.txt), und die Konfiguration der Quelle legt keines fest";
        *ret_year = 0;
        return checker_reject_file(c, BUILTIN_DELIVERY_YEAR, 0, reason);
}

/* A fixed-width file's reader options: its year's layout. 0 when the file can be read,
 * 1 after rejecting it as a whole (no year: S07; no layout for it: S05). */
static int fixed_options(struct checker *c, const struct checker_input *in, struct checker_file *file,
                         char year[static 12], struct reader_options *opts) {
        const struct ruleset *rs = c->rs;
        int e = file_year(c, in, &file->berichtsjahr);
        if (e < 0 || file->berichtsjahr == 0)
                return e < 0 ? e : 1;
        const struct reader_layout *l = ruleset_fixed_layout(rs, file->berichtsjahr);
        if (!l) {
                char reason[96];
                snprintf(reason, sizeof(reason), "für das Berichtsjahr %d legt das Regelwerk keinen Satzaufbau fest",
                         file->berichtsjahr);
                e = checker_unreadable(c, 0, reason);
                return e < 0 ? e : 1;
        }
        snprintf(year, 12, "%d", file->berichtsjahr);
        *opts = (struct reader_options) {.format = READER_FORMAT_FIXED, .encoding = rs->input.fixed_encoding,
                                         .layout = l, .delivery_year = year};
        c->layout = l;
        return 0;
}

int checker_check_file(struct checker *c, int fd, const struct checker_input *in, struct checker_file *ret) {
        const struct ruleset *rs = c->rs;
        *ret = (struct checker_file) {.encoding = rs->input.csv_options.encoding};
        int e = pick_format(rs, fd, in->format, &ret->format);
        if (e < 0)
                return e;
        struct reader_options opts = rs->input.csv_options;
        char year[12];
        if (ret->format == READER_FORMAT_FIXED) {
                ret->encoding = rs->input.fixed_encoding;
                e = fixed_options(c, in, ret, year, &opts);
                if (e != 0)
                        return e < 0 ? e : 0;
        }
        opts.threads = in->threads;
        return checker_check_fd(c, fd, &opts, &ret->encoding);
}
