/* core/wait.c — evaluating and blocking on wait conditions.
 *
 * A wait is evaluated by the actor itself and, while it is blocked, by its troupe's scheduler
 * (steady__wait_poll), so evaluation only reads: channel indices (atomics), the clock and the
 * graph state. Every channel condition is monotonic while the actor waits (only the waiter
 * itself could consume what it waits for), so "ready once" stays ready until it resumes.
 *
 * Blocking publishes a "want" on each pending channel: the tail (or head) value the peer
 * must reach. The peer compares that on its hot path with one relaxed load and rings our
 * doorbell only when it crosses it. Wants are cleared when the wait returns.
 *
 * A lane condition (a bundle end) is one condition over G channels: it holds when one lane
 * holds, and is CLOSED when every lane is. The scan starts after the lane the bundle end
 * last returned and stops at the first lane that holds, so evaluation itself picks the
 * round-robin answer; the wait reports it and moves the cursor only when it returns. Blocking
 * publishes the want on every open lane, so a peer on any lane wakes the waiter.
 */
#include "core/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <poll.h>

enum outcome { PENDING = 0, O_READY, O_CLOSED, O_SHUTDOWN, O_TIMEOUT };

struct steady__wait_state {
    steady_wait_mode mode;
    const steady_cond *c;
    unsigned n;
    uint64_t deadline[STEADY__MAX_CONDS]; /* timer conditions: absolute, graph clock */
    uint8_t out[STEADY__MAX_CONDS];
    uint32_t lane[STEADY__MAX_CONDS]; /* lane conditions: the lane that held */
    steady_wake result;
};

static uint64_t clamp_need(uint64_t n, uint64_t cap)
{
    return n < cap ? n : cap;
}

static enum outcome avail_outcome(steady_rx *rx, uint64_t n)
{
    uint64_t need = clamp_need(n, rx->capacity);
    if (steady__rx_gate(rx))
        return O_CLOSED; /* closed by the waiter itself */
    if (steady__rx_ready(rx, need) >= need)
        return O_READY;
    /* acquire: pairs with the producer's release store of tx_closed (channel.c): once the
     * close is seen, so is the final tail (released before it). */
    if (atomic_load_explicit(&rx->ring->tx_closed, memory_order_acquire))
        return steady__rx_ready(rx, need) >= need ? O_READY : O_CLOSED;
    return PENDING;
}

static enum outcome vacant_outcome(steady_tx *tx, uint64_t n)
{
    uint64_t need = clamp_need(n, tx->capacity);
    /* acquire: pairs with the release store in steady_rx_close. */
    if (steady__tx_gate(tx) || atomic_load_explicit(&tx->ring->rx_closed, memory_order_acquire))
        return O_CLOSED;
    return steady__tx_room(tx, need) >= need ? O_READY : PENDING;
}

/* The lane after `i` among `lanes`, wrapping. */
static uint32_t next_lane(uint32_t i, uint32_t lanes)
{
    return i + 1 >= lanes ? 0 : i + 1;
}

/* Round-robin from the lane after the last one returned: the first lane that holds wins and
 * is written to *lane. Lanes split out or CLOSED are skipped; CLOSED when every lane is. */
static enum outcome avail_lane_outcome(const steady_cond *c, uint32_t *lane)
{
    const steady_rx_bundle *b = c->rx_bundle;
    bool open = false;
    for (uint32_t k = 0, i = b->last; k < b->lanes; k++) {
        i = next_lane(i, b->lanes);
        if (!b->lane[i])
            continue;
        enum outcome o = avail_outcome(b->lane[i], c->n);
        if (o == O_READY) {
            *lane = i;
            return O_READY;
        }
        open |= o == PENDING;
    }
    return open ? PENDING : O_CLOSED;
}

static enum outcome vacant_lane_outcome(const steady_cond *c, uint32_t *lane)
{
    const steady_tx_bundle *b = c->tx_bundle;
    bool open = false;
    for (uint32_t k = 0, i = b->last; k < b->lanes; k++) {
        i = next_lane(i, b->lanes);
        if (!b->lane[i])
            continue;
        enum outcome o = vacant_outcome(b->lane[i], c->n);
        if (o == O_READY) {
            *lane = i;
            return O_READY;
        }
        open |= o == PENDING;
    }
    return open ? PENDING : O_CLOSED;
}

