/* core/run.c — an actor's life on its stack: the generations, the shutdown vote, and its end.
 *
 * The run function is entered from steady__actor_entry on the actor's own stack, once per
 * generation. A failure (steady_panic, STEADY_ASSERT, misuse of a channel, or a non-zero
 * return) unwinds with longjmp (context.c) to that frame — which is why every actor has a stack
 * of its own — and the supervisor (supervise.c) decides whether another generation runs. When
 * none does, the actor's ends close, it counts as exited, and its fiber ends.
 *
 * The vote: STEADY_RUNNING's helpers, STEADY_I's recorder, the shutdown request and barrier.
 */
#include "core/internal.h"

#include <setjmp.h>
#include <stdio.h>

/* The actor-only calls below take the caller's own handle: NULL or another actor's is the
 * calling actor's misuse; outside actors they have no effect (STEADY_ENOTOWNER's detail). */
static bool is_self(const steady_actor *a, const char *fn)
{
    steady_actor *self = steady__self;
    if (a && a == self)
        return true;
    if (self)
        steady__misuse(a ? STEADY_ENOTOWNER : STEADY_EINVAL,
                       "%s called with %s; pass the steady_actor * your run function was given", fn,
                       a ? "another actor's handle" : "a NULL actor");
    else
        steady__fail(STEADY_ENOTOWNER,
                     "%s called outside an actor; it is for an actor's own thread (main uses "
                     "the steady_graph_* calls)",
                     fn);
    return false;
}

/* ---- the vote ---- */

int steady__running_phase(steady_actor *a)
{
    if (!is_self(a, "STEADY_RUNNING"))
        return STEADY__PHASE_DONE;
    /* acquire: pairs with the release in steady__graph_request, so an actor that sees
     * STOP_REQUESTED also sees everything main did before asking. */
    int s = atomic_load_explicit(&a->graph->state, memory_order_acquire);
    if (s == STEADY_GRAPH_RUNNING || s == STEADY_GRAPH_BUILDING)
        return STEADY__PHASE_RUN;
    if (s != STEADY_GRAPH_STOP_REQUESTED ||
        atomic_load_explicit(&a->voted_yes, memory_order_relaxed))
        return STEADY__PHASE_DONE;
    return STEADY__PHASE_VOTE;
}

void steady__vote_begin(steady_actor *a)
{
    if (!is_self(a, "STEADY_RUNNING"))
        return;
    atomic_store_explicit(&a->veto_expr, NULL, memory_order_relaxed);
}

/* Counts the actor once toward the graph's stop when it first voted yes or exited, so main
 * checks "every actor voted or exited" with one load instead of a scan per event (a scan made
 * stopping quadratic in the number of actors). */
static void settle(steady_actor *a)
{
    uint32_t no = 0;
    if (atomic_compare_exchange_strong_explicit(&a->settled, &no, 1, memory_order_relaxed,
                                                memory_order_relaxed))
        /* release: pairs with main's acquire load of n_settled (stop.c), which then sees
         * what the actor did before it voted or exited. */
        atomic_fetch_add_explicit(&a->graph->n_settled, 1, memory_order_release);
}

bool steady__cast_vote(steady_actor *a, bool yes)
{
    if (!is_self(a, "STEADY_RUNNING"))
        return false;
    a->shutdown_seen = true;
    if (!yes)
        return true;
    /* release: main's acquire load of voted_yes then sees the actor's state as it voted. */
    atomic_store_explicit(&a->voted_yes, 1, memory_order_release);
    settle(a);
    steady__graph_event(a->graph);
    return false;
}

void steady__actor_mark_exited(steady_actor *a)
{
    uint32_t no = 0;
    /* Once per actor: a troupe that cannot start marks every member, even one a previous
     * process of an ISOLATED troupe saw to its end. release: pairs with the acquire loads of
     * exited and n_exited (stop.c, isolate.c). */
    if (atomic_compare_exchange_strong_explicit(&a->exited, &no, 1, memory_order_release,
                                                memory_order_relaxed)) {
        atomic_fetch_add_explicit(&a->graph->n_exited, 1, memory_order_release);
        settle(a);
    }
    steady__graph_event(a->graph);
}

bool steady__eye(bool value, const char *file, int line, const char *expr)
{
    steady_actor *a = steady__self;
    if (!value && a) {
        /* relaxed: main reads these after joining the actor's thread, or as a best-effort
         * report if the thread is stuck; each field is read whole. */
        atomic_store_explicit(&a->veto_file, file, memory_order_relaxed);
        atomic_store_explicit(&a->veto_line, line, memory_order_relaxed);
        atomic_store_explicit(&a->veto_expr, expr, memory_order_relaxed);
    }
    return value;
}

void steady_actor_request_shutdown(steady_actor *a)
{
    if (!is_self(a, "steady_actor_request_shutdown"))
        return;
    steady_graph *g = a->graph;
    if (g->shutdown_barrier > 1) {
        uint32_t first = 0;
        if (atomic_compare_exchange_strong_explicit(&a->asked_shutdown, &first, 1,
                                                    memory_order_relaxed, memory_order_relaxed)) {
            /* acq_rel: each asking actor's count is seen by the last one, whose acquire load below
             * pairs with it. */
            uint32_t n = atomic_fetch_add_explicit(&g->barrier_count, 1, memory_order_acq_rel) + 1;
            STEADY_DEBUG("shutdown barrier: %u of %u actors asked", n, g->shutdown_barrier);
        }
        /* acquire: pairs with the other askers' acq_rel increments. */
        if (atomic_load_explicit(&g->barrier_count, memory_order_acquire) < g->shutdown_barrier)
            return;
    }
    steady__graph_request(g, a->label);
}

/* ---- how a run ends ---- */

static void close_ends(steady_actor *a)
{
    for (size_t i = 0; i < a->n_txs; i++)
        steady_tx_close(a->txs[i]);
    for (size_t i = 0; i < a->n_rxs; i++)
        steady_rx_close(a->rxs[i]);
}

void steady__actor_close_ends_for(steady_actor *a)
{
    /* The ends accept only their owner: the caller acts as `a` for the moment. */
    steady_actor *was = steady__self;
    steady__set_self(a);
    close_ends(a);
    steady__set_self(was);
}

/* Runs one generation; returns NULL when run returned 0, else the failure's reason. */
static const char *run_generation(steady_actor *a)
{
    if (setjmp(a->fail_jmp) != 0)
        return steady__fail_reason();
    a->in_generation = true;
    int rc = a->run(a, a->arg);
    a->in_generation = false;
    if (rc == 0)
        return NULL;
    return steady__fail_reasonf("run returned %d", rc);
}

void steady__actor_entry(void *p)
{
    steady_actor *a = p;
    a->sup.gen_start = steady__now(a->graph);
    /* relaxed: a reader (inspect.c) only reports the phase; nothing is read through it. */
    atomic_store_explicit(&a->started, 1, memory_order_relaxed);
    while (steady__supervise(a, run_generation(a)))
        ;
    close_ends(a);
    a->status = STEADY__DONE;
    steady__actor_mark_exited(a);
    steady__fiber_exit_to(&a->fiber, &a->troupe->home);
}
