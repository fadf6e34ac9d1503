/* bridge/frame.c — the frame format of steady/bridge_frame.h: encode and a decoder that
 * refuses whatever is not exactly a frame of the expected shape. The header is read and written
 * byte by byte, little-endian, so neither alignment nor the host's order matters. */
#include <steady/bridge_frame.h>

#include <stdbool.h>
#include <string.h>

#define MAGIC "STDY"
#define STR_(x) #x
#define STR(x) STR_(x)
#define KNOWN_FLAGS STEADY_FRAME_END

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

size_t steady_frame_size(uint32_t elem_size, uint32_t count)
{
    if (elem_size == 0 || (uint64_t)elem_size * count > SIZE_MAX - STEADY_FRAME_HEADER)
        return 0;
    return STEADY_FRAME_HEADER + (size_t)elem_size * count;
}

/* True when the n bytes at p are exactly count messages (each a length, then its bytes). */
static bool whole_messages(const unsigned char *p, size_t n, uint32_t count)
{
    size_t at = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (n - at < STEADY_FRAME_PREFIX)
            return false;
        uint32_t len = get32(p + at);
        at += STEADY_FRAME_PREFIX;
        if (n - at < len)
            return false;
        at += len;
    }
    return at == n;
}

/* The bytes of f's frame; 0 when it cannot be one (the detail set). */
static size_t encoded_size(const steady_frame *f, size_t cap)
{
    bool msgs = f->elem_size == STEADY_FRAME_MESSAGES;
    size_t n =
        msgs ? (f->bytes <= SIZE_MAX - STEADY_FRAME_HEADER ? STEADY_FRAME_HEADER + f->bytes : 0)
             : steady_frame_size(f->elem_size, f->count);
    if (n == 0 || cap < n) {
        steady_error_set(STEADY_EINVAL,
                         "steady_frame_encode: a frame of %u %s needs %zu bytes, the buffer has "
                         "%zu; give a buffer of the header and the payload",
                         f->count, msgs ? "messages" : "elements", n, cap);
        return 0;
    }
    if (msgs && !whole_messages(f->elems, f->bytes, f->count)) {
        steady_error_set(STEADY_EINVAL,
                         "steady_frame_encode: %zu payload bytes are not %u whole messages (each "
                         "a 4-byte little-endian length, then its bytes)",
                         f->bytes, f->count);
        return 0;
    }
    return n;
}

size_t steady_frame_encode(void *buf, size_t cap, const steady_frame *f)
{
    if (!buf || !f || (!f->elems && f->count)) {
        steady_error_set(STEADY_EINVAL, "steady_frame_encode: %s",
                         !buf || !f ? "buf and f must not be NULL"
                                    : "elems is NULL with a count above 0");
        return 0;
    }
    size_t n = encoded_size(f, cap);
    if (n == 0)
        return 0;
    unsigned char *p = buf;
    memcpy(p, MAGIC, 4);
    put16(p + 4, STEADY_FRAME_VERSION);
    put16(p + 6, STEADY_FRAME_HEADER);
    put32(p + 8, f->elem_size);
    put32(p + 12, f->count);
    put64(p + 16, f->first_seq);
    put64(p + 24, f->type_id);
    put32(p + 32, f->flags);
    put32(p + 36, 0);
    if (n > STEADY_FRAME_HEADER && f->elems != p + STEADY_FRAME_HEADER) /* in place: no copy */
        memcpy(p + STEADY_FRAME_HEADER, f->elems, n - STEADY_FRAME_HEADER);
    return n;
}

static steady_frame_fault refuse(steady_frame *out, steady_frame_fault fault, const char *fmt,
                                 unsigned long long a, unsigned long long b)
{
    if (out)
        memset(out, 0, sizeof *out);
    steady_error_set(STEADY_EINVAL, fmt, a, b);
    return fault;
}

/* The header's own checks: what it is and whether this reader can read it. */
static steady_frame_fault check_header(const unsigned char *p, size_t len, steady_frame *out)
{
    if (!p || !out || len < STEADY_FRAME_HEADER)
        return refuse(out, STEADY_FRAME_TRUNCATED,
                      "frame refused: %llu bytes, shorter than a frame header (%llu)",
                      (unsigned long long)(p ? len : 0), STEADY_FRAME_HEADER);
    if (memcmp(p, MAGIC, 4) != 0)
        return refuse(out, STEADY_FRAME_MAGIC,
                      "frame refused: not a steady frame (first bytes %#llx; %llu bytes): "
                      "another program publishes on this subject",
                      get32(p), (unsigned long long)len);
    if (get16(p + 4) != STEADY_FRAME_VERSION || get16(p + 6) != STEADY_FRAME_HEADER)
        return refuse(
            out, STEADY_FRAME_VERSION_MISMATCH,
            "frame refused: format version %llu (header %llu bytes); this pod reads "
            "version " STR(STEADY_FRAME_VERSION) " only: run the same steady on both pods",
            get16(p + 4), get16(p + 6));
    if ((get32(p + 32) & ~KNOWN_FLAGS) || get32(p + 36))
        return refuse(out, STEADY_FRAME_FLAGS,
                      "frame refused: unknown flags %#llx (reserved %#llx) for this version",
                      get32(p + 32), get32(p + 36));
    return STEADY_FRAME_OK;
}

