/*
 * channel_test.c: specification of steady/channel.h (bounded SPSC channels).
 *
 * Every test builds a graph and never starts it: its channel ends belong to no actor, so the
 * test thread (no current actor) may use them directly, one thread per end at a time. The
 * graph frees the channels.
 *
 * "Across the wrap" below means the region starts near the end of the ring's slots and
 * continues at slot 0; tests get there by moving a few elements through the channel first.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/internal.h" /* white box: only steady_graph.state, to fake a started graph */
#include "steady/steady.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct point {
    uint32_t a;
    double b;
} point;
STEADY_CHANNEL_TYPE(pointch, point);

typedef struct blob {
    unsigned char bytes[200];
} blob;
_Static_assert(sizeof(blob) == 200, "blob is the 200-byte element of big_elements_round_trip");
STEADY_CHANNEL_TYPE(blobch, blob);

/* ---- fixture ------------------------------------------------------------------------------ */

static int graph_setup(void **state)
{
    steady_graph *g = NULL;
    steady_graph_opts o = {.name = "channel_test", .no_signal_handlers = true};
    if (steady_graph_new(&g, &o) != STEADY_OK)
        return -1;
    *state = g;
    return 0;
}

static int graph_teardown(void **state)
{
    steady_graph_free(*state);
    return 0;
}

static void new_u64(void **state, uint64_t capacity, u64ch_tx *tx, u64ch_rx *rx)
{
    assert_int_equal(u64ch_new(*state, "u64", capacity, tx, rx), STEADY_OK);
}

/* Sends and takes `n` elements (values base..base+n-1) so the next index is n further on. */
static void move_through(u64ch_tx tx, u64ch_rx rx, uint64_t n, uint64_t base)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = 0;
        assert_int_equal(u64ch_tx_try_send(tx, base + i), STEADY_OK);
        assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
        assert_int_equal(v, base + i);
    }
}

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(0x2545F4914F6CDD1D);
}

/* ---- full, empty and the exact bound ------------------------------------------------------- */

static void full_channel_returns_message_to_sender(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 2, &tx, &rx);
    assert_int_equal(u64ch_tx_try_send(tx, 10), STEADY_OK);
    assert_int_equal(u64ch_tx_try_send(tx, 11), STEADY_OK);

    uint64_t msg = 12;
    steady_err raw = steady_tx_try_send(tx.raw, &msg);
    steady_err typed = u64ch_tx_try_send(tx, 12);

    assert_int_equal(raw, STEADY_EFULL);
    assert_int_equal(typed, STEADY_EFULL);
    assert_int_equal(msg, 12); /* still the caller's, intact */
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx.raw)), 2);
    uint64_t v = 0;
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
    assert_int_equal(v, 10);
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
    assert_int_equal(v, 11);
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_EEMPTY); /* 12 never entered */
    /* Once room is made, the same message goes through. */
    assert_int_equal(steady_tx_try_send(tx.raw, &msg), STEADY_OK);
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
    assert_int_equal(v, 12);
}

static void empty_channel_take_and_peek_return_eempty(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 4, &tx, &rx);
    uint64_t out = 0;

    steady_err typed_take = u64ch_rx_try_take(rx, &out);
    steady_err typed_peek = u64ch_rx_try_peek(rx, &out);
    steady_err raw_take = steady_rx_try_take(rx.raw, &out);
    steady_err raw_peek = steady_rx_try_peek(rx.raw, &out);

    assert_int_equal(typed_take, STEADY_EEMPTY);
    assert_int_equal(typed_peek, STEADY_EEMPTY);
    assert_int_equal(raw_take, STEADY_EEMPTY);
    assert_int_equal(raw_peek, STEADY_EEMPTY);
    assert_int_equal(u64ch_rx_avail(rx), 0);
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 0);
    /* Empty again after a round trip. */
    move_through(tx, rx, 3, 100);
    assert_int_equal(u64ch_rx_try_take(rx, &out), STEADY_EEMPTY);
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 3);
}

/* The untyped calls copy out only on success; the typed try_take and try_peek write a zero T
 * on failure (documented in channel.h), so callers never read an indeterminate value. */
static void failed_raw_take_and_peek_leave_the_buffer_untouched(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 1, &tx, &rx);
    uint64_t out = 0xdeadbeef;

    assert_int_equal(steady_rx_try_take(rx.raw, &out), STEADY_EEMPTY);
    assert_int_equal(steady_rx_try_peek(rx.raw, &out), STEADY_EEMPTY);
    assert_true(u64ch_tx_close(tx));
    assert_int_equal(steady_rx_try_take(rx.raw, &out), STEADY_ECLOSED);

    assert_int_equal(out, 0xdeadbeef);
}

static void failed_typed_take_and_peek_write_zero(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 1, &tx, &rx);
    uint64_t taken = 0xdeadbeef, peeked = 0xdeadbeef;

    assert_int_equal(u64ch_rx_try_take(rx, &taken), STEADY_EEMPTY);
    assert_int_equal(u64ch_rx_try_peek(rx, &peeked), STEADY_EEMPTY);

    assert_int_equal(taken, 0);
    assert_int_equal(peeked, 0);
}

/* Exactly `cap` sends succeed and the next is EFULL, at the start and again after the indices
 * have wrapped the ring. */
