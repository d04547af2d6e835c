/*
 * The check session of `plausid check` (see check_session.h): one checker per input, its
 * findings into the --rejects CSV, and with --report into a report collector and the
 * report's own CSV. Every file written appears whole or not at all (atomicfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check_session.h"
#include "digest.h"
#include "htmlreport.h"
#include "reader.h"
#include "report.h"
#include "source.h"

struct check_session {
        const struct ruleset *rs;
        struct check_options o;
        struct atomic_file rejects;     /* --rejects: open from the start to the end of the session */
        char *report_csv_path;          /* --report: the findings CSV beside the HTML */
        /* The input being checked, until the next one. */
        int fd;
        struct stat st;
        char *path_copy;                /* the input's path, for its base name */
        const char *name;               /* its base name, in path_copy */
        struct checker *checker;
        enum reader_encoding encoding;
        int write_error;                /* a finding could not be written */
        struct htmlreport *html;        /* --report: what the HTML will show */
        struct atomic_file report_csv;  /* --report: the findings CSV */
        int group_field;                /* the pack's report group field, -1: none */
};

static int fail(struct check_failure *ret, enum check_step step, const char *path, int error) {
        *ret = (struct check_failure) {.step = step, .path = path, .error = error};
        return error;
}

int check_report_overwrites(const char *report_path, const char *input) {
        _cleanup_(freep) char *csv_path = htmlreport_csv_path(report_path);
        if (!csv_path)
                return -ENOMEM;
        struct stat in, out;
        if (stat(input, &in) < 0)
                return 0;
        const char *outputs[] = {report_path, csv_path};
        for (size_t k = 0; k < ELEMENTSOF(outputs); k++)
                if (stat(outputs[k], &out) == 0 && out.st_dev == in.st_dev && out.st_ino == in.st_ino)
                        return 1;
        return 0;
}

/* The state of one input, gone; its report's CSV removed unless it was committed. */
static void input_done(struct check_session *s) {
        atomic_file_abort(&s->report_csv);
        htmlreport_free(s->html);
        s->html = NULL;
        checker_free(s->checker);
        s->checker = NULL;
        free(s->path_copy);
        s->path_copy = NULL;
        if (s->fd >= 0)
                close(s->fd);
        s->fd = -1;
}

void check_session_free(struct check_session *s) {
        if (!s)
                return;
        input_done(s);
        atomic_file_abort(&s->rejects);
        free(s->report_csv_path);
        free(s);
}

int check_session_new(const struct ruleset *rs, const struct check_options *o, struct check_session **ret,
                      struct check_failure *ret_failure) {
        _cleanup_(check_session_freep) struct check_session *s = calloc(1, sizeof(*s));
        if (!s)
                return fail(ret_failure, CHECK_STEP_SETUP, "plausid check", -ENOMEM);
        *s = (struct check_session) {.rs = rs, .o = *o, .fd = -1, .group_field = -1};
        if (o->report_path && !(s->report_csv_path = htmlreport_csv_path(o->report_path)))
                return fail(ret_failure, CHECK_STEP_SETUP, o->report_path, -ENOMEM);
        if (o->rejects_path) {
                /* It holds personal data: 0640. */
                int r = atomic_file_open(&s->rejects, AT_FDCWD, o->rejects_path, 0640, -1);
                if (r >= 0)
                        r = report_csv_begin(s->rejects.f);
                if (r < 0)
                        return fail(ret_failure, CHECK_STEP_CREATE, o->rejects_path, r);
        }
        *ret = TAKE_PTR(s);
        return 0;
}

/* ---- what the checker reports ---- */

static int on_finding(void *userdata, const struct finding *f) {
        struct check_session *s = userdata;
        FILE *outs[] = {s->rejects.f, s->report_csv.f};
        for (size_t k = 0; k < ELEMENTSOF(outs); k++) {
                if (!outs[k])
                        continue;
                int r = report_csv_finding(outs[k], s->name, f);
                if (r < 0) {
                        s->write_error = r;
                        return r;
                }
        }
        if (!s->html)
                return 0;
        return htmlreport_add_finding(s->html, f);
}

/* Each checked record, for the report: its value of the group field, and its text when
 * rejected. */
static int on_record(void *userdata, const struct checked_record *r) {
        struct check_session *s = userdata;
        size_t len = 0;
        const char *group = s->group_field >= 0 ? checker_record_value(r, (unsigned) s->group_field, &len) : NULL;
        return htmlreport_add_record(s->html, r->line, group, len, r->rejected ? r->raw : NULL, r->raw_len);
}

/* A record rejected at the end of the file, with its text from the checker's second pass. */
static int on_late_record(void *userdata, const struct checked_record *r) {
        struct check_session *s = userdata;
        return htmlreport_set_raw(s->html, r->line, r->raw, r->raw_len);
}

