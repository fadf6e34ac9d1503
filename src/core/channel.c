/* core/channel.c — channel creation and the out-of-line channel operations.
 *
 * One allocation holds the steady_ring header and the slots (a power of two >= capacity, so
 * an index maps to a slot with a mask); the bound checked on every send is the capacity the
 * user asked for. The hot single-element paths are inline in steady/channel.h; here are
 * slices, spans, close, the cold wake-up paths and misuse reporting.
 */
#include "core/internal.h"

#include <stdio.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

uint64_t steady__next_pow2(uint64_t v)
{
    uint64_t p = 1;
    while (p < v)
        p <<= 1;
    return p;
}

static void init_end_common(steady_channel *ch, uint64_t mask, uint32_t elem, unsigned char *slots)
{
    ch->tx = (steady_tx){.ring = ch->ring,
                         .slots = slots,
                         .mask = mask,
                         .capacity = ch->ring->capacity,
                         .limit = ch->ring->capacity, /* head 0 + capacity */
                         .elem_size = elem,
                         .channel = ch};
    ch->rx = (steady_rx){.ring = ch->ring,
                         .slots = slots,
                         .mask = mask,
                         .capacity = ch->ring->capacity,
                         .elem_size = elem,
                         .owner_gate = STEADY__GATE_RX,
                         .channel = ch};
}

static steady_err check_opts(const steady_graph *g, const steady_channel_opts *o, steady_tx **tx,
                             steady_rx **rx)
{
    const char *nm = o && o->name ? o->name : "(unnamed)";
    if (!g || !o || !tx || !rx)
        return steady__fail(STEADY_EINVAL, "steady_channel_new: graph, opts, tx and rx must not "
                                           "be NULL");
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "channel '%s': channels can only be created before "
                            "steady_graph_start()",
                            nm);
    if (o->name && !o->name[0])
        return steady__fail(STEADY_EINVAL, "steady_channel_new: opts.name is empty; give a "
                                           "name, or NULL for the default ('channel-N')");
    if (o->capacity == 0)
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': capacity 0 can hold nothing; give a "
                            "capacity of at least 1",
                            nm);
    if (o->elem_size == 0)
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': element size 0; give sizeof(your "
                            "message type)",
                            nm);
    if (o->capacity > (UINT64_C(1) << 40) ||
        steady__next_pow2(o->capacity) > (SIZE_MAX - sizeof(steady_ring)) / o->elem_size)
        return steady__fail(STEADY_EINVAL,
                            "channel '%s': capacity %llu x %u bytes is too large (at most 2^40 "
                            "elements, and the rounded-up ring must fit in memory); give a "
                            "smaller capacity, or send pointers or indices instead of large "
                            "elements",
                            nm, (unsigned long long)o->capacity, o->elem_size);
    return STEADY_OK;
}

/* The id -> channel index inspect.c reads (doubling; freed with the graph). */
static bool index_channel(steady_graph *g, steady_channel *ch)
{
    if (g->n_channels == g->channel_by_id_cap) {
        uint32_t cap = g->channel_by_id_cap ? g->channel_by_id_cap * 2 : 16;
        steady_channel **v = steady__alloc((size_t)cap * sizeof *v);
        if (!v)
            return false;
        if (g->channel_by_id)
            memcpy(v, g->channel_by_id, (size_t)g->n_channels * sizeof *v);
        steady__free(g->channel_by_id);
        g->channel_by_id = v;
        g->channel_by_id_cap = cap;
    }
    g->channel_by_id[g->n_channels] = ch;
    return true;
}

steady_err steady_channel_new(steady_graph *g, const steady_channel_opts *o, steady_tx **tx,
                              steady_rx **rx)
{
    return steady__channel_new_sharing(g, o, NULL, tx, rx);
}

/* The record, its name and its index entry; ring and ends are the caller's. */
static steady_err new_record(steady_graph *g, const steady_channel_opts *o, steady_channel **out)
{
    steady_channel *ch = steady__shm_alloc(g->shm, sizeof *ch, STEADY_CACHE_LINE);
    if (!ch) {
        char why[256];
        steady__shm_why(g->shm, why, sizeof why);
        return steady__fail(STEADY_ENOMEM, "channel '%s': no memory for its record: %s",
                            o->name ? o->name : "(unnamed)", why);
    }
    ch->graph = g;
    ch->id = g->n_channels;
    char defname[32];
    snprintf(defname, sizeof defname, "channel-%u", ch->id);
    ch->name = steady__strdup(o->name ? o->name : defname);
    if (!ch->name)
        return steady__fail(STEADY_ENOMEM, "channel '%s': out of memory for its name",
                            o->name ? o->name : defname);
    *out = ch;
    return STEADY_OK;
}

