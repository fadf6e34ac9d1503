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
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "platform/futex.h"
#include "platform/thread.h"

#define SPIN_NS 4000u             /* re-check for ~4 us before yielding */
#define YIELDS 2                  /* then sched_yield twice before parking */
#define SHORT_PARK_NS 100000u     /* a park a peer ended sooner than this makes idle() hot: */
#define HOT_SPIN_NS 1000u         /* spin ~1 us, then */
#define HOT_YIELD_NS 100000u      /* sched_yield for up to 100 us before parking */
#define FALLBACK_PARK_NS 1000000u /* longest park when membarrier is unavailable */

static size_t round_robin(void *ctx, size_t n, size_t last)
{
    (void)ctx;
    return (last + 1) % n;
}

steady_err steady_troupe_new(steady_graph *g, const steady_troupe_opts *o, steady_troupe **out)
{
    if (!g || !out)
        return steady__fail(STEADY_EINVAL, "steady_troupe_new: graph and out must not be NULL");
    if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE, "troupes can only be created before "
                                           "steady_graph_start()");
    steady_troupe *t = steady__shm_alloc(g->shm, sizeof *t, STEADY_CACHE_LINE);
    unsigned explicit_troupes = 0; /* solo actors' own troupes do not count toward the name */
    for (steady_troupe *u = g->troupes; u; u = u->next)
        explicit_troupes += !u->solo;
    char def[32];
    snprintf(def, sizeof def, "troupe-%u", explicit_troupes);
    if (!t || !(t->name = steady__strdup(o && o->name ? o->name : def))) {
        return steady__fail(STEADY_ENOMEM, "troupe: out of memory");
    }
    t->graph = g;
    t->pin = o && o->pin;
    t->isolated = o && o->isolated;
    t->core = o ? o->core : 0;
    t->sched = o && o->sched && o->sched->next ? *o->sched : (steady_sched){round_robin, NULL};
    t->bell.wake_counter = &g->futex_wakes;
    t->last = SIZE_MAX;
    g->n_troupes++;
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
    steady__free(t->members);
    steady__free(t->name);
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
    steady__self = a;
    steady__fiber_switch(&t->home, &a->fiber);
    uint64_t now = steady__ticks(), ran = now - t->tick;
    t->tick = now;
    steady__self = NULL;
    /* Single writer (this thread): load + store, no locked add. Relaxed: a statistic that
     * other threads read as a snapshot. */
    uint64_t busy = atomic_load_explicit(&a->busy_ticks, memory_order_relaxed);
    atomic_store_explicit(&a->busy_ticks, busy + ran, memory_order_relaxed);
}

void steady__troupe_switch_out(steady_actor *a)
{
    steady__fiber_switch(&a->fiber, &a->troupe->home);
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
    uint64_t deadline, now = steady__mono_ns();
    uint64_t spin_until = now + (hot ? HOT_SPIN_NS : SPIN_NS);
    do {
        steady__cpu_relax();
        if (any_ready(t, &deadline))
            return;
    } while ((now = steady__mono_ns()) < spin_until);
    uint64_t yield_until = hot ? now + HOT_YIELD_NS : 0;
    for (int i = 0; i < YIELDS || steady__mono_ns() < yield_until; i++) {
        sched_yield();
        if (any_ready(t, &deadline))
            return;
    }
    bool was_hot = hot;
    hot = false;
    uint32_t seq = atomic_load_explicit(&t->bell.seq, memory_order_acquire);
    atomic_store_explicit(&t->bell.sleeping, 1, memory_order_seq_cst);
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
        if (!steady__membarrier_available() && timeout > FALLBACK_PARK_NS)
            timeout = FALLBACK_PARK_NS;
        uint64_t parked = steady__mono_ns();
        steady__bell_sleep(&t->bell, seq, timeout);
        parked = steady__mono_ns() - parked;
        hot = !was_hot && parked < SHORT_PARK_NS && parked < timeout; /* rung, not timed out */
    }
    atomic_store_explicit(&t->bell.sleeping, 0, memory_order_relaxed);
}

/* One pass over the members in scheduler order; returns how many ran. */
static size_t run_pass(steady_troupe *t, size_t *live)
{
    size_t ran = 0;
    steady__lazy_now now = {t->graph, 0, false};
    uint64_t deadline = 0;
    t->tick = steady__ticks();
    for (size_t k = 0; k < t->n_members; k++) {
        t->last = t->sched.next(t->sched.ctx, t->n_members,
                                t->last == SIZE_MAX ? t->n_members - 1 : t->last);
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

static void destroy_fibers(steady_troupe *t)
{
    for (size_t i = 0; i < t->n_members; i++)
        if (t->members[i]->fiber_made) {
            steady__fiber_destroy(&t->members[i]->fiber);
            t->members[i]->fiber_made = false;
        }
}

static int create_fibers(steady_troupe *t)
{
    for (size_t i = 0; i < t->n_members; i++) {
        steady_actor *a = t->members[i];
        if (a->status == STEADY__DONE)
            continue; /* a member a previous process of this troupe saw to its end */
        int e = steady__fiber_create(&a->fiber, a->stack_size, steady__actor_entry, a);
        a->fiber_made = e == 0;
        if (e != 0) {
            STEADY_ERROR("actor '%s': cannot map a %zu-byte stack: %s", a->label, a->stack_size,
                         strerror(e));
            destroy_fibers(t);
            return e;
        }
    }
    return 0;
}

void steady__troupe_body(steady_troupe *t)
{
    steady__thread_set_name(t->name);
    if (t->pin && steady__thread_pin(t->core) != 0)
        STEADY_WARN("troupe '%s': could not pin to core %d; running unpinned", t->name, t->core);
    steady__fiber_thread_init(&t->home);
    steady__ticks_calibrate();
    steady__overflow_thread_init(t);
    size_t live = 0;
    for (size_t i = 0; i < t->n_members; i++)
        live += t->members[i]->status != STEADY__DONE;
    if (create_fibers(t) == 0) {
        while (live > 0)
            if (run_pass(t, &live) == 0)
                idle(t);
        destroy_fibers(t);
    } else {
        for (size_t i = 0; i < t->n_members; i++) {
            atomic_store_explicit(&t->members[i]->exited, 1, memory_order_release);
            t->members[i]->failed = true;
        }
        steady__graph_request(t->graph, t->name);
    }
    steady__overflow_thread_fini();
    steady__fiber_thread_fini(&t->home);
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
    if (t->isolated)
        return steady__iso_spawn_first(t); /* a child process, not a thread */
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
