/*
 * fiber_test.c: specification of src/platform/fiber.h.
 *
 * Fiber bodies never call cmocka asserts: a failing assert longjmps to the runner's frame on
 * the main stack, which is not a jump a fiber may make. Bodies count what they saw and the
 * test function, on the thread's own stack, asserts on the counts.
 *
 * The guard-page tests fork, so they run first, while the process has one thread (later tests
 * start threads; a fork of a threaded process may only call async-signal-safe functions).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/fiber.h"

#include <fenv.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { STACK = 64 * 1024 };

/* Keeps a local's address alive so the compiler cannot drop or merge the frame holding it. */
static void escape(void *p)
{
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

/* ---- a stack overflow faults in the fiber's own guard page */

static steady__fiber overflow_sched, overflow_fiber;
static volatile size_t recursion_limit = SIZE_MAX; /* volatile: the recursion looks finite */

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    _exit(steady__fiber_addr_in_guard(&overflow_fiber, si->si_addr) ? 42 : 43);
}

static size_t recurse_small_frames(size_t depth)
{
    volatile char frame[256];
    frame[0] = (char)depth;
    escape((void *)frame);
    if (depth >= recursion_limit)
        return depth;
    return recurse_small_frames(depth + 1) + (size_t)frame[0];
}

/* A frame of three pages of which only the lowest bytes are written: without
   -fstack-clash-protection its first write lands below the one-page guard. */
static size_t recurse_big_frames(size_t depth)
{
    volatile char frame[3 * 4096];
    frame[0] = (char)depth;
    escape((void *)frame);
    if (depth >= recursion_limit)
        return depth;
    return recurse_big_frames(depth + 1) + (size_t)frame[0];
}

static void small_frames_body(void *arg)
{
    (void)arg;
    (void)recurse_small_frames(0);
    steady__fiber_exit_to(&overflow_fiber, &overflow_sched);
}

static void big_frames_body(void *arg)
{
    (void)arg;
    (void)recurse_big_frames(0);
    steady__fiber_exit_to(&overflow_fiber, &overflow_sched);
}

static void install_segv_handler_on_altstack(void)
{
    size_t alt_size = 64 * 1024; /* a page-sized one is too small for an ASan runtime */
    stack_t alt = {.ss_size = alt_size, .ss_flags = 0};
    alt.ss_sp = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt.ss_sp == MAP_FAILED || sigaltstack(&alt, NULL) != 0)
        _exit(2);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        _exit(3);
}

/* Runs body on a fiber in a child process whose SIGSEGV handler exits with 42 if the fault
   address is in that fiber's guard page, 43 if it is elsewhere. Returns the wait status. */
static int overflow_in_child(steady__fiber_fn body)
{
    pid_t child = fork();
    if (child == 0) {
        install_segv_handler_on_altstack();
        steady__fiber_thread_init(&overflow_sched);
        if (steady__fiber_create(&overflow_fiber, STACK, body, NULL) != 0)
            _exit(4);
        steady__fiber_switch(&overflow_sched, &overflow_fiber);
        _exit(5); /* the fiber came back: it did not overflow */
    }
    int status = -1;
    if (child < 0 || waitpid(child, &status, 0) != child)
        return -1;
    return status;
}

/* Under ASan and TSan the user's SIGSEGV handler still wins over the runtime's own (checked
   with gcc 12 and clang 14: reference/fibers_and_sanitizers.md, section 2), so these tests run
   in every build. */
static void stack_overflow_faults_in_the_fibers_guard_page(void **state)
{
    (void)state;
    int status = overflow_in_child(small_frames_body);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 42);
}

/* Fails if the build loses -fstack-clash-protection. */
static void overflow_by_frames_bigger_than_the_guard_still_faults_in_the_guard(void **state)
{
    (void)state;
    int status = overflow_in_child(big_frames_body);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 42);
}

/* ---- geometry and backend */

static void noop_body(void *arg)
{
    (void)arg;
    __builtin_trap(); /* never switched to */
}

