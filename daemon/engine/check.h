/*
 * Private to the checker, which is split by concern:
 *
 *   checker.c      the API and the flow of one record: decode, run the rules, hand it on;
 *                  the end of the file, and records rejected there (checker_on_late_record)
 *   decode.c       the header (columns to fields) and decoding a record's fields
 *   crossrecord.c  rules across records: unique keys (a hash set) and overlaps (a sweep)
 *   findings.c     a finding's key and message, formatted into reused buffers
 *
 * Everything per record works on struct checker's preallocated arrays; nothing here
 * allocates on the clean path.
 */
#ifndef PLAUSID_ENGINE_CHECK_H
#define PLAUSID_ENGINE_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <xxhash.h>

#include "checker.h"
#include "pack.h"
#include "strbuf.h"

/* One key fingerprint in a unique rule's table: 96 bits of the 128-bit hash plus the line
 * of the first occurrence. A false match needs a 96-bit collision, about 10^-17 for a
 * million keys; line 0 marks a free slot since data records start on line 2 or later. */
struct key_slot {
        uint64_t hash_hi;
        uint32_t hash_lo;
        uint32_t line;
};

struct key_table {
        struct key_slot *slots;
        size_t cap, used;       /* cap is a power of two */
};


struct interval {
        uint64_t group_hi, group_lo;
        int32_t begin, end;
        uint32_t line;
        uint32_t seq;           /* order in the file */
        uint32_t text;          /* offset of "key\0group\0" in the overlap text buffer */
        bool had_error, had_warning;
        bool running;           /* the rule's running: true -- {span} says "seit ..., andauernd" */
        bool hit;               /* already reported by the sweep */
};

struct overlap_state {
        struct interval *items;
        size_t n, cap;          /* grown with ARRAY_GROW */
        struct strbuf text;
};

struct checker {
        const struct ruleset *rs;
        checker_finding_fn fn;
        void *userdata;
        checker_record_fn record_fn;
        void *record_userdata;
        checker_record_fn late_fn;      /* checker_on_late_record() */
        void *late_userdata;
        unsigned long *late;            /* lines rejected at the end of the file after record_fn ran */
        size_t nlate, late_cap;

        const struct reader_layout *layout;     /* a fixed-width file's, NULL for CSV */
        bool header_seen;
        bool stop;              /* file rejected: later records are only counted */
        size_t ncolumns;
        int *column;            /* per field: its column in the file, -1 when absent */
        char *unknown_columns;

        struct field_value *vals;       /* per field, for the current record */
        unsigned epoch;                 /* the current record's epoch of Berichtsjahre */
        const struct field *fields;     /* its fields: rs->epochs[epoch].fields */
        char (*restored)[24];           /* per field: a digits value with its zeros restored, a
                                         * decimal's canonical text; 24 is enough, digits fields
                                         * have at most 18 (fields.c), decimals 20 (decode.c) */
        const char **expected;          /* per field: what a valid value looks like (German) */
        const struct reader_record *rec;
        bool rec_error, rec_warning;
        bool rec_empty_required, rec_bad_code, rec_bad_format; /* set by decode() for the builtins */
        bool key_ready;
        struct strbuf key, message, value;
        struct strbuf first_value;      /* same_as_first: the value of the first record */
        int64_t first_i;                /* ... and its number (a month or a day) */
        bool first_seen;

        unsigned long *alias_count;     /* per field: values read as empty (empty_alias) */
        unsigned long *share_count;     /* per rule */
        unsigned long share_total;
        struct key_table *tables;       /* per rule */
        XXH128_hash_t *unique_hash;     /* per rule: the current record's key hash */
        uint64_t *verdicts;             /* per rule: a record rule fired on the current record */
        unsigned *unique_rules;         /* the unique rules, in pack order */
        unsigned nunique_rules;
        unsigned *quiet_rules;          /* the rules that act on a clean record (checker.c), in
                                         * pack order */
        unsigned nquiet_rules;
        struct overlap_state *overlaps; /* per rule */
        uint32_t seq;

        struct checker_stats stats;
};

/* A month or a day: its value is the number decoding made of it, the text is as written. */
static inline bool field_is_calendar(const struct field *fd) {
        return fd->type == FIELD_MONTH || fd->type == FIELD_DATE;
}

/* decode.c */
/* The field a header column names (name or alias, any case), or -1. */
int column_field(const struct ruleset *rs, const char *name);
/* The header record: which column holds which field; missing and doubled columns. */
_must_check_ int checker_header(struct checker *c, const struct reader_record *rec);
/* Decodes every field of rec into c->vals and sets c->rec_empty_required and friends. */
void checker_decode(struct checker *c, const struct reader_record *rec);

/* checker.c */
/* Rejects the file as a whole with the builtin's finding (reason for its {reason}). */
_must_check_ int checker_reject_file(struct checker *c, enum builtin b, unsigned long line, const char *reason);

/* crossrecord.c */
void key_table_free(struct key_table *t);
/* Sizes the unique rules' tables for a file of this many bytes. */
void presize_key_tables(struct checker *c, off_t bytes);
_must_check_ int prepare_unique(struct checker *c, unsigned ri);
_must_check_ int check_unique(struct checker *c, unsigned ri);
/* Remembers the record's interval for an overlap rule; *ret_index the entry or -1. */
_must_check_ int collect_interval(struct checker *c, unsigned ri, ssize_t *ret_index);
_must_check_ int finish_overlap(struct checker *c, unsigned ri);

/* findings.c */
/* What a valid value of field f looks like, in German, for format findings; malloc'd. */
char *expected_text(const struct ruleset *rs, unsigned f);
/* A decimal (value * RULESET_DECIMAL_SCALE) with the given decimal point, without
 * trailing zeros: messages use ','. */
_must_check_ int put_decimal(struct strbuf *b, int64_t v, char point);
/* Months and dates as the messages show them: MM.YYYY, DD.MM.YYYY. */
_must_check_ int put_month(struct strbuf *b, int64_t m);
_must_check_ int put_date(struct strbuf *b, int64_t days);
/* Reports one finding. line 0 = about the file; field -1 = no field; value and key NULL:
 * taken from the current record. */
_must_check_ int checker_report(struct checker *c, unsigned rule, unsigned long line, int field, const char *value,
                                const char *const *ctx, const char *key);
/* The current record's key into c->key (once per record). */
_must_check_ int build_key(struct checker *c);

#endif
