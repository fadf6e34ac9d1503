/* steady/wait.h — waits: the only places an actor blocks (and a troupe switches members).
 *
 * A wait takes one or more conditions and returns a steady_wake: a reason, and which
 * conditions held. Reasons, in precedence order when several apply at once:
 *   STEADY_READY    the conditions the combination asks for hold;
 *   STEADY_CLOSED   a channel condition can never hold (closed with fewer than n elements, or
 *                   for room: the consumer is gone);
 *   STEADY_SHUTDOWN shutdown was requested: each actor's waits are interrupted once after the
 *                   request, so it re-evaluates its veto; later waits block as usual (a draining
 *                   actor never spins). Once the graph has stopped, every wait returns at once;
 *   STEADY_TIMEOUT  a STEADY_TIMEOUT condition expired.
 *
 * Conditions:
 *   STEADY_AVAIL(rx, n)    n elements ready (n is clamped to the capacity);
 *   STEADY_VACANT(tx, n)   room for n elements (clamped);
 *   STEADY_PERIODIC(ns)    the actor's next period boundary: drift-compensating (deadlines are
 *                          last deadline + period). A late wait holds at once; one late by a
 *                          whole period or more also restarts the schedule from now. The
 *                          schedule advances only when the wait returns READY. One schedule per
 *                          distinct period, at most 4 per actor (a fifth fails the actor).
 *                          A period of 0 holds at once (a plain yield in a troupe);
 *   STEADY_TIMEOUT(ns)     ns after the wait began (reason TIMEOUT, not READY);
 *   Durations saturate: a period or timeout whose deadline would pass UINT64_MAX ns of the
 *   graph clock never expires (UINT64_MAX is "forever"), it never wraps to a short one;
 *   STEADY_SHUTDOWN_REQUESTED()  holds once shutdown was requested (reason SHUTDOWN);
 *   STEADY_AVAIL_LANE(rxb, n, &lane)   some lane of a bundle end (steady/bundle.h) has n
 *                          elements ready (clamped); CLOSED when no lane ever can: each lane
 *                          is closed with fewer than n elements (a closed lane is skipped);
 *   STEADY_VACANT_LANE(txb, n, &lane)  some lane has room for n; CLOSED when every lane's
 *                          consumer is gone.
 *   When a lane condition holds (its .ready bit is set), the wait writes to *lane a lane that
 *   holds: lanes are scanned round-robin from the one after the lane the bundle end's previous
 *   lane wait returned, so a ready lane is returned within G waits and lanes that are always
 *   ready take turns. Otherwise it writes STEADY_NO_LANE. `lane` may be NULL.
 * Combinations:
 *   steady_wait_all(a, c...)            every condition holds;
 *   steady_wait_any(a, c...)            at least one holds (or can never hold: CLOSED);
 *   steady_wait_all_or_first(a, f, c...) f holds, or all of the rest hold (the original's
 *                                       await_for_all_or_proceed_upon).
 * STEADY_TIMEOUT and STEADY_SHUTDOWN_REQUESTED bound a wait in every combination: they are
 * never required, and the first of them to hold ends the wait (TIMEOUT / SHUTDOWN) unless the
 * other conditions make it READY or CLOSED. So all(avail(rx, 8), TIMEOUT(t)) is "8 elements,
 * or give up after t", and returns READY at once when the 8 are there.
 * Bit i of .ready is set when the i-th condition (as written; at most 32) held: READY, an
 * expired STEADY_TIMEOUT, or STEADY_SHUTDOWN_REQUESTED after the request. Bit i of .closed is
 * set when it can never hold.
 *
 * CLOSED is final: a loop that goes round on CLOSED while the graph still runs would spin (its
 * veto is not evaluated until shutdown is requested). On CLOSED, finish: close your outputs or
 * simply return (returning closes every end the actor owns).
 *
 * Blocking parks the thread: it spins briefly, then sleeps on a futex doorbell that the other
 * side of a channel rings only when this waiter's threshold is crossed (a lane condition
 * publishes its threshold on every lane, so a producer on any lane can wake it). Actor's
 * thread only; the ends and bundle ends named must be owned by the calling actor (else the
 * actor fails).
 */
