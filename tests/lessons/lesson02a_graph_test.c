/* lesson02a_graph_test.c — lesson 02A's whole graph, built by the lesson's own build() (its
 * main.c is included with main renamed), with the stage manager playing the heartbeat, the
 * generator, the logger and the dead letters, and restarts kept as in production: the real
 * worker between them turns values into FizzBuzz on each beat, fails on the poison three
 * times, and the supervisor moves the poison to the dead letters; the values after it still
 * arrive, in order, none lost and none twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <steady/testing.h>

#define main lesson02a_main
int lesson02a_main(int argc, char **argv); /* the lesson's own main, unused here */
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

static void expect_fizzbuzz(steady_graph *g, uint64_t from, uint64_t to)
{
    for (uint64_t v = from; v <= to; v++) {
        fizzbuzz_msg want = fizzbuzz_of(v);
        assert_true(steady_test_stage_expect(g, "logger", 0, &want, show_fizzbuzz, 5000, NULL));
    }
}

static void the_poison_goes_to_the_dead_letters_and_the_rest_arrives(void **state)
{
    (void)state;
    static lesson02a_args args = {.rate_ms = 1, .beats = 3, .capacity = 16, .poison = 4};
    static lesson02a_graph io;
    const char *const stand_ins[] = {"heartbeat", "generator", "logger", "dead-letters", NULL};
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "lesson-02a",
                                                                   .args = &args,
                                                                   .stand_ins = stand_ins,
                                                                   .restarts = true}),
                     STEADY_OK);
    assert_int_equal(build(g, &io, &args), STEADY_OK); /* the lesson's own graph */
    assert_true(steady_test_stage_compare(g, "logger", same_fizzbuzz));
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    for (uint64_t v = 1; v <= 8; v++)
        assert_true(steady_test_stage_send(g, "generator", 0, &v, 1000));
    uint64_t beat = 0;
    assert_true(steady_test_stage_send(g, "heartbeat", 0, &beat, 1000));
    expect_fizzbuzz(g, 1, 3); /* the batch stops before the poison */
    /* The worker meets the poison at each beat: three failed generations, then the supervisor
     * moves it aside. Beats until the dead letters have it (a timeout there is only a poll). */
    uint64_t poison = 4;
    bool moved = false;
    for (beat = 1; beat <= 10 && !moved; beat++) {
        assert_true(steady_test_stage_send(g, "heartbeat", 0, &beat, 1000));
        moved = steady_test_stage_expect(g, "dead-letters", 0, &poison, NULL, 500, NULL);
    }
    assert_true(moved);
    assert_true(steady_test_stage_send(g, "heartbeat", 0, &beat, 1000));
    expect_fizzbuzz(g, 5, 8);
    const char *const lines[] = {"value 4 is poison (try 1; after 3 it is moved aside)",
                                 "value 4 is poison (try 2", "value 4 is poison (try 3",
                                 "Worker starting (restart #3)"};
    assert_true(steady_test_log_expect(lines, 4));
    /* The producers end: the worker drains and closes its output. */
    assert_true(steady_test_stage_end(g, "heartbeat"));
    assert_true(steady_test_stage_end(g, "generator"));
    fizzbuzz_msg none = fizzbuzz_of(9);
    assert_false(steady_test_stage_expect(g, "logger", 0, &none, show_fizzbuzz, 5000, NULL));
    assert_non_null(strstr(steady_test_failure(), "got nothing: the channel is closed and empty"));
    assert_true(steady_test_stage_end(g, "logger"));
    assert_true(steady_test_stage_end(g, "dead-letters"));
    assert_true(steady_test_until_stopped(g, 10000));
    steady_err e = steady_graph_block_until_stopped(g, 1000);
    steady_test_log_end();
    assert_int_equal(e, STEADY_OK); /* restarted, never stopped for good: clean */
    steady_actor_info ai[N_ACTORS];
    assert_int_equal(steady_inspect_actors(g, ai, N_ACTORS), N_ACTORS);
    assert_int_equal(ai[WORKER].failures, 3);
    assert_int_equal(ai[WORKER].regeneration, 3);
    steady_test_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_poison_goes_to_the_dead_letters_and_the_rest_arrives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