static void check_exact_bound(void **state, uint64_t cap)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, cap, &tx, &rx);
    assert_int_equal(u64ch_tx_capacity(tx), cap);
    assert_int_equal(u64ch_rx_capacity(rx), cap);
    assert_int_equal(steady_channel_capacity(steady_tx_channel(tx.raw)), cap);

    for (int round = 0; round < 3; round++) {
        assert_int_equal(u64ch_tx_vacant(tx), cap);
        for (uint64_t i = 0; i < cap; i++)
            assert_int_equal(u64ch_tx_try_send(tx, i), STEADY_OK);
        assert_int_equal(u64ch_tx_try_send(tx, cap), STEADY_EFULL);
        assert_int_equal(u64ch_tx_vacant(tx), 0);
        assert_int_equal(u64ch_rx_avail(rx), cap);
        /* One out makes room for exactly one in. */
        uint64_t v = 0;
        assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
        assert_int_equal(v, 0);
        assert_int_equal(u64ch_tx_try_send(tx, cap), STEADY_OK);
        assert_int_equal(u64ch_tx_try_send(tx, cap + 1), STEADY_EFULL);
        for (uint64_t i = 1; i <= cap; i++) {
            assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
            assert_int_equal(v, i);
        }
        assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_EEMPTY);
        /* Shift the start so the next round's fill crosses the end of the slots. */
        move_through(tx, rx, cap / 2 + 1, 0);
    }
}

static void capacity_1_holds_exactly_1(void **state)
{
    check_exact_bound(state, 1);
}
static void capacity_3_holds_exactly_3(void **state)
{
    check_exact_bound(state, 3);
}
static void capacity_1000_holds_exactly_1000(void **state)
{
    check_exact_bound(state, 1000);
}
static void capacity_1025_holds_exactly_1025(void **state)
{
    check_exact_bound(state, 1025);
}

/* ---- creation errors ----------------------------------------------------------------------- */

static void capacity_zero_is_rejected_naming_channel_and_fix(void **state)
{
    steady_tx *tx = NULL;
    steady_rx *rx = NULL;
    steady_channel_opts o = {.name = "zero-cap", .capacity = 0, .elem_size = 8};

    steady_err e = steady_channel_new(*state, &o, &tx, &rx);

    assert_int_equal(e, STEADY_EINVAL);
    assert_null(tx);
    assert_null(rx);
    assert_non_null(strstr(steady_last_error(), "zero-cap"));
    assert_non_null(strstr(steady_last_error(), "capacity of at least 1"));
}

static void element_size_zero_is_rejected_naming_channel_and_fix(void **state)
{
    steady_tx *tx = NULL;
    steady_rx *rx = NULL;
    steady_channel_opts o = {.name = "zero-elem", .capacity = 4, .elem_size = 0};

    steady_err e = steady_channel_new(*state, &o, &tx, &rx);

    assert_int_equal(e, STEADY_EINVAL);
    assert_null(tx);
    assert_null(rx);
    assert_non_null(strstr(steady_last_error(), "zero-elem"));
    assert_non_null(strstr(steady_last_error(), "sizeof"));
}

static void null_out_parameters_are_rejected(void **state)
{
    steady_tx *tx = NULL;
    steady_rx *rx = NULL;
    steady_channel_opts o = {.name = "nulls", .capacity = 4, .elem_size = 8};

    assert_int_equal(steady_channel_new(*state, &o, NULL, &rx), STEADY_EINVAL);
    assert_int_equal(steady_channel_new(*state, &o, &tx, NULL), STEADY_EINVAL);
    assert_int_equal(steady_channel_new(*state, NULL, &tx, &rx), STEADY_EINVAL);
    assert_int_equal(steady_channel_new(NULL, &o, &tx, &rx), STEADY_EINVAL);
    assert_null(tx);
    assert_null(rx);
}

static void unnamed_channel_gets_a_numbered_name(void **state)
{
    steady_tx *tx0, *tx1;
    steady_rx *rx0, *rx1;
    steady_channel_opts named = {.name = "first", .capacity = 1, .elem_size = 1};
    steady_channel_opts unnamed = {.name = NULL, .capacity = 1, .elem_size = 1};

    assert_int_equal(steady_channel_new(*state, &named, &tx0, &rx0), STEADY_OK);
    assert_int_equal(steady_channel_new(*state, &unnamed, &tx1, &rx1), STEADY_OK);

    assert_string_equal(steady_channel_name(steady_tx_channel(tx0)), "first");
    assert_string_equal(steady_channel_name(steady_tx_channel(tx1)), "channel-1");
    assert_ptr_equal(steady_tx_channel(tx1), steady_rx_channel(rx1));
}

static void oversized_channel_is_rejected_naming_channel(void **state)
{
    steady_tx *tx = NULL;
    steady_rx *rx = NULL;
    steady_channel_opts too_many = {.name = "huge", .capacity = UINT64_C(1) << 41, .elem_size = 1};
    steady_channel_opts too_big = {
        .name = "wide", .capacity = UINT64_C(1) << 40, .elem_size = UINT32_MAX};

    steady_err many = steady_channel_new(*state, &too_many, &tx, &rx);
    bool many_named = strstr(steady_last_error(), "huge") != NULL;
    steady_err big = steady_channel_new(*state, &too_big, &tx, &rx);
    bool big_named = strstr(steady_last_error(), "wide") != NULL;

    assert_int_equal(many, STEADY_EINVAL);
    assert_true(many_named);
    assert_int_equal(big, STEADY_EINVAL);
    assert_true(big_named);
    assert_null(tx);
    assert_null(rx);
}

