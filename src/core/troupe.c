/* core/troupe.c — the thread that runs actors.
 *
 * A troupe owns one OS thread and runs its members on their own stacks, switching at every
 * wait. A SOLO actor is a troupe of one. The thread's own context ("home") is the scheduler:
 * it resumes members in the order the troupe's steady_sched gives, skipping members whose
 * pending wait cannot complete yet (steady__wait_poll), and when no member can run it idles:
 * spin briefly re-checking, yield, then park on the troupe's doorbell until a channel peer,
 * a shutdown request or the earliest deadline wakes it.
 *
 * Thread-safety: everything but `bell` and `finished` is touched only by the troupe's thread
 * once it has started.
 */
#include "core/internal.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "platform/futex.h"
#include "platform/stacks.h"
#include "platform/thread.h"

#define SPIN_NS 4000u         /* re-check for ~4 us before yielding */
#define YIELDS 2              /* then sched_yield twice before parking */
#define SHORT_PARK_NS 100000u /* a park a peer ended sooner than this makes idle() hot: */
#define HOT_SPIN_NS 1000u     /* spin ~1 us, then */
#define HOT_YIELD_NS 100000u  /* sched_yield for up to 100 us before parking */
#define FALLBACK_PARK_NS                                                                           \
    1000000u /* longest park when membarrier is unavailable, when a park on                        \
                descriptors has no eventfd to be woken through, or cannot also wait on the         \
                troupe's doorbells in other processes (ipc.c) */

static size_t round_robin(void *ctx, size_t n, size_t last)
{
    (void)ctx;
    return (last + 1) % n;
}

steady_err steady__check_stack(size_t size, const char *who)
{
    if (size > STEADY__MAX_STACK)
        return steady__fail(STEADY_EINVAL,
                            "%s: a stack of %zu bytes is over the %zu MiB limit; give a smaller "
                            "stack_size (0: the default, 256 KiB)",
                            who, size, STEADY__MAX_STACK >> 20);
    return STEADY_OK;
}

steady_err steady__check_core(bool pin, int core, const char *who)
{
    if (pin && (core < 0 || core >= CPU_SETSIZE))
        return steady__fail(STEADY_EINVAL,
                            "%s: core %d is not a CPU number; give 0 to %d (the machine's "
                            "CPUs: see nproc)",
                            who, core, CPU_SETSIZE - 1);
    return STEADY_OK;
}

steady_err steady_troupe_new(steady_graph *g, const steady_troupe_opts *o, steady_troupe **out)
{
    if (!g || !out)
        return steady__fail(STEADY_EINVAL, "steady_troupe_new: graph and out must not be NULL");
    const char *nm = o && o->name ? o->name : "(unnamed)";
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "troupe '%s': troupes can only be created before "
                            "steady_graph_start()",
                            nm);
    if (o && o->name && !o->name[0])
        return steady__fail(STEADY_EINVAL, "steady_troupe_new: opts.name is empty; give a name, "
                                           "or NULL for the default ('troupe-N')");
    char who[300];
    snprintf(who, sizeof who, "troupe '%s'", nm);
    steady_err e;
    if (o && o->sched && !o->sched->next && !o->sched->pick)
        return steady__fail(STEADY_EINVAL,
                            "%s: opts.sched has neither a next nor a pick function; give one, "
                            "or leave opts.sched NULL for round-robin",
                            who);
    if (o && (e = steady__check_core(o->pin, o->core, who)) != STEADY_OK)
        return e;
    e = steady__troupe_make(g, o, false, out);
    if (e == STEADY_OK)
        g->n_named_troupes++;
    return e;
}

