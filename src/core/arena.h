/* core/arena.h — actor arenas (arena.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_ARENA_H
#define STEADY_CORE_ARENA_H

#include "core/base.h"

struct steady__arena_block; /* arena.c */
struct steady__defer;       /* arena.c */
struct steady__arena {
    struct steady__arena_block *blocks; /* every live allocation, doubly linked */
    struct steady__defer *defers;       /* LIFO */
    _Atomic size_t bytes;               /* written by the actor's thread only */
};
/* Runs the deferred clean-ups (LIFO), then frees every block. Actor's thread. */
void steady__arena_release(struct steady__arena *ar);

#endif