/* poll(2)'s events for a STEADY_FD condition's. */
static short fd_events(uint64_t events)
{
    return (short)(((events & STEADY_FD_READABLE) ? POLLIN : 0) |
                   ((events & STEADY_FD_WRITABLE) ? POLLOUT : 0));
}

/* One non-blocking poll: READY when an asked event, an error or a hang-up is reported (the
 * caller's read or write then sees it), CLOSED when the descriptor is not open. */
static enum outcome fd_outcome(const steady_cond *c)
{
    struct pollfd p = {.fd = c->fd, .events = fd_events(c->n)};
    if (poll(&p, 1, 0) <= 0)
        return PENDING; /* EINTR included: evaluated again */
    return (p.revents & POLLNVAL) ? O_CLOSED : O_READY;
}

static enum outcome cond_outcome(const steady_actor *a, struct steady__wait_state *w, unsigned i,
                                 steady__lazy_now *now, uint64_t *deadline)
{
    const steady_cond *c = &w->c[i];
    switch (c->kind) {
    case STEADY_COND_AVAIL: return avail_outcome(c->rx, c->n);
    case STEADY_COND_VACANT: return vacant_outcome(c->tx, c->n);
    case STEADY_COND_AVAIL_LANE: return avail_lane_outcome(c, &w->lane[i]);
    case STEADY_COND_VACANT_LANE: return vacant_lane_outcome(c, &w->lane[i]);
    case STEADY_COND_PERIODIC:
    case STEADY_COND_TIMEOUT:
        if (w->deadline[i] == UINT64_MAX)
            return PENDING; /* saturated: never (and no deadline for the scheduler to sleep to) */
        if (w->deadline[i] == 0 || steady__lazy_get(now) >= w->deadline[i])
            return c->kind == STEADY_COND_PERIODIC ? O_READY : O_TIMEOUT;
        if (*deadline == 0 || w->deadline[i] < *deadline)
            *deadline = w->deadline[i];
        return PENDING;
    case STEADY_COND_FD: return fd_outcome(c);
    case STEADY_COND_SHUTDOWN:
        /* acquire: pairs with the release stores of state (graph.c start, notify.c request,
         * stop.c). */
        return atomic_load_explicit(&a->graph->state, memory_order_acquire) >=
                       STEADY_GRAPH_STOP_REQUESTED
                   ? O_SHUTDOWN
                   : PENDING;
    }
    return PENDING;
}

/* Timers and the shutdown condition bound a wait; they are never something to wait *for*. */
static bool is_bound(steady_cond_kind kind)
{
    return kind == STEADY_COND_TIMEOUT || kind == STEADY_COND_SHUTDOWN;
}

/* Every condition in [lo, hi) must hold. Contract (wait.h): a STEADY_TIMEOUT or
 * STEADY_SHUTDOWN_REQUESTED condition is not required to hold; when it does, it ends the wait
 * unless the required ones make it READY or CLOSED. Without this, all(avail, timeout) ignored
 * the timeout until the channel was ready and then reported TIMEOUT instead of READY. */
static enum outcome combine_all(const struct steady__wait_state *w, unsigned lo, unsigned hi)
{
    bool required = false, pending = false, shut = false, timeout = false;
    for (unsigned i = lo; i < hi; i++) {
        if (is_bound(w->c[i].kind)) {
            shut |= w->out[i] == O_SHUTDOWN;
            timeout |= w->out[i] == O_TIMEOUT;
            continue;
        }
        if (w->out[i] == O_CLOSED)
            return O_CLOSED;
        required = true;
        pending |= w->out[i] == PENDING;
    }
    if (required && !pending)
        return O_READY;
    return shut ? O_SHUTDOWN : timeout ? O_TIMEOUT : PENDING;
}

/* The first condition in [lo, hi) to complete, by precedence. */
static enum outcome combine_any(const uint8_t *out, unsigned lo, unsigned hi)
{
    enum outcome best = PENDING;
    for (unsigned i = lo; i < hi; i++)
        if (out[i] != PENDING && (best == PENDING || out[i] < best))
            best = (enum outcome)out[i];
    return best;
}

static enum outcome combine(const struct steady__wait_state *w)
{
    switch (w->mode) {
    case STEADY_WAIT_ANY: return combine_any(w->out, 0, w->n);
    case STEADY_WAIT_ALL_OR_FIRST:
        if (w->n > 1) {
            uint8_t both[2] = {w->out[0], (uint8_t)combine_all(w, 1, w->n)};
            return combine_any(both, 0, 2);
        }
        return combine_all(w, 0, w->n);
    default: return combine_all(w, 0, w->n);
    }
}

