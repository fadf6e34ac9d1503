/*
 * wait_test.c: specification of steady/wait.h.
 *
 * Each test runs one or two actors in a small graph and records what they see; cmocka's
 * assertions run on the test's own thread after the graph stopped (an assertion inside an
 * actor would longjmp across threads). EXPECT* inside actors only record the first mismatch.
 *
 * Most tests use a "probe" actor that owns both ends of two loopback channels, so it can
 * fill, drain and close them itself and then wait on exactly the state it arranged.
 * Timing checks use generous tolerances; the binary is registered SERIAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <steady/steady.h>

#include "steady_test_support.h"

static void busy_for_ns(uint64_t ns)
{
    uint64_t end = now_ns() + ns;
    while (now_ns() < end) {
    }
}

/* ---- the probe rig: one actor owning both ends of two loopback channels ------------------- */

struct rig;
typedef void (*probe_body)(steady_actor *a, struct rig *r);

struct rig {
    steady_graph *g;
    u64ch_tx tx1, tx2;
    u64ch_rx rx1, rx2;
    probe_body body;
    _Atomic int phase; /* bodies and main may hand-shake through it */
    _Atomic int done;  /* the body returned */
};

static int probe_run(steady_actor *a, void *arg)
{
    struct rig *r = arg;
    r->body(a, r);
    atomic_store(&r->done, 1);
    return 0;
}

/* Builds the rig, runs `body` in the probe, runs `from_main` (may be NULL) on the test thread
 * while the graph runs, and checks that the graph stopped cleanly. */
static void run_probe(probe_body body, uint64_t capacity, void (*from_main)(struct rig *r))
{
    expect_reset();
    struct rig r = {.body = body};
    steady_graph_opts go = {.name = "wait_test", .no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&r.g, &go), STEADY_OK);
    assert_int_equal(u64ch_new(r.g, "one", capacity, &r.tx1, &r.rx1), STEADY_OK);
    assert_int_equal(u64ch_new(r.g, "two", capacity, &r.tx2, &r.rx2), STEADY_OK);
    steady_actor_opts ao = {.name = "probe",
                            .run = probe_run,
                            .arg = &r,
                            .txs = STEADY_TXS(r.tx1, r.tx2),
                            .rxs = STEADY_RXS(r.rx1, r.rx2)};
    assert_int_equal(steady_actor_spawn(r.g, &ao, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(r.g), STEADY_OK);
    if (from_main)
        from_main(&r);
    /* Watchdog: a wait that wrongly blocks forever fails the test instead of hanging it (the
     * request interrupts it, and an unclean stop ends every later wait). */
    if (!await_counter_or_stop(r.g, &r.done, 1, 10000)) {
        expect_record(__FILE__, __LINE__, "the probe did not finish within 10 s");
        steady_graph_request_shutdown(r.g);
    }
    steady_err e = steady_graph_block_until_stopped(r.g, 5000);
    steady_graph_free(r.g);
    assert_no_failed_expectation();
    assert_int_equal(e, STEADY_OK);
}

static void send_n(u64ch_tx tx, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        EXPECT(u64ch_tx_try_send(tx, i) == STEADY_OK);
}

/* ---- READY ---------------------------------------------------------------------------------- */

static void body_avail_ready(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 3);
    EXPECT_REASON(steady_wait_avail(a, r->rx1, 3), STEADY_READY);
    EXPECT_REASON(steady_wait_avail(a, r->rx1, 1), STEADY_READY);
}

static void wait_avail_is_ready_once_n_elements_are_there(void **state)
{
    (void)state;
    run_probe(body_avail_ready, 8, NULL);
}

static void body_vacant_ready(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 5);
    EXPECT_REASON(steady_wait_vacant(a, r->tx1, 3), STEADY_READY); /* 8 - 5 = 3 free */
    EXPECT_REASON(steady_wait_vacant(a, r->tx2, 8), STEADY_READY);
}

static void wait_vacant_is_ready_once_there_is_room_for_n(void **state)
{
    (void)state;
    run_probe(body_vacant_ready, 8, NULL);
}

static void body_clamped(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 5);
    uint64_t t0 = now_ns();
    EXPECT_REASON(steady_wait_avail(a, r->rx1, 50), STEADY_READY);  /* full: 5 of 5 */
    EXPECT_REASON(steady_wait_vacant(a, r->tx2, 50), STEADY_READY); /* empty: 5 free */
    EXPECT_REASON(steady_wait_avail(a, r->rx1, UINT64_MAX), STEADY_READY);
    EXPECT_U64(ms_since(t0), <, 1000);
}

