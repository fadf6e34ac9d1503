/* durations_test.c — every duration argument saturates: huge means forever, never a short wrap.
 *
 * One table per argument, each over 0, 1, max/2 and max (and -1 where the type is signed):
 *   steady_graph_block_until_stopped(timeout_ms)   int64_t ms of real time
 *   STEADY_TIMEOUT(ns), STEADY_PERIODIC(ns)         uint64_t ns of the graph clock, in a SOLO
 *                                                   actor and in a troupe member (the troupe's
 *                                                   scheduler sleeps to the earliest deadline)
 *   steady_policy backoff_floor/ceiling_ms, period_ms   uint32_t ms
 *   STEADY_US / STEADY_MS / STEADY_SEC              the conversion macros
 * Regressions: block_until_stopped(INT64_MAX) returned at once, unclean; STEADY_TIMEOUT(
 * UINT64_MAX) timed out at once; STEADY_PERIODIC(UINT64_MAX) spun a core (every wait READY).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "steady_test_support.h"

#define QUIET_MS 100 /* how long "forever" is watched before main requests shutdown */

/* ---- conversion macros ---- */

_Static_assert(STEADY_MS(0) == 0, "0 ms");
_Static_assert(STEADY_MS(1) == 1000000u, "1 ms");
_Static_assert(STEADY_US(UINT64_MAX / 2) == UINT64_MAX, "saturates");
_Static_assert(STEADY_SEC(UINT64_MAX) == UINT64_MAX, "saturates");
_Static_assert(STEADY_MS(-1) == UINT64_MAX, "a negative count is huge: never, not now");
_Static_assert(STEADY_SEC(18446744073u) == 18446744073000000000u, "largest exact second count");
_Static_assert(STEADY_SEC(18446744074u) == UINT64_MAX, "one more saturates");

static void conversion_macros_saturate_instead_of_wrapping(void **state)
{
    (void)state;
    volatile uint64_t huge = UINT64_MAX / 3; /* not a constant: the run-time path */
    assert_true(STEADY_MS(huge) == UINT64_MAX);
    assert_true(STEADY_US(huge) == UINT64_MAX);
    assert_true(STEADY_NS(huge) == UINT64_MAX / 3);
    volatile uint64_t small = 7;
    assert_true(STEADY_SEC(small) == 7000000000u);
}

/* ---- block_until_stopped(timeout_ms) ---- */

/* The veto: true once 50 ms have passed since it was first asked. */
static bool fifty_ms_since_first_asked(uint64_t *asked)
{
    if (!*asked)
        *asked = now_ns();
    return ms_since(*asked) >= 50;
}

static int slow_voter(steady_actor *a, void *arg)
{
    (void)arg;
    uint64_t asked = 0;
    while (STEADY_RUNNING(a, STEADY_I(fifty_ms_since_first_asked(&asked))))
        steady_wait_timeout(a, STEADY_MS(5));
    return 0;
}

static void block_timeouts_saturate(void **state)
{
    (void)state;
    static const struct {
        int64_t timeout_ms;
        steady_err want;
    } rows[] = {
        {0, STEADY_EUNCLEAN},       /* the votes are checked once */
        {1, STEADY_EUNCLEAN},       /* 1 ms is less than the 50 ms the voter takes */
        {INT64_MAX / 2, STEADY_OK}, /* as good as forever */
        {INT64_MAX, STEADY_OK},     /* regression: the deadline wrapped into the past */
        {-1, STEADY_OK},            /* negative: no limit, as poll(2) */
    };
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        steady_graph *g = new_graph("block");
        assert_int_equal(
            steady_actor_spawn(g, &(steady_actor_opts){.name = "voter", .run = slow_voter}, NULL),
            STEADY_OK);
        assert_int_equal(steady_graph_start(g), STEADY_OK);
        steady_graph_request_shutdown(g);
        uint64_t t0 = now_ns();
        steady_err e = steady_graph_block_until_stopped(g, rows[i].timeout_ms);
        uint64_t took = ms_since(t0);
        steady_graph_free(g);
        if (e != rows[i].want)
            fail_msg("timeout %lld ms: %s after %llu ms, expected %s",
                     (long long)rows[i].timeout_ms, steady_strerror(e), (unsigned long long)took,
                     steady_strerror(rows[i].want));
        if (e == STEADY_OK && took < 45)
            fail_msg("timeout %lld ms: clean after %llu ms, before the voter agreed",
                     (long long)rows[i].timeout_ms, (unsigned long long)took);
    }
    steady_log_set_level(old);
}

