/* chaos.c — a seeded, progress-driven schedule of transient failures for --chaos.
 *
 * Each chaotic actor keeps a chaos_plan in its state block. The gaps between failures are
 * drawn from a xorshift64* generator seeded by --seed and the actor's salt, and measured in
 * steps of progress (beats sent, batches handled), so the same arguments give the same
 * failures on a fast machine and under a sanitizer. The first failure comes within max_gap
 * steps, so every run long enough to make max_gap steps shows one.
 */
#include "lesson02a.h"

#define CHAOS_MAX_FAILS 3u

static uint64_t next_random(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t draw_gap(chaos_plan *c)
{
    return 1 + next_random(&c->rng) % c->max_gap;
}

void chaos_arm(chaos_plan *c, const lesson02a_args *args, uint64_t salt)
{
    *c = (chaos_plan){0};
    if (!args->chaos)
        return;
    /* splitmix64 of seed and salt: a well-mixed, never-zero xorshift state */
    uint64_t z = args->seed * 0x9E3779B97F4A7C15ull + salt * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    c->rng = (z ^ (z >> 31)) | 1;
    c->max_gap = args->beats / 4 > 2 ? args->beats / 4 : 2;
    c->max_fails = CHAOS_MAX_FAILS;
    c->next_step = draw_gap(c);
}

bool chaos_strikes(chaos_plan *c, uint64_t step)
{
    if (!c->rng || c->fails >= c->max_fails || step < c->next_step)
        return false;
    c->fails++;
    c->next_step = step + draw_gap(c);
    return true;
}
