/* steady/bridge_frame.h — the frame format bridges carry between pods (libsteady-bridge).
 *
 * A frame carries `count` fixed-size elements of one channel, numbered first_seq ...
 * first_seq + count - 1 in the stream, after a 40-byte header (all fields little-endian):
 *
 *   offset  size  field
 *        0     4  magic "STDY"
 *        4     2  format version (STEADY_FRAME_VERSION)
 *        6     2  header bytes (40; a later version may grow it, an older reader refuses)
 *        8     4  element size in bytes
 *       12     4  element count
 *       16     8  sequence number of the first element
 *       24     8  type fingerprint (0: the sender did not give one)
 *       32     4  flags: STEADY_FRAME_END (the producer closed: the last frame of the stream)
 *       36     4  reserved, 0
 *       40        count x element size bytes of elements, as the channel holds them
 *
 * A stream's variable-size messages (steady/stream.h) travel in frames of element size 0
 * (STEADY_FRAME_MESSAGES): the payload is `count` messages, each a 4-byte little-endian length
 * and then that many bytes, one after another with nothing between them, and the frame ends
 * where the last one does. Sequence numbers count messages.
 *
 * A receiver decodes against what it expects (its element size and, if it has one, its type
 * fingerprint), so a pod built with another message type, an older format, a truncated or
 * padded frame or a stranger's message on the subject is refused with a reason, never misread.
 * Elements travel in the sender's byte order and layout: both pods run on one architecture.
 *
 * Thread-safety: the functions keep no state; any thread.
 */
#ifndef STEADY_BRIDGE_FRAME_H
#define STEADY_BRIDGE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STEADY_FRAME_VERSION 1
#define STEADY_FRAME_HEADER 40   /* bytes before the elements */
#define STEADY_FRAME_END 1u      /* flag: the producer's close; count may be 0 */
#define STEADY_FRAME_MESSAGES 0u /* element size of a frame of variable-size messages */
#define STEADY_FRAME_PREFIX 4u   /* bytes of a message's length before its bytes */

typedef struct steady_frame {
    uint32_t elem_size;
    uint32_t count;
    uint64_t first_seq;
    uint64_t type_id;
    uint32_t flags;
    const void *elems; /* the payload; decode: points into the decoded buffer */
    /* The payload's bytes: count x elem_size, or for messages (elem_size 0) their lengths and
     * bytes. Encode reads it only for messages; decode sets it. */
    size_t bytes;
} steady_frame;

/* Why a frame was refused (steady_frame_decode), for counters; STEADY_FRAME_OK is 0. */
typedef enum steady_frame_fault {
    STEADY_FRAME_OK = 0,
    STEADY_FRAME_TRUNCATED,        /* shorter than its header says, or than a header */
    STEADY_FRAME_MAGIC,            /* not a steady frame (a stranger's message on the subject) */
    STEADY_FRAME_VERSION_MISMATCH, /* another format version, or a header size it cannot read */
    STEADY_FRAME_ELEM_SIZE,        /* elements of another size than the receiver's channel */
    STEADY_FRAME_TYPE,             /* another type fingerprint (both given) */
    STEADY_FRAME_LENGTH,           /* the bytes after the header are not count x element size */
    STEADY_FRAME_FLAGS,            /* unknown flags, or a reserved field not 0 */
    STEADY_FRAME_TOO_LARGE,        /* a message larger than the receiving stream takes */
    STEADY_FRAME_FAULTS            /* the number of faults, for counter arrays */
} steady_frame_fault;

/* Bytes of a frame of `count` elements of `elem_size`: header + payload; 0 when it would not
 * fit a size_t (or elem_size is 0). */
STEADY_API size_t steady_frame_size(uint32_t elem_size, uint32_t count);

/* Writes f (header, then its payload from f->elems: count x elem_size bytes, or for messages
 * f->bytes) into buf; a payload that already lies at buf + STEADY_FRAME_HEADER (f->elems
 * pointing there) is left in place, so a sender can write it straight into the frame. Returns
 * the bytes written, or 0 with a STEADY_EINVAL detail when f or buf is NULL, elems is NULL with
 * count > 0, cap is smaller than the frame, or a messages payload is not count whole messages. */
STEADY_API size_t steady_frame_encode(void *buf, size_t cap, const steady_frame *f);

/* Reads the frame of len bytes at buf, expecting elements of elem_size (STEADY_FRAME_MESSAGES:
 * a stream's messages, each checked to lie whole inside the frame) and, when type_id is
 * not 0, that fingerprint (a frame without one is accepted). On STEADY_FRAME_OK *out describes
 * it, its elems pointing into buf; otherwise *out is zeroed and steady_last_error() says what
 * was wrong (STEADY_EINVAL). NULL buf (with len > 0) or out: STEADY_FRAME_TRUNCATED. */
STEADY_API steady_frame_fault steady_frame_decode(const void *buf, size_t len, uint32_t elem_size,
                                                  uint64_t type_id, steady_frame *out);

/* The message at offset *at of a decoded messages frame's payload (start with *at = 0): its
 * bytes, with *len its length, and *at moved past it; NULL at the payload's end (or for NULL
 * arguments, or a frame of fixed-size elements). Any frame steady_frame_decode accepted walks
 * safely. */
STEADY_API const void *steady_frame_message(const steady_frame *f, size_t *at, uint32_t *len);

/* A short English name of a fault ("truncated", "not a steady frame", ...); never NULL. */
STEADY_API const char *steady_frame_fault_name(steady_frame_fault fault);

#ifdef __cplusplus
}
#endif
#endif
