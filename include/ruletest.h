/*
 * Runs the examples of a rule pack: each example is written out as a small CSV file and
 * checked by the real reader and checker, and the example's rule must (fail) or must not
 * (pass) report a finding. The example base record must pass every rule.
 */
#ifndef PLAUSID_RULETEST_H
#define PLAUSID_RULETEST_H

#include "diag.h"
#include "ruleset.h"
#include "util.h"

struct ruletest_result {
        unsigned examples;      /* examples run for this rule */
        unsigned failed;        /* examples whose expectation did not hold */
};

/*
 * Fills results[rule] for every rule (the caller allocates ruleset_rule_count() entries)
 * and adds one diagnostic per failed expectation, pointing at the example's line. Returns
 * the number of failed expectations, or a negative errno when the examples could not be run.
 */
_must_check_ int ruletest_run(const struct ruleset *rs, struct ruletest_result *results, struct diaglist *failures);

#endif
