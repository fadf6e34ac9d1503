/* frame_test.c — steady/bridge_frame.h: what a pod sends is what the other decodes, and every
 * kind of bad frame (truncated, a stranger's bytes, another version, element size or type,
 * extra bytes, unknown flags) is refused with its fault and a detail that says what differed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <steady/bridge_frame.h>

typedef struct reading {
    uint64_t seq;
    double value;
} reading;

static size_t encode_readings(unsigned char *buf, size_t cap, uint32_t n, uint64_t type)
{
    reading r[8];
    for (uint32_t i = 0; i < n; i++)
        r[i] = (reading){.seq = 100 + i, .value = i * 0.5};
    steady_frame f = {
        .elem_size = sizeof(reading), .count = n, .first_seq = 100, .type_id = type, .elems = r};
    return steady_frame_encode(buf, cap, &f);
}

static void a_frame_round_trips_with_every_field(void **state)
{
    (void)state;
    unsigned char buf[512];
    size_t n = encode_readings(buf, sizeof buf, 8, 0xfeed);
    assert_int_equal(n, STEADY_FRAME_HEADER + 8 * sizeof(reading));
    assert_int_equal(n, steady_frame_size(sizeof(reading), 8));
    assert_memory_equal(buf, "STDY", 4);
    steady_frame f;
    assert_int_equal(steady_frame_decode(buf, n, sizeof(reading), 0xfeed, &f), STEADY_FRAME_OK);
    assert_int_equal(f.count, 8);
    assert_int_equal(f.first_seq, 100);
    assert_int_equal(f.type_id, 0xfeed);
    assert_int_equal(f.flags, 0);
    const reading *r = f.elems;
    assert_int_equal(r[7].seq, 107);
    assert_true(r[7].value == 3.5);
    /* a receiver without a fingerprint takes any; a frame without one passes any receiver */
    assert_int_equal(steady_frame_decode(buf, n, sizeof(reading), 0, &f), STEADY_FRAME_OK);
    n = encode_readings(buf, sizeof buf, 2, 0);
    assert_int_equal(steady_frame_decode(buf, n, sizeof(reading), 0xfeed, &f), STEADY_FRAME_OK);
}

static void the_end_of_a_stream_is_an_empty_frame_with_its_flag(void **state)
{
    (void)state;
    unsigned char buf[64];
    steady_frame end = {.elem_size = 8, .count = 0, .first_seq = 5000, .flags = STEADY_FRAME_END};
    size_t n = steady_frame_encode(buf, sizeof buf, &end);
    assert_int_equal(n, STEADY_FRAME_HEADER);
    steady_frame f;
    assert_int_equal(steady_frame_decode(buf, n, 8, 0, &f), STEADY_FRAME_OK);
    assert_int_equal(f.flags, STEADY_FRAME_END);
    assert_int_equal(f.first_seq, 5000);
    assert_int_equal(f.count, 0);
}

static void expect_fault(const unsigned char *buf, size_t n, uint32_t elem, uint64_t type,
                         steady_frame_fault want, const char *detail)
{
    steady_frame f;
    memset(&f, 0x5a, sizeof f);
    assert_int_equal(steady_frame_decode(buf, n, elem, type, &f), want);
    assert_null(f.elems); /* zeroed: nothing to misread */
    assert_int_equal(f.count, 0);
    if (!strstr(steady_last_error(), detail))
        fail_msg("detail '%s' lacks '%s'", steady_last_error(), detail);
}

