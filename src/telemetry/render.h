/* telemetry/render.h — a frame (frame.h) as text: DOT for /graph.dot and logs/graph.dot,
 * Prometheus text for /metrics, the versioned JSON snapshot for /snapshot.json (schema:
 * docs/reference/snapshot-json.md), and the small /config document.
 *
 * Each appends to `out` (buf.h; the caller resets it) and reads only the frame and the view
 * given. Run on the collector's thread; no globals, so two renderers may run on two threads.
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_RENDER_H
#define STEADY_TELEMETRY_RENDER_H

#include "telemetry/buf.h"
#include "telemetry/frame.h"

/* The schema version of /snapshot.json ("v" field). */
#define TM_SNAPSHOT_VERSION 1

void tm_render_dot(const tm_frame *f, tm_buf *out);
void tm_render_prom(const tm_frame *f, tm_buf *out);
void tm_render_json(const tm_frame *f, tm_buf *out);

typedef struct tm_config_view {
    uint32_t frame_ms; /* the collector's period: the dashboard's fastest useful refresh */
    double window_s;
    const char *graph_name;
    const char *version; /* steady's version, "0.1.0" */
    bool have_viz;       /* the layout engine is embedded */
} tm_config_view;
void tm_render_config(const tm_config_view *c, tm_buf *out);

#endif