steady_err steady__troupe_make(steady_graph *g, const steady_troupe_opts *o, bool solo,
                               steady_troupe **out)
{
    steady_troupe *t = steady__shm_alloc(g->shm, sizeof *t, STEADY_CACHE_LINE);
    char def[32]; /* solo actors' own troupes do not count toward the name */
    snprintf(def, sizeof def, "troupe-%u", g->n_named_troupes);
    if (!t || !(t->name = steady__strdup(o && o->name ? o->name : def)))
        return steady__fail(STEADY_ENOMEM, "troupe: out of memory");
    t->solo = solo;
    t->graph = g;
    t->pin = o && o->pin;
    t->isolated = o && o->isolated;
    t->core = o ? o->core : 0;
    t->sched = o && o->sched && (o->sched->next || o->sched->pick)
                   ? *o->sched
                   : (steady_sched){.next = round_robin};
    if (!t->sched.next)
        t->sched.next = round_robin; /* a pick-only scheduler's fallback (run_step) */
    t->bell.wake_counter = &g->futex_wakes;
    t->last = SIZE_MAX;
    t->index = g->n_troupes++;
    *g->troupes_tail = t;
    g->troupes_tail = &t->next;
    *out = t;
    return STEADY_OK;
}

steady_err steady__troupe_add(steady_troupe *t, steady_actor *a)
{
    if (t->n_members == t->cap_members) {
        size_t cap = t->cap_members ? t->cap_members * 2 : 4;
        steady_actor **m = steady__alloc(cap * sizeof *m);
        if (!m)
            return steady__fail(STEADY_ENOMEM, "troupe '%s': out of memory", t->name);
        if (t->members)
            memcpy(m, t->members, t->n_members * sizeof *m);
        steady__free(t->members);
        t->members = m;
        t->cap_members = cap;
    }
    t->members[t->n_members++] = a;
    if (a->stack_size > t->stack_size)
        t->stack_size = a->stack_size;
    return STEADY_OK;
}

/* The record goes with the graph's shared memory. */
void steady__troupe_free(steady_troupe *t)
{
    steady__bell_close(&t->bell);
    steady__troupe_unmap_stacks(t);
    steady__free(t->members);
    steady__free(t->name);
    steady__free(t->ipc_bells);
    steady__free(t->ipc_seen);
    t->ipc_bells = NULL;
    t->ipc_seen = NULL;
    t->n_ipc_bells = 0;
    t->members = NULL;
    t->name = NULL;
}

/* ---- switching ---- */

/* Busy time costs one tick read per switch: a member is charged from the previous transition
 * (t->tick, refreshed at the start of each pass and after parking) to its return, so the
 * scheduler's own checks between two members are charged to the second. */
static void resume(steady_troupe *t, steady_actor *a)
{
    a->status = STEADY__RUNNABLE;
    /* relaxed: a snapshot for inspect.c ("waiting"), ordered with nothing */
    atomic_store_explicit(&a->parked, 0, memory_order_relaxed);
    steady__set_self(a);
    /* Single writer (this thread): load + store, no locked add. Relaxed: statistics that
     * other threads read as a snapshot (a reader may see the slice start of a run that just
     * ended: it then over-reports one run's length once, which a lint tolerates). */
    atomic_store_explicit(&a->slice_start, t->tick | 1, memory_order_relaxed);
    steady__fiber_switch(&t->home, &a->fiber);
    uint64_t now = steady__ticks(), ran = now - t->tick;
    t->tick = now;
    steady__set_self(NULL);
    atomic_store_explicit(&a->slice_start, 0, memory_order_relaxed);
    uint64_t busy = atomic_load_explicit(&a->busy_ticks, memory_order_relaxed);
    atomic_store_explicit(&a->busy_ticks, busy + ran, memory_order_relaxed);
    uint64_t n = atomic_load_explicit(&a->resumes, memory_order_relaxed);
    atomic_store_explicit(&a->resumes, n + 1, memory_order_relaxed);
}

/* ---- the scheduler ---- */

