/* core/records.h — the records every layer reads: the graph, its actors, troupes and channels,
 * and what they embed (doorbell, supervision, arena, commit intent).
 *
 * Data, not calls: each module's functions are declared in its own header; these layouts are
 * shared because the hot paths read fields directly (a call per field would cost the fast
 * paths). They live in the graph's shared memory (shm.c), so no process-specific pointer may be
 * inside what a forked child reads unless only main's process uses it (said at the field).
 * Fields are grouped by the thread that writes them; fields another thread reads are atomics.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_RECORDS_H
#define STEADY_CORE_RECORDS_H

#include "core/base.h"
#include "steady/link.h"

struct steady__arena_block;  /* arena.c */
struct steady__defer;        /* arena.c */
struct steady__wait_state;   /* wait.c */
struct steady__names;        /* names.c */
struct steady__shm;          /* shm.c */
struct steady__iso;          /* isolate.c */
struct steady__bundle_block; /* bundle.c */

#define STEADY__INTENT_MAX 16u
#define STEADY__LAT_SAMPLES 64u

struct steady__bell {
    alignas(STEADY_CACHE_LINE) _Atomic uint32_t seq;
    _Atomic uint32_t sleeping;
    _Atomic uint64_t *wake_counter; /* the graph's futex-wake diagnostic */
    bool shared; /* rung across processes (an ISOLATED graph): no _PRIVATE futex ops */
    /* The eventfd a thread parked on descriptors sleeps on (bell.c), plus one: 0 = none yet
     * (the record is zeroed shared memory, and fd 0 is stdin). Made by the thread the first
     * time it parks on a descriptor, or while building for an ISOLATED troupe, so every process
     * forked later holds it under the same number. */
    _Atomic int32_t efd1;
    uint64_t efd_dev, efd_ino; /* its identity: user code may close the number and reuse it */
};

struct steady__arena {
    struct steady__arena_block *blocks; /* every live allocation, doubly linked */
    struct steady__defer *defers;       /* LIFO */
    _Atomic size_t bytes;               /* written by the actor's thread only */
};

/* How a generation ended, as the supervisor sees it. */
typedef enum steady__ending {
    STEADY__RETURNED = 0, /* run returned 0 */
    STEADY__FAILED,       /* non-zero return, steady_panic, STEADY_ASSERT, misuse */
} steady__ending;

/* The supervisor's view of one actor: its policy and the restart history the intensity limit
 * and the backoff streak need. Owned by the actor's thread once running. */
struct steady__supervision {
    steady_policy policy;
    uint64_t *restart_ns; /* ring of the last max_restarts restart times (NULL: unlimited) */
    uint32_t ring_len, ring_next;
    uint32_t streak;          /* restarts in the current backoff streak */
    uint64_t gen_start;       /* graph clock when the running generation started */
    _Atomic uint32_t pending; /* a restart was decided; its backoff or rewind is under way */
    uint64_t rng;             /* jitter: xorshift64* state */
};

struct steady__intent_op {
    steady_tx *tx; /* exactly one of tx, rx */
    steady_rx *rx;
    uint64_t to;
};

struct steady__intent {
    _Atomic uint32_t armed;
    uint32_t n;
    struct steady__intent_op op[STEADY__INTENT_MAX];
};

struct steady_channel {
    steady_graph *graph;
    uint32_t id;
    char *name;
    steady_ring *ring; /* header + slots, one allocation */
    /* The two ends on lines of their own: the producer writes tx.tail and tx.limit at every
     * send, the consumer reads rx.ring, rx.slots and rx.mask at every take; sharing a line
     * made every message move it between the two cores (1 KiB stream messages: 0.51x of a
     * hand-written ring before, 0.77x after, in the same runs; docs/PERFORMANCE.md). */
    alignas(STEADY_CACHE_LINE) steady_tx tx;
    alignas(STEADY_CACHE_LINE) steady_rx rx;
    /* What follows is read-mostly, off the ends' lines. */
    alignas(STEADY_CACHE_LINE) steady_actor *tx_owner; /* set by spawn; owner_gate at start */
    steady_actor *rx_owner;
    uint32_t ss_k;      /* steady_rx_set_showstopper: threshold (0: the supervisor leaves it) */
    steady_tx *ss_dead; /* its dead-letter end, or NULL: drop */
    /* The supervisor's showstopper counts (supervise.c). Written on the consumer's thread (or
     * by the warden while the consumer's process is dead); the others read relaxed snapshots.
     * Not in the public ring layout: no user code touches them. */
    _Atomic uint64_t ss_head;    /* the head index the showstopper count refers to */
    _Atomic uint32_t ss_count;   /* failed generations that died holding ss_head */
    _Atomic uint64_t ss_removed; /* showstoppers the supervisor took off (moved or dropped) */
    _Atomic uint64_t ss_dropped; /* of those, dropped */
    _Atomic uint64_t ss_lost;    /* of those, dropped although ss_dead was set (it was full or
                                    closed): lost against the design, so the stop is degraded */
    /* The latency probe's samples (latency.c): written by the consumer's thread (or child),
     * read by inspect readers on any thread. lat_ns[i % STEADY__LAT_SAMPLES] is sample i. */
    _Atomic uint64_t lat_seq; /* samples ever recorded */
    _Atomic uint64_t lat_ns[STEADY__LAT_SAMPLES];
    uint64_t lat_last_ns, lat_last_head; /* the consumer's: the last stamp's time and head */
    /* A bundle's lane: the bundle's base name (owned by bundle.c's block), lane, lane count. */
    const char *bundle;
    uint32_t lane, lanes;
    /* A stream's bytes channel: its lens channel, whose records say where the frames end
     * (frame.c mends a restarted producer's tail with them). NULL for other channels. */
    steady_channel *stream_lens;
    /* A channel whose ring is in a mapping shared with another process (ipc.c): this process
     * holds one end, the other process the other. NULL for other channels. */
    struct steady__ipc *ipc;
    steady_channel *next;
};

