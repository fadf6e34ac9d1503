/* core/alloc.c — the allocation hook. Every library allocation goes through it and is zeroed
 * here; callers that need a cache line ask for that alignment. The hook's free takes no size. */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx;
    void *p = NULL;
    if (posix_memalign(&p, align, size) != 0)
        return NULL;
    return p;
}

static void default_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static steady_allocator hooks = {default_alloc, default_free, NULL};

/* Graphs made and not yet freed: the allocation hook may change only while there are none.
 * Relaxed: a count, read only to refuse a change; the caller orders its own calls. */
static _Atomic uint32_t live_graphs;

void steady__graph_born(void)
{
    atomic_fetch_add_explicit(&live_graphs, 1, memory_order_relaxed);
}

void steady__graph_died(void)
{
    atomic_fetch_sub_explicit(&live_graphs, 1, memory_order_relaxed);
}

static bool graphs_exist(void)
{
    return atomic_load_explicit(&live_graphs, memory_order_relaxed) != 0;
}

steady_err steady_set_allocator(const steady_allocator *a)
{
    /* A block must go back to the hook that made it: no change while a graph holds any. */
    if (graphs_exist())
        return steady__fail(STEADY_ESTATE,
                            "steady_set_allocator: a graph exists, and its memory must go back "
                            "to the allocator that gave it; set the allocator before "
                            "steady_graph_new (or after the last steady_graph_free)");
    if (a && (!a->alloc || !a->free))
        return steady__fail(STEADY_EINVAL,
                            "steady_set_allocator: alloc and free must both be given (%s is "
                            "NULL); pass NULL instead of the struct for the defaults",
                            a->alloc ? "free" : "alloc");
    hooks = a ? *a : (steady_allocator){default_alloc, default_free, NULL};
    return STEADY_OK;
}

void *steady__alloc_aligned(size_t size, size_t align)
{
    if (align < sizeof(void *))
        align = sizeof(void *);
    if (size == 0)
        size = 1;
    void *p = hooks.alloc(hooks.ctx, size, align);
    if (p)
        memset(p, 0, size);
    return p;
}

void *steady__alloc(size_t size)
{
    return steady__alloc_aligned(size, alignof(max_align_t));
}

void steady__free(void *p)
{
    if (p)
        hooks.free(hooks.ctx, p);
}

char *steady__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = steady__alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}
