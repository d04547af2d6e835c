/*
 * plausid's command line. Each command maps its arguments to the options of a stage -- a
 * source (source.h), a check session (check_session.h), the loader, a report, the daemon
 * -- prints what the stage returns and decides the exit code. No pipeline, no SQL and no
 * file written here; the modules below return errors and findings.
 *
 *   plausid check --rules FILE [--rejects OUT.csv] [--report OUT.html] INPUT...
 *   plausid load --config FILE --source NAME INPUT...
 *   plausid report --config FILE (--delivery ID | --since YYYY-MM-DD) [--out DIR]
 *   plausid report --config FILE --strategiekarte --year Y [--unit JUGENDAMT] [--out DIR]
 *   plausid export --config FILE --view NAME [--year YYYY] [--format csv|fixed] --out FILE|-
 *   plausid run --config FILE
 *   plausid config check --config FILE
 *   plausid rules test FILE
 *   plausid rules doc FILE
 *
 * Exit status of check: 0 no error findings (warnings allowed), 1 records or a file
 * rejected, 2 could not run. Of load: 0 every file loaded or skipped as a duplicate, 1 a
 * file rejected as a whole, 2 a file could not be loaded (nothing of it is stored). Of
 * export: 0 written, 2 not (no file).
 */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_session.h"
#include "config.h"
#include "db.h"
#include "diag.h"
#include "htmlreport.h"
#include "loader.h"
#include "main.h"
#include "ruleset.h"
#include "ruledoc.h"
#include "ruletest.h"
#include "run.h"
#include "schema.h"
#include "source.h"

#ifndef PLAUSID_VERSION
#define PLAUSID_VERSION "0.1"
#endif


const char *program = "plausid";

void usage(FILE *out) {
        fprintf(out,
                "usage: %s check --rules FILE [--rejects OUT.csv] [--report OUT.html] [--format F] [--berichtsjahr Y] INPUT...\n"
                "       %s load --config FILE --source NAME [--format F] [--berichtsjahr Y] INPUT...\n"
                "       %s report --config FILE (--delivery ID | --since YYYY-MM-DD) [--out DIR]\n"
                "       %s report --config FILE --strategiekarte --year Y [--unit JUGENDAMT] [--out DIR]\n"
                "       %s export --config FILE --view NAME [--year YYYY] [--format csv|fixed] --out FILE|-\n"
                "       %s run --config FILE\n"
                "       %s config check --config FILE\n"
                "       %s rules test FILE\n"
                "       %s rules doc FILE\n"
                "       %s --version\n"
                "\n"
                "check   checks statistics exports against a rule pack and prints a summary;\n"
                "        --rejects writes one CSV row per finding (UTF-8 with BOM, ';').\n"
                "        --report writes a German HTML report of one INPUT and its findings CSV\n"
                "        beside it (OUT.csv); --max-records N (default 500) rejected records are\n"
                "        shown with their text, --group GROUP may read the files (mode 0640).\n"
                "        An INPUT is CSV or the official fixed-width record, told apart by its\n"
                "        first line (--format csv|fixed says it); a fixed-width INPUT's\n"
                "        Berichtsjahr comes from its name or --berichtsjahr Y.\n"
                "        Exit 0: no errors, 1: records or a file rejected, 2: could not run.\n"
                "load    checks each export and loads it into PostgreSQL in one transaction:\n"
                "        clean records, findings and rejected records, or nothing.\n"
                "        Exit 0: every file loaded or a duplicate skipped, 1: a file rejected\n"
                "        as a whole, 2: a file could not be loaded (nothing of it is stored).\n"
                "        With a reports directory, each delivery's report is written there.\n"
                "        --format and --berichtsjahr as for check, over the source's.\n"
                "report  writes a delivery's report from the database (delivery-ID.html and\n"
                "        .csv), or with --since the overview of every delivery since that day\n"
                "        (uebersicht-DAY.html) and their reports; into the source's reports\n"
                "        directory unless --out DIR; --max-records and --group as for check.\n"
                "        --strategiekarte writes the Strategiekarte of Berichtsjahr Y for the\n"
                "        Jugendhilfeausschuss (strategiekarte_Y_JUGENDAMT.html and its tables as\n"
                "        CSV) from the views; --unit 05-9-13-000 (land-regbez-kreis-gemeinde) when\n"
                "        the database holds several Jugendämter; where the overview goes unless --out.\n"
                "export  writes one of plausid's views to a CSV for Excel (UTF-8 with BOM, ';',\n"
                "        decimal comma, mode 0640, complete or not at all); --year keeps the\n"
                "        rows of one Berichtsjahr; --out - writes to stdout. --format fixed\n"
                "        writes v_DATASET's records of --year in the fixed-width layout,\n"
                "        an unchanged record byte for byte as it came. Exit 0: written,\n"
                "        2: not written (unknown view, no database, the file cannot be written).\n"
                "run     the daemon (foreground, for systemd): takes the exports dropped into\n"
                "        each source's drop directory and loads them. SIGHUP reloads.\n"
                "config check  reports every error of a configuration and its rule packs;\n"
                "        exit 0 when there is none, 1 otherwise.\n"
                "rules test  runs the examples of a rule pack; exit 0 all pass, 1 otherwise.\n"
                "rules doc   writes the rule catalogue of a pack (Markdown) to stdout, the text\n"
                "        of docs/PACK-katalog.md.\n",
                program, program, program, program, program, program, program, program, program, program);
}

