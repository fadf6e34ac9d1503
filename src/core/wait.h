/* core/wait.h — waits (wait.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_WAIT_H
#define STEADY_CORE_WAIT_H

#include "core/base.h"

/* Evaluates a blocked actor's pending wait; true when it should be resumed: the wait is
 * complete, or a want it still needs was consumed by a wake-up for another condition on the
 * same channel (the actor publishes it again). Also returns the earliest deadline it still
 * waits for (0: none) through *deadline. Troupe thread. */
bool steady__wait_poll(steady_actor *a, steady__lazy_now *now, uint64_t *deadline);
/* STEADY_OK when `a` is the actor running on this thread (only it may wait); otherwise the
 * misuse (sendwait.c): inside an actor it fails that actor, elsewhere STEADY_ENOTOWNER. */
steady_err steady__check_waiter(const steady_actor *a, const char *op);
/* A blocked actor's pending STEADY_FD conditions as pollfds: up to cap written to out; returns
 * how many it has (may exceed cap). Troupe thread. */
struct pollfd;
unsigned steady__wait_fds(const steady_actor *a, struct pollfd *out, unsigned cap);
/* What a member waits for, as text (steady_sched_describe): up to cap bytes into buf, the
 * length of the whole text returned. Troupe thread, while the member is not running. */
size_t steady__wait_describe(const steady_actor *a, char *buf, size_t cap);

#endif
