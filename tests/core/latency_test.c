/* latency_test.c — specification of the latency probe (core/latency.c, steady_inspect_latency
 * in steady/inspect.h): a message's wait from send to take is measured, not estimated.
 *
 * The first two tests build what no estimate from fill and rate can see: a consumer faster than
 * its producer that still takes each message late (it peeks, waits, then takes), so the channel
 * is nearly always empty while every message waits 20 ms; and a mix of 5 ms and 50 ms waits
 * whose median and tail differ tenfold. The third shows the probe's rate limit on a channel at
 * full speed, the fourth the cursor and bad input. SERIAL: the figures are times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "steady_test_support.h"

typedef struct {
    u64ch_tx out;
    uint64_t period_ms, count;
} slow_producer_io;

typedef struct {
    u64ch_rx in;
    uint64_t (*hold_ms)(uint64_t value); /* how long to hold message `value` before taking it */
    _Atomic uint64_t taken;
} late_consumer_io;

static int slow_producer(steady_actor *a, void *arg)
{
    slow_producer_io *io = arg;
    for (uint64_t v = 0; STEADY_RUNNING(a, true) && v < io->count;) {
        if (u64ch_tx_try_send(io->out, v) == STEADY_OK)
            v++;
        steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(io->period_ms)));
    }
    u64ch_tx_close(io->out);
    return 0;
}

/* Peeks the head, holds it hold_ms(value), then takes it. */
static int late_consumer(steady_actor *a, void *arg)
{
    late_consumer_io *io = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)))) {
        if (steady_wait_avail(a, io->in, 1) != STEADY_READY)
            continue;
        if (u64ch_rx_try_peek(io->in, &v) != STEADY_OK)
            continue;
        steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(io->hold_ms(v))));
        if (u64ch_rx_try_take(io->in, &v) == STEADY_OK)
            atomic_fetch_add(&io->taken, 1);
    }
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Nearest-rank percentile of n sorted samples, in ms. */
static double pct_ms(const uint64_t *sorted, size_t n, double p)
{
    size_t r = (size_t)(p * (double)n + 0.999999);
    return (double)sorted[(r ? r : 1) - 1] / 1e6;
}

/* Runs producer -> consumer, collects every sample through steady_inspect_latency while it
 * runs (the cursor way a collector would), and returns them sorted in *out (count). */
static size_t run_and_sample(slow_producer_io *pio, late_consumer_io *cio, uint64_t **out)
{
    steady_graph *g = new_graph("latency");
    assert_int_equal(u64ch_new(g, "held", 64, &pio->out, &cio->in), STEADY_OK);
    steady_actor *p, *c;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "producer",
                                                             .run = slow_producer,
                                                             .arg = pio,
                                                             .txs = STEADY_TXS(pio->out)},
                                        &p),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "consumer",
                                                             .run = late_consumer,
                                                             .arg = cio,
                                                             .rxs = STEADY_RXS(cio->in)},
                                        &c),
                     STEADY_OK);
    uint64_t *all = calloc(pio->count + 64, sizeof *all);
    size_t n = 0;
    uint64_t cursor = 0;
    uint64_t max_inflight = 0;
    steady_channel_info ci;
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (atomic_load(&cio->taken) < pio->count && ms_since(t0) < 30000) {
        sleep_ms(5);
        n += steady_inspect_latency(g, 0, &cursor, all + n, pio->count + 64 - n);
        steady_inspect_channels(g, &ci, 1);
        if (ci.sent_total - ci.taken_total > max_inflight)
            max_inflight = ci.sent_total - ci.taken_total;
    }
    sleep_ms(5);
    n += steady_inspect_latency(g, 0, &cursor, all + n, pio->count + 64 - n);
    assert_int_equal(atomic_load(&cio->taken), pio->count);
    assert_true(max_inflight <= 1); /* nearly empty all along: fill says nothing of the wait */
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    qsort(all, n, sizeof *all, cmp_u64);
    *out = all;
    return n;
}

static uint64_t hold_20(uint64_t v)
{
    (void)v;
    return 20;
}

static void a_message_held_20_ms_in_an_empty_channel_measures_20_ms(void **state)
{
    (void)state;
    slow_producer_io pio = {.period_ms = 30, .count = 30};
    late_consumer_io cio = {.hold_ms = hold_20};
    uint64_t *s;
    size_t n = run_and_sample(&pio, &cio, &s);
    assert_true(n >= 25); /* a slow channel: (nearly) every message is stamped */
    double p50 = pct_ms(s, n, 0.5);
    print_message("20 ms holds: %zu samples, p50 %.2f ms, min %.2f, max %.2f\n", n, p50,
                  (double)s[0] / 1e6, (double)s[n - 1] / 1e6);
    assert_true(p50 >= 15.0 && p50 <= 25.0);
    free(s);
}

/* Every tenth message is held 50 ms, the others 5 ms. */
static uint64_t hold_mixed(uint64_t v)
{
    return v % 10 == 9 ? 50 : 5;
}

