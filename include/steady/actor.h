/* steady/actor.h — actors, troupes, identity, state blocks and the shutdown vote.
 *
 * An actor is a function `int run(steady_actor *a, void *arg)`. It runs in one of two
 * placements, unchanged:
 *   SOLO   (troupe == NULL): on its own OS thread, named after the actor;
 *   MEMBER (troupe != NULL): with the troupe's other members on one thread, switching to the
 *          next member at every wait.
 * Either way it runs on its own guarded stack. The channel ends it uses are declared at spawn
 * (STEADY_TXS / STEADY_RXS, and whole bundle ends with STEADY_TX_BUNDLES / STEADY_RX_BUNDLES),
 * so the graph can check at start that every end has one owner.
 *
 * The body is a loop:
 *     while (STEADY_RUNNING(a, STEADY_I(in_rx_is_closed_and_empty(io->in)) &&
 *                              STEADY_I(out_tx_close(io->out)))) { wait; work; }
 * STEADY_RUNNING does not evaluate its veto while the graph runs; after shutdown is requested
 * it evaluates it on every call, and the first true is a final yes vote.
 *
 * Returning 0 ends the actor (a yes vote; its channel ends are closed, so downstream drains
 * and upstream sees CLOSED). Returning non-zero, steady_panic(), a failed STEADY_ASSERT or
 * misusing a channel fails the actor: its supervisor restarts it with regeneration + 1, under
 * its restart policy (steady/supervise.h).
 */
#ifndef STEADY_ACTOR_H
#define STEADY_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steady/bundle.h"
#include "steady/channel.h"
#include "steady/clock.h"
#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_actor steady_actor;
typedef struct steady_troupe steady_troupe;

typedef int (*steady_actor_fn)(steady_actor *a, void *arg);
/* Initialises a zeroed state block of opts.state_size bytes; runs once, on the main thread,
 * in steady_graph_start (before any actor runs). */
typedef void (*steady_state_init_fn)(void *state, void *init_arg);

typedef struct steady_troupe_opts {
    const char *name;          /* thread name; copied. NULL: "troupe-<n>" */
    bool pin;                  /* pin the troupe's thread to `core` */
    int core;                  /* 0-based CPU number, used when pin is true */
    const steady_sched *sched; /* member order; NULL: round-robin. Copied. */
    /* ISOLATED: the troupe runs in a child process of its own, over the graph's shared memory;
     * a native crash (SIGSEGV, abort, SIGKILL, ...) costs a restart of its members under their
     * policies, nothing else. See steady/supervise.h and docs/RELIABILITY.md. */
    bool isolated;
} steady_troupe_opts;

struct steady_policy; /* steady/supervise.h */

typedef struct steady_actor_opts {
    const char *name; /* required, unique within the graph (with the suffix); copied */
    bool has_suffix;  /* name the actor "name-<suffix>" (e.g. "worker-3") */
    unsigned suffix;
    steady_actor_fn run;   /* required */
    void *arg;             /* passed to run on every (re)start; not owned */
    steady_troupe *troupe; /* NULL: SOLO on its own thread; else a MEMBER of this troupe */
    steady_tx *const
        *txs; /* NULL-terminated list of sending ends this actor owns: STEADY_TXS(...) */
    steady_rx *const *rxs; /* NULL-terminated list of receiving ends it owns: STEADY_RXS(...) */
    /* NULL-terminated lists of bundle ends it owns (steady/bundle.h): the actor owns every lane
     * end they hold, as if listed in txs / rxs. STEADY_TX_BUNDLES(...) / STEADY_RX_BUNDLES(...) */
    steady_tx_bundle *const *tx_bundles;
    steady_rx_bundle *const *rx_bundles;
    size_t state_size; /* > 0: a state block owned by the graph, see steady_actor_state */
    steady_state_init_fn state_init; /* may be NULL (the block stays zeroed) */
    void *state_init_arg;
    /* Non-NULL (with state_size > 0): the state block is durable. steady_graph_start loads it
     * from this file when the file holds a valid block of state_size bytes, instead of running
     * state_init; a missing, corrupt or half-written file falls back to state_init with a log
     * line. It is saved atomically at the end of every generation (return, failure, stop) and
     * by steady_actor_persist. Copied. */
    const char *state_path;
    const struct steady_policy *policy; /* NULL: the graph's policy. Copied. */
    size_t stack_size;                  /* 0: the graph's default */
    bool pin;                           /* SOLO only: pin the actor's thread to `core` */
    int core;
    /* SOLO only: run in a child process of its own (the ISOLATED placement), as a troupe of one
     * with isolated set; the same run function, unchanged. */
    bool isolated;
} steady_actor_opts;

