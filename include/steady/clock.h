/* steady/clock.h — the one clock interface, and the pluggable troupe scheduler.
 *
 * Every timed wait (periodic, timeout) reads time through the graph's steady_clock. (The
 * deadline of steady_graph_block_until_stopped bounds how long main blocks, so it is real
 * CLOCK_MONOTONIC time whatever the graph clock.)
 *
 * The default is CLOCK_MONOTONIC. A custom clock (the testing kit's
 * virtual clock) supplies now_ns; after it moves time forward it must call
 * steady_graph_poke() so parked actors re-check their deadlines.
 *
 * A troupe runs its members on one thread; steady_sched decides the order in which members
 * are tried at each turn. The default is round-robin. A seeded scheduler makes runs
 * reproducible.
 */
#ifndef STEADY_CLOCK_H
#define STEADY_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Durations in nanoseconds, saturating: a count too large for 64 bits of nanoseconds gives
 * UINT64_MAX, which every wait reads as "never" (a product that wrapped used to be a short
 * timeout). A negative x is huge, so it saturates too: STEADY_MS(-1) is never. Constant
 * expressions; x is evaluated twice, so pass a plain value. */
#define STEADY_NS(x) ((uint64_t)(x))
#define STEADY_US(x) STEADY__SCALED(x, 1000u)
#define STEADY_MS(x) STEADY__SCALED(x, 1000000u)
#define STEADY_SEC(x) STEADY__SCALED(x, 1000000000u)
/* x > UINT64_MAX / unit, written so that a narrow x (a uint32_t) draws no -Wtype-limits
 * "comparison is always false" from a user's -Wextra: x - (max + 1) wraps below UINT64_MAX - max
 * exactly when x > max. */
#define STEADY__SCALED(x, unit)                                                                    \
    ((uint64_t)(x)-UINT64_MAX / (unit)-1u < UINT64_MAX - UINT64_MAX / (unit)                       \
         ? UINT64_MAX                                                                              \
         : (uint64_t)(x) * (unit))

typedef struct steady_clock {
    /* Monotonic nanoseconds. Called from any thread, concurrently: must be thread-safe. */
    uint64_t (*now_ns)(void *ctx);
    void *ctx;
} steady_clock;

/* The default clock's reading (CLOCK_MONOTONIC, ns). Any thread. */
STEADY_API uint64_t steady_clock_monotonic_ns(void *ctx);

typedef struct steady_sched {
    /* Returns the index (< n_members) of the member to try after `last`. Called only on the
     * troupe's own thread. Default: (last + 1) % n_members. */
    size_t (*next)(void *ctx, size_t n_members, size_t last);
    void *ctx;
    /* Optional, and when set it is used instead of next: one member per step. Before each
     * resume the troupe asks it with the members that can run now (ready[i] != 0; at least
     * one is) and resumes exactly the one it returns, then asks again. For schedulers that
     * explore orders (the testing kit's seeded runs and interleaving search); it costs a scan
     * of every member per step. A pick that is not ready is replaced by the next ready member
     * after it, and the first such pick is logged. Only on the troupe's own thread. */
    size_t (*pick)(void *ctx, size_t n_members, const unsigned char *ready);
} steady_sched;

/* Inside a steady_sched callback (next or pick), on the troupe's thread: writes into buf (cap
 * bytes, NUL-terminated, cut to fit) what member `member` waits for, e.g. "any of: 1 to take
 * on 'alarms', 1 to take on 'readings'", "its start", "its turn (it yielded)", "nothing
 * (ended)", and returns the length of the whole text (as snprintf). The members' waits belong
 * to that thread, so only there can they be read whole. Outside a callback (STEADY_ESTATE),
 * member out of range or buf NULL with cap > 0 (STEADY_EINVAL): 0 and steady_last_error. */
STEADY_API size_t steady_sched_describe(size_t member, char *buf, size_t cap);

struct steady_graph;
/* Wakes every parked thread of the graph so each re-reads the clock. Any thread. */
STEADY_API void steady_graph_poke(struct steady_graph *g);

#ifdef __cplusplus
}
#endif
#endif
