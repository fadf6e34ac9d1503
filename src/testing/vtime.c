/* testing/vtime.c — virtual time: a clock the test moves, and "idle" (every actor waiting). */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "steady/inspect.h"
#include "testing/kit.h"

struct kit_clock {
    _Atomic uint64_t now; /* written by the test, read by every actor's thread */
};

static void clock_free(void *p)
{
    free(p);
}

/* The graph's clock function. acquire: pairs with the test's release when it moves the clock
 * (time_advance, time_next), so an actor that runs because time moved sees what the test did
 * before moving it (a test that read the actor's state, then advanced). The poke after each
 * move (steady_graph_poke) is what makes parked threads look again. */
static uint64_t clock_now(void *ctx)
{
    return atomic_load_explicit(&((kit_clock *)ctx)->now, memory_order_acquire);
}

kit_clock *kit_clock_new(steady_clock *out)
{
    kit_clock *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    atomic_init(&c->now, 1000000000u);
    *out = (steady_clock){clock_now, c};
    return c;
}

bool kit_clock_own(steady_graph *g, kit_clock *c)
{
    return kit_own(g, c, clock_free);
}

void kit_clock_free(kit_clock *c)
{
    free(c);
}

uint64_t steady_test_time_now(steady_graph *g)
{
    kit_clock *c = g ? kit_find(g, clock_free) : NULL;
    return c ? clock_now(c) : 0;
}

static kit_clock *clock_of(steady_graph *g, const char *fn)
{
    kit_clock *c = g ? kit_find(g, clock_free) : NULL;
    if (!c)
        kit_fail("%s: the graph has no virtual clock; make it with steady_test_opts.virtual_time",
                 fn);
    return c;
}

bool steady_test_time_advance(steady_graph *g, uint64_t ns)
{
    kit_clock *c = clock_of(g, "steady_test_time_advance");
    if (!c)
        return false;
    /* release: pairs with the acquire in clock_now (the actors' reads of the time) */
    atomic_fetch_add_explicit(&c->now, ns, memory_order_release);
    steady_graph_poke(g);
    return true;
}

/* An actor that will not run before something wakes it: ended, or parked in a wait whose
 * timer (on the graph's clock, `now`) is not already due. */
static bool settled(const steady_actor_info *a, uint64_t now)
{
    if (a->phase == STEADY_ACTOR_ENDED || a->phase == STEADY_ACTOR_STOPPED_FOR_GOOD)
        return true;
    return a->waiting && (a->deadline_ns == 0 || a->deadline_ns > now);
}

/* Every actor settled, twice in a row 200 us apart with no wake between. */
static bool idle_now(steady_graph *g)
{
    steady_actor_info a[128], b[128];
    uint64_t now = steady_test_time_now(g);
    now = now ? now : UINT64_MAX; /* real time: a timer is never "due" from here */
    size_t n = steady_inspect_actors(g, a, 128);
    if (n > 128)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!settled(&a[i], now))
            return false;
    nanosleep(&(struct timespec){0, 200000}, NULL);
    if (steady_inspect_actors(g, b, 128) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (b[i].wakes != a[i].wakes || !settled(&b[i], now))
            return false;
    return true;
}

static bool idle_cond(void *ctx)
{
    return idle_now(ctx);
}

bool steady_test_until_idle(steady_graph *g, uint64_t timeout_ms)
{
    return steady_test_run_until(g, idle_cond, g, timeout_ms, "every actor waiting");
}

bool steady_test_time_next(steady_graph *g, uint64_t timeout_ms)
{
    const char *fn = "steady_test_time_next";
    kit_clock *c = clock_of(g, fn);
    if (!c || !steady_test_until_idle(g, timeout_ms))
        return false;
    steady_actor_info a[128];
    size_t n = steady_inspect_actors(g, a, 128);
    uint64_t next = 0;
    for (size_t i = 0; i < n && i < 128; i++)
        if (a[i].deadline_ns && (!next || a[i].deadline_ns < next))
            next = a[i].deadline_ns;
    if (!next)
        return kit_fail("%s: no actor waits on a timer: moving the clock would change nothing "
                        "(the clock reads %llu ns)",
                        fn, (unsigned long long)clock_now(c));
    uint64_t now = clock_now(c);
    if (next > now) /* release: pairs with the acquire in clock_now */
        atomic_store_explicit(&c->now, next, memory_order_release);
    steady_graph_poke(g);
    return true;
}
