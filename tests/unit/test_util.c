/*
 * Unit tests of the helpers every stage shares: files that appear whole or not at all
 * (daemon/util/atomicfile.c) and growable arrays (daemon/util/array.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "atomicfile.h"
#include "log.h"

static char dir[64];

static int setup(void **state) {
        (void) state;
        snprintf(dir, sizeof(dir), "/tmp/plausid-util-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
        (void) state;
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

/* How many names dir holds, hidden ones included. */
static unsigned entries(void) {
        DIR *d = opendir(dir);
        unsigned n = 0;
        struct dirent *de;
        while (d && (de = readdir(d)))
                n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
        if (d)
                closedir(d);
        return n;
}

static void test_commit_appears_whole_with_mode(void **state) {
        (void) state;
        char path[128];
        snprintf(path, sizeof(path), "%s/report.csv", dir);
        struct atomic_file af;
        assert_int_equal(atomic_file_open(&af, AT_FDCWD, path, 0640, -1), 0);
        fputs("a;b\r\n", af.f);
        /* Before the commit only the hidden temporary file exists. */
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(entries(), 1);
        assert_int_equal(atomic_file_commit(&af), 0);
        assert_null(af.f);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_size, 5);
        assert_int_equal(entries(), 1);
        unlink(path);
}

static void test_abort_leaves_nothing(void **state) {
        (void) state;
        char path[128];
        snprintf(path, sizeof(path), "%s/x.html", dir);
        _cleanup_(atomic_file_abort) struct atomic_file af = {0};
        assert_int_equal(atomic_file_open(&af, AT_FDCWD, path, 0640, -1), 0);
        fputs("<p>", af.f);
        atomic_file_abort(&af);
        assert_int_equal(entries(), 0);
        atomic_file_abort(&af); /* twice: a no-op */
}

static void test_replaces_relative_to_directory(void **state) {
        (void) state;
        int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(d >= 0);
        assert_int_equal(atomic_file_write(d, "why.txt", 0600, -1, "first\n", 6), 0);
        assert_int_equal(atomic_file_write(d, "why.txt", 0640, -1, "second\n", 7), 0);
        char buf[32] = "";
        int fd = openat(d, "why.txt", O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(read(fd, buf, sizeof(buf) - 1), 7);
        assert_string_equal(buf, "second\n");
        close(fd);
        assert_int_equal(entries(), 1);
        unlinkat(d, "why.txt", 0);
        close(d);
}

static void test_missing_directory_fails(void **state) {
        (void) state;
        char path[128];
        snprintf(path, sizeof(path), "%s/no/such/dir/r.html", dir);
        struct atomic_file af;
        assert_int_equal(atomic_file_open(&af, AT_FDCWD, path, 0640, -1), -ENOENT);
        assert_null(af.f);
}

static void test_array_grows_and_keeps(void **state) {
        (void) state;
        unsigned long *items = NULL;
        size_t n = 0, cap = 0;
        for (unsigned long i = 0; i < 1000; i++) {
                assert_int_equal(ARRAY_GROW(items, n, cap), 0);
                assert_true(cap > n);
                items[n++] = i;
        }
        for (unsigned long i = 0; i < 1000; i++)
                assert_int_equal(items[i], i);
        assert_int_equal(cap, 1024);
        /* A size that cannot be allocated: refused, the array untouched. */
        assert_int_equal(array_grow((void **) &items, &cap, SIZE_MAX / 2, 16), -ENOMEM);
        assert_int_equal(cap, 1024);
        assert_int_equal(items[999], 999);
        free(items);
}

static void assert_escaped(const char *in, const char *want) {
        char *got = log_escape(in);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

/* Log fields (file names from a drop directory) are harmless to a terminal and one line. */
static void test_log_escape(void **state) {
        (void) state;
        assert_escaped("hze_2024.csv", "hze_2024.csv");
        assert_escaped("Süd ß €.csv", "Süd ß €.csv");                 /* valid UTF-8 stays */
        assert_escaped("a\x1b[31mrot\x07.csv", "a\\x1b[31mrot\\x07.csv"); /* ESC, BEL */
        assert_escaped("a\x7f\x01" "b", "a\\x7f\\x01b");              /* DEL, C0 */
        assert_escaped("c1\xc2\x9b[2J", "c1\\xc2\\x9b[2J");           /* C1 CSI in UTF-8 */
        assert_escaped("latin1 \xfc.csv", "latin1 \\xfc.csv");       /* not UTF-8 */
        assert_escaped("\xe2\x82", "\\xe2\\x82");                       /* cut sequence */
        assert_escaped("\xc0\xaf", "\\xc0\\xaf");                       /* overlong '/' */
        assert_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");             /* surrogate */
        assert_escaped("back\\slash", "back\\\\slash");
        assert_escaped("  zwei\nZeilen\r\n\tund  so  ", "zwei Zeilen und so");
        assert_escaped("", "");
}

/* log_event writes escaped text: an ESC from a file name never reaches the terminal. */
static void test_log_event_escapes(void **state) {
        (void) state;
        char path[] = "/tmp/plausid-log-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        int saved = dup(STDERR_FILENO);
        assert_true(saved >= 0 && dup2(fd, STDERR_FILENO) >= 0);
        unsetenv("JOURNAL_STREAM");
        log_open();
        struct log_fields f = LOG_FIELDS_INIT;
        f.file = "x\x1b]0;pwned\x07.csv";
        log_event(6, EV_LOADED, &f, "%s: geladen", f.file);
        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        char buf[256] = {0};
        assert_true(pread(fd, buf, sizeof(buf) - 1, 0) > 0);
        close(fd);
        unlink(path);
        assert_string_equal(buf, "plausid: x\\x1b]0;pwned\\x07.csv: geladen\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_commit_appears_whole_with_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_replaces_relative_to_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_directory_fails, setup, teardown),
                cmocka_unit_test(test_array_grows_and_keeps),
                cmocka_unit_test(test_log_escape),
                cmocka_unit_test(test_log_event_escapes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
