/* core/actor.c — declaring actors (spawn) and their identity.
 *
 * Spawn checks the options, makes the actor's record in the graph's shared memory, claims the
 * channel ends it lists and places it (a troupe of its own, or a given one). How an actor runs
 * is run.c; who is running and failing it, context.c.
 *
 * Bundle ends given at spawn are flattened: their lane ends join the actor's txs / rxs, so
 * claiming, closing at exit and every later use treat a lane exactly like a listed end.
 */
#include "core/internal.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- spawn ---- */

static steady_err check_spawn(steady_graph *g, const steady_actor_opts *o)
{
    if (!g || !o)
        return steady__fail(STEADY_EINVAL, "steady_actor_spawn: graph and opts must not be NULL");
    const char *nm = o->name ? o->name : "(unnamed)";
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
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
    if (o->state_path && o->state_size == 0)
        return steady__fail(STEADY_EINVAL,
                            "actor '%s': a state_path without a state_size; give the size of "
                            "the state block to make durable",
                            nm);
    char who[300];
    snprintf(who, sizeof who, "actor '%s'", nm);
    steady_err e;
    if (o->policy && (e = steady__policy_check(o->policy, who)) != STEADY_OK)
        return e;
    if (o->troupe && o->isolated)
        return steady__fail(STEADY_EINVAL,
                            "actor '%s': isolated applies to a SOLO actor; to isolate a troupe, "
                            "set isolated in its steady_troupe_opts",
                            nm);
    if (o->troupe && o->pin)
        return steady__fail(STEADY_EINVAL,
                            "actor '%s': pin applies to a SOLO actor's own "
                            "thread; pin its troupe instead (steady_troupe_opts)",
                            nm);
    if ((e = steady__check_stack(o->stack_size, who)) != STEADY_OK)
        return e;
    return steady__check_core(o->pin, o->core, who);
}

/* The label, whole however long the name ("name-<suffix>" with a suffix). */
static char *make_label(const steady_actor_opts *o)
{
    if (!o->has_suffix)
        return steady__strdup(o->name);
    size_t len = strlen(o->name) + 12; /* '-', up to 10 digits, NUL */
    char *label = steady__alloc(len);
    if (label)
        snprintf(label, len, "%s-%u", o->name, o->suffix);
    return label;
}

static steady_err check_label(steady_graph *g, const char *label)
{
    if (steady__names_has(g->labels, label))
        return steady__fail(STEADY_EEXIST,
                            "actor '%.200s' is declared twice; give each actor a "
                            "unique name or a numeric suffix",
                            label);
    if (!steady__names_reserve(&g->labels))
        return steady__fail(STEADY_ENOMEM, "actor '%.200s': out of memory", label);
    return STEADY_OK;
}

/* An end listed where the other kind belongs (C only warns about the pointer type): `list`
 * names the field and index, e.g. ".txs[0]" or "lane 2 of .tx_bundles[0]". */
static steady_err wrong_kind(const steady_actor *a, const void *end, const char *list, size_t i,
                             bool want_rx)
{
    return steady__fail(STEADY_EINVAL,
                        "actor '%s': %s[%zu] is the %s end of channel '%s'; list it in .%s",
                        a->label, list, i, want_rx ? "sending" : "receiving",
                        steady__end_channel(end)->name, want_rx ? "txs" : "rxs");
}

static steady_err check_tx_end(const steady_actor *a, const steady_tx *tx)
{
    const steady_channel *ch = tx->channel;
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
    return STEADY_OK;
}

static steady_err check_rx_end(const steady_actor *a, const steady_rx *rx)
{
    const steady_channel *ch = rx->channel;
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
    return STEADY_OK;
}

/* A bundle end listed where the other kind belongs. */
static steady_err wrong_bundle(const steady_actor *a, const char *name, const char *list, size_t i,
                               bool want_rx)
{
    return steady__fail(
        STEADY_EINVAL, "actor '%s': %s[%zu] is the %s end of bundle '%s'; list it in .%s", a->label,
        list, i, want_rx ? "sending" : "receiving", name, want_rx ? "tx_bundles" : "rx_bundles");
}

