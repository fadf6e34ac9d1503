/* core/bundle.c — bundles: creating G lanes of one shape, splitting lanes out, joining ends.
 *
 * A bundle end is a plain array of lane end pointers plus a round-robin cursor. Its lanes are
 * ordinary channels: the graph validates, wires and frees them like any other, and an actor
 * given a bundle end at spawn (actor.c) claims each lane end as if it had listed it. What
 * lives here is only the building-time bookkeeping; the lane waits are in wait.c.
 *
 * Memory: each steady_bundle_new, and each join, is one allocation (a steady__bundle_block
 * header, the bundle end(s), one lane array per end, the name), kept on the graph's list and
 * freed with the graph. Nothing here runs after start except the misuse reports.
 */
#include "core/internal.h"

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

/* The head of each allocation (see the file comment). */
struct steady__bundle_block {
    struct steady__bundle_block *next;
};

/* The most lanes a bundle (or a join) may have: a lane wait scans every lane, and a count
 * beyond this is far more likely a garbage value than a design (STEADY_EINVAL). */
#define MAX_LANES ((uint32_t)1 << 20)

/* Offsets inside one bundle allocation: every part is pointer-aligned except the name. */
static size_t round_up(size_t n)
{
    size_t a = alignof(void *);
    return (n + a - 1) / a * a;
}

static steady_err check_building(const steady_graph *g, const char *what, const char *name)
{
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "bundle '%s': %s only before steady_graph_start(); build the "
                            "bundles first",
                            name, what);
    return STEADY_OK;
}

/* Allocates a block of `size` bytes ending with a copy of `name` (or "bundle-<n>") and links
 * it into the graph's list; *name_out points at the copy. */
static void *block_new(steady_graph *g, size_t size, const char *name, char **name_out)
{
    char def[32];
    if (!name) {
        snprintf(def, sizeof def, "bundle-%u", g->n_bundles);
        name = def;
    }
    size_t len = strlen(name) + 1;
    struct steady__bundle_block *b = steady__alloc(size + len);
    if (!b)
        return NULL;
    *name_out = (char *)b + size;
    memcpy(*name_out, name, len);
    b->next = g->bundles;
    g->bundles = b;
    g->n_bundles++;
    return b;
}

/* Unlinks and frees the block made last (a failed constructor's). */
static void block_drop(steady_graph *g, void *block)
{
    struct steady__bundle_block *b = block;
    g->bundles = b->next;
    g->n_bundles--;
    steady__free(b);
}

void steady__bundles_free(steady_graph *g)
{
    for (struct steady__bundle_block *b = g->bundles, *n; b; b = n) {
        n = b->next;
        steady__free(b);
    }
    g->bundles = NULL;
}

/* ---- new ---- */

/* Creates the lane channels "<base>[i]". */
static steady_err make_lanes(steady_graph *g, const steady_channel_opts *o, const char *base,
                             steady_tx_bundle *txb, steady_rx_bundle *rxb)
{
    size_t cap = strlen(base) + 16;
    char *lane_name = steady__alloc(cap);
    if (!lane_name)
        return steady__fail(STEADY_ENOMEM, "bundle '%s': out of memory", base);
    steady_err e = STEADY_OK;
    for (uint32_t i = 0; i < txb->lanes && e == STEADY_OK; i++) {
        snprintf(lane_name, cap, "%s[%u]", base, i);
        steady_channel_opts lo = *o;
        lo.name = lane_name;
        e = steady_channel_new(g, &lo, &txb->lane[i], &rxb->lane[i]);
        if (e == STEADY_OK) {
            steady_channel *ch = txb->lane[i]->channel;
            ch->bundle = base;
            ch->lane = i;
            ch->lanes = txb->lanes;
        }
    }
    steady__free(lane_name);
    return e;
}

