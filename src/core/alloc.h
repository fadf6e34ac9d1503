/* core/alloc.h — the private allocations, through the user's hook (alloc.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_ALLOC_H
#define STEADY_CORE_ALLOC_H

#include "core/base.h"

void *steady__alloc(size_t size);                       /* zeroed; NULL on failure */
void *steady__alloc_aligned(size_t size, size_t align); /* zeroed */
void steady__free(void *p);
char *steady__strdup(const char *s);
/* A graph was made / freed: the allocation hook may change only while none exists. Main. */
void steady__graph_born(void);
void steady__graph_died(void);

#endif
