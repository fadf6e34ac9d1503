/* telemetry/render_dot.c — /graph.dot and logs/graph.dot (render.h).
 *
 * One node per visible actor, named by its label (quoted) with id="a<id>"; one edge per
 * channel with id="ch<id>" (web/app.js ties SVG nodes and edges to snapshot.json by these ids),
 * except that 4 or more lanes of one bundle between the same two actors are merged into one
 * dashed edge with id="lanes<first id>" (the dashboard matches that one by its pair of nodes).
 * Conventions (docs/reference/telemetry-formats.md):
 *   - colours from tm_color: grey60 none, green3 ok, yellow, orange, red; nodes take it as their
 *     border and a tint of it as their fill, edges as their line;
 *   - an edge's width grows with the log of its rate (1 at rest, 1 + 0.6 per decade);
 *   - the bottleneck node has a double border and says so; the back-pressure edge is bold;
 *   - every label line is separated by DOT's "\n", and "Total:" has a line of its own;
 *   - a hidden actor is an unlabelled point named "~hidden:<id>" (its channels still show, its
 *     label does not); a channel end no actor owns is a point "~open:<channel id>:from|to".
 * Fixed against the original: orange shows (it was dropped as an unknown colour), "Total:" no
 * longer joins the line above, a merged bundle takes its worst lane's colour (not an average of
 * RGB values, which turned red and green into brown).
 */
#include "telemetry/fmt.h"
#include "telemetry/lint.h"
#include "telemetry/render.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NL "\\n"

static void text(tm_buf *b, const char *s)
{
    tm_put_text(b, s, tm_buf_dot_str);
}

/* ---- nodes ---- */

static void node_label(tm_buf *b, const tm_frame *f, const tm_actor *a)
{
    char x[TM_FMT_LEN], y[TM_FMT_LEN];
    text(b, a->info.label);
    const steady_troupe_info *t = tm_actor_troupe(f, a);
    if (a->info.placement == STEADY_PLACEMENT_ISOLATED)
        tm_buf_printf(b, NL "ISOLATED · pid %d", t ? t->pid : 0);
    tm_buf_printf(b, NL "mCPU %s · load %s", tm_fmt_count(x, a->mcpu),
                  tm_fmt_pct(y, a->load / 100));
    if (a->mcpu_w.n)
        tm_buf_printf(b, NL "avg mCPU %s · p90 %s", tm_fmt_count(x, a->mcpu_w.avg),
                      tm_fmt_count(y, a->mcpu_w.pct[3]));
    if (a->restarts)
        tm_buf_printf(b, NL "restarts %" PRIu32, a->restarts);
    if (a->info.link_kind) { /* a bridge: where it goes, and whether it is connected */
        tm_buf_puts(b, NL);
        text(b, a->info.link_kind);
        tm_buf_printf(b, " · %s", steady_link_state_name(a->info.link_state));
        tm_buf_puts(b, NL);
        text(b, a->info.link_endpoint);
    }
    if (a->info.waiting_fds)
        tm_buf_printf(b, NL "waits on %" PRIu32 " fd%s", a->info.waiting_fds,
                      a->info.waiting_fds == 1 ? "" : "s");
    if (a->info.phase != STEADY_ACTOR_RUNNING)
        tm_buf_printf(b, NL "(%s)", tm_phase_name(a->info.phase));
    for (uint32_t bit = 1; bit <= TM_LINT_RESTART_LOOP; bit <<= 1)
        if (a->lints & bit)
            tm_buf_printf(b, NL "lint: %s", tm_lint_name(bit));
    if (a->bottleneck)
        tm_buf_puts(b, NL "BOTTLENECK");
}

static void stats_line(tm_buf *b, const char *what, const tm_stats *s, char *(*fmt)(char *, double))
{
    char v[5][TM_FMT_LEN];
    if (!s->n)
        return;
    tm_buf_printf(b, NL "%s avg %s p50 %s p90 %s p99 %s max %s", what, fmt(v[0], s->avg),
                  fmt(v[1], s->pct[1]), fmt(v[2], s->pct[3]), fmt(v[3], s->pct[5]),
                  fmt(v[4], s->max));
}

