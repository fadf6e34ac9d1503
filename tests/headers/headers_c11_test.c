/*
 * headers_c11_test.c: the public headers from ISO C11. Compiled with -std=c11 -pedantic -Wall
 * -Wextra -Wconversion -Werror (tests/headers/CMakeLists.txt), it includes every header in
 * include/steady/ (all_headers.h, generated from a glob at configure time, so a new header is
 * covered without editing this file) and uses the macros in a small graph that must deliver every
 * value exactly once:
 *
 *   gen ==work[0]==> doubler --doubled--> merge
 *       ==work[1]==> tripler --tripled--/
 *
 * gen owns the tx bundle "work" (STEADY_TX_BUNDLES) and picks a lane with a lane wait bounded
 * by STEADY_TIMEOUT; doubler owns lane 0, split out of the rx bundle (STEADY_RXS and STEADY_TXS
 * with one end each) and fails one STEADY_ASSERT in its first generation; tripler owns what is
 * left of the rx bundle (STEADY_RX_BUNDLES) and waits on a lane; merge owns both outputs
 * (STEADY_RXS with two ends) and checks each value. These four loop on STEADY_RUNNING with a
 * STEADY_I veto. A probe actor beside them owns a channel and a bundle of its own and calls
 * every other wait macro once, where its reason is certain. The graph's shutdown barrier is 2:
 * it stops once gen (everything sent) and the probe (every check made) have both asked.
 * headers_cxx17_test.cpp is the same graph written in C++17.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "all_headers.h"

STEADY_BUNDLE_TYPE(u64, uint64_t);

#define VALUES 20000u
#define CAPACITY 64u

typedef struct pipeline {
    u64_tx_bundle work_tx; /* gen's two lanes */
    u64_rx_bundle work_rx; /* lane 1 only, once lane 0 is split out */
    u64_rx lane0;          /* doubler's input */
    u64_tx out_tx[2];      /* doubled, tripled */
    u64_rx out_rx[2];
} pipeline;

typedef struct gen_state {
    uint64_t sent; /* values sent so far: 1..sent */
} gen_state;

typedef struct merge_state {
    uint64_t count[2]; /* values from doubler, tripler */
    uint64_t sum;      /* of the original values */
    uint64_t sum_sq;
} merge_state;

typedef struct probe {
    u64_tx tx; /* its own channel: both ends */
    u64_rx rx;
    u64_tx_bundle txb; /* its own bundle of two lanes: both ends */
    u64_rx_bundle rxb;
} probe;

enum { PROBE_WAITS = 8 };

typedef struct probe_state {
    steady_reason reason[PROBE_WAITS];
    uint32_t lane[2]; /* from the avail-lane and vacant-lane waits */
    uint32_t ready;   /* .ready of the all-or-first wait */
    uint64_t checks;  /* waits made */
} probe_state;

/* ---- actors --------------------------------------------------------------------------------- */

static bool close_lanes(u64_tx_bundle b)
{
    for (uint32_t i = 0; i < u64_tx_bundle_lanes(b); i++)
        if (u64_tx_bundle_lane(b, i).raw)
            u64_tx_close(u64_tx_bundle_lane(b, i));
    return true;
}

static bool lanes_closed_and_empty(u64_rx_bundle b)
{
    for (uint32_t i = 0; i < u64_rx_bundle_lanes(b); i++) {
        u64_rx lane = u64_rx_bundle_lane(b, i);
        if (lane.raw && !u64_rx_is_closed_and_empty(lane))
            return false;
    }
    return true;
}

static int gen_run(steady_actor *a, void *arg)
{
    pipeline *p = arg;
    gen_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(close_lanes(p->work_tx)))) {
        if (st->sent == VALUES) { /* asked already: the barrier waits for the probe's request */
            (void)steady_wait_shutdown(a);
            continue;
        }
        uint32_t lane = STEADY_NO_LANE;
        steady_wake w = steady_wait_all(a, STEADY_VACANT_LANE(p->work_tx, 1, &lane),
                                        STEADY_TIMEOUT(STEADY_SEC(1)));
        if (w.reason != STEADY_READY)
            continue;
        STEADY_ASSERT(lane < u64_tx_bundle_lanes(p->work_tx));
        STEADY_ASSERT(u64_tx_try_send(u64_tx_bundle_lane(p->work_tx, lane), st->sent + 1) ==
                      STEADY_OK);
        if (++st->sent == VALUES)
            steady_actor_request_shutdown(a);
    }
    return 0;
}

