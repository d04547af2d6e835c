/*
 * Private to daemon/report/: the overview's model, as overview.c builds it from the
 * database and overview_html.c renders it. Everything the page shows is here, the rules'
 * titles included, so that rendering needs neither the database nor the rule packs.
 */
#ifndef PLAUSID_REPORT_OVERVIEW_H
#define PLAUSID_REPORT_OVERVIEW_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "register.h"
#include "ruleset.h"
#include "util.h"

/* One delivery (duplicates are only counted). */
struct ov_delivery {
        long long id;
        const char *source, *file;
        enum register_status status;    /* not a duplicate: those are only counted */
        const char *unit;               /* its reporting unit(s); "" when unknown */
        time_t received;
        unsigned long records, loaded, rejected, warned;
};

/* Findings of one rule of one source, per month. */
struct ov_rule {
        const char *source, *rule;
        const char *title;              /* German; "" without the source's pack */
        enum severity severity;
        unsigned long total;
        unsigned long *per_month;       /* per entry of months (malloc'd) */
};

/* The duplicates of one source. */
struct ov_duplicates {
        const char *source;
        unsigned long count;
};

struct arena;

struct overview {
        struct arena *arena;            /* the strings */
        char day[sizeof("DD.MM.YYYY")]; /* since, the German way */
        struct ov_delivery *d;          /* sorted by source, unit (unknown last), arrival, id */
        size_t nd, d_cap;
        struct ov_rule *rules;          /* sorted by source, findings (most first), rule */
        size_t nrules, rules_cap;
        const char **months;            /* "YYYY-MM", sorted, over all sources */
        size_t nmonths, months_cap;
        struct ov_duplicates *dup;
        size_t ndup, dup_cap;
};

/* Writes the overview as HTML to o. */
_must_check_ int overview_render(FILE *o, const struct overview *ov);

#endif