static void every_bad_frame_is_refused_with_its_fault(void **state)
{
    (void)state;
    unsigned char buf[512], bent[512];
    size_t n = encode_readings(buf, sizeof buf, 4, 0xfeed);
    expect_fault(buf, 10, sizeof(reading), 0, STEADY_FRAME_TRUNCATED,
                 "shorter than a frame header");
    expect_fault(buf, n - 1, sizeof(reading), 0, STEADY_FRAME_TRUNCATED, "its header says");
    memcpy(bent, buf, n);
    bent[n] = 0;
    expect_fault(bent, n + 1, sizeof(reading), 0, STEADY_FRAME_LENGTH, "its header says");
    expect_fault((const unsigned char *)"{\"temp\": 21.5, \"padding\": \"....................\"}",
                 52, sizeof(reading), 0, STEADY_FRAME_MAGIC, "another program publishes");
    memcpy(bent, buf, n);
    bent[4] = 2; /* version 2 */
    expect_fault(bent, n, sizeof(reading), 0, STEADY_FRAME_VERSION_MISMATCH, "format version 2");
    memcpy(bent, buf, n);
    bent[6] = 48; /* a longer header */
    expect_fault(bent, n, sizeof(reading), 0, STEADY_FRAME_VERSION_MISMATCH, "header 48 bytes");
    expect_fault(buf, n, 8, 0, STEADY_FRAME_ELEM_SIZE,
                 "elements of 16 bytes, this channel's are 8");
    expect_fault(buf, n, sizeof(reading), 0xbeef, STEADY_FRAME_TYPE, "type 0xfeed");
    memcpy(bent, buf, n);
    bent[32] = 0x80; /* an unknown flag */
    expect_fault(bent, n, sizeof(reading), 0, STEADY_FRAME_FLAGS, "unknown flags 0x80");
    memcpy(bent, buf, n);
    bent[39] = 1; /* reserved */
    expect_fault(bent, n, sizeof(reading), 0, STEADY_FRAME_FLAGS, "reserved 0x1000000");
    memcpy(bent, buf, n);
    bent[15] = 0xff; /* a count whose payload would pass the end */
    expect_fault(bent, n, sizeof(reading), 0, STEADY_FRAME_TRUNCATED, "its header says");
    expect_fault(NULL, 100, 8, 0, STEADY_FRAME_TRUNCATED, "0 bytes");
    steady_frame f;
    assert_int_equal(steady_frame_decode(buf, n, sizeof(reading), 0, NULL), STEADY_FRAME_TRUNCATED);
    (void)f;
}

static void encoding_refuses_what_it_cannot_write(void **state)
{
    (void)state;
    unsigned char buf[64];
    uint64_t v[8] = {0};
    steady_frame f = {.elem_size = 8, .count = 8, .elems = v};
    assert_int_equal(steady_frame_encode(buf, sizeof buf, &f), 0); /* needs 104 */
    assert_non_null(strstr(steady_last_error(), "needs 104 bytes, the buffer has 64"));
    assert_int_equal(steady_frame_encode(NULL, 64, &f), 0);
    assert_int_equal(steady_frame_encode(buf, 64, NULL), 0);
    f.elem_size = STEADY_FRAME_MESSAGES; /* 0 payload bytes are not 8 messages */
    assert_int_equal(steady_frame_encode(buf, 64, &f), 0);
    assert_non_null(strstr(steady_last_error(), "0 payload bytes are not 8 whole messages"));
    f.bytes = SIZE_MAX; /* a payload no buffer holds */
    assert_int_equal(steady_frame_encode(buf, 64, &f), 0);
    assert_non_null(strstr(steady_last_error(), "needs 0 bytes"));
    f = (steady_frame){.elem_size = 8, .count = 1, .elems = NULL};
    assert_int_equal(steady_frame_encode(buf, 64, &f), 0);
    assert_non_null(strstr(steady_last_error(), "elems is NULL"));
    assert_int_equal(steady_frame_size(0, 1), 0);
    assert_int_equal(steady_frame_size(8, 0), STEADY_FRAME_HEADER);
}

/* Appends a message (its length, then its bytes) at p; returns the bytes written. */
static size_t put_message(unsigned char *p, const char *text)
{
    uint32_t n = (uint32_t)strlen(text);
    unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 24)};
    memcpy(p, len, 4);
    memcpy(p + 4, text, n);
    return 4 + n;
}

/* Variable-size messages (a stream's): three of 5, 0 and 11 bytes round-trip and walk in
 * order; a frame whose lengths do not add up, or of the other kind, is refused. */
