/* generator.c — lesson 02A's generator in the project steady-new makes from
 * examples/gallery/lesson-02a.toml: 0, 1, 2, ... in order, as many as the values channel has
 * room for.
 *
 * The next value is never taken from the state block: it is the channel's sent total (value i
 * is the i-th element ever sent), which a restarted generation reads back, so a failure even
 * between a send and its bookkeeping neither loses nor repeats a value. The state keeps only
 * where the first generation began, for the last line. */
#include <inttypes.h>

#include "lesson02a_gen.h"

static uint64_t values_sent(const generator_io *io)
{
    return steady_channel_sent_total(uint64_ch_tx_channel(io->values));
}

static void announce(generator_state *st, uint64_t next)
{
    if (st->starts++ == 0) {
        st->first = next;
        STEADY_INFO("Generator starting at %" PRIu64, next);
    } else {
        STEADY_INFO("Generator starting (restart #%u): the channel says %" PRIu64
                    " values were sent; resuming at %" PRIu64,
                    st->starts - 1, next, next);
    }
}

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a); /* kept across restarts */
    uint64_t next = values_sent(io);
    announce(st, next);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_tx_close(io->values)))) {
        steady_reason r = steady_wait_vacant(a, io->values, 1);
        if (r == STEADY_CLOSED)
            break; /* the worker is gone for good */
        if (r != STEADY_READY)
            continue;
        while (uint64_ch_tx_try_send(io->values, next) == STEADY_OK)
            next++;
    }
    STEADY_INFO("Generator shutting down. Sent: %" PRIu64 " (from %" PRIu64 ")", next - st->first,
                st->first);
    return 0;
}
