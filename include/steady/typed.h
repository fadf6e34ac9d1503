/* steady/typed.h — typed channels and bundles: no casts, no `.raw`, no element sizes.
 *
 * STEADY_CHANNEL_TYPE(name, T) declares name_tx / name_rx (each wraps one raw end in `.raw`, so
 * a typed end goes wherever the raw calls or STEADY_AVAIL / STEADY_VACANT expect one) and inline
 * functions over them:
 *   name_new(g, "chan", capacity, &tx, &rx)
 *   name_tx_try_send(tx, value)   name_rx_try_take(rx, &value)   name_rx_try_peek(rx, &value)
 *   name_tx_send_wait(a, tx, value)       name_rx_take_wait(a, rx, &value)
 *   name_tx_send_slice(tx, src, n)        name_rx_take_slice(rx, dst, n)
 *   name_tx_send_slice_wait(a, tx, src, n, &sent)   name_rx_take_slice_wait(a, rx, dst, max, &got)
 *   name_rx_peek_slice_copy(rx, dst, n)
 *   name_rx_peek_slice(rx) / name_tx_poke_slice(tx): a name_span of T (two halves, a and b)
 *   name_span_len(s)  name_span_at(s, i): the i-th element across the wrap (NULL past the end)
 *   name_rx_advance_take(rx, n) / name_tx_advance_send(tx, n)
 *   name_tx_produce(tx, max, fill, ctx)   fill(ctx, T *dst, n)
 *   name_rx_consume(rx, max, visit, ctx)  visit(ctx, const T *src, n)
 *   name_tx_vacant / capacity / close / is_closed / channel
 *   name_rx_avail / capacity / close / is_closed / is_closed_and_empty / channel
 *   name_rx_set_showstopper(rx, k, dead)  (dead: a name_tx, or name_no_tx() to drop)
 *   name_rx_showstopper_count(rx)  name_rx_is_showstopper(rx, k)
 *   name_elem: T
 *   name_tee (a tee of T: steady/tee.h): name_tee_new(g, "t", capacity, consumers, &tee, rxs)
 *     (rxs: an array of consumers name_rx), name_tee_ends(tee) for the producer's .txs,
 *     name_tee_try_send / send_wait / send_slice / poke_slice / advance_send / vacant / close
 * The typed try_take, try_peek and take_wait write a zero T to *out when they fail (so a caller
 * never reads an indeterminate value); the raw steady_rx_try_take / try_peek leave the buffer
 * untouched. Each call has the contract of the raw call it wraps (steady/channel.h, wait.h,
 * batch.h, supervise.h), and passing an end of another channel type is a compile error.
 *
 * STEADY_MAP_TYPE(in, out) joins two channel types (in == out is fine):
 *   in_to_out_map(rx, tx, max, map, ctx)   map(ctx, const in_elem *src, out_elem *dst, n)
 *   in_to_out_commit(rx, take, tx, send)   steady_commit1 of a typed input and output
 *
 * STEADY_BUNDLE_TYPE(name, T) declares everything STEADY_CHANNEL_TYPE(name, T) declares (use it
 * instead, not as well), plus name_tx_bundle / name_rx_bundle (each wraps one raw bundle end in
 * `.raw`) and:
 *   name_bundle_new(g, "base", lanes, capacity, &txb, &rxb)
 *   name_tx_bundle_lane(txb, i) -> name_tx        name_rx_bundle_lane(rxb, i) -> name_rx
 *   name_tx_bundle_lanes(txb)                     name_rx_bundle_lanes(rxb)
 *   name_tx_bundle_split(txb, i, &tx)             name_rx_bundle_split(rxb, i, &rx)
 *   name_tx_bundle_join(g, "name", txs, n, &txb)  name_rx_bundle_join(g, "name", rxs, n, &rxb)
 * where txs / rxs are arrays of name_tx / name_rx; a typed join also checks that every lane's
 * element size is sizeof(T). A split-out lane reads as an end whose .raw is NULL.
 *
 * Callbacks of produce / consume / map are called through a small trampoline (one indirect call
 * per contiguous piece, not per element). Thread-safety: as the raw calls (owner only).
 */
#ifndef STEADY_TYPED_H
#define STEADY_TYPED_H

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
#include <type_traits>
#endif

#include "steady/batch.h"
#include "steady/bundle.h"
#include "steady/channel.h"
#include "steady/supervise.h"
#include "steady/tee.h"
#include "steady/wait.h"

