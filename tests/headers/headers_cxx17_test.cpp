/*
 * headers_cxx17_test.cpp: the public headers from C++17. Compiled with -std=c++17 -pedantic
 * -Wall -Wextra -Wconversion -Werror (tests/headers/CMakeLists.txt), it includes every header in
 * include/steady/ (all_headers.h, generated from a glob at configure time) and runs the graph of
 * headers_c11_test.c written in C++:
 *
 *   gen ==work[0]==> doubler --doubled--> merge
 *       ==work[1]==> tripler --tripled--/
 *
 * (with the probe that calls every other wait macro once, and the shutdown barrier of 2), with
 * the C++ forms of the macros that C++ cannot take as they are in C (STEADY_TXS and the
 * other lists as named objects, steady_wait_all over an initializer list, STEADY_POLICY_DEFAULT
 * without designated initialisers; docs/reference/cplusplus.md). It also checks that C and C++
 * agree: the layout of every public struct, STEADY_POLICY_DEFAULT, a condition, and one channel
 * driven by both languages' inline fast paths (layout_c.c is the C half).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" { /* cmocka 1.1's header has no extern "C" of its own */
#include <cmocka.h>
}

#include <type_traits>
#include <utility>

#include "all_headers.h"
#include "layout.h"

namespace
{

/* Generated into a namespace: the typed wrappers are valid C++ wherever a declaration is. */
STEADY_BUNDLE_TYPE(u64, uint64_t);

constexpr uint64_t values = 20000;
constexpr uint64_t capacity = 64;

struct pipeline {
    u64_tx_bundle work_tx; /* gen's two lanes */
    u64_rx_bundle work_rx; /* lane 1 only, once lane 0 is split out */
    u64_rx lane0;          /* doubler's input */
    u64_tx out_tx[2];      /* doubled, tripled */
    u64_rx out_rx[2];
};

struct gen_state {
    uint64_t sent; /* values sent so far: 1..sent */
};

struct merge_state {
    uint64_t count[2]; /* values from doubler, tripler */
    uint64_t sum;      /* of the original values */
    uint64_t sum_sq;
};

struct probe {
    u64_tx tx; /* its own channel: both ends */
    u64_rx rx;
    u64_tx_bundle txb; /* its own bundle of two lanes: both ends */
    u64_rx_bundle rxb;
};

constexpr int probe_waits = 8;

struct probe_state {
    steady_reason reason[probe_waits];
    uint32_t lane[2]; /* from the avail-lane and vacant-lane waits */
    uint32_t ready;   /* .ready of the all-or-first wait */
    uint64_t checks;  /* waits made */
};

/* ---- actors --------------------------------------------------------------------------------- */

bool close_lanes(u64_tx_bundle b)
{
    for (uint32_t i = 0; i < u64_tx_bundle_lanes(b); i++)
        if (u64_tx_bundle_lane(b, i).raw)
            u64_tx_close(u64_tx_bundle_lane(b, i));
    return true;
}

bool lanes_closed_and_empty(u64_rx_bundle b)
{
    for (uint32_t i = 0; i < u64_rx_bundle_lanes(b); i++) {
        u64_rx lane = u64_rx_bundle_lane(b, i);
        if (lane.raw && !u64_rx_is_closed_and_empty(lane))
            return false;
    }
    return true;
}

int gen_run(steady_actor *a, void *arg)
{
    auto *p = static_cast<pipeline *>(arg);
    auto *st = static_cast<gen_state *>(steady_actor_state(a));
    while (STEADY_RUNNING(a, STEADY_I(close_lanes(p->work_tx)))) {
        if (st->sent == values) { /* asked already: the barrier waits for the probe's request */
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
        if (++st->sent == values)
            steady_actor_request_shutdown(a);
    }
    return 0;
}

int doubler_run(steady_actor *a, void *arg)
{
    auto *p = static_cast<pipeline *>(arg);
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

int tripler_run(steady_actor *a, void *arg)
{
    auto *p = static_cast<pipeline *>(arg);
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

void merge_drain(merge_state *st, u64_rx in, uint64_t factor, int i)
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

/* A captureless lambda is an actor function too. */
const steady_actor_fn merge_run = [](steady_actor *a, void *arg) -> int {
    auto *p = static_cast<pipeline *>(arg);
    auto *st = static_cast<merge_state *>(steady_actor_state(a));
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
};

int probe_run(steady_actor *a, void *arg)
{
    auto *p = static_cast<probe *>(arg);
    auto *st = static_cast<probe_state *>(steady_actor_state(a));
    steady_reason *r = st->reason;
    r[0] = steady_wait_vacant(a, p->tx, 1); /* READY: the channel is empty */
    STEADY_ASSERT(u64_tx_try_send(p->tx, 7) == STEADY_OK);
    r[1] = steady_wait_avail(a, p->rx, 1);         /* READY */
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
    st->checks = probe_waits;
    STEADY_DEBUG("probe: %llu waits made", static_cast<unsigned long long>(st->checks));
    return 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

steady_actor *spawn(steady_graph *g, const steady_actor_opts &o)
{
    steady_actor *a = nullptr;
    if (steady_actor_spawn(g, &o, &a) != STEADY_OK)
        fail_msg("spawn %s: %s", o.name, steady_last_error());
    return a;
}

steady_graph *new_graph(const char *name, unsigned shutdown_barrier = 0)
{
    steady_graph_opts go{};
    go.name = name;
    go.no_signal_handlers = true;
    go.shutdown_barrier = shutdown_barrier;
    steady_graph *g = nullptr;
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    return g;
}

void graph_delivers_every_value_once_and_each_wait_gives_its_reason(void **)
{
    steady_graph *g = new_graph("headers-cxx17", 2);
    pipeline p{};
    probe pr{};
    assert_int_equal(u64_new(g, "probe", 4, &pr.tx, &pr.rx), STEADY_OK);
    assert_int_equal(u64_bundle_new(g, "probe-lanes", 2, 4, &pr.txb, &pr.rxb), STEADY_OK);
    assert_int_equal(u64_bundle_new(g, "work", 2, capacity, &p.work_tx, &p.work_rx), STEADY_OK);
    assert_int_equal(u64_rx_bundle_split(p.work_rx, 0, &p.lane0), STEADY_OK);
    assert_int_equal(u64_new(g, "doubled", capacity, &p.out_tx[0], &p.out_rx[0]), STEADY_OK);
    assert_int_equal(u64_new(g, "tripled", capacity, &p.out_tx[1], &p.out_rx[1]), STEADY_OK);
    steady_troupe_opts to{};
    to.name = "workers";
    steady_troupe *workers = nullptr;
    assert_int_equal(steady_troupe_new(g, &to, &workers), STEADY_OK);

    /* C++: each list is a named object that outlives its steady_actor_spawn. */
    auto gen_txbs = STEADY_TX_BUNDLES(p.work_tx);
    auto dbl_rxs = STEADY_RXS(p.lane0);
    auto dbl_txs = STEADY_TXS(p.out_tx[0]);
    auto tpl_rxbs = STEADY_RX_BUNDLES(p.work_rx);
    auto tpl_txs = STEADY_TXS(p.out_tx[1]);
    auto merge_rxs = STEADY_RXS(p.out_rx[0], p.out_rx[1]);
    auto probe_txs = STEADY_TXS(pr.tx);
    auto probe_rxs = STEADY_RXS(pr.rx);
    auto probe_txbs = STEADY_TX_BUNDLES(pr.txb);
    auto probe_rxbs = STEADY_RX_BUNDLES(pr.rxb);

    steady_actor_opts o{};
    o.name = "gen";
    o.run = gen_run;
    o.arg = &p;
    o.tx_bundles = gen_txbs;
    o.state_size = sizeof(gen_state);
    steady_actor *gen = spawn(g, o);

    steady_policy patient = STEADY_POLICY_DEFAULT;
    patient.max_restarts = STEADY_UNLIMITED;
    o = steady_actor_opts{};
    o.name = "doubler";
    o.run = doubler_run;
    o.arg = &p;
    o.policy = &patient;
    o.troupe = workers;
    o.rxs = dbl_rxs;
    o.txs = dbl_txs;
    steady_actor *dbl = spawn(g, o);

    o = steady_actor_opts{};
    o.name = "tripler";
    o.run = tripler_run;
    o.arg = &p;
    o.troupe = workers;
    o.rx_bundles = tpl_rxbs;
    o.txs = tpl_txs;
    steady_actor *tpl = spawn(g, o);

    o = steady_actor_opts{};
    o.name = "merge";
    o.run = merge_run;
    o.arg = &p;
    o.rxs = merge_rxs;
    o.state_size = sizeof(merge_state);
    steady_actor *merge = spawn(g, o);

    o = steady_actor_opts{};
    o.name = "probe";
    o.run = probe_run;
    o.arg = &pr;
    o.txs = probe_txs;
    o.rxs = probe_rxs;
    o.tx_bundles = probe_txbs;
    o.rx_bundles = probe_rxbs;
    o.state_size = sizeof(probe_state);
    steady_actor *prb = spawn(g, o);

    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_err stopped = steady_graph_block_until_stopped(g, 10000);
    if (stopped != STEADY_OK) {
        char report[4096];
        steady_graph_report(g, report, sizeof report);
        fail_msg("stop: %s\n%s", steady_strerror(stopped), report);
    }

    const auto *st = static_cast<const merge_state *>(steady_actor_state(merge));
    const uint64_t n = values;
    assert_int_equal(st->count[0] + st->count[1], n);
    assert_true(st->count[0] > 0 && st->count[1] > 0); /* both lanes were used */
    assert_int_equal(st->sum, n * (n + 1) / 2);
    assert_int_equal(st->sum_sq, n * (n + 1) * (2 * n + 1) / 6);
    assert_int_equal(static_cast<const gen_state *>(steady_actor_state(gen))->sent, n);
    assert_int_equal(steady_actor_failures(dbl), 1);
    assert_int_equal(steady_actor_regeneration(dbl), 1);
    assert_int_equal(steady_actor_failures(gen) + steady_actor_failures(tpl) +
                         steady_actor_failures(merge) + steady_actor_failures(prb),
                     0);

    const auto *ps = static_cast<const probe_state *>(steady_actor_state(prb));
    const steady_reason want[probe_waits] = {
        STEADY_READY,   /* vacant */
        STEADY_READY,   /* avail */
        STEADY_TIMEOUT, /* timeout */
        STEADY_READY,   /* periodic */
        STEADY_READY,   /* avail_lane */
        STEADY_READY,   /* vacant_lane */
        STEADY_READY,   /* all_or_first */
        STEADY_SHUTDOWN /* shutdown */
    };
    assert_int_equal(ps->checks, probe_waits);
    for (int i = 0; i < probe_waits; i++)
        if (ps->reason[i] != want[i])
            fail_msg("probe wait %d: %s, expected %s", i, steady_reason_name(ps->reason[i]),
                     steady_reason_name(want[i]));
    assert_int_equal(ps->lane[0], 1);
    assert_int_equal(ps->lane[1], 0);
    assert_int_equal(ps->ready, 6);
    steady_graph_free(g);
}

/* A list converts to the field's type only as a named object: a temporary would dangle. */
static_assert(
    std::is_convertible<decltype(STEADY_TXS(std::declval<u64_tx>())) &, steady_tx *const *>::value,
    "a named list converts");
static_assert(
    !std::is_convertible<decltype(STEADY_TXS(std::declval<u64_tx>())), steady_tx *const *>::value,
    "a temporary list does not");

void end_lists_hold_each_raw_end_then_null(void **)
{
    steady_graph *g = new_graph("lists");
    u64_tx t[16];
    u64_rx r[16];
    for (int i = 0; i < 16; i++)
        assert_int_equal(u64_new(g, nullptr, 1, &t[i], &r[i]), STEADY_OK);
    u64_tx_bundle tb;
    u64_rx_bundle rb;
    assert_int_equal(u64_bundle_new(g, "b", 2, 1, &tb, &rb), STEADY_OK);

    auto one_list = STEADY_TXS(t[5]);
    steady_tx *const *one = one_list;
    assert_ptr_equal(one[0], t[5].raw);
    assert_null(one[1]);
    auto two_list = STEADY_RXS(r[1], r[0]);
    steady_rx *const *two = two_list;
    assert_ptr_equal(two[0], r[1].raw);
    assert_ptr_equal(two[1], r[0].raw);
    assert_null(two[2]);
    auto all_list = STEADY_TXS(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10],
                               t[11], t[12], t[13], t[14], t[15]);
    steady_tx *const *all = all_list;
    for (int i = 0; i < 16; i++)
        assert_ptr_equal(all[i], t[i].raw);
    assert_null(all[16]);
    auto tb_list = STEADY_TX_BUNDLES(tb);
    auto rb_list = STEADY_RX_BUNDLES(rb);
    steady_tx_bundle *const *tbs = tb_list;
    steady_rx_bundle *const *rbs = rb_list;
    assert_ptr_equal(tbs[0], tb.raw);
    assert_null(tbs[1]);
    assert_ptr_equal(rbs[0], rb.raw);
    assert_null(rbs[1]);
    steady_graph_free(g);
}

const headers_layout cxx_layout[] = {HEADERS_SIZES(HEADERS_SIZE_ROW)
                                         HEADERS_FIELDS(HEADERS_FIELD_ROW)};

void cxx_and_c_agree_on_every_public_struct_layout(void **)
{
    const size_t n = sizeof cxx_layout / sizeof cxx_layout[0];
    assert_int_equal(n, headers_c_layout_count);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(cxx_layout[i].what, headers_c_layout[i].what);
        if (cxx_layout[i].value != headers_c_layout[i].value)
            fail_msg("%s: %zu in C++, %zu in C", cxx_layout[i].what, cxx_layout[i].value,
                     headers_c_layout[i].value);
    }
}

void cxx_policy_default_equals_c(void **)
{
    const steady_policy c = headers_c_policy_default();
    const steady_policy x = STEADY_POLICY_DEFAULT;
    assert_int_equal(x.restart, c.restart);
    assert_int_equal(x.backoff_floor_ms, c.backoff_floor_ms);
    assert_int_equal(x.backoff_ceiling_ms, c.backoff_ceiling_ms);
    assert_int_equal(x.jitter_pct, c.jitter_pct);
    assert_int_equal(x.max_restarts, c.max_restarts);
    assert_int_equal(x.period_ms, c.period_ms);
    assert_int_equal(x.escalation, c.escalation);
    assert_memory_equal(&x, &c, sizeof x); /* no padding: every field is 32 bits */
}

void cxx_conditions_equal_c(void **)
{
    steady_graph *g = new_graph("conds");
    u64_tx_bundle tb;
    u64_rx_bundle rb;
    assert_int_equal(u64_bundle_new(g, "b", 3, 4, &tb, &rb), STEADY_OK);
    uint32_t lane = 0;
    const steady_cond c = headers_c_cond_avail_lane(rb.raw, 5, &lane);
    const steady_cond x = STEADY_AVAIL_LANE(rb, 5, &lane);
    assert_int_equal(x.kind, c.kind);
    assert_int_equal(x.kind, STEADY_COND_AVAIL_LANE);
    assert_int_equal(x.n, c.n);
    assert_ptr_equal(x.rx_bundle, c.rx_bundle);
    assert_ptr_equal(x.rx_bundle, rb.raw);
    assert_ptr_equal(x.lane, c.lane);
    const steady_cond t = STEADY_TIMEOUT(STEADY_MS(3));
    assert_int_equal(t.kind, STEADY_COND_TIMEOUT);
    assert_int_equal(t.n, 3000000);
    assert_null(t.rx);
    assert_null(t.lane);
    steady_graph_free(g);
}

/* One channel, both languages' inline fast paths (before start, a plain thread may use both
 * ends): values keep their order across the language boundary, both see full and empty, and a
 * failed typed take writes a zero in both. */
void c_and_cxx_fast_paths_share_one_channel(void **)
{
    steady_graph *g = new_graph("mixed");
    u64_tx tx;
    u64_rx rx;
    assert_int_equal(u64_new(g, "mixed", 8, &tx, &rx), STEADY_OK);
    for (uint64_t v = 1; v <= 8; v++)
        assert_int_equal(v % 2 ? u64_tx_try_send(tx, v) : headers_c_try_send(tx.raw, v), STEADY_OK);
    assert_int_equal(u64_tx_try_send(tx, 9), STEADY_EFULL);
    assert_int_equal(headers_c_try_send(tx.raw, 9), STEADY_EFULL);
    for (uint64_t want = 1; want <= 8; want++) {
        uint64_t v = 0;
        assert_int_equal(want % 3 ? headers_c_try_take(rx.raw, &v) : u64_rx_try_take(rx, &v),
                         STEADY_OK);
        assert_int_equal(v, want);
    }
    uint64_t v = 77;
    assert_int_equal(u64_rx_try_take(rx, &v), STEADY_EEMPTY);
    assert_int_equal(v, 0);
    v = 77;
    assert_int_equal(headers_c_try_take(rx.raw, &v), STEADY_EEMPTY);
    assert_int_equal(v, 0);
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx.raw)), 8);
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 8);
    steady_graph_free(g);
}

} // namespace

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cxx_and_c_agree_on_every_public_struct_layout),
        cmocka_unit_test(cxx_policy_default_equals_c),
        cmocka_unit_test(cxx_conditions_equal_c),
        cmocka_unit_test(c_and_cxx_fast_paths_share_one_channel),
        cmocka_unit_test(end_lists_hold_each_raw_end_then_null),
        cmocka_unit_test(graph_delivers_every_value_once_and_each_wait_gives_its_reason),
    };
    return cmocka_run_group_tests_name("headers_cxx17", tests, nullptr, nullptr);
}
