/*
 * Loading one export (see loader.h). The file is read once, streaming: every record goes
 * through the checker, a clean record straight into the COPY stream of the data set's
 * table, while findings and rejected records are spooled to temporary files in COPY text
 * format (a connection carries one COPY at a time) and sent after the data. Memory does not
 * grow with the file. The server converts and stores rows in its own process while this one
 * parses and checks, which is where the second core goes.
 *
 * Everything of a file happens in one transaction, in phases, each a function below:
 *
 *   begin       the file's digest; BEGIN; lock the source
 *   register    duplicate? (then recorded and committed: done); INSERT delivery
 *   copy        SAVEPOINT data; COPY records ...; delete the records that end-of-file
 *               rules rejected after they were sent (overlaps)
 *   parts       the overlap intervals kept; the records that the other part of their
 *               unit-year, in the database, makes stale or duplicate rejected and deleted
 *               the same way (X01/X02 across the parts, parts.c)
 *   gate        a file finding or too many rejected records reject the file as a whole
 *   scope       the database rules (dbrules.h): the unit-years they run for, their earlier
 *               findings there taken back, while the rows a redelivery replaces are there
 *   redeliver   record the scopes; the source's policy against earlier deliveries
 *   check       the previous-year rules, against the rows as they are now
 *   findings    a rejected file rolls back to the savepoint; COPY findings, rejected_records
 *   place       the linked rules' findings onto the records they are about, the other
 *               part's stale records marked rejected later; warned recounted
 *   finish      UPDATE delivery; COMMIT
 *
 * A phase returns 0 or the load's error. The first failure is recorded once, with its
 * message, in the state's load_error (load_fail()); whatever fails after it, while the
 * load winds down, is dropped. Any failure, the server dying mid-COPY included, leaves the
 * transaction to roll back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "copy.h"
#include "db.h"
#include "dbrules.h"
#include "loader.h"
#include "register.h"
#include "rows.h"
#include "strbuf.h"

/* COPY data is handed to libpq in pieces of about this size. */
#define COPY_CHUNK (256u * 1024u)

/* The first failure of a load; later ones are dropped. */
struct load_error {
        int code;                       /* 0, or the negative errno of the first failure */
        char *text;                     /* its message, or NULL: the caller says strerror(code) */
};

struct load_state {
        PGconn *conn;
        const struct ruleset *rs;
        const struct table *t;
        const struct loader_options *o;
        int fd;
        const char *file_name;

        struct load_result res;         /* what the caller gets */
        struct load_error err;
        struct stat st;
        char sha[DIGEST_HEX_LEN + 1];
        struct checker *checker;

        int64_t delivery;
        char id[DB_NUM_MAX];            /* the delivery id as text, first column of every row */
        size_t id_len;
        struct strbuf row;              /* COPY data not yet handed to libpq */
        struct column_value *values;    /* the record being sent, per column */
        struct spool findings;          /* COPY rows for findings ... */
        struct spool rejected;          /* ... and for rejected_records */
        int rejected_field[REGISTER_REJECTED_FIELDS];   /* the pack's field per role, -1 */
        struct register_rejected_batch late_fields;     /* the late records' fields, from their rows */
        unsigned long loaded;           /* rows sent to the data set's table */
        unsigned long *late;            /* records rejected after they were sent (overlaps) */
        size_t nlate, late_cap;         /* grown with ARRAY_GROW */
        struct register_scopes scopes;  /* what the rows sent cover */
        struct strbuf unit;             /* scratch: the current record's unit */
        struct dbrules *dbrules;        /* the database rules' stage (scope, check, place) */
        struct checker_file file;       /* how the file was read: to read records again */
        unsigned long *parts;           /* records rejected against the other part (parts.c) */
        unsigned long *parts_per_rule;  /* their findings per rule of the pack; calloc'd */
        size_t nparts, parts_cap;       /* grown with ARRAY_GROW */
        struct dbrules_placed placed;   /* what its place step did */
};

