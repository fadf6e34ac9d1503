/* core/latency.c — the latency probe: how long messages wait in a channel, measured, not
 * estimated.
 *
 * At most one message per channel carries a stamp at a time. The handshake, in steps:
 *   1. the consumer (or the channel's creation) stores stamp_after = W - 1 (stamp a publish
 *      that reaches W);
 *   2. the producer's publish that makes tail > stamp_after (the inline check in
 *      steady/channel.h, one compare against a line the publish reads anyway) calls
 *      steady__tx_stamp: it stores stamp_ns = now, stamp_after = UINT64_MAX (none asked), then
 *      stamp_taken_after = tail - 1 with release;
 *   3. the consumer's take that makes head > stamp_taken_after (the same check on release)
 *      calls steady__rx_stamp: its acquire load pairs with step 2's release, so it reads that
 *      stamp_ns; the delay now - stamp_ns is the stamped message's wait (sent at the publish,
 *      taken at this release). It records the delay, clears stamp_taken_after (UINT64_MAX),
 *      and re-arms (step 1) with a release store that pairs with the producer's acquire
 *      re-load in step 2, so the producer's next store of stamp_taken_after follows the clear.
 * Each side writes only when the other has handed over, so no store is lost. The clock is
 * CLOCK_MONOTONIC, one for every process, so ISOLATED ends measure the same way.
 *
 * Rate: the consumer re-arms for W = tail + k, k the messages of about STAMP_PERIOD_NS at the
 * channel's recent rate (at least 1): a slow channel stamps every message, a fast one about a
 * thousand a second, so the probe costs two clock reads per millisecond at most, plus one
 * compare per publish and per take.
 */
#include "core/internal.h"

#include <time.h>

#define STAMP_PERIOD_NS 1000000u

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void steady__latency_init(steady_channel *ch)
{
    atomic_store_explicit(&ch->ring->stamp_after, 0, memory_order_relaxed); /* the first */
    atomic_store_explicit(&ch->ring->stamp_taken_after, UINT64_MAX, memory_order_relaxed);
}

void steady__tx_stamp(steady_tx *tx, uint64_t tail)
{
    if (!tx)
        return;
    steady_ring *r = tx->ring;
    /* acquire: pairs with the consumer's release store of stamp_after (step 3), so its clear
     * of stamp_taken_after happens before our store below. */
    uint64_t after = atomic_load_explicit(&r->stamp_after, memory_order_acquire);
    if (tail == 0 || tail <= after)
        return;
    atomic_store_explicit(&r->stamp_ns, mono_ns(), memory_order_relaxed);
    atomic_store_explicit(&r->stamp_after, UINT64_MAX, memory_order_relaxed);
    /* release: pairs with the consumer's acquire load in steady__rx_stamp (step 3). */
    atomic_store_explicit(&r->stamp_taken_after, tail - 1, memory_order_release);
}

/* Sample i goes to slot i % STEADY__LAT_SAMPLES; lat_seq's release publishes it. */
static void record(steady_channel *ch, uint64_t delay)
{
    uint64_t seq = atomic_load_explicit(&ch->lat_seq, memory_order_relaxed);
    atomic_store_explicit(&ch->lat_ns[seq % STEADY__LAT_SAMPLES], delay, memory_order_relaxed);
    /* release: pairs with the reader's acquire load of lat_seq (steady_inspect_latency). */
    atomic_store_explicit(&ch->lat_seq, seq + 1, memory_order_release);
}

/* Messages in about STAMP_PERIOD_NS at the rate since the last stamp (at least 1). */
static uint64_t stride(steady_channel *ch, uint64_t head, uint64_t now)
{
    uint64_t k = 1;
    if (ch->lat_last_ns && now > ch->lat_last_ns && head > ch->lat_last_head) {
        double rate = (double)(head - ch->lat_last_head) / (double)(now - ch->lat_last_ns);
        double m = rate * STAMP_PERIOD_NS;
        k = m > 1 ? (m < 1e15 ? (uint64_t)m : (uint64_t)1e15) : 1;
    }
    ch->lat_last_ns = now;
    ch->lat_last_head = head;
    return k;
}

void steady__rx_stamp(steady_rx *rx, uint64_t head)
{
    if (!rx)
        return;
    steady_ring *r = rx->ring;
    /* acquire: pairs with the producer's release store of stamp_taken_after (step 2). */
    uint64_t after = atomic_load_explicit(&r->stamp_taken_after, memory_order_acquire);
    if (head <= after)
        return;
    uint64_t sent = atomic_load_explicit(&r->stamp_ns, memory_order_relaxed);
    uint64_t now = mono_ns();
    steady_channel *ch = rx->channel;
    record(ch, now > sent ? now - sent : 0);
    atomic_store_explicit(&r->stamp_taken_after, UINT64_MAX, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    /* stamp the publish that reaches tail + k: stamp_after = tail + k - 1 */
    uint64_t next = steady__sat_add(tail, stride(ch, head, now) - 1);
    /* release: pairs with the producer's acquire load in steady__tx_stamp (step 2). */
    atomic_store_explicit(&r->stamp_after, next, memory_order_release);
}
