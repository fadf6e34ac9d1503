/* steady/batch.h — zero-copy batches in a few lines, and the transactional commit.
 *
 * A ring's readable or writable region is at most two contiguous spans (it wraps once), and a
 * transfer between two rings is at most three pieces (each wraps at its own place). These
 * helpers walk those pieces for you, so a batch is one call:
 *
 *   steady_tx_produce(tx, max, fill, ctx)   fill(ctx, dst, n) writes n elements in place,
 *                                           then they are published together;
 *   steady_rx_consume(rx, max, visit, ctx)  visit(ctx, src, n) reads n elements in place,
 *                                           then they are taken together;
 *   steady_map(rx, tx, max, map, ctx)       map(ctx, src, dst, n) turns n input elements into
 *                                           n output elements in place; then the outputs are
 *                                           published and the inputs taken, in one commit.
 *
 * Double buffering, as the Rust original's lesson 02B does it by hand, is then: wait for half a
 * channel in and half a channel of room out, and map it; the producer refills the half just
 * freed while the next half is processed:
 *
 *   steady_wake w = steady_wait_all(a, STEADY_AVAIL(in, cap / 2), STEADY_VACANT(out, cap / 2));
 *   steady_map(in.raw, out.raw, cap / 2, encode, NULL);
 *
 * Peek before commit: nothing a callback sees leaves its channel until the helper returns.
 * If the actor fails inside a callback, the inputs are still at the head and no output was
 * published, so a restarted actor sees exactly the same input (exactly once, in-process).
 *
 * steady_commit generalises the last step: take n_i from several inputs and publish m_j to
 * several outputs in one call, all or nothing. Thread-safety: as every channel operation, only
 * the owner of each end may call these.
 */
#ifndef STEADY_BATCH_H
#define STEADY_BATCH_H

#include <stddef.h>

#include "steady/channel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*steady_fill_fn)(void *ctx, void *dst, size_t n);
typedef void (*steady_visit_fn)(void *ctx, const void *src, size_t n);
typedef void (*steady_map_fn)(void *ctx, const void *src, void *dst, size_t n);

/* Fills up to max free slots in place (fill may be called twice, across the wrap) and
 * publishes them; returns the count (0 when full, closed or max is 0). */
STEADY_API size_t steady_tx_produce(steady_tx *tx, size_t max, steady_fill_fn fill, void *ctx);

/* Visits up to max ready elements in place (visit may be called twice) and takes them;
 * returns the count. */
STEADY_API size_t steady_rx_consume(steady_rx *rx, size_t max, steady_visit_fn visit, void *ctx);

/* Maps min(ready in, free out, max) elements from rx to tx in place (map may be called up to
 * three times), then publishes the outputs and takes the inputs; returns the count. The two
 * channels may have different element types; map converts element by element. */
STEADY_API size_t steady_map(steady_rx *rx, steady_tx *tx, size_t max, steady_map_fn map,
                             void *ctx);

/* The transactional commit: takes takes[i] elements from rxs[i] and publishes sends[j]
 * elements (already written in place, through poke_slice) on txs[j], all or nothing. Each
 * count must not exceed what the end has ready (take) or free (send); otherwise nothing moves
 * and STEADY_EINVAL is returned with a detail naming the channel. Outputs are published before
 * inputs are taken. Owner of every end only. */
STEADY_API steady_err steady_commit(steady_rx *const *rxs, const size_t *takes, size_t n_rx,
                                    steady_tx *const *txs, const size_t *sends, size_t n_tx);

/* steady_commit for the common one-input, one-output case. */
static inline steady_err steady_commit1(steady_rx *rx, size_t take, steady_tx *tx, size_t send)
{
    return steady_commit(&rx, &take, 1, &tx, &send, 1);
}

#ifdef __cplusplus
}
#endif
#endif