/* ---- STEADY_TIMEOUT and STEADY_PERIODIC ---- */

typedef struct timer_case {
    steady_cond_kind kind;
    uint64_t ns;
    _Atomic int ready, timeouts, waits; /* outcomes seen before the shutdown */
    _Atomic uint64_t first_ms;          /* ms from start to the first non-SHUTDOWN outcome */
} timer_case;

static int timer_run(steady_actor *a, void *arg)
{
    timer_case *c = arg;
    uint64_t t0 = now_ns();
    steady_cond cond = steady_cond_timer(c->kind, c->ns);
    while (STEADY_RUNNING(a, true)) {
        steady_wake w = steady_wait_any(a, cond, STEADY_SHUTDOWN_REQUESTED());
        atomic_fetch_add(&c->waits, 1);
        if (w.reason == STEADY_SHUTDOWN)
            continue;
        if (atomic_load(&c->ready) + atomic_load(&c->timeouts) == 0)
            atomic_store(&c->first_ms, ms_since(t0));
        atomic_fetch_add(w.reason == STEADY_READY ? &c->ready : &c->timeouts, 1);
        if (w.reason == STEADY_TIMEOUT)
            return 0; /* a timeout is one-shot: leave (a yes vote) */
        if (atomic_load(&c->ready) >= 1000)
            return 0; /* a period that always holds: enough seen */
    }
    return 0;
}

/* Runs one timer condition in a SOLO actor or a troupe member (with an idle mate, so the
 * troupe scheduler's sleep-to-deadline is used), watches it for QUIET_MS, then stops. */
