/* core/channel.h — channel records and their ends' checks (channel.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_CHANNEL_H
#define STEADY_CORE_CHANNEL_H

#include "core/base.h"

struct steady_channel {
    steady_graph *graph;
    uint32_t id;
    char *name;
    steady_ring *ring; /* header + slots, one allocation */
    steady_tx tx;
    steady_rx rx;
    steady_actor *tx_owner; /* set by spawn; the end's owner_gate is set at start */
    steady_actor *rx_owner;
    uint32_t ss_k;      /* steady_rx_set_showstopper: threshold (0: the supervisor leaves it) */
    steady_tx *ss_dead; /* its dead-letter end, or NULL: drop */
    /* The supervisor's showstopper counts (supervise.c). Written on the consumer's thread (or
     * by the warden while the consumer's process is dead); the others read relaxed snapshots.
     * Not in the public ring layout: no user code touches them. */
    _Atomic uint64_t ss_head;    /* the head index the showstopper count refers to */
    _Atomic uint32_t ss_count;   /* failed generations that died holding ss_head */
    _Atomic uint64_t ss_removed; /* showstoppers the supervisor took off (moved or dropped) */
    _Atomic uint64_t ss_dropped; /* of those, dropped */
    steady_channel *next;
};
void steady__channel_free(steady_channel *ch);
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