/* Fills w->result; true when the wait is complete. */
static bool evaluate(const steady_actor *a, struct steady__wait_state *w, steady__lazy_now *now,
                     uint64_t *deadline)
{
    uint32_t ready = 0, closed = 0;
    for (unsigned i = 0; i < w->n; i++) {
        w->out[i] = (uint8_t)cond_outcome(a, w, i, now, deadline);
        ready |=
            (uint32_t)(w->out[i] == O_READY || w->out[i] == O_SHUTDOWN || w->out[i] == O_TIMEOUT)
            << i;
        closed |= (uint32_t)(w->out[i] == O_CLOSED) << i;
    }
    enum outcome r = combine(w);
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    int state = atomic_load_explicit(&a->graph->state, memory_order_acquire);
    bool interrupt = (state == STEADY_GRAPH_STOP_REQUESTED && !a->shutdown_seen) ||
                     state >= STEADY_GRAPH_STOPPED;
    if (interrupt && (r == PENDING || r == O_TIMEOUT))
        r = O_SHUTDOWN;
    w->result = (steady_wake){.reason = (steady_reason)r, .ready = ready, .closed = closed};
    return r != PENDING;
}

/* Lowers a ring's want to `v` (or sets it). Two conditions of one wait may name the same
 * channel (a lane and a single end, or two thresholds): the lower threshold must stand, or an
 * ANY wait would sleep through the crossing that completes it. The higher one is restored
 * after that crossing, if the wait still needs it: see want_lost. Only the owner sets a want;
 * the peer only clears it (to 0, when it rings). Relaxed: the scheduler issues the heavy
 * fence before it parks; until then it keeps re-checking by itself. */
static void want_at_most(_Atomic uint64_t *want, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(want, memory_order_relaxed);
    if (cur == 0 || v < cur)
        atomic_store_explicit(want, v, memory_order_relaxed);
}

static void want_avail(steady_rx *rx, uint64_t n)
{
    want_at_most(&rx->ring->rx_want, rx->head + clamp_need(n, rx->capacity));
}

static void want_vacant(steady_tx *tx, uint64_t n)
{
    want_at_most(&tx->ring->tx_want, tx->tail - tx->capacity + clamp_need(n, tx->capacity));
}

static void publish_wants(struct steady__wait_state *w)
{
    for (unsigned i = 0; i < w->n; i++) {
        const steady_cond *c = &w->c[i];
        if (w->out[i] != PENDING)
            continue;
        if (c->kind == STEADY_COND_AVAIL)
            want_avail(c->rx, c->n);
        else if (c->kind == STEADY_COND_VACANT)
            want_vacant(c->tx, c->n);
        else if (c->kind == STEADY_COND_AVAIL_LANE)
            for (uint32_t k = 0; k < c->rx_bundle->lanes; k++) {
                steady_rx *rx = c->rx_bundle->lane[k];
                if (rx && avail_outcome(rx, c->n) == PENDING)
                    want_avail(rx, c->n);
            }
        else if (c->kind == STEADY_COND_VACANT_LANE)
            for (uint32_t k = 0; k < c->tx_bundle->lanes; k++) {
                steady_tx *tx = c->tx_bundle->lane[k];
                if (tx && vacant_outcome(tx, c->n) == PENDING)
                    want_vacant(tx, c->n);
            }
    }
}

static void clear_rx_want(steady_rx *rx)
{
    if (rx)
        atomic_store_explicit(&rx->ring->rx_want, 0, memory_order_relaxed);
}

static void clear_tx_want(steady_tx *tx)
{
    if (tx)
        atomic_store_explicit(&tx->ring->tx_want, 0, memory_order_relaxed);
}

static void clear_wants(const struct steady__wait_state *w)
{
    for (unsigned i = 0; i < w->n; i++) {
        const steady_cond *c = &w->c[i];
        if (c->kind == STEADY_COND_AVAIL)
            clear_rx_want(c->rx);
        else if (c->kind == STEADY_COND_VACANT)
            clear_tx_want(c->tx);
        else if (c->kind == STEADY_COND_AVAIL_LANE)
            for (uint32_t k = 0; k < c->rx_bundle->lanes; k++)
                clear_rx_want(c->rx_bundle->lane[k]);
        else if (c->kind == STEADY_COND_VACANT_LANE)
            for (uint32_t k = 0; k < c->tx_bundle->lanes; k++)
                clear_tx_want(c->tx_bundle->lane[k]);
    }
}

