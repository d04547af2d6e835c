/*
 * Private to daemon/report/: what the delivery report and the overview share -- text as
 * HTML, German numbers and times, table cells, the document's head with its style sheet
 * and its foot, and the file a page is written to.
 *
 * The writing functions write to a stdio stream and leave errors to ferror(); the caller
 * checks once at the end (html_write_file does that for a whole page).
 */
#ifndef PLAUSID_REPORT_HTML_H
#define PLAUSID_REPORT_HTML_H

#include <stdio.h>
#include <time.h>

#include "util.h"

/* Text as HTML: & < > " ' escaped, control characters other than tab and line feed
 * replaced by U+FFFD (a carriage return is dropped), so that no value becomes markup.
 * NULL writes nothing. */
void html_escape(FILE *o, const char *s);
/* A count with German thousands separators: 1.234.567. */
void html_num(FILE *o, unsigned long n);
/* part of whole as a German percentage with one decimal ("14,0 %"), "–" when whole is 0. */
void html_pct(FILE *o, unsigned long part, unsigned long whole);
/* A local time in a strftime format; "–" for a time that has none. */
void html_strftime(FILE *o, time_t t, const char *fmt);
/* A local time as "05.03.2025, 14:07 Uhr". */
void html_time(FILE *o, time_t t);

/* Table cells: <td class="n">1.234</td>, the same with a percentage, and escaped text in
 * a <td> of class cls (NULL: none). */
void html_td_num(FILE *o, unsigned long n);
void html_td_pct(FILE *o, unsigned long part, unsigned long whole);
void html_td_text(FILE *o, const char *cls, const char *s);
/* A table up to its body, with the header cells given as markup; and its end. */
void html_table_begin(FILE *o, const char *header_cells);
void html_table_end(FILE *o);

/* The document up to <body>: the title is prefix and the escaped subject; the style sheet
 * (screen and print) inline, as nothing may be fetched. */
void html_begin(FILE *o, const char *prefix, const char *subject);
/* The end of <main>, the closing remark on personal data, and the end of the document. */
void html_end(FILE *o, time_t now);

/* A page that render() writes to a stream, as the file path: mode 0640, group gid (-1:
 * the process's), whole or not at all (atomicfile.h). render returns 0 or a negative
 * errno; a stream error is -EIO. */
_must_check_ int html_write_file(const char *path, int gid, int (*render)(FILE *o, void *userdata),
                                 void *userdata);

#endif
