/* hooks_test.c — what a test changes in a graph the application builds (steady/hooks.h): a
 * spawn hook standing in for a named actor, every actor on one thread, a failure that stops
 * the graph instead of restarting the actor, and the hooks as the graph keeps them.
 *
 * The application's side is one graph-building function, app_build(), used unchanged by
 * every test: a source (SOLO), a doubler (a troupe member) and a sink (ISOLATED when asked).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include <steady/steady.h>

#include "steady_test_support.h"

#define N 1000

STEADY_CHANNEL_TYPE(num, uint64_t);

typedef struct app {
    num_tx src_tx, dbl_tx;
    num_rx src_rx, dbl_rx;
    uint64_t sum;       /* the sink's total */
    uint64_t received;  /* the sink's count */
    bool isolated_sink; /* the application asks for an ISOLATED sink */
    bool fail_at_500;   /* the doubler's STEADY_ASSERT fails at value 500 */
} app;

static int source_run(steady_actor *a, void *arg)
{
    app *p = arg;
    for (uint64_t v = 1; v <= N; v++)
        if (num_tx_send_wait(a, p->src_tx, v) != STEADY_OK)
            return 1;
    return 0;
}

static int doubler_run(steady_actor *a, void *arg)
{
    app *p = arg;
    uint64_t v;
    while (num_rx_take_wait(a, p->src_rx, &v) == STEADY_OK) {
        STEADY_ASSERT(!p->fail_at_500 || v != 500);
        if (num_tx_send_wait(a, p->dbl_tx, 2 * v) != STEADY_OK)
            return 1;
    }
    return 0;
}

static int sink_run(steady_actor *a, void *arg)
{
    app *p = arg;
    uint64_t v;
    uint64_t *st = steady_actor_state(a); /* [0] sum, [1] count: shared memory when ISOLATED */
    while (num_rx_take_wait(a, p->dbl_rx, &v) == STEADY_OK) {
        st[0] += v;
        st[1]++;
    }
    return 0;
}

/* The application's graph-building function: unchanged by every test below. */
static void app_build(steady_graph *g, app *p, steady_actor **sink)
{
    assert_int_equal(num_new(g, "src", 16, &p->src_tx, &p->src_rx), STEADY_OK);
    assert_int_equal(num_new(g, "dbl", 16, &p->dbl_tx, &p->dbl_rx), STEADY_OK);
    steady_troupe *t = NULL;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "workers"}, &t), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "source",
                                                             .run = source_run,
                                                             .arg = p,
                                                             .txs = STEADY_TXS(p->src_tx)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "doubler",
                                                             .run = doubler_run,
                                                             .arg = p,
                                                             .troupe = t,
                                                             .policy = &STEADY_POLICY_DEFAULT,
                                                             .rxs = STEADY_RXS(p->src_rx),
                                                             .txs = STEADY_TXS(p->dbl_tx)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "sink",
                                                             .run = sink_run,
                                                             .arg = p,
                                                             .isolated = p->isolated_sink,
                                                             .state_size = 2 * sizeof(uint64_t),
                                                             .rxs = STEADY_RXS(p->dbl_rx)},
                                        sink),
                     STEADY_OK);
}

static uint64_t sink_sum(steady_actor *sink)
{
    return ((const uint64_t *)steady_actor_state(sink))[0];
}

/* ---- the spawn hook: a stand-in for a named actor ---- */

typedef struct standin {
    unsigned seen;       /* spawns the hook saw */
    const char *replace; /* the actor it stands in for */
    const char *refuse;  /* the actor it refuses */
} standin;

/* Sends 10, 20, ..., 100 instead of 1..N: the sink's total tells which source ran. */
static int fake_source(steady_actor *a, void *arg)
{
    app *p = arg;
    for (uint64_t v = 10; v <= 100; v += 10)
        if (num_tx_send_wait(a, p->src_tx, v) != STEADY_OK)
            return 1;
    return 0;
}

static steady_err hook(void *ctx, steady_actor_opts *o)
{
    standin *s = ctx;
    s->seen++;
    if (s->replace && strcmp(o->name, s->replace) == 0)
        o->run = fake_source; /* same ends, name and arg */
    if (s->refuse && strcmp(o->name, s->refuse) == 0)
        return steady_error_set(STEADY_EEXIST, "the test refuses '%s'", o->name);
    return STEADY_OK;
}

static void a_spawn_hook_stands_in_for_a_named_actor(void **state)
{
    (void)state;
    static app p;
    p = (app){0};
    standin s = {.replace = "source"};
    steady_graph_hooks h = {.spawn = hook, .spawn_ctx = &s};
    steady_graph *g = new_graph_opts(&(steady_graph_opts){.name = "hooked", .hooks = &h});
    steady_actor *sink;
    app_build(g, &p, &sink);
    assert_int_equal(s.seen, 3);
    steady_actor_info ai[3];
    assert_int_equal(steady_inspect_actors(g, ai, 3), 3);
    assert_string_equal(ai[0].label, "source"); /* the stand-in is an ordinary actor */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_int_equal(sink_sum(sink), 2 * 550); /* 2 * (10 + ... + 100), not 2 * (1 + ... + N) */
    steady_graph_free(g);
}