static void a_mix_of_5_and_50_ms_shows_both_in_median_and_tail(void **state)
{
    (void)state;
    slow_producer_io pio = {.period_ms = 60, .count = 40};
    late_consumer_io cio = {.hold_ms = hold_mixed};
    uint64_t *s;
    size_t n = run_and_sample(&pio, &cio, &s);
    assert_true(n >= 35);
    double p50 = pct_ms(s, n, 0.5), p99 = pct_ms(s, n, 0.99);
    print_message("5/50 ms holds: %zu samples, p50 %.2f ms, p99 %.2f ms\n", n, p50, p99);
    assert_true(p50 >= 3.75 && p50 <= 6.25);
    assert_true(p99 >= 37.5 && p99 <= 62.5);
    free(s);
}

/* ---- a channel at full speed: stamps about once per millisecond, not per message ---- */

typedef struct {
    u64ch_tx out;
    u64ch_rx in;
    _Atomic uint64_t moved;
} fast_io;

static int fast_producer(steady_actor *a, void *arg)
{
    fast_io *io = arg;
    uint64_t v = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->out))))
        if (steady_wait_vacant(a, io->out, 1) == STEADY_READY)
            while (u64ch_tx_try_send(io->out, v) == STEADY_OK)
                v++;
    return 0;
}

static int fast_consumer(steady_actor *a, void *arg)
{
    fast_io *io = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in))))
        if (steady_wait_avail(a, io->in, 1) == STEADY_READY)
            while (u64ch_rx_try_take(io->in, &v) == STEADY_OK)
                atomic_fetch_add_explicit(&io->moved, 1, memory_order_relaxed);
    return 0;
}

static void a_fast_channel_is_sampled_at_about_a_thousand_stamps_a_second(void **state)
{
    (void)state;
    steady_graph *g = new_graph("fast");
    fast_io io = {0};
    assert_int_equal(u64ch_new(g, "fast", 1024, &io.out, &io.in), STEADY_OK);
    steady_actor *p, *c;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "p",
                                                             .run = fast_producer,
                                                             .arg = &io,
                                                             .txs = STEADY_TXS(io.out)},
                                        &p),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "c",
                                                             .run = fast_consumer,
                                                             .arg = &io,
                                                             .rxs = STEADY_RXS(io.in)},
                                        &c),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(500);
    steady_channel_info ci;
    steady_inspect_channels(g, &ci, 1);
    uint64_t moved = atomic_load(&io.moved);
    /* More than the 64 kept: a cursor at 0 gets the last 64 and moves past all. */
    uint64_t cursor = 0, got[100];
    size_t n = steady_inspect_latency(g, 0, &cursor, got, 100);
    assert_int_equal(n, 64);
    assert_true(cursor >= ci.latency_samples);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    print_message("%llu messages, %llu stamps in 0.5 s\n", (unsigned long long)moved,
                  (unsigned long long)ci.latency_samples);
    assert_true(moved > 100000);
    assert_true(ci.latency_samples > 10);   /* it measures */
    assert_true(ci.latency_samples < 5000); /* about 500 expected: rate-limited, generous */
    assert_true(ci.latency_samples < moved / 20);
}

/* ---- the cursor and bad input ---- */

static void a_cursor_from_the_future_starts_over_and_bad_input_gets_einval(void **state)
{
    (void)state;
    steady_graph *g = new_graph("cursor");
    fast_io io = {0};
    assert_int_equal(u64ch_new(g, "c", 4, &io.out, &io.in), STEADY_OK);
    uint64_t cursor = 0, out[8];
    assert_int_equal(steady_inspect_latency(NULL, 0, &cursor, out, 8), 0);
    assert_last_error_mentions("steady_inspect_latency", "graph is NULL", NULL);
    assert_int_equal(steady_inspect_latency(g, 0, NULL, out, 8), 0);
    assert_last_error_mentions("cursor is NULL", NULL);
    assert_int_equal(steady_inspect_latency(g, 1, &cursor, out, 8), 0);
    assert_last_error_mentions("no channel with that id", NULL);
    assert_int_equal(steady_inspect_latency(g, UINT32_MAX, &cursor, out, 8), 0);
    assert_int_equal(steady_inspect_latency(g, 0, &cursor, NULL, 8), 0);
    assert_last_error_mentions("out_ns is NULL", NULL);
    assert_int_equal(steady_inspect_latency(g, 0, &cursor, NULL, 0), 0); /* nothing yet */
    cursor = UINT64_MAX; /* from the future: starts over */
    assert_int_equal(steady_inspect_latency(g, 0, &cursor, out, 8), 0);
    assert_int_equal(cursor, 0);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_message_held_20_ms_in_an_empty_channel_measures_20_ms),
        cmocka_unit_test(a_mix_of_5_and_50_ms_shows_both_in_median_and_tail),
        cmocka_unit_test(a_fast_channel_is_sampled_at_about_a_thousand_stamps_a_second),
        cmocka_unit_test(a_cursor_from_the_future_starts_over_and_bad_input_gets_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
