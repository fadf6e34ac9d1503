/* heartbeat.c — lesson 01's heartbeat in the project steady-new makes from
 * examples/gallery/lesson-01.toml: a beat every period (HEARTBEAT_PERIOD_MS, from the
 * description); after BEATS beats it asks the graph to stop. The generated file with its
 * body filled in (tests/new/lesson_test.sh copies it over src/heartbeat.c). */
#include <inttypes.h>

#include "lesson01_gen.h"

#define BEATS 20

int heartbeat_run(steady_actor *a, void *arg)
{
    heartbeat_io *io = arg;
    heartbeat_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_tx_close(io->beats)))) {
        steady_reason r = steady_wait_all(a, STEADY_PERIODIC(HEARTBEAT_PERIOD_MS * 1000000ull),
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
