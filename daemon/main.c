/*
 * plausid's command line. This is the only place that prints diagnostics and decides exit
 * codes; the modules below it return errors and findings.
 *
 *   plausid check --rules FILE [--rejects OUT.csv] INPUT...
 *   plausid rules test FILE
 *
 * Exit status of check: 0 no error findings (warnings allowed), 1 records or a file
 * rejected, 2 could not run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker.h"
#include "diag.h"
#include "reader.h"
#include "report.h"
#include "ruleset.h"
#include "ruletest.h"

#ifndef PLAUSID_VERSION
#define PLAUSID_VERSION "0.1"
#endif

enum {
        EXIT_CLEAN = 0,
        EXIT_REJECTED = 1,
        EXIT_TROUBLE = 2,
};

static const char *program = "plausid";

static void usage(FILE *out) {
        fprintf(out,
                "usage: %s check --rules FILE [--rejects OUT.csv] INPUT...\n"
                "       %s rules test FILE\n"
                "       %s --version\n"
                "\n"
                "check   checks statistics exports against a rule pack and prints a summary;\n"
                "        --rejects writes one CSV row per finding (UTF-8 with BOM, ';').\n"
                "        Exit 0: no errors, 1: records or a file rejected, 2: could not run.\n"
                "rules test  runs the examples of a rule pack; exit 0 all pass, 1 otherwise.\n",
                program, program, program);
}

/* Compiles a pack, printing every error; NULL when it does not compile. */
static struct ruleset *load_rules(const char *path) {
        struct diaglist diags = {0};
        struct ruleset *rs = NULL;
        int e = ruleset_compile_file(path, &rs, &diags);
        diaglist_print(&diags, stderr);
        if (e < 0) {
                if (e == -ENOMEM)
                        fprintf(stderr, "%s: out of memory\n", path);
                fprintf(stderr, "%s: rule pack does not compile (%zu error%s)\n", path, diags.n + diags.dropped,
                        diags.n + diags.dropped == 1 ? "" : "s");
                rs = NULL;
        }
        diaglist_done(&diags);
        return rs;
}

struct check_run {
        FILE *rejects;
        const char *file;       /* name of the input in findings */
        int write_error;
};

static int on_finding(void *userdata, const struct finding *f) {
        struct check_run *run = userdata;
        if (!run->rejects)
                return 0;
        int e = report_csv_finding(run->rejects, run->file, f);
        if (e < 0)
                run->write_error = e;
        return e;
}

static void print_summary(const struct ruleset *rs, const char *name, const struct checker *checker,
                          const char *encoding) {
        const struct checker_stats *st = checker_stats(checker);
        printf("%s: %lu records read, %lu rejected, %lu with warnings (encoding %s)%s\n", name, st->records,
               st->rejected, st->warned, encoding, st->file_rejected ? " -- FILE REJECTED" : "");
        const char *unknown = checker_unknown_columns(checker);
        if (unknown)
                printf("  notice: columns not in the rule pack, ignored: %s\n", unknown);
        for (unsigned i = 0; i < ruleset_rule_count(rs); i++)
                if (st->per_rule[i])
                        printf("  %-6s %-8s %8lu  %s\n", ruleset_rule_id(rs, i),
                               severity_name(ruleset_rule_severity(rs, i)), st->per_rule[i],
                               ruleset_rule_title(rs, i));
}

/* Checks one input; returns an exit status. */
static int check_file(const struct ruleset *rs, const char *path, FILE *rejects, unsigned long totals[3]) {
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
                return EXIT_TROUBLE;
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
                fprintf(stderr, "%s: not a file\n", path);
                return EXIT_TROUBLE;
        }
        _cleanup_(freep) char *copy = strdup(path);
        if (!copy)
                return EXIT_TROUBLE;
        struct check_run run = {.rejects = rejects, .file = basename(copy)};
        _cleanup_(checker_freep) struct checker *checker = NULL;
        /* Parsing in a second thread while this one checks: two cores, about half the time. */
        struct reader_options opts = *ruleset_input(rs);
        opts.threads = true;
        enum reader_encoding encoding = READER_ENCODING_AUTO;
        int e = checker_new(rs, on_finding, &run, &checker);
        if (e >= 0)
                e = checker_check_fd(checker, fd, &opts, &encoding);
        if (e < 0) {
                if (run.write_error)
                        fprintf(stderr, "%s: cannot write the rejects file: %s\n", path, strerror(-run.write_error));
                else
                        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(-e));
                return EXIT_TROUBLE;
        }
        print_summary(rs, run.file, checker, reader_encoding_name(encoding));
        const struct checker_stats *s = checker_stats(checker);
        totals[0] += s->records;
        totals[1] += s->rejected;
        totals[2] += s->warned;
        return s->file_rejected || s->rejected ? EXIT_REJECTED : EXIT_CLEAN;
}

