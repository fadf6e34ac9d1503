/* core/frame.c — the frames of a stream's bytes channel: writing a header, and mending what a
 * producer killed between its two publishes left (core/frame.h). */
#include "core/internal.h"

#include "steady/stream.h"

void steady__frame_put(void *where, uint32_t len, uint32_t seq)
{
    steady__frame f = {len, seq};
    memcpy(where, &f, sizeof f);
}

/* A producer's bytes past its last record are a frame published without its record (an
 * ISOLATED producer killed between its two publishes). A reader walking the frames would take
 * it for the next message, and it holds room that no reader will release (no record counts
 * it), so the producer's tail steps back over it: the next frame is written in its place. No
 * reader has looked past the last record's frame, so none sees the step. */
void steady__stream_mend(steady_tx *bytes)
{
    const steady_channel *lens = bytes->channel->stream_lens;
    uint64_t n = atomic_load_explicit(&lens->ring->tail, memory_order_relaxed);
    uint64_t end = 0; /* where the last record's frame ends */
    if (n) {
        steady_stream_rec r;
        memcpy(&r, lens->tx.slots + (size_t)((n - 1) & lens->tx.mask) * sizeof r, sizeof r);
        end = r.at - sizeof(steady__frame) + STEADY__FRAME_BYTES(r.len);
    }
    if (end >= bytes->tail)
        return;
    STEADY_WARN("stream '%s': %llu bytes sent without their record (the producer died between "
                "its two publishes) are dropped; its bytes count steps back by as much",
                steady_channel_name(bytes->channel), (unsigned long long)(bytes->tail - end));
    bytes->tail = end;
    /* release: pairs with the consumer's acquire load of tail (steady__rx_ready), as every
     * publish does; the stream's reader never reads this tail (it follows the records). */
    atomic_store_explicit(&bytes->ring->tail, end, memory_order_release);
}

/* The bytes of a consumer killed between its two releases (records, then bytes) lag behind its
 * records: frames it took hold room no later release frees while the producer waits for it.
 * So its bytes head moves up to where its records say: the frame of its first record still
 * pending, or, with none pending, the end of the last record's frame. That record's slot is
 * read only while the producer cannot yet have reused it: with T the lens tail read after it,
 * the producer rewrites slot H - 1 only when writing message H - 1 + capacity, after
 * publishing H + capacity - 2, so T - H < capacity - 1 proves the read whole. */
void steady__stream_rx_mend(steady_rx *bytes)
{
    const steady_channel *lens = bytes->channel->stream_lens;
    const steady_rx *l = &lens->rx;
    uint64_t h = atomic_load_explicit(&lens->ring->head, memory_order_relaxed), at = bytes->head;
    for (;;) {
        /* acquire: pairs with the producer's release store of the lens tail (its records). */
        uint64_t t = atomic_load_explicit(&lens->ring->tail, memory_order_acquire);
        steady_stream_rec r;
        if (t > h) { /* pending: its frame starts 8 bytes before its payload */
            memcpy(&r, l->slots + (size_t)(h & l->mask) * sizeof r, sizeof r);
            at = r.at - sizeof(steady__frame);
            break;
        }
        if (h == 0)
            return; /* nothing ever sent */
        memcpy(&r, l->slots + (size_t)((h - 1) & l->mask) * sizeof r, sizeof r);
        /* acquire fence: the record's loads above happen before the tail's re-read. It pairs
         * with the producer's release store of the tail, as the load above. */
        atomic_thread_fence(memory_order_acquire);
        uint64_t again = atomic_load_explicit(&lens->ring->tail, memory_order_relaxed);
        if (again - h < lens->ring->capacity - 1 || lens->ring->capacity < 2) {
            at = r.at - sizeof(steady__frame) + STEADY__FRAME_BYTES(r.len);
            break;
        }
    }
    if (at > bytes->head)
        steady__rx_release_to(bytes, at);
}
