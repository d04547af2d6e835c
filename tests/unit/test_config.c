/*
 * Unit tests of the configuration reader (daemon/config.c) against include/config.h and
 * config.example.yaml.
 *
 * Tables, each run as one test that checks every row and names every row that fails:
 *   ERROR_CASES   a configuration and the exact diagnostics it must give, as printed
 *                 ("c.yaml:line:col: message"): every kind of error, several at once, in
 *                 file order;
 *   VALUE_CASES   a database section and one source's extra lines, and what a key must be
 *                 read as: defaults, each type's syntax, null values, path resolution;
 *   PATH_CASES    relative and absolute paths against a base directory, and without one;
 *   SECRET_CASES  configurations with a password in the wrong place: no message shows it;
 *   RELOAD_CASES  a running and a new configuration and what config_reload_check says.
 * Then the file interface (relative paths against the file's own directory, unreadable
 * files), the limits, the daemon's directory check, the untouched out-parameter, the cap
 * on collected diagnostics, and the exactness of max_reject_share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "strbuf.h"

#define BASE_DIR "/etc/plausid"

/* The smallest valid configuration's source, for cases that add to it. */
#define SOURCE_HEAD "sources:\n  - name: hze\n    rules: rules/hze.yaml\n"

/* ---- helpers ---- */

static char *printed(const struct diaglist *d) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        assert_non_null(f);
        diaglist_print(d, f);
        fclose(f);
        return text;
}

static int load(const char *yaml, struct config **ret, struct diaglist *d) {
        return config_load_buffer("c.yaml", yaml, strlen(yaml), BASE_DIR, ret, d);
}

static struct config *load_ok(const char *yaml) {
        struct diaglist d = {0};
        struct config *c = NULL;
        int r = load(yaml, &c, &d);
        if (r != 0) {
                char *text = printed(&d);
                fail_msg("configuration does not load (%d):\n%s---\n%s", r, yaml, text);
        }
        assert_int_equal(d.n, 0);
        diaglist_done(&d);
        return c;
}

/* One line per configuration: every key of the database and of the first source. */
static void describe(const struct config *c, char *buf, size_t size) {
        const struct source_config *s = &c->sources[0];
#define OR_DASH(p) ((p) ? (p) : "-")
        snprintf(buf, size,
                 "conninfo=[%s] schema=%s | name=%s rules=%s drop=%s archive=%s quarantine=%s reports=%s redelivery=%s "
                 "max_reject_share=%g watch=%s scan_interval=%u stable_seconds=%u done_marker=%s report_group=%s "
                 "report_records=%u format=%d berichtsjahr=%u berichtsjahr_from_name=%s at=%u:%u",
                 c->conninfo, c->schema, s->name, OR_DASH(s->rules), OR_DASH(s->drop), OR_DASH(s->archive),
                 OR_DASH(s->quarantine), OR_DASH(s->reports), redelivery_name(s->redelivery), s->max_reject_share,
                 watch_mode_name(s->watch), s->scan_interval, s->stable_seconds, s->done_marker ? "true" : "false",
                 OR_DASH(s->report_group), s->report_records, (int) s->format, s->berichtsjahr,
                 OR_DASH(s->berichtsjahr_from_name), s->line, s->col);
#undef OR_DASH
}

