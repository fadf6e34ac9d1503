/* batch_test.c — zero-copy batch helpers, the transactional commit, and streaming slice
 * copies: every piece across the wrap, counts clamped, all or nothing, and nothing moved when
 * an actor fails before its commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <steady/steady.h>

#include "steady_test_support.h"

STEADY_CHANNEL_TYPE(u32ch, uint32_t);

typedef struct rgb {
    unsigned char c[3];
} rgb; /* 3-byte elements: streaming copies start and end off 16-byte alignment */
STEADY_CHANNEL_TYPE(rgbch, rgb);

/* Moves the indices so the next region wraps after `at` slots. */
static void rotate(u64ch_tx tx, u64ch_rx rx, uint64_t at)
{
    uint64_t v;
    for (uint64_t i = 0; i < at; i++) {
        assert_int_equal(u64ch_tx_try_send(tx, 0), STEADY_OK);
        assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
    }
}

static void count_up(void *ctx, void *dst, size_t n)
{
    uint64_t *next = ctx, *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (*next)++;
}

static void sum_up(void *ctx, const void *src, size_t n)
{
    uint64_t *sum = ctx;
    const uint64_t *s = src;
    for (size_t i = 0; i < n; i++)
        *sum += s[i];
}

static void halve(void *ctx, const void *src, void *dst, size_t n)
{
    size_t *calls = ctx;
    const uint64_t *s = src;
    uint32_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (uint32_t)(s[i] / 2);
    (*calls)++;
}

static void produce_and_consume_walk_both_spans_across_the_wrap(void **state)
{
    (void)state;
    steady_graph *g = new_graph(NULL);
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "c", 10, &tx, &rx), STEADY_OK); /* 16 slots, bound 10 */
    rotate(tx, rx, 13);
    uint64_t next = 100, sum = 0;

    size_t made = steady_tx_produce(tx.raw, 50, count_up, &next);
    size_t seen = steady_rx_consume(rx.raw, 4, sum_up, &sum);
    size_t rest = steady_rx_consume(rx.raw, 50, sum_up, &sum);

    assert_int_equal(made, 10); /* clamped to the bound, not the 16 slots */
    assert_int_equal(seen, 4);
    assert_int_equal(rest, 6);
    assert_int_equal(sum, 100 + 101 + 102 + 103 + 104 + 105 + 106 + 107 + 108 + 109);
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 13 + 10);
    steady_graph_free(g);
}

static void map_converts_through_three_pieces_between_element_types(void **state)
{
    (void)state;
    steady_graph *g = new_graph(NULL);
    u64ch_tx in_tx;
    u64ch_rx in_rx;
    u32ch_tx out_tx;
    u32ch_rx out_rx;
    assert_int_equal(u64ch_new(g, "in", 16, &in_tx, &in_rx), STEADY_OK);
    assert_int_equal(u32ch_new(g, "out", 16, &out_tx, &out_rx), STEADY_OK);
    rotate(in_tx, in_rx, 12); /* input wraps after 4 */
    uint32_t x;
    for (int i = 0; i < 7; i++) { /* output wraps after 9 */
        assert_int_equal(u32ch_tx_try_send(out_tx, 0), STEADY_OK);
        assert_int_equal(u32ch_rx_try_take(out_rx, &x), STEADY_OK);
    }
    for (uint64_t v = 0; v < 14; v++)
        assert_int_equal(u64ch_tx_try_send(in_tx, 2 * v), STEADY_OK);
    size_t calls = 0;

    size_t n = steady_map(in_rx.raw, out_tx.raw, 100, halve, &calls);

    assert_int_equal(n, 14);
    assert_int_equal(calls, 3); /* [0,4) [4,9) [9,14) */
    for (uint32_t v = 0; v < 14; v++) {
        assert_int_equal(u32ch_rx_try_take(out_rx, &x), STEADY_OK);
        assert_int_equal(x, v);
    }
    assert_int_equal(u64ch_rx_avail(in_rx), 0);
    steady_graph_free(g);
}

static void map_moves_min_of_ready_room_and_max(void **state)
{
    (void)state;
    steady_graph *g = new_graph(NULL);
    u64ch_tx in_tx;
    u64ch_rx in_rx;
    u32ch_tx out_tx;
    u32ch_rx out_rx;
    assert_int_equal(u64ch_new(g, "in", 8, &in_tx, &in_rx), STEADY_OK);
    assert_int_equal(u32ch_new(g, "out", 3, &out_tx, &out_rx), STEADY_OK);
    for (uint64_t v = 0; v < 8; v++)
        u64ch_tx_try_send(in_tx, v);
    size_t calls = 0;

    assert_int_equal(steady_map(in_rx.raw, out_tx.raw, 2, halve, &calls), 2);   /* max */
    assert_int_equal(steady_map(in_rx.raw, out_tx.raw, 100, halve, &calls), 1); /* room */
    assert_int_equal(steady_map(in_rx.raw, out_tx.raw, 100, halve, &calls), 0); /* full */

    assert_int_equal(u64ch_rx_avail(in_rx), 5);
    steady_graph_free(g);
}

