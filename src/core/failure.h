/* core/failure.h — an actor's last failure reason, readable while the actor runs (failure.c).
 *
 * The reason is written by whoever decides the failure (the actor's thread, the supervisor on
 * it, main for a troupe that never started, the warden for an ISOLATED child lost with its
 * zygote) and read by steady/inspect.h readers on any thread at any time. A sequence count
 * makes the copy consistent (a seqlock), and every byte goes through a relaxed atomic access,
 * so a reader racing a writer gets either the old text, the new one, or a retry: never torn
 * text, never a data race. The stop report and steady_actor_last_failure read the buffer
 * plainly, after the writer's thread is done (ordered by the exit/stopped_for_good
 * release-acquire pairs).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_FAILURE_H
#define STEADY_CORE_FAILURE_H

#include "core/base.h"

/* Sets a's reason (formatted, truncated to the buffer). One writer at a time per actor (the
 * writers above never overlap for one actor). */
void steady__failure_set(steady_actor *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copies a's reason into out (cap bytes, NUL-terminated). Any thread. */
void steady__failure_copy(const steady_actor *a, char *out, size_t cap);

#endif
