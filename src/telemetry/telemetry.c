/* telemetry/telemetry.c — steady/telemetry.h: options, the collector thread, the DOT file.
 *
 * Threads: main calls start and stop. The collector thread waits for the graph to run, then
 * once per frame samples it (collect.c), renders the four documents (render.h) and publishes
 * them (pub.h) for the HTTP server's threads (http.h). Stop, in steps:
 *   1. main sets `stopping` under the lock and signals the condition;
 *   2. the collector wakes from its timed wait, sees it, and leaves its loop;
 *   3. main joins it, then samples and publishes a last frame itself (the collector is gone,
 *      so the collector's state is main's now), writes the DOT file, stops the server.
 * `frames` is written by whichever thread owns the collector and read by any thread (relaxed:
 * a count for display, nothing is read through it).
 */
#include "steady/telemetry.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "steady/clock.h"
#include "steady/hooks.h"
#include "steady/inspect.h"
#include "steady/log.h"
#include "telemetry/buf.h"
#include "telemetry/collect.h"
#include "telemetry/history.h"
#include "telemetry/http.h"
#include "telemetry/pub.h"
#include "telemetry/render.h"
#include "telemetry/assets.h"
#include "telemetry/telemetry_opts.h"
#include "telemetry/window.h"

#define DOT_FILE_PERIOD_NS (10ull * 1000000000ull)
#define STR_(x) #x
#define STR(x) STR_(x)
#define VERSION_TEXT                                                                               \
    STR(STEADY_VERSION_MAJOR) "." STR(STEADY_VERSION_MINOR) "." STR(STEADY_VERSION_PATCH)

struct steady_telemetry {
    steady_graph *g;
    tm_opts o; /* resolved, deep copy */
    tm_collect_config cc;
    tm_pub *pub;
    tm_http *http;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping; /* under lock */
    tm_collector *col;
    tm_buf buf;
    tm_history *hist; /* NULL: none, or closed after a write error (logged once) */
    uint64_t dot_written_ns;
    _Atomic uint64_t frames;
};

static uint64_t unix_ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the DOT file ---- */

/* mkdir -p of path's directory part. */
static void make_parent_dirs(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
}

/* Writes the DOT text to path through a temporary file and a rename, so a reader never sees
 * half a graph. Failures are logged once per cause, never fatal. */
static void write_dot_file(steady_telemetry *t, const tm_buf *dot)
{
    const char *path = t->o.dot_path;
    if (!path[0] || dot->oom)
        return;
    make_parent_dirs(path);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fwrite(dot->data, 1, dot->len, f) == dot->len;
    ok = f && fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        if (!t->o.dot_failed)
            STEADY_WARN("telemetry: cannot write %s: %s (set dot_path to another file, or \"\" "
                        "for none)",
                        path, strerror(errno));
        t->o.dot_failed = true;
        remove(tmp);
    }
}

/* ---- one frame ---- */

/* Appends the frame's snapshot (in t->buf) to the history file, if any. */
static void record(steady_telemetry *t)
{
    if (!t->hist || t->buf.oom)
        return;
    int e = tm_history_write(t->hist, t->buf.data, t->buf.len);
    if (e) {
        STEADY_WARN("telemetry: history %s: %s; recording stops (free some space, or set "
                    "history_path to another file)",
                    t->o.history_path, strerror(-e));
        tm_history_close(t->hist);
        t->hist = NULL;
    }
}

static void publish(steady_telemetry *t, tm_route r, const char *type, uint64_t seq)
{
    if (t->buf.oom)
        return; /* keep the previous rendering rather than serve a cut one */
    tm_blob *b = tm_blob_new(type, t->buf.data, t->buf.len, seq);
    if (b)
        tm_pub_set(t->pub, r, b);
}

static void frame(steady_telemetry *t, bool last)
{
    uint64_t mono = steady_clock_monotonic_ns(NULL);
    const tm_frame *f = tm_collector_sample(t->col, mono, unix_ms_now());
    tm_buf_reset(&t->buf);
    tm_render_dot(f, &t->buf);
    if (last || mono - t->dot_written_ns >= DOT_FILE_PERIOD_NS) {
        write_dot_file(t, &t->buf);
        t->dot_written_ns = mono;
    }
    publish(t, TM_ROUTE_DOT, "text/vnd.graphviz; charset=utf-8", f->seq);
    tm_buf_reset(&t->buf);
    tm_render_prom(f, &t->buf);
    publish(t, TM_ROUTE_METRICS, "text/plain; version=0.0.4; charset=utf-8", f->seq);
    tm_buf_reset(&t->buf);
    tm_render_json(f, &t->buf);
    publish(t, TM_ROUTE_SNAPSHOT, "application/json", f->seq);
    record(t);
    atomic_store_explicit(&t->frames, f->seq, memory_order_relaxed);
}

