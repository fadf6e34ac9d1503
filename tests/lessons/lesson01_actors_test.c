/* lesson01_actors_test.c — each actor of lesson 01 tested alone with the testing kit
 * (steady/testing.h): its inputs injected, its outputs drained, its last log line checked.
 * These are the examples a user copies: no sleeps, every wait has a condition and a limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include <steady/testing.h>

#include "lesson01.h"

#define LIMIT_MS 10000

static const char *const kinds[] = {"Value", "Fizz", "Buzz", "FizzBuzz"};

static void show_fizzbuzz(char *buf, size_t cap, const void *elem)
{
    const fizzbuzz_msg *m = elem;
    snprintf(buf, cap, "{%llu, %s}", (unsigned long long)m->value,
             m->kind < 4 ? kinds[m->kind] : "?");
}

/* fizzbuzz_msg has 4 bytes of padding: compare the fields, not the bytes. */
static bool same_fizzbuzz(const void *a, const void *b)
{
    const fizzbuzz_msg *x = a, *y = b;
    return x->value == y->value && x->kind == y->kind;
}

static steady_graph *test_graph(lesson01_args *args)
{
    steady_graph *g;
    assert_int_equal(
        steady_test_graph_new(&g, &(steady_test_opts){.name = "lesson01", .args = args}),
        STEADY_OK);
    return g;
}

static void spawn(steady_graph *g, const char *name, steady_actor_fn run, void *io,
                  size_t state_size, steady_tx *const *txs, steady_rx *const *rxs,
                  steady_actor **out)
{
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = name,
                                                             .run = run,
                                                             .arg = io,
                                                             .state_size = state_size,
                                                             .txs = txs,
                                                             .rxs = rxs},
                                        out),
                     STEADY_OK);
}

/* The worker turns every value into its FizzBuzz message, in order, on beats and after them. */
static void the_worker_turns_values_into_fizzbuzz_in_order(void **state)
{
    (void)state;
    steady_graph *g = test_graph(NULL);
    static worker_io io;
    u64ch_tx beats, values;
    fbch_rx out;
    assert_int_equal(u64ch_new(g, "beats", 4, &beats, &io.beats), STEADY_OK);
    assert_int_equal(u64ch_new(g, "values", 8, &values, &io.values), STEADY_OK);
    assert_int_equal(fbch_new(g, "fizzbuzz", 8, &io.out, &out), STEADY_OK);
    spawn(g, "worker", worker_run, &io, sizeof(worker_state), STEADY_TXS(io.out),
          STEADY_RXS(io.beats, io.values), NULL);
    static const uint64_t three_beats[] = {0, 1, 2};
    uint64_t v[15];
    fizzbuzz_msg want[15];
    for (int i = 0; i < 15; i++)
        want[i] = fizzbuzz_of(v[i] = (uint64_t)i + 1);
    steady_test_drain *d;
    assert_int_equal(steady_test_inject_new(g, "heartbeat", beats.raw, three_beats, 3, true, NULL),
                     STEADY_OK);
    assert_int_equal(steady_test_inject_new(g, "generator", values.raw, v, 15, true, NULL),
                     STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "logger", out.raw, &d), STEADY_OK);
    steady_test_drain_compare(d, same_fizzbuzz);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, LIMIT_MS));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    assert_true(steady_test_expect_equal(d, want, 15, show_fizzbuzz));
    const char *said[] = {"Worker shutting down. Beats: 3, values: 15"};
    assert_true(steady_test_log_expect(said, 1));
    steady_test_log_end();
    steady_test_graph_free(g);
}

/* The logger counts each kind and says the exact total last. */
static void the_logger_counts_each_kind_and_says_the_total(void **state)
{
    (void)state;
    steady_graph *g = test_graph(NULL);
    static logger_io io;
    fbch_tx in;
    assert_int_equal(fbch_new(g, "fizzbuzz", 8, &in, &io.in), STEADY_OK);
    steady_actor *logger;
    spawn(g, "logger", logger_run, &io, sizeof(logger_state), NULL, STEADY_RXS(io.in), &logger);
    fizzbuzz_msg msgs[15];
    for (int i = 0; i < 15; i++)
        msgs[i] = fizzbuzz_of((uint64_t)i + 1);
    assert_int_equal(steady_test_inject_new(g, "worker", in.raw, msgs, 15, true, NULL), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, LIMIT_MS));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    const logger_state *st = steady_actor_state(logger);
    assert_true(st->fizz == 4 && st->buzz == 2 && st->fizzbuzz == 1 && st->value == 8);
    const char *said[] = {"Logger shutting down. Total: 15 (F:4, B:2, FB:1, V:8)"};
    assert_true(steady_test_log_expect(said, 1));
    steady_test_log_end();
    steady_test_graph_free(g);
}

/* The heartbeat sends 0, 1, ... one per period, and after --beats asks the graph to stop. */
static void the_heartbeat_beats_then_asks_for_the_stop(void **state)
{
    (void)state;
    static lesson01_args args = {.rate_ms = 1, .beats = 5, .capacity = 4};
    steady_graph *g = test_graph(&args);
    static heartbeat_io io;
    u64ch_rx beats;
    assert_int_equal(u64ch_new(g, "beats", 4, &io.beats, &beats), STEADY_OK);
    spawn(g, "heartbeat", heartbeat_run, &io, sizeof(heartbeat_state), STEADY_TXS(io.beats), NULL,
          NULL);
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "worker", beats.raw, &d), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    /* its own request stops the graph: nothing else asks */
    assert_int_equal(steady_graph_block_until_stopped(g, LIMIT_MS), STEADY_OK);
    assert_true(steady_test_expect_equal(d, (uint64_t[]){0, 1, 2, 3, 4}, 5, NULL));
    const char *said[] = {"Heartbeat shutting down. Beats: 5"};
    assert_true(steady_test_log_expect(said, 1));
    steady_test_log_end();
    steady_test_graph_free(g);
}

/* The generator emits 0, 1, 2, ... in order, as long as the graph runs; the stop is exact. */
static void the_generator_counts_up_until_the_stop(void **state)
{
    (void)state;
    steady_graph *g = test_graph(NULL);
    static generator_io io;
    u64ch_rx values;
    assert_int_equal(u64ch_new(g, "values", 16, &io.values, &values), STEADY_OK);
    steady_actor *gen;
    spawn(g, "generator", generator_run, &io, sizeof(generator_state), STEADY_TXS(io.values), NULL,
          &gen);
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "worker", values.raw, &d), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_drained(g, d, 1000, LIMIT_MS));
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, LIMIT_MS), STEADY_OK);
    uint64_t first[1000];
    for (uint64_t i = 0; i < 1000; i++)
        first[i] = i;
    assert_true(steady_test_expect_prefix(d, first, 1000, NULL));
    const generator_state *st = steady_actor_state(gen);
    assert_true(steady_test_expect_count(d, (size_t)st->next)); /* every value sent was taken */
    steady_test_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_worker_turns_values_into_fizzbuzz_in_order),
        cmocka_unit_test(the_logger_counts_each_kind_and_says_the_total),
        cmocka_unit_test(the_heartbeat_beats_then_asks_for_the_stop),
        cmocka_unit_test(the_generator_counts_up_until_the_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
