/* core/arena.h — actor arenas (arena.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_ARENA_H
#define STEADY_CORE_ARENA_H

#include "core/base.h"

/* Runs the deferred clean-ups (LIFO), then frees every block. Actor's thread. */
void steady__arena_release(struct steady__arena *ar);

#endif