/* Ends over ch->ring (its fields set), then the record joins the graph. */
static steady_err add_record(steady_graph *g, steady_channel *ch, unsigned char *slots,
                             steady_tx **tx, steady_rx **rx)
{
    init_end_common(ch, ch->ring->slots - 1, ch->ring->elem_size, slots);
    if (!index_channel(g, ch)) {
        steady_err e = steady__fail(STEADY_ENOMEM,
                                    "channel '%s': out of memory for the channel index", ch->name);
        steady__channel_free(ch);
        return e;
    }
    g->n_channels++;
    *g->channels_tail = ch;
    g->channels_tail = &ch->next;
    *tx = &ch->tx;
    *rx = &ch->rx;
    return STEADY_OK;
}

steady_err steady__channel_new_sharing(steady_graph *g, const steady_channel_opts *o,
                                       const steady_channel *primary, steady_tx **tx,
                                       steady_rx **rx)
{
    steady_err e = check_opts(g, o, tx, rx);
    if (e != STEADY_OK)
        return e;
    uint64_t slots = steady__next_pow2(o->capacity);
    steady_channel *ch = NULL;
    if ((e = new_record(g, o, &ch)) != STEADY_OK)
        return e;
    size_t own = primary ? 0 : (size_t)slots * o->elem_size; /* a sharer has no slots */
    ch->ring = steady__shm_alloc(g->shm, sizeof(steady_ring) + own, STEADY_CACHE_LINE);
    if (!ch->ring) {
        char why[256];
        steady__shm_why(g->shm, why, sizeof why);
        e = steady__fail(STEADY_ENOMEM,
                         "channel '%s': no memory for a ring of %llu slots of %u bytes "
                         "(%llu KiB): %s",
                         ch->name, (unsigned long long)slots, o->elem_size,
                         (unsigned long long)((slots * o->elem_size) >> 10), why);
        steady__channel_free(ch);
        return e;
    }
    ch->ring->capacity = o->capacity;
    ch->ring->slots = slots;
    ch->ring->elem_size = o->elem_size;
    steady__latency_init(ch);
    return add_record(g, ch,
                      primary ? primary->tx.slots : (unsigned char *)ch->ring + sizeof(steady_ring),
                      tx, rx);
}

steady_err steady__channel_new_at(steady_graph *g, const steady_channel_opts *o, steady_ring *ring,
                                  steady_tx **tx, steady_rx **rx)
{
    steady_err e = check_opts(g, o, tx, rx);
    if (e != STEADY_OK)
        return e;
    steady_channel *ch = NULL;
    if ((e = new_record(g, o, &ch)) != STEADY_OK)
        return e;
    ch->ring = ring;
    return add_record(g, ch, (unsigned char *)ring + sizeof(steady_ring), tx, rx);
}

/* The record and the ring go with the graph's shared memory. */
void steady__channel_free(steady_channel *ch)
{
    steady__free(ch->name);
    ch->name = NULL;
}

static struct steady__bell *owner_bell(steady_actor *a)
{
    return a && a->troupe ? &a->troupe->bell : NULL;
}

void steady__channel_wire(steady_channel *ch)
{
    /* Actors are 64-byte aligned, so the gate bits (0 at start) sit below the address. */
    atomic_store_explicit(&ch->tx.owner_gate, (uintptr_t)ch->tx_owner, memory_order_relaxed);
    atomic_store_explicit(&ch->rx.owner_gate, (uintptr_t)ch->rx_owner | STEADY__GATE_RX,
                          memory_order_relaxed);
    if (ch->ipc) /* the peer is in another process: its doorbell is in the mapping (ipc.c) */
        return;
    ch->tx.peer_bell = owner_bell(ch->rx_owner);
    ch->rx.peer_bell = owner_bell(ch->tx_owner);
}

const char *steady_channel_name(const steady_channel *ch)
{
    if (!ch) {
        steady__fail(STEADY_EINVAL, "steady_channel_name: the channel is NULL");
        return "";
    }
    return ch->name;
}

/* ---- an end's kind ---- */

/* Both layouts keep owner_gate and channel at one offset (asserted in steady/channel.h): read
 * them through the member's own type at that offset, whichever kind the pointer claims. */
