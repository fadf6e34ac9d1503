/* search_test.c — the interleaving search (steady_test_search) on an application with a
 * planted ordering bug that plain runs do not show.
 *
 * The application: a meter sends 1,000 readings to a monitor in lock-step (each acknowledged),
 * then an END; an alarm actor sends one alarm at start; a calibrate actor sets a flag the
 * monitor reads without any channel. At END the monitor reports {readings, alarms}. The bug:
 * when it finds the flag set, it reports at once and ends, trusting that the alarm, sent at
 * start, has long arrived. The report loses the alarm only when two orderings meet: calibrate
 * ran before the monitor took END, and the alarm actor ran after it. In a plain run the alarm
 * actor's thread is started first and sends at once, while END needs 1,000 round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <steady/steady.h>
#include <steady/testing.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define STEADY_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(STEADY_SANITIZED)
#define PLAIN_RUNS 100 /* each run starts five threads: ten times slower under a sanitizer */
#else
#define PLAIN_RUNS 1000
#endif

#define READINGS 1000
#define END UINT32_MAX

typedef struct report {
    uint32_t readings, alarms;
} report;

STEADY_CHANNEL_TYPE(u32, uint32_t);
STEADY_CHANNEL_TYPE(rep, report);

typedef struct plant {
    bool fixed;             /* the monitor drains the alarms before it reports */
    atomic_bool calibrated; /* written by calibrate, read by monitor: no channel */
    u32_tx alarms_tx, readings_tx, acks_tx;
    u32_rx alarms_rx, readings_rx, acks_rx;
    rep_tx reports_tx;
    rep_rx reports_rx;
} plant;

static int alarm_run(steady_actor *a, void *arg)
{
    plant *p = arg;
    u32_tx_send_wait(a, p->alarms_tx, 1); /* ECLOSED when the monitor has gone: the bug's mark */
    return 0;
}

static int calibrate_run(steady_actor *a, void *arg)
{
    (void)a;
    plant *p = arg;
    atomic_store_explicit(&p->calibrated, true, memory_order_relaxed);
    return 0;
}

static int meter_run(steady_actor *a, void *arg)
{
    plant *p = arg;
    uint32_t ack;
    for (uint32_t i = 1; i <= READINGS; i++)
        if (u32_tx_send_wait(a, p->readings_tx, i) != STEADY_OK ||
            u32_rx_take_wait(a, p->acks_rx, &ack) != STEADY_OK)
            return 1;
    return u32_tx_send_wait(a, p->readings_tx, END) == STEADY_OK ? 0 : 1;
}

static int monitor_report(steady_actor *a, plant *p, report *r)
{
    uint32_t v;
    if (p->fixed || !atomic_load_explicit(&p->calibrated, memory_order_relaxed))
        while (u32_rx_take_wait(a, p->alarms_rx, &v) == STEADY_OK) /* until its sender ended */
            r->alarms++;
    return rep_tx_send_wait(a, p->reports_tx, *r) == STEADY_OK ? 0 : 1;
}

static int monitor_run(steady_actor *a, void *arg)
{
    plant *p = arg;
    report r = {0, 0};
    bool alarms_open = true;
    for (;;) {
        steady_wake w = alarms_open ? steady_wait_any(a, STEADY_AVAIL(p->alarms_rx, 1),
                                                      STEADY_AVAIL(p->readings_rx, 1))
                                    : steady_wait_any(a, STEADY_AVAIL(p->readings_rx, 1));
        if (w.reason == STEADY_SHUTDOWN)
            return 1;
        if (alarms_open && (w.closed & 1u))
            alarms_open = false; /* its sender ended and it is empty: wait on readings alone */
        else if (w.reason == STEADY_CLOSED)
            return 1; /* the meter ended without its END */
        uint32_t v;
        while (u32_rx_try_take(p->alarms_rx, &v) == STEADY_OK)
            r.alarms++;
        while (u32_rx_try_take(p->readings_rx, &v) == STEADY_OK) {
            if (v == END)
                return monitor_report(a, p, &r);
            r.readings++;
            if (u32_tx_send_wait(a, p->acks_tx, v) != STEADY_OK)
                return 1;
        }
    }
}

