/* bridge/carry.c — what every bridge does with frames, whatever carries them (bridge_impl.h):
 * an egress copies elements out of its channel's front; an ingress checks a frame it
 * received, counts what it skipped or repeated, and fills its channel. */
#include "bridge_impl.h"

#include <stdio.h>
#include <string.h>

static void log_refused(bridge *b, steady_frame_fault k)
{
    uint64_t n = atomic_fetch_add(&b->refused[k], 1) + 1;
    if ((n & (n - 1)) == 0) /* the 1st, 2nd, 4th, ... of each kind */
        STEADY_WARN("bridge %s: %s (%llu refused so far as '%s')", b->text, steady_last_error(),
                    (unsigned long long)n, steady_frame_fault_name(k));
}

void steady__bridge_ingress_begin(bridge *b)
{
    b->accepted = atomic_load(&b->next_seq);
}

bool steady__bridge_accept(bridge *b, const void *data, size_t len, held *h)
{
    steady_frame_fault k = steady_frame_decode(data, len, b->elem_size, b->type_id, &h->f);
    if (k != STEADY_FRAME_OK) {
        log_refused(b, k);
        return false;
    }
    uint64_t want = b->accepted, first = h->f.first_seq;
    h->done = 0;
    if (b->seq_known && first > want)
        atomic_fetch_add(&b->gaps, first - want);
    if (b->seq_known && first < want) {
        uint64_t again = want - first < h->f.count ? want - first : h->f.count;
        atomic_fetch_add(&b->duplicates, again);
        h->done = (uint32_t)again;
    }
    uint64_t end = first + h->f.count;
    if (end > b->accepted || !b->seq_known)
        b->accepted = end;
    b->seq_known = true;
    return true;
}

bool steady__bridge_deliver(bridge *b, held *h, bool *ended)
{
    const unsigned char *e = h->f.elems;
    size_t left = h->f.count - h->done;
    size_t sent = left ? steady_tx_send_slice(b->to, e + (size_t)h->done * b->elem_size, left) : 0;
    h->done += (uint32_t)sent;
    atomic_fetch_add(&b->elems, sent);
    if (h->done < h->f.count)
        return false;
    uint64_t end = h->f.first_seq + h->f.count;
    if (end > atomic_load(&b->next_seq) || !b->seq_known)
        atomic_store(&b->next_seq, end);
    atomic_fetch_add(&b->frames, 1);
    if (h->f.flags & STEADY_FRAME_END) {
        steady_tx_close(b->to);
        *ended = true;
    }
    return true;
}

void steady__bridge_copy_span(const steady_span *sp, size_t off, size_t n, size_t esz,
                              unsigned char *dst)
{
    while (n) {
        bool in_a = off < sp->a_len;
        const unsigned char *src = in_a ? sp->a : sp->b;
        size_t at = in_a ? off : off - sp->a_len;
        size_t k = (in_a ? sp->a_len : sp->b_len) - at;
        k = k < n ? k : n;
        memcpy(dst, src + at * esz, k * esz);
        dst += k * esz;
        off += k;
        n -= k;
    }
}