/* Lists of typed (or raw-wrapping) ends for steady_actor_opts: each argument is a value with a
 * `.raw` member, as declared by STEADY_CHANNEL_TYPE. Up to 16 ends per list. A list only needs
 * to live until steady_actor_spawn returns (spawn copies it). */
#ifndef __cplusplus
#define STEADY_TXS(...) ((steady_tx *const[]){STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL})
#define STEADY_RXS(...) ((steady_rx *const[]){STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL})
/* The same for typed bundle ends, as declared by STEADY_BUNDLE_TYPE. Up to 16 per list. */
#define STEADY_TX_BUNDLES(...)                                                                     \
    ((steady_tx_bundle *const[]){STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL})
#define STEADY_RX_BUNDLES(...)                                                                     \
    ((steady_rx_bundle *const[]){STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL})
#else
/* C++ has no array compound literals: a list is a steady__end_list value (defined below) that
 * converts to the field's type only while it is a named object, so it outlives the spawn:
 *     auto txs = STEADY_TXS(out, log);  opts.txs = txs;
 * (opts.txs = STEADY_TXS(...) would keep a pointer into a temporary, so it does not compile.) */
#define STEADY_TXS(...) (steady__end_list<steady_tx>{{STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL}})
#define STEADY_RXS(...) (steady__end_list<steady_rx>{{STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL}})
#define STEADY_TX_BUNDLES(...)                                                                     \
    (steady__end_list<steady_tx_bundle>{{STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL}})
#define STEADY_RX_BUNDLES(...)                                                                     \
    (steady__end_list<steady_rx_bundle>{{STEADY__MAP(STEADY__RAW, __VA_ARGS__) NULL}})
#endif

/* Creates a troupe: one thread that will run its members. BUILDING only. Main thread. */
STEADY_API steady_err steady_troupe_new(steady_graph *g, const steady_troupe_opts *opts,
                                        steady_troupe **out);

/* Declares an actor. Errors name the actor and the fix: STEADY_EINVAL (no name or run
 * function, a bundle end with every lane split out, an end of the wrong kind in a list, e.g. a
 * receiving end in .txs, a stack over 1 GiB, a pin core outside 0..1023), STEADY_EEXIST (duplicate
 * name), STEADY_EBOUND (an end, or a bundle end, already given to another actor), STEADY_ESTATE
 * (the graph already started). out may be NULL. Main thread. */
STEADY_API steady_err steady_actor_spawn(steady_graph *g, const steady_actor_opts *opts,
                                         steady_actor **out);

/* ---- identity and context (any thread unless noted) -------------------------------------- */

STEADY_API const char *steady_actor_name(const steady_actor *a);  /* "worker" */
STEADY_API const char *steady_actor_label(const steady_actor *a); /* "worker-3", or "worker" */
STEADY_API bool steady_actor_suffix(const steady_actor *a, unsigned *suffix);
STEADY_API uint32_t steady_actor_id(const steady_actor *a); /* dense, in spawn order from 0 */
STEADY_API uint32_t steady_actor_regeneration(const steady_actor *a); /* 0, +1 per restart */
STEADY_API void *steady_actor_args(const steady_actor *a);            /* the graph's args */
STEADY_API steady_graph *steady_actor_graph(const steady_actor *a);
STEADY_API bool steady_actor_is_member(const steady_actor *a); /* placed in a troupe */
/* The state block (NULL when state_size was 0). It belongs to the graph and survives
 * restarts. The actor uses it while running; main may read it after the graph stopped. */
STEADY_API void *steady_actor_state(const steady_actor *a);
/* Saves a durable state block now (see steady_actor_opts.state_path): written to a temporary
 * file in the same directory, fsync'ed, renamed over the file, and the directory fsync'ed, so a
 * crash at any point leaves the previous or the new block, never a mix. STEADY_EINVAL when the
 * actor has no state_path; STEADY_ESYS when the file cannot be written (the detail names it).
 * The actor's own thread while it runs, or main after the graph stopped. */
STEADY_API steady_err steady_actor_persist(steady_actor *a);
/* Nanoseconds this actor spent running (between being resumed and waiting). Any thread. */
STEADY_API uint64_t steady_actor_busy_ns(const steady_actor *a);
/* The actor running on the calling thread, or NULL. */
STEADY_API steady_actor *steady_actor_current(void);

