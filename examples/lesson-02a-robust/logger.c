/* logger.c — counts the FizzBuzz messages; its last line is the exact total.
 *
 * Chaos: it fails (a failed STEADY_ASSERT) at the worst moment: after counting a batch, before
 * taking it. The restarted generation finds the same messages at the head again (peek before
 * commit), so it must not count them twice. Its state therefore records not only the counts
 * but the position they reflect: `counted` is the channel index of the next message to count,
 * and message i (the channel's taken total plus its place in the batch) is counted only when
 * i >= counted. Counting is idempotent, taking is the commit, and a failure between the two
 * costs nothing. */
#include <inttypes.h>

#include "lesson02a.h"

void logger_init(void *state, void *args)
{
    logger_state *st = state;
    chaos_arm(&st->chaos, args, 3);
}

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

static uint64_t taken(const logger_io *io)
{
    return steady_channel_taken_total(fbch_rx_channel(io->in));
}

/* Counts what is ready and not counted yet, then takes it all. */
static void log_batch(logger_io *io, logger_state *st)
{
    fbch_span s = fbch_rx_peek_slice(io->in);
    size_t n = fbch_span_len(s);
    uint64_t head = taken(io);
    for (size_t i = 0; i < n; i++) {
        if (head + i < st->counted)
            continue; /* counted by a generation that failed before taking it */
        count(st, fbch_span_at(s, i));
        st->counted = head + i + 1;
    }
    bool chaos = n > 0 && chaos_strikes(&st->chaos, ++st->batches);
    if (chaos)
        STEADY_WARN("chaos: logger fails after counting messages %" PRIu64 "..%" PRIu64
                    ", before taking them",
                    head, head + n - 1);
    STEADY_ASSERT(!chaos);
    fbch_rx_advance_take(io->in, n);
}

static void announce(logger_state *st, uint64_t head)
{
    if (st->starts++ == 0) {
        STEADY_INFO("Logger starting");
        return;
    }
    STEADY_INFO("Logger starting (restart #%u) with %" PRIu64 " messages counted (F:%" PRIu64
                ", B:%" PRIu64 ", FB:%" PRIu64 ", V:%" PRIu64 "); %" PRIu64
                " of them are still in the channel and will not be counted again",
                st->starts - 1, st->counted, st->fizz, st->buzz, st->fizzbuzz, st->value,
                st->counted - head);
}

int logger_run(steady_actor *a, void *arg)
{
    logger_io *io = arg;
    logger_state *st = steady_actor_state(a);
    uint64_t head = taken(io);
    STEADY_ASSERT(st->counted >= head); /* nothing was ever taken before it was counted */
    announce(st, head);
    while (STEADY_RUNNING(a, STEADY_I(fbch_rx_is_closed_and_empty(io->in)))) {
        steady_reason r = steady_wait_avail(a, io->in, 1);
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
