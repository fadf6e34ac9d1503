/* telemetry/collect.h — the collector: turns one sample of a running graph (steady/inspect.h)
 * into a frame (frame.h): per-frame figures from the counters' differences, rolling windows,
 * triggers, the bottleneck.
 *
 * Create it once the graph runs (its lists are frozen then); sample it once per frame from one
 * thread. It allocates everything at creation and nothing per frame (a graph's counts never
 * change after start).
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_COLLECT_H
#define STEADY_TELEMETRY_COLLECT_H

#include <stdint.h>

#include "steady/inspect.h"
#include "steady/telemetry.h"
#include "telemetry/frame.h"

typedef struct tm_collect_config {
    uint32_t frame_ms, refresh_ms, window_ms;
    const char *const *hidden; /* NULL-terminated labels */
    const steady_trigger *triggers;
    size_t n_triggers;
} tm_collect_config;

typedef struct tm_collector tm_collector;

/* NULL when out of memory (the config is referenced, not copied: keep it alive). mono_ns:
 * the monotonic clock now; the first frame's figures are differences from this moment. */
tm_collector *tm_collector_new(const steady_graph *g, const tm_collect_config *c, uint64_t mono_ns);
/* Samples the graph now (mono_ns: steady_clock_monotonic_ns; unix_ms: wall clock) and returns
 * the frame, valid until the next call. */
const tm_frame *tm_collector_sample(tm_collector *c, uint64_t mono_ns, uint64_t unix_ms);
void tm_collector_free(tm_collector *c);

#endif
