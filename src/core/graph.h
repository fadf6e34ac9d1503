/* core/graph.h — the graph record (graph.c builds and starts it, stop.c ends it).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_GRAPH_H
#define STEADY_CORE_GRAPH_H

#include "core/base.h"

struct steady_graph {
    _Atomic int state;       /* steady_graph_state */
    struct steady__shm *shm; /* where this record and the graph's shared objects live */
    void *args;
    char *name;
    unsigned shutdown_barrier;
    bool no_signal_handlers;
    size_t default_stack_size;
    steady_clock clock;
    steady_policy policy; /* for actors that give none */
    bool fail_fast;
    bool isolated;           /* some troupe runs in a child process (isolate.c) */
    struct steady__iso *iso; /* the zygote and the warden; private to main's process */

    steady_channel *channels, **channels_tail;
    uint32_t n_channels;
    steady_actor *actors, **actors_tail;
    uint32_t n_actors;
    steady_troupe *troupes, **troupes_tail;
    uint32_t n_troupes;
    uint32_t n_named_troupes;             /* troupes made by steady_troupe_new (not solo actors') */
    struct steady__names *labels;         /* the actors' labels, for duplicate checks (names.c) */
    struct steady__bundle_block *bundles; /* bundle.c's allocations */
    uint32_t n_bundles;                   /* bundles and joins made, for default names */

    _Atomic uint32_t n_exited;  /* actors that exited (steady__actor_mark_exited) */
    _Atomic uint32_t n_settled; /* actors that voted yes or exited */
    _Atomic uint32_t stopper;   /* a thread took on the stop (stop.c); the others wait */
    _Atomic uint32_t stop_done; /* the stop's result and report are final */
    steady_err stop_result;     /* what block_until_stopped returns, once stop_done */
    _Atomic uint32_t barrier_count;
    _Atomic uint32_t events; /* futex word main sleeps on: bumped by votes, exits, requests */
    _Atomic uint64_t futex_wakes;
    bool signals_installed;
    _Atomic uint32_t signals_seen;   /* SIGINT/SIGTERM received while this graph owned them */
    _Atomic uint32_t signal_pending; /* one arrived, maybe before RUNNING (signal.c) */
    _Atomic uint32_t force_stop;     /* a second one: stop waiting for the votes (stop.c) */
    char *report;                    /* stop.c: the stop's report, final once stop_done */
    size_t report_len, report_cap;
};
static inline uint64_t steady__now(const steady_graph *g)
{
    return g->clock.now_ns(g->clock.ctx);
}

/* The graph clock read at most once per scheduling step, and only when a timer needs it:
 * reading a clock costs more than a whole member switch on some virtual machines. */
struct steady__lazy_now {
    const steady_graph *graph;
    uint64_t value;
    bool valid;
};
static inline uint64_t steady__lazy_get(steady__lazy_now *n)
{
    if (!n->valid) {
        n->value = steady__now(n->graph);
        n->valid = true;
    }
    return n->value;
}

#endif
