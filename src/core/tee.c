/* core/tee.c — broadcast (tee) channels (steady/tee.h).
 *
 * A tee is N channels whose rings share lane 0's slots (steady__channel_new_sharing): each lane
 * has its own ring header (tail, head, wants, closed flags), so each consumer's end is an
 * ordinary steady_rx. The producer keeps the lanes in step: it writes each element once, into
 * the shared slots at the common tail, and publishes every lane to the same tail, also lanes
 * whose consumer is gone (their tails must not fall behind: the slots are common). Room is the
 * smallest room of the lanes still open, so the slowest consumer holds the producer back and a
 * consumer that left does not. Each publish is a lane's own release store, after the element
 * was written: a consumer that sees its lane's tail sees the element (channel.h's ordering,
 * once per lane).
 */
#include "core/internal.h"

#include <stdio.h>

#include "steady/tee.h"

#define MAX_CONSUMERS 31u /* one wait condition per lane (steady_tee_wait_vacant) */

struct steady_tee {
    steady_graph *graph;
    const char *name;
    uint32_t n;
    uint32_t elem_size;
    steady_tx **lane; /* n ends, then NULL (the spawn list); in the graph's shared memory */
};

static char *shm_strdup(steady_graph *g, const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = steady__shm_alloc(g->shm, len, 1);
    if (p)
        memcpy(p, s, len);
    return p;
}

static steady_err check_new(const steady_graph *g, const steady_tee_opts *o, steady_tee **out,
                            steady_rx **rxs)
{
    if (!g || !o || !out || !rxs)
        return steady__fail(STEADY_EINVAL,
                            "steady_tee_new: graph, opts, out and rxs must not be NULL");
    if (!o->name || !*o->name || strlen(o->name) > 200)
        return steady__fail(STEADY_EINVAL, "steady_tee_new: opts.name is required (1 to 200 "
                                           "bytes); lane i is the channel NAME[i]");
    if (o->consumers == 0 || o->consumers > MAX_CONSUMERS)
        return steady__fail(STEADY_EINVAL,
                            "tee '%s': %u consumers; a tee has 1 to %u (for more, chain tees or "
                            "fan out from a consumer)",
                            o->name, o->consumers, MAX_CONSUMERS);
    return STEADY_OK;
}

steady_err steady_tee_new(steady_graph *g, const steady_tee_opts *o, steady_tee **out,
                          steady_rx **rxs)
{
    steady_err e = check_new(g, o, out, rxs);
    if (e != STEADY_OK)
        return e;
    steady_tee *t = steady__shm_alloc(g->shm, sizeof *t, STEADY_CACHE_LINE);
    steady_tx **lane =
        t ? steady__shm_alloc(g->shm, (o->consumers + 1) * sizeof *lane, sizeof(void *)) : NULL;
    const char *name = lane ? shm_strdup(g, o->name) : NULL;
    if (!name)
        return steady__fail(STEADY_ENOMEM, "tee '%s': out of memory", o->name);
    *t = (steady_tee){g, name, o->consumers, o->elem_size, lane};
    const steady_channel *primary = NULL;
    for (uint32_t i = 0; i < o->consumers; i++) {
        char nm[224];
        snprintf(nm, sizeof nm, "%s[%u]", o->name, i);
        steady_channel_opts co = {nm, o->capacity, o->elem_size};
        if ((e = steady__channel_new_sharing(g, &co, primary, &lane[i], &rxs[i])) != STEADY_OK)
            return e;
        primary = lane[0]->channel;
    }
    lane[o->consumers] = NULL;
    *out = t;
    return STEADY_OK;
}

steady_tx *const *steady_tee_ends(const steady_tee *t)
{
    return t ? t->lane : NULL;
}

uint32_t steady_tee_consumers(const steady_tee *t)
{
    return t ? t->n : 0;
}

/* ---- the producer's side ---- */

/* The lane's consumer has closed its end (acquire: pairs with steady_rx_close's release). */
static bool lane_gone(const steady_tx *tx)
{
    return atomic_load_explicit(&tx->ring->rx_closed, memory_order_acquire) != 0;
}

/* The caller may send: every lane is its own (or, before start, nobody's) and not closed by
 * itself. A lane whose consumer left is fine. */
static steady_err usable(steady_tee *t, const char *op)
{
    if (!t)
        return steady__misuse(STEADY_EINVAL, "%s on a NULL tee; make it with steady_tee_new", op);
    for (uint32_t i = 0; i < t->n; i++)
        if (steady__tx_owner(t->lane[i]) != steady__self ||
            (steady__tx_gate(t->lane[i]) & STEADY__GATE_OWN_CLOSED))
            return steady__tx_misuse(t->lane[i], op);
    return STEADY_OK;
}

/* The smallest room of the open lanes (refreshing a lane's cached head only when its cached
 * room is below want); *all_gone when no lane is open. */
