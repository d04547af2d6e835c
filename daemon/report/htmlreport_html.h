/*
 * Private to the HTML reports (htmlreport.c, htmlreport_db.c): the pieces of markup both
 * the delivery report and the overview use. Every function writes to a stdio stream and
 * leaves errors to ferror(); the caller checks once at the end.
 */
#ifndef PLAUSID_HTMLREPORT_HTML_H
#define PLAUSID_HTMLREPORT_HTML_H

#include <stdio.h>
#include <time.h>

/* Text as HTML: & < > " ' escaped, control characters other than tab and line feed
 * replaced by U+FFFD (a carriage return is dropped), so that no value becomes markup. */
void html_escape(FILE *o, const char *s);
/* A count with German thousands separators: 1.234.567. */
void html_num(FILE *o, unsigned long n);
/* part of whole as a German percentage with one decimal ("14,0 %"), "–" when whole is 0. */
void html_pct(FILE *o, unsigned long part, unsigned long whole);
/* A local time as "05.03.2025, 14:07 Uhr". */
void html_time(FILE *o, time_t t);
/* The style sheet (screen and print), as a <style> element. */
void html_style(FILE *o);
/* The closing remark on personal data, and the end of the document. */
void html_footer(FILE *o, time_t now);

#endif
