/* telemetry/collect.c — see collect.h.
 *
 * Per frame: read every record (inspect.h), take each counter's difference with the previous
 * frame over the elapsed time (mCPU from busy time or the SOLO thread's CPU time, rate from the
 * taken total), push the figures into their windows, and every refresh recompute the windows'
 * statistics and the triggers' colours. The bottleneck is named every frame from the current
 * figures: the actor whose input is backed up while its outputs have room.
 */
#include "telemetry/collect.h"
#include "telemetry/lint.h"
#include "telemetry/window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { A_MCPU, A_LOAD, A_N };
enum { C_RATE, C_FILL, C_LAT, C_N };

/* The latency window keeps the last LAT_SAMPLES measured delays (not one figure per frame:
 * a frame may bring up to 64), so its percentiles are of messages, not of frames. */
#define LAT_SAMPLES 1024u
#define LAT_PER_READ 64u

struct tm_collector {
    const steady_graph *g;
    const tm_collect_config *cfg;
    uint32_t refresh_frames;
    uint32_t window_frames;
    tm_lints *lints;
    size_t na, nt, nc;
    steady_actor_info *prev_a;
    steady_troupe_info *prev_t;
    steady_channel_info *prev_c;
    steady_actor_info *cur_a; /* inspect's arrays, copied into the frame's records */
    steady_channel_info *cur_c;
    uint64_t created_mono, prev_mono;
    tm_window *aw;        /* na * A_N */
    tm_window *cw;        /* nc * C_N; the latency one holds samples, not frames */
    uint64_t *lat_cursor; /* per channel: steady_inspect_latency's cursor */
    double *scratch;
    tm_frame f;
};

/* ---- creation ---- */

static bool is_hidden(const tm_collect_config *c, const char *label)
{
    for (const char *const *h = c->hidden; h && *h; h++)
        if (strcmp(*h, label) == 0)
            return true;
    return false;
}

static bool windows_init(tm_window *w, size_t n, uint32_t cap)
{
    for (size_t i = 0; i < n; i++)
        if (!tm_window_init(&w[i], cap))
            return false;
    return true;
}

static bool alloc_all(tm_collector *c, uint32_t samples)
{
    size_t na = c->na ? c->na : 1, nt = c->nt ? c->nt : 1, nc = c->nc ? c->nc : 1;
    c->prev_a = calloc(na, sizeof *c->prev_a);
    c->prev_t = calloc(nt, sizeof *c->prev_t);
    c->prev_c = calloc(nc, sizeof *c->prev_c);
    c->cur_a = calloc(na, sizeof *c->cur_a);
    c->cur_c = calloc(nc, sizeof *c->cur_c);
    c->f.actors = calloc(na, sizeof *c->f.actors);
    c->f.troupes = calloc(nt, sizeof *c->f.troupes);
    c->f.channels = calloc(nc, sizeof *c->f.channels);
    c->aw = calloc(na * A_N, sizeof *c->aw);
    c->cw = calloc(nc * C_N, sizeof *c->cw);
    c->lat_cursor = calloc(nc, sizeof *c->lat_cursor);
    c->lints = tm_lints_new(c->na);
    c->scratch = calloc(samples > LAT_SAMPLES ? samples : LAT_SAMPLES, sizeof *c->scratch);
    bool ok = c->cw && c->lat_cursor;
    for (size_t i = 0; ok && i < c->nc; i++)
        ok = tm_window_init(&c->cw[i * C_N + C_RATE], samples) &&
             tm_window_init(&c->cw[i * C_N + C_FILL], samples) &&
             tm_window_init(&c->cw[i * C_N + C_LAT], LAT_SAMPLES);
    return ok && c->lints && c->prev_a && c->prev_t && c->prev_c && c->cur_a && c->cur_c &&
           c->f.actors && c->f.troupes && c->f.channels && c->aw && c->cw && c->scratch &&
           windows_init(c->aw, c->na * A_N, samples);
}