static int doubler_run(steady_actor *a, void *arg)
{
    pipeline *p = arg;
    STEADY_ASSERT(steady_actor_regeneration(a) > 0); /* fails once; the supervisor restarts it */
    u64_rx in = p->lane0;
    u64_tx out = p->out_tx[0];
    while (STEADY_RUNNING(a, STEADY_I(u64_rx_is_closed_and_empty(in)) &&
                                 STEADY_I(u64_tx_close(out)))) {
        steady_wake w = steady_wait_all(a, STEADY_AVAIL(in, 1), STEADY_VACANT(out, 1));
        if (w.reason == STEADY_CLOSED)
            return 0;
        uint64_t v;
        if (w.reason == STEADY_READY && u64_rx_try_take(in, &v) == STEADY_OK)
            STEADY_ASSERT(u64_tx_try_send(out, 2 * v) == STEADY_OK); /* the wait saw room */
    }
    return 0;
}

static int tripler_run(steady_actor *a, void *arg)
{
    pipeline *p = arg;
    u64_tx out = p->out_tx[1];
    while (STEADY_RUNNING(a, STEADY_I(lanes_closed_and_empty(p->work_rx)) &&
                                 STEADY_I(u64_tx_close(out)))) {
        uint32_t lane = STEADY_NO_LANE;
        steady_wake w =
            steady_wait_all(a, STEADY_AVAIL_LANE(p->work_rx, 1, &lane), STEADY_VACANT(out, 1));
        if (w.reason == STEADY_CLOSED)
            return 0;
        uint64_t v;
        if (w.reason == STEADY_READY &&
            u64_rx_try_take(u64_rx_bundle_lane(p->work_rx, lane), &v) == STEADY_OK)
            STEADY_ASSERT(u64_tx_try_send(out, 3 * v) == STEADY_OK);
    }
    return 0;
}

static void merge_drain(merge_state *st, u64_rx in, uint64_t factor, int i)
{
    uint64_t v;
    while (u64_rx_try_take(in, &v) == STEADY_OK) {
        STEADY_ASSERT(v % factor == 0);
        v /= factor;
        st->count[i]++;
        st->sum += v;
        st->sum_sq += v * v;
    }
}

static int merge_run(steady_actor *a, void *arg)
{
    pipeline *p = arg;
    merge_state *st = steady_actor_state(a);
    u64_rx in0 = p->out_rx[0], in1 = p->out_rx[1];
    while (STEADY_RUNNING(a, STEADY_I(u64_rx_is_closed_and_empty(in0)) &&
                                 STEADY_I(u64_rx_is_closed_and_empty(in1)))) {
        /* An any-wait is CLOSED as soon as one input is: wait only on the open ones. */
        bool open0 = !u64_rx_is_closed_and_empty(in0), open1 = !u64_rx_is_closed_and_empty(in1);
        if (open0 && open1)
            (void)steady_wait_any(a, STEADY_AVAIL(in0, 1), STEADY_AVAIL(in1, 1));
        else if (open0 || open1)
            (void)steady_wait_avail(a, open0 ? in0 : in1, 1);
        else
            return 0;
        merge_drain(st, in0, 2, 0);
        merge_drain(st, in1, 3, 1);
    }
    return 0;
}

