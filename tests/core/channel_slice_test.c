/*
 * channel_slice_test.c: specification of steady/channel.h (bounded SPSC channels), part two:
 * slice copies, zero-copy spans and their advance clamping, and close (with slices and spans
 * draining the remainder). The rest of the specification is in channel_test.c.
 *
 * Every test builds a graph and never starts it: its channel ends belong to no actor, so the
 * test thread (no current actor) may use them directly, one thread per end at a time. The
 * graph frees the channels. The fixture (graph_setup, new_u64, move_through) is shared through
 * steady_test_support.h.
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

#include "steady/steady.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "steady_test_support.h"

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

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, graph_setup, graph_teardown)
    const struct CMUnitTest tests[] = {
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
    };
#undef T
    return cmocka_run_group_tests_name("channel_slice", tests, NULL, NULL);
}