tm_collector *tm_collector_new(const steady_graph *g, const tm_collect_config *cfg,
                               uint64_t mono_ns)
{
    tm_collector *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->g = g;
    c->cfg = cfg;
    c->refresh_frames = cfg->refresh_ms / cfg->frame_ms ? cfg->refresh_ms / cfg->frame_ms : 1;
    c->na = steady_inspect_actors(g, NULL, 0);
    c->nt = steady_inspect_troupes(g, NULL, 0);
    c->nc = steady_inspect_channels(g, NULL, 0);
    uint32_t samples = tm_window_samples(cfg->window_ms, cfg->frame_ms);
    c->window_frames = samples;
    if (!alloc_all(c, samples)) {
        tm_collector_free(c);
        return NULL;
    }
    c->f.frame_ms = cfg->frame_ms;
    c->f.window_s = (double)samples * cfg->frame_ms / 1000.0;
    steady_inspect_actors(g, c->prev_a, c->na);
    steady_inspect_troupes(g, c->prev_t, c->nt);
    steady_inspect_channels(g, c->prev_c, c->nc);
    c->created_mono = mono_ns;
    return c;
}

void tm_collector_free(tm_collector *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->aw && i < c->na * A_N; i++)
        tm_window_free(&c->aw[i]);
    for (size_t i = 0; c->cw && i < c->nc * C_N; i++)
        tm_window_free(&c->cw[i]);
    tm_lints_free(c->lints);
    free(c->aw);
    free(c->cw);
    free(c->lat_cursor);
    free(c->scratch);
    free(c->prev_a);
    free(c->prev_t);
    free(c->prev_c);
    free(c->cur_a);
    free(c->cur_c);
    free(c->f.actors);
    free(c->f.troupes);
    free(c->f.channels);
    free(c);
}

/* ---- per-frame figures ---- */

static double per_second(uint64_t now, uint64_t before, double secs)
{
    return now >= before && secs > 0 ? (double)(now - before) / secs : 0;
}

/* mCPU: a SOLO actor's thread CPU time (it includes the brief spins before parking, which a
 * member's busy time cannot separate from its troupe's), else the actor's own busy time. */
static double actor_mcpu(const tm_collector *c, size_t i, double secs)
{
    const steady_actor_info *a = &c->f.actors[i].info, *pa = &c->prev_a[i];
    const steady_troupe_info *t = &c->f.troupes[a->troupe], *pt = &c->prev_t[a->troupe];
    double ns;
    if (t->solo && t->cpu_ns && pt->cpu_ns && t->cpu_ns >= pt->cpu_ns)
        ns = (double)(t->cpu_ns - pt->cpu_ns);
    else
        ns = a->busy_ns >= pa->busy_ns ? (double)(a->busy_ns - pa->busy_ns) : 0;
    double m = secs > 0 ? ns / (secs * 1e9) * 1024.0 : 0;
    return m > 1024.0 ? 1024.0 : m;
}

static void actors_figures(tm_collector *c, double secs)
{
    double total = 0;
    for (size_t i = 0; i < c->na; i++) {
        tm_actor *a = &c->f.actors[i];
        a->troupe = &c->f.troupes[a->info.troupe];
        a->restarts = a->info.regeneration;
        a->hidden = is_hidden(c->cfg, a->info.label);
        a->mcpu = actor_mcpu(c, i, secs);
        if (!a->hidden)
            total += a->mcpu;
    }
    for (size_t i = 0; i < c->na; i++) {
        tm_actor *a = &c->f.actors[i];
        a->load = total > 0 && !a->hidden ? 100.0 * a->mcpu / total : 0;
        tm_window_push(&c->aw[i * A_N + A_MCPU], a->mcpu);
        tm_window_push(&c->aw[i * A_N + A_LOAD], a->load);
    }
}

/* This frame's measured delays (core/latency.c via inspect.h): their mean is the frame's
 * figure, each one goes to the window. No new sample: the last figure stands (-1 until the
 * first). */
static void latency_figure(tm_collector *c, size_t i, tm_channel *ch)
{
    uint64_t ns[LAT_PER_READ];
    size_t n = steady_inspect_latency(c->g, ch->info.id, &c->lat_cursor[i], ns, LAT_PER_READ);
    if (n == 0) {
        if (c->f.seq <= 1)
            ch->latency_s = -1;
        return;
    }
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        sum += (double)ns[k] / 1e9;
        tm_window_push(&c->cw[i * C_N + C_LAT], (double)ns[k] / 1e9);
    }
    ch->latency_s = sum / (double)n;
}

