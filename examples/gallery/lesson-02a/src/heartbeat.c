/* heartbeat.c — lesson 02A's heartbeat in the project steady-new makes from
 * examples/gallery/lesson-02a.toml: a beat every HEARTBEAT_PERIOD_MS (from the description);
 * after BEATS beats it asks the graph to stop.
 *
 * The count of beats is not kept in the state block: it is the channel's sent total, which
 * moves exactly when a beat is published, so a restarted generation neither loses nor repeats
 * a beat, and one that finds all BEATS sent asks for the stop its predecessor may not have. */
#include <inttypes.h>

#include "lesson02a_gen.h"

#define BEATS 50

static uint64_t beats_sent(const heartbeat_io *io)
{
    return steady_channel_sent_total(uint64_ch_tx_channel(io->beats));
}

static void announce(heartbeat_state *st, uint64_t sent)
{
    if (st->starts++ == 0)
        STEADY_INFO("Heartbeat starting: %u beats, one every %u ms", BEATS, HEARTBEAT_PERIOD_MS);
    else
        STEADY_INFO("Heartbeat starting (restart #%u): the channel says %" PRIu64
                    " beats were sent; going on from there",
                    st->starts - 1, sent);
}

int heartbeat_run(steady_actor *a, void *arg)
{
    heartbeat_io *io = arg;
    heartbeat_state *st = steady_actor_state(a); /* kept across restarts */
    uint64_t sent = beats_sent(io);
    announce(st, sent);
    if (sent >= BEATS)
        steady_actor_request_shutdown(a); /* the last generation failed before asking */
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_tx_close(io->beats)))) {
        steady_reason r = steady_wait_all(a, STEADY_PERIODIC(HEARTBEAT_PERIOD_MS * 1000000ull),
                                          STEADY_VACANT(io->beats, 1))
                              .reason;
        if (r == STEADY_CLOSED)
            break; /* the worker is gone for good */
        if (r != STEADY_READY || sent >= BEATS ||
            uint64_ch_tx_try_send(io->beats, sent) != STEADY_OK)
            continue;
        if (++sent == BEATS)
            steady_actor_request_shutdown(a);
    }
    STEADY_INFO("Heartbeat shutting down. Beats: %" PRIu64, sent);
    return 0;
}
