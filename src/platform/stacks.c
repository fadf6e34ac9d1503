/*
 * stacks.c: fiber stacks carved from a few large mappings; the layout and the reasons are in
 * stacks.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "platform/stacks.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>

#include "platform/fiber.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13; older headers lack the name */
#endif

#define CHUNK_MAX ((size_t)64 << 20)

/* The first page of each chunk, before the first guard: the chunk keeps its own bookkeeping,
 * so the pool allocates nothing outside its mappings (no allocation hook is involved). */
struct steady__stack_chunk {
    struct steady__stack_chunk *next;
    size_t size;
};

/* -1: not known yet, 0: the kernel refused MADV_GUARD_INSTALL, 1: it takes it. Racing first
 * calls find the same answer; relaxed, as nothing else is published with it. */
static _Atomic int markers = -1;
static _Atomic bool forced_mprotect;

bool steady__stacks_guard_markers(void)
{
    return atomic_load_explicit(&markers, memory_order_relaxed) == 1 &&
           !atomic_load_explicit(&forced_mprotect, memory_order_relaxed);
}

void steady__stacks_force_mprotect(bool on)
{
    atomic_store_explicit(&forced_mprotect, on, memory_order_relaxed);
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* Makes [at, at + len) a guard: markers if the kernel has them, else PROT_NONE pages (which
 * split the chunk's mapping: two more mappings). 0 or an errno. */
static int install_guard(steady__stacks *p, void *at, size_t len)
{
    if (!atomic_load_explicit(&forced_mprotect, memory_order_relaxed) &&
        atomic_load_explicit(&markers, memory_order_relaxed) != 0) {
        if (madvise(at, len, MADV_GUARD_INSTALL) == 0) {
            atomic_store_explicit(&markers, 1, memory_order_relaxed);
            return 0;
        }
        if (errno != EINVAL)
            return errno;
        atomic_store_explicit(&markers, 0, memory_order_relaxed);
    }
    if (mprotect(at, len, PROT_NONE) != 0) {
        int e = errno; /* ENOMEM: the split would pass vm.max_map_count */
        p->map_limit = e == ENOMEM;
        return e;
    }
    p->mappings += 2;
    return 0;
}

/* The bytes a stack of `size` takes in a chunk (guard included); 0 for an absurd size. */
static size_t footprint(size_t size)
{
    if (size > SIZE_MAX / 4)
        return 0;
    if (size < STEADY__FIBER_MIN_STACK)
        size = STEADY__FIBER_MIN_STACK;
    return STEADY__STACK_GUARD + round_up(size, steady__page_size());
}

/* Maps one chunk for stacks [first, last) and lays them out; 0 or an errno. */
static int map_chunk(steady__stacks *p, const size_t *sizes, size_t first, size_t last,
                     steady__stack *out)
{
    size_t total = steady__page_size();
    for (size_t i = first; i < last; i++)
        total += footprint(sizes[i]);
    void *map =
        mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return errno;
    struct steady__stack_chunk *c = map;
    *c = (struct steady__stack_chunk){p->chunks, total};
    p->chunks = c;
    p->mappings++;
    char *at = (char *)map + steady__page_size();
    for (size_t i = first; i < last; i++) {
        size_t fp = footprint(sizes[i]);
        int e = install_guard(p, at, STEADY__STACK_GUARD);
        if (e != 0)
            return e;
        out[i] = (steady__stack){at + STEADY__STACK_GUARD, fp - STEADY__STACK_GUARD};
        at += fp;
    }
    return 0;
}

int steady__stacks_map(steady__stacks *p, size_t n, const size_t *sizes, steady__stack *out)
{
    p->map_limit = false;
    for (size_t i = 0; i < n; i++)
        if (footprint(sizes[i]) == 0)
            return EINVAL;
    for (size_t first = 0; first < n;) {
        size_t last = first, bytes = 0;
        while (last < n && (last == first || bytes + footprint(sizes[last]) <= CHUNK_MAX))
            bytes += footprint(sizes[last++]);
        int e = map_chunk(p, sizes, first, last, out);
        if (e != 0) {
            steady__stacks_unmap(p);
            return e;
        }
        first = last;
    }
    return 0;
}

void steady__stacks_unmap(steady__stacks *p)
{
    for (struct steady__stack_chunk *c = p->chunks, *next; c; c = next) {
        next = c->next;
        munmap(c, c->size);
    }
    p->chunks = NULL;
    p->mappings = 0;
}
