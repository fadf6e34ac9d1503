/* worker.c — lesson 02B's worker in the project steady-new makes from
 * examples/gallery/lesson-02b.toml: FizzBuzz a batch at a time, zero copy (the lesson's default
 * --mode): each batch is converted in place from the values ring into the fizzbuzz ring and
 * committed once (map). A message is one 64-bit word: the value below bit 62, Fizz at bit 62,
 * Buzz at bit 63 (both: FizzBuzz). On every beat it logs the rate since the last one. After the
 * heartbeat has finished it drains the generator's values. */
#include <inttypes.h>
#include <stddef.h>

#include "lesson02b_gen.h"

#define BATCH 16384 /* values per step: the generator's */

#define FB_KIND_SHIFT 62
#define FB_VALUE_MASK ((UINT64_C(1) << FB_KIND_SHIFT) - 1)

STEADY_MAP_TYPE(uint64_ch, uint64_ch); /* uint64_ch_to_uint64_ch_map: values -> fizzbuzz */

/* Divisibility by 3 and 5 without division: v is a multiple of the odd d exactly when
 * v * inverse(d) (mod 2^64) <= UINT64_MAX / d. Two multiplies per value, no branch. */
static uint64_t fizzbuzz_encode(uint64_t v)
{
    uint64_t fizz = v * UINT64_C(0xAAAAAAAAAAAAAAAB) <= UINT64_MAX / 3;
    uint64_t buzz = v * UINT64_C(0xCCCCCCCCCCCCCCCD) <= UINT64_MAX / 5;
    return (v & FB_VALUE_MASK) | (fizz << FB_KIND_SHIFT) | (buzz << (FB_KIND_SHIFT + 1));
}

/* Encodes the 15 values base, base+1, ... as out[j] = (base + j) | pattern[j], where pattern
 * is the kinds of those 15. Returns non-zero, writing nothing, when in[] is not that run (in and
 * out may be one buffer: the caller then rereads in). Plain loops the compiler vectorises. */
static uint64_t encode_run(const uint64_t *in, uint64_t *out, uint64_t base,
                           const uint64_t *pattern)
{
    uint64_t bad = 0;
    for (unsigned j = 0; j < 15; j++)
        bad |= in[j] ^ (base + j);
    if (bad)
        return bad;
    for (unsigned j = 0; j < 15; j++)
        out[j] = (base + j) | pattern[j];
    return 0;
}

/* out[i] = fizzbuzz_encode(in[i]) for n values (a map callback). Values usually arrive in order
 * (the generator counts), so runs of 15 consecutive values take the repeating kind pattern; from
 * the first run that is not consecutive, value by value. Exact for any input. */
static void encode_batch(void *ctx, const uint64_t *in, uint64_t *out, size_t n)
{
    (void)ctx;
    size_t i = 0;
    if (n >= 15) {
        uint64_t pattern[15], base = in[0];
        for (unsigned j = 0; j < 15; j++)
            pattern[j] = fizzbuzz_encode((base + j) % 15) & ~FB_VALUE_MASK;
        for (; i + 15 <= n; i += 15, base += 15)
            if (encode_run(in + i, out + i, base, pattern) != 0)
                break;
    }
    for (; i < n; i++)
        out[i] = fizzbuzz_encode(in[i]);
}

/* The rate since the previous beat (none on the first). A figure to read, not to test. */
static void report_rate(worker_state *st)
{
    uint64_t now = steady_clock_monotonic_ns(NULL);
    if (st->ns_at_beat) {
        double secs = (double)(now - st->ns_at_beat) / 1e9;
        STEADY_INFO("Worker: %.1f M msg/s (total %" PRIu64 ")",
                    (double)(st->values - st->values_at_beat) / secs / 1e6, st->values);
    }
    st->ns_at_beat = now;
    st->values_at_beat = st->values;
}

/* A beat, or a full batch in and room for it out. Once the heartbeat has finished, only the
 * batch: the beats' CLOSED would otherwise end every wait at once. */
static steady_reason wait_for_work(steady_actor *a, worker_io *io)
{
    if (uint64_ch_rx_is_closed_and_empty(io->beats))
        return steady_wait_all(a, STEADY_AVAIL(io->values, BATCH),
                               STEADY_VACANT(io->fizzbuzz, BATCH))
            .reason;
    return steady_wait_all_or_first(a, STEADY_AVAIL(io->beats, 1), STEADY_AVAIL(io->values, BATCH),
                                    STEADY_VACANT(io->fizzbuzz, BATCH))
        .reason;
}

int worker_run(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    worker_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_rx_is_closed_and_empty(io->beats)) &&
                                 STEADY_I(uint64_ch_rx_is_closed_and_empty(io->values)) &&
                                 STEADY_I(uint64_ch_tx_close(io->fizzbuzz)))) {
        steady_reason r = wait_for_work(a, io);
        uint64_t beat;
        while (uint64_ch_rx_try_take(io->beats, &beat) == STEADY_OK) {
            st->beats++;
            report_rate(st);
        }
        size_t n = uint64_ch_to_uint64_ch_map(io->values, io->fizzbuzz, BATCH, encode_batch, NULL);
        st->values += n;
        if (r == STEADY_CLOSED && n == 0) {
            /* CLOSED is final: the values are finished, or the logger is gone... */
            if (uint64_ch_rx_is_closed_and_empty(io->values) ||
                uint64_ch_tx_is_closed(io->fizzbuzz))
                break; /* returning closes the fizzbuzz channel */
            /* ...or the values closed with less than a batch left and the output is full. */
            steady_wait_vacant(a, io->fizzbuzz, 1);
        }
    }
    STEADY_INFO("Worker shutting down. Beats: %" PRIu64 ", values: %" PRIu64, st->beats,
                st->values);
    return 0;
}
