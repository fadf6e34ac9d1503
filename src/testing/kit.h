/* testing/kit.h — what the parts of libsteady-testing share: the objects the kit made for each
 * graph (freed with it), and the failure message of the calling thread. Private. */
#ifndef STEADY_TESTING_KIT_H
#define STEADY_TESTING_KIT_H

#include <stdarg.h>

#include "steady/testing.h"

/* Registers p (malloc'd, freed by free_fn) to be freed with g by steady_test_graph_free. False:
 * out of memory (p is not registered). Test thread. */
bool kit_own(steady_graph *g, void *p, void (*free_fn)(void *));

/* A drain's element size and its channel's name (for messages). */
size_t kit_drain_size(const steady_test_drain *d);
/* Whether two elements are equal for the drain's expectations (its compare, or memcmp). */
bool kit_drain_same(const steady_test_drain *d, const void *a, const void *b);
const char *kit_drain_name(const steady_test_drain *d);

/* Sets this thread's failure message (printf format), prints it to stderr, returns false. */
bool kit_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