static void channel_new_after_start_is_rejected_with_estate(void **state)
{
    steady_graph *g = *state;
    steady_tx *tx = NULL;
    steady_rx *rx = NULL;
    steady_channel_opts o = {.name = "late", .capacity = 4, .elem_size = 8};
    atomic_store_explicit(&g->state, STEADY_GRAPH_RUNNING, memory_order_relaxed);

    steady_err e = steady_channel_new(g, &o, &tx, &rx);

    atomic_store_explicit(&g->state, STEADY_GRAPH_BUILDING, memory_order_relaxed);
    assert_int_equal(e, STEADY_ESTATE);
    assert_non_null(strstr(steady_last_error(), "late"));
    assert_non_null(strstr(steady_last_error(), "before steady_graph_start"));
    assert_null(tx);
    assert_null(rx);
}

/* An allocator that, while *ctx is true, refuses cache-line-aligned blocks bigger than a
 * ring header: channel rings (the graph and channel records are smaller). */
static void *ring_refusing_alloc(void *ctx, size_t size, size_t align)
{
    void *p = NULL;
    if (*(bool *)ctx && align == STEADY_CACHE_LINE && size > sizeof(steady_ring))
        return NULL;
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

static void plain_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

/* Under ASan this also checks that the half-built channel (record, name) is freed. */
static void out_of_memory_is_reported_and_the_graph_stays_usable(void **state)
{
    (void)state;
    bool refuse = false;
    steady_set_allocator(&(steady_allocator){ring_refusing_alloc, plain_free, &refuse});
    steady_graph *g = NULL;
    steady_graph_opts go = {.no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    u64ch_tx tx = {NULL};
    u64ch_rx rx = {NULL};

    refuse = true;
    steady_err e = u64ch_new(g, "starved", 1000, &tx, &rx);
    bool named = strstr(steady_last_error(), "starved") != NULL;
    refuse = false;
    steady_err later = u64ch_new(g, "fed", 2, &tx, &rx);

    assert_int_equal(e, STEADY_ENOMEM);
    assert_true(named);
    assert_int_equal(later, STEADY_OK);
    uint64_t v = 0;
    assert_int_equal(u64ch_tx_try_send(tx, 42), STEADY_OK);
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
    assert_int_equal(v, 42);
    steady_graph_free(g);
    steady_set_allocator(NULL);
}

/* ---- order --------------------------------------------------------------------------------- */

/* Random interleavings of sends and takes against a model (next value to send / to take),
 * moving `laps` times the ring's slot count through the channel. */
static void check_fifo_with_wraps(void **state, uint64_t cap, uint64_t laps)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, cap, &tx, &rx);
    uint64_t slots = tx.raw->ring->slots;
    uint64_t sent = 0, taken = 0, seed = 0x9e3779b97f4a7c15u ^ cap;

    while (taken < laps * slots) {
        uint64_t burst = next_rand(&seed) % (cap + 1);
        for (uint64_t i = 0; i < burst; i++) {
            steady_err e = u64ch_tx_try_send(tx, sent);
            assert_int_equal(e, sent - taken < cap ? STEADY_OK : STEADY_EFULL);
            if (e == STEADY_OK)
                sent++;
        }
        burst = next_rand(&seed) % (cap + 1);
        for (uint64_t i = 0; i < burst; i++) {
            uint64_t v = UINT64_MAX;
            steady_err e = u64ch_rx_try_take(rx, &v);
            assert_int_equal(e, taken < sent ? STEADY_OK : STEADY_EEMPTY);
            if (e == STEADY_OK)
                assert_int_equal(v, taken++);
        }
        assert_int_equal(u64ch_rx_avail(rx), sent - taken);
        assert_int_equal(u64ch_tx_vacant(tx), cap - (sent - taken));
    }
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx.raw)), sent);
    assert_int_equal(steady_channel_taken_total(steady_tx_channel(tx.raw)), taken);
}

static void fifo_order_survives_many_wraps_capacity_3(void **state)
{
    check_fifo_with_wraps(state, 3, 10000);
}

static void fifo_order_survives_many_wraps_capacity_1000(void **state)
{
    check_fifo_with_wraps(state, 1000, 200);
}

static void try_peek_does_not_consume(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 4, &tx, &rx);
    assert_int_equal(u64ch_tx_try_send(tx, 7), STEADY_OK);
    assert_int_equal(u64ch_tx_try_send(tx, 8), STEADY_OK);
    uint64_t a = 0, b = 0, c = 0;

    assert_int_equal(u64ch_rx_try_peek(rx, &a), STEADY_OK);
    assert_int_equal(steady_rx_try_peek(rx.raw, &b), STEADY_OK);

    assert_int_equal(a, 7);
    assert_int_equal(b, 7);
    assert_int_equal(u64ch_rx_avail(rx), 2);
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 0);
    assert_int_equal(u64ch_rx_try_take(rx, &c), STEADY_OK);
    assert_int_equal(c, 7);
    assert_int_equal(u64ch_rx_try_peek(rx, &c), STEADY_OK);
    assert_int_equal(c, 8);
}

/* ---- slices -------------------------------------------------------------------------------- */