/* The application's graph-building function, the same for plain runs and the search. */
static void build(steady_graph *g, plant *p)
{
    assert_int_equal(u32_new(g, "alarms", 4, &p->alarms_tx, &p->alarms_rx), STEADY_OK);
    assert_int_equal(u32_new(g, "readings", 4, &p->readings_tx, &p->readings_rx), STEADY_OK);
    assert_int_equal(u32_new(g, "acks", 4, &p->acks_tx, &p->acks_rx), STEADY_OK);
    assert_int_equal(rep_new(g, "reports", 4, &p->reports_tx, &p->reports_rx), STEADY_OK);
    steady_actor_opts o[] = {
        {.name = "alarm", .run = alarm_run, .arg = p, .txs = STEADY_TXS(p->alarms_tx)},
        {.name = "calibrate", .run = calibrate_run, .arg = p},
        {.name = "meter",
         .run = meter_run,
         .arg = p,
         .txs = STEADY_TXS(p->readings_tx),
         .rxs = STEADY_RXS(p->acks_rx)},
        {.name = "monitor",
         .run = monitor_run,
         .arg = p,
         .rxs = STEADY_RXS(p->alarms_rx, p->readings_rx),
         .txs = STEADY_TXS(p->acks_tx, p->reports_tx)},
    };
    for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
        assert_int_equal(steady_actor_spawn(g, &o[i], NULL), STEADY_OK);
}

static void show_report(char *buf, size_t cap, const void *elem)
{
    const report *r = elem;
    snprintf(buf, cap, "{readings %u, alarms %u}", r->readings, r->alarms);
}

/* Runs the application on g (built, not started) and checks its one report. */
static bool run_and_check(steady_graph *g, plant *p)
{
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "out", p->reports_rx.raw, &d), STEADY_OK);
    steady_test_log_begin(); /* the graph's start and stop lines, kept off the test's output */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    steady_test_log_end();
    const report want = {READINGS, 1};
    return steady_test_expect_equal(d, &want, 1, show_report) && e == STEADY_OK;
}

/* One plain run: the production defaults (every actor on its own thread, real time). */
static bool plain_run(plant *p)
{
    steady_graph *g;
    assert_int_equal(
        steady_graph_new(&g, &(steady_graph_opts){.name = "plain", .no_signal_handlers = true}),
        STEADY_OK);
    build(g, p);
    bool ok = run_and_check(g, p);
    steady_test_graph_free(g); /* frees the drain with it */
    return ok;
}

/* The search's body: the same application on a test graph with the schedule's seed. */
static bool body(void *ctx, uint64_t seed)
{
    plant *p = ctx;
    atomic_store(&p->calibrated, false);
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "plant", .seed = seed}),
                     STEADY_OK);
    build(g, p);
    bool ok = run_and_check(g, p);
    steady_test_graph_free(g);
    return ok;
}

static void plain_runs_almost_never_show_the_planted_bug(void **state)
{
    (void)state;
    unsigned found = 0;
    for (unsigned i = 0; i < PLAIN_RUNS; i++) {
        plant p = {.fixed = false};
        found += !plain_run(&p);
    }
    printf("plain runs: %u of %u showed the planted bug\n", found, PLAIN_RUNS);
    /* Measured 0 of 1,000 (docs/guide/testing.md); a loaded machine may delay the alarm's
     * thread past 1,000 round trips now and then: 2 of 100 under ASan while another sanitizer
     * suite ran beside it (CI, 2026-12-04). The point stands at 10 %: the search below finds it
     * in every run. */
    assert_true(found <= PLAIN_RUNS / 10);
}