static void channels_figures(tm_collector *c, double secs)
{
    c->f.total_rate = 0;
    for (size_t i = 0; i < c->nc; i++) {
        tm_channel *ch = &c->f.channels[i];
        const steady_channel_info *now = &ch->info;
        ch->rate = per_second(now->taken_total, c->prev_c[i].taken_total, secs);
        ch->fill = now->capacity
                       ? (double)(now->sent_total - now->taken_total) / (double)now->capacity
                       : 0;
        latency_figure(c, i, ch);
        c->f.total_rate += ch->rate;
        tm_window_push(&c->cw[i * C_N + C_RATE], ch->rate);
        tm_window_push(&c->cw[i * C_N + C_FILL], ch->fill);
    }
}

/* ---- triggers ---- */

static double pct_of(const tm_stats *s, double p)
{
    for (int i = 0; i < TM_N_PCT; i++)
        if (fabs(tm_pct_points[i] - p) < 1e-9)
            return s->pct[i];
    return NAN;
}

static bool fires(const steady_trigger *t, const tm_stats *s)
{
    if (s->n == 0)
        return false;
    switch (t->rule) {
    case STEADY_AVG_ABOVE: return s->avg > t->threshold;
    case STEADY_AVG_BELOW: return s->avg < t->threshold;
    case STEADY_PERCENTILE_ABOVE: return pct_of(s, t->percentile) > t->threshold;
    case STEADY_PERCENTILE_BELOW: return pct_of(s, t->percentile) < t->threshold;
    case STEADY_STDDEV_ABOVE: return s->avg + t->stddevs * s->std > t->threshold;
    case STEADY_STDDEV_BELOW: return s->avg - t->stddevs * s->std < t->threshold;
    }
    return false;
}

static bool targets(const steady_trigger *t, const char *name)
{
    return strcmp(t->target, "*") == 0 || strcmp(t->target, name) == 0;
}

static tm_color worse(tm_color a, tm_color b)
{
    return a > b ? a : b;
}

static tm_color alert(steady_alert_color c)
{
    return c == STEADY_ALERT_RED      ? TM_COLOR_RED
           : c == STEADY_ALERT_ORANGE ? TM_COLOR_ORANGE
                                      : TM_COLOR_YELLOW;
}

/* The colour of one actor or channel: NONE without a trigger, OK with triggers none of which
 * fires, else the most severe that fires. */
static tm_color judge(const tm_collect_config *cfg, const char *name, bool actor,
                      const tm_stats *const by_metric[6])
{
    tm_color col = TM_COLOR_NONE;
    for (size_t i = 0; i < cfg->n_triggers; i++) {
        const steady_trigger *t = &cfg->triggers[i];
        bool actor_metric = t->metric == STEADY_METRIC_MCPU || t->metric == STEADY_METRIC_LOAD;
        if (actor_metric != actor || !targets(t, name) || (unsigned)t->metric > 5)
            continue;
        col = worse(col, TM_COLOR_OK);
        if (by_metric[t->metric] && fires(t, by_metric[t->metric]))
            col = worse(col, alert(t->color));
    }
    return col;
}

static tm_color fill_color(double fill)
{
    return fill > 0.8   ? TM_COLOR_RED
           : fill > 0.4 ? TM_COLOR_ORANGE
           : fill > 0.1 ? TM_COLOR_YELLOW
                        : TM_COLOR_NONE;
}

static void refresh(tm_collector *c)
{
    for (size_t i = 0; i < c->na; i++) {
        tm_actor *a = &c->f.actors[i];
        tm_window_stats(&c->aw[i * A_N + A_MCPU], c->scratch, &a->mcpu_w);
        tm_window_stats(&c->aw[i * A_N + A_LOAD], c->scratch, &a->load_w);
        const tm_stats *m[6] = {
            [STEADY_METRIC_MCPU] = &a->mcpu_w, [STEADY_METRIC_LOAD] = &a->load_w};
        a->color = judge(c->cfg, a->info.label, true, m);
        if (a->info.link_state == STEADY_LINK_DOWN) /* its server is lost (or not yet there) */
            a->color = TM_COLOR_RED;
    }
    for (size_t i = 0; i < c->nc; i++) {
        tm_channel *ch = &c->f.channels[i];
        tm_window_stats(&c->cw[i * C_N + C_RATE], c->scratch, &ch->rate_w);
        tm_window_stats(&c->cw[i * C_N + C_FILL], c->scratch, &ch->fill_w);
        tm_window_stats(&c->cw[i * C_N + C_LAT], c->scratch, &ch->latency_w);
    }
}