/* Capacity 5 on 8 slots, started at index 6: every region below crosses the wrap. */
static void send_slice_moves_min_of_n_and_room_across_wrap(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 5, &tx, &rx);
    assert_int_equal(tx.raw->ring->slots, 8);
    move_through(tx, rx, 6, 0);
    uint64_t src[10];
    for (uint64_t i = 0; i < 10; i++)
        src[i] = 100 + i;

    assert_int_equal(u64ch_tx_send_slice(tx, src, 0), 0);
    assert_int_equal(u64ch_tx_send_slice(tx, src, 2), 2);      /* room 5: all 2 */
    assert_int_equal(u64ch_tx_send_slice(tx, src + 2, 10), 3); /* room 3: 3 of 10 */
    assert_int_equal(u64ch_tx_send_slice(tx, src + 5, 1), 0);  /* full */

    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx.raw)), 6 + 5);
    uint64_t v = 0;
    for (uint64_t i = 0; i < 5; i++) {
        assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
        assert_int_equal(v, 100 + i);
    }
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_EEMPTY);
}

static void take_slice_moves_min_of_n_and_avail_across_wrap(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 5, &tx, &rx);
    move_through(tx, rx, 6, 0);
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(u64ch_tx_try_send(tx, 200 + i), STEADY_OK);
    uint64_t dst[10];
    memset(dst, 0xff, sizeof dst);

    assert_int_equal(u64ch_rx_take_slice(rx, dst, 0), 0);
    size_t first = u64ch_rx_take_slice(rx, dst, 1);
    size_t rest = u64ch_rx_take_slice(rx, dst + 1, 10);
    size_t after = u64ch_rx_take_slice(rx, dst + 5, 10);

    assert_int_equal(first, 1);
    assert_int_equal(rest, 3);
    assert_int_equal(after, 0);
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(dst[i], 200 + i);
    assert_int_equal(dst[4], UINT64_MAX); /* nothing written past the count */
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 6 + 4);
}

static void peek_slice_copy_copies_without_consuming_across_wrap(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 5, &tx, &rx);
    move_through(tx, rx, 7, 0);
    for (uint64_t i = 0; i < 5; i++)
        assert_int_equal(u64ch_tx_try_send(tx, 300 + i), STEADY_OK);
    uint64_t a[8], b[8];
    memset(a, 0xff, sizeof a);
    memset(b, 0xff, sizeof b);

    size_t some = u64ch_rx_peek_slice_copy(rx, a, 3);
    size_t all = steady_rx_peek_slice_copy(rx.raw, b, 8);

    assert_int_equal(some, 3);
    assert_int_equal(all, 5);
    for (uint64_t i = 0; i < 5; i++) {
        assert_int_equal(b[i], 300 + i);
        if (i < 3)
            assert_int_equal(a[i], 300 + i);
    }
    assert_int_equal(a[3], UINT64_MAX);
    assert_int_equal(b[5], UINT64_MAX);
    assert_int_equal(u64ch_rx_avail(rx), 5);
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 7);
    assert_int_equal(u64ch_rx_peek_slice_copy(rx, a, 0), 0);
}

/* ---- zero-copy spans ----------------------------------------------------------------------- */

static void empty_channel_has_empty_read_span_and_full_one_has_empty_write_span(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 2, &tx, &rx);

    u64ch_span r = u64ch_rx_peek_slice(rx);
    assert_int_equal(u64ch_tx_send_slice(tx, (uint64_t[]){1, 2}, 2), 2);
    u64ch_span w = u64ch_tx_poke_slice(tx);

    assert_int_equal(r.a_len + r.b_len, 0);
    assert_null(r.a);
    assert_null(r.b);
    assert_int_equal(w.a_len + w.b_len, 0);
    assert_null(w.a);
    assert_null(w.b);
}

/* The write span offers exactly the room left under the capacity, not the ring's slots. */
static void poke_slice_offers_capacity_not_ring_size(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 6, &tx, &rx);
    assert_int_equal(tx.raw->ring->slots, 8);

    u64ch_span w = u64ch_tx_poke_slice(tx);

    assert_int_equal(w.a_len, 6);
    assert_int_equal(w.b_len, 0);
    assert_ptr_equal(w.a, (uint64_t *)(void *)tx.raw->slots);
}

static void spans_split_in_two_across_the_wrap(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 8, &tx, &rx);
    move_through(tx, rx, 5, 0);
    uint64_t *slot0 = (uint64_t *)(void *)tx.raw->slots;

    u64ch_span w = u64ch_tx_poke_slice(tx);
    assert_ptr_equal(w.a, slot0 + 5);
    assert_int_equal(w.a_len, 3);
    assert_ptr_equal(w.b, slot0);
    assert_int_equal(w.b_len, 5);
    for (size_t i = 0; i < w.a_len; i++)
        w.a[i] = 500 + i;
    for (size_t i = 0; i < w.b_len; i++)
        w.b[i] = 500 + w.a_len + i;
    assert_int_equal(u64ch_rx_avail(rx), 0); /* written, not yet published */
    assert_int_equal(u64ch_tx_advance_send(tx, 8), 8);

    u64ch_span r = u64ch_rx_peek_slice(rx);
    assert_ptr_equal(r.a, slot0 + 5);
    assert_int_equal(r.a_len, 3);
    assert_ptr_equal(r.b, slot0);
    assert_int_equal(r.b_len, 5);
    for (size_t i = 0; i < r.a_len; i++)
        assert_int_equal(r.a[i], 500 + i);
    for (size_t i = 0; i < r.b_len; i++)
        assert_int_equal(r.b[i], 503 + i);

    /* Consuming part of it leaves the rest as the next read span. */
    assert_int_equal(u64ch_rx_advance_take(rx, 4), 4);
    r = u64ch_rx_peek_slice(rx);
    assert_ptr_equal(r.a, slot0 + 1);
    assert_int_equal(r.a_len, 4);
    assert_int_equal(r.b_len, 0);
    assert_null(r.b);
    assert_int_equal(r.a[0], 504);
}

