/* steady/inspect.h — a read-only view of a graph: its actors, troupes and channels, with the
 * counters the runtime keeps anyway (sent and taken totals, busy time, restarts, failures).
 *
 * It is what exporters are built on: steady's own telemetry (steady/telemetry.h) uses nothing
 * else, so a user could write another one (a StatsD pusher, a log line per minute) the same way.
 *
 * Cost: reading costs the actors nothing. Every figure is a counter the runtime already keeps in
 * the actor's or the channel's own cache lines; a read is a relaxed load of each, done on the
 * reader's thread. Nothing here takes a lock the actors take, allocates, or wakes anyone.
 * Thread CPU time and the last core come from the kernel (clock_gettime on the thread's CPU
 * clock, /proc/self/task/<tid>/stat): a system call or a small read per troupe, never per actor.
 *
 * Thread-safety: once steady_graph_start() has returned STEADY_OK (the graph is RUNNING or
 * later) the lists are frozen, and every function here may be called from any thread, at any
 * rate, concurrently, until steady_graph_free(). While the graph is BUILDING they may be called
 * only from the thread that builds it. Figures are read one by one with relaxed loads, so one
 * record is not an atomic snapshot: a channel's taken total may be read after its sent total
 * moved on (taken <= sent always holds for one record: the taken total is read first).
 *
 * Memory: the strings in the records (names, labels) belong to the graph and stay valid until
 * steady_graph_free(). The records themselves are the caller's: steady_inspect_actors() and
 * friends fill an array the caller provides and return how many exist, as snprintf does, so a
 * caller sizes its array once (counts never change after start) and never allocates again.
 */
#ifndef STEADY_INSPECT_H
#define STEADY_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steady/error.h"
#include "steady/graph.h"
#include "steady/link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where an actor runs. */
typedef enum steady_placement {
    STEADY_PLACEMENT_SOLO = 0, /* its own thread in the graph's process */
    STEADY_PLACEMENT_MEMBER,   /* a member of a troupe: one thread shared with the others */
    STEADY_PLACEMENT_ISOLATED, /* a member of an ISOLATED troupe: a child process of its own */
} steady_placement;

/* What an actor is doing, as far as a reader can tell without stopping it. */
typedef enum steady_actor_phase {
    STEADY_ACTOR_NOT_STARTED = 0, /* the graph has not started it (yet) */
    STEADY_ACTOR_RUNNING,         /* its generation is live (working or waiting) */
    STEADY_ACTOR_RESTARTING,      /* a failure was decided; its backoff is under way */
    STEADY_ACTOR_VOTED,           /* it voted yes to a shutdown and still runs its loop */
    STEADY_ACTOR_ENDED,           /* it returned 0 and ended as designed */
    STEADY_ACTOR_STOPPED_FOR_GOOD /* its supervisor gave up on it (see last_failure) */
} steady_actor_phase;

/* One actor. */
typedef struct steady_actor_info {
    uint32_t id;       /* 0-based, in spawn order; stable for the graph's life */
    const char *name;  /* the base name */
    const char *label; /* name, or "name<suffix>" with a suffix: unique in the graph */
    bool has_suffix;
    unsigned suffix;
    steady_placement placement;
    uint32_t troupe;         /* index of its troupe in steady_inspect_troupes() */
    uint32_t regeneration;   /* generations started after the first (restarts so far) */
    uint32_t failures;       /* generations that failed */
    uint64_t busy_ns;        /* time its generations ran (not waiting), all generations,
                                the run under way included (running_for_ns) */
    uint64_t wakes;          /* times it was given the CPU: its start, and each return from a
                                wait or a yield (a wake that finds nothing to do counts too) */
    uint64_t running_for_ns; /* how long it has run since it was last given the CPU without
                                waiting or yielding (0: it is waiting now). A troupe member
                                with a large figure keeps its troupe-mates from running */
    steady_actor_phase phase;
    uint32_t n_inputs;    /* receiving ends it owns (bundle lanes counted one by one) */
    uint32_t n_outputs;   /* sending ends it owns */
    uint32_t waiting_fds; /* file descriptors its current wait names (STEADY_FD); 0: none */
    /* When its current wait ends by a timer (STEADY_TIMEOUT, STEADY_PERIODIC), on the graph's
     * clock; 0: it is not waiting on a timer. A test's virtual clock advances to it. */
    uint64_t deadline_ns;
    /* Parked in a wait that has not yet been found to hold: it will not run until a channel,
     * a timer, a descriptor or shutdown wakes it (false while it runs or is about to). When
     * true, what the actor wrote before parking (its state block) is visible to the reader. */
    bool waiting;
    /* The last failure's reason ("" if none): copied, so it stays readable after the actor's
     * thread writes a new one. */
    char last_failure[256];
    /* Its link to the outside (steady/link.h): NULL kind and endpoint and STEADY_LINK_NONE when
     * it has none; link_downs counts the times the link went from up to down. */
    const char *link_kind;
    const char *link_endpoint;
    steady_link_state link_state;
    uint32_t link_downs;
} steady_actor_info;

