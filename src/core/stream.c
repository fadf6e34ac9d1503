/* core/stream.c — stream channels (steady/stream.h): a lens channel and a bytes channel.
 *
 * A message is a record on the lens channel ({payload index, length}) and its bytes on the
 * bytes channel, starting after the wrap when it would straddle it. A send writes the bytes and
 * the record in place, then publishes the bytes and then the record (the record's release store
 * makes both visible to a reader that sees it); a take releases the records and then the bytes.
 * The record's absolute index is what makes the two steps safe without a commit record: bytes
 * published without their record (an ISOLATED producer killed between the steps) are skipped by
 * the next record, and records released before their bytes only hold the bytes longer. No user
 * code runs between the steps, so an in-process failure cannot split them. The paths use the
 * channels' own inline checks and publishes (channel.h): owners, close, restart rewind and
 * peek marks are the channels' rules, unchanged.
 */
#include "core/internal.h"

#include <stdio.h>

#include "steady/stream.h"
#include "steady/wait.h"

#define DEFAULT_MESSAGES 1024u
#define DEFAULT_BYTES (1u << 20)
#define MAX_FRAME ((uint64_t)1 << 31) /* a frame's length stays clear of the markers */

static steady_err bad_opts(const char *what)
{
    return steady__fail(STEADY_EINVAL, "steady_stream_new: %s", what);
}

steady_err steady_stream_new(steady_graph *g, const steady_stream_opts *o, steady_stream_tx *tx,
                             steady_stream_rx *rx)
{
    if (!o || !o->name || !*o->name)
        return bad_opts("opts and opts->name are required; the channels are NAME.lens and "
                        "NAME.bytes");
    uint64_t msgs = o->max_messages ? o->max_messages : DEFAULT_MESSAGES;
    uint64_t bytes = o->max_bytes ? o->max_bytes : DEFAULT_BYTES;
    /* The channels' own limit, checked before either is made: a stream is both or neither. */
    if (msgs > ((uint64_t)1 << 40) || bytes > ((uint64_t)1 << 40))
        return steady__fail(STEADY_EINVAL,
                            "steady_stream_new: stream '%s': %llu messages and %llu bytes in "
                            "flight; a channel holds at most 2^40 elements: lower max_messages "
                            "or max_bytes",
                            o->name, (unsigned long long)msgs, (unsigned long long)bytes);
    /* A frame of the largest message must fit in half the bytes: an empty ring then always has
     * a contiguous run for it on one side of its wrap. */
    uint64_t half = bytes / 2 < MAX_FRAME ? bytes / 2 : MAX_FRAME;
    uint64_t max = o->max_message ? o->max_message : half >= 16 ? (half - 8) & ~(uint64_t)7 : 0;
    if (max > MAX_FRAME - 8)
        return steady__fail(STEADY_EINVAL,
                            "steady_stream_new: stream '%s': max_message %llu is over the limit "
                            "of %llu bytes per message; split larger ones",
                            o->name, (unsigned long long)max, (unsigned long long)(MAX_FRAME - 8));
    if (max == 0 || STEADY__FRAME_BYTES(max) > half)
        return steady__fail(STEADY_EINVAL,
                            "steady_stream_new: stream '%s': a message of max_message %llu bytes "
                            "takes %llu in the bytes channel (an 8-byte header, padding to 8), "
                            "more than half of max_bytes %llu; raise max_bytes to at least %llu, "
                            "or lower max_message",
                            o->name, (unsigned long long)max,
                            (unsigned long long)STEADY__FRAME_BYTES(max ? max : 1),
                            (unsigned long long)bytes,
                            (unsigned long long)(2 * STEADY__FRAME_BYTES(max ? max : 1)));
    char lens[256], data[256];
    if (snprintf(lens, sizeof lens, "%s.lens", o->name) >= (int)sizeof lens ||
        snprintf(data, sizeof data, "%s.bytes", o->name) >= (int)sizeof data)
        return bad_opts("the name is too long (at most 248 bytes)");
    steady_channel_opts lo = {lens, msgs, (uint32_t)sizeof(steady_stream_rec)};
    steady_channel_opts bo = {data, bytes, 1};
    steady_tx *ltx = NULL, *btx = NULL;
    steady_rx *lrx = NULL, *brx = NULL;
    steady_err e = steady_channel_new(g, &bo, &btx, &brx); /* the big one first */
    if (e == STEADY_OK)
        e = steady_channel_new(g, &lo, &ltx, &lrx);
    if (e != STEADY_OK)
        return e;
    /* The bytes channel knows its records: a restarted end is mended from them (frame.c). */
    steady_tx_channel(btx)->stream_lens = steady_tx_channel(ltx);
    if (tx)
        *tx = (steady_stream_tx){{ltx}, {btx}, (uint32_t)max};
    if (rx)
        *rx = (steady_stream_rx){{lrx}, {brx}};
    return STEADY_OK;
}

