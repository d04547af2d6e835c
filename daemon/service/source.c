/*
 * Sources: a configuration entry opened once (see source.h). The pack is compiled,
 * digested and shaped into a table here, the report group looked up, and the options of
 * the loader and the watch filled from the entry, so that the command line and the daemon
 * cannot differ in any of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "digest.h"
#include "htmlreport.h"
#include "register.h"
#include "report_db.h"
#include "schema.h"
#include "source.h"

int source_compile(const struct source_config *sc, struct ruleset **ret, struct diaglist *diags) {
        return ruleset_compile_file(sc->rules, ret, diags);
}

static size_t diags_said(const struct diaglist *diags) {
        return diags->n + diags->dropped;
}

/* A step of the pack failed with r: said in diags once (the compiler says its own, the
 * digest and the table nothing) and passed on as what, or as -ENOMEM. */
static int pack_failed(const struct source *s, int r, size_t said, struct diaglist *diags, int what) {
        if (r == -ENOMEM)
                return r;
        if (diags_said(diags) == said && diaglist_add(diags, s->config->rules, 0, 0, "%s", strerror(-r)) < 0)
                return -ENOMEM;
        return what;
}

/* The pack: compiled (-ENOEXEC when it does not), digested, its table shaped. */
static int pack_open(struct source *s, struct diaglist *diags) {
        size_t said = diags_said(diags);
        int r = source_compile(s->config, &s->rs, diags);
        if (r < 0)
                return pack_failed(s, r, said, diags, -ENOEXEC);
        r = digest_file(s->config->rules, s->pack_sha256);
        if (r < 0)
                return pack_failed(s, r, said, diags, -EINVAL);
        r = table_new(s->rs, &s->table);
        if (r < 0)
                return pack_failed(s, r, said, diags, -EINVAL);
        return 0;
}

/* report_group: the group that may read the source's reports. */
static int report_group_open(const struct config *cfg, struct source *s, struct diaglist *diags) {
        const struct source_config *sc = s->config;
        if (!sc->report_group || htmlreport_group_id(sc->report_group, &s->report_gid) >= 0)
                return 0;
        if (diaglist_add(diags, cfg->path, sc->line, sc->col, "source '%s': report_group: no group named '%s'",
                         sc->name, sc->report_group) < 0)
                return -ENOMEM;
        return -EINVAL;
}

/* format: one the pack reads. */
static int format_check(const struct config *cfg, const struct source *s, struct diaglist *diags) {
        const struct source_config *sc = s->config;
        if (checker_reads(s->rs, sc->format))
                return 0;
        if (diaglist_add(diags, cfg->path, sc->line, sc->col, "source '%s': format %s: the rule pack %s reads no such files",
                         sc->name, sc->format == CHECKER_FORMAT_FIXED ? "fixed" : "csv", sc->rules) < 0)
                return -ENOMEM;
        return -EINVAL;
}

int source_open(const struct config *cfg, const struct source_config *sc, unsigned flags, struct source **ret,
                struct diaglist *diags) {
        _cleanup_(source_freep) struct source *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->config = sc;
        s->report_gid = -1;
        /* Every check runs, whatever the one before found: all errors at once. */
        int dirs = flags & SOURCE_DAEMON ? config_source_require_dirs(sc, diags, cfg->path) : 0;
        if (dirs == -ENOMEM)
                return dirs;
        int pack = pack_open(s, diags);
        if (pack == -ENOMEM)
                return pack;
        int group = report_group_open(cfg, s, diags);
        if (group == -ENOMEM)
                return group;
        if (pack < 0)
                return pack;
        int format = format_check(cfg, s, diags);
        if (format == -ENOMEM)
                return format;
        if (dirs < 0 || group < 0 || format < 0)
                return -EINVAL;
        s->load = (struct loader_options) {
                .schema = cfg->schema, .source = sc->name, .redelivery = sc->redelivery,
                .max_reject_share = sc->max_reject_share, .pack_sha256 = s->pack_sha256,
                .input = {.format = sc->format, .berichtsjahr = (int) sc->berichtsjahr,
                          .year_pattern = sc->berichtsjahr_from_name}};
        s->watch = (struct watch_options) {.mode = sc->watch, .stable_seconds = sc->stable_seconds,
                                           .done_marker = sc->done_marker};
        *ret = TAKE_PTR(s);
        return 0;
}

void source_free(struct source *s) {
        if (!s)
                return;
        table_free(s->table);
        ruleset_free(s->rs);
        free(s);
}

