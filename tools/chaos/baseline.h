/* baseline.h — the platform's cost of a fork-based restart, without steady (--fork-baseline). */
#ifndef CHAOS_BASELINE_H
#define CHAOS_BASELINE_H

#include <stddef.h>
#include <stdio.h>

/* Forks `rounds` children one after the other, each killing itself with SIGKILL, and prints
 * p50 / p99 / max of fork-to-child-running and of SIGKILL-to-reaped. Returns the exit status
 * (0, or 1 when a system call failed). */
int chaos_fork_baseline(FILE *out, size_t rounds);

#endif