steady_frame_fault steady_frame_decode(const void *buf, size_t len, uint32_t elem_size,
                                       uint64_t type_id, steady_frame *out)
{
    const unsigned char *p = buf;
    steady_frame_fault fault = check_header(p, len, out);
    if (fault != STEADY_FRAME_OK)
        return fault;
    uint32_t size = get32(p + 8), count = get32(p + 12);
    uint64_t type = get64(p + 24);
    if (size != elem_size && size == STEADY_FRAME_MESSAGES)
        return refuse(out, STEADY_FRAME_ELEM_SIZE,
                      "frame refused: variable-size messages (a stream, %llu) where elements of "
                      "%llu bytes are expected: the pods disagree about the message type",
                      size, elem_size);
    if (size != elem_size && elem_size == STEADY_FRAME_MESSAGES)
        return refuse(out, STEADY_FRAME_ELEM_SIZE,
                      "frame refused: elements of %llu bytes where variable-size messages (a "
                      "stream, %llu) are expected: the pods disagree about the message type",
                      size, elem_size);
    if (size != elem_size)
        return refuse(out, STEADY_FRAME_ELEM_SIZE,
                      "frame refused: elements of %llu bytes, this channel's are %llu: the pods "
                      "disagree about the message type",
                      size, elem_size);
    if (type_id && type && type != type_id)
        return refuse(out, STEADY_FRAME_TYPE,
                      "frame refused: type %#llx, this channel carries %#llx: the pods disagree "
                      "about the message type",
                      (unsigned long long)type, (unsigned long long)type_id);
    size_t bytes = len - STEADY_FRAME_HEADER;
    if (size == STEADY_FRAME_MESSAGES) {
        if (!whole_messages(p + STEADY_FRAME_HEADER, bytes, count))
            return refuse(out, STEADY_FRAME_LENGTH,
                          "frame refused: its %llu payload bytes are not the %llu whole "
                          "messages its header says",
                          (unsigned long long)bytes, count);
    } else {
        size_t want = steady_frame_size(size, count);
        if (want == 0 || want != len)
            return refuse(out,
                          want > len || want == 0 ? STEADY_FRAME_TRUNCATED : STEADY_FRAME_LENGTH,
                          "frame refused: %llu bytes, its header says %llu",
                          (unsigned long long)len, (unsigned long long)want);
    }
    *out = (steady_frame){.elem_size = size,
                          .count = count,
                          .first_seq = get64(p + 16),
                          .type_id = type,
                          .flags = get32(p + 32),
                          .elems = p + STEADY_FRAME_HEADER,
                          .bytes = bytes};
    return STEADY_FRAME_OK;
}

const void *steady_frame_message(const steady_frame *f, size_t *at, uint32_t *len)
{
    if (!f || !at || !len || f->elem_size != STEADY_FRAME_MESSAGES || !f->elems ||
        *at >= f->bytes || f->bytes - *at < STEADY_FRAME_PREFIX)
        return NULL;
    const unsigned char *p = (const unsigned char *)f->elems + *at;
    uint32_t n = get32(p);
    if (f->bytes - *at - STEADY_FRAME_PREFIX < n)
        return NULL;
    *len = n;
    *at += STEADY_FRAME_PREFIX + n;
    return p + STEADY_FRAME_PREFIX;
}

const char *steady_frame_fault_name(steady_frame_fault fault)
{
    switch (fault) {
    case STEADY_FRAME_OK: return "ok";
    case STEADY_FRAME_TRUNCATED: return "truncated";
    case STEADY_FRAME_MAGIC: return "not a steady frame";
    case STEADY_FRAME_VERSION_MISMATCH: return "another format version";
    case STEADY_FRAME_ELEM_SIZE: return "another element size";
    case STEADY_FRAME_TYPE: return "another message type";
    case STEADY_FRAME_LENGTH: return "wrong length";
    case STEADY_FRAME_FLAGS: return "unknown flags";
    case STEADY_FRAME_TOO_LARGE: return "message too large";
    case STEADY_FRAME_FAULTS: break;
    }
    return "?";
}
