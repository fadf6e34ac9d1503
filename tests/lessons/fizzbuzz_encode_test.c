/* fizzbuzz_encode_test.c — lesson 02B's batch encoder equals the per-value definition for any
 * input: consecutive runs (the fast path), a break in the middle of a run, and random values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lesson02b.h"

static void check(const uint64_t *in, size_t n)
{
    uint64_t out[600];
    fizzbuzz_encode_batch(NULL, in, out, n);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = in[i] & FB_VALUE_MASK;
        uint64_t kind = out[i] >> FB_KIND_SHIFT;
        assert_int_equal(out[i] & FB_VALUE_MASK, v);
        assert_int_equal(kind & 1, v % 3 == 0);
        assert_int_equal(kind >> 1, v % 5 == 0);
    }
}

static void consecutive_values_from_any_start_encode_exactly(void **state)
{
    (void)state;
    uint64_t in[600];
    for (uint64_t start = 0; start < 40; start++) {
        for (size_t i = 0; i < 600; i++)
            in[i] = start * 1000003u + i;
        for (size_t n = 0; n <= 600; n += 37)
            check(in, n);
    }
}

static void a_break_in_the_sequence_falls_back_value_by_value(void **state)
{
    (void)state;
    uint64_t in[600];
    for (size_t i = 0; i < 600; i++)
        in[i] = 7 + i + (i >= 101 ? 5 : 0); /* a jump inside the seventh run of 15 */
    check(in, 600);
}

static void in_place_with_a_break_encodes_exactly(void **state)
{
    (void)state;
    uint64_t buf[600], copy[600];
    for (size_t i = 0; i < 600; i++)
        copy[i] = buf[i] = 30 + i + (i >= 250 ? 1 : 0);
    fizzbuzz_encode_batch(NULL, buf, buf, 600); /* the double-buffer worker's in-place call */
    for (size_t i = 0; i < 600; i++)
        assert_int_equal(buf[i], fizzbuzz_encode(copy[i]));
}

static void random_values_encode_exactly(void **state)
{
    (void)state;
    uint64_t in[600], x = 88172645463325252u;
    for (size_t i = 0; i < 600; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        in[i] = x & FB_VALUE_MASK;
    }
    check(in, 600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consecutive_values_from_any_start_encode_exactly),
        cmocka_unit_test(a_break_in_the_sequence_falls_back_value_by_value),
        cmocka_unit_test(in_place_with_a_break_encodes_exactly),
        cmocka_unit_test(random_values_encode_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
