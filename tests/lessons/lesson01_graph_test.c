/* lesson01_graph_test.c — lesson 01's whole graph, built by the lesson's own build() (its
 * main.c is included with main renamed), with the stage manager playing the heartbeat, the
 * generator and the logger: the real worker between them turns the values the test sends into
 * FizzBuzz, on the beats the test sends, and the shutdown ripples down when the test ends the
 * producers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <steady/testing.h>

#define main lesson01_main
int lesson01_main(int argc, char **argv); /* the lesson's own main, unused here */
#include "main.c"
#undef main

static bool same_fizzbuzz(const void *a, const void *b)
{
    const fizzbuzz_msg *x = a, *y = b;
    return x->value == y->value && x->kind == y->kind;
}

static void show_fizzbuzz(char *buf, size_t cap, const void *elem)
{
    const fizzbuzz_msg *m = elem;
    snprintf(buf, cap, "{%llu, kind %u}", (unsigned long long)m->value, (unsigned)m->kind);
}

static void the_worker_between_stand_ins_does_fizzbuzz_on_each_beat(void **state)
{
    (void)state;
    static lesson01_args args = {.rate_ms = 1, .beats = 3, .capacity = 16};
    static lesson01_graph io;
    const char *const stand_ins[] = {"heartbeat", "generator", "logger", NULL};
    steady_graph *g;
    assert_int_equal(
        steady_test_graph_new(
            &g, &(steady_test_opts){.name = "lesson-01", .args = &args, .stand_ins = stand_ins}),
        STEADY_OK);
    assert_int_equal(build(g, &io, &args), STEADY_OK); /* the lesson's own graph */
    assert_true(steady_test_stage_compare(g, "logger", same_fizzbuzz));
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    for (int round = 0; round < 3; round++) {
        for (uint64_t v = 1; v <= 5; v++) {
            uint64_t value = (uint64_t)round * 5 + v;
            assert_true(steady_test_stage_send(g, "generator", 0, &value, 1000));
        }
        uint64_t beat = (uint64_t)round;
        assert_true(steady_test_stage_send(g, "heartbeat", 0, &beat, 1000));
        for (uint64_t v = 1; v <= 5; v++) {
            fizzbuzz_msg want = fizzbuzz_of((uint64_t)round * 5 + v);
            assert_true(steady_test_stage_expect(g, "logger", 0, &want, show_fizzbuzz, 5000, NULL));
        }
    }
    /* The producers end: the worker drains, closes its output, the logger sees it closed. */
    assert_true(steady_test_stage_end(g, "heartbeat"));
    assert_true(steady_test_stage_end(g, "generator"));
    fizzbuzz_msg none = fizzbuzz_of(16);
    assert_false(steady_test_stage_expect(g, "logger", 0, &none, show_fizzbuzz, 5000, NULL));
    assert_non_null(strstr(steady_test_failure(), "got nothing: the channel is closed and empty"));
    assert_true(steady_test_stage_end(g, "logger"));
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    steady_test_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_worker_between_stand_ins_does_fizzbuzz_on_each_beat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