static int probe_run(steady_actor *a, void *arg)
{
    probe *p = arg;
    probe_state *st = steady_actor_state(a);
    steady_reason *r = st->reason;
    r[0] = steady_wait_vacant(a, p->tx, 1); /* READY: the channel is empty */
    STEADY_ASSERT(u64_tx_try_send(p->tx, 7) == STEADY_OK);
    r[1] = steady_wait_avail(a, p->rx, 1); /* READY */
    uint32_t us = 50; /* a narrow count: the duration macros draw no -Wtype-limits from it */
    r[2] = steady_wait_timeout(a, STEADY_US(us));  /* TIMEOUT */
    r[3] = steady_wait_periodic(a, STEADY_US(50)); /* READY */
    STEADY_ASSERT(u64_tx_try_send(u64_tx_bundle_lane(p->txb, 1), 9) == STEADY_OK);
    r[4] = steady_wait_avail_lane(a, p->rxb, 1, &st->lane[0]);  /* READY on lane 1 */
    r[5] = steady_wait_vacant_lane(a, p->txb, 1, &st->lane[1]); /* READY on lane 0, the first */
    /* The first condition, or all of the rest: no shutdown yet, so the rest (the period, and
     * the 7 still in the channel) make it READY with bits 1 and 2. */
    steady_wake w = steady_wait_all_or_first(
        a, STEADY_SHUTDOWN_REQUESTED(), STEADY_PERIODIC(STEADY_US(50)), STEADY_AVAIL(p->rx, 1));
    r[6] = w.reason;
    st->ready = w.ready;
    steady_actor_request_shutdown(a); /* the second request the barrier waits for */
    r[7] = steady_wait_shutdown(a);   /* SHUTDOWN */
    st->checks = PROBE_WAITS;
    STEADY_DEBUG("probe: %llu waits made", (unsigned long long)st->checks);
    return 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static steady_actor *spawn(steady_graph *g, const steady_actor_opts *o)
{
    steady_actor *a = NULL;
    steady_err e = steady_actor_spawn(g, o, &a);
    if (e != STEADY_OK)
        fail_msg("spawn %s: %s", o->name, steady_last_error());
    return a;
}

static void graph_delivers_every_value_once_and_each_wait_gives_its_reason(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.name = "headers-c11",
                                                               .no_signal_handlers = true,
                                                               .shutdown_barrier = 2}),
                     STEADY_OK);
    pipeline p;
    probe pr;
    assert_int_equal(u64_new(g, "probe", 4, &pr.tx, &pr.rx), STEADY_OK);
    assert_int_equal(u64_bundle_new(g, "probe-lanes", 2, 4, &pr.txb, &pr.rxb), STEADY_OK);
    assert_int_equal(u64_bundle_new(g, "work", 2, CAPACITY, &p.work_tx, &p.work_rx), STEADY_OK);
    assert_int_equal(u64_rx_bundle_split(p.work_rx, 0, &p.lane0), STEADY_OK);
    assert_int_equal(u64_new(g, "doubled", CAPACITY, &p.out_tx[0], &p.out_rx[0]), STEADY_OK);
    assert_int_equal(u64_new(g, "tripled", CAPACITY, &p.out_tx[1], &p.out_rx[1]), STEADY_OK);
    steady_troupe *workers;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "workers"}, &workers),
                     STEADY_OK);

    steady_actor *gen = spawn(g, &(steady_actor_opts){.name = "gen",
                                                      .run = gen_run,
                                                      .arg = &p,
                                                      .tx_bundles = STEADY_TX_BUNDLES(p.work_tx),
                                                      .state_size = sizeof(gen_state)});
    steady_policy patient = STEADY_POLICY_DEFAULT;
    patient.max_restarts = STEADY_UNLIMITED;
    steady_actor *dbl = spawn(g, &(steady_actor_opts){.name = "doubler",
                                                      .run = doubler_run,
                                                      .arg = &p,
                                                      .policy = &patient,
                                                      .troupe = workers,
                                                      .rxs = STEADY_RXS(p.lane0),
                                                      .txs = STEADY_TXS(p.out_tx[0])});
    steady_actor *tpl = spawn(g, &(steady_actor_opts){.name = "tripler",
                                                      .run = tripler_run,
                                                      .arg = &p,
                                                      .troupe = workers,
                                                      .rx_bundles = STEADY_RX_BUNDLES(p.work_rx),
                                                      .txs = STEADY_TXS(p.out_tx[1])});
    steady_actor *merge = spawn(g, &(steady_actor_opts){.name = "merge",
                                                        .run = merge_run,
                                                        .arg = &p,
                                                        .rxs = STEADY_RXS(p.out_rx[0], p.out_rx[1]),
                                                        .state_size = sizeof(merge_state)});
    steady_actor *prb = spawn(g, &(steady_actor_opts){.name = "probe",
                                                      .run = probe_run,
                                                      .arg = &pr,
                                                      .txs = STEADY_TXS(pr.tx),
                                                      .rxs = STEADY_RXS(pr.rx),
                                                      .tx_bundles = STEADY_TX_BUNDLES(pr.txb),
                                                      .rx_bundles = STEADY_RX_BUNDLES(pr.rxb),
                                                      .state_size = sizeof(probe_state)});

    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err stopped = steady_graph_block_until_stopped(g, 10000);
    if (stopped != STEADY_OK) {
        char report[4096];
        steady_graph_report(g, report, sizeof report);
        fail_msg("stop: %s\n%s", steady_strerror(stopped), report);
    }

    const merge_state *st = steady_actor_state(merge);
    const uint64_t n = VALUES;
    assert_int_equal(st->count[0] + st->count[1], n);
    assert_true(st->count[0] > 0 && st->count[1] > 0); /* both lanes were used */
    assert_int_equal(st->sum, n * (n + 1) / 2);
    assert_int_equal(st->sum_sq, n * (n + 1) * (2 * n + 1) / 6);
    assert_int_equal(((const gen_state *)steady_actor_state(gen))->sent, n);
    assert_int_equal(steady_actor_failures(dbl), 1);
    assert_int_equal(steady_actor_regeneration(dbl), 1);
    assert_int_equal(steady_actor_failures(gen) + steady_actor_failures(tpl) +
                         steady_actor_failures(merge) + steady_actor_failures(prb),
                     0);

    const probe_state *ps = steady_actor_state(prb);
    const steady_reason want[PROBE_WAITS] = {
        STEADY_READY,   /* vacant */
        STEADY_READY,   /* avail */
        STEADY_TIMEOUT, /* timeout */
        STEADY_READY,   /* periodic */
        STEADY_READY,   /* avail_lane */
        STEADY_READY,   /* vacant_lane */
        STEADY_READY,   /* all_or_first */
        STEADY_SHUTDOWN /* shutdown */
    };
    assert_int_equal(ps->checks, PROBE_WAITS);
    for (int i = 0; i < PROBE_WAITS; i++)
        if (ps->reason[i] != want[i])
            fail_msg("probe wait %d: %s, expected %s", i, steady_reason_name(ps->reason[i]),
                     steady_reason_name(want[i]));
    assert_int_equal(ps->lane[0], 1);
    assert_int_equal(ps->lane[1], 0);
    assert_int_equal(ps->ready, 6);
    steady_graph_free(g);
}