static void advance_send_commits_exactly_min_of_n_and_room(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 5, &tx, &rx);
    assert_int_equal(u64ch_tx_try_send(tx, 1), STEADY_OK);
    assert_int_equal(u64ch_tx_try_send(tx, 2), STEADY_OK);

    size_t zero = u64ch_tx_advance_send(tx, 0);
    size_t two = u64ch_tx_advance_send(tx, 2);
    size_t clamped = u64ch_tx_advance_send(tx, 100);
    size_t none = u64ch_tx_advance_send(tx, 1);

    assert_int_equal(zero, 0);
    assert_int_equal(two, 2);
    assert_int_equal(clamped, 1);
    assert_int_equal(none, 0);
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx.raw)), 5);
    assert_int_equal(u64ch_rx_avail(rx), 5);
}

static void advance_take_commits_exactly_min_of_n_and_avail(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 5, &tx, &rx);
    assert_int_equal(u64ch_tx_send_slice(tx, (uint64_t[]){1, 2, 3, 4}, 4), 4);

    size_t zero = u64ch_rx_advance_take(rx, 0);
    size_t one = u64ch_rx_advance_take(rx, 1);
    size_t clamped = u64ch_rx_advance_take(rx, 100);
    size_t none = u64ch_rx_advance_take(rx, 1);

    assert_int_equal(zero, 0);
    assert_int_equal(one, 1);
    assert_int_equal(clamped, 3);
    assert_int_equal(none, 0);
    assert_int_equal(steady_channel_taken_total(steady_rx_channel(rx.raw)), 4);
    assert_int_equal(u64ch_tx_vacant(tx), 5);
}

/* ---- close --------------------------------------------------------------------------------- */

static void tx_close_is_idempotent_and_returns_true(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 2, &tx, &rx);

    bool first = u64ch_tx_close(tx);
    bool second = u64ch_tx_close(tx);
    bool raw = steady_tx_close(tx.raw);

    assert_true(first);
    assert_true(second);
    assert_true(raw);
    assert_true(u64ch_rx_is_closed(rx));
    assert_false(u64ch_tx_is_closed(tx)); /* that is the consumer's close */
}

static void after_tx_close_consumer_drains_then_sees_closed(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 4, &tx, &rx);
    assert_int_equal(u64ch_tx_send_slice(tx, (uint64_t[]){1, 2, 3}, 3), 3);

    assert_true(u64ch_tx_close(tx));

    assert_true(u64ch_rx_is_closed(rx));
    uint64_t v = 0;
    for (uint64_t i = 1; i <= 3; i++) {
        assert_false(u64ch_rx_is_closed_and_empty(rx));
        assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
        assert_int_equal(v, i);
    }
    assert_true(u64ch_rx_is_closed_and_empty(rx));
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_ECLOSED);
    assert_int_equal(u64ch_rx_try_peek(rx, &v), STEADY_ECLOSED);
    assert_int_equal(steady_rx_try_take(rx.raw, &v), STEADY_ECLOSED);
    assert_int_equal(u64ch_rx_take_slice(rx, &v, 1), 0);
}

static void after_tx_close_slices_and_spans_drain_the_remainder(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 4, &tx, &rx);
    move_through(tx, rx, 3, 0);
    assert_int_equal(u64ch_tx_send_slice(tx, (uint64_t[]){1, 2, 3, 4}, 4), 4);
    assert_true(u64ch_tx_close(tx));
    uint64_t dst[4] = {0};

    size_t taken = u64ch_rx_take_slice(rx, dst, 2);
    u64ch_span r = u64ch_rx_peek_slice(rx);

    assert_int_equal(taken, 2);
    assert_int_equal(dst[0], 1);
    assert_int_equal(dst[1], 2);
    assert_int_equal(r.a_len + r.b_len, 2);
    assert_int_equal(r.a[0], 3);
    assert_false(u64ch_rx_is_closed_and_empty(rx));
    assert_int_equal(u64ch_rx_advance_take(rx, 5), 2);
    assert_true(u64ch_rx_is_closed_and_empty(rx));
}

static void rx_close_makes_producer_see_closed(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 4, &tx, &rx);
    assert_int_equal(u64ch_tx_try_send(tx, 1), STEADY_OK);
    assert_false(steady_tx_is_closed(tx.raw));

    assert_true(u64ch_rx_close(rx));
    assert_true(u64ch_rx_close(rx)); /* idempotent */

    assert_true(steady_tx_is_closed(tx.raw));
    assert_true(u64ch_tx_is_closed(tx));
    uint64_t msg = 2;
    assert_int_equal(steady_tx_try_send(tx.raw, &msg), STEADY_ECLOSED);
    assert_int_equal(u64ch_tx_try_send(tx, 2), STEADY_ECLOSED);
    assert_int_equal(u64ch_tx_send_slice(tx, &msg, 1), 0);
    u64ch_span w = u64ch_tx_poke_slice(tx);
    assert_int_equal(w.a_len + w.b_len, 0);
    assert_int_equal(u64ch_tx_advance_send(tx, 1), 0);
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx.raw)), 1);
}

