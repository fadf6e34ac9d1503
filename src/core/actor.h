/* core/actor.h — the actor record (spawned by actor.c, run by run.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_ACTOR_H
#define STEADY_CORE_ACTOR_H

#include "core/base.h"
#include "core/arena.h"
#include "core/batch.h"
#include "core/supervise.h"

typedef enum steady__status {
    STEADY__NEW = 0,  /* not started yet */
    STEADY__RUNNABLE, /* resume at the next turn */
    STEADY__BLOCKED,  /* in a wait: resume when steady__wait_poll says so */
    STEADY__DONE,     /* returned or failed; its ends are closed */
} steady__status;

struct steady__wait_state; /* wait.c */

struct steady_actor {
    /* Set while building; constant while running. */
    steady_graph *graph;
    uint32_t id;
    char *name;
    char *label;
    bool has_suffix;
    unsigned suffix;
    steady_actor_fn run;
    void *arg;
    struct steady_troupe *troupe;
    steady_tx **txs;
    size_t n_txs;
    steady_rx **rxs;
    size_t n_rxs; /* txs / rxs: the listed ends, then the lanes of the bundle ends below */
    steady_tx_bundle **tx_bundles;
    size_t n_tx_bundles;
    steady_rx_bundle **rx_bundles;
    size_t n_rx_bundles;
    void *state;
    size_t state_size;
    steady_state_init_fn state_init;
    void *state_init_arg;
    size_t stack_size;
    bool pin;
    int core;
    bool isolated;    /* SOLO in a child process */
    char *state_path; /* durable state file, or NULL */
    steady_actor *next;

    /* Owned by the actor's thread. */
    steady__fiber fiber;
    bool fiber_made; /* this process mapped the fiber's stack */
    jmp_buf fail_jmp;
    bool in_generation; /* fail_jmp is armed: the run function is on the stack */
    steady__status status;
    struct steady__wait_state *wait; /* the pending wait while BLOCKED */
    bool shutdown_seen;              /* the request already interrupted a wait or was voted on */
    bool failed;                     /* stopped for good after a failure */
    char last_failure[256];          /* the last failure's reason (decide(), supervise.c) */
    struct steady__supervision sup;
    struct steady__arena arena;
    struct steady__intent intent;
    /* Tests only (white box): the child kills itself at this step of its next commit (0: never),
     * clearing it first. Steps: 1 intent written, 2 armed, 3 outputs published, 4 inputs
     * taken, 5 disarmed. */
    _Atomic uint32_t kill_at_step;
    struct {
        uint64_t period, next;
    } periodic[STEADY__PERIODIC_SLOTS];

    /* Written by the actor's thread, read by main and by other threads. */
    alignas(STEADY_CACHE_LINE) _Atomic uint32_t voted_yes;
    _Atomic uint32_t exited;
    _Atomic uint32_t settled; /* counted in the graph's n_settled (voted yes or exited) */
    _Atomic uint32_t regeneration;
    _Atomic uint32_t failures;
    _Atomic uint32_t stopped_for_good;
    _Atomic uint32_t asked_shutdown; /* counted once toward the shutdown barrier */
    _Atomic uint64_t busy_ticks;     /* steady__ticks() spent running; see steady_actor_busy_ns */
    _Atomic(const char *) veto_file;
    _Atomic(const char *) veto_expr;
    _Atomic int veto_line;
    /* main's snapshot at the vote deadline */
    bool vetoed;
};
/* spawn (actor.c): the private parts of a record, at steady_graph_free. Main. */
void steady__actor_free(steady_actor *a);
/* run.c: */
/* Marks `a` as exited (once) and counts it toward the stop; wakes main. Any thread. */
void steady__actor_mark_exited(steady_actor *a);
/* The fiber entry of every actor: runs it, handles its end (return or failure), and leaves. */
void steady__actor_entry(void *actor);
/* Closes every end of `a` on its behalf (the warden, for a dead child stopped for good). */
void steady__actor_close_ends_for(steady_actor *a);

#endif
