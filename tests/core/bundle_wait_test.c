/*
 * bundle_wait_test.c: specification of the lane waits in steady/wait.h on bundles
 * (steady/bundle.h). Building bundles is in bundle_test.c.
 *
 * A "probe" actor owns both ends of a bundle, so it can arrange each lane's state and then wait
 * on exactly that: lanes that truly hold, round-robin fairness, no starvation, CLOSED. Graphs of
 * several actors check parking and wake-up, misuse (waiting on another actor's end), and
 * fan-out / fan-in with exact totals in SOLO and MEMBER placements.
 *
 * As in wait_test.c, actors only record the first failed expectation (EXPECT*); cmocka asserts
 * run on the test thread after the graph stopped. A watchdog turns a wait that wrongly blocks
 * forever into a failure instead of a hang.
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

#include "core/internal.h" /* white box: only a troupe's bell.sleeping, to see a thread parked */
#include "steady/steady.h"

#include "steady_test_support.h"

STEADY_BUNDLE_TYPE(u64b, uint64_t);

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/* Starts g, waits (at most 10 s) until `*finished` reaches `want` or the graph stops, then
 * stops it and asserts a clean stop. Frees g. */
static void run_until(steady_graph *g, _Atomic int *finished, int want)
{
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    if (!await_counter_or_stop(g, finished, want, 10000))
        expect_record(__FILE__, __LINE__, "the actors did not finish within 10 s");
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    steady_graph_free(g);
    assert_no_failed_expectation();
    assert_int_equal(e, STEADY_OK);
}

/* ---- the probe: one actor owning both bundle ends ---------------------------------------- */

struct rig;
typedef void (*probe_body)(steady_actor *a, struct rig *r);

struct rig {
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    uint32_t lanes;
    probe_body body;
    _Atomic int done;
};

static int probe_run(steady_actor *a, void *arg)
{
    struct rig *r = arg;
    r->body(a, r);
    atomic_store(&r->done, 1);
    return 0;
}

static void run_probe(probe_body body, uint32_t lanes, uint64_t capacity)
{
    expect_reset();
    struct rig r = {.body = body, .lanes = lanes};
    steady_graph *g = new_graph("probe");
    assert_int_equal(u64b_bundle_new(g, "lane", lanes, capacity, &r.txb, &r.rxb), STEADY_OK);
    steady_actor_opts ao = {.name = "probe",
                            .run = probe_run,
                            .arg = &r,
                            .tx_bundles = STEADY_TX_BUNDLES(r.txb),
                            .rx_bundles = STEADY_RX_BUNDLES(r.rxb)};
    assert_int_equal(steady_actor_spawn(g, &ao, NULL), STEADY_OK);
    run_until(g, &r.done, 1);
}

static void send_n(struct rig *r, uint32_t lane, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        EXPECT(u64b_tx_try_send(u64b_tx_bundle_lane(r->txb, lane), i) == STEADY_OK);
}

static void take_n(struct rig *r, uint32_t lane, uint64_t n)
{
    uint64_t v;
    for (uint64_t i = 0; i < n; i++)
        EXPECT(u64b_rx_try_take(u64b_rx_bundle_lane(r->rxb, lane), &v) == STEADY_OK);
}

static uint64_t avail(struct rig *r, uint32_t lane)
{
    return u64b_rx_avail(u64b_rx_bundle_lane(r->rxb, lane));
}

/* ---- any-lane waits return only lanes that truly hold ---------------------------------- */

static void body_avail_truly_ready(steady_actor *a, struct rig *r)
{
    send_n(r, 0, 1);
    send_n(r, 2, 3);
    send_n(r, 3, 2);
    uint32_t lane = 99;
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 3, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 2); /* the only lane with 3 */
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 2, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 3); /* 2 or 3 hold; the scan starts after lane 2 */
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 2, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 2); /* lane 0 has 1 and lane 1 none: skipped */
    send_n(r, 1, 8);
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 500, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 1); /* n is clamped to the capacity: lane 1 is full */
}

static void avail_lane_returns_only_a_lane_that_has_n_elements(void **state)
{
    (void)state;
    run_probe(body_avail_truly_ready, 4, 8);
}