/* Generated functions a program does not call must not warn (-Wunused-function). */
#define STEADY__TYPED static inline __attribute__((unused))
/* Ends the generated code (and takes the user's semicolon). Elements are copied bytewise, so a
 * C++ element type must be trivially copyable. */
#ifdef __cplusplus
#define STEADY__ELEMENT_CHECK(name, T)                                                             \
    static_assert(std::is_trivially_copyable<T>::value && alignof(T) <= 64,                        \
                  #name ": a channel element is copied bytewise into 64-byte aligned slots: T "    \
                        "must be trivially copyable and aligned to at most 64 bytes")
#else
#define STEADY__ELEMENT_CHECK(name, T)                                                             \
    _Static_assert(sizeof(T) > 0 && _Alignof(T) <= 64,                                             \
                   #name ": element type must be complete and aligned to at most 64 bytes (the "   \
                         "slots are)")
#endif

/* The first part of STEADY_CHANNEL_TYPE: ends, try calls, slices, spans, close and queries. */
#define STEADY__CHANNEL_CORE(name, T)                                                              \
    typedef struct name##_tx {                                                                     \
        steady_tx *raw;                                                                            \
    } name##_tx;                                                                                   \
    typedef struct name##_rx {                                                                     \
        steady_rx *raw;                                                                            \
    } name##_rx;                                                                                   \
    typedef struct name##_span {                                                                   \
        T *a;                                                                                      \
        size_t a_len;                                                                              \
        T *b;                                                                                      \
        size_t b_len;                                                                              \
    } name##_span;                                                                                 \
    STEADY__TYPED steady_err name##_new(steady_graph *g, const char *chan_name, uint64_t capacity, \
                                        name##_tx *tx, name##_rx *rx)                              \
    {                                                                                              \
        steady_channel_opts o = {chan_name, capacity, (uint32_t)sizeof(T)};                        \
        return steady_channel_new(g, &o, tx ? &tx->raw : NULL, rx ? &rx->raw : NULL);              \
    }                                                                                              \
    STEADY__TYPED steady_err name##_tx_try_send(name##_tx tx, T value)                             \
    {                                                                                              \
        return steady__tx_send_one(tx.raw, &value, sizeof(T));                                     \
    }                                                                                              \
    STEADY__TYPED steady_err name##_rx_try_take(name##_rx rx, T *out)                              \
    {                                                                                              \
        return steady__rx_copy_head(rx.raw, out, sizeof(T), true, true);                           \
    }                                                                                              \
    STEADY__TYPED steady_err name##_rx_try_peek(name##_rx rx, T *out)                              \
    {                                                                                              \
        return steady__rx_copy_head(rx.raw, out, sizeof(T), false, true);                          \
    }                                                                                              \
    STEADY__TYPED size_t name##_tx_send_slice(name##_tx tx, const T *src, size_t n)                \
    {                                                                                              \
        return steady_tx_send_slice(tx.raw, src, n);                                               \
    }                                                                                              \
    STEADY__TYPED size_t name##_rx_take_slice(name##_rx rx, T *dst, size_t n)                      \
    {                                                                                              \
        return steady_rx_take_slice(rx.raw, dst, n);                                               \
    }                                                                                              \
    STEADY__TYPED size_t name##_rx_peek_slice_copy(name##_rx rx, T *dst, size_t n)                 \
    {                                                                                              \
        return steady_rx_peek_slice_copy(rx.raw, dst, n);                                          \
    }                                                                                              \
    STEADY__TYPED name##_span name##_rx_peek_slice(name##_rx rx)                                   \
    {                                                                                              \
        steady_span s = steady_rx_peek_slice(rx.raw);                                              \
        name##_span t = {(T *)s.a, s.a_len, (T *)s.b, s.b_len};                                    \
        return t;                                                                                  \
    }                                                                                              \
    STEADY__TYPED name##_span name##_tx_poke_slice(name##_tx tx)                                   \
    {                                                                                              \
        steady_span s = steady_tx_poke_slice(tx.raw);                                              \
        name##_span t = {(T *)s.a, s.a_len, (T *)s.b, s.b_len};                                    \
        return t;                                                                                  \
    }                                                                                              \
    STEADY__TYPED size_t name##_rx_advance_take(name##_rx rx, size_t n)                            \
    {                                                                                              \
        return steady_rx_advance_take(rx.raw, n);                                                  \
    }                                                                                              \
    STEADY__TYPED size_t name##_tx_advance_send(name##_tx tx, size_t n)                            \
    {                                                                                              \
        return steady_tx_advance_send(tx.raw, n);                                                  \
    }                                                                                              \
    STEADY__TYPED uint64_t name##_rx_avail(name##_rx rx)                                           \
    {                                                                                              \
        return steady_rx_avail(rx.raw);                                                            \
    }                                                                                              \
    STEADY__TYPED uint64_t name##_tx_vacant(name##_tx tx)                                          \
    {                                                                                              \
        return steady_tx_vacant(tx.raw);                                                           \
    }                                                                                              \
    STEADY__TYPED uint64_t name##_rx_capacity(name##_rx rx)                                        \
    {                                                                                              \
        return steady_rx_capacity(rx.raw);                                                         \
    }                                                                                              \
    STEADY__TYPED uint64_t name##_tx_capacity(name##_tx tx)                                        \
    {                                                                                              \
        return steady_tx_capacity(tx.raw);                                                         \
    }                                                                                              \
    STEADY__TYPED bool name##_tx_close(name##_tx tx)                                               \
    {                                                                                              \
        return steady_tx_close(tx.raw);                                                            \
    }                                                                                              \
    STEADY__TYPED bool name##_rx_close(name##_rx rx)                                               \
    {                                                                                              \
        return steady_rx_close(rx.raw);                                                            \
    }                                                                                              \
    STEADY__TYPED bool name##_tx_is_closed(name##_tx tx)                                           \
    {                                                                                              \
        return steady_tx_is_closed(tx.raw);                                                        \
    }                                                                                              \
    STEADY__TYPED bool name##_rx_is_closed(name##_rx rx)                                           \
    {                                                                                              \
        return steady_rx_is_closed(rx.raw);                                                        \
    }                                                                                              \
    STEADY__TYPED bool name##_rx_is_closed_and_empty(name##_rx rx)                                 \
    {                                                                                              \
        return steady_rx_is_closed_and_empty(rx.raw);                                              \
    }                                                                                              \
    typedef T name##_elem

