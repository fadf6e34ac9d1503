/* steady/hooks.h — what a test changes in a graph the application builds, without forking the
 * runtime: the points the testing kit (steady/testing.h) is built on, public so any kit can be.
 *
 * A graph made with steady_graph_opts.hooks runs the application's own graph-building function
 * unchanged, and:
 *   spawn          sees every steady_actor_spawn first, with a copy of the caller's options it
 *                  may change: a stand-in replaces a named actor by changing run and arg (its
 *                  ends, name and state stay), or refuse the spawn with an error;
 *   one_thread     runs every actor (SOLO, troupe members and ISOLATED alike) as a member of
 *                  one troupe on one thread, in the order of `sched`: the same interleaving
 *                  for the same scheduler, and no child processes;
 *   failures_stop  turns an actor's failure into the end of the graph: the actor is not
 *                  restarted (whatever its policy), the graph is asked to shut down, and
 *                  steady_graph_block_until_stopped returns STEADY_EDEGRADED with the actor's
 *                  name and reason (a STEADY_ASSERT's file:line) in the report; the graph's
 *                  fail_fast, which aborts the process, would end the test binary;
 *   test_graph     marks the graph as a test's: telemetry stays off (steady_telemetry_start
 *                  logs once and serves nothing);
 *   refuse_fd_waits  a STEADY_FD wait fails the actor with a message (deterministic runs).
 * Actors spawned through a hook are ordinary actors: the introspection API lists them.
 * Thread-safety: set at steady_graph_new (copied); the spawn hook runs on the thread that
 * spawns (main, while building).
 */
#ifndef STEADY_HOOKS_H
#define STEADY_HOOKS_H

#include <stdbool.h>

#include "steady/actor.h"
#include "steady/clock.h"
#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_graph_hooks {
    /* Called by steady_actor_spawn with a copy of the caller's options before they are
     * checked; changes to *opts are what gets spawned. STEADY_OK goes on; another code refuses
     * the spawn with that code (the hook's steady_last_error detail is kept). NULL: none. */
    steady_err (*spawn)(void *ctx, steady_actor_opts *opts);
    void *spawn_ctx;
    /* Every actor a member of one troupe, "test-thread"; its member order is `sched` (NULL:
     * round-robin; copied). opts.troupe, isolated, pin and core are ignored. */
    bool one_thread;
    const steady_sched *sched;
    /* An actor's first failure stops it for good and shuts the graph down. */
    bool failures_stop;
    /* A test's graph: telemetry stays off. */
    bool test_graph;
    /* A STEADY_FD wait fails the actor (misuse, with a message saying why): in a deterministic
     * run a descriptor's readiness would come from outside the seeded schedule. */
    bool refuse_fd_waits;
} steady_graph_hooks;

struct steady_graph;
/* The hooks the graph was made with (a zeroed struct when none), for the libraries built on
 * the core (telemetry reads test_graph). NULL graph: NULL. Any thread. */
STEADY_API const steady_graph_hooks *steady_graph_hooks_of(const struct steady_graph *g);

#ifdef __cplusplus
}
#endif
#endif