/* True if `a` should be resumed now; lowers *deadline to its earliest pending deadline. */
static bool member_ready(steady_actor *a, steady__lazy_now *now, uint64_t *deadline)
{
    if (a->status == STEADY__RUNNABLE || a->status == STEADY__NEW)
        return true;
    if (a->status != STEADY__BLOCKED)
        return false;
    uint64_t d = 0;
    bool r = steady__wait_poll(a, now, &d);
    if (d && (*deadline == 0 || d < *deadline))
        *deadline = d;
    return r;
}

static bool any_ready(steady_troupe *t, uint64_t *deadline)
{
    steady__lazy_now now = {t->graph, 0, false};
    *deadline = 0;
    bool r = false;
    for (size_t i = 0; i < t->n_members; i++)
        r |= member_ready(t->members[i], &now, deadline);
    return r;
}

/* ---- descriptors ---- */

/* The pollfds of the members' pending STEADY_FD conditions, with one slot more for the bell's
 * eventfd (bell.c). Per thread: a thread runs one troupe; freed as the thread leaves. */
static _Thread_local struct pollfd *fd_buf;
static _Thread_local unsigned fd_cap;

/* How many descriptors the blocked members' waits name: each wait keeps its count in the
 * actor record (wait.c), so this reads one word per member instead of walking the conditions. */
static unsigned count_fds(const steady_troupe *t)
{
    unsigned n = 0;
    for (size_t i = 0; i < t->n_members; i++)
        if (t->members[i]->status == STEADY__BLOCKED)
            n += atomic_load_explicit(&t->members[i]->fd_waits, memory_order_relaxed);
    return n;
}

/* Fills fd_buf with the pending descriptor conditions, at most n (count_fds), and returns how
 * many: fewer when a descriptor became ready while its wait still waits for something else (a
 * ppoll on the others then; the slots past the count are never passed). UINT_MAX: no memory. */
static unsigned gather_fds(const steady_troupe *t, unsigned n)
{
    if (fd_cap < n + 1) {
        struct pollfd *p = steady__alloc((size_t)(n + 1) * 2 * sizeof *p);
        if (!p)
            return UINT_MAX;
        steady__free(fd_buf);
        fd_buf = p;
        fd_cap = (n + 1) * 2;
    }
    unsigned k = 0;
    for (size_t i = 0; i < t->n_members && k < n; i++)
        if (t->members[i]->status == STEADY__BLOCKED) {
            unsigned m = steady__wait_fds(t->members[i], fd_buf + k, n - k);
            k += m < n - k ? m : n - k;
        }
    return k;
}

static void free_fds(void)
{
    steady__free(fd_buf);
    fd_buf = NULL;
    fd_cap = 0;
}

/* Parks on the members' descriptors and the bell's eventfd (both the ppoll). Without an
 * eventfd (or the memory for the list) the park is bounded, so a ring costs latency, never a
 * hang; said once per troupe. */
static void park_fds(steady_troupe *t, uint32_t seq, uint64_t timeout, unsigned nfd, bool efd_ok)
{
    unsigned k = efd_ok ? gather_fds(t, nfd) : UINT_MAX;
    bool have = k != UINT_MAX;
    if (!have) {
        if (!t->fd_park_degraded) {
            t->fd_park_degraded = true;
            STEADY_WARN("troupe '%s': no eventfd (or memory) to park on descriptors: the "
                        "descriptor limit was reached, or code of this process closed steady's "
                        "eventfd; its descriptor waits poll every %u us instead",
                        t->name, FALLBACK_PARK_NS / 1000u);
        }
        if (timeout > FALLBACK_PARK_NS)
            timeout = FALLBACK_PARK_NS;
        struct timespec rel = {0, (long)timeout};
        ppoll(NULL, 0, &rel, NULL);
        return;
    }
    steady__bell_sleep_fds(&t->bell, seq, timeout, fd_buf, k);
}

/* The doorbells of the troupe's channels to other processes say "parked" (sleeping) before
 * the park's re-check, each with its seq read first, as the troupe's own bell (bell.c). Not
 * on a park on descriptors (ppoll cannot wait on them): that park is bounded instead. */
