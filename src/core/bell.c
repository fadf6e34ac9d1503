/* core/bell.c — thread doorbells: how a parked troupe thread is woken.
 *
 * Protocol (waker W, sleeper S):
 *   S: s = seq (acquire); sleeping = 1; heavy fence; re-check conditions; futex_wait(seq, s)
 *   W: publish data (release); see the sleeper's want; seq += 1; if (sleeping) futex_wake
 * If W bumps seq after S read it, futex_wait returns at once (the value changed). If W read
 * sleeping == 0, S had not yet set it, so S's re-check (after the fence) sees W's data.
 * seq_cst on seq and sleeping makes the W side's "bump then read sleeping" and the S side's
 * "set sleeping then re-check" a Dekker pair. The futex word is accessed with acquire/release
 * as well, since TSan does not see the futex syscall as synchronisation.
 */
#include "core/internal.h"

#include <errno.h>
#include <limits.h>
#include <time.h>

#include "platform/futex.h"

void steady__bell_ring(struct steady__bell *b)
{
    /* seq_cst: the waker's half of the Dekker pair with the sleeper's store of sleeping and its
     * re-check (troupe.c idle; file comment). */
    atomic_fetch_add_explicit(&b->seq, 1, memory_order_seq_cst);
    /* seq_cst: reads sleeping after the bump; pairs with the sleeper's seq_cst store (troupe.c
     * idle). */
    if (atomic_load_explicit(&b->sleeping, memory_order_seq_cst)) {
        if (b->wake_counter)
            atomic_fetch_add_explicit(b->wake_counter, 1, memory_order_relaxed);
        steady__futex_wake(&b->seq, INT_MAX, b->shared);
    }
}

void steady__futex_wait_for(_Atomic uint32_t *word, uint32_t seen, uint64_t timeout_ns, bool shared)
{
    struct timespec rel, *relp = NULL;
    if (timeout_ns == 0)
        return;
    if (timeout_ns != UINT64_MAX) {
        rel.tv_sec = (time_t)(timeout_ns / 1000000000u);
        rel.tv_nsec = (long)(timeout_ns % 1000000000u);
        relp = &rel;
    }
    steady__futex_wait(word, seen, relp, shared);
}

void steady__bell_sleep(struct steady__bell *b, uint32_t seq, uint64_t timeout_ns)
{
    steady__futex_wait_for(&b->seq, seq, timeout_ns, b->shared);
}