static void the_search_finds_the_planted_bug_and_its_seed_replays_it(void **state)
{
    (void)state;
    plant p = {.fixed = false};
    steady_test_search_result r;
    assert_false(steady_test_search(body, &p, NULL, &r));
    printf("search: seed %llu found it after %u schedules, %llu ms (%.0f schedules/s)\n",
           (unsigned long long)r.seed, r.schedules, (unsigned long long)r.elapsed_ms,
           r.elapsed_ms ? r.schedules * 1000.0 / (double)r.elapsed_ms : 0.0);
    assert_true(r.found);
    assert_true(r.schedules <= 200);
    assert_true(r.elapsed_ms < 30000);
    assert_false(r.stopped_early);
    const char *msg = steady_test_failure();
    char want[160];
    snprintf(want, sizeof want, "replay it with STEADY_TEST_SEED=%llu", (unsigned long long)r.seed);
    if (!strstr(msg, want) || !strstr(msg, "a PCT-style schedule") ||
        !strstr(msg, "expected {readings 1000, alarms 1}, got {readings 1000, alarms 0}") ||
        !strstr(msg, "the last 16 of its"))
        fail_msg("message:\n%s", msg);
    /* The trace shows the monitor reporting and ending, and only then the alarm's start. */
    const char *reported = strstr(r.trace, "'monitor' took 1 from 'readings', sent 1 on "
                                           "'reports'; it ended");
    const char *late =
        reported ? strstr(reported, "'alarm' ended (it had waited for its start)") : NULL;
    if (!reported || !late)
        fail_msg("trace:\n%s", r.trace);
    /* The seed repeats it, step for step, every time: whole runs compared. */
    steady_test_search_opts whole = {.first_seed = r.seed, .schedules = 1, .trace_steps = 4096};
    assert_false(steady_test_search(body, &p, &whole, &r));
    char *trace = strdup(r.trace);
    for (int k = 0; k < 2; k++) {
        steady_test_search_result again;
        assert_false(steady_test_search(body, &p, &whole, &again));
        assert_true(again.found && again.seed == r.seed && again.schedules == 1);
        assert_string_equal(again.trace, trace);
    }
    /* And so does the environment variable the message names: one schedule, the same steps. */
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)r.seed);
    setenv("STEADY_TEST_SEED", seed, 1);
    steady_test_search_result env;
    assert_false(
        steady_test_search(body, &p, &(steady_test_search_opts){.trace_steps = 4096}, &env));
    unsetenv("STEADY_TEST_SEED");
    assert_true(env.found && env.seed == r.seed && env.schedules == 1);
    assert_string_equal(env.trace, trace);
    assert_non_null(strstr(steady_test_failure(), "the replayed schedule 1 of 1 failed"));
    /* A whole trace of a long run is cut from its oldest end to fit the message, which keeps
     * its head, the body's message and the replay line. */
    assert_true(strlen(trace) > 16384);
    assert_non_null(strstr(steady_test_failure(), "(the trace's earlier lines are cut to fit)"));
    assert_non_null(strstr(steady_test_failure(), want));
    assert_non_null(strstr(steady_test_failure(), "'alarm' ended (it had waited for its start)"));
    free(trace);
}

static void the_fixed_monitor_passes_every_schedule(void **state)
{
    (void)state;
    plant p = {.fixed = true};
    steady_test_search_result r;
    assert_true(steady_test_search(body, &p, &(steady_test_search_opts){.schedules = 200}, &r));
    assert_false(r.found || r.stopped_early);
    assert_int_equal(r.schedules, 200);
    assert_int_equal(r.seed, 0);
    assert_string_equal(r.trace, "");
    assert_string_equal(steady_test_failure(), "");
}

static void the_trace_keeps_as_many_steps_as_asked(void **state)
{
    (void)state;
    plant p = {.fixed = false};
    steady_test_search_result r;
    assert_false(steady_test_search(body, &p, &(steady_test_search_opts){.trace_steps = 3}, &r));
    unsigned lines = 0;
    for (const char *c = r.trace; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 3); /* a heading, then one line per step */
    assert_non_null(strstr(r.trace, "the last 3 of its"));
}

/* ---- an actor that yields without ever parking ---- */

typedef struct spin_io {
    u32_tx dead_tx, stop_tx;
    u32_rx dead_rx, stop_rx;
} spin_io;

/* Waits on a channel that closes at once: every wait holds at once, so it never parks, and
 * only the stopper's value ends it. A priority schedule that kept picking it would never run
 * the stopper (a livelock the schedule made, not the application). */
