/* placement_choose_test.c — lesson 02B's choice of placement from the figures measured at start
 * (examples/lesson-02b-performant/placement.h), for machines of every class: a developer's
 * machine shows only one, so the figures here are injected. The first two cases are the two
 * machines of issue 10: an AMD EPYC 2-vCPU VM (far hand-offs, one troupe fastest) and an Intel
 * Xeon 2-vCPU VM (the pipeline spread over both cores ~2.5x faster). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpu_probe.h"
#include "placement.h"

static placement choose(double handoff, double troupe, double split, double original, char *why,
                        size_t len)
{
    placement_figures f = {
        .handoff_ns = handoff, .mps = {troupe, split, original}, .window_ms = 10, .windows = 2};
    return placement_choose(&f, why, len);
}

static void amd_far_machine_keeps_one_troupe(void **state)
{
    (void)state;
    char why[400];
    /* docs/PERFORMANCE.md's lesson 02B medians on the project's machine, probe ~200 ns */
    assert_int_equal(choose(205, 793, 493, 776, why, sizeof why), PLACE_TROUPE);
    assert_non_null(strstr(why, "troupe: the fastest"));
    assert_non_null(
        strstr(why, "troupe 793, split 493, original 776 M msg/s (median of 2 runs of 10 ms)"));
    /* as the lesson measures it: split not calibrated */
    assert_int_equal(choose(205, 793, 0, 776, why, sizeof why), PLACE_TROUPE);
    assert_non_null(strstr(why, "; calibration troupe 793, original 776 M msg/s (median of 2"));
    assert_non_null(strstr(why, "cpu0<->cpu1 hand-off 205 ns (far)"));
}

static void intel_machine_spreads_the_pipeline_over_both_cores(void **state)
{
    (void)state;
    char why[400];
    /* issue 10: original ~700 M msg/s, troupe 250-300 on an Intel Xeon 2-vCPU VM */
    assert_int_equal(choose(38, 270, 480, 700, why, sizeof why), PLACE_ORIGINAL);
    assert_non_null(strstr(why, "original: the fastest"));
    assert_non_null(strstr(why, "hand-off 38 ns (near)"));
    /* the same with split ahead */
    assert_int_equal(choose(38, 270, 720, 700, why, sizeof why), PLACE_SPLIT);
    /* a mixed probe reading changes nothing: the calibration decides */
    assert_int_equal(choose(90, 270, 480, 700, why, sizeof why), PLACE_ORIGINAL);
    assert_non_null(strstr(why, "(mixed)"));
}

static void a_near_tie_goes_to_fewer_threads(void **state)
{
    (void)state;
    char why[400];
    /* original 3 % ahead of troupe: within the margin, troupe's one thread wins */
    assert_int_equal(choose(200, 780, 500, 803, why, sizeof why), PLACE_TROUPE);
    assert_non_null(strstr(why, "troupe: within 5% of original (780 vs 803 M msg/s) with 1 "
                                "thread instead of 3"));
    /* split within the margin of original, troupe not: split */
    assert_int_equal(choose(40, 600, 790, 803, why, sizeof why), PLACE_SPLIT);
    assert_non_null(strstr(why, "with 2 threads instead of 3"));
    /* beyond the margin (7 % ahead): the faster one */
    assert_int_equal(choose(200, 750, 500, 803, why, sizeof why), PLACE_ORIGINAL);
    /* exactly at the margin's edge counts as within */
    assert_int_equal(choose(200, 950, 0, 1000, why, sizeof why), PLACE_TROUPE);
}

static void unmeasured_figures_are_ignored(void **state)
{
    (void)state;
    char why[400];
    /* split not run, original failed (0): troupe, and only troupe's figure is listed */
    assert_int_equal(choose(-1, 500, 0, 0, why, sizeof why), PLACE_TROUPE);
    assert_non_null(strstr(why, "; calibration troupe 500 M msg/s (median of 2 runs of 10 ms); "
                                "cpu0<->cpu1 hand-off not probed"));
    assert_null(strstr(why, "split"));
    /* NaN, infinity and negative figures count as not measured */
    assert_int_equal(choose(200, NAN, -5, 300, why, sizeof why), PLACE_ORIGINAL);
    assert_int_equal(choose(200, INFINITY, 100, 300, why, sizeof why), PLACE_ORIGINAL);
}

static void nothing_measured_means_troupe_with_the_reason(void **state)
{
    (void)state;
    char why[400];
    assert_int_equal(choose(-1, 0, 0, 0, why, sizeof why), PLACE_TROUPE);
    assert_non_null(strstr(why, "troupe: nothing was calibrated"));
    assert_non_null(strstr(why, "needs one core; cpu0<->cpu1 hand-off not probed"));
}

static void the_reason_is_truncated_safely(void **state)
{
    (void)state;
    char why[24];
    memset(why, 'x', sizeof why);
    assert_int_equal(choose(205, 793, 493, 776, why, sizeof why), PLACE_TROUPE);
    assert_int_equal(strlen(why), sizeof why - 1);
    assert_int_equal(strncmp(why, "troupe: the fastest; ca", sizeof why - 1), 0);
    char one[1] = {'x'};
    assert_int_equal(choose(38, 270, 480, 700, one, sizeof one), PLACE_ORIGINAL);
    assert_int_equal(one[0], '\0');
}

static void the_probe_measures_when_cpu0_and_cpu1_are_usable(void **state)
{
    (void)state;
    double ns = cpu_probe_handoff_ns();
    if (cpu_probe_has_cpu0_and_cpu1()) {
        assert_true(isfinite(ns) && ns > 0);
        assert_true(strcmp(placement_handoff_class(ns), "not probed") != 0);
    } else {
        assert_true(ns < 0);
    }
    assert_true(cpu_probe_usable_cpus() >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amd_far_machine_keeps_one_troupe),
        cmocka_unit_test(intel_machine_spreads_the_pipeline_over_both_cores),
        cmocka_unit_test(a_near_tie_goes_to_fewer_threads),
        cmocka_unit_test(unmeasured_figures_are_ignored),
        cmocka_unit_test(nothing_measured_means_troupe_with_the_reason),
        cmocka_unit_test(the_reason_is_truncated_safely),
        cmocka_unit_test(the_probe_measures_when_cpu0_and_cpu1_are_usable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
