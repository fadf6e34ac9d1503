/* checker.h — the chaos checker: counts what arrived against what was sent.
 *
 * A checker expects the sequence numbers 0..expected-1, each once, in order. It keeps a bitmap
 * of `expected` bits and counts, never deduplicating and never guessing:
 *   lost        expected numbers that never arrived (computed by chaos_checker_finish);
 *   duplicated  arrivals of a number that had already arrived (the third copy counts twice);
 *   reordered   first arrivals of a number smaller than the largest number seen before it;
 *   corrupt     arrivals whose number is out of range or whose payload the caller found
 *               damaged (those are not entered in the bitmap).
 * Thread-safety: none; one thread owns a checker (the sink actor, then main after the stop).
 */
#ifndef CHAOS_CHECKER_H
#define CHAOS_CHECKER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct chaos_checker {
    uint64_t expected; /* numbers 0..expected-1 */
    uint64_t *bits;    /* bit n: n has arrived; owned (chaos_checker_free) */
    uint64_t largest;  /* the largest number seen so far (valid when arrivals > 0) */
    uint64_t arrivals; /* every call to chaos_checker_see */
    uint64_t distinct; /* numbers seen at least once */
    uint64_t lost;     /* set by chaos_checker_finish */
    uint64_t duplicated;
    uint64_t reordered;
    uint64_t corrupt;
} chaos_checker;

/* Makes a checker for 0..expected-1 (expected may be 0). Returns false when out of memory. */
bool chaos_checker_init(chaos_checker *c, uint64_t expected);

/* Records one arrival of `seq`; `intact` is false when the caller found its payload damaged. */
static inline void chaos_checker_see(chaos_checker *c, uint64_t seq, bool intact)
{
    c->arrivals++;
    if (!intact || seq >= c->expected) {
        c->corrupt++;
        return;
    }
    uint64_t *word = &c->bits[seq >> 6], bit = (uint64_t)1 << (seq & 63);
    if (*word & bit) {
        c->duplicated++;
        return;
    }
    *word |= bit;
    if (c->distinct++ > 0 && seq < c->largest)
        c->reordered++;
    else
        c->largest = seq;
}

/* Computes lost (expected - distinct). Call after the last arrival; may be called again. */
void chaos_checker_finish(chaos_checker *c);

/* Frees the bitmap; the counts stay readable. */
void chaos_checker_free(chaos_checker *c);

/* Feeds a checker of 8 the arrivals 0 1 2 4 3 5 5 7 (6 missing, 5 twice, 3 late, plus an
 * out-of-range 9) and writes what it counted to `out` (a line per count); returns true when it
 * counted lost 1, duplicated 1, reordered 1, corrupt 1. For `steady-chaos --self-test`. */
bool chaos_checker_self_test(char *out, unsigned long cap);

#endif
