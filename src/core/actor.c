/* core/actor.c — declaring actors, their identity and state, the shutdown vote, and how an
 * actor's run ends (return or failure).
 *
 * An actor's run function is entered from steady__actor_entry on the actor's own stack. A
 * failure (misuse of a channel, or a non-zero return) is logged and ends the actor; until
 * supervision exists, it also asks the graph to shut down. Failures unwind with longjmp to
 * the entry frame, which is why every actor has a stack of its own.
 */
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

_Thread_local steady_actor *steady__self;

steady_actor *steady_actor_current(void)
{
    return steady__self;
}

/* ---- spawn ---- */

static steady_err check_spawn(steady_graph *g, const steady_actor_opts *o)
{
    if (!g || !o)
        return steady__fail(STEADY_EINVAL, "steady_actor_spawn: graph and opts must not be NULL");
    const char *nm = o->name ? o->name : "(unnamed)";
    if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "actor '%s': actors can only be spawned before "
                            "steady_graph_start()",
                            nm);
    if (!o->name || !o->name[0])
        return steady__fail(STEADY_EINVAL, "steady_actor_spawn: every actor needs a name "
                                           "(opts.name)");
    if (!o->run)
        return steady__fail(STEADY_EINVAL, "actor '%s': no run function (opts.run)", nm);
    if (o->troupe && o->troupe->graph != g)
        return steady__fail(STEADY_EINVAL, "actor '%s': its troupe belongs to another graph", nm);
    if (o->state_init && o->state_size == 0)
        return steady__fail(STEADY_EINVAL,
                            "actor '%s': a state_init without a state_size; give "
                            "the size of the state block",
                            nm);
    if (o->troupe && o->pin)
        return steady__fail(STEADY_EINVAL,
                            "actor '%s': pin applies to a SOLO actor's own "
                            "thread; pin its troupe instead (steady_troupe_opts)",
                            nm);
    return STEADY_OK;
}

static char *make_label(const steady_actor_opts *o)
{
    if (!o->has_suffix)
        return steady__strdup(o->name);
    char buf[256];
    snprintf(buf, sizeof buf, "%s-%u", o->name, o->suffix);
    return steady__strdup(buf);
}

static steady_err check_label(steady_graph *g, const char *label)
{
    for (steady_actor *a = g->actors; a; a = a->next)
        if (strcmp(a->label, label) == 0)
            return steady__fail(STEADY_EEXIST,
                                "actor '%s' is declared twice; give each actor a "
                                "unique name or a numeric suffix",
                                label);
    return STEADY_OK;
}

/* Claims every listed end for `a`; on a conflict nothing stays claimed. */
static steady_err claim_ends(steady_actor *a, const steady_actor_opts *o)
{
    for (size_t i = 0; o->txs && o->txs[i]; i++) {
        steady_channel *ch = o->txs[i]->channel;
        if (ch->graph != a->graph)
            return steady__fail(STEADY_EINVAL,
                                "actor '%s': channel '%s' belongs to another "
                                "graph",
                                a->label, ch->name);
        if (ch->tx_owner)
            return steady__fail(STEADY_EBOUND,
                                "channel '%s': its sending end is given to both "
                                "'%s' and '%s'; each end belongs to exactly one "
                                "actor (use a second channel)",
                                ch->name, ch->tx_owner->label, a->label);
        a->n_txs++;
    }
    for (size_t i = 0; o->rxs && o->rxs[i]; i++) {
        steady_channel *ch = o->rxs[i]->channel;
        if (ch->graph != a->graph)
            return steady__fail(STEADY_EINVAL,
                                "actor '%s': channel '%s' belongs to another "
                                "graph",
                                a->label, ch->name);
        if (ch->rx_owner)
            return steady__fail(STEADY_EBOUND,
                                "channel '%s': its receiving end is given to "
                                "both '%s' and '%s'; each end belongs to exactly "
                                "one actor (use a second channel)",
                                ch->name, ch->rx_owner->label, a->label);
        a->n_rxs++;
    }
    return STEADY_OK;
}

static steady_err copy_ends(steady_actor *a, const steady_actor_opts *o)
{
    a->txs = steady__alloc((a->n_txs + 1) * sizeof *a->txs);
    a->rxs = steady__alloc((a->n_rxs + 1) * sizeof *a->rxs);
    if (!a->txs || !a->rxs)
        return steady__fail(STEADY_ENOMEM, "actor '%s': out of memory", a->label);
    for (size_t i = 0; i < a->n_txs; i++) {
        a->txs[i] = o->txs[i];
        /* A list naming the same end twice is harmless: claim after the conflict check. */
        o->txs[i]->channel->tx_owner = a;
    }
    for (size_t i = 0; i < a->n_rxs; i++) {
        a->rxs[i] = o->rxs[i];
        o->rxs[i]->channel->rx_owner = a;
    }
    return STEADY_OK;
}

static steady_err make_solo_troupe(steady_graph *g, steady_actor *a)
{
    steady_troupe_opts to = {.name = a->label, .pin = a->pin, .core = a->core};
    steady_troupe *t;
    steady_err e = steady_troupe_new(g, &to, &t);
    if (e == STEADY_OK)
        t->solo = true;
    a->troupe = t;
    return e;
}

