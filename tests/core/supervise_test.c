/* supervise_test.c — supervision: every way of failing restarts the actor with its state and
 * channels, the rest of a troupe keeps running, backoff and jitter, the intensity limit and both
 * escalations, restart types, restarts while draining, and the fail-fast switch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <steady/steady.h>

#include "steady_test_support.h"

#define MAX_STARTS 64

/* An actor that fails in its first `fail_gens` generations, in the way `how` says, then waits
 * for shutdown. Its state block counts the generations that started. */
typedef enum fail_how { BY_RETURN, BY_PANIC, BY_ASSERT, BY_MISUSE, BY_RETURN_ZERO } fail_how;

typedef struct flaky {
    int fail_gens; /* < 0: every generation fails while the graph runs */
    fail_how how;
    u64ch_tx foreign; /* an end another actor owns (BY_MISUSE) */
    _Atomic int starts;
    uint64_t start_ns[MAX_STARTS];
} flaky;

/* False: what EXPECT reports when a failing generation returned instead. */
static const bool a_failure_returned = false;

static int flaky_run(steady_actor *a, void *arg)
{
    flaky *f = arg;
    int *gens = steady_actor_state(a);
    int gen = (*gens)++;
    EXPECT_U64(steady_actor_regeneration(a), ==, gen);
    if (gen < MAX_STARTS)
        f->start_ns[gen] = now_ns();
    atomic_fetch_add(&f->starts, 1);
    bool running = steady_graph_get_state(steady_actor_graph(a)) == STEADY_GRAPH_RUNNING;
    if ((f->fail_gens < 0 && running) || gen < f->fail_gens) {
        switch (f->how) {
        case BY_RETURN: return 1;
        case BY_PANIC: steady_panic("boom %d", gen);
        case BY_ASSERT: STEADY_ASSERT(gen > 1000); break;
        case BY_MISUSE: u64ch_tx_try_send(f->foreign, 1); break;
        case BY_RETURN_ZERO: return 0;
        }
        EXPECT(a_failure_returned);
    }
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static steady_actor *spawn_flaky(steady_graph *g, flaky *f, const steady_policy *p,
                                 steady_troupe *t)
{
    steady_actor *a = NULL;
    steady_err e = steady_actor_spawn(g,
                                      &(steady_actor_opts){.name = "flaky",
                                                           .run = flaky_run,
                                                           .arg = f,
                                                           .troupe = t,
                                                           .policy = p,
                                                           .state_size = sizeof(int)},
                                      &a);
    if (e != STEADY_OK)
        fail_msg("spawn: %s", steady_last_error());
    return a;
}

static steady_policy quick_policy(void)
{
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    return p;
}

static void stop_cleanly(steady_graph *g)
{
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
}

/* The stop of a graph that lost an actor: it must say so. */
static void stop_degraded(steady_graph *g)
{
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED);
}

static void assert_logged(const char *fragment)
{
    if (!strstr(captured, fragment))
        fail_msg("the log lacks \"%s\":\n%s", fragment, captured);
}

/* ---- every way of failing restarts, keeping state and regeneration ---- */

static void check_restarts_by(fail_how how, const char *reason)
{
    expect_reset();
    capture_start();
    steady_graph *g = new_graph("restarts");
    flaky f = {.fail_gens = 3, .how = how};
    u64ch_rx foreign_rx;
    assert_int_equal(u64ch_new(g, "foreign", 4, &f.foreign, &foreign_rx), STEADY_OK);
    assert_int_equal(
        spawn_with(g, "owner", STEADY_TXS(f.foreign), STEADY_RXS(foreign_rx), NULL, NULL),
        STEADY_OK);
    steady_policy p = quick_policy();
    steady_actor *a = spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &f.starts, 4, 5000));
    stop_cleanly(g);
    capture_stop();
    assert_no_failed_expectation();
    assert_int_equal(atomic_load(&f.starts), 4);
    assert_int_equal(*(int *)steady_actor_state(a), 4); /* the state block survived */
    assert_int_equal(steady_actor_regeneration(a), 3);
    assert_int_equal(steady_actor_restarts(a), 3);
    assert_int_equal(steady_actor_failures(a), 3);
    assert_false(steady_actor_stopped_for_good(a));
    assert_logged("actor 'flaky' failed (regeneration 0)");
    assert_logged("actor 'flaky' failed (regeneration 2)");
    assert_logged(reason);
    assert_logged("restarting as regeneration 3");
    steady_graph_free(g);
}

