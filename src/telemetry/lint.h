/* telemetry/lint.h — the collector's lints: patterns that are not failures yet but cost a graph
 * its throughput or hide a bug, raised on an actor (tm_actor.lints, TM_LINT_* in frame.h),
 * shown by the dashboard and logged at most once a minute per actor and lint.
 *
 *   starves_troupe  a troupe member ran longer than a frame without waiting or yielding
 *                   (inspect's running_for_ns): its troupe-mates could not run meanwhile
 *   polling         woken at least TM_LINT_POLL_WAKES times a second, over a second or more,
 *                   while none of its channels moved (inspect's wakes)
 *   lost_wakeup     one of its inputs full, and not taken from, for a whole window while the
 *                   actor used under a tenth of a core
 *   restart_loop    TM_LINT_LOOP_RESTARTS restarts within one window
 *
 * A lint stays raised for one window after its condition was last seen, so a short stall is
 * still on the dashboard when someone looks. Single-threaded: the collector's thread.
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_LINT_H
#define STEADY_TELEMETRY_LINT_H

#include <stddef.h>
#include <stdint.h>

#include "steady/inspect.h"
#include "telemetry/frame.h"

#define TM_LINT_POLL_WAKES 100.0 /* wakes per second with nothing moved */
#define TM_LINT_LOOP_RESTARTS 3u
#define TM_LINT_LOG_EVERY_NS 60000000000ull

/* The lint's name in snapshot.json and the log ("polling", ...); NULL for an unknown bit. */
const char *tm_lint_name(uint32_t bit);

typedef struct tm_lints tm_lints;

/* NULL when out of memory. */
tm_lints *tm_lints_new(size_t n_actors);
void tm_lints_free(tm_lints *l);

/* Sets every f->actors[i].lints from this frame and the previous one's records (prev_a, prev_c:
 * the same order as f's), `secs` apart; window_frames is the window's length in frames. Logs a
 * lint when it is raised, at most once per TM_LINT_LOG_EVERY_NS per actor and lint. */
void tm_lints_update(tm_lints *l, tm_frame *f, const steady_actor_info *prev_a,
                     const steady_channel_info *prev_c, double secs, uint32_t window_frames);

#endif
