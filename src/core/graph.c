/* core/graph.c — building and starting a graph.
 *
 * steady_graph_start validates everything a user can get wrong while building (an end never
 * given to an actor, an empty troupe is fine), wires each channel end to its peer's doorbell,
 * loads or initialises the state blocks on main, and starts one thread per troupe (a solo actor is
 * a troupe of one). Actors never run before start.
 *
 * Stopping lives in stop.c; signal handling in signal.c.
 */
#include "core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/futex.h"
#include "platform/thread.h"

uint64_t steady_clock_monotonic_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static steady_err check_opts(const steady_graph_opts *o)
{
    steady_err e;
    if (o->name && !o->name[0])
        return steady__fail(STEADY_EINVAL, "steady_graph_new: opts.name is empty; give a name, "
                                           "or NULL for the default ('steady')");
    if (o->policy && (e = steady__policy_check(o->policy, "graph policy")) != STEADY_OK)
        return e;
    if (o->clock && !o->clock->now_ns)
        return steady__fail(STEADY_EINVAL, "steady_graph_new: opts.clock has no now_ns; give a "
                                           "clock function, or leave opts.clock NULL for "
                                           "CLOCK_MONOTONIC");
    if (o->hooks && o->hooks->sched && !o->hooks->sched->next && !o->hooks->sched->pick)
        return steady__fail(STEADY_EINVAL, "steady_graph_new: opts.hooks->sched has neither a "
                                           "next nor a pick function; give one, or leave sched "
                                           "NULL for round-robin");
    return steady__check_stack(o->default_stack_size, "steady_graph_new: default_stack_size");
}

steady_err steady_graph_new(steady_graph **out, const steady_graph_opts *opts)
{
    if (!out)
        return steady__fail(STEADY_EINVAL, "steady_graph_new: out must not be NULL");
    steady_graph_opts o = opts ? *opts : (steady_graph_opts){0};
    steady_err e;
    if ((e = check_opts(&o)) != STEADY_OK)
        return e;
    struct steady__shm *m = steady__shm_new();
    steady_graph *g = m ? steady__shm_alloc(m, sizeof *g, STEADY_CACHE_LINE) : NULL;
    if (!g || !(g->name = steady__strdup(o.name ? o.name : "steady"))) {
        steady__shm_free(m);
        return steady__fail(STEADY_ENOMEM, "steady_graph_new: out of memory");
    }
    g->shm = m;
    g->args = o.args;
    g->shutdown_barrier = o.shutdown_barrier;
    g->no_signal_handlers = o.no_signal_handlers;
    g->default_stack_size = o.default_stack_size ? o.default_stack_size : STEADY__DEFAULT_STACK;
    g->clock =
        o.clock && o.clock->now_ns ? *o.clock : (steady_clock){steady_clock_monotonic_ns, NULL};
    g->policy = o.policy ? *o.policy : STEADY_POLICY_DEFAULT;
    const char *ff = getenv("STEADY_FAIL_FAST");
    g->fail_fast = o.fail_fast || (ff && strcmp(ff, "1") == 0);
    if (o.hooks) {
        g->hooks = *o.hooks;
        if (o.hooks->sched) {
            g->hooks_sched = *o.hooks->sched;
            g->hooks.sched = &g->hooks_sched;
        }
    }
    g->channels_tail = &g->channels;
    g->actors_tail = &g->actors;
    g->troupes_tail = &g->troupes;
    atomic_init(&g->state, STEADY_GRAPH_BUILDING);
    steady__graph_born();
    *out = g;
    return STEADY_OK;
}

/* Queries of any thread: a NULL graph reads as NULL / 0 / STOPPED_UNCLEANLY (it runs nothing,
 * and nothing about it is clean) with a STEADY_EINVAL detail. */
static bool graph_ok(const steady_graph *g, const char *fn)
{
    if (!g)
        steady__fail(STEADY_EINVAL, "%s: the graph is NULL", fn);
    return g != NULL;
}

const steady_graph_hooks *steady_graph_hooks_of(const steady_graph *g)
{
    return graph_ok(g, "steady_graph_hooks_of") ? &g->hooks : NULL;
}

void *steady_graph_args(const steady_graph *g)
{
    return graph_ok(g, "steady_graph_args") ? g->args : NULL;
}