static void a_non_zero_return_restarts_the_actor(void **state)
{
    (void)state;
    check_restarts_by(BY_RETURN, "run returned 1");
}

static void steady_panic_restarts_the_actor_with_its_reason(void **state)
{
    (void)state;
    check_restarts_by(BY_PANIC, "panic: boom 1");
}

static void a_failed_steady_assert_restarts_the_actor_naming_the_expression(void **state)
{
    (void)state;
    check_restarts_by(BY_ASSERT, "assertion failed: ");
    assert_logged("gen > 1000");
}

static void misusing_a_channel_restarts_the_actor(void **state)
{
    (void)state;
    check_restarts_by(BY_MISUSE, "'foreign'");
}

/* ---- a failing member does not stop its troupe ---- */

static int ticker_run(steady_actor *a, void *arg)
{
    _Atomic int *ticks = arg;
    while (STEADY_RUNNING(a, true))
        if (steady_wait_periodic(a, 1000000) == STEADY_READY)
            atomic_fetch_add(ticks, 1);
    return 0;
}

static void a_failing_member_backs_off_while_the_rest_of_its_troupe_runs(void **state)
{
    (void)state;
    expect_reset();
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("troupe");
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "both"}, &t), STEADY_OK);
    flaky f = {.fail_gens = 3, .how = BY_PANIC};
    steady_policy p = quick_policy();
    p.backoff_floor_ms = 30;
    p.backoff_ceiling_ms = 30;
    p.jitter_pct = 0;
    _Atomic int ticks = 0;
    assert_int_equal(
        steady_actor_spawn(
            g,
            &(steady_actor_opts){.name = "ticker", .run = ticker_run, .arg = &ticks, .troupe = t},
            NULL),
        STEADY_OK);
    spawn_flaky(g, &f, &p, t);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &f.starts, 4, 5000));
    int during = atomic_load(&ticks);
    stop_cleanly(g);
    steady_log_set_level(old);
    assert_no_failed_expectation();
    /* 3 backoffs of 30 ms: the ticker (1 ms period) kept ticking through them. */
    if (during < 30)
        fail_msg("the troupe's other member ticked only %d times during 90 ms of backoff", during);
    steady_graph_free(g);
}

static void a_member_in_a_crash_loop_without_backoff_does_not_starve_its_troupe(void **state)
{
    (void)state;
    expect_reset();
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("crash-loop-troupe");
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "both"}, &t), STEADY_OK);
    flaky f = {.fail_gens = -1, .how = BY_RETURN}; /* fails at once, before any wait */
    steady_policy p = quick_policy();
    p.max_restarts = STEADY_UNLIMITED;
    _Atomic int ticks = 0;
    assert_int_equal(
        steady_actor_spawn(
            g,
            &(steady_actor_opts){.name = "ticker", .run = ticker_run, .arg = &ticks, .troupe = t},
            NULL),
        STEADY_OK);
    steady_actor *a = spawn_flaky(g, &f, &p, t);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(200);
    int during = atomic_load(&ticks);
    /* Once shutdown is requested the loop ends: the next generation votes. */
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    steady_log_set_level(old);
    assert_int_equal(e, STEADY_OK);
    if (during < 50)
        fail_msg("the ticker ticked %d times in 200 ms beside a member in a crash loop", during);
    assert_true(steady_actor_failures(a) > 100);
    steady_graph_free(g);
}