/* --report: the collector and the findings CSV of this input. */
static int report_begin(struct check_session *s, struct check_failure *ret_failure) {
        int r = htmlreport_new(s->rs, s->o.report_records, &s->html);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_SETUP, s->o.report_path, r);
        s->group_field = ruleset_report_group(s->rs);
        if (s->group_field >= 0) {
                r = htmlreport_group_by(s->html, (unsigned) s->group_field);
                if (r < 0)
                        return fail(ret_failure, CHECK_STEP_SETUP, s->o.report_path, r);
        }
        r = atomic_file_open(&s->report_csv, AT_FDCWD, s->report_csv_path, 0640, s->o.report_gid);
        if (r >= 0)
                r = report_csv_begin(s->report_csv.f);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_CREATE, s->report_csv_path, r);
        return 0;
}

static int input_open(struct check_session *s, const char *path, struct check_failure *ret_failure) {
        int r = source_input_open(path, &s->fd, &s->st);
        if (r == -EISDIR || r == -EINVAL)
                return fail(ret_failure, CHECK_STEP_NOT_FILE, path, r);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_OPEN, path, r);
        s->path_copy = strdup(path);
        if (!s->path_copy)
                return fail(ret_failure, CHECK_STEP_READ, path, -ENOMEM);
        s->name = basename(s->path_copy);
        return 0;
}

int check_session_file(struct check_session *s, const char *path, struct check_result *ret,
                       struct check_failure *ret_failure) {
        input_done(s);
        s->write_error = 0;
        s->group_field = -1;
        int r = input_open(s, path, ret_failure);
        if (r < 0)
                return r;
        if (s->o.report_path) {
                r = report_begin(s, ret_failure);
                if (r < 0)
                        return r;
        }
        r = checker_new(s->rs, on_finding, s, &s->checker);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_READ, path, r);
        if (s->html) {
                checker_on_record(s->checker, on_record, s);
                checker_on_late_record(s->checker, on_late_record, s);
        }
        /* Parsing in a second thread while this one checks: two cores, about half the time. */
        struct checker_input in = {.name = s->name, .format = s->o.format, .berichtsjahr = s->o.berichtsjahr,
                                   .threads = true};
        struct checker_file file = {0};
        r = checker_check_file(s->checker, s->fd, &in, &file);
        s->encoding = file.encoding;
        if (r < 0 && s->write_error < 0)
                return fail(ret_failure, CHECK_STEP_FINDINGS, path, s->write_error);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_READ, path, r);
        *ret = (struct check_result) {.name = s->name, .stats = checker_stats(s->checker),
                                      .unknown_columns = checker_unknown_columns(s->checker),
                                      .encoding = reader_encoding_name(s->encoding)};
        return 0;
}

/* The report's header and summary, now that the input is checked. */
static int report_fill(struct check_session *s) {
        char sha[DIGEST_HEX_LEN + 1];
        int r = digest_fd(s->fd, sha);
        if (r < 0)
                return r;
        _cleanup_(freep) char *csv_copy = strdup(s->report_csv_path);
        if (!csv_copy)
                return -ENOMEM;
        r = htmlreport_set_header(s->html, &(struct htmlreport_header) {
                .file = s->name,
                .received = s->st.st_mtime,
                .sha256 = sha,
                .rules_name = ruleset_name(s->rs),
                .rules_version = ruleset_version(s->rs),
                .encoding = reader_encoding_name(s->encoding),
                .csv_name = basename(csv_copy),
        });
        if (r < 0)
                return r;
        const struct checker_stats *st = checker_stats(s->checker);
        return htmlreport_set_summary(s->html, &(struct htmlreport_summary) {
                .records = st->records,
                .rejected = st->rejected,
                .warned = st->warned,
                .verdict = st->file_rejected ? HTMLREPORT_REJECTED : HTMLREPORT_CHECKED,
                .reason = st->file_rejected ? "ein Befund der Schwere „Datei“, siehe Befunde zur ganzen Datei." : NULL,
        });
}

int check_session_write_report(struct check_session *s, struct check_failure *ret_failure) {
        if (!s->html)
                return 0;
        int r = report_fill(s);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_WRITE_REPORT, s->o.report_path, r);
        r = atomic_file_commit(&s->report_csv);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_WRITE_REPORT, s->o.report_path, r);
        r = htmlreport_write(s->html, s->o.report_path, s->o.report_gid);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_WRITE_REPORT, s->o.report_path, r);
        return 0;
}

int check_session_finish(struct check_session *s, struct check_failure *ret_failure) {
        input_done(s);
        if (!s->rejects.f)
                return 0;
        int r = atomic_file_commit(&s->rejects);
        if (r < 0)
                return fail(ret_failure, CHECK_STEP_WRITE, s->o.rejects_path, r);
        return 0;
}
