/* core/notify.h — telling the graph's threads (notify.c): main's event word, the troupes'
 * doorbells, the shutdown request.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_NOTIFY_H
#define STEADY_CORE_NOTIFY_H

#include "core/base.h"

/* Wakes main out of block_until_stopped to re-check votes. Any thread. */
void steady__graph_event(steady_graph *g);
/* Rings every troupe's bell. Any thread; async-signal-safe. */
void steady__graph_ring_all(steady_graph *g);
/* RUNNING -> STOP_REQUESTED (once; later calls do nothing), then wakes everyone. `who` names
 * the requester for debugging. Any thread; async-signal-safe. */
void steady__graph_request(steady_graph *g, const char *who);

#endif
