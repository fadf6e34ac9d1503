/*
 * tee_test.c: broadcast (tee) channels (steady/tee.h).
 *
 * A producer sends 0..N-1 through a tee of capacity 16 to three consumers; each must see every
 * value once and in order:
 *   - all three fast (one element at a time, slices, and spans in place);
 *   - one slow consumer: the producer may never run more than the capacity ahead of it
 *     (back-pressure, nothing dropped), the others wait for it;
 *   - one consumer failing after a peek and before its take, three times: a restart rewinds only
 *     that consumer, which sees the same values again, while the others go on;
 *   - one consumer closing its end early: the others still get everything, and the producer
 *     sees ECLOSED only once every consumer is gone;
 *   - one consumer ISOLATED in a child process (the shared slots are in shared memory).
 * The end is the producer's return (it closes every lane): each consumer drains and sees CLOSED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "steady_test_support.h"

#define N 50000
#define CAP 16
#define CONSUMERS 3

enum how { ONE_BY_ONE, SLICES, SPANS };

typedef struct shared {
    steady_tee *tee;
    steady_rx *rx[CONSUMERS];
    enum how how;
    int slow;    /* this consumer sleeps now and then (-1: none) */
    int failing; /* this consumer fails 3 times between peek and take (-1: none) */
    int closing; /* this consumer closes its end after N / 4 values (-1: none) */
    _Atomic uint64_t taken[CONSUMERS];
    _Atomic uint64_t max_lead; /* the producer's furthest lead over the slow consumer */
    steady_err producer_end;
} shared;

typedef struct cons_arg {
    shared *s;
    int i;
} cons_arg;

typedef struct cons_state {
    uint64_t next;
    uint64_t bad;
    uint32_t failures;
} cons_state;

static int producer_run(steady_actor *a, void *arg)
{
    shared *s = arg;
    uint64_t v = steady_channel_sent_total(steady_tx_channel(steady_tee_ends(s->tee)[0]));
    while (v < N) {
        if (s->slow >= 0) {
            uint64_t lead = v - atomic_load(&s->taken[s->slow]);
            if (lead > atomic_load(&s->max_lead))
                atomic_store(&s->max_lead, lead);
        }
        if (s->how == ONE_BY_ONE) {
            s->producer_end = steady_tee_send_wait(a, s->tee, &v);
            if (s->producer_end != STEADY_OK)
                return 0;
            v++;
            continue;
        }
        if (steady_tee_wait_vacant(a, s->tee, 1) != STEADY_READY) {
            s->producer_end = steady_tee_is_closed(s->tee) ? STEADY_ECLOSED : STEADY_ESHUTDOWN;
            return 0;
        }
        if (s->how == SLICES) {
            uint64_t buf[7];
            size_t k = 0;
            for (; k < 7 && v + k < N; k++)
                buf[k] = v + k;
            v += steady_tee_send_slice(s->tee, buf, k);
        } else {
            steady_span sp = steady_tee_poke_slice(s->tee);
            size_t k = 0;
            uint64_t *pa = sp.a, *pb = sp.b;
            for (; k < sp.a_len + sp.b_len && v + k < N; k++)
                *(k < sp.a_len ? &pa[k] : &pb[k - sp.a_len]) = v + k;
            v += steady_tee_advance_send(s->tee, k);
        }
    }
    s->producer_end = STEADY_OK;
    return 0; /* closes every lane */
}

static int consumer_run(steady_actor *a, void *arg)
{
    cons_arg *c = arg;
    shared *s = c->s;
    cons_state *st = steady_actor_state(a);
    steady_rx *rx = s->rx[c->i];
    for (;;) {
        if (steady_wait_one(a, steady_cond_avail(rx, 1)) == STEADY_CLOSED)
            break;
        uint64_t v;
        if (steady_rx_try_peek(rx, &v) != STEADY_OK)
            continue;
        if (v != st->next)
            st->bad++;
        if (c->i == s->failing && st->failures < 3 && v % 10000 == 5000) {
            st->failures++;
            steady_panic("consumer %d: failing holding %llu", c->i, (unsigned long long)v);
        }
        steady_rx_try_take(rx, &v);
        st->next = v + 1;
        atomic_store(&s->taken[c->i], st->next);
        if (c->i == s->slow && v % 1000 == 0)
            steady_wait_timeout(a, STEADY_MS(1));
        if (c->i == s->closing && st->next == N / 4) {
            steady_rx_close(rx);
            break;
        }
    }
    return 0;
}

