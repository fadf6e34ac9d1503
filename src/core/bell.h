/* core/bell.h — thread doorbells (bell.c).
 *
 * One per troupe thread. A waker bumps seq and, only if the owner sleeps, makes a futex wake.
 * The sleeper reads seq, sets sleeping, issues a heavy fence, re-checks its conditions, then
 * futex-waits on seq: a bump after the read makes the wait return at once (bell.c has the
 * protocol and its pairings).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_BELL_H
#define STEADY_CORE_BELL_H

#include "core/base.h"

#include <poll.h>

/* Values of sleeping: awake, parked on the futex, parked in ppoll on the eventfd. */
enum { STEADY__AWAKE = 0, STEADY__PARKED_FUTEX = 1, STEADY__PARKED_FDS = 2 };

void steady__bell_ring(struct steady__bell *b);
/* The bell's eventfd, made on first use; -1 (errno set) when it cannot be made, or when the
 * bell is shared across processes and has none (isolate.c makes those before forking). */
int steady__bell_efd(struct steady__bell *b);
/* Closes the eventfd, if any (the graph's free, in main's process). */
void steady__bell_close(struct steady__bell *b);
/* Sleeps in ppoll on the bell's eventfd and the n descriptors of pfds (their revents are
 * written), until one is ready, the bell rings, or timeout_ns (as steady__bell_sleep). The
 * caller stored STEADY__PARKED_FDS in sleeping before its last re-check; seq is the value read
 * before it. */
void steady__bell_sleep_fds(struct steady__bell *b, uint32_t seq, uint64_t timeout_ns,
                            struct pollfd *pfds, unsigned n);
/* Sleeps until rung or for timeout_ns (UINT64_MAX: no limit; 0: returns at once). seq is the
 * value read before the last re-check. Spurious returns are allowed. */
void steady__bell_sleep(struct steady__bell *b, uint32_t seq, uint64_t timeout_ns);
/* Sleeps as steady__bell_sleep, and also until any of the n bells of `more` is rung (its seq
 * differs from more_seen[i], read before the caller's last re-check). 0, or ENOSYS / EINVAL
 * when the kernel cannot wait on several words (before Linux 5.16) or n is over 127: then it
 * did not sleep. */
int steady__bell_sleep_with(struct steady__bell *b, uint32_t seq, struct steady__bell *const *more,
                            const uint32_t *more_seen, unsigned n, uint64_t timeout_ns);
/* Sleeps while *word == seen, for timeout_ns (UINT64_MAX: no limit; 0: returns at once).
 * shared: the word may be woken from another process. */
void steady__futex_wait_for(_Atomic uint32_t *word, uint32_t seen, uint64_t timeout_ns,
                            bool shared);

#endif