/* The checks of a bundle end as a whole; its lanes are then checked like listed ends. */
static steady_err check_bundle(const steady_actor *a, const steady_graph *g, const char *name,
                               const steady_actor *owner, bool has_lanes, const char *end)
{
    if (g != a->graph)
        return steady__fail(STEADY_EINVAL, "actor '%s': bundle '%s' belongs to another graph",
                            a->label, name);
    if (owner)
        return steady__fail(STEADY_EBOUND,
                            "bundle '%s': its %s end is given to both '%s' and '%s'; a bundle "
                            "end belongs to exactly one actor (split lanes out to give them "
                            "to others)",
                            name, end, owner->label, a->label);
    if (!has_lanes)
        return steady__fail(STEADY_EINVAL,
                            "actor '%s': bundle '%s' (%s end) has no lanes left, every one "
                            "was split out; give the lanes' ends instead",
                            a->label, name, end);
    return STEADY_OK;
}

/* Checks every listed end and every lane of the listed bundle ends, and counts them; claims
 * nothing, so on a conflict nothing stays claimed. */
static steady_err check_tx_ends(steady_actor *a, const steady_actor_opts *o)
{
    steady_err e;
    for (size_t i = 0; o->txs && o->txs[i]; i++, a->n_txs++)
        if ((e = steady__end_is_rx(o->txs[i]) ? wrong_kind(a, o->txs[i], ".txs", i, false)
                                              : check_tx_end(a, o->txs[i])) != STEADY_OK)
            return e;
    for (size_t i = 0; o->tx_bundles && o->tx_bundles[i]; i++, a->n_tx_bundles++) {
        const steady_tx_bundle *b = o->tx_bundles[i];
        bool has_lanes = false, rx_lanes = false;
        for (uint32_t k = 0; k < b->lanes; k++) {
            has_lanes |= b->lane[k] != NULL;
            rx_lanes |= b->lane[k] && steady__end_is_rx(b->lane[k]);
        }
        if (rx_lanes)
            return wrong_bundle(a, b->name, ".tx_bundles", i, false);
        if ((e = check_bundle(a, b->graph, b->name, b->owner, has_lanes, "sending")) != STEADY_OK)
            return e;
        for (uint32_t k = 0; k < b->lanes; k++) {
            if (!b->lane[k])
                continue; /* split out */
            if ((e = check_tx_end(a, b->lane[k])) != STEADY_OK)
                return e;
            a->n_txs++;
        }
    }
    return STEADY_OK;
}

static steady_err check_rx_ends(steady_actor *a, const steady_actor_opts *o)
{
    steady_err e;
    for (size_t i = 0; o->rxs && o->rxs[i]; i++, a->n_rxs++)
        if ((e = !steady__end_is_rx(o->rxs[i]) ? wrong_kind(a, o->rxs[i], ".rxs", i, true)
                                               : check_rx_end(a, o->rxs[i])) != STEADY_OK)
            return e;
    for (size_t i = 0; o->rx_bundles && o->rx_bundles[i]; i++, a->n_rx_bundles++) {
        const steady_rx_bundle *b = o->rx_bundles[i];
        bool has_lanes = false, tx_lanes = false;
        for (uint32_t k = 0; k < b->lanes; k++) {
            has_lanes |= b->lane[k] != NULL;
            tx_lanes |= b->lane[k] && !steady__end_is_rx(b->lane[k]);
        }
        if (tx_lanes)
            return wrong_bundle(a, b->name, ".rx_bundles", i, true);
        if ((e = check_bundle(a, b->graph, b->name, b->owner, has_lanes, "receiving")) != STEADY_OK)
            return e;
        for (uint32_t k = 0; k < b->lanes; k++) {
            if (!b->lane[k])
                continue; /* split out */
            if ((e = check_rx_end(a, b->lane[k])) != STEADY_OK)
                return e;
            a->n_rxs++;
        }
    }
    return STEADY_OK;
}

/* Copies the listed ends, then the bundle ends' lanes, into the actor's own arrays, and claims
 * them all. A list naming the same end twice is harmless: claim after the conflict check. */
