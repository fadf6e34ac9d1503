/* steady/channel.h — bounded single-producer single-consumer channels.
 *
 * A channel is a ring of fixed-size elements owned by the graph. Its two ends, a steady_tx
 * (sending) and a steady_rx (receiving), are each given to exactly one actor when that actor is
 * spawned; only that actor may use the end while the graph runs. A channel never drops and
 * never overwrites: a send on a full channel leaves the message with the caller.
 *
 * Capacity is honoured exactly: a channel asked for 1000 slots holds at most 1000 elements,
 * although its ring has 1024 slots underneath. Indices are monotonic 64-bit totals, so the
 * number of elements ever sent and taken is free to read, from any thread.
 *
 * Layout (steady_ring) is shared-memory safe: no pointers live inside it. Producer-written and
 * consumer-written fields sit on separate cache lines; each side keeps a cached copy of the
 * other side's index in its own handle, so the hot path reads the other side's line only when
 * the cache says "full" or "empty".
 *
 * Typed use: STEADY_CHANNEL_TYPE(name, T) (steady/typed.h) declares name_tx / name_rx wrappers
 * and inline functions (name_tx_try_send, name_rx_try_take, ...) so user code never casts void
 * pointers.
 *
 * Thread-safety: while the graph runs, every operation on an end must be made by the actor that
 * owns it; another thread gets STEADY_ENOTOWNER (close: no effect), another actor fails. Before
 * start, and in a graph that is never started, no end has an owner yet and plain threads may
 * use the ends (one thread per end at a time): that is how tests and benchmarks drive raw
 * channels. Totals, is_closed and capacity may be read from any thread.
 */
#ifndef STEADY_CHANNEL_H
#define STEADY_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __cplusplus
#include <atomic>
#include <type_traits>
#else
#include <stdalign.h>
#include <stdatomic.h>
#endif

#include "steady/error.h"

/* Private. The fast paths below are written once for both languages: C11 atomics in C, the
 * same operations on std::atomic in C++. std::atomic<T> of a lock-free integer has the size,
 * alignment and representation of _Atomic T, and both compilers lower both to the same
 * __atomic operations (one memory model), so C and C++ code may share a ring. */
