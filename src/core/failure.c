/* core/failure.c — see failure.h.
 *
 * Seqlock, in steps:
 *   writer: 1. seq += 1 (odd: writing), release-ordered after by the fence below
 *           2. each byte stored relaxed
 *           3. seq += 1 (even) with release: pairs with the reader's acquire in step 1
 *   reader: 1. s0 = seq (acquire); odd: a write is under way, retry
 *           2. each byte loaded relaxed
 *           3. acquire fence, s1 = seq; s1 != s0: a write overlapped, retry
 * The GCC __atomic builtins act on the plain char array the rest of the core reads after the
 * writers are done (the stop report), so the record keeps its type. */
#include "core/internal.h"

#include <stdio.h>

void steady__failure_set(steady_actor *a, const char *fmt, ...)
{
    char text[sizeof a->last_failure];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    atomic_fetch_add_explicit(&a->failure_seq, 1, memory_order_relaxed);
    /* release fence: pairs with the reader's acquire fence before its re-read of seq (step 3):
     * a reader that saw any byte below sees the odd count. */
    atomic_thread_fence(memory_order_release);
    for (size_t i = 0; i < sizeof text; i++) {
        __atomic_store_n(&a->last_failure[i], text[i], __ATOMIC_RELAXED);
        if (text[i] == '\0')
            break;
    }
    /* release: pairs with the reader's acquire load of failure_seq (step 1). */
    atomic_fetch_add_explicit(&a->failure_seq, 1, memory_order_release);
}

static bool copy_once(const steady_actor *a, char *out, size_t cap)
{
    steady_actor *m = (steady_actor *)a; /* atomics on a const record: loads only */
    /* acquire: pairs with the writer's release increment (step 3). */
    uint32_t s0 = atomic_load_explicit(&m->failure_seq, memory_order_acquire);
    if (s0 & 1u)
        return false;
    size_t i = 0;
    for (; i + 1 < cap && i < sizeof m->last_failure; i++) {
        out[i] = __atomic_load_n(&m->last_failure[i], __ATOMIC_RELAXED);
        if (out[i] == '\0')
            break;
    }
    if (i + 1 >= cap || i >= sizeof m->last_failure)
        out[cap - 1] = '\0';
    /* acquire fence: the byte loads above happen before the re-read of seq. */
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&m->failure_seq, memory_order_relaxed) == s0;
}

void steady__failure_copy(const steady_actor *a, char *out, size_t cap)
{
    if (cap == 0)
        return;
    for (int tries = 0; tries < 1000; tries++)
        if (copy_once(a, out, cap))
            return;
    out[0] = '\0'; /* a writer in a loop: give up rather than spin */
}
