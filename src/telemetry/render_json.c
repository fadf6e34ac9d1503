/* telemetry/render_json.c — /snapshot.json and /config (render.h).
 *
 * The snapshot is one JSON object per frame, schema TM_SNAPSHOT_VERSION; every field, unit and
 * null rule is in docs/reference/snapshot-json.md, and the dashboard (web/app.js) and
 * tests/telemetry/fixtures/snapshot.json follow it. The rules this file keeps:
 *   - one line: the document ends with its only newline (the history file is JSON lines);
 *   - a number that is not finite is written null (JSON has no NaN);
 *   - a window's statistics are an object, or null while the window holds no sample (n == 0);
 *   - hidden actors are left out of "actors"; channels all stay, and may name a hidden actor's
 *     id in "from"/"to" (the dashboard then shows "#id");
 *   - no actor or channel end: null, never -1;
 *   - every string goes through tm_put_text (valid UTF-8) and JSON escaping.
 * Integers (totals, ids) are written exactly; a reader in JavaScript loses precision above
 * 2^53, which a counter of messages reaches after years at 100 M/s.
 */
#include "telemetry/fmt.h"
#include "telemetry/lint.h"
#include "telemetry/render.h"

#include <inttypes.h>
#include <math.h>

/* ---- pieces ---- */

static void key(tm_buf *b, bool *first, const char *k)
{
    tm_buf_printf(b, "%s\"%s\":", *first ? "" : ",", k);
    *first = false;
}

static void str(tm_buf *b, const char *s)
{
    if (!s) {
        tm_buf_puts(b, "null");
        return;
    }
    tm_buf_puts(b, "\"");
    tm_put_text(b, s, tm_buf_json_str);
    tm_buf_puts(b, "\"");
}

static void id_or_null(tm_buf *b, int64_t id)
{
    if (id < 0)
        tm_buf_puts(b, "null");
    else
        tm_buf_printf(b, "%" PRId64, id);
}

static void stats(tm_buf *b, const tm_stats *s)
{
    static const char *const pct[TM_N_PCT] = {"p25", "p50", "p75", "p90", "p95", "p99"};
    if (s->n == 0) {
        tm_buf_puts(b, "null");
        return;
    }
    bool first = true;
    tm_buf_puts(b, "{");
    key(b, &first, "n");
    tm_buf_printf(b, "%" PRIu32, s->n);
    const double v[4] = {s->avg, s->min, s->max, s->std};
    static const char *const names[4] = {"avg", "min", "max", "std"};
    for (int i = 0; i < 4; i++) {
        key(b, &first, names[i]);
        tm_put_json_num(b, v[i]);
    }
    for (int i = 0; i < TM_N_PCT; i++) {
        key(b, &first, pct[i]);
        tm_put_json_num(b, s->pct[i]);
    }
    tm_buf_puts(b, "}");
}

static void lints(tm_buf *b, uint32_t bits)
{
    tm_buf_puts(b, "[");
    bool first = true;
    for (uint32_t bit = 1; bit; bit <<= 1) {
        const char *n = (bits & bit) ? tm_lint_name(bit) : NULL;
        if (!n)
            continue;
        tm_buf_printf(b, "%s\"%s\"", first ? "" : ",", n);
        first = false;
    }
    tm_buf_puts(b, "]");
}

/* ---- sections ---- */

static void graph(tm_buf *b, const tm_frame *f)
{
    size_t hidden = 0;
    for (size_t i = 0; i < f->n_actors; i++)
        hidden += f->actors[i].hidden;
    tm_buf_puts(b, "\"graph\":{\"name\":");
    str(b, f->graph.name);
    tm_buf_printf(b,
                  ",\"state\":\"%s\",\"n_actors\":%" PRIu32 ",\"n_hidden\":%zu,"
                  "\"n_troupes\":%" PRIu32 ",\"n_channels\":%" PRIu32 ",\"pid\":%d,"
                  "\"futex_wakes\":%" PRIu64 "}",
                  tm_state_name(f->graph.state), f->graph.n_actors, hidden, f->graph.n_troupes,
                  f->graph.n_channels, f->graph.pid, f->graph.futex_wakes);
}

