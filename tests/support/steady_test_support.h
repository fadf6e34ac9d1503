/*
 * steady_test_support.h: helpers shared by the cmocka test programs (every steady_test() links
 * steady_test_support.c).
 *
 * Expectations inside actors: a cmocka assertion must not run on an actor's thread (it would
 * longjmp across threads), so actors use EXPECT* instead, which only record the first mismatch;
 * the test thread calls assert_no_failed_expectation() after the graph stopped. Call
 * expect_reset() before each graph.
 *
 * Also: time (now_ns, ms_since, sleep_ms), graphs (new_graph, new_graph_opts, an idle actor
 * owning given ends, a watchdog wait), steady_last_error() checks, a log sink that captures lines
 * into `captured`, and (opt-in, see the end) a uint64_t channel fixture.
 */
#ifndef STEADY_TEST_SUPPORT_H
#define STEADY_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>

#include <steady/steady.h>

/* ---- expectations recorded inside actors ---------------------------------------------------- */

/* How many expectations failed since expect_reset(), and the first one ("file:line: what"). */
extern _Atomic int expect_failures;
extern char expect_first[512];

void expect_record(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define EXPECT(cond) ((cond) ? (void)0 : expect_record(__FILE__, __LINE__, "expected %s", #cond))
#define EXPECT_REASON(got, want)                                                                   \
    do {                                                                                           \
        steady_reason g_ = (got), w_ = (want);                                                     \
        if (g_ != w_)                                                                              \
            expect_record(__FILE__, __LINE__, "%s gave %s, expected %s", #got,                     \
                          steady_reason_name(g_), steady_reason_name(w_));                         \
    } while (0)
#define EXPECT_U64(got, op, want)                                                                  \
    do {                                                                                           \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                                      \
        if (!(g_ op w_))                                                                           \
            expect_record(__FILE__, __LINE__, "%s == %llu, expected %s %llu", #got,                \
                          (unsigned long long)g_, #op, (unsigned long long)w_);                    \
    } while (0)

void expect_reset(void);

/* On the test thread: fails the test if any expectation failed inside an actor. */
void assert_no_failed_expectation(void);

/* ---- time ----------------------------------------------------------------------------------- */

uint64_t now_ns(void); /* the monotonic clock, nanoseconds */
uint64_t ms_since(uint64_t t0);
void sleep_ms(unsigned ms);

/* ---- graphs --------------------------------------------------------------------------------- */

/* A new graph named `name` (may be NULL) without signal handlers; asserts it was made. */
steady_graph *new_graph(const char *name);

/* A new graph whose actors are never restarted: the first failure stops the actor for good and
 * shuts the graph down (for tests of what fails an actor). */
steady_graph *new_graph_no_restart(const char *name);

/* A new graph from `o`; asserts it was made. */
steady_graph *new_graph_opts(const steady_graph_opts *o);

/* Watchdog: sleeps in 2 ms steps while `*counter` is below `want` and g is running, for at most
 * `limit_ms`. False when the limit passed with the counter still below `want` and g still
 * running (a wait that wrongly blocks forever); true otherwise. */
bool await_counter_or_stop(steady_graph *g, _Atomic int *counter, int want, uint64_t limit_ms);

/* Spawns an actor named `name` on g that owns the given ends (NULL-terminated arrays; each may
 * be NULL) and only waits for shutdown. Returns steady_actor_spawn's result. */
steady_err spawn_with(steady_graph *g, const char *name, steady_tx *const *txs,
                      steady_rx *const *rxs, steady_tx_bundle *const *txbs,
                      steady_rx_bundle *const *rxbs);

/* Asserts that steady_last_error() mentions every one of the NULL-terminated fragments. */
void assert_last_error_mentions(const char *first, ...);

/* ---- processes ------------------------------------------------------------------------------- */

/* How many processes have `parent` as their parent (read from /proc). */
int children_of(int parent);

/* ---- other programs ------------------------------------------------------------------------- */

/* Runs the shell command `cmd` with `text` on its stdin (from a temporary file); returns its exit
 * status (-1: killed) and its stdout, NUL-terminated and cut at cap - 1 bytes, in out. Add
 * "2>&1" to cmd for its stderr too. */
int pipe_through(const char *cmd, const char *text, char *out, size_t cap);

/* ---- log capture ---------------------------------------------------------------------------- */

/* Lines logged through capture_sink, each followed by '\n'; NUL-terminated. Lines that would not
 * fit are dropped. */
extern char captured[16384];
extern size_t captured_len;

void capture_sink(void *ctx, steady_log_level level, const char *line, size_t len);

/* Empties `captured` and installs capture_sink. */
void capture_start(void);

/* Restores the default sink. */
void capture_stop(void);

/* ---- a uint64_t channel type and fixture ------------------------------------------------- */

/* The channel type most tests use: u64ch_tx, u64ch_rx, u64ch_tx_try_send, ... */
STEADY_CHANNEL_TYPE(u64ch, uint64_t);

/* cmocka setup and teardown: *state is a new graph (no signal handlers), freed afterwards. */
int graph_setup(void **state);
int graph_teardown(void **state);

/* Makes a u64ch channel named "u64" of `capacity` on the fixture's graph; asserts it was made. */
void new_u64(void **state, uint64_t capacity, u64ch_tx *tx, u64ch_rx *rx);

/* Sends and takes `n` elements (values base..base+n-1) so the next index is n further on. */
void move_through(u64ch_tx tx, u64ch_rx rx, uint64_t n, uint64_t base);

#endif /* STEADY_TEST_SUPPORT_H */
