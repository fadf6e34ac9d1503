/* lesson02b.h — lesson 02B: the lesson 01 pipeline built for throughput.
 *
 *   heartbeat --beats (8)------->\
 *                                 worker --fizzbuzz (capacity)--> logger
 *   generator --values (capacity)/
 *
 * Same graph and same final line as lesson 01; what changes is how the data moves:
 *   - 128K-slot channels, and batches: the generator writes values straight into the ring
 *     (poke_slice / advance_send), the logger counts them in place (peek_slice / advance_take);
 *   - the worker either converts in place between its input's and its output's spans
 *     (--mode zero-copy) or copies half a channel at a time into a buffer it owns while the
 *     producer fills the other half (--mode double-buffer);
 *   - a message is one 64-bit word: the kind in the top two bits, the value below.
 */
#ifndef LESSON02B_H
#define LESSON02B_H

#include <stdint.h>

#include <steady/steady.h>

enum { FB_VALUE = 0, FB_FIZZ = 1, FB_BUZZ = 2, FB_FIZZBUZZ = 3 };
#define FB_KIND_SHIFT 62
#define FB_VALUE_MASK ((UINT64_C(1) << FB_KIND_SHIFT) - 1)

/* Divisibility by 3 and 5 without division: v is a multiple of the odd d exactly when
 * v * inverse(d) (mod 2^64) <= UINT64_MAX / d. Two multiplies per value, no branch. */
static inline uint64_t fizzbuzz_encode(uint64_t v)
{
    uint64_t fizz = v * UINT64_C(0xAAAAAAAAAAAAAAAB) <= UINT64_MAX / 3;
    uint64_t buzz = v * UINT64_C(0xCCCCCCCCCCCCCCCD) <= UINT64_MAX / 5;
    return (v & FB_VALUE_MASK) | (fizz << FB_KIND_SHIFT) | (buzz << (FB_KIND_SHIFT + 1));
}

/* Encodes n values (src and dst may be the same buffer): dst[i] = fizzbuzz_encode(src[i]).
 * A steady_map_fn. Fast when the values are consecutive, exact for any input. */
void fizzbuzz_encode_batch(void *ctx, const uint64_t *in, uint64_t *out, size_t n);

STEADY_CHANNEL_TYPE(u64ch, uint64_t);
STEADY_MAP_TYPE(u64ch, u64ch); /* u64ch_to_u64ch_map: the worker's values -> messages */

typedef enum worker_mode { MODE_ZERO_COPY = 0, MODE_DOUBLE_BUFFER = 1 } worker_mode;

typedef struct lesson02b_args {
    uint64_t rate_ms, beats, capacity, batch;
    worker_mode mode;
    uint64_t report_every_ms; /* the worker's rate line: at most this often (0: every beat) */
} lesson02b_args;

typedef struct heartbeat_io {
    u64ch_tx beats;
} heartbeat_io;
typedef struct generator_io {
    u64ch_tx values;
} generator_io;
typedef struct worker_io {
    u64ch_rx beats;
    u64ch_rx values;
    u64ch_tx out;
    uint64_t *buffer;
} worker_io;
typedef struct logger_io {
    u64ch_rx in;
} logger_io;

typedef struct heartbeat_state {
    uint64_t count;
} heartbeat_state;
typedef struct generator_state {
    uint64_t next;
} generator_state; /* = values sent */
typedef struct worker_state {
    uint64_t beats, values, values_at_beat, ns_at_beat;
} worker_state;
typedef struct logger_state {
    uint64_t counts[4];
} logger_state; /* by kind */

/* The bodies' work on one span, without steady: what bench/fizzbuzz_floor.c times as the floor
 * of the lesson. generator_fill writes the next n values (ctx: generator_state); logger_count
 * adds n messages to the counts (ctx: logger_state). */
void generator_fill(void *ctx, uint64_t *d, size_t n);
void logger_count(void *ctx, const uint64_t *m, size_t n);

int heartbeat_run(steady_actor *a, void *io);
int generator_run(steady_actor *a, void *io);
int worker_run(steady_actor *a, void *io);
int logger_run(steady_actor *a, void *io);

#endif