static void run_timer(timer_case *c, bool member)
{
    steady_graph *g = new_graph("timers");
    steady_troupe *t = NULL;
    if (member)
        assert_int_equal(steady_troupe_new(g, NULL, &t), STEADY_OK);
    steady_actor_opts o = {.name = "timer", .run = timer_run, .arg = c, .troupe = t};
    assert_int_equal(steady_actor_spawn(g, &o, NULL), STEADY_OK);
    if (member)
        assert_int_equal(spawn_with(g, "mate", NULL, NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(QUIET_MS);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
}

static void check_timer(steady_cond_kind kind, uint64_t ns, bool member, bool fires)
{
    timer_case c = {.kind = kind, .ns = ns};
    run_timer(&c, member);
    const char *what = kind == STEADY_COND_TIMEOUT ? "STEADY_TIMEOUT" : "STEADY_PERIODIC";
    int fired = atomic_load(&c.ready) + atomic_load(&c.timeouts);
    if (fires && fired == 0)
        fail_msg("%s(%llu) (%s) never held within %d ms", what, (unsigned long long)ns,
                 member ? "member" : "solo", QUIET_MS);
    if (fires && atomic_load(&c.first_ms) > QUIET_MS / 2)
        fail_msg("%s(%llu) (%s) held only after %llu ms", what, (unsigned long long)ns,
                 member ? "member" : "solo", (unsigned long long)atomic_load(&c.first_ms));
    if (!fires && fired != 0)
        fail_msg("%s(%llu) (%s) held %d times within %d ms (%d waits): a huge duration wrapped "
                 "into a short one",
                 what, (unsigned long long)ns, member ? "member" : "solo", fired, QUIET_MS,
                 atomic_load(&c.waits));
    if (!fires && atomic_load(&c.waits) > 2) /* the shutdown wake, and the vote's */
        fail_msg("%s(%llu) (%s) returned %d times: it spins", what, (unsigned long long)ns,
                 member ? "member" : "solo", atomic_load(&c.waits));
}

static void timer_durations_saturate(void **state)
{
    (void)state;
    static const struct {
        uint64_t ns;
        bool fires; /* within QUIET_MS */
    } rows[] = {{0, true}, {1, true}, {UINT64_MAX / 2, false}, {UINT64_MAX, false}};
    const steady_cond_kind kinds[] = {STEADY_COND_TIMEOUT, STEADY_COND_PERIODIC};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            for (int member = 0; member < 2; member++)
                check_timer(kinds[k], rows[i].ns, member, rows[i].fires);
}

/* ---- policy durations ---- */

typedef struct failer {
    _Atomic int starts;
    int fail_first; /* generations that fail before one that waits for shutdown */
} failer;

static int failer_run(steady_actor *a, void *arg)
{
    failer *f = arg;
    if (atomic_fetch_add(&f->starts, 1) < f->fail_first)
        return 1;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

/* A backoff of UINT32_MAX ms (49 days) is waited out, and cut short by the shutdown. */
static void check_backoff(uint32_t ms)
{
    failer f = {.fail_first = 1};
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = p.backoff_ceiling_ms = ms;
    p.jitter_pct = 100; /* the widest spread must not wrap either */
    steady_graph *g = new_graph("backoff");
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "failer", .run = failer_run, .arg = &f, .policy = &p},
            NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(QUIET_MS);
    int seen = atomic_load(&f.starts);
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    steady_graph_free(g);
    assert_int_equal(e, STEADY_OK);
    if (ms >= 1000 && seen != 1)
        fail_msg("a %u ms backoff restarted the actor within %d ms", ms, QUIET_MS);
    if (ms <= 1 && seen != 2)
        fail_msg("a %u ms backoff did not restart the actor within %d ms", ms, QUIET_MS);
    assert_int_equal(atomic_load(&f.starts), 2); /* restarted by the shutdown, then voted */
}

/* max_restarts 1 within period_ms: the second failure stops the actor for good unless the
 * period is so short that the first restart has left the window. */
static void check_period(uint32_t ms, bool second_failure_escalates)
{
    failer f = {.fail_first = 2};
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = p.backoff_ceiling_ms = 2;
    p.jitter_pct = 0;
    p.max_restarts = 1;
    p.period_ms = ms;
    steady_graph *g = new_graph("period");
    steady_actor *a = NULL;
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "failer", .run = failer_run, .arg = &f, .policy = &p},
            &a),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(QUIET_MS);
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    bool lost = steady_actor_stopped_for_good(a);
    steady_graph_free(g);
    if (lost != second_failure_escalates)
        fail_msg("period %u ms: stopped for good %d, expected %d", ms, lost,
                 second_failure_escalates);
    assert_int_equal(e, second_failure_escalates ? STEADY_EDEGRADED : STEADY_OK);
}

static void policy_durations_saturate(void **state)
{
    (void)state;
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    const uint32_t backoffs[] = {0, 1, UINT32_MAX / 2, UINT32_MAX};
    for (size_t i = 0; i < 4; i++)
        check_backoff(backoffs[i]);
    steady_policy zero = STEADY_POLICY_DEFAULT;
    zero.period_ms = 0; /* a limit over no time at all: refused with the fix */
    steady_graph *g = NULL;
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.policy = &zero}), STEADY_EINVAL);
    assert_last_error_mentions("period_ms > 0", NULL);
    check_period(1, false); /* the restart 2 ms earlier has left a 1 ms window */
    check_period(UINT32_MAX / 2, true);
    check_period(UINT32_MAX, true);
    steady_log_set_level(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conversion_macros_saturate_instead_of_wrapping),
        cmocka_unit_test(block_timeouts_saturate),
        cmocka_unit_test(timer_durations_saturate),
        cmocka_unit_test(policy_durations_saturate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