static void full_channel_with_closed_consumer_reports_closed_not_full(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 1, &tx, &rx);
    assert_int_equal(u64ch_tx_try_send(tx, 1), STEADY_OK);
    assert_int_equal(u64ch_tx_try_send(tx, 2), STEADY_EFULL);

    assert_true(u64ch_rx_close(rx));

    assert_int_equal(u64ch_tx_try_send(tx, 2), STEADY_ECLOSED);
}

typedef struct late_send {
    steady_tx *tx;
    steady_err err;
    bool detail_names_channel; /* steady_last_error() is per thread: read it on this one */
} late_send;

static void *send_after_own_close(void *arg)
{
    late_send *ls = arg;
    uint64_t msg = 9;
    ls->err = steady_tx_try_send(ls->tx, &msg);
    ls->detail_names_channel = strstr(steady_last_error(), "after-close") != NULL;
    return NULL;
}

static void send_after_own_close_from_plain_thread_returns_closed(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(*state, "after-close", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(u64ch_tx_try_send(tx, 1), STEADY_OK);
    assert_true(u64ch_tx_close(tx));
    pthread_t t;
    late_send other = {.tx = tx.raw, .err = STEADY_OK};

    steady_err here = u64ch_tx_try_send(tx, 2);
    assert_int_equal(pthread_create(&t, NULL, send_after_own_close, &other), 0);
    assert_int_equal(pthread_join(t, NULL), 0);

    assert_int_equal(here, STEADY_ECLOSED);
    assert_non_null(strstr(steady_last_error(), "after-close"));
    assert_non_null(strstr(steady_last_error(), "closed"));
    assert_int_equal(other.err, STEADY_ECLOSED);
    assert_true(other.detail_names_channel);
    assert_int_equal(u64ch_tx_send_slice(tx, (uint64_t[]){3}, 1), 0);
    assert_int_equal(u64ch_tx_advance_send(tx, 1), 0);
    assert_int_equal(steady_channel_sent_total(steady_tx_channel(tx.raw)), 1);
    uint64_t v = 0;
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK); /* what was sent still arrives */
    assert_int_equal(v, 1);
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_ECLOSED);
}

static void take_after_own_rx_close_returns_closed(void **state)
{
    u64ch_tx tx;
    u64ch_rx rx;
    new_u64(state, 4, &tx, &rx);
    assert_int_equal(u64ch_tx_try_send(tx, 1), STEADY_OK);
    assert_true(u64ch_rx_close(rx));
    uint64_t v = 0;

    steady_err take = u64ch_rx_try_take(rx, &v);
    steady_err peek = u64ch_rx_try_peek(rx, &v);
    size_t slice = u64ch_rx_take_slice(rx, &v, 1);
    u64ch_span r = u64ch_rx_peek_slice(rx);

    assert_int_equal(take, STEADY_ECLOSED);
    assert_int_equal(peek, STEADY_ECLOSED);
    assert_int_equal(slice, 0);
    assert_int_equal(r.a_len + r.b_len, 0);
    assert_int_equal(v, 0);
}

/* ---- totals -------------------------------------------------------------------------------- */

enum { TOTALS_N = 200000, TOTALS_CAP = 64 };

typedef struct totals_run {
    u64ch_tx tx;
    const steady_channel *ch;
    _Atomic int done;
    /* observer's findings */
    uint64_t samples;
    bool went_back, taken_above_sent, sent_above_taken_plus_cap;
} totals_run;

static void *totals_producer(void *arg)
{
    totals_run *r = arg;
    for (uint64_t i = 0; i < TOTALS_N;)
        if (u64ch_tx_try_send(r->tx, i) == STEADY_OK)
            i++;
        else
            sched_yield();
    return NULL;
}

/* Reads the totals in the order taken, sent, taken. Each acquire fence after a relaxed read
 * pairs with the release store of that index (steady__rx_release / steady__tx_publish), so the
 * later read sees at least what that side had seen: taken1 <= sent <= taken2 + capacity. */
static void *totals_observer(void *arg)
{
    totals_run *r = arg;
    uint64_t last_sent = 0, last_taken = 0;
    /* acquire: pairs with the release store of done after the main thread's last take. */
    while (!atomic_load_explicit(&r->done, memory_order_acquire)) {
        uint64_t taken1 = steady_channel_taken_total(r->ch);
        atomic_thread_fence(memory_order_acquire);
        uint64_t sent = steady_channel_sent_total(r->ch);
        atomic_thread_fence(memory_order_acquire);
        uint64_t taken2 = steady_channel_taken_total(r->ch);
        r->went_back |= sent < last_sent || taken1 < last_taken || taken2 < taken1;
        r->taken_above_sent |= taken1 > sent;
        r->sent_above_taken_plus_cap |= sent > taken2 + TOTALS_CAP;
        last_sent = sent;
        last_taken = taken2;
        r->samples++;
    }
    return NULL;
}

