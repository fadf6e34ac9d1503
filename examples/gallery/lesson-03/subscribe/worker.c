/* worker.c — lesson 03's worker in the project steady-new makes from
 * examples/gallery/lesson-03-subscribe.toml: the values from the other pod become FizzBuzz
 * messages, a batch at a time. Each value is its own sequence number, so the worker audits the
 * stream: a value below the next expected came twice (a repeat), one above it means values
 * were lost (a gap). Over shm and JetStream both stay 0. */
#include <inttypes.h>

#include "lesson03_subscribe_gen.h"

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

typedef struct audit {
    uint64_t gaps, repeats;
} audit;

static void process_batch(worker_io *io, worker_state *st, audit *au)
{
    uint64_t in[BATCH];
    fizzbuzz_msg out[BATCH];
    uint64_t n = uint64_ch_rx_avail(io->values), room = fizzbuzz_msg_ch_tx_vacant(io->fizzbuzz);
    n = n < room ? n : room;
    n = uint64_ch_rx_take_slice(io->values, in, n < BATCH ? n : BATCH);
    uint64_t made = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (in[i] < st->values) {
            au->repeats++;
            continue;
        }
        au->gaps += in[i] - st->values;
        st->values = in[i] + 1;
        out[made++] = fizzbuzz_of(in[i]);
    }
    fizzbuzz_msg_ch_tx_send_slice(io->fizzbuzz, out, made); /* room only grows: all fit */
}

int worker_run(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    worker_state *st = steady_actor_state(a);
    audit au = {0, 0};
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_rx_is_closed_and_empty(io->values)) &&
                                 STEADY_I(fizzbuzz_msg_ch_tx_close(io->fizzbuzz)))) {
        steady_reason r =
            steady_wait_all(a, STEADY_AVAIL(io->values, 1), STEADY_VACANT(io->fizzbuzz, 1)).reason;
        if (r == STEADY_CLOSED) {
            fizzbuzz_msg_ch_tx_close(io->fizzbuzz);
            break; /* the other pod's stream ended and all of it was handled */
        }
        if (r == STEADY_READY)
            process_batch(io, st, &au);
    }
    STEADY_INFO("Worker shutting down. Values: %" PRIu64 ", gaps: %" PRIu64 ", repeats: %" PRIu64,
                st->values, au.gaps, au.repeats);
    return 0;
}