/* Asks the graph to shut down (subject to the graph's shutdown barrier). Actor's thread, with
 * its own handle: NULL or another actor's fails the calling actor; outside actors it has no
 * effect (STEADY_ENOTOWNER's detail). */
STEADY_API void steady_actor_request_shutdown(steady_actor *a);

/* ---- the shutdown vote -------------------------------------------------------------------- */

/* True while the actor should keep going. See the file comment. `veto` is an expression that is
 * true when the actor agrees to stop; it is evaluated only after shutdown was requested. */
#define STEADY_RUNNING(a, veto)                                                                    \
    (steady__running_phase(a) == STEADY__PHASE_RUN ? true                                          \
     : steady__running_phase(a) == STEADY__PHASE_DONE                                              \
         ? false                                                                                   \
         : steady__cast_vote((a), (steady__vote_begin(a), (veto) ? true : false)))

/* Records expr's text and place when it is false, so an unclean stop can say which term of
 * the veto held the actor back. Evaluates to expr's truth. */
#define STEADY_I(expr) steady__eye((expr) ? true : false, __FILE__, __LINE__, #expr)

/* ---- private helpers of the macros above -------------------------------------------------- */

enum { STEADY__PHASE_RUN = 0, STEADY__PHASE_VOTE = 1, STEADY__PHASE_DONE = 2 };
STEADY_API int steady__running_phase(steady_actor *a);
STEADY_API void steady__vote_begin(steady_actor *a);
STEADY_API bool steady__cast_vote(steady_actor *a, bool yes);
STEADY_API bool steady__eye(bool value, const char *file, int line, const char *expr);

#define STEADY__RAW(e) (e).raw,
/* The trailing 0 keeps STEADY__MAP_N's "..." non-empty for every count from 1 to 16: ISO C11
 * and C++17 require at least one argument there (-pedantic). */
#define STEADY__MAP(f, ...)                                                                        \
    STEADY__MAP_N(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)           \
    (f, __VA_ARGS__)
#define STEADY__MAP_N(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, n,    \
                      ...)                                                                         \
    STEADY__MAP_##n
#define STEADY__MAP_1(f, x) f(x)
#define STEADY__MAP_2(f, x, ...) f(x) STEADY__MAP_1(f, __VA_ARGS__)
#define STEADY__MAP_3(f, x, ...) f(x) STEADY__MAP_2(f, __VA_ARGS__)
#define STEADY__MAP_4(f, x, ...) f(x) STEADY__MAP_3(f, __VA_ARGS__)
#define STEADY__MAP_5(f, x, ...) f(x) STEADY__MAP_4(f, __VA_ARGS__)
#define STEADY__MAP_6(f, x, ...) f(x) STEADY__MAP_5(f, __VA_ARGS__)
#define STEADY__MAP_7(f, x, ...) f(x) STEADY__MAP_6(f, __VA_ARGS__)
#define STEADY__MAP_8(f, x, ...) f(x) STEADY__MAP_7(f, __VA_ARGS__)
#define STEADY__MAP_9(f, x, ...) f(x) STEADY__MAP_8(f, __VA_ARGS__)
#define STEADY__MAP_10(f, x, ...) f(x) STEADY__MAP_9(f, __VA_ARGS__)
#define STEADY__MAP_11(f, x, ...) f(x) STEADY__MAP_10(f, __VA_ARGS__)
#define STEADY__MAP_12(f, x, ...) f(x) STEADY__MAP_11(f, __VA_ARGS__)
#define STEADY__MAP_13(f, x, ...) f(x) STEADY__MAP_12(f, __VA_ARGS__)
#define STEADY__MAP_14(f, x, ...) f(x) STEADY__MAP_13(f, __VA_ARGS__)
#define STEADY__MAP_15(f, x, ...) f(x) STEADY__MAP_14(f, __VA_ARGS__)
#define STEADY__MAP_16(f, x, ...) f(x) STEADY__MAP_15(f, __VA_ARGS__)

#ifdef __cplusplus
}

/* Private: the C++ form of STEADY_TXS and the other lists (see above). It converts to the
 * field's pointer type only as a named object (an lvalue): on a temporary the conversion is
 * deleted, so a pointer that would dangle before steady_actor_spawn reads it does not compile. */
template <typename End> struct steady__end_list {
    End *ends[17]; /* up to 16 ends, then NULL */
    operator End * const *() const & { return ends; }
    operator End * const *() const && = delete; /* name the list: auto l = STEADY_TXS(..); */
};
#endif
#endif