static void arm_ipc_bells(steady_troupe *t, bool armed)
{
    for (unsigned i = 0; i < t->n_ipc_bells; i++) {
        struct steady__bell *b = t->ipc_bells[i];
        if (armed) {
            /* acquire: pairs with a ringer's seq_cst increment (bell.c). */
            t->ipc_seen[i] = atomic_load_explicit(&b->seq, memory_order_acquire);
            /* seq_cst: the sleeper's half of the Dekker pair with the ringer (bell.c). */
            atomic_store_explicit(&b->sleeping, STEADY__PARKED_FUTEX, memory_order_seq_cst);
        } else {
            atomic_store_explicit(&b->sleeping, STEADY__AWAKE, memory_order_relaxed);
        }
    }
}

/* Parks on the troupe's bell and its channels' doorbells in other processes. Where the kernel
 * cannot wait on several words (before Linux 5.16), a bounded park on the bell alone: a ring
 * from the other process then costs latency, never a hang; said once per troupe. */
static void park_with_ipc(steady_troupe *t, uint32_t seq, uint64_t timeout)
{
    if (steady__bell_sleep_with(&t->bell, seq, t->ipc_bells, t->ipc_seen, t->n_ipc_bells,
                                timeout) == 0)
        return;
    if (!t->ipc_park_degraded) {
        t->ipc_park_degraded = true;
        STEADY_WARN("troupe '%s': this kernel cannot wait on several futexes (futex_waitv, "
                    "Linux 5.16), or it holds over 127 channels to other processes: it checks "
                    "them every %u us instead of being woken",
                    t->name, FALLBACK_PARK_NS / 1000u);
    }
    steady__bell_sleep(&t->bell, seq, timeout < FALLBACK_PARK_NS ? timeout : FALLBACK_PARK_NS);
}

/* The first two stages of idle(): true when a member became ready meanwhile. */
static bool spin_then_yield(steady_troupe *t, bool hot, uint64_t *deadline)
{
    uint64_t now = steady__mono_ns();
    uint64_t spin_until = now + (hot ? HOT_SPIN_NS : SPIN_NS);
    do {
        steady__cpu_relax();
        if (any_ready(t, deadline))
            return true;
    } while ((now = steady__mono_ns()) < spin_until);
    uint64_t yield_until = hot ? now + HOT_YIELD_NS : 0;
    for (int i = 0; i < YIELDS || steady__mono_ns() < yield_until; i++) {
        sched_yield();
        if (any_ready(t, deadline))
            return true;
    }
    return false;
}

/* Nothing could run: spin, yield, then park until woken or the earliest deadline.
 *
 * A wake-up from a park costs far more than a hand-off (~75 us against ~0.2-0.6 us on the
 * project's VMs): when a peer keeps answering just after we park (channels of a few slots,
 * more busy threads than cores), every message pays a wake-up and both sides convoy (0.1-0.2 M
 * msg/s). So a park that a peer's ring ended within SHORT_PARK_NS makes the next idle "hot": a
 * shorter spin, then sched_yield (which also lets a thread sharing this core run) for up to
 * HOT_YIELD_NS before parking. A hot idle that still has to park, a long park and a timeout
 * all leave it cold: an idle graph parks after SPIN_NS and YIELDS, its CPU stays ~0; a thread
 * handed work more often than every ~100 us keeps its core busy yielding instead of sleeping. */