static void actor(tm_buf *b, const tm_frame *f, const tm_actor *a)
{
    const steady_actor_info *i = &a->info;
    const steady_troupe_info *t = tm_actor_troupe(f, a);
    tm_buf_printf(b, "{\"id\":%" PRIu32 ",\"label\":", i->id);
    str(b, i->label);
    tm_buf_puts(b, ",\"name\":");
    str(b, i->name);
    if (i->has_suffix)
        tm_buf_printf(b, ",\"suffix\":%u", i->suffix);
    else
        tm_buf_puts(b, ",\"suffix\":null");
    tm_buf_printf(b, ",\"placement\":\"%s\",\"troupe\":%" PRIu32 ",\"troupe_name\":",
                  tm_placement_name(i->placement), i->troupe);
    str(b, t ? t->name : NULL);
    tm_buf_printf(b, ",\"pid\":%d,\"tid\":%d,\"core\":", t ? t->pid : 0, t ? t->tid : 0);
    id_or_null(b, t ? t->core : -1);
    tm_buf_printf(b,
                  ",\"phase\":\"%s\",\"regeneration\":%" PRIu32 ",\"failures\":%" PRIu32
                  ",\"busy_ns\":%" PRIu64 ",\"n_inputs\":%" PRIu32 ",\"n_outputs\":%" PRIu32
                  ",\"waiting_fds\":%" PRIu32 ",\"mcpu\":",
                  tm_phase_name(i->phase), i->regeneration, i->failures, i->busy_ns, i->n_inputs,
                  i->n_outputs, i->waiting_fds);
    tm_put_json_num(b, a->mcpu);
    tm_buf_puts(b, ",\"load\":");
    tm_put_json_num(b, a->load);
    tm_buf_printf(b, ",\"color\":\"%s\",\"bottleneck\":%s,\"lints\":", tm_color_name(a->color),
                  a->bottleneck ? "true" : "false");
    lints(b, a->lints);
    tm_buf_puts(b, ",\"last_failure\":");
    str(b, i->last_failure);
    tm_buf_puts(b, ",\"link\":");
    if (i->link_kind) {
        tm_buf_puts(b, "{\"kind\":");
        str(b, i->link_kind);
        tm_buf_puts(b, ",\"endpoint\":");
        str(b, i->link_endpoint);
        tm_buf_printf(b, ",\"state\":\"%s\",\"downs\":%" PRIu32 "}",
                      steady_link_state_name(i->link_state), i->link_downs);
    } else
        tm_buf_puts(b, "null");
    tm_buf_puts(b, ",\"stats\":{\"mcpu\":");
    stats(b, &a->mcpu_w);
    tm_buf_puts(b, ",\"load\":");
    stats(b, &a->load_w);
    tm_buf_puts(b, "}}");
}

