/* telemetry/fmt.c — see fmt.h.
 *
 * Human numbers keep three significant digits and move to the next unit when rounding would
 * print a fourth (999.7 is "1K", never "1e+03"). Machine numbers are whole numbers in full, else
 * %.10g: enough for every figure a frame holds (ratios, seconds to the nanosecond under 10 s).
 */
#include "telemetry/fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- names ---- */

const char *tm_color_name(tm_color c)
{
    switch (c) {
    case TM_COLOR_NONE: return "none";
    case TM_COLOR_OK: return "ok";
    case TM_COLOR_YELLOW: return "yellow";
    case TM_COLOR_ORANGE: return "orange";
    case TM_COLOR_RED: return "red";
    }
    return "none";
}

const char *tm_color_dot(tm_color c)
{
    switch (c) {
    case TM_COLOR_NONE: return "grey60";
    case TM_COLOR_OK: return "green3";
    case TM_COLOR_YELLOW: return "yellow";
    case TM_COLOR_ORANGE: return "orange";
    case TM_COLOR_RED: return "red";
    }
    return "grey60";
}

/* White blended 12 % toward the border colour, as the original tints its nodes (its orange
 * came out grey: every colour here is computed from the border's RGB). */
const char *tm_color_dot_fill(tm_color c)
{
    switch (c) {
    case TM_COLOR_NONE: return "#f4f4f4";
    case TM_COLOR_OK: return "#e0f8e0";
    case TM_COLOR_YELLOW: return "#ffffe0";
    case TM_COLOR_ORANGE: return "#fff4e0";
    case TM_COLOR_RED: return "#ffe0e0";
    }
    return "#f4f4f4";
}

int tm_color_level(tm_color c)
{
    return c >= TM_COLOR_NONE && c <= TM_COLOR_RED ? (int)c : 0;
}

const char *tm_placement_name(steady_placement p)
{
    switch (p) {
    case STEADY_PLACEMENT_SOLO: return "solo";
    case STEADY_PLACEMENT_MEMBER: return "member";
    case STEADY_PLACEMENT_ISOLATED: return "isolated";
    }
    return "unknown";
}

const char *tm_phase_name(steady_actor_phase p)
{
    switch (p) {
    case STEADY_ACTOR_NOT_STARTED: return "not_started";
    case STEADY_ACTOR_RUNNING: return "running";
    case STEADY_ACTOR_RESTARTING: return "restarting";
    case STEADY_ACTOR_VOTED: return "voted";
    case STEADY_ACTOR_ENDED: return "ended";
    case STEADY_ACTOR_STOPPED_FOR_GOOD: return "stopped_for_good";
    }
    return "unknown";
}

const char *tm_state_name(steady_graph_state s)
{
    switch (s) {
    case STEADY_GRAPH_BUILDING: return "building";
    case STEADY_GRAPH_RUNNING: return "running";
    case STEADY_GRAPH_STOP_REQUESTED: return "stop_requested";
    case STEADY_GRAPH_STOPPED: return "stopped";
    case STEADY_GRAPH_STOPPED_UNCLEANLY: return "stopped_uncleanly";
    }
    return "unknown";
}

/* ---- human numbers ---- */

/* v scaled by `step` until its 3-digit rounding is under 999.5 (or the units run out), printed
 * with the unit reached. */
static char *scaled(char out[TM_FMT_LEN], double v, double step, const char *const *units,
                    int n_units)
{
    int k = 0;
    while (fabs(v) >= 999.5 && k + 1 < n_units) {
        v /= step;
        k++;
    }
    snprintf(out, TM_FMT_LEN, "%.3g%s", v, units[k]);
    return out;
}

char *tm_fmt_count(char out[TM_FMT_LEN], double v)
{
    static const char *const units[] = {"", "K", "M", "G", "T", "P"};
    if (!isfinite(v)) {
        snprintf(out, TM_FMT_LEN, "-");
        return out;
    }
    if (v == 0)
        v = 0; /* no "-0" */
    return scaled(out, v, 1000.0, units, 6);
}

