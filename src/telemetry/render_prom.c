/* telemetry/render_prom.c — /metrics in the Prometheus text format 0.0.4 (render.h).
 *
 * Every family has # HELP and # TYPE; counters end in _total and are typed counter; every label
 * value is quoted and escaped (tm_buf_prom_str, after tm_put_text for valid UTF-8); a family's
 * samples are consecutive. A family whose samples are all absent (window statistics before the
 * first window, latency before the first measurement, no visible actor) is left out whole.
 * Units are base units: seconds and ratios, except mCPU (0..1024 per core, steady's unit) and
 * load, which keep the dashboard's units and say so in their names and help.
 *
 * Labels: actors {actor="<label>",id="<id>"} (actor first); channels {channel="<name>",
 * id="<id>",from="<label>",to="<label>"} (names repeat across bundles and lanes, ids never; an
 * end owned by no actor or by a hidden one is ""); window statistics add stat="avg|min|max|std|
 * p25|p50|p75|p90|p95|p99". Hidden actors have no series. The list of families is in
 * docs/reference/telemetry-formats.md.
 */
#include "telemetry/fmt.h"
#include "telemetry/render.h"

#include <inttypes.h>
#include <math.h>

/* A family: its header is written before its first sample only (`open` is the caller's, false
 * until then). */
typedef struct family {
    const char *name, *type, *help;
} family;

static void sample(tm_buf *b, const family *m, bool *open)
{
    if (!*open)
        tm_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
    *open = true;
    tm_buf_puts(b, m->name);
}

static void label(tm_buf *b, const char *sep, const char *k, const char *v)
{
    tm_buf_printf(b, "%s%s=\"", sep, k);
    tm_put_text(b, v ? v : "", tm_buf_prom_str);
    tm_buf_puts(b, "\"");
}

static void value(tm_buf *b, double v)
{
    tm_buf_puts(b, " ");
    tm_put_prom_num(b, v);
    tm_buf_puts(b, "\n");
}

/* ---- the graph ---- */

static void graph_families(tm_buf *b, const tm_frame *f)
{
    family info = {"steady_graph_info", "gauge", "The graph observed (always 1)."};
    sample(b, &info, &(bool){false});
    label(b, "{", "graph", f->graph.name);
    tm_buf_puts(b, "}");
    value(b, 1);
    family state = {"steady_graph_state", "gauge",
                    "1 for the graph's current lifecycle state, 0 for the others."};
    bool open = false;
    for (int s = STEADY_GRAPH_BUILDING; s <= STEADY_GRAPH_STOPPED_UNCLEANLY; s++) {
        sample(b, &state, &open);
        label(b, "{", "state", tm_state_name((steady_graph_state)s));
        tm_buf_puts(b, "}");
        value(b, f->graph.state == (steady_graph_state)s);
    }
    family wakes = {"steady_graph_futex_wakes_total", "counter",
                    "Futex wake calls the graph's actors made."};
    sample(b, &wakes, &(bool){false});
    value(b, (double)f->graph.futex_wakes);
    family rate = {"steady_graph_rate", "gauge",
                   "Messages taken per second over all channels during the last frame."};
    sample(b, &rate, &(bool){false});
    value(b, f->total_rate);
    family frames = {"steady_telemetry_frames_total", "counter",
                     "Frames the telemetry collector has sampled."};
    sample(b, &frames, &(bool){false});
    value(b, (double)f->seq);
    family window = {"steady_telemetry_window_seconds", "gauge",
                     "The span of the rolling window the *_window statistics cover."};
    sample(b, &window, &(bool){false});
    value(b, f->window_s);
}

/* ---- actors ---- */

static void actor_labels(tm_buf *b, const tm_actor *a)
{
    label(b, "{", "actor", a->info.label);
    tm_buf_printf(b, ",id=\"%" PRIu32 "\"", a->info.id);
}

