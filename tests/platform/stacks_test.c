/*
 * stacks_test.c: specification of src/platform/stacks.h — many fiber stacks from a few
 * mappings, each with a guard that faults.
 *
 * The guard tests fork a child that writes into a guard and must die of SIGSEGV; they run
 * first, while the process has one thread. Under ASan the child's SIGSEGV goes to ASan's
 * handler, which ends it with exit 1 instead: that is accepted as "faulted" there.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/internal.h"
#include "platform/fiber.h"
#include "platform/stacks.h"

#include <errno.h>

/* Under a sanitizer, /proc/self/maps also counts the runtime's shadow mappings. */
#define SANITIZED (STEADY__ASAN || STEADY__TSAN)
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Forks a child that writes to `addr`; true if the write faulted (the child died). */
static bool write_faults(volatile char *addr)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL);
        *addr = 1;
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) || (STEADY__ASAN && WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

static void check_guards_fault(bool force_mprotect)
{
    steady__stacks_force_mprotect(force_mprotect);
    steady__stacks pool = {0};
    size_t sizes[3] = {16 * 1024, 100 * 1024, 64 * 1024};
    steady__stack s[3];
    assert_int_equal(steady__stacks_map(&pool, 3, sizes, s), 0);
    for (int i = 0; i < 3; i++) {
        char *lo = s[i].lo;
        lo[0] = 1; /* the stack itself is writable, low end and high end */
        lo[s[i].size - 1] = 1;
        assert_true(write_faults(lo - 1));                   /* just below: the guard */
        assert_true(write_faults(lo - STEADY__STACK_GUARD)); /* the guard's lowest byte */
    }
    steady__stacks_unmap(&pool);
    steady__stacks_force_mprotect(false);
}

static void a_write_below_any_stack_faults_in_its_guard(void **state)
{
    (void)state;
    check_guards_fault(false);
}

static void guards_fault_with_the_mprotect_fallback_too(void **state)
{
    (void)state;
    check_guards_fault(true);
}

static void sizes_are_rounded_to_pages_and_the_minimum(void **state)
{
    (void)state;
    steady__stacks pool = {0};
    size_t page = steady__page_size();
    size_t sizes[3] = {1, STEADY__FIBER_MIN_STACK + 1, 3 * page};
    steady__stack s[3];
    assert_int_equal(steady__stacks_map(&pool, 3, sizes, s), 0);
    assert_int_equal(s[0].size, STEADY__FIBER_MIN_STACK);
    assert_int_equal(s[1].size, STEADY__FIBER_MIN_STACK + page);
    assert_int_equal(s[2].size,
                     STEADY__FIBER_MIN_STACK > 3 * page ? STEADY__FIBER_MIN_STACK : 3 * page);
    for (int i = 0; i < 3; i++)
        assert_int_equal((uintptr_t)s[i].lo % page, 0);
    steady__stacks_unmap(&pool);
    assert_null(pool.chunks);
}

static void an_absurd_size_is_einval_and_maps_nothing(void **state)
{
    (void)state;
    steady__stacks pool = {0};
    size_t sizes[2] = {16 * 1024, SIZE_MAX / 2};
    steady__stack s[2];
    long before = steady__mappings();
    assert_int_equal(steady__stacks_map(&pool, 2, sizes, s), EINVAL);
    assert_null(pool.chunks);
    if (!SANITIZED) /* a sanitizer runtime maps shadow memory of its own as we go */
        assert_int_equal(steady__mappings(), before);
}

/* The point of the pool: with guard markers, 10,000 stacks cost a few dozen mappings; with
 * mprotect'd guards they cost two each. */
static void many_stacks_share_a_few_mappings(void **state)
{
    (void)state;
    enum { N = 10000 };
    static size_t sizes[N];
    static steady__stack s[N];
    for (int i = 0; i < N; i++)
        sizes[i] = 16 * 1024;
    steady__stacks pool = {0};
    long before = steady__mappings();
    assert_int_equal(steady__stacks_map(&pool, N, sizes, s), 0);
    long used = steady__mappings() - before;
    if (steady__stacks_guard_markers() && !SANITIZED)
        assert_true(used < 100);
    else
        printf("no MADV_GUARD_INSTALL on this kernel: %ld mappings for %d stacks\n", used, N);
    if (steady__stacks_guard_markers())
        assert_true(pool.mappings < 100);
    else
        assert_true(pool.mappings >= 2 * N);
    steady__stacks_unmap(&pool);
    if (!SANITIZED)
        assert_int_equal(steady__mappings(), before);
}

/* A fiber runs on a pool's stack and names it in its guard check. */
static int ran;

static steady__fiber home, fib;

static void body(void *arg)
{
    (void)arg;
    volatile char frame[4096];
    frame[0] = 1;
    ran = frame[0];
    steady__fiber_exit_to(&fib, &home);
}

static void a_fiber_runs_on_a_pool_stack(void **state)
{
    (void)state;
    steady__stacks pool = {0};
    size_t size = 64 * 1024;
    steady__stack s;
    assert_int_equal(steady__stacks_map(&pool, 1, &size, &s), 0);
    steady__fiber_thread_init(&home);
    steady__fiber_create_on(&fib, s.lo, s.size, STEADY__STACK_GUARD, body, NULL);
    assert_true(steady__fiber_addr_in_guard(&fib, (char *)s.lo - 1));
    assert_true(steady__fiber_addr_in_guard(&fib, (char *)s.lo - STEADY__STACK_GUARD));
    assert_false(steady__fiber_addr_in_guard(&fib, s.lo));
    steady__fiber_switch(&home, &fib);
    assert_int_equal(ran, 1);
    steady__fiber_destroy(&fib);
    steady__fiber_thread_fini(&home);
    steady__stacks_unmap(&pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_write_below_any_stack_faults_in_its_guard),
        cmocka_unit_test(guards_fault_with_the_mprotect_fallback_too),
        cmocka_unit_test(sizes_are_rounded_to_pages_and_the_minimum),
        cmocka_unit_test(an_absurd_size_is_einval_and_maps_nothing),
        cmocka_unit_test(many_stacks_share_a_few_mappings),
        cmocka_unit_test(a_fiber_runs_on_a_pool_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
