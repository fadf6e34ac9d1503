/* steady/bundle.h — bundles: G lanes of one channel shape, with "which lane is ready" waits.
 *
 * A bundle is G channels (its lanes) of one shape (element size and capacity), created
 * together and named "base[0]" .. "base[G-1]". Its two bundle ends hold the lane ends: a
 * steady_tx_bundle holds every lane's sending end, a steady_rx_bundle every receiving end.
 * A bundle end is given to one actor at spawn (.tx_bundles / .rx_bundles in
 * steady_actor_opts), which then owns every lane end it holds, exactly as if it had listed
 * them one by one in .txs / .rxs: the same ownership rules and the same error messages.
 *
 * Split and join reshape bundle ends before spawn. Split takes lane i's end out of a bundle
 * end, so that another actor can own it (fan-out: each worker owns one lane of the
 * generator's bundle). Join makes a bundle end out of separate single ends of one shape
 * (fan-in: one logger reads every worker's output through one bundle end). Lane numbers are
 * stable: lane i keeps its number after other lanes were split out.
 *
 * Waits (steady/wait.h): STEADY_AVAIL_LANE(rxb, n, &lane) holds when some lane has n elements
 * ready and STEADY_VACANT_LANE(txb, n, &lane) when some lane has room for n; the wait writes a
 * lane that truly meets the threshold to `lane`. Lanes are chosen round-robin, starting after
 * the lane the bundle end's previous lane wait returned, so a lane that is ready is returned
 * within G such waits, and lanes that are always ready take turns exactly.
 *
 * Memory: one allocation per bundle (or per joined bundle end) holds the bundle ends and one
 * array of lane pointers per end; the graph owns it and frees it in steady_graph_free. Nothing
 * is allocated after start.
 *
 * Thread-safety: creation, split and join on main while the graph is being built. While the
 * graph runs, a bundle end is used by the actor that owns it only (its lane ends follow the
 * channel rules of steady/channel.h). Lane accessors may be called from any thread; they only
 * read constant fields.
 */
#ifndef STEADY_BUNDLE_H
#define STEADY_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "steady/channel.h"
#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct steady_tx_bundle steady_tx_bundle;
typedef struct steady_rx_bundle steady_rx_bundle;

/* The lane a lane wait writes when its condition did not hold. */
#define STEADY_NO_LANE UINT32_MAX

/* ---- layout (private: read through the functions below) ------------------------------------ */

/* A bundle end. Written on main while building; afterwards only `last` changes, on the owning
 * actor's thread (the scheduler that evaluates the actor's waits runs on that thread too). */
struct steady_tx_bundle {
    steady_tx **lane;    /* lane i's sending end; NULL once split out */
    uint32_t lanes;      /* G, including lanes split out */
    uint32_t last;       /* the lane the last lane wait returned; G - 1 before the first */
    steady_actor *owner; /* the actor it was given to at spawn; NULL before */
    steady_graph *graph;
    const char *name; /* the bundle's base name; owned by the graph */
};

struct steady_rx_bundle {
    steady_rx **lane; /* lane i's receiving end; NULL once split out */
    uint32_t lanes;
    uint32_t last;
    steady_actor *owner;
    steady_graph *graph;
    const char *name;
};

/* ---- creation, split and join (main thread, before steady_graph_start) -------------------- */

/* Creates `lanes` (>= 1) channels of the shape in `opts`, named "<opts->name>[i]" (NULL name:
 * "bundle-<n>", n counting this graph's bundles and joins from 0), and writes the two bundle
 * ends. Errors: STEADY_EINVAL (0 lanes, NULL arguments, or an invalid shape: the detail names
 * lane 0's channel), STEADY_ESTATE (the graph already started), STEADY_ENOMEM (the graph is
 * then unusable: the lanes made so far stay unowned). The graph owns the channels and the
 * bundle ends until steady_graph_free(). */
STEADY_API steady_err steady_bundle_new(steady_graph *g, const steady_channel_opts *opts,
                                        uint32_t lanes, steady_tx_bundle **txb,
                                        steady_rx_bundle **rxb);