/* Spans: the wrap-aware index, and the typed callbacks of produce / consume. */
#define STEADY__CHANNEL_SPANS(name, T)                                                             \
    STEADY__TYPED size_t name##_span_len(name##_span s)                                            \
    {                                                                                              \
        return s.a_len + s.b_len;                                                                  \
    }                                                                                              \
    STEADY__TYPED T *name##_span_at(name##_span s, size_t i)                                       \
    {                                                                                              \
        return i < s.a_len ? s.a + i : i - s.a_len < s.b_len ? s.b + (i - s.a_len) : NULL;         \
    }                                                                                              \
    typedef void (*name##_fill_fn)(void *ctx, T *dst, size_t n);                                   \
    typedef void (*name##_visit_fn)(void *ctx, const T *src, size_t n);                            \
    typedef struct name##__fill {                                                                  \
        name##_fill_fn fn;                                                                         \
        void *ctx;                                                                                 \
    } name##__fill;                                                                                \
    typedef struct name##__visit {                                                                 \
        name##_visit_fn fn;                                                                        \
        void *ctx;                                                                                 \
    } name##__visit;                                                                               \
    STEADY__TYPED void name##__fill_tramp(void *c, void *dst, size_t n)                            \
    {                                                                                              \
        const name##__fill *f = (const name##__fill *)c;                                           \
        f->fn(f->ctx, (T *)dst, n);                                                                \
    }                                                                                              \
    STEADY__TYPED void name##__visit_tramp(void *c, const void *src, size_t n)                     \
    {                                                                                              \
        const name##__visit *v = (const name##__visit *)c;                                         \
        v->fn(v->ctx, (const T *)src, n);                                                          \
    }                                                                                              \
    STEADY__TYPED size_t name##_tx_produce(name##_tx tx, size_t max, name##_fill_fn fill,          \
                                           void *ctx)                                              \
    {                                                                                              \
        name##__fill f = {fill, ctx};                                                              \
        return steady_tx_produce(tx.raw, max, fill ? name##__fill_tramp : NULL, &f);               \
    }                                                                                              \
    STEADY__TYPED size_t name##_rx_consume(name##_rx rx, size_t max, name##_visit_fn visit,        \
                                           void *ctx)                                              \
    {                                                                                              \
        name##__visit v = {visit, ctx};                                                            \
        return steady_rx_consume(rx.raw, max, visit ? name##__visit_tramp : NULL, &v);             \
    }

/* Waiting send and take: the fast path inline (the try call and one compare). */
#define STEADY__CHANNEL_WAITS(name, T)                                                             \
    /* The wait, out of the caller's hot loop; the retry copies with the constant size. */         \
    __attribute__((noinline, unused)) static steady_err name##__send_wait_more(                    \
        steady_actor *a, name##_tx tx, T value)                                                    \
    {                                                                                              \
        steady_err e;                                                                              \
        do {                                                                                       \
            if ((e = steady__tx_await_room(a, tx.raw)) != STEADY_OK)                               \
                break;                                                                             \
        } while ((e = steady__tx_send_one(tx.raw, &value, sizeof(T))) == STEADY_EFULL);            \
        return e;                                                                                  \
    }                                                                                              \
    STEADY__TYPED steady_err name##_tx_send_wait(steady_actor *a, name##_tx tx, T value)           \
    {                                                                                              \
        steady_err e = steady__tx_send_one(tx.raw, &value, sizeof(T));                             \
        if (__builtin_expect(e == STEADY_EFULL, 0))                                                \
            e = name##__send_wait_more(a, tx, value);                                              \
        return e;                                                                                  \
    }                                                                                              \
    STEADY__TYPED steady_err name##_rx_take_wait(steady_actor *a, name##_rx rx, T *out)            \
    {                                                                                              \
        /* The retry stays inline: a helper taking `out` would keep the caller's value in memory   \
         * (measured: 0.84x in a troupe, bench/send_wait.c). */                                    \
        steady_err e = steady__rx_copy_head(rx.raw, out, sizeof(T), true, true);                   \
        while (__builtin_expect(e == STEADY_EEMPTY, 0)) {                                          \
            if ((e = steady__rx_await_data(a, rx.raw)) != STEADY_OK)                               \
                break;                                                                             \
            e = steady__rx_copy_head(rx.raw, out, sizeof(T), true, true);                          \
        }                                                                                          \
        return e;                                                                                  \
    }                                                                                              \
    STEADY__TYPED steady_err name##_tx_send_slice_wait(steady_actor *a, name##_tx tx,              \
                                                       const T *src, size_t n, size_t *sent)       \
    {                                                                                              \
        return steady_tx_send_slice_wait(a, tx.raw, src, n, sent);                                 \
    }                                                                                              \
    STEADY__TYPED steady_err name##_rx_take_slice_wait(steady_actor *a, name##_rx rx, T *dst,      \
                                                       size_t max, size_t *got)                    \
    {                                                                                              \
        return steady_rx_take_slice_wait(a, rx.raw, dst, max, got);                                \
    }

