/* core/channel.h — channel records and their ends' checks (channel.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_CHANNEL_H
#define STEADY_CORE_CHANNEL_H

#include "core/base.h"

void steady__channel_free(steady_channel *ch);
/* steady_channel_new, whose ring has no slots of its own when primary is not NULL: both ends
 * read and write primary's slots (a tee's lanes, tee.c). primary must have the same capacity
 * and element size. */
steady_err steady__channel_new_sharing(steady_graph *g, const steady_channel_opts *o,
                                       const steady_channel *primary, steady_tx **tx,
                                       steady_rx **rx);
/* The smallest power of two >= v (1 for 0): a ring's slot count. */
uint64_t steady__next_pow2(uint64_t v);
/* steady_channel_new over a ring the caller made, its capacity, slots and element size set, the
 * slots right after it (a ring in a mapping shared with another process, ipc.c). */
steady_err steady__channel_new_at(steady_graph *g, const steady_channel_opts *o, steady_ring *ring,
                                  steady_tx **tx, steady_rx **rx);
/* An end's kind, read from its tag (steady/channel.h): any non-NULL end pointer, whichever its
 * declared type. */
bool steady__end_is_rx(const void *end);
steady_channel *steady__end_channel(const void *end);
/* STEADY_OK when `tx` is a sending end (rx: a receiving end); otherwise the misuse is reported
 * (steady__misuse: STEADY_EINVAL naming operation `op`, the channel and the fix). */
steady_err steady__tx_check(const steady_tx *tx, const char *op);
steady_err steady__rx_check(const steady_rx *rx, const char *op);
/* Points each end's peer_bell at the other side's thread bell and sets the owners. Start. */
void steady__channel_wire(steady_channel *ch);

#endif
