/* core/base.h — what every core module starts from: the system and public headers, the
 * limits shared by several modules, and saturating durations. Private (never installed).
 *
 * Threads: "main" builds, starts and stops the graph; each troupe (a solo actor is a troupe of
 * one) has one thread that runs its members on their own stacks. Fields of shared structs are
 * grouped by the thread that writes them; fields another thread reads are atomics.
 */
#ifndef STEADY_CORE_BASE_H
#define STEADY_CORE_BASE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <pthread.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/fiber.h"
#include "platform/stacks.h"
#include "steady/steady.h"

typedef struct steady__lazy_now steady__lazy_now; /* core/graph.h */

#define STEADY__DEFAULT_STACK (256u * 1024u)
#define STEADY__MAX_STACK ((size_t)1 << 30) /* larger stacks are refused (EINVAL) */
#define STEADY__MAX_CONDS 32u
#define STEADY__PERIODIC_SLOTS 4u

/* Durations saturate: a + b past UINT64_MAX is UINT64_MAX, which every wait reads as "never"
 * (a deadline that wrapped used to be in the past: a huge timeout expired at once). */
/* "s" unless n is 1: for counts in messages ("1 actor", "2 actors"). */
static inline const char *steady__plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static inline uint64_t steady__sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

#endif