typedef double (*actor_fig)(const tm_actor *a);
static double a_mcpu(const tm_actor *a)
{
    return a->mcpu;
}
static double a_load(const tm_actor *a)
{
    return a->load;
}
static double a_busy(const tm_actor *a)
{
    return (double)a->info.busy_ns / 1e9;
}
static double a_restarts(const tm_actor *a)
{
    return a->restarts;
}
static double a_failures(const tm_actor *a)
{
    return a->info.failures;
}
static double a_waiting_fds(const tm_actor *a)
{
    return a->info.waiting_fds;
}
static double a_bottleneck(const tm_actor *a)
{
    return a->bottleneck;
}
static double a_alert(const tm_actor *a)
{
    return tm_color_level(a->color);
}

static void actor_family(tm_buf *b, const tm_frame *f, family m, actor_fig fig)
{
    bool open = false;
    for (size_t i = 0; i < f->n_actors; i++) {
        const tm_actor *a = &f->actors[i];
        if (a->hidden)
            continue;
        sample(b, &m, &open);
        actor_labels(b, a);
        tm_buf_puts(b, "}");
        value(b, fig(a));
    }
}

static void actor_info(tm_buf *b, const tm_frame *f)
{
    bool open = false;
    family m = {"steady_actor_info", "gauge",
                "An actor's base name, placement and troupe (always 1; hidden actors absent)."};
    for (size_t i = 0; i < f->n_actors; i++) {
        const tm_actor *a = &f->actors[i];
        const steady_troupe_info *t = tm_actor_troupe(f, a);
        if (a->hidden)
            continue;
        sample(b, &m, &open);
        actor_labels(b, a);
        label(b, ",", "name", a->info.name);
        label(b, ",", "placement", tm_placement_name(a->info.placement));
        label(b, ",", "troupe", t ? t->name : "");
        tm_buf_puts(b, "}");
        value(b, 1);
    }
}

/* Actors with a link to the outside (steady/link.h): whether it is up, and how often it went
 * down; the kind and endpoint are labels of the first. */
static void link_families(tm_buf *b, const tm_frame *f)
{
    family up = {"steady_actor_link_up", "gauge",
                 "1 while the actor's link to the outside (a bridge's server) is connected, "
                 "0 while it is not."};
    family downs = {"steady_actor_link_downs_total", "counter",
                    "Times the actor's link to the outside went down."};
    bool open = false;
    for (size_t i = 0; i < f->n_actors; i++) {
        const tm_actor *a = &f->actors[i];
        if (a->hidden || !a->info.link_kind)
            continue;
        sample(b, &up, &open);
        actor_labels(b, a);
        label(b, ",", "kind", a->info.link_kind);
        label(b, ",", "endpoint", a->info.link_endpoint);
        tm_buf_puts(b, "}");
        value(b, a->info.link_state == STEADY_LINK_UP);
    }
    open = false;
    for (size_t i = 0; i < f->n_actors; i++) {
        const tm_actor *a = &f->actors[i];
        if (a->hidden || !a->info.link_kind)
            continue;
        sample(b, &downs, &open);
        actor_labels(b, a);
        tm_buf_puts(b, "}");
        value(b, a->info.link_downs);
    }
}

static const char *const stat_names[4 + TM_N_PCT] = {"avg", "min", "max", "std", "p25",
                                                     "p50", "p75", "p90", "p95", "p99"};

static double stat_value(const tm_stats *s, int k)
{
    const double head[4] = {s->avg, s->min, s->max, s->std};
    return k < 4 ? head[k] : s->pct[k - 4];
}

static void actor_window(tm_buf *b, const tm_frame *f, family m, size_t offset)
{
    bool open = false;
    for (size_t i = 0; i < f->n_actors; i++) {
        const tm_actor *a = &f->actors[i];
        const tm_stats *s = (const tm_stats *)((const char *)a + offset);
        for (int k = 0; !a->hidden && s->n && k < 4 + TM_N_PCT; k++) {
            sample(b, &m, &open);
            actor_labels(b, a);
            label(b, ",", "stat", stat_names[k]);
            tm_buf_puts(b, "}");
            value(b, stat_value(s, k));
        }
    }
}