static void the_default_policy_stops_a_hot_crash_loop_within_seconds(void **state)
{
    (void)state;
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("default-policy");
    flaky f = {.fail_gens = -1, .how = BY_PANIC};
    steady_actor *a = spawn_flaky(g, &f, NULL, NULL); /* the graph's default policy */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (!steady_actor_stopped_for_good(a) && ms_since(t0) < 10000)
        sleep_ms(5);
    uint64_t took = ms_since(t0);
    /* The default escalation shuts the graph down: nobody else asks for the stop. */
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED);
    steady_log_set_level(old);
    assert_true(steady_actor_stopped_for_good(a));
    /* 10 restarts within 10 s allowed; their backoffs add up to about one second. */
    assert_int_equal(steady_actor_failures(a), 11);
    assert_int_equal(steady_actor_restarts(a), 10);
    if (took < 700 || took > 5000)
        fail_msg("the crash loop was stopped after %llu ms; expected about 1 s",
                 (unsigned long long)took);
    steady_graph_free(g);
}

/* ---- backoff and jitter ---- */

static void backoff_doubles_from_the_floor_up_to_the_ceiling(void **state)
{
    (void)state;
    expect_reset();
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("backoff");
    flaky f = {.fail_gens = 5, .how = BY_RETURN};
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 20;
    p.backoff_ceiling_ms = 80;
    p.jitter_pct = 0;
    spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &f.starts, 6, 5000));
    stop_cleanly(g);
    steady_log_set_level(old);
    assert_no_failed_expectation();
    const uint64_t want_ms[] = {20, 40, 80, 80, 80};
    for (int i = 0; i < 5; i++) {
        uint64_t gap_ms = (f.start_ns[i + 1] - f.start_ns[i]) / 1000000u;
        if (gap_ms < want_ms[i] || gap_ms > want_ms[i] + 1000)
            fail_msg("restart %d came after %llu ms; the backoff is %llu ms", i + 1,
                     (unsigned long long)gap_ms, (unsigned long long)want_ms[i]);
    }
    steady_graph_free(g);
}

static void jitter_spreads_each_backoff_within_its_percentage(void **state)
{
    (void)state;
    expect_reset();
    capture_start();
    steady_log_set_level(STEADY_LOG_INFO);
    steady_graph *g = new_graph("jitter");
    flaky f = {.fail_gens = 30, .how = BY_RETURN};
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 2;
    p.backoff_ceiling_ms = 2;
    p.jitter_pct = 50;
    p.max_restarts = STEADY_UNLIMITED;
    spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &f.starts, 31, 10000));
    stop_cleanly(g);
    capture_stop();
    steady_log_set_level(STEADY_LOG_WARN);
    assert_no_failed_expectation();
    unsigned long long lo = ~0ull, hi = 0;
    int seen = 0;
    for (const char *s = captured; (s = strstr(s, "restarting as regeneration")); s++) {
        unsigned regen;
        unsigned long long us;
        if (sscanf(s, "restarting as regeneration %u in %llu us", &regen, &us) != 2)
            fail_msg("unexpected restart line: %.80s", s);
        lo = us < lo ? us : lo;
        hi = us > hi ? us : hi;
        seen++;
    }
    assert_int_equal(seen, 30);
    if (lo < 1000 || hi > 3000 || lo == hi)
        fail_msg("30 backoffs of 2 ms +-50%% ranged over [%llu, %llu] us", lo, hi);
    steady_graph_free(g);
}

/* ---- intensity and escalation ---- */

/* producer -> flaky consumer -> sink: the consumer always fails. */
typedef struct chain {
    u64ch_tx p_out;
    u64ch_rx c_in;
    u64ch_tx c_out;
    u64ch_rx s_in;
} chain;

static int always_fails(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    steady_panic("always");
}

