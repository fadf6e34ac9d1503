/* core/frame.h — the frames of a stream's bytes channel (steady/stream.h), below the
 * supervisor: stream.c writes and walks them; the supervisor mends a restarted producer's. */
#ifndef STEADY_CORE_FRAME_H
#define STEADY_CORE_FRAME_H

#include "core/records.h"

/* Writes a frame header {len, seq} at `where` (8 bytes, 8-aligned). */
void steady__frame_put(void *where, uint32_t len, uint32_t seq);

/* Drops the frame of a stream's bytes channel that was published without its record (a
 * producer killed between its two publishes): the tail steps back to the last record's frame's
 * end, so no reader takes it for the next message and its room is free again. `bytes` is the
 * producer's end, rewound to the published tail; a no-op when the bytes end with the last
 * record's frame. The producer is not running (supervisor). */
void steady__stream_mend(steady_tx *bytes);

/* Moves the bytes head of a stream's consumer up to where its records say it is: a consumer
 * killed between its two releases (records, then bytes) left bytes taken but unreleased, room
 * the producer may be waiting for. `bytes` is the consumer's end, rewound to the committed
 * head. The consumer is not running (supervisor); the producer may be. */
void steady__stream_rx_mend(steady_rx *bytes);

#endif