static void idle(steady_troupe *t)
{
    static _Thread_local bool hot; /* per thread: a thread runs one troupe */
    uint64_t deadline;
    /* A member waits on a descriptor: no spin (each check would be a poll(2) per descriptor,
     * and ppoll sees a ready one at once), straight to the park. */
    unsigned nfd = count_fds(t);
    if (!nfd && spin_then_yield(t, hot, &deadline))
        return;
    bool was_hot = hot;
    hot = false;
    /* The eventfd exists before sleeping says PARKED_FDS: a waker that sees the one (seq_cst)
     * sees the other. */
    bool efd_ok = nfd && steady__bell_efd(&t->bell) >= 0;
    /* acquire: pairs with a waker's seq_cst increment (bell.c); the wants re-checked after it are
     * fresh. */
    uint32_t seq = atomic_load_explicit(&t->bell.seq, memory_order_acquire);
    arm_ipc_bells(t, !nfd);
    /* seq_cst: the sleeper's half of the Dekker pair with the waker's bump and load (bell.c). */
    atomic_store_explicit(&t->bell.sleeping, nfd ? STEADY__PARKED_FDS : STEADY__PARKED_FUTEX,
                          memory_order_seq_cst);
    /* The heavy fence orders our published wants before the re-check for every thread of the
     * process, so channel peers need no fence on their hot path (see bell.c). */
    steady__heavy_fence();
    if (!any_ready(t, &deadline)) {
        uint64_t timeout = UINT64_MAX;
        if (deadline) {
            uint64_t now_graph = steady__now(t->graph);
            timeout = deadline > now_graph ? deadline - now_graph : 0;
        }
        /* Without membarrier the peers' hot path has no fence pairing with ours, so a wake-up
         * can be lost: bound the sleep, so such a loss costs latency, never a hang. */
        if ((!steady__membarrier_available() || (nfd && t->n_ipc_bells)) &&
            timeout > FALLBACK_PARK_NS)
            timeout = FALLBACK_PARK_NS;
        uint64_t parked = steady__mono_ns();
        if (nfd)
            park_fds(t, seq, timeout, nfd, efd_ok);
        else if (t->n_ipc_bells)
            park_with_ipc(t, seq, timeout);
        else
            steady__bell_sleep(&t->bell, seq, timeout);
        parked = steady__mono_ns() - parked;
        hot = !was_hot && parked < SHORT_PARK_NS && parked < timeout; /* rung, not timed out */
    }
    atomic_store_explicit(&t->bell.sleeping, STEADY__AWAKE, memory_order_relaxed);
    arm_ipc_bells(t, false);
}

/* One pass over the members in scheduler order; returns how many ran. */
/* The scheduler's next pick. One out of range would read past the member array: round-robin
 * takes over for that pick, and the first such pick is logged. */
static size_t next_member(steady_troupe *t)
{
    size_t n = t->n_members, last = t->last == SIZE_MAX ? n - 1 : t->last;
    size_t i = t->sched.next(t->sched.ctx, n, last);
    if (__builtin_expect(i < n, 1))
        return i;
    if (!t->sched_refused) {
        t->sched_refused = true;
        STEADY_ERROR("troupe '%s': its scheduler returned %zu for %zu members (it must return "
                     "an index below n_members); using round-robin for such picks",
                     t->name, i, n);
    }
    return (last + 1) % n;
}

static size_t run_pass(steady_troupe *t, size_t *live)
{
    size_t ran = 0;
    steady__lazy_now now = {t->graph, 0, false};
    uint64_t deadline = 0;
    t->tick = steady__ticks();
    for (size_t k = 0; k < t->n_members; k++) {
        t->last = next_member(t);
        steady_actor *a = t->members[t->last];
        if (!member_ready(a, &now, &deadline))
            continue;
        resume(t, a);
        ran++;
        if (a->status == STEADY__DONE)
            (*live)--;
        now.valid = false; /* time moved while it ran */
    }
    return ran;
}

/* ---- one step at a time (steady_sched.pick) ---- */

/* The troupe this thread runs, while it runs it: what steady_sched_describe reads. Per thread:
 * a thread runs one troupe. */
static _Thread_local steady_troupe *home_troupe;
/* pick's readiness list, one byte per member; made as the thread starts (NULL: run_pass). */
static _Thread_local unsigned char *ready_buf;

