/* core/batch.c — zero-copy batch helpers and the transactional commit (see steady/batch.h).
 *
 * Each helper reads the ring regions once (one index refresh per side), hands the contiguous
 * pieces to the callback, and moves the indices once at the end: one release store per
 * channel per batch, whatever the batch size.
 */
#include "core/internal.h"

#include "steady/batch.h"

#include <signal.h>

static size_t min2(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* A NULL callback: the helper would call it on the first element. */
static bool callback_ok(const void *fn, const char *op, const char *arg)
{
    if (!fn)
        steady__misuse(STEADY_EINVAL, "%s: %s is NULL; pass the function that handles the elements",
                       op, arg);
    return fn != NULL;
}

size_t steady_tx_produce(steady_tx *tx, size_t max, steady_fill_fn fill, void *ctx)
{
    if (!callback_ok((const void *)(uintptr_t)fill, "steady_tx_produce", "fill"))
        return 0;
    steady_span s = steady_tx_poke_slice(tx);
    size_t n = min2(max, s.a_len + s.b_len), na = min2(n, s.a_len);
    if (na)
        fill(ctx, s.a, na);
    if (n > na)
        fill(ctx, s.b, n - na);
    return n ? steady_tx_advance_send(tx, n) : 0;
}

size_t steady_rx_consume(steady_rx *rx, size_t max, steady_visit_fn visit, void *ctx)
{
    if (!callback_ok((const void *)(uintptr_t)visit, "steady_rx_consume", "visit"))
        return 0;
    steady_span s = steady_rx_peek_slice(rx);
    size_t n = min2(max, s.a_len + s.b_len), na = min2(n, s.a_len);
    if (na)
        visit(ctx, s.a, na);
    if (n > na)
        visit(ctx, s.b, n - na);
    return n ? steady_rx_advance_take(rx, n) : 0;
}

size_t steady_map(steady_rx *rx, steady_tx *tx, size_t max, steady_map_fn map, void *ctx)
{
    if (!callback_ok((const void *)(uintptr_t)map, "steady_map", "map"))
        return 0;
    steady_span in = steady_rx_peek_slice(rx), out = steady_tx_poke_slice(tx);
    size_t n = min2(max, min2(in.a_len + in.b_len, out.a_len + out.b_len));
    const unsigned char *src[2] = {in.a, in.b};
    size_t src_len[2] = {in.a_len, in.b_len};
    unsigned char *dst[2] = {out.a, out.b};
    size_t dst_len[2] = {out.a_len, out.b_len};
    size_t si = 0, di = 0, s_off = 0, d_off = 0;
    for (size_t done = 0; done < n;) { /* at most three pieces */
        size_t k = min2(n - done, min2(src_len[si] - s_off, dst_len[di] - d_off));
        map(ctx, src[si] + s_off * rx->elem_size, dst[di] + d_off * tx->elem_size, k);
        done += k;
        if ((s_off += k) == src_len[si])
            si++, s_off = 0;
        if ((d_off += k) == dst_len[di])
            di++, d_off = 0;
    }
    if (n == 0)
        return 0;
    steady_commit1(rx, n, tx, n);
    return n;
}

/* ---- the commit ---- */

/* The lists themselves: arrays present for their counts, every end of its kind (a misuse
 * otherwise), no channel listed twice (two counts against one ring would pass the checks one by
 * one and then move it past what is there). */
static steady_err check_lists(steady_rx *const *rxs, const size_t *takes, size_t n_rx,
                              steady_tx *const *txs, const size_t *sends, size_t n_tx)
{
    if ((n_rx && (!rxs || !takes)) || (n_tx && (!txs || !sends)))
        return steady__misuse(STEADY_EINVAL,
                              "commit: %zu inputs and %zu outputs, but an array is NULL; pass "
                              "rxs and takes (txs and sends) of that many entries",
                              n_rx, n_tx);
    steady_err e;
    for (size_t i = 0; i < n_rx; i++) {
        if ((e = steady__rx_check(rxs[i], "commit")) != STEADY_OK)
            return e;
        for (size_t k = 0; k < i; k++)
            if (rxs[k] == rxs[i])
                return steady__fail(STEADY_EINVAL,
                                    "commit: channel '%s' is input %zu and input %zu; list "
                                    "each end once, with its whole count",
                                    rxs[i]->channel->name, k, i);
    }
    for (size_t j = 0; j < n_tx; j++) {
        if ((e = steady__tx_check(txs[j], "commit")) != STEADY_OK)
            return e;
        for (size_t k = 0; k < j; k++)
            if (txs[k] == txs[j])
                return steady__fail(STEADY_EINVAL,
                                    "commit: channel '%s' is output %zu and output %zu; list "
                                    "each end once, with its whole count",
                                    txs[j]->channel->name, k, j);
    }
    return STEADY_OK;
}

static steady_err check_commit(steady_rx *const *rxs, const size_t *takes, size_t n_rx,
                               steady_tx *const *txs, const size_t *sends, size_t n_tx)
{
    steady_err e = check_lists(rxs, takes, n_rx, txs, sends, n_tx);
    if (e != STEADY_OK)
        return e;
    for (size_t i = 0; i < n_rx; i++) {
        if (!steady__rx_open(rxs[i]))
            return steady__rx_stopped(rxs[i], "commit");
        if (takes[i] > steady__rx_ready(rxs[i], takes[i]))
            return steady__fail(STEADY_EINVAL,
                                "commit: take %zu from channel '%s', which has "
                                "only %llu ready; take at most what you peeked",
                                takes[i], rxs[i]->channel->name,
                                (unsigned long long)steady__rx_ready(rxs[i], UINT64_MAX));
    }
    for (size_t j = 0; j < n_tx; j++) {
        if (!steady__tx_open(txs[j]))
            return steady__tx_stopped(txs[j], "commit");
        if (sends[j] > steady__tx_room(txs[j], sends[j]))
            return steady__fail(STEADY_EINVAL,
                                "commit: send %zu on channel '%s', which has room "
                                "for only %llu; send at most what you poked",
                                sends[j], txs[j]->channel->name,
                                (unsigned long long)steady__tx_room(txs[j], UINT64_MAX));
    }
    return STEADY_OK;
}

/* ---- crash consistency across processes ----
 *
 * In one process a commit cannot be torn: a failure unwinds only at the points where the actor
 * calls steady, never between two stores. A child process can be killed at any instruction, so
 * an ISOLATED actor's commit of more than one end writes an intent record first (see
 * internal.h): the warden completes an armed commit before the restart. Replaying is always
 * right: the record is armed only once every output it publishes was written in place. */

static void step(steady_actor *a, uint32_t k)
{
    uint32_t want = atomic_load_explicit(&a->kill_at_step, memory_order_relaxed);
    if (__builtin_expect(want == k, 0)) {
        atomic_store_explicit(&a->kill_at_step, 0, memory_order_relaxed);
        raise(SIGKILL);
    }
}

static void arm(struct steady__intent *in, steady_rx *const *rxs, const size_t *takes, size_t n_rx,
                steady_tx *const *txs, const size_t *sends, size_t n_tx)
{
    uint32_t n = 0;
    for (size_t j = 0; j < n_tx; j++)
        if (sends[j])
            in->op[n++] = (struct steady__intent_op){txs[j], NULL, txs[j]->tail + sends[j]};
    for (size_t i = 0; i < n_rx; i++)
        if (takes[i])
            in->op[n++] = (struct steady__intent_op){NULL, rxs[i], rxs[i]->head + takes[i]};
    in->n = n;
}

static void apply(steady_rx *const *rxs, const size_t *takes, size_t n_rx, steady_tx *const *txs,
                  const size_t *sends, size_t n_tx, steady_actor *a)
{
    /* Outputs first: a peer that sees an input slot freed never runs ahead of the outputs
     * derived from it. */
    for (size_t j = 0; j < n_tx; j++)
        if (sends[j])
            steady__tx_publish(txs[j], sends[j]);
    if (a)
        step(a, 3);
    for (size_t i = 0; i < n_rx; i++)
        if (takes[i])
            steady__rx_release(rxs[i], takes[i]);
    if (a)
        step(a, 4);
}

bool steady__intent_replay(steady_actor *a)
{
    struct steady__intent *in = &a->intent;
    /* acquire: pairs with the release that armed the record (batch.c arm): its ops are whole. */
    if (!atomic_load_explicit(&in->armed, memory_order_acquire))
        return false;
    for (uint32_t k = 0; k < in->n && k < STEADY__INTENT_MAX; k++) {
        if (in->op[k].tx)
            steady__tx_publish_to(in->op[k].tx, in->op[k].to);
        else
            steady__rx_release_to(in->op[k].rx, in->op[k].to);
    }
    /* release: pairs with the next replay's acquire load (a later death of the same actor). */
    atomic_store_explicit(&in->armed, 0, memory_order_release);
    return true;
}

steady_err steady_commit(steady_rx *const *rxs, const size_t *takes, size_t n_rx,
                         steady_tx *const *txs, const size_t *sends, size_t n_tx)
{
    steady_err e = check_commit(rxs, takes, n_rx, txs, sends, n_tx);
    if (e != STEADY_OK)
        return e;
    steady_actor *a = steady__self;
    if (!a || !a->troupe->isolated || n_rx + n_tx < 2) {
        apply(rxs, takes, n_rx, txs, sends, n_tx, NULL);
        return STEADY_OK;
    }
    if (n_rx + n_tx > STEADY__INTENT_MAX)
        return steady__fail(STEADY_EINVAL,
                            "commit: %zu ends in one commit of an ISOLATED actor; at most %u "
                            "(split it)",
                            n_rx + n_tx, STEADY__INTENT_MAX);
    struct steady__intent *in = &a->intent;
    arm(in, rxs, takes, n_rx, txs, sends, n_tx);
    step(a, 1);
    /* release: pairs with the warden's acquire load of armed (steady__intent_complete): it
     * sees the record whole. */
    atomic_store_explicit(&in->armed, 1, memory_order_release);
    step(a, 2);
    apply(rxs, takes, n_rx, txs, sends, n_tx, a);
    /* release: pairs with the same acquire load; a warden that sees 0 sees every store. */
    atomic_store_explicit(&in->armed, 0, memory_order_release);
    step(a, 5);
    return STEADY_OK;
}