static void created_stack_is_page_rounded_with_a_guard_page_below_it(void **state)
{
    (void)state;
    size_t page = steady__page_size();
    steady__fiber f;
    assert_int_equal(steady__fiber_create(&f, 3 * page + 1, noop_body, NULL), 0);

    assert_int_equal(f.stack_size, 4 * page);
    assert_ptr_equal((char *)f.map + page, f.stack_lo);
    assert_int_equal(f.map_size, 5 * page);
    assert_true(steady__fiber_addr_in_guard(&f, f.map));
    assert_true(steady__fiber_addr_in_guard(&f, (char *)f.stack_lo - 1));
    assert_false(steady__fiber_addr_in_guard(&f, f.stack_lo));
    assert_false(steady__fiber_addr_in_guard(&f, NULL));
    steady__fiber_destroy(&f);
}

static void tiny_stack_request_gets_the_minimum_stack(void **state)
{
    (void)state;
    steady__fiber f;
    assert_int_equal(steady__fiber_create(&f, 1, noop_body, NULL), 0);
    assert_true(f.stack_size >= STEADY__FIBER_MIN_STACK);
    steady__fiber_destroy(&f);
}

static void thread_context_has_no_guard_page(void **state)
{
    (void)state;
    steady__fiber self;
    int local = 0;
    assert_int_equal(steady__fiber_thread_init(&self), 0);
    assert_false(steady__fiber_addr_in_guard(&self, &local));
    assert_false(steady__fiber_addr_in_guard(&self, NULL));
    steady__fiber_thread_fini(&self);
}

static void linked_backend_matches_the_header_configuration(void **state)
{
    (void)state;
    assert_int_equal(steady__fiber_backend_is_asm(), STEADY_FIBER_UCONTEXT ? 0 : 1);
}

/* ---- three fibers and a scheduler ping-pong values */

enum { PINGPONG_FIBERS = 3, PINGPONG_ROUNDS = 100000 };

struct pingpong {
    steady__fiber sched;
    steady__fiber fib[PINGPONG_FIBERS];
    uint64_t to_fiber[PINGPONG_FIBERS];
    uint64_t from_fiber[PINGPONG_FIBERS];
    unsigned wrong_inputs;
};
struct pingpong_arg {
    struct pingpong *pp;
    int i;
};

static void pingpong_body(void *arg)
{
    struct pingpong_arg *a = arg;
    struct pingpong *pp = a->pp;
    int i = a->i;
    for (uint64_t round = 0; round < PINGPONG_ROUNDS; round++) {
        if (pp->to_fiber[i] != round * PINGPONG_FIBERS + (uint64_t)i)
            pp->wrong_inputs++;
        pp->from_fiber[i] = pp->to_fiber[i] * 2 + 1;
        steady__fiber_switch(&pp->fib[i], &pp->sched);
    }
    steady__fiber_exit_to(&pp->fib[i], &pp->sched);
}

static void three_fibers_and_a_scheduler_ping_pong_100k_times_with_correct_values(void **state)
{
    (void)state;
    static struct pingpong pp;
    struct pingpong_arg args[PINGPONG_FIBERS];
    memset(&pp, 0, sizeof pp);
    steady__fiber_thread_init(&pp.sched);
    for (int i = 0; i < PINGPONG_FIBERS; i++) {
        args[i] = (struct pingpong_arg){&pp, i};
        assert_int_equal(steady__fiber_create(&pp.fib[i], STACK, pingpong_body, &args[i]), 0);
    }
    unsigned wrong_outputs = 0;
    for (uint64_t round = 0; round < PINGPONG_ROUNDS; round++) {
        for (int i = 0; i < PINGPONG_FIBERS; i++) {
            uint64_t v = round * PINGPONG_FIBERS + (uint64_t)i;
            pp.to_fiber[i] = v;
            steady__fiber_switch(&pp.sched, &pp.fib[i]);
            wrong_outputs += pp.from_fiber[i] != v * 2 + 1;
        }
    }
    for (int i = 0; i < PINGPONG_FIBERS; i++) {
        steady__fiber_switch(&pp.sched, &pp.fib[i]); /* lets it exit */
        steady__fiber_destroy(&pp.fib[i]);
    }
    steady__fiber_thread_fini(&pp.sched);
    assert_int_equal(pp.wrong_inputs, 0);
    assert_int_equal(wrong_outputs, 0);
}

