/* ring_variants.h — the floor ring of ring.h as one template with three layout switches, for the
 * ablations of bench/ablation.c (docs/PERFORMANCE.md, "What each design choice is worth").
 *
 * Every operation is an always-inline function that takes an rv_kind, a struct of constants:
 *   load, store  the memory order of the loads of the other side's index and of the stores of
 *                one's own (acquire/release in the floor; seq_cst for the ablation: on x86 a
 *                seq_cst store is an xchg, a full barrier that drains the store buffer)
 *   cached       1: each side keeps the last value it read of the other side's index and reads
 *                the shared one only when that copy says "full" ("empty"); 0: it reads the shared
 *                index on every operation
 *   padded       1: tail (producer-written) and head (consumer-written) on separate cache lines;
 *                0: both on one line, so every store by either side takes the line from the other
 * The compiler folds the constants away, so each kind compiles to its own straight-line code
 * (RV_BASE to the same instructions as ring.h). The code is ring.h's, line for line, with those
 * four switches; ring.h itself stays the plain floor the other benchmarks use.
 *
 * Use as ring.h: rv_new(capacity) in main; one thread makes an rv_tx (rv_tx_of) and pushes or
 * pokes + publishes; one thread makes an rv_rx and pops or peeks + releases. Both threads must
 * pass the same kind, and the kind decides which head word the ring uses. Spans stop at the wrap.
 */
#ifndef STEADY_BENCH_RING_VARIANTS_H
#define STEADY_BENCH_RING_VARIANTS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RV_INLINE static inline __attribute__((always_inline))

typedef struct rv_kind {
    memory_order load;  /* loads of the other side's index */
    memory_order store; /* stores of one's own index */
    int cached;         /* keep a copy of the other side's index */
    int padded;         /* head on its own cache line */
} rv_kind;

/* The floor (ring.h) and its three ablations, one switch each. */
#define RV_BASE ((rv_kind){memory_order_acquire, memory_order_release, 1, 1})
#define RV_SEQCST ((rv_kind){memory_order_seq_cst, memory_order_seq_cst, 1, 1})
#define RV_NOCACHE ((rv_kind){memory_order_acquire, memory_order_release, 0, 1})
#define RV_NOPAD ((rv_kind){memory_order_acquire, memory_order_release, 1, 0})

typedef struct rv_ring {
    _Alignas(64) _Atomic uint64_t tail; /* written by the producer: slots ever published */
    _Atomic uint64_t head_shared;       /* written by the consumer when !padded: tail's line */
    _Alignas(64) _Atomic uint64_t head; /* written by the consumer when padded: its own line */
    _Alignas(64) uint64_t *slots;       /* constant after rv_new, on a line of its own */
    uint64_t mask;
} rv_ring;

_Static_assert(offsetof(rv_ring, head_shared) / 64 == offsetof(rv_ring, tail) / 64,
               "unpadded: head and tail share a cache line");
_Static_assert(offsetof(rv_ring, head) / 64 != offsetof(rv_ring, tail) / 64 &&
                   offsetof(rv_ring, slots) / 64 != offsetof(rv_ring, head) / 64 &&
                   offsetof(rv_ring, slots) / 64 != offsetof(rv_ring, tail) / 64,
               "padded: tail, head and the constant fields on three cache lines");

typedef struct rv_tx { /* the producer's private view */
    rv_ring *r;
    uint64_t *slots;
    uint64_t cap;
    uint64_t tail;
    uint64_t head_cache; /* the last head read (every operation refreshes it when !cached) */
} rv_tx;

typedef struct rv_rx { /* the consumer's private view */
    rv_ring *r;
    uint64_t *slots;
    uint64_t mask;
    uint64_t head;
    uint64_t tail_cache;
} rv_rx;

RV_INLINE _Atomic uint64_t *rv_head_word(rv_ring *r, rv_kind k)
{
    return k.padded ? &r->head : &r->head_shared;
}