static void actor_families(tm_buf *b, const tm_frame *f)
{
    actor_info(b, f);
    actor_family(b, f,
                 (family){"steady_actor_mcpu", "gauge",
                          "Busy share of one core during the last frame, 0..1024 per core."},
                 a_mcpu);
    actor_family(b, f,
                 (family){"steady_actor_load_percent", "gauge",
                          "Share of the graph's total mCPU during the last frame, 0..100."},
                 a_load);
    actor_family(b, f,
                 (family){"steady_actor_busy_seconds_total", "counter",
                          "Time the actor's generations ran (not waiting)."},
                 a_busy);
    actor_family(
        b, f,
        (family){"steady_actor_restarts_total", "counter", "Generations started after the first."},
        a_restarts);
    actor_family(b, f,
                 (family){"steady_actor_failures_total", "counter", "Generations that failed."},
                 a_failures);
    actor_family(b, f,
                 (family){"steady_actor_waiting_fds", "gauge",
                          "File descriptors the actor's current wait names (STEADY_FD)."},
                 a_waiting_fds);
    actor_family(b, f,
                 (family){"steady_actor_bottleneck", "gauge",
                          "1 for the actor that limits the graph's throughput now, else 0."},
                 a_bottleneck);
    actor_family(b, f,
                 (family){"steady_actor_alert", "gauge",
                          "Worst firing trigger: 0 none configured, 1 ok, 2 yellow, 3 orange, "
                          "4 red."},
                 a_alert);
    link_families(b, f);
    actor_window(b, f,
                 (family){"steady_actor_mcpu_window", "gauge",
                          "mCPU over the rolling window, one series per statistic."},
                 offsetof(tm_actor, mcpu_w));
    actor_window(b, f,
                 (family){"steady_actor_load_percent_window", "gauge",
                          "Load (percent) over the rolling window, one series per statistic."},
                 offsetof(tm_actor, load_w));
}

/* ---- channels ---- */

static void channel_labels(tm_buf *b, const tm_frame *f, const tm_channel *c)
{
    const tm_actor *from = tm_frame_actor(f, c->info.from_actor);
    const tm_actor *to = tm_frame_actor(f, c->info.to_actor);
    label(b, "{", "channel", c->info.name);
    tm_buf_printf(b, ",id=\"%" PRIu32 "\"", c->info.id);
    label(b, ",", "from", from && !from->hidden ? from->info.label : "");
    label(b, ",", "to", to && !to->hidden ? to->info.label : "");
}

/* A channel's figure; NaN: no sample for this channel. */
typedef double (*chan_fig)(const tm_channel *c);
static double c_sent(const tm_channel *c)
{
    return (double)c->info.sent_total;
}
static double c_taken(const tm_channel *c)
{
    return (double)c->info.taken_total;
}
static double c_inflight(const tm_channel *c)
{
    const steady_channel_info *i = &c->info;
    return i->sent_total >= i->taken_total ? (double)(i->sent_total - i->taken_total) : 0;
}
static double c_capacity(const tm_channel *c)
{
    return (double)c->info.capacity;
}
static double c_memory(const tm_channel *c)
{
    return (double)c->info.memory_bytes;
}
static double c_fill(const tm_channel *c)
{
    return c->fill;
}
static double c_rate(const tm_channel *c)
{
    return c->rate;
}
static double c_latency(const tm_channel *c)
{
    return c->latency_s >= 0 ? c->latency_s : NAN;
}
static double c_lat_n(const tm_channel *c)
{
    return (double)c->info.latency_samples;
}
static double c_ss_removed(const tm_channel *c)
{
    return (double)c->info.showstoppers_removed;
}
static double c_ss_dropped(const tm_channel *c)
{
    return (double)c->info.showstoppers_dropped;
}
static double c_backpressure(const tm_channel *c)
{
    return c->backpressure;
}
static double c_alert(const tm_channel *c)
{
    return tm_color_level(c->color);
}