/* One troupe: a thread (SOLO actors each have a troupe of one) or an ISOLATED child process. */
typedef struct steady_troupe_info {
    uint32_t index;
    const char *name; /* the troupe's name, or the SOLO actor's label */
    bool solo;        /* the implicit troupe of one SOLO actor */
    bool isolated;    /* runs in a child process */
    uint32_t n_members;
    int pid;  /* the process it runs in (the graph's, or the child's; 0: none now) */
    int tid;  /* its thread's kernel id (0: not started, or ISOLATED) */
    int core; /* pinned core, or the CPU it last ran on; -1 if unknown */
    bool pinned;
    /* CPU time of its thread (in-process) or of its child process (ISOLATED, the current
     * child's only), from the kernel; 0 if unknown. Members share it; their busy_ns splits it. */
    uint64_t cpu_ns;
} steady_troupe_info;

/* One channel: a bounded ring from one sending end to one receiving end. */
typedef struct steady_channel_info {
    uint32_t id;                   /* 0-based, in creation order */
    const char *name;              /* "base[i]" for a bundle's lane i */
    const char *bundle;            /* the bundle's base name, or NULL */
    uint32_t lane;                 /* its lane in that bundle (0 when bundle is NULL) */
    uint32_t lanes;                /* the bundle's lane count (1 when bundle is NULL) */
    size_t elem_size;              /* bytes per element (the stream channels' byte rings: 1) */
    uint64_t capacity;             /* the bound asked for */
    uint64_t memory_bytes;         /* the ring's slots and header as mapped */
    uint64_t sent_total;           /* elements ever sent (published) */
    uint64_t taken_total;          /* elements ever taken; <= sent_total */
    int64_t from_actor;            /* id of the actor owning the sending end, -1: none */
    int64_t to_actor;              /* id of the actor owning the receiving end, -1: none */
    bool tx_closed;                /* the producer closed its end */
    bool rx_closed;                /* the consumer is gone for good */
    uint64_t showstoppers_removed; /* showstoppers the supervisor took off this channel */
    uint64_t showstoppers_dropped; /* of those, dropped (no dead letter, or it was full) */
    uint64_t latency_samples;      /* send-to-take delays measured so far (see below) */
} steady_channel_info;

/* The graph itself. */
typedef struct steady_graph_info {
    const char *name;
    steady_graph_state state;
    uint32_t n_actors;
    uint32_t n_troupes;
    uint32_t n_channels;
    int pid;              /* the graph's process */
    uint64_t futex_wakes; /* as steady_graph_futex_wakes() */
} steady_graph_info;

/* Fills *out. STEADY_EINVAL: g or out NULL. */
STEADY_API steady_err steady_inspect_graph(const steady_graph *g, steady_graph_info *out);

/* Each fills up to `cap` records of `out` in id order and returns how many the graph has (more
 * than cap: call again with a larger array; cap 0 and out NULL: just the count). g NULL, or
 * cap > 0 with out NULL: returns 0 and sets steady_last_error (STEADY_EINVAL). */
STEADY_API size_t steady_inspect_actors(const steady_graph *g, steady_actor_info *out, size_t cap);
STEADY_API size_t steady_inspect_troupes(const steady_graph *g, steady_troupe_info *out,
                                         size_t cap);
STEADY_API size_t steady_inspect_channels(const steady_graph *g, steady_channel_info *out,
                                          size_t cap);

/* Latency, measured: the runtime stamps a sample of each channel's messages as they are sent
 * (at most one in flight; every message of a slow channel, about one per millisecond of a fast
 * one) and measures each stamped message's wait when it is taken. Copies the delays (ns) of
 * channel `id` recorded after *cursor (0 at first), oldest first, at most cap and at most the
 * last 64, and advances *cursor past them (samples older than the last 64 are skipped: the
 * cursor still moves past them). Returns the count written. Any thread, as the others. Bad
 * input (g, cursor NULL, out NULL with cap > 0, no channel `id`): 0 and steady_last_error. */
STEADY_API size_t steady_inspect_latency(const steady_graph *g, uint32_t id, uint64_t *cursor,
                                         uint64_t *out_ns, size_t cap);

STEADY_API const char *steady_placement_name(steady_placement p);     /* "solo", ... */
STEADY_API const char *steady_actor_phase_name(steady_actor_phase p); /* "running", ... */

#ifdef __cplusplus
}
#endif

#endif
