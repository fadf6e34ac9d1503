/* steady/testing.h — the testing kit (libsteady-testing, CMake steady::testing): test graphs,
 * injecting into and draining channels, expectations that print what differed, log capture,
 * and running until a condition holds, never sleeping a fixed time.
 *
 * Built on the public headers only (steady/hooks.h among them); production code never links
 * it. A test graph is an ordinary graph made with hooks: no signal handlers, telemetry off, and
 * an actor's failure stops the graph and is reported (steady_graph_block_until_stopped returns
 * STEADY_EDEGRADED naming the actor and its reason) instead of being restarted. The
 * application's own graph-building function runs on it unchanged. The test's thread is main:
 * it builds, starts, waits and frees.
 *
 * An expectation returns true when it holds; when it does not, it returns false, prints one
 * message to stderr and keeps it for steady_test_failure(), so any test framework can assert
 * on the result (assert_true(steady_test_expect_equal(...)) with cmocka).
 *
 * Thread-safety: everything from the test's thread, except where a call says "any thread".
 */
#ifndef STEADY_TESTING_H
#define STEADY_TESTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steady/channel.h"
#include "steady/clock.h"
#include "steady/error.h"
#include "steady/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- test graphs ---- */

typedef struct steady_test_opts {
    const char *name;          /* the graph's name; NULL: "test" */
    void *args;                /* steady_graph_opts.args */
    bool one_thread;           /* every actor a member of one troupe on one thread */
    const steady_sched *sched; /* with one_thread: the member order (NULL: round-robin) */
    bool restarts;             /* failures restart under the actors' policies, as in
                                  production (default: a failure stops the graph) */
    /* The stage manager: NULL-terminated labels ("worker", "worker-3") of the actors the test
     * plays itself. The application's graph-building function spawns them as usual; each is
     * replaced by a stand-in that owns the same ends and does what the test says
     * (steady_test_stage_send / _expect / _end). NULL: none. The strings are copied. */
    const char *const *stand_ins;
    /* Virtual time: every timed wait (STEADY_PERIODIC, STEADY_TIMEOUT) follows a clock that
     * moves only when the test says (steady_test_time_advance / _next), so an hour's period
     * takes no real time. The clock starts at 1 s. */
    bool virtual_time;
    /* Deterministic runs: non-zero runs every actor on one thread (one_thread), on virtual
     * time, in an order drawn from this seed, so a graph that does not hear from the test
     * while it runs repeats its interleaving, and its log (steady_test_log_messages), for the
     * same seed. The environment variable STEADY_TEST_SEED=N overrides it (replay); a failed
     * expectation or wait then ends its message with the seed and how to replay it. */
    uint64_t seed;
} steady_test_opts;

/* Makes a test graph (BUILDING). opts may be NULL. Errors as steady_graph_new. */
STEADY_API steady_err steady_test_graph_new(steady_graph **out, const steady_test_opts *opts);
/* The seed of a deterministic test graph (steady_test_opts.seed or STEADY_TEST_SEED); 0 when
 * it is not one. */
STEADY_API uint64_t steady_test_seed(const steady_graph *g);
/* Frees the graph and what the kit made for it (injectors, drains). After the stop, or before
 * the start, as steady_graph_free. NULL: nothing. */
STEADY_API void steady_test_graph_free(steady_graph *g);

/* Writes one element as text into buf (cap bytes, NUL-terminated); for structs. NULL where a
 * format is asked for: 1-, 2-, 4- and 8-byte elements print as unsigned decimals, others as
 * hex bytes. */
typedef void (*steady_test_fmt)(char *buf, size_t cap, const void *elem);

/* ---- the stage manager: stand-ins driven by the test ---- */

/* The stand-in `actor` sends elem on its output `out` (its sending ends in spawn order: txs,
 * then each tx bundle's lanes), waiting up to timeout_ms for room. True when sent; false with
 * a message for an unknown actor (the stand-ins are listed), an output out of range, a channel
 * closed, a timeout, or a stand-in already ended. Test thread, while the graph runs. */
STEADY_API bool steady_test_stage_send(steady_graph *g, const char *actor, unsigned out,
                                       const void *elem, uint64_t timeout_ms);
/* The stand-in `actor` takes the next element of its input `in` (rxs, then each rx bundle's
 * lanes), waiting up to timeout_ms, and compares it with expected (the drain's rules: bytes,
 * or fmt only for the message). True when equal; false with a message: a mismatch shows both
 * values, a timeout what it waited for, and an unknown actor, a bad index or a closed channel
 * say so. The element taken is in *got when got is not NULL (its input's element size). */
