/*
 * libFuzzer target for the rule-pack compiler (daemon/engine/) and, through
 * a pack's examples, for the whole chain ruletest -> reader -> checker -> vm.
 *
 * Input: a YAML rule pack. It is compiled with ruleset_compile_buffer(). A pack that does not
 * compile must come with at least one diagnostic; one that compiles is checked for sane
 * accessors and then its examples are run with ruletest_run(), whose counts must agree with
 * the failures it lists. Everything is freed, so LeakSanitizer sees every leak.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
/* White-box: a pack's example count is checked against ruletest_run()'s, so this includes
 * the engine's private pack.h, which nothing else outside daemon/engine/ may. */
#include "engine/pack.h"
#include "ruleset.h"
#include "ruletest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct diaglist diags = {0};
        struct ruleset *rs = NULL;
        int e = ruleset_compile_buffer("fuzz.yaml", (const char *) data, size, &rs, &diags);
        check_diags(&diags, false);
        if (e < 0) {
                CHECK(rs == NULL);
                CHECK(e == -EINVAL || e == -ENOMEM);
                if (e == -EINVAL)
                        CHECK(diags.n > 0 || diags.dropped > 0);
                diaglist_done(&diags);
                return 0;
        }
        CHECK(e == 0);
        CHECK(rs != NULL);
        /* A pack is handed out only when it had no error. */
        CHECK(diags.n == 0 && diags.dropped == 0);
        diaglist_done(&diags);

        CHECK(ruleset_name(rs) != NULL && ruleset_name(rs)[0] != '\0');
        CHECK(ruleset_version(rs) != NULL);
        const struct reader_options *in = ruleset_input(rs);
        CHECK(in != NULL);
        CHECK(in->delimiter != '\0' && in->delimiter != '"' && in->delimiter != '\n' && in->delimiter != '\r');
        CHECK((unsigned) in->encoding <= READER_ENCODING_ISO_8859_15);
        unsigned n = ruleset_rule_count(rs);
        CHECK(n <= RULESET_MAX_RULES);
        for (unsigned i = 0; i < n; i++) {
                const char *id = ruleset_rule_id(rs, i);
                CHECK(id != NULL && id[0] != '\0' && strlen(id) <= 16);
                CHECK(ruleset_rule_title(rs, i) != NULL);
                enum severity s = ruleset_rule_severity(rs, i);
                CHECK(s == SEVERITY_ERROR || s == SEVERITY_WARNING || s == SEVERITY_FILE);
                CHECK(severity_name(s) != NULL);
        }

        struct ruletest_result *results = calloc(n ? n : 1, sizeof(*results));
        if (!results)
                abort();
        struct diaglist failures = {0};
        int r = ruletest_run(rs, results, &failures);
        check_diags(&failures, false);
        CHECK(r >= 0 || r == -ENOMEM);
        if (r >= 0) {
                /* One failure diagnostic per failed expectation: the examples' and maybe
                 * one for an unclean example_base. */
                CHECK((size_t) r == failures.n + failures.dropped);
                unsigned long sum = 0;
                for (unsigned i = 0; i < n; i++) {
                        CHECK(results[i].failed <= results[i].examples);
                        CHECK(results[i].examples == rs->rules[i].nexamples);
                        sum += results[i].failed;
                }
                CHECK(sum <= (unsigned long) r && (unsigned long) r <= sum + 1);
        }
        diaglist_done(&failures);
        free(results);
        ruleset_free(rs);
        return 0;
}
