/* telemetry/window.h — rolling windows: the last N per-frame samples of one figure, and their
 * statistics (average, min, max, standard deviation, percentiles).
 *
 * A window holds exactly window/frame samples (at least 1), so the statistics are exact over
 * the window; they are computed once per refresh (not per frame) by the collector, with a
 * scratch array for the sort the percentiles need. Collector's thread only.
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_WINDOW_H
#define STEADY_TELEMETRY_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "telemetry/frame.h"

typedef struct tm_window {
    double *v;    /* cap samples, a ring */
    uint32_t cap; /* samples per window */
    uint32_t n;   /* samples held (<= cap) */
    uint32_t next;
} tm_window;

/* Allocates room for cap (>= 1) samples; false when out of memory. */
bool tm_window_init(tm_window *w, uint32_t cap);
void tm_window_free(tm_window *w);
/* Adds a sample; NaN and infinities are ignored (a figure with no value this frame). */
void tm_window_push(tm_window *w, double v);
/* The statistics of the samples held (out->n == 0 when none). scratch: room for cap doubles. */
void tm_window_stats(const tm_window *w, double *scratch, tm_stats *out);
/* The samples a window of window_ms holds at frame_ms per frame (>= 1). */
uint32_t tm_window_samples(uint32_t window_ms, uint32_t frame_ms);

#endif
