/* core/stop.h — the end of a graph (stop.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_STOP_H
#define STEADY_CORE_STOP_H

#include "core/base.h"

/* A start that failed after threads ran: records the stop as unclean with `why`. Main. */
void steady__stop_after_failed_start(steady_graph *g, const char *why);

#endif
