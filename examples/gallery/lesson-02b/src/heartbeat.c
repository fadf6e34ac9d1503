/* heartbeat.c — lesson 02B's heartbeat in the project steady-new makes from
 * examples/gallery/lesson-02b.toml: a beat every period (HEARTBEAT_PERIOD_MS, from the
 * description); after BEATS beats it asks the graph to stop, which ends the run (the lesson's
 * --rate and --beats, fixed here: the generated program has no such options). */
#include <inttypes.h>

#include "lesson02b_gen.h"

#define BEATS 10

int heartbeat_run(steady_actor *a, void *arg)
{
    heartbeat_io *io = arg;
    heartbeat_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_tx_close(io->beats)))) {
        steady_reason r = steady_wait_all(a, STEADY_PERIODIC(STEADY_MS(HEARTBEAT_PERIOD_MS)),
                                          STEADY_VACANT(io->beats, 1))
                              .reason;
        if (r == STEADY_CLOSED)
            break; /* the worker is gone */
        if (r != STEADY_READY || st->count == BEATS)
            continue;
        if (uint64_ch_tx_try_send(io->beats, st->count) == STEADY_OK && ++st->count == BEATS)
            steady_actor_request_shutdown(a);
    }
    STEADY_INFO("Heartbeat shutting down. Beats: %" PRIu64, st->count);
    return 0;
}
