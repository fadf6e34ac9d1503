/*
 * futex.h: sleeping on a 32-bit word, and an asymmetric fence for park/wake protocols.
 *
 * Design
 *   steady__futex_wait/wake are thin wrappers over futex(2). Within one process use
 *   shared = false (the _PRIVATE operations skip the mm lookup); a word that lives in a
 *   MAP_SHARED mapping used by several processes needs shared = true.
 *
 *   TSan does not treat the futex syscall as synchronisation. Whatever a waker publishes must
 *   be published by a release store (on the futex word or on the data itself) that the woken
 *   side reads with an acquire load; never rely on the wake-up alone.
 *
 * The asymmetric fence (store-buffer / Dekker pattern of every doorbell)
 *   waiter (rare, about to sleep)           producer (hot path, every batch)
 *     store parked = 1                        store index (release)
 *     steady__heavy_fence()                   steady__light_fence()
 *     load index: ready? else futex_wait      load parked: set? then futex_wake
 *   A lost wake-up is the outcome "waiter reads the old index AND producer reads parked == 0".
 *   Both sides need a full fence between their store and their load to forbid it (x86 TSO
 *   alone allows it: the store may sit in the store buffer while the load executes).
 *   membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) makes every running thread of the process
 *   execute a full barrier before it returns; a thread that is not running passes one on its
 *   next context switch. So, with it, the producer needs only a compiler barrier (to keep its
 *   store before its load in program order), and the waiter, which is going to sleep anyway,
 *   pays a few microseconds. The result is the same as a full fence on both sides, so the
 *   outcome above cannot happen. When membarrier is not available (old kernel, seccomp),
 *   steady__heavy_fence is a seq_cst fence and steady__light_fence becomes one too.
 *   steady__light_fence reads a flag that only ever goes false -> true; reading a stale false
 *   just means using the (stronger) full fence, so the flag needs no ordering.
 */
#ifndef STEADY_PLATFORM_FUTEX_H
#define STEADY_PLATFORM_FUTEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Sleeps while *word == expected, for at most *rel_timeout (NULL: no limit; measured on
   CLOCK_MONOTONIC). Returns 0 when woken (or spuriously: always re-check the condition),
   EAGAIN if *word != expected on entry, ETIMEDOUT, EINTR, or another errno for misuse
   (EFAULT, EINVAL). Any thread; blocks the whole thread, so never call it from a fiber that
   shares its thread with others. */
int steady__futex_wait(_Atomic uint32_t *word, uint32_t expected,
                       const struct timespec *rel_timeout, bool shared);

/* Sleeps while *words[i] == expected[i] for every i < n (n <= 128), for at most timeout_ns
   (UINT64_MAX: no limit): woken by a wake of any of the words (futex_waitv, Linux 5.16).
   shared[i] as for steady__futex_wait. Returns 0 when woken (or spuriously), EAGAIN if a word
   differed on entry, ETIMEDOUT, EINTR, ENOSYS on an older kernel, or another errno. Any
   thread; blocks it. */
int steady__futex_waitv(_Atomic uint32_t *const *words, const uint32_t *expected,
                        const bool *shared, unsigned n, uint64_t timeout_ns);

/* Wakes up to n threads sleeping on word. Returns the number woken, or -errno on misuse.
   Any thread. Does not order memory: store to the word (release) before calling it. */
int steady__futex_wake(_Atomic uint32_t *word, int n, bool shared);

/* Registers this process for expedited private membarrier, once (pthread_once); later calls
   are cheap. Thread-safe. steady__heavy_fence calls it itself; call it early (at graph start)
   to keep the registration off the first parking path. */
void steady__membarrier_init(void);

/* Registers this process for global expedited membarrier and makes steady__heavy_fence use it
   from then on: needed when channels cross processes (ISOLATED actors); every process that
   shares the channels must call it. False when the kernel does not offer it. Thread-safe. */
bool steady__membarrier_global_init(void);

/* True if steady__heavy_fence uses membarrier (after init). Thread-safe. */
bool steady__membarrier_available(void);

/* The waiter's side of the asymmetric fence: membarrier(PRIVATE_EXPEDITED) if available, else
   atomic_thread_fence(seq_cst). A syscall costing microseconds: only on the parking path. */
void steady__heavy_fence(void);

/* Set once, false -> true, when membarrier is registered. Read by steady__light_fence only. */
extern atomic_bool steady__membarrier_ready;

/* gcc 12 rejects atomic_thread_fence under -fsanitize=thread (-Wtsan: TSan does not model
   fences). The fences here order relaxed atomics only, never publish plain data, so TSan's
   blind spot cannot produce a false report from them: silence the warning around them. */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__)
#define STEADY__TSAN_FENCE_OK_BEGIN                                                                \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wtsan\"")
#define STEADY__TSAN_FENCE_OK_END _Pragma("GCC diagnostic pop")
#else
#define STEADY__TSAN_FENCE_OK_BEGIN
#define STEADY__TSAN_FENCE_OK_END
#endif

/* The producer's side: pairs with steady__heavy_fence in the waiter. A compiler barrier when
   membarrier is available (free), else a seq_cst fence. Relaxed flag load: see design block. */
static inline void steady__light_fence(void)
{
    if (atomic_load_explicit(&steady__membarrier_ready, memory_order_relaxed)) {
        atomic_signal_fence(memory_order_seq_cst);
    } else {
        STEADY__TSAN_FENCE_OK_BEGIN
        atomic_thread_fence(memory_order_seq_cst);
        STEADY__TSAN_FENCE_OK_END
    }
}

#endif /* STEADY_PLATFORM_FUTEX_H */
