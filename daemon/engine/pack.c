/*
 * Reading a compiled pack: the public accessors of ruleset.h, which are all that code
 * outside the engine sees of a pack, and the code look-up the checker runs per field.
 */
#include <string.h>

#include "pack.h"

/* Inline: the checker decodes every code field of every record through here. */
static inline uint64_t pack_code(const char *s, size_t len) {
        uint64_t k = 0;
        for (size_t i = 0; i < 8; i++)
                k = (k << 8) | (i < len ? (unsigned char) s[i] : 0);
        return k;
}

int codelist_search(const struct codelist *cl, const char *s, size_t len) {
        char padded[8];         /* a padded code is common_len long, and codes are at most 8 */
        if (len == 0 || len > 8)
                return -1;
        /* A dropped leading zero ("7" for "07") is restored when every code of the list has
         * the same length and is made of digits. Whether a field accepts that is the
         * caller's decision; literals in rules always get it. */
        if (cl->common_len && len < cl->common_len && cl->all_digits) {
                size_t pad = cl->common_len - len;
                for (size_t i = 0; i < len; i++)
                        if (s[i] < '0' || s[i] > '9')
                                return -1;
                memset(padded, '0', pad);
                memcpy(padded + pad, s, len);
                s = padded;
                len = cl->common_len;
        }
        uint64_t key = pack_code(s, len);
        unsigned lo = 0, hi = cl->n;
        while (lo < hi) {
                unsigned mid = (lo + hi) / 2;
                if (cl->keys[mid] < key)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo >= cl->n || cl->keys[lo] != key)
                return -1;
        /* An epoch's copy of the list (epochs.c): the code may not hold in its years. The
         * direct table above has that built in. */
        return !cl->valid || cl->valid[lo] ? (int) lo : -1;
}

const char *ruleset_name(const struct ruleset *rs) {
        return rs->name;
}

const char *ruleset_version(const struct ruleset *rs) {
        return rs->version;
}

const struct reader_options *ruleset_input(const struct ruleset *rs) {
        return &rs->input.csv_options;
}

bool ruleset_rule_fixed_only(const struct ruleset *rs, unsigned rule) {
        const struct rule *r = &rs->rules[rule];
        return r->kind == RULE_BUILTIN && (r->builtin == BUILTIN_RECORD_TYPE || r->builtin == BUILTIN_DELIVERY_YEAR);
}

const struct reader_layout *ruleset_fixed_layout(const struct ruleset *rs, int year) {
        for (unsigned i = 0; i < rs->input.nlayouts; i++)
                if (year >= rs->input.layouts[i].years.from && year <= rs->input.layouts[i].years.to)
                        return &rs->input.layouts[i].reader;
        return NULL;
}

enum reader_encoding ruleset_fixed_encoding(const struct ruleset *rs) {
        return rs->input.fixed_encoding;
}

unsigned ruleset_rule_count(const struct ruleset *rs) {
        return rs->nrules;
}

const char *ruleset_rule_id(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].id;
}

const char *ruleset_rule_title(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].title;
}

enum severity ruleset_rule_severity(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].severity;
}

bool ruleset_rule_needs_database(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].kind == RULE_PREVIOUS_YEAR || rs->rules[rule].kind == RULE_LINKED;
}

enum ruleset_parts_kind ruleset_rule_parts_kind(const struct ruleset *rs, unsigned rule) {
        const struct rule *r = &rs->rules[rule];
        if (r->severity != SEVERITY_ERROR || ruleset_delivery_part(rs) < 0)
                return RULESET_PARTS_NONE;
        if (r->kind == RULE_OVERLAP)
                return RULESET_PARTS_OVERLAP;
        if (r->kind != RULE_UNIQUE || r->nunique != rs->nkey)
                return RULESET_PARTS_NONE;
        for (unsigned i = 0; i < r->nunique; i++) {
                bool found = false;
                for (unsigned k = 0; k < rs->nkey && !found; k++)
                        found = r->unique[i] == rs->key[k];
                if (!found)
                        return RULESET_PARTS_NONE;
        }
        return RULESET_PARTS_KEY;
}