static void body_vacant_truly_ready(steady_actor *a, struct rig *r)
{
    send_n(r, 0, 4);
    send_n(r, 1, 3);
    send_n(r, 2, 2);
    send_n(r, 3, 4);
    uint32_t lane = 99;
    EXPECT_REASON(steady_wait_vacant_lane(a, r->txb, 2, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 2); /* lane 1 has room for 1 only */
    steady_wake w =
        steady_wait_all(a, STEADY_VACANT_LANE(r->txb, 3, &lane), STEADY_TIMEOUT(STEADY_MS(20)));
    EXPECT_REASON(w.reason, STEADY_TIMEOUT);
    EXPECT_U64(lane, ==, STEADY_NO_LANE); /* written when the condition did not hold */
    EXPECT_U64(w.ready & 1u, ==, 0);
    take_n(r, 3, 3);
    w = steady_wait_all(a, STEADY_VACANT_LANE(r->txb, 3, &lane), STEADY_TIMEOUT(STEADY_MS(20)));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(lane, ==, 3);
    EXPECT_U64(w.ready & 1u, ==, 1);
}

static void vacant_lane_returns_only_a_lane_with_room_for_n(void **state)
{
    (void)state;
    run_probe(body_vacant_truly_ready, 4, 4);
}

static void body_combined(steady_actor *a, struct rig *r)
{
    /* Lane 1 is the "single" input here; the bundle condition sees lanes 0..2. */
    send_n(r, 1, 1);
    uint32_t lane = 99;
    steady_rx *single = steady_rx_bundle_lane(r->rxb.raw, 1);
    steady_wake w =
        steady_wait_any(a, STEADY_AVAIL_LANE(r->rxb, 2, &lane), steady_cond_avail(single, 1));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready, ==, 2u); /* only the single condition held */
    EXPECT_U64(lane, ==, STEADY_NO_LANE);
    send_n(r, 2, 2);
    w = steady_wait_all(a, STEADY_AVAIL_LANE(r->rxb, 2, NULL), steady_cond_avail(single, 1));
    EXPECT_REASON(w.reason, STEADY_READY);
    EXPECT_U64(w.ready, ==, 3u);
    /* The cursor moved even without a lane out-parameter: lane 2 was returned, so the scan
     * now starts at lane 0. */
    send_n(r, 0, 2);
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 2, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 0);
}

static void lane_conditions_combine_with_other_conditions(void **state)
{
    (void)state;
    run_probe(body_combined, 3, 8);
}

/* ---- round-robin fairness ------------------------------------------------------------------ */

#define FAIR_LANES 5u
#define FAIR_ROUNDS 10007u /* not a multiple of the lane count: the counts differ by one */

static void body_fair_avail(steady_actor *a, struct rig *r)
{
    uint64_t count[FAIR_LANES] = {0};
    uint32_t prev = FAIR_LANES - 1;
    for (unsigned k = 0; k < FAIR_ROUNDS; k++) {
        for (uint32_t i = 0; i < FAIR_LANES; i++) /* every lane always ready */
            if (avail(r, i) == 0)
                send_n(r, i, 2);
        uint32_t lane = STEADY_NO_LANE;
        EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 1, &lane), STEADY_READY);
        if (lane >= FAIR_LANES) {
            EXPECT(lane < FAIR_LANES);
            return;
        }
        EXPECT_U64(lane, ==, (prev + 1) % FAIR_LANES); /* strict turns */
        prev = lane;
        take_n(r, lane, 1);
        count[lane]++;
    }
    uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
    for (uint32_t i = 0; i < FAIR_LANES; i++) {
        lo = count[i] < lo ? count[i] : lo;
        hi = count[i] > hi ? count[i] : hi;
        sum += count[i];
    }
    EXPECT_U64(hi - lo, <=, 1);
    EXPECT_U64(sum, ==, FAIR_ROUNDS);
}

static void always_ready_lanes_take_turns_so_counts_differ_by_at_most_one(void **state)
{
    (void)state;
    run_probe(body_fair_avail, FAIR_LANES, 4);
}

