/* generator.c — emits 0, 1, 2, ... in order whenever the values channel has room. The worker
 * takes one batch per beat, so each beat lets the generator emit the next batch. */
#include <inttypes.h>

#include "lesson01.h"

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->values)))) {
        steady_reason r = steady_wait_vacant(a, io->values, 1);
        if (r == STEADY_CLOSED)
            break; /* the worker is gone for good */
        if (r != STEADY_READY)
            continue;
        while (u64ch_tx_try_send(io->values, st->next) == STEADY_OK)
            st->next++;
    }
    STEADY_INFO("Generator shutting down. Sent: %" PRIu64, st->next);
    return 0;
}