static void publish_config(steady_telemetry *t)
{
    steady_graph_info gi;
    steady_inspect_graph(t->g, &gi);
    tm_config_view v = {.frame_ms = t->o.frame_ms,
                        .window_s = (double)tm_window_samples(t->o.window_ms, t->o.frame_ms) *
                                    t->o.frame_ms / 1000.0,
                        .graph_name = gi.name,
                        .version = VERSION_TEXT,
                        .have_viz = tm_assets_have_viz()};
    tm_buf_reset(&t->buf);
    tm_render_config(&v, &t->buf);
    publish(t, TM_ROUTE_CONFIG, "application/json", 0);
}

/* ---- the collector thread ---- */

/* Waits until `ns` (monotonic) or stop; true when stopping. */
static bool sleep_until(steady_telemetry *t, uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    pthread_mutex_lock(&t->lock);
    while (!t->stopping && pthread_cond_timedwait(&t->cond, &t->lock, &ts) == 0)
        ;
    bool stop = t->stopping;
    pthread_mutex_unlock(&t->lock);
    return stop;
}

/* The graph's lists are frozen once it has left BUILDING (inspect.h). */
static bool await_running(steady_telemetry *t)
{
    uint64_t period = (uint64_t)t->o.frame_ms * 1000000u;
    for (;;) {
        if (steady_graph_get_state(t->g) != STEADY_GRAPH_BUILDING)
            return true;
        if (sleep_until(t, steady_clock_monotonic_ns(NULL) + period))
            return false;
    }
}

static void *collector_main(void *p)
{
    steady_telemetry *t = p;
    if (!await_running(t))
        return NULL;
    t->col = tm_collector_new(t->g, &t->cc, steady_clock_monotonic_ns(NULL));
    if (!t->col) {
        STEADY_ERROR("telemetry: out of memory for the collector; no frames will be served");
        return NULL;
    }
    publish_config(t);
    uint64_t period = (uint64_t)t->o.frame_ms * 1000000u;
    uint64_t next = steady_clock_monotonic_ns(NULL) + period;
    while (!sleep_until(t, next)) {
        frame(t, false);
        next += period;
        uint64_t now = steady_clock_monotonic_ns(NULL);
        if (next < now) /* fell behind (a stall): skip the missed frames, do not burst */
            next = now + period;
    }
    return NULL;
}

/* ---- start and stop ---- */

static void announce(const steady_telemetry *t)
{
    char url[300];
    if (t->o.quiet || !steady_telemetry_url(t, url, sizeof url))
        return;
    STEADY_INFO("Telemetry on %s", url);
    STEADY_INFO("Prometheus can scrape on %smetrics", url);
}

static steady_err start_http(steady_telemetry *t)
{
    if (t->o.port < 0)
        return STEADY_OK;
    tm_http_config hc = {.addr = t->o.addr,
                         .port = (uint16_t)t->o.port,
                         .port_walk = t->o.port_walk,
                         .allowed_hosts = (const char *const *)t->o.allowed_hosts,
                         .n_allowed_hosts = t->o.n_allowed_hosts,
                         .tls_cert_path = t->o.tls_cert_path,
                         .tls_key_path = t->o.tls_key_path,
                         .basic_user = t->o.basic_user,
                         .basic_password = t->o.basic_password};
    char err[512];
    t->http = tm_http_start(&hc, t->pub, err, sizeof err);
    if (!t->http)
        return steady_error_set(STEADY_ESYS, "%s", err);
    if (t->o.port_walk && tm_http_port(t->http) != t->o.port && !t->o.quiet)
        STEADY_WARN("telemetry: default port %d in use; using port %u", t->o.port,
                    tm_http_port(t->http));
    return STEADY_OK;
}

static steady_err open_history(steady_telemetry *t)
{
    if (!t->o.history_path)
        return STEADY_OK;
    char err[512];
    t->hist = tm_history_open(t->o.history_path, t->o.history_max_bytes, err, sizeof err);
    return t->hist ? STEADY_OK : steady_error_set(STEADY_ESYS, "%s", err);
}