static void body_fair_vacant(steady_actor *a, struct rig *r)
{
    uint64_t count[FAIR_LANES] = {0};
    for (unsigned k = 0; k < FAIR_ROUNDS; k++) {
        uint32_t lane = STEADY_NO_LANE;
        EXPECT_REASON(steady_wait_vacant_lane(a, r->txb, 1, &lane), STEADY_READY);
        if (lane >= FAIR_LANES) {
            EXPECT(lane < FAIR_LANES);
            return;
        }
        send_n(r, lane, 1);
        take_n(r, lane, 1); /* room again: every lane always has room */
        count[lane]++;
    }
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint32_t i = 0; i < FAIR_LANES; i++) {
        lo = count[i] < lo ? count[i] : lo;
        hi = count[i] > hi ? count[i] : hi;
    }
    EXPECT_U64(hi - lo, <=, 1);
}

static void lanes_that_always_have_room_take_turns_so_counts_differ_by_at_most_one(void **state)
{
    (void)state;
    run_probe(body_fair_vacant, FAIR_LANES, 4);
}

/* Lane 0 is always ready (a hog a lowest-index-first scan would serve forever); lanes 1..3
 * get an element every 3, 7 and 11 rounds. A lane that is ready when a wait starts is
 * returned within G waits: it is passed over at most G - 1 times in a row. */
#define STARVE_LANES 4u
#define STARVE_ROUNDS 20000u

static void body_no_starvation(steady_actor *a, struct rig *r)
{
    static const unsigned every[STARVE_LANES] = {1, 3, 7, 11};
    uint64_t passed_over[STARVE_LANES] = {0}, worst = 0, served[STARVE_LANES] = {0};
    uint64_t sent[STARVE_LANES] = {0};
    for (unsigned k = 0; k < STARVE_ROUNDS; k++) {
        for (uint32_t i = 0; i < STARVE_LANES; i++)
            if (k % every[i] == 0 && u64b_tx_vacant(u64b_tx_bundle_lane(r->txb, i)) > 0) {
                send_n(r, i, 1);
                sent[i]++;
            }
        bool ready[STARVE_LANES];
        for (uint32_t i = 0; i < STARVE_LANES; i++)
            ready[i] = avail(r, i) > 0;
        uint32_t lane = STEADY_NO_LANE;
        EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 1, &lane), STEADY_READY);
        if (lane >= STARVE_LANES || !ready[lane]) {
            EXPECT(lane < STARVE_LANES && ready[lane]);
            return;
        }
        take_n(r, lane, 1);
        served[lane]++;
        for (uint32_t i = 0; i < STARVE_LANES; i++) {
            passed_over[i] = i != lane && ready[i] ? passed_over[i] + 1 : 0;
            worst = passed_over[i] > worst ? passed_over[i] : worst;
        }
    }
    EXPECT_U64(worst, <=, STARVE_LANES - 1);
    for (uint32_t i = 1; i < STARVE_LANES; i++) /* the slow lanes kept up with their input */
        EXPECT_U64(served[i] + avail(r, i), ==, sent[i]);
    EXPECT_U64(served[3], >=, STARVE_ROUNDS / 11);
}

static void lanes_ready_at_different_rates_are_each_served_within_g_waits(void **state)
{
    (void)state;
    run_probe(body_no_starvation, STARVE_LANES, 64);
}

/* ---- CLOSED -----------------------------------------------------------------------------------
 */

static void body_avail_closed(steady_actor *a, struct rig *r)
{
    send_n(r, 0, 1);
    send_n(r, 2, 2);
    for (uint32_t i = 0; i < 3; i++)
        u64b_tx_close(u64b_tx_bundle_lane(r->txb, i));
    uint32_t lane = 99;
    uint64_t t0 = now_ns();
    /* No timeout: a wait that blocked here would hang (the watchdog catches it). */
    steady_wake w = steady_wait_all(a, STEADY_AVAIL_LANE(r->rxb, 3, &lane));
    EXPECT_REASON(w.reason, STEADY_CLOSED);
    EXPECT_U64(w.closed, ==, 1u);
    EXPECT_U64(lane, ==, STEADY_NO_LANE);
    EXPECT_U64(ms_since(t0), <, 1000);
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 2, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 2); /* closed, but holding enough */
    take_n(r, 2, 2);
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 1, &lane), STEADY_READY);
    EXPECT_U64(lane, ==, 0);
    take_n(r, 0, 1);
    EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 1, &lane), STEADY_CLOSED);
}

