/*
 * layout.h: what headers_cxx17_test.cpp compares between C and C++ (layout_c.c is compiled as C
 * into the same program). Both languages must see the same public structs, byte for byte: the
 * library is C, its users may be C++, and the channel fast paths read the handles and the ring
 * inline in the user's language (C11 _Atomic in C, std::atomic in C++).
 *
 * HEADERS_SIZES lists every public struct; HEADERS_FIELDS the fields the inline code reads or
 * that follow an atomic (where a different atomic layout would first show). A struct whose
 * fields change shows here as a build error naming the field: update the list.
 */
#ifndef HEADERS_LAYOUT_H
#define HEADERS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include <steady/steady.h>

#define HEADERS_SIZES(X)                                                                           \
    X(steady_ring)                                                                                 \
    X(steady_tx)                                                                                   \
    X(steady_rx)                                                                                   \
    X(steady_channel_opts)                                                                         \
    X(steady_span)                                                                                 \
    X(steady_tx_bundle)                                                                            \
    X(steady_rx_bundle)                                                                            \
    X(steady_cond)                                                                                 \
    X(steady_wake)                                                                                 \
    X(steady_actor_opts)                                                                           \
    X(steady_troupe_opts)                                                                          \
    X(steady_graph_opts)                                                                           \
    X(steady_policy)                                                                               \
    X(steady_allocator)                                                                            \
    X(steady_clock)                                                                                \
    X(steady_sched)

#define HEADERS_FIELDS(X)                                                                          \
    X(steady_ring, tail)                                                                           \
    X(steady_ring, head)                                                                           \
    X(steady_ring, rx_want)                                                                        \
    X(steady_ring, tx_want)                                                                        \
    X(steady_ring, capacity)                                                                       \
    X(steady_ring, slots)                                                                          \
    X(steady_ring, elem_size)                                                                      \
    X(steady_ring, tx_closed)                                                                      \
    X(steady_ring, rx_closed)                                                                      \
    X(steady_tx, ring)                                                                             \
    X(steady_tx, slots)                                                                            \
    X(steady_tx, mask)                                                                             \
    X(steady_tx, capacity)                                                                         \
    X(steady_tx, tail)                                                                             \
    X(steady_tx, limit)                                                                            \
    X(steady_tx, elem_size)                                                                        \
    X(steady_tx, owner_gate)                                                                       \
    X(steady_tx, peer_bell)                                                                        \
    X(steady_tx, channel)                                                                          \
    X(steady_rx, ring)                                                                             \
    X(steady_rx, slots)                                                                            \
    X(steady_rx, mask)                                                                             \
    X(steady_rx, capacity)                                                                         \
    X(steady_rx, head)                                                                             \
    X(steady_rx, tail_cache)                                                                       \
    X(steady_rx, peeked)                                                                           \
    X(steady_rx, elem_size)                                                                        \
    X(steady_rx, owner_gate)                                                                       \
    X(steady_rx, peer_bell)                                                                        \
    X(steady_rx, channel)                                                                          \
    X(steady_tx_bundle, lane)                                                                      \
    X(steady_tx_bundle, lanes)                                                                     \
    X(steady_tx_bundle, name)                                                                      \
    X(steady_rx_bundle, lane)                                                                      \
    X(steady_rx_bundle, lanes)                                                                     \
    X(steady_rx_bundle, name)                                                                      \
    X(steady_cond, kind)                                                                           \
    X(steady_cond, n)                                                                              \
    X(steady_cond, rx)                                                                             \
    X(steady_cond, tx_bundle)                                                                      \
    X(steady_cond, lane)                                                                           \
    X(steady_actor_opts, txs)                                                                      \
    X(steady_actor_opts, rx_bundles)                                                               \
    X(steady_actor_opts, state_path)                                                               \
    X(steady_actor_opts, isolated)                                                                 \
    X(steady_graph_opts, clock)                                                                    \
    X(steady_graph_opts, fail_fast)                                                                \
    X(steady_policy, escalation)

typedef struct headers_layout {
    const char *what; /* "steady_ring" or "steady_ring.tail" */
    size_t value;     /* sizeof, or offsetof */
} headers_layout;

#ifdef __cplusplus
extern "C" {
#endif

/* Implemented in C (layout_c.c). */
extern const headers_layout headers_c_layout[];
extern const size_t headers_c_layout_count;
steady_policy headers_c_policy_default(void);
steady_cond headers_c_cond_avail_lane(steady_rx_bundle *b, uint64_t n, uint32_t *lane);
/* The C inline fast paths, for a C++ caller to mix with its own on one channel. */
steady_err headers_c_try_send(steady_tx *tx, uint64_t v);
steady_err headers_c_try_take(steady_rx *rx, uint64_t *v);

#ifdef __cplusplus
}
#endif

#define HEADERS_SIZE_ROW(S) {#S, sizeof(S)},
#define HEADERS_FIELD_ROW(S, f) {#S "." #f, offsetof(S, f)},

#endif
