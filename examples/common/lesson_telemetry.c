/* lesson_telemetry.c — see lesson_telemetry.h. */
#include "lesson_telemetry.h"

#include <stddef.h>

#ifdef LESSON_HAVE_TELEMETRY
#include <steady/telemetry.h>

lesson_telemetry *lesson_telemetry_start(steady_graph *g, const lesson_telemetry_args *a)
{
    if (a->off)
        return NULL;
    steady_telemetry *t = NULL;
    steady_telemetry_opts o = {.port = (int)a->port};
    if (steady_telemetry_start(g, &o, &t) != STEADY_OK) {
        STEADY_WARN("no dashboard: %s (the lesson runs without it; --no-telemetry silences this)",
                    steady_last_error());
        return NULL;
    }
    return (lesson_telemetry *)t;
}

bool lesson_telemetry_wanted(const lesson_telemetry_args *a)
{
    return !a->off;
}

bool lesson_telemetry_on(const lesson_telemetry *t)
{
    return t != NULL;
}

void lesson_telemetry_stop(lesson_telemetry *t)
{
    steady_telemetry_stop((steady_telemetry *)t);
}

#else

lesson_telemetry *lesson_telemetry_start(steady_graph *g, const lesson_telemetry_args *a)
{
    (void)g;
    if (!a->off)
        STEADY_INFO("no dashboard: this build has no libsteady-telemetry (install "
                    "libmicrohttpd-dev and rebuild; `make demo` does it)");
    return NULL;
}

bool lesson_telemetry_wanted(const lesson_telemetry_args *a)
{
    (void)a;
    return false;
}

bool lesson_telemetry_on(const lesson_telemetry *t)
{
    (void)t;
    return false;
}

void lesson_telemetry_stop(lesson_telemetry *t)
{
    (void)t;
}

#endif