const char *ruleset_rule_message_text(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].message_text ? rs->rules[rule].message_text : "";
}

unsigned ruleset_field_count(const struct ruleset *rs) {
        return rs->nfields;
}

const char *ruleset_field_name(const struct ruleset *rs, unsigned field) {
        return rs->fields[field].name;
}

const char *ruleset_field_label(const struct ruleset *rs, unsigned field) {
        return rs->fields[field].label;
}

int ruleset_field_find(const struct ruleset *rs, const char *name) {
        for (unsigned i = 0; i < rs->nfields; i++)
                if (strcmp(rs->fields[i].name, name) == 0)
                        return (int) i;
        return -1;
}

const unsigned *ruleset_key(const struct ruleset *rs, unsigned *ret_n) {
        *ret_n = rs->nkey;
        return rs->key;
}

int ruleset_report_group(const struct ruleset *rs) {
        return rs->report_group;
}

const unsigned *ruleset_delivery_unit(const struct ruleset *rs, unsigned *ret_n) {
        *ret_n = rs->has_delivery ? rs->nunit : 0;
        return rs->unit;
}

int ruleset_year_field(const struct ruleset *rs) {
        return rs->year_field;
}

int ruleset_delivery_part(const struct ruleset *rs) {
        return rs->has_delivery ? rs->part_field : -1;
}

enum field_type ruleset_field_type(const struct ruleset *rs, unsigned field) {
        return rs->fields[field].type;
}

int ruleset_rule_field(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].field;
}

unsigned ruleset_codelist_count(const struct ruleset *rs) {
        return rs->ncodelists;
}

int ruleset_field_codelist(const struct ruleset *rs, unsigned field) {
        const struct codelist *cl = rs->fields[field].codes;
        return cl ? (int) (cl - rs->codelists) : -1;
}

const char *ruleset_codelist_name(const struct ruleset *rs, unsigned list) {
        return rs->codelists[list].name;
}

const char *const *ruleset_codelist_codes(const struct ruleset *rs, unsigned list, unsigned *ret_n) {
        *ret_n = rs->codelists[list].n;
        return rs->codelists[list].codes;
}

const char *const *ruleset_codelist_labels(const struct ruleset *rs, unsigned list, unsigned *ret_n) {
        *ret_n = rs->codelists[list].n;
        return rs->codelists[list].labels;
}

unsigned ruleset_hierarchy_count(const struct ruleset *rs) {
        return rs->nhierarchies;
}

const char *ruleset_hierarchy_name(const struct ruleset *rs, unsigned h) {
        return rs->hierarchies[h].name;
}

unsigned ruleset_hierarchy_field(const struct ruleset *rs, unsigned h) {
        return rs->hierarchies[h].field;
}

const char *const *ruleset_hierarchy_levels(const struct ruleset *rs, unsigned h, unsigned *ret_n) {
        *ret_n = rs->hierarchies[h].nlevels;
        return rs->hierarchies[h].levels;
}

const char *const *ruleset_level_values(const struct ruleset *rs, unsigned h, unsigned level, unsigned *ret_n) {
        *ret_n = rs->hierarchies[h].nvalues[level];
        return rs->hierarchies[h].values[level];
}

const struct level_choice *ruleset_level_choice(const struct ruleset *rs, unsigned h, unsigned code, unsigned level) {
        const struct hierarchy *hy = &rs->hierarchies[h];
        return &hy->choices[(size_t) code * hy->nlevels + level];
}

const struct previous_year_rule *ruleset_rule_previous_year(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].kind == RULE_PREVIOUS_YEAR ? &rs->rules[rule].previous : NULL;
}

const struct linked_rule *ruleset_rule_linked(const struct ruleset *rs, unsigned rule) {
        return rs->rules[rule].kind == RULE_LINKED ? &rs->rules[rule].linked : NULL;
}

const char *severity_name(enum severity s) {
        switch (s) {
        case SEVERITY_ERROR: return "error";
        case SEVERITY_WARNING: return "warning";
        case SEVERITY_FILE: return "file";
        }
        return "?";
}