/* ---- fibers hand over directly to each other, without the scheduler in between */

enum { RING_FIBERS = 3, RING_LAPS = 1000 };

struct direct {
    steady__fiber sched, fib[RING_FIBERS];
    uint64_t token;       /* incremented by each fiber on its turn */
    unsigned out_of_turn; /* a fiber found a token that was not its turn's */
};
struct direct_arg {
    struct direct *d;
    int i;
};

static void direct_body(void *arg)
{
    struct direct_arg *a = arg;
    struct direct *d = a->d;
    for (uint64_t lap = 0; lap < RING_LAPS; lap++) {
        d->out_of_turn += d->token != lap * RING_FIBERS + (uint64_t)a->i;
        d->token++;
        bool last = a->i == RING_FIBERS - 1 && lap == RING_LAPS - 1;
        steady__fiber_switch(&d->fib[a->i], last ? &d->sched : &d->fib[(a->i + 1) % RING_FIBERS]);
    }
    steady__fiber_exit_to(&d->fib[a->i], &d->sched);
}

static void fibers_switch_directly_to_each_other_in_a_ring(void **state)
{
    (void)state;
    static struct direct d;
    struct direct_arg args[RING_FIBERS];
    memset(&d, 0, sizeof d);
    steady__fiber_thread_init(&d.sched);
    for (int i = 0; i < RING_FIBERS; i++) {
        args[i] = (struct direct_arg){&d, i};
        assert_int_equal(steady__fiber_create(&d.fib[i], STACK, direct_body, &args[i]), 0);
    }
    steady__fiber_switch(&d.sched, &d.fib[0]); /* returns after the last lap of fiber 2 */
    uint64_t token_at_return = d.token;
    for (int i = 0; i < RING_FIBERS; i++) {
        steady__fiber_switch(&d.sched, &d.fib[i]); /* lets it exit */
        steady__fiber_destroy(&d.fib[i]);
    }
    assert_int_equal(token_at_return, RING_LAPS * RING_FIBERS);
    assert_int_equal(d.out_of_turn, 0);
}

/* ---- a new fiber starts on an ABI-aligned stack */

struct align {
    steady__fiber sched, fib;
    uintptr_t misalignment;
    char formatted[32];
};

static __attribute__((noinline)) uintptr_t aligned_local_misalignment(void)
{
    _Alignas(16) char local[16];
    escape(local);
    return (uintptr_t)local % 16; /* nonzero only if rsp broke the ABI's 16-byte rule */
}

static void align_body(void *arg)
{
    struct align *s = arg;
    s->misalignment = aligned_local_misalignment();
    /* glibc's varargs code spills SSE registers with movaps: crashes on a misaligned stack */
    snprintf(s->formatted, sizeof s->formatted, "%.3f", 2.5);
    steady__fiber_exit_to(&s->fib, &s->sched);
}

static void new_fiber_runs_on_a_16_byte_aligned_stack(void **state)
{
    (void)state;
    static struct align s;
    memset(&s, 0, sizeof s);
    steady__fiber_thread_init(&s.sched);
    assert_int_equal(steady__fiber_create(&s.fib, STACK, align_body, &s), 0);
    steady__fiber_switch(&s.sched, &s.fib);
    steady__fiber_destroy(&s.fib);
    assert_int_equal(s.misalignment, 0);
    assert_string_equal(s.formatted, "2.500");
}

/* ---- locals in deep frames survive switches */

enum { DEEP_FRAMES = 30, DEEP_WORDS = 16 };

struct deep {
    steady__fiber sched, fib[2];
    unsigned corrupted;
    const uint64_t *seen; /* a fiber's local, read by the scheduler while that fiber sleeps */
};
struct deep_arg {
    struct deep *d;
    int i;
};

