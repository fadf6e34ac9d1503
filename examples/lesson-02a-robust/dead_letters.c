/* dead_letters.c — receives what the supervisor moved aside (the showstoppers) and logs it.
 *
 * The worker's supervisor sends into this channel on the worker's behalf, from the worker's
 * own end (listed in the worker's txs); this actor only reads. */
#include <inttypes.h>

#include "lesson02a.h"

int dead_letters_run(steady_actor *a, void *arg)
{
    dead_letters_io *io = arg;
    dead_letters_state *st = steady_actor_state(a);
    if (st->starts++)
        STEADY_INFO("Dead letters starting (restart #%u) with %" PRIu64 " received", st->starts - 1,
                    st->count);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)))) {
        steady_reason r = steady_wait_avail(a, io->in, 1);
        if (r == STEADY_CLOSED)
            break;
        uint64_t v;
        while (r == STEADY_READY && u64ch_rx_try_take(io->in, &v) == STEADY_OK) {
            st->count++;
            STEADY_WARN("dead letter: %" PRIu64 " (moved aside after %u failed tries)", v,
                        SHOWSTOPPER_TRIES);
        }
    }
    STEADY_INFO("Dead letters shutting down. Total: %" PRIu64, st->count);
    return 0;
}
