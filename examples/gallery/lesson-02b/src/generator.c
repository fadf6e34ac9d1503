/* generator.c — lesson 02B's generator in the project steady-new makes from
 * examples/gallery/lesson-02b.toml: 0, 1, 2, ... as fast as the worker drains them, written
 * straight into the ring a batch at a time (produce: fill in place, then one publish). */
#include <inttypes.h>
#include <stddef.h>

#include "lesson02b_gen.h"

/* Values per step: lesson 02B's batch for one troupe, an eighth of the channel, so a step's
 * values are still in the core's caches when the worker converts them. */
#define BATCH 16384

/* Writes the next n values in place (called once per contiguous span of free slots). */
static void fill(void *ctx, uint64_t *dst, size_t n)
{
    generator_state *st = ctx;
    for (size_t i = 0; i < n; i++)
        dst[i] = st->next + i;
    st->next += n;
}

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_tx_close(io->values)))) {
        if (steady_wait_vacant(a, io->values, BATCH) == STEADY_CLOSED)
            break; /* the worker is gone */
        uint64_ch_tx_produce(io->values, BATCH, fill, st);
    }
    /* The state starts at zero with the graph and survives restarts (it is not durable), so
     * next is everything this graph sent, from 0. */
    STEADY_INFO("Generator shutting down. Sent: %" PRIu64 " (from 0)", st->next);
    return 0;
}