static steady_actor *build_chain(steady_graph *g, chain *c, const steady_policy *p)
{
    assert_int_equal(u64ch_new(g, "p->c", 4, &c->p_out, &c->c_in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "c->s", 4, &c->c_out, &c->s_in), STEADY_OK);
    assert_int_equal(spawn_with(g, "producer", STEADY_TXS(c->p_out), NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(spawn_with(g, "sink", NULL, STEADY_RXS(c->s_in), NULL, NULL), STEADY_OK);
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "consumer",
                                                             .run = always_fails,
                                                             .rxs = STEADY_RXS(c->c_in),
                                                             .txs = STEADY_TXS(c->c_out),
                                                             .policy = p},
                                        &a),
                     STEADY_OK);
    return a;
}

static void await_stopped_for_good(steady_actor *a)
{
    uint64_t t0 = now_ns();
    while (!steady_actor_stopped_for_good(a) && ms_since(t0) < 5000)
        sleep_ms(2);
    assert_true(steady_actor_stopped_for_good(a));
}

static void exceeding_the_intensity_stops_the_actor_for_good_and_closes_its_ends(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph("intensity");
    chain c;
    steady_policy p = quick_policy();
    p.max_restarts = 3;
    p.period_ms = 10000;
    p.escalation = STEADY_ESCALATE_STOP_ACTOR;
    steady_actor *a = build_chain(g, &c, &p);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    await_stopped_for_good(a);
    /* Its input reports CLOSED to the producer, its output closes for the sink; the graph
     * runs on until asked. */
    assert_true(steady_tx_is_closed(c.p_out.raw));
    uint64_t t0 = now_ns();
    while (!steady_rx_is_closed(c.s_in.raw) && ms_since(t0) < 2000)
        sleep_ms(1);
    assert_true(steady_rx_is_closed(c.s_in.raw));
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_RUNNING);
    stop_degraded(g);
    capture_stop();
    assert_int_equal(steady_actor_failures(a), 4);
    assert_int_equal(steady_actor_restarts(a), 3);
    assert_logged("exceeded its restart intensity (3 restarts within 10000 ms); stopping it for "
                  "good");
    char report[2048];
    steady_graph_report(g, report, sizeof report);
    if (!strstr(report, "actor 'consumer': stopped for good after 4 failures (3 restarts); last "
                        "failure: "))
        fail_msg("report: %s", report);
    steady_graph_free(g);
}

static void restarts_spread_over_more_than_the_period_stay_within_the_intensity(void **state)
{
    (void)state;
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("window");
    flaky f = {.fail_gens = 6, .how = BY_RETURN};
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.max_restarts = 2; /* 2 per 50 ms, with 40 ms between restarts: never 3 in a window */
    p.period_ms = 50;
    p.backoff_floor_ms = 40;
    p.backoff_ceiling_ms = 40;
    p.jitter_pct = 0;
    steady_actor *a = spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &f.starts, 7, 5000));
    stop_cleanly(g);
    steady_log_set_level(old);
    assert_false(steady_actor_stopped_for_good(a));
    assert_int_equal(steady_actor_restarts(a), 6);
    steady_graph_free(g);
}

static void escalating_to_the_graph_shuts_it_down_degraded(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph("escalate");
    chain c;
    steady_policy p = quick_policy();
    p.max_restarts = 2;
    p.escalation = STEADY_ESCALATE_SHUTDOWN_GRAPH;
    steady_actor *a = build_chain(g, &c, &p);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    /* Nobody but the escalation asks for the stop; the graph drains and reports the loss. */
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED);
    capture_stop();
    assert_int_equal(steady_actor_failures(a), 3);
    assert_true(steady_actor_stopped_for_good(a));
    assert_logged("stopping it for good and shutting the graph down");
    steady_graph_free(g);
}

/* ---- restart types ---- */

