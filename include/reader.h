/*
 * The reader: turns an export file into records of UTF-8 fields, streaming, with the
 * physical line on which each record starts. It knows nothing of rules or columns' meaning;
 * the first record it delivers is the header. It reads delimited text (libcsv) and the
 * official fixed-width record, whose layout the caller gives (the rule pack declares it):
 * for that format the header is made from the layout's names, so that both formats arrive
 * as the same records.
 */
#ifndef PLAUSID_READER_H
#define PLAUSID_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum reader_encoding {
        READER_ENCODING_AUTO,           /* valid UTF-8 is UTF-8, anything else Windows-1252 */
        READER_ENCODING_UTF8,
        READER_ENCODING_WINDOWS_1252,
        READER_ENCODING_ISO_8859_15,
        READER_ENCODING_ISO_8859_1,     /* Latin-1, the official record's encoding */
};

enum reader_format {
        READER_FORMAT_CSV,
        READER_FORMAT_FIXED,
};

/* How a field of a fixed-width record is found. Offsets are 0-based, in bytes (the
 * format's encodings have one byte per character). */
enum reader_piece {
        READER_PIECE_TEXT,              /* the characters at offset, width */
        READER_PIECE_MONTH_YEAR,        /* month at offset, year at year_offset: joined "MM.YYYY" */
        READER_PIECE_DELIVERY_YEAR,     /* not in the record: the delivery's Berichtsjahr */
};

struct reader_fixed_field {
        enum reader_piece piece;
        unsigned offset, width;
        unsigned year_offset, year_width;
};

struct reader_layout {
        unsigned record_length;         /* a longer line is a defect; a shorter one is padded */
        unsigned type_offset, type_width;
        const char *type_value;         /* the record type every record must have */
        size_t nfields;
        const char *const *names;       /* the header the reader makes: one name per field */
        const struct reader_fixed_field *fields;
};

struct reader_options {
        enum reader_format format;
        char delimiter;                 /* CSV: field delimiter, usually ';' */
        enum reader_encoding encoding;  /* fixed-width: a single-byte one (AUTO: ISO-8859-1) */
        const struct reader_layout *layout;     /* fixed-width: the layout of the file's year */
        const char *delivery_year;      /* fixed-width: the value of READER_PIECE_DELIVERY_YEAR */
        size_t max_record_bytes;        /* 0: READER_DEFAULT_MAX_RECORD */
        bool threads;                   /* parse in a second thread; the callback still runs in the caller's */
};

#define READER_DEFAULT_MAX_RECORD (1024u * 1024u)

struct reader_record {
        unsigned long line;             /* physical line where the record starts; header = 1 */
        size_t nfields;
        /* nfields UTF-8 strings, NUL-terminated, trimmed: field i is at text + field_off[i],
         * field_len[i] bytes (reader_field(), reader_field_len()). Offsets, not pointers:
         * the parser thread writes them, and pointers would be made per field per record. */
        const char *text;
        const uint32_t *field_off, *field_len;
        const char *raw;                /* the record's text in UTF-8, without final line end */
        size_t raw_len;
        bool bad_encoding;              /* bytes invalid in the encoding (or, fixed-width, control
                                         * characters) were replaced by U+FFFD */
        enum reader_defect {
                READER_RECORD_OK,
                READER_RECORD_TOO_LONG,         /* fixed-width: longer than the record length */
                READER_RECORD_WRONG_TYPE,       /* fixed-width: not the layout's record type */
        } defect;                       /* with a defect, the record has no fields */
        size_t length;                  /* fixed-width: the line's length in characters */
        const char *record_type;        /* fixed-width: the record type found, trimmed */
};

static inline const char *reader_field(const struct reader_record *rec, size_t i) {
        return rec->text + rec->field_off[i];
}

static inline size_t reader_field_len(const struct reader_record *rec, size_t i) {
        return rec->field_len[i];
}

/* Called once per record, the header first; a negative return stops reading and is
 * returned by reader_read(). */
typedef int (*reader_record_fn)(void *userdata, const struct reader_record *rec);

struct reader;

/* Reads from fd, which stays owned by the caller. */
_must_check_ int reader_new(int fd, const struct reader_options *opts, struct reader **ret);
void reader_free(struct reader *r);
DEFINE_CLEANUP_FUNC(struct reader, reader_free)

/*
 * Reads to the end, calling fn per record. Returns 0 at the end of the input, a negative
 * errno from read(2) or from fn, or -EBADMSG when the input cannot be read as records (a
 * record longer than the limit, a quote never closed); then reader_error() says where and
 * why.
 */
_must_check_ int reader_read(struct reader *r, reader_record_fn fn, void *userdata);

/*
 * Reads fd again from its start (one thread) and calls fn only for the records that start
 * on the given lines (sorted ascending), stopping after the last: the second pass that
 * fetches the text of records rejected by a rule decided at the end of the file. Returns 0,
 * or a negative errno from reading or from fn; an input that cannot be read to those lines
 * (-EBADMSG) is not an error here, as the first pass reported it.
 */
_must_check_ int reader_read_lines(int fd, const struct reader_options *opts, const unsigned long *lines, size_t n,
                                   reader_record_fn fn, void *userdata);

/* The bytes at [off, off + width) of a fixed-width line of n bytes, blanks cut on both
 * sides; positions past the line's end are blanks (senders strip trailing ones). The cut
 * the reader makes of every field, for a writer of the format that compares with it. */
void reader_fixed_slice(const char *line, size_t n, unsigned off, unsigned width, const char **ret,
                        size_t *ret_len);

/* Where and why reading failed with -EBADMSG: the line the bad record starts on and a
 * German phrase without final stop, to be set into a sentence. */
void reader_error(const struct reader *r, unsigned long *ret_line, const char **ret_reason);

/* The encoding that was used: for AUTO, what the input turned out to be. */
enum reader_encoding reader_encoding_used(const struct reader *r);
const char *reader_encoding_name(enum reader_encoding e);
/* Parses "auto", "utf-8", "windows-1252", "iso-8859-15"; -EINVAL for anything else. */
_must_check_ int reader_encoding_from_name(const char *name, enum reader_encoding *ret);

#endif