/* The channel record and supervision's per-input settings. */
#define STEADY__CHANNEL_RECORD(name, T)                                                            \
    STEADY__TYPED steady_channel *name##_tx_channel(name##_tx tx)                                  \
    {                                                                                              \
        return steady_tx_channel(tx.raw);                                                          \
    }                                                                                              \
    STEADY__TYPED steady_channel *name##_rx_channel(name##_rx rx)                                  \
    {                                                                                              \
        return steady_rx_channel(rx.raw);                                                          \
    }                                                                                              \
    STEADY__TYPED name##_tx name##_no_tx(void)                                                     \
    {                                                                                              \
        name##_tx t = {NULL};                                                                      \
        return t;                                                                                  \
    }                                                                                              \
    STEADY__TYPED steady_err name##_rx_set_showstopper(name##_rx rx, uint32_t k, name##_tx dead)   \
    {                                                                                              \
        return steady_rx_set_showstopper(rx.raw, k, dead.raw);                                     \
    }                                                                                              \
    STEADY__TYPED uint32_t name##_rx_showstopper_count(name##_rx rx)                               \
    {                                                                                              \
        return steady_rx_showstopper_count(rx.raw);                                                \
    }                                                                                              \
    STEADY__TYPED bool name##_rx_is_showstopper(name##_rx rx, uint32_t k)                          \
    {                                                                                              \
        return steady_rx_is_showstopper(rx.raw, k);                                                \
    }

/* A typed tee of this element type (steady/tee.h): the producer's handle; consumers get
 * name_rx ends. */