/* Prints a pack's diagnostics and, when it does not compile, says so with the count. */
void print_pack_errors(const char *path, int r, const struct diaglist *diags, size_t errors) {
        diaglist_print(diags, stderr);
        if (r == -ENOMEM)
                fprintf(stderr, "%s: out of memory\n", path);
        fprintf(stderr, "%s: rule pack does not compile (%zu error%s)\n", path, errors, errors == 1 ? "" : "s");
}

/* Compiles a pack, printing every error; NULL when it does not compile. */
static struct ruleset *load_rules(const char *path) {
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        struct ruleset *rs = NULL;
        int r = ruleset_compile_file(path, &rs, &diags);
        if (r < 0) {
                print_pack_errors(path, r, &diags, diags.n + diags.dropped);
                return NULL;
        }
        diaglist_print(&diags, stderr);
        return rs;
}

/* --group NAME|GID: the group that may read reports. */
int parse_group(const char *s, int *ret) {
        int e = htmlreport_group_id(s, ret);
        if (e < 0)
                fprintf(stderr, "%s: --group: no group named '%s'\n", program, s);
        return e;
}

/* --max-records N: rejected records shown with their text, 1 to 1000000. */
int parse_max_records(const char *s, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(s, &end, 10);
        if (!*s || *end || errno || n < 1 || n > 1000000) {
                fprintf(stderr, "%s: --max-records: expected a number from 1 to 1000000, not '%s'\n", program, s);
                return -EINVAL;
        }
        *ret = (unsigned) n;
        return 0;
}

/* --berichtsjahr Y (a fixed-width input's, where its name does not say it), --year Y. */
int parse_year(const char *option, const char *s, int *ret) {
        char *end;
        errno = 0;
        long y = strtol(s, &end, 10);
        if (!*s || *end || errno || y < 1900 || y > 2100) {
                fprintf(stderr, "%s: %s: expected a year from 1900 to 2100, not '%s'\n", program, option, s);
                return -EINVAL;
        }
        *ret = (int) y;
        return 0;
}

/* --format csv|fixed: every input's format, where its first line should not decide. */
static int parse_format(const char *s, enum checker_format *ret) {
        if (strcmp(s, "csv") == 0 || strcmp(s, "fixed") == 0) {
                *ret = s[0] == 'c' ? CHECKER_FORMAT_CSV : CHECKER_FORMAT_FIXED;
                return 0;
        }
        fprintf(stderr, "%s: --format: expected csv or fixed, not '%s'\n", program, s);
        return -EINVAL;
}

/* The pack must read the format asked for. */
static bool pack_reads(const struct ruleset *rs, const char *rules, enum checker_format f) {
        if (checker_reads(rs, f))
                return true;
        fprintf(stderr, "%s: --format %s: the rule pack %s reads no such files\n", program,
                f == CHECKER_FORMAT_FIXED ? "fixed" : "csv", rules);
        return false;
}

/* ---- plausid check ---- */

