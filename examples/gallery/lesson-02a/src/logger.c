/* logger.c — lesson 02A's logger in the project steady-new makes from
 * examples/gallery/lesson-02a.toml: counts the FizzBuzz messages; its last line is the exact
 * total, in lesson 01's words.
 *
 * Peek, count, then take: a generation that failed after counting a batch and before taking
 * it leaves the same messages at the head for the next. So the state records not only the
 * counts but the position they reflect: `counted` is the channel index of the next message to
 * count, and message i (the channel's taken total plus its place in the batch) is counted only
 * when i >= counted. Counting is idempotent, taking is the commit. */
#include <inttypes.h>
#include <stddef.h>

#include "lesson02a_gen.h"

enum { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ };

static void count(logger_state *st, const fizzbuzz_msg *m)
{
    st->fizz += m->kind == FB_FIZZ;
    st->buzz += m->kind == FB_BUZZ;
    st->fizzbuzz += m->kind == FB_FIZZBUZZ;
    st->value += m->kind == FB_VALUE;
}

static uint64_t taken(const logger_io *io)
{
    return steady_channel_taken_total(fizzbuzz_msg_ch_rx_channel(io->fizzbuzz));
}

/* Counts what is ready and not counted yet, then takes it all. */
static void log_batch(logger_io *io, logger_state *st)
{
    fizzbuzz_msg_ch_span s = fizzbuzz_msg_ch_rx_peek_slice(io->fizzbuzz);
    size_t n = fizzbuzz_msg_ch_span_len(s);
    uint64_t head = taken(io);
    for (size_t i = 0; i < n; i++) {
        if (head + i < st->counted)
            continue; /* counted by a generation that failed before taking it */
        count(st, fizzbuzz_msg_ch_span_at(s, i));
        st->counted = head + i + 1;
    }
    fizzbuzz_msg_ch_rx_advance_take(io->fizzbuzz, n);
}

static void announce(logger_state *st, uint64_t head)
{
    if (st->starts++ == 0)
        STEADY_INFO("Logger starting");
    else
        STEADY_INFO("Logger starting (restart #%u) with %" PRIu64 " messages counted; %" PRIu64
                    " of them are still in the channel and will not be counted again",
                    st->starts - 1, st->counted, st->counted - head);
}

int logger_run(steady_actor *a, void *arg)
{
    logger_io *io = arg;
    logger_state *st = steady_actor_state(a); /* kept across restarts */
    uint64_t head = taken(io);
    STEADY_ASSERT(st->counted >= head); /* nothing was ever taken before it was counted */
    announce(st, head);
    while (
        STEADY_RUNNING(a, true && STEADY_I(fizzbuzz_msg_ch_rx_is_closed_and_empty(io->fizzbuzz)))) {
        steady_reason r = steady_wait_avail(a, io->fizzbuzz, 1);
        if (r == STEADY_CLOSED)
            break; /* closed and drained: nothing more will come */
        if (r == STEADY_READY)
            log_batch(io, st);
    }
    uint64_t total = st->fizz + st->buzz + st->fizzbuzz + st->value;
    STEADY_INFO("Logger shutting down. Total: %" PRIu64 " (F:%" PRIu64 ", B:%" PRIu64
                ", FB:%" PRIu64 ", V:%" PRIu64 ")",
                total, st->fizz, st->buzz, st->fizzbuzz, st->value);
    return 0;
}
