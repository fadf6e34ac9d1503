/* worker.c — on each beat, turns the values waiting for it into FizzBuzz messages, in one batch.
 *
 * Shutdown ripples down the pipeline: the worker agrees to stop only when both inputs are
 * closed and drained, and then closes its output, so the logger drains everything after it. */
#include <inttypes.h>

#include "lesson01.h"

#define BATCH 256

/* Moves min(values ready, room downstream, BATCH) values through FizzBuzz; returns how many. */
static uint64_t process_batch(worker_io *io, worker_state *st)
{
    uint64_t in[BATCH];
    fizzbuzz_msg out[BATCH];
    uint64_t n = u64ch_rx_avail(io->values);
    uint64_t room = fbch_tx_vacant(io->out);
    n = n < room ? n : room;
    n = n < BATCH ? n : BATCH;
    n = u64ch_rx_take_slice(io->values, in, n);
    for (uint64_t i = 0; i < n; i++)
        out[i] = fizzbuzz_of(in[i]);
    fbch_tx_send_slice(io->out, out, n); /* room only grows: all n fit */
    st->values += n;
    return n;
}

int worker_run(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    worker_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->beats)) &&
                                 STEADY_I(u64ch_rx_is_closed_and_empty(io->values)) &&
                                 STEADY_I(fbch_tx_close(io->out)))) {
        if (!u64ch_rx_is_closed_and_empty(io->beats)) {
            /* Running: one batch per beat. CLOSED or SHUTDOWN: loop to re-check the veto. */
            if (steady_wait_avail(a, io->beats, 1) != STEADY_READY)
                continue;
            uint64_t beat;
            while (u64ch_rx_try_take(io->beats, &beat) == STEADY_OK)
                st->beats++;
        } else {
            /* Draining after the heartbeat stopped, until the generator's end is closed and
             * empty (or the logger is gone): CLOSED is final, so leave the loop. */
            steady_reason r =
                steady_wait_all(a, STEADY_AVAIL(io->values, 1), STEADY_VACANT(io->out, 1)).reason;
            if (r == STEADY_CLOSED)
                break;
            if (r != STEADY_READY)
                continue;
        }
        process_batch(io, st);
    }
    STEADY_INFO("Worker shutting down. Beats: %" PRIu64 ", values: %" PRIu64, st->beats,
                st->values);
    return 0;
}