static void a_temporary_actor_is_never_restarted(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph("temporary");
    flaky f = {.fail_gens = 1, .how = BY_PANIC};
    steady_policy p = quick_policy();
    p.restart = STEADY_RESTART_TEMPORARY;
    steady_actor *a = spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    await_stopped_for_good(a);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED); /* escalated */
    capture_stop();
    assert_int_equal(atomic_load(&f.starts), 1);
    assert_int_equal(steady_actor_restarts(a), 0);
    assert_logged("actor 'flaky' is temporary; stopping it for good");
    steady_graph_free(g);
}

static void a_permanent_actor_that_returns_while_running_is_restarted(void **state)
{
    (void)state;
    expect_reset();
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("permanent");
    flaky f = {.fail_gens = 2, .how = BY_RETURN_ZERO};
    steady_policy p = quick_policy();
    p.restart = STEADY_RESTART_PERMANENT;
    steady_actor *a = spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &f.starts, 3, 5000));
    stop_cleanly(g); /* its return after the request is its yes vote: no restart */
    steady_log_set_level(old);
    assert_no_failed_expectation();
    assert_int_equal(atomic_load(&f.starts), 3);
    assert_int_equal(steady_actor_restarts(a), 2);
    assert_int_equal(steady_actor_failures(a), 0);
    steady_graph_free(g);
}

/* Regression: a PERMANENT actor that kept returning was stopped for good with "last failure:
 * (none recorded)" and "after 0 failures", leaving the reader to guess why. */
static void a_permanent_actor_that_keeps_returning_is_stopped_for_good_saying_why(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph("returner");
    flaky f = {.fail_gens = -1, .how = BY_RETURN_ZERO};
    steady_policy p = quick_policy();
    p.restart = STEADY_RESTART_PERMANENT;
    p.max_restarts = 3;
    steady_actor *a = spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED); /* escalated */
    capture_stop();
    assert_int_equal(steady_actor_failures(a), 0);
    assert_int_equal(steady_actor_restarts(a), 3);
    assert_non_null(strstr(steady_actor_last_failure(a), "kept returning 0"));
    assert_last_error_mentions("stopped for good after 0 failures (3 restarts); last failure: it "
                               "kept returning 0 while the graph ran (PERMANENT",
                               "exceeded its restart intensity (3 restarts within", NULL);
    steady_graph_free(g);
}

static void a_transient_actor_that_returns_is_not_restarted(void **state)
{
    (void)state;
    steady_graph *g = new_graph("transient");
    flaky f = {.fail_gens = 1, .how = BY_RETURN_ZERO};
    steady_policy p = quick_policy();
    steady_actor *a = spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    /* Its return was its last word: every actor returned, so the graph stops by itself. */
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    assert_int_equal(atomic_load(&f.starts), 1);
    assert_int_equal(steady_actor_restarts(a), 0);
    steady_graph_free(g);
}

/* ---- failures while draining ---- */

#define DRAIN_N 100

typedef struct drain {
    u64ch_tx p_out;
    u64ch_rx c_in;
    u64ch_tx c_out;
    u64ch_rx s_in;
    _Atomic uint64_t received;
    uint64_t sum;
} drain;

static int drain_producer(steady_actor *a, void *arg)
{
    drain *d = arg;
    uint64_t *sent = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(*sent == DRAIN_N) && u64ch_tx_close(d->p_out))) {
        if (*sent < DRAIN_N && u64ch_tx_try_send(d->p_out, *sent + 1) == STEADY_OK)
            (*sent)++;
        else
            steady_wait_any(a, STEADY_VACANT(d->p_out, 1), STEADY_TIMEOUT(1000000));
    }
    return 0;
}

