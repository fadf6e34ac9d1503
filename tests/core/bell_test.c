/* bell_test.c — specification of the thread doorbell (core/bell.c).
 *
 * A ring costs no system call unless the owner sleeps; a sleeper is woken by a ring; a ring
 * between the sleeper's read of seq and its sleep makes the sleep return at once (no lost
 * wake-up); timeouts bound a sleep; a shared bell works across processes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "steady_test_support.h"

static void a_ring_without_a_sleeper_makes_no_futex_wake(void **state)
{
    (void)state;
    _Atomic uint64_t wakes = 0;
    struct steady__bell b = {.wake_counter = &wakes};
    for (int i = 0; i < 1000; i++)
        steady__bell_ring(&b);
    assert_int_equal(atomic_load(&b.seq), 1000);
    assert_int_equal(atomic_load(&wakes), 0);
}

typedef struct sleeper {
    struct steady__bell *b;
    uint32_t seq;
    uint64_t timeout_ns;
    _Atomic int woke;
    pthread_t th;
} sleeper;

static void *sleep_on(void *p)
{
    sleeper *s = p;
    atomic_store_explicit(&s->b->sleeping, 1, memory_order_seq_cst);
    steady__bell_sleep(s->b, s->seq, s->timeout_ns);
    atomic_store_explicit(&s->b->sleeping, 0, memory_order_relaxed);
    atomic_store(&s->woke, 1);
    return NULL;
}

static void a_sleeper_is_woken_by_a_ring_and_counted(void **state)
{
    (void)state;
    _Atomic uint64_t wakes = 0;
    struct steady__bell b = {.wake_counter = &wakes};
    sleeper s = {.b = &b, .seq = atomic_load(&b.seq), .timeout_ns = UINT64_MAX};
    assert_int_equal(pthread_create(&s.th, NULL, sleep_on, &s), 0);
    while (!atomic_load(&b.sleeping))
        sleep_ms(1);
    sleep_ms(20); /* it is in the futex by now (or will see seq moved) */
    assert_int_equal(atomic_load(&s.woke), 0);
    steady__bell_ring(&b);
    pthread_join(s.th, NULL);
    assert_int_equal(atomic_load(&s.woke), 1);
    assert_int_equal(atomic_load(&wakes), 1);
}

static void a_ring_before_the_sleep_is_never_lost(void **state)
{
    (void)state;
    struct steady__bell b = {0};
    uint32_t seen = atomic_load(&b.seq);
    steady__bell_ring(&b); /* after the read, before the sleep */
    uint64_t t0 = now_ns();
    steady__bell_sleep(&b, seen, UINT64_MAX); /* would block for ever if the ring were lost */
    assert_true(ms_since(t0) < 1000);
}

static void timeouts_bound_a_sleep(void **state)
{
    (void)state;
    struct steady__bell b = {0};
    uint32_t seen = atomic_load(&b.seq);
    uint64_t t0 = now_ns();
    steady__bell_sleep(&b, seen, 0); /* returns at once */
    assert_true(ms_since(t0) < 100);
    t0 = now_ns();
    steady__bell_sleep(&b, seen, STEADY_MS(30));
    uint64_t took = ms_since(t0);
    assert_true(took >= 25 && took < 2000); /* generous: a correctness bound, not a timing */
}

static void a_shared_bell_wakes_a_sleeper_in_another_process(void **state)
{
    (void)state;
    struct steady__bell *b =
        mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(b != MAP_FAILED);
    b->shared = true;
    uint32_t seen = atomic_load(&b->seq);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        while (!atomic_load_explicit(&b->sleeping, memory_order_seq_cst))
            usleep(1000);
        usleep(20000);
        steady__bell_ring(b);
        _exit(0);
    }
    atomic_store_explicit(&b->sleeping, 1, memory_order_seq_cst);
    uint64_t t0 = now_ns();
    steady__bell_sleep(b, seen, STEADY_SEC(10));
    uint64_t took = ms_since(t0);
    waitpid(pid, NULL, 0);
    assert_true(atomic_load(&b->seq) != seen);
    assert_true(took < 5000); /* woken by the other process, not by the 10 s timeout */
    munmap(b, sizeof *b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_ring_without_a_sleeper_makes_no_futex_wake),
        cmocka_unit_test(a_sleeper_is_woken_by_a_ring_and_counted),
        cmocka_unit_test(a_ring_before_the_sleep_is_never_lost),
        cmocka_unit_test(timeouts_bound_a_sleep),
        cmocka_unit_test(a_shared_bell_wakes_a_sleeper_in_another_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