#ifdef __cplusplus
#define STEADY__ATOMIC(T) std::atomic<T>
#define STEADY__LOAD(obj, order) std::atomic_load_explicit(&(obj), std::memory_order_##order)
#define STEADY__STORE(obj, value, order)                                                           \
    std::atomic_store_explicit(&(obj), (value), std::memory_order_##order)
/* __thread, not thread_local: a C++ thread_local defined in another unit is read through an
 * initialisation wrapper; __thread (constant-initialised, as the C definition is) is not. */
#define STEADY__THREAD_LOCAL __thread
#else
#define STEADY__ATOMIC(T) _Atomic(T)
#define STEADY__LOAD(obj, order) atomic_load_explicit(&(obj), memory_order_##order)
#define STEADY__STORE(obj, value, order)                                                           \
    atomic_store_explicit(&(obj), (value), memory_order_##order)
#define STEADY__THREAD_LOCAL _Thread_local
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_graph steady_graph;
typedef struct steady_actor steady_actor;
typedef struct steady_channel steady_channel;
typedef struct steady_tx steady_tx;
typedef struct steady_rx steady_rx;

/* ---- layout (private: read through the functions below) ------------------------------------ */

#define STEADY_CACHE_LINE 64

/* The shared part of a channel; the element slots follow it in the same allocation. */
typedef struct steady_ring {
    /* Written by the producer only. */
    alignas(STEADY_CACHE_LINE) STEADY__ATOMIC(uint64_t) tail; /* elements ever sent */
    /* Written by the consumer only; the producer reads it. */
    alignas(STEADY_CACHE_LINE) STEADY__ATOMIC(uint64_t) head; /* elements ever taken */
    /* Written only by a side about to park, and by the side that wakes it. */
    /* rx_want: the consumer is parked until tail >= rx_want; tx_want: the producer until
     * head >= tx_want; 0: not parked. */
    alignas(STEADY_CACHE_LINE) STEADY__ATOMIC(uint64_t) rx_want;
    STEADY__ATOMIC(uint64_t) tx_want;
    /* The latency probe (core/latency.c), in the same line because every publish and take
     * already reads it: stamp_after, written by the consumer, asks the producer to stamp its
     * first publish whose tail exceeds it (UINT64_MAX: none asked); stamp_taken_after and
     * stamp_ns, written by the producer, are that publish's tail - 1 (UINT64_MAX: none in
     * flight; taking past it takes the stamped message) and its time. Each is written at most
     * about a thousand times a second. Kept minus one so that each check is one compare. */
    STEADY__ATOMIC(uint64_t) stamp_after;
    STEADY__ATOMIC(uint64_t) stamp_taken_after;
    STEADY__ATOMIC(uint64_t) stamp_ns;
    /* Constant after creation, except the two close flags, each written at most once: the
     * line stays shared in both caches, so the producer may test rx_closed on every send. */
    alignas(STEADY_CACHE_LINE) uint64_t capacity; /* the bound the user asked for */
    uint64_t slots;                               /* power of two >= capacity */
    uint32_t elem_size;
    STEADY__ATOMIC(uint32_t) tx_closed; /* the producer closed its end */
    STEADY__ATOMIC(uint32_t) rx_closed; /* the consumer is gone for good */
} steady_ring;

STEADY__STATIC_ASSERT(sizeof(steady_ring) == 4 * STEADY_CACHE_LINE,
                      "steady_ring: one line per writer");
#ifdef __cplusplus
static_assert(std::atomic<uint64_t>::is_always_lock_free && sizeof(std::atomic<uint64_t>) == 8 &&
                  std::atomic<uint32_t>::is_always_lock_free &&
                  sizeof(std::atomic<uint32_t>) == 4 &&
                  std::atomic<uintptr_t>::is_always_lock_free &&
                  sizeof(std::atomic<uintptr_t>) == sizeof(uintptr_t),
              "steady: std::atomic must have the layout of C11 _Atomic on this platform");
#endif

struct steady__bell;

/* A producer's handle: process-local, owned by one actor. */
struct steady_tx {
    steady_ring *ring;
    unsigned char *slots; /* element storage, in this process's address space */
    uint64_t mask;        /* ring->slots - 1 */
    uint64_t capacity;
    uint64_t tail;  /* this side's own index (== ring->tail after each publish) */
    uint64_t limit; /* the last head read from the ring + capacity: tail < limit means room */
    uint32_t elem_size;
    uint64_t stream_bytes; /* slice copies of at least this many bytes stream (0: never) */
    STEADY__ATOMIC(uintptr_t) owner_gate; /* the owning actor | STEADY__GATE_* bits */
    struct steady__bell *peer_bell;       /* the consumer's thread doorbell, set at start */
    steady_channel *channel;
};

/* A consumer's handle: process-local, owned by one actor. */
struct steady_rx {
    steady_ring *ring;
    unsigned char *slots;
    uint64_t mask;
    uint64_t capacity;
    uint64_t head;       /* this side's own index */
    uint64_t tail_cache; /* last value read from ring->tail */
    uint64_t peeked;     /* head + 1 at the last peek that found an element (0: none) */
    uint32_t elem_size;
    STEADY__ATOMIC(uintptr_t) owner_gate; /* the owning actor | STEADY__GATE_* bits */
    struct steady__bell *peer_bell;       /* the producer's thread doorbell, set at start */
    steady_channel *channel;
};

/* A handle's owner_gate word: the owning actor's address (actors are 64-byte aligned) with the
 * gate bits in its low bits. The fast path is one compare of the word with the running actor:
 * equal means "the caller owns this end, it is not closed and its peer is still there". The
 * owner sets OWN_CLOSED; the peer sets PEER_GONE (once, from its own thread: hence atomic,
 * read relaxed). RX is the end's kind: set on every receiving end from its creation, never
 * cleared, and never on a sending end. Both layouts keep owner_gate at one offset, so any end
 * pointer tells its kind; and since a receiving end's open word is steady__self_rx, a receiving
 * end passed where a sending end belongs (or the reverse) never passes the fast path's compare
 * and is refused on the slow path. */
#define STEADY__GATE_OWN_CLOSED 1u
#define STEADY__GATE_PEER_GONE 2u
#define STEADY__GATE_RX 4u
#define STEADY__GATE_MASK ((uintptr_t)63)

STEADY__STATIC_ASSERT(offsetof(steady_tx, owner_gate) == offsetof(steady_rx, owner_gate) &&
                          offsetof(steady_tx, channel) == offsetof(steady_rx, channel),
                      "steady_tx / steady_rx: the kind tag and the channel at one offset");

/* The actor running on this thread (NULL outside actors), and the owner_gate word of an open
 * receiving end it owns: (uintptr_t)steady__self | STEADY__GATE_RX. Private. */
extern STEADY_API STEADY__THREAD_LOCAL steady_actor *steady__self;
extern STEADY_API STEADY__THREAD_LOCAL uintptr_t steady__self_rx;

/* Cold paths, out of line. Each returns only when the caller is not an actor (then the
 * operation reports STEADY_ENOTOWNER, or STEADY_EINVAL for a NULL end or an end of the other
 * kind); inside an actor it fails the actor. */
STEADY_API steady_err steady__tx_misuse(steady_tx *tx, const char *op);
STEADY_API steady_err steady__rx_misuse(steady_rx *rx, const char *op);
/* The slow path when the owner check or the gate stops an operation: misuse (see above), or
 * STEADY_ECLOSED when only the peer is gone. */
STEADY_API steady_err steady__tx_stopped(steady_tx *tx, const char *op);
STEADY_API steady_err steady__rx_stopped(steady_rx *rx, const char *op);
STEADY_API void steady__tx_wake_peer(steady_tx *tx, uint64_t want);
STEADY_API void steady__rx_wake_peer(steady_rx *rx, uint64_t want);
/* The latency probe's two sides (core/latency.c): the producer stamps a publish that reached
 * stamp_after; the consumer measures a stamped message it took. */
STEADY_API void steady__tx_stamp(steady_tx *tx, uint64_t tail);
STEADY_API void steady__rx_stamp(steady_rx *rx, uint64_t head);
/* A NULL element pointer `arg` given to operation `op`: STEADY_EINVAL, or inside an actor a
 * failure. */
STEADY_API steady_err steady__null_arg(const char *op, const char *arg);

/* ---- creation ----------------------------------------------------------------------------- */

typedef struct steady_channel_opts {
    const char *name;   /* for logs, errors and telemetry; copied. NULL: "channel-<id>" */
    uint64_t capacity;  /* the exact bound, >= 1 */
    uint32_t elem_size; /* bytes per element, >= 1 */
} steady_channel_opts;

/* Creates a channel owned by `g` (in the Building state) and writes its two ends. Errors:
 * STEADY_EINVAL (capacity 0, element size 0, NULL out-parameters), STEADY_ESTATE (the graph
 * already started), STEADY_ENOMEM. The ends stay valid until steady_graph_free(). Main thread. */
STEADY_API steady_err steady_channel_new(steady_graph *g, const steady_channel_opts *opts,
                                         steady_tx **tx, steady_rx **rx);

STEADY_API const char *steady_channel_name(const steady_channel *ch);
STEADY_API steady_channel *steady_tx_channel(const steady_tx *tx);
STEADY_API steady_channel *steady_rx_channel(const steady_rx *rx);

/* ---- inline fast paths -------------------------------------------------------------------- */

static inline steady_actor *steady__tx_owner(const steady_tx *tx)
{
    return (steady_actor *)(STEADY__LOAD(tx->owner_gate, relaxed) & ~STEADY__GATE_MASK);
}

static inline steady_actor *steady__rx_owner(const steady_rx *rx)
{
    return (steady_actor *)(STEADY__LOAD(rx->owner_gate, relaxed) & ~STEADY__GATE_MASK);
}

static inline uint32_t steady__tx_gate(const steady_tx *tx)
{
    return (uint32_t)(STEADY__LOAD(tx->owner_gate, relaxed) & STEADY__GATE_MASK);
}

static inline uint32_t steady__rx_gate(const steady_rx *rx)
{
    return (uint32_t)(STEADY__LOAD(rx->owner_gate, relaxed) & STEADY__GATE_MASK &
                      ~(uintptr_t)STEADY__GATE_RX);
}

static inline bool steady__tx_owned(const steady_tx *tx)
{
    return steady__tx_owner(tx) == steady__self;
}

static inline bool steady__rx_owned(const steady_rx *rx)
{
    return steady__rx_owner(rx) == steady__self;
}

/* True when an operation may take the fast path: the end is not NULL, the caller owns it, it
 * is of the kind the operation takes, and its gate is open. A test, one load, one thread-local
 * load, one compare (the NULL test: +1.3 instructions per message, bench/gate.conf). */
static inline bool steady__tx_open(const steady_tx *tx)
{
    return tx && STEADY__LOAD(tx->owner_gate, relaxed) == (uintptr_t)steady__self;
}

static inline bool steady__rx_open(const steady_rx *rx)
{
    return rx && STEADY__LOAD(rx->owner_gate, relaxed) == steady__self_rx;
}

/* Free slots, refreshing the cached head only when the cache says fewer than `want`. */
static inline uint64_t steady__tx_room(steady_tx *tx, uint64_t want)
{
    uint64_t room = tx->limit - tx->tail;
    if (room < want) {
        /* acquire: pairs with the consumer's release store of head in steady__rx_release, so
         * the consumer's reads of those slots happened before we overwrite them. */
        tx->limit = STEADY__LOAD(tx->ring->head, acquire) + tx->capacity;
        room = tx->limit - tx->tail;
    }
    return room;
}

/* Elements ready, refreshing the cached tail only when the cache says fewer than `want`. */
static inline uint64_t steady__rx_ready(steady_rx *rx, uint64_t want)
{
    uint64_t ready = rx->tail_cache - rx->head;
    if (ready < want) {
        /* acquire: pairs with the producer's release store of tail in steady__tx_publish, so
         * the slot contents written before it are visible here. */
        rx->tail_cache = STEADY__LOAD(rx->ring->tail, acquire);
        ready = rx->tail_cache - rx->head;
    }
    return ready;
}

static inline void *steady__tx_slot(const steady_tx *tx, uint64_t index)
{
    return tx->slots + (size_t)(index & tx->mask) * tx->elem_size;
}

static inline const void *steady__rx_slot(const steady_rx *rx, uint64_t index)
{
    return rx->slots + (size_t)(index & rx->mask) * rx->elem_size;
}

/* Keeps the store to `stored` before the load of `loaded` in program order, and nothing else:
 * an empty asm that reads the one and may write the other. (A full compiler barrier would make
 * the compiler reload every handle field after each send.) It pairs with the parking side's
 * heavy fence (membarrier, steady__heavy_fence in troupe.c idle): either the parked side's
 * re-check sees our index, or our load sees its want. */
#if defined(__GNUC__)
#define STEADY__ORDER_STORE_LOAD(stored, loaded) __asm__ volatile("" : "+m"(loaded) : "m"(stored))
#elif defined(__cplusplus)
#define STEADY__ORDER_STORE_LOAD(stored, loaded) std::atomic_signal_fence(std::memory_order_seq_cst)
#else
#define STEADY__ORDER_STORE_LOAD(stored, loaded) atomic_signal_fence(memory_order_seq_cst)
#endif

/* Makes the written slots below `tail` visible to the consumer and rings its doorbell only when
 * it is parked waiting for a threshold this publish crossed. `ring` is tx->ring, read by a
 * caller that copied an element just before (a byte copy may alias the handle, so reading the
 * field after it would cost a load). */
static inline void steady__tx_publish_ring(steady_tx *tx, steady_ring *ring, uint64_t tail)
{
    tx->tail = tail;
    /* release: pairs with the consumer's acquire load of tail in steady__rx_ready. */
    STEADY__STORE(ring->tail, tail, release);
    /* A parking consumer publishes rx_want, then issues a process-wide barrier (membarrier)
     * before re-checking tail, so either it sees this tail or we see its want; on our side the
     * store must only stay before the load in program order. */
    STEADY__ORDER_STORE_LOAD(ring->tail, ring->rx_want);
    uint64_t want = STEADY__LOAD(ring->rx_want, relaxed);
    /* want == 0 (nobody parked) wraps to UINT64_MAX: one compare covers both tests. */
    if (__builtin_expect(want - 1 < tail, 0))
        steady__tx_wake_peer(tx, want);
    /* The latency probe asked for a stamp this publish reached (same line). */
    if (__builtin_expect(tail > STEADY__LOAD(ring->stamp_after, relaxed), 0))
        steady__tx_stamp(tx, tail);
}

static inline void steady__tx_publish_to(steady_tx *tx, uint64_t tail)
{
    steady__tx_publish_ring(tx, tx->ring, tail);
}

static inline void steady__tx_publish(steady_tx *tx, uint64_t n)
{
    steady__tx_publish_to(tx, tx->tail + n);
}

/* Frees the taken slots below `head` for the producer; rings its doorbell only when it is
 * parked waiting for room this release made. `ring` is rx->ring (see steady__tx_publish_ring). */
static inline void steady__rx_release_ring(steady_rx *rx, steady_ring *ring, uint64_t head)
{
    rx->head = head;
    /* release: pairs with the producer's acquire load of head in steady__tx_room. */
    STEADY__STORE(ring->head, head, release);
    /* See steady__tx_publish_ring: the parking producer issues the process-wide barrier. */
    STEADY__ORDER_STORE_LOAD(ring->head, ring->tx_want);
    uint64_t want = STEADY__LOAD(ring->tx_want, relaxed);
    if (__builtin_expect(want - 1 < head, 0))
        steady__rx_wake_peer(rx, want);
    /* A stamped message was among those taken: measure its delay. */
    if (__builtin_expect(head > STEADY__LOAD(ring->stamp_taken_after, relaxed), 0))
        steady__rx_stamp(rx, head);
}

static inline void steady__rx_release_to(steady_rx *rx, uint64_t head)
{
    steady__rx_release_ring(rx, rx->ring, head);
}

static inline void steady__rx_release(steady_rx *rx, uint64_t n)
{
    steady__rx_release_to(rx, rx->head + n);
}

/* Why a send cannot proceed: closed consumer, closed own end, or full. */
static inline steady_err steady__tx_blocked(const steady_tx *tx)
{
    /* acquire: pairs with the release store in steady_rx_close. */
    if (STEADY__LOAD(tx->ring->rx_closed, acquire))
        return STEADY_ECLOSED;
    return STEADY_EFULL;
}

/* Why a take cannot proceed: closed and drained, or merely empty. */
static inline steady_err steady__rx_blocked(steady_rx *rx)
{
    /* acquire on tx_closed pairs with the release in steady_tx_close, which follows the
     * producer's last publish: once closed is seen, the final tail is visible too. */
    if (STEADY__LOAD(rx->ring->tx_closed, acquire) && steady__rx_ready(rx, UINT64_MAX) == 0)
        return STEADY_ECLOSED;
    return STEADY_EEMPTY;
}

/* The one fast path of each hot operation (STYLE.md rule 14): the untyped calls below and the
 * typed wrappers of STEADY_CHANNEL_TYPE inline the same helper, so an ordering fix happens in
 * one place. `size` is the element size: tx->elem_size for an untyped call, sizeof(T) (a
 * constant, so the copy is one store) for a typed one. */

/* Always inlined: with several call sites in one unit (try_send and send_wait, say) GCC would
 * otherwise make one out-of-line copy and call it, +17 instructions per message (bench/icount). */
#define STEADY__FAST static inline __attribute__((always_inline))

/* Copies one element in and publishes it. */
STEADY__FAST steady_err steady__tx_send_one(steady_tx *tx, const void *elem, size_t size)
{
    if (__builtin_expect(!steady__tx_open(tx) || !elem, 0))
        return elem ? steady__tx_stopped(tx, "try_send") : steady__null_arg("try_send", "elem");
    uint64_t tail = tx->tail;
    if (__builtin_expect(tail >= tx->limit, 0) && steady__tx_room(tx, 1) == 0)
        return steady__tx_blocked(tx);
    steady_ring *ring = tx->ring;
    memcpy(tx->slots + (size_t)(tail & tx->mask) * size, elem, size);
    steady__tx_publish_ring(tx, ring, tail + 1);
    return STEADY_OK;
}

/* Copies the head element out; then takes it (take) or remembers the peek (!take). On failure
 * the buffer is zeroed when `zero` (the typed calls) and left untouched otherwise; zeroing
 * before the cold call keeps the caller's pointer out of the hot path's registers. */
STEADY__FAST steady_err steady__rx_copy_head(steady_rx *rx, void *elem, size_t size, bool take,
                                             bool zero)
{
    if (__builtin_expect(!steady__rx_open(rx) || !elem, 0)) {
        if (!elem)
            return steady__null_arg(take ? "try_take" : "try_peek", zero ? "out" : "elem");
        if (zero)
            memset(elem, 0, size);
        return steady__rx_stopped(rx, take ? "try_take" : "try_peek");
    }
    uint64_t head = rx->head;
    if (__builtin_expect(rx->tail_cache == head, 0) && steady__rx_ready(rx, 1) == 0) {
        if (zero)
            memset(elem, 0, size);
        return steady__rx_blocked(rx);
    }
    steady_ring *ring = rx->ring;
    memcpy(elem, rx->slots + (size_t)(head & rx->mask) * size, size);
    if (take)
        steady__rx_release_ring(rx, ring, head + 1);
    else
        rx->peeked = head + 1;
    return STEADY_OK;
}

/* Copies one element in. STEADY_OK, STEADY_EFULL (the message stays with the caller),
 * STEADY_ECLOSED (the consumer is gone), STEADY_ENOTOWNER (caller is not the owner and not an
 * actor) or STEADY_EINVAL (a NULL tx or elem, or a receiving end); inside an actor a misuse
 * fails the actor. */
static inline steady_err steady_tx_try_send(steady_tx *tx, const void *elem)
{
    return steady__tx_send_one(tx, elem, tx ? tx->elem_size : 0);
}

/* Copies the head element out and consumes it. STEADY_OK, STEADY_EEMPTY, STEADY_ECLOSED
 * (closed and drained), STEADY_ENOTOWNER, STEADY_EINVAL (as for try_send). */
static inline steady_err steady_rx_try_take(steady_rx *rx, void *elem)
{
    return steady__rx_copy_head(rx, elem, rx ? rx->elem_size : 0, true, false);
}

/* Copies the head element out without consuming it (peek before commit). */
static inline steady_err steady_rx_try_peek(steady_rx *rx, void *elem)
{
    return steady__rx_copy_head(rx, elem, rx ? rx->elem_size : 0, false, false);
}

/* Elements ready to take now (a snapshot; may grow concurrently). Owner only: otherwise 0
 * (and the misuse is reported as for try_take). */
static inline uint64_t steady_rx_avail(steady_rx *rx)
{
    if (__builtin_expect(!steady__rx_open(rx), 0)) {
        (void)steady__rx_stopped(rx, "avail");
        return 0;
    }
    return steady__rx_ready(rx, UINT64_MAX);
}

/* Free slots now (a snapshot; may grow concurrently); 0 once the consumer is gone. Owner only:
 * otherwise 0 (and the misuse is reported as for try_send). */
static inline uint64_t steady_tx_vacant(steady_tx *tx)
{
    if (__builtin_expect(!steady__tx_open(tx), 0)) {
        (void)steady__tx_stopped(tx, "vacant");
        return 0;
    }
    return steady__tx_room(tx, UINT64_MAX);
}

/* The capacity; 0 for a NULL end or an end of the other kind. Any thread. */
static inline uint64_t steady_tx_capacity(const steady_tx *tx)
{
    return tx && !(STEADY__LOAD(tx->owner_gate, relaxed) & STEADY__GATE_RX) ? tx->capacity : 0;
}
static inline uint64_t steady_rx_capacity(const steady_rx *rx)
{
    return rx && (STEADY__LOAD(rx->owner_gate, relaxed) & STEADY__GATE_RX) ? rx->capacity : 0;
}

/* ---- zero-copy spans and slices (out of line) -------------------------------------------- */

/* A region of the ring as at most two contiguous spans: [a, a+a_len) then [b, b+b_len). */
typedef struct steady_span {
    void *a;
    size_t a_len; /* elements */
    void *b;
    size_t b_len;
} steady_span;

/* Copies up to n elements from src; returns how many were sent (0 when full or closed).
 * Copies of at least steady_tx_set_nontemporal() bytes use non-temporal (full cache line)
 * stores, fenced before the publish. */
STEADY_API size_t steady_tx_send_slice(steady_tx *tx, const void *src, size_t n);
/* Slice copies of at least min_bytes use non-temporal stores: they write whole cache lines
 * without first reading them, which pays when the consumer runs on another physical core
 * (measured ×3 and more for big slices there) and loses when it runs on the same core or an
 * SMT sibling (the data then leaves the shared cache). 0 (the default) turns it off. Owner. */
STEADY_API void steady_tx_set_nontemporal(steady_tx *tx, size_t min_bytes);
/* Copies up to n elements into dst and consumes them; returns how many. */
STEADY_API size_t steady_rx_take_slice(steady_rx *rx, void *dst, size_t n);
/* Copies up to n head elements into dst without consuming them. */
STEADY_API size_t steady_rx_peek_slice_copy(steady_rx *rx, void *dst, size_t n);
/* The readable region, in place. Valid until the owner takes or advances. */
STEADY_API steady_span steady_rx_peek_slice(steady_rx *rx);
/* The writable region, in place. Valid until the owner sends or advances. */
STEADY_API steady_span steady_tx_poke_slice(steady_tx *tx);
/* Consume / publish exactly min(n, available) elements; returns that count. */
STEADY_API size_t steady_rx_advance_take(steady_rx *rx, size_t n);
STEADY_API size_t steady_tx_advance_send(steady_tx *tx, size_t n);

/* ---- close and totals --------------------------------------------------------------------- */

/* Closes the sending end: no more sends; the consumer drains what is there and then sees
 * CLOSED. Idempotent; always returns true (so it can end a shutdown veto). Owner only: from
 * another actor that actor fails; from a non-actor thread on an owned end it has no effect
 * (the detail says why). */
STEADY_API bool steady_tx_close(steady_tx *tx);
/* Closes the receiving end: the consumer is gone for good; the producer's sends and waits
 * report CLOSED from now on. Idempotent; always returns true. Owner only. */
STEADY_API bool steady_rx_close(steady_rx *rx);

/* The producer closed its end (elements may remain). Any thread. */
STEADY_API bool steady_rx_is_closed(const steady_rx *rx);
/* The producer closed its end and every element has been taken. Owner only. */
STEADY_API bool steady_rx_is_closed_and_empty(steady_rx *rx);
/* The consumer closed its end: sends can never be taken. Any thread. */
STEADY_API bool steady_tx_is_closed(const steady_tx *tx);

/* Monotonic totals; any thread (relaxed snapshots). */
STEADY_API uint64_t steady_channel_sent_total(const steady_channel *ch);
STEADY_API uint64_t steady_channel_taken_total(const steady_channel *ch);
STEADY_API uint64_t steady_channel_capacity(const steady_channel *ch);
/* Bytes per element (as created); 0 for NULL. Any thread. */
STEADY_API uint32_t steady_channel_elem_size(const steady_channel *ch);

#ifdef __cplusplus
}
#endif
#endif
