/*
 * thread_test.c: specification of src/platform/thread.h.
 *
 * Tests that change the calling thread's name or affinity do it on a thread of their own, so
 * the runner's thread stays as it was.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/thread.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>

static void fit(const char *in, char out[STEADY__THREAD_NAME_MAX + 1])
{
    memset(out, 'X', STEADY__THREAD_NAME_MAX + 1); /* no NUL unless the function writes one */
    steady__thread_name_fit(in, out);
}

static void names_of_up_to_15_bytes_are_kept_unchanged(void **state)
{
    (void)state;
    char out[16];
    fit("generator-17", out);
    assert_string_equal(out, "generator-17");
    fit("exactly15chars_", out);
    assert_string_equal(out, "exactly15chars_");
    fit("", out);
    assert_string_equal(out, "");
}

static void long_names_keep_their_numeric_suffix_after_a_tilde(void **state)
{
    (void)state;
    char out[16];
    fit("very_long_actor_name 3", out);
    assert_string_equal(out, "very_long_act~3");
    fit("pipeline_stage_worker_123", out);
    assert_string_equal(out, "pipeline_st~123");
    fit("exactly16chars_7", out);
    assert_string_equal(out, "exactly16char~7");
}

static void long_names_without_digits_are_cut_to_14_bytes_and_a_tilde(void **state)
{
    (void)state;
    char out[16];
    fit("an_unreasonably_long_name", out);
    assert_string_equal(out, "an_unreasonabl~");
}

static void a_very_long_numeric_suffix_keeps_its_last_8_digits(void **state)
{
    (void)state;
    char out[16];
    fit("actor_12345678901234", out);
    assert_string_equal(out, "actor_~78901234");
}

static void null_name_becomes_empty(void **state)
{
    (void)state;
    char out[16];
    fit(NULL, out);
    assert_string_equal(out, "");
}

static void the_cut_never_splits_a_utf8_sequence(void **state)
{
    (void)state;
    char out[16];
    /* 13 ASCII bytes, then U+00E9 as bytes 13 and 14: cutting at 14 would split it */
    fit("aaaaaaaaaaaaa\xc3\xa9_and_more", out);
    assert_string_equal(out, "aaaaaaaaaaaaa~");
}

static void *name_self(void *arg)
{
    static char got[32];
    steady__thread_set_name(arg);
    if (pthread_getname_np(pthread_self(), got, sizeof got) != 0)
        return NULL;
    return got;
}

static void set_name_gives_the_calling_thread_the_fitted_name(void **state)
{
    (void)state;
    pthread_t t;
    void *got = NULL;
    assert_int_equal(pthread_create(&t, NULL, name_self, "very_long_actor_name 3"), 0);
    assert_int_equal(pthread_join(t, &got), 0);
    assert_non_null(got);
    assert_string_equal(got, "very_long_act~3");
}

static int first_allowed_cpu(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (size_t c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            return (int)c;
    return -1;
}

struct pin_result {
    int core, rc, cpu_after, cpus_allowed;
};

static void *pin_self(void *arg)
{
    struct pin_result *r = arg;
    r->rc = steady__thread_pin(r->core);
    r->cpu_after = sched_getcpu();
    cpu_set_t set;
    pthread_getaffinity_np(pthread_self(), sizeof set, &set);
    r->cpus_allowed = CPU_COUNT(&set);
    return NULL;
}

static void pin_moves_the_calling_thread_to_that_core_only(void **state)
{
    (void)state;
    struct pin_result r = {.core = first_allowed_cpu()};
    assert_true(r.core >= 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, pin_self, &r), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.cpu_after, r.core);
    assert_int_equal(r.cpus_allowed, 1);
}

static void pin_rejects_cores_that_do_not_exist_and_keeps_the_affinity(void **state)
{
    (void)state;
    cpu_set_t before, after;
    assert_int_equal(sched_getaffinity(0, sizeof before, &before), 0);
    assert_int_equal(steady__thread_pin(-1), EINVAL);
    assert_int_equal(steady__thread_pin(CPU_SETSIZE), EINVAL);
    assert_int_equal(steady__thread_pin(CPU_SETSIZE - 1), EINVAL);
    assert_int_equal(sched_getaffinity(0, sizeof after, &after), 0);
    assert_true(CPU_EQUAL(&before, &after));
}

static void thread_cpu_time_grows_with_work_and_not_with_sleep(void **state)
{
    (void)state;
    uint64_t cpu0 = steady__thread_cpu_ns();
    volatile uint64_t sink = 0;
    for (uint64_t i = 0; i < 10 * 1000 * 1000; i++)
        sink = sink + i;
    uint64_t cpu1 = steady__thread_cpu_ns();
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
    nanosleep(&nap, NULL);
    uint64_t cpu2 = steady__thread_cpu_ns();

    assert_true(cpu1 > cpu0);
    assert_true(cpu2 - cpu1 < 50u * 1000 * 1000);
}

static void monotonic_clock_never_goes_back_and_counts_sleep(void **state)
{
    (void)state;
    uint64_t prev = steady__mono_ns();
    unsigned backwards = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t now = steady__mono_ns();
        backwards += now < prev;
        prev = now;
    }
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
    uint64_t before = steady__mono_ns();
    nanosleep(&nap, NULL);
    uint64_t slept = steady__mono_ns() - before;

    assert_int_equal(backwards, 0);
    assert_true(slept >= 10u * 1000 * 1000);
}

static void cpu_relax_can_be_called_in_a_spin_loop(void **state)
{
    (void)state;
    for (int i = 0; i < 1000; i++)
        steady__cpu_relax();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_of_up_to_15_bytes_are_kept_unchanged),
        cmocka_unit_test(long_names_keep_their_numeric_suffix_after_a_tilde),
        cmocka_unit_test(long_names_without_digits_are_cut_to_14_bytes_and_a_tilde),
        cmocka_unit_test(a_very_long_numeric_suffix_keeps_its_last_8_digits),
        cmocka_unit_test(null_name_becomes_empty),
        cmocka_unit_test(the_cut_never_splits_a_utf8_sequence),
        cmocka_unit_test(set_name_gives_the_calling_thread_the_fitted_name),
        cmocka_unit_test(pin_moves_the_calling_thread_to_that_core_only),
        cmocka_unit_test(pin_rejects_cores_that_do_not_exist_and_keeps_the_affinity),
        cmocka_unit_test(thread_cpu_time_grows_with_work_and_not_with_sleep),
        cmocka_unit_test(monotonic_clock_never_goes_back_and_counts_sleep),
        cmocka_unit_test(cpu_relax_can_be_called_in_a_spin_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