static void wait_n_is_clamped_to_the_capacity(void **state)
{
    (void)state;
    run_probe(body_clamped, 5, NULL); /* 5: not a power of two, the ring has 8 slots */
}

/* ---- CLOSED --------------------------------------------------------------------------------- */

static void body_closed_short(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 2);
    u64ch_tx_close(r->tx1);
    uint64_t t0 = now_ns();
    /* No timeout condition: a wait that blocked here would hang the test. */
    EXPECT_REASON(steady_wait_avail(a, r->rx1, 5), STEADY_CLOSED);
    EXPECT_U64(ms_since(t0), <, 1000);
    /* Enough left for the threshold: still READY, even though closed. */
    EXPECT_REASON(steady_wait_avail(a, r->rx1, 2), STEADY_READY);
    uint64_t v;
    EXPECT(u64ch_rx_try_take(r->rx1, &v) == STEADY_OK);
    EXPECT(u64ch_rx_try_take(r->rx1, &v) == STEADY_OK);
    EXPECT_REASON(steady_wait_avail(a, r->rx1, 1), STEADY_CLOSED);
}

static void closed_channel_with_fewer_than_n_returns_closed_without_blocking(void **state)
{
    (void)state;
    run_probe(body_closed_short, 8, NULL);
}

static void body_rx_closed(steady_actor *a, struct rig *r)
{
    u64ch_rx_close(r->rx2);
    uint64_t t0 = now_ns();
    EXPECT_REASON(steady_wait_vacant(a, r->tx2, 1), STEADY_CLOSED);
    EXPECT_U64(ms_since(t0), <, 1000);
}

static void wait_vacant_after_the_consumer_closed_returns_closed(void **state)
{
    (void)state;
    run_probe(body_rx_closed, 8, NULL);
}

/* ---- SHUTDOWN ------------------------------------------------------------------------------- */

static void body_interrupted_once(steady_actor *a, struct rig *r)
{
    atomic_store(&r->phase, 1);
    /* Nobody sends on rx1: only the shutdown request can end this wait. */
    EXPECT_REASON(steady_wait_avail(a, r->rx1, 1), STEADY_SHUTDOWN);
    EXPECT(steady_graph_get_state(r->g) == STEADY_GRAPH_STOP_REQUESTED);
    /* The interruption happened once: the next waits block as usual. */
    uint64_t t0 = now_ns();
    EXPECT_REASON(steady_wait_timeout(a, STEADY_MS(100)), STEADY_TIMEOUT);
    EXPECT_U64(ms_since(t0), >=, 90);
    t0 = now_ns();
    EXPECT_REASON(steady_wait_any(a, STEADY_AVAIL(r->rx1, 1), STEADY_TIMEOUT(STEADY_MS(60))).reason,
                  STEADY_TIMEOUT);
    EXPECT_U64(ms_since(t0), >=, 50);
}

static void request_after_probe_blocks(struct rig *r)
{
    while (atomic_load(&r->phase) == 0)
        sleep_ms(1);
    sleep_ms(100); /* the probe is parked in its wait by now */
    steady_graph_request_shutdown(r->g);
}

static void blocked_wait_is_interrupted_once_by_the_request_then_blocks_as_usual(void **state)
{
    (void)state;
    run_probe(body_interrupted_once, 8, request_after_probe_blocks);
}

/* A veto that holds the actor back for ~300 ms after the request, counting its loop passes. */
struct drain {
    uint64_t vote_started;
    unsigned passes_after_request;
};

static bool drained_long_enough(struct drain *d)
{
    if (d->vote_started == 0)
        d->vote_started = now_ns();
    return now_ns() - d->vote_started >= STEADY_MS(300);
}

static void body_draining(steady_actor *a, struct rig *r)
{
    struct drain d = {0};
    atomic_store(&r->phase, 1);
    while (STEADY_RUNNING(a, STEADY_I(drained_long_enough(&d)))) {
        if (d.vote_started)
            d.passes_after_request++;
        /* A channel nobody fills, bounded by a timeout: the loop a draining actor runs. */
        steady_wait_any(a, STEADY_AVAIL(r->rx1, 1), STEADY_TIMEOUT(STEADY_MS(50)));
    }
    uint64_t voted_after = (now_ns() - d.vote_started) / 1000000u;
    EXPECT_U64(voted_after, >=, 290);
    /* ~300 ms / 50 ms = 6 passes, plus the interrupted one. A spinning wait makes thousands. */
    EXPECT_U64(d.passes_after_request, <, 20);
    EXPECT_U64(d.passes_after_request, >=, 3);
}

