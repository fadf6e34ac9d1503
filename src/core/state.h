/* core/state.h — state blocks (state.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_STATE_H
#define STEADY_CORE_STATE_H

#include "core/base.h"

/* Loads durable blocks or runs the initialisers, on main, at start. */
void steady__states_init(steady_graph *g);
/* Saves a durable block at the end of a generation; failures are logged. Actor's thread. */
void steady__state_save(steady_actor *a);

#endif