steady_err steady_bundle_new(steady_graph *g, const steady_channel_opts *o, uint32_t lanes,
                             steady_tx_bundle **txb, steady_rx_bundle **rxb)
{
    const char *nm = o && o->name ? o->name : "(unnamed)";
    if (!g || !o || !txb || !rxb)
        return steady__fail(STEADY_EINVAL, "steady_bundle_new: graph, opts, txb and rxb must not "
                                           "be NULL");
    steady_err e = check_building(g, "bundles can be created", nm);
    if (e != STEADY_OK)
        return e;
    if (lanes == 0 || lanes > MAX_LANES)
        return steady__fail(STEADY_EINVAL, "bundle '%s': %u lanes; give 1 to %u", nm, lanes,
                            MAX_LANES);
    size_t at_tx = round_up(sizeof(struct steady__bundle_block));
    size_t at_rx = at_tx + round_up(sizeof(steady_tx_bundle));
    size_t at_tx_lanes = at_rx + round_up(sizeof(steady_rx_bundle));
    size_t at_rx_lanes = at_tx_lanes + (size_t)lanes * sizeof(steady_tx *);
    size_t size = at_rx_lanes + (size_t)lanes * sizeof(steady_rx *);
    char *name;
    unsigned char *block = block_new(g, size, o->name, &name);
    if (!block)
        return steady__fail(STEADY_ENOMEM, "bundle '%s': out of memory for %u lanes", nm, lanes);
    steady_tx_bundle *t = (steady_tx_bundle *)(void *)(block + at_tx);
    steady_rx_bundle *r = (steady_rx_bundle *)(void *)(block + at_rx);
    *t = (steady_tx_bundle){.lane = (steady_tx **)(void *)(block + at_tx_lanes),
                            .lanes = lanes,
                            .last = lanes - 1,
                            .graph = g,
                            .name = name};
    *r = (steady_rx_bundle){.lane = (steady_rx **)(void *)(block + at_rx_lanes),
                            .lanes = lanes,
                            .last = lanes - 1,
                            .graph = g,
                            .name = name};
    if ((e = make_lanes(g, o, name, t, r)) != STEADY_OK) {
        block_drop(g, block);
        return e;
    }
    *txb = t;
    *rxb = r;
    return STEADY_OK;
}

/* ---- split ---- */

static bool other_kind(const steady_tx_bundle *b, bool want_rx);

static steady_err check_split(steady_graph *g, const char *name, steady_actor *owner,
                              uint32_t lanes, uint32_t lane, bool present, const char *end)
{
    steady_err e = check_building(g, "lanes can be split out", name);
    if (e != STEADY_OK)
        return e;
    if (owner)
        return steady__fail(STEADY_EBOUND,
                            "bundle '%s' (%s end) was already given to actor '%s'; split "
                            "lanes out before spawning the actor that takes the rest",
                            name, end, steady_actor_label(owner));
    if (lane >= lanes)
        return steady__fail(STEADY_EINVAL, "bundle '%s': no lane %u; its lanes are 0 to %u", name,
                            lane, lanes - 1);
    if (!present)
        return steady__fail(STEADY_EINVAL,
                            "bundle '%s': lane %u (%s end) was already split out; each lane "
                            "end can be taken once",
                            name, lane, end);
    return STEADY_OK;
}

steady_err steady_tx_bundle_split(steady_tx_bundle *b, uint32_t lane, steady_tx **out)
{
    if (!b || !out)
        return steady__fail(STEADY_EINVAL, "steady_tx_bundle_split: bundle and out must not be "
                                           "NULL");
    if (other_kind(b, false))
        return steady__fail(STEADY_EINVAL,
                            "bundle '%s': that is its receiving end; "
                            "steady_tx_bundle_split takes its sending end",
                            b->name);
    steady_err e = check_split(b->graph, b->name, b->owner, b->lanes, lane,
                               lane < b->lanes && b->lane[lane], "sending");
    if (e != STEADY_OK)
        return e;
    *out = b->lane[lane];
    b->lane[lane] = NULL;
    return STEADY_OK;
}

steady_err steady_rx_bundle_split(steady_rx_bundle *b, uint32_t lane, steady_rx **out)
{
    if (!b || !out)
        return steady__fail(STEADY_EINVAL, "steady_rx_bundle_split: bundle and out must not be "
                                           "NULL");
    if (other_kind((const steady_tx_bundle *)(const void *)b, true))
        return steady__fail(STEADY_EINVAL,
                            "bundle '%s': that is its sending end; "
                            "steady_rx_bundle_split takes its receiving end",
                            b->name);
    steady_err e = check_split(b->graph, b->name, b->owner, b->lanes, lane,
                               lane < b->lanes && b->lane[lane], "receiving");
    if (e != STEADY_OK)
        return e;
    *out = b->lane[lane];
    b->lane[lane] = NULL;
    return STEADY_OK;
}

/* ---- join ---- */

/* The channel of ends[i], the array's elements being `stride` bytes apart; NULL for a NULL
 * end. The element at that offset is the end pointer itself (typed wrappers: their only
 * member), so it is read through its own type. */
static const void *end_at(const void *ends, size_t stride, uint32_t i, bool tx)
{
    const void *at = (const unsigned char *)ends + (size_t)i * stride;
    if (tx)
        return *(steady_tx *const *)at;
    return *(steady_rx *const *)at;
}

static steady_channel *end_channel(const void *ends, size_t stride, uint32_t i, bool tx)
{
    const void *e = end_at(ends, stride, i, tx);
    return e ? steady__end_channel(e) : NULL;
}

