/* worker.c — lesson 02A's worker in the project steady-new makes from
 * examples/gallery/lesson-02a.toml: on each beat, the values waiting become FizzBuzz messages;
 * it fails on the poison value, every time it meets it.
 *
 * Transactional commit: the worker peeks the values in place, writes the messages in place,
 * and uint64_ch_to_fizzbuzz_msg_ch_commit publishes the messages and takes the values in one
 * step. Before that step nothing has moved; after it, both have: no failure can lose a value
 * or send a message twice.
 *
 * The poison never enters a batch: a batch stops just before it and is committed, so the
 * poison is then the head of the values channel. The worker peeks it (try_peek) and fails
 * before taking it. Each generation that died having peeked the head counts against it; after
 * the description's showstopper = 3 such generations the supervisor moves it to the dead
 * letters before the next restart, and the worker carries on with the value after it.
 *
 * How it fails depends on where the description places it. Solo (the description's default),
 * on a thread of the program's process: it returns an error, as lesson 02A's worker panics.
 * Isolated, in a child process of its own: it writes through a null pointer, as a bug in
 * native code would, and the kernel kills the child with SIGSEGV; the parent logs the signal
 * and restarts the worker in a new child (lesson 02A's --isolated). The channels and the state
 * block are then in the graph's shared memory, so the peek before the crash counts in the
 * parent, and the counts below survive each child. */
#define _POSIX_C_SOURCE 200809L /* getpid */

#include <inttypes.h>
#include <stddef.h>
#include <unistd.h>

#include "lesson02a_gen.h"

#define POISON 33u
#define SHOWSTOPPER_TRIES LESSON02A_VALUES_SHOWSTOPPER /* the description says it (gen/) */
#define BATCH 256

enum { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ };

/* uint64_ch_to_fizzbuzz_msg_ch_commit: the transactional step (steady/typed.h) */
STEADY_MAP_TYPE(uint64_ch, fizzbuzz_msg_ch);

static fizzbuzz_msg fizzbuzz_of(uint64_t v)
{
    fizzbuzz_msg m = {v, v % 15 == 0  ? FB_FIZZBUZZ
                         : v % 3 == 0 ? FB_FIZZ
                         : v % 5 == 0 ? FB_BUZZ
                                      : FB_VALUE};
    return m;
}

/* Converts min(values ready, room downstream, BATCH) values, stopping before the poison, and
 * commits them. */
static void process_batch(worker_io *io, worker_state *st)
{
    uint64_ch_span in = uint64_ch_rx_peek_slice(io->values);
    fizzbuzz_msg_ch_span out = fizzbuzz_msg_ch_tx_poke_slice(io->fizzbuzz);
    size_t n = uint64_ch_span_len(in), room = fizzbuzz_msg_ch_span_len(out);
    n = n < room ? n : room;
    n = n < BATCH ? n : BATCH;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = *uint64_ch_span_at(in, i);
        if (v == POISON) {
            n = i;
            break;
        }
        *fizzbuzz_msg_ch_span_at(out, i) = fizzbuzz_of(v);
    }
    if (n == 0)
        return;
    steady_err e = uint64_ch_to_fizzbuzz_msg_ch_commit(io->values, n, io->fizzbuzz, n);
    STEADY_ASSERT(e == STEADY_OK); /* n fits both ends: it came from their spans */
    st->values += n;
}

/* The program's process id, noted before main runs: an isolated actor's process is forked from
 * the program, so it inherits this value under another getpid(). */
static long program_pid;

__attribute__((constructor)) static void note_program_pid(void)
{
    program_pid = (long)getpid();
}

static bool in_own_process(void)
{
    return (long)getpid() != program_pid;
}

/* A native crash. no_sanitize: UBSan would report the null write and end the process by
 * itself; it must stay a real fault that the kernel signals. */
__attribute__((no_sanitize("undefined"))) static void write_through_null(void)
{
    volatile uint64_t *volatile nowhere = NULL;
    *nowhere = 1;
}

/* True when the head of the values channel is the poison: the worker must fail. Isolated, its
 * process dies here instead. The head is peeked first (try_peek), which is what makes the
 * failed generation count against it as a showstopper. */
static bool head_is_poison(worker_io *io)
{
    uint64_t v;
    if (uint64_ch_rx_try_peek(io->values, &v) != STEADY_OK || v != POISON)
        return false;
    unsigned tries = uint64_ch_rx_showstopper_count(io->values) + 1;
    if (!in_own_process()) { /* a SIGSEGV would take the whole program down */
        STEADY_WARN("value %" PRIu64 " is poison (try %u; after %u it is moved aside): failing", v,
                    tries, SHOWSTOPPER_TRIES);
        return true;
    }
    STEADY_WARN("value %" PRIu64 " is poison (try %u; after %u it is moved aside): writing "
                "through a null pointer",
                v, tries, SHOWSTOPPER_TRIES);
    write_through_null();
    steady_panic("value %" PRIu64 ": the null write did not fault", v); /* not reached */
}

static void announce(worker_state *st)
{
    if (st->starts++ == 0)
        STEADY_INFO("Worker starting; the poison value is %u", POISON);
    else
        STEADY_INFO("Worker starting (restart #%u) with beats: %" PRIu64 ", values: %" PRIu64,
                    st->starts - 1, st->beats, st->values);
    STEADY_INFO("Worker runs in process %ld; the program's is %ld", (long)getpid(), program_pid);
}

/* Running: waits for a beat and takes every beat there. Draining (the heartbeat has stopped):
 * waits for a value and room for it. Returns the wait's reason. */
static steady_reason await_work(steady_actor *a, worker_io *io, worker_state *st)
{
    if (uint64_ch_rx_is_closed_and_empty(io->beats))
        return steady_wait_all(a, STEADY_AVAIL(io->values, 1), STEADY_VACANT(io->fizzbuzz, 1))
            .reason;
    steady_reason r = steady_wait_avail(a, io->beats, 1);
    uint64_t beat;
    while (r == STEADY_READY && uint64_ch_rx_try_take(io->beats, &beat) == STEADY_OK)
        st->beats++;
    /* CLOSED on the beats only means the heartbeat stopped: drain on the next pass */
    return r == STEADY_CLOSED ? STEADY_SHUTDOWN : r;
}

int worker_run(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    worker_state *st = steady_actor_state(a); /* kept across restarts (and processes) */
    announce(st);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_rx_is_closed_and_empty(io->beats)) &&
                                 STEADY_I(uint64_ch_rx_is_closed_and_empty(io->values)) &&
                                 STEADY_I(fizzbuzz_msg_ch_tx_close(io->fizzbuzz)) &&
                                 STEADY_I(uint64_ch_tx_close(io->dead)))) {
        steady_reason r = await_work(a, io, st);
        if (r == STEADY_CLOSED)
            break; /* values closed and drained, or the logger is gone: nothing more to do */
        if (r != STEADY_READY)
            continue;
        process_batch(io, st);
        if (head_is_poison(io))
            return 1; /* a failed generation: the supervisor restarts it */
    }
    STEADY_INFO("Worker shutting down. Beats: %" PRIu64 ", values: %" PRIu64, st->beats,
                st->values);
    return 0;
}
