/* core/context.h — the current actor's context (context.c): who runs on this thread, failing it.
 *
 * The lowest module that knows actors: channels, bundles, batches, arenas, waits, the supervisor
 * and the log call down into it.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_CONTEXT_H
#define STEADY_CORE_CONTEXT_H

#include "core/base.h"

/* Makes `a` (NULL: none) the actor running on this thread, for the channel fast paths: both
 * words the open checks compare with (steady/channel.h). The troupe scheduler, around each
 * resume. */
static inline void steady__set_self(steady_actor *a)
{
    steady__self = a;
    steady__self_rx = (uintptr_t)a | STEADY__GATE_RX;
}
/* Fails the running actor `a` with a reason: never returns (unwinds to its entry frame, which
 * run.c armed). */
_Noreturn void steady__actor_fail(steady_actor *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Misuse by the caller (STYLE.md rule 3): inside a running generation of an actor it fails that
 * actor with the message and never returns; anywhere else (main, a plain thread, the supervisor
 * between generations) it records the message as the detail and returns err. */
steady_err steady__misuse(steady_err err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The calling thread's last failure reason (steady__actor_fail's, or one set here). */
const char *steady__fail_reason(void);
const char *steady__fail_reasonf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Called by a member on its own stack: hand the thread back to the troupe's scheduler. */
void steady__troupe_switch_out(steady_actor *a);
/* STEADY_OK unless the caller is an actor of g (which must not wait for, or free, its own
 * graph): then the misuse (steady__misuse: a failure of that actor). */
steady_err steady__not_from_own_actor(const steady_graph *g, const char *fn);

#endif