static int cmd_check(int argc, char **argv) {
        static const struct option options[] = {
                {"rules", required_argument, NULL, 'r'},
                {"rejects", required_argument, NULL, 'o'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *rules = NULL, *rejects_path = NULL;
        int c;
        while ((c = getopt_long(argc, argv, "r:o:h", options, NULL)) != -1)
                switch (c) {
                case 'r': rules = optarg; break;
                case 'o': rejects_path = optarg; break;
                case 'h': usage(stdout); return EXIT_CLEAN;
                default: usage(stderr); return EXIT_TROUBLE;
                }
        if (!rules || optind >= argc) {
                fprintf(stderr, "%s check: %s\n", program, !rules ? "--rules FILE is required" : "no INPUT given");
                usage(stderr);
                return EXIT_TROUBLE;
        }
        _cleanup_(ruleset_freep) struct ruleset *rs = load_rules(rules);
        if (!rs)
                return EXIT_TROUBLE;

        /* The rejects file is written under a temporary name and renamed when complete, so
         * that a reader never sees half a report. It holds personal data: mode 0640. */
        FILE *rejects = NULL;
        _cleanup_(freep) char *tmp = NULL;
        if (rejects_path) {
                if (asprintf(&tmp, "%s.tmp", rejects_path) < 0) {
                        tmp = NULL;
                        return EXIT_TROUBLE;
                }
                int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
                if (fd < 0 || !(rejects = fdopen(fd, "w"))) {
                        fprintf(stderr, "%s: cannot create: %s\n", tmp, strerror(errno));
                        if (fd >= 0)
                                close(fd);
                        return EXIT_TROUBLE;
                }
                if (report_csv_begin(rejects) < 0) {
                        fprintf(stderr, "%s: cannot write\n", tmp);
                        fclose(rejects);
                        unlink(tmp);
                        return EXIT_TROUBLE;
                }
        }
        int status = EXIT_CLEAN;
        unsigned long totals[3] = {0};
        int nfiles = argc - optind;
        for (int i = optind; i < argc; i++) {
                int s = check_file(rs, argv[i], rejects, totals);
                if (s > status)
                        status = s;
        }
        if (nfiles > 1)
                printf("total: %d files, %lu records read, %lu rejected, %lu with warnings\n", nfiles, totals[0],
                       totals[1], totals[2]);
        if (rejects) {
                bool ok = fflush(rejects) == 0 && !ferror(rejects) && fsync(fileno(rejects)) == 0;
                ok = fclose(rejects) == 0 && ok;
                if (!ok || rename(tmp, rejects_path) < 0) {
                        fprintf(stderr, "%s: cannot write: %s\n", rejects_path, strerror(errno));
                        unlink(tmp);
                        return EXIT_TROUBLE;
                }
        }
        return status;
}

static int cmd_rules(int argc, char **argv) {
        if (argc != 3 || strcmp(argv[1], "test") != 0) {
                usage(stderr);
                return EXIT_TROUBLE;
        }
        const char *path = argv[2];
        _cleanup_(ruleset_freep) struct ruleset *rs = load_rules(path);
        if (!rs)
                return EXIT_REJECTED;
        unsigned n = ruleset_rule_count(rs);
        _cleanup_(freep) struct ruletest_result *results = calloc(n ? n : 1, sizeof(*results));
        if (!results)
                return EXIT_TROUBLE;
        struct diaglist failures = {.limit = 10000};
        int failed = ruletest_run(rs, results, &failures);
        if (failed < 0) {
                fprintf(stderr, "%s: cannot run the examples: %s\n", path, strerror(-failed));
                diaglist_done(&failures);
                return EXIT_TROUBLE;
        }
        diaglist_print(&failures, stderr);
        diaglist_done(&failures);
        unsigned passed_rules = 0, untested = 0;
        for (unsigned i = 0; i < n; i++) {
                const char *verdict = results[i].examples == 0 ? "NONE" : results[i].failed ? "FAIL" : "ok";
                printf("%-4s %-6s %u example%s%s\n", verdict, ruleset_rule_id(rs, i), results[i].examples,
                       results[i].examples == 1 ? "" : "s", results[i].failed ? " (some failed)" : "");
                if (results[i].examples == 0)
                        untested++;
                else if (!results[i].failed)
                        passed_rules++;
        }
        printf("%s %s: %u rules, %u passed, %u failed, %u without examples\n", ruleset_name(rs),
               ruleset_version(rs), n, passed_rules, n - passed_rules - untested, untested);
        return failed || untested ? EXIT_REJECTED : EXIT_CLEAN;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                usage(stderr);
                return EXIT_TROUBLE;
        }
        const char *cmd = argv[1];
        if (strcmp(cmd, "--version") == 0) {
                printf("plausid %s\n", PLAUSID_VERSION);
                return EXIT_CLEAN;
        }
        if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
                usage(stdout);
                return EXIT_CLEAN;
        }
        if (strcmp(cmd, "check") == 0)
                return cmd_check(argc - 1, argv + 1);
        if (strcmp(cmd, "rules") == 0)
                return cmd_rules(argc - 1, argv + 1);
        fprintf(stderr, "%s: unknown command '%s'\n", program, cmd);
        usage(stderr);
        return EXIT_TROUBLE;
}