static char *fmt_load(char *out, double pct)
{
    return tm_fmt_pct(out, pct / 100);
}

static void node_tooltip(tm_buf *b, const tm_frame *f, const tm_actor *a)
{
    const steady_troupe_info *t = tm_actor_troupe(f, a);
    text(b, a->info.label);
    tm_buf_printf(b, NL "%s", tm_placement_name(a->info.placement));
    if (t) {
        tm_buf_puts(b, ", troupe ");
        text(b, t->name);
        tm_buf_printf(b, NL "pid %d tid %d", t->pid, t->tid);
        if (t->core >= 0)
            tm_buf_printf(b, " core %d%s", t->core, t->pinned ? " (pinned)" : "");
    }
    tm_buf_printf(b, NL "phase %s, failures %" PRIu32, tm_phase_name(a->info.phase),
                  a->info.failures);
    tm_buf_printf(b, NL "window %.1fs", f->window_s);
    stats_line(b, "mCPU", &a->mcpu_w, tm_fmt_count);
    stats_line(b, "load", &a->load_w, fmt_load);
    if (a->info.last_failure[0]) {
        tm_buf_puts(b, NL "last failure: ");
        text(b, a->info.last_failure);
    }
}

static void node(tm_buf *b, const tm_frame *f, const tm_actor *a)
{
    tm_buf_puts(b, "  \"");
    text(b, a->info.label);
    tm_buf_printf(b, "\" [id=\"a%" PRIu32 "\", label=\"", a->info.id);
    node_label(b, f, a);
    tm_buf_puts(b, "\", tooltip=\"");
    node_tooltip(b, f, a);
    tm_buf_printf(b, "\", color=\"%s\", fillcolor=\"%s\"", tm_color_dot(a->color),
                  tm_color_dot_fill(a->color));
    if (a->bottleneck)
        tm_buf_puts(b, ", peripheries=2, penwidth=5");
    if (a->info.placement == STEADY_PLACEMENT_ISOLATED) /* its own process: a dashed frame */
        tm_buf_puts(b, ", style=\"rounded,filled,dashed\"");
    tm_buf_puts(b, "];\n");
}

static void hidden_node(tm_buf *b, const tm_actor *a)
{
    tm_buf_printf(b,
                  "  \"~hidden:%" PRIu32 "\" [id=\"h%" PRIu32 "\", shape=point, width=0.15, "
                  "color=\"grey60\", label=\"\", tooltip=\"a hidden actor\"];\n",
                  a->info.id, a->info.id);
}

/* ---- edges ---- */

/* The figures of one edge: a channel, or the merged lanes of a bundle. */
typedef struct edge {
    const tm_channel *first;
    uint32_t lanes;
    double rate, fill, latency_s, fill_p90, lat_p99;
    uint64_t taken, capacity;
    tm_color color;
    bool backpressure;
} edge;

static void edge_add(edge *e, const tm_channel *c)
{
    if (!e->first) {
        *e = (edge){.first = c, .latency_s = -1, .fill_p90 = NAN, .lat_p99 = NAN};
    }
    e->lanes++;
    /* One channel: its own figures, NaN included ("-"); lanes: the sum and the worst. */
    e->rate = e->lanes == 1 ? c->rate : e->rate + (isfinite(c->rate) ? c->rate : 0);
    e->fill = e->lanes == 1 ? c->fill : fmax(e->fill, c->fill);
    e->latency_s = fmax(e->latency_s, c->latency_s);
    if (c->fill_w.n)
        e->fill_p90 = fmax(isnan(e->fill_p90) ? 0 : e->fill_p90, c->fill_w.pct[3]);
    if (c->latency_w.n)
        e->lat_p99 = fmax(isnan(e->lat_p99) ? 0 : e->lat_p99, c->latency_w.pct[5]);
    e->taken += c->info.taken_total;
    e->capacity += c->info.capacity;
    e->color = c->color > e->color ? c->color : e->color;
    e->backpressure |= c->backpressure;
}

