/* cpu_probe.h — how far apart the machine's cpu0 and cpu1 are: one cache line bounced between a
 * thread pinned to each. Lesson 02B prints it with its choice of placement; every program in
 * bench/ reads it before and after its timed region (bench_probe_ns) to class its figures: below
 * ~60 ns the two behave as SMT siblings of one core ("near"), at ~120 ns or more as distinct
 * cores ("far"). One implementation for both, so their classes agree. */
#ifndef STEADY_EXAMPLES_CPU_PROBE_H
#define STEADY_EXAMPLES_CPU_PROBE_H

#ifdef __cplusplus
extern "C" {
#endif

/* One-way hand-off time in ns: the best of 40 blocks of 50 round trips; -1 if cpu0 and cpu1 are
 * not both usable or the helper thread cannot start. Starts and joins one thread; the caller's
 * affinity is restored. Well under 1 ms. Not reentrant (one static line): one caller at a time. */
double cpu_probe_handoff_ns(void);

/* 1 if this process may run on both cpu0 and cpu1. */
int cpu_probe_has_cpu0_and_cpu1(void);

/* The number of CPUs this process may run on. */
int cpu_probe_usable_cpus(void);

#ifdef __cplusplus
}
#endif
#endif
