/* heartbeat.c — lesson 03's heartbeat in the project steady-new makes from
 * examples/gallery/lesson-03-publish.toml: a beat every period (HEARTBEAT_PERIOD_MS); after
 * BEATS beats it closes its output and ends, and the pod winds down behind it. */
#include <inttypes.h>

#include "lesson03_publish_gen.h"

#define BEATS 50

int heartbeat_run(steady_actor *a, void *arg)
{
    heartbeat_io *io = arg;
    heartbeat_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_tx_close(io->beats)))) {
        steady_reason r = steady_wait_all(a, STEADY_PERIODIC(HEARTBEAT_PERIOD_MS * 1000000ull),
                                          STEADY_VACANT(io->beats, 1))
                              .reason;
        if (r == STEADY_CLOSED)
            break; /* the generator is gone */
        if (r != STEADY_READY)
            continue; /* SHUTDOWN: look at the veto again */
        if (uint64_ch_tx_try_send(io->beats, st->count) == STEADY_OK && ++st->count == BEATS) {
            uint64_ch_tx_close(io->beats);
            break;
        }
    }
    STEADY_INFO("Heartbeat shutting down. Beats: %" PRIu64, st->count);
    return 0;
}
