/* lesson02a.h — the lesson 02A graph: lesson 01's pipeline, made to fail and to stay exact.
 *
 *   heartbeat --beats-->  worker --fizzbuzz--> logger
 *   generator --values-->/      \--dead letters--> dead-letters
 *
 * heartbeat and generator share one troupe (one thread); the others are solo (the worker, with
 * --isolated, in a child process).
 *
 * The worker fails on the poison value, every time it meets it; after SHOWSTOPPER_TRIES
 * failed generations the supervisor moves that value to the dead-letter channel. With
 * --chaos, heartbeat, generator and logger also fail now and then, each at a point chosen so
 * that no value is lost or counted twice (see each actor's file). Every actor keeps its
 * counters, its restart count and its chaos schedule in its state block, which survives its
 * restarts.
 *
 * With --isolated the worker runs in a child process of its own (the ISOLATED placement) and
 * fails on the poison as native code does, by writing through a null pointer: the kernel kills
 * the child with SIGSEGV, and the parent logs the signal and restarts it in a new child. Its
 * channels and state block are in the graph's shared memory, so everything above still holds.
 */
#ifndef LESSON02A_H
#define LESSON02A_H

#include <stdbool.h>
#include <stdint.h>

#include <steady/steady.h>

/* Failed generations on one head value before the supervisor moves it to the dead letters. */
#define SHOWSTOPPER_TRIES 3u

/* What the worker makes of a value: FizzBuzz for multiples of 15, Fizz of 3, Buzz of 5. */
typedef enum fizzbuzz_kind { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ } fizzbuzz_kind;

typedef struct fizzbuzz_msg {
    uint64_t value;
    uint32_t kind; /* fizzbuzz_kind */
} fizzbuzz_msg;

static inline fizzbuzz_msg fizzbuzz_of(uint64_t v)
{
    fizzbuzz_msg m = {v, v % 15 == 0  ? FB_FIZZBUZZ
                         : v % 3 == 0 ? FB_FIZZ
                         : v % 5 == 0 ? FB_BUZZ
                                      : FB_VALUE};
    return m;
}

STEADY_CHANNEL_TYPE(u64ch, uint64_t);
STEADY_CHANNEL_TYPE(fbch, fizzbuzz_msg);
STEADY_MAP_TYPE(u64ch, fbch); /* u64ch_to_fbch_commit: the worker's transactional step */

typedef struct lesson02a_args {
    uint64_t rate_ms;
    uint64_t beats;
    uint64_t capacity;
    uint64_t poison;
    uint64_t chaos; /* 0 or 1 */
    uint64_t seed;
    uint64_t isolated; /* 0 or 1: the worker in a child process, crashing for real */
    uint64_t main_pid; /* main's process id, for the worker to show it runs in another */
} lesson02a_args;

/* ---- chaos: a seeded schedule of transient failures (chaos.c) ------------------------------ */

/* Lives in an actor's state block, so a restarted generation continues the schedule instead
 * of failing again at the same step. Steps are units of progress (beats, batches), never time,
 * so a run's failures do not depend on how fast the machine is. */
typedef struct chaos_plan {
    uint64_t rng;       /* xorshift64* state; 0: chaos off */
    uint64_t max_gap;   /* the next failure comes 1..max_gap steps after the previous one */
    uint64_t next_step; /* the step at which to fail next */
    uint32_t fails;     /* failures so far */
    uint32_t max_fails; /* then no more (stays under the restart intensity limit) */
} chaos_plan;

/* Arms the plan when args->chaos is set (each actor passes its own salt). */
void chaos_arm(chaos_plan *c, const lesson02a_args *args, uint64_t salt);
/* True once when step reaches the next planned failure; the plan moves on first, so the
 * failure it asks for is never repeated by the restarted generation. */
bool chaos_strikes(chaos_plan *c, uint64_t step);

/* ---- actors ------------------------------------------------------------------------------- */

typedef struct heartbeat_io {
    u64ch_tx beats;
} heartbeat_io;
typedef struct generator_io {
    u64ch_tx values;
} generator_io;
typedef struct worker_io {
    u64ch_rx beats;
    u64ch_rx values;
    fbch_tx out;
    u64ch_tx dead; /* the supervisor sends the showstopper here, on the worker's behalf */
} worker_io;
typedef struct logger_io {
    fbch_rx in;
} logger_io;
typedef struct dead_letters_io {
    u64ch_rx in;
} dead_letters_io;

/* State blocks: owned by the graph, they survive every restart. `starts` counts the
 * generations begun: the first is the start, each later one is restart #(starts - 1). */
typedef struct heartbeat_state {
    uint32_t starts;
    uint64_t beats_recorded; /* what the last generation recorded; the channel is the truth */
    chaos_plan chaos;
} heartbeat_state;
typedef struct generator_state {
    uint32_t starts;
    uint64_t next_recorded; /* what the last generation recorded; the channel is the truth */
    uint64_t batches;       /* chaos steps */
    chaos_plan chaos;
} generator_state;
typedef struct worker_state {
    uint32_t starts;
    uint64_t beats, values;
} worker_state;
typedef struct logger_state {
    uint32_t starts;
    uint64_t counted; /* messages reflected in the counts: the index of the next to count */
    uint64_t fizz, buzz, fizzbuzz, value;
    uint64_t batches; /* chaos steps */
    chaos_plan chaos;
} logger_state;
typedef struct dead_letters_state {
    uint32_t starts;
    uint64_t count;
} dead_letters_state;

/* state_init functions (init_arg: the lesson02a_args) */
void heartbeat_init(void *state, void *args);
void generator_init(void *state, void *args);
void logger_init(void *state, void *args);

int heartbeat_run(steady_actor *a, void *io);
int generator_run(steady_actor *a, void *io);
int worker_run(steady_actor *a, void *io);
int logger_run(steady_actor *a, void *io);
int dead_letters_run(steady_actor *a, void *io);

#endif
