#include <stdatomic.h>
#include <steady/steady.h>

static _Atomic uint64_t virtual_ns;
static uint64_t seed = 42;

static uint64_t virtual_now(void *ctx)
{
    (void)ctx;
    /* acquire: pairs with the release in advance() */
    return atomic_load_explicit(&virtual_ns, memory_order_acquire);
}

static size_t seeded_next(void *ctx, size_t n_members, size_t last)
{
    (void)last;
    uint64_t *s = ctx; /* only this troupe's thread calls it */
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (size_t)(*s % n_members);
}

static void advance(steady_graph *g, uint64_t ns)
{
    atomic_fetch_add_explicit(&virtual_ns, ns, memory_order_release);
    steady_graph_poke(g); /* parked troupes re-check their deadlines */
}

static steady_err build(steady_graph **g, steady_troupe **t)
{
    steady_err e = steady_graph_new(g, &(steady_graph_opts){
                                           .name = "sim",
                                           .clock = &(steady_clock){virtual_now, NULL},
                                       });
    if (e != STEADY_OK)
        return e;
    return steady_troupe_new(*g,
                             &(steady_troupe_opts){
                                 .name = "sim-troupe",
                                 .sched = &(steady_sched){.next = seeded_next, .ctx = &seed},
                             },
                             t);
}

/* The rest of this file (examples/docs/clock_virtual.c) spawns two members that tick every 10
 * virtual milliseconds, advances the clock by 10 ms at a time, and checks that each step makes
 * each of them tick exactly once: virtual time alone drives their periods. */
#include <stdio.h>
#include <threads.h>
#include <time.h>

#define STEPS 10

static _Atomic unsigned ticks[2];

static int ticker(steady_actor *a, void *arg)
{
    _Atomic unsigned *count = arg;
    while (STEADY_RUNNING(a, true))
        if (steady_wait_periodic(a, STEADY_MS(10)) == STEADY_READY)
            atomic_fetch_add_explicit(count, 1, memory_order_relaxed);
    return 0;
}

static void pause_ms(long ms)
{
    thrd_sleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000}, NULL);
}

/* Waits, in real time (at most limit_ms), until the tickers have ticked at least n0 and n1
 * times. */
static int await_ticks(unsigned n0, unsigned n1, long limit_ms)
{
    for (long i = 0; i < limit_ms; i++) {
        if (atomic_load(&ticks[0]) >= n0 && atomic_load(&ticks[1]) >= n1)
            return 1;
        pause_ms(1);
    }
    return 0;
}

static steady_err spawn_ticker(steady_graph *g, steady_troupe *t, unsigned i)
{
    return steady_actor_spawn(g,
                              &(steady_actor_opts){.name = "tick",
                                                   .has_suffix = true,
                                                   .suffix = i,
                                                   .run = ticker,
                                                   .arg = &ticks[i],
                                                   .troupe = t},
                              NULL);
}

int main(void)
{
    steady_graph *g;
    steady_troupe *t;
    if (build(&g, &t) || spawn_ticker(g, t, 0) || spawn_ticker(g, t, 1) || steady_graph_start(g)) {
        fprintf(stderr, "%s\n", steady_last_error());
        return 1;
    }
    /* A member's schedule starts at its first wait, which may come after an advance: step
     * until both have ticked once, then count from there. */
    int ok = 0;
    for (int i = 0; i < 100 && !ok; i++) {
        advance(g, STEADY_MS(10));
        ok = await_ticks(1, 1, 100);
    }
    unsigned base0 = atomic_load(&ticks[0]), base1 = atomic_load(&ticks[1]);
    for (unsigned step = 1; step <= STEPS && ok; step++) {
        advance(g, STEADY_MS(10));
        ok = await_ticks(base0 + step, base1 + step, 10000);
    }
    pause_ms(50); /* real time passes, virtual time does not: no more ticks */
    unsigned n0 = atomic_load(&ticks[0]) - base0, n1 = atomic_load(&ticks[1]) - base1;
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    printf("%d steps of 10 virtual ms: tick-0 ticked %u times, tick-1 %u times\n", STEPS, n0, n1);
    steady_graph_free(g);
    return ok && e == STEADY_OK && n0 == STEPS && n1 == STEPS ? 0 : 1;
}