static steady_err check_lane(steady_graph *g, const char *name, const void *ends, size_t stride,
                             uint32_t i, uint32_t elem_size, bool tx)
{
    steady_channel *ch = end_channel(ends, stride, i, tx),
                   *first = end_channel(ends, stride, 0, tx);
    if (!ch)
        return steady__fail(STEADY_EINVAL, "bundle '%s': lane %u is NULL; give an end of a channel",
                            name, i);
    if (steady__end_is_rx(end_at(ends, stride, i, tx)) == tx)
        return steady__fail(STEADY_EINVAL,
                            "bundle '%s': lane %u is the %s end of channel '%s'; join %s ends "
                            "(steady_%s *)",
                            name, i, tx ? "receiving" : "sending", ch->name,
                            tx ? "sending" : "receiving", tx ? "tx" : "rx");
    if (ch->graph != g)
        return steady__fail(STEADY_EINVAL,
                            "bundle '%s': lane %u (channel '%s') belongs to another "
                            "graph",
                            name, i, ch->name);
    for (uint32_t j = 0; j < i; j++)
        if (end_channel(ends, stride, j, tx) == ch)
            return steady__fail(STEADY_EINVAL,
                                "bundle '%s': channel '%s' is both lane %u and lane %u; list "
                                "each end once",
                                name, ch->name, j, i);
    if (elem_size && ch->ring->elem_size != elem_size)
        return steady__fail(STEADY_EINVAL,
                            "bundle '%s': lane %u (channel '%s') holds %u-byte elements, not "
                            "%u; the lanes of a typed bundle hold its type",
                            name, i, ch->name, ch->ring->elem_size, elem_size);
    if (ch->ring->capacity != first->ring->capacity ||
        ch->ring->elem_size != first->ring->elem_size)
        return steady__fail(STEADY_EINVAL,
                            "bundle '%s': lane %u (channel '%s') is %llu x %u bytes but lane 0 "
                            "(channel '%s') is %llu x %u bytes; the lanes of a bundle share "
                            "one shape",
                            name, i, ch->name, (unsigned long long)ch->ring->capacity,
                            ch->ring->elem_size, first->name,
                            (unsigned long long)first->ring->capacity, first->ring->elem_size);
    return STEADY_OK;
}

/* Validates the ends and allocates the joined bundle end; *lanes_at receives its lane array
 * (zeroed, n entries). Returns the bundle end, or NULL with the error in *err. */
