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
    steady_sched sched = {.next = reverse_order, .ctx = &log};
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

/* ---- one step at a time: steady_sched.pick ---- */

STEADY_CHANNEL_TYPE(u64, uint64_t);

typedef struct picker {
    int picks;
    bool wrong_once;        /* the first pick names a member that cannot run */
    char first[3][96];      /* each member's description at the first pick */
    char waiting_q[96];     /* the consumer's, the first time it is not ready */
    unsigned char ready[3]; /* the ready list at the first pick */
    int order[64];
    u64_tx tx;
    u64_rx rx;
} picker;

/* Always the ready member of lowest index: p (0) runs to its end before q (1) and r (2) start. */
static size_t lowest_ready(void *ctx, size_t n, const unsigned char *ready)
{
    picker *k = ctx;
    if (k->picks == 0) {
        memcpy(k->ready, ready, 3);
        for (size_t i = 0; i < n; i++)
            steady_sched_describe(i, k->first[i], sizeof k->first[i]);
    }
    if (!ready[1] && !k->waiting_q[0])
        steady_sched_describe(1, k->waiting_q, sizeof k->waiting_q);
    if (k->picks < 64)
        k->order[k->picks] = -1;
    size_t i = 0;
    while (!ready[i])
        i++;
    if (k->picks < 64)
        k->order[k->picks] = (int)i;
    k->picks++;
    if (k->wrong_once && k->picks == 1)
        return n + 5; /* out of range: the troupe runs the next ready member (0) and says so */
    return i;
}

static int pick_producer(steady_actor *a, void *arg)
{
    picker *k = arg;
    for (uint64_t v = 1; v <= 3; v++) {
        u64_tx_try_send(k->tx, v);
        steady_wait_timeout(a, 0); /* a step per value */
    }
    return 0;
}

static int pick_consumer(steady_actor *a, void *arg)
{
    picker *k = arg;
    steady_wait_all(a, STEADY_AVAIL(k->rx, 3), STEADY_SHUTDOWN_REQUESTED());
    uint64_t v;
    while (u64_rx_try_take(k->rx, &v) == STEADY_OK)
        ;
    return 0;
}

static int pick_idler(steady_actor *a, void *arg)
{
    (void)arg;
    steady_wait_timeout(a, 0);
    return 0;
}

