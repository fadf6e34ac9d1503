/* lesson02a_actors_test.c — lesson 02A's actors alone, with the testing kit. The worker: in a
 * test graph its poison stops the run and the report names it; with restarts kept (as in
 * production) the poison is moved to the dead letters after three tries and every other value
 * arrives, in order, exactly once. The generator under chaos resumes exactly after each
 * failure; the logger, the dead letters and the heartbeat each do their one job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <steady/testing.h>

#include "lesson02a.h"

#define LIMIT_MS 10000

static bool same_fizzbuzz(const void *a, const void *b)
{
    const fizzbuzz_msg *x = a, *y = b;
    return x->value == y->value && x->kind == y->kind;
}

typedef struct rig {
    steady_graph *g;
    worker_io io;
    steady_test_drain *out, *dead;
} rig;

/* beats 0..2 and values 1..10 injected (closed after), out and dead letters drained. */
static void rig_start(rig *r, lesson02a_args *args, bool restarts)
{
    static const uint64_t beats[] = {0, 1, 2};
    static const uint64_t values[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_int_equal(
        steady_test_graph_new(
            &r->g, &(steady_test_opts){.name = "lesson02a", .args = args, .restarts = restarts}),
        STEADY_OK);
    u64ch_tx beats_tx, values_tx;
    fbch_rx out_rx;
    u64ch_rx dead_rx;
    assert_int_equal(u64ch_new(r->g, "beats", 4, &beats_tx, &r->io.beats), STEADY_OK);
    assert_int_equal(u64ch_new(r->g, "values", 16, &values_tx, &r->io.values), STEADY_OK);
    assert_int_equal(fbch_new(r->g, "fizzbuzz", 16, &r->io.out, &out_rx), STEADY_OK);
    assert_int_equal(u64ch_new(r->g, "dead", 4, &r->io.dead, &dead_rx), STEADY_OK);
    assert_int_equal(u64ch_rx_set_showstopper(r->io.values, SHOWSTOPPER_TRIES, r->io.dead),
                     STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(r->g,
                           &(steady_actor_opts){.name = "worker",
                                                .run = worker_run,
                                                .arg = &r->io,
                                                .rxs = STEADY_RXS(r->io.beats, r->io.values),
                                                .txs = STEADY_TXS(r->io.out, r->io.dead),
                                                .state_size = sizeof(worker_state)},
                           NULL),
        STEADY_OK);
    assert_int_equal(steady_test_inject_new(r->g, "heartbeat", beats_tx.raw, beats, 3, true, NULL),
                     STEADY_OK);
    assert_int_equal(
        steady_test_inject_new(r->g, "generator", values_tx.raw, values, 10, true, NULL),
        STEADY_OK);
    assert_int_equal(steady_test_drain_new(r->g, "logger", out_rx.raw, &r->out), STEADY_OK);
    assert_int_equal(steady_test_drain_new(r->g, "dead-letters", dead_rx.raw, &r->dead), STEADY_OK);
    steady_test_drain_compare(r->out, same_fizzbuzz);
    assert_int_equal(steady_graph_start(r->g), STEADY_OK);
}

/* A test graph reports the first failure: the poison, with its reason. */
static void in_a_test_graph_the_poison_stops_the_run_and_is_named(void **state)
{
    (void)state;
    static lesson02a_args args = {.poison = 5};
    static rig r;
    memset(&r, 0, sizeof r);
    steady_test_log_begin();
    rig_start(&r, &args, false);
    steady_err e = steady_graph_block_until_stopped(r.g, LIMIT_MS);
    char report[2048];
    steady_graph_report(r.g, report, sizeof report);
    steady_test_log_end();
    assert_int_equal(e, STEADY_EDEGRADED);
    if (!strstr(report, "actor 'worker': stopped for good after 1 failure") ||
        !strstr(report, "panic: value 5 is poison (try 1; after 3 it is moved aside)"))
        fail_msg("report:\n%s", report);
    fizzbuzz_msg before[4];
    for (int i = 0; i < 4; i++)
        before[i] = fizzbuzz_of((uint64_t)i + 1);
    assert_true(steady_test_expect_equal(r.out, before, 4, NULL)); /* 1..4, nothing after */
    assert_true(steady_test_expect_count(r.dead, 0));
    steady_test_graph_free(r.g);
}

/* With restarts kept, the showstopper moves the poison aside after three tries. */
static void with_restarts_the_poison_goes_to_the_dead_letters(void **state)
{
    (void)state;
    static lesson02a_args args = {.poison = 5};
    static rig r;
    memset(&r, 0, sizeof r);
    steady_test_log_begin();
    rig_start(&r, &args, true);
    assert_true(steady_test_until_stopped(r.g, LIMIT_MS));
    assert_int_equal(steady_graph_block_until_stopped(r.g, 1000), STEADY_OK);
    fizzbuzz_msg rest[9];
    for (uint64_t v = 1, i = 0; v <= 10; v++)
        if (v != 5)
            rest[i++] = fizzbuzz_of(v);
    assert_true(steady_test_expect_equal(r.out, rest, 9, NULL));
    assert_true(steady_test_expect_equal(r.dead, (uint64_t[]){5}, 1, NULL));
    const char *said[] = {"value 5 is poison (try 1; after 3 it is moved aside)",
                          "value 5 is poison (try 2;", "value 5 is poison (try 3;",
                          "moved to dead letter 'dead'", "Worker shutting down"};
    assert_true(steady_test_log_expect(said, 5));
    steady_test_log_end();
    steady_test_graph_free(r.g);
}

/* ---- the other four actors ---- */

static steady_actor *spawn_one(steady_graph *g, const char *name, steady_actor_fn run, void *io,
                               size_t state_size, steady_state_init_fn init, void *init_arg,
                               steady_tx *const *txs, steady_rx *const *rxs)
{
    steady_actor *a;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = name,
                                                             .run = run,
                                                             .arg = io,
                                                             .state_size = state_size,
                                                             .state_init = init,
                                                             .state_init_arg = init_arg,
                                                             .txs = txs,
                                                             .rxs = rxs},
                                        &a),
                     STEADY_OK);
    return a;
}