/* ---- sending ---- */

static steady_err check_tx(steady_stream_tx tx, const void *data, size_t len, const char *op)
{
    if (!tx.lens.raw || !tx.bytes.raw)
        return steady__misuse(STEADY_EINVAL,
                              "%s on a NULL stream end; make it with steady_stream_new", op);
    if (len > tx.max_message)
        return steady__fail(STEADY_EINVAL,
                            "%s on stream '%s': a message of %zu bytes is larger than its "
                            "max_message of %u; split it, or make the stream with a larger "
                            "max_message (and max_bytes of at least twice that)",
                            op, steady_channel_name(steady_tx_channel(tx.lens.raw)), len,
                            tx.max_message);
    if (len && !data)
        return steady__misuse(STEADY_EINVAL, "%s: data is NULL with len %zu", op, len);
    return STEADY_OK;
}

/* The bytes skipped to the wrap before a frame of len at the sender's tail (0: it fits). */
static uint64_t skip_for(const steady_tx *b, size_t len)
{
    uint64_t to_wrap = b->mask + 1 - (b->tail & b->mask);
    return to_wrap >= STEADY__FRAME_BYTES(len) ? 0 : to_wrap;
}

/* Room for the record and for the frame of len, contiguous: the frame's index in *at, or
 * EFULL / ECLOSED (the consumer is gone), or the misuse of an end the caller may not use
 * (another's, or closed by itself). Reads the channels' own handles: the inline room checks of
 * channel.h. */
static steady_err reserve(steady_stream_tx tx, size_t len, uint64_t *at)
{
    steady_tx *l = tx.lens.raw, *b = tx.bytes.raw;
    if (!steady__tx_open(l))
        return steady__tx_stopped(l, "stream send");
    if (!steady__tx_open(b))
        return steady__tx_stopped(b, "stream send");
    uint64_t skip = skip_for(b, len), need = skip + STEADY__FRAME_BYTES(len);
    if (steady__tx_room(l, 1) < 1 || steady__tx_room(b, need) < need)
        return steady__tx_blocked(l) == STEADY_ECLOSED || steady__tx_blocked(b) == STEADY_ECLOSED
                   ? STEADY_ECLOSED
                   : STEADY_EFULL;
    *at = b->tail + skip;
    return STEADY_OK;
}

static void *bytes_slot(const steady_tx *b, uint64_t at)
{
    return b->slots + (at & b->mask);
}

static void *rec_slot(const steady_tx *l)
{
    return l->slots + (size_t)(l->tail & l->mask) * sizeof(steady_stream_rec);
}

/* Writes the frame reserved at `at` (after a skip marker when it starts after the wrap) and
 * its record, unpublished; claimed marks a claim that steady_stream_publish completes. */
static void *write_frame(steady_stream_tx tx, size_t len, uint64_t at, uint32_t claimed)
{
    steady_tx *l = tx.lens.raw, *b = tx.bytes.raw;
    if (at != b->tail)
        steady__frame_put(bytes_slot(b, b->tail), STEADY__FRAME_SKIP, 0);
    steady__frame_put(bytes_slot(b, at), (uint32_t)len, (uint32_t)l->tail);
    steady_stream_rec rec = {at + sizeof(steady__frame), (uint32_t)len, claimed};
    memcpy(rec_slot(l), &rec, sizeof rec);
    return (unsigned char *)bytes_slot(b, at) + sizeof(steady__frame);
}

/* Publishes the bytes up to the frame's end, then the record (its release store makes both
 * visible to a reader that sees it). `payload` is the record's at. */