static void print_summary(const struct ruleset *rs, const char *name, const struct checker_stats *st,
                          const char *unknown_columns, const char *encoding) {
        printf("%s: %lu records read, %lu rejected, %lu with warnings (encoding %s)%s\n", name, st->records,
               st->rejected, st->warned, encoding, st->file_rejected ? " -- FILE REJECTED" : "");
        if (unknown_columns)
                printf("  notice: columns not in the rule pack, ignored: %s\n", unknown_columns);
        for (unsigned i = 0; i < ruleset_rule_count(rs); i++)
                if (st->per_rule[i])
                        printf("  %-6s %-8s %8lu  %s\n", ruleset_rule_id(rs, i),
                               severity_name(ruleset_rule_severity(rs, i)), st->per_rule[i],
                               ruleset_rule_title(rs, i));
}

static void print_check_failure(const struct check_failure *f) {
        static const char *const what[] = {
                [CHECK_STEP_OPEN] = "cannot open: ",
                [CHECK_STEP_SETUP] = "",
                [CHECK_STEP_CREATE] = "cannot create: ",
                [CHECK_STEP_FINDINGS] = "cannot write the findings: ",
                [CHECK_STEP_READ] = "cannot read: ",
                [CHECK_STEP_WRITE_REPORT] = "cannot write the report: ",
                [CHECK_STEP_WRITE] = "cannot write: ",
        };
        if (f->step == CHECK_STEP_NOT_FILE)
                fprintf(stderr, "%s: not a file\n", f->path);
        else
                fprintf(stderr, "%s: %s%s\n", f->path, what[f->step], strerror(-f->error));
}

/* Checks one input; returns an exit status. */
static int check_one(struct check_session *session, const struct ruleset *rs, const char *path,
                     unsigned long totals[3]) {
        struct check_result res;
        struct check_failure failure;
        if (check_session_file(session, path, &res, &failure) < 0) {
                print_check_failure(&failure);
                return EXIT_TROUBLE;
        }
        print_summary(rs, res.name, res.stats, res.unknown_columns, res.encoding);
        if (check_session_write_report(session, &failure) < 0) {
                print_check_failure(&failure);
                return EXIT_TROUBLE;
        }
        totals[0] += res.stats->records;
        totals[1] += res.stats->rejected;
        totals[2] += res.stats->warned;
        return res.stats->file_rejected || res.stats->rejected ? EXIT_REJECTED : EXIT_CLEAN;
}

/* The inputs of `plausid check`, with the session's options; returns an exit status. */
static int check_inputs(const char *rules, const struct check_options *o, int n, char **inputs) {
        _cleanup_(ruleset_freep) struct ruleset *rs = load_rules(rules);
        if (!rs || !pack_reads(rs, rules, o->format))
                return EXIT_TROUBLE;
        _cleanup_(check_session_freep) struct check_session *session = NULL;
        struct check_failure failure;
        if (check_session_new(rs, o, &session, &failure) < 0) {
                print_check_failure(&failure);
                return EXIT_TROUBLE;
        }
        int status = EXIT_CLEAN;
        unsigned long totals[3] = {0};
        for (int i = 0; i < n; i++) {
                int s = check_one(session, rs, inputs[i], totals);
                if (s > status)
                        status = s;
        }
        if (n > 1)
                printf("total: %d files, %lu records read, %lu rejected, %lu with warnings\n", n, totals[0],
                       totals[1], totals[2]);
        if (check_session_finish(session, &failure) < 0) {
                print_check_failure(&failure);
                return EXIT_TROUBLE;
        }
        return status;
}