#ifndef STEADY_WAIT_H
#define STEADY_WAIT_H

#include <stdint.h>
#ifdef __cplusplus
#include <initializer_list>
#endif

#include "steady/actor.h"
#include "steady/bundle.h"
#include "steady/channel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum steady_reason {
    STEADY_READY = 1,
    STEADY_CLOSED = 2,
    STEADY_SHUTDOWN = 3,
    STEADY_TIMEOUT = 4,
} steady_reason;

typedef struct steady_wake {
    steady_reason reason;
    uint32_t ready;  /* bit i: condition i held */
    uint32_t closed; /* bit i: condition i can never hold */
} steady_wake;

typedef enum steady_cond_kind {
    STEADY_COND_AVAIL = 1,
    STEADY_COND_VACANT,
    STEADY_COND_PERIODIC,
    STEADY_COND_TIMEOUT,
    STEADY_COND_SHUTDOWN,
    STEADY_COND_AVAIL_LANE,
    STEADY_COND_VACANT_LANE,
} steady_cond_kind;

typedef struct steady_cond {
    steady_cond_kind kind;
    uint64_t n; /* elements (AVAIL, VACANT, *_LANE) or nanoseconds (PERIODIC, TIMEOUT) */
    /* The end the kind names: AVAIL rx, VACANT tx, AVAIL_LANE rx_bundle, VACANT_LANE
     * tx_bundle. One union keeps a condition at 32 bytes: waits copy their conditions. */
    union {
        steady_rx *rx;
        steady_tx *tx;
        steady_rx_bundle *rx_bundle;
        steady_tx_bundle *tx_bundle;
    };
    uint32_t *lane; /* *_LANE: receives the lane chosen (the caller's; may be NULL) */
} steady_cond;

STEADY__STATIC_ASSERT(sizeof(steady_cond) <= 32, "steady_cond: half a cache line");

/* (Positional initialisers and one assignment: C++17 has no designated initialisers.) */
static inline steady_cond steady_cond_avail(steady_rx *rx, uint64_t n)
{
    steady_cond c = {STEADY_COND_AVAIL, n, {rx}, NULL};
    return c;
}
static inline steady_cond steady_cond_vacant(steady_tx *tx, uint64_t n)
{
    steady_cond c = {STEADY_COND_VACANT, n, {NULL}, NULL};
    c.tx = tx;
    return c;
}
static inline steady_cond steady_cond_timer(steady_cond_kind kind, uint64_t ns)
{
    steady_cond c = {kind, ns, {NULL}, NULL};
    return c;
}
static inline steady_cond steady_cond_avail_lane(steady_rx_bundle *b, uint64_t n, uint32_t *lane)
{
    steady_cond c = {STEADY_COND_AVAIL_LANE, n, {NULL}, lane};
    c.rx_bundle = b;
    return c;
}
static inline steady_cond steady_cond_vacant_lane(steady_tx_bundle *b, uint64_t n, uint32_t *lane)
{
    steady_cond c = {STEADY_COND_VACANT_LANE, n, {NULL}, lane};
    c.tx_bundle = b;
    return c;
}

/* Typed ends and bundle ends (anything with a .raw member); raw ones use the constructors. */
#define STEADY_AVAIL(rx, n) steady_cond_avail((rx).raw, (n))
#define STEADY_VACANT(tx, n) steady_cond_vacant((tx).raw, (n))
#define STEADY_AVAIL_LANE(rxb, n, lane) steady_cond_avail_lane((rxb).raw, (n), (lane))
#define STEADY_VACANT_LANE(txb, n, lane) steady_cond_vacant_lane((txb).raw, (n), (lane))
#define STEADY_PERIODIC(ns) steady_cond_timer(STEADY_COND_PERIODIC, (ns))
#define STEADY_TIMEOUT(ns) steady_cond_timer(STEADY_COND_TIMEOUT, (ns))
#define STEADY_SHUTDOWN_REQUESTED() steady_cond_timer(STEADY_COND_SHUTDOWN, 0)

