/*
 * thread.h: the thread-level services the runtime needs from Linux: names, CPU pinning,
 * clocks, and the spin-wait hint.
 *
 * Design
 *   Everything here acts on the calling thread only and is safe to call from any thread.
 *   Nothing is fatal: pinning returns an errno and naming silently keeps the old name, because
 *   a graph must run the same on a machine with fewer cores or a restrictive sandbox.
 *
 *   Thread names are limited by Linux to 15 bytes. Actor threads are named after actors
 *   ("generator-17"), and the numeric suffix is what tells instances apart in top/perf/gdb, so
 *   the fitting rule keeps it (steady__thread_name_fit).
 */
#ifndef STEADY_PLATFORM_THREAD_H
#define STEADY_PLATFORM_THREAD_H

#include <stdatomic.h>
#include <stdint.h>

/* Longest thread name Linux accepts, without the terminating NUL. */
#define STEADY__THREAD_NAME_MAX 15

/* Fits `in` into a thread name. Pure; `out` is always NUL-terminated.
     - NULL becomes "";
     - up to 15 bytes: unchanged;
     - longer, ending in d digits (the last at most 8 are kept): the first 14 - d bytes, '~',
       then the digits:   "very_long_actor_name 3" -> "very_long_act~3",
                          "pipeline_stage_worker_123" -> "pipeline_st~123";
     - longer, no trailing digits: the first 14 bytes and '~':
                          "an_unreasonably_long_name" -> "an_unreasonabl~".
   The cut never splits a UTF-8 sequence (the head may then be shorter). */
void steady__thread_name_fit(const char *in, char out[STEADY__THREAD_NAME_MAX + 1]);

/* Names the calling thread with steady__thread_name_fit(name). Failures are ignored. */
void steady__thread_set_name(const char *name);

/* Pins the calling thread to one core. Returns 0, EINVAL (core < 0, too large, or not in
   the machine), or another errno from pthread_setaffinity_np. The affinity stays as it was
   on failure. */
int steady__thread_pin(int core);

/* CPU time consumed by the calling thread, in ns (CLOCK_THREAD_CPUTIME_ID). */
uint64_t steady__thread_cpu_ns(void);

/* CLOCK_MONOTONIC in ns: for intervals and deadlines; not related to wall time. */
uint64_t steady__mono_ns(void);

/* Tells the CPU that the caller is spinning (x86 `pause`, aarch64 `isb`, else a compiler
   barrier): it saves power and lets an SMT sibling run. Inline, being used inside spin loops. */
static inline void steady__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("isb" ::: "memory");
#else
    /* A compiler barrier only: it pairs with nothing (no other thread's ordering). */
    atomic_signal_fence(memory_order_seq_cst);
#endif
}

#endif /* STEADY_PLATFORM_THREAD_H */
