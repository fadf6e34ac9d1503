/* core/internal.h — the library's one internal umbrella: object layouts and the functions the
 * core modules share. Never installed.
 *
 * Threads: "main" builds, starts and stops the graph; each troupe (a solo actor is a troupe of
 * one) has one thread that runs its members on their own stacks. Fields are grouped by the
 * thread that writes them; fields another thread reads are atomics.
 */
#ifndef STEADY_CORE_INTERNAL_H
#define STEADY_CORE_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <pthread.h>
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/fiber.h"
#include "platform/stacks.h"
#include "steady/steady.h"

typedef struct steady__lazy_now steady__lazy_now; /* defined with the graph below */

#define STEADY__DEFAULT_STACK (256u * 1024u)
#define STEADY__MAX_STACK ((size_t)1 << 30) /* larger stacks are refused (EINVAL) */
/* Checks a stack size and a CPU to pin to (graph, troupe and actor options); `who` names the
 * object in the error. STEADY_OK or STEADY_EINVAL. */
steady_err steady__check_stack(size_t size, const char *who);
steady_err steady__check_core(bool pin, int core, const char *who);
#define STEADY__MAX_CONDS 32u
#define STEADY__PERIODIC_SLOTS 4u

/* ---- memory and errors (alloc.c, error.c) ---- */

