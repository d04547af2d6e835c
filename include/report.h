/*
 * Reports for people: the findings CSV that controllers open in Excel. UTF-8 with a
 * byte-order mark (so Excel detects the encoding on a double-click), ';' as delimiter, CRLF
 * line ends, header file;line;key;rule;severity;field;value;message.
 */
#ifndef PLAUSID_REPORT_H
#define PLAUSID_REPORT_H

#include <stdio.h>

#include "checker.h"
#include "util.h"

/* Writes the byte-order mark and the header line. */
_must_check_ int report_csv_begin(FILE *out);
/* Writes one finding of the named input file. */
_must_check_ int report_csv_finding(FILE *out, const char *file, const struct finding *f);

#endif
