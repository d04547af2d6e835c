/*
 * A delivery's report filled from the database (report_db.h): the collector (collector.h)
 * and the findings CSV (report.h) get what `plausid load` stored -- the delivery's row,
 * its findings, the text of its rejected records and, for a loaded delivery, the loaded
 * records per value of the pack's group field from the data set's table -- and both files
 * are written. The reads are the store's: the register (register.h), the data set's table
 * (rows.h) and the schema (schema.h).
 *
 * The database holds neither the rules' titles nor the fields' labels nor the group
 * field: they come from the source's rule pack when the caller has it (and it is the pack
 * of the delivery's data set). Findings are read one row at a time: the CSV gets every
 * one, the HTML counts them and keeps the first rejected records.
 *
 * What the database cannot tell: the group of a rejected record (only its text is stored,
 * not the file's header), so a report from the database counts the groups over the loaded
 * records and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "collector.h"
#include "delivery_db.h"
#include "report.h"
#include "register.h"
#include "report_db.h"
#include "rows.h"
#include "schema.h"

/* A message for a failure that is not the database's (which said its own): the text
 * and the errno's, unless there is a message already. Returns e. */
_printf_(3, 4) static int failed(int e, char **ret_error, const char *fmt, ...) {
        if (!ret_error || *ret_error)
                return e;
        _cleanup_(freep) char *what = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&what, fmt, ap);
        va_end(ap);
        if (n < 0) {
                what = NULL;    /* undefined after a failure */
                return e;
        }
        if (asprintf(ret_error, "%s: %s", what, strerror(-e)) < 0)
                *ret_error = NULL;
        return e;
}

static enum htmlreport_verdict verdict_of(enum register_status status) {
        switch (status) {
        case REGISTER_REJECTED:
                return HTMLREPORT_REJECTED;
        case REGISTER_DUPLICATE:
                return HTMLREPORT_DUPLICATE;
        case REGISTER_SUPERSEDED:
                return HTMLREPORT_SUPERSEDED;
        case REGISTER_LOADED:
        case _REGISTER_STATUS_MAX:
                break;
        }
        return HTMLREPORT_LOADED;
}

/* The report's header and summary: the delivery's row. */
static int fill_head(struct htmlreport *h, const struct register_row *d, long long id, const char *csv_name) {
        int e = htmlreport_set_header(h, &(struct htmlreport_header) {
                .file = d->delivery.file_name,
                .source = d->delivery.source,
                .delivery_id = id,
                .received = (time_t) d->delivery.received,
                .loaded_at = (time_t) d->loaded_at,
                .sha256 = d->delivery.sha256,
                .rules_name = d->delivery.rules_name,
                .rules_version = d->delivery.rules_version,
                .encoding = d->outcome.encoding,
                .csv_name = csv_name,
        });
        if (e < 0)
                return e;
        const char *reason = d->outcome.reason;
        return htmlreport_set_summary(h, &(struct htmlreport_summary) {
                .records = d->outcome.counts.records,
                .loaded = d->outcome.counts.loaded,
                .rejected = d->outcome.counts.rejected,
                .warned = d->outcome.counts.warned,
                .verdict = verdict_of(d->outcome.status),
                .reason = reason && *reason ? reason : NULL,
        });
}

/* "DIR/delivery-ID.EXT", or without a directory "delivery-ID.EXT"; NULL when out of
 * memory. */
static char *delivery_file(const char *dir, long long id, const char *ext) {
        char *p;
        if (asprintf(&p, "%s%sdelivery-%lld.%s", dir ? dir : "", dir ? "/" : "", id, ext) < 0)
                return NULL;
        return p;
}

/* Each finding into the CSV and the report. */
struct fill {
        struct htmlreport *html;
        FILE *csv;
        const char *file_name;
};

static int on_finding(void *userdata, const struct finding *f) {
        struct fill *x = userdata;
        int e = report_csv_finding(x->csv, x->file_name, f);
        if (e < 0)
                return e;
        return htmlreport_add_finding(x->html, f);
}

static int on_text(void *userdata, unsigned long line, const char *raw, size_t len) {
        return htmlreport_set_raw(userdata, line, raw, len);
}

/* The text of the rejected records the report keeps. */
static int read_texts(PGconn *conn, long long id, struct htmlreport *h, char **ret_error) {
        _cleanup_(freep) unsigned long *lines = NULL;
        size_t n = 0;
        int e = htmlreport_missing_raw(h, &lines, &n);
        if (e < 0 || n == 0)
                return e;
        return register_rejected_text(conn, id, lines, n, on_text, h, ret_error);
}

/* The groups as the database has them: the report groups from the first one on. */
struct groups {
        struct htmlreport *html;
        unsigned field;                 /* the pack's group field */
        bool any;
};

static int on_group(void *userdata, const char *value, unsigned long records, unsigned long warned,
                    unsigned long findings) {
        struct groups *g = userdata;
        if (!g->any) {
                int e = htmlreport_group_by(g->html, g->field);
                if (e < 0)
                        return e;
                g->any = true;
        }
        return htmlreport_add_group(g->html, value, records, 0, warned, findings);
}

