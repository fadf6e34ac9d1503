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
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform/futex.h"

void steady__bell_ring(struct steady__bell *b)
{
    /* seq_cst: the waker's half of the Dekker pair with the sleeper's store of sleeping and its
     * re-check (troupe.c idle; file comment). */
    atomic_fetch_add_explicit(&b->seq, 1, memory_order_seq_cst);
    /* seq_cst: reads sleeping after the bump; pairs with the sleeper's seq_cst store (troupe.c
     * idle). */
    uint32_t sleeping = atomic_load_explicit(&b->sleeping, memory_order_seq_cst);
    if (sleeping == STEADY__AWAKE)
        return;
    if (b->wake_counter)
        atomic_fetch_add_explicit(b->wake_counter, 1, memory_order_relaxed);
    if (sleeping == STEADY__PARKED_FUTEX) {
        steady__futex_wake(&b->seq, INT_MAX, b->shared);
        return;
    }
    /* Parked in ppoll: the eventfd, stored before sleeping (seq_cst) and so visible here. An
     * error (EAGAIN: the counter is full of earlier rings) still leaves it readable. */
    /* relaxed: ordered after its store by the sleeper's seq_cst store of sleeping, which this
     * thread's seq_cst load above read (the sleeper makes the eventfd first: troupe.c idle). */
    int32_t efd1 = atomic_load_explicit(&b->efd1, memory_order_relaxed);
    uint64_t one = 1;
    if (efd1 > 0)
        (void)!write(efd1 - 1, &one, sizeof one);
}

/* The number still names our eventfd: user code of this process may have closed it and reused
 * the number (a daemon-style actor closing every inherited descriptor). One fstat per park on
 * descriptors: a ppoll on a number that is now the user's would never be rung. */
static bool still_ours(const struct steady__bell *b, int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && (uint64_t)st.st_dev == b->efd_dev &&
           (uint64_t)st.st_ino == b->efd_ino;
}

int steady__bell_efd(struct steady__bell *b)
{
    int32_t efd1 = atomic_load_explicit(&b->efd1, memory_order_relaxed);
    if (efd1 > 0 && still_ours(b, efd1 - 1))
        return efd1 - 1;
    if (efd1 > 0) /* lost: ringers stop writing it; a shared bell gets no other (below) */
        atomic_store_explicit(&b->efd1, 0, memory_order_relaxed);
    if (b->shared) { /* made before the fork or never: another process could not write it */
        errno = EBADF;
        return -1;
    }
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0) {
        b->efd_dev = (uint64_t)st.st_dev;
        b->efd_ino = (uint64_t)st.st_ino;
        atomic_store_explicit(&b->efd1, fd + 1, memory_order_relaxed);
    }
    return fd;
}

void steady__bell_close(struct steady__bell *b)
{
    int32_t efd1 = atomic_exchange_explicit(&b->efd1, 0, memory_order_relaxed);
    if (efd1 > 0 && still_ours(b, efd1 - 1))
        close(efd1 - 1); /* only our own: the number may be the user's by now */
}

void steady__bell_sleep_fds(struct steady__bell *b, uint32_t seq, uint64_t timeout_ns,
                            struct pollfd *pfds, unsigned n)
{
    /* acquire: pairs with steady__bell_ring's increment of seq; a bump since the caller read
     * seq means a ring it may have missed: no sleep. */
    if (timeout_ns == 0 || atomic_load_explicit(&b->seq, memory_order_acquire) != seq)
        return;
    struct timespec rel, *relp = NULL;
    if (timeout_ns != UINT64_MAX) {
        rel.tv_sec = (time_t)(timeout_ns / 1000000000u);
        rel.tv_nsec = (long)(timeout_ns % 1000000000u);
        relp = &rel;
    }
    int efd = (int)atomic_load_explicit(&b->efd1, memory_order_relaxed) - 1;
    pfds[n] = (struct pollfd){.fd = efd, .events = POLLIN};
    if (ppoll(pfds, n + 1, relp, NULL) <= 0 || !(pfds[n].revents & (POLLIN | POLLNVAL)))
        return;
    /* User code of this process may have closed the number (a daemon-style actor closing every
     * inherited descriptor) and reused it: read only our own eventfd. Otherwise stop using it;
     * the thread's descriptor parks are then bounded instead (troupe.c park_fds). */
    if ((pfds[n].revents & POLLNVAL) || !still_ours(b, efd)) {
        atomic_store_explicit(&b->efd1, 0, memory_order_relaxed);
        return;
    }
    uint64_t count;
    (void)!read(efd, &count, sizeof count); /* non-blocking: reset the counter */
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

int steady__bell_sleep_with(struct steady__bell *b, uint32_t seq, struct steady__bell *const *more,
                            const uint32_t *more_seen, unsigned n, uint64_t timeout_ns)
{
    enum { MAX = 128 };
    _Atomic uint32_t *words[MAX];
    uint32_t seen[MAX];
    bool shared[MAX];
    if (n >= MAX)
        return EINVAL;
    if (timeout_ns == 0)
        return 0;
    words[0] = &b->seq;
    seen[0] = seq;
    shared[0] = b->shared;
    for (unsigned i = 0; i < n; i++) {
        words[i + 1] = &more[i]->seq;
        seen[i + 1] = more_seen[i];
        shared[i + 1] = more[i]->shared;
    }
    int rc = steady__futex_waitv(words, seen, shared, n + 1, timeout_ns);
    return rc == ENOSYS || rc == EINVAL ? rc : 0;
}