/* The pick, or the first ready member after it when it is not a ready one (logged once). */
static size_t checked_pick(steady_troupe *t, size_t n)
{
    size_t i = t->sched.pick(t->sched.ctx, n, ready_buf);
    if (__builtin_expect(i < n && ready_buf[i], 1))
        return i;
    if (!t->sched_refused) {
        t->sched_refused = true;
        STEADY_ERROR("troupe '%s': its scheduler picked %zu of %zu members, which %s; using the "
                     "next ready member for such picks",
                     t->name, i, n, i < n ? "cannot run now" : "is out of range");
    }
    size_t from = i < n ? i : n - 1; /* out of range: the first ready one */
    for (size_t k = 1; k <= n; k++)
        if (ready_buf[(from + k) % n])
            return (from + k) % n;
    return from; /* unreachable: the caller saw one ready */
}

/* One step: the scheduler picks one of the members that can run now, and it runs. Returns 1,
 * or 0 when none could run. */
static size_t run_step(steady_troupe *t, size_t *live)
{
    steady__lazy_now now = {t->graph, 0, false};
    uint64_t deadline = 0;
    size_t n = t->n_members, k = 0;
    for (size_t i = 0; i < n; i++)
        k += ready_buf[i] = member_ready(t->members[i], &now, &deadline);
    if (!k)
        return 0;
    t->last = checked_pick(t, n);
    steady_actor *a = t->members[t->last];
    t->tick = steady__ticks();
    resume(t, a);
    if (a->status == STEADY__DONE)
        (*live)--;
    return 1;
}

/* The step loop's list, for a troupe whose scheduler picks; false: none needed or no memory
 * (said once: the troupe then runs its passes in next's order). */
static bool make_ready_buf(steady_troupe *t)
{
    if (!t->sched.pick)
        return false;
    ready_buf = steady__alloc(t->n_members);
    if (!ready_buf)
        STEADY_ERROR("troupe '%s': no memory for its scheduler's pick list (%zu bytes); its "
                     "members run in round-robin passes instead",
                     t->name, t->n_members);
    return ready_buf != NULL;
}

size_t steady_sched_describe(size_t member, char *buf, size_t cap)
{
    steady_troupe *t = home_troupe;
    if (!t || steady__self)
        return (void)steady__fail(STEADY_ESTATE,
                                  "steady_sched_describe: called outside a scheduler callback; "
                                  "call it from a steady_sched's next or pick, on the troupe's "
                                  "thread"),
               0;
    if (member >= t->n_members || (!buf && cap))
        return (void)steady__fail(STEADY_EINVAL,
                                  "steady_sched_describe: %s (member %zu of %zu, cap %zu)",
                                  member >= t->n_members ? "no such member" : "buf is NULL", member,
                                  t->n_members, cap),
               0;
    return steady__wait_describe(t->members[member], buf, cap);
}

static void destroy_fibers(steady_troupe *t)
{
    for (size_t i = 0; i < t->n_members; i++)
        if (t->members[i]->fiber_made) {
            steady__fiber_destroy(&t->members[i]->fiber);
            t->members[i]->fiber_made = false;
        }
}

/* ---- stacks ---- */

/* The error of a troupe whose stacks cannot be mapped, naming the limit and the fixes. The
 * mapping-limit advice only when a guard split is what the kernel refused: an mmap that
 * failed for memory or address space (ulimit -v) gets the other text. */