static int spinner_run(steady_actor *a, void *arg)
{
    spin_io *io = arg;
    uint32_t v;
    while (u32_rx_try_take(io->stop_rx, &v) != STEADY_OK)
        if (steady_wait_any(a, STEADY_AVAIL(io->dead_rx, 1), STEADY_AVAIL(io->stop_rx, 1)).reason ==
            STEADY_SHUTDOWN)
            return 1; /* stalled until the body gave up: the failure the search reports */
    return 0;
}

static int quitter_run(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    return 0; /* closes 'dead' */
}

static int stopper_run(steady_actor *a, void *arg)
{
    spin_io *io = arg;
    return u32_tx_send_wait(a, io->stop_tx, 1) == STEADY_OK ? 0 : 1;
}

static bool spin_body(void *ctx, uint64_t seed)
{
    (void)ctx;
    spin_io io;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "spin", .seed = seed}),
                     STEADY_OK);
    assert_int_equal(u32_new(g, "dead", 2, &io.dead_tx, &io.dead_rx), STEADY_OK);
    assert_int_equal(u32_new(g, "stop", 2, &io.stop_tx, &io.stop_rx), STEADY_OK);
    steady_actor_opts o[] = {
        {.name = "spinner",
         .run = spinner_run,
         .arg = &io,
         .rxs = STEADY_RXS(io.dead_rx, io.stop_rx)},
        {.name = "quitter", .run = quitter_run, .arg = &io, .txs = STEADY_TXS(io.dead_tx)},
        {.name = "stopper", .run = stopper_run, .arg = &io, .txs = STEADY_TXS(io.stop_tx)},
    };
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(steady_actor_spawn(g, &o[i], NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    bool ok = steady_test_until_stopped(g, 2000);
    if (!ok)
        steady_graph_request_shutdown(g);
    ok &= steady_graph_block_until_stopped(g, 2000) == STEADY_OK;
    steady_test_graph_free(g);
    return ok;
}

static void an_actor_that_never_parks_does_not_stall_a_priority_schedule(void **state)
{
    (void)state;
    steady_test_search_result r;
    assert_true(
        steady_test_search(spin_body, NULL, &(steady_test_search_opts){.schedules = 100}, &r));
    assert_int_equal(r.schedules, 100);
}

static bool no_graph(void *ctx, uint64_t seed)
{
    (void)ctx;
    (void)seed;
    return false;
}

static bool passes_without_a_seed(void *ctx, uint64_t seed)
{
    (void)ctx;
    (void)seed;
    steady_graph *g; /* a test graph, but not a deterministic one: the search tests nothing */
    assert_int_equal(steady_test_graph_new(&g, NULL), STEADY_OK);
    steady_test_graph_free(g);
    return true;
}

static bool slow_pass(void *ctx, uint64_t seed)
{
    unsigned *runs = ctx;
    ++*runs;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.seed = seed}), STEADY_OK);
    steady_test_graph_free(g);
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL); /* a body that takes 5 ms: the 20 ms bound ends the search */
    return true;
}