char *tm_fmt_seconds(char out[TM_FMT_LEN], double s)
{
    static const char *const small[] = {"ns", "µs", "ms", "s"};
    if (!isfinite(s) || s < 0) {
        snprintf(out, TM_FMT_LEN, "-");
    } else if (s == 0) {
        snprintf(out, TM_FMT_LEN, "0s");
    } else if (s < 59.95) {
        scaled(out, s * 1e9, 1000.0, small, 4);
    } else if (s < 3597) {
        snprintf(out, TM_FMT_LEN, "%.3gmin", s / 60);
    } else {
        snprintf(out, TM_FMT_LEN, "%.3gh", s / 3600);
    }
    return out;
}

char *tm_fmt_pct(char out[TM_FMT_LEN], double ratio)
{
    if (!isfinite(ratio))
        snprintf(out, TM_FMT_LEN, "-");
    else if (ratio > 0 && ratio < 0.005)
        snprintf(out, TM_FMT_LEN, "<1%%");
    else
        snprintf(out, TM_FMT_LEN, "%.0f%%", ratio * 100 + 0.0); /* + 0.0: no "-0%" */
    return out;
}

/* ---- machine numbers ---- */

/* Whole numbers in full (a counter of 12 digits stays exact), others with 10 digits. */
static void put_finite(tm_buf *b, double v)
{
    if (v == 0)
        tm_buf_puts(b, "0"); /* also -0 */
    else if (v == floor(v) && fabs(v) < 1e18)
        tm_buf_printf(b, "%.0f", v);
    else
        tm_buf_printf(b, "%.10g", v);
}

void tm_put_json_num(tm_buf *b, double v)
{
    if (isfinite(v))
        put_finite(b, v);
    else
        tm_buf_puts(b, "null");
}

void tm_put_prom_num(tm_buf *b, double v)
{
    if (isnan(v))
        tm_buf_puts(b, "NaN");
    else if (isinf(v))
        tm_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
    else
        put_finite(b, v);
}

/* ---- text ---- */

/* The length of the valid UTF-8 sequence at p (1..4), or 0 if p does not start one. */
static int utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    int n = c >= 0xC2 && c <= 0xDF   ? 2
            : c >= 0xE0 && c <= 0xEF ? 3
            : c >= 0xF0 && c <= 0xF4 ? 4
                                     : 0;
    unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F; /* no surrogates */
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F; /* nothing above U+10FFFF */
    if (n == 0 || p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

void tm_put_text(tm_buf *b, const char *s, void (*esc)(tm_buf *, const char *))
{
    if (!s)
        return;
    char chunk[256];
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = utf8_len(p);
        if (k + 5 > sizeof chunk) {
            chunk[k] = '\0';
            esc(b, chunk);
            k = 0;
        }
        if (n == 0) {
            chunk[k++] = '?';
            p++;
            continue;
        }
        memcpy(chunk + k, p, (size_t)n);
        k += (size_t)n;
        p += n;
    }
    chunk[k] = '\0';
    esc(b, chunk);
}

/* ---- lookups ---- */

const tm_actor *tm_frame_actor(const tm_frame *f, int64_t id)
{
    if (id < 0)
        return NULL;
    if ((uint64_t)id < f->n_actors && f->actors[id].info.id == (uint64_t)id)
        return &f->actors[id]; /* the collector's frames: index == id */
    for (size_t i = 0; i < f->n_actors; i++)
        if (f->actors[i].info.id == (uint64_t)id)
            return &f->actors[i];
    return NULL;
}

const steady_troupe_info *tm_actor_troupe(const tm_frame *f, const tm_actor *a)
{
    if (a->troupe)
        return a->troupe;
    return a->info.troupe < f->n_troupes ? &f->troupes[a->info.troupe] : NULL;
}
