/* lesson00_heartbeat_test.c — lesson 00's whole graph with the testing kit, built by the
 * lesson's own build(): its one actor beats --beats times at --rate, logs each beat, asks for
 * the stop itself, and the graph stops cleanly. The lesson keeps its actor in main.c (a lesson
 * of one file), so the test includes that file with its main renamed. The graph has no channel,
 * so no edge for the stage manager to play: the test drives it by its clock instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <steady/testing.h>

#define main lesson00_main
int lesson00_main(int argc, char **argv); /* the lesson's own main, unused here */
#include "main.c"
#undef main

static void the_heartbeat_beats_logs_and_stops_the_graph(void **state)
{
    (void)state;
    static heartbeat_args args = {.rate_ms = 1, .beats = 3};
    steady_graph *g;
    steady_actor *hb;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "lesson00"}), STEADY_OK);
    assert_int_equal(build(g, &args, &hb), STEADY_OK); /* the lesson's own graph */
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK); /* its own request */
    const heartbeat_state *st = steady_actor_state(hb);
    assert_int_equal(st->count, 3);
    const char *said[] = {"Heartbeat 1 of 3 (every 1 ms)", "Heartbeat 2 of 3", "Heartbeat 3 of 3",
                          "stopped cleanly"};
    assert_true(steady_test_log_expect(said, 4));
    steady_test_log_end();
    steady_test_graph_free(g);
}

/* The lesson's real period (1 s) and an hour's: on virtual time both take no real time, and
 * each beat comes exactly one period after the last. */
static void on_virtual_time_an_hourly_heartbeat_takes_no_time(void **state)
{
    (void)state;
    static heartbeat_args args = {.rate_ms = 3600000, .beats = 3};
    steady_graph *g;
    steady_actor *hb;
    assert_int_equal(
        steady_test_graph_new(&g, &(steady_test_opts){.name = "lesson00", .virtual_time = true}),
        STEADY_OK);
    assert_int_equal(build(g, &args, &hb), STEADY_OK); /* the lesson's own graph */
    const heartbeat_state *st = steady_actor_state(hb);
    uint64_t t0 = steady_test_time_now(g), real0 = steady_clock_monotonic_ns(NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    for (uint64_t beat = 1; beat <= 3; beat++) {
        assert_true(steady_test_time_next(g, 5000)); /* to the heartbeat's next period */
        assert_int_equal(steady_test_time_now(g) - t0, beat * 3600ull * 1000000000ull);
        if (beat < 3) {
            assert_true(steady_test_until_idle(g, 5000));
            assert_int_equal(st->count, beat);
        }
    }
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK); /* its request */
    assert_int_equal(st->count, 3);
    uint64_t real_ms = (steady_clock_monotonic_ns(NULL) - real0) / 1000000u;
    print_message("3 hourly beats in %llu ms of real time\n", (unsigned long long)real_ms);
    assert_true(real_ms < 5000); /* generous: three hours took a blink */
    steady_test_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_heartbeat_beats_logs_and_stops_the_graph),
        cmocka_unit_test(on_virtual_time_an_hourly_heartbeat_takes_no_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
