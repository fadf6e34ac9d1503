/* ring.h — the hand-written minimal SPSC ring: the floor steady's channel is measured against.
 *
 * As plain as the technique allows (reference/perf_measurements.md §1): a power-of-two array of
 * uint64_t, 64-bit monotonic head and tail on separate cache lines, each side keeping its own
 * index and a cached copy of the other side's in its private handle (so it reads the other
 * side's line only when the cache says "full" or "empty"), acquire loads and release stores
 * only. No close, no wake-ups, no ownership checks: what is left is the hand-off itself.
 *
 * Use: ring_new(capacity) in main; one thread makes a ring_tx (ring_tx_of) and pushes or pokes +
 * publishes; one thread makes a ring_rx and pops or peeks + releases. Spans stop at the wrap.
 */
#ifndef STEADY_BENCH_RING_H
#define STEADY_BENCH_RING_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ring {
    _Alignas(64) _Atomic uint64_t tail; /* written by the producer: slots ever published */
    _Alignas(64) _Atomic uint64_t head; /* written by the consumer: slots ever released */
    _Alignas(64) uint64_t *slots;       /* constant after ring_new */
    uint64_t mask;
} ring;

typedef struct ring_tx { /* the producer's private view */
    ring *r;
    uint64_t *slots;
    uint64_t cap;
    uint64_t tail;
    uint64_t head_cache;
} ring_tx;

typedef struct ring_rx { /* the consumer's private view */
    ring *r;
    uint64_t *slots;
    uint64_t mask;
    uint64_t head;
    uint64_t tail_cache;
} ring_rx;

/* capacity: a power of two. Exits on failure (a benchmark has nothing better to do). */
static inline ring *ring_new(uint64_t capacity)
{
    ring *r = aligned_alloc(64, sizeof *r);
    uint64_t *slots = aligned_alloc(64, capacity * sizeof(uint64_t));
    if (!r || !slots || (capacity & (capacity - 1))) {
        fprintf(stderr, "error: ring_new(%llu)\n", (unsigned long long)capacity);
        exit(1);
    }
    memset(slots, 0, capacity * sizeof(uint64_t)); /* fault the pages in before timing */
    atomic_init(&r->tail, 0);
    atomic_init(&r->head, 0);
    r->slots = slots;
    r->mask = capacity - 1;
    return r;
}

static inline void ring_free(ring *r)
{
    free(r->slots);
    free(r);
}

static inline ring_tx ring_tx_of(ring *r)
{
    ring_tx t = {r, r->slots, r->mask + 1, 0, 0};
    return t;
}

static inline ring_rx ring_rx_of(ring *r)
{
    ring_rx x = {r, r->slots, r->mask, 0, 0};
    return x;
}

/* ---- producer ---- */

/* Free slots; reloads head only when the cached value says fewer than `want`. */
static inline uint64_t ring_room(ring_tx *t, uint64_t want)
{
    uint64_t room = t->cap - (t->tail - t->head_cache);
    if (room < want) {
        /* acquire: pairs with the release store of head in ring_release / ring_pop. */
        t->head_cache = atomic_load_explicit(&t->r->head, memory_order_acquire);
        room = t->cap - (t->tail - t->head_cache);
    }
    return room;
}

static inline void ring_publish(ring_tx *t, uint64_t n)
{
    t->tail += n;
    /* release: pairs with the acquire load of tail in ring_ready. */
    atomic_store_explicit(&t->r->tail, t->tail, memory_order_release);
}

/* One message; 0 when full. */
static inline int ring_push(ring_tx *t, uint64_t v)
{
    if (ring_room(t, 1) == 0)
        return 0;
    t->slots[t->tail & (t->cap - 1)] = v;
    ring_publish(t, 1);
    return 1;
}

/* Up to `max` writable slots, contiguous (stops at the wrap); *len gets how many. */
static inline uint64_t *ring_poke(ring_tx *t, uint64_t max, uint64_t *len)
{
    uint64_t room = ring_room(t, max);
    uint64_t at = t->tail & (t->cap - 1), to_wrap = t->cap - at;
    uint64_t k = room < max ? room : max;
    *len = k < to_wrap ? k : to_wrap;
    return t->slots + at;
}

/* ---- consumer ---- */

/* Ready slots; reloads tail only when the cached value says fewer than `want`. */
static inline uint64_t ring_ready(ring_rx *x, uint64_t want)
{
    uint64_t ready = x->tail_cache - x->head;
    if (ready < want) {
        /* acquire: pairs with the release store of tail in ring_publish; the slots written
         * before it are visible. */
        x->tail_cache = atomic_load_explicit(&x->r->tail, memory_order_acquire);
        ready = x->tail_cache - x->head;
    }
    return ready;
}

static inline void ring_release(ring_rx *x, uint64_t n)
{
    x->head += n;
    /* release: pairs with the acquire load of head in ring_room (our reads are done). */
    atomic_store_explicit(&x->r->head, x->head, memory_order_release);
}

/* One message; 0 when empty. */
static inline int ring_pop(ring_rx *x, uint64_t *v)
{
    if (ring_ready(x, 1) == 0)
        return 0;
    *v = x->slots[x->head & x->mask];
    ring_release(x, 1);
    return 1;
}

/* Up to `max` readable slots, contiguous (stops at the wrap); *len gets how many. */
static inline const uint64_t *ring_peek(ring_rx *x, uint64_t max, uint64_t *len)
{
    uint64_t ready = ring_ready(x, max);
    uint64_t at = x->head & x->mask, to_wrap = x->mask + 1 - at;
    uint64_t k = ready < max ? ready : max;
    *len = k < to_wrap ? k : to_wrap;
    return x->slots + at;
}

#endif
