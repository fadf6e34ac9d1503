/* testing/flow.c — injecting into a channel and draining one, each an ordinary actor that owns
 * its end (so the graph's checks, placement and introspection treat it as any other). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "steady/actor.h"
#include "steady/wait.h"
#include "testing/kit.h"

struct steady_test_inject {
    steady_tx *tx;
    unsigned char *elems; /* n elements of tx->elem_size bytes, the kit's copy */
    size_t n;
    bool close_after;
    _Atomic uint64_t sent; /* written by the actor, read by any thread */
};

struct steady_test_drain {
    steady_rx *rx;
    steady_test_eq eq;    /* NULL: memcmp */
    unsigned char *items; /* count elements; grown by the actor */
    size_t cap;
    _Atomic size_t count; /* release: the items below it are written (the actor's) */
};

static void inject_free(void *p)
{
    steady_test_inject *i = p;
    free(i->elems);
    free(i);
}

static void drain_free(void *p)
{
    steady_test_drain *d = p;
    free(d->items);
    free(d);
}

/* Sends from where the last generation stopped; with the test graph's failures_stop there is
 * no next generation, but the count is kept right for any graph. */
static int inject_run(steady_actor *a, void *arg)
{
    steady_test_inject *i = arg;
    size_t size = i->tx->elem_size;
    for (uint64_t k = atomic_load_explicit(&i->sent, memory_order_relaxed); k < i->n; k++) {
        steady_err e = steady_tx_send_wait(a, i->tx, i->elems + k * size);
        if (e != STEADY_OK)
            return e == STEADY_ESHUTDOWN || e == STEADY_ECLOSED ? 0 : 1;
        /* release: pairs with the acquire in steady_test_inject_sent (any thread). */
        atomic_store_explicit(&i->sent, k + 1, memory_order_release);
    }
    if (!i->close_after) /* hold the end open: the consumer sees no CLOSED */
        steady_wait_one(a, STEADY_SHUTDOWN_REQUESTED());
    return 0; /* ending closes tx */
}

static bool keep(steady_test_drain *d, const void *elem)
{
    size_t size = d->rx->elem_size, n = atomic_load_explicit(&d->count, memory_order_relaxed);
    if (n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        unsigned char *p = realloc(d->items, cap * size);
        if (!p)
            return false;
        d->items = p;
        d->cap = cap;
    }
    memcpy(d->items + n * size, elem, size);
    /* release: pairs with the acquire in steady_test_drain_count (any thread). */
    atomic_store_explicit(&d->count, n + 1, memory_order_release);
    return true;
}

/* Takes until the producer closed and everything was taken, also after shutdown is requested:
 * a producer may still send while it finishes (a flush before it closes), and every producer's
 * end closes when its actor ends, so the vote always comes. */
static int drain_run(steady_actor *a, void *arg)
{
    steady_test_drain *d = arg;
    unsigned char elem[4096];
    while (STEADY_RUNNING(a, STEADY_I(steady_rx_is_closed_and_empty(d->rx)))) {
        steady_err e = steady_rx_take_wait(a, d->rx, elem);
        if (e == STEADY_ECLOSED)
            break;
        if (e == STEADY_OK && !keep(d, elem))
            return 1;
    }
    return 0;
}

static steady_err spawn(steady_graph *g, const char *name, int (*run)(steady_actor *, void *),
                        void *arg, steady_tx *tx, steady_rx *rx)
{
    return steady_actor_spawn(
        g,
        &(steady_actor_opts){.name = name,
                             .run = run,
                             .arg = arg,
                             .txs = tx ? (steady_tx *const[]){tx, NULL} : NULL,
                             .rxs = rx ? (steady_rx *const[]){rx, NULL} : NULL},
        NULL);
}

/* Gives obj to the graph (freed with it), then spawns its actor: owned first, so the actor's
 * arg lives as long as the graph whatever the spawn says. No memory: obj is freed here. */
