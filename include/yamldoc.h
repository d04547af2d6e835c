/*
 * Private to the YAML readers (the rule-pack compiler and the configuration): libyaml's
 * document API with the checks both need. A file is read with a size limit, pre-scanned for
 * what the loader would accept silently (aliases, a second document), loaded into one
 * document, and then walked node by node; every problem becomes a diagnostic at the node's
 * line:col and the walk goes on, so one run reports every error of a file.
 *
 * The helpers take the document context and count the errors they report into the
 * counters the owner points them at, so that an owner with a counter of its own (the rule
 * compiler shares one with the expression compiler) sees one total.
 */
#ifndef PLAUSID_YAMLDOC_H
#define PLAUSID_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "diag.h"
#include "util.h"

struct yamldoc {
        /* set by the owner before yamldoc_load() */
        const char *file;       /* name in diagnostics */
        struct diaglist *diags;
        unsigned *errors;       /* incremented once per reported error */
        bool *nomem;            /* set when a diagnostic could not be recorded */
        const char *what;       /* the document in a sentence: "a rule pack" */
        const char *where;      /* "in rule packs" */
        bool quiet_odd_keys;    /* yamldoc_take_keys() does not echo an unknown key that is not a
                                 * plain name (it may be a connection string put in the wrong place) */
        /* set by yamldoc_load() */
        const char *source;     /* the YAML text, for positions inside scalars */
        size_t source_len;
        yaml_document_t doc;
        bool loaded;            /* doc holds a document to delete */
        unsigned char *seen;    /* per node: visited already (aliases are refused) */
        size_t nnodes;
        size_t *line_start;     /* per line: the byte offset of its first character */
        size_t nlines;
};

/* 1-based line and column of a node, as diagnostics show them. */
static inline unsigned yamldoc_line(const yaml_node_t *n) {
        return (unsigned) n->start_mark.line + 1;
}

static inline unsigned yamldoc_col(const yaml_node_t *n) {
        return (unsigned) n->start_mark.column + 1;
}

/*
 * Reads a whole file of at most max bytes into a NUL-terminated buffer. A file that cannot
 * be opened, is not a regular file or is too large is reported as a diagnostic on path
 * (line 0) that calls it `what` ("cannot open rule pack: ..."); returns -errno (open),
 * -EINVAL (not regular, too large) or -errno of a failed read, with nothing reported.
 */
_must_check_ int yamldoc_read_file(const char *path, size_t max, const char *what, struct diaglist *diags,
                                   char **ret_data, size_t *ret_len);

/*
 * Pre-scans data (aliases and second documents are errors) and loads it as one document.
 * Returns 0, -EINVAL when it reported errors (no document then), or -ENOMEM. Free with
 * yamldoc_done() in every case.
 */
_must_check_ int yamldoc_load(struct yamldoc *d, const char *data, size_t len);
void yamldoc_done(struct yamldoc *d);

/* Byte offset in source of a node's start (libyaml's mark.index counts characters). */
size_t yamldoc_offset(const struct yamldoc *d, const yaml_node_t *n);

/* Reports an error at a node (n NULL: about the whole file, line 0). */
void yamldoc_error(struct yamldoc *d, const yaml_node_t *n, const char *fmt, ...) _printf_(3, 4);

/* The node with that id, or NULL when there is none or it was visited before (an alias). */
yaml_node_t *yamldoc_node(struct yamldoc *d, int id);
/* A scalar's text; NULL for NULL, and with an error for a collection or an embedded NUL.
 * `what` names the value in the message ("dataset.name must be a single value"). */
const char *yamldoc_scalar(struct yamldoc *d, const yaml_node_t *n, const char *what);
/* A plain empty, "~" or "null" scalar. */
bool yamldoc_is_null(const yaml_node_t *n);
/* False for NULL, and with an error for a node of another kind. */
bool yamldoc_is_mapping(struct yamldoc *d, const yaml_node_t *n, const char *what);
bool yamldoc_is_sequence(struct yamldoc *d, const yaml_node_t *n, const char *what);

/*
 * Walks a mapping whose keys must come from `allowed`; unknown and repeated keys are
 * errors. Values land in out[] in the order of `allowed` (NULL when absent).
 */
void yamldoc_take_keys(struct yamldoc *d, const yaml_node_t *map, const char *const *allowed, size_t nallowed,
                       yaml_node_t **out, const char *what);

/* A whole decimal number from lo to hi (strtoll's syntax, nothing after it). */
bool yamldoc_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *ret);
/* The same from a node, with an error naming `what` and the range. */
bool yamldoc_get_int(struct yamldoc *d, const yaml_node_t *n, int64_t lo, int64_t hi, int64_t *ret,
                     const char *what);
/* true/yes or false/no. */
bool yamldoc_get_bool(struct yamldoc *d, const yaml_node_t *n, bool *ret, const char *what);
/* [a-z_][a-z0-9_]* */
bool yamldoc_is_identifier(const char *s);

#endif