void *steady__alloc(size_t size);                       /* zeroed; NULL on failure */
void *steady__alloc_aligned(size_t size, size_t align); /* zeroed */
void steady__free(void *p);
char *steady__strdup(const char *s);
/* Records err and a detail message for steady_last_error(); returns err. */
steady_err steady__fail(steady_err err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void steady__clear_error(void);

/* ---- shared memory (shm.c) ----
 * The graph's records, rings and state blocks live in MAP_SHARED chunks made while building, so
 * processes forked later share them at the same addresses. Zeroed; freed all at once. */
struct steady__shm;
struct steady__shm *steady__shm_new(void);
void *steady__shm_alloc(struct steady__shm *m, size_t size, size_t align);
size_t steady__shm_mapped(const struct steady__shm *m);
void steady__shm_free(struct steady__shm *m);
extern _Atomic int steady__shm_fail_next; /* tests: fail the next n allocations */
/* Why the last steady__shm_alloc failed, as a clause for an error message (the mapping limit
 * when the process is at it, else the size and strerror). */
void steady__shm_why(const struct steady__shm *m, char *buf, size_t cap);
/* vm.max_map_count, and this process's memory mappings now (-1 when unreadable). */
long steady__max_map_count(void);
long steady__mappings(void);

/* ---- doorbells (bell.c) ----
 * One per troupe thread. A waker bumps seq and, only if the owner sleeps, makes a futex wake.
 * The sleeper reads seq, sets sleeping, issues a heavy fence, re-checks its conditions, then
 * futex-waits on seq: a bump after the read makes the wait return at once. */
struct steady__bell {
    alignas(STEADY_CACHE_LINE) _Atomic uint32_t seq;
    _Atomic uint32_t sleeping;
    _Atomic uint64_t *wake_counter; /* the graph's futex-wake diagnostic */
    bool shared; /* rung across processes (an ISOLATED graph): no _PRIVATE futex ops */
};
void steady__bell_ring(struct steady__bell *b);
/* Sleeps until rung or for timeout_ns (UINT64_MAX: no limit; 0: returns at once). seq is the
 * value read before the last re-check. Spurious returns are allowed. */
void steady__bell_sleep(struct steady__bell *b, uint32_t seq, uint64_t timeout_ns);
/* Sleeps while *word == seen, for timeout_ns (UINT64_MAX: no limit; 0: returns at once).
 * shared: the word may be woken from another process. */
void steady__futex_wait_for(_Atomic uint32_t *word, uint32_t seen, uint64_t timeout_ns,
                            bool shared);

/* ---- the index of actor labels (names.c): main, while BUILDING ---- */

struct steady__names;
bool steady__names_has(const struct steady__names *n, const char *label);
/* Makes room for one more label (allocating the index on first use); false: out of memory. */
bool steady__names_reserve(struct steady__names **n);
/* Adds a label after a successful reserve (it cannot fail then). The label must outlive the
 * index: it is the actor's own. */
void steady__names_add(struct steady__names *n, const char *label);
void steady__names_free(struct steady__names *n);

/* ---- channels (channel.c) ---- */

struct steady_channel {
    steady_graph *graph;
    uint32_t id;
    char *name;
    steady_ring *ring; /* header + slots, one allocation */
    steady_tx tx;
    steady_rx rx;
    steady_actor *tx_owner; /* set by spawn; the end's owner_gate is set at start */
    steady_actor *rx_owner;
    uint32_t ss_k;      /* steady_rx_set_showstopper: threshold (0: the supervisor leaves it) */
    steady_tx *ss_dead; /* its dead-letter end, or NULL: drop */
    steady_channel *next;
};
void steady__channel_free(steady_channel *ch);
/* An end's kind, read from its tag (steady/channel.h): any non-NULL end pointer, whichever its
 * declared type. */
bool steady__end_is_rx(const void *end);
steady_channel *steady__end_channel(const void *end);
/* STEADY_OK when `tx` is a sending end (rx: a receiving end); otherwise the misuse is reported
 * (steady__misuse: STEADY_EINVAL naming operation `op`, the channel and the fix). */
steady_err steady__tx_check(const steady_tx *tx, const char *op);
steady_err steady__rx_check(const steady_rx *rx, const char *op);
/* Points each end's peer_bell at the other side's thread bell and sets the owners. Start. */
void steady__channel_wire(steady_channel *ch);

/* ---- bundles (bundle.c) ----
 * Each steady_bundle_new (and each join) makes one allocation: this header, the bundle
 * end(s), one lane array per end, and the name. The graph keeps them on a list and frees them
 * in steady_graph_free. */
struct steady__bundle_block {
    struct steady__bundle_block *next;
};
void steady__bundles_free(steady_graph *g);
/* STEADY_OK when `b` is a bundle end of the declared kind that actor `a` owns; otherwise the
 * misuse (NULL, the other kind, not a's) is reported by steady__misuse: a failure of the
 * calling actor. */
steady_err steady__tx_bundle_use(const steady_tx_bundle *b, const steady_actor *a, const char *op);
steady_err steady__rx_bundle_use(const steady_rx_bundle *b, const steady_actor *a, const char *op);

/* ---- supervision (supervise.c) and arenas (arena.c) ---- */

struct steady__arena_block; /* arena.c */
struct steady__defer;       /* arena.c */
struct steady__arena {
    struct steady__arena_block *blocks; /* every live allocation, doubly linked */
    struct steady__defer *defers;       /* LIFO */
    _Atomic size_t bytes;               /* written by the actor's thread only */
};
/* Runs the deferred clean-ups (LIFO), then frees every block. Actor's thread. */
void steady__arena_release(struct steady__arena *ar);

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

/* ---- actors (actor.c) ---- */

typedef enum steady__status {
    STEADY__NEW = 0,  /* not started yet */
    STEADY__RUNNABLE, /* resume at the next turn */
    STEADY__BLOCKED,  /* in a wait: resume when steady__wait_poll says so */
    STEADY__DONE,     /* returned or failed; its ends are closed */
} steady__status;

struct steady__wait_state; /* wait.c */

/* The intent record of a commit made by an ISOLATED actor (batch.c): the absolute index each
 * end will be moved to, written and armed before the first store and disarmed after the last.
 * If the child dies while it is armed, the warden completes the commit before the restart
 * (the stores are absolute, so doing one twice changes nothing). Lives in the actor's record,
 * in the graph's shared memory. */
#define STEADY__INTENT_MAX 16u
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
/* Makes `a` (NULL: none) the actor running on this thread, for the channel fast paths: both
 * words the open checks compare with (steady/channel.h). */
static inline void steady__set_self(steady_actor *a)
{
    steady__self = a;
    steady__self_rx = (uintptr_t)a | STEADY__GATE_RX;
}
void steady__actor_free(steady_actor *a);
/* Marks `a` as exited (once) and counts it toward the stop; wakes main. Any thread. */
void steady__actor_mark_exited(steady_actor *a);
/* The fiber entry of every actor: runs it, handles its end (return or failure), and leaves. */
void steady__actor_entry(void *actor);
/* Fails the running actor `a` with a logged reason: never returns (unwinds to its entry). */
_Noreturn void steady__actor_fail(steady_actor *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Misuse by the caller (STYLE.md rule 3): inside a running generation of an actor it fails that
 * actor with the message and never returns; anywhere else (main, a plain thread, the supervisor
 * between generations) it records the message as the detail and returns err. */
steady_err steady__misuse(steady_err err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Checks a policy's fields; `who` names the actor or graph in the error. */
steady_err steady__policy_check(const steady_policy *p, const char *who);
/* Copies the policy into the actor and allocates its restart history. Spawn. */
steady_err steady__supervision_init(steady_actor *a, const steady_policy *p);
/* Called on the actor's own stack when a generation ended (`why`: the failure's reason, or NULL
 * when it returned 0). Releases the arena, counts showstoppers, saves a durable state, then
 * decides: true when the actor is to run again (the backoff has been waited and the next
 * generation prepared), false when it is done (returned, voted, or stopped for good). */
bool steady__supervise(steady_actor *a, const char *why);
/* For an actor whose process died (ISOLATED): the same decision as steady__supervise, made by
 * the parent's warden; no wait. True with *delay_ns: restart it after that long, first calling
 * steady__restart_prepare (which also resets what a fresh process must find). */
bool steady__supervise_death(steady_actor *a, const char *why, uint64_t *delay_ns);
void steady__restart_prepare(steady_actor *a);
/* Showstopper settings that steady_graph_start checks (the dead letter's owner). */
steady_err steady__showstoppers_validate(steady_graph *g);

/* ---- state blocks (state.c) ---- */
/* Loads durable blocks or runs the initialisers, on main, at start. */
void steady__states_init(steady_graph *g);
/* Saves a durable block at the end of a generation; failures are logged. Actor's thread. */
void steady__state_save(steady_actor *a);

/* ---- durable state (durable.c) ----
 * File format and atomic replacement: see durable.c. Both functions may be called from any
 * thread, but never concurrently for the same path. */
typedef enum steady__load_result {
    STEADY__STATE_LOADED = 0, /* block holds the saved state */
    STEADY__STATE_MISSING,    /* no file at path: block untouched */
    STEADY__STATE_INVALID,    /* a file that is not a valid block of this size: untouched */
} steady__load_result;
/* Reads `path` into block when it holds a valid saved block of exactly `size` bytes. When it
 * does not, block is left as it was and `why` (cap bytes, NUL-terminated) says why: missing,
 * unreadable, truncated, wrong magic/version, size mismatch, checksum mismatch. */
steady__load_result steady__durable_load(const char *path, void *block, size_t size, char *why,
                                         size_t cap);
/* Saves block atomically: a temporary file in the same directory, written whole, fsync'ed,
 * renamed over `path`, then the directory fsync'ed. A crash at any point leaves the previous
 * file or the new one. STEADY_OK, or STEADY_ESYS with a steady__fail detail naming the path,
 * the step and strerror. */
steady_err steady__durable_store(const char *path, const void *block, size_t size);

/* Removes the temporary files that stores of `path` left unfinished: `<path>.tmp.<pid>.<n>` of
 * process `pid`, or (pid 0) of every process that no longer exists. Logs and returns how
 * many. Main at start (before loading), the warden after a child's death. */
unsigned steady__durable_sweep(const char *path, pid_t pid);

/* Completes a commit whose process died while its intent was armed (warden). True if it did. */
bool steady__intent_replay(steady_actor *a);

/* ---- troupes (troupe.c) ---- */

struct steady_troupe {
    steady_graph *graph;
    char *name;
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
    uint64_t tick; /* steady__ticks() at the last switch, for busy time */

    struct steady__bell bell;
    _Atomic uint32_t finished; /* the thread has left its loop */
};
/* Makes a troupe record (steady_troupe_new's work without its checks); solo: the implicit
 * troupe of one SOLO actor. Main, while BUILDING. */
steady_err steady__troupe_make(steady_graph *g, const steady_troupe_opts *o, bool solo,
                               steady_troupe **out);
steady_err steady__troupe_add(steady_troupe *t, steady_actor *a);
/* The troupe's whole life on the calling thread: its members' fibers, the scheduler, the end.
 * A thread's start routine, or an ISOLATED child's main. */
void steady__troupe_body(steady_troupe *t);
steady_err steady__troupe_start(steady_troupe *t);
/* Maps the members' stacks of a troupe on a thread (ISOLATED troupes map their own, in their
 * process). STEADY_ENOMEM / STEADY_ESYS with a detail naming vm.max_map_count and the fixes.
 * Main, at start. */
steady_err steady__troupe_map_stacks(steady_troupe *t);
void steady__troupe_unmap_stacks(steady_troupe *t);
void steady__troupe_free(steady_troupe *t);
/* Stack-overflow naming (overflow.c): per troupe thread, around its loop. */
void steady__overflow_thread_init(steady_troupe *t);
void steady__overflow_thread_fini(void);
/* In an ISOLATED child: fatal signals back to their default action (ours names overflows). */
void steady__overflow_after_fork(void);
/* Called by a member on its own stack: hand the thread back to the scheduler. */
void steady__troupe_switch_out(steady_actor *a);

/* ---- logging across processes (log.c) ---- */

/* In an ISOLATED child or a zygote: every line goes to ring `slot` (logring.c) instead of the
 * sink. Before the process starts threads. */
struct steady__logrings;
void steady__log_forward_to(struct steady__logrings *r, size_t slot);
/* In the parent: hands a line a child formatted to the sink (or stderr), as if logged here. */
void steady__log_emit_line(steady_log_level level, const char *line, size_t len);
/* After fork: the sink lock may have been held by a thread that does not exist here. */
void steady__log_after_fork(void);
/* The record a child writes: header then the line, never split. */
struct steady__log_record {
    uint16_t len; /* bytes of line that follow */
    uint8_t level;
};

/* ---- log rings (logring.c): ISOLATED children's lines to the parent ---- */

/* n rings (one per ISOLATED troupe, one for the zygotes) in the graph's shared memory. */
struct steady__logrings *steady__logrings_new(struct steady__shm *m, size_t n);
/* A child's writer: one record, or a count of a dropped one when it does not fit. Under the
 * caller's process-private lock. */
void steady__logring_write(struct steady__logrings *r, size_t slot, steady_log_level level,
                           const char *line, size_t len);
/* The parent: hands ring slot's whole records to the sink (`who` names it in a drop notice).
 * Under the parent's drain lock. */
void steady__logring_drain(struct steady__logrings *r, size_t slot, const char *who);
/* The drainer's wait: read the bell, drain, then sleep until it moves (or stop). */
uint32_t steady__logrings_seen(struct steady__logrings *r);
void steady__logrings_sleep(struct steady__logrings *r, uint32_t seen);
bool steady__logrings_stopping(struct steady__logrings *r);
void steady__logrings_stop(struct steady__logrings *r);

/* ---- the ISOLATED placement (isolate.c) ---- */

/* At start, before any troupe thread: registers the barriers, forks the zygote and starts the
 * warden. STEADY_ESYS / STEADY_EINVAL with the reason. Main. */
steady_err steady__iso_start(steady_graph *g);
/* Asks the zygote for the troupe's first process. */
steady_err steady__iso_spawn_first(steady_troupe *t);
/* After the vote: waits up to deadline_ns for the children to leave, then kills the ones
 * that have not (reported); every child is reaped. Main. */
void steady__iso_stop(steady_graph *g, uint64_t deadline_ns);
/* Stops the warden and the zygote; nothing of the graph's processes remains. Main. */
void steady__iso_free(steady_graph *g);
/* Tests: the serving zygote's pid (0: no ISOLATED troupe). Any thread. */
pid_t steady__iso_zygote_pid(const steady_graph *g);
/* Closes every end of `a` on its behalf (the warden, for a dead child stopped for good). */
void steady__actor_close_ends_for(steady_actor *a);

/* ---- waits (wait.c) ---- */

/* Evaluates a blocked actor's pending wait; true when it should be resumed: the wait is
 * complete, or a want it still needs was consumed by a wake-up for another condition on the
 * same channel (the actor publishes it again). Also returns the earliest deadline it still
 * waits for (0: none) through *deadline. Troupe thread. */
bool steady__wait_poll(steady_actor *a, steady__lazy_now *now, uint64_t *deadline);

/* ---- graph (graph.c, lifecycle.c) ---- */

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

/* Durations saturate: a + b past UINT64_MAX is UINT64_MAX, which every wait reads as "never"
 * (a deadline that wrapped used to be in the past: a huge timeout expired at once). */
static inline uint64_t steady__sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A cheap monotonic tick count for busy-time accounting (TSC on x86-64, else ns). */
static inline uint64_t steady__ticks(void)
{
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return steady__clock_fallback_ns();
#endif
}
uint64_t steady__clock_fallback_ns(void);
/* Converts a tick count to ns, by the tick rate measured since the first call. */
uint64_t steady__ticks_to_ns(uint64_t ticks);
void steady__ticks_calibrate(void);
/* True while some graph exists (made and not freed): the allocation hook stays as it is. */
bool steady__graphs_exist(void);
/* STEADY_OK unless the caller is an actor of g (which must not wait for, or free, its own
 * graph): then the misuse (steady__misuse: a failure of that actor). */
steady_err steady__not_from_own_actor(const steady_graph *g, const char *fn);
/* Wakes main out of block_until_stopped to re-check votes. Any thread. */
void steady__graph_event(steady_graph *g);
/* Rings every troupe's bell. Any thread; async-signal-safe. */
void steady__graph_ring_all(steady_graph *g);
/* State transitions shared by request paths. */
void steady__graph_request(steady_graph *g, const char *who);
/* A start that failed after threads ran: records the stop as unclean with `why`. Main. */
void steady__stop_after_failed_start(steady_graph *g, const char *why);
void steady__signals_install(steady_graph *g);
/* Honours a SIGINT/SIGTERM that arrived while the graph was starting. Main, after RUNNING. */
void steady__signals_started(steady_graph *g);
/* write(2) that never raises SIGPIPE (EPIPE instead), whatever the disposition; retries EINTR.
 * Async-signal-safe. */
ssize_t steady__write_quiet(int fd, const void *buf, size_t n);
void steady__signals_restore(steady_graph *g);

#endif
