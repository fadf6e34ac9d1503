/* steady/stream.h — stream channels: variable-size messages (bytes with a length).
 *
 * A stream is two channels created together: "NAME.lens", one record per message (where its
 * payload starts and its length), and "NAME.bytes", the messages' frames (an 8-byte header,
 * then the payload, padded to a multiple of 8, so payloads are 8-aligned). Both are ordinary
 * channels, so a stream has everything a channel has: one owner per end (list both ends of a
 * stream end at spawn: STEADY_TXS(tx.lens, tx.bytes)), close and the shutdown vote, peek before
 * commit, restarts that rewind what a failed generation did not commit, showstopper counting (on
 * the lens channel's head), the ISOLATED placement, and their totals in telemetry (messages on
 * .lens, bytes on .bytes).
 *
 * A frame never straddles the bytes ring's wrap: when it would, the sender marks the rest as
 * skipped and starts after the wrap, so every message a reader sees is one contiguous run of
 * bytes. That is why a frame of max_message is at most half of max_bytes: an empty ring always
 * has a contiguous run of that size on one side of its wrap. A reader walks the frame headers
 * in the bytes it reads anyway, and each header carries its message's number, checked against
 * the records. A send publishes the bytes, then the record; a take releases the records, then
 * the bytes. A process killed between the two steps (ISOLATED) is mended at its restart from
 * the records: a producer's frame without a record is dropped (its tail steps back), a
 * consumer's bytes taken but not released are released: never a message lost, repeated or
 * misread.
 *
 *   steady_stream_try_send(tx, data, len)          copy in
 *   p = steady_stream_claim(tx, len); ...; steady_stream_publish(tx, len)   write in place
 *   steady_stream_claim_wait(a, tx, len, &p)       claim, waiting for room
 *   steady_stream_send_wait(a, tx, data, len)      copy in, waiting for room
 *   steady_stream_peek(rx, &msg)                   the head message, in place
 *   steady_stream_peek_batch(rx, msgs, max)        up to max messages, in place
 *   steady_stream_peek_from(rx, skip, msgs, max)   ... after the first skip
 *   steady_stream_advance_take(rx, n)              take n messages (one commit of both channels)
 *   steady_stream_try_take(rx, buf, cap, &len)     copy out
 *   steady_stream_take_wait(a, rx, buf, cap, &len) copy out, waiting for a message
 * Waits: STEADY_AVAIL(rx.lens, 1) for a message; steady_stream_send_wait for room.
 * Thread-safety: as channels (owner only; totals from any thread).
 */
#ifndef STEADY_STREAM_H
#define STEADY_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "steady/actor.h"
#include "steady/channel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the lens channel carries, one per message. */
typedef struct steady_stream_rec {
    uint64_t at;      /* where its payload starts: an index of the bytes channel (absolute) */
    uint32_t len;     /* payload bytes */
    uint32_t claimed; /* 1 between steady_stream_claim and steady_stream_publish, else 0 */
} steady_stream_rec;

/* How a message lies in the bytes channel: an 8-byte frame header, then its bytes, the frame
 * padded to a multiple of 8 (so payloads are 8-aligned) and never straddling the wrap. The
 * header repeats the record's length and carries the low 32 bits of the message's number, so
 * a reader walks the frames in the bytes it already reads instead of fetching each record (a
 * cache line shared with the writer) and checks that each frame is the one it expects. Private:
 * the layout may change. */
typedef struct steady__frame {
    uint32_t len; /* payload bytes, or one of the markers below */
    uint32_t seq; /* the message's number (its index in the lens channel), low 32 bits */
} steady__frame;
#define STEADY__FRAME_SKIP UINT32_MAX /* the bytes up to the wrap are unused */
/* The bytes a message of len takes in the bytes channel: header, payload, padding. */
#define STEADY__FRAME_BYTES(len) ((uint64_t)8 + (((uint64_t)(len) + 7) & ~(uint64_t)7))

