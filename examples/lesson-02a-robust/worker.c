/* worker.c — on each beat, turns the values waiting for it into FizzBuzz messages; fails on
 * the poison value, every time it meets it.
 *
 * Transactional commit: the worker peeks the values in place (u64ch_rx_peek_slice), writes
 * the messages in place (fbch_tx_poke_slice), and then u64ch_to_fbch_commit publishes the messages
 * and takes the values in one step. Before that step nothing has moved; after it, both have.
 * So there is no moment at which a failure could leave a value taken but its message unsent
 * (lost) or a message sent but its value still there (sent twice on restart).
 *
 * The poison value never enters a batch: a batch stops just before it and is committed, so
 * the poison is then the head of the values channel. The worker peeks it and fails. Each
 * failed generation that peeked the head and did not take it counts against that message;
 * after SHOWSTOPPER_TRIES of them the supervisor moves it to the dead-letter channel
 * (configured in main.c) before the next restart, and the worker carries on with the value
 * after it.
 *
 * --isolated: the worker runs in a child process, and on the poison it writes through a null
 * pointer instead of panicking. The kernel kills the child with SIGSEGV; the parent's warden
 * logs the signal and restarts the worker in a new child under the same policy. Nothing else
 * changes: the peek before the crash marks the head in the channel's shared record, so the
 * failed generation counts against the poison as a panic's would, and the state block (shared
 * memory too) still holds the counts the restart lines show. */
#define _POSIX_C_SOURCE 200809L /* getpid */

#include <inttypes.h>
#include <unistd.h>

#include "lesson02a.h"

#define BATCH 256

/* Converts min(values ready, room downstream, BATCH) values, stopping before the poison, and
 * commits them; returns how many. */
static size_t process_batch(worker_io *io, worker_state *st, uint64_t poison)
{
    u64ch_span in = u64ch_rx_peek_slice(io->values);
    fbch_span out = fbch_tx_poke_slice(io->out);
    size_t n = u64ch_span_len(in);
    size_t room = fbch_span_len(out);
    n = n < room ? n : room;
    n = n < BATCH ? n : BATCH;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = *u64ch_span_at(in, i);
        if (v == poison) {
            n = i;
            break;
        }
        *fbch_span_at(out, i) = fizzbuzz_of(v);
    }
    if (n == 0)
        return 0;
    steady_err e = u64ch_to_fbch_commit(io->values, n, io->out, n);
    STEADY_ASSERT(e == STEADY_OK); /* n fits both ends: it came from their spans */
    st->values += n;
    return n;
}

/* A native crash, as a bug in C code would cause one. no_sanitize: UBSan would report the null
 * write and end the process by itself; it must stay a real fault that the kernel signals. */
__attribute__((no_sanitize("undefined"))) static void write_through_null(void)
{
    volatile uint64_t *volatile nowhere = NULL;
    *nowhere = 1;
}

/* Fails the worker when the head of the values channel is the poison value: a panic, or with
 * --isolated a real SIGSEGV. Either way the head was peeked first (try_peek), which is what
 * makes the failed generation count against it as a showstopper. */
static void refuse_poison(worker_io *io, const lesson02a_args *args)
{
    uint64_t v;
    if (u64ch_rx_try_peek(io->values, &v) != STEADY_OK || v != args->poison)
        return;
    unsigned tries = u64ch_rx_showstopper_count(io->values) + 1;
    if (!args->isolated)
        steady_panic("value %" PRIu64 " is poison (try %u; after %u it is moved aside)", v, tries,
                     SHOWSTOPPER_TRIES);
    STEADY_WARN("value %" PRIu64 " is poison (try %u; after %u it is moved aside): writing "
                "through a null pointer",
                v, tries, SHOWSTOPPER_TRIES);
    write_through_null();
    steady_panic("value %" PRIu64 ": the null write did not fault", v); /* not reached */
}

static void announce(worker_state *st, const lesson02a_args *args)
{
    if (st->starts++ == 0)
        STEADY_INFO("Worker starting; the poison value is %" PRIu64, args->poison);
    else
        STEADY_INFO("Worker starting (restart #%u) with beats: %" PRIu64 ", values: %" PRIu64,
                    st->starts - 1, st->beats, st->values);
    if (args->isolated) /* each generation in a new child process */
        STEADY_INFO("Worker runs in process %ld; main's is %" PRIu64, (long)getpid(),
                    args->main_pid);
}

/* Running: waits for a beat and takes every beat there. Draining (the heartbeat has stopped):
 * waits for a value and room for it. Returns the wait's reason. */
static steady_reason await_work(steady_actor *a, worker_io *io, worker_state *st)
{
    if (u64ch_rx_is_closed_and_empty(io->beats))
        return steady_wait_all(a, STEADY_AVAIL(io->values, 1), STEADY_VACANT(io->out, 1)).reason;
    steady_reason r = steady_wait_avail(a, io->beats, 1);
    uint64_t beat;
    while (r == STEADY_READY && u64ch_rx_try_take(io->beats, &beat) == STEADY_OK)
        st->beats++;
    /* CLOSED on the beats only means the heartbeat stopped: drain on the next pass */
    return r == STEADY_CLOSED ? STEADY_SHUTDOWN : r;
}

int worker_run(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    worker_state *st = steady_actor_state(a);
    const lesson02a_args *args = steady_actor_args(a);
    announce(st, args);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->beats)) &&
                                 STEADY_I(u64ch_rx_is_closed_and_empty(io->values)) &&
                                 STEADY_I(fbch_tx_close(io->out)) &&
                                 STEADY_I(u64ch_tx_close(io->dead)))) {
        steady_reason r = await_work(a, io, st);
        if (r == STEADY_CLOSED)
            break; /* values closed and drained, or the logger is gone: nothing more to do */
        if (r != STEADY_READY)
            continue;
        process_batch(io, st, args->poison);
        refuse_poison(io, args);
    }
    STEADY_INFO("Worker shutting down. Beats: %" PRIu64 ", values: %" PRIu64, st->beats,
                st->values);
    return 0;
}
