/*
 * sendwait_test.c: the waiting send and take (steady/wait.h, steady/typed.h) used well.
 *
 * A three-stage line, source -> relay -> sink, over channels of capacity 4 so every stage waits
 * thousands of times in both directions: the source sends slices of 1,000 with send_slice_wait,
 * the relay moves one message at a time with take_wait / send_wait, the sink takes up to 7 at a
 * time with take_slice_wait. Every value arrives once, in order, in each placement: SOLO (a
 * thread each), one troupe (a member that did not yield while waiting would deadlock its
 * troupe), and the relay ISOLATED in a child process. The end is the calls' ECLOSED: the source
 * returns, the relay drains and returns, the sink drains and returns.
 *
 * Then the early returns: shutdown requested while a send waits on a full channel (ESHUTDOWN,
 * nothing sent, the veto ends the actor); the consumer closing its end while a send waits
 * (ECLOSED); a typed take_wait that ends in ECLOSED writes a zero value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "steady_test_support.h"

#define N 100000
#define SLICE 1000
#define CAP 4

enum placement { SOLO, TROUPE, ISOLATED_RELAY };

typedef struct line {
    u64ch_tx src_out;
    u64ch_rx relay_in;
    u64ch_tx relay_out;
    u64ch_rx sink_in;
    _Atomic uint64_t received;
    _Atomic uint64_t disorder;
    _Atomic int sink_done;
    steady_err sink_end;
    steady_err source_end;
} line;

static int source_run(steady_actor *a, void *arg)
{
    line *l = arg;
    static uint64_t buf[SLICE];
    for (uint64_t base = 0; base < N; base += SLICE) {
        for (uint64_t i = 0; i < SLICE; i++)
            buf[i] = base + i;
        size_t sent = 0;
        l->source_end = u64ch_tx_send_slice_wait(a, l->src_out, buf, SLICE, &sent);
        EXPECT_U64(sent, ==, l->source_end == STEADY_OK ? SLICE : sent);
        if (l->source_end != STEADY_OK)
            break;
    }
    return 0; /* returning closes src_out: the relay drains it and sees ECLOSED */
}

/* Runs in the child process when ISOLATED: it touches nothing but its channels. */
static int relay_run(steady_actor *a, void *arg)
{
    line *l = arg;
    uint64_t v;
    steady_err e;
    while ((e = u64ch_rx_take_wait(a, l->relay_in, &v)) != STEADY_ECLOSED) {
        if (e == STEADY_ESHUTDOWN)
            continue; /* nobody asks for the stop before the end; drain regardless */
        if (e != STEADY_OK || (e = u64ch_tx_send_wait(a, l->relay_out, v)) != STEADY_OK)
            steady_panic("relay: %s", steady_strerror(e));
    }
    return 0;
}

static int sink_run(steady_actor *a, void *arg)
{
    line *l = arg;
    uint64_t buf[7];
    size_t got;
    steady_err e;
    while ((e = u64ch_rx_take_slice_wait(a, l->sink_in, buf, 7, &got)) == STEADY_OK) {
        EXPECT_U64(got, >, 0);
        for (size_t i = 0; i < got; i++) {
            uint64_t want = atomic_fetch_add(&l->received, 1);
            if (buf[i] != want)
                atomic_fetch_add(&l->disorder, 1);
        }
    }
    l->sink_end = e;
    atomic_store(&l->sink_done, 1);
    return 0;
}

static void run_line(enum placement where)
{
    expect_reset();
    steady_graph *g = new_graph("sendwait");
    static line l;
    memset(&l, 0, sizeof l);
    assert_int_equal(u64ch_new(g, "a", CAP, &l.src_out, &l.relay_in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "b", CAP, &l.relay_out, &l.sink_in), STEADY_OK);
    steady_troupe *t = NULL;
    if (where == TROUPE)
        assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "line"}, &t),
                         STEADY_OK);
    steady_actor_opts src = {
        .name = "source", .run = source_run, .arg = &l, .troupe = t, .txs = STEADY_TXS(l.src_out)};
    steady_actor_opts relay = {.name = "relay",
                               .run = relay_run,
                               .arg = &l,
                               .troupe = t,
                               .isolated = where == ISOLATED_RELAY,
                               .txs = STEADY_TXS(l.relay_out),
                               .rxs = STEADY_RXS(l.relay_in)};
    steady_actor_opts sink = {
        .name = "sink", .run = sink_run, .arg = &l, .troupe = t, .rxs = STEADY_RXS(l.sink_in)};
    assert_int_equal(steady_actor_spawn(g, &src, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &relay, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &sink, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &l.sink_done, 1, 60000));
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    assert_no_failed_expectation();
    assert_int_equal(l.source_end, STEADY_OK);
    assert_int_equal(l.sink_end, STEADY_ECLOSED);
    assert_int_equal(atomic_load(&l.received), N);
    assert_int_equal(atomic_load(&l.disorder), 0);
}

static void every_value_once_in_order_solo(void **state)
{
    (void)state;
    run_line(SOLO);
}

static void every_value_once_in_order_in_one_troupe(void **state)
{
    (void)state;
    run_line(TROUPE);
}

static void every_value_once_in_order_with_an_isolated_relay(void **state)
{
    (void)state;
    run_line(ISOLATED_RELAY);
}

/* ---- early returns ------------------------------------------------------------------------- */

