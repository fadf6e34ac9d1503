/* core/signal.h — SIGINT, SIGTERM and SIGPIPE (signal.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_SIGNAL_H
#define STEADY_CORE_SIGNAL_H

#include "core/base.h"

void steady__signals_install(steady_graph *g);
/* Honours a SIGINT/SIGTERM that arrived while the graph was starting. Main, after RUNNING. */
void steady__signals_started(steady_graph *g);
void steady__signals_restore(steady_graph *g);

#endif