steady_graph_state steady_graph_get_state(const steady_graph *g)
{
    if (!graph_ok(g, "steady_graph_get_state"))
        return STEADY_GRAPH_STOPPED_UNCLEANLY;
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    return (steady_graph_state)atomic_load_explicit(&g->state, memory_order_acquire);
}

const char *steady_graph_state_name(steady_graph_state s)
{
    switch (s) {
    case STEADY_GRAPH_BUILDING: return "Building";
    case STEADY_GRAPH_RUNNING: return "Running";
    case STEADY_GRAPH_STOP_REQUESTED: return "StopRequested";
    case STEADY_GRAPH_STOPPED: return "Stopped";
    case STEADY_GRAPH_STOPPED_UNCLEANLY: return "StoppedUncleanly";
    }
    return "?";
}

uint64_t steady_graph_futex_wakes(const steady_graph *g)
{
    return graph_ok(g, "steady_graph_futex_wakes")
               ? atomic_load_explicit(&g->futex_wakes, memory_order_relaxed)
               : 0;
}

/* ---- start ---- */

static steady_err validate(steady_graph *g)
{
    for (steady_channel *ch = g->channels; ch; ch = ch->next) {
        int side = steady__ipc_side(ch); /* an ipc channel's other end is another process's */
        if (!ch->tx_owner && side != 1)
            return steady__fail(STEADY_EUNBOUND,
                                "channel '%s': its sending end was never given "
                                "to an actor; list it in .txs of the actor "
                                "that sends on it",
                                ch->name);
        if (!ch->rx_owner && side != 0)
            return steady__fail(STEADY_EUNBOUND,
                                "channel '%s': its receiving end was never "
                                "given to an actor; list it in .rxs of the "
                                "actor that takes from it",
                                ch->name);
    }
    if (!g->actors)
        return steady__fail(STEADY_EINVAL,
                            "graph '%s' has no actors; spawn at least one "
                            "before steady_graph_start()",
                            g->name);
    if (g->shutdown_barrier > g->n_actors)
        return steady__fail(STEADY_EINVAL,
                            "graph '%s': shutdown_barrier %u can never be reached "
                            "by its %u actor%s; use at most %u",
                            g->name, g->shutdown_barrier, g->n_actors, steady__plural(g->n_actors),
                            g->n_actors);
    return steady__showstoppers_validate(g);
}

static void stop_started(steady_graph *g, const char *why)
{
    steady__graph_request(g, "start failure");
    /* release: pairs with the acquire loads of state in the actors' waits and votes: they leave at
     * once. */
    atomic_store_explicit(&g->state, STEADY_GRAPH_STOPPED_UNCLEANLY, memory_order_release);
    steady__graph_ring_all(g);
    for (steady_troupe *t = g->troupes; t; t = t->next)
        if (t->thread_started) {
            pthread_join(t->thread, NULL);
            t->thread_started = false;
        }
    steady__iso_stop(g, steady__mono_ns() + 2000000000u);
    steady__stop_after_failed_start(g, why);
}