/* The DOT name of a channel end: the actor's label, a hidden actor's point, or an open end's
 * point (declared here, before the edge that uses it). */
static void endpoint(tm_buf *b, const tm_frame *f, const tm_channel *c, bool from)
{
    const tm_actor *a = tm_frame_actor(f, from ? c->info.from_actor : c->info.to_actor);
    if (a && !a->hidden) {
        tm_buf_puts(b, "\"");
        text(b, a->info.label);
        tm_buf_puts(b, "\"");
    } else if (a) {
        tm_buf_printf(b, "\"~hidden:%" PRIu32 "\"", a->info.id);
    } else {
        tm_buf_printf(b, "\"~open:%" PRIu32 ":%s\"", c->info.id, from ? "from" : "to");
    }
}

static void open_ends(tm_buf *b, const tm_frame *f, const tm_channel *c)
{
    for (int from = 1; from >= 0; from--) {
        if (tm_frame_actor(f, from ? c->info.from_actor : c->info.to_actor))
            continue;
        tm_buf_puts(b, "  ");
        endpoint(b, f, c, from);
        tm_buf_printf(b,
                      " [shape=point, width=0.1, color=\"grey60\", label=\"\", tooltip=\"%s\"];\n",
                      from ? "no actor sends here" : "no actor takes from here");
    }
}

static void edge_label(tm_buf *b, const edge *e)
{
    char x[TM_FMT_LEN], y[TM_FMT_LEN];
    const steady_channel_info *i = &e->first->info;
    if (e->lanes > 1) {
        text(b, i->bundle);
        tm_buf_printf(b, " ×%" PRIu32 " lanes", e->lanes);
    } else {
        text(b, i->name);
    }
    tm_buf_printf(b, NL "%s/s · fill %s", tm_fmt_count(x, e->rate), tm_fmt_pct(y, e->fill));
    if (!isnan(e->fill_p90))
        tm_buf_printf(b, " · p90 %s", tm_fmt_pct(x, e->fill_p90));
    if (e->latency_s >= 0 || !isnan(e->lat_p99)) {
        tm_buf_printf(b, NL "latency %s", tm_fmt_seconds(x, e->latency_s));
        if (!isnan(e->lat_p99))
            tm_buf_printf(b, " · p99 %s", tm_fmt_seconds(y, e->lat_p99));
    }
    tm_buf_printf(b, NL "Total: %s", tm_fmt_count(x, (double)e->taken));
}

static char *fmt_ratio(char *out, double r)
{
    return tm_fmt_pct(out, r);
}

static void edge_tooltip(tm_buf *b, const tm_frame *f, const edge *e)
{
    const tm_channel *c = e->first;
    if (e->lanes > 1) {
        text(b, c->info.bundle);
        tm_buf_printf(b,
                      ": %" PRIu32 " lanes from #%" PRIu32 NL "capacity %" PRIu64
                      " in all, taken %" PRIu64,
                      e->lanes, c->info.id, e->capacity, e->taken);
    } else {
        tm_buf_printf(b, "#%" PRIu32 " ", c->info.id);
        text(b, c->info.name);
        tm_buf_printf(
            b, NL "capacity %" PRIu64 ", in flight %" PRIu64 NL "sent %" PRIu64 ", taken %" PRIu64,
            c->info.capacity, c->info.sent_total - c->info.taken_total, c->info.sent_total,
            c->info.taken_total);
        tm_buf_printf(b, NL "window %.1fs", f->window_s);
        stats_line(b, "rate", &c->rate_w, tm_fmt_count);
        stats_line(b, "fill", &c->fill_w, fmt_ratio);
        stats_line(b, "latency", &c->latency_w, tm_fmt_seconds);
    }
    tm_buf_printf(b, NL "colour %s", tm_color_name(e->color));
    if (e->backpressure)
        tm_buf_puts(b, NL "back-pressure starts here");
}

