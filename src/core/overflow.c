/* core/overflow.c — naming the actor whose stack overflowed.
 *
 * Every actor stack has a PROT_NONE guard page below it, and the library and its users' code
 * are built with -fstack-clash-protection (steady's CMake targets and steady.pc pass it on), so
 * a big frame cannot step over it. An overflow therefore faults in a guard page. This module
 * turns that SIGSEGV into one line that names the actor and the fix, then lets the fault take
 * its normal course (the previous handler, or the default action: a core dump), so nothing is
 * hidden from a debugger or a sanitizer.
 *
 * Each troupe thread gets its own alternate signal stack (the faulting stack is unusable) and
 * publishes its troupe in a thread-local. The handler is async-signal-safe: it reads the
 * thread-local, compares addresses and calls write(2). One handler serves the process; it is
 * installed by the first graph that starts and chains to what was there before.
 */
#include "core/internal.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALT_STACK_SIZE (64u * 1024u)

static _Thread_local steady_troupe *current_troupe;
static _Thread_local void *alt_stack;
static struct sigaction previous_segv;
static _Atomic int previous_ready; /* previous_segv is written (install) */
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static size_t append(char *buf, size_t at, size_t cap, const char *s)
{
    while (*s && at + 1 < cap)
        buf[at++] = *s++;
    return at;
}

static size_t append_u64(char *buf, size_t at, size_t cap, uint64_t v)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 23);
    while (n > 0 && at + 1 < cap)
        buf[at++] = digits[--n];
    return at;
}

/* Labels may be long; the line shows at most this many bytes of one (then "..."), so the size
 * and the fix always fit in the line and it ends with a newline. */
#define REPORT_LABEL_MAX 200u

/* One write(2) of one line, so lines of two threads faulting at once do not interleave:
 *   steady: stack overflow in actor '<label>': it overran its <N>-byte stack (a fault in its
 *   guard page); give it a larger .stack_size
 * Async-signal-safe: no allocation, no stdio. */
static void report(const steady_actor *a)
{
    char line[512];
    size_t n = append(line, 0, sizeof line, "steady: stack overflow in actor '");
    size_t label_at = n;
    n = append(line, n, label_at + REPORT_LABEL_MAX + 1, a->label);
    if (a->label[n - label_at] != '\0')
        n = append(line, n, sizeof line, "...");
    n = append(line, n, sizeof line, "': it overran its ");
    n = append_u64(line, n, sizeof line, a->fiber.stack_size);
    n = append(line, n, sizeof line,
               "-byte stack (a fault in its guard page); give it a larger .stack_size\n");
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}

/* A SIGSEGV that no instruction raised (kill(2), tgkill, sigqueue: si_code <= 0) is not a
 * crash: there is no faulting instruction to run again, so returning would swallow it. It
 * gets the action it would have had without steady: the previous handler, or the default
 * (re-raised, so the process ends by SIGSEGV). */
static void hand_on_sent(int sig, siginfo_t *info, void *uctx)
{
    if (previous_segv.sa_flags & SA_SIGINFO && previous_segv.sa_sigaction) {
        previous_segv.sa_sigaction(sig, info, uctx);
        return;
    }
    if (previous_segv.sa_handler == SIG_IGN)
        return;
    if (previous_segv.sa_handler != SIG_DFL && previous_segv.sa_handler) {
        previous_segv.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig); /* SA_NODEFER: delivered now, by the default action */
}

static void on_segv(int sig, siginfo_t *info, void *uctx)
{
    /* acquire: pairs with install()'s release: previous_segv is whole. */
    (void)atomic_load_explicit(&previous_ready, memory_order_acquire);
    if (info->si_code <= 0) {
        hand_on_sent(sig, info, uctx);
        return;
    }
    steady_troupe *t = current_troupe;
    for (size_t i = 0; t && i < t->n_members; i++)
        if (steady__fiber_addr_in_guard(&t->members[i]->fiber, info->si_addr)) {
            report(t->members[i]);
            break;
        }
    /* Hand the fault on: the previous handler if it had one, else the default action once
     * this handler returns and the faulting instruction runs again. */
    if (previous_segv.sa_flags & SA_SIGINFO && previous_segv.sa_sigaction) {
        previous_segv.sa_sigaction(sig, info, uctx);
        return;
    }
    if (previous_segv.sa_handler != SIG_DFL && previous_segv.sa_handler != SIG_IGN &&
        previous_segv.sa_handler) {
        previous_segv.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
}

/* The handler to hand on to is recorded before ours is installed, so a signal that arrives
 * at once finds it; previous_ready's release store pairs with the handlers' acquire load
 * (another thread's handler may be the first reader). */
static void install(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, NULL, &old);
    /* Installed twice (an ISOLATED child re-installs after fork): never hand on to ourselves. */
    if (!((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == on_segv))
        previous_segv = old;
    /* release: pairs with the acquire load at the top of on_segv. */
    atomic_store_explicit(&previous_ready, 1, memory_order_release);
    sigaction(SIGSEGV, &sa, NULL);
}

void steady__overflow_thread_init(steady_troupe *t)
{
    pthread_once(&install_once, install);
    current_troupe = t;
    alt_stack =
        mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt_stack == MAP_FAILED) {
        alt_stack = NULL;
        return; /* no name on overflow for this thread; the fault still happens */
    }
    stack_t ss = {.ss_sp = alt_stack, .ss_size = ALT_STACK_SIZE, .ss_flags = 0};
    sigaltstack(&ss, NULL);
}

void steady__overflow_thread_fini(void)
{
    current_troupe = NULL;
    if (!alt_stack)
        return;
    stack_t ss = {.ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    munmap(alt_stack, ALT_STACK_SIZE);
    alt_stack = NULL;
}

void steady__overflow_after_fork(void)
{
    /* The parent's handlers (a test framework's, a sanitizer's) must not run in an ISOLATED
     * child: a crash there kills the child, which is what its supervisor watches for. */
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], SIG_DFL);
    install(); /* ours again, handing the fault on to the default action */
}