steady_err steady_graph_start(steady_graph *g)
{
    if (!g)
        return steady__fail(STEADY_EINVAL, "steady_graph_start: graph is NULL");
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    int s = atomic_load_explicit(&g->state, memory_order_acquire);
    if (s != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "graph '%s' was already started (it is %s); start a "
                            "graph once",
                            g->name, steady_graph_state_name((steady_graph_state)s));
    steady_err e = validate(g);
    if (e != STEADY_OK)
        return e;
    /* From here a SIGINT is remembered and honoured once RUNNING (signal.c): the state
     * initialisers (a durable load) and the zygote's fork take time. */
    if (!g->no_signal_handlers)
        steady__signals_install(g);
    for (steady_channel *ch = g->channels; ch; ch = ch->next)
        steady__channel_wire(ch);
    if ((e = steady__ipc_wire(g)) != STEADY_OK) {
        if (g->signals_installed)
            steady__signals_restore(g);
        return e;
    }
    steady__states_init(g);
    steady__membarrier_init();
    /* Before any troupe thread exists: the zygote must be forked from a graph at rest. */
    if ((e = steady__iso_start(g)) != STEADY_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", steady_last_error());
        steady__iso_free(g);
        if (g->signals_installed)
            steady__signals_restore(g);
        return steady__fail(e, "%s", why);
    }
    /* Every stack before any thread: an actor that cannot get one fails the start. */
    for (steady_troupe *t = g->troupes; t; t = t->next) {
        if ((e = steady__troupe_map_stacks(t)) != STEADY_OK) {
            char why[1024];
            snprintf(why, sizeof why, "%s", steady_last_error());
            for (steady_troupe *u = g->troupes; u; u = u->next)
                steady__troupe_unmap_stacks(u);
            steady__iso_free(g);
            if (g->signals_installed)
                steady__signals_restore(g);
            return steady__fail(e, "%s", why);
        }
    }
    /* seq_cst: pairs with the signal handler's seq_cst compare-exchange of state (notify.c),
     * the store half of their Dekker pair (signal.c); it also releases everything above to the
     * actor threads' acquire loads of state. */
    atomic_store_explicit(&g->state, STEADY_GRAPH_RUNNING, memory_order_seq_cst);
    steady__signals_started(g);
    for (steady_troupe *t = g->troupes; t; t = t->next) {
        /* An ISOLATED troupe is a child process, not a thread (isolate.c). */
        e = t->isolated && t->n_members ? steady__iso_spawn_first(t) : steady__troupe_start(t);
        if (e != STEADY_OK) {
            char why[512];
            snprintf(why, sizeof why, "%s", steady_last_error());
            stop_started(g, why);
            return steady__fail(e, "%s", why);
        }
    }
    STEADY_DEBUG("graph '%s' running: %u actors on %u threads, %u channels", g->name, g->n_actors,
                 g->n_troupes, g->n_channels);
    return STEADY_OK;
}

void steady_graph_poke(steady_graph *g)
{
    if (graph_ok(g, "steady_graph_poke"))
        steady__graph_ring_all(g);
}

void steady_graph_request_shutdown(steady_graph *g)
{
    if (!graph_ok(g, "steady_graph_request_shutdown"))
        return;
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    if (atomic_load_explicit(&g->state, memory_order_acquire) == STEADY_GRAPH_BUILDING) {
        STEADY_WARN("graph '%s': shutdown requested before start; ignored", g->name);
        return;
    }
    steady__graph_request(g, "main");
}

/* ---- free ---- */

void steady_graph_free(steady_graph *g)
{
    if (!g)
        return;
    if (steady__not_from_own_actor(g, "steady_graph_free") != STEADY_OK)
        return;
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    int s = atomic_load_explicit(&g->state, memory_order_acquire);
    if (s != STEADY_GRAPH_BUILDING && s != STEADY_GRAPH_STOPPED &&
        s != STEADY_GRAPH_STOPPED_UNCLEANLY) {
        STEADY_WARN("graph '%s' freed while %s; stopping it first", g->name,
                    steady_graph_state_name((steady_graph_state)s));
        steady__graph_request(g, "free");
        steady_graph_block_until_stopped(g, 1000);
    }
    if (g->signals_installed)
        steady__signals_restore(g);
    for (steady_troupe *t = g->troupes; t; t = t->next) {
        /* acquire: pairs with the release store of finished when the troupe leaves (troupe.c,
         * isolate.c). */
        if (t->thread_started && !atomic_load_explicit(&t->finished, memory_order_acquire)) {
            /* A thread that never left still uses the graph: keep its memory alive. */
            STEADY_ERROR("graph '%s' not freed: thread '%s' is still running", g->name, t->name);
            return;
        }
        if (t->thread_started)
            pthread_join(t->thread, NULL);
    }
    steady__iso_free(g); /* the warden uses the records below: it goes first */
    for (steady_troupe *t = g->troupes, *n; t; t = n) {
        n = t->next;
        steady__troupe_free(t);
    }
    for (steady_actor *a = g->actors, *n; a; a = n) {
        n = a->next;
        steady__actor_free(a);
    }
    for (steady_channel *ch = g->channels, *n; ch; ch = n) {
        n = ch->next;
        steady__ipc_free(ch);
        steady__channel_free(ch);
    }
    steady__free(g->channel_by_id);
    steady__bundles_free(g);
    steady__names_free(g->labels);
    steady__free(g->report);
    steady__free(g->name);
    steady__shm_free(g->shm); /* the graph record goes with it */
    steady__graph_died();
}