static uint64_t deep_word(int fiber, int depth, int k)
{
    return (uint64_t)fiber << 40 | (uint64_t)depth << 20 | (uint64_t)k;
}

static void deep_recurse(struct deep_arg *a, int depth)
{
    uint64_t words[DEEP_WORDS];
    for (int k = 0; k < DEEP_WORDS; k++)
        words[k] = deep_word(a->i, depth, k);
    a->d->seen = words;
    steady__fiber_switch(&a->d->fib[a->i], &a->d->sched);
    if (depth + 1 < DEEP_FRAMES)
        deep_recurse(a, depth + 1);
    steady__fiber_switch(&a->d->fib[a->i], &a->d->sched);
    for (int k = 0; k < DEEP_WORDS; k++)
        a->d->corrupted += words[k] != deep_word(a->i, depth, k);
    escape(words);
}

static void deep_body(void *arg)
{
    struct deep_arg *a = arg;
    deep_recurse(a, 0);
    steady__fiber_exit_to(&a->d->fib[a->i], &a->d->sched);
}

static void locals_in_deep_frames_survive_switches(void **state)
{
    (void)state;
    static struct deep d;
    struct deep_arg args[2] = {{&d, 0}, {&d, 1}};
    memset(&d, 0, sizeof d);
    steady__fiber_thread_init(&d.sched);
    for (int i = 0; i < 2; i++)
        assert_int_equal(steady__fiber_create(&d.fib[i], STACK, deep_body, &args[i]), 0);

    unsigned seen_wrong = 0;
    for (int step = 0; step < 2 * DEEP_FRAMES; step++) {
        for (int i = 0; i < 2; i++) {
            steady__fiber_switch(&d.sched, &d.fib[i]);
            if (step < DEEP_FRAMES)
                seen_wrong += d.seen[DEEP_WORDS - 1] != deep_word(i, step, DEEP_WORDS - 1);
        }
    }
    for (int i = 0; i < 2; i++) {
        steady__fiber_switch(&d.sched, &d.fib[i]);
        steady__fiber_destroy(&d.fib[i]);
    }
    assert_int_equal(seen_wrong, 0);
    assert_int_equal(d.corrupted, 0);
}

/* ---- floating-point control state is per fiber */

struct fpu {
    steady__fiber sched, up, fresh;
    int up_mode_after_switch;
    int fresh_mode;
    double up_quotient;
};

static __attribute__((noinline)) double one_third(void)
{
    volatile double one = 1.0, three = 3.0; /* volatile: divide at run time, in SSE */
    return one / three;
}

static void fpu_up_body(void *arg)
{
    struct fpu *s = arg;
    fesetround(FE_UPWARD);
    steady__fiber_switch(&s->up, &s->sched);
    s->up_mode_after_switch = fegetround(); /* x87 control word */
    s->up_quotient = one_third();           /* MXCSR */
    steady__fiber_exit_to(&s->up, &s->sched);
}

static void fpu_fresh_body(void *arg)
{
    struct fpu *s = arg;
    s->fresh_mode = fegetround();
    steady__fiber_exit_to(&s->fresh, &s->sched);
}

static void rounding_mode_set_in_one_fiber_stays_in_that_fiber(void **state)
{
    (void)state;
    static struct fpu s;
    memset(&s, 0, sizeof s);
    double nearest = one_third();
    steady__fiber_thread_init(&s.sched);
    assert_int_equal(steady__fiber_create(&s.up, STACK, fpu_up_body, &s), 0);

    steady__fiber_switch(&s.sched, &s.up); /* it sets FE_UPWARD and yields */
    int sched_mode = fegetround();
    double sched_quotient = one_third();
    fesetround(FE_TOWARDZERO); /* a fiber created now must not inherit this */
    assert_int_equal(steady__fiber_create(&s.fresh, STACK, fpu_fresh_body, &s), 0);
    steady__fiber_switch(&s.sched, &s.fresh);
    int sched_mode_kept = fegetround();
    fesetround(FE_TONEAREST);
    steady__fiber_switch(&s.sched, &s.up);
    steady__fiber_destroy(&s.up);
    steady__fiber_destroy(&s.fresh);

    assert_int_equal(sched_mode, FE_TONEAREST);
    assert_true(sched_quotient == nearest);
    assert_int_equal(s.fresh_mode, FE_TONEAREST);
    assert_int_equal(sched_mode_kept, FE_TOWARDZERO);
    assert_int_equal(s.up_mode_after_switch, FE_UPWARD);
    assert_true(s.up_quotient > nearest);
}