/* True when want is one of the space-separated tokens of text. */
static bool has_token(const char *text, const char *want) {
        size_t n = strlen(want);
        for (const char *p = strstr(text, want); p; p = strstr(p + 1, want))
                if ((p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                        return true;
        return false;
}

/* ---- defaults ---- */

static void test_defaults(void **state) {
        (void) state;
        struct config *c = load_ok(SOURCE_HEAD);
        char buf[1000];
        describe(c, buf, sizeof(buf));
        assert_string_equal(buf, "conninfo=[] schema=plausid | name=hze rules=/etc/plausid/rules/hze.yaml drop=- "
                                 "archive=- quarantine=- reports=- redelivery=replace max_reject_share=0.1 "
                                 "watch=inotify scan_interval=30 stable_seconds=5 done_marker=false report_group=- "
                                 "report_records=500 format=0 berichtsjahr=0 berichtsjahr_from_name=- at=2:5");
        assert_true(c->sources[0].max_reject_share == 0.10);
        assert_string_equal(c->path, "c.yaml");
        assert_int_equal(c->nsources, 1);
        config_free(c);
}

/* ---- errors, exactly as printed ---- */

struct error_case {
        const char *name;
        const char *yaml;
        const char *want;       /* diaglist_print output */
};

static const struct error_case ERROR_CASES[] = {
        /* the document */
        {"empty file", "", "c.yaml: the configuration is empty\n"},
        {"comments only", "# nothing\n", "c.yaml: the configuration is empty\n"},
        {"root is a scalar", "hello\n", "c.yaml:1:1: the configuration must be a mapping (key: value)\n"},
        {"root is a list", "- a\n", "c.yaml:1:1: the configuration must be a mapping (key: value)\n"},
        {"YAML syntax", "sources: [\n",
         "c.yaml:2:1: YAML: did not find expected node content while parsing a flow node that began at 2:1\n"},
        {"bad indentation", "database:\n  schema: a\n schema: b\n" SOURCE_HEAD,
         "c.yaml:3:2: YAML: did not find expected key while parsing a block mapping that began at 1:1\n"},
        {"tab indentation", "database:\n\tschema: a\n" SOURCE_HEAD,
         "c.yaml:2:1: YAML: found character that cannot start any token while scanning for the next token that began at 2:1\n"},
        {"alias", "database:\n  schema: &s abc\n" SOURCE_HEAD "    reports: *s\n",
         "c.yaml:6:14: YAML alias '*s': aliases are not supported in the configuration; write the value out\n"},
        {"second document", SOURCE_HEAD "---\n" SOURCE_HEAD,
         "c.yaml:4:1: the configuration is one YAML document, but a second one begins here\n"},

        /* sections */
        {"no sources", "database:\n  schema: abc\n", "c.yaml: the configuration has no 'sources' section\n"},
        {"empty sources list", "sources: []\n",
         "c.yaml:1:10: sources is empty: the configuration needs at least one source\n"},
        {"null sources", "sources:\n",
         "c.yaml:1:9: sources is empty: the configuration needs at least one source\n"},
        {"sources is a mapping", "sources:\n  hze: {rules: r.yaml}\n", "c.yaml:2:3: sources must be a list\n"},
        {"source is a scalar", "sources:\n  - hze\n", "c.yaml:2:5: a source must be a mapping (key: value)\n"},
        {"source is null", "sources:\n  -\n" "  - name: a\n    rules: r\n",
         "c.yaml:2:4: a source must be a mapping (key: value)\n"},
        {"database is a list", "database: [a]\n" SOURCE_HEAD, "c.yaml:1:11: database must be a mapping (key: value)\n"},
        {"database is a scalar", "database: postgres\n" SOURCE_HEAD,
         "c.yaml:1:11: database must be a mapping (key: value)\n"},
        {"unknown top-level key", "databse:\n  schema: x\n" SOURCE_HEAD,
         "c.yaml:1:1: unknown key 'databse' in the configuration (known keys: database, sources)\n"},
        {"top-level key twice", SOURCE_HEAD SOURCE_HEAD, "c.yaml:4:1: key 'sources' appears twice in the configuration\n"},

        /* keys */
        {"unknown database key", "database:\n  host: db\n" SOURCE_HEAD,
         "c.yaml:2:3: unknown key 'host' in database (known keys: conninfo, schema)\n"},
        {"unknown source key", SOURCE_HEAD "    dorp: /x\n",
         "c.yaml:4:5: unknown key 'dorp' in a source (known keys: name, rules, drop, archive, quarantine, reports, "
         "redelivery, max_reject_share, watch, scan_interval, stable_seconds, done_marker, report_group, report_records, format, berichtsjahr, berichtsjahr_from_name)\n"},
        {"key is a list", SOURCE_HEAD "    [a]: b\n", "c.yaml:4:5: a key must be a single value\n"},
        {"database key twice", "database:\n  schema: a\n  schema: b\n" SOURCE_HEAD,
         "c.yaml:3:3: key 'schema' appears twice in database\n"},
        {"source key twice", SOURCE_HEAD "    rules: other.yaml\n", "c.yaml:4:5: key 'rules' appears twice in a source\n"},
        {"unknown format", SOURCE_HEAD "    format: festbreit\n",
         "c.yaml:4:13: format must be auto, csv or fixed, not 'festbreit'\n"},
        {"berichtsjahr out of range", SOURCE_HEAD "    berichtsjahr: 24\n",
         "c.yaml:4:19: berichtsjahr must be a whole number from 1900 to 2100, not '24'\n"},
        {"year pattern without YYYY", SOURCE_HEAD "    berichtsjahr_from_name: \"jgh_*.txt\"\n",
         "c.yaml:4:29: berichtsjahr_from_name: it must hold YYYY once, where the year stands (jgh_YYYY.txt)\n"},
        {"flow source key twice", "sources:\n  - {name: a, rules: r, name: b}\n",
         "c.yaml:2:25: key 'name' appears twice in a source\n"},
        {"no name", "sources:\n  - rules: r.yaml\n", "c.yaml:2:5: source has no 'name'\n"},
        {"no rules", "sources:\n  - name: hze\n", "c.yaml:2:5: source 'hze' has no 'rules'\n"},
        {"no name, no rules", "sources:\n  - drop: d\n",
         "c.yaml:2:5: source has no 'name'\nc.yaml:2:5: source has no 'rules'\n"},
        {"rules without value", "sources:\n  - name: hze\n    rules:\n", "c.yaml:3:11: rules needs a value\n"},
        {"name ~", "sources:\n  - name: ~\n    rules: r\n", "c.yaml:2:11: name needs a value\n"},
        {"rules empty string", "sources:\n  - name: hze\n    rules: \"\"\n",
         "c.yaml:3:12: rules must not be empty (leave the key out instead)\n"},
        {"drop empty string", SOURCE_HEAD "    drop: ''\n",
         "c.yaml:4:11: drop must not be empty (leave the key out instead)\n"},

        /* names */
        {"name upper case", "sources:\n  - name: Hze\n    rules: r\n",
         "c.yaml:2:11: source name 'Hze' must be a lower-case name: a letter, then letters, digits or '_', at most 63 characters\n"},
        {"name leading digit", "sources:\n  - name: 35a\n    rules: r\n",
         "c.yaml:2:11: source name '35a' must be a lower-case name: a letter, then letters, digits or '_', at most 63 characters\n"},
        {"name leading underscore", "sources:\n  - name: _a\n    rules: r\n",
         "c.yaml:2:11: source name '_a' must be a lower-case name: a letter, then letters, digits or '_', at most 63 characters\n"},
        {"name with dash", "sources:\n  - name: hze-nord\n    rules: r\n",
         "c.yaml:2:11: source name 'hze-nord' must be a lower-case name: a letter, then letters, digits or '_', at most 63 characters\n"},
        {"name twice", SOURCE_HEAD "  - name: b\n    rules: r\n  - name: hze\n    rules: r\n",
         "c.yaml:6:11: source name 'hze' is used twice (first on line 2)\n"},
        {"schema upper case", "database:\n  schema: Plausid\n" SOURCE_HEAD,
         "c.yaml:2:11: schema 'Plausid' must be a lower-case name: a letter, then letters, digits or '_', at most 63 characters\n"},
        {"schema pg_", "database:\n  schema: pg_plausid\n" SOURCE_HEAD,
         "c.yaml:2:11: schema 'pg_plausid': names beginning with pg_ are reserved by PostgreSQL\n"},
        {"schema with dot", "database:\n  schema: a.b\n" SOURCE_HEAD,
         "c.yaml:2:11: schema 'a.b' must be a lower-case name: a letter, then letters, digits or '_', at most 63 characters\n"},

        /* types */
        {"mapping for a path", SOURCE_HEAD "    drop: {path: /x}\n", "c.yaml:4:11: drop must be a single value\n"},
        {"list for a path", SOURCE_HEAD "    archive: [/a, /b]\n", "c.yaml:4:14: archive must be a single value\n"},
        {"mapping for a name", "sources:\n  - name: {a: b}\n    rules: r\n", "c.yaml:2:11: name must be a single value\n"},
        {"list for a number", SOURCE_HEAD "    scan_interval: [30]\n",
         "c.yaml:4:20: scan_interval must be a single value\n"},
        {"mapping for a bool", SOURCE_HEAD "    done_marker: {a: 1}\n", "c.yaml:4:18: done_marker must be a single value\n"},
        {"list for an enum", SOURCE_HEAD "    watch: [poll]\n", "c.yaml:4:12: watch must be a single value\n"},
        {"list for a share", SOURCE_HEAD "    max_reject_share: [0.1]\n",
         "c.yaml:4:23: max_reject_share must be a single value\n"},
        {"NUL in a path", SOURCE_HEAD "    drop: \"a\\0b\"\n", "c.yaml:4:11: drop contains a NUL character\n"},

        /* numbers */
        {"scan_interval 0", SOURCE_HEAD "    scan_interval: 0\n",
         "c.yaml:4:20: scan_interval must be a whole number from 1 to 86400, not '0'\n"},
        {"scan_interval too big", SOURCE_HEAD "    scan_interval: 86401\n",
         "c.yaml:4:20: scan_interval must be a whole number from 1 to 86400, not '86401'\n"},
        {"scan_interval negative", SOURCE_HEAD "    scan_interval: -5\n",
         "c.yaml:4:20: scan_interval must be a whole number from 1 to 86400, not '-5'\n"},
        {"scan_interval with unit", SOURCE_HEAD "    scan_interval: 30s\n",
         "c.yaml:4:20: scan_interval must be a whole number from 1 to 86400, not '30s'\n"},
        {"scan_interval fraction", SOURCE_HEAD "    scan_interval: 1.5\n",
         "c.yaml:4:20: scan_interval must be a whole number from 1 to 86400, not '1.5'\n"},
        {"scan_interval huge", SOURCE_HEAD "    scan_interval: 99999999999999999999999\n",
         "c.yaml:4:20: scan_interval must be a whole number from 1 to 86400, not '99999999999999999999999'\n"},
        {"scan_interval empty string", SOURCE_HEAD "    scan_interval: \"\"\n",
         "c.yaml:4:20: scan_interval must be a whole number from 1 to 86400, not ''\n"},
        {"stable_seconds 0", SOURCE_HEAD "    stable_seconds: 0\n",
         "c.yaml:4:21: stable_seconds must be a whole number from 1 to 3600, not '0'\n"},
        {"stable_seconds word", SOURCE_HEAD "    stable_seconds: ten\n",
         "c.yaml:4:21: stable_seconds must be a whole number from 1 to 3600, not 'ten'\n"},
        {"share with comma", SOURCE_HEAD "    max_reject_share: 0,1\n",
         "c.yaml:4:23: max_reject_share needs a decimal point, not a comma: 0.1, not '0,1'\n"},
        {"share with comma, quoted", SOURCE_HEAD "    max_reject_share: \"0,25\"\n",
         "c.yaml:4:23: max_reject_share needs a decimal point, not a comma: 0.25, not '0,25'\n"},
        /* too long to be a share: the plain message, the value whole */
        {"share with comma, long", SOURCE_HEAD "    max_reject_share: \"0,100000000000000000000000000000000000\"\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '0,100000000000000000000000000000000000'\n"},
        {"share above 1", SOURCE_HEAD "    max_reject_share: 1.5\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '1.5'\n"},
        {"share above 1 with comma", SOURCE_HEAD "    max_reject_share: 1,5\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '1,5'\n"},
        {"share just above 1", SOURCE_HEAD "    max_reject_share: 1.0000001\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '1.0000001'\n"},
        {"share negative", SOURCE_HEAD "    max_reject_share: -0.1\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '-0.1'\n"},
        {"share percent", SOURCE_HEAD "    max_reject_share: 10%\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '10%'\n"},
        {"share exponent", SOURCE_HEAD "    max_reject_share: 1e-1\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '1e-1'\n"},
        {"share nan", SOURCE_HEAD "    max_reject_share: nan\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not 'nan'\n"},
        {"share two points", SOURCE_HEAD "    max_reject_share: 0.1.2\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '0.1.2'\n"},
        {"share point only", SOURCE_HEAD "    max_reject_share: .\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '.'\n"},
        {"share two commas", SOURCE_HEAD "    max_reject_share: \"0,1,2\"\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '0,1,2'\n"},
        {"share space", SOURCE_HEAD "    max_reject_share: \" 0.1\"\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not ' 0.1'\n"},
        {"share too many digits", SOURCE_HEAD "    max_reject_share: 0.123456789012345678\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '0.123456789012345678'\n"},
        {"share too many decimals", SOURCE_HEAD "    max_reject_share: 0.00000000000000000000001\n",
         "c.yaml:4:23: max_reject_share must be a number from 0 to 1 (0.1 is 10 %), not '0.00000000000000000000001'\n"},

        /* choices */
        {"redelivery unknown", SOURCE_HEAD "    redelivery: later\n",
         "c.yaml:4:17: redelivery must be replace, append or reject, not 'later'\n"},
        {"redelivery capitalised", SOURCE_HEAD "    redelivery: Replace\n",
         "c.yaml:4:17: redelivery must be replace, append or reject, not 'Replace'\n"},
        {"watch unknown", SOURCE_HEAD "    watch: fanotify\n", "c.yaml:4:12: watch must be inotify or poll, not 'fanotify'\n"},
        {"done_marker 1", SOURCE_HEAD "    done_marker: 1\n", "c.yaml:4:18: done_marker must be true or false, not '1'\n"},
        {"done_marker maybe", SOURCE_HEAD "    done_marker: maybe\n",
         "c.yaml:4:18: done_marker must be true or false, not 'maybe'\n"},

        /* directories */
        {"two sources, one drop", SOURCE_HEAD "    drop: /srv/drop\n  - name: b\n    rules: r\n    drop: /srv/drop/\n",
         "c.yaml:7:11: drop of source 'b' is the same directory as drop of source 'hze' (line 4)\n"},
        {"drop is the archive", SOURCE_HEAD "    drop: in\n    archive: ./in\n",
         "c.yaml:5:14: archive of source 'hze' is the same directory as drop of source 'hze' (line 4)\n"},
        {"drop is another's quarantine", SOURCE_HEAD "    quarantine: /q\n  - name: b\n    rules: r\n    drop: //q\n",
         "c.yaml:7:11: drop of source 'b' is the same directory as quarantine of source 'hze' (line 4)\n"},
        /* compared as the daemon finds them, not by spelling (issue 14, 1: a quarantine
         * "./x/../drop" took the daemon's own quarantined file back, 962 times) */
        {"quarantine spelled differently", SOURCE_HEAD "    drop: /srv/in\n    quarantine: /srv/x/../in\n",
         "c.yaml:5:17: quarantine of source 'hze' is the same directory as drop of source 'hze' (line 4)\n"},
        {"archive inside the drop", SOURCE_HEAD "    drop: /srv/in\n    archive: /srv/in/done\n",
         "c.yaml:5:14: archive of source 'hze' lies inside drop of source 'hze' (line 4)\n"},
        {"drop inside the reports", SOURCE_HEAD "    reports: /srv/out\n    drop: /srv/out/in/.\n",
         "c.yaml:4:14: reports of source 'hze' holds drop of source 'hze' (line 5)\n"},
        {"quarantine holds the archive", SOURCE_HEAD "    archive: /srv/q/a\n    quarantine: /srv/q\n",
         "c.yaml:5:17: quarantine of source 'hze' holds archive of source 'hze' (line 4)\n"},

        /* everything at once: all collected, in file order */
        {"many errors",
         "database:\n"
         "  conninfo: [x]\n"
         "  schema: Bad\n"
         "  port: 5432\n"
         "sources:\n"
         "  - name: hze\n"
         "    rules: rules/hze.yaml\n"
         "    max_reject_share: 0,1\n"
         "    watch: poll\n"
         "    scan_interval: 0\n"
         "    drop: {a: b}\n"
         "    extra: 1\n"
         "  - rules: r.yaml\n"
         "    done_marker: vielleicht\n"
         "  - name: hze\n"
         "    rules: x\n"
         "    redelivery: ersetzen\n"
         "wat: 1\n",
         "c.yaml:2:13: conninfo must be a single value\n"
         "c.yaml:3:11: schema 'Bad' must be a lower-case name: a letter, then letters, digits or '_', at most 63 characters\n"
         "c.yaml:4:3: unknown key 'port' in database (known keys: conninfo, schema)\n"
         "c.yaml:8:23: max_reject_share needs a decimal point, not a comma: 0.1, not '0,1'\n"
         "c.yaml:10:20: scan_interval must be a whole number from 1 to 86400, not '0'\n"
         "c.yaml:11:11: drop must be a single value\n"
         "c.yaml:12:5: unknown key 'extra' in a source (known keys: name, rules, drop, archive, quarantine, reports, "
         "redelivery, max_reject_share, watch, scan_interval, stable_seconds, done_marker, report_group, report_records, format, berichtsjahr, berichtsjahr_from_name)\n"
         "c.yaml:13:5: source has no 'name'\n"
         "c.yaml:14:18: done_marker must be true or false, not 'vielleicht'\n"
         "c.yaml:15:11: source name 'hze' is used twice (first on line 6)\n"
         "c.yaml:17:17: redelivery must be replace, append or reject, not 'ersetzen'\n"
         "c.yaml:18:1: unknown key 'wat' in the configuration (known keys: database, sources)\n"},
        /* report keys */
        {"report group", SOURCE_HEAD "    report_group: Controlling\n",
         "c.yaml:4:19: report_group 'Controlling' must be a group name: a lower-case letter or '_', then letters, digits, '_' or '-', at most 32 characters\n"},
        {"report records", SOURCE_HEAD "    report_records: 0\n",
         "c.yaml:4:21: report_records must be a whole number from 1 to 100000, not '0'\n"},
};

static bool error_case_ok(const struct error_case *ec) {
        struct diaglist d = {0};
        struct config *c = (struct config *) 0x1;
        int r = load(ec->yaml, &c, &d);
        char *text = printed(&d);
        bool ok = r == -EINVAL && c == (struct config *) 0x1 && strcmp(text, ec->want) == 0;
        if (!ok)
                print_error("error case '%s': result %d\n--- expected\n%s--- got\n%s", ec->name, r, ec->want, text);
        free(text);
        diaglist_done(&d);
        return ok;
}

static void test_error_cases(void **state) {
        (void) state;
        unsigned failed = 0;
        for (size_t i = 0; i < ELEMENTSOF(ERROR_CASES); i++)
                failed += !error_case_ok(&ERROR_CASES[i]);
        if (failed)
                fail_msg("%u of %zu error cases failed", failed, ELEMENTSOF(ERROR_CASES));
}

/* ---- values ---- */

struct value_case {
        const char *database;   /* lines of the database section, or NULL for none */
        const char *source;     /* lines added to the source "hze" */
        const char *want;       /* a token of describe() */
};

static const struct value_case VALUE_CASES[] = {
        {"  conninfo: \"host=db dbname=jh\"\n", "", "conninfo=[host=db"},
        {"  conninfo: \"\"\n", "", "conninfo=[]"},
        {"  conninfo:\n", "", "conninfo=[]"},
        {"  schema: jugendhilfe_2\n", "", "schema=jugendhilfe_2"},
        {"  schema: ~\n", "", "schema=plausid"},
        {"", "", "schema=plausid"},
        {NULL, "", "schema=plausid"},
        {"  schema: abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc\n", "",
         "schema=abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"},
        {NULL, "    rules: /srv/rules/hze.yaml\n", "rules=/srv/rules/hze.yaml"},
        {NULL, "    drop: drop\n", "drop=/etc/plausid/drop"},
        {NULL, "    drop: ./in//hze/\n", "drop=/etc/plausid/in/hze"},
        {NULL, "    drop: ../var/drop\n", "drop=/etc/plausid/../var/drop"},
        {NULL, "    drop: /var//lib/./plausid/\n", "drop=/var/lib/plausid"},
        {NULL, "    drop: /\n", "drop=/"},
        {NULL, "    drop: .\n", "drop=/etc/plausid"},
        {NULL, "    drop: \"Eingang Jugendamt\"\n", "drop=/etc/plausid/Eingang"},
        {NULL, "    archive: /a\n", "archive=/a"},
        {NULL, "    quarantine: q\n", "quarantine=/etc/plausid/q"},
        {NULL, "    reports: /r\n", "reports=/r"},
        {NULL, "    drop: ~\n", "drop=-"},
        {NULL, "    redelivery: replace\n", "redelivery=replace"},
        {NULL, "    redelivery: append\n", "redelivery=append"},
        {NULL, "    redelivery: reject\n", "redelivery=reject"},
        {NULL, "    redelivery:\n", "redelivery=replace"},
        {NULL, "    max_reject_share: 0.3\n", "max_reject_share=0.3"},
        {NULL, "    max_reject_share: 0\n", "max_reject_share=0"},
        {NULL, "    max_reject_share: 1\n", "max_reject_share=1"},
        {NULL, "    max_reject_share: 1.000\n", "max_reject_share=1"},
        {NULL, "    max_reject_share: .5\n", "max_reject_share=0.5"},
        {NULL, "    max_reject_share: 0.05\n", "max_reject_share=0.05"},
        {NULL, "    max_reject_share: \"0.2\"\n", "max_reject_share=0.2"},
        {NULL, "    max_reject_share: 1.\n", "max_reject_share=1"},
        {NULL, "    watch: poll\n", "watch=poll"},
        {NULL, "    watch: inotify\n", "watch=inotify"},
        {NULL, "    scan_interval: 1\n", "scan_interval=1"},
        {NULL, "    scan_interval: 86400\n", "scan_interval=86400"},
        {NULL, "    scan_interval: \"45\"\n", "scan_interval=45"},
        {NULL, "    stable_seconds: 3600\n", "stable_seconds=3600"},
        {NULL, "    done_marker: true\n", "done_marker=true"},
        {NULL, "    done_marker: yes\n", "done_marker=true"},
        {NULL, "    done_marker: no\n", "done_marker=false"},
        {NULL, "    done_marker:\n", "done_marker=false"},
        {NULL, "    report_group: jugendamt-controlling\n", "report_group=jugendamt-controlling"},
        {NULL, "    report_group: _plausid\n", "report_group=_plausid"},
        {NULL, "    report_records: 1\n", "report_records=1"},
        {NULL, "    report_records: 100000\n", "report_records=100000"},
};

static bool value_case_ok(const struct value_case *vc) {
        struct strbuf y = {0};
        if (vc->database)
                assert_true(strbuf_puts(&y, "database:\n") >= 0 && strbuf_puts(&y, vc->database) >= 0);
        assert_true(strbuf_puts(&y, "sources:\n  - name: hze\n") >= 0);
        if (!strstr(vc->source, "rules:"))
                assert_true(strbuf_puts(&y, "    rules: rules/hze.yaml\n") >= 0);
        assert_true(strbuf_puts(&y, vc->source) >= 0);
        struct diaglist d = {0};
        struct config *c = NULL;
        int r = load(strbuf_str(&y), &c, &d);
        char buf[1000] = "";
        if (r == 0)
                describe(c, buf, sizeof(buf));
        bool ok = r == 0 && has_token(buf, vc->want);
        if (!ok) {
                char *text = printed(&d);
                print_error("value case %s%s: result %d, want %s\n%s%s", vc->database ? vc->database : "", vc->source,
                            r, vc->want, buf, text);
                free(text);
        }
        config_free(c);
        diaglist_done(&d);
        strbuf_done(&y);
        return ok;
}

static void test_value_cases(void **state) {
        (void) state;
        unsigned failed = 0;
        for (size_t i = 0; i < ELEMENTSOF(VALUE_CASES); i++)
                failed += !value_case_ok(&VALUE_CASES[i]);
        if (failed)
                fail_msg("%u of %zu value cases failed", failed, ELEMENTSOF(VALUE_CASES));
}

/* ---- path resolution ---- */

struct path_case {
        const char *base;       /* NULL: no base directory */
        const char *path;
        const char *want;
};

static const struct path_case PATH_CASES[] = {
        {"/etc/plausid", "rules/hze.yaml", "/etc/plausid/rules/hze.yaml"},
        {"/etc/plausid/", "rules/hze.yaml", "/etc/plausid/rules/hze.yaml"},
        {"/etc//plausid/.", "./rules/./hze.yaml", "/etc/plausid/rules/hze.yaml"},
        {"/etc/plausid", "../rules/hze.yaml", "/etc/plausid/../rules/hze.yaml"},
        {"/etc/plausid", "/opt/rules/hze.yaml", "/opt/rules/hze.yaml"},
        {"/etc/plausid", "//opt//rules/", "/opt/rules"},
        {"/", "hze.yaml", "/hze.yaml"},
        {"/", ".", "/"},
        {"relative/dir", "hze.yaml", "relative/dir/hze.yaml"},
        {NULL, "rules/hze.yaml", "rules/hze.yaml"},
        {NULL, "./rules//hze.yaml", "rules/hze.yaml"},
        {NULL, "./", "."},
        {NULL, "../x", "../x"},
        {NULL, "/abs/x/", "/abs/x"},
};

static bool path_case_ok(const struct path_case *pc) {
        char yaml[300];
        snprintf(yaml, sizeof(yaml), "sources:\n  - name: hze\n    rules: \"%s\"\n", pc->path);
        struct diaglist d = {0};
        struct config *c = NULL;
        int r = config_load_buffer("c.yaml", yaml, strlen(yaml), pc->base, &c, &d);
        bool ok = r == 0 && strcmp(c->sources[0].rules, pc->want) == 0;
        if (!ok)
                print_error("path case %s + %s: result %d, got %s, want %s\n", pc->base ? pc->base : "(none)", pc->path,
                            r, r == 0 ? c->sources[0].rules : "-", pc->want);
        config_free(c);
        diaglist_done(&d);
        return ok;
}

static void test_path_cases(void **state) {
        (void) state;
        unsigned failed = 0;
        for (size_t i = 0; i < ELEMENTSOF(PATH_CASES); i++)
                failed += !path_case_ok(&PATH_CASES[i]);
        if (failed)
                fail_msg("%u of %zu path cases failed", failed, ELEMENTSOF(PATH_CASES));
}

/* ---- secrets ---- */

/* Each must fail to load (or, with a NULL second, be compared for reload) without "geheim"
 * in any message. */
static const struct {
        const char *name;
        const char *yaml;
} SECRET_CASES[] = {
        {"conninfo as a mapping", "database:\n  conninfo: {password: geheim}\n" SOURCE_HEAD},
        {"conninfo as a list", "database:\n  conninfo: [\"password=geheim\"]\n" SOURCE_HEAD},
        {"conninfo with NUL", "database:\n  conninfo: \"password=geheim\\0\"\n" SOURCE_HEAD},
        {"conninfo unclosed", "database:\n  conninfo: \"host=db password=geheim\n" SOURCE_HEAD},
        {"conninfo single-quoted unclosed", "database:\n  conninfo: 'password=geheim\n"},
        {"conninfo and other errors", "database:\n  conninfo: \"password=geheim\"\n  schema: X\n" SOURCE_HEAD
                                      "    watch: sometimes\n"},
        {"conninfo key twice", "database:\n  conninfo: \"password=geheim\"\n  conninfo: \"password=geheim\"\n" SOURCE_HEAD},
        {"password key", "database:\n  password: geheim\n" SOURCE_HEAD},
        {"password key in a source", SOURCE_HEAD "    password: geheim\n"},
        {"connection string as a key", "database:\n  host=db password=geheim: 1\n" SOURCE_HEAD},
        {"connection string as a quoted key", "database:\n  \"host=db password=geheim\":\n" SOURCE_HEAD},
        {"connection string as a top-level key", "host=db password=geheim:\n" SOURCE_HEAD},
        {"connection string as a source key", SOURCE_HEAD "    dbname=jh password=geheim: ~\n"},
        {"connection string as a long word key", "database:\n  passwordgeheimpasswordgeheimpasswordgeheim: 1\n" SOURCE_HEAD},
        {"connection string in the database list", "database:\n  - host=db password=geheim\n" SOURCE_HEAD},
        {"conninfo too long", NULL},    /* built in the test */
};

static void check_no_secret(const char *name, const char *yaml) {
        struct diaglist d = {0};
        struct config *c = NULL;
        int r = load(yaml, &c, &d);
        char *text = printed(&d);
        if (r != -EINVAL || strstr(text, "geheim"))
                fail_msg("secret case '%s': result %d, messages:\n%s", name, r, text);
        free(text);
        diaglist_done(&d);
}

static void test_secret_cases(void **state) {
        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(SECRET_CASES); i++)
                if (SECRET_CASES[i].yaml)
                        check_no_secret(SECRET_CASES[i].name, SECRET_CASES[i].yaml);
        struct strbuf y = {0};
        assert_true(strbuf_puts(&y, "database:\n  conninfo: \"password=geheim") >= 0);
        for (int i = 0; i < CONFIG_MAX_CONNINFO; i++)
                assert_true(strbuf_putc(&y, 'x') >= 0);
        assert_true(strbuf_puts(&y, "\"\n" SOURCE_HEAD) >= 0);
        check_no_secret("conninfo too long", strbuf_str(&y));
        strbuf_done(&y);
        /* the message says what is wrong without the value */
        struct diaglist d = {0};
        struct config *c = NULL;
        assert_int_equal(load("database:\n  conninfo: {password: geheim}\n" SOURCE_HEAD, &c, &d), -EINVAL);
        char *text = printed(&d);
        assert_string_equal(text, "c.yaml:2:13: conninfo must be a single value\n");
        free(text);
        diaglist_done(&d);
        assert_int_equal(load("database:\n  host=db password=geheim: 1\n" SOURCE_HEAD, &c, &d), -EINVAL);
        text = printed(&d);
        assert_string_equal(text, "c.yaml:2:3: unknown key in database (known keys: conninfo, schema)\n");
        free(text);
        diaglist_done(&d);
}

/* ---- reload ---- */

struct reload_case {
        const char *name;
        const char *old_yaml, *new_yaml;
        int want_result;
        const char *want;       /* diagnostics as printed */
};

#define RELOAD_BASE "database:\n  conninfo: \"host=db password=geheim\"\n  schema: plausid\n" \
                    "sources:\n  - name: hze\n    rules: r.yaml\n    drop: /d\n    watch: poll\n"

static const struct reload_case RELOAD_CASES[] = {
        {"same", RELOAD_BASE, RELOAD_BASE, 0, ""},
        {"reloadable keys", RELOAD_BASE,
         RELOAD_BASE "    max_reject_share: 0.2\n    redelivery: reject\n    scan_interval: 5\n    stable_seconds: 9\n"
                     "    done_marker: true\n",
         0, ""},
        {"another rule pack",
         RELOAD_BASE, "database:\n  conninfo: \"host=db password=geheim\"\n" "sources:\n  - name: hze\n    rules: r2.yaml\n"
                      "    drop: /d\n    watch: poll\n",
         0, ""},
        {"drop changed", RELOAD_BASE,
         "database:\n  conninfo: \"host=db password=geheim\"\nsources:\n  - name: hze\n    rules: r.yaml\n    drop: /e\n"
         "    watch: poll\n",
         -EINVAL, "c.yaml:4:5: source 'hze': drop changed; it takes effect after a restart\n"},
        {"directory added, watch changed", RELOAD_BASE,
         "database:\n  conninfo: \"host=db password=geheim\"\nsources:\n  - name: hze\n    rules: r.yaml\n    drop: /d\n"
         "    archive: /a\n",
         -EINVAL,
         "c.yaml:4:5: source 'hze': archive changed; it takes effect after a restart\n"
         "c.yaml:4:5: source 'hze': watch changed; it takes effect after a restart\n"},
        {"database changed", RELOAD_BASE,
         "database:\n  conninfo: \"host=db2 password=geheimer\"\n  schema: other\n"
         "sources:\n  - name: hze\n    rules: r.yaml\n    drop: /d\n    watch: poll\n",
         -EINVAL,
         "c.yaml: database.conninfo changed; it takes effect after a restart\n"
         "c.yaml: database.schema changed; it takes effect after a restart\n"},
        {"source added and removed", RELOAD_BASE,
         "database:\n  conninfo: \"host=db password=geheim\"\nsources:\n  - name: b35a\n    rules: r.yaml\n",
         -EINVAL,
         "c.yaml:4:5: source 'b35a' is new; sources are added by a restart\n"
         "c.yaml: source 'hze' was removed; sources are removed by a restart\n"},
};

static bool reload_case_ok(const struct reload_case *rc) {
        struct config *old = load_ok(rc->old_yaml), *nw = load_ok(rc->new_yaml);
        struct diaglist d = {0};
        int r = config_reload_check(old, nw, &d);
        char *text = printed(&d);
        bool ok = r == rc->want_result && strcmp(text, rc->want) == 0 && !strstr(text, "geheim");
        if (!ok)
                print_error("reload case '%s': result %d\n--- expected\n%s--- got\n%s", rc->name, r, rc->want, text);
        free(text);
        diaglist_done(&d);
        config_free(old);
        config_free(nw);
        return ok;
}

static void test_reload_cases(void **state) {
        (void) state;
        unsigned failed = 0;
        for (size_t i = 0; i < ELEMENTSOF(RELOAD_CASES); i++)
                failed += !reload_case_ok(&RELOAD_CASES[i]);
        if (failed)
                fail_msg("%u of %zu reload cases failed", failed, ELEMENTSOF(RELOAD_CASES));
}

/* ---- files ---- */

static char *make_tmpdir(void) {
        char *dir = strdup("/tmp/plausid-config-XXXXXX");
        assert_non_null(dir);
        assert_non_null(mkdtemp(dir));
        return dir;
}

static char *write_file(const char *dir, const char *name, const char *text, size_t len) {
        char *path = NULL;
        assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        return path;
}

static void test_file_relative_paths(void **state) {
        (void) state;
        char *dir = make_tmpdir();
        static const char yaml[] = "sources:\n  - name: hze\n    rules: rules/hze.yaml\n    drop: ../drop\n"
                                   "    archive: /srv/archive\n";
        char *path = write_file(dir, "plausid.yaml", yaml, strlen(yaml));
        struct diaglist d = {0};
        struct config *c = NULL;
        char *want = NULL;

        /* an absolute path to the file */
        assert_int_equal(config_load_file(path, &c, &d), 0);
        assert_string_equal(c->path, path);
        assert_true(asprintf(&want, "%s/rules/hze.yaml", dir) > 0);
        assert_string_equal(c->sources[0].rules, want);
        free(want);
        assert_true(asprintf(&want, "%s/../drop", dir) > 0);
        assert_string_equal(c->sources[0].drop, want);
        free(want);
        assert_string_equal(c->sources[0].archive, "/srv/archive");
        config_free(c);

        /* relative to the current directory: the paths still come out absolute */
        char *cwd = getcwd(NULL, 0);
        assert_non_null(cwd);
        assert_int_equal(chdir("/tmp"), 0);
        char *here = getcwd(NULL, 0);   /* /tmp may be a symbolic link */
        assert_non_null(here);
        const char *rel = dir + strlen("/tmp/");
        char *relpath = NULL;
        assert_true(asprintf(&relpath, "./%s/plausid.yaml", rel) > 0);
        assert_int_equal(config_load_file(relpath, &c, &d), 0);
        assert_true(asprintf(&want, "%s/%s/rules/hze.yaml", here, rel) > 0);
        assert_string_equal(c->sources[0].rules, want);
        free(want);
        config_free(c);
        assert_int_equal(chdir(dir), 0);
        free(here);
        here = getcwd(NULL, 0);
        assert_non_null(here);
        assert_int_equal(config_load_file("plausid.yaml", &c, &d), 0);
        assert_true(asprintf(&want, "%s/rules/hze.yaml", here) > 0);
        assert_string_equal(c->sources[0].rules, want);
        free(want);
        config_free(c);
        assert_int_equal(chdir(cwd), 0);
        assert_int_equal(d.n, 0);

        unlink(path);
        rmdir(dir);
        free(relpath);
        free(here);
        free(cwd);
        free(path);
        free(dir);
}

static void test_file_errors(void **state) {
        (void) state;
        char *dir = make_tmpdir();
        struct diaglist d = {0};
        struct config *c = (struct config *) 0x1;
        char *want = NULL, *text;

        /* missing */
        char *missing = NULL;
        assert_true(asprintf(&missing, "%s/nope.yaml", dir) > 0);
        assert_int_equal(config_load_file(missing, &c, &d), -ENOENT);
        assert_true(c == (struct config *) 0x1);
        text = printed(&d);
        assert_true(asprintf(&want, "%s: cannot open configuration file: No such file or directory\n", missing) > 0);
        assert_string_equal(text, want);
        free(want);
        free(text);
        diaglist_done(&d);

        /* a directory */
        assert_int_equal(config_load_file(dir, &c, &d), -EINVAL);
        text = printed(&d);
        assert_true(asprintf(&want, "%s: configuration file is not a regular file\n", dir) > 0);
        assert_string_equal(text, want);
        free(want);
        free(text);
        diaglist_done(&d);

        /* too large */
        size_t big = CONFIG_MAX_FILE_BYTES + 1;
        char *blob = malloc(big);
        assert_non_null(blob);
        memset(blob, '#', big);
        char *large = write_file(dir, "large.yaml", blob, big);
        free(blob);
        assert_int_equal(config_load_file(large, &c, &d), -EINVAL);
        text = printed(&d);
        assert_true(asprintf(&want, "%s: configuration file too large (limit is 1048576 bytes)\n", large) > 0);
        assert_string_equal(text, want);
        free(want);
        free(text);
        diaglist_done(&d);
        assert_int_equal(config_load_buffer("b.yaml", "", big, NULL, &c, &d), -EINVAL);
        text = printed(&d);
        assert_string_equal(text, "b.yaml: configuration file too large (limit is 1048576 bytes)\n");
        free(text);
        diaglist_done(&d);

        /* errors in a file name the file */
        static const char bad[] = "sources:\n  - name: hze\n";
        char *badpath = write_file(dir, "bad.yaml", bad, strlen(bad));
        assert_int_equal(config_load_file(badpath, &c, &d), -EINVAL);
        text = printed(&d);
        assert_true(asprintf(&want, "%s:2:5: source 'hze' has no 'rules'\n", badpath) > 0);
        assert_string_equal(text, want);
        free(want);
        free(text);
        diaglist_done(&d);
        assert_true(c == (struct config *) 0x1);

        /* unreadable (not for root, who reads everything) */
        if (geteuid() != 0) {
                assert_int_equal(chmod(badpath, 0), 0);
                assert_int_equal(config_load_file(badpath, &c, &d), -EACCES);
                text = printed(&d);
                assert_true(asprintf(&want, "%s: cannot open configuration file: Permission denied\n", badpath) > 0);
                assert_string_equal(text, want);
                free(want);
                free(text);
                diaglist_done(&d);
        }

        unlink(badpath);
        unlink(large);
        rmdir(dir);
        free(badpath);
        free(large);
        free(missing);
        free(dir);
}

/* ---- limits ---- */

static void test_limits(void **state) {
        (void) state;
        struct strbuf y = {0};
        struct diaglist d = {0};
        struct config *c = NULL;
        char *text;

        /* CONFIG_MAX_SOURCES sources load, one more does not */
        assert_true(strbuf_puts(&y, "sources:\n") >= 0);
        for (int i = 0; i < CONFIG_MAX_SOURCES; i++) {
                char line[80];
                snprintf(line, sizeof(line), "  - {name: s%d, rules: r%d.yaml, drop: /d/%d}\n", i, i, i);
                assert_true(strbuf_puts(&y, line) >= 0);
        }
        c = load_ok(strbuf_str(&y));
        assert_int_equal(c->nsources, CONFIG_MAX_SOURCES);
        assert_string_equal(c->sources[63].name, "s63");
        assert_string_equal(c->sources[63].drop, "/d/63");
        assert_int_equal(c->sources[63].line, 65);
        assert_ptr_equal(config_find_source(c, "s17"), &c->sources[17]);
        config_free(c);
        assert_true(strbuf_puts(&y, "  - {name: one_more, rules: r.yaml}\n") >= 0);
        assert_int_equal(load(strbuf_str(&y), &c, &d), -EINVAL);
        text = printed(&d);
        assert_string_equal(text, "c.yaml:2:3: too many sources (limit is 64)\n");
        free(text);
        diaglist_done(&d);
        strbuf_reset(&y);

        /* names of 63 characters, not 64 */
        static const char n63[] = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc";
        assert_true(strbuf_puts(&y, "sources:\n  - name: ") >= 0 && strbuf_puts(&y, n63) >= 0 &&
                    strbuf_puts(&y, "\n    rules: r\n") >= 0);
        c = load_ok(strbuf_str(&y));
        assert_string_equal(c->sources[0].name, n63);
        config_free(c);
        strbuf_reset(&y);
        assert_true(strbuf_puts(&y, "sources:\n  - name: ") >= 0 && strbuf_puts(&y, n63) >= 0 &&
                    strbuf_puts(&y, "d\n    rules: r\n") >= 0);
        assert_int_equal(load(strbuf_str(&y), &c, &d), -EINVAL);
        assert_int_equal(d.n, 1);
        assert_int_equal(d.items[0].line, 2);
        assert_non_null(strstr(d.items[0].message, "at most 63 characters"));
        diaglist_done(&d);
        strbuf_reset(&y);

        /* paths: the limit counts after resolving */
        assert_true(strbuf_puts(&y, SOURCE_HEAD "    drop: ") >= 0);
        for (size_t i = 0; i < CONFIG_MAX_PATH - strlen(BASE_DIR "/"); i++)
                assert_true(strbuf_putc(&y, 'p') >= 0);
        assert_true(strbuf_putc(&y, '\n') >= 0);
        c = load_ok(strbuf_str(&y));
        assert_int_equal(strlen(c->sources[0].drop), CONFIG_MAX_PATH);
        config_free(c);
        y.data[y.len - 1] = 'p';
        assert_true(strbuf_putc(&y, '\n') >= 0);
        assert_int_equal(load(strbuf_str(&y), &c, &d), -EINVAL);
        text = printed(&d);
        assert_string_equal(text, "c.yaml:4:11: drop is too long (limit is 4095 bytes once resolved)\n");
        free(text);
        diaglist_done(&d);
        strbuf_reset(&y);

        /* conninfo */
        assert_true(strbuf_puts(&y, "database:\n  conninfo: \"") >= 0);
        for (int i = 0; i < CONFIG_MAX_CONNINFO; i++)
                assert_true(strbuf_putc(&y, 'c') >= 0);
        assert_true(strbuf_puts(&y, "\"\n" SOURCE_HEAD) >= 0);
        c = load_ok(strbuf_str(&y));
        assert_int_equal(strlen(c->conninfo), CONFIG_MAX_CONNINFO);
        config_free(c);
        strbuf_reset(&y);
        assert_true(strbuf_puts(&y, "database:\n  conninfo: \"c") >= 0);
        for (int i = 0; i < CONFIG_MAX_CONNINFO; i++)
                assert_true(strbuf_putc(&y, 'c') >= 0);
        assert_true(strbuf_puts(&y, "\"\n" SOURCE_HEAD) >= 0);
        assert_int_equal(load(strbuf_str(&y), &c, &d), -EINVAL);
        text = printed(&d);
        assert_string_equal(text, "c.yaml:2:13: conninfo is too long (limit is 4096 bytes)\n");
        free(text);
        diaglist_done(&d);
        strbuf_done(&y);
}

/* The diagnostics list is capped; what does not fit is counted, and the result is still an
 * error. Diagnostics already in the list stay first. */
static void test_diag_list(void **state) {
        (void) state;
        struct diaglist d = {.limit = 3};
        assert_int_equal(diaglist_add(&d, "earlier", 9, 9, "from before"), 0);
        struct config *c = NULL;
        assert_int_equal(load("sources:\n  - {name: A, rules: r, watch: x, redelivery: y, scan_interval: z}\n", &c, &d),
                         -EINVAL);
        assert_null(c);
        assert_int_equal(d.n, 3);
        assert_int_equal(d.dropped, 2);
        assert_string_equal(d.items[0].file, "earlier");
        assert_string_equal(d.items[1].file, "c.yaml");
        assert_true(d.items[1].col <= d.items[2].col);
        diaglist_done(&d);
}

/* ---- the daemon's directories ---- */

static void test_require_dirs(void **state) {
        (void) state;
        struct config *c = load_ok(SOURCE_HEAD "    archive: /a\n"
                                               "  - name: full\n    rules: r\n    drop: /d\n    archive: /a2\n"
                                               "    quarantine: /q\n    reports: /r\n");
        struct diaglist d = {0};
        assert_int_equal(config_source_require_dirs(config_find_source(c, "hze"), &d, "/etc/plausid/plausid.yaml"),
                         -EINVAL);
        char *text = printed(&d);
        assert_string_equal(text,
                            "/etc/plausid/plausid.yaml:2:5: source 'hze' has no 'drop' directory; the daemon needs drop, archive, quarantine and reports\n"
                            "/etc/plausid/plausid.yaml:2:5: source 'hze' has no 'quarantine' directory; the daemon needs drop, archive, quarantine and reports\n"
                            "/etc/plausid/plausid.yaml:2:5: source 'hze' has no 'reports' directory; the daemon needs drop, archive, quarantine and reports\n");
        free(text);
        diaglist_done(&d);
        assert_int_equal(config_source_require_dirs(config_find_source(c, "full"), &d, c->path), 0);
        assert_int_equal(d.n, 0);
        config_free(c);
}

/* ---- small things ---- */

static void test_lookups(void **state) {
        (void) state;
        struct config *c = load_ok(SOURCE_HEAD "  - name: b35a\n    rules: r\n");
        assert_ptr_equal(config_find_source(c, "hze"), &c->sources[0]);
        assert_ptr_equal(config_find_source(c, "b35a"), &c->sources[1]);
        assert_null(config_find_source(c, "hz"));
        assert_null(config_find_source(c, "HZE"));
        assert_int_equal(c->sources[1].line, 4);
        assert_int_equal(c->sources[1].col, 5);
        config_free(c);
        config_free(NULL);
        assert_string_equal(redelivery_name(REDELIVERY_REPLACE), "replace");
        assert_string_equal(redelivery_name(REDELIVERY_APPEND), "append");
        assert_string_equal(redelivery_name(REDELIVERY_REJECT), "reject");
        assert_string_equal(redelivery_name((enum redelivery) 7), "?");
        assert_string_equal(watch_mode_name(WATCH_INOTIFY), "inotify");
        assert_string_equal(watch_mode_name(WATCH_POLL), "poll");
        assert_string_equal(watch_mode_name((enum watch_mode) 9), "?");
}

/* max_reject_share is read without strtod (locale, hex, nan) but must give the same double
 * as the C locale's strtod. */
static void test_share_exact(void **state) {
        (void) state;
        static const char *const shares[] = {"0.1", "0.3", "0.07", "0.10", "0.333333333333333", "0.999", "1", "0",
                                             "0.5", ".25", "0.0001", "0.123456789012345", "0.999999999999999",
                                             "0.0000000000000000000001"};
        for (size_t i = 0; i < ELEMENTSOF(shares); i++) {
                char yaml[200];
                snprintf(yaml, sizeof(yaml), SOURCE_HEAD "    max_reject_share: %s\n", shares[i]);
                struct config *c = load_ok(yaml);
                double want = strtod(shares[i], NULL);
                if (c->sources[0].max_reject_share != want)
                        fail_msg("max_reject_share %s read as %.17g, not %.17g", shares[i], c->sources[0].max_reject_share,
                                 want);
                config_free(c);
        }
}

/* config.example.yaml (at the top of the tree; the tests run there) must load, and say
 * what the defaults are. */
static void test_example(void **state) {
        (void) state;
        struct diaglist d = {0};
        struct config *c = NULL;
        int r = config_load_file("config.example.yaml", &c, &d);
        if (r != 0) {
                char *text = printed(&d);
                fail_msg("config.example.yaml: %d\n%s", r, text);
        }
        assert_string_equal(c->conninfo, "");
        assert_string_equal(c->schema, "plausid");
        const struct source_config *s = config_find_source(c, "hze");
        assert_non_null(s);
        assert_int_equal(config_source_require_dirs(s, &d, c->path), 0);
        assert_int_equal(s->redelivery, REDELIVERY_REPLACE);
        assert_true(s->max_reject_share == 0.10);
        assert_int_equal(s->watch, WATCH_INOTIFY);
        assert_int_equal(s->scan_interval, 30);
        assert_int_equal(s->stable_seconds, 5);
        assert_false(s->done_marker);
        config_free(c);
        diaglist_done(&d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_error_cases),
                cmocka_unit_test(test_value_cases),
                cmocka_unit_test(test_path_cases),
                cmocka_unit_test(test_secret_cases),
                cmocka_unit_test(test_reload_cases),
                cmocka_unit_test(test_file_relative_paths),
                cmocka_unit_test(test_file_errors),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_diag_list),
                cmocka_unit_test(test_require_dirs),
                cmocka_unit_test(test_lookups),
                cmocka_unit_test(test_share_exact),
                cmocka_unit_test(test_example),
        };
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
