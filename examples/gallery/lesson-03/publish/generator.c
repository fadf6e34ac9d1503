/* generator.c — lesson 03's generator in the project steady-new makes from
 * examples/gallery/lesson-03-publish.toml: on each beat the next BATCH values (0, 1, 2, ...),
 * to the other pod, waiting for room (its back-pressure). Once the beats end it closes the
 * values: the close crosses to the other pod, which stops once it has handled them all. */
#include <inttypes.h>

#include "lesson03_publish_gen.h"

#define BATCH 100

/* Sends BATCH values; false when the other pod closed the channel or the graph is stopping. */
static bool send_batch(steady_actor *a, generator_io *io, generator_state *st)
{
    for (uint64_t end = st->next + BATCH; st->next < end;) {
        uint64_t v[BATCH], n = end - st->next;
        for (uint64_t i = 0; i < n; i++)
            v[i] = st->next + i;
        st->next += uint64_ch_tx_send_slice(io->values, v, n);
        if (st->next < end && steady_wait_vacant(a, io->values, 1) != STEADY_READY)
            return false;
    }
    return true;
}

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a);
    uint64_t first = st->next;
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_rx_is_closed_and_empty(io->beats)) &&
                                 STEADY_I(uint64_ch_tx_close(io->values)))) {
        steady_reason r = steady_wait_avail(a, io->beats, 1);
        if (r == STEADY_CLOSED) { /* the last beat was handled: the stream ends here */
            uint64_ch_tx_close(io->values);
            break;
        }
        uint64_t beat;
        while (r == STEADY_READY && uint64_ch_rx_try_take(io->beats, &beat) == STEADY_OK)
            if (!send_batch(a, io, st))
                break;
    }
    STEADY_INFO("Generator shutting down. Sent: %" PRIu64 " (from %" PRIu64 ")", st->next - first,
                first);
    return 0;
}