static steady_err publish(steady_stream_tx tx, size_t len, uint64_t payload)
{
    steady_tx *l = tx.lens.raw, *b = tx.bytes.raw;
    steady_stream_rec rec = {payload, (uint32_t)len, 0};
    memcpy(rec_slot(l), &rec, sizeof rec);
    steady__tx_publish_to(b, payload - sizeof(steady__frame) + STEADY__FRAME_BYTES(len));
    steady__tx_publish(l, 1);
    return STEADY_OK;
}

steady_err steady__stream_send(steady_stream_tx tx, const void *data, size_t len)
{
    steady_err e = check_tx(tx, data, len, "steady_stream_try_send");
    uint64_t at;
    if (e == STEADY_OK && (e = reserve(tx, len, &at)) == STEADY_OK) {
        void *p = write_frame(tx, len, at, 0);
        if (len)
            memcpy(p, data, len);
        e = publish(tx, len, at + sizeof(steady__frame));
    }
    return e;
}

/* Reserves len bytes in place and writes the claim into the next record, unpublished (publish
 * finds it there); the payload's place in *p. EFULL, ECLOSED or the misuse of reserve. */
static steady_err claim(steady_stream_tx tx, size_t len, void **p)
{
    uint64_t at;
    steady_err e = reserve(tx, len, &at);
    if (e != STEADY_OK)
        return e;
    *p = write_frame(tx, len, at, 1);
    return STEADY_OK;
}

/* The end and the size, for both claims. */
static steady_err check_claim(steady_stream_tx tx, size_t len, const char *op)
{
    steady_err e = check_tx(tx, NULL, 0, op);
    if (e == STEADY_OK && len > tx.max_message)
        e = check_tx(tx, NULL, len, op);
    return e;
}

void *steady_stream_claim(steady_stream_tx tx, size_t len)
{
    void *p = NULL;
    steady_err e = check_claim(tx, len, "steady_stream_claim");
    if (e == STEADY_OK && (e = claim(tx, len, &p)) != STEADY_OK)
        steady__fail(e, "steady_stream_claim: %s for %zu bytes", steady_strerror(e), len);
    return p;
}

/* The claim steady_stream_claim wrote into the next record: its length must be len, and its
 * place is still free (room only grows meanwhile). */
steady_err steady_stream_publish(steady_stream_tx tx, size_t len)
{
    uint64_t at;
    steady_err e = check_tx(tx, NULL, 0, "steady_stream_publish");
    steady_stream_rec rec = {0, 0, 0};
    if (e == STEADY_OK && (e = reserve(tx, 0, &at)) == STEADY_OK)
        memcpy(&rec, rec_slot(tx.lens.raw), sizeof rec);
    if (e == STEADY_OK && (!rec.claimed || rec.len != len))
        e = steady__misuse(STEADY_EINVAL,
                           "steady_stream_publish of %zu bytes: %s; publish the length "
                           "steady_stream_claim was given, after a claim",
                           len,
                           rec.claimed ? "the claim was of another length" : "nothing is claimed");
    return e == STEADY_OK ? publish(tx, len, rec.at) : e;
}

/* The bytes a wait must see free for a message of len: its frame, and the skip to the wrap. */
static uint64_t room_needed(const steady_tx *bytes, size_t len)
{
    return skip_for(bytes, len) + STEADY__FRAME_BYTES(len);
}

static steady_err wait_error(steady_reason r)
{
    return r == STEADY_READY ? STEADY_OK : r == STEADY_CLOSED ? STEADY_ECLOSED : STEADY_ESHUTDOWN;
}

steady_err steady_stream_send_wait(steady_actor *a, steady_stream_tx tx, const void *data,
                                   size_t len)
{
    steady_err e;
    while ((e = steady_stream_try_send(tx, data, len)) == STEADY_EFULL) {
        if ((e = steady__check_waiter(a, "steady_stream_send_wait")) != STEADY_OK)
            break;
        steady_wake w = steady_wait_all(a, STEADY_VACANT(tx.lens, 1),
                                        STEADY_VACANT(tx.bytes, room_needed(tx.bytes.raw, len)));
        if ((e = wait_error(w.reason)) != STEADY_OK)
            break;
    }
    return e;
}

