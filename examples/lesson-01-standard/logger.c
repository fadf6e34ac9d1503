/* logger.c — counts the FizzBuzz messages; its last line is the exact total.
 *
 * fbch_rx_take_slice_wait waits until a message is there and takes up to a batch of them; it
 * ends with STEADY_ECLOSED once the worker has closed its end and everything was taken. */
#include <inttypes.h>

#include "lesson01.h"

static void count(logger_state *st, const fizzbuzz_msg *m)
{
    switch ((fizzbuzz_kind)m->kind) {
    case FB_FIZZ: st->fizz++; break;
    case FB_BUZZ: st->buzz++; break;
    case FB_FIZZBUZZ: st->fizzbuzz++; break;
    case FB_VALUE: st->value++; break;
    }
    STEADY_TRACE("Msg %s %" PRIu64,
                 m->kind == FB_FIZZ       ? "Fizz"
                 : m->kind == FB_BUZZ     ? "Buzz"
                 : m->kind == FB_FIZZBUZZ ? "FizzBuzz"
                                          : "Value",
                 m->value);
}

int logger_run(steady_actor *a, void *arg)
{
    logger_io *io = arg;
    logger_state *st = steady_actor_state(a);
    fizzbuzz_msg batch[256];
    size_t n;
    while (STEADY_RUNNING(a, STEADY_I(fbch_rx_is_closed_and_empty(io->in)))) {
        if (fbch_rx_take_slice_wait(a, io->in, batch, 256, &n) == STEADY_ECLOSED)
            break; /* closed and drained: nothing more will come */
        for (size_t i = 0; i < n; i++)
            count(st, &batch[i]);
    }
    uint64_t total = st->fizz + st->buzz + st->fizzbuzz + st->value;
    STEADY_INFO("Logger shutting down. Total: %" PRIu64 " (F:%" PRIu64 ", B:%" PRIu64
                ", FB:%" PRIu64 ", V:%" PRIu64 ")",
                total, st->fizz, st->buzz, st->fizzbuzz, st->value);
    return 0;
}