/* True when a condition is still pending but its channel's want is gone: the peer cleared it
 * when it rang for a lower threshold on the same channel (another condition's). Only the actor
 * may publish a want (before its scheduler's heavy fence), so it must be resumed to publish
 * again. With one condition per channel this never holds: a ring means that condition held. */
static bool want_lost(const struct steady__wait_state *w)
{
    for (unsigned i = 0; i < w->n; i++) {
        const steady_cond *c = &w->c[i];
        if (w->out[i] != PENDING)
            continue;
        if (c->kind == STEADY_COND_AVAIL &&
            atomic_load_explicit(&c->rx->ring->rx_want, memory_order_relaxed) == 0)
            return true;
        if (c->kind == STEADY_COND_VACANT &&
            atomic_load_explicit(&c->tx->ring->tx_want, memory_order_relaxed) == 0)
            return true;
        for (uint32_t k = 0; c->kind == STEADY_COND_AVAIL_LANE && k < c->rx_bundle->lanes; k++) {
            steady_rx *rx = c->rx_bundle->lane[k]; /* every open lane is pending: published */
            if (rx && atomic_load_explicit(&rx->ring->rx_want, memory_order_relaxed) == 0 &&
                avail_outcome(rx, c->n) == PENDING)
                return true;
        }
        for (uint32_t k = 0; c->kind == STEADY_COND_VACANT_LANE && k < c->tx_bundle->lanes; k++) {
            steady_tx *tx = c->tx_bundle->lane[k];
            if (tx && atomic_load_explicit(&tx->ring->tx_want, memory_order_relaxed) == 0 &&
                vacant_outcome(tx, c->n) == PENDING)
                return true;
        }
    }
    return false;
}

/* The scheduler's check of a blocked actor: complete, or a want to publish again (the actor's
 * wait loop evaluates again, publishes and switches out if it is still pending). */
bool steady__wait_poll(steady_actor *a, steady__lazy_now *now, uint64_t *deadline)
{
    return evaluate(a, a->wait, now, deadline) || want_lost(a->wait);
}

/* The descriptors a blocked actor waits on (its pending STEADY_FD conditions), for the
 * scheduler's ppoll: up to cap written to out; returns how many there are (may exceed cap). */
unsigned steady__wait_fds(const steady_actor *a, struct pollfd *out, unsigned cap)
{
    const struct steady__wait_state *w = a->wait;
    unsigned k = 0;
    for (unsigned i = 0; w && i < w->n; i++) {
        if (w->c[i].kind != STEADY_COND_FD || w->out[i] != PENDING)
            continue;
        if (k < cap)
            out[k] = (struct pollfd){.fd = w->c[i].fd, .events = fd_events(w->c[i].n)};
        k++;
    }
    return k;
}

/* ---- describing a wait (steady_sched_describe) ---- */

static size_t put(char *buf, size_t cap, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t cap, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(at < cap ? buf + at : NULL, at < cap ? cap - at : 0, fmt, ap);
    va_end(ap);
    return at + (k > 0 ? (size_t)k : 0);
}

