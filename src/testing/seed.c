/* testing/seed.c — deterministic runs: the member order drawn from a seed (a troupe scheduler,
 * steady/clock.h), the seed a test graph was made with, and the replay hint of failures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "testing/kit.h"

struct kit_seed {
    uint64_t seed;
    uint64_t rng; /* xorshift64*: only the troupe's thread draws */
};

/* The seed of the last deterministic graph this thread made and has not freed: failures on
 * this thread name it. */
static _Thread_local uint64_t current_seed;

static void seed_free(void *p)
{
    kit_seed *s = p;
    if (current_seed == s->seed)
        current_seed = 0;
    free(s);
}

static size_t seeded_next(void *ctx, size_t n, size_t last)
{
    (void)last;
    kit_seed *s = ctx;
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (size_t)((s->rng * UINT64_C(2685821657736338717)) >> 33) % n;
}

uint64_t kit_seed_wanted(uint64_t seed)
{
    const char *env = getenv("STEADY_TEST_SEED");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == '\0' && v != 0)
            return (uint64_t)v;
        fprintf(stderr,
                "steady_test: STEADY_TEST_SEED='%s' is not a positive decimal number; "
                "ignored\n",
                env);
    }
    return seed;
}

kit_seed *kit_seed_new(uint64_t seed, steady_sched *out)
{
    kit_seed *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->seed = seed;
    s->rng = seed * UINT64_C(0x9E3779B97F4A7C15) | 1;
    *out = (steady_sched){seeded_next, s};
    return s;
}

bool kit_seed_own(steady_graph *g, kit_seed *s)
{
    if (!kit_own(g, s, seed_free))
        return false;
    current_seed = s->seed;
    return true;
}

void kit_seed_free(kit_seed *s)
{
    free(s);
}

uint64_t steady_test_seed(const steady_graph *g)
{
    kit_seed *s = g ? kit_find((steady_graph *)g, seed_free) : NULL;
    return s ? s->seed : 0;
}

uint64_t kit_current_seed(void)
{
    return current_seed;
}
