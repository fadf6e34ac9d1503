/*
 * fiber.h: stackful execution contexts ("fibers"), the base of every actor.
 *
 * Design
 *   A fiber is a saved register set plus its own mmap'd stack with a PROT_NONE guard page at
 *   the low end. A scheduler thread describes itself with steady__fiber_thread_init() and then
 *   moves between contexts with steady__fiber_switch(); a fiber that is finished for good
 *   leaves with steady__fiber_exit_to(). Nothing here allocates on the switch path and nothing
 *   here is shared between threads: all calls on a fiber happen on the one thread that runs it.
 *
 *   Two backends share this contract:
 *     asm       (default on x86-64) fiber_x86_64.S: saves rbp, rbx, r12-r15, MXCSR and the x87
 *               control word on the stack and swaps rsp. ~8 ns per switch, no syscall.
 *     ucontext  (-DSTEADY_FIBER_UCONTEXT=1, and the default off x86-64) fiber_ucontext.c:
 *               swapcontext(3), which costs a sigprocmask syscall per switch. A tested fallback.
 *   STEADY_FIBER_UCONTEXT changes the layout of steady__fiber, so it must have the same value in
 *   every translation unit that includes this header (make it a PUBLIC compile definition).
 *   steady__fiber_backend_is_asm() reports the backend actually linked, so a test can check that.
 *
 *   Sanitizers (the reasons, measured when this was written, are in docs/DESIGN-NOTES.md):
 *     ASan: __sanitizer_start_switch_fiber before every switch, __sanitizer_finish_switch_fiber
 *           after it and as the first code on a new stack; NULL fake-stack save on a final exit;
 *           shadow unpoisoned before a stack is unmapped or reused. A thread-local "prev" names
 *           the context that switched to us, so the finish call can record its stack bounds
 *           (that is how a thread's own stack bounds are learned).
 *     TSan: one TSan fiber per context; __tsan_switch_to_fiber(to, 0) in the same function as
 *           the switch itself, hence steady__fiber_switch is always_inline: a TSan-instrumented
 *           return between the two would run on the wrong shadow stack (clang 14 crashes).
 *   With these, longjmp from deep frames of a fiber back to its entry frame works under both.
 *
 * Contracts common to every call
 *   - A steady__fiber is address-stable from thread_init/create until fini/destroy: the first
 *     frame and the ucontext hold pointers to it. Do not copy or move it.
 *   - A fiber runs only on one thread; migrating a suspended fiber to another thread is not
 *     supported (the annotations and the compiler's TLS address caching assume one thread).
 *   - Single-threaded per fiber: no call here synchronises with other threads.
 *   - A new fiber starts with the default floating-point control state (round to nearest, all
 *     exceptions masked), whatever the creating thread's state was; each fiber keeps its own.
 */
#ifndef STEADY_PLATFORM_FIBER_H
#define STEADY_PLATFORM_FIBER_H

#include <stdbool.h>
#include <stddef.h>

#ifndef STEADY_FIBER_UCONTEXT
#if defined(__x86_64__)
#define STEADY_FIBER_UCONTEXT 0
#else
#define STEADY_FIBER_UCONTEXT 1
#endif
#endif

#if STEADY_FIBER_UCONTEXT
#include <ucontext.h>
#elif !defined(__x86_64__)
#error "the asm fiber backend exists for x86-64 only; build with -DSTEADY_FIBER_UCONTEXT=1"
#endif

/* Sanitizer detection: gcc defines __SANITIZE_*__, clang answers __has_feature (gcc 12 has no
   __has_feature, hence the defined() guard). */
#if defined(__SANITIZE_ADDRESS__)
#define STEADY__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STEADY__ASAN 1
#endif
#endif
#ifndef STEADY__ASAN
#define STEADY__ASAN 0
#endif

#if defined(__SANITIZE_THREAD__)
#define STEADY__TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STEADY__TSAN 1
#endif
#endif
#ifndef STEADY__TSAN
#define STEADY__TSAN 0
#endif

#if STEADY__ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#if STEADY__TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* The body of a fiber. It must never return: it ends with steady__fiber_exit_to(). If it does
   return, the process stops with a message and a trap. */
typedef void (*steady__fiber_fn)(void *arg);

typedef struct steady__fiber {
#if STEADY_FIBER_UCONTEXT
    ucontext_t uc; /* registers of the suspended context (swapcontext) */
#else
    void *sp; /* saved stack pointer of the suspended context; 16-byte aligned */
#endif
    void *map;         /* whole mapping incl. guard page; NULL for a thread's own context and
                          for a stack the fiber does not own (steady__fiber_create_on) */
    size_t map_size;   /* bytes of map */
    void *guard_lo;    /* the guard below the stack: [guard_lo, stack_lo); NULL: none */
    void *stack_lo;    /* usable stack, just above the guard */
    size_t stack_size; /* usable bytes; the first frame sits at stack_lo + stack_size */
#if STEADY__ASAN
    const void *asan_bottom; /* stack bounds as ASan knows them; for a thread's own context */
    size_t asan_size;        /*   they are filled in by the first finish_switch_fiber */
    void *asan_fake;         /* fake stack saved while suspended (detect_stack_use_after_return) */
#endif
#if STEADY__TSAN
    void *tsan_fiber; /* TSan's context; a thread's own is borrowed, never destroyed */
#endif
    steady__fiber_fn fn;
    void *arg;
} steady__fiber;