steady_err steady_stream_claim_wait(steady_actor *a, steady_stream_tx tx, size_t len, void **out)
{
    if (!out)
        return steady__misuse(STEADY_EINVAL, "steady_stream_claim_wait: out is NULL; pass the "
                                             "address of a pointer for the place to write");
    *out = NULL;
    steady_err e = check_claim(tx, len, "steady_stream_claim_wait");
    /* room_needed is read at each turn: a wait for len bytes must include the skip to the
     * wrap as it is then, or a claim at the wrap would see room and find none, forever. */
    while (e == STEADY_OK && (e = claim(tx, len, out)) == STEADY_EFULL) {
        if ((e = steady__check_waiter(a, "steady_stream_claim_wait")) != STEADY_OK)
            break;
        steady_wake w = steady_wait_all(a, STEADY_VACANT(tx.lens, 1),
                                        STEADY_VACANT(tx.bytes, room_needed(tx.bytes.raw, len)));
        e = wait_error(w.reason);
    }
    return e;
}

/* ---- receiving ---- */

static steady_err check_rx(steady_stream_rx rx, const char *op)
{
    if (!rx.lens.raw || !rx.bytes.raw)
        return steady__misuse(STEADY_EINVAL,
                              "%s on a NULL stream end; make it with steady_stream_new", op);
    return STEADY_OK;
}

/* Message `seq`'s frame: its index in the bytes channel, its header in *f. `cursor` is where
 * it should start: the end of the previous frame, or the bytes channel's head. A skip marker
 * is stepped over; a frame of another number (the head of a consumer restarted between its two
 * releases lags behind the records) sends the reader to the message's record, which is always
 * right. Only published frames are read: the cursor never passes the record's frame. */
static uint64_t find_frame(const steady_rx *l, const steady_rx *b, uint64_t cursor, uint64_t seq,
                           steady__frame *f)
{
    for (int hop = 0; hop < 2; hop++) {
        memcpy(f, b->slots + (cursor & b->mask), sizeof *f);
        if (f->len == STEADY__FRAME_SKIP)
            cursor = (cursor | b->mask) + 1;
        else if (f->seq == (uint32_t)seq)
            return cursor;
        else
            break;
    }
    steady_stream_rec r;
    memcpy(&r, l->slots + (size_t)(seq & l->mask) * sizeof r, sizeof r);
    *f = (steady__frame){r.len, (uint32_t)seq};
    return r.at - sizeof *f;
}

/* Ready records, up to max, after the ends were checked; marks the head peeked (showstoppers). */
static size_t ready_records(steady_stream_rx rx, size_t max, const char *op)
{
    steady_rx *l = rx.lens.raw, *b = rx.bytes.raw;
    if (!steady__rx_open(l) || !steady__rx_open(b)) {
        steady__rx_stopped(steady__rx_open(l) ? b : l, op);
        return 0;
    }
    uint64_t n = steady__rx_ready(l, max);
    if (n > max)
        n = max;
    if (n)
        l->peeked = l->head + 1;
    return (size_t)n;
}

size_t steady_stream_peek_from(steady_stream_rx rx, size_t skip, steady_stream_msg *msgs,
                               size_t max)
{
    if (check_rx(rx, "steady_stream_peek_from") != STEADY_OK || max == 0)
        return 0;
    if (!msgs) {
        steady__misuse(STEADY_EINVAL, "steady_stream_peek_from: msgs is NULL with max %zu", max);
        return 0;
    }
    size_t want = skip > SIZE_MAX - max ? SIZE_MAX : skip + max;
    size_t n = ready_records(rx, want, "stream peek");
    if (n <= skip)
        return 0;
    n -= skip;
    const steady_rx *l = rx.lens.raw, *b = rx.bytes.raw;
    uint64_t seq = l->head + skip, cursor = b->head;
    if (skip) { /* the first one's record says where it starts */
        steady_stream_rec r;
        memcpy(&r, l->slots + (size_t)(seq & l->mask) * sizeof r, sizeof r);
        cursor = r.at - sizeof(steady__frame);
    }
    for (size_t i = 0; i < n; i++) {
        steady__frame f;
        cursor = find_frame(l, b, cursor, seq + i, &f);
        msgs[i] = (steady_stream_msg){b->slots + ((cursor + sizeof f) & b->mask), f.len};
        cursor += STEADY__FRAME_BYTES(f.len);
    }
    return n;
}

