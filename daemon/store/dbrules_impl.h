/*
 * Private to the store's database rules (dbrules.h): the kinds' parts. dbrules.c decides
 * when a rule runs, for which unit-years and where its findings go; previous_year.c and
 * linked.c hold each kind's SQL.
 */
#ifndef PLAUSID_STORE_DBRULES_IMPL_H
#define PLAUSID_STORE_DBRULES_IMPL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"
#include "dbrules.h"
#include "register.h"
#include "ruleset.h"
#include "strbuf.h"
#include "table.h"
#include "util.h"

struct arena;

/* Reporting unit-years (the unit as the scopes name it: the unit fields joined with '-'),
 * each once. */
struct unit_year_set {
        struct unit_year_item {
                char *unit;
                int64_t year;
        } *item;
        size_t n, cap;                  /* grown with ARRAY_GROW */
};
_must_check_ int unit_year_set_add(struct unit_year_set *s, const char *unit, int64_t year);
void unit_year_set_done(struct unit_year_set *s);
/* The set as two array parameters of one statement, units (text[]) and years (bigint[]),
 * pairwise. */
_must_check_ int unit_year_set_params(const struct unit_year_set *s, struct strbuf *units, struct strbuf *years);

/* ---- previous_year.c ---- */

/* The pack's previous_year rules for the unit-years delivery completes, reported through
 * checker with line 0 (the earlier record's key). */
_must_check_ int previous_year_check(PGconn *conn, const struct ruleset *rs, const struct table *t,
                                     const char *source, int64_t delivery, struct checker *checker,
                                     char **ret_error);

/* ---- linked.c ---- */

/*
 * A linked rule as the store runs it: by names, since the rule may be another pack's
 * (read from linked_rules) whose pack is not compiled here. The fields of `dataset` (the
 * owner, whose records are checked) are the rule's pack's; match, unit and year_field are
 * named alike in `other_dataset`.
 */
struct linked_def {
        const char *dataset, *rule, *field;
        const char *other_dataset, *other_field;
        const char *where_field, *where_code;   /* NULL: every record */
        const char **match;
        size_t nmatch;
        const char *window_field;
        int months_from, months_to;
        const char **unit;
        size_t nunit;
        const char **key;
        size_t nkey;
        const char *year_field;
        const char *message;                    /* the template (ruleset_message_render()) */
        int rule_index;                         /* in the loaded pack; -1: another pack's */
        const char **dates;                     /* which of the owner's key fields and field are
                                                 * months, shown as MM.YYYY (linked_ready()) */
        size_t ndates;
};

struct linked_defs {
        struct linked_def *def;
        size_t n, cap;                          /* grown with ARRAY_GROW */
        struct arena *arena;                    /* the definitions' strings */
};
void linked_defs_done(struct linked_defs *l);

/* Appends the linked rules of the loaded pack, and those of other packs that point at
 * its data set (stored in linked_rules). */
_must_check_ int linked_defs_of_pack(const struct ruleset *rs, struct linked_defs *l);
_must_check_ int linked_defs_pointing_at(PGconn *conn, const char *dataset, struct linked_defs *l,
                                         char **ret_error);

/* The pack's linked rules into linked_rules, replacing its data set's earlier ones. */
_must_check_ int linked_defs_store(PGconn *conn, const struct ruleset *rs, char **ret_error);

/*
 * Whether the rule can run now: both tables exist with every column it names (*ret);
 * the other data set not loaded yet is no error, only not yet. A month column that is
 * not a date, or a year that is not a number, is -EMEDIUMTYPE with *ret_error naming it.
 */
_must_check_ int linked_ready(PGconn *conn, struct linked_def *d, struct arena *arena, bool *ret, char **ret_error);

/*
 * The owner's unit-years with a record whose window reaches a month that loading the
 * loaded unit-years of the other data set may change: the months of those Berichtsjahre,
 * and the months of the other field of every row in them (run before the redelivery, so
 * that the rows about to be replaced count too). Added to ret.
 */
_must_check_ int linked_reaching(PGconn *conn, const struct linked_def *d, const struct unit_year_set *loaded,
                                 struct unit_year_set *ret, char **ret_error);

/* The rule's findings on the owner's records of the unit-years, deleted; fn gets each
 * delivery that lost some. */
_must_check_ int linked_take_back(PGconn *conn, const struct linked_def *d, const struct unit_year_set *uys,
                                  register_delivery_count_fn fn, void *userdata, char **ret_error);

/* The rule's findings on the owner's records of the unit-years, one call of fn each: the
 * record's delivery and the finding (message filled in), valid during the call. */
typedef int (*linked_finding_fn)(void *userdata, int64_t delivery, const struct finding *f);
_must_check_ int linked_evaluate(PGconn *conn, const struct linked_def *d, const struct unit_year_set *uys,
                                 linked_finding_fn fn, void *userdata, char **ret_error);

/* ---- parts.c ---- */

/* Whether the pack has a rule of this kind across the parts. */
bool parts_any(const struct ruleset *rs, enum ruleset_parts_kind kind);

/* The marks on records of the unit-years, their findings (on the marked record and on the
 * one that made it stale) and the marked deliveries' counts, taken back; fn gets each
 * delivery that lost findings. */
_must_check_ int parts_take_back(PGconn *conn, const struct table *t, const struct unit_year_set *uys,
                                 register_delivery_count_fn fn, void *userdata, char **ret_error);

/* The other part's records that this delivery's make stale, marked rejected later; fn
 * gets the findings, on the marked record (its delivery) and on this delivery's record. */
_must_check_ int parts_mark(PGconn *conn, const struct table *t, int64_t delivery, linked_finding_fn fn,
                            void *userdata, char **ret_error);

#endif
