/* plug_test.c — the two plug-in points a testing kit builds on: the troupe scheduler (which
 * member runs next) and the graph clock (what "now" is for every timed wait). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <steady/steady.h>

#include "steady_test_support.h"

/* ---- scheduler ---- */

#define MEMBERS 3
#define TURNS 20

typedef struct order_log {
    _Atomic int calls;
    int seq[MEMBERS * TURNS + 8];
    int n;
} order_log;

static size_t reverse_order(void *ctx, size_t n_members, size_t last)
{
    order_log *log = ctx;
    atomic_fetch_add(&log->calls, 1);
    return (last + n_members - 1) % n_members;
}

typedef struct member_arg {
    order_log *log;
    int id;
} member_arg;

static int member(steady_actor *a, void *arg)
{
    member_arg *m = arg;
    for (int i = 0; i < TURNS; i++) {
        m->log->seq[m->log->n++] = m->id; /* one thread: the troupe's */
        steady_wait_timeout(a, 0);        /* every wait switches to the next member */
    }
    return 0;
}

static void troupe_runs_members_in_the_order_its_scheduler_gives(void **state)
{
    (void)state;
    static order_log log;
    memset(&log, 0, sizeof log);
    steady_graph *g;
    steady_troupe *t;
    steady_sched sched = {reverse_order, &log};
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}),
                     STEADY_OK);
    assert_int_equal(
        steady_troupe_new(g, &(steady_troupe_opts){.name = "rev", .sched = &sched}, &t), STEADY_OK);
    member_arg args[MEMBERS];
    for (int i = 0; i < MEMBERS; i++) {
        args[i] = (member_arg){&log, i};
        assert_int_equal(steady_actor_spawn(g,
                                            &(steady_actor_opts){.name = "m",
                                                                 .has_suffix = true,
                                                                 .suffix = (unsigned)i,
                                                                 .run = member,
                                                                 .arg = &args[i],
                                                                 .troupe = t},
                                            NULL),
                         STEADY_OK);
    }

    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);

    assert_true(atomic_load(&log.calls) >= MEMBERS * TURNS);
    assert_int_equal(log.n, MEMBERS * TURNS);
    /* From the start (last = n-1), reverse order runs 1, 0, 2, 1, 0, 2, ... */
    for (int i = 0; i < log.n; i++)
        assert_int_equal(log.seq[i], (MEMBERS + 1 - i % MEMBERS) % MEMBERS);
}

/* ---- clock ---- */

static _Atomic uint64_t virtual_ns;

static uint64_t virtual_now(void *ctx)
{
    (void)ctx;
    return atomic_load(&virtual_ns);
}

static _Atomic int beats;

static int ticker(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        if (steady_wait_periodic(a, STEADY_SEC(3600)) == STEADY_READY) /* an hour, virtually */
            atomic_fetch_add(&beats, 1);
    return 0;
}

static void timed_waits_follow_the_graph_clock(void **state)
{
    (void)state;
    atomic_store(&virtual_ns, STEADY_SEC(1));
    atomic_store(&beats, 0);
    steady_clock clock = {virtual_now, NULL};
    steady_graph *g;
    assert_int_equal(
        steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true, .clock = &clock}),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "ticker", .run = ticker}, NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);

    sleep_ms(50);
    int before = atomic_load(&beats); /* no virtual time has passed: no beat */
    for (int hour = 1; hour <= 5; hour++) {
        atomic_fetch_add(&virtual_ns, STEADY_SEC(3600));
        steady_graph_poke(g);
        for (int i = 0; i < 200 && atomic_load(&beats) < hour; i++)
            sleep_ms(5);
    }
    int after = atomic_load(&beats);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);

    assert_int_equal(before, 0);
    assert_int_equal(after, 5); /* five virtual hours in well under a real second */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(troupe_runs_members_in_the_order_its_scheduler_gives),
        cmocka_unit_test(timed_waits_follow_the_graph_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