static uint64_t room(steady_tee *t, uint64_t want, bool *all_gone)
{
    uint64_t r = UINT64_MAX;
    bool open = false;
    for (uint32_t i = 0; i < t->n; i++) {
        if (lane_gone(t->lane[i]))
            continue;
        open = true;
        uint64_t x = steady__tx_room(t->lane[i], want);
        r = x < r ? x : r;
    }
    *all_gone = !open;
    return open ? r : 0;
}

/* The first k free slots from the common tail, as at most two runs. */
static steady_span free_span(const steady_tx *l0, uint64_t k)
{
    uint64_t first = l0->tail & l0->mask, to_wrap = l0->mask + 1 - first;
    uint64_t a = k < to_wrap ? k : to_wrap;
    steady_span s = {l0->slots + first * l0->elem_size, (size_t)a, l0->slots, (size_t)(k - a)};
    if (s.a_len == 0)
        s.a = NULL;
    if (s.b_len == 0)
        s.b = NULL;
    return s;
}

static void publish_all(steady_tee *t, uint64_t k)
{
    for (uint32_t i = 0; i < t->n; i++)
        steady__tx_publish(t->lane[i], k);
}

steady_err steady_tee_try_send(steady_tee *t, const void *elem)
{
    steady_err e = usable(t, "tee try_send");
    if (e != STEADY_OK)
        return e;
    if (!elem)
        return steady__null_arg("tee try_send", "elem");
    bool gone;
    if (room(t, 1, &gone) == 0)
        return gone ? STEADY_ECLOSED : STEADY_EFULL;
    steady_span s = free_span(t->lane[0], 1);
    memcpy(s.a, elem, t->elem_size);
    publish_all(t, 1);
    return STEADY_OK;
}

size_t steady_tee_send_slice(steady_tee *t, const void *src, size_t n)
{
    if (usable(t, "tee send_slice") != STEADY_OK || n == 0)
        return 0;
    if (!src) {
        steady__null_arg("tee send_slice", "src");
        return 0;
    }
    bool gone;
    uint64_t r = room(t, n, &gone);
    uint64_t k = n < r ? n : r;
    if (k == 0)
        return 0;
    steady_span s = free_span(t->lane[0], k);
    memcpy(s.a, src, s.a_len * t->elem_size);
    if (s.b_len)
        memcpy(s.b, (const unsigned char *)src + s.a_len * t->elem_size, s.b_len * t->elem_size);
    publish_all(t, k);
    return (size_t)k;
}

steady_span steady_tee_poke_slice(steady_tee *t)
{
    steady_span none = {NULL, 0, NULL, 0};
    if (usable(t, "tee poke_slice") != STEADY_OK)
        return none;
    bool gone;
    uint64_t r = room(t, t->lane[0]->capacity, &gone);
    return r ? free_span(t->lane[0], r) : none;
}

size_t steady_tee_advance_send(steady_tee *t, size_t n)
{
    if (usable(t, "tee advance_send") != STEADY_OK || n == 0)
        return 0;
    bool gone;
    uint64_t r = room(t, n, &gone);
    uint64_t k = n < r ? n : r;
    if (k)
        publish_all(t, k);
    return (size_t)k;
}

uint64_t steady_tee_vacant(steady_tee *t)
{
    if (usable(t, "tee vacant") != STEADY_OK)
        return 0;
    bool gone;
    return room(t, t->lane[0]->capacity, &gone);
}

steady_reason steady_tee_wait_vacant(steady_actor *a, steady_tee *t, uint64_t n)
{
    if (usable(t, "tee wait_vacant") != STEADY_OK)
        return STEADY_CLOSED;
    for (;;) {
        steady_cond c[MAX_CONSUMERS];
        unsigned k = 0;
        for (uint32_t i = 0; i < t->n; i++)
            if (!lane_gone(t->lane[i]))
                c[k++] = steady_cond_vacant(t->lane[i], n);
        if (k == 0)
            return STEADY_CLOSED;
        steady_wake w = steady_wait(a, STEADY_WAIT_ALL, c, k);
        if (w.reason != STEADY_CLOSED)
            return w.reason;
        /* a consumer left meanwhile: wait again for the lanes still open */
    }
}

steady_err steady_tee_send_wait(steady_actor *a, steady_tee *t, const void *elem)
{
    steady_err e;
    while ((e = steady_tee_try_send(t, elem)) == STEADY_EFULL) {
        if ((e = steady__check_waiter(a, "steady_tee_send_wait")) != STEADY_OK)
            return e;
        steady_reason r = steady_tee_wait_vacant(a, t, 1);
        if (r == STEADY_CLOSED)
            return STEADY_ECLOSED;
        if (r != STEADY_READY)
            return STEADY_ESHUTDOWN;
    }
    return e;
}

bool steady_tee_close(steady_tee *t)
{
    if (!t) {
        steady__misuse(STEADY_EINVAL, "tee close on a NULL tee");
        return true;
    }
    for (uint32_t i = 0; i < t->n; i++)
        steady_tx_close(t->lane[i]);
    return true;
}

bool steady_tee_is_closed(const steady_tee *t)
{
    if (!t)
        return false;
    for (uint32_t i = 0; i < t->n; i++)
        if (!lane_gone(t->lane[i]))
            return false;
    return true;
}
