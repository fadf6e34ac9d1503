/* steady/supervise.h — failure, restart policy and showstoppers.
 *
 * An actor fails when its run function returns non-zero, calls steady_panic(), fails a
 * STEADY_ASSERT, or misuses a channel. The failure unwinds to the actor's own entry frame
 * (solo or troupe member alike: the rest of the troupe keeps running), is logged with the
 * actor's label, regeneration and reason, and the supervisor decides:
 *
 *   restart   the same run function runs again on the same thread, with the same channels and
 *             the same state block (holding what the failed generation left), regeneration + 1,
 *             after a backoff delay. Memory from the actor's arena (steady/arena.h) is freed
 *             first. An actor is restarted during shutdown too, until it has voted yes, so a
 *             failure while draining loses nothing; a backoff is cut short by shutdown.
 *   escalate  when a restart would exceed the intensity limit (more than max_restarts within
 *             period_ms), or a TEMPORARY actor failed: the actor is stopped for good (its
 *             outputs close so downstream drains, its inputs close so producers see CLOSED;
 *             it no longer holds the vote back) and, by default
 *             (STEADY_ESCALATE_SHUTDOWN_GRAPH), shutdown is requested. The graph's stop then
 *             returns STEADY_EDEGRADED naming the actor, its failures and its last reason.
 *
 * Peek before commit: nothing leaves a channel until the actor takes it, and an output is
 * visible only once published. A restarted actor therefore finds the message it had peeked at
 * the head again, and anything it had written in place (poke_slice) but not published is
 * discarded. With the transactional commit (steady/batch.h) a failure before the commit leaves
 * inputs and outputs exactly as they were: exactly-once processing inside one process.
 *
 * Showstoppers. Each channel counts the failed generations of its consumer that died having
 * peeked its current head message without taking it (re-peeking in one generation, e.g. while
 * the output is full, does not count). steady_rx_is_showstopper(rx, k) says whether k such
 * generations died on the head. Configured per input (steady_rx_set_showstopper), the
 * supervisor itself moves such a message to a dead-letter channel, or drops it with a log line
 * and a counter, before the next restart: a poison message cannot cause an endless crash loop.
 * The count is per head message: a batch that fails in its middle counts against its first
 * element, so a batch consumer that sees steady_rx_showstopper_count(rx) > 0 should go one
 * element at a time past the head until it commits.
 */
#ifndef STEADY_SUPERVISE_H
#define STEADY_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>

#include "steady/actor.h"
#include "steady/channel.h"
#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- policy -------------------------------------------------------------------------------- */

typedef enum steady_restart {
    /* Restarted after a failure; returning 0 ends it. The default. */
    STEADY_RESTART_TRANSIENT = 0,
    /* Restarted after a failure, and also when it returns 0 while the graph is running
     * (a return after shutdown was requested is its yes vote, as always). */
    STEADY_RESTART_PERMANENT,
    /* Never restarted: a failure stops it for good (then the escalation applies). */
    STEADY_RESTART_TEMPORARY,
} steady_restart;

/* What stopping an actor for good does to the rest of the graph. Either way the stop of the
 * graph then returns STEADY_EDEGRADED and names the actor (steady/graph.h). */
typedef enum steady_escalation {
    /* The actor stops for good and shutdown is requested: the rest of the graph drains and
     * stops, and the process can exit non-zero for its own supervisor (systemd, a container
     * runtime) to restart it. The default, as in Erlang/OTP: a graph that lost a stage is an
     * outage, not something to run on quietly. 0, so a zeroed policy escalates too. */
    STEADY_ESCALATE_SHUTDOWN_GRAPH = 0,
    /* The actor stops for good; the graph runs on without it (its ends close, so its
     * neighbours see CLOSED). For actors the graph can do without. */
    STEADY_ESCALATE_STOP_ACTOR = 1,
} steady_escalation;

#define STEADY_UNLIMITED UINT32_MAX

/* A restart policy. Start from STEADY_POLICY_DEFAULT and change fields: every field is taken
 * literally (a backoff floor of 0 restarts at once). Times are milliseconds of the graph clock.
 *
 * Backoff: the n-th restart in a streak waits floor_ms * 2^(n-1), at most ceiling_ms, then
 * scaled by a random factor in [1 - jitter_pct/100, 1 + jitter_pct/100]. A streak ends when a
 * generation runs for period_ms without failing.
 * Intensity: at most max_restarts restarts within any period_ms window (STEADY_UNLIMITED: no
 * limit; at most 65536 otherwise); the failure that would exceed it escalates. */
typedef struct steady_policy {
    steady_restart restart;
    uint32_t backoff_floor_ms;
    uint32_t backoff_ceiling_ms;
    uint32_t jitter_pct; /* 0..100 */
    uint32_t max_restarts;
    uint32_t period_ms;
    steady_escalation escalation;
} steady_policy;