static steady_err copy_ends(steady_actor *a, const steady_actor_opts *o)
{
    a->txs = steady__alloc((a->n_txs + 1) * sizeof *a->txs);
    a->rxs = steady__alloc((a->n_rxs + 1) * sizeof *a->rxs);
    a->tx_bundles = steady__alloc((a->n_tx_bundles + 1) * sizeof *a->tx_bundles);
    a->rx_bundles = steady__alloc((a->n_rx_bundles + 1) * sizeof *a->rx_bundles);
    if (!a->txs || !a->rxs || !a->tx_bundles || !a->rx_bundles)
        return steady__fail(STEADY_ENOMEM, "actor '%s': out of memory", a->label);
    size_t n = 0;
    for (size_t i = 0; o->txs && o->txs[i]; i++)
        a->txs[n++] = o->txs[i];
    for (size_t i = 0; i < a->n_tx_bundles; i++) {
        steady_tx_bundle *b = a->tx_bundles[i] = o->tx_bundles[i];
        for (uint32_t k = 0; k < b->lanes; k++)
            if (b->lane[k])
                a->txs[n++] = b->lane[k];
    }
    n = 0;
    for (size_t i = 0; o->rxs && o->rxs[i]; i++)
        a->rxs[n++] = o->rxs[i];
    for (size_t i = 0; i < a->n_rx_bundles; i++) {
        steady_rx_bundle *b = a->rx_bundles[i] = o->rx_bundles[i];
        for (uint32_t k = 0; k < b->lanes; k++)
            if (b->lane[k])
                a->rxs[n++] = b->lane[k];
    }
    for (size_t i = 0; i < a->n_txs; i++)
        a->txs[i]->channel->tx_owner = a;
    for (size_t i = 0; i < a->n_rxs; i++)
        a->rxs[i]->channel->rx_owner = a;
    for (size_t i = 0; i < a->n_tx_bundles; i++)
        a->tx_bundles[i]->owner = a;
    for (size_t i = 0; i < a->n_rx_bundles; i++)
        a->rx_bundles[i]->owner = a;
    return STEADY_OK;
}

/* Undoes copy_ends' claims (spawn failed after them). */
static void unclaim_ends(steady_actor *a)
{
    for (size_t i = 0; i < a->n_txs; i++)
        a->txs[i]->channel->tx_owner = NULL;
    for (size_t i = 0; i < a->n_rxs; i++)
        a->rxs[i]->channel->rx_owner = NULL;
    for (size_t i = 0; i < a->n_tx_bundles; i++)
        a->tx_bundles[i]->owner = NULL;
    for (size_t i = 0; i < a->n_rx_bundles; i++)
        a->rx_bundles[i]->owner = NULL;
}

static steady_err make_solo_troupe(steady_graph *g, steady_actor *a)
{
    steady_troupe_opts to = {
        .name = a->label, .pin = a->pin, .core = a->core, .isolated = a->isolated};
    steady_troupe *t = NULL;
    steady_err e = steady__troupe_make(g, &to, true, &t);
    a->troupe = t;
    return e;
}

static steady_actor *actor_alloc(steady_graph *g, const steady_actor_opts *o)
{
    steady_actor *a = steady__shm_alloc(g->shm, sizeof *a, STEADY_CACHE_LINE);
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
    a->isolated = o->isolated;
    if (o->state_size)
        a->state = steady__shm_alloc(g->shm, o->state_size, STEADY_CACHE_LINE);
    if (o->state_path)
        a->state_path = steady__strdup(o->state_path);
    if (!a->name || !a->label || (o->state_size && !a->state) ||
        (o->state_path && !a->state_path) ||
        steady__supervision_init(a, o->policy ? o->policy : &g->policy) != STEADY_OK) {
        steady__actor_free(a);
        return NULL;
    }
    return a;
}

/* hooks.one_thread: the one troupe every actor joins, made at the first spawn. */
static steady_err one_troupe(steady_graph *g, steady_troupe **out)
{
    steady_err e = STEADY_OK;
    if (!g->one_troupe) {
        steady_troupe_opts to = {.name = "test-thread", .sched = g->hooks.sched};
        e = steady__troupe_make(g, &to, false, &g->one_troupe);
    }
    *out = g->one_troupe;
    return e;
}

/* The graph's hooks (steady/hooks.h) applied to a copy of the caller's options: the spawn
 * hook's changes, then one_thread's placement. */
static steady_err apply_hooks(steady_graph *g, steady_actor_opts *mine)
{
    steady_err e;
    if (g->hooks.spawn && (e = g->hooks.spawn(g->hooks.spawn_ctx, mine)) != STEADY_OK) {
        char why[200]; /* the hook's detail, copied: the new detail is written over it */
        snprintf(why, sizeof why, "%s", steady_last_error());
        return steady__fail(e,
                            "steady_actor_spawn: actor '%s': the graph's spawn hook refused "
                            "it: %s",
                            mine->name ? mine->name : "(NULL)", why);
    }
    if (g->hooks.one_thread) {
        mine->isolated = mine->pin = false;
        mine->core = 0;
        if ((e = one_troupe(g, &mine->troupe)) != STEADY_OK)
            return e;
    }
    return STEADY_OK;
}

