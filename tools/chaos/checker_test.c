/* checker_test.c — the chaos checker counts every gap, duplicate and late arrival, and
 * deduplicates nothing: it is the oracle of steady-chaos, so it is tested on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "checker.h"

static chaos_checker feed(uint64_t expected, const uint64_t *seqs, size_t n)
{
    chaos_checker c;
    assert_true(chaos_checker_init(&c, expected));
    for (size_t i = 0; i < n; i++)
        chaos_checker_see(&c, seqs[i], true);
    chaos_checker_finish(&c);
    chaos_checker_free(&c);
    return c;
}

static void in_order_stream_counts_nothing(void **state)
{
    (void)state;
    uint64_t s[200];
    for (uint64_t i = 0; i < 200; i++)
        s[i] = i;
    chaos_checker c = feed(200, s, 200);
    assert_int_equal(c.lost, 0);
    assert_int_equal(c.duplicated, 0);
    assert_int_equal(c.reordered, 0);
    assert_int_equal(c.corrupt, 0);
    assert_int_equal(c.arrivals, 200);
}

static void gap_is_counted_as_lost(void **state)
{
    (void)state;
    const uint64_t s[] = {0, 1, 2, 5, 6, 7}; /* 3 and 4 never arrive */
    chaos_checker c = feed(8, s, 6);
    assert_int_equal(c.lost, 2);
    assert_int_equal(c.duplicated, 0);
    assert_int_equal(c.reordered, 0);
}

static void duplicate_is_counted_every_time_it_arrives(void **state)
{
    (void)state;
    const uint64_t s[] = {0, 1, 1, 2, 2, 2, 3}; /* 1 twice, 2 three times */
    chaos_checker c = feed(4, s, 7);
    assert_int_equal(c.duplicated, 3);
    assert_int_equal(c.lost, 0);
    assert_int_equal(c.reordered, 0); /* a repeat is a duplicate, not a late first arrival */
}

static void late_first_arrival_is_counted_as_reordered(void **state)
{
    (void)state;
    const uint64_t s[] = {0, 2, 1, 3, 5, 4, 4}; /* 1 after 2, 4 after 5, then 4 again */
    chaos_checker c = feed(6, s, 7);
    assert_int_equal(c.reordered, 2);
    assert_int_equal(c.duplicated, 1);
    assert_int_equal(c.lost, 0);
}

static void gap_and_duplicate_together_are_both_counted(void **state)
{
    (void)state;
    const uint64_t s[] = {0, 1, 2, 4, 4, 5}; /* 3 missing, 4 twice: counts do not cancel */
    chaos_checker c = feed(6, s, 6);
    assert_int_equal(c.lost, 1);
    assert_int_equal(c.duplicated, 1);
    assert_int_equal(c.arrivals, 6); /* as many arrivals as expected, yet both are caught */
}

static void out_of_range_and_damaged_arrivals_are_corrupt(void **state)
{
    (void)state;
    chaos_checker c;
    assert_true(chaos_checker_init(&c, 4));
    chaos_checker_see(&c, 0, true);
    chaos_checker_see(&c, 4, true);          /* out of range */
    chaos_checker_see(&c, UINT64_MAX, true); /* the poison of an unpublished slot */
    chaos_checker_see(&c, 1, false);         /* damaged payload: not entered, so 1 is lost */
    chaos_checker_finish(&c);
    chaos_checker_free(&c);
    assert_int_equal(c.corrupt, 3);
    assert_int_equal(c.lost, 3);
}

static void self_test_passes(void **state)
{
    (void)state;
    char text[512];
    assert_true(chaos_checker_self_test(text, sizeof text));
    assert_non_null(strstr(text, "lost: 1"));
    assert_non_null(strstr(text, "duplicated: 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_order_stream_counts_nothing),
        cmocka_unit_test(gap_is_counted_as_lost),
        cmocka_unit_test(duplicate_is_counted_every_time_it_arrives),
        cmocka_unit_test(late_first_arrival_is_counted_as_reordered),
        cmocka_unit_test(gap_and_duplicate_together_are_both_counted),
        cmocka_unit_test(out_of_range_and_damaged_arrivals_are_corrupt),
        cmocka_unit_test(self_test_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
