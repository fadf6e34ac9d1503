/* steady/alloc.h — the one allocation hook.
 *
 * The library's private allocations (names, lists, reports, actor arenas, chunk bookkeeping)
 * go through these functions. Set them before creating any graph; they must be thread-safe.
 * Not through the hook: a graph's shared records — the graph, channel, actor and troupe records,
 * rings, state blocks — are carved from MAP_SHARED mappings the graph makes while it is built
 * (so that ISOLATED actors in child processes share them); actor stacks and each troupe
 * thread's signal stack are mapped with mmap (they need guard pages); troupe threads' own stacks
 * come from pthread_create.
 */
#ifndef STEADY_ALLOC_H
#define STEADY_ALLOC_H

#include <stddef.h>

#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_allocator {
    /* Returns size bytes aligned to align (a power of two >= sizeof(void *)), or NULL. */
    void *(*alloc)(void *ctx, size_t size, size_t align);
    void (*free)(void *ctx, void *p);
    void *ctx;
} steady_allocator;

/* Installs an allocator (NULL restores malloc-based defaults). Not thread-safe: call while no
 * graph exists. Errors: STEADY_ESTATE (a graph exists: its blocks must go back to the hook that
 * made them; nothing changes), STEADY_EINVAL (alloc or free is NULL). */
STEADY_API steady_err steady_set_allocator(const steady_allocator *a);

#ifdef __cplusplus
}
#endif
#endif
