/*
 * fiber_ucontext.c: the portable fiber backend over getcontext/makecontext/swapcontext
 * (built with -DSTEADY_FIBER_UCONTEXT=1; fiber.h has the contract, fiber.c the common code).
 *
 * The switch itself is swapcontext(), called inline from steady__fiber_switch in fiber.h. This
 * file only builds first frames and answers backend questions.
 *
 * Differences from the asm backend, all documented behaviour of ucontext:
 *   - every switch saves and restores the signal mask (one rt_sigprocmask syscall, ~1 us here,
 *     against ~8 ns for the asm switch): a fiber starts with its creator's mask at create/reset
 *     time and keeps its own afterwards;
 *   - under ASan, the swapcontext interceptor clears the shadow of the whole target stack, so
 *     stack overflows of frames live across a switch can go unreported: run sanitizer suites on
 *     the asm backend (ASan prints a one-time warning about makecontext/swapcontext).
 * makecontext passes int arguments only, so the fiber pointer travels as two 32-bit halves.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "platform/fiber.h"

#include <stdint.h>

#if !STEADY_FIBER_UCONTEXT
#error "fiber_ucontext.c is the ucontext backend: build it with -DSTEADY_FIBER_UCONTEXT=1"
#endif

int steady__fiber_backend_is_asm(void)
{
    return 0;
}

static void uc_entry(unsigned lo, unsigned hi)
{
    uint64_t p = (uint64_t)hi << 32 | lo;
    steady__fiber_entry((steady__fiber *)(uintptr_t)p);
}

/* getcontext captured the creator's floating-point control state; start from the defaults
   instead, as the asm backend does, so behaviour does not depend on the backend. */
static void reset_fp_control(ucontext_t *uc)
{
#if defined(__x86_64__)
    uc->uc_mcontext.fpregs->cwd = 0x037F;   /* x87: round to nearest, all masked */
    uc->uc_mcontext.fpregs->swd = 0;        /* no pending x87 exception flags */
    uc->uc_mcontext.fpregs->mxcsr = 0x1F80; /* SSE: round to nearest, all masked */
#else
    (void)uc;
#endif
}

void steady__fiber_backend_prepare(steady__fiber *f)
{
    uint64_t p = (uint64_t)(uintptr_t)f;
    if (getcontext(&f->uc) != 0)
        __builtin_trap(); /* cannot fail on Linux for a valid pointer */
    f->uc.uc_stack.ss_sp = f->stack_lo;
    f->uc.uc_stack.ss_size = f->stack_size;
    f->uc.uc_link = NULL; /* the entry never returns */
    reset_fp_control(&f->uc);
    makecontext(&f->uc, (void (*)(void))uc_entry, 2, (unsigned)p, (unsigned)(p >> 32));
}

const void *steady__fiber_backend_saved_sp(const steady__fiber *f)
{
#if defined(__x86_64__)
    return (const void *)(uintptr_t)f->uc.uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    return (const void *)(uintptr_t)f->uc.uc_mcontext.sp;
#else
    return f->stack_lo; /* unknown layout: the whole stack (may hide leaks, never adds one) */
#endif
}
