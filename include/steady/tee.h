/* steady/tee.h — broadcast (tee) channels: one producer, N consumers, each sees every message.
 *
 * A tee of N consumers is N channels ("NAME[0]" .. "NAME[N-1]") over ONE array of slots: the
 * producer writes each message once and publishes it to every lane; each consumer reads the
 * shared slots through its own lane. So each consumer has an ordinary steady_rx, and everything
 * a channel's receiving end has is per consumer: its own committed head (a restart rewinds only
 * that consumer), peek before commit, showstopper counting, waits, spans in place, close. The
 * slowest consumer applies back-pressure: the producer has room only where every open lane has
 * room, and nothing is dropped. A consumer that closes its end stops holding the others back;
 * sends report ECLOSED only once every consumer is gone. Closing the tee closes every lane, so
 * each consumer drains and sees CLOSED, and the shutdown vote runs as on channels.
 *
 * The producer is given the tee at spawn by listing its lanes' sending ends:
 *     .txs = steady_tee_ends(tee)
 * Those ends are for the spawn list only: send through the steady_tee_* calls, which keep the
 * lanes in step (a lane's end used on its own would let that consumer see slots the others
 * have not been given). Thread-safety: as channels: the owner of the tee (the producer) only;
 * steady_tee_is_closed from any thread.
 */
#ifndef STEADY_TEE_H
#define STEADY_TEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steady/actor.h"
#include "steady/channel.h"
#include "steady/wait.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_tee steady_tee;

typedef struct steady_tee_opts {
    const char *name;   /* required; lane i is channel "NAME[i]" */
    uint64_t capacity;  /* elements in flight (every lane's capacity) */
    uint32_t elem_size; /* bytes per element */
    uint32_t consumers; /* N, 1..31 (a wait for room names every lane) */
} steady_tee_opts;

/* Creates the tee (BUILDING only): *out is the producer's tee, rxs[0..N-1] the consumers'
 * receiving ends. Errors: STEADY_EINVAL (NULL arguments, an empty name, 0 or more than 31
 * consumers, the channels' shape errors), STEADY_ESTATE, STEADY_ENOMEM. */
STEADY_API steady_err steady_tee_new(steady_graph *g, const steady_tee_opts *opts, steady_tee **out,
                                     steady_rx **rxs);

/* The lanes' sending ends, NULL-terminated, for the producer's steady_actor_opts.txs. Valid
 * until steady_graph_free. NULL for a NULL tee. Any thread. */
STEADY_API steady_tx *const *steady_tee_ends(const steady_tee *t);
/* N; 0 for a NULL tee. Any thread. */
STEADY_API uint32_t steady_tee_consumers(const steady_tee *t);

/* Copies one element in and publishes it to every lane. STEADY_OK, STEADY_EFULL (a consumer
 * still open has no room: nothing sent), STEADY_ECLOSED (every consumer is gone), misuse as
 * for channels (STEADY_EINVAL for a NULL tee or elem, STEADY_ENOTOWNER, ...). */
STEADY_API steady_err steady_tee_try_send(steady_tee *t, const void *elem);
/* Copies up to n elements in and publishes them to every lane; returns how many (0 when full,
 * closed or on misuse). */
STEADY_API size_t steady_tee_send_slice(steady_tee *t, const void *src, size_t n);
/* The writable region, in place, as long as every open lane has room; then advance_send
 * publishes n of it to every lane (returns min(n, room)). */
STEADY_API steady_span steady_tee_poke_slice(steady_tee *t);
STEADY_API size_t steady_tee_advance_send(steady_tee *t, size_t n);
/* Room for this many elements (the smallest room of the open lanes; 0 when none is open). */
STEADY_API uint64_t steady_tee_vacant(steady_tee *t);
/* Waits until every open lane has room for n (clamped to the capacity): READY, CLOSED (every
 * consumer gone), SHUTDOWN, TIMEOUT never. Actor's thread. */
STEADY_API steady_reason steady_tee_wait_vacant(steady_actor *a, steady_tee *t, uint64_t n);
/* Sends one element, waiting for room: STEADY_OK, STEADY_ECLOSED, STEADY_ESHUTDOWN (as
 * steady_tx_send_wait). Actor's thread. */
STEADY_API steady_err steady_tee_send_wait(steady_actor *a, steady_tee *t, const void *elem);

/* Closes every lane (idempotent; true, so a veto can end with it). Owner. */
STEADY_API bool steady_tee_close(steady_tee *t);
/* Every consumer has closed its end. Any thread. */
STEADY_API bool steady_tee_is_closed(const steady_tee *t);

#ifdef __cplusplus
}
#endif
#endif
