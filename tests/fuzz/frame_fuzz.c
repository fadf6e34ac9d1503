/* frame_fuzz.c — libFuzzer target over steady_frame_decode (steady/bridge_frame.h): no input
 * crashes it, reads past it or is accepted unless it is exactly a frame, and whatever is
 * accepted encodes back to the same bytes; an accepted frame of messages walks to its end. The
 * first input byte picks the expected element size (0: a stream's messages) and whether a type
 * fingerprint is expected; the rest is the frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <steady/bridge_frame.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint32_t sizes[] = {1, 8, 16, 24, 100, STEADY_FRAME_MESSAGES};
    uint32_t elem = sizes[data[0] % 6];
    uint64_t type = data[0] & 0x80 ? 0xfeed : 0;
    /* A copy of exactly the frame's bytes: ASan sees a read past it. */
    uint8_t *frame = malloc(size - 1 ? size - 1 : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 1, size - 1);
    steady_frame f;
    steady_frame_fault fault = steady_frame_decode(frame, size - 1, elem, type, &f);
    if (fault == STEADY_FRAME_OK) {
        size_t want =
            elem ? steady_frame_size(f.elem_size, f.count) : STEADY_FRAME_HEADER + f.bytes;
        if (f.elem_size != elem || want != size - 1 || (type && f.type_id && f.type_id != type) ||
            (const uint8_t *)f.elems != frame + STEADY_FRAME_HEADER)
            abort();
        uint8_t *again = malloc(size - 1);
        if (!again || steady_frame_encode(again, size - 1, &f) != size - 1 ||
            memcmp(again, frame, size - 1) != 0)
            abort();
        free(again);
        size_t at = 0, walked = 0;
        uint32_t len;
        while (steady_frame_message(&f, &at, &len))
            walked++;
        if (elem == STEADY_FRAME_MESSAGES && (walked != f.count || at != f.bytes))
            abort();
    } else if (fault >= STEADY_FRAME_FAULTS || f.elems || f.count) {
        abort();
    }
    free(frame);
    return 0;
}