typedef struct steady_stream_opts {
    const char *name;      /* required; the channels are NAME.lens and NAME.bytes */
    uint64_t max_messages; /* messages in flight (the lens channel's capacity); 0: 1024 */
    uint64_t max_bytes;    /* frame bytes in flight (the bytes channel's capacity); 0: 1 MiB. A
                              message takes 8 + its length rounded up to 8 */
    uint32_t max_message;  /* largest message: its frame at most max_bytes / 2 (so at most
                              max_bytes / 2 - 8); 0: the largest that fits */
} steady_stream_opts;

/* The two ends of a stream: value types holding the two channels' ends (each member has a
 * .raw, so STEADY_TXS / STEADY_RXS and STEADY_AVAIL / STEADY_VACANT take them). */
typedef struct steady_stream_tx {
    struct {
        steady_tx *raw;
    } lens, bytes;
    uint32_t max_message;
} steady_stream_tx;

typedef struct steady_stream_rx {
    struct {
        steady_rx *raw;
    } lens, bytes;
} steady_stream_rx;

/* One message in place: valid until the owner takes or advances. */
typedef struct steady_stream_msg {
    const void *data;
    uint32_t len;
} steady_stream_msg;

/* Creates the two channels (BUILDING only). STEADY_EINVAL names the bad option and the fix
 * (a NULL or empty name, a max_message whose frame is over half of max_bytes or over 2^31 - 8
 * bytes, more than 2^40 messages or bytes in flight, a name over 248 bytes), STEADY_ESTATE,
 * STEADY_ENOMEM. Channel names need not be unique (as for channels). tx / rx may be NULL. */
STEADY_API steady_err steady_stream_new(steady_graph *g, const steady_stream_opts *opts,
                                        steady_stream_tx *tx, steady_stream_rx *rx);

/* The whole of steady_stream_try_send, with every check and its error detail; the inline
 * function below calls it whenever its fast path does not apply. Private. */
STEADY_API steady_err steady__stream_send(steady_stream_tx tx, const void *data, size_t len);

/* Copies len bytes in as one message. STEADY_OK, STEADY_EFULL (no room: nothing sent),
 * STEADY_ECLOSED (the consumer is gone), STEADY_EINVAL (len above max_message, a NULL data with
 * len > 0; the detail names both sizes and the fix). Misuse as for channels.
 * Inline: when the caller owns both open ends and the cached room of both rings suffices, the
 * message is framed, copied in and published here (bytes, then the record, as
 * steady__stream_send does); anything else, a room refresh included, is the library's. */
static inline steady_err steady_stream_try_send(steady_stream_tx tx, const void *data, size_t len)
{
    steady_tx *l = tx.lens.raw, *b = tx.bytes.raw;
    if (__builtin_expect(len <= tx.max_message && (data || !len) && steady__tx_open(l) &&
                             steady__tx_open(b),
                         1)) {
        uint64_t tail = b->tail, lt = l->tail, need = STEADY__FRAME_BYTES(len);
        uint64_t to_wrap = b->mask + 1 - (tail & b->mask);
        uint64_t at = to_wrap >= need ? tail : tail + to_wrap; /* never across the wrap */
        if (__builtin_expect(lt < l->limit && at + need <= b->limit, 1)) {
            steady_ring *lr = l->ring, *br = b->ring;
            unsigned char *bytes = b->slots, *frame = bytes + (at & b->mask);
            unsigned char *rec = l->slots + (size_t)(lt & l->mask) * sizeof(steady_stream_rec);
            steady__frame f = {(uint32_t)len, (uint32_t)lt};
            steady_stream_rec r = {at + sizeof f, (uint32_t)len, 0};
            if (at != tail) {
                steady__frame skip = {STEADY__FRAME_SKIP, 0};
                memcpy(bytes + (tail & b->mask), &skip, sizeof skip);
            }
            memcpy(frame, &f, sizeof f);
            if (len)
                memcpy(frame + sizeof f, data, len);
            memcpy(rec, &r, sizeof r);
            steady__tx_publish_ring(b, br, at + need);
            steady__tx_publish_ring(l, lr, lt + 1);
            return STEADY_OK;
        }
    }
    return steady__stream_send(tx, data, len);
}
/* As try_send, waiting for room; STEADY_ESHUTDOWN when shutdown is requested meanwhile (nothing
 * sent), STEADY_ECLOSED, STEADY_EINVAL; STEADY_ENOTOWNER when it would wait outside an actor.
 * Actor's thread. */
