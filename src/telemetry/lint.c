/* telemetry/lint.c — see lint.h. */
#include "telemetry/lint.h"

#include <stdlib.h>

#include "steady/log.h"

enum { L_STARVES, L_POLLING, L_LOST_WAKEUP, L_RESTART_LOOP, L_N };

static const char *const names[L_N] = {"starves_troupe", "polling", "lost_wakeup", "restart_loop"};

typedef struct actor_lints {
    uint64_t raised_until[L_N]; /* frame seq through which the lint shows */
    uint64_t logged_ns[L_N];    /* monotonic time of its last log line (0: never) */
    uint64_t idle_wakes;        /* polling: wakes since its channels last moved ... */
    double idle_secs;           /* ... over this long */
    uint32_t full_frames;       /* lost wake-up: frames an input stayed full and untaken */
    uint64_t restart_seq[TM_LINT_LOOP_RESTARTS]; /* frames of the last restarts, a ring */
    uint32_t restart_next;
} actor_lints;

struct tm_lints {
    size_t n;
    actor_lints *a;
};

const char *tm_lint_name(uint32_t bit)
{
    for (int i = 0; i < L_N; i++)
        if (bit == 1u << i)
            return names[i];
    return NULL;
}

tm_lints *tm_lints_new(size_t n_actors)
{
    tm_lints *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->n = n_actors;
    l->a = calloc(n_actors ? n_actors : 1, sizeof *l->a);
    if (!l->a) {
        free(l);
        return NULL;
    }
    return l;
}

void tm_lints_free(tm_lints *l)
{
    if (!l)
        return;
    free(l->a);
    free(l);
}

/* ---- the conditions ---- */

static bool starves_troupe(const tm_actor *a, const tm_frame *f)
{
    return a->info.placement == STEADY_PLACEMENT_MEMBER && a->troupe && a->troupe->n_members > 1 &&
           a->info.running_for_ns > (uint64_t)f->frame_ms * 1000000;
}

/* Whether any channel of actor `id` moved since the previous frame. */
static bool channels_moved(const tm_frame *f, const steady_channel_info *prev_c, uint32_t id)
{
    for (size_t k = 0; k < f->n_channels; k++) {
        const steady_channel_info *c = &f->channels[k].info;
        if (c->to_actor == (int64_t)id && c->taken_total != prev_c[k].taken_total)
            return true;
        if (c->from_actor == (int64_t)id && c->sent_total != prev_c[k].sent_total)
            return true;
    }
    return false;
}

static bool polling(actor_lints *s, const tm_frame *f, const steady_actor_info *prev,
                    const steady_channel_info *prev_c, const tm_actor *a, double secs)
{
    if (channels_moved(f, prev_c, a->info.id) || a->info.phase != STEADY_ACTOR_RUNNING) {
        s->idle_wakes = 0;
        s->idle_secs = 0;
        return false;
    }
    s->idle_wakes += a->info.wakes >= prev->wakes ? a->info.wakes - prev->wakes : 0;
    s->idle_secs += secs;
    if (s->idle_secs < 1.0)
        return false;
    bool r = (double)s->idle_wakes / s->idle_secs >= TM_LINT_POLL_WAKES;
    s->idle_wakes = 0; /* judged again over the next second */
    s->idle_secs = 0;
    return r;
}

/* Its fullest untaken input, or -1. */
static int64_t full_untaken_input(const tm_frame *f, const steady_channel_info *prev_c, uint32_t id)
{
    for (size_t k = 0; k < f->n_channels; k++) {
        const steady_channel_info *c = &f->channels[k].info;
        if (c->to_actor == (int64_t)id && c->capacity &&
            c->sent_total - c->taken_total >= c->capacity &&
            c->taken_total == prev_c[k].taken_total)
            return (int64_t)k;
    }
    return -1;
}