static steady_err stacks_error(const steady_troupe *t, const steady__stacks *pool, int e,
                               size_t bytes)
{
    size_t n = t->n_members;
    if (e == ENOMEM && pool->map_limit) {
        long max = steady__max_map_count();
        size_t need = 2 * n + 16,
               raise = (need + (size_t)(max > 0 ? max : 0) + 65535) / 65536 * 65536;
        return steady__fail(STEADY_ENOMEM,
                            "troupe '%s': cannot map the stacks of its %zu actor%s: %s; with "
                            "guards as mprotect'd pages (this kernel has no MADV_GUARD_INSTALL, "
                            "Linux 6.13+) each stack costs two memory mappings, about %zu here, "
                            "and vm.max_map_count is %ld: raise it (sysctl -w "
                            "vm.max_map_count=%zu), or spread the actors over ISOLATED troupes "
                            "(each process has a limit of its own)",
                            t->name, n, n == 1 ? "" : "s", strerror(e), need, max, raise);
    }
    return steady__fail(e == ENOMEM ? STEADY_ENOMEM : STEADY_ESYS,
                        "troupe '%s': cannot map the stacks of its %zu actor%s (%zu MiB of "
                        "address space with their guards): %s; give the actors smaller stacks "
                        "(.stack_size, default_stack_size), or check the process's memory "
                        "limits (ulimit -v, vm.overcommit_memory)",
                        t->name, n, n == 1 ? "" : "s", bytes >> 20, strerror(e));
}

/* Maps every member's stack into `pool` and writes them to (*out)[i]; main's process for a
 * troupe on a thread, the child itself for an ISOLATED troupe. */
static steady_err map_stacks(steady_troupe *t, steady__stacks *pool, steady__stack **out)
{
    size_t n = t->n_members, bytes = 0;
    size_t *sizes = steady__alloc((n ? n : 1) * sizeof *sizes);
    *out = steady__alloc((n ? n : 1) * sizeof **out);
    if (!sizes || !*out) {
        steady__free(sizes);
        steady__free(*out);
        *out = NULL;
        return steady__fail(STEADY_ENOMEM, "troupe '%s': out of memory", t->name);
    }
    for (size_t i = 0; i < n; i++) {
        sizes[i] = t->members[i]->stack_size;
        bytes += sizes[i] + STEADY__STACK_GUARD;
    }
    int e = steady__stacks_map(pool, n, sizes, *out);
    steady__free(sizes);
    if (e == 0)
        return STEADY_OK;
    steady__free(*out);
    *out = NULL;
    return stacks_error(t, pool, e, bytes);
}

steady_err steady__troupe_map_stacks(steady_troupe *t)
{
    if (t->isolated || t->n_members == 0 || t->member_stacks)
        return STEADY_OK;
    return map_stacks(t, &t->stacks, &t->member_stacks);
}

void steady__troupe_unmap_stacks(steady_troupe *t)
{
    if (!t->member_stacks)
        return;
    steady__stacks_unmap(&t->stacks);
    steady__free(t->member_stacks);
    t->member_stacks = NULL;
}

static void create_fibers(steady_troupe *t, const steady__stack *stacks)
{
    for (size_t i = 0; i < t->n_members; i++) {
        steady_actor *a = t->members[i];
        if (a->status == STEADY__DONE)
            continue; /* a member a previous process of this troupe saw to its end */
        steady__fiber_create_on(&a->fiber, stacks[i].lo, stacks[i].size, STEADY__STACK_GUARD,
                                steady__actor_entry, a);
        a->fiber_made = true;
    }
}

/* The members' stacks: mapped at start for a troupe on a thread; an ISOLATED troupe's own
 * process maps them here (into *pool, which the caller unmaps). NULL when they cannot be. */
static const steady__stack *stacks_for(steady_troupe *t, steady__stacks *pool, steady__stack **own)
{
    *own = NULL;
    if (!t->isolated)
        return t->member_stacks;
    if (map_stacks(t, pool, own) != STEADY_OK) {
        STEADY_ERROR("%s", steady_last_error());
        return NULL;
    }
    return *own;
}

