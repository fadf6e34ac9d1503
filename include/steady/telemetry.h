/* steady/telemetry.h — a live window into a running graph: a dashboard, the graph as DOT,
 * Prometheus metrics and a JSON snapshot over HTTP (libsteady-telemetry, steady::telemetry).
 *
 * One call turns it on for a graph. A collector thread samples the graph once per frame
 * through steady/inspect.h (the actors pay nothing: it reads counters they keep anyway),
 * keeps rolling windows, evaluates triggers, names the bottleneck, and renders the routes; an
 * HTTP server (libmicrohttpd, its own small thread pool) serves the latest rendering:
 *   /               the dashboard (docs/reference/dashboard.md)
 *   /graph.dot      the graph in Graphviz DOT, coloured by load and fill
 *   /metrics        Prometheus text format
 *   /snapshot.json  one versioned JSON document per frame (docs/reference/snapshot-json.md)
 *   /config, /healthz
 * bound to 127.0.0.1:9900 by default.
 *
 * Link: the library libsteady-telemetry (CMake: steady::telemetry; pkg-config:
 * steady-telemetry); it needs libmicrohttpd at run time. The core library does not depend on
 * it.
 *
 * Lifecycle: steady_telemetry_start after steady_graph_new (before or after
 * steady_graph_start: the collector waits for the graph to run), steady_telemetry_stop after
 * steady_graph_block_until_stopped (it renders a last frame of the stopped graph and writes
 * logs/graph.dot), before steady_graph_free. Start and stop from one thread (main);
 * steady_telemetry_port and _url from any thread while it runs.
 */
#ifndef STEADY_TELEMETRY_H
#define STEADY_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steady/error.h"
#include "steady/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_telemetry steady_telemetry;

/* The figure a trigger watches, in its unit. */
typedef enum steady_metric {
    STEADY_METRIC_RATE = 1, /* channel: messages taken per second */
    STEADY_METRIC_FILL,     /* channel: in flight / capacity, 0..1 */
    STEADY_METRIC_LATENCY,  /* channel: send-to-take delay, seconds */
    STEADY_METRIC_MCPU,     /* actor: busy share of one core, 0..1024 */
    STEADY_METRIC_LOAD,     /* actor: share of the graph's busy time, percent 0..100 */
} steady_metric;

/* How the window's figures are compared with the threshold. */
typedef enum steady_trigger_rule {
    STEADY_AVG_ABOVE = 1,
    STEADY_AVG_BELOW,
    STEADY_PERCENTILE_ABOVE, /* the window's `percentile` (0.25..0.99) above the threshold */
    STEADY_PERCENTILE_BELOW,
    STEADY_STDDEV_ABOVE, /* avg + stddevs x std above the threshold */
    STEADY_STDDEV_BELOW, /* avg - stddevs x std below the threshold */
} steady_trigger_rule;

typedef enum steady_alert_color {
    STEADY_ALERT_YELLOW = 1,
    STEADY_ALERT_ORANGE,
    STEADY_ALERT_RED,
} steady_alert_color;

/* A trigger colours an actor (MCPU, LOAD) or a channel (RATE, FILL, LATENCY) when its rule
 * holds over the rolling window; the most severe colour that fires wins. */
typedef struct steady_trigger {
    const char *target; /* an actor label or channel name; "*": every actor or channel */
    steady_metric metric;
    steady_trigger_rule rule;
    double threshold;  /* in the metric's unit (above) */
    double percentile; /* PERCENTILE rules: 0.25, 0.5, 0.75, 0.9, 0.95 or 0.99 */
    double stddevs;    /* STDDEV rules: how many standard deviations (0 < s <= 10) */
    steady_alert_color color;
} steady_trigger;

typedef struct steady_telemetry_opts {
    /* HTTP. addr NULL: $STEADY_TELEMETRY_ADDR, else "127.0.0.1" (another address is allowed and
     * logged as a warning: the routes have no authentication unless basic_user is set).
     * port 0: $STEADY_TELEMETRY_PORT, else 9900, taking the next free port (up to 9900+255)
     * when 9900 is busy and the port was not asked for; -1: no HTTP server (the collector and
     * logs/graph.dot only). */
    const char *addr;
    int port;
    const char *const *allowed_hosts; /* NULL-terminated extra Host names (a remote scraper) */
    const char *tls_cert_path;        /* both set: HTTPS (PEM files) */
    const char *tls_key_path;
    const char *basic_user; /* both set: HTTP basic authentication on every route */
    const char *basic_password;

    /* Collection. frame_ms 0: 100 (min 10, max 60000). refresh_ms / window_ms 0: 1000 / 10000:
     * the window's statistics are recomputed every refresh over the last window. */
    uint32_t frame_ms;
    uint32_t refresh_ms;
    uint32_t window_ms;
    const char *const *hidden; /* NULL-terminated actor labels left out of the views */
    const steady_trigger *triggers;
    size_t n_triggers;

    /* Files. dot_path NULL: "logs/graph.dot" (written at most every 10 s and at stop; the
     * directory is created); "": none. */
    const char *dot_path;
    bool quiet; /* no INFO lines announcing the URLs */
    /* History (docs/reference/telemetry-history.md): NULL: none; else every frame's snapshot,
     * one JSON line each, in a gzip stream at this path (`zcat` reads it; steady-top --replay
     * plays it). Rotated to PATH.1 at half of history_max_bytes (0: 64 MiB), so both files
     * together stay within it. */
    const char *history_path;
    uint64_t history_max_bytes;
} steady_telemetry_opts;

/* Starts telemetry for g (the options are copied; NULL: all defaults) and writes the handle to
 * *out. Errors: STEADY_EINVAL (NULL g or out, a bad option: named in the detail),
 * STEADY_ESYS (the port asked for is in use, bind refused, TLS files unreadable, thread
 * creation: the detail names which and the fix), STEADY_ENOMEM. Logs "Telemetry on
 * http://ADDR:PORT" unless quiet. Main thread. */
STEADY_API steady_err steady_telemetry_start(steady_graph *g, const steady_telemetry_opts *opts,
                                             steady_telemetry **out);

/* The bound port (0: no HTTP server, or t NULL). Any thread. */
STEADY_API int steady_telemetry_port(const steady_telemetry *t);

/* Writes "http://ADDR:PORT/" (https with TLS) into buf (cap bytes, NUL-terminated, truncated)
 * and returns the full length (0: no server, or t NULL). Any thread. */
STEADY_API size_t steady_telemetry_url(const steady_telemetry *t, char *buf, size_t cap);

/* Frames rendered so far (0 before the graph runs). Any thread. */
STEADY_API uint64_t steady_telemetry_frames(const steady_telemetry *t);

/* Renders a last frame, writes the DOT file, stops the server and the collector and frees t.
 * NULL: no-op (STEADY_OK). Main thread; call before steady_graph_free(g). */
STEADY_API steady_err steady_telemetry_stop(steady_telemetry *t);

#ifdef __cplusplus
}
#endif

#endif