/* Peek, send, take; fails twice on its first draining attempts (after the request). */
static int drain_consumer(steady_actor *a, void *arg)
{
    drain *d = arg;
    int *drain_failures = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(d->c_in)) &&
                                 u64ch_tx_close(d->c_out))) {
        steady_wait_all(a, STEADY_AVAIL(d->c_in, 1), STEADY_VACANT(d->c_out, 1));
        uint64_t v;
        if (u64ch_rx_try_peek(d->c_in, &v) != STEADY_OK || u64ch_tx_vacant(d->c_out) == 0)
            continue;
        if (steady_graph_get_state(steady_actor_graph(a)) == STEADY_GRAPH_STOP_REQUESTED &&
            *drain_failures < 2) {
            (*drain_failures)++;
            steady_panic("failing while draining");
        }
        EXPECT(u64ch_tx_try_send(d->c_out, v) == STEADY_OK);
        EXPECT(u64ch_rx_try_take(d->c_in, &v) == STEADY_OK);
    }
    return 0;
}

static int drain_sink(steady_actor *a, void *arg)
{
    drain *d = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(d->s_in)))) {
        steady_wait_avail(a, d->s_in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(d->s_in, &v) == STEADY_OK) {
            d->sum += v;
            atomic_fetch_add(&d->received, 1);
        }
    }
    return 0;
}

static void a_failure_while_draining_restarts_until_the_actor_votes_and_loses_nothing(void **state)
{
    (void)state;
    expect_reset();
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("drain");
    drain d = {0};
    assert_int_equal(u64ch_new(g, "p->c", 8, &d.p_out, &d.c_in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "c->s", 8, &d.c_out, &d.s_in), STEADY_OK);
    steady_policy p = STEADY_POLICY_DEFAULT; /* with its 1 ms backoff */
    const steady_actor_opts actors[] = {
        {.name = "producer",
         .run = drain_producer,
         .arg = &d,
         .txs = STEADY_TXS(d.p_out),
         .state_size = sizeof(uint64_t)},
        {.name = "consumer",
         .run = drain_consumer,
         .arg = &d,
         .rxs = STEADY_RXS(d.c_in),
         .txs = STEADY_TXS(d.c_out),
         .policy = &p,
         .state_size = sizeof(int)},
        {.name = "sink", .run = drain_sink, .arg = &d, .rxs = STEADY_RXS(d.s_in)},
    };
    steady_actor *consumer = NULL;
    for (int i = 0; i < 3; i++)
        assert_int_equal(steady_actor_spawn(g, &actors[i], i == 1 ? &consumer : NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g); /* everything happens while draining */
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_log_set_level(old);
    assert_no_failed_expectation();
    assert_int_equal(atomic_load(&d.received), DRAIN_N);
    assert_int_equal(d.sum, (uint64_t)DRAIN_N * (DRAIN_N + 1) / 2);
    assert_int_equal(steady_actor_failures(consumer), 2);
    steady_graph_free(g);
}

static void shutdown_cuts_a_long_backoff_short(void **state)
{
    (void)state;
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph("long-backoff");
    flaky f = {.fail_gens = 1, .how = BY_RETURN};
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 60000;
    p.backoff_ceiling_ms = 60000;
    steady_actor *a = spawn_flaky(g, &f, &p, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(50);
    uint64_t t0 = now_ns();
    stop_cleanly(g);
    steady_log_set_level(old);
    if (ms_since(t0) > 3000)
        fail_msg("the stop waited %llu ms for a 60 s backoff", (unsigned long long)ms_since(t0));
    assert_int_equal(steady_actor_restarts(a), 1); /* restarted at once, then voted yes */
    steady_graph_free(g);
}

/* ---- fail-fast ---- */

static void run_failing_graph_in_child(bool by_option)
{
    if (!by_option)
        setenv("STEADY_FAIL_FAST", "1", 1);
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = NULL;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "ff",
                                                  .no_signal_handlers = true,
                                                  .fail_fast = by_option}) != STEADY_OK)
        _exit(3);
    static flaky f = {.fail_gens = 1, .how = BY_RETURN};
    steady_actor_spawn(g,
                       &(steady_actor_opts){
                           .name = "flaky", .run = flaky_run, .arg = &f, .state_size = sizeof(int)},
                       NULL);
    steady_graph_start(g);
    sleep_ms(2000);
    _exit(0); /* not aborted: fail-fast did not work */
}