static void run_picker(picker *k)
{
    steady_graph *g;
    steady_troupe *t;
    steady_sched sched = {.pick = lowest_ready, .ctx = k};
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}),
                     STEADY_OK);
    assert_int_equal(
        steady_troupe_new(g, &(steady_troupe_opts){.name = "picked", .sched = &sched}, &t),
        STEADY_OK);
    assert_int_equal(u64_new(g, "values", 8, &k->tx, &k->rx), STEADY_OK);
    steady_actor_opts o[] = {
        {.name = "p", .run = pick_producer, .arg = k, .troupe = t, .txs = STEADY_TXS(k->tx)},
        {.name = "q", .run = pick_consumer, .arg = k, .troupe = t, .rxs = STEADY_RXS(k->rx)},
        {.name = "r", .run = pick_idler, .arg = k, .troupe = t},
    };
    for (int i = 0; i < 3; i++)
        assert_int_equal(steady_actor_spawn(g, &o[i], NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
}

static void a_picking_scheduler_runs_exactly_the_member_it_picks(void **state)
{
    (void)state;
    picker k;
    memset(&k, 0, sizeof k);
    run_picker(&k);
    /* p's four steps (its start; each wait yields first), then q's two, r's two: one member
     * per pick. */
    static const int want[] = {0, 0, 0, 0, 1, 1, 2, 2};
    assert_int_equal(k.picks, 8);
    assert_memory_equal(k.order, want, sizeof want);
    assert_memory_equal(k.ready, ((unsigned char[]){1, 1, 1}), 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(k.first[i], "its start");
    /* q found its three values at once: the first time it could not run, it had ended. */
    assert_string_equal(k.waiting_q, "nothing (ended)");
    /* Outside a callback, describing is refused with the reason. */
    char buf[32];
    assert_int_equal(steady_sched_describe(0, buf, sizeof buf), 0);
    assert_non_null(strstr(steady_last_error(), "called outside a scheduler callback"));
}

/* What the callback describes while the consumer waits: q picked first, it parks. */
static size_t consumer_first(void *ctx, size_t n, const unsigned char *ready)
{
    picker *k = ctx;
    size_t pick = ready[1] ? 1 : ready[0] ? 0 : 2;
    k->picks++;
    if (k->picks == 2) /* q yielded as it entered its wait */
        steady_sched_describe(1, k->waiting_q, sizeof k->waiting_q);
    if (!ready[1] && !k->first[1][0]) { /* q has parked in its wait */
        for (size_t i = 0; i < n; i++)
            steady_sched_describe(i, k->first[i], sizeof k->first[i]);
        char small[8];
        /* Cut to fit, the length of the whole text returned (as snprintf). */
        size_t len = steady_sched_describe(1, small, sizeof small);
        k->order[0] = (int)len;
        k->order[1] = (int)strlen(small);
        k->order[2] = (int)steady_sched_describe(1, NULL, 0);
        k->order[3] = (int)steady_sched_describe(7, small, sizeof small); /* no such member */
        k->order[4] = (int)steady_sched_describe(1, NULL, sizeof small);  /* NULL buf */
    }
    return pick;
}

static void a_picking_scheduler_reads_each_members_wait(void **state)
{
    (void)state;
    picker k;
    memset(&k, 0, sizeof k);
    steady_graph *g;
    steady_troupe *t;
    steady_sched sched = {.pick = consumer_first, .ctx = &k};
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}),
                     STEADY_OK);
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "qf", .sched = &sched}, &t),
                     STEADY_OK);
    assert_int_equal(u64_new(g, "values", 8, &k.tx, &k.rx), STEADY_OK);
    steady_actor_opts o[] = {
        {.name = "p", .run = pick_producer, .arg = &k, .troupe = t, .txs = STEADY_TXS(k.tx)},
        {.name = "q", .run = pick_consumer, .arg = &k, .troupe = t, .rxs = STEADY_RXS(k.rx)},
        {.name = "r", .run = pick_idler, .arg = &k, .troupe = t},
    };
    for (int i = 0; i < 3; i++)
        assert_int_equal(steady_actor_spawn(g, &o[i], NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
    assert_string_equal(k.waiting_q,
                        "its turn (it yielded at a wait for all of: 3 to take on 'values', "
                        "shutdown)");
    assert_string_equal(k.first[0], "its start");
    assert_string_equal(k.first[1], "all of: 3 to take on 'values', shutdown");
    assert_string_equal(k.first[2], "its start");
    size_t whole = strlen("all of: 3 to take on 'values', shutdown");
    assert_int_equal(k.order[0], (int)whole);
    assert_int_equal(k.order[1], 7);
    assert_int_equal(k.order[2], (int)whole);
    assert_int_equal(k.order[3], 0);
    assert_int_equal(k.order[4], 0);
}

/* Picks q while it cannot run (it waits for three values p has not sent), every time: each
 * such pick runs the next ready member instead, and only the first is logged. */
static size_t stubborn(void *ctx, size_t n, const unsigned char *ready)
{
    picker *k = ctx;
    (void)n;
    if (k->picks < 64)
        k->order[k->picks] = ready[1];
    k->picks++;
    return 1;
}

static void a_pick_of_a_member_that_cannot_run_is_replaced(void **state)
{
    (void)state;
    picker k;
    memset(&k, 0, sizeof k);
    steady_graph *g;
    steady_troupe *t;
    steady_sched sched = {.pick = stubborn, .ctx = &k};
    capture_start();
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}),
                     STEADY_OK);
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "st", .sched = &sched}, &t),
                     STEADY_OK);
    assert_int_equal(u64_new(g, "values", 8, &k.tx, &k.rx), STEADY_OK);
    steady_actor_opts o[] = {
        {.name = "p", .run = pick_producer, .arg = &k, .troupe = t, .txs = STEADY_TXS(k.tx)},
        {.name = "q", .run = pick_consumer, .arg = &k, .troupe = t, .rxs = STEADY_RXS(k.rx)},
    };
    for (int i = 0; i < 2; i++)
        assert_int_equal(steady_actor_spawn(g, &o[i], NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
    capture_stop();
    int not_ready = 0;
    for (int i = 0; i < k.picks && i < 64; i++)
        not_ready += k.order[i] == 0;
    assert_true(not_ready >= 2); /* picked while parked, more than once */
    const char *said = "troupe 'st': its scheduler picked 1 of 2 members, which cannot run now; "
                       "using the next ready member for such picks";
    const char *first = strstr(captured, said);
    assert_non_null(first);
    assert_null(strstr(first + 1, said)); /* said once */
}

/* Describing from a pass scheduler's next works as from pick. */
static char next_said[96];

static size_t describing_next(void *ctx, size_t n, size_t last)
{
    (void)ctx;
    if (!next_said[0])
        steady_sched_describe(0, next_said, sizeof next_said);
    return (last + 1) % n;
}

static void describe_works_in_next_too(void **state)
{
    (void)state;
    next_said[0] = '\0';
    steady_graph *g;
    steady_troupe *t;
    steady_sched sched = {.next = describing_next};
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}),
                     STEADY_OK);
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "dn", .sched = &sched}, &t),
                     STEADY_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(steady_actor_spawn(g,
                                            &(steady_actor_opts){.name = "r",
                                                                 .has_suffix = true,
                                                                 .suffix = (unsigned)i,
                                                                 .run = pick_idler,
                                                                 .troupe = t},
                                            NULL),
                         STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
    assert_string_equal(next_said, "its start");
}

static void a_pick_that_cannot_run_is_replaced_and_said_once(void **state)
{
    (void)state;
    picker k;
    memset(&k, 0, sizeof k);
    k.wrong_once = true;
    capture_start();
    run_picker(&k);
    capture_stop();
    assert_int_equal(k.picks, 8); /* every step still ran one member */
    assert_non_null(strstr(captured, "troupe 'picked': its scheduler picked 8 of 3 members, "
                                     "which is out of range; using the next ready member"));
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
        cmocka_unit_test(a_picking_scheduler_runs_exactly_the_member_it_picks),
        cmocka_unit_test(a_picking_scheduler_reads_each_members_wait),
        cmocka_unit_test(a_pick_that_cannot_run_is_replaced_and_said_once),
        cmocka_unit_test(a_pick_of_a_member_that_cannot_run_is_replaced),
        cmocka_unit_test(describe_works_in_next_too),
        cmocka_unit_test(timed_waits_follow_the_graph_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