static void messages_round_trip_and_bad_lengths_are_refused(void **state)
{
    (void)state;
    unsigned char payload[64], buf[128], bent[128];
    size_t bytes = put_message(payload, "hello");
    bytes += put_message(payload + bytes, "");
    bytes += put_message(payload + bytes, "hello again");
    steady_frame f = {.elem_size = STEADY_FRAME_MESSAGES,
                      .count = 3,
                      .first_seq = 7,
                      .elems = payload,
                      .bytes = bytes};
    size_t n = steady_frame_encode(buf, sizeof buf, &f);
    assert_int_equal(n, STEADY_FRAME_HEADER + 4 + 5 + 4 + 4 + 11);
    steady_frame d;
    assert_int_equal(steady_frame_decode(buf, n, STEADY_FRAME_MESSAGES, 0, &d), STEADY_FRAME_OK);
    assert_int_equal(d.count, 3);
    assert_int_equal(d.first_seq, 7);
    assert_int_equal(d.bytes, bytes);
    const char *want[] = {"hello", "", "hello again"};
    size_t at = 0;
    uint32_t len;
    for (int i = 0; i < 3; i++) {
        const void *m = steady_frame_message(&d, &at, &len);
        assert_non_null(m);
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(m, want[i], len);
    }
    assert_null(steady_frame_message(&d, &at, &len)); /* the end */
    assert_null(steady_frame_message(NULL, &at, &len));
    at = 0;
    assert_null(steady_frame_message(&d, NULL, &len));
    assert_null(steady_frame_message(&d, &at, NULL));
    at = SIZE_MAX;
    assert_null(steady_frame_message(&d, &at, &len));
    steady_frame fixed = {.elem_size = 8, .count = 1, .elems = payload, .bytes = 8};
    at = 0;
    assert_null(steady_frame_message(&fixed, &at, &len)); /* not messages */
    /* the kinds disagree, either way */
    expect_fault(buf, n, 8, 0, STEADY_FRAME_ELEM_SIZE, "variable-size messages (a stream, 0)");
    size_t m8 = steady_frame_encode(bent, sizeof bent,
                                    &(steady_frame){.elem_size = 8, .count = 1, .elems = payload});
    expect_fault(bent, m8, STEADY_FRAME_MESSAGES, 0, STEADY_FRAME_ELEM_SIZE,
                 "elements of 8 bytes where variable-size messages");
    /* a length past the end, a count above what is there, bytes left over, a cut frame */
    memcpy(bent, buf, n);
    bent[STEADY_FRAME_HEADER] = 200;
    expect_fault(bent, n, STEADY_FRAME_MESSAGES, 0, STEADY_FRAME_LENGTH,
                 "not the 3 whole messages");
    memcpy(bent, buf, n);
    bent[12] = 4;
    expect_fault(bent, n, STEADY_FRAME_MESSAGES, 0, STEADY_FRAME_LENGTH, "not the 4 whole");
    memcpy(bent, buf, n);
    bent[12] = 2;
    expect_fault(bent, n, STEADY_FRAME_MESSAGES, 0, STEADY_FRAME_LENGTH, "not the 2 whole");
    expect_fault(buf, n - 1, STEADY_FRAME_MESSAGES, 0, STEADY_FRAME_LENGTH, "not the 3 whole");
    /* an end of a stream of messages: no payload */
    size_t e = steady_frame_encode(
        bent, sizeof bent,
        &(steady_frame){.elem_size = 0, .first_seq = 3, .flags = STEADY_FRAME_END});
    assert_int_equal(e, STEADY_FRAME_HEADER);
    assert_int_equal(steady_frame_decode(bent, e, 0, 0, &d), STEADY_FRAME_OK);
    assert_int_equal(d.flags, STEADY_FRAME_END);
    /* the encoder refuses a payload that is not count whole messages */
    f.count = 4;
    assert_int_equal(steady_frame_encode(buf, sizeof buf, &f), 0);
    assert_non_null(strstr(steady_last_error(), "are not 4 whole messages"));
}

static void fault_names_cover_every_fault(void **state)
{
    (void)state;
    for (int k = 0; k < STEADY_FRAME_FAULTS; k++)
        assert_string_not_equal(steady_frame_fault_name((steady_frame_fault)k), "?");
    assert_string_equal(steady_frame_fault_name(STEADY_FRAME_FAULTS), "?");
    assert_string_equal(steady_frame_fault_name((steady_frame_fault)-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_frame_round_trips_with_every_field),
        cmocka_unit_test(the_end_of_a_stream_is_an_empty_frame_with_its_flag),
        cmocka_unit_test(every_bad_frame_is_refused_with_its_fault),
        cmocka_unit_test(encoding_refuses_what_it_cannot_write),
        cmocka_unit_test(messages_round_trip_and_bad_lengths_are_refused),
        cmocka_unit_test(fault_names_cover_every_fault),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