static int cmd_check(int argc, char **argv) {
        static const struct option options[] = {
                {"rules", required_argument, NULL, 'r'},
                {"rejects", required_argument, NULL, 'o'},
                {"report", required_argument, NULL, 'R'},
                {"max-records", required_argument, NULL, 'm'},
                {"group", required_argument, NULL, 'g'},
                {"format", required_argument, NULL, 'f'},
                {"berichtsjahr", required_argument, NULL, 'y'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *rules = NULL;
        struct check_options o = {.report_gid = -1, .report_records = HTMLREPORT_DEFAULT_MAX_RECORDS};
        int c;
        while ((c = getopt_long(argc, argv, "r:o:R:m:g:f:y:h", options, NULL)) != -1)
                switch (c) {
                case 'f':
                        if (parse_format(optarg, &o.format) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'y':
                        if (parse_year("--berichtsjahr", optarg, &o.berichtsjahr) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'r': rules = optarg; break;
                case 'o': o.rejects_path = optarg; break;
                case 'R': o.report_path = optarg; break;
                case 'm':
                        if (parse_max_records(optarg, &o.report_records) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'g':
                        if (parse_group(optarg, &o.report_gid) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'h': usage(stdout); return EXIT_CLEAN;
                default: usage(stderr); return EXIT_TROUBLE;
                }
        if (!rules || optind >= argc) {
                fprintf(stderr, "%s check: %s\n", program, !rules ? "--rules FILE is required" : "no INPUT given");
                usage(stderr);
                return EXIT_TROUBLE;
        }
        if (o.report_path && argc - optind != 1) {
                fprintf(stderr, "%s check: --report describes one delivery: give one INPUT\n", program);
                return EXIT_TROUBLE;
        }
        if (o.report_path) {
                /* report.html of report.csv would put its findings CSV over the input. */
                int r = check_report_overwrites(o.report_path, argv[optind]);
                if (r < 0)
                        return EXIT_TROUBLE;
                if (r > 0) {
                        fprintf(stderr, "%s check: --report %s would write over the input %s\n", program,
                                o.report_path, argv[optind]);
                        return EXIT_TROUBLE;
                }
        }
        return check_inputs(rules, &o, argc - optind, argv + optind);
}

/* ---- plausid load ---- */

/* Reads the configuration, printing every error; NULL when it has errors. */
struct config *load_config(const char *path) {
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        struct config *cfg = NULL;
        int e = config_load_file(path, &cfg, &diags);
        diaglist_print(&diags, stderr);
        if (e < 0) {
                if (e == -ENOMEM)
                        fprintf(stderr, "%s: out of memory\n", path);
                else if (e == -EINVAL)
                        fprintf(stderr, "%s: configuration has errors\n", path);
                return NULL;
        }
        return cfg;
}

/* Opens the source sc, printing every error; NULL when it has errors. */
static struct source *open_source(const struct config *cfg, const struct source_config *sc) {
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        struct source *src = NULL;
        int r = source_open(cfg, sc, 0, &src, &diags);
        if (r == -ENOEXEC) {
                /* The count is of the pack's own errors: those about its file. */
                size_t errors = diags.dropped;
                for (size_t i = 0; i < diags.n; i++)
                        errors += strcmp(diags.items[i].file, sc->rules) == 0;
                print_pack_errors(sc->rules, r, &diags, errors);
                return NULL;
        }
        diaglist_print(&diags, stderr);
        if (r == -ENOMEM)
                fprintf(stderr, "%s: out of memory\n", cfg->path);
        return r < 0 ? NULL : src;
}

/* Names the data sets whose views wait for tables that do not exist yet. */
static void print_waiting_views(PGconn *conn, const char *schema) {
        struct schema_waiting_view *views = NULL;
        size_t n = 0;
        _cleanup_(freep) char *error = NULL;
        if (schema_waiting_views(conn, schema, &views, &n, &error) < 0)
                return;
        for (size_t i = 0; i < n; i++)
                printf("notice: the views of %s wait for the tables they need (%s)\n", views[i].dataset,
                       views[i].requires);
        schema_waiting_views_free(views, n);
}

static PGconn *schema_failed(const char *config_path, const char *schema, int r, const char *error) {
        fprintf(stderr, "%s: cannot prepare schema %s: %s\n", config_path, schema, error ? error : strerror(-r));
        return NULL;
}

/* Connects, migrates and fits the source's table and views, printing what failed; NULL
 * then. */
static PGconn *open_database(const char *config_path, const struct config *cfg, const struct source *src) {
        _cleanup_(db_closep) PGconn *conn = NULL;
        _cleanup_(freep) char *error = NULL;
        int r = source_db_connect(cfg, &conn, &error);
        if (r == -ECONNREFUSED) {
                fprintf(stderr, "%s: cannot connect to the database: %s\n", config_path, error ? error : strerror(-r));
                return NULL;
        }
        if (r < 0)
                return schema_failed(config_path, cfg->schema, r, error);
        bool views_waiting = false;
        r = source_prepare(conn, src, &views_waiting, &error);
        if (r < 0)
                return schema_failed(config_path, cfg->schema, r, error);
        if (views_waiting)
                print_waiting_views(conn, cfg->schema);
        return TAKE_PTR(conn);
}

/* After the commit: the delivery's report beside the others. The load stands whatever
 * happens here, so a failure is a warning and does not change the exit status. */
static void load_report(PGconn *conn, const struct source *src, long long delivery_id) {
        if (!src->config->reports)
                return;
        _cleanup_(freep) char *path = NULL, *error = NULL;
        int e = source_report(conn, src, delivery_id, &path, &error);
        if (e < 0)
                fprintf(stderr, "warning: delivery %lld: no report written: %s\n", delivery_id,
                        error ? error : strerror(-e));
        else
                printf("report: %s\n", path);
}

/* Findings that linked rules placed on (or took back from) the records of other
 * deliveries: those deliveries' reports are out of date. */
static void print_relinked(const struct load_result *res) {
        if (res->nrelinked == 0)
                return;
        printf("linked rules: %lu findings on records of earlier deliveries; findings changed in deliver%s",
               res->relinked_findings, res->nrelinked == 1 ? "y" : "ies");
        for (size_t i = 0; i < res->nrelinked; i++)
                printf("%s %" PRId64, i ? "," : "", res->relinked[i]);
        printf("\n");
}

/* Linked rules changed the findings of earlier deliveries (res->relinked): their reports,
 * where their sources keep reports, are written again, each by its own source with its
 * pack -- so every source of the configuration is opened, only then. */
static void rewrite_reports(PGconn *conn, const struct config *cfg, const struct load_result *res) {
        if (res->nrelinked == 0)
                return;
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        _cleanup_(source_set_freep) struct source_set *set = NULL;
        if (source_set_open(cfg->path, 0, &set, &diags) < 0) {
                fprintf(stderr, "warning: the reports of the deliveries whose findings changed are not written again: "
                        "the configuration's sources do not open (plausid config check)\n");
                return;
        }
        for (size_t k = 0; k < res->nrelinked; k++) {
                _cleanup_(freep) char *path = NULL, *error = NULL;
                int e = source_set_report(conn, set, res->relinked[k], &path, &error);
                if (e >= 0)
                        printf("report: %s\n", path);
                else if (e != -ENOENT)
                        fprintf(stderr, "warning: delivery %" PRId64 ": no report written: %s\n", res->relinked[k],
                                error ? error : strerror(-e));
        }
}

/* What became of a loaded input; returns its exit status. */
static int print_load_result(const struct source *src, const char *name, const struct load_result *res) {
        if (res->status == LOAD_DUPLICATE) {
                printf("%s: duplicate of delivery %lld, skipped (recorded as delivery %lld)\n", name,
                       res->duplicate_of, res->delivery_id);
                return EXIT_CLEAN;
        }
        if (res->per_rule) {
                struct checker_stats checked = {.records = res->records, .rejected = res->rejected,
                                                .warned = res->warned, .per_rule = res->per_rule};
                print_summary(src->rs, name, &checked, res->unknown_columns, res->encoding);
        }
        if (res->status == LOAD_REJECTED) {
                printf("delivery %lld: REJECTED as a whole, nothing loaded: %s\n", res->delivery_id, res->reason);
                return EXIT_REJECTED;
        }
        printf("delivery %lld: %lu records loaded, %lu findings", res->delivery_id, res->loaded, res->findings);
        if (res->replaced_rows || res->superseded)
                printf("; replaced %lu rows of earlier deliveries, %lu of them completely", res->replaced_rows,
                       res->superseded);
        printf("\n");
        print_relinked(res);
        return EXIT_CLEAN;
}

/* Loads one input; returns an exit status. */
static int load_file(PGconn *conn, const struct config *cfg, const struct source *src, const char *path) {
        _cleanup_(closep) int fd = -1;
        int r = source_input_open(path, &fd, NULL);
        if (r == -EINVAL || r == -EISDIR) {
                fprintf(stderr, "%s: not a regular file\n", path);
                return EXIT_TROUBLE;
        }
        if (r < 0) {
                fprintf(stderr, "%s: cannot open: %s\n", path, strerror(-r));
                return EXIT_TROUBLE;
        }
        _cleanup_(freep) char *copy = strdup(path);
        if (!copy)
                return EXIT_TROUBLE;
        const char *name = basename(copy);
        source_db_revive(conn);
        struct load_result res = {0};
        _cleanup_(freep) char *error = NULL;
        r = source_load(conn, src, NULL, fd, name, &res, &error);
        if (r < 0) {
                fprintf(stderr, "%s: not loaded, nothing of it is in the database: %s\n", path,
                        error ? error : strerror(-r));
                return EXIT_TROUBLE;
        }
        int status = print_load_result(src, name, &res);
        load_report(conn, src, res.delivery_id);
        rewrite_reports(conn, cfg, &res);
        load_result_done(&res);
        return status;
}

static int cmd_load(int argc, char **argv) {
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"source", required_argument, NULL, 's'},
                {"format", required_argument, NULL, 'f'},
                {"berichtsjahr", required_argument, NULL, 'y'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *config_path = NULL, *source_name = NULL;
        enum checker_format format = CHECKER_FORMAT_AUTO;
        int berichtsjahr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "c:s:f:y:h", options, NULL)) != -1)
                switch (c) {
                case 'c': config_path = optarg; break;
                case 's': source_name = optarg; break;
                case 'f':
                        if (parse_format(optarg, &format) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'y':
                        if (parse_year("--berichtsjahr", optarg, &berichtsjahr) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'h': usage(stdout); return EXIT_CLEAN;
                default: usage(stderr); return EXIT_TROUBLE;
                }
        if (!config_path || !source_name || optind >= argc) {
                fprintf(stderr, "%s load: %s\n", program,
                        !config_path   ? "--config FILE is required"
                        : !source_name ? "--source NAME is required"
                                       : "no INPUT given");
                usage(stderr);
                return EXIT_TROUBLE;
        }
        _cleanup_(config_freep) struct config *cfg = load_config(config_path);
        if (!cfg)
                return EXIT_TROUBLE;
        const struct source_config *sc = config_find_source(cfg, source_name);
        if (!sc) {
                fprintf(stderr, "%s: no source named '%s'; the sources are:", config_path, source_name);
                for (size_t i = 0; i < cfg->nsources; i++)
                        fprintf(stderr, " %s", cfg->sources[i].name);
                fprintf(stderr, "\n");
                return EXIT_TROUBLE;
        }
        _cleanup_(source_freep) struct source *src = open_source(cfg, sc);
        if (!src || !pack_reads(src->rs, sc->rules, format))
                return EXIT_TROUBLE;
        /* The command line's word over the source's, for this run. */
        if (format != CHECKER_FORMAT_AUTO)
                src->load.input.format = format;
        if (berichtsjahr)
                src->load.input.berichtsjahr = berichtsjahr;
        _cleanup_(db_closep) PGconn *conn = open_database(config_path, cfg, src);
        if (!conn)
                return EXIT_TROUBLE;
        int status = EXIT_CLEAN;
        for (int i = optind; i < argc; i++) {
                int s = load_file(conn, cfg, src, argv[i]);
                if (s > status)
                        status = s;
        }
        return status;
}

/* ---- plausid run, plausid config check, plausid rules test ---- */

/* --config FILE and nothing else; NULL after printing the usage. */
static const char *config_option(int argc, char **argv, const char *what) {
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *path = NULL;
        int c;
        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) != -1)
                switch (c) {
                case 'c': path = optarg; break;
                default: usage(stderr); return NULL;
                }
        if (!path || optind != argc) {
                fprintf(stderr, "%s %s: %s\n", program, what, !path ? "--config FILE is required" : "unexpected arguments");
                usage(stderr);
                return NULL;
        }
        return path;
}

static int cmd_run(int argc, char **argv) {
        const char *path = config_option(argc, argv, "run");
        return path ? run_daemon(path) : EXIT_TROUBLE;
}

/* Opens every source as the daemon would, printing every error; exit 0 when there is
 * none, 1 otherwise. */
static int config_check(const char *config_path) {
        _cleanup_(diaglist_done) struct diaglist diags = {.limit = 1000};
        _cleanup_(source_set_freep) struct source_set *set = NULL;
        int r = source_set_open(config_path, SOURCE_DAEMON, &set, &diags);
        diaglist_print(&diags, stderr);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", config_path,
                        r == -EINVAL ? "the configuration or a rule pack has errors" : strerror(-r));
                return EXIT_REJECTED;
        }
        printf("%s: configuration ok, %zu source%s\n", config_path, set->n, set->n == 1 ? "" : "s");
        for (size_t i = 0; i < set->n; i++) {
                const struct source *s = set->sources[i];
                printf("  %s: %s (%s %s, %u rules)\n", s->config->name, s->config->rules, ruleset_name(s->rs),
                       ruleset_version(s->rs), ruleset_rule_count(s->rs));
        }
        return EXIT_CLEAN;
}

static int cmd_config(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "check") != 0) {
                usage(stderr);
                return EXIT_TROUBLE;
        }
        const char *path = config_option(argc - 1, argv + 1, "config check");
        return path ? config_check(path) : EXIT_TROUBLE;
}

