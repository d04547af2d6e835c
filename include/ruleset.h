/*
 * Rule packs: compile a YAML rule pack into an immutable, compact form. Column names are
 * resolved to indices, code lists to sorted lookup tables, expressions to byte code. A pack
 * that has errors yields every error as a diagnostic and no ruleset; a ruleset is only ever
 * handed out complete, so a caller can swap it in safely.
 */
#ifndef PLAUSID_RULESET_H
#define PLAUSID_RULESET_H

#include <stddef.h>

#include "diag.h"
#include "reader.h"
#include "util.h"

enum severity {
        SEVERITY_ERROR,         /* the record is rejected */
        SEVERITY_WARNING,       /* the record is loaded, the finding listed */
        SEVERITY_FILE,          /* the whole delivery is rejected */
};

struct ruleset;

/* Limits a pack must stay within; exceeding one is a compile error that names it. */
#define RULESET_MAX_RULES 1000
#define RULESET_MAX_FIELDS 500
#define RULESET_MAX_CODES 5000
#define RULESET_MAX_EXPR_BYTES 4096
#define RULESET_MAX_EXPR_DEPTH 48
#define RULESET_MAX_FILE_BYTES (8u * 1024u * 1024u)

_must_check_ int ruleset_compile_file(const char *path, struct ruleset **ret, struct diaglist *diags);
/* Compiles from memory; name is used in diagnostics. */
_must_check_ int ruleset_compile_buffer(const char *name, const char *data, size_t len,
                                        struct ruleset **ret, struct diaglist *diags);
void ruleset_free(struct ruleset *rs);
DEFINE_CLEANUP_FUNC(struct ruleset, ruleset_free)

const char *ruleset_name(const struct ruleset *rs);
const char *ruleset_version(const struct ruleset *rs);
const struct reader_options *ruleset_input(const struct ruleset *rs);

unsigned ruleset_rule_count(const struct ruleset *rs);
const char *ruleset_rule_id(const struct ruleset *rs, unsigned rule);
const char *ruleset_rule_title(const struct ruleset *rs, unsigned rule);
enum severity ruleset_rule_severity(const struct ruleset *rs, unsigned rule);
/* Rules checked against earlier deliveries (previous_year): only plausid load runs them. */
bool ruleset_rule_needs_database(const struct ruleset *rs, unsigned rule);
const char *severity_name(enum severity s);
/* The pack's fields: canonical name and German label; -1 from find when there is none. */
unsigned ruleset_field_count(const struct ruleset *rs);
const char *ruleset_field_name(const struct ruleset *rs, unsigned field);
const char *ruleset_field_label(const struct ruleset *rs, unsigned field);
int ruleset_field_find(const struct ruleset *rs, const char *name);
/* The fields of the record key (joined with '-' in findings) and of the reporting unit
 * (the delivery section; none without one), as field indices. */
const unsigned *ruleset_key(const struct ruleset *rs, unsigned *ret_n);
const unsigned *ruleset_delivery_unit(const struct ruleset *rs, unsigned *ret_n);
/* The field a delivery report counts records and findings by (the pack's report: group),
 * or -1 when the pack names none. */
int ruleset_report_group(const struct ruleset *rs);


#endif
