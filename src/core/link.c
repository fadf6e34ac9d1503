/* core/link.c — steady/link.h: an actor's link to the outside, described before start and
 * kept current from any thread. The text is written only while the graph is BUILDING, so
 * readers after start (inspect.c) read it without a lock; the state is one relaxed atomic. */
#include "core/internal.h"

#include <string.h>

steady_err steady_link_describe(steady_actor *a, const char *kind, const char *endpoint)
{
    if (!a || !kind || !endpoint || !kind[0] || !endpoint[0])
        return steady__fail(STEADY_EINVAL,
                            "steady_link_describe: the actor, a kind and an endpoint are needed "
                            "(none NULL or empty)");
    if (strlen(kind) >= STEADY_LINK_KIND_MAX || strlen(endpoint) >= STEADY_LINK_ENDPOINT_MAX)
        return steady__fail(STEADY_EINVAL,
                            "steady_link_describe: actor '%s': the kind (at most %d bytes) or "
                            "the endpoint (at most %d) is too long",
                            a->label, STEADY_LINK_KIND_MAX - 1, STEADY_LINK_ENDPOINT_MAX - 1);
    /* acquire: pairs with the release stores of state (graph.c start) */
    if (atomic_load_explicit(&a->graph->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "steady_link_describe: actor '%s': a link is described before "
                            "steady_graph_start(); its state changes later "
                            "(steady_link_set_state)",
                            a->label);
    memcpy(a->link_kind, kind, strlen(kind) + 1);
    memcpy(a->link_endpoint, endpoint, strlen(endpoint) + 1);
    atomic_store_explicit(&a->link_state, STEADY_LINK_DOWN, memory_order_relaxed);
    return STEADY_OK;
}

void steady_link_set_state(steady_actor *a, steady_link_state s)
{
    if (!a || (s != STEADY_LINK_UP && s != STEADY_LINK_DOWN)) {
        steady__fail(STEADY_EINVAL, "steady_link_set_state: %s",
                     !a ? "the actor is NULL" : "the state is STEADY_LINK_UP or STEADY_LINK_DOWN");
        return;
    }
    if (!a->link_kind[0]) {
        steady__fail(STEADY_EINVAL,
                     "steady_link_set_state: actor '%s' has no link; describe it first "
                     "(steady_link_describe)",
                     a->label);
        return;
    }
    uint32_t was = atomic_exchange_explicit(&a->link_state, s, memory_order_relaxed);
    if (was == STEADY_LINK_UP && s == STEADY_LINK_DOWN)
        atomic_fetch_add_explicit(&a->link_downs, 1, memory_order_relaxed);
}

steady_link_state steady_link_state_get(const steady_actor *a)
{
    if (!a)
        return STEADY_LINK_NONE;
    steady_actor *m = (steady_actor *)a; /* a relaxed load only */
    return (steady_link_state)atomic_load_explicit(&m->link_state, memory_order_relaxed);
}

const char *steady_link_state_name(steady_link_state s)
{
    switch (s) {
    case STEADY_LINK_NONE: return "none";
    case STEADY_LINK_DOWN: return "down";
    case STEADY_LINK_UP: return "up";
    }
    return "?";
}