static void draining_actor_does_not_spin_after_the_request(void **state)
{
    (void)state;
    run_probe(body_draining, 8, request_after_probe_blocks);
}

/* ---- TIMEOUT -------------------------------------------------------------------------------- */

static void body_timeout(steady_actor *a, struct rig *r)
{
    (void)r;
    uint64_t t0 = now_ns();
    EXPECT_REASON(steady_wait_timeout(a, STEADY_MS(50)), STEADY_TIMEOUT);
    uint64_t ms = ms_since(t0);
    EXPECT_U64(ms, >=, 49);
    EXPECT_U64(ms, <, 1000);
    t0 = now_ns();
    EXPECT_REASON(steady_wait_timeout(a, 0), STEADY_TIMEOUT);
    EXPECT_U64(ms_since(t0), <, 1000);
}

static void wait_timeout_returns_timeout_after_its_time(void **state)
{
    (void)state;
    run_probe(body_timeout, 8, NULL);
}

/* ---- precedence and masks ------------------------------------------------------------------- */

static void body_precedence(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 1);      /* one: ready */
    u64ch_tx_close(r->tx2); /* two: closed and empty */
    steady_actor_request_shutdown(a);
    EXPECT(steady_graph_get_state(r->g) == STEADY_GRAPH_STOP_REQUESTED);

    /* READY > CLOSED > SHUTDOWN > TIMEOUT: everything applies at once here. */
    steady_wake w =
        steady_wait_any(a, STEADY_AVAIL(r->rx1, 1), STEADY_AVAIL(r->rx2, 1), STEADY_TIMEOUT(0));
    EXPECT_REASON(w.reason, STEADY_READY);
    w = steady_wait_any(a, STEADY_AVAIL(r->rx2, 1), STEADY_TIMEOUT(0));
    EXPECT_REASON(w.reason, STEADY_CLOSED);
    /* All of (ready, closed) can never hold: CLOSED. */
    w = steady_wait_all(a, STEADY_AVAIL(r->rx1, 1), STEADY_AVAIL(r->rx2, 1));
    EXPECT_REASON(w.reason, STEADY_CLOSED);
    /* A ready channel outranks an expired timeout in an all-of too. */
    w = steady_wait_all(a, STEADY_AVAIL(r->rx1, 1), STEADY_TIMEOUT(0));
    EXPECT_REASON(w.reason, STEADY_READY);
    /* The pending interruption outranks an expired timeout, once. */
    EXPECT_REASON(steady_wait_timeout(a, 0), STEADY_SHUTDOWN);
    EXPECT_REASON(steady_wait_timeout(a, 0), STEADY_TIMEOUT);
    /* wait_shutdown holds from the request on. */
    EXPECT_REASON(steady_wait_shutdown(a), STEADY_SHUTDOWN);
    EXPECT_REASON(steady_wait_any(a, STEADY_SHUTDOWN_REQUESTED(), STEADY_TIMEOUT(0)).reason,
                  STEADY_SHUTDOWN);
    /* Timeouts and the shutdown condition bound an all-of too: "5 elements, or shutdown". */
    w = steady_wait_all(a, STEADY_AVAIL(r->rx1, 5), STEADY_SHUTDOWN_REQUESTED());
    EXPECT_REASON(w.reason, STEADY_SHUTDOWN);
    EXPECT_U64(w.ready, ==, 0x2);
    w = steady_wait_all(a, STEADY_AVAIL(r->rx1, 5), STEADY_TIMEOUT(0));
    EXPECT_REASON(w.reason, STEADY_TIMEOUT);
}

static void reasons_follow_ready_closed_shutdown_timeout_precedence(void **state)
{
    (void)state;
    run_probe(body_precedence, 8, NULL);
}