static uintptr_t gate_of(const void *end)
{
    const _Atomic uintptr_t *g =
        (const _Atomic uintptr_t *)(const void *)((const unsigned char *)end +
                                                  offsetof(steady_tx, owner_gate));
    return atomic_load_explicit(g, memory_order_relaxed);
}

bool steady__end_is_rx(const void *end)
{
    return (gate_of(end) & STEADY__GATE_RX) != 0;
}

steady_channel *steady__end_channel(const void *end)
{
    return *(steady_channel *const *)(const void *)((const unsigned char *)end +
                                                    offsetof(steady_tx, channel));
}

/* A NULL end, or one of the other kind, given to operation `op`, which takes a receiving end
 * when want_rx. */
static steady_err wrong_end(const void *end, bool want_rx, const char *op)
{
    const char *want = want_rx ? "receiving" : "sending", *type = want_rx ? "rx" : "tx";
    if (!end)
        return steady__misuse(STEADY_EINVAL,
                              "%s on a NULL %s end; pass the %s end (steady_%s *) of a channel", op,
                              want, want, type);
    return steady__misuse(STEADY_EINVAL,
                          "%s on channel '%s': that is its %s end, and %s takes a %s end; pass "
                          "its %s end (steady_%s *)",
                          op, steady__end_channel(end)->name, want_rx ? "sending" : "receiving", op,
                          want, want, type);
}

steady_err steady__tx_check(const steady_tx *tx, const char *op)
{
    return tx && !steady__end_is_rx(tx) ? STEADY_OK : wrong_end(tx, false, op);
}

steady_err steady__rx_check(const steady_rx *rx, const char *op)
{
    return rx && steady__end_is_rx(rx) ? STEADY_OK : wrong_end(rx, true, op);
}

steady_err steady__null_arg(const char *op, const char *arg)
{
    return steady__misuse(STEADY_EINVAL,
                          "%s: %s is NULL; pass a buffer of the channel's element "
                          "size",
                          op ? op : "?", arg ? arg : "an argument");
}

steady_channel *steady_tx_channel(const steady_tx *tx)
{
    if (tx && !steady__end_is_rx(tx))
        return tx->channel;
    steady__fail(STEADY_EINVAL, "steady_tx_channel: %s", tx ? "that is a receiving end" : "NULL");
    return NULL;
}

steady_channel *steady_rx_channel(const steady_rx *rx)
{
    if (rx && steady__end_is_rx(rx))
        return rx->channel;
    steady__fail(STEADY_EINVAL, "steady_rx_channel: %s", rx ? "that is a sending end" : "NULL");
    return NULL;
}

/* ---- cold paths ---- */

void steady__tx_wake_peer(steady_tx *tx, uint64_t want)
{
    if (!tx)
        return;
    /* Only the waker that clears the want rings: one wake per parked threshold. */
    /* acq_rel: the one waker that clears the want rings; pairs with the waiter's publish of the
     * want (wait.c) and with another waker's clear. */
    if (atomic_compare_exchange_strong_explicit(&tx->ring->rx_want, &want, 0, memory_order_acq_rel,
                                                memory_order_relaxed) &&
        tx->peer_bell)
        steady__bell_ring(tx->peer_bell);
}

void steady__rx_wake_peer(steady_rx *rx, uint64_t want)
{
    if (!rx)
        return;
    /* acq_rel: as in steady__tx_wake_peer, for the producer's want. */
    if (atomic_compare_exchange_strong_explicit(&rx->ring->tx_want, &want, 0, memory_order_acq_rel,
                                                memory_order_relaxed) &&
        rx->peer_bell)
        steady__bell_ring(rx->peer_bell);
}

static steady_err misuse(steady_actor *owner, bool closed, const char *chan, const char *end,
                         const char *op)
{
    steady_actor *self = steady__self;
    if (closed && owner == self && self)
        return steady__misuse(STEADY_ECLOSED,
                              "%s on channel '%s' after closing its %s end; stop using an "
                              "end once it is closed",
                              op, chan, end);
    if (self)
        return steady__misuse(STEADY_ENOTOWNER,
                              "%s on channel '%s' (%s end), which %s%s%s; list the end in "
                              ".%s of the actor that uses it",
                              op, chan, end, owner ? "belongs to actor '" : "was given to no actor",
                              owner ? steady_actor_label(owner) : "", owner ? "'" : "",
                              end[0] == 's' ? "txs" : "rxs");
    if (closed)
        return steady__fail(STEADY_ECLOSED, "%s on channel '%s' after its %s end was closed", op,
                            chan, end);
    return steady__fail(STEADY_ENOTOWNER,
                        "%s on channel '%s' (%s end) from outside its owner "
                        "actor '%s'; only the owner may use an end while the "
                        "graph runs",
                        op, chan, end, owner ? steady_actor_label(owner) : "?");
}

