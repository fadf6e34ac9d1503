/* lint_test.c — specification of telemetry's lints (src/telemetry/lint.c): each one provoked
 * by a real graph built to show it, read through the real collector, and never raised on the
 * well-behaved actors beside it.
 *
 *   starves_troupe  a troupe member spinning 300 ms at a time, beside a mate that waits
 *   polling         an actor looping on a 1 ms timeout, beside one waiting on an empty channel
 *   lost_wakeup     a consumer that never takes from its full input (it waits on a timer only)
 *   restart_loop    an actor failing at each generation, restarted at once
 *
 * Frames of 50 ms and a window of 1 s, so each lint shows within about two seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <steady/inspect.h>

#include "steady_test_support.h"
#include "telemetry/collect.h"
#include "telemetry/lint.h"

#define FRAME_MS 50u

static uint64_t unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Samples g every FRAME_MS for up to `secs`; returns the lint bits ever raised on each actor
 * (into seen[], one per actor), stopping early once `want` is seen on actor `who`. */
static void watch(steady_graph *g, double secs, uint32_t *seen, size_t n, uint32_t who,
                  uint32_t want)
{
    tm_collect_config cfg = {.frame_ms = FRAME_MS, .refresh_ms = 500, .window_ms = 1000};
    tm_collector *c = tm_collector_new(g, &cfg, now_ns());
    assert_non_null(c);
    memset(seen, 0, n * sizeof *seen);
    uint64_t t0 = now_ns();
    while ((double)ms_since(t0) < secs * 1000) {
        sleep_ms(FRAME_MS);
        const tm_frame *f = tm_collector_sample(c, now_ns(), unix_ms());
        assert_int_equal(f->n_actors, n);
        for (size_t i = 0; i < n; i++)
            seen[i] |= f->actors[i].lints;
        if (seen[who] & want)
            break;
    }
    tm_collector_free(c);
}

static void stop(steady_graph *g)
{
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
}

static steady_actor *spawn_in(steady_graph *g, const char *name, steady_actor_fn fn, void *arg,
                              steady_troupe *t, steady_tx *const *txs, steady_rx *const *rxs)
{
    steady_actor *a;
    assert_int_equal(
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = name, .run = fn, .arg = arg, .troupe = t, .txs = txs, .rxs = rxs},
            &a),
        STEADY_OK);
    return a;
}

/* ---- starves_troupe ---- */

static int hog(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true)) {
        uint64_t until = now_ns() + 300000000ull; /* six frames without a wait */
        while (now_ns() < until)
            ;
        steady_wait_periodic(a, 400000000ull);
    }
    return 0;
}

static int waiter(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_periodic(a, 50000000ull); /* 20 wakes a second: not polling */
    return 0;
}

static void a_member_that_never_yields_starves_its_troupe(void **state)
{
    (void)state;
    steady_graph *g = new_graph("starving");
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "pair"}, &t), STEADY_OK);
    spawn_in(g, "hog", hog, NULL, t, NULL, NULL);
    spawn_in(g, "mate", waiter, NULL, t, NULL, NULL);
    spawn_in(g, "alone", hog, NULL, NULL, NULL, NULL); /* SOLO: it starves no one */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint32_t seen[3];
    watch(g, 5, seen, 3, 0, TM_LINT_STARVES_TROUPE);
    print_message("lints: hog %#x, mate %#x, alone %#x\n", seen[0], seen[1], seen[2]);
    assert_true(seen[0] & TM_LINT_STARVES_TROUPE);
    assert_int_equal(seen[1], 0);
    assert_false(seen[2] & TM_LINT_STARVES_TROUPE);
    stop(g);
}

/* ---- polling ---- */

typedef struct {
    u64ch_rx in;
} rx_io;

static int poller(steady_actor *a, void *arg)
{
    rx_io *io = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, true)) {
        steady_wait_timeout(a, 1000000ull); /* looks every millisecond instead of waiting */
        while (u64ch_rx_try_take(io->in, &v) == STEADY_OK)
            ;
    }
    return 0;
}

static int patient(steady_actor *a, void *arg)
{
    rx_io *io = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, true)) {
        steady_wait_avail(a, io->in, 1);
        while (u64ch_rx_try_take(io->in, &v) == STEADY_OK)
            ;
    }
    return 0;
}