static void destroy(steady_telemetry *t)
{
    tm_http_stop(t->http);
    tm_history_close(t->hist);
    tm_collector_free(t->col);
    tm_pub_free(t->pub);
    tm_buf_free(&t->buf);
    tm_opts_free(&t->o);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static bool init_sync(steady_telemetry *t)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return false;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* steady_clock_monotonic_ns's clock */
    bool ok = pthread_cond_init(&t->cond, &ca) == 0;
    pthread_condattr_destroy(&ca);
    return ok && pthread_mutex_init(&t->lock, NULL) == 0;
}

steady_err steady_telemetry_start(steady_graph *g, const steady_telemetry_opts *opts,
                                  steady_telemetry **out)
{
    if (out)
        *out = NULL;
    if (!g || !out)
        return steady_error_set(STEADY_EINVAL, "steady_telemetry_start: graph and out must not "
                                               "be NULL");
    const steady_graph_hooks *h = steady_graph_hooks_of(g);
    if (h && h->test_graph) { /* a test's graph: nothing served, no port taken (once per process) */
        static atomic_flag said = ATOMIC_FLAG_INIT;
        steady_graph_info gi = {0};
        if (!atomic_flag_test_and_set(&said) && steady_inspect_graph(g, &gi) == STEADY_OK)
            STEADY_INFO("telemetry: graph '%s' is a test graph; telemetry stays off "
                        "(steady_telemetry_start returns STEADY_OK with no handle)",
                        gi.name);
        return STEADY_OK;
    }
    steady_telemetry *t = calloc(1, sizeof *t);
    if (!t || !init_sync(t)) {
        free(t);
        return steady_error_set(STEADY_ENOMEM, "telemetry: out of memory");
    }
    t->g = g;
    steady_err e = tm_opts_resolve(&t->o, opts);
    if (e == STEADY_OK && !(t->pub = tm_pub_new()))
        e = steady_error_set(STEADY_ENOMEM, "telemetry: out of memory");
    if (e == STEADY_OK)
        e = open_history(t);
    if (e == STEADY_OK)
        e = start_http(t);
    t->cc = (tm_collect_config){.frame_ms = t->o.frame_ms,
                                .refresh_ms = t->o.refresh_ms,
                                .window_ms = t->o.window_ms,
                                .hidden = (const char *const *)t->o.hidden,
                                .triggers = t->o.triggers,
                                .n_triggers = t->o.n_triggers};
    if (e == STEADY_OK && pthread_create(&t->thread, NULL, collector_main, t) != 0)
        e = steady_error_set(STEADY_ESYS, "telemetry: cannot create the collector thread: %s",
                             strerror(errno));
    if (e != STEADY_OK) {
        destroy(t);
        return e;
    }
    t->thread_started = true;
    announce(t);
    *out = t;
    return STEADY_OK;
}

int steady_telemetry_port(const steady_telemetry *t)
{
    return t && t->http ? (int)tm_http_port(t->http) : 0;
}

size_t steady_telemetry_url(const steady_telemetry *t, char *buf, size_t cap)
{
    if (!t || !t->http)
        return 0;
    const char *a = t->o.addr;
    bool v6 = strchr(a, ':') != NULL;
    int n =
        snprintf(buf, buf ? cap : 0, "%s://%s%s%s:%u/", tm_http_is_tls(t->http) ? "https" : "http",
                 v6 ? "[" : "", a, v6 ? "]" : "", tm_http_port(t->http));
    return n > 0 ? (size_t)n : 0;
}

uint64_t steady_telemetry_frames(const steady_telemetry *t)
{
    return t ? atomic_load_explicit(&t->frames, memory_order_relaxed) : 0;
}

steady_err steady_telemetry_stop(steady_telemetry *t)
{
    if (!t)
        return STEADY_OK;
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (t->thread_started)
        pthread_join(t->thread, NULL);
    if (!t->col && steady_graph_get_state(t->g) != STEADY_GRAPH_BUILDING)
        t->col = tm_collector_new(t->g, &t->cc, steady_clock_monotonic_ns(NULL));
    if (t->col)
        frame(t, true); /* the stopped graph as it ended, and the DOT file */
    destroy(t);
    return STEADY_OK;
}
