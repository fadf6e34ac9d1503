/* lesson_telemetry.h — the lessons' dashboard: --telemetry-port PORT and --no-telemetry.
 *
 * With libsteady-telemetry built (LESSON_HAVE_TELEMETRY), a lesson serves its graph on
 * http://127.0.0.1:9900/ (or the next free port, or the port asked for) while it runs; without
 * it, the lesson runs as before and says once why there is no dashboard. */
#ifndef LESSON_TELEMETRY_H
#define LESSON_TELEMETRY_H

#include <stdbool.h>
#include <stdint.h>

#include <steady/steady.h>

#include "lesson_cli.h"

typedef struct lesson_telemetry_args {
    uint64_t port; /* 0: the default (9900, or STEADY_TELEMETRY_PORT, or the next free one) */
    uint64_t off;  /* --no-telemetry */
} lesson_telemetry_args;

/* The two options, for a lesson's option table. */
#define LESSON_TELEMETRY_OPTS(t)                                                                   \
    {"telemetry-port", 0, "PORT", "serve the dashboard on this port (0: 9900 or the next free)",   \
     &(t).port,        0, 65535},                                                                  \
    {                                                                                              \
        "no-telemetry", 0, NULL, "no dashboard, no /metrics", &(t).off, 0, 1                       \
    }

typedef struct lesson_telemetry lesson_telemetry;

/* Turns the dashboard on for g unless off; NULL when off, not built or failed (said in the
 * log: the lesson goes on without it). */
lesson_telemetry *lesson_telemetry_start(steady_graph *g, const lesson_telemetry_args *a);
/* Whether a dashboard will be served (built, and not --no-telemetry): decided before start. */
bool lesson_telemetry_wanted(const lesson_telemetry_args *a);
/* Whether a dashboard is being served (a lesson then prints its rate less often). */
bool lesson_telemetry_on(const lesson_telemetry *t);
/* After block_until_stopped, before steady_graph_free. NULL: no-op. */
void lesson_telemetry_stop(lesson_telemetry *t);

#endif