void steady__troupe_body(steady_troupe *t)
{
    /* relaxed: where the troupe runs is reported, never synchronised on (inspect.c). */
    atomic_store_explicit(&t->run_pid, (int32_t)getpid(), memory_order_relaxed);
    atomic_store_explicit(&t->run_tid, (int32_t)gettid(), memory_order_relaxed);
    steady__thread_set_name(t->name);
    if (t->pin && steady__thread_pin(t->core) != 0)
        STEADY_WARN("troupe '%s': could not pin to core %d; running unpinned", t->name, t->core);
    steady__fiber_thread_init(&t->home);
    steady__ticks_calibrate();
    steady__overflow_thread_init(t);
    size_t live = 0;
    for (size_t i = 0; i < t->n_members; i++)
        live += t->members[i]->status != STEADY__DONE;
    steady__stacks own_pool = {0};
    steady__stack *own = NULL;
    const steady__stack *stacks = stacks_for(t, &own_pool, &own);
    if (stacks) {
        create_fibers(t, stacks);
        home_troupe = t;
        bool stepped = make_ready_buf(t);
        while (live > 0)
            if ((stepped ? run_step(t, &live) : run_pass(t, &live)) == 0)
                idle(t);
        home_troupe = NULL;
        steady__free(ready_buf);
        ready_buf = NULL;
        destroy_fibers(t);
        steady__stacks_unmap(&own_pool);
        steady__free(own);
    } else {
        for (size_t i = 0; i < t->n_members; i++) {
            steady_actor *a = t->members[i];
            steady__failure_set(a, "never started: %s", steady_last_error());
            a->failed = true; /* before exited: the stop's report reads both after */
            steady__actor_mark_exited(a);
        }
        steady__graph_request(t->graph, t->name);
    }
    free_fds();
    steady__overflow_thread_fini();
    steady__fiber_thread_fini(&t->home);
    atomic_store_explicit(&t->run_tid, 0, memory_order_relaxed);
    atomic_store_explicit(&t->run_pid, 0, memory_order_relaxed);
    /* release: pairs with main's acquire loads of finished (stop.c join_all, isolate.c): the
     * troupe's last writes are visible. */
    atomic_store_explicit(&t->finished, 1, memory_order_release);
    steady__graph_event(t->graph);
}

static void *troupe_main(void *p)
{
    steady__troupe_body(p);
    return NULL;
}

steady_err steady__troupe_start(steady_troupe *t)
{
    if (t->n_members == 0)
        return STEADY_OK; /* an empty troupe needs no thread */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* The scheduler itself runs on the thread stack; members have their own. */
    pthread_attr_setstacksize(&attr, 1u << 20);
    int e = pthread_create(&t->thread, &attr, troupe_main, t);
    pthread_attr_destroy(&attr);
    if (e != 0)
        return steady__fail(STEADY_ESYS, "troupe '%s': pthread_create failed: %s", t->name,
                            strerror(e));
    t->thread_started = true;
    return STEADY_OK;
}

/* ---- busy-time ticks ---- */

static struct {
    _Atomic uint64_t ticks0, ns0; /* one reference pair, taken once */
    pthread_once_t once;
} tick_ref = {.once = PTHREAD_ONCE_INIT};

uint64_t steady__clock_fallback_ns(void)
{
    return steady__mono_ns();
}

static void take_reference(void)
{
    atomic_store_explicit(&tick_ref.ns0, steady__mono_ns(), memory_order_relaxed);
    atomic_store_explicit(&tick_ref.ticks0, steady__ticks(), memory_order_relaxed);
}

void steady__ticks_calibrate(void)
{
    pthread_once(&tick_ref.once, take_reference);
}

uint64_t steady__ticks_to_ns(uint64_t ticks)
{
#if defined(__x86_64__)
    steady__ticks_calibrate();
    uint64_t dt = steady__ticks() - atomic_load_explicit(&tick_ref.ticks0, memory_order_relaxed);
    uint64_t dn = steady__mono_ns() - atomic_load_explicit(&tick_ref.ns0, memory_order_relaxed);
    if (dt == 0)
        return 0;
    /* The rate improves as the reference ages; long double keeps ticks * ns exact enough. */
    return (uint64_t)((long double)ticks * (long double)dn / (long double)dt);
#else
    return ticks;
#endif
}
