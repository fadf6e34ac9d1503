/* lesson02a_worker_test.c — lesson 02A's worker alone, with the testing kit: in a test graph
 * its poison stops the run and the report names it; with restarts kept (as in production) the
 * poison is moved to the dead letters after three tries and every other value arrives, in
 * order, exactly once. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_a_test_graph_the_poison_stops_the_run_and_is_named),
        cmocka_unit_test(with_restarts_the_poison_goes_to_the_dead_letters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
