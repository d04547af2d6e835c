/*
 * The findings CSV. Fields are quoted when they hold the delimiter, a quote or a line
 * break. Values come from the exports, which are typed by people: a value that Excel would
 * run as a formula (starting with =, @, a tab or carriage return, or with + or - and not a
 * number: "-2+3+cmd|' /C calc'!A0", but not "-3") gets a leading apostrophe, as OWASP
 * recommends against CSV injection; Excel then shows it as text. The cells are written as
 * the views' CSV writes its text cells (table_csv_text), so the two cannot differ.
 */
#include <errno.h>
#include <string.h>

#include "report.h"
#include "table_csv.h"

int report_csv_begin(FILE *out) {
        if (fputs("\xEF\xBB\xBF" "file;line;key;rule;severity;field;value;message\r\n", out) == EOF)
                return -EIO;
        return 0;
}

int report_csv_finding(FILE *out, const char *file, const struct finding *f) {
        char line[sizeof("18446744073709551615")];     /* any unsigned long of 64 bits: never cut */
        _Static_assert(sizeof(unsigned long) <= 8, "line[] holds 64 bits");
        snprintf(line, sizeof(line), "%lu", f->line);
        const char *cols[] = {file, line, f->key, f->rule_id, severity_name(f->severity), f->field, f->value,
                              f->message};
        for (size_t i = 0; i < ELEMENTSOF(cols); i++) {
                if (i > 0 && fputc(';', out) == EOF)
                        return -EIO;
                int e = table_csv_text(out, cols[i]);
                if (e < 0)
                        return e;
        }
        return fputs("\r\n", out) == EOF ? -EIO : 0;
}