void load_result_done(struct load_result *r) {
        free(r->per_rule);
        free(r->unknown_columns);
        free(r->reason);
        free(r->relinked);
        r->per_rule = NULL;
        r->unknown_columns = NULL;
        r->reason = NULL;
        r->relinked = NULL;
        r->nrelinked = 0;
}

static void load_state_done(struct load_state *s) {
        checker_free(s->checker);
        strbuf_done(&s->row);
        strbuf_done(&s->unit);
        free(s->values);
        spool_close(&s->findings);
        spool_close(&s->rejected);
        free(s->late);
        free(s->parts);
        free(s->parts_per_rule);
        register_rejected_batch_done(&s->late_fields);
        register_scopes_done(&s->scopes);
        dbrules_free(s->dbrules);
        dbrules_placed_done(&s->placed);
        free(s->err.text);
        load_result_done(&s->res);
}

/*
 * Records a failure of the load unless one was recorded before. Its message is text
 * (taken over, as the register and libpq helpers return it), else "what: strerror" when
 * what is given. Returns the code of the failure that counts: the first.
 */
static int load_fail(struct load_state *s, int code, char *text, const char *what) {
        if (s->err.code != 0) {
                free(text);
                return s->err.code;
        }
        if (!text && what && asprintf(&text, "%s: %s", what, strerror(-code)) < 0)
                text = NULL;
        s->err = (struct load_error) {.code = code, .text = text};
        return code;
}

/* A message, or NULL when there is no memory for it. */
_printf_(1, 2) static char *text_printf(const char *fmt, ...) {
        char *text;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&text, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : text;
}

/* Rejects the delivery as a whole for reason (taken; NULL: there was no memory for it). */
static int load_reject(struct load_state *s, char *reason) {
        if (!reason)
                return load_fail(s, -ENOMEM, NULL, NULL);
        free(s->res.reason);
        s->res.reason = reason;
        s->res.status = LOAD_REJECTED;
        return 0;
}

/* ---- the checker's callbacks, while the data COPY runs ---- */

static int on_finding(void *userdata, const struct finding *f) {
        struct load_state *s = userdata;
        int r = register_finding_row(&s->findings.row, s->delivery, f);
        if (r >= 0)
                r = spool_add_row(&s->findings);
        return r < 0 ? load_fail(s, r, NULL, "spooling findings") : 0;
}

/* A rejected record's text and, while the checker has them (not for a late record), its
 * unit, year, identity and group as the checker read them (checker_record_value()): the
 * same pass, no second read of the file. */
static int spool_rejected(struct load_state *s, const struct checked_record *rec) {
        struct register_text fields[REGISTER_REJECTED_FIELDS] = {{0}};
        for (unsigned k = 0; k < REGISTER_REJECTED_FIELDS && rec->values; k++)
                if (s->rejected_field[k] >= 0)
                        fields[k].s = checker_record_value(rec, (unsigned) s->rejected_field[k], &fields[k].len);
        int r = register_rejected_row(&s->rejected.row, s->delivery, rec->line, rec->raw, rec->raw_len,
                                      rec->values ? fields : NULL);
        if (r >= 0)
                r = spool_add_row(&s->rejected);
        return r < 0 ? load_fail(s, r, NULL, "spooling rejected records") : 0;
}

static int flush_rows(struct load_state *s) {
        char *text = NULL;
        int r = copy_send(s->conn, s->row.data, s->row.len, &text);
        if (r < 0)
                return load_fail(s, r, text, "COPY");
        strbuf_reset(&s->row);
        return 0;
}

/* Counts the record in its scope (unit, year, part). */
static int count_scope(struct load_state *s) {
        int64_t year;
        const char *part;
        size_t part_len;
        int r = rows_scope_of(s->t, s->values, &s->unit, &year, &part, &part_len);
        if (r < 0)
                return r;
        return register_scopes_count(&s->scopes, strbuf_str(&s->unit), year, part, part_len);
}

