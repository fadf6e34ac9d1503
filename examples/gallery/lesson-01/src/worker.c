/* worker.c — lesson 01's worker in the project steady-new makes from
 * examples/gallery/lesson-01.toml: on each beat, the values waiting become FizzBuzz messages,
 * in one batch; after the heartbeat stopped it drains the generator's values. */
#include <inttypes.h>

#include "lesson01_gen.h"

#define BATCH 256

enum { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ };

static fizzbuzz_msg fizzbuzz_of(uint64_t v)
{
    fizzbuzz_msg m = {v, v % 15 == 0  ? FB_FIZZBUZZ
                         : v % 3 == 0 ? FB_FIZZ
                         : v % 5 == 0 ? FB_BUZZ
                                      : FB_VALUE};
    return m;
}

static void process_batch(worker_io *io, worker_state *st)
{
    uint64_t in[BATCH];
    fizzbuzz_msg out[BATCH];
    uint64_t n = uint64_ch_rx_avail(io->values), room = fizzbuzz_msg_ch_tx_vacant(io->fizzbuzz);
    n = n < room ? n : room;
    n = n < BATCH ? n : BATCH;
    n = uint64_ch_rx_take_slice(io->values, in, n);
    for (uint64_t i = 0; i < n; i++)
        out[i] = fizzbuzz_of(in[i]);
    fizzbuzz_msg_ch_tx_send_slice(io->fizzbuzz, out, n); /* room only grows: all n fit */
    st->values += n;
}

int worker_run(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    worker_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_rx_is_closed_and_empty(io->beats)) &&
                                 STEADY_I(uint64_ch_rx_is_closed_and_empty(io->values)) &&
                                 STEADY_I(fizzbuzz_msg_ch_tx_close(io->fizzbuzz)))) {
        if (!uint64_ch_rx_is_closed_and_empty(io->beats)) {
            if (steady_wait_avail(a, io->beats, 1) != STEADY_READY)
                continue;
            uint64_t beat;
            while (uint64_ch_rx_try_take(io->beats, &beat) == STEADY_OK)
                st->beats++;
        } else {
            steady_reason r =
                steady_wait_all(a, STEADY_AVAIL(io->values, 1), STEADY_VACANT(io->fizzbuzz, 1))
                    .reason;
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