static void avail_lane_is_closed_once_every_lane_is_closed_with_fewer_than_n(void **state)
{
    (void)state;
    run_probe(body_avail_closed, 3, 8);
}

static void body_closed_lane_skipped(steady_actor *a, struct rig *r)
{
    u64b_tx_close(u64b_tx_bundle_lane(r->txb, 0)); /* closed and empty */
    uint32_t lane = 99;
    steady_wake w =
        steady_wait_all(a, STEADY_AVAIL_LANE(r->rxb, 1, &lane), STEADY_TIMEOUT(STEADY_MS(20)));
    EXPECT_REASON(w.reason, STEADY_TIMEOUT); /* lane 1 is open: not CLOSED */
    for (int k = 0; k < 10; k++) {
        send_n(r, 1, 1);
        EXPECT_REASON(steady_wait_avail_lane(a, r->rxb, 1, &lane), STEADY_READY);
        EXPECT_U64(lane, ==, 1);
        take_n(r, 1, 1);
    }
}

static void a_closed_and_empty_lane_is_skipped_while_another_lane_is_open(void **state)
{
    (void)state;
    run_probe(body_closed_lane_skipped, 2, 8);
}

static void body_vacant_closed(steady_actor *a, struct rig *r)
{
    uint32_t lane = 99;
    u64b_rx_close(u64b_rx_bundle_lane(r->rxb, 1)); /* lane 1's consumer is gone */
    for (int k = 0; k < 6; k++) {
        EXPECT_REASON(steady_wait_vacant_lane(a, r->txb, 1, &lane), STEADY_READY);
        EXPECT(lane == 0 || lane == 2);
    }
    u64b_rx_close(u64b_rx_bundle_lane(r->rxb, 0));
    u64b_rx_close(u64b_rx_bundle_lane(r->rxb, 2));
    EXPECT_REASON(steady_wait_vacant_lane(a, r->txb, 1, &lane), STEADY_CLOSED);
    EXPECT_U64(lane, ==, STEADY_NO_LANE);
}

static void vacant_lane_skips_lanes_whose_consumer_is_gone_and_is_closed_when_all_are(void **state)
{
    (void)state;
    run_probe(body_vacant_closed, 3, 4);
}

/* ---- parking and wake-up ------------------------------------------------------------------ */

#define PARK_LANES 4u

struct park {
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    uint32_t lane;     /* the lane the peer acts on */
    uint32_t got;      /* the lane the parked side was given */
    uint64_t wakes;    /* futex wakes seen right after the parked wait returned */
    uint64_t acted_ns; /* when the peer acted */
    uint64_t woke_ns;
    /* The consumer also waits on lane 0 alone for 2 elements (capacity 2): in ANY mode the
     * lane condition's lower threshold must wake it; in ALL mode, after that wake, the higher
     * threshold must still be waited for. The producer then sends `sends` elements. */
    enum { LANE_ONLY, ANY_WITH_SINGLE, ALL_WITH_SINGLE } mix;
    int sends;
    steady_graph *g;
    steady_actor *parked; /* the parked side's actor */
    _Atomic int finished;
};

/* Waits (at most 2 s) until the parked side's thread sleeps on its doorbell, so that only the
 * peer's ring can wake it. A waiter that never parks is a failure too. */
static void wait_until_asleep(steady_actor *self, const struct park *p)
{
    const _Atomic uint32_t *sleeping = &p->parked->troupe->bell.sleeping;
    for (int k = 0; k < 2000 && !atomic_load(sleeping); k++)
        steady_wait_timeout(self, STEADY_MS(1));
    EXPECT(atomic_load(sleeping));
}