int source_set_open(const char *config_path, unsigned flags, struct source_set **ret, struct diaglist *diags) {
        _cleanup_(source_set_freep) struct source_set *set = calloc(1, sizeof(*set));
        if (!set)
                return -ENOMEM;
        int r = config_load_file(config_path, &set->cfg, diags);
        if (r < 0)
                return r;
        set->sources = calloc(set->cfg->nsources, sizeof(*set->sources));
        if (!set->sources)
                return -ENOMEM;
        set->n = set->cfg->nsources;
        int bad = 0;
        for (size_t i = 0; i < set->n; i++) {
                r = source_open(set->cfg, &set->cfg->sources[i], flags, &set->sources[i], diags);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        bad = -EINVAL;
        }
        if (bad < 0)
                return bad;
        *ret = TAKE_PTR(set);
        return 0;
}

void source_set_free(struct source_set *set) {
        if (!set)
                return;
        for (size_t i = 0; i < set->n; i++)
                source_free(set->sources[i]);
        free(set->sources);
        config_free(set->cfg);
        free(set);
}

const struct source *source_set_find(const struct source_set *set, const char *name) {
        for (size_t i = 0; i < set->n; i++)
                if (strcmp(set->sources[i]->config->name, name) == 0)
                        return set->sources[i];
        return NULL;
}

void source_set_order_like(struct source_set *set, const struct source_set *like) {
        for (size_t i = 0; i < like->n && i < set->n; i++)
                for (size_t j = i; j < set->n; j++)
                        if (strcmp(set->sources[j]->config->name, like->sources[i]->config->name) == 0) {
                                struct source *t = set->sources[i];
                                set->sources[i] = set->sources[j];
                                set->sources[j] = t;
                                break;
                        }
}

/* ---- the database side ---- */

int source_db_connect(const struct config *cfg, PGconn **ret, char **ret_error) {
        _cleanup_(db_closep) PGconn *conn = NULL;
        int r = db_connect(cfg->conninfo, &conn, ret_error);
        if (r < 0) {
                /* Out of memory before any connection is a failure to connect too. */
                if (!*ret_error)
                        *ret_error = strdup(strerror(-r));
                return -ECONNREFUSED;
        }
        r = schema_migrate(conn, cfg->schema, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(conn);
        return 0;
}

int source_prepare(PGconn *conn, const struct source *s, bool *ret_views_waiting, char **ret_error) {
        return schema_prepare_dataset(conn, s->load.schema, s->rs, s->table, s->config->rules, s->pack_sha256,
                                      ret_views_waiting, ret_error);
}

int source_load(PGconn *conn, const struct source *s, const volatile sig_atomic_t *cancel, int fd,
                const char *file_name, struct load_result *ret, char **ret_error) {
        struct loader_options o = s->load;
        o.cancel = cancel;
        return loader_load(conn, s->rs, s->table, &o, fd, file_name, ret, ret_error);
}

int source_report(PGconn *conn, const struct source *s, long long delivery_id, char **ret_path, char **ret_error) {
        if (!s->config->reports)
                return -EINVAL;
        return report_delivery_from_db(conn, s->load.schema, s->rs, delivery_id, s->config->reports, s->report_gid,
                                       s->config->report_records, ret_path, ret_error);
}

int source_try_active(PGconn *conn, const struct source *s, bool *ret_active, char **ret_error) {
        return register_try_active(conn, s->config->name, ret_active, ret_error);
}

int source_finished_delivery(PGconn *conn, const struct source *s, int fd, int64_t *ret_id, bool *ret_rejected,
                             char **ret_error) {
        char sha[DIGEST_HEX_LEN + 1];
        int r = digest_fd(fd, sha);     /* pread: the offset stays where it was */
        if (r < 0)
                return r;
        return register_find_finished(conn, s->load.schema, s->config->name, sha, ret_id, ret_rejected, ret_error);
}

int source_set_report(PGconn *conn, const struct source_set *set, long long delivery_id, char **ret_path,
                      char **ret_error) {
        _cleanup_(freep) char *name = NULL;
        int r = register_delivery_source(conn, set->cfg->schema, delivery_id, &name, ret_error);
        if (r < 0)
                return r;
        const struct source *s = source_set_find(set, name);
        if (!s || !s->config->reports)
                return -ENOENT;
        return source_report(conn, s, delivery_id, ret_path, ret_error);
}

int source_input_open(const char *path, int *ret_fd, struct stat *ret_st) {
        /* O_NONBLOCK: opening a FIFO for reading would wait for a writer, for ever. It has
         * no effect on a regular file, and is cleared again for the reads anyway. */
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
                return -errno;
        if (ret_st)
                *ret_st = st;
        *ret_fd = fd;
        fd = -1;
        return 0;
}

void source_db_revive(PGconn *conn) {
        if (PQstatus(conn) != CONNECTION_OK)
                PQreset(conn);
}