/* capacity: a power of two. Exits on failure (a benchmark has nothing better to do). */
static inline rv_ring *rv_new(uint64_t capacity)
{
    rv_ring *r = aligned_alloc(64, sizeof *r);
    uint64_t *slots = aligned_alloc(64, capacity * sizeof(uint64_t));
    if (!r || !slots || (capacity & (capacity - 1))) {
        fprintf(stderr, "error: rv_new(%llu)\n", (unsigned long long)capacity);
        exit(1);
    }
    memset(slots, 0, capacity * sizeof(uint64_t)); /* fault the pages in before timing */
    atomic_init(&r->tail, 0);
    atomic_init(&r->head_shared, 0);
    atomic_init(&r->head, 0);
    r->slots = slots;
    r->mask = capacity - 1;
    return r;
}

static inline void rv_free(rv_ring *r)
{
    free(r->slots);
    free(r);
}

static inline rv_tx rv_tx_of(rv_ring *r)
{
    rv_tx t = {r, r->slots, r->mask + 1, 0, 0};
    return t;
}

static inline rv_rx rv_rx_of(rv_ring *r)
{
    rv_rx x = {r, r->slots, r->mask, 0, 0};
    return x;
}

/* ---- producer ---- */

/* Free slots; reloads head when the cached value says fewer than `want`, or always if
 * !k.cached. */
RV_INLINE uint64_t rv_room(rv_tx *t, uint64_t want, rv_kind k)
{
    uint64_t room = t->cap - (t->tail - t->head_cache);
    if (!k.cached || room < want) {
        /* acquire (or seq_cst): pairs with the store of head in rv_release. */
        t->head_cache = atomic_load_explicit(rv_head_word(t->r, k), k.load);
        room = t->cap - (t->tail - t->head_cache);
    }
    return room;
}

RV_INLINE void rv_publish(rv_tx *t, uint64_t n, rv_kind k)
{
    t->tail += n;
    /* release (or seq_cst): pairs with the load of tail in rv_ready. */
    atomic_store_explicit(&t->r->tail, t->tail, k.store);
}

/* One message; 0 when full. */
RV_INLINE int rv_push(rv_tx *t, uint64_t v, rv_kind k)
{
    if (rv_room(t, 1, k) == 0)
        return 0;
    t->slots[t->tail & (t->cap - 1)] = v;
    rv_publish(t, 1, k);
    return 1;
}

/* Up to `max` writable slots, contiguous (stops at the wrap); *len gets how many. */
RV_INLINE uint64_t *rv_poke(rv_tx *t, uint64_t max, uint64_t *len, rv_kind k)
{
    uint64_t room = rv_room(t, max, k);
    uint64_t at = t->tail & (t->cap - 1), to_wrap = t->cap - at;
    uint64_t n = room < max ? room : max;
    *len = n < to_wrap ? n : to_wrap;
    return t->slots + at;
}

/* ---- consumer ---- */

/* Ready slots; reloads tail when the cached value says fewer than `want`, or always if
 * !k.cached. */
RV_INLINE uint64_t rv_ready(rv_rx *x, uint64_t want, rv_kind k)
{
    uint64_t ready = x->tail_cache - x->head;
    if (!k.cached || ready < want) {
        /* acquire (or seq_cst): pairs with the store of tail in rv_publish; the slots written
         * before it are visible. */
        x->tail_cache = atomic_load_explicit(&x->r->tail, k.load);
        ready = x->tail_cache - x->head;
    }
    return ready;
}

RV_INLINE void rv_release(rv_rx *x, uint64_t n, rv_kind k)
{
    x->head += n;
    /* release (or seq_cst): pairs with the load of head in rv_room (our reads are done). */
    atomic_store_explicit(rv_head_word(x->r, k), x->head, k.store);
}

/* One message; 0 when empty. */
RV_INLINE int rv_pop(rv_rx *x, uint64_t *v, rv_kind k)
{
    if (rv_ready(x, 1, k) == 0)
        return 0;
    *v = x->slots[x->head & x->mask];
    rv_release(x, 1, k);
    return 1;
}

/* Up to `max` readable slots, contiguous (stops at the wrap); *len gets how many. */
RV_INLINE const uint64_t *rv_peek(rv_rx *x, uint64_t max, uint64_t *len, rv_kind k)
{
    uint64_t ready = rv_ready(x, max, k);
    uint64_t at = x->head & x->mask, to_wrap = x->mask + 1 - at;
    uint64_t n = ready < max ? ready : max;
    *len = n < to_wrap ? n : to_wrap;
    return x->slots + at;
}

#endif
