/*
 * libFuzzer target for the checker (daemon/checker.c, daemon/vm.c) with the real hze pack.
 *
 * Input: an export file. It is written to a memfd and checked with checker_check_fd(), the
 * path `plausid check` and the examples take (reader_read -> checker_record per record,
 * checker_unreadable on -EBADMSG, checker_finish), with the pack's input options but
 * single-threaded, so a run is deterministic. Every finding is validated, and the
 * statistics must agree with the findings reported.
 *
 * The pack is compiled once, at the first input: $PLAUSID_RULES if set, else rules/hze.yaml
 * in the current directory (tests/run.sh runs from the repository root), else
 * ../../rules/hze.yaml next to the executable (build/fuzz/fuzz_check).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "checker.h"
#include "diag.h"
#include "reader.h"
#include "ruleset.h"
#include "fuzz.h"

static bool valid_string(const char *s) {
        return s && utf8_valid((const unsigned char *) s, strlen(s));
}

static struct ruleset *rules;

static int try_compile(const char *path) {
        struct diaglist diags = {0};
        int e = ruleset_compile_file(path, &rules, &diags);
        if (e < 0 && access(path, F_OK) == 0) {
                fprintf(stderr, "fuzz_check: rule pack %s does not compile:\n", path);
                diaglist_print(&diags, stderr);
        }
        diaglist_done(&diags);
        return e;
}

static void load_rules(void) {
        const char *env = getenv("PLAUSID_RULES");
        if (env && *env) {
                if (try_compile(env) < 0) {
                        fprintf(stderr, "fuzz_check: cannot use PLAUSID_RULES=%s\n", env);
                        abort();
                }
                return;
        }
        if (try_compile("rules/hze.yaml") == 0)
                return;
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = 0;
                char path[PATH_MAX + 32];
                snprintf(path, sizeof(path), "%s/../../rules/hze.yaml", dirname(exe));
                if (try_compile(path) == 0)
                        return;
        }
        fprintf(stderr, "fuzz_check: rules/hze.yaml not found; run from the repository root or set PLAUSID_RULES\n");
        abort();
}

struct state {
        unsigned nrules;
        unsigned long *seen;            /* findings per rule */
        unsigned long max_line;
        bool file_finding;
        unsigned long findings;
};

static int on_finding(void *userdata, const struct finding *f) {
        struct state *st = userdata;
        CHECK(f != NULL);
        CHECK(f->rule < st->nrules);
        CHECK(f->rule_id != NULL && strcmp(f->rule_id, ruleset_rule_id(rules, f->rule)) == 0);
        CHECK(f->severity == SEVERITY_ERROR || f->severity == SEVERITY_WARNING || f->severity == SEVERITY_FILE);
        CHECK(f->severity == ruleset_rule_severity(rules, f->rule));
        CHECK(f->line <= st->max_line + 1);
        CHECK(valid_string(f->key));
        CHECK(valid_string(f->field));
        CHECK(valid_string(f->value));
        CHECK(valid_string(f->message));
        CHECK(f->message[0] != '\0');
        st->seen[f->rule]++;
        st->file_finding |= f->severity == SEVERITY_FILE;
        st->findings++;
        return 0;
}

/* Line ends as the reader counts them: LF, CRLF, and a CR not followed by LF (old Mac). */
static unsigned long count_line_ends(const uint8_t *p, size_t n) {
        unsigned long lines = 0;
        for (size_t i = 0; i < n; i++)
                lines += p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'));
        return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!rules)
                load_rules();
        unsigned nrules = ruleset_rule_count(rules);
        struct state st = {.nrules = nrules, .max_line = 1};
        st.seen = calloc(nrules ? nrules : 1, sizeof(*st.seen));
        if (!st.seen)
                abort();
        st.max_line += count_line_ends(data, size);

        int fd = fuzz_memfd("fuzz_check", data, size);

        struct reader_options opts = *ruleset_input(rules);
        opts.threads = false;
        struct checker *checker = NULL;
        CHECK(checker_new(rules, on_finding, &st, &checker) == 0);
        enum reader_encoding used = READER_ENCODING_AUTO;
        int e = checker_check_fd(checker, fd, &opts, &used);
        CHECK(e == 0);
        CHECK(used == READER_ENCODING_UTF8 || used == READER_ENCODING_WINDOWS_1252 ||
              used == READER_ENCODING_ISO_8859_15);

        const struct checker_stats *stats = checker_stats(checker);
        CHECK(stats != NULL);
        CHECK(stats->rejected + stats->warned <= stats->records);
        for (unsigned i = 0; i < nrules; i++)
                CHECK(stats->per_rule[i] == st.seen[i]);
        if (st.file_finding)
                CHECK(stats->file_rejected);
        const char *unknown = checker_unknown_columns(checker);
        if (unknown)
                CHECK(valid_string(unknown) && unknown[0] != '\0');

        checker_free(checker);
        close(fd);
        free(st.seen);
        return 0;
}