steady_err steady_actor_spawn(steady_graph *g, const steady_actor_opts *o, steady_actor **out)
{
    steady_actor_opts mine;
    /* relaxed: only main spawns, and main moves the state out of BUILDING itself. */
    if (g && o && atomic_load_explicit(&g->state, memory_order_relaxed) == STEADY_GRAPH_BUILDING &&
        (g->hooks.spawn || g->hooks.one_thread)) {
        mine = *o;
        steady_err e = apply_hooks(g, &mine);
        if (e != STEADY_OK)
            return e;
        o = &mine;
    }
    steady_err e = check_spawn(g, o);
    if (e != STEADY_OK)
        return e;
    steady_actor *a = actor_alloc(g, o);
    if (!a)
        return steady__fail(STEADY_ENOMEM,
                            "actor '%s': out of memory for its record, names, restart history "
                            "or state block (state_size %zu)",
                            o->name, o->state_size);
    if ((e = check_label(g, a->label)) != STEADY_OK || (e = check_tx_ends(a, o)) != STEADY_OK ||
        (e = check_rx_ends(a, o)) != STEADY_OK || (e = copy_ends(a, o)) != STEADY_OK) {
        steady__actor_free(a);
        return e;
    }
    e = o->troupe ? steady__troupe_add(o->troupe, a) : make_solo_troupe(g, a);
    if (e == STEADY_OK && !o->troupe)
        e = steady__troupe_add(a->troupe, a);
    if (e != STEADY_OK) { /* out of memory: the graph is unusable for this actor */
        unclaim_ends(a);
        steady__actor_free(a);
        return e;
    }
    if (o->troupe)
        a->troupe = o->troupe;
    steady__names_add(g->labels, a->label); /* room was reserved by check_label */
    g->n_actors++;
    *g->actors_tail = a;
    g->actors_tail = &a->next;
    if (out)
        *out = a;
    return STEADY_OK;
}

void steady__actor_free(steady_actor *a)
{
    /* The record, the state block and the restart history go with the graph's shared
     * memory; only the private parts are freed here. */
    steady__free(a->state_path);
    steady__free(a->txs);
    steady__free(a->rxs);
    steady__free(a->tx_bundles);
    steady__free(a->rx_bundles);
    steady__free(a->name);
    steady__free(a->label);
    a->name = a->label = a->state_path = NULL;
}

/* ---- identity ---- */

/* Queries of any thread: a NULL actor reads as "" / 0 / NULL / false (id: UINT32_MAX, never an
 * actor's) with a STEADY_EINVAL detail; they never fail an actor. */
static bool known(const steady_actor *a, const char *fn)
{
    if (!a)
        steady__fail(STEADY_EINVAL, "%s: the actor is NULL", fn);
    return a != NULL;
}

uint32_t steady_actor_id(const steady_actor *a)
{
    return known(a, "steady_actor_id") ? a->id : UINT32_MAX;
}
void *steady_actor_args(const steady_actor *a)
{
    return known(a, "steady_actor_args") ? a->graph->args : NULL;
}
steady_graph *steady_actor_graph(const steady_actor *a)
{
    return known(a, "steady_actor_graph") ? a->graph : NULL;
}
void *steady_actor_state(const steady_actor *a)
{
    return known(a, "steady_actor_state") ? a->state : NULL;
}
bool steady_actor_is_member(const steady_actor *a)
{
    return known(a, "steady_actor_is_member") && a->troupe && !a->troupe->solo;
}

bool steady_actor_suffix(const steady_actor *a, unsigned *suffix)
{
    if (!known(a, "steady_actor_suffix"))
        return false;
    if (a->has_suffix && suffix)
        *suffix = a->suffix;
    return a->has_suffix;
}

uint64_t steady_actor_busy_ns(const steady_actor *a)
{
    if (!known(a, "steady_actor_busy_ns"))
        return 0;
    return steady__ticks_to_ns(atomic_load_explicit(&a->busy_ticks, memory_order_relaxed));
}

/* A channel end keeps its gate bits below its owner's address (steady__tx_open): actors must
 * be at least 64-byte aligned, which alignas in the struct and the allocation guarantee. */
_Static_assert(alignof(steady_actor) >= STEADY__GATE_MASK + 1, "actor alignment holds gate bits");