static steady_actor *actor_alloc(steady_graph *g, const steady_actor_opts *o)
{
    steady_actor *a = steady__alloc_aligned(sizeof *a, STEADY_CACHE_LINE);
    if (!a)
        return NULL;
    a->graph = g;
    a->id = g->n_actors;
    a->name = steady__strdup(o->name);
    a->label = make_label(o);
    a->has_suffix = o->has_suffix;
    a->suffix = o->suffix;
    a->run = o->run;
    a->arg = o->arg;
    a->state_size = o->state_size;
    a->state_init = o->state_init;
    a->state_init_arg = o->state_init_arg;
    a->stack_size = o->stack_size ? o->stack_size : g->default_stack_size;
    a->pin = o->pin;
    a->core = o->core;
    if (o->state_size)
        a->state = steady__alloc_aligned(o->state_size, STEADY_CACHE_LINE);
    if (!a->name || !a->label || (o->state_size && !a->state)) {
        steady__actor_free(a);
        return NULL;
    }
    return a;
}

steady_err steady_actor_spawn(steady_graph *g, const steady_actor_opts *o, steady_actor **out)
{
    steady_err e = check_spawn(g, o);
    if (e != STEADY_OK)
        return e;
    steady_actor *a = actor_alloc(g, o);
    if (!a)
        return steady__fail(STEADY_ENOMEM, "actor '%s': out of memory", o->name);
    if ((e = check_label(g, a->label)) != STEADY_OK || (e = claim_ends(a, o)) != STEADY_OK ||
        (e = copy_ends(a, o)) != STEADY_OK) {
        steady__actor_free(a);
        return e;
    }
    e = o->troupe ? steady__troupe_add(o->troupe, a) : make_solo_troupe(g, a);
    if (e == STEADY_OK && !o->troupe)
        e = steady__troupe_add(a->troupe, a);
    if (e != STEADY_OK) { /* out of memory: the graph is unusable for this actor */
        for (size_t i = 0; i < a->n_txs; i++)
            a->txs[i]->channel->tx_owner = NULL;
        for (size_t i = 0; i < a->n_rxs; i++)
            a->rxs[i]->channel->rx_owner = NULL;
        steady__actor_free(a);
        return e;
    }
    if (o->troupe)
        a->troupe = o->troupe;
    g->n_actors++;
    *g->actors_tail = a;
    g->actors_tail = &a->next;
    if (out)
        *out = a;
    return STEADY_OK;
}

void steady__actor_free(steady_actor *a)
{
    steady__free(a->state);
    steady__free(a->txs);
    steady__free(a->rxs);
    steady__free(a->name);
    steady__free(a->label);
    steady__free(a);
}

/* ---- identity ---- */

const char *steady_actor_name(const steady_actor *a)
{
    return a->name;
}
const char *steady_actor_label(const steady_actor *a)
{
    return a->label;
}
uint32_t steady_actor_id(const steady_actor *a)
{
    return a->id;
}
void *steady_actor_args(const steady_actor *a)
{
    return a->graph->args;
}
steady_graph *steady_actor_graph(const steady_actor *a)
{
    return a->graph;
}
void *steady_actor_state(const steady_actor *a)
{
    return a->state;
}
bool steady_actor_is_member(const steady_actor *a)
{
    return a->troupe && !a->troupe->solo;
}

bool steady_actor_suffix(const steady_actor *a, unsigned *suffix)
{
    if (a->has_suffix && suffix)
        *suffix = a->suffix;
    return a->has_suffix;
}

uint32_t steady_actor_regeneration(const steady_actor *a)
{
    return atomic_load_explicit(&a->regeneration, memory_order_relaxed);
}

uint64_t steady_actor_busy_ns(const steady_actor *a)
{
    return steady__ticks_to_ns(atomic_load_explicit(&a->busy_ticks, memory_order_relaxed));
}

/* ---- the vote ---- */

int steady__running_phase(steady_actor *a)
{
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
    atomic_store_explicit(&a->veto_expr, NULL, memory_order_relaxed);
}

bool steady__cast_vote(steady_actor *a, bool yes)
{
    a->shutdown_seen = true;
    if (!yes)
        return true;
    /* release: main's acquire load of voted_yes then sees the actor's state as it voted. */
    atomic_store_explicit(&a->voted_yes, 1, memory_order_release);
    steady__graph_event(a->graph);
    return false;
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
    steady_graph *g = a->graph;
    if (g->shutdown_barrier > 1) {
        uint32_t first = 0;
        if (atomic_compare_exchange_strong_explicit(&a->asked_shutdown, &first, 1,
                                                    memory_order_relaxed, memory_order_relaxed)) {
            uint32_t n = atomic_fetch_add_explicit(&g->barrier_count, 1, memory_order_acq_rel) + 1;
            STEADY_DEBUG("shutdown barrier: %u of %u actors asked", n, g->shutdown_barrier);
        }
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

static _Thread_local char fail_reason[512];

_Noreturn void steady__actor_fail(steady_actor *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_reason, sizeof fail_reason, fmt, ap);
    va_end(ap);
    longjmp(a->fail_jmp, 1);
}

static void actor_failed(steady_actor *a, const char *why)
{
    a->failed = true;
    STEADY_ERROR("actor '%s' failed (regeneration %u): %s", a->label, steady_actor_regeneration(a),
                 why);
    /* No supervision yet: a failed actor stays down and the graph shuts down cleanly. */
    steady__graph_request(a->graph, a->label);
}

void steady__actor_entry(void *p)
{
    steady_actor *a = p;
    /* volatile: read after longjmp returns to this frame. */
    volatile int rc = 0;
    if (setjmp(a->fail_jmp) == 0) {
        rc = a->run(a, a->arg);
        if (rc != 0) {
            char why[64];
            snprintf(why, sizeof why, "run returned %d", rc);
            actor_failed(a, why);
        }
    } else {
        actor_failed(a, fail_reason);
    }
    close_ends(a);
    a->status = STEADY__DONE;
    atomic_store_explicit(&a->exited, 1, memory_order_release);
    steady__graph_event(a->graph);
    steady__fiber_exit_to(&a->fiber, &a->troupe->home);
}
