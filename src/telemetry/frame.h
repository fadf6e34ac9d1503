/* telemetry/frame.h — one frame of telemetry: what the collector computed from one sample of
 * the graph (steady/inspect.h) and its rolling windows, and what every renderer reads.
 *
 * Ownership: the collector owns frames; a renderer reads one on the collector's thread and
 * writes text into a tm_buf (buf.h). Nothing here is shared across threads: what leaves the
 * collector's thread are the rendered bytes (pub.h).
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_FRAME_H
#define STEADY_TELEMETRY_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steady/inspect.h"

/* Alert colours, in increasing severity (a trigger of a higher colour wins). */
typedef enum tm_color {
    TM_COLOR_NONE = 0, /* no trigger configured: grey */
    TM_COLOR_OK,       /* triggers configured, none fires: green */
    TM_COLOR_YELLOW,
    TM_COLOR_ORANGE,
    TM_COLOR_RED,
} tm_color;

/* The percentiles a window reports (p25 ... p99), in this order. */
#define TM_N_PCT 6
extern const double tm_pct_points[TM_N_PCT]; /* 0.25, 0.50, 0.75, 0.90, 0.95, 0.99 */

/* Statistics of one figure over the rolling window. `n` samples; nothing is valid when n == 0
 * (the first full window has not elapsed: renderers show the current value only). */
typedef struct tm_stats {
    uint32_t n;
    double avg, min, max, std;
    double pct[TM_N_PCT];
} tm_stats;

typedef struct tm_actor {
    steady_actor_info info;
    const steady_troupe_info *troupe; /* into tm_frame.troupes */
    double mcpu;     /* this frame: 0..1024 per core (busy share of one core, x1024) */
    double load;     /* this frame: percent of the graph's total mCPU (0..100) */
    tm_stats mcpu_w; /* over the window */
    tm_stats load_w;
    uint32_t restarts; /* = info.regeneration */
    tm_color color;    /* worst firing trigger (mCPU, load) */
    bool bottleneck;   /* the actor that limits the graph's throughput now */
    bool hidden;       /* opted out of telemetry: renderers skip it (its channels still show) */
    uint32_t lints;    /* TM_LINT_* bits currently raised */
} tm_actor;

/* Lints (raised by the collector, shown by the dashboard and logged at most once a minute). */
#define TM_LINT_STARVES_TROUPE 1u /* a member did not yield for over a frame */
#define TM_LINT_POLLING 2u        /* woken repeatedly with nothing to do */
#define TM_LINT_LOST_WAKEUP 4u    /* input channel full for a window while it idles */
#define TM_LINT_RESTART_LOOP 8u   /* restarting in a loop */

typedef struct tm_channel {
    steady_channel_info info;
    double rate;      /* messages per second taken during this frame */
    double fill;      /* inflight / capacity, 0..1, sampled this frame */
    double latency_s; /* measured send-to-take delay of this frame's samples (-1: none yet) */
    tm_stats rate_w, fill_w, latency_w;
    tm_color color;    /* worst firing trigger; else by fill: >0.8 red, >0.4 orange, >0.1 yellow */
    bool backpressure; /* the channel where back-pressure starts (full, its consumer the
                          bottleneck) */
} tm_channel;

typedef struct tm_frame {
    uint64_t seq;      /* frame number since telemetry started, from 1 */
    uint64_t unix_ms;  /* wall clock at the sample */
    uint64_t mono_ns;  /* monotonic clock at the sample */
    uint32_t frame_ms; /* the frame period */
    double window_s;   /* the rolling window's span ("Window 12.8 secs") */
    steady_graph_info graph;
    tm_actor *actors;
    size_t n_actors;
    steady_troupe_info *troupes;
    size_t n_troupes;
    tm_channel *channels;
    size_t n_channels;
    int64_t bottleneck_actor;  /* id, or -1 */
    int64_t backpressure_chan; /* id, or -1 */
    double total_rate;         /* messages per second taken over all channels */
} tm_frame;

#endif
