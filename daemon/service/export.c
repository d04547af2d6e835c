/*
 * `plausid export` (see export.h): check the view against the schema's views of the
 * configured data sets, then stream it into the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "db.h"
#include "export.h"
#include "fixed_export.h"
#include "schema.h"
#include "strbuf.h"
#include "table_csv.h"
#include "view_rows.h"

void export_failure_done(struct export_failure *f) {
        free(f->message);
        free(f->views);
        *f = (struct export_failure) {0};
}

static int failed(struct export_failure *f, enum export_step step, int error, char *message) {
        *f = (struct export_failure) {.step = step, .error = error, .message = message};
        return error;
}

/* The views there are, as one line for the message. */
static int name_views(char **names, size_t n, struct export_failure *f) {
        _cleanup_(strbuf_done) struct strbuf b = {0};
        for (size_t i = 0; i < n; i++) {
                int r = strbuf_printf(&b, "%s%s", i ? ", " : "", names[i]);
                if (r < 0)
                        return r;
        }
        f->views = strdup(strbuf_str(&b));
        return f->views ? 0 : -ENOMEM;
}

/* Whether o->view is one of the views of set's data sets, and has a berichtsjahr when
 * --year asks for one. */
static int check_view(PGconn *conn, const struct source_set *set, const struct export_options *o,
                      struct export_failure *f) {
        const char *datasets[CONFIG_MAX_SOURCES];
        size_t nd = 0;
        for (; nd < set->n && nd < ELEMENTSOF(datasets); nd++)
                datasets[nd] = ruleset_name(set->sources[nd]->rs);
        char **names = NULL, *error = NULL;
        size_t n = 0;
        int r = view_rows_names(conn, set->cfg->schema, datasets, nd, &names, &n, &error);
        if (r < 0)
                return failed(f, EXPORT_STEP_DATABASE, r, error);
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
                known = strcmp(names[i], o->view) == 0;
        if (!known) {
                r = failed(f, EXPORT_STEP_UNKNOWN_VIEW, -ENOENT, NULL);
                if (name_views(names, n, f) < 0)
                        r = -ENOMEM;
        }
        view_names_free(names, n);
        if (r < 0 || !o->year)
                return r;
        bool has = false;
        r = schema_has_column(conn, set->cfg->schema, o->view, "berichtsjahr", &has, &error);
        if (r < 0)
                return failed(f, EXPORT_STEP_DATABASE, r, error);
        return has ? 0 : failed(f, EXPORT_STEP_NO_YEAR, -ENOENT, NULL);
}

/* --format fixed: the pack whose v_DATASET o->view is, if it has a fixed-width layout of
 * o->year; NULL otherwise. */
static const struct ruleset *fixed_pack(const struct source_set *set, const struct export_options *o) {
        for (size_t i = 0; o->year && i < set->n; i++) {
                const struct ruleset *rs = set->sources[i]->rs;
                if (strncmp(o->view, "v_", 2) == 0 && strcmp(o->view + 2, ruleset_name(rs)) == 0 &&
                    ruleset_fixed_layout(rs, atoi(o->year)))
                        return rs;
        }
        return NULL;
}

/* The rows into out. A failure without the database's word is the file's. */
static int write_rows(PGconn *conn, const struct source_set *set, const struct export_options *o, FILE *out,
                      unsigned long *ret_rows, struct export_failure *f) {
        char *error = NULL;
        int r;
        if (o->format == EXPORT_FIXED) {
                r = fixed_export(conn, set->cfg->schema, fixed_pack(set, o), o->year, out, ret_rows, &error);
                if (r == -ERANGE || r == -EILSEQ)
                        return failed(f, EXPORT_STEP_VALUE, r, error);
        } else
                r = table_csv_from_view(conn, set->cfg->schema, o->view, o->year, out, ret_rows, &error);
        if (r < 0)
                return failed(f, error ? EXPORT_STEP_DATABASE : EXPORT_STEP_WRITE, r, error);
        return 0;
}

/* Into the file o->out, which appears only when complete. */
static int write_file(PGconn *conn, const struct source_set *set, const struct export_options *o,
                      unsigned long *ret_rows, struct export_failure *f) {
        _cleanup_(atomic_file_abort) struct atomic_file af = {0};
        int r = atomic_file_open(&af, AT_FDCWD, o->out, 0640, -1);
        if (r < 0)
                return failed(f, EXPORT_STEP_CREATE, r, NULL);
        r = write_rows(conn, set, o, af.f, ret_rows, f);
        if (r < 0)
                return r;
        r = atomic_file_commit(&af);
        return r < 0 ? failed(f, EXPORT_STEP_WRITE, r, NULL) : 0;
}

int export_view(const struct source_set *set, const struct export_options *o, unsigned long *ret_rows,
                struct export_failure *ret_failure) {
        _cleanup_(db_closep) PGconn *conn = NULL;
        char *error = NULL;
        int r = db_connect(set->cfg->conninfo, &conn, &error);
        if (r < 0)
                return failed(ret_failure, EXPORT_STEP_CONNECT, r, error);
        r = schema_begin_read(conn, set->cfg->schema, &error);
        if (r < 0)
                return failed(ret_failure, EXPORT_STEP_DATABASE, r, error);
        r = check_view(conn, set, o, ret_failure);
        if (r >= 0 && o->format == EXPORT_FIXED && !fixed_pack(set, o))
                r = failed(ret_failure, EXPORT_STEP_NOT_FIXED, -EINVAL, NULL);
        if (r >= 0)
                r = strcmp(o->out, "-") == 0 ? write_rows(conn, set, o, stdout, ret_rows, ret_failure)
                                             : write_file(conn, set, o, ret_rows, ret_failure);
        schema_end_read(conn);
        return r;
}
