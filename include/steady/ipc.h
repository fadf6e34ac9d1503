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
#include "steady/stream.h"

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

/* ---- streams between processes ----
 * A stream (steady/stream.h) whose two channels are each placed in a named mapping:
 * /dev/shm/NAME.lens (one record per message) and /dev/shm/NAME.bytes (the messages' frames),
 * attached as the channels above are (the same checks, locks, lifetime and doorbells), and
 * given to actors as a stream's ends (STEADY_TXS(tx.lens, tx.bytes)). A process killed between
 * the two steps of a send or a take is mended when its successor attaches, as a restarted actor
 * is in-process: a producer's frame published without its record is dropped (the next is
 * written in its place), a consumer's bytes taken but not released are released; so neither a
 * message nor a byte is lost, repeated or misread across SIGKILLs. */
typedef struct steady_ipc_stream_opts {
    /* "/NAME": the mappings NAME.lens and NAME.bytes; NAME as steady_ipc_name_ok takes it, at
     * most 194 bytes (room for ".bytes"). */
    const char *name;
    /* Creating the mappings: messages and frame bytes in flight (as steady_stream_opts; a
     * message's frame takes 8 + its length rounded up to 8, and the largest message is
     * max_bytes / 2 - 8). Attaching: 0 takes the mapping's, any other value must equal it. */
    uint64_t max_messages;
    uint64_t max_bytes;
    uint64_t type_id; /* the messages' fingerprint; 0: not checked */
} steady_ipc_stream_opts;

/* Attaches the sending end of the stream opts->name, creating its mappings when there are
 * none, into *tx (its max_message the largest its bytes hold). Errors as steady_ipc_tx_attach,
 * for either mapping (the detail names it), and STEADY_EINVAL for max_bytes under 32. On an
 * error after the first mapping was attached, free the graph (it holds that end). */
STEADY_API steady_err steady_ipc_stream_tx_attach(steady_graph *g,
                                                  const steady_ipc_stream_opts *opts,
                                                  steady_stream_tx *tx);
/* The same for the receiving end. */
STEADY_API steady_err steady_ipc_stream_rx_attach(steady_graph *g,
                                                  const steady_ipc_stream_opts *opts,
                                                  steady_stream_rx *rx);

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