static void channel_colors(tm_collector *c)
{
    for (size_t i = 0; i < c->nc; i++) {
        tm_channel *ch = &c->f.channels[i];
        const tm_stats *m[6] = {[STEADY_METRIC_RATE] = &ch->rate_w,
                                [STEADY_METRIC_FILL] = &ch->fill_w,
                                [STEADY_METRIC_LATENCY] = &ch->latency_w};
        tm_color t = judge(c->cfg, ch->info.name, false, m);
        ch->color = t != TM_COLOR_NONE ? t : fill_color(ch->fill);
    }
}

/* ---- the bottleneck ---- */

/* The actor that limits throughput: an input backed up (fill >= 1/2) while every output it
 * owns has room (fill < 1/2), so it is not itself held up downstream. Of several, the one
 * with the fullest input, then the busiest. Its fullest input is where back-pressure starts. */
static void name_bottleneck(tm_collector *c)
{
    c->f.bottleneck_actor = -1;
    c->f.backpressure_chan = -1;
    double best_fill = 0.5, best_mcpu = -1;
    for (size_t i = 0; i < c->na; i++) {
        tm_actor *a = &c->f.actors[i];
        a->bottleneck = false;
        double in_fill = -1, out_fill = 0;
        int64_t in_ch = -1;
        for (size_t k = 0; k < c->nc; k++) {
            const tm_channel *ch = &c->f.channels[k];
            if (ch->info.to_actor == (int64_t)i && ch->fill > in_fill) {
                in_fill = ch->fill;
                in_ch = (int64_t)k;
            }
            if (ch->info.from_actor == (int64_t)i && ch->fill > out_fill)
                out_fill = ch->fill;
        }
        if (a->hidden || in_ch < 0 || out_fill >= 0.5 || in_fill < best_fill ||
            (in_fill == best_fill && a->mcpu <= best_mcpu))
            continue;
        best_fill = in_fill;
        best_mcpu = a->mcpu;
        c->f.bottleneck_actor = (int64_t)i;
        c->f.backpressure_chan = in_ch;
    }
    for (size_t k = 0; k < c->nc; k++)
        c->f.channels[k].backpressure = (int64_t)k == c->f.backpressure_chan;
    if (c->f.bottleneck_actor >= 0)
        c->f.actors[c->f.bottleneck_actor].bottleneck = true;
}

/* ---- a frame ---- */

/* Reads every record into the frame, keeping the previous frame's as prev_*. */
static void read_records(tm_collector *c)
{
    tm_frame *f = &c->f;
    if (f->seq) {
        memcpy(c->prev_t, f->troupes, c->nt * sizeof *c->prev_t);
        for (size_t i = 0; i < c->na; i++)
            c->prev_a[i] = f->actors[i].info;
        for (size_t i = 0; i < c->nc; i++)
            c->prev_c[i] = f->channels[i].info;
    }
    steady_inspect_graph(c->g, &f->graph);
    steady_inspect_troupes(c->g, f->troupes, c->nt);
    steady_inspect_actors(c->g, c->cur_a, c->na);
    steady_inspect_channels(c->g, c->cur_c, c->nc);
    for (size_t i = 0; i < c->na; i++)
        f->actors[i].info = c->cur_a[i];
    for (size_t i = 0; i < c->nc; i++)
        f->channels[i].info = c->cur_c[i];
    f->n_actors = c->na;
    f->n_troupes = c->nt;
    f->n_channels = c->nc;
}

const tm_frame *tm_collector_sample(tm_collector *c, uint64_t mono_ns, uint64_t unix_ms)
{
    tm_frame *f = &c->f;
    read_records(c);
    double secs = c->prev_mono ? (double)(mono_ns - c->prev_mono) / 1e9 : 0;
    if (!c->prev_mono) /* the first frame: differences from the state at creation */
        secs = (double)(mono_ns - c->created_mono) / 1e9;
    c->prev_mono = mono_ns;
    f->seq++;
    f->mono_ns = mono_ns;
    f->unix_ms = unix_ms;
    actors_figures(c, secs);
    channels_figures(c, secs);
    tm_lints_update(c->lints, f, c->prev_a, c->prev_c, secs, c->window_frames);
    if ((f->seq - 1) % c->refresh_frames == 0)
        refresh(c);
    channel_colors(c);
    name_bottleneck(c);
    return f;
}