STEADY_API bool steady_test_stage_expect(steady_graph *g, const char *actor, unsigned in,
                                         const void *expected, steady_test_fmt fmt,
                                         uint64_t timeout_ms, void *got);
/* How steady_test_stage_expect compares the elements the stand-in `actor` takes (true: equal);
 * NULL: their bytes. False (with a message) for an unknown actor. Test thread. */
STEADY_API bool steady_test_stage_compare(steady_graph *g, const char *actor,
                                          bool (*eq)(const void *a, const void *b));
/* Ends the stand-in: it returns, so its outputs close (downstream drains and its veto passes)
 * and its inputs stop holding producers back. False (with a message) for an unknown actor.
 * Test thread. */
STEADY_API bool steady_test_stage_end(steady_graph *g, const char *actor);

/* ---- virtual time (steady_test_opts.virtual_time) ---- */

/* The virtual clock's reading, ns; 0 when the graph has no virtual clock. Any thread. */
STEADY_API uint64_t steady_test_time_now(steady_graph *g);
/* Moves the virtual clock forward by ns and wakes every parked actor to look at it. False
 * (with a message) when the graph has no virtual clock. Test thread. */
STEADY_API bool steady_test_time_advance(steady_graph *g, uint64_t ns);
/* Waits (up to timeout_ms of real time) until every actor is waiting, then moves the clock to
 * the earliest timer any actor waits for and wakes them. False with a message when no actor
 * waits on a timer (nothing would ever happen), or the graph never went idle. Test thread. */
STEADY_API bool steady_test_time_next(steady_graph *g, uint64_t timeout_ms);
/* Until every actor is waiting (or has ended): nothing moves without the clock or the test. */
STEADY_API bool steady_test_until_idle(steady_graph *g, uint64_t timeout_ms);

/* ---- inject and drain ---- */

typedef struct steady_test_inject steady_test_inject;
typedef struct steady_test_drain steady_test_drain;

/* Spawns an actor `name` that owns tx and sends the n elements (copied now, tx's element size
 * each) in order, waiting for room; then it closes tx when close_after is true (downstream
 * drains and sees CLOSED), or keeps it open until shutdown. BUILDING only. STEADY_EINVAL (NULL
 * g, name or tx; elems NULL with n > 0), STEADY_ENOMEM, and steady_actor_spawn's errors. */
STEADY_API steady_err steady_test_inject_new(steady_graph *g, const char *name, steady_tx *tx,
                                             const void *elems, size_t n, bool close_after,
                                             steady_test_inject **out);
/* Elements sent so far. Any thread. */
STEADY_API uint64_t steady_test_inject_sent(const steady_test_inject *i);

/* Spawns an actor `name` that owns rx and takes everything that arrives, keeping a copy, until
 * the channel is closed and empty, also after shutdown is requested (its vote is the
 * producer's close: what a producer sends while it finishes is kept). BUILDING only. Errors as
 * steady_test_inject_new. */
STEADY_API steady_err steady_test_drain_new(steady_graph *g, const char *name, steady_rx *rx,
                                            steady_test_drain **out);
/* Elements taken so far. Any thread. */
STEADY_API size_t steady_test_drain_count(const steady_test_drain *d);
/* How the expectations on this drain compare two elements (true: equal); NULL: their bytes
 * (memcmp), which also compares a struct's padding. Test thread, before the expectations. */
typedef bool (*steady_test_eq)(const void *a, const void *b);
STEADY_API void steady_test_drain_compare(steady_test_drain *d, steady_test_eq eq);
/* The elements taken, in order (count of them, each the channel's element size). Valid until
 * the next take: read them after steady_graph_block_until_stopped, or when a run_until on the
 * drain's count returned and the actor waits. NULL when none. */
STEADY_API const void *steady_test_drain_items(const steady_test_drain *d);

/* ---- expectations ---- */

/* The drain holds exactly these n elements, in order. */
STEADY_API bool steady_test_expect_equal(const steady_test_drain *d, const void *expected, size_t n,
                                         steady_test_fmt fmt);
/* The drain starts with these n elements (it may hold more). */
STEADY_API bool steady_test_expect_prefix(const steady_test_drain *d, const void *expected,
                                          size_t n, steady_test_fmt fmt);
/* The n elements appear in the drain in this order, others between them allowed. */
STEADY_API bool steady_test_expect_in_order(const steady_test_drain *d, const void *expected,
                                            size_t n, steady_test_fmt fmt);
/* The drain holds exactly n elements / at least n. */
STEADY_API bool steady_test_expect_count(const steady_test_drain *d, size_t n);
STEADY_API bool steady_test_expect_count_at_least(const steady_test_drain *d, size_t n);
/* The last failed expectation's message ("" when none), this thread's. */
STEADY_API const char *steady_test_failure(void);