/* ---- longjmp from deep frames to the entry frame, then reset on the same stack */

enum { LJ_RUNS = 1000, LJ_DEPTH = 20, LJ_JUMPS_PER_RUN = 2 };

struct lj {
    steady__fiber sched, fib;
    jmp_buf *entry;
    bool jump;
    unsigned dives, unwinds, exits;
};

static __attribute__((noinline)) void use_stack_after_unwind(void)
{
    char big[8192]; /* lands on the redzones of the abandoned frames */
    memset(big, 0x5a, sizeof big);
    escape(big);
}

static void lj_dive(struct lj *s, int depth)
{
    char pad[128];
    memset(pad, depth, sizeof pad);
    escape(pad);
    if (depth < LJ_DEPTH) {
        lj_dive(s, depth + 1);
        escape(pad);
        return;
    }
    s->dives++;
    steady__fiber_switch(&s->fib, &s->sched); /* suspended 20 frames deep */
    if (s->jump) /* always true; a constant would make gcc see an endless recursion */
        longjmp(*s->entry, 1);
}

static void lj_body(void *arg)
{
    struct lj *s = arg;
    jmp_buf entry;
    volatile int jumps = 0;
    s->entry = &entry;
    if (setjmp(entry) != 0) {
        s->unwinds++;
        use_stack_after_unwind();
    }
    if (jumps++ < LJ_JUMPS_PER_RUN)
        lj_dive(s, 0);
    s->exits++;
    steady__fiber_exit_to(&s->fib, &s->sched);
}

static void longjmp_to_entry_frame_then_reset_reruns_on_the_same_stack(void **state)
{
    (void)state;
    static struct lj s;
    memset(&s, 0, sizeof s);
    s.jump = true;
    steady__fiber_thread_init(&s.sched);
    assert_int_equal(steady__fiber_create(&s.fib, STACK, lj_body, &s), 0);
    void *stack = s.fib.stack_lo;
    unsigned same_stack = 0;

    for (int run = 0; run < LJ_RUNS; run++) {
        for (int j = 0; j <= LJ_JUMPS_PER_RUN; j++)
            steady__fiber_switch(&s.sched, &s.fib); /* dive, dive, then exit */
        steady__fiber_reset(&s.fib, lj_body, &s);
        same_stack += s.fib.stack_lo == stack;
    }
    steady__fiber_destroy(&s.fib);
    assert_int_equal(s.dives, LJ_RUNS * LJ_JUMPS_PER_RUN);
    assert_int_equal(s.unwinds, LJ_RUNS * LJ_JUMPS_PER_RUN);
    assert_int_equal(s.exits, LJ_RUNS);
    assert_int_equal(same_stack, LJ_RUNS);
}

/* ---- a thousand fibers alive on one thread */

enum { MANY = 1000, MANY_ROUNDS = 3 };

struct many {
    steady__fiber sched;
    steady__fiber *fib;
    unsigned *turns;
};
struct many_arg {
    struct many *m;
    int i;
};

static void many_body(void *arg)
{
    struct many_arg *a = arg;
    for (int r = 0; r < MANY_ROUNDS; r++) {
        a->m->turns[a->i]++;
        steady__fiber_switch(&a->m->fib[a->i], &a->m->sched);
    }
    steady__fiber_exit_to(&a->m->fib[a->i], &a->m->sched);
}

/* 1,000 and not more: gcc 12's TSan creates a fiber in ~4 ms and counts fibers against its
   8,128-thread limit (reference/fibers_and_sanitizers.md, section 4). */
