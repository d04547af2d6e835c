/*
 * libFuzzer target for the configuration reader (daemon/config.c, daemon/yamldoc.c).
 *
 * Input: a YAML configuration. It is read with config_load_buffer() against the base
 * directory /base. A configuration that does not load must come with at least one
 * diagnostic and leave the out-parameter alone; one that loads must hold only values the
 * header promises (names, ranges, clean absolute paths, unique sources), compare equal to
 * itself for reload, and agree with config_source_require_dirs() about its directories.
 * Everything is freed, so LeakSanitizer sees every leak.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "fuzz.h"

static void check_name(const char *s) {
        CHECK(s != NULL);
        CHECK(*s >= 'a' && *s <= 'z');
        CHECK(strlen(s) <= CONFIG_MAX_NAME);
        for (; *s; s++)
                CHECK((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_');
}

/* Absolute (the base directory is), no empty or "." components, no trailing '/'. */
static void check_path(const char *p, bool required) {
        if (!p) {
                CHECK(!required);
                return;
        }
        size_t len = strlen(p);
        CHECK(p[0] == '/');
        CHECK(len <= CONFIG_MAX_PATH);
        CHECK(len == 1 || p[len - 1] != '/');
        CHECK(!strstr(p, "//"));
        CHECK(!strstr(p, "/./"));
        CHECK(len < 2 || strcmp(p + len - 2, "/.") != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct diaglist diags = {0};
        struct config *c = (struct config *) &diags;    /* must stay as it is on failure */
        int e = config_load_buffer("fuzz.yaml", (const char *) data, size, "/base", &c, &diags);
        check_diags(&diags, true);
        if (e < 0) {
                CHECK(c == (struct config *) &diags);
                CHECK(e == -EINVAL || e == -ENOMEM);
                if (e == -EINVAL)
                        CHECK(diags.n > 0 || diags.dropped > 0);
                diaglist_done(&diags);
                return 0;
        }
        CHECK(e == 0);
        CHECK(diags.n == 0 && diags.dropped == 0);

        CHECK(strcmp(c->path, "fuzz.yaml") == 0);
        CHECK(c->conninfo != NULL && strlen(c->conninfo) <= CONFIG_MAX_CONNINFO);
        check_name(c->schema);
        CHECK(strncmp(c->schema, "pg_", 3) != 0);
        CHECK(c->nsources >= 1 && c->nsources <= CONFIG_MAX_SOURCES);
        for (size_t i = 0; i < c->nsources; i++) {
                const struct source_config *s = &c->sources[i];
                check_name(s->name);
                CHECK(config_find_source(c, s->name) == s);
                check_path(s->rules, true);
                check_path(s->drop, false);
                check_path(s->archive, false);
                check_path(s->quarantine, false);
                check_path(s->reports, false);
                CHECK(strcmp(redelivery_name(s->redelivery), "?") != 0);
                CHECK(strcmp(watch_mode_name(s->watch), "?") != 0);
                CHECK(s->max_reject_share >= 0 && s->max_reject_share <= 1);
                CHECK(s->scan_interval >= 1 && s->scan_interval <= 86400);
                CHECK(s->stable_seconds >= 1 && s->stable_seconds <= 3600);
                CHECK(s->line >= 1 && s->col >= 1);
                for (size_t j = 0; j < c->nsources; j++)
                        CHECK(j == i || !s->drop ||
                              ((!c->sources[j].drop || strcmp(s->drop, c->sources[j].drop) != 0) &&
                               (!c->sources[j].archive || strcmp(s->drop, c->sources[j].archive) != 0)));
                int r = config_source_require_dirs(s, &diags, c->path);
                bool complete = s->drop && s->archive && s->quarantine && s->reports;
                CHECK(complete ? r == 0 && diags.n == 0 : (r == -EINVAL && diags.n > 0) || r == -ENOMEM);
                check_diags(&diags, true);
                diaglist_done(&diags);
        }
        int r = config_reload_check(c, c, &diags);
        CHECK(r == 0 && diags.n == 0);
        diaglist_done(&diags);
        config_free(c);
        return 0;
}