static void body_masks(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 2);
    u64ch_tx_close(r->tx2);
    /* conditions: 0 avail(one,1) ready, 1 avail(one,5) pending, 2 avail(two,1) closed,
     *             3 vacant(one,1) ready */
    steady_wake w = steady_wait_any(a, STEADY_AVAIL(r->rx1, 1), STEADY_AVAIL(r->rx1, 5),
                                    STEADY_AVAIL(r->rx2, 1), STEADY_VACANT(r->tx1, 1));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready, ==, 0x9);
    EXPECT_U64(w.closed, ==, 0x4);
    /* An expired timer counts as a held condition in .ready. */
    w = steady_wait_any(a, STEADY_AVAIL(r->rx1, 5), STEADY_TIMEOUT(0));
    EXPECT_REASON(w.reason, STEADY_TIMEOUT);
    EXPECT_U64(w.ready, ==, 0x2);
    EXPECT_U64(w.closed, ==, 0);
}

static void ready_and_closed_masks_describe_each_condition_as_written(void **state)
{
    (void)state;
    run_probe(body_masks, 8, NULL);
}

/* ---- combinations --------------------------------------------------------------------------- */

static void body_all_of(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 1);
    uint64_t t0 = now_ns();
    /* Only one of the two holds: the timeout bounds the wait. */
    steady_wake w = steady_wait_all(a, STEADY_AVAIL(r->rx1, 1), STEADY_AVAIL(r->rx2, 1),
                                    STEADY_TIMEOUT(STEADY_MS(40)));
    EXPECT_REASON(w.reason, STEADY_TIMEOUT);
    EXPECT_U64(ms_since(t0), >=, 35);
    EXPECT_U64(w.ready & 0x3, ==, 0x1);
    send_n(r->tx2, 1);
    t0 = now_ns();
    w = steady_wait_all(a, STEADY_AVAIL(r->rx1, 1), STEADY_AVAIL(r->rx2, 1),
                        STEADY_TIMEOUT(STEADY_SEC(10)));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready, ==, 0x3);
    EXPECT_U64(ms_since(t0), <, 1000); /* all held: the 10 s timeout is not waited for */
}

static void wait_all_is_ready_only_when_every_condition_holds(void **state)
{
    (void)state;
    run_probe(body_all_of, 8, NULL);
}

static void body_any_of(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 1);
    steady_wake w = steady_wait_any(a, STEADY_AVAIL(r->rx2, 1), STEADY_AVAIL(r->rx1, 1));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready, ==, 0x2);
    uint64_t t0 = now_ns();
    w = steady_wait_any(a, STEADY_AVAIL(r->rx2, 1), STEADY_TIMEOUT(STEADY_MS(30)));
    EXPECT_REASON(w.reason, STEADY_TIMEOUT);
    EXPECT_U64(ms_since(t0), >=, 25);
}

static void wait_any_is_ready_when_one_condition_holds(void **state)
{
    (void)state;
    run_probe(body_any_of, 8, NULL);
}

static void body_all_or_first(steady_actor *a, struct rig *r)
{
    send_n(r->tx1, 1);
    send_n(r->tx2, 1);
    uint64_t t0 = now_ns();
    /* All of the rest hold: no need to wait for the first (a 40 ms period). */
    steady_wake w = steady_wait_all_or_first(a, STEADY_PERIODIC(STEADY_MS(40)),
                                             STEADY_AVAIL(r->rx1, 1), STEADY_AVAIL(r->rx2, 1));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready, ==, 0x6);
    EXPECT_U64(ms_since(t0), <, 30);
    uint64_t v;
    EXPECT(u64ch_rx_try_take(r->rx2, &v) == STEADY_OK);
    /* Only one of the rest holds: the first (the period) ends the wait. */
    w = steady_wait_all_or_first(a, STEADY_PERIODIC(STEADY_MS(40)), STEADY_AVAIL(r->rx1, 1),
                                 STEADY_AVAIL(r->rx2, 1));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready, ==, 0x3);
    EXPECT_U64(ms_since(t0), >=, 30);
    /* The first holding is enough, whatever the rest do. */
    w = steady_wait_all_or_first(a, STEADY_AVAIL(r->rx1, 1), STEADY_AVAIL(r->rx2, 1),
                                 STEADY_TIMEOUT(STEADY_SEC(10)));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready & 0x3, ==, 0x1);
}

static void wait_all_or_first_returns_on_the_first_or_on_all_of_the_rest(void **state)
{
    (void)state;
    run_probe(body_all_or_first, 8, NULL);
}

/* ---- periodic ------------------------------------------------------------------------------- */