static void bad_arguments_and_misuse_get_clear_messages(void **state)
{
    (void)state;
    assert_false(steady_test_search(NULL, NULL, NULL, NULL));
    assert_non_null(strstr(steady_test_failure(), "steady_test_search: body is NULL"));
    /* A body that made no seeded graph: the failure says there is no trace. */
    steady_test_search_result r;
    assert_false(steady_test_search(no_graph, NULL, NULL, &r));
    assert_true(r.found && r.seed == 1 && r.schedules == 1);
    assert_non_null(strstr(steady_test_failure(), "no trace: the body made no deterministic"));
    assert_non_null(strstr(steady_test_failure(), "(nothing: it returned false)"));
    /* A body that passes without using its seed fails the search: it explored nothing. */
    assert_false(steady_test_search(passes_without_a_seed, NULL, NULL, &r));
    assert_non_null(strstr(steady_test_failure(),
                           "the body made no deterministic test graph: give "
                           "steady_test_graph_new .seed = the seed the body was given (1)"));
    /* The time bound: no new schedule after it, said in the result. */
    unsigned runs = 0;
    assert_true(steady_test_search(
        slow_pass, &runs, &(steady_test_search_opts){.schedules = 1000000, .timeout_ms = 20}, &r));
    assert_true(runs >= 1 && runs < 1000 && r.schedules == runs && r.stopped_early);
    /* The last seed: the search ends there rather than wrap to seeds it ran. */
    runs = 0;
    assert_true(steady_test_search(
        slow_pass, &runs, &(steady_test_search_opts){.first_seed = UINT64_MAX, .schedules = 3},
        &r));
    assert_true(runs == 1 && r.schedules == 1 && r.stopped_early);
    /* A STEADY_TEST_SEED that is not a seed is said and ignored. */
    setenv("STEADY_TEST_SEED", "99999999999999999999", 1); /* over 2^64 */
    runs = 0;
    assert_true(
        steady_test_search(slow_pass, &runs, &(steady_test_search_opts){.schedules = 2}, &r));
    unsetenv("STEADY_TEST_SEED");
    assert_int_equal(runs, 2);
}

/* A body that leaves by longjmp, as a failed cmocka assertion does: later searches and graphs
 * are as if it had not run. */
static jmp_buf escape;

static bool jumps_out(void *ctx, uint64_t seed)
{
    (void)ctx;
    (void)seed;
    longjmp(escape, 1);
}

static void a_body_that_jumps_out_leaves_nothing_behind(void **state)
{
    (void)state;
    if (setjmp(escape) == 0)
        steady_test_search(jumps_out, NULL, NULL, NULL);
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, NULL), STEADY_OK);
    assert_int_equal(steady_test_seed(g), 0); /* not seeded by the abandoned search */
    steady_test_graph_free(g);
    plant p = {.fixed = true};
    steady_test_search_result r;
    assert_true(steady_test_search(body, &p, &(steady_test_search_opts){.schedules = 5}, &r));
    assert_int_equal(r.schedules, 5);
}

/* An actor that fails in the middle of a run: its step says so, with the reason. */
static int fails_once(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    return 3;
}

static bool one_failure(void *ctx, uint64_t seed)
{
    (void)ctx;
    steady_graph *g;
    assert_int_equal(
        steady_test_graph_new(&g, &(steady_test_opts){.name = "f", .seed = seed, .restarts = true}),
        STEADY_OK);
    steady_policy temporary = STEADY_POLICY_DEFAULT;
    temporary.restart = STEADY_RESTART_TEMPORARY; /* never restarted */
    temporary.escalation = STEADY_ESCALATE_STOP_ACTOR;
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "bad", .run = fails_once, .policy = &temporary}, NULL),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "good", .run = quitter_run}, NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_test_log_begin();
    assert_true(steady_test_until_stopped(g, 5000));
    steady_err e = steady_graph_block_until_stopped(g, 1000);
    steady_test_log_end();
    steady_test_graph_free(g);
    return e == STEADY_OK; /* degraded: 'bad' stopped for good */
}

static void a_failure_in_the_trace_says_failed_with_its_reason(void **state)
{
    (void)state;
    steady_test_search_result r;
    assert_false(steady_test_search(one_failure, NULL, NULL, &r));
    if (!strstr(r.trace, "'bad' failed: run returned 3 (it had waited for its start)") ||
        !strstr(r.trace, "'good' ended (it had waited for its start)"))
        fail_msg("trace:\n%s", r.trace);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_runs_almost_never_show_the_planted_bug),
        cmocka_unit_test(the_search_finds_the_planted_bug_and_its_seed_replays_it),
        cmocka_unit_test(the_fixed_monitor_passes_every_schedule),
        cmocka_unit_test(the_trace_keeps_as_many_steps_as_asked),
        cmocka_unit_test(an_actor_that_never_parks_does_not_stall_a_priority_schedule),
        cmocka_unit_test(bad_arguments_and_misuse_get_clear_messages),
        cmocka_unit_test(a_body_that_jumps_out_leaves_nothing_behind),
        cmocka_unit_test(a_failure_in_the_trace_says_failed_with_its_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
