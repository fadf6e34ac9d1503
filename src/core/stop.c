/* core/stop.c — the end of a graph: waiting for the vote and reporting it.
 *
 * block_until_stopped waits for the shutdown request (or for every actor to have returned),
 * then for the votes, up to the timeout. At the deadline it snapshots which live actors still
 * veto, moves to STOPPED_UNCLEANLY (from then on every wait returns at once and STEADY_RUNNING
 * is false, so the remaining actors leave their loops), and joins the threads. The report names
 * each vetoing actor with the file:line: expression of its last false STEADY_I() term.
 *
 * Time here is real monotonic time, not the graph clock: it bounds how long main blocks.
 */
#include "core/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "platform/thread.h"

#define JOIN_GRACE_MS 2000 /* how long a stuck thread may take to leave after the stop */

static bool all_exited(const steady_graph *g)
{
    for (steady_actor *a = g->actors; a; a = a->next)
        if (!atomic_load_explicit(&a->exited, memory_order_acquire))
            return false;
    return true;
}

static bool all_voted(const steady_graph *g)
{
    for (steady_actor *a = g->actors; a; a = a->next)
        if (!atomic_load_explicit(&a->exited, memory_order_acquire) &&
            !atomic_load_explicit(&a->voted_yes, memory_order_acquire))
            return false;
    return true;
}

/* Sleeps on the event word until it changes or `deadline_ns` (0: none) passes. */
static void wait_event(steady_graph *g, uint32_t seen, uint64_t deadline_ns)
{
    uint64_t now = deadline_ns ? steady__mono_ns() : 0;
    uint64_t timeout = !deadline_ns ? UINT64_MAX : deadline_ns > now ? deadline_ns - now : 0;
    steady__futex_wait_for(&g->events, seen, timeout, g->isolated);
}

static void wait_for_request(steady_graph *g)
{
    for (;;) {
        uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
        if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_RUNNING)
            return;
        if (all_exited(g)) {
            steady__graph_request(g, "all actors returned");
            return;
        }
        wait_event(g, seen, 0);
    }
}

static bool wait_for_votes(steady_graph *g, uint64_t deadline_ns)
{
    for (;;) {
        uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
        if (all_voted(g))
            return true;
        if (steady__mono_ns() >= deadline_ns)
            return false;
        wait_event(g, seen, deadline_ns);
    }
}

