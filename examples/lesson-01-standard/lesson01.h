/* lesson01.h — the lesson 01 graph: its messages, channels, actors and their state blocks.
 *
 *   heartbeat --beats-->  worker --fizzbuzz--> logger
 *   generator --values-->/
 *
 * heartbeat and generator share one troupe (one thread); worker and logger are solo.
 */
#ifndef LESSON01_H
#define LESSON01_H

#include <stdint.h>

#include <steady/steady.h>

/* What the worker makes of a value: FizzBuzz for multiples of 15, Fizz of 3, Buzz of 5. */
typedef enum fizzbuzz_kind { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ } fizzbuzz_kind;

typedef struct fizzbuzz_msg {
    uint64_t value;
    uint32_t kind; /* fizzbuzz_kind */
} fizzbuzz_msg;

static inline fizzbuzz_msg fizzbuzz_of(uint64_t v)
{
    fizzbuzz_msg m = {v, v % 15 == 0  ? FB_FIZZBUZZ
                         : v % 3 == 0 ? FB_FIZZ
                         : v % 5 == 0 ? FB_BUZZ
                                      : FB_VALUE};
    return m;
}

STEADY_CHANNEL_TYPE(u64ch, uint64_t);
STEADY_CHANNEL_TYPE(fbch, fizzbuzz_msg);

typedef struct lesson01_args {
    uint64_t rate_ms;
    uint64_t beats;
    uint64_t capacity;
} lesson01_args;

typedef struct heartbeat_io {
    u64ch_tx beats;
} heartbeat_io;
typedef struct generator_io {
    u64ch_tx values;
} generator_io;
typedef struct worker_io {
    u64ch_rx beats;
    u64ch_rx values;
    fbch_tx out;
} worker_io;
typedef struct logger_io {
    fbch_rx in;
} logger_io;

/* State blocks: owned by the graph, they hold every counter. */
typedef struct heartbeat_state {
    uint64_t count;
} heartbeat_state;
typedef struct generator_state {
    uint64_t next;
} generator_state; /* = values sent */
typedef struct worker_state {
    uint64_t beats, values;
} worker_state;
typedef struct logger_state {
    uint64_t fizz, buzz, fizzbuzz, value;
} logger_state;

int heartbeat_run(steady_actor *a, void *io);
int generator_run(steady_actor *a, void *io);
int worker_run(steady_actor *a, void *io);
int logger_run(steady_actor *a, void *io);

#endif