/* Takes lane `lane`'s end out of the bundle end and writes it to *out; the bundle end keeps
 * its other lanes (lane numbers do not change) and the end can be given to any actor.
 * Errors: STEADY_EINVAL (NULL arguments, lane out of range, or already split out),
 * STEADY_EBOUND (the bundle end was already given to an actor: split before spawning it),
 * STEADY_ESTATE (the graph already started). */
STEADY_API steady_err steady_tx_bundle_split(steady_tx_bundle *b, uint32_t lane, steady_tx **out);
STEADY_API steady_err steady_rx_bundle_split(steady_rx_bundle *b, uint32_t lane, steady_rx **out);

/* Makes a bundle end of `n` (>= 1) single ends of g, lane i being ends[i]. `name` names the
 * bundle end in messages (copied; NULL: "bundle-<n>"). Errors: STEADY_EINVAL (n == 0, a NULL
 * end, an end of another graph, an end listed twice, or ends of different shapes: the detail
 * names both channels and their shapes), STEADY_ESTATE, STEADY_ENOMEM. The graph owns the new
 * bundle end. An end may be in several bundle ends; at spawn, each end still goes to one actor
 * only. */
STEADY_API steady_err steady_tx_bundle_join(steady_graph *g, const char *name,
                                            steady_tx *const *ends, uint32_t n,
                                            steady_tx_bundle **out);
STEADY_API steady_err steady_rx_bundle_join(steady_graph *g, const char *name,
                                            steady_rx *const *ends, uint32_t n,
                                            steady_rx_bundle **out);

/* The join of the typed wrappers: ends[i] sits at byte offset i * stride of `ends` (the typed
 * wrapper's .raw is its only member), and a non-zero elem_size must match every lane. */
STEADY_API steady_err steady__tx_bundle_join_typed(steady_graph *g, const char *name,
                                                   const void *ends, size_t stride, uint32_t n,
                                                   uint32_t elem_size, steady_tx_bundle **out);
STEADY_API steady_err steady__rx_bundle_join_typed(steady_graph *g, const char *name,
                                                   const void *ends, size_t stride, uint32_t n,
                                                   uint32_t elem_size, steady_rx_bundle **out);

/* ---- lanes (any thread; constant after spawn) ---------------------------------------------- */
/* A NULL bundle end reads as 0 lanes, no lane and the name "". */

/* G: the number of lane numbers, including lanes split out. */
static inline uint32_t steady_tx_bundle_lanes(const steady_tx_bundle *b)
{
    return b ? b->lanes : 0;
}
static inline uint32_t steady_rx_bundle_lanes(const steady_rx_bundle *b)
{
    return b ? b->lanes : 0;
}

/* Lane i's end, or NULL when i >= G or the lane was split out. The end is used under the rules
 * of steady/channel.h (its owner is the bundle end's owner). */
static inline steady_tx *steady_tx_bundle_lane(const steady_tx_bundle *b, uint32_t i)
{
    return b && i < b->lanes ? b->lane[i] : NULL;
}
static inline steady_rx *steady_rx_bundle_lane(const steady_rx_bundle *b, uint32_t i)
{
    return b && i < b->lanes ? b->lane[i] : NULL;
}

/* The bundle's base name ("work" for lanes "work[0]".., or the join's name). */
static inline const char *steady_tx_bundle_name(const steady_tx_bundle *b)
{
    return b ? b->name : "";
}
static inline const char *steady_rx_bundle_name(const steady_rx_bundle *b)
{
    return b ? b->name : "";
}

/* ---- fan-in (the owning actor) ------------------------------------------------------------ */

/* Takes up to max elements into dst from one lane that has any: the first such lane after the
 * lane this call (or a lane wait) returned last, round-robin, so a lane that is always full
 * cannot starve the others: with every lane ready, each is served once in G calls. Writes
 * the lane to *lane (may be NULL; STEADY_NO_LANE when nothing was taken) and returns the count
 * (0: no lane has data, or max is 0). Misuse (a NULL bundle end or dst with max > 0, another
 * actor's lane) as for steady_rx_take_slice. Owner only. */
STEADY_API size_t steady_rx_bundle_take(steady_rx_bundle *b, void *dst, size_t max, uint32_t *lane);

#ifdef __cplusplus
}
#endif
#endif