static void draw_edge(tm_buf *b, const tm_frame *f, const edge *e)
{
    const tm_channel *c = e->first;
    open_ends(b, f, c);
    tm_buf_puts(b, "  ");
    endpoint(b, f, c, true);
    tm_buf_puts(b, " -> ");
    endpoint(b, f, c, false);
    tm_buf_printf(b, " [id=\"%s%" PRIu32 "\", label=\"", e->lanes > 1 ? "lanes" : "ch", c->info.id);
    edge_label(b, e);
    tm_buf_puts(b, "\", tooltip=\"");
    edge_tooltip(b, f, e);
    double width = 1 + 0.6 * log10(1 + (e->rate > 0 ? e->rate : 0));
    tm_buf_printf(b, "\", color=\"%s\", penwidth=%.1f", tm_color_dot(e->color), fmin(width, 8));
    if (e->lanes > 1 || e->backpressure)
        tm_buf_printf(b, ", style=\"%s%s\"", e->backpressure ? "bold" : "",
                      e->lanes > 1 ? (e->backpressure ? ",dashed" : "dashed") : "");
    tm_buf_puts(b, "];\n");
}

/* Lanes merged: at least this many of one bundle between the same two ends. */
#define MERGE_LANES 4

static bool same_lanes(const tm_channel *a, const tm_channel *b)
{
    return a->info.bundle && b->info.bundle && strcmp(a->info.bundle, b->info.bundle) == 0 &&
           a->info.from_actor == b->info.from_actor && a->info.to_actor == b->info.to_actor;
}

/* Channel i's edge, with the lanes it merges marked in `drawn` (NULL: no merging). */
static void channel_edge(tm_buf *b, const tm_frame *f, size_t i, bool *drawn)
{
    const tm_channel *c = &f->channels[i];
    edge e = {0};
    size_t n = 0;
    for (size_t j = i; drawn && c->info.bundle && j < f->n_channels; j++)
        n += !drawn[j] && same_lanes(c, &f->channels[j]);
    if (n < MERGE_LANES) {
        edge_add(&e, c);
    } else {
        for (size_t j = i; j < f->n_channels; j++)
            if (!drawn[j] && same_lanes(c, &f->channels[j])) {
                edge_add(&e, &f->channels[j]);
                drawn[j] = true;
            }
    }
    draw_edge(b, f, &e);
}

/* ---- the graph ---- */

static void header(tm_buf *b, const tm_frame *f)
{
    char x[TM_FMT_LEN];
    tm_buf_puts(b, "digraph G {\n  graph [label=\"");
    text(b, f->graph.name ? f->graph.name : "graph");
    tm_buf_printf(b, " · %s" NL "window %.1fs · frame %" PRIu64 " · %s msg/s in all\", ",
                  tm_state_name(f->graph.state), f->window_s, f->seq,
                  tm_fmt_count(x, f->total_rate));
    tm_buf_puts(b, "labelloc=t, rankdir=LR, nodesep=0.35, ranksep=1.2, bgcolor=\"black\", "
                   "fontname=\"Helvetica\", fontcolor=\"white\", fontsize=16];\n"
                   "  node [shape=box, style=\"rounded,filled\", penwidth=3, margin=0.1, "
                   "fontname=\"Helvetica\", fontcolor=\"black\", fontsize=14];\n"
                   "  edge [fontname=\"Helvetica\", fontcolor=\"white\", fontsize=12];\n");
}

void tm_render_dot(const tm_frame *f, tm_buf *out)
{
    header(out, f);
    for (size_t i = 0; i < f->n_actors; i++) {
        if (f->actors[i].hidden)
            hidden_node(out, &f->actors[i]);
        else
            node(out, f, &f->actors[i]);
    }
    bool *drawn = f->n_channels ? calloc(f->n_channels, sizeof *drawn) : NULL;
    for (size_t i = 0; i < f->n_channels; i++)
        if (!drawn || !drawn[i])
            channel_edge(out, f, i, drawn);
    free(drawn);
    tm_buf_puts(out, "}\n");
}
