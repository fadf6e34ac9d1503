/* generator.c — emits 0, 1, 2, ... in order whenever the values channel has room.
 *
 * Chaos: it fails (steady_panic) right after publishing a batch, before it records the batch
 * in its state. The next value is therefore never taken from the state: it is the channel's
 * sent total (value i is the i-th element ever sent), which a restarted generation reads back.
 * So a failure anywhere, even between the send and the bookkeeping, neither loses nor repeats
 * a value. */
#include <inttypes.h>

#include "lesson02a.h"

void generator_init(void *state, void *args)
{
    generator_state *st = state;
    chaos_arm(&st->chaos, args, 2);
}

static uint64_t values_sent(const generator_io *io)
{
    return steady_channel_sent_total(u64ch_tx_channel(io->values));
}

static void announce(generator_state *st, uint64_t next)
{
    if (st->starts++ == 0)
        STEADY_INFO("Generator starting at %" PRIu64, next);
    else
        STEADY_INFO("Generator starting (restart #%u): its state recorded %" PRIu64
                    " values, the channel says %" PRIu64 " were sent; resuming at %" PRIu64,
                    st->starts - 1, st->next_recorded, next, next);
}

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a);
    uint64_t next = values_sent(io);
    announce(st, next);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->values)))) {
        steady_reason r = steady_wait_vacant(a, io->values, 1);
        if (r == STEADY_CLOSED)
            break; /* the worker is gone for good */
        if (r != STEADY_READY)
            continue;
        uint64_t first = next;
        while (u64ch_tx_try_send(io->values, next) == STEADY_OK)
            next++;
        if (next == first)
            continue;
        if (chaos_strikes(&st->chaos, ++st->batches))
            steady_panic("chaos: generator fails after sending %" PRIu64 "..%" PRIu64
                         ", before recording them",
                         first, next - 1);
        st->next_recorded = next;
    }
    STEADY_INFO("Generator shutting down. Total generated: %" PRIu64, next);
    return 0;
}