static bool own_closed(_Atomic uintptr_t *owner_gate)
{
    return atomic_load_explicit(owner_gate, memory_order_relaxed) & STEADY__GATE_OWN_CLOSED;
}

steady_err steady__tx_misuse(steady_tx *tx, const char *op)
{
    steady_err e = steady__tx_check(tx, op);
    if (e != STEADY_OK)
        return e;
    return misuse(steady__tx_owner(tx), own_closed(&tx->owner_gate), tx->channel->name, "sending",
                  op);
}

steady_err steady__rx_misuse(steady_rx *rx, const char *op)
{
    steady_err e = steady__rx_check(rx, op);
    if (e != STEADY_OK)
        return e;
    return misuse(steady__rx_owner(rx), own_closed(&rx->owner_gate), rx->channel->name, "receiving",
                  op);
}

steady_err steady__tx_stopped(steady_tx *tx, const char *op)
{
    steady_err e = steady__tx_check(tx, op);
    if (e != STEADY_OK)
        return e;
    if (!steady__tx_owned(tx) || own_closed(&tx->owner_gate))
        return steady__tx_misuse(tx, op);
    return STEADY_ECLOSED; /* the consumer is gone for good */
}

steady_err steady__rx_stopped(steady_rx *rx, const char *op)
{
    return steady__rx_misuse(rx, op); /* only misuse closes an rx gate */
}

/* ---- spans and slices ---- */

static steady_span span_of(unsigned char *slots, uint64_t mask, uint32_t elem, uint64_t start,
                           uint64_t count)
{
    uint64_t first = start & mask;
    uint64_t a_len = mask + 1 - first;
    if (a_len > count)
        a_len = count;
    steady_span s = {slots + first * elem, (size_t)a_len, slots, (size_t)(count - a_len)};
    if (s.b_len == 0)
        s.b = NULL;
    if (s.a_len == 0)
        s.a = NULL;
    return s;
}

static bool tx_usable(steady_tx *tx, const char *op)
{
    if (!steady__tx_open(tx)) {
        steady__tx_stopped(tx, op);
        return false;
    }
    return !atomic_load_explicit(&tx->ring->rx_closed, memory_order_relaxed);
}

static bool rx_usable(steady_rx *rx, const char *op)
{
    if (!steady__rx_open(rx)) {
        steady__rx_stopped(rx, op);
        return false;
    }
    return true;
}

steady_span steady_tx_poke_slice(steady_tx *tx)
{
    steady_span none = {NULL, 0, NULL, 0};
    if (!tx_usable(tx, "poke_slice"))
        return none;
    return span_of(tx->slots, tx->mask, tx->elem_size, tx->tail, steady__tx_room(tx, UINT64_MAX));
}

steady_span steady_rx_peek_slice(steady_rx *rx)
{
    steady_span none = {NULL, 0, NULL, 0};
    if (!rx_usable(rx, "peek_slice"))
        return none;
    uint64_t ready = steady__rx_ready(rx, UINT64_MAX);
    if (ready)
        rx->peeked = rx->head + 1; /* for showstopper counting if this generation fails */
    return span_of(rx->slots, rx->mask, rx->elem_size, rx->head, ready);
}

size_t steady_tx_advance_send(steady_tx *tx, size_t n)
{
    if (!tx_usable(tx, "advance_send"))
        return 0;
    uint64_t room = steady__tx_room(tx, n);
    uint64_t k = n < room ? n : room;
    if (k)
        steady__tx_publish(tx, k);
    return (size_t)k;
}

size_t steady_rx_advance_take(steady_rx *rx, size_t n)
{
    if (!rx_usable(rx, "advance_take"))
        return 0;
    uint64_t ready = steady__rx_ready(rx, n);
    uint64_t k = n < ready ? n : ready;
    if (k)
        steady__rx_release(rx, k);
    return (size_t)k;
}

/* Non-temporal copy: whole-line stores that skip the read-for-ownership of lines the consumer
 * may hold. The caller fences (steady__stream_fence) before publishing. */