static int on_record(void *userdata, const struct checked_record *rec) {
        struct load_state *s = userdata;
        if (s->o->cancel && *s->o->cancel)
                return load_fail(s, -ECANCELED, NULL, "stopped");
        if (rec->rejected)
                return spool_rejected(s, rec);
        table_values(s->t, s->rs, rec->values, s->values);
        if (s->t->record_text >= 0 && checker_fixed_width(s->checker))
                s->values[s->t->record_text] = (struct column_value) {.s = rec->raw, .len = rec->raw_len};
        int r = rows_append(&s->row, s->t, s->id, s->id_len, rec->line, s->values);
        if (r >= 0)
                r = count_scope(s);
        if (r < 0)
                return load_fail(s, r, NULL, "building COPY rows");
        s->loaded++;
        return s->row.len >= COPY_CHUNK ? flush_rows(s) : 0;
}

/* A record that an end-of-file rule (overlap) rejected after on_record() sent it: its text
 * goes to the error log now, its row is deleted once the COPY is over (remove_late()),
 * which takes the record's fields from the row for the error log. The
 * checker delivers each such record once, in line order, after the last on_record(). */
static int on_late_record(void *userdata, const struct checked_record *rec) {
        struct load_state *s = userdata;
        int r = ARRAY_GROW(s->late, s->nlate, s->late_cap);
        if (r < 0)
                return load_fail(s, r, NULL, "rejected records");
        s->late[s->nlate++] = rec->line;
        return spool_rejected(s, rec);
}

/* ---- begin ---- */

/* What the load needs before the database (the file's digest, the spools), then the
 * transaction in the schema. Loads of one source take turns: the duplicate test and the
 * redelivery see every committed delivery of the source. */
static int load_begin(struct load_state *s) {
        if (fstat(s->fd, &s->st) < 0)
                return load_fail(s, -errno, NULL, NULL);
        int r = digest_fd(s->fd, s->sha);
        if (r < 0)
                return load_fail(s, r, NULL, NULL);
        rows_rejected_fields(s->t, s->rejected_field);
        s->values = calloc(s->t->ncolumns ? s->t->ncolumns : 1, sizeof(*s->values));
        if (!s->values)
                return load_fail(s, -ENOMEM, NULL, NULL);
        r = spool_open(&s->findings);
        if (r >= 0)
                r = spool_open(&s->rejected);
        if (r < 0)
                return load_fail(s, r, NULL, "a temporary file for findings");
        _cleanup_(freep) char *schema = db_ident(s->o->schema);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        /* jit off: the database rules' joins (parts.c, linked.c) are planned far above
         * jit_above_cost on small tables, and compiling them cost 1.3 s of each load. */
        r = schema ? strbuf_printf(&sql, "BEGIN; SET LOCAL search_path = %s; SET LOCAL jit = off;", schema) : -ENOMEM;
        if (r < 0)
                return load_fail(s, r, NULL, NULL);
        char *text = NULL;
        r = db_exec(s->conn, strbuf_str(&sql), &text);
        if (r < 0)
                return load_fail(s, r, text, NULL);
        r = register_lock_source(s->conn, s->o->source, &text);
        return r < 0 ? load_fail(s, r, text, NULL) : 0;
}

/* ---- finish (also of a duplicate) ---- */

static enum register_status register_status_of(enum load_status status) {
        switch (status) {
        case LOAD_REJECTED:
                return REGISTER_REJECTED;
        case LOAD_DUPLICATE:
                return REGISTER_DUPLICATE;
        case LOAD_LOADED:
                break;
        }
        return REGISTER_LOADED;
}

