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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_commit_appears_whole_with_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_replaces_relative_to_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_directory_fails, setup, teardown),
                cmocka_unit_test(test_array_grows_and_keeps),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