/* What the group counts from the database cover. */
static int group_note(struct htmlreport *h, const char *label, bool superseded) {
        _cleanup_(freep) char *note = NULL;
        if (asprintf(&note, "%s Das Feld „%s“ abgewiesener Datensätze speichert die Datenbank nicht.",
                     superseded ? "Gezählt werden die geladenen Datensätze, soweit sie nicht durch eine neuere "
                                  "Lieferung ersetzt wurden."
                                : "Gezählt werden die geladenen Datensätze (mit ihren Warnungen).",
                     label) < 0) {
                note = NULL;
                return -ENOMEM;
        }
        return htmlreport_set_group_note(h, note);
}

/* Loaded records per value of the pack's group field, when the data set's table has it:
 * only a delivery whose records were loaded has any. */
static int read_groups(PGconn *conn, const char *schema, const struct ruleset *rs, long long id,
                       const struct register_row *d, struct htmlreport *h, char **ret_error) {
        enum htmlreport_verdict verdict = verdict_of(d->outcome.status);
        int field = rs ? ruleset_report_group(rs) : -1;
        if (field < 0 || (verdict != HTMLREPORT_LOADED && verdict != HTMLREPORT_SUPERSEDED))
                return 0;
        const char *column = ruleset_field_name(rs, (unsigned) field);
        bool has;
        int e = schema_has_column(conn, schema, d->delivery.dataset, column, &has, ret_error);
        if (e < 0 || !has)
                return e;
        struct groups g = {.html = h, .field = (unsigned) field};
        e = rows_count_groups(conn, d->delivery.dataset, column, id, on_group, &g, ret_error);
        if (e < 0 || !g.any)
                return e;
        return group_note(h, ruleset_field_label(rs, (unsigned) field), verdict == HTMLREPORT_SUPERSEDED);
}

/* Everything after the header, read from the database; the findings into csv as well. */
static int fill_body(PGconn *conn, const char *schema, const struct ruleset *rs, long long id,
                     const struct register_row *d, struct htmlreport *h, FILE *csv, char **ret_error) {
        int e = report_csv_begin(csv);
        if (e < 0)
                return e;
        struct fill x = {.html = h, .csv = csv, .file_name = d->delivery.file_name};
        e = register_each_finding(conn, id, on_finding, &x, ret_error);
        if (e < 0)
                return e;
        e = read_texts(conn, id, h, ret_error);
        if (e < 0)
                return e;
        return read_groups(conn, schema, rs, id, d, h, ret_error);
}

/* The findings CSV, written while the report is filled. */
static int write_csv(PGconn *conn, const char *schema, const struct ruleset *rs, long long id,
                     const struct register_row *d, struct htmlreport *h, const char *out_dir, int gid,
                     char **ret_error) {
        _cleanup_(freep) char *path = delivery_file(out_dir, id, "csv");
        if (!path)
                return -ENOMEM;
        _cleanup_(atomic_file_abort) struct atomic_file csv = {0};
        int e = atomic_file_open(&csv, AT_FDCWD, path, 0640, gid);
        if (e < 0)
                return failed(e, ret_error, "cannot create a report file in %s", out_dir);
        e = fill_body(conn, schema, rs, id, d, h, csv.f, ret_error);
        if (e < 0)
                return failed(e, ret_error, "cannot write the report of delivery %lld", id);
        e = atomic_file_commit(&csv);
        if (e < 0)
                return failed(e, ret_error, "cannot write %s", path);
        return 0;
}

int delivery_db_write(PGconn *conn, const char *schema, const struct ruleset *rs, long long delivery_id,
                      const char *out_dir, int gid, unsigned max_records, char **ret_path, char **ret_error) {
        _cleanup_(register_row_done) struct register_row d = {0};
        int e = register_delivery_get(conn, delivery_id, &d, ret_error);
        if (e == -ENOENT) {
                if (asprintf(ret_error, "there is no delivery %lld in schema %s", delivery_id, schema) < 0)
                        *ret_error = NULL;
                return e;
        }
        if (e < 0)
                return e;
        if (rs && strcmp(ruleset_name(rs), d.delivery.rules_name) != 0)
                rs = NULL;      /* another data set's pack names nothing here */

        _cleanup_(freep) char *html_path = delivery_file(out_dir, delivery_id, "html");
        _cleanup_(freep) char *csv_name = delivery_file(NULL, delivery_id, "csv");
        if (!html_path || !csv_name)
                return -ENOMEM;
        _cleanup_(htmlreport_freep) struct htmlreport *h = NULL;
        e = htmlreport_new(rs, max_records, &h);
        if (e < 0)
                return e;
        e = fill_head(h, &d, delivery_id, csv_name);
        if (e < 0)
                return e;
        e = write_csv(conn, schema, rs, delivery_id, &d, h, out_dir, gid, ret_error);
        if (e < 0)
                return e;
        e = htmlreport_write(h, html_path, gid);
        if (e < 0)
                return failed(e, ret_error, "cannot write %s", html_path);
        if (ret_path)
                *ret_path = TAKE_PTR(html_path);
        return 0;
}

int report_delivery_from_db(PGconn *conn, const char *schema, const struct ruleset *rs, long long delivery_id,
                            const char *out_dir, int gid, unsigned max_records, char **ret_path, char **ret_error) {
        int e = schema_begin_read(conn, schema, ret_error);
        if (e < 0)
                return e;
        e = delivery_db_write(conn, schema, rs, delivery_id, out_dir, gid, max_records, ret_path, ret_error);
        schema_end_read(conn);
        return e;
}