static bool restart_loop(actor_lints *s, const tm_frame *f, const steady_actor_info *prev,
                         const tm_actor *a, uint32_t window_frames)
{
    for (uint32_t r = prev->regeneration; r < a->info.regeneration; r++) {
        s->restart_seq[s->restart_next] = f->seq;
        s->restart_next = (s->restart_next + 1) % TM_LINT_LOOP_RESTARTS;
    }
    uint64_t oldest = s->restart_seq[s->restart_next]; /* the ring's oldest entry */
    return oldest && f->seq - oldest < window_frames;
}

/* ---- raising and logging ---- */

static void say(const tm_frame *f, const tm_actor *a, int lint, double secs_window, int64_t chan)
{
    const char *label = a->info.label;
    switch (lint) {
    case L_STARVES:
        STEADY_WARN("telemetry lint starves_troupe: actor '%s' has run %.0f ms without waiting; "
                    "its troupe-mates in '%s' cannot run meanwhile (wait or yield inside long "
                    "loops, or spawn it SOLO)",
                    label, (double)a->info.running_for_ns / 1e6,
                    a->troupe && a->troupe->name ? a->troupe->name : "?");
        break;
    case L_POLLING:
        STEADY_WARN("telemetry lint polling: actor '%s' is woken over %.0f times a second while "
                    "none of its channels moves (wait on its channels, not on a short timeout)",
                    label, TM_LINT_POLL_WAKES);
        break;
    case L_LOST_WAKEUP:
        STEADY_WARN("telemetry lint lost_wakeup: input '%s' of actor '%s' has been full for "
                    "%.1f s while the actor idles (does it wait on that channel?)",
                    chan >= 0 ? f->channels[chan].info.name : "?", label, secs_window);
        break;
    default:
        STEADY_WARN("telemetry lint restart_loop: actor '%s' restarted %u times within %.1f s "
                    "(last failure: %s)",
                    label, TM_LINT_LOOP_RESTARTS, secs_window,
                    a->info.last_failure[0] ? a->info.last_failure : "none recorded");
    }
}

static void raise_lint(actor_lints *s, const tm_frame *f, tm_actor *a, int lint,
                       uint32_t window_frames, int64_t chan)
{
    bool was = s->raised_until[lint] >= f->seq;
    s->raised_until[lint] = f->seq + window_frames;
    if (!was && !a->hidden &&
        (!s->logged_ns[lint] || f->mono_ns - s->logged_ns[lint] >= TM_LINT_LOG_EVERY_NS)) {
        s->logged_ns[lint] = f->mono_ns ? f->mono_ns : 1;
        say(f, a, lint, (double)window_frames * f->frame_ms / 1000.0, chan);
    }
}

void tm_lints_update(tm_lints *l, tm_frame *f, const steady_actor_info *prev_a,
                     const steady_channel_info *prev_c, double secs, uint32_t window_frames)
{
    if (!l || !f || l->n != f->n_actors)
        return;
    for (size_t i = 0; i < f->n_actors; i++) {
        tm_actor *a = &f->actors[i];
        actor_lints *s = &l->a[i];
        if (starves_troupe(a, f))
            raise_lint(s, f, a, L_STARVES, window_frames, -1);
        if (polling(s, f, &prev_a[i], prev_c, a, secs))
            raise_lint(s, f, a, L_POLLING, window_frames, -1);
        int64_t full = full_untaken_input(f, prev_c, a->info.id);
        s->full_frames = full >= 0 && a->mcpu < 102.4 ? s->full_frames + 1 : 0;
        if (s->full_frames >= window_frames)
            raise_lint(s, f, a, L_LOST_WAKEUP, window_frames, full);
        if (restart_loop(s, f, &prev_a[i], a, window_frames))
            raise_lint(s, f, a, L_RESTART_LOOP, window_frames, -1);
        a->lints = 0;
        for (int k = 0; k < L_N; k++)
            if (s->raised_until[k] >= f->seq && s->raised_until[k])
                a->lints |= 1u << k;
    }
}
