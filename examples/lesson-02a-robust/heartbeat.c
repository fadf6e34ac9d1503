/* heartbeat.c — sends a beat every --rate ms; after --beats beats asks the graph to stop.
 *
 * Chaos: it fails (by returning non-zero) right after a send, before it records the beat in
 * its state. Nothing is lost or sent twice, because the count of beats is not the state's: it
 * is the channel's sent total, which moves exactly when a beat is published. A generation that
 * failed after the last beat, before asking for the stop, is followed by one that asks. */
#include <inttypes.h>

#include "lesson02a.h"

void heartbeat_init(void *state, void *args)
{
    heartbeat_state *st = state;
    chaos_arm(&st->chaos, args, 1);
}

static uint64_t beats_sent(const heartbeat_io *io)
{
    return steady_channel_sent_total(u64ch_tx_channel(io->beats));
}

static void announce(heartbeat_state *st, uint64_t sent, const lesson02a_args *args)
{
    if (st->starts++ == 0)
        STEADY_INFO("Heartbeat starting: %" PRIu64 " beats, one every %" PRIu64 " ms", args->beats,
                    args->rate_ms);
    else
        STEADY_INFO("Heartbeat starting (restart #%u): its state recorded %" PRIu64
                    " beats, the channel says %" PRIu64 " were sent; going on from there",
                    st->starts - 1, st->beats_recorded, sent);
}

int heartbeat_run(steady_actor *a, void *arg)
{
    heartbeat_io *io = arg;
    heartbeat_state *st = steady_actor_state(a);
    const lesson02a_args *args = steady_actor_args(a);
    uint64_t sent = beats_sent(io);
    announce(st, sent, args);
    if (sent >= args->beats)
        steady_actor_request_shutdown(a); /* the last generation failed before asking */
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->beats)))) {
        steady_wake w = steady_wait_all(a, STEADY_PERIODIC(STEADY_MS(args->rate_ms)),
                                        STEADY_VACANT(io->beats, 1));
        if (w.reason == STEADY_CLOSED)
            break; /* the worker is gone for good */
        if (w.reason != STEADY_READY || sent >= args->beats ||
            u64ch_tx_try_send(io->beats, sent) != STEADY_OK)
            continue;
        sent++;
        if (chaos_strikes(&st->chaos, sent)) {
            STEADY_WARN(
                "chaos: heartbeat fails after sending beat %" PRIu64 ", before recording it", sent);
            return 1;
        }
        st->beats_recorded = sent;
        STEADY_DEBUG("Heartbeat %" PRIu64 " of %" PRIu64, sent, args->beats);
        if (sent == args->beats)
            steady_actor_request_shutdown(a);
    }
    STEADY_INFO("Heartbeat shutting down. Beats: %" PRIu64, sent);
    return 0;
}
