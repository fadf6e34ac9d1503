/*
 * futex.c: futex(2) wait/wake and the membarrier-based heavy fence (see futex.h for the
 * protocol and the argument why the producer's side needs no hardware fence).
 *
 * glibc 2.36 has no wrappers for futex or membarrier, so both go through syscall(2).
 * Registration state: `have_membarrier` is written only inside pthread_once, which publishes it
 * to every thread that returns from pthread_once; steady__membarrier_ready mirrors it for the
 * inline light fence, which must not call pthread_once on the hot path.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "platform/futex.h"

#include <errno.h>
#include <stdint.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

atomic_bool steady__membarrier_ready;

int steady__futex_wait(_Atomic uint32_t *word, uint32_t expected,
                       const struct timespec *rel_timeout, bool shared)
{
    int op = shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE;
    if (syscall(SYS_futex, (void *)word, op, expected, rel_timeout, NULL, 0) == 0)
        return 0;
    return errno;
}

int steady__futex_waitv(_Atomic uint32_t *const *words, const uint32_t *expected,
                        const bool *shared, unsigned n, uint64_t timeout_ns)
{
#ifdef SYS_futex_waitv
    struct futex_waitv w[FUTEX_WAITV_MAX];
    if (n == 0 || n > FUTEX_WAITV_MAX)
        return EINVAL;
    for (unsigned i = 0; i < n; i++)
        w[i] = (struct futex_waitv){.val = expected[i],
                                    .uaddr = (uint64_t)(uintptr_t)words[i],
                                    .flags = FUTEX_32 | (shared[i] ? 0 : FUTEX_PRIVATE_FLAG)};
    struct timespec abs, *absp = NULL;
    if (timeout_ns != UINT64_MAX) {
        clock_gettime(CLOCK_MONOTONIC, &abs);
        uint64_t ns = (uint64_t)abs.tv_nsec + timeout_ns % 1000000000u;
        uint64_t s = timeout_ns / 1000000000u + ns / 1000000000u;
        abs.tv_sec = s > (uint64_t)(INT64_MAX - abs.tv_sec) ? INT64_MAX : abs.tv_sec + (time_t)s;
        abs.tv_nsec = (long)(ns % 1000000000u);
        absp = &abs;
    }
    if (syscall(SYS_futex_waitv, w, n, 0, absp, CLOCK_MONOTONIC) >= 0)
        return 0;
    return errno;
#else
    (void)words, (void)expected, (void)shared, (void)n, (void)timeout_ns;
    return ENOSYS;
#endif
}

int steady__futex_wake(_Atomic uint32_t *word, int n, bool shared)
{
    int op = shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE;
    long woken = syscall(SYS_futex, (void *)word, op, n, NULL, NULL, 0);
    return woken >= 0 ? (int)woken : -errno;
}

static pthread_once_t membarrier_once = PTHREAD_ONCE_INIT;
static bool have_membarrier; /* written once under pthread_once: see the design block */

static long membarrier(int cmd)
{
    return syscall(SYS_membarrier, cmd, 0, 0);
}

static void membarrier_register(void)
{
    long cmds = membarrier(MEMBARRIER_CMD_QUERY);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
        return; /* ENOSYS, EPERM (seccomp) or too old a kernel: seq_cst fences instead */
    if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0)
        return;
    have_membarrier = true;
    atomic_store_explicit(&steady__membarrier_ready, true, memory_order_relaxed);
}

void steady__membarrier_init(void)
{
    (void)pthread_once(&membarrier_once, membarrier_register);
}

bool steady__membarrier_available(void)
{
    steady__membarrier_init();
    return have_membarrier;
}

/* Set once (false -> true) when a graph with ISOLATED actors starts in this process: its
 * channels cross processes, so the parking side's barrier must reach the peers' processes. */
static _Atomic bool use_global;

bool steady__membarrier_global_init(void)
{
    long cmds = membarrier(MEMBARRIER_CMD_QUERY);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED) ||
        membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) != 0)
        return false;
    atomic_store_explicit(&use_global, true, memory_order_relaxed);
    return true;
}

void steady__heavy_fence(void)
{
    steady__membarrier_init();
    /* Every process sharing channels with this one registered for global expedited barriers
     * (at graph start, and in each child), so this reaches their running threads too. */
    if (atomic_load_explicit(&use_global, memory_order_relaxed) &&
        membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) == 0)
        return;
    /* The syscall is also a full barrier on this CPU (the kernel brackets it with smp_mb) and
       an opaque call, hence a compiler barrier. Once registered it cannot fail (its errors
       are EINVAL/EPERM for unregistered use); the fence below only covers the other case. */
    if (have_membarrier && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
        return;
    /* seq_cst fence: pairs with the fence (or barrier) of the other side of each caller's
     * Dekker pair, as the membarrier calls above would. */
    STEADY__TSAN_FENCE_OK_BEGIN
    atomic_thread_fence(memory_order_seq_cst);
    STEADY__TSAN_FENCE_OK_END
}