typedef enum steady__status {
    STEADY__NEW = 0,  /* not started yet */
    STEADY__RUNNABLE, /* resume at the next turn */
    STEADY__BLOCKED,  /* in a wait: resume when steady__wait_poll says so */
    STEADY__DONE,     /* returned or failed; its ends are closed */
} steady__status;

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
    bool isolated;                                /* SOLO in a child process */
    char *state_path;                             /* durable state file, or NULL */
    char link_kind[STEADY_LINK_KIND_MAX];         /* steady/link.h: "" when never described */
    char link_endpoint[STEADY_LINK_ENDPOINT_MAX]; /* written before start only */
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
    char last_failure[256];          /* the last failure's reason: written through failure.c only */
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
    _Atomic uint32_t started;        /* its first generation began (run.c), for inspect.c */
    _Atomic uint32_t failure_seq;    /* last_failure's seqlock count (failure.c) */
    _Atomic uint64_t busy_ticks;     /* steady__ticks() spent running; see steady_actor_busy_ns */
    _Atomic uint64_t resumes;        /* times its troupe resumed it (troupe.c), for inspect.c */
    _Atomic uint32_t fd_waits;       /* descriptors its current wait names (wait.c; inspect.c) */
    _Atomic uint64_t wait_deadline;  /* its parked wait's earliest timer, graph clock; 0: none */
    _Atomic uint32_t parked;         /* 1 from parking in a wait until resumed (inspect.c) */
    _Atomic uint32_t link_state;     /* steady_link_state (link.c), any thread */
    _Atomic uint32_t link_downs;     /* UP -> DOWN changes (link.c) */
    _Atomic uint64_t slice_start;    /* steady__ticks() its current run began; 0: not running */
    _Atomic(const char *) veto_file;
    _Atomic(const char *) veto_expr;
    _Atomic int veto_line;
    /* main's snapshot at the vote deadline */
    bool vetoed;
};

struct steady_troupe {
    steady_graph *graph;
    /* The doorbells of channels between processes whose ends this troupe's members hold
     * (ipc.c): rung from the other process, so the park waits on them too (troupe.c idle). */
    struct steady__bell **ipc_bells;
    uint32_t *ipc_seen; /* each one's seq, read before the park's re-check */
    unsigned n_ipc_bells;
    char *name;
    uint32_t index;     /* its place in the graph's list (inspect.c) */
    bool solo;          /* the implicit troupe of one SOLO actor */
    bool isolated;      /* runs in a child process (isolate.c), not on a thread of this one */
    uint32_t iso_index; /* its slot in the graph's isolate.c table */
    bool pin;
    int core;
    steady_sched sched;
    steady_actor **members;
    size_t n_members;
    size_t cap_members;
    size_t stack_size;            /* the largest member stack */
    steady__stacks stacks;        /* a troupe on a thread: its members' stacks, mapped by main */
    steady__stack *member_stacks; /* ... one per member (private to main's process) */
    pthread_t thread;
    bool thread_started;
    bool left_running;   /* its thread did not leave after the stop (stop.c) */
    bool killed_at_stop; /* ISOLATED: its process did not leave after the stop and was killed */
    steady_troupe *next;

    /* Owned by the troupe's thread. */
    steady__fiber home; /* the thread's own context: the scheduler */
    size_t last;
    bool sched_refused;     /* its scheduler once returned an index out of range (logged once) */
    bool fd_park_degraded;  /* parked on descriptors without an eventfd (logged once) */
    bool ipc_park_degraded; /* parked without futex_waitv on its ipc doorbells (logged once) */
    uint64_t tick;          /* steady__ticks() at the last switch, for busy time */

    struct steady__bell bell;
    _Atomic uint32_t finished; /* the thread has left its loop */
    /* Where it runs now, for inspect.c: written by the troupe's thread (or ISOLATED child) as
     * it starts and cleared as it leaves; 0: not running. */
    _Atomic int32_t run_pid;
    _Atomic int32_t run_tid;
};

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
    steady_graph_hooks hooks;  /* a test's changes (steady/hooks.h); zeroed when none */
    steady_sched hooks_sched;  /* the copy hooks.sched points at */
    steady_troupe *one_troupe; /* hooks.one_thread: the troupe every actor joins (actor.c) */
    bool isolated;             /* some troupe runs in a child process (isolate.c) */
    struct steady__iso *iso;   /* the zygote and the warden; private to main's process */

    steady_channel *channels, **channels_tail;
    uint32_t n_channels;
    steady_channel **channel_by_id; /* n_channels entries (room for channel_by_id_cap) */
    uint32_t channel_by_id_cap;
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
    /* No zygote is left to start ISOLATED processes (isolate.c): the stop that follows is
     * degraded, whatever the actors did. The reason is written before the flag's release. */
    char zygote_lost_why[200];
    _Atomic bool zygote_lost;
    char *report; /* stop.c: the stop's report, final once stop_done */
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
