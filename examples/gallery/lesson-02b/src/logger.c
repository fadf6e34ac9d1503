/* logger.c — lesson 02B's logger in the project steady-new makes from
 * examples/gallery/lesson-02b.toml: counts each kind of FizzBuzz message in place, a batch at a
 * time (consume: read in the ring, then one take); its last line is the exact total, in lesson
 * 01's words. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "lesson02b_gen.h"

#define BATCH 16384 /* the worker's step: wake once per batch, not per message */

/* A message is one word: Fizz at bit 62, Buzz at bit 63 (the worker's encoding). */
#define FB_KIND_SHIFT 62

enum { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ };

/* The kind is two flag bits, so the counts are sums of bits: additions that vectorise, with no
 * per-message branch or table. */
static void count(void *ctx, const uint64_t *m, size_t n)
{
    logger_state *st = ctx;
    uint64_t fizz_bits = 0, buzz_bits = 0, both = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t fizz = (m[i] >> FB_KIND_SHIFT) & 1, buzz = m[i] >> (FB_KIND_SHIFT + 1);
        fizz_bits += fizz;
        buzz_bits += buzz;
        both += fizz & buzz;
    }
    st->counts[FB_FIZZ] += fizz_bits - both;
    st->counts[FB_BUZZ] += buzz_bits - both;
    st->counts[FB_FIZZBUZZ] += both;
    st->counts[FB_VALUE] += n - fizz_bits - buzz_bits + both;
}

int logger_run(steady_actor *a, void *arg)
{
    logger_io *io = arg;
    logger_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_rx_is_closed_and_empty(io->fizzbuzz)))) {
        /* CLOSED with messages left: the last, short batch */
        if (steady_wait_avail(a, io->fizzbuzz, BATCH) == STEADY_CLOSED &&
            uint64_ch_rx_is_closed_and_empty(io->fizzbuzz))
            break;
        uint64_ch_rx_consume(io->fizzbuzz, SIZE_MAX, count, st);
    }
    uint64_t *c = st->counts;
    STEADY_INFO("Logger shutting down. Total: %" PRIu64 " (F:%" PRIu64 ", B:%" PRIu64
                ", FB:%" PRIu64 ", V:%" PRIu64 ")",
                c[0] + c[1] + c[2] + c[3], c[FB_FIZZ], c[FB_BUZZ], c[FB_FIZZBUZZ], c[FB_VALUE]);
    return 0;
}
