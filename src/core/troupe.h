/* core/troupe.h — troupes: the threads that run actors (troupe.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_TROUPE_H
#define STEADY_CORE_TROUPE_H

#include "core/base.h"

/* Makes a troupe record (steady_troupe_new's work without its checks); solo: the implicit
 * troupe of one SOLO actor. Main, while BUILDING. */
steady_err steady__troupe_make(steady_graph *g, const steady_troupe_opts *o, bool solo,
                               steady_troupe **out);
steady_err steady__troupe_add(steady_troupe *t, steady_actor *a);
/* The troupe's whole life on the calling thread: its members' fibers, the scheduler, the end.
 * A thread's start routine, or an ISOLATED child's main. */
void steady__troupe_body(steady_troupe *t);
steady_err steady__troupe_start(steady_troupe *t);
/* Maps the members' stacks of a troupe on a thread (ISOLATED troupes map their own, in their
 * process). STEADY_ENOMEM / STEADY_ESYS with a detail naming vm.max_map_count and the fixes.
 * Main, at start. */
steady_err steady__troupe_map_stacks(steady_troupe *t);
void steady__troupe_unmap_stacks(steady_troupe *t);
void steady__troupe_free(steady_troupe *t);
/* Checks a stack size and a CPU to pin to (graph, troupe and actor options); `who` names the
 * object in the error. STEADY_OK or STEADY_EINVAL. */
steady_err steady__check_stack(size_t size, const char *who);
steady_err steady__check_core(bool pin, int core, const char *who);

/* A cheap monotonic tick count for busy-time accounting (TSC on x86-64, else ns). */
static inline uint64_t steady__ticks(void)
{
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return steady__clock_fallback_ns();
#endif
}
uint64_t steady__clock_fallback_ns(void);
/* Converts a tick count to ns, by the tick rate measured since the first call. */
uint64_t steady__ticks_to_ns(uint64_t ticks);
void steady__ticks_calibrate(void);

#endif
