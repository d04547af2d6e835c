#ifndef PLAUSID_ESCAPE_H
#define PLAUSID_ESCAPE_H

#include <stdbool.h>

/*
 * A text from outside -- a file name from whoever writes into a drop directory, a value of
 * an export -- made harmless to a terminal, a log and PostgreSQL: every control character
 * (C0, DEL, C1) and every byte that is not valid UTF-8 becomes \xNN, a backslash \\;
 * valid UTF-8 stays as it is. one_line: line breaks, tabs and blanks become one blank each
 * run, none at the ends (instead of \x0a). Returns a new string, NULL when out of memory.
 */
char *text_escape(const char *s, bool one_line);

#endif
