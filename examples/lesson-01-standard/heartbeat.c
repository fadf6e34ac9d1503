/* heartbeat.c — sends a beat every --rate ms; after --beats beats asks the graph to stop. */
#include <inttypes.h>

#include "lesson01.h"

int heartbeat_run(steady_actor *a, void *arg)
{
    heartbeat_io *io = arg;
    heartbeat_state *st = steady_actor_state(a);
    const lesson01_args *args = steady_actor_args(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->beats)))) {
        /* Both: the period has passed, and there is room for the beat. */
        steady_wake w = steady_wait_all(a, STEADY_PERIODIC(STEADY_MS(args->rate_ms)),
                                        STEADY_VACANT(io->beats, 1));
        if (w.reason == STEADY_CLOSED)
            break; /* the worker is gone for good */
        if (w.reason != STEADY_READY || st->count == args->beats)
            continue;
        if (u64ch_tx_try_send(io->beats, st->count) == STEADY_OK) {
            st->count++;
            STEADY_DEBUG("Heartbeat %" PRIu64 " of %" PRIu64, st->count, args->beats);
            if (st->count == args->beats)
                steady_actor_request_shutdown(a);
        }
    }
    STEADY_INFO("Heartbeat shutting down. Beats: %" PRIu64, st->count);
    return 0;
}