static void fail_fast_aborts_at_the_first_failure(void **state)
{
    (void)state;
    for (int by_option = 0; by_option < 2; by_option++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            run_failing_graph_in_child(by_option);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
            fail_msg("fail-fast (%s): the child was not aborted (status %#x)",
                     by_option ? "option" : "STEADY_FAIL_FAST=1", status);
    }
}

/* ---- bad policies ---- */

static void check_bad_policy(steady_policy p, const char *mentions)
{
    steady_graph *g = new_graph("policies");
    flaky f = {0};
    steady_err e = steady_actor_spawn(
        g,
        &(steady_actor_opts){
            .name = "flaky", .run = flaky_run, .arg = &f, .policy = &p, .state_size = sizeof(int)},
        NULL);
    assert_int_equal(e, STEADY_EINVAL);
    assert_last_error_mentions("actor 'flaky'", mentions, NULL);
    steady_graph_free(g);
    /* The same policy as the graph's default is refused by steady_graph_new. */
    steady_graph *g2 = NULL;
    assert_int_equal(steady_graph_new(&g2, &(steady_graph_opts){.policy = &p}), STEADY_EINVAL);
    assert_last_error_mentions("graph policy", mentions, NULL);
}

static void bad_policies_are_refused_with_the_fix(void **state)
{
    (void)state;
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.jitter_pct = 101;
    check_bad_policy(p, "jitter_pct 101");
    p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 10;
    p.backoff_ceiling_ms = 5;
    check_bad_policy(p, "raise the ceiling");
    p = STEADY_POLICY_DEFAULT;
    p.max_restarts = 70000;
    check_bad_policy(p, "STEADY_UNLIMITED");
    p = STEADY_POLICY_DEFAULT;
    p.period_ms = 0;
    check_bad_policy(p, "period_ms > 0");
    p = STEADY_POLICY_DEFAULT;
    p.restart = (steady_restart)7;
    check_bad_policy(p, "steady_restart");
    p = STEADY_POLICY_DEFAULT;
    p.escalation = (steady_escalation)9;
    check_bad_policy(p, "steady_escalation");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_non_zero_return_restarts_the_actor),
        cmocka_unit_test(steady_panic_restarts_the_actor_with_its_reason),
        cmocka_unit_test(a_failed_steady_assert_restarts_the_actor_naming_the_expression),
        cmocka_unit_test(misusing_a_channel_restarts_the_actor),
        cmocka_unit_test(a_failing_member_backs_off_while_the_rest_of_its_troupe_runs),
        cmocka_unit_test(a_member_in_a_crash_loop_without_backoff_does_not_starve_its_troupe),
        cmocka_unit_test(the_default_policy_stops_a_hot_crash_loop_within_seconds),
        cmocka_unit_test(backoff_doubles_from_the_floor_up_to_the_ceiling),
        cmocka_unit_test(jitter_spreads_each_backoff_within_its_percentage),
        cmocka_unit_test(exceeding_the_intensity_stops_the_actor_for_good_and_closes_its_ends),
        cmocka_unit_test(restarts_spread_over_more_than_the_period_stay_within_the_intensity),
        cmocka_unit_test(escalating_to_the_graph_shuts_it_down_degraded),
        cmocka_unit_test(a_temporary_actor_is_never_restarted),
        cmocka_unit_test(a_permanent_actor_that_returns_while_running_is_restarted),
        cmocka_unit_test(a_permanent_actor_that_keeps_returning_is_stopped_for_good_saying_why),
        cmocka_unit_test(a_transient_actor_that_returns_is_not_restarted),
        cmocka_unit_test(a_failure_while_draining_restarts_until_the_actor_votes_and_loses_nothing),
        cmocka_unit_test(shutdown_cuts_a_long_backoff_short),
        cmocka_unit_test(fail_fast_aborts_at_the_first_failure),
        cmocka_unit_test(bad_policies_are_refused_with_the_fix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
