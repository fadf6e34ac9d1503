/*
 * fiber.c: the backend-independent half of fibers: stacks, guard pages, sanitizer bookkeeping,
 * the entry on a new stack, the final exit, and (for the asm backend) the first frame.
 *
 * Stack mapping, low to high:   [ guard page, PROT_NONE ][ usable stack ... first frame ]
 *                                map                     stack_lo        stack_lo + stack_size
 * The guard page turns an overflow into SIGSEGV in this fiber rather than silent corruption of
 * whatever is mapped below; it only works for frames smaller than a page unless the code is
 * built with -fstack-clash-protection (which the project requires).
 *
 * Sanitizer table (the one pattern found to work under both ASan and TSan, gcc 12 / clang 14;
 * docs/DESIGN-NOTES.md, "Switch"):
 *   thread init   ASan: nothing (bounds learned by the first finish)  TSan: get_current_fiber
 *   create        ASan: bottom/size = usable stack, fake = NULL        TSan: create_fiber(0)
 *   new stack     ASan: finish_switch_fiber(NULL, &prev bounds)
 *   final exit    ASan: start_switch_fiber(NULL, ...) frees fake stack TSan: switch_to_fiber
 *   destroy       ASan: unpoison, then munmap                          TSan: destroy_fiber
 *   reset         ASan: unpoison, fake = NULL                          TSan: destroy + create
 * Unpoisoning matters because munmap does not clear ASan's shadow: redzones of frames that were
 * live when a fiber was abandoned or longjmp'd over would fire on the next user of the memory.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "platform/fiber.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if STEADY__ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
_Thread_local steady__fiber *steady__fiber_asan_prev;
#endif

size_t steady__page_size(void)
{
    /* Racing first calls store the same value and nothing else is published with it, so
       relaxed suffices. */
    static _Atomic size_t cached;
    size_t p = atomic_load_explicit(&cached, memory_order_relaxed);
    if (p == 0) {
        long v = sysconf(_SC_PAGESIZE);
        p = v > 0 ? (size_t)v : 4096;
        atomic_store_explicit(&cached, p, memory_order_relaxed);
    }
    return p;
}

/* ---- sanitizer bookkeeping, one helper per moment of the table above */

static void san_on_create(steady__fiber *f)
{
#if STEADY__ASAN
    f->asan_bottom = f->stack_lo;
    f->asan_size = f->stack_size;
    f->asan_fake = NULL;
#endif
#if STEADY__TSAN
    f->tsan_fiber = __tsan_create_fiber(0);
#endif
    (void)f;
}

static void san_on_release(steady__fiber *f)
{
#if STEADY__ASAN
    __asan_unpoison_memory_region(f->stack_lo, f->stack_size);
    f->asan_fake = NULL;
#endif
#if STEADY__TSAN
    __tsan_destroy_fiber(f->tsan_fiber);
    f->tsan_fiber = NULL;
#endif
    (void)f;
}

/* ---- thread contexts */

int steady__fiber_thread_init(steady__fiber *self)
{
    memset(self, 0, sizeof *self);
#if STEADY__TSAN
    self->tsan_fiber = __tsan_get_current_fiber();
#endif
    return 0;
}

void steady__fiber_thread_fini(steady__fiber *self)
{
    /* The thread's TSan fiber belongs to TSan's thread state: never destroy it. */
    memset(self, 0, sizeof *self);
}

/* ---- stacks */

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

int steady__fiber_create(steady__fiber *f, size_t stack_size, steady__fiber_fn fn, void *arg)
{
    size_t page = steady__page_size();
    memset(f, 0, sizeof *f);
    if (stack_size > SIZE_MAX / 2)
        return EINVAL;
    if (stack_size < STEADY__FIBER_MIN_STACK)
        stack_size = STEADY__FIBER_MIN_STACK;
    stack_size = round_up(stack_size, page);

    size_t map_size = stack_size + page;
    void *map = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return errno;
    if (mprotect(map, page, PROT_NONE) != 0) {
        int err = errno; /* ENOMEM when vm.max_map_count is reached: 2 VMAs per fiber */
        munmap(map, map_size);
        return err;
    }
    f->map = map;
    f->map_size = map_size;
    f->guard_lo = map;
    f->stack_lo = (char *)map + page;
    f->stack_size = stack_size;
    f->fn = fn;
    f->arg = arg;
    san_on_create(f);
    steady__fiber_backend_prepare(f);
    return 0;
}

void steady__fiber_create_on(steady__fiber *f, void *lo, size_t size, size_t guard,
                             steady__fiber_fn fn, void *arg)
{
    memset(f, 0, sizeof *f);
    f->guard_lo = (char *)lo - guard;
    f->stack_lo = lo;
    f->stack_size = size;
    f->fn = fn;
    f->arg = arg;
    san_on_create(f);
    steady__fiber_backend_prepare(f);
}

void steady__fiber_reset(steady__fiber *f, steady__fiber_fn fn, void *arg)
{
    san_on_release(f);
    f->fn = fn;
    f->arg = arg;
    san_on_create(f);
    steady__fiber_backend_prepare(f);
}

void steady__fiber_destroy(steady__fiber *f)
{
    if (f->stack_lo == NULL)
        return;
    san_on_release(f);
    if (f->map)
        munmap(f->map, f->map_size);
    memset(f, 0, sizeof *f);
}