/* Describes the calling thread's own context (a scheduler) in *self, so fibers can switch back
   to it. No allocation. Returns 0. Pair with steady__fiber_thread_fini on the same thread. */
int steady__fiber_thread_init(steady__fiber *self);
void steady__fiber_thread_fini(steady__fiber *self);

/* Maps a stack of stack_size bytes (rounded up to whole pages, at least
   STEADY__FIBER_MIN_STACK) plus one guard page below it, and prepares a first frame that will
   call fn(arg) when the fiber is first switched to. Returns 0, or an errno (ENOMEM, EINVAL for
   an absurd size); on error *f holds nothing to destroy. The caller owns *f and its stack. */
#define STEADY__FIBER_MIN_STACK ((size_t)16 * 1024)
int steady__fiber_create(steady__fiber *f, size_t stack_size, steady__fiber_fn fn, void *arg);
/* The same on a stack the caller owns (a pool's, platform/stacks.h): [lo, lo + size) usable,
   with a guard of `guard` bytes just below lo. Maps nothing; destroy leaves the memory to its
   owner. size must be a whole number of pages of at least STEADY__FIBER_MIN_STACK. */
void steady__fiber_create_on(steady__fiber *f, void *lo, size_t size, size_t guard,
                             steady__fiber_fn fn, void *arg);

/* Makes f start afresh with fn(arg) on the same stack memory. Call only while f is not running:
   after it exited with steady__fiber_exit_to(), or to abandon it while suspended (under ASan
   with detect_stack_use_after_return=1 an abandoned fiber leaks its fake stack: prefer to
   resume it, longjmp to its entry frame and exit). Called from another context. */
void steady__fiber_reset(steady__fiber *f, steady__fiber_fn fn, void *arg);

/* Unmaps f's stack and releases its sanitizer state. Same preconditions as reset; *f may be
   reused for create afterwards. Never call it on a thread's own context (use thread_fini). */
void steady__fiber_destroy(steady__fiber *f);

/* Ends `from` for good and resumes `to`. Call it on from's own stack, as the last thing fn does.
   After it, from may only be reset or destroyed; switching to it again traps. */
_Noreturn void steady__fiber_exit_to(steady__fiber *from, steady__fiber *to);

/* 1 if the linked backend is the asm switch, 0 for ucontext. */
int steady__fiber_backend_is_asm(void);

/* True if addr lies in f's guard page. Pure and async-signal-safe: meant for a SIGSEGV handler
   (on a sigaltstack) that names the fiber whose stack overflowed. False for a thread context. */
bool steady__fiber_addr_in_guard(const steady__fiber *f, const void *addr);

/* The system page size, read once. Thread-safe. */
size_t steady__page_size(void);

/* Under ASan (LeakSanitizer), registers the live part of a suspended fiber's stack, [saved sp,
   top), as a root region, so objects reachable only from a fiber still suspended at exit are
   not reported as leaks. Registering the whole stack would hide real leaks through stale
   pointers below sp. With detect_stack_use_after_return=1 it also registers the fiber's live
   fake-stack frames. Call it at shutdown for fibers that stay suspended until exit and are
   not destroyed (regions are not unregistered). No-op without ASan. */
void steady__fiber_lsan_register_suspended(steady__fiber *f);

/* ---- backend hooks: used by this header's inline code and by the backends, not by callers */

#if STEADY__ASAN
/* The context that switched to the one now running on this thread; set just before every
   switch, read by the finish_switch_fiber call on the other side. */
extern _Thread_local steady__fiber *steady__fiber_asan_prev;
#endif

/* First C code on a new stack (fiber.c): completes the sanitizer switch, runs fn(arg). */
_Noreturn void steady__fiber_entry(steady__fiber *f);
/* Builds the first frame on f's stack so that resuming f calls steady__fiber_entry(f). */
void steady__fiber_backend_prepare(steady__fiber *f);
/* Saved stack pointer of a suspended fiber. */
const void *steady__fiber_backend_saved_sp(const steady__fiber *f);

#if !STEADY_FIBER_UCONTEXT
/* fiber_x86_64.S: pushes the callee-saved state, stores rsp in *save_sp, loads load_sp, pops. */
void steady__fiber_asm_switch(void **save_sp, void *load_sp);
/* fiber_x86_64.S: the return address of a first frame; calls r12(r13) with rsp 16-aligned. */
void steady__fiber_asm_trampoline(void);
#endif

/* Suspends `from` (the context running now) and resumes `to`. Returns when some context
   switches back to `from`. `to` must be suspended: a fresh fiber, or one suspended here.
   always_inline for TSan: see the design block. */
static inline __attribute__((always_inline)) void steady__fiber_switch(steady__fiber *from,
                                                                       steady__fiber *to)
{
#if STEADY__ASAN
    __sanitizer_start_switch_fiber(&from->asan_fake, to->asan_bottom, to->asan_size);
    steady__fiber_asan_prev = from;
#endif
#if STEADY__TSAN
    __tsan_switch_to_fiber(to->tsan_fiber, 0); /* flags 0: switches are happens-before edges */
#endif
#if STEADY_FIBER_UCONTEXT
    (void)swapcontext(&from->uc, &to->uc);
#else
    steady__fiber_asm_switch(&from->sp, to->sp);
#endif
#if STEADY__ASAN
    __sanitizer_finish_switch_fiber(from->asan_fake, &steady__fiber_asan_prev->asan_bottom,
                                    &steady__fiber_asan_prev->asan_size);
#endif
}

#endif /* STEADY_PLATFORM_FIBER_H */