static size_t put_cond(char *buf, size_t cap, size_t at, const steady_cond *c, uint64_t deadline,
                       uint64_t now)
{
    unsigned long long n = c->n;
    bool armed = now != UINT64_MAX; /* UINT64_MAX: not evaluated yet, deadline unset */
    double left_ms =
        armed && deadline > now && deadline != UINT64_MAX ? (double)(deadline - now) / 1e6 : 0;
    switch (c->kind) {
    case STEADY_COND_AVAIL:
        return put(buf, cap, at, "%llu to take on '%s'", n, c->rx->channel->name);
    case STEADY_COND_VACANT:
        return put(buf, cap, at, "room for %llu on '%s'", n, c->tx->channel->name);
    case STEADY_COND_AVAIL_LANE:
        return put(buf, cap, at, "%llu to take on a lane of '%s'", n, c->rx_bundle->name);
    case STEADY_COND_VACANT_LANE:
        return put(buf, cap, at, "room for %llu on a lane of '%s'", n, c->tx_bundle->name);
    case STEADY_COND_PERIODIC:
        return armed ? put(buf, cap, at, "its period of %.3f ms (due in %.3f ms)", (double)n / 1e6,
                           left_ms)
                     : put(buf, cap, at, "its period of %.3f ms", (double)n / 1e6);
    case STEADY_COND_TIMEOUT:
        if (n == UINT64_MAX || (armed && deadline == UINT64_MAX))
            return put(buf, cap, at, "a timeout that never comes");
        return armed ? put(buf, cap, at, "a timeout in %.3f ms", left_ms)
                     : put(buf, cap, at, "a timeout of %.3f ms", (double)n / 1e6);
    case STEADY_COND_SHUTDOWN: return put(buf, cap, at, "shutdown");
    case STEADY_COND_FD:
        return put(buf, cap, at, "fd %d %s", c->fd,
                   (n & STEADY_FD_READABLE) && (n & STEADY_FD_WRITABLE) ? "readable or writable"
                   : n & STEADY_FD_WRITABLE                             ? "writable"
                                                                        : "readable");
    }
    return put(buf, cap, at, "?");
}

static size_t put_conds(char *buf, size_t cap, size_t at, const struct steady__wait_state *w,
                        uint64_t now)
{
    if (w->n > 1)
        at = put(buf, cap, at, "%s: ",
                 w->mode == STEADY_WAIT_ALL   ? "all of"
                 : w->mode == STEADY_WAIT_ANY ? "any of"
                                              : "all of, or the first that holds of");
    for (unsigned i = 0; i < w->n; i++) {
        if (i)
            at = put(buf, cap, at, ", ");
        at = put_cond(buf, cap, at, &w->c[i], w->deadline[i], now);
    }
    return at;
}

size_t steady__wait_describe(const steady_actor *a, char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    const struct steady__wait_state *w = a->wait;
    switch (a->status) {
    case STEADY__NEW: return put(buf, cap, 0, "its start");
    case STEADY__DONE: return put(buf, cap, 0, "nothing (ended)");
    case STEADY__RUNNABLE:
        /* A member entering a wait yields first (steady_wait): its conditions are not yet
         * evaluated, so their timers' deadlines are not set either. */
        if (!w)
            return put(buf, cap, 0, "its turn (it yielded)");
        return put(buf, cap,
                   put_conds(buf, cap, put(buf, cap, 0, "its turn (it yielded at a wait for "), w,
                             UINT64_MAX),
                   ")");
    case STEADY__BLOCKED: break;
    }
    return w ? put_conds(buf, cap, 0, w, steady__now(a->graph)) : put(buf, cap, 0, "its turn");
}

/* Writes each lane condition's lane (STEADY_NO_LANE unless it held) and moves the bundle
 * end's round-robin cursor to the lane returned. */
static void report_lanes(const struct steady__wait_state *w)
{
    for (unsigned i = 0; i < w->n; i++) {
        const steady_cond *c = &w->c[i];
        if (c->kind != STEADY_COND_AVAIL_LANE && c->kind != STEADY_COND_VACANT_LANE)
            continue;
        uint32_t lane = STEADY_NO_LANE;
        if (w->out[i] == O_READY) {
            lane = w->lane[i];
            if (c->kind == STEADY_COND_AVAIL_LANE)
                c->rx_bundle->last = lane;
            else
                c->tx_bundle->last = lane;
        }
        if (c->lane)
            *c->lane = lane;
    }
}

/* The periodic schedule for `period`: next deadline, created at now + period. */
static uint64_t *periodic_slot(steady_actor *a, uint64_t period, uint64_t now)
{
    for (unsigned s = 0; s < STEADY__PERIODIC_SLOTS; s++)
        if (a->periodic[s].period == period)
            return &a->periodic[s].next;
    for (unsigned s = 0; s < STEADY__PERIODIC_SLOTS; s++)
        if (a->periodic[s].period == 0) {
            a->periodic[s].period = period;
            a->periodic[s].next = steady__sat_add(now, period);
            return &a->periodic[s].next;
        }
    steady__actor_fail(a,
                       "more than %u distinct periods in STEADY_PERIODIC waits; use at most "
                       "%u periods per actor",
                       STEADY__PERIODIC_SLOTS, STEADY__PERIODIC_SLOTS);
}

