/* core/names.c — the graph's index of actor labels, so a duplicate is found in O(1).
 *
 * Spawn refuses a label that is taken. Scanning the actor list made spawning n actors cost
 * O(n^2) string compares (10,000 members took 0.3 s, 20,000 took 1.1 s); this open-addressing
 * table (FNV-1a, linear probing, doubled at half load) makes it linear. It holds pointers to
 * the labels the actors own; it is private memory of main's process, built and read only while
 * the graph is BUILDING, on main.
 */
#include "core/internal.h"

#include <string.h>

struct steady__names {
    const char **slot; /* NULL: empty */
    size_t cap;        /* a power of two */
    size_t used;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* The slot holding `label`, or the empty slot where it would go. */
static size_t find(const struct steady__names *n, const char *label)
{
    size_t i = (size_t)hash(label) & (n->cap - 1);
    while (n->slot[i] && strcmp(n->slot[i], label) != 0)
        i = (i + 1) & (n->cap - 1);
    return i;
}

static bool grow(struct steady__names *n)
{
    size_t cap = n->cap ? n->cap * 2 : 64;
    const char **slot = steady__alloc(cap * sizeof *slot);
    if (!slot)
        return false;
    struct steady__names bigger = {slot, cap, 0};
    for (size_t i = 0; i < n->cap; i++)
        if (n->slot[i])
            bigger.slot[find(&bigger, n->slot[i])] = n->slot[i];
    bigger.used = n->used;
    steady__free(n->slot);
    *n = bigger;
    return true;
}

bool steady__names_has(const struct steady__names *n, const char *label)
{
    return n && n->cap && n->slot[find(n, label)] != NULL;
}

bool steady__names_reserve(struct steady__names **np)
{
    if (!*np && !(*np = steady__alloc(sizeof **np)))
        return false;
    struct steady__names *n = *np;
    return (n->used + 1) * 2 <= n->cap || grow(n);
}

void steady__names_add(struct steady__names *n, const char *label)
{
    size_t i = find(n, label);
    if (!n->slot[i]) {
        n->slot[i] = label;
        n->used++;
    }
}

void steady__names_free(struct steady__names *n)
{
    if (!n)
        return;
    steady__free(n->slot);
    steady__free(n);
}
