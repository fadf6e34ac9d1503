/* generator.c — emits 0, 1, 2, ... in order, waiting for room in the values channel. The worker
 * takes one batch per beat, so each beat lets the generator emit the next batch.
 *
 * u64ch_tx_send_wait sends one value, waiting for room as long as it takes; it ends early with
 * STEADY_ECLOSED (the worker is gone for good) or STEADY_ESHUTDOWN (shutdown was requested:
 * the loop's veto decides). With room it costs what try_send costs. */
#include <inttypes.h>

#include "lesson01.h"

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->values)))) {
        steady_err e = u64ch_tx_send_wait(a, io->values, st->next);
        if (e == STEADY_ECLOSED)
            break; /* the worker is gone for good */
        st->next += e == STEADY_OK;
    }
    STEADY_INFO("Generator shutting down. Sent: %" PRIu64, st->next);
    return 0;
}