/* The delivery's outcome and counts, COMMIT; then what the caller reports besides. */
static int load_finish(struct load_state *s) {
        const struct load_result *res = &s->res;
        struct register_outcome out = {
                .status = register_status_of(res->status),
                .reason = res->status == LOAD_LOADED ? NULL : res->reason,
                .counts = {.records = res->records, .loaded = res->loaded, .rejected = res->rejected,
                           .warned = res->warned},
                .encoding = *res->encoding ? res->encoding : NULL,
        };
        char *text = NULL;
        int r = register_finish(s->conn, s->delivery, &out, &text);
        if (r < 0)
                return load_fail(s, r, text, NULL);
        r = db_exec(s->conn, "COMMIT", &text);
        if (r < 0)
                return load_fail(s, r, text, NULL);
        if (!s->checker)
                return 0;
        /* Committed: without memory for these the caller only prints less. */
        unsigned nrules = ruleset_rule_count(s->rs);
        s->res.per_rule = calloc(nrules + 1, sizeof(unsigned long));
        if (s->res.per_rule)
                memcpy(s->res.per_rule, checker_stats(s->checker)->per_rule, nrules * sizeof(unsigned long));
        for (unsigned i = 0; s->res.per_rule && s->placed.per_rule && i < nrules; i++)
                s->res.per_rule[i] += s->placed.per_rule[i];
        for (unsigned i = 0; s->res.per_rule && s->parts_per_rule && i < nrules; i++)
                s->res.per_rule[i] += s->parts_per_rule[i];
        s->res.relinked = TAKE_PTR(s->placed.others);
        s->res.nrelinked = s->placed.nothers;
        if (checker_unknown_columns(s->checker))
                s->res.unknown_columns = strdup(checker_unknown_columns(s->checker));
        return 0;
}

/* ---- register ---- */

/* The delivery's row. Content loaded before is registered as a duplicate and committed
 * at once: returns 0 then, 1 when the load goes on. */
static int load_register(struct load_state *s) {
        char *text = NULL;
        int64_t dup = 0;
        int r = register_find_duplicate(s->conn, s->o->source, s->sha, &dup, &text);
        if (r < 0)
                return load_fail(s, r, text, NULL);
        const struct register_delivery d = {
                .source = s->o->source, .dataset = ruleset_name(s->rs), .file_name = s->file_name,
                .file_size = s->st.st_size, .sha256 = s->sha, .received = s->st.st_mtime,
                .rules_name = ruleset_name(s->rs), .rules_version = ruleset_version(s->rs),
                .rules_sha256 = s->o->pack_sha256, .duplicate_of = dup};
        r = register_insert(s->conn, &d, &s->delivery, &text);
        if (r < 0)
                return load_fail(s, r, text, NULL);
        s->res.delivery_id = s->delivery;
        s->id_len = strlen(db_int64_text(s->id, s->delivery));
        if (dup == 0)
                return 1;
        s->res.status = LOAD_DUPLICATE;
        s->res.duplicate_of = dup;
        s->res.reason = text_printf("gleicher Inhalt wie Lieferung %" PRId64 " (SHA-256 %.12s…)", dup, s->sha);
        if (!s->res.reason)
                return load_fail(s, -ENOMEM, NULL, NULL);
        r = load_finish(s);
        return r < 0 ? r : 0;
}

/* ---- copy ---- */