/* The shape of a wait: a mode, and 1..32 conditions of known kinds. */
static steady_err check_shape(const struct steady__wait_state *w)
{
    if (w->mode != STEADY_WAIT_ALL && w->mode != STEADY_WAIT_ANY &&
        w->mode != STEADY_WAIT_ALL_OR_FIRST)
        return steady__misuse(STEADY_EINVAL,
                              "steady_wait with mode %d, not a steady_wait_mode; use "
                              "steady_wait_all / _any / _all_or_first",
                              (int)w->mode);
    if (w->n == 0 || w->n > STEADY__MAX_CONDS)
        return steady__misuse(STEADY_EINVAL, "steady_wait with %u conditions; give 1 to %u", w->n,
                              STEADY__MAX_CONDS);
    if (!w->c)
        return steady__misuse(STEADY_EINVAL,
                              "steady_wait with %u condition%s at NULL; pass an array of them",
                              w->n, steady__plural(w->n));
    for (unsigned i = 0; i < w->n; i++)
        if (w->c[i].kind < STEADY_COND_AVAIL || w->c[i].kind > STEADY_COND_FD)
            return steady__misuse(STEADY_EINVAL,
                                  "steady_wait: condition %u has kind %d, not a "
                                  "steady_cond_kind; build it with STEADY_AVAIL, STEADY_VACANT, "
                                  "STEADY_TIMEOUT, ...",
                                  i, (int)w->c[i].kind);
    return STEADY_OK;
}

/* The end a channel condition names: a NULL end or one of the other kind is refused, and one
 * the actor does not own is its misuse. */
static steady_err check_end(steady_actor *a, const steady_cond *c)
{
    steady_err e = STEADY_OK;
    if (c->kind == STEADY_COND_AVAIL && (e = steady__rx_check(c->rx, "wait_avail")) == STEADY_OK &&
        steady__rx_owner(c->rx) != a)
        e = steady__rx_misuse(c->rx, "wait_avail");
    else if (c->kind == STEADY_COND_VACANT &&
             (e = steady__tx_check(c->tx, "wait_vacant")) == STEADY_OK &&
             steady__tx_owner(c->tx) != a)
        e = steady__tx_misuse(c->tx, "wait_vacant");
    else if (c->kind == STEADY_COND_AVAIL_LANE)
        e = steady__rx_bundle_use(c->rx_bundle, a, "wait_avail_lane");
    else if (c->kind == STEADY_COND_VACANT_LANE)
        e = steady__tx_bundle_use(c->tx_bundle, a, "wait_vacant_lane");
    else if (c->kind == STEADY_COND_FD && a->graph->hooks.refuse_fd_waits)
        e = steady__misuse(STEADY_EINVAL,
                           "STEADY_FD(%d): descriptor waits are refused in this graph (its hooks "
                           "say refuse_fd_waits: a deterministic test run, where a descriptor's "
                           "readiness would come from outside the seeded schedule); test this "
                           "actor without a seed, or feed it through a channel",
                           c->fd);
    else if (c->kind == STEADY_COND_FD && c->fd < 0)
        e = steady__misuse(STEADY_EINVAL,
                           "STEADY_FD with descriptor %d; pass an open file descriptor (a "
                           "socket, pipe, eventfd, timerfd, ...)",
                           c->fd);
    else if (c->kind == STEADY_COND_FD &&
             (c->n == 0 || (c->n & ~(uint64_t)(STEADY_FD_READABLE | STEADY_FD_WRITABLE))))
        e = steady__misuse(STEADY_EINVAL,
                           "STEADY_FD(%d, %llu): events must be STEADY_FD_READABLE, "
                           "STEADY_FD_WRITABLE or both",
                           c->fd, (unsigned long long)c->n);
    return e;
}

/* Checks every condition (a misuse fails the actor) and sets the timers' deadlines. False:
 * refused (only when the caller is not inside a generation: the supervisor's own waits). */
static bool check_conds(steady_actor *a, struct steady__wait_state *w, steady__lazy_now *now)
{
    if (check_shape(w) != STEADY_OK)
        return false;
    for (unsigned i = 0; i < w->n; i++) {
        const steady_cond *c = &w->c[i];
        if (check_end(a, c) != STEADY_OK)
            return false;
        if (c->kind == STEADY_COND_PERIODIC) /* 0: due at once, no clock read */
            w->deadline[i] = c->n ? *periodic_slot(a, c->n, steady__lazy_get(now)) : 0;
        else if (c->kind == STEADY_COND_TIMEOUT)
            w->deadline[i] = c->n ? steady__sat_add(steady__lazy_get(now), c->n) : 0;
    }
    return true;
}