/* Transient; backoff 1 ms doubling to 1 s with 20 % jitter; at most 10 restarts within 10 s,
 * then the actor stops for good and the graph shuts down (STEADY_EDEGRADED). An actor failing at
 * once every time is thus restarted ten times within about one second (1 + 2 + ... + 512 ms of
 * backoff) and stopped at the eleventh failure; occasional failures never come close. */
#ifndef __cplusplus
#define STEADY_POLICY_DEFAULT                                                                      \
    ((steady_policy){.restart = STEADY_RESTART_TRANSIENT,                                          \
                     .backoff_floor_ms = 1,                                                        \
                     .backoff_ceiling_ms = 1000,                                                   \
                     .jitter_pct = 20,                                                             \
                     .max_restarts = 10,                                                           \
                     .period_ms = 10000,                                                           \
                     .escalation = STEADY_ESCALATE_SHUTDOWN_GRAPH})
#else
/* C++17 has neither compound literals nor designated initialisers: the same values in field
 * order (tests/headers checks that both languages get the same bytes). */
#define STEADY_POLICY_DEFAULT                                                                      \
    (steady_policy{STEADY_RESTART_TRANSIENT, 1, 1000, 20, 10, 10000,                               \
                   STEADY_ESCALATE_SHUTDOWN_GRAPH})
#endif

/* ---- failing ------------------------------------------------------------------------------- */

/* Fails the calling actor with a formatted reason; never returns. Outside an actor it logs the
 * reason and aborts the process. */
STEADY__NORETURN STEADY_API void steady_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* steady_panic with the caller's place: the reason reads "panic: file.c:42: <message>" (the
 * file by its base name, as STEADY_ASSERT's). A format string is required. */
#define STEADY_PANIC(...) steady__panic_at(__FILE__, __LINE__, __VA_ARGS__)

/* Fails the calling actor when expr is false, with "assertion failed: file:line: expr".
 * Always evaluated (NDEBUG does not remove it). */
#define STEADY_ASSERT(expr) ((expr) ? (void)0 : steady__assert_fail(__FILE__, __LINE__, #expr))

/* Restarts so far (the same as steady_actor_regeneration). Any thread. */
STEADY_API uint32_t steady_actor_restarts(const steady_actor *a);
/* Failures so far, including the one that stopped it for good, if any. Any thread. */
STEADY_API uint32_t steady_actor_failures(const steady_actor *a);
/* True once the supervisor has stopped the actor for good (intensity exceeded, or a failed
 * temporary actor). Any thread. */
STEADY_API bool steady_actor_stopped_for_good(const steady_actor *a);
/* The reason of the actor's last failure ("run returned 3", "panic: ...", "its process was
 * killed by SIGSEGV ..."), or "" when it never failed; at most 255 bytes. The actor's own
 * thread, or any thread once the graph has stopped (a failure rewrites the text). */
STEADY_API const char *steady_actor_last_failure(const steady_actor *a);

/* ---- showstoppers -------------------------------------------------------------------------- */

/* True when the head message is there and at least k (k >= 2; a smaller k fails the calling
 * actor, and outside actors returns false with STEADY_EINVAL's detail) failed generations died
 * having peeked it without taking it. Owner only. */
STEADY_API bool steady_rx_is_showstopper(steady_rx *rx, uint32_t k);
/* How many failed generations died holding the current head (0 when the head moved on or the
 * channel is empty). Owner only. */
STEADY_API uint32_t steady_rx_showstopper_count(steady_rx *rx);

/* Configures the supervisor's handling of this input (BUILDING only; main thread): when k
 * (>= 2) failed generations died on the head message, it is taken off the channel before the
 * next restart and sent to dead_letter, or, when dead_letter is NULL, dropped. Either way a
 * warning names the actor, the channel, the message's index and the count. dead_letter must
 * carry elements of the same size and be given to the same actor (list it in its txs); when it
 * is full or closed, the message is dropped and that is logged too. Checked by
 * steady_graph_start. Errors: STEADY_EINVAL (k < 2, element sizes differ), STEADY_ESTATE. */
STEADY_API steady_err steady_rx_set_showstopper(steady_rx *rx, uint32_t k, steady_tx *dead_letter);
/* Messages the supervisor has taken off this channel as showstoppers (moved or dropped), and of
 * those, how many were dropped. Any thread. */
STEADY_API uint64_t steady_channel_showstoppers(const steady_channel *ch);
STEADY_API uint64_t steady_channel_showstoppers_dropped(const steady_channel *ch);

/* ---- private ------------------------------------------------------------------------------- */

STEADY__NORETURN STEADY_API void steady__assert_fail(const char *file, int line, const char *expr);
STEADY__NORETURN STEADY_API void steady__panic_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