/* With --chaos the generator fails now and then between sending and recording; restarted, it
 * resumes from what the channel says was sent: 0, 1, 2, ... with no gap and no repeat. */
static void the_generator_under_chaos_resumes_exactly(void **state)
{
    (void)state;
    static lesson02a_args args = {.chaos = 1, .seed = 7};
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(
                         &g, &(steady_test_opts){.name = "gen", .args = &args, .restarts = true}),
                     STEADY_OK);
    static generator_io io;
    u64ch_rx values;
    assert_int_equal(u64ch_new(g, "values", 64, &io.values, &values), STEADY_OK);
    steady_actor *gen = spawn_one(g, "generator", generator_run, &io, sizeof(generator_state),
                                  generator_init, &args, STEADY_TXS(io.values), NULL);
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "worker", values.raw, &d), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_drained(g, d, 3000, LIMIT_MS));
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, LIMIT_MS), STEADY_OK);
    static uint64_t first[3000];
    for (uint64_t i = 0; i < 3000; i++)
        first[i] = i;
    assert_true(steady_test_expect_prefix(d, first, 3000, NULL));
    assert_true(steady_test_expect_count(
        d, (size_t)steady_channel_sent_total(u64ch_tx_channel(io.values))));
    const char *said[] = {"chaos: generator fails after sending", "Generator starting (restart #1)",
                          "Generator shutting down. Total generated:"};
    assert_true(steady_test_log_expect(said, 3));
    assert_true(steady_actor_regeneration(gen) >= 1);
    steady_test_log_end();
    steady_test_graph_free(g);
}

static void the_logger_counts_each_kind(void **state)
{
    (void)state;
    static lesson02a_args args = {0};
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "log", .args = &args}),
                     STEADY_OK);
    static logger_io io;
    fbch_tx in;
    assert_int_equal(fbch_new(g, "fizzbuzz", 8, &in, &io.in), STEADY_OK);
    spawn_one(g, "logger", logger_run, &io, sizeof(logger_state), logger_init, &args, NULL,
              STEADY_RXS(io.in));
    fizzbuzz_msg msgs[15];
    for (int i = 0; i < 15; i++)
        msgs[i] = fizzbuzz_of((uint64_t)i + 1);
    assert_int_equal(steady_test_inject_new(g, "worker", in.raw, msgs, 15, true, NULL), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, LIMIT_MS));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    const char *said[] = {"Logger starting",
                          "Logger shutting down. Total: 15 (F:4, B:2, FB:1, V:8)"};
    assert_true(steady_test_log_expect(said, 2));
    steady_test_log_end();
    steady_test_graph_free(g);
}

static void the_dead_letters_log_each_showstopper(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, NULL), STEADY_OK);
    static dead_letters_io io;
    u64ch_tx in;
    assert_int_equal(u64ch_new(g, "dead", 4, &in, &io.in), STEADY_OK);
    steady_actor *dl = spawn_one(g, "dead-letters", dead_letters_run, &io,
                                 sizeof(dead_letters_state), NULL, NULL, NULL, STEADY_RXS(io.in));
    assert_int_equal(
        steady_test_inject_new(g, "worker", in.raw, (uint64_t[]){33, 34}, 2, true, NULL),
        STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, LIMIT_MS));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    assert_int_equal(((const dead_letters_state *)steady_actor_state(dl))->count, 2);
    const char *said[] = {"dead letter: 33 (moved aside after 3 failed tries)", "dead letter: 34",
                          "Dead letters shutting down. Total: 2"};
    assert_true(steady_test_log_expect(said, 3));
    steady_test_log_end();
    steady_test_graph_free(g);
}

static void the_heartbeat_beats_then_asks_for_the_stop(void **state)
{
    (void)state;
    static lesson02a_args args = {.rate_ms = 1, .beats = 4};
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "hb", .args = &args}),
                     STEADY_OK);
    static heartbeat_io io;
    u64ch_rx beats;
    assert_int_equal(u64ch_new(g, "beats", 8, &io.beats, &beats), STEADY_OK);
    spawn_one(g, "heartbeat", heartbeat_run, &io, sizeof(heartbeat_state), heartbeat_init, &args,
              STEADY_TXS(io.beats), NULL);
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "worker", beats.raw, &d), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, LIMIT_MS), STEADY_OK);
    assert_true(steady_test_expect_count(d, 4));
    const char *said[] = {"Heartbeat starting: 4 beats, one every 1 ms",
                          "Heartbeat shutting down. Beats: 4"};
    assert_true(steady_test_log_expect(said, 2));
    steady_test_log_end();
    steady_test_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_a_test_graph_the_poison_stops_the_run_and_is_named),
        cmocka_unit_test(with_restarts_the_poison_goes_to_the_dead_letters),
        cmocka_unit_test(the_generator_under_chaos_resumes_exactly),
        cmocka_unit_test(the_logger_counts_each_kind),
        cmocka_unit_test(the_dead_letters_log_each_showstopper),
        cmocka_unit_test(the_heartbeat_beats_then_asks_for_the_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