static int silent(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void an_actor_woken_with_nothing_to_do_is_polling(void **state)
{
    (void)state;
    steady_graph *g = new_graph("polling");
    u64ch_tx t1, t2;
    rx_io p1, p2;
    assert_int_equal(u64ch_new(g, "quiet1", 16, &t1, &p1.in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "quiet2", 16, &t2, &p2.in), STEADY_OK);
    spawn_in(g, "poller", poller, &p1, NULL, NULL, STEADY_RXS(p1.in));
    spawn_in(g, "patient", patient, &p2, NULL, NULL, STEADY_RXS(p2.in));
    spawn_in(g, "silent", silent, NULL, NULL, STEADY_TXS(t1, t2), NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint32_t seen[3];
    watch(g, 5, seen, 3, 0, TM_LINT_POLLING);
    print_message("lints: poller %#x, patient %#x, silent %#x\n", seen[0], seen[1], seen[2]);
    assert_true(seen[0] & TM_LINT_POLLING);
    assert_int_equal(seen[1], 0);
    assert_int_equal(seen[2], 0);
    stop(g);
}

/* ---- lost_wakeup ---- */

typedef struct {
    u64ch_tx out;
} tx_io;

static int filler(steady_actor *a, void *arg)
{
    tx_io *io = arg;
    uint64_t v = 0;
    while (u64ch_tx_try_send(io->out, v) == STEADY_OK)
        v++;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static int deaf(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_periodic(a, 200000000ull); /* never looks at its input */
    return 0;
}

static void a_full_input_its_idle_consumer_ignores_is_a_lost_wakeup(void **state)
{
    (void)state;
    steady_graph *g = new_graph("deaf");
    tx_io f;
    rx_io d;
    assert_int_equal(u64ch_new(g, "ignored", 8, &f.out, &d.in), STEADY_OK);
    spawn_in(g, "filler", filler, &f, NULL, STEADY_TXS(f.out), NULL);
    spawn_in(g, "deaf", deaf, &d, NULL, NULL, STEADY_RXS(d.in));
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint32_t seen[2];
    watch(g, 5, seen, 2, 1, TM_LINT_LOST_WAKEUP);
    print_message("lints: filler %#x, deaf %#x\n", seen[0], seen[1]);
    assert_true(seen[1] & TM_LINT_LOST_WAKEUP);
    assert_int_equal(seen[0], 0);
    stop(g);
}

/* ---- restart_loop ---- */

static int crasher(steady_actor *a, void *arg)
{
    (void)arg;
    if (STEADY_RUNNING(a, true))
        steady_panic("fails at every start (regeneration %u)", steady_actor_regeneration(a));
    return 0;
}

static void an_actor_failing_at_every_start_is_a_restart_loop(void **state)
{
    (void)state;
    steady_graph *g = new_graph("looping");
    steady_policy pol = STEADY_POLICY_DEFAULT;
    pol.backoff_floor_ms = 20;
    pol.backoff_ceiling_ms = 20;
    pol.max_restarts = STEADY_UNLIMITED;
    steady_actor *a;
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "crasher", .run = crasher, .policy = &pol}, &a),
        STEADY_OK);
    spawn_in(g, "calm", waiter, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint32_t seen[2];
    watch(g, 5, seen, 2, 0, TM_LINT_RESTART_LOOP);
    print_message("lints: crasher %#x, calm %#x\n", seen[0], seen[1]);
    assert_true(seen[0] & TM_LINT_RESTART_LOOP);
    assert_int_equal(seen[1], 0);
    stop(g);
}

static void lint_names_are_the_documented_ones(void **state)
{
    (void)state;
    assert_string_equal(tm_lint_name(TM_LINT_STARVES_TROUPE), "starves_troupe");
    assert_string_equal(tm_lint_name(TM_LINT_POLLING), "polling");
    assert_string_equal(tm_lint_name(TM_LINT_LOST_WAKEUP), "lost_wakeup");
    assert_string_equal(tm_lint_name(TM_LINT_RESTART_LOOP), "restart_loop");
    assert_null(tm_lint_name(0));
    assert_null(tm_lint_name(16));
    tm_lints *l = tm_lints_new(0); /* a graph without actors */
    assert_non_null(l);
    tm_lints_update(l, NULL, NULL, NULL, 0, 0); /* no frame: no-op */
    tm_lints_free(l);
    tm_lints_update(NULL, NULL, NULL, NULL, 0, 0); /* no-op */
    tm_lints_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_member_that_never_yields_starves_its_troupe),
        cmocka_unit_test(an_actor_woken_with_nothing_to_do_is_polling),
        cmocka_unit_test(a_full_input_its_idle_consumer_ignores_is_a_lost_wakeup),
        cmocka_unit_test(an_actor_failing_at_every_start_is_a_restart_loop),
        cmocka_unit_test(lint_names_are_the_documented_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