static void advance_periodic(steady_actor *a, const struct steady__wait_state *w,
                             steady__lazy_now *lazy)
{
    for (unsigned i = 0; i < w->n; i++) {
        if (w->c[i].kind != STEADY_COND_PERIODIC || w->out[i] != O_READY || w->c[i].n == 0)
            continue;
        uint64_t now = steady__lazy_get(lazy);
        uint64_t period = w->c[i].n, *next = periodic_slot(a, period, now);
        if (now >= steady__sat_add(*next, period)) {
            STEADY_DEBUG("actor '%s': its loop overran its %llu ns period; restarting the "
                         "schedule from now",
                         a->label, (unsigned long long)period);
            *next = steady__sat_add(now, period);
        } else {
            *next = steady__sat_add(*next, period);
        }
    }
}

steady_wake steady_wait(steady_actor *a, steady_wait_mode mode, const steady_cond *c, unsigned n)
{
    steady_wake fail = {STEADY_SHUTDOWN, 0, 0};
    if (!a || a != steady__self) {
        if (steady__self)
            steady__misuse(STEADY_ENOTOWNER,
                           "steady_wait called with %s; pass the steady_actor * your run "
                           "function was given",
                           a ? "another actor's handle" : "a NULL actor");
        else
            steady__fail(STEADY_ENOTOWNER, "steady_wait called outside an actor; only actors "
                                           "wait (main waits with "
                                           "steady_graph_block_until_stopped)");
        return fail;
    }
    /* Not zero-initialised as a whole (416 bytes on every wait): deadline[i] is written for the
     * timer conditions that read it, out[i] by every evaluation, lane[i] by the evaluation
     * that finds lane condition i held (and read only then). */
    struct steady__wait_state w;
    w.mode = mode;
    w.c = c;
    w.n = n;
    steady_graph *g = a->graph;
    steady__lazy_now now = {g, 0, false};
    uint64_t deadline = 0;
    if (!check_conds(a, &w, &now))
        return fail;
    uint32_t fds = 0;
    for (unsigned i = 0; i < n; i++)
        fds += c[i].kind == STEADY_COND_FD;
    if (fds) /* relaxed: a snapshot for inspect.c, ordered with nothing */
        atomic_store_explicit(&a->fd_waits, fds, memory_order_relaxed);
    if (a->troupe->n_members > 1) { /* let the other members run at every wait */
        a->wait = &w;               /* read only by steady_sched_describe while RUNNABLE */
        steady__troupe_switch_out(a);
        a->wait = NULL;
        now.valid = false;
    }
    while (!evaluate(a, &w, &now, &deadline)) {
        publish_wants(&w);
        a->wait = &w;
        a->status = STEADY__BLOCKED;
        /* relaxed: a snapshot for inspect.c (a test's virtual clock reads it), ordered with
         * nothing */
        atomic_store_explicit(&a->wait_deadline, deadline, memory_order_relaxed);
        /* release: pairs with the acquire load in inspect.c (actor_info): a reader that sees
         * it waiting sees what it wrote before parking (a test reads its state then). Cleared
         * by resume (troupe.c). */
        atomic_store_explicit(&a->parked, 1, memory_order_release);
        steady__troupe_switch_out(a);
        a->wait = NULL;
        now.valid = false;
    }
    if (deadline)
        atomic_store_explicit(&a->wait_deadline, 0, memory_order_relaxed);
    clear_wants(&w);
    report_lanes(&w);
    if (fds)
        atomic_store_explicit(&a->fd_waits, 0, memory_order_relaxed);
    if (w.result.reason == STEADY_SHUTDOWN)
        a->shutdown_seen = true;
    if (w.result.reason == STEADY_READY)
        advance_periodic(a, &w, &now);
    return w.result;
}

const char *steady_reason_name(steady_reason r)
{
    switch (r) {
    case STEADY_READY: return "READY";
    case STEADY_CLOSED: return "CLOSED";
    case STEADY_SHUTDOWN: return "SHUTDOWN";
    case STEADY_TIMEOUT: return "TIMEOUT";
    }
    return "?";
}
