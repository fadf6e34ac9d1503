/* lesson02b_graph_test.c — lesson 02B's whole graph, built by the lesson's own build() (its
 * pipeline.c is included), in each placement and each worker mode, with the stage manager
 * playing the heartbeat, the generator and the logger: the real worker encodes the values the
 * test sends in batches, and on the producers' end drains the last, short batch and closes
 * its output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <steady/testing.h>

#include "pipeline.c"

#define BATCH 4
#define VALUES 10 /* two whole batches, and two values the end drains */

static void run_one(placement p, worker_mode mode)
{
    static lesson02b_args args;
    args = (lesson02b_args){.rate_ms = 1, .beats = 3, .capacity = 16, .batch = BATCH, .mode = mode};
    static lesson02b_graph io;
    memset(&io, 0, sizeof io);
    uint64_t buffer[BATCH];
    io.worker.buffer = buffer; /* the double buffer's half: pipeline_start's malloc */
    const char *const stand_ins[] = {"heartbeat", "generator", "logger", NULL};
    steady_graph *g;
    assert_int_equal(
        steady_test_graph_new(
            &g, &(steady_test_opts){.name = "lesson-02b", .args = &args, .stand_ins = stand_ins}),
        STEADY_OK);
    assert_int_equal(build(g, &io, &args, p), STEADY_OK); /* the lesson's own graph */
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    for (uint64_t v = 1; v <= VALUES; v++)
        assert_true(steady_test_stage_send(g, "generator", 0, &v, 1000));
    uint64_t beat = 0;
    assert_true(steady_test_stage_send(g, "heartbeat", 0, &beat, 1000));
    for (uint64_t v = 1; v <= VALUES - VALUES % BATCH; v++) {
        uint64_t want = fizzbuzz_encode(v);
        assert_true(steady_test_stage_expect(g, "logger", 0, &want, NULL, 5000, NULL));
    }
    /* The producers end: the short batch drains, then the output closes. */
    assert_true(steady_test_stage_end(g, "heartbeat"));
    assert_true(steady_test_stage_end(g, "generator"));
    for (uint64_t v = VALUES - VALUES % BATCH + 1; v <= VALUES; v++) {
        uint64_t want = fizzbuzz_encode(v);
        assert_true(steady_test_stage_expect(g, "logger", 0, &want, NULL, 5000, NULL));
    }
    uint64_t none = 0;
    assert_false(steady_test_stage_expect(g, "logger", 0, &none, NULL, 5000, NULL));
    assert_non_null(strstr(steady_test_failure(), "got nothing: the channel is closed and empty"));
    assert_true(steady_test_stage_end(g, "logger"));
    assert_true(steady_test_until_stopped(g, 10000));
    steady_err e = steady_graph_block_until_stopped(g, 1000);
    const char *const last[] = {"Worker shutting down. Beats: 1, values: 10"};
    bool said = steady_test_log_expect(last, 1);
    steady_test_log_end();
    assert_true(said);
    assert_int_equal(e, STEADY_OK);
    steady_test_graph_free(g);
}

static void every_placement_and_mode_encodes_every_value_once(void **state)
{
    (void)state;
    for (int p = 0; p < PLACE_COUNT; p++)
        for (int m = MODE_ZERO_COPY; m <= MODE_DOUBLE_BUFFER; m++) {
            printf("placement %s, mode %d\n", placement_names[p], m);
            run_one((placement)p, (worker_mode)m);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_placement_and_mode_encodes_every_value_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