static void commit_is_all_or_nothing(void **state)
{
    (void)state;
    steady_graph *g = new_graph(NULL);
    u64ch_tx a_tx, b_tx, o_tx;
    u64ch_rx a_rx, b_rx, o_rx;
    assert_int_equal(u64ch_new(g, "a", 8, &a_tx, &a_rx), STEADY_OK);
    assert_int_equal(u64ch_new(g, "b", 8, &b_tx, &b_rx), STEADY_OK);
    assert_int_equal(u64ch_new(g, "o", 8, &o_tx, &o_rx), STEADY_OK);
    for (uint64_t v = 0; v < 3; v++) {
        u64ch_tx_try_send(a_tx, v);
        u64ch_tx_try_send(b_tx, v);
    }
    steady_rx *rxs[2] = {a_rx.raw, b_rx.raw};
    steady_tx *txs[1] = {o_tx.raw};
    u64ch_span out = u64ch_tx_poke_slice(o_tx);
    out.a[0] = 7;
    out.a[1] = 8;

    size_t too_many[2] = {2, 4}, sends[1] = {2};
    assert_int_equal(steady_commit(rxs, too_many, 2, txs, sends, 1), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "'b'"));
    assert_int_equal(u64ch_rx_avail(a_rx), 3); /* nothing moved */
    assert_int_equal(u64ch_rx_avail(o_rx), 0);

    size_t takes[2] = {2, 1};
    assert_int_equal(steady_commit(rxs, takes, 2, txs, sends, 1), STEADY_OK);

    assert_int_equal(u64ch_rx_avail(a_rx), 1);
    assert_int_equal(u64ch_rx_avail(b_rx), 2);
    uint64_t v;
    assert_int_equal(u64ch_rx_try_take(o_rx, &v), STEADY_OK);
    assert_int_equal(v, 7);
    assert_int_equal(u64ch_rx_try_take(o_rx, &v), STEADY_OK);
    assert_int_equal(v, 8);
    steady_graph_free(g);
}

static void nontemporal_slices_arrive_intact_at_every_alignment(void **state)
{
    (void)state;
    steady_graph *g = new_graph(NULL);
    rgbch_tx tx;
    rgbch_rx rx;
    assert_int_equal(rgbch_new(g, "pixels", 1000, &tx, &rx), STEADY_OK);
    steady_tx_set_nontemporal(tx.raw, 1); /* every copy streams */
    rgb src[700], dst[700];
    unsigned seed = 1;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)(round * 37 % 700);
        for (size_t i = 0; i < n; i++)
            for (int c = 0; c < 3; c++)
                src[i].c[c] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 16);
        size_t sent = rgbch_tx_send_slice(tx, src, n);
        size_t got = rgbch_rx_take_slice(rx, dst, n);
        assert_int_equal(sent, n);
        assert_int_equal(got, n);
        assert_memory_equal(src, dst, n * sizeof(rgb));
    }
    steady_graph_free(g);
}

/* ---- peek before commit, with a real actor failing mid-batch ---- */

typedef struct failing_io {
    u64ch_rx in;
    u32ch_tx out;
} failing_io;

static void fail_midway(void *ctx, const void *src, void *dst, size_t n)
{
    failing_io *io = ctx;
    uint32_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = 1; /* written in place, never published */
    (void)src;
    /* A misuse fails the actor right here, inside the batch, before the commit. */
    steady_wait(steady_actor_current(), STEADY_WAIT_ALL, NULL, 0);
    (void)io;
}

static int mapper(steady_actor *a, void *arg)
{
    failing_io *io = arg;
    if (steady_wait_avail(a, io->in, 5) == STEADY_READY)
        steady_map(io->in.raw, io->out.raw, 5, fail_midway, io);
    return 0;
}

static int idle_reader(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void failure_before_the_commit_moves_nothing(void **state)
{
    (void)state;
    steady_graph *g = new_graph_no_restart(NULL);
    failing_io io;
    u64ch_tx feed;
    u32ch_rx sink;
    assert_int_equal(u64ch_new(g, "in", 8, &feed, &io.in), STEADY_OK);
    assert_int_equal(u32ch_new(g, "out", 8, &io.out, &sink), STEADY_OK);
    for (uint64_t v = 0; v < 5; v++)
        assert_int_equal(u64ch_tx_try_send(feed, v), STEADY_OK); /* before start: no owner yet */
    steady_actor_spawn(
        g, &(steady_actor_opts){.name = "feeder", .run = idle_reader, .txs = STEADY_TXS(feed)},
        NULL);
    steady_actor_spawn(g,
                       &(steady_actor_opts){.name = "mapper",
                                            .run = mapper,
                                            .arg = &io,
                                            .rxs = STEADY_RXS(io.in),
                                            .txs = STEADY_TXS(io.out)},
                       NULL);
    steady_actor_spawn(
        g, &(steady_actor_opts){.name = "sink", .run = idle_reader, .rxs = STEADY_RXS(sink)}, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_EDEGRADED);

    assert_int_equal(steady_channel_taken_total(steady_rx_channel(io.in.raw)), 0);
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(io.out.raw)), 0);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(produce_and_consume_walk_both_spans_across_the_wrap),
        cmocka_unit_test(map_converts_through_three_pieces_between_element_types),
        cmocka_unit_test(map_moves_min_of_ready_room_and_max),
        cmocka_unit_test(commit_is_all_or_nothing),
        cmocka_unit_test(nontemporal_slices_arrive_intact_at_every_alignment),
        cmocka_unit_test(failure_before_the_commit_moves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
