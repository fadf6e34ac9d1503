/* core/actor.h — the actor record (spawned by actor.c, run by run.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_ACTOR_H
#define STEADY_CORE_ACTOR_H

#include "core/base.h"

/* spawn (actor.c): the private parts of a record, at steady_graph_free. Main. */
void steady__actor_free(steady_actor *a);
/* run.c: */
/* Marks `a` as exited (once) and counts it toward the stop; wakes main. Any thread. */
void steady__actor_mark_exited(steady_actor *a);
/* The fiber entry of every actor: runs it, handles its end (return or failure), and leaves. */
void steady__actor_entry(void *actor);
/* Closes every end of `a` on its behalf (the warden, for a dead child stopped for good). */
void steady__actor_close_ends_for(steady_actor *a);

#endif