bool steady__fiber_addr_in_guard(const steady__fiber *f, const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    uintptr_t lo = (uintptr_t)f->guard_lo;
    return f->guard_lo != NULL && a >= lo && a < (uintptr_t)f->stack_lo;
}

#if STEADY__ASAN
/* With detect_stack_use_after_return=1, address-taken locals live in ASan's fake stack, and
   the fake stack of a suspended fiber belongs to no thread, so LSan scans none of it. Each
   live fake frame is referenced from the real stack (a frame keeps its fake frame's address in
   a register or slot, saved in [sp, top) while suspended), so find those references and
   register the frames they point into. clang keeps the frame's start; gcc 12 keeps its end
   and addresses locals below it, hence the check of addr - 1 too. Registering a neighbour by
   mistake can only hide a leak, never report a false one. */
static void register_fake_frame_of(const steady__fiber *f, uintptr_t addr, void **last)
{
    void *beg = NULL, *end = NULL;
    void *p = (void *)addr;
    if (__asan_addr_is_in_fake_stack(f->asan_fake, p, &beg, &end) == NULL || beg == *last)
        return;
    __lsan_register_root_region(beg, (size_t)((char *)end - (char *)beg));
    *last = beg;
}

/* no_sanitize_address: the words read here include redzones of the suspended frames. */
__attribute__((no_sanitize_address)) static void
register_fake_frames(const steady__fiber *f, const uintptr_t *sp, const uintptr_t *top)
{
    void *last = NULL;
    for (const uintptr_t *p = sp; p < top; p++) {
        register_fake_frame_of(f, *p, &last);
        register_fake_frame_of(f, *p - 1, &last);
    }
}
#endif

void steady__fiber_lsan_register_suspended(steady__fiber *f)
{
#if STEADY__ASAN
    const char *sp = steady__fiber_backend_saved_sp(f);
    const char *top = (const char *)f->stack_lo + f->stack_size;
    if (f->stack_lo == NULL || sp < (const char *)f->stack_lo || sp >= top)
        return;
    __lsan_register_root_region(sp, (size_t)(top - sp));
    if (f->asan_fake != NULL)
        register_fake_frames(f, (const uintptr_t *)sp, (const uintptr_t *)top);
#else
    (void)f;
#endif
}

/* ---- entry and exit */

_Noreturn void steady__fiber_entry(steady__fiber *f)
{
#if STEADY__ASAN
    /* First code on the new stack: completes the switch that started here, and records the
       bounds of the context that switched to us (how a thread's own bounds are learned). */
    __sanitizer_finish_switch_fiber(NULL, &steady__fiber_asan_prev->asan_bottom,
                                    &steady__fiber_asan_prev->asan_size);
#endif
    f->fn(f->arg);
    static const char msg[] = "steady: a fiber function returned; it must end with "
                              "steady__fiber_exit_to()\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    __builtin_trap();
}

_Noreturn void steady__fiber_exit_to(steady__fiber *from, steady__fiber *to)
{
#if STEADY__ASAN
    /* NULL: this context ends for good, so ASan frees its fake stack now. */
    __sanitizer_start_switch_fiber(NULL, to->asan_bottom, to->asan_size);
    steady__fiber_asan_prev = from;
#endif
#if STEADY__TSAN
    __tsan_switch_to_fiber(to->tsan_fiber, 0); /* same function as the switch: see fiber.h */
#endif
#if STEADY_FIBER_UCONTEXT
    (void)swapcontext(&from->uc, &to->uc);
#else
    steady__fiber_asm_switch(&from->sp, to->sp);
#endif
    __builtin_trap(); /* someone switched to an exited fiber */
}

/* ---- asm backend: the first frame (the switch itself is in fiber_x86_64.S) */

#if !STEADY_FIBER_UCONTEXT
enum {
    MXCSR_DEFAULT = 0x1F80,  /* round to nearest, all SSE exceptions masked */
    X87_CW_DEFAULT = 0x037F, /* round to nearest, extended precision, all masked */
};

/* The frame steady__fiber_asm_switch pops, from the saved sp upwards (see the .S):
     [0] MXCSR (low 4 bytes) and x87 CW (bytes 4-5)   [1] r15  [2] r14  [3] r13 = f
     [4] r12 = steady__fiber_entry  [5] rbx  [6] rbp = 0  [7] return address = trampoline
     [8] [9] zero: end of stack for unwinders
   sp = top - 80 with top 16-aligned, so sp is 16-aligned like every saved sp and the
   trampoline starts at top - 16, rsp = 0 mod 16, as the ABI wants before a call. */
void steady__fiber_backend_prepare(steady__fiber *f)
{
    uintptr_t top = ((uintptr_t)f->stack_lo + f->stack_size) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)(top - 80);
    memset(sp, 0, 80);
    sp[0] = (uint64_t)X87_CW_DEFAULT << 32 | MXCSR_DEFAULT;
    sp[3] = (uint64_t)(uintptr_t)f;
    sp[4] = (uint64_t)(uintptr_t)steady__fiber_entry;
    sp[7] = (uint64_t)(uintptr_t)steady__fiber_asm_trampoline;
    f->sp = sp;
}

const void *steady__fiber_backend_saved_sp(const steady__fiber *f)
{
    return f->sp;
}
#endif