/* STEADY_TXS and the other lists map each argument to its .raw end and end with NULL, for one
 * end up to the documented 16. */
static void end_lists_hold_each_raw_end_then_null(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}),
                     STEADY_OK);
    u64_tx t[16];
    u64_rx r[16];
    for (int i = 0; i < 16; i++)
        assert_int_equal(u64_new(g, NULL, 1, &t[i], &r[i]), STEADY_OK);
    u64_tx_bundle tb;
    u64_rx_bundle rb;
    assert_int_equal(u64_bundle_new(g, "b", 2, 1, &tb, &rb), STEADY_OK);

    steady_tx *const *one = STEADY_TXS(t[5]);
    assert_ptr_equal(one[0], t[5].raw);
    assert_null(one[1]);
    steady_rx *const *two = STEADY_RXS(r[1], r[0]);
    assert_ptr_equal(two[0], r[1].raw);
    assert_ptr_equal(two[1], r[0].raw);
    assert_null(two[2]);
    steady_tx *const *all = STEADY_TXS(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9],
                                       t[10], t[11], t[12], t[13], t[14], t[15]);
    for (int i = 0; i < 16; i++)
        assert_ptr_equal(all[i], t[i].raw);
    assert_null(all[16]);
    steady_tx_bundle *const *tbs = STEADY_TX_BUNDLES(tb);
    steady_rx_bundle *const *rbs = STEADY_RX_BUNDLES(rb);
    assert_ptr_equal(tbs[0], tb.raw);
    assert_null(tbs[1]);
    assert_ptr_equal(rbs[0], rb.raw);
    assert_null(rbs[1]);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(end_lists_hold_each_raw_end_then_null),
        cmocka_unit_test(graph_delivers_every_value_once_and_each_wait_gives_its_reason),
    };
    return cmocka_run_group_tests_name("headers_c11", tests, NULL, NULL);
}
