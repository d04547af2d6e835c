/*
 * The commands that read the database out (main.h): `plausid report` (a delivery's report,
 * or the overview since a day) and `plausid export` (a view into a file for people, or the
 * loaded records in the fixed-width layout). Each maps its arguments to the options of the
 * stage that does the work and prints what it returns.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "export.h"
#include "htmlreport.h"
#include "main.h"
#include "register.h"
#include "report_db.h"
#include "ruleset.h"
#include "schema.h"
#include "source.h"
#include "strategiekarte.h"

/* ---- plausid report ---- */

/* The rule packs of every source, for the reports' titles and labels; a pack that does
 * not compile (its errors are printed) leaves its reports without them. */
struct report_packs {
        struct report_source *sources;
        size_t n;
};

static void report_packs_done(struct report_packs *p) {
        for (size_t i = 0; i < p->n; i++)
                ruleset_free((struct ruleset *) p->sources[i].rs);
        free(p->sources);
}

static int report_packs_open(const struct config *cfg, struct report_packs *ret) {
        struct report_packs p = {.sources = calloc(cfg->nsources, sizeof(struct report_source))};
        if (!p.sources)
                return -ENOMEM;
        for (; p.n < cfg->nsources; p.n++) {
                _cleanup_(diaglist_done) struct diaglist diags = {0};
                struct ruleset *rs = NULL;
                const struct source_config *sc = &cfg->sources[p.n];
                int r = source_compile(sc, &rs, &diags);
                if (r < 0)
                        print_pack_errors(sc->rules, r, &diags, diags.n + diags.dropped);
                else
                        diaglist_print(&diags, stderr);
                p.sources[p.n] = (struct report_source) {.name = sc->name, .rs = r < 0 ? NULL : rs};
        }
        *ret = p;
        return 0;
}

/* The overview of every delivery since a day, beside the first source's reports unless
 * told otherwise; returns an exit status. */
static int report_overview(PGconn *conn, const struct config *cfg, const struct report_packs *packs,
                           const char *since, const char *out, int gid, unsigned max_records) {
        for (size_t i = 0; !out && i < cfg->nsources; i++)
                out = cfg->sources[i].reports;
        if (!out) {
                fprintf(stderr, "%s report: --out DIR is required: no source has a reports directory\n", program);
                return EXIT_TROUBLE;
        }
        _cleanup_(freep) char *path = NULL, *error = NULL;
        size_t count = 0;
        int r = report_overview_from_db(conn, cfg->schema, packs->sources, packs->n, since, out, gid, max_records,
                                        &path, &count, &error);
        if (r < 0) {
                fprintf(stderr, "%s report: %s\n", program, error ? error : strerror(-r));
                return EXIT_TROUBLE;
        }
        printf("overview: %s (%zu deliveries, each with its report beside it)\n", path, count);
        return EXIT_CLEAN;
}

/* One delivery's report: its source decides its pack and, unless told, where the report
 * goes; returns an exit status. */
static int report_delivery(PGconn *conn, const struct config *cfg, const struct report_packs *packs,
                           long long id, const char *out, int gid, unsigned max_records) {
        _cleanup_(freep) char *source = NULL, *path = NULL, *error = NULL;
        int r = register_delivery_source(conn, cfg->schema, id, &source, &error);
        if (r < 0) {
                fprintf(stderr, "%s report: %s\n", program,
                        r == -ENOENT ? "there is no such delivery" : error ? error : strerror(-r));
                return EXIT_TROUBLE;
        }
        const struct ruleset *rs = NULL;
        for (size_t i = 0; i < packs->n; i++)
                if (strcmp(packs->sources[i].name, source) == 0) {
                        rs = packs->sources[i].rs;
                        if (!out)
                                out = cfg->sources[i].reports;
                }
        if (!out) {
                fprintf(stderr, "%s report: --out DIR is required: source '%s' has no reports directory\n", program,
                        source);
                return EXIT_TROUBLE;
        }
        r = report_delivery_from_db(conn, cfg->schema, rs, id, out, gid, max_records, &path, &error);
        if (r < 0) {
                fprintf(stderr, "%s report: %s\n", program, error ? error : strerror(-r));
                return EXIT_TROUBLE;
        }
        printf("report: %s\n", path);
        return EXIT_CLEAN;
}

/* The Strategiekarte of a year: into --out, else where the overview goes (the first
 * source's reports directory); returns an exit status. */