static void append(steady_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(steady_graph *g, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    char *r = steady__alloc(g->report_len + len + 1);
    if (!r)
        return;
    if (g->report)
        memcpy(r, g->report, g->report_len);
    memcpy(r + g->report_len, line, len + 1);
    steady__free(g->report);
    g->report = r;
    g->report_len += len;
}

static void snapshot_vetoes(steady_graph *g)
{
    for (steady_actor *a = g->actors; a; a = a->next)
        a->vetoed = !atomic_load_explicit(&a->exited, memory_order_acquire) &&
                    !atomic_load_explicit(&a->voted_yes, memory_order_acquire);
}

/* One report line for an actor that did not veto. */
static void append_outcome(steady_graph *g, const steady_actor *a)
{
    uint32_t restarts = steady_actor_restarts(a), failures = steady_actor_failures(a);
    char how[96];
    if (steady_actor_stopped_for_good(a))
        snprintf(how, sizeof how, "stopped for good after %u failure%s", failures,
                 failures == 1 ? "" : "s");
    else if (a->failed)
        snprintf(how, sizeof how, "never started");
    else
        snprintf(how, sizeof how, "%s",
                 atomic_load_explicit(&a->voted_yes, memory_order_acquire) ? "voted yes"
                                                                           : "returned");
    append(g, "  actor '%s': %s (counted as yes; %u restart%s)\n", a->label, how, restarts,
           restarts == 1 ? "" : "s");
}

static void build_report(steady_graph *g, bool clean)
{
    steady__free(g->report);
    g->report = NULL;
    g->report_len = 0;
    append(g, "graph '%s' %s\n", g->name, clean ? "stopped cleanly" : "stopped uncleanly");
    for (steady_actor *a = g->actors; a; a = a->next) {
        if (!a->vetoed) {
            append_outcome(g, a);
            continue;
        }
        const char *expr = atomic_load_explicit(&a->veto_expr, memory_order_relaxed);
        const char *file = atomic_load_explicit(&a->veto_file, memory_order_relaxed);
        int line = atomic_load_explicit(&a->veto_line, memory_order_relaxed);
        if (expr)
            append(g, "  actor '%s' vetoed: %s:%d: %s\n", a->label, file, line, expr);
        else
            append(g,
                   "  actor '%s' vetoed: no STEADY_I() term was false (wrap the veto's "
                   "terms in STEADY_I() to see which one held it back)\n",
                   a->label);
    }
}

static void log_unclean(const steady_graph *g)
{
    STEADY_WARN("graph '%s' stopped uncleanly: actors still vetoed shutdown at the deadline",
                g->name);
    for (steady_actor *a = g->actors; a; a = a->next) {
        if (!a->vetoed)
            continue;
        const char *expr = atomic_load_explicit(&a->veto_expr, memory_order_relaxed);
        if (expr)
            STEADY_WARN("actor '%s' vetoed shutdown: %s:%d: %s", a->label,
                        atomic_load_explicit(&a->veto_file, memory_order_relaxed),
                        atomic_load_explicit(&a->veto_line, memory_order_relaxed), expr);
        else
            STEADY_WARN("actor '%s' vetoed shutdown (no STEADY_I() term was false)", a->label);
    }
}

static void join_all(steady_graph *g)
{
    uint64_t deadline = steady__mono_ns() + (uint64_t)JOIN_GRACE_MS * 1000000u;
    for (steady_troupe *t = g->troupes; t; t = t->next) {
        if (!t->thread_started)
            continue;
        while (!atomic_load_explicit(&t->finished, memory_order_acquire) &&
               steady__mono_ns() < deadline) {
            uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
            if (atomic_load_explicit(&t->finished, memory_order_acquire))
                break;
            wait_event(g, seen, deadline);
        }
        if (!atomic_load_explicit(&t->finished, memory_order_acquire)) {
            STEADY_ERROR("thread '%s' did not leave within %d ms of the stop (an actor is "
                         "blocked outside steady's waits); it is left running",
                         t->name, JOIN_GRACE_MS);
            continue;
        }
        pthread_join(t->thread, NULL);
        t->thread_started = false;
    }
}

steady_err steady_graph_block_until_stopped(steady_graph *g, int64_t timeout_ms)
{
    if (!g)
        return steady__fail(STEADY_EINVAL, "steady_graph_block_until_stopped: graph is NULL");
    int s = atomic_load_explicit(&g->state, memory_order_acquire);
    if (s == STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "graph '%s' was never started; call "
                            "steady_graph_start() first",
                            g->name);
    if (s == STEADY_GRAPH_STOPPED || s == STEADY_GRAPH_STOPPED_UNCLEANLY)
        return s == STEADY_GRAPH_STOPPED ? STEADY_OK : STEADY_EUNCLEAN;
    wait_for_request(g);
    uint64_t deadline = steady__mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
    bool clean = wait_for_votes(g, deadline);
    snapshot_vetoes(g);
    /* release: actors that read STOPPED* afterwards leave their loops and waits at once. */
    atomic_store_explicit(&g->state, clean ? STEADY_GRAPH_STOPPED : STEADY_GRAPH_STOPPED_UNCLEANLY,
                          memory_order_release);
    steady__graph_ring_all(g);
    join_all(g);
    steady__iso_stop(g, steady__mono_ns() + (uint64_t)JOIN_GRACE_MS * 1000000u);
    build_report(g, clean);
    if (clean) {
        STEADY_DEBUG("graph '%s' stopped cleanly", g->name);
        return STEADY_OK;
    }
    log_unclean(g);
    return steady__fail(STEADY_EUNCLEAN, "%s", g->report);
}

size_t steady_graph_report(const steady_graph *g, char *buf, size_t cap)
{
    const char *r = g->report ? g->report : "";
    if (cap)
        snprintf(buf, cap, "%s", r);
    return g->report_len;
}
