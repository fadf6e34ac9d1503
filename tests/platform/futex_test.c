/*
 * futex_test.c: specification of src/platform/futex.h.
 *
 * The cross-process test forks, so it runs first, while the process has one thread.
 * Waiters find out that they were parked through futex_wake's count: the waker retries a wake
 * without changing the word until it reports one woken thread, which proves the waiter slept.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/futex.h"
#include "platform/thread.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Retries a wake of a word nobody changed until it wakes someone: returns 1 once a waiter was
   parked, 0 if none parked within about 10 s. */
static int wake_once_parked(_Atomic uint32_t *word, bool shared)
{
    for (int tries = 0; tries < 10000; tries++) {
        if (steady__futex_wake(word, 1, shared) == 1)
            return 1;
        usleep(1000);
    }
    return 0;
}

static void shared_futex_wakes_a_waiter_in_another_process(void **state)
{
    (void)state;
    _Atomic uint32_t *word =
        mmap(NULL, sizeof *word, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(word != MAP_FAILED);
    atomic_store_explicit(word, 0, memory_order_relaxed);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        /* acquire: pairs with the parent's release store of 7 */
        while (atomic_load_explicit(word, memory_order_acquire) == 0)
            (void)steady__futex_wait(word, 0, NULL, true);
        _exit(atomic_load_explicit(word, memory_order_relaxed) == 7 ? 0 : 1);
    }
    int parked = wake_once_parked(word, true);
    atomic_store_explicit(word, 7, memory_order_release); /* pairs with the child's acquire */
    (void)steady__futex_wake(word, 1, true);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    munmap((void *)word, sizeof *word);

    assert_int_equal(parked, 1);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void wait_returns_eagain_when_the_word_already_changed(void **state)
{
    (void)state;
    _Atomic uint32_t word = 5;
    assert_int_equal(steady__futex_wait(&word, 4, NULL, false), EAGAIN);
}

static void wait_times_out_no_earlier_than_its_relative_timeout(void **state)
{
    (void)state;
    _Atomic uint32_t word = 0;
    struct timespec timeout = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
    uint64_t start = steady__mono_ns();
    int rc = steady__futex_wait(&word, 0, &timeout, false);
    uint64_t elapsed = steady__mono_ns() - start;

    assert_int_equal(rc, ETIMEDOUT);
    assert_true(elapsed >= 20u * 1000 * 1000);
}

static void wake_without_waiters_wakes_nobody(void **state)
{
    (void)state;
    _Atomic uint32_t word = 0;
    assert_int_equal(steady__futex_wake(&word, 1, false), 0);
    assert_int_equal(steady__futex_wake(&word, 1, true), 0);
}

struct handoff {
    _Atomic uint32_t word;
    int payload; /* plain: published by the release store of word */
    int seen;
};

static void *handoff_waiter(void *arg)
{
    struct handoff *h = arg;
    /* acquire: pairs with the waker's release store of word = 1 */
    while (atomic_load_explicit(&h->word, memory_order_acquire) == 0)
        (void)steady__futex_wait(&h->word, 0, NULL, false);
    h->seen = h->payload;
    return NULL;
}

static void wake_reaches_a_parked_waiter_which_then_sees_the_published_data(void **state)
{
    (void)state;
    static struct handoff h;
    h = (struct handoff){0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, handoff_waiter, &h), 0);
    int parked = wake_once_parked(&h.word, false);
    h.payload = 99;
    atomic_store_explicit(&h.word, 1, memory_order_release); /* pairs with the waiter's acquire */
    (void)steady__futex_wake(&h.word, 1, false);
    assert_int_equal(pthread_join(t, NULL), 0);

    assert_int_equal(parked, 1);
    assert_int_equal(h.seen, 99);
}

static void membarrier_is_available_on_this_kernel(void **state)
{
    (void)state;
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds < 0 && (errno == ENOSYS || errno == EPERM)) {
        print_message("membarrier blocked here (errno %d): heavy fences fall back\n", errno);
        skip();
    }
    assert_true(cmds >= 0);
    assert_true(steady__membarrier_available());
    assert_true(atomic_load_explicit(&steady__membarrier_ready, memory_order_relaxed));
}

/* ---- store-buffer litmus test: heavy fence on one side, light fence on the other */

enum { SB_ROUNDS = 10000 };

struct sb {
    _Atomic uint32_t go;   /* round number started by the waiter side */
    _Atomic uint32_t done; /* round number finished by the producer side */
    _Atomic int x, y;
    int r2; /* producer's observation, published by the release store of done */
};

/* Spins until *word == value; yields the core now and then, because on a 2-core machine the
   other side may be waiting for this core. acquire: pairs with the release store of value. */
static void await_round(_Atomic uint32_t *word, uint32_t value)
{
    for (unsigned spins = 0; atomic_load_explicit(word, memory_order_acquire) != value; spins++) {
        if (spins % 128 == 127)
            sched_yield();
        else
            steady__cpu_relax();
    }
}

static void *sb_producer(void *arg)
{
    struct sb *s = arg;
    for (uint32_t round = 1; round <= SB_ROUNDS; round++) {
        await_round(&s->go, round); /* the waiter's release of go */
        atomic_store_explicit(&s->y, 1, memory_order_relaxed);
        steady__light_fence();
        s->r2 = atomic_load_explicit(&s->x, memory_order_relaxed);
        atomic_store_explicit(&s->done, round, memory_order_release); /* publishes r2 */
    }
    return NULL;
}

static void heavy_and_light_fences_forbid_the_store_buffer_outcome(void **state)
{
    (void)state;
    static struct sb s;
    int both_zero = 0;
    steady__membarrier_init();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sb_producer, &s), 0);
    for (uint32_t round = 1; round <= SB_ROUNDS; round++) {
        atomic_store_explicit(&s.x, 0, memory_order_relaxed);
        atomic_store_explicit(&s.y, 0, memory_order_relaxed);
        atomic_store_explicit(&s.go, round, memory_order_release); /* publishes the resets */
        atomic_store_explicit(&s.x, 1, memory_order_relaxed);
        steady__heavy_fence();
        int r1 = atomic_load_explicit(&s.y, memory_order_relaxed);
        await_round(&s.done, round); /* the producer's release of done */
        both_zero += r1 == 0 && s.r2 == 0;
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(both_zero, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_futex_wakes_a_waiter_in_another_process), /* forks: first */
        cmocka_unit_test(wait_returns_eagain_when_the_word_already_changed),
        cmocka_unit_test(wait_times_out_no_earlier_than_its_relative_timeout),
        cmocka_unit_test(wake_without_waiters_wakes_nobody),
        cmocka_unit_test(wake_reaches_a_parked_waiter_which_then_sees_the_published_data),
        cmocka_unit_test(membarrier_is_available_on_this_kernel),
        cmocka_unit_test(heavy_and_light_fences_forbid_the_store_buffer_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
