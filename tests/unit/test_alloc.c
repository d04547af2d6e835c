/*
 * Allocation-failure sweep, in the manner of SQLite's test_malloc.c: the test replaces
 * malloc, calloc and realloc (glibc lets a program interpose them, and libyaml, libcsv and
 * iconv then allocate through them too), makes the Nth allocation fail, and runs a whole
 * operation — compile the hze pack, check a sample export — for N = 0, 1, 2, … until the
 * operation gets through without meeting the failure. Every run must end in success or a
 * clean -ENOMEM: no crash, no hang, no other error, and no leak: the wrappers count live
 * blocks, and every run must leave as many as it found. Under AddressSanitizer, which owns
 * malloc itself, the sweep is skipped (ASan's own leak check covers the success paths).
 *
 * One leak is libyaml's own and is tolerated, exactly one block and only when the failed
 * call was a realloc made by libyaml: in libyaml 0.2.5, yaml_parser_load_mapping() and
 * _load_sequence() initialise the node's item stack and then, when pushing the node onto
 * the document's node stack fails, return without freeing that item stack.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "checker.h"
#include "reader.h"
#include "ruleset.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SWEEP_POSSIBLE 0
#else
#define SWEEP_POSSIBLE 1
#endif

#if SWEEP_POSSIBLE
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

/* Allocation counter; -1 = never fail. Atomic because the reader's parse thread allocates
 * too. */
static long fail_at = -1;
static long allocations;
static int failed_once;
static long live;               /* blocks allocated and not yet freed */
static int failed_in_libyaml_realloc;   /* the injected failure hit a realloc by libyaml */

static bool called_from_libyaml(const void *caller) {
        Dl_info info;
        return dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, "libyaml");
}

static int should_fail(void) {
        long n = __atomic_fetch_add(&allocations, 1, __ATOMIC_SEQ_CST);
        if (n == __atomic_load_n(&fail_at, __ATOMIC_SEQ_CST)) {
                __atomic_store_n(&failed_once, 1, __ATOMIC_SEQ_CST);
                return 1;
        }
        return 0;
}

static void *counted(void *p) {
        if (p)
                __atomic_fetch_add(&live, 1, __ATOMIC_SEQ_CST);
        return p;
}

void *malloc(size_t n) {
        return should_fail() ? NULL : counted(__libc_malloc(n));
}

void *calloc(size_t n, size_t size) {
        return should_fail() ? NULL : counted(__libc_calloc(n, size));
}

void *realloc(void *p, size_t n) {
        if (should_fail()) {
                if (called_from_libyaml(__builtin_return_address(0)))
                        __atomic_store_n(&failed_in_libyaml_realloc, 1, __ATOMIC_SEQ_CST);
                return NULL;
        }
        void *q = __libc_realloc(p, n);
        if (!p)
                counted(q);
        else if (q == NULL && n == 0)
                __atomic_fetch_sub(&live, 1, __ATOMIC_SEQ_CST);
        return q;
}

void free(void *p) {
        if (p)
                __atomic_fetch_sub(&live, 1, __ATOMIC_SEQ_CST);
        __libc_free(p);
}

static void arm(long n) {
        __atomic_store_n(&allocations, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&failed_once, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&failed_in_libyaml_realloc, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&fail_at, n, __ATOMIC_SEQ_CST);
}

static void disarm(void) {
        __atomic_store_n(&fail_at, -1, __ATOMIC_SEQ_CST);
}
#endif

static int count_finding(void *userdata, const struct finding *f) {
        (void) f;
        (*(unsigned long *) userdata)++;
        return 0;
}

/* The operation under test: compile the pack, check the sample; returns 0 or -errno and
 * the number of findings. */
static int compile_and_check(bool threads, unsigned long *ret_findings) {
        struct diaglist diags = {0};
        struct ruleset *rs = NULL;
        int e = ruleset_compile_file("rules/hze.yaml", &rs, &diags);
        diaglist_done(&diags);
        if (e < 0)
                return e;
        int fd = open("samples/hze_2024_sued_cp1252.csv", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                ruleset_free(rs);
                return -errno;
        }
        struct reader_options opts = *ruleset_input(rs);
        opts.threads = threads;
        struct checker *checker = NULL;
        unsigned long findings = 0;
        e = checker_new(rs, count_finding, &findings, &checker);
        if (e >= 0)
                e = checker_check_fd(checker, fd, &opts, NULL);
        checker_free(checker);
        close(fd);
        ruleset_free(rs);
        *ret_findings = findings;
        return e;
}

static void sweep(bool threads) {
#if SWEEP_POSSIBLE
        unsigned long want = 0, got = 0;
        /* The first run also fills glibc's lasting caches (iconv modules, stdio), which
         * are never freed; later runs must not add to what it left. */
        assert_int_equal(compile_and_check(threads, &want), 0);
        assert_true(want > 0);
        long baseline = __atomic_load_n(&live, __ATOMIC_SEQ_CST);
        long runs = 0, libyaml_leaks = 0;
        for (long n = 0;; n++) {
                arm(n);
                int e = compile_and_check(threads, &got);
                int hit = __atomic_load_n(&failed_once, __ATOMIC_SEQ_CST);
                disarm();
                runs++;
                long now = __atomic_load_n(&live, __ATOMIC_SEQ_CST);
                if (now == baseline + 1 && __atomic_load_n(&failed_in_libyaml_realloc, __ATOMIC_SEQ_CST)) {
                        libyaml_leaks++;
                        baseline = now;
                }
                if (now != baseline)
                        fail_msg("allocation %ld failed: %ld blocks leaked (result %d)", n, now - baseline, e);
                if (!hit) {
                        /* Got through without meeting the failure: the sweep is complete,
                         * and the result must be the undisturbed one. */
                        assert_int_equal(e, 0);
                        assert_int_equal(got, want);
                        break;
                }
                if (e != -ENOMEM && e != 0 && e != -EAGAIN) {
                        /* -EAGAIN: pthread_create could not get memory for its stack. */
                        fail_msg("allocation %ld failed: operation returned %d (%s), expected -ENOMEM", n, e,
                                 strerror(-e));
                }
                if (e == 0)
                        assert_int_equal(got, want);
        }
        printf("allocation sweep (%s): %ld runs, all clean but %ld known libyaml leak%s\n",
               threads ? "threads" : "one thread", runs, libyaml_leaks, libyaml_leaks == 1 ? "" : "s");
#else
        /* Without the sweep, the operation still runs once so that the sanitizers see it. */
        unsigned long findings = 0;
        assert_int_equal(compile_and_check(threads, &findings), 0);
        assert_true(findings > 0);
#endif
}

static void test_sweep_single_thread(void **state) {
        (void) state;
        sweep(false);
}

static void test_sweep_threads(void **state) {
        (void) state;
        sweep(true);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sweep_single_thread),
                cmocka_unit_test(test_sweep_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
