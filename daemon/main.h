/*
 * Shared by the command line's two files: main.c (check, load, run, config check, rules
 * test and the dispatch) and main_read.c (report and export, the commands that read the
 * database out). Only argument parsing and printing live here.
 */
#ifndef PLAUSID_MAIN_H
#define PLAUSID_MAIN_H

#include <stdio.h>

#include "config.h"
#include "diag.h"

enum {
        EXIT_CLEAN = 0,
        EXIT_REJECTED = 1,
        EXIT_TROUBLE = 2,
};

extern const char *program;

void usage(FILE *out);
/* A rule pack that did not compile, with its errors. */
void print_pack_errors(const char *path, int r, const struct diaglist *diags, size_t errors);
/* --group NAME|GID; --max-records N; a year (--berichtsjahr, --year): each prints what is
 * wrong and returns -EINVAL. */
int parse_group(const char *s, int *ret);
int parse_max_records(const char *s, unsigned *ret);
int parse_year(const char *option, const char *s, int *ret);
/* Reads the configuration, printing every error; NULL when it has errors. */
struct config *load_config(const char *path);

int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