#define STEADY__CHANNEL_TEE(name, T)                                                               \
    typedef struct name##_tee {                                                                    \
        steady_tee *raw;                                                                           \
    } name##_tee;                                                                                  \
    STEADY__TYPED steady_err name##_tee_new(steady_graph *g, const char *tee_name,                 \
                                            uint64_t capacity, uint32_t consumers, name##_tee *t,  \
                                            name##_rx *rxs)                                        \
    {                                                                                              \
        steady_rx *raw[32] = {NULL};                                                               \
        steady_tee_opts o = {tee_name, capacity, (uint32_t)sizeof(T), consumers};                  \
        steady_err e = steady_tee_new(g, &o, t ? &t->raw : NULL, rxs ? raw : NULL);                \
        for (uint32_t i = 0; e == STEADY_OK && i < consumers; i++)                                 \
            rxs[i].raw = raw[i];                                                                   \
        return e;                                                                                  \
    }                                                                                              \
    STEADY__TYPED steady_tx *const *name##_tee_ends(name##_tee t)                                  \
    {                                                                                              \
        return steady_tee_ends(t.raw);                                                             \
    }                                                                                              \
    STEADY__TYPED steady_err name##_tee_try_send(name##_tee t, T value)                            \
    {                                                                                              \
        return steady_tee_try_send(t.raw, &value);                                                 \
    }                                                                                              \
    STEADY__TYPED steady_err name##_tee_send_wait(steady_actor *a, name##_tee t, T value)          \
    {                                                                                              \
        return steady_tee_send_wait(a, t.raw, &value);                                             \
    }                                                                                              \
    STEADY__TYPED size_t name##_tee_send_slice(name##_tee t, const T *src, size_t n)               \
    {                                                                                              \
        return steady_tee_send_slice(t.raw, src, n);                                               \
    }                                                                                              \
    STEADY__TYPED name##_span name##_tee_poke_slice(name##_tee t)                                  \
    {                                                                                              \
        steady_span s = steady_tee_poke_slice(t.raw);                                              \
        name##_span r = {(T *)s.a, s.a_len, (T *)s.b, s.b_len};                                    \
        return r;                                                                                  \
    }                                                                                              \
    STEADY__TYPED size_t name##_tee_advance_send(name##_tee t, size_t n)                           \
    {                                                                                              \
        return steady_tee_advance_send(t.raw, n);                                                  \
    }                                                                                              \
    STEADY__TYPED uint64_t name##_tee_vacant(name##_tee t)                                         \
    {                                                                                              \
        return steady_tee_vacant(t.raw);                                                           \
    }                                                                                              \
    STEADY__TYPED bool name##_tee_close(name##_tee t)                                              \
    {                                                                                              \
        return steady_tee_close(t.raw);                                                            \
    }

/* The whole typed channel (see the top of this header). */
#define STEADY_CHANNEL_TYPE(name, T)                                                               \
    STEADY__CHANNEL_CORE(name, T);                                                                 \
    STEADY__CHANNEL_SPANS(name, T)                                                                 \
    STEADY__CHANNEL_WAITS(name, T)                                                                 \
    STEADY__CHANNEL_RECORD(name, T)                                                                \
    STEADY__CHANNEL_TEE(name, T)                                                                   \
    STEADY__ELEMENT_CHECK(name, T)