STEADY_API steady_err steady_stream_send_wait(steady_actor *a, steady_stream_tx tx,
                                              const void *data, size_t len);
/* Room for one message of len bytes, contiguous, in place; NULL when there is none (full,
 * closed, too big: the detail says which). Nothing is sent until steady_stream_publish. */
STEADY_API void *steady_stream_claim(steady_stream_tx tx, size_t len);
/* As steady_stream_claim, waiting for room: STEADY_OK with the place in *out, or
 * STEADY_ESHUTDOWN (shutdown requested meanwhile), STEADY_ECLOSED (the consumer is gone),
 * STEADY_EINVAL (len above max_message, a NULL end or out), STEADY_ENOTOWNER when it would wait
 * outside an actor; *out is NULL then. Actor's thread. */
STEADY_API steady_err steady_stream_claim_wait(steady_actor *a, steady_stream_tx tx, size_t len,
                                               void **out);
/* Publishes the message claimed with the same len. STEADY_EINVAL (nothing sent) when nothing is
 * claimed or the claim was of another len. */
STEADY_API steady_err steady_stream_publish(steady_stream_tx tx, size_t len);

/* The head message in place. STEADY_OK, STEADY_EEMPTY, STEADY_ECLOSED (closed and drained).
 * Marks the head as peeked (showstopper counting). */
STEADY_API steady_err steady_stream_peek(steady_stream_rx rx, steady_stream_msg *msg);
/* Up to max head messages in place, in order; returns how many. */
STEADY_API size_t steady_stream_peek_batch(steady_stream_rx rx, steady_stream_msg *msgs,
                                           size_t max);
/* Up to max messages in place, in order, starting skip messages past the head (a sender
 * keeping messages in flight until a peer acknowledges them reads past those); returns how many
 * (0 when no more than skip are ready). skip 0 is steady_stream_peek_batch. Marks the head as
 * peeked. */
STEADY_API size_t steady_stream_peek_from(steady_stream_rx rx, size_t skip, steady_stream_msg *msgs,
                                          size_t max);
/* Takes the n head messages (min(n, ready)) with their bytes, in one commit of both channels;
 * returns how many. */
STEADY_API size_t steady_stream_advance_take(steady_stream_rx rx, size_t n);
/* Copies the head message into buf (cap bytes) and takes it; *len receives its length.
 * STEADY_OK, STEADY_EEMPTY, STEADY_ECLOSED, STEADY_EINVAL (cap too small: nothing taken, *len
 * says how much is needed; a NULL buf with cap > 0 or a NULL len). */
STEADY_API steady_err steady_stream_try_take(steady_stream_rx rx, void *buf, size_t cap,
                                             size_t *len);
/* As try_take, waiting for a message; STEADY_ESHUTDOWN, STEADY_ECLOSED. Actor's thread. */
STEADY_API steady_err steady_stream_take_wait(steady_actor *a, steady_stream_rx rx, void *buf,
                                              size_t cap, size_t *len);

/* Closes both channels of the end (idempotent; true, as channel closes). Owner. */
STEADY_API bool steady_stream_tx_close(steady_stream_tx tx);
STEADY_API bool steady_stream_rx_close(steady_stream_rx rx);
/* The producer closed and every message was taken. Owner. */
STEADY_API bool steady_stream_rx_is_closed_and_empty(steady_stream_rx rx);

#ifdef __cplusplus
}
#endif
#endif