static void run(shared *s, int isolated)
{
    steady_graph *g = new_graph("tee");
    steady_tee_opts o = {
        .name = "values", .capacity = CAP, .elem_size = sizeof(uint64_t), .consumers = CONSUMERS};
    assert_int_equal(steady_tee_new(g, &o, &s->tee, s->rx), STEADY_OK);
    assert_int_equal(steady_tee_consumers(s->tee), CONSUMERS);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "producer",
                                                             .run = producer_run,
                                                             .arg = s,
                                                             .txs = steady_tee_ends(s->tee)},
                                        NULL),
                     STEADY_OK);
    static cons_arg args[CONSUMERS];
    steady_actor *cons[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++) {
        args[i] = (cons_arg){s, i};
        char name[16];
        snprintf(name, sizeof name, "consumer-%d", i);
        assert_int_equal(
            steady_actor_spawn(g,
                               &(steady_actor_opts){.name = name,
                                                    .run = consumer_run,
                                                    .arg = &args[i],
                                                    .isolated = i == isolated,
                                                    .state_size = sizeof(cons_state),
                                                    .rxs = (steady_rx *const[]){s->rx[i], NULL}},
                               &cons[i]),
            STEADY_OK);
    }
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 60000), STEADY_OK);
    for (int i = 0; i < CONSUMERS; i++) {
        const cons_state *st = steady_actor_state(cons[i]);
        assert_int_equal(st->bad, 0);
        assert_int_equal(st->next, i == s->closing ? N / 4 : N);
        if (i == s->failing)
            assert_int_equal(st->failures, 3);
    }
    steady_graph_free(g);
}

static shared *fresh(enum how how)
{
    static shared s;
    memset(&s, 0, sizeof s);
    s.how = how;
    s.slow = s.failing = s.closing = -1;
    return &s;
}

static void every_consumer_sees_every_value_one_by_one(void **state)
{
    (void)state;
    run(fresh(ONE_BY_ONE), -1);
}

static void every_consumer_sees_every_value_in_slices_and_spans(void **state)
{
    (void)state;
    run(fresh(SLICES), -1);
    run(fresh(SPANS), -1);
}

static void the_slowest_consumer_holds_the_producer_back(void **state)
{
    (void)state;
    shared *s = fresh(SPANS);
    s->slow = 1;
    run(s, -1);
    /* the producer's lead over the slow consumer is bounded by the capacity (sampled before
     * each send, so one batch more than the capacity at most) */
    assert_true(atomic_load(&s->max_lead) <= 2 * CAP);
    assert_true(atomic_load(&s->max_lead) >= CAP / 2); /* it did run ahead, then waited */
}

static void a_failing_consumer_rewinds_alone(void **state)
{
    (void)state;
    shared *s = fresh(ONE_BY_ONE);
    s->failing = 2;
    run(s, -1);
}

static void a_consumer_that_leaves_does_not_hold_the_others(void **state)
{
    (void)state;
    shared *s = fresh(SLICES);
    s->closing = 0;
    run(s, -1);
    assert_int_equal(s->producer_end, STEADY_OK); /* two consumers were still there */
}

static void an_isolated_consumer_sees_every_value(void **state)
{
    (void)state;
    run(fresh(SPANS), 1);
}

