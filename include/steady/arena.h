/* steady/arena.h — memory and clean-ups that live as long as one generation of an actor.
 *
 * An actor's arena hands out heap memory that is released when the current generation ends:
 * when the actor fails (before it is restarted), when it returns, or when it is stopped for
 * good. A crash loop therefore leaks nothing, however many generations fail holding memory.
 * Clean-ups registered with steady_arena_defer (closing a file descriptor, say) run at the same
 * moment, in reverse order of registration, before the memory is released.
 *
 * What must outlive a failure belongs in the actor's state block (steady_actor_state), never in
 * the arena. Thread-safety: actor's own thread only (the calling actor must be `a`; anything
 * else fails the calling actor; outside actors the call has no effect and leaves a detail).
 * Allocations are 16-byte aligned and come through the library's allocation hook (steady/alloc.h).
 */
#ifndef STEADY_ARENA_H
#define STEADY_ARENA_H

#include <stddef.h>

#include "steady/actor.h"
#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* size zeroed bytes, or NULL when memory is exhausted (or size is 0). */
STEADY_API void *steady_arena_alloc(steady_actor *a, size_t size);
/* As realloc, for a block of this arena (p NULL: alloc). The new tail is not zeroed. NULL when
 * memory is exhausted, leaving p as it was. */
STEADY_API void *steady_arena_realloc(steady_actor *a, void *p, size_t size);
/* Releases one block early (p NULL: nothing). */
STEADY_API void steady_arena_free(steady_actor *a, void *p);
/* Registers fn(ctx) to run when the generation ends. STEADY_EINVAL for a NULL fn,
 * STEADY_ENOMEM when memory is exhausted. */
STEADY_API steady_err steady_arena_defer(steady_actor *a, void (*fn)(void *ctx), void *ctx);
/* Bytes the current generation holds in its arena (requested sizes). Any thread. */
STEADY_API size_t steady_arena_bytes(const steady_actor *a);

#ifdef __cplusplus
}
#endif
#endif