size_t steady_stream_peek_batch(steady_stream_rx rx, steady_stream_msg *msgs, size_t max)
{
    if (check_rx(rx, "steady_stream_peek_batch") != STEADY_OK || max == 0)
        return 0;
    if (!msgs) {
        steady__misuse(STEADY_EINVAL, "steady_stream_peek_batch: msgs is NULL with max %zu", max);
        return 0;
    }
    return steady_stream_peek_from(rx, 0, msgs, max);
}

steady_err steady_stream_peek(steady_stream_rx rx, steady_stream_msg *msg)
{
    steady_err e = check_rx(rx, "steady_stream_peek");
    if (e == STEADY_OK && !msg)
        e = steady__misuse(STEADY_EINVAL, "steady_stream_peek: msg is NULL");
    if (e != STEADY_OK)
        return e;
    if (steady_stream_peek_batch(rx, msg, 1) == 1)
        return STEADY_OK;
    *msg = (steady_stream_msg){NULL, 0};
    return steady_rx_is_closed_and_empty(rx.lens.raw) ? STEADY_ECLOSED : STEADY_EEMPTY;
}

/* Releases the records, then the bytes up to the last one's end: a process killed between
 * the two only holds bytes a little longer. */
size_t steady_stream_advance_take(steady_stream_rx rx, size_t n)
{
    if (check_rx(rx, "steady_stream_advance_take") != STEADY_OK)
        return 0;
    n = ready_records(rx, n, "stream take");
    if (n == 0)
        return 0;
    steady_rx *l = rx.lens.raw, *b = rx.bytes.raw;
    uint64_t cursor = b->head, seq = l->head;
    if (n >= 16) { /* the last one's record: one line read instead of n frame headers */
        steady_stream_rec r;
        memcpy(&r, l->slots + (size_t)((seq + n - 1) & l->mask) * sizeof r, sizeof r);
        cursor = r.at - sizeof(steady__frame) + STEADY__FRAME_BYTES(r.len);
    } else {
        for (size_t i = 0; i < n; i++) {
            steady__frame f;
            cursor = find_frame(l, b, cursor, seq + i, &f) + STEADY__FRAME_BYTES(f.len);
        }
    }
    steady__rx_release(l, n);
    steady__rx_release_to(b, cursor);
    return n;
}

steady_err steady_stream_try_take(steady_stream_rx rx, void *buf, size_t cap, size_t *len)
{
    steady_stream_msg m;
    steady_err e = check_rx(rx, "steady_stream_try_take");
    if (e == STEADY_OK && (!len || (cap && !buf)))
        e = steady__misuse(STEADY_EINVAL,
                           "steady_stream_try_take: %s is NULL; pass a buffer of cap bytes and "
                           "a size_t for the length",
                           !len ? "len" : "buf");
    if (e != STEADY_OK || (e = steady_stream_peek(rx, &m)) != STEADY_OK)
        return e;
    *len = m.len;
    if (m.len > cap)
        return steady__fail(STEADY_EINVAL,
                            "steady_stream_try_take: the head message has %u bytes, the buffer "
                            "%zu; nothing was taken: pass a buffer of at least %u bytes",
                            m.len, cap, m.len);
    if (m.len)
        memcpy(buf, m.data, m.len);
    steady_stream_advance_take(rx, 1);
    return STEADY_OK;
}

steady_err steady_stream_take_wait(steady_actor *a, steady_stream_rx rx, void *buf, size_t cap,
                                   size_t *len)
{
    steady_err e;
    while ((e = steady_stream_try_take(rx, buf, cap, len)) == STEADY_EEMPTY)
        if ((e = steady__check_waiter(a, "steady_stream_take_wait")) != STEADY_OK ||
            (e = wait_error(steady_wait_avail(a, rx.lens, 1))) != STEADY_OK)
            break;
    return e;
}

/* ---- close ---- */

bool steady_stream_tx_close(steady_stream_tx tx)
{
    steady_tx_close(tx.lens.raw);
    steady_tx_close(tx.bytes.raw);
    return true;
}

bool steady_stream_rx_close(steady_stream_rx rx)
{
    steady_rx_close(rx.lens.raw);
    steady_rx_close(rx.bytes.raw);
    return true;
}

bool steady_stream_rx_is_closed_and_empty(steady_stream_rx rx)
{
    return steady_rx_is_closed_and_empty(rx.lens.raw);
}