static void totals_are_monotonic_and_exact_from_another_thread(void **state)
{
    totals_run r = {0};
    u64ch_rx rx;
    new_u64(state, TOTALS_CAP, &r.tx, &rx);
    r.ch = steady_tx_channel(r.tx.raw);
    pthread_t prod, obs;
    assert_int_equal(pthread_create(&obs, NULL, totals_observer, &r), 0);
    assert_int_equal(pthread_create(&prod, NULL, totals_producer, &r), 0);

    uint64_t expect = 0;
    bool in_order = true;
    while (expect < TOTALS_N) {
        uint64_t v = 0;
        if (u64ch_rx_try_take(rx, &v) == STEADY_OK)
            in_order &= v == expect++;
        else
            sched_yield();
    }
    /* release: pairs with the observer's acquire load of done. */
    atomic_store_explicit(&r.done, 1, memory_order_release);
    assert_int_equal(pthread_join(prod, NULL), 0);
    assert_int_equal(pthread_join(obs, NULL), 0);

    assert_true(in_order);
    assert_true(r.samples > 0);
    assert_false(r.went_back);
    assert_false(r.taken_above_sent);
    assert_false(r.sent_above_taken_plus_cap);
    assert_int_equal(steady_channel_sent_total(r.ch), TOTALS_N);
    assert_int_equal(steady_channel_taken_total(r.ch), TOTALS_N);
}

/* ---- element types ------------------------------------------------------------------------- */

static void typed_wrappers_round_trip_a_struct(void **state)
{
    pointch_tx tx;
    pointch_rx rx;
    assert_int_equal(pointch_new(*state, "points", 3, &tx, &rx), STEADY_OK);
    assert_int_equal(tx.raw->elem_size, sizeof(point));
    point in[3] = {{1, 0.5}, {2, -1.25}, {UINT32_MAX, 1e300}};
    point out = {0, 0}, many[3];

    assert_int_equal(pointch_tx_try_send(tx, in[0]), STEADY_OK);
    assert_int_equal(pointch_tx_send_slice(tx, in + 1, 2), 2);
    assert_int_equal(pointch_tx_try_send(tx, in[0]), STEADY_EFULL);
    assert_int_equal(pointch_tx_vacant(tx), 0);
    assert_int_equal(pointch_rx_avail(rx), 3);
    assert_int_equal(pointch_rx_try_peek(rx, &out), STEADY_OK);
    assert_int_equal(out.a, 1);
    assert_int_equal(pointch_rx_peek_slice_copy(rx, many, 3), 3);
    for (size_t i = 0; i < 3; i++) /* field by field: padding bytes need not survive a copy */
        assert_true(many[i].a == in[i].a && many[i].b == in[i].b);
    assert_int_equal(pointch_rx_try_take(rx, &out), STEADY_OK);
    assert_true(out.a == 1 && out.b == 0.5);
    assert_int_equal(pointch_rx_take_slice(rx, many, 3), 2);
    assert_true(many[0].a == 2 && many[0].b == -1.25);
    assert_true(many[1].a == UINT32_MAX && many[1].b == 1e300);

    /* Spans of the element type, across the wrap (start index 3 of 4 slots). */
    pointch_span w = pointch_tx_poke_slice(tx);
    assert_int_equal(w.a_len, 1);
    assert_int_equal(w.b_len, 2);
    w.a[0] = (point){10, 10.5};
    w.b[0] = (point){11, 11.5};
    assert_int_equal(pointch_tx_advance_send(tx, 2), 2);
    pointch_span r = pointch_rx_peek_slice(rx);
    assert_int_equal(r.a_len + r.b_len, 2);
    assert_true(r.a[0].a == 10 && r.a[0].b == 10.5);
    assert_true(r.b[0].a == 11 && r.b[0].b == 11.5);
    assert_int_equal(pointch_rx_advance_take(rx, 2), 2);

    assert_int_equal(pointch_tx_capacity(tx), 3);
    assert_int_equal(pointch_rx_capacity(rx), 3);
    assert_true(pointch_tx_close(tx));
    assert_true(pointch_rx_is_closed(rx));
    assert_true(pointch_rx_is_closed_and_empty(rx));
    assert_true(pointch_rx_close(rx));
    assert_true(pointch_tx_is_closed(tx));
}

static blob blob_of(unsigned seed)
{
    blob b;
    for (size_t i = 0; i < sizeof b.bytes; i++)
        b.bytes[i] = (unsigned char)(seed * 31u + i * 7u);
    return b;
}

static void big_elements_round_trip_byte_for_byte(void **state)
{
    blobch_tx tx;
    blobch_rx rx;
    assert_int_equal(blobch_new(*state, "blobs", 3, &tx, &rx), STEADY_OK);
    assert_int_equal(tx.raw->ring->elem_size, 200);
    blob out, many[3];

    for (unsigned round = 0; round < 10; round++) { /* 30 elements over 4 slots: many wraps */
        assert_int_equal(blobch_tx_try_send(tx, blob_of(round * 3)), STEADY_OK);
        blob pair[2] = {blob_of(round * 3 + 1), blob_of(round * 3 + 2)};
        assert_int_equal(blobch_tx_send_slice(tx, pair, 2), 2);
        assert_int_equal(blobch_tx_try_send(tx, blob_of(0)), STEADY_EFULL);

        assert_int_equal(blobch_rx_try_take(rx, &out), STEADY_OK);
        blob expect = blob_of(round * 3);
        assert_memory_equal(&out, &expect, sizeof out);
        assert_int_equal(blobch_rx_take_slice(rx, many, 3), 2);
        assert_memory_equal(many, pair, sizeof pair);
    }
}