/* The checker, then SAVEPOINT data and the COPY into the data set's table. */
static int copy_open(struct load_state *s) {
        int r = checker_new(s->rs, on_finding, s, &s->checker);
        if (r < 0)
                return load_fail(s, r, NULL, NULL);
        checker_on_record(s->checker, on_record, s);
        checker_on_late_record(s->checker, on_late_record, s);
        _cleanup_(strbuf_done) struct strbuf sql = {0};
        r = strbuf_puts(&sql, "SAVEPOINT data; ");
        if (r >= 0)
                r = rows_copy_statement(s->t, &sql);
        if (r < 0)
                return load_fail(s, r, NULL, NULL);
        char *text = NULL;
        r = copy_begin(s->conn, strbuf_str(&sql), &text);
        if (r < 0)
                return load_fail(s, r, text, NULL);
        /* The default socket buffer (about 200 KiB) is smaller than one COPY chunk: every
         * chunk then waits for the server to drain it, and checking and storing take turns
         * instead of running side by side (9.2 s instead of 5.1 s for a million records).
         * The kernel caps the size at net.core.wmem_max; a refusal only costs speed. */
        int sndbuf = 4 << 20;
        (void) setsockopt(PQsocket(s->conn), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
        return 0;
}

/* Checking failed (a callback's failure is recorded already, else reading the file's):
 * the COPY is aborted, which rolls back what it sent. */
static int copy_abort(struct load_state *s, int code) {
        int r = load_fail(s, code, text_printf("reading %s: %s", s->file_name, strerror(-code)), NULL);
        _cleanup_(freep) char *aborted = NULL;  /* "COPY from stdin failed": no news */
        int ignored = copy_end(s->conn, "plausid stopped checking the file", &aborted);
        (void) ignored;
        return r;
}

/* The rest of the data, and the end of the COPY. */
static int copy_close(struct load_state *s) {
        int r = flush_rows(s);
        char *text = NULL;
        int e = copy_end(s->conn, r < 0 ? "plausid could not send the data" : NULL, &text);
        if (r < 0 || e < 0)
                return load_fail(s, e < 0 ? e : r, text, NULL);
        return 0;
}

static int keep_late_fields(void *userdata, unsigned long line, const char *const *values) {
        struct load_state *s = userdata;
        return register_rejected_batch_add(&s->late_fields, line, values);
}

/* Records that an end-of-file rule rejected after they were sent are deleted again (their
 * text is in the error log already, on_late_record(); their fields go there with it,
 * load_findings()), and the scopes counted anew. */
static int remove_late(struct load_state *s) {
        char *text = NULL;
        unsigned long deleted;
        int r = rows_take_lines(s->conn, s->t, s->delivery, s->late, s->nlate, keep_late_fields, s, &deleted, &text);
        if (r < 0)
                return load_fail(s, r, text, "removing rejected records");
        if (deleted == 0)
                return 0;
        s->loaded -= deleted;
        r = rows_count_scopes(s->conn, s->t, s->delivery, &s->scopes, &text);
        return r < 0 ? load_fail(s, r, text, "counting the delivery's scopes") : 0;
}

/* The records, checked and sent by COPY straight from the checker. */
static int load_copy(struct load_state *s) {
        int r = copy_open(s);
        if (r < 0)
                return r;
        /* The parse thread helps even though the server needs a core of its own to convert
         * and store the rows: measured 5.2 s with it, 5.5 s without, for a million records. */
        struct checker_input in = s->o->input;
        in.name = s->file_name;
        in.threads = true;
        struct checker_file file = {0};
        r = lseek(s->fd, 0, SEEK_SET) < 0 ? -errno : checker_check_file(s->checker, s->fd, &in, &file);
        s->file = file;
        if (r < 0)
                return copy_abort(s, r);
        r = copy_close(s);
        if (r < 0)
                return r;
        /* The reader's names are short (loader.h); one that is not would fail, not be cut. */
        const char *name = reader_encoding_name(file.encoding);
        if (strlen(name) >= sizeof(s->res.encoding))
                return load_fail(s, -ENAMETOOLONG, NULL, "the file's encoding");
        strcpy(s->res.encoding, name);
        return s->nlate > 0 ? remove_late(s) : 0;
}

/* ---- parts ---- */

static int parts_finding(void *userdata, int64_t delivery, const struct finding *f) {
        struct load_state *s = userdata;
        (void) delivery;        /* this one */
        int r = on_finding(s, f);
        if (r < 0)
                return r;
        if (!s->parts_per_rule && !(s->parts_per_rule = calloc(ruleset_rule_count(s->rs) + 1, sizeof(unsigned long))))
                return load_fail(s, -ENOMEM, NULL, NULL);
        s->parts_per_rule[f->rule]++;

        for (size_t i = 0; i < s->nparts; i++)
                if (s->parts[i] == f->line)
                        return 0;
        r = ARRAY_GROW(s->parts, s->nparts, s->parts_cap);
        if (r < 0)
                return load_fail(s, r, NULL, "rejected records");
        s->parts[s->nparts++] = f->line;
        return 0;
}

static int parts_raw(void *userdata, const struct reader_record *rec) {
        struct load_state *s = userdata;
        const struct checked_record cr = {
                .line = rec->line, .rejected = true, .late = true, .raw = rec->raw, .raw_len = rec->raw_len};
        return spool_rejected(s, &cr);
}

static int cmp_line(const void *a, const void *b) {
        unsigned long x = *(const unsigned long *) a, y = *(const unsigned long *) b;
        return (x > y) - (x < y);
}

/* The records rejected against the other part: their text read again from the file, as
 * the checker reads a record rejected at the end of the file, then taken out like one. */
static int reject_parts(struct load_state *s) {
        qsort(s->parts, s->nparts, sizeof(*s->parts), cmp_line);
        struct reader_options opts = *ruleset_input(s->rs);
        char year[DB_NUM_MAX];
        if (s->file.format == READER_FORMAT_FIXED)
                opts = (struct reader_options) {
                        .format = READER_FORMAT_FIXED, .layout = ruleset_fixed_layout(s->rs, s->file.berichtsjahr),
                        .delivery_year = db_int64_text(year, s->file.berichtsjahr)};
        opts.encoding = s->file.encoding;
        opts.threads = false;
        int r = reader_read_lines(s->fd, &opts, s->parts, s->nparts, parts_raw, s);
        if (r < 0)
                return load_fail(s, r, NULL, "reading rejected records again");
        char *text = NULL;
        unsigned long deleted;
        r = rows_take_lines(s->conn, s->t, s->delivery, s->parts, s->nparts, keep_late_fields, s, &deleted, &text);
        if (r < 0)
                return load_fail(s, r, text, "removing rejected records");
        s->loaded -= deleted;
        r = rows_count_scopes(s->conn, s->t, s->delivery, &s->scopes, &text);
        return r < 0 ? load_fail(s, r, text, "counting the delivery's scopes") : 0;
}

/* X01/X02 across the parts of a unit-year (parts.c): the intervals of this delivery's
 * records kept, and those of its records that the other part makes stale or duplicate
 * rejected. A file rejected as a whole is left alone. */
static int load_parts(struct load_state *s) {
        if (checker_stats(s->checker)->file_rejected || ruleset_delivery_part(s->rs) < 0)
                return 0;
        char *text = NULL;
        int r = parts_store_intervals(s->conn, s->rs, s->checker, s->delivery, &text);
        if (r >= 0)
                r = parts_reject_own(s->conn, s->t, s->delivery, parts_finding, s, &text);
        if (r < 0)
                return load_fail(s, r, text, "checking against the other part");
        return s->nparts > 0 ? reject_parts(s) : 0;
}

/* ---- gate ---- */

/* A finding about the file, or a share of rejected records above the source's limit,
 * rejects the file as a whole. A share exactly at the limit passes. */
static int load_gate(struct load_state *s) {
        const struct checker_stats *cs = checker_stats(s->checker);
        s->res.records = cs->records;
        s->res.rejected = cs->rejected + s->nparts;
        s->res.warned = cs->warned;
        if (cs->file_rejected)
                return load_reject(s, text_printf("Die Datei wurde als Ganzes abgewiesen "
                                                  "(siehe Befunde der Zeile 0)."));
        double share = cs->records ? (double) cs->rejected / (double) cs->records : 0.0;
        if (share <= s->o->max_reject_share)
                return 0;
        char got[32], allowed[32];      /* decimal_de()'s size; a percentage takes 5 */
        return load_reject(s, text_printf("%lu von %lu Datensätzen (%s %%) abgewiesen, "
                                          "mehr als die zulässigen %s %%: die Lieferung wurde als Ganzes abgewiesen.",
                                          cs->rejected, cs->records, decimal_de(got, share * 100.0, false),
                                          decimal_de(allowed, s->o->max_reject_share * 100.0, false)));
}

/* ---- redeliver ---- */

/* Earlier deliveries that lost rows to this one. */
struct touched {
        int64_t *id;
        size_t n, cap;                  /* grown with ARRAY_GROW */
};

static void touched_done(struct touched *t) {
        free(t->id);
}

/* An earlier delivery already covers sc: under `redelivery: reject`, the whole file goes. */
static int reject_redelivery(struct load_state *s, const struct register_scope *sc, int64_t earlier) {
        return load_reject(s, text_printf("Für die Einheit %s, Jahr %" PRId64 "%s%s liegt bereits die Lieferung "
                                          "%" PRId64 " vor (Quelle %s nimmt keine Neulieferungen an).",
                                          sc->unit, sc->year, *sc->part ? ", Teil " : "", sc->part, earlier,
                                          s->o->source));
}

/* Under `redelivery: replace`: the earlier deliveries' rows in sc's scope give way, and
 * the scope is theirs no more. */
static int replace_scope(struct load_state *s, const struct register_scope *sc, const int64_t *earlier, size_t n,
                         struct touched *touched) {
        for (size_t i = 0; i < n; i++) {
                char *text = NULL;
                unsigned long deleted;
                int r = ARRAY_GROW(touched->id, touched->n, touched->cap);
                if (r < 0)
                        return load_fail(s, r, NULL, "replacing an earlier delivery");
                touched->id[touched->n++] = earlier[i];
                r = rows_delete_scope(s->conn, s->t, earlier[i], sc, &deleted, &text);
                if (r >= 0)
                        r = register_scope_delete(s->conn, earlier[i], sc, &text);
                if (r < 0)
                        return load_fail(s, r, text, "replacing an earlier delivery");
                s->res.replaced_rows += deleted;
        }
        return 0;
}

/* One scope of the delivery against the earlier deliveries of the source, then
 * registered. Leaves the result rejected when the policy refuses it. */
static int redeliver_scope(struct load_state *s, const struct register_scope *sc, struct touched *touched) {
        _cleanup_(freep) int64_t *earlier = NULL;
        size_t n = 0;
        char *text = NULL;
        int r = register_scope_earlier(s->conn, s->o->source, s->delivery, sc, &earlier, &n, &text);
        if (r < 0)
                return load_fail(s, r, text, "looking up earlier deliveries");
        if (n > 0 && s->o->redelivery == REDELIVERY_REJECT)
                return reject_redelivery(s, sc, earlier[0]);
        if (n > 0 && s->o->redelivery == REDELIVERY_REPLACE) {
                r = replace_scope(s, sc, earlier, n, touched);
                if (r < 0)
                        return r;
        }
        r = register_scope_insert(s->conn, s->delivery, sc, &text);
        return r < 0 ? load_fail(s, r, text, "registering the delivery's scope") : 0;
}

/* The delivery's scopes, under the source's redelivery policy (rules/README.md,
 * "Deliveries"). Earlier deliveries that lost rows and have no scope left are superseded
 * as a whole; one that keeps a part (its ended records, say) stays loaded. */
static int load_redeliver(struct load_state *s) {
        if (s->res.status != LOAD_LOADED)
                return 0;
        _cleanup_(touched_done) struct touched touched = {0};
        for (size_t k = 0; k < s->scopes.n && s->res.status == LOAD_LOADED; k++) {
                int r = redeliver_scope(s, &s->scopes.scope[k], &touched);
                if (r < 0)
                        return r;
        }
        if (s->res.status != LOAD_LOADED)
                return 0;
        char *text = NULL;
        int r = register_supersede(s->conn, s->delivery, touched.id, touched.n, &s->res.superseded, &text);
        return r < 0 ? load_fail(s, r, text, "marking superseded deliveries") : 0;
}

/* ---- scope, check: the database rules ---- */

/* Before the redelivery, while the rows it replaces are still there: the unit-years the
 * database rules run for, and their earlier findings there taken back. */
static int load_scope(struct load_state *s) {
        if (s->res.status != LOAD_LOADED)
                return 0;
        int r = dbrules_new(s->conn, s->rs, s->t, s->o->source, s->delivery, &s->dbrules);
        if (r < 0)
                return load_fail(s, r, NULL, NULL);
        char *text = NULL;
        r = dbrules_scope(s->dbrules, &s->scopes, &text);
        return r < 0 ? load_fail(s, r, text, "database rules") : 0;
}

/* The previous-year rules see this delivery's rows in place of the ones it replaced.
 * Their findings are warnings about the delivery as a whole. */
static int load_check(struct load_state *s) {
        if (s->res.status != LOAD_LOADED)
                return 0;
        char *text = NULL;
        int r = dbrules_check(s->dbrules, s->checker, &text);
        return r < 0 ? load_fail(s, r, text, "comparing with the previous year") : 0;
}

/* ---- findings ---- */

static int send_spool(struct load_state *s, struct spool *sp, const char *sql) {
        char *text = NULL;
        int r = spool_send(sp, s->conn, sql, &text);
        return r < 0 ? load_fail(s, r, text, r == -EIO || r == -EDOM ? "COPY" : "reading the spool") : 0;
}

/* A file rejected as a whole keeps none of its rows (back to the savepoint before the
 * COPY); every file keeps its findings and the text and fields of its rejected records
 * (the late ones' fields were taken from their rows before, remove_late()). */
static int load_findings(struct load_state *s) {
        if (s->res.status == LOAD_REJECTED) {
                char *text = NULL;
                int r = db_exec(s->conn, "ROLLBACK TO SAVEPOINT data", &text);
                if (r < 0)
                        return load_fail(s, r, text, NULL);
                s->loaded = 0;
        }
        s->res.loaded = s->loaded;
        s->res.findings = s->findings.rows;
        int r = send_spool(s, &s->findings, register_copy_findings);
        if (r < 0)
                return r;
        r = send_spool(s, &s->rejected, register_copy_rejected);
        if (r < 0)
                return r;
        char *text = NULL;
        r = register_rejected_batch_update(s->conn, s->delivery, &s->late_fields, &text);
        return r < 0 ? load_fail(s, r, text, "the fields of rejected records") : 0;
}

/* ---- place ---- */

static int on_own_warned(void *userdata, int64_t delivery, unsigned long warned) {
        struct load_state *s = userdata;
        (void) delivery;
        s->res.warned = warned;
        return 0;
}

/* The linked rules' findings on the records they are about, this delivery's and earlier
 * ones'; this delivery's counts follow them. */
static int load_place(struct load_state *s) {
        if (s->res.status != LOAD_LOADED)
                return 0;
        char *text = NULL;
        int r = dbrules_place(s->dbrules, &s->placed, &text);
        if (r < 0)
                return load_fail(s, r, text, "placing the findings of linked rules");
        s->res.findings += s->placed.here;
        s->res.relinked_findings = s->placed.elsewhere;
        if (s->placed.warned_changed)
                s->res.warned = s->placed.warned;
        else if (s->nparts > 0)
                /* A record rejected against the other part may have had warnings. */
                r = register_recount_warned(s->conn, &s->delivery, 1, on_own_warned, s, &text);
        return r < 0 ? load_fail(s, r, text, "counting warnings") : 0;
}

/* ---- the load ---- */

static int load_phases(struct load_state *s) {
        int r = load_begin(s);
        if (r < 0)
                return r;
        r = load_register(s);
        if (r <= 0)
                return r;       /* failed, or a duplicate: recorded and committed */
        r = load_copy(s);
        if (r < 0)
                return r;
        r = load_parts(s);
        if (r < 0)
                return r;
        r = load_gate(s);
        if (r < 0)
                return r;
        r = load_scope(s);
        if (r < 0)
                return r;
        r = load_redeliver(s);
        if (r < 0)
                return r;
        r = load_check(s);
        if (r < 0)
                return r;
        r = load_findings(s);
        if (r < 0)
                return r;
        r = load_place(s);
        if (r < 0)
                return r;
        return load_finish(s);
}

int loader_load(PGconn *conn, const struct ruleset *rs, const struct table *t, const struct loader_options *o, int fd,
                const char *file_name, struct load_result *ret, char **ret_error) {
        _cleanup_(load_state_done) struct load_state s = {
                .conn = conn, .rs = rs, .t = t, .o = o, .fd = fd, .file_name = file_name,
                .res = {.status = LOAD_LOADED},
        };
        int r = load_phases(&s);
        if (r < 0) {
                /* Nothing of the file stays (a server that died took its part along). */
                if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
                        PQclear(PQexec(conn, "ROLLBACK"));
                if (s.err.text)
                        *ret_error = TAKE_PTR(s.err.text);
                return r;
        }
        *ret = s.res;
        s.res = (struct load_result) {0};
        return 0;
}