static void channel(tm_buf *b, const tm_channel *c)
{
    const steady_channel_info *i = &c->info;
    tm_buf_printf(b, "{\"id\":%" PRIu32 ",\"name\":", i->id);
    str(b, i->name);
    tm_buf_puts(b, ",\"bundle\":");
    str(b, i->bundle);
    tm_buf_printf(b, ",\"lane\":%" PRIu32 ",\"lanes\":%" PRIu32 ",\"from\":", i->lane, i->lanes);
    id_or_null(b, i->from_actor);
    tm_buf_puts(b, ",\"to\":");
    id_or_null(b, i->to_actor);
    uint64_t inflight = i->sent_total >= i->taken_total ? i->sent_total - i->taken_total : 0;
    tm_buf_printf(b,
                  ",\"capacity\":%" PRIu64 ",\"elem_size\":%zu,\"memory_bytes\":%" PRIu64
                  ",\"sent_total\":%" PRIu64 ",\"taken_total\":%" PRIu64 ",\"inflight\":%" PRIu64
                  ",\"fill\":",
                  i->capacity, i->elem_size, i->memory_bytes, i->sent_total, i->taken_total,
                  inflight);
    tm_put_json_num(b, c->fill);
    tm_buf_puts(b, ",\"rate\":");
    tm_put_json_num(b, c->rate);
    tm_buf_puts(b, ",\"latency_s\":");
    tm_put_json_num(b, c->latency_s >= 0 ? c->latency_s : (double)NAN);
    tm_buf_printf(b,
                  ",\"latency_samples\":%" PRIu64 ",\"color\":\"%s\",\"backpressure\":%s,"
                  "\"tx_closed\":%s,\"rx_closed\":%s,\"showstoppers_removed\":%" PRIu64
                  ",\"showstoppers_dropped\":%" PRIu64 ",\"stats\":{\"rate\":",
                  i->latency_samples, tm_color_name(c->color), c->backpressure ? "true" : "false",
                  i->tx_closed ? "true" : "false", i->rx_closed ? "true" : "false",
                  i->showstoppers_removed, i->showstoppers_dropped);
    stats(b, &c->rate_w);
    tm_buf_puts(b, ",\"fill\":");
    stats(b, &c->fill_w);
    tm_buf_puts(b, ",\"latency\":");
    stats(b, &c->latency_w);
    tm_buf_puts(b, "}}");
}

/* The bottleneck, unless it is hidden (the collector never names one, a hand-made frame may). */
static void bottleneck(tm_buf *b, const tm_frame *f)
{
    const tm_actor *a = tm_frame_actor(f, f->bottleneck_actor);
    tm_buf_puts(b, "\"bottleneck\":{\"actor\":");
    id_or_null(b, a && !a->hidden ? f->bottleneck_actor : -1);
    tm_buf_puts(b, ",\"channel\":");
    id_or_null(b, f->backpressure_chan);
    tm_buf_puts(b, "}");
}

/* ---- documents ---- */

void tm_render_json(const tm_frame *f, tm_buf *b)
{
    tm_buf_printf(b,
                  "{\"v\":%d,\"seq\":%" PRIu64 ",\"unix_ms\":%" PRIu64 ",\"mono_ns\":%" PRIu64
                  ",\"frame_ms\":%" PRIu32 ",\"window_s\":",
                  TM_SNAPSHOT_VERSION, f->seq, f->unix_ms, f->mono_ns, f->frame_ms);
    tm_put_json_num(b, f->window_s);
    tm_buf_puts(b, ",");
    graph(b, f);
    tm_buf_puts(b, ",\"actors\":[");
    bool first = true;
    for (size_t i = 0; i < f->n_actors; i++) {
        if (f->actors[i].hidden)
            continue;
        tm_buf_puts(b, first ? "" : ",");
        actor(b, f, &f->actors[i]);
        first = false;
    }
    tm_buf_puts(b, "],\"channels\":[");
    for (size_t i = 0; i < f->n_channels; i++) {
        tm_buf_puts(b, i ? "," : "");
        channel(b, &f->channels[i]);
    }
    tm_buf_puts(b, "],");
    bottleneck(b, f);
    tm_buf_puts(b, ",\"total_rate\":");
    tm_put_json_num(b, f->total_rate);
    tm_buf_puts(b, "}\n");
}

void tm_render_config(const tm_config_view *c, tm_buf *b)
{
    tm_buf_printf(
        b, "{\"v\":%d,\"frame_ms\":%" PRIu32 ",\"refresh_rate_ms\":%" PRIu32 ",\"window_s\":",
        TM_SNAPSHOT_VERSION, c->frame_ms, c->frame_ms);
    tm_put_json_num(b, c->window_s);
    tm_buf_puts(b, ",\"graph\":");
    str(b, c->graph_name);
    tm_buf_puts(b, ",\"version\":");
    str(b, c->version);
    tm_buf_printf(b, ",\"have_viz\":%s,\"telemetry_colors\":[\"#00a900\",\"#008000\"]}\n",
                  c->have_viz ? "true" : "false");
}
