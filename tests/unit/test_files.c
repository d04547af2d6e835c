/*
 * Unit tests of the file moves (daemon/files.c) and the drop-directory watch
 * (daemon/watch.c) on real directories: claims, archive and quarantine without
 * overwriting, a move across file systems (/tmp to /dev/shm when they differ), symlinks,
 * the names that are never taken, and the stability rule of scans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "watch.h"

struct fixture {
        char root[64];
        struct source_config src;
        char drop[128], archive[128], quarantine[128], reports[128];
        struct source_dirs dirs;
};

static void write_file(int dir, const char *name, const char *text) {
        int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
}

static char *read_file(int dir, const char *name) {
        static char buf[4096];
        int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n < 0 ? 0 : n] = '\0';
        return buf;
}

static bool exists(int dir, const char *name) {
        struct stat st;
        return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Sets up directories under base (a fresh temporary directory); the archive may be put
 * on another file system. */
static struct fixture *fixture_new(const char *archive_base) {
        struct fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        snprintf(f->root, sizeof(f->root), "/tmp/plausid-files.XXXXXX");
        assert_non_null(mkdtemp(f->root));
        snprintf(f->drop, sizeof(f->drop), "%s/drop", f->root);
        snprintf(f->quarantine, sizeof(f->quarantine), "%s/q", f->root);
        snprintf(f->reports, sizeof(f->reports), "%s/r", f->root);
        if (archive_base) {
                snprintf(f->archive, sizeof(f->archive), "%s/plausid-archive.XXXXXX", archive_base);
                assert_non_null(mkdtemp(f->archive));
        } else
                snprintf(f->archive, sizeof(f->archive), "%s/a/b", f->root);
        f->src = (struct source_config) {.name = "hze", .drop = f->drop, .archive = f->archive,
                                         .quarantine = f->quarantine, .reports = f->reports};
        char *error = NULL;
        assert_int_equal(dirs_open(&f->src, &f->dirs, &error), 0);
        assert_null(error);
        return f;
}

static void fixture_free(struct fixture *f) {
        dirs_close(&f->dirs);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", f->root, f->archive);
        assert_int_equal(system(cmd), 0);
        free(f);
}

static void test_dirs_created_with_safe_modes(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        struct stat st;
        assert_int_equal(stat(f->drop, &st), 0);
        assert_int_equal(st.st_mode & 0007, 0);
        assert_int_equal(fstatat(f->dirs.drop, FILES_PROCESSING, &st, 0), 0);
        assert_int_equal(st.st_mode & 0027, 0);
        assert_int_equal(stat(f->archive, &st), 0);
        assert_int_equal(st.st_mode & 0027, 0);
        fixture_free(f);
}

static void test_claim_archive_never_overwrites(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        time_t when = 1700000000;       /* November 2023 */
        struct tm tm;
        localtime_r(&when, &tm);
        char month[16];
        strftime(month, sizeof(month), "%Y/%m", &tm);
        for (int round = 0; round < 3; round++) {
                char text[32];
                snprintf(text, sizeof(text), "round %d", round);
                write_file(f->dirs.drop, "x.csv", text);
                char *claimed = NULL, *where = NULL;
                assert_int_equal(file_claim(&f->dirs, "x.csv", &claimed), 0);
                assert_false(exists(f->dirs.drop, "x.csv"));
                assert_string_equal(read_file(f->dirs.processing, claimed), text);
                assert_int_equal(file_archive(&f->dirs, claimed, "x.csv", when, &where), 0);
                char want[64];
                snprintf(want, sizeof(want), round == 0 ? "%s/x.csv" : "%s/x.%d.csv", month, round);
                assert_string_equal(where, want);
                assert_string_equal(read_file(f->dirs.archive, where), text);
                assert_false(exists(f->dirs.processing, claimed));
                free(claimed);
                free(where);
        }
        fixture_free(f);
}

static void test_claim_of_a_vanished_file(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        char *claimed = NULL;
        assert_int_equal(file_claim(&f->dirs, "gone.csv", &claimed), -ENOENT);
        assert_null(claimed);
        fixture_free(f);
}

static void test_claim_keeps_a_leftover_in_processing(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        write_file(f->dirs.processing, "x.csv", "left over");
        write_file(f->dirs.drop, "x.csv", "new");
        char *claimed = NULL;
        assert_int_equal(file_claim(&f->dirs, "x.csv", &claimed), 0);
        assert_string_equal(claimed, "x.1.csv");
        assert_string_equal(read_file(f->dirs.processing, "x.csv"), "left over");
        assert_string_equal(read_file(f->dirs.processing, "x.1.csv"), "new");
        free(claimed);
        fixture_free(f);
}

static void test_quarantine_with_reason(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        for (int round = 0; round < 2; round++) {
                write_file(f->dirs.processing, "bad", "data");
                char *where = NULL;
                assert_int_equal(file_quarantine(&f->dirs, f->dirs.processing, "bad", "bad", "Grund: zu viele Fehler.",
                                                 &where),
                                 0);
                assert_string_equal(where, round == 0 ? "bad" : "bad.1");
                char reason[32];
                snprintf(reason, sizeof(reason), "%s.reason.txt", where);
                assert_string_equal(read_file(f->dirs.quarantine, reason), "Grund: zu viele Fehler.\n");
                struct stat st;
                assert_int_equal(fstatat(f->dirs.quarantine, reason, &st, 0), 0);
                assert_int_equal(st.st_mode & 0777, 0640);
                free(where);
        }
        fixture_free(f);
}