static void *join(steady_graph *g, const char *name, const void *ends, size_t stride, uint32_t n,
                  uint32_t elem_size, bool tx, steady_err *err)
{
    const char *nm = name ? name : "(unnamed)";
    *err = STEADY_EINVAL;
    if (!g || !ends) {
        steady__fail(STEADY_EINVAL, "bundle join: graph, ends and out must not be NULL");
        return NULL;
    }
    if ((*err = check_building(g, "ends can be joined", nm)) != STEADY_OK)
        return NULL;
    if (n == 0 || n > MAX_LANES) {
        *err = steady__fail(STEADY_EINVAL, "bundle '%s': %u lanes; give 1 to %u ends", nm, n,
                            MAX_LANES);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        if ((*err = check_lane(g, nm, ends, stride, i, elem_size, tx)) != STEADY_OK)
            return NULL;
    size_t at_end = round_up(sizeof(struct steady__bundle_block));
    size_t at_lanes = at_end + round_up(tx ? sizeof(steady_tx_bundle) : sizeof(steady_rx_bundle));
    char *copy;
    unsigned char *block = block_new(g, at_lanes + (size_t)n * sizeof(void *), name, &copy);
    if (!block) {
        *err = steady__fail(STEADY_ENOMEM, "bundle '%s': out of memory for %u lanes", nm, n);
        return NULL;
    }
    if (tx) {
        steady_tx_bundle *b = (steady_tx_bundle *)(void *)(block + at_end);
        *b = (steady_tx_bundle){.lane = (steady_tx **)(void *)(block + at_lanes),
                                .lanes = n,
                                .last = n - 1,
                                .graph = g,
                                .name = copy};
        for (uint32_t i = 0; i < n; i++)
            b->lane[i] = &end_channel(ends, stride, i, true)->tx;
        return b;
    }
    steady_rx_bundle *b = (steady_rx_bundle *)(void *)(block + at_end);
    *b = (steady_rx_bundle){.lane = (steady_rx **)(void *)(block + at_lanes),
                            .lanes = n,
                            .last = n - 1,
                            .graph = g,
                            .name = copy};
    for (uint32_t i = 0; i < n; i++)
        b->lane[i] = &end_channel(ends, stride, i, false)->rx;
    return b;
}

steady_err steady__tx_bundle_join_typed(steady_graph *g, const char *name, const void *ends,
                                        size_t stride, uint32_t n, uint32_t elem_size,
                                        steady_tx_bundle **out)
{
    if (!out)
        return steady__fail(STEADY_EINVAL, "bundle join: graph, ends and out must not be NULL");
    steady_err e;
    steady_tx_bundle *b = join(g, name, ends, stride, n, elem_size, true, &e);
    if (b)
        *out = b;
    return e;
}

steady_err steady__rx_bundle_join_typed(steady_graph *g, const char *name, const void *ends,
                                        size_t stride, uint32_t n, uint32_t elem_size,
                                        steady_rx_bundle **out)
{
    if (!out)
        return steady__fail(STEADY_EINVAL, "bundle join: graph, ends and out must not be NULL");
    steady_err e;
    steady_rx_bundle *b = join(g, name, ends, stride, n, elem_size, false, &e);
    if (b)
        *out = b;
    return e;
}

steady_err steady_tx_bundle_join(steady_graph *g, const char *name, steady_tx *const *ends,
                                 uint32_t n, steady_tx_bundle **out)
{
    return steady__tx_bundle_join_typed(g, name, ends, sizeof *ends, n, 0, out);
}

steady_err steady_rx_bundle_join(steady_graph *g, const char *name, steady_rx *const *ends,
                                 uint32_t n, steady_rx_bundle **out)
{
    return steady__rx_bundle_join_typed(g, name, ends, sizeof *ends, n, 0, out);
}

/* ---- misuse inside a running actor ---- */

_Static_assert(offsetof(steady_tx_bundle, lane) == offsetof(steady_rx_bundle, lane) &&
                   offsetof(steady_tx_bundle, lanes) == offsetof(steady_rx_bundle, lanes),
               "bundle ends: one layout");

/* True when bundle end `b` (of either declared type) holds a lane of the other kind than
 * want_rx: its lanes carry their channel ends' kind tags. */
static bool other_kind(const steady_tx_bundle *b, bool want_rx)
{
    for (uint32_t k = 0; k < b->lanes; k++)
        if (b->lane[k] && steady__end_is_rx(b->lane[k]) != want_rx)
            return true;
    return false;
}

static steady_err bundle_misuse(const char *op, const steady_tx_bundle *b, bool want_rx,
                                const steady_actor *a)
{
    const char *end = want_rx ? "receiving" : "sending";
    if (!b)
        return steady__misuse(
            STEADY_EINVAL, "%s on a NULL bundle end; pass a %s bundle end the actor owns", op, end);
    if (other_kind(b, want_rx))
        return steady__misuse(STEADY_EINVAL,
                              "%s on bundle '%s': that is its %s end; pass its %s end "
                              "(steady_%s_bundle *)",
                              op, b->name, want_rx ? "sending" : "receiving", end,
                              want_rx ? "rx" : "tx");
    if (b->owner == a)
        return STEADY_OK;
    return steady__misuse(STEADY_ENOTOWNER,
                          "%s on bundle '%s' (%s end), which %s%s%s; list the bundle end in .%s "
                          "of the actor that uses it",
                          op, b->name, end,
                          b->owner ? "belongs to actor '" : "was given to no actor",
                          b->owner ? steady_actor_label(b->owner) : "", b->owner ? "'" : "",
                          want_rx ? "rx_bundles" : "tx_bundles");
}

steady_err steady__tx_bundle_use(const steady_tx_bundle *b, const steady_actor *a, const char *op)
{
    return bundle_misuse(op, b, false, a);
}

steady_err steady__rx_bundle_use(const steady_rx_bundle *b, const steady_actor *a, const char *op)
{
    return bundle_misuse(op, (const steady_tx_bundle *)(const void *)b, true, a);
}

/* ---- fan-in ---- */

size_t steady_rx_bundle_take(steady_rx_bundle *b, void *dst, size_t max, uint32_t *lane)
{
    if (lane)
        *lane = STEADY_NO_LANE;
    if (!b) {
        steady__misuse(STEADY_EINVAL, "steady_rx_bundle_take on a NULL bundle end");
        return 0;
    }
    if (max == 0)
        return 0;
    if (!dst) {
        steady__null_arg("steady_rx_bundle_take", "dst");
        return 0;
    }
    for (uint32_t k = 0; k < b->lanes; k++) {
        uint32_t i = (b->last + 1 + k) % b->lanes;
        if (!b->lane[i])
            continue; /* split out */
        size_t n = steady_rx_take_slice(b->lane[i], dst, max);
        if (n) {
            b->last = i;
            if (lane)
                *lane = i;
            return n;
        }
    }
    return 0;
}
