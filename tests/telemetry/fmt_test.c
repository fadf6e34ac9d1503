/* fmt_test.c — specification of the renderers' shared formatting (src/telemetry/fmt.h): counts
 * and rates with K/M/G suffixes, seconds in the unit that fits, percentages, machine numbers
 * (JSON null and Prometheus NaN for what is not finite), wire names, and UTF-8 repair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "telemetry/fmt.h"
#include "telemetry/lint.h"

static void counts_keep_three_digits_and_a_suffix(void **state)
{
    (void)state;
    char s[TM_FMT_LEN];
    assert_string_equal(tm_fmt_count(s, 0), "0");
    assert_string_equal(tm_fmt_count(s, -0.0), "0");
    assert_string_equal(tm_fmt_count(s, 7), "7");
    assert_string_equal(tm_fmt_count(s, 0.25), "0.25");
    assert_string_equal(tm_fmt_count(s, 999), "999");
    assert_string_equal(tm_fmt_count(s, 999.7), "1K"); /* never "1e+03" */
    assert_string_equal(tm_fmt_count(s, 12345), "12.3K");
    assert_string_equal(tm_fmt_count(s, 123456), "123K");
    assert_string_equal(tm_fmt_count(s, 4.5e6), "4.5M");
    assert_string_equal(tm_fmt_count(s, 64e9), "64G");
    assert_string_equal(tm_fmt_count(s, 2e12), "2T");
    assert_string_equal(tm_fmt_count(s, 3e15), "3P");
    assert_string_equal(tm_fmt_count(s, -1500), "-1.5K");
    assert_string_equal(tm_fmt_count(s, NAN), "-");
    assert_string_equal(tm_fmt_count(s, INFINITY), "-");
}

static void seconds_take_the_unit_that_fits(void **state)
{
    (void)state;
    char s[TM_FMT_LEN];
    assert_string_equal(tm_fmt_seconds(s, 0), "0s");
    assert_string_equal(tm_fmt_seconds(s, 340e-9), "340ns");
    assert_string_equal(tm_fmt_seconds(s, 45.1e-6), "45.1µs");
    assert_string_equal(tm_fmt_seconds(s, 0.0201), "20.1ms");
    assert_string_equal(tm_fmt_seconds(s, 0.0009997), "1ms");
    assert_string_equal(tm_fmt_seconds(s, 1.5), "1.5s");
    assert_string_equal(tm_fmt_seconds(s, 150), "2.5min");
    assert_string_equal(tm_fmt_seconds(s, 3 * 3600), "3h");
    assert_string_equal(tm_fmt_seconds(s, -1), "-");
    assert_string_equal(tm_fmt_seconds(s, NAN), "-");
}

static void percentages_are_whole_and_small_ones_say_so(void **state)
{
    (void)state;
    char s[TM_FMT_LEN];
    assert_string_equal(tm_fmt_pct(s, 0), "0%");
    assert_string_equal(tm_fmt_pct(s, 0.001), "<1%");
    assert_string_equal(tm_fmt_pct(s, 0.456), "46%");
    assert_string_equal(tm_fmt_pct(s, 1), "100%");
    assert_string_equal(tm_fmt_pct(s, NAN), "-");
}

static void machine_numbers_are_exact_and_never_nan_in_json(void **state)
{
    (void)state;
    tm_buf b = {0};
    const double v[] = {0, -0.0, 12.8, 0.0201, 123456789012345, 1e-9, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tm_put_json_num(&b, v[i]);
        tm_buf_puts(&b, " ");
    }
    assert_string_equal(b.data, "0 0 12.8 0.0201 123456789012345 1e-09 null null null ");
    tm_buf_reset(&b);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tm_put_prom_num(&b, v[i]);
        tm_buf_puts(&b, " ");
    }
    assert_string_equal(b.data, "0 0 12.8 0.0201 123456789012345 1e-09 NaN +Inf -Inf ");
    tm_buf_free(&b);
}

static void wire_names_are_lower_snake_case(void **state)
{
    (void)state;
    assert_string_equal(tm_color_name(TM_COLOR_ORANGE), "orange");
    assert_string_equal(tm_color_dot(TM_COLOR_ORANGE), "orange");
    assert_string_equal(tm_color_dot(TM_COLOR_YELLOW), "yellow");
    assert_int_equal(tm_color_level(TM_COLOR_RED), 4);
    assert_string_equal(tm_phase_name(STEADY_ACTOR_NOT_STARTED), "not_started");
    assert_string_equal(tm_state_name(STEADY_GRAPH_STOPPED_UNCLEANLY), "stopped_uncleanly");
    assert_string_equal(tm_placement_name(STEADY_PLACEMENT_ISOLATED), "isolated");
    assert_string_equal(tm_lint_name(TM_LINT_LOST_WAKEUP), "lost_wakeup");
    assert_null(tm_lint_name(3));
}

static void text_is_made_valid_utf8_before_escaping(void **state)
{
    (void)state;
    tm_buf b = {0};
    /* valid 2-, 3- and 4-byte sequences; a stray continuation, a truncated sequence, an
     * overlong '/', a surrogate */
    tm_put_text(&b, "ü漢😀 \x80 \xe6\xbc \xc0\xaf \xed\xa0\x80 \"q\"\n", tm_buf_json_str);
    assert_string_equal(b.data, "ü漢😀 ? ?? ?? ??? \\\"q\\\"\\u000a");
    tm_buf_reset(&b);
    char longer[2000];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    tm_put_text(&b, longer, tm_buf_dot_str);
    assert_int_equal(b.len, sizeof longer - 1);
    tm_put_text(&b, NULL, tm_buf_dot_str);
    assert_int_equal(b.len, sizeof longer - 1);
    tm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_keep_three_digits_and_a_suffix),
        cmocka_unit_test(seconds_take_the_unit_that_fits),
        cmocka_unit_test(percentages_are_whole_and_small_ones_say_so),
        cmocka_unit_test(machine_numbers_are_exact_and_never_nan_in_json),
        cmocka_unit_test(wire_names_are_lower_snake_case),
        cmocka_unit_test(text_is_made_valid_utf8_before_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
