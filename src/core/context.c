/* core/context.c — the current actor's context: who is running on this thread, and failing it.
 *
 * The low module that channels, bundles, batches, arenas, waits, the supervisor and the log
 * call down into (they used to call up into actor.c): the running actor (steady__self, and
 * the owner_gate word of its receiving ends), its name and label, failing it (a longjmp to its
 * entry frame, armed by run.c), misuse (fail the caller if it is an actor, else an error), and
 * handing the thread back to the troupe's scheduler at a wait.
 *
 * Thread-safety: everything here is about the calling thread's actor; the thread-locals are
 * written by the troupe scheduler (steady__set_self) around each resume.
 */
#include "core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/fdio.h"

_Thread_local steady_actor *steady__self;
_Thread_local uintptr_t steady__self_rx = STEADY__GATE_RX;

steady_actor *steady_actor_current(void)
{
    return steady__self;
}

/* Queries of any thread: a NULL actor reads as "" with a STEADY_EINVAL detail. */
static bool known(const steady_actor *a, const char *fn)
{
    if (!a)
        steady__fail(STEADY_EINVAL, "%s: the actor is NULL", fn);
    return a != NULL;
}

const char *steady_actor_name(const steady_actor *a)
{
    return known(a, "steady_actor_name") ? a->name : "";
}
const char *steady_actor_label(const steady_actor *a)
{
    return known(a, "steady_actor_label") ? a->label : "";
}
/* ---- failing ---- */

static _Thread_local char fail_reason[512];

_Noreturn void steady__actor_fail(steady_actor *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_reason, sizeof fail_reason, fmt, ap);
    va_end(ap);
    if (!a->in_generation) {
        /* Only the supervisor runs between generations; a failure there is steady's bug. The
         * line is written here, not logged: the log sits above this module. */
        char line[768];
        int n =
            snprintf(line, sizeof line, "steady: actor '%s' failed outside its run function: %s\n",
                     a->label, fail_reason);
        if (n > 0)
            (void)!steady__write_quiet(STDERR_FILENO, line,
                                       (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        abort();
    }
    a->in_generation = false;
    longjmp(a->fail_jmp, 1);
}

steady_err steady__misuse(steady_err err, const char *fmt, ...)
{
    char why[sizeof fail_reason];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    steady_actor *self = steady__self;
    if (self && self->in_generation)
        steady__actor_fail(self, "%s", why);
    return steady__fail(err, "%s", why);
}

const char *steady__fail_reason(void)
{
    return fail_reason;
}

const char *steady__fail_reasonf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_reason, sizeof fail_reason, fmt, ap);
    va_end(ap);
    return fail_reason;
}

/* ---- the scheduler ---- */

void steady__troupe_switch_out(steady_actor *a)
{
    steady__fiber_switch(&a->fiber, &a->troupe->home);
}

steady_err steady__not_from_own_actor(const steady_graph *g, const char *fn)
{
    steady_actor *self = steady__self;
    if (!self || self->graph != g)
        return STEADY_OK;
    return steady__misuse(STEADY_ESTATE,
                          "%s called by actor '%s' of graph '%s': the graph would wait for its "
                          "own actor; call it from main (or another thread outside the graph), "
                          "and ask for the stop with steady_actor_request_shutdown",
                          fn, self->label, g->name);
}
