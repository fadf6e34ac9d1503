/* core/shm.h — the graph's shared memory (shm.c).
 *
 * The graph's records, rings and state blocks live in MAP_SHARED chunks made while building, so
 * processes forked later share them at the same addresses. Zeroed; freed all at once.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_SHM_H
#define STEADY_CORE_SHM_H

#include "core/base.h"

struct steady__shm;
struct steady__shm *steady__shm_new(void);
void *steady__shm_alloc(struct steady__shm *m, size_t size, size_t align);
size_t steady__shm_mapped(const struct steady__shm *m);
void steady__shm_free(struct steady__shm *m);
extern _Atomic int steady__shm_fail_next; /* tests: fail the next n allocations */
/* Why the last steady__shm_alloc failed, as a clause for an error message (the mapping limit
 * when the process is at it, else the size and strerror). */
void steady__shm_why(const struct steady__shm *m, char *buf, size_t cap);
/* vm.max_map_count, and this process's memory mappings now (-1 when unreadable). */
long steady__max_map_count(void);
long steady__mappings(void);

#endif