/* Two channel types joined by a map and a commit (see the top of this header). */
#define STEADY_MAP_TYPE(in, out)                                                                   \
    typedef void (*in##_to_##out##_fn)(void *ctx, const in##_elem *src, out##_elem *dst,           \
                                       size_t n);                                                  \
    typedef struct in##_to_##out##__map {                                                          \
        in##_to_##out##_fn fn;                                                                     \
        void *ctx;                                                                                 \
    } in##_to_##out##__map;                                                                        \
    STEADY__TYPED void in##_to_##out##__tramp(void *c, const void *src, void *dst, size_t n)       \
    {                                                                                              \
        const in##_to_##out##__map *m = (const in##_to_##out##__map *)c;                           \
        m->fn(m->ctx, (const in##_elem *)src, (out##_elem *)dst, n);                               \
    }                                                                                              \
    STEADY__TYPED size_t in##_to_##out##_map(in##_rx rx, out##_tx tx, size_t max,                  \
                                             in##_to_##out##_fn map, void *ctx)                    \
    {                                                                                              \
        in##_to_##out##__map m = {map, ctx};                                                       \
        return steady_map(rx.raw, tx.raw, max, map ? in##_to_##out##__tramp : NULL, &m);           \
    }                                                                                              \
    STEADY__TYPED steady_err in##_to_##out##_commit(in##_rx rx, size_t take, out##_tx tx,          \
                                                    size_t send)                                   \
    {                                                                                              \
        return steady_commit1(rx.raw, take, tx.raw, send);                                         \
    }                                                                                              \
    STEADY__STATIC_ASSERT(sizeof(in##_elem) > 0 && sizeof(out##_elem) > 0,                         \
                          #in "_to_" #out ": both channel types must be declared first")

/* The typed bundle (see the top of this header). */
#define STEADY_BUNDLE_TYPE(name, T)                                                                \
    STEADY_CHANNEL_TYPE(name, T);                                                                  \
    typedef struct name##_tx_bundle {                                                              \
        steady_tx_bundle *raw;                                                                     \
    } name##_tx_bundle;                                                                            \
    typedef struct name##_rx_bundle {                                                              \
        steady_rx_bundle *raw;                                                                     \
    } name##_rx_bundle;                                                                            \
    STEADY__TYPED steady_err name##_bundle_new(steady_graph *g, const char *base, uint32_t lanes,  \
                                               uint64_t capacity, name##_tx_bundle *txb,           \
                                               name##_rx_bundle *rxb)                              \
    {                                                                                              \
        steady_channel_opts o = {base, capacity, (uint32_t)sizeof(T)};                             \
        return steady_bundle_new(g, &o, lanes, txb ? &txb->raw : NULL, rxb ? &rxb->raw : NULL);    \
    }                                                                                              \
    STEADY__TYPED name##_tx name##_tx_bundle_lane(name##_tx_bundle b, uint32_t i)                  \
    {                                                                                              \
        name##_tx t = {steady_tx_bundle_lane(b.raw, i)};                                           \
        return t;                                                                                  \
    }                                                                                              \
    STEADY__TYPED name##_rx name##_rx_bundle_lane(name##_rx_bundle b, uint32_t i)                  \
    {                                                                                              \
        name##_rx r = {steady_rx_bundle_lane(b.raw, i)};                                           \
        return r;                                                                                  \
    }                                                                                              \
    STEADY__TYPED uint32_t name##_tx_bundle_lanes(name##_tx_bundle b)                              \
    {                                                                                              \
        return steady_tx_bundle_lanes(b.raw);                                                      \
    }                                                                                              \
    STEADY__TYPED uint32_t name##_rx_bundle_lanes(name##_rx_bundle b)                              \
    {                                                                                              \
        return steady_rx_bundle_lanes(b.raw);                                                      \
    }                                                                                              \
    STEADY__TYPED steady_err name##_tx_bundle_split(name##_tx_bundle b, uint32_t i,                \
                                                    name##_tx *out)                                \
    {                                                                                              \
        return steady_tx_bundle_split(b.raw, i, out ? &out->raw : NULL);                           \
    }                                                                                              \
    STEADY__TYPED steady_err name##_rx_bundle_split(name##_rx_bundle b, uint32_t i,                \
                                                    name##_rx *out)                                \
    {                                                                                              \
        return steady_rx_bundle_split(b.raw, i, out ? &out->raw : NULL);                           \
    }                                                                                              \
    STEADY__TYPED size_t name##_rx_bundle_take(name##_rx_bundle b, T *dst, size_t max,             \
                                               uint32_t *lane)                                     \
    {                                                                                              \
        return steady_rx_bundle_take(b.raw, dst, max, lane);                                       \
    }                                                                                              \
    STEADY__TYPED steady_err name##_tx_bundle_join(                                                \
        steady_graph *g, const char *nm, const name##_tx *ends, uint32_t n, name##_tx_bundle *out) \
    {                                                                                              \
        return steady__tx_bundle_join_typed(g, nm, ends, sizeof *ends, n, (uint32_t)sizeof(T),     \
                                            out ? &out->raw : NULL);                               \
    }                                                                                              \
    STEADY__TYPED steady_err name##_rx_bundle_join(                                                \
        steady_graph *g, const char *nm, const name##_rx *ends, uint32_t n, name##_rx_bundle *out) \
    {                                                                                              \
        return steady__rx_bundle_join_typed(g, nm, ends, sizeof *ends, n, (uint32_t)sizeof(T),     \
                                            out ? &out->raw : NULL);                               \
    }                                                                                              \
    STEADY__STATIC_ASSERT(offsetof(name##_rx, raw) == 0 && offsetof(name##_tx, raw) == 0,          \
                          #name ": a typed end is its raw end")

#endif