/* The pack's catalogue on stdout (docs/<pack>-katalog.md is this output, committed). */
static int rules_doc(const char *path) {
        _cleanup_(ruleset_freep) struct ruleset *rs = load_rules(path);
        if (!rs)
                return EXIT_REJECTED;
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        int r = ruledoc_write(rs, path, stdout, &diags);
        diaglist_print(&diags, stderr);
        if (r < 0 || fflush(stdout) != 0) {
                fprintf(stderr, "%s: cannot write the catalogue: %s\n", path, strerror(r < 0 ? -r : errno));
                return EXIT_TROUBLE;
        }
        return EXIT_CLEAN;
}

static int cmd_rules(int argc, char **argv) {
        if (argc == 3 && strcmp(argv[1], "doc") == 0)
                return rules_doc(argv[2]);
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
        unsigned passed_rules = 0, untested = 0, database = 0, fixed = 0;
        for (unsigned i = 0; i < n; i++) {
                const struct linked_rule *linked = ruleset_rule_linked(rs, i);
                if (linked) {
                        printf("%-4s %-6s checked against data set %s by plausid load\n", "db", ruleset_rule_id(rs, i),
                               linked->dataset);
                        database++;
                        continue;
                }
                if (ruleset_rule_needs_database(rs, i)) {
                        printf("%-4s %-6s compared with earlier deliveries by plausid load\n", "db", ruleset_rule_id(rs, i));
                        database++;
                        continue;
                }
                if (ruleset_rule_fixed_only(rs, i)) {
                        printf("%-4s %-6s only in fixed-width files, which examples are not\n", "fix", ruleset_rule_id(rs, i));
                        fixed++;
                        continue;
                }
                const char *verdict = results[i].examples == 0 ? "NONE" : results[i].failed ? "FAIL" : "ok";
                printf("%-4s %-6s %u example%s%s\n", verdict, ruleset_rule_id(rs, i), results[i].examples,
                       results[i].examples == 1 ? "" : "s", results[i].failed ? " (some failed)" : "");
                if (results[i].examples == 0)
                        untested++;
                else if (!results[i].failed)
                        passed_rules++;
        }
        printf("%s %s: %u rules, %u passed, %u failed, %u without examples, %u run by load", ruleset_name(rs),
               ruleset_version(rs), n, passed_rules, n - passed_rules - untested - database - fixed, untested, database);
        if (fixed)
                printf(", %u fixed-width only", fixed);
        printf("\n");
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
        if (strcmp(cmd, "load") == 0)
                return cmd_load(argc - 1, argv + 1);
        if (strcmp(cmd, "run") == 0)
                return cmd_run(argc - 1, argv + 1);
        if (strcmp(cmd, "report") == 0)
                return cmd_report(argc - 1, argv + 1);
        if (strcmp(cmd, "export") == 0)
                return cmd_export(argc - 1, argv + 1);
        if (strcmp(cmd, "config") == 0)
                return cmd_config(argc - 1, argv + 1);
        if (strcmp(cmd, "rules") == 0)
                return cmd_rules(argc - 1, argv + 1);
        fprintf(stderr, "%s: unknown command '%s'\n", program, cmd);
        usage(stderr);
        return EXIT_TROUBLE;
}
