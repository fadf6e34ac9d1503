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
 *   STEADY_FD(fd, events)  the descriptor is ready for one of the events (STEADY_FD_READABLE,
 *                          STEADY_FD_WRITABLE), or in error or hung up (so the next read or
 *                          write reports it); CLOSED when fd is not an open descriptor (closed
 *                          before or during the wait: a close by another thread does not wake
 *                          the wait, as for poll(2); shut a socket down instead, which does).
 *                          Any descriptor poll(2) accepts: sockets, pipes, eventfd, timerfd,
 *                          signalfd, inotify, an epoll set of many (so one condition can stand
 *                          for thousands of sockets). The fd is the caller's: the wait never
 *                          reads, registers or closes it.
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
 * publishes its threshold on every lane, so a producer on any lane can wake it). A thread with
 * a member waiting on a descriptor parks in ppoll(2) instead, on those descriptors and an
 * eventfd that the same ring writes (only then: the channels' fast path is unchanged). Actor's
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
    STEADY_COND_FD,
} steady_cond_kind;

/* Events of a STEADY_FD condition (n), one or both. */
typedef enum steady_fd_events {
    STEADY_FD_READABLE = 1u, /* data to read, or the peer closed (a read returns 0) */
    STEADY_FD_WRITABLE = 2u, /* room to write */
} steady_fd_events;

typedef struct steady_cond {
    steady_cond_kind kind;
    uint64_t n; /* elements (AVAIL, VACANT, *_LANE), nanoseconds (PERIODIC, TIMEOUT) or
                   STEADY_FD_* events (FD) */
    /* The end the kind names: AVAIL rx, VACANT tx, AVAIL_LANE rx_bundle, VACANT_LANE
     * tx_bundle, FD the descriptor. One union keeps a condition at 32 bytes: waits copy their
     * conditions. */
    union {
        steady_rx *rx;
        steady_tx *tx;
        steady_rx_bundle *rx_bundle;
        steady_tx_bundle *tx_bundle;
        int fd;
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

static inline steady_cond steady_cond_fd(int fd, uint32_t events)
{
    steady_cond c = {STEADY_COND_FD, events, {NULL}, NULL};
    c.fd = fd;
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
#define STEADY_FD(fd, events) steady_cond_fd((fd), (events))

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
#define steady_wait_fd(a, fd, events) steady_wait_one((a), STEADY_FD(fd, events))
/* Until a lane of the bundle end has n elements / room for n; *lane (a uint32_t *) receives
 * it on READY, STEADY_NO_LANE otherwise. */
#define steady_wait_avail_lane(a, rxb, n, lane)                                                    \
    steady_wait_one((a), STEADY_AVAIL_LANE(rxb, n, lane))
#define steady_wait_vacant_lane(a, txb, n, lane)                                                   \
    steady_wait_one((a), STEADY_VACANT_LANE(txb, n, lane))

STEADY_API const char *steady_reason_name(steady_reason r);

/* ---- waiting send and take ------------------------------------------------------------------
 * One message (or a slice) moved, waiting for room or data as long as it takes: the loop of
 * wait + try that every stage would otherwise write. Results:
 *   STEADY_OK         moved (a slice: all n sent; take_slice: at least one taken, *got says how
 *                     many);
 *   STEADY_ECLOSED    send: the consumer is gone; take: the producer closed and every element
 *                     was taken. Final: finish, as on a wait's CLOSED;
 *   STEADY_ESHUTDOWN  shutdown was requested while waiting (each actor's waits are interrupted
 *                     once after the request, steady_wait's SHUTDOWN); nothing moved (a slice:
 *                     *sent / *got say what did). Re-check the veto and call again to drain;
 *   misuse (a NULL or foreign end, a NULL buffer) fails the calling actor, as try_send does;
 *   from a thread that is not an actor the call returns STEADY_EINVAL / STEADY_ENOTOWNER, or,
 *   when it would have to wait, STEADY_ENOTOWNER ("only actors wait").
 * Fast path: a send with room (a take with data) is try_send (try_take) plus one compare; `a`
 * is read only when the call waits. In a troupe the member yields while it waits; in an
 * ISOLATED actor the wait is the same shared doorbell. Actor's thread only. */
/* Private: the waits behind the inline calls. STEADY_OK: try again (room / data was there when
 * the wait returned); otherwise the call's result. */
STEADY_API steady_err steady__tx_await_room(steady_actor *a, steady_tx *tx);
STEADY_API steady_err steady__rx_await_data(steady_actor *a, steady_rx *rx);

/* Sends *elem, waiting for room. */
static inline steady_err steady_tx_send_wait(steady_actor *a, steady_tx *tx, const void *elem)
{
    steady_err e;
    while (__builtin_expect((e = steady_tx_try_send(tx, elem)) == STEADY_EFULL, 0))
        if ((e = steady__tx_await_room(a, tx)) != STEADY_OK)
            break;
    return e;
}
/* Takes the head into *elem, waiting for data. */
static inline steady_err steady_rx_take_wait(steady_actor *a, steady_rx *rx, void *elem)
{
    steady_err e;
    while (__builtin_expect((e = steady_rx_try_take(rx, elem)) == STEADY_EEMPTY, 0))
        if ((e = steady__rx_await_data(a, rx)) != STEADY_OK)
            break;
    return e;
}
/* Sends all n elements of src, waiting for room as often as needed (n may exceed the
 * capacity). *sent (may be NULL) receives how many were sent, also on ECLOSED / ESHUTDOWN. */
STEADY_API steady_err steady_tx_send_slice_wait(steady_actor *a, steady_tx *tx, const void *src,
                                                size_t n, size_t *sent);
/* Waits until at least one element is ready, then takes up to max into dst. *got (may be NULL)
 * receives the count. max 0: STEADY_OK at once with nothing taken. */
STEADY_API steady_err steady_rx_take_slice_wait(steady_actor *a, steady_rx *rx, void *dst,
                                                size_t max, size_t *got);

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