static void a_spawn_hook_may_refuse_with_its_reason(void **state)
{
    (void)state;
    static app p;
    p = (app){0};
    standin s = {.refuse = "doubler"};
    steady_graph_hooks h = {.spawn = hook, .spawn_ctx = &s};
    steady_graph *g = new_graph_opts(&(steady_graph_opts){.name = "refusing", .hooks = &h});
    assert_int_equal(num_new(g, "src", 16, &p.src_tx, &p.src_rx), STEADY_OK);
    assert_int_equal(num_new(g, "dbl", 16, &p.dbl_tx, &p.dbl_rx), STEADY_OK);
    steady_err e = steady_actor_spawn(g,
                                      &(steady_actor_opts){.name = "doubler",
                                                           .run = doubler_run,
                                                           .arg = &p,
                                                           .rxs = STEADY_RXS(p.src_rx),
                                                           .txs = STEADY_TXS(p.dbl_tx)},
                                      NULL);
    assert_int_equal(e, STEADY_EEXIST);
    assert_non_null(strstr(steady_last_error(), "actor 'doubler': the graph's spawn hook refused "
                                                "it: the test refuses 'doubler'"));
    steady_graph_free(g);
}

/* ---- one thread ---- */

typedef struct order {
    unsigned calls;
} order;

static size_t counting_next(void *ctx, size_t n, size_t last)
{
    ((order *)ctx)->calls++;
    return last >= n ? 0 : (last + 1) % n;
}

static void one_thread_runs_solo_troupe_and_isolated_actors_on_one_thread(void **state)
{
    (void)state;
    static app p;
    p = (app){.isolated_sink = true};
    order o = {0};
    steady_sched sched = {.next = counting_next, .ctx = &o};
    steady_graph_hooks h = {.one_thread = true, .sched = &sched};
    steady_graph *g = new_graph_opts(&(steady_graph_opts){.name = "one", .hooks = &h});
    sched.next = NULL; /* the graph copied it */
    steady_actor *sink;
    app_build(g, &p, &sink);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_int_equal(sink_sum(sink), (uint64_t)N * (N + 1)); /* 2 * (1 + ... + N) */
    steady_actor_info ai[3];
    steady_troupe_info ti[4];
    assert_int_equal(steady_inspect_actors(g, ai, 3), 3);
    size_t nt = steady_inspect_troupes(g, ti, 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ai[i].placement, STEADY_PLACEMENT_MEMBER); /* the sink too */
        assert_int_equal(ai[i].troupe, ai[0].troupe);
    }
    assert_true(ai[0].troupe < nt);
    assert_string_equal(ti[ai[0].troupe].name, "test-thread");
    assert_true(o.calls > 0);                   /* the given scheduler chose the order */
    assert_int_equal(children_of(getpid()), 0); /* no zygote, no child */
    steady_graph_free(g);
}

/* ---- failures stop the graph ---- */

static void failures_stop_the_graph_and_name_the_actor(void **state)
{
    (void)state;
    static app p;
    p = (app){.fail_at_500 = true};
    steady_graph_hooks h = {.failures_stop = true, .one_thread = true};
    capture_start();
    steady_graph *g = new_graph_opts(&(steady_graph_opts){.name = "failing", .hooks = &h});
    steady_actor *sink;
    app_build(g, &p, &sink); /* the doubler's own policy would restart it */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    char report[2048];
    steady_graph_report(g, report, sizeof report);
    capture_stop();
    assert_int_equal(e, STEADY_EDEGRADED);
    if (!strstr(report, "actor 'doubler': stopped for good after 1 failure") ||
        !strstr(report, "assertion failed: ") || !strstr(report, "hooks_test.c:"))
        fail_msg("report:\n%s", report);
    steady_actor_info ai[3];
    assert_int_equal(steady_inspect_actors(g, ai, 3), 3);
    assert_int_equal(ai[1].regeneration, 0); /* never restarted */
    assert_int_equal(ai[1].failures, 1);
    assert_null(strstr(captured, "restarting"));
    steady_graph_free(g);
}

/* ---- the hooks as the graph keeps them ---- */

static void the_graph_keeps_a_copy_of_its_hooks(void **state)
{
    (void)state;
    steady_graph_hooks h = {.test_graph = true, .failures_stop = true};
    steady_graph *g = new_graph_opts(&(steady_graph_opts){.hooks = &h});
    h.test_graph = false;
    const steady_graph_hooks *kept = steady_graph_hooks_of(g);
    assert_non_null(kept);
    assert_true(kept->test_graph && kept->failures_stop && !kept->one_thread);
    steady_graph_free(g);
    g = new_graph("plain");
    kept = steady_graph_hooks_of(g);
    assert_true(!kept->test_graph && !kept->spawn && !kept->one_thread);
    steady_graph_free(g);
    assert_null(steady_graph_hooks_of(NULL));
    steady_sched no_next = {.next = NULL};
    h.sched = &no_next;
    steady_graph *bad = NULL;
    assert_int_equal(steady_graph_new(&bad, &(steady_graph_opts){.hooks = &h}), STEADY_EINVAL);
    assert_non_null(
        strstr(steady_last_error(), "opts.hooks->sched has neither a next nor a pick function"));
    assert_null(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_spawn_hook_stands_in_for_a_named_actor),
        cmocka_unit_test(a_spawn_hook_may_refuse_with_its_reason),
        cmocka_unit_test(one_thread_runs_solo_troupe_and_isolated_actors_on_one_thread),
        cmocka_unit_test(failures_stop_the_graph_and_name_the_actor),
        cmocka_unit_test(the_graph_keeps_a_copy_of_its_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
