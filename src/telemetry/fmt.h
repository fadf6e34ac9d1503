/* telemetry/fmt.h — what the three renderers (render_dot.c, render_prom.c, render_json.c) share:
 * the wire names of colours, placements, phases, states and lints; numbers written for a
 * human (12.3K, 20.1ms, 45%) and for a machine (JSON, Prometheus); labels made valid UTF-8.
 *
 * Wire names are this module's own (lower snake case), not steady_*_name()'s display texts, so a
 * new display text in the core never changes the JSON schema or a Prometheus label.
 * Pure functions, no globals: any thread. Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_FMT_H
#define STEADY_TELEMETRY_FMT_H

#include <stdint.h>

#include "telemetry/buf.h"
#include "telemetry/frame.h"

/* "none", "ok", "yellow", "orange", "red" (JSON, Prometheus). */
const char *tm_color_name(tm_color c);
/* Graphviz colour names for edges and node borders (X11 names, each one a visible colour). */
const char *tm_color_dot(tm_color c);
/* A node's fill: white tinted toward tm_color_dot(c). */
const char *tm_color_dot_fill(tm_color c);
/* 0 none .. 4 red: the value of steady_*_alert. */
int tm_color_level(tm_color c);

const char *tm_placement_name(steady_placement p); /* "solo", "member", "isolated" */
const char *tm_phase_name(steady_actor_phase p);   /* "not_started", "running", ... */
const char *tm_state_name(steady_graph_state s);   /* "building", "running", ... */

/* Room for any tm_fmt_* text. */
#define TM_FMT_LEN 32

/* A count or a rate with 3 significant digits and a K/M/G/T/P suffix: 999, 12.3K, 4.5M, 0.25.
 * Not finite: "-". Returns out. */
char *tm_fmt_count(char out[TM_FMT_LEN], double v);
/* Seconds in the unit that keeps 3 significant digits: 340ns, 45.1µs, 20.1ms, 1.5s, 2.5min, 3h.
 * Negative or not finite: "-". Returns out. */
char *tm_fmt_seconds(char out[TM_FMT_LEN], double s);
/* A ratio (0..1) as whole percent: 45%; above 0 but under 1 %: "<1%". Not finite: "-". */
char *tm_fmt_pct(char out[TM_FMT_LEN], double ratio);

/* A JSON number, or null when v is NaN or infinite. */
void tm_put_json_num(tm_buf *b, double v);
/* A Prometheus sample value: NaN, +Inf, -Inf are written as the format spells them. */
void tm_put_prom_num(tm_buf *b, double v);
/* Appends s through `esc` (tm_buf_json_str, tm_buf_dot_str, tm_buf_prom_str) after replacing each
 * byte that is not part of valid UTF-8 with '?': every output stays valid UTF-8 whatever a user
 * named an actor. NULL s: nothing. */
void tm_put_text(tm_buf *b, const char *s, void (*esc)(tm_buf *, const char *));

/* The frame's actor with this id (NULL: none, or out of range). */
const tm_actor *tm_frame_actor(const tm_frame *f, int64_t id);
/* An actor's troupe record: a->troupe, else the frame's troupe at info.troupe, else NULL. */
const steady_troupe_info *tm_actor_troupe(const tm_frame *f, const tm_actor *a);

#endif