static void stream_copy(unsigned char *dst, const unsigned char *src, size_t bytes)
{
#if defined(__x86_64__)
    size_t head = (16 - ((uintptr_t)dst & 15)) & 15;
    if (head > bytes)
        head = bytes;
    memcpy(dst, src, head);
    dst += head, src += head, bytes -= head;
    for (; bytes >= 64; dst += 64, src += 64, bytes -= 64) {
        __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)src);
        __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(src + 16));
        __m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(src + 32));
        __m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(src + 48));
        _mm_stream_si128((__m128i *)(void *)dst, x0);
        _mm_stream_si128((__m128i *)(void *)(dst + 16), x1);
        _mm_stream_si128((__m128i *)(void *)(dst + 32), x2);
        _mm_stream_si128((__m128i *)(void *)(dst + 48), x3);
    }
    memcpy(dst, src, bytes);
#else
    memcpy(dst, src, bytes);
#endif
}

static void copy_piece(unsigned char *dst, const unsigned char *src, size_t bytes, bool stream)
{
    if (stream)
        stream_copy(dst, src, bytes);
    else
        memcpy(dst, src, bytes);
}

static void copy_in(steady_span s, const unsigned char *src, size_t k, uint32_t elem, bool stream)
{
    size_t a = k < s.a_len ? k : s.a_len;
    copy_piece(s.a, src, a * elem, stream);
    if (k > a)
        copy_piece(s.b, src + a * elem, (k - a) * elem, stream);
#if defined(__x86_64__)
    /* Non-temporal stores are weakly ordered: the release store of tail that follows would
     * not order them. The sfence does. */
    if (stream)
        _mm_sfence();
#endif
}

void steady_tx_set_nontemporal(steady_tx *tx, size_t min_bytes)
{
    if (!steady__tx_open(tx) && steady__tx_stopped(tx, "set_nontemporal") != STEADY_ECLOSED)
        return;
    tx->stream_bytes = min_bytes;
}

static void copy_out(steady_span s, unsigned char *dst, size_t k, uint32_t elem)
{
    size_t a = k < s.a_len ? k : s.a_len;
    memcpy(dst, s.a, a * elem);
    if (k > a)
        memcpy(dst + a * elem, s.b, (k - a) * elem);
}

size_t steady_tx_send_slice(steady_tx *tx, const void *src, size_t n)
{
    if (!tx_usable(tx, "send_slice") || n == 0)
        return 0;
    if (!src) {
        steady__null_arg("send_slice", "src");
        return 0;
    }
    steady_span s = span_of(tx->slots, tx->mask, tx->elem_size, tx->tail, steady__tx_room(tx, n));
    size_t k = s.a_len + s.b_len < n ? s.a_len + s.b_len : n;
    if (k == 0)
        return 0;
    copy_in(s, src, k, tx->elem_size,
            tx->stream_bytes != 0 && (uint64_t)k * tx->elem_size >= tx->stream_bytes);
    steady__tx_publish(tx, k);
    return k;
}

static size_t rx_copy(steady_rx *rx, void *dst, size_t n, bool consume, const char *op)
{
    if (!rx_usable(rx, op) || n == 0)
        return 0;
    if (!dst) {
        steady__null_arg(op, "dst");
        return 0;
    }
    steady_span s = span_of(rx->slots, rx->mask, rx->elem_size, rx->head, steady__rx_ready(rx, n));
    size_t k = s.a_len + s.b_len < n ? s.a_len + s.b_len : n;
    if (k == 0)
        return 0;
    copy_out(s, dst, k, rx->elem_size);
    if (consume)
        steady__rx_release(rx, k);
    else
        rx->peeked = rx->head + 1;
    return k;
}

size_t steady_rx_take_slice(steady_rx *rx, void *dst, size_t n)
{
    return rx_copy(rx, dst, n, true, "take_slice");
}

size_t steady_rx_peek_slice_copy(steady_rx *rx, void *dst, size_t n)
{
    return rx_copy(rx, dst, n, false, "peek_slice_copy");
}

/* ---- close and totals ---- */

bool steady_tx_close(steady_tx *tx)
{
    if (steady__tx_check(tx, "close") != STEADY_OK)
        return true;
    if (own_closed(&tx->owner_gate))
        return true;
    if (!steady__tx_owned(tx)) {
        steady__tx_misuse(tx, "close");
        return true;
    }
    atomic_fetch_or_explicit(&tx->owner_gate, STEADY__GATE_OWN_CLOSED, memory_order_relaxed);
    /* release: pairs with the consumer's acquire load of tx_closed; every publish before the
     * close is then visible with it. */
    atomic_store_explicit(&tx->ring->tx_closed, 1, memory_order_release);
    uint64_t want = atomic_load_explicit(&tx->ring->rx_want, memory_order_relaxed);
    if (want)
        steady__tx_wake_peer(tx, want);
    return true;
}