typedef enum steady_wait_mode {
    STEADY_WAIT_ALL = 1,
    STEADY_WAIT_ANY,
    STEADY_WAIT_ALL_OR_FIRST,
} steady_wait_mode;

/* Waits on n (1..32) conditions combined by mode. Actor's thread only. */
STEADY_API steady_wake steady_wait(steady_actor *a, steady_wait_mode mode, const steady_cond *c,
                                   unsigned n);

#ifndef __cplusplus
#define STEADY__CONDS(...) ((const steady_cond[]){__VA_ARGS__})
#define STEADY__NCONDS(...) ((unsigned)(sizeof(STEADY__CONDS(__VA_ARGS__)) / sizeof(steady_cond)))
#define steady_wait_all(a, ...)                                                                    \
    steady_wait((a), STEADY_WAIT_ALL, STEADY__CONDS(__VA_ARGS__), STEADY__NCONDS(__VA_ARGS__))
#define steady_wait_any(a, ...)                                                                    \
    steady_wait((a), STEADY_WAIT_ANY, STEADY__CONDS(__VA_ARGS__), STEADY__NCONDS(__VA_ARGS__))
#define steady_wait_all_or_first(a, ...)                                                           \
    steady_wait((a), STEADY_WAIT_ALL_OR_FIRST, STEADY__CONDS(__VA_ARGS__),                         \
                STEADY__NCONDS(__VA_ARGS__))
#else
/* C++ has no array compound literals: the conditions become a std::initializer_list, whose
 * array lives until the end of the full expression, i.e. past the wait (steady__wait_list,
 * below). Each condition is evaluated once. */
#define steady_wait_all(a, ...) steady__wait_list((a), STEADY_WAIT_ALL, {__VA_ARGS__})
#define steady_wait_any(a, ...) steady__wait_list((a), STEADY_WAIT_ANY, {__VA_ARGS__})
#define steady_wait_all_or_first(a, ...)                                                           \
    steady__wait_list((a), STEADY_WAIT_ALL_OR_FIRST, {__VA_ARGS__})
#endif

/* Single-condition waits, returning only the reason. */
static inline steady_reason steady_wait_one(steady_actor *a, steady_cond c)
{
    return steady_wait(a, STEADY_WAIT_ALL, &c, 1).reason;
}
#define steady_wait_avail(a, rx, n) steady_wait_one((a), STEADY_AVAIL(rx, n))
#define steady_wait_vacant(a, tx, n) steady_wait_one((a), STEADY_VACANT(tx, n))
#define steady_wait_periodic(a, ns) steady_wait_one((a), STEADY_PERIODIC(ns))
#define steady_wait_timeout(a, ns) steady_wait_one((a), STEADY_TIMEOUT(ns))
#define steady_wait_shutdown(a) steady_wait_one((a), STEADY_SHUTDOWN_REQUESTED())
/* Until a lane of the bundle end has n elements / room for n; *lane (a uint32_t *) receives
 * it on READY, STEADY_NO_LANE otherwise. */
#define steady_wait_avail_lane(a, rxb, n, lane)                                                    \
    steady_wait_one((a), STEADY_AVAIL_LANE(rxb, n, lane))
#define steady_wait_vacant_lane(a, txb, n, lane)                                                   \
    steady_wait_one((a), STEADY_VACANT_LANE(txb, n, lane))

STEADY_API const char *steady_reason_name(steady_reason r);

#ifdef __cplusplus
}

/* Private: the C++ form of steady_wait_all / _any / _all_or_first. */
static inline steady_wake steady__wait_list(steady_actor *a, steady_wait_mode mode,
                                            std::initializer_list<steady_cond> conds)
{
    return steady_wait(a, mode, conds.begin(), (unsigned)conds.size());
}
#endif
#endif
