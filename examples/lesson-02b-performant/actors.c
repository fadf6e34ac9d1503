/* actors.c — the four actors of lesson 02B. */
#include <inttypes.h>
#include <string.h>

#include "lesson02b.h"

static uint64_t elapsed_ns(void)
{
    return steady_clock_monotonic_ns(NULL);
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* ---- heartbeat: a beat every --rate ms; shutdown after --beats ---- */

int heartbeat_run(steady_actor *a, void *arg)
{
    heartbeat_io *io = arg;
    heartbeat_state *st = steady_actor_state(a);
    const lesson02b_args *args = steady_actor_args(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->beats)))) {
        steady_wake w = steady_wait_all(a, STEADY_PERIODIC(STEADY_MS(args->rate_ms)),
                                        STEADY_VACANT(io->beats, 1));
        if (w.reason == STEADY_CLOSED)
            break;
        if (w.reason != STEADY_READY || st->count == args->beats)
            continue;
        if (u64ch_tx_try_send(io->beats, st->count) == STEADY_OK && ++st->count == args->beats)
            steady_actor_request_shutdown(a);
    }
    return 0;
}

/* ---- generator: 0, 1, 2, ... written straight into the ring, as fast as it drains ---- */

/* Writes the next n values in place (called once per contiguous span of free slots). */
void generator_fill(void *ctx, uint64_t *d, size_t n)
{
    generator_state *st = ctx;
    uint64_t first = st->next;
    for (size_t i = 0; i < n; i++)
        d[i] = first + i;
    st->next += n;
}

int generator_run(steady_actor *a, void *arg)
{
    generator_io *io = arg;
    generator_state *st = steady_actor_state(a);
    const lesson02b_args *args = steady_actor_args(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(io->values)))) {
        if (steady_wait_vacant(a, io->values, args->batch) == STEADY_CLOSED)
            break;
        u64ch_tx_produce(io->values, args->batch, generator_fill, st);
    }
    STEADY_INFO("Generator shutting down. Sent: %" PRIu64, st->next);
    return 0;
}

/* ---- worker: FizzBuzz in batches ---- */

/* The kinds of 15 consecutive values repeat: kinds[r] is the encoded kind bits of a value
 * whose remainder by 15 is r. */
static uint64_t kind_bits(unsigned r)
{
    return fizzbuzz_encode(r) & ~FB_VALUE_MASK;
}

/* Encodes a run of 15 values that starts at a multiple-of-15 offset from `base` in the
 * pattern: out[j] = in[j] | pattern[j]. Returns non-zero, writing nothing, if the run was not
 * base, base+1, ...
 * (then the caller encodes it value by value). Plain loops of 15 that the compiler vectorises. */
static uint64_t encode_run(const uint64_t *in, uint64_t *out, uint64_t base,
                           const uint64_t *pattern)
{
    uint64_t bad = 0;
    for (unsigned j = 0; j < 15; j++)
        bad |= in[j] ^ (base + j);
    if (bad) /* check first: in and out may be one buffer, and the fallback rereads in */
        return bad;
    for (unsigned j = 0; j < 15; j++)
        out[j] = (base + j) | pattern[j];
    return 0;
}

/* Values usually arrive in order (the generator counts), so the worker checks that each run of
 * 15 is consecutive and applies the repeating kind pattern; anything else is encoded value by
 * value. Either way every output is exactly fizzbuzz_encode(input). */
void fizzbuzz_encode_batch(void *ctx, const uint64_t *in, uint64_t *out, size_t n)
{
    (void)ctx;
    size_t i = 0;
    if (n >= 15) {
        uint64_t pattern[15], base = in[0];
        for (unsigned j = 0; j < 15; j++)
            pattern[j] = kind_bits((unsigned)((base + j) % 15));
        for (; i + 15 <= n; i += 15, base += 15)
            if (encode_run(in + i, out + i, base, pattern) != 0)
                break; /* not consecutive: the rest, value by value */
    }
    for (; i < n; i++)
        out[i] = fizzbuzz_encode(in[i]);
}

/* Takes half a channel's worth into the worker's own buffer (the producer refills the half it
 * freed meanwhile), converts it there, and sends it on. Returns the count. */
