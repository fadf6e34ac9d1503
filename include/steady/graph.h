/* steady/graph.h — the graph: owner of channels, actors, troupes, states and args.
 *
 * Lifecycle: BUILDING (channels and actors are declared) -> RUNNING (steady_graph_start) ->
 * STOP_REQUESTED (steady_graph_request_shutdown, an actor's request, SIGINT or SIGTERM) ->
 * STOPPED (every live actor voted yes) or STOPPED_UNCLEANLY (the vote timed out).
 *
 * Shutdown is a vote: after the request, each actor's STEADY_RUNNING(a, veto) evaluates its
 * veto on every pass; the first yes is final, and an actor that returned counts as yes.
 *
 * Thread-safety: new/start/free belong to the thread that made the graph ("main").
 * block_until_stopped, request_shutdown, get_state and report may be called from any thread
 * (request_shutdown also from a signal handler).
 */
#ifndef STEADY_GRAPH_H
#define STEADY_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steady/clock.h"
#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_graph steady_graph;
struct steady_policy;      /* steady/supervise.h */
struct steady_graph_hooks; /* steady/hooks.h */

typedef enum steady_graph_state {
    STEADY_GRAPH_BUILDING = 0,
    STEADY_GRAPH_RUNNING,
    STEADY_GRAPH_STOP_REQUESTED,
    STEADY_GRAPH_STOPPED,
    STEADY_GRAPH_STOPPED_UNCLEANLY,
} steady_graph_state;

typedef struct steady_graph_opts {
    void *args;                /* handed to every actor through steady_actor_args(); not owned */
    const char *name;          /* for logs; copied. NULL: "steady" */
    unsigned shutdown_barrier; /* 0 or 1: an actor's request takes effect at once; n > 1: only
                                  once n distinct actors have asked (main and signals bypass it) */
    bool no_signal_handlers; /* true: leave SIGINT/SIGTERM alone (default: they request shutdown) */
    size_t default_stack_size; /* bytes per actor stack; 0: 256 KiB */
    const steady_clock *clock; /* NULL: CLOCK_MONOTONIC. Copied. */
    /* The restart policy of actors that give none (steady/supervise.h). NULL:
     * STEADY_POLICY_DEFAULT. Copied. */
    const struct steady_policy *policy;
    /* Development switch: the first actor failure logs its reason and aborts the process (so a
     * debugger or a core dump stops at it) instead of restarting. The environment variable
     * STEADY_FAIL_FAST=1 turns it on for every graph. */
    bool fail_fast;
    /* What a test changes in the graph (steady/hooks.h): a spawn hook, one thread, failures
     * that stop the graph, telemetry off. NULL: none. Copied. */
    const struct steady_graph_hooks *hooks;
} steady_graph_opts;

/* Makes an empty graph in the BUILDING state. opts may be NULL. Main thread. */
STEADY_API steady_err steady_graph_new(steady_graph **out, const steady_graph_opts *opts);

/* Validates the graph, runs the state initialisers, starts the threads, and enters RUNNING.
 * (Ends bound twice and duplicate names are refused earlier, by steady_actor_spawn.) Errors,
 * each with a steady_last_error() naming the problem and the fix: STEADY_EUNBOUND (a channel
 * end no actor owns), STEADY_EINVAL (no actors), STEADY_ESTATE (called twice): nothing
 * started and the graph stays BUILDING. STEADY_ESYS when a thread cannot be created: the
 * threads already started are stopped and the graph is STOPPED_UNCLEANLY. Main thread. */
STEADY_API steady_err steady_graph_start(steady_graph *g);

/* Moves RUNNING to STOP_REQUESTED and wakes every waiting actor. A request before start is
 * ignored with a warning; later requests are no-ops. Any thread; once the graph has started,
 * also async-signal-safe (the before-start warning is not). */
STEADY_API void steady_graph_request_shutdown(steady_graph *g);

/* Waits, without limit, until shutdown is requested (or every actor has returned), then at
 * most timeout_ms for the votes (0: check once; negative, or too large to add to the clock:
 * no limit). Then joins the actor threads, allowing them 2 s to leave; a thread stuck outside
 * steady's waits is reported and left running (and the graph is then never freed, since that
 * thread still uses it). Returns how the graph ended, worst first:
 *   STEADY_EUNCLEAN   actors still vetoed at the deadline (each logged with the file:line:
 *                     expression of its last false STEADY_I() term), or a thread or child
 *                     process did not leave;
 *   STEADY_EDEGRADED  every live actor agreed, but an actor had been stopped for good by its
 *                     supervisor (or never started): each is logged with its failures and
 *                     last reason;
 *   STEADY_OK         every actor ended as it was designed to.
 * The detail (steady_last_error) and steady_graph_report hold the per-actor report. Any
 * thread; several at once get the same result (the first does the stop). */
STEADY_API steady_err steady_graph_block_until_stopped(steady_graph *g, int64_t timeout_ms);

/* The current lifecycle state. Any thread. */
STEADY_API steady_graph_state steady_graph_get_state(const steady_graph *g);
STEADY_API const char *steady_graph_state_name(steady_graph_state s);

/* Writes the per-actor report of the stop into buf (NUL-terminated, truncated to cap; buf may
 * be NULL when cap is 0) and returns the length it needed; "" and 0 until a stop has finished
 * (or for a NULL graph). Any thread. */
STEADY_API size_t steady_graph_report(const steady_graph *g, char *buf, size_t cap);

/* How many futex wake-ups the graph's channels and shutdown have made (a diagnostic: it stays
 * 0 while no consumer or producer ever parks). Any thread. */
STEADY_API uint64_t steady_graph_futex_wakes(const steady_graph *g);

/* The args given at creation. Any thread. */
STEADY_API void *steady_graph_args(const steady_graph *g);

/* Frees everything the graph owns. Call before start, or after block_until_stopped returned.
 * Channel ends, actors and states are invalid afterwards. Main thread. */
STEADY_API void steady_graph_free(steady_graph *g);

#ifdef __cplusplus
}
#endif
#endif
