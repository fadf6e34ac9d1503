/*
 * channel_test.c: specification of steady/channel.h (bounded SPSC channels), part one: full,
 * empty and the exact bound, creation errors, FIFO order and peek, totals, element types, the
 * ring's memory layout. Slices, zero-copy spans and close are in channel_slice_test.c.
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

#include "core/internal.h" /* white box: only steady_graph.state, to fake a started graph */
#include "steady/steady.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steady_test_support.h"

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

/* Rings live in the graph's shared memory (core/shm.c); a big one gets a mapping of its own,
 * which the white-box knob steady__shm_fail_next makes fail as if mmap had. */
static void out_of_memory_is_reported_and_the_graph_stays_usable(void **state)
{
    (void)state;
    steady_graph *g = NULL;
    steady_graph_opts go = {.no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    u64ch_tx tx = {NULL};
    u64ch_rx rx = {NULL};

    atomic_store(&steady__shm_fail_next, 1);
    steady_err e = u64ch_new(g, "starved", 1u << 16, &tx, &rx);
    char detail[512];
    snprintf(detail, sizeof detail, "%s", steady_last_error());
    bool named = strstr(detail, "channel 'starved': no memory for a ring of 65536 slots of 8 "
                                "bytes (512 KiB)") != NULL &&
                 strstr(detail, "Cannot allocate memory") != NULL;
    atomic_store(&steady__shm_fail_next, 0);
    steady_err later = u64ch_new(g, "fed", 2, &tx, &rx);

    assert_int_equal(e, STEADY_ENOMEM);
    if (!named)
        fail_msg("detail: %s", detail);
    assert_int_equal(later, STEADY_OK);
    uint64_t v = 0;
    assert_int_equal(u64ch_tx_try_send(tx, 42), STEADY_OK);
    assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
    assert_int_equal(v, 42);
    steady_graph_free(g);
}

/* The allocation hook serves the private allocations (names, lists, reports, arenas) and gets
 * every one of them back by steady_graph_free. */
typedef struct counting {
    _Atomic long live, total;
} counting;

static void *counting_alloc(void *ctx, size_t size, size_t align)
{
    counting *c = ctx;
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    atomic_fetch_add(&c->live, 1);
    atomic_fetch_add(&c->total, 1);
    return p;
}

static void counting_free(void *ctx, void *p)
{
    counting *c = ctx;
    atomic_fetch_sub(&c->live, 1);
    free(p);
}

static void the_allocation_hook_gets_back_everything_it_gave(void **state)
{
    (void)state;
    counting c = {0};
    steady_set_allocator(&(steady_allocator){counting_alloc, counting_free, &c});
    steady_graph *g = NULL;
    steady_graph_opts go = {.no_signal_handlers = true, .name = "counted"};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "named", 8, &tx, &rx), STEADY_OK);
    assert_true(atomic_load(&c.total) >= 3); /* the graph's and channel's names, the chunk list */
    steady_graph_free(g);
    steady_set_allocator(NULL);
    assert_int_equal(atomic_load(&c.live), 0);
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

static void ring_is_one_header_plus_pow2_slots_of_elements(void **state)
{
    (void)state;
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
        assert_int_equal((uintptr_t)ring % STEADY_CACHE_LINE, 0);
        assert_ptr_equal(tx[i]->slots, (unsigned char *)ring + sizeof(steady_ring));
        assert_ptr_equal(rx[i]->slots, tx[i]->slots);
        assert_int_equal(tx[i]->mask, cases[i].slots - 1);
    }
    /* The producer's and consumer's indices live on different cache lines. */
    assert_int_equal(offsetof(steady_ring, head) - offsetof(steady_ring, tail), STEADY_CACHE_LINE);
    /* A big ring is one mapping of exactly its header and slots (rounded to the page). */
    size_t before = steady__shm_mapped(g->shm);
    steady_tx *btx;
    steady_rx *brx;
    steady_channel_opts big = {"big", 100000, 8}; /* 131072 slots */
    assert_int_equal(steady_channel_new(g, &big, &btx, &brx), STEADY_OK);
    assert_int_equal(steady__shm_mapped(g->shm) - before,
                     sizeof(steady_ring) + 131072 * 8 + 4096 - 256);
    steady_graph_free(g);
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
        cmocka_unit_test(the_allocation_hook_gets_back_everything_it_gave),
        T(fifo_order_survives_many_wraps_capacity_3),
        T(fifo_order_survives_many_wraps_capacity_1000),
        T(try_peek_does_not_consume),
        T(totals_are_monotonic_and_exact_from_another_thread),
        T(typed_wrappers_round_trip_a_struct),
        T(big_elements_round_trip_byte_for_byte),
        cmocka_unit_test(ring_is_one_header_plus_pow2_slots_of_elements),
    };
#undef T
    return cmocka_run_group_tests_name("channel", tests, NULL, NULL);
}
