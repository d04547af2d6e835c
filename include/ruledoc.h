/*
 * The rule catalogue of a pack as a Markdown document (docs/<pack>-katalog.md). It is
 * written from the pack itself: the compiled rules (id, severity, field, examples) and
 * the pack's text (conditions and messages as written, and the comments above each rule,
 * where the sources and the choices are). The test suite compares the committed document
 * with what this writes, so document and pack cannot drift apart.
 */
#ifndef PLAUSID_RULEDOC_H
#define PLAUSID_RULEDOC_H

#include <stdio.h>

#include "diag.h"
#include "ruleset.h"
#include "util.h"

/*
 * Writes the catalogue of rs, compiled from the file at path, to out. Returns 0, or a
 * negative errno (the file cannot be read again or no longer parses: reported in diags).
 */
_must_check_ int ruledoc_write(const struct ruleset *rs, const char *path, FILE *out, struct diaglist *diags);

#endif