/* From main on a graph never started: the producer's calls, and every consumer gone. */
static void sends_report_closed_only_when_every_consumer_is_gone(void **state)
{
    (void)state;
    steady_graph *g = new_graph("tee-closed");
    steady_tee *t;
    steady_rx *rx[2];
    steady_tee_opts o = {.name = "t", .capacity = 2, .elem_size = 8, .consumers = 2};
    assert_int_equal(steady_tee_new(g, &o, &t, rx), STEADY_OK);
    uint64_t v = 1, got = 0;
    assert_int_equal(steady_tee_try_send(t, &v), STEADY_OK);
    assert_int_equal(steady_tee_try_send(t, &v), STEADY_OK);
    assert_int_equal(steady_tee_try_send(t, &v), STEADY_EFULL);
    assert_int_equal(steady_tee_vacant(t), 0);
    assert_int_equal(steady_rx_try_take(rx[0], &got), STEADY_OK); /* lane 1 still full */
    assert_int_equal(steady_tee_try_send(t, &v), STEADY_EFULL);
    steady_rx_close(rx[1]); /* the slow one leaves: lane 0's room counts now */
    assert_false(steady_tee_is_closed(t));
    assert_int_equal(steady_tee_vacant(t), 1);
    assert_int_equal(steady_tee_try_send(t, &v), STEADY_OK);
    steady_rx_close(rx[0]);
    assert_true(steady_tee_is_closed(t));
    assert_int_equal(steady_tee_try_send(t, &v), STEADY_ECLOSED);
    assert_int_equal(steady_tee_send_slice(t, &v, 1), 0);
    steady_graph_free(g);
}

/* ---- the fan-in: a bundle's lanes taken from fairly ------------------------------------------ */

/* Lanes kept full never starve the others: with every lane ready the takes go round 0, 1, 2;
 * with lane 1 empty they alternate 0 and 2; split-out lanes are skipped. */
static void the_fan_in_serves_every_ready_lane_in_turn(void **state)
{
    (void)state;
    steady_graph *g = new_graph("fan-in");
    steady_tx_bundle *txb;
    steady_rx_bundle *rxb;
    steady_channel_opts o = {.name = "in", .capacity = 64, .elem_size = sizeof(uint64_t)};
    assert_int_equal(steady_bundle_new(g, &o, 3, &txb, &rxb), STEADY_OK);
    uint64_t v[4];
    for (uint32_t lane = 0; lane < 3; lane++)
        for (uint64_t i = 0; i < 40; i++) {
            uint64_t x = lane * 1000 + i;
            assert_int_equal(steady_tx_try_send(steady_tx_bundle_lane(txb, lane), &x), STEADY_OK);
        }
    uint32_t lane, order[9];
    for (int k = 0; k < 9; k++) {
        assert_int_equal(steady_rx_bundle_take(rxb, v, 4, &lane), 4);
        order[k] = lane;
        assert_int_equal(v[0] / 1000, lane); /* the elements came from that lane */
    }
    for (int k = 0; k < 9; k++)
        assert_int_equal(order[k], (uint32_t)(k % 3));
    while (steady_rx_try_take(steady_rx_bundle_lane(rxb, 1), v) == STEADY_OK) {
    }
    for (int k = 0; k < 6; k++) {
        assert_int_equal(steady_rx_bundle_take(rxb, v, 2, &lane), 2);
        assert_int_equal(lane, (uint32_t)(k % 2 ? 2 : 0));
    }
    steady_rx *out;
    assert_int_equal(steady_rx_bundle_split(rxb, 0, &out), STEADY_OK);
    assert_int_equal(steady_rx_bundle_take(rxb, v, 4, &lane), 4);
    assert_int_equal(lane, 2); /* lane 0 split out, lane 1 empty */
    assert_int_equal(steady_rx_bundle_take(rxb, v, 0, &lane), 0);
    assert_int_equal(lane, STEADY_NO_LANE);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_consumer_sees_every_value_one_by_one),
        cmocka_unit_test(every_consumer_sees_every_value_in_slices_and_spans),
        cmocka_unit_test(the_slowest_consumer_holds_the_producer_back),
        cmocka_unit_test(a_failing_consumer_rewinds_alone),
        cmocka_unit_test(a_consumer_that_leaves_does_not_hold_the_others),
        cmocka_unit_test(an_isolated_consumer_sees_every_value),
        cmocka_unit_test(sends_report_closed_only_when_every_consumer_is_gone),
        cmocka_unit_test(the_fan_in_serves_every_ready_lane_in_turn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