/* ---- log capture ---- */

/* Captures every log line (the library's and the actors') from now on, instead of printing
 * them; a second begin starts over. */
STEADY_API void steady_test_log_begin(void);
/* The n texts each appear in a captured line, in this order (one line may not serve two). */
STEADY_API bool steady_test_log_expect(const char *const *texts, size_t n);
/* The captured lines, one per line ("" when none). Valid until the next begin or end. */
STEADY_API const char *steady_test_log_text(void);
/* The captured lines without their time stamps: what a deterministic run repeats byte for
 * byte. Valid until the next begin or end (or the next call). */
STEADY_API const char *steady_test_log_messages(void);
/* Stops capturing: lines go to stderr again. */
STEADY_API void steady_test_log_end(void);

/* ---- run until ---- */

typedef bool (*steady_test_cond)(void *ctx);

/* Returns true as soon as cond(ctx) is true (it is asked on the test's thread, about every
 * 100 us), false when timeout_ms passed first: then the message (printed, and in
 * steady_test_failure) names `what` and says what the graph was doing: its state, each
 * actor's phase, whether it is parked in a wait (and its timer's due time, or how many
 * descriptors it waits on), restarts and last failure, each channel's fill. A graph that stops
 * meanwhile
 * ends the wait too (cond is asked once more). */
STEADY_API bool steady_test_run_until(steady_graph *g, steady_test_cond cond, void *ctx,
                                      uint64_t timeout_ms, const char *what);
/* Until the drain holds at least n elements. */
STEADY_API bool steady_test_until_drained(steady_graph *g, const steady_test_drain *d, size_t n,
                                          uint64_t timeout_ms);
/* Until the graph has stopped by itself (every actor ended): it does not request shutdown.
 * Then steady_graph_block_until_stopped returns at once with the verdict. */
STEADY_API bool steady_test_until_stopped(steady_graph *g, uint64_t timeout_ms);

/* ---- interleaving search ---- */

/* One run of a test under one schedule: makes a test graph with .seed = seed
 * (steady_test_graph_new), runs it, checks, frees it after its stop (the trace's last step is
 * read then); true when it passed. It must bound its own waits (run_until's timeouts). */
typedef bool (*steady_test_body)(void *ctx, uint64_t seed);

typedef struct steady_test_search_opts {
    unsigned schedules;   /* schedules to try, seeds first_seed, first_seed + 1, ...; 0: 200 */
    uint64_t first_seed;  /* 0: 1 */
    uint64_t timeout_ms;  /* real time after which no new schedule starts; 0: 30,000 */
    unsigned trace_steps; /* steps the failure's trace shows; 0: 16 (at most 4096) */
} steady_test_search_opts;

typedef struct steady_test_search_result {
    bool found;          /* a schedule failed */
    uint64_t seed;       /* its seed (0: none failed) */
    unsigned schedules;  /* schedules run, the failing one included */
    bool stopped_early;  /* the time bound (or the last seed, 2^64 - 1) came first */
    uint64_t elapsed_ms; /* real time the search took */
    /* The failing schedule's last steps ("" when none): the search's own copy, valid until
     * this thread's next search. */
    const char *trace;
} steady_test_search_result;

/* Runs body(ctx, seed) for one seed after another; each seed draws a schedule: half are random
 * walks (each step, any actor that can run), half PCT-style priority schedules (the highest
 * ready actor runs; at up to three change steps, and when it has run 64 times in a row while
 * another could, the one that runs drops to the lowest), one step being an actor's run from
 * one wait to the next. Stops at the first schedule whose body returns false: returns false
 * with a message (printed, and in steady_test_failure) that gives the seed, the schedule, the
 * body's own failure message, the replay line, and the trace of the last steps that sent,
 * took, ended or failed (which actor, what it sent and took, what it had waited for). With
 * STEADY_TEST_SEED=N in the environment the search runs schedule N alone, step for step the
 * same (the variable seeds every test graph of the process: run only that test). A body that
 * passes without having made a deterministic graph fails the search, saying so. True when
 * every schedule passed, also when the time bound stopped it first (stopped_early, and a line
 * on stderr). *out (may be NULL) gets the figures. False with a message for a NULL body. A
 * body may leave by longjmp (a failed cmocka assertion): no state of the search outlives it
 * but the trace length, which only sizes later traces. Test thread. */
STEADY_API bool steady_test_search(steady_test_body body, void *ctx,
                                   const steady_test_search_opts *opts,
                                   steady_test_search_result *out);

#ifdef __cplusplus
}
#endif
#endif
