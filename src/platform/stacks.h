/*
 * stacks.h: the stacks of many fibers, carved from a few large mappings, each with a guard
 * region below it.
 *
 * Why: one mmap plus one mprotect'd guard page per stack costs two kernel memory mappings
 * (VMAs) per actor, and vm.max_map_count (65,530 by default) then caps a process at about
 * 32,600 actors. Here stacks are laid out back to back in chunks of up to 64 MiB:
 *
 *     chunk:  [ guard | stack 0 ][ guard | stack 1 ] ... [ guard | stack k ]
 *
 * and each guard is installed with madvise(MADV_GUARD_INSTALL) (Linux 6.13+): page-table
 * markers that fault like PROT_NONE pages but split no mapping and use no memory, so a chunk
 * stays one mapping and 100,000 actors need about 800. Where the kernel lacks it (EINVAL),
 * guards fall back to mprotect(PROT_NONE): two mappings per stack, as before, and the limit
 * applies; steady__stacks_map then fails with ENOMEM and the caller names the limit.
 *
 * The guard is STEADY__STACK_GUARD bytes (256 KiB), wider than the one page it used to be: a
 * frame that moves the stack pointer by less than that in one step faults in the guard even in
 * code built without -fstack-clash-protection (it is free address space either way: no memory,
 * no extra mapping). With stacks back to back, what lies below a guard is the next stack, so
 * the width matters more than it did.
 *
 * Thread-safety: none; a pool belongs to one thread at a time (main builds it, a troupe's
 * thread or an ISOLATED child uses it).
 */
#ifndef STEADY_PLATFORM_STACKS_H
#define STEADY_PLATFORM_STACKS_H

#include <stdbool.h>
#include <stddef.h>

#define STEADY__STACK_GUARD ((size_t)256 * 1024)

struct steady__stack_chunk;

typedef struct steady__stacks {
    struct steady__stack_chunk *chunks;
    size_t mappings; /* kernel mappings the pool costs (chunks, plus one per mprotect'd guard) */
    bool map_limit;  /* the last steady__stacks_map failed splitting a guard off: the mapping
                        limit, not memory or address space */
} steady__stacks;

/* One stack of a pool: usable memory [lo, lo + size), its guard just below lo. */
typedef struct steady__stack {
    void *lo;
    size_t size;
} steady__stack;

/* Maps n stacks; sizes[i] is rounded up to whole pages, at least STEADY__FIBER_MIN_STACK
 * (fiber.h). Fills out[i]. Returns 0, or an errno with nothing left mapped: ENOMEM (address
 * space, memory, or the mapping limit: p->map_limit tells which), EINVAL (a size too large). */
int steady__stacks_map(steady__stacks *p, size_t n, const size_t *sizes, steady__stack *out);

/* Unmaps every chunk; the pool is empty again. The stacks must not be in use. */
void steady__stacks_unmap(steady__stacks *p);

/* True when guards are page-table markers (MADV_GUARD_INSTALL), false when they are mprotect'd
 * pages; decided by the first steady__stacks_map. */
bool steady__stacks_guard_markers(void);

/* Tests: forces the mprotect fallback (as on a kernel without MADV_GUARD_INSTALL). */
void steady__stacks_force_mprotect(bool on);

#endif
