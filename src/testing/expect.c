/* testing/expect.c — expectations on what a drain took, each saying what differed, and the
 * calling thread's failure message. */
#include <stdio.h>
#include <string.h>

#include "testing/kit.h"

static _Thread_local char failure[16384]; /* a search's message holds a trace */

bool kit_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(failure, sizeof failure, fmt, ap);
    va_end(ap);
    uint64_t seed = kit_current_seed();
    if (seed && len >= 0 && (size_t)len < sizeof failure)
        snprintf(failure + len, sizeof failure - (size_t)len,
                 " [deterministic run, seed %llu: replay with STEADY_TEST_SEED=%llu]",
                 (unsigned long long)seed, (unsigned long long)seed);
    fprintf(stderr, "%s\n", failure);
    return false;
}

const char *steady_test_failure(void)
{
    return failure;
}

void kit_clear_failure(void)
{
    failure[0] = '\0';
}

/* An element as text: the user's format, or an unsigned decimal (1, 2, 4, 8 bytes), or hex. */
void kit_show(char *buf, size_t cap, const void *elem, size_t size, steady_test_fmt fmt)
{
    if (fmt) {
        fmt(buf, cap, elem);
        return;
    }
    unsigned long long v = 0;
    switch (size) {
    case 1: v = *(const unsigned char *)elem; break;
    case 2: {
        uint16_t x;
        memcpy(&x, elem, 2);
        v = x;
    } break;
    case 4: {
        uint32_t x;
        memcpy(&x, elem, 4);
        v = x;
    } break;
    case 8: {
        uint64_t x;
        memcpy(&x, elem, 8);
        v = x;
    } break;
    default: {
        size_t at = 0;
        for (size_t i = 0; i < size && at + 3 < cap; i++)
            at += (size_t)snprintf(buf + at, cap - at, "%02x", ((const unsigned char *)elem)[i]);
        if (!size && cap)
            buf[0] = '\0';
        return;
    }
    }
    snprintf(buf, cap, "%llu", v);
}

/* The drain's elements, their count and size; false (with the message) for a NULL argument. */
static bool view(const char *fn, const steady_test_drain *d, const void *expected, size_t n,
                 const unsigned char **got, size_t *count, size_t *size)
{
    if (!d || (n && !expected))
        return kit_fail("%s: %s is NULL", fn, !d ? "the drain" : "expected (n > 0)");
    *count = steady_test_drain_count(d);
    *got = steady_test_drain_items(d);
    *size = kit_drain_size(d);
    return true;
}

/* The first index below n where the drain and expected differ, or n. */
static size_t first_difference(const steady_test_drain *d, const unsigned char *got, size_t count,
                               const void *expected, size_t n, size_t size)
{
    size_t i = 0;
    while (i < n && i < count &&
           kit_drain_same(d, got + i * size, (const char *)expected + i * size))
        i++;
    return i;
}

static bool compare(const char *fn, const steady_test_drain *d, const void *expected, size_t n,
                    steady_test_fmt fmt, bool exact)
{
    const unsigned char *got = NULL;
    size_t count = 0, size = 0;
    if (!view(fn, d, expected, n, &got, &count, &size))
        return false;
    size_t i = first_difference(d, got, count, expected, n, size);
    char want[256], have[256];
    if (i < n && i < count) {
        kit_show(want, sizeof want, (const char *)expected + i * size, size, fmt);
        kit_show(have, sizeof have, got + i * size, size, fmt);
        return kit_fail("%s: drain of '%s': index %zu: expected %s, got %s (%zu taken, %zu "
                        "expected)%s",
                        fn, kit_drain_name(d), i, want, have, count, n,
                        strcmp(want, have) == 0 ? "; they print alike but their bytes differ: "
                                                  "padding? give the drain a compare "
                                                  "(steady_test_drain_compare)"
                                                : "");
    }
    if (i < n) {
        kit_show(want, sizeof want, (const char *)expected + i * size, size, fmt);
        return kit_fail("%s: drain of '%s': index %zu: expected %s, got nothing (only %zu "
                        "taken, %zu expected)",
                        fn, kit_drain_name(d), i, want, count, n);
    }
    if (exact && count > n) {
        kit_show(have, sizeof have, got + n * size, size, fmt);
        return kit_fail("%s: drain of '%s': index %zu: expected nothing more, got %s (%zu "
                        "taken, %zu expected)",
                        fn, kit_drain_name(d), n, have, count, n);
    }
    return true;
}

bool steady_test_expect_equal(const steady_test_drain *d, const void *expected, size_t n,
                              steady_test_fmt fmt)
{
    return compare("steady_test_expect_equal", d, expected, n, fmt, true);
}

bool steady_test_expect_prefix(const steady_test_drain *d, const void *expected, size_t n,
                               steady_test_fmt fmt)
{
    return compare("steady_test_expect_prefix", d, expected, n, fmt, false);
}

bool steady_test_expect_in_order(const steady_test_drain *d, const void *expected, size_t n,
                                 steady_test_fmt fmt)
{
    const char *fn = "steady_test_expect_in_order";
    const unsigned char *got = NULL;
    size_t count = 0, size = 0, k = 0;
    if (!view(fn, d, expected, n, &got, &count, &size))
        return false;
    for (size_t i = 0; i < count && k < n; i++)
        if (kit_drain_same(d, got + i * size, (const char *)expected + k * size))
            k++;
    if (k == n)
        return true;
    char want[256];
    kit_show(want, sizeof want, (const char *)expected + k * size, size, fmt);
    return kit_fail("%s: drain of '%s': expected element %zu (%s) after the %zu before it, in "
                    "order; not found among the %zu taken",
                    fn, kit_drain_name(d), k, want, k, count);
}

bool steady_test_expect_count(const steady_test_drain *d, size_t n)
{
    if (!d)
        return kit_fail("steady_test_expect_count: the drain is NULL");
    size_t count = steady_test_drain_count(d);
    return count == n || kit_fail("steady_test_expect_count: drain of '%s': expected %zu "
                                  "elements, got %zu",
                                  kit_drain_name(d), n, count);
}

bool steady_test_expect_count_at_least(const steady_test_drain *d, size_t n)
{
    if (!d)
        return kit_fail("steady_test_expect_count_at_least: the drain is NULL");
    size_t count = steady_test_drain_count(d);
    return count >= n || kit_fail("steady_test_expect_count_at_least: drain of '%s': expected "
                                  "at least %zu elements, got %zu",
                                  kit_drain_name(d), n, count);
}
