/* testing/graph.c — test graphs: an ordinary graph with the hooks of steady/hooks.h, and the
 * objects the kit made for it, freed with it. */
#include <pthread.h>
#include <stdlib.h>

#include "steady/hooks.h"
#include "steady/inspect.h"
#include "testing/kit.h"

typedef struct owned {
    steady_graph *g;
    void *p;
    void (*free_fn)(void *);
    struct owned *next;
} owned;

/* Every graph's objects, one list: tests make few graphs, and the kit may be used by several
 * test threads at once, each with its own graphs. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static owned *all;

bool kit_own(steady_graph *g, void *p, void (*free_fn)(void *))
{
    owned *o = malloc(sizeof *o);
    if (!o)
        return false;
    *o = (owned){g, p, free_fn, NULL};
    pthread_mutex_lock(&lock);
    o->next = all;
    all = o;
    pthread_mutex_unlock(&lock);
    return true;
}

void *kit_find(steady_graph *g, void (*free_fn)(void *))
{
    void *p = NULL;
    pthread_mutex_lock(&lock);
    for (owned *o = all; o && !p; o = o->next)
        if (o->g == g && o->free_fn == free_fn)
            p = o->p;
    pthread_mutex_unlock(&lock);
    return p;
}

steady_err steady_test_graph_new(steady_graph **out, const steady_test_opts *opts)
{
    steady_test_opts o = opts ? *opts : (steady_test_opts){0};
    o.seed = kit_seed_wanted(o.seed);
    kit_stage *stage = NULL;
    kit_clock *vclock = NULL;
    kit_seed *seeded = NULL;
    steady_clock clock;
    steady_sched sched;
    if (o.seed) { /* deterministic: one thread, virtual time, the seed's order */
        o.one_thread = o.virtual_time = true;
        o.sched = &sched;
    }
    if ((o.stand_ins && !(stage = kit_stage_new(o.stand_ins))) ||
        (o.virtual_time && !(vclock = kit_clock_new(&clock))) ||
        (o.seed && !(seeded = kit_seed_new(o.seed, &sched)))) {
        if (stage)
            kit_stage_free(stage);
        if (vclock)
            kit_clock_free(vclock);
        return steady_error_set(STEADY_ENOMEM, "steady_test_graph_new: out of memory");
    }
    steady_graph_hooks hooks = {.spawn = stage ? kit_stage_hook : NULL,
                                .spawn_ctx = stage,
                                .one_thread = o.one_thread,
                                .sched = o.sched,
                                .failures_stop = !o.restarts,
                                .test_graph = true,
                                .refuse_fd_waits = o.seed != 0};
    steady_err e = steady_graph_new(out, &(steady_graph_opts){.name = o.name ? o.name : "test",
                                                              .args = o.args,
                                                              .no_signal_handlers = true,
                                                              .clock = vclock ? &clock : NULL,
                                                              .hooks = &hooks});
    if (e == STEADY_OK) {
        bool owned_all = true;
        if (stage && !kit_stage_own(*out, stage)) {
            kit_stage_free(stage);
            owned_all = false;
        }
        if (vclock && !kit_clock_own(*out, vclock)) {
            kit_clock_free(vclock);
            owned_all = false;
        }
        if (seeded && !kit_seed_own(*out, seeded)) {
            kit_seed_free(seeded);
            owned_all = false;
        }
        if (!owned_all) {
            steady_test_graph_free(*out); /* and what was registered */
            *out = NULL;
            return steady_error_set(STEADY_ENOMEM, "steady_test_graph_new: out of memory");
        }
    }
    if (e != STEADY_OK) {
        if (stage)
            kit_stage_free(stage);
        if (vclock)
            kit_clock_free(vclock);
        if (seeded)
            kit_seed_free(seeded);
    }
    return e;
}

/* True when a thread of g's did not leave at its stop (an actor blocked outside steady's
 * waits): steady_graph_free then keeps the graph, since that thread still uses it, and the kit
 * must keep what that thread may use too (its stand-ins' mailboxes, the clock, the trace). A
 * troupe's thread clears its tid as it leaves; one read as not yet cleared counts as staying,
 * which at worst keeps memory that could have gone. */
static bool thread_left_running(steady_graph *g)
{
    size_t n = steady_inspect_troupes(g, NULL, 0);
    steady_troupe_info *ti = calloc(n ? n : 1, sizeof *ti);
    if (!ti)
        return true; /* cannot tell: keep */
    steady_inspect_troupes(g, ti, n);
    bool left = false;
    for (size_t i = 0; i < n; i++)
        left |= !ti[i].isolated && ti[i].tid != 0;
    free(ti);
    return left;
}

void steady_test_graph_free(steady_graph *g)
{
    if (!g)
        return;
    steady_graph_state st = steady_graph_get_state(g);
    if (st != STEADY_GRAPH_BUILDING && st != STEADY_GRAPH_STOPPED &&
        st != STEADY_GRAPH_STOPPED_UNCLEANLY) { /* as steady_graph_free would: stop it first */
        steady_graph_request_shutdown(g);
        steady_graph_block_until_stopped(g, 1000);
    }
    if (st != STEADY_GRAPH_BUILDING && thread_left_running(g)) {
        steady_graph_info gi = {.name = "?"};
        steady_inspect_graph(g, &gi);
        kit_fail("steady_test_graph_free: graph '%s' keeps a thread that did not leave at its "
                 "stop (an actor blocked outside steady's waits; see its stop report): the graph "
                 "and the kit's objects for it are kept, not freed, since that thread may still "
                 "use them",
                 gi.name);
        steady_graph_free(g); /* says so too, and keeps the graph */
        return;
    }
    /* The trace's last step, read while the graph still exists: once its stop has finished
     * (a report exists; its acquire orders the joined threads' steps before this read). Not
     * after an unclean stop: a thread that left later is joined only by steady_graph_free, so
     * its last steps are read after that, without their effects. */
    if (steady_graph_report(g, NULL, 0) > 0 &&
        steady_graph_block_until_stopped(g, 0) != STEADY_EUNCLEAN)
        kit_seed_finish(g);
    steady_graph_free(g); /* first: the actors using the objects are gone after it */
    pthread_mutex_lock(&lock);
    owned **at = &all, *mine = NULL;
    while (*at) {
        owned *o = *at;
        if (o->g == g) {
            *at = o->next;
            o->next = mine;
            mine = o;
        } else {
            at = &o->next;
        }
    }
    pthread_mutex_unlock(&lock);
    while (mine) {
        owned *o = mine;
        mine = o->next;
        o->free_fn(o->p);
        free(o);
    }
}