/* ---- memory layout ------------------------------------------------------------------------- */

typedef struct alloc_rec {
    void *p;
    size_t size, align;
} alloc_rec;

typedef struct alloc_log {
    alloc_rec rec[64];
    size_t n;
} alloc_log;

static void *logging_alloc(void *ctx, size_t size, size_t align)
{
    alloc_log *log = ctx;
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    if (log->n < 64)
        log->rec[log->n++] = (alloc_rec){p, size, align};
    return p;
}

static void logging_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static size_t logged_size(const alloc_log *log, const void *p)
{
    for (size_t i = 0; i < log->n; i++)
        if (log->rec[i].p == p)
            return log->rec[i].size;
    return 0;
}

static void ring_is_one_header_plus_pow2_slots_of_elements(void **state)
{
    (void)state;
    alloc_log log = {0};
    steady_set_allocator(&(steady_allocator){logging_alloc, logging_free, &log});
    steady_graph *g = NULL;
    steady_graph_opts go = {.no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    static const struct {
        uint64_t capacity, slots;
        uint32_t elem;
    } cases[] = {{1, 1, 8},       {3, 4, 8},       {1000, 1024, 8},
                 {1024, 1024, 4}, {1025, 2048, 1}, {5, 8, 200}};
    enum { N_CASES = sizeof cases / sizeof cases[0] };
    steady_tx *tx[N_CASES];
    steady_rx *rx[N_CASES];

    for (size_t i = 0; i < N_CASES; i++) {
        steady_channel_opts o = {"layout", cases[i].capacity, cases[i].elem};
        assert_int_equal(steady_channel_new(g, &o, &tx[i], &rx[i]), STEADY_OK);
    }

    assert_int_equal(sizeof(steady_ring), 256);
    for (size_t i = 0; i < N_CASES; i++) {
        steady_ring *ring = tx[i]->ring;
        assert_ptr_equal(ring, rx[i]->ring);
        assert_int_equal(ring->capacity, cases[i].capacity);
        assert_int_equal(ring->slots, cases[i].slots);
        assert_int_equal(ring->elem_size, cases[i].elem);
        assert_int_equal(logged_size(&log, ring),
                         sizeof(steady_ring) + cases[i].slots * cases[i].elem);
        assert_int_equal((uintptr_t)ring % STEADY_CACHE_LINE, 0);
        assert_ptr_equal(tx[i]->slots, (unsigned char *)ring + sizeof(steady_ring));
        assert_ptr_equal(rx[i]->slots, tx[i]->slots);
        assert_int_equal(tx[i]->mask, cases[i].slots - 1);
    }
    /* The producer's and consumer's indices live on different cache lines. */
    assert_int_equal(offsetof(steady_ring, head) - offsetof(steady_ring, tail), STEADY_CACHE_LINE);
    steady_graph_free(g);
    steady_set_allocator(NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, graph_setup, graph_teardown)
    const struct CMUnitTest tests[] = {
        T(full_channel_returns_message_to_sender),
        T(empty_channel_take_and_peek_return_eempty),
        T(failed_raw_take_and_peek_leave_the_buffer_untouched),
        T(failed_typed_take_and_peek_write_zero),
        T(capacity_1_holds_exactly_1),
        T(capacity_3_holds_exactly_3),
        T(capacity_1000_holds_exactly_1000),
        T(capacity_1025_holds_exactly_1025),
        T(capacity_zero_is_rejected_naming_channel_and_fix),
        T(element_size_zero_is_rejected_naming_channel_and_fix),
        T(null_out_parameters_are_rejected),
        T(unnamed_channel_gets_a_numbered_name),
        T(oversized_channel_is_rejected_naming_channel),
        T(channel_new_after_start_is_rejected_with_estate),
        cmocka_unit_test(out_of_memory_is_reported_and_the_graph_stays_usable),
        T(fifo_order_survives_many_wraps_capacity_3),
        T(fifo_order_survives_many_wraps_capacity_1000),
        T(try_peek_does_not_consume),
        T(send_slice_moves_min_of_n_and_room_across_wrap),
        T(take_slice_moves_min_of_n_and_avail_across_wrap),
        T(peek_slice_copy_copies_without_consuming_across_wrap),
        T(empty_channel_has_empty_read_span_and_full_one_has_empty_write_span),
        T(poke_slice_offers_capacity_not_ring_size),
        T(spans_split_in_two_across_the_wrap),
        T(advance_send_commits_exactly_min_of_n_and_room),
        T(advance_take_commits_exactly_min_of_n_and_avail),
        T(tx_close_is_idempotent_and_returns_true),
        T(after_tx_close_consumer_drains_then_sees_closed),
        T(after_tx_close_slices_and_spans_drain_the_remainder),
        T(rx_close_makes_producer_see_closed),
        T(full_channel_with_closed_consumer_reports_closed_not_full),
        T(send_after_own_close_from_plain_thread_returns_closed),
        T(take_after_own_rx_close_returns_closed),
        T(totals_are_monotonic_and_exact_from_another_thread),
        T(typed_wrappers_round_trip_a_struct),
        T(big_elements_round_trip_byte_for_byte),
        cmocka_unit_test(ring_is_one_header_plus_pow2_slots_of_elements),
    };
#undef T
    return cmocka_run_group_tests_name("channel", tests, NULL, NULL);
}
