/*
 * The checker: applies a compiled rule pack to the records of one file, as the reader
 * delivers them, and reports every finding through a callback. Per-record findings are
 * reported while the record is at hand; findings that need the whole file (overlaps,
 * shares, a missing header) come from checker_finish(). It keeps only what cross-record
 * rules must remember: a 16-byte fingerprint per key, and one entry per record that takes
 * part in an overlap rule.
 */
#ifndef PLAUSID_CHECKER_H
#define PLAUSID_CHECKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "ruleset.h"
#include "util.h"

struct finding {
        unsigned long line;     /* line the record starts on; 0 for the file as a whole */
        const char *key;        /* the record's key fields joined by '-', "" for the file */
        unsigned rule;          /* index of the rule in the pack */
        const char *rule_id;
        enum severity severity;
        const char *field;      /* canonical name of the field concerned, or "" */
        const char *value;      /* that field's value as read, or "" */
        const char *message;    /* German, with the values filled in */
};

/* A negative return stops checking and is passed back by the checker call. */
typedef int (*checker_finding_fn)(void *userdata, const struct finding *f);

struct checker_stats {
        unsigned long records;  /* data records read (the header not counted) */
        unsigned long rejected; /* records with at least one error finding */
        unsigned long warned;   /* records with warnings only */
        bool file_rejected;     /* a finding of severity "file" */
        unsigned long *per_rule;        /* findings per rule index */
};

struct checker;

/* The state of one field of a record after decoding. */
enum field_state {
        FV_EMPTY,
        FV_OK,
        FV_INVALID,
};

/* One decoded field. Public because the loader turns a million of them into COPY rows per
 * load (table_values()): an accessor call per field would show. */
struct field_value {
        uint8_t state;
        int64_t i;              /* month, date (days), integer, code index, or digits as a number */
        const char *s;          /* text after normalisation (restored zeros; a code as listed;
                                 * a decimal as "23.4") */
        uint32_t len;
        const char *raw;        /* as read */
};

/* One data record after all its per-record rules ran, for a consumer that stores records
 * (the loader). Valid only during the callback. Rules decided at the end of the file
 * (overlaps) may still reject a record that was reported here as not rejected; their
 * findings come from checker_finish(). */
struct checked_record {
        unsigned long line;
        bool rejected;          /* an error finding: the record is not to be stored */
        bool warned;            /* warnings only */
        bool late;              /* rejected at the end of the file (checker_on_late_record()) */
        const char *raw;        /* the record's text (UTF-8), for the error log */
        size_t raw_len;
        const struct field_value *values;       /* decoded fields, for table_values(); NULL when late */
};
typedef int (*checker_record_fn)(void *userdata, const struct checked_record *r);

_must_check_ int checker_new(const struct ruleset *rs, checker_finding_fn fn, void *userdata, struct checker **ret);
void checker_free(struct checker *c);
DEFINE_CLEANUP_FUNC(struct checker, checker_free)

/* One field's value in a checked record (field index of the pack): the normalised value
 * when it is valid, the text as read when it is not, NULL when it is empty; *ret_len is
 * its length. For consumers that group records by a field, such as the HTML report's
 * Sozialraum counts. */
const char *checker_record_value(const struct checked_record *r, unsigned field, size_t *ret_len);

/* Asks for every checked data record (not the header, not records after the file was
 * rejected as a whole). */
void checker_on_record(struct checker *c, checker_record_fn fn, void *userdata);

/*
 * Asks for the records that a rule decided at the end of the file (an overlap of severity
 * error) rejected after checker_on_record()'s callback had already seen them as not
 * rejected -- a consumer that stored them must take them back. Opt-in, because it costs a
 * second read of the input: checker_check_fd(), after checker_finish(), reads exactly
 * those records again (reader_read_lines(), so fd must be seekable) and calls fn once per
 * record, in line order, with a checked_record whose late and rejected are set, raw and
 * raw_len hold its text and values is NULL (the decoded fields are long gone). A record
 * is delivered once even when several rules reject it, and never when its record callback
 * saw it rejected already. Only checker_check_fd() delivers: a caller who feeds records
 * with checker_record() gets nothing here.
 */
void checker_on_late_record(struct checker *c, checker_record_fn fn, void *userdata);