static void thousand_fibers_live_on_one_thread_and_take_turns(void **state)
{
    (void)state;
    static struct many m;
    m.fib = calloc(MANY, sizeof *m.fib);
    m.turns = calloc(MANY, sizeof *m.turns);
    struct many_arg *args = calloc(MANY, sizeof *args);
    assert_non_null(m.fib);
    assert_non_null(m.turns);
    assert_non_null(args);
    steady__fiber_thread_init(&m.sched);
    for (int i = 0; i < MANY; i++) {
        args[i] = (struct many_arg){&m, i};
        assert_int_equal(steady__fiber_create(&m.fib[i], STACK, many_body, &args[i]), 0);
    }
    for (int r = 0; r <= MANY_ROUNDS; r++)
        for (int i = 0; i < MANY; i++)
            steady__fiber_switch(&m.sched, &m.fib[i]);
    unsigned wrong = 0;
    for (int i = 0; i < MANY; i++) {
        wrong += m.turns[i] != MANY_ROUNDS;
        steady__fiber_destroy(&m.fib[i]);
    }
    free(args);
    free(m.turns);
    free(m.fib);
    assert_int_equal(wrong, 0);
}

/* ---- fibers on two threads exchange messages through atomics */

enum { LANES = 2, RING = 64, MESSAGES = 20000 };

struct msg {
    uint64_t value; /* plain: published by the ring's release store */
};

struct ring {
    _Atomic uint64_t head; /* next to take; written by the consumer */
    _Atomic uint64_t tail; /* next to fill; written by the producer */
    struct msg *slot[RING];
};

struct side {
    steady__fiber sched, fib[LANES];
    steady__fiber_fn body;
    struct ring *rings;
    bool finished[LANES];
    uint64_t sum[LANES]; /* consumer side only */
};
struct lane_arg {
    struct side *s;
    int lane;
};

static void producer_body(void *arg)
{
    struct lane_arg *a = arg;
    struct ring *r = &a->s->rings[a->lane];
    for (uint64_t n = 0; n < MESSAGES; n++) {
        uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed); /* own index */
        /* acquire: pairs with the consumer's release store of head, so its read of the slot
           (and its free of the message) happen before we refill the slot */
        while (tail - atomic_load_explicit(&r->head, memory_order_acquire) == RING)
            steady__fiber_switch(&a->s->fib[a->lane], &a->s->sched);
        struct msg *m = malloc(sizeof *m);
        if (m == NULL)
            abort();
        m->value = n * LANES + (uint64_t)a->lane;
        r->slot[tail % RING] = m;
        /* release: pairs with the consumer's acquire load of tail; publishes slot and *m */
        atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    }
    a->s->finished[a->lane] = true;
    steady__fiber_exit_to(&a->s->fib[a->lane], &a->s->sched);
}

static void consumer_body(void *arg)
{
    struct lane_arg *a = arg;
    struct ring *r = &a->s->rings[a->lane];
    for (uint64_t n = 0; n < MESSAGES; n++) {
        uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed); /* own index */
        /* acquire: pairs with the producer's release store of tail */
        while (atomic_load_explicit(&r->tail, memory_order_acquire) == head)
            steady__fiber_switch(&a->s->fib[a->lane], &a->s->sched);
        struct msg *m = r->slot[head % RING];
        a->s->sum[a->lane] += m->value;
        free(m);
        /* release: pairs with the producer's acquire load of head (the slot is free again) */
        atomic_store_explicit(&r->head, head + 1, memory_order_release);
    }
    a->s->finished[a->lane] = true;
    steady__fiber_exit_to(&a->s->fib[a->lane], &a->s->sched);
}

static int side_live_lanes(const struct side *s)
{
    int live = 0;
    for (int i = 0; i < LANES; i++)
        live += !s->finished[i];
    return live;
}

/* A scheduler thread: resumes each live lane in turn; yields the core between rounds, since
   the other side needs it to make progress on two cores. */