static void body_periodic_drift(steady_actor *a, struct rig *r)
{
    (void)r;
    uint64_t t0 = now_ns(), end = t0 + STEADY_SEC(1);
    unsigned wakes = 0;
    for (;;) {
        steady_reason why = steady_wait_periodic(a, STEADY_MS(20));
        uint64_t t = now_ns();
        if (t > end)
            break;
        EXPECT_REASON(why, STEADY_READY);
        wakes++;
        busy_for_ns(STEADY_MS(7)); /* the loop's work: 35% of each period */
    }
    /* Deadlines are last deadline + period, so the work does not stretch the period:
     * without compensation 27 ms per pass would give ~37 wakes. */
    EXPECT_U64(wakes, >=, 45);
    EXPECT_U64(wakes, <=, 55);
}

static void wait_periodic_compensates_for_the_time_the_loop_works(void **state)
{
    (void)state;
    run_probe(body_periodic_drift, 8, NULL);
}

static void body_periodic_overrun(steady_actor *a, struct rig *r)
{
    (void)r;
    EXPECT_REASON(steady_wait_periodic(a, STEADY_MS(20)), STEADY_READY);
    busy_for_ns(STEADY_MS(50)); /* overrun: more than two periods */
    uint64_t t0 = now_ns();
    EXPECT_REASON(steady_wait_periodic(a, STEADY_MS(20)), STEADY_READY);
    EXPECT_U64(ms_since(t0), <, 10); /* at once */
    t0 = now_ns();
    EXPECT_REASON(steady_wait_periodic(a, STEADY_MS(20)), STEADY_READY);
    /* The schedule restarted from the late wake: no burst of catch-up wakes. */
    EXPECT_U64(ms_since(t0), >=, 12);
}

static void wait_periodic_after_an_overrun_returns_at_once_and_restarts_the_schedule(void **state)
{
    (void)state;
    run_probe(body_periodic_overrun, 8, NULL);
}

/* ---- across threads ------------------------------------------------------------------------- */

enum { PING_ROUNDS = 2000 };

struct pingpong {
    u64ch_tx to_pong, to_ping;
    u64ch_rx at_pong, at_ping;
    uint64_t pinged, ponged;
};

static int ping_run(steady_actor *a, void *arg)
{
    struct pingpong *p = arg;
    for (uint64_t i = 0; i < PING_ROUNDS; i++) {
        EXPECT_REASON(steady_wait_vacant(a, p->to_pong, 1), STEADY_READY);
        EXPECT(u64ch_tx_try_send(p->to_pong, i) == STEADY_OK);
        EXPECT_REASON(steady_wait_avail(a, p->at_ping, 1), STEADY_READY);
        uint64_t v = UINT64_MAX;
        EXPECT(u64ch_rx_try_take(p->at_ping, &v) == STEADY_OK);
        EXPECT_U64(v, ==, i + 1);
        p->pinged++;
    }
    return 0; /* closes to_pong: pong sees CLOSED and returns */
}

static int pong_run(steady_actor *a, void *arg)
{
    struct pingpong *p = arg;
    while (steady_wait_avail(a, p->at_pong, 1) == STEADY_READY) {
        uint64_t v = 0;
        EXPECT(u64ch_rx_try_take(p->at_pong, &v) == STEADY_OK);
        EXPECT_REASON(steady_wait_vacant(a, p->to_ping, 1), STEADY_READY);
        EXPECT(u64ch_tx_try_send(p->to_ping, v + 1) == STEADY_OK);
        p->ponged++;
    }
    EXPECT(u64ch_rx_is_closed_and_empty(p->at_pong));
    return 0;
}