/*
 * After checker_finish(): the intervals the overlap rules of severity error kept of the
 * records they did not reject, one call of fn each (valid during the call), for a
 * consumer that checks them against intervals kept from other files (the loader, across
 * the parts of a unit-year: store/parts.c). begin and end are months (or days, date)
 * as the rule computed them; running is the rule's running condition.
 */
struct checker_interval {
        unsigned rule;
        unsigned long line;
        const char *group;
        int32_t begin, end;
        bool running;
        bool date;              /* begin and end are days, not months */
};
typedef int (*checker_interval_fn)(void *userdata, const struct checker_interval *iv);
_must_check_ int checker_each_interval(struct checker *c, checker_interval_fn fn, void *userdata);

/* Feeds one record; the first one fed is the header. Matches reader_record_fn. */
_must_check_ int checker_record(void *checker, const struct reader_record *rec);
/* The reader gave up (-EBADMSG): reports the file as unreadable. */
_must_check_ int checker_unreadable(struct checker *c, unsigned long line, const char *reason);
/* End of file: reports overlaps, shares and a missing header. Call once. */
_must_check_ int checker_finish(struct checker *c);

/*
 * The whole file in one call: reads fd with a reader of the given options, checks every
 * record, reports an unreadable file as a finding, finishes, and delivers late records
 * (checker_on_late_record()). Returns 0 or a negative errno (from reading or from a
 * callback). ret_encoding, if not NULL, gets the
 * encoding the input turned out to have.
 */
_must_check_ int checker_check_fd(struct checker *c, int fd, const struct reader_options *opts,
                                  enum reader_encoding *ret_encoding);

/* The format a file is read in: as the source's configuration fixes it, or (AUTO) from
 * the file's first line -- CSV when it is a header naming one of the pack's columns. */
enum checker_format {
        CHECKER_FORMAT_AUTO,
        CHECKER_FORMAT_CSV,
        CHECKER_FORMAT_FIXED,
};

/* Whether the pack reads files of format f (AUTO: any it reads). */
bool checker_reads(const struct ruleset *rs, enum checker_format f);

/* What the caller knows of a file beyond its bytes. */
struct checker_input {
        const char *name;               /* base name: a fixed-width file's Berichtsjahr is in it */
        enum checker_format format;
        int berichtsjahr;               /* > 0: a fixed-width file's Berichtsjahr, not from the name */
        const char *year_pattern;       /* the source's pattern for the name; NULL: the pack's */
        bool threads;                   /* parse in a second thread */
};

/* What the file turned out to be. */
struct checker_file {
        enum reader_format format;
        enum reader_encoding encoding;
        int berichtsjahr;               /* fixed-width: the year its records got; else 0 */
};

/*
 * checker_check_fd() for a file of a pack's data set: picks the format, for a fixed-width
 * file its Berichtsjahr (given, or from the name) and the layout of that year. A
 * fixed-width file whose year cannot be found is the pack's delivery_year finding (S07),
 * one of a year no layout holds is unreadable (S05): rejected as a whole, unread.
 * -EINVAL: the pack does not read the format asked for.
 */
_must_check_ int checker_check_file(struct checker *c, int fd, const struct checker_input *in,
                                    struct checker_file *ret);

/* Whether pattern can find a Berichtsjahr in a file name: a shell pattern (fnmatch(3))
 * holding YYYY once, e.g. jgh_YYYY.txt or *YYYY*. 0, or -EINVAL with the reason in why. */
_must_check_ int checker_year_pattern_check(const char *pattern, char *why, size_t size);
/* The Berichtsjahr in a file name: the first four-digit number (not part of a longer one)
 * where the name matches the pattern with YYYY standing for it. 0, -ENOENT when there is
 * none, -EINVAL for a bad pattern. */
_must_check_ int checker_year_from_name(const char *pattern, const char *name, int *ret_year);

/* Reports a finding about the file as a whole (line 0) that was decided outside the
 * checker, such as a comparison with earlier deliveries (store/previous_year.c); ctx
 * holds the message's placeholders, indexed by enum message_ctx. It counts in the
 * statistics. */
_must_check_ int checker_emit(struct checker *c, unsigned rule, const char *key, const char *value,
                              const char *const *ctx);

const struct checker_stats *checker_stats(const struct checker *c);
/* Whether the file being checked is read as a fixed-width record (checker_check_file()). */
bool checker_fixed_width(const struct checker *c);
/* Columns of the header that no field claims, comma-separated, or NULL. */
const char *checker_unknown_columns(const struct checker *c);

#endif
