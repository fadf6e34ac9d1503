/* logger.c — lesson 03's logger in the project steady-new makes from
 * examples/gallery/lesson-03-subscribe.toml: counts the FizzBuzz messages; its last line is the
 * exact total, in lesson 03's words. */
#include <inttypes.h>
#include <stddef.h>

#include "lesson03_subscribe_gen.h"

enum { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ };

int logger_run(steady_actor *a, void *arg)
{
    logger_io *io = arg;
    logger_state *st = steady_actor_state(a);
    fizzbuzz_msg batch[256];
    size_t n;
    while (
        STEADY_RUNNING(a, true && STEADY_I(fizzbuzz_msg_ch_rx_is_closed_and_empty(io->fizzbuzz)))) {
        if (fizzbuzz_msg_ch_rx_take_slice_wait(a, io->fizzbuzz, batch, 256, &n) == STEADY_ECLOSED)
            break;
        for (size_t i = 0; i < n; i++) {
            uint32_t k = batch[i].kind;
            st->fizz += k == FB_FIZZ;
            st->buzz += k == FB_BUZZ;
            st->fizzbuzz += k == FB_FIZZBUZZ;
            st->value += k == FB_VALUE;
        }
    }
    uint64_t total = st->fizz + st->buzz + st->fizzbuzz + st->value;
    STEADY_INFO("Logger shutting down. Total: %" PRIu64 " (F:%" PRIu64 ", B:%" PRIu64
                ", FB:%" PRIu64 ", V:%" PRIu64 ")",
                total, st->fizz, st->buzz, st->fizzbuzz, st->value);
    return 0;
}
