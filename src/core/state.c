/* core/state.c — state blocks: initialised or loaded at start, saved when durable.
 *
 * A state block belongs to the graph and outlives every generation of its actor. A durable one
 * (steady_actor_opts.state_path) is loaded at start when its file is valid, and saved
 * atomically (durable.c) at the end of every generation and on steady_actor_persist.
 */
#include "core/internal.h"

#include <stdio.h>

static void init_one(steady_actor *a)
{
    if (a->state_path) {
        steady__durable_sweep(a->state_path, 0);
        char why[256];
        switch (steady__durable_load(a->state_path, a->state, a->state_size, why, sizeof why)) {
        case STEADY__STATE_LOADED:
            STEADY_INFO("actor '%s': state loaded from '%s'", a->label, a->state_path);
            return;
        case STEADY__STATE_MISSING:
            STEADY_INFO("actor '%s': no saved state at '%s' (%s); initialising it", a->label,
                        a->state_path, why);
            break;
        case STEADY__STATE_INVALID:
            STEADY_WARN("actor '%s': saved state '%s' is not usable (%s); initialising it",
                        a->label, a->state_path, why);
            break;
        }
    }
    if (a->state_init)
        a->state_init(a->state, a->state_init_arg);
}

void steady__states_init(steady_graph *g)
{
    for (steady_actor *a = g->actors; a; a = a->next)
        if (a->state)
            init_one(a);
}

void steady__state_save(steady_actor *a)
{
    if (a->state_path && steady__durable_store(a->state_path, a->state, a->state_size) != 0)
        STEADY_ERROR("actor '%s': could not save its state: %s", a->label, steady_last_error());
}

steady_err steady_actor_persist(steady_actor *a)
{
    if (!a)
        return steady__fail(STEADY_EINVAL, "steady_actor_persist: actor is NULL");
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    int st = atomic_load_explicit(&a->graph->state, memory_order_acquire);
    bool live = st == STEADY_GRAPH_RUNNING || st == STEADY_GRAPH_STOP_REQUESTED;
    /* acquire: pairs with the release in steady__actor_mark_exited (run.c). */
    if (live && steady__self != a && !atomic_load_explicit(&a->exited, memory_order_acquire))
        return steady__fail(STEADY_ENOTOWNER,
                            "steady_actor_persist('%s'): while it runs, only the actor itself "
                            "saves its state (main may after the graph stopped)",
                            a->label);
    if (!a->state_path)
        return steady__fail(STEADY_EINVAL,
                            "actor '%s' has no durable state; give steady_actor_opts.state_path "
                            "(and a state_size)",
                            a->label);
    return steady__durable_store(a->state_path, a->state, a->state_size);
}