static uint64_t convert_double_buffer(worker_io *io, uint64_t max)
{
    uint64_t n = min3(u64ch_rx_avail(io->values), u64ch_tx_vacant(io->out), max);
    n = u64ch_rx_take_slice(io->values, io->buffer, n);
    fizzbuzz_encode_batch(NULL, io->buffer, io->buffer, n);
    u64ch_tx_send_slice(io->out, io->buffer, n);
    return n;
}

static void report_rate(worker_state *st, uint64_t every_ms)
{
    uint64_t now = elapsed_ns();
    if (st->ns_at_beat && now - st->ns_at_beat < every_ms * 1000000u)
        return; /* the dashboard shows the rate live: a line at most this often */
    if (st->ns_at_beat) {
        double secs = (double)(now - st->ns_at_beat) / 1e9;
        STEADY_INFO("Worker: %.1f M msg/s (total %" PRIu64 ")",
                    (double)(st->values - st->values_at_beat) / secs / 1e6, st->values);
    }
    st->ns_at_beat = now;
    st->values_at_beat = st->values;
}

int worker_run(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    worker_state *st = steady_actor_state(a);
    const lesson02b_args *args = steady_actor_args(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->beats)) &&
                                 STEADY_I(u64ch_rx_is_closed_and_empty(io->values)) &&
                                 STEADY_I(u64ch_tx_close(io->out)))) {
        /* A beat, or a full batch in and room for it out. Once the heartbeat has finished,
         * only the batch: its CLOSED condition would otherwise end every wait at once. */
        steady_wake w = u64ch_rx_is_closed_and_empty(io->beats)
                            ? steady_wait_all(a, STEADY_AVAIL(io->values, args->batch),
                                              STEADY_VACANT(io->out, args->batch))
                            : steady_wait_all_or_first(a, STEADY_AVAIL(io->beats, 1),
                                                       STEADY_AVAIL(io->values, args->batch),
                                                       STEADY_VACANT(io->out, args->batch));
        uint64_t beat;
        while (u64ch_rx_try_take(io->beats, &beat) == STEADY_OK) {
            st->beats++;
            report_rate(st, args->report_every_ms);
        }
        /* Zero copy: convert in place between the two rings, one commit per batch. */
        uint64_t n =
            args->mode == MODE_ZERO_COPY
                ? u64ch_to_u64ch_map(io->values, io->out, args->batch, fizzbuzz_encode_batch, NULL)
                : convert_double_buffer(io, args->batch);
        st->values += n;
        if (w.reason == STEADY_CLOSED && n == 0) {
            /* CLOSED is final: the input is finished, or the logger is gone... */
            if (u64ch_rx_is_closed_and_empty(io->values) || u64ch_tx_is_closed(io->out))
                break; /* returning closes the output */
            /* ...or the input closed with less than a batch and the output is full. */
            steady_wait_vacant(a, io->out, 1);
        }
    }
    STEADY_INFO("Worker shutting down. Beats: %" PRIu64 ", values: %" PRIu64, st->beats,
                st->values);
    return 0;
}

/* ---- logger: counts each kind, in place ---- */

/* The kind is two flag bits (Fizz at bit 62, Buzz at bit 63), so the counts are sums of bits:
 * additions that vectorise, with no per-message branch or table. */
void logger_count(void *ctx, const uint64_t *m, size_t n)
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
    const lesson02b_args *args = steady_actor_args(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)))) {
        if (steady_wait_avail(a, io->in, args->batch) == STEADY_CLOSED &&
            u64ch_rx_is_closed_and_empty(io->in))
            break;
        u64ch_rx_consume(io->in, SIZE_MAX, logger_count, st);
    }
    uint64_t *c = st->counts;
    STEADY_INFO("Logger shutting down. Total: %" PRIu64 " (F:%" PRIu64 ", B:%" PRIu64
                ", FB:%" PRIu64 ", V:%" PRIu64 ")",
                c[0] + c[1] + c[2] + c[3], c[FB_FIZZ], c[FB_BUZZ], c[FB_FIZZBUZZ], c[FB_VALUE]);
    return 0;
}