static void *run_side(void *arg)
{
    struct side *s = arg;
    struct lane_arg args[LANES];
    steady__fiber_thread_init(&s->sched);
    for (int i = 0; i < LANES; i++) {
        args[i] = (struct lane_arg){s, i};
        if (steady__fiber_create(&s->fib[i], STACK, s->body, &args[i]) != 0)
            return "steady__fiber_create failed";
    }
    while (side_live_lanes(s) > 0) {
        for (int i = 0; i < LANES; i++)
            if (!s->finished[i])
                steady__fiber_switch(&s->sched, &s->fib[i]);
        sched_yield();
    }
    for (int i = 0; i < LANES; i++)
        steady__fiber_destroy(&s->fib[i]);
    steady__fiber_thread_fini(&s->sched);
    return NULL;
}

static void fibers_on_two_threads_exchange_messages_through_atomics(void **state)
{
    (void)state;
    struct ring *rings = calloc(LANES, sizeof *rings);
    assert_non_null(rings);
    static struct side producers, consumers;
    producers = (struct side){.body = producer_body, .rings = rings};
    consumers = (struct side){.body = consumer_body, .rings = rings};
    pthread_t tp, tc;
    assert_int_equal(pthread_create(&tp, NULL, run_side, &producers), 0);
    assert_int_equal(pthread_create(&tc, NULL, run_side, &consumers), 0);
    void *perr = NULL, *cerr = NULL;
    assert_int_equal(pthread_join(tp, &perr), 0);
    assert_int_equal(pthread_join(tc, &cerr), 0);
    free(rings);

    assert_null(perr);
    assert_null(cerr);
    for (int lane = 0; lane < LANES; lane++) {
        uint64_t expect = 0;
        for (uint64_t n = 0; n < MESSAGES; n++)
            expect += n * LANES + (uint64_t)lane;
        assert_int_equal(consumers.sum[lane], expect);
    }
}

/* ---- LeakSanitizer sees through a fiber suspended at exit */

static steady__fiber lingering_sched, lingering;

static void lingering_body(void *arg)
{
    (void)arg;
    void *volatile only_ref = malloc(1234); /* reachable only from this suspended frame */
    steady__fiber_switch(&lingering, &lingering_sched);
    free(only_ref);
    steady__fiber_exit_to(&lingering, &lingering_sched);
}

/* Under ASan, LeakSanitizer runs at exit and would fail this binary with a false leak of the
   1,234 bytes unless the suspended stack were registered. Without ASan the call is a no-op. */
static void fiber_suspended_at_exit_keeps_its_objects_reachable(void **state)
{
    (void)state;
    steady__fiber_thread_init(&lingering_sched);
    assert_int_equal(steady__fiber_create(&lingering, STACK, lingering_body, NULL), 0);
    steady__fiber_switch(&lingering_sched, &lingering);
    steady__fiber_lsan_register_suspended(&lingering); /* left suspended until exit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* these two fork: first, while the process has one thread */
        cmocka_unit_test(stack_overflow_faults_in_the_fibers_guard_page),
        cmocka_unit_test(overflow_by_frames_bigger_than_the_guard_still_faults_in_the_guard),
        cmocka_unit_test(created_stack_is_page_rounded_with_a_guard_page_below_it),
        cmocka_unit_test(tiny_stack_request_gets_the_minimum_stack),
        cmocka_unit_test(thread_context_has_no_guard_page),
        cmocka_unit_test(linked_backend_matches_the_header_configuration),
        cmocka_unit_test(three_fibers_and_a_scheduler_ping_pong_100k_times_with_correct_values),
        cmocka_unit_test(fibers_switch_directly_to_each_other_in_a_ring),
        cmocka_unit_test(new_fiber_runs_on_a_16_byte_aligned_stack),
        cmocka_unit_test(locals_in_deep_frames_survive_switches),
        cmocka_unit_test(rounding_mode_set_in_one_fiber_stays_in_that_fiber),
        cmocka_unit_test(longjmp_to_entry_frame_then_reset_reruns_on_the_same_stack),
        cmocka_unit_test(thousand_fibers_live_on_one_thread_and_take_turns),
        cmocka_unit_test(fibers_on_two_threads_exchange_messages_through_atomics),
        cmocka_unit_test(fiber_suspended_at_exit_keeps_its_objects_reachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
