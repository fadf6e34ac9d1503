/* core/ipc_stream.c — steady/ipc.h's streams between processes: a stream's two channels, each
 * attached in its own named mapping (ipc.c), tied together as steady_stream_new ties them, and
 * mended at attach from the records as a restarted actor's ends are (frame.c). */
#include "core/internal.h"

#include <stdio.h>

#include "core/frame.h"
#include "steady/ipc.h"
#include "steady/stream.h"

/* The lens mapping's fingerprint: a plain channel of 16-byte elements is not a stream's. */
#define LENS_TYPE UINT64_C(0x5354445953545245) /* "STDYSTRE" */
#define MAX_FRAME ((uint64_t)1 << 31)          /* as stream.c: clear of the frame markers */

/* The largest message a bytes ring of `bytes` holds: its frame at most half the ring. */
static uint32_t largest_message(uint64_t bytes)
{
    uint64_t half = bytes / 2 < MAX_FRAME ? bytes / 2 : MAX_FRAME;
    return half >= 16 ? (uint32_t)((half - 8) & ~(uint64_t)7) : 0;
}

static steady_err check(steady_graph *g, const steady_ipc_stream_opts *o, const void *end,
                        char *lens, char *bytes, const char *fn)
{
    if (!g || !o || !end)
        return steady__fail(STEADY_EINVAL, "%s: graph, opts and the end must not be NULL", fn);
    if (!steady_ipc_name_ok(o->name) || strlen(o->name) > 195)
        return steady__fail(STEADY_EINVAL,
                            "%s: stream name '%s' is not '/NAME' with NAME 1 to 194 of "
                            "A-Z a-z 0-9 . _ - (the mappings are NAME.lens and NAME.bytes)",
                            fn, o->name ? o->name : "(null)");
    if (o->max_bytes && largest_message(o->max_bytes) == 0)
        return steady__fail(STEADY_EINVAL,
                            "%s: stream %s: max_bytes %llu holds no message (a frame takes 8 "
                            "bytes and at most half the ring); give at least 32",
                            fn, o->name, (unsigned long long)o->max_bytes);
    snprintf(lens, 208, "%s.lens", o->name);
    snprintf(bytes, 208, "%s.bytes", o->name);
    return STEADY_OK;
}

/* Attaches both mappings of one side: the bytes first, then the records. */
static steady_err attach_both(steady_graph *g, const steady_ipc_stream_opts *o, const void *end,
                              bool tx_side, void **lens_end, void **bytes_end, const char *fn)
{
    char lens[208], bytes[208];
    steady_err e = check(g, o, end, lens, bytes, fn);
    if (e != STEADY_OK)
        return e;
    steady_ipc_opts bo = {bytes, o->max_bytes, 1, o->type_id};
    steady_ipc_opts lo = {lens, o->max_messages, (uint32_t)sizeof(steady_stream_rec),
                          LENS_TYPE ^ o->type_id};
    e = tx_side ? steady_ipc_tx_attach(g, &bo, (steady_tx **)bytes_end)
                : steady_ipc_rx_attach(g, &bo, (steady_rx **)bytes_end);
    if (e == STEADY_OK)
        e = tx_side ? steady_ipc_tx_attach(g, &lo, (steady_tx **)lens_end)
                    : steady_ipc_rx_attach(g, &lo, (steady_rx **)lens_end);
    return e;
}

steady_err steady_ipc_stream_tx_attach(steady_graph *g, const steady_ipc_stream_opts *o,
                                       steady_stream_tx *tx)
{
    steady_tx *l = NULL, *b = NULL;
    steady_err e =
        attach_both(g, o, tx, true, (void **)&l, (void **)&b, "steady_ipc_stream_tx_attach");
    if (e != STEADY_OK)
        return e;
    b->channel->stream_lens = l->channel;
    steady__stream_mend(b); /* a predecessor killed between its two publishes */
    *tx = (steady_stream_tx){{l}, {b}, largest_message(b->channel->ring->capacity)};
    return STEADY_OK;
}

steady_err steady_ipc_stream_rx_attach(steady_graph *g, const steady_ipc_stream_opts *o,
                                       steady_stream_rx *rx)
{
    steady_rx *l = NULL, *b = NULL;
    steady_err e =
        attach_both(g, o, rx, false, (void **)&l, (void **)&b, "steady_ipc_stream_rx_attach");
    if (e != STEADY_OK)
        return e;
    b->channel->stream_lens = l->channel;
    steady__stream_rx_mend(b); /* a predecessor killed between its two releases */
    *rx = (steady_stream_rx){{l}, {b}};
    return STEADY_OK;
}