static steady_err own_and_spawn(steady_graph *g, const char *fn, void *obj, void (*free_fn)(void *),
                                const char *name, int (*run)(steady_actor *, void *), steady_tx *tx,
                                steady_rx *rx)
{
    if (!kit_own(g, obj, free_fn)) {
        free_fn(obj);
        return steady_error_set(STEADY_ENOMEM, "%s: out of memory", fn);
    }
    return spawn(g, name, run, obj, tx, rx);
}

steady_err steady_test_inject_new(steady_graph *g, const char *name, steady_tx *tx,
                                  const void *elems, size_t n, bool close_after,
                                  steady_test_inject **out)
{
    if (out)
        *out = NULL;
    if (!g || !name || !tx || (n && !elems))
        return steady_error_set(STEADY_EINVAL, "steady_test_inject_new: %s is NULL",
                                !g      ? "the graph"
                                : !name ? "name"
                                : !tx   ? "tx"
                                        : "elems (n > 0)");
    size_t size = tx->elem_size;
    if (n > SIZE_MAX / (size ? size : 1))
        return steady_error_set(STEADY_EINVAL,
                                "steady_test_inject_new: %zu elements of %zu "
                                "bytes do not fit in memory",
                                n, size);
    steady_test_inject *i = calloc(1, sizeof *i);
    if (!i || !(i->elems = malloc(n * size + 1))) {
        free(i);
        return steady_error_set(STEADY_ENOMEM,
                                "steady_test_inject_new: out of memory for %zu "
                                "elements",
                                n);
    }
    if (n)
        memcpy(i->elems, elems, n * size);
    *i = (steady_test_inject){.tx = tx, .elems = i->elems, .n = n, .close_after = close_after};
    steady_err e =
        own_and_spawn(g, "steady_test_inject_new", i, inject_free, name, inject_run, tx, NULL);
    if (e != STEADY_OK)
        return e;
    if (out)
        *out = i;
    return STEADY_OK;
}

uint64_t steady_test_inject_sent(const steady_test_inject *i)
{
    return i ? atomic_load_explicit(&i->sent, memory_order_acquire) : 0;
}

steady_err steady_test_drain_new(steady_graph *g, const char *name, steady_rx *rx,
                                 steady_test_drain **out)
{
    if (out)
        *out = NULL;
    if (!g || !name || !rx)
        return steady_error_set(STEADY_EINVAL, "steady_test_drain_new: %s is NULL",
                                !g      ? "the graph"
                                : !name ? "name"
                                        : "rx");
    if (rx->elem_size > 4096)
        return steady_error_set(STEADY_EINVAL,
                                "steady_test_drain_new: elements of %u bytes; "
                                "the drain takes at most 4096 per element",
                                rx->elem_size);
    steady_test_drain *d = calloc(1, sizeof *d);
    if (!d)
        return steady_error_set(STEADY_ENOMEM, "steady_test_drain_new: out of memory");
    d->rx = rx;
    steady_err e =
        own_and_spawn(g, "steady_test_drain_new", d, drain_free, name, drain_run, NULL, rx);
    if (e != STEADY_OK)
        return e;
    if (out)
        *out = d;
    return STEADY_OK;
}

size_t steady_test_drain_count(const steady_test_drain *d)
{
    return d ? atomic_load_explicit(&d->count, memory_order_acquire) : 0;
}

const void *steady_test_drain_items(const steady_test_drain *d)
{
    return d && steady_test_drain_count(d) ? d->items : NULL;
}

void steady_test_drain_compare(steady_test_drain *d, steady_test_eq eq)
{
    if (d)
        d->eq = eq;
}

bool kit_drain_same(const steady_test_drain *d, const void *a, const void *b)
{
    return d->eq ? d->eq(a, b) : memcmp(a, b, d->rx->elem_size) == 0;
}

size_t kit_drain_size(const steady_test_drain *d)
{
    return d->rx->elem_size;
}

const char *kit_drain_name(const steady_test_drain *d)
{
    return steady_channel_name(steady_rx_channel(d->rx));
}