static void solo_producer_and_consumer_ping_pong_through_wakeups(void **state)
{
    (void)state;
    expect_reset();
    struct pingpong p = {0};
    steady_graph *g;
    steady_graph_opts go = {.name = "pingpong", .no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    assert_int_equal(u64ch_new(g, "ping", 1, &p.to_pong, &p.at_pong), STEADY_OK);
    assert_int_equal(u64ch_new(g, "pong", 1, &p.to_ping, &p.at_ping), STEADY_OK);
    steady_actor_opts ping = {.name = "ping",
                              .run = ping_run,
                              .arg = &p,
                              .txs = STEADY_TXS(p.to_pong),
                              .rxs = STEADY_RXS(p.at_ping)};
    steady_actor_opts pong = {.name = "pong",
                              .run = pong_run,
                              .arg = &p,
                              .txs = STEADY_TXS(p.to_ping),
                              .rxs = STEADY_RXS(p.at_pong)};
    assert_int_equal(steady_actor_spawn(g, &ping, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &pong, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
    assert_no_failed_expectation();
    assert_int_equal(p.pinged, PING_ROUNDS);
    assert_int_equal(p.ponged, PING_ROUNDS);
}

/* A producer on another thread trickles one element per ms; the consumer asks for 10 at a
 * time and must never be woken as READY with fewer. */
struct trickle {
    u64ch_tx tx;
    u64ch_rx rx;
    unsigned batches;
};

static int trickle_producer(steady_actor *a, void *arg)
{
    struct trickle *t = arg;
    for (uint64_t i = 0; i < 40; i++) {
        steady_wait_timeout(a, STEADY_MS(1));
        EXPECT(u64ch_tx_try_send(t->tx, i) == STEADY_OK);
    }
    return 0;
}

static int batch_consumer(steady_actor *a, void *arg)
{
    struct trickle *t = arg;
    uint64_t expect_next = 0;
    while (steady_wait_avail(a, t->rx, 10) == STEADY_READY) {
        EXPECT_U64(u64ch_rx_avail(t->rx), >=, 10);
        uint64_t buf[10];
        EXPECT_U64(u64ch_rx_take_slice(t->rx, buf, 10), ==, 10);
        for (int i = 0; i < 10; i++)
            EXPECT_U64(buf[i], ==, expect_next++);
        t->batches++;
    }
    return 0;
}

static void wait_avail_wakes_a_parked_consumer_only_at_its_threshold(void **state)
{
    (void)state;
    expect_reset();
    struct trickle t = {0};
    steady_graph *g;
    steady_graph_opts go = {.name = "trickle", .no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    assert_int_equal(u64ch_new(g, "drops", 64, &t.tx, &t.rx), STEADY_OK);
    steady_actor_opts p = {
        .name = "producer", .run = trickle_producer, .arg = &t, .txs = STEADY_TXS(t.tx)};
    steady_actor_opts c = {
        .name = "consumer", .run = batch_consumer, .arg = &t, .rxs = STEADY_RXS(t.rx)};
    assert_int_equal(steady_actor_spawn(g, &p, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &c, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    uint64_t wakes = steady_graph_futex_wakes(g);
    steady_graph_free(g);
    assert_no_failed_expectation();
    assert_int_equal(t.batches, 4);
    assert_true(wakes > 0); /* the consumer parked between elements and was rung */
}

/* ---- misuse --------------------------------------------------------------------------------- */

static void wait_outside_an_actor_returns_at_once_with_enotowner(void **state)
{
    (void)state;
    steady_cond c = STEADY_TIMEOUT(STEADY_SEC(10));
    uint64_t t0 = now_ns();
    steady_wake w = steady_wait(NULL, STEADY_WAIT_ALL, &c, 1);
    assert_true(ms_since(t0) < 1000);
    assert_int_equal(w.reason, STEADY_SHUTDOWN);
    assert_non_null(strstr(steady_last_error(), "outside an actor"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wait_avail_is_ready_once_n_elements_are_there),
        cmocka_unit_test(wait_vacant_is_ready_once_there_is_room_for_n),
        cmocka_unit_test(wait_n_is_clamped_to_the_capacity),
        cmocka_unit_test(closed_channel_with_fewer_than_n_returns_closed_without_blocking),
        cmocka_unit_test(wait_vacant_after_the_consumer_closed_returns_closed),
        cmocka_unit_test(blocked_wait_is_interrupted_once_by_the_request_then_blocks_as_usual),
        cmocka_unit_test(draining_actor_does_not_spin_after_the_request),
        cmocka_unit_test(wait_timeout_returns_timeout_after_its_time),
        cmocka_unit_test(reasons_follow_ready_closed_shutdown_timeout_precedence),
        cmocka_unit_test(ready_and_closed_masks_describe_each_condition_as_written),
        cmocka_unit_test(wait_all_is_ready_only_when_every_condition_holds),
        cmocka_unit_test(wait_any_is_ready_when_one_condition_holds),
        cmocka_unit_test(wait_all_or_first_returns_on_the_first_or_on_all_of_the_rest),
        cmocka_unit_test(wait_periodic_compensates_for_the_time_the_loop_works),
        cmocka_unit_test(wait_periodic_after_an_overrun_returns_at_once_and_restarts_the_schedule),
        cmocka_unit_test(solo_producer_and_consumer_ping_pong_through_wakeups),
        cmocka_unit_test(wait_avail_wakes_a_parked_consumer_only_at_its_threshold),
        cmocka_unit_test(wait_outside_an_actor_returns_at_once_with_enotowner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