typedef struct pair {
    u64ch_tx tx;
    u64ch_rx rx;
    bool close_after_take;    /* the consumer takes 2, then closes its end */
    _Atomic int waiting;      /* the producer reached a full channel */
    _Atomic int producer_end; /* a steady_err; polled by the test thread */
    uint64_t sent;
    steady_err take_end;
    uint64_t take_value;
} pair;

static int filler_run(steady_actor *a, void *arg)
{
    pair *p = arg;
    while (STEADY_RUNNING(a, true)) {
        if (u64ch_tx_vacant(p->tx) == 0)
            atomic_store(&p->waiting, 1);
        steady_err e = u64ch_tx_send_wait(a, p->tx, p->sent + 1);
        if (e == STEADY_OK) {
            p->sent++;
            continue;
        }
        atomic_store(&p->producer_end, (int)e);
        if (e == STEADY_ECLOSED)
            break; /* final: finish */
        /* ESHUTDOWN: the loop's veto (true) ends the actor */
    }
    return 0;
}

static int holder_run(steady_actor *a, void *arg)
{
    pair *p = arg;
    if (p->close_after_take) {
        uint64_t v;
        for (int i = 0; i < 2; i++)
            EXPECT(u64ch_rx_take_wait(a, p->rx, &v) == STEADY_OK);
        while (!atomic_load(&p->waiting)) /* the producer is about to wait on the full channel */
            steady_wait_timeout(a, 1000000);
        steady_wait_timeout(a, 20000000);
        u64ch_rx_close(p->rx);
    }
    /* Stays until the filler has seen how its wait ended: leaving at the shutdown request
     * would close the channel, and CLOSED (which outranks SHUTDOWN) could then end its wait. */
    while (STEADY_RUNNING(a, atomic_load(&p->producer_end) != STEADY_OK))
        steady_wait_timeout(a, STEADY_MS(1));
    return 0;
}

static pair *run_pair(bool close_after_take, bool request_stop)
{
    expect_reset();
    static pair p;
    memset(&p, 0, sizeof p);
    p.close_after_take = close_after_take;
    steady_graph *g = new_graph("early");
    assert_int_equal(u64ch_new(g, "full", CAP, &p.tx, &p.rx), STEADY_OK);
    steady_actor_opts f = {.name = "filler", .run = filler_run, .arg = &p, .txs = STEADY_TXS(p.tx)};
    steady_actor_opts h = {.name = "holder", .run = holder_run, .arg = &p, .rxs = STEADY_RXS(p.rx)};
    assert_int_equal(steady_actor_spawn(g, &f, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &h, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_counter_or_stop(g, &p.waiting, 1, 10000));
    if (close_after_take) {
        uint64_t t0 = now_ns();
        while (atomic_load(&p.producer_end) == STEADY_OK && ms_since(t0) < 10000)
            sleep_ms(2);
    } else {
        sleep_ms(30); /* let the filler block in the wait */
    }
    if (request_stop)
        steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    assert_no_failed_expectation();
    return &p;
}

static void shutdown_ends_a_waiting_send_with_eshutdown(void **state)
{
    (void)state;
    pair *p = run_pair(false, true);
    assert_int_equal(atomic_load(&p->producer_end), STEADY_ESHUTDOWN);
    assert_int_equal(p->sent, CAP); /* what fitted; the waiting one was not sent */
}

static void a_consumer_gone_ends_a_waiting_send_with_eclosed(void **state)
{
    (void)state;
    pair *p = run_pair(true, true);
    assert_int_equal(atomic_load(&p->producer_end), STEADY_ECLOSED);
    assert_int_equal(p->sent, CAP + 2);
}

/* A typed take_wait on a closed, drained channel: ECLOSED and a zero value. */
static int drained_run(steady_actor *a, void *arg)
{
    pair *p = arg;
    p->take_value = 99;
    uint64_t v = 99;
    p->take_end = u64ch_rx_take_wait(a, p->rx, &v);
    p->take_value = v;
    steady_wait_shutdown(a);
    return 0;
}

static int closer_run(steady_actor *a, void *arg)
{
    (void)a;
    pair *p = arg;
    steady_wait_timeout(a, 20000000); /* the taker is waiting by now */
    u64ch_tx_close(p->tx);
    steady_wait_shutdown(a);
    return 0;
}

static void a_take_waiting_on_a_closing_channel_ends_with_eclosed_and_zero(void **state)
{
    (void)state;
    static pair p;
    memset(&p, 0, sizeof p);
    steady_graph *g = new_graph("drained");
    assert_int_equal(u64ch_new(g, "ending", CAP, &p.tx, &p.rx), STEADY_OK);
    steady_actor_opts c = {.name = "closer", .run = closer_run, .arg = &p, .txs = STEADY_TXS(p.tx)};
    steady_actor_opts d = {.name = "taker", .run = drained_run, .arg = &p, .rxs = STEADY_RXS(p.rx)};
    assert_int_equal(steady_actor_spawn(g, &c, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &d, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(60);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    assert_int_equal(p.take_end, STEADY_ECLOSED);
    assert_int_equal(p.take_value, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_value_once_in_order_solo),
        cmocka_unit_test(every_value_once_in_order_in_one_troupe),
        cmocka_unit_test(every_value_once_in_order_with_an_isolated_relay),
        cmocka_unit_test(shutdown_ends_a_waiting_send_with_eshutdown),
        cmocka_unit_test(a_consumer_gone_ends_a_waiting_send_with_eclosed),
        cmocka_unit_test(a_take_waiting_on_a_closing_channel_ends_with_eclosed_and_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
