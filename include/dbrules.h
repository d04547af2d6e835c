/*
 * Database rules: the rules of a pack that need the database rather than the file, run
 * by `plausid load` as one stage of the delivery's transaction (loader.c). Cross-delivery
 * findings are one mechanism; each kind is a part of it:
 *
 *   previous_year (previous_year.c)  this unit-year against the one before, same data set
 *                                    (X03, X04 of hze)
 *   linked (linked.c)                a record against the records of another data set
 *                                    (V01 of schutz, V02 of gefaehrdung)
 *
 * The stage has three steps, at three places of the load:
 *
 *   dbrules_scope()   before the redelivery replaces earlier rows (they are still in
 *                     place): decides which unit-years the load touches, for the loaded
 *                     data set's own rules and for other packs' linked rules that point
 *                     at it (read from the definitions stored with their packs,
 *                     dbrules_store()), and takes back those rules' earlier findings on
 *                     the records of those unit-years, the records about to be replaced
 *                     included.
 *   dbrules_check()   after the redelivery: previous_year rules, whose findings are
 *                     about this delivery as a whole (line 0) and go with its own
 *                     findings through the checker.
 *   dbrules_place()   after this delivery's own findings are stored: linked rules,
 *                     evaluated for the unit-years of the scope, their findings placed on
 *                     the records they are about -- this delivery's or those of earlier
 *                     current deliveries, of this data set or another -- and the
 *                     `warned` count of every delivery whose findings changed recounted.
 *
 * Each evaluation of a rule for a unit-year replaces that rule's earlier findings on the
 * unit-year's records; so loading a file twice, or loading the other data set later,
 * never doubles them.
 *
 *   parts (parts.c)                  X01/X02 across the two parts of a unit-year (a
 *                                    record against the other part's, same data set)
 *
 * The parts kind plugs in the same way: its unit-years are this delivery's own (the
 * scope's own side); dbrules_scope() takes back what it marked there before (the marks
 * in late_rejections, sql/004, their findings, the marked deliveries' counts), and
 * dbrules_place() marks the other part's stale records rejected later, placing an error
 * finding on each and a warning on this delivery's record that made it stale; the marked
 * deliveries are among the `others` whose report is written again. What it rejects of
 * this delivery's own records the loader rejects before the gate (parts_reject_own()).
 * A kind that needs its definitions while another data set loads stores them with its
 * pack as dbrules_store() does.
 */
#ifndef PLAUSID_DBRULES_H
#define PLAUSID_DBRULES_H

#include <libpq-fe.h>
#include <stdint.h>

#include "checker.h"
#include "register.h"
#include "ruleset.h"
#include "table.h"
#include "util.h"

struct dbrules;

/*
 * The database rules of one load of delivery (of source, into t, checked with rs). Every
 * function runs in the load's transaction with the schema as the search path and returns
 * 0 or a negative errno: -EIO with the server's error in *ret_error, -EBADMSG for a
 * number from the server that is not one, -EMEDIUMTYPE (with *ret_error) when one of this
 * pack's linked rules names a column of the wrong type (the other data set's month is no
 * month), -ENOMEM.
 */
_must_check_ int dbrules_new(PGconn *conn, const struct ruleset *rs, const struct table *t, const char *source,
                             int64_t delivery, struct dbrules **ret);
void dbrules_free(struct dbrules *d);
DEFINE_CLEANUP_FUNC(struct dbrules, dbrules_free)

/* Before the redelivery: the unit-years touched, from the scopes of the delivery's rows;
 * the earlier findings of the rules there taken back. */
_must_check_ int dbrules_scope(struct dbrules *d, const struct register_scopes *scopes, char **ret_error);

/* After the redelivery: the previous_year rules, reported through checker (line 0). */
_must_check_ int dbrules_check(struct dbrules *d, struct checker *checker, char **ret_error);

/* What dbrules_place() did. */
struct dbrules_placed {
        unsigned long here;             /* findings on this delivery's records */
        unsigned long elsewhere;        /* findings on records of other deliveries */
        unsigned long *per_rule;        /* here, per rule of the pack (NULL: none); malloc'd */
        bool warned_changed;            /* this delivery's findings changed: ... */
        unsigned long warned;           /* ... its records with warnings only, recounted */
        int64_t *others;                /* other deliveries whose findings changed (taken back or
                                         * placed), by id; malloc'd */
        size_t nothers;
};
void dbrules_placed_done(struct dbrules_placed *p);

/* After the delivery's own findings are stored: the linked rules' findings placed, the
 * warned counts recounted. */
_must_check_ int dbrules_place(struct dbrules *d, struct dbrules_placed *ret, char **ret_error);

/*
 * X01/X02 across the parts of a unit-year (store/parts.c; rules/README.md, "Deliveries").
 * Two steps belong to the loader itself, in the savepoint of the delivery's data, right
 * after the COPY: parts_store_intervals() keeps the intervals the checker computed for the
 * pack's overlap rules (a later delivery of the other part compares with them), and
 * parts_reject_own() finds the records of this delivery that the other part's current
 * records make stale (overlap) or duplicates (key): fn gets each one's finding (its
 * delivery is this one), and the loader rejects the record as one rejected at the end of
 * the file. Marking the other part's stale records is dbrules_place()'s, taking the marks
 * back dbrules_scope()'s.
 */
typedef int (*parts_finding_fn)(void *userdata, int64_t delivery, const struct finding *f);
_must_check_ int parts_store_intervals(PGconn *conn, const struct ruleset *rs, struct checker *c, int64_t delivery,
                                       char **ret_error);
_must_check_ int parts_reject_own(PGconn *conn, const struct table *t, int64_t delivery, parts_finding_fn fn,
                                  void *userdata, char **ret_error);

/* The pack's linked rules into the database (linked_rules), replacing the ones stored for
 * its data set before: what loads of other data sets need of them. In the caller's
 * transaction (schema.c, when a pack with a new digest is prepared). */
_must_check_ int dbrules_store(PGconn *conn, const struct ruleset *rs, char **ret_error);

#endif
