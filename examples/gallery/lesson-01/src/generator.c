/* generator.c — lesson 01's generator in the project steady-new makes from
 * examples/gallery/lesson-01.toml: 0, 1, 2, ... in order, waiting for room. Its state is
 * durable (the description says so): a run started again goes on from where the last ended. */
#include <inttypes.h>

#include "lesson01_gen.h"

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a);
    uint64_t first = st->next;
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_tx_close(io->values)))) {
        steady_err e = uint64_ch_tx_send_wait(a, io->values, st->next);
        if (e == STEADY_ECLOSED)
            break; /* the worker is gone */
        st->next += e == STEADY_OK;
    }
    STEADY_INFO("Generator shutting down. Sent: %" PRIu64 " (from %" PRIu64 ")", st->next - first,
                first);
    return 0;
}
