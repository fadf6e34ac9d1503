/* plan.c — where the failures strike, decided from the seed before the graph starts.
 *
 * Each failure is drawn from one splitmix64 stream: an actor, a kind, a way to fail and a
 * position. Deciding everything up front keeps a run reproducible in what it injects (the
 * interleaving of threads still varies), and lets each actor go through its own sorted list
 * with a cursor kept in its state block, so a restarted generation never fails again at the
 * point that killed its predecessor.
 *
 * The actor is drawn among those that may fail in some allowed way (--hows), and the way among
 * those allowed for it: native deaths only for the actors of child processes (--isolated).
 * Without --isolated and with every in-process way allowed, the draws are those of the first
 * version of the tool, so a seed still makes the same plan.
 */
#include <stdlib.h>
#include <string.h>

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

bool chaos_role_isolated(const chaos_args *args, chaos_role r)
{
    return args->isolated && r != CHAOS_SOURCE && r < CHAOS_ROLES;
}

unsigned chaos_role_hows(const chaos_args *args, chaos_role r)
{
    unsigned mask = args->how_mask;
    if (!chaos_role_isolated(args, r))
        mask &= CHAOS_HOWS_IN_PROCESS;
    return mask;
}

/* The i-th (from 0) bit set in mask. */
static unsigned nth_bit(unsigned mask, unsigned i)
{
    for (unsigned b = 0;; b++)
        if (mask & (1u << b) && i-- == 0)
            return b;
}

static chaos_point draw_point(const chaos_args *args, uint64_t *rng, chaos_role *role)
{
    unsigned roles = 0;
    for (int r = 0; r < CHAOS_ROLES; r++)
        if (chaos_role_hows(args, (chaos_role)r))
            roles |= 1u << r;
    chaos_point p;
    *role = (chaos_role)nth_bit(roles,
                                (unsigned)(splitmix64(rng) % (unsigned)__builtin_popcount(roles)));
    p.kind = (uint8_t)(splitmix64(rng) % CHAOS_KINDS);
    unsigned hows = chaos_role_hows(args, *role);
    p.how =
        (uint8_t)nth_bit(hows, (unsigned)(splitmix64(rng) % (unsigned)__builtin_popcount(hows)));
    uint64_t from = p.kind == CHAOS_DURING_SHUTDOWN ? args->shutdown_at : 0;
    p.pos = from + splitmix64(rng) % (args->messages - from);
    return p;
}

bool chaos_plans_make(const chaos_args *args, chaos_plan plans[CHAOS_ROLES])
{
    bool any = false;
    for (int r = 0; r < CHAOS_ROLES; r++)
        any |= chaos_role_hows(args, (chaos_role)r) != 0;
    if (!any && args->failures) /* main refuses such a command line */
        return false;
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

const char *chaos_how_name(chaos_how h)
{
    static const char *const names[CHAOS_HOWS] = {"panic", "assert", "return", "sigkill",
                                                  "sigsegv"};
    return h < CHAOS_HOWS ? names[h] : "?";
}

bool chaos_parse_hows(const char *text, unsigned *mask)
{
    if (strcmp(text, "all") == 0) {
        *mask = CHAOS_HOWS_IN_PROCESS | CHAOS_HOWS_NATIVE;
        return true;
    }
    unsigned m = 0;
    const char *at = text;
    for (;;) {
        size_t len = strcspn(at, ",");
        int found = -1;
        for (int h = 0; h < CHAOS_HOWS; h++) {
            const char *name = chaos_how_name((chaos_how)h);
            if (len == strlen(name) && strncmp(at, name, len) == 0)
                found = h;
        }
        if (found < 0)
            return false;
        m |= CHAOS_HOW_BIT(found);
        if (at[len] == '\0')
            break;
        at += len + 1;
    }
    *mask = m;
    return true;
}