static void chan_family(tm_buf *b, const tm_frame *f, family m, chan_fig fig)
{
    bool open = false;
    for (size_t i = 0; i < f->n_channels; i++) {
        const tm_channel *c = &f->channels[i];
        double v = fig(c);
        if (isnan(v))
            continue;
        sample(b, &m, &open);
        channel_labels(b, f, c);
        tm_buf_puts(b, "}");
        value(b, v);
    }
}

static void chan_window(tm_buf *b, const tm_frame *f, family m, size_t offset)
{
    bool open = false;
    for (size_t i = 0; i < f->n_channels; i++) {
        const tm_channel *c = &f->channels[i];
        const tm_stats *s = (const tm_stats *)((const char *)c + offset);
        for (int k = 0; s->n && k < 4 + TM_N_PCT; k++) {
            sample(b, &m, &open);
            channel_labels(b, f, c);
            label(b, ",", "stat", stat_names[k]);
            tm_buf_puts(b, "}");
            value(b, stat_value(s, k));
        }
    }
}

static void channel_families(tm_buf *b, const tm_frame *f)
{
    static const struct {
        const char *name, *type, *help;
        chan_fig fig;
    } figs[] = {
        {"steady_channel_sent_total", "counter", "Messages ever sent into the channel.", c_sent},
        {"steady_channel_taken_total", "counter", "Messages ever taken from the channel.", c_taken},
        {"steady_channel_inflight", "gauge", "Messages sent and not yet taken.", c_inflight},
        {"steady_channel_capacity", "gauge", "The channel's bound, in messages.", c_capacity},
        {"steady_channel_memory_bytes", "gauge", "The ring's slots and header as mapped.",
         c_memory},
        {"steady_channel_fill_ratio", "gauge", "In flight / capacity, 0..1, this frame.", c_fill},
        {"steady_channel_rate", "gauge", "Messages taken per second during the last frame.",
         c_rate},
        {"steady_channel_latency_seconds", "gauge",
         "Mean measured send-to-take delay of the last frame's samples.", c_latency},
        {"steady_channel_latency_samples_total", "counter", "Send-to-take delays measured.",
         c_lat_n},
        {"steady_channel_showstoppers_removed_total", "counter",
         "Showstoppers the supervisor took off the channel.", c_ss_removed},
        {"steady_channel_showstoppers_dropped_total", "counter",
         "Removed showstoppers that were dropped (no dead letter channel, or it was full).",
         c_ss_dropped},
        {"steady_channel_backpressure", "gauge",
         "1 for the channel where back-pressure starts, else 0.", c_backpressure},
        {"steady_channel_alert", "gauge",
         "Worst firing trigger, else by fill: 0 none, 1 ok, 2 yellow, 3 orange, 4 red.", c_alert},
    };
    for (size_t k = 0; k < sizeof figs / sizeof figs[0]; k++)
        chan_family(b, f, (family){figs[k].name, figs[k].type, figs[k].help}, figs[k].fig);
    chan_window(b, f,
                (family){"steady_channel_rate_window", "gauge",
                         "Rate (messages per second) over the rolling window, by statistic."},
                offsetof(tm_channel, rate_w));
    chan_window(b, f,
                (family){"steady_channel_fill_ratio_window", "gauge",
                         "Fill ratio over the rolling window, by statistic."},
                offsetof(tm_channel, fill_w));
    chan_window(b, f,
                (family){"steady_channel_latency_seconds_window", "gauge",
                         "Measured latency of the window's last samples, by statistic."},
                offsetof(tm_channel, latency_w));
}

void tm_render_prom(const tm_frame *f, tm_buf *out)
{
    graph_families(out, f);
    actor_families(out, f);
    channel_families(out, f);
}
