/* core/notify.c — telling the graph's threads that something happened.
 *
 * The low module every layer above calls to wake others, so none of them calls up into
 * graph.c: the event word main sleeps on in block_until_stopped (votes, exits, requests,
 * finished threads), the doorbells of every troupe, and the one transition RUNNING ->
 * STOP_REQUESTED that every request path shares (main, actors, signals, escalation, the
 * warden). Any thread; steady__graph_request and steady__graph_ring_all are also
 * async-signal-safe (atomics and futex wakes only).
 */
#include "core/internal.h"

#include "platform/futex.h"

void steady__graph_event(steady_graph *g)
{
    /* release: pairs with main's acquire load of events (stop.c), which then sees the vote or
     * exit that bumped it. */
    atomic_fetch_add_explicit(&g->events, 1, memory_order_release);
    steady__futex_wake(&g->events, 1 << 30, g->isolated);
}

void steady__graph_ring_all(steady_graph *g)
{
    for (steady_troupe *t = g->troupes; t; t = t->next)
        if (t->n_members)
            steady__bell_ring(&t->bell);
}

void steady__graph_request(steady_graph *g, const char *who)
{
    int expected = STEADY_GRAPH_RUNNING;
    /* seq_cst: releases what the requester did before (pairs with the actors' acquire loads
     * of state); and a signal handler's request is the load half of its Dekker pair with
     * start's store of RUNNING (signal.c), which needs seq_cst on all four accesses. */
    if (!atomic_compare_exchange_strong_explicit(&g->state, &expected, STEADY_GRAPH_STOP_REQUESTED,
                                                 memory_order_seq_cst, memory_order_seq_cst))
        return;
    (void)who;
    steady__graph_ring_all(g);
    steady__graph_event(g);
}
