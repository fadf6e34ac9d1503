/* core/names.h — the index of actor labels (names.c): main, while BUILDING.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_NAMES_H
#define STEADY_CORE_NAMES_H

#include "core/base.h"

struct steady__names;
bool steady__names_has(const struct steady__names *n, const char *label);
/* Makes room for one more label (allocating the index on first use); false: out of memory. */
bool steady__names_reserve(struct steady__names **n);
/* Adds a label after a successful reserve (it cannot fail then). The label must outlive the
 * index: it is the actor's own. */
void steady__names_add(struct steady__names *n, const char *label);
void steady__names_free(struct steady__names *n);

#endif