static void test_symlink_is_moved_not_followed(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        char target[160];
        snprintf(target, sizeof(target), "%s/secret", f->root);
        write_file(AT_FDCWD, target, "secret");
        assert_int_equal(symlinkat(target, f->dirs.drop, "link.csv"), 0);
        char *where = NULL;
        assert_int_equal(file_quarantine(&f->dirs, f->dirs.drop, "link.csv", "link.csv", "Link.", &where), 0);
        struct stat st;
        assert_int_equal(fstatat(f->dirs.quarantine, "link.csv", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_string_equal(read_file(AT_FDCWD, target), "secret");
        /* A symlink that got into processing is not opened. */
        assert_int_equal(symlinkat(target, f->dirs.processing, "l2"), 0);
        assert_int_equal(file_open_claimed(&f->dirs, "l2"), -ELOOP);
        free(where);
        fixture_free(f);
}

static void test_archive_across_file_systems(void **state) {
        (void) state;
        struct statfs a, b;
        if (statfs("/tmp", &a) < 0 || statfs("/dev/shm", &b) < 0 || a.f_type == b.f_type) {
                skip();
                return;
        }
        struct fixture *f = fixture_new("/dev/shm");
        write_file(f->dirs.drop, "y.csv", "across");
        char *claimed = NULL, *where = NULL;
        assert_int_equal(file_claim(&f->dirs, "y.csv", &claimed), 0);
        assert_int_equal(file_archive(&f->dirs, claimed, "y.csv", time(NULL), &where), 0);
        assert_string_equal(read_file(f->dirs.archive, where), "across");
        assert_false(exists(f->dirs.processing, claimed));
        free(claimed);
        free(where);
        /* Again: the name is taken, the copy gets a suffix. */
        write_file(f->dirs.drop, "y.csv", "again");
        assert_int_equal(file_claim(&f->dirs, "y.csv", &claimed), 0);
        assert_int_equal(file_archive(&f->dirs, claimed, "y.csv", time(NULL), &where), 0);
        assert_non_null(strstr(where, "y.1.csv"));
        assert_string_equal(read_file(f->dirs.archive, where), "again");
        free(claimed);
        free(where);
        fixture_free(f);
}

static void test_names_never_taken(void **state) {
        (void) state;
        static const struct {
                const char *name;
                bool ignored;
        } cases[] = {
                {"hze_2024.csv", false}, {"export", false},       {".hidden.csv", true}, {"~lock.csv", true},
                {"x.csv.tmp", true},     {"x.csv.TMP", true},     {"x.part", true},      {"x.partial", true},
                {"x.csv.done", true},    {"tmp.csv", false},      {"partial", false},    {"", true},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (watch_name_ignored(cases[i].name) != cases[i].ignored)
                        fail_msg("'%s': expected %s", cases[i].name, cases[i].ignored ? "ignored" : "taken");
}

static void test_scan_waits_until_stable(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        struct watch *w = NULL;
        struct watch_options o = {.mode = WATCH_POLL, .stable_seconds = 2};
        assert_int_equal(watch_new(f->dirs.drop, &o, &w), 0);
        write_file(f->dirs.drop, "a.csv", "1");
        write_file(f->dirs.drop, "a.csv.tmp", "1");
        const char *name;
        enum watch_kind kind;
        uint64_t t = 1000000000;
        assert_int_equal(watch_scan(w, t), 0);
        assert_int_equal(watch_next(w, t + 1000000, &name, &kind), 0);     /* too early */
        write_file(f->dirs.drop, "a.csv", "12");                            /* still growing */
        assert_int_equal(watch_next(w, t + 2000000, &name, &kind), 0);     /* changed: waits again */
        assert_int_equal(watch_next(w, t + 3000000, &name, &kind), 0);
        assert_int_equal(watch_next(w, t + 4000000, &name, &kind), 1);
        assert_string_equal(name, "a.csv");
        assert_int_equal(kind, WATCH_FILE);
        assert_int_equal(watch_next(w, t + 5000000, &name, &kind), 0);     /* handed out once */
        watch_free(w);
        fixture_free(f);
}

static void test_done_marker(void **state) {
        (void) state;
        struct fixture *f = fixture_new(NULL);
        struct watch *w = NULL;
        struct watch_options o = {.mode = WATCH_POLL, .stable_seconds = 1, .done_marker = true};
        assert_int_equal(watch_new(f->dirs.drop, &o, &w), 0);
        write_file(f->dirs.drop, "b.csv", "1");
        const char *name;
        enum watch_kind kind;
        assert_int_equal(watch_scan(w, 1000000), 0);
        assert_int_equal(watch_next(w, 9000000, &name, &kind), 0);         /* no marker */
        write_file(f->dirs.drop, "b.csv.done", "");
        assert_int_equal(watch_next(w, 9000000, &name, &kind), 1);
        assert_string_equal(name, "b.csv");
        watch_free(w);
        fixture_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dirs_created_with_safe_modes),
                cmocka_unit_test(test_claim_archive_never_overwrites),
                cmocka_unit_test(test_claim_of_a_vanished_file),
                cmocka_unit_test(test_claim_keeps_a_leftover_in_processing),
                cmocka_unit_test(test_quarantine_with_reason),
                cmocka_unit_test(test_symlink_is_moved_not_followed),
                cmocka_unit_test(test_archive_across_file_systems),
                cmocka_unit_test(test_names_never_taken),
                cmocka_unit_test(test_scan_waits_until_stable),
                cmocka_unit_test(test_done_marker),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