static int parked_consumer_run(steady_actor *a, void *arg)
{
    struct park *p = arg;
    steady_rx *lane0 = steady_rx_bundle_lane(p->rxb.raw, 0);
    steady_cond c[2] = {STEADY_AVAIL_LANE(p->rxb, 1, &p->got), steady_cond_avail(lane0, 2)};
    steady_wake w = steady_wait(a, p->mix == ANY_WITH_SINGLE ? STEADY_WAIT_ANY : STEADY_WAIT_ALL, c,
                                p->mix == LANE_ONLY ? 1 : 2);
    p->woke_ns = now_ns();
    p->wakes = steady_graph_futex_wakes(p->g);
    EXPECT_REASON(w.reason, STEADY_READY);
    atomic_fetch_add(&p->finished, 1);
    return 0;
}

static int late_producer_run(steady_actor *a, void *arg)
{
    struct park *p = arg;
    for (int k = 0; k < (p->sends ? p->sends : 1); k++) {
        steady_wait_timeout(a, STEADY_MS(50)); /* the consumer parks meanwhile */
        wait_until_asleep(a, p);
        p->acted_ns = now_ns();
        EXPECT(u64b_tx_try_send(u64b_tx_bundle_lane(p->txb, p->lane), 7) == STEADY_OK);
    }
    atomic_fetch_add(&p->finished, 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

/* The parked actor gets the consuming (or producing) bundle end, the peer the other one. */
static void run_park(struct park *p, steady_actor_fn parked, steady_actor_fn peer,
                     bool parked_consumes)
{
    expect_reset();
    steady_graph *g = p->g = new_graph("park");
    assert_int_equal(u64b_bundle_new(g, "lane", PARK_LANES, 2, &p->txb, &p->rxb), STEADY_OK);
    steady_tx_bundle *const *txl = STEADY_TX_BUNDLES(p->txb);
    steady_rx_bundle *const *rxl = STEADY_RX_BUNDLES(p->rxb);
    steady_actor_opts po = {.name = "parked", .run = parked, .arg = p};
    steady_actor_opts qo = {.name = "peer", .run = peer, .arg = p};
    if (parked_consumes) {
        po.rx_bundles = rxl;
        qo.tx_bundles = txl;
    } else {
        po.tx_bundles = txl;
        qo.rx_bundles = rxl;
    }
    assert_int_equal(steady_actor_spawn(g, &po, &p->parked), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &qo, NULL), STEADY_OK);
    run_until(g, &p->finished, 2);
}

static void a_consumer_parked_on_a_bundle_is_woken_by_a_send_on_any_lane(void **state)
{
    (void)state;
    for (uint32_t lane = 0; lane < PARK_LANES; lane++) {
        struct park p = {.lane = lane, .got = 99};
        run_park(&p, parked_consumer_run, late_producer_run, true);
        assert_int_equal(p.got, lane);
        assert_true(p.wakes >= 1); /* it slept on its doorbell, and the send rang it */
        assert_true(p.woke_ns >= p.acted_ns);
        assert_true((p.woke_ns - p.acted_ns) / 1000000u < 1000);
    }
}

static void a_lane_and_a_higher_single_threshold_on_one_channel_wake_at_the_lower(void **state)
{
    (void)state;
    /* Both conditions publish a threshold on lane 0; the lower one (1 element) must stand,
     * or the send below would not ring and the consumer would sleep on. */
    struct park p = {.lane = 0, .got = 99, .mix = ANY_WITH_SINGLE};
    run_park(&p, parked_consumer_run, late_producer_run, true);
    assert_int_equal(p.got, 0);
    assert_true(p.wakes >= 1);
}

static void after_the_lower_threshold_wakes_an_all_wait_the_higher_one_still_does(void **state)
{
    (void)state;
    /* The first send crosses the lane condition's threshold and consumes lane 0's want; the
     * single condition (2 elements) still pends, so its want must be published again, or the
     * second send would not ring. */
    struct park p = {.lane = 0, .got = 99, .mix = ALL_WITH_SINGLE, .sends = 2};
    run_park(&p, parked_consumer_run, late_producer_run, true);
    assert_int_equal(p.got, 0);
    assert_true(p.woke_ns >= p.acted_ns); /* after the second send */
}

static int parked_producer_run(steady_actor *a, void *arg)
{
    struct park *p = arg;
    for (uint32_t i = 0; i < PARK_LANES; i++) /* fill every lane */
        for (int k = 0; k < 2; k++)
            EXPECT(u64b_tx_try_send(u64b_tx_bundle_lane(p->txb, i), 1) == STEADY_OK);
    steady_reason why = steady_wait_vacant_lane(a, p->txb, 1, &p->got);
    p->woke_ns = now_ns();
    p->wakes = steady_graph_futex_wakes(p->g);
    EXPECT_REASON(why, STEADY_READY);
    atomic_fetch_add(&p->finished, 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static int late_consumer_run(steady_actor *a, void *arg)
{
    struct park *p = arg;
    steady_wait_timeout(a, STEADY_MS(50));
    wait_until_asleep(a, p);
    p->acted_ns = now_ns();
    uint64_t v;
    EXPECT(u64b_rx_try_take(u64b_rx_bundle_lane(p->rxb, p->lane), &v) == STEADY_OK);
    atomic_fetch_add(&p->finished, 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void a_producer_parked_on_a_full_bundle_is_woken_when_any_lane_drains(void **state)
{
    (void)state;
    for (uint32_t lane = 0; lane < PARK_LANES; lane++) {
        struct park p = {.lane = lane, .got = 99};
        run_park(&p, parked_producer_run, late_consumer_run, false);
        assert_int_equal(p.got, lane);
        assert_true(p.wakes >= 1);
        assert_true((p.woke_ns - p.acted_ns) / 1000000u < 1000);
    }
}

/* ---- misuse inside a running actor ---------------------------------------------------------- */

static _Atomic int intruder_went_on;

static int intruder_run(steady_actor *a, void *arg)
{
    u64b_rx_bundle *rxb = arg;
    uint32_t lane;
    steady_wait_avail_lane(a, *rxb, 1, &lane); /* not ours: fails this actor */
    atomic_store(&intruder_went_on, 1);
    return 0;
}

static void waiting_on_a_bundle_end_given_to_another_actor_fails_the_waiter(void **state)
{
    (void)state;
    steady_graph *g = new_graph_no_restart("trespass");
    u64b_tx_bundle txb;
    u64b_rx_bundle rxb;
    assert_int_equal(u64b_bundle_new(g, "private", 2, 4, &txb, &rxb), STEADY_OK);
    assert_int_equal(
        spawn_with(g, "owner", NULL, NULL, STEADY_TX_BUNDLES(txb), STEADY_RX_BUNDLES(rxb)),
        STEADY_OK);
    steady_actor_opts intr = {.name = "intruder", .run = intruder_run, .arg = &rxb};
    assert_int_equal(steady_actor_spawn(g, &intr, NULL), STEADY_OK);
    atomic_store(&intruder_went_on, 0);
    capture_start();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 2000); /* the failure asks for it */
    capture_stop();
    steady_graph_free(g);
    assert_int_equal(e, STEADY_EDEGRADED);
    assert_int_equal(atomic_load(&intruder_went_on), 0);
    const char *want[] = {"'intruder' failed", "wait_avail_lane", "bundle 'private'",
                          "belongs to actor 'owner'", ".rx_bundles"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(captured, want[i]))
            fail_msg("the failure log lacks \"%s\": %s", want[i], captured);
}

/* ---- fan-out and fan-in with exact totals ------------------------------------------------- */

/* generator --work bundle (G lanes)--> worker i (lane i split out) --out-i--> logger (a bundle
 * end joined from the workers' outputs). The generator sends 1..N to whichever lane has room
 * (VACANT_LANE), each worker doubles what it takes, the logger sums whichever lane has data
 * (AVAIL_LANE). Every actor returns when its input is closed and drained, which closes its
 * outputs: the shutdown ripples down and the totals are exact. */
#define FAN_LANES 3u

struct fan {
    u64b_tx_bundle work_tx;
    u64b_rx work_rx[FAN_LANES];
    u64b_tx out_tx[FAN_LANES];
    u64b_rx_bundle log_rx;
    uint64_t n;
    uint64_t taken[FAN_LANES]; /* by each worker */
    uint64_t logged, sum, per_lane[FAN_LANES];
    _Atomic int finished;
};

struct worker_arg {
    struct fan *f;
    uint32_t i;
};

static int generator_run(steady_actor *a, void *arg)
{
    struct fan *f = arg;
    uint64_t next = 1;
    while (next <= f->n) {
        uint32_t lane;
        steady_reason why = steady_wait_vacant_lane(a, f->work_tx, 1, &lane);
        if (why == STEADY_CLOSED || why == STEADY_SHUTDOWN)
            break;
        u64b_tx tx = u64b_tx_bundle_lane(f->work_tx, lane);
        uint64_t room = u64b_tx_vacant(tx);
        for (uint64_t k = 0; k < room && next <= f->n; k++, next++)
            EXPECT(u64b_tx_try_send(tx, next) == STEADY_OK);
    }
    EXPECT_U64(next, ==, f->n + 1);
    atomic_fetch_add(&f->finished, 1);
    return 0; /* closes every lane */
}

static int worker_run(steady_actor *a, void *arg)
{
    struct worker_arg *w = arg;
    struct fan *f = w->f;
    u64b_rx in = f->work_rx[w->i];
    u64b_tx out = f->out_tx[w->i];
    for (;;) {
        steady_wake wk = steady_wait_all(a, STEADY_AVAIL(in, 1), STEADY_VACANT(out, 1));
        if (wk.reason != STEADY_READY)
            break;
        uint64_t v;
        while (u64b_tx_vacant(out) > 0 && u64b_rx_try_take(in, &v) == STEADY_OK) {
            EXPECT(u64b_tx_try_send(out, 2 * v) == STEADY_OK);
            f->taken[w->i]++;
        }
    }
    EXPECT(u64b_rx_is_closed_and_empty(in));
    atomic_fetch_add(&f->finished, 1);
    return 0;
}

static int logger_run(steady_actor *a, void *arg)
{
    struct fan *f = arg;
    uint32_t lane;
    while (steady_wait_avail_lane(a, f->log_rx, 1, &lane) == STEADY_READY) {
        u64b_rx rx = u64b_rx_bundle_lane(f->log_rx, lane);
        uint64_t buf[64];
        size_t got = u64b_rx_take_slice(rx, buf, 64);
        for (size_t k = 0; k < got; k++)
            f->sum += buf[k];
        f->logged += got;
        f->per_lane[lane] += got;
    }
    for (uint32_t i = 0; i < FAN_LANES; i++)
        EXPECT(u64b_rx_is_closed_and_empty(u64b_rx_bundle_lane(f->log_rx, i)));
    atomic_fetch_add(&f->finished, 1);
    return 0;
}

enum placement { SOLO, MEMBER, MIXED };

static void run_fan(enum placement where)
{
    expect_reset();
    static struct fan f; /* large enough to keep off the test's stack */
    memset(&f, 0, sizeof f);
    f.n = SANITIZED ? 20000u : 200000u;
    steady_graph *g = new_graph("fan");
    u64b_rx_bundle work_rxb;
    assert_int_equal(u64b_bundle_new(g, "work", FAN_LANES, 64, &f.work_tx, &work_rxb), STEADY_OK);
    u64b_rx outs[FAN_LANES];
    for (uint32_t i = 0; i < FAN_LANES; i++) {
        assert_int_equal(u64b_rx_bundle_split(work_rxb, i, &f.work_rx[i]), STEADY_OK);
        char name[16];
        snprintf(name, sizeof name, "out-%u", i);
        assert_int_equal(u64b_new(g, name, 32, &f.out_tx[i], &outs[i]), STEADY_OK);
    }
    assert_int_equal(u64b_rx_bundle_join(g, "log-in", outs, FAN_LANES, &f.log_rx), STEADY_OK);

    steady_troupe *one = NULL, *two = NULL;
    if (where != SOLO)
        assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "front"}, &one),
                         STEADY_OK);
    two = where == MEMBER ? one : NULL; /* MIXED: the logger runs SOLO */
    steady_actor_opts go = {.name = "generator",
                            .run = generator_run,
                            .arg = &f,
                            .troupe = one,
                            .tx_bundles = STEADY_TX_BUNDLES(f.work_tx)};
    assert_int_equal(steady_actor_spawn(g, &go, NULL), STEADY_OK);
    struct worker_arg wa[FAN_LANES];
    for (uint32_t i = 0; i < FAN_LANES; i++) {
        wa[i] = (struct worker_arg){&f, i};
        steady_actor_opts wo = {.name = "worker",
                                .has_suffix = true,
                                .suffix = i,
                                .run = worker_run,
                                .arg = &wa[i],
                                .troupe = one,
                                .txs = STEADY_TXS(f.out_tx[i]),
                                .rxs = STEADY_RXS(f.work_rx[i])};
        assert_int_equal(steady_actor_spawn(g, &wo, NULL), STEADY_OK);
    }
    steady_actor_opts lo = {.name = "logger",
                            .run = logger_run,
                            .arg = &f,
                            .troupe = two,
                            .rx_bundles = STEADY_RX_BUNDLES(f.log_rx)};
    assert_int_equal(steady_actor_spawn(g, &lo, NULL), STEADY_OK);
    run_until(g, &f.finished, 2 + (int)FAN_LANES);

    assert_int_equal(f.logged, f.n);
    assert_int_equal(f.sum, f.n * (f.n + 1)); /* 2 * (1 + ... + n) */
    uint64_t taken = 0;
    for (uint32_t i = 0; i < FAN_LANES; i++) {
        assert_int_equal(f.per_lane[i], f.taken[i]); /* lane i of log-in is worker i's output */
        assert_true(f.taken[i] > 0);                 /* round-robin fed every worker */
        taken += f.taken[i];
    }
    assert_int_equal(taken, f.n);
}

static void fan_out_and_fan_in_deliver_exact_totals_with_every_actor_solo(void **state)
{
    (void)state;
    run_fan(SOLO);
}

static void fan_out_and_fan_in_deliver_exact_totals_as_members_of_one_troupe(void **state)
{
    (void)state;
    run_fan(MEMBER);
}

static void fan_out_and_fan_in_deliver_exact_totals_with_a_troupe_and_a_solo_logger(void **state)
{
    (void)state;
    run_fan(MIXED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(avail_lane_returns_only_a_lane_that_has_n_elements),
        cmocka_unit_test(vacant_lane_returns_only_a_lane_with_room_for_n),
        cmocka_unit_test(lane_conditions_combine_with_other_conditions),
        cmocka_unit_test(always_ready_lanes_take_turns_so_counts_differ_by_at_most_one),
        cmocka_unit_test(lanes_that_always_have_room_take_turns_so_counts_differ_by_at_most_one),
        cmocka_unit_test(lanes_ready_at_different_rates_are_each_served_within_g_waits),
        cmocka_unit_test(avail_lane_is_closed_once_every_lane_is_closed_with_fewer_than_n),
        cmocka_unit_test(a_closed_and_empty_lane_is_skipped_while_another_lane_is_open),
        cmocka_unit_test(vacant_lane_skips_lanes_whose_consumer_is_gone_and_is_closed_when_all_are),
        cmocka_unit_test(a_consumer_parked_on_a_bundle_is_woken_by_a_send_on_any_lane),
        cmocka_unit_test(a_lane_and_a_higher_single_threshold_on_one_channel_wake_at_the_lower),
        cmocka_unit_test(after_the_lower_threshold_wakes_an_all_wait_the_higher_one_still_does),
        cmocka_unit_test(a_producer_parked_on_a_full_bundle_is_woken_when_any_lane_drains),
        cmocka_unit_test(waiting_on_a_bundle_end_given_to_another_actor_fails_the_waiter),
        cmocka_unit_test(fan_out_and_fan_in_deliver_exact_totals_with_every_actor_solo),
        cmocka_unit_test(fan_out_and_fan_in_deliver_exact_totals_as_members_of_one_troupe),
        cmocka_unit_test(fan_out_and_fan_in_deliver_exact_totals_with_a_troupe_and_a_solo_logger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
