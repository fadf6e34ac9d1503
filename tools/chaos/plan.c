/* plan.c — where the failures strike, decided from the seed before the graph starts.
 *
 * Each failure is drawn from one splitmix64 stream: an actor, a kind, a way to fail and a
 * position. Deciding everything up front keeps a run reproducible in what it injects (the
 * interleaving of threads still varies), and lets each actor go through its own sorted list
 * with a cursor kept in its state block, so a restarted generation never fails again at the
 * point that killed its predecessor.
 */
#include <stdlib.h>

#include "chaos.h"

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int by_position(const void *x, const void *y)
{
    const chaos_point *p = x, *q = y;
    if (p->pos != q->pos)
        return p->pos < q->pos ? -1 : 1;
    return (int)p->kind - (int)q->kind;
}

static chaos_point draw_point(const chaos_args *args, uint64_t *rng, chaos_role *role)
{
    chaos_point p;
    *role = (chaos_role)(splitmix64(rng) % CHAOS_ROLES);
    p.kind = (uint8_t)(splitmix64(rng) % CHAOS_KINDS);
    p.how = (uint8_t)(splitmix64(rng) % CHAOS_HOWS);
    uint64_t from = p.kind == CHAOS_DURING_SHUTDOWN ? args->shutdown_at : 0;
    p.pos = from + splitmix64(rng) % (args->messages - from);
    return p;
}

bool chaos_plans_make(const chaos_args *args, chaos_plan plans[CHAOS_ROLES])
{
    for (int r = 0; r < CHAOS_ROLES; r++) {
        plans[r].n = 0;
        /* every role's list can hold all of them: simpler than two passes, and small */
        plans[r].points = calloc(args->failures ? args->failures : 1, sizeof(chaos_point));
        if (!plans[r].points)
            return false;
    }
    uint64_t rng = args->seed;
    for (uint64_t i = 0; i < args->failures; i++) {
        chaos_role role;
        chaos_point p = draw_point(args, &rng, &role);
        plans[role].points[plans[role].n++] = p;
    }
    for (int r = 0; r < CHAOS_ROLES; r++)
        qsort(plans[r].points, plans[r].n, sizeof(chaos_point), by_position);
    return true;
}

void chaos_plans_free(chaos_plan plans[CHAOS_ROLES])
{
    for (int r = 0; r < CHAOS_ROLES; r++) {
        free(plans[r].points);
        plans[r].points = NULL;
        plans[r].n = 0;
    }
}

const char *chaos_kind_name(chaos_kind k)
{
    static const char *const names[CHAOS_KINDS] = {"before-peek", "after-peek", "mid-batch",
                                                   "during-shutdown"};
    return k < CHAOS_KINDS ? names[k] : "?";
}

const char *chaos_role_name(chaos_role r)
{
    static const char *const names[CHAOS_ROLES] = {"source", "stage-a", "stage-b", "stage-c"};
    return r < CHAOS_ROLES ? names[r] : "?";
}
