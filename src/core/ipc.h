/* core/ipc.h — channels between processes (ipc.c; the public side is steady/ipc.h).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_IPC_H
#define STEADY_CORE_IPC_H

#include "core/base.h"

/* Which end of ch this process holds: 0 the sending end, 1 the receiving end; -1 when ch is
 * not an ipc channel (both ends are here). */
int steady__ipc_side(const steady_channel *ch);
/* Adds each ipc channel's doorbell of this side to the troupe of the actor holding the end,
 * which then parks on it too (troupe.c). Start, before any troupe runs or forks. */
steady_err steady__ipc_wire(steady_graph *g);
/* Detaches ch from its mapping, if it is an ipc channel: unmaps it, drops the end's lock, and
 * removes the mapping when its stream ended and was drained. Free. */
void steady__ipc_free(steady_channel *ch);

#endif
