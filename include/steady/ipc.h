/* steady/ipc.h — a channel between two processes, its ring in a named shared mapping.
 *
 * One process attaches the sending end and another the receiving end of the same name; each
 * end belongs to its own process's graph and is given to one of its actors like any other
 * end (.txs / .rxs at spawn), and every channel operation, wait, slice, peek and total works
 * on it unchanged: the ring is the same steady_ring, only placed in a mapping both processes
 * share (/dev/shm/NAME, as shm_open(3) names it). Whichever side comes first creates the
 * mapping; the other attaches to it. Doorbells cross the processes through futex words in
 * the mapping: a parked actor is woken by the other process's publish or release exactly as
 * in-process (the thread of the actor holding an end parks on the mapping's doorbell as
 * well as its own: no extra thread).
 *
 * Lifetime and restarts. The mapping outlives both processes: what the producer committed
 * (published) stays in the ring until the consumer takes it, and what the consumer took is
 * gone from it. Either process may die (SIGKILL included) and a new one attach in its place:
 * a new producer continues after the last element published (steady_channel_sent_total of
 * its end says how many there were, so it knows where its stream stands), a new consumer
 * starts at the first element not taken (one peeked but not taken is seen again, as after a
 * restart in-process). Nothing committed by either side is lost or repeated.
 *   - The producer's close (steady_tx_close, or its actor's end) ends the stream: the consumer
 *     drains what is left and then sees STEADY_ECLOSED. A closed stream takes no new producer.
 *   - A consumer's close is not the end of the stream: it detaches, and what the producer sends
 *     meanwhile waits in the ring (back-pressure) for the next consumer. The producer can tell
 *     whether one is attached with steady_ipc_peer_attached.
 *   - The mapping is removed when the graph of a side is freed after the stream ended and was
 *     drained; steady_ipc_remove removes a stale one by hand.
 *
 * Checks. A new mapping is made with mode 0600 (this user only). A mapping is refused, with a
 * message naming the difference and the fix, when it belongs to another user, is not a steady
 * channel, was made by another format version, or has another element size, capacity (when one is
 * given) or type fingerprint (when both give one). Each end is held by one process at a time (an
 * open-file-description lock the kernel drops when the process dies): a second producer or consumer
 * is refused with STEADY_EEXIST.
 *
 * Memory ordering across processes needs membarrier(2)'s global expedited barriers (Linux
 * 4.16): attach fails with STEADY_ESYS where they are missing.
 *
 * Thread-safety: attach on the thread that builds the graph (before steady_graph_start), as
 * steady_channel_new; steady_ipc_peer_attached and steady_ipc_remove from any thread.
 */
#ifndef STEADY_IPC_H
#define STEADY_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include "steady/channel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_ipc_opts {
    /* "/NAME": the mapping /dev/shm/NAME. One leading '/', then 1 to 200 of [A-Za-z0-9._-]. */
    const char *name;
    /* The bound. Creating the mapping: >= 1. Attaching to one: 0 takes the mapping's, any
     * other value must equal it. */
    uint64_t capacity;
    uint32_t elem_size; /* bytes per element, >= 1; must equal the mapping's */
    /* A fingerprint of the element type (a hash of its name and field layout); 0: not checked.
     * When both sides give one, they must be equal. */
    uint64_t type_id;
} steady_ipc_opts;

/* Attaches the sending end of the channel opts->name, creating the mapping when there is none,
 * and adds it to `g` (Building) as a channel named "shm:/NAME" whose receiving end lives in
 * another process. Errors: STEADY_EINVAL (NULL arguments, a bad name, a capacity or element
 * size of 0 or too large, a mapping that does not match; the detail says which and how to
 * fix it), STEADY_ECLOSED (the stream was closed by a producer and is not yet drained),
 * STEADY_EEXIST (another process holds the sending end), STEADY_ESTATE (g already started),
 * STEADY_ESYS (a system call failed; the detail names it), STEADY_ENOMEM. */
STEADY_API steady_err steady_ipc_tx_attach(steady_graph *g, const steady_ipc_opts *opts,
                                           steady_tx **tx);
/* The same for the receiving end (no STEADY_ECLOSED: a closed stream is drained, then its
 * takes report STEADY_ECLOSED). */
STEADY_API steady_err steady_ipc_rx_attach(steady_graph *g, const steady_ipc_opts *opts,
                                           steady_rx **rx);

/* True when a process holds the other end of ch, an ipc channel, now. False for a channel
 * that is not one (with a STEADY_EINVAL detail) and for NULL. Any thread. */
STEADY_API bool steady_ipc_peer_attached(const steady_channel *ch);

/* Removes the mapping NAME. STEADY_EEXIST while a process holds either end (nothing is
 * removed), STEADY_EINVAL (bad name; a file there that is not a steady channel is left
 * alone), STEADY_ESYS (it does not exist: ENOENT, or another error). Any thread. */
STEADY_API steady_err steady_ipc_remove(const char *name);
/* true when name is a channel name as opts.name takes it: "/NAME", one leading '/', then 1 to
 * 200 of A-Z a-z 0-9 . _ - (not "." or ".."); false for NULL. No state; any thread. */
STEADY_API bool steady_ipc_name_ok(const char *name);

#ifdef __cplusplus
}
#endif
#endif