bool steady_rx_close(steady_rx *rx)
{
    if (steady__rx_check(rx, "close") != STEADY_OK)
        return true;
    if (own_closed(&rx->owner_gate))
        return true;
    if (!steady__rx_owned(rx)) {
        steady__rx_misuse(rx, "close");
        return true;
    }
    atomic_fetch_or_explicit(&rx->owner_gate, STEADY__GATE_OWN_CLOSED, memory_order_relaxed);
    /* Across processes a consumer that leaves only detaches: what the producer sends waits in
     * the ring for the next consumer (steady/ipc.h). */
    if (rx->channel->ipc)
        return true;
    /* release: pairs with the producer's acquire loads of rx_closed (steady__tx_blocked, waits). */
    atomic_store_explicit(&rx->ring->rx_closed, 1, memory_order_release);
    /* In-process, also close the producer's gate so its next send reports CLOSED without a
     * look at the ring (relaxed: the send needs the fact, not any data ordered before it). */
    atomic_fetch_or_explicit(&rx->channel->tx.owner_gate, STEADY__GATE_PEER_GONE,
                             memory_order_relaxed);
    uint64_t want = atomic_load_explicit(&rx->ring->tx_want, memory_order_relaxed);
    if (want)
        steady__rx_wake_peer(rx, want);
    return true;
}

/* The queries below answer for any thread: a NULL end, or one of the other kind, reads as
 * false / 0 with a STEADY_EINVAL detail, and never fails an actor. */
static bool query_ok(const void *end, bool want_rx, const char *fn)
{
    if (end && steady__end_is_rx(end) == want_rx)
        return true;
    steady__fail(STEADY_EINVAL, "%s: %s", fn,
                 !end      ? "the end is NULL"
                 : want_rx ? "that is a sending end; pass a receiving end"
                           : "that is a receiving end; pass a sending end");
    return false;
}

bool steady_rx_is_closed(const steady_rx *rx)
{
    return query_ok(rx, true, "steady_rx_is_closed") &&
           /* acquire: pairs with the release store in steady_tx_close (after the producer's last
              publish). */
           atomic_load_explicit(&rx->ring->tx_closed, memory_order_acquire) != 0;
}

bool steady_rx_is_closed_and_empty(steady_rx *rx)
{
    /* Owner only: another thread's read of head would race with the owner's takes. */
    if (steady__rx_check(rx, "is_closed_and_empty") != STEADY_OK)
        return false;
    if (!steady__rx_owned(rx)) {
        steady__rx_misuse(rx, "is_closed_and_empty");
        return false;
    }
    /* acquire on tx_closed first: the producer's final tail is then visible to the read. */
    /* acquire: pairs with the release store in steady_tx_close (after the producer's last publish).
     */
    return atomic_load_explicit(&rx->ring->tx_closed, memory_order_acquire) &&
           /* acquire: pairs with the producer's release of tail (steady__tx_publish_to). */
           atomic_load_explicit(&rx->ring->tail, memory_order_acquire) == rx->head;
}

bool steady_tx_is_closed(const steady_tx *tx)
{
    return query_ok(tx, false, "steady_tx_is_closed") &&
           /* acquire: pairs with the release store in steady_rx_close. */
           atomic_load_explicit(&tx->ring->rx_closed, memory_order_acquire) != 0;
}

static bool channel_ok(const steady_channel *ch, const char *fn)
{
    if (!ch)
        steady__fail(STEADY_EINVAL, "%s: the channel is NULL", fn);
    return ch != NULL;
}

uint64_t steady_channel_sent_total(const steady_channel *ch)
{
    return channel_ok(ch, "steady_channel_sent_total")
               ? atomic_load_explicit(&ch->ring->tail, memory_order_relaxed)
               : 0;
}

uint64_t steady_channel_taken_total(const steady_channel *ch)
{
    return channel_ok(ch, "steady_channel_taken_total")
               ? atomic_load_explicit(&ch->ring->head, memory_order_relaxed)
               : 0;
}

uint64_t steady_channel_capacity(const steady_channel *ch)
{
    return channel_ok(ch, "steady_channel_capacity") ? ch->ring->capacity : 0;
}

uint32_t steady_channel_elem_size(const steady_channel *ch)
{
    return channel_ok(ch, "steady_channel_elem_size") ? ch->ring->elem_size : 0;
}
