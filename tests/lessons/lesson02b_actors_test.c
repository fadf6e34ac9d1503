/* lesson02b_actors_test.c — lesson 02B's actors alone, with the testing kit: the worker in both
 * modes (zero copy between the rings, double buffer through its own buffer) turns every value
 * into fizzbuzz_encode(value) in order, across batches and a last partial batch; the logger
 * counts each kind; the generator counts up in place until the stop; the heartbeat beats and
 * asks for the stop. No sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <steady/testing.h>

#include "lesson02b.h"

#define LIMIT_MS 10000
#define N 1000 /* values: 7 batches of 128 and a partial one */

static steady_graph *test_graph(lesson02b_args *args)
{
    steady_graph *g;
    assert_int_equal(
        steady_test_graph_new(&g, &(steady_test_opts){.name = "lesson02b", .args = args}),
        STEADY_OK);
    return g;
}

static void worker_turns_values_into_encoded_messages(worker_mode mode)
{
    static lesson02b_args args;
    args = (lesson02b_args){.rate_ms = 1, .beats = 3, .capacity = 256, .batch = 128, .mode = mode};
    steady_graph *g = test_graph(&args);
    static worker_io io;
    static uint64_t buffer[128];
    io.buffer = buffer;
    u64ch_tx beats, values;
    u64ch_rx out;
    assert_int_equal(u64ch_new(g, "beats", 8, &beats, &io.beats), STEADY_OK);
    assert_int_equal(u64ch_new(g, "values", 256, &values, &io.values), STEADY_OK);
    assert_int_equal(u64ch_new(g, "fizzbuzz", 256, &io.out, &out), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "worker",
                                                             .run = worker_run,
                                                             .arg = &io,
                                                             .rxs = STEADY_RXS(io.beats, io.values),
                                                             .txs = STEADY_TXS(io.out),
                                                             .state_size = sizeof(worker_state)},
                                        NULL),
                     STEADY_OK);
    static uint64_t v[N], want[N];
    for (uint64_t i = 0; i < N; i++)
        want[i] = fizzbuzz_encode(v[i] = i);
    steady_test_drain *d;
    assert_int_equal(
        steady_test_inject_new(g, "heartbeat", beats.raw, (uint64_t[]){0, 1, 2}, 3, true, NULL),
        STEADY_OK);
    assert_int_equal(steady_test_inject_new(g, "generator", values.raw, v, N, true, NULL),
                     STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "logger", out.raw, &d), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, LIMIT_MS));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    assert_true(steady_test_expect_equal(d, want, N, NULL));
    const char *said[] = {"Worker shutting down. Beats: 3, values: 1000"};
    assert_true(steady_test_log_expect(said, 1));
    steady_test_log_end();
    steady_test_graph_free(g);
}

static void the_worker_in_place_encodes_every_value_in_order(void **state)
{
    (void)state;
    worker_turns_values_into_encoded_messages(MODE_ZERO_COPY);
}

static void the_worker_through_its_buffer_encodes_every_value_in_order(void **state)
{
    (void)state;
    worker_turns_values_into_encoded_messages(MODE_DOUBLE_BUFFER);
}

static void the_logger_counts_each_kind_in_place(void **state)
{
    (void)state;
    static lesson02b_args args = {.batch = 64};
    steady_graph *g = test_graph(&args);
    static logger_io io;
    u64ch_tx in;
    assert_int_equal(u64ch_new(g, "fizzbuzz", 128, &in, &io.in), STEADY_OK);
    steady_actor *logger;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "logger",
                                                             .run = logger_run,
                                                             .arg = &io,
                                                             .rxs = STEADY_RXS(io.in),
                                                             .state_size = sizeof(logger_state)},
                                        &logger),
                     STEADY_OK);
    static uint64_t msgs[150];
    for (uint64_t i = 0; i < 150; i++)
        msgs[i] = fizzbuzz_encode(i + 1); /* 1..150: F 40, B 20, FB 10, V 80 */
    assert_int_equal(steady_test_inject_new(g, "worker", in.raw, msgs, 150, true, NULL), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, LIMIT_MS));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    const logger_state *st = steady_actor_state(logger);
    assert_true(st->counts[FB_FIZZ] == 40 && st->counts[FB_BUZZ] == 20 &&
                st->counts[FB_FIZZBUZZ] == 10 && st->counts[FB_VALUE] == 80);
    const char *said[] = {"Logger shutting down. Total: 150 (F:40, B:20, FB:10, V:80)"};
    assert_true(steady_test_log_expect(said, 1));
    steady_test_log_end();
    steady_test_graph_free(g);
}

static void the_generator_writes_in_place_until_the_stop(void **state)
{
    (void)state;
    static lesson02b_args args = {.batch = 32};
    steady_graph *g = test_graph(&args);
    static generator_io io;
    u64ch_rx values;
    assert_int_equal(u64ch_new(g, "values", 64, &io.values, &values), STEADY_OK);
    steady_actor *gen;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "generator",
                                                             .run = generator_run,
                                                             .arg = &io,
                                                             .txs = STEADY_TXS(io.values),
                                                             .state_size = sizeof(generator_state)},
                                        &gen),
                     STEADY_OK);
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "worker", values.raw, &d), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_drained(g, d, 2000, LIMIT_MS));
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, LIMIT_MS), STEADY_OK);
    static uint64_t first[2000];
    for (uint64_t i = 0; i < 2000; i++)
        first[i] = i;
    assert_true(steady_test_expect_prefix(d, first, 2000, NULL));
    const generator_state *st = steady_actor_state(gen);
    assert_true(steady_test_expect_count(d, (size_t)st->next));
    steady_test_graph_free(g);
}

static void the_heartbeat_beats_then_asks_for_the_stop(void **state)
{
    (void)state;
    static lesson02b_args args = {.rate_ms = 1, .beats = 4};
    steady_graph *g = test_graph(&args);
    static heartbeat_io io;
    u64ch_rx beats;
    assert_int_equal(u64ch_new(g, "beats", 8, &io.beats, &beats), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "heartbeat",
                                                             .run = heartbeat_run,
                                                             .arg = &io,
                                                             .txs = STEADY_TXS(io.beats),
                                                             .state_size = sizeof(heartbeat_state)},
                                        NULL),
                     STEADY_OK);
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "worker", beats.raw, &d), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, LIMIT_MS), STEADY_OK);
    assert_true(steady_test_expect_equal(d, (uint64_t[]){0, 1, 2, 3}, 4, NULL));
    steady_test_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_worker_in_place_encodes_every_value_in_order),
        cmocka_unit_test(the_worker_through_its_buffer_encodes_every_value_in_order),
        cmocka_unit_test(the_logger_counts_each_kind_in_place),
        cmocka_unit_test(the_generator_writes_in_place_until_the_stop),
        cmocka_unit_test(the_heartbeat_beats_then_asks_for_the_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