static int report_strategiekarte(PGconn *conn, const struct config *cfg, int year, const char *unit,
                                 const char *out, int gid) {
        for (size_t i = 0; !out && i < cfg->nsources; i++)
                out = cfg->sources[i].reports;
        if (!out) {
                fprintf(stderr, "%s report: --out VERZEICHNIS fehlt: keine Quelle hat ein Berichtsverzeichnis\n",
                        program);
                return EXIT_TROUBLE;
        }
        struct strategiekarte_options o = {.year = year, .unit = unit, .out_dir = out, .gid = gid};
        _cleanup_(strategiekarte_files_done) struct strategiekarte_files files = {0};
        _cleanup_(freep) char *error = NULL;
        int r = report_strategiekarte_from_db(conn, cfg->schema, &o, &files, &error);
        if (r < 0) {
                fprintf(stderr, "%s report: %s\n", program, error ? error : strerror(-r));
                return EXIT_TROUBLE;
        }
        printf("Strategiekarte: %s (Jugendamt %s, Berichtsjahr %d)\n", files.html, files.unit, year);
        for (size_t i = 0; i < files.ncsv; i++)
                printf("Tabelle: %s\n", files.csv[i]);
        return EXIT_CLEAN;
}

int cmd_report(int argc, char **argv) {
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"delivery", required_argument, NULL, 'd'},
                {"since", required_argument, NULL, 's'},
                {"out", required_argument, NULL, 'o'},
                {"max-records", required_argument, NULL, 'm'},
                {"group", required_argument, NULL, 'g'},
                {"strategiekarte", no_argument, NULL, 'S'},
                {"year", required_argument, NULL, 'y'},
                {"unit", required_argument, NULL, 'u'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *config_path = NULL, *delivery = NULL, *since = NULL, *out = NULL, *unit = NULL;
        unsigned max_records = HTMLREPORT_DEFAULT_MAX_RECORDS;
        int gid = -1, c, year = 0;
        bool strategiekarte = false;
        while ((c = getopt_long(argc, argv, "c:d:s:o:m:g:h", options, NULL)) != -1)
                switch (c) {
                case 'c': config_path = optarg; break;
                case 'S': strategiekarte = true; break;
                case 'y':
                        if (parse_year("--year", optarg, &year) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'u': unit = optarg; break;
                case 'd': delivery = optarg; break;
                case 's': since = optarg; break;
                case 'o': out = optarg; break;
                case 'm':
                        if (parse_max_records(optarg, &max_records) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'g':
                        if (parse_group(optarg, &gid) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'h': usage(stdout); return EXIT_CLEAN;
                default: usage(stderr); return EXIT_TROUBLE;
                }
        /* Exactly one of --delivery, --since, --strategiekarte; --year and --unit only with the last. */
        int kinds = !!delivery + !!since + strategiekarte;
        if (!config_path || kinds != 1 || optind != argc || (strategiekarte && !year) ||
            (!strategiekarte && (year || unit))) {
                fprintf(stderr, "%s report: %s\n", program,
                        !config_path                ? "--config FILE is required"
                        : optind != argc            ? "unexpected arguments"
                        : kinds != 1                ? "give either --delivery ID, --since YYYY-MM-DD or --strategiekarte"
                        : strategiekarte            ? "--strategiekarte braucht --year JAHR"
                                                    : "--year and --unit go with --strategiekarte only");
                usage(stderr);
                return EXIT_TROUBLE;
        }
        long long id = 0;
        if (delivery) {
                char *end;
                errno = 0;
                id = strtoll(delivery, &end, 10);
                if (!*delivery || *end || errno || id <= 0) {
                        fprintf(stderr, "%s report: --delivery: expected a delivery number, not '%s'\n", program,
                                delivery);
                        return EXIT_TROUBLE;
                }
        }
        _cleanup_(config_freep) struct config *cfg = load_config(config_path);
        if (!cfg)
                return EXIT_TROUBLE;
        _cleanup_(report_packs_done) struct report_packs packs = {0};
        if (report_packs_open(cfg, &packs) < 0)
                return EXIT_TROUBLE;
        /* Reports read what is there: no migration. */
        _cleanup_(db_closep) PGconn *conn = NULL;
        _cleanup_(freep) char *error = NULL;
        int r = db_connect(cfg->conninfo, &conn, &error);
        if (r < 0) {
                fprintf(stderr, "%s: cannot connect to the database: %s\n", config_path, error ? error : strerror(-r));
                return EXIT_TROUBLE;
        }
        if (strategiekarte)
                return report_strategiekarte(conn, cfg, year, unit, out, gid);
        if (since)
                return report_overview(conn, cfg, &packs, since, out, gid, max_records);
        return report_delivery(conn, cfg, &packs, id, out, gid, max_records);
}

/* ---- plausid export ---- */

/* --format csv|fixed */
static int parse_export_format(const char *s, enum export_format *ret) {
        if (strcmp(s, "csv") != 0 && strcmp(s, "fixed") != 0) {
                fprintf(stderr, "%s export: --format: csv oder fixed, nicht '%s'\n", program, s);
                return -EINVAL;
        }
        *ret = s[0] == 'c' ? EXPORT_CSV : EXPORT_FIXED;
        return 0;
}

static void print_export_failure(const char *config_path, const struct export_options *o,
                                  const struct export_failure *f) {
        const char *file = strcmp(o->out, "-") == 0 ? "die Standardausgabe" : o->out;
        switch (f->step) {
        case EXPORT_STEP_CONNECT:
                fprintf(stderr, "%s: keine Verbindung zur Datenbank: %s\n", config_path,
                        f->message ? f->message : strerror(-f->error));
                return;
        case EXPORT_STEP_DATABASE:
                fprintf(stderr, "%s export: Fehler der Datenbank: %s; %s wurde nicht geschrieben\n", program,
                        f->message ? f->message : strerror(-f->error), file);
                return;
        case EXPORT_STEP_UNKNOWN_VIEW:
                if (f->views && *f->views)
                        fprintf(stderr, "%s export: keine Sicht namens '%s'; die Sichten sind: %s\n", program,
                                o->view, f->views);
                else
                        fprintf(stderr, "%s export: keine Sicht namens '%s'; die Datenbank hat noch keine Sichten "
                                "der konfigurierten Datensätze (zuerst plausid load)\n", program, o->view);
                return;
        case EXPORT_STEP_NO_YEAR:
                fprintf(stderr, "%s export: die Sicht '%s' hat keine Spalte berichtsjahr: --year geht mit ihr nicht\n",
                        program, o->view);
                return;
        case EXPORT_STEP_NOT_FIXED:
                fprintf(stderr, "%s export: --format fixed schreibt die Datensätze eines Datensatzes mit festem "
                        "Satzaufbau: --view v_DATENSATZ (etwa v_hze) und --year mit einem Jahr, für das das Regelwerk "
                        "einen Satzaufbau hat, nicht '%s'%s\n", program, o->view, o->year ? "" : " ohne --year");
                return;
        case EXPORT_STEP_VALUE:
                fprintf(stderr, "%s export: %s; %s wurde nicht geschrieben\n", program,
                        f->message ? f->message : strerror(-f->error), file);
                return;
        case EXPORT_STEP_CREATE:
                fprintf(stderr, "%s: kann nicht angelegt werden: %s\n", file, strerror(-f->error));
                return;
        case EXPORT_STEP_WRITE:
                fprintf(stderr, "%s: kann nicht geschrieben werden: %s\n", file, strerror(-f->error));
                return;
        }
}

/* Opens the configuration's sources and exports; returns an exit status. */
static int export_with(const char *config_path, const struct export_options *o) {
        _cleanup_(diaglist_done) struct diaglist diags = {0};
        _cleanup_(source_set_freep) struct source_set *set = NULL;
        int r = source_set_open(config_path, 0, &set, &diags);
        diaglist_print(&diags, stderr);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", config_path,
                        r == -EINVAL ? "die Konfiguration oder ein Regelwerk hat Fehler" : strerror(-r));
                return EXIT_TROUBLE;
        }
        _cleanup_(export_failure_done) struct export_failure failure = {0};
        unsigned long rows = 0;
        if (export_view(set, o, &rows, &failure) < 0) {
                print_export_failure(config_path, o, &failure);
                return EXIT_TROUBLE;
        }
        if (strcmp(o->out, "-") != 0)
                printf("Export: %s (%lu Zeilen aus %s)\n", o->out, rows, o->view);
        return EXIT_CLEAN;
}

int cmd_export(int argc, char **argv) {
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"view", required_argument, NULL, 'v'},
                {"year", required_argument, NULL, 'y'},
                {"out", required_argument, NULL, 'o'},
                {"format", required_argument, NULL, 'f'},
                {"help", no_argument, NULL, 'h'},
                {0},
        };
        const char *config_path = NULL;
        struct export_options o = {.format = EXPORT_CSV};
        int c;
        while ((c = getopt_long(argc, argv, "c:v:y:o:f:h", options, NULL)) != -1)
                switch (c) {
                case 'c': config_path = optarg; break;
                case 'v': o.view = optarg; break;
                case 'y': {
                        int year;
                        if (parse_year("--year", optarg, &year) < 0)
                                return EXIT_TROUBLE;
                        o.year = optarg;
                        break;
                }
                case 'o': o.out = optarg; break;
                case 'f':
                        if (parse_export_format(optarg, &o.format) < 0)
                                return EXIT_TROUBLE;
                        break;
                case 'h': usage(stdout); return EXIT_CLEAN;
                default: usage(stderr); return EXIT_TROUBLE;
                }
        if (!config_path || !o.view || !o.out || optind != argc) {
                fprintf(stderr, "%s export: %s\n", program,
                        !config_path ? "--config FILE fehlt"
                        : !o.view    ? "--view NAME fehlt"
                        : !o.out     ? "--out FILE fehlt (oder --out - für die Standardausgabe)"
                                     : "unerwartete Argumente");
                usage(stderr);
                return EXIT_TROUBLE;
        }
        return export_with(config_path, &o);
}

