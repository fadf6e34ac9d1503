/* bridge/carry.c — what every bridge does with frames, whatever carries them (bridge_impl.h):
 * an egress copies elements (or a stream's messages) out of its channel's front; an ingress
 * checks a frame it received, counts what it skipped or repeated, and fills its channel (or
 * stream). */
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

void *steady__bridge_alloc(steady_actor *a, const bridge *b, size_t size)
{
    void *p = steady_arena_alloc(a, size);
    if (!p)
        STEADY_ERROR("bridge %s: out of memory for %zu bytes; the bridge fails (and is restarted "
                     "as its supervision says)",
                     b->text, size);
    return p;
}

bool steady__bridge_defer(steady_actor *a, const bridge *b, void (*fn)(void *), void *ctx)
{
    if (steady_arena_defer(a, fn, ctx) == STEADY_OK)
        return true;
    fn(ctx);
    STEADY_ERROR("bridge %s: out of memory for a clean-up; the bridge fails", b->text);
    return false;
}

/* A messages frame whose every message fits the receiving stream; else the fault (detail set). */
static steady_frame_fault messages_fit(const bridge *b, const steady_frame *f)
{
    size_t at = 0;
    uint32_t len;
    while (steady_frame_message(f, &at, &len))
        if (len > b->stx.max_message) {
            steady_error_set(STEADY_EINVAL,
                             "frame refused: a message of %u bytes, this stream takes at most %u "
                             "(its max_message): give the receiving stream a larger max_message "
                             "and max_bytes",
                             len, b->stx.max_message);
            return STEADY_FRAME_TOO_LARGE;
        }
    return STEADY_FRAME_OK;
}

/* Moves h past its first n messages (repeats skipped). */
static void skip_messages(held *h, uint32_t n)
{
    uint32_t len;
    for (uint32_t i = 0; i < n && steady_frame_message(&h->f, &h->at, &len); i++)
        ;
}

bool steady__bridge_accept(bridge *b, const void *data, size_t len, held *h)
{
    steady_frame_fault k = steady_frame_decode(data, len, b->elem_size, b->type_id, &h->f);
    if (k == STEADY_FRAME_OK && b->stream)
        k = messages_fit(b, &h->f);
    if (k != STEADY_FRAME_OK) {
        memset(&h->f, 0, sizeof h->f);
        log_refused(b, k);
        return false;
    }
    uint64_t want = b->accepted, first = h->f.first_seq;
    h->done = 0;
    h->at = 0;
    if (b->seq_known && first > want)
        atomic_fetch_add(&b->gaps, first - want);
    if (b->seq_known && first < want) {
        uint64_t again = want - first < h->f.count ? want - first : h->f.count;
        atomic_fetch_add(&b->duplicates, again);
        h->done = (uint32_t)again;
        if (b->stream)
            skip_messages(h, h->done);
    }
    uint64_t end = first + h->f.count;
    if (end > b->accepted || !b->seq_known)
        b->accepted = end;
    b->seq_known = true;
    return true;
}

/* Sends h's messages into the stream while it has room; returns how many. */
static size_t send_messages(bridge *b, held *h)
{
    size_t sent = 0, next = h->at;
    uint32_t len;
    const void *m;
    while (h->done < h->f.count && (m = steady_frame_message(&h->f, &next, &len)) &&
           steady_stream_try_send(b->stx, m, len) == STEADY_OK) {
        h->at = next;
        h->done++;
        sent++;
    }
    return sent;
}

bool steady__bridge_deliver(bridge *b, held *h, bool *ended)
{
    const unsigned char *e = h->f.elems;
    size_t left = h->f.count - h->done, sent = 0;
    if (left && b->stream)
        sent = send_messages(b, h);
    else if (left)
        sent = steady_tx_send_slice(b->to, e + (size_t)h->done * b->elem_size, left);
    h->done += b->stream ? 0 : (uint32_t)sent;
    atomic_fetch_add(&b->elems, sent);
    if (h->done < h->f.count)
        return false;
    uint64_t end = h->f.first_seq + h->f.count;
    if (end > atomic_load(&b->next_seq) || !b->seq_known)
        atomic_store(&b->next_seq, end);
    atomic_fetch_add(&b->frames, 1);
    if (h->f.flags & STEADY_FRAME_END) {
        if (b->stream)
            steady_stream_tx_close(b->stx);
        else
            steady_tx_close(b->to);
        *ended = true;
    }
    return true;
}

steady_cond steady__bridge_room(bridge *b, const held *h)
{
    if (!b->stream || steady_tx_vacant(b->stx.lens.raw) == 0)
        return steady_cond_vacant(b->to, 1);
    size_t at = h->at;
    uint32_t len = 0;
    (void)steady_frame_message(&h->f, &at, &len);
    /* Twice the message's frame: free bytes of that much always hold it in one piece on one
     * side of the ring's wrap (a stream's frame is at most half its ring), so the wait never
     * returns to a send that still finds no room. */
    uint64_t need = 2 * STEADY__FRAME_BYTES(len);
    uint64_t cap = steady_channel_capacity(steady_tx_channel(b->stx.bytes.raw));
    return steady_cond_vacant(b->stx.bytes.raw, need < cap ? need : cap);
}

/* Copies n elements of esz bytes from offset off of a channel's readable region. */
static void copy_span(const steady_span *sp, size_t off, size_t n, size_t esz, unsigned char *dst)
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

/* A stream's messages from skip on, each as a frame carries it (length, then bytes), while
 * they fit BRIDGE_FRAME_BYTES (the first always goes: frame_cap holds the largest message). */
static uint32_t fill_messages(bridge *b, size_t skip, size_t max, unsigned char *dst, size_t *bytes)
{
    size_t room = BRIDGE_FRAME_BYTES - STEADY_FRAME_HEADER, used = 0;
    uint32_t n = 0;
    steady_stream_msg m[64];
    for (size_t got = 1; n < max && got;) {
        size_t want = max - n < 64 ? max - n : 64;
        got = steady_stream_peek_from(b->srx, skip + n, m, want);
        for (size_t i = 0; i < got; i++, n++) {
            size_t need = STEADY_FRAME_PREFIX + m[i].len;
            if (n && (used > room || need > room - used))
                goto full;
            uint32_t len = m[i].len;
            unsigned char prefix[4] = {(unsigned char)len, (unsigned char)(len >> 8),
                                       (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
            memcpy(dst + used, prefix, sizeof prefix);
            if (len)
                memcpy(dst + used + sizeof prefix, m[i].data, len);
            used += need;
        }
    }
full:
    *bytes = used;
    return n;
}

uint32_t steady__bridge_fill(bridge *b, size_t skip, size_t max, unsigned char *payload,
                             size_t *bytes)
{
    if (b->stream)
        return fill_messages(b, skip, max, payload, bytes);
    steady_span sp = steady_rx_peek_slice(b->from);
    size_t have = sp.a_len + sp.b_len, n = have > skip ? have - skip : 0;
    n = n < max ? n : max;
    copy_span(&sp, skip, n, b->elem_size, payload);
    *bytes = n * b->elem_size;
    return (uint32_t)n;
}

void steady__bridge_take(bridge *b, size_t n)
{
    if (b->stream)
        steady_stream_advance_take(b->srx, n);
    else
        steady_rx_advance_take(b->from, n);
}
